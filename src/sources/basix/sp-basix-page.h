/* sp-basix-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-account-page.h"

G_BEGIN_DECLS

#define SP_TYPE_BASIX_PAGE (sp_basix_page_get_type ())

G_DECLARE_FINAL_TYPE (SpBasixPage, sp_basix_page, SP, BASIX_PAGE, AdwPreferencesGroup)

G_END_DECLS
