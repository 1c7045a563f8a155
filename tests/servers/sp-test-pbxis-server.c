/* sp-test-pbxis-server.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-test-pbxis-server"

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "sp-test-pbxis-server.h"
#include "sp-test-util.h"

/*
 * pbxis-ws (a Clojure service on aleph/lamina, see protocols/pbxis_ws.md) and the part of
 * the pbxis library that turns Asterisk's AMI events into its own, reproduced in process.
 * What a client can observe is kept, quirks included:
 *
 *  - Tickets: POST /ticket answers the ticket as a quoted JSON string. A ticket is a
 *    channel filtered to its agents and queues; agents only match as JSON strings. It
 *    dies `unsub-delay` after its last reader left (15 s on a real server, short here),
 *    and with every ticket on a restart.
 *  - An unknown or dead ticket: long-poll answers 404 with an empty body, SSE answers
 *    `event: closed` / `data: {}` and ends, and the WebSocket handshake succeeds and the
 *    socket then stays silent for ever.
 *  - The snapshot (agent name, queue membership, calls, extension status, then the queue
 *    counts, which are re-published to every ticket on the queue) is made when the ticket
 *    is created and delivered on the first read; events are buffered while no reader is
 *    attached.
 *  - phoneNumber, extensionStatus, agentName and queueMemberStatus are only sent when
 *    their value changes; queueCount is sent every time.
 *  - Framing: one WebSocket text frame per event with its "type"; SSE `event: TYPE` and
 *    `data: EVENT-WITHOUT-TYPE`, chunked; long-poll a JSON array, `[]` after the poll
 *    timeout, and 100 ms of gathering after the first event.
 *  - No heartbeats, ever.
 *  - Actions answer HTTP 200 with Asterisk's response, also when it says "Error"; a
 *    wrong method on a known path is 405 with Allow, an unknown path 404. JSON answers are
 *    sent as text/plain, as aleph does without an explicit Content-Type.
 *  - POST /stop (or sp_test_pbxis_server_shutdown()) sends `closed` to every ticket and
 *    stops serving half a second later.
 *  - Path segments are URL-decoded as a form field is: the router (moustache 1.2.0-alpha2,
 *    `src/net/cgrand/moustache.clj` line 20, `segments`) splits the path at "/" and runs
 *    every segment through java.net.URLDecoder before matching any route, and pbxis-ws
 *    (`src/com/ingemark/pbxis_ws.clj` line 217, `["originate" src dest]`) hands the decoded
 *    `dest` to the originate as it is. So `/originate/147/+385915551234` dials
 *    " 385915551234" and `%2B` is a "+". A bad escape anywhere in the path is an exception
 *    there (500, whatever the route); here libsoup refuses such a request line itself
 *    (400) before the router sees it, so that one difference stays. See java_url_decode().
 *
 * Calls, as pbxis (`Ingemark/pbxis` 9da41eb, src/com/ingemark/pbxis.clj and pbxis/util.clj)
 * maps Asterisk's events, and as Asterisk (`asterisk/asterisk`, branches 11 and 12) makes
 * them:
 *  - An agent's extension status is chan_sip's device state of its calls (Asterisk 11
 *    channels/chan_sip.c lines 30004-30021, sip_devicestate()): a call on hold wins, then
 *    ringing (ringinuse while another call is up), then inuse. Answering a second call puts
 *    the first on hold (call waiting); its end gives the first back. See device_state().
 *  - The status is written as `(str (m % %))` (util.clj lines 92-96): an Asterisk state
 *    without a name is its decimal string, and a missing one is "".
 *  - phoneNumber is "the agent's current party" (pbxis.clj lines 510-523): when a call
 *    ends and another remains, the end's null gets the number and name of the oldest call
 *    still tracked merged in, under the ended call's unique-id (the caller's channel for a
 *    ring that stopped, the agent's for a hang-up: lines 439-445). Null only when none is
 *    left. See sp_test_pbxis_server_hangup().
 *  - An originate (pbxis.clj lines 83-96) answers the action id whatever Asterisk said: its
 *    `send-action` returns Asterisk's response, which is never nil, so a refused Originate
 *    looks like an accepted one and nothing more happens. Accepted, Asterisk rings the
 *    agent's own phone; if nobody picks up, OriginateResponse fails and pbxis publishes
 *    `originateFailed` whose "agent" is the AMI Exten, the dialled number (lines 456-460),
 *    so a ticket of agents filters it out; success publishes nothing (line 459). Then the
 *    number is dialled; when it answers, the Bridge (lines 428-438) names the agent's party
 *    as CallerID2 (Asterisk 11 main/channel.c lines 7788-7802), the outgoing leg's caller
 *    id, which app_dial sets to the dialplan extension it dialled (apps/app_dial.c lines
 *    2492-2502): a dialplan that rewrites "+385…" to "0…" gets the Bridge to name "0…".
 *    See originate_step_cb() and sp_test_pbxis_server_set_originate().
 *  - Asterisk 12 replaced Bridge with BridgeCreate/Enter/Leave/Destroy (its UPGRADE.txt,
 *    line 655) and pbxis matches "Bridge" only (pbxis.clj line 428): in that mode an
 *    answered direct call and an originate never get a number; a queue call keeps the one
 *    AgentCalled rang with. See sp_test_pbxis_server_set_asterisk12().
 * Queues, as Asterisk has them (a queue exists once a test names it through
 * sp_test_pbxis_server_add_queue(), _set_member(), _set_queue_count() or _queue_call()):
 *  - A queue Asterisk does not have gets nothing in the snapshot: no queueMemberStatus
 *    (pbxis `src/com/ingemark/pbxis.clj` lines 329-332: `agnt-q-status` is nil without a
 *    QueueParams event, and `member-event` with a nil status is no event,
 *    `src/com/ingemark/pbxis/util.clj` line 129) and no queueCount (pbxis.clj lines
 *    340-342, `:when calls`). Existing queues the agent is not in say `loggedoff`.
 *  - POST /queue/add and /queue/remove on such a queue get Asterisk's error, HTTP 200
 *    ("Unable to add interface to queue: No such queue", app_queue.c's answer to
 *    RES_NOSUCHQUEUE); /queue/add passes `memberName` and `paused` on (pbxis-ws
 *    `src/com/ingemark/pbxis_ws.clj` lines 226-236), and the name comes back as agentName
 *    (QueueMemberAdded carries it, pbxis.clj lines 477-481).
 *  - GET /queue/status (pbxis_ws.clj line 226, pbxis.clj `queue-status` lines 266-276)
 *    answers an array with one object per existing queue (QueueParams without actionId,
 *    serviceLevel, serviceLevelPerf, strategy, weight, privilege) and its `members`
 *    (QueueMember without actionId, privilege, dynamic, static, membership, name, queue;
 *    `status` from pbxis/util.clj `event->member-status`, `agent` the digits of the
 *    location); a missing queue is simply absent, `[]` if it was the one asked for.
 *  - POST /queue/reset (QueueReset through pbxis_ws.clj lines 227-236) zeroes the figures;
 *    no event says so.
 *  - QueueSummary and MemberSummary, sp_test_pbxis_server_publish_summaries(), are what
 *    pbxis's `publish-q-summary-status` (pbxis.clj lines 223-264) publishes every
 *    :summary-refresh-seconds: one QueueSummary per queue, one MemberSummary per queue
 *    with members, to tickets that asked for summaryEvents (pbxis.clj line 367).
 */

#define DEFAULT_UNSUB_DELAY_MS   15000
#define DEFAULT_POLL_TIMEOUT_MS  30000
#define BURST_MS                 100
#define SHUTDOWN_DELAY_MS        500
#define TEXT_PLAIN               "text/plain; charset=utf-8"

typedef struct _Ticket Ticket;

typedef struct
{
  char     *id;
  char     *agent;
  char     *number;
  char     *name;
  char     *queue;           /* NULL for a direct call */
  char     *ring_channel;    /* the caller's channel: unique-id of a queue ring */
  char     *agent_channel;   /* the agent's channel: unique-id once bridged */
  char     *unique_id1;
  char     *unique_id2;
  gboolean  answered;
  gboolean  announced;       /* its number was published (direct calls: once answered) */
  gboolean  held;            /* answered, and on hold while the agent talks on another */
} Call;

typedef struct
{
  char *agent;
  char *name;
  char *extension_status;    /* NULL: the lookup failed */
} Agent;

typedef struct
{
  char       *queue;
  gint64      count;
  GHashTable *members;       /* agent → "active" | "paused" | "invalid" */
  /* Asterisk's figures since the last QueueReset. */
  gint64      completed;
  gint64      abandoned;
  gint64      hold_time;
  gint64      talk_time;
  GHashTable *calls_taken;   /* agent → calls answered, as GINT_TO_POINTER */
} Queue;

typedef struct
{
  SpTestPbxisServer       *server;
  Ticket                  *ticket;        /* NULL once detached */
  SpTestPbxisTransport     kind;
  SoupWebsocketConnection *ws;
  SoupServerMessage       *msg;
  guint                    timeout_id;
  guint                    burst_id;
} Sink;

struct _Ticket
{
  SpTestPbxisServer *server;
  char              *id;
  GPtrArray         *agents;      /* (element-type utf8) only the string ones */
  GPtrArray         *queues;
  gboolean           summary;
  JsonObject        *params;
  GQueue             buffer;      /* (element-type JsonObject) events not yet read */
  GPtrArray         *sinks;       /* (element-type Sink) unowned */
  guint              expiry_id;
};

struct _SpTestPbxisServer
{
  SoupServer *soup;
  guint16     port;
  gboolean    running;
  guint       unsub_delay_ms;
  guint       poll_timeout_ms;
  guint       shutdown_id;

  GHashTable *tickets;            /* id → Ticket, owned */
  char       *last_ticket;
  guint       n_tickets;
  GPtrArray  *sinks;              /* (element-type Sink) every attached one, owned */
  GPtrArray  *silent;             /* (element-type SoupWebsocketConnection) unknown tickets */
  GPtrArray  *requests;           /* (element-type SpTestPbxisRequest) */

  GHashTable *agents;             /* agent → Agent */
  GHashTable *queues;             /* queue → Queue */
  GPtrArray  *calls;              /* (element-type Call) live calls, oldest first */
  GHashTable *last_sent;          /* dedup key → value */
  guint       serial;
  char       *fail_next_action;
  SpTestHostile      hostile_ticket;
  SpTestHostileStats hostile_stats;
  GArray     *originate_ids;      /* (element-type guint) pending originates' timers */

  /* Asterisk's ways with calls: see sp_test_pbxis_server_set_originate() and
   * sp_test_pbxis_server_set_asterisk12(). */
  SpTestPbxisOriginate originate_outcome;
  guint                originate_step_ms;
  char                *dialplan_from;
  char                *dialplan_to;
  gboolean             asterisk12;
};

static void sink_detach (Sink *sink);
static void sink_close (Sink *sink);

