/* sp-json.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-json"

#include "config.h"

#include <math.h>
#include <string.h>

#include "sp-json.h"

/*
 * Untrusted JSON text, read safely. json-glib 1.6 is lenient (comments, single-quoted
 * strings, leading zeros, data after the root), has no limits (its parser is recursive),
 * turns the escape \u0000 into a NUL that silently truncates a string, wraps integers
 * beyond 64 bits around, and quotes the input in its error messages cut at a byte count
 * that may fall inside a character. So the text is checked here before json-glib sees it,
 * and json-glib's messages are cleaned before they go into ours.
 */

/* How much of json-glib's own error message goes into ours. */
#define MAX_REASON_IN_MESSAGE 200

G_DEFINE_QUARK (sp-json-error-quark, sp_json_error)

static inline gboolean
is_json_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Reads the four hex digits of a \u escape at @p; returns -1 if they are not there. */
static int
read_u_escape (const char *p,
               const char *end)
{
  int value = 0;

  if (end - p < 4)
    return -1;

  for (guint i = 0; i < 4; i++)
    {
      int digit = hex_value (p[i]);

      if (digit < 0)
        return -1;
      value = (value << 4) | digit;
    }

  return value;
}

/* Sets "The WHAT PROBLEM" and returns FALSE. */
static gboolean
set_malformed (GError            **error,
               const SpJsonRules  *rules,
               const char         *problem)
{
  g_set_error (error, SP_JSON_ERROR, SP_JSON_ERROR_MALFORMED, "The %s %s", rules->what, problem);
  return FALSE;
}

static const char *
root_name (const SpJsonRules *rules)
{
  return rules->root == SP_JSON_ROOT_ARRAY ? "array" : "object";
}

/* Scans the string whose opening quote is just before *@pp, leaving *@pp after the closing
 * quote. Always refuses the escape \u0000 (json-glib would turn it into a NUL that silently
 * truncates the string). With strict tokens, also refuses raw control characters, unknown
 * escapes, bad \u escapes, lone or reversed surrogate escapes (json-glib would turn them
 * into bytes that are not UTF-8) and a text that ends inside the string; without, those
 * are left to json-glib or to the caller's checks of the values. */
static gboolean
scan_string (const char         **pp,
             const char          *end,
             const SpJsonRules   *rules,
             GError             **error)
{
  gboolean strict = rules->strict_tokens;
  const char *p = *pp;

  while (p < end)
    {
      char c = *p;

      if (strict && (guchar) c < 0x20)
        return set_malformed (error, rules, "has a control character inside a string");

      if (c == '"')
        {
          *pp = p + 1;
          return TRUE;
        }

      if (c != '\\')
        {
          p++;
          continue;
        }

      if (end - p < 2)
        break;

      if (p[1] == 'u')
        {
          int unit = read_u_escape (p + 2, end);

          if (unit == 0)
            return set_malformed (error, rules, "has an escaped NUL character");

          if (!strict)
            {
              /* Skip the escaped character, so that \" does not end the string. */
              p += 2;
              continue;
            }

          if (unit < 0)
            return set_malformed (error, rules, "has a bad \\u escape");
          if (unit >= 0xDC00 && unit <= 0xDFFF)
            return set_malformed (error, rules, "has a lone surrogate escape");

          if (unit >= 0xD800 && unit <= 0xDBFF)
            {
              int low = -1;

              if (end - p >= 12 && p[6] == '\\' && p[7] == 'u')
                low = read_u_escape (p + 8, end);
              if (low < 0xDC00 || low > 0xDFFF)
                return set_malformed (error, rules, "has a lone surrogate escape");
              p += 12;
            }
          else
            {
              p += 6;
            }
          continue;
        }

      if (strict && strchr ("\"\\/bfnrt", p[1]) == NULL)
        return set_malformed (error, rules, "has an unknown escape in a string");

      p += 2;
    }

  if (!strict)
    {
      /* json-glib reports the unterminated string. */
      *pp = end;
      return TRUE;
    }

  return set_malformed (error, rules, "ends inside a string");
}

/* Whether the token that ends at @p is properly delimited: json-glib would otherwise read
 * "0123" as one octal number, where the lexer saw "0" and "123". */
static gboolean
token_ends (const char *p,
            const char *end)
{
  return p == end || is_json_space (*p) || *p == ',' || *p == ']' || *p == '}' || *p == ':';
}

