/* sp-redmine-command.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define SP_REDMINE_COMMAND_ERROR (sp_redmine_command_error_quark ())

/**
 * SpRedmineCommandError:
 * @SP_REDMINE_COMMAND_ERROR_NOT_A_COMMAND: the message has no `command` (issue page events,
 *   for instance); ignore it quietly
 * @SP_REDMINE_COMMAND_ERROR_UNKNOWN: the message names a command this client does not know;
 *   log it and ignore it
 * @SP_REDMINE_COMMAND_ERROR_INVALID: the message is a command but its arguments are missing,
 *   of the wrong type or beyond a limit; log it and skip it
 * @SP_REDMINE_COMMAND_ERROR_FORM_DATA: the message has no `command`, but a key that is JSON
 *   text: the sender posted its JSON as a form (`curl -d` without
 *   `Content-Type: application/json`), which Rails turns into a key; tell the user how to
 *   post it
 */
typedef enum
{
  SP_REDMINE_COMMAND_ERROR_NOT_A_COMMAND,
  SP_REDMINE_COMMAND_ERROR_UNKNOWN,
  SP_REDMINE_COMMAND_ERROR_INVALID,
  SP_REDMINE_COMMAND_ERROR_FORM_DATA,
} SpRedmineCommandError;

/* Levels of commands: a notification whose button shows a notification with a button is
 * three levels deep. */
#define SP_REDMINE_COMMAND_MAX_DEPTH 8

/* Buttons of one notification. Notification servers show far fewer. */
#define SP_REDMINE_COMMAND_MAX_BUTTONS 16

/* Limits on strings, in bytes. */
#define SP_REDMINE_COMMAND_MAX_TEXT (64 * 1024)
#define SP_REDMINE_COMMAND_MAX_TITLE 1024
#define SP_REDMINE_COMMAND_MAX_URL 8192
#define SP_REDMINE_COMMAND_MAX_CHANNEL 1024

/**
 * SpRedmineCommandKind:
 * @SP_REDMINE_COMMAND_NONE: only for a button whose `command` is missing or unknown:
 *   clicking it just dismisses the notification, as in the browser extension
 * @SP_REDMINE_COMMAND_OPEN_URL: open #sp_redmine_command_get_url()
 * @SP_REDMINE_COMMAND_SHOW_NOTIFICATION: show a notification with a title, a plain-text
 *   message, an optional icon and buttons that are commands themselves
 * @SP_REDMINE_COMMAND_POST_MSG: publish a JSON object on a channel, over HTTP
 */
typedef enum
{
  SP_REDMINE_COMMAND_NONE,
  SP_REDMINE_COMMAND_OPEN_URL,
  SP_REDMINE_COMMAND_SHOW_NOTIFICATION,
  SP_REDMINE_COMMAND_POST_MSG,
} SpRedmineCommandKind;

#define SP_TYPE_REDMINE_COMMAND (sp_redmine_command_get_type ())

typedef struct _SpRedmineCommand SpRedmineCommand;

GQuark                sp_redmine_command_error_quark       (void);
GType                 sp_redmine_command_get_type          (void) G_GNUC_CONST;

SpRedmineCommand     *sp_redmine_command_new_from_json     (JsonNode          *message,
                                                            GError           **error);
SpRedmineCommand     *sp_redmine_command_parse             (const char        *data,
                                                            gsize              length,
                                                            GError           **error);
SpRedmineCommand     *sp_redmine_command_ref               (SpRedmineCommand  *self);
void                  sp_redmine_command_unref             (SpRedmineCommand  *self);

SpRedmineCommandKind  sp_redmine_command_get_kind          (SpRedmineCommand  *self);
const char           *sp_redmine_command_get_name          (SpRedmineCommand  *self);
const char           *sp_redmine_command_get_button_title  (SpRedmineCommand  *self);
const char           *sp_redmine_command_get_url           (SpRedmineCommand  *self);
const char           *sp_redmine_command_get_title         (SpRedmineCommand  *self);
const char           *sp_redmine_command_get_message       (SpRedmineCommand  *self);
const char           *sp_redmine_command_get_icon_url      (SpRedmineCommand  *self);
guint                 sp_redmine_command_get_n_buttons     (SpRedmineCommand  *self);
SpRedmineCommand     *sp_redmine_command_get_button        (SpRedmineCommand  *self,
                                                            guint              index);
gboolean              sp_redmine_command_is_empty          (SpRedmineCommand  *self);
const char           *sp_redmine_command_get_channel_name  (SpRedmineCommand  *self);
JsonNode             *sp_redmine_command_get_msg           (SpRedmineCommand  *self);
char                 *sp_redmine_command_dup_msg_json      (SpRedmineCommand  *self);
const char           *sp_redmine_command_kind_to_string    (SpRedmineCommandKind kind);

char                 *sp_redmine_channel_name_encode       (const char        *name);
char                 *sp_redmine_post_msg_url              (const char        *base_url,
                                                            const char        *channel_name,
                                                            GError           **error);
char                 *sp_redmine_current_user_url          (const char        *base_url,
                                                            GError           **error);

/**
 * SpRedmineUser:
 * @id: the user's numeric id
 * @login: the login, never empty; the user's own channel is `user:LOGIN`
 * @api_key: (nullable): the user's API key, a secret: never log it. %NULL when the server
 *   does not show it
 * @firstname: (nullable): the first name
 * @lastname: (nullable): the last name
 *
 * The answer to `GET /users/current.json`.
 */
typedef struct
{
  gint64 id;
  char *login;
  char *api_key;
  char *firstname;
  char *lastname;
} SpRedmineUser;

gboolean              sp_redmine_user_parse                (const char        *data,
                                                            gsize              length,
                                                            SpRedmineUser     *out,
                                                            GError           **error);
void                  sp_redmine_user_clear                (SpRedmineUser     *user);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpRedmineCommand, sp_redmine_command_unref)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SpRedmineUser, sp_redmine_user_clear)

G_END_DECLS
