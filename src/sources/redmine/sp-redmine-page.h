/* sp-redmine-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-account-page.h"

G_BEGIN_DECLS

#define SP_TYPE_REDMINE_PAGE (sp_redmine_page_get_type ())

G_DECLARE_FINAL_TYPE (SpRedminePage, sp_redmine_page, SP, REDMINE_PAGE, AdwPreferencesGroup)

G_END_DECLS
