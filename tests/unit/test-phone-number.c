/* test-phone-number.c: the phone-number layer, table-driven
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>

#include "sp-phone-number.h"

typedef struct
{
  const char *text;
  const char *region;   /* the user's */
  const char *e164;     /* NULL: not a public number */
  const char *display;
  gboolean    withheld;
} Case;

static const Case cases[] = {
  /* Japanese fixed lines, in every form a PBX sends them */
  { "0312345678", "JP", "+81312345678", "03-1234-5678", FALSE },
  { "03-1234-5678", "JP", "+81312345678", "03-1234-5678", FALSE },
  { "+81 3-1234-5678", "JP", "+81312345678", "03-1234-5678", FALSE },
  { "81312345678", "JP", "+81312345678", "03-1234-5678", FALSE },
  { "tel:+81-3-1234-5678", "JP", "+81312345678", "03-1234-5678", FALSE },
  { "sip:0312345678@pbx.example", "JP", "+81312345678", "03-1234-5678", FALSE },
  { "0612345678", "JP", "+81612345678", "06-1234-5678", FALSE },
  /* Japanese mobile and toll-free */
  { "09012345678", "JP", "+819012345678", "090-1234-5678", FALSE },
  { "0120123456", "JP", "+81120123456", "0120-123-456", FALSE },
  /* A Japanese number seen from Croatia, a German one seen from Japan */
  { "+81312345678", "HR", "+81312345678", "+81 3-1234-5678", FALSE },
  { "+4930901820", "JP", "+4930901820", "+49 30 901820", FALSE },
  { "030901820", "DE", "+4930901820", "030 901820", FALSE },
  /* Croatian mobile: E.164 in, national out */
  { "callto:+385915551234", "HR", "+385915551234", "091 555 1234", FALSE },
  /* Extensions and short codes: shown as sent, no key */
  { "147", "JP", NULL, "147", FALSE },
  { "2001", "DE", NULL, "2001", FALSE },
  /* Withheld */
  { "anonymous", "JP", NULL, "anonymous", TRUE },
  { "Anonymous", "HR", NULL, "Anonymous", TRUE },
  { "非通知", "JP", NULL, "非通知", TRUE },
  { "", "JP", NULL, "", TRUE },
  { NULL, "JP", NULL, "", TRUE },
  /* Garbage */
  { "hello", "JP", NULL, "hello", FALSE },
  { "+", "JP", NULL, "+", FALSE },
  { "tel:", "JP", NULL, "", TRUE },
  { "0", "JP", NULL, "0", FALSE },
};

static void
test_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      g_autoptr(SpPhoneNumber) number = sp_phone_number_parse (c->text, c->region);

      g_test_message ("%s in %s", c->text, c->region);
      g_assert_cmpstr (number->e164, ==, c->e164);
      g_assert_cmpstr (number->display, ==, c->display);
      g_assert_cmpint (number->withheld, ==, c->withheld);
    }
}

static void
test_variants (void)
{
  g_autoptr(SpPhoneNumber) number = sp_phone_number_parse ("+81 3-1234-5678", "JP");
  g_auto(GStrv) variants = sp_phone_number_dup_variants (number);
  g_autoptr(SpPhoneNumber) withheld = sp_phone_number_parse ("anonymous", "JP");
  g_auto(GStrv) none = sp_phone_number_dup_variants (withheld);
  g_autoptr(SpPhoneNumber) exten = sp_phone_number_parse ("147", "JP");
  g_auto(GStrv) exten_variants = sp_phone_number_dup_variants (exten);

  g_assert_true (g_strv_contains ((const char * const *) variants, "+81312345678"));
  g_assert_true (g_strv_contains ((const char * const *) variants, "81312345678"));
  g_assert_true (g_strv_contains ((const char * const *) variants, "0312345678"));
  g_assert_true (g_strv_contains ((const char * const *) variants, "03-1234-5678"));
  g_assert_true (g_strv_contains ((const char * const *) variants, "+81 3-1234-5678"));
  g_assert_true (g_strv_contains ((const char * const *) variants, "+81-3-1234-5678"));
  /* No duplicates: the raw text is also the international form here. */
  g_assert_cmpuint (g_strv_length (variants), ==, 6);

  g_assert_cmpuint (g_strv_length (none), ==, 0);
  g_assert_cmpuint (g_strv_length (exten_variants), ==, 1);
  g_assert_cmpstr (exten_variants[0], ==, "147");
}

static void
test_locale_region (void)
{
  g_autofree char *region = NULL;

  /* The tests run under C.UTF-8 or similar, which names no region; LANG is the fallback. */
  g_setenv ("LANG", "ja_JP.UTF-8", TRUE);
  g_unsetenv ("LC_ALL");
  region = sp_phone_number_dup_locale_region ();
  if (g_strcmp0 (setlocale (LC_MESSAGES, NULL), "C") == 0 ||
      g_strcmp0 (setlocale (LC_MESSAGES, NULL), "C.UTF-8") == 0)
    g_assert_cmpstr (region, ==, "JP");
  else
    g_assert_nonnull (region);
}

/* Parses are cached by text and region (issue 16): the same text parsed again gives an equal
 * number that the caller owns, and the same text in another region is parsed for that
 * region, not served from the first. Many distinct numbers (past the cache's bound) still
 * parse right. */
static void
test_cache (void)
{
  g_autoptr(SpPhoneNumber) first = sp_phone_number_parse ("0312345678", "JP");
  g_autoptr(SpPhoneNumber) again = sp_phone_number_parse ("0312345678", "JP");
  g_autoptr(SpPhoneNumber) berlin_in_jp = sp_phone_number_parse ("03012345678", "JP");
  g_autoptr(SpPhoneNumber) berlin = sp_phone_number_parse ("03012345678", "DE");

  g_assert_true (first != again);
  g_assert_cmpstr (first->e164, ==, "+81312345678");
  g_assert_cmpstr (again->e164, ==, "+81312345678");
  g_assert_cmpstr (again->display, ==, first->display);
  g_assert_cmpstr (berlin_in_jp->e164, ==, NULL);
  g_assert_cmpstr (berlin->e164, ==, "+493012345678");

  for (guint i = 0; i < 2000; i++)
    {
      g_autofree char *text = g_strdup_printf ("03%08u", 10000000 + i);
      g_autofree char *e164 = g_strdup_printf ("+813%08u", 10000000 + i);
      g_autoptr(SpPhoneNumber) number = sp_phone_number_parse (text, "JP");

      g_assert_cmpstr (number->e164, ==, e164);
    }

  g_clear_pointer (&again, sp_phone_number_free);
  again = sp_phone_number_parse ("0312345678", "JP");
  g_assert_cmpstr (again->e164, ==, "+81312345678");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/phone-number/table", test_table);
  g_test_add_func ("/phone-number/variants", test_variants);
  g_test_add_func ("/phone-number/locale-region", test_locale_region);
  g_test_add_func ("/phone-number/cache", test_cache);

  return g_test_run ();
}
