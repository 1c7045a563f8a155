/* sp-basix-calls.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "sp-basix-model.h"
#include "sp-call-event.h"

G_BEGIN_DECLS

/* How the account's Basix user is found among the users (the `user_selector` option of the
 * basix kind, and options of their own: see sp-basix-source.h), and the query parameter the
 * connection names that user with. */
#define SP_BASIX_SELECTOR_USER_ID "user_id"
#define SP_BASIX_SELECTOR_USER_NAME "user_name"
#define SP_BASIX_SELECTOR_USER_LABEL "user_label"
#define SP_BASIX_SELECTOR_USER_EXTENSION "user_extension"
#define SP_BASIX_SELECTOR_USER_DID "user_did"
#define SP_BASIX_SELECTOR_USER_EMAIL "user_email"

typedef struct _SpBasixCalls SpBasixCalls;

SpBasixCalls *sp_basix_calls_new             (const char          *account_id,
                                              SpBasixModel        *model);
void          sp_basix_calls_free            (SpBasixCalls        *self);
void          sp_basix_calls_set_user        (SpBasixCalls        *self,
                                              const char          *selector,
                                              const char          *value,
                                              const char * const  *extensions);
void          sp_basix_calls_set_full_events (SpBasixCalls        *self,
                                              gboolean             full_events);
void          sp_basix_calls_model_reset     (SpBasixCalls        *self);
GPtrArray    *sp_basix_calls_apply           (SpBasixCalls        *self,
                                              const SpBasixUpdate *update);
gboolean      sp_basix_calls_apply_some      (SpBasixCalls        *self,
                                              const SpBasixUpdate *update,
                                              guint               *position,
                                              gint64               deadline,
                                              GPtrArray           *events);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpBasixCalls, sp_basix_calls_free)

G_END_DECLS
