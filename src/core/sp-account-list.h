/* sp-account-list.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sp-account.h"
#include "sp-call-tracker.h"
#include "sp-source.h"

G_BEGIN_DECLS

#define SP_TYPE_ACCOUNT_LIST (sp_account_list_get_type ())

G_DECLARE_FINAL_TYPE (SpAccountList, sp_account_list, SP, ACCOUNT_LIST, GObject)

SpAccountList *sp_account_list_new                (GSettings     *settings,
                                                  SpCallTracker *tracker);
SpAccount     *sp_account_list_lookup             (SpAccountList *self,
                                                  const char    *id);
SpAccount     *sp_account_list_create             (SpAccountList *self,
                                                  const char    *kind,
                                                  const char    *display_name);
void           sp_account_list_add_transient      (SpAccountList *self,
                                                  SpAccount     *account);
void           sp_account_list_add_transient_with_source (SpAccountList *self,
                                                  SpAccount     *account,
                                                  SpSource      *source);
SpSource      *sp_account_list_get_source         (SpAccountList *self,
                                                  const char    *account_id);
void           sp_account_list_remove             (SpAccountList *self,
                                                  const char    *id);
gboolean       sp_account_list_any_enabled        (SpAccountList *self);
void           sp_account_list_stop_all           (SpAccountList *self);

G_END_DECLS
