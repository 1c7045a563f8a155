/* test-pbxis-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pbxis status view under Xvfb, against the local pbxis-ws server: the snapshot's
 * queues with each agent's membership and the waiting callers, a queue Asterisk does not
 * have shown without any, live changes, a click on Pause or Log On reaching Asterisk (with
 * the agent's name), Asterisk's refusal (HTTP 200, "response":"Error") shown as its text,
 * several agents with their calls, the queue status (GET /queue/status) on connect and on
 * Refresh, a supervisor's Reset, the summary events, and the window finalized when closed.
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
#define AGENT2 "149"

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
  GVariantBuilder builder;
  const char *extensions[] = { AGENT, AGENT2, NULL };
  const char *options = data;

  fixture->server = sp_test_pbxis_server_new (0, &error);
  g_assert_no_error (error);
  sp_test_pbxis_server_set_agent_name (fixture->server, AGENT, "Ana Horvat");
  sp_test_pbxis_server_set_agent_name (fixture->server, AGENT2, "Ivo Kovač");
  sp_test_pbxis_server_set_member (fixture->server, "sales", AGENT, "active");
  sp_test_pbxis_server_set_member (fixture->server, "support", AGENT, "paused");
  sp_test_pbxis_server_set_member (fixture->server, "sales", AGENT2, "active");
  sp_test_pbxis_server_set_queue_count (fixture->server, "sales", 2);
  sp_test_pbxis_server_set_queue_stats (fixture->server, "sales", 12, 3, 45, 190);
  /* Asterisk has billing, empty; it has no marketing queue at all. */
  sp_test_pbxis_server_add_queue (fixture->server, "billing");
  url = sp_test_pbxis_server_dup_url (fixture->server);

  fixture->settings = g_settings_new ("io.github.screenpop.Screenpop");
  fixture->engine = sp_test_engine_new (fixture->settings, NULL);
  fixture->accounts = sp_engine_get_accounts (fixture->engine);

  fixture->account = sp_account_new_transient ("pbx", "pbxis", "Call centre");
  account_settings = sp_account_get_settings (fixture->account);
  g_settings_set_string (account_settings, "url", url);
  g_settings_set_strv (account_settings, "extensions", extensions);
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&builder, "{ss}", "queues", "sales,support,billing,marketing");
  /* "KEY=VALUE;…" from the test's data. */
  if (options != NULL)
    {
      g_auto(GStrv) pairs = g_strsplit (options, ";", -1);

      for (guint i = 0; pairs[i] != NULL; i++)
        {
          g_auto(GStrv) pair = g_strsplit (pairs[i], "=", 2);

          g_variant_builder_add (&builder, "{ss}", pair[0], pair[1]);
        }
    }
  g_settings_set_value (account_settings, "options", g_variant_builder_end (&builder));

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
  const char    *agent;
  const char    *queue;
  const char    *membership;   /* (nullable): not checked */
  const char    *waiting;      /* (nullable): not checked */
} Shown;

static gboolean
is_shown (gpointer data)
{
  Shown *shown = data;

  return (shown->membership == NULL ||
          g_strcmp0 (sp_pbxis_window_get_membership_text (shown->panel, shown->agent,
                                                          shown->queue),
                     shown->membership) == 0) &&
         (shown->waiting == NULL ||
          g_strcmp0 (sp_pbxis_window_get_waiting_text (shown->panel, shown->queue),
                     shown->waiting) == 0);
}

/* @agent's membership of @queue, and @queue's callers waiting. */
static void
assert_agent_shown (SpPbxisWindow *panel,
                    const char    *agent,
                    const char    *queue,
                    const char    *membership,
                    const char    *waiting)
{
  Shown shown = { panel, agent, queue, membership, waiting };

  if (!sp_test_wait_until (is_shown, &shown, 5000))
    g_error ("Agent %s in queue %s shows “%s” and “%s”, not “%s” and “%s”", agent, queue,
             sp_pbxis_window_get_membership_text (panel, agent, queue),
             sp_pbxis_window_get_waiting_text (panel, queue),
             membership ? membership : "(any)", waiting ? waiting : "(any)");
}

