/* sp-directory-editor.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SP_TYPE_DIRECTORY_EDITOR (sp_directory_editor_get_type ())

G_DECLARE_FINAL_TYPE (SpDirectoryEditor, sp_directory_editor, SP, DIRECTORY_EDITOR, AdwWindow)

SpDirectoryEditor *sp_directory_editor_new          (GSettings         *settings,
                                                     const char        *directory_id);
void               sp_directory_editor_set_field    (SpDirectoryEditor *self,
                                                     const char        *key,
                                                     const char        *text);
void               sp_directory_editor_select_kind  (SpDirectoryEditor *self,
                                                     const char        *kind_id);
void               sp_directory_editor_test         (SpDirectoryEditor *self,
                                                     const char        *number);
const char        *sp_directory_editor_get_test_result (SpDirectoryEditor *self);
void               sp_directory_editor_save         (SpDirectoryEditor *self);

G_END_DECLS