/* Data model */

static void
call_free (Call *call)
{
  g_free (call->id);
  g_free (call->agent);
  g_free (call->number);
  g_free (call->name);
  g_free (call->queue);
  g_free (call->ring_channel);
  g_free (call->agent_channel);
  g_free (call->unique_id1);
  g_free (call->unique_id2);
  g_free (call);
}

static void
agent_free (Agent *agent)
{
  g_free (agent->agent);
  g_free (agent->name);
  g_free (agent->extension_status);
  g_free (agent);
}

static void
queue_free (Queue *queue)
{
  g_free (queue->queue);
  g_hash_table_unref (queue->members);
  g_hash_table_unref (queue->calls_taken);
  g_free (queue);
}

static Agent *
ensure_agent (SpTestPbxisServer *self,
              const char        *id)
{
  Agent *agent = g_hash_table_lookup (self->agents, id);

  if (agent == NULL)
    {
      agent = g_new0 (Agent, 1);
      agent->agent = g_strdup (id);
      agent->extension_status = g_strdup ("not_inuse");
      g_hash_table_insert (self->agents, agent->agent, agent);
    }

  return agent;
}

static Queue *
ensure_queue (SpTestPbxisServer *self,
              const char        *id)
{
  Queue *queue = g_hash_table_lookup (self->queues, id);

  if (queue == NULL)
    {
      queue = g_new0 (Queue, 1);
      queue->queue = g_strdup (id);
      queue->members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      queue->calls_taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (self->queues, queue->queue, queue);
    }

  return queue;
}

static Call *
find_call (SpTestPbxisServer *self,
           const char        *id)
{
  for (guint i = 0; i < self->calls->len; i++)
    {
      Call *call = g_ptr_array_index (self->calls, i);

      if (g_strcmp0 (call->id, id) == 0)
        return call;
    }

  return NULL;
}

/* The agent's current party, as pbxis tracks it: the newest announced call. */
static Call *
current_call (SpTestPbxisServer *self,
              const char        *agent,
              Call              *except)
{
  for (guint i = self->calls->len; i > 0; i--)
    {
      Call *call = g_ptr_array_index (self->calls, i - 1);

      if (call != except && call->announced && g_strcmp0 (call->agent, agent) == 0)
        return call;
    }

  return NULL;
}

static char *
new_channel (SpTestPbxisServer *self,
             const char        *peer)
{
  return g_strdup_printf ("SIP/%s-%08x", peer, ++self->serial);
}

/* Events, as cheshire writes them: keys in the order the Clojure map has them */

static JsonObject *
new_event (const char *type)
{
  JsonObject *event = json_object_new ();

  json_object_set_string_member (event, "type", type);

  return event;
}

static void
set_nullable_string (JsonObject *object,
                     const char *key,
                     const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, key, value);
  else
    json_object_set_null_member (object, key);
}

static char *
object_to_string (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, object);

  return json_to_string (node, FALSE);
}

static JsonObject *
phone_number_event (Call       *call,
                    const char *agent)
{
  JsonObject *event = new_event ("phoneNumber");

  json_object_set_string_member (event, "agent", agent);

  if (call == NULL)
    {
      json_object_set_null_member (event, "unique-id");
      json_object_set_null_member (event, "number");
    }
  else if (!call->answered && call->queue != NULL)
    {
      /* AgentCalled: the caller's channel, the caller id, and the queue. */
      json_object_set_string_member (event, "unique-id", call->ring_channel);
      set_nullable_string (event, "number", call->number);
      if (call->name != NULL)
        json_object_set_string_member (event, "name", call->name);
      json_object_set_string_member (event, "queue", call->queue);
    }
  else
    {
      /* Bridge: the agent's channel and both AMI unique ids for CDR correlation. */
      json_object_set_string_member (event, "unique-id", call->agent_channel);
      set_nullable_string (event, "number", call->number);
      json_object_set_string_member (event, "unique-id1", call->unique_id1);
      json_object_set_string_member (event, "unique-id2", call->unique_id2);
      json_object_set_null_member (event, "systemName");
    }

  return event;
}

static JsonObject *
extension_status_event (Agent *agent)
{
  JsonObject *event = new_event ("extensionStatus");

  json_object_set_string_member (event, "agent", agent->agent);
  set_nullable_string (event, "status", agent->extension_status);

  return event;
}

static JsonObject *
member_status_event (const char *agent,
                     const char *queue,
                     const char *status)
{
  JsonObject *event = new_event ("queueMemberStatus");

  json_object_set_string_member (event, "agent", agent);
  json_object_set_string_member (event, "queue", queue);
  json_object_set_string_member (event, "status", status);

  return event;
}

static JsonObject *
queue_count_event (Queue *queue)
{
  JsonObject *event = new_event ("queueCount");

  json_object_set_string_member (event, "queue", queue->queue);
  json_object_set_int_member (event, "count", queue->count);

  return event;
}

static JsonObject *
agent_name_event (Agent *agent)
{
  JsonObject *event = new_event ("agentName");

  json_object_set_string_member (event, "agent", agent->agent);
  json_object_set_string_member (event, "name", agent->name);

  return event;
}

/* Delivery */

static gboolean
ticket_has (GPtrArray  *list,
            const char *value)
{
  for (guint i = 0; i < list->len; i++)
    {
      if (g_strcmp0 (g_ptr_array_index (list, i), value) == 0)
        return TRUE;
    }

  return FALSE;
}

/* The scope filter: every scope key present must be in the ticket's lists. */
static gboolean
ticket_wants (Ticket     *ticket,
              JsonObject *event)
{
  const char *type = json_object_get_string_member_with_default (event, "type", "");
  JsonNode *agent = json_object_get_member (event, "agent");
  JsonNode *queue = json_object_get_member (event, "queue");

  if (agent != NULL &&
      (!JSON_NODE_HOLDS_VALUE (agent) || json_node_get_value_type (agent) != G_TYPE_STRING ||
       !ticket_has (ticket->agents, json_node_get_string (agent))))
    return FALSE;

  if (queue != NULL &&
      (!JSON_NODE_HOLDS_VALUE (queue) || json_node_get_value_type (queue) != G_TYPE_STRING ||
       !ticket_has (ticket->queues, json_node_get_string (queue))))
    return FALSE;

  if (g_str_has_suffix (type, "Summary") && !ticket->summary)
    return FALSE;

  return TRUE;
}

static char *
sse_chunk (JsonObject *event)
{
  g_autoptr(JsonObject) data = json_object_new ();
  g_autoptr(GList) members = json_object_get_members (event);
  g_autofree char *text = NULL;

  for (GList *l = members; l != NULL; l = l->next)
    {
      if (strcmp (l->data, "type") != 0)
        json_object_set_member (data, l->data,
                                json_node_copy (json_object_get_member (event, l->data)));
    }

  text = object_to_string (data);

  return g_strdup_printf ("event: %s\ndata: %s\n\n",
                          json_object_get_string_member (event, "type"), text);
}

static void
sse_write (SoupServerMessage *msg,
           char              *text)
{
  SoupMessageBody *body = soup_server_message_get_response_body (msg);

  soup_message_body_append (body, SOUP_MEMORY_TAKE, text, strlen (text));
  soup_server_message_unpause (msg);
}

static void
sse_end (SoupServerMessage *msg)
{
  soup_message_body_complete (soup_server_message_get_response_body (msg));
  soup_server_message_unpause (msg);
}

static void
respond_text (SoupServerMessage *msg,
              guint              status,
              const char        *text)
{
  soup_server_message_set_status (msg, status, NULL);
  if (text != NULL)
    soup_server_message_set_response (msg, TEXT_PLAIN, SOUP_MEMORY_COPY, text, strlen (text));
}

static void
respond_json_string (SoupServerMessage *msg,
                     const char        *value)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), value);
  g_autofree char *text = json_to_string (node, FALSE);

  respond_text (msg, SOUP_STATUS_OK, text);
}

static void
respond_object (SoupServerMessage *msg,
                JsonObject        *object)
{
  g_autofree char *text = object_to_string (object);

  respond_text (msg, SOUP_STATUS_OK, text);
}

/* Answers a waiting long-poll with everything buffered. */
static void
long_poll_respond (Sink *sink)
{
  Ticket *ticket = sink->ticket;
  g_autoptr(JsonArray) array = json_array_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);
  g_autofree char *text = NULL;
  JsonObject *event;
  SoupServerMessage *msg = sink->msg;

  while (ticket != NULL && (event = g_queue_pop_head (&ticket->buffer)) != NULL)
    {
      json_array_add_object_element (array, event);
    }

  json_node_set_array (node, array);
  text = json_to_string (node, FALSE);

  g_object_ref (msg);
  sink_detach (sink);
  respond_text (msg, SOUP_STATUS_OK, text);
  soup_server_message_unpause (msg);
  g_object_unref (msg);
}

static gboolean
long_poll_burst_cb (gpointer data)
{
  Sink *sink = data;

  sink->burst_id = 0;
  long_poll_respond (sink);

  return G_SOURCE_REMOVE;
}

static gboolean
long_poll_timeout_cb (gpointer data)
{
  Sink *sink = data;

  sink->timeout_id = 0;
  long_poll_respond (sink);

  return G_SOURCE_REMOVE;
}

/* Hands the buffered events to the attached readers, if any. */
static void
ticket_flush (Ticket *ticket)
{
  JsonObject *event;

  if (ticket->sinks->len == 0 || g_queue_is_empty (&ticket->buffer))
    return;

  for (guint i = 0; i < ticket->sinks->len; i++)
    {
      Sink *sink = g_ptr_array_index (ticket->sinks, i);

      /* A long-poll gathers the burst that follows the first event, then answers it all
       * at once; the events stay in the buffer until then, so a poll abandoned by the
       * client loses nothing. */
      if (sink->kind == SP_TEST_PBXIS_LONG_POLL)
        {
          g_clear_handle_id (&sink->timeout_id, g_source_remove);
          if (sink->burst_id == 0)
            sink->burst_id = g_timeout_add (BURST_MS, long_poll_burst_cb, sink);
          return;
        }
    }

  while ((event = g_queue_pop_head (&ticket->buffer)) != NULL)
    {
      g_autofree char *text = NULL;

      /* Lamina's channel hands each event to every attached reader. */
      for (guint i = 0; i < ticket->sinks->len; i++)
        {
          Sink *sink = g_ptr_array_index (ticket->sinks, i);

          if (sink->kind == SP_TEST_PBXIS_WEBSOCKET)
            {
              if (text == NULL)
                text = object_to_string (event);
              if (soup_websocket_connection_get_state (sink->ws) == SOUP_WEBSOCKET_STATE_OPEN)
                soup_websocket_connection_send_text (sink->ws, text);
            }
          else if (sink->kind == SP_TEST_PBXIS_SSE)
            {
              sse_write (sink->msg, sse_chunk (event));
            }
        }

      json_object_unref (event);
    }
}

