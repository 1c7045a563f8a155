/* test-demo-source.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The demo source through the whole pipeline: rings, answers and misses calls, and the
 * notification's "Answer" button answers.
 */

#include "config.h"

#include <string.h>

#include <libnotify/notify.h>

#include "sp-account-list.h"
#include "sp-call-tracker.h"
#include "sp-notifier.h"
#include "sp-screenpop.h"
#include "sp-test-engine.h"
#include "sp-test-notify.h"
#include "sp-test-util.h"

typedef struct
{
  SpTestNotify  *notify;
  GSettings     *settings;
  SpEngine      *engine;
  SpCallTracker *tracker;
  SpNotifier    *notifier;
  SpAccountList    *accounts;
  SpScreenpop   *screenpop;
  GHashTable    *seen;       /* "call-id:state" */
} Fixture;

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

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const char *answer_percent = data;
  g_autoptr(SpAccount) demo = sp_account_new_transient ("demo", "demo", "Demo centre");
  GSettings *account_settings = sp_account_get_settings (demo);
  GVariantBuilder options;

  fixture->notify = sp_test_notify_start (NULL);
  fixture->settings = g_settings_new ("io.github.screenpop.Screenpop");
  fixture->engine = sp_test_engine_new (fixture->settings, NULL);
  fixture->tracker = sp_engine_get_tracker (fixture->engine);
  fixture->notifier = sp_engine_get_notifier (fixture->engine);
  fixture->accounts = sp_engine_get_accounts (fixture->engine);
  fixture->screenpop = sp_engine_get_screenpop (fixture->engine);
  fixture->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_signal_connect (fixture->tracker, "call-changed", G_CALLBACK (changed_cb), fixture);

  g_variant_builder_init (&options, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&options, "{ss}", "first-delay-ms", "100");
  g_variant_builder_add (&options, "{ss}", "interval-ms", "1500");
  g_variant_builder_add (&options, "{ss}", "answer-percent", answer_percent);
  g_variant_builder_add (&options, "{ss}", "seed", "7");
  g_settings_set_value (account_settings, "options", g_variant_builder_end (&options));

  sp_account_list_add_transient (fixture->accounts, demo);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->engine);
  g_clear_object (&fixture->settings);
  g_clear_pointer (&fixture->seen, g_hash_table_unref);
  /* libnotify keeps the session bus connection, which the private bus waits for. */
  notify_uninit ();
  sp_test_notify_stop (fixture->notify);
}

static gboolean
seen (gpointer data)
{
  gpointer *pair = data;
  Fixture *fixture = pair[0];

  return g_hash_table_contains (fixture->seen, pair[1]);
}

static gboolean
wait_seen (Fixture    *fixture,
           const char *what,
           guint       timeout_ms)
{
  gpointer pair[2] = { fixture, (gpointer) what };

  return sp_test_wait_until (seen, pair, timeout_ms);
}

static void
test_demo_answered_calls (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GPtrArray) notifies = NULL;
  SpTestNotifyCall *first;
  g_auto(GStrv) actions = NULL;
  g_autoptr(GVariant) urgency = NULL;

  g_assert_true (wait_seen (fixture, "demo-1:ringing", 3000));
  g_assert_true (wait_seen (fixture, "demo-1:answered", 3000));
  g_assert_true (wait_seen (fixture, "demo-1:ended", 3000));

  /* It rang with a call notification carrying an Answer button, and was withdrawn. */
  notifies = sp_test_notify_get_calls (fixture->notify, "Notify");
  g_assert_cmpuint (notifies->len, >=, 1);
  first = g_ptr_array_index (notifies, 0);
  actions = sp_test_notify_call_dup_actions (first);
  g_assert_true (g_strv_contains ((const char * const *) actions, "answer"));
  urgency = sp_test_notify_call_get_hint (first, "urgency");
  g_assert_cmpuint (g_variant_get_byte (urgency), ==, 2);
  g_assert_cmpuint (sp_test_notify_count (fixture->notify, "CloseNotification"), >=, 1);

  /* The recent calls keep it, answered then ended. */
  g_assert_cmpuint (g_list_model_get_n_items (sp_call_tracker_get_recent (fixture->tracker)), >=, 1);
}

static void
test_demo_missed_calls (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) notifies = NULL;
  SpTestNotifyCall *last;

  g_assert_true (wait_seen (fixture, "demo-1:ringing", 3000));
  g_assert_true (wait_seen (fixture, "demo-1:missed", 4000));

  /* The ringing notification turns into a missed-call one in place. */
  notifies = sp_test_notify_get_calls (fixture->notify, "Notify");
  g_assert_cmpuint (notifies->len, >=, 2);
  last = g_ptr_array_index (notifies, 1);
  g_assert_true (g_str_has_prefix (sp_test_notify_call_get_summary (last), "Missed call from "));
  g_assert_cmpuint (sp_test_notify_call_get_replaces_id (last), ==, sp_test_notify_get_id (fixture->notify, 0));
  g_assert_false (g_hash_table_contains (fixture->seen, "demo-1:answered"));
}

static void
test_demo_answer_button (Fixture       *fixture,
                         gconstpointer  data)
{
  g_assert_true (wait_seen (fixture, "demo-1:ringing", 3000));
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 1, 2000));

  /* Nobody would answer this call but the agent: click Answer on the notification. */
  sp_test_notify_click (fixture->notify, sp_test_notify_get_id (fixture->notify, 0), "answer");

  g_assert_true (wait_seen (fixture, "demo-1:answered", 2000));
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "CloseNotification", 1, 2000));
  g_assert_true (wait_seen (fixture, "demo-1:ended", 4000));
}

