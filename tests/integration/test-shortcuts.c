/* test-shortcuts.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The app's keyboard shortcuts for calls (issue 15, item 2): Answer, Hang up/Decline, Do
 * not disturb and Pause are application actions with accelerators, listed in the shortcuts
 * window, and they act on the calls of a XiVO account (sp-test-xuc-server.c): the keys
 * pressed on the main window (xdotool, through the X server) reach xuc as its commands.
 */

#include "config.h"

#include <gdk/x11/gdkx.h>
#include <gtk/gtk.h>
#include <libsecret/secret.h>

#include "sp-application.h"
#include "sp-secret.h"
#include "sp-test-keyring.h"
#include "sp-test-notify.h"
#include "sp-test-util.h"
#include "sp-test-xuc-server.h"
#include "sp-window.h"
#include "sp-xivo-source.h"

#define ACCOUNT_ID "xivo-keys"
#define LOGIN "ana"
#define PASSWORD "s3cret"

static SpApplication *app;
static SpTestXucServer *server;

static const char * const call_actions[] = {
  "app.answer", "app.hang-up", "app.do-not-disturb", "app.toggle-pause",
};

/* Every call action has an accelerator of its own, with Control (so that no mnemonic and
 * no text field takes it), and the shortcuts window lists it. */
static void
test_shortcuts_listed (void)
{
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource ("/io/github/screenpop/Screenpop/gtk/help-overlay.ui");
  g_autoptr(GSList) objects = gtk_builder_get_objects (builder);
  g_autoptr(GPtrArray) listed = g_ptr_array_new_with_free_func (g_free);

  for (GSList *l = objects; l != NULL; l = l->next)
    {
      char *action_name = NULL;

      if (!GTK_IS_SHORTCUTS_SHORTCUT (l->data))
        continue;
      g_object_get (l->data, "action-name", &action_name, NULL);
      if (action_name != NULL)
        g_ptr_array_add (listed, action_name);
    }

  for (guint i = 0; i < G_N_ELEMENTS (call_actions); i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app),
                                                                     call_actions[i]);

      g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), call_actions[i] + 4));
      g_assert_cmpuint (g_strv_length (accels), >=, 1);
      for (guint j = 0; accels[j] != NULL; j++)
        {
          g_auto(GStrv) actions = gtk_application_get_actions_for_accel (GTK_APPLICATION (app),
                                                                         accels[j]);
          GdkModifierType mods = 0;
          guint key = 0;

          g_assert_true (gtk_accelerator_parse (accels[j], &key, &mods));
          g_assert_true (mods & GDK_CONTROL_MASK);
          g_assert_cmpuint (g_strv_length (actions), ==, 1);
        }

      if (!g_ptr_array_find_with_equal_func (listed, call_actions[i], g_str_equal, NULL))
        g_error ("The shortcuts window does not list %s", call_actions[i]);
    }
}

/* app.do-not-disturb is the setting. */
static void
test_shortcuts_do_not_disturb (void)
{
  GSettings *settings = sp_engine_get_settings (sp_application_get_engine (app));

  g_settings_set_boolean (settings, "do-not-disturb", FALSE);
  g_action_group_activate_action (G_ACTION_GROUP (app), "do-not-disturb", NULL);
  g_assert_true (g_settings_get_boolean (settings, "do-not-disturb"));
  g_action_group_activate_action (G_ACTION_GROUP (app), "do-not-disturb", NULL);
  g_assert_false (g_settings_get_boolean (settings, "do-not-disturb"));
}

static gboolean
connected (gpointer user_data)
{
  SpSource *source = sp_account_list_get_source (sp_engine_get_accounts (sp_application_get_engine (app)),
                                                 ACCOUNT_ID);

  return source != NULL && sp_source_get_state (source) == SP_SOURCE_STATE_CONNECTED;
}

