/* sp-basix-window-list.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "sp-basix-model.h"

G_BEGIN_DECLS

#define SP_TYPE_BASIX_WINDOW_ITEM (sp_basix_window_item_get_type ())

G_DECLARE_FINAL_TYPE (SpBasixWindowItem, sp_basix_window_item, SP, BASIX_WINDOW_ITEM, GObject)

SpBasixElement *sp_basix_window_item_get_element (SpBasixWindowItem *self);

#define SP_TYPE_BASIX_WINDOW_LIST (sp_basix_window_list_get_type ())

G_DECLARE_FINAL_TYPE (SpBasixWindowList, sp_basix_window_list, SP, BASIX_WINDOW_LIST, GObject)

SpBasixWindowList *sp_basix_window_list_new             (void);
void               sp_basix_window_list_set_pacer       (SpBasixWindowList *self,
                                                         GtkWidget         *pacer);
guint              sp_basix_window_list_get_n_elements  (SpBasixWindowList *self);
void               sp_basix_window_list_replace_all     (SpBasixWindowList *self,
                                                         GPtrArray         *elements);
void               sp_basix_window_list_apply_change    (SpBasixWindowList *self,
                                                         SpBasixChange     *change);

G_END_DECLS
