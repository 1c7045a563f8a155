/* test-basix-source.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The Basix ws_cti backend through the public path: an account configured in GSettings as
 * an administrator would, its API token in a real gnome-keyring-daemon, a local ws_cti
 * server (sp-test-basix-server.c) playing frames that real Erlang wrote at test time
 * (tests/servers/make-basix-frames.erl), and python3-dbusmock's notification daemon receiving
 * what the person would see. */

#define G_LOG_DOMAIN "test-basix"

#include "config.h"

#include <string.h>

#include <libnotify/notify.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "sp-account-list.h"
#include "sp-basix-source.h"
#include "sp-basix-window.h"
#include "sp-call-tracker.h"
#include "sp-call.h"
#include "sp-notifier.h"
#include "sp-screenpop.h"
#include "sp-secret.h"
#include "sp-source.h"
#include "sp-test-basix-server.h"
#include "sp-test-engine.h"
#include "sp-test-notify.h"
#include "sp-test-keyring.h"
#include "sp-test-proxy.h"
#include "sp-test-util.h"

#define ACCOUNT_ID "basix1"
#define ACCOUNT_NAME "Basix"
#define DOMAIN "example"
#define TOKEN "tok-1234"
#define TIMEOUT_MS 20000

static const char *escript_path;
static char *frames_dir;
static SpTestNotify *notify;
static SpTestKeyring *keyring;
static gboolean have_display;

typedef struct
{
  gboolean    ticket;
  gboolean    compressed;
  gboolean    proxy;       /* connect through an SpTestProxy (outages, a vanished peer) */
} FixtureOptions;

typedef struct
{
  SpTestBasixServer *server;
  GSettings         *settings;
  GSettings         *account_settings;
  SpEngine          *engine;
  SpCallTracker     *tracker;
  SpNotifier        *notifier;
  SpAccountList        *accounts;
  SpScreenpop       *screenpop;
  SpTestProxy       *proxy;
} Fixture;

static GBytes *
frame (const char *name)
{
  g_autofree char *path = g_strdup_printf ("%s/%s.bin", frames_dir, name);
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);

  return g_bytes_new_take (data, len);
}

static void
send_frame (Fixture    *fixture,
            const char *name)
{
  g_autoptr(GBytes) bytes = frame (name);

  sp_test_basix_server_send (fixture->server, bytes);
}

static GPtrArray *
greeting (gboolean compressed)
{
  GPtrArray *frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  const char *names[] = {
    "spec_channel", "spec_user", "spec_group", "spec_group_member",
    compressed ? "initial_user_compressed" : "initial_user",
    "initial_group", "initial_group_member", "initial_channel_empty",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_ptr_array_add (frames, frame (names[i]));

  return frames;
}

static SpSource *
get_source (Fixture *fixture)
{
  SpAccount *account = sp_account_list_lookup (fixture->accounts, ACCOUNT_ID);

  g_assert_nonnull (account);

  return sp_account_list_get_source (fixture->accounts, ACCOUNT_ID);
}

typedef struct
{
  Fixture       *fixture;
  SpSourceState  state;
} StateWait;

static gboolean
source_in_state (gpointer user_data)
{
  StateWait *wait = user_data;
  SpSource *source = get_source (wait->fixture);

  return source != NULL && sp_source_get_state (source) == wait->state;
}

static gboolean
wait_for_state (Fixture       *fixture,
                SpSourceState  state,
                guint          timeout_ms)
{
  StateWait wait = { fixture, state };

  return sp_test_wait_until (source_in_state, &wait, timeout_ms);
}

typedef struct
{
  Fixture    *fixture;
  const char *category;
  guint       n;
} ModelWait;

static gboolean
model_has (gpointer user_data)
{
  ModelWait *wait = user_data;
  SpBasixModel *model = sp_basix_source_get_model (SP_BASIX_SOURCE (get_source (wait->fixture)));

  return sp_basix_model_get_fields (model, "channel") != NULL &&
         sp_basix_model_get_n_elements (model, wait->category) == wait->n;
}

static gboolean
wait_for_model (Fixture    *fixture,
                const char *category,
                guint       n)
{
  ModelWait wait = { fixture, category, n };

  return sp_test_wait_until (model_has, &wait, TIMEOUT_MS);
}

static void
store_token (const char *token)
{
  g_autoptr(GError) error = NULL;

  secret_password_store_sync (sp_secret_get_schema (), SECRET_COLLECTION_DEFAULT, "test",
                              token, NULL, &error, "account", ACCOUNT_ID, NULL);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const FixtureOptions *options = data;
  const char * const extensions[] = { "201", NULL };
  const char * const ids[] = { ACCOUNT_ID, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GPtrArray) frames = NULL;
  GVariantBuilder builder;

  if (frames_dir == NULL)
    {
      g_test_skip ("Erlang (escript) is not available to write the test frames");
      return;
    }

  sp_test_notify_clear (notify);
  store_token (TOKEN);

  fixture->server = sp_test_basix_server_new (DOMAIN, TOKEN, &error);
  g_assert_no_error (error);
  frames = greeting (options != NULL && options->compressed);
  sp_test_basix_server_set_greeting (fixture->server, frames);
  url = sp_test_basix_server_dup_url (fixture->server);
  if (options != NULL && options->proxy)
    {
      /* The server cannot restart on its port: the proxy in front of it goes down and up. */
      fixture->proxy = sp_test_proxy_new ((guint16) g_ascii_strtoull (strrchr (url, ':') + 1,
                                                                       NULL, 10));
      g_free (url);
      url = g_strdup_printf ("http://127.0.0.1:%u", sp_test_proxy_get_port (fixture->proxy));
    }

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&builder, "{ss}", "domain", DOMAIN);
  if (options != NULL && options->ticket)
    g_variant_builder_add (&builder, "{ss}", "auth", "ticket");

  fixture->account_settings = g_settings_new_with_path (SP_ACCOUNT_SCHEMA_ID,
                                                        SP_ACCOUNT_PATH_PREFIX ACCOUNT_ID "/");
  g_settings_set_string (fixture->account_settings, "kind", "basix");
  g_settings_set_string (fixture->account_settings, "display-name", ACCOUNT_NAME);
  g_settings_set_boolean (fixture->account_settings, "enabled", TRUE);
  g_settings_set_string (fixture->account_settings, "url", url);
  g_settings_set_string (fixture->account_settings, "login", "alice");
  g_settings_set_strv (fixture->account_settings, "extensions", extensions);
  g_settings_set_string (fixture->account_settings, "url-template", "");
  g_settings_set_string (fixture->account_settings, "url-trigger", "never");
  g_settings_reset (fixture->account_settings, "ring-timeout");
  g_settings_set_value (fixture->account_settings, "options", g_variant_builder_end (&builder));

  fixture->settings = g_settings_new ("io.github.screenpop.Screenpop");
  g_settings_set_strv (fixture->settings, "accounts", ids);

  fixture->engine = sp_test_engine_new (fixture->settings, NULL);
  fixture->tracker = sp_engine_get_tracker (fixture->engine);
  fixture->notifier = sp_engine_get_notifier (fixture->engine);
  fixture->accounts = sp_engine_get_accounts (fixture->engine);
  fixture->screenpop = sp_engine_get_screenpop (fixture->engine);

  g_assert_true (wait_for_state (fixture, SP_SOURCE_STATE_CONNECTED, TIMEOUT_MS));
  g_assert_true (sp_test_basix_server_wait_for_clients (fixture->server, 1, TIMEOUT_MS));
  g_assert_true (wait_for_model (fixture, "channel", 0));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  const char * const none[] = { NULL };

  if (fixture->settings == NULL)
    return;

  sp_test_engine_assert_finalize (g_steal_pointer (&fixture->engine));

  g_settings_set_strv (fixture->settings, "accounts", none);
  g_clear_object (&fixture->settings);
  g_clear_object (&fixture->account_settings);
  g_clear_pointer (&fixture->proxy, sp_test_proxy_free);
  g_clear_pointer (&fixture->server, sp_test_basix_server_free);
}

