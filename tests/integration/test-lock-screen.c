/* test-lock-screen.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Calls while the screen is locked: python3-dbusmock's gnome_screensaver template plays
 * GNOME Shell's org.gnome.ScreenSaver on the private bus (SetActive locks and emits
 * ActiveChanged), and its notification_daemon records what reaches the screen.
 */

#include "config.h"

#include <libnotify/notify.h>
#include <string.h>

#include "sp-test-engine.h"
#include "sp-test-notify.h"
#include "sp-test-util.h"

#define CALLER_NAME "山田 太郎"
#define CALLER_NUMBER "0312345678"
#define QUEUE "サポート"

typedef struct
{
  SpTestNotify    *notify;
  GSubprocess     *screensaver;
  GDBusConnection *bus;
  GSettings       *settings;
  SpEngine        *engine;
  SpCallTracker   *tracker;
  SpAccountList      *accounts;
  SpQuiet         *quiet;
  SpScreenLock    *lock;
  SpAccount       *account;
} Fixture;

static gboolean
screensaver_is_up (gpointer data)
{
  Fixture *fixture = data;
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_sync (fixture->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", "org.gnome.ScreenSaver"),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  return reply != NULL && g_variant_get_boolean (g_variant_get_child_value (reply, 0));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GVariantBuilder options;

  fixture->notify = sp_test_notify_start (NULL);
  fixture->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);

  /* dbusmock logs every call on its stdout, which would corrupt our TAP output. */
  fixture->screensaver = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                                           "/usr/bin/python3", "-m", "dbusmock",
                                           "--template", "gnome_screensaver", NULL);
  g_assert_no_error (error);
  g_assert_true (sp_test_wait_until (screensaver_is_up, fixture, 10000));

  fixture->settings = g_settings_new ("io.github.screenpop.Screenpop");
  g_settings_reset (fixture->settings, "lock-screen");
  g_settings_set_boolean (fixture->settings, "do-not-disturb", FALSE);
  /* The engine watches the screen lock on the bus, as the app does. */
  fixture->engine = sp_test_engine_new (fixture->settings, fixture->bus);
  fixture->tracker = sp_engine_get_tracker (fixture->engine);
  fixture->accounts = sp_engine_get_accounts (fixture->engine);
  fixture->quiet = sp_engine_get_quiet (fixture->engine);
  fixture->lock = sp_engine_get_screen_lock (fixture->engine);

  /* A demo account that rings by itself only in ten minutes: the test rings instead. */
  fixture->account = sp_account_new_transient ("office", "demo", "Office");
  g_variant_builder_init (&options, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&options, "{ss}", "first-delay-ms", "600000");
  g_settings_set_value (sp_account_get_settings (fixture->account), "options",
                        g_variant_builder_end (&options));
  g_settings_set_string (sp_account_get_settings (fixture->account), "url-template",
                         "https://crm.example.com/?n={number}");
  sp_account_list_add_transient (fixture->accounts, fixture->account);

  sp_test_run_for (100);
  g_assert_false (sp_screen_lock_get_locked (fixture->lock));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  sp_account_list_stop_all (fixture->accounts);
  g_clear_object (&fixture->account);
  g_clear_object (&fixture->engine);
  g_clear_object (&fixture->settings);
  g_subprocess_send_signal (fixture->screensaver, SIGTERM);
  g_subprocess_wait (fixture->screensaver, NULL, NULL);
  g_clear_object (&fixture->screensaver);
  g_clear_object (&fixture->bus);
  sp_test_run_for (50);
  notify_uninit ();
  sp_test_notify_stop (fixture->notify);
}

static gboolean
locked_is (gpointer data)
{
  gpointer *pair = data;
  Fixture *fixture = pair[0];

  return sp_screen_lock_get_locked (fixture->lock) == GPOINTER_TO_INT (pair[1]);
}

/* As GNOME Shell does when the user locks or unlocks: ActiveChanged on the bus. */
static void
set_locked (Fixture  *fixture,
            gboolean  locked)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  gpointer pair[2] = { fixture, GINT_TO_POINTER (locked) };

  reply = g_dbus_connection_call_sync (fixture->bus, "org.gnome.ScreenSaver", "/org/gnome/ScreenSaver",
                                       "org.gnome.ScreenSaver", "SetActive", g_variant_new ("(b)", locked),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (sp_test_wait_until (locked_is, pair, 5000));
}

static void
push (Fixture         *fixture,
      const char      *call_id,
      SpCallEventKind  kind)
{
  g_autoptr(SpCallEvent) event = sp_call_event_new ("office", call_id, kind);

  event->number = g_strdup (CALLER_NUMBER);
  event->name = g_strdup (CALLER_NAME);
  event->queue = g_strdup (QUEUE);
  sp_call_tracker_push (fixture->tracker, event);
}

