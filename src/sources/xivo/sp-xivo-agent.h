/* sp-xivo-agent.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-source.h"
#include "sp-xivo.h"

G_BEGIN_DECLS

/**
 * SpXivoAgent:
 * @id: the agent this link belongs to, once a state named it, else 0
 * @state: (nullable): the agent's state as xuc names it (`AgentReady`, `AgentOnPause`, …),
 *   %NULL before the first AgentStateEvent
 * @cause: (nullable): the pause reason while the agent is paused
 *
 * What SpXivoSource knows of its agent, from the AgentStateEvents of the CTI link.
 */
typedef struct
{
  gint64  id;
  char   *state;
  char   *cause;
} SpXivoAgent;

/**
 * SpXivoAgentChanges:
 * @SP_XIVO_AGENT_UNCHANGED: nothing changed
 * @SP_XIVO_AGENT_STATE_CHANGED: #SpXivoAgent.state changed
 * @SP_XIVO_AGENT_CAUSE_CHANGED: #SpXivoAgent.cause changed
 */
typedef enum
{
  SP_XIVO_AGENT_UNCHANGED     = 0,
  SP_XIVO_AGENT_STATE_CHANGED = 1 << 0,
  SP_XIVO_AGENT_CAUSE_CHANGED = 1 << 1,
} SpXivoAgentChanges;

gboolean      sp_xivo_agent_update          (SpXivoAgent            *self,
                                             const SpXivoAgentState *state,
                                             SpXivoAgentChanges     *changes);
SpAgentState  sp_xivo_agent_get_agent_state (const SpXivoAgent      *self);
char         *sp_xivo_agent_dup_detail      (const SpXivoAgent      *self);
void          sp_xivo_agent_clear           (SpXivoAgent            *self);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SpXivoAgent, sp_xivo_agent_clear)

G_END_DECLS
