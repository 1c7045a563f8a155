/* sp-popup-notifier.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-popup-notifier"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "sp-popup-notifier.h"

/* A CALL_IN frame is two levels deep. The limit only keeps a hostile frame from driving
 * json-glib's recursive descent parser deep into the stack. */
#define MAX_DEPTH 32

/* How much of an unknown "type" value, and of json-glib's own error message (which can
 * quote the input), goes into an error message. */
#define MAX_TYPE_IN_MESSAGE 32
#define MAX_JSON_ERROR_IN_MESSAGE 200

G_DEFINE_QUARK (sp-popup-notifier-error-quark, sp_popup_notifier_error)

static inline gboolean
is_json_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A cheap pass over the raw text that rejects what json-glib would accept but must not
 * reach us: a root that is not an object, data after the root object (json-glib silently
 * ignores it), nesting deep enough to exhaust the stack, and the escape \u0000, which
 * json-glib turns into a NUL that silently truncates the string (so "CALL_IN\u0000x" would
 * read as "CALL_IN"). Anything else that is malformed is left to json-glib to report. */
static gboolean
prescan (const char  *data,
         gsize        length,
         GError     **error)
{
  gboolean in_string = FALSE;
  gboolean root_closed = FALSE;
  guint depth = 0;
  gsize i = 0;

  while (i < length && is_json_space (data[i]))
    i++;

  if (i == length)
    {
      g_set_error_literal (error, SP_POPUP_NOTIFIER_ERROR, SP_POPUP_NOTIFIER_ERROR_MALFORMED,
                           "The frame is empty");
      return FALSE;
    }

  if (data[i] != '{')
    {
      g_set_error_literal (error, SP_POPUP_NOTIFIER_ERROR, SP_POPUP_NOTIFIER_ERROR_MALFORMED,
                           "The frame is not a JSON object");
      return FALSE;
    }

  for (; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '"')
            {
              in_string = FALSE;
            }
          else if (c == '\\')
            {
              if (length - i > 5 && memcmp (data + i + 1, "u0000", 5) == 0)
                {
                  g_set_error_literal (error, SP_POPUP_NOTIFIER_ERROR,
                                       SP_POPUP_NOTIFIER_ERROR_MALFORMED,
                                       "The frame contains an escaped NUL character");
                  return FALSE;
                }
              /* Skip the escaped character, so that \" does not end the string. */
              i++;
            }
          continue;
        }

      if (root_closed)
        {
          if (!is_json_space (c))
            {
              g_set_error_literal (error, SP_POPUP_NOTIFIER_ERROR,
                                   SP_POPUP_NOTIFIER_ERROR_MALFORMED,
                                   "The frame has data after the JSON object");
              return FALSE;
            }
          continue;
        }

      switch (c)
        {
        case '"':
          in_string = TRUE;
          break;

        case '{':
        case '[':
          if (++depth > MAX_DEPTH)
            {
              g_set_error (error, SP_POPUP_NOTIFIER_ERROR, SP_POPUP_NOTIFIER_ERROR_MALFORMED,
                           "The frame nests JSON deeper than %u levels", MAX_DEPTH);
              return FALSE;
            }
          break;

        case '}':
        case ']':
          /* The first character is '{', so depth is at least 1 here. */
          if (--depth == 0)
            root_closed = TRUE;
          break;

        default:
          break;
        }
    }

  return TRUE;
}

/* Characters that have no business in a phone number or an extension shown in a
 * notification and pasted into a URL: control characters and line breaks (which could fake
 * extra lines), and the bidirectional embeddings, overrides and isolates (which can make one
 * number display as another). */
