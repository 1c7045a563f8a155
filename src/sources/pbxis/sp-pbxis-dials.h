/* sp-pbxis-dials.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-pbxis.h"

G_BEGIN_DECLS

/**
 * SpPbxisDialResult:
 * @id: the dial, as sp_pbxis_dials_begin() returned it
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

/**
 * SpPbxisDialPhase:
 * @SP_PBXIS_DIAL_SENT: waiting for the agent's phone to ring
 * @SP_PBXIS_DIAL_RINGING: the phone rings; waiting for the agent to pick it up
 */
typedef enum
{
  SP_PBXIS_DIAL_SENT,
  SP_PBXIS_DIAL_RINGING,
} SpPbxisDialPhase;

/**
 * SpPbxisDial:
 * @id: its id, never 0
 * @agent: the extension whose phone it rings
 * @number: the number dialled, as sent
 * @action_id: (nullable): pbxis-ws's answer
 * @phase: how far it is
 * @deadline: when it gives up, in monotonic microseconds
 *
 * A dial not over yet: read-only outside sp-pbxis-dials.c.
 */
typedef struct
{
  guint             id;
  char             *agent;
  char             *number;
  char             *action_id;
  SpPbxisDialPhase  phase;
  gint64            deadline;
} SpPbxisDial;

/**
 * SpPbxisDials:
 *
 * The dials of a pbxis account that are not over, and the results of those that are: a
 * plain struct of SpPbxisCalls. See sp-pbxis-dials.c.
 */
typedef struct _SpPbxisDials SpPbxisDials;

SpPbxisDials *sp_pbxis_dials_new             (const char         *account_id);
void          sp_pbxis_dials_free            (SpPbxisDials       *self);
guint         sp_pbxis_dials_begin           (SpPbxisDials       *self,
                                              const char         *agent,
                                              const char         *number,
                                              gint64              now);
void          sp_pbxis_dials_sent            (SpPbxisDials       *self,
                                              guint               id,
                                              const char         *action_id);
void          sp_pbxis_dials_cancel          (SpPbxisDials       *self,
                                              guint               id);
SpPbxisDial  *sp_pbxis_dials_find_agent      (SpPbxisDials       *self,
                                              const char         *agent,
                                              SpPbxisDialPhase    phase);
SpPbxisDial  *sp_pbxis_dials_find_number     (SpPbxisDials       *self,
                                              const char         *agent,
                                              const char         *number,
                                              gboolean            exact);
void          sp_pbxis_dials_ring            (SpPbxisDials       *self,
                                              SpPbxisDial        *dial,
                                              gint64              now);
void          sp_pbxis_dials_unring          (SpPbxisDials       *self,
                                              SpPbxisDial        *dial,
                                              gint64              now);
void          sp_pbxis_dials_succeed         (SpPbxisDials       *self,
                                              SpPbxisDial        *dial);
void          sp_pbxis_dials_fail            (SpPbxisDials       *self,
                                              SpPbxisDial        *dial,
                                              const char         *format,
                                              ...) G_GNUC_PRINTF (3, 4);
void          sp_pbxis_dials_originate_failed (SpPbxisDials      *self,
                                              const SpPbxisEvent *event);
gint64        sp_pbxis_dials_get_deadline    (SpPbxisDials       *self);
void          sp_pbxis_dials_expire          (SpPbxisDials       *self,
                                              gint64              now);
void          sp_pbxis_dials_fail_all        (SpPbxisDials       *self);
guint         sp_pbxis_dials_get_n           (SpPbxisDials       *self);
GPtrArray    *sp_pbxis_dials_take_results    (SpPbxisDials       *self);

gboolean      sp_pbxis_number_matches        (const char         *dialled,
                                              const char         *named,
                                              gboolean            exact);

void          sp_pbxis_dial_result_free      (SpPbxisDialResult  *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpPbxisDials, sp_pbxis_dials_free)

G_END_DECLS
