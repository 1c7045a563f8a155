/* sp-url-policy.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-url-policy"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "sp-url-policy.h"

/*
 * The one policy every URL passes before Screenpop opens it, whoever asked: a URL template,
 * a redmine_rt open_url command, a notification button, a third-party web service, the
 * history's "Open in CRM". Servers are not trusted to pick what runs on the agent's
 * desktop, nor to disguise it:
 *
 * - only http and https (and the schemes an account adds; never those that run code or
 *   read local files), and only the allowed hosts when the setting names some;
 * - no control or invisible formatting character anywhere (a CR/LF would reach the
 *   browser's argument; a right-to-left override reorders what a person reads);
 * - no user name or password before the host ("https://bank.example@evil.example/" opens
 *   evil.example);
 * - an internationalised host whose labels mix scripts ("аpple.com", with a Cyrillic "а"),
 *   or a Cyrillic label made only of letters that look Latin, is opened in its ASCII
 *   (punycode) form, which cannot pass for another host. A host in one script, or in the
 *   mixes a language really writes (Japanese: Han, Hiragana, Katakana and Latin; Chinese
 *   with Bopomofo; Korean with Hangul), is left as it is: the profile "Highly Restrictive"
 *   of Unicode's UTS #39.
 */

G_DEFINE_QUARK (sp-url-policy-error-quark, sp_url_policy_error)

/* Never opened, whatever an account allows: they run code or read local files. */
static const char * const forbidden_schemes[] = {
  "file", "javascript", "data", "vbscript", "about", "resource", NULL
};

/* Cyrillic letters that read as Latin ones (а с ԁ е һ і ј ӏ о р ԛ ѕ ԝ х у): a label
 * written only with these passes for a Latin word although it mixes nothing. */
static const gunichar cyrillic_lookalikes[] = {
  0x0430, 0x0441, 0x0501, 0x0435, 0x04BB, 0x0456, 0x0458, 0x04CF, 0x043E, 0x0440, 0x051B,
  0x0455, 0x051D, 0x0445, 0x0443,
};

static gboolean
host_allowed (const char         *host,
              const char * const *allowed_hosts)
{
  gsize host_len = strlen (host);

  for (guint i = 0; allowed_hosts[i] != NULL; i++)
    {
      g_autofree char *entry = g_hostname_to_ascii (allowed_hosts[i]);
      gsize entry_len;

      /* Compared in ASCII: an entry written in Unicode allows its punycode host. */
      if (entry == NULL || entry[0] == '\0')
        continue;
      entry_len = strlen (entry);

      if (g_ascii_strcasecmp (host, entry) == 0)
        return TRUE;

      /* A subdomain of an allowed host is allowed; "evilexample.com" is not "example.com". */
      if (host_len > entry_len + 1 &&
          host[host_len - entry_len - 1] == '.' &&
          g_ascii_strcasecmp (host + host_len - entry_len, entry) == 0)
        return TRUE;
    }

  return FALSE;
}

/* The first control or invisible formatting character of @uri (C0, DEL, C1, and Unicode's
 * Cc and Cf: bidirectional overrides, zero-width joiners…), or 0 when there is none. */
static gunichar
find_control (const char *uri)
{
  for (const char *p = uri; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeType type = g_unichar_type (c);

      if (c < 0x20 || c == 0x7f || type == G_UNICODE_CONTROL || type == G_UNICODE_FORMAT)
        return c;
    }

  return 0;
}

typedef enum
{
  SCRIPT_LATIN    = 1 << 0,
  SCRIPT_HAN      = 1 << 1,
  SCRIPT_HIRAGANA = 1 << 2,
  SCRIPT_KATAKANA = 1 << 3,
  SCRIPT_BOPOMOFO = 1 << 4,
  SCRIPT_HANGUL   = 1 << 5,
  SCRIPT_CYRILLIC = 1 << 6,
  SCRIPT_OTHER    = 1 << 7,
} ScriptSet;

/* Whether one label of a host, in Unicode, could pass for another: it mixes scripts beyond
 * what a language writes together, or it is Cyrillic made only of Latin lookalikes. */