static void
add_xivo_account (void)
{
  SpAccountList *accounts = sp_engine_get_accounts (sp_application_get_engine (app));
  g_autoptr(SpAccount) account = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;

  if (sp_account_list_lookup (accounts, ACCOUNT_ID) != NULL)
    return;

  server = sp_test_xuc_server_new (0, LOGIN, PASSWORD, 3600);
  url = sp_test_xuc_server_dup_url (server);
  secret_password_store_sync (sp_secret_get_schema (), SECRET_COLLECTION_DEFAULT, "test",
                              PASSWORD, NULL, &error, "account", ACCOUNT_ID, NULL);
  g_assert_no_error (error);

  account = sp_account_new_transient (ACCOUNT_ID, "xivo", "Support desk");
  g_settings_set_string (sp_account_get_settings (account), "url", url);
  g_settings_set_string (sp_account_get_settings (account), "login", LOGIN);
  sp_account_list_add_transient (accounts, account);

  g_assert_true (sp_test_wait_until (connected, NULL, 10000));
  g_assert_true (sp_test_xuc_server_wait_for_frame (server, "*getCurrentCallsPhoneEvents*", 1, 2000));
}

/* Answer takes the ringing call; Hang up declines a ringing call before it ends the one in
 * progress. */
static void
test_shortcuts_answer_hang_up (void)
{
  add_xivo_account ();

  sp_test_xuc_server_phone_event (server, "EventRinging", "k-1", "0427123456", NULL, NULL, NULL);
  sp_test_run_for (200);
  g_action_group_activate_action (G_ACTION_GROUP (app), "answer", NULL);
  g_assert_true (sp_test_xuc_server_wait_for_frame (server,
                                                     "{\"claz\":\"web\",\"command\":\"answer\",\"uniqueId\":\"k-1.1\"}",
                                                     1, 5000));
  sp_test_xuc_server_phone_event (server, "EventEstablished", "k-1", "0427123456", NULL, NULL, NULL);

  /* A second call rings meanwhile: Hang up declines it, and leaves the first. */
  sp_test_xuc_server_phone_event (server, "EventRinging", "k-2", "0427000111", NULL, NULL, NULL);
  sp_test_run_for (200);
  g_action_group_activate_action (G_ACTION_GROUP (app), "hang-up", NULL);
  g_assert_true (sp_test_xuc_server_wait_for_frame (server,
                                                     "{\"claz\":\"web\",\"command\":\"hangup\",\"uniqueId\":\"k-2.1\"}",
                                                     1, 5000));
  sp_test_xuc_server_phone_event (server, "EventReleased", "k-2", "0427000111", NULL, NULL, NULL);
  sp_test_run_for (200);

  g_action_group_activate_action (G_ACTION_GROUP (app), "hang-up", NULL);
  g_assert_true (sp_test_xuc_server_wait_for_frame (server,
                                                     "{\"claz\":\"web\",\"command\":\"hangup\",\"uniqueId\":\"k-1.1\"}",
                                                     1, 5000));
  sp_test_xuc_server_phone_event (server, "EventReleased", "k-1", "0427123456", NULL, NULL, NULL);
  sp_test_run_for (200);
}

static gboolean
agent_is (gpointer user_data)
{
  SpSource *source = sp_account_list_get_source (sp_engine_get_accounts (sp_application_get_engine (app)),
                                                 ACCOUNT_ID);

  return g_strcmp0 (sp_xivo_source_get_agent_state (SP_XIVO_SOURCE (source)), user_data) == 0;
}

/* Pause pauses the ready agent, and resumes the paused one. */
static void
test_shortcuts_toggle_pause (void)
{
  add_xivo_account ();
  g_assert_true (sp_test_wait_until (agent_is, (gpointer) "AgentReady", 5000));

  g_action_group_activate_action (G_ACTION_GROUP (app), "toggle-pause", NULL);
  g_assert_true (sp_test_xuc_server_wait_for_frame (server, "*\"command\":\"pauseAgent\"*", 1, 5000));
  g_assert_true (sp_test_wait_until (agent_is, (gpointer) "AgentOnPause", 5000));

  g_action_group_activate_action (G_ACTION_GROUP (app), "toggle-pause", NULL);
  g_assert_true (sp_test_xuc_server_wait_for_frame (server, "*\"command\":\"unpauseAgent\"*", 1, 5000));
  g_assert_true (sp_test_wait_until (agent_is, (gpointer) "AgentReady", 5000));
}

