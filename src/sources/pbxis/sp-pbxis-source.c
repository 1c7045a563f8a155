/* sp-pbxis-source.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-pbxis"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "sp-account.h"
#include "sp-http.h"
#include "sp-pbxis.h"
#include "sp-pbxis-source.h"
#include "sp-sse.h"

/*
 * pbxis-ws (see protocols/pbxis_ws.md): POST /ticket names the agents and queues, and the
 * ticket's events are then read over one transport: a WebSocket, Server-Sent Events or
 * long-polls. Everything that shapes this file comes from the server's quirks:
 *
 *  - A ticket dies 15 s after its reader left, and a dead ticket on the WebSocket gives a
 *    socket that is accepted and then silent for ever. So every connection attempt asks
 *    for a fresh ticket; the snapshot at the start of each ticket resyncs the state.
 *  - There are no heartbeats: silence is normal for hours, so there is no liveness
 *    timeout (TCP keepalive and the network monitor notice dead links). The one exception
 *    is a long-poll, which the server answers within its poll timeout.
 *  - `closed` means the server is shutting down: come back, but slowly. On SSE it also
 *    answers an unknown ticket, which is only a reason to get a new one.
 *  - Calls: a queue call rings with `phoneNumber` (number, name, queue); a direct call
 *    only with `extensionStatus: ringing`, its number comes with the answer; the answer
 *    of a queue call is only `extensionStatus: inuse` (the repeated number is filtered by
 *    the server); the end is `phoneNumber` null or `not_inuse`, and `agentComplete`
 *    follows with the talk and hold times. Calls have no id that lasts from ring to end,
 *    so each gets a local one, and a call is one (agent, number).
 *  - Actions are plain POSTs, and Asterisk's refusals come back as HTTP 200 with
 *    `"response":"Error"`.
 *
 * The account: `url` is the base URL (http://HOST:58615, or behind a proxy with a path),
 * `extensions` the agents, and `options`:
 *   transport       websocket (default) | sse | long-poll
 *   queues          comma-separated queue names, for the agent panel and queue counts
 *   summary-events  true to receive QueueSummary/MemberSummary
 *   poll-timeout    the server's :poll-timeout-seconds, if not 30
 * Actions (perform): DIAL (param: the number, or a tel:/callto: link), QUEUE_ADD,
 * QUEUE_REMOVE, QUEUE_PAUSE, QUEUE_UNPAUSE (param: the queue), and the agent-wide
 * PAUSE and UNPAUSE (every queue at once; pbxis-ws passes no reason on), all for the
 * first extension. The agent state (#SpSource:agent-state) follows its queue memberships.
 */

/* How long connecting (ticket and stream) may take before the attempt counts as failed
 * (the base class's deadline). */
#define CONNECT_TIMEOUT_SECONDS 15
/* How long an action may take. */
#define ACTION_TIMEOUT_SECONDS 15
/* pbxis-ws answers a long-poll within :poll-timeout-seconds (30 by default), plus 100 ms
 * of gathering; this much more and it is not coming. */
#define DEFAULT_POLL_TIMEOUT_SECONDS 30
#define POLL_GRACE_SECONDS 15
/* agentComplete follows the end of an answered queue call closely; the end waits this long
 * for it, so that the call's record gets the talk and hold times. */
#define AGENT_COMPLETE_WAIT_MS 1000
/* After a "dial", the agent's own phone rings first (that is how Asterisk originates): for
 * this long, such a ring is not an incoming call. */
#define DIAL_PENDING_SECONDS 60
#define MAX_INCOMING_PAYLOAD (4 * 1024 * 1024)
#define SSE_READ_SIZE 8192

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

typedef struct
{
  SpPbxisSource *self;             /* unowned: the source removes its pending ends */
  char          *agent;
  SpCallEvent   *event;
  guint          timeout_id;
} PendingEnd;

struct _SpPbxisSource
{
  SpSource                 parent_instance;

  SoupSession             *session;

  /* The connection: all dropped by disconnect(). */
  SpPbxisTransport         transport;
  char                    *base_url;
  char                    *ticket;
  SoupWebsocketConnection *websocket;
  GInputStream            *sse_stream;
  SpSseParser             *sse;
  gboolean                 got_event;
  guint                    poll_timeout;

  /* What we know of the agents; outlives reconnections, because the snapshot of the next
   * ticket is compared with it. */
  GHashTable              *agents;       /* agent → Agent */
  GPtrArray               *pending_ends; /* (element-type PendingEnd) */
  guint64                  serial;
  char                    *dialled;
  gint64                   dialled_until;

  /* The agent panel's model. */
  GHashTable              *memberships;  /* queue → SpPbxisMemberStatus */
  GHashTable              *counts;       /* queue → gint64* */
  char                    *agent_name;
};

enum {
  QUEUE_CHANGED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

G_DEFINE_FINAL_TYPE (SpPbxisSource, sp_pbxis_source, SP_TYPE_SOURCE)

static void start_poll (SpPbxisSource *self);

/* Configuration */

/**
 * sp_pbxis_source_normalize_url:
 * @url: what the user typed: http://host:58615, https://…, ws://…, with or without a
 *   path prefix (a reverse proxy) and trailing slash
 * @error: return location for an %SP_SOURCE_ERROR_CONFIG error a person can fix
 *
 * The kind's reading of its server address: sp_http_normalize_url(), ws(s) accepted.
 *
 * Returns: (transfer full) (nullable): the http(s) base URL without a trailing slash
 */
char *
sp_pbxis_source_normalize_url (const char  *url,
                               GError     **error)
{
  return sp_http_normalize_url (url, SP_HTTP_URL_WEBSOCKET, "http://HOST:58615", error);
}

/**
 * sp_pbxis_parse_transport:
 * @text: (nullable): the `transport` option; %NULL or "" for the default, the WebSocket
 *
 * Returns: %TRUE if @text names a transport
 */
gboolean
sp_pbxis_parse_transport (const char       *text,
                          SpPbxisTransport *transport)
{
  if (text == NULL || *text == '\0' || g_ascii_strcasecmp (text, "websocket") == 0 ||
      g_ascii_strcasecmp (text, "ws") == 0)
    *transport = SP_PBXIS_TRANSPORT_WEBSOCKET;
  else if (g_ascii_strcasecmp (text, "sse") == 0)
    *transport = SP_PBXIS_TRANSPORT_SSE;
  else if (g_ascii_strcasecmp (text, "long-poll") == 0 || g_ascii_strcasecmp (text, "longpoll") == 0)
    *transport = SP_PBXIS_TRANSPORT_LONG_POLL;
  else
    return FALSE;

  return TRUE;
}

/**
 * sp_pbxis_transport_to_string:
 *
 * Returns: the value of the `transport` option that names @transport
 */
const char *
sp_pbxis_transport_to_string (SpPbxisTransport transport)
{
  switch (transport)
    {
    case SP_PBXIS_TRANSPORT_WEBSOCKET:
      return "websocket";
    case SP_PBXIS_TRANSPORT_SSE:
      return "sse";
    case SP_PBXIS_TRANSPORT_LONG_POLL:
    default:
      return "long-poll";
    }
}

static gboolean
option_is_true (const char *value)
{
  return value != NULL && (g_ascii_strcasecmp (value, "true") == 0 ||
                           g_ascii_strcasecmp (value, "yes") == 0 ||
                           g_strcmp0 (value, "1") == 0);
}

/* The `queues` option: a comma-separated list. */
static char **
dup_queues (SpAccount *account)
{
  g_autofree char *option = sp_account_dup_option (account, SP_PBXIS_OPTION_QUEUES);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) parts = g_strsplit (option ? option : "", ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *queue = g_strstrip (parts[i]);

      if (*queue != '\0')
        g_strv_builder_add (builder, queue);
    }

