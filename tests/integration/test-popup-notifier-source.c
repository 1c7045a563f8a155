/* test-popup-notifier-source.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The popup-notifier backend through the public path, against a server that behaves like
 * the real daemon (broadcasts to everybody, never reads, answers no ping) and the
 * notification daemon of python3-dbusmock: the account is configured in GSettings as an
 * administrator would, and what the test checks is what reaches the notification server
 * and the URL opener. */

#define G_LOG_DOMAIN "test-popup-notifier"

#include "config.h"

#include <string.h>

#include <libnotify/notify.h>

#include "sp-account-list.h"
#include "sp-backoff.h"
#include "sp-call-tracker.h"
#include "sp-notifier.h"
#include "sp-screenpop.h"
#include "sp-source.h"
#include "sp-test-engine.h"
#include "sp-test-notify.h"
#include "sp-test-popup-server.h"
#include "sp-test-proxy.h"
#include "sp-test-util.h"

#define ACCOUNT_ID "pbx"
/* A name that needs escaping, to see that the body is sent as markup-safe text. */
#define ACCOUNT_NAME "PBX <Tokyo> & Co"
#define ACCOUNT_NAME_ESCAPED "PBX &lt;Tokyo&gt; &amp; Co"
#define URL_TEMPLATE "https://crm.example.com/calls?phone={number}&ext={exten}&account={account}"

#define TIMEOUT_MS 20000

typedef struct
{
  gboolean deny;          /* the server refuses us by its address list */
  guint    ring_timeout;  /* seconds; 0 keeps the default */
  gboolean proxy;         /* connect through an SpTestProxy */
  gboolean tls;           /* wss:// with a self-signed certificate */
  gboolean wrong_path;    /* a mistyped URL: the server answers 404 */
} FixtureOptions;

typedef struct
{
  SpTestNotify      *notify;
  SpTestPopupServer *server;
  GSettings         *settings;
  GSettings         *account_settings;
  SpEngine          *engine;
  SpCallTracker     *tracker;
  SpNotifier        *notifier;
  SpAccountList        *accounts;
  SpScreenpop       *screenpop;
  SpTestProxy       *proxy;
  char              *tmpdir;
  char              *fingerprint;  /* of the self-signed certificate, as openssl says */
  GPtrArray         *opened;   /* (element-type utf8): URLs that reached the opener */
} Fixture;