static void
assert_shown (SpPbxisWindow *panel,
              const char    *queue,
              const char    *membership,
              const char    *waiting)
{
  assert_agent_shown (panel, AGENT, queue, membership, waiting);
}

typedef struct
{
  SpPbxisWindow *panel;
  const char    *agent;
  const char    *text;
} AgentShown;

static gboolean
agent_is_shown (gpointer data)
{
  AgentShown *shown = data;

  return g_strcmp0 (sp_pbxis_window_get_agent_text (shown->panel, shown->agent, FALSE),
                    shown->text) == 0;
}

static void
assert_agent_text (SpPbxisWindow *panel,
                   const char    *agent,
                   const char    *text)
{
  AgentShown shown = { panel, agent, text };

  if (!sp_test_wait_until (agent_is_shown, &shown, 5000))
    g_error ("Agent %s shows “%s”, not “%s”", agent,
             sp_pbxis_window_get_agent_text (panel, agent, FALSE), text);
}

typedef struct
{
  SpPbxisWindow *panel;
  const char    *queue;
  const char    *details;
} DetailsShown;

static gboolean
details_are_shown (gpointer data)
{
  DetailsShown *shown = data;
  g_autofree char *details = sp_pbxis_window_dup_queue_details (shown->panel, shown->queue);

  return g_strcmp0 (details, shown->details) == 0;
}

static void
assert_details (SpPbxisWindow *panel,
                const char    *queue,
                const char    *details)
{
  DetailsShown shown = { panel, queue, details };

  if (!sp_test_wait_until (details_are_shown, &shown, 5000))
    {
      g_autofree char *now = sp_pbxis_window_dup_queue_details (panel, queue);

      g_error ("Queue %s shows\n%s\nnot\n%s", queue, now, details);
    }
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
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (panel)), ==, "Call centre");
  g_assert_cmpstr (sp_pbxis_window_get_agent_text (panel, AGENT, TRUE), ==, "Ana Horvat (147)");
  g_assert_null (sp_pbxis_window_get_membership_text (panel, AGENT, "accounts"));

  /* Asterisk has no marketing queue: pbxis-ws says nothing of it, and the queue status
   * leaves it out. No membership, no count, nothing to click. */
  assert_shown (panel, "marketing", "", "No such queue on the server");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (sp_pbxis_window_get_log_button (panel, AGENT, "marketing"))));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (sp_pbxis_window_get_pause_button (panel, AGENT, "marketing"))));
  /* Logged off: nothing to pause, but one can log on. */
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (sp_pbxis_window_get_pause_button (panel, AGENT, "billing"))));
  g_assert_cmpstr (gtk_button_get_label (sp_pbxis_window_get_log_button (panel, AGENT, "billing")), ==, "Log On");
  g_assert_cmpstr (gtk_button_get_label (sp_pbxis_window_get_log_button (panel, AGENT, "sales")), ==, "Log Off");

  /* Live: a supervisor pauses the agent, a caller joins the queue. */
  sp_test_pbxis_server_set_member (fixture->server, "support", AGENT, "active");
  assert_shown (panel, "support", "Active", NULL);
  g_free (sp_test_pbxis_server_queue_call (fixture->server, "sales", "200", "0915551234", NULL));
  assert_shown (panel, "sales", "Active", "3 callers waiting");

  /* A click on Pause reaches Asterisk; the button waits for the answer. */
  sp_test_pbxis_server_clear_requests (fixture->server);
  pause = sp_pbxis_window_get_pause_button (panel, AGENT, "sales");
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

  /* Log on to a queue, log off another. Logging on names the agent as the real client
   * does (memberName), or Asterisk would call the member "SIP/147". */
  sp_test_pbxis_server_clear_requests (fixture->server);
  click (sp_pbxis_window_get_log_button (panel, AGENT, "billing"));
  assert_shown (panel, "billing", "Active", NULL);
  request = sp_test_pbxis_server_find_request (fixture->server, "POST", "/queue/add");
  g_assert_nonnull (request);
  g_assert_cmpstr (json_object_get_string_member (request->params, "queue"), ==, "billing");
  g_assert_cmpstr (json_object_get_string_member (request->params, "agent"), ==, AGENT);
  g_assert_cmpstr (json_object_get_string_member (request->params, "memberName"), ==, "Ana Horvat");
  g_assert_false (json_object_get_boolean_member (request->params, "paused"));
  click (sp_pbxis_window_get_log_button (panel, AGENT, "support"));
  assert_shown (panel, "support", "Logged off", NULL);
  /* The stream may tell before the action's answer is back: wait for both. */
  g_assert_true (sp_test_wait_until (is_sensitive, sp_pbxis_window_get_log_button (panel, AGENT, "billing"), 5000));
  g_assert_true (sp_test_wait_until (is_sensitive, sp_pbxis_window_get_log_button (panel, AGENT, "support"), 5000));
  g_assert_cmpstr (gtk_button_get_label (sp_pbxis_window_get_log_button (panel, AGENT, "billing")), ==, "Log Off");
  g_assert_cmpstr (gtk_button_get_label (sp_pbxis_window_get_log_button (panel, AGENT, "support")), ==, "Log On");
  /* A success takes the earlier failure away. */
  g_assert_null (sp_pbxis_window_get_error (panel));

  gtk_window_destroy (GTK_WINDOW (panel));
  g_assert_finalize_object (panel);
}

