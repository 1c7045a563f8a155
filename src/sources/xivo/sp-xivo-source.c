/* sp-xivo-source.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-xivo"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "sp-account.h"
#include "sp-frame-queue.h"
#include "sp-http.h"
#include "sp-secret.h"
#include "sp-redmine-command.h"
#include "sp-xivo.h"
#include "sp-xivo-agent.h"
#include "sp-xivo-webservice.h"
#include "sp-xivo-calls.h"
#include "sp-xivo-login.h"
#include "sp-xivo-source.h"

/*
 * XiVO (protocols/xivo.md §4–§6): log in to xuc over REST for a short-lived token, open the
 * CTI WebSocket with it, wait for LoggedOn, then ask for the live calls
 * (getCurrentCallsPhoneEvents) so that a reconnect never loses or invents a call. From
 * then on PhoneEvents become call events, keyed by linkedId.
 *
 * As cti.js does it: {"claz":"ping"} every 5 s, and a link that stays silent for three
 * intervals is dead (the base class's liveness timeout, fed by every frame). The token is
 * renewed over REST before its lifetime runs out; the open link does not need it, but the
 * next connection and the third-party web service do.
 *
 * The token is a credential: it is never logged, and the CTI URL is only ever logged
 * without it.
 *
 * This file holds the connection (the attempt, the CTI link and its heartbeat, the token
 * renewal) and the actions. The REST login is sp-xivo-login.c; what the link says is
 * mapped by sp-xivo-calls.c (PhoneEvents and the resynchronisation to call events, pure)
 * and sp-xivo-agent.c (the agent's state).
 */

/* One attempt — keyring, login, WebSocket, LoggedOn — must be over within this long. */
#define CONNECT_TIMEOUT_SECONDS 15
/* A renewal that failed for a transient reason is tried again after this long. */
#define RENEW_RETRY_MS (30 * 1000)
/* When the server does not say how long a token lives: XiVO's tokens live an hour. */
#define DEFAULT_LIFETIME_SECONDS 3600
/* Frames beyond this are refused by the parser anyway; libsoup reads and drops them. */
#define MAX_INCOMING_PAYLOAD (4 * 1024 * 1024)

struct _SpXivoSource
{
  SpSource                 parent_instance;

  SoupSession             *session;
  SoupWebsocketConnection *connection;
  GTask                   *connect_task;    /* the attempt, waiting for LoggedOn */
  char                    *base_url;
  char                    *token;           /* a secret */
  gint64                   token_lifetime;  /* seconds */
  guint                    ping_id;
  guint                    renew_id;
  GCancellable            *renew_cancellable;
  GCancellable            *login_url_cancellable;

  SpXivoCalls             *calls;           /* kept across reconnects */
  SpFrameQueue            *frames;          /* a flood is handled in slices */
  SpXivoAgent              agent;
  SpXivoUserConfig        *user_config;     /* the last UserConfigUpdate */
  GHashTable              *queues;          /* name → SpXivoQueue, from QueueList/QueueConfig */
};

enum {
  PROP_0,
  PROP_XIVO_AGENT_STATE,
  PROP_AGENT_CAUSE,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (SpXivoSource, sp_xivo_source, SP_TYPE_SOURCE)

static GParamSpec *properties [N_PROPS];

static void schedule_renewal (SpXivoSource *self,
                              guint         delay_ms);

static void
wipe (char **secret)
{
  g_clear_pointer (secret, sp_secret_free);
}

static const char *
account_id (SpXivoSource *self)
{
  return sp_source_get_account_id (SP_SOURCE (self));
}

static gboolean
is_open (SpXivoSource *self)
{
  return self->connection != NULL &&
         soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN;
}

static void
send_frame (SpXivoSource *self,
            const char   *frame)
{
  if (is_open (self))
    soup_websocket_connection_send_text (self->connection, frame);
}

/* What the link says: calls and the agent */

static void
emit_call_event (SpCallEvent *event,
                 gpointer     user_data)
{
  sp_source_emit_call_event (SP_SOURCE (user_data), event);
}

static void
handle_agent_state (SpXivoSource     *self,
                    SpXivoAgentState *state)
{
  SpXivoAgentChanges changes;
  g_autofree char *detail = NULL;

  if (!sp_xivo_agent_update (&self->agent, state, &changes))
    {
      g_debug ("[%s] Ignored the state of agent %" G_GINT64_FORMAT, account_id (self),
               state->agent_id);
      return;
    }

  if (changes & SP_XIVO_AGENT_STATE_CHANGED)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_XIVO_AGENT_STATE]);
  if (changes & SP_XIVO_AGENT_CAUSE_CHANGED)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AGENT_CAUSE]);

  sp_source_set_agent_state (SP_SOURCE (self), sp_xivo_agent_get_agent_state (&self->agent));

  /* Shown under the account in the window. */
  detail = sp_xivo_agent_dup_detail (&self->agent);
  sp_source_set_detail (SP_SOURCE (self), detail);
}

