/* test-pbxis-parse.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pbxis-ws event mapper and request/answer helpers. Events are data-driven: each
 * tests/data/pbxis/events/NAME.json is one event as a WebSocket frame carries it, and
 * NAME.expected what it maps to; tests/data/pbxis/long-poll/ holds long-poll answers.
 * Set SP_TEST_REGENERATE=1 to (re)write the .expected files, then review the diff.
 */

#include "config.h"

#include <string.h>

#include "sp-pbxis.h"
#include "sp-test-util.h"

static const char *
error_code_name (const GError *error)
{
  g_assert_true (error->domain == SP_PBXIS_ERROR);

  switch ((SpPbxisError) error->code)
    {
    case SP_PBXIS_ERROR_MALFORMED:
      return "malformed";
    case SP_PBXIS_ERROR_TOO_LARGE:
      return "too-large";
    case SP_PBXIS_ERROR_ACTION:
      return "action";
    default:
      return "other";
    }
}

static void
append_field (GString    *out,
              const char *key,
              const char *value)
{
  if (value != NULL)
    g_string_append_printf (out, "  %s: %s\n", key, value);
}

static void
append_count (GString    *out,
              const char *key,
              gint64      value)
{
  if (value >= 0)
    g_string_append_printf (out, "  %s: %" G_GINT64_FORMAT "\n", key, value);
}

static void
describe_event (GString            *out,
                const SpPbxisEvent *event)
{
  g_string_append_printf (out, "%s (%s)\n", sp_pbxis_event_type_to_string (event->type),
                          event->type_name);
  append_field (out, "agent", event->agent);
  append_field (out, "queue", event->queue);
  append_field (out, "name", event->name);

  if (event->type == SP_PBXIS_EVENT_EXTENSION_STATUS)
    g_string_append_printf (out, "  status: %s → %s\n", event->status ? event->status : "null",
                            sp_pbxis_extension_status_to_string (event->extension_status));
  else if (event->type == SP_PBXIS_EVENT_QUEUE_MEMBER_STATUS)
    g_string_append_printf (out, "  status: %s → %s\n", event->status ? event->status : "null",
                            sp_pbxis_member_status_to_string (event->member_status));

  append_field (out, "unique-id", event->unique_id);
  if (event->type == SP_PBXIS_EVENT_PHONE_NUMBER)
    g_string_append_printf (out, "  number: %s\n", event->number ? event->number : "null");
  append_field (out, "unique-id1", event->unique_id1);
  append_field (out, "unique-id2", event->unique_id2);
  append_field (out, "system-name", event->system_name);
  append_count (out, "count", event->count);
  append_count (out, "talk-time", event->talk_time);
  append_count (out, "hold-time", event->hold_time);
  append_field (out, "recording", event->recording);
  append_field (out, "action-id", event->action_id);
  append_field (out, "caller-id", event->caller_id);
  append_field (out, "channel", event->channel);
  append_field (out, "parked-ext", event->parked_ext);
  if (event->raw != NULL)
    g_string_append (out, "  (raw kept)\n");
}

static void
describe_error (GString      *out,
                const GError *error)
{
  g_assert_nonnull (error);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_string_append_printf (out, "error %s: %s\n", error_code_name (error), error->message);
}

static char *
describe_frame (const char *data,
                gsize       length)
{
  g_autoptr(SpPbxisEvent) event = NULL;
  g_autoptr(GError) error = NULL;
  GString *out = g_string_new (NULL);

  event = sp_pbxis_event_parse (data, length, &error);
  if (event == NULL)
    describe_error (out, error);
  else
    describe_event (out, event);

  return g_string_free (out, FALSE);
}

static char *
describe_long_poll (const char *data,
                    gsize       length)
{
  g_autoptr(GPtrArray) nodes = NULL;
  g_autoptr(GError) error = NULL;
  GString *out = g_string_new (NULL);

  nodes = sp_pbxis_split_long_poll (data, length, &error);
  if (nodes == NULL)
    {
      describe_error (out, error);
      return g_string_free (out, FALSE);
    }

  g_string_append_printf (out, "%u event(s)\n", nodes->len);
  for (guint i = 0; i < nodes->len; i++)
    {
      g_autoptr(SpPbxisEvent) event = NULL;
      g_autoptr(GError) event_error = NULL;

      g_string_append_printf (out, "[%u] ", i);
      event = sp_pbxis_event_from_node (g_ptr_array_index (nodes, i), NULL, &event_error);
      if (event == NULL)
        describe_error (out, event_error);
      else
        describe_event (out, event);
    }

  return g_string_free (out, FALSE);
}