  return g_strv_builder_end (builder);
}

static char *
first_extension (SpPbxisSource *self)
{
  g_auto(GStrv) extensions = sp_account_dup_extensions (sp_source_get_account (SP_SOURCE (self)));

  return extensions != NULL && extensions[0] != NULL ? g_strdup (extensions[0]) : NULL;
}

/* Calls */

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
ensure_agent (SpPbxisSource *self,
              const char    *id)
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
  g_clear_handle_id (&pending->timeout_id, g_source_remove);
  g_clear_pointer (&pending->event, sp_call_event_unref);
  g_free (pending->agent);
  g_free (pending);
}

static SpCallEvent *
new_event (SpPbxisSource   *self,
           Agent           *agent,
           SpCallEventKind  kind)
{
  SpSource *source = SP_SOURCE (self);
  SpCallEvent *event = sp_source_new_call_event (source, agent->call_id, kind);

  event->direction = agent->direction;
  event->number = agent->number && *agent->number ? g_strdup (agent->number) : NULL;
  event->name = g_strdup (agent->name);
  event->exten = g_strdup (agent->agent);
  event->queue = g_strdup (agent->queue);
  event->ring_timeout = sp_account_get_ring_timeout (sp_source_get_account (source));

  return event;
}

static void
emit (SpPbxisSource   *self,
      Agent           *agent,
      SpCallEventKind  kind)
{
  g_autoptr(SpCallEvent) event = new_event (self, agent, kind);

  g_debug ("[%s] Call %s of %s: %s %s", sp_source_get_account_id (SP_SOURCE (self)),
           agent->call_id, agent->agent, sp_call_event_kind_to_string (kind),
           agent->has_number ? agent->number : "(no number yet)");
  sp_source_emit_call_event (SP_SOURCE (self), event);
}

static gboolean
pending_end_cb (gpointer data)
{
  PendingEnd *pending = data;
  SpPbxisSource *self = pending->self;

  pending->timeout_id = 0;
  g_debug ("[%s] No agentComplete for call %s; ending it without", sp_source_get_account_id (SP_SOURCE (self)),
           pending->event->call_id);
  sp_source_emit_call_event (SP_SOURCE (self), pending->event);
  g_ptr_array_remove (self->pending_ends, pending);

  return G_SOURCE_REMOVE;
}

/* The agent's current call is over. */
static void
end_call (SpPbxisSource *self,
          Agent         *agent)
{
  SpCallEventKind kind;

  if (agent->call_id == NULL)
    return;

  /* The tracker makes an unanswered incoming call a missed one. */
  kind = agent->answered ? SP_CALL_EVENT_ENDED : SP_CALL_EVENT_MISSED;

  if (agent->answered && agent->queue != NULL)
    {
      PendingEnd *pending = g_new0 (PendingEnd, 1);

      pending->self = self;
      pending->agent = g_strdup (agent->agent);
      pending->event = new_event (self, agent, kind);
      pending->timeout_id = g_timeout_add (AGENT_COMPLETE_WAIT_MS, pending_end_cb, pending);
      g_ptr_array_add (self->pending_ends, pending);
    }
  else
    {
      emit (self, agent, kind);
    }

  agent_clear_call (agent);
}

static gboolean
dial_pending (SpPbxisSource *self)
{
  return self->dialled != NULL && g_get_monotonic_time () < self->dialled_until;
}

