/* sp-pbxis-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "sp-pbxis-source.h"

G_BEGIN_DECLS

#define SP_TYPE_PBXIS_WINDOW (sp_pbxis_window_get_type ())

G_DECLARE_FINAL_TYPE (SpPbxisWindow, sp_pbxis_window, SP, PBXIS_WINDOW, AdwWindow)

SpPbxisWindow *sp_pbxis_window_new                 (SpPbxisSource *source);
const char    *sp_pbxis_window_get_membership_text (SpPbxisWindow *self,
                                                    const char    *agent,
                                                    const char    *queue);
GtkButton     *sp_pbxis_window_get_pause_button    (SpPbxisWindow *self,
                                                    const char    *agent,
                                                    const char    *queue);
GtkButton     *sp_pbxis_window_get_log_button      (SpPbxisWindow *self,
                                                    const char    *agent,
                                                    const char    *queue);
const char    *sp_pbxis_window_get_agent_text      (SpPbxisWindow *self,
                                                    const char    *agent,
                                                    gboolean       title);
const char    *sp_pbxis_window_get_waiting_text    (SpPbxisWindow *self,
                                                    const char    *queue);
char          *sp_pbxis_window_dup_queue_details   (SpPbxisWindow *self,
                                                    const char    *queue);
GtkButton     *sp_pbxis_window_get_reset_button    (SpPbxisWindow *self,
                                                    const char    *queue);
GtkButton     *sp_pbxis_window_get_refresh_button  (SpPbxisWindow *self);
const char    *sp_pbxis_window_get_error           (SpPbxisWindow *self);

G_END_DECLS