static void
record_url (const char *uri,
            gpointer    user_data)
{
  GPtrArray *opened = user_data;

  g_ptr_array_add (opened, g_strdup (uri));
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

static GTlsCertificate *
make_self_signed (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  fixture->tmpdir = g_dir_make_tmp ("screenpop-tls-XXXXXX", &error);
  g_assert_no_error (error);

  return sp_test_make_self_signed (fixture->tmpdir, &fixture->fingerprint);
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

  fixture->notify = sp_test_notify_start (NULL);

  if (options != NULL && options->tls)
    {
      g_autoptr(GTlsCertificate) certificate = make_self_signed (fixture);

      if (certificate == NULL)
        return;
      fixture->server = sp_test_popup_server_new_full ("127.0.0.1", 0, certificate, &error);
    }
  else
    {
      fixture->server = sp_test_popup_server_new (0, &error);
    }
  g_assert_no_error (error);
  if (options != NULL && options->deny)
    sp_test_popup_server_set_acl_deny (fixture->server, TRUE);
  if (options != NULL && options->proxy)
    {
      fixture->proxy = sp_test_proxy_new (sp_test_popup_server_get_port (fixture->server));
      url = g_strdup_printf ("ws://127.0.0.1:%u/crmws", sp_test_proxy_get_port (fixture->proxy));
    }
  else
    {
      url = sp_test_popup_server_dup_ws_url (fixture->server);
    }
  if (options != NULL && options->wrong_path)
    {
      g_autofree char *right = g_steal_pointer (&url);

      url = g_strconcat (right, "s", NULL);
    }

  /* What an administrator provisions (gsettings or a dconf keyfile); every key is set,
   * since the memory backend keeps values from one test to the next. */
  fixture->account_settings = g_settings_new_with_path (SP_ACCOUNT_SCHEMA_ID,
                                                        SP_ACCOUNT_PATH_PREFIX ACCOUNT_ID "/");
  g_settings_set_string (fixture->account_settings, "kind", "popup-notifier");
  g_settings_set_string (fixture->account_settings, "display-name", ACCOUNT_NAME);
  g_settings_set_boolean (fixture->account_settings, "enabled", TRUE);
  g_settings_set_string (fixture->account_settings, "url", url);
  g_settings_set_strv (fixture->account_settings, "extensions", extensions);
  g_settings_set_boolean (fixture->account_settings, "show-unaddressed", TRUE);
  g_settings_set_string (fixture->account_settings, "url-template", URL_TEMPLATE);
  g_settings_set_string (fixture->account_settings, "url-trigger", "never");
  if (options != NULL && options->ring_timeout != 0)
    g_settings_set_uint (fixture->account_settings, "ring-timeout", options->ring_timeout);
  else
    g_settings_reset (fixture->account_settings, "ring-timeout");

  fixture->settings = g_settings_new ("io.github.screenpop.Screenpop");
  g_settings_set_strv (fixture->settings, "accounts", ids);

  fixture->opened = g_ptr_array_new_with_free_func (g_free);
  fixture->engine = sp_test_engine_new (fixture->settings, NULL);
  fixture->tracker = sp_engine_get_tracker (fixture->engine);
  fixture->notifier = sp_engine_get_notifier (fixture->engine);
  fixture->accounts = sp_engine_get_accounts (fixture->engine);
  fixture->screenpop = sp_engine_get_screenpop (fixture->engine);
  sp_engine_set_url_handler (fixture->engine, record_url,
                             g_ptr_array_ref (fixture->opened),
                             (GDestroyNotify) g_ptr_array_unref);

  if (options == NULL || (!options->deny && !options->tls && !options->wrong_path))
    {
      g_assert_true (wait_for_state (fixture, SP_SOURCE_STATE_CONNECTED, TIMEOUT_MS));
      g_assert_true (sp_test_popup_server_wait_for_clients (fixture->server, 1, TIMEOUT_MS));
    }
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  const char * const none[] = { NULL };

  if (fixture->engine == NULL)
    return;   /* skipped */

  sp_test_engine_assert_finalize (g_steal_pointer (&fixture->engine));

  g_settings_set_strv (fixture->settings, "accounts", none);
  g_clear_object (&fixture->settings);
  g_clear_object (&fixture->account_settings);
  g_clear_pointer (&fixture->opened, g_ptr_array_unref);
  g_clear_pointer (&fixture->proxy, sp_test_proxy_free);
  g_clear_pointer (&fixture->fingerprint, g_free);
  if (fixture->tmpdir != NULL)
    sp_test_remove_tree (fixture->tmpdir);
  g_clear_pointer (&fixture->tmpdir, g_free);
  g_clear_pointer (&fixture->server, sp_test_popup_server_free);

  /* libnotify holds the session bus connection, which the private bus waits for. */
  notify_uninit ();
  sp_test_notify_stop (fixture->notify);
}

static SpTestNotifyCall *
get_notify (Fixture *fixture,
            guint    n)
{
  g_autoptr(GPtrArray) calls = sp_test_notify_get_calls (fixture->notify, "Notify");

  g_assert_cmpuint (calls->len, >, n);

  return g_steal_pointer (&g_ptr_array_index (calls, n));
}

static void
assert_string_hint (SpTestNotifyCall *call,
                    const char       *name,
                    const char       *expected)
{
  g_autoptr(GVariant) hint = sp_test_notify_call_get_hint (call, name);

  g_assert_nonnull (hint);
  g_assert_cmpstr (g_variant_get_string (hint, NULL), ==, expected);
}

/* A CALL_IN for the agent's extension pops exactly this notification; one for another
 * extension pops nothing. */
static void
test_call_in (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(SpTestNotifyCall) call = NULL;
  g_autoptr(SpTestNotifyCall) second = NULL;
  g_autoptr(GVariant) hint = NULL;
  g_auto(GStrv) actions = NULL;
  const char *app_name;
  const char *icon;
  gint32 expire_timeout;

  sp_test_popup_server_broadcast_call_in (fixture->server, "0312345678", "201");
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 1, TIMEOUT_MS));

  call = get_notify (fixture, 0);
  g_variant_get_child (call->args, 0, "&s", &app_name);
  g_variant_get_child (call->args, 2, "&s", &icon);
  g_variant_get_child (call->args, 7, "i", &expire_timeout);
  g_assert_cmpstr (app_name, ==, "Screenpop");
  g_assert_cmpuint (sp_test_notify_call_get_replaces_id (call), ==, 0);
  g_assert_cmpstr (icon, ==, "call-start-symbolic");
  g_assert_cmpstr (sp_test_notify_call_get_summary (call), ==, "0312345678");
  g_assert_cmpstr (sp_test_notify_call_get_body (call), ==,
                   "Extension: 201\nAccount: " ACCOUNT_NAME_ESCAPED);
  /* It stays until the call stops ringing: we withdraw it, the server must not. */
  g_assert_cmpint (expire_timeout, ==, NOTIFY_EXPIRES_NEVER);

  /* popup-notifier cannot answer, so "Open" (the URL template) is the only button, beside
   * the click on the notification itself, which shows the call in the window. */
  actions = sp_test_notify_call_dup_actions (call);
  g_assert_cmpuint (g_strv_length (actions), ==, 4);
  g_assert_cmpstr (actions[0], ==, "default");
  g_assert_cmpstr (actions[1], ==, "Show");
  g_assert_cmpstr (actions[2], ==, "open");
  g_assert_cmpstr (actions[3], ==, "Open");

  assert_string_hint (call, "category", "call.incoming");
  assert_string_hint (call, "desktop-entry", APP_ID APP_ID_SUFFIX);
  hint = sp_test_notify_call_get_hint (call, "urgency");
  g_assert_nonnull (hint);
  g_assert_cmpuint (g_variant_get_byte (hint), ==, NOTIFY_URGENCY_CRITICAL);
  g_clear_pointer (&hint, g_variant_unref);
  /* We play the ping ourselves, on any server. */
  hint = sp_test_notify_call_get_hint (call, "suppress-sound");
  g_assert_nonnull (hint);
  g_assert_true (g_variant_get_boolean (hint));

  /* Another agent's call: nothing. The next call for 201 proves the 202 one was read. */
  sp_test_popup_server_broadcast_call_in (fixture->server, "0399999999", "202");
  sp_test_popup_server_broadcast_call_in (fixture->server, "0311111111", "201");
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 2, TIMEOUT_MS));
  sp_test_run_for (200);
  g_assert_cmpuint (sp_test_notify_count (fixture->notify, "Notify"), ==, 2);
  second = get_notify (fixture, 1);
  g_assert_cmpstr (sp_test_notify_call_get_summary (second), ==, "0311111111");
  g_assert_cmpuint (sp_test_notify_call_get_replaces_id (second), ==, 0);

  /* Another number on 201 is another call: both ring. The same number again is the same
   * caller ringing anew: the older ring ends, and the new ring takes its notification over,
   * updated in place (one Notify with the older one's id, no CloseNotification: issue 16),
   * so nothing is left on screen for the ring that ended. */
  g_assert_cmpuint (sp_test_notify_count (fixture->notify, "CloseNotification"), ==, 0);
  sp_test_popup_server_broadcast_call_in (fixture->server, "0312345678", "201");
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 3, TIMEOUT_MS));
  {
    g_autoptr(SpTestNotifyCall) third = get_notify (fixture, 2);

    g_assert_cmpstr (sp_test_notify_call_get_summary (third), ==, "0312345678");
    g_assert_cmpuint (sp_test_notify_call_get_replaces_id (third), ==,
                      sp_test_notify_get_id (fixture->notify, 0));
  }
  sp_test_run_for (200);
  g_assert_cmpuint (sp_test_notify_count (fixture->notify, "CloseNotification"), ==, 0);
  g_assert_cmpuint (sp_test_notify_count (fixture->notify, "Notify"), ==, 3);
}

