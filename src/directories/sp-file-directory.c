/* sp-file-directory.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The smallest office's directory: a vCard file (.vcf, as address books export) or a CSV
 * file whose first row names the columns. The file is read in a thread on each lookup, so
 * that an edit is seen at the next call without a restart; offices keep these small.
 *
 * CSV columns (case-insensitive; several phone columns may be given):
 *   name | full name | 名前 | 氏名             the caller's name (required)
 *   company | organization | 会社 | 会社名      their company
 *   department | 部署                           their department
 *   phone | number | tel | mobile | 電話 | 電話番号 | 携帯   a number
 *   url                                         their page in the CRM
 */

#define G_LOG_DOMAIN "sp-file-directory"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-directory.h"
#include "sp-file-directory.h"
#include "sp-vcard.h"

/* Nobody keeps a phone list this big in a file; a bigger one is a wrong path. */
#define MAX_FILE_SIZE (16 * 1024 * 1024)

struct _SpFileDirectory
{
  SpDirectory parent_instance;
};

G_DEFINE_FINAL_TYPE (SpFileDirectory, sp_file_directory, SP_TYPE_DIRECTORY)

typedef enum { COL_OTHER, COL_NAME, COL_COMPANY, COL_DEPARTMENT, COL_PHONE, COL_URL } Column;

static Column
column_of (const char *header)
{
  static const struct { const char *name; Column column; } names[] = {
    { "name", COL_NAME }, { "full name", COL_NAME }, { "fullname", COL_NAME },
    { "名前", COL_NAME }, { "氏名", COL_NAME },
    { "company", COL_COMPANY }, { "organization", COL_COMPANY },
    { "organisation", COL_COMPANY }, { "会社", COL_COMPANY }, { "会社名", COL_COMPANY },
    { "department", COL_DEPARTMENT }, { "部署", COL_DEPARTMENT },
    { "phone", COL_PHONE }, { "number", COL_PHONE }, { "tel", COL_PHONE },
    { "telephone", COL_PHONE }, { "mobile", COL_PHONE }, { "電話", COL_PHONE },
    { "電話番号", COL_PHONE }, { "携帯", COL_PHONE },
    { "url", COL_URL },
  };
  g_autofree char *folded = g_utf8_casefold (header, -1);

  g_strstrip (folded);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (folded, names[i].name) == 0)
      return names[i].column;

  return COL_OTHER;
}

/* One CSV record (RFC 4180: quoted fields, "" inside quotes, CRLF or LF) from *pos. */
static GPtrArray *
read_record (const char **pos)
{
  GPtrArray *fields = g_ptr_array_new_with_free_func (g_free);
  GString *field = g_string_new (NULL);
  const char *p = *pos;
  gboolean quoted = FALSE;

  for (; *p != '\0'; p++)
    {
      if (quoted)
        {
          if (*p == '"' && p[1] == '"')
            g_string_append_c (field, *p++);
          else if (*p == '"')
            quoted = FALSE;
          else
            g_string_append_c (field, *p);
        }
      else if (*p == '"')
        quoted = TRUE;
      else if (*p == ',')
        {
          g_ptr_array_add (fields, g_string_free (field, FALSE));
          field = g_string_new (NULL);
        }
      else if (*p == '\n')
        {
          p++;
          break;
        }
      else if (*p != '\r')
        g_string_append_c (field, *p);
    }

  g_ptr_array_add (fields, g_string_free (field, FALSE));
  *pos = p;
  return fields;
}

