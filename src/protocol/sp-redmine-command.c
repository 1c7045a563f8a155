/* sp-redmine-command.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-redmine-command"

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "sp-actioncable.h"
#include "sp-json.h"
#include "sp-redmine-command.h"

/* How much of an untrusted command name goes into an error message. */
#define MAX_NAME_IN_MESSAGE 32

/* A Redmine login is at most 60 characters; this only bounds what we keep. */
#define MAX_LOGIN 255

struct _SpRedmineCommand
{
  gatomicrefcount ref_count;

  SpRedmineCommandKind kind;
  char *name;
  char *button_title;

  /* open_url */
  char *url;

  /* show_notification */
  char *title;
  char *message;
  char *icon_url;
  GPtrArray *buttons;
  gboolean empty;

  /* post_msg */
  char *channel_name;
  JsonNode *msg;
};

G_DEFINE_QUARK (sp-redmine-command-error-quark, sp_redmine_command_error)

G_DEFINE_BOXED_TYPE (SpRedmineCommand, sp_redmine_command,
                     sp_redmine_command_ref, sp_redmine_command_unref)

static SpRedmineCommand *
command_new (SpRedmineCommandKind kind)
{
  SpRedmineCommand *self = g_new0 (SpRedmineCommand, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->kind = kind;

  return self;
}

static void
command_free (SpRedmineCommand *self)
{
  g_free (self->name);
  g_free (self->button_title);
  g_free (self->url);
  g_free (self->title);
  g_free (self->message);
  g_free (self->icon_url);
  g_clear_pointer (&self->buttons, g_ptr_array_unref);
  g_free (self->channel_name);
  g_clear_pointer (&self->msg, json_node_unref);
  g_free (self);
}

/**
 * sp_redmine_command_ref:
 * @self: a command
 *
 * Returns: (transfer full): @self, with one more reference
 */
SpRedmineCommand *
sp_redmine_command_ref (SpRedmineCommand *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * sp_redmine_command_unref:
 * @self: (transfer full): a command
 *
 * Drops one reference; the last one frees the command and its buttons.
 */
void
sp_redmine_command_unref (SpRedmineCommand *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    command_free (self);
}

G_GNUC_PRINTF (3, 4)
static void
set_invalid (GError     **error,
             const char  *where,
             const char  *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (where != NULL && *where != '\0')
    g_set_error (error, SP_REDMINE_COMMAND_ERROR, SP_REDMINE_COMMAND_ERROR_INVALID,
                 "%s: %s", where, message);
  else
    g_set_error_literal (error, SP_REDMINE_COMMAND_ERROR, SP_REDMINE_COMMAND_ERROR_INVALID,
                         message);
}

/* Characters that must not reach a log line from a server: controls and line breaks (which
 * could fake extra lines) and bidirectional overrides. */
static gboolean
is_unsafe_char (gunichar c)
{
  GUnicodeType type = g_unichar_type (c);

  if (type == G_UNICODE_CONTROL || type == G_UNICODE_FORMAT ||
      type == G_UNICODE_LINE_SEPARATOR || type == G_UNICODE_PARAGRAPH_SEPARATOR ||
      type == G_UNICODE_SURROGATE || type == G_UNICODE_UNASSIGNED)
    return TRUE;

  return FALSE;
}

/* Makes an untrusted command name safe and short enough for an error message. */
static char *
sanitize_name (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *out = g_string_new (NULL);
  guint n = 0;

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (n++ == MAX_NAME_IN_MESSAGE)
        {
          g_string_append (out, "…");
          break;
        }

      if (is_unsafe_char (c))
        g_string_append_c (out, '?');
      else
        g_string_append_unichar (out, c);
    }

  return g_string_free (out, FALSE);
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      if (!g_unichar_isspace (g_utf8_get_char (p)))
        return FALSE;
    }

  return TRUE;
}

/* Missing and JSON null both mean "not given". */
static JsonNode *
get_member (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;

  return node;
}

/* Fetches the string member @name of @object into @out (borrowed; NULL when absent).
 * Sets @error when it is there but not a string, is not UTF-8 (possible only when the
 * object did not come through sp_actioncable_parse_object()), is longer than @max_len
 * bytes, or is absent although @required. */