/* The daemon's Asterisk example for a main number triggers with exten=all: two callers
 * ringing at once are two calls, and the second does not withdraw the first (it did,
 * 0.15–0.41 s later, when a newer ring on an extension replaced the older one). */
static void
test_two_callers (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(SpTestNotifyCall) first = NULL;
  g_autoptr(SpTestNotifyCall) second = NULL;
  const char * const all[] = { "all", NULL };

  g_settings_set_strv (fixture->account_settings, "extensions", all);
  sp_test_popup_server_broadcast_call_in (fixture->server, "0312345678", "all");
  sp_test_popup_server_broadcast_call_in (fixture->server, "0399999999", "all");
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 2, TIMEOUT_MS));

  first = get_notify (fixture, 0);
  second = get_notify (fixture, 1);
  g_assert_cmpstr (sp_test_notify_call_get_summary (first), ==, "0312345678");
  g_assert_cmpstr (sp_test_notify_call_get_summary (second), ==, "0399999999");
  g_assert_cmpuint (sp_test_notify_call_get_replaces_id (second), ==, 0);

  /* Well past the 0.41 s it took: both still ringing, both still on screen. */
  sp_test_run_for (1500);
  g_assert_cmpuint (sp_test_notify_count (fixture->notify, "CloseNotification"), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->tracker)), ==, 2);
}