/* A supervisor's view: several agents, each with its state and calls, and acting for one
 * that is not the account's first. */
static void
test_panel_agents (Fixture       *fixture,
                   gconstpointer  data)
{
  SpPbxisWindow *panel;
  SpTestPbxisRequest *request;
  g_autofree char *call = NULL;

  panel = g_object_ref_sink (sp_pbxis_window_new (get_source (fixture)));
  gtk_window_present (GTK_WINDOW (panel));

  assert_agent_text (panel, AGENT, "Ready");
  assert_agent_text (panel, AGENT2, "Ready");
  g_assert_cmpstr (sp_pbxis_window_get_agent_text (panel, AGENT2, TRUE), ==, "Ivo Kovač (149)");
  assert_agent_shown (panel, AGENT2, "sales", "Active", "2 callers waiting");
  assert_agent_shown (panel, AGENT2, "support", "Logged off", NULL);
  assert_agent_shown (panel, AGENT2, "marketing", "", "No such queue on the server");

  /* A queue call rings the second agent, who answers: the view says with whom. */
  call = sp_test_pbxis_server_queue_call (fixture->server, "sales", AGENT2, "0915551234",
                                          "ACME d.o.o.");
  assert_agent_text (panel, AGENT2, "Ready · ringing: 0915551234 (ACME d.o.o.)");
  sp_test_pbxis_server_answer (fixture->server, call);
  assert_agent_text (panel, AGENT2, "Ready · on a call with 0915551234 (ACME d.o.o.)");
  assert_agent_text (panel, AGENT, "Ready");
  sp_test_pbxis_server_hangup (fixture->server, call, 60, 0);
  assert_agent_text (panel, AGENT2, "Ready");

  /* Pausing the second agent pauses that agent. */
  sp_test_pbxis_server_clear_requests (fixture->server);
  click (sp_pbxis_window_get_pause_button (panel, AGENT2, "sales"));
  assert_agent_shown (panel, AGENT2, "sales", "Paused", NULL);
  request = sp_test_pbxis_server_find_request (fixture->server, "POST", "/queue/pause");
  g_assert_cmpstr (json_object_get_string_member (request->params, "agent"), ==, AGENT2);
  g_assert_cmpstr (sp_test_pbxis_server_get_member (fixture->server, "sales", AGENT2), ==, "paused");
  g_assert_cmpstr (sp_test_pbxis_server_get_member (fixture->server, "sales", AGENT), ==, "active");
  assert_agent_text (panel, AGENT2, "Paused");
  assert_shown (panel, "sales", "Active", NULL);

  /* Logged off everywhere (once the pause's answer is back too). */
  g_assert_true (sp_test_wait_until (is_sensitive, sp_pbxis_window_get_log_button (panel, AGENT2, "sales"), 5000));
  click (sp_pbxis_window_get_log_button (panel, AGENT2, "sales"));
  assert_agent_text (panel, AGENT2, "Logged off");
  g_assert_true (sp_test_wait_until (is_sensitive, sp_pbxis_window_get_log_button (panel, AGENT2, "sales"), 5000));

  gtk_window_destroy (GTK_WINDOW (panel));
  g_assert_finalize_object (panel);
}