static gboolean
get_string (JsonObject   *object,
            const char   *name,
            const char   *where,
            const char   *field,
            gboolean      required,
            gsize         max_len,
            const char  **out,
            GError      **error)
{
  JsonNode *node = get_member (object, name);
  const char *value;

  *out = NULL;

  if (node == NULL)
    {
      if (required)
        {
          set_invalid (error, where, "“%s” is missing", field);
          return FALSE;
        }
      return TRUE;
    }

  if (!sp_json_node_is_string (node))
    {
      set_invalid (error, where, "“%s” is not a string", field);
      return FALSE;
    }

  value = json_node_get_string (node);
  if (!g_utf8_validate (value, -1, NULL))
    {
      set_invalid (error, where, "“%s” is not valid UTF-8", field);
      return FALSE;
    }

  if (strlen (value) > max_len)
    {
      set_invalid (error, where, "“%s” is longer than %" G_GSIZE_FORMAT " bytes", field,
                   max_len);
      return FALSE;
    }

  *out = value;
  return TRUE;
}

/* Returns the `data` object of a command, which every known command needs. */
static JsonObject *
get_data (JsonObject  *object,
          const char  *where,
          const char  *command,
          GError     **error)
{
  JsonNode *node = get_member (object, "data");

  if (node == NULL)
    {
      set_invalid (error, where, "%s needs “data”", command);
      return NULL;
    }

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      set_invalid (error, where, "%s: “data” is not an object", command);
      return NULL;
    }

  return json_node_get_object (node);
}

static SpRedmineCommand *parse_command (JsonObject  *object,
                                        const char  *where,
                                        guint        depth,
                                        gboolean     is_button,
                                        GError     **error);

static SpRedmineCommand *
parse_open_url (JsonObject  *object,
                const char  *where,
                GError     **error)
{
  g_autoptr(SpRedmineCommand) self = NULL;
  JsonObject *data;
  const char *url;

  data = get_data (object, where, "open_url", error);
  if (data == NULL)
    return NULL;

  if (!get_string (data, "url", where, "data.url", TRUE, SP_REDMINE_COMMAND_MAX_URL, &url,
                   error))
    return NULL;

  if (is_blank (url))
    {
      set_invalid (error, where, "“data.url” is empty");
      return NULL;
    }

  self = command_new (SP_REDMINE_COMMAND_OPEN_URL);
  self->url = g_strstrip (g_strdup (url));

  return g_steal_pointer (&self);
}

static gboolean
parse_buttons (SpRedmineCommand  *self,
               JsonObject        *data,
               const char        *where,
               guint              depth,
               GError           **error)
{
  JsonNode *node = get_member (data, "buttons");
  JsonArray *array;
  guint n;

  self->buttons = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_redmine_command_unref);

  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      set_invalid (error, where, "“data.buttons” is not an array");
      return FALSE;
    }

  array = json_node_get_array (node);
  n = json_array_get_length (array);

  if (n == 0)
    return TRUE;

  if (n > SP_REDMINE_COMMAND_MAX_BUTTONS)
    {
      set_invalid (error, where, "more than %u buttons", (guint) SP_REDMINE_COMMAND_MAX_BUTTONS);
      return FALSE;
    }

  if (depth >= SP_REDMINE_COMMAND_MAX_DEPTH)
    {
      set_invalid (error, where, "buttons nested deeper than %u levels",
                   (guint) SP_REDMINE_COMMAND_MAX_DEPTH);
      return FALSE;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *button_where = NULL;
      JsonNode *element = json_array_get_element (array, i);
      SpRedmineCommand *button;

      button_where = where != NULL && *where != '\0'
        ? g_strdup_printf ("%s.buttons[%u]", where, i)
        : g_strdup_printf ("buttons[%u]", i);

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          set_invalid (error, button_where, "the button is not an object");
          return FALSE;
        }

      button = parse_command (json_node_get_object (element), button_where, depth + 1, TRUE,
                              error);
      if (button == NULL)
        return FALSE;

      g_ptr_array_add (self->buttons, button);
    }

  return TRUE;
}