static void
begin_call (SpPbxisSource *self,
            Agent         *agent,
            const char    *number,
            const char    *name,
            const char    *queue)
{
  SpCallEventKind kind;

  agent_clear_call (agent);
  agent->call_id = g_strdup_printf ("pbxis-%s-%" G_GINT64_FORMAT "-%" G_GUINT64_FORMAT,
                                    agent->agent, g_get_real_time (), ++self->serial);
  agent->has_number = number != NULL;
  agent->number = g_strdup (number);
  agent->name = g_strdup (name);
  agent->queue = g_strdup (queue);

  if (number != NULL && dial_pending (self) && g_str_equal (number, self->dialled))
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

  emit (self, agent, kind);
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
handle_phone_number (SpPbxisSource      *self,
                     Agent              *agent,
                     const SpPbxisEvent *event)
{
  const char *number = event->number;

  if (number == NULL)
    {
      end_call (self, agent);
      return;
    }

  if (agent->call_id == NULL)
    {
      begin_call (self, agent, number, event->name, event->queue);
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
      emit (self, agent, agent->answered ? SP_CALL_EVENT_ANSWERED : SP_CALL_EVENT_RINGING);
      return;
    }

  if (g_strcmp0 (agent->number, number) == 0)
    {
      /* The same party again (a snapshot after reconnecting): only new details count. */
      gboolean changed = update_string (&agent->name, event->name);

      changed |= update_string (&agent->queue, event->queue);
      if (changed)
        emit (self, agent, agent->answered ? SP_CALL_EVENT_ANSWERED : SP_CALL_EVENT_RINGING);
      return;
    }

  if (!agent->answered && event->queue == NULL)
    {
      /* The Bridge of a ringing call names the other side, which may be written
       * differently from the caller id it rang with: the same call, now answered. */
      g_free (agent->number);
      agent->number = g_strdup (number);
      agent->answered = TRUE;
      emit (self, agent, SP_CALL_EVENT_ANSWERED);
      return;
    }

  /* Another party: that call is over and this one begins. */
  end_call (self, agent);
  begin_call (self, agent, number, event->name, event->queue);
}

static void
handle_extension_status (SpPbxisSource      *self,
                         Agent              *agent,
                         const SpPbxisEvent *event)
{
  agent->extension = event->extension_status;

  switch (event->extension_status)
    {
    case SP_PBXIS_EXTENSION_RINGING:
    case SP_PBXIS_EXTENSION_RINGINUSE:
      if (agent->call_id != NULL)
        break;
      if (dial_pending (self))
        {
          g_debug ("[%s] %s rings for our dial", sp_source_get_account_id (SP_SOURCE (self)),
                   agent->agent);
          break;
        }
      /* A direct call: no number until it is answered. */
      begin_call (self, agent, NULL, NULL, NULL);
      break;

    case SP_PBXIS_EXTENSION_INUSE:
    case SP_PBXIS_EXTENSION_BUSY:
    case SP_PBXIS_EXTENSION_ONHOLD:
      if (agent->call_id != NULL && !agent->answered)
        {
          agent->answered = TRUE;
          emit (self, agent, SP_CALL_EVENT_ANSWERED);
        }
      break;

    case SP_PBXIS_EXTENSION_NOT_INUSE:
    case SP_PBXIS_EXTENSION_NO_HINT:
    case SP_PBXIS_EXTENSION_UNAVAILABLE:
      end_call (self, agent);
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
handle_agent_complete (SpPbxisSource      *self,
                       Agent              *agent,
                       const SpPbxisEvent *event)
{
  for (guint i = 0; i < self->pending_ends->len; i++)
    {
      PendingEnd *pending = g_ptr_array_index (self->pending_ends, i);

      if (g_str_equal (pending->agent, agent->agent))
        {
          set_talk_times (pending->event, event);
          sp_source_emit_call_event (SP_SOURCE (self), pending->event);
          g_ptr_array_remove_index (self->pending_ends, i);
          return;
        }
    }

  /* Before the end: the times go to the call in progress. */
  if (agent->call_id != NULL && agent->answered)
    {
      g_autoptr(SpCallEvent) call_event = new_event (self, agent, SP_CALL_EVENT_ANSWERED);

      set_talk_times (call_event, event);
      sp_source_emit_call_event (SP_SOURCE (self), call_event);
      return;
    }

  g_debug ("[%s] agentComplete for %s matches no call", sp_source_get_account_id (SP_SOURCE (self)),
           agent->agent);
}

/* Agent panel */

/* The agent takes calls if it is an unpaused member of any queue, is paused if it is a
 * member of some and paused in all of them, and is logged out if it is a member of none. */
static void
update_agent_state (SpPbxisSource *self)
{
  SpAgentState agent_state = SP_AGENT_STATE_NONE;
  GHashTableIter iter;
  gpointer value;

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

  sp_source_set_agent_state (SP_SOURCE (self), agent_state);
}

static void
set_membership (SpPbxisSource       *self,
                const SpPbxisEvent  *event)
{
  g_autofree char *agent = first_extension (self);
  gpointer old;

  /* The panel is the first extension's. */
  if (g_strcmp0 (agent, event->agent) != 0)
    return;

  old = g_hash_table_lookup (self->memberships, event->queue);
  if (old != NULL && GPOINTER_TO_INT (old) == (int) event->member_status)
    {
      update_agent_state (self);
      return;
    }

  g_hash_table_insert (self->memberships, g_strdup (event->queue),
                       GINT_TO_POINTER (event->member_status));
  update_agent_state (self);
  g_signal_emit (self, signals[QUEUE_CHANGED], 0, event->queue);
}

static void
set_count (SpPbxisSource      *self,
           const SpPbxisEvent *event)
{
  gint64 *old = g_hash_table_lookup (self->counts, event->queue);
  gint64 *count;

  if (old != NULL && *old == event->count)
    return;

  count = g_new (gint64, 1);
  *count = event->count;
  g_hash_table_insert (self->counts, g_strdup (event->queue), count);
  g_signal_emit (self, signals[QUEUE_CHANGED], 0, event->queue);
}

/* Events */

static gboolean
attempt_is_over (SpPbxisSource *self)
{
  GCancellable *cancellable = sp_source_get_cancellable (SP_SOURCE (self));

  return cancellable == NULL || g_cancellable_is_cancelled (cancellable);
}

static void
handle_event (SpPbxisSource      *self,
              const SpPbxisEvent *event)
{
  SpSource *source = SP_SOURCE (self);
  const char *account_id = sp_source_get_account_id (source);
  gboolean first = !self->got_event;
  Agent *agent = NULL;

  self->got_event = TRUE;

  g_debug ("[%s] %s event%s%s", account_id, event->type_name,
           event->agent ? " for " : "", event->agent ? event->agent : "");

  if (event->agent != NULL && event->type != SP_PBXIS_EVENT_ORIGINATE_FAILED)
    agent = ensure_agent (self, event->agent);

  switch (event->type)
    {
    case SP_PBXIS_EVENT_PHONE_NUMBER:
      handle_phone_number (self, agent, event);
      break;

    case SP_PBXIS_EVENT_EXTENSION_STATUS:
      handle_extension_status (self, agent, event);
      break;

    case SP_PBXIS_EVENT_AGENT_COMPLETE:
      handle_agent_complete (self, agent, event);
      break;

    case SP_PBXIS_EVENT_QUEUE_MEMBER_STATUS:
      set_membership (self, event);
      break;

    case SP_PBXIS_EVENT_QUEUE_COUNT:
      set_count (self, event);
      break;

    case SP_PBXIS_EVENT_AGENT_NAME:
      {
        g_autofree char *first_agent = first_extension (self);

        if (g_strcmp0 (first_agent, event->agent) == 0)
          update_string (&self->agent_name, event->name);
      }
      break;

    case SP_PBXIS_EVENT_ORIGINATE_FAILED:
      /* Its "agent" is the dialled number (a server quirk): only ours is of interest. */
      g_message ("[%s] pbxis-ws could not place the call to %s (%s)", account_id,
                 event->agent ? event->agent : "?", event->action_id ? event->action_id : "");
      g_clear_pointer (&self->dialled, g_free);
      break;

    case SP_PBXIS_EVENT_CLOSED:
      {
        g_autoptr(GError) error = NULL;

        /* SSE says `closed` for a ticket it does not know; that first thing on a new
         * stream is not a shutdown. */
        if (first && self->transport == SP_PBXIS_TRANSPORT_SSE)
          error = g_error_new (SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                               _("pbxis-ws no longer knew the ticket; asking for a new one"));
        else
          error = g_error_new (SP_SOURCE_ERROR, SP_SOURCE_ERROR_REFUSED,
                               _("pbxis-ws is shutting down; trying again in a while"));
        sp_source_connection_lost (source, error);
      }
      break;

    case SP_PBXIS_EVENT_PARKING:
    case SP_PBXIS_EVENT_QUEUE_SUMMARY:
    case SP_PBXIS_EVENT_MEMBER_SUMMARY:
    case SP_PBXIS_EVENT_UNKNOWN:
    default:
      break;
    }
}

static void
handle_malformed (SpPbxisSource *self,
                  const GError  *error)
{
  g_message ("[%s] Skipped a malformed event: %s", sp_source_get_account_id (SP_SOURCE (self)),
             error->message);
}

/* HTTP requests with a deadline of their own: long-polls and actions, which outlive the
 * connection attempt (the attempt's deadline is the base class's) */

typedef struct
{
  SoupMessage  *msg;
  GCancellable *cancellable;     /* ours: cancelled by the caller's, or by the deadline */
  GCancellable *caller_cancellable;
  gulong        caller_handler;
  guint         timeout_id;
  gboolean      timed_out;
} Deadline;

static void
deadline_free (Deadline *deadline)
{
  g_clear_handle_id (&deadline->timeout_id, g_source_remove);
  if (deadline->caller_cancellable != NULL)
    g_cancellable_disconnect (deadline->caller_cancellable, deadline->caller_handler);
  g_clear_object (&deadline->caller_cancellable);
  g_clear_object (&deadline->cancellable);
  g_clear_object (&deadline->msg);
  g_free (deadline);
}

static gboolean
deadline_cb (gpointer data)
{
  Deadline *deadline = data;

  deadline->timeout_id = 0;
  deadline->timed_out = TRUE;
  g_cancellable_cancel (deadline->cancellable);

  return G_SOURCE_REMOVE;
}

static void
caller_cancelled_cb (GCancellable *caller_cancellable,
                     GCancellable *cancellable)
{
  g_cancellable_cancel (cancellable);
}

static Deadline *
deadline_new (SoupMessage  *msg,
              GCancellable *caller_cancellable,
              guint         seconds)
{
  Deadline *deadline = g_new0 (Deadline, 1);

  deadline->msg = msg ? g_object_ref (msg) : NULL;
  deadline->cancellable = g_cancellable_new ();
  if (caller_cancellable != NULL)
    {
      deadline->caller_cancellable = g_object_ref (caller_cancellable);
      deadline->caller_handler = g_cancellable_connect (caller_cancellable,
                                                        G_CALLBACK (caller_cancelled_cb),
                                                        g_object_ref (deadline->cancellable),
                                                        g_object_unref);
    }
  deadline->timeout_id = g_timeout_add_seconds (seconds, deadline_cb, deadline);

  return deadline;
}

/* What pbxis-ws means by a status of a request under a ticket (its stream, polls and
 * actions). */
static const SpHttpStatus pbxis_statuses[] = {
  /* A poll's ticket expired (we polled too late), or the server restarted. */
  { SOUP_STATUS_NOT_FOUND, SP_SOURCE_ERROR_FAILED,
    N_("pbxis-ws no longer knew the ticket"), N_("Asking for a new one") },
  { 0, }
};

/* Sets @error from a failed request (@cause, or its status), in words a person can act on;
 * @what is what its address should have been. */
static void
set_answer_error (GError             **error,
                  SoupMessage         *msg,
                  const char          *what,
                  const SpHttpStatus  *statuses,
                  const GError        *cause)
{
  /* A success other than 200 is not what pbxis-ws answers either. */
  if (sp_http_check_answer (msg, cause, what, statuses, error))
    {
      g_autofree char *url = sp_http_dup_display_url (msg);

      g_set_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED, _("%s is not %s (HTTP %u)"),
                   url, what, soup_message_get_status (msg));
    }
}

/* The same for a request under a ticket, which may also have run out of time. */
static void
set_request_error (GError       **error,
                   Deadline      *deadline,
                   guint          seconds,
                   const char    *what,
                   const GError  *cause)
{
  if (deadline->timed_out)
    {
      g_autofree char *url = sp_http_dup_display_url (deadline->msg);

      g_set_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_TIMEOUT,
                   _("%s did not answer within %u seconds"), url, seconds);
      return;
    }

  set_answer_error (error, deadline->msg, what, pbxis_statuses, cause);
}

static SoupMessage *
new_post (const char *url,
          const char *json)
{
  SoupMessage *msg = soup_message_new (SOUP_METHOD_POST, url);

  if (msg == NULL)
    return NULL;

  /* pbxis-ws only reads a JSON body when the Content-Type says so. */
  if (json != NULL)
    {
      g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));

      soup_message_set_request_body_from_bytes (msg, "application/json", body);
    }

  return msg;
}

