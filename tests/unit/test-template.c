/* test-template.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "sp-template.h"

static GHashTable *
values (void)
{
  GHashTable *table = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (table, (gpointer) "number", (gpointer) "+81 3-1234-5678");
  g_hash_table_insert (table, (gpointer) "name", (gpointer) "山田 太郎");
  g_hash_table_insert (table, (gpointer) "exten", (gpointer) "201");
  g_hash_table_insert (table, (gpointer) "queue", (gpointer) "sales&support");
  g_hash_table_insert (table, (gpointer) "call_id", (gpointer) "c/1?x=2#3");
  g_hash_table_insert (table, (gpointer) "account", (gpointer) "office");
  g_hash_table_insert (table, (gpointer) "var:customer", (gpointer) "42");

  return table;
}

typedef struct
{
  const char *template_str;
  const char *expected;
} Case;

static void
test_template_expands_and_encodes (void)
{
  static const Case cases[] = {
    { "https://crm.example.com/search?phone={number}",
      "https://crm.example.com/search?phone=%2B81%203-1234-5678" },
    { "https://crm/c?n={name}",
      "https://crm/c?n=%E5%B1%B1%E7%94%B0%20%E5%A4%AA%E9%83%8E" },
    { "https://crm/{exten}/{queue}",
      "https://crm/201/sales%26support" },
    { "https://crm/call/{call_id}",
      "https://crm/call/c%2F1%3Fx%3D2%233" },
    { "https://crm/{account}/{var:customer}", "https://crm/office/42" },
    { "https://crm/{var:missing}x", "https://crm/x" },
    { "literal {{braces}} stay", "literal {braces} stay" },
    { "", "" },
  };
  g_autoptr(GHashTable) table = values ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *result = sp_template_expand (cases[i].template_str, table, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (result, ==, cases[i].expected);
      g_assert_true (sp_template_validate (cases[i].template_str, NULL));
    }
}

static void
test_template_missing_values_expand_empty (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *result = sp_template_expand ("a{number}b{name}c", NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (result, ==, "abc");
}

static void
test_template_errors (void)
{
  static const struct {
    const char *template_str;
    int code;
  } cases[] = {
    { "https://crm/{phone}", SP_TEMPLATE_ERROR_UNKNOWN_PLACEHOLDER },
    { "https://crm/{var:}", SP_TEMPLATE_ERROR_UNKNOWN_PLACEHOLDER },
    { "https://crm/{}", SP_TEMPLATE_ERROR_UNKNOWN_PLACEHOLDER },
    { "https://crm/{number", SP_TEMPLATE_ERROR_SYNTAX },
    { "https://crm/number}", SP_TEMPLATE_ERROR_SYNTAX },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) validate_error = NULL;
      g_autofree char *result = sp_template_expand (cases[i].template_str, NULL, &error);

      g_assert_null (result);
      g_assert_error (error, SP_TEMPLATE_ERROR, cases[i].code);
      g_assert_false (sp_template_validate (cases[i].template_str, &validate_error));
      g_assert_error (validate_error, SP_TEMPLATE_ERROR, cases[i].code);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/template/expands-and-encodes", test_template_expands_and_encodes);
  g_test_add_func ("/template/missing-values-expand-empty", test_template_missing_values_expand_empty);
  g_test_add_func ("/template/errors", test_template_errors);

  return g_test_run ();
}
