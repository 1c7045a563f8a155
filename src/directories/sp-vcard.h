/* sp-vcard.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-contact.h"
#include "sp-phone-number.h"

G_BEGIN_DECLS

SpContact *sp_vcard_match_contact (gpointer            card,
                                   const SpPhoneNumber *number);
SpContact *sp_vcard_find_number (const char          *text,
                                 const SpPhoneNumber *number);

G_END_DECLS