/* Scans a number at *@pp by the strict JSON grammar,
 * -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, and refuses integers outside 64 bits,
 * which json-glib 1.6 silently wraps around (12345678901234567890 reads as a negative
 * number) and which could therefore not be passed on faithfully. */
static gboolean
scan_number (const char         **pp,
             const char          *end,
             const SpJsonRules   *rules,
             GError             **error)
{
  const char *p = *pp;
  const char *digits;
  gboolean negative = FALSE;
  gboolean integer = TRUE;
  gsize n_digits;

  if (*p == '-')
    {
      negative = TRUE;
      p++;
    }

  digits = p;
  if (p == end || !g_ascii_isdigit (*p))
    return set_malformed (error, rules, "has a malformed number");

  if (*p == '0')
    p++;
  else
    while (p < end && g_ascii_isdigit (*p))
      p++;
  n_digits = p - digits;

  if (p < end && *p == '.')
    {
      integer = FALSE;
      p++;
      if (p == end || !g_ascii_isdigit (*p))
        return set_malformed (error, rules, "has a malformed number");
      while (p < end && g_ascii_isdigit (*p))
        p++;
    }

  if (p < end && (*p == 'e' || *p == 'E'))
    {
      integer = FALSE;
      p++;
      if (p < end && (*p == '+' || *p == '-'))
        p++;
      if (p == end || !g_ascii_isdigit (*p))
        return set_malformed (error, rules, "has a malformed number");
      while (p < end && g_ascii_isdigit (*p))
        p++;
    }

  if (integer && n_digits >= 19)
    {
      const char *limit = negative ? "9223372036854775808" : "9223372036854775807";

      if (n_digits > 19 || memcmp (digits, limit, 19) > 0)
        return set_malformed (error, rules, "has an integer too large for 64 bits");
    }

  if (!token_ends (p, end))
    return set_malformed (error, rules, "has a malformed number");

  /* json-glib would read 1e999 as infinity, which has no JSON form to pass on. */
  if (!integer)
    {
      g_autofree char *token = g_strndup (*pp, p - *pp);

      if (!isfinite (g_ascii_strtod (token, NULL)))
        return set_malformed (error, rules, "has a number too large for a double");
    }

  *pp = p;
  return TRUE;
}

static gboolean
scan_literal (const char  **pp,
              const char   *end,
              const char   *literal)
{
  gsize len = strlen (literal);

  if ((gsize) (end - *pp) < len || memcmp (*pp, literal, len) != 0 ||
      !token_ends (*pp + len, end))
    return FALSE;

  *pp += len;
  return TRUE;
}

/* A lexical pass over the raw text, before json-glib sees it. It refuses a root of the
 * wrong kind, data after the root (json-glib ignores it), nesting deeper than
 * @rules->max_depth (json-glib's parser is recursive) and the strings that scan_string()
 * refuses. With strict tokens it accepts only strict JSON tokens, which also guarantees
 * that its view of the nesting is the parser's, and refuses the numbers that scan_number()
 * refuses and a text that ends before its root does; without, whatever else is malformed
 * is json-glib's to find. The grammar (commas, colons, matching brackets) is always left
 * to json-glib. @data is valid UTF-8. */
