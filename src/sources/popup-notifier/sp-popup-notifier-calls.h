/* sp-popup-notifier-calls.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-account.h"
#include "sp-call-event.h"
#include "sp-popup-notifier.h"

G_BEGIN_DECLS

typedef struct _SpPopupNotifierCalls SpPopupNotifierCalls;

SpPopupNotifierCalls *sp_popup_notifier_calls_new     (SpAccount            *account);
void                  sp_popup_notifier_calls_free    (SpPopupNotifierCalls *self);
void                  sp_popup_notifier_calls_reset   (SpPopupNotifierCalls *self);
GPtrArray            *sp_popup_notifier_calls_call_in (SpPopupNotifierCalls *self,
                                                       const SpPopupCallIn  *call_in,
                                                       gint64                now);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpPopupNotifierCalls, sp_popup_notifier_calls_free)

G_END_DECLS
