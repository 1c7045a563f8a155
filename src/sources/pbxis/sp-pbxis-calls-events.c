/* sp-pbxis-calls-events.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-pbxis"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-pbxis-calls.h"
#include "sp-pbxis-calls-private.h"

/*
 * How each pbxis-ws event changes the calls of its agent, part of SpPbxisCalls
 * (sp-pbxis-calls.c feeds the events here).
 *
 * The protocol's quirks it follows (see protocols/pbxis_ws.md and pbxis.clj):
 *  - A queue call rings with `phoneNumber` (number, name, queue: AgentCalled); a direct
 *    call only with `extensionStatus: ringing`, and its number comes with the answer (the
 *    Bridge's `phoneNumber`, without a queue). On Asterisk 12 and later there is no Bridge
 *    event at all, so a direct call never gets a number: it stays "Unknown caller".
 *  - The answer of a queue call is only `extensionStatus: inuse` (busy, onhold): the server
 *    filters the repeated number. The Bridge may also name the other side written
 *    differently from the caller id it rang with: the same call, now answered.
 *  - An agent can have several calls (call waiting). `phoneNumber` is "the agent's current
 *    party": when one call ends and another remains, pbxis sends the remaining call's
 *    number again (with the ended call's unique-id), and `null` only when none is left.
 *    So a number we already know, from another unique-id, means the current party's call
 *    is over; a new ring does not end the call in progress.
 *  - chan_sip's device state tells the second ring's fate: ringinuse while it rings,
 *    onhold once it is answered (the first call goes on hold), inuse again if it was not
 *    answered, ringing if the call in progress ended meanwhile.
 *  - The end is `phoneNumber` null or `not_inuse` (no_hint, unavailable); an answered queue
 *    call is then summed up by `agentComplete` (talk and hold times, recording), so its end
 *    waits AGENT_COMPLETE_WAIT_MS for it.
 *  - Calls have no id that lasts from ring to end: each gets a local one. The snapshot of
 *    a new ticket repeats the current calls: the same party again is the same call, and
 *    only new details count.
 *  - A "dial" (POST /originate) rings the agent's own phone first; once it is picked up,
 *    Asterisk dials the number, and the Bridge names the other side as the dialplan wrote
 *    it, not necessarily as we dialled it (and never on Asterisk 12+). pbxis-ws answers an
 *    action id even when Asterisk refused the call, and reports a failure as
 *    `originateFailed` whose "agent" is the dialled number, which a ticket of agents
 *    filters out. So a dial is followed (its waits and results: sp-pbxis-dials.c): the
 *    first ring of its agent while it waits is its own (any other ring is an incoming call,
 *    as ever), the pick-up makes it an outgoing call to the number we dialled, and a dial
 *    whose phone does not ring, or is not picked up, fails with a reason within a bounded
 *    time.
 *  - Dials overlap: an agent dials while an earlier call is on (a customer on hold, a
 *    colleague called), or sends several in a row. With a call on hold the phone shows
 *    onhold whatever else rings or is picked up on it, so such a dial shows only its
 *    Bridge; and dials Asterisk works on together show as ringing, ringinuse (the first
 *    picked up while the next rings), onhold. So a Bridge naming a waiting dial's number
 *    (as dialled, or with the dialplan's prefix) is that dial's, picked up.
 */

/* agentComplete follows the end of an answered queue call closely; the end waits this long
 * for it, so that the call's record gets the talk and hold times. */
#define AGENT_COMPLETE_WAIT_MS 1000

/* An empty number is no number: the Bridge's CallerID is "" when Asterisk has none. */
static gboolean
is_number (const char *number)
{
  return number != NULL && *number != '\0';
}

static SpCallEvent *
new_event (SpPbxisCalls    *self,
           Agent           *agent,
           Call            *call,
           SpCallEventKind  kind)
{
  SpCallEvent *event = sp_call_event_new (self->account_id, call->call_id, kind);

  event->direction = call->direction;
  event->number = g_strdup (call->number);
  event->name = g_strdup (call->name);
  event->exten = g_strdup (agent->agent);
  event->queue = g_strdup (call->queue);
  event->ring_timeout = self->ring_timeout;

  return event;
}

static void
emit (SpPbxisCalls    *self,
      Agent           *agent,
      Call            *call,
      SpCallEventKind  kind,
      GPtrArray       *events)
{
  g_debug ("[%s] Call %s of %s: %s %s", self->account_id,
           call->call_id, agent->agent, sp_call_event_kind_to_string (kind),
           call->number ? call->number : "(no number yet)");
  g_ptr_array_add (events, new_event (self, agent, call, kind));
}

