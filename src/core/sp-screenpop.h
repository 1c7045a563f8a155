/* sp-screenpop.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sp-account-list.h"
#include "sp-call-tracker.h"
#include "sp-notifier.h"
#include "sp-quiet.h"
#include "sp-url-opener.h"
#include "sp-webservice.h"

G_BEGIN_DECLS

#define SP_TYPE_SCREENPOP (sp_screenpop_get_type ())

G_DECLARE_FINAL_TYPE (SpScreenpop, sp_screenpop, SP, SCREENPOP, GObject)

SpScreenpop *sp_screenpop_new              (SpAccountList     *accounts,
                                            SpCallTracker  *tracker,
                                            SpNotifier     *notifier,
                                            SpQuiet        *quiet,
                                            SpUrlOpener    *opener,
                                            SpWebservice   *webservice);
char        *sp_screenpop_dup_call_url     (SpScreenpop    *self,
                                            SpCall         *call);
gboolean     sp_screenpop_open_call        (SpScreenpop    *self,
                                            SpCall         *call,
                                            GError        **error);
void         sp_screenpop_answer_call      (SpScreenpop    *self,
                                            SpCall         *call);
gboolean     sp_screenpop_can_answer       (SpScreenpop    *self,
                                            SpCall         *call);
void         sp_screenpop_hang_up_call     (SpScreenpop    *self,
                                            SpCall         *call);
gboolean     sp_screenpop_can_hang_up      (SpScreenpop    *self,
                                            SpCall         *call);
SpCall      *sp_screenpop_find_call        (SpScreenpop    *self,
                                            SpSourceAction  action);

G_END_DECLS
