/* test-redmine-parse.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "sp-actioncable.h"
#include "sp-redmine-command.h"
#include "sp-test-util.h"

/* Escapes @text onto one line: quotes, backslashes and control characters are escaped,
 * UTF-8 is kept readable. */
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

/* Renders a command tree as indented text, so that a fixture's expected result is a plain
 * file that a person can read and review. */
static void
dump_command (GString          *out,
              SpRedmineCommand *command,
              guint             indent)
{
  const char *name = sp_redmine_command_get_name (command);
  g_autofree char *pad2 = g_strnfill (indent * 2 + 2, ' ');

  g_string_append (out, sp_redmine_command_kind_to_string (sp_redmine_command_get_kind (command)));
  if (sp_redmine_command_get_kind (command) == SP_REDMINE_COMMAND_NONE && name != NULL)
    {
      g_autofree char *escaped = escape_text (name);
      g_string_append_printf (out, " (%s)", escaped);
    }
  g_string_append_c (out, '\n');

  switch (sp_redmine_command_get_kind (command))
    {
    case SP_REDMINE_COMMAND_OPEN_URL:
      {
        g_autofree char *url = escape_text (sp_redmine_command_get_url (command));
        g_string_append_printf (out, "%surl: %s\n", pad2, url);
      }
      break;

    case SP_REDMINE_COMMAND_SHOW_NOTIFICATION:
      {
        g_autofree char *title = escape_text (sp_redmine_command_get_title (command));
        g_autofree char *message = escape_text (sp_redmine_command_get_message (command));
        const char *icon = sp_redmine_command_get_icon_url (command);

        g_string_append_printf (out, "%stitle: %s\n", pad2, title);
        g_string_append_printf (out, "%smessage: %s\n", pad2, message);
        g_string_append_printf (out, "%sicon: %s\n", pad2, icon != NULL ? icon : "(none)");
        g_string_append_printf (out, "%sempty: %s\n", pad2,
                                sp_redmine_command_is_empty (command) ? "yes" : "no");

        for (guint i = 0; i < sp_redmine_command_get_n_buttons (command); i++)
          {
            SpRedmineCommand *button = sp_redmine_command_get_button (command, i);
            g_autofree char *label = escape_text (sp_redmine_command_get_button_title (button));

            g_string_append_printf (out, "%sbutton %u \"%s\": ", pad2, i, label);
            dump_command (out, button, indent + 1);
          }
      }
      break;

    case SP_REDMINE_COMMAND_POST_MSG:
      {
        g_autofree char *channel = escape_text (sp_redmine_command_get_channel_name (command));
        g_autofree char *msg = sp_redmine_command_dup_msg_json (command);

        g_string_append_printf (out, "%schannel: %s\n", pad2, channel);
        g_string_append_printf (out, "%smsg: %s\n", pad2, msg);
      }
      break;

    case SP_REDMINE_COMMAND_NONE:
    default:
      break;
    }
}

static const char *
error_code_name (const GError *error)
{
  if (error->domain == SP_ACTIONCABLE_ERROR)
    {
      switch ((SpActioncableError) error->code)
        {
        case SP_ACTIONCABLE_ERROR_MALFORMED:
          return "actioncable-malformed";
        case SP_ACTIONCABLE_ERROR_TOO_LARGE:
          return "actioncable-too-large";
        case SP_ACTIONCABLE_ERROR_INVALID_URL:
          return "actioncable-invalid-url";
        default:
          break;
        }
    }
  else if (error->domain == SP_REDMINE_COMMAND_ERROR)
    {
      switch ((SpRedmineCommandError) error->code)
        {
        case SP_REDMINE_COMMAND_ERROR_NOT_A_COMMAND:
          return "not-a-command";
        case SP_REDMINE_COMMAND_ERROR_UNKNOWN:
          return "unknown";
        case SP_REDMINE_COMMAND_ERROR_INVALID:
          return "invalid";
        case SP_REDMINE_COMMAND_ERROR_FORM_DATA:
          return "form-data";
        default:
          break;
        }
    }

  return "other";
}

