/* sp-test-hostile.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Hostile answers for the local servers, and a way to see what they cost the client: the
 * process's peak resident memory, which the kernel lets us reset. */

#define G_LOG_DOMAIN "sp-test-hostile"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "sp-test-hostile.h"
#include "sp-test-util.h"

#define CHUNK_SIZE (64 * 1024)

typedef struct
{
  SpTestHostileStats *stats;
  GBytes             *chunk;
  guint64             remaining;   /* bytes still to append */
  gsize               in_flight;   /* appended, not yet written */
} Flood;

static void
flood_free (Flood *flood)
{
  g_bytes_unref (flood->chunk);
  g_free (flood);
}

static void
flood_append (SoupServerMessage *msg,
              Flood             *flood)
{
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  gsize size = MIN ((guint64) g_bytes_get_size (flood->chunk), flood->remaining);

  flood->in_flight = size;
  if (size == 0)
    {
      soup_message_body_complete (body);
      return;
    }

  if (size == g_bytes_get_size (flood->chunk))
    soup_message_body_append_bytes (body, flood->chunk);
  else
    soup_message_body_append (body, SOUP_MEMORY_COPY, g_bytes_get_data (flood->chunk, NULL), size);
  flood->remaining -= size;
}

/* The chunk appended last went out (libsoup 3.2 gives no size with the signal). */
static void
flood_wrote_chunk_cb (SoupServerMessage *msg,
                      Flood             *flood)
{
  flood->stats->bytes_sent += flood->in_flight;
  flood_append (msg, flood);
}

static void
respond_huge (SoupServerMessage  *msg,
              SpTestHostileStats *stats)
{
  static const char start[] = "{\"result_code\":0,\"ticket\":\"";
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  Flood *flood = g_new0 (Flood, 1);
  char *data = g_malloc (CHUNK_SIZE);

  memset (data, 'a', CHUNK_SIZE);
  flood->chunk = g_bytes_new_take (data, CHUNK_SIZE);
  flood->stats = stats;
  flood->remaining = SP_TEST_HOSTILE_HUGE_SIZE - strlen (start);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (headers, "application/json", NULL);
  /* No Content-Length: the client cannot tell the size before reading. */
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  /* Written chunks are dropped, so the server never holds the body either. */
  soup_message_body_set_accumulate (body, FALSE);

  soup_message_body_append (body, SOUP_MEMORY_STATIC, start, strlen (start));
  flood->in_flight = strlen (start);
  g_object_set_data_full (G_OBJECT (msg), "sp-test-flood", flood, (GDestroyNotify) flood_free);
  g_signal_connect (msg, "wrote-chunk", G_CALLBACK (flood_wrote_chunk_cb), flood);
}

static void
respond_deep (SoupServerMessage  *msg,
              SpTestHostileStats *stats)
{
  GString *text = g_string_new ("{\"result_code\":0,\"ticket\":");
  gsize length;

  for (guint i = 0; i < SP_TEST_HOSTILE_DEPTH; i++)
    g_string_append_c (text, '[');
  for (guint i = 0; i < SP_TEST_HOSTILE_DEPTH; i++)
    g_string_append_c (text, ']');
  g_string_append_c (text, '}');

  length = text->len;
  stats->bytes_sent += length;
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    g_string_free (text, FALSE), length);
}

/**
 * sp_test_hostile_respond:
 * @msg: the request to answer, in a server handler
 * @hostile: how
 * @stats: where to count what it did
 *
 * Answers @msg with a hostile body (HTTP 200, application/json).
 */
void
sp_test_hostile_respond (SoupServerMessage  *msg,
                         SpTestHostile       hostile,
                         SpTestHostileStats *stats)
{
  g_return_if_fail (hostile != SP_TEST_HOSTILE_NONE);

  stats->n_answers++;

  if (hostile == SP_TEST_HOSTILE_HUGE)
    respond_huge (msg, stats);
  else
    respond_deep (msg, stats);
}

