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
 * One agent (an extension of a pbxis account) as pbxis-ws last described it: its name, its
 * queue memberships, its phone's state and the party it is ringing with or talking to. A
 * plain struct that the status board (sp-pbxis-board.c) owns; see sp-pbxis-agent.c.
 */
typedef struct _SpPbxisAgent SpPbxisAgent;

SpPbxisAgent           *sp_pbxis_agent_new                  (const char             *id);
void                    sp_pbxis_agent_free                 (SpPbxisAgent           *self);
const char             *sp_pbxis_agent_get_id               (SpPbxisAgent           *self);
gboolean                sp_pbxis_agent_set_membership       (SpPbxisAgent           *self,
                                                             const char             *queue,
                                                             SpPbxisMemberStatus     status);
SpPbxisMemberStatus     sp_pbxis_agent_get_membership       (SpPbxisAgent           *self,
                                                             const char             *queue);
gboolean                sp_pbxis_agent_set_name             (SpPbxisAgent           *self,
                                                             const char             *name);
const char             *sp_pbxis_agent_get_name             (SpPbxisAgent           *self);
gboolean                sp_pbxis_agent_set_extension_status (SpPbxisAgent           *self,
                                                             SpPbxisExtensionStatus  status);
SpPbxisExtensionStatus  sp_pbxis_agent_get_extension_status (SpPbxisAgent           *self);
gboolean                sp_pbxis_agent_set_party            (SpPbxisAgent           *self,
                                                             const char             *number,
                                                             const char             *name);
const char             *sp_pbxis_agent_get_party_number     (SpPbxisAgent           *self);
const char             *sp_pbxis_agent_get_party_name       (SpPbxisAgent           *self);
SpAgentState            sp_pbxis_agent_get_state            (SpPbxisAgent           *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpPbxisAgent, sp_pbxis_agent_free)

G_END_DECLS
