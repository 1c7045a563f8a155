/* sp-pbxis-calls.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-pbxis"

#include "config.h"

#include "sp-pbxis-calls.h"
#include "sp-pbxis-calls-private.h"

/*
 * The pure half of the pbxis source: pbxis-ws events in, SpCallEvents out. No I/O, no
 * main loop, no timer: the source feeds every parsed event with the monotonic time, emits
 * what comes back, and calls sp_pbxis_calls_expire() when sp_pbxis_calls_get_deadline()
 * comes (tests/unit/test-pbxis-calls.c runs it on tests/data/pbxis-calls/).
 *
 * This file is the object: its lifetime, the feeding of events and the expiry of what waits.
 * How each event changes an agent's calls, and the protocol's quirks that shape it, are in
 * sp-pbxis-calls-events.c.
 */

static void
call_free (Call *call)
{
  g_free (call->call_id);
  g_free (call->number);
  g_free (call->name);
  g_free (call->queue);
  g_ptr_array_unref (call->unique_ids);
  g_free (call);
}

static void
agent_free (Agent *agent)
{
  g_ptr_array_unref (agent->calls);
  g_free (agent->party);
  g_free (agent->agent);
  g_free (agent);
}

static Agent *
ensure_agent (SpPbxisCalls *self,
              const char   *id)
{
  Agent *agent = g_hash_table_lookup (self->agents, id);

  if (agent == NULL)
    {
      agent = g_new0 (Agent, 1);
      agent->agent = g_strdup (id);
      agent->extension = SP_PBXIS_EXTENSION_UNKNOWN;
      agent->calls = g_ptr_array_new_with_free_func ((GDestroyNotify) call_free);
      g_hash_table_insert (self->agents, agent->agent, agent);
    }

  return agent;
}

static void
pending_end_free (PendingEnd *pending)
{
  g_clear_pointer (&pending->event, sp_call_event_unref);
  g_free (pending->agent);
  g_free (pending);
}

/**
 * sp_pbxis_calls_new:
 * @account_id: the account the call events are of
 *
 * Returns: (transfer full): the calls of an account that knows no agent yet
 */
SpPbxisCalls *
sp_pbxis_calls_new (const char *account_id)
{
  SpPbxisCalls *self = g_new0 (SpPbxisCalls, 1);

  self->account_id = g_strdup (account_id);
  self->agents = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) agent_free);
  self->pending_ends = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_end_free);
  self->dials = sp_pbxis_dials_new (account_id);

  return self;
}

/**
 * sp_pbxis_calls_free:
 * @self: (nullable): the calls; ends still waiting and dials are dropped
 */
void
sp_pbxis_calls_free (SpPbxisCalls *self)
{
  if (self == NULL)
    return;

  g_hash_table_unref (self->agents);
  g_ptr_array_unref (self->pending_ends);
  sp_pbxis_dials_free (self->dials);
  g_free (self->account_id);
  g_free (self);
}

/**
 * sp_pbxis_calls_set_ring_timeout:
 * @seconds: the account's ring timeout, for the events made from now on; 0 for the tracker's
 */
void
sp_pbxis_calls_set_ring_timeout (SpPbxisCalls *self,
                                 guint         seconds)
{
  g_return_if_fail (self != NULL);

  self->ring_timeout = seconds;
}

/**
 * sp_pbxis_calls_feed:
 * @event: an event of the ticket, as parsed; those that are not about calls change nothing
 * @now: the monotonic time, in microseconds
 *
 * A dial may end here too: see sp_pbxis_dials_take_results().
 *
 * Returns: (transfer full) (element-type SpCallEvent): the call events @event makes, in
 *   order, possibly none. The end of an answered queue call is not among them: it waits for
 *   agentComplete (see sp_pbxis_calls_get_deadline()).
 */
GPtrArray *
sp_pbxis_calls_feed (SpPbxisCalls       *self,
                     const SpPbxisEvent *event,
                     gint64              now)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_call_event_unref);

  g_return_val_if_fail (self != NULL, events);
  g_return_val_if_fail (event != NULL, events);

  switch (event->type)
    {
    case SP_PBXIS_EVENT_PHONE_NUMBER:
      if (event->agent != NULL)
        sp_pbxis_calls_handle_phone_number (self, ensure_agent (self, event->agent), event, now,
                                            events);
      break;

    case SP_PBXIS_EVENT_EXTENSION_STATUS:
      if (event->agent != NULL)
        sp_pbxis_calls_handle_extension_status (self, ensure_agent (self, event->agent), event, now,
                                                events);
      break;

    case SP_PBXIS_EVENT_AGENT_COMPLETE:
      if (event->agent != NULL)
        sp_pbxis_calls_handle_agent_complete (self, ensure_agent (self, event->agent), event, now,
                                              events);
      break;

    case SP_PBXIS_EVENT_ORIGINATE_FAILED:
      sp_pbxis_dials_originate_failed (self->dials, event);
      break;

    case SP_PBXIS_EVENT_QUEUE_MEMBER_STATUS:
    case SP_PBXIS_EVENT_QUEUE_COUNT:
    case SP_PBXIS_EVENT_AGENT_NAME:
    case SP_PBXIS_EVENT_CLOSED:
    case SP_PBXIS_EVENT_PARKING:
    case SP_PBXIS_EVENT_QUEUE_SUMMARY:
    case SP_PBXIS_EVENT_MEMBER_SUMMARY:
    case SP_PBXIS_EVENT_UNKNOWN:
    default:
      break;
    }

  return events;
}