static gboolean
label_deceives (const char *label,
                gsize       length)
{
  const char *end = label + length;
  GUnicodeScript other = G_UNICODE_SCRIPT_INVALID_CODE;
  guint scripts = 0;
  gboolean all_lookalikes = TRUE;

  for (const char *p = label; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeScript script = g_unichar_get_script (c);
      gboolean lookalike = FALSE;

      switch ((int) script)
        {
        case G_UNICODE_SCRIPT_COMMON:
        case G_UNICODE_SCRIPT_INHERITED:
          /* Digits, "-", and marks that take their base's script. */
          continue;
        case G_UNICODE_SCRIPT_LATIN:
          scripts |= SCRIPT_LATIN;
          break;
        case G_UNICODE_SCRIPT_HAN:
          scripts |= SCRIPT_HAN;
          break;
        case G_UNICODE_SCRIPT_HIRAGANA:
          scripts |= SCRIPT_HIRAGANA;
          break;
        case G_UNICODE_SCRIPT_KATAKANA:
          scripts |= SCRIPT_KATAKANA;
          break;
        case G_UNICODE_SCRIPT_BOPOMOFO:
          scripts |= SCRIPT_BOPOMOFO;
          break;
        case G_UNICODE_SCRIPT_HANGUL:
          scripts |= SCRIPT_HANGUL;
          break;
        case G_UNICODE_SCRIPT_CYRILLIC:
          scripts |= SCRIPT_CYRILLIC;
          for (guint i = 0; i < G_N_ELEMENTS (cyrillic_lookalikes); i++)
            lookalike = lookalike || c == cyrillic_lookalikes[i];
          all_lookalikes = all_lookalikes && lookalike;
          break;
        default:
          /* Two scripts we do not name are two scripts. */
          if (other != G_UNICODE_SCRIPT_INVALID_CODE && other != script)
            return TRUE;
          other = script;
          scripts |= SCRIPT_OTHER;
          break;
        }
    }

  if (scripts == SCRIPT_CYRILLIC)
    return all_lookalikes;

  /* One script, or a mix a language writes. */
  if ((scripts & (scripts - 1)) == 0)
    return FALSE;
  if ((scripts & ~(SCRIPT_LATIN | SCRIPT_HAN | SCRIPT_HIRAGANA | SCRIPT_KATAKANA)) == 0 ||
      (scripts & ~(SCRIPT_LATIN | SCRIPT_HAN | SCRIPT_BOPOMOFO)) == 0 ||
      (scripts & ~(SCRIPT_LATIN | SCRIPT_HAN | SCRIPT_HANGUL)) == 0)
    return FALSE;

  return TRUE;
}

/**
 * sp_url_policy_host_deceives:
 * @host: a host name, in Unicode or in ASCII (punycode)
 *
 * Returns: whether @host, shown in Unicode, could pass for another host (see the rules at
 *   the top of this file); an ASCII host without punycode labels never does
 */
gboolean
sp_url_policy_host_deceives (const char *host)
{
  g_autofree char *unicode = NULL;
  const char *label;

  g_return_val_if_fail (host != NULL, FALSE);

  unicode = g_hostname_to_unicode (host);
  if (unicode == NULL)
    return TRUE;

  label = unicode;
  while (TRUE)
    {
      const char *dot = strchr (label, '.');
      gsize length = dot ? (gsize) (dot - label) : strlen (label);

      if (label_deceives (label, length))
        return TRUE;
      if (dot == NULL)
        return FALSE;
      label = dot + 1;
    }
}

/* @uri with its host replaced by @host: the rest is kept byte for byte (a URL rebuilt by
 * GUri would be encoded anew). @uri has an authority and no user information. */
static char *
replace_host (const char *uri,
              const char *host)
{
  const char *authority = strstr (uri, "://");
  const char *end;
  const char *port;

  g_assert (authority != NULL);
  authority += 3;
  end = authority + strcspn (authority, "/?#");
  port = g_strrstr_len (authority, end - authority, ":");
  if (port == NULL || memchr (authority, ']', end - authority) != NULL)
    port = end;

  return g_strdup_printf ("%.*s%s%s", (int) (authority - uri), uri, host, port);
}

/**
 * sp_url_policy_apply:
 * @uri: the URL someone wants opened
 * @extra_schemes: (nullable): schemes the account allows besides http and https
 * @allowed_hosts: (nullable): when not empty, the only hosts (and their subdomains) allowed
 * @error: where to say why not
 *
 * Checks @uri against the policy (see the top of this file).
 *
 * Returns: (transfer full) (nullable): the URL to open and to show: @uri, or @uri with its
 *   host in ASCII (punycode) when the host could pass for another; %NULL if @uri must not
 *   be opened
 */
