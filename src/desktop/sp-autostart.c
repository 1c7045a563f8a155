/* sp-autostart.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-autostart"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libportal/portal.h>
#include <string.h>

#include "sp-autostart.h"

/*
 * "Start on login". Outside a sandbox it is the XDG autostart file
 * ~/.config/autostart/APP_ID.desktop starting Screenpop hidden (--background); inside Flatpak
 * the Background portal decides, and it is asked through libportal. The portal's status
 * line (version 2, "Connected to 2 sources") is set over D-Bus directly, because the
 * libportal in Debian 12 predates it.
 */

gboolean
sp_autostart_is_sandboxed (void)
{
  return g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
}

/**
 * sp_autostart_dup_file_path:
 *
 * Returns: (transfer full): where the autostart file goes outside a sandbox
 */
char *
sp_autostart_dup_file_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "autostart", APP_ID APP_ID_SUFFIX ".desktop", NULL);
}

/**
 * sp_autostart_get_enabled:
 * @settings: the app's settings
 *
 * Returns: whether Screenpop starts on login: the file outside a sandbox, what the portal
 *   last granted inside one
 */
gboolean
sp_autostart_get_enabled (GSettings *settings)
{
  g_autofree char *path = NULL;

  if (sp_autostart_is_sandboxed ())
    return g_settings_get_boolean (settings, "start-on-login");

  path = sp_autostart_dup_file_path ();
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static char *
dup_program (void)
{
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *on_path = g_find_program_in_path ("screenpop");

  /* The program that is running now, so that a build from the source tree starts itself;
   * the one on PATH when that is the same or cannot be told. */
  if (on_path != NULL && (self_exe == NULL || g_strcmp0 (on_path, self_exe) == 0))
    return g_strdup ("screenpop");
  if (self_exe != NULL && g_str_has_suffix (self_exe, "/screenpop"))
    return g_steal_pointer (&self_exe);

  return g_strdup ("screenpop");
}

/* @program as one argument of an Exec key, by the Desktop Entry Specification ("The Exec
 * key"): in double quotes when it has a reserved character, with ", `, $ and \ escaped by a
 * backslash inside them (never single quotes, which the specification does not know); then
 * the string escapes of every value (\ doubled) and % doubled, as Exec's field codes ask. */
static char *
dup_exec_argument (const char *program)
{
  static const char reserved[] = " \t\n\"'\\><~|&;$*?#()`";
  g_autoptr(GString) quoted = g_string_new (NULL);
  g_autoptr(GString) value = g_string_new (NULL);
  gboolean needs_quotes = program[0] == '\0' || strpbrk (program, reserved) != NULL;

  if (needs_quotes)
    g_string_append_c (quoted, '"');
  for (const char *p = program; *p != '\0'; p++)
    {
      if (needs_quotes && strchr ("\"`$\\", *p) != NULL)
        g_string_append_c (quoted, '\\');
      g_string_append_c (quoted, *p);
    }
  if (needs_quotes)
    g_string_append_c (quoted, '"');

  for (const char *p = quoted->str; *p != '\0'; p++)
    {
      if (*p == '\\')
        g_string_append (value, "\\\\");
      else if (*p == '%')
        g_string_append (value, "%%");
      else if (*p == '\n')
        g_string_append (value, "\\n");
      else
        g_string_append_c (value, *p);
    }

  return g_string_free (g_steal_pointer (&value), FALSE);
}

/**
 * sp_autostart_dup_contents:
 * @program: the program to start: a name on PATH or an absolute path
 *
 * Returns: (transfer full): the autostart desktop file that starts @program hidden
 */
char *
sp_autostart_dup_contents (const char *program)
{
  g_autofree char *exec = NULL;

  g_return_val_if_fail (program != NULL, NULL);

  exec = dup_exec_argument (program);

  return g_strdup_printf ("[Desktop Entry]\n"
                          "Type=Application\n"
                          "Name=%s\n"
                          "Comment=%s\n"
                          "Exec=%s --background\n"
                          "Icon=" APP_ID APP_ID_SUFFIX "\n"
                          "Terminal=false\n"
                          "NoDisplay=true\n"
                          "X-GNOME-Autostart-enabled=true\n",
                          _("Screenpop"),
                          _("Shows who is calling the moment the phone rings"),
                          exec);
}

static gboolean
write_file (gboolean   enabled,
            GError   **error)
{
  g_autofree char *path = sp_autostart_dup_file_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *program = NULL;
  g_autofree char *contents = NULL;

  if (!enabled)
    {
      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Could not remove %s: %s"), path, g_strerror (saved_errno));
          return FALSE;
        }
      return TRUE;
    }

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create %s: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }

  program = dup_program ();
  contents = sp_autostart_dup_contents (program);

  return g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}

static void
portal_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GSettings *settings = g_task_get_task_data (task);
  gboolean enabled = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task), "enabled"));

  if (!xdp_portal_request_background_finish (XDP_PORTAL (object), result, &error))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                               _("The system did not allow Screenpop to run in the background: %s"),
                               error->message);
      return;
    }

  g_settings_set_boolean (settings, "start-on-login", enabled);
  g_task_return_boolean (task, TRUE);
}

/**
 * sp_autostart_set_enabled_async:
 * @settings: the app's settings
 * @enabled: start on login or not
 *
 * Turns starting on login on or off, with the mechanism of the platform.
 */
void
sp_autostart_set_enabled_async (GSettings           *settings,
                                gboolean             enabled,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;

  g_task_set_source_tag (task, sp_autostart_set_enabled_async);
  g_task_set_task_data (task, g_object_ref (settings), g_object_unref);

  if (sp_autostart_is_sandboxed ())
    {
      g_autoptr(XdpPortal) portal = xdp_portal_new ();
      g_autoptr(GPtrArray) commandline = g_ptr_array_new_with_free_func (g_free);

      g_ptr_array_add (commandline, g_strdup ("screenpop"));
      g_ptr_array_add (commandline, g_strdup ("--background"));
      g_object_set_data (G_OBJECT (task), "enabled", GINT_TO_POINTER (enabled));

      xdp_portal_request_background (portal, NULL,
                                     _("Screenpop keeps listening for calls while its window is closed"),
                                     commandline,
                                     enabled ? XDP_BACKGROUND_FLAG_AUTOSTART : XDP_BACKGROUND_FLAG_NONE,
                                     cancellable, portal_cb, g_steal_pointer (&task));
      return;
    }

  if (!write_file (enabled, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_settings_set_boolean (settings, "start-on-login", enabled);
  g_task_return_boolean (task, TRUE);
}

gboolean
sp_autostart_set_enabled_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