/* A trigger without an extension is for everybody, unless the account says otherwise. */
static void
test_unaddressed (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(SpTestNotifyCall) call = NULL;

  sp_test_popup_server_broadcast_call_in (fixture->server, "0312345678", NULL);
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 1, TIMEOUT_MS));
  call = get_notify (fixture, 0);
  g_assert_cmpstr (sp_test_notify_call_get_summary (call), ==, "0312345678");
  g_assert_cmpstr (sp_test_notify_call_get_body (call), ==, "Account: " ACCOUNT_NAME_ESCAPED);

  g_settings_set_boolean (fixture->account_settings, "show-unaddressed", FALSE);
  sp_test_popup_server_broadcast_call_in (fixture->server, "0399999999", NULL);
  sp_test_popup_server_broadcast_call_in (fixture->server, "0311111111", "201");
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 2, TIMEOUT_MS));
  sp_test_run_for (200);
  g_assert_cmpuint (sp_test_notify_count (fixture->notify, "Notify"), ==, 2);
  g_clear_pointer (&call, sp_test_notify_call_free);
  call = get_notify (fixture, 1);
  g_assert_cmpstr (sp_test_notify_call_get_summary (call), ==, "0311111111");
}

static gboolean
has_opened (gpointer user_data)
{
  GPtrArray *opened = user_data;

  return opened->len > 0;
}

static gboolean
has_two (gpointer user_data)
{
  GPtrArray *opened = user_data;

  return opened->len >= 2;
}

/* "Open" on the notification opens the account's URL template, every value
 * percent-encoded, through the URL policy. */
static void
test_open_button (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(SpTestNotifyCall) call = NULL;

  sp_test_popup_server_broadcast_call_in (fixture->server, "+81 3-1234 & 5", "201");
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 1, TIMEOUT_MS));
  call = get_notify (fixture, 0);
  g_assert_cmpstr (sp_test_notify_call_get_summary (call), ==, "+81 3-1234 & 5");

  /* url-trigger is "never": nothing opened by itself. */
  g_assert_cmpuint (fixture->opened->len, ==, 0);

  sp_test_notify_click (fixture->notify, sp_test_notify_get_id (fixture->notify, 0), "open");
  g_assert_true (sp_test_wait_until (has_opened, fixture->opened, TIMEOUT_MS));
  g_assert_cmpuint (fixture->opened->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->opened, 0), ==,
                   "https://crm.example.com/calls?phone=%2B81%203-1234%20%26%205&ext=201&account=pbx");
}

/* The URL template's path through the URL policy, from the notification's Open button: a
 * template with a user name or password before the host is refused (and said so), and a
 * template host mixing scripts opens in punycode. (A caller's CR/LF never gets that far:
 * the CALL_IN parser drops it, and a template percent-encodes every value.) */
static void
test_template_url_policy (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GPtrArray) notifies = NULL;

  sp_test_popup_server_broadcast_call_in (fixture->server, "0312345678", "201");
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 1, TIMEOUT_MS));
  sp_test_notify_click (fixture->notify, sp_test_notify_get_id (fixture->notify, 0), "open");
  g_assert_true (sp_test_wait_until (has_opened, fixture->opened, TIMEOUT_MS));
  g_assert_cmpstr (g_ptr_array_index (fixture->opened, 0), ==,
                   "https://crm.example.com/calls?phone=0312345678&ext=201&account=pbx");

  g_settings_set_string (fixture->account_settings, "url-template",
                         "https://agent:secret@crm.example.com/calls?phone={number}");
  sp_test_popup_server_broadcast_call_in (fixture->server, "0399999999", "201");
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 2, TIMEOUT_MS));
  g_test_expect_message ("sp-url-opener", G_LOG_LEVEL_WARNING, "*user name or password*");
  sp_test_notify_click (fixture->notify, sp_test_notify_get_id (fixture->notify, 1), "open");
  /* Refused, and the agent is told in a notification of its own. */
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 3, TIMEOUT_MS));
  g_test_assert_expected_messages ();
  notifies = sp_test_notify_get_calls (fixture->notify, "Notify");
  g_assert_cmpstr (sp_test_notify_call_get_summary (g_ptr_array_index (notifies, 2)), ==,
                   "Could not open the CRM page");
  g_assert_null (strstr (sp_test_notify_call_get_body (g_ptr_array_index (notifies, 2)), "secret"));
  g_assert_cmpuint (fixture->opened->len, ==, 1);

  g_settings_set_string (fixture->account_settings, "url-template",
                         "https://\xd1\x81rm.example.com/calls?phone={number}");
  sp_test_popup_server_broadcast_call_in (fixture->server, "0311111111", "201");
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 4, TIMEOUT_MS));
  sp_test_notify_click (fixture->notify, sp_test_notify_get_id (fixture->notify, 3), "open");
  g_assert_true (sp_test_wait_until (has_two, fixture->opened, TIMEOUT_MS));
  g_assert_cmpstr (g_ptr_array_index (fixture->opened, 1), ==,
                   "https://xn--rm-nmc.example.com/calls?phone=0311111111");
}