static SpTestNotifyCall *
get_notify (guint n)
{
  g_autoptr(GPtrArray) calls = sp_test_notify_get_calls (notify, "Notify");

  g_assert_cmpuint (calls->len, >, n);

  return g_steal_pointer (&g_ptr_array_index (calls, n));
}

/* A call to the user: it rings with the caller's CRM identity, is withdrawn on answer,
 * and its end leaves nothing behind. Timestamps stay exact to the microsecond. */
static void
test_direct_call (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(SpTestNotifyCall) call = NULL;
  SpCall *tracked;

  /* The handshake as the protocol notes want it. */
  g_assert_cmpstr (sp_test_basix_server_get_last_uri (fixture->server), ==,
                   "/basix/api/ws_cti?app_name=screenpop&user_name=alice");
  g_assert_false (sp_test_basix_server_get_offered_deflate (fixture->server));

  send_frame (fixture, "direct_ringing");
  g_assert_true (sp_test_notify_wait_for (notify, "Notify", 1, TIMEOUT_MS));
  call = get_notify (0);
  g_assert_cmpstr (sp_test_notify_call_get_summary (call), ==,
                   "山田 太郎 · 株式会社ACME (0312345678)");
  g_assert_cmpstr (sp_test_notify_call_get_body (call), ==,
                   "Extension: 0501234567\nAccount: " ACCOUNT_NAME);

  tracked = sp_call_tracker_lookup (fixture->tracker, ACCOUNT_ID, "direct-1");
  g_assert_nonnull (tracked);
  g_assert_cmpint (sp_call_get_state (tracked), ==, SP_CALL_STATE_RINGING);
  g_assert_cmpint (sp_call_get_started (tracked), ==, G_GINT64_CONSTANT (1546839040024071));
  g_assert_cmpstr (sp_call_get_var (tracked, "offer_timestamp"), ==, "1546839040024071");
  g_assert_cmpstr (sp_call_get_var (tracked, "crm_name"), ==, "山田 太郎");
  g_assert_cmpstr (sp_call_get_var (tracked, "crm_organization"), ==, "株式会社ACME");
  g_assert_cmpstr (sp_call_get_var (tracked, "crm_id"), ==, "42");
  g_assert_cmpstr (sp_call_get_var (tracked, "calling_name"), ==, "山田 太郎");

  send_frame (fixture, "direct_bridged");
  g_assert_true (sp_test_notify_wait_for (notify, "CloseNotification", 1, TIMEOUT_MS));
  g_assert_cmpint (sp_call_get_state (tracked), ==, SP_CALL_STATE_ANSWERED);
  g_assert_cmpint (sp_call_get_answered (tracked), ==, G_GINT64_CONSTANT (1546839046500001));

  /* CHANNEL_HANGUP ends the call; the "removed" after it is for a channel already gone. */
  g_object_ref (tracked);
  send_frame (fixture, "direct_hangup");
  send_frame (fixture, "direct_removed");
  g_assert_true (wait_for_model (fixture, "channel", 0));
  sp_test_run_for (300);
  g_assert_cmpint (sp_call_get_state (tracked), ==, SP_CALL_STATE_ENDED);
  g_assert_cmpint (sp_call_get_ended (tracked), ==, G_GINT64_CONSTANT (1546839100999999));
  g_object_unref (tracked);
  g_assert_cmpuint (sp_test_notify_count (notify, "Notify"), ==, 1);
  g_assert_cmpint (sp_source_get_state (get_source (fixture)), ==, SP_SOURCE_STATE_CONNECTED);
}

