/* fuzz-template.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Feeds arbitrary URL templates and values to the template expansion
 * (src/core/sp-template.c, compiled into this target): a template comes from an
 * administrator, but every value comes from the network (a caller's number and name, a
 * backend's variables). Checks its contract: no crash; validation and expansion agree; a
 * value reaches the URL only percent-encoded, so that it can never add a parameter, a path
 * or a line; a template without placeholders expands to itself, braces unescaped.
 *
 * Input: lines; the first is the template, the next the values of {number}, {name},
 * {exten}, {queue}, {call_id}, {account} and {var:x}, in that order. */

#define G_LOG_DOMAIN "fuzz-template"

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "fuzz-common.h"
#include "sp-template.h"

int LLVMFuzzerInitialize   (int           *argc,
                            char        ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static const char * const names[] = {
  "number", "name", "exten", "queue", "call_id", "account", "var:x",
};

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init (argc, argv);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_auto(GStrv) lines = NULL;
  g_autoptr(GHashTable) values = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) validate_error = NULL;
  g_autofree char *url = NULL;
  gboolean valid;
  guint n;

  if (strlen (text) != size || !g_utf8_validate (text, -1, NULL))
    return 0;

  lines = g_strsplit (text, "\n", G_N_ELEMENTS (names) + 1);
  n = g_strv_length (lines);
  if (n == 0)
    return 0;
  for (guint i = 1; i < n && i <= G_N_ELEMENTS (names); i++)
    g_hash_table_insert (values, (gpointer) names[i - 1], lines[i]);

  valid = sp_template_validate (lines[0], &validate_error);
  url = sp_template_expand (lines[0], values, &error);
  g_assert (valid == (url != NULL));
  if (url == NULL)
    {
      g_assert (error != NULL && error->domain == SP_TEMPLATE_ERROR);
      g_assert (validate_error != NULL && validate_error->code == error->code);
      return 0;
    }

  /* The whole template one value: exactly that value, percent-encoded. */
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *one = g_strdup_printf ("{%s}", names[i]);
      g_autofree char *expanded = sp_template_expand (one, values, NULL);
      const char *value = g_hash_table_lookup (values, names[i]);
      g_autofree char *escaped = g_uri_escape_string (value ? value : "", NULL, FALSE);

      g_assert (expanded != NULL);
      g_assert (strcmp (expanded, escaped) == 0);
      for (const char *p = expanded; *p != '\0'; p++)
        g_assert (g_ascii_isalnum (*p) || strchr ("-._~%", *p) != NULL);
    }

  /* Nothing from a value that the template does not have, in what it adds. */
  for (const char *p = url; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7f)
        g_assert (strchr (lines[0], *p) != NULL);
    }

  if (strchr (lines[0], '{') == NULL && strchr (lines[0], '}') == NULL)
    g_assert (strcmp (url, lines[0]) == 0);

  return 0;
}
