/* test-pbxis-source.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pbxis backend through the whole pipeline, against the local pbxis-ws server and the
 * dbusmock notification daemon: queue calls that ring, are answered and hang up on each
 * transport, a direct call, a missed call, the server restarting and shutting down
 * (`closed`), fresh tickets on every connect, queue actions with Asterisk's errors,
 * click-to-dial, and hostile ticket answers (300 MB, 100 000 levels deep).
 */

#include "config.h"

#include <string.h>

#include <libnotify/notify.h>
#include <libsoup/soup.h>

#include "sp-account-list.h"
#include "sp-backoff.h"
#include "sp-call-tracker.h"
#include "sp-notifier.h"
#include "sp-pbxis-agent.h"
#include "sp-pbxis-source.h"
#include "sp-screenpop.h"
#include "sp-test-proxy.h"
#include "sp-test-engine.h"
#include "sp-test-hostile.h"
#include "sp-test-notify.h"
#include "sp-test-pbxis-server.h"
#include "sp-test-util.h"

#define AGENT "147"
#define QUEUE "q1"
#define CALLER "0915551234"
#define CALLER_NAME "ACME d.o.o."

typedef struct
{
  SpTestNotify      *notify;
  SpTestPbxisServer *server;
  GSettings         *settings;
  SpEngine          *engine;
  SpCallTracker     *tracker;
  SpNotifier        *notifier;
  SpAccountList        *accounts;
  SpScreenpop       *screenpop;
  SpAccount         *account;
  GPtrArray         *changes;     /* "NUMBER:STATE" of every state change, in order */
  GPtrArray         *finished;    /* (element-type SpCall) */
  const char        *transport;
} Fixture;

static void
changed_cb (SpCallTracker *tracker,
            SpCall        *call,
            gboolean       state_changed,
            Fixture       *fixture)
{
  const char *number = sp_call_get_number (call);

  if (state_changed)
    g_ptr_array_add (fixture->changes,
                     g_strdup_printf ("%s:%s", number ? number : "none",
                                      sp_call_state_to_string (sp_call_get_state (call))));

  if (sp_call_is_finished (call))
    g_ptr_array_add (fixture->finished, g_object_ref (call));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  GSettings *account_settings;
  GVariantBuilder options;
  const char *extensions[] = { AGENT, NULL };

  fixture->transport = data;
  fixture->notify = sp_test_notify_start (NULL);
  fixture->server = sp_test_pbxis_server_new (0, &error);
  g_assert_no_error (error);
  /* The real server's 15 s and 30 s, shortened so that tests see them happen. */
  sp_test_pbxis_server_set_unsub_delay (fixture->server, 1000);
  sp_test_pbxis_server_set_poll_timeout (fixture->server, 1500);
  sp_test_pbxis_server_set_agent_name (fixture->server, AGENT, "Ana Horvat");
  sp_test_pbxis_server_set_member (fixture->server, QUEUE, AGENT, "active");
  url = sp_test_pbxis_server_dup_url (fixture->server);

  fixture->settings = g_settings_new ("io.github.screenpop.Screenpop");
  fixture->engine = sp_test_engine_new (fixture->settings, NULL);
  fixture->tracker = sp_engine_get_tracker (fixture->engine);
  fixture->notifier = sp_engine_get_notifier (fixture->engine);
  fixture->accounts = sp_engine_get_accounts (fixture->engine);
  fixture->screenpop = sp_engine_get_screenpop (fixture->engine);
  fixture->changes = g_ptr_array_new_with_free_func (g_free);
  fixture->finished = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (fixture->tracker, "call-changed", G_CALLBACK (changed_cb), fixture);

  fixture->account = sp_account_new_transient ("pbx", "pbxis", "Call centre");
  account_settings = sp_account_get_settings (fixture->account);
  g_settings_set_string (account_settings, "url", url);
  g_settings_set_strv (account_settings, "extensions", extensions);

  g_variant_builder_init (&options, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&options, "{ss}", "transport", fixture->transport);
  g_variant_builder_add (&options, "{ss}", "queues", " " QUEUE " ,");
  g_variant_builder_add (&options, "{ss}", "poll-timeout", "2");
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
  g_clear_pointer (&fixture->changes, g_ptr_array_unref);
  g_clear_pointer (&fixture->finished, g_ptr_array_unref);
  g_clear_pointer (&fixture->server, sp_test_pbxis_server_free);
  /* libnotify keeps the session bus connection, which the private bus waits for. */
  notify_uninit ();
  sp_test_notify_stop (fixture->notify);
}

static SpSource *
get_source (Fixture *fixture)
{
  SpSource *source = sp_account_list_get_source (fixture->accounts, sp_account_get_id (fixture->account));

  g_assert_true (SP_IS_PBXIS_SOURCE (source));
  return source;
}

/* The status view's model, as the window reads it: AGENT, and its membership of QUEUE. */
static SpPbxisAgent *
lookup_agent (SpPbxisSource *source)
{
  return sp_pbxis_board_lookup_agent (sp_pbxis_source_get_board (source), AGENT);
}

static SpPbxisMemberStatus
get_membership (SpPbxisSource *source)
{
  SpPbxisAgent *agent = lookup_agent (source);

  return agent ? sp_pbxis_agent_get_membership (agent, QUEUE) : SP_PBXIS_MEMBER_UNKNOWN;
}

/* The callers waiting in QUEUE, -1 if unknown. */
static gint64
get_queue_count (SpPbxisSource *source)
{
  SpPbxisQueue *queue = sp_pbxis_board_lookup_queue (sp_pbxis_source_get_board (source), QUEUE);

  return queue ? queue->count : -1;
}

typedef struct
{
  Fixture    *fixture;
  const char *what;
} Seen;

static gboolean
has_change (gpointer data)
{
  Seen *seen = data;

  for (guint i = 0; i < seen->fixture->changes->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (seen->fixture->changes, i), seen->what))
        return TRUE;
    }

  return FALSE;
}

static gboolean
wait_change (Fixture    *fixture,
             const char *what,
             guint       timeout_ms)
{
  Seen seen = { fixture, what };

  return sp_test_wait_until (has_change, &seen, timeout_ms);
}

static guint
count_changes (Fixture    *fixture,
               const char *what)
{
  guint n = 0;

  for (guint i = 0; i < fixture->changes->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (fixture->changes, i), what))
        n++;
    }

  return n;
}

typedef struct
{
  Fixture    *fixture;
  const char *what;
  guint       n;
} Count;

static gboolean
has_count (gpointer data)
{
  Count *count = data;

  return count_changes (count->fixture, count->what) >= count->n;
}

static gboolean
wait_change_count (Fixture    *fixture,
                          const char *what,
                          guint       n,
                          guint       timeout_ms)
{
  Count count = { fixture, what, n };

  return sp_test_wait_until (has_count, &count, timeout_ms);
}

static gboolean
is_connected (gpointer data)
{
  return sp_source_get_state (get_source (data)) == SP_SOURCE_STATE_CONNECTED;
}

static gboolean
is_reconnecting (gpointer data)
{
  return sp_source_get_state (get_source (data)) == SP_SOURCE_STATE_RECONNECTING;
}

/* Connected, and the first read attached (the snapshot is delivered on it). */
static void
wait_connected (Fixture *fixture)
{
  g_assert_true (sp_test_wait_until (is_connected, fixture, 5000));
  g_assert_true (sp_test_pbxis_server_wait_for_attached (fixture->server, SP_TEST_PBXIS_NONE, 1, 5000));
  /* Let the snapshot arrive. */
  sp_test_run_for (300);
}

static SpCall *
find_finished (Fixture    *fixture,
               const char *number)
{
  for (guint i = 0; i < fixture->finished->len; i++)
    {
      SpCall *call = g_ptr_array_index (fixture->finished, i);

      if (g_strcmp0 (sp_call_get_number (call), number) == 0)
        return call;
    }

  return NULL;
}

static void
test_queue_call (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *call = NULL;
  g_autoptr(GPtrArray) notifies = NULL;
  SpTestNotifyCall *ring;
  JsonObject *params;
  JsonArray *agents;
  SpCall *ended;
  SpPbxisSource *source;

  wait_connected (fixture);

  /* The ticket asked for the agent as a JSON string, and the queue. */
  params = sp_test_pbxis_server_get_ticket_params (fixture->server,
                                                   sp_test_pbxis_server_get_last_ticket (fixture->server));
  g_assert_nonnull (params);
  agents = json_object_get_array_member (params, "agents");
  g_assert_cmpuint (json_array_get_length (agents), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (agents, 0), ==, AGENT);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (params, "queues"), 0), ==, QUEUE);
  g_assert_false (json_object_get_boolean_member (params, "summaryEvents"));

  /* The snapshot fed the agent panel's model. */
  source = SP_PBXIS_SOURCE (get_source (fixture));
  g_assert_cmpint (get_membership (source), ==, SP_PBXIS_MEMBER_ACTIVE);
  g_assert_cmpint (get_queue_count (source), ==, 0);
  g_assert_cmpstr (sp_pbxis_agent_get_name (lookup_agent (source)), ==, "Ana Horvat");

  call = sp_test_pbxis_server_queue_call (fixture->server, QUEUE, AGENT, CALLER, CALLER_NAME);
  g_assert_true (wait_change (fixture, CALLER ":ringing", 3000));
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 1, 3000));
  notifies = sp_test_notify_get_calls (fixture->notify, "Notify");
  ring = g_ptr_array_index (notifies, 0);
  g_assert_cmpstr (sp_test_notify_call_get_summary (ring), ==, CALLER_NAME " (" CALLER ")");
  g_assert_cmpint (get_queue_count (source), ==, 1);

  sp_test_pbxis_server_answer (fixture->server, call);
  g_assert_true (wait_change (fixture, CALLER ":answered", 3000));
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "CloseNotification", 1, 3000));

  sp_test_pbxis_server_hangup (fixture->server, call, 75, 12);
  g_assert_true (wait_change (fixture, CALLER ":ended", 3000));

  /* agentComplete's times are on the call's record. */
  ended = find_finished (fixture, CALLER);
  g_assert_nonnull (ended);
  g_assert_cmpstr (sp_call_get_queue (ended), ==, QUEUE);
  g_assert_cmpstr (sp_call_get_name (ended), ==, CALLER_NAME);
  g_assert_cmpstr (sp_call_get_exten (ended), ==, AGENT);
  g_assert_cmpstr (sp_call_get_var (ended, "talk-time"), ==, "75");
  g_assert_cmpstr (sp_call_get_var (ended, "hold-time"), ==, "12");

  /* One ring, one answer, one end: nothing twice. */
  g_assert_cmpuint (count_changes (fixture, CALLER ":ringing"), ==, 1);
  g_assert_cmpuint (fixture->changes->len, ==, 3);
  g_assert_cmpuint (sp_test_pbxis_server_get_n_tickets (fixture->server), ==, 1);
}

