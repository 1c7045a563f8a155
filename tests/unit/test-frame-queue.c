/* test-frame-queue.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* SpFrameQueue, the receive path every backend shares (issue 12, "no freeze under a
 * flood"): frames are handled in order, none is lost, and one main-loop iteration never
 * spends much more than SP_FRAME_QUEUE_BUDGET_US on them. */

#include "config.h"

#include "sp-frame-queue.h"

#define FRAME_COST_US 200

typedef struct
{
  SpFrameQueue *queue;
  guint         next;         /* the number the next frame must carry */
  guint         handled;
  guint         free_at;      /* free the queue from the handler of this frame (0: never) */
} Fixture;

static void
busy_wait (gint64 us)
{
  gint64 end = g_get_monotonic_time () + us;

  while (g_get_monotonic_time () < end)
    ;
}

static void
handle_cb (gpointer owner,
           gpointer frame)
{
  Fixture *fixture = owner;

  g_assert_cmpuint (GPOINTER_TO_UINT (frame), ==, fixture->next);
  fixture->next++;
  fixture->handled++;
  busy_wait (FRAME_COST_US);

  if (fixture->free_at != 0 && fixture->handled == fixture->free_at)
    g_clear_pointer (&fixture->queue, sp_frame_queue_free);
}

typedef struct
{
  gint64 last;
  gint64 worst;
} Stall;

static gboolean
tick_cb (gpointer user_data)
{
  Stall *stall = user_data;
  gint64 now = g_get_monotonic_time ();

  if (stall->last != 0)
    stall->worst = MAX (stall->worst, now - stall->last);
  stall->last = now;

  return G_SOURCE_CONTINUE;
}

/* 5 000 frames pushed at once (what one read of a flooded socket gives): the first are
 * handled at once, the rest in slices; a timer of the same priority is never held up
 * much longer than one budget. */
static void
test_slices (void)
{
  Fixture fixture = { 0 };
  Stall stall = { 0 };
  guint tick_id;
  guint n = 5000;
  guint first;

  fixture.queue = sp_frame_queue_new (&fixture, handle_cb, NULL);
  fixture.next = 1;

  for (guint i = 1; i <= n; i++)
    sp_frame_queue_push (fixture.queue, GUINT_TO_POINTER (i));
  first = fixture.handled;
  /* One budget's worth, and a frame more at most. */
  g_assert_cmpuint (first, >=, 1);
  g_assert_cmpuint (first, <=, SP_FRAME_QUEUE_BUDGET_US / FRAME_COST_US + 1);
  g_assert_cmpuint (sp_frame_queue_get_length (fixture.queue), ==, n - first);

  tick_id = g_timeout_add (1, tick_cb, &stall);
  while (fixture.handled < n)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick_id);

  g_assert_cmpuint (fixture.next, ==, n + 1);
  g_assert_cmpuint (sp_frame_queue_get_length (fixture.queue), ==, 0);
  /* A loaded machine may preempt us: the bound has room, the old behaviour (one whole
   * second of frames in one go) is far beyond it. */
  g_test_message ("worst gap between ticks: %" G_GINT64_FORMAT " µs", stall.worst);
  g_assert_cmpint (stall.worst, <, 100 * 1000);

  sp_frame_queue_free (fixture.queue);
}

/* A flush handles everything now, in order (the connection is about to be given up);
 * a clear drops it. */
static void
test_flush_and_clear (void)
{
  Fixture fixture = { 0 };

  fixture.queue = sp_frame_queue_new (&fixture, handle_cb, NULL);
  fixture.next = 1;
  for (guint i = 1; i <= 200; i++)
    sp_frame_queue_push (fixture.queue, GUINT_TO_POINTER (i));
  g_assert_cmpuint (fixture.handled, <, 200);
  sp_frame_queue_flush (fixture.queue);
  g_assert_cmpuint (fixture.handled, ==, 200);

  /* A new iteration: the budget is open again. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  busy_wait (SP_FRAME_QUEUE_BUDGET_US);
  for (guint i = 201; i <= 300; i++)
    sp_frame_queue_push (fixture.queue, GUINT_TO_POINTER (i));
  sp_frame_queue_clear (fixture.queue);
  g_assert_cmpuint (sp_frame_queue_get_length (fixture.queue), ==, 0);
  sp_frame_queue_free (fixture.queue);
}

/* A handler that gives the connection up frees the queue under its own feet. */
static void
test_free_from_handler (void)
{
  Fixture fixture = { 0 };

  fixture.queue = sp_frame_queue_new (&fixture, handle_cb, NULL);
  fixture.next = 1;
  fixture.free_at = 50;
  for (guint i = 1; i <= 100; i++)
    sp_frame_queue_push (fixture.queue, GUINT_TO_POINTER (i));
  while (fixture.queue != NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (fixture.handled, ==, 50);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/frame-queue/slices", test_slices);
  g_test_add_func ("/frame-queue/flush-and-clear", test_flush_and_clear);
  g_test_add_func ("/frame-queue/free-from-handler", test_free_from_handler);

  return g_test_run ();
}