/* Connecting */

typedef struct
{
  SoupMessage *msg;     /* the ticket's, then the stream's */
  char        *url;     /* of the stream */
} ConnectData;

static void
connect_data_free (ConnectData *data)
{
  g_clear_object (&data->msg);
  g_free (data->url);
  g_free (data);
}

/* Fails the attempt with what went wrong with @msg (@cause, or its status). */
static void
return_request_error (GTask              *task,
                      SoupMessage        *msg,
                      const char         *what,
                      const SpHttpStatus *statuses,
                      const GError       *cause)
{
  GError *error = NULL;

  set_answer_error (&error, msg, what, statuses, cause);
  g_task_return_error (task, error);
}

static void
websocket_message_cb (SpPbxisSource           *self,
                      SoupWebsocketDataType    type,
                      GBytes                  *message,
                      SoupWebsocketConnection *connection)
{
  g_autoptr(SpPbxisEvent) event = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *data = g_bytes_get_data (message, &length);

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      g_message ("[%s] Skipped a binary frame of %" G_GSIZE_FORMAT " bytes",
                 sp_source_get_account_id (SP_SOURCE (self)), length);
      return;
    }

  event = sp_pbxis_event_parse (data, length, &error);
  if (event == NULL)
    handle_malformed (self, error);
  else
    handle_event (self, event);
}

static void
websocket_closed_cb (SpPbxisSource           *self,
                     SoupWebsocketConnection *connection)
{
  g_autoptr(GError) error = NULL;

  error = g_error_new (SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                       _("pbxis-ws closed the WebSocket"));
  sp_source_connection_lost (SP_SOURCE (self), error);
}

