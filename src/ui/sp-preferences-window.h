/* sp-preferences-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "sp-account-editor.h"
#include "sp-accounts.h"
#include "sp-history.h"

G_BEGIN_DECLS

#define SP_TYPE_PREFERENCES_WINDOW (sp_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (SpPreferencesWindow, sp_preferences_window, SP, PREFERENCES_WINDOW, AdwPreferencesWindow)

SpPreferencesWindow *sp_preferences_window_new (GSettings  *settings,
                                                SpAccounts *accounts,
                                                SpHistory  *history);

SpAccountEditor     *sp_preferences_window_edit_account (SpPreferencesWindow *self,
                                                        const char          *account_id);

gboolean sp_settings_strv_to_text (GValue   *value,
                                   GVariant *variant,
                                   gpointer  user_data);
GVariant *sp_settings_text_to_strv (const GValue       *value,
                                    const GVariantType *expected_type,
                                    gpointer            user_data);

G_END_DECLS
