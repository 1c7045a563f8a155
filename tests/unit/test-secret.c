/* test-secret.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Secrets against a real gnome-keyring-daemon on a private bus, in a throw-away home.
 */

#include "config.h"

#include "sp-secret.h"
#include "sp-test-keyring.h"
#include "sp-test-util.h"

static GTestDBus *bus;
static SpTestKeyring *keyring;

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

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  sp_test_dbus_up (bus);
  keyring = sp_test_keyring_start (g_test_dbus_get_bus_address (bus));

  g_test_add_func ("/secret/store-lookup-clear", test_secret_store_lookup_clear);
  g_test_add_func ("/secret/provisioned-by-secret-tool", test_secret_provisioned_by_secret_tool);

  ret = g_test_run ();

  /* Not g_test_dbus_down(): libsecret keeps the bus connection (see sp_test_keyring_stop()). */
  sp_test_keyring_stop (keyring);

  return ret;
}
