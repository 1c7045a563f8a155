/* sp-contact.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * SpContact:
 * @name: who is calling ("山田 太郎", "Ana Horvat"); never %NULL or empty
 * @company: (nullable): their organisation
 * @department: (nullable): their department
 * @url: (nullable): the contact's page in the directory or CRM ("Open" opens it)
 * @directory: (nullable): the label of the directory that knew them
 *
 * Who a number belongs to, as a directory answered.
 */
typedef struct
{
  char *name;
  char *company;
  char *department;
  char *url;
  char *directory;
} SpContact;

#define SP_TYPE_CONTACT (sp_contact_get_type ())

GType      sp_contact_get_type (void) G_GNUC_CONST;
SpContact *sp_contact_new      (const char      *name);
SpContact *sp_contact_copy     (const SpContact *self);
void       sp_contact_free     (SpContact       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpContact, sp_contact_free)

G_END_DECLS
