/* test-pbxis-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pbxis agent panel under Xvfb, against the local pbxis-ws server: the snapshot's
 * queues with their membership and waiting callers, live changes, a click on Pause
 * reaching Asterisk, Asterisk's refusal (HTTP 200, "response":"Error") shown as its text,
 * and the window finalized when closed.
 */

#include "config.h"

#include <gtk/gtk.h>

#include "sp-application.h"
#include "sp-pbxis-window.h"
#include "sp-pbxis-source.h"
#include "sp-test-engine.h"
#include "sp-test-notify.h"
#include "sp-test-pbxis-server.h"
#include "sp-test-util.h"
#include "sp-window.h"

#define AGENT "147"

typedef struct
{
  SpTestPbxisServer *server;
  GSettings         *settings;
  SpEngine          *engine;
  SpAccountList        *accounts;
  SpAccount         *account;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  GSettings *account_settings;
  GVariantBuilder options;
  const char *extensions[] = { AGENT, NULL };

  fixture->server = sp_test_pbxis_server_new (0, &error);
  g_assert_no_error (error);
  sp_test_pbxis_server_set_agent_name (fixture->server, AGENT, "Ana Horvat");
  sp_test_pbxis_server_set_member (fixture->server, "sales", AGENT, "active");
  sp_test_pbxis_server_set_member (fixture->server, "support", AGENT, "paused");
  sp_test_pbxis_server_set_queue_count (fixture->server, "sales", 2);
  url = sp_test_pbxis_server_dup_url (fixture->server);

  fixture->settings = g_settings_new ("io.github.screenpop.Screenpop");
  fixture->engine = sp_test_engine_new (fixture->settings, NULL);
  fixture->accounts = sp_engine_get_accounts (fixture->engine);

  fixture->account = sp_account_new_transient ("pbx", "pbxis", "Call centre");
  account_settings = sp_account_get_settings (fixture->account);
  g_settings_set_string (account_settings, "url", url);
  g_settings_set_strv (account_settings, "extensions", extensions);
  g_variant_builder_init (&options, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&options, "{ss}", "queues", "sales,support,billing");
  g_settings_set_value (account_settings, "options", g_variant_builder_end (&options));

  sp_account_list_add_transient (fixture->accounts, fixture->account);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->engine);
  g_clear_object (&fixture->account);
  g_clear_object (&fixture->settings);
  g_clear_pointer (&fixture->server, sp_test_pbxis_server_free);
}

static SpPbxisSource *
get_source (Fixture *fixture)
{
  SpSource *source = sp_account_list_get_source (fixture->accounts, "pbx");

  g_assert_true (SP_IS_PBXIS_SOURCE (source));
  return SP_PBXIS_SOURCE (source);
}

typedef struct
{
  SpPbxisWindow *panel;
  const char    *queue;
  const char    *membership;   /* (nullable): not checked */
  const char    *waiting;      /* (nullable): not checked */
} Shown;

static gboolean
is_shown (gpointer data)
{
  Shown *shown = data;

  return (shown->membership == NULL ||
          g_strcmp0 (sp_pbxis_window_get_membership_text (shown->panel, shown->queue),
                     shown->membership) == 0) &&
         (shown->waiting == NULL ||
          g_strcmp0 (sp_pbxis_window_get_waiting_text (shown->panel, shown->queue),
                     shown->waiting) == 0);
}

static void
assert_shown (SpPbxisWindow *panel,
              const char    *queue,
              const char    *membership,
              const char    *waiting)
{
  Shown shown = { panel, queue, membership, waiting };

  if (!sp_test_wait_until (is_shown, &shown, 5000))
    g_error ("Queue %s shows “%s” and “%s”, not “%s” and “%s”", queue,
             sp_pbxis_window_get_membership_text (panel, queue),
             sp_pbxis_window_get_waiting_text (panel, queue),
             membership ? membership : "(any)", waiting ? waiting : "(any)");
}

static gboolean
has_error (gpointer data)
{
  return sp_pbxis_window_get_error (data) != NULL;
}

static gboolean
is_sensitive (gpointer data)
{
  return gtk_widget_get_sensitive (data);
}

/* What a mouse click does; gtk_widget_activate() would click only after its animation. */
static void
click (GtkButton *button)
{
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (button)));
  g_signal_emit_by_name (button, "clicked");
}