/* A call that ends while pbxis-ws is down: the next ticket's snapshot does not name it,
 * and the view does not keep it. */
static void
test_panel_restart (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *call = NULL;
  SpPbxisWindow *panel;
  guint tickets;

  panel = g_object_ref_sink (sp_pbxis_window_new (get_source (fixture)));
  gtk_window_present (GTK_WINDOW (panel));

  assert_agent_text (panel, AGENT2, "Ready");
  call = sp_test_pbxis_server_queue_call (fixture->server, "sales", AGENT2, "0915551234",
                                          "ACME d.o.o.");
  assert_agent_text (panel, AGENT2, "Ready · ringing: 0915551234 (ACME d.o.o.)");
  sp_test_pbxis_server_answer (fixture->server, call);
  assert_agent_text (panel, AGENT2, "Ready · on a call with 0915551234 (ACME d.o.o.)");
  tickets = sp_test_pbxis_server_get_n_tickets (fixture->server);

  sp_test_pbxis_server_kill (fixture->server);
  sp_test_pbxis_server_hangup (fixture->server, call, 60, 0);
  sp_test_run_for (300);
  sp_test_pbxis_server_start (fixture->server, &error);
  g_assert_no_error (error);
  g_assert_true (sp_test_pbxis_server_wait_for_tickets (fixture->server, tickets + 1, 10000));
  assert_agent_text (panel, AGENT2, "Ready");

  gtk_window_destroy (GTK_WINDOW (panel));
  g_assert_finalize_object (panel);
}

static gboolean
is_status_asked (gpointer data)
{
  Fixture *fixture = data;

  return sp_test_pbxis_server_find_request (fixture->server, "GET", "/queue/status") != NULL;
}

/* GET /queue/status on connect fills in the queues' figures and members, and Refresh asks
 * again. */
static void
test_panel_queue_status (Fixture       *fixture,
                         gconstpointer  data)
{
  SpPbxisWindow *panel;
  GtkButton *refresh;

  panel = g_object_ref_sink (sp_pbxis_window_new (get_source (fixture)));
  gtk_window_present (GTK_WINDOW (panel));

  g_assert_true (sp_test_wait_until (is_status_asked, fixture, 5000));
  assert_details (panel, "sales",
                  "Statistics: 12 answered · 3 abandoned · average wait 0:45 · average talk 3:10\n"
                  "Ana Horvat: Active · 0 calls taken\n"
                  "Ivo Kovač: Active · 0 calls taken\n");
  assert_details (panel, "billing", "Statistics: 0 answered · 0 abandoned · average wait 0:00 · average talk 0:00\n");
  /* Nothing for a queue Asterisk does not have. */
  assert_details (panel, "marketing", "");
  /* Without the supervisor's option, nothing to reset. */
  g_assert_null (sp_pbxis_window_get_reset_button (panel, "sales"));

  /* Asterisk's figures move on without an event; Refresh shows them. */
  sp_test_pbxis_server_set_queue_stats (fixture->server, "sales", 13, 3, 40, 180);
  sp_test_pbxis_server_clear_requests (fixture->server);
  refresh = sp_pbxis_window_get_refresh_button (panel);
  click (refresh);
  g_assert_true (sp_test_wait_until (is_status_asked, fixture, 5000));
  assert_details (panel, "sales",
                  "Statistics: 13 answered · 3 abandoned · average wait 0:40 · average talk 3:00\n"
                  "Ana Horvat: Active · 0 calls taken\n"
                  "Ivo Kovač: Active · 0 calls taken\n");
  g_assert_true (sp_test_wait_until (is_sensitive, refresh, 5000));

  gtk_window_destroy (GTK_WINDOW (panel));
  g_assert_finalize_object (panel);
}