/* No hang-up ever comes from popup-notifier: the ring expires after the account's ring
 * timeout and its notification is withdrawn. */
static void
test_expiry (Fixture       *fixture,
             gconstpointer  data)
{
  const FixtureOptions *options = data;
  g_autoptr(GPtrArray) closes = NULL;
  gint64 shown;
  gint64 elapsed;

  sp_test_popup_server_broadcast_call_in (fixture->server, "0312345678", "201");
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 1, TIMEOUT_MS));
  shown = g_get_monotonic_time ();

  g_assert_true (sp_test_notify_wait_for (fixture->notify, "CloseNotification", 1,
                                          options->ring_timeout * 1000 + TIMEOUT_MS));
  elapsed = g_get_monotonic_time () - shown;
  g_test_message ("Withdrawn after %" G_GINT64_FORMAT " ms", elapsed / 1000);
  g_assert_cmpint (elapsed, >=, (options->ring_timeout - 1) * G_USEC_PER_SEC);

  closes = sp_test_notify_get_calls (fixture->notify, "CloseNotification");
  g_assert_cmpuint (closes->len, ==, 1);
  g_assert_cmpuint (sp_test_notify_call_get_closed_id (g_ptr_array_index (closes, 0)), ==,
                    sp_test_notify_get_id (fixture->notify, 0));

  /* The link is still fine. */
  g_assert_cmpint (sp_source_get_state (get_source (fixture)), ==, SP_SOURCE_STATE_CONNECTED);
}

/* A withheld number ("anonymous", as Asterisk passes it on) for every extension ("all"):
 * the notification says "Anonymous" and names no "Extension: all". */
static void
test_anonymous_for_all (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(SpTestNotifyCall) call = NULL;

  sp_test_popup_server_broadcast_call_in (fixture->server, "anonymous", "all");
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 1, TIMEOUT_MS));
  call = get_notify (fixture, 0);
  g_assert_cmpstr (sp_test_notify_call_get_summary (call), ==, "Anonymous");
  g_assert_cmpstr (sp_test_notify_call_get_body (call), ==, "Account: " ACCOUNT_NAME_ESCAPED);
}

/* The daemon restarts (every client dropped without a close frame): the source notices,
 * reconnects to the new daemon on the same port and pops calls again. */
static void
test_reconnect (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpTestNotifyCall) call = NULL;
  guint16 port = sp_test_popup_server_get_port (fixture->server);

  sp_test_popup_server_broadcast_call_in (fixture->server, "0312345678", "201");
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 1, TIMEOUT_MS));

  g_clear_pointer (&fixture->server, sp_test_popup_server_free);
  g_assert_true (wait_for_state (fixture, SP_SOURCE_STATE_RECONNECTING, TIMEOUT_MS));
  g_assert_nonnull (sp_source_get_error_message (get_source (fixture)));

  /* The address in the error is the one the user typed: ws://, never the http:// that
   * libsoup's handshake goes out as. A retry against the closed port says the same. */
  {
    g_autofree char *address = g_strdup_printf ("ws://127.0.0.1:%u/crmws", port);

    sp_source_retry_now (get_source (fixture));
    sp_test_run_for (300);
    g_test_message ("%s", sp_source_get_error_message (get_source (fixture)));
    g_assert_nonnull (strstr (sp_source_get_error_message (get_source (fixture)), address));
    g_assert_null (strstr (sp_source_get_error_message (get_source (fixture)), "http://"));
  }

  fixture->server = sp_test_popup_server_new (port, &error);
  g_assert_no_error (error);
  g_assert_true (wait_for_state (fixture, SP_SOURCE_STATE_CONNECTED, TIMEOUT_MS));
  g_assert_true (sp_test_popup_server_wait_for_clients (fixture->server, 1, TIMEOUT_MS));

  sp_test_popup_server_broadcast_call_in (fixture->server, "0311111111", "201");
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 2, TIMEOUT_MS));
  call = get_notify (fixture, 1);
  g_assert_cmpstr (sp_test_notify_call_get_summary (call), ==, "0311111111");
}

/* The daemon down for a while, then back: the account is connected again within 2 s of the
 * daemon accepting connections (issue 12: after 45 s down it came back 6.8–45.3 s late). */