static SpRedmineCommand *
parse_show_notification (JsonObject  *object,
                         const char  *where,
                         guint        depth,
                         GError     **error)
{
  g_autoptr(SpRedmineCommand) self = NULL;
  JsonObject *data;
  const char *title;
  const char *message;
  const char *icon_url;
  const char *image_url;

  data = get_data (object, where, "show_notification", error);
  if (data == NULL)
    return NULL;

  if (!get_string (data, "title", where, "data.title", FALSE, SP_REDMINE_COMMAND_MAX_TITLE,
                   &title, error) ||
      !get_string (data, "message", where, "data.message", FALSE, SP_REDMINE_COMMAND_MAX_TEXT,
                   &message, error) ||
      !get_string (data, "iconUrl", where, "data.iconUrl", FALSE, SP_REDMINE_COMMAND_MAX_URL,
                   &icon_url, error) ||
      !get_string (data, "imageUrl", where, "data.imageUrl", FALSE, SP_REDMINE_COMMAND_MAX_URL,
                   &image_url, error))
    return NULL;

  self = command_new (SP_REDMINE_COMMAND_SHOW_NOTIFICATION);
  self->title = g_strdup (title != NULL ? title : "");
  self->message = g_strdup (message != NULL ? message : "");

  /* The extension only ever used iconUrl; old README examples show imageUrl, so it is taken
   * when there is no iconUrl. */
  if (icon_url != NULL && !is_blank (icon_url))
    self->icon_url = g_strstrip (g_strdup (icon_url));
  else if (image_url != NULL && !is_blank (image_url))
    self->icon_url = g_strstrip (g_strdup (image_url));

  /* redmine_rt's own comment notifications can come with nothing to show. */
  self->empty = is_blank (self->title) && is_blank (self->message);

  if (!parse_buttons (self, data, where, depth, error))
    return NULL;

  return g_steal_pointer (&self);
}

static SpRedmineCommand *
parse_post_msg (JsonObject  *object,
                const char  *where,
                GError     **error)
{
  g_autoptr(SpRedmineCommand) self = NULL;
  JsonObject *data;
  JsonNode *msg;
  const char *channel_name;

  data = get_data (object, where, "post_msg", error);
  if (data == NULL)
    return NULL;

  if (!get_string (data, "channel_name", where, "data.channel_name", TRUE,
                   SP_REDMINE_COMMAND_MAX_CHANNEL, &channel_name, error))
    return NULL;

  if (*channel_name == '\0')
    {
      set_invalid (error, where, "“data.channel_name” is empty");
      return NULL;
    }

  msg = get_member (data, "msg");
  if (msg == NULL)
    {
      set_invalid (error, where, "“data.msg” is missing");
      return NULL;
    }

  if (!JSON_NODE_HOLDS_OBJECT (msg))
    {
      set_invalid (error, where, "“data.msg” is not an object");
      return NULL;
    }

  self = command_new (SP_REDMINE_COMMAND_POST_MSG);
  self->channel_name = g_strdup (channel_name);
  self->msg = json_node_copy (msg);

  return g_steal_pointer (&self);
}

/* Whether @object, which has no command, is a JSON body that was posted as a form: Rails
 * (Rack's form parser) makes the whole text, cut at the first "=" and "&", one key. A key
 * that starts as a JSON object or array does not come from a real form. */
static gboolean
is_form_posted (JsonObject *object)
{
  JsonObjectIter iter;
  const char *name;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &name, NULL))
    {
      while (g_ascii_isspace (*name))
        name++;
      if (*name == '{' || *name == '[')
        return TRUE;
    }

  return FALSE;
}

/* Validates one command object. At the top (@is_button FALSE) a missing or unknown command
 * is an error; a button keeps them as SP_REDMINE_COMMAND_NONE, because in the extension
 * such a button still showed and clicking it only cleared the notification. */