/* The text a fixture's .expected file holds for @data: the command tree, or the error. */
static char *
describe_parse (const char *data,
                gsize       length)
{
  g_autoptr(SpRedmineCommand) command = NULL;
  g_autoptr(GError) error = NULL;
  GString *out = g_string_new (NULL);

  command = sp_redmine_command_parse (data, length, &error);
  if (command == NULL)
    {
      g_assert_nonnull (error);
      g_string_append_printf (out, "error %s: %s\n", error_code_name (error), error->message);
    }
  else
    {
      g_assert_no_error (error);
      dump_command (out, command, 0);
    }

  return g_string_free (out, FALSE);
}

/* One test case per fixture in tests/data/redmine/commands/: NAME.json is a broadcast
 * message as it arrives, NAME.expected what the validator must make of it. */
/* The four examples of the redmine_rt webextension's README, checked field by field through
 * the API rather than through a dump. */
static void
test_readme_answer_call (void)
{
  const char *text =
    "{\"command\":\"show_notification\",\"data\":{\"title\":\"Call from Pablo Picasso\","
    "\"message\":\"Impatient customer. Hurry up!\","
    "\"imageUrl\":\"https://example.org/picasso.jpg\","
    "\"buttons\":[{\"title\":\"Answer call\",\"command\":\"post_msg\","
    "\"data\":{\"channel_name\":\"pbx\",\"msg\":{\"command\":\"answer\","
    "\"data\":{\"call_uuid\":\"3f1c-77aa\"}}}}]},"
    "\"controller\":\"channels\",\"action\":\"post_msg\",\"format\":\"json\"}";
  g_autoptr(SpRedmineCommand) command = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  SpRedmineCommand *button;
  JsonObject *msg;

  command = sp_redmine_command_parse (text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_nonnull (command);

  g_assert_cmpint (sp_redmine_command_get_kind (command), ==,
                   SP_REDMINE_COMMAND_SHOW_NOTIFICATION);
  g_assert_cmpstr (sp_redmine_command_get_name (command), ==, "show_notification");
  g_assert_null (sp_redmine_command_get_button_title (command));
  g_assert_cmpstr (sp_redmine_command_get_title (command), ==, "Call from Pablo Picasso");
  g_assert_cmpstr (sp_redmine_command_get_message (command), ==,
                   "Impatient customer. Hurry up!");
  /* imageUrl stands in for a missing iconUrl. */
  g_assert_cmpstr (sp_redmine_command_get_icon_url (command), ==,
                   "https://example.org/picasso.jpg");
  g_assert_false (sp_redmine_command_is_empty (command));
  g_assert_null (sp_redmine_command_get_url (command));
  g_assert_null (sp_redmine_command_get_msg (command));
  g_assert_null (sp_redmine_command_dup_msg_json (command));
  g_assert_cmpuint (sp_redmine_command_get_n_buttons (command), ==, 1);

  button = sp_redmine_command_get_button (command, 0);
  g_assert_cmpint (sp_redmine_command_get_kind (button), ==, SP_REDMINE_COMMAND_POST_MSG);
  g_assert_cmpstr (sp_redmine_command_get_button_title (button), ==, "Answer call");
  g_assert_cmpstr (sp_redmine_command_get_channel_name (button), ==, "pbx");
  g_assert_cmpuint (sp_redmine_command_get_n_buttons (button), ==, 0);

  msg = json_node_get_object (sp_redmine_command_get_msg (button));
  g_assert_cmpstr (json_object_get_string_member (msg, "command"), ==, "answer");
  body = sp_redmine_command_dup_msg_json (button);
  g_assert_cmpstr (body, ==, "{\"command\":\"answer\",\"data\":{\"call_uuid\":\"3f1c-77aa\"}}");
}

/* A button command outlives the notification's tree when referenced on its own, as the
 * notifier does for the duration of a notification. */
static void
test_refcount (void)
{
  const char *text =
    "{\"command\":\"show_notification\",\"data\":{\"title\":\"t\",\"buttons\":["
    "{\"title\":\"Open\",\"command\":\"open_url\",\"data\":{\"url\":\"https://e.org/1\"}}]}}";
  g_autoptr(SpRedmineCommand) command = NULL;
  g_autoptr(SpRedmineCommand) button = NULL;
  gpointer copy;

  command = sp_redmine_command_parse (text, strlen (text), NULL);
  g_assert_nonnull (command);

  button = sp_redmine_command_ref (sp_redmine_command_get_button (command, 0));
  g_clear_pointer (&command, sp_redmine_command_unref);
  g_assert_cmpstr (sp_redmine_command_get_url (button), ==, "https://e.org/1");

  g_assert_true (G_TYPE_IS_BOXED (SP_TYPE_REDMINE_COMMAND));
  copy = g_boxed_copy (SP_TYPE_REDMINE_COMMAND, button);
  g_assert_true (copy == (gpointer) button);
  g_boxed_free (SP_TYPE_REDMINE_COMMAND, copy);
}

static void
test_non_object_message (void)
{
  const char *values[] = { "[1,2]", "\"open_url\"", "42", "null", "true" };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(JsonNode) node = json_from_string (values[i], NULL);
      g_autoptr(SpRedmineCommand) command = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_nonnull (node);
      command = sp_redmine_command_new_from_json (node, &error);
      g_assert_null (command);
      g_assert_error (error, SP_REDMINE_COMMAND_ERROR, SP_REDMINE_COMMAND_ERROR_INVALID);

      /* As text, the frame-level reader refuses it first. */
      g_clear_error (&error);
      command = sp_redmine_command_parse (values[i], strlen (values[i]), &error);
      g_assert_null (command);
      g_assert_error (error, SP_ACTIONCABLE_ERROR, SP_ACTIONCABLE_ERROR_MALFORMED);
    }
}