/**
 * sp_pbxis_calls_get_deadline:
 *
 * Returns: the monotonic time at which sp_pbxis_calls_expire() has something to do (an
 *   end stops waiting for agentComplete, a dial gives up), or -1 if nothing waits
 */
gint64
sp_pbxis_calls_get_deadline (SpPbxisCalls *self)
{
  gint64 deadline = -1;
  gint64 dial_deadline;

  g_return_val_if_fail (self != NULL, -1);

  for (guint i = 0; i < self->pending_ends->len; i++)
    {
      PendingEnd *pending = g_ptr_array_index (self->pending_ends, i);

      if (deadline < 0 || pending->deadline < deadline)
        deadline = pending->deadline;
    }

  dial_deadline = sp_pbxis_dials_get_deadline (self->dials);
  if (deadline < 0 || (dial_deadline >= 0 && dial_deadline < deadline))
    deadline = dial_deadline;

  return deadline;
}

/**
 * sp_pbxis_calls_expire:
 * @now: the monotonic time, in microseconds
 *
 * Gives up what waited until @now: the ends whose agentComplete did not come, and the
 * dials whose phone did not ring or was not picked up (see
 * sp_pbxis_dials_take_results()).
 *
 * Returns: (transfer full) (element-type SpCallEvent): the ends given up, without the talk
 *   and hold times, in order
 */
GPtrArray *
sp_pbxis_calls_expire (SpPbxisCalls *self,
                       gint64        now)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_call_event_unref);
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (self != NULL, events);

  for (guint i = 0; i < self->pending_ends->len;)
    {
      PendingEnd *pending = g_ptr_array_index (self->pending_ends, i);

      if (pending->deadline > now)
        {
          i++;
          continue;
        }

      g_debug ("[%s] No agentComplete for call %s; ending it without", self->account_id,
               pending->event->call_id);
      g_ptr_array_add (events, g_steal_pointer (&pending->event));
      g_ptr_array_remove_index (self->pending_ends, i);
    }

  /* chan_sip shows a phone with a call on hold as onhold, whatever else rings on it: a
   * dial's ring cannot be seen then, so its wait ends without a verdict. */
  g_hash_table_iter_init (&iter, self->agents);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Agent *agent = value;
      SpPbxisDial *dial;

      if (agent->extension != SP_PBXIS_EXTENSION_ONHOLD)
        continue;

      while ((dial = sp_pbxis_dials_find_agent (self->dials, agent->agent, SP_PBXIS_DIAL_SENT)) != NULL &&
             dial->deadline <= now)
        {
          g_debug ("[%s] Dial %u: %s has a call on hold, its ring could not be seen",
                   self->account_id, dial->id, agent->agent);
          sp_pbxis_dials_succeed (self->dials, dial);
        }
    }

  sp_pbxis_dials_expire (self->dials, now);

  return events;
}

/**
 * sp_pbxis_calls_get_n_pending:
 *
 * Returns: how many ends wait for their agentComplete
 */
guint
sp_pbxis_calls_get_n_pending (SpPbxisCalls *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->pending_ends->len;
}

/**
 * sp_pbxis_calls_get_dials:
 *
 * The dials, which the calls' events follow: begin one with sp_pbxis_dials_begin() before
 * sending it, and take their results after every feed and expiry.
 *
 * Returns: (transfer none): the dials
 */
SpPbxisDials *
sp_pbxis_calls_get_dials (SpPbxisCalls *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->dials;
}

/**
 * sp_pbxis_calls_reset:
 *
 * Forgets every call and every end still waiting, and fails the dials: the source stopped
 * for good, the live calls are the tracker's to expire, and a restart begins from the next
 * snapshot.
 */
void
sp_pbxis_calls_reset (SpPbxisCalls *self)
{
  g_return_if_fail (self != NULL);

  g_hash_table_remove_all (self->agents);
  g_ptr_array_set_size (self->pending_ends, 0);
  sp_pbxis_dials_fail_all (self->dials);
}