static void
test_missed_call (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *call = NULL;
  g_autoptr(GPtrArray) notifies = NULL;
  SpTestNotifyCall *last;

  wait_connected (fixture);

  call = sp_test_pbxis_server_queue_call (fixture->server, QUEUE, AGENT, CALLER, NULL);
  g_assert_true (wait_change (fixture, CALLER ":ringing", 3000));

  /* The caller gives up before the agent answers. */
  sp_test_pbxis_server_hangup (fixture->server, call, 0, 0);
  g_assert_true (wait_change (fixture, CALLER ":missed", 3000));
  g_assert_cmpuint (count_changes (fixture, CALLER ":answered"), ==, 0);

  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 2, 3000));
  notifies = sp_test_notify_get_calls (fixture->notify, "Notify");
  last = g_ptr_array_index (notifies, notifies->len - 1);
  g_assert_cmpstr (sp_test_notify_call_get_summary (last), ==, "Missed call from " CALLER);
}

static void
test_direct_call (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *call = NULL;
  g_autoptr(GPtrArray) notifies = NULL;
  SpTestNotifyCall *ring;
  SpCall *ended;

  wait_connected (fixture);

  /* Only the extension rings: a notification without a number. */
  call = sp_test_pbxis_server_direct_call (fixture->server, AGENT, "0991112222");
  g_assert_true (wait_change (fixture, "none:ringing", 3000));
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 1, 3000));
  notifies = sp_test_notify_get_calls (fixture->notify, "Notify");
  ring = g_ptr_array_index (notifies, 0);
  g_assert_cmpstr (sp_test_notify_call_get_summary (ring), ==, "Unknown caller");

  /* The number comes with the answer, to the same call. */
  sp_test_pbxis_server_answer (fixture->server, call);
  g_assert_true (wait_change (fixture, "0991112222:answered", 3000));

  sp_test_pbxis_server_hangup (fixture->server, call, 0, 0);
  g_assert_true (wait_change (fixture, "0991112222:ended", 3000));
  ended = find_finished (fixture, "0991112222");
  g_assert_nonnull (ended);
  g_assert_null (sp_call_get_queue (ended));
  g_assert_cmpuint (fixture->changes->len, ==, 3);
}

static void
test_direct_missed (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *call = NULL;

  wait_connected (fixture);

  call = sp_test_pbxis_server_direct_call (fixture->server, AGENT, "0991112222");
  g_assert_true (wait_change (fixture, "none:ringing", 3000));
  sp_test_pbxis_server_hangup (fixture->server, call, 0, 0);
  g_assert_true (wait_change (fixture, "none:missed", 3000));
}

static gboolean
server_restart_connected (gpointer data)
{
  Fixture *fixture = data;

  return is_connected (fixture) && sp_test_pbxis_server_get_n_tickets (fixture->server) >= 2;
}

static void
test_server_restart (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *first_ticket = NULL;
  g_autofree char *call = NULL;

  wait_connected (fixture);
  first_ticket = g_strdup (sp_test_pbxis_server_get_last_ticket (fixture->server));

  /* A crash: connections cut, tickets gone. */
  sp_test_pbxis_server_kill (fixture->server);
  g_assert_true (sp_test_wait_until (is_reconnecting, fixture, 5000));
  sp_test_pbxis_server_start (fixture->server, &error);
  g_assert_no_error (error);

  /* Back, with a new ticket (the first retry comes within a second). */
  g_assert_true (sp_test_wait_until (server_restart_connected, fixture, 5000));
  g_assert_true (sp_test_pbxis_server_wait_for_attached (fixture->server, SP_TEST_PBXIS_NONE, 1, 5000));
  g_assert_cmpstr (sp_test_pbxis_server_get_last_ticket (fixture->server), !=, first_ticket);
  sp_test_run_for (300);

  call = sp_test_pbxis_server_queue_call (fixture->server, QUEUE, AGENT, CALLER, CALLER_NAME);
  g_assert_true (wait_change (fixture, CALLER ":ringing", 3000));
}

static void
test_ringing_across_restart (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *call = NULL;

  wait_connected (fixture);
  call = sp_test_pbxis_server_queue_call (fixture->server, QUEUE, AGENT, CALLER, CALLER_NAME);
  g_assert_true (wait_change (fixture, CALLER ":ringing", 3000));

  /* pbxis-ws restarts while the call rings; the next ticket's snapshot repeats the call,
   * which must not ring twice. */
  sp_test_pbxis_server_kill (fixture->server);
  g_assert_true (sp_test_wait_until (is_reconnecting, fixture, 5000));
  sp_test_pbxis_server_start (fixture->server, &error);
  g_assert_no_error (error);
  g_assert_true (sp_test_wait_until (server_restart_connected, fixture, 5000));
  sp_test_run_for (500);
  g_assert_cmpuint (count_changes (fixture, CALLER ":ringing"), ==, 1);

  sp_test_pbxis_server_answer (fixture->server, call);
  g_assert_true (wait_change (fixture, CALLER ":answered", 3000));
  sp_test_pbxis_server_hangup (fixture->server, call, 10, 0);
  g_assert_true (wait_change (fixture, CALLER ":ended", 3000));
}

/* pbxis-ws down for a while, then back: connected with a new ticket and its stream attached
 * within 2 s of the server accepting connections again (issue 12). */
static void
test_outage (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 back;
  gint64 attached;

  wait_connected (fixture);

  sp_test_pbxis_server_kill (fixture->server);
  g_assert_true (sp_test_wait_until (is_reconnecting, fixture, 5000));
  /* Long enough for an exponential back-off to have grown past the bound. */
  sp_test_run_for (8000);

  sp_test_pbxis_server_start (fixture->server, &error);
  g_assert_no_error (error);
  back = g_get_monotonic_time ();
  g_assert_true (sp_test_wait_until (server_restart_connected, fixture, 5000));
  g_assert_true (sp_test_pbxis_server_wait_for_attached (fixture->server, SP_TEST_PBXIS_NONE, 1, 5000));
  attached = g_get_monotonic_time ();
  g_test_message ("attached %.2f s after pbxis-ws was back",
                  (attached - back) / (double) G_USEC_PER_SEC);
  g_assert_cmpint (attached - back, <=, 2 * G_USEC_PER_SEC);
}

/* What rings now is what the new ticket's snapshot says (issue 12): a call that started
 * while the link was down and still rings pops; one that started and ended meanwhile never
 * pops as ringing. */
static void
test_resync_after_outage (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *gone = NULL;
  g_autofree char *ringing = NULL;

  wait_connected (fixture);

  sp_test_pbxis_server_kill (fixture->server);
  g_assert_true (sp_test_wait_until (is_reconnecting, fixture, 5000));

  gone = sp_test_pbxis_server_queue_call (fixture->server, QUEUE, AGENT, "0993334444", NULL);
  sp_test_pbxis_server_hangup (fixture->server, gone, 0, 0);
  ringing = sp_test_pbxis_server_queue_call (fixture->server, QUEUE, AGENT, CALLER, CALLER_NAME);

  sp_test_pbxis_server_start (fixture->server, &error);
  g_assert_no_error (error);
  g_assert_true (sp_test_wait_until (server_restart_connected, fixture, 5000));
  g_assert_true (wait_change (fixture, CALLER ":ringing", 3000));
  sp_test_run_for (500);
  g_assert_cmpuint (count_changes (fixture, "0993334444:ringing"), ==, 0);

  sp_test_pbxis_server_hangup (fixture->server, ringing, 0, 0);
  g_assert_true (wait_change (fixture, CALLER ":missed", 3000));
}

/* pbxis-ws sends nothing for hours on a quiet line, so a link whose far end vanished
 * without a FIN is only noticed by TCP keepalive (here tuned by SCREENPOP_TCP_KEEPALIVE to
 * seconds). */
static void
test_dead_peer (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(SpTestProxy) proxy = NULL;
  g_autofree char *url = NULL;
  gint64 vanished;

  if (!sp_test_proxy_can_vanish ())
    {
      g_test_skip ("needs CAP_NET_ADMIN (TCP_REPAIR) to drop a connection without a FIN");
      return;
    }

  wait_connected (fixture);
  proxy = sp_test_proxy_new (sp_test_pbxis_server_get_port (fixture->server));
  url = g_strdup_printf ("http://127.0.0.1:%u", sp_test_proxy_get_port (proxy));
  g_settings_set_string (sp_account_get_settings (fixture->account), "url", url);
  g_assert_true (sp_test_pbxis_server_wait_for_tickets (fixture->server, 2, 5000));
  g_assert_true (sp_test_wait_until (is_connected, fixture, 5000));
  sp_test_run_for (300);

  g_assert_cmpuint (sp_test_proxy_vanish (proxy), >=, 1);
  vanished = g_get_monotonic_time ();
  g_assert_true (sp_test_wait_until (is_reconnecting, fixture, 15000));
  g_test_message ("noticed %.2f s after the peer vanished",
                  (g_get_monotonic_time () - vanished) / (double) G_USEC_PER_SEC);
  g_assert_cmpint (g_get_monotonic_time () - vanished, <=, 5 * G_USEC_PER_SEC);
  g_assert_true (sp_test_wait_until (is_connected, fixture, 5000));
}

