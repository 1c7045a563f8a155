/* test-app.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real `screenpop` binary, as autostart and a person run it: --version, --background
 * --demo (no window, notifications all the same), single instance, --quit (every
 * notification withdrawn on the way out, live calls written to the history, also on
 * SIGTERM, and recovered at the next start after a crash).
 */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "sp-history.h"
#include "sp-test-notify.h"
#include "sp-test-pbxis-server.h"
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

/* Whether a Screenpop instance owns its name on the bus: the primary instance is up. */
static gboolean
app_registered (gpointer data)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", APP_ID APP_ID_SUFFIX),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

static gboolean
app_unregistered (gpointer data)
{
  return !app_registered (data);
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

static GSubprocess *spawn (GSubprocessLauncher *launcher,
                           const char          *first,
                           ...);

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
  g_autofree char *maps_path = NULL;
  g_autofree char *maps = NULL;
  guint n_closed;
  gboolean app_exited = FALSE;

  /* GTK needs a display even with no window, as in the session autostart runs in; the
   * private bus and the memory settings backend come from the test environment. */

  app = spawn (launcher, "--background", "--demo", NULL);
  g_subprocess_wait_async (app, NULL, wait_cb, &app_exited);

  /* The demo rings its first call within a few seconds, with no window anywhere. */
  g_assert_true (sp_test_notify_wait_for (notify, "Notify", 1, 15000));
  notifies = sp_test_notify_get_calls (notify, "Notify");
  g_assert_cmpstr (sp_test_notify_call_get_body (g_ptr_array_index (notifies, 0)), !=, "");
  g_assert_false (app_exited);

  /* Started in the background, it keeps the OpenGL stack out of its memory (main.c). */
  maps_path = g_strdup_printf ("/proc/%s/maps", g_subprocess_get_identifier (app));
  g_assert_true (g_file_get_contents (maps_path, &maps, NULL, &error));
  g_assert_null (strstr (maps, "/libGL"));
  g_assert_null (strstr (maps, "/libEGL"));
  g_assert_null (strstr (maps, "_dri.so"));

  /* A second --background (autostart racing a manual start) is absorbed by the first. */
  second = spawn (launcher, "--background", NULL);
  g_assert_true (g_subprocess_wait (second, NULL, &error));
  g_assert_true (g_subprocess_get_successful (second));
  g_assert_false (app_exited);

  quit = spawn (launcher, "--quit", NULL);
  g_assert_true (g_subprocess_wait (quit, NULL, &error));
  g_assert_true (sp_test_wait_until (is_true, &app_exited, 10000));
  g_assert_true (g_subprocess_get_successful (app));

  /* Nothing is left on screen with dead buttons: every notification still shown was
   * withdrawn on the way out. */
  n_closed = sp_test_notify_count (notify, "CloseNotification");
  g_assert_cmpuint (n_closed, >=, 1);

  sp_test_notify_stop (notify);
}

/* Every instance this test starts, so that none outlives it: an instance left running
 * (after a failed assertion aborted the test, say) keeps meson's output pipes open, and meson
 * then waits for the test until its timeout although the test has ended. An instance that
 * has already exited is a zombie or gone; killing its pid again is harmless here. */
#define MAX_INSTANCES 64
static volatile pid_t instances[MAX_INSTANCES];
static volatile sig_atomic_t n_instances;

static void
kill_instances (void)
{
  for (sig_atomic_t i = 0; i < n_instances; i++)
    if (instances[i] > 0)
      kill (instances[i], SIGKILL);
}

static void
kill_instances_on_abort (int signum)
{
  kill_instances ();
  signal (signum, SIG_DFL);
  raise (signum);
}

static void
watch_instances (void)
{
  atexit (kill_instances);
  signal (SIGABRT, kill_instances_on_abort);
  signal (SIGSEGV, kill_instances_on_abort);
}

