/* test-xivo-calls.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The XiVO mapping from CTI messages to call events (sp-xivo-calls.c) and to the agent's
 * state (sp-xivo-agent.c), without a server. Data-driven from tests/data/xivo-calls/: each
 * NAME.json holds the account's settings the mapping reads and the messages of the CTI link
 * in the order they arrive; NAME.expected is what the mapping makes of each, as readable
 * text, and the calls still live at the end. (SP_TEST_REGENERATE=1 rewrites the .expected
 * files, for review with git diff.)
 *
 *   {
 *     "about": "what the case shows (for the reader; not read)",
 *     "account": { "extensions": ["1000"], "show-unaddressed": false, "ring-timeout": 45 },
 *     "steps": [ {"msgType":"PhoneEvent","ctiMessage":{…}}, …, "stop" ]
 *   }
 *
 * A step is a CTI message as xuc sends it, which goes through sp_xivo_message_parse() first,
 * as in SpXivoSource, or "stop": the account was disabled (the source forgets its calls).
 * "account" may be left out, and so may each of its members: the defaults of the schema.
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "sp-account.h"
#include "sp-xivo.h"
#include "sp-xivo-agent.h"
#include "sp-xivo-calls.h"
#include "sp-test-util.h"

#define ACCOUNT_ID "xivo-calls"

typedef struct
{
  GString    *out;
  GHashTable *seen;     /* call ids of every event, to list the live ones at the end */
  gboolean    to_calls; /* the current step went to the call mapping */
  guint       emitted;  /* call events of the current step */
} Run;

/* Escapes @text onto one line; UTF-8 stays readable. */
static char *
escape_text (const char *text)
{
  static char non_ascii[129];

  if (non_ascii[0] == '\0')
    {
      for (guint i = 0; i < 128; i++)
        non_ascii[i] = (char) (0x80 + i);
    }

  return g_strescape (text, non_ascii);
}