static void
add_unique_id (Call       *call,
               const char *unique_id)
{
  if (unique_id == NULL)
    return;

  for (guint i = 0; i < call->unique_ids->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (call->unique_ids, i), unique_id))
        return;
    }

  g_ptr_array_add (call->unique_ids, g_strdup (unique_id));
}

static gboolean
has_unique_id (Call       *call,
               const char *unique_id)
{
  for (guint i = 0; unique_id != NULL && i < call->unique_ids->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (call->unique_ids, i), unique_id))
        return TRUE;
    }

  return FALSE;
}

static Call *
new_call (SpPbxisCalls    *self,
          Agent           *agent,
          SpCallDirection  direction)
{
  Call *call = g_new0 (Call, 1);

  /* The wall clock makes the id unique across runs of the app, the serial within one. */
  call->call_id = g_strdup_printf ("pbxis-%s-%" G_GINT64_FORMAT "-%" G_GUINT64_FORMAT,
                                   agent->agent, g_get_real_time (), ++self->serial);
  call->unique_ids = g_ptr_array_new_with_free_func (g_free);
  call->direction = direction;
  g_ptr_array_add (agent->calls, call);

  return call;
}

/* @call is over: it leaves the agent's calls. */
static void
end_call (SpPbxisCalls *self,
          Agent        *agent,
          Call         *call,
          gint64        now,
          GPtrArray    *events)
{
  /* The tracker makes an unanswered incoming call a missed one. */
  SpCallEventKind kind = call->answered ? SP_CALL_EVENT_ENDED : SP_CALL_EVENT_MISSED;

  if (call->answered && call->queue != NULL)
    {
      PendingEnd *pending = g_new0 (PendingEnd, 1);

      pending->agent = g_strdup (agent->agent);
      pending->event = new_event (self, agent, call, kind);
      pending->deadline = now + AGENT_COMPLETE_WAIT_MS * (G_USEC_PER_SEC / 1000);
      g_ptr_array_add (self->pending_ends, pending);
    }
  else
    {
      emit (self, agent, call, kind, events);
    }

  g_ptr_array_remove (agent->calls, call);
}

/* Every call of the agent that matches: all (@which NULL), or the ones @which accepts. */
static void
end_calls (SpPbxisCalls *self,
           Agent        *agent,
           gboolean    (*which) (Call *call),
           gint64        now,
           GPtrArray    *events)
{
  for (guint i = 0; i < agent->calls->len;)
    {
      Call *call = g_ptr_array_index (agent->calls, i);

      if (which == NULL || which (call))
        end_call (self, agent, call, now, events);
      else
        i++;
    }
}

static Call *
find_number (Agent      *agent,
             const char *number)
{
  for (guint i = 0; i < agent->calls->len; i++)
    {
      Call *call = g_ptr_array_index (agent->calls, i);

      if (g_strcmp0 (call->number, number) == 0)
        return call;
    }

  return NULL;
}

/* The newest call that has not been answered (the ringing one), if any. */
static Call *
find_ringing (Agent *agent)
{
  for (guint i = agent->calls->len; i > 0; i--)
    {
      Call *call = g_ptr_array_index (agent->calls, i - 1);

      if (!call->answered)
        return call;
    }

  return NULL;
}

static Call *
find_answered (Agent *agent)
{
  for (guint i = 0; i < agent->calls->len; i++)
    {
      Call *call = g_ptr_array_index (agent->calls, i);

      if (call->answered)
        return call;
    }

  return NULL;
}

static Call *
find_numberless (Agent *agent)
{
  for (guint i = agent->calls->len; i > 0; i--)
    {
      Call *call = g_ptr_array_index (agent->calls, i - 1);

      if (call->number == NULL && call->direction == SP_CALL_DIRECTION_INCOMING)
        return call;
    }

  return NULL;
}

/* The newest call that waits for a Bridge to name its party: our dial, picked up, or a
 * direct call. */
static Call *
find_unnamed (Agent *agent)
{
  for (guint i = agent->calls->len; i > 0; i--)
    {
      Call *call = g_ptr_array_index (agent->calls, i - 1);

      if (call->direction == SP_CALL_DIRECTION_OUTGOING ? !call->bridged : call->number == NULL)
        return call;
    }

  return NULL;
}

/* What pbxis tracks and names: a call with a number, from AgentCalled or a Bridge. */
static gboolean
is_announced (Call *call)
{
  return call->number != NULL &&
         (call->direction == SP_CALL_DIRECTION_INCOMING || call->bridged);
}

