/* sp-actioncable.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-actioncable"

#include "config.h"

#include <math.h>
#include <string.h>

#include "sp-actioncable.h"
#include "sp-json.h"

G_DEFINE_QUARK (sp-actioncable-error-quark, sp_actioncable_error)

static gboolean
set_malformed (GError     **error,
               const char  *message)
{
  g_set_error_literal (error, SP_ACTIONCABLE_ERROR, SP_ACTIONCABLE_ERROR_MALFORMED, message);
  return FALSE;
}

/**
 * sp_actioncable_parse_object:
 * @data: (array length=length): JSON text, not necessarily nul-terminated
 * @length: the length of @data in bytes
 * @error: return location for an error in the %SP_ACTIONCABLE_ERROR domain
 *
 * Parses untrusted JSON text whose root must be an object, safely, with sp_json_parse() and
 * strict tokens: at most %SP_ACTIONCABLE_MAX_FRAME bytes, valid UTF-8, strict JSON (no comments, single quotes or
 * leading zeros, which json-glib 1.6 would accept), at most %SP_ACTIONCABLE_MAX_DEPTH levels
 * of nesting, no data after the object, no escapes that json-glib would turn into a NUL or
 * into bytes that are not UTF-8, and no number that json-glib would silently change
 * (integers beyond 64 bits, doubles beyond their range). Every string in the result is
 * therefore valid UTF-8, and every number is the one that was sent. The error messages
 * call the text "the frame", and are valid UTF-8 even when they quote json-glib.
 *
 * Returns: (transfer full): a node holding the object, or %NULL with @error set
 */
JsonNode *
sp_actioncable_parse_object (const char  *data,
                             gsize        length,
                             GError     **error)
{
  static const SpJsonRules rules = {
    .what = "frame",
    .root = SP_JSON_ROOT_OBJECT,
    .max_length = SP_ACTIONCABLE_MAX_FRAME,
    .max_depth = SP_ACTIONCABLE_MAX_DEPTH,
    .strict_tokens = TRUE,
  };
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root = sp_json_parse (data, length, &rules, &local_error);
  if (root == NULL)
    g_set_error_literal (error, SP_ACTIONCABLE_ERROR,
                         g_error_matches (local_error, SP_JSON_ERROR, SP_JSON_ERROR_TOO_LARGE) ?
                         SP_ACTIONCABLE_ERROR_TOO_LARGE : SP_ACTIONCABLE_ERROR_MALFORMED,
                         local_error->message);

  return root;
}

/* Returns the member @name of @object, or %NULL when it is missing or JSON null: both mean
 * "not given" in ActionCable frames. */
static JsonNode *
get_member (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;

  return node;
}

