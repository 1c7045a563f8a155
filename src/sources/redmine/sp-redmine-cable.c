/* sp-redmine-cable.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-redmine"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "sp-account.h"
#include "sp-actioncable.h"
#include "sp-http.h"
#include "sp-redmine-command.h"
#include "sp-redmine-source.h"
#include "sp-redmine-source-private.h"

/*
 * The ActionCable half of SpRedmineSource (see sp-redmine-source.c for the whole attempt):
 *
 *   WebSocket /cable?access_key=KEY ─► welcome ─► subscribe ─► confirm_subscription … ─► live
 *                                                              broadcasts ─► commands
 *
 * The attempt's task is handed over once the key is known and ends here: live when every
 * channel has its answer, or failed. Which channels, what their answers mean and which
 * channel class to use is sp-redmine-channels.c; this file sends its frames, runs its
 * timers and does what it says. Every frame is a sign of life (the server pings every
 * 3 s); the welcome has SP_REDMINE_WELCOME_TIMEOUT_SECONDS, the subscriptions
 * SP_REDMINE_CONFIRM_TIMEOUT_MS under each class.
 */

/* Big enough that an oversized broadcast is read and skipped rather than killing the link;
 * the frame parser refuses anything beyond SP_ACTIONCABLE_MAX_FRAME. */
#define MAX_INCOMING_PAYLOAD (16 * 1024 * 1024)
/* The hint about messages posted as form data is repeated at most this often. */
#define FORM_HINT_USEC (60 * G_USEC_PER_SEC)

/* What Redmine means by the statuses that are not self-explanatory. */
static const SpHttpStatus cable_statuses[] = {
  /* An answer, not an outage: retried on the slow schedule. */
  { SOUP_STATUS_NOT_FOUND, SP_SOURCE_ERROR_REFUSED,
    N_("Redmine has no ActionCable endpoint at this address"),
    N_("Is the redmine_rt plugin installed?") },
  { 0, }
};

static const char *
account_id (SpRedmineSource *self)
{
  return sp_source_get_account_id (SP_SOURCE (self));
}

static void
update_detail (SpRedmineSource *self)
{
  g_autofree char *detail = sp_redmine_channels_dup_detail (self->channels);

  sp_source_set_detail (SP_SOURCE (self), detail);
}

/* Ends the attempt or the live connection with @error (taken over). */
static void
fail (SpRedmineSource *self,
      GError          *error)
{
  if (self->connect_task != NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);

      g_task_return_error (task, error);
      return;
    }

  sp_source_connection_lost (SP_SOURCE (self), error);
  g_error_free (error);
}

static void
send_text (SpRedmineSource *self,
           const char      *text)
{
  if (self->connection != NULL &&
      soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (self->connection, text);
}

static void
send_all (SpRedmineSource *self,
          GPtrArray       *frames)
{
  for (guint i = 0; i < frames->len; i++)
    send_text (self, g_ptr_array_index (frames, i));
}

static gboolean confirm_timeout_cb (gpointer data);

static void
complete_connect (SpRedmineSource *self)
{
  if (self->connect_task != NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);

      g_task_return_boolean (task, TRUE);
    }
}

/* Subscribes to the account's channels with the class in use, and waits for the answers. */
static void
subscribe_all (SpRedmineSource *self)
{
  GSettings *settings = sp_account_get_settings (sp_source_get_account (SP_SOURCE (self)));
  g_auto(GStrv) extra = g_settings_get_strv (settings, "channels");
  g_auto(GStrv) names = sp_redmine_channel_names (self->login, (const char * const *) extra);
  g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func (g_free);

  sp_redmine_channels_subscribe (self->channels, (const char * const *) names, frames);
  send_all (self, frames);

  self->subscribed_at = g_get_monotonic_time ();
  g_clear_handle_id (&self->confirm_id, g_source_remove);
  self->confirm_id = g_timeout_add (SP_REDMINE_CONFIRM_TIMEOUT_MS, confirm_timeout_cb, self);
}

