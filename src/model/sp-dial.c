/* sp-dial.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "sp-dial.h"

/* Skips @scheme (with its colon) at the start of @text, in any case. */
static gboolean
skip_scheme (const char **text,
             const char  *scheme)
{
  gsize length = strlen (scheme);

  if (g_ascii_strncasecmp (*text, scheme, length) != 0 || (*text)[length] != ':')
    return FALSE;

  *text += length + 1;
  return TRUE;
}

/**
 * sp_dial_normalize:
 * @link_or_number: what a person typed or a page linked: "+385 (91) 555-1234",
 *   "tel:+385-91-555-1234;phone-context=example.com", "callto://0915551234",
 *   "sip:+385915551234@pbx.example.com", "tel:%2B385915551234"
 *
 * The one reading of a number to dial, for every backend: the link's scheme (`tel:`,
 * `callto:`, `sip:`/`sips:`), its parameters (`;…`, `?…`) and a SIP host go; percent-escapes
 * are decoded; visual separators (space, `-`, `.`, `(`, `)`, `/`) are dropped; a leading `+`
 * stays, as do `*` and `#`, which dial plans use for services.
 *
 * Returns: (transfer full) (nullable): the digits to dial ("+385915551234"), or %NULL when
 *   @link_or_number is not a phone number (letters, a `+` anywhere but first, nothing to
 *   dial, more than %SP_DIAL_MAX_NUMBER characters)
 */
char *
sp_dial_normalize (const char *link_or_number)
{
  g_autofree char *unescaped = NULL;
  g_autoptr(GString) out = NULL;
  const char *text;
  const char *end;
  gboolean sip;
  gboolean link;

  if (link_or_number == NULL)
    return NULL;

  text = link_or_number;
  while (g_ascii_isspace (*text))
    text++;

  sip = skip_scheme (&text, "sip") || skip_scheme (&text, "sips");
  link = sip || skip_scheme (&text, "tel") || skip_scheme (&text, "callto");

  /* Links write "callto://NUMBER" as often as "callto:NUMBER". */
  while (*text == '/')
    text++;

  /* A tel: URI carries parameters after the number, a SIP URI its host and parameters; a
   * bare number has neither, so "…; anything" is no number. */
  end = text + (link ? strcspn (text, sip ? ";?@" : ";?") : strlen (text));
  unescaped = g_uri_unescape_segment (text, end, NULL);
  if (unescaped == NULL)
    return NULL;

  out = g_string_new (NULL);
  for (const char *p = unescaped; *p != '\0'; p++)
    {
      char c = *p;

      if (g_ascii_isdigit (c) || c == '*' || c == '#')
        g_string_append_c (out, c);
      else if (c == '+' && out->len == 0)
        g_string_append_c (out, c);
      else if (strchr (" \t-.()/", c) == NULL)
        return NULL;
    }

  if (out->len == 0 || g_str_equal (out->str, "+") || out->len > SP_DIAL_MAX_NUMBER)
    return NULL;

  return g_string_free (g_steal_pointer (&out), FALSE);
}
