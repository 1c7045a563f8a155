/* sp-vcard.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * vCards (a file, a CardDAV answer) read with Evolution's libebook-contacts, which parses
 * vCard 2.1/3.0/4.0 without the address-book daemon.
 */

#define G_LOG_DOMAIN "sp-vcard"

#include "config.h"

#include <string.h>

#include <glib.h>

/* Its headers use GLib API deprecated since (GTimeVal); not ours to fix. */
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
#include <libebook-contacts/libebook-contacts.h>
G_GNUC_END_IGNORE_DEPRECATIONS

#include "sp-directory.h"
#include "sp-vcard.h"

static SpContact *
contact_of (EContact *card)
{
  const char *name = e_contact_get_const (card, E_CONTACT_FULL_NAME);
  const char *org = e_contact_get_const (card, E_CONTACT_ORG);
  SpContact *contact;

  if (name == NULL || *name == '\0')
    name = org;
  if (name == NULL || *name == '\0')
    return NULL;

  contact = sp_contact_new (name);
  if (org != NULL && g_strcmp0 (org, name) != 0)
    contact->company = g_strdup (org);
  contact->department = g_strdup (e_contact_get_const (card, E_CONTACT_ORG_UNIT));
  contact->url = g_strdup (e_contact_get_const (card, E_CONTACT_HOMEPAGE_URL));
  if (contact->department != NULL && *contact->department == '\0')
    g_clear_pointer (&contact->department, g_free);
  if (contact->url != NULL && *contact->url == '\0')
    g_clear_pointer (&contact->url, g_free);

  return contact;
}

/* Whether @stored, which the digit keys did not match, is still @number once parsed as a
 * phone number: "+33 (0)1 23 45 67 89" keeps the trunk 0 that E.164 drops. Only a number
 * that ends with the same last four digits is parsed, so that a book of thousands stays a
 * matter of milliseconds. */
static gboolean
same_e164 (const char          *stored,
           const SpPhoneNumber *number)
{
  g_autoptr(SpPhoneNumber) parsed = NULL;
  g_autofree char *tail = NULL;
  char digits[64];
  gsize n = 0;

  if (number == NULL || number->e164 == NULL)
    return FALSE;
  tail = sp_directory_dup_tail_digits (number);
  if (tail == NULL)
    return FALSE;
  for (const char *p = stored; *p != '\0' && n < sizeof digits - 1; p++)
    if (g_ascii_isdigit (*p))
      digits[n++] = *p;
  digits[n] = '\0';
  if (!g_str_has_suffix (digits, tail))
    return FALSE;

  parsed = sp_phone_number_parse (stored, number->region);
  return parsed->e164 != NULL && g_strcmp0 (parsed->e164, number->e164) == 0;
}

static gboolean
card_has_number (EContact            *card,
                 const char * const  *keys,
                 const SpPhoneNumber *number)
{
  for (GList *l = e_vcard_get_attributes (E_VCARD (card)); l != NULL; l = l->next)
    {
      EVCardAttribute *attr = l->data;
      g_autofree char *value = NULL;

      if (g_ascii_strcasecmp (e_vcard_attribute_get_name (attr), EVC_TEL) != 0)
        continue;
      value = e_vcard_attribute_get_value (attr);
      /* vCard 4.0 writes TEL as a tel: URI. */
      if (value != NULL && g_str_has_prefix (value, "tel:"))
        memmove (value, value + 4, strlen (value + 4) + 1);
      if (sp_directory_keys_match (keys, value) || (value != NULL && same_e164 (value, number)))
        return TRUE;
    }

  return FALSE;
}

/**
 * sp_vcard_match_contact:
 * @card: an #EContact
 * @number: the number looked up
 *
 * Returns: (transfer full) (nullable): the contact of @card when one of its TELs is @number
 */
SpContact *
sp_vcard_match_contact (gpointer             card,
                        const SpPhoneNumber *number)
{
  g_auto(GStrv) keys = NULL;

  g_return_val_if_fail (E_IS_CONTACT (card), NULL);

  keys = sp_directory_dup_number_keys (number);
  return card_has_number (card, (const char * const *) keys, number) ? contact_of (card) : NULL;
}

/**
 * sp_vcard_find_number:
 * @text: one or more vCards, one after the other
 * @number: the number looked up
 *
 * Returns: (transfer full) (nullable): the first card with a TEL that is @number
 */
SpContact *
sp_vcard_find_number (const char          *text,
                      const SpPhoneNumber *number)
{
  const char *p = text;
  g_auto(GStrv) keys = NULL;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (number != NULL, NULL);

  keys = sp_directory_dup_number_keys (number);

  while ((p = strstr (p, "BEGIN:VCARD")) != NULL)
    {
      const char *end = strstr (p, "END:VCARD");
      g_autofree char *one = NULL;
      EContact *card;
      SpContact *contact = NULL;

      if (end == NULL)
        break;
      end += strlen ("END:VCARD");
      one = g_strndup (p, end - p);
      p = end;

      card = e_contact_new_from_vcard (one);
      if (card == NULL)
        continue;
      if (card_has_number (card, (const char * const *) keys, number))
        contact = contact_of (card);
      g_object_unref (card);
      if (contact != NULL)
        return contact;
    }

  return NULL;
}