static void
test_sse_type (void)
{
  g_autoptr(SpPbxisEvent) event = NULL;
  g_autoptr(SpPbxisEvent) closed = NULL;
  g_autoptr(GError) error = NULL;
  const char *data = "{\"agent\":\"147\",\"status\":\"ringing\"}";

  /* SSE leaves "type" out of the data: the event name is the type. */
  event = sp_pbxis_event_parse_sse ("extensionStatus", data, strlen (data), &error);
  g_assert_no_error (error);
  g_assert_cmpint (event->type, ==, SP_PBXIS_EVENT_EXTENSION_STATUS);
  g_assert_cmpint (event->extension_status, ==, SP_PBXIS_EXTENSION_RINGING);
  g_assert_cmpstr (event->agent, ==, "147");

  closed = sp_pbxis_event_parse_sse ("closed", "{}", 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (closed->type, ==, SP_PBXIS_EVENT_CLOSED);

  /* Without the name, the same data is not an event. */
  g_assert_null (sp_pbxis_event_parse (data, strlen (data), &error));
  g_assert_error (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_MALFORMED);
}

static void
test_too_large (void)
{
  gsize size = SP_PBXIS_MAX_INPUT + 1;
  g_autofree char *data = g_malloc (size);
  g_autoptr(GError) error = NULL;

  memset (data, ' ', size);
  data[0] = '{';
  data[size - 1] = '}';

  g_assert_null (sp_pbxis_event_parse (data, size, &error));
  g_assert_error (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_TOO_LARGE);
  g_clear_error (&error);

  data[0] = '[';
  data[size - 1] = ']';
  g_assert_null (sp_pbxis_split_long_poll (data, size, &error));
  g_assert_error (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_TOO_LARGE);
}

static void
test_deep_nesting (void)
{
  GString *text = g_string_new ("{\"type\":\"x\",\"a\":");
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (text, '[');

  g_assert_null (sp_pbxis_event_parse (text->str, text->len, &error));
  g_assert_error (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_MALFORMED);
  g_string_free (text, TRUE);
}

/* A ticket or an action's answer may be any JSON value, and is still read with a bounded
 * depth: 100 000 levels would overflow json-glib's recursive parser. */
static void
test_deep_answers (void)
{
  GString *text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *result = NULL;

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (text, '[');
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (text, ']');

  g_assert_null (sp_pbxis_parse_ticket (text->str, text->len, &error));
  g_assert_error (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "deeper"));
  g_clear_error (&error);

  /* An unreadable answer to HTTP 200 is a success, as any other (see test_action_response). */
  g_assert_true (sp_pbxis_check_action_response (200, text->str, text->len, &result, &error));
  g_assert_no_error (error);
  g_assert_null (result);

  /* Brackets inside a string nest nothing. */
  g_string_truncate (text, 0);
  g_string_append_c (text, '"');
  for (guint i = 0; i < 1000; i++)
    g_string_append_c (text, '[');
  g_string_append_c (text, '"');
  g_assert_null (sp_pbxis_parse_ticket (text->str, text->len, &error));
  g_assert_error (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_MALFORMED);
  g_assert_null (strstr (error->message, "deeper"));

  g_string_free (text, TRUE);
}

static void
test_ticket_request (void)
{
  const char *agents[] = { "147", "149", NULL };
  const char *queues[] = { "q1", NULL };
  g_autofree char *body = NULL;
  g_autofree char *empty = NULL;
  g_autofree char *quoted = NULL;
  const char *odd[] = { "1\"4", NULL };

  body = sp_pbxis_build_ticket_request (agents, queues, FALSE);
  g_assert_cmpstr (body, ==, "{\"agents\":[\"147\",\"149\"],\"queues\":[\"q1\"],\"summaryEvents\":false}");

  empty = sp_pbxis_build_ticket_request (NULL, NULL, TRUE);
  g_assert_cmpstr (empty, ==, "{\"agents\":[],\"queues\":[],\"summaryEvents\":true}");

  quoted = sp_pbxis_build_ticket_request (odd, NULL, FALSE);
  g_assert_cmpstr (quoted, ==, "{\"agents\":[\"1\\\"4\"],\"queues\":[],\"summaryEvents\":false}");
}

static void
assert_ticket (const char *body,
               const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ticket = sp_pbxis_parse_ticket (body, strlen (body), &error);

  if (expected != NULL)
    {
      g_assert_no_error (error);
      g_assert_cmpstr (ticket, ==, expected);
    }
  else
    {
      g_assert_null (ticket);
      g_assert_error (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_MALFORMED);
    }
}

static void
test_ticket_answer (void)
{
  assert_ticket ("\"0b6e2f3c-8a4e-4f3b-9d61-3f1c2a7e9b10\"", "0b6e2f3c-8a4e-4f3b-9d61-3f1c2a7e9b10");
  assert_ticket (" \"abc\"\n", "abc");
  assert_ticket ("0b6e2f3c-8a4e", NULL);           /* not quoted */
  assert_ticket ("\"\"", NULL);
  assert_ticket ("\"../stop\"", NULL);             /* would change the path */
  assert_ticket ("\"a b\"", NULL);
  assert_ticket ("\"a?b\"", NULL);
  assert_ticket ("{\"ticket\":\"abc\"}", NULL);
  assert_ticket ("\"abc\" x", NULL);
  assert_ticket ("", NULL);
  assert_ticket ("null", NULL);
}

