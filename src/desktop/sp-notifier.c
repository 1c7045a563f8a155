/* sp-notifier.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-notifier"

#include "config.h"

#include <glib/gi18n.h>
#include <gsound.h>
#include <libnotify/notify.h>

#include "sp-enums.h"
#include "sp-notifier.h"

/*
 * SpNotifier is the only code that talks to the notification server. Every notification
 * has a stable string tag ("call:ACCOUNT:CALL-ID", "msg:N"): showing a tag again replaces
 * the notification in place (no flicker), withdrawing it closes it, and a button comes back
 * as (tag, button id) strings — never a pointer, which some servers mangle.
 *
 * The ping is played here with GSound, because many notification servers ignore sound
 * hints; the server is asked to stay quiet so that nothing rings twice.
 */

struct _SpNotifier
{
  GObject       parent_instance;

  GHashTable   *shown;     /* tag → NotifyNotification */
  GDBusConnection *bus;    /* for withdrawing without waiting; NULL inside a sandbox */
  GStrv         caps;
  GSoundContext *sound;
  gboolean      sound_failed;
  gboolean      sound_enabled;
};

enum {
  ACTION_INVOKED,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (SpNotifier, sp_notifier, G_TYPE_OBJECT)

static guint signals [N_SIGNALS];

static void
load_caps (SpNotifier *self)
{
  GList *caps = notify_get_server_caps ();
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (GList *l = caps; l != NULL; l = l->next)
    g_strv_builder_add (builder, l->data);

  g_list_free_full (caps, g_free);
  g_clear_pointer (&self->caps, g_strfreev);
  self->caps = g_strv_builder_end (builder);

  if (g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN) == FALSE)
    {
      g_autofree char *joined = g_strjoinv (" ", self->caps);

      g_debug ("Notification server capabilities: %s", joined[0] ? joined : "(none)");
    }
}

static void
closed_cb (NotifyNotification *notification,
           SpNotifier         *self)
{
  const char *tag = g_object_get_data (G_OBJECT (notification), "sp-tag");

  /* Only forget the tag if it still means this notification: a replaced one may close
   * after its successor was shown. */
  if (tag != NULL && g_hash_table_lookup (self->shown, tag) == notification)
    g_hash_table_remove (self->shown, tag);
}

typedef struct
{
  SpNotifier *self;   /* weak: see action_data_free */
  char       *tag;
} ActionData;

static void
action_data_free (gpointer data)
{
  ActionData *action_data = data;

  g_clear_weak_pointer (&action_data->self);
  g_free (action_data->tag);
  g_free (action_data);
}

static void
action_cb (NotifyNotification *notification,
           char               *action,
           gpointer            user_data)
{
  ActionData *data = user_data;
  g_autofree char *tag = g_strdup (data->tag);
  g_autoptr(SpNotifier) self = data->self ? g_object_ref (data->self) : NULL;

  if (self == NULL)
    return;

  g_debug ("Button “%s” clicked on %s", action, tag);
  g_signal_emit (self, signals[ACTION_INVOKED], 0, tag, action);
}

static const char *
find_ping (void)
{
  static const char *path = NULL;

  if (path == NULL)
    {
      const char *env = g_getenv ("SCREENPOP_PING");

      if (env != NULL && g_file_test (env, G_FILE_TEST_EXISTS))
        path = env;
      else if (g_file_test (PKGDATADIR "/sounds/ping.wav", G_FILE_TEST_EXISTS))
        path = PKGDATADIR "/sounds/ping.wav";
      else
        path = "";
    }

  return path[0] ? path : NULL;
}

/* Whether the notification server advertised @capability ("actions", "body-markup", …). */
static gboolean
has_capability (SpNotifier *self,
                const char *capability)
{
  /* A server that was not there at start-up may be now. */
  if (self->caps[0] == NULL)
    load_caps (self);

  return g_strv_contains ((const char * const *) self->caps, capability);
}

/* The ring sound, once per new ringing notification; after one failure to set up the sound
 * context it stays silent rather than failing on every call. */