/* The connection attempt */

typedef struct
{
  char         *login;
  char         *base_url;
  SoupMessage  *msg;
} ConnectData;

static void
connect_data_free (ConnectData *data)
{
  g_clear_object (&data->msg);
  g_free (data->login);
  g_free (data->base_url);
  g_free (data);
}

/* Fails the attempt with @error, unless it was cancelled (stopped, replaced, or given up
 * by the base class at its deadline). */
static void
connect_fail (GTask  *task,
              GError *error)
{
  g_autoptr(GError) owned = error;

  if (!g_task_return_error_if_cancelled (task))
    g_task_return_error (task, g_steal_pointer (&owned));
}

static void start_pinging (SpXivoSource *self);

/* Renewed at four fifths of its life, so that the next connection never meets an expired
 * token; within bounds, whatever the server claims. */
static guint
renewal_delay_ms (SpXivoSource *self)
{
  gint64 lifetime = self->token_lifetime > 0 ? self->token_lifetime : DEFAULT_LIFETIME_SECONDS;

  return (guint) CLAMP (lifetime * 800, 1000, (gint64) 12 * 3600 * 1000);
}

static void
login_url_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SoupMessage) msg = user_data;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  GUri *uri = soup_message_get_uri (msg);

  /* The URL holds the token: only its host is ever logged. */
  body = sp_http_read_bytes_finish (SOUP_SESSION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL && soup_message_get_status (msg) == SOUP_STATUS_NONE)
    g_message ("Could not call the third-party login URL at %s: %s", g_uri_get_host (uri), error->message);
  else
    g_debug ("The third-party login URL at %s answered HTTP %u", g_uri_get_host (uri),
             soup_message_get_status (msg));
}

/* THIRD_PARTY_LOGIN_URL (protocols/xivo.md §3.5): after each successful CTI login, tell the
 * CRM which login, token and XiVO CC host the agent uses, by calling the administrator's
 * URL, or by opening it in the browser where the CRM needs its own session cookie. */
static void
third_party_login (SpXivoSource *self,
                   const char   *login)
{
  SpAccount *account = sp_source_get_account (SP_SOURCE (self));
  g_autofree char *url_template = sp_account_dup_option (account, SP_XIVO_OPTION_LOGIN_URL);
  g_autofree char *open = sp_account_dup_option (account, SP_XIVO_OPTION_LOGIN_URL_OPEN);
  g_autofree char *host_port = NULL;
  g_autoptr(GUri) base = NULL;
  g_autoptr(GError) error = NULL;
  char *url;

  if (url_template == NULL || *g_strstrip (url_template) == '\0')
    return;

  base = g_uri_parse (self->base_url, G_URI_FLAGS_ENCODED, NULL);
  if (base != NULL && g_uri_get_port (base) > 0)
    host_port = g_strdup_printf ("%s:%d", g_uri_get_host (base), g_uri_get_port (base));
  else if (base != NULL)
    host_port = g_strdup (g_uri_get_host (base));

  url = sp_xivo_third_party_login_url (url_template, login, self->token, host_port, &error);
  if (url == NULL)
    {
      g_message ("[%s] Not calling the third-party login URL: %s", account_id (self), error->message);
      return;
    }

  if (g_strcmp0 (open, "true") == 0)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(SpRedmineCommand) command = NULL;

      /* Through the one URL door (the command runner and the URL policy), as any page. */
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "command");
      json_builder_add_string_value (builder, "open_url");
      json_builder_set_member_name (builder, "data");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "url");
      json_builder_add_string_value (builder, url);
      json_builder_end_object (builder);
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      command = sp_redmine_command_new_from_json (node, &error);
      if (command != NULL)
        {
          g_debug ("[%s] Opening the third-party login URL", account_id (self));
          sp_source_emit_command (SP_SOURCE (self), command);
        }
      else
        {
          g_message ("[%s] Not opening the third-party login URL: %s", account_id (self), error->message);
        }
    }
  else
    {
      SoupMessage *msg = soup_message_new (SOUP_METHOD_GET, url);

      if (msg != NULL)
        {
          g_debug ("[%s] Calling the third-party login URL at %s", account_id (self),
                   g_uri_get_host (soup_message_get_uri (msg)));
          /* A redirect would carry the token elsewhere. */
          soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
          if (self->login_url_cancellable == NULL)
            self->login_url_cancellable = g_cancellable_new ();
          sp_http_read_bytes_async (self->session, msg, 64 * 1024, self->login_url_cancellable,
                                    login_url_cb, msg);
        }
    }

  wipe (&url);
}