static SpRedmineCommand *
parse_command (JsonObject  *object,
               const char  *where,
               guint        depth,
               gboolean     is_button,
               GError     **error)
{
  g_autoptr(SpRedmineCommand) self = NULL;
  const char *button_title = NULL;
  JsonNode *command_node;
  const char *command;

  if (is_button)
    {
      if (!get_string (object, "title", where, "title", TRUE, SP_REDMINE_COMMAND_MAX_TITLE,
                       &button_title, error))
        return NULL;

      if (is_blank (button_title))
        {
          set_invalid (error, where, "the button's “title” is empty");
          return NULL;
        }
    }

  command_node = get_member (object, "command");
  if (command_node == NULL)
    {
      if (!is_button && is_form_posted (object))
        {
          g_set_error_literal (error, SP_REDMINE_COMMAND_ERROR,
                               SP_REDMINE_COMMAND_ERROR_FORM_DATA,
                               "The message has no “command”: the sender posted form data, "
                               "not JSON; add -H 'Content-Type: application/json'");
          return NULL;
        }

      if (!is_button)
        {
          g_set_error_literal (error, SP_REDMINE_COMMAND_ERROR,
                               SP_REDMINE_COMMAND_ERROR_NOT_A_COMMAND,
                               "The message has no “command”");
          return NULL;
        }

      self = command_new (SP_REDMINE_COMMAND_NONE);
      self->button_title = g_strdup (button_title);
      return g_steal_pointer (&self);
    }

  if (!sp_json_node_is_string (command_node))
    {
      set_invalid (error, where, "“command” is not a string");
      return NULL;
    }
  command = json_node_get_string (command_node);

  if (g_str_equal (command, "open_url"))
    self = parse_open_url (object, where, error);
  else if (g_str_equal (command, "show_notification"))
    self = parse_show_notification (object, where, depth, error);
  else if (g_str_equal (command, "post_msg"))
    self = parse_post_msg (object, where, error);
  else if (is_button)
    self = command_new (SP_REDMINE_COMMAND_NONE);
  else
    {
      g_autofree char *shown = sanitize_name (command);

      g_set_error (error, SP_REDMINE_COMMAND_ERROR, SP_REDMINE_COMMAND_ERROR_UNKNOWN,
                   "Unknown command “%s”", shown);
      return NULL;
    }

  if (self == NULL)
    return NULL;

  /* Keys other than command, data and a button's title (controller, action, format, and
   * the API key a careless poster leaks as "key") are not looked at, let alone kept. */
  self->name = g_utf8_make_valid (command, MIN (strlen (command), 256));
  self->button_title = g_strdup (button_title);

  return g_steal_pointer (&self);
}

/**
 * sp_redmine_command_new_from_json:
 * @message: a node holding the `message` object of a broadcast
 * @error: return location for an error in the %SP_REDMINE_COMMAND_ERROR domain
 *
 * Validates a redmine_rt broadcast into a command tree. Only `command` and `data` are read;
 * unknown keys, such as the `controller`, `action`, `format` and `key` the HTTP endpoint
 * adds, are ignored and never kept.
 *
 * A message without `command` gives %SP_REDMINE_COMMAND_ERROR_NOT_A_COMMAND (or
 * %SP_REDMINE_COMMAND_ERROR_FORM_DATA when it is JSON posted as a form), an unknown
 * command %SP_REDMINE_COMMAND_ERROR_UNKNOWN; all are to be ignored. Missing or mistyped
 * arguments, `buttons` that is not an array, a button without a title, buttons nested
 * deeper than %SP_REDMINE_COMMAND_MAX_DEPTH and strings beyond the limits give
 * %SP_REDMINE_COMMAND_ERROR_INVALID, whose message names the field but never repeats its
 * value.
 *
 * Returns: (transfer full): the command, or %NULL with @error set
 */
SpRedmineCommand *
sp_redmine_command_new_from_json (JsonNode  *message,
                                  GError   **error)
{
  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (message))
    {
      set_invalid (error, NULL, "The message is not a JSON object");
      return NULL;
    }

  return parse_command (json_node_get_object (message), NULL, 1, FALSE, error);
}

/**
 * sp_redmine_command_parse:
 * @data: (array length=length): the JSON text of a message
 * @length: the length of @data in bytes
 * @error: return location for an error in the %SP_ACTIONCABLE_ERROR domain (the text is
 *   not a JSON object within the limits of sp_actioncable_parse_object()) or the
 *   %SP_REDMINE_COMMAND_ERROR domain
 *
 * Like sp_redmine_command_new_from_json(), for a message given as text.
 *
 * Returns: (transfer full): the command, or %NULL with @error set
 */
SpRedmineCommand *
sp_redmine_command_parse (const char  *data,
                          gsize        length,
                          GError     **error)
{
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root = sp_actioncable_parse_object (data, length, error);
  if (root == NULL)
    return NULL;

  return sp_redmine_command_new_from_json (root, error);
}

