/* test-dial.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * sp_dial_normalize(), the one reading of a number to dial for every backend: one table.
 */

#include "config.h"

#include "sp-dial.h"

static void
test_table (void)
{
  static const struct {
    const char *input;
    const char *expected;   /* NULL: refused */
  } cases[] = {
    /* What people type. */
    { "0915551234", "0915551234" },
    { "+385 (91) 555-1234", "+385915551234" },
    { "091.555.1234", "0915551234" },
    { "  0427/123 456\t", "0427123456" },
    { "*31#", "*31#" },
    /* Links, as the issue caught XiVO sending them raw. */
    { "tel:+385-91-555-1234", "+385915551234" },
    { "TEL:+385-91-555-1234", "+385915551234" },
    { "tel:+385-91-555-1234;phone-context=example.com", "+385915551234" },
    { "tel:%2B385915551234", "+385915551234" },
    { "tel:0915551234?x=1", "0915551234" },
    { "callto:0915551234", "0915551234" },
    { "callto://+385915551234", "+385915551234" },
    { "sip:+385915551234@pbx.example.com", "+385915551234" },
    { "sips:1000@pbx.example.com;transport=tls", "1000" },
    /* Garbage. */
    { "", NULL },
    { "   ", NULL },
    { "+", NULL },
    { "tel:", NULL },
    { "tel:+-", NULL },
    { "1-800-FLOWERS", NULL },
    { "0915+551234", NULL },
    { "++385915551234", NULL },
    { "sip:alice@pbx.example.com", NULL },
    { "mailto:0915551234", NULL },
    { "javascript:alert(1)", NULL },
    { "tel:091%00555", NULL },
    { "tel:%zz", NULL },
    { "0915551234; rm -rf /", NULL },
    { "12345678901234567890123456789012345678901234567890123456789012345", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *number = sp_dial_normalize (cases[i].input);

      g_test_message ("%s", cases[i].input);
      g_assert_cmpstr (number, ==, cases[i].expected);
    }

  g_assert_null (sp_dial_normalize (NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dial/table", test_table);

  return g_test_run ();
}
