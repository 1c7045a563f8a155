/* sp-notifier-wire.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-notifier"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <unistd.h>

#include "sp-notifier-wire.h"

/*
 * What SpNotifier puts on the wire for a notification: the arguments of the freedesktop
 * Notify and of the portal's AddNotification. Pure: the notifier decides when and in
 * which order they go (sp-notifier.c).
 */

void
sp_notify_content_free (SpNotifyContent *content)
{
  if (content == NULL)
    return;

  g_free (content->summary);
  g_free (content->body);
  g_free (content->icon);
  g_strfreev (content->actions);
  g_free (content);
}

/**
 * sp_notify_fdo_args:
 * @content: what the notification shows
 * @replaces_id: the server's id of the notification this one replaces; 0 for a new one
 *
 * Returns: (transfer floating): the arguments of org.freedesktop.Notifications.Notify
 */
GVariant *
sp_notify_fdo_args (const SpNotifyContent *content,
                    guint32                replaces_id)
{
  GVariantBuilder actions;
  GVariantBuilder hints;
  const char *app_icon = content->icon ? content->icon : "";
  gint32 timeout;
  guchar urgency;

  g_variant_builder_init (&actions, G_VARIANT_TYPE_STRING_ARRAY);
  for (guint i = 0; content->actions != NULL && content->actions[i] != NULL; i++)
    g_variant_builder_add (&actions, "s", content->actions[i]);

  g_variant_builder_init (&hints, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&hints, "{sv}", "desktop-entry",
                         g_variant_new_string (APP_ID APP_ID_SUFFIX));

  /* A picture is the notification's image, in the spec's image-path hint (a file: URI):
   * daemons that read only the hint ignore a path given as app_icon, which names the app. */
  if (content->icon != NULL && g_path_is_absolute (content->icon))
    {
      g_autofree char *image_uri = g_filename_to_uri (content->icon, NULL, NULL);

      if (image_uri != NULL)
        g_variant_builder_add (&hints, "{sv}", "image-path", g_variant_new_string (image_uri));
      app_icon = APP_ID APP_ID_SUFFIX;
    }

  if (content->flags & SP_NOTIFY_RINGING)
    g_variant_builder_add (&hints, "{sv}", "category", g_variant_new_string ("call.incoming"));
  else if (content->flags & SP_NOTIFY_CALL)
    g_variant_builder_add (&hints, "{sv}", "category", g_variant_new_string ("call.unanswered"));

  if (content->flags & SP_NOTIFY_RINGING)
    urgency = 2;
  else if (content->flags & SP_NOTIFY_LOW)
    urgency = 0;
  else
    urgency = 1;
  g_variant_builder_add (&hints, "{sv}", "urgency", g_variant_new_byte (urgency));

  if (content->flags & (SP_NOTIFY_RINGING | SP_NOTIFY_PING))
    g_variant_builder_add (&hints, "{sv}", "suppress-sound", g_variant_new_boolean (TRUE));

  /* What libnotify adds by itself. */
  g_variant_builder_add (&hints, "{sv}", "sender-pid", g_variant_new_int64 (getpid ()));

  /* A ringing call is withdrawn by us when it stops ringing; never let it time out
   * earlier, nor stay after. */
  timeout = (content->flags & (SP_NOTIFY_RINGING | SP_NOTIFY_PERSISTENT)) ? 0 : -1;

  return g_variant_new ("(susssasa{sv}i)", _("Screenpop"), replaces_id, app_icon, content->summary,
                        content->body ? content->body : "", &actions, &hints, timeout);
}

/**
 * sp_notify_portal_args:
 * @content: what the notification shows
 * @tag: the notification's id for the portal
 *
 * As libnotify 0.8 builds it for the portal (notification.c, add_portal_notification).
 *
 * Returns: (transfer floating): the arguments of org.freedesktop.portal.Notification's
 *   AddNotification
 */
GVariant *
sp_notify_portal_args (const SpNotifyContent *content,
                       const char            *tag)
{
  GVariantBuilder builder;
  const char *priority;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "title", g_variant_new_string (content->summary));
  g_variant_builder_add (&builder, "{sv}", "body",
                         g_variant_new_string (content->body ? content->body : ""));

  if (content->actions != NULL && content->actions[0] != NULL)
    {
      GVariantBuilder buttons;

      g_variant_builder_init (&buttons, G_VARIANT_TYPE ("aa{sv}"));
      for (guint i = 0; content->actions[i] != NULL && content->actions[i + 1] != NULL; i += 2)
        {
          GVariantBuilder button;

          g_variant_builder_init (&button, G_VARIANT_TYPE_VARDICT);
          g_variant_builder_add (&button, "{sv}", "action",
                                 g_variant_new_string (content->actions[i]));
          g_variant_builder_add (&button, "{sv}", "label",
                                 g_variant_new_string (content->actions[i + 1]));
          g_variant_builder_add (&buttons, "a{sv}", &button);
        }
      g_variant_builder_add (&builder, "{sv}", "buttons", g_variant_builder_end (&buttons));
    }

  if (content->flags & SP_NOTIFY_RINGING)
    priority = "urgent";
  else if (content->flags & SP_NOTIFY_LOW)
    priority = "low";
  else
    priority = "normal";
  g_variant_builder_add (&builder, "{sv}", "priority", g_variant_new_string (priority));

  if (content->icon != NULL && content->icon[0] != '\0')
    {
      g_autoptr(GIcon) icon = NULL;
      g_autoptr(GVariant) serialized = NULL;

      if (g_path_is_absolute (content->icon))
        {
          g_autoptr(GFile) file = g_file_new_for_path (content->icon);

          icon = g_file_icon_new (file);
        }
      else
        {
          icon = g_themed_icon_new (content->icon);
        }

      serialized = g_icon_serialize (icon);
      if (serialized != NULL)
        g_variant_builder_add (&builder, "{sv}", "icon", serialized);
    }

  return g_variant_new ("(sa{sv})", tag, &builder);
}
