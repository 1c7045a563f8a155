/* sp-pbxis-panel.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "sp-pbxis-source.h"

G_BEGIN_DECLS

#define SP_TYPE_PBXIS_PANEL (sp_pbxis_panel_get_type ())

G_DECLARE_FINAL_TYPE (SpPbxisPanel, sp_pbxis_panel, SP, PBXIS_PANEL, AdwWindow)

SpPbxisPanel *sp_pbxis_panel_new                 (SpPbxisSource *source);
const char   *sp_pbxis_panel_get_membership_text (SpPbxisPanel  *self,
                                                  const char    *queue);
const char   *sp_pbxis_panel_get_waiting_text    (SpPbxisPanel  *self,
                                                  const char    *queue);
GtkButton    *sp_pbxis_panel_get_pause_button    (SpPbxisPanel  *self,
                                                  const char    *queue);
GtkButton    *sp_pbxis_panel_get_log_button      (SpPbxisPanel  *self,
                                                  const char    *queue);
const char   *sp_pbxis_panel_get_error           (SpPbxisPanel  *self);
const char   *sp_pbxis_panel_get_subtitle        (SpPbxisPanel  *self);

G_END_DECLS
