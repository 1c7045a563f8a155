/* test-pbxis-calls.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pure mapping of pbxis-ws events to call events (SpPbxisCalls), data-driven: each
 * tests/data/pbxis-calls/NAME.json is what the source feeds it, in order, and NAME.expected
 * the call events that come out. Set SP_TEST_REGENERATE=1 to (re)write the .expected
 * files, then review the diff.
 *
 * A data file is an object:
 *   "about"         what the case shows, for people
 *   "ring-timeout"  the account's ring timeout, in seconds (optional)
 *   "steps"         an array; each step is one of
 *                     an event, as a WebSocket frame carries it (with its "type"), parsed
 *                       by sp_pbxis_event_from_node() as the source's transports do;
 *                     {"wait": MS}: time passes, and the ends whose agentComplete did not
 *                       come by then are given up;
 *                     {"dial": NUMBER, "agent": AGENT}: a "dial" action is sent
 *                       (sp_pbxis_dials_begin());
 *                     {"sent": ACTION-ID}: pbxis-ws answered the last dial;
 *                     {"stop": true}: the source stopped for good (sp_pbxis_calls_reset()).
 * The clock starts at 0 and only "wait" moves it. The text lists every step ("> …"), the
 * call events it made and the dials it ended ("dial N: …"); call ids are shown without the wall-clock part, which differs
 * from run to run ("pbxis-147-*-1").
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "sp-pbxis-calls.h"
#include "sp-test-util.h"

#define ACCOUNT_ID "pbx"

/* "pbxis-AGENT-TIME-SERIAL" → "pbxis-AGENT-*-SERIAL"; anything else is shown as it is, after
 * a "?" that makes the difference visible in the expected file. */
static char *
describe_call_id (const char *call_id)
{
  const char *serial;
  const char *time;

  if (call_id == NULL)
    return g_strdup ("?(none)");

  serial = strrchr (call_id, '-');
  if (!g_str_has_prefix (call_id, "pbxis-") || serial == NULL || serial[1] == '\0')
    return g_strconcat ("?", call_id, NULL);

  for (time = serial - 1; time > call_id && g_ascii_isdigit (*time); time--)
    ;
  if (*time != '-' || time == serial - 1 || time < call_id + strlen ("pbxis-"))
    return g_strconcat ("?", call_id, NULL);

  for (const char *c = serial + 1; *c != '\0'; c++)
    {
      if (!g_ascii_isdigit (*c))
        return g_strconcat ("?", call_id, NULL);
    }

  return g_strdup_printf ("%.*s-*%s", (int) (time - call_id), call_id, serial);
}

static void
append_field (GString    *out,
              const char *key,
              const char *value)
{
  if (value != NULL)
    g_string_append_printf (out, "    %s: %s\n", key, value);
}

static void
describe_call_events (GString   *out,
                      GPtrArray *events)
{
  for (guint i = 0; i < events->len; i++)
    {
      SpCallEvent *event = g_ptr_array_index (events, i);
      g_autofree char *call_id = describe_call_id (event->call_id);

      g_assert_cmpstr (event->account_id, ==, ACCOUNT_ID);

      g_string_append_printf (out, "  %s %s\n", sp_call_event_kind_to_string (event->kind),
                              call_id);
      append_field (out, "direction",
                    event->direction == SP_CALL_DIRECTION_OUTGOING ? "outgoing" : "incoming");
      append_field (out, "number", event->number);
      append_field (out, "name", event->name);
      append_field (out, "exten", event->exten);
      append_field (out, "queue", event->queue);
      if (event->ring_timeout != 0)
        g_string_append_printf (out, "    ring-timeout: %u\n", event->ring_timeout);
      if (event->no_end)
        g_string_append (out, "    no-end\n");

      if (event->vars != NULL && g_hash_table_size (event->vars) > 0)
        {
          GList *names = g_list_sort (g_hash_table_get_keys (event->vars),
                                      (GCompareFunc) strcmp);

          for (GList *l = names; l != NULL; l = l->next)
            g_string_append_printf (out, "    var %s: %s\n", (const char *) l->data,
                                    (const char *) g_hash_table_lookup (event->vars, l->data));
          g_list_free (names);
        }
    }
}