/* @proc is killed if the test aborts or exits with it still running. */
static void
watch_instance (GSubprocess *proc)
{
  g_assert_cmpint (n_instances, <, MAX_INSTANCES);
  instances[n_instances] = atoi (g_subprocess_get_identifier (proc));
  n_instances++;
}

static GSubprocess *
spawn (GSubprocessLauncher *launcher,
       const char          *first,
       ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *proc;
  va_list args;

  g_ptr_array_add (argv, (gpointer) binary ());
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  watch_instance (proc);
  return proc;
}

static void
run_to_end (GSubprocess *proc)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_subprocess_wait (proc, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (proc));
}

static gboolean
no_originate_under_way (gpointer data)
{
  return sp_test_pbxis_server_get_n_originating (data) == 0;
}

/* Asterisk has placed the dials: the agent talks to the last number, the others on hold. */
static void
wait_dials_placed (SpTestPbxisServer *server)
{
  g_assert_true (sp_test_wait_until (no_originate_under_way, server, 10000));
}

/* The agent hangs up every call the dials placed. */
static void
end_dialled_calls (SpTestPbxisServer *server)
{
  const char *call;

  wait_dials_placed (server);
  while ((call = sp_test_pbxis_server_get_agent_call (server, "147")) != NULL)
    sp_test_pbxis_server_hangup (server, call, 0, 0);
  sp_test_run_for (300);
}

