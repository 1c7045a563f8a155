/* sp-url-policy.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SP_URL_POLICY_ERROR (sp_url_policy_error_quark ())

typedef enum
{
  SP_URL_POLICY_ERROR_INVALID,
  SP_URL_POLICY_ERROR_SCHEME,
  SP_URL_POLICY_ERROR_HOST,
} SpUrlPolicyError;

GQuark   sp_url_policy_error_quark (void);
gboolean sp_url_policy_check       (const char         *uri,
                                    const char * const *extra_schemes,
                                    const char * const *allowed_hosts,
                                    GError            **error);

G_END_DECLS
