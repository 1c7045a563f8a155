/* sp-xivo-source.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-source.h"

G_BEGIN_DECLS

/* Account options (the "options" key) of the xivo kind, read by the source and written by
 * its page of the account editor. */

/* "false": offer no "Answer", for phones that cannot answer remotely. */
#define SP_XIVO_OPTION_REMOTE_ANSWER "remote-answer"
/* THIRD_PARTY_LOGIN_URL, called (or opened) after each CTI login. */
#define SP_XIVO_OPTION_LOGIN_URL "third-party-login-url"
/* "true": open the login URL in the browser rather than calling it. */
#define SP_XIVO_OPTION_LOGIN_URL_OPEN "third-party-login-open"

/* How often the CTI link is pinged, and how many silent intervals make it dead. */
#define SP_XIVO_PING_INTERVAL_MS 5000
#define SP_XIVO_MISSED_PINGS 3

#define SP_TYPE_XIVO_SOURCE (sp_xivo_source_get_type ())

G_DECLARE_FINAL_TYPE (SpXivoSource, sp_xivo_source, SP, XIVO_SOURCE, SpSource)

SpSource   *sp_xivo_source_new             (SpAccount    *account);
char       *sp_xivo_source_normalize_url   (const char   *url,
                                            GError      **error);
const char *sp_xivo_source_get_token       (SpXivoSource *self);
gint64      sp_xivo_source_get_agent_id    (SpXivoSource *self);
const char *sp_xivo_source_get_agent_state (SpXivoSource *self);
const char *sp_xivo_source_get_agent_cause (SpXivoSource *self);

G_END_DECLS
