/* sp-add-account-dialog.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "sp-account-editor.h"
#include "sp-account-list.h"

G_BEGIN_DECLS

#define SP_TYPE_ADD_ACCOUNT_DIALOG (sp_add_account_dialog_get_type ())

G_DECLARE_FINAL_TYPE (SpAddAccountDialog, sp_add_account_dialog, SP, ADD_ACCOUNT_DIALOG, AdwWindow)

SpAddAccountDialog *sp_add_account_dialog_new        (SpAccountList         *accounts);
SpAccountEditor    *sp_add_account_dialog_get_editor (SpAddAccountDialog *self);

G_END_DECLS
