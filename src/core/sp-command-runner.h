/* sp-command-runner.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sp-account-list.h"
#include "sp-notifier.h"
#include "sp-redmine-command.h"
#include "sp-url-opener.h"

G_BEGIN_DECLS

/* The biggest icon (iconUrl) fetched for a notification, and how long it may take. */
#define SP_COMMAND_RUNNER_MAX_ICON_BYTES (2 * 1024 * 1024)
#define SP_COMMAND_RUNNER_ICON_TIMEOUT_MS 5000

/* Identical notifications arriving within this long are shown once (redmine_rt sends
 * comment notifications twice). */
#define SP_COMMAND_RUNNER_COALESCE_MS 1000

#define SP_TYPE_COMMAND_RUNNER (sp_command_runner_get_type ())

G_DECLARE_FINAL_TYPE (SpCommandRunner, sp_command_runner, SP, COMMAND_RUNNER, GObject)

SpCommandRunner *sp_command_runner_new  (SpAccountList       *accounts,
                                         SpNotifier       *notifier,
                                         SpUrlOpener      *opener);
void             sp_command_runner_run  (SpCommandRunner  *self,
                                         SpAccount        *account,
                                         SpRedmineCommand *command);

G_END_DECLS
