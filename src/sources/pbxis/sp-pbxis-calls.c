/* sp-pbxis-calls.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-pbxis"

#include "config.h"

#include "sp-pbxis-calls.h"

/*
 * The pure half of the pbxis source: pbxis-ws events in, SpCallEvents out. No I/O, no
 * main loop, no timer: the source feeds every parsed event with the monotonic time, emits
 * what comes back, and asks for the pending ends when sp_pbxis_calls_get_deadline() comes
 * (tests/unit/test-pbxis-calls.c runs it on tests/data/pbxis-calls/).
 *
 * The protocol's quirks it follows (see protocols/pbxis_ws.md):
 *  - A queue call rings with `phoneNumber` (number, name, queue); a direct call only with
 *    `extensionStatus: ringing`, and its number comes with the answer (the Bridge's
 *    `phoneNumber`, without a queue).
 *  - The answer of a queue call is only `extensionStatus: inuse` (busy, onhold): the server
 *    filters the repeated number. The Bridge may also name the other side written
 *    differently from the caller id it rang with: the same call, now answered.
 *  - The end is `phoneNumber` null or `not_inuse` (no_hint, unavailable); an answered queue
 *    call is then summed up by `agentComplete` (talk and hold times, recording), so its end
 *    waits AGENT_COMPLETE_WAIT_MS for it.
 *  - Calls have no id that lasts from ring to end: each gets a local one, and a call is
 *    one (agent, number). The snapshot of a new ticket repeats the current calls: the same
 *    party again is the same call, and only new details count.
 *  - After a "dial", Asterisk rings the agent's own phone first and then connects the
 *    number: for DIAL_PENDING_SECONDS such a ring is not an incoming call, and the Bridge
 *    naming the dialled number is our outgoing call, answered. `originateFailed` ends the
 *    wait; its "agent" is the dialled number (a server quirk), so it makes no agent.
 */

/* agentComplete follows the end of an answered queue call closely; the end waits this long
 * for it, so that the call's record gets the talk and hold times. */
#define AGENT_COMPLETE_WAIT_MS 1000
/* After a "dial", the agent's own phone rings first (that is how Asterisk originates): for
 * this long, such a ring is not an incoming call. */
#define DIAL_PENDING_SECONDS 60

typedef struct
{
  char            *agent;
  SpPbxisExtensionStatus extension;
  /* The current call, if any. */
  char            *call_id;
  gboolean         has_number;     /* a direct call rings without one */
  char            *number;
  char            *name;
  char            *queue;
  gboolean         answered;
  SpCallDirection  direction;
} Agent;

/* The end of an answered queue call, waiting for its agentComplete. */
typedef struct
{
  char        *agent;
  SpCallEvent *event;
  gint64       deadline;
} PendingEnd;

struct _SpPbxisCalls
{
  char       *account_id;
  guint       ring_timeout;

  /* What we know of the agents; outlives reconnections, because the snapshot of the next
   * ticket is compared with it. */
  GHashTable *agents;       /* agent → Agent */
  GPtrArray  *pending_ends; /* (element-type PendingEnd) */
  guint64     serial;
  char       *dialled;
  gint64      dialled_until;
};

static void
agent_clear_call (Agent *agent)
{
  g_clear_pointer (&agent->call_id, g_free);
  g_clear_pointer (&agent->number, g_free);
  g_clear_pointer (&agent->name, g_free);
  g_clear_pointer (&agent->queue, g_free);
  agent->has_number = FALSE;
  agent->answered = FALSE;
  agent->direction = SP_CALL_DIRECTION_INCOMING;
}

