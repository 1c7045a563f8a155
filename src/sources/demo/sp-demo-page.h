/* sp-demo-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-account-page.h"

G_BEGIN_DECLS

#define SP_TYPE_DEMO_PAGE (sp_demo_page_get_type ())

G_DECLARE_FINAL_TYPE (SpDemoPage, sp_demo_page, SP, DEMO_PAGE, AdwPreferencesGroup)

G_END_DECLS
