/* sp-popup-notifier-source.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-source.h"

G_BEGIN_DECLS

#define SP_TYPE_POPUP_NOTIFIER_SOURCE (sp_popup_notifier_source_get_type ())

G_DECLARE_FINAL_TYPE (SpPopupNotifierSource, sp_popup_notifier_source, SP, POPUP_NOTIFIER_SOURCE, SpSource)

SpSource *sp_popup_notifier_source_new           (SpAccount   *account);
char     *sp_popup_notifier_source_normalize_url (const char  *url,
                                                  GError     **error);

G_END_DECLS