/* Copies the string member @name into @out; it must be present unless @optional. */
static gboolean
take_string (JsonObject  *object,
             const char  *name,
             gboolean     optional,
             char       **out,
             GError     **error)
{
  JsonNode *node = get_member (object, name);

  if (node == NULL)
    {
      if (optional)
        return TRUE;

      g_set_error (error, SP_ACTIONCABLE_ERROR, SP_ACTIONCABLE_ERROR_MALFORMED,
                   "The frame has no “%s”", name);
      return FALSE;
    }

  if (!sp_json_node_is_string (node))
    {
      g_set_error (error, SP_ACTIONCABLE_ERROR, SP_ACTIONCABLE_ERROR_MALFORMED,
                   "The frame's “%s” is not a string", name);
      return FALSE;
    }

  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

static gboolean
parse_ping (JsonObject          *object,
            SpActioncableFrame  *frame,
            GError             **error)
{
  JsonNode *node = get_member (object, "message");
  GType value_type;

  if (node == NULL)
    return TRUE;

  value_type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;

  if (value_type == G_TYPE_INT64)
    {
      frame->ping_time = json_node_get_int (node);
      return TRUE;
    }

  if (value_type == G_TYPE_DOUBLE)
    {
      double value = json_node_get_double (node);

      /* json-glib reads integers too large for 64 bits as doubles. */
      if (isfinite (value) && value > -9.2e18 && value < 9.2e18)
        {
          frame->ping_time = (gint64) value;
          return TRUE;
        }
    }

  return set_malformed (error, "The ping's “message” is not a number");
}

static gboolean
parse_disconnect (JsonObject          *object,
                  SpActioncableFrame  *frame,
                  GError             **error)
{
  JsonNode *node;

  if (!take_string (object, "reason", TRUE, &frame->reason, error))
    return FALSE;

  frame->reconnect = TRUE;
  node = get_member (object, "reconnect");
  if (node != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        return set_malformed (error, "The disconnect frame's “reconnect” is not a boolean");
      frame->reconnect = json_node_get_boolean (node);
    }

  return TRUE;
}

/**
 * sp_actioncable_frame_parse:
 * @data: (array length=length): one text frame received on the cable
 * @length: the length of @data in bytes
 * @error: return location for an error in the %SP_ACTIONCABLE_ERROR domain
 *
 * Classifies and checks a frame from an ActionCable server. The frame must be a JSON
 * object (see sp_actioncable_parse_object() for the limits); the fields of the known frame
 * types must have the right types, and a broadcast's `message` must be an object. A
 * well-formed object of an unknown shape gives %SP_ACTIONCABLE_FRAME_UNKNOWN rather than an
 * error, so that a newer server does not break the connection.
 *
 * Returns: (transfer full): the frame, or %NULL with @error set
 */
SpActioncableFrame *
sp_actioncable_frame_parse (const char  *data,
                            gsize        length,
                            GError     **error)
{
  g_autoptr(SpActioncableFrame) frame = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  JsonNode *type_node;
  JsonNode *message;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root = sp_actioncable_parse_object (data, length, error);
  if (root == NULL)
    return NULL;
  object = json_node_get_object (root);

  frame = g_new0 (SpActioncableFrame, 1);
  frame->type = SP_ACTIONCABLE_FRAME_UNKNOWN;

  type_node = get_member (object, "type");
  if (type_node != NULL)
    {
      const char *type;

      if (!sp_json_node_is_string (type_node))
        {
          set_malformed (error, "The frame's “type” is not a string");
          return NULL;
        }
      type = json_node_get_string (type_node);

      if (g_str_equal (type, "welcome"))
        {
          frame->type = SP_ACTIONCABLE_FRAME_WELCOME;
        }
      else if (g_str_equal (type, "ping"))
        {
          frame->type = SP_ACTIONCABLE_FRAME_PING;
          if (!parse_ping (object, frame, error))
            return NULL;
        }
      else if (g_str_equal (type, "confirm_subscription") ||
               g_str_equal (type, "reject_subscription"))
        {
          frame->type = type[0] == 'c' ? SP_ACTIONCABLE_FRAME_CONFIRM
                                       : SP_ACTIONCABLE_FRAME_REJECT;
          if (!take_string (object, "identifier", FALSE, &frame->identifier, error))
            return NULL;
        }
      else if (g_str_equal (type, "disconnect"))
        {
          frame->type = SP_ACTIONCABLE_FRAME_DISCONNECT;
          if (!parse_disconnect (object, frame, error))
            return NULL;
        }

      return g_steal_pointer (&frame);
    }

  /* A broadcast has no type: just the identifier and the message. */
  message = json_object_get_member (object, "message");
  if (message == NULL)
    return g_steal_pointer (&frame);

  if (!take_string (object, "identifier", FALSE, &frame->identifier, error))
    return NULL;

  if (!JSON_NODE_HOLDS_OBJECT (message))
    {
      set_malformed (error, "The broadcast's “message” is not a JSON object");
      return NULL;
    }

  frame->type = SP_ACTIONCABLE_FRAME_MESSAGE;
  frame->message = json_node_copy (message);

  return g_steal_pointer (&frame);
}

/**
 * sp_actioncable_frame_free:
 * @frame: (nullable): a frame from sp_actioncable_frame_parse()
 *
 * Frees @frame and everything it holds.
 */
void
sp_actioncable_frame_free (SpActioncableFrame *frame)
{
  if (frame == NULL)
    return;

  g_free (frame->identifier);
  g_free (frame->reason);
  g_clear_pointer (&frame->message, json_node_unref);
  g_free (frame);
}

/**
 * sp_actioncable_frame_type_to_string:
 * @type: a frame type
 *
 * Returns: (transfer none): a name for @type, for logs
 */
const char *
sp_actioncable_frame_type_to_string (SpActioncableFrameType type)
{
  switch (type)
    {
    case SP_ACTIONCABLE_FRAME_WELCOME:
      return "welcome";
    case SP_ACTIONCABLE_FRAME_PING:
      return "ping";
    case SP_ACTIONCABLE_FRAME_CONFIRM:
      return "confirm_subscription";
    case SP_ACTIONCABLE_FRAME_REJECT:
      return "reject_subscription";
    case SP_ACTIONCABLE_FRAME_DISCONNECT:
      return "disconnect";
    case SP_ACTIONCABLE_FRAME_MESSAGE:
      return "message";
    case SP_ACTIONCABLE_FRAME_UNKNOWN:
      return "unknown";
    default:
      return "invalid";
    }
}

/**
 * sp_actioncable_append_json_string:
 * @out: the string to append to
 * @str: valid UTF-8
 *
 * Appends @str to @out as a quoted JSON string. Quotes, backslashes and control characters
 * are escaped; everything else, non-ASCII included, is copied as is.
 */
void
sp_actioncable_append_json_string (GString    *out,
                                   const char *str)
{
  g_return_if_fail (out != NULL);
  g_return_if_fail (str != NULL);

  g_string_append_c (out, '"');

  for (const char *p = str; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\b':
          g_string_append (out, "\\b");
          break;
        case '\f':
          g_string_append (out, "\\f");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
          break;
        }
    }

  g_string_append_c (out, '"');
}

