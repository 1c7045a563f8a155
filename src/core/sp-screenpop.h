/* sp-screenpop.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sp-accounts.h"
#include "sp-call-tracker.h"
#include "sp-notifier.h"
#include "sp-screen-lock.h"
#include "sp-webservice.h"

G_BEGIN_DECLS

/**
 * SpUrlHandler:
 * @uri: a URL that passed the URL policy
 * @user_data: closure
 *
 * Shows @uri to the user. The default launches the desktop's handler for it; tests put a
 * recorder here.
 */
typedef void (*SpUrlHandler) (const char *uri,
                              gpointer    user_data);

#define SP_TYPE_SCREENPOP (sp_screenpop_get_type ())

G_DECLARE_FINAL_TYPE (SpScreenpop, sp_screenpop, SP, SCREENPOP, GObject)

SpScreenpop *sp_screenpop_new              (SpAccounts     *accounts,
                                            SpCallTracker  *tracker,
                                            SpNotifier     *notifier,
                                            GSettings      *settings);
void         sp_screenpop_set_url_handler  (SpScreenpop    *self,
                                            SpUrlHandler    handler,
                                            gpointer        user_data,
                                            GDestroyNotify  destroy);
gboolean     sp_screenpop_open_url         (SpScreenpop    *self,
                                            SpAccount      *account,
                                            const char     *uri,
                                            GError        **error);
char        *sp_screenpop_dup_call_url     (SpScreenpop    *self,
                                            SpCall         *call);
gboolean     sp_screenpop_open_call        (SpScreenpop    *self,
                                            SpCall         *call,
                                            GError        **error);
void         sp_screenpop_answer_call      (SpScreenpop    *self,
                                            SpCall         *call);
gboolean     sp_screenpop_can_answer       (SpScreenpop    *self,
                                            SpCall         *call);
SpWebservice *sp_screenpop_get_webservice  (SpScreenpop    *self);
void          sp_screenpop_set_screen_lock (SpScreenpop    *self,
                                            SpScreenLock   *lock);
gboolean      sp_screenpop_hides_callers   (SpScreenpop    *self);
gboolean      sp_screenpop_is_quiet        (SpScreenpop    *self,
                                            SpAccount      *account);

G_END_DECLS
