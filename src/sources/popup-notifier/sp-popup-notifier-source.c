/* sp-popup-notifier-source.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-popup-notifier"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "sp-account.h"
#include "sp-frame-queue.h"
#include "sp-http.h"
#include "sp-popup-notifier.h"
#include "sp-popup-notifier-calls.h"
#include "sp-popup-notifier-source.h"

/*
 * popup-notifier (see protocols/popup_notifier.md): a WebSocket at /crmws that broadcasts
 * {"type":"CALL_IN","data":{"phone","exten"}} to everybody. The daemon never reads from
 * its sockets, so no ping of ours would ever be answered: there is no liveness timeout,
 * silence is normal, TCP keepalive and the close of the socket tell us when it is gone.
 * There is no call id and no end of call: each ring gets a local id, and expires after
 * the account's ring timeout or when a newer ring from the same number to the same
 * extension replaces it.
 * What a CALL_IN means for the account is sp-popup-notifier-calls.c, pure; this file is
 * the connection, which feeds it and emits what it returns.
 */

/* How long a connection attempt may take before it counts as failed. */
#define CONNECT_TIMEOUT_SECONDS 15
/* Big enough that an oversized frame is read and skipped rather than killing the link. */
#define MAX_INCOMING_PAYLOAD (16 * 1024 * 1024)

struct _SpPopupNotifierSource
{
  SpSource                 parent_instance;

  SoupSession             *session;
  SoupWebsocketConnection *connection;
  SpPopupNotifierCalls    *calls;     /* what a CALL_IN means: the rings, their ids */
  SpFrameQueue            *frames;    /* a flood is handled in slices */
};

G_DEFINE_FINAL_TYPE (SpPopupNotifierSource, sp_popup_notifier_source, SP_TYPE_SOURCE)

/**
 * sp_popup_notifier_source_normalize_url:
 * @url: what the user typed: ws://host:port/crmws, wss://…, or without the path
 * @error: return location for an %SP_SOURCE_ERROR_CONFIG error a person can fix
 *
 * The kind's reading of its server address: sp_http_normalize_url() with ws(s) and the
 * query, and /crmws when no path is given.
 *
 * Returns: (transfer full) (nullable): the http(s) URL libsoup upgrades
 */
char *
sp_popup_notifier_source_normalize_url (const char  *url,
                                        GError     **error)
{
  g_autofree char *normalized = NULL;
  g_autoptr(GUri) uri = NULL;

  normalized = sp_http_normalize_url (url, SP_HTTP_URL_WEBSOCKET | SP_HTTP_URL_KEEP_QUERY,
                                      "ws://HOST:8990/crmws", error);
  if (normalized == NULL)
    return NULL;

  uri = g_uri_parse (normalized, G_URI_FLAGS_ENCODED, NULL);
  g_assert (uri != NULL);
  if (*g_uri_get_path (uri) != '\0')
    return g_steal_pointer (&normalized);

  return g_uri_join (G_URI_FLAGS_ENCODED, g_uri_get_scheme (uri), NULL, g_uri_get_host (uri),
                     g_uri_get_port (uri), "/crmws", g_uri_get_query (uri), NULL);
}

static void
emit_ring (SpPopupNotifierSource *self,
           SpPopupCallIn         *call_in)
{
  g_autoptr(GPtrArray) events = NULL;

  events = sp_popup_notifier_calls_call_in (self->calls, call_in, g_get_real_time ());
  for (guint i = 0; i < events->len; i++)
    sp_source_emit_call_event (SP_SOURCE (self), g_ptr_array_index (events, i));
}

static void
handle_frame (gpointer owner,
              gpointer frame_data)
{
  SpPopupNotifierSource *self = owner;
  SpFrame *frame = frame_data;
  SpPopupCallIn call_in = { 0 };
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *data = g_bytes_get_data (frame->bytes, &length);

  if (frame->type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      g_message ("[%s] Skipped a binary frame of %" G_GSIZE_FORMAT " bytes",
                 sp_source_get_account_id (SP_SOURCE (self)), length);
      return;
    }

  if (!sp_popup_notifier_parse (data, length, &call_in, &error))
    {
      if (g_error_matches (error, SP_POPUP_NOTIFIER_ERROR, SP_POPUP_NOTIFIER_ERROR_UNKNOWN_TYPE))
        g_debug ("[%s] Ignored a message: %s", sp_source_get_account_id (SP_SOURCE (self)),
                 error->message);
      else
        g_message ("[%s] Skipped a malformed frame: %s",
                   sp_source_get_account_id (SP_SOURCE (self)), error->message);
      return;
    }

  emit_ring (self, &call_in);
  sp_popup_call_in_clear (&call_in);
}

static void
message_cb (SpPopupNotifierSource   *self,
            SoupWebsocketDataType    type,
            GBytes                  *message,
            SoupWebsocketConnection *connection)
{
  sp_source_touch (SP_SOURCE (self));
  sp_frame_queue_push (self->frames, sp_frame_new (type, message));
}

static void
closed_cb (SpPopupNotifierSource   *self,
           SoupWebsocketConnection *connection)
{
  g_autoptr(GError) error = NULL;

  /* What came before the close counts: handle it before the connection is given up. */
  sp_frame_queue_flush (self->frames);
  error = g_error_new (SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                       _("The popup-notifier server closed the connection"));
  sp_source_connection_lost (SP_SOURCE (self), error);
}

