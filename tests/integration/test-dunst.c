/* test-dunst.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Call notifications on a real notification daemon, dunst, as a person sees them: dunst
 * runs on the private bus and the Xvfb display; a XiVO account (sp-test-xuc-server.c) rings.
 * What dunst shows is read back the ways dunst itself offers: a rule's script gets every
 * notification dunst displays (summary, body, urgency, category), its context menu lists the
 * buttons (through the dmenu program it is configured with, here a script that records the
 * menu and picks one line), `dunstctl action 0` is a click on the notification, and
 * `dunstctl count displayed` says whether it is still on screen.
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>
#include <libnotify/notify.h>
#include <libsecret/secret.h>

#include "sp-account-list.h"
#include "sp-call-tracker.h"
#include "sp-notifier.h"
#include "sp-screenpop.h"
#include "sp-secret.h"
#include "sp-test-engine.h"
#include "sp-test-keyring.h"
#include "sp-test-util.h"
#include "sp-test-xuc-server.h"

#define ACCOUNT_ID "xivo"
#define LOGIN "ana"
#define PASSWORD "s3cret"
#define NOTIFY_NAME "org.freedesktop.Notifications"

static GTestDBus *bus;
static GSubprocess *dunst;
static SpTestKeyring *keyring;
static char *dir;

typedef struct
{
  GSettings       *settings;
  SpEngine        *engine;
  SpAccount       *account;
  SpTestXucServer *server;
  GPtrArray       *shown_calls;  /* (element-type SpCall) show-call emissions */
  GPtrArray       *opened;
} Fixture;

static char *
path_in_dir (const char *name)
{
  return g_build_filename (dir, name, NULL);
}

static char *
read_file (const char *name)
{
  g_autofree char *path = path_in_dir (name);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("");

  return contents;
}

/* Runs dunstctl with @args on the private bus; returns its stdout. */
static char *
dunstctl (const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_ptr_array_add (argv, (gpointer) "dunstctl");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (process))
    {
      g_autofree char *log = read_file ("dunst.log");

      g_error ("dunstctl %s failed: %s\ndunst's log:\n%s", args[0], err, log);
    }

  return g_strstrip (g_steal_pointer (&out));
}

static guint
count_displayed (void)
{
  g_autofree char *out = dunstctl ((const char *[]) { "count", "displayed", NULL });

  return (guint) g_ascii_strtoull (out, NULL, 10);
}

static gboolean
displayed_is (gpointer user_data)
{
  return count_displayed () == GPOINTER_TO_UINT (user_data);
}

static gboolean
wait_displayed (guint n)
{
  return sp_test_wait_until (displayed_is, GUINT_TO_POINTER (n), 5000);
}

static gboolean
file_has (gpointer user_data)
{
  const char * const *what = user_data;
  g_autofree char *contents = read_file (what[0]);

  return strstr (contents, what[1]) != NULL;
}

/* Waits until the file @name in the test's folder contains @text. */
static gboolean
wait_file_has (const char *name,
               const char *text)
{
  const char *what[] = { name, text };

  return sp_test_wait_until (file_has, what, 5000);
}

/* Opens dunst's context menu, as a person does, and picks the line with @label. */
static void
pick_from_menu (const char *label)
{
  g_autofree char *pick = path_in_dir ("pick");
  g_autofree char *menu = path_in_dir ("menu");
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;

  g_unlink (menu);
  g_file_set_contents (pick, label, -1, &error);
  g_assert_no_error (error);
  out = dunstctl ((const char *[]) { "context", NULL });
  g_assert_true (wait_file_has ("menu", "#"));
}

static void
show_call_cb (SpScreenpop *screenpop,
              SpCall      *call,
              Fixture     *fixture)
{
  g_ptr_array_add (fixture->shown_calls, g_object_ref (call));
}

static void
record_url (const char *uri,
            gpointer    user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->opened, g_strdup (uri));
}