/* The ringing call's Decline: ws_cti's hangup command for its channel (lib/cti.js,
 * protocols/basix_ws_cti.md §2), beside the click on the notification; the server's
 * CHANNEL_HANGUP then ends the call. */
static void
test_decline (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(SpTestNotifyCall) call = NULL;
  g_auto(GStrv) actions = NULL;
  SpCall *tracked;

  g_assert_true (sp_source_can_perform (get_source (fixture), SP_SOURCE_ACTION_HANGUP));
  g_assert_false (sp_source_can_perform (get_source (fixture), SP_SOURCE_ACTION_ANSWER));

  send_frame (fixture, "direct_ringing");
  g_assert_true (sp_test_notify_wait_for (notify, "Notify", 1, TIMEOUT_MS));
  call = get_notify (0);
  actions = sp_test_notify_call_dup_actions (call);
  g_assert_true (g_strv_contains ((const char * const *) actions, "hangup"));
  g_assert_true (g_strv_contains ((const char * const *) actions, "Decline"));
  g_assert_false (g_strv_contains ((const char * const *) actions, "answer"));

  sp_test_notify_click (notify, sp_test_notify_get_id (notify, 0), "hangup");
  g_assert_true (sp_test_basix_server_wait_for_command (fixture->server,
                                                        "{\"cmd\":\"hangup\",\"uuid\":\"direct-1\"}",
                                                        TIMEOUT_MS));

  tracked = g_object_ref (sp_call_tracker_lookup (fixture->tracker, ACCOUNT_ID, "direct-1"));
  send_frame (fixture, "direct_hangup");
  send_frame (fixture, "direct_removed");
  g_assert_true (wait_for_model (fixture, "channel", 0));
  sp_test_run_for (300);
  g_assert_true (sp_call_is_finished (tracked));
  g_object_unref (tracked);
}

/* A channel whose state carries no timestamp (undefined, as Erlang writes an unset record
 * field) still rings, with no critical warning on the way (fatal under the tests'
 * G_DEBUG): sp_bert_term_get_int64: assertion 'term != NULL' failed, before. */
static void
test_state_without_timestamp (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(SpTestNotifyCall) call = NULL;
  SpCall *tracked;

  send_frame (fixture, "direct_ringing_no_ts");
  g_assert_true (sp_test_notify_wait_for (notify, "Notify", 1, TIMEOUT_MS));
  call = get_notify (0);
  g_assert_cmpstr (sp_test_notify_call_get_summary (call), ==,
                   "山田 太郎 · 株式会社ACME (0312345678)");

  tracked = sp_call_tracker_lookup (fixture->tracker, ACCOUNT_ID, "direct-1");
  g_assert_nonnull (tracked);
  g_assert_cmpint (sp_call_get_state (tracked), ==, SP_CALL_STATE_RINGING);
  g_assert_cmpint (sp_call_get_started (tracked), ==, G_GINT64_CONSTANT (1546839040024071));

  send_frame (fixture, "direct_bridged");
  g_assert_true (sp_test_notify_wait_for (notify, "CloseNotification", 1, TIMEOUT_MS));
  g_assert_cmpint (sp_source_get_state (get_source (fixture)), ==, SP_SOURCE_STATE_CONNECTED);
}

/* A call to a ring group alice is a member of rings with the group as queue; another
 * user's call does not ring; the group call's end without an answer is a missed call. */
static void
test_group_call (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(SpTestNotifyCall) ring = NULL;
  g_autoptr(SpTestNotifyCall) missed = NULL;

  send_frame (fixture, "other_ringing");
  send_frame (fixture, "group_ringing");
  g_assert_true (sp_test_notify_wait_for (notify, "Notify", 1, TIMEOUT_MS));
  ring = get_notify (0);
  /* No CRM data (all "*"): the caller id's name, in Japanese, exactly. */
  g_assert_cmpstr (sp_test_notify_call_get_summary (ring), ==, "田中 花子 (0398765432)");
  g_assert_cmpstr (sp_test_notify_call_get_body (ring), ==,
                   "Queue: 営業部\nExtension: 0501234567\nAccount: " ACCOUNT_NAME);

  send_frame (fixture, "group_removed");
  g_assert_true (sp_test_notify_wait_for (notify, "Notify", 2, TIMEOUT_MS));
  missed = get_notify (1);
  g_assert_cmpstr (sp_test_notify_call_get_summary (missed), ==,
                   "Missed call from 田中 花子 (0398765432)");
  g_assert_null (sp_call_tracker_lookup (fixture->tracker, ACCOUNT_ID, "other-1"));
}

/* connection_limit_reached: a clear message and a long wait, not a hammering reconnect. */
static void
test_limit (Fixture       *fixture,
            gconstpointer  data)
{
  SpSource *source = get_source (fixture);
  gint64 wait_ms;

  send_frame (fixture, "system_limit");
  g_assert_true (wait_for_state (fixture, SP_SOURCE_STATE_RECONNECTING, TIMEOUT_MS));
  g_test_message ("%s", sp_source_get_error_message (source));
  g_assert_nonnull (strstr (sp_source_get_error_message (source), "two connections"));
  wait_ms = (sp_source_get_retry_time (source) - g_get_monotonic_time ()) / 1000;
  g_test_message ("next attempt in %" G_GINT64_FORMAT " ms", wait_ms);
  g_assert_cmpint (wait_ms, >, 20000);
  sp_test_run_for (500);
  g_assert_cmpuint (sp_test_basix_server_get_n_handshakes (fixture->server), ==, 1);
}

