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