/* One line for the step's event: what of it the mapping reads. */
static void
describe_input (GString            *out,
                const SpPbxisEvent *event)
{
  g_string_append_printf (out, "> %s", event->type_name);
  if (event->agent != NULL)
    g_string_append_printf (out, " %s", event->agent);

  switch (event->type)
    {
    case SP_PBXIS_EVENT_PHONE_NUMBER:
      g_string_append_printf (out, " number=%s", event->number ? event->number : "null");
      if (event->name != NULL)
        g_string_append_printf (out, " name=\"%s\"", event->name);
      if (event->queue != NULL)
        g_string_append_printf (out, " queue=%s", event->queue);
      break;

    case SP_PBXIS_EVENT_EXTENSION_STATUS:
      {
        const char *status = sp_pbxis_extension_status_to_string (event->extension_status);

        /* Asterisk's bit masks come as decimal strings: "16" is on hold. */
        g_string_append_printf (out, " %s", status);
        if (g_strcmp0 (event->status, status) != 0)
          g_string_append_printf (out, " (%s)", event->status ? event->status : "null");
      }
      break;

    case SP_PBXIS_EVENT_AGENT_COMPLETE:
      g_string_append_printf (out, " talk=%" G_GINT64_FORMAT " hold=%" G_GINT64_FORMAT,
                              event->talk_time, event->hold_time);
      break;

    case SP_PBXIS_EVENT_QUEUE_MEMBER_STATUS:
    case SP_PBXIS_EVENT_QUEUE_COUNT:
    case SP_PBXIS_EVENT_AGENT_NAME:
    case SP_PBXIS_EVENT_ORIGINATE_FAILED:
    case SP_PBXIS_EVENT_CLOSED:
    case SP_PBXIS_EVENT_PARKING:
    case SP_PBXIS_EVENT_QUEUE_SUMMARY:
    case SP_PBXIS_EVENT_MEMBER_SUMMARY:
    case SP_PBXIS_EVENT_UNKNOWN:
    default:
      if (event->queue != NULL)
        g_string_append_printf (out, " queue=%s", event->queue);
      break;
    }

  g_string_append_c (out, '\n');
}

