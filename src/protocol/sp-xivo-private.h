/* sp-xivo-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What sp-xivo.c and sp-xivo-rest.c share: the checks of untrusted fields.
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* xuc's type names are short identifiers. */
#define MAX_MSG_TYPE 128

typedef enum
{
  TEXT_ID,    /* numbers and ids: a control character makes the field invalid */
  TEXT_NAME,  /* names meant for people: control characters become spaces */
} TextKind;

G_GNUC_INTERNAL gboolean  sp_xivo_node_is_integer   (JsonNode    *node);
G_GNUC_INTERNAL char     *sp_xivo_quote_for_message (const char  *text);
G_GNUC_INTERNAL JsonNode *sp_xivo_parse_object      (const char  *data,
                                                     gsize        length,
                                                     const char  *what,
                                                     GError     **error);
G_GNUC_INTERNAL gboolean  sp_xivo_get_text          (JsonObject  *object,
                                                     const char  *what,
                                                     const char  *name,
                                                     TextKind     kind,
                                                     gsize        max,
                                                     char       **out,
                                                     GError     **error);

G_END_DECLS
