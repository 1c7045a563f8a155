/* sp-pbxis-agent.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-pbxis"

#include "config.h"

#include "sp-pbxis-agent.h"

/*
 * One agent of the status view: what agentName, queueMemberStatus, extensionStatus and
 * phoneNumber last said of it. Pure: the status board (sp-pbxis-board.c) holds one per
 * extension of the account and feeds it; the source sets #SpSource:agent-state from the
 * first extension's sp_pbxis_agent_get_state(). It outlives reconnections: the snapshot of
 * the next ticket says the same again.
 */

struct _SpPbxisAgent
{
  char                   *id;
  GHashTable             *memberships;  /* queue → SpPbxisMemberStatus */
  char                   *name;
  SpPbxisExtensionStatus  extension_status;
  char                   *party_number;
  char                   *party_name;
};

/**
 * sp_pbxis_agent_new:
 * @id: the agent's extension, as pbxis-ws names it ("147")
 *
 * Returns: (transfer full): an agent pbxis-ws has said nothing of yet
 */
SpPbxisAgent *
sp_pbxis_agent_new (const char *id)
{
  SpPbxisAgent *self;

  g_return_val_if_fail (id != NULL, NULL);

  self = g_new0 (SpPbxisAgent, 1);
  self->id = g_strdup (id);
  self->memberships = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

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
  g_free (self->id);
  g_free (self->name);
  g_free (self->party_number);
  g_free (self->party_name);
  g_free (self);
}

/**
 * sp_pbxis_agent_get_id:
 *
 * Returns: the agent's extension
 */
const char *
sp_pbxis_agent_get_id (SpPbxisAgent *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->id;
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
 * sp_pbxis_agent_set_extension_status:
 *
 * Returns: %TRUE if the phone's state changed
 */
gboolean
sp_pbxis_agent_set_extension_status (SpPbxisAgent           *self,
                                     SpPbxisExtensionStatus  status)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->extension_status == status)
    return FALSE;

  self->extension_status = status;
  return TRUE;
}

/**
 * sp_pbxis_agent_get_extension_status:
 *
 * Returns: the phone's state, %SP_PBXIS_EXTENSION_UNKNOWN before pbxis-ws said it
 */
SpPbxisExtensionStatus
sp_pbxis_agent_get_extension_status (SpPbxisAgent *self)
{
  g_return_val_if_fail (self != NULL, SP_PBXIS_EXTENSION_UNKNOWN);

  return self->extension_status;
}

/**
 * sp_pbxis_agent_set_party:
 * @number: (nullable): the other party's number, %NULL when the agent has no call
 * @name: (nullable): its caller-id name
 *
 * What a phoneNumber event says: pbxis-ws sends the agent's current party, and `null`
 * only when no call is left (pbxis.clj `pbxis-event-filter`, "phoneNumber").
 *
 * Returns: %TRUE if the party changed
 */
gboolean
sp_pbxis_agent_set_party (SpPbxisAgent *self,
                          const char   *number,
                          const char   *name)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (number == NULL)
    name = NULL;

  if (g_strcmp0 (self->party_number, number) == 0 && g_strcmp0 (self->party_name, name) == 0)
    return FALSE;

  g_free (self->party_number);
  g_free (self->party_name);
  self->party_number = g_strdup (number);
  self->party_name = g_strdup (name);
  return TRUE;
}

/**
 * sp_pbxis_agent_get_party_number:
 *
 * Returns: (nullable): the number the agent is ringing with or talking to
 */
const char *
sp_pbxis_agent_get_party_number (SpPbxisAgent *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->party_number;
}

/**
 * sp_pbxis_agent_get_party_name:
 *
 * Returns: (nullable): the caller-id name of that party
 */
const char *
sp_pbxis_agent_get_party_name (SpPbxisAgent *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->party_name;
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
