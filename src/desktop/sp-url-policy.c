/* sp-url-policy.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-url-policy"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-url-policy.h"

/*
 * The one policy every URL passes before Screenpop opens it, whoever asked: a URL template,
 * a redmine_rt open_url command, a notification button, a third-party web service. Servers
 * are not trusted to pick what runs on the agent's desktop.
 */

G_DEFINE_QUARK (sp-url-policy-error-quark, sp_url_policy_error)

/* Never opened, whatever an account allows: they run code or read local files. */
static const char * const forbidden_schemes[] = {
  "file", "javascript", "data", "vbscript", "about", "resource", NULL
};

static gboolean
host_allowed (const char         *host,
              const char * const *allowed_hosts)
{
  for (guint i = 0; allowed_hosts[i] != NULL; i++)
    {
      const char *entry = allowed_hosts[i];
      gsize host_len = strlen (host);
      gsize entry_len = strlen (entry);

      if (entry_len == 0)
        continue;

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

/**
 * sp_url_policy_check:
 * @uri: the URL someone wants opened
 * @extra_schemes: (nullable): schemes the account allows besides http and https
 * @allowed_hosts: (nullable): when not empty, the only hosts (and their subdomains) allowed
 * @error: where to say why not
 *
 * Returns: whether @uri may be opened
 */
gboolean
sp_url_policy_check (const char         *uri,
                     const char * const *extra_schemes,
                     const char * const *allowed_hosts,
                     GError            **error)
{
  g_autoptr(GUri) parsed = NULL;
  g_autofree char *scheme = NULL;
  const char *host;
  gboolean is_web;

  if (uri == NULL || *uri == '\0')
    {
      g_set_error (error, SP_URL_POLICY_ERROR, SP_URL_POLICY_ERROR_INVALID,
                   _("The URL is empty"));
      return FALSE;
    }

  parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  if (parsed == NULL)
    {
      g_set_error (error, SP_URL_POLICY_ERROR, SP_URL_POLICY_ERROR_INVALID,
                   _("“%s” is not a valid URL"), uri);
      return FALSE;
    }

  scheme = g_ascii_strdown (g_uri_get_scheme (parsed), -1);
  is_web = g_str_equal (scheme, "http") || g_str_equal (scheme, "https");

  if (g_strv_contains (forbidden_schemes, scheme) ||
      (!is_web && (extra_schemes == NULL || !g_strv_contains (extra_schemes, scheme))))
    {
      g_set_error (error, SP_URL_POLICY_ERROR, SP_URL_POLICY_ERROR_SCHEME,
                   _("Refused to open a URL with the scheme “%s”: only http and https are allowed"),
                   scheme);
      return FALSE;
    }

  host = g_uri_get_host (parsed);
  if (is_web && (host == NULL || *host == '\0'))
    {
      g_set_error (error, SP_URL_POLICY_ERROR, SP_URL_POLICY_ERROR_INVALID,
                   _("The URL “%s” names no host"), uri);
      return FALSE;
    }

  if (allowed_hosts != NULL && allowed_hosts[0] != NULL &&
      (host == NULL || !host_allowed (host, allowed_hosts)))
    {
      g_set_error (error, SP_URL_POLICY_ERROR, SP_URL_POLICY_ERROR_HOST,
                   _("Refused to open a URL on “%s”: the host is not in the list of allowed hosts"),
                   host ? host : "");
      return FALSE;
    }

  return TRUE;
}
