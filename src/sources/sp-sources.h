/* sp-sources.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-source.h"

G_BEGIN_DECLS

typedef struct
{
  const char *kind;
  const char *label;      /* translatable, for the UI */
} SpSourceKind;

SpSource           *sp_sources_create     (SpAccount  *account,
                                           GError    **error);
const SpSourceKind *sp_sources_get_kinds  (guint      *n_kinds);
const char         *sp_sources_kind_label (const char *kind);

G_END_DECLS
