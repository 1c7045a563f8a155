/* sp-backoff.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-backoff"

#include "config.h"

#include "sp-backoff.h"

/**
 * sp_backoff_delay_ms:
 * @attempt: how many retries came before this one (0 for the first)
 * @jitter: a random number in [0, 1)
 *
 * Exponential back-off with "equal jitter": the nominal delay doubles from
 * %SP_BACKOFF_FIRST_MS up to %SP_BACKOFF_CAP_MS, and the actual delay is drawn from the
 * upper half of it, so that many clients cut off at once do not come back at once, while
 * each still waits at least half the nominal time.
 *
 * Returns: the delay before retry number @attempt, in milliseconds
 */
guint
sp_backoff_delay_ms (guint  attempt,
                     double jitter)
{
  guint64 nominal = SP_BACKOFF_FIRST_MS;

  jitter = CLAMP (jitter, 0.0, 1.0);

  for (guint i = 0; i < attempt && nominal < SP_BACKOFF_CAP_MS; i++)
    nominal *= 2;

  nominal = MIN (nominal, SP_BACKOFF_CAP_MS);

  return (guint) (nominal / 2 + (guint64) ((nominal / 2) * jitter));
}

/**
 * sp_backoff_probe_delay_ms:
 * @down_ms: how long the server has been unreachable, in milliseconds (since the first
 *   failed attempt after the last success)
 * @jitter: a random number in [0, 1)
 *
 * The schedule for a server that does not answer at all (connection refused, no route, a
 * timeout): an attempt costs it nothing, and every second we wait is a second of calls we
 * miss once it is back. So the nominal delay stays at %SP_BACKOFF_PROBE_MS for the first
 * %SP_BACKOFF_PROBE_PERIOD_MS (the account is back within about that long of the server),
 * then doubles every %SP_BACKOFF_PROBE_DOUBLING_MS up to %SP_BACKOFF_PROBE_CAP_MS. The actual
 * delay is drawn from the upper third of the nominal one, so that clients cut off together
 * spread out.
 *
 * Returns: the delay before the next attempt, in milliseconds
 */
guint
sp_backoff_probe_delay_ms (gint64 down_ms,
                           double jitter)
{
  guint64 nominal = SP_BACKOFF_PROBE_MS;

  jitter = CLAMP (jitter, 0.0, 1.0);

  if (down_ms > SP_BACKOFF_PROBE_PERIOD_MS)
    {
      gint64 doublings = (down_ms - SP_BACKOFF_PROBE_PERIOD_MS) / SP_BACKOFF_PROBE_DOUBLING_MS + 1;

      for (gint64 i = 0; i < doublings && nominal < SP_BACKOFF_PROBE_CAP_MS; i++)
        nominal *= 2;
    }

  nominal = MIN (nominal, SP_BACKOFF_PROBE_CAP_MS);

  return (guint) (nominal - (guint64) ((nominal / 3) * (1.0 - jitter)));
}