static void
test_closed (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  SpSource *source;
  gint64 retry_in;

  wait_connected (fixture);
  source = get_source (fixture);

  /* POST /stop: `closed` on the stream, then the server goes. */
  sp_test_pbxis_server_shutdown (fixture->server);
  g_assert_true (sp_test_wait_until (is_reconnecting, fixture, 5000));
  g_assert_nonnull (strstr (sp_source_get_error_message (source), "shutting down"));

  /* A shutdown is not a blip: the next attempt is a while away. */
  retry_in = sp_source_get_retry_time (source) - g_get_monotonic_time ();
  g_assert_cmpint (retry_in, >=, (gint64) sp_backoff_delay_ms (SP_BACKOFF_SLOW_ATTEMPT, 0.0) * 1000 - G_USEC_PER_SEC);

  /* It comes back; the user does not want to wait. */
  sp_test_run_for (800);
  sp_test_pbxis_server_start (fixture->server, &error);
  g_assert_no_error (error);
  sp_source_retry_now (source);
  g_assert_true (sp_test_wait_until (server_restart_connected, fixture, 5000));
}

static void
test_fresh_ticket (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GHashTable) tickets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *requests;
  guint opens = 0;

  wait_connected (fixture);

  /* Reconnect a few times: never with a ticket used before (a dead one gives a WebSocket
   * that is accepted and silent for ever). */
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *prefix = NULL;

      sp_source_retry_now (get_source (fixture));
      g_assert_true (sp_test_pbxis_server_wait_for_tickets (fixture->server, i + 2, 5000));
      prefix = g_strdup_printf ("/%s/", sp_test_pbxis_server_get_last_ticket (fixture->server));
      g_assert_true (sp_test_pbxis_server_wait_for_request (fixture->server, "GET", prefix, 5000));
      g_assert_true (sp_test_wait_until (is_connected, fixture, 5000));
    }

  requests = sp_test_pbxis_server_get_requests (fixture->server);
  for (guint i = 0; i < requests->len; i++)
    {
      SpTestPbxisRequest *request = g_ptr_array_index (requests, i);
      g_auto(GStrv) parts = g_strsplit (request->path + 1, "/", -1);

      if (g_strv_length (parts) != 2 || !g_str_equal (parts[1], fixture->transport))
        continue;

      /* The streams open each ticket once; long-poll reads one ticket many times. */
      if (!g_str_equal (fixture->transport, "long-poll"))
        g_assert_false (g_hash_table_contains (tickets, parts[0]));
      g_hash_table_add (tickets, g_strdup (parts[0]));
      opens++;
    }

  g_assert_cmpuint (sp_test_pbxis_server_get_n_tickets (fixture->server), ==, 4);
  g_assert_cmpuint (g_hash_table_size (tickets), ==, 4);
  g_assert_cmpuint (opens, >=, 4);
}

typedef struct
{
  Fixture    *fixture;
  const char *words;
} ErrorWait;

static gboolean
error_says (gpointer data)
{
  ErrorWait *wait = data;
  const char *message = sp_source_get_error_message (get_source (wait->fixture));

  return message != NULL && strstr (message, wait->words) != NULL;
}

/* POST /ticket answers with @hostile: the attempt fails with @words, without the process
 * holding the answer; the source keeps trying, and connects once tickets come again. */
static void
check_hostile_ticket (Fixture       *fixture,
                      SpTestHostile  hostile,
                      const char    *words)
{
  const SpTestHostileStats *stats = sp_test_pbxis_server_get_hostile_stats (fixture->server);
  ErrorWait wait = { fixture, words };
  SpTestHostileProbe probe;

  wait_connected (fixture);
  sp_test_hostile_probe_start (&probe, stats);

  sp_test_pbxis_server_set_ticket_answer (fixture->server, hostile);
  sp_source_retry_now (get_source (fixture));

  g_assert_true (sp_test_wait_until (error_says, &wait, 10000));
  g_test_message ("%s", sp_source_get_error_message (get_source (fixture)));
  g_assert_cmpint (sp_source_get_state (get_source (fixture)), ==, SP_SOURCE_STATE_RECONNECTING);
  sp_test_hostile_probe_assert_not_held (&probe, 10000);

  /* Still alive: it asks again, and connects when the server is itself again. */
  g_assert_true (sp_test_hostile_wait_answers (stats, 2, 10000));
  sp_test_pbxis_server_set_ticket_answer (fixture->server, SP_TEST_HOSTILE_NONE);
  g_assert_true (sp_test_wait_until (is_connected, fixture, 10000));
}

/* The ticket answer is 300 MB: refused at the reader's limit, not allocated. */
static void
test_huge_ticket (Fixture       *fixture,
                  gconstpointer  data)
{
  check_hostile_ticket (fixture, SP_TEST_HOSTILE_HUGE, "too large");
}

/* The ticket answer nests 100 000 deep: refused at the reader's depth, instead of
 * overflowing json-glib's stack. */
static void
test_deep_ticket (Fixture       *fixture,
                  gconstpointer  data)
{
  check_hostile_ticket (fixture, SP_TEST_HOSTILE_DEEP, "deeper than");
}

/* Silence is normal: no heartbeat, and no liveness timeout on our side. A long-poll is
 * answered `[]` after the server's poll timeout and polled again at once, so the ticket
 * never expires. */
static void
test_idle (Fixture       *fixture,
           gconstpointer  data)
{
  g_autofree char *call = NULL;
  const char *ticket;

  wait_connected (fixture);
  ticket = sp_test_pbxis_server_get_last_ticket (fixture->server);

  sp_test_run_for (4000);

  g_assert_cmpint (sp_source_get_state (get_source (fixture)), ==, SP_SOURCE_STATE_CONNECTED);
  g_assert_cmpuint (sp_test_pbxis_server_get_n_tickets (fixture->server), ==, 1);
  g_assert_true (sp_test_pbxis_server_has_ticket (fixture->server, ticket));

  call = sp_test_pbxis_server_queue_call (fixture->server, QUEUE, AGENT, CALLER, CALLER_NAME);
  g_assert_true (wait_change (fixture, CALLER ":ringing", 3000));
}