/* A 5 MB message, as in the test list: refused by size before any parsing. */
static void
test_huge_message (void)
{
  gsize size = 5 * 1024 * 1024;
  GString *text = g_string_sized_new (size + 100);
  g_autoptr(SpRedmineCommand) command = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize length;

  g_string_append (text, "{\"command\":\"show_notification\",\"data\":{\"title\":\"big\","
                         "\"message\":\"");
  while (text->len < size)
    g_string_append (text, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
  g_string_append (text, "\"}}");
  length = text->len;
  data = g_string_free (text, FALSE);

  command = sp_redmine_command_parse (data, length, &error);
  g_assert_null (command);
  g_assert_error (error, SP_ACTIONCABLE_ERROR, SP_ACTIONCABLE_ERROR_TOO_LARGE);
}

/* A message under the frame limit whose message text is over the per-field limit. */
static void
test_long_fields (void)
{
  g_autofree char *filler = g_strnfill (SP_REDMINE_COMMAND_MAX_TEXT + 1, 'm');
  g_autofree char *long_title = g_strnfill (SP_REDMINE_COMMAND_MAX_TITLE + 1, 't');
  g_autofree char *ok_title = g_strnfill (SP_REDMINE_COMMAND_MAX_TITLE, 't');
  g_autofree char *long_url = g_strnfill (SP_REDMINE_COMMAND_MAX_URL, 'u');
  struct {
    char *text;
    gboolean ok;
  } cases[] = {
    { g_strdup_printf ("{\"command\":\"show_notification\",\"data\":{\"message\":\"%s\"}}",
                       filler), FALSE },
    { g_strdup_printf ("{\"command\":\"show_notification\",\"data\":{\"title\":\"%s\"}}",
                       long_title), FALSE },
    { g_strdup_printf ("{\"command\":\"show_notification\",\"data\":{\"title\":\"%s\"}}",
                       ok_title), TRUE },
    { g_strdup_printf ("{\"command\":\"open_url\",\"data\":{\"url\":\"https://e.org/%s\"}}",
                       long_url), FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SpRedmineCommand) command = NULL;
      g_autoptr(GError) error = NULL;

      command = sp_redmine_command_parse (cases[i].text, strlen (cases[i].text), &error);
      if (cases[i].ok)
        {
          g_assert_no_error (error);
          g_assert_nonnull (command);
        }
      else
        {
          g_assert_error (error, SP_REDMINE_COMMAND_ERROR, SP_REDMINE_COMMAND_ERROR_INVALID);
          g_assert_null (command);
          /* The message names the field, never its value. */
          g_assert_null (strstr (error->message, "mmmm"));
          g_assert_null (strstr (error->message, "tttt"));
          g_assert_null (strstr (error->message, "uuuu"));
        }
      g_free (cases[i].text);
    }
}

/* Builds a notification whose buttons nest @levels notifications deep in all. */
static char *
nested_notification (guint levels)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < levels; i++)
    {
      if (i == 0)
        g_string_append (text, "{\"command\":\"show_notification\",\"data\":{\"title\":\"L0\"");
      else
        g_string_append_printf (text, ",\"buttons\":[{\"title\":\"b%u\","
                                      "\"command\":\"show_notification\","
                                      "\"data\":{\"title\":\"L%u\"", i, i);
    }
  for (guint i = levels; i > 0; i--)
    g_string_append (text, i == 1 ? "}}" : "}}]");

  return g_string_free (text, FALSE);
}

