/* sp-ldap-filter.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The LDAP directory's search filter, apart from the directory: the directory is a loadable
 * module (see sp-directory-kind.c) and this part needs no libldap, so it stays in the
 * program, where the tests reach it.
 */

#define G_LOG_DOMAIN "sp-ldap-directory"

#include "config.h"

#include <string.h>

#include "sp-ldap-directory.h"

/* RFC 4515, section 3: a value in a filter has *, (, ), \ and NUL escaped as \XX. */
static void
append_escaped (GString    *out,
                const char *value)
{
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '*' || *p == '(' || *p == ')' || *p == '\\')
        g_string_append_printf (out, "\\%02x", (guchar) *p);
      else
        g_string_append_c (out, *p);
    }
}

/**
 * sp_ldap_directory_build_filter:
 * @filter_template: a filter with {number}
 * @number: the number
 *
 * Returns: (transfer full): the template once per form of the number, ORed
 */
char *
sp_ldap_directory_build_filter (const char          *filter_template,
                                const SpPhoneNumber *number)
{
  g_auto(GStrv) variants = sp_phone_number_dup_variants (number);
  g_autoptr(GString) out = g_string_new ("(|");

  for (guint i = 0; variants[i] != NULL; i++)
    {
      for (const char *p = filter_template; *p != '\0'; p++)
        {
          if (g_str_has_prefix (p, "{number}"))
            {
              append_escaped (out, variants[i]);
              p += strlen ("{number}") - 1;
            }
          else
            g_string_append_c (out, *p);
        }
    }
  g_string_append_c (out, ')');

  return g_string_free (g_steal_pointer (&out), FALSE);
}