static gboolean
performed_cb_done (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Performs @action and returns the error, or %NULL on success. */
static GError *
perform (Fixture        *fixture,
         SpSourceAction  action,
         const char     *param)
{
  SpSource *source = get_source (fixture);
  g_autoptr(GAsyncResult) result = NULL;
  GError *error = NULL;

  g_assert_true (sp_source_can_perform (source, action));
  sp_source_perform_async (source, action, NULL, param ? g_variant_new_string (param) : NULL,
                           NULL, store_result_cb, &result);
  g_assert_true (sp_test_wait_until (performed_cb_done, &result, 5000));

  if (sp_source_perform_finish (source, result, &error))
    g_assert_no_error (error);

  return error;
}

static gboolean
member_is (gpointer data)
{
  gpointer *args = data;
  Fixture *fixture = args[0];

  return get_membership (SP_PBXIS_SOURCE (get_source (fixture))) == GPOINTER_TO_INT (args[1]);
}

static void
wait_member (Fixture             *fixture,
             SpPbxisMemberStatus  status)
{
  gpointer args[2] = { fixture, GINT_TO_POINTER (status) };

  g_assert_true (sp_test_wait_until (member_is, args, 3000));
}

static gboolean
agent_is (gpointer data)
{
  gpointer *args = data;
  Fixture *fixture = args[0];

  return sp_source_get_agent_state (get_source (fixture)) == (SpAgentState) GPOINTER_TO_INT (args[1]);
}

static void
wait_agent (Fixture      *fixture,
            SpAgentState  state)
{
  gpointer args[2] = { fixture, GINT_TO_POINTER (state) };

  g_assert_true (sp_test_wait_until (agent_is, args, 3000));
}

static void
test_queue_actions (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  SpTestPbxisRequest *request;
  JsonNode *paused;

  wait_connected (fixture);

  /* Pause: a JSON body with a real boolean, sent as JSON. */
  error = perform (fixture, SP_SOURCE_ACTION_QUEUE_PAUSE, QUEUE);
  g_assert_no_error (error);
  request = sp_test_pbxis_server_find_request (fixture->server, "POST", "/queue/pause");
  g_assert_nonnull (request);
  g_assert_cmpstr (request->content_type, ==, "application/json");
  g_assert_cmpstr (json_object_get_string_member (request->params, "queue"), ==, QUEUE);
  g_assert_cmpstr (json_object_get_string_member (request->params, "agent"), ==, AGENT);
  paused = json_object_get_member (request->params, "paused");
  g_assert_cmpint (json_node_get_value_type (paused), ==, G_TYPE_BOOLEAN);
  g_assert_true (json_node_get_boolean (paused));
  g_assert_cmpstr (sp_test_pbxis_server_get_member (fixture->server, QUEUE, AGENT), ==, "paused");
  /* And the stream tells the panel; paused in its only queue, the agent is paused. */
  wait_member (fixture, SP_PBXIS_MEMBER_PAUSED);
  wait_agent (fixture, SP_AGENT_STATE_PAUSED);

  error = perform (fixture, SP_SOURCE_ACTION_QUEUE_UNPAUSE, QUEUE);
  g_assert_no_error (error);
  wait_member (fixture, SP_PBXIS_MEMBER_ACTIVE);
  wait_agent (fixture, SP_AGENT_STATE_READY);

  /* Asterisk refuses, pbxis-ws answers HTTP 200: still an error, with Asterisk's words. */
  sp_test_pbxis_server_fail_next_action (fixture->server, "Interface not found");
  error = perform (fixture, SP_SOURCE_ACTION_QUEUE_PAUSE, QUEUE);
  g_assert_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "Could not pause agent " AGENT " in queue " QUEUE ": Interface not found");
  g_clear_error (&error);
  g_assert_cmpstr (sp_test_pbxis_server_get_member (fixture->server, QUEUE, AGENT), ==, "active");

  /* Log on when already on. */
  error = perform (fixture, SP_SOURCE_ACTION_QUEUE_ADD, QUEUE);
  g_assert_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "Unable to add interface: Already there"));
  g_clear_error (&error);

  error = perform (fixture, SP_SOURCE_ACTION_QUEUE_REMOVE, QUEUE);
  g_assert_no_error (error);
  wait_member (fixture, SP_PBXIS_MEMBER_LOGGEDOFF);
  wait_agent (fixture, SP_AGENT_STATE_LOGGED_OUT);

  error = perform (fixture, SP_SOURCE_ACTION_QUEUE_ADD, QUEUE);
  g_assert_no_error (error);
  wait_member (fixture, SP_PBXIS_MEMBER_ACTIVE);

  /* A queue action needs a queue. */
  error = perform (fixture, SP_SOURCE_ACTION_QUEUE_PAUSE, NULL);
  g_assert_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED);
  g_clear_error (&error);

  /* The agent-wide pause (the tray's): no queue, so Asterisk pauses every membership. */
  wait_agent (fixture, SP_AGENT_STATE_READY);
  sp_test_pbxis_server_clear_requests (fixture->server);
  error = perform (fixture, SP_SOURCE_ACTION_PAUSE, NULL);
  g_assert_no_error (error);
  request = sp_test_pbxis_server_find_request (fixture->server, "POST", "/queue/pause");
  g_assert_nonnull (request);
  g_assert_false (json_object_has_member (request->params, "queue"));
  g_assert_cmpstr (json_object_get_string_member (request->params, "agent"), ==, AGENT);
  g_assert_true (json_object_get_boolean_member (request->params, "paused"));
  wait_agent (fixture, SP_AGENT_STATE_PAUSED);
  g_assert_cmpint (get_membership (SP_PBXIS_SOURCE (get_source (fixture))),
                   ==, SP_PBXIS_MEMBER_PAUSED);

  error = perform (fixture, SP_SOURCE_ACTION_UNPAUSE, NULL);
  g_assert_no_error (error);
  wait_agent (fixture, SP_AGENT_STATE_READY);

  sp_test_pbxis_server_fail_next_action (fixture->server, "Interface not found");
  error = perform (fixture, SP_SOURCE_ACTION_PAUSE, NULL);
  g_assert_cmpstr (error->message, ==, "Could not pause agent " AGENT ": Interface not found");
  g_clear_error (&error);

  g_assert_false (sp_source_can_perform (get_source (fixture), SP_SOURCE_ACTION_ANSWER));
}

static void
test_dial (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  SpTestPbxisRequest *request;
  const char *call;
  SpCall *ended;

  wait_connected (fixture);

  error = perform (fixture, SP_SOURCE_ACTION_DIAL, "tel:+385 91 555-1234");
  g_assert_no_error (error);
  request = sp_test_pbxis_server_find_request (fixture->server, "POST", "/originate/");
  g_assert_nonnull (request);
  /* Escaped, so that the server dials the "+": its router reads a raw "+" as a space. */
  g_assert_cmpstr (request->path, ==, "/originate/" AGENT "/%2B385915551234");
  g_assert_cmpstr (request->dialled, ==, "+385915551234");
  g_assert_cmpuint (request->status, ==, 200);

  /* Asterisk rings the agent's own phone first, then connects the number: an outgoing
   * call, answered, and never an incoming ring. */
  g_assert_true (wait_change (fixture, "+385915551234:answered", 3000));
  sp_test_run_for (300);
  g_assert_cmpuint (count_changes (fixture, "none:ringing"), ==, 0);
  g_assert_cmpuint (sp_test_notify_count (fixture->notify, "Notify"), ==, 0);

  call = sp_test_pbxis_server_get_agent_call (fixture->server, AGENT);
  sp_test_pbxis_server_hangup (fixture->server, call, 0, 0);
  g_assert_true (wait_change (fixture, "+385915551234:ended", 3000));
  ended = find_finished (fixture, "+385915551234");
  g_assert_cmpint (sp_call_get_direction (ended), ==, SP_CALL_DIRECTION_OUTGOING);

  /* An E.164 number as typed, without a tel: scheme: the server dials it with its "+". */
  sp_test_pbxis_server_clear_requests (fixture->server);
  error = perform (fixture, SP_SOURCE_ACTION_DIAL, "+385915551235");
  g_assert_no_error (error);
  request = sp_test_pbxis_server_find_request (fixture->server, "POST", "/originate/");
  g_assert_nonnull (request);
  g_assert_cmpstr (request->dialled, ==, "+385915551235");
  g_assert_true (wait_change (fixture, "+385915551235:answered", 3000));

  /* Not a number: refused before anything is sent. */
  error = perform (fixture, SP_SOURCE_ACTION_DIAL, "call me");
  g_assert_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED);
}

/* Performs @action and waits up to @timeout_ms for its end; returns the error, or %NULL,
 * and in @elapsed_ms how long the perform took. */
static GError *
perform_wait (Fixture        *fixture,
              SpSourceAction  action,
              const char     *param,
              guint           timeout_ms,
              gint64         *elapsed_ms)
{
  SpSource *source = get_source (fixture);
  g_autoptr(GAsyncResult) result = NULL;
  GError *error = NULL;
  gint64 start = g_get_monotonic_time ();

  sp_source_perform_async (source, action, NULL, param ? g_variant_new_string (param) : NULL,
                           NULL, store_result_cb, &result);
  g_assert_true (sp_test_wait_until (performed_cb_done, &result, timeout_ms));
  *elapsed_ms = (g_get_monotonic_time () - start) / 1000;

  if (sp_source_perform_finish (source, result, &error))
    g_assert_no_error (error);

  return error;
}

/* A direct call rings at once and shows: no dial, pending or over, swallows it. */
static void
assert_direct_call_rings (Fixture *fixture)
{
  g_autofree char *call = NULL;
  guint before = count_changes (fixture, "none:ringing");

  call = sp_test_pbxis_server_direct_call (fixture->server, AGENT, "0981234567");
  g_assert_true (wait_change_count (fixture, "none:ringing", before + 1, 3000));
  sp_test_pbxis_server_hangup (fixture->server, call, 0, 0);
  g_assert_true (wait_change (fixture, "none:missed", 3000));
}

/* Asterisk refuses the originate, and pbxis-ws answers an action id all the same
 * (pbxis.clj lines 86-96): the agent's phone never rings. The dial fails, saying so, once
 * the phone had its time to ring (10 s), and a ring after that is an incoming call. */
static void
test_dial_refused (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  SpTestPbxisRequest *request;
  gint64 elapsed_ms;

  wait_connected (fixture);
  sp_test_pbxis_server_set_originate (fixture->server, SP_TEST_PBXIS_ORIGINATE_REFUSED, 50);

  error = perform_wait (fixture, SP_SOURCE_ACTION_DIAL, CALLER, 30000, &elapsed_ms);
  g_test_message ("The refused dial failed after %" G_GINT64_FORMAT " ms", elapsed_ms);
  request = sp_test_pbxis_server_find_request (fixture->server, "POST", "/originate/");
  g_assert_nonnull (request);
  g_assert_cmpuint (request->status, ==, 200);
  g_assert_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "Could not call " CALLER " from " AGENT ": the phone of "
                   "extension " AGENT " did not ring; Asterisk did not place the call");
  /* Within the bound: 10 s for the phone to ring, and the rest is the machine's load. */
  g_assert_cmpint (elapsed_ms, >=, 9000);
  g_assert_cmpint (elapsed_ms, <=, 10000 + 5000);
  g_assert_cmpuint (fixture->changes->len, ==, 0);

  assert_direct_call_rings (fixture);
}

/* The agent's phone rings for the dial and nobody picks it up: Asterisk gives up, and
 * pbxis's originateFailed names the dialled number as its agent, which the ticket filters
 * out. The dial fails as soon as the phone is idle again, and no call is recorded. */
static void
test_dial_not_picked_up (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 elapsed_ms;

  wait_connected (fixture);
  sp_test_pbxis_server_set_originate (fixture->server, SP_TEST_PBXIS_ORIGINATE_NO_PICKUP, 500);

  error = perform_wait (fixture, SP_SOURCE_ACTION_DIAL, CALLER, 10000, &elapsed_ms);
  g_test_message ("The dial nobody picked up failed after %" G_GINT64_FORMAT " ms", elapsed_ms);
  g_assert_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "Could not call " CALLER " from " AGENT ": nobody picked "
                   "up extension " AGENT);
  g_assert_cmpint (elapsed_ms, <, 5000);
  sp_test_run_for (300);
  g_assert_cmpuint (fixture->changes->len, ==, 0);
  g_assert_cmpuint (sp_test_notify_count (fixture->notify, "Notify"), ==, 0);

  assert_direct_call_rings (fixture);
}

/* The dialplan dials +385… as 0…, so the Bridge names the number otherwise than we dialled
 * it (app_dial.c lines 2492-2502): still our outgoing call, under the number dialled, never
 * an answered incoming call; and the next ring is an incoming call at once. */