static void
test_button_depth (void)
{
  g_autofree char *ok = nested_notification (SP_REDMINE_COMMAND_MAX_DEPTH);
  g_autofree char *too_deep = nested_notification (SP_REDMINE_COMMAND_MAX_DEPTH + 1);
  g_autoptr(SpRedmineCommand) command = NULL;
  g_autoptr(GError) error = NULL;
  SpRedmineCommand *level;
  guint depth = 1;

  command = sp_redmine_command_parse (ok, strlen (ok), &error);
  g_assert_no_error (error);
  g_assert_nonnull (command);

  for (level = command; sp_redmine_command_get_n_buttons (level) > 0;
       level = sp_redmine_command_get_button (level, 0))
    depth++;
  g_assert_cmpuint (depth, ==, SP_REDMINE_COMMAND_MAX_DEPTH);
  g_assert_cmpstr (sp_redmine_command_get_title (level), ==, "L7");
  g_clear_pointer (&command, sp_redmine_command_unref);

  command = sp_redmine_command_parse (too_deep, strlen (too_deep), &error);
  g_assert_null (command);
  g_assert_error (error, SP_REDMINE_COMMAND_ERROR, SP_REDMINE_COMMAND_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "deeper"));
}

/* JSON nested far deeper than any command: refused by the reader, without recursion. */
static void
test_deep_json (void)
{
  guint levels = 200000;
  GString *text = g_string_new ("{\"command\":\"post_msg\",\"data\":{\"channel_name\":\"x\","
                                "\"msg\":{\"a\":");
  g_autoptr(SpRedmineCommand) command = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < levels; i++)
    g_string_append_c (text, '[');
  for (guint i = 0; i < levels; i++)
    g_string_append_c (text, ']');
  g_string_append (text, "}}}");

  command = sp_redmine_command_parse (text->str, text->len, &error);
  g_assert_null (command);
  g_assert_error (error, SP_ACTIONCABLE_ERROR, SP_ACTIONCABLE_ERROR_MALFORMED);
  g_string_free (text, TRUE);
}

static void
test_too_many_buttons (void)
{
  GString *text = g_string_new ("{\"command\":\"show_notification\",\"data\":{\"title\":\"t\","
                                "\"buttons\":[");
  g_autoptr(SpRedmineCommand) command = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i <= SP_REDMINE_COMMAND_MAX_BUTTONS; i++)
    g_string_append_printf (text, "%s{\"title\":\"b%u\"}", i > 0 ? "," : "", i);
  g_string_append (text, "]}}");

  command = sp_redmine_command_parse (text->str, text->len, &error);
  g_assert_null (command);
  g_assert_error (error, SP_REDMINE_COMMAND_ERROR, SP_REDMINE_COMMAND_ERROR_INVALID);
  g_string_free (text, TRUE);
}

