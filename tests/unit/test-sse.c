/* test-sse.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The streaming Server-Sent Events parser: the WHATWG interpretation rules, and that any
 * chunking of the same bytes gives the same events.
 */

#include "config.h"

#include <string.h>

#include "sp-sse.h"

/* Feeds @chunks (NULL-terminated) and returns the events, one "TYPE|DATA|ID" line each,
 * with "\n" in the data shown as "\\n". */
static char *
parse_chunks (gsize         max,
              const char  **chunks,
              const gsize  *lengths,
              GError      **error)
{
  g_autoptr(SpSseParser) parser = sp_sse_parser_new (max);
  GString *out = g_string_new (NULL);
  SpSseEvent *event;
  gboolean ok = TRUE;

  for (guint i = 0; chunks[i] != NULL && ok; i++)
    ok = sp_sse_parser_feed (parser, chunks[i], lengths ? lengths[i] : strlen (chunks[i]), error);

  while ((event = sp_sse_parser_pop (parser)) != NULL)
    {
      g_auto(GStrv) lines = g_strsplit (event->data, "\n", -1);
      g_autofree char *data = g_strjoinv ("\\n", lines);

      g_assert_cmpuint (event->data_len, ==, strlen (event->data));
      g_assert_true (g_utf8_validate (event->type, -1, NULL));
      g_assert_true (g_utf8_validate (event->data, -1, NULL));
      g_string_append_printf (out, "%s|%s|%s\n", event->type, data,
                              event->id ? event->id : "(null)");
      sp_sse_event_free (event);
    }

  return g_string_free (out, FALSE);
}

static char *
parse_one (const char *stream)
{
  const char *chunks[] = { stream, NULL };
  g_autoptr(GError) error = NULL;
  char *result = parse_chunks (0, chunks, NULL, &error);

  g_assert_no_error (error);

  return result;
}

static void
assert_events (const char *stream,
               const char *expected)
{
  g_autofree char *actual = parse_one (stream);

  g_assert_cmpstr (actual, ==, expected);
}

static void
test_basic (void)
{
  assert_events ("event: phoneNumber\ndata: {\"agent\":\"147\"}\n\n",
                 "phoneNumber|{\"agent\":\"147\"}|(null)\n");
  /* pbxis-ws's answer to an unknown ticket. */
  assert_events ("event: closed\ndata: {}\n\n", "closed|{}|(null)\n");
  /* No event field: the type is "message". */
  assert_events ("data: x\n\n", "message|x|(null)\n");
  /* Two events back to back; the type does not carry over. */
  assert_events ("event: a\ndata: 1\n\ndata: 2\n\n", "a|1|(null)\nmessage|2|(null)\n");
}

static void
test_multiline_data (void)
{
  assert_events ("data: first\ndata: second\ndata:third\n\n",
                 "message|first\\nsecond\\nthird|(null)\n");
  /* An empty data line is an empty line of data. */
  assert_events ("data\n\n", "message||(null)\n");
  assert_events ("data:\ndata:\n\n", "message|\\n|(null)\n");
  /* Only one space after the colon is dropped. */
  assert_events ("data:  two spaces\n\n", "message| two spaces|(null)\n");
  /* A colon in the value stays. */
  assert_events ("data: a: b\n\n", "message|a: b|(null)\n");
}

static void
test_line_ends (void)
{
  const char *expected = "e|1\\n2|(null)\nmessage|3|(null)\n";

  assert_events ("event: e\ndata: 1\ndata: 2\n\ndata: 3\n\n", expected);
  assert_events ("event: e\r\ndata: 1\r\ndata: 2\r\n\r\ndata: 3\r\n\r\n", expected);
  assert_events ("event: e\rdata: 1\rdata: 2\r\rdata: 3\r\r", expected);
  assert_events ("event: e\r\ndata: 1\rdata: 2\n\r\ndata: 3\r\r\n", expected);
}

