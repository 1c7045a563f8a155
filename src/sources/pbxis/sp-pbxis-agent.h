/* sp-pbxis-agent.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-pbxis.h"
#include "sp-source.h"

G_BEGIN_DECLS

/**
 * SpPbxisAgent:
 *
 * The agent of a pbxis account (its first extension) as pbxis-ws last described it: its
 * queue memberships, its name, and the callers waiting in its queues. A plain struct the
 * source owns and feeds; see sp-pbxis-agent.c.
 */
typedef struct _SpPbxisAgent SpPbxisAgent;

SpPbxisAgent        *sp_pbxis_agent_new            (void);
void                 sp_pbxis_agent_free           (SpPbxisAgent        *self);
gboolean             sp_pbxis_agent_set_membership (SpPbxisAgent        *self,
                                                    const char          *queue,
                                                    SpPbxisMemberStatus  status);
SpPbxisMemberStatus  sp_pbxis_agent_get_membership (SpPbxisAgent        *self,
                                                    const char          *queue);
gboolean             sp_pbxis_agent_set_count      (SpPbxisAgent        *self,
                                                    const char          *queue,
                                                    gint64               count);
gint64               sp_pbxis_agent_get_count      (SpPbxisAgent        *self,
                                                    const char          *queue);
gboolean             sp_pbxis_agent_set_name       (SpPbxisAgent        *self,
                                                    const char          *name);
const char          *sp_pbxis_agent_get_name       (SpPbxisAgent        *self);
SpAgentState         sp_pbxis_agent_get_state      (SpPbxisAgent        *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpPbxisAgent, sp_pbxis_agent_free)

G_END_DECLS