/* The API key a poster leaks with ?key= arrives in the message; it must not be kept and
 * must not show up in an error. */
static void
test_key_never_kept (void)
{
  const char *texts[] = {
    "{\"key\":\"k-secret-123\",\"command\":\"open_url\",\"data\":{\"url\":\"https://e.org\"},"
    "\"controller\":\"channels\",\"action\":\"post_msg\",\"format\":\"json\"}",
    "{\"key\":\"k-secret-123\",\"command\":\"open_url\",\"data\":{}}",
    "{\"key\":\"k-secret-123\",\"command\":\"dial\"}",
    "{\"key\":\"k-secret-123\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(SpRedmineCommand) command = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *description = describe_parse (texts[i], strlen (texts[i]));

      g_assert_null (strstr (description, "k-secret"));
      command = sp_redmine_command_parse (texts[i], strlen (texts[i]), &error);
      if (i == 0)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (sp_redmine_command_get_url (command), ==, "https://e.org");
        }
      else if (i == 2)
        {
          g_assert_error (error, SP_REDMINE_COMMAND_ERROR, SP_REDMINE_COMMAND_ERROR_UNKNOWN);
        }
      else
        {
          g_assert_nonnull (error);
          g_assert_null (strstr (error->message, "k-secret"));
        }
    }
}