static void
websocket_error_cb (SpPbxisSource           *self,
                    GError                  *error,
                    SoupWebsocketConnection *connection)
{
  g_debug ("[%s] WebSocket error: %s", sp_source_get_account_id (SP_SOURCE (self)),
           error->message);
}

static void
websocket_connect_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpPbxisSource *self = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);
  g_autoptr(SoupWebsocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  connection = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (connection == NULL)
    {
      return_request_error (task, data->msg, _("a pbxis-ws WebSocket"), pbxis_statuses, error);
      return;
    }

  self->websocket = g_steal_pointer (&connection);
  soup_websocket_connection_set_max_incoming_payload_size (self->websocket, MAX_INCOMING_PAYLOAD);
  /* pbxis-ws never pings, and its silence is normal; our pings would prove nothing more
   * than TCP keepalive (the session's) does. */
  soup_websocket_connection_set_keepalive_interval (self->websocket, 0);

  g_signal_connect_object (self->websocket, "message", G_CALLBACK (websocket_message_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->websocket, "closed", G_CALLBACK (websocket_closed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->websocket, "error", G_CALLBACK (websocket_error_cb), self,
                           G_CONNECT_SWAPPED);

  g_debug ("[%s] Reading %s", sp_source_get_account_id (SP_SOURCE (self)), data->url);
  g_task_return_boolean (task, TRUE);
}

/* SSE */

static void sse_read (SpPbxisSource *self);

static void
sse_read_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(SpPbxisSource) self = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) lost = NULL;
  SpSseEvent *sse_event;
  gsize length;
  const char *data;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);

  /* A replaced or stopped connection has nothing more to say. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || attempt_is_over (self) ||
      G_INPUT_STREAM (object) != self->sse_stream)
    return;

  if (bytes == NULL)
    {
      lost = g_error_new (SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                          _("Lost the event stream of pbxis-ws: %s"), error->message);
      sp_source_connection_lost (SP_SOURCE (self), lost);
      return;
    }

  data = g_bytes_get_data (bytes, &length);
  if (length == 0)
    {
      lost = g_error_new (SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                          _("pbxis-ws ended the event stream"));
      sp_source_connection_lost (SP_SOURCE (self), lost);
      return;
    }

  if (!sp_sse_parser_feed (self->sse, data, length, &error))
    {
      lost = g_error_new (SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                          _("The event stream of pbxis-ws went wrong: %s"), error->message);
    }

  /* Events complete before a problem are good; handling one may end the connection. */
  while (!attempt_is_over (self) && (sse_event = sp_sse_parser_pop (self->sse)) != NULL)
    {
      g_autoptr(SpPbxisEvent) event = NULL;
      g_autoptr(GError) event_error = NULL;

      event = sp_pbxis_event_parse_sse (sse_event->type, sse_event->data, sse_event->data_len,
                                        &event_error);
      if (event == NULL)
        handle_malformed (self, event_error);
      else
        handle_event (self, event);

      sp_sse_event_free (sse_event);
    }

  if (attempt_is_over (self))
    return;

  if (lost != NULL)
    {
      sp_source_connection_lost (SP_SOURCE (self), lost);
      return;
    }

  sse_read (self);
}

static void
sse_read (SpPbxisSource *self)
{
  g_input_stream_read_bytes_async (self->sse_stream, SSE_READ_SIZE, G_PRIORITY_DEFAULT,
                                   sp_source_get_cancellable (SP_SOURCE (self)), sse_read_cb,
                                   g_object_ref (self));
}

static void
sse_send_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpPbxisSource *self = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);
  SoupMessage *msg = data->msg;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  const char *content_type;
  guint status;

  stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (stream == NULL || !SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)))
    {
      return_request_error (task, msg, _("a pbxis-ws event stream"), pbxis_statuses, error);
      return;
    }

  status = soup_message_get_status (msg);
  content_type = soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL);
  if (status != SOUP_STATUS_OK || g_strcmp0 (content_type, "text/event-stream") != 0)
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                               _("%s is not a pbxis-ws event stream (HTTP %u %s, %s)"), data->url,
                               status, soup_message_get_reason_phrase (msg),
                               content_type ? content_type : _("no content type"));
      return;
    }

  self->sse_stream = g_steal_pointer (&stream);
  self->sse = sp_sse_parser_new (SP_PBXIS_MAX_INPUT);

  g_debug ("[%s] Reading %s", sp_source_get_account_id (SP_SOURCE (self)), data->url);
  g_task_return_boolean (task, TRUE);

  /* The base class has made the connection live; now read, on its cancellable. */
  if (!attempt_is_over (self))
    sse_read (self);
}

/* Long-poll */

typedef struct
{
  SpPbxisSource *self;
  GCancellable  *attempt;
  Deadline      *deadline;
} Poll;

static void
poll_free (Poll *poll)
{
  g_clear_pointer (&poll->deadline, deadline_free);
  g_clear_object (&poll->attempt);
  g_clear_object (&poll->self);
  g_free (poll);
}

static void
poll_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Poll *poll = user_data;
  SpPbxisSource *self = poll->self;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) lost = NULL;
  g_autoptr(GPtrArray) nodes = NULL;
  gsize length;
  const char *data;

  bytes = sp_http_read_bytes_finish (SOUP_SESSION (object), result, &error);

  /* A poll of a replaced or stopped connection has nothing more to say. */
  if (g_cancellable_is_cancelled (poll->attempt) || attempt_is_over (self) ||
      (error != NULL && !poll->deadline->timed_out &&
       g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)))
    {
      poll_free (poll);
      return;
    }

  if (bytes == NULL || !SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (poll->deadline->msg)))
    {
      set_request_error (&lost, poll->deadline, self->poll_timeout + POLL_GRACE_SECONDS,
                         _("a pbxis-ws long poll"), error);
      goto lost;
    }

  data = g_bytes_get_data (bytes, &length);
  nodes = sp_pbxis_split_long_poll (data, length, &error);
  if (nodes == NULL)
    {
      lost = g_error_new (SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                          _("pbxis-ws answered a long poll with something else than events: %s"),
                          error->message);
      goto lost;
    }

  for (guint i = 0; i < nodes->len && !attempt_is_over (self); i++)
    {
      g_autoptr(SpPbxisEvent) event = NULL;
      g_autoptr(GError) event_error = NULL;

      event = sp_pbxis_event_from_node (g_ptr_array_index (nodes, i), NULL, &event_error);
      if (event == NULL)
        handle_malformed (self, event_error);
      else
        handle_event (self, event);
    }

  /* The ticket's expiry clock runs from this answer: poll again at once. */
  if (!attempt_is_over (self))
    start_poll (self);

  poll_free (poll);
  return;

