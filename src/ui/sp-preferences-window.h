/* sp-preferences-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "sp-account-editor.h"
#include "sp-account-list.h"
#include "sp-history.h"

G_BEGIN_DECLS

#define SP_TYPE_PREFERENCES_WINDOW (sp_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (SpPreferencesWindow, sp_preferences_window, SP, PREFERENCES_WINDOW, AdwPreferencesWindow)

SpPreferencesWindow *sp_preferences_window_new (GSettings  *settings,
                                                SpAccountList *accounts,
                                                SpHistory  *history);

SpAccountEditor     *sp_preferences_window_edit_account (SpPreferencesWindow *self,
                                                        const char          *account_id);

G_END_DECLS