static void
test_channel_encode (void)
{
  const struct {
    const char *name;
    const char *encoded;
  } cases[] = {
    { "pbx", "pbx" },
    { "general", "general" },
    { "user:bob", "user%3Abob" },
    { "user:john.doe", "user%3Ajohn%2Edoe" },
    { "a/b", "a%2Fb" },
    { "queue:support desk", "queue%3Asupport%20desk" },
    { "x+y@z?#&=%", "x%2By%40z%3F%23%26%3D%25" },
    { "under_score-dash~tilde", "under_score-dash~tilde" },
    { "café", "caf%C3%A9" },
    { "..", "%2E%2E" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *encoded = sp_redmine_channel_name_encode (cases[i].name);
      g_autofree char *decoded = NULL;

      g_assert_cmpstr (encoded, ==, cases[i].encoded);
      /* No raw dot ever reaches the path, and decoding gives the name back. */
      g_assert_null (strchr (encoded, '.'));
      decoded = g_uri_unescape_string (encoded, NULL);
      g_assert_cmpstr (decoded, ==, cases[i].name);
    }
}

static void
test_urls (void)
{
  const struct {
    const char *base;
    const char *channel;
    const char *post_url;
    const char *user_url;
  } cases[] = {
    { "http://127.0.0.1:3000", "pbx",
      "http://127.0.0.1:3000/channels/pbx/post_msg.json",
      "http://127.0.0.1:3000/users/current.json" },
    { "https://redmine.example/", "user:john.doe",
      "https://redmine.example/channels/user%3Ajohn%2Edoe/post_msg.json",
      "https://redmine.example/users/current.json" },
    { " https://host/redmine/ ", "general",
      "https://host/redmine/channels/general/post_msg.json",
      "https://host/redmine/users/current.json" },
    { "HTTPS://host:8443/a/b", "a/b",
      "https://host:8443/a/b/channels/a%2Fb/post_msg.json",
      "https://host:8443/a/b/users/current.json" },
  };
  const char *bad_bases[] = {
    "ftp://host", "host/redmine", "https://", "https://u:p@host", "https://host/?x=1",
    "https://host/#f", "", "javascript:alert(1)",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *post_url = sp_redmine_post_msg_url (cases[i].base, cases[i].channel,
                                                           &error);
      g_autofree char *user_url = NULL;

      g_assert_no_error (error);
      g_assert_cmpstr (post_url, ==, cases[i].post_url);

      user_url = sp_redmine_current_user_url (cases[i].base, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (user_url, ==, cases[i].user_url);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad_bases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = sp_redmine_post_msg_url (bad_bases[i], "pbx", &error);

      g_assert_null (url);
      g_assert_error (error, SP_ACTIONCABLE_ERROR, SP_ACTIONCABLE_ERROR_INVALID_URL);
      /* A password in the URL is never repeated. */
      g_assert_null (strstr (error->message, "u:p"));
    }

  {
    g_autoptr(GError) error = NULL;
    g_autofree char *url = sp_redmine_post_msg_url ("https://host", "", &error);

    g_assert_null (url);
    g_assert_error (error, SP_ACTIONCABLE_ERROR, SP_ACTIONCABLE_ERROR_INVALID_URL);
  }
}

static void
test_user_parse (void)
{
  const char *good =
    "{\"user\":{\"id\":6,\"login\":\"john.doe\",\"admin\":false,\"firstname\":\"John\","
    "\"lastname\":\"Doe\",\"mail\":\"john.doe@example.org\","
    "\"created_on\":\"2024-01-01T00:00:00Z\",\"api_key\":\"k-john\"}}";
  const char *no_key = "{\"user\":{\"id\":5,\"login\":\"bob\"}}";
  const char *bad[] = {
    "{\"user\":{\"id\":5}}",
    "{\"user\":{\"id\":5,\"login\":\"\"}}",
    "{\"user\":{\"id\":5,\"login\":42}}",
    "{\"user\":{\"id\":\"5\",\"login\":\"bob\"}}",
    "{\"user\":{\"login\":\"bo\\nb\"}}",
    "{\"user\":{\"login\":\"bob\",\"api_key\":\"k bob\"}}",
    "{\"user\":[]}",
    "{\"users\":{}}",
    "[]",
    "<html>",
  };
  g_auto(SpRedmineUser) user = { 0, };
  g_autoptr(GError) error = NULL;

  g_assert_true (sp_redmine_user_parse (good, strlen (good), &user, &error));
  g_assert_no_error (error);
  g_assert_cmpint (user.id, ==, 6);
  g_assert_cmpstr (user.login, ==, "john.doe");
  g_assert_cmpstr (user.api_key, ==, "k-john");
  g_assert_cmpstr (user.firstname, ==, "John");
  g_assert_cmpstr (user.lastname, ==, "Doe");
  sp_redmine_user_clear (&user);
  sp_redmine_user_clear (&user);
  g_assert_null (user.login);

  g_assert_true (sp_redmine_user_parse (no_key, strlen (no_key), &user, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (user.login, ==, "bob");
  g_assert_null (user.api_key);
  sp_redmine_user_clear (&user);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) local_error = NULL;

      g_assert_false (sp_redmine_user_parse (bad[i], strlen (bad[i]), &user, &local_error));
      g_assert_nonnull (local_error);
      g_assert_null (user.login);
      g_assert_null (strstr (local_error->message, "k bob"));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  sp_test_add_data_cases ("/redmine-command/fixture", "redmine/commands", describe_parse, SP_TEST_DATA_NONE, 4);
  g_test_add_func ("/redmine-command/readme-answer-call", test_readme_answer_call);
  g_test_add_func ("/redmine-command/refcount", test_refcount);
  g_test_add_func ("/redmine-command/non-object-message", test_non_object_message);
  g_test_add_func ("/redmine-command/huge-message", test_huge_message);
  g_test_add_func ("/redmine-command/long-fields", test_long_fields);
  g_test_add_func ("/redmine-command/button-depth", test_button_depth);
  g_test_add_func ("/redmine-command/deep-json", test_deep_json);
  g_test_add_func ("/redmine-command/too-many-buttons", test_too_many_buttons);
  g_test_add_func ("/redmine-command/key-never-kept", test_key_never_kept);
  g_test_add_func ("/redmine-command/channel-encode", test_channel_encode);
  g_test_add_func ("/redmine-command/urls", test_urls);
  g_test_add_func ("/redmine-command/user-parse", test_user_parse);

  return g_test_run ();
}
