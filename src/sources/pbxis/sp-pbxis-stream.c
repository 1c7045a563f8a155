/* sp-pbxis-stream.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-pbxis"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-pbxis.h"
#include "sp-pbxis-request.h"
#include "sp-pbxis-stream.h"
#include "sp-source.h"
#include "sp-frame-queue.h"
#include "sp-sse.h"

/*
 * One ticket's events, read over one of pbxis-ws's three transports (see
 * protocols/pbxis_ws.md): a WebSocket (one JSON text frame per event), Server-Sent Events,
 * or long-polls (JSON arrays). The pbxis source asks for the ticket, opens a stream on it,
 * starts it once the connection is live, and closes it when the attempt is over; the
 * stream tells it every well-formed event (#SpPbxisStream::event) and, once, that the
 * connection is lost (#SpPbxisStream::lost). Malformed events are skipped with a message.
 *
 * Everything runs on the attempt's cancellable, given to sp_pbxis_stream_open_async(): the
 * base class cancels it before it disconnects, so a read that comes back after that has
 * nothing more to say. The transports' quirks:
 *
 *  - There are no heartbeats: silence is normal for hours, so there is no liveness timeout
 *    (TCP keepalive and the network monitor notice dead links). The one exception is a
 *    long-poll, which the server answers within its poll timeout.
 *  - `closed` means the server is shutting down: come back, but slowly. On SSE it also
 *    answers an unknown ticket, which is only a reason to get a new one.
 *  - A long-poll's ticket dies 15 s after the previous poll was answered: poll again at
 *    once.
 */

/* pbxis-ws answers a long-poll within :poll-timeout-seconds (30 by default), plus 100 ms
 * of gathering; this much more and it is not coming. */
#define POLL_GRACE_SECONDS 15
#define MAX_INCOMING_PAYLOAD (4 * 1024 * 1024)
#define SSE_READ_SIZE 8192

struct _SpPbxisStream
{
  GObject                  parent_instance;

  SoupSession             *session;
  SpPbxisTransport         transport;
  char                    *base_url;
  char                    *ticket;
  guint                    poll_timeout;
  char                    *log_name;

  GCancellable            *attempt;      /* the connection attempt's, from open */
  gboolean                 closed;
  gboolean                 got_event;

  SoupWebsocketConnection *websocket;
  GInputStream            *sse_stream;
  SpSseParser             *sse;
  SpFrameQueue            *events;       /* a flood is handled in slices */
};

enum {
  EVENT,
  LOST,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

G_DEFINE_FINAL_TYPE (SpPbxisStream, sp_pbxis_stream, G_TYPE_OBJECT)

static void start_poll (SpPbxisStream *self);

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

/* Events */

/* Whether the stream has nothing more to say: closed, or its attempt is over. */
static gboolean
is_over (SpPbxisStream *self)
{
  return self->closed || self->attempt == NULL || g_cancellable_is_cancelled (self->attempt);
}

static void
lose (SpPbxisStream *self,
      const GError  *error)
{
  /* What came before the loss counts: handle it before the stream is given up. */
  sp_frame_queue_flush (self->events);
  g_signal_emit (self, signals[LOST], 0, error);
}

static void
handle_event (gpointer owner,
              gpointer frame)
{
  SpPbxisStream *self = owner;
  const SpPbxisEvent *event = frame;
  gboolean first = !self->got_event;

  if (self->closed)
    return;

  self->got_event = TRUE;

  g_debug ("[%s] %s event%s%s", self->log_name, event->type_name,
           event->agent ? " for " : "", event->agent ? event->agent : "");

  if (event->type == SP_PBXIS_EVENT_CLOSED)
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
      lose (self, error);
      return;
    }

  g_signal_emit (self, signals[EVENT], 0, event);
}

static void
handle_malformed (SpPbxisStream *self,
                  const GError  *error)
{
  g_message ("[%s] Skipped a malformed event: %s", self->log_name, error->message);
}

/* Opening */

typedef struct
{
  SoupMessage *msg;
  char        *url;
} OpenData;

static void
open_data_free (OpenData *data)
{
  g_clear_object (&data->msg);
  g_free (data->url);
  g_free (data);
}

/* Fails the opening with what went wrong with @msg (@cause, or its status). */
static void
return_request_error (GTask        *task,
                      SoupMessage  *msg,
                      const char   *what,
                      const GError *cause)
{
  GError *error = NULL;

  sp_pbxis_request_set_error (&error, msg, what, sp_pbxis_ticket_statuses, cause);
  g_task_return_error (task, error);
}

