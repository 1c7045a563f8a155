/* sp-dial.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* No dial plan takes a longer number; anything longer is not one. */
#define SP_DIAL_MAX_NUMBER 64

char *sp_dial_normalize (const char *link_or_number);

G_END_DECLS