static void
ticket_push (Ticket     *ticket,
             JsonObject *event)
{
  g_queue_push_tail (&ticket->buffer, json_object_ref (event));
  ticket_flush (ticket);
}

/* pbxis-event-filter: the agent-state events only go out when their value changed. */
static gboolean
is_repeat (SpTestPbxisServer *self,
           JsonObject        *event)
{
  const char *type = json_object_get_string_member_with_default (event, "type", "");
  const char *value_key;
  g_autofree char *key = NULL;
  g_autofree char *value = NULL;
  JsonNode *node;
  const char *last;

  if (g_str_equal (type, "phoneNumber"))
    value_key = "number";
  else if (g_str_equal (type, "extensionStatus") || g_str_equal (type, "queueMemberStatus"))
    value_key = "status";
  else if (g_str_equal (type, "agentName"))
    value_key = "name";
  else
    return FALSE;

  /* Per agent, and per queue for the membership: a queue ring's phoneNumber names the
   * queue, the Bridge's after it does not, and they are still the same party. */
  key = g_strdup_printf ("%s\x1f%s\x1f%s", type,
                         json_object_get_string_member_with_default (event, "agent", ""),
                         g_str_equal (type, "queueMemberStatus")
                           ? json_object_get_string_member_with_default (event, "queue", "") : "");
  node = json_object_get_member (event, value_key);
  value = node != NULL && !JSON_NODE_HOLDS_NULL (node) && JSON_NODE_HOLDS_VALUE (node)
    ? g_strdup_printf ("s%s", json_node_get_string (node)) : g_strdup ("null");

  last = g_hash_table_lookup (self->last_sent, key);

  /* An agent nobody asked about yet has no call. */
  if (last == NULL && g_str_equal (type, "phoneNumber"))
    last = "null";

  if (g_strcmp0 (last, value) == 0)
    return TRUE;

  g_hash_table_insert (self->last_sent, g_steal_pointer (&key), g_steal_pointer (&value));

  return FALSE;
}

/* Takes @event: filters repeats, then gives it to every ticket that wants it. */
static void
publish (SpTestPbxisServer *self,
         JsonObject        *event)
{
  GHashTableIter iter;
  gpointer value;

  if (!is_repeat (self, event))
    {
      g_hash_table_iter_init (&iter, self->tickets);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          Ticket *ticket = value;

          if (ticket_wants (ticket, event))
            ticket_push (ticket, event);
        }
    }

  json_object_unref (event);
}

/* Tickets */

static void
ticket_free (Ticket *ticket)
{
  /* The channel closes: whoever still reads it is cut off. */
  while (ticket->sinks->len > 0)
    {
      Sink *sink = g_ptr_array_steal_index (ticket->sinks, 0);

      sink->ticket = NULL;
      sink_close (sink);
    }

  g_clear_handle_id (&ticket->expiry_id, g_source_remove);
  g_queue_clear_full (&ticket->buffer, (GDestroyNotify) json_object_unref);
  g_ptr_array_unref (ticket->sinks);
  g_ptr_array_unref (ticket->agents);
  g_ptr_array_unref (ticket->queues);
  g_clear_pointer (&ticket->params, json_object_unref);
  g_free (ticket->id);
  g_free (ticket);
}

static gboolean
ticket_expire_cb (gpointer data)
{
  Ticket *ticket = data;

  ticket->expiry_id = 0;
  g_debug ("Ticket %s expired", ticket->id);
  g_hash_table_remove (ticket->server->tickets, ticket->id);

  return G_SOURCE_REMOVE;
}

static void
ticket_arm_expiry (Ticket *ticket)
{
  g_clear_handle_id (&ticket->expiry_id, g_source_remove);
  ticket->expiry_id = g_timeout_add (ticket->server->unsub_delay_ms, ticket_expire_cb, ticket);
}

static GPtrArray *
string_list (JsonObject *params,
             const char *key)
{
  GPtrArray *list = g_ptr_array_new_with_free_func (g_free);
  JsonNode *node = json_object_get_member (params, key);

  /* A form value is one string, which Clojure's (set …) turns into a set of characters:
   * nothing ever matches it. Numbers in a JSON array never match either. */
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
            g_ptr_array_add (list, g_strdup (json_node_get_string (element)));
        }
    }

  return list;
}

static gboolean
is_truthy (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return FALSE;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node);

  /* Clojure: everything but nil and false is true, the string "false" included. */
  return TRUE;
}

static Ticket *
ticket_new (SpTestPbxisServer *self,
            JsonObject        *params)
{
  Ticket *ticket = g_new0 (Ticket, 1);
  g_autofree char *uuid = g_uuid_string_random ();

  ticket->server = self;
  ticket->id = g_steal_pointer (&uuid);
  ticket->agents = string_list (params, "agents");
  ticket->queues = string_list (params, "queues");
  ticket->summary = is_truthy (json_object_get_member (params, "summaryEvents"));
  ticket->params = json_object_ref (params);
  ticket->sinks = g_ptr_array_new ();
  g_queue_init (&ticket->buffer);

  g_hash_table_insert (self->tickets, ticket->id, ticket);
  g_free (self->last_ticket);
  self->last_ticket = g_strdup (ticket->id);
  self->n_tickets++;

  /* The snapshot, per agent: name, membership of each requested queue, the calls, the
   * extension status. It waits in the buffer for the first read. */
  for (guint i = 0; i < ticket->agents->len; i++)
    {
      Agent *agent = ensure_agent (self, g_ptr_array_index (ticket->agents, i));
      g_autofree char *dedup_key = g_strdup_printf ("phoneNumber\x1f%s\x1f", agent->agent);

      if (agent->name != NULL)
        g_queue_push_tail (&ticket->buffer, agent_name_event (agent));

      for (guint j = 0; j < ticket->queues->len; j++)
        {
          Queue *queue = g_hash_table_lookup (self->queues, g_ptr_array_index (ticket->queues, j));
          const char *status;

          /* A queue Asterisk does not have: no membership at all (see the top). */
          if (queue == NULL)
            continue;

          status = g_hash_table_lookup (queue->members, agent->agent);
          g_queue_push_tail (&ticket->buffer,
                             member_status_event (agent->agent, queue->queue,
                                                  status ? status : "loggedoff"));
        }

      for (guint j = 0; j < self->calls->len; j++)
        {
          Call *call = g_ptr_array_index (self->calls, j);

          if (call->announced && g_str_equal (call->agent, agent->agent))
            g_queue_push_tail (&ticket->buffer, phone_number_event (call, agent->agent));
        }

      /* The filter now knows this agent's party. */
      if (!g_hash_table_contains (self->last_sent, dedup_key))
        {
          Call *call = current_call (self, agent->agent, NULL);

          g_hash_table_insert (self->last_sent, g_steal_pointer (&dedup_key),
                               call ? g_strdup_printf ("s%s", call->number) : g_strdup ("null"));
        }

      g_queue_push_tail (&ticket->buffer, extension_status_event (agent));
    }

  ticket_arm_expiry (ticket);

  /* queueCount is not deduplicated: a new ticket re-publishes every count of its queues to
   * every ticket on them, itself included. */
  for (guint j = 0; j < ticket->queues->len; j++)
    {
      Queue *queue = g_hash_table_lookup (self->queues, g_ptr_array_index (ticket->queues, j));

      if (queue != NULL)
        publish (self, queue_count_event (queue));
    }

  g_debug ("Ticket %s for %u agent(s), %u queue(s)", ticket->id, ticket->agents->len,
           ticket->queues->len);

  return ticket;
}

/* Readers */

static void
sink_free (Sink *sink)
{
  g_clear_handle_id (&sink->timeout_id, g_source_remove);
  g_clear_handle_id (&sink->burst_id, g_source_remove);
  if (sink->ws != NULL)
    g_signal_handlers_disconnect_by_data (sink->ws, sink);
  if (sink->msg != NULL)
    g_signal_handlers_disconnect_by_data (sink->msg, sink);
  g_clear_object (&sink->ws);
  g_clear_object (&sink->msg);
  g_free (sink);
}

/* The reader leaves (its connection closed, or a long-poll was answered): the ticket's
 * expiry clock starts again. */
static void
sink_detach (Sink *sink)
{
  SpTestPbxisServer *self = sink->server;
  Ticket *ticket = sink->ticket;

  if (ticket != NULL)
    {
      g_ptr_array_remove (ticket->sinks, sink);
      sink->ticket = NULL;
      ticket_arm_expiry (ticket);
    }

  g_ptr_array_remove (self->sinks, sink);   /* frees it */
}