static gboolean
connected (gpointer user_data)
{
  Fixture *fixture = user_data;
  SpSource *source = sp_account_list_get_source (sp_engine_get_accounts (fixture->engine),
                                                 ACCOUNT_ID);

  return source != NULL && sp_source_get_state (source) == SP_SOURCE_STATE_CONNECTED;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;
  GSettings *account_settings;

  fixture->settings = g_settings_new ("io.github.screenpop.Screenpop");
  g_settings_set_string (fixture->settings, "lock-screen", "show");
  fixture->engine = sp_test_engine_new (fixture->settings, NULL);
  fixture->shown_calls = g_ptr_array_new_with_free_func (g_object_unref);
  fixture->opened = g_ptr_array_new_with_free_func (g_free);
  sp_engine_set_url_handler (fixture->engine, record_url, fixture, NULL);
  g_signal_connect (sp_engine_get_screenpop (fixture->engine), "show-call",
                    G_CALLBACK (show_call_cb), fixture);

  fixture->server = sp_test_xuc_server_new (0, LOGIN, PASSWORD, 3600);
  url = sp_test_xuc_server_dup_url (fixture->server);

  secret_password_store_sync (sp_secret_get_schema (), SECRET_COLLECTION_DEFAULT, "test",
                              PASSWORD, NULL, &error, "account", ACCOUNT_ID, NULL);
  g_assert_no_error (error);

  fixture->account = sp_account_new_transient (ACCOUNT_ID, "xivo", "Support desk");
  account_settings = sp_account_get_settings (fixture->account);
  g_settings_set_string (account_settings, "url", url);
  g_settings_set_string (account_settings, "login", LOGIN);
  g_settings_set_string (account_settings, "url-template", "https://crm.example.com/?phone={number}");
  sp_account_list_add_transient (sp_engine_get_accounts (fixture->engine), fixture->account);

  g_assert_true (sp_test_wait_until (connected, fixture, 10000));
  g_assert_true (sp_test_xuc_server_wait_for_frame (fixture->server, "*getCurrentCallsPhoneEvents*",
                                                     1, 2000));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *out = dunstctl ((const char *[]) { "close-all", NULL });

  sp_account_list_remove (sp_engine_get_accounts (fixture->engine), ACCOUNT_ID);
  g_clear_object (&fixture->engine);
  g_clear_object (&fixture->account);
  g_settings_reset (fixture->settings, "lock-screen");
  g_settings_reset (fixture->settings, "click-opens-page");
  g_clear_object (&fixture->settings);
  g_clear_pointer (&fixture->server, sp_test_xuc_server_free);
  g_clear_pointer (&fixture->shown_calls, g_ptr_array_unref);
  g_clear_pointer (&fixture->opened, g_ptr_array_unref);
  sp_test_run_for (100);
}

static gboolean
has_items (gpointer user_data)
{
  return ((GPtrArray *) user_data)->len > 0;
}

/* A ringing call is on screen as dunst shows it: the caller, critical, category
 * call.incoming; its buttons are Answer and Decline (XiVO can hang up) beside the click on
 * the notification itself and Open; Answer picked from dunst's menu reaches the server as
 * xuc's answer command, and the notification goes when the call is answered. */
static void
test_dunst_answer (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *menu = NULL;

  sp_test_xuc_server_phone_event (fixture->server, "EventRinging", "d-1", "0427123456", NULL, NULL, NULL);
  g_assert_true (wait_displayed (1));
  g_assert_true (wait_file_has ("shown", "DUNST_SUMMARY=0427123456"));
  g_assert_true (wait_file_has ("shown", "DUNST_URGENCY=CRITICAL"));
  g_assert_true (wait_file_has ("shown", "DUNST_CATEGORY=call.incoming"));
  g_assert_true (wait_file_has ("shown", "DUNST_APP_NAME=Screenpop"));

  pick_from_menu ("#Answer");
  menu = read_file ("menu");
  g_test_message ("dunst's menu:\n%s", menu);
  /* dunst's menu lines: "#LABEL (SUMMARY) [ID,ACTION]" (dunst 1.9 src/menu.c). */
  g_assert_nonnull (strstr (menu, "#Answer (0427123456) ["));
  g_assert_nonnull (strstr (menu, ",answer]"));
  g_assert_nonnull (strstr (menu, "#Decline (0427123456) ["));
  g_assert_nonnull (strstr (menu, ",hangup]"));
  g_assert_nonnull (strstr (menu, ",default]"));
  g_assert_nonnull (strstr (menu, "#Open (0427123456) ["));

  g_assert_true (sp_test_xuc_server_wait_for_frame (fixture->server,
                                                     "{\"claz\":\"web\",\"command\":\"answer\",\"uniqueId\":\"d-1.1\"}",
                                                     1, 5000));
  /* xuc reports the call answered; Screenpop withdraws the notification. */
  sp_test_xuc_server_phone_event (fixture->server, "EventEstablished", "d-1", "0427123456", NULL, NULL, NULL);
  g_assert_true (wait_displayed (0));
  sp_test_xuc_server_phone_event (fixture->server, "EventReleased", "d-1", "0427123456", NULL, NULL, NULL);
}