/* A supervisor resets a queue's statistics: POST /queue/reset, then the new figures. */
static void
test_panel_reset (Fixture       *fixture,
                  gconstpointer  data)
{
  SpPbxisWindow *panel;
  SpTestPbxisRequest *request;
  GtkButton *reset;

  panel = g_object_ref_sink (sp_pbxis_window_new (get_source (fixture)));
  gtk_window_present (GTK_WINDOW (panel));

  assert_details (panel, "sales",
                  "Statistics: 12 answered · 3 abandoned · average wait 0:45 · average talk 3:10\n"
                  "Ana Horvat: Active · 0 calls taken\n"
                  "Ivo Kovač: Active · 0 calls taken\n");
  reset = sp_pbxis_window_get_reset_button (panel, "sales");
  g_assert_nonnull (reset);
  g_assert_null (sp_pbxis_window_get_reset_button (panel, "nowhere"));

  click (reset);
  g_assert_true (sp_test_pbxis_server_wait_for_request (fixture->server, "POST", "/queue/reset", 5000));
  request = sp_test_pbxis_server_find_request (fixture->server, "POST", "/queue/reset");
  g_assert_cmpstr (json_object_get_string_member (request->params, "queue"), ==, "sales");
  g_assert_cmpint (sp_test_pbxis_server_get_queue_completed (fixture->server, "sales"), ==, 0);
  assert_details (panel, "sales",
                  "Statistics: 0 answered · 0 abandoned · average wait 0:00 · average talk 0:00\n"
                  "Ana Horvat: Active · 0 calls taken\n"
                  "Ivo Kovač: Active · 0 calls taken\n");
  g_assert_true (sp_test_wait_until (is_sensitive, reset, 5000));
  g_assert_null (sp_pbxis_window_get_error (panel));

  /* Asterisk's refusal shows. */
  sp_test_pbxis_server_fail_next_action (fixture->server, "Error encountered while resetting queue stats");
  click (reset);
  g_assert_true (sp_test_wait_until (has_error, panel, 5000));
  g_assert_cmpstr (sp_pbxis_window_get_error (panel), ==,
                   "Could not reset the statistics of queue sales: Error encountered while resetting queue stats");

  gtk_window_destroy (GTK_WINDOW (panel));
  g_assert_finalize_object (panel);
}

/* With summary events, QueueSummary and MemberSummary fill the queue's rows. */
static void
test_panel_summary (Fixture       *fixture,
                    gconstpointer  data)
{
  SpPbxisWindow *panel;

  panel = g_object_ref_sink (sp_pbxis_window_new (get_source (fixture)));
  gtk_window_present (GTK_WINDOW (panel));
  assert_shown (panel, "sales", "Active", "2 callers waiting");
  g_assert_true (sp_test_wait_until (is_status_asked, fixture, 5000));
  sp_test_run_for (200);

  /* Asterisk's figures move on; the next summary says so, without a Refresh. */
  sp_test_pbxis_server_set_queue_stats (fixture->server, "sales", 20, 5, 30, 120);
  sp_test_pbxis_server_set_member (fixture->server, "sales", AGENT, "paused");
  sp_test_pbxis_server_publish_summaries (fixture->server);
  assert_details (panel, "sales",
                  "Statistics: 20 answered · 5 abandoned · average wait 0:30 · average talk 2:00 · "
                  "80 % within service level · 1 agent free\n"
                  "Ana Horvat: Paused · 0 calls taken\n"
                  "Ivo Kovač: Active · 0 calls taken\n");

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

  click (sp_pbxis_window_get_pause_button (panel, AGENT, "sales"));
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
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (panel)), ==, "Front desk");
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
  g_test_add ("/pbxis-window/agents", Fixture, NULL, fixture_set_up, test_panel_agents,
              fixture_tear_down);
  g_test_add ("/pbxis-window/restart", Fixture, NULL, fixture_set_up, test_panel_restart,
              fixture_tear_down);
  g_test_add ("/pbxis-window/queue-status", Fixture, NULL, fixture_set_up,
              test_panel_queue_status, fixture_tear_down);
  g_test_add ("/pbxis-window/reset", Fixture, "supervisor=true", fixture_set_up,
              test_panel_reset, fixture_tear_down);
  g_test_add ("/pbxis-window/summary", Fixture, "summary-events=true", fixture_set_up,
              test_panel_summary, fixture_tear_down);
  g_test_add_func ("/pbxis-window/from-window", test_panel_from_window);
  g_test_add ("/pbxis-window/close-during-action", Fixture, NULL, fixture_set_up,
              test_panel_close_during_action, fixture_tear_down);

  return g_test_run ();
}
