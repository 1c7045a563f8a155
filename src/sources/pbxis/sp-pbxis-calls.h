/* sp-pbxis-calls.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-call-event.h"
#include "sp-pbxis.h"
#include "sp-pbxis-dials.h"

G_BEGIN_DECLS

/**
 * SpPbxisCalls:
 *
 * The calls of a pbxis account's agents, as its events tell them: a plain struct the
 * source owns and feeds. See sp-pbxis-calls.c.
 */
typedef struct _SpPbxisCalls SpPbxisCalls;

SpPbxisCalls *sp_pbxis_calls_new              (const char         *account_id);
void          sp_pbxis_calls_free             (SpPbxisCalls       *self);
void          sp_pbxis_calls_set_ring_timeout (SpPbxisCalls       *self,
                                               guint               seconds);
GPtrArray    *sp_pbxis_calls_feed             (SpPbxisCalls       *self,
                                               const SpPbxisEvent *event,
                                               gint64              now);
gint64        sp_pbxis_calls_get_deadline     (SpPbxisCalls       *self);
GPtrArray    *sp_pbxis_calls_expire           (SpPbxisCalls       *self,
                                               gint64              now);
guint         sp_pbxis_calls_get_n_pending    (SpPbxisCalls       *self);
SpPbxisDials *sp_pbxis_calls_get_dials        (SpPbxisCalls       *self);
void          sp_pbxis_calls_reset            (SpPbxisCalls       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpPbxisCalls, sp_pbxis_calls_free)

G_END_DECLS
