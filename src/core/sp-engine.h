/* sp-engine.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sp-account-list.h"
#include "sp-call-tracker.h"
#include "sp-command-runner.h"
#include "sp-history.h"
#include "sp-notifier.h"
#include "sp-caller-id.h"
#include "sp-quiet.h"
#include "sp-screen-lock.h"
#include "sp-screenpop.h"
#include "sp-url-opener.h"
#include "sp-webservice.h"

G_BEGIN_DECLS

#define SP_TYPE_ENGINE (sp_engine_get_type ())

G_DECLARE_FINAL_TYPE (SpEngine, sp_engine, SP, ENGINE, GObject)

SpEngine        *sp_engine_new                (GSettings       *settings,
                                               GDBusConnection *bus);
SpEngine        *sp_engine_new_full           (GSettings       *settings,
                                               GDBusConnection *bus,
                                               const char      *history_path,
                                               SpNotifier      *notifier);
GSettings       *sp_engine_get_settings       (SpEngine        *self);
SpAccountList      *sp_engine_get_accounts       (SpEngine        *self);
SpCallTracker   *sp_engine_get_tracker        (SpEngine        *self);
SpCallerId      *sp_engine_get_caller_id      (SpEngine        *self);
SpNotifier      *sp_engine_get_notifier       (SpEngine        *self);
SpQuiet         *sp_engine_get_quiet          (SpEngine        *self);
SpScreenLock    *sp_engine_get_screen_lock    (SpEngine        *self);
SpScreenpop     *sp_engine_get_screenpop      (SpEngine        *self);
SpWebservice    *sp_engine_get_webservice     (SpEngine        *self);
SpCommandRunner *sp_engine_get_command_runner (SpEngine        *self);
SpUrlOpener     *sp_engine_get_url_opener     (SpEngine        *self);
SpHistory       *sp_engine_get_history        (SpEngine        *self);
const char      *sp_engine_get_history_error  (SpEngine        *self);
void             sp_engine_set_url_handler    (SpEngine        *self,
                                               SpUrlHandler     handler,
                                               gpointer         user_data,
                                               GDestroyNotify   destroy);
void             sp_engine_shutdown           (SpEngine        *self);

G_END_DECLS