lost:
  sp_source_connection_lost (SP_SOURCE (self), lost);
  poll_free (poll);
}

static void
start_poll (SpPbxisSource *self)
{
  g_autofree char *url = g_strdup_printf ("%s/%s/long-poll", self->base_url, self->ticket);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);
  Poll *poll = g_new0 (Poll, 1);

  poll->self = g_object_ref (self);
  poll->attempt = g_object_ref (sp_source_get_cancellable (SP_SOURCE (self)));
  poll->deadline = deadline_new (msg, sp_source_get_cancellable (SP_SOURCE (self)),
                                 self->poll_timeout + POLL_GRACE_SECONDS);

  /* A poll gathers what happened since the last one: up to what the parser reads. */
  sp_http_read_bytes_async (self->session, msg, SP_PBXIS_MAX_INPUT, poll->deadline->cancellable,
                            poll_cb, poll);
}

/* The ticket */

static void
ticket_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpPbxisSource *self = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);
  SoupMessage *msg = data->msg;
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) stream_msg = NULL;
  const char *body;
  gsize length;
  char *ticket;

  bytes = sp_http_read_bytes_finish (SOUP_SESSION (object), result, &error);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (bytes == NULL || soup_message_get_status (msg) != SOUP_STATUS_OK)
    {
      return_request_error (task, msg, _("a pbxis-ws ticket service"), NULL, error);
      return;
    }

  url = sp_http_dup_display_url (msg);

  body = g_bytes_get_data (bytes, &length);
  ticket = sp_pbxis_parse_ticket (body, length, &error);
  if (ticket == NULL)
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                               _("%s answered something that is not a ticket: %s"), url,
                               error->message);
      return;
    }

  g_free (self->ticket);
  self->ticket = ticket;
  self->got_event = FALSE;
  g_debug ("[%s] Got a ticket", sp_source_get_account_id (SP_SOURCE (self)));

  switch (self->transport)
    {
    case SP_PBXIS_TRANSPORT_LONG_POLL:
      /* Nothing more to open: the ticket is the connection, and the polls read it. */
      g_task_return_boolean (task, TRUE);
      if (!attempt_is_over (self))
        start_poll (self);
      return;

    case SP_PBXIS_TRANSPORT_SSE:
      data->url = g_strdup_printf ("%s/%s/sse", self->base_url, self->ticket);
      stream_msg = soup_message_new (SOUP_METHOD_GET, data->url);
      soup_message_headers_replace (soup_message_get_request_headers (stream_msg), "Accept",
                                    "text/event-stream");
      break;

    case SP_PBXIS_TRANSPORT_WEBSOCKET:
    default:
      data->url = g_strdup_printf ("%s/%s/websocket", self->base_url, self->ticket);
      stream_msg = soup_message_new (SOUP_METHOD_GET, data->url);
      break;
    }

  /* Errors from here on are the stream's. */
  g_set_object (&data->msg, stream_msg);

  if (self->transport == SP_PBXIS_TRANSPORT_SSE)
    soup_session_send_async (self->session, stream_msg, G_PRIORITY_DEFAULT,
                             cancellable, sse_send_cb, g_steal_pointer (&task));
  else
    soup_session_websocket_connect_async (self->session, stream_msg, NULL, NULL,
                                          G_PRIORITY_DEFAULT, cancellable,
                                          websocket_connect_cb, g_steal_pointer (&task));
}

static void
sp_pbxis_source_connect_async (SpSource            *source,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  SpPbxisSource *self = SP_PBXIS_SOURCE (source);
  SpAccount *account = sp_source_get_account (source);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *configured = sp_account_dup_url (account);
  g_autofree char *transport = sp_account_dup_option (account, SP_PBXIS_OPTION_TRANSPORT);
  g_autofree char *summary = sp_account_dup_option (account, SP_PBXIS_OPTION_SUMMARY_EVENTS);
  g_autofree char *poll_timeout = sp_account_dup_option (account, SP_PBXIS_OPTION_POLL_TIMEOUT);
  g_autofree char *url = NULL;
  g_autofree char *body = NULL;
  g_auto(GStrv) agents = sp_account_dup_extensions (account);
  g_auto(GStrv) queues = dup_queues (account);
  g_autoptr(SoupMessage) msg = NULL;
  ConnectData *data;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_pbxis_source_connect_async);

  g_clear_pointer (&self->base_url, g_free);
  self->base_url = sp_pbxis_source_normalize_url (configured, &error);
  if (self->base_url == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!sp_pbxis_parse_transport (transport, &self->transport))
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                               _("“%s” is not a pbxis-ws transport; use websocket, sse or long-poll"),
                               transport);
      return;
    }

  if (agents == NULL || agents[0] == NULL)
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                               _("Set the agent’s extension: pbxis-ws only reports the calls of the extensions it is asked about"));
      return;
    }

  self->poll_timeout = DEFAULT_POLL_TIMEOUT_SECONDS;
  if (poll_timeout != NULL && *poll_timeout != '\0')
    {
      guint64 value;

      if (!g_ascii_string_to_unsigned (poll_timeout, 10, 1, 3600, &value, NULL))
        {
          g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                                   _("“%s” is not a poll timeout; give the seconds of the server’s :poll-timeout-seconds"),
                                   poll_timeout);
          return;
        }
      self->poll_timeout = (guint) value;
    }

  /* A fresh ticket for every attempt: an old one may be dead, and a dead one makes a
   * WebSocket that is accepted and silent for ever. */
  url = g_strdup_printf ("%s/ticket", self->base_url);
  body = sp_pbxis_build_ticket_request ((const char * const *) agents,
                                        (const char * const *) queues, option_is_true (summary));
  msg = new_post (url, body);
  if (msg == NULL)
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                               _("“%s” is not a server address"), configured);
      return;
    }

  data = g_new0 (ConnectData, 1);
  data->msg = g_object_ref (msg);
  g_task_set_task_data (task, data, (GDestroyNotify) connect_data_free);

  g_debug ("[%s] Asking %s for a ticket (%s)", sp_source_get_account_id (source), url,
           sp_pbxis_transport_to_string (self->transport));

  /* The base class gives up the attempt at its deadline, through this cancellable. */
  sp_http_read_bytes_async (self->session, msg, SP_HTTP_MAX_ANSWER, cancellable, ticket_cb,
                            g_steal_pointer (&task));
}

