/* test-xivo-source.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The XiVO backend through the whole pipeline, against a local xuc (sp-test-xuc-server.c):
 * the password in a real gnome-keyring-daemon, the notifications going to python-dbusmock's
 * notification daemon, both on one private bus. Login and token renewal, the CTI link and
 * its heartbeat, calls from PhoneEvents, resynchronisation after a dropped link, actions,
 * refusals, and the third-party web service with the agent's token and autopause.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libnotify/notify.h>
#include <libsecret/secret.h>

#include "sp-account-list.h"
#include "sp-call-tracker.h"
#include "sp-notifier.h"
#include "sp-screenpop.h"
#include "sp-secret.h"
#include "sp-test-proxy.h"
#include "sp-test-engine.h"
#include "sp-test-notify.h"
#include "sp-test-keyring.h"
#include "sp-test-util.h"
#include "sp-test-webservice-server.h"
#include "sp-test-xuc-server.h"
#include "sp-webservice.h"
#include "sp-xivo-source.h"

#define ACCOUNT_ID "xivo"
#define LOGIN "ana"
#define PASSWORD "s3cret \"pass\""

static SpTestNotify *notify;
static SpTestKeyring *keyring;

typedef struct
{
  GSettings        *settings;
  SpEngine         *engine;
  SpCallTracker    *tracker;
  SpNotifier       *notifier;
  SpAccountList       *accounts;
  SpScreenpop      *screenpop;
  SpAccount        *account;
  SpTestXucServer  *server;
  GPtrArray        *opened;
  GHashTable       *seen;       /* "call-id:state" */
  SpTestLogCapture *log;
} Fixture;

static void
store_password (const char *password)
{
  g_autoptr(GError) error = NULL;

  if (password == NULL)
    {
      secret_password_clear_sync (sp_secret_get_schema (), NULL, &error, "account", ACCOUNT_ID, NULL);
      g_assert_no_error (error);
      return;
    }

  secret_password_store_sync (sp_secret_get_schema (), SECRET_COLLECTION_DEFAULT, "test",
                              password, NULL, &error, "account", ACCOUNT_ID, NULL);
  g_assert_no_error (error);
}

static void
record_url (const char *uri,
            gpointer    user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->opened, g_strdup (uri));
}

static void
changed_cb (SpCallTracker *tracker,
            SpCall        *call,
            gboolean       state_changed,
            Fixture       *fixture)
{
  if (state_changed)
    g_hash_table_add (fixture->seen,
                      g_strdup_printf ("%s:%s", sp_call_get_call_id (call),
                                       sp_call_state_to_string (sp_call_get_state (call))));
}

static SpSource *
source (Fixture *fixture)
{
  return sp_account_list_get_source (fixture->accounts, sp_account_get_id (fixture->account));
}

typedef struct
{
  Fixture       *fixture;
  SpSourceState  state;
} StateWait;

static gboolean
in_state (gpointer user_data)
{
  StateWait *wait = user_data;

  return source (wait->fixture) != NULL && sp_source_get_state (source (wait->fixture)) == wait->state;
}

static gboolean
wait_state (Fixture       *fixture,
            SpSourceState  state,
            guint          timeout_ms)
{
  StateWait wait = { fixture, state };

  return sp_test_wait_until (in_state, &wait, timeout_ms);
}

typedef struct
{
  Fixture    *fixture;
  const char *what;
} SeenWait;

static gboolean
seen (gpointer user_data)
{
  SeenWait *wait = user_data;

  return g_hash_table_contains (wait->fixture->seen, wait->what);
}

static gboolean
wait_seen (Fixture    *fixture,
           const char *what,
           guint       timeout_ms)
{
  SeenWait wait = { fixture, what };

  return sp_test_wait_until (seen, &wait, timeout_ms);
}

/* Starts a XiVO account against the fixture's server, with @password in the keyring. */
static void
add_account (Fixture    *fixture,
             const char *password,
             const char *webservice_url)
{
  g_autofree char *url = sp_test_xuc_server_dup_url (fixture->server);
  GSettings *account_settings;

  store_password (password);

  fixture->account = sp_account_new_transient (ACCOUNT_ID, "xivo", "XiVO");
  account_settings = sp_account_get_settings (fixture->account);
  g_settings_set_string (account_settings, "url", url);
  g_settings_set_string (account_settings, "login", LOGIN);
  if (webservice_url != NULL)
    g_settings_set_string (account_settings, "webservice-url", webservice_url);
  sp_account_list_add_transient (fixture->accounts, fixture->account);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  gint64 ttl = data ? GPOINTER_TO_INT (data) : 3600;

  sp_test_notify_clear (notify);
  fixture->log = sp_test_log_capture_new (NULL);
  fixture->settings = g_settings_new ("io.github.screenpop.Screenpop");
  g_settings_reset (fixture->settings, "do-not-disturb");
  fixture->engine = sp_test_engine_new (fixture->settings, NULL);
  fixture->tracker = sp_engine_get_tracker (fixture->engine);
  fixture->notifier = sp_engine_get_notifier (fixture->engine);
  fixture->accounts = sp_engine_get_accounts (fixture->engine);
  fixture->screenpop = sp_engine_get_screenpop (fixture->engine);
  fixture->opened = g_ptr_array_new_with_free_func (g_free);
  fixture->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sp_engine_set_url_handler (fixture->engine, record_url, fixture, NULL);
  g_signal_connect (fixture->tracker, "call-changed", G_CALLBACK (changed_cb), fixture);

  fixture->server = sp_test_xuc_server_new (0, LOGIN, PASSWORD, ttl);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->account != NULL)
    sp_account_list_remove (fixture->accounts, ACCOUNT_ID);
  g_clear_object (&fixture->engine);
  g_clear_object (&fixture->account);
  g_clear_object (&fixture->settings);
  g_clear_pointer (&fixture->server, sp_test_xuc_server_free);
  g_clear_pointer (&fixture->opened, g_ptr_array_unref);
  g_clear_pointer (&fixture->seen, g_hash_table_unref);
  g_clear_pointer (&fixture->log, sp_test_log_capture_free);
  /* Let cancelled requests and closed links finish before the next test. */
  sp_test_run_for (100);
}