static void
test_dial_renamed (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *call;
  SpCall *ended;

  wait_connected (fixture);
  sp_test_pbxis_server_set_dialplan_rewrite (fixture->server, "+385", "0");

  error = perform (fixture, SP_SOURCE_ACTION_DIAL, "+385915551234");
  g_assert_no_error (error);
  g_assert_true (wait_change (fixture, "+385915551234:answered", 3000));
  sp_test_run_for (300);
  g_assert_cmpuint (fixture->changes->len, ==, 1);

  call = sp_test_pbxis_server_get_agent_call (fixture->server, AGENT);
  sp_test_pbxis_server_hangup (fixture->server, call, 0, 0);
  g_assert_true (wait_change (fixture, "+385915551234:ended", 3000));
  ended = find_finished (fixture, "+385915551234");
  g_assert_cmpint (sp_call_get_direction (ended), ==, SP_CALL_DIRECTION_OUTGOING);
  g_assert_null (find_finished (fixture, "0915551234"));

  assert_direct_call_rings (fixture);
}

/* The agent picks up, the number does not answer and the agent hangs up: the dial was
 * placed; the outgoing call is on the record, ended. */
static void
test_dial_no_answer (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  SpCall *ended;

  wait_connected (fixture);
  sp_test_pbxis_server_set_originate (fixture->server, SP_TEST_PBXIS_ORIGINATE_NO_ANSWER, 200);

  error = perform (fixture, SP_SOURCE_ACTION_DIAL, CALLER);
  g_assert_no_error (error);
  g_assert_true (wait_change (fixture, CALLER ":ended", 3000));
  ended = find_finished (fixture, CALLER);
  g_assert_cmpint (sp_call_get_direction (ended), ==, SP_CALL_DIRECTION_OUTGOING);
  g_assert_cmpuint (count_changes (fixture, "none:ringing"), ==, 0);

  assert_direct_call_rings (fixture);
}

/* The dials of the overlap tests, as typed: the third as a browser hands over a tel: link. */
static const char * const overlap_typed[] = { "0312345678", "+385915551234", "tel:+81-3-1234-5678" };
static const char * const overlap_dialled[] = { "0312345678", "+385915551234", "+81312345678" };

typedef struct
{
  GAsyncResult *result;
  gint64        start;
  gint64        elapsed_ms;
} DialWait;

static void
dial_wait_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  DialWait *wait = user_data;

  wait->result = g_object_ref (result);
  wait->elapsed_ms = (g_get_monotonic_time () - wait->start) / 1000;
}

static void
dial_async (Fixture    *fixture,
            const char *number,
            DialWait   *wait)
{
  wait->result = NULL;
  wait->start = g_get_monotonic_time ();
  sp_source_perform_async (get_source (fixture), SP_SOURCE_ACTION_DIAL, NULL,
                           g_variant_new_string (number), NULL, dial_wait_cb, wait);
}

static gboolean
no_originate_under_way (gpointer data)
{
  return sp_test_pbxis_server_get_n_originating (data) == 0;
}

static gboolean
finished_enough (gpointer data)
{
  gpointer *args = data;
  Fixture *fixture = args[0];

  return fixture->finished->len >= GPOINTER_TO_UINT (args[1]);
}

/* Waits up to @timeout_ms for the dial's end; returns its error, or %NULL if it was placed. */
static GError *
dial_finish (Fixture  *fixture,
             DialWait *wait,
             guint     timeout_ms)
{
  GError *error = NULL;

  g_assert_true (sp_test_wait_until (performed_cb_done, &wait->result, timeout_ms));
  if (sp_source_perform_finish (get_source (fixture), wait->result, &error))
    g_assert_no_error (error);
  g_clear_object (&wait->result);

  return error;
}

/* The agent hangs up every call, the newest first, and each one ends: @n_finished calls
 * are over in all. */
static void
hang_up_all (Fixture *fixture,
             guint    n_finished)
{
  gpointer args[] = { fixture, GUINT_TO_POINTER (n_finished) };
  const char *call;

  g_assert_true (sp_test_wait_until (no_originate_under_way, fixture->server, 10000));
  while ((call = sp_test_pbxis_server_get_agent_call (fixture->server, AGENT)) != NULL)
    sp_test_pbxis_server_hangup (fixture->server, call, 0, 0);
  g_assert_true (sp_test_wait_until (finished_enough, args, 5000));
  /* And nothing more ends. */
  sp_test_run_for (300);
}

/* The three dials were placed, each as one outgoing call under the number dialled, and
 * nothing rang in: no incoming call, answered or missed. */
static void
assert_overlap_calls (Fixture *fixture,
                      guint    round)
{
  for (guint i = 0; i < G_N_ELEMENTS (overlap_dialled); i++)
    {
      g_autofree char *answered = g_strdup_printf ("%s:answered", overlap_dialled[i]);

      g_assert_true (wait_change_count (fixture, answered, round, 3000));
    }
  hang_up_all (fixture, round * G_N_ELEMENTS (overlap_dialled));
  g_assert_cmpuint (count_changes (fixture, "none:ringing"), ==, 0);
  g_assert_cmpuint (fixture->finished->len, ==, round * G_N_ELEMENTS (overlap_dialled));
  for (guint i = 0; i < fixture->finished->len; i++)
    {
      SpCall *call = g_ptr_array_index (fixture->finished, i);

      g_assert_cmpint (sp_call_get_direction (call), ==, SP_CALL_DIRECTION_OUTGOING);
      g_assert_true (g_strv_contains ((const char * const *) overlap_dialled,
                                      sp_call_get_number (call)));
    }
  g_assert_cmpuint (sp_test_notify_count (fixture->notify, "Notify"), ==, 0);
}

/* An agent dials while earlier dialled calls are still on (the customer on hold, a
 * colleague called): chan_sip shows the phone as onhold as long as a call is held, so pbxis
 * (which drops a repeated extensionStatus, pbxis.clj pbxis-event-filter) reports neither
 * the ring nor the pick-up of the next dial; and dials sent in a row overlap in Asterisk, so
 * the rings and pick-ups of several come mixed. Every placed dial is placed, at Asterisk's
 * pace (never a "could not call" 10 or 40 s later), and a refused one still fails after its
 * 10 s. @step_ms is Asterisk's pace. */
static void
check_dials_overlap (Fixture *fixture,
                     guint    step_ms)
{
  DialWait waits[G_N_ELEMENTS (overlap_typed)] = { { 0 } };
  g_autoptr(GError) error = NULL;
  DialWait refused = { 0 };

  wait_connected (fixture);
  sp_test_pbxis_server_set_originate (fixture->server, SP_TEST_PBXIS_ORIGINATE_CONNECT, step_ms);

  /* One after the other, each once the last is placed, no call hung up. */
  for (guint i = 0; i < G_N_ELEMENTS (overlap_typed); i++)
    {
      g_autofree char *answered = g_strdup_printf ("%s:answered", overlap_dialled[i]);

      dial_async (fixture, overlap_typed[i], &waits[i]);
      error = dial_finish (fixture, &waits[i], 15000);
      g_test_message ("Dial %u, placed on a phone with %u calls, ended after %" G_GINT64_FORMAT " ms",
                      i, i, waits[i].elapsed_ms);
      g_assert_no_error (error);
      g_assert_cmpint (waits[i].elapsed_ms, <, 5000);
      g_assert_true (wait_change (fixture, answered, 3000));
      g_assert_true (sp_test_wait_until (no_originate_under_way, fixture->server, 5000));
    }
  assert_overlap_calls (fixture, 1);

  /* All three at once: Asterisk works on them together. */
  for (guint i = 0; i < G_N_ELEMENTS (overlap_typed); i++)
    dial_async (fixture, overlap_typed[i], &waits[i]);
  for (guint i = 0; i < G_N_ELEMENTS (overlap_typed); i++)
    {
      error = dial_finish (fixture, &waits[i], 15000);
      g_test_message ("Dial %u of three at once ended after %" G_GINT64_FORMAT " ms", i,
                      waits[i].elapsed_ms);
      g_assert_no_error (error);
      g_assert_cmpint (waits[i].elapsed_ms, <, 5000);
    }
  assert_overlap_calls (fixture, 2);

  /* A dial Asterisk refuses while the one before it is under way: the phone never rings
   * for it, so it fails after its 10 s, and the other is placed. */
  sp_test_pbxis_server_clear_requests (fixture->server);
  dial_async (fixture, overlap_typed[0], &waits[0]);
  g_assert_true (sp_test_pbxis_server_wait_for_request (fixture->server, "POST", "/originate/", 5000));
  sp_test_pbxis_server_set_originate (fixture->server, SP_TEST_PBXIS_ORIGINATE_REFUSED, step_ms);
  sp_test_pbxis_server_clear_requests (fixture->server);
  dial_async (fixture, "0991112222", &refused);
  g_assert_true (sp_test_pbxis_server_wait_for_request (fixture->server, "POST", "/originate/", 5000));
  sp_test_pbxis_server_set_originate (fixture->server, SP_TEST_PBXIS_ORIGINATE_CONNECT, step_ms);
  error = dial_finish (fixture, &waits[0], 15000);
  g_assert_no_error (error);
  error = dial_finish (fixture, &refused, 20000);
  g_test_message ("The refused dial failed after %" G_GINT64_FORMAT " ms", refused.elapsed_ms);
  g_assert_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "Could not call 0991112222 from " AGENT ": the phone of "
                   "extension " AGENT " did not ring; Asterisk did not place the call");
  g_assert_cmpint (refused.elapsed_ms, >=, 9000);
  g_assert_cmpint (refused.elapsed_ms, <=, 10000 + 5000);
  g_assert_true (wait_change_count (fixture, "0312345678:answered", 3, 3000));
  g_assert_cmpuint (count_changes (fixture, "0991112222:answered"), ==, 0);
  g_assert_cmpuint (count_changes (fixture, "none:ringing"), ==, 0);

  assert_direct_call_rings (fixture);
}