static void
error_cb (SpPopupNotifierSource   *self,
          GError                  *error,
          SoupWebsocketConnection *connection)
{
  g_debug ("[%s] WebSocket error: %s", sp_source_get_account_id (SP_SOURCE (self)),
           error->message);
}

/* What the daemon means by the statuses that are not self-explanatory. */
static const SpHttpStatus popup_statuses[] = {
  { SOUP_STATUS_FORBIDDEN, SP_SOURCE_ERROR_REFUSED,
    N_("The server’s address list does not allow this computer"), NULL },
  { 0, }
};

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpPopupNotifierSource *self = g_task_get_source_object (task);
  SoupMessage *msg = g_task_get_task_data (task);
  g_autoptr(SoupWebsocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  connection = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (connection == NULL)
    {
      GError *failure = NULL;

      sp_http_check_answer (msg, error, _("a popup-notifier WebSocket"), popup_statuses, &failure);
      g_task_return_error (task, failure);
      return;
    }

  url = sp_http_dup_display_url (msg);

  g_debug ("[%s] Connected to %s", sp_source_get_account_id (SP_SOURCE (self)), url);

  self->connection = g_steal_pointer (&connection);
  soup_websocket_connection_set_max_incoming_payload_size (self->connection, MAX_INCOMING_PAYLOAD);
  /* The daemon never answers a ping; TCP keepalive (the session's) watches the link. */
  soup_websocket_connection_set_keepalive_interval (self->connection, 0);

  g_signal_connect_object (self->connection, "message", G_CALLBACK (message_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->connection, "closed", G_CALLBACK (closed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->connection, "error", G_CALLBACK (error_cb), self,
                           G_CONNECT_SWAPPED);

  g_task_return_boolean (task, TRUE);
}

static void
sp_popup_notifier_source_connect_async (SpSource            *source,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  SpPopupNotifierSource *self = SP_POPUP_NOTIFIER_SOURCE (source);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *configured = sp_account_dup_url (sp_source_get_account (source));
  g_autofree char *url = NULL;
  SoupMessage *msg;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_popup_notifier_source_connect_async);

  url = sp_popup_notifier_source_normalize_url (configured, &error);
  if (url == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  msg = soup_message_new (SOUP_METHOD_GET, url);
  if (msg == NULL)
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                               _("“%s” is not a server address"), configured);
      return;
    }
  g_task_set_task_data (task, msg, g_object_unref);

  if (self->session == NULL)
    self->session = sp_http_session_new ();
  sp_http_session_pin_account (self->session, sp_source_get_account (source));
  sp_frame_queue_pace (self->frames, self->session, msg);

  g_debug ("[%s] Connecting to %s", sp_source_get_account_id (source), url);

  /* The base class gives up the attempt at its deadline, through this cancellable. */
  soup_session_websocket_connect_async (self->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        cancellable, connect_cb, g_steal_pointer (&task));
}

static gboolean
sp_popup_notifier_source_connect_finish (SpSource      *source,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
sp_popup_notifier_source_disconnect (SpSource *source)
{
  SpPopupNotifierSource *self = SP_POPUP_NOTIFIER_SOURCE (source);

  if (self->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->connection, self);
      if (soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&self->connection);
    }

  if (self->frames != NULL)
    sp_frame_queue_clear (self->frames);
  if (self->calls != NULL)
    sp_popup_notifier_calls_reset (self->calls);
}

static void
sp_popup_notifier_source_constructed (GObject *object)
{
  SpPopupNotifierSource *self = (SpPopupNotifierSource *)object;

  G_OBJECT_CLASS (sp_popup_notifier_source_parent_class)->constructed (object);

  self->calls = sp_popup_notifier_calls_new (sp_source_get_account (SP_SOURCE (self)));
  self->frames = sp_frame_queue_new (self, handle_frame, (GDestroyNotify) sp_frame_free);
}

static void
sp_popup_notifier_source_dispose (GObject *object)
{
  SpPopupNotifierSource *self = (SpPopupNotifierSource *)object;

  sp_popup_notifier_source_disconnect (SP_SOURCE (self));
  g_clear_object (&self->session);
  g_clear_pointer (&self->calls, sp_popup_notifier_calls_free);
  g_clear_pointer (&self->frames, sp_frame_queue_free);

  G_OBJECT_CLASS (sp_popup_notifier_source_parent_class)->dispose (object);
}

static void
sp_popup_notifier_source_class_init (SpPopupNotifierSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  SpSourceClass *source_class = SP_SOURCE_CLASS (klass);

  object_class->constructed = sp_popup_notifier_source_constructed;
  object_class->dispose = sp_popup_notifier_source_dispose;

  source_class->connect_async = sp_popup_notifier_source_connect_async;
  source_class->connect_finish = sp_popup_notifier_source_connect_finish;
  source_class->disconnect = sp_popup_notifier_source_disconnect;
}

static void
sp_popup_notifier_source_init (SpPopupNotifierSource *self)
{
  sp_source_set_connect_timeout (SP_SOURCE (self), CONNECT_TIMEOUT_SECONDS * 1000);
}

SpSource *
sp_popup_notifier_source_new (SpAccount *account)
{
  return g_object_new (SP_TYPE_POPUP_NOTIFIER_SOURCE, "account", account, NULL);
}
