/* sp-screen-lock.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-screen-lock"

#include "config.h"

#include <libportal/portal.h>

#include "sp-autostart.h"
#include "sp-screen-lock.h"

/*
 * Whether the screen is locked, for the "calls on the lock screen" setting: freedesktop
 * notifications have no hint that keeps a notification (or its text) off the lock screen,
 * so Screenpop decides itself what a locked screen shows.
 *
 * Outside a sandbox it asks the screensaver of the session bus: GNOME Shell's
 * org.gnome.ScreenSaver, or org.freedesktop.ScreenSaver (KDE, Xfce, Cinnamon, MATE), both
 * with GetActive and ActiveChanged. Either may come and go (a shell restart); while neither
 * is there the screen counts as unlocked. Inside Flatpak, where those names are not
 * reachable, the Inhibit portal's session monitor says the same ("screensaver-active").
 */

typedef struct
{
  const char *name;
  const char *path;
  const char *iface;
} Screensaver;

static const Screensaver screensavers[] = {
  { "org.gnome.ScreenSaver", "/org/gnome/ScreenSaver", "org.gnome.ScreenSaver" },
  { "org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver" },
};

#define N_SCREENSAVERS G_N_ELEMENTS (screensavers)

struct _SpScreenLock
{
  GObject          parent_instance;

  GDBusConnection *connection;
  GCancellable    *cancellable;
  guint            watch_ids[N_SCREENSAVERS];
  guint            signal_ids[N_SCREENSAVERS];
  gboolean         active[N_SCREENSAVERS];

  XdpPortal       *portal;
  gboolean         portal_active;

  gboolean         locked;
};

enum {
  PROP_0,
  PROP_LOCKED,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (SpScreenLock, sp_screen_lock, G_TYPE_OBJECT)

static GParamSpec *properties [N_PROPS];

static void
update_locked (SpScreenLock *self)
{
  gboolean locked = self->portal_active;

  for (guint i = 0; i < N_SCREENSAVERS; i++)
    locked = locked || self->active[i];

  if (self->locked == locked)
    return;

  g_debug ("The screen is %s", locked ? "locked" : "unlocked");
  self->locked = locked;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCKED]);
}

/* D-Bus: org.gnome.ScreenSaver and org.freedesktop.ScreenSaver */

static guint
index_of_name (const char *name)
{
  for (guint i = 0; i < N_SCREENSAVERS; i++)
    {
      if (g_strcmp0 (screensavers[i].name, name) == 0)
        return i;
    }

  return N_SCREENSAVERS;
}

static void
active_changed_cb (GDBusConnection *connection,
                   const char      *sender,
                   const char      *path,
                   const char      *iface,
                   const char      *signal,
                   GVariant        *params,
                   gpointer         user_data)
{
  SpScreenLock *self = user_data;
  guint i = index_of_name (iface);

  if (i == N_SCREENSAVERS || !g_variant_is_of_type (params, G_VARIANT_TYPE ("(b)")))
    return;

  g_variant_get (params, "(b)", &self->active[i]);
  update_locked (self);
}

typedef struct
{
  SpScreenLock *self;   /* owned for the call */
  guint         index;
} GetActive;

static void
get_active_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GetActive *call = user_data;
  g_autoptr(SpScreenLock) self = call->self;
  guint i = call->index;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  g_free (call);
  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);

  if (reply == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("%s.GetActive failed: %s", screensavers[i].iface, error->message);
      return;
    }

  /* The screensaver left while we asked: its answer no longer counts. */
  if (self->signal_ids[i] == 0)
    return;

  g_variant_get (reply, "(b)", &self->active[i]);
  update_locked (self);
}

static void
screensaver_appeared_cb (GDBusConnection *connection,
                         const char      *name,
                         const char      *owner,
                         gpointer         user_data)
{
  SpScreenLock *self = user_data;
  guint i = index_of_name (name);
  GetActive *call;

  if (i == N_SCREENSAVERS || self->signal_ids[i] != 0)
    return;

  g_debug ("%s appeared", name);
  self->signal_ids[i] =
    g_dbus_connection_signal_subscribe (connection, name, screensavers[i].iface, "ActiveChanged",
                                        screensavers[i].path, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                        active_changed_cb, self, NULL);
  call = g_new0 (GetActive, 1);
  call->self = g_object_ref (self);
  call->index = i;
  g_dbus_connection_call (connection, name, screensavers[i].path, screensavers[i].iface,
                          "GetActive", NULL, G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE,
                          -1, self->cancellable, get_active_cb, call);
}