static SpContact *
csv_find_number (const char          *text,
                 const SpPhoneNumber *number)
{
  const char *pos = text;
  g_autoptr(GPtrArray) header = NULL;
  g_autoptr(GArray) columns = g_array_new (FALSE, FALSE, sizeof (Column));
  g_auto(GStrv) keys = sp_directory_dup_number_keys (number);

  /* A byte-order mark, as spreadsheet programs write. */
  if (g_str_has_prefix (pos, "\xef\xbb\xbf"))
    pos += 3;

  header = read_record (&pos);
  for (guint i = 0; i < header->len; i++)
    {
      Column column = column_of (g_ptr_array_index (header, i));
      g_array_append_val (columns, column);
    }

  while (*pos != '\0')
    {
      g_autoptr(GPtrArray) record = read_record (&pos);
      const char *name = NULL, *company = NULL, *department = NULL, *url = NULL;
      gboolean found = FALSE;
      SpContact *contact;

      for (guint i = 0; i < record->len && i < columns->len; i++)
        {
          const char *value = g_ptr_array_index (record, i);

          switch (g_array_index (columns, Column, i))
            {
            case COL_NAME: name = value; break;
            case COL_COMPANY: company = value; break;
            case COL_DEPARTMENT: department = value; break;
            case COL_URL: url = value; break;
            case COL_PHONE:
              found = found || sp_directory_keys_match ((const char * const *) keys, value);
              break;
            case COL_OTHER: default: break;
            }
        }

      if (!found || name == NULL || *name == '\0')
        continue;

      contact = sp_contact_new (name);
      contact->company = company != NULL && *company != '\0' ? g_strdup (company) : NULL;
      contact->department = department != NULL && *department != '\0' ? g_strdup (department) : NULL;
      contact->url = url != NULL && *url != '\0' ? g_strdup (url) : NULL;
      return contact;
    }

  return NULL;
}

typedef struct
{
  SpPhoneNumber *number;
  char          *location;   /* read on the main thread: GSettings stays there */
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  sp_phone_number_free (lookup->number);
  g_free (lookup->location);
  g_free (lookup);
}

static void
lookup_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Lookup *lookup = task_data;
  const SpPhoneNumber *number = lookup->number;
  const char *location = lookup->location;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *path = NULL;
  gsize length;

  if (*location == '\0')
    {
      g_task_return_new_error (task, SP_DIRECTORY_ERROR, SP_DIRECTORY_ERROR_CONFIG,
                               _("No file is chosen"));
      return;
    }

  file = g_str_has_prefix (location, "file:") ? g_file_new_for_uri (location)
                                              : g_file_new_for_path (location);
  path = g_file_get_path (file);
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE,
                            cancellable, &error);
  if (info != NULL && g_file_info_get_size (info) > MAX_FILE_SIZE)
    {
      g_task_return_new_error (task, SP_DIRECTORY_ERROR, SP_DIRECTORY_ERROR_BAD_ANSWER,
                               _("%s is too big for a phone list (over 16 MB)"), path);
      return;
    }
  if (info == NULL || !g_file_load_contents (file, cancellable, &text, &length, NULL, &error))
    {
      g_task_return_new_error (task, SP_DIRECTORY_ERROR, SP_DIRECTORY_ERROR_UNREACHABLE,
                               _("Could not read %s: %s"), path, error->message);
      return;
    }
  if (!g_utf8_validate_len (text, length, NULL))
    {
      g_task_return_new_error (task, SP_DIRECTORY_ERROR, SP_DIRECTORY_ERROR_BAD_ANSWER,
                               _("%s is not UTF-8 text; save it as UTF-8"), path);
      return;
    }

  if (strstr (text, "BEGIN:VCARD") != NULL)
    g_task_return_pointer (task, sp_vcard_find_number (text, number),
                           (GDestroyNotify) sp_contact_free);
  else
    g_task_return_pointer (task, csv_find_number (text, number),
                           (GDestroyNotify) sp_contact_free);
}

static void
sp_file_directory_lookup_async (SpDirectory         *self,
                                const SpPhoneNumber *number,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Lookup *lookup = g_new0 (Lookup, 1);

  lookup->number = sp_phone_number_copy (number);
  lookup->location = g_settings_get_string (sp_directory_get_settings (self),
                                            SP_DIRECTORY_KEY_URL);
  g_task_set_source_tag (task, sp_file_directory_lookup_async);
  g_task_set_task_data (task, lookup, (GDestroyNotify) lookup_free);
  g_task_run_in_thread (task, lookup_thread);
}

static SpContact *
sp_file_directory_lookup_finish (SpDirectory   *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
sp_file_directory_class_init (SpFileDirectoryClass *klass)
{
  SpDirectoryClass *directory_class = SP_DIRECTORY_CLASS (klass);

  directory_class->lookup_async = sp_file_directory_lookup_async;
  directory_class->lookup_finish = sp_file_directory_lookup_finish;
}

static void
sp_file_directory_init (SpFileDirectory *self)
{
}