/* Decline from dunst's menu sends xuc's hangup for the ringing leg; the notification goes
 * when the call ends. */
static void
test_dunst_decline (Fixture       *fixture,
                    gconstpointer  data)
{
  sp_test_xuc_server_phone_event (fixture->server, "EventRinging", "d-2", "0427000111", NULL, NULL, NULL);
  g_assert_true (wait_displayed (1));

  pick_from_menu ("#Decline");
  g_assert_true (sp_test_xuc_server_wait_for_frame (fixture->server,
                                                     "{\"claz\":\"web\",\"command\":\"hangup\",\"uniqueId\":\"d-2.1\"}",
                                                     1, 5000));
  sp_test_xuc_server_phone_event (fixture->server, "EventReleased", "d-2", "0427000111", NULL, NULL, NULL);
  /* Not answered: the missed call's notification replaces it. */
  g_assert_true (wait_file_has ("shown", "DUNST_SUMMARY=Missed call from 0427000111"));
}

/* A click on the notification (dunst's default action) shows the call in the window. */
static void
test_dunst_click (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *out = NULL;

  sp_test_xuc_server_phone_event (fixture->server, "EventRinging", "d-3", "0427555000", NULL, NULL, NULL);
  g_assert_true (wait_displayed (1));

  out = dunstctl ((const char *[]) { "action", "0", NULL });
  g_assert_true (sp_test_wait_until (has_items, fixture->shown_calls, 5000));
  g_assert_cmpstr (sp_call_get_call_id (g_ptr_array_index (fixture->shown_calls, 0)), ==, "d-3");
  g_assert_cmpuint (fixture->opened->len, ==, 0);
}

/* With click-opens-page, the click opens the call's CRM page instead. */
static void
test_dunst_click_opens_page (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *out = NULL;

  g_settings_set_boolean (fixture->settings, "click-opens-page", TRUE);
  sp_test_xuc_server_phone_event (fixture->server, "EventRinging", "d-4", "0427555111", NULL, NULL, NULL);
  g_assert_true (wait_displayed (1));

  out = dunstctl ((const char *[]) { "action", "0", NULL });
  g_assert_true (sp_test_wait_until (has_items, fixture->opened, 5000));
  g_assert_cmpstr (g_ptr_array_index (fixture->opened, 0), ==, "https://crm.example.com/?phone=0427555111");
  g_assert_cmpuint (fixture->shown_calls->len, ==, 0);
}

/* A picture (a file) reaches dunst as the notification's image: dunst reads the image-path
 * hint and shows that file, with the app's name beside it. */
static void
test_dunst_picture (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *picture = g_build_filename (g_test_get_dir (G_TEST_DIST), "..", "data",
                                               "screenshots", "history.png", NULL);
  g_autofree char *expected = NULL;
  g_autofree char *canonical = g_canonicalize_filename (picture, NULL);

  g_assert_true (g_file_test (canonical, G_FILE_TEST_EXISTS));
  sp_notifier_show (sp_engine_get_notifier (fixture->engine), "msg:picture", "Call from Pablo Picasso",
                    "Impatient customer", canonical, SP_NOTIFY_PERSISTENT, NULL, 0);
  g_assert_true (wait_displayed (1));
  g_assert_true (wait_file_has ("shown", "DUNST_SUMMARY=Call from Pablo Picasso"));
  expected = g_strconcat ("DUNST_ICON_PATH=", canonical, "\n", NULL);
  g_assert_true (wait_file_has ("shown", expected));

  sp_notifier_withdraw (sp_engine_get_notifier (fixture->engine), "msg:picture");
  g_assert_true (wait_displayed (0));
}

static gboolean
name_owned (gpointer user_data)
{
  GDBusConnection *connection = user_data;
  g_autoptr(GVariant) reply = NULL;
  gboolean has = FALSE;

  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", NOTIFY_NAME), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &has);

  return has;
}

