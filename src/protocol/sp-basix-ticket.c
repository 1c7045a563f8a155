/* sp-basix-ticket.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-basix"

#include "config.h"

#include <string.h>

#include "sp-basix-ticket.h"

/*
 * The answer of Basix's ticket service (POST /basix/api/gen_ws_ticket, see
 * protocols/basix_ws_cti.md): {"result_code":0,"ticket":"…"}. The ticket goes into the
 * Authorization header of the next request, so only a short run of printable ASCII is
 * taken; anything else in the answer is ignored. Pure, so that tests/fuzz/fuzz-basix-ticket.c
 * feeds it whatever a hostile server could send.
 */

/**
 * sp_basix_ticket_rules:
 *
 * How an answer of the ticket service is read: one JSON object, at most 1 MiB, nested at
 * most 32 deep, every token strict. The same numbers as sp-http's caps for any answer.
 */
const SpJsonRules sp_basix_ticket_rules = {
  .what = "ticket answer",
  .root = SP_JSON_ROOT_OBJECT,
  .max_length = 1024 * 1024,
  .max_depth = 32,
  .strict_tokens = TRUE,
};

static gboolean
ticket_is_sane (const char *ticket)
{
  gsize length = strlen (ticket);

  if (length == 0 || length > SP_BASIX_TICKET_MAX_LENGTH)
    return FALSE;

  for (gsize i = 0; i < length; i++)
    {
      if (ticket[i] <= ' ' || ticket[i] >= 0x7f)
        return FALSE;
    }

  return TRUE;
}

/**
 * sp_basix_ticket_from_answer:
 * @answer: the answer, as read with #sp_basix_ticket_rules
 * @out_code: (out) (optional): its result_code, -1 when there is none
 *
 * Returns: (transfer full) (nullable): the ticket, or %NULL when the answer gives none that
 *   can be used (a result code other than 0, no ticket, an empty one, one too long or with
 *   characters that have no place in a header)
 */
char *
sp_basix_ticket_from_answer (JsonNode *answer,
                             gint64   *out_code)
{
  JsonObject *object;
  JsonNode *code_node;
  JsonNode *ticket_node;
  gint64 code = -1;

  if (out_code != NULL)
    *out_code = -1;

  if (answer == NULL || !JSON_NODE_HOLDS_OBJECT (answer))
    return NULL;

  object = json_node_get_object (answer);
  code_node = json_object_get_member (object, "result_code");
  if (code_node != NULL && JSON_NODE_HOLDS_VALUE (code_node) &&
      json_node_get_value_type (code_node) == G_TYPE_INT64)
    code = json_node_get_int (code_node);
  if (out_code != NULL)
    *out_code = code;

  ticket_node = json_object_get_member (object, "ticket");
  if (code != 0 || ticket_node == NULL || !JSON_NODE_HOLDS_VALUE (ticket_node) ||
      json_node_get_value_type (ticket_node) != G_TYPE_STRING ||
      !ticket_is_sane (json_node_get_string (ticket_node)))
    return NULL;

  return g_strdup (json_node_get_string (ticket_node));
}

/**
 * sp_basix_ticket_parse:
 * @data: (array length=length): the body of the answer
 * @length: its length in bytes
 * @out_code: (out) (optional): its result_code, -1 when there is none
 * @error: why @data is not a JSON object within #sp_basix_ticket_rules (%SP_JSON_ERROR)
 *
 * As sp_basix_ticket_from_answer(), from the body's bytes.
 *
 * Returns: (transfer full) (nullable): the ticket; %NULL with @error set for a body that
 *   is not JSON, without for an answer that gives no ticket
 */
char *
sp_basix_ticket_parse (const char  *data,
                       gsize        length,
                       gint64      *out_code,
                       GError     **error)
{
  g_autoptr(JsonNode) root = NULL;

  if (out_code != NULL)
    *out_code = -1;

  root = sp_json_parse (data, length, &sp_basix_ticket_rules, error);
  if (root == NULL)
    return NULL;

  return sp_basix_ticket_from_answer (root, out_code);
}