/* connection_replaced: stop for good and say why; never fight back. */
static void
test_replaced (Fixture       *fixture,
               gconstpointer  data)
{
  SpSource *source = get_source (fixture);

  send_frame (fixture, "system_replaced");
  g_assert_true (wait_for_state (fixture, SP_SOURCE_STATE_FAILED, TIMEOUT_MS));
  g_assert_cmpstr (sp_source_get_error_message (source), ==,
                   "Another client took over this Basix connection; Screenpop stopped so as "
                   "not to fight it. Reconnect from the window when you want it back");
  sp_test_run_for (2500);
  g_assert_cmpint (sp_source_get_state (source), ==, SP_SOURCE_STATE_FAILED);
  g_assert_cmpuint (sp_test_basix_server_get_n_handshakes (fixture->server), ==, 1);
  g_assert_cmpuint (sp_test_basix_server_get_n_clients (fixture->server), ==, 0);
}

/* Frames that are not a term, or not a ws_cti message, are logged and skipped; the
 * connection stays and the next good frame still rings. */
static void
test_malformed (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GBytes) good = frame ("direct_ringing");
  gsize good_len = g_bytes_get_size (good);
  const guint8 *good_data = g_bytes_get_data (good, NULL);
  g_autofree guint8 *trailing = g_malloc (good_len + 1);
  g_autofree guint8 *bad_version = g_memdup2 (good_data, good_len);
  g_autofree guint8 *deep = NULL;
  static const guint8 overflow_list[] = { 131, 108, 0xff, 0xff, 0xff, 0xff, 106 };
  static const guint8 overflow_binary[] = { 131, 109, 0x7f, 0xff, 0xff, 0xff, 'a' };
  static const guint8 overflow_big[] = { 131, 111, 0xff, 0xff, 0xff, 0xff, 0, 1 };
  static const guint8 overflow_tuple[] = { 131, 105, 0xff, 0xff, 0xff, 0xff };
  gsize deep_len = 1 + 2 * 100000 + 1;
  g_autoptr(SpTestNotifyCall) call = NULL;

  memcpy (trailing, good_data, good_len);
  trailing[good_len] = 0;
  bad_version[0] = 130;
  deep = g_malloc (deep_len);
  deep[0] = 131;
  for (gsize i = 0; i < 100000; i++)
    {
      deep[1 + 2 * i] = 104;
      deep[2 + 2 * i] = 1;
    }
  deep[deep_len - 1] = 106;

  g_test_expect_message ("sp-basix", G_LOG_LEVEL_MESSAGE, "*Skipped a malformed frame of 0 bytes*");
  sp_test_basix_server_send_data (fixture->server, (const guint8 *) "", 0);
  g_test_expect_message ("sp-basix", G_LOG_LEVEL_MESSAGE, "*Skipped a malformed frame*");
  sp_test_basix_server_send_data (fixture->server, good_data, good_len / 2);
  g_test_expect_message ("sp-basix", G_LOG_LEVEL_MESSAGE, "*Skipped a malformed frame*");
  sp_test_basix_server_send_data (fixture->server, bad_version, good_len);
  g_test_expect_message ("sp-basix", G_LOG_LEVEL_MESSAGE, "*Skipped a malformed frame*");
  sp_test_basix_server_send_data (fixture->server, trailing, good_len + 1);
  g_test_expect_message ("sp-basix", G_LOG_LEVEL_MESSAGE, "*Skipped a malformed frame*");
  sp_test_basix_server_send_data (fixture->server, overflow_list, sizeof overflow_list);
  g_test_expect_message ("sp-basix", G_LOG_LEVEL_MESSAGE, "*Skipped a malformed frame*");
  sp_test_basix_server_send_data (fixture->server, overflow_binary, sizeof overflow_binary);
  g_test_expect_message ("sp-basix", G_LOG_LEVEL_MESSAGE, "*Skipped a malformed frame*");
  sp_test_basix_server_send_data (fixture->server, overflow_big, sizeof overflow_big);
  g_test_expect_message ("sp-basix", G_LOG_LEVEL_MESSAGE, "*Skipped a malformed frame*");
  sp_test_basix_server_send_data (fixture->server, overflow_tuple, sizeof overflow_tuple);
  g_test_expect_message ("sp-basix", G_LOG_LEVEL_MESSAGE, "*Skipped a malformed frame*");
  sp_test_basix_server_send_data (fixture->server, deep, deep_len);
  g_test_expect_message ("sp-basix", G_LOG_LEVEL_MESSAGE, "*does not fit the protocol*");
  send_frame (fixture, "bad_shape");
  g_test_expect_message ("sp-basix", G_LOG_LEVEL_MESSAGE, "*system message ignored: logout*");
  send_frame (fixture, "system_logout");
  g_test_expect_message ("sp-basix", G_LOG_LEVEL_MESSAGE, "*system message ignored*maintenance*");
  send_frame (fixture, "system_other");

  send_frame (fixture, "direct_ringing");
  g_assert_true (sp_test_notify_wait_for (notify, "Notify", 1, TIMEOUT_MS));
  g_test_assert_expected_messages ();
  call = get_notify (0);
  g_assert_cmpstr (sp_test_notify_call_get_summary (call), ==,
                   "山田 太郎 · 株式会社ACME (0312345678)");
  g_assert_cmpint (sp_source_get_state (get_source (fixture)), ==, SP_SOURCE_STATE_CONNECTED);
  g_assert_cmpuint (sp_test_basix_server_get_n_handshakes (fixture->server), ==, 1);
  g_assert_cmpuint (sp_test_basix_server_get_n_clients (fixture->server), ==, 1);
}

static gboolean
handshakes_at_least (gpointer user_data)
{
  Fixture *fixture = user_data;

  return sp_test_basix_server_get_n_handshakes (fixture->server) >= 2;
}

