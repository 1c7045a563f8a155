/* sp-pbxis-source.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-pbxis"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "sp-account.h"
#include "sp-http.h"
#include "sp-pbxis.h"
#include "sp-pbxis-agent.h"
#include "sp-pbxis-board.h"
#include "sp-pbxis-calls.h"
#include "sp-pbxis-queue-status.h"
#include "sp-pbxis-request.h"
#include "sp-pbxis-source.h"
#include "sp-pbxis-source-private.h"
#include "sp-pbxis-stream.h"

/*
 * pbxis-ws (see protocols/pbxis_ws.md): POST /ticket names the agents and queues, and the
 * ticket's events are then read over one transport: a WebSocket, Server-Sent Events or
 * long-polls. This file is the connection and the actions; the kind's other files hold
 * the rest:
 *   sp-pbxis-stream.c   the three transports of a ticket's events (SpPbxisStream)
 *   sp-pbxis-calls.c    the pure mapping of the events to SpCallEvents (SpPbxisCalls)
 *   sp-pbxis-dials.c    the dials the calls follow, to their pick-up or failure
 *   sp-pbxis-board.c    the status view's agents and queues (sp-pbxis-agent.c: one agent)
 *   sp-pbxis-request.c  POSTs, deadlines and errors of requests to pbxis-ws
 *   sp-pbxis-source-queues.c  the status view's requests (queue actions of any agent,
 *                       reset, GET /queue/status), part of SpPbxisSource
 *   sp-pbxis-window.c   the status view; sp-pbxis-page.c, the account editor's page
 *
 * What shapes the connection comes from the server's quirks:
 *
 *  - A ticket dies 15 s after its reader left, and a dead ticket on the WebSocket gives a
 *    socket that is accepted and then silent for ever. So every connection attempt asks
 *    for a fresh ticket; the snapshot at the start of each ticket resyncs the state.
 *  - There are no heartbeats: silence is normal for hours, so there is no liveness
 *    timeout (TCP keepalive and the network monitor notice dead links).
 *  - Actions are plain POSTs, and Asterisk's refusals come back as HTTP 200 with
 *    `"response":"Error"`.
 *
 * The account: `url` is the base URL (http://HOST:58615, or behind a proxy with a path),
 * `extensions` the agents, and `options`:
 *   transport       websocket (default) | sse | long-poll
 *   queues          comma-separated queue names, for the status view and queue counts
 *   summary-events  true to receive QueueSummary/MemberSummary
 *   poll-timeout    the server's :poll-timeout-seconds, if not 30
 *   caller-id       the caller id of outgoing calls (originate's `callerId`)
 *   member-name     the first agent's name in the queues it logs on to (`memberName`)
 *   supervisor      true to offer resetting the queues' statistics in the status view
 * Actions (perform): DIAL (param: the number, or a tel:/callto: link), QUEUE_ADD,
 * QUEUE_REMOVE, QUEUE_PAUSE, QUEUE_UNPAUSE (param: the queue), and the agent-wide
 * PAUSE and UNPAUSE (every queue at once; pbxis-ws passes no reason on), all for the
 * first extension. The agent state (#SpSource:agent-state) follows its queue memberships.
 *
 * A DIAL completes when the call is placed, not when pbxis-ws answers: it answers an
 * action id even when Asterisk refused the call, and its failure report names the dialled
 * number as an agent, which our ticket filters out. So the dial is followed in the events
 * (sp-pbxis-calls.c): it completes when the agent picks up the phone it rang, and fails,
 * with the reason, when the phone does not ring within 10 s or is not picked up.
 * The status view acts for any of the account's agents and on the queues themselves with
 * sp_pbxis_source_queue_action_async(), sp_pbxis_source_reset_queue_async() and
 * sp_pbxis_source_refresh_queues_async() (`GET /queue/status`, also asked on every connect).
 */