/**
 * sp_redmine_command_get_kind:
 * @self: a command
 *
 * Returns: what the command does
 */
SpRedmineCommandKind
sp_redmine_command_get_kind (SpRedmineCommand *self)
{
  g_return_val_if_fail (self != NULL, SP_REDMINE_COMMAND_NONE);

  return self->kind;
}

/**
 * sp_redmine_command_get_name:
 * @self: a command
 *
 * Returns: (nullable): the `command` string as received (for a %SP_REDMINE_COMMAND_NONE
 *   button the unknown name, or %NULL when it had none); untrusted, for logs after
 *   sanitizing
 */
const char *
sp_redmine_command_get_name (SpRedmineCommand *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->name;
}

/**
 * sp_redmine_command_get_button_title:
 * @self: a command
 *
 * Returns: (nullable): the label of the button this command belongs to, never blank; %NULL
 *   for a command that is not a button
 */
const char *
sp_redmine_command_get_button_title (SpRedmineCommand *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->button_title;
}

/**
 * sp_redmine_command_get_url:
 * @self: a %SP_REDMINE_COMMAND_OPEN_URL command
 *
 * Returns: (nullable): the URL to open, not blank and without surrounding white space; it
 *   is untrusted and must go through the URL policy. %NULL for other kinds.
 */
const char *
sp_redmine_command_get_url (SpRedmineCommand *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->url;
}

/**
 * sp_redmine_command_get_title:
 * @self: a %SP_REDMINE_COMMAND_SHOW_NOTIFICATION command
 *
 * Returns: (nullable): the notification's title, plain text, possibly empty; %NULL for
 *   other kinds
 */
const char *
sp_redmine_command_get_title (SpRedmineCommand *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->title;
}

/**
 * sp_redmine_command_get_message:
 * @self: a %SP_REDMINE_COMMAND_SHOW_NOTIFICATION command
 *
 * Returns: (nullable): the notification's body, plain text (escape it before handing it to
 *   a notification server that reads markup), possibly empty; %NULL for other kinds
 */
const char *
sp_redmine_command_get_message (SpRedmineCommand *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->message;
}

/**
 * sp_redmine_command_get_icon_url:
 * @self: a %SP_REDMINE_COMMAND_SHOW_NOTIFICATION command
 *
 * Returns: (nullable): the icon's URL from `iconUrl`, or from `imageUrl` when there is no
 *   `iconUrl`; %NULL when neither is given. Untrusted: fetch only http/https, size-capped.
 */
const char *
sp_redmine_command_get_icon_url (SpRedmineCommand *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->icon_url;
}

/**
 * sp_redmine_command_get_n_buttons:
 * @self: a command
 *
 * Returns: the number of buttons of a notification (0 for other kinds)
 */
guint
sp_redmine_command_get_n_buttons (SpRedmineCommand *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->buttons != NULL ? self->buttons->len : 0;
}

/**
 * sp_redmine_command_get_button:
 * @self: a %SP_REDMINE_COMMAND_SHOW_NOTIFICATION command
 * @index: a button index, less than sp_redmine_command_get_n_buttons()
 *
 * Returns: (transfer none): the command to run when button @index is clicked; its
 *   sp_redmine_command_get_button_title() is the label
 */
SpRedmineCommand *
sp_redmine_command_get_button (SpRedmineCommand *self,
                               guint             index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < sp_redmine_command_get_n_buttons (self), NULL);

  return g_ptr_array_index (self->buttons, index);
}

/**
 * sp_redmine_command_is_empty:
 * @self: a command
 *
 * redmine_rt sends comment notifications with nothing in them; such a notification should
 * be dropped rather than shown.
 *
 * Returns: %TRUE for a %SP_REDMINE_COMMAND_SHOW_NOTIFICATION whose title and message are
 *   both empty or white space only
 */
gboolean
sp_redmine_command_is_empty (SpRedmineCommand *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->empty;
}

/**
 * sp_redmine_command_get_channel_name:
 * @self: a %SP_REDMINE_COMMAND_POST_MSG command
 *
 * Returns: (nullable): the channel to post to, not empty and exactly as given (encode it
 *   with sp_redmine_channel_name_encode() for a URL); %NULL for other kinds
 */
const char *
sp_redmine_command_get_channel_name (SpRedmineCommand *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->channel_name;
}

