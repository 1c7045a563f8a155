/* fuzz-redmine.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libFuzzer target for the redmine_rt path: an ActionCable text frame goes through the
 * frame classifier, and a broadcast's message through the command validator, exactly as
 * the redmine source will do with what a server sends. The same bytes are also read as a
 * bare message, as a /users/current.json answer and as a channel name, so that one corpus
 * covers every parser of the path.
 */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "fuzz-common.h"
#include "sp-actioncable.h"
#include "sp-redmine-command.h"

int LLVMFuzzerInitialize   (int           *argc,
                            char        ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* A critical or a warning is a bug the fuzzer should stop on, as in the unit tests. */
int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init (argc, argv);
  return 0;
}

/* Walks the whole tree through the public accessors, so that every field is read. */
static void
walk_command (SpRedmineCommand *command)
{
  SpRedmineCommandKind kind = sp_redmine_command_get_kind (command);
  const char *text;

  text = sp_redmine_command_kind_to_string (kind);
  g_assert (text != NULL);

  switch (kind)
    {
    case SP_REDMINE_COMMAND_OPEN_URL:
      text = sp_redmine_command_get_url (command);
      g_assert (text != NULL && *text != '\0');
      g_assert (g_utf8_validate (text, -1, NULL));
      break;

    case SP_REDMINE_COMMAND_SHOW_NOTIFICATION:
      g_assert (g_utf8_validate (sp_redmine_command_get_title (command), -1, NULL));
      g_assert (g_utf8_validate (sp_redmine_command_get_message (command), -1, NULL));
      (void) sp_redmine_command_get_icon_url (command);
      (void) sp_redmine_command_is_empty (command);
      for (guint i = 0; i < sp_redmine_command_get_n_buttons (command); i++)
        {
          SpRedmineCommand *button = sp_redmine_command_get_button (command, i);

          g_assert (sp_redmine_command_get_button_title (button) != NULL);
          walk_command (button);
        }
      break;

    case SP_REDMINE_COMMAND_POST_MSG:
      {
        g_autofree char *body = sp_redmine_command_dup_msg_json (command);
        g_autofree char *url = NULL;
        g_autoptr(JsonNode) again = NULL;
        g_autoptr(GError) error = NULL;

        /* What we would post must read back through our own strict reader. */
        again = sp_actioncable_parse_object (body, strlen (body), &error);
        g_assert (again != NULL);

        url = sp_redmine_post_msg_url ("https://redmine.example/sub",
                                       sp_redmine_command_get_channel_name (command), NULL);
        g_assert (url != NULL);
        g_assert (g_str_has_suffix (url, "/post_msg.json"));
      }
      break;

    case SP_REDMINE_COMMAND_NONE:
    default:
      break;
    }
}

static void
fuzz_frame (const char *text,
            gsize       length)
{
  g_autoptr(SpActioncableFrame) frame = NULL;
  g_autoptr(GError) error = NULL;

  frame = sp_actioncable_frame_parse (text, length, &error);
  if (frame == NULL)
    {
      g_assert (error != NULL && error->domain == SP_ACTIONCABLE_ERROR);
      return;
    }

  (void) sp_actioncable_frame_type_to_string (frame->type);

  if (frame->type == SP_ACTIONCABLE_FRAME_MESSAGE)
    {
      g_autoptr(SpRedmineCommand) command = NULL;
      g_autoptr(GError) command_error = NULL;

      g_assert (frame->identifier != NULL);
      command = sp_redmine_command_new_from_json (frame->message, &command_error);
      if (command != NULL)
        walk_command (command);
      else
        g_assert (command_error != NULL && command_error->domain == SP_REDMINE_COMMAND_ERROR);
    }
}

static void
fuzz_message_and_user (const char *text,
                       gsize       length)
{
  g_autoptr(SpRedmineCommand) command = NULL;
  g_auto(SpRedmineUser) user = { 0, };

  command = sp_redmine_command_parse (text, length, NULL);
  if (command != NULL)
    walk_command (command);

  if (sp_redmine_user_parse (text, length, &user, NULL))
    g_assert (user.login != NULL && *user.login != '\0');
}

/* Short valid UTF-8 inputs double as channel names and base URLs. */
static void
fuzz_names (const char *text,
            gsize       length)
{
  g_autofree char *name = NULL;
  g_autofree char *encoded = NULL;
  g_autofree char *decoded = NULL;
  g_autofree char *identifier = NULL;
  g_autofree char *subscribe = NULL;
  g_autofree char *cable = NULL;
  g_autoptr(JsonNode) parsed = NULL;
  JsonObject *object;

  if (length > FUZZ_MAX_INPUT || !g_utf8_validate (text, length, NULL))
    return;
  name = g_strndup (text, length);

  encoded = sp_redmine_channel_name_encode (name);
  g_assert (strchr (encoded, '.') == NULL);
  decoded = g_uri_unescape_string (encoded, NULL);
  g_assert (decoded != NULL && strcmp (decoded, name) == 0);

  /* The identifier we send reads back as the same name, and a confirm echoing it matches. */
  identifier = sp_actioncable_identifier_new ("Channel", name);
  parsed = sp_actioncable_parse_object (identifier, strlen (identifier), NULL);
  g_assert (parsed != NULL);
  object = json_node_get_object (parsed);
  g_assert (strcmp (json_object_get_string_member (object, "name"), name) == 0);

  subscribe = sp_actioncable_subscribe_new (identifier);
  g_clear_pointer (&parsed, json_node_unref);
  parsed = sp_actioncable_parse_object (subscribe, strlen (subscribe), NULL);
  g_assert (parsed != NULL);
  object = json_node_get_object (parsed);
  g_assert (strcmp (json_object_get_string_member (object, "identifier"), identifier) == 0);

  cable = sp_actioncable_cable_url (name, NULL);
  if (cable != NULL)
    g_assert (g_str_has_prefix (cable, "ws://") || g_str_has_prefix (cable, "wss://"));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  /* The replay driver hands an empty input over as NULL. */
  const char *text = data != NULL ? (const char *) data : "";

  fuzz_frame (text, size);
  fuzz_message_and_user (text, size);
  fuzz_names (text, size);

  return 0;
}
