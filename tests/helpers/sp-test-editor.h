/* sp-test-editor.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-account-editor.h"

G_BEGIN_DECLS

gpointer  sp_test_editor_find_child  (SpAccountEditor *editor,
                                      const char      *name);
gpointer  sp_test_editor_child       (SpAccountEditor *editor,
                                      const char      *name);
gboolean  sp_test_editor_shown       (SpAccountEditor *editor,
                                      const char      *name);
void      sp_test_editor_select_kind (SpAccountEditor *editor,
                                      const char      *kind);

G_END_DECLS