/* The server restarts: the source reconnects, the model is rebuilt from the new snapshot,
 * and the call that rang before and is gone from it ends (missed: never answered). */
static void
test_reconnect (Fixture       *fixture,
                gconstpointer  data)
{
  const FixtureOptions *options = data;
  SpBasixModel *model = sp_basix_source_get_model (SP_BASIX_SOURCE (get_source (fixture)));
  g_autoptr(SpTestNotifyCall) missed = NULL;
  g_autoptr(SpTestNotifyCall) ring = NULL;
  guint n_users = options != NULL && options->compressed ? 302 : 2;

  g_assert_cmpuint (sp_basix_model_get_n_elements (model, "user"), ==, n_users);
  send_frame (fixture, "user_bob_away");
  send_frame (fixture, "direct_ringing");
  g_assert_true (sp_test_notify_wait_for (notify, "Notify", 1, TIMEOUT_MS));
  g_assert_cmpuint (sp_basix_model_get_n_elements (model, "channel"), ==, 1);

  sp_test_basix_server_drop_clients (fixture->server);
  g_assert_true (sp_test_wait_until (handshakes_at_least, fixture, TIMEOUT_MS));
  g_assert_true (wait_for_state (fixture, SP_SOURCE_STATE_CONNECTED, TIMEOUT_MS));
  g_assert_true (sp_test_notify_wait_for (notify, "Notify", 2, TIMEOUT_MS));
  missed = get_notify (1);
  g_assert_cmpstr (sp_test_notify_call_get_summary (missed), ==,
                   "Missed call from 山田 太郎 · 株式会社ACME (0312345678)");
  g_assert_true (wait_for_model (fixture, "channel", 0));
  g_assert_cmpuint (sp_basix_model_get_n_elements (model, "user"), ==, n_users);
  /* bob is available again: the snapshot, not the old event, counts. */
  {
    SpBasixElement *bob = sp_basix_model_lookup (model, "user", "10001002");

    g_assert_nonnull (bob);
    g_assert_true (sp_basix_element_text_equal (bob, "presence", "busy"));
  }

  if (options != NULL && options->ticket)
    g_assert_cmpuint (sp_test_basix_server_get_n_tickets (fixture->server), ==, 2);

  send_frame (fixture, "group_ringing");
  g_assert_true (sp_test_notify_wait_for (notify, "Notify", 3, TIMEOUT_MS));
  ring = get_notify (2);
  g_assert_cmpstr (sp_test_notify_call_get_summary (ring), ==, "田中 花子 (0398765432)");
}

/* The PBX unreachable for a while, then back: connected within 2 s of it accepting
 * connections again (issue 12), and what rings now is what the new initial_info says: the
 * call that started while the link was down and still rings pops. */
static void
test_outage (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(SpTestNotifyCall) ring = NULL;
  const char *names[] = {
    "spec_channel", "spec_user", "spec_group", "spec_group_member", "initial_user",
    "initial_group", "initial_group_member", "initial_channel_direct_ringing",
  };
  gint64 back;
  gint64 connected;

  sp_test_proxy_set_up (fixture->proxy, FALSE);
  g_assert_true (wait_for_state (fixture, SP_SOURCE_STATE_RECONNECTING, TIMEOUT_MS));

  /* Meanwhile a call comes in; the snapshot of the next connection has it. */
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_ptr_array_add (frames, frame (names[i]));
  sp_test_basix_server_set_greeting (fixture->server, frames);

  /* Long enough for an exponential back-off to have grown past the bound. */
  sp_test_run_for (8000);
  g_assert_cmpuint (sp_test_notify_count (notify, "Notify"), ==, 0);

  sp_test_proxy_set_up (fixture->proxy, TRUE);
  back = g_get_monotonic_time ();
  g_assert_true (wait_for_state (fixture, SP_SOURCE_STATE_CONNECTED, TIMEOUT_MS));
  connected = g_get_monotonic_time ();
  g_test_message ("connected %.2f s after the PBX was back",
                  (connected - back) / (double) G_USEC_PER_SEC);
  g_assert_cmpint (connected - back, <=, 2 * G_USEC_PER_SEC);

  g_assert_true (sp_test_notify_wait_for (notify, "Notify", 1, TIMEOUT_MS));
  ring = get_notify (0);
  g_assert_cmpstr (sp_test_notify_call_get_summary (ring), ==, "山田 太郎 · 株式会社ACME (0312345678)");
}

/* A link whose far end vanished without a FIN is noticed by TCP keepalive (here tuned by
 * SCREENPOP_TCP_KEEPALIVE to seconds). */
static void
test_dead_peer (Fixture       *fixture,
                gconstpointer  data)
{
  gint64 vanished;

  if (!sp_test_proxy_can_vanish ())
    {
      g_test_skip ("needs CAP_NET_ADMIN (TCP_REPAIR) to drop a connection without a FIN");
      return;
    }

  g_assert_cmpuint (sp_test_proxy_vanish (fixture->proxy), >=, 1);
  vanished = g_get_monotonic_time ();
  g_assert_true (wait_for_state (fixture, SP_SOURCE_STATE_RECONNECTING, 15000));
  g_test_message ("noticed %.2f s after the peer vanished",
                  (g_get_monotonic_time () - vanished) / (double) G_USEC_PER_SEC);
  g_assert_cmpint (g_get_monotonic_time () - vanished, <=, 5 * G_USEC_PER_SEC);
  g_assert_true (wait_for_state (fixture, SP_SOURCE_STATE_CONNECTED, TIMEOUT_MS));
}

typedef struct
{
  GListModel *model;
  guint       n;
} CountWait;