static void
connect_succeed (SpXivoSource *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);
  ConnectData *data = g_task_get_task_data (task);
  g_autofree char *resync_frame = sp_xivo_command_new ("getCurrentCallsPhoneEvents", NULL);
  g_autofree char *queues_frame = sp_xivo_command_new ("getList", "objectType", "queue", NULL);

  g_debug ("[%s] Logged on to %s", account_id (self), data->base_url);

  /* Whatever happened while the link was down, the server knows which calls are live. */
  send_frame (self, resync_frame);
  /* What the CC Agent knows of a call's queue (id, display name, number) before it tells a
   * third-party web service: Cti.getList("queue") answers QueueList, then QueueConfig on
   * every change. The user's record (UserConfigUpdate) comes unasked after LoggedOn. */
  send_frame (self, queues_frame);
  third_party_login (self, data->login);
  start_pinging (self);
  schedule_renewal (self, renewal_delay_ms (self));

  g_task_return_boolean (task, TRUE);
}

static void
handle_frame (gpointer owner,
              gpointer frame_data)
{
  SpXivoSource *self = owner;
  SpFrame *frame = frame_data;
  g_autoptr(SpXivoMessage) parsed = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *data = g_bytes_get_data (frame->bytes, &length);

  if (frame->type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      g_message ("[%s] Skipped a binary frame of %" G_GSIZE_FORMAT " bytes", account_id (self), length);
      return;
    }

  parsed = sp_xivo_message_parse (data, length, &error);
  if (parsed == NULL)
    {
      g_message ("[%s] Skipped a malformed CTI message: %s", account_id (self), error->message);
      return;
    }

  switch (parsed->type)
    {
    case SP_XIVO_MESSAGE_LOGGED_ON:
      if (self->connect_task != NULL)
        connect_succeed (self);
      break;

    case SP_XIVO_MESSAGE_LOGGED_ON_ERROR:
      {
        const char *reason = parsed->error ? parsed->error : "?";
        GError *lost;

        if (parsed->auth_failed)
          lost = g_error_new (SP_SOURCE_ERROR, SP_SOURCE_ERROR_AUTH,
                              _("XiVO refused the CTI session (%s); check the user’s CTI rights"), reason);
        else
          lost = g_error_new (SP_SOURCE_ERROR, SP_SOURCE_ERROR_TIMEOUT,
                              _("XiVO did not establish the CTI session in time (%s)"), reason);

        if (self->connect_task != NULL)
          {
            g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);

            connect_fail (task, lost);
          }
        else
          {
            sp_source_connection_lost (SP_SOURCE (self), lost);
            g_error_free (lost);
          }
      }
      break;

    case SP_XIVO_MESSAGE_PHONE_EVENT:
      sp_xivo_calls_phone_event (self->calls, parsed->phone_event);
      break;

    case SP_XIVO_MESSAGE_CURRENT_CALLS:
      /* Ours that the server does not list ended while the link was down. */
      sp_xivo_calls_resync (self->calls, parsed->phone_events);
      break;

    case SP_XIVO_MESSAGE_AGENT_STATE:
      handle_agent_state (self, parsed->agent_state);
      break;

    case SP_XIVO_MESSAGE_USER_CONFIG:
      g_debug ("[%s] User %" G_GINT64_FORMAT " configured", account_id (self),
               parsed->user_config->user_id);
      g_clear_pointer (&self->user_config, sp_xivo_user_config_free);
      self->user_config = g_steal_pointer (&parsed->user_config);
      break;

    case SP_XIVO_MESSAGE_QUEUES:
      /* A list replaces what we knew; a single QueueConfig updates one queue. */
      if (g_str_equal (parsed->msg_type, "QueueList"))
        g_hash_table_remove_all (self->queues);
      for (guint i = 0; i < parsed->queues->len; i++)
        {
          SpXivoQueue *queue = sp_xivo_queue_copy (g_ptr_array_index (parsed->queues, i));

          g_hash_table_replace (self->queues, queue->name, queue);
        }
      g_debug ("[%s] %u queues known", account_id (self), g_hash_table_size (self->queues));
      break;

    case SP_XIVO_MESSAGE_ERROR:
      g_message ("[%s] XiVO reported an error: %s", account_id (self),
                 parsed->error ? parsed->error : "(no reason given)");
      break;

    case SP_XIVO_MESSAGE_LINK_STATUS:
    case SP_XIVO_MESSAGE_OTHER:
    default:
      g_debug ("[%s] Ignored a %s message", account_id (self), parsed->msg_type);
      break;
    }
}

