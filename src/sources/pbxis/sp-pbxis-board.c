/* sp-pbxis-board.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-pbxis"

#include "config.h"

#include "sp-pbxis-board.h"

/*
 * The status view's model: every agent of the account (its extensions, in order) and every
 * queue (the account's, in order, then those pbxis-ws reports the agents in), as the
 * ticket's events and `GET /queue/status` last described them. Pure: the source feeds it
 * and tells the window what changed. It outlives reconnections.
 *
 * What pbxis-ws says of a queue Asterisk does not have: nothing. Its snapshot sends a
 * membership and a count only for a queue that QueueStatus answered for (pbxis.clj
 * `send-introductory-events`, lines 329-342: `member-event` with a nil status is no event,
 * util.clj line 129; the count only `:when calls`). So a queue stays UNKNOWN until
 * `GET /queue/status` leaves it out, and then it is MISSING: no membership, no count and
 * no action on it.
 */

struct _SpPbxisBoard
{
  GPtrArray *agents;   /* (element-type SpPbxisAgent) the account's extensions, in order */
  GPtrArray *queues;   /* (element-type SpPbxisQueue) */
  gboolean   listed;   /* the account names its queues; otherwise the agents' are shown */
};

static void
queue_free (SpPbxisQueue *queue)
{
  g_free (queue->name);
  g_clear_pointer (&queue->info, sp_pbxis_queue_info_free);
  g_clear_pointer (&queue->members, g_ptr_array_unref);
  g_free (queue);
}

static SpPbxisQueue *
queue_new (const char *name)
{
  SpPbxisQueue *queue = g_new0 (SpPbxisQueue, 1);

  queue->name = g_strdup (name);
  queue->count = -1;

  return queue;
}

static gint
find_agent (GPtrArray  *agents,
            const char *id)
{
  for (guint i = 0; i < agents->len; i++)
    {
      if (g_str_equal (sp_pbxis_agent_get_id (g_ptr_array_index (agents, i)), id))
        return (gint) i;
    }

  return -1;
}

static gint
find_queue (GPtrArray  *queues,
            const char *name)
{
  for (guint i = 0; i < queues->len; i++)
    {
      if (g_str_equal (((SpPbxisQueue *) g_ptr_array_index (queues, i))->name, name))
        return (gint) i;
    }

  return -1;
}

/**
 * sp_pbxis_board_new:
 *
 * Returns: (transfer full): a board without agents or queues
 */
SpPbxisBoard *
sp_pbxis_board_new (void)
{
  SpPbxisBoard *self = g_new0 (SpPbxisBoard, 1);

  self->agents = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_pbxis_agent_free);
  self->queues = g_ptr_array_new_with_free_func ((GDestroyNotify) queue_free);

  return self;
}

void
sp_pbxis_board_free (SpPbxisBoard *self)
{
  if (self == NULL)
    return;

  g_ptr_array_unref (self->agents);
  g_ptr_array_unref (self->queues);
  g_free (self);
}

/**
 * sp_pbxis_board_configure:
 * @agents: (array zero-terminated=1) (nullable): the account's extensions
 * @queues: (array zero-terminated=1) (nullable): the account's queues; none for "the
 *   agents' own"
 *
 * Makes the board the account's: what is known of the agents and queues it keeps stays.
 */
void
sp_pbxis_board_configure (SpPbxisBoard       *self,
                          const char * const *agents,
                          const char * const *queues)
{
  g_autoptr(GPtrArray) new_agents =
    g_ptr_array_new_with_free_func ((GDestroyNotify) sp_pbxis_agent_free);
  g_autoptr(GPtrArray) new_queues = g_ptr_array_new_with_free_func ((GDestroyNotify) queue_free);
  gboolean listed = queues != NULL && queues[0] != NULL;

  g_return_if_fail (self != NULL);

  for (guint i = 0; agents != NULL && agents[i] != NULL; i++)
    {
      gint old = find_agent (self->agents, agents[i]);

      if (find_agent (new_agents, agents[i]) >= 0)
        continue;
      g_ptr_array_add (new_agents, old >= 0 ? g_ptr_array_steal_index (self->agents, old)
                                            : sp_pbxis_agent_new (agents[i]));
    }

  for (guint i = 0; listed && queues[i] != NULL; i++)
    {
      gint old = find_queue (self->queues, queues[i]);

      if (find_queue (new_queues, queues[i]) >= 0)
        continue;
      g_ptr_array_add (new_queues, old >= 0 ? g_ptr_array_steal_index (self->queues, old)
                                            : queue_new (queues[i]));
    }

  g_ptr_array_unref (self->agents);
  self->agents = g_steal_pointer (&new_agents);
  /* Without a list, the queues the agents were found in stay until told otherwise. */
  if (listed || self->listed)
    {
      g_ptr_array_unref (self->queues);
      self->queues = g_steal_pointer (&new_queues);
    }
  self->listed = listed;
}

/**
 * sp_pbxis_board_get_agents:
 *
 * Returns: (transfer none) (element-type SpPbxisAgent): the agents, in the account's order
 */
