/* sp-pbxis-agent.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-pbxis"

#include "config.h"

#include "sp-pbxis-agent.h"

/*
 * The agent panel's model and the agent state of a pbxis account: what queueMemberStatus,
 * queueCount and agentName last said. Pure: the source feeds it (only the first
 * extension's memberships and name: the panel is that agent's), sets #SpSource:agent-state
 * from sp_pbxis_agent_get_state() and tells the panel when a setter says something changed.
 * It outlives reconnections: the snapshot of the next ticket says the same again.
 */

struct _SpPbxisAgent
{
  GHashTable *memberships;  /* queue → SpPbxisMemberStatus */
  GHashTable *counts;       /* queue → gint64* */
  char       *name;
};

/**
 * sp_pbxis_agent_new:
 *
 * Returns: (transfer full): an agent pbxis-ws has said nothing of yet
 */
SpPbxisAgent *
sp_pbxis_agent_new (void)
{
  SpPbxisAgent *self = g_new0 (SpPbxisAgent, 1);

  self->memberships = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  return self;
}

/**
 * sp_pbxis_agent_free:
 * @self: (nullable): an agent
 */
void
sp_pbxis_agent_free (SpPbxisAgent *self)
{
  if (self == NULL)
    return;

  g_hash_table_unref (self->memberships);
  g_hash_table_unref (self->counts);
  g_free (self->name);
  g_free (self);
}

/**
 * sp_pbxis_agent_set_membership:
 *
 * Returns: %TRUE if the agent's membership of @queue changed
 */
gboolean
sp_pbxis_agent_set_membership (SpPbxisAgent        *self,
                               const char          *queue,
                               SpPbxisMemberStatus  status)
{
  gpointer old;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (queue != NULL, FALSE);

  old = g_hash_table_lookup (self->memberships, queue);
  if (old != NULL && GPOINTER_TO_INT (old) == (int) status)
    return FALSE;

  g_hash_table_insert (self->memberships, g_strdup (queue), GINT_TO_POINTER (status));
  return TRUE;
}

/**
 * sp_pbxis_agent_get_membership:
 *
 * Returns: the agent's membership of @queue, as pbxis-ws last said
 */
SpPbxisMemberStatus
sp_pbxis_agent_get_membership (SpPbxisAgent *self,
                               const char   *queue)
{
  g_return_val_if_fail (self != NULL, SP_PBXIS_MEMBER_UNKNOWN);

  return GPOINTER_TO_INT (g_hash_table_lookup (self->memberships, queue));
}

/**
 * sp_pbxis_agent_set_count:
 *
 * Returns: %TRUE if the number of callers waiting in @queue changed
 */
gboolean
sp_pbxis_agent_set_count (SpPbxisAgent *self,
                          const char   *queue,
                          gint64        count)
{
  gint64 *old;
  gint64 *value;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (queue != NULL, FALSE);

  old = g_hash_table_lookup (self->counts, queue);
  if (old != NULL && *old == count)
    return FALSE;

  value = g_new (gint64, 1);
  *value = count;
  g_hash_table_insert (self->counts, g_strdup (queue), value);
  return TRUE;
}

/**
 * sp_pbxis_agent_get_count:
 *
 * Returns: the callers waiting in @queue, or -1 if unknown
 */
gint64
sp_pbxis_agent_get_count (SpPbxisAgent *self,
                          const char   *queue)
{
  gint64 *count;

  g_return_val_if_fail (self != NULL, -1);

  count = g_hash_table_lookup (self->counts, queue);
  return count ? *count : -1;
}

/**
 * sp_pbxis_agent_set_name:
 * @name: (nullable): the agent's member name; %NULL (not said) keeps the one known
 *
 * Returns: %TRUE if the name changed
 */
gboolean
sp_pbxis_agent_set_name (SpPbxisAgent *self,
                         const char   *name)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (name == NULL || g_strcmp0 (self->name, name) == 0)
    return FALSE;

  g_free (self->name);
  self->name = g_strdup (name);
  return TRUE;
}

/**
 * sp_pbxis_agent_get_name:
 *
 * Returns: (nullable): the agent's member name, as pbxis-ws said
 */
const char *
sp_pbxis_agent_get_name (SpPbxisAgent *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->name;
}

/**
 * sp_pbxis_agent_get_state:
 *
 * The agent takes calls if it is an unpaused member of any queue, is paused if it is a
 * member of some and paused in all of them, and is logged out if it is a member of none.
 *
 * Returns: the agent state its memberships make
 */
SpAgentState
sp_pbxis_agent_get_state (SpPbxisAgent *self)
{
  SpAgentState agent_state = SP_AGENT_STATE_NONE;
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (self != NULL, SP_AGENT_STATE_NONE);

  g_hash_table_iter_init (&iter, self->memberships);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      SpPbxisMemberStatus status = GPOINTER_TO_INT (value);

      if (status == SP_PBXIS_MEMBER_ACTIVE || status == SP_PBXIS_MEMBER_LOGGEDON)
        {
          agent_state = SP_AGENT_STATE_READY;
          break;
        }
      else if (status == SP_PBXIS_MEMBER_PAUSED)
        agent_state = SP_AGENT_STATE_PAUSED;
      else if (status == SP_PBXIS_MEMBER_LOGGEDOFF && agent_state == SP_AGENT_STATE_NONE)
        agent_state = SP_AGENT_STATE_LOGGED_OUT;
    }

  return agent_state;
}
