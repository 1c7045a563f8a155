/* sp-quiet.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sp-account.h"
#include "sp-screen-lock.h"

G_BEGIN_DECLS

/**
 * SpLockScreenMode:
 * @SP_LOCK_SCREEN_SHOW: calls show in full (the screen is unlocked, or the user wants it)
 * @SP_LOCK_SCREEN_HIDE_CONTENT: calls show without the caller, queue or page-opening buttons
 * @SP_LOCK_SCREEN_HIDE: calls show nothing until the screen is unlocked
 *
 * What a call may show now; the values are those of the "lock-screen" setting.
 */
typedef enum
{
  SP_LOCK_SCREEN_SHOW,
  SP_LOCK_SCREEN_HIDE_CONTENT,
  SP_LOCK_SCREEN_HIDE,
} SpLockScreenMode;

#define SP_TYPE_QUIET (sp_quiet_get_type ())

G_DECLARE_FINAL_TYPE (SpQuiet, sp_quiet, SP, QUIET, GObject)

SpQuiet          *sp_quiet_new             (GSettings    *settings);
void              sp_quiet_set_screen_lock (SpQuiet      *self,
                                            SpScreenLock *lock);
gboolean          sp_quiet_is_quiet        (SpQuiet      *self,
                                            SpAccount    *account);
SpLockScreenMode  sp_quiet_get_lock_mode   (SpQuiet      *self);
gboolean          sp_quiet_hides_callers   (SpQuiet      *self);

G_END_DECLS