static void
connect_account (Fixture *fixture)
{
  add_account (fixture, PASSWORD, NULL);
  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_CONNECTED, 10000));
  g_assert_true (sp_test_xuc_server_wait_for_frame (fixture->server, "*getCurrentCallsPhoneEvents*", 1, 2000));
}

/* Logged in over REST, linked with the token, LoggedOn, then resynchronised; the token
 * appears in no log line. */
static void
test_connect (Fixture       *fixture,
              gconstpointer  data)
{
  const char *token;
  GPtrArray *frames;

  connect_account (fixture);

  g_assert_cmpuint (sp_test_xuc_server_get_n_logins (fixture->server), ==, 1);
  g_assert_cmpuint (sp_test_xuc_server_get_n_links (fixture->server), ==, 1);
  token = sp_test_xuc_server_get_last_token (fixture->server);
  g_assert_cmpstr (sp_xivo_source_get_token (SP_XIVO_SOURCE (source (fixture))), ==, token);

  frames = sp_test_xuc_server_get_frames (fixture->server);
  g_assert_cmpstr (g_ptr_array_index (frames, 0), ==,
                   "{\"claz\":\"web\",\"command\":\"getCurrentCallsPhoneEvents\"}");

  /* The agent's state, as the server sends it after LoggedOn, shows under the account. */
  sp_test_run_for (200);
  g_assert_cmpstr (sp_xivo_source_get_agent_state (SP_XIVO_SOURCE (source (fixture))), ==, "AgentReady");
  g_assert_cmpint (sp_xivo_source_get_agent_id (SP_XIVO_SOURCE (source (fixture))), ==, 3);
  g_assert_cmpstr (sp_source_get_detail (source (fixture)), ==, "Agent: Ready");

  /* The same, through the generic API the web service uses. */
  {
    g_auto(SpUserFacts) facts = { 0, };

    sp_source_get_user_facts (source (fixture), &facts);
    g_assert_cmpint (facts.agent_id, ==, 3);
    g_assert_cmpstr (facts.token, ==, token);
  }

  g_assert_cmpuint (sp_test_log_capture_count (fixture->log, 0, "*tok-*"), ==, 0);
}

/* {"claz":"ping"} every 5 s, answered, and the link stays up. */
static void
test_heartbeat (Fixture       *fixture,
                gconstpointer  data)
{
  connect_account (fixture);

  g_assert_true (sp_test_xuc_server_wait_for_frame (fixture->server, "{\"claz\":\"ping\"}", 2,
                                                     2 * SP_XIVO_PING_INTERVAL_MS + 2000));
  g_assert_cmpint (sp_source_get_state (source (fixture)), ==, SP_SOURCE_STATE_CONNECTED);
  g_assert_cmpuint (sp_test_xuc_server_get_n_links (fixture->server), ==, 1);
}

/* A server that stops answering is dead after three silent intervals. */
static void
test_silent_link (Fixture       *fixture,
                  gconstpointer  data)
{
  gint64 start;

  connect_account (fixture);

  sp_test_xuc_server_set_silent (fixture->server, TRUE);
  start = g_get_monotonic_time ();
  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_RECONNECTING,
                             SP_XIVO_PING_INTERVAL_MS * (SP_XIVO_MISSED_PINGS + 1) + 2000));
  g_assert_cmpint (g_get_monotonic_time () - start, >=,
                   (gint64) (SP_XIVO_PING_INTERVAL_MS * SP_XIVO_MISSED_PINGS - 1000) * 1000);
  g_assert_nonnull (strstr (sp_source_get_error_message (source (fixture)), "silent"));

  /* Speaking again, it gets a new link. */
  sp_test_xuc_server_set_silent (fixture->server, FALSE);
  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_CONNECTED, 10000));
  g_assert_cmpuint (sp_test_xuc_server_get_n_links (fixture->server), >=, 2);
}

/* ringing → established → released, with everything the PhoneEvent says. */
static void
test_ringing_established_released (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(GPtrArray) notifies = NULL;
  g_auto(GStrv) actions = NULL;
  SpCall *call;

  connect_account (fixture);

  sp_test_xuc_server_phone_event (fixture->server, "EventRinging", "1469709757.74", "0427123456",
                                  "Marko Novak", "bluesky", "USR_ORDER", "42", "XIVO_CONTEXT", "default", NULL);
  g_assert_true (wait_seen (fixture, "1469709757.74:ringing", 3000));

  call = sp_call_tracker_lookup (fixture->tracker, ACCOUNT_ID, "1469709757.74");
  g_assert_nonnull (call);
  g_assert_cmpint (sp_call_get_direction (call), ==, SP_CALL_DIRECTION_INCOMING);
  g_assert_cmpstr (sp_call_get_number (call), ==, "0427123456");
  g_assert_cmpstr (sp_call_get_name (call), ==, "Marko Novak");
  g_assert_cmpstr (sp_call_get_exten (call), ==, "1000");
  g_assert_cmpstr (sp_call_get_queue (call), ==, "bluesky");
  g_assert_cmpstr (sp_call_get_var (call, "USR_ORDER"), ==, "42");
  g_assert_cmpstr (sp_call_get_var (call, "XIVO_CONTEXT"), ==, "default");

  g_assert_true (sp_test_notify_wait_for (notify, "Notify", 1, 2000));
  notifies = sp_test_notify_get_calls (notify, "Notify");
  g_assert_cmpstr (sp_test_notify_call_get_summary (g_ptr_array_index (notifies, 0)), ==,
                   "Marko Novak (0427123456)");
  actions = sp_test_notify_call_dup_actions (g_ptr_array_index (notifies, 0));
  g_assert_true (g_strv_contains ((const char * const *) actions, "answer"));

  sp_test_xuc_server_phone_event (fixture->server, "EventEstablished", "1469709757.74", "0427123456",
                                  "Marko Novak", "bluesky", NULL);
  g_assert_true (wait_seen (fixture, "1469709757.74:answered", 3000));
  g_assert_true (sp_test_notify_wait_for (notify, "CloseNotification", 1, 2000));

  sp_test_xuc_server_phone_event (fixture->server, "EventReleased", "1469709757.74", "0427123456",
                                  "Marko Novak", "bluesky", NULL);
  g_assert_true (wait_seen (fixture, "1469709757.74:ended", 3000));
  g_assert_false (g_hash_table_contains (fixture->seen, "1469709757.74:missed"));
}