static gboolean
sp_pbxis_source_connect_finish (SpSource      *source,
                                GAsyncResult  *result,
                                GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
sp_pbxis_source_disconnect (SpSource *source)
{
  SpPbxisSource *self = SP_PBXIS_SOURCE (source);

  if (self->websocket != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->websocket, self);
      if (soup_websocket_connection_get_state (self->websocket) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->websocket, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&self->websocket);
    }

  /* Reads and polls in flight were cancelled with the attempt's cancellable. */
  g_clear_object (&self->sse_stream);
  g_clear_pointer (&self->sse, sp_sse_parser_free);
  g_clear_pointer (&self->ticket, g_free);
  self->got_event = FALSE;
}

/* Actions */

static gboolean
sp_pbxis_source_can_perform (SpSource       *source,
                             SpSourceAction  action)
{
  SpAccount *account = sp_source_get_account (source);
  g_auto(GStrv) extensions = sp_account_dup_extensions (account);
  g_autofree char *url = sp_account_dup_url (account);

  if (extensions == NULL || extensions[0] == NULL || url == NULL || *url == '\0')
    return FALSE;

  switch (action)
    {
    case SP_SOURCE_ACTION_DIAL:
    case SP_SOURCE_ACTION_QUEUE_ADD:
    case SP_SOURCE_ACTION_QUEUE_REMOVE:
    case SP_SOURCE_ACTION_QUEUE_PAUSE:
    case SP_SOURCE_ACTION_QUEUE_UNPAUSE:
    case SP_SOURCE_ACTION_PAUSE:
    case SP_SOURCE_ACTION_UNPAUSE:
      return TRUE;
    case SP_SOURCE_ACTION_ANSWER:
    case SP_SOURCE_ACTION_HANGUP:
    case SP_SOURCE_ACTION_POST_MESSAGE:
    default:
      return FALSE;
    }
}

typedef struct
{
  Deadline *deadline;
  char     *failure;      /* "Could not pause agent 147 in queue q1", for the error message */
  char     *dialled;
} ActionData;

static void
action_data_free (ActionData *data)
{
  g_clear_pointer (&data->deadline, deadline_free);
  g_free (data->failure);
  g_free (data->dialled);
  g_free (data);
}

static void
action_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpPbxisSource *self = g_task_get_source_object (task);
  ActionData *data = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = NULL;
  const char *body;
  gsize length;

  bytes = sp_http_read_bytes_finish (SOUP_SESSION (object), result, &error);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (bytes == NULL)
    {
      GError *task_error = NULL;

      set_request_error (&task_error, data->deadline, ACTION_TIMEOUT_SECONDS,
                         _("a pbxis-ws action"), error);
      g_prefix_error (&task_error, "%s: ", data->failure);
      g_task_return_error (task, task_error);
      return;
    }

  body = g_bytes_get_data (bytes, &length);
  if (!sp_pbxis_check_action_response (soup_message_get_status (data->deadline->msg), body, length,
                                       &answer, &error))
    {
      /* Asterisk's own words ("Interface not found") tell the person what is wrong. */
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                               "%s: %s", data->failure, error->message);
      return;
    }

  g_debug ("[%s] %s: %s", sp_source_get_account_id (SP_SOURCE (self)),
           g_uri_get_path (soup_message_get_uri (data->deadline->msg)), answer ? answer : "OK");

  if (data->dialled != NULL)
    {
      /* The agent's phone rings first, then the number is connected: neither is an
       * incoming call. */
      g_free (self->dialled);
      self->dialled = g_steal_pointer (&data->dialled);
      self->dialled_until = g_get_monotonic_time () + DIAL_PENDING_SECONDS * G_USEC_PER_SEC;
    }

  g_task_return_boolean (task, TRUE);
}

static void
sp_pbxis_source_perform_async (SpSource            *source,
                               SpSourceAction       action,
                               const char          *call_id,
                               GVariant            *param,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  SpPbxisSource *self = SP_PBXIS_SOURCE (source);
  SpAccount *account = sp_source_get_account (source);
  /* As GDBus does with parameters: a floating @param is consumed. */
  g_autoptr(GVariant) owned_param = param ? g_variant_ref_sink (param) : NULL;
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *configured = sp_account_dup_url (account);
  g_autofree char *base_url = NULL;
  g_autofree char *agent = first_extension (self);
  g_autofree char *url = NULL;
  g_autofree char *body = NULL;
  const char *text = NULL;
  ActionData *data;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_pbxis_source_perform_async);

  if (!sp_pbxis_source_can_perform (source, action))
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_UNSUPPORTED,
                               _("This account cannot “%s”"),
                               sp_source_action_to_string (action));
      return;
    }

  base_url = sp_pbxis_source_normalize_url (configured, &error);
  if (base_url == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (param != NULL && g_variant_is_of_type (param, G_VARIANT_TYPE_STRING))
    text = g_variant_get_string (param, NULL);

  data = g_new0 (ActionData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) action_data_free);

  if (action == SP_SOURCE_ACTION_DIAL)
    {
      g_autofree char *number = text ? sp_pbxis_normalize_number (text) : NULL;
      g_autofree char *escaped_agent = NULL;
      g_autofree char *escaped_number = NULL;

      if (number == NULL)
        {
          g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                                   _("“%s” is not a phone number"), text ? text : "");
          return;
        }

      /* "#" would end the path; "+" and "*" are fine in it. */
      escaped_agent = g_uri_escape_string (agent, "+*", FALSE);
      escaped_number = g_uri_escape_string (number, "+*", FALSE);
      url = g_strdup_printf ("%s/originate/%s/%s", base_url, escaped_agent, escaped_number);
      data->failure = g_strdup_printf (_("Could not call %s from %s"), number, agent);
      data->dialled = g_steal_pointer (&number);
    }
  else if (action == SP_SOURCE_ACTION_PAUSE || action == SP_SOURCE_ACTION_UNPAUSE)
    {
      gboolean paused = action == SP_SOURCE_ACTION_PAUSE;

      /* Agent-wide: a pause reason has nowhere to go in pbxis-ws. */
      url = g_strdup_printf ("%s/queue/pause", base_url);
      body = sp_pbxis_build_queue_action (NULL, agent, paused);
      data->failure = paused ? g_strdup_printf (_("Could not pause agent %s"), agent)
                             : g_strdup_printf (_("Could not resume agent %s"), agent);
    }
  else
    {
      const char *verb;
      int paused = -1;

      if (text == NULL || *text == '\0')
        {
          g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                                   _("“%s” needs the name of a queue"),
                                   sp_source_action_to_string (action));
          return;
        }

      if (action == SP_SOURCE_ACTION_QUEUE_ADD)
        {
          verb = "add";
          data->failure = g_strdup_printf (_("Could not log agent %s on to queue %s"), agent, text);
        }
      else if (action == SP_SOURCE_ACTION_QUEUE_REMOVE)
        {
          verb = "remove";
          data->failure = g_strdup_printf (_("Could not log agent %s off queue %s"), agent, text);
        }
      else
        {
          verb = "pause";
          paused = action == SP_SOURCE_ACTION_QUEUE_PAUSE;
          data->failure = paused
            ? g_strdup_printf (_("Could not pause agent %s in queue %s"), agent, text)
            : g_strdup_printf (_("Could not resume agent %s in queue %s"), agent, text);
        }

      url = g_strdup_printf ("%s/queue/%s", base_url, verb);
      body = sp_pbxis_build_queue_action (text, agent, paused);
    }

  msg = new_post (url, body);
  if (msg == NULL)
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                               _("“%s” is not a server address"), configured);
      return;
    }

  data->deadline = deadline_new (msg, cancellable, ACTION_TIMEOUT_SECONDS);

  g_debug ("[%s] %s: POST %s", sp_source_get_account_id (source),
           sp_source_action_to_string (action), url);
  sp_http_read_bytes_async (self->session, msg, SP_HTTP_MAX_ANSWER, data->deadline->cancellable,
                            action_cb, g_steal_pointer (&task));
}