static void
test_queue_action (void)
{
  g_autofree char *add = sp_pbxis_build_queue_action ("q1", "147", -1);
  g_autofree char *pause = sp_pbxis_build_queue_action ("q1", "147", 1);
  g_autofree char *unpause = sp_pbxis_build_queue_action ("q1", "147", 0);

  g_assert_cmpstr (add, ==, "{\"queue\":\"q1\",\"agent\":\"147\"}");
  g_assert_cmpstr (pause, ==, "{\"queue\":\"q1\",\"agent\":\"147\",\"paused\":true}");
  g_assert_cmpstr (unpause, ==, "{\"queue\":\"q1\",\"agent\":\"147\",\"paused\":false}");
}

static void
assert_action (guint       status,
               const char *body,
               const char *expected_result,
               const char *expected_error)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *result = NULL;
  gboolean ok;

  ok = sp_pbxis_check_action_response (status, body, body ? strlen (body) : 0, &result, &error);

  if (expected_error == NULL)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpstr (result, ==, expected_result);
    }
  else
    {
      g_assert_false (ok);
      g_assert_error (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_ACTION);
      g_assert_cmpstr (error->message, ==, expected_error);
      g_assert_null (result);
    }
}

static void
test_action_response (void)
{
  assert_action (200, "\"pbxis-3f9a1c0d\"", "pbxis-3f9a1c0d", NULL);
  assert_action (200, "{\"message\":\"Added interface to queue\",\"response\":\"Success\"}",
                 "Added interface to queue", NULL);
  assert_action (200, "{\"response\":\"Success\"}", NULL, NULL);
  assert_action (200, "[{\"queue\":\"q1\",\"calls\":2}]", NULL, NULL);
  assert_action (200, "", NULL, NULL);
  /* HTTP 200, and yet Asterisk refused. */
  assert_action (200, "{\"response\":\"Error\",\"message\":\"Unable to add interface: Already there\"}",
                 NULL, "Unable to add interface: Already there");
  assert_action (200, "{\"response\":\"Error\"}", NULL, "Asterisk answered “Error” without saying why");
  assert_action (200, "{\"response\":\"Error\",\"message\":\"bad\\nline\\u202e\"}", NULL, "bad?line?");
  assert_action (404, "", NULL, "pbxis-ws found nothing to act on (HTTP 404)");
  assert_action (405, "", NULL,
                 "pbxis-ws does not take this request (HTTP 405); is the address that of pbxis-ws?");
  assert_action (500, "", NULL, "pbxis-ws failed (HTTP 500); it may have lost its connection to Asterisk");
  assert_action (502, "", NULL, "pbxis-ws answered HTTP 502");
}

static void
assert_number (const char *input,
               const char *expected)
{
  g_autofree char *number = sp_pbxis_normalize_number (input);

  g_assert_cmpstr (number, ==, expected);
}

static void
test_normalize_number (void)
{
  assert_number ("0915551234", "0915551234");
  assert_number ("+385 (91) 555-1234", "+385915551234");
  assert_number ("091 555.12.34", "0915551234");
  assert_number ("tel:+385-91-555-1234", "+385915551234");
  assert_number ("tel:+385-91-555-1234;phone-context=example.com", "+385915551234");
  assert_number ("TEL:0915551234", "0915551234");
  assert_number ("callto://0915551234", "0915551234");
  assert_number ("callto:091%20555%201234", "0915551234");
  assert_number ("*97", "*97");
  assert_number ("", NULL);
  assert_number ("+", NULL);
  assert_number ("abc", NULL);
  assert_number ("091+555", NULL);
  assert_number ("0915551234 && rm", NULL);
  /* A tel: URI's parameters are not part of the number. */
  assert_number ("0915551234;ext=12", "0915551234");
  assert_number ("tel:091%00555", NULL);
  assert_number ("1/2", "12");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  sp_test_add_data_cases ("/pbxis/events", "pbxis/events", describe_frame, SP_TEST_DATA_STRIP_NEWLINE, 20);
  sp_test_add_data_cases ("/pbxis/long-poll", "pbxis/long-poll", describe_long_poll, SP_TEST_DATA_STRIP_NEWLINE, 3);

  g_test_add_func ("/pbxis/sse-type", test_sse_type);
  g_test_add_func ("/pbxis/too-large", test_too_large);
  g_test_add_func ("/pbxis/deep-nesting", test_deep_nesting);
  g_test_add_func ("/pbxis/deep-answers", test_deep_answers);
  g_test_add_func ("/pbxis/ticket-request", test_ticket_request);
  g_test_add_func ("/pbxis/ticket-answer", test_ticket_answer);
  g_test_add_func ("/pbxis/queue-action", test_queue_action);
  g_test_add_func ("/pbxis/action-response", test_action_response);
  g_test_add_func ("/pbxis/normalize-number", test_normalize_number);

  return g_test_run ();
}