static void
agent_free (Agent *agent)
{
  agent_clear_call (agent);
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

static SpCallEvent *
new_event (SpPbxisCalls    *self,
           Agent           *agent,
           SpCallEventKind  kind)
{
  SpCallEvent *event = sp_call_event_new (self->account_id, agent->call_id, kind);

  event->direction = agent->direction;
  event->number = agent->number && *agent->number ? g_strdup (agent->number) : NULL;
  event->name = g_strdup (agent->name);
  event->exten = g_strdup (agent->agent);
  event->queue = g_strdup (agent->queue);
  event->ring_timeout = self->ring_timeout;

  return event;
}

static void
emit (SpPbxisCalls    *self,
      Agent           *agent,
      SpCallEventKind  kind,
      GPtrArray       *events)
{
  g_debug ("[%s] Call %s of %s: %s %s", self->account_id,
           agent->call_id, agent->agent, sp_call_event_kind_to_string (kind),
           agent->has_number ? agent->number : "(no number yet)");
  g_ptr_array_add (events, new_event (self, agent, kind));
}

/* The agent's current call is over. */
static void
end_call (SpPbxisCalls *self,
          Agent        *agent,
          gint64        now,
          GPtrArray    *events)
{
  SpCallEventKind kind;

  if (agent->call_id == NULL)
    return;

  /* The tracker makes an unanswered incoming call a missed one. */
  kind = agent->answered ? SP_CALL_EVENT_ENDED : SP_CALL_EVENT_MISSED;

  if (agent->answered && agent->queue != NULL)
    {
      PendingEnd *pending = g_new0 (PendingEnd, 1);

      pending->agent = g_strdup (agent->agent);
      pending->event = new_event (self, agent, kind);
      pending->deadline = now + AGENT_COMPLETE_WAIT_MS * (G_USEC_PER_SEC / 1000);
      g_ptr_array_add (self->pending_ends, pending);
    }
  else
    {
      emit (self, agent, kind, events);
    }

  agent_clear_call (agent);
}

static gboolean
dial_pending (SpPbxisCalls *self,
              gint64        now)
{
  return self->dialled != NULL && now < self->dialled_until;
}

static void
begin_call (SpPbxisCalls *self,
            Agent        *agent,
            const char   *number,
            const char   *name,
            const char   *queue,
            gint64        now,
            GPtrArray    *events)
{
  SpCallEventKind kind;

  agent_clear_call (agent);
  /* The wall clock makes the id unique across runs of the app, the serial within one. */
  agent->call_id = g_strdup_printf ("pbxis-%s-%" G_GINT64_FORMAT "-%" G_GUINT64_FORMAT,
                                    agent->agent, g_get_real_time (), ++self->serial);
  agent->has_number = number != NULL;
  agent->number = g_strdup (number);
  agent->name = g_strdup (name);
  agent->queue = g_strdup (queue);

  if (number != NULL && dial_pending (self, now) && g_str_equal (number, self->dialled))
    {
      /* Our own "dial", connected: the Bridge names the number we dialled. */
      agent->direction = SP_CALL_DIRECTION_OUTGOING;
      agent->answered = TRUE;
      g_clear_pointer (&self->dialled, g_free);
      kind = SP_CALL_EVENT_ANSWERED;
    }
  else if (queue != NULL || number == NULL ||
           agent->extension == SP_PBXIS_EXTENSION_RINGING ||
           agent->extension == SP_PBXIS_EXTENSION_RINGINUSE)
    {
      kind = SP_CALL_EVENT_RINGING;
    }
  else
    {
      /* A number without a queue is the Bridge: the agent is already talking. */
      agent->answered = TRUE;
      kind = SP_CALL_EVENT_ANSWERED;
    }

  emit (self, agent, kind, events);
}

static gboolean
update_string (char       **field,
               const char  *value)
{
  if (value == NULL || g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static void
handle_phone_number (SpPbxisCalls       *self,
                     Agent              *agent,
                     const SpPbxisEvent *event,
                     gint64              now,
                     GPtrArray          *events)
{
  const char *number = event->number;

  if (number == NULL)
    {
      end_call (self, agent, now, events);
      return;
    }

  if (agent->call_id == NULL)
    {
      begin_call (self, agent, number, event->name, event->queue, now, events);
      return;
    }

  if (!agent->has_number)
    {
      /* A direct call rang without a number: here it is, with the answer. */
      agent->has_number = TRUE;
      agent->number = g_strdup (number);
      update_string (&agent->name, event->name);
      update_string (&agent->queue, event->queue);
      if (event->queue == NULL)
        agent->answered = TRUE;
      emit (self, agent, agent->answered ? SP_CALL_EVENT_ANSWERED : SP_CALL_EVENT_RINGING,
            events);
      return;
    }

  if (g_strcmp0 (agent->number, number) == 0)
    {
      /* The same party again (a snapshot after reconnecting): only new details count. */
      gboolean changed = update_string (&agent->name, event->name);

      changed |= update_string (&agent->queue, event->queue);
      if (changed)
        emit (self, agent, agent->answered ? SP_CALL_EVENT_ANSWERED : SP_CALL_EVENT_RINGING,
              events);
      return;
    }

  if (!agent->answered && event->queue == NULL)
    {
      /* The Bridge of a ringing call names the other side, which may be written
       * differently from the caller id it rang with: the same call, now answered. */
      g_free (agent->number);
      agent->number = g_strdup (number);
      agent->answered = TRUE;
      emit (self, agent, SP_CALL_EVENT_ANSWERED, events);
      return;
    }

  /* Another party: that call is over and this one begins. */
  end_call (self, agent, now, events);
  begin_call (self, agent, number, event->name, event->queue, now, events);
}

static void
handle_extension_status (SpPbxisCalls       *self,
                         Agent              *agent,
                         const SpPbxisEvent *event,
                         gint64              now,
                         GPtrArray          *events)
{
  agent->extension = event->extension_status;

  switch (event->extension_status)
    {
    case SP_PBXIS_EXTENSION_RINGING:
    case SP_PBXIS_EXTENSION_RINGINUSE:
      if (agent->call_id != NULL)
        break;
      if (dial_pending (self, now))
        {
          g_debug ("[%s] %s rings for our dial", self->account_id, agent->agent);
          break;
        }
      /* A direct call: no number until it is answered. */
      begin_call (self, agent, NULL, NULL, NULL, now, events);
      break;

    case SP_PBXIS_EXTENSION_INUSE:
    case SP_PBXIS_EXTENSION_BUSY:
    case SP_PBXIS_EXTENSION_ONHOLD:
      if (agent->call_id != NULL && !agent->answered)
        {
          agent->answered = TRUE;
          emit (self, agent, SP_CALL_EVENT_ANSWERED, events);
        }
      break;

    case SP_PBXIS_EXTENSION_NOT_INUSE:
    case SP_PBXIS_EXTENSION_NO_HINT:
    case SP_PBXIS_EXTENSION_UNAVAILABLE:
      end_call (self, agent, now, events);
      break;

    case SP_PBXIS_EXTENSION_UNKNOWN:
    default:
      break;
    }
}

static void
set_talk_times (SpCallEvent        *call_event,
                const SpPbxisEvent *event)
{
  if (event->talk_time >= 0)
    {
      g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, event->talk_time);

      sp_call_event_set_var (call_event, "talk-time", text);
    }
  if (event->hold_time >= 0)
    {
      g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, event->hold_time);

      sp_call_event_set_var (call_event, "hold-time", text);
    }
  if (event->recording != NULL)
    sp_call_event_set_var (call_event, "recording", event->recording);
}

static void
handle_agent_complete (SpPbxisCalls       *self,
                       Agent              *agent,
                       const SpPbxisEvent *event,
                       GPtrArray          *events)
{
  for (guint i = 0; i < self->pending_ends->len; i++)
    {
      PendingEnd *pending = g_ptr_array_index (self->pending_ends, i);

      if (g_str_equal (pending->agent, agent->agent))
        {
          set_talk_times (pending->event, event);
          g_ptr_array_add (events, g_steal_pointer (&pending->event));
          g_ptr_array_remove_index (self->pending_ends, i);
          return;
        }
    }

  /* Before the end: the times go to the call in progress. */
  if (agent->call_id != NULL && agent->answered)
    {
      SpCallEvent *call_event = new_event (self, agent, SP_CALL_EVENT_ANSWERED);

      set_talk_times (call_event, event);
      g_ptr_array_add (events, call_event);
      return;
    }

  g_debug ("[%s] agentComplete for %s matches no call", self->account_id, agent->agent);
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

  return self;
}

/**
 * sp_pbxis_calls_free:
 * @self: (nullable): the calls; ends still waiting are dropped
 */
void
sp_pbxis_calls_free (SpPbxisCalls *self)
{
  if (self == NULL)
    return;

  g_hash_table_unref (self->agents);
  g_ptr_array_unref (self->pending_ends);
  g_free (self->dialled);
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
        handle_phone_number (self, ensure_agent (self, event->agent), event, now, events);
      break;

    case SP_PBXIS_EVENT_EXTENSION_STATUS:
      if (event->agent != NULL)
        handle_extension_status (self, ensure_agent (self, event->agent), event, now, events);
      break;

    case SP_PBXIS_EVENT_AGENT_COMPLETE:
      if (event->agent != NULL)
        handle_agent_complete (self, ensure_agent (self, event->agent), event, events);
      break;

    case SP_PBXIS_EVENT_ORIGINATE_FAILED:
      /* Its "agent" is the dialled number: the dial is over, whichever it was. */
      g_clear_pointer (&self->dialled, g_free);
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
 * sp_pbxis_calls_dialled:
 * @number: the number a "dial" action asked pbxis-ws to call, as sent
 * @now: the monotonic time, in microseconds
 *
 * The dial was accepted: the agent's phone rings first, then the number is connected;
 * neither is an incoming call.
 */
void
sp_pbxis_calls_dialled (SpPbxisCalls *self,
                        const char   *number,
                        gint64        now)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (number != NULL);

  g_free (self->dialled);
  self->dialled = g_strdup (number);
  self->dialled_until = now + DIAL_PENDING_SECONDS * G_USEC_PER_SEC;
}

/**
 * sp_pbxis_calls_get_deadline:
 *
 * Returns: the monotonic time at which the first end that waits for agentComplete is
 *   given up waiting (sp_pbxis_calls_expire()), or -1 if none waits
 */
gint64
sp_pbxis_calls_get_deadline (SpPbxisCalls *self)
{
  gint64 deadline = -1;

  g_return_val_if_fail (self != NULL, -1);

  for (guint i = 0; i < self->pending_ends->len; i++)
    {
      PendingEnd *pending = g_ptr_array_index (self->pending_ends, i);

      if (deadline < 0 || pending->deadline < deadline)
        deadline = pending->deadline;
    }

  return deadline;
}

/**
 * sp_pbxis_calls_expire:
 * @now: the monotonic time, in microseconds
 *
 * Returns: (transfer full) (element-type SpCallEvent): the ends whose agentComplete did not
 *   come in time, without the talk and hold times, in order
 */
GPtrArray *
sp_pbxis_calls_expire (SpPbxisCalls *self,
                       gint64        now)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_call_event_unref);

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
 * sp_pbxis_calls_reset:
 *
 * Forgets every call, every end still waiting and the dial: the source stopped for good,
 * the live calls are the tracker's to expire, and a restart begins from the next snapshot.
 */
void
sp_pbxis_calls_reset (SpPbxisCalls *self)
{
  g_return_if_fail (self != NULL);

  g_hash_table_remove_all (self->agents);
  g_ptr_array_set_size (self->pending_ends, 0);
  g_clear_pointer (&self->dialled, g_free);
}