static void
test_outage (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint16 port = sp_test_popup_server_get_port (fixture->server);
  gint64 back;
  gint64 connected;

  g_clear_pointer (&fixture->server, sp_test_popup_server_free);
  g_assert_true (wait_for_state (fixture, SP_SOURCE_STATE_RECONNECTING, TIMEOUT_MS));

  /* Long enough for an exponential back-off to have grown past the bound. */
  sp_test_run_for (8000);
  g_assert_cmpint (sp_source_get_state (get_source (fixture)), !=, SP_SOURCE_STATE_CONNECTED);

  fixture->server = sp_test_popup_server_new (port, &error);
  g_assert_no_error (error);
  back = g_get_monotonic_time ();
  g_assert_true (sp_test_popup_server_wait_for_clients (fixture->server, 1, TIMEOUT_MS));
  g_assert_true (wait_for_state (fixture, SP_SOURCE_STATE_CONNECTED, TIMEOUT_MS));
  connected = g_get_monotonic_time ();
  g_test_message ("connected %.2f s after the daemon was back",
                  (connected - back) / (double) G_USEC_PER_SEC);
  g_assert_cmpint (connected - back, <=, 2 * G_USEC_PER_SEC);

  sp_test_popup_server_broadcast_call_in (fixture->server, "0311111111", "201");
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 1, TIMEOUT_MS));
}

/* The daemon never reads and never pings, so a link whose far end vanished without a FIN
 * (a firewall that forgot it, a PBX switched off) is only noticed by TCP keepalive, tuned
 * per socket (here, by SCREENPOP_TCP_KEEPALIVE, to seconds instead of a minute). */
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

  g_assert_cmpuint (sp_test_proxy_vanish (fixture->proxy), ==, 1);
  vanished = g_get_monotonic_time ();
  g_assert_true (wait_for_state (fixture, SP_SOURCE_STATE_RECONNECTING, 15000));
  g_test_message ("noticed %.2f s after the peer vanished",
                  (g_get_monotonic_time () - vanished) / (double) G_USEC_PER_SEC);

  /* And comes back through the proxy, which forwards new connections. */
  g_assert_true (wait_for_state (fixture, SP_SOURCE_STATE_CONNECTED, TIMEOUT_MS));
}

static gboolean
source_failed (gpointer user_data)
{
  SpSource *source = get_source (user_data);

  return source != NULL && sp_source_get_state (source) == SP_SOURCE_STATE_FAILED;
}

/* A self-signed certificate is not a transient failure: said in words, not retried, no
 * request sent (so no secret), until the user trusts exactly that certificate. */
static void
test_untrusted_certificate (Fixture       *fixture,
                            gconstpointer  data)
{
  SpSource *source;
  const char *message;

  if (fixture->engine == NULL)
    return;

  g_assert_true (sp_test_wait_until (source_failed, fixture, TIMEOUT_MS));
  source = get_source (fixture);
  message = sp_source_get_error_message (source);
  g_test_message ("%s", message);
  g_assert_nonnull (strstr (message, "The server’s certificate is not trusted (self-signed or from an unknown authority)"));
  g_assert_nonnull (strstr (message, fixture->fingerprint));
  g_assert_cmpstr (sp_source_get_untrusted_certificate (source), ==, fixture->fingerprint);

  /* Not retried, and the server never saw a request. */
  sp_test_run_for (3000);
  g_assert_cmpint (sp_source_get_state (source), ==, SP_SOURCE_STATE_FAILED);
  g_assert_cmpint (sp_source_get_retry_time (source), ==, 0);
  g_assert_cmpuint (sp_test_popup_server_get_n_handshakes (fixture->server), ==, 0);

  /* Another certificate's fingerprint trusts nothing. */
  g_settings_set_string (fixture->account_settings, "pinned-certificate",
                         "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF");
  g_assert_true (sp_test_wait_until (source_failed, fixture, TIMEOUT_MS));
  sp_test_run_for (500);
  g_assert_cmpint (sp_source_get_state (get_source (fixture)), ==, SP_SOURCE_STATE_FAILED);
  g_assert_cmpuint (sp_test_popup_server_get_n_handshakes (fixture->server), ==, 0);

  /* The user confirmed this one: the account connects, and pops. */
  g_settings_set_string (fixture->account_settings, "pinned-certificate", fixture->fingerprint);
  g_assert_true (wait_for_state (fixture, SP_SOURCE_STATE_CONNECTED, TIMEOUT_MS));
  g_assert_true (sp_test_popup_server_wait_for_clients (fixture->server, 1, TIMEOUT_MS));
  g_assert_null (sp_source_get_untrusted_certificate (get_source (fixture)));
  sp_test_popup_server_broadcast_call_in (fixture->server, "0312345678", "201");
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 1, TIMEOUT_MS));

  g_settings_reset (fixture->account_settings, "pinned-certificate");
}

/* Frames that are not a usable CALL_IN are logged and skipped: no notification, no crash,
 * and the connection stays up (the next good frame still pops, with no new handshake). */
