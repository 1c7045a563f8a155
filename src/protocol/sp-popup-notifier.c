/* sp-popup-notifier.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-popup-notifier"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "sp-json.h"
#include "sp-popup-notifier.h"

/* A CALL_IN frame is two levels deep. The limit only keeps a hostile frame from driving
 * json-glib's recursive descent parser deep into the stack. */
#define MAX_DEPTH 32

/* How much of an unknown "type" value goes into an error message. */
#define MAX_TYPE_IN_MESSAGE 32

G_DEFINE_QUARK (sp-popup-notifier-error-quark, sp_popup_notifier_error)

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

      if (sp_json_is_unsafe_char (c))
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
  /* Structure checked, tokens left to json-glib and to validate_field(). */
  static const SpJsonRules rules = {
    .what = "frame",
    .root = SP_JSON_ROOT_OBJECT,
    .max_length = SP_POPUP_NOTIFIER_MAX_FRAME,
    .max_depth = MAX_DEPTH,
    .strict_tokens = FALSE,
  };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *phone = NULL;
  g_autofree char *exten = NULL;
  JsonObject *object;
  JsonNode *data_node;
  const char *type;
  const char *raw_phone;
  const char *raw_exten;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  root = sp_json_parse (data, length, &rules, &local_error);
  if (root == NULL)
    {
      g_set_error_literal (error, SP_POPUP_NOTIFIER_ERROR,
                           g_error_matches (local_error, SP_JSON_ERROR, SP_JSON_ERROR_TOO_LARGE) ?
                           SP_POPUP_NOTIFIER_ERROR_TOO_LARGE : SP_POPUP_NOTIFIER_ERROR_MALFORMED,
                           local_error->message);
      return FALSE;
    }
  object = json_node_get_object (root);

  type = get_string_member (object, "type", "type", FALSE, error);
  if (type == NULL)
    return FALSE;

  if (strcmp (type, "CALL_IN") != 0)
    {
      g_autofree char *shown = sp_json_quote_for_message (type, -1, MAX_TYPE_IN_MESSAGE);

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