static gboolean
sp_pbxis_source_perform_finish (SpSource      *source,
                                GAsyncResult  *result,
                                GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Object */

static void
state_changed_cb (SpPbxisSource *self)
{
  SpSourceState state = sp_source_get_state (SP_SOURCE (self));

  /* Stopped for good: whatever calls were live are the tracker's to expire, and a restart
   * begins from the next snapshot. */
  if (state == SP_SOURCE_STATE_DISCONNECTED || state == SP_SOURCE_STATE_FAILED ||
      state == SP_SOURCE_STATE_AUTH_FAILED)
    {
      g_hash_table_remove_all (self->agents);
      g_ptr_array_set_size (self->pending_ends, 0);
      g_clear_pointer (&self->dialled, g_free);
    }
}

static void
sp_pbxis_source_dispose (GObject *object)
{
  SpPbxisSource *self = (SpPbxisSource *)object;

  sp_pbxis_source_disconnect (SP_SOURCE (self));
  g_clear_pointer (&self->pending_ends, g_ptr_array_unref);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (sp_pbxis_source_parent_class)->dispose (object);
}

static void
sp_pbxis_source_finalize (GObject *object)
{
  SpPbxisSource *self = (SpPbxisSource *)object;

  g_clear_pointer (&self->agents, g_hash_table_unref);
  g_clear_pointer (&self->memberships, g_hash_table_unref);
  g_clear_pointer (&self->counts, g_hash_table_unref);
  g_free (self->base_url);
  g_free (self->dialled);
  g_free (self->agent_name);

  G_OBJECT_CLASS (sp_pbxis_source_parent_class)->finalize (object);
}

static void
sp_pbxis_source_class_init (SpPbxisSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  SpSourceClass *source_class = SP_SOURCE_CLASS (klass);

  object_class->dispose = sp_pbxis_source_dispose;
  object_class->finalize = sp_pbxis_source_finalize;

  source_class->connect_async = sp_pbxis_source_connect_async;
  source_class->connect_finish = sp_pbxis_source_connect_finish;
  source_class->disconnect = sp_pbxis_source_disconnect;
  source_class->can_perform = sp_pbxis_source_can_perform;
  source_class->perform_async = sp_pbxis_source_perform_async;
  source_class->perform_finish = sp_pbxis_source_perform_finish;

  /**
   * SpPbxisSource::queue-changed:
   * @self: the source
   * @queue: the queue whose membership or waiting callers changed
   */
  signals[QUEUE_CHANGED] =
    g_signal_new ("queue-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
sp_pbxis_source_init (SpPbxisSource *self)
{
  /* A long-poll or a stream holds one connection while an action needs another. */
  self->session = sp_http_session_new_with_options ("max-conns-per-host", 4, NULL);
  self->agents = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) agent_free);
  self->pending_ends = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_end_free);
  self->memberships = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->poll_timeout = DEFAULT_POLL_TIMEOUT_SECONDS;
  sp_source_set_connect_timeout (SP_SOURCE (self), CONNECT_TIMEOUT_SECONDS * 1000);

  g_signal_connect (self, "notify::state", G_CALLBACK (state_changed_cb), NULL);
}

SpSource *
sp_pbxis_source_new (SpAccount *account)
{
  return g_object_new (SP_TYPE_PBXIS_SOURCE, "account", account, NULL);
}

/**
 * sp_pbxis_source_dup_queues:
 *
 * Returns: (transfer full): the queues of the account's `queues` option
 */
char **
sp_pbxis_source_dup_queues (SpPbxisSource *self)
{
  g_return_val_if_fail (SP_IS_PBXIS_SOURCE (self), NULL);

  return dup_queues (sp_source_get_account (SP_SOURCE (self)));
}

/**
 * sp_pbxis_source_get_membership:
 *
 * Returns: the first extension's membership of @queue, as pbxis-ws last said
 */
SpPbxisMemberStatus
sp_pbxis_source_get_membership (SpPbxisSource *self,
                                const char    *queue)
{
  g_return_val_if_fail (SP_IS_PBXIS_SOURCE (self), SP_PBXIS_MEMBER_UNKNOWN);

  return GPOINTER_TO_INT (g_hash_table_lookup (self->memberships, queue));
}

/**
 * sp_pbxis_source_get_queue_count:
 *
 * Returns: the callers waiting in @queue, or -1 if unknown
 */
gint64
sp_pbxis_source_get_queue_count (SpPbxisSource *self,
                                 const char    *queue)
{
  gint64 *count;

  g_return_val_if_fail (SP_IS_PBXIS_SOURCE (self), -1);

  count = g_hash_table_lookup (self->counts, queue);
  return count ? *count : -1;
}

/**
 * sp_pbxis_source_get_agent_name:
 *
 * Returns: (nullable): the first extension's member name, as pbxis-ws said
 */
const char *
sp_pbxis_source_get_agent_name (SpPbxisSource *self)
{
  g_return_val_if_fail (SP_IS_PBXIS_SOURCE (self), NULL);

  return self->agent_name;
}
