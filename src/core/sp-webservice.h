/* sp-webservice.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sp-account-list.h"
#include "sp-call.h"
#include "sp-notifier.h"
#include "sp-quiet.h"
#include "sp-url-opener.h"

G_BEGIN_DECLS

/* How long a web service may take to answer before the account's template is used. */
#define SP_WEBSERVICE_TIMEOUT_MS 3000

#define SP_TYPE_WEBSERVICE (sp_webservice_get_type ())

G_DECLARE_FINAL_TYPE (SpWebservice, sp_webservice, SP, WEBSERVICE, GObject)

SpWebservice *sp_webservice_new            (SpAccountList    *accounts,
                                            SpNotifier    *notifier,
                                            GSettings     *settings,
                                            SpQuiet       *quiet,
                                            SpUrlOpener   *opener);
gboolean      sp_webservice_follow_call    (SpWebservice  *self,
                                            SpCall        *call,
                                            gboolean       state_changed);
GListModel   *sp_webservice_get_pending    (SpWebservice  *self);
void          sp_webservice_done           (SpWebservice  *self,
                                            SpCall        *call);
const char   *sp_webservice_get_last_error (SpWebservice  *self);

G_END_DECLS