static void
message_cb (SpXivoSource            *self,
            SoupWebsocketDataType    type,
            GBytes                  *message,
            SoupWebsocketConnection *connection)
{
  sp_source_touch (SP_SOURCE (self));
  sp_frame_queue_push (self->frames, sp_frame_new (type, message));
}

static void
closed_cb (SpXivoSource            *self,
           SoupWebsocketConnection *connection)
{
  g_autoptr(GError) error = NULL;

  /* What came before the close counts: handle it before the connection is given up. */
  sp_frame_queue_flush (self->frames);
  if (self->connect_task != NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);

      connect_fail (task, g_error_new (SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                                       _("XiVO closed the CTI link before the session was established")));
      return;
    }

  error = g_error_new (SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED, _("XiVO closed the CTI link"));
  sp_source_connection_lost (SP_SOURCE (self), error);
}

static void
error_cb (SpXivoSource            *self,
          GError                  *error,
          SoupWebsocketConnection *connection)
{
  g_debug ("[%s] WebSocket error: %s", account_id (self), error->message);
}

static gboolean
ping_cb (gpointer user_data)
{
  SpXivoSource *self = user_data;
  g_autofree char *ping = sp_xivo_ping_new ();

  send_frame (self, ping);

  return G_SOURCE_CONTINUE;
}

static void
start_pinging (SpXivoSource *self)
{
  g_clear_handle_id (&self->ping_id, g_source_remove);
  self->ping_id = g_timeout_add (SP_XIVO_PING_INTERVAL_MS, ping_cb, self);
}

/* The CTI link refuses a token it does not take; the next attempt logs in for a new one, so
 * these are not a reason to stop. */
static const SpHttpStatus cti_statuses[] = {
  { SOUP_STATUS_UNAUTHORIZED, SP_SOURCE_ERROR_FAILED, N_("XiVO refused the CTI link"),
    N_("The token was not accepted") },
  { SOUP_STATUS_FORBIDDEN, SP_SOURCE_ERROR_FAILED, N_("XiVO refused the CTI link"),
    N_("The token was not accepted") },
  { 0, }
};