static void
test_bad_frames (Fixture       *fixture,
                 gconstpointer  data)
{
  static const struct {
    const char *frame;
    const char *logged;
  } bad[] = {
    { "not JSON at all", "*Skipped a malformed frame: The frame is not a JSON object" },
    { "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"0312", "*Skipped a malformed frame: The frame is not valid JSON*" },
    { "[\"CALL_IN\",\"0312345678\",\"201\"]", "*Skipped a malformed frame: The frame is not a JSON object" },
    { "{\"type\":\"CALL_IN\",\"data\":{\"phone\":312345678,\"exten\":\"201\"}}", "*Skipped a malformed frame: “data.phone” is not a string" },
    { "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"0312345678\",\"exten\":201}}", "*Skipped a malformed frame: “data.exten” is not a string" },
    { "{\"type\":\"CALL_IN\",\"data\":\"0312345678\"}", "*Skipped a malformed frame: “data” is not an object" },
    { "{\"type\":\"CALL_IN\",\"data\":{\"exten\":\"201\"}}", "*Skipped a malformed frame: “data.phone” is missing" },
    { "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"\",\"exten\":\"201\"}}", "*Skipped a malformed frame: “data.phone” is empty" },
    { "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"03\\nCall 0900 now\",\"exten\":\"201\"}}", "*Skipped a malformed frame: “data.phone” contains the control character U+000A" },
    { "{\"type\":\"CALL_IN\"}", "*Skipped a malformed frame: “data” is missing" },
  };
  gsize huge_size = 10 * 1024 * 1024;
  g_autofree char *huge = g_malloc (huge_size + 1);
  g_autoptr(SpTestLogCapture) capture = sp_test_log_capture_new ("sp-popup-notifier");
  g_autoptr(SpTestNotifyCall) call = NULL;
  const char *head = "{\"type\":\"CALL_IN\",\"data\":{\"exten\":\"201\",\"phone\":\"";

  /* A 10 MB CALL_IN whose phone is 10 MB of digits. */
  memset (huge, '0', huge_size);
  memcpy (huge, head, strlen (head));
  memcpy (huge + huge_size - 3, "\"}}", 3);
  huge[huge_size] = '\0';

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_test_expect_message ("sp-popup-notifier", G_LOG_LEVEL_MESSAGE, bad[i].logged);
      sp_test_popup_server_broadcast (fixture->server, bad[i].frame, -1);
    }
  g_test_expect_message ("sp-popup-notifier", G_LOG_LEVEL_MESSAGE,
                         "*Skipped a malformed frame: The frame is 10485760 bytes long*");
  sp_test_popup_server_broadcast (fixture->server, huge, huge_size);

  /* Another type of message is not an error: ignored, at debug level. */
  sp_test_popup_server_broadcast (fixture->server, "{\"type\":\"PING\"}", -1);

  /* Frames arrive in order: once the good one pops, every bad one has been handled. */
  sp_test_popup_server_broadcast_call_in (fixture->server, "0312345678", "201");
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 1, TIMEOUT_MS));
  g_test_assert_expected_messages ();
  g_assert_cmpuint (sp_test_log_capture_count (capture, G_LOG_LEVEL_DEBUG,
                                               "*Ignored a message: Unknown message type “PING”"),
                    ==, 1);

  sp_test_run_for (200);
  g_assert_cmpuint (sp_test_notify_count (fixture->notify, "Notify"), ==, 1);
  call = get_notify (fixture, 0);
  g_assert_cmpstr (sp_test_notify_call_get_summary (call), ==, "0312345678");

  g_assert_cmpint (sp_source_get_state (get_source (fixture)), ==, SP_SOURCE_STATE_CONNECTED);
  g_assert_cmpuint (sp_test_popup_server_get_n_handshakes (fixture->server), ==, 1);
  g_assert_cmpuint (sp_test_popup_server_get_n_clients (fixture->server), ==, 1);
}

static gboolean
source_has_error (gpointer user_data)
{
  Fixture *fixture = user_data;
  SpSource *source = get_source (fixture);

  return source != NULL && sp_source_get_error_message (source) != NULL;
}

/* The daemon's address list refuses us: told in words, not as a network error, and no
 * notification. */
static void
test_refused (Fixture       *fixture,
              gconstpointer  data)
{
  SpSource *source;

  g_assert_true (sp_test_wait_until (source_has_error, fixture, TIMEOUT_MS));
  source = get_source (fixture);
  g_test_message ("%s: %s", sp_source_state_to_string (sp_source_get_state (source)),
                  sp_source_get_error_message (source));
  g_assert_nonnull (strstr (sp_source_get_error_message (source), "address list"));
  g_assert_nonnull (strstr (sp_source_get_error_message (source), "403"));
  g_assert_cmpint (sp_source_get_state (source), !=, SP_SOURCE_STATE_CONNECTED);
  g_assert_cmpuint (sp_test_popup_server_get_n_clients (fixture->server), ==, 0);
  g_assert_cmpuint (sp_test_notify_count (fixture->notify, "Notify"), ==, 0);
}