/* WebSocket */

static void
websocket_message_cb (SpPbxisStream           *self,
                      SoupWebsocketDataType    type,
                      GBytes                  *message,
                      SoupWebsocketConnection *connection)
{
  /* Handling an event may close the stream and drop the source's reference. */
  g_autoptr(SpPbxisStream) hold = g_object_ref (self);
  g_autoptr(SpPbxisEvent) event = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *data = g_bytes_get_data (message, &length);

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      g_message ("[%s] Skipped a binary frame of %" G_GSIZE_FORMAT " bytes", self->log_name,
                 length);
      return;
    }

  event = sp_pbxis_event_parse (data, length, &error);
  if (event == NULL)
    handle_malformed (self, error);
  else
    sp_frame_queue_push (self->events, g_steal_pointer (&event));
}

static void
websocket_closed_cb (SpPbxisStream           *self,
                     SoupWebsocketConnection *connection)
{
  g_autoptr(SpPbxisStream) hold = g_object_ref (self);
  g_autoptr(GError) error = NULL;

  error = g_error_new (SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                       _("pbxis-ws closed the WebSocket"));
  lose (self, error);
}

static void
websocket_error_cb (SpPbxisStream           *self,
                    GError                  *error,
                    SoupWebsocketConnection *connection)
{
  g_debug ("[%s] WebSocket error: %s", self->log_name, error->message);
}

static void
websocket_connect_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpPbxisStream *self = g_task_get_source_object (task);
  OpenData *data = g_task_get_task_data (task);
  g_autoptr(SoupWebsocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  connection = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (connection == NULL)
    {
      return_request_error (task, data->msg, _("a pbxis-ws WebSocket"), error);
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

  g_debug ("[%s] Reading %s", self->log_name, data->url);
  g_task_return_boolean (task, TRUE);
}

/* SSE */

static void sse_read (SpPbxisStream *self);

static void
sse_read_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(SpPbxisStream) self = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) lost = NULL;
  SpSseEvent *sse_event;
  gsize length;
  const char *data;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);

  /* A closed or stopped stream has nothing more to say. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || is_over (self))
    return;

  if (bytes == NULL)
    {
      lost = g_error_new (SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                          _("Lost the event stream of pbxis-ws: %s"), error->message);
      lose (self, lost);
      return;
    }

  data = g_bytes_get_data (bytes, &length);
  if (length == 0)
    {
      lost = g_error_new (SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                          _("pbxis-ws ended the event stream"));
      lose (self, lost);
      return;
    }

  if (!sp_sse_parser_feed (self->sse, data, length, &error))
    {
      lost = g_error_new (SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                          _("The event stream of pbxis-ws went wrong: %s"), error->message);
    }

  /* Events complete before a problem are good; handling one may end the connection. */
  while (!is_over (self) && (sse_event = sp_sse_parser_pop (self->sse)) != NULL)
    {
      g_autoptr(SpPbxisEvent) event = NULL;
      g_autoptr(GError) event_error = NULL;

      event = sp_pbxis_event_parse_sse (sse_event->type, sse_event->data, sse_event->data_len,
                                        &event_error);
      if (event == NULL)
        handle_malformed (self, event_error);
      else
        sp_frame_queue_push (self->events, g_steal_pointer (&event));

      sp_sse_event_free (sse_event);
    }

  if (is_over (self))
    return;

  if (lost != NULL)
    {
      lose (self, lost);
      return;
    }

  sse_read (self);
}

static void
sse_read (SpPbxisStream *self)
{
  g_input_stream_read_bytes_async (self->sse_stream, SSE_READ_SIZE, G_PRIORITY_DEFAULT,
                                   self->attempt, sse_read_cb, g_object_ref (self));
}

static void
sse_send_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpPbxisStream *self = g_task_get_source_object (task);
  OpenData *data = g_task_get_task_data (task);
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
      return_request_error (task, msg, _("a pbxis-ws event stream"), error);
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

  g_debug ("[%s] Reading %s", self->log_name, data->url);
  g_task_return_boolean (task, TRUE);
}

/* Long-poll */

typedef struct
{
  SpPbxisStream   *self;
  SpPbxisDeadline *deadline;
} Poll;

