/* sp-backoff.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The first retry comes within this long ... */
#define SP_BACKOFF_FIRST_MS 1000
/* ... and no retry waits longer than this. */
#define SP_BACKOFF_CAP_MS 60000
/* A connection that stayed up this long starts the schedule again. */
#define SP_BACKOFF_RESET_MS 30000
/* Attempt number from which a server that refuses us is retried. */
#define SP_BACKOFF_SLOW_ATTEMPT 6

guint sp_backoff_delay_ms (guint  attempt,
                           double jitter);

G_END_DECLS
