/* sp-basix-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "sp-basix-source.h"

G_BEGIN_DECLS

#define SP_TYPE_BASIX_WINDOW (sp_basix_window_get_type ())

G_DECLARE_FINAL_TYPE (SpBasixWindow, sp_basix_window, SP, BASIX_WINDOW, AdwWindow)

SpBasixWindow *sp_basix_window_new       (SpBasixSource *source);
GListModel    *sp_basix_window_get_calls (SpBasixWindow *self);
GListModel    *sp_basix_window_get_users (SpBasixWindow *self);

G_END_DECLS
