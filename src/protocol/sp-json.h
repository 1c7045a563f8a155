/* sp-json.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define SP_JSON_ERROR (sp_json_error_quark ())

/**
 * SpJsonError:
 * @SP_JSON_ERROR_MALFORMED: the text is not valid UTF-8, not JSON, JSON beyond the limits,
 *   or its root is of the wrong kind
 * @SP_JSON_ERROR_TOO_LARGE: the text is longer than #SpJsonRules.max_length
 *
 * Why sp_json_parse() refused a text. Callers translate these into their own domain.
 */
typedef enum
{
  SP_JSON_ERROR_MALFORMED,
  SP_JSON_ERROR_TOO_LARGE,
} SpJsonError;

/**
 * SpJsonRoot:
 * @SP_JSON_ROOT_OBJECT: the text must be one JSON object
 * @SP_JSON_ROOT_ARRAY: the text must be one JSON array
 * @SP_JSON_ROOT_ANY: any JSON value; before json-glib reads it, only its length, UTF-8,
 *   nesting and strings are checked
 *
 * What the root of a text must be.
 */
typedef enum
{
  SP_JSON_ROOT_OBJECT,
  SP_JSON_ROOT_ARRAY,
  SP_JSON_ROOT_ANY,
} SpJsonRoot;

/**
 * SpJsonRules:
 * @what: what the text is, for error messages: "frame" gives "The frame is empty"
 * @root: what its root must be
 * @max_length: the longest text accepted, in bytes
 * @max_depth: the deepest nesting of objects and arrays accepted
 * @strict_tokens: check every token by the strict JSON grammar (see sp_json_parse()), not
 *   only the structure
 *
 * How sp_json_parse() reads one kind of untrusted text.
 */
typedef struct
{
  const char *what;
  SpJsonRoot  root;
  gsize       max_length;
  guint       max_depth;
  gboolean    strict_tokens;
} SpJsonRules;

GQuark    sp_json_error_quark        (void);

JsonNode *sp_json_parse              (const char         *data,
                                      gsize               length,
                                      const SpJsonRules  *rules,
                                      GError            **error);

char     *sp_json_quote_for_message  (const char         *text,
                                      gssize              length,
                                      guint               max_chars);
gboolean  sp_json_is_unsafe_char     (gunichar            c);
gboolean  sp_json_node_is_string     (JsonNode           *node);
const char *sp_json_describe_node    (JsonNode           *node);

G_END_DECLS