static void
websocket_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpXivoSource *self = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);
  g_autoptr(SoupWebsocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = sp_xivo_cti_url (data->base_url, NULL);

  connection = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);
  if (connection == NULL)
    {
      GError *failure = NULL;

      sp_http_check_answer (data->msg, error, _("a XiVO CTI link"), cti_statuses, &failure);
      connect_fail (task, failure);
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  g_debug ("[%s] CTI link open at %s; waiting for LoggedOn", account_id (self), url);

  self->connection = g_steal_pointer (&connection);
  soup_websocket_connection_set_max_incoming_payload_size (self->connection, MAX_INCOMING_PAYLOAD);
  /* Our heartbeat is xuc's own {"claz":"ping"}, not WebSocket pings. */
  soup_websocket_connection_set_keepalive_interval (self->connection, 0);

  g_signal_connect_object (self->connection, "message", G_CALLBACK (message_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->connection, "closed", G_CALLBACK (closed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->connection, "error", G_CALLBACK (error_cb), self,
                           G_CONNECT_SWAPPED);

  /* The attempt ends with LoggedOn, LoggedOnError, the link closing or the deadline. */
  g_set_object (&self->connect_task, task);
}

static void
connect_login_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpXivoSource *self = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_auto(SpXivoLogin) login = { 0, };

  if (!sp_xivo_login_finish (result, &login, &error))
    {
      connect_fail (task, g_steal_pointer (&error));
      return;
    }

  wipe (&self->token);
  self->token = g_steal_pointer (&login.token);
  self->token_lifetime = login.lifetime;

  g_debug ("[%s] Logged in; the token lives %" G_GINT64_FORMAT " s", account_id (self),
           self->token_lifetime);

  url = sp_xivo_cti_url (data->base_url, self->token);
  g_clear_object (&data->msg);
  data->msg = soup_message_new (SOUP_METHOD_GET, url);
  wipe (&url);
  if (data->msg != NULL)
    sp_frame_queue_pace (self->frames, self->session, data->msg);

  soup_session_websocket_connect_async (self->session, data->msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        cancellable, websocket_cb, g_steal_pointer (&task));
}

static void
connect_secret_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpXivoSource *self = SP_XIVO_SOURCE (object);
  ConnectData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;
  char *password;

  password = sp_source_lookup_secret_finish (SP_SOURCE (self), result, &error);
  if (error != NULL)
    {
      wipe (&password);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        connect_fail (task, g_steal_pointer (&error));
      else
        connect_fail (task, g_error_new (SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                                         _("Could not read the password from the keyring: %s"),
                                         error->message));
      return;
    }

  if (password == NULL || *password == '\0')
    {
      wipe (&password);
      connect_fail (task, g_error_new (SP_SOURCE_ERROR, SP_SOURCE_ERROR_AUTH,
                                       _("The keyring holds no password for this XiVO account")));
      return;
    }

  sp_xivo_login_async (self->session, account_id (self), data->base_url, data->login, password,
                       cancellable, connect_login_cb, g_steal_pointer (&task));
  wipe (&password);
}

static void
sp_xivo_source_connect_async (SpSource            *source,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  SpXivoSource *self = SP_XIVO_SOURCE (source);
  SpAccount *account = sp_source_get_account (source);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *configured = sp_account_dup_url (account);
  g_autofree char *base_url = NULL;
  g_autofree char *login = sp_account_dup_login (account);
  ConnectData *data;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_xivo_source_connect_async);

  base_url = sp_xivo_source_normalize_url (configured, &error);
  if (base_url == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (login == NULL || *login == '\0')
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                               _("Set the XiVO login of this account"));
      return;
    }

  g_free (self->base_url);
  self->base_url = g_strdup (base_url);
  sp_http_session_pin_account (self->session, account);

  data = g_new0 (ConnectData, 1);
  data->login = g_steal_pointer (&login);
  data->base_url = g_steal_pointer (&base_url);
  g_task_set_task_data (task, data, (GDestroyNotify) connect_data_free);

  /* The base class gives up the attempt at its deadline, through this cancellable; waiting
   * for LoggedOn, our disconnect ends the attempt. */
  sp_source_lookup_secret_async (source, cancellable, connect_secret_cb, g_steal_pointer (&task));
}

static gboolean
sp_xivo_source_connect_finish (SpSource      *source,
                               GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Token renewal */

static void
renew_login_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SpXivoSource) self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(SpXivoLogin) login = { 0, };

  if (!sp_xivo_login_finish (result, &login, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      if (g_error_matches (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_AUTH))
        {
          sp_source_connection_lost (SP_SOURCE (self), error);
          return;
        }

      g_message ("[%s] Could not renew the XiVO token: %s; trying again in %u s", account_id (self),
                 error->message, RENEW_RETRY_MS / 1000);
      schedule_renewal (self, RENEW_RETRY_MS);
      return;
    }

  wipe (&self->token);
  self->token = g_steal_pointer (&login.token);
  self->token_lifetime = login.lifetime;

  g_debug ("[%s] Renewed the token; it lives %" G_GINT64_FORMAT " s", account_id (self),
           self->token_lifetime);
  schedule_renewal (self, renewal_delay_ms (self));
}

static void
renew_secret_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SpXivoSource) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *login = NULL;
  char *password;

  password = sp_source_lookup_secret_finish (SP_SOURCE (self), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (password == NULL || *password == '\0' || self->base_url == NULL)
    {
      wipe (&password);
      g_message ("[%s] Could not renew the XiVO token: no password; trying again in %u s",
                 account_id (self), RENEW_RETRY_MS / 1000);
      schedule_renewal (self, RENEW_RETRY_MS);
      return;
    }

  login = sp_account_dup_login (sp_source_get_account (SP_SOURCE (self)));
  sp_xivo_login_async (self->session, account_id (self), self->base_url, login, password,
                       self->renew_cancellable, renew_login_cb, g_object_ref (self));
  wipe (&password);
}