static void
test_dials_overlap (Fixture       *fixture,
                    gconstpointer  data)
{
  check_dials_overlap (fixture, 50);
}

static void
test_dials_overlap_fast (Fixture       *fixture,
                         gconstpointer  data)
{
  check_dials_overlap (fixture, 5);
}

static void
test_dials_overlap_slow (Fixture       *fixture,
                         gconstpointer  data)
{
  check_dials_overlap (fixture, 300);
}

/* Asterisk 12 and later: no Bridge event, so pbxis never learns the number of an answered
 * call. A direct call is an unknown caller from ring to end; a queue call keeps the number
 * it rang with; a dial is recorded under the number dialled. */
static void
test_asterisk12 (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *direct = NULL;
  g_autofree char *queued = NULL;
  g_autofree char *title = NULL;
  const char *dialled;
  SpCall *ended;

  wait_connected (fixture);
  sp_test_pbxis_server_set_asterisk12 (fixture->server, TRUE);

  direct = sp_test_pbxis_server_direct_call (fixture->server, AGENT, "0991112222");
  g_assert_true (wait_change (fixture, "none:ringing", 3000));
  sp_test_pbxis_server_answer (fixture->server, direct);
  g_assert_true (wait_change (fixture, "none:answered", 3000));
  sp_test_pbxis_server_hangup (fixture->server, direct, 0, 0);
  g_assert_true (wait_change (fixture, "none:ended", 3000));
  ended = find_finished (fixture, NULL);
  g_assert_nonnull (ended);
  title = sp_call_dup_title (ended);
  g_assert_cmpstr (title, ==, "Unknown caller");

  queued = sp_test_pbxis_server_queue_call (fixture->server, QUEUE, AGENT, CALLER, CALLER_NAME);
  g_assert_true (wait_change (fixture, CALLER ":ringing", 3000));
  sp_test_pbxis_server_answer (fixture->server, queued);
  g_assert_true (wait_change (fixture, CALLER ":answered", 3000));
  sp_test_pbxis_server_hangup (fixture->server, queued, 30, 0);
  g_assert_true (wait_change (fixture, CALLER ":ended", 3000));
  g_assert_cmpstr (sp_call_get_var (find_finished (fixture, CALLER), "talk-time"), ==, "30");

  error = perform (fixture, SP_SOURCE_ACTION_DIAL, "0981234567");
  g_assert_no_error (error);
  g_assert_true (wait_change (fixture, "0981234567:answered", 3000));
  sp_test_run_for (300);
  dialled = sp_test_pbxis_server_get_agent_call (fixture->server, AGENT);
  sp_test_pbxis_server_hangup (fixture->server, dialled, 0, 0);
  g_assert_true (wait_change (fixture, "0981234567:ended", 3000));
  g_assert_cmpint (sp_call_get_direction (find_finished (fixture, "0981234567")), ==,
                   SP_CALL_DIRECTION_OUTGOING);
  g_assert_cmpuint (fixture->changes->len, ==, 8);

  assert_direct_call_rings (fixture);
}

/* Call waiting: a second queue call rings during the first and nobody takes it. It is
 * missed under its own number (pbxis's fallback to the first number does not answer it),
 * and the first call goes on to its own end. Then a direct call during the first, taken
 * (the first on hold): answered, named by its Bridge, and over before the first. */
static void
test_call_waiting (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;
  SpCall *ended;

  wait_connected (fixture);

  first = sp_test_pbxis_server_queue_call (fixture->server, QUEUE, AGENT, CALLER, CALLER_NAME);
  g_assert_true (wait_change (fixture, CALLER ":ringing", 3000));
  sp_test_pbxis_server_answer (fixture->server, first);
  g_assert_true (wait_change (fixture, CALLER ":answered", 3000));

  second = sp_test_pbxis_server_queue_call (fixture->server, QUEUE, AGENT, "0991112222", "Other");
  g_assert_true (wait_change (fixture, "0991112222:ringing", 3000));
  sp_test_pbxis_server_hangup (fixture->server, second, 0, 0);
  g_assert_true (wait_change (fixture, "0991112222:missed", 3000));
  sp_test_run_for (1500);
  g_assert_cmpuint (count_changes (fixture, CALLER ":ended"), ==, 0);
  g_assert_cmpuint (count_changes (fixture, CALLER ":answered"), ==, 1);
  g_assert_cmpuint (count_changes (fixture, "0991112222:answered"), ==, 0);
  g_assert_cmpuint (fixture->finished->len, ==, 1);

  third = sp_test_pbxis_server_direct_call (fixture->server, AGENT, "0981234567");
  g_assert_true (wait_change (fixture, "none:ringing", 3000));
  sp_test_pbxis_server_answer (fixture->server, third);
  g_assert_true (wait_change (fixture, "0981234567:answered", 3000));
  sp_test_pbxis_server_hangup (fixture->server, third, 0, 0);
  g_assert_true (wait_change (fixture, "0981234567:ended", 3000));
  sp_test_run_for (1500);
  g_assert_cmpuint (count_changes (fixture, CALLER ":ended"), ==, 0);

  sp_test_pbxis_server_hangup (fixture->server, first, 95, 3);
  g_assert_true (wait_change (fixture, CALLER ":ended", 3000));
  ended = find_finished (fixture, CALLER);
  g_assert_cmpstr (sp_call_get_var (ended, "talk-time"), ==, "95");
  g_assert_cmpuint (fixture->finished->len, ==, 3);
  g_assert_cmpuint (fixture->changes->len, ==, 8);
}

/* An extensionStatus without a state ("" from pbxis) is an event like any other, and
 * changes nothing. */
static void
test_empty_extension_status (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(SpTestLogCapture) capture = sp_test_log_capture_new ("sp-pbxis");
  g_autofree char *call = NULL;

  wait_connected (fixture);

  call = sp_test_pbxis_server_direct_call (fixture->server, AGENT, "0991112222");
  g_assert_true (wait_change (fixture, "none:ringing", 3000));
  sp_test_pbxis_server_set_extension_status (fixture->server, AGENT, "");
  sp_test_pbxis_server_answer (fixture->server, call);
  g_assert_true (wait_change (fixture, "0991112222:answered", 3000));
  g_assert_cmpuint (sp_test_log_capture_count (capture, G_LOG_LEVEL_MESSAGE, "*malformed*"), ==, 0);
  g_assert_cmpuint (fixture->changes->len, ==, 2);
}

/* The account's caller id goes with every dial (originate's `callerId`), and the agent's
 * name with every log on (`memberName`): the account's option, else the name pbxis-ws
 * reported. */
static void
test_caller_id_member_name (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GSettings *settings = sp_account_get_settings (fixture->account);
  g_autoptr(GVariant) old_options = g_settings_get_value (settings, "options");
  SpTestPbxisRequest *request;
  GVariantBuilder options;
  GVariantIter iter;
  const char *key, *value;

  wait_connected (fixture);

  /* Neither set: no callerId, and the name pbxis-ws reported. */
  error = perform (fixture, SP_SOURCE_ACTION_DIAL, "0915551234");
  g_assert_no_error (error);
  request = sp_test_pbxis_server_find_request (fixture->server, "POST", "/originate/");
  g_assert_false (json_object_has_member (request->params, "callerId"));
  /* The call is placed and hung up, so that the next dial finds the phone free. */
  g_assert_true (wait_change (fixture, "0915551234:answered", 3000));
  sp_test_pbxis_server_hangup (fixture->server,
                               sp_test_pbxis_server_get_agent_call (fixture->server, AGENT), 0, 0);
  g_assert_true (wait_change (fixture, "0915551234:ended", 3000));
  error = perform (fixture, SP_SOURCE_ACTION_QUEUE_REMOVE, QUEUE);
  g_assert_no_error (error);
  wait_member (fixture, SP_PBXIS_MEMBER_LOGGEDOFF);
  error = perform (fixture, SP_SOURCE_ACTION_QUEUE_ADD, QUEUE);
  g_assert_no_error (error);
  request = sp_test_pbxis_server_find_request (fixture->server, "POST", "/queue/add");
  g_assert_cmpstr (json_object_get_string_member (request->params, "memberName"), ==, "Ana Horvat");
  g_assert_false (json_object_get_boolean_member (request->params, "paused"));
  wait_member (fixture, SP_PBXIS_MEMBER_ACTIVE);

  g_variant_builder_init (&options, G_VARIANT_TYPE ("a{ss}"));
  g_variant_iter_init (&iter, old_options);
  while (g_variant_iter_next (&iter, "{&s&s}", &key, &value))
    g_variant_builder_add (&options, "{ss}", key, value);
  g_variant_builder_add (&options, "{ss}", "caller-id", "ACME <0800123>");
  g_variant_builder_add (&options, "{ss}", "member-name", "Ana H.");
  g_settings_set_value (settings, "options", g_variant_builder_end (&options));
  wait_connected (fixture);

  sp_test_pbxis_server_clear_requests (fixture->server);
  error = perform (fixture, SP_SOURCE_ACTION_DIAL, "0915551235");
  g_assert_no_error (error);
  request = sp_test_pbxis_server_find_request (fixture->server, "POST", "/originate/");
  g_assert_cmpstr (request->content_type, ==, "application/json");
  g_assert_cmpstr (json_object_get_string_member (request->params, "callerId"), ==, "ACME <0800123>");
  g_assert_cmpstr (request->dialled, ==, "0915551235");

  error = perform (fixture, SP_SOURCE_ACTION_QUEUE_REMOVE, QUEUE);
  g_assert_no_error (error);
  wait_member (fixture, SP_PBXIS_MEMBER_LOGGEDOFF);
  error = perform (fixture, SP_SOURCE_ACTION_QUEUE_ADD, QUEUE);
  g_assert_no_error (error);
  request = sp_test_pbxis_server_find_request (fixture->server, "POST", "/queue/add");
  g_assert_cmpstr (json_object_get_string_member (request->params, "memberName"), ==, "Ana H.");
}

