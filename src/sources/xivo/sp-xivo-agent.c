/* sp-xivo-agent.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-xivo"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-xivo-agent.h"

/*
 * The XiVO agent (protocols/xivo.md §6): which AgentStateEvents are ours, and what xuc's
 * states mean: the generic #SpAgentState the window and the web service's autopause go
 * by, and the words shown under the account. Pure: SpXivoSource feeds it the events and
 * turns the changes into notifications.
 */

/**
 * sp_xivo_agent_update:
 * @self: the agent as known so far
 * @state: an AgentStateEvent of the link
 * @changes: (out): which fields changed
 *
 * The agent is the one the link belongs to: the first state that names one tells which,
 * and the states of any other agent are not ours.
 *
 * Returns: %FALSE, changing nothing, when @state is another agent's
 */
gboolean
sp_xivo_agent_update (SpXivoAgent            *self,
                      const SpXivoAgentState *state,
                      SpXivoAgentChanges     *changes)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (state != NULL && state->name != NULL, FALSE);
  g_return_val_if_fail (changes != NULL, FALSE);

  *changes = SP_XIVO_AGENT_UNCHANGED;

  if (self->id > 0 && state->agent_id > 0 && state->agent_id != self->id)
    return FALSE;

  if (state->agent_id > 0)
    self->id = state->agent_id;

  if (g_strcmp0 (self->state, state->name) != 0)
    {
      g_free (self->state);
      self->state = g_strdup (state->name);
      *changes |= SP_XIVO_AGENT_STATE_CHANGED;
    }

  if (g_strcmp0 (self->cause, state->cause) != 0)
    {
      g_free (self->cause);
      self->cause = g_strdup (state->cause);
      *changes |= SP_XIVO_AGENT_CAUSE_CHANGED;
    }

  return TRUE;
}

/**
 * sp_xivo_agent_get_agent_state:
 *
 * Returns: the agent's state in the words every backend shares: on a call, ringing or in
 *   wrap-up, the agent is ready
 */
SpAgentState
sp_xivo_agent_get_agent_state (const SpXivoAgent *self)
{
  g_return_val_if_fail (self != NULL, SP_AGENT_STATE_NONE);

  if (self->state == NULL)
    return SP_AGENT_STATE_NONE;
  if (g_str_equal (self->state, "AgentOnPause"))
    return SP_AGENT_STATE_PAUSED;
  if (g_str_equal (self->state, "AgentLoggedOut"))
    return SP_AGENT_STATE_LOGGED_OUT;

  return SP_AGENT_STATE_READY;
}

static const char *
state_label (const char *state)
{
  static const struct {
    const char *name;
    const char *label;
  } labels[] = {
    { "AgentReady", N_("Ready") },
    { "AgentOnPause", N_("Paused") },
    { "AgentLoggedOut", N_("Logged out") },
    { "AgentOnCall", N_("On a call") },
    { "AgentOnIncomingCall", N_("On a call") },
    { "AgentOnOutgoingCall", N_("On a call") },
    { "AgentOnAcdCall", N_("On a call") },
    { "AgentRinging", N_("Ringing") },
    { "AgentDialing", N_("Dialing") },
    { "AgentOnWrapup", N_("Wrap-up") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      if (g_str_equal (labels[i].name, state))
        return _(labels[i].label);
    }

  /* A state of a newer xuc: its own name says more than nothing. */
  return state;
}

/**
 * sp_xivo_agent_dup_detail:
 *
 * Returns: (transfer full) (nullable): the agent's state as shown under the account in the
 *   window, with the pause reason; %NULL before the first state
 */
char *
sp_xivo_agent_dup_detail (const SpXivoAgent *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->state == NULL)
    return NULL;

  if (self->cause != NULL && g_str_equal (self->state, "AgentOnPause"))
    /* Translators: the agent's state, e.g. "Agent: Paused (lunch)" */
    return g_strdup_printf (_("Agent: %s (%s)"), state_label (self->state), self->cause);

  /* Translators: the agent's state, e.g. "Agent: Ready" */
  return g_strdup_printf (_("Agent: %s"), state_label (self->state));
}

void
sp_xivo_agent_clear (SpXivoAgent *self)
{
  g_clear_pointer (&self->state, g_free);
  g_clear_pointer (&self->cause, g_free);
  self->id = 0;
}