/* A call released without an answer is missed, and says so. */
static void
test_missed (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) notifies = NULL;
  SpTestNotifyCall *last;

  connect_account (fixture);

  sp_test_xuc_server_phone_event (fixture->server, "EventRinging", "c-2", "0427000111", NULL, NULL, NULL);
  g_assert_true (wait_seen (fixture, "c-2:ringing", 3000));
  sp_test_xuc_server_phone_event (fixture->server, "EventReleased", "c-2", "0427000111", NULL, NULL, NULL);
  g_assert_true (wait_seen (fixture, "c-2:missed", 3000));

  g_assert_true (sp_test_notify_wait_for (notify, "Notify", 2, 2000));
  notifies = sp_test_notify_get_calls (notify, "Notify");
  last = g_ptr_array_index (notifies, notifies->len - 1);
  g_assert_true (g_str_has_prefix (sp_test_notify_call_get_summary (last), "Missed call from "));

  /* A release for a call never seen is no call at all. */
  sp_test_xuc_server_phone_event (fixture->server, "EventReleased", "c-unknown", "0427", NULL, NULL, NULL);
  sp_test_run_for (300);
  g_assert_null (sp_call_tracker_lookup (fixture->tracker, ACCOUNT_ID, "c-unknown"));
  g_assert_false (g_hash_table_contains (fixture->seen, "c-unknown:missed"));
}

/* EventDialing is an outgoing call. */
static void
test_outgoing (Fixture       *fixture,
               gconstpointer  data)
{
  SpCall *call;

  connect_account (fixture);

  sp_test_xuc_server_phone_event (fixture->server, "EventDialing", "out-1", "0427999888", NULL, NULL, NULL);
  g_assert_true (wait_seen (fixture, "out-1:ringing", 3000));
  call = sp_call_tracker_lookup (fixture->tracker, ACCOUNT_ID, "out-1");
  g_assert_cmpint (sp_call_get_direction (call), ==, SP_CALL_DIRECTION_OUTGOING);

  sp_test_xuc_server_phone_event (fixture->server, "EventEstablished", "out-1", "0427999888", NULL, NULL, NULL);
  g_assert_true (wait_seen (fixture, "out-1:answered", 3000));
  sp_test_xuc_server_phone_event (fixture->server, "EventReleased", "out-1", "0427999888", NULL, NULL, NULL);
  g_assert_true (wait_seen (fixture, "out-1:ended", 3000));
}

/* The notification's Answer button answers the ringing leg. */
static void
test_answer_button (Fixture       *fixture,
                    gconstpointer  data)
{
  connect_account (fixture);

  sp_test_xuc_server_phone_event (fixture->server, "EventRinging", "c-3", "0427123456", NULL, NULL, NULL);
  g_assert_true (wait_seen (fixture, "c-3:ringing", 3000));
  g_assert_true (sp_test_notify_wait_for (notify, "Notify", 1, 2000));

  sp_test_notify_click (notify, sp_test_notify_get_id (notify, 0), "answer");
  g_assert_true (sp_test_xuc_server_wait_for_frame (fixture->server,
                                                     "{\"claz\":\"web\",\"command\":\"answer\",\"uniqueId\":\"c-3.1\"}",
                                                     1, 3000));
  g_assert_true (wait_seen (fixture, "c-3:answered", 3000));
}

typedef struct
{
  gboolean      done;
  GAsyncResult *result;
} Done;

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Done *done = user_data;

  done->result = g_object_ref (result);
  done->done = TRUE;
}

static gboolean
is_done (gpointer user_data)
{
  return ((Done *) user_data)->done;
}

static void
perform (Fixture        *fixture,
         SpSourceAction  action,
         const char     *call_id,
         GVariant       *param)
{
  Done done = { 0 };
  g_autoptr(GError) error = NULL;

  sp_source_perform_async (source (fixture), action, call_id, param, NULL, done_cb, &done);
  g_assert_true (sp_test_wait_until (is_done, &done, 3000));
  g_assert_true (sp_source_perform_finish (source (fixture), done.result, &error));
  g_assert_no_error (error);
  g_object_unref (done.result);
}

static gboolean
agent_is (gpointer user_data)
{
  gpointer *pair = user_data;
  Fixture *fixture = pair[0];

  return g_strcmp0 (sp_xivo_source_get_agent_state (SP_XIVO_SOURCE (source (fixture))), pair[1]) == 0;
}