static char *
describe_steps (const char *data,
                gsize       length)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(SpPbxisCalls) calls = sp_pbxis_calls_new (ACCOUNT_ID);
  g_autoptr(GError) error = NULL;
  GString *out = g_string_new (NULL);
  JsonObject *root;
  JsonArray *steps;
  gint64 now = 0;
  guint dial = 0;

  json_parser_load_from_data (parser, data, length, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_nonnull (root);

  if (json_object_has_member (root, "ring-timeout"))
    sp_pbxis_calls_set_ring_timeout (calls, json_object_get_int_member (root, "ring-timeout"));

  steps = json_object_get_array_member (root, "steps");
  g_assert_nonnull (steps);

  for (guint i = 0; i < json_array_get_length (steps); i++)
    {
      JsonNode *node = json_array_get_element (steps, i);
      JsonObject *step = json_node_get_object (node);
      g_autoptr(GPtrArray) events = NULL;

      g_assert_nonnull (step);

      if (json_object_has_member (step, "wait"))
        {
          now += json_object_get_int_member (step, "wait") * 1000;
          g_string_append_printf (out, "> wait: %" G_GINT64_FORMAT " ms\n", now / 1000);
          events = sp_pbxis_calls_expire (calls, now);
        }
      else if (json_object_has_member (step, "dial"))
        {
          const char *number = json_object_get_string_member (step, "dial");
          const char *agent = json_object_get_string_member (step, "agent");

          dial = sp_pbxis_dials_begin (sp_pbxis_calls_get_dials (calls), agent, number, now);
          g_string_append_printf (out, "> dial %u: %s calls %s\n", dial, agent, number);
        }
      else if (json_object_has_member (step, "sent"))
        {
          const char *action_id = json_object_get_string_member (step, "sent");

          g_string_append_printf (out, "> dial %u sent: %s\n", dial, action_id);
          sp_pbxis_dials_sent (sp_pbxis_calls_get_dials (calls), dial, action_id);
        }
      else if (json_object_has_member (step, "stop"))
        {
          g_string_append (out, "> stop\n");
          sp_pbxis_calls_reset (calls);
        }
      else
        {
          g_autoptr(SpPbxisEvent) event = sp_pbxis_event_from_node (node, NULL, &error);

          g_assert_no_error (error);
          describe_input (out, event);
          events = sp_pbxis_calls_feed (calls, event, now);
        }

      if (events != NULL)
        describe_call_events (out, events);

      {
        g_autoptr(GPtrArray) results = sp_pbxis_dials_take_results (sp_pbxis_calls_get_dials (calls));

        for (guint j = 0; j < results->len; j++)
          {
            SpPbxisDialResult *result = g_ptr_array_index (results, j);

            if (result->error != NULL)
              g_string_append_printf (out, "  dial %u failed: %s\n", result->id,
                                      result->error->message);
            else
              g_string_append_printf (out, "  dial %u: placed\n", result->id);
          }
      }
    }

  if (sp_pbxis_dials_get_n (sp_pbxis_calls_get_dials (calls)) > 0)
    g_string_append_printf (out, "(%u dial(s) not over)\n", sp_pbxis_dials_get_n (sp_pbxis_calls_get_dials (calls)));

  /* An end still waiting is visible, with when it would be given up. */
  if (sp_pbxis_calls_get_n_pending (calls) > 0)
    g_string_append_printf (out, "(%u end(s) waiting for agentComplete until %"
                            G_GINT64_FORMAT " ms)\n", sp_pbxis_calls_get_n_pending (calls),
                            sp_pbxis_calls_get_deadline (calls) / 1000);
  else if (sp_pbxis_dials_get_n (sp_pbxis_calls_get_dials (calls)) == 0)
    g_assert_cmpint (sp_pbxis_calls_get_deadline (calls), ==, -1);

  return g_string_free (out, FALSE);
}

/* When a Bridge's number is a dial's: the same digits, or the same number with the
 * dialplan's prefix; never two numbers that only end alike in a few digits. */
static void
test_number_matches (void)
{
  static const struct
  {
    const char *dialled;
    const char *named;
    gboolean    exact;
    gboolean    inexact;
  } cases[] = {
    { "+385915551234", "+385915551234", TRUE, TRUE },
    { "+385915551234", "385915551234", TRUE, TRUE },
    { "+385915551234", "00385915551234", TRUE, TRUE },
    { "+385915551234", "0915551234", FALSE, TRUE },
    { "0312345678", "+81312345678", FALSE, TRUE },
    { "0312345678", "0312345679", FALSE, FALSE },
    { "148", "0148", TRUE, TRUE },
    { "148", "2148", FALSE, FALSE },
    { "45678", "1345678", FALSE, FALSE },
    { "*65", "65", FALSE, FALSE },
    { "*65", "*65", TRUE, TRUE },
    { "0312345678", "", FALSE, FALSE },
    { "0312345678", "anonymous", FALSE, FALSE },
    { "000", "0", FALSE, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s ~ %s", cases[i].dialled, cases[i].named);
      g_assert_cmpint (sp_pbxis_number_matches (cases[i].dialled, cases[i].named, TRUE), ==,
                       cases[i].exact);
      g_assert_cmpint (sp_pbxis_number_matches (cases[i].dialled, cases[i].named, FALSE), ==,
                       cases[i].inexact);
    }

  g_assert_false (sp_pbxis_number_matches (NULL, "0312345678", FALSE));
  g_assert_false (sp_pbxis_number_matches ("0312345678", NULL, FALSE));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  sp_test_add_data_cases ("/pbxis/calls", "pbxis-calls", describe_steps, SP_TEST_DATA_NONE, 10);
  g_test_add_func ("/pbxis/calls/number-matches", test_number_matches);

  return g_test_run ();
}
