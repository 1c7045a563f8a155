/* fuzz-url-policy.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Feeds arbitrary URLs to the URL policy (src/desktop/sp-url-policy.c, compiled into this
 * target), as a redmine_rt command, a web service or a template would hand them over, and
 * checks its contract: no crash; a refusal carries an error of its domain; what it lets
 * through is UTF-8 without a control or formatting character, a URL GUri reads, with no
 * user name or password, an http(s) host that cannot pass for another, on an allowed host
 * when the list names some; and the policy says the same again of what it let through.
 *
 * Input: the URL, then optionally a NUL and allowed hosts separated by newlines. */

#define G_LOG_DOMAIN "fuzz-url-policy"

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "fuzz-common.h"
#include "sp-url-policy.h"

int LLVMFuzzerInitialize   (int           *argc,
                            char        ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init (argc, argv);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char * const extra[] = { "tel", "sip", NULL };
  g_autofree char *uri = g_strndup ((const char *) data, size);
  g_auto(GStrv) hosts = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) again_error = NULL;
  g_autoptr(GUri) parsed = NULL;
  g_autofree char *safe = NULL;
  g_autofree char *again = NULL;
  gsize uri_length = strlen (uri);

  if (uri_length + 1 < size)
    {
      g_autofree char *list = g_strndup ((const char *) data + uri_length + 1,
                                         size - uri_length - 1);

      hosts = g_strsplit (list, "\n", 16);
    }

  safe = sp_url_policy_apply (uri, extra, (const char * const *) hosts, &error);
  if (safe == NULL)
    {
      g_assert (error != NULL && error->domain == SP_URL_POLICY_ERROR);
      g_assert (g_utf8_validate (error->message, -1, NULL));
      g_assert (strpbrk (error->message, "\r\n") == NULL);
      return 0;
    }
  g_assert (error == NULL);

  g_assert (g_utf8_validate (safe, -1, NULL));
  for (const char *p = safe; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      g_assert (c >= 0x20 && c != 0x7f);
      g_assert (g_unichar_type (c) != G_UNICODE_CONTROL);
      g_assert (g_unichar_type (c) != G_UNICODE_FORMAT);
    }

  parsed = g_uri_parse (safe, G_URI_FLAGS_NONE, NULL);
  g_assert (parsed != NULL);
  g_assert (g_uri_get_userinfo (parsed) == NULL);
  if (g_uri_get_host (parsed) != NULL && strstr (safe, "://") != NULL)
    g_assert (!sp_url_policy_host_deceives (g_uri_get_host (parsed)) ||
              strstr (safe, g_uri_get_host (parsed)) != NULL);

  again = sp_url_policy_apply (safe, extra, (const char * const *) hosts, &again_error);
  g_assert (again != NULL);
  g_assert (strcmp (again, safe) == 0);
  g_assert (sp_url_policy_check (safe, extra, (const char * const *) hosts, NULL));

  return 0;
}
