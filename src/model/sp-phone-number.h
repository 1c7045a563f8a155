/* sp-phone-number.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * SpPhoneNumber:
 * @raw: the text as the backend sent it (a `tel:` link's scheme and parameters removed)
 * @e164: the E.164 key (`+81312345678`), or %NULL for a number that is not a public
 *   number (an extension, a withheld number, garbage)
 * @display: how people of the user's region write it (`03-1234-5678` in Japan, `+49 30
 *   901820` for a German number); @raw when it cannot be parsed; never %NULL
 * @region: the number's region ("JP"), or %NULL
 * @withheld: the caller withheld the number (anonymous, private, …): never looked up
 *
 * A number parsed once, against the user's region, so that display, lookups, the history
 * and "call back" agree on what it is.
 */
typedef struct
{
  char     *raw;
  char     *e164;
  char     *display;
  char     *region;
  gboolean  withheld;
} SpPhoneNumber;

#define SP_TYPE_PHONE_NUMBER (sp_phone_number_get_type ())

GType           sp_phone_number_get_type       (void) G_GNUC_CONST;
SpPhoneNumber  *sp_phone_number_parse          (const char          *text,
                                                const char          *region);
SpPhoneNumber  *sp_phone_number_copy           (const SpPhoneNumber *self);
void            sp_phone_number_free           (SpPhoneNumber       *self);
char          **sp_phone_number_dup_variants   (const SpPhoneNumber *self);
gboolean        sp_phone_number_text_is_withheld (const char        *text);
char           *sp_phone_number_dup_locale_region (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpPhoneNumber, sp_phone_number_free)

G_END_DECLS