/**
 * sp_test_hostile_peak_rss:
 *
 * Returns: the process's peak resident memory (VmHWM) in bytes, 0 if unknown
 */
gsize
sp_test_hostile_peak_rss (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;

  line = strstr (status, "VmHWM:");
  if (line == NULL)
    return 0;

  return (gsize) g_ascii_strtoull (line + strlen ("VmHWM:"), NULL, 10) * 1024;
}

/**
 * sp_test_hostile_reset_peak:
 *
 * Resets the peak resident memory to what the process uses now (Linux: 5 to clear_refs).
 *
 * Returns: whether it could
 */
gboolean
sp_test_hostile_reset_peak (void)
{
  /* Not g_file_set_contents(): it would write a new file and rename it over this one. */
  FILE *file = fopen ("/proc/self/clear_refs", "w");
  gboolean ok;

  if (file == NULL)
    return FALSE;

  ok = fputs ("5", file) >= 0;

  return fclose (file) == 0 && ok;
}

typedef struct
{
  const SpTestHostileStats *stats;
  guint                     n;
  guint64                   last_bytes;
  gint64                    since;
} Wait;

static gboolean
answered (gpointer data)
{
  Wait *wait = data;

  return wait->stats->n_answers >= wait->n;
}

/* The answer's bytes stopped going out: the client hung up, or took all of it. */
static gboolean
settled (gpointer data)
{
  Wait *wait = data;
  gint64 now = g_get_monotonic_time ();

  if (wait->stats->bytes_sent != wait->last_bytes || wait->since == 0)
    {
      wait->last_bytes = wait->stats->bytes_sent;
      wait->since = now;
      return FALSE;
    }

  return now - wait->since > 300 * G_TIME_SPAN_MILLISECOND;
}

/**
 * sp_test_hostile_wait_answers:
 *
 * Returns: whether the server started @n hostile answers within @timeout_ms
 */
gboolean
sp_test_hostile_wait_answers (const SpTestHostileStats *stats,
                              guint                     n,
                              guint                     timeout_ms)
{
  Wait wait = { stats, n, 0, 0 };

  return sp_test_wait_until (answered, &wait, timeout_ms);
}

/**
 * sp_test_hostile_probe_start:
 *
 * Starts watching what one hostile answer costs the process: call it before the server
 * sends it, and sp_test_hostile_probe_assert_not_held() once the client gave up.
 */
void
sp_test_hostile_probe_start (SpTestHostileProbe       *probe,
                             const SpTestHostileStats *stats)
{
  probe->stats = stats;
  probe->peak_known = sp_test_hostile_reset_peak ();
  probe->peak_before = sp_test_hostile_peak_rss ();
}

/**
 * sp_test_hostile_probe_assert_not_held:
 *
 * Asserts that one hostile answer went out and that the process never held it: of the
 * 300 MB, only what the socket buffers held left the server before the client hung up
 * (under 32 MB), and the peak resident memory grew by less than 64 MB.
 */
void
sp_test_hostile_probe_assert_not_held (SpTestHostileProbe *probe,
                                       guint               timeout_ms)
{
  Wait wait = { probe->stats, 1, 0, 0 };

  g_assert_true (sp_test_wait_until (settled, &wait, timeout_ms));
  g_test_message ("The server sent %" G_GUINT64_FORMAT " bytes", probe->stats->bytes_sent);
  g_assert_cmpuint (probe->stats->n_answers, ==, 1);
  g_assert_cmpuint (probe->stats->bytes_sent, <, 32 * 1024 * 1024);
  if (probe->peak_known)
    {
      g_test_message ("Peak memory grew by %" G_GSIZE_FORMAT " KiB",
                      (sp_test_hostile_peak_rss () - probe->peak_before) / 1024);
      g_assert_cmpuint (sp_test_hostile_peak_rss (), <, probe->peak_before + 64 * 1024 * 1024);
    }
}
