/* test-objects.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every object type is created and destroyed, and must really be finalized.
 */

#include "config.h"

#include <libnotify/notify.h>

#include "sp-account.h"
#include "sp-call-tracker.h"
#include "sp-demo-source.h"
#include "sp-popup-notifier-source.h"
#include "sp-test-engine.h"
#include "sp-test-notify.h"
#include "sp-test-util.h"

static SpTestNotify *notify;

static void
test_objects_call (void)
{
  g_autoptr(SpCallEvent) event = sp_call_event_new ("a", "c", SP_CALL_EVENT_RINGING);
  SpCall *call = sp_call_new_from_event (event);

  g_assert_finalize_object (call);
}

static void
test_objects_tracker (void)
{
  SpCallTracker *tracker = sp_call_tracker_new ();
  g_autoptr(SpCallEvent) event = sp_call_event_new ("a", "c", SP_CALL_EVENT_RINGING);

  /* With a live call and its expiry timer. */
  sp_call_tracker_push (tracker, event);
  g_assert_finalize_object (tracker);
}

static void
test_objects_account (void)
{
  SpAccount *account = sp_account_new ("object-test");
  SpAccount *transient = sp_account_new_transient ("t", "demo", "Demo");

  g_assert_finalize_object (account);
  g_assert_finalize_object (transient);
}

static void
test_objects_sources (void)
{
  SpAccount *account = sp_account_new_transient ("s", "popup-notifier", "P");
  SpAccount *demo_account = sp_account_new_transient ("d", "demo", "D");
  SpSource *popup = sp_popup_notifier_source_new (account);
  SpSource *demo = sp_demo_source_new (demo_account);

  /* Started, so that their timers and sessions exist. */
  g_settings_set_string (sp_account_get_settings (account), "url", "ws://127.0.0.1:9/crmws");
  sp_source_start (popup);
  sp_source_start (demo);
  sp_source_stop (popup);
  sp_source_stop (demo);
  /* The cancelled attempts hold their source until they have said so. */
  sp_test_run_for (200);

  g_assert_finalize_object (popup);
  g_assert_finalize_object (demo);
  g_assert_finalize_object (account);
  g_assert_finalize_object (demo_account);
}

/* Issue 11: a source kept after its account was dropped (as a window keeps it) still
 * reads its account, because the source holds it. Run under valgrind (HACKING.md): before,
 * this read freed memory in sp_account_get_id(). */
static void
test_objects_kept_source (void)
{
  SpAccount *account = sp_account_new_transient ("kept", "demo", "Kept");
  SpSource *source = sp_demo_source_new (account);

  g_object_unref (account);
  g_assert_cmpstr (sp_source_get_account_id (source), ==, "kept");
  g_assert_cmpstr (sp_account_get_id (sp_source_get_account (source)), ==, "kept");
  g_assert_finalize_object (source);
}

static void
test_objects_pipeline (void)
{
  GSettings *settings = g_settings_new ("io.github.screenpop.Screenpop");
  SpEngine *engine = sp_test_engine_new (settings, NULL);
  SpAccount *demo = sp_account_new_transient ("demo", "demo", "Demo");

  sp_account_list_add_transient (sp_engine_get_accounts (engine), demo);
  g_object_unref (demo);
  sp_test_run_for (100);

  g_assert_finalize_object (engine);
  g_assert_finalize_object (settings);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  notify = sp_test_notify_start (NULL);

  g_test_add_func ("/objects/call", test_objects_call);
  g_test_add_func ("/objects/tracker", test_objects_tracker);
  g_test_add_func ("/objects/account", test_objects_account);
  g_test_add_func ("/objects/sources", test_objects_sources);
  g_test_add_func ("/objects/kept-source", test_objects_kept_source);
  g_test_add_func ("/objects/pipeline", test_objects_pipeline);

  ret = g_test_run ();

  /* libnotify keeps the session bus connection, which the private bus waits for. */
  notify_uninit ();
  sp_test_notify_stop (notify);

  return ret;
}
