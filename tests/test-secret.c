/* test-secret.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Secrets against a real gnome-keyring-daemon on a private bus, in a throw-away home.
 */

#include "config.h"

#include <glib/gstdio.h>

#include "sp-secret.h"
#include "sp-test-util.h"

static GTestDBus *bus;
static GSubprocess *keyring;
static char *home;

typedef struct
{
  gboolean      done;
  GAsyncResult *result;
} Wait;

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  wait->done = TRUE;
}

static gboolean
is_done (gpointer data)
{
  return ((Wait *) data)->done;
}

static GAsyncResult *
wait_result (Wait *wait)
{
  g_assert_true (sp_test_wait_until (is_done, wait, 10000));
  return wait->result;
}

static char *
lookup (const char *account_id)
{
  Wait wait = { 0 };
  g_autoptr(GError) error = NULL;
  char *secret;

  sp_secret_lookup_async (account_id, NULL, done_cb, &wait);
  secret = sp_secret_lookup_finish (wait_result (&wait), &error);
  g_assert_no_error (error);
  g_object_unref (wait.result);

  return secret;
}

static void
test_secret_store_lookup_clear (void)
{
  Wait wait = { 0 };
  Wait clear = { 0 };
  g_autoptr(GError) error = NULL;
  char *secret;

  sp_secret_store_async ("office", "Screenpop office", "k-0123456789", NULL, done_cb, &wait);
  g_assert_true (sp_secret_store_finish (wait_result (&wait), &error));
  g_assert_no_error (error);
  g_object_unref (wait.result);

  secret = lookup ("office");
  g_assert_cmpstr (secret, ==, "k-0123456789");
  secret_password_free (secret);

  /* Another account's secret is another secret. */
  g_assert_null (lookup ("elsewhere"));

  sp_secret_clear_async ("office", NULL, done_cb, &clear);
  g_assert_true (sp_secret_clear_finish (wait_result (&clear), &error));
  g_object_unref (clear.result);
  g_assert_null (lookup ("office"));
}

static void
test_secret_provisioned_by_secret_tool (void)
{
  g_autoptr(GSubprocess) tool = NULL;
  g_autoptr(GError) error = NULL;
  char *secret;

  /* Exactly what README tells an administrator to run. */
  tool = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE, &error,
                           "secret-tool", "store", "--label=Screenpop pbx", "account", "pbx", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (tool, "admin-token", NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (tool));

  secret = lookup ("pbx");
  g_assert_cmpstr (secret, ==, "admin-token");
  secret_password_free (secret);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }

  g_rmdir (path);
}

static void
start_keyring (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *runtime = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_autoptr(GOutputStream) input = NULL;

  home = g_dir_make_tmp ("screenpop-keyring-XXXXXX", &error);
  g_assert_no_error (error);
  runtime = g_build_filename (home, "run", NULL);
  g_assert_cmpint (g_mkdir_with_parents (runtime, 0700), ==, 0);

  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", runtime, TRUE);

  /* --unlock with a password on stdin creates and unlocks the login keyring without a
   * prompter, which a headless test has none of. */
  keyring = g_subprocess_launcher_spawn (launcher, &error,
                                         "gnome-keyring-daemon", "--foreground", "--unlock",
                                         "--components=secrets", NULL);
  g_assert_no_error (error);
  input = g_object_ref (g_subprocess_get_stdin_pipe (keyring));
  g_assert_true (g_output_stream_write_all (input, "test", 4, NULL, NULL, &error));
  g_assert_true (g_output_stream_close (input, NULL, &error));
  g_assert_no_error (error);
}

static gboolean
keyring_up (gpointer data)
{
  GDBusConnection *connection = data;
  g_autoptr(GVariant) reply = NULL;
  gboolean has_owner = FALSE;

  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", "org.freedesktop.secrets"),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &has_owner);

  return has_owner;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GDBusConnection) connection = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (bus);
  start_keyring ();

  connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_assert_true (sp_test_wait_until (keyring_up, connection, 10000));
  g_clear_object (&connection);

  g_test_add_func ("/secret/store-lookup-clear", test_secret_store_lookup_clear);
  g_test_add_func ("/secret/provisioned-by-secret-tool", test_secret_provisioned_by_secret_tool);

  ret = g_test_run ();

  g_subprocess_force_exit (keyring);
  g_subprocess_wait (keyring, NULL, NULL);
  g_clear_object (&keyring);
  /* libsecret keeps the session bus connection even after secret_service_disconnect(), so
   * g_test_dbus_down() would wait for it forever: GTestDBus's watcher process ends the
   * private bus when we exit. */
  remove_tree (home);
  g_free (home);

  return ret;
}