/* hangup, dial, pause (with a reason) and unpause, and the agent's state that follows. */
static void
test_actions (Fixture       *fixture,
              gconstpointer  data)
{
  gpointer paused[2] = { fixture, (gpointer) "AgentOnPause" };
  gpointer ready[2] = { fixture, (gpointer) "AgentReady" };
  Done done = { 0 };
  g_autoptr(GError) error = NULL;

  connect_account (fixture);
  g_assert_true (sp_source_can_perform (source (fixture), SP_SOURCE_ACTION_ANSWER));
  g_assert_true (sp_source_can_perform (source (fixture), SP_SOURCE_ACTION_PAUSE));
  g_assert_false (sp_source_can_perform (source (fixture), SP_SOURCE_ACTION_POST_MESSAGE));

  perform (fixture, SP_SOURCE_ACTION_DIAL, NULL, g_variant_new_string ("0427999888"));
  g_assert_true (sp_test_xuc_server_wait_for_frame (fixture->server,
                                                     "{\"claz\":\"web\",\"command\":\"dial\",\"destination\":\"0427999888\"}",
                                                     1, 2000));
  g_assert_true (wait_seen (fixture, "dial.1:ringing", 3000));

  perform (fixture, SP_SOURCE_ACTION_HANGUP, "dial.1", NULL);
  g_assert_true (sp_test_xuc_server_wait_for_frame (fixture->server,
                                                     "{\"claz\":\"web\",\"command\":\"hangup\",\"uniqueId\":\"dial.1.1\"}",
                                                     1, 2000));
  g_assert_true (wait_seen (fixture, "dial.1:ended", 3000));

  perform (fixture, SP_SOURCE_ACTION_PAUSE, NULL, g_variant_new_string ("lunch"));
  g_assert_true (sp_test_xuc_server_wait_for_frame (fixture->server,
                                                     "{\"claz\":\"web\",\"command\":\"pauseAgent\",\"agentid\":3,\"reason\":\"lunch\"}",
                                                     1, 2000));
  g_assert_true (sp_test_wait_until (agent_is, paused, 2000));
  g_assert_cmpstr (sp_xivo_source_get_agent_cause (SP_XIVO_SOURCE (source (fixture))), ==, "lunch");
  g_assert_cmpstr (sp_source_get_detail (source (fixture)), ==, "Agent: Paused (lunch)");

  perform (fixture, SP_SOURCE_ACTION_UNPAUSE, NULL, NULL);
  g_assert_true (sp_test_xuc_server_wait_for_frame (fixture->server,
                                                     "{\"claz\":\"web\",\"command\":\"unpauseAgent\",\"agentid\":3}",
                                                     1, 2000));
  g_assert_true (sp_test_wait_until (agent_is, ready, 2000));
  g_assert_null (sp_xivo_source_get_agent_cause (SP_XIVO_SOURCE (source (fixture))));

  /* Unknown actions are refused, with a reason. */
  sp_source_perform_async (source (fixture), SP_SOURCE_ACTION_POST_MESSAGE, NULL, NULL, NULL,
                           done_cb, &done);
  g_assert_true (sp_test_wait_until (is_done, &done, 3000));
  g_assert_false (sp_source_perform_finish (source (fixture), done.result, &error));
  g_assert_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_UNSUPPORTED);
  g_object_unref (done.result);
}

/* A dropped link: reconnect, and the live calls are resynchronised — a call that ended
 * meanwhile ends, one still ringing stays. */
static void
test_dropped_link_resync (Fixture       *fixture,
                          gconstpointer  data)
{
  connect_account (fixture);

  sp_test_xuc_server_phone_event (fixture->server, "EventRinging", "a", "0427000001", NULL, NULL, NULL);
  sp_test_xuc_server_phone_event (fixture->server, "EventEstablished", "a", "0427000001", NULL, NULL, NULL);
  sp_test_xuc_server_phone_event (fixture->server, "EventRinging", "b", "0427000002", NULL, NULL, NULL);
  g_assert_true (wait_seen (fixture, "a:answered", 3000));
  g_assert_true (wait_seen (fixture, "b:ringing", 3000));

  sp_test_xuc_server_drop_links (fixture->server);
  sp_test_xuc_server_forget_call (fixture->server, "a");

  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_RECONNECTING, 5000));
  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_CONNECTED, 10000));
  g_assert_cmpuint (sp_test_xuc_server_get_n_links (fixture->server), ==, 2);
  g_assert_cmpuint (sp_test_xuc_server_get_n_logins (fixture->server), ==, 2);
  g_assert_true (sp_test_xuc_server_wait_for_frame (fixture->server, "*getCurrentCallsPhoneEvents*", 2, 2000));

  g_assert_true (wait_seen (fixture, "a:ended", 3000));
  g_assert_false (g_hash_table_contains (fixture->seen, "b:missed"));
  g_assert_cmpint (sp_call_get_state (sp_call_tracker_lookup (fixture->tracker, ACCOUNT_ID, "b")), ==,
                   SP_CALL_STATE_RINGING);

  sp_test_xuc_server_phone_event (fixture->server, "EventReleased", "b", "0427000002", NULL, NULL, NULL);
  g_assert_true (wait_seen (fixture, "b:missed", 3000));
}

/* XiVO down for a while, then back: connected (logged in, linked, LoggedOn) within 2 s of
 * it accepting connections again (issue 12), and resynchronised: the call that rings now
 * pops, the one that rang before the outage and is not current any more ends. */
static void
test_outage (Fixture       *fixture,
             gconstpointer  data)
{
  guint16 port;
  gint64 back;
  gint64 connected;

  connect_account (fixture);
  port = sp_test_xuc_server_get_port (fixture->server);
  sp_test_xuc_server_phone_event (fixture->server, "EventRinging", "a", "0427000001", NULL, NULL, NULL);
  g_assert_true (wait_seen (fixture, "a:ringing", 3000));

  g_clear_pointer (&fixture->server, sp_test_xuc_server_free);
  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_RECONNECTING, 5000));
  /* Long enough for an exponential back-off to have grown past the bound. */
  sp_test_run_for (8000);

  fixture->server = sp_test_xuc_server_new (port, LOGIN, PASSWORD, 3600);
  sp_test_xuc_server_phone_event (fixture->server, "EventRinging", "c", "0427000009", NULL, NULL, NULL);
  back = g_get_monotonic_time ();
  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_CONNECTED, 10000));
  connected = g_get_monotonic_time ();
  g_test_message ("connected %.2f s after XiVO was back",
                  (connected - back) / (double) G_USEC_PER_SEC);
  g_assert_cmpint (connected - back, <=, 2 * G_USEC_PER_SEC);

  g_assert_true (wait_seen (fixture, "c:ringing", 3000));
  g_assert_true (wait_seen (fixture, "a:missed", 3000) || wait_seen (fixture, "a:ended", 100));
}

/* A link whose far end vanished without a FIN is noticed by TCP keepalive (here tuned by
 * SCREENPOP_TCP_KEEPALIVE to seconds). */
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

  proxy = sp_test_proxy_new (sp_test_xuc_server_get_port (fixture->server));
  url = g_strdup_printf ("http://127.0.0.1:%u", sp_test_proxy_get_port (proxy));
  add_account (fixture, PASSWORD, NULL);
  g_settings_set_string (sp_account_get_settings (fixture->account), "url", url);
  g_assert_true (sp_test_xuc_server_wait_for_frame (fixture->server, "*getCurrentCallsPhoneEvents*", 1, 10000));
  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_CONNECTED, 10000));

  g_assert_cmpuint (sp_test_proxy_vanish (proxy), >=, 1);
  vanished = g_get_monotonic_time ();
  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_RECONNECTING, 15000));
  g_test_message ("noticed %.2f s after the peer vanished",
                  (g_get_monotonic_time () - vanished) / (double) G_USEC_PER_SEC);
  g_assert_cmpint (g_get_monotonic_time () - vanished, <=, 5 * G_USEC_PER_SEC);
  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_CONNECTED, 10000));
}

