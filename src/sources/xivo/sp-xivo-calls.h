/* sp-xivo-calls.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-account.h"
#include "sp-call-event.h"
#include "sp-xivo.h"

G_BEGIN_DECLS

/**
 * SpXivoCallsEmitFunc:
 * @event: (transfer none): a call event of the account, to be emitted as it is
 * @user_data: what was given to sp_xivo_calls_new()
 *
 * Called at the moment the event happens, while the mapping is in the state it describes.
 */
typedef void (*SpXivoCallsEmitFunc) (SpCallEvent *event,
                                     gpointer     user_data);

typedef struct _SpXivoCalls SpXivoCalls;

SpXivoCalls *sp_xivo_calls_new            (SpAccount              *account,
                                           SpXivoCallsEmitFunc     emit,
                                           gpointer                user_data);
void         sp_xivo_calls_free           (SpXivoCalls            *self);

void         sp_xivo_calls_phone_event    (SpXivoCalls            *self,
                                           const SpXivoPhoneEvent *event);
void         sp_xivo_calls_resync         (SpXivoCalls            *self,
                                           GPtrArray              *events);
void         sp_xivo_calls_forget         (SpXivoCalls            *self);

guint        sp_xivo_calls_get_n_live     (SpXivoCalls            *self);
gboolean     sp_xivo_calls_lookup         (SpXivoCalls            *self,
                                           const char             *call_id,
                                           const char            **unique_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpXivoCalls, sp_xivo_calls_free)

G_END_DECLS