/* How long connecting (ticket and stream) may take before the attempt counts as failed
 * (the base class's deadline). */
#define CONNECT_TIMEOUT_SECONDS 15
/* How long an action may take. */
#define ACTION_TIMEOUT_SECONDS 15
/* pbxis-ws answers a long-poll within :poll-timeout-seconds (30 by default). */
#define DEFAULT_POLL_TIMEOUT_SECONDS 30

struct _SpPbxisSource
{
  SpSource          parent_instance;

  SoupSession      *session;

  /* The connection: all dropped by disconnect(). */
  SpPbxisTransport  transport;
  char             *base_url;
  SpPbxisStream    *stream;
  guint             poll_timeout;

  /* What the events said; outlives reconnections, because the snapshot of the next ticket
   * is compared with it. */
  SpPbxisCalls     *calls;
  guint             deadline_id;     /* when an end stops waiting for agentComplete, or a
                                      * dial gives up */
  GHashTable       *dial_tasks;      /* dial id → GTask of its perform, owned */
  SpPbxisBoard     *board;           /* the status view's model */
};

enum {
  QUEUE_CHANGED,
  AGENT_CHANGED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

G_DEFINE_FINAL_TYPE (SpPbxisSource, sp_pbxis_source, SP_TYPE_SOURCE)

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

/* The board follows the account: its extensions and queues. */
static void
configure_board (SpPbxisSource *self)
{
  SpAccount *account = sp_source_get_account (SP_SOURCE (self));
  g_auto(GStrv) agents = sp_account_dup_extensions (account);
  g_auto(GStrv) queues = dup_queues (account);

  sp_pbxis_board_configure (self->board, (const char * const *) agents,
                            (const char * const *) queues);
}

static char *
first_extension (SpPbxisSource *self)
{
  g_auto(GStrv) extensions = sp_account_dup_extensions (sp_source_get_account (SP_SOURCE (self)));

  return extensions != NULL && extensions[0] != NULL ? g_strdup (extensions[0]) : NULL;
}

/* Events */

static void schedule_deadline (SpPbxisSource *self);
static void settle_dials (SpPbxisSource *self);

static void
emit_all (SpPbxisSource *self,
          GPtrArray     *events)
{
  for (guint i = 0; i < events->len; i++)
    sp_source_emit_call_event (SP_SOURCE (self), g_ptr_array_index (events, i));
}

static gboolean
deadline_cb (gpointer data)
{
  SpPbxisSource *self = data;
  g_autoptr(GPtrArray) events = NULL;

  self->deadline_id = 0;
  events = sp_pbxis_calls_expire (self->calls, g_get_monotonic_time ());
  schedule_deadline (self);
  emit_all (self, events);
  settle_dials (self);

  return G_SOURCE_REMOVE;
}

/* The calls' ends that wait for agentComplete, and the dials that wait for the phone, are
 * given up at their deadline. */
static void
schedule_deadline (SpPbxisSource *self)
{
  gint64 deadline = sp_pbxis_calls_get_deadline (self->calls);
  gint64 wait;

  g_clear_handle_id (&self->deadline_id, g_source_remove);
  if (deadline < 0)
    return;

  wait = deadline - g_get_monotonic_time ();
  self->deadline_id = g_timeout_add (wait > 0 ? (guint) ((wait + 999) / 1000) : 0,
                                     deadline_cb, self);
}

static void
feed_calls (SpPbxisSource      *self,
            const SpPbxisEvent *event)
{
  SpAccount *account = sp_source_get_account (SP_SOURCE (self));
  g_autoptr(GPtrArray) events = NULL;

  /* As the account says now: the events made from here on carry it. */
  sp_pbxis_calls_set_ring_timeout (self->calls, sp_account_get_ring_timeout (account));
  events = sp_pbxis_calls_feed (self->calls, event, g_get_monotonic_time ());
  schedule_deadline (self);
  emit_all (self, events);
  settle_dials (self);
}

/* The agent state is the first extension's: the account's own agent. */
static void
update_agent_state (SpPbxisSource *self)
{
  GPtrArray *agents = sp_pbxis_board_get_agents (self->board);

  if (agents->len > 0)
    sp_source_set_agent_state (SP_SOURCE (self),
                               sp_pbxis_agent_get_state (g_ptr_array_index (agents, 0)));
}

/**
 * sp_pbxis_source_board_refreshed:
 *
 * Everything on the board may have changed (a queue status was applied): says so of
 * everything. For sp-pbxis-source-queues.c.
 */
void
sp_pbxis_source_board_refreshed (SpPbxisSource *self)
{
  GPtrArray *agents = sp_pbxis_board_get_agents (self->board);
  GPtrArray *queues = sp_pbxis_board_get_queues (self->board);

  update_agent_state (self);
  for (guint i = 0; i < agents->len; i++)
    g_signal_emit (self, signals[AGENT_CHANGED], 0,
                   sp_pbxis_agent_get_id (g_ptr_array_index (agents, i)));
  for (guint i = 0; i < queues->len; i++)
    g_signal_emit (self, signals[QUEUE_CHANGED], 0,
                   ((SpPbxisQueue *) g_ptr_array_index (queues, i))->name);
}

/**
 * sp_pbxis_source_get_session:
 *
 * Returns: (transfer none): the source's HTTP session. For sp-pbxis-source-queues.c.
 */
SoupSession *
sp_pbxis_source_get_session (SpPbxisSource *self)
{
  return self->session;
}

static void
feed_board (SpPbxisSource      *self,
            const SpPbxisEvent *event)
{
  SpPbxisBoardChange change = sp_pbxis_board_feed (self->board, event);

  if (change & SP_PBXIS_BOARD_AGENT)
    {
      update_agent_state (self);
      g_signal_emit (self, signals[AGENT_CHANGED], 0, event->agent);
    }
  if (change & SP_PBXIS_BOARD_QUEUE)
    g_signal_emit (self, signals[QUEUE_CHANGED], 0, event->queue);
}

/* A well-formed event of the ticket; `closed` is the stream's, as a loss. */
static void
stream_event_cb (SpPbxisSource      *self,
                 const SpPbxisEvent *event,
                 SpPbxisStream      *stream)
{
  feed_board (self, event);

  switch (event->type)
    {
    case SP_PBXIS_EVENT_PHONE_NUMBER:
    case SP_PBXIS_EVENT_EXTENSION_STATUS:
    case SP_PBXIS_EVENT_AGENT_COMPLETE:
      feed_calls (self, event);
      break;

    case SP_PBXIS_EVENT_QUEUE_MEMBER_STATUS:
    case SP_PBXIS_EVENT_QUEUE_COUNT:
    case SP_PBXIS_EVENT_AGENT_NAME:
      break;

    case SP_PBXIS_EVENT_ORIGINATE_FAILED:
      /* Its "agent" is the dialled number (a server quirk), so it only comes when the
       * account's extensions happen to name that number; its action id tells whether the
       * dial was ours. */
      g_message ("[%s] pbxis-ws could not place the call to %s (%s)",
                 sp_source_get_account_id (SP_SOURCE (self)),
                 event->agent ? event->agent : "?", event->action_id ? event->action_id : "");
      feed_calls (self, event);
      break;

    case SP_PBXIS_EVENT_CLOSED:
    case SP_PBXIS_EVENT_PARKING:
    case SP_PBXIS_EVENT_QUEUE_SUMMARY:
    case SP_PBXIS_EVENT_MEMBER_SUMMARY:
    case SP_PBXIS_EVENT_UNKNOWN:
    default:
      break;
    }
}

static void
stream_lost_cb (SpPbxisSource *self,
                const GError  *error,
                SpPbxisStream *stream)
{
  sp_source_connection_lost (SP_SOURCE (self), error);
}

static gboolean
attempt_is_over (SpPbxisSource *self)
{
  GCancellable *cancellable = sp_source_get_cancellable (SP_SOURCE (self));

  return cancellable == NULL || g_cancellable_is_cancelled (cancellable);
}

/* Connecting */

typedef struct
{
  SoupMessage *msg;     /* the ticket's */
} ConnectData;

static void
connect_data_free (ConnectData *data)
{
  g_clear_object (&data->msg);
  g_free (data);
}

/* The status is a complement: without it the view still shows what the events say. */
static void
connect_refresh_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  SpPbxisSource *self = SP_PBXIS_SOURCE (object);
  g_autoptr(GError) error = NULL;