/**
 * sp_redmine_command_get_msg:
 * @self: a %SP_REDMINE_COMMAND_POST_MSG command
 *
 * Returns: (transfer none) (nullable): a node holding the JSON object to post; %NULL for
 *   other kinds
 */
JsonNode *
sp_redmine_command_get_msg (SpRedmineCommand *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->msg;
}

/**
 * sp_redmine_command_dup_msg_json:
 * @self: a %SP_REDMINE_COMMAND_POST_MSG command
 *
 * Returns: (transfer full) (nullable): the object to post, as compact JSON text for the
 *   body of `POST /channels/NAME/post_msg.json`, with the members in the order received
 *   and numbers unchanged (see sp_actioncable_append_json_node()); %NULL for other kinds
 */
char *
sp_redmine_command_dup_msg_json (SpRedmineCommand *self)
{
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->msg == NULL)
    return NULL;

  out = g_string_new (NULL);
  sp_actioncable_append_json_node (out, self->msg);

  return g_string_free (out, FALSE);
}

/**
 * sp_redmine_command_kind_to_string:
 * @kind: a command kind
 *
 * Returns: (transfer none): the command's wire name (`open_url`, …), or `none`
 */
const char *
sp_redmine_command_kind_to_string (SpRedmineCommandKind kind)
{
  switch (kind)
    {
    case SP_REDMINE_COMMAND_NONE:
      return "none";
    case SP_REDMINE_COMMAND_OPEN_URL:
      return "open_url";
    case SP_REDMINE_COMMAND_SHOW_NOTIFICATION:
      return "show_notification";
    case SP_REDMINE_COMMAND_POST_MSG:
      return "post_msg";
    default:
      return "invalid";
    }
}

/**
 * sp_redmine_channel_name_encode:
 * @name: a channel name, e.g. `user:john.doe`
 *
 * Encodes a channel name for the path of `/channels/NAME/post_msg.json`. Every byte but
 * ASCII letters, digits, `-`, `_` and `~` is percent-encoded, `.` included: Rails would
 * otherwise take a dot for the start of a format suffix and answer 404. So `user:john.doe`
 * gives `user%3Ajohn%2Edoe` and `a/b` gives `a%2Fb`; redmine_rt decodes both back to the
 * name.
 *
 * Returns: (transfer full): the encoded name
 */
char *
sp_redmine_channel_name_encode (const char *name)
{
  static const char hex[] = "0123456789ABCDEF";
  GString *out;

  g_return_val_if_fail (name != NULL, NULL);

  out = g_string_sized_new (strlen (name) * 3);

  for (const char *p = name; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (g_ascii_isalnum (c) || c == '-' || c == '_' || c == '~')
        {
          g_string_append_c (out, (char) c);
        }
      else
        {
          g_string_append_c (out, '%');
          g_string_append_c (out, hex[c >> 4]);
          g_string_append_c (out, hex[c & 0xF]);
        }
    }

  return g_string_free (out, FALSE);
}

/**
 * sp_redmine_post_msg_url:
 * @base_url: the Redmine base URL (see sp_actioncable_base_url_normalize())
 * @channel_name: the channel to post to, not empty
 * @error: return location for an error in the %SP_ACTIONCABLE_ERROR domain
 *
 * Builds `BASE/channels/ENCODED/post_msg.json`. The API key goes into the
 * `X-Redmine-API-Key` header, never into this URL: a `?key=` would be broadcast to every
 * subscriber along with the message.
 *
 * Returns: (transfer full): the URL, or %NULL with @error set
 */