static void
test_app_dial (void)
{
  SpTestNotify *notify = sp_test_notify_start (NULL);
  g_autoptr(SpTestPbxisServer) server = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) app = NULL;
  g_autoptr(GSubprocess) dial = NULL;
  g_autoptr(GSubprocess) dial_e164 = NULL;
  g_autoptr(GSubprocess) link = NULL;
  g_autoptr(GSubprocess) quit = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *config = g_dir_make_tmp ("screenpop-dial-XXXXXX", NULL);
  g_autofree char *settings_dir = g_build_filename (config, "glib-2.0", "settings", NULL);
  g_autofree char *keyfile = g_build_filename (settings_dir, "keyfile", NULL);
  g_autofree char *url = NULL;
  g_autofree char *contents = NULL;
  gboolean app_exited = FALSE;

  server = sp_test_pbxis_server_new (0, &error);
  g_assert_no_error (error);
  g_assert_true (sp_test_pbxis_server_start (server, &error));
  url = sp_test_pbxis_server_dup_url (server);

  /* An account provisioned as an administrator would, in a settings file the separate
   * process reads (the memory backend of the tests cannot be shared). */
  contents = g_strdup_printf ("[io/github/screenpop/Screenpop]\n"
                              "accounts=['pbx']\n"
                              "\n"
                              "[io/github/screenpop/Screenpop/accounts/pbx]\n"
                              "kind='pbxis'\n"
                              "display-name='Office PBX'\n"
                              "url='%s'\n"
                              "extensions=['147']\n", url);
  g_assert_cmpint (g_mkdir_with_parents (settings_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (keyfile, contents, -1, &error));

  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);

  app = spawn (launcher, "--background", NULL);
  g_subprocess_wait_async (app, NULL, wait_cb, &app_exited);
  g_assert_true (sp_test_pbxis_server_wait_for_tickets (server, 1, 15000));

  /* `screenpop --dial` talks to the running instance, which originates from agent 147. The
   * agent dials on without hanging up, as when a customer is put on hold to call a
   * colleague: the phone then shows only "onhold", and every dial is still placed. */
  dial = spawn (launcher, "--dial", "0312345678", NULL);
  run_to_end (dial);
  g_assert_true (sp_test_pbxis_server_wait_for_request (server, "POST", "/originate/147/0312345678", 10000));
  wait_dials_placed (server);

  /* An E.164 number: the server dials its "+" (a raw "+" in the path would be a space). */
  sp_test_pbxis_server_clear_requests (server);
  dial_e164 = spawn (launcher, "--dial", "+385915551234", NULL);
  run_to_end (dial_e164);
  g_assert_true (sp_test_pbxis_server_wait_for_request (server, "POST", "/originate/147/", 10000));
  g_assert_cmpstr (sp_test_pbxis_server_find_request (server, "POST", "/originate/147/")->dialled,
                   ==, "+385915551234");
  wait_dials_placed (server);

  /* A tel: link clicked in the browser's CRM, as the desktop file hands it over. */
  sp_test_pbxis_server_clear_requests (server);
  link = spawn (launcher, "tel:+81-3-1234-5678", NULL);
  run_to_end (link);
  g_assert_true (sp_test_pbxis_server_wait_for_request (server, "POST", "/originate/147/", 10000));
  g_assert_cmpstr (sp_test_pbxis_server_find_request (server, "POST", "/originate/147/")->dialled,
                   ==, "+81312345678");
  g_assert_false (app_exited);

  /* Asterisk refuses the call and pbxis-ws answers an action id all the same: the agent's
   * phone never rings, and the person who dialled is told, once it had 10 s to ring. */
  {
    g_autoptr(GSubprocess) refused = NULL;
    g_autoptr(GPtrArray) notifies = NULL;
    SpTestNotifyCall *last;
    guint before;
    gint64 start;

    /* The three were placed, and the agent hangs up: no "Could not call" for any, even
     * once its 10 s to ring are over (a dial still waiting then would fail, the phone no
     * longer on hold). */
    end_dialled_calls (server);
    sp_test_run_for (11000);
    g_assert_cmpuint (sp_test_notify_count (notify, "Notify"), ==, 0);

    /* A link again: the notification names the number dialled, not the link. */
    sp_test_pbxis_server_set_originate (server, SP_TEST_PBXIS_ORIGINATE_REFUSED, 50);
    before = sp_test_notify_count (notify, "Notify");
    start = g_get_monotonic_time ();
    refused = spawn (launcher, "--dial", "tel:+81-3-1234-5679", NULL);
    run_to_end (refused);
    g_assert_true (sp_test_notify_wait_for (notify, "Notify", before + 1, 25000));
    g_test_message ("Told of the refused dial after %" G_GINT64_FORMAT " ms",
                    (g_get_monotonic_time () - start) / 1000);
    notifies = sp_test_notify_get_calls (notify, "Notify");
    last = g_ptr_array_index (notifies, notifies->len - 1);
    g_assert_cmpstr (sp_test_notify_call_get_summary (last), ==, "Could not call +81312345679");
    g_assert_nonnull (strstr (sp_test_notify_call_get_body (last), "did not ring"));
  }

  quit = spawn (launcher, "--quit", NULL);
  run_to_end (quit);
  g_assert_true (sp_test_wait_until (is_true, &app_exited, 10000));

  g_unlink (keyfile);
  g_rmdir (settings_dir);
  {
    g_autofree char *glib_dir = g_path_get_dirname (settings_dir);

    g_rmdir (glib_dir);
  }
  g_rmdir (config);
  sp_test_notify_stop (notify);
}

/* A history database that is not one (a disk error, a stray file): the app says which file
 * and why, and keeps popping up calls. */