static gboolean
check_json_text (const char         *data,
                 gsize               length,
                 const SpJsonRules  *rules,
                 GError            **error)
{
  gboolean strict = rules->strict_tokens;
  const char *p = data;
  const char *end = data + length;
  gboolean root_closed = FALSE;
  guint depth = 0;

  while (p < end && is_json_space (*p))
    p++;

  if (p == end)
    return set_malformed (error, rules, "is empty");

  if (*p != (rules->root == SP_JSON_ROOT_ARRAY ? '[' : '{'))
    {
      g_set_error (error, SP_JSON_ERROR, SP_JSON_ERROR_MALFORMED, "The %s is not a JSON %s",
                   rules->what, root_name (rules));
      return FALSE;
    }

  while (p < end)
    {
      char c = *p;

      if (is_json_space (c))
        {
          p++;
          continue;
        }

      if (root_closed)
        {
          g_set_error (error, SP_JSON_ERROR, SP_JSON_ERROR_MALFORMED,
                       "The %s has data after the JSON %s", rules->what, root_name (rules));
          return FALSE;
        }

      switch (c)
        {
        case '"':
          p++;
          if (!scan_string (&p, end, rules, error))
            return FALSE;
          break;

        case '{':
        case '[':
          if (++depth > rules->max_depth)
            {
              g_set_error (error, SP_JSON_ERROR, SP_JSON_ERROR_MALFORMED,
                           "The %s nests JSON deeper than %u levels", rules->what,
                           rules->max_depth);
              return FALSE;
            }
          p++;
          break;

        case '}':
        case ']':
          /* The first character opens the root and nothing follows its end, so depth is
           * at least 1 here. */
          if (--depth == 0)
            root_closed = TRUE;
          p++;
          break;

        case ':':
        case ',':
          p++;
          break;

        case '-':
        case '0': case '1': case '2': case '3': case '4':
        case '5': case '6': case '7': case '8': case '9':
          if (!strict)
            p++;
          else if (!scan_number (&p, end, rules, error))
            return FALSE;
          break;

        case 't':
        case 'f':
        case 'n':
          if (!strict)
            p++;
          else if (!scan_literal (&p, end, "true") && !scan_literal (&p, end, "false") &&
                   !scan_literal (&p, end, "null"))
            return set_malformed (error, rules, "has an unexpected word");
          break;

        default:
          if (strict)
            return set_malformed (error, rules, "has an unexpected character");
          p++;
          break;
        }
    }

  if (strict && !root_closed)
    {
      g_set_error (error, SP_JSON_ERROR, SP_JSON_ERROR_MALFORMED,
                   "The %s ends before its JSON %s does", rules->what, root_name (rules));
      return FALSE;
    }

  return TRUE;
}

/* The pass for a root of any kind: a string or a number nests nothing, but an array or an
 * object may nest as deeply as any other, and json-glib's parser is recursive. Only the
 * nesting and the strings (whose brackets do not count, and which may not hold \u0000)
 * are checked; the rest is json-glib's to judge. @data is valid UTF-8. */
static gboolean
check_nesting (const char         *data,
               gsize               length,
               const SpJsonRules  *rules,
               GError            **error)
{
  const char *p = data;
  const char *end = data + length;
  guint depth = 0;

  while (p < end)
    {
      switch (*p)
        {
        case '"':
          p++;
          if (!scan_string (&p, end, rules, error))
            return FALSE;
          break;

        case '{':
        case '[':
          if (++depth > rules->max_depth)
            {
              g_set_error (error, SP_JSON_ERROR, SP_JSON_ERROR_MALFORMED,
                           "The %s nests JSON deeper than %u levels", rules->what,
                           rules->max_depth);
              return FALSE;
            }
          p++;
          break;

        case '}':
        case ']':
          /* A closing bracket too many is json-glib's to refuse. */
          if (depth > 0)
            depth--;
          p++;
          break;

        default:
          p++;
          break;
        }
    }

  return TRUE;
}

/**
 * sp_json_parse:
 * @data: (array length=length): JSON text, not necessarily nul-terminated
 * @length: the length of @data in bytes
 * @rules: how to read it
 * @error: return location for an error in the %SP_JSON_ERROR domain
 *
 * Parses untrusted JSON text safely. It must be at most @rules->max_length bytes
 * (%SP_JSON_ERROR_TOO_LARGE otherwise, checked before a single byte is read) and valid
 * UTF-8 without NUL bytes, it may nest at most @rules->max_depth levels (json-glib's parser
 * is recursive: deeper text could overflow the stack), and it may not hold the escape
 * \u0000 (json-glib would truncate the string there). Unless @rules->root is
 * %SP_JSON_ROOT_ANY, its root must also be of that kind with nothing after it.
 *
 * With @rules->strict_tokens, the text must also be strict JSON (no comments, single quotes
 * or leading zeros, which json-glib 1.6 would accept), without escapes that json-glib would
 * turn into bytes that are not UTF-8 and without numbers that it would silently change
 * (integers beyond 64 bits, doubles beyond their range): every string in the result is
 * then valid UTF-8, and every number the one that was sent. Without it, such values reach
 * the caller, whose checks of the values must cope with them.
 *
 * Error messages name the text after @rules->what ("The frame is empty"); json-glib's own
 * message, which quotes the input, is made valid UTF-8, one line and bounded first (see
 * sp_json_quote_for_message()), so an error message is always safe to show.
 *
 * Returns: (transfer full): the root node, or %NULL with @error set
 */