/* The server ends the reader's connection. */
static void
sink_close (Sink *sink)
{
  if (sink->kind == SP_TEST_PBXIS_WEBSOCKET)
    {
      g_autoptr(SoupWebsocketConnection) ws = g_object_ref (sink->ws);

      sink_detach (sink);
      if (soup_websocket_connection_get_state (ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
    }
  else if (sink->kind == SP_TEST_PBXIS_SSE)
    {
      g_autoptr(SoupServerMessage) msg = g_object_ref (sink->msg);

      sink_detach (sink);
      sse_end (msg);
    }
  else
    {
      long_poll_respond (sink);
    }
}

static void
ws_closed_cb (SoupWebsocketConnection *ws,
              Sink                    *sink)
{
  g_debug ("WebSocket reader left");
  sink_detach (sink);
}

static void
msg_finished_cb (SoupServerMessage *msg,
                 Sink              *sink)
{
  g_debug ("%s reader left", sink->kind == SP_TEST_PBXIS_SSE ? "SSE" : "Long-poll");
  sink_detach (sink);
}

static Sink *
sink_attach (Ticket               *ticket,
             SpTestPbxisTransport  kind)
{
  SpTestPbxisServer *self = ticket->server;
  Sink *sink = g_new0 (Sink, 1);

  sink->server = self;
  sink->ticket = ticket;
  sink->kind = kind;
  g_ptr_array_add (self->sinks, sink);
  g_ptr_array_add (ticket->sinks, sink);
  g_clear_handle_id (&ticket->expiry_id, g_source_remove);

  return sink;
}

/* HTTP */

/* java.net.URLDecoder.decode (s, "UTF-8"), which the real router applies to every path
 * segment (see the header comment), quirks included: "+" is a space; each run of "%XX"
 * escapes is collected into bytes and decoded as UTF-8 on its own, a malformed sequence
 * becoming U+FFFD; the two characters after "%" go through Integer.parseInt (…, 16), which
 * also takes a sign, so "%+1" is byte 1 and "%-0" byte 0 while "%-1" is a negative value
 * and an error; a "%" with fewer than two characters after it, or non-hex ones, is an
 * IllegalArgumentException, which nothing in pbxis-ws catches. (parseInt also takes
 * non-ASCII Unicode digits; a raw HTTP path has none, so they are not reproduced.)
 * Returns: (transfer full) (nullable): the decoded segment, NULL where Java throws. */
static char *
java_url_decode (const char *s)
{
  g_autoptr(GString) out = g_string_new (NULL);
  gsize n = strlen (s);
  gsize i = 0;

  while (i < n)
    {
      if (s[i] == '+')
        {
          g_string_append_c (out, ' ');
          i++;
        }
      else if (s[i] == '%')
        {
          g_autoptr(GByteArray) bytes = g_byte_array_new ();
          g_autofree char *valid = NULL;

          while (i + 2 < n && s[i] == '%')
            {
              const char *digits = s + i + 1;
              gboolean negative = digits[0] == '-';
              int value;
              guint8 byte;

              if (digits[0] == '+' || digits[0] == '-')
                {
                  if (!g_ascii_isxdigit (digits[1]))
                    return NULL;
                  value = g_ascii_xdigit_value (digits[1]);
                  if (negative)
                    value = -value;
                }
              else if (g_ascii_isxdigit (digits[0]) && g_ascii_isxdigit (digits[1]))
                {
                  value = g_ascii_xdigit_value (digits[0]) * 16 + g_ascii_xdigit_value (digits[1]);
                }
              else
                {
                  return NULL;
                }
              if (value < 0)
                return NULL;
              byte = (guint8) value;
              g_byte_array_append (bytes, &byte, 1);
              i += 3;
            }
          if (i < n && s[i] == '%')
            return NULL;  /* "Incomplete trailing escape (%) pattern" */
          valid = g_utf8_make_valid ((const char *) bytes->data, bytes->len);
          g_string_append (out, valid);
        }
      else
        {
          g_string_append_c (out, s[i]);
          i++;
        }
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
record_request (SpTestPbxisServer *self,
                SoupServerMessage *msg,
                const char        *path,
                JsonObject        *params,
                const char        *dialled,
                guint              status)
{
  SpTestPbxisRequest *request = g_new0 (SpTestPbxisRequest, 1);
  const char *content_type;

  content_type = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                               "Content-Type");
  request->method = g_strdup (soup_server_message_get_method (msg));
  request->path = g_strdup (path);
  request->params = json_object_ref (params);
  request->content_type = g_strdup (content_type);
  request->dialled = g_strdup (dialled);
  request->status = status;
  g_ptr_array_add (self->requests, request);
}

static void
merge_form (JsonObject *params,
            GHashTable *form)
{
  GHashTableIter iter;
  gpointer key, value;

  if (form == NULL)
    return;

  g_hash_table_iter_init (&iter, form);
  while (g_hash_table_iter_next (&iter, &key, &value))
    json_object_set_string_member (params, key, value);
}

/* Parameters as pbxis-ws's middleware merges them: query string, form body, and the top
 * level of a JSON body when the Content-Type says JSON. */
static JsonObject *
read_params (SoupServerMessage *msg,
             GHashTable        *query)
{
  JsonObject *params = json_object_new ();
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  const char *content_type = soup_message_headers_get_content_type (headers, NULL);
  g_autoptr(GBytes) bytes = NULL;
  gsize length = 0;
  const char *data = NULL;

  merge_form (params, query);

  if (body != NULL && body->length > 0)
    {
      bytes = soup_message_body_flatten (body);
      data = g_bytes_get_data (bytes, &length);
    }

  if (data == NULL || content_type == NULL)
    return params;

  if (g_regex_match_simple ("^application/(vnd.+)?json", content_type, G_REGEX_CASELESS, 0))
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (json_parser_load_from_data (parser, data, length, NULL) &&
          JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          JsonObject *object = json_node_get_object (json_parser_get_root (parser));
          g_autoptr(GList) members = json_object_get_members (object);

          for (GList *l = members; l != NULL; l = l->next)
            json_object_set_member (params, l->data,
                                    json_node_copy (json_object_get_member (object, l->data)));
        }
    }
  else if (g_ascii_strcasecmp (content_type, "application/x-www-form-urlencoded") == 0)
    {
      g_autofree char *text = g_strndup (data, length);
      g_autoptr(GHashTable) form = soup_form_decode (text);

      merge_form (params, form);
    }

  return params;
}

static const char *
param_string (JsonObject *params,
              const char *key)
{
  JsonNode *node = json_object_get_member (params, key);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* A parameter that Clojure would (str …): strings as they are, numbers written out. */
static char *
param_str (JsonObject *params,
           const char *key)
{
  JsonNode *node = json_object_get_member (params, key);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    default:
      return NULL;
    }
}

static void
method_not_allowed (SoupServerMessage *msg,
                    const char        *allow)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", allow);
  soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
}

static JsonObject *
ami_response (gboolean    success,
              const char *message)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "message", message);
  json_object_set_string_member (object, "response", success ? "Success" : "Error");

  return object;
}

static void
set_member (SpTestPbxisServer *self,
            Queue             *queue,
            const char        *agent,
            const char        *status)
{
  if (status == NULL || g_str_equal (status, "loggedoff"))
    g_hash_table_remove (queue->members, agent);
  else
    g_hash_table_insert (queue->members, g_strdup (agent), g_strdup (status));

  publish (self, member_status_event (agent, queue->queue, status ? status : "loggedoff"));
}

static gboolean
param_is_true (JsonObject *params,
               const char *key)
{
  JsonNode *node = json_object_get_member (params, key);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node);
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_ascii_strcasecmp (json_node_get_string (node), "true") == 0;

  return FALSE;
}

/* QueueReset: Asterisk starts the figures of @queue_name (every queue when %NULL) again. */
static void
reset_queue_stats (SpTestPbxisServer *self,
                   const char        *queue_name)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->queues);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Queue *queue = value;

      /* app_queue.c `clear_queue`: the members' calls too. */
      if (queue_name == NULL || g_str_equal (queue_name, queue->queue))
        {
          queue->completed = queue->abandoned = queue->hold_time = queue->talk_time = 0;
          g_hash_table_remove_all (queue->calls_taken);
        }
    }
}

/* A QueueMember event's fields as the asterisk-java bean has them (what /queue/status and
 * MemberSummary carry). */
static void
add_member_fields (SpTestPbxisServer *self,
                   Queue             *queue,
                   JsonObject        *member,
                   const char        *agent,
                   const char        *status)
{
  Agent *info = g_hash_table_lookup (self->agents, agent);
  g_autofree char *location = g_strdup_printf ("SIP/%s", agent);

  json_object_set_int_member (member, "callsTaken",
                              GPOINTER_TO_INT (g_hash_table_lookup (queue->calls_taken, agent)));
  json_object_set_int_member (member, "incall", current_call (self, agent, NULL) ? 1 : 0);
  json_object_set_int_member (member, "lastCall", 0);
  json_object_set_string_member (member, "location", location);
  set_nullable_string (member, "memberName", info ? info->name : NULL);
  json_object_set_boolean_member (member, "paused", g_str_equal (status, "paused"));
}

/* POST /queue/ACTION: Asterisk's QueueAdd, QueueRemove, QueuePause, QueueReset. */
static void
handle_queue_action (SpTestPbxisServer *self,
                     SoupServerMessage *msg,
                     const char        *action,
                     JsonObject        *params)
{
  const char *queue_name = param_string (params, "queue");
  g_autofree char *agent = param_str (params, "agent");
  g_autoptr(JsonObject) response = NULL;
  Queue *queue;

  if (self->fail_next_action != NULL)
    {
      g_autofree char *message = g_steal_pointer (&self->fail_next_action);

      response = ami_response (FALSE, message);
      respond_object (msg, response);
      return;
    }

  if (g_str_equal (action, "reset"))
    {
      reset_queue_stats (self, queue_name);
      response = ami_response (TRUE, "Queue stats reset successfully");
      respond_object (msg, response);
      return;
    }

  if (!g_str_equal (action, "add") && !g_str_equal (action, "remove") &&
      !g_str_equal (action, "pause"))
    {
      /* pbxis-ws looks up Queue<Action>Action by reflection; it does not exist. */
      respond_text (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, NULL);
      return;
    }

  if (agent == NULL || (queue_name == NULL && !g_str_equal (action, "pause")))
    {
      response = ami_response (FALSE, "'Queue' and 'Interface' not set.");
      respond_object (msg, response);
      return;
    }

  if (g_str_equal (action, "pause"))
    {
      gboolean paused = param_is_true (params, "paused");
      gboolean found = FALSE;
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, self->queues);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          queue = value;

          if ((queue_name == NULL || g_str_equal (queue->queue, queue_name)) &&
              g_hash_table_contains (queue->members, agent))
            {
              set_member (self, queue, agent, paused ? "paused" : "active");
              found = TRUE;
            }
        }

      response = found
        ? ami_response (TRUE, paused ? "Interface paused successfully" : "Interface unpaused successfully")
        : ami_response (FALSE, "Interface not found");
      respond_object (msg, response);
      return;
    }

  queue = g_hash_table_lookup (self->queues, queue_name);
  if (queue == NULL)
    {
      /* app_queue.c, RES_NOSUCHQUEUE. */
      response = ami_response (FALSE, g_str_equal (action, "add")
                                        ? "Unable to add interface to queue: No such queue"
                                        : "Unable to remove interface from queue: No such queue");
      respond_object (msg, response);
      return;
    }

  if (g_str_equal (action, "add"))
    {
      const char *member_name = param_string (params, "memberName");

      if (g_hash_table_contains (queue->members, agent))
        {
          response = ami_response (FALSE, "Unable to add interface: Already there");
        }
      else
        {
          if (member_name != NULL)
            sp_test_pbxis_server_set_agent_name (self, agent, member_name);
          set_member (self, queue, agent, param_is_true (params, "paused") ? "paused" : "active");
          response = ami_response (TRUE, "Added interface to queue");
        }
    }
  else
    {
      if (!g_hash_table_contains (queue->members, agent))
        {
          response = ami_response (FALSE, "Unable to remove interface: Not there");
        }
      else
        {
          set_member (self, queue, agent, "loggedoff");
          response = ami_response (TRUE, "Removed interface from queue");
        }
    }

  respond_object (msg, response);
}

static void
handle_queue_status (SpTestPbxisServer *self,
                     SoupServerMessage *msg,
                     JsonObject        *params)
{
  const char *only = param_string (params, "queue");
  g_autoptr(JsonArray) array = json_array_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);
  g_autofree char *text = NULL;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->queues);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Queue *queue = value;
      JsonObject *object;
      JsonArray *members;
      GHashTableIter members_iter;
      gpointer agent, status;

      /* pbxis.clj `q-status`: QueueStatus for that queue only; none for a missing one. */
      if (only != NULL && !g_str_equal (only, queue->queue))
        continue;

      object = json_object_new ();
      members = json_array_new ();
      json_object_set_int_member (object, "abandoned", queue->abandoned);
      json_object_set_int_member (object, "calls", queue->count);
      json_object_set_int_member (object, "completed", queue->completed);
      json_object_set_int_member (object, "holdTime", queue->hold_time);
      json_object_set_int_member (object, "max", 0);
      json_object_set_string_member (object, "queue", queue->queue);
      json_object_set_int_member (object, "talkTime", queue->talk_time);

      g_hash_table_iter_init (&members_iter, queue->members);
      while (g_hash_table_iter_next (&members_iter, &agent, &status))
        {
          JsonObject *member = json_object_new ();

          add_member_fields (self, queue, member, agent, status);
          json_object_set_string_member (member, "status", status);
          json_object_set_string_member (member, "agent", agent);
          json_array_add_object_element (members, member);
        }
      json_object_set_array_member (object, "members", members);
      json_array_add_object_element (array, object);
    }

  json_node_set_array (node, array);
  text = json_to_string (node, FALSE);
  respond_text (msg, SOUP_STATUS_OK, text);
}

