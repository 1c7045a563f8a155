/* sp-accounts.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sp-account.h"
#include "sp-call-tracker.h"
#include "sp-source.h"

G_BEGIN_DECLS

#define SP_TYPE_ACCOUNTS (sp_accounts_get_type ())

G_DECLARE_FINAL_TYPE (SpAccounts, sp_accounts, SP, ACCOUNTS, GObject)

SpAccounts *sp_accounts_new            (GSettings     *settings,
                                        SpCallTracker *tracker);
SpAccount  *sp_accounts_lookup         (SpAccounts    *self,
                                        const char    *id);
SpAccount  *sp_accounts_create         (SpAccounts    *self,
                                        const char    *kind,
                                        const char    *display_name);
void        sp_accounts_add_transient  (SpAccounts    *self,
                                        SpAccount     *account);
void        sp_accounts_add_transient_with_source (SpAccounts *self,
                                        SpAccount     *account,
                                        SpSource      *source);
SpSource   *sp_accounts_get_source     (SpAccounts    *self,
                                        const char    *account_id);
void        sp_accounts_remove         (SpAccounts    *self,
                                        const char    *id);
gboolean    sp_accounts_any_enabled    (SpAccounts    *self);
void        sp_accounts_stop_all       (SpAccounts    *self);

G_END_DECLS