/* Disabled and enabled again: the calls of before are not brought back, not even as
 * missed calls. */
static void
test_disable_enable (Fixture       *fixture,
                     gconstpointer  data)
{
  GSettings *account_settings;

  connect_account (fixture);
  account_settings = sp_account_get_settings (fixture->account);

  sp_test_xuc_server_phone_event (fixture->server, "EventRinging", "d", "0427000003", NULL, NULL, NULL);
  g_assert_true (wait_seen (fixture, "d:ringing", 3000));

  g_settings_set_boolean (account_settings, "enabled", FALSE);
  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_DISCONNECTED, 3000));
  sp_test_xuc_server_forget_call (fixture->server, "d");
  g_hash_table_remove_all (fixture->seen);

  g_settings_set_boolean (account_settings, "enabled", TRUE);
  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_CONNECTED, 10000));
  g_assert_true (sp_test_xuc_server_wait_for_frame (fixture->server, "*getCurrentCallsPhoneEvents*", 2, 2000));
  sp_test_run_for (300);
  g_assert_false (g_hash_table_contains (fixture->seen, "d:missed"));
  g_assert_false (g_hash_table_contains (fixture->seen, "d:ringing"));
}

static gboolean
logins_at_least (gpointer user_data)
{
  gpointer *pair = user_data;

  return sp_test_xuc_server_get_n_logins (pair[0]) >= GPOINTER_TO_UINT (pair[1]);
}

/* Tokens that live 2 s are renewed before they run out, on the same link. */
static void
test_token_renewal (Fixture       *fixture,
                    gconstpointer  data)
{
  gpointer three[2] = { NULL, GUINT_TO_POINTER (3) };

  connect_account (fixture);
  three[0] = fixture->server;

  g_assert_true (sp_test_wait_until (logins_at_least, three, 6000));
  g_assert_cmpuint (sp_test_xuc_server_get_n_links (fixture->server), ==, 1);
  g_assert_cmpint (sp_source_get_state (source (fixture)), ==, SP_SOURCE_STATE_CONNECTED);
  sp_test_run_for (100);
  g_assert_cmpstr (sp_xivo_source_get_token (SP_XIVO_SOURCE (source (fixture))), ==,
                   sp_test_xuc_server_get_last_token (fixture->server));
  g_assert_cmpuint (sp_test_log_capture_count (fixture->log, 0, "*tok-*"), ==, 0);
}

/* Wrong password: auth failed, and no hammering. */
static void
test_invalid_credentials (Fixture       *fixture,
                          gconstpointer  data)
{
  add_account (fixture, "wrong", NULL);

  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_AUTH_FAILED, 10000));
  g_assert_nonnull (strstr (sp_source_get_error_message (source (fixture)), "rejected the login or password"));
  sp_test_run_for (3000);
  g_assert_cmpuint (sp_test_xuc_server_get_n_failed_logins (fixture->server), ==, 1);
  g_assert_cmpint (sp_source_get_state (source (fixture)), ==, SP_SOURCE_STATE_AUTH_FAILED);
}

static void
test_no_password (Fixture       *fixture,
                  gconstpointer  data)
{
  add_account (fixture, NULL, NULL);

  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_AUTH_FAILED, 10000));
  g_assert_nonnull (strstr (sp_source_get_error_message (source (fixture)), "no password"));
  g_assert_cmpuint (sp_test_xuc_server_get_n_logins (fixture->server), ==, 0);
  g_assert_cmpuint (sp_test_xuc_server_get_n_failed_logins (fixture->server), ==, 0);
}

/* LoggedOnError: loggedOnFailed is a refusal (no retry), loggedOnTimeout is transient. */
static void
test_logged_on_failed (Fixture       *fixture,
                       gconstpointer  data)
{
  sp_test_xuc_server_set_logged_on_error (fixture->server, "loggedOnFailed");
  add_account (fixture, PASSWORD, NULL);

  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_AUTH_FAILED, 10000));
  g_assert_nonnull (strstr (sp_source_get_error_message (source (fixture)), "refused the CTI session"));
  sp_test_run_for (2000);
  g_assert_cmpuint (sp_test_xuc_server_get_n_links (fixture->server), ==, 1);
}

static void
test_logged_on_timeout (Fixture       *fixture,
                        gconstpointer  data)
{
  sp_test_xuc_server_set_logged_on_error (fixture->server, "loggedOnTimeout");
  add_account (fixture, PASSWORD, NULL);

  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_RECONNECTING, 10000));
  g_assert_nonnull (strstr (sp_source_get_error_message (source (fixture)), "in time"));

  sp_test_xuc_server_set_logged_on_error (fixture->server, NULL);
  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_CONNECTED, 10000));
}

static void
test_bad_address (Fixture       *fixture,
                  gconstpointer  data)
{
  add_account (fixture, PASSWORD, NULL);
  g_settings_set_string (sp_account_get_settings (fixture->account), "url", "ftp://xivo.example");

  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_FAILED, 5000));
  g_assert_nonnull (strstr (sp_source_get_error_message (source (fixture)), "ftp://xivo.example"));
}

/* Garbage on the link is skipped, and the link goes on. */
static void
test_malformed_frames (Fixture       *fixture,
                       gconstpointer  data)
{
  connect_account (fixture);

  sp_test_xuc_server_send (fixture->server, "not json at all");
  sp_test_xuc_server_send (fixture->server, "{\"msgType\":\"PhoneEvent\",\"ctiMessage\":{\"eventType\":\"EventRinging\"}}");
  sp_test_xuc_server_send (fixture->server, "{\"msgType\":\"PhoneEvent\",\"ctiMessage\":{\"eventType\":\"EventRinging\",\"linkedId\":\"x\",\"DN\":1000}}");
  g_assert_true (sp_test_log_capture_wait_for (fixture->log, G_LOG_LEVEL_MESSAGE, "*malformed CTI message*", 2000));

  sp_test_xuc_server_phone_event (fixture->server, "EventRinging", "c-4", "0427123456", NULL, NULL, NULL);
  g_assert_true (wait_seen (fixture, "c-4:ringing", 3000));
  g_assert_null (sp_call_tracker_lookup (fixture->tracker, ACCOUNT_ID, "x"));
  g_assert_cmpint (sp_source_get_state (source (fixture)), ==, SP_SOURCE_STATE_CONNECTED);
}