static void
test_app_damaged_history (void)
{
  SpTestNotify *notify = sp_test_notify_start (NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) app = NULL;
  g_autoptr(GSubprocess) quit = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = g_dir_make_tmp ("screenpop-history-XXXXXX", NULL);
  g_autofree char *folder = g_build_filename (data_home, "screenpop", NULL);
  g_autofree char *database = g_build_filename (folder, "history.db", NULL);
  g_autofree char *log_path = g_build_filename (data_home, "stderr.log", NULL);
  g_autofree char *log = NULL;
  g_autofree char *expected = NULL;
  gboolean app_exited = FALSE;

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_assert_true (g_file_set_contents (database, "This is not an SQLite database, and never was. "
                                      "It is long enough to have a header, though.\n", -1, &error));

  /* To a file, not a pipe: a pipe nobody reads would block the app once full. */
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_home, TRUE);
  g_subprocess_launcher_set_stderr_file_path (launcher, log_path);
  app = spawn (launcher, "--background", "--demo", NULL);
  g_subprocess_wait_async (app, NULL, wait_cb, &app_exited);

  /* Calls still pop up. */
  g_assert_true (sp_test_notify_wait_for (notify, "Notify", 1, 15000));
  g_assert_false (app_exited);

  g_subprocess_launcher_set_stderr_file_path (launcher, NULL);
  quit = spawn (launcher, "--quit", NULL);
  run_to_end (quit);
  g_assert_true (sp_test_wait_until (is_true, &app_exited, 10000));
  g_assert_true (g_subprocess_get_successful (app));

  /* The log names the file and says what to do; the damaged file is left as it was. */
  g_assert_true (g_file_get_contents (log_path, &log, NULL, &error));
  expected = g_strdup_printf ("The call history in %s is damaged", database);
  if (strstr (log, expected) == NULL || strstr (log, "Move the file away") == NULL)
    g_error ("The log does not explain the damaged history: %s", log);
  g_assert_true (g_file_test (database, G_FILE_TEST_IS_REGULAR));

  g_unlink (log_path);
  g_unlink (database);
  g_rmdir (folder);
  g_rmdir (data_home);
  sp_test_notify_stop (notify);
}

typedef enum
{
  STOP_QUIT,      /* screenpop --quit */
  STOP_SIGTERM,   /* the session ends */
  STOP_SIGKILL,   /* a crash: nothing runs on the way out */
} StopHow;

/* The calls in the history at @database, read as the next start would. */
static GPtrArray *
read_history (const char *database,
              gboolean    recover)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpHistory) history = sp_history_new (database, &error);
  GPtrArray *entries;

  g_assert_no_error (error);
  if (recover)
    g_assert_cmpint (sp_history_recover (history, &error), >=, 0);
  entries = sp_history_search (history, NULL, SP_HISTORY_FILTER_ALL, NULL, 0, &error);
  g_assert_no_error (error);

  return entries;
}

/* Whether the app has written a call that has not ended yet (read with SQLite itself: the
 * history API does not show such calls). */