static void
poll_free (Poll *poll)
{
  g_clear_pointer (&poll->deadline, sp_pbxis_deadline_free);
  g_clear_object (&poll->self);
  g_free (poll);
}

static void
poll_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Poll *poll = user_data;
  SpPbxisStream *self = poll->self;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) lost = NULL;
  g_autoptr(GPtrArray) nodes = NULL;
  gsize length;
  const char *data;

  bytes = sp_http_read_bytes_finish (SOUP_SESSION (object), result, &error);

  /* A poll of a closed or stopped stream has nothing more to say. */
  if (is_over (self) ||
      (error != NULL && !poll->deadline->timed_out &&
       g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)))
    {
      poll_free (poll);
      return;
    }

  if (bytes == NULL || !SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (poll->deadline->msg)))
    {
      sp_pbxis_deadline_set_error (&lost, poll->deadline, self->poll_timeout + POLL_GRACE_SECONDS,
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

  for (guint i = 0; i < nodes->len && !is_over (self); i++)
    {
      g_autoptr(SpPbxisEvent) event = NULL;
      g_autoptr(GError) event_error = NULL;

      event = sp_pbxis_event_from_node (g_ptr_array_index (nodes, i), NULL, &event_error);
      if (event == NULL)
        handle_malformed (self, event_error);
      else
        sp_frame_queue_push (self->events, g_steal_pointer (&event));
    }

  /* The ticket's expiry clock runs from this answer: poll again at once. */
  if (!is_over (self))
    start_poll (self);

  poll_free (poll);
  return;

lost:
  lose (self, lost);
  poll_free (poll);
}

static void
start_poll (SpPbxisStream *self)
{
  g_autofree char *url = g_strdup_printf ("%s/%s/long-poll", self->base_url, self->ticket);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);
  Poll *poll = g_new0 (Poll, 1);

  poll->self = g_object_ref (self);
  poll->deadline = sp_pbxis_deadline_new (msg, self->attempt,
                                          self->poll_timeout + POLL_GRACE_SECONDS);

  /* A poll gathers what happened since the last one: up to what the parser reads. */
  sp_http_read_bytes_async (self->session, msg, SP_PBXIS_MAX_INPUT, poll->deadline->cancellable,
                            poll_cb, poll);
}

/* Stream */

/**
 * sp_pbxis_stream_new:
 * @session: the source's session
 * @base_url: the server's http(s) base URL, without a trailing slash
 * @ticket: a fresh ticket
 * @poll_timeout: the server's :poll-timeout-seconds, for long-polls
 * @log_name: what the stream's log messages begin with: the account's id
 *
 * Returns: (transfer full): a stream of @ticket's events, not open yet
 */
SpPbxisStream *
sp_pbxis_stream_new (SoupSession      *session,
                     SpPbxisTransport  transport,
                     const char       *base_url,
                     const char       *ticket,
                     guint             poll_timeout,
                     const char       *log_name)
{
  SpPbxisStream *self;

  g_return_val_if_fail (SOUP_IS_SESSION (session), NULL);
  g_return_val_if_fail (base_url != NULL, NULL);
  g_return_val_if_fail (ticket != NULL, NULL);

  self = g_object_new (SP_TYPE_PBXIS_STREAM, NULL);
  self->session = g_object_ref (session);
  self->transport = transport;
  self->base_url = g_strdup (base_url);
  self->ticket = g_strdup (ticket);
  self->poll_timeout = poll_timeout;
  self->log_name = g_strdup (log_name);

  return self;
}

/**
 * sp_pbxis_stream_open_async:
 * @cancellable: the connection attempt's: everything the stream does runs on it
 *
 * Opens the WebSocket, or the SSE response; a long-poll has nothing to open (the ticket is
 * the connection, and the polls read it). Call once.
 */