static gboolean
has_n_items (gpointer user_data)
{
  CountWait *wait = user_data;

  return g_list_model_get_n_items (wait->model) == wait->n;
}

static gboolean
wait_for_items (GListModel *model,
                guint       n)
{
  CountWait wait = { model, n };

  return sp_test_wait_until (has_n_items, &wait, TIMEOUT_MS);
}

/* What a list view knows of a list model: the items as items-changed announced them. Every
 * announcement must agree with the model, and the items stay the same objects. */
typedef struct
{
  GPtrArray *items;
  guint      n_additions;
} Mirror;

static void
mirror_changed_cb (GListModel *model,
                   guint       position,
                   guint       removed,
                   guint       added,
                   Mirror     *mirror)
{
  g_assert_cmpuint (position + removed, <=, mirror->items->len);
  g_ptr_array_remove_range (mirror->items, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (mirror->items, (int) (position + i),
                        g_list_model_get_item (model, position + i));
  g_assert_cmpuint (mirror->items->len, ==, g_list_model_get_n_items (model));
  if (added > 0)
    mirror->n_additions++;
}

static void
mirror_init (Mirror     *mirror,
             GListModel *model)
{
  mirror->items = g_ptr_array_new_with_free_func (g_object_unref);
  mirror->n_additions = 0;
  mirror_changed_cb (model, 0, 0, g_list_model_get_n_items (model), mirror);
  g_signal_connect (model, "items-changed", G_CALLBACK (mirror_changed_cb), mirror);
}

static void
assert_mirror (Mirror     *mirror,
               GListModel *model)
{
  g_assert_cmpuint (mirror->items->len, ==, g_list_model_get_n_items (model));
  for (guint i = 0; i < mirror->items->len; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);

      g_assert_true (item == g_ptr_array_index (mirror->items, i));
    }
}

static void
mirror_clear (Mirror     *mirror,
              GListModel *model)
{
  g_signal_handlers_disconnect_by_func (model, mirror_changed_cb, mirror);
  g_clear_pointer (&mirror->items, g_ptr_array_unref);
}

/* The live view follows the element store: calls come and go, users are updated in place,
 * and a reconnect starts it over from the new snapshot (302 users, compressed: the big
 * change path), which the window on screen shows a few rows per frame, the list model
 * consistent all along. */
static void
test_live_view (Fixture       *fixture,
                gconstpointer  data)
{
  SpBasixWindow *view;
  GListModel *calls;
  GListModel *users;
  Mirror calls_mirror;
  Mirror users_mirror;

  if (!have_display)
    {
      g_test_skip ("No display");
      return;
    }

  view = sp_basix_window_new (SP_BASIX_SOURCE (get_source (fixture)));
  g_object_ref_sink (view);
  gtk_window_present (GTK_WINDOW (view));
  calls = sp_basix_window_get_calls (view);
  users = sp_basix_window_get_users (view);
  mirror_init (&calls_mirror, calls);
  mirror_init (&users_mirror, users);
  g_assert_cmpuint (g_list_model_get_n_items (calls), ==, 0);
  g_assert_true (wait_for_items (users, 302));

  send_frame (fixture, "direct_ringing");
  send_frame (fixture, "other_ringing");
  g_assert_true (wait_for_items (calls, 2));
  send_frame (fixture, "user_bob_away");
  send_frame (fixture, "direct_bridged");
  send_frame (fixture, "direct_hangup");
  g_assert_true (wait_for_items (calls, 1));
  g_assert_cmpuint (g_list_model_get_n_items (users), ==, 302);
  sp_test_run_for (100);

  assert_mirror (&calls_mirror, calls);
  assert_mirror (&users_mirror, users);

  sp_test_basix_server_drop_clients (fixture->server);
  g_assert_true (sp_test_wait_until (handshakes_at_least, fixture, TIMEOUT_MS));
  g_assert_true (wait_for_state (fixture, SP_SOURCE_STATE_CONNECTED, TIMEOUT_MS));
  users_mirror.n_additions = 0;
  /* A change while the new snapshot is being announced. */
  send_frame (fixture, "user_bob_away");
  g_assert_true (wait_for_model (fixture, "channel", 0));
  g_assert_true (wait_for_items (calls, 0));
  g_assert_true (wait_for_items (users, 302));
  /* The window on screen learnt the 302 users over several frames, not in one go. */
  g_assert_cmpuint (users_mirror.n_additions, >, 1);
  assert_mirror (&calls_mirror, calls);
  assert_mirror (&users_mirror, users);
  mirror_clear (&calls_mirror, calls);
  mirror_clear (&users_mirror, users);

  gtk_window_destroy (GTK_WINDOW (view));
  g_assert_finalize_object (view);
}

/* The rows the live view shows now (its row widgets, made for the rows on screen), below
 * @widget, each with a reference. */
static void
collect_rows (GtkWidget *widget,
              GPtrArray *rows)
{
  if (gtk_widget_has_css_class (widget, "sp-basix-row") && gtk_widget_get_mapped (widget))
    {
      g_ptr_array_add (rows, g_object_ref (widget));
      return;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_rows (child, rows);
}

static GPtrArray *
shown_rows (SpBasixWindow *view)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func (g_object_unref);

  collect_rows (GTK_WIDGET (view), rows);

  return rows;
}

/* A row's text as a person reads it: title, subtitle, and its icon's name. */
static char *
row_text (GtkWidget *row)
{
  GtkWidget *icon = gtk_widget_get_first_child (row);
  GtkWidget *title = gtk_widget_get_first_child (gtk_widget_get_next_sibling (icon));
  GtkWidget *subtitle = gtk_widget_get_next_sibling (title);

  return g_strdup_printf ("%s | %s | %s", gtk_inscription_get_text (GTK_INSCRIPTION (title)),
                          gtk_inscription_get_text (GTK_INSCRIPTION (subtitle)),
                          gtk_image_get_icon_name (GTK_IMAGE (icon)));
}

