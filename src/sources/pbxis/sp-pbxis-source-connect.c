/* sp-pbxis-source-connect.c
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
#include "sp-pbxis-request.h"
#include "sp-pbxis-source.h"
#include "sp-pbxis-source-private.h"
#include "sp-pbxis-stream.h"

/*
 * The connection of SpPbxisSource (sp-pbxis-source.c): every attempt asks for a fresh
 * ticket and opens its stream; each event of the stream goes to the status view's board
 * and to the calls, whose ends and dials wait for their deadlines here.
 */

static gboolean
option_is_true (const char *value)
{
  return value != NULL && (g_ascii_strcasecmp (value, "true") == 0 ||
                           g_ascii_strcasecmp (value, "yes") == 0 ||
                           g_strcmp0 (value, "1") == 0);
}

/* Events */

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
  sp_pbxis_source_schedule_deadline (self);
  emit_all (self, events);
  sp_pbxis_source_settle_dials (self);

  return G_SOURCE_REMOVE;
}

/* The calls' ends that wait for agentComplete, and the dials that wait for the phone, are
 * given up at their deadline. */
void
sp_pbxis_source_schedule_deadline (SpPbxisSource *self)
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
  sp_pbxis_source_schedule_deadline (self);
  emit_all (self, events);
  sp_pbxis_source_settle_dials (self);
}

/* A well-formed event of the ticket; `closed` is the stream's, as a loss. */
static void
stream_event_cb (SpPbxisSource      *self,
                 const SpPbxisEvent *event,
                 SpPbxisStream      *stream)
{
  sp_pbxis_source_feed_board (self, event);

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

void
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
  g_auto(GStrv) queues = sp_pbxis_source_dup_queues (self);
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
  sp_pbxis_source_configure_board (self);
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

gboolean
sp_pbxis_source_connect_finish (SpSource      *source,
                                GAsyncResult  *result,
                                GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
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