static gboolean
opened_any (gpointer user_data)
{
  Fixture *fixture = user_data;

  return fixture->opened->len > 0;
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static int
find_done_notification (void)
{
  g_autoptr(GPtrArray) calls = sp_test_notify_get_calls (notify, "Notify");

  for (guint i = 0; i < calls->len; i++)
    {
      g_auto(GStrv) actions = sp_test_notify_call_dup_actions (g_ptr_array_index (calls, i));

      if (g_strv_contains ((const char * const *) actions, "done"))
        return (int) i;
    }

  return -1;
}

static gboolean
has_done_notification (gpointer user_data)
{
  return find_done_notification () >= 0;
}

/* The third-party web service with a XiVO account: the CC Agent's payload, token and
 * agent included; autopause pauses the agent on xuc, Done resumes it. */
static void
test_webservice (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(SpTestWebserviceServer) web = sp_test_webservice_server_new ();
  g_autofree char *web_url = sp_test_webservice_server_dup_url (web, "/thirdparty");
  gpointer paused[2] = { fixture, (gpointer) "AgentOnPause" };
  gpointer ready[2] = { fixture, (gpointer) "AgentReady" };
  SpTestWebserviceRequest *request;
  JsonObject *object;
  JsonObject *user;

  sp_test_webservice_server_set_reply (web, 200,
                                       "{\"action\":\"open\",\"event\":\"EventEstablished\","
                                       "\"url\":\"https://crm.example/contact?num=0427123456\","
                                       "\"autopause\":true,\"autopauseReason\":\"crm-work\"}");
  add_account (fixture, PASSWORD, web_url);
  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_CONNECTED, 10000));
  g_assert_true (sp_test_xuc_server_wait_for_frame (fixture->server, "*getCurrentCallsPhoneEvents*", 1, 2000));
  sp_test_run_for (100);

  sp_test_xuc_server_phone_event (fixture->server, "EventRinging", "1469709757.74", "0427123456",
                                  NULL, "bluesky", "XIVO_USERID", "12", NULL);
  g_assert_true (sp_test_webservice_server_wait_for (web, 1, 3000));

  request = g_ptr_array_index (sp_test_webservice_server_get_requests (web), 0);
  object = parse_object (request->body);
  g_assert_cmpstr (json_object_get_string_member (object, "callee"), ==, "1000");
  g_assert_cmpstr (json_object_get_string_member (object, "caller"), ==, "0427123456");
  g_assert_cmpstr (json_object_get_string_member (object, "callDataCallId"), ==, "1469709757.74");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "userData"),
                                                  "XIVO_USERID"), ==, "12");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "queue"),
                                                  "name"), ==, "bluesky");
  user = json_object_get_object_member (object, "user");
  g_assert_cmpstr (json_object_get_string_member (user, "token"), ==,
                   sp_test_xuc_server_get_last_token (fixture->server));
  g_assert_cmpint (json_object_get_int_member (user, "agentId"), ==, 3);
  json_object_unref (object);

  sp_test_xuc_server_phone_event (fixture->server, "EventEstablished", "1469709757.74", "0427123456",
                                  NULL, "bluesky", NULL);
  g_assert_true (sp_test_xuc_server_wait_for_frame (fixture->server,
                                                     "{\"claz\":\"web\",\"command\":\"pauseAgent\",\"agentid\":3,\"reason\":\"crm-work\"}",
                                                     1, 3000));
  g_assert_true (sp_test_wait_until (agent_is, paused, 2000));
  g_assert_cmpuint (fixture->opened->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->opened, 0), ==, "https://crm.example/contact?num=0427123456");

  sp_test_xuc_server_phone_event (fixture->server, "EventReleased", "1469709757.74", "0427123456",
                                  NULL, "bluesky", NULL);
  g_assert_true (wait_seen (fixture, "1469709757.74:ended", 3000));

  g_assert_true (sp_test_wait_until (has_done_notification, NULL, 2000));
  sp_test_notify_click (notify, sp_test_notify_get_id (notify, find_done_notification ()), "done");
  g_assert_true (sp_test_xuc_server_wait_for_frame (fixture->server,
                                                     "{\"claz\":\"web\",\"command\":\"unpauseAgent\",\"agentid\":3}",
                                                     1, 3000));
  g_assert_true (sp_test_wait_until (agent_is, ready, 2000));

  /* The token never reaches a log line, not even with the web service. */
  g_assert_cmpuint (sp_test_log_capture_count (fixture->log, 0, "*tok-*"), ==, 0);
}

/* The request, field by field and type by type, is the third-party chapter's own example
 * (protocols/xivo.md §3.2): the user from xuc's UserConfigUpdate and agent state, the
 * queue from its QueueList, every call variable, numbers as numbers. An option overrides
 * what the server said, no more. */