GPtrArray *
sp_pbxis_board_get_agents (SpPbxisBoard *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->agents;
}

/**
 * sp_pbxis_board_get_queues:
 *
 * Returns: (transfer none) (element-type SpPbxisQueue): the queues, the account's first
 */
GPtrArray *
sp_pbxis_board_get_queues (SpPbxisBoard *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->queues;
}

/**
 * sp_pbxis_board_lookup_agent:
 *
 * Returns: (transfer none) (nullable): the agent with extension @agent
 */
SpPbxisAgent *
sp_pbxis_board_lookup_agent (SpPbxisBoard *self,
                             const char   *agent)
{
  gint index;

  g_return_val_if_fail (self != NULL, NULL);

  if (agent == NULL)
    return NULL;

  index = find_agent (self->agents, agent);
  return index >= 0 ? g_ptr_array_index (self->agents, index) : NULL;
}

/**
 * sp_pbxis_board_lookup_queue:
 *
 * Returns: (transfer none) (nullable): the queue named @queue
 */
SpPbxisQueue *
sp_pbxis_board_lookup_queue (SpPbxisBoard *self,
                             const char   *queue)
{
  gint index;

  g_return_val_if_fail (self != NULL, NULL);

  if (queue == NULL)
    return NULL;

  index = find_queue (self->queues, queue);
  return index >= 0 ? g_ptr_array_index (self->queues, index) : NULL;
}

/* A queue pbxis-ws reports: one of the account's, or, when the account lists none, one of
 * the agents'. */
static SpPbxisQueue *
ensure_queue (SpPbxisBoard *self,
              const char   *name)
{
  SpPbxisQueue *queue = sp_pbxis_board_lookup_queue (self, name);

  if (queue == NULL && name != NULL)
    {
      queue = queue_new (name);
      g_ptr_array_add (self->queues, queue);
    }

  return queue;
}

static SpPbxisBoardChange
feed_summary (SpPbxisBoard       *self,
              const SpPbxisEvent *event)
{
  SpPbxisQueue *queue = ensure_queue (self, event->queue);
  g_autoptr(GError) error = NULL;

  if (queue == NULL || event->raw == NULL)
    return SP_PBXIS_BOARD_NONE;

  if (event->type == SP_PBXIS_EVENT_QUEUE_SUMMARY)
    {
      SpPbxisQueueInfo *info = sp_pbxis_queue_info_from_summary (event->raw, &error);

      if (info != NULL)
        {
          g_clear_pointer (&queue->info, sp_pbxis_queue_info_free);
          queue->info = info;
        }
    }
  else
    {
      GPtrArray *members = sp_pbxis_queue_members_from_summary (event->raw, &error);

      if (members != NULL)
        {
          g_clear_pointer (&queue->members, g_ptr_array_unref);
          queue->members = members;
        }
    }

  if (error != NULL)
    {
      g_debug ("A %s for %s that is not what pbxis-ws sends: %s", event->type_name,
               event->queue, error->message);
      return SP_PBXIS_BOARD_NONE;
    }

  queue->existence = SP_PBXIS_QUEUE_EXISTS;
  return SP_PBXIS_BOARD_QUEUE;
}

/**
 * sp_pbxis_board_feed:
 * @event: an event of the account's ticket
 *
 * Returns: what the event changed: its agent, its queue, both or nothing
 */
SpPbxisBoardChange
sp_pbxis_board_feed (SpPbxisBoard       *self,
                     const SpPbxisEvent *event)
{
  SpPbxisAgent *agent;
  SpPbxisQueue *queue;
  gboolean changed = FALSE;

  g_return_val_if_fail (self != NULL, SP_PBXIS_BOARD_NONE);
  g_return_val_if_fail (event != NULL, SP_PBXIS_BOARD_NONE);

  agent = sp_pbxis_board_lookup_agent (self, event->agent);

  switch (event->type)
    {
    case SP_PBXIS_EVENT_AGENT_NAME:
      return agent && sp_pbxis_agent_set_name (agent, event->name) ? SP_PBXIS_BOARD_AGENT
                                                                   : SP_PBXIS_BOARD_NONE;

    case SP_PBXIS_EVENT_EXTENSION_STATUS:
      return agent && sp_pbxis_agent_set_extension_status (agent, event->extension_status)
        ? SP_PBXIS_BOARD_AGENT : SP_PBXIS_BOARD_NONE;

    case SP_PBXIS_EVENT_PHONE_NUMBER:
      return agent && sp_pbxis_agent_set_party (agent, event->number, event->name)
        ? SP_PBXIS_BOARD_AGENT : SP_PBXIS_BOARD_NONE;

    case SP_PBXIS_EVENT_QUEUE_MEMBER_STATUS:
      if (agent == NULL || (queue = ensure_queue (self, event->queue)) == NULL)
        return SP_PBXIS_BOARD_NONE;
      /* Only a queue Asterisk has gets a membership. */
      changed = queue->existence != SP_PBXIS_QUEUE_EXISTS;
      queue->existence = SP_PBXIS_QUEUE_EXISTS;
      if (sp_pbxis_agent_set_membership (agent, queue->name, event->member_status) || changed)
        return SP_PBXIS_BOARD_AGENT | SP_PBXIS_BOARD_QUEUE;
      return SP_PBXIS_BOARD_NONE;

    case SP_PBXIS_EVENT_QUEUE_COUNT:
      if ((queue = ensure_queue (self, event->queue)) == NULL)
        return SP_PBXIS_BOARD_NONE;
      changed = queue->existence != SP_PBXIS_QUEUE_EXISTS || queue->count != event->count;
      queue->existence = SP_PBXIS_QUEUE_EXISTS;
      queue->count = event->count;
      return changed ? SP_PBXIS_BOARD_QUEUE : SP_PBXIS_BOARD_NONE;

    case SP_PBXIS_EVENT_QUEUE_SUMMARY:
    case SP_PBXIS_EVENT_MEMBER_SUMMARY:
      return feed_summary (self, event);

    case SP_PBXIS_EVENT_AGENT_COMPLETE:
    case SP_PBXIS_EVENT_ORIGINATE_FAILED:
    case SP_PBXIS_EVENT_PARKING:
    case SP_PBXIS_EVENT_CLOSED:
    case SP_PBXIS_EVENT_UNKNOWN:
    default:
      return SP_PBXIS_BOARD_NONE;
    }
}