/* Calls: what the agent's phone shows, and the originate */

/* chan_sip's device state of the agent's phone, from its calls (sip_devicestate(),
 * Asterisk 11 channels/chan_sip.c lines 30004-30021): a call on hold wins, then ringing
 * (ringinuse if another call is up), then in use. */
static const char *
device_state (SpTestPbxisServer *self,
              const char        *agent)
{
  guint ringing = 0;
  guint up = 0;
  guint held = 0;

  for (guint i = 0; i < self->calls->len; i++)
    {
      Call *call = g_ptr_array_index (self->calls, i);

      if (!g_str_equal (call->agent, agent))
        continue;
      if (!call->answered)
        ringing++;
      else if (call->held)
        held++;
      else
        up++;
    }

  if (held > 0)
    return "onhold";
  if (ringing > 0)
    return up > 0 ? "ringinuse" : "ringing";
  if (up > 0)
    return "inuse";
  return "not_inuse";
}

/* An ExtensionStatus event for the state the agent's calls give its phone. */
static void
update_device_state (SpTestPbxisServer *self,
                     const char        *agent)
{
  sp_test_pbxis_server_set_extension_status (self, agent, device_state (self, agent));
}

/* The agent takes @call on a phone busy with others: they go on hold. */
static void
hold_others (SpTestPbxisServer *self,
             Call              *call)
{
  for (guint i = 0; i < self->calls->len; i++)
    {
      Call *other = g_ptr_array_index (self->calls, i);

      if (other != call && other->answered && g_str_equal (other->agent, call->agent))
        other->held = TRUE;
    }
}

typedef struct
{
  SpTestPbxisServer    *self;
  char                 *agent;
  char                 *number;
  char                 *action_id;
  char                 *call_id;
  SpTestPbxisOriginate  outcome;
  guint                 step;
  guint                 id;
} Originate;

static void
originate_free (Originate *originate)
{
  GArray *ids = originate->self->originate_ids;

  /* Done, or removed with the server: either way no longer pending. */
  for (guint i = 0; ids != NULL && i < ids->len; i++)
    {
      if (g_array_index (ids, guint, i) == originate->id)
        {
          g_array_remove_index_fast (ids, i);
          break;
        }
    }

  g_free (originate->agent);
  g_free (originate->number);
  g_free (originate->action_id);
  g_free (originate->call_id);
  g_free (originate);
}

/* The number as the outgoing leg's caller id has it: app_dial gives the leg the dialplan
 * extension it was dialled as (Asterisk 11 apps/app_dial.c lines 2492-2502), and a
 * dialplan may rewrite the extension before it dials (e.g. +385… as 0…). */
static char *
dialplan_number (SpTestPbxisServer *self,
                 const char        *dialled)
{
  if (self->dialplan_from != NULL && g_str_has_prefix (dialled, self->dialplan_from))
    return g_strconcat (self->dialplan_to, dialled + strlen (self->dialplan_from), NULL);

  return g_strdup (dialled);
}

/* The originate in Asterisk, one step at a time: the agent's own phone rings; nobody
 * picks it up (OriginateResponse Failure), or the agent does (Success, which pbxis only
 * remembers); then the number is dialled, and answers (Bridge) or not (the agent hangs up
 * on the ringback). */
static gboolean
originate_step_cb (gpointer data)
{
  Originate *originate = data;
  SpTestPbxisServer *self = originate->self;
  Call *call = originate->call_id ? find_call (self, originate->call_id) : NULL;

  switch (originate->step++)
    {
    case 0:
      call = g_new0 (Call, 1);
      call->id = g_strdup_printf ("call-%u", ++self->serial);
      call->agent = g_strdup (originate->agent);
      call->agent_channel = new_channel (self, originate->agent);
      g_ptr_array_add (self->calls, call);
      originate->call_id = g_strdup (call->id);
      update_device_state (self, originate->agent);
      return G_SOURCE_CONTINUE;

    case 1:
      if (call == NULL)
        return G_SOURCE_REMOVE;

      if (originate->outcome == SP_TEST_PBXIS_ORIGINATE_NO_PICKUP)
        {
          JsonObject *event = new_event ("originateFailed");

          g_ptr_array_remove (self->calls, call);
          update_device_state (self, originate->agent);
          /* pbxis.clj line 460: the "agent" of the failure is the AMI Exten, the dialled
           * number, so a ticket of agents filters it out. */
          json_object_set_string_member (event, "agent", originate->number);
          json_object_set_string_member (event, "actionId", originate->action_id);
          publish (self, event);
          return G_SOURCE_REMOVE;
        }

      hold_others (self, call);
      call->answered = TRUE;
      update_device_state (self, originate->agent);
      return G_SOURCE_CONTINUE;

    case 2:
    default:
      if (call == NULL)
        return G_SOURCE_REMOVE;

      if (originate->outcome == SP_TEST_PBXIS_ORIGINATE_NO_ANSWER)
        {
          sp_test_pbxis_server_hangup (self, call->id, 0, 0);
          return G_SOURCE_REMOVE;
        }

      /* Bridge (pbxis.clj lines 428-438): the agent's party is CallerID2, the caller id of
       * the outgoing leg (channel.c line 7801). Asterisk 12 has no Bridge event. */
      call->number = dialplan_number (self, originate->number);
      call->unique_id1 = g_strdup_printf ("%" G_GINT64_FORMAT ".%u", g_get_real_time () / G_USEC_PER_SEC, ++self->serial);
      call->unique_id2 = g_strdup_printf ("%" G_GINT64_FORMAT ".%u", g_get_real_time () / G_USEC_PER_SEC, ++self->serial);
      if (!self->asterisk12)
        {
          call->announced = TRUE;
          publish (self, phone_number_event (call, originate->agent));
        }
      return G_SOURCE_REMOVE;
    }
}

static void
handle_originate (SpTestPbxisServer *self,
                  SoupServerMessage *msg,
                  const char        *src,
                  const char        *dest)
{
  g_autofree char *action_id = g_strdup_printf ("pbxis-%08x", g_random_int ());
  Originate *originate;

  /* pbxis.clj lines 86-96: the action id is answered whatever Asterisk said; refused,
   * nothing more happens, and nothing says so. */
  if (self->originate_outcome == SP_TEST_PBXIS_ORIGINATE_REFUSED)
    {
      respond_json_string (msg, action_id);
      return;
    }

  originate = g_new0 (Originate, 1);
  originate->self = self;
  originate->agent = g_strdup (src);
  originate->number = g_strdup (dest);
  originate->action_id = g_strdup (action_id);
  originate->outcome = self->originate_outcome;
  originate->id = g_timeout_add_full (G_PRIORITY_DEFAULT, self->originate_step_ms,
                                      originate_step_cb, originate,
                                      (GDestroyNotify) originate_free);
  g_array_append_val (self->originate_ids, originate->id);

  respond_json_string (msg, action_id);
}

static void
handle_stream (SpTestPbxisServer    *self,
               SoupServerMessage    *msg,
               const char           *ticket_id,
               SpTestPbxisTransport  kind)
{
  Ticket *ticket = g_hash_table_lookup (self->tickets, ticket_id);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  Sink *sink;

  if (kind == SP_TEST_PBXIS_LONG_POLL)
    {
      if (ticket == NULL)
        {
          soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
          return;
        }

      /* A status now, so that libsoup does not take the waiting request for a failed
       * WebSocket handshake (the handler serves both); the body comes later. */
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      sink = sink_attach (ticket, kind);
      sink->msg = g_object_ref (msg);
      g_signal_connect (msg, "finished", G_CALLBACK (msg_finished_cb), sink);
      soup_server_message_pause (msg);

      if (!g_queue_is_empty (&ticket->buffer))
        long_poll_respond (sink);
      else
        sink->timeout_id = g_timeout_add (self->poll_timeout_ms, long_poll_timeout_cb, sink);
      return;
    }

  /* SSE */
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (headers, "text/event-stream", NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);

  if (ticket == NULL)
    {
      SoupMessageBody *body = soup_server_message_get_response_body (msg);
      static const char closed[] = "event: closed\ndata: {}\n\n";

      soup_message_body_append (body, SOUP_MEMORY_STATIC, closed, sizeof closed - 1);
      soup_message_body_complete (body);
      return;
    }

  /* Not paused: the headers go out now, and libsoup waits by itself for the chunks. */
  sink = sink_attach (ticket, kind);
  sink->msg = g_object_ref (msg);
  g_signal_connect (msg, "finished", G_CALLBACK (msg_finished_cb), sink);
  ticket_flush (ticket);
}

