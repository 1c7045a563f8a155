/* sp-phone-number.cc
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one phone-number layer: Debian's libphonenumber (Google's metadata of every region's
 * numbering plan) behind a small C API. This is the only C++ in the tree; nothing C++ leaks
 * through the header.
 */

#define G_LOG_DOMAIN "sp-phone-number"


#include <locale.h>
#include <string.h>

#include <phonenumbers/phonenumberutil.h>

#include "sp-phone-number.h"

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

G_DEFINE_BOXED_TYPE (SpPhoneNumber, sp_phone_number, sp_phone_number_copy, sp_phone_number_free)

/* What PBXs put in the number field when the caller withheld it: Asterisk's "anonymous",
 * SIP's "Anonymous"/"unavailable", carriers' "private"/"restricted", Japanese 非通知. */
static const char * const withheld_words[] = {
  "anonymous", "private", "withheld", "restricted", "unknown", "unavailable", "blocked",
  "\xe9\x9d\x9e\xe9\x80\x9a\xe7\x9f\xa5", /* 非通知 */
};

/**
 * sp_phone_number_text_is_withheld:
 * @text: (nullable): a number as a backend sent it
 *
 * Returns: whether @text says the caller withheld the number (or there is none)
 */
gboolean
sp_phone_number_text_is_withheld (const char *text)
{
  g_autofree char *folded = NULL;

  if (text == NULL)
    return TRUE;

  folded = g_utf8_casefold (text, -1);
  g_strstrip (folded);
  if (*folded == '\0')
    return TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (withheld_words); i++)
    if (strcmp (folded, withheld_words[i]) == 0)
      return TRUE;

  return FALSE;
}

/* "tel:+81-3-1234-5678;phone-context=…" → "+81-3-1234-5678"; "sip:0312345678@pbx" →
 * "0312345678". Other text is kept as it is, trimmed. */
static char *
strip_link (const char *text)
{
  static const char * const schemes[] = { "tel:", "callto:", "sip:", "sips:" };
  const char *start = text;
  size_t len;

  while (g_ascii_isspace (*start))
    start++;

  for (guint i = 0; i < G_N_ELEMENTS (schemes); i++)
    if (g_ascii_strncasecmp (start, schemes[i], strlen (schemes[i])) == 0)
      {
        start += strlen (schemes[i]);
        while (*start == '/')
          start++;
        len = strcspn (start, ";@?");
        return g_strstrip (g_strndup (start, len));
      }

  return g_strstrip (g_strdup (start));
}

static gboolean
all_digits (const char *text)
{
  if (*text == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

static gboolean
parse_valid (const PhoneNumberUtil *util,
             const std::string     &text,
             const std::string     &region,
             PhoneNumber           *number)
{
  if (util->Parse (text, region, number) != PhoneNumberUtil::NO_PARSING_ERROR)
    return FALSE;
  return util->IsValidNumber (*number);
}

/* Parsed numbers by region and text. A call is parsed at every event that touches it, and a
 * desk sees the same few numbers over and over, while libphonenumber's parse (its regular
 * expressions run by ICU) was a seventh of the instructions of a ring (issue 16). The cache
 * is bounded (emptied when full) and locked, as lookups may parse from worker threads. */
#define PARSE_CACHE_SIZE 512

static GMutex      parse_cache_lock;
static GHashTable *parse_cache;

static SpPhoneNumber *parse_uncached (const char *text,
                                      const char *region);

/**
 * sp_phone_number_parse:
 * @text: (nullable): a number as a backend sent it: `0312345678`, `+81 3-1234-5678`,
 *   `81312345678`, a `tel:` link, an extension, or anything else
 * @region: (nullable): the user's region ("JP"); %NULL or "" for the locale's
 *
 * Returns: (transfer full): the parsed number; never %NULL
 */
SpPhoneNumber *
sp_phone_number_parse (const char *text,
                       const char *region)
{
  g_autofree char *locale_region = NULL;
  g_autofree char *key = NULL;
  SpPhoneNumber *cached;
  SpPhoneNumber *self;

  if (region == NULL || *region == '\0')
    region = locale_region = sp_phone_number_dup_locale_region ();
  if (region == NULL)
    region = "ZZ";

  /* The region cannot contain a newline, so the key is unambiguous. */
  key = g_strconcat (region, "\n", text != NULL ? text : "", NULL);

  g_mutex_lock (&parse_cache_lock);
  if (parse_cache == NULL)
    parse_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) sp_phone_number_free);
  cached = (SpPhoneNumber *) g_hash_table_lookup (parse_cache, key);
  self = cached != NULL ? sp_phone_number_copy (cached) : NULL;
  g_mutex_unlock (&parse_cache_lock);

  if (self != NULL)
    return self;

  self = parse_uncached (text, region);

  g_mutex_lock (&parse_cache_lock);
  if (g_hash_table_size (parse_cache) >= PARSE_CACHE_SIZE)
    g_hash_table_remove_all (parse_cache);
  g_hash_table_replace (parse_cache, g_steal_pointer (&key), sp_phone_number_copy (self));
  g_mutex_unlock (&parse_cache_lock);

  return self;
}

