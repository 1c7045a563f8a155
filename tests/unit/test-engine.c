/* test-engine.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * SpEngine without GTK, as GNOME Calls' test-manager: the whole pipeline created and
 * finalized; an account added gets its source, started, and removed, the source stops and
 * goes; a call goes from a source through the tracker to the notification and into the
 * history; a source kept after its account went still reads its account (the
 * use-after-free of issue 11, to run under valgrind); the quiet rule and the URL door.
 */

#include "config.h"

#include <libnotify/notify.h>

#include "sp-demo-source.h"
#include "sp-test-engine.h"
#include "sp-test-fake-source.h"
#include "sp-test-notify.h"
#include "sp-test-util.h"
#include "sp-url-policy.h"

#define WAIT_MS 5000

static SpTestNotify *notify;

static GSettings *
new_settings (void)
{
  GSettings *settings = g_settings_new ("io.github.screenpop.Screenpop");

  /* The memory backend lives as long as the process: every test starts from defaults. */
  g_settings_reset (settings, "accounts");
  g_settings_reset (settings, "do-not-disturb");
  g_settings_reset (settings, "lock-screen");
  g_settings_reset (settings, "allowed-hosts");

  return settings;
}

/* A demo account that rings after @first_delay_ms, then every @interval_ms, and answers
 * no call. */
static SpAccount *
new_demo_account (const char *id,
                  guint       first_delay_ms,
                  guint       interval_ms)
{
  SpAccount *account = sp_account_new_transient (id, "demo", "Demo centre");
  g_autofree char *first_delay = g_strdup_printf ("%u", first_delay_ms);
  g_autofree char *interval = g_strdup_printf ("%u", interval_ms);
  GVariantBuilder options;

  g_variant_builder_init (&options, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&options, "{ss}", "first-delay-ms", first_delay);
  g_variant_builder_add (&options, "{ss}", "interval-ms", interval);
  g_variant_builder_add (&options, "{ss}", "answer-percent", "0");
  g_variant_builder_add (&options, "{ss}", "seed", "7");
  g_settings_set_value (sp_account_get_settings (account), "options",
                        g_variant_builder_end (&options));

  return account;
}

typedef struct
{
  SpSource      *source;
  SpSourceState  state;
} StateWait;

static gboolean
state_is (gpointer data)
{
  StateWait *wait = data;

  return sp_source_get_state (wait->source) == wait->state;
}

static gboolean
wait_for_state (SpSource      *source,
                SpSourceState  state)
{
  StateWait wait = { source, state };

  return sp_test_wait_until (state_is, &wait, WAIT_MS);
}

static void
count_cb (gpointer  object,
          SpAccount *account,
          gpointer   user_data)
{
  GPtrArray *seen = user_data;

  g_ptr_array_add (seen, g_strdup (sp_account_get_id (account)));
}

static void
test_engine_create_destroy (void)
{
  GSettings *settings = new_settings ();
  SpEngine *engine = sp_test_engine_new (settings, NULL);

  g_assert_true (sp_engine_get_settings (engine) == settings);
  g_assert_true (SP_IS_ACCOUNT_LIST (sp_engine_get_accounts (engine)));
  g_assert_true (SP_IS_CALL_TRACKER (sp_engine_get_tracker (engine)));
  g_assert_true (SP_IS_NOTIFIER (sp_engine_get_notifier (engine)));
  g_assert_true (SP_IS_QUIET (sp_engine_get_quiet (engine)));
  g_assert_true (SP_IS_SCREEN_LOCK (sp_engine_get_screen_lock (engine)));
  g_assert_true (SP_IS_SCREENPOP (sp_engine_get_screenpop (engine)));
  g_assert_true (SP_IS_WEBSERVICE (sp_engine_get_webservice (engine)));
  g_assert_true (SP_IS_COMMAND_RUNNER (sp_engine_get_command_runner (engine)));
  g_assert_true (SP_IS_URL_OPENER (sp_engine_get_url_opener (engine)));
  /* The history is attached, as in the app. */
  g_assert_true (SP_IS_HISTORY (sp_engine_get_history (engine)));
  g_assert_null (sp_engine_get_history_error (engine));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (sp_engine_get_accounts (engine))), ==, 0);

  sp_test_engine_assert_finalize (engine);
  g_assert_finalize_object (settings);
}

