/* sp-backoff.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The slow schedule, for a server that answered and refused us (busy, address list): the
 * first retry comes within this long ... */
#define SP_BACKOFF_FIRST_MS 1000
/* ... and no retry waits longer than this. */
#define SP_BACKOFF_CAP_MS 60000
/* Attempt number from which a server that refuses us is retried. */
#define SP_BACKOFF_SLOW_ATTEMPT 6

/* The probe schedule, for a server that cannot be reached: a cheap attempt at most this
 * far apart ... */
#define SP_BACKOFF_PROBE_MS 1000
/* ... for this long after the link went down ... */
#define SP_BACKOFF_PROBE_PERIOD_MS (3 * 60 * 1000)
/* ... then twice as far apart every this much longer ... */
#define SP_BACKOFF_PROBE_DOUBLING_MS (60 * 1000)
/* ... but never further apart than this. */
#define SP_BACKOFF_PROBE_CAP_MS 10000

guint sp_backoff_delay_ms       (guint  attempt,
                                 double jitter);
guint sp_backoff_probe_delay_ms (gint64 down_ms,
                                 double jitter);

G_END_DECLS