static void
test_demo_do_not_disturb_and_mute (Fixture       *fixture,
                                   gconstpointer  data)
{
  SpAccount *demo = sp_account_list_lookup (fixture->accounts, "demo");

  /* Quiet: the calls are there, the pop-ups are not. */
  g_settings_set_boolean (fixture->settings, "do-not-disturb", TRUE);
  g_assert_true (wait_seen (fixture, "demo-1:ringing", 3000));
  g_assert_true (wait_seen (fixture, "demo-1:missed", 4000));
  g_assert_cmpuint (sp_test_notify_count (fixture->notify, "Notify"), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (sp_call_tracker_get_recent (fixture->tracker)), ==, 1);

  /* The account muted on its own is just as quiet. */
  g_settings_set_boolean (fixture->settings, "do-not-disturb", FALSE);
  g_settings_set_boolean (sp_account_get_settings (demo), "muted", TRUE);
  g_assert_true (wait_seen (fixture, "demo-2:ringing", 4000));
  g_assert_cmpuint (sp_test_notify_count (fixture->notify, "Notify"), ==, 0);

  /* And heard again once unmuted. */
  g_settings_set_boolean (sp_account_get_settings (demo), "muted", FALSE);
  g_assert_true (wait_seen (fixture, "demo-3:ringing", 4000));
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 1, 2000));
}

static void
quiet_on_ring_cb (SpCallTracker *tracker,
                  SpCall        *call,
                  gboolean       state_changed,
                  Fixture       *fixture)
{
  const char *how = g_object_get_data (G_OBJECT (tracker), "quiet-how");
  SpAccount *demo = sp_account_list_lookup (fixture->accounts, "demo");

  if (!state_changed || sp_call_get_state (call) != SP_CALL_STATE_RINGING)
    return;

  /* After the screen-pop (connected first) has shown the ring. */
  if (g_str_equal (how, "do-not-disturb"))
    g_settings_set_boolean (fixture->settings, "do-not-disturb", TRUE);
  else
    g_settings_set_boolean (sp_account_get_settings (demo), "muted", TRUE);
}

/* Do not disturb switched on (or the account muted) while a call rings: the ring already on
 * screen still turns into a missed call in place, instead of ringing there forever with a
 * dead Answer button. Quiet only stops new pop-ups. */
static void
test_demo_quiet_while_ringing (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(SpTestNotifyCall) ring = NULL;
  g_autoptr(SpTestNotifyCall) missed = NULL;
  g_autoptr(GPtrArray) notifies = NULL;
  g_autoptr(GVariant) urgency = NULL;
  g_auto(GStrv) actions = NULL;
  const char *how = g_test_get_path ()[strlen ("/demo/quiet-while-ringing/")] == 'm'
    ? "muted" : "do-not-disturb";

  g_object_set_data (G_OBJECT (fixture->tracker), "quiet-how", (gpointer) how);
  g_signal_connect (fixture->tracker, "call-changed", G_CALLBACK (quiet_on_ring_cb), fixture);

  g_assert_true (wait_seen (fixture, "demo-1:ringing", 3000));
  g_assert_true (wait_seen (fixture, "demo-1:missed", 4000));
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 2, 4000));

  notifies = sp_test_notify_get_calls (fixture->notify, "Notify");
  ring = g_steal_pointer (&g_ptr_array_index (notifies, 0));
  missed = g_steal_pointer (&g_ptr_array_index (notifies, 1));
  g_assert_cmpuint (sp_test_notify_call_get_replaces_id (ring), ==, 0);
  g_assert_cmpuint (sp_test_notify_call_get_replaces_id (missed), ==,
                    sp_test_notify_get_id (fixture->notify, 0));
  g_assert_true (g_str_has_prefix (sp_test_notify_call_get_summary (missed), "Missed call from "));
  urgency = sp_test_notify_call_get_hint (missed, "urgency");
  g_assert_cmpuint (g_variant_get_byte (urgency), !=, 2);
  actions = sp_test_notify_call_dup_actions (missed);
  g_assert_false (g_strv_contains ((const char * const *) actions, "answer"));

  /* Still quiet: the next call pops nothing. */
  g_assert_true (wait_seen (fixture, "demo-2:ringing", 4000));
  sp_test_run_for (200);
  g_assert_cmpuint (sp_test_notify_count (fixture->notify, "Notify"), ==, 2);

  g_settings_reset (fixture->settings, "do-not-disturb");
  g_settings_reset (sp_account_get_settings (sp_account_list_lookup (fixture->accounts, "demo")),
                    "muted");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/demo/answered-calls", Fixture, "100", fixture_set_up, test_demo_answered_calls, fixture_tear_down);
  g_test_add ("/demo/missed-calls", Fixture, "0", fixture_set_up, test_demo_missed_calls, fixture_tear_down);
  g_test_add ("/demo/answer-button", Fixture, "0", fixture_set_up, test_demo_answer_button, fixture_tear_down);
  g_test_add ("/demo/do-not-disturb-and-mute", Fixture, "0", fixture_set_up, test_demo_do_not_disturb_and_mute, fixture_tear_down);
  g_test_add ("/demo/quiet-while-ringing/do-not-disturb", Fixture, "0", fixture_set_up, test_demo_quiet_while_ringing, fixture_tear_down);
  g_test_add ("/demo/quiet-while-ringing/muted", Fixture, "0", fixture_set_up, test_demo_quiet_while_ringing, fixture_tear_down);

  return g_test_run ();
}
