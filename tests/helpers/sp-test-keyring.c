/* sp-test-keyring.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-test-keyring"

#include "config.h"

#include <signal.h>
#include <sys/prctl.h>

#include <libsecret/secret.h>

#include "sp-secret.h"
#include "sp-test-keyring.h"
#include "sp-test-util.h"

/* The keyring */

struct _SpTestKeyring
{
  GSubprocess *process;
  char        *home;
};

/* A test that fails aborts without stopping the daemon: the kernel ends it then. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static gboolean
secrets_owned (gpointer user_data)
{
  GDBusConnection *connection = user_data;
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

/**
 * sp_test_keyring_start:
 * @bus_address: the private session bus, e.g. from sp_test_notify_get_address() or
 *   g_test_dbus_get_bus_address()
 *
 * Starts gnome-keyring-daemon (secrets component only) on @bus_address, with `HOME`,
 * `XDG_DATA_HOME` and `XDG_RUNTIME_DIR` in a new temporary directory, and waits until it owns
 * org.freedesktop.secrets. The login keyring is created and unlocked with a password on
 * stdin, as `--unlock` allows, because a headless test has no prompter. The daemon runs
 * without the tests' `G_DEBUG` (our fatal warnings are not its own: replacing an item makes
 * it warn, harmlessly, about an object path it registers twice) and is killed if the test
 * process dies first.
 *
 * Returns: (transfer full): the running keyring, for sp_test_keyring_stop()
 */
SpTestKeyring *
sp_test_keyring_start (const char *bus_address)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *runtime = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GOutputStream) input = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  SpTestKeyring *keyring;

  g_return_val_if_fail (bus_address != NULL, NULL);

  keyring = g_new0 (SpTestKeyring, 1);
  keyring->home = g_dir_make_tmp ("screenpop-keyring-XXXXXX", &error);
  g_assert_no_error (error);
  runtime = g_build_filename (keyring->home, "run", NULL);
  g_assert_cmpint (g_mkdir_with_parents (runtime, 0700), ==, 0);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_subprocess_launcher_setenv (launcher, "HOME", keyring->home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", keyring->home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", runtime, TRUE);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", bus_address, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);

  keyring->process = g_subprocess_launcher_spawn (launcher, &error,
                                                  "gnome-keyring-daemon", "--foreground",
                                                  "--unlock", "--components=secrets", NULL);
  g_assert_no_error (error);
  input = g_object_ref (g_subprocess_get_stdin_pipe (keyring->process));
  g_assert_true (g_output_stream_write_all (input, "test", 4, NULL, NULL, &error));
  g_assert_true (g_output_stream_close (input, NULL, &error));
  g_assert_no_error (error);

  /* A connection of its own, closed at once, so that waiting leaves no reference to the bus
   * behind. */
  connection = g_dbus_connection_new_for_address_sync (bus_address,
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (sp_test_wait_until (secrets_owned, connection, 20000));
  g_dbus_connection_close_sync (connection, NULL, NULL);

  return keyring;
}

/**
 * sp_test_keyring_stop:
 * @keyring: (transfer full) (nullable): a keyring from sp_test_keyring_start()
 *
 * Kills the daemon, waits for it to exit and removes its temporary home.
 *
 * libsecret keeps its session bus connection even after secret_service_disconnect(), so a
 * test that used the keyring cannot take its private bus down (sp_test_notify_stop() and
 * g_test_dbus_down() would wait for that connection forever); GTestDBus's watcher process
 * ends the bus when the test exits.
 */
void
sp_test_keyring_stop (SpTestKeyring *keyring)
{
  if (keyring == NULL)
    return;

  g_subprocess_force_exit (keyring->process);
  g_subprocess_wait (keyring->process, NULL, NULL);
  g_clear_object (&keyring->process);
  sp_test_remove_tree (keyring->home);
  g_free (keyring->home);
  g_free (keyring);
}

/**
 * sp_test_keyring_lookup:
 * @account_id: the account
 *
 * Returns: (transfer full) (nullable): the account's secret in the keyring, as Screenpop
 *   stores it (free with secret_password_free()); fails the test on a keyring error
 */
char *
sp_test_keyring_lookup (const char *account_id)
{
  g_autoptr(GError) error = NULL;
  char *secret;

  secret = secret_password_lookup_sync (sp_secret_get_schema (), NULL, &error,
                                        "account", account_id, NULL);
  g_assert_no_error (error);

  return secret;
}