  if (!sp_pbxis_source_refresh_queues_finish (self, result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("[%s] No queue status: %s", sp_source_get_account_id (SP_SOURCE (self)),
             error->message);
}

static void
stream_open_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpPbxisSource *self = g_task_get_source_object (task);
  SpPbxisStream *stream = SP_PBXIS_STREAM (object);
  g_autoptr(GError) error = NULL;
  gboolean opened;

  opened = sp_pbxis_stream_open_finish (stream, result, &error);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (!opened)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_boolean (task, TRUE);

  /* The base class has made the connection live; now read, on its cancellable, and fill
   * the status view with what the events do not say. */
  if (!attempt_is_over (self) && stream == self->stream)
    {
      sp_pbxis_stream_start (stream);
      sp_pbxis_source_refresh_queues_async (self, sp_source_get_cancellable (SP_SOURCE (self)),
                                            connect_refresh_cb, NULL);
    }
}

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
  g_autofree char *ticket = NULL;
  const char *body;
  gsize length;

  bytes = sp_http_read_bytes_finish (SOUP_SESSION (object), result, &error);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (bytes == NULL || soup_message_get_status (msg) != SOUP_STATUS_OK)
    {
      GError *task_error = NULL;

      sp_pbxis_request_set_error (&task_error, msg, _("a pbxis-ws ticket service"), NULL, error);
      g_task_return_error (task, task_error);
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

  g_debug ("[%s] Got a ticket", sp_source_get_account_id (SP_SOURCE (self)));

  /* The new ticket's snapshot says which calls are going on now. */
  sp_pbxis_board_forget_calls (self->board);
  sp_pbxis_source_board_refreshed (self);

  /* Errors from here on are the stream's. */
  if (self->stream != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->stream, self);
      sp_pbxis_stream_close (self->stream);
      g_clear_object (&self->stream);
    }
  self->stream = sp_pbxis_stream_new (self->session, self->transport, self->base_url, ticket,
                                      self->poll_timeout,
                                      sp_source_get_account_id (SP_SOURCE (self)));
  g_signal_connect_object (self->stream, "event", G_CALLBACK (stream_event_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->stream, "lost", G_CALLBACK (stream_lost_cb), self,
                           G_CONNECT_SWAPPED);
  sp_pbxis_stream_open_async (self->stream, cancellable, stream_open_cb, g_steal_pointer (&task));
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

  sp_http_session_pin_account (self->session, account);

  /* A fresh ticket for every attempt: an old one may be dead, and a dead one makes a
   * WebSocket that is accepted and silent for ever. */
  url = g_strdup_printf ("%s/ticket", self->base_url);
  configure_board (self);
  body = sp_pbxis_build_ticket_request ((const char * const *) agents,
                                        (const char * const *) queues, option_is_true (summary));
  msg = sp_pbxis_request_new_post (url, body);
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

  /* Reads and polls in flight were cancelled with the attempt's cancellable. */
  if (self->stream != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->stream, self);
      sp_pbxis_stream_close (self->stream);
      g_clear_object (&self->stream);
    }
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
  SpPbxisDeadline *deadline;
  char            *failure;  /* "Could not pause agent 147 in queue q1", for the error message */
  guint            dial_id;  /* a dial's, in the calls */
  gboolean         sent;     /* a dial's request was answered */
  gboolean         settled;  /* a dial ended before its request was answered */
  GError          *dial_error;
} ActionData;

