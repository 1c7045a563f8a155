/* sp-quiet.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-quiet"

#include "config.h"

#include "sp-enums.h"
#include "sp-quiet.h"

/*
 * SpQuiet is the one rule for when a call must not disturb, asked alike by the screen-pop
 * (notifications, the CRM page) and the web service (asking the CRM at all, what the
 * "Paused" notification may say):
 *
 * - do not disturb (the app's setting), or the call's account muted: no pop-up, no sound,
 *   no page opening and no web service by itself. The call is still tracked, kept in the
 *   history and shown in the window;
 * - while the screen is locked, the "lock-screen" setting says what a call shows: all of
 *   it, nothing of the caller ("hide-content"), or nothing ("hide"). #SpQuiet:lock-mode
 *   changes when the screen locks or unlocks or the setting changes, so that what is on
 *   screen can be shown again as now allowed.
 */

struct _SpQuiet
{
  GObject           parent_instance;

  GSettings        *settings;
  SpScreenLock     *lock;
  SpLockScreenMode  lock_mode;   /* as last told: a change is notified once */
  gboolean          dnd;         /* "do-not-disturb", kept up to date by its changes */
};

enum {
  PROP_0,
  PROP_LOCK_MODE,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (SpQuiet, sp_quiet, G_TYPE_OBJECT)

static GParamSpec *properties [N_PROPS];

/* Asked afresh every time, so that a call never waits for a change to be told. */
static SpLockScreenMode
current_lock_mode (SpQuiet *self)
{
  if (self->lock == NULL || !sp_screen_lock_get_locked (self->lock))
    return SP_LOCK_SCREEN_SHOW;

  return (SpLockScreenMode) g_settings_get_enum (self->settings, "lock-screen");
}

static void
update_lock_mode (SpQuiet *self)
{
  SpLockScreenMode mode = current_lock_mode (self);

  /* Locked with "show", or the setting changed while unlocked: nothing to redo. */
  if (mode == self->lock_mode)
    return;

  self->lock_mode = mode;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCK_MODE]);
}

/* Asked on every call event: kept here rather than read from GSettings each time. */
static void
dnd_changed_cb (SpQuiet *self)
{
  self->dnd = g_settings_get_boolean (self->settings, "do-not-disturb");
}

static void
sp_quiet_dispose (GObject *object)
{
  SpQuiet *self = (SpQuiet *)object;

  g_clear_object (&self->lock);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (sp_quiet_parent_class)->dispose (object);
}

static void
sp_quiet_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  SpQuiet *self = SP_QUIET (object);

  switch (prop_id)
    {
    case PROP_LOCK_MODE:
      g_value_set_enum (value, current_lock_mode (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_quiet_class_init (SpQuietClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_quiet_dispose;
  object_class->get_property = sp_quiet_get_property;

  /**
   * SpQuiet:lock-mode:
   *
   * What a call may show now: %SP_LOCK_SCREEN_SHOW while the screen is unlocked (or
   * there is nothing that says it is locked), else the "lock-screen" setting.
   */
  properties[PROP_LOCK_MODE] =
    g_param_spec_enum ("lock-mode", NULL, NULL,
                       SP_TYPE_LOCK_SCREEN_MODE, SP_LOCK_SCREEN_SHOW,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sp_quiet_init (SpQuiet *self)
{
  self->lock_mode = SP_LOCK_SCREEN_SHOW;
}

/**
 * sp_quiet_new:
 * @settings: the app's settings ("do-not-disturb", "lock-screen")
 *
 * Returns: (transfer full): the quiet rule; the screen counts as never locked until
 *   sp_quiet_set_screen_lock()
 */
SpQuiet *
sp_quiet_new (GSettings *settings)
{
  SpQuiet *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (SP_TYPE_QUIET, NULL);
  self->settings = g_object_ref (settings);

  g_signal_connect_object (settings, "changed::lock-screen",
                           G_CALLBACK (update_lock_mode), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (settings, "changed::do-not-disturb",
                           G_CALLBACK (dnd_changed_cb), self, G_CONNECT_SWAPPED);
  /* GSettings tells of changes only to keys that were read. */
  g_settings_get_enum (settings, "lock-screen");
  dnd_changed_cb (self);

  return self;
}

/**
 * sp_quiet_set_screen_lock:
 * @lock: (nullable): what says whether the screen is locked; %NULL: never locked
 *
 * Lets the "lock-screen" setting act.
 */
void
sp_quiet_set_screen_lock (SpQuiet      *self,
                          SpScreenLock *lock)
{
  g_return_if_fail (SP_IS_QUIET (self));
  g_return_if_fail (lock == NULL || SP_IS_SCREEN_LOCK (lock));

  if (self->lock == lock)
    return;

  if (self->lock != NULL)
    g_signal_handlers_disconnect_by_data (self->lock, self);
  g_set_object (&self->lock, lock);

  if (lock != NULL)
    g_signal_connect_object (lock, "notify::locked", G_CALLBACK (update_lock_mode), self,
                             G_CONNECT_SWAPPED);
  update_lock_mode (self);
}

/**
 * sp_quiet_is_quiet:
 * @account: (nullable): the call's account
 *
 * Do not disturb, or @account muted: no pop-up, no sound, no page opening or web service
 * by itself. The call is still tracked, kept in the history and shown in the window.
 *
 * Returns: whether calls of @account must stay quiet
 */
gboolean
sp_quiet_is_quiet (SpQuiet   *self,
                   SpAccount *account)
{
  g_return_val_if_fail (SP_IS_QUIET (self), TRUE);
  g_return_val_if_fail (account == NULL || SP_IS_ACCOUNT (account), TRUE);

  return self->dnd || (account != NULL && sp_account_get_muted (account));
}

/**
 * sp_quiet_get_lock_mode:
 *
 * Returns: see #SpQuiet:lock-mode
 */
SpLockScreenMode
sp_quiet_get_lock_mode (SpQuiet *self)
{
  g_return_val_if_fail (SP_IS_QUIET (self), SP_LOCK_SCREEN_SHOW);

  return current_lock_mode (self);
}

/**
 * sp_quiet_hides_callers:
 *
 * Returns: whether, the screen being locked, notifications must not name callers (the
 *   "lock-screen" setting is not "show")
 */
gboolean
sp_quiet_hides_callers (SpQuiet *self)
{
  g_return_val_if_fail (SP_IS_QUIET (self), FALSE);

  return current_lock_mode (self) != SP_LOCK_SCREEN_SHOW;
}
