/* sp-directory-kind.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-directory.h"

G_BEGIN_DECLS

#define SP_DIRECTORY_SCHEMA_ID "io.github.screenpop.Screenpop.Directory"

/**
 * SpDirectoryKind:
 * @id: the kind as stored in the settings ("file", "ldap", …)
 * @label: (translatable): what Preferences calls it
 * @get_type: the #SpDirectory subclass
 *
 * One row of the registry of directory kinds: the one place that knows them all.
 */
typedef struct
{
  const char *id;
  const char *label;
  GType     (*get_type) (void);
} SpDirectoryKind;

const SpDirectoryKind *sp_directory_kind_lookup   (const char  *id);
const SpDirectoryKind *sp_directory_kind_get_all  (guint       *n_kinds);
GSettings             *sp_directory_settings_new  (const char  *id);
SpDirectory           *sp_directory_new_for_id    (const char  *id);

G_END_DECLS
