/* sp-caller-id.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sp-call-tracker.h"
#include "sp-contact.h"
#include "sp-phone-number.h"

G_BEGIN_DECLS

#define SP_TYPE_CALLER_ID (sp_caller_id_get_type ())

G_DECLARE_FINAL_TYPE (SpCallerId, sp_caller_id, SP, CALLER_ID, GObject)

SpCallerId *sp_caller_id_new               (SpCallTracker       *tracker,
                                            GSettings           *settings);
GListModel *sp_caller_id_get_directories   (SpCallerId          *self);
void        sp_caller_id_set_budget        (SpCallerId          *self,
                                            guint                msec);
void        sp_caller_id_clear_cache       (SpCallerId          *self);
void        sp_caller_id_lookup_async      (SpCallerId          *self,
                                            const SpPhoneNumber *number,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
SpContact  *sp_caller_id_lookup_finish     (SpCallerId          *self,
                                            GAsyncResult        *result,
                                            GError             **error);

G_END_DECLS