static void
server_callback (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  SpTestPbxisServer *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  gboolean is_get = g_str_equal (method, SOUP_METHOD_GET);
  gboolean is_post = g_str_equal (method, SOUP_METHOD_POST);
  g_autoptr(JsonObject) params = read_params (msg, query);
  /* "raw-paths": the path as sent, still percent-encoded. */
  g_auto(GStrv) raw_parts = g_strsplit (path + (path[0] == '/'), "/", -1);
  guint n_parts = g_strv_length (raw_parts);
  g_auto(GStrv) parts = g_new0 (char *, n_parts + 1);
  const char *dialled = NULL;
  gboolean decoded = TRUE;

  g_debug ("%s %s", method, path);

  /* Every segment, before any route matches (see the header comment). */
  for (guint i = 0; i < n_parts && decoded; i++)
    decoded = (parts[i] = java_url_decode (raw_parts[i])) != NULL;

  if (!decoded)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, NULL);
    }
  else if (n_parts == 1 && g_str_equal (parts[0], "ticket"))
    {
      if (!is_post)
        method_not_allowed (msg, "POST");
      else if (self->hostile_ticket != SP_TEST_HOSTILE_NONE)
        sp_test_hostile_respond (msg, self->hostile_ticket, &self->hostile_stats);
      else
        respond_json_string (msg, ticket_new (self, params)->id);
    }
  else if (n_parts == 1 && g_str_equal (parts[0], "stop"))
    {
      if (!is_post)
        {
          method_not_allowed (msg, "POST");
        }
      else
        {
          respond_json_string (msg, "pbxis service shutting down");
          sp_test_pbxis_server_shutdown (self);
        }
    }
  else if (n_parts == 3 && g_str_equal (parts[0], "originate"))
    {
      if (!is_post)
        method_not_allowed (msg, "POST");
      else
        handle_originate (self, msg, parts[1], dialled = parts[2]);
    }
  else if (n_parts == 2 && g_str_equal (parts[0], "queue") && g_str_equal (parts[1], "status"))
    {
      if (!is_get)
        method_not_allowed (msg, "GET");
      else
        handle_queue_status (self, msg, params);
    }
  else if (n_parts == 2 && g_str_equal (parts[0], "queue"))
    {
      if (!is_post)
        method_not_allowed (msg, "POST");
      else
        handle_queue_action (self, msg, parts[1], params);
    }
  else if ((n_parts == 2 && g_str_equal (parts[0], "redirect-to")) ||
           (n_parts == 1 && g_str_equal (parts[0], "park-and-announce")))
    {
      g_autofree char *target = param_str (params, "agent-or-channel");

      if (!is_post)
        {
          method_not_allowed (msg, "POST");
        }
      else if (target == NULL || current_call (self, target, NULL) == NULL)
        {
          /* A nil result; a raw channel name never matches either. */
          soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
        }
      else
        {
          g_autoptr(JsonObject) response = ami_response (TRUE, "Redirect successful");

          respond_object (msg, response);
        }
    }
  else if (n_parts == 2 && g_str_equal (parts[1], "websocket"))
    {
      /* Only the upgrade is answered, by the WebSocket handler, for any ticket. */
      if (!is_get)
        method_not_allowed (msg, "GET");
    }
  else if (n_parts == 2 && g_str_equal (parts[1], "sse"))
    {
      if (!is_get)
        method_not_allowed (msg, "GET");
      else
        handle_stream (self, msg, parts[0], SP_TEST_PBXIS_SSE);
    }
  else if (n_parts == 2 && g_str_equal (parts[1], "long-poll"))
    {
      if (!is_get)
        method_not_allowed (msg, "GET");
      else
        handle_stream (self, msg, parts[0], SP_TEST_PBXIS_LONG_POLL);
    }
  else
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
    }

  record_request (self, msg, path, params, dialled, soup_server_message_get_status (msg));
}

static void
silent_closed_cb (SoupWebsocketConnection *ws,
                  SpTestPbxisServer       *self)
{
  g_ptr_array_remove (self->silent, ws);
}

static void
ignore_message_cb (SoupWebsocketConnection *ws,
                   gint                     type,
                   GBytes                  *message,
                   gpointer                 user_data)
{
  /* pbxis-ws reads nothing from its clients. */
}

static void
websocket_callback (SoupServer              *server,
                    SoupServerMessage       *msg,
                    const char              *path,
                    SoupWebsocketConnection *ws,
                    gpointer                 user_data)
{
  SpTestPbxisServer *self = user_data;
  g_auto(GStrv) parts = g_strsplit (path + (path[0] == '/'), "/", -1);
  Ticket *ticket = g_strv_length (parts) == 2 ? g_hash_table_lookup (self->tickets, parts[0]) : NULL;
  Sink *sink;

  /* aleph's server would not ping; libsoup's does not either unless told. */
  soup_websocket_connection_set_keepalive_interval (ws, 0);
  g_signal_connect (ws, "message", G_CALLBACK (ignore_message_cb), NULL);

  if (ticket == NULL)
    {
      /* The lamina channel of an unknown ticket is nil: the sink attaches to nothing and
       * the socket stays open and silent. */
      g_debug ("WebSocket for unknown ticket %s: silence", parts[0]);
      g_ptr_array_add (self->silent, g_object_ref (ws));
      g_signal_connect (ws, "closed", G_CALLBACK (silent_closed_cb), self);
      return;
    }

  sink = sink_attach (ticket, SP_TEST_PBXIS_WEBSOCKET);
  sink->ws = g_object_ref (ws);
  g_signal_connect (ws, "closed", G_CALLBACK (ws_closed_cb), sink);
  ticket_flush (ticket);
}

/* Public API */

void
sp_test_pbxis_request_free (SpTestPbxisRequest *request)
{
  if (request == NULL)
    return;

  g_free (request->method);
  g_free (request->path);
  g_clear_pointer (&request->params, json_object_unref);
  g_free (request->content_type);
  g_free (request->dialled);
  g_free (request);
}

/**
 * sp_test_pbxis_server_new:
 * @port: the port on 127.0.0.1, or 0 for any free one (kept across restarts)
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): a running server
 */
