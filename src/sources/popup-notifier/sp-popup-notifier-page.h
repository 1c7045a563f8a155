/* sp-popup-notifier-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-account-page.h"

G_BEGIN_DECLS

#define SP_TYPE_POPUP_NOTIFIER_PAGE (sp_popup_notifier_page_get_type ())

G_DECLARE_FINAL_TYPE (SpPopupNotifierPage, sp_popup_notifier_page, SP, POPUP_NOTIFIER_PAGE,
                      AdwPreferencesGroup)

G_END_DECLS