JsonNode *
sp_json_parse (const char         *data,
               gsize               length,
               const SpJsonRules  *rules,
               GError            **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (rules != NULL && rules->what != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Checked before looking at a single byte, so that a huge text costs nothing more. */
  if (length > rules->max_length)
    {
      g_set_error (error, SP_JSON_ERROR, SP_JSON_ERROR_TOO_LARGE,
                   "The %s is %" G_GSIZE_FORMAT " bytes long, more than the %" G_GSIZE_FORMAT
                   " allowed", rules->what, length, rules->max_length);
      return NULL;
    }

  /* json-glib must not be handed bytes that are not UTF-8; this also rejects NUL bytes,
   * which it would read as the end of the text. */
  if (!g_utf8_validate_len (data, length, NULL))
    {
      set_malformed (error, rules, "is not valid UTF-8");
      return NULL;
    }

  if (rules->root == SP_JSON_ROOT_ANY ? !check_nesting (data, length, rules, error) :
                                         !check_json_text (data, length, rules, error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) length, &local_error))
    {
      g_autofree char *reason = sp_json_quote_for_message (local_error->message, -1,
                                                           MAX_REASON_IN_MESSAGE);

      g_set_error (error, SP_JSON_ERROR, SP_JSON_ERROR_MALFORMED, "The %s is not valid JSON: %s",
                   rules->what, reason);
      return NULL;
    }

  root = json_parser_steal_root (parser);
  if (root == NULL)
    {
      set_malformed (error, rules, "is empty");
      return NULL;
    }

  if ((rules->root == SP_JSON_ROOT_OBJECT && !JSON_NODE_HOLDS_OBJECT (root)) ||
      (rules->root == SP_JSON_ROOT_ARRAY && !JSON_NODE_HOLDS_ARRAY (root)))
    {
      g_clear_pointer (&root, json_node_unref);
      g_set_error (error, SP_JSON_ERROR, SP_JSON_ERROR_MALFORMED, "The %s is not a JSON %s",
                   rules->what, root_name (rules));
      return NULL;
    }

  return root;
}

/**
 * sp_json_quote_for_message:
 * @text: (array length=length): untrusted text, not necessarily valid UTF-8
 * @length: its length in bytes, or -1 if it is nul-terminated
 * @max_chars: how many characters to keep
 *
 * Makes untrusted text safe to put into a message a label or a log will show: valid UTF-8
 * (a byte sequence cut inside a character becomes U+FFFD), the characters
 * sp_json_is_unsafe_char() refuses replaced with "?", and at most
 * @max_chars characters, followed by "…" when cut.
 *
 * Returns: (transfer full): the text to quote
 */
char *
sp_json_quote_for_message (const char *text,
                           gssize      length,
                           guint       max_chars)
{
  g_autofree char *valid = NULL;
  GString *out;
  guint n = 0;

  g_return_val_if_fail (text != NULL || length == 0, NULL);

  valid = g_utf8_make_valid (text != NULL ? text : "", length);
  out = g_string_new (NULL);

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (n++ == max_chars)
        {
          g_string_append (out, "…");
          break;
        }

      if (sp_json_is_unsafe_char (c))
        g_string_append_c (out, '?');
      else
        g_string_append_unichar (out, c);
    }

  return g_string_free (out, FALSE);
}

/**
 * sp_json_is_unsafe_char:
 * @c: a character from untrusted text
 *
 * Whether @c has no business in a number, a name or an identifier shown in a notification,
 * a label or a log line, or put into a URL: control characters and line breaks (which could
 * fake extra lines), surrogates, and the bidirectional embeddings, overrides and isolates
 * (which can make one number display as another).
 *
 * Returns: %TRUE if @c must not be shown as it is
 */
gboolean
sp_json_is_unsafe_char (gunichar c)
{
  GUnicodeType type = g_unichar_type (c);

  if (type == G_UNICODE_CONTROL ||
      type == G_UNICODE_LINE_SEPARATOR ||
      type == G_UNICODE_PARAGRAPH_SEPARATOR ||
      type == G_UNICODE_SURROGATE)
    return TRUE;

  return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

/**
 * sp_json_node_is_string:
 *
 * Returns: whether @node holds a string
 */
gboolean
sp_json_node_is_string (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

/**
 * sp_json_describe_node:
 *
 * Returns: what @node is, for an error message: "an object", "a string", "null", …
 */
const char *
sp_json_describe_node (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      return "an object";
    case JSON_NODE_ARRAY:
      return "an array";
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        return "a string";
      if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
        return "a boolean";
      return "a number";
    default:
      return "something unknown";
    }
}