/* dunst with a configuration of the test's own: the menu goes to a script that records it
 * and picks the line starting with the text in the file "pick"; every notification dunst
 * displays runs a script that records what dunst read from it. */
static void
start_dunst (void)
{
  g_autofree char *dmenu = path_in_dir ("dmenu.sh");
  g_autofree char *record = path_in_dir ("record.sh");
  g_autofree char *config = path_in_dir ("dunstrc");
  g_autofree char *log = path_in_dir ("dunst.log");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *dmenu_script = NULL;
  g_autofree char *record_script = NULL;
  g_autofree char *config_text = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  dmenu_script = g_strdup_printf ("#!/bin/sh\n"
                                  "cat > '%s/menu.tmp'\n"
                                  "mv '%s/menu.tmp' '%s/menu'\n"
                                  "grep -m1 -F \"$(cat '%s/pick')\" '%s/menu'\n",
                                  dir, dir, dir, dir, dir);
  record_script = g_strdup_printf ("#!/bin/sh\n"
                                   "{ env | grep '^DUNST_'; echo; } >> '%s/shown'\n", dir);
  config_text = g_strdup_printf ("[global]\n"
                                 "    dmenu = %s\n"
                                 "    browser = /bin/true\n"
                                 "[record]\n"
                                 "    summary = \"*\"\n"
                                 "    script = %s\n",
                                 dmenu, record);
  g_file_set_contents (dmenu, dmenu_script, -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (record, record_script, -1, &error);
  g_assert_no_error (error);
  g_chmod (dmenu, 0700);
  g_chmod (record, 0700);
  g_file_set_contents (config, config_text, -1, &error);
  g_assert_no_error (error);

  /* Its log goes to a file of the test's, read when something fails. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  /* dunst logs with g_warning(): the tests' fatal warnings are ours, not dunst's. */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  g_subprocess_launcher_unsetenv (launcher, "MALLOC_CHECK_");
  g_subprocess_launcher_unsetenv (launcher, "MALLOC_PERTURB_");
  dunst = g_subprocess_launcher_spawn (launcher, &error, "dunst", "-config", config, NULL);
  if (dunst == NULL)
    g_error ("Cannot start dunst (Debian package dunst, in build-aux/common.sh): %s", error->message);

  connection = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (bus),
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);
  if (!sp_test_wait_until (name_owned, connection, 10000))
    g_error ("dunst did not take %s on the private bus", NOTIFY_NAME);
  g_dbus_connection_close_sync (connection, NULL, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *display = g_strdup (g_getenv ("DISPLAY"));
  int ret;

  g_test_init (&argc, &argv, NULL);

  if (display == NULL)
    g_error ("No display: dunst needs one; run this under Xvfb, as build-aux/test does");

  dir = g_dir_make_tmp ("screenpop-dunst-XXXXXX", NULL);
  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  sp_test_dbus_up (bus);
  /* GTestDBus unsets DISPLAY; dunst draws on it. */
  g_setenv ("DISPLAY", display, TRUE);

  start_dunst ();
  keyring = sp_test_keyring_start (g_test_dbus_get_bus_address (bus));

  g_test_add ("/dunst/answer", Fixture, NULL, fixture_set_up, test_dunst_answer, fixture_tear_down);
  g_test_add ("/dunst/decline", Fixture, NULL, fixture_set_up, test_dunst_decline, fixture_tear_down);
  g_test_add ("/dunst/click", Fixture, NULL, fixture_set_up, test_dunst_click, fixture_tear_down);
  g_test_add ("/dunst/picture", Fixture, NULL, fixture_set_up, test_dunst_picture, fixture_tear_down);
  g_test_add ("/dunst/click-opens-page", Fixture, NULL, fixture_set_up, test_dunst_click_opens_page,
              fixture_tear_down);

  ret = g_test_run ();

  notify_uninit ();
  sp_test_keyring_stop (keyring);
  g_subprocess_send_signal (dunst, SIGTERM);
  g_subprocess_wait (dunst, NULL, NULL);
  g_clear_object (&dunst);
  sp_test_remove_tree (dir);
  /* libsecret keeps the session bus connection: the bus is left to GTestDBus's watcher. */

  return ret;
}
