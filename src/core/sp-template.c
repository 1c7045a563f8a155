/* sp-template.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-template"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "sp-template.h"

/*
 * URL templates: "https://crm.example.com/search?phone={number}&q={name}". Placeholders are
 * {number} {name} {exten} {queue} {call_id} {account} and {var:NAME} for a backend's extra
 * variables; "{{" and "}}" stand for literal braces. Every value is percent-encoded, so a
 * caller's name can never add a parameter or a path to the URL.
 */

G_DEFINE_QUARK (sp-template-error-quark, sp_template_error)

static const char * const known_placeholders[] = {
  "number", "name", "exten", "queue", "call_id", "account", "e164", "company", "contact_url",
  NULL
};

static gboolean
placeholder_known (const char *name)
{
  return g_strv_contains (known_placeholders, name) ||
         (g_str_has_prefix (name, "var:") && name[4] != '\0');
}

/* Walks the template once; appends the expansion to @out when it is not NULL. */
static gboolean
walk (const char  *template_str,
      GHashTable  *values,
      GString     *out,
      GError     **error)
{
  const char *p = template_str;

  while (*p != '\0')
    {
      if (p[0] == '{' && p[1] == '{')
        {
          if (out)
            g_string_append_c (out, '{');
          p += 2;
        }
      else if (p[0] == '}' && p[1] == '}')
        {
          if (out)
            g_string_append_c (out, '}');
          p += 2;
        }
      else if (p[0] == '{')
        {
          const char *end = strchr (p + 1, '}');
          g_autofree char *name = NULL;

          if (end == NULL)
            {
              g_set_error (error, SP_TEMPLATE_ERROR, SP_TEMPLATE_ERROR_SYNTAX,
                           _("A “{” at position %u is never closed"),
                           (guint) (p - template_str) + 1);
              return FALSE;
            }

          name = g_strndup (p + 1, end - p - 1);
          if (!placeholder_known (name))
            {
              g_set_error (error, SP_TEMPLATE_ERROR, SP_TEMPLATE_ERROR_UNKNOWN_PLACEHOLDER,
                           _("Unknown placeholder “{%s}”; use {number}, {name}, {exten}, {queue}, {call_id}, {account} or {var:NAME}"),
                           name);
              return FALSE;
            }

          if (out)
            {
              const char *value = values ? g_hash_table_lookup (values, name) : NULL;

              if (value != NULL)
                g_string_append_uri_escaped (out, value, NULL, FALSE);
            }

          p = end + 1;
        }
      else if (p[0] == '}')
        {
          g_set_error (error, SP_TEMPLATE_ERROR, SP_TEMPLATE_ERROR_SYNTAX,
                       _("A “}” at position %u closes nothing"),
                       (guint) (p - template_str) + 1);
          return FALSE;
        }
      else
        {
          if (out)
            g_string_append_c (out, *p);
          p++;
        }
    }

  return TRUE;
}

/**
 * sp_template_validate:
 * @template_str: a URL template
 * @error: what is wrong, in words
 *
 * Returns: whether @template_str is well formed and names only known placeholders
 */
gboolean
sp_template_validate (const char  *template_str,
                      GError     **error)
{
  g_return_val_if_fail (template_str != NULL, FALSE);

  return walk (template_str, NULL, NULL, error);
}

/**
 * sp_template_expand:
 * @template_str: a URL template
 * @values: (element-type utf8 utf8) (nullable): placeholder name → value; a missing value
 *   expands to nothing
 * @error: what is wrong with the template
 *
 * Returns: (transfer full) (nullable): the expansion, every value percent-encoded
 */
char *
sp_template_expand (const char  *template_str,
                    GHashTable  *values,
                    GError     **error)
{
  g_autoptr(GString) out = NULL;

  g_return_val_if_fail (template_str != NULL, NULL);

  out = g_string_new (NULL);
  if (!walk (template_str, values, out, error))
    return NULL;

  return g_string_free (g_steal_pointer (&out), FALSE);
}
