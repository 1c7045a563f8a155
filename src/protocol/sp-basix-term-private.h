/* sp-basix-term-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "sp-bert.h"

G_BEGIN_DECLS

/* Positional access to the tuples of ws_cti messages, shared by the element model
 * (sp-basix-model.c) and the parsers of structured field values (sp-basix-fields.c, which
 * defines them). An item that is missing or absent (see sp_basix_term_is_absent()) reads
 * as NULL, or as 0 for sp_basix_term_nth_int64(). */

const SpBertTerm  *sp_basix_term_nth                (const SpBertTerm   *term,
                                                     gsize               index);
char              *sp_basix_term_dup_nth            (const SpBertTerm   *term,
                                                     gsize               index);
gint64             sp_basix_term_nth_int64          (const SpBertTerm   *term,
                                                     gsize               index);
gboolean           sp_basix_term_is_positional      (const SpBertTerm   *term);

G_END_DECLS
