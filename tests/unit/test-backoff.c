/* test-backoff.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "sp-backoff.h"

static void
test_backoff_first_retry_within_a_second (void)
{
  g_assert_cmpuint (sp_backoff_delay_ms (0, 0.0), ==, 500);
  g_assert_cmpuint (sp_backoff_delay_ms (0, 0.999), <=, 1000);
  g_assert_cmpuint (sp_backoff_delay_ms (0, 1.0), ==, 1000);
}

static void
test_backoff_doubles_then_caps (void)
{
  guint expected_nominal[] = { 1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000 };

  for (guint i = 0; i < G_N_ELEMENTS (expected_nominal); i++)
    {
      g_assert_cmpuint (sp_backoff_delay_ms (i, 0.0), ==, expected_nominal[i] / 2);
      g_assert_cmpuint (sp_backoff_delay_ms (i, 1.0), ==, expected_nominal[i]);
    }

  /* Huge attempt numbers must neither overflow nor exceed the cap. */
  g_assert_cmpuint (sp_backoff_delay_ms (G_MAXUINT, 1.0), ==, SP_BACKOFF_CAP_MS);
  g_assert_cmpuint (sp_backoff_delay_ms (1000, 0.5), <=, SP_BACKOFF_CAP_MS);
}

static void
test_backoff_jitter_spreads (void)
{
  /* With jitter, 100 clients cut off at once must not all come back in the same 50 ms. */
  GHashTable *buckets = g_hash_table_new (g_direct_hash, g_direct_equal);
  GRand *rand = g_rand_new_with_seed (42);

  for (guint i = 0; i < 100; i++)
    {
      guint delay = sp_backoff_delay_ms (4, g_rand_double (rand));

      g_assert_cmpuint (delay, >=, 8000);
      g_assert_cmpuint (delay, <=, 16000);
      g_hash_table_add (buckets, GUINT_TO_POINTER (delay / 50));
    }

  g_assert_cmpuint (g_hash_table_size (buckets), >, 50);

  g_rand_free (rand);
  g_hash_table_unref (buckets);
}

static void
test_backoff_out_of_range_jitter (void)
{
  g_assert_cmpuint (sp_backoff_delay_ms (2, -3.0), ==, 2000);
  g_assert_cmpuint (sp_backoff_delay_ms (2, 7.0), ==, 4000);
}

/* While a server is unreachable: every 0.67–1 s for the first three minutes, then gently
 * further apart, never more than 10 s. */
static void
test_backoff_probe_schedule (void)
{
  for (gint64 down = 0; down <= SP_BACKOFF_PROBE_PERIOD_MS; down += 1000)
    {
      g_assert_cmpuint (sp_backoff_probe_delay_ms (down, 0.0), ==, 667);
      g_assert_cmpuint (sp_backoff_probe_delay_ms (down, 1.0), ==, SP_BACKOFF_PROBE_MS);
      g_assert_cmpuint (sp_backoff_probe_delay_ms (down, 0.5), <=, 2000);
    }

  /* Gently slower: 2 s in the fourth minute, 4 s in the fifth, 8 s in the sixth, then 10 s. */
  g_assert_cmpuint (sp_backoff_probe_delay_ms (SP_BACKOFF_PROBE_PERIOD_MS + 1, 1.0), ==, 2000);
  g_assert_cmpuint (sp_backoff_probe_delay_ms (SP_BACKOFF_PROBE_PERIOD_MS + 60001, 1.0), ==, 4000);
  g_assert_cmpuint (sp_backoff_probe_delay_ms (SP_BACKOFF_PROBE_PERIOD_MS + 120001, 1.0), ==, 8000);
  g_assert_cmpuint (sp_backoff_probe_delay_ms (SP_BACKOFF_PROBE_PERIOD_MS + 180001, 1.0), ==, 10000);

  for (gint64 down = 0; down <= 24 * 3600 * 1000; down += 7 * 1000)
    {
      guint previous = down > 0 ? sp_backoff_probe_delay_ms (down - 7000, 1.0) : 0;

      g_assert_cmpuint (sp_backoff_probe_delay_ms (down, 1.0), <=, SP_BACKOFF_PROBE_CAP_MS);
      g_assert_cmpuint (sp_backoff_probe_delay_ms (down, 1.0), >=, previous);
    }

  g_assert_cmpuint (sp_backoff_probe_delay_ms (G_MAXINT64, 1.0), ==, SP_BACKOFF_PROBE_CAP_MS);
  g_assert_cmpuint (sp_backoff_probe_delay_ms (G_MAXINT64, 7.0), ==, SP_BACKOFF_PROBE_CAP_MS);
  g_assert_cmpuint (sp_backoff_probe_delay_ms (-5, -3.0), ==, 667);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/backoff/first-retry-within-a-second", test_backoff_first_retry_within_a_second);
  g_test_add_func ("/backoff/doubles-then-caps", test_backoff_doubles_then_caps);
  g_test_add_func ("/backoff/jitter-spreads", test_backoff_jitter_spreads);
  g_test_add_func ("/backoff/out-of-range-jitter", test_backoff_out_of_range_jitter);
  g_test_add_func ("/backoff/probe-schedule", test_backoff_probe_schedule);

  return g_test_run ();
}