static void
test_panel_live (Fixture       *fixture,
                 gconstpointer  data)
{
  SpPbxisWindow *panel;
  GtkButton *pause;
  SpTestPbxisRequest *request;

  panel = g_object_ref_sink (sp_pbxis_window_new (get_source (fixture)));
  gtk_window_present (GTK_WINDOW (panel));

  /* The snapshot: the account's queues, in its order, with their states and counts. */
  assert_shown (panel, "sales", "Active", "2 callers waiting");
  assert_shown (panel, "support", "Paused", "No callers waiting");
  assert_shown (panel, "billing", "Logged off", "No callers waiting");
  g_assert_cmpstr (sp_pbxis_window_get_subtitle (panel), ==, "Ana Horvat");
  g_assert_null (sp_pbxis_window_get_membership_text (panel, "marketing"));
  /* Logged off: nothing to pause, but one can log on. */
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (sp_pbxis_window_get_pause_button (panel, "billing"))));
  g_assert_cmpstr (gtk_button_get_label (sp_pbxis_window_get_log_button (panel, "billing")), ==, "Log On");
  g_assert_cmpstr (gtk_button_get_label (sp_pbxis_window_get_log_button (panel, "sales")), ==, "Log Off");

  /* Live: a supervisor pauses the agent, a caller joins the queue. */
  sp_test_pbxis_server_set_member (fixture->server, "support", AGENT, "active");
  assert_shown (panel, "support", "Active", NULL);
  g_free (sp_test_pbxis_server_queue_call (fixture->server, "sales", "200", "0915551234", NULL));
  assert_shown (panel, "sales", "Active", "3 callers waiting");

  /* A click on Pause reaches Asterisk; the button waits for the answer. */
  sp_test_pbxis_server_clear_requests (fixture->server);
  pause = sp_pbxis_window_get_pause_button (panel, "sales");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (pause)), ==, "Pause");
  click (pause);
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (pause)));
  g_assert_true (sp_test_pbxis_server_wait_for_request (fixture->server, "POST", "/queue/pause", 5000));
  request = sp_test_pbxis_server_find_request (fixture->server, "POST", "/queue/pause");
  g_assert_cmpstr (json_object_get_string_member (request->params, "queue"), ==, "sales");
  g_assert_cmpstr (json_object_get_string_member (request->params, "agent"), ==, AGENT);
  g_assert_cmpstr (sp_test_pbxis_server_get_member (fixture->server, "sales", AGENT), ==, "paused");
  assert_shown (panel, "sales", "Paused", "3 callers waiting");
  g_assert_true (sp_test_wait_until (is_sensitive, pause, 5000));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (pause)), ==, "Resume");
  g_assert_null (sp_pbxis_window_get_error (panel));

  /* Asterisk refuses with HTTP 200: the panel shows its words, the state stays. */
  sp_test_pbxis_server_fail_next_action (fixture->server, "Interface not found");
  click (pause);
  g_assert_true (sp_test_wait_until (has_error, panel, 5000));
  g_assert_cmpstr (sp_pbxis_window_get_error (panel), ==,
                   "Could not resume agent " AGENT " in queue sales: Interface not found");
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (pause)));
  assert_shown (panel, "sales", "Paused", NULL);
  g_assert_cmpstr (sp_test_pbxis_server_get_member (fixture->server, "sales", AGENT), ==, "paused");

  /* Log on to a queue, log off another. */
  click (sp_pbxis_window_get_log_button (panel, "billing"));
  assert_shown (panel, "billing", "Active", NULL);
  click (sp_pbxis_window_get_log_button (panel, "support"));
  assert_shown (panel, "support", "Logged off", NULL);
  /* The stream may tell before the action's answer is back: wait for both. */
  g_assert_true (sp_test_wait_until (is_sensitive, sp_pbxis_window_get_log_button (panel, "billing"), 5000));
  g_assert_true (sp_test_wait_until (is_sensitive, sp_pbxis_window_get_log_button (panel, "support"), 5000));
  g_assert_cmpstr (gtk_button_get_label (sp_pbxis_window_get_log_button (panel, "billing")), ==, "Log Off");
  g_assert_cmpstr (gtk_button_get_label (sp_pbxis_window_get_log_button (panel, "support")), ==, "Log On");
  /* A success takes the earlier failure away. */
  g_assert_null (sp_pbxis_window_get_error (panel));

  gtk_window_destroy (GTK_WINDOW (panel));
  g_assert_finalize_object (panel);
}

/* Closing the panel while an action runs: the answer comes to nobody. */
static void
test_panel_close_during_action (Fixture       *fixture,
                                gconstpointer  data)
{
  SpPbxisWindow *panel;

  panel = g_object_ref_sink (sp_pbxis_window_new (get_source (fixture)));
  gtk_window_present (GTK_WINDOW (panel));
  assert_shown (panel, "sales", "Active", NULL);

  click (sp_pbxis_window_get_pause_button (panel, "sales"));
  gtk_window_destroy (GTK_WINDOW (panel));
  g_assert_true (sp_test_pbxis_server_wait_for_request (fixture->server, "POST", "/queue/pause", 5000));
  sp_test_run_for (300);
  g_assert_finalize_object (panel);
}

