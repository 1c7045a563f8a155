/* test-popup-notifier-calls.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What popup-notifier CALL_INs mean for an account, without a server
 * (sp-popup-notifier-calls.c). Data-driven: each tests/data/popup-notifier-calls/NAME.json
 * is an account's settings and a sequence of CALL_INs as the source receives them after
 * parsing, and NAME.expected the SpCallEvents they make, as readable text.
 * (SP_TEST_REGENERATE=1 rewrites the .expected files, for review with git diff.)
 *
 *   "account":  the account's settings before the first event: "extensions" (a list),
 *               "show-unaddressed" (a boolean), "ring-timeout" (seconds); unset ones keep
 *               the schema's default
 *   "events":   in order, each one of
 *               {"phone": P, "exten": E, "at": S}   a CALL_IN (no "exten": the frame named
 *                                                   none), received S seconds after the
 *                                                   start (the event's index without "at")
 *               {"account": {…}}                    the account's settings change
 *               "reconnect"                         the connection ended and came back
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "sp-account.h"
#include "sp-popup-notifier-calls.h"
#include "sp-test-util.h"

/* The receive time of the first event, in seconds since the epoch. */
#define START 1700000000

static void
apply_settings (GString    *out,
                SpAccount  *account,
                JsonObject *object)
{
  GSettings *settings = sp_account_get_settings (account);
  g_auto(GStrv) extensions = NULL;
  g_autofree char *joined = NULL;

  if (json_object_has_member (object, "extensions"))
    {
      JsonArray *array = json_object_get_array_member (object, "extensions");
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      for (guint i = 0; i < json_array_get_length (array); i++)
        g_strv_builder_add (builder, json_array_get_string_element (array, i));
      extensions = g_strv_builder_end (builder);
      g_settings_set_strv (settings, "extensions", (const char * const *) extensions);
      g_clear_pointer (&extensions, g_strfreev);
    }

  if (json_object_has_member (object, "show-unaddressed"))
    g_settings_set_boolean (settings, "show-unaddressed",
                            json_object_get_boolean_member (object, "show-unaddressed"));

  if (json_object_has_member (object, "ring-timeout"))
    g_settings_set_uint (settings, "ring-timeout",
                         json_object_get_int_member (object, "ring-timeout"));

  extensions = sp_account_dup_extensions (account);
  joined = g_strjoinv (", ", extensions);
  g_string_append_printf (out, "account %s: extensions [%s], show-unaddressed %s, "
                          "ring-timeout %u s\n",
                          sp_account_get_id (account), joined,
                          g_settings_get_boolean (settings, "show-unaddressed") ? "yes" : "no",
                          sp_account_get_ring_timeout (account));
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
describe_event (GString           *out,
                const SpCallEvent *event)
{
  g_string_append_printf (out, "  %s %s (%s, %s)\n", sp_call_event_kind_to_string (event->kind),
                          event->call_id, event->account_id,
                          event->direction == SP_CALL_DIRECTION_INCOMING ? "incoming" : "outgoing");
  append_field (out, "number", event->number);
  append_field (out, "name", event->name);
  append_field (out, "exten", event->exten);
  append_field (out, "queue", event->queue);
  if (event->ring_timeout != 0)
    g_string_append_printf (out, "    ring-timeout: %u s\n", event->ring_timeout);
  if (event->no_end)
    g_string_append (out, "    no-end: the source reports no end; expiry is the end\n");
  g_assert_null (event->vars);
}

static void
play_call_in (GString              *out,
              SpPopupNotifierCalls *calls,
              JsonObject           *object,
              guint                 index)
{
  SpPopupCallIn call_in = { 0 };
  g_autoptr(GPtrArray) events = NULL;
  gint64 at = json_object_get_int_member_with_default (object, "at", index);

  call_in.phone = (char *) json_object_get_string_member (object, "phone");
  call_in.exten = (char *) json_object_get_string_member_with_default (object, "exten", "");

  g_string_append_printf (out, "> at %" G_GINT64_FORMAT " s: CALL_IN from %s for %s\n", at,
                          call_in.phone, call_in.exten[0] ? call_in.exten : "(no extension)");

  events = sp_popup_notifier_calls_call_in (calls, &call_in, (START + at) * G_USEC_PER_SEC);
  if (events->len == 0)
    g_string_append (out, "  (no event: not ours)\n");
  for (guint i = 0; i < events->len; i++)
    describe_event (out, g_ptr_array_index (events, i));
}

static char *
describe_sequence (const char *data,
                   gsize       length)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(SpAccount) account = NULL;
  g_autoptr(SpPopupNotifierCalls) calls = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *root;
  JsonArray *events;
  GString *out = g_string_new (NULL);

  json_parser_load_from_data (parser, data, length, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));

  /* Settings in memory, as --demo's account: nothing of one file reaches the next. */
  account = sp_account_new_transient ("pbx", "popup-notifier", "PBX");
  apply_settings (out, account, json_object_get_object_member (root, "account"));
  calls = sp_popup_notifier_calls_new (account);

  events = json_object_get_array_member (root, "events");
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonNode *node = json_array_get_element (events, i);
      JsonObject *object;

      if (JSON_NODE_HOLDS_VALUE (node))
        {
          g_assert_cmpstr (json_node_get_string (node), ==, "reconnect");
          g_string_append (out, "> reconnect\n");
          sp_popup_notifier_calls_reset (calls);
          continue;
        }

      object = json_node_get_object (node);
      if (json_object_has_member (object, "account"))
        {
          g_string_append (out, "> ");
          apply_settings (out, account, json_object_get_object_member (object, "account"));
          continue;
        }

      play_call_in (out, calls, object, i);
    }

  return g_string_free (out, FALSE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  sp_test_add_data_cases ("/popup-notifier-calls", "popup-notifier-calls", describe_sequence,
                          SP_TEST_DATA_NONE, 8);

  return g_test_run ();
}