/**
 * sp_pbxis_board_forget_calls:
 *
 * A new ticket is coming: its snapshot names every call the agents have now (pbxis.clj
 * `send-introductory-events`, one phoneNumber per tracked call) and says nothing of those
 * that ended while no ticket was read, so the parties known until now are forgotten.
 */
void
sp_pbxis_board_forget_calls (SpPbxisBoard *self)
{
  g_return_if_fail (self != NULL);

  for (guint i = 0; i < self->agents->len; i++)
    sp_pbxis_agent_set_party (g_ptr_array_index (self->agents, i), NULL, NULL);
}

static SpPbxisQueueMember *
find_member (GPtrArray  *members,
             const char *agent)
{
  for (guint i = 0; members != NULL && i < members->len; i++)
    {
      SpPbxisQueueMember *member = g_ptr_array_index (members, i);

      if (g_strcmp0 (member->agent, agent) == 0)
        return member;
    }

  return NULL;
}

/**
 * sp_pbxis_board_apply_status:
 * @queues: (element-type SpPbxisQueueInfo): the answer of `GET /queue/status` for every
 *   queue; the board takes the elements it keeps out of it
 *
 * Fills in what the events have not said: whether each queue exists, its figures and
 * members, its callers waiting, and the agents' memberships and names not reported yet.
 * The events' word stands where they spoke: they are later than this answer or as late.
 */
void
sp_pbxis_board_apply_status (SpPbxisBoard *self,
                             GPtrArray    *queues)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_if_fail (self != NULL);
  g_return_if_fail (queues != NULL);

  for (guint i = 0; i < queues->len; i++)
    {
      SpPbxisQueueInfo *info = g_ptr_array_index (queues, i);
      SpPbxisQueue *queue = sp_pbxis_board_lookup_queue (self, info->queue);

      if (queue == NULL && !self->listed)
        {
          for (guint j = 0; j < self->agents->len && queue == NULL; j++)
            {
              SpPbxisAgent *agent = g_ptr_array_index (self->agents, j);

              if (find_member (info->members, sp_pbxis_agent_get_id (agent)) != NULL)
                queue = ensure_queue (self, info->queue);
            }
        }
      if (queue == NULL)
        continue;

      g_hash_table_add (seen, queue->name);
      queue->existence = SP_PBXIS_QUEUE_EXISTS;
      if (info->calls >= 0)
        queue->count = info->calls;

      for (guint j = 0; j < self->agents->len; j++)
        {
          SpPbxisAgent *agent = g_ptr_array_index (self->agents, j);
          SpPbxisQueueMember *member = find_member (info->members, sp_pbxis_agent_get_id (agent));

          if (sp_pbxis_agent_get_membership (agent, queue->name) == SP_PBXIS_MEMBER_UNKNOWN)
            sp_pbxis_agent_set_membership (agent, queue->name,
                                           member ? member->status : SP_PBXIS_MEMBER_LOGGEDOFF);
          if (member != NULL && sp_pbxis_agent_get_name (agent) == NULL)
            sp_pbxis_agent_set_name (agent, member->member_name);
        }

      g_clear_pointer (&queue->members, g_ptr_array_unref);
      queue->members = g_steal_pointer (&info->members);
      g_clear_pointer (&queue->info, sp_pbxis_queue_info_free);
      queue->info = g_ptr_array_steal_index (queues, i--);
    }

  for (guint i = 0; i < self->queues->len; i++)
    {
      SpPbxisQueue *queue = g_ptr_array_index (self->queues, i);

      if (!g_hash_table_contains (seen, queue->name))
        {
          queue->existence = SP_PBXIS_QUEUE_MISSING;
          queue->count = -1;
        }
    }
}