/* Does what the subscriptions say after an answer or after the wait for the answers. */
static void
take_step (SpRedmineSource       *self,
           SpRedmineChannelsStep  step)
{
  switch (step)
    {
    case SP_REDMINE_CHANNELS_IGNORED:
    case SP_REDMINE_CHANNELS_WAITING:
      break;

    case SP_REDMINE_CHANNELS_LIVE:
      g_clear_handle_id (&self->confirm_id, g_source_remove);
      complete_connect (self);
      break;

    case SP_REDMINE_CHANNELS_RETRY:
      subscribe_all (self);
      break;

    case SP_REDMINE_CHANNELS_SILENT:
      fail (self, g_error_new (SP_SOURCE_ERROR, SP_SOURCE_ERROR_TIMEOUT,
                               _("Redmine went silent right after the connection was opened")));
      break;

    case SP_REDMINE_CHANNELS_REFUSED:
      fail (self, g_error_new (SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                               _("Redmine refused every channel subscription")));
      break;

    case SP_REDMINE_CHANNELS_UNANSWERED:
    default:
      fail (self, g_error_new (SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                               _("Redmine did not confirm the channel subscriptions, neither with channel class %s nor with %s. Check that the redmine_rt plugin is installed and that Redmine has a config/cable.yml"),
                               SP_REDMINE_CHANNEL_CLASS, SP_REDMINE_LEGACY_CHANNEL_CLASS));
      break;
    }
}

static gboolean
confirm_timeout_cb (gpointer data)
{
  SpRedmineSource *self = data;

  self->confirm_id = 0;
  /* Any frame counts, a ping too: a server that pings but does not answer lacks the class. */
  take_step (self, sp_redmine_channels_timeout (self->channels,
                                                self->last_frame > self->subscribed_at));

  return G_SOURCE_REMOVE;
}

static gboolean
welcome_timeout_cb (gpointer data)
{
  SpRedmineSource *self = data;

  self->welcome_id = 0;
  fail (self, g_error_new (SP_SOURCE_ERROR, SP_SOURCE_ERROR_TIMEOUT,
                           _("Redmine opened the connection but did not welcome it within %u seconds"),
                           SP_REDMINE_WELCOME_TIMEOUT_SECONDS));

  return G_SOURCE_REMOVE;
}

static void
on_welcome (SpRedmineSource *self)
{
  g_clear_handle_id (&self->welcome_id, g_source_remove);

  /* A welcome starts a new server-side connection with no subscriptions: subscribe again,
   * every time. */
  sp_redmine_channels_reset (self->channels);
  subscribe_all (self);
}

static void
on_confirm (SpRedmineSource *self,
            const char      *identifier)
{
  g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func (g_free);
  SpRedmineChannelsStep step;

  step = sp_redmine_channels_confirm (self->channels, identifier, frames);
  if (step == SP_REDMINE_CHANNELS_IGNORED)
    return;

  send_all (self, frames);
  update_detail (self);
  take_step (self, step);
}

static void
on_reject (SpRedmineSource *self,
           const char      *identifier)
{
  SpRedmineChannelsStep step = sp_redmine_channels_reject (self->channels, identifier);

  if (step == SP_REDMINE_CHANNELS_IGNORED)
    return;

  update_detail (self);
  take_step (self, step);
}

static void
on_disconnect (SpRedmineSource    *self,
               SpActioncableFrame *frame)
{
  const char *reason = frame->reason != NULL ? frame->reason : _("none given");

  if (!frame->reconnect)
    fail (self, g_error_new (SP_SOURCE_ERROR, SP_SOURCE_ERROR_FATAL,
                             _("Redmine closed the connection and asked not to reconnect (reason: %s). Use Retry once the server is ready"),
                             reason));
  else
    fail (self, g_error_new (SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                             _("Redmine closed the connection (reason: %s)"), reason));
}

/* A PBX script that posts with `curl -d` but no JSON content type sends every message as
 * form data: the person who wrote it must hear why nothing pops up, but not once per call. */
static void
log_form_data (SpRedmineSource *self,
               const char      *channel,
               const GError    *error)
{
  gint64 now = g_get_monotonic_time ();

  if (self->last_form_hint != 0 && now - self->last_form_hint < FORM_HINT_USEC)
    {
      g_debug ("[%s] Ignored a message posted as form data on “%s”", account_id (self), channel);
      return;
    }

  self->last_form_hint = now;
  g_message ("[%s] Ignored a message on “%s”: %s", account_id (self), channel, error->message);
}

