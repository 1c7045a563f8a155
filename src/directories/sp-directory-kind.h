/* sp-directory-kind.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-directory.h"

G_BEGIN_DECLS

#define SP_DIRECTORY_SCHEMA_ID "io.github.screenpop.Screenpop.Directory"

/**
 * SpDirectoryFieldType:
 * @SP_DIRECTORY_FIELD_TEXT: one line of text
 * @SP_DIRECTORY_FIELD_SECRET: a password or token: kept in the keyring, never in settings
 * @SP_DIRECTORY_FIELD_FILE: a file's path
 * @SP_DIRECTORY_FIELD_CHOICE: one of what the field's list_choices() finds (the address
 *   books of the session, …), or none: its fallback, offered first
 */
typedef enum
{
  SP_DIRECTORY_FIELD_TEXT,
  SP_DIRECTORY_FIELD_SECRET,
  SP_DIRECTORY_FIELD_FILE,
  SP_DIRECTORY_FIELD_CHOICE,
} SpDirectoryFieldType;

/**
 * SpDirectoryListChoices:
 * @cancellable: (nullable): cancels the listing
 * @error: where a failure goes
 *
 * Lists what a choice field offers. It may block (ask a service over the bus): the
 * editor calls it in a worker thread.
 *
 * Returns: (transfer full) (element-type SpDirectoryChoice): the choices, or %NULL and
 *   @error set
 */
typedef GPtrArray *(*SpDirectoryListChoices) (GCancellable  *cancellable,
                                              GError       **error);

/* The keys of fields that are not options. */
#define SP_DIRECTORY_FIELD_KEY_SECRET "secret"

/**
 * SpDirectoryField:
 * @key: SP_DIRECTORY_KEY_URL, SP_DIRECTORY_KEY_LOGIN, SP_DIRECTORY_FIELD_KEY_SECRET, or an
 *   option of the kind
 * @title: (translatable): the field's short title in the editor
 * @hint: (translatable) (nullable): help under it (the expected form, the default)
 * @type: what it holds
 * @fallback: (nullable): what an empty field means (shown, and used by the directory); for
 *   a choice, the label (translatable) of the choice of none
 * @list_choices: (nullable): for a choice, what it offers
 *
 * One field of a kind's form in Preferences; the form is built from these alone.
 */
typedef struct
{
  const char           *key;
  const char           *title;
  const char           *hint;
  SpDirectoryFieldType  type;
  const char           *fallback;
  SpDirectoryListChoices list_choices;
} SpDirectoryField;

/**
 * SpDirectoryKind:
 * @id: the kind as stored in the settings ("file", "ldap", …)
 * @label: (translatable): what Preferences calls it
 * @get_type: the #SpDirectory subclass; %G_TYPE_INVALID when the kind's module cannot be
 *   loaded (logged)
 * @fields: its form, %NULL-key terminated
 *
 * One row of the registry of directory kinds: the one place that knows them all.
 */
typedef struct
{
  const char *id;
  const char *label;
  GType     (*get_type) (void);
  const SpDirectoryField *fields;
} SpDirectoryKind;

const SpDirectoryKind *sp_directory_kind_lookup   (const char  *id);
const SpDirectoryKind *sp_directory_kind_get_all  (guint       *n_kinds);
GSettings             *sp_directory_settings_new  (const char  *id);
SpDirectory           *sp_directory_new_for_id    (const char  *id);

G_END_DECLS
