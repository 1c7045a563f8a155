/* test-call-tracker.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "sp-call-tracker.h"

typedef struct
{
  GPtrArray *states;   /* (element-type utf8) "call-id:state[:details]" per emission */
} Recorder;

static void
changed_cb (SpCallTracker *tracker,
            SpCall        *call,
            gboolean       state_changed,
            Recorder      *recorder)
{
  g_ptr_array_add (recorder->states,
                   g_strdup_printf ("%s:%s%s", sp_call_get_call_id (call),
                                    sp_call_state_to_string (sp_call_get_state (call)),
                                    state_changed ? "" : ":details"));
}

static SpCallEvent *
event (const char      *call_id,
       SpCallEventKind  kind,
       const char      *number)
{
  SpCallEvent *ev = sp_call_event_new ("acc", call_id, kind);

  ev->number = g_strdup (number);
  return ev;
}

static void
push (SpCallTracker   *tracker,
      const char      *call_id,
      SpCallEventKind  kind,
      const char      *number)
{
  g_autoptr(SpCallEvent) ev = event (call_id, kind, number);

  sp_call_tracker_push (tracker, ev);
}

static void
assert_states (Recorder   *recorder,
               const char *expected)
{
  g_autoptr(GString) got = g_string_new (NULL);

  for (guint i = 0; i < recorder->states->len; i++)
    {
      if (i > 0)
        g_string_append_c (got, ' ');
      g_string_append (got, g_ptr_array_index (recorder->states, i));
    }

  g_assert_cmpstr (got->str, ==, expected);
  g_ptr_array_set_size (recorder->states, 0);
}

static void
test_tracker_lifecycle (void)
{
  g_autoptr(SpCallTracker) tracker = sp_call_tracker_new ();
  Recorder recorder = { g_ptr_array_new_with_free_func (g_free) };
  SpCall *call;

  g_signal_connect (tracker, "call-changed", G_CALLBACK (changed_cb), &recorder);

  push (tracker, "c1", SP_CALL_EVENT_RINGING, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (tracker)), ==, 1);
  call = sp_call_tracker_lookup (tracker, "acc", "c1");
  g_assert_nonnull (call);
  g_assert_null (sp_call_get_number (call));

  /* The number arrives after the ring: a details change, not a new call. */
  push (tracker, "c1", SP_CALL_EVENT_RINGING, "0312345678");
  g_assert_cmpstr (sp_call_get_number (call), ==, "0312345678");

  /* The same event again changes nothing and says nothing. */
  push (tracker, "c1", SP_CALL_EVENT_RINGING, "0312345678");

  push (tracker, "c1", SP_CALL_EVENT_ANSWERED, NULL);
  g_assert_cmpint (sp_call_get_state (call), ==, SP_CALL_STATE_ANSWERED);
  g_assert_cmpint (sp_call_get_answered (call), >, 0);
  /* A hang-up without the number keeps the number. */
  push (tracker, "c1", SP_CALL_EVENT_ENDED, NULL);

  assert_states (&recorder, "c1:ringing c1:ringing:details c1:answered c1:ended");

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (tracker)), ==, 0);
  g_assert_null (sp_call_tracker_lookup (tracker, "acc", "c1"));
  g_assert_cmpuint (g_list_model_get_n_items (sp_call_tracker_get_recent (tracker)), ==, 1);
  {
    g_autoptr(SpCall) recent = g_list_model_get_item (sp_call_tracker_get_recent (tracker), 0);

    g_assert_cmpstr (sp_call_get_number (recent), ==, "0312345678");
    g_assert_cmpint (sp_call_get_state (recent), ==, SP_CALL_STATE_ENDED);
  }

  /* A late event of a finished call must not ring again. */
  push (tracker, "c1", SP_CALL_EVENT_RINGING, "0312345678");
  assert_states (&recorder, "");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (tracker)), ==, 0);

  g_ptr_array_unref (recorder.states);
}

