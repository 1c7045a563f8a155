/* sp-directory-kind.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * THE registry of directory kinds. Adding a kind: its folder-local files, one row here.
 */

#define G_LOG_DOMAIN "sp-directory-kind"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-directory-kind.h"
#include "sp-file-directory.h"

static const SpDirectoryField file_fields[] = {
  { SP_DIRECTORY_KEY_URL, N_("File"),
    N_("A vCard file (.vcf) or a CSV file whose first row names the columns: name, company, "
       "department, phone (one or more), url"),
    SP_DIRECTORY_FIELD_FILE, NULL },
  { NULL }
};

static const SpDirectoryKind kinds[] = {
  { "file", N_("vCard or CSV File"), sp_file_directory_get_type, file_fields },
};

/**
 * sp_directory_kind_lookup:
 *
 * Returns: (nullable): the kind called @id
 */
const SpDirectoryKind *
sp_directory_kind_lookup (const char *id)
{
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_strcmp0 (kinds[i].id, id) == 0)
      return &kinds[i];
  return NULL;
}

/**
 * sp_directory_kind_get_all:
 * @n_kinds: (out): how many there are
 *
 * Returns: (array length=n_kinds): every kind, in the order Preferences offers them
 */
const SpDirectoryKind *
sp_directory_kind_get_all (guint *n_kinds)
{
  *n_kinds = G_N_ELEMENTS (kinds);
  return kinds;
}

/**
 * sp_directory_settings_new:
 * @id: a directory id
 *
 * Returns: (transfer full): the directory's settings, at
 *   `/io/github/screenpop/Screenpop/directories/ID/`
 */
GSettings *
sp_directory_settings_new (const char *id)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (id != NULL && *id != '\0', NULL);

  path = g_strdup_printf ("/io/github/screenpop/Screenpop/directories/%s/", id);
  return g_settings_new_with_path (SP_DIRECTORY_SCHEMA_ID, path);
}

/**
 * sp_directory_new_for_id:
 * @id: a directory id
 *
 * Returns: (transfer full) (nullable): the directory its settings describe, or %NULL for
 *   a kind this version does not know (logged)
 */
SpDirectory *
sp_directory_new_for_id (const char *id)
{
  g_autoptr(GSettings) settings = sp_directory_settings_new (id);
  g_autofree char *kind_id = g_settings_get_string (settings, SP_DIRECTORY_KEY_KIND);
  const SpDirectoryKind *kind = sp_directory_kind_lookup (kind_id);

  if (kind == NULL)
    {
      g_message ("Directory %s has a kind this version does not know (“%s”); skipping it",
                 id, kind_id);
      return NULL;
    }

  return g_object_new (kind->get_type (), "id", id, "settings", settings, NULL);
}
