/* sp-contact.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "sp-contact.h"

G_DEFINE_BOXED_TYPE (SpContact, sp_contact, sp_contact_copy, sp_contact_free)

/**
 * sp_contact_new:
 * @name: the contact's name, not empty
 *
 * Returns: (transfer full): a contact with only a name; set the other fields directly
 */
SpContact *
sp_contact_new (const char *name)
{
  SpContact *self;

  g_return_val_if_fail (name != NULL && *name != '\0', NULL);

  self = g_new0 (SpContact, 1);
  self->name = g_strdup (name);
  return self;
}

SpContact *
sp_contact_copy (const SpContact *self)
{
  SpContact *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = sp_contact_new (self->name);
  copy->company = g_strdup (self->company);
  copy->department = g_strdup (self->department);
  copy->url = g_strdup (self->url);
  copy->directory = g_strdup (self->directory);
  return copy;
}

void
sp_contact_free (SpContact *self)
{
  if (self == NULL)
    return;
  g_free (self->name);
  g_free (self->company);
  g_free (self->department);
  g_free (self->url);
  g_free (self->directory);
  g_free (self);
}