static void
test_webservice_request_as_seed (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(SpTestWebserviceServer) web = sp_test_webservice_server_new ();
  g_autofree char *web_url = sp_test_webservice_server_dup_url (web, "/thirdparty");
  g_autofree char *expected_text = NULL;
  g_autoptr(JsonNode) expected = NULL;
  g_autoptr(JsonNode) got = NULL;
  GVariantBuilder options;
  SpTestWebserviceRequest *request;
  JsonObject *user;
  JsonObject *queue;

  add_account (fixture, PASSWORD, web_url);
  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_CONNECTED, 10000));
  g_assert_true (sp_test_xuc_server_wait_for_frame (fixture->server,
                                                     "{\"claz\":\"web\",\"command\":\"getList\",\"objectType\":\"queue\"}",
                                                     1, 2000));
  sp_test_run_for (200);

  sp_test_xuc_server_phone_event (fixture->server, "EventRinging", "1469709757.74", "0427123456",
                                  NULL, "bluesky",
                                  "XIVO_CONTEXT", "default", "XIVO_USERID", "12",
                                  "XIVO_SRCNUM", "0427123456", "XIVO_DSTNUM", "3000",
                                  "USR_ORDER", "42", NULL);
  g_assert_true (sp_test_webservice_server_wait_for (web, 1, 3000));
  request = g_ptr_array_index (sp_test_webservice_server_get_requests (web), 0);

  expected_text = g_strdup_printf ("{\"user\":{\"userId\":12,\"agentId\":3,\"firstName\":\"Ana\","
                                   "\"lastName\":\"Horvat\",\"fullName\":\"Ana Horvat\",\"token\":\"%s\"},"
                                   "\"callee\":\"1000\",\"caller\":\"0427123456\","
                                   "\"userData\":{\"XIVO_CONTEXT\":\"default\",\"XIVO_USERID\":\"12\","
                                   "\"XIVO_SRCNUM\":\"0427123456\",\"XIVO_DSTNUM\":\"3000\",\"USR_ORDER\":\"42\"},"
                                   "\"callDataCallId\":\"1469709757.74\","
                                   "\"queue\":{\"id\":1,\"name\":\"bluesky\",\"displayName\":\"Blue Sky\",\"number\":\"3000\"}}",
                                   sp_test_xuc_server_get_last_token (fixture->server));
  expected = json_from_string (expected_text, NULL);
  got = json_from_string (request->body, NULL);
  g_assert_nonnull (got);
  g_test_message ("sent: %s", request->body);
  /* json_node_equal() compares members by name and values by type: 12 is not "12". */
  g_assert_true (json_node_equal (got, expected));

  /* An option overrides the server's word; the rest stays the server's. */
  g_variant_builder_init (&options, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&options, "{ss}", "webservice-full-name", "Ana H. (desk 4)");
  g_settings_set_value (sp_account_get_settings (fixture->account), "options", g_variant_builder_end (&options));
  sp_test_xuc_server_phone_event (fixture->server, "EventRinging", "1469709760.80", "0427123457",
                                  NULL, "edition", NULL);
  g_assert_true (sp_test_webservice_server_wait_for (web, 2, 3000));
  request = g_ptr_array_index (sp_test_webservice_server_get_requests (web), 1);
  g_clear_pointer (&got, json_node_unref);
  got = json_from_string (request->body, NULL);
  user = json_object_get_object_member (json_node_get_object (got), "user");
  queue = json_object_get_object_member (json_node_get_object (got), "queue");
  g_assert_cmpstr (json_object_get_string_member (user, "fullName"), ==, "Ana H. (desk 4)");
  g_assert_cmpstr (json_object_get_string_member (user, "firstName"), ==, "Ana");
  g_assert_cmpint (json_object_get_int_member (user, "userId"), ==, 12);
  g_assert_cmpint (json_object_get_int_member (queue, "id"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (queue, "displayName"), ==, "Édition");
  g_assert_cmpstr (json_object_get_string_member (queue, "number"), ==, "3001");
}

/* A tel: link dials its digits on XiVO, as on every backend; what is no number is refused
 * before anything reaches the server. */
static void
test_dial_link (Fixture       *fixture,
                gconstpointer  data)
{
  Done done = { 0 };
  g_autoptr(GError) error = NULL;

  connect_account (fixture);

  perform (fixture, SP_SOURCE_ACTION_DIAL, NULL, g_variant_new_string ("tel:+385-91-555-1234"));
  g_assert_true (sp_test_xuc_server_wait_for_frame (fixture->server,
                                                     "{\"claz\":\"web\",\"command\":\"dial\",\"destination\":\"+385915551234\"}",
                                                     1, 2000));

  sp_source_perform_async (source (fixture), SP_SOURCE_ACTION_DIAL, NULL,
                           g_variant_new_string ("javascript:alert(1)"), NULL, done_cb, &done);
  g_assert_true (sp_test_wait_until (is_done, &done, 3000));
  g_assert_false (sp_source_perform_finish (source (fixture), done.result, &error));
  g_assert_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED);
  g_object_unref (done.result);
  sp_test_run_for (200);
  g_assert_cmpuint (sp_test_xuc_server_count_frames (fixture->server, "*\"dial\"*"), ==, 1);
}

/* A login answer whose TTL is a string or a float logs in all the same. */
static void
test_ttl_lenient (Fixture       *fixture,
                  gconstpointer  data)
{
  sp_test_xuc_server_set_ttl_json (fixture->server, "\"3600\"");
  connect_account (fixture);
  g_assert_cmpuint (sp_test_xuc_server_get_n_logins (fixture->server), ==, 1);

  sp_account_list_remove (fixture->accounts, ACCOUNT_ID);
  g_clear_object (&fixture->account);
  sp_test_xuc_server_set_ttl_json (fixture->server, "3600.0");
  connect_account (fixture);
  g_assert_cmpuint (sp_test_xuc_server_get_n_logins (fixture->server), ==, 2);
}

static void
set_options (Fixture    *fixture,
             const char *first_key,
             ...) G_GNUC_NULL_TERMINATED;

static void
set_options (Fixture    *fixture,
             const char *first_key,
             ...)
{
  GVariantBuilder options;
  va_list args;

  g_variant_builder_init (&options, G_VARIANT_TYPE ("a{ss}"));
  va_start (args, first_key);
  for (const char *key = first_key; key != NULL; key = va_arg (args, const char *))
    g_variant_builder_add (&options, "{ss}", key, va_arg (args, const char *));
  va_end (args);
  g_settings_set_value (sp_account_get_settings (fixture->account), "options", g_variant_builder_end (&options));
}

/* THIRD_PARTY_LOGIN_URL: after each CTI login the CRM is called with the login, the live
 * token and the XiVO CC host, percent-encoded; the token appears in no log line. */
