/* sp-pbxis-source-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "sp-pbxis.h"
#include "sp-pbxis-board.h"
#include "sp-pbxis-calls.h"
#include "sp-pbxis-stream.h"
#include "sp-source.h"

G_BEGIN_DECLS

/* Not sp-pbxis-source.h, which would make an include cycle with sp-pbxis-source.c. */
typedef struct _SpPbxisSource SpPbxisSource;

/* What the four files of SpPbxisSource share: sp-pbxis-source.c (the object, its
 * configuration, the status view's signals), sp-pbxis-source-connect.c (the ticket, its
 * stream and its events), sp-pbxis-source-actions.c (the actions and the dials) and
 * sp-pbxis-source-queues.c (the status view's requests). */

/* pbxis-ws answers a long-poll within :poll-timeout-seconds (30 by default). */
#define DEFAULT_POLL_TIMEOUT_SECONDS 30

struct _SpPbxisSource
{
  SpSource          parent_instance;

  SoupSession      *session;

  /* The connection: all dropped by disconnect(). */
  SpPbxisTransport  transport;
  char             *base_url;
  SpPbxisStream    *stream;
  guint             poll_timeout;

  /* What the events said; outlives reconnections, because the snapshot of the next ticket
   * is compared with it. */
  SpPbxisCalls     *calls;
  guint             deadline_id;     /* when an end stops waiting for agentComplete, or a
                                      * dial gives up */
  GHashTable       *dial_tasks;      /* dial id → GTask of its perform, owned */
  SpPbxisBoard     *board;           /* the status view's model */
};

/* sp-pbxis-source.c */
char       **sp_pbxis_source_dup_queues           (SpPbxisSource       *self);
void         sp_pbxis_source_configure_board      (SpPbxisSource       *self);
void         sp_pbxis_source_feed_board           (SpPbxisSource       *self,
                                                   const SpPbxisEvent  *event);
void         sp_pbxis_source_board_refreshed      (SpPbxisSource       *self);

/* sp-pbxis-source-connect.c */
void         sp_pbxis_source_connect_async        (SpSource            *source,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean     sp_pbxis_source_connect_finish       (SpSource            *source,
                                                   GAsyncResult        *result,
                                                   GError             **error);
void         sp_pbxis_source_disconnect           (SpSource            *source);
void         sp_pbxis_source_schedule_deadline    (SpPbxisSource       *self);

/* sp-pbxis-source-actions.c */
gboolean     sp_pbxis_source_can_perform          (SpSource            *source,
                                                   SpSourceAction       action);
void         sp_pbxis_source_perform_async        (SpSource            *source,
                                                   SpSourceAction       action,
                                                   const char          *call_id,
                                                   GVariant            *param,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean     sp_pbxis_source_perform_finish       (SpSource            *source,
                                                   GAsyncResult        *result,
                                                   GError             **error);
void         sp_pbxis_source_settle_dials         (SpPbxisSource       *self);
void         sp_pbxis_source_post_action          (SpPbxisSource       *self,
                                                   GTask               *task,
                                                   const char          *url,
                                                   const char          *body,
                                                   char                *failure,
                                                   const char          *configured);

/* sp-pbxis-source-queues.c */
void         sp_pbxis_source_prepare_queue_action (SpPbxisSource       *self,
                                                   SpSourceAction       action,
                                                   const char          *agent,
                                                   const char          *queue,
                                                   const char          *base_url,
                                                   char               **url,
                                                   char               **body,
                                                   char               **failure);

G_END_DECLS