static void
screensaver_vanished_cb (GDBusConnection *connection,
                         const char      *name,
                         gpointer         user_data)
{
  SpScreenLock *self = user_data;
  guint i = index_of_name (name);

  if (i == N_SCREENSAVERS)
    return;

  if (self->signal_ids[i] != 0 && connection != NULL)
    g_dbus_connection_signal_unsubscribe (connection, self->signal_ids[i]);
  self->signal_ids[i] = 0;
  self->active[i] = FALSE;
  update_locked (self);
}

/* Flatpak: the Inhibit portal's session monitor */

static void
session_state_changed_cb (XdpPortal            *portal,
                          gboolean              screensaver_active,
                          XdpLoginSessionState  session_state,
                          SpScreenLock         *self)
{
  /* Nothing to save or inhibit when the session ends: acknowledge at once. */
  if (session_state == XDP_LOGIN_SESSION_QUERY_END)
    xdp_portal_session_monitor_query_end_response (portal);

  self->portal_active = screensaver_active;
  update_locked (self);
}

static void
monitor_started_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!xdp_portal_session_monitor_start_finish (XDP_PORTAL (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("The session monitor portal is not available, so the lock screen is not "
               "known: %s", error->message);
}

/* Object */

static void
sp_screen_lock_dispose (GObject *object)
{
  SpScreenLock *self = SP_SCREEN_LOCK (object);

  g_cancellable_cancel (self->cancellable);
  for (guint i = 0; i < N_SCREENSAVERS; i++)
    {
      g_clear_handle_id (&self->watch_ids[i], g_bus_unwatch_name);
      if (self->signal_ids[i] != 0)
        g_dbus_connection_signal_unsubscribe (self->connection, self->signal_ids[i]);
      self->signal_ids[i] = 0;
    }

  if (self->portal != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->portal, self);
      xdp_portal_session_monitor_stop (self->portal);
      g_clear_object (&self->portal);
    }

  g_clear_object (&self->connection);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (sp_screen_lock_parent_class)->dispose (object);
}

static void
sp_screen_lock_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  SpScreenLock *self = SP_SCREEN_LOCK (object);

  switch (prop_id)
    {
    case PROP_LOCKED:
      g_value_set_boolean (value, self->locked);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_screen_lock_class_init (SpScreenLockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_screen_lock_dispose;
  object_class->get_property = sp_screen_lock_get_property;

  properties[PROP_LOCKED] =
    g_param_spec_boolean ("locked", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sp_screen_lock_init (SpScreenLock *self)
{
  self->cancellable = g_cancellable_new ();
}

/**
 * sp_screen_lock_new:
 * @connection: (nullable): the session bus; %NULL (no bus) means never locked
 *
 * Returns: (transfer full): a watcher of the screen lock
 */
SpScreenLock *
sp_screen_lock_new (GDBusConnection *connection)
{
  SpScreenLock *self = g_object_new (SP_TYPE_SCREEN_LOCK, NULL);

  g_return_val_if_fail (connection == NULL || G_IS_DBUS_CONNECTION (connection), self);

  if (connection == NULL)
    return self;

  if (sp_autostart_is_sandboxed ())
    {
      self->portal = xdp_portal_new ();
      g_signal_connect (self->portal, "session-state-changed",
                        G_CALLBACK (session_state_changed_cb), self);
      xdp_portal_session_monitor_start (self->portal, NULL, XDP_SESSION_MONITOR_FLAG_NONE,
                                        self->cancellable, monitor_started_cb, NULL);
      return self;
    }

  self->connection = g_object_ref (connection);

  for (guint i = 0; i < N_SCREENSAVERS; i++)
    self->watch_ids[i] = g_bus_watch_name_on_connection (connection, screensavers[i].name,
                                                         G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                         screensaver_appeared_cb,
                                                         screensaver_vanished_cb,
                                                         self, NULL);

  return self;
}

/**
 * sp_screen_lock_get_locked:
 *
 * Returns: whether the screen is locked (the screensaver is active), as far as is known
 */
gboolean
sp_screen_lock_get_locked (SpScreenLock *self)
{
  g_return_val_if_fail (SP_IS_SCREEN_LOCK (self), FALSE);

  return self->locked;
}