static gboolean
renew_cb (gpointer user_data)
{
  SpXivoSource *self = user_data;

  self->renew_id = 0;

  g_debug ("[%s] Renewing the token", account_id (self));
  sp_source_lookup_secret_async (SP_SOURCE (self), self->renew_cancellable, renew_secret_cb,
                                 g_object_ref (self));

  return G_SOURCE_REMOVE;
}

static void
schedule_renewal (SpXivoSource *self,
                  guint         delay_ms)
{
  g_clear_handle_id (&self->renew_id, g_source_remove);
  if (self->renew_cancellable == NULL)
    self->renew_cancellable = g_cancellable_new ();
  self->renew_id = g_timeout_add (delay_ms, renew_cb, self);
}

/* Actions */

static gboolean
sp_xivo_source_can_perform (SpSource       *source,
                            SpSourceAction  action)
{
  SpXivoSource *self = SP_XIVO_SOURCE (source);
  g_autofree char *remote_answer = NULL;

  if (!is_open (self) || self->connect_task != NULL)
    return FALSE;

  /* Remote answer needs a phone that supports it (WebRTC, CTI-capable phones): a
   * deployment without one turns it off. */
  if (action == SP_SOURCE_ACTION_ANSWER)
    {
      remote_answer = sp_account_dup_option (sp_source_get_account (source), SP_XIVO_OPTION_REMOTE_ANSWER);
      return g_strcmp0 (remote_answer, "false") != 0;
    }

  return action == SP_SOURCE_ACTION_HANGUP || action == SP_SOURCE_ACTION_DIAL ||
         action == SP_SOURCE_ACTION_PAUSE || action == SP_SOURCE_ACTION_UNPAUSE;
}

static void
sp_xivo_source_perform_async (SpSource            *source,
                              SpSourceAction       action,
                              const char          *call_id,
                              GVariant            *param,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  SpXivoSource *self = SP_XIVO_SOURCE (source);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GVariant) sunk = param ? g_variant_ref_sink (param) : NULL;
  g_autofree char *frame = NULL;
  const char *text = NULL;
  const char *unique_id = NULL;

  g_task_set_source_tag (task, sp_xivo_source_perform_async);

  if (sunk != NULL && g_variant_is_of_type (sunk, G_VARIANT_TYPE_STRING))
    text = g_variant_get_string (sunk, NULL);

  if (!sp_xivo_source_can_perform (source, action))
    {
      if (!is_open (self) || self->connect_task != NULL)
        g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                                 _("Not connected to XiVO"));
      else
        g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_UNSUPPORTED,
                                 _("This XiVO account cannot “%s”"),
                                 sp_source_action_to_string (action));
      return;
    }

  if (action == SP_SOURCE_ACTION_ANSWER || action == SP_SOURCE_ACTION_HANGUP)
    {
      /* Without the leg's id xuc acts on the user's current call. */
      sp_xivo_calls_lookup (self->calls, call_id, &unique_id);
      frame = sp_xivo_command_new (action == SP_SOURCE_ACTION_ANSWER ? "answer" : "hangup",
                                   "uniqueId", unique_id, NULL);
    }
  else if (action == SP_SOURCE_ACTION_DIAL)
    {
      if (text == NULL || *text == '\0')
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                   _("There is no number to dial"));
          return;
        }
      frame = sp_xivo_command_new ("dial", "destination", text, NULL);
    }
  else if (action == SP_SOURCE_ACTION_PAUSE)
    {
      frame = sp_xivo_pause_command_new (self->agent.id, text);
    }
  else
    {
      frame = sp_xivo_unpause_command_new (self->agent.id);
    }

  g_debug ("[%s] Sending %s", account_id (self), sp_source_action_to_string (action));
  send_frame (self, frame);
  g_task_return_boolean (task, TRUE);
}

