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

/* A CR/LF (or any control, or an invisible formatting character) never reaches the browser's
 * argument, whatever the path; the message does not repeat it. */
static void
test_url_policy_control_characters (void)
{
  static const char *refused[] = {
    "https://crm.example.com/a\nb",
    "https://crm.example.com/c?id=1\r\nX-Injected: yes",
    "https://crm.example.com/\t",
    "https://crm.example.com/\x7f",
    "https://crm.example.com/\xc2\x85",             /* NEL, a C1 control */
    "https://crm.example.com/\xe2\x80\xae/moc.live",  /* a right-to-left override */
    "https://crm.example.com/a\xe2\x80\x8b",         /* a zero-width space */
    "\nhttps://crm.example.com/",
  };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (sp_url_policy_apply (refused[i], NULL, NULL, &error));
      g_assert_error (error, SP_URL_POLICY_ERROR, SP_URL_POLICY_ERROR_CONTROL);
      g_assert_null (strpbrk (error->message, "\r\n\t"));
    }

  /* Percent-encoded, a line break is only text in the URL, and stays encoded. */
  g_assert_true (sp_url_policy_check ("https://crm.example.com/c?q=a%0D%0Ab", NULL, NULL, NULL));
  /* ...but not in the host, where it would be decoded. */
  g_assert_false (sp_url_policy_check ("https://crm%0Aexample.com/", NULL, NULL, NULL));
  g_assert_false (sp_url_policy_check ("https://crm.exa mple.com/", NULL, NULL, NULL));
  /* Not UTF-8 at all. */
  g_assert_false (sp_url_policy_check ("https://crm.example.com/\xff", NULL, NULL, NULL));
}

/* "https://bank.example@evil.example/" opens evil.example: no user information, ever. */
static void
test_url_policy_userinfo (void)
{
  static const char *refused[] = {
    "http://user:pass@crm.example.com/",
    "https://crm.example.com@evil.example/login",
    "https://@crm.example.com/",
    "https://user@crm.example.com:8443/x",
  };
  const char *extra[] = { "sip", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (sp_url_policy_check (refused[i], NULL, NULL, &error));
      g_assert_error (error, SP_URL_POLICY_ERROR, SP_URL_POLICY_ERROR_USERINFO);
      /* The password is not repeated. */
      g_assert_null (strstr (error->message, "user:pass"));
    }

  /* Allowed hosts do not help a URL that hides its host. */
  {
    const char *hosts[] = { "evil.example", NULL };

    g_assert_false (sp_url_policy_check ("https://crm.example.com@evil.example/", NULL, hosts,
                                         NULL));
  }
  /* A scheme without an authority has no user information: sip:bob@host is an address. */
  g_assert_true (sp_url_policy_check ("sip:bob@example.com", extra, NULL, NULL));
}

/* Internationalised hosts: in one script (or the mixes a language writes) as they are; mixed,
 * or Cyrillic that reads as Latin, in punycode, which cannot pass for another host. */
static void
test_url_policy_idn (void)
{
  static const struct {
    const char *uri;
    const char *opened;
  } cases[] = {
    /* Plain ASCII, untouched, port and all. */
    { "https://crm.example.com:8443/c?id=1", "https://crm.example.com:8443/c?id=1" },
    /* One script: Japanese (Han and Hiragana/Katakana mix), German, Greek, Russian. */
    { "https://日本語のサイト.jp/顧客?id=1", "https://日本語のサイト.jp/顧客?id=1" },
    { "https://カスタマー.example/", "https://カスタマー.example/" },
    { "https://bücher.example/x", "https://bücher.example/x" },
    { "https://παράδειγμα.example/", "https://παράδειγμα.example/" },
    { "https://пример.рф/", "https://пример.рф/" },
    /* A Cyrillic "а" in a Latin word: the homoglyph of apple.com. */
    { "https://\xd0\xb0pple.com/login", "https://xn--pple-43d.com/login" },
    { "http://\xd0\xb0pple.com:8080/x?y=1#z", "http://xn--pple-43d.com:8080/x?y=1#z" },
    /* All Cyrillic, but all lookalikes: "аррӏе". */
    { "https://\xd0\xb0\xd1\x80\xd1\x80\xd3\x8f\xd0\xb5.com/", "https://xn--80ak6aa92e.com/" },
    /* Already punycode for a mixed host: left in ASCII. */
    { "https://xn--pple-43d.com/", "https://xn--pple-43d.com/" },
    /* Percent-encoded Unicode in the host: GUri decodes it, so must we. */
    { "https://%D0%B0pple.com/", "https://xn--pple-43d.com/" },
    /* Latin and Greek in one label. */
    { "https://p\xce\xb1ypal.com/", "https://xn--pypal-d9d.com/" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *opened = sp_url_policy_apply (cases[i].uri, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (opened, ==, cases[i].opened);
    }

  g_assert_false (sp_url_policy_host_deceives ("crm.example.com"));
  g_assert_false (sp_url_policy_host_deceives ("xn--wgv71a119e.jp"));
  g_assert_true (sp_url_policy_host_deceives ("xn--pple-43d.com"));

  /* An allowed host written in Unicode allows its punycode form, and only that. */
  {
    const char *hosts[] = { "bücher.example", NULL };

    g_assert_true (sp_url_policy_check ("https://bücher.example/", NULL, hosts, NULL));
    g_assert_true (sp_url_policy_check ("https://xn--bcher-kva.example/", NULL, hosts, NULL));
    g_assert_false (sp_url_policy_check ("https://bucher.example/", NULL, hosts, NULL));
  }
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
  g_test_add_func ("/url-policy/control-characters", test_url_policy_control_characters);
  g_test_add_func ("/url-policy/userinfo", test_url_policy_userinfo);
  g_test_add_func ("/url-policy/idn", test_url_policy_idn);

  return g_test_run ();
}