/* The @n-th Notify call (from 1), after waiting for it. */
static SpTestNotifyCall *
nth_notify (Fixture *fixture,
            guint    n)
{
  g_autoptr(GPtrArray) calls = NULL;

  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", n, 5000));
  calls = sp_test_notify_get_calls (fixture->notify, "Notify");
  return g_steal_pointer (&g_ptr_array_index (calls, n - 1));
}

static gboolean
has_action (SpTestNotifyCall *call,
            const char       *action)
{
  g_auto(GStrv) actions = sp_test_notify_call_dup_actions (call);

  return actions != NULL && g_strv_contains ((const char * const *) actions, action);
}

/* Nothing of the caller anywhere on the notification. */
static void
assert_no_caller (SpTestNotifyCall *call)
{
  const char *summary = sp_test_notify_call_get_summary (call);
  const char *body = sp_test_notify_call_get_body (call);

  g_assert_null (strstr (summary, CALLER_NAME));
  g_assert_null (strstr (summary, CALLER_NUMBER));
  g_assert_null (strstr (body, CALLER_NAME));
  g_assert_null (strstr (body, CALLER_NUMBER));
  g_assert_null (strstr (body, QUEUE));
  g_assert_false (has_action (call, "open"));
}

static void
test_hide_content (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(SpTestNotifyCall) ringing = NULL;
  g_autoptr(SpTestNotifyCall) hidden = NULL;
  g_autoptr(SpTestNotifyCall) locked_ring = NULL;
  g_autoptr(SpTestNotifyCall) back = NULL;
  g_autoptr(SpTestNotifyCall) back2 = NULL;
  g_autoptr(GVariant) category = NULL;
  guint32 id;

  /* The default. Unlocked, a call shows who is calling. */
  g_assert_cmpstr (g_settings_get_string (fixture->settings, "lock-screen"), ==, "hide-content");
  push (fixture, "c1", SP_CALL_EVENT_RINGING);
  ringing = nth_notify (fixture, 1);
  g_assert_cmpstr (sp_test_notify_call_get_summary (ringing), ==, CALLER_NAME " (" CALLER_NUMBER ")");
  g_assert_true (has_action (ringing, "open"));
  id = sp_test_notify_get_id (fixture->notify, 0);

  /* Locked: the same notification, in place, without the caller. */
  set_locked (fixture, TRUE);
  hidden = nth_notify (fixture, 2);
  g_assert_cmpuint (sp_test_notify_call_get_replaces_id (hidden), ==, id);
  g_assert_cmpstr (sp_test_notify_call_get_summary (hidden), ==, "Incoming call");
  g_assert_cmpstr (sp_test_notify_call_get_body (hidden), ==, "Unlock the screen to see who is calling.");
  assert_no_caller (hidden);
  category = sp_test_notify_call_get_hint (hidden, "category");
  g_assert_cmpstr (g_variant_get_string (category, NULL), ==, "call.incoming");

  /* A new call while locked: announced, anonymously. */
  push (fixture, "c2", SP_CALL_EVENT_RINGING);
  locked_ring = nth_notify (fixture, 3);
  g_assert_cmpuint (sp_test_notify_call_get_replaces_id (locked_ring), ==, 0);
  assert_no_caller (locked_ring);

  /* Unlocked: both come back in full, in place. */
  set_locked (fixture, FALSE);
  back = nth_notify (fixture, 4);
  back2 = nth_notify (fixture, 5);
  g_assert_cmpuint (sp_test_notify_call_get_replaces_id (back), !=, 0);
  g_assert_cmpuint (sp_test_notify_call_get_replaces_id (back2), !=, 0);
  g_assert_cmpstr (sp_test_notify_call_get_summary (back), ==, CALLER_NAME " (" CALLER_NUMBER ")");
  g_assert_cmpstr (sp_test_notify_call_get_summary (back2), ==, CALLER_NAME " (" CALLER_NUMBER ")");
  g_assert_nonnull (strstr (sp_test_notify_call_get_body (back), QUEUE));
  g_assert_true (has_action (back, "open"));
  sp_test_run_for (200);
  g_assert_cmpuint (sp_test_notify_count (fixture->notify, "Notify"), ==, 5);
}

/* Do not disturb switched on while a call rings, then the screen locks: the notification on
 * screen still loses the caller. Quiet stops new pop-ups, not the update of one shown (the
 * caller stayed readable on the locked screen). */
