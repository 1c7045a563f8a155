/* sp-history-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "sp-engine.h"

G_BEGIN_DECLS

#define SP_TYPE_HISTORY_WINDOW (sp_history_window_get_type ())

G_DECLARE_FINAL_TYPE (SpHistoryWindow, sp_history_window, SP, HISTORY_WINDOW, AdwWindow)

SpHistoryWindow *sp_history_window_new         (SpEngine        *engine);
void             sp_history_window_set_search  (SpHistoryWindow *self,
                                                const char      *text);
guint            sp_history_window_get_n_shown (SpHistoryWindow *self);

G_END_DECLS