static gboolean
is_forbidden_char (gunichar c)
{
  GUnicodeType type = g_unichar_type (c);

  if (type == G_UNICODE_CONTROL ||
      type == G_UNICODE_LINE_SEPARATOR ||
      type == G_UNICODE_PARAGRAPH_SEPARATOR ||
      type == G_UNICODE_SURROGATE)
    return TRUE;

  return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

/* Returns a newly allocated copy of @value without surrounding white space, or sets
 * @error naming @field when the value is unusable. */
static char *
validate_field (const char  *field,
                const char  *value,
                guint        max_chars,
                gboolean     allow_empty,
                GError     **error)
{
  const char *start = value;
  const char *end;
  guint n_chars = 0;

  /* json-glib turns a lone surrogate escape such as \ud800 into bytes that are not UTF-8. */
  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, SP_POPUP_NOTIFIER_ERROR, SP_POPUP_NOTIFIER_ERROR_MALFORMED,
                   "“%s” is not valid UTF-8", field);
      return NULL;
    }

  while (*start != '\0' && g_unichar_isspace (g_utf8_get_char (start)))
    start = g_utf8_next_char (start);

  end = start + strlen (start);
  while (end > start)
    {
      const char *prev = g_utf8_prev_char (end);

      if (!g_unichar_isspace (g_utf8_get_char (prev)))
        break;
      end = prev;
    }

  if (start == end && !allow_empty)
    {
      g_set_error (error, SP_POPUP_NOTIFIER_ERROR, SP_POPUP_NOTIFIER_ERROR_MALFORMED,
                   "“%s” is empty", field);
      return NULL;
    }

  for (const char *p = start; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (is_forbidden_char (c))
        {
          g_set_error (error, SP_POPUP_NOTIFIER_ERROR, SP_POPUP_NOTIFIER_ERROR_MALFORMED,
                       "“%s” contains the control character U+%04X", field, c);
          return NULL;
        }

      if (++n_chars > max_chars)
        {
          g_set_error (error, SP_POPUP_NOTIFIER_ERROR, SP_POPUP_NOTIFIER_ERROR_MALFORMED,
                       "“%s” is longer than %u characters", field, max_chars);
          return NULL;
        }
    }

  return g_strndup (start, end - start);
}

/* Text quoted from the frame is untrusted too, and json-glib quotes it in its messages
 * (even a member name that is not UTF-8, from a \ud800 escape): make it safe to put into a
 * log line. */
static char *
sanitize_for_message (const char *text,
                      guint       max_chars)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *out = g_string_new (NULL);
  guint n = 0;

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (n++ == max_chars)
        {
          g_string_append (out, "…");
          break;
        }

      if (is_forbidden_char (c))
        g_string_append_c (out, '?');
      else
        g_string_append_unichar (out, c);
    }

  return g_string_free (out, FALSE);
}

/* Returns the string member @name of @object; sets @error naming @field when the member is
 * missing (unless @optional, which makes a missing or null member return "") or is not a
 * string. */
static const char *
get_string_member (JsonObject  *object,
                   const char  *name,
                   const char  *field,
                   gboolean     optional,
                   GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || (optional && JSON_NODE_HOLDS_NULL (node)))
    {
      if (optional)
        return "";

      g_set_error (error, SP_POPUP_NOTIFIER_ERROR, SP_POPUP_NOTIFIER_ERROR_MALFORMED,
                   "“%s” is missing", field);
      return NULL;
    }

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, SP_POPUP_NOTIFIER_ERROR, SP_POPUP_NOTIFIER_ERROR_MALFORMED,
                   "“%s” is not a string", field);
      return NULL;
    }

  return json_node_get_string (node);
}

/**
 * sp_popup_notifier_parse:
 * @data: (array length=length): one text frame from `/crmws`
 * @length: the length of @data in bytes
 * @out: (out caller-allocates): where to store the call; only written on success, and then
 *   to be cleared with sp_popup_call_in_clear()
 * @error: return location for an error in the %SP_POPUP_NOTIFIER_ERROR domain
 *
 * Parses a popup-notifier frame, `{"type":"CALL_IN","data":{"phone":"…","exten":"…"}}`.
 * Everything in it comes from the trigger's query string, so both fields are validated as
 * untrusted text (see #SpPopupCallIn). A missing or null `exten` reads as "".
 *
 * Returns: %TRUE if @out now holds a call
 */
