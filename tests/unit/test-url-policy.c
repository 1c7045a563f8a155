/* test-url-policy.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "sp-url-policy.h"

static void
test_url_policy_web_only_by_default (void)
{
  static const char *allowed[] = {
    "http://crm.example.com/c?id=1",
    "https://crm.example.com/",
    "HTTPS://CRM.EXAMPLE.COM/x",
    "https://[::1]:8443/x",
  };
  static const struct {
    const char *uri;
    const char *scheme;
  } refused[] = {
    { "file:///etc/passwd", "file" },
    { "javascript:alert(1)", "javascript" },
    { "data:text/html,<b>x</b>", "data" },
    { "tel:+4930123", "tel" },
    { "ftp://example.com/x", "ftp" },
    { "smb://server/share", "smb" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (allowed); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (sp_url_policy_check (allowed[i], NULL, NULL, &error));
      g_assert_no_error (error);
    }

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (sp_url_policy_check (refused[i].uri, NULL, NULL, &error));
      g_assert_error (error, SP_URL_POLICY_ERROR, SP_URL_POLICY_ERROR_SCHEME);
      /* The message names the scheme, so a person knows what was refused. */
      g_assert_nonnull (strstr (error->message, refused[i].scheme));
    }
}

static void
test_url_policy_account_schemes (void)
{
  const char *extra[] = { "tel", "sip", "file", NULL };
  g_autoptr(GError) error = NULL;

  g_assert_true (sp_url_policy_check ("tel:+4930123", extra, NULL, NULL));
  g_assert_true (sp_url_policy_check ("sip:bob@example.com", extra, NULL, NULL));
  /* file: never, even when an account lists it. */
  g_assert_false (sp_url_policy_check ("file:///etc/passwd", extra, NULL, &error));
  g_assert_error (error, SP_URL_POLICY_ERROR, SP_URL_POLICY_ERROR_SCHEME);
}

static void
test_url_policy_invalid (void)
{
  static const char *invalid[] = { "", "not a url", "https://", "http:///path", "://x" };

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (sp_url_policy_check (invalid[i], NULL, NULL, &error));
      g_assert_nonnull (error);
    }

  g_assert_false (sp_url_policy_check (NULL, NULL, NULL, NULL));
}

static void
test_url_policy_hosts (void)
{
  const char *hosts[] = { "example.com", "crm.internal", NULL };
  const char *empty[] = { NULL };
  g_autoptr(GError) error = NULL;

  g_assert_true (sp_url_policy_check ("https://example.com/x", NULL, hosts, NULL));
  g_assert_true (sp_url_policy_check ("https://crm.example.com/x", NULL, hosts, NULL));
  g_assert_true (sp_url_policy_check ("http://CRM.INTERNAL:8080/", NULL, hosts, NULL));
  g_assert_false (sp_url_policy_check ("https://evilexample.com/", NULL, hosts, NULL));
  g_assert_false (sp_url_policy_check ("https://example.com.evil.org/", NULL, hosts, &error));
  g_assert_error (error, SP_URL_POLICY_ERROR, SP_URL_POLICY_ERROR_HOST);
  /* An empty list means no host restriction. */
  g_assert_true (sp_url_policy_check ("https://anything.org/", NULL, empty, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/url-policy/web-only-by-default", test_url_policy_web_only_by_default);
  g_test_add_func ("/url-policy/account-schemes", test_url_policy_account_schemes);
  g_test_add_func ("/url-policy/invalid", test_url_policy_invalid);
  g_test_add_func ("/url-policy/hosts", test_url_policy_hosts);

  return g_test_run ();
}
