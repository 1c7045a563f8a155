/* sp-test-hostile.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/**
 * SpTestHostile:
 * @SP_TEST_HOSTILE_NONE: the server answers as it should
 * @SP_TEST_HOSTILE_HUGE: 300 MB that start like a JSON object and never end it, streamed in
 *   chunks (no Content-Length) as the client reads them, never held in memory
 * @SP_TEST_HOSTILE_DEEP: a JSON object whose member nests 100 000 arrays, properly closed
 *
 * Answers that a server, or anything pretending to be one, could send to make a client
 * allocate without bound or overflow its stack.
 */
typedef enum
{
  SP_TEST_HOSTILE_NONE,
  SP_TEST_HOSTILE_HUGE,
  SP_TEST_HOSTILE_DEEP,
} SpTestHostile;

#define SP_TEST_HOSTILE_HUGE_SIZE ((guint64) 300 * 1024 * 1024)
#define SP_TEST_HOSTILE_DEPTH 100000

/**
 * SpTestHostileStats:
 * @n_answers: how many hostile answers were started
 * @bytes_sent: how many bytes of them went out before the clients hung up
 *
 * What a server's hostile answers did. Owned by the server; it must outlive its messages
 * (disconnect the server before freeing it).
 */
typedef struct
{
  guint   n_answers;
  guint64 bytes_sent;
} SpTestHostileStats;

/**
 * SpTestHostileProbe:
 *
 * What one hostile answer cost the process (sp_test_hostile_probe_start()).
 */
typedef struct
{
  const SpTestHostileStats *stats;
  gboolean                  peak_known;
  gsize                     peak_before;
} SpTestHostileProbe;

void     sp_test_hostile_respond    (SoupServerMessage  *msg,
                                     SpTestHostile       hostile,
                                     SpTestHostileStats *stats);
gsize    sp_test_hostile_peak_rss   (void);
gboolean sp_test_hostile_reset_peak (void);
gboolean sp_test_hostile_wait_answers (const SpTestHostileStats *stats,
                                       guint                     n,
                                       guint                     timeout_ms);
void     sp_test_hostile_probe_start (SpTestHostileProbe       *probe,
                                      const SpTestHostileStats *stats);
void     sp_test_hostile_probe_assert_not_held (SpTestHostileProbe *probe,
                                                guint               timeout_ms);

G_END_DECLS