static gboolean
has_open_call (gpointer data)
{
  const char *database = data;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean found = FALSE;

  if (sqlite3_open_v2 (database, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2 (db, "SELECT COUNT(*) FROM calls WHERE outcome = 'open'", -1, &stmt,
                          NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    found = sqlite3_column_int (stmt, 0) > 0;

  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return found;
}

/* A call still live when Screenpop goes is in the history, as "rang" (or "answered" if the
 * demo answered it in the meantime) with no end: on --quit, at the end of the session
 * (SIGTERM), and after a crash (SIGKILL) once Screenpop has started again. Before, none of
 * the three left a row. */
static void
test_app_live_call_kept (gconstpointer data)
{
  StopHow how = GPOINTER_TO_INT (data);
  SpTestNotify *notify = sp_test_notify_start (NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) app = NULL;
  g_autoptr(GSubprocess) quit = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *data_home = g_dir_make_tmp ("screenpop-live-XXXXXX", NULL);
  g_autofree char *database = g_build_filename (data_home, "screenpop", "history.db", NULL);
  SpHistoryEntry *entry;
  gboolean app_exited = FALSE;

  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_home, TRUE);
  app = spawn (launcher, "--background", "--demo", NULL);
  g_subprocess_wait_async (app, NULL, wait_cb, &app_exited);

  /* The demo's first call rings; it is answered or missed seconds later, not at once. */
  g_assert_true (sp_test_notify_wait_for (notify, "Notify", 1, 15000));
  g_assert_false (app_exited);

  switch (how)
    {
    case STOP_QUIT:
      quit = spawn (launcher, "--quit", NULL);
      run_to_end (quit);
      break;
    case STOP_SIGTERM:
      g_subprocess_send_signal (app, SIGTERM);
      break;
    case STOP_SIGKILL:
      /* Once the ring is on disk, which comes right after the notification. */
      g_assert_true (sp_test_wait_until (has_open_call, database, 5000));
      g_subprocess_force_exit (app);
      break;
    default:
      g_assert_not_reached ();
    }

  g_assert_true (sp_test_wait_until (is_true, &app_exited, 10000));
  if (how != STOP_SIGKILL)
    {
      /* A quit like any other: the notification withdrawn too. */
      g_assert_true (g_subprocess_get_successful (app));
      g_assert_cmpuint (sp_test_notify_count (notify, "CloseNotification"), >=, 1);
    }
  else
    {
      g_autoptr(GSubprocess) again = NULL;
      g_autoptr(GSubprocess) quit_again = NULL;
      gboolean again_exited = FALSE;

      /* Killed: not even the open call is shown as history... */
      g_clear_pointer (&entries, g_ptr_array_unref);
      entries = read_history (database, FALSE);
      g_assert_cmpuint (entries->len, ==, 0);
      g_clear_pointer (&entries, g_ptr_array_unref);

      /* ...until Screenpop starts again (no demo: no new call to blur the picture). */
      again = spawn (launcher, "--background", NULL);
      g_subprocess_wait_async (again, NULL, wait_cb, &again_exited);
      /* --quit only once the new instance is the primary one: before, on a loaded machine,
       * the --quit would be the primary itself, and the start would register with it. */
      g_assert_true (sp_test_wait_until (app_registered, NULL, 15000));
      sp_test_run_for (500);
      quit_again = spawn (launcher, "--quit", NULL);
      run_to_end (quit_again);
      g_assert_true (sp_test_wait_until (is_true, &again_exited, 10000));
      g_assert_true (g_subprocess_get_successful (again));
    }

  entries = read_history (database, FALSE);
  g_assert_cmpuint (entries->len, ==, 1);
  entry = g_ptr_array_index (entries, 0);
  g_assert_cmpstr (entry->call_id, ==, "demo-1");
  g_assert_nonnull (entry->number);
  g_assert_true (g_str_equal (entry->outcome, "rang") || g_str_equal (entry->outcome, "answered"));
  g_assert_cmpint (entry->ended, ==, 0);

  sp_test_remove_tree (data_home);
  sp_test_notify_stop (notify);
}

/* The visible window of the process @pid, as xdotool finds it (0: none yet). */
static gulong
find_window (GPid pid)
{
  g_autofree char *pid_text = g_strdup_printf ("%d", (int) pid);
  g_autoptr(GSubprocess) search = NULL;
  g_autofree char *out = NULL;

  search = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                             NULL, "xdotool", "search", "--onlyvisible", "--pid", pid_text, NULL);
  g_assert_nonnull (search);
  g_subprocess_communicate_utf8 (search, NULL, NULL, &out, NULL, NULL);

  return out != NULL ? strtoul (out, NULL, 10) : 0;
}

typedef struct
{
  GPid   pid;
  gulong window;
} Found;

static gboolean
window_found (gpointer data)
{
  Found *found = data;

  found->window = find_window (found->pid);
  return found->window != 0;
}

static void
window_size (gulong  window,
             int    *width,
             int    *height)
{
  g_autofree char *id = g_strdup_printf ("%lu", window);
  g_autoptr(GSubprocess) geometry = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;

  geometry = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, NULL, "xdotool",
                               "getwindowgeometry", "--shell", id, NULL);
  g_assert_nonnull (geometry);
  g_assert_true (g_subprocess_communicate_utf8 (geometry, NULL, NULL, &out, NULL, NULL));
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "WIDTH="))
        *width = atoi (lines[i] + 6);
      if (g_str_has_prefix (lines[i], "HEIGHT="))
        *height = atoi (lines[i] + 7);
    }
}

