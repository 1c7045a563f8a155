/* test-app.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real `screenpop` binary, as autostart and a person run it: --version, --background
 * --demo (no window, notifications all the same), single instance, --quit (every
 * notification withdrawn on the way out).
 */

#include "config.h"

#include "sp-test-notify.h"
#include "sp-test-util.h"

static const char *
binary (void)
{
  const char *path = g_getenv ("SCREENPOP_BIN");

  g_assert_nonnull (path);
  return path;
}

static void
test_app_version (void)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, binary (), "--version", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error));
  g_assert_true (g_subprocess_get_successful (proc));
  g_assert_cmpstr (out, ==, "screenpop " PACKAGE_VERSION "\n");
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *(gboolean *) user_data = TRUE;
}

static void
test_app_background_demo_quit (void)
{
  SpTestNotify *notify = sp_test_notify_start (NULL);
  g_autoptr(GSubprocess) app = NULL;
  g_autoptr(GSubprocess) second = NULL;
  g_autoptr(GSubprocess) quit = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) notifies = NULL;
  guint n_closed;
  gboolean app_exited = FALSE;

  /* GTK needs a display even with no window, as in the session autostart runs in; the
   * private bus and the memory settings backend come from the test environment. */

  app = g_subprocess_launcher_spawn (launcher, &error, binary (), "--background", "--demo", NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (app, NULL, wait_cb, &app_exited);

  /* The demo rings its first call within a few seconds, with no window anywhere. */
  g_assert_true (sp_test_notify_wait_for (notify, "Notify", 1, 15000));
  notifies = sp_test_notify_get_calls (notify, "Notify");
  g_assert_cmpstr (sp_test_notify_call_get_body (g_ptr_array_index (notifies, 0)), !=, "");
  g_assert_false (app_exited);

  /* A second --background (autostart racing a manual start) is absorbed by the first. */
  second = g_subprocess_launcher_spawn (launcher, &error, binary (), "--background", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait (second, NULL, &error));
  g_assert_true (g_subprocess_get_successful (second));
  g_assert_false (app_exited);

  quit = g_subprocess_launcher_spawn (launcher, &error, binary (), "--quit", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait (quit, NULL, &error));
  g_assert_true (sp_test_wait_until (is_true, &app_exited, 10000));
  g_assert_true (g_subprocess_get_successful (app));

  /* Nothing is left on screen with dead buttons: every notification still shown was
   * withdrawn on the way out. */
  n_closed = sp_test_notify_count (notify, "CloseNotification");
  g_assert_cmpuint (n_closed, >=, 1);

  sp_test_notify_stop (notify);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/app/version", test_app_version);
  g_test_add_func ("/app/background-demo-quit", test_app_background_demo_quit);

  return g_test_run ();
}