static gboolean
sp_xivo_source_perform_finish (SpSource      *source,
                               GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* What the CC Agent sends a third-party web service: the user's record from
 * UserConfigUpdate, the agent, and the live token. */
static void
sp_xivo_source_get_user_facts (SpSource    *source,
                               SpUserFacts *facts)
{
  SpXivoSource *self = SP_XIVO_SOURCE (source);

  facts->agent_id = self->agent.id;
  facts->token = g_strdup (self->token);

  if (self->user_config != NULL)
    {
      facts->user_id = self->user_config->user_id;
      if (facts->agent_id <= 0)
        facts->agent_id = self->user_config->agent_id;
      facts->first_name = g_strdup (self->user_config->first_name);
      facts->last_name = g_strdup (self->user_config->last_name);
      facts->full_name = g_strdup (self->user_config->full_name);
    }
}

static gboolean
sp_xivo_source_get_queue_facts (SpSource     *source,
                                const char   *name,
                                SpQueueFacts *facts)
{
  SpXivoSource *self = SP_XIVO_SOURCE (source);
  SpXivoQueue *queue = g_hash_table_lookup (self->queues, name);

  if (queue == NULL)
    return FALSE;

  facts->id = queue->id;
  facts->display_name = g_strdup (queue->display_name);
  facts->number = g_strdup (queue->number);

  return TRUE;
}

static void
sp_xivo_source_disconnect (SpSource *source)
{
  SpXivoSource *self = SP_XIVO_SOURCE (source);

  if (self->connect_task != NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);

      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");
    }

  g_clear_handle_id (&self->ping_id, g_source_remove);
  g_clear_handle_id (&self->renew_id, g_source_remove);
  if (self->renew_cancellable != NULL)
    g_cancellable_cancel (self->renew_cancellable);
  g_clear_object (&self->renew_cancellable);
  if (self->login_url_cancellable != NULL)
    g_cancellable_cancel (self->login_url_cancellable);
  g_clear_object (&self->login_url_cancellable);

  if (self->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->connection, self);
      if (soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&self->connection);
    }
  if (self->frames != NULL)
    sp_frame_queue_clear (self->frames);

  /* Every attempt logs in afresh. The live calls stay: the next LoggedOn resynchronises. */
  wipe (&self->token);
  self->token_lifetime = 0;
}

/* Stopped (the account disabled or removed): the tracker ends the account's calls, so ours
 * are forgotten too; after a failure they are kept for the resync of the next attempt. */
static void
state_changed_cb (SpXivoSource *self)
{
  if (self->calls != NULL && sp_source_get_state (SP_SOURCE (self)) == SP_SOURCE_STATE_DISCONNECTED)
    sp_xivo_calls_forget (self->calls);
}

static void
sp_xivo_source_constructed (GObject *object)
{
  SpXivoSource *self = SP_XIVO_SOURCE (object);

  G_OBJECT_CLASS (sp_xivo_source_parent_class)->constructed (object);

  self->calls = sp_xivo_calls_new (sp_source_get_account (SP_SOURCE (self)), emit_call_event, self);
  g_signal_connect (self, "notify::state", G_CALLBACK (state_changed_cb), NULL);
}

static void
sp_xivo_source_dispose (GObject *object)
{
  SpXivoSource *self = (SpXivoSource *)object;

  sp_xivo_source_disconnect (SP_SOURCE (self));
  g_clear_pointer (&self->frames, sp_frame_queue_free);
  g_clear_object (&self->session);
  g_clear_pointer (&self->calls, sp_xivo_calls_free);
  g_clear_pointer (&self->user_config, sp_xivo_user_config_free);
  g_clear_pointer (&self->queues, g_hash_table_unref);

  G_OBJECT_CLASS (sp_xivo_source_parent_class)->dispose (object);
}

static void
sp_xivo_source_finalize (GObject *object)
{
  SpXivoSource *self = (SpXivoSource *)object;

  g_free (self->base_url);
  sp_xivo_agent_clear (&self->agent);

  G_OBJECT_CLASS (sp_xivo_source_parent_class)->finalize (object);
}