static void
test_tracker_missed_and_outgoing (void)
{
  g_autoptr(SpCallTracker) tracker = sp_call_tracker_new ();
  Recorder recorder = { g_ptr_array_new_with_free_func (g_free) };
  g_autoptr(SpCallEvent) out = event ("c3", SP_CALL_EVENT_RINGING, "100");
  g_autoptr(SpCallEvent) out_end = event ("c3", SP_CALL_EVENT_ENDED, NULL);
  g_autoptr(SpCallEvent) replaced = event ("c4", SP_CALL_EVENT_RINGING, "200");
  g_autoptr(SpCallEvent) replaced_end = event ("c4", SP_CALL_EVENT_ENDED, NULL);

  g_signal_connect (tracker, "call-changed", G_CALLBACK (changed_cb), &recorder);

  /* Ended while still ringing: missed. */
  push (tracker, "c2", SP_CALL_EVENT_RINGING, "0311112222");
  push (tracker, "c2", SP_CALL_EVENT_ENDED, NULL);

  /* Our own call that nobody picked up is not a missed call. */
  out->direction = out_end->direction = SP_CALL_DIRECTION_OUTGOING;
  sp_call_tracker_push (tracker, out);
  sp_call_tracker_push (tracker, out_end);

  /* A source with no end of call: "ended" only means it was replaced. */
  replaced->no_end = TRUE;
  sp_call_tracker_push (tracker, replaced);
  sp_call_tracker_push (tracker, replaced_end);

  assert_states (&recorder, "c2:ringing c2:missed c3:ringing c3:ended c4:ringing c4:expired");
  g_assert_cmpuint (g_list_model_get_n_items (sp_call_tracker_get_recent (tracker)), ==, 3);

  g_ptr_array_unref (recorder.states);
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
test_tracker_expiry (void)
{
  g_autoptr(SpCallTracker) tracker = sp_call_tracker_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Recorder recorder = { g_ptr_array_new_with_free_func (g_free) };
  g_autoptr(SpCallEvent) ring = event ("c5", SP_CALL_EVENT_RINGING, "0399998888");
  g_autoptr(SpCallEvent) answered_ring = event ("c6", SP_CALL_EVENT_RINGING, "0399997777");

  g_signal_connect (tracker, "call-changed", G_CALLBACK (changed_cb), &recorder);

  ring->ring_timeout = 1;
  answered_ring->ring_timeout = 1;
  sp_call_tracker_push (tracker, ring);
  sp_call_tracker_push (tracker, answered_ring);
  push (tracker, "c6", SP_CALL_EVENT_ANSWERED, NULL);

  g_timeout_add (2500, quit_loop, loop);
  g_main_loop_run (loop);

  /* The ring that never ended expired; the answered call did not. */
  assert_states (&recorder, "c5:ringing c6:ringing c6:answered c5:expired");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (tracker)), ==, 1);

  sp_call_tracker_end_account (tracker, "acc");
  assert_states (&recorder, "c6:expired");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (tracker)), ==, 0);

  g_ptr_array_unref (recorder.states);
}

/* A server that sends ring after ring and never an end (a flood, a popup-notifier daemon)
 * cannot keep more than 500 calls ringing: beyond, the oldest ring is taken as rung out.
 * An answered call is never cut short. Before, every ring stayed for its whole timeout
 * (100 000 rings held 140 MB). */