static void
play_ping (SpNotifier *self)
{
  g_autoptr(GError) error = NULL;
  const char *ping;

  if (!self->sound_enabled || self->sound_failed)
    return;

  if (self->sound == NULL)
    {
      self->sound = gsound_context_new (NULL, &error);
      if (self->sound == NULL)
        {
          g_debug ("No sound: %s", error->message);
          self->sound_failed = TRUE;
          return;
        }
      gsound_context_set_attributes (self->sound, &error,
                                     GSOUND_ATTR_APPLICATION_ID, APP_ID APP_ID_SUFFIX,
                                     NULL);
      g_clear_error (&error);
    }

  ping = find_ping ();
  if (ping != NULL)
    gsound_context_play_simple (self->sound, NULL, &error,
                                GSOUND_ATTR_MEDIA_FILENAME, ping,
                                GSOUND_ATTR_MEDIA_ROLE, "event",
                                NULL);
  else
    gsound_context_play_simple (self->sound, NULL, &error,
                                GSOUND_ATTR_EVENT_ID, "message-new-instant",
                                NULL);

  if (error != NULL)
    g_debug ("Could not play the ping: %s", error->message);
}

static void
sp_notifier_dispose (GObject *object)
{
  SpNotifier *self = (SpNotifier *)object;

  if (self->shown != NULL)
    sp_notifier_withdraw_all (self);

  g_clear_pointer (&self->shown, g_hash_table_unref);
  g_clear_pointer (&self->caps, g_strfreev);
  g_clear_object (&self->sound);
  g_clear_object (&self->bus);

  G_OBJECT_CLASS (sp_notifier_parent_class)->dispose (object);
}

