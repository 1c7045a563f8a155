/* sp-template.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SP_TEMPLATE_ERROR (sp_template_error_quark ())

typedef enum
{
  SP_TEMPLATE_ERROR_SYNTAX,
  SP_TEMPLATE_ERROR_UNKNOWN_PLACEHOLDER,
} SpTemplateError;

GQuark   sp_template_error_quark (void);
char    *sp_template_expand      (const char  *template_str,
                                  GHashTable  *values,
                                  GError     **error);
gboolean sp_template_validate    (const char  *template_str,
                                  GError     **error);

G_END_DECLS