static void
sp_xivo_source_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  SpXivoSource *self = SP_XIVO_SOURCE (object);

  switch (prop_id)
    {
    case PROP_XIVO_AGENT_STATE:
      g_value_set_string (value, self->agent.state);
      break;
    case PROP_AGENT_CAUSE:
      g_value_set_string (value, self->agent.cause);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_xivo_source_class_init (SpXivoSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  SpSourceClass *source_class = SP_SOURCE_CLASS (klass);

  object_class->constructed = sp_xivo_source_constructed;
  object_class->dispose = sp_xivo_source_dispose;
  object_class->finalize = sp_xivo_source_finalize;
  object_class->get_property = sp_xivo_source_get_property;

  source_class->connect_async = sp_xivo_source_connect_async;
  source_class->connect_finish = sp_xivo_source_connect_finish;
  source_class->disconnect = sp_xivo_source_disconnect;
  source_class->can_perform = sp_xivo_source_can_perform;
  source_class->perform_async = sp_xivo_source_perform_async;
  source_class->perform_finish = sp_xivo_source_perform_finish;
  source_class->get_user_facts = sp_xivo_source_get_user_facts;
  source_class->get_queue_facts = sp_xivo_source_get_queue_facts;

  /**
   * SpXivoSource:xivo-agent-state:
   *
   * The agent's state as xuc names it (`AgentReady`, `AgentOnPause`, …), or %NULL before
   * the first AgentStateEvent.
   */
  properties[PROP_XIVO_AGENT_STATE] =
    g_param_spec_string ("xivo-agent-state", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * SpXivoSource:agent-cause:
   *
   * The pause reason while the agent is paused, else %NULL.
   */
  properties[PROP_AGENT_CAUSE] =
    g_param_spec_string ("agent-cause", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sp_xivo_source_init (SpXivoSource *self)
{
  self->session = sp_http_session_new ();
  self->queues = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) sp_xivo_queue_free);
  self->frames = sp_frame_queue_new (self, handle_frame, (GDestroyNotify) sp_frame_free);

  /* Three silent ping intervals and the link is dead, as in cti.js. */
  sp_source_set_liveness_timeout (SP_SOURCE (self), SP_XIVO_PING_INTERVAL_MS * SP_XIVO_MISSED_PINGS);
  sp_source_set_connect_timeout (SP_SOURCE (self), CONNECT_TIMEOUT_SECONDS * 1000);
}

/**
 * sp_xivo_source_normalize_url:
 * @url: what the user typed: `https://xivo.example.com`, `http://xuc:8090`, a ws(s)://
 *   address, a bare host name, or any of these with the API's path
 * @error: return location for an %SP_SOURCE_ERROR_CONFIG error a person can act on
 *
 * The kind's reading of its server address: sp_http_normalize_url() (ws(s) and a bare
 * host name accepted), without the API's own path (sp_xivo_base_path()).
 *
 * Returns: (transfer full) (nullable): the http(s) base that the API paths are appended
 *   to, without a trailing slash
 */
char *
sp_xivo_source_normalize_url (const char  *url,
                              GError     **error)
{
  g_autofree char *normalized = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GUri) uri = NULL;

  normalized = sp_http_normalize_url (url, SP_HTTP_URL_WEBSOCKET | SP_HTTP_URL_BARE_HOST,
                                      "https://XIVO-HOST", error);
  if (normalized == NULL)
    return NULL;

  uri = g_uri_parse (normalized, G_URI_FLAGS_ENCODED, NULL);
  g_assert (uri != NULL);
  path = sp_xivo_base_path (g_uri_get_path (uri));

  return g_uri_join (G_URI_FLAGS_ENCODED, g_uri_get_scheme (uri), NULL, g_uri_get_host (uri),
                     g_uri_get_port (uri), path, NULL, NULL);
}

SpSource *
sp_xivo_source_new (SpAccount *account)
{
  return g_object_new (SP_TYPE_XIVO_SOURCE, "account", account, NULL);
}

/**
 * sp_xivo_source_get_token:
 *
 * Returns: (nullable): the live CTI token, a credential: for the third-party web service
 *   only, never to be logged
 */
const char *
sp_xivo_source_get_token (SpXivoSource *self)
{
  g_return_val_if_fail (SP_IS_XIVO_SOURCE (self), NULL);

  return self->token;
}

/**
 * sp_xivo_source_get_agent_id:
 *
 * Returns: the agent's id once an AgentStateEvent named it, else 0
 */
gint64
sp_xivo_source_get_agent_id (SpXivoSource *self)
{
  g_return_val_if_fail (SP_IS_XIVO_SOURCE (self), 0);

  return self->agent.id;
}

const char *
sp_xivo_source_get_agent_state (SpXivoSource *self)
{
  g_return_val_if_fail (SP_IS_XIVO_SOURCE (self), NULL);

  return self->agent.state;
}

const char *
sp_xivo_source_get_agent_cause (SpXivoSource *self)
{
  g_return_val_if_fail (SP_IS_XIVO_SOURCE (self), NULL);

  return self->agent.cause;
}