/* The window size is remembered, as a person sees it: the real binary opens its window, it
 * is resized from outside (as a window manager does), the app quits and starts again with the
 * window at that size. Settings in a key file, as dconf would keep them across runs. */
static void
test_app_window_size (void)
{
  SpTestNotify *notify = sp_test_notify_start (NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autofree char *config = g_dir_make_tmp ("screenpop-size-XXXXXX", NULL);
  g_autofree char *display = NULL;
  g_autoptr(GSubprocess) xvfb = sp_test_start_xvfb ("1280x800x24", &display);
  int width = 0, height = 0;

  /* The app and xdotool on an X server of this test's own (the notification mock restores
   * the display it found when it stops). */
  g_setenv ("DISPLAY", display, TRUE);
  g_subprocess_launcher_setenv (launcher, "DISPLAY", display, TRUE);
  watch_instance (xvfb);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);

  for (guint run = 0; run < 2; run++)
    {
      g_autoptr(GSubprocess) app = spawn (launcher, NULL);
      g_autoptr(GSubprocess) quit = NULL;
      Found found = { atoi (g_subprocess_get_identifier (app)), 0 };

      if (!sp_test_wait_until (window_found, &found, 45000))
        {
          g_autofree char *all = NULL;
          g_autofree char *pid_text = g_strdup_printf ("%d", (int) found.pid);
          g_autoptr(GSubprocess) search = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, NULL,
                                                            "xdotool", "search", "--pid",
                                                            pid_text, NULL);

          g_subprocess_communicate_utf8 (search, NULL, NULL, &all, NULL, NULL);
          g_error ("run %u: no visible window of %s after 45 s (its windows: %s; running: %d)",
                   run, pid_text, all, kill (found.pid, 0) == 0);
        }
      sp_test_run_for (500);
      window_size (found.window, &width, &height);
      g_test_message ("run %u: %d × %d", run, width, height);

      if (run == 0)
        {
          g_autofree char *id = g_strdup_printf ("%lu", found.window);
          g_autoptr(GSubprocess) resize = NULL;

          g_assert_cmpint (width, ==, 720);
          g_assert_cmpint (height, ==, 640);
          resize = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, NULL, "xdotool", "windowsize",
                                     id, "500", "420", NULL);
          g_assert_true (g_subprocess_wait_check (resize, NULL, NULL));
          sp_test_run_for (1000);
        }
      else
        {
          g_assert_cmpint (width, ==, 500);
          g_assert_cmpint (height, ==, 420);
        }

      quit = spawn (launcher, "--quit", NULL);
      run_to_end (quit);
      run_to_end (app);
      /* The bus may not yet have released the name of the instance that went: a start in
       * that moment would hand its window to the dead instance and exit. */
      g_assert_true (sp_test_wait_until (app_unregistered, NULL, 10000));
    }

  sp_test_remove_tree (config);
  g_subprocess_force_exit (xvfb);
  g_subprocess_wait (xvfb, NULL, NULL);
  sp_test_notify_stop (notify);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  watch_instances ();

  g_test_add_func ("/app/version", test_app_version);
  g_test_add_func ("/app/background-demo-quit", test_app_background_demo_quit);
  g_test_add_func ("/app/dial", test_app_dial);
  g_test_add_func ("/app/damaged-history", test_app_damaged_history);
  g_test_add_data_func ("/app/live-call-kept/quit", GINT_TO_POINTER (STOP_QUIT),
                        test_app_live_call_kept);
  g_test_add_data_func ("/app/live-call-kept/session-end", GINT_TO_POINTER (STOP_SIGTERM),
                        test_app_live_call_kept);
  g_test_add_data_func ("/app/live-call-kept/crash", GINT_TO_POINTER (STOP_SIGKILL),
                        test_app_live_call_kept);
  g_test_add_func ("/app/window-size", test_app_window_size);

  return g_test_run ();
}
