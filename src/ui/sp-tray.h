/* sp-tray.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sp-account-list.h"
#include "sp-call-tracker.h"
#include "sp-screenpop.h"

G_BEGIN_DECLS

#define SP_TRAY_ITEM_PATH "/StatusNotifierItem"
#define SP_TRAY_MENU_PATH "/MenuBar"

#define SP_TYPE_TRAY (sp_tray_get_type ())

G_DECLARE_FINAL_TYPE (SpTray, sp_tray, SP, TRAY, GObject)

SpTray     *sp_tray_new            (GDBusConnection *connection,
                                    GActionGroup    *actions,
                                    SpAccountList      *accounts,
                                    SpCallTracker   *tracker,
                                    SpScreenpop     *screenpop,
                                    GSettings       *settings);
gboolean    sp_tray_is_registered  (SpTray          *self);

G_END_DECLS