static void
sp_notifier_class_init (SpNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_notifier_dispose;

  /**
   * SpNotifier::action-invoked:
   * @self: the notifier
   * @tag: the notification's tag
   * @action: the button's id
   */
  signals[ACTION_INVOKED] =
    g_signal_new ("action-invoked",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
sp_notifier_init (SpNotifier *self)
{
  self->shown = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->sound_enabled = TRUE;
}

SpNotifier *
sp_notifier_new (void)
{
  SpNotifier *self;

  if (!notify_is_initted ())
    notify_init (g_get_application_name () ? g_get_application_name () : "Screenpop");

  self = g_object_new (SP_TYPE_NOTIFIER, NULL);
  load_caps (self);

  if (!g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    self->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);

  return self;
}

/**
 * sp_notifier_show:
 * @tag: stable id of the notification; showing the same tag again updates it in place
 * @summary: plain text
 * @body: (nullable): plain text; escaped here when the server reads markup
 * @icon: (nullable): an icon name, or the path of a picture (a caller's photo): a path is
 *   sent as the notification's image (the image-path hint), with the app's icon beside it
 * @flags: what kind of notification
 * @buttons: (array length=n_buttons) (nullable): the buttons
 *
 * Shows or updates a notification. Buttons are left out when the server cannot show
 * them; the window offers the same actions.
 */
void
sp_notifier_show (SpNotifier           *self,
                  const char           *tag,
                  const char           *summary,
                  const char           *body,
                  const char           *icon,
                  SpNotifyFlags         flags,
                  const SpNotifyButton *buttons,
                  guint                 n_buttons)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *image_uri = NULL;
  NotifyNotification *notification;
  gboolean is_new;
  gboolean ping = (flags & (SP_NOTIFY_RINGING | SP_NOTIFY_PING)) != 0;

  g_return_if_fail (SP_IS_NOTIFIER (self));
  g_return_if_fail (tag != NULL);
  g_return_if_fail (summary != NULL);

  if (body != NULL && has_capability (self, "body-markup"))
    body = escaped = g_markup_escape_text (body, -1);

  /* A picture is the notification's image, in the spec's image-path hint (a file: URI):
   * daemons that read only the hint ignore a path given as app_icon, which names the app. */
  if (icon != NULL && g_path_is_absolute (icon))
    {
      image_uri = g_filename_to_uri (icon, NULL, NULL);
      icon = APP_ID APP_ID_SUFFIX;
    }

  notification = g_hash_table_lookup (self->shown, tag);
  is_new = notification == NULL;

  if (is_new)
    {
      notification = notify_notification_new (summary, body, icon);
      g_object_set_data_full (G_OBJECT (notification), "sp-tag", g_strdup (tag), g_free);
      g_signal_connect_object (notification, "closed", G_CALLBACK (closed_cb), self, 0);
      g_hash_table_insert (self->shown, g_strdup (tag), notification);
    }
  else
    {
      notify_notification_update (notification, summary, body, icon);
      notify_notification_clear_actions (notification);
      notify_notification_clear_hints (notification);
    }

  notify_notification_set_app_name (notification, _("Screenpop"));
  if (image_uri != NULL)
    notify_notification_set_hint_string (notification, "image-path", image_uri);
  notify_notification_set_hint_string (notification, "desktop-entry", APP_ID APP_ID_SUFFIX);

  if (flags & SP_NOTIFY_RINGING)
    notify_notification_set_category (notification, "call.incoming");
  else if (flags & SP_NOTIFY_CALL)
    notify_notification_set_category (notification, "call.unanswered");

  if (flags & SP_NOTIFY_RINGING)
    notify_notification_set_urgency (notification, NOTIFY_URGENCY_CRITICAL);
  else if (flags & SP_NOTIFY_LOW)
    notify_notification_set_urgency (notification, NOTIFY_URGENCY_LOW);
  else
    notify_notification_set_urgency (notification, NOTIFY_URGENCY_NORMAL);

  /* A ringing call is withdrawn by us when it stops ringing; never let it time out
   * earlier, nor stay after. */
  if (flags & (SP_NOTIFY_RINGING | SP_NOTIFY_PERSISTENT))
    notify_notification_set_timeout (notification, NOTIFY_EXPIRES_NEVER);
  else
    notify_notification_set_timeout (notification, NOTIFY_EXPIRES_DEFAULT);

  if (ping)
    notify_notification_set_hint (notification, "suppress-sound", g_variant_new_boolean (TRUE));

  if (has_capability (self, "actions"))
    {
      for (guint i = 0; i < n_buttons; i++)
        {
          ActionData *data = g_new0 (ActionData, 1);

          g_set_weak_pointer (&data->self, self);
          data->tag = g_strdup (tag);
          notify_notification_add_action (notification, buttons[i].id, buttons[i].label,
                                          action_cb, data, action_data_free);
        }
    }

  if (!notify_notification_show (notification, &error))
    {
      g_message ("Could not show the notification “%s”: %s", summary, error->message);
      /* Keep no tag for a notification that is not on screen. */
      g_hash_table_remove (self->shown, tag);
      return;
    }

  if (ping && is_new)
    play_ping (self);
}

/**
 * sp_notifier_withdraw:
 *
 * Closes the notification with @tag, if it is still shown.
 */
void
sp_notifier_withdraw (SpNotifier *self,
                      const char *tag)
{
  g_autoptr(GObject) owned = NULL;
  g_autoptr(GError) error = NULL;
  NotifyNotification *notification;
  int id = 0;

  g_return_if_fail (SP_IS_NOTIFIER (self));

  notification = g_hash_table_lookup (self->shown, tag);
  if (notification == NULL)
    return;

  owned = g_object_ref (G_OBJECT (notification));
  g_hash_table_remove (self->shown, tag);

  /* libnotify can only close synchronously, which costs a round trip to the notification
   * server for every call that ends — and with popup-notifier every new ring ends the
   * previous one. Outside a sandbox the freedesktop call is made directly, without waiting
   * for its (empty) reply; inside one, libnotify goes through the portal. */
  g_object_get (notification, "id", &id, NULL);
  if (self->bus != NULL && id > 0)
    {
      g_dbus_connection_call (self->bus, "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                              "org.freedesktop.Notifications", "CloseNotification",
                              g_variant_new ("(u)", (guint32) id), NULL,
                              G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, NULL, NULL);
      return;
    }

  if (!notify_notification_close (notification, &error))
    g_debug ("Could not withdraw notification %s: %s", tag, error->message);
}

gboolean
sp_notifier_is_shown (SpNotifier *self,
                      const char *tag)
{
  g_return_val_if_fail (SP_IS_NOTIFIER (self), FALSE);

  return g_hash_table_contains (self->shown, tag);
}

/**
 * sp_notifier_withdraw_all:
 *
 * Closes everything: on shutdown, no notification may stay behind with dead buttons.
 */
void
sp_notifier_withdraw_all (SpNotifier *self)
{
  g_autofree gpointer *tags = NULL;
  guint n_tags;

  g_return_if_fail (SP_IS_NOTIFIER (self));

  tags = g_hash_table_get_keys_as_array (self->shown, &n_tags);
  for (guint i = 0; i < n_tags; i++)
    {
      g_autofree char *tag = g_strdup (tags[i]);

      sp_notifier_withdraw (self, tag);
    }
}

void
sp_notifier_set_sound_enabled (SpNotifier *self,
                               gboolean    enabled)
{
  g_return_if_fail (SP_IS_NOTIFIER (self));
  self->sound_enabled = !!enabled;
}