/* A notifier of the test's own is the one the pipeline uses. */
static void
test_engine_own_notifier (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  g_autofree char *dir = g_dir_make_tmp ("screenpop-engine-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "history.db", NULL);
  SpNotifier *notifier = sp_notifier_new ();
  SpEngine *engine = sp_engine_new_full (settings, NULL, path, notifier);

  g_assert_true (sp_engine_get_notifier (engine) == notifier);
  g_assert_nonnull (sp_engine_get_history (engine));

  g_assert_finalize_object (engine);
  g_assert_finalize_object (notifier);
  sp_test_remove_tree (dir);
}

/* A history that cannot be opened leaves the engine working, and says why. */
static void
test_engine_history_error (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  g_autofree char *dir = g_dir_make_tmp ("screenpop-engine-XXXXXX", NULL);
  g_autofree char *blocker = g_build_filename (dir, "not-a-folder", NULL);
  g_autofree char *path = g_build_filename (blocker, "history.db", NULL);
  SpEngine *engine;

  /* A file where the history's folder should be. */
  g_assert_true (g_file_set_contents (blocker, "", 0, NULL));
  engine = sp_engine_new_full (settings, NULL, path, NULL);

  g_assert_null (sp_engine_get_history (engine));
  g_assert_nonnull (sp_engine_get_history_error (engine));
  g_assert_true (SP_IS_SCREENPOP (sp_engine_get_screenpop (engine)));

  sp_test_engine_assert_finalize (engine);
  sp_test_remove_tree (dir);
}

/* An account added gets its source, started; removed, the source stops and goes. */
static void
test_engine_add_remove_account (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func (g_free);
  SpEngine *engine = sp_test_engine_new (settings, NULL);
  SpAccountList *accounts = sp_engine_get_accounts (engine);
  SpAccount *account = new_demo_account ("demo", 600000, 600000);
  SpSource *source;

  g_signal_connect (accounts, "source-changed", G_CALLBACK (count_cb), changed);
  g_signal_connect (accounts, "account-removed", G_CALLBACK (count_cb), removed);

  sp_account_list_add_transient (accounts, account);
  g_assert_true (sp_account_list_lookup (accounts, "demo") == account);
  source = sp_account_list_get_source (accounts, "demo");
  g_assert_true (SP_IS_DEMO_SOURCE (source));
  g_assert_true (sp_source_get_account (source) == account);
  g_assert_cmpuint (changed->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (changed, 0), ==, "demo");
  g_assert_true (wait_for_state (source, SP_SOURCE_STATE_CONNECTED));

  /* Kept, as a window would keep it. */
  g_object_ref (source);
  sp_account_list_remove (accounts, "demo");
  g_assert_null (sp_account_list_lookup (accounts, "demo"));
  g_assert_null (sp_account_list_get_source (accounts, "demo"));
  g_assert_cmpuint (removed->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (removed, 0), ==, "demo");
  g_assert_cmpint (sp_source_get_state (source), ==, SP_SOURCE_STATE_DISCONNECTED);

  /* The list let go of both: the source holds the account, the last holder the source. */
  g_object_add_weak_pointer (G_OBJECT (account), (gpointer *) &account);
  g_object_unref (account);
  g_assert_nonnull (account);
  sp_test_run_for (100);
  g_assert_finalize_object (source);
  g_assert_null (account);

  g_signal_handlers_disconnect_by_data (accounts, changed);
  g_signal_handlers_disconnect_by_data (accounts, removed);
  sp_test_engine_assert_finalize (engine);
}

static gboolean
has_source (gpointer data)
{
  return sp_account_list_get_source (data, "configured") != NULL;
}

static gboolean
has_no_account (gpointer data)
{
  return sp_account_list_lookup (data, "configured") == NULL;
}

/* The same for an account configured in GSettings, as an administrator provisions it. */
static void
test_engine_configured_account (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  g_autoptr(GSettings) account_settings = NULL;
  g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func (g_free);
  const char * const ids[] = { "configured", NULL };
  const char * const none[] = { NULL };
  SpEngine *engine = sp_test_engine_new (settings, NULL);
  SpAccountList *accounts = sp_engine_get_accounts (engine);
  SpSource *source;

  account_settings = g_settings_new_with_path (SP_ACCOUNT_SCHEMA_ID,
                                               SP_ACCOUNT_PATH_PREFIX "configured/");
  g_settings_set_string (account_settings, "kind", "demo");
  g_settings_set_boolean (account_settings, "enabled", TRUE);
  g_signal_connect (accounts, "account-removed", G_CALLBACK (count_cb), removed);

  g_settings_set_strv (settings, "accounts", ids);
  g_assert_true (sp_test_wait_until (has_source, accounts, WAIT_MS));
  source = g_object_ref (sp_account_list_get_source (accounts, "configured"));
  g_assert_true (wait_for_state (source, SP_SOURCE_STATE_CONNECTED));

  g_settings_set_strv (settings, "accounts", none);
  g_assert_true (sp_test_wait_until (has_no_account, accounts, WAIT_MS));
  g_assert_null (sp_account_list_get_source (accounts, "configured"));
  g_assert_cmpuint (removed->len, ==, 1);
  g_assert_cmpint (sp_source_get_state (source), ==, SP_SOURCE_STATE_DISCONNECTED);
  g_assert_cmpstr (sp_account_get_id (sp_source_get_account (source)), ==, "configured");
  sp_test_run_for (100);
  g_assert_finalize_object (source);

  g_signal_handlers_disconnect_by_data (accounts, removed);
  sp_test_engine_assert_finalize (engine);
  g_settings_reset (account_settings, "kind");
  g_settings_reset (account_settings, "enabled");
}

static guint
count_history (SpEngine   *engine,
               const char *account_id,
               const char *outcome)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  guint n = 0;

  entries = sp_history_search (sp_engine_get_history (engine), NULL, SP_HISTORY_FILTER_ALL,
                               account_id, 100, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    {
      SpHistoryEntry *entry = g_ptr_array_index (entries, i);

      n += g_strcmp0 (entry->outcome, outcome) == 0;
    }

  return n;
}

typedef struct
{
  SpEngine   *engine;
  const char *account_id;
} HistoryWait;

static gboolean
has_missed_call (gpointer data)
{
  HistoryWait *wait = data;

  return count_history (wait->engine, wait->account_id, "missed") > 0;
}

/* The demo source rings and the call rings out: it reaches the tracker, the notification
 * server and the history, all through the engine. */
static void
test_engine_demo_call (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  SpEngine *engine = sp_test_engine_new (settings, NULL);
  SpAccount *account = new_demo_account ("demo-call", 50, 400);
  HistoryWait wait = { engine, "demo-call" };
  g_autoptr(SpCall) first = NULL;

  sp_test_notify_clear (notify);
  sp_account_list_add_transient (sp_engine_get_accounts (engine), account);
  g_assert_true (sp_test_wait_until (has_missed_call, &wait, WAIT_MS));

  first = g_list_model_get_item (sp_call_tracker_get_recent (sp_engine_get_tracker (engine)), 0);
  g_assert_nonnull (first);
  g_assert_cmpstr (sp_call_get_account_id (first), ==, "demo-call");
  g_assert_cmpuint (sp_test_notify_count (notify, "Notify"), >=, 1);

  sp_account_list_remove (sp_engine_get_accounts (engine), "demo-call");
  g_object_unref (account);
  g_clear_object (&first);
  sp_test_run_for (100);
  sp_test_engine_assert_finalize (engine);
}

/* A source made elsewhere (a test's fake) is wired like one of a known kind: its call
 * events reach the tracker and the history. */
static void
test_engine_fake_source (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  SpEngine *engine = sp_test_engine_new (settings, NULL);
  SpAccountList *accounts = sp_engine_get_accounts (engine);
  g_autoptr(SpAccount) account = sp_account_new_transient ("fake", "fake", "Fake");
  g_autoptr(SpTestFakeSource) source = sp_test_fake_source_new (account);
  g_autoptr(SpCallEvent) ring = NULL;
  g_autoptr(SpCallEvent) missed = NULL;
  SpCall *call;

  sp_account_list_add_transient_with_source (accounts, account, SP_SOURCE (source));
  g_assert_true (sp_account_list_get_source (accounts, "fake") == SP_SOURCE (source));
  g_assert_true (wait_for_state (SP_SOURCE (source), SP_SOURCE_STATE_CONNECTED));

  ring = sp_source_new_call_event (SP_SOURCE (source), "c1", SP_CALL_EVENT_RINGING);
  ring->direction = SP_CALL_DIRECTION_INCOMING;
  ring->number = g_strdup ("0312345678");
  sp_source_emit_call_event (SP_SOURCE (source), ring);
  call = sp_call_tracker_lookup (sp_engine_get_tracker (engine), "fake", "c1");
  g_assert_nonnull (call);
  g_assert_cmpint (sp_call_get_state (call), ==, SP_CALL_STATE_RINGING);

  missed = sp_source_new_call_event (SP_SOURCE (source), "c1", SP_CALL_EVENT_MISSED);
  sp_source_emit_call_event (SP_SOURCE (source), missed);
  g_assert_cmpuint (count_history (engine, "fake", "missed"), ==, 1);

  sp_account_list_remove (accounts, "fake");
  g_assert_cmpint (sp_source_get_state (SP_SOURCE (source)), ==, SP_SOURCE_STATE_DISCONNECTED);
  sp_test_engine_assert_finalize (engine);
}

/* Issue 11: a holder of a source (a window) outlives the source's account. The source
 * holds its account, so reading it is no use-after-free; run this test under valgrind
 * (HACKING.md) to see that; test-objects has the same without the list. */
static void
test_engine_kept_source (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  SpEngine *engine = sp_test_engine_new (settings, NULL);
  SpAccountList *accounts = sp_engine_get_accounts (engine);
  SpAccount *account = new_demo_account ("kept", 600000, 600000);
  g_autoptr(SpSource) source = NULL;
  g_autofree char *name = NULL;

  sp_account_list_add_transient (accounts, account);
  source = g_object_ref (sp_account_list_get_source (accounts, "kept"));
  sp_account_list_remove (accounts, "kept");
  g_object_unref (account);
  sp_test_engine_assert_finalize (engine);

  g_assert_cmpstr (sp_source_get_account_id (source), ==, "kept");
  g_assert_cmpstr (sp_account_get_id (sp_source_get_account (source)), ==, "kept");
  name = sp_account_dup_display_name (sp_source_get_account (source));
  g_assert_cmpstr (name, ==, "Demo centre");
  sp_test_run_for (100);
}

/* Do not disturb and a muted account are quiet; with no screen lock the screen is never
 * locked, whatever the lock-screen setting. */
static void
test_engine_quiet (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  SpEngine *engine = sp_test_engine_new (settings, NULL);
  SpQuiet *quiet = sp_engine_get_quiet (engine);
  g_autoptr(SpAccount) account = sp_account_new_transient ("q", "demo", "Q");

  g_assert_false (sp_quiet_is_quiet (quiet, NULL));
  g_assert_false (sp_quiet_is_quiet (quiet, account));
  g_settings_set_boolean (sp_account_get_settings (account), "muted", TRUE);
  g_assert_true (sp_quiet_is_quiet (quiet, account));
  g_assert_false (sp_quiet_is_quiet (quiet, NULL));
  g_settings_set_boolean (settings, "do-not-disturb", TRUE);
  g_assert_true (sp_quiet_is_quiet (quiet, NULL));
  g_settings_reset (settings, "do-not-disturb");

  g_settings_set_string (settings, "lock-screen", "hide");
  g_assert_cmpint (sp_quiet_get_lock_mode (quiet), ==, SP_LOCK_SCREEN_SHOW);
  g_assert_false (sp_quiet_hides_callers (quiet));

  sp_test_engine_assert_finalize (engine);
}

static void
record_url (const char *uri,
            gpointer    user_data)
{
  g_ptr_array_add (user_data, g_strdup (uri));
}

/* One door for URLs: the policy first, then the handler the test put in. */
static void
test_engine_url_handler (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  g_autoptr(GPtrArray) opened = g_ptr_array_new_with_free_func (g_free);
  SpEngine *engine = sp_test_engine_new (settings, NULL);
  SpUrlOpener *opener = sp_engine_get_url_opener (engine);
  g_autoptr(GError) error = NULL;

  sp_engine_set_url_handler (engine, record_url, opened, NULL);

  g_assert_true (sp_url_opener_open (opener, NULL, "https://crm.example/a", &error));
  g_assert_no_error (error);
  /* The same URL again at once opens once. */
  g_assert_true (sp_url_opener_open (opener, NULL, "https://crm.example/a", &error));
  g_assert_cmpuint (opened->len, ==, 1);

  g_test_expect_message ("sp-url-opener", G_LOG_LEVEL_WARNING, "*file*");
  g_assert_false (sp_url_opener_open (opener, NULL, "file:///etc/passwd", &error));
  g_test_assert_expected_messages ();
  g_assert_error (error, SP_URL_POLICY_ERROR, SP_URL_POLICY_ERROR_SCHEME);
  g_assert_cmpuint (opened->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (opened, 0), ==, "https://crm.example/a");

  sp_test_engine_assert_finalize (engine);
}

static void
destroyed_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
}

