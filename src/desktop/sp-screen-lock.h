/* sp-screen-lock.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SP_TYPE_SCREEN_LOCK (sp_screen_lock_get_type ())

G_DECLARE_FINAL_TYPE (SpScreenLock, sp_screen_lock, SP, SCREEN_LOCK, GObject)

SpScreenLock *sp_screen_lock_new        (GDBusConnection *connection);
gboolean      sp_screen_lock_get_locked (SpScreenLock    *self);

G_END_DECLS
