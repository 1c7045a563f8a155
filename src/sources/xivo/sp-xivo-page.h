/* sp-xivo-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-account-page.h"

G_BEGIN_DECLS

#define SP_TYPE_XIVO_PAGE (sp_xivo_page_get_type ())

G_DECLARE_FINAL_TYPE (SpXivoPage, sp_xivo_page, SP, XIVO_PAGE, AdwPreferencesGroup)

G_END_DECLS