static void
test_quiet_then_locked (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(SpTestNotifyCall) ringing = NULL;
  g_autoptr(SpTestNotifyCall) hidden = NULL;

  push (fixture, "c1", SP_CALL_EVENT_RINGING);
  ringing = nth_notify (fixture, 1);
  g_assert_cmpstr (sp_test_notify_call_get_summary (ringing), ==, CALLER_NAME " (" CALLER_NUMBER ")");

  g_settings_set_boolean (fixture->settings, "do-not-disturb", TRUE);
  set_locked (fixture, TRUE);
  hidden = nth_notify (fixture, 2);
  g_assert_cmpuint (sp_test_notify_call_get_replaces_id (hidden), ==,
                    sp_test_notify_get_id (fixture->notify, 0));
  assert_no_caller (hidden);

  /* A new call, quiet: nothing. */
  push (fixture, "c2", SP_CALL_EVENT_RINGING);
  sp_test_run_for (200);
  g_assert_cmpuint (sp_test_notify_count (fixture->notify, "Notify"), ==, 2);
  g_settings_reset (fixture->settings, "do-not-disturb");
}

static void
test_hide (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(SpTestNotifyCall) missed = NULL;
  g_autoptr(SpTestNotifyCall) ringing = NULL;
  g_autoptr(SpCall) recent = NULL;

  g_settings_set_string (fixture->settings, "lock-screen", "hide");

  /* A call on screen when the screen locks is taken off it. */
  push (fixture, "c1", SP_CALL_EVENT_RINGING);
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 1, 5000));
  set_locked (fixture, TRUE);
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "CloseNotification", 1, 5000));

  /* Locked: nothing pops up, neither the ring nor the miss, but the calls are tracked. */
  push (fixture, "c2", SP_CALL_EVENT_RINGING);
  push (fixture, "c2", SP_CALL_EVENT_MISSED);
  sp_test_run_for (300);
  g_assert_cmpuint (sp_test_notify_count (fixture->notify, "Notify"), ==, 1);
  recent = g_list_model_get_item (sp_call_tracker_get_recent (fixture->tracker), 0);
  g_assert_cmpstr (sp_call_get_call_id (recent), ==, "c2");
  g_assert_cmpint (sp_call_get_state (recent), ==, SP_CALL_STATE_MISSED);

  /* Unlocked: the missed call and the call still ringing are shown. */
  set_locked (fixture, FALSE);
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 3, 5000));
  sp_test_run_for (200);
  g_assert_cmpuint (sp_test_notify_count (fixture->notify, "Notify"), ==, 3);
  ringing = nth_notify (fixture, 2);
  missed = nth_notify (fixture, 3);
  /* In the order they were held back: the ringing call first (withdrawn at the lock). */
  if (g_str_has_prefix (sp_test_notify_call_get_summary (ringing), "Missed"))
    {
      SpTestNotifyCall *swap = ringing;
      ringing = missed;
      missed = swap;
    }
  g_assert_cmpstr (sp_test_notify_call_get_summary (ringing), ==, CALLER_NAME " (" CALLER_NUMBER ")");
  g_assert_cmpstr (sp_test_notify_call_get_summary (missed), ==, "Missed call from " CALLER_NAME " (" CALLER_NUMBER ")");
}

static void
test_show (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(SpTestNotifyCall) ringing = NULL;

  g_settings_set_string (fixture->settings, "lock-screen", "show");
  set_locked (fixture, TRUE);
  g_assert_false (sp_quiet_hides_callers (fixture->quiet));
  push (fixture, "c1", SP_CALL_EVENT_RINGING);
  ringing = nth_notify (fixture, 1);
  g_assert_cmpstr (sp_test_notify_call_get_summary (ringing), ==, CALLER_NAME " (" CALLER_NUMBER ")");
  g_assert_true (has_action (ringing, "open"));

  /* Changing the setting while locked applies at once. */
  g_settings_set_string (fixture->settings, "lock-screen", "hide-content");
  g_clear_pointer (&ringing, sp_test_notify_call_free);
  ringing = nth_notify (fixture, 2);
  assert_no_caller (ringing);
  /* What the web service's "Paused for the call with …" asks before naming the caller. */
  g_assert_true (sp_quiet_hides_callers (fixture->quiet));
  set_locked (fixture, FALSE);
  g_assert_false (sp_quiet_hides_callers (fixture->quiet));
}

/* No screensaver on the bus (a bare X session): never locked, calls show in full. */
static void
test_no_screensaver (void)
{
  g_autoptr(SpScreenLock) lock = sp_screen_lock_new (NULL);

  g_assert_false (sp_screen_lock_get_locked (lock));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/lock-screen/hide-content", Fixture, NULL, fixture_set_up, test_hide_content, fixture_tear_down);
  g_test_add ("/lock-screen/hide", Fixture, NULL, fixture_set_up, test_hide, fixture_tear_down);
  g_test_add ("/lock-screen/quiet-then-locked", Fixture, NULL, fixture_set_up, test_quiet_then_locked, fixture_tear_down);
  g_test_add ("/lock-screen/show", Fixture, NULL, fixture_set_up, test_show, fixture_tear_down);
  g_test_add_func ("/lock-screen/no-screensaver", test_no_screensaver);

  return g_test_run ();
}
