/* sp-pbxis-source-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "sp-source.h"

G_BEGIN_DECLS

/* Not sp-pbxis-source.h, which would make an include cycle with sp-pbxis-source.c. */
typedef struct _SpPbxisSource SpPbxisSource;

/* What sp-pbxis-source-queues.c (the status view's requests) needs of the source proper,
 * sp-pbxis-source.c; and back. */

SoupSession *sp_pbxis_source_get_session          (SpPbxisSource   *self);
void         sp_pbxis_source_board_refreshed      (SpPbxisSource   *self);
void         sp_pbxis_source_post_action          (SpPbxisSource   *self,
                                                   GTask           *task,
                                                   const char      *url,
                                                   const char      *body,
                                                   char            *failure,
                                                   const char      *configured);
void         sp_pbxis_source_prepare_queue_action (SpPbxisSource   *self,
                                                   SpSourceAction   action,
                                                   const char      *agent,
                                                   const char      *queue,
                                                   const char      *base_url,
                                                   char           **url,
                                                   char           **body,
                                                   char           **failure);

G_END_DECLS