static void
test_tracker_ringing_bounded (void)
{
  g_autoptr(SpCallTracker) tracker = sp_call_tracker_new ();
  Recorder recorder = { g_ptr_array_new_with_free_func (g_free) };
  guint n_expired = 0;

  push (tracker, "talking", SP_CALL_EVENT_RINGING, "0311112222");
  push (tracker, "talking", SP_CALL_EVENT_ANSWERED, NULL);
  g_signal_connect (tracker, "call-changed", G_CALLBACK (changed_cb), &recorder);

  for (guint i = 0; i < 600; i++)
    {
      g_autofree char *id = g_strdup_printf ("ring-%u", i);
      g_autofree char *number = g_strdup_printf ("03%08u", i);

      push (tracker, id, SP_CALL_EVENT_RINGING, number);
    }

  /* 500 ringing and the answered call. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (tracker)), ==, 501);
  g_assert_nonnull (sp_call_tracker_lookup (tracker, "acc", "talking"));
  g_assert_null (sp_call_tracker_lookup (tracker, "acc", "ring-99"));
  g_assert_nonnull (sp_call_tracker_lookup (tracker, "acc", "ring-100"));
  g_assert_nonnull (sp_call_tracker_lookup (tracker, "acc", "ring-599"));
  for (guint i = 0; i < recorder.states->len; i++)
    if (g_str_has_suffix (g_ptr_array_index (recorder.states, i), ":expired"))
      {
        g_assert_true (g_str_has_prefix (g_ptr_array_index (recorder.states, i), "ring-"));
        n_expired++;
      }
  g_assert_cmpuint (n_expired, ==, 100);

  g_ptr_array_unref (recorder.states);
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  GString    *log)
{
  g_string_append_printf (log, "%u-%u+%u ", position, removed, added);
}

static void
test_tracker_list_model (void)
{
  g_autoptr(SpCallTracker) tracker = sp_call_tracker_new ();
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(SpCall) second = NULL;

  g_signal_connect (tracker, "items-changed", G_CALLBACK (items_changed_cb), log);

  push (tracker, "a", SP_CALL_EVENT_RINGING, "1");
  push (tracker, "b", SP_CALL_EVENT_RINGING, "2");
  push (tracker, "c", SP_CALL_EVENT_RINGING, "3");
  push (tracker, "b", SP_CALL_EVENT_MISSED, NULL);

  g_assert_cmpstr (log->str, ==, "0-0+1 1-0+1 2-0+1 1-1+0 ");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (tracker)), ==, 2);
  second = g_list_model_get_item (G_LIST_MODEL (tracker), 1);
  g_assert_cmpstr (sp_call_get_call_id (second), ==, "c");
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (tracker), 2));
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (tracker)) == SP_TYPE_CALL);
}

static void
test_tracker_accounts_apart (void)
{
  g_autoptr(SpCallTracker) tracker = sp_call_tracker_new ();
  g_autoptr(SpCallEvent) a = sp_call_event_new ("one", "x", SP_CALL_EVENT_RINGING);
  g_autoptr(SpCallEvent) b = sp_call_event_new ("two", "x", SP_CALL_EVENT_RINGING);

  /* The same call id from two accounts is two calls. */
  sp_call_tracker_push (tracker, a);
  sp_call_tracker_push (tracker, b);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (tracker)), ==, 2);
  g_assert_true (sp_call_tracker_lookup (tracker, "one", "x") != sp_call_tracker_lookup (tracker, "two", "x"));
}

static void
test_tracker_vars_and_title (void)
{
  g_autoptr(SpCallTracker) tracker = sp_call_tracker_new ();
  g_autoptr(SpCallEvent) ev = event ("v", SP_CALL_EVENT_RINGING, "0312345678");
  g_autofree char *title = NULL;
  g_autofree char *title_named = NULL;
  SpCall *call;

  sp_call_event_set_var (ev, "customer", "42");
  sp_call_tracker_push (tracker, ev);
  call = sp_call_tracker_lookup (tracker, "acc", "v");
  g_assert_cmpstr (sp_call_get_var (call, "customer"), ==, "42");
  title = sp_call_dup_title (call);
  g_assert_cmpstr (title, ==, "0312345678");

  g_free (ev->name);
  ev->name = g_strdup ("山田 太郎");
  sp_call_tracker_push (tracker, ev);
  title_named = sp_call_dup_title (call);
  g_assert_cmpstr (title_named, ==, "山田 太郎 (0312345678)");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/call-tracker/lifecycle", test_tracker_lifecycle);
  g_test_add_func ("/call-tracker/missed-and-outgoing", test_tracker_missed_and_outgoing);
  g_test_add_func ("/call-tracker/expiry", test_tracker_expiry);
  g_test_add_func ("/call-tracker/ringing-bounded", test_tracker_ringing_bounded);
  g_test_add_func ("/call-tracker/list-model", test_tracker_list_model);
  g_test_add_func ("/call-tracker/accounts-apart", test_tracker_accounts_apart);
  g_test_add_func ("/call-tracker/vars-and-title", test_tracker_vars_and_title);

  return g_test_run ();
}