static void
test_malformed_events (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(SpTestLogCapture) capture = sp_test_log_capture_new ("sp-pbxis");
  g_autofree char *call = NULL;

  wait_connected (fixture);

  /* Bad events are skipped with a message; the stream carries on. */
  sp_test_pbxis_server_publish_raw (fixture->server, "{\"type\":\"queueCount\",\"queue\":\"q1\",\"count\":\"many\"}");
  sp_test_pbxis_server_publish_raw (fixture->server, "{\"type\":\"callsInProgress\",\"agent\":\"147\"}");
  sp_test_pbxis_server_publish_raw (fixture->server, "{\"type\":\"parkedCall\",\"caller-id\":\"1\",\"channel\":\"SIP/x-1\",\"parked-ext\":\"701\"}");
  g_assert_true (sp_test_log_capture_wait_for (capture, G_LOG_LEVEL_MESSAGE,
                                               "*Skipped a malformed event*count*", 3000));

  call = sp_test_pbxis_server_queue_call (fixture->server, QUEUE, AGENT, CALLER, CALLER_NAME);
  g_assert_true (wait_change (fixture, CALLER ":ringing", 3000));
  g_assert_cmpint (sp_source_get_state (get_source (fixture)), ==, SP_SOURCE_STATE_CONNECTED);
}

/* The server's own quirks, through plain libsoup: what the client has to survive. */

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GBytes **bytes = user_data;
  g_autoptr(GError) error = NULL;

  *bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  g_assert_no_error (error);
}

static gboolean
is_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

/* The server runs in this thread: the request must not block it. */
static GBytes *
send_and_read (SoupSession *session,
               SoupMessage *msg)
{
  GBytes *bytes = NULL;

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, read_cb, &bytes);
  g_assert_true (sp_test_wait_until (is_set, &bytes, 5000));

  return bytes;
}

static void
test_server_unknown_ticket (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpTestPbxisServer) server = sp_test_pbxis_server_new (0, &error);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *base = sp_test_pbxis_server_dup_url (server);
  g_autofree char *poll_url = g_strdup_printf ("%s/no-such-ticket/long-poll", base);
  g_autofree char *sse_url = g_strdup_printf ("%s/no-such-ticket/sse", base);
  g_autofree char *ticket_url = g_strdup_printf ("%s/ticket", base);
  g_autoptr(SoupMessage) poll = soup_message_new (SOUP_METHOD_GET, poll_url);
  g_autoptr(SoupMessage) sse = soup_message_new (SOUP_METHOD_GET, sse_url);
  g_autoptr(SoupMessage) get_ticket = soup_message_new (SOUP_METHOD_GET, ticket_url);
  g_autoptr(GBytes) poll_body = NULL;
  g_autoptr(GBytes) sse_body = NULL;
  g_autoptr(GBytes) ticket_body = NULL;

  g_assert_no_error (error);

  /* Long-poll: 404, empty. */
  poll_body = send_and_read (session, poll);
  g_assert_cmpuint (soup_message_get_status (poll), ==, 404);
  g_assert_cmpuint (g_bytes_get_size (poll_body), ==, 0);

  /* SSE: `closed`, then the end. */
  sse_body = send_and_read (session, sse);
  g_assert_cmpuint (soup_message_get_status (sse), ==, 200);
  g_assert_cmpmem (g_bytes_get_data (sse_body, NULL), g_bytes_get_size (sse_body),
                   "event: closed\ndata: {}\n\n", 24);

  /* A known path with the wrong method: 405 and Allow. */
  ticket_body = send_and_read (session, get_ticket);
  g_assert_cmpuint (soup_message_get_status (get_ticket), ==, 405);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (get_ticket), "Allow"), ==, "POST");
}

typedef struct
{
  char  *url;
  char  *path;
  guint  status;
} RawPost;

/* In a thread: the server runs in this one, and a blocking client would stall it. */
static gpointer
raw_post_thread (gpointer data)
{
  RawPost *post = data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *request = NULL;
  char answer[64] = "";
  gsize length = 0;

  connection = g_socket_client_connect_to_uri (client, post->url, 80, NULL, &error);
  g_assert_no_error (error);
  request = g_strdup_printf ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             "Content-Length: 0\r\nConnection: close\r\n\r\n", post->path);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             request, strlen (request), NULL, NULL, &error);
  g_assert_no_error (error);
  g_input_stream_read_all (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                           answer, sizeof answer - 1, &length, NULL, &error);
  g_assert_no_error (error);
  answer[length] = '\0';
  /* "HTTP/1.1 500 …" */
  if (length > 12)
    post->status = (guint) g_ascii_strtoull (answer + 9, NULL, 10);
  else
    post->status = 1;

  return NULL;
}

static gboolean
is_nonzero (gpointer data)
{
  return *(guint *) data != 0;
}

/* The path sent byte for byte: a URI parser would refuse the bad escapes, or fix them. */
static guint
raw_post (SpTestPbxisServer *server,
          const char        *path)
{
  RawPost post = { sp_test_pbxis_server_dup_url (server), g_strdup (path), 0 };
  GThread *thread = g_thread_new ("raw-post", raw_post_thread, &post);

  g_assert_true (sp_test_wait_until (is_nonzero, &post.status, 5000));
  g_thread_join (thread);
  g_free (post.url);
  g_free (post.path);

  return post.status;
}

static const char *
last_dialled (SpTestPbxisServer *server)
{
  GPtrArray *requests = sp_test_pbxis_server_get_requests (server);
  SpTestPbxisRequest *request;

  g_assert_cmpuint (requests->len, >, 0);
  request = g_ptr_array_index (requests, requests->len - 1);

  return request->dialled;
}

/* The router URL-decodes every path segment with java.net.URLDecoder (moustache.clj line
 * 20): a raw "+" dials a space. */
static void
test_server_path_decoding (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpTestPbxisServer) server = sp_test_pbxis_server_new (0, &error);

  g_assert_no_error (error);

  g_assert_cmpuint (raw_post (server, "/originate/147/+385915551234"), ==, 200);
  g_assert_cmpstr (last_dialled (server), ==, " 385915551234");
  g_assert_cmpuint (raw_post (server, "/originate/147/%2B385915551234"), ==, 200);
  g_assert_cmpstr (last_dialled (server), ==, "+385915551234");
  g_assert_cmpuint (raw_post (server, "/originate/147/%2b385%2A1"), ==, 200);
  g_assert_cmpstr (last_dialled (server), ==, "+385*1");
  /* UTF-8, each run of escapes on its own; a broken sequence is U+FFFD. */
  g_assert_cmpuint (raw_post (server, "/originate/147/%C5%BE%C5"), ==, 200);
  g_assert_cmpstr (last_dialled (server), ==, "\u017e\ufffd");
  /* The segments are decoded before the route matches. */
  g_assert_cmpuint (raw_post (server, "/%6Friginate/147/1"), ==, 200);
  g_assert_cmpstr (last_dialled (server), ==, "1");

  /* A bad escape: URLDecoder throws and the real server answers 500; libsoup refuses the
   * request line first (400), so the test server cannot show that. It dials nothing. */
  g_assert_cmpuint (raw_post (server, "/originate/147/1%2"), ==, 400);
  g_assert_cmpuint (raw_post (server, "/originate/147/%G1"), ==, 400);
  g_assert_cmpuint (raw_post (server, "/originate/147/%-1"), ==, 400);
}

static char *
post_ticket (SoupSession       *session,
             SpTestPbxisServer *server,
             const char        *content_type,
             const char        *body)
{
  g_autofree char *base = sp_test_pbxis_server_dup_url (server);
  g_autofree char *url = g_strdup_printf ("%s/ticket", base);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_POST, url);
  g_autoptr(GBytes) request = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) answer = NULL;
  g_autofree char *text = NULL;
  gsize length;
  const char *data;

  soup_message_set_request_body_from_bytes (msg, content_type, request);
  answer = send_and_read (session, msg);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  /* JSON, but not said to be: aleph sets no Content-Type. */
  g_assert_cmpstr (soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL),
                   ==, "text/plain");

  /* A quoted JSON string. */
  data = g_bytes_get_data (answer, &length);
  g_assert_cmpuint (length, >, 2);
  g_assert_cmpint (data[0], ==, '"');
  g_assert_cmpint (data[length - 1], ==, '"');
  text = g_strndup (data + 1, length - 2);

  return g_steal_pointer (&text);
}

static char *
long_poll (SoupSession       *session,
           SpTestPbxisServer *server,
           const char        *ticket,
           guint             *status)
{
  g_autofree char *base = sp_test_pbxis_server_dup_url (server);
  g_autofree char *url = g_strdup_printf ("%s/%s/long-poll", base, ticket);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);
  g_autoptr(GBytes) answer = send_and_read (session, msg);
  gsize length;
  const char *data = g_bytes_get_data (answer, &length);

  *status = soup_message_get_status (msg);

  return g_strndup (data ? data : "", length);
}