char *
sp_url_policy_apply (const char         *uri,
                     const char * const *extra_schemes,
                     const char * const *allowed_hosts,
                     GError            **error)
{
  g_autoptr(GUri) parsed = NULL;
  g_autofree char *scheme = NULL;
  const char *host;
  gunichar control;
  gboolean is_web;

  if (uri == NULL || *uri == '\0')
    {
      g_set_error (error, SP_URL_POLICY_ERROR, SP_URL_POLICY_ERROR_INVALID,
                   _("The URL is empty"));
      return NULL;
    }

  /* Before anything else, and without repeating the URL: its line break would break the
   * log line, or the message, that quotes it. */
  if (!g_utf8_validate (uri, -1, NULL))
    {
      g_set_error (error, SP_URL_POLICY_ERROR, SP_URL_POLICY_ERROR_INVALID,
                   _("Refused to open a URL that is not valid UTF-8"));
      return NULL;
    }

  control = find_control (uri);
  if (control != 0)
    {
      g_set_error (error, SP_URL_POLICY_ERROR, SP_URL_POLICY_ERROR_CONTROL,
                   _("Refused to open a URL that contains a control character (U+%04X)"),
                   control);
      return NULL;
    }

  parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  if (parsed == NULL)
    {
      g_set_error (error, SP_URL_POLICY_ERROR, SP_URL_POLICY_ERROR_INVALID,
                   _("“%s” is not a valid URL"), uri);
      return NULL;
    }

  scheme = g_ascii_strdown (g_uri_get_scheme (parsed), -1);
  is_web = g_str_equal (scheme, "http") || g_str_equal (scheme, "https");

  if (g_strv_contains (forbidden_schemes, scheme) ||
      (!is_web && (extra_schemes == NULL || !g_strv_contains (extra_schemes, scheme))))
    {
      g_set_error (error, SP_URL_POLICY_ERROR, SP_URL_POLICY_ERROR_SCHEME,
                   _("Refused to open a URL with the scheme “%s”: only http and https are allowed"),
                   scheme);
      return NULL;
    }

  /* Also an empty one ("https://@host/"): what comes before "@" only serves to disguise. */
  if (g_uri_get_userinfo (parsed) != NULL)
    {
      g_set_error (error, SP_URL_POLICY_ERROR, SP_URL_POLICY_ERROR_USERINFO,
                   _("Refused to open a URL with a user name or password before its host “%s”: "
                     "it can disguise which host it opens"),
                   g_uri_get_host (parsed) ? g_uri_get_host (parsed) : "");
      return NULL;
    }

  /* GUri gives an internationalised host in ASCII, and a percent-encoded one decoded. */
  host = g_uri_get_host (parsed);
  if (is_web && (host == NULL || *host == '\0'))
    {
      g_set_error (error, SP_URL_POLICY_ERROR, SP_URL_POLICY_ERROR_INVALID,
                   _("The URL “%s” names no host"), uri);
      return NULL;
    }

  if (host != NULL)
    {
      for (const char *p = host; *p != '\0'; p++)
        {
          if ((guchar) *p <= ' ' || (guchar) *p >= 0x7f || strchr ("\"<>\\^`{|}%", *p) != NULL)
            {
              g_set_error (error, SP_URL_POLICY_ERROR, SP_URL_POLICY_ERROR_INVALID,
                           _("Refused to open a URL whose host is not a host name"));
              return NULL;
            }
        }
    }

  if (allowed_hosts != NULL && allowed_hosts[0] != NULL &&
      (host == NULL || !host_allowed (host, allowed_hosts)))
    {
      g_set_error (error, SP_URL_POLICY_ERROR, SP_URL_POLICY_ERROR_HOST,
                   _("Refused to open a URL on “%s”: the host is not in the list of allowed hosts"),
                   host ? host : "");
      return NULL;
    }

  if (host != NULL && strstr (uri, "://") != NULL && sp_url_policy_host_deceives (host))
    {
      g_debug ("The host of %s mixes scripts: opened as %s", uri, host);
      return replace_host (uri, host);
    }

  return g_strdup (uri);
}

/**
 * sp_url_policy_check:
 * @uri: the URL someone wants opened
 * @extra_schemes: (nullable): schemes the account allows besides http and https
 * @allowed_hosts: (nullable): when not empty, the only hosts (and their subdomains) allowed
 * @error: where to say why not
 *
 * As sp_url_policy_apply(), for when only the verdict matters.
 *
 * Returns: whether @uri may be opened
 */
gboolean
sp_url_policy_check (const char         *uri,
                     const char * const *extra_schemes,
                     const char * const *allowed_hosts,
                     GError            **error)
{
  g_autofree char *safe = sp_url_policy_apply (uri, extra_schemes, allowed_hosts, error);

  return safe != NULL;
}