static void
action_data_free (ActionData *data)
{
  g_clear_pointer (&data->deadline, sp_pbxis_deadline_free);
  g_clear_error (&data->dial_error);
  g_free (data->failure);
  g_free (data);
}

/* Takes @error (%NULL: the call is placed) and completes the dial's perform. */
static void
complete_dial (SpPbxisSource *self,
               GTask         *task,
               GError        *error)
{
  ActionData *data = g_task_get_task_data (task);

  g_hash_table_steal (self->dial_tasks, GUINT_TO_POINTER (data->dial_id));

  if (error != NULL)
    {
      g_message ("[%s] %s: %s", sp_source_get_account_id (SP_SOURCE (self)), data->failure,
                 error->message);
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED, "%s: %s",
                               data->failure, error->message);
      g_error_free (error);
    }
  else
    {
      g_task_return_boolean (task, TRUE);
    }

  g_object_unref (task);
}

/* The dials that ended (picked up, or not placed) complete their performs; one whose
 * request is still on its way completes when the answer comes. */
static void
settle_dials (SpPbxisSource *self)
{
  g_autoptr(GPtrArray) results = sp_pbxis_dials_take_results (sp_pbxis_calls_get_dials (self->calls));

  for (guint i = 0; i < results->len; i++)
    {
      SpPbxisDialResult *result = g_ptr_array_index (results, i);
      GTask *task = g_hash_table_lookup (self->dial_tasks, GUINT_TO_POINTER (result->id));
      ActionData *data;

      if (task == NULL)
        continue;

      data = g_task_get_task_data (task);
      if (data->sent)
        {
          complete_dial (self, task, g_steal_pointer (&result->error));
        }
      else
        {
          data->settled = TRUE;
          data->dial_error = g_steal_pointer (&result->error);
        }
    }
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

  /* A dial's request is over: from here the dial waits for nobody or for its outcome. */
  if (data->dial_id != 0 &&
      (bytes == NULL || (g_task_get_cancellable (task) != NULL &&
                         g_cancellable_is_cancelled (g_task_get_cancellable (task)))))
    {
      g_hash_table_steal (self->dial_tasks, GUINT_TO_POINTER (data->dial_id));
      sp_pbxis_dials_cancel (sp_pbxis_calls_get_dials (self->calls), data->dial_id);
      schedule_deadline (self);
      g_object_unref (task);
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  if (bytes == NULL)
    {
      GError *task_error = NULL;

      sp_pbxis_deadline_set_error (&task_error, data->deadline, ACTION_TIMEOUT_SECONDS,
                                   _("a pbxis-ws action"), error);
      g_prefix_error (&task_error, "%s: ", data->failure);
      g_task_return_error (task, task_error);
      return;
    }

  body = g_bytes_get_data (bytes, &length);
  if (!sp_pbxis_check_action_response (soup_message_get_status (data->deadline->msg), body, length,
                                       &answer, &error))
    {
      if (data->dial_id != 0)
        {
          g_hash_table_steal (self->dial_tasks, GUINT_TO_POINTER (data->dial_id));
          sp_pbxis_dials_cancel (sp_pbxis_calls_get_dials (self->calls), data->dial_id);
          schedule_deadline (self);
          g_object_unref (task);
        }

      /* Asterisk's own words ("Interface not found") tell the person what is wrong. */
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                               "%s: %s", data->failure, error->message);
      return;
    }

  g_debug ("[%s] %s: %s", sp_source_get_account_id (SP_SOURCE (self)),
           g_uri_get_path (soup_message_get_uri (data->deadline->msg)), answer ? answer : "OK");

  if (data->dial_id != 0)
    {
      /* pbxis-ws answers the action id also when Asterisk refused the call: the dial is
       * placed when the agent's phone rings and is picked up, which the events tell. */
      data->sent = TRUE;
      sp_pbxis_dials_sent (sp_pbxis_calls_get_dials (self->calls), data->dial_id, answer);
      if (data->settled)
        complete_dial (self, task, g_steal_pointer (&data->dial_error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

/**
 * sp_pbxis_source_post_action:
 * @task: (transfer full): answered in action_cb()
 * @failure: (transfer full): what failed, for the error message ("Could not pause …")
 * @configured: the account's server address as typed, for the error message
 *
 * POSTs @body to @url as an action: the deadline, Asterisk's refusals and the error's
 * words are action_cb()'s. For sp-pbxis-source-queues.c.
 */
void
sp_pbxis_source_post_action (SpPbxisSource *self,
                             GTask         *task,
                             const char    *url,
                             const char    *body,
                             char          *failure,
                             const char    *configured)
{
  ActionData *data = g_task_get_task_data (task);
  g_autoptr(SoupMessage) msg = sp_pbxis_request_new_post (url, body);

  if (data == NULL)
    {
      data = g_new0 (ActionData, 1);
      g_task_set_task_data (task, data, (GDestroyNotify) action_data_free);
    }
  g_free (data->failure);
  data->failure = failure;

  if (msg == NULL)
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                               _("“%s” is not a server address"), configured);
      g_object_unref (task);
      return;
    }

  data->deadline = sp_pbxis_deadline_new (msg, g_task_get_cancellable (task),
                                          ACTION_TIMEOUT_SECONDS);

  g_debug ("[%s] POST %s", sp_source_get_account_id (SP_SOURCE (self)), url);
  sp_http_read_bytes_async (self->session, msg, SP_HTTP_MAX_ANSWER, data->deadline->cancellable,
                            action_cb, task);
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
  g_autofree char *caller_id = sp_account_dup_option (account, SP_PBXIS_OPTION_CALLER_ID);
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

      /* Everything but the unreserved characters is escaped: pbxis-ws's router URL-decodes
       * each path segment with java.net.URLDecoder (moustache.clj, `segments`), which reads
       * a raw "+" as a space, so "+385…" would dial " 385…"; "%2B" arrives as "+". */
      escaped_agent = g_uri_escape_string (agent, NULL, FALSE);
      escaped_number = g_uri_escape_string (number, NULL, FALSE);
      url = g_strdup_printf ("%s/originate/%s/%s", base_url, escaped_agent, escaped_number);
      /* pbxis-ws passes `callerId` on to Asterisk's Originate (pbxis_ws.clj line 217). */
      body = sp_pbxis_build_originate (caller_id);
      data->failure = g_strdup_printf (_("Could not call %s from %s"), number, agent);
      /* Before the request: the agent's phone may ring before the answer comes. */
      data->dial_id = sp_pbxis_dials_begin (sp_pbxis_calls_get_dials (self->calls), agent,
                                            number, g_get_monotonic_time ());
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
      /* A queue action: the status view's, here for the first extension. */
      if (text == NULL || *text == '\0')
        {
          g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                                   _("“%s” needs the name of a queue"),
                                   sp_source_action_to_string (action));
          return;
        }

      sp_pbxis_source_prepare_queue_action (self, action, agent, text, base_url, &url, &body,
                                            &data->failure);
    }

  msg = sp_pbxis_request_new_post (url, body);
  if (msg == NULL)
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                               _("“%s” is not a server address"), configured);
      return;
    }

  data->deadline = sp_pbxis_deadline_new (msg, cancellable, ACTION_TIMEOUT_SECONDS);
  if (data->dial_id != 0)
    {
      /* Until the dial ends, it is completed from the events or its deadline. */
      g_hash_table_insert (self->dial_tasks, GUINT_TO_POINTER (data->dial_id),
                           g_object_ref (task));
      schedule_deadline (self);
    }

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
      sp_pbxis_calls_reset (self->calls);
      g_clear_handle_id (&self->deadline_id, g_source_remove);
      settle_dials (self);
    }
}

