/* sp-url-policy.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SP_URL_POLICY_ERROR (sp_url_policy_error_quark ())

/**
 * SpUrlPolicyError:
 * @SP_URL_POLICY_ERROR_INVALID: not a URL, or a web URL without a host
 * @SP_URL_POLICY_ERROR_SCHEME: a scheme that is not allowed
 * @SP_URL_POLICY_ERROR_HOST: a host that is not in the allowed hosts
 * @SP_URL_POLICY_ERROR_CONTROL: a control or invisible formatting character (CR, LF…)
 * @SP_URL_POLICY_ERROR_USERINFO: a user name or password before the host
 */
typedef enum
{
  SP_URL_POLICY_ERROR_INVALID,
  SP_URL_POLICY_ERROR_SCHEME,
  SP_URL_POLICY_ERROR_HOST,
  SP_URL_POLICY_ERROR_CONTROL,
  SP_URL_POLICY_ERROR_USERINFO,
} SpUrlPolicyError;

GQuark   sp_url_policy_error_quark   (void);
char    *sp_url_policy_apply         (const char         *uri,
                                      const char * const *extra_schemes,
                                      const char * const *allowed_hosts,
                                      GError            **error);
gboolean sp_url_policy_check         (const char         *uri,
                                      const char * const *extra_schemes,
                                      const char * const *allowed_hosts,
                                      GError            **error);
gboolean sp_url_policy_host_deceives (const char         *host);

G_END_DECLS