static void
on_broadcast (SpRedmineSource    *self,
              SpActioncableFrame *frame)
{
  g_autoptr(SpRedmineCommand) command = NULL;
  g_autoptr(GError) error = NULL;
  const char *channel = sp_redmine_channels_lookup (self->channels, frame->identifier);

  if (channel == NULL)
    {
      g_debug ("[%s] Ignored a broadcast for a subscription we do not have", account_id (self));
      return;
    }

  command = sp_redmine_command_new_from_json (frame->message, &error);
  if (command == NULL)
    {
      if (g_error_matches (error, SP_REDMINE_COMMAND_ERROR, SP_REDMINE_COMMAND_ERROR_FORM_DATA))
        log_form_data (self, channel, error);
      else if (g_error_matches (error, SP_REDMINE_COMMAND_ERROR, SP_REDMINE_COMMAND_ERROR_NOT_A_COMMAND))
        g_debug ("[%s] Ignored a message without a command on “%s”", account_id (self), channel);
      else if (g_error_matches (error, SP_REDMINE_COMMAND_ERROR, SP_REDMINE_COMMAND_ERROR_UNKNOWN))
        g_message ("[%s] Ignored a message on “%s”: %s", account_id (self), channel,
                   error->message);
      else
        g_message ("[%s] Skipped an invalid command on “%s”: %s", account_id (self), channel,
                   error->message);
      return;
    }

  g_debug ("[%s] %s on “%s”", account_id (self),
           sp_redmine_command_kind_to_string (sp_redmine_command_get_kind (command)), channel);
  sp_source_emit_command (SP_SOURCE (self), command);
}

static void
handle_frame (gpointer owner,
              gpointer frame_data)
{
  SpRedmineSource *self = owner;
  SpFrame *received = frame_data;
  g_autoptr(SpActioncableFrame) frame = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *data = g_bytes_get_data (received->bytes, &length);

  if (received->type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      g_message ("[%s] Skipped a binary frame of %" G_GSIZE_FORMAT " bytes", account_id (self),
                 length);
      return;
    }

  frame = sp_actioncable_frame_parse (data, length, &error);
  if (frame == NULL)
    {
      g_message ("[%s] Skipped a malformed frame: %s", account_id (self), error->message);
      return;
    }

  switch (frame->type)
    {
    case SP_ACTIONCABLE_FRAME_WELCOME:
      on_welcome (self);
      break;

    case SP_ACTIONCABLE_FRAME_PING:
      break;

    case SP_ACTIONCABLE_FRAME_CONFIRM:
      on_confirm (self, frame->identifier);
      break;

    case SP_ACTIONCABLE_FRAME_REJECT:
      on_reject (self, frame->identifier);
      break;

    case SP_ACTIONCABLE_FRAME_DISCONNECT:
      on_disconnect (self, frame);
      break;

    case SP_ACTIONCABLE_FRAME_MESSAGE:
      on_broadcast (self, frame);
      break;

    case SP_ACTIONCABLE_FRAME_UNKNOWN:
    default:
      g_debug ("[%s] Ignored a frame of an unknown kind", account_id (self));
      break;
    }
}

static void
message_cb (SpRedmineSource         *self,
            SoupWebsocketDataType    type,
            GBytes                  *message,
            SoupWebsocketConnection *connection)
{
  /* Any frame is a sign of life, not only pings. */
  sp_source_touch (SP_SOURCE (self));
  self->last_frame = g_get_monotonic_time ();
  sp_frame_queue_push (self->frames, sp_frame_new (type, message));
}

static void
closed_cb (SpRedmineSource         *self,
           SoupWebsocketConnection *connection)
{
  /* What came before the close counts: handle it before the connection is given up. */
  sp_frame_queue_flush (self->frames);
  /* A stopped puma drops the TCP connection without a close frame: that is normal. */
  fail (self, g_error_new (SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                           _("The connection to Redmine was lost")));
}