static GtkWidget *
find_row (GPtrArray  *rows,
          const char *words)
{
  for (guint i = 0; i < rows->len; i++)
    {
      g_autofree char *text = row_text (g_ptr_array_index (rows, i));

      if (strstr (text, words) != NULL)
        return g_ptr_array_index (rows, i);
    }

  return NULL;
}

/* No row shows a word of the protocol: the server's state, direction and presence names
 * are for the program, the person reads translated words. */
static void
assert_no_protocol_words (GPtrArray *rows)
{
  const char *words[] = { "calling", "bridged", "inbound", "outbound", "available", "busy",
                          "away", "offline", "CHANNEL_", NULL };

  for (guint i = 0; i < rows->len; i++)
    {
      g_autofree char *text = row_text (g_ptr_array_index (rows, i));
      /* The icon's name is not shown; the title and subtitle are. */
      g_autofree char *shown = g_strndup (text, g_strrstr (text, " | ") - text);

      g_test_message ("row: %s", text);
      for (guint w = 0; words[w] != NULL; w++)
        g_assert_null (strstr (shown, words[w]));
    }
}

static gboolean
shows_in_call (gpointer user_data)
{
  g_autoptr(GPtrArray) rows = shown_rows (user_data);

  return find_row (rows, "In call") != NULL;
}

/* The live view changes by items: a call that is updated keeps its row widget (no rebuild
 * of the rows), and so does the call next to it; the rows say what a person says
 * ("Ringing", "In call", "Away"), with presence icons, and the window's title names the
 * account. */
static void
test_live_view_rows (Fixture       *fixture,
                     gconstpointer  data)
{
  SpBasixWindow *view;
  GListModel *calls;
  GListModel *users;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  GtkWidget *stack = NULL;

  if (!have_display)
    {
      g_test_skip ("No display");
      return;
    }

  view = sp_basix_window_new (SP_BASIX_SOURCE (get_source (fixture)));
  g_object_ref_sink (view);
  gtk_window_present (GTK_WINDOW (view));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (view)), ==,
                   "Basix live view — " ACCOUNT_NAME);
  calls = sp_basix_window_get_calls (view);
  users = sp_basix_window_get_users (view);
  g_assert_true (wait_for_items (users, 2));

  send_frame (fixture, "direct_ringing");
  send_frame (fixture, "other_ringing");
  g_assert_true (wait_for_items (calls, 2));
  sp_test_run_for (300);
  before = shown_rows (view);
  g_assert_cmpuint (before->len, ==, 2);
  g_assert_nonnull (find_row (before, "Ringing · Incoming · since "));
  g_assert_nonnull (find_row (before, "call-incoming-symbolic"));
  assert_no_protocol_words (before);

  send_frame (fixture, "direct_bridged");
  g_assert_true (sp_test_wait_until (shows_in_call, view, TIMEOUT_MS));
  sp_test_run_for (100);
  after = shown_rows (view);
  g_assert_cmpuint (after->len, ==, 2);
  g_assert_nonnull (find_row (after, "In call · Incoming · since "));
  g_assert_nonnull (find_row (after, "Ringing · Incoming · since "));
  assert_no_protocol_words (after);
  /* The same two row widgets: the updated call's and its neighbour's. */
  for (guint i = 0; i < before->len; i++)
    g_assert_true (g_ptr_array_find (after, g_ptr_array_index (before, i), NULL));

  /* The users page: presence as words and an icon of the theme. */
  for (GtkWidget *w = gtk_widget_get_first_child (GTK_WIDGET (view)); w != NULL && stack == NULL;)
    {
      if (ADW_IS_VIEW_STACK (w))
        stack = w;
      else if (gtk_widget_get_first_child (w) != NULL)
        w = gtk_widget_get_first_child (w);
      else
        {
          while (w != NULL && gtk_widget_get_next_sibling (w) == NULL)
            w = gtk_widget_get_parent (w);
          w = w != NULL ? gtk_widget_get_next_sibling (w) : NULL;
        }
    }
  g_assert_nonnull (stack);
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (stack), "users");
  send_frame (fixture, "user_bob_away");
  sp_test_run_for (300);
  g_clear_pointer (&after, g_ptr_array_unref);
  after = shown_rows (view);
  g_assert_cmpuint (after->len, ==, 2);
  g_assert_nonnull (find_row (after, "鈴木 一郎 (201) | Available | user-available-symbolic"));
  g_assert_nonnull (find_row (after, "佐藤 花子 (202) | Away | user-away-symbolic"));
  assert_no_protocol_words (after);

  g_clear_pointer (&before, g_ptr_array_unref);
  g_clear_pointer (&after, g_ptr_array_unref);
  gtk_window_destroy (GTK_WINDOW (view));
  g_assert_finalize_object (view);
}

/* A wrong token: the server's 401 is an authentication failure, not retried. */
static void
test_bad_token (Fixture       *fixture,
                gconstpointer  data)
{
  SpSource *source = get_source (fixture);

  store_token ("wrong");
  sp_source_retry_now (source);
  g_assert_true (wait_for_state (fixture, SP_SOURCE_STATE_AUTH_FAILED, TIMEOUT_MS));
  g_test_message ("%s", sp_source_get_error_message (source));
  g_assert_nonnull (strstr (sp_source_get_error_message (source), "401"));
}

typedef struct
{
  Fixture    *fixture;
  const char *words;
} ErrorWait;

static gboolean
error_says (gpointer user_data)
{
  ErrorWait *wait = user_data;
  const char *message = sp_source_get_error_message (get_source (wait->fixture));

  return message != NULL && strstr (message, wait->words) != NULL;
}

