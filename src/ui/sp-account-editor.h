/* sp-account-editor.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "sp-account-page.h"
#include "sp-account-list.h"

G_BEGIN_DECLS

#define SP_TYPE_ACCOUNT_EDITOR (sp_account_editor_get_type ())

G_DECLARE_FINAL_TYPE (SpAccountEditor, sp_account_editor, SP, ACCOUNT_EDITOR, AdwBin)

SpAccountEditor *sp_account_editor_new         (SpAccountList       *accounts,
                                                SpAccount        *account);
SpAccount       *sp_account_editor_get_account (SpAccountEditor  *self);
const char      *sp_account_editor_get_kind    (SpAccountEditor  *self);
SpAccountPage   *sp_account_editor_get_page    (SpAccountEditor  *self);
gboolean         sp_account_editor_get_can_save (SpAccountEditor *self);
void             sp_account_editor_save_async  (SpAccountEditor  *self,
                                                GCancellable     *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer          user_data);
SpAccount       *sp_account_editor_save_finish (SpAccountEditor  *self,
                                                GAsyncResult     *result,
                                                GError          **error);

G_END_DECLS