static void
test_login_url_call (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(SpTestWebserviceServer) web = sp_test_webservice_server_new ();
  g_autofree char *login_url = sp_test_webservice_server_dup_url (web, "/logininfo?login=%{login}&token=%{token}"
                                                                  "&xivoccHost=%{xivocchost}");
  g_autofree char *expected = NULL;
  SpTestWebserviceRequest *request;

  add_account (fixture, PASSWORD, NULL);
  set_options (fixture, "third-party-login-url", login_url, NULL);
  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_CONNECTED, 10000));
  g_assert_true (sp_test_webservice_server_wait_for (web, 1, 5000));

  request = g_ptr_array_index (sp_test_webservice_server_get_requests (web), 0);
  expected = g_strdup_printf ("login=ana&token=%s&xivoccHost=127.0.0.1%%3A%u",
                              sp_test_xuc_server_get_last_token (fixture->server),
                              sp_test_xuc_server_get_port (fixture->server));
  g_assert_cmpstr (request->method, ==, "GET");
  g_assert_cmpstr (request->path, ==, "/logininfo");
  g_assert_cmpstr (request->query, ==, expected);

  /* Each login calls it again. */
  sp_source_retry_now (source (fixture));
  g_assert_true (sp_test_webservice_server_wait_for (web, 2, 10000));
  g_assert_cmpuint (sp_test_log_capture_count (fixture->log, 0, "*tok-*"), ==, 0);
}

/* Opened in the browser instead, through the URL door; and never over plain http to
 * another machine with the token. */
static void
test_login_url_open (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *expected = NULL;

  add_account (fixture, PASSWORD, NULL);
  set_options (fixture, "third-party-login-url", "https://crm.example/login?u=%{login}&t=%{token}",
               "third-party-login-open", "true", NULL);
  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_CONNECTED, 10000));
  g_assert_true (sp_test_wait_until (opened_any, fixture, 3000));
  expected = g_strdup_printf ("https://crm.example/login?u=ana&t=%s",
                              sp_test_xuc_server_get_last_token (fixture->server));
  g_assert_cmpstr (g_ptr_array_index (fixture->opened, 0), ==, expected);

  sp_account_list_remove (fixture->accounts, ACCOUNT_ID);
  g_clear_object (&fixture->account);
  g_ptr_array_set_size (fixture->opened, 0);
  add_account (fixture, PASSWORD, NULL);
  set_options (fixture, "third-party-login-url", "http://crm.example/login?t=%{token}",
               "third-party-login-open", "true", NULL);
  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_CONNECTED, 10000));
  g_assert_true (sp_test_log_capture_wait_for (fixture->log, G_LOG_LEVEL_MESSAGE, "*plain http*", 3000));
  sp_test_run_for (200);
  g_assert_cmpuint (fixture->opened->len, ==, 0);
  g_assert_cmpuint (sp_test_log_capture_count (fixture->log, 0, "*tok-*"), ==, 0);
}

/* An administrator can keep the token from the web service. */
static void
test_webservice_no_token (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(SpTestWebserviceServer) web = sp_test_webservice_server_new ();
  g_autofree char *web_url = sp_test_webservice_server_dup_url (web, "/thirdparty");
  GVariantBuilder options;
  SpTestWebserviceRequest *request;
  JsonObject *object;

  add_account (fixture, PASSWORD, web_url);
  g_variant_builder_init (&options, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&options, "{ss}", "webservice-send-token", "false");
  g_settings_set_value (sp_account_get_settings (fixture->account), "options", g_variant_builder_end (&options));
  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_CONNECTED, 10000));
  g_assert_true (sp_test_xuc_server_wait_for_frame (fixture->server, "*getCurrentCallsPhoneEvents*", 1, 5000));

  sp_test_xuc_server_phone_event (fixture->server, "EventRinging", "c-5", "0427123456", NULL, NULL, NULL);
  g_assert_true (sp_test_webservice_server_wait_for (web, 1, 3000));
  request = g_ptr_array_index (sp_test_webservice_server_get_requests (web), 0);
  object = parse_object (request->body);
  g_assert_false (json_object_has_member (json_object_get_object_member (object, "user"), "token"));
  json_object_unref (object);
}

#define ADD(name, ttl, func) \
  g_test_add ("/xivo/" name, Fixture, GINT_TO_POINTER (ttl), fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  int ret;

  /* Keepalive probes after 1 s of silence: a dead peer is noticed within seconds. */
  g_setenv ("SCREENPOP_TCP_KEEPALIVE", "1,1,2", TRUE);

  g_test_init (&argc, &argv, NULL);

  notify = sp_test_notify_start (NULL);
  keyring = sp_test_keyring_start (sp_test_notify_get_address (notify));

  ADD ("connect", 3600, test_connect);
  ADD ("heartbeat", 3600, test_heartbeat);
  ADD ("silent-link", 3600, test_silent_link);
  ADD ("ringing-established-released", 3600, test_ringing_established_released);
  ADD ("missed", 3600, test_missed);
  ADD ("outgoing", 3600, test_outgoing);
  ADD ("answer-button", 3600, test_answer_button);
  ADD ("actions", 3600, test_actions);
  ADD ("dropped-link-resync", 3600, test_dropped_link_resync);
  ADD ("outage", 3600, test_outage);
  ADD ("dead-peer", 3600, test_dead_peer);
  ADD ("disable-enable", 3600, test_disable_enable);
  ADD ("token-renewal", 2, test_token_renewal);
  ADD ("invalid-credentials", 3600, test_invalid_credentials);
  ADD ("no-password", 3600, test_no_password);
  ADD ("logged-on-failed", 3600, test_logged_on_failed);
  ADD ("logged-on-timeout", 3600, test_logged_on_timeout);
  ADD ("bad-address", 3600, test_bad_address);
  ADD ("malformed-frames", 3600, test_malformed_frames);
  ADD ("webservice", 3600, test_webservice);
  ADD ("webservice-no-token", 3600, test_webservice_no_token);
  ADD ("webservice-request-as-seed", 3600, test_webservice_request_as_seed);
  ADD ("dial-link", 3600, test_dial_link);
  ADD ("ttl-lenient", 3600, test_ttl_lenient);
  ADD ("login-url-call", 3600, test_login_url_call);
  ADD ("login-url-open", 3600, test_login_url_open);

  ret = g_test_run ();

  sp_test_keyring_stop (keyring);
  notify_uninit ();
  /* libsecret keeps the session bus connection, so the private bus is left for GTestDBus's
   * watcher to end when we exit (see sp_test_keyring_stop()). */

  return ret;
}