static void
append_field (GString    *out,
              const char *name,
              const char *value)
{
  g_autofree char *escaped = value ? escape_text (value) : NULL;

  g_string_append_printf (out, "    %s: %s\n", name, escaped ? escaped : "(none)");
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The keys of @table, sorted: a hash table's order is not stable. */
static const char **
sorted_keys (GHashTable *table,
             guint      *n)
{
  const char **keys = (const char **) g_hash_table_get_keys_as_array (table, n);

  g_qsort_with_data (keys, *n, sizeof (char *), compare_strings, NULL);

  return keys;
}

static void
record_event (SpCallEvent *event,
              gpointer     user_data)
{
  Run *run = user_data;
  g_autofree const char **keys = NULL;
  guint n = 0;

  g_assert_cmpstr (event->account_id, ==, ACCOUNT_ID);
  g_assert_nonnull (event->call_id);
  g_assert_cmpint (event->timestamp, >, 0);

  run->emitted++;
  g_hash_table_add (run->seen, g_strdup (event->call_id));

  g_string_append_printf (run->out, "  → %s %s (%s)\n", sp_call_event_kind_to_string (event->kind),
                          event->call_id,
                          event->direction == SP_CALL_DIRECTION_OUTGOING ? "outgoing" : "incoming");
  append_field (run->out, "number", event->number);
  append_field (run->out, "name", event->name);
  append_field (run->out, "exten", event->exten);
  append_field (run->out, "queue", event->queue);
  g_string_append_printf (run->out, "    ring-timeout: %u\n", event->ring_timeout);
  if (event->no_end)
    g_string_append (run->out, "    no-end: yes\n");

  if (event->vars != NULL)
    {
      keys = sorted_keys (event->vars, &n);
      for (guint i = 0; i < n; i++)
        {
          g_autofree char *value = escape_text (g_hash_table_lookup (event->vars, keys[i]));

          g_string_append_printf (run->out, "    var: %s=%s\n", keys[i], value);
        }
    }
}

static void
describe_phone_event (GString                *out,
                      const SpXivoPhoneEvent *event)
{
  g_string_append_printf (out, " %s %s leg %s line %s", event->event_type, event->call_id,
                          event->unique_id ? event->unique_id : "(none)",
                          event->dn ? event->dn : "(none)");
}

static const char *
agent_state_name (SpAgentState state)
{
  switch (state)
    {
    case SP_AGENT_STATE_NONE:
      return "none";
    case SP_AGENT_STATE_LOGGED_OUT:
      return "logged-out";
    case SP_AGENT_STATE_READY:
      return "ready";
    case SP_AGENT_STATE_PAUSED:
      return "paused";
    default:
      g_assert_not_reached ();
    }
}

static void
apply_agent_state (Run                    *run,
                   SpXivoAgent            *agent,
                   const SpXivoAgentState *state)
{
  SpXivoAgentChanges changes;
  g_autofree char *detail = NULL;

  if (!sp_xivo_agent_update (agent, state, &changes))
    {
      g_assert_cmpint (changes, ==, SP_XIVO_AGENT_UNCHANGED);
      g_string_append_printf (run->out, "  agent: not ours (ours is %" G_GINT64_FORMAT ")\n",
                              agent->id);
      return;
    }

  detail = sp_xivo_agent_dup_detail (agent);
  g_string_append_printf (run->out, "  agent %" G_GINT64_FORMAT ": %s (%s)%s%s, “%s”\n",
                          agent->id, agent->state,
                          agent_state_name (sp_xivo_agent_get_agent_state (agent)),
                          changes & SP_XIVO_AGENT_STATE_CHANGED ? ", state changed" : "",
                          changes & SP_XIVO_AGENT_CAUSE_CHANGED ? ", cause changed" : "",
                          detail);
}

static void
run_message (Run         *run,
             SpXivoCalls *calls,
             SpXivoAgent *agent,
             JsonNode    *node)
{
  g_autofree char *text = json_to_string (node, FALSE);
  g_autoptr(SpXivoMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  message = sp_xivo_message_parse (text, strlen (text), &error);
  g_assert_no_error (error);

  g_string_append (run->out, message->msg_type);

  switch (message->type)
    {
    case SP_XIVO_MESSAGE_PHONE_EVENT:
      describe_phone_event (run->out, message->phone_event);
      g_string_append_c (run->out, '\n');
      run->to_calls = TRUE;
      sp_xivo_calls_phone_event (calls, message->phone_event);
      break;

    case SP_XIVO_MESSAGE_CURRENT_CALLS:
      g_string_append_printf (run->out, ", %u call(s)\n", message->phone_events->len);
      for (guint i = 0; i < message->phone_events->len; i++)
        {
          g_string_append (run->out, "  listed");
          describe_phone_event (run->out, g_ptr_array_index (message->phone_events, i));
          g_string_append_c (run->out, '\n');
        }
      run->to_calls = TRUE;
      sp_xivo_calls_resync (calls, message->phone_events);
      break;

    case SP_XIVO_MESSAGE_AGENT_STATE:
      g_string_append_c (run->out, '\n');
      apply_agent_state (run, agent, message->agent_state);
      break;

    case SP_XIVO_MESSAGE_LOGGED_ON:
    case SP_XIVO_MESSAGE_LOGGED_ON_ERROR:
    case SP_XIVO_MESSAGE_LINK_STATUS:
    case SP_XIVO_MESSAGE_ERROR:
    case SP_XIVO_MESSAGE_USER_CONFIG:
    case SP_XIVO_MESSAGE_QUEUES:
    case SP_XIVO_MESSAGE_OTHER:
    default:
      /* The source's own business: neither the calls nor the agent see it. */
      g_string_append (run->out, ": not for the mapping\n");
      break;
    }
}

static void
configure_account (SpAccount  *account,
                   JsonObject *options)
{
  GSettings *settings = sp_account_get_settings (account);

  if (json_object_has_member (options, "extensions"))
    {
      JsonArray *array = json_object_get_array_member (options, "extensions");
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) extensions = NULL;

      for (guint i = 0; i < json_array_get_length (array); i++)
        g_strv_builder_add (builder, json_array_get_string_element (array, i));
      extensions = g_strv_builder_end (builder);
      g_settings_set_strv (settings, "extensions", (const char * const *) extensions);
    }

  if (json_object_has_member (options, "show-unaddressed"))
    g_settings_set_boolean (settings, "show-unaddressed",
                            json_object_get_boolean_member (options, "show-unaddressed"));

  if (json_object_has_member (options, "ring-timeout"))
    g_settings_set_uint (settings, "ring-timeout",
                         (guint) json_object_get_int_member (options, "ring-timeout"));
}

static void
describe_live (Run         *run,
               SpXivoCalls *calls)
{
  g_autofree const char **ids = NULL;
  guint n = 0;
  guint live = 0;

  g_string_append_printf (run->out, "live: %u\n", sp_xivo_calls_get_n_live (calls));

  ids = sorted_keys (run->seen, &n);
  for (guint i = 0; i < n; i++)
    {
      const char *unique_id = NULL;

      if (!sp_xivo_calls_lookup (calls, ids[i], &unique_id))
        continue;

      live++;
      g_string_append_printf (run->out, "  %s on leg %s\n", ids[i],
                              unique_id ? unique_id : "(none)");
    }

  /* Every live call was in an event: the mapping keeps no call it did not speak of. */
  g_assert_cmpuint (live, ==, sp_xivo_calls_get_n_live (calls));
}

static char *
describe_run (const char *data,
              gsize       length)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(SpAccount) account = sp_account_new_transient (ACCOUNT_ID, "xivo", "XiVO");
  g_autoptr(SpXivoCalls) calls = NULL;
  g_auto(SpXivoAgent) agent = { 0, };
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  GString *out = g_string_new (NULL);
  Run run = { out, seen, FALSE, 0 };
  JsonObject *root;
  JsonArray *steps;

  json_parser_load_from_data (parser, data, (gssize) length, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_nonnull (root);

  if (json_object_has_member (root, "account"))
    configure_account (account, json_object_get_object_member (root, "account"));
  calls = sp_xivo_calls_new (account, record_event, &run);

  steps = json_object_get_array_member (root, "steps");
  g_assert_nonnull (steps);

  for (guint i = 0; i < json_array_get_length (steps); i++)
    {
      JsonNode *step = json_array_get_element (steps, i);

      g_string_append_printf (out, "#%u ", i + 1);
      run.emitted = 0;
      run.to_calls = FALSE;

      if (JSON_NODE_HOLDS_VALUE (step))
        {
          g_assert_cmpstr (json_node_get_string (step), ==, "stop");
          g_string_append (out, "stop\n");
          run.to_calls = TRUE;
          sp_xivo_calls_forget (calls);
        }
      else
        {
          run_message (&run, calls, &agent, step);
        }

      if (run.to_calls && run.emitted == 0)
        g_string_append (out, "  (no call event)\n");
    }

  describe_live (&run, calls);

  return g_string_free (out, FALSE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  sp_test_add_data_cases ("/xivo/calls", "xivo-calls", describe_run, SP_TEST_DATA_NONE, 10);

  return g_test_run ();
}
