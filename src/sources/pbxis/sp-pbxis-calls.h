/* sp-pbxis-calls.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-call-event.h"
#include "sp-pbxis.h"

G_BEGIN_DECLS

/**
 * SpPbxisCalls:
 *
 * The calls of a pbxis account's agents, as its events tell them: a plain struct the
 * source owns and feeds. See sp-pbxis-calls.c.
 */
typedef struct _SpPbxisCalls SpPbxisCalls;

/**
 * SpPbxisDialResult:
 * @id: the dial, as sp_pbxis_calls_dial_begin() returned it
 * @error: (nullable): why the call was not placed; %NULL when the agent picked up and the
 *   number is being called
 *
 * How a dial ended, once it has.
 */
typedef struct
{
  guint   id;
  GError *error;
} SpPbxisDialResult;

SpPbxisCalls *sp_pbxis_calls_new              (const char         *account_id);
void          sp_pbxis_calls_free             (SpPbxisCalls       *self);
void          sp_pbxis_calls_set_ring_timeout (SpPbxisCalls       *self,
                                               guint               seconds);
GPtrArray    *sp_pbxis_calls_feed             (SpPbxisCalls       *self,
                                               const SpPbxisEvent *event,
                                               gint64              now);
guint         sp_pbxis_calls_dial_begin       (SpPbxisCalls       *self,
                                               const char         *agent,
                                               const char         *number,
                                               gint64              now);
void          sp_pbxis_calls_dial_sent        (SpPbxisCalls       *self,
                                               guint               id,
                                               const char         *action_id);
void          sp_pbxis_calls_dial_cancel      (SpPbxisCalls       *self,
                                               guint               id);
GPtrArray    *sp_pbxis_calls_take_dial_results (SpPbxisCalls      *self);
gint64        sp_pbxis_calls_get_deadline     (SpPbxisCalls       *self);
GPtrArray    *sp_pbxis_calls_expire           (SpPbxisCalls       *self,
                                               gint64              now);
guint         sp_pbxis_calls_get_n_pending    (SpPbxisCalls       *self);
guint         sp_pbxis_calls_get_n_dials      (SpPbxisCalls       *self);
void          sp_pbxis_calls_reset            (SpPbxisCalls       *self);

void          sp_pbxis_dial_result_free       (SpPbxisDialResult  *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpPbxisCalls, sp_pbxis_calls_free)

G_END_DECLS