void
sp_pbxis_stream_open_async (SpPbxisStream       *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  OpenData *data;

  g_return_if_fail (SP_IS_PBXIS_STREAM (self));
  g_return_if_fail (self->attempt == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_pbxis_stream_open_async);
  self->attempt = cancellable ? g_object_ref (cancellable) : g_cancellable_new ();

  if (self->transport == SP_PBXIS_TRANSPORT_LONG_POLL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  data = g_new0 (OpenData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) open_data_free);

  if (self->transport == SP_PBXIS_TRANSPORT_SSE)
    {
      data->url = g_strdup_printf ("%s/%s/sse", self->base_url, self->ticket);
      data->msg = soup_message_new (SOUP_METHOD_GET, data->url);
      soup_message_headers_replace (soup_message_get_request_headers (data->msg), "Accept",
                                    "text/event-stream");
      /* A connection of its own (a reused one would not be paced), read at the pace of the
       * events' queue: a flood of events waits in the kernel, not in memory. */
      soup_message_add_flags (data->msg, SOUP_MESSAGE_NEW_CONNECTION);
      sp_frame_queue_pace (self->events, self->session, data->msg);
      soup_session_send_async (self->session, data->msg, G_PRIORITY_DEFAULT,
                               cancellable, sse_send_cb, g_steal_pointer (&task));
    }
  else
    {
      data->url = g_strdup_printf ("%s/%s/websocket", self->base_url, self->ticket);
      data->msg = soup_message_new (SOUP_METHOD_GET, data->url);
      sp_frame_queue_pace (self->events, self->session, data->msg);
      soup_session_websocket_connect_async (self->session, data->msg, NULL, NULL,
                                            G_PRIORITY_DEFAULT, cancellable,
                                            websocket_connect_cb, g_steal_pointer (&task));
    }
}

/**
 * sp_pbxis_stream_open_finish:
 *
 * Returns: %TRUE if the stream is open; start it once the connection is live
 */
gboolean
sp_pbxis_stream_open_finish (SpPbxisStream  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * sp_pbxis_stream_start:
 *
 * Begins reading an open stream: once the connection is live, so that the events come to
 * a connected source. The WebSocket reads by itself.
 */
void
sp_pbxis_stream_start (SpPbxisStream *self)
{
  g_return_if_fail (SP_IS_PBXIS_STREAM (self));

  if (is_over (self))
    return;

  switch (self->transport)
    {
    case SP_PBXIS_TRANSPORT_LONG_POLL:
      start_poll (self);
      break;

    case SP_PBXIS_TRANSPORT_SSE:
      if (self->sse_stream != NULL)
        sse_read (self);
      break;

    case SP_PBXIS_TRANSPORT_WEBSOCKET:
    default:
      break;
    }
}

/**
 * sp_pbxis_stream_close:
 *
 * Ends the stream: no signal after this. Reads and polls in flight end with the attempt's
 * cancellable, which the base class has cancelled.
 */
void
sp_pbxis_stream_close (SpPbxisStream *self)
{
  g_return_if_fail (SP_IS_PBXIS_STREAM (self));

  self->closed = TRUE;

  if (self->websocket != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->websocket, self);
      if (soup_websocket_connection_get_state (self->websocket) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->websocket, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&self->websocket);
    }

  g_clear_object (&self->sse_stream);
  g_clear_pointer (&self->sse, sp_sse_parser_free);
  if (self->events != NULL)
    sp_frame_queue_clear (self->events);
}

static void
sp_pbxis_stream_dispose (GObject *object)
{
  SpPbxisStream *self = (SpPbxisStream *)object;

  sp_pbxis_stream_close (self);
  g_clear_pointer (&self->events, sp_frame_queue_free);
  g_clear_object (&self->attempt);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (sp_pbxis_stream_parent_class)->dispose (object);
}

static void
sp_pbxis_stream_finalize (GObject *object)
{
  SpPbxisStream *self = (SpPbxisStream *)object;

  g_free (self->base_url);
  g_free (self->ticket);
  g_free (self->log_name);

  G_OBJECT_CLASS (sp_pbxis_stream_parent_class)->finalize (object);
}

static void
sp_pbxis_stream_class_init (SpPbxisStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_pbxis_stream_dispose;
  object_class->finalize = sp_pbxis_stream_finalize;

  /**
   * SpPbxisStream::event:
   * @self: the stream
   * @event: (type gpointer): the #SpPbxisEvent, for the time of the emission; never `closed`
   */
  signals[EVENT] =
    g_signal_new ("event",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);

  /**
   * SpPbxisStream::lost:
   * @self: the stream
   * @error: why, in words a person can act on: the server closed, shut down, or did not
   *   answer a poll in time
   */
  signals[LOST] =
    g_signal_new ("lost",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
sp_pbxis_stream_init (SpPbxisStream *self)
{
  self->events = sp_frame_queue_new (self, handle_event, (GDestroyNotify) sp_pbxis_event_free);
}