gboolean
sp_popup_notifier_parse (const char     *data,
                         gsize           length,
                         SpPopupCallIn  *out,
                         GError        **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *phone = NULL;
  g_autofree char *exten = NULL;
  JsonNode *root;
  JsonObject *object;
  JsonNode *data_node;
  const char *type;
  const char *raw_phone;
  const char *raw_exten;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Checked before looking at a single byte, so that a huge frame costs nothing more. */
  if (length > SP_POPUP_NOTIFIER_MAX_FRAME)
    {
      g_set_error (error, SP_POPUP_NOTIFIER_ERROR, SP_POPUP_NOTIFIER_ERROR_TOO_LARGE,
                   "The frame is %" G_GSIZE_FORMAT " bytes long, more than the %u allowed",
                   length, (guint) SP_POPUP_NOTIFIER_MAX_FRAME);
      return FALSE;
    }

  /* json-glib must not be handed bytes that are not UTF-8; this also rejects NUL bytes. */
  if (!g_utf8_validate (data, length, NULL))
    {
      g_set_error_literal (error, SP_POPUP_NOTIFIER_ERROR, SP_POPUP_NOTIFIER_ERROR_MALFORMED,
                           "The frame is not valid UTF-8");
      return FALSE;
    }

  if (!prescan (data, length, error))
    return FALSE;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, length, &local_error))
    {
      g_autofree char *shown = sanitize_for_message (local_error->message,
                                                     MAX_JSON_ERROR_IN_MESSAGE);

      g_set_error (error, SP_POPUP_NOTIFIER_ERROR, SP_POPUP_NOTIFIER_ERROR_MALFORMED,
                   "The frame is not valid JSON: %s", shown);
      return FALSE;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, SP_POPUP_NOTIFIER_ERROR, SP_POPUP_NOTIFIER_ERROR_MALFORMED,
                           "The frame is not a JSON object");
      return FALSE;
    }
  object = json_node_get_object (root);

  type = get_string_member (object, "type", "type", FALSE, error);
  if (type == NULL)
    return FALSE;

  if (strcmp (type, "CALL_IN") != 0)
    {
      g_autofree char *shown = sanitize_for_message (type, MAX_TYPE_IN_MESSAGE);

      g_set_error (error, SP_POPUP_NOTIFIER_ERROR, SP_POPUP_NOTIFIER_ERROR_UNKNOWN_TYPE,
                   "Unknown message type “%s”", shown);
      return FALSE;
    }

  data_node = json_object_get_member (object, "data");
  if (data_node == NULL)
    {
      g_set_error_literal (error, SP_POPUP_NOTIFIER_ERROR, SP_POPUP_NOTIFIER_ERROR_MALFORMED,
                           "“data” is missing");
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (data_node))
    {
      g_set_error_literal (error, SP_POPUP_NOTIFIER_ERROR, SP_POPUP_NOTIFIER_ERROR_MALFORMED,
                           "“data” is not an object");
      return FALSE;
    }
  object = json_node_get_object (data_node);

  raw_phone = get_string_member (object, "phone", "data.phone", FALSE, error);
  if (raw_phone == NULL)
    return FALSE;

  raw_exten = get_string_member (object, "exten", "data.exten", TRUE, error);
  if (raw_exten == NULL)
    return FALSE;

  phone = validate_field ("data.phone", raw_phone, SP_POPUP_NOTIFIER_MAX_PHONE, FALSE, error);
  if (phone == NULL)
    return FALSE;

  exten = validate_field ("data.exten", raw_exten, SP_POPUP_NOTIFIER_MAX_EXTEN, TRUE, error);
  if (exten == NULL)
    return FALSE;

  out->phone = g_steal_pointer (&phone);
  out->exten = g_steal_pointer (&exten);

  return TRUE;
}

/**
 * sp_popup_call_in_clear:
 * @call: a call filled by sp_popup_notifier_parse()
 *
 * Frees the fields of @call and sets them to %NULL; clearing twice is harmless.
 */
void
sp_popup_call_in_clear (SpPopupCallIn *call)
{
  g_return_if_fail (call != NULL);

  g_clear_pointer (&call->phone, g_free);
  g_clear_pointer (&call->exten, g_free);
}