/* @region: resolved, never %NULL */
static SpPhoneNumber *
parse_uncached (const char *text,
                const char *region)
{
  const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance ();
  SpPhoneNumber *self = g_new0 (SpPhoneNumber, 1);
  PhoneNumber number;
  gboolean valid;
  std::string out;

  self->raw = strip_link (text != NULL ? text : "");
  self->withheld = sp_phone_number_text_is_withheld (self->raw);

  if (self->withheld)
    {
      self->display = g_strdup (self->raw);
      return self;
    }

  valid = parse_valid (util, self->raw, region, &number);

  /* "81312345678": a country code without its "+", as some PBXs give external numbers. */
  if (!valid && all_digits (self->raw) && strlen (self->raw) >= 8)
    {
      g_autofree char *plus = g_strconcat ("+", self->raw, NULL);
      valid = parse_valid (util, plus, region, &number);
    }

  if (!valid)
    {
      /* An extension, a short code or garbage: shown as sent, never used as a key. */
      self->display = g_strdup (self->raw);
      return self;
    }

  util->Format (number, PhoneNumberUtil::E164, &out);
  self->e164 = g_strdup (out.c_str ());

  util->GetRegionCodeForNumber (number, &out);
  self->region = g_strdup (out.c_str ());

  /* People write their own country's numbers nationally and others' internationally. */
  if (g_strcmp0 (self->region, region) == 0)
    util->Format (number, PhoneNumberUtil::NATIONAL, &out);
  else
    util->Format (number, PhoneNumberUtil::INTERNATIONAL, &out);
  self->display = g_strdup (out.c_str ());

  return self;
}

/**
 * sp_phone_number_dup_variants:
 * @self: a number
 *
 * The forms a directory may have stored the number in, for lookups: E.164, E.164 without
 * "+", national digits, national and international formatting, RFC 3966 (tel: URIs), the
 * raw text.
 *
 * Returns: (transfer full): a %NULL-terminated array without duplicates; empty for a
 *   withheld number
 */
char **
sp_phone_number_dup_variants (const SpPhoneNumber *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (self != NULL, NULL);

  if (self->withheld)
    return g_strv_builder_end (builder);

  if (self->e164 != NULL)
    {
      const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance ();
      PhoneNumber number;
      std::string out;

      g_ptr_array_add (all, g_strdup (self->e164));
      g_ptr_array_add (all, g_strdup (self->e164 + 1));

      if (util->Parse (self->e164, "ZZ", &number) == PhoneNumberUtil::NO_PARSING_ERROR)
        {
          util->Format (number, PhoneNumberUtil::NATIONAL, &out);
          g_ptr_array_add (all, g_strdup (out.c_str ()));
          util->NormalizeDigitsOnly (&out);
          g_ptr_array_add (all, g_strdup (out.c_str ()));
          util->Format (number, PhoneNumberUtil::INTERNATIONAL, &out);
          g_ptr_array_add (all, g_strdup (out.c_str ()));
          /* RFC 3966, as vCard 4.0 TEL URIs write it: "+81-3-1234-5678". */
          util->Format (number, PhoneNumberUtil::RFC3966, &out);
          if (g_str_has_prefix (out.c_str (), "tel:"))
            g_ptr_array_add (all, g_strdup (out.c_str () + 4));
        }
    }

  if (*self->raw != '\0')
    g_ptr_array_add (all, g_strdup (self->raw));

  for (guint i = 0; i < all->len; i++)
    {
      const char *variant = (const char *) g_ptr_array_index (all, i);
      gboolean seen = FALSE;

      for (guint j = 0; j < i; j++)
        seen = seen || g_strcmp0 (variant, (const char *) g_ptr_array_index (all, j)) == 0;
      if (!seen && *variant != '\0')
        g_strv_builder_add (builder, variant);
    }

  return g_strv_builder_end (builder);
}

/**
 * sp_phone_number_dup_locale_region:
 *
 * Returns: (transfer full) (nullable): the region of the user's locale ("JP" for
 *   ja_JP.UTF-8), or %NULL when the locale names none (C, POSIX)
 */
char *
sp_phone_number_dup_locale_region (void)
{
  const char *candidates[] = {
#ifdef LC_TELEPHONE
    setlocale (LC_TELEPHONE, NULL),
#endif
    setlocale (LC_MESSAGES, NULL),
    g_getenv ("LC_ALL"),
    g_getenv ("LANG"),
  };

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      const char *locale = candidates[i];
      const char *underscore;

      if (locale == NULL || (underscore = strchr (locale, '_')) == NULL)
        continue;
      if (g_ascii_isalpha (underscore[1]) && g_ascii_isalpha (underscore[2]) &&
          (underscore[3] == '\0' || underscore[3] == '.' || underscore[3] == '@'))
        return g_ascii_strup (underscore + 1, 2);
    }

  return NULL;
}

SpPhoneNumber *
sp_phone_number_copy (const SpPhoneNumber *self)
{
  SpPhoneNumber *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (SpPhoneNumber, 1);
  copy->raw = g_strdup (self->raw);
  copy->e164 = g_strdup (self->e164);
  copy->display = g_strdup (self->display);
  copy->region = g_strdup (self->region);
  copy->withheld = self->withheld;
  return copy;
}

void
sp_phone_number_free (SpPhoneNumber *self)
{
  if (self == NULL)
    return;
  g_free (self->raw);
  g_free (self->e164);
  g_free (self->display);
  g_free (self->region);
  g_free (self);
}
