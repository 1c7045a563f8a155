/* sp-directories-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "sp-caller-id.h"

G_BEGIN_DECLS

#define SP_TYPE_DIRECTORIES_PAGE (sp_directories_page_get_type ())

G_DECLARE_FINAL_TYPE (SpDirectoriesPage, sp_directories_page, SP, DIRECTORIES_PAGE,
                      AdwPreferencesPage)

SpDirectoriesPage *sp_directories_page_new (GSettings  *settings,
                                            SpCallerId *caller_id);

G_END_DECLS