/* Before the source has said anything, and without queues. */
static void
test_panel_open_close (void)
{
  g_autoptr(SpAccount) account = sp_account_new_transient ("idle", "pbxis", "Front desk");
  g_autoptr(SpSource) source = sp_pbxis_source_new (account);
  SpPbxisWindow *panel;

  panel = g_object_ref_sink (sp_pbxis_window_new (SP_PBXIS_SOURCE (source)));
  gtk_window_present (GTK_WINDOW (panel));
  sp_test_run_for (200);
  g_assert_cmpstr (sp_pbxis_window_get_subtitle (panel), ==, "Front desk");
  gtk_window_destroy (GTK_WINDOW (panel));
  g_assert_finalize_object (panel);
}

/* The button of the account's row, found by its tooltip as a user would. */
static GtkWidget *
find_button (GtkWidget  *widget,
             const char *tooltip)
{
  if (GTK_IS_BUTTON (widget) &&
      g_strcmp0 (gtk_widget_get_tooltip_text (widget), tooltip) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, tooltip);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static SpPbxisWindow *
find_panel (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (SP_IS_PBXIS_WINDOW (window))
        return SP_PBXIS_WINDOW (window);
    }

  return NULL;
}

/* The main window's pbxis account row opens the panel on that account's source. */
static void
test_panel_from_window (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpTestPbxisServer) server = sp_test_pbxis_server_new (0, &error);
  g_autofree char *url = NULL;
  g_autoptr(SpApplication) app = NULL;
  g_autoptr(SpAccount) account = NULL;
  const char *extensions[] = { AGENT, NULL };
  GVariantBuilder options;
  GSettings *account_settings;
  SpWindow *window;
  SpPbxisWindow *panel;
  GtkWidget *button;

  g_assert_no_error (error);
  sp_test_pbxis_server_set_agent_name (server, AGENT, "Ana Horvat");
  sp_test_pbxis_server_set_member (server, "sales", AGENT, "paused");
  url = sp_test_pbxis_server_dup_url (server);

  app = sp_application_new ();
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  account = sp_account_new_transient ("pbx", "pbxis", "Call centre");
  account_settings = sp_account_get_settings (account);
  g_settings_set_string (account_settings, "url", url);
  g_settings_set_strv (account_settings, "extensions", extensions);
  g_variant_builder_init (&options, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&options, "{ss}", "queues", "sales");
  g_settings_set_value (account_settings, "options", g_variant_builder_end (&options));
  sp_account_list_add_transient (sp_engine_get_accounts (sp_application_get_engine (app)), account);

  window = g_object_ref (sp_window_new (GTK_APPLICATION (app), sp_application_get_engine (app)));
  gtk_window_present (GTK_WINDOW (window));
  sp_test_run_for (200);

  button = find_button (GTK_WIDGET (window), "Show Your Queues");
  g_assert_nonnull (button);
  g_assert_null (find_panel ());
  g_signal_emit_by_name (button, "clicked");
  panel = find_panel ();
  g_assert_nonnull (panel);
  g_object_ref (panel);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (panel)) == GTK_WINDOW (window));
  assert_shown (panel, "sales", "Paused", NULL);

  gtk_window_destroy (GTK_WINDOW (panel));
  g_assert_finalize_object (panel);

  /* Removing the account closes the panel that keeps its source. */
  g_signal_emit_by_name (button, "clicked");
  panel = find_panel ();
  g_assert_nonnull (panel);
  g_object_ref (panel);
  assert_shown (panel, "sales", "Paused", NULL);
  sp_account_list_remove (sp_engine_get_accounts (sp_application_get_engine (app)), "pbx");
  g_assert_null (find_panel ());
  g_assert_finalize_object (panel);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  /* As in test-windows.c: GTK keeps its session bus proxies until exit, so this private
   * bus is left for GTestDBus's watcher to end. */
  sp_test_notify_start (NULL);

  if (!gtk_init_check ())
    g_error ("No display: run this under Xvfb, as build-aux/test does");

  g_test_add_func ("/pbxis-window/open-close", test_panel_open_close);
  g_test_add ("/pbxis-window/live", Fixture, NULL, fixture_set_up, test_panel_live,
              fixture_tear_down);
  g_test_add_func ("/pbxis-window/from-window", test_panel_from_window);
  g_test_add ("/pbxis-window/close-during-action", Fixture, NULL, fixture_set_up,
              test_panel_close_during_action, fixture_tear_down);

  return g_test_run ();
}
