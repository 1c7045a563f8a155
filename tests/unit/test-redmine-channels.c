/* test-redmine-channels.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The redmine_rt subscriptions without a server (sp-redmine-channels.c): which channels an
 * account listens to, the answers to the subscriptions, the fall-back to the other channel
 * class and what the connection does after each step. Data-driven: each
 * tests/data/redmine-channels/NAME.json is an account (its login, its extra channels, the
 * channel class it starts with) and a sequence of events as the source feeds them, and
 * NAME.expected what the subscriptions make of them, step by step: the frames to send,
 * the step the connection takes, the class in use and the detail the window shows.
 * (SP_TEST_REGENERATE=1 rewrites the .expected files, for review with git diff.)
 *
 * The events, in "steps":
 *   "welcome"                  the server's welcome: subscribe to every channel again
 *   "timeout"                  the confirmation wait is over, after frames from the server
 *   "timeout-silent"           the same, with not a single frame since subscribing
 *   {"confirm": NAME}          confirm_subscription for channel NAME; "class" names the
 *   {"reject": NAME}           channel class of the identifier (the one in use without it),
 *   {"broadcast": NAME}        "identifier" gives the identifier as it comes, instead
 *
 * As the source does, a welcome subscribes, and so does a step that says "retry".
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "sp-actioncable.h"
#include "sp-redmine-channels.h"
#include "sp-test-util.h"

static void
append_frames (GString   *out,
               GPtrArray *frames)
{
  for (guint i = 0; i < frames->len; i++)
    g_string_append_printf (out, "  send: %s\n", (const char *) g_ptr_array_index (frames, i));
}

static void
subscribe (GString            *out,
           SpRedmineChannels  *channels,
           const char * const *names)
{
  g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func (g_free);

  sp_redmine_channels_subscribe (channels, names, frames);
  append_frames (out, frames);
}

/* The identifier an event is about: as given, or the one we send for the channel; and
 * how the step is printed. */
static char *
dup_identifier (SpRedmineChannels  *channels,
                JsonObject         *step,
                const char         *name,
                char              **label)
{
  const char *channel_class = sp_redmine_channels_get_class (channels);

  if (json_object_has_member (step, "identifier"))
    {
      const char *identifier = json_object_get_string_member (step, "identifier");

      *label = g_strdup (identifier);
      return g_strdup (identifier);
    }

  if (json_object_has_member (step, "class"))
    channel_class = json_object_get_string_member (step, "class");

  *label = g_strdup_printf ("%s (%s)", name, channel_class);
  return sp_actioncable_identifier_new (channel_class, name);
}

static void
play_step (GString            *out,
           SpRedmineChannels  *channels,
           const char * const *names,
           JsonNode           *node)
{
  g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *identifier = NULL;
  g_autofree char *label = NULL;
  g_autofree char *detail = NULL;
  SpRedmineChannelsStep step;
  JsonObject *object;
  const char *event;
  const char *name;

  if (JSON_NODE_HOLDS_VALUE (node))
    {
      event = json_node_get_string (node);
      g_assert_nonnull (event);
      g_string_append_printf (out, "> %s\n", event);

      if (g_str_equal (event, "welcome"))
        {
          sp_redmine_channels_reset (channels);
          subscribe (out, channels, names);
          return;
        }

      g_assert_true (g_str_equal (event, "timeout") || g_str_equal (event, "timeout-silent"));
      step = sp_redmine_channels_timeout (channels, g_str_equal (event, "timeout"));
      g_string_append_printf (out, "  step: %s\n", sp_redmine_channels_step_to_string (step));
      if (step == SP_REDMINE_CHANNELS_RETRY)
        {
          g_string_append_printf (out, "  class: %s\n", sp_redmine_channels_get_class (channels));
          subscribe (out, channels, names);
        }
      return;
    }

  object = json_node_get_object (node);
  if (json_object_has_member (object, "confirm"))
    event = "confirm";
  else if (json_object_has_member (object, "reject"))
    event = "reject";
  else
    event = "broadcast";

  name = json_object_get_string_member_with_default (object, event, NULL);
  identifier = dup_identifier (channels, object, name, &label);
  g_string_append_printf (out, "> %s %s\n", event, label);

  if (g_str_equal (event, "broadcast"))
    {
      const char *channel = sp_redmine_channels_lookup (channels, identifier);

      g_string_append_printf (out, "  channel: %s\n",
                              channel != NULL ? channel : "(none: ignored)");
      return;
    }

  if (g_str_equal (event, "confirm"))
    step = sp_redmine_channels_confirm (channels, identifier, frames);
  else
    step = sp_redmine_channels_reject (channels, identifier);

  append_frames (out, frames);
  g_string_append_printf (out, "  step: %s\n", sp_redmine_channels_step_to_string (step));
  g_string_append_printf (out, "  class: %s\n", sp_redmine_channels_get_class (channels));
  detail = sp_redmine_channels_dup_detail (channels);
  g_string_append_printf (out, "  detail: %s\n", detail[0] != '\0' ? detail : "(none)");
}

static char *
describe_exchange (const char *data,
                   gsize       length)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(SpRedmineChannels) channels = NULL;
  g_autoptr(GPtrArray) extra = g_ptr_array_new ();
  g_auto(GStrv) names = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *joined = NULL;
  JsonObject *root;
  JsonArray *steps;
  GString *out = g_string_new (NULL);

  json_parser_load_from_data (parser, data, length, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));

  if (json_object_has_member (root, "channels"))
    {
      JsonArray *array = json_object_get_array_member (root, "channels");

      for (guint i = 0; i < json_array_get_length (array); i++)
        g_ptr_array_add (extra, (gpointer) json_array_get_string_element (array, i));
    }
  g_ptr_array_add (extra, NULL);

  names = sp_redmine_channel_names (json_object_get_string_member (root, "login"),
                                    (const char * const *) extra->pdata);
  joined = g_strjoinv (", ", names);
  g_string_append_printf (out, "channels: %s\n", joined);

  channels = sp_redmine_channels_new ("test",
                                      json_object_get_string_member_with_default (root, "class",
                                                                                  NULL));
  g_string_append_printf (out, "class: %s\n", sp_redmine_channels_get_class (channels));

  steps = json_object_get_array_member (root, "steps");
  for (guint i = 0; i < json_array_get_length (steps); i++)
    play_step (out, channels, (const char * const *) names, json_array_get_element (steps, i));

  return g_string_free (out, FALSE);
}

/* What a data file cannot hold: an extra channel that is not UTF-8 is skipped. */
static void
test_names_not_utf8 (void)
{
  const char * const extra[] = { "pbx", "caf\xe9", " \t", "sales", NULL };
  g_auto(GStrv) names = sp_redmine_channel_names ("bob", extra);
  const char * const expected[] = { "user:bob", "general", "pbx", "sales", NULL };

  g_assert_cmpstrv (names, expected);
}

/* An account without extra channels listens to its own and to general. */
static void
test_names_no_extra (void)
{
  g_auto(GStrv) names = sp_redmine_channel_names ("alice", NULL);
  const char * const expected[] = { "user:alice", "general", NULL };

  g_assert_cmpstrv (names, expected);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  sp_test_add_data_cases ("/redmine-channels", "redmine-channels", describe_exchange,
                          SP_TEST_DATA_NONE, 10);

  g_test_add_func ("/redmine-channels/names-not-utf8", test_names_not_utf8);
  g_test_add_func ("/redmine-channels/names-no-extra", test_names_no_extra);

  return g_test_run ();
}
