/* sp-redmine-source.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-redmine-channels.h"
#include "sp-source.h"

G_BEGIN_DECLS

/* Account options (the "options" key) of the redmine-rt kind. */

/* How the keyring secret signs in: SP_REDMINE_AUTH_API_KEY (the default) or
 * SP_REDMINE_AUTH_PASSWORD, a password for the account's login that is traded once for the
 * API key, after which only the key is kept and the option says api-key. */
#define SP_REDMINE_OPTION_AUTH "auth"
#define SP_REDMINE_AUTH_API_KEY "api-key"
#define SP_REDMINE_AUTH_PASSWORD "password"

/* The channel class to try first: "Channel" (redmine_rt since 2022-12-29, the default) or
 * "RedmineRt::Channel" (before). The other one is tried when the first gets no answer. */
#define SP_REDMINE_OPTION_CHANNEL_CLASS "channel-class"

/* How long the server may stay silent (it pings every 3 s). The channel classes and how
 * long a subscription may wait for its answer are in sp-redmine-channels.h. */
#define SP_REDMINE_LIVENESS_MS 6000

#define SP_TYPE_REDMINE_SOURCE (sp_redmine_source_get_type ())

G_DECLARE_FINAL_TYPE (SpRedmineSource, sp_redmine_source, SP, REDMINE_SOURCE, SpSource)

SpSource    *sp_redmine_source_new               (SpAccount       *account);
char        *sp_redmine_source_normalize_url     (const char      *url,
                                                  GError         **error);
const char  *sp_redmine_source_get_login         (SpRedmineSource *self);
const char  *sp_redmine_source_get_channel_class (SpRedmineSource *self);

G_END_DECLS