/* The ticket service answers with @hostile: the attempt fails with @words, without the
 * process holding the answer; the source keeps trying, and connects once the service
 * gives tickets again. */
static void
check_hostile_ticket (Fixture       *fixture,
                      SpTestHostile  hostile,
                      const char    *words)
{
  const SpTestHostileStats *stats = sp_test_basix_server_get_hostile_stats (fixture->server);
  ErrorWait error_wait = { fixture, words };
  SpTestHostileProbe probe;

  sp_test_hostile_probe_start (&probe, stats);
  sp_test_basix_server_set_ticket_answer (fixture->server, hostile);
  sp_test_basix_server_drop_clients (fixture->server);

  g_assert_true (sp_test_wait_until (error_says, &error_wait, TIMEOUT_MS));
  g_test_message ("%s", sp_source_get_error_message (get_source (fixture)));
  g_assert_cmpint (sp_source_get_state (get_source (fixture)), ==, SP_SOURCE_STATE_RECONNECTING);
  sp_test_hostile_probe_assert_not_held (&probe, TIMEOUT_MS);

  /* Still alive: it asks again, and connects when the service is itself again. */
  g_assert_true (sp_test_hostile_wait_answers (stats, 2, TIMEOUT_MS));
  sp_test_basix_server_set_ticket_answer (fixture->server, SP_TEST_HOSTILE_NONE);
  g_assert_true (wait_for_state (fixture, SP_SOURCE_STATE_CONNECTED, TIMEOUT_MS));
  g_assert_true (wait_for_model (fixture, "channel", 0));
}

/* gen_ws_ticket answers 300 MB: refused at the reader's limit, not allocated. */
static void
test_huge_ticket (Fixture       *fixture,
                  gconstpointer  data)
{
  check_hostile_ticket (fixture, SP_TEST_HOSTILE_HUGE, "too large");
}

/* gen_ws_ticket answers JSON nested 100 000 deep: refused at the reader's depth, instead of
 * overflowing json-glib's stack. */
static void
test_deep_ticket (Fixture       *fixture,
                  gconstpointer  data)
{
  check_hostile_ticket (fixture, SP_TEST_HOSTILE_DEEP, "deeper than");
}

/* Real Erlang writes the frames into a temporary directory. */
static void
make_frames (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "servers", "make-basix-frames.erl", NULL);
  g_autofree char *found = NULL;
  g_autofree char *err = NULL;
  const char *escript = escript_path;
  int status = 0;

  if (escript == NULL)
    {
      found = g_find_program_in_path ("escript");
      if (found == NULL)
        return;
      escript = found;
    }

  frames_dir = g_dir_make_tmp ("test-basix-XXXXXX", &error);
  g_assert_no_error (error);
  {
    const char *argv[] = { escript, script, frames_dir, NULL };

    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, &err,
                       &status, &error) ||
        !g_spawn_check_wait_status (status, &error))
      g_error ("%s %s failed: %s\n%s", escript, script, error->message, err ? err : "");
  }
}

#define ADD(name, options, func) \
  g_test_add ("/basix/" name, Fixture, options, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  static const FixtureOptions defaults = { FALSE, FALSE };
  static const FixtureOptions ticket = { TRUE, FALSE };
  static const FixtureOptions compressed = { FALSE, TRUE };
  static const FixtureOptions proxied = { FALSE, FALSE, TRUE };
  int ret;

  /* Keepalive probes after 1 s of silence: a dead peer is noticed within seconds. */
  g_setenv ("SCREENPOP_TCP_KEEPALIVE", "1,1,2", TRUE);

  /* --escript=PATH, from meson, taken out before g_test_init() sees the arguments. */
  for (int i = 1; i < argc; i++)
    {
      if (g_str_has_prefix (argv[i], "--escript="))
        {
          escript_path = argv[i] + strlen ("--escript=");
          for (int j = i; j < argc; j++)
            argv[j] = argv[j + 1];
          argc--;
          i--;
        }
    }

  g_test_init (&argc, &argv, NULL);

  make_frames ();
  notify = sp_test_notify_start (NULL);
  have_display = gtk_init_check ();
  if (have_display)
    {
      adw_init ();
    }
  keyring = sp_test_keyring_start (sp_test_notify_get_address (notify));

  ADD ("direct-call", &defaults, test_direct_call);
  ADD ("decline", &defaults, test_decline);
  ADD ("state-without-timestamp", &defaults, test_state_without_timestamp);
  ADD ("group-call", &defaults, test_group_call);
  ADD ("limit", &defaults, test_limit);
  ADD ("replaced", &defaults, test_replaced);
  ADD ("malformed", &defaults, test_malformed);
  ADD ("reconnect", &defaults, test_reconnect);
  ADD ("reconnect-ticket", &ticket, test_reconnect);
  ADD ("reconnect-compressed", &compressed, test_reconnect);
  ADD ("outage", &proxied, test_outage);
  ADD ("dead-peer", &proxied, test_dead_peer);
  ADD ("live-view", &compressed, test_live_view);
  ADD ("live-view-rows", &defaults, test_live_view_rows);
  ADD ("bad-token", &defaults, test_bad_token);
  ADD ("huge-ticket", &ticket, test_huge_ticket);
  ADD ("deep-ticket", &ticket, test_deep_ticket);

  ret = g_test_run ();

  notify_uninit ();
  /* Not sp_test_notify_stop(): libsecret keeps the bus connection (see
   * sp_test_keyring_stop()); the private bus goes down when we exit. */
  sp_test_keyring_stop (keyring);
  if (frames_dir != NULL)
    sp_test_remove_tree (frames_dir);
  g_free (frames_dir);

  return ret;
}
