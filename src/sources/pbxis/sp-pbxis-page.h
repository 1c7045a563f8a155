/* sp-pbxis-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-account-page.h"

G_BEGIN_DECLS

#define SP_TYPE_PBXIS_PAGE (sp_pbxis_page_get_type ())

G_DECLARE_FINAL_TYPE (SpPbxisPage, sp_pbxis_page, SP, PBXIS_PAGE, AdwPreferencesGroup)

G_END_DECLS