static void
test_server_ticket_life (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpTestPbxisServer) server = sp_test_pbxis_server_new (0, &error);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *ticket = NULL;
  g_autofree char *form_ticket = NULL;
  g_autofree char *body = NULL;
  guint status;

  g_assert_no_error (error);
  sp_test_pbxis_server_set_unsub_delay (server, 400);
  sp_test_pbxis_server_set_poll_timeout (server, 300);
  sp_test_pbxis_server_set_agent_name (server, AGENT, "Ana Horvat");
  sp_test_pbxis_server_set_member (server, QUEUE, AGENT, "active");
  sp_test_pbxis_server_set_queue_count (server, QUEUE, 2);

  /* The snapshot, in its order: name, membership, extension status, then the counts. */
  ticket = post_ticket (session, server, "application/json",
                        "{\"agents\":[\"147\"],\"queues\":[\"q1\"]}");
  body = long_poll (session, server, ticket, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (body, ==,
                   "[{\"type\":\"agentName\",\"agent\":\"147\",\"name\":\"Ana Horvat\"},"
                   "{\"type\":\"queueMemberStatus\",\"agent\":\"147\",\"queue\":\"q1\",\"status\":\"active\"},"
                   "{\"type\":\"extensionStatus\",\"agent\":\"147\",\"status\":\"not_inuse\"},"
                   "{\"type\":\"queueCount\",\"queue\":\"q1\",\"count\":2}]");
  g_clear_pointer (&body, g_free);

  /* Between reads, events wait in the ticket; a repeated status is sent once; queueCount
   * is sent every time. */
  sp_test_pbxis_server_set_extension_status (server, AGENT, "ringing");
  sp_test_pbxis_server_set_extension_status (server, AGENT, "ringing");
  sp_test_pbxis_server_set_queue_count (server, QUEUE, 2);
  sp_test_pbxis_server_set_extension_status (server, "999", "ringing");
  body = long_poll (session, server, ticket, &status);
  g_assert_cmpstr (body, ==,
                   "[{\"type\":\"extensionStatus\",\"agent\":\"147\",\"status\":\"ringing\"},"
                   "{\"type\":\"queueCount\",\"queue\":\"q1\",\"count\":2}]");
  g_clear_pointer (&body, g_free);

  /* Nothing: [] after the poll timeout. */
  body = long_poll (session, server, ticket, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (body, ==, "[]");
  g_clear_pointer (&body, g_free);

  /* Not read again within the unsubscribe delay: gone. */
  sp_test_run_for (600);
  g_assert_false (sp_test_pbxis_server_has_ticket (server, ticket));
  body = long_poll (session, server, ticket, &status);
  g_assert_cmpuint (status, ==, 404);
  g_assert_cmpstr (body, ==, "");
  g_clear_pointer (&body, g_free);

  /* Agents as a form value: a ticket that matches nothing. */
  form_ticket = post_ticket (session, server, "application/x-www-form-urlencoded", "agents=147");
  sp_test_pbxis_server_set_extension_status (server, AGENT, "inuse");
  body = long_poll (session, server, form_ticket, &status);
  g_assert_cmpstr (body, ==, "[]");
}

static void
websocket_connected_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  SoupWebsocketConnection **connection = user_data;
  g_autoptr(GError) error = NULL;

  *connection = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);
  g_assert_no_error (error);
}

static void
count_message_cb (SoupWebsocketConnection *connection,
                  gint                     type,
                  GBytes                  *message,
                  guint                   *n)
{
  (*n)++;
}

static void
test_server_silent_websocket (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpTestPbxisServer) server = sp_test_pbxis_server_new (0, &error);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *base = sp_test_pbxis_server_dup_url (server);
  g_autofree char *url = g_strdup_printf ("%s/expired-ticket/websocket", base);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);
  g_autoptr(SoupWebsocketConnection) connection = NULL;
  guint n_messages = 0;

  g_assert_no_error (error);

  /* The handshake succeeds for a ticket that does not exist... */
  soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        websocket_connected_cb, &connection);
  g_assert_true (sp_test_wait_until (is_set, &connection, 3000));
  g_signal_connect (connection, "message", G_CALLBACK (count_message_cb), &n_messages);

  /* ... and then nothing, ever: no event, no close. */
  sp_test_pbxis_server_queue_call (server, QUEUE, AGENT, CALLER, NULL);
  sp_test_run_for (1000);
  g_assert_cmpuint (n_messages, ==, 0);
  g_assert_cmpint (soup_websocket_connection_get_state (connection), ==, SOUP_WEBSOCKET_STATE_OPEN);

  soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
}

int
main (int   argc,
      char *argv[])
{
  const char *transports[] = { "websocket", "sse", "long-poll" };

  /* Keepalive probes after 1 s of silence: a dead peer is noticed within seconds. */
  g_setenv ("SCREENPOP_TCP_KEEPALIVE", "1,1,2", TRUE);

  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (transports); i++)
    {
      static const struct
      {
        const char *name;
        void      (*func) (Fixture *, gconstpointer);
      } tests[] = {
        { "queue-call", test_queue_call },
        { "missed-call", test_missed_call },
        { "direct-call", test_direct_call },
        { "server-restart", test_server_restart },
        { "closed", test_closed },
        { "fresh-ticket", test_fresh_ticket },
        { "idle", test_idle },
      };

      for (guint j = 0; j < G_N_ELEMENTS (tests); j++)
        {
          g_autofree char *path = g_strdup_printf ("/pbxis/%s/%s", transports[i], tests[j].name);

          g_test_add (path, Fixture, transports[i], fixture_set_up, tests[j].func, fixture_tear_down);
        }
    }

  g_test_add ("/pbxis/websocket/dead-peer", Fixture, "websocket", fixture_set_up, test_dead_peer, fixture_tear_down);
  g_test_add ("/pbxis/sse/dead-peer", Fixture, "sse", fixture_set_up, test_dead_peer, fixture_tear_down);
  g_test_add ("/pbxis/websocket/outage", Fixture, "websocket", fixture_set_up, test_outage, fixture_tear_down);
  g_test_add ("/pbxis/sse/outage", Fixture, "sse", fixture_set_up, test_outage, fixture_tear_down);
  g_test_add ("/pbxis/long-poll/outage", Fixture, "long-poll", fixture_set_up, test_outage, fixture_tear_down);
  g_test_add ("/pbxis/websocket/resync-after-outage", Fixture, "websocket", fixture_set_up, test_resync_after_outage, fixture_tear_down);
  g_test_add ("/pbxis/sse/resync-after-outage", Fixture, "sse", fixture_set_up, test_resync_after_outage, fixture_tear_down);
  g_test_add ("/pbxis/websocket/direct-missed", Fixture, "websocket", fixture_set_up, test_direct_missed, fixture_tear_down);
  g_test_add ("/pbxis/websocket/ringing-across-restart", Fixture, "websocket", fixture_set_up, test_ringing_across_restart, fixture_tear_down);
  g_test_add ("/pbxis/long-poll/ringing-across-restart", Fixture, "long-poll", fixture_set_up, test_ringing_across_restart, fixture_tear_down);
  g_test_add ("/pbxis/websocket/queue-actions", Fixture, "websocket", fixture_set_up, test_queue_actions, fixture_tear_down);
  g_test_add ("/pbxis/sse/dial", Fixture, "sse", fixture_set_up, test_dial, fixture_tear_down);
  g_test_add ("/pbxis/websocket/dial-refused", Fixture, "websocket", fixture_set_up, test_dial_refused, fixture_tear_down);
  g_test_add ("/pbxis/sse/dial-not-picked-up", Fixture, "sse", fixture_set_up, test_dial_not_picked_up, fixture_tear_down);
  g_test_add ("/pbxis/long-poll/dial-renamed", Fixture, "long-poll", fixture_set_up, test_dial_renamed, fixture_tear_down);
  g_test_add ("/pbxis/websocket/dial-no-answer", Fixture, "websocket", fixture_set_up, test_dial_no_answer, fixture_tear_down);
  g_test_add ("/pbxis/websocket/dials-overlap", Fixture, "websocket", fixture_set_up, test_dials_overlap, fixture_tear_down);
  g_test_add ("/pbxis/sse/dials-overlap-fast", Fixture, "sse", fixture_set_up, test_dials_overlap_fast, fixture_tear_down);
  g_test_add ("/pbxis/long-poll/dials-overlap-slow", Fixture, "long-poll", fixture_set_up, test_dials_overlap_slow, fixture_tear_down);
  g_test_add ("/pbxis/websocket/asterisk12", Fixture, "websocket", fixture_set_up, test_asterisk12, fixture_tear_down);
  g_test_add ("/pbxis/long-poll/asterisk12", Fixture, "long-poll", fixture_set_up, test_asterisk12, fixture_tear_down);
  g_test_add ("/pbxis/websocket/call-waiting", Fixture, "websocket", fixture_set_up, test_call_waiting, fixture_tear_down);
  g_test_add ("/pbxis/sse/empty-extension-status", Fixture, "sse", fixture_set_up, test_empty_extension_status, fixture_tear_down);
  g_test_add ("/pbxis/websocket/caller-id-member-name", Fixture, "websocket", fixture_set_up,
              test_caller_id_member_name, fixture_tear_down);
  g_test_add ("/pbxis/sse/malformed-events", Fixture, "sse", fixture_set_up, test_malformed_events, fixture_tear_down);
  g_test_add ("/pbxis/long-poll/malformed-events", Fixture, "long-poll", fixture_set_up, test_malformed_events, fixture_tear_down);
  g_test_add ("/pbxis/websocket/huge-ticket", Fixture, "websocket", fixture_set_up, test_huge_ticket, fixture_tear_down);
  g_test_add ("/pbxis/websocket/deep-ticket", Fixture, "websocket", fixture_set_up, test_deep_ticket, fixture_tear_down);
  g_test_add_func ("/pbxis/server/unknown-ticket", test_server_unknown_ticket);
  g_test_add_func ("/pbxis/server/silent-websocket", test_server_silent_websocket);
  g_test_add_func ("/pbxis/server/path-decoding", test_server_path_decoding);
  g_test_add_func ("/pbxis/server/ticket-life", test_server_ticket_life);

  return g_test_run ();
}
