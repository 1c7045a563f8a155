/* test-autostart.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * "Start on login" outside a sandbox: the XDG autostart file is written, valid, starts
 * Screenpop hidden, and is removed again.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "sp-autostart.h"
#include "sp-test-util.h"

static gboolean
is_done (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
set_enabled (GSettings *settings,
             gboolean   enabled)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  sp_autostart_set_enabled_async (settings, enabled, NULL, done_cb, &result);
  g_assert_true (sp_test_wait_until (is_done, &result, 5000));
  g_assert_true (sp_autostart_set_enabled_finish (result, &error));
  g_assert_no_error (error);
}

static void
test_autostart_file (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.screenpop.Screenpop");
  g_autofree char *path = sp_autostart_dup_file_path ();
  g_autofree char *contents = NULL;
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autofree char *exec = NULL;
  g_autoptr(GSubprocess) validate = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (sp_autostart_is_sandboxed ());
  g_assert_true (g_str_has_prefix (path, g_get_user_config_dir ()));
  g_assert_false (sp_autostart_get_enabled (settings));

  set_enabled (settings, TRUE);
  g_assert_true (sp_autostart_get_enabled (settings));
  g_assert_true (g_settings_get_boolean (settings, "start-on-login"));

  g_assert_true (g_key_file_load_from_file (keyfile, path, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  exec = g_key_file_get_string (keyfile, "Desktop Entry", "Exec", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (exec, " --background"));
  g_assert_true (g_key_file_get_boolean (keyfile, "Desktop Entry", "X-GNOME-Autostart-enabled", NULL));

  /* The file is one a desktop accepts. */
  validate = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "desktop-file-validate", path, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait (validate, NULL, &error));
  g_assert_true (g_subprocess_get_successful (validate));

  /* Turning it on twice is harmless; off removes the file. */
  set_enabled (settings, TRUE);
  set_enabled (settings, FALSE);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_false (sp_autostart_get_enabled (settings));
  g_assert_false (g_settings_get_boolean (settings, "start-on-login"));
  set_enabled (settings, FALSE);
}

/* A program not on PATH (a build tree, /opt) goes into Exec as the Desktop Entry
 * Specification quotes it: desktop-file-validate accepts the file, and the argument read
 * back as the specification says (string escapes, %% for %, then double-quote rules, which
 * are g_shell_parse_argv()'s) is the program. Single quotes, which the specification does
 * not know, fail desktop-file-validate. */
static void
test_autostart_exec_quoting (void)
{
  const char *programs[] = {
    "screenpop",
    "/usr/local/bin/screenpop",
    "/home/agent/src/screenpop/_build/src/screenpop",
    "/home/agent/My Builds/screenpop",
    "/opt/it's \"ours\"/screenpop",
    "/opt/100% $HOME `x` back\\slash/screenpop",
  };
  g_autofree char *dir = g_dir_make_tmp ("screenpop-exec-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, APP_ID ".desktop", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (programs); i++)
    {
      g_autofree char *contents = sp_autostart_dup_contents (programs[i]);
      g_autoptr(GKeyFile) keyfile = g_key_file_new ();
      g_autoptr(GSubprocess) validate = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *exec = NULL;
      g_autofree char *output = NULL;
      g_auto(GStrv) parts = NULL;
      g_auto(GStrv) argv = NULL;
      g_autofree char *unescaped = NULL;

      g_test_message ("program: %s", programs[i]);
      g_assert_true (g_file_set_contents (path, contents, -1, &error));
      g_assert_no_error (error);

      validate = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE,
                                   &error, "desktop-file-validate", path, NULL);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_communicate_utf8 (validate, NULL, NULL, &output, NULL, &error));
      g_assert_no_error (error);
      if (!g_subprocess_get_successful (validate))
        g_error ("desktop-file-validate refused Exec for %s:\n%s\n%s", programs[i], contents, output);

      g_assert_true (g_key_file_load_from_data (keyfile, contents, -1, G_KEY_FILE_NONE, &error));
      exec = g_key_file_get_string (keyfile, "Desktop Entry", "Exec", &error);
      g_assert_no_error (error);
      parts = g_strsplit (exec, "%%", -1);
      unescaped = g_strjoinv ("%", parts);
      g_assert_true (g_shell_parse_argv (unescaped, NULL, &argv, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (g_strv_length (argv), ==, 2);
      g_assert_cmpstr (argv[0], ==, programs[i]);
      g_assert_cmpstr (argv[1], ==, "--background");
      if (strchr (programs[i], '\'') == NULL)
        g_assert_null (strchr (exec, '\''));
    }

  g_unlink (path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *config = NULL;
  int ret;

  /* A throw-away config dir, before GLib reads XDG_CONFIG_HOME. */
  config = g_dir_make_tmp ("screenpop-autostart-XXXXXX", NULL);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/autostart/file", test_autostart_file);
  g_test_add_func ("/autostart/exec-quoting", test_autostart_exec_quoting);
  ret = g_test_run ();

  {
    g_autofree char *dir = g_build_filename (config, "autostart", NULL);

    g_rmdir (dir);
    g_rmdir (config);
  }

  return ret;
}
