/* sp-basix-ticket.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "sp-json.h"

G_BEGIN_DECLS

/* The longest ticket accepted: real ones are a few dozen characters. */
#define SP_BASIX_TICKET_MAX_LENGTH 1024

extern const SpJsonRules sp_basix_ticket_rules;

char *sp_basix_ticket_from_answer (JsonNode    *answer,
                                   gint64      *out_code);
char *sp_basix_ticket_parse       (const char  *data,
                                   gsize        length,
                                   gint64      *out_code,
                                   GError     **error);

G_END_DECLS