static void
sp_pbxis_source_constructed (GObject *object)
{
  SpPbxisSource *self = (SpPbxisSource *)object;

  G_OBJECT_CLASS (sp_pbxis_source_parent_class)->constructed (object);

  self->calls = sp_pbxis_calls_new (sp_source_get_account_id (SP_SOURCE (self)));
  configure_board (self);
}

static void
sp_pbxis_source_dispose (GObject *object)
{
  SpPbxisSource *self = (SpPbxisSource *)object;

  sp_pbxis_source_disconnect (SP_SOURCE (self));
  g_clear_handle_id (&self->deadline_id, g_source_remove);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (sp_pbxis_source_parent_class)->dispose (object);
}

static void
sp_pbxis_source_finalize (GObject *object)
{
  SpPbxisSource *self = (SpPbxisSource *)object;

  /* Each dial's task holds the source, so none is left here. */
  g_clear_pointer (&self->dial_tasks, g_hash_table_unref);
  g_clear_pointer (&self->calls, sp_pbxis_calls_free);
  g_clear_pointer (&self->board, sp_pbxis_board_free);
  g_free (self->base_url);

  G_OBJECT_CLASS (sp_pbxis_source_parent_class)->finalize (object);
}

static void
sp_pbxis_source_class_init (SpPbxisSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  SpSourceClass *source_class = SP_SOURCE_CLASS (klass);

  object_class->constructed = sp_pbxis_source_constructed;
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
   * @queue: the queue whose existence, waiting callers, figures, members or an agent's
   *   membership changed
   */
  /**
   * SpPbxisSource::agent-changed:
   * @self: the source
   * @agent: the agent whose name, phone, party or memberships changed
   */
  signals[AGENT_CHANGED] =
    g_signal_new ("agent-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

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
  self->dial_tasks = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  self->board = sp_pbxis_board_new ();
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

static SpPbxisAgent *
first_agent (SpPbxisSource *self)
{
  GPtrArray *agents = sp_pbxis_board_get_agents (self->board);

  return agents->len > 0 ? g_ptr_array_index (agents, 0) : NULL;
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
  SpPbxisAgent *agent;

  g_return_val_if_fail (SP_IS_PBXIS_SOURCE (self), SP_PBXIS_MEMBER_UNKNOWN);

  agent = first_agent (self);
  return agent ? sp_pbxis_agent_get_membership (agent, queue) : SP_PBXIS_MEMBER_UNKNOWN;
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
  SpPbxisQueue *found;

  g_return_val_if_fail (SP_IS_PBXIS_SOURCE (self), -1);

  found = sp_pbxis_board_lookup_queue (self->board, queue);
  return found ? found->count : -1;
}

/**
 * sp_pbxis_source_get_agent_name:
 *
 * Returns: (nullable): the first extension's member name, as pbxis-ws said
 */
const char *
sp_pbxis_source_get_agent_name (SpPbxisSource *self)
{
  SpPbxisAgent *agent;

  g_return_val_if_fail (SP_IS_PBXIS_SOURCE (self), NULL);

  agent = first_agent (self);
  return agent ? sp_pbxis_agent_get_name (agent) : NULL;
}

/**
 * sp_pbxis_source_get_board:
 *
 * Returns: (transfer none): the agents and queues of the status view, as pbxis-ws last
 *   described them; #SpPbxisSource::agent-changed and ::queue-changed say when
 */
SpPbxisBoard *
sp_pbxis_source_get_board (SpPbxisSource *self)
{
  g_return_val_if_fail (SP_IS_PBXIS_SOURCE (self), NULL);

  return self->board;
}
