/* sp-basix-source.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-source.h"
#include "sp-basix-calls.h"
#include "sp-basix-model.h"

G_BEGIN_DECLS

/* Account options (the "options" key) of the basix kind, read by the source and written by
 * its page of the account editor. */

/* The PBX domain the API token belongs to (required). */
#define SP_BASIX_OPTION_DOMAIN "domain"
/* How to connect: unset for the API token itself, SP_BASIX_AUTH_TICKET for a new ticket
 * (gen_ws_ticket) for each connection. */
#define SP_BASIX_OPTION_AUTH "auth"
#define SP_BASIX_AUTH_TICKET "ticket"
/* Whose calls to show: the selector named by SP_BASIX_OPTION_USER_SELECTOR (user_name by
 * default) with the value SP_BASIX_OPTION_USER (or else the account's login). A selector
 * may also be an option of its own, e.g. `user_extension=201`. The selectors,
 * SP_BASIX_SELECTOR_USER_ID …, are in sp-basix-calls.h: the calls mapping finds the user
 * by them. */
#define SP_BASIX_OPTION_USER_SELECTOR "user_selector"
#define SP_BASIX_OPTION_USER "user"
/* The application name the server counts connections by (empty: screenpop). */
#define SP_BASIX_OPTION_APP_NAME "app_name"
/* "true": every call of the PBX, not only the user's (not with tickets). */
#define SP_BASIX_OPTION_FULL_EVENTS "full_events"
/* "true": take over an older connection when the server's limit is reached;
 * SP_BASIX_OPTION_FORCE is the older spelling, still read. */
#define SP_BASIX_OPTION_FORCED "forced"
#define SP_BASIX_OPTION_FORCE "force"

#define SP_TYPE_BASIX_SOURCE (sp_basix_source_get_type ())

G_DECLARE_FINAL_TYPE (SpBasixSource, sp_basix_source, SP, BASIX_SOURCE, SpSource)

SpSource     *sp_basix_source_new        (SpAccount      *account);
char         *sp_basix_source_normalize_url (const char *url,
                                             GError    **error);
SpBasixModel *sp_basix_source_get_model  (SpBasixSource  *self);
void          sp_basix_source_process_frame (SpBasixSource *self,
                                          GBytes         *message);
void          sp_basix_source_receive_frame (SpBasixSource *self,
                                          GBytes         *message);

G_END_DECLS