SpTestPbxisServer *
sp_test_pbxis_server_new (guint16   port,
                          GError  **error)
{
  g_autoptr(SpTestPbxisServer) self = g_new0 (SpTestPbxisServer, 1);

  self->port = port;
  self->unsub_delay_ms = DEFAULT_UNSUB_DELAY_MS;
  self->poll_timeout_ms = DEFAULT_POLL_TIMEOUT_MS;
  self->tickets = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) ticket_free);
  self->sinks = g_ptr_array_new_with_free_func ((GDestroyNotify) sink_free);
  self->silent = g_ptr_array_new_with_free_func (g_object_unref);
  self->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_test_pbxis_request_free);
  self->agents = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) agent_free);
  self->queues = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) queue_free);
  self->calls = g_ptr_array_new_with_free_func ((GDestroyNotify) call_free);
  self->originate_ids = g_array_new (FALSE, FALSE, sizeof (guint));
  self->originate_outcome = SP_TEST_PBXIS_ORIGINATE_CONNECT;
  self->originate_step_ms = 50;
  self->last_sent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (!sp_test_pbxis_server_start (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * sp_test_pbxis_server_start:
 *
 * Starts serving again after sp_test_pbxis_server_kill() or a shutdown, on the same port,
 * like a restarted pbxis-ws: no tickets, and nothing remembered of what was sent.
 */
gboolean
sp_test_pbxis_server_start (SpTestPbxisServer  *self,
                            GError            **error)
{
  g_autoptr(GSList) uris = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->running)
    return TRUE;

  g_clear_object (&self->soup);
  /* Raw paths: the router decodes them as the real one does (server_callback()). */
  self->soup = soup_server_new ("server-header", NULL, "raw-paths", TRUE, NULL);
  soup_server_add_handler (self->soup, NULL, server_callback, self, NULL);
  soup_server_add_websocket_handler (self->soup, NULL, NULL, NULL, websocket_callback, self, NULL);

  if (!soup_server_listen_local (self->soup, self->port, SOUP_SERVER_LISTEN_IPV4_ONLY, error))
    return FALSE;

  uris = soup_server_get_uris (self->soup);
  self->port = g_uri_get_port (uris->data);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  self->running = TRUE;

  return TRUE;
}

/**
 * sp_test_pbxis_server_kill:
 *
 * Stops the server at once, as a crash would: every connection is cut without a word,
 * every ticket is lost. Asterisk (agents, queues, calls) carries on.
 */
void
sp_test_pbxis_server_kill (SpTestPbxisServer *self)
{
  g_return_if_fail (self != NULL);

  g_clear_handle_id (&self->shutdown_id, g_source_remove);

  /* Streams are cut, not ended: no close frame, no last chunk. */
  for (guint i = 0; i < self->sinks->len; i++)
    {
      Sink *sink = g_ptr_array_index (self->sinks, i);

      if (sink->ws != NULL)
        g_io_stream_close (soup_websocket_connection_get_io_stream (sink->ws), NULL, NULL);
    }
  for (guint i = 0; i < self->silent->len; i++)
    {
      SoupWebsocketConnection *ws = g_ptr_array_index (self->silent, i);

      g_signal_handlers_disconnect_by_data (ws, self);
      g_io_stream_close (soup_websocket_connection_get_io_stream (ws), NULL, NULL);
    }

  while (self->sinks->len > 0)
    sink_detach (g_ptr_array_index (self->sinks, 0));
  g_ptr_array_set_size (self->silent, 0);
  g_hash_table_remove_all (self->tickets);
  g_hash_table_remove_all (self->last_sent);

  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  self->running = FALSE;
}

static gboolean
shutdown_cb (gpointer data)
{
  SpTestPbxisServer *self = data;

  self->shutdown_id = 0;

  /* What is still attached is ended properly this time. */
  while (self->sinks->len > 0)
    sink_close (g_ptr_array_index (self->sinks, 0));

  sp_test_pbxis_server_kill (self);

  return G_SOURCE_REMOVE;
}

/**
 * sp_test_pbxis_server_shutdown:
 *
 * What POST /stop does: AMI disconnects, so every ticket gets `closed`; the streams end
 * and the HTTP server stops half a second later.
 */
void
sp_test_pbxis_server_shutdown (SpTestPbxisServer *self)
{
  g_return_if_fail (self != NULL);

  if (!self->running || self->shutdown_id != 0)
    return;

  publish (self, new_event ("closed"));
  self->shutdown_id = g_timeout_add (SHUTDOWN_DELAY_MS, shutdown_cb, self);
}

void
sp_test_pbxis_server_free (SpTestPbxisServer *self)
{
  if (self == NULL)
    return;

  sp_test_pbxis_server_kill (self);

  /* An originate still under way must not step into a freed server (it did, in the next
   * test of the same process). */
  while (self->originate_ids->len > 0)
    g_source_remove (g_array_index (self->originate_ids, guint, 0));
  g_clear_pointer (&self->originate_ids, g_array_unref);

  g_clear_pointer (&self->tickets, g_hash_table_unref);
  g_clear_pointer (&self->sinks, g_ptr_array_unref);
  g_clear_pointer (&self->silent, g_ptr_array_unref);
  g_clear_pointer (&self->requests, g_ptr_array_unref);
  g_clear_pointer (&self->agents, g_hash_table_unref);
  g_clear_pointer (&self->queues, g_hash_table_unref);
  g_clear_pointer (&self->calls, g_ptr_array_unref);
  g_clear_pointer (&self->last_sent, g_hash_table_unref);
  g_free (self->last_ticket);
  g_free (self->fail_next_action);
  g_free (self->dialplan_from);
  g_free (self->dialplan_to);
  g_free (self);
}

/**
 * sp_test_pbxis_server_dup_url:
 *
 * Returns: (transfer full): the base URL, "http://127.0.0.1:PORT"
 */
char *
sp_test_pbxis_server_dup_url (SpTestPbxisServer *self)
{
  return g_strdup_printf ("http://127.0.0.1:%u", self->port);
}

guint16
sp_test_pbxis_server_get_port (SpTestPbxisServer *self)
{
  return self->port;
}

void
sp_test_pbxis_server_set_unsub_delay (SpTestPbxisServer *self,
                                      guint              msec)
{
  self->unsub_delay_ms = msec;
}

void
sp_test_pbxis_server_set_poll_timeout (SpTestPbxisServer *self,
                                       guint              msec)
{
  self->poll_timeout_ms = msec;
}

guint
sp_test_pbxis_server_get_n_tickets (SpTestPbxisServer *self)
{
  return self->n_tickets;
}

const char *
sp_test_pbxis_server_get_last_ticket (SpTestPbxisServer *self)
{
  return self->last_ticket;
}

gboolean
sp_test_pbxis_server_has_ticket (SpTestPbxisServer *self,
                                 const char        *ticket)
{
  return ticket != NULL && g_hash_table_contains (self->tickets, ticket);
}

/**
 * sp_test_pbxis_server_get_ticket_params:
 *
 * Returns: (transfer none) (nullable): the parameters a live ticket was asked for with
 */
JsonObject *
sp_test_pbxis_server_get_ticket_params (SpTestPbxisServer *self,
                                        const char        *ticket)
{
  Ticket *found = g_hash_table_lookup (self->tickets, ticket);

  return found ? found->params : NULL;
}

/**
 * sp_test_pbxis_server_get_n_attached:
 * @transport: a transport, or %SP_TEST_PBXIS_NONE for all
 *
 * Returns: how many readers are attached to live tickets
 */
guint
sp_test_pbxis_server_get_n_attached (SpTestPbxisServer    *self,
                                     SpTestPbxisTransport  transport)
{
  guint n = 0;

  for (guint i = 0; i < self->sinks->len; i++)
    {
      Sink *sink = g_ptr_array_index (self->sinks, i);

      if (transport == SP_TEST_PBXIS_NONE || sink->kind == transport)
        n++;
    }

  return n;
}

typedef struct
{
  SpTestPbxisServer    *self;
  SpTestPbxisTransport  transport;
  guint                 n;
  const char           *method;
  const char           *path;
} Wait;

static gboolean
attached_reached (gpointer data)
{
  Wait *wait = data;

  return sp_test_pbxis_server_get_n_attached (wait->self, wait->transport) >= wait->n;
}

gboolean
sp_test_pbxis_server_wait_for_attached (SpTestPbxisServer    *self,
                                        SpTestPbxisTransport  transport,
                                        guint                 n,
                                        guint                 timeout_ms)
{
  Wait wait = { self, transport, n, NULL, NULL };

  return sp_test_wait_until (attached_reached, &wait, timeout_ms);
}

static gboolean
tickets_reached (gpointer data)
{
  Wait *wait = data;

  return wait->self->n_tickets >= wait->n;
}

gboolean
sp_test_pbxis_server_wait_for_tickets (SpTestPbxisServer *self,
                                       guint              n,
                                       guint              timeout_ms)
{
  Wait wait = { self, SP_TEST_PBXIS_NONE, n, NULL, NULL };

  return sp_test_wait_until (tickets_reached, &wait, timeout_ms);
}

/**
 * sp_test_pbxis_server_get_requests:
 *
 * Returns: (transfer none) (element-type SpTestPbxisRequest): every request so far
 */
GPtrArray *
sp_test_pbxis_server_get_requests (SpTestPbxisServer *self)
{
  return self->requests;
}

/**
 * sp_test_pbxis_server_find_request:
 *
 * Returns: (transfer none) (nullable): the newest request with @method whose path starts
 *   with @path_prefix
 */
SpTestPbxisRequest *
sp_test_pbxis_server_find_request (SpTestPbxisServer *self,
                                   const char        *method,
                                   const char        *path_prefix)
{
  for (guint i = self->requests->len; i > 0; i--)
    {
      SpTestPbxisRequest *request = g_ptr_array_index (self->requests, i - 1);

      if (g_str_equal (request->method, method) && g_str_has_prefix (request->path, path_prefix))
        return request;
    }

  return NULL;
}

static gboolean
request_seen (gpointer data)
{
  Wait *wait = data;

  return sp_test_pbxis_server_find_request (wait->self, wait->method, wait->path) != NULL;
}

gboolean
sp_test_pbxis_server_wait_for_request (SpTestPbxisServer *self,
                                       const char        *method,
                                       const char        *path_prefix,
                                       guint              timeout_ms)
{
  Wait wait = { self, SP_TEST_PBXIS_NONE, 0, method, path_prefix };

  return sp_test_wait_until (request_seen, &wait, timeout_ms);
}

void
sp_test_pbxis_server_clear_requests (SpTestPbxisServer *self)
{
  g_ptr_array_set_size (self->requests, 0);
}

/**
 * sp_test_pbxis_server_set_agent_name:
 *
 * The agent's member name changes (QueueMemberStatus, QueueMemberAdded carry it).
 */
void
sp_test_pbxis_server_set_agent_name (SpTestPbxisServer *self,
                                     const char        *agent_id,
                                     const char        *name)
{
  Agent *agent = ensure_agent (self, agent_id);

  g_free (agent->name);
  agent->name = g_strdup (name);

  /* Only a known name is sent. */
  if (name != NULL)
    publish (self, agent_name_event (agent));
}

/**
 * sp_test_pbxis_server_set_extension_status:
 * @status: (nullable): "not_inuse", "inuse", "ringing", "-1", "17", … or %NULL
 *
 * An ExtensionStatus event from Asterisk.
 */
void
sp_test_pbxis_server_set_extension_status (SpTestPbxisServer *self,
                                           const char        *agent_id,
                                           const char        *status)
{
  Agent *agent = ensure_agent (self, agent_id);

  g_free (agent->extension_status);
  agent->extension_status = g_strdup (status);
  publish (self, extension_status_event (agent));
}

/**
 * sp_test_pbxis_server_set_member:
 * @status: "active", "paused", "invalid", or "loggedoff" (or %NULL) to remove
 */
void
sp_test_pbxis_server_set_member (SpTestPbxisServer *self,
                                 const char        *queue,
                                 const char        *agent,
                                 const char        *status)
{
  ensure_agent (self, agent);
  set_member (self, ensure_queue (self, queue), agent, status);
}

/**
 * sp_test_pbxis_server_get_member:
 *
 * Returns: (nullable): the agent's membership status in @queue, %NULL if not a member
 */
const char *
sp_test_pbxis_server_get_member (SpTestPbxisServer *self,
                                 const char        *queue,
                                 const char        *agent)
{
  Queue *found = g_hash_table_lookup (self->queues, queue);

  return found ? g_hash_table_lookup (found->members, agent) : NULL;
}

void
sp_test_pbxis_server_set_queue_count (SpTestPbxisServer *self,
                                      const char        *queue_id,
                                      gint64             count)
{
  Queue *queue = ensure_queue (self, queue_id);

  queue->count = count;
  publish (self, queue_count_event (queue));
}

/**
 * sp_test_pbxis_server_set_ticket_answer:
 * @hostile: how POST /ticket is answered from now on; %SP_TEST_HOSTILE_NONE for a ticket
 */
void
sp_test_pbxis_server_set_ticket_answer (SpTestPbxisServer *self,
                                        SpTestHostile      hostile)
{
  self->hostile_ticket = hostile;
}

/**
 * sp_test_pbxis_server_get_hostile_stats:
 *
 * Returns: (transfer none): what the hostile ticket answers did
 */
const SpTestHostileStats *
sp_test_pbxis_server_get_hostile_stats (SpTestPbxisServer *self)
{
  return &self->hostile_stats;
}

/**
 * sp_test_pbxis_server_fail_next_action:
 * @message: what Asterisk says, e.g. "Interface not found"
 *
 * The next /queue/… action gets `{"response":"Error","message":MESSAGE}`, with HTTP 200.
 */
void
sp_test_pbxis_server_fail_next_action (SpTestPbxisServer *self,
                                       const char        *message)
{
  g_free (self->fail_next_action);
  self->fail_next_action = g_strdup (message);
}

/**
 * sp_test_pbxis_server_queue_call:
 * @name: (nullable): the caller-id name
 *
 * A caller waits in @queue and Asterisk rings @agent (QueueCallerJoin, AgentCalled):
 * the queue count goes up, the agent gets phoneNumber with the number, name and queue,
 * and its extension rings.
 *
 * Returns: (transfer full): the call's id
 */
char *
sp_test_pbxis_server_queue_call (SpTestPbxisServer *self,
                                 const char        *queue_id,
                                 const char        *agent,
                                 const char        *number,
                                 const char        *name)
{
  Queue *queue = ensure_queue (self, queue_id);
  Call *call = g_new0 (Call, 1);

  ensure_agent (self, agent);

  call->id = g_strdup_printf ("call-%u", ++self->serial);
  call->agent = g_strdup (agent);
  call->number = g_strdup (number);
  call->name = g_strdup (name);
  call->queue = g_strdup (queue_id);
  call->ring_channel = new_channel (self, "trunk");
  call->announced = TRUE;
  g_ptr_array_add (self->calls, call);

  queue->count++;
  publish (self, queue_count_event (queue));
  publish (self, phone_number_event (call, agent));
  update_device_state (self, agent);

  return g_strdup (call->id);
}

/**
 * sp_test_pbxis_server_direct_call:
 *
 * Someone dials @agent's extension directly: only the extension rings; pbxis knows no
 * number until the call is answered.
 *
 * Returns: (transfer full): the call's id
 */
char *
sp_test_pbxis_server_direct_call (SpTestPbxisServer *self,
                                  const char        *agent,
                                  const char        *number)
{
  Call *call = g_new0 (Call, 1);

  ensure_agent (self, agent);

  call->id = g_strdup_printf ("call-%u", ++self->serial);
  call->agent = g_strdup (agent);
  call->number = g_strdup (number);
  call->ring_channel = new_channel (self, "trunk");
  g_ptr_array_add (self->calls, call);

  update_device_state (self, agent);

  return g_strdup (call->id);
}

/**
 * sp_test_pbxis_server_answer:
 *
 * The agent picks up (Bridge): phoneNumber with the other party, unless the number did
 * not change (a queue call's was sent on ringing), then the extension is in use. A call
 * the agent was talking on goes on hold (call waiting). On Asterisk 12 there is no Bridge,
 * and so no phoneNumber.
 */
void
sp_test_pbxis_server_answer (SpTestPbxisServer *self,
                             const char        *call_id)
{
  Call *call = find_call (self, call_id);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_return_if_fail (call != NULL);
  g_return_if_fail (!call->answered);

  hold_others (self, call);
  call->answered = TRUE;
  /* pbxis learns a number only from AgentCalled and the Bridge (pbxis.clj lines 428-448). */
  call->announced = call->queue != NULL || !self->asterisk12;
  call->agent_channel = new_channel (self, call->agent);
  call->unique_id1 = g_strdup_printf ("%" G_GINT64_FORMAT ".%u", now, ++self->serial);
  call->unique_id2 = g_strdup_printf ("%" G_GINT64_FORMAT ".%u", now, ++self->serial);

  if (call->queue != NULL)
    {
      Queue *queue = ensure_queue (self, call->queue);

      queue->count = MAX (queue->count - 1, 0);
      publish (self, queue_count_event (queue));
    }

  if (!self->asterisk12)
    publish (self, phone_number_event (call, call->agent));
  update_device_state (self, call->agent);
}

/**
 * sp_test_pbxis_server_hangup:
 * @talk_time: seconds, for agentComplete
 * @hold_time: seconds, for agentComplete
 *
 * The call ends: answered, or not (ring-no-answer, the caller gave up). phoneNumber
 * falls back to the agent's other call or null, the extension goes idle, and an answered
 * queue call is summed up by agentComplete.
 */
void
sp_test_pbxis_server_hangup (SpTestPbxisServer *self,
                             const char        *call_id,
                             gint64             talk_time,
                             gint64             hold_time)
{
  Call *call = find_call (self, call_id);
  g_autofree char *agent = NULL;
  g_autofree char *agent_channel = NULL;
  g_autofree char *recording = NULL;
  gboolean answered_queue_call;
  Call *other;
  JsonObject *event;

  g_return_if_fail (call != NULL);

  agent = g_strdup (call->agent);
  /* AgentRingNoAnswer and QueueCallerAbandon name the caller's channel, a Hangup the
   * agent's (pbxis.clj lines 439-445). */
  agent_channel = g_strdup (call->agent_channel ? call->agent_channel : call->ring_channel);
  recording = g_strdup (call->unique_id1);
  answered_queue_call = call->answered && call->queue != NULL;

  if (!call->answered && call->queue != NULL)
    {
      Queue *queue = ensure_queue (self, call->queue);

      queue->count = MAX (queue->count - 1, 0);
      publish (self, queue_count_event (queue));
    }

  g_ptr_array_remove (self->calls, call);

  /* "The agent's current party" (pbxis.clj lines 515-523): the null of the ended call,
   * with the number and name of the oldest call pbxis still tracks merged in, under the
   * ended call's unique-id; null if none is left. */
  other = NULL;
  for (guint i = 0; i < self->calls->len && other == NULL; i++)
    {
      Call *candidate = g_ptr_array_index (self->calls, i);

      if (candidate->announced && g_str_equal (candidate->agent, agent))
        other = candidate;
    }
  event = new_event ("phoneNumber");
  json_object_set_string_member (event, "agent", agent);
  set_nullable_string (event, "unique-id", agent_channel);
  set_nullable_string (event, "number", other ? other->number : NULL);
  if (other != NULL)
    set_nullable_string (event, "name", other->name);
  publish (self, event);

  /* The agent takes the call on hold back. */
  for (guint i = 0; i < self->calls->len; i++)
    {
      Call *held = g_ptr_array_index (self->calls, i);

      if (g_str_equal (held->agent, agent))
        held->held = FALSE;
    }
  update_device_state (self, agent);

  if (answered_queue_call)
    {
      event = new_event ("agentComplete");
      json_object_set_string_member (event, "agent", agent);
      json_object_set_string_member (event, "uniqueId", agent_channel);
      json_object_set_int_member (event, "talkTime", talk_time);
      json_object_set_int_member (event, "holdTime", hold_time);
      json_object_set_string_member (event, "recording", recording);
      publish (self, event);
    }
}

/**
 * sp_test_pbxis_server_get_agent_call:
 *
 * Returns: (nullable): the id of the agent's newest call, e.g. one an originate made
 */
const char *
sp_test_pbxis_server_get_agent_call (SpTestPbxisServer *self,
                                     const char        *agent)
{
  for (guint i = self->calls->len; i > 0; i--)
    {
      Call *call = g_ptr_array_index (self->calls, i - 1);

      if (g_str_equal (call->agent, agent))
        return call->id;
    }

  return NULL;
}

/**
 * sp_test_pbxis_server_get_n_originating:
 *
 * Returns: how many originates are still under way (their steps not all taken)
 */
guint
sp_test_pbxis_server_get_n_originating (SpTestPbxisServer *self)
{
  return self->originate_ids->len;
}

/**
 * sp_test_pbxis_server_set_originate:
 * @outcome: what Asterisk does with the next originates
 * @step_ms: the time between their steps (the phone rings, is picked up, the number
 *   answers); 50 unless set
 */
void
sp_test_pbxis_server_set_originate (SpTestPbxisServer    *self,
                                    SpTestPbxisOriginate  outcome,
                                    guint                 step_ms)
{
  self->originate_outcome = outcome;
  self->originate_step_ms = step_ms;
}

/**
 * sp_test_pbxis_server_set_dialplan_rewrite:
 * @from: (nullable): a prefix of dialled numbers, e.g. "+385"; %NULL for none
 * @to: what the dialplan dials instead, e.g. "0"
 *
 * The dialplan rewrites the numbers it is asked to dial, so the Bridge of an originate
 * names the number otherwise than it was dialled.
 */
void
sp_test_pbxis_server_set_dialplan_rewrite (SpTestPbxisServer *self,
                                           const char        *from,
                                           const char        *to)
{
  g_free (self->dialplan_from);
  g_free (self->dialplan_to);
  self->dialplan_from = g_strdup (from);
  self->dialplan_to = g_strdup (from ? to : NULL);
}

/**
 * sp_test_pbxis_server_set_asterisk12:
 * @asterisk12: whether the Asterisk behind is 12 or later
 *
 * Asterisk 12 replaced the Bridge event with BridgeEnter/BridgeLeave (its UPGRADE.txt,
 * line 655), which pbxis does not read (pbxis.clj line 428 matches "Bridge" only): an
 * answered call's number never comes, neither for a direct call nor for an originate. A
 * queue call keeps the number it rang with (AgentCalled).
 */
void
sp_test_pbxis_server_set_asterisk12 (SpTestPbxisServer *self,
                                     gboolean           asterisk12)
{
  self->asterisk12 = asterisk12;
}

/**
 * sp_test_pbxis_server_publish_raw:
 * @json: one event as a JSON object, sent as it is (no deduplication)
 */
void
sp_test_pbxis_server_publish_raw (SpTestPbxisServer *self,
                                  const char        *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer value;
  JsonObject *event;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  g_assert (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  event = json_node_get_object (json_parser_get_root (parser));

  g_hash_table_iter_init (&iter, self->tickets);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      if (ticket_wants (value, event))
        ticket_push (value, event);
    }
}

/**
 * sp_test_pbxis_server_add_queue:
 *
 * Asterisk has @queue from now on (queues.conf), empty and without callers.
 */
void
sp_test_pbxis_server_add_queue (SpTestPbxisServer *self,
                                const char        *queue)
{
  ensure_queue (self, queue);
}

/**
 * sp_test_pbxis_server_set_queue_stats:
 *
 * Asterisk's figures of @queue_id since its last QueueReset (the queue exists after).
 */
void
sp_test_pbxis_server_set_queue_stats (SpTestPbxisServer *self,
                                      const char        *queue_id,
                                      gint64             completed,
                                      gint64             abandoned,
                                      gint64             hold_time,
                                      gint64             talk_time)
{
  Queue *queue = ensure_queue (self, queue_id);

  queue->completed = completed;
  queue->abandoned = abandoned;
  queue->hold_time = hold_time;
  queue->talk_time = talk_time;
}

/**
 * sp_test_pbxis_server_get_queue_completed:
 *
 * Returns: the calls answered in @queue_id since its last reset, -1 without the queue
 */
gint64
sp_test_pbxis_server_get_queue_completed (SpTestPbxisServer *self,
                                          const char        *queue_id)
{
  Queue *queue = g_hash_table_lookup (self->queues, queue_id);

  return queue ? queue->completed : -1;
}

/**
 * sp_test_pbxis_server_publish_summaries:
 *
 * What pbxis's `publish-q-summary-status` (pbxis.clj lines 223-264) publishes every
 * :summary-refresh-seconds: a QueueSummary per queue, then a MemberSummary per queue that
 * has members. The ticket filter passes them only to tickets with summaryEvents.
 */
void
sp_test_pbxis_server_publish_summaries (SpTestPbxisServer *self)
{
  g_autoptr(GList) names = g_hash_table_get_keys (self->queues);

  names = g_list_sort (names, (GCompareFunc) g_strcmp0);

  for (GList *l = names; l != NULL; l = l->next)
    {
      Queue *queue = g_hash_table_lookup (self->queues, l->data);
      JsonObject *event = new_event ("QueueSummary");
      guint available = 0;
      GHashTableIter iter;
      gpointer agent, status;

      g_hash_table_iter_init (&iter, queue->members);
      while (g_hash_table_iter_next (&iter, &agent, &status))
        {
          if (g_str_equal (status, "active") && current_call (self, agent, NULL) == NULL)
            available++;
        }

      json_object_set_string_member (event, "queue", queue->queue);
      json_object_set_int_member (event, "available", available);
      json_object_set_int_member (event, "holdTime", queue->hold_time);
      json_object_set_int_member (event, "loggedIn", g_hash_table_size (queue->members));
      json_object_set_int_member (event, "longestHoldTime", 0);
      json_object_set_int_member (event, "talkTime", queue->talk_time);
      json_object_set_int_member (event, "abandoned", queue->abandoned);
      json_object_set_int_member (event, "completed", queue->completed);
      json_object_set_int_member (event, "serviceLevel", 60);
      json_object_set_double_member (event, "serviceLevelPerf",
                                     queue->completed + queue->abandoned > 0
                                       ? 100.0 * queue->completed / (queue->completed + queue->abandoned)
                                       : 0.0);
      json_object_set_int_member (event, "calls", queue->count);
      publish (self, event);
    }

  for (GList *l = names; l != NULL; l = l->next)
    {
      Queue *queue = g_hash_table_lookup (self->queues, l->data);
      g_autoptr(GList) agents = NULL;
      JsonObject *event;
      JsonArray *members;

      /* group-by over the QueueMember events: a queue without members has none. */
      if (g_hash_table_size (queue->members) == 0)
        continue;

      event = new_event ("MemberSummary");
      members = json_array_new ();
      agents = g_list_sort (g_hash_table_get_keys (queue->members), (GCompareFunc) g_strcmp0);
      for (GList *a = agents; a != NULL; a = a->next)
        {
          JsonObject *member = json_object_new ();

          json_object_set_string_member (member, "queue", queue->queue);
          add_member_fields (self, queue, member, a->data,
                             g_hash_table_lookup (queue->members, a->data));
          json_array_add_object_element (members, member);
        }
      json_object_set_string_member (event, "queue", queue->queue);
      json_object_set_array_member (event, "members", members);
      publish (self, event);
    }
}

/**
 * sp_test_pbxis_server_set_calls_taken:
 *
 * The calls @agent answered in @queue_id since its last reset (QueueMember `callsTaken`).
 */
void
sp_test_pbxis_server_set_calls_taken (SpTestPbxisServer *self,
                                      const char        *queue_id,
                                      const char        *agent,
                                      guint              calls)
{
  Queue *queue = ensure_queue (self, queue_id);

  g_hash_table_insert (queue->calls_taken, g_strdup (agent), GUINT_TO_POINTER (calls));
}