static void
test_cr_split (void)
{
  /* A CR at the end of a chunk and the LF at the start of the next are one line end, not
   * two (which would dispatch an empty event early). */
  const char *chunks[] = { "data: 1\r", "\ndata: 2\r", "\n\r", "\n", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *actual = parse_chunks (0, chunks, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (actual, ==, "message|1\\n2|(null)\n");
}

static void
test_comments_and_unknown_fields (void)
{
  assert_events (": keep-alive\n\n:\ndata: x\n: inside\nfoo: bar\nDATA: upper\n\n",
                 "message|x|(null)\n");
  /* A comment alone dispatches nothing. */
  assert_events (": only a comment\n\n", "");
  /* A blank line without data resets the type. */
  assert_events ("event: lost\n\ndata: y\n\n", "message|y|(null)\n");
}

static void
test_id_and_retry (void)
{
  g_autoptr(SpSseParser) parser = sp_sse_parser_new (0);
  static const char stream[] = "id: 7\ndata: a\n\ndata: b\n\nid\ndata: c\n\nid: x\0y\ndata: d\n\n"
                               "retry: 2500\nretry: soon\nretry:\n";
  g_autoptr(GError) error = NULL;
  const char *expected_ids[] = { "7", "7", "", "" };
  SpSseEvent *event;
  guint n = 0;

  g_assert_cmpint (sp_sse_parser_get_retry (parser), ==, -1);
  g_assert_null (sp_sse_parser_get_last_id (parser));

  g_assert_true (sp_sse_parser_feed (parser, stream, sizeof stream - 1, &error));
  g_assert_no_error (error);

  while ((event = sp_sse_parser_pop (parser)) != NULL)
    {
      g_assert_cmpuint (n, <, G_N_ELEMENTS (expected_ids));
      /* The id persists across events; an id with a NUL is ignored. */
      g_assert_cmpstr (event->id, ==, expected_ids[n]);
      sp_sse_event_free (event);
      n++;
    }
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpint (sp_sse_parser_get_retry (parser), ==, 2500);
}

static void
test_bom (void)
{
  const char *split[] = { "\xEF", "\xBB", "\xBF" "data: 1\n\n", NULL };
  const char *not_bom[] = { "\xEF\xBB", "data: 1\n\n", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *actual = NULL;

  assert_events ("\xEF\xBB\xBF" "data: 1\n\n", "message|1|(null)\n");

  /* Split over three chunks. */
  actual = parse_chunks (0, split, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (actual, ==, "message|1|(null)\n");
  g_clear_pointer (&actual, g_free);

  /* Only at the very start: a second one makes the field name "\uFEFFdata". */
  assert_events ("\xEF\xBB\xBF\xEF\xBB\xBF" "data: 1\n\ndata: 2\n\n", "message|2|(null)\n");

  /* Half a BOM is not one: the bytes are part of the first line (and invalid UTF-8). */
  actual = parse_chunks (0, not_bom, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (actual, ==, "");
}

static void
test_invalid_utf8 (void)
{
  /* Replaced, so that what comes out is valid UTF-8. */
  assert_events ("event: \xC3\ndata: a\xFF" "b\n\n", "\xEF\xBF\xBD|a\xEF\xBF\xBD" "b|(null)\n");
}

static void
test_nul_in_data (void)
{
  static const char stream[] = "data: a\0b\n\n";
  const char *chunks[] = { stream, NULL };
  const gsize lengths[] = { sizeof stream - 1 };
  g_autoptr(GError) error = NULL;
  g_autofree char *actual = parse_chunks (0, chunks, lengths, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (actual, ==, "message|a\xEF\xBF\xBD" "b|(null)\n");
}

static void
test_too_large (void)
{
  g_autoptr(SpSseParser) parser = sp_sse_parser_new (64);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_strnfill (100, 'x');
  SpSseEvent *event;

  /* Events before the big one are good and delivered. */
  g_assert_true (sp_sse_parser_feed (parser, "data: small\n\n", 13, &error));

  /* A line that never ends is caught before it ends. */
  g_assert_false (sp_sse_parser_feed (parser, line, strlen (line), &error));
  g_assert_error (error, SP_SSE_ERROR, SP_SSE_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "64 bytes"));
  g_clear_error (&error);

  event = sp_sse_parser_pop (parser);
  g_assert_nonnull (event);
  g_assert_cmpstr (event->data, ==, "small");
  sp_sse_event_free (event);
  g_assert_null (sp_sse_parser_pop (parser));

  /* And then it refuses everything. */
  g_assert_false (sp_sse_parser_feed (parser, "data: x\n\n", 9, &error));
  g_assert_error (error, SP_SSE_ERROR, SP_SSE_ERROR_FAILED);
}

static void
test_too_large_many_lines (void)
{
  g_autoptr(SpSseParser) parser = sp_sse_parser_new (64);
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;

  /* Short lines, but an event that keeps growing. */
  for (guint i = 0; i < 20 && ok; i++)
    ok = sp_sse_parser_feed (parser, "data: 0123456789\n", 17, &error);

  g_assert_false (ok);
  g_assert_error (error, SP_SSE_ERROR, SP_SSE_ERROR_TOO_LARGE);
}

static void
test_exact_limit (void)
{
  g_autoptr(SpSseParser) parser = sp_sse_parser_new (16);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSseEvent) event = NULL;

  /* "data: 0123456789" is 16 bytes; the event it makes, "0123456789\n", is 11. */
  g_assert_true (sp_sse_parser_feed (parser, "data: 0123456789\n\n", 18, &error));
  g_assert_no_error (error);
  event = sp_sse_parser_pop (parser);
  g_assert_cmpstr (event->data, ==, "0123456789");
}

static void
test_unfinished (void)
{
  g_autoptr(SpSseParser) parser = sp_sse_parser_new (0);

  g_assert_true (sp_sse_parser_feed (parser, "data: 1\n\ndata: cut", 18, NULL));
  g_assert_cmpuint (sp_sse_parser_get_n_pending (parser), ==, 1);
  /* The end of the stream in the middle of an event: the caller can tell. */
  g_assert_cmpuint (sp_sse_parser_get_buffered (parser), >, 0);
}

/* The same bytes, in every chunking, give the same events. */
static void
test_chunking (void)
{
  static const char stream[] =
    "\xEF\xBB\xBF: hello\r\n"
    "event: phoneNumber\r\n"
    "data: {\"agent\":\"147\",\"unique-id\":\"SIP/trunk-0000002a\",\r\n"
    "data: \"number\":\"0915551234\",\"name\":\"Ana \xC5\xBE\"}\r\n"
    "\r\n"
    "id: 42\r"
    "event: extensionStatus\r"
    "data: {\"agent\":\"147\",\"status\":\"ringing\"}\r"
    "\r"
    "event: closed\n"
    "data: {}\n"
    "\n"
    "data: tail without end";
  const gsize length = sizeof stream - 1;
  g_autofree char *expected = NULL;

  expected = parse_one (stream);
  g_assert_cmpstr (expected, ==,
                   "phoneNumber|{\"agent\":\"147\",\"unique-id\":\"SIP/trunk-0000002a\",\\n"
                   "\"number\":\"0915551234\",\"name\":\"Ana \xC5\xBE\"}|(null)\n"
                   "extensionStatus|{\"agent\":\"147\",\"status\":\"ringing\"}|42\n"
                   "closed|{}|42\n");

  /* Every split into two, then byte by byte, then random splits. */
  for (gsize cut = 0; cut <= length; cut++)
    {
      const char *chunks[] = { stream, stream + cut, NULL };
      const gsize lengths[] = { cut, length - cut };
      g_autoptr(GError) error = NULL;
      g_autofree char *actual = parse_chunks (0, chunks, lengths, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (actual, ==, expected);
    }

  for (guint round = 0; round < 200; round++)
    {
      g_autoptr(GPtrArray) chunks = g_ptr_array_new ();
      g_autoptr(GArray) lengths = g_array_new (FALSE, FALSE, sizeof (gsize));
      g_autoptr(GError) error = NULL;
      g_autofree char *actual = NULL;
      gsize pos = 0;

      while (pos < length)
        {
          gsize n = round == 0 ? 1 : (gsize) g_test_rand_int_range (0, 12);

          n = MIN (n, length - pos);
          g_ptr_array_add (chunks, (gpointer) (stream + pos));
          g_array_append_val (lengths, n);
          pos += n;
        }
      g_ptr_array_add (chunks, NULL);

      actual = parse_chunks (0, (const char **) chunks->pdata, (const gsize *) lengths->data,
                             &error);
      g_assert_no_error (error);
      g_assert_cmpstr (actual, ==, expected);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sse/basic", test_basic);
  g_test_add_func ("/sse/multiline-data", test_multiline_data);
  g_test_add_func ("/sse/line-ends", test_line_ends);
  g_test_add_func ("/sse/cr-split", test_cr_split);
  g_test_add_func ("/sse/comments-and-unknown-fields", test_comments_and_unknown_fields);
  g_test_add_func ("/sse/id-and-retry", test_id_and_retry);
  g_test_add_func ("/sse/bom", test_bom);
  g_test_add_func ("/sse/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/sse/nul-in-data", test_nul_in_data);
  g_test_add_func ("/sse/too-large", test_too_large);
  g_test_add_func ("/sse/too-large-many-lines", test_too_large_many_lines);
  g_test_add_func ("/sse/exact-limit", test_exact_limit);
  g_test_add_func ("/sse/unfinished", test_unfinished);
  g_test_add_func ("/sse/chunking", test_chunking);

  return g_test_run ();
}