char *
sp_redmine_post_msg_url (const char  *base_url,
                         const char  *channel_name,
                         GError     **error)
{
  g_autofree char *base = NULL;
  g_autofree char *encoded = NULL;

  g_return_val_if_fail (base_url != NULL, NULL);
  g_return_val_if_fail (channel_name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (*channel_name == '\0')
    {
      g_set_error_literal (error, SP_ACTIONCABLE_ERROR, SP_ACTIONCABLE_ERROR_INVALID_URL,
                           "The channel name is empty");
      return NULL;
    }

  base = sp_actioncable_base_url_normalize (base_url, error);
  if (base == NULL)
    return NULL;

  encoded = sp_redmine_channel_name_encode (channel_name);

  return g_strconcat (base, "/channels/", encoded, "/post_msg.json", NULL);
}

/**
 * sp_redmine_current_user_url:
 * @base_url: the Redmine base URL (see sp_actioncable_base_url_normalize())
 * @error: return location for an error in the %SP_ACTIONCABLE_ERROR domain
 *
 * Returns: (transfer full): `BASE/users/current.json`, or %NULL with @error set
 */
char *
sp_redmine_current_user_url (const char  *base_url,
                             GError     **error)
{
  g_autofree char *base = NULL;

  g_return_val_if_fail (base_url != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  base = sp_actioncable_base_url_normalize (base_url, error);
  if (base == NULL)
    return NULL;

  return g_strconcat (base, "/users/current.json", NULL);
}

/**
 * sp_redmine_user_parse:
 * @data: (array length=length): the body of the answer to `GET /users/current.json`
 * @length: the length of @data in bytes
 * @out: (out caller-allocates): where to store the user; only written on success, and then
 *   to be cleared with sp_redmine_user_clear()
 * @error: return location for an error in the %SP_ACTIONCABLE_ERROR or
 *   %SP_REDMINE_COMMAND_ERROR domain
 *
 * Reads `{"user":{"id":5,"login":"bob",…,"api_key":"…"}}`. The login must be a non-empty
 * string without control characters; `api_key` may be missing (older Redmine versions),
 * and must be a non-empty string without white space when present.
 *
 * Returns: %TRUE if @out now holds the user
 */
gboolean
sp_redmine_user_parse (const char     *data,
                       gsize           length,
                       SpRedmineUser  *out,
                       GError        **error)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *user;
  JsonNode *node;
  const char *login;
  const char *api_key;
  const char *firstname;
  const char *lastname;
  gint64 id = 0;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  root = sp_actioncable_parse_object (data, length, error);
  if (root == NULL)
    return FALSE;

  node = get_member (json_node_get_object (root), "user");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      set_invalid (error, NULL, "The server's answer has no “user” object");
      return FALSE;
    }
  user = json_node_get_object (node);

  if (!get_string (user, "login", "user", "login", TRUE, MAX_LOGIN, &login, error) ||
      !get_string (user, "api_key", "user", "api_key", FALSE, 1024, &api_key, error) ||
      !get_string (user, "firstname", "user", "firstname", FALSE, 1024, &firstname, error) ||
      !get_string (user, "lastname", "user", "lastname", FALSE, 1024, &lastname, error))
    return FALSE;

  if (*login == '\0')
    {
      set_invalid (error, "user", "“login” is empty");
      return FALSE;
    }

  for (const char *p = login; *p != '\0'; p = g_utf8_next_char (p))
    {
      if (is_unsafe_char (g_utf8_get_char (p)))
        {
          set_invalid (error, "user", "“login” contains a control character");
          return FALSE;
        }
    }

  if (api_key != NULL)
    {
      if (*api_key == '\0')
        api_key = NULL;
      else
        for (const char *p = api_key; *p != '\0'; p++)
          {
            if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p))
              {
                /* Never say anything about the key's value. */
                set_invalid (error, "user", "“api_key” is malformed");
                return FALSE;
              }
          }
    }

  node = get_member (user, "id");
  if (node != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
        {
          set_invalid (error, "user", "“id” is not an integer");
          return FALSE;
        }
      id = json_node_get_int (node);
    }

  out->id = id;
  out->login = g_strdup (login);
  out->api_key = g_strdup (api_key);
  out->firstname = g_strdup (firstname);
  out->lastname = g_strdup (lastname);

  return TRUE;
}

/**
 * sp_redmine_user_clear:
 * @user: a user filled by sp_redmine_user_parse()
 *
 * Frees the fields of @user and sets them to %NULL; clearing twice is harmless. The API
 * key's memory is overwritten before it is freed.
 */
void
sp_redmine_user_clear (SpRedmineUser *user)
{
  g_return_if_fail (user != NULL);

  if (user->api_key != NULL)
    memset (user->api_key, 0, strlen (user->api_key));

  user->id = 0;
  g_clear_pointer (&user->login, g_free);
  g_clear_pointer (&user->api_key, g_free);
  g_clear_pointer (&user->firstname, g_free);
  g_clear_pointer (&user->lastname, g_free);
}