/* The handler's data is freed when the handler is replaced, and when the engine goes. */
static void
test_engine_url_handler_destroy (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  SpEngine *engine = sp_test_engine_new (settings, NULL);
  gboolean first = FALSE;
  gboolean second = FALSE;

  sp_engine_set_url_handler (engine, record_url, &first, destroyed_cb);
  sp_engine_set_url_handler (engine, record_url, &second, destroyed_cb);
  g_assert_true (first);
  g_assert_false (second);
  sp_test_engine_assert_finalize (engine);
  g_assert_true (second);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  notify = sp_test_notify_start (NULL);

  g_test_add_func ("/engine/create-destroy", test_engine_create_destroy);
  g_test_add_func ("/engine/own-notifier", test_engine_own_notifier);
  g_test_add_func ("/engine/history-error", test_engine_history_error);
  g_test_add_func ("/engine/add-remove-account", test_engine_add_remove_account);
  g_test_add_func ("/engine/configured-account", test_engine_configured_account);
  g_test_add_func ("/engine/demo-call", test_engine_demo_call);
  g_test_add_func ("/engine/fake-source", test_engine_fake_source);
  g_test_add_func ("/engine/kept-source", test_engine_kept_source);
  g_test_add_func ("/engine/quiet", test_engine_quiet);
  g_test_add_func ("/engine/url-handler", test_engine_url_handler);
  g_test_add_func ("/engine/url-handler-destroy", test_engine_url_handler_destroy);

  ret = g_test_run ();

  /* libnotify keeps the session bus connection, which the private bus waits for. */
  notify_uninit ();
  sp_test_notify_stop (notify);

  return ret;
}