/**
 * sp_actioncable_identifier_new:
 * @channel_class: the server's channel class, `Channel` (or the legacy
 *   `RedmineRt::Channel`)
 * @name: the stream name, e.g. `user:bob` or `general`; valid UTF-8
 *
 * Builds a subscription identifier the way the ActionCable JavaScript library does:
 * compact JSON with the keys in the order `channel`, `name`, for example
 * `{"channel":"Channel","name":"user:bob"}`. The server echoes this string byte for byte in
 * its replies and broadcasts, so keep it and match on it.
 *
 * Returns: (transfer full): the identifier
 */
char *
sp_actioncable_identifier_new (const char *channel_class,
                               const char *name)
{
  GString *out;

  g_return_val_if_fail (channel_class != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (g_utf8_validate (channel_class, -1, NULL), NULL);
  g_return_val_if_fail (g_utf8_validate (name, -1, NULL), NULL);

  out = g_string_new ("{\"channel\":");
  sp_actioncable_append_json_string (out, channel_class);
  g_string_append (out, ",\"name\":");
  sp_actioncable_append_json_string (out, name);
  g_string_append_c (out, '}');

  return g_string_free (out, FALSE);
}

static char *
build_command (const char *command,
               const char *identifier)
{
  GString *out = g_string_new ("{\"command\":");

  sp_actioncable_append_json_string (out, command);
  g_string_append (out, ",\"identifier\":");
  sp_actioncable_append_json_string (out, identifier);
  g_string_append_c (out, '}');

  return g_string_free (out, FALSE);
}

/**
 * sp_actioncable_subscribe_new:
 * @identifier: an identifier from sp_actioncable_identifier_new()
 *
 * Returns: (transfer full): the text frame
 *   `{"command":"subscribe","identifier":"…"}`, with @identifier serialized as a JSON
 *   string
 */
char *
sp_actioncable_subscribe_new (const char *identifier)
{
  g_return_val_if_fail (identifier != NULL, NULL);
  g_return_val_if_fail (g_utf8_validate (identifier, -1, NULL), NULL);

  return build_command ("subscribe", identifier);
}

/**
 * sp_actioncable_unsubscribe_new:
 * @identifier: an identifier from sp_actioncable_identifier_new()
 *
 * Returns: (transfer full): the text frame `{"command":"unsubscribe","identifier":"…"}`
 */
char *
sp_actioncable_unsubscribe_new (const char *identifier)
{
  g_return_val_if_fail (identifier != NULL, NULL);
  g_return_val_if_fail (g_utf8_validate (identifier, -1, NULL), NULL);

  return build_command ("unsubscribe", identifier);
}

/* Parses and checks a base URL; see sp_actioncable_cable_url() for the rules. */
static GUri *
parse_base_url (const char  *base_url,
                GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *trimmed = NULL;
  const char *scheme;
  const char *host;

  trimmed = g_strstrip (g_strdup (base_url));

  /* Parsed without decoding, so that the path is rebuilt exactly as it was written. */
  uri = g_uri_parse (trimmed, G_URI_FLAGS_ENCODED, &local_error);
  if (uri == NULL)
    {
      /* The URL itself is not repeated: it might hold a password. */
      g_set_error (error, SP_ACTIONCABLE_ERROR, SP_ACTIONCABLE_ERROR_INVALID_URL,
                   "The server address is not a valid URL: %s", local_error->message);
      return NULL;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0)
    {
      g_set_error_literal (error, SP_ACTIONCABLE_ERROR, SP_ACTIONCABLE_ERROR_INVALID_URL,
                           "The server address must start with http:// or https://");
      return NULL;
    }

  host = g_uri_get_host (uri);
  if (host == NULL || *host == '\0')
    {
      g_set_error_literal (error, SP_ACTIONCABLE_ERROR, SP_ACTIONCABLE_ERROR_INVALID_URL,
                           "The server address has no host name");
      return NULL;
    }

  if (g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error_literal (error, SP_ACTIONCABLE_ERROR, SP_ACTIONCABLE_ERROR_INVALID_URL,
                           "The server address must not contain a user name or password");
      return NULL;
    }

  if (g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    {
      g_set_error_literal (error, SP_ACTIONCABLE_ERROR, SP_ACTIONCABLE_ERROR_INVALID_URL,
                           "The server address must not have a query (?…) or a fragment (#…)");
      return NULL;
    }

  return g_steal_pointer (&uri);
}

/* Rebuilds @uri with @scheme, its path without one trailing '/', and @suffix appended. */
static char *
join_base_url (GUri       *uri,
               const char *scheme,
               const char *suffix)
{
  g_autofree char *path = NULL;
  const char *base_path = g_uri_get_path (uri);
  gsize path_len = strlen (base_path);

  if (path_len > 0 && base_path[path_len - 1] == '/')
    path_len--;
  path = g_strdup_printf ("%.*s%s", (int) path_len, base_path, suffix);

  return g_uri_join (G_URI_FLAGS_ENCODED, scheme, NULL, g_uri_get_host (uri),
                     g_uri_get_port (uri), path, NULL, NULL);
}

static gboolean
uri_is_https (GUri *uri)
{
  return g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0;
}

/**
 * sp_actioncable_base_url_normalize:
 * @base_url: the application's base URL, as a person typed it
 * @error: return location for an %SP_ACTIONCABLE_ERROR_INVALID_URL error
 *
 * Checks @base_url like sp_actioncable_cable_url() does and returns it without surrounding
 * white space and without one trailing `/`: `https://host/redmine/` gives
 * `https://host/redmine`. HTTP endpoints are found by appending `/path` to the result.
 *
 * Returns: (transfer full): the normalized base URL, or %NULL with @error set
 */
char *
sp_actioncable_base_url_normalize (const char  *base_url,
                                   GError     **error)
{
  g_autoptr(GUri) uri = NULL;

  g_return_val_if_fail (base_url != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  uri = parse_base_url (base_url, error);
  if (uri == NULL)
    return NULL;

  return join_base_url (uri, uri_is_https (uri) ? "https" : "http", "");
}

/**
 * sp_actioncable_cable_url:
 * @base_url: the application's base URL, `http` or `https`, possibly with a sub-path
 *   (`https://host/redmine`) and a trailing `/`
 * @error: return location for an %SP_ACTIONCABLE_ERROR_INVALID_URL error
 *
 * Derives the cable URL from the base URL: `http` becomes `ws`, `https` becomes `wss`, the
 * sub-path is kept, one trailing `/` is dropped and `/cable` appended, so
 * `https://host/redmine/` gives `wss://host/redmine/cable`. The caller appends
 * `?access_key=…`; that URL is a secret and must never be logged.
 *
 * A base URL with a user name or password, a query or a fragment is refused: credentials
 * belong in the account's secret store, and the rest cannot be meant.
 *
 * Returns: (transfer full): the cable URL, or %NULL with @error set
 */
char *
sp_actioncable_cable_url (const char  *base_url,
                          GError     **error)
{
  g_autoptr(GUri) uri = NULL;

  g_return_val_if_fail (base_url != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  uri = parse_base_url (base_url, error);
  if (uri == NULL)
    return NULL;

  return join_base_url (uri, uri_is_https (uri) ? "wss" : "ws", "/cable");
}

/* Formats @value in the shortest form that reads back as the same double, so that 0.1 is
 * passed on as 0.1 and not as json-glib's 0.10000000000000001; a value that looks like an
 * integer keeps a ".0", so that a receiver still sees a float. */
static void
append_double (GString *out,
               double   value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    {
      g_string_append (out, "null");
      return;
    }

  for (int precision = 15; precision <= 17; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buffer, sizeof buffer, format, value);
      if (g_ascii_strtod (buffer, NULL) == value)
        break;
    }

  g_string_append (out, buffer);
  if (strpbrk (buffer, ".eE") == NULL)
    g_string_append (out, ".0");
}

/**
 * sp_actioncable_append_json_node:
 * @out: the string to append to
 * @node: a JSON node, for instance from sp_actioncable_parse_object()
 *
 * Appends @node to @out as compact JSON: object members in their original order, strings
 * escaped by sp_actioncable_append_json_string(), integers exactly, and doubles in the
 * shortest form that reads back as the same value. This is how a message received from a
 * server is passed on without changing it (json-glib's generator would print 0.1 as
 * 0.10000000000000001).
 */
void
sp_actioncable_append_json_node (GString  *out,
                                 JsonNode *node)
{
  g_return_if_fail (out != NULL);
  g_return_if_fail (node != NULL);

  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        g_autoptr(GList) members = json_object_get_members (object);
        gboolean first = TRUE;

        g_string_append_c (out, '{');
        for (GList *l = members; l != NULL; l = l->next)
          {
            const char *name = l->data;

            if (!first)
              g_string_append_c (out, ',');
            first = FALSE;
            sp_actioncable_append_json_string (out, name);
            g_string_append_c (out, ':');
            sp_actioncable_append_json_node (out, json_object_get_member (object, name));
          }
        g_string_append_c (out, '}');
      }
      break;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            sp_actioncable_append_json_node (out, json_array_get_element (array, i));
          }
        g_string_append_c (out, ']');
      }
      break;

    case JSON_NODE_VALUE:
      {
        GType type = json_node_get_value_type (node);

        if (type == G_TYPE_STRING)
          sp_actioncable_append_json_string (out, json_node_get_string (node));
        else if (type == G_TYPE_INT64)
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
        else if (type == G_TYPE_DOUBLE)
          append_double (out, json_node_get_double (node));
        else if (type == G_TYPE_BOOLEAN)
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
        else
          g_string_append (out, "null");
      }
      break;

    case JSON_NODE_NULL:
    default:
      g_string_append (out, "null");
      break;
    }
}