static gboolean
is_answered (Call *call)
{
  return call->answered;
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
set_party (Agent      *agent,
           const char *number)
{
  g_free (agent->party);
  agent->party = g_strdup (number);
}

/* The agent picked up the phone the dial rang: Asterisk now calls the number, an outgoing
 * call in progress, under the number we dialled. */
static Call *
pick_up (SpPbxisCalls *self,
         Agent        *agent,
         SpPbxisDial  *dial,
         GPtrArray    *events)
{
  Call *call = new_call (self, agent, SP_CALL_DIRECTION_OUTGOING);

  call->number = g_strdup (dial->number);
  call->answered = TRUE;
  emit (self, agent, call, SP_CALL_EVENT_ANSWERED, events);
  sp_pbxis_dials_succeed (self->dials, dial);

  return call;
}

/* Our dial @call is connected to what the Bridge names; the dialplan may have written the
 * number otherwise (or it is the caller id of the outgoing leg). The record keeps the number
 * we dialled. */
static void
bridge (SpPbxisCalls       *self,
        Call               *call,
        const SpPbxisEvent *event,
        const char         *number)
{
  if (g_strcmp0 (call->number, number) != 0)
    g_debug ("[%s] The dial to %s was connected to %s", self->account_id, call->number,
             number ? number : "(no number)");
  call->bridged = TRUE;
  add_unique_id (call, event->unique_id);
}

/* Our dial picked up and waiting for its Bridge, whose number is @number. */
static Call *
find_dialled (Agent      *agent,
              const char *number,
              gboolean    exact)
{
  for (guint i = 0; i < agent->calls->len; i++)
    {
      Call *call = g_ptr_array_index (agent->calls, i);

      if (call->direction == SP_CALL_DIRECTION_OUTGOING && !call->bridged &&
          sp_pbxis_number_matches (call->number, number, exact))
        return call;
    }

  return NULL;
}

/* A Bridge that names the number of one of our dials is that dial's, picked up or not:
 * with a call on hold, chan_sip shows the phone as onhold whatever else rings or is picked
 * up on it (and pbxis drops the repeated status), so a dial from there shows nothing but
 * its Bridge; and dials sent in a row ring and are picked up in Asterisk together, in an
 * order the extension status cannot tell apart. The same digits first, then the same number
 * written with another prefix (the dialplan's). Returns whether the Bridge was a dial's. */
static gboolean
connect_dial (SpPbxisCalls       *self,
              Agent              *agent,
              const SpPbxisEvent *event,
              const char         *number,
              GPtrArray          *events)
{
  const gboolean exactness[] = { TRUE, FALSE };

  for (guint i = 0; i < G_N_ELEMENTS (exactness); i++)
    {
      Call *call = find_dialled (agent, number, exactness[i]);
      SpPbxisDial *dial;

      if (call == NULL)
        {
          dial = sp_pbxis_dials_find_number (self->dials, agent->agent, number, exactness[i]);
          if (dial != NULL)
            {
              g_debug ("[%s] Dial %u connected before its pick-up was seen", self->account_id,
                       dial->id);
              call = pick_up (self, agent, dial, events);
            }
        }

      if (call != NULL)
        {
          bridge (self, call, event, number);
          return TRUE;
        }
    }

  return FALSE;
}

/* Events */

void
sp_pbxis_calls_handle_phone_number (SpPbxisCalls       *self,
                                    Agent              *agent,
                                    const SpPbxisEvent *event,
                                    gint64              now,
                                    GPtrArray          *events)
{
  const char *number = is_number (event->number) ? event->number : NULL;
  g_autofree char *old_party = NULL;
  SpPbxisDial *dial;
  Call *known;
  Call *call;

  if (event->number == NULL)
    {
      /* No call is left that pbxis knows of. A direct ring it never named, or our dial
       * before its Bridge, end with the extension. */
      end_calls (self, agent, is_announced, now, events);
      set_party (agent, NULL);
      return;
    }

  old_party = g_steal_pointer (&agent->party);
  agent->party = g_strdup (number);
  known = number ? find_number (agent, number) : NULL;

  if (known != NULL && (g_strcmp0 (number, old_party) == 0 ||
                        has_unique_id (known, event->unique_id)))
    {
      /* The same party again (a snapshot after reconnecting): only new details count. */
      gboolean changed = update_string (&known->name, event->name);

      changed |= update_string (&known->queue, event->queue);
      add_unique_id (known, event->unique_id);
      if (changed)
        emit (self, agent, known,
              known->answered ? SP_CALL_EVENT_ANSWERED : SP_CALL_EVENT_RINGING, events);
      return;
    }

  /* A Bridge of a dial of ours, by its number. */
  if (event->queue == NULL && number != NULL && connect_dial (self, agent, event, number, events))
    return;

  /* Else a Bridge names the newest call that waits for one: our dial (under a number the
   * dialplan rewrote past recognition), or a direct call. */
  call = event->queue == NULL ? find_unnamed (agent) : NULL;
  if (call != NULL && call->direction == SP_CALL_DIRECTION_OUTGOING)
    {
      bridge (self, call, event, number);
      return;
    }

  if (known != NULL)
    {
      /* pbxis fell back to this call, with the unique-id of the one that was the party:
       * that one is over. */
      Call *party = old_party ? find_number (agent, old_party) : NULL;

      if (party != NULL && party != known)
        end_call (self, agent, party, now, events);
      return;
    }

  if (event->queue != NULL)
    {
      /* AgentCalled: a queue call rings, maybe while another is in progress. Its
       * extensionStatus may have come first, making a call without a number. */
      call = find_numberless (agent);
      if (call == NULL || call->answered)
        call = new_call (self, agent, SP_CALL_DIRECTION_INCOMING);
      g_free (call->number);
      call->number = g_strdup (number);
      update_string (&call->name, event->name);
      update_string (&call->queue, event->queue);
      add_unique_id (call, event->unique_id);
      emit (self, agent, call, SP_CALL_EVENT_RINGING, events);
      return;
    }

  /* A Bridge: the agent is talking to the party it names. */
  dial = sp_pbxis_dials_find_agent (self->dials, agent->agent, SP_PBXIS_DIAL_RINGING);
  if (dial != NULL)
    {
      /* Before any pick-up of ours could connect anything: the ring we took for the dial's
       * was a direct call, now answered. The dial waits for its own ring again. */
      sp_pbxis_dials_unring (self->dials, dial, now);
    }

  /* A direct call rang without a number: here it is. */
  call = find_numberless (agent);
  if (call == NULL && old_party != NULL)
    {
      Call *ringing = find_ringing (agent);

      /* The Bridge of a ringing queue call may write the caller id differently: the same
       * call, now answered. */
      if (ringing != NULL && ringing->queue != NULL && g_strcmp0 (ringing->number, old_party) == 0)
        call = ringing;
    }

  if (call != NULL)
    {
      if (number != NULL)
        {
          g_free (call->number);
          call->number = g_strdup (number);
        }
      update_string (&call->name, event->name);
    }
  else
    {
      /* A call first seen talking: picked up before we knew it rang. */
      call = new_call (self, agent, SP_CALL_DIRECTION_INCOMING);
      call->number = g_strdup (number);
      call->name = g_strdup (event->name);
    }

  add_unique_id (call, event->unique_id);
  call->answered = TRUE;
  emit (self, agent, call, SP_CALL_EVENT_ANSWERED, events);
}

void
sp_pbxis_calls_handle_extension_status (SpPbxisCalls       *self,
                                        Agent              *agent,
                                        const SpPbxisEvent *event,
                                        gint64              now,
                                        GPtrArray          *events)
{
  SpPbxisExtensionStatus old = agent->extension;
  SpPbxisDial *dial;
  Call *ringing;

  agent->extension = event->extension_status;
  ringing = find_ringing (agent);

  switch (event->extension_status)
    {
    case SP_PBXIS_EXTENSION_RINGING:
    case SP_PBXIS_EXTENSION_RINGINUSE:
      /* Only ringing, nothing in use: whatever was answered is over (its end may have been
       * a fallback pbxis filtered as a repeat). */
      if (event->extension_status == SP_PBXIS_EXTENSION_RINGING)
        end_calls (self, agent, is_answered, now, events);

      dial = sp_pbxis_dials_find_agent (self->dials, agent->agent, SP_PBXIS_DIAL_RINGING);
      if (event->extension_status == SP_PBXIS_EXTENSION_RINGINUSE &&
          old == SP_PBXIS_EXTENSION_RINGING && dial != NULL && ringing == NULL &&
          find_answered (agent) == NULL)
        {
          /* It rang for our dial alone, and now a call is up while another rings: the dial
           * was picked up as the next ring came (dials sent in a row, or a call coming in);
           * the phone shows no inuse in between. */
          pick_up (self, agent, dial, events);
        }

      if (ringing != NULL)
        break;

      dial = sp_pbxis_dials_find_agent (self->dials, agent->agent, SP_PBXIS_DIAL_SENT);
      if (dial != NULL)
        {
          /* Asterisk rings the agent's own phone for our dial. Only this one ring: any
           * other is an incoming call. */
          sp_pbxis_dials_ring (self->dials, dial, now);
          break;
        }

      /* A direct call: no number until it is answered. */
      ringing = new_call (self, agent, SP_CALL_DIRECTION_INCOMING);
      emit (self, agent, ringing, SP_CALL_EVENT_RINGING, events);
      break;

    case SP_PBXIS_EXTENSION_INUSE:
    case SP_PBXIS_EXTENSION_BUSY:
    case SP_PBXIS_EXTENSION_ONHOLD:
      dial = sp_pbxis_dials_find_agent (self->dials, agent->agent, SP_PBXIS_DIAL_RINGING);
      if (dial == NULL && ringing == NULL && find_answered (agent) == NULL)
        {
          /* A phone that answers by itself rings for no one to see. */
          dial = sp_pbxis_dials_find_agent (self->dials, agent->agent, SP_PBXIS_DIAL_SENT);
        }
      if (dial != NULL && dial->phase == SP_PBXIS_DIAL_RINGING && old == SP_PBXIS_EXTENSION_RINGINUSE &&
          event->extension_status != SP_PBXIS_EXTENSION_ONHOLD && find_answered (agent) != NULL)
        {
          /* It rang during a call and stopped, and that call goes on: not picked up. */
          sp_pbxis_dials_fail (self->dials, dial, _("nobody picked up extension %s"), agent->agent);
          break;
        }
      if (dial != NULL)
        {
          pick_up (self, agent, dial, events);
          break;
        }

      if (ringing == NULL)
        break;

      if (find_answered (agent) == NULL)
        {
          ringing->answered = TRUE;
          emit (self, agent, ringing, SP_CALL_EVENT_ANSWERED, events);
        }
      else if (event->extension_status == SP_PBXIS_EXTENSION_ONHOLD)
        {
          /* Call waiting: the second call answered, the first one on hold. */
          ringing->answered = TRUE;
          emit (self, agent, ringing, SP_CALL_EVENT_ANSWERED, events);
        }
      else if (old == SP_PBXIS_EXTENSION_RINGINUSE)
        {
          /* Call waiting: the second call stopped ringing and the first goes on. */
          end_call (self, agent, ringing, now, events);
        }
      break;

    case SP_PBXIS_EXTENSION_NOT_INUSE:
    case SP_PBXIS_EXTENSION_NO_HINT:
    case SP_PBXIS_EXTENSION_UNAVAILABLE:
      dial = sp_pbxis_dials_find_agent (self->dials, agent->agent, SP_PBXIS_DIAL_RINGING);
      if (dial != NULL)
        sp_pbxis_dials_fail (self->dials, dial, _("nobody picked up extension %s"), agent->agent);
      end_calls (self, agent, NULL, now, events);
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

void
sp_pbxis_calls_handle_agent_complete (SpPbxisCalls       *self,
                                      Agent              *agent,
                                      const SpPbxisEvent *event,
                                      gint64              now,
                                      GPtrArray          *events)
{
  Call *call = NULL;

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

  for (guint i = 0; i < agent->calls->len && call == NULL; i++)
    {
      Call *candidate = g_ptr_array_index (agent->calls, i);

      if (candidate->answered && candidate->queue != NULL)
        call = candidate;
    }

  if (call == NULL)
    call = find_answered (agent);

  if (call == NULL)
    {
      g_debug ("[%s] agentComplete for %s matches no call", self->account_id, agent->agent);
      return;
    }

  if (agent->calls->len > 1 && call->queue != NULL)
    {
      /* With another call on, the null before it was a fallback to that call, which pbxis
       * may have filtered as a repeat: this is the end of the oldest answered queue call. */
      SpCallEvent *call_event = new_event (self, agent, call, SP_CALL_EVENT_ENDED);

      set_talk_times (call_event, event);
      g_ptr_array_add (events, call_event);
      g_ptr_array_remove (agent->calls, call);
      return;
    }

  /* Before the end: the times go to the call in progress. */
  {
    SpCallEvent *call_event = new_event (self, agent, call, SP_CALL_EVENT_ANSWERED);

    set_talk_times (call_event, event);
    g_ptr_array_add (events, call_event);
  }
}