static gboolean
mapped_cb (gpointer widget)
{
  return gtk_widget_get_mapped (widget);
}

/* Presses @keys (xdotool's names) on @window through the X server, as a keyboard does. */
static void
press_keys (GtkWindow  *window,
            const char *keys)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  g_autofree char *xid = g_strdup_printf ("%lu", (gulong) gdk_x11_surface_get_xid (surface));
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char *[]) { (char *) "xdotool", (char *) "windowfocus",
                                                   (char *) "--sync", xid, NULL },
                               NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  sp_test_run_for (100);
  g_assert_true (g_spawn_sync (NULL, (char *[]) { (char *) "xdotool", (char *) "key", (char *) keys, NULL },
                               NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* Control+Shift+A on the main window answers, Control+Shift+D declines: the keys work in a
 * window full of mnemonics (Alt+A is the window's Add). */
static void
test_shortcuts_keyboard (void)
{
  SpWindow *window;

  if (!GDK_IS_X11_DISPLAY (gdk_display_get_default ()))
    {
      g_test_skip ("xdotool needs an X display");
      return;
    }

  add_xivo_account ();
  window = g_object_ref (sp_window_new (GTK_APPLICATION (app), sp_application_get_engine (app)));
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (sp_test_wait_until (mapped_cb, window, 5000));

  sp_test_xuc_server_phone_event (server, "EventRinging", "x-1", "0427123456", NULL, NULL, NULL);
  sp_test_run_for (200);
  press_keys (GTK_WINDOW (window), "ctrl+shift+a");
  g_assert_true (sp_test_xuc_server_wait_for_frame (server,
                                                     "{\"claz\":\"web\",\"command\":\"answer\",\"uniqueId\":\"x-1.1\"}",
                                                     1, 5000));
  sp_test_xuc_server_phone_event (server, "EventReleased", "x-1", "0427123456", NULL, NULL, NULL);

  sp_test_xuc_server_phone_event (server, "EventRinging", "x-2", "0427000111", NULL, NULL, NULL);
  sp_test_run_for (200);
  press_keys (GTK_WINDOW (window), "ctrl+shift+d");
  g_assert_true (sp_test_xuc_server_wait_for_frame (server,
                                                     "{\"claz\":\"web\",\"command\":\"hangup\",\"uniqueId\":\"x-2.1\"}",
                                                     1, 5000));
  sp_test_xuc_server_phone_event (server, "EventReleased", "x-2", "0427000111", NULL, NULL, NULL);

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
}

int
main (int   argc,
      char *argv[])
{
  SpTestNotify *notify;
  SpTestKeyring *keyring;
  int ret;

  g_test_init (&argc, &argv, NULL);

  /* GTK, libadwaita and libsecret keep the session bus for the life of the process: the
   * private bus is left to GTestDBus's watcher (see test-windows.c). */
  notify = sp_test_notify_start (NULL);
  keyring = sp_test_keyring_start (sp_test_notify_get_address (notify));

  if (!gtk_init_check ())
    g_error ("No display: run this under Xvfb, as build-aux/test does");

  app = sp_application_new ();
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));

  g_test_add_func ("/shortcuts/listed", test_shortcuts_listed);
  g_test_add_func ("/shortcuts/do-not-disturb", test_shortcuts_do_not_disturb);
  g_test_add_func ("/shortcuts/answer-hang-up", test_shortcuts_answer_hang_up);
  g_test_add_func ("/shortcuts/toggle-pause", test_shortcuts_toggle_pause);
  g_test_add_func ("/shortcuts/keyboard", test_shortcuts_keyboard);

  ret = g_test_run ();

  sp_account_list_remove (sp_engine_get_accounts (sp_application_get_engine (app)), ACCOUNT_ID);
  sp_test_run_for (100);
  g_clear_pointer (&server, sp_test_xuc_server_free);
  g_object_unref (app);
  (void) keyring;

  return ret;
}