static void
error_cb (SpRedmineSource         *self,
          GError                  *error,
          SoupWebsocketConnection *connection)
{
  g_debug ("[%s] WebSocket error: %s", account_id (self), error->message);
}

static void
ws_connect_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpRedmineSource *self = g_task_get_source_object (task);
  SpRedmineConnectData *data = g_task_get_task_data (task);
  g_autoptr(SoupWebsocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  connection = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (connection == NULL)
    {
      GError *failure = NULL;

      sp_http_check_answer (data->msg, error, _("an ActionCable endpoint"), cable_statuses,
                            &failure);
      g_task_return_error (task, failure);
      return;
    }

  g_debug ("[%s] Connected to %s", account_id (self), data->cable_url);

  self->connection = g_steal_pointer (&connection);
  soup_websocket_connection_set_max_incoming_payload_size (self->connection, MAX_INCOMING_PAYLOAD);
  /* The server's pings are what tells a live link from a dead one. */
  soup_websocket_connection_set_keepalive_interval (self->connection, 0);

  g_signal_connect_object (self->connection, "message", G_CALLBACK (message_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->connection, "closed", G_CALLBACK (closed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->connection, "error", G_CALLBACK (error_cb), self,
                           G_CONNECT_SWAPPED);

  /* From here on frames drive the attempt: it is live at the first confirmation. */
  self->last_frame = g_get_monotonic_time ();
  self->connect_task = g_steal_pointer (&task);
  self->welcome_id = g_timeout_add_seconds (SP_REDMINE_WELCOME_TIMEOUT_SECONDS,
                                            welcome_timeout_cb, self);
}

/* Opens the cable for the attempt @task_in (taken over), which then ends live or failed. */
void
sp_redmine_cable_open (GTask *task_in)
{
  g_autoptr(GTask) task = task_in;
  SpRedmineSource *self = g_task_get_source_object (task);
  SpRedmineConnectData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  const char *protocols[] = { "actioncable-v1-json", NULL };
  g_autofree char *escaped_key = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;

  data->cable_url = sp_actioncable_cable_url (self->base_url, &error);
  if (data->cable_url == NULL)
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG, "%s", error->message);
      return;
    }

  /* libsoup upgrades an http(s) request; the key goes in the query, as redmine_rt wants. */
  escaped_key = g_uri_escape_string (self->api_key, NULL, FALSE);
  url = g_strconcat (self->base_url, "/cable?access_key=", escaped_key, NULL);
  g_clear_object (&data->msg);
  data->msg = soup_message_new (SOUP_METHOD_GET, url);
  memset (url, 0, strlen (url));
  memset (escaped_key, 0, strlen (escaped_key));

  if (data->msg == NULL)
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                               _("“%s” is not a Redmine address"), self->base_url);
      return;
    }
  /* Made before the connection, so that it paces the connection's reads. */
  if (self->frames == NULL)
    self->frames = sp_frame_queue_new (self, handle_frame, (GDestroyNotify) sp_frame_free);
  sp_frame_queue_pace (self->frames, self->ws, data->msg);

  g_debug ("[%s] Connecting to %s", account_id (self), data->cable_url);

  /* The base class gives up the attempt at its deadline, through the attempt's cancellable. */
  soup_session_websocket_connect_async (self->ws, data->msg, NULL, (char **) protocols,
                                        G_PRIORITY_DEFAULT, cancellable, ws_connect_cb,
                                        g_steal_pointer (&task));
}

/* Closes the link and ends an attempt still under way (the base class has cancelled it). */
void
sp_redmine_cable_close (SpSource *source)
{
  SpRedmineSource *self = SP_REDMINE_SOURCE (source);

  g_clear_handle_id (&self->welcome_id, g_source_remove);
  g_clear_handle_id (&self->confirm_id, g_source_remove);

  if (self->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->connection, self);
      if (soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&self->connection);
    }
  g_clear_pointer (&self->frames, sp_frame_queue_free);

  if (self->channels != NULL)
    sp_redmine_channels_reset (self->channels);

  /* The base class has cancelled the attempt already; nobody listens to this answer. */
  if (self->connect_task != NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);

      if (!g_task_return_error_if_cancelled (task))
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Disconnected");
    }
}

