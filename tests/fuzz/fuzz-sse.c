/* fuzz-sse.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Feeds arbitrary bytes to the SSE parser, once whole and once cut into chunks chosen by
 * the input itself, and checks its contract: it never crashes, both feeds give the same
 * events and the same verdict (chunking must never matter), every event is valid UTF-8
 * with a correct length, and no event is larger than the limit.
 *
 * Input: byte 0 picks the event size limit, byte 1 seeds the chunking, the rest is the
 * stream. */

#define G_LOG_DOMAIN "fuzz-sse"

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "fuzz-common.h"
#include "sp-sse.h"

int LLVMFuzzerInitialize   (int           *argc,
                            char        ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init (argc, argv);
  return 0;
}

typedef struct
{
  GPtrArray *events;   /* "type\x1fdata\x1fid" */
  gboolean   ok;
  int        code;
} Outcome;

static void
collect (SpSseParser *parser,
         gsize        max,
         GPtrArray   *events)
{
  SpSseEvent *event;

  while ((event = sp_sse_parser_pop (parser)) != NULL)
    {
      g_assert (event->type != NULL && event->data != NULL);
      g_assert (g_utf8_validate (event->type, -1, NULL));
      g_assert (g_utf8_validate (event->data, -1, NULL));
      g_assert (event->data_len == strlen (event->data));
      g_assert (event->id == NULL || g_utf8_validate (event->id, -1, NULL));
      /* The limit counts the data and the type as sent; a missing type reads "message". */
      g_assert (event->data_len <= max);
      g_assert (strcmp (event->type, "message") == 0 || strlen (event->type) <= max);

      g_ptr_array_add (events, g_strdup_printf ("%s\x1f%s\x1f%s", event->type, event->data,
                                                event->id ? event->id : "\x1e"));
      sp_sse_event_free (event);
    }
}

static Outcome
run (const char *stream,
     gsize       length,
     gsize       max,
     guint32     seed)
{
  g_autoptr(SpSseParser) parser = sp_sse_parser_new (max);
  Outcome outcome = { g_ptr_array_new_with_free_func (g_free), TRUE, -1 };
  gsize pos = 0;

  while (pos < length || (pos == 0 && length == 0))
    {
      g_autoptr(GError) error = NULL;
      gsize n = length - pos;

      /* A small xorshift: deterministic for a given input. */
      if (seed != 0)
        {
          seed ^= seed << 13;
          seed ^= seed >> 17;
          seed ^= seed << 5;
          n = MIN (n, seed % 17);
        }

      if (!sp_sse_parser_feed (parser, stream + pos, n, &error))
        {
          g_assert (error != NULL && error->domain == SP_SSE_ERROR);
          g_assert (error->code == SP_SSE_ERROR_TOO_LARGE);
          outcome.ok = FALSE;
          outcome.code = error->code;
          collect (parser, max, outcome.events);

          /* Once failed, always failed. */
          g_clear_error (&error);
          g_assert (!sp_sse_parser_feed (parser, "\n\n", 2, &error));
          g_assert (g_error_matches (error, SP_SSE_ERROR, SP_SSE_ERROR_FAILED));
          return outcome;
        }
      g_assert (error == NULL);

      collect (parser, max, outcome.events);
      pos += n;
      if (length == 0)
        break;
    }

  g_assert (sp_sse_parser_get_buffered (parser) <= max + 3);

  return outcome;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  Outcome whole;
  Outcome chunked;
  gsize max;
  guint32 seed;

  if (size < 2)
    return 0;

  /* Mostly tiny limits, so that the limit is hit often; sometimes the default. */
  max = data[0] == 0xff ? SP_SSE_DEFAULT_MAX_EVENT_SIZE : (gsize) data[0] + 1;
  seed = 0x9e3779b9u ^ ((guint32) data[1] * 0x01000193u) ^ (guint32) size;

  whole = run ((const char *) data + 2, size - 2, max, 0);
  chunked = run ((const char *) data + 2, size - 2, max, seed ? seed : 1);

  g_assert (whole.ok == chunked.ok);
  g_assert (whole.code == chunked.code);
  g_assert (whole.events->len == chunked.events->len);
  for (guint i = 0; i < whole.events->len; i++)
    g_assert (strcmp (g_ptr_array_index (whole.events, i),
                      g_ptr_array_index (chunked.events, i)) == 0);

  g_ptr_array_unref (whole.events);
  g_ptr_array_unref (chunked.events);

  return 0;
}