/* A mistyped URL: the server answered, with 404. It will not answer otherwise a second
 * later, so the account waits the slow schedule, as for a refusal, rather than probing
 * every second as for a server that is down. */
static void
test_wrong_path (Fixture       *fixture,
                 gconstpointer  data)
{
  SpSource *source;
  gint64 retry_in;

  g_assert_true (sp_test_wait_until (source_has_error, fixture, TIMEOUT_MS));
  source = get_source (fixture);
  g_test_message ("%s: %s", sp_source_state_to_string (sp_source_get_state (source)),
                  sp_source_get_error_message (source));
  g_assert_nonnull (strstr (sp_source_get_error_message (source), "404"));
  g_assert_cmpint (sp_source_get_state (source), ==, SP_SOURCE_STATE_RECONNECTING);

  retry_in = sp_source_get_retry_time (source) - g_get_monotonic_time ();
  g_assert_cmpint (retry_in, >=,
                   (gint64) sp_backoff_delay_ms (SP_BACKOFF_SLOW_ATTEMPT, 0.0) * 1000 - 100 * 1000);

  /* And no second attempt meanwhile. */
  sp_test_run_for (3000);
  g_assert_cmpint (sp_source_get_state (source), ==, SP_SOURCE_STATE_RECONNECTING);
  g_assert_cmpuint (sp_test_popup_server_get_n_handshakes (fixture->server), ==, 0);
  g_assert_cmpuint (sp_test_notify_count (fixture->notify, "Notify"), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  static const FixtureOptions defaults = { FALSE, 0 };
  static const FixtureOptions short_ring = { FALSE, 5 };
  static const FixtureOptions deny = { TRUE, 0 };
  static const FixtureOptions proxied = { FALSE, 0, TRUE };
  static const FixtureOptions tls = { FALSE, 0, FALSE, TRUE };
  static const FixtureOptions wrong_path = { FALSE, 0, FALSE, FALSE, TRUE };

  /* Keepalive probes after 1 s of silence, a dead peer noticed within seconds. */
  g_setenv ("SCREENPOP_TCP_KEEPALIVE", "1,1,2", TRUE);

  g_test_init (&argc, &argv, NULL);

  g_test_add ("/popup-notifier/call-in", Fixture, &defaults,
              fixture_set_up, test_call_in, fixture_tear_down);
  g_test_add ("/popup-notifier/two-callers", Fixture, &defaults,
              fixture_set_up, test_two_callers, fixture_tear_down);
  g_test_add ("/popup-notifier/anonymous-for-all", Fixture, &defaults,
              fixture_set_up, test_anonymous_for_all, fixture_tear_down);
  g_test_add ("/popup-notifier/unaddressed", Fixture, &defaults,
              fixture_set_up, test_unaddressed, fixture_tear_down);
  g_test_add ("/popup-notifier/open-button", Fixture, &defaults,
              fixture_set_up, test_open_button, fixture_tear_down);
  g_test_add ("/popup-notifier/template-url-policy", Fixture, &defaults,
              fixture_set_up, test_template_url_policy, fixture_tear_down);
  g_test_add ("/popup-notifier/expiry", Fixture, &short_ring,
              fixture_set_up, test_expiry, fixture_tear_down);
  g_test_add ("/popup-notifier/reconnect", Fixture, &defaults,
              fixture_set_up, test_reconnect, fixture_tear_down);
  g_test_add ("/popup-notifier/outage", Fixture, &defaults,
              fixture_set_up, test_outage, fixture_tear_down);
  g_test_add ("/popup-notifier/dead-peer", Fixture, &proxied,
              fixture_set_up, test_dead_peer, fixture_tear_down);
  g_test_add ("/popup-notifier/untrusted-certificate", Fixture, &tls,
              fixture_set_up, test_untrusted_certificate, fixture_tear_down);
  g_test_add ("/popup-notifier/bad-frames", Fixture, &defaults,
              fixture_set_up, test_bad_frames, fixture_tear_down);
  g_test_add ("/popup-notifier/refused", Fixture, &deny,
              fixture_set_up, test_refused, fixture_tear_down);
  g_test_add ("/popup-notifier/wrong-path", Fixture, &wrong_path,
              fixture_set_up, test_wrong_path, fixture_tear_down);

  return g_test_run ();
}
