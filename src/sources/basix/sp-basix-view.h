/* sp-basix-view.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "sp-basix-source.h"

G_BEGIN_DECLS

#define SP_TYPE_BASIX_VIEW (sp_basix_view_get_type ())

G_DECLARE_FINAL_TYPE (SpBasixView, sp_basix_view, SP, BASIX_VIEW, AdwWindow)

SpBasixView *sp_basix_view_new          (SpBasixSource *source);
GListModel  *sp_basix_view_get_calls    (SpBasixView   *self);
GListModel  *sp_basix_view_get_users    (SpBasixView   *self);

G_END_DECLS
