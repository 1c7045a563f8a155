/* sp-basix-source.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-basix"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "sp-account.h"
#include "sp-frame-queue.h"
#include "sp-basix-calls.h"
#include "sp-basix-model.h"
#include "sp-basix-ticket.h"
#include "sp-basix-source.h"
#include "sp-basix-source-private.h"
#include "sp-bert.h"
#include "sp-http.h"
#include "sp-secret.h"

/*
 * Basix ws_cti (see protocols/basix_ws_cti.md): one WebSocket, binary frames, each one
 * Erlang term. The server sends field specs, a snapshot per element category and then
 * changes; sp-basix-model keeps the elements. This file is the connection: the ticket, the
 * WebSocket, the actions. sp-basix-source-frames.c takes the frames in order (big ones
 * decoded in a worker thread) and the system messages: it feeds each frame to the model and
 * what it changed to the calls mapping (sp-basix-calls.c), which says which channels ring
 * the account's user and what call events they make; the live window follows the model
 * through this source's signals. The two files share sp-basix-source-private.h.
 *
 * Account settings:
 *   url      the server, e.g. https://bcs.brastel.com (ws_cti path added when missing)
 *   login    the user selector's value when the `user_selector` option is not given
 *   options  domain, auth (token | ticket), app_name, full_events, forced, force,
 *            user_selector (user_id, user_name, user_label, user_extension, user_did,
 *            user_email) and user (its value)
 * The keyring holds the API token.
 */

/* How long a connection attempt (ticket request included) may take. */
#define CONNECT_TIMEOUT_SECONDS 15
/* A 10 000-channel initial_info is about 5.7 MB: make room for far more than that. */
#define MAX_INCOMING_PAYLOAD (16 * 1024 * 1024)
/* Our own pings, so that the server and every proxy on the way see traffic. */
#define KEEPALIVE_SECONDS 30

#define WS_CTI_PATH "/basix/api/ws_cti"
#define TICKET_PATH "/basix/api/gen_ws_ticket"

static const char * const selectors[] = {
  SP_BASIX_SELECTOR_USER_ID, SP_BASIX_SELECTOR_USER_NAME, SP_BASIX_SELECTOR_USER_LABEL,
  SP_BASIX_SELECTOR_USER_EXTENSION, SP_BASIX_SELECTOR_USER_DID, SP_BASIX_SELECTOR_USER_EMAIL,
  NULL
};

G_DEFINE_FINAL_TYPE (SpBasixSource, sp_basix_source, SP_TYPE_SOURCE)

guint sp_basix_source_signals[N_SIGNALS];

char *
sp_basix_source_dup_option (SpBasixSource *self,
                            const char    *key)
{
  return sp_account_dup_option (sp_source_get_account (SP_SOURCE (self)), key);
}

static gboolean
option_is_true (const char *value)
{
  return value != NULL && (g_ascii_strcasecmp (value, "true") == 0 ||
                           g_str_equal (value, "1") ||
                           g_ascii_strcasecmp (value, "yes") == 0);
}

/* The user selector: the `user_selector` option names the kind (user_name by default),
 * its value is the `user` option, or else the account's login. */
static void
get_selector (SpBasixSource  *self,
              char          **out_selector,
              char          **out_value)
{
  g_autofree char *selector = sp_basix_source_dup_option (self, SP_BASIX_OPTION_USER_SELECTOR);
  g_autofree char *value = sp_basix_source_dup_option (self, SP_BASIX_OPTION_USER);

  *out_selector = NULL;
  *out_value = NULL;

  /* A selector given directly as an option (user_extension=201) works too. */
  if (selector == NULL || *selector == '\0')
    {
      for (guint i = 0; selectors[i] != NULL; i++)
        {
          g_autofree char *direct = sp_basix_source_dup_option (self, selectors[i]);

          if (direct != NULL && *direct != '\0')
            {
              *out_selector = g_strdup (selectors[i]);
              *out_value = g_steal_pointer (&direct);
              return;
            }
        }
      g_clear_pointer (&selector, g_free);
      selector = g_strdup (SP_BASIX_SELECTOR_USER_NAME);
    }

  if (value == NULL || *value == '\0')
    {
      g_clear_pointer (&value, g_free);
      value = sp_account_dup_login (sp_source_get_account (SP_SOURCE (self)));
    }

  if (value == NULL || *value == '\0')
    return;

  *out_selector = g_steal_pointer (&selector);
  *out_value = g_steal_pointer (&value);
}

/* The path and query of the ws_cti request, the exact string a ticket is requested for.
 * @app_name: the application name the server counts connections by; @full_events: "true"
 * for every channel of the PBX; @forced: "true" to take over when the connection limit is
 * reached, @force the same under the README's older spelling; @selector: `user_id`,
 * `user_name`, … and @selector_value its value. Each may be %NULL. */
static char *
build_uri (const char *app_name,
           const char *full_events,
           const char *forced,
           const char *force,
           const char *selector,
           const char *selector_value)
{
  GString *uri = g_string_new (WS_CTI_PATH "?app_name=");

  g_string_append_uri_escaped (uri, app_name && *app_name ? app_name : DEFAULT_APP_NAME,
                               NULL, FALSE);
  if (option_is_true (full_events))
    g_string_append (uri, "&full_events=true");
  else if (selector != NULL && selector_value != NULL && *selector_value != '\0')
    {
      g_string_append_printf (uri, "&%s=", selector);
      g_string_append_uri_escaped (uri, selector_value, NULL, FALSE);
    }
  /* The docs say `forced`, the README `force`: each is sent only when asked for. */
  if (option_is_true (forced))
    g_string_append (uri, "&forced=true");
  if (option_is_true (force))
    g_string_append (uri, "&force=true");

  return g_string_free (uri, FALSE);
}

/**
 * sp_basix_source_normalize_url:
 * @url: the account's address as typed: http, https, ws or wss, with a host
 * @error: why it cannot be a Basix server, in words
 *
 * The kind's reading of its server address: sp_http_normalize_url(), then only the server
 * part (the ws_cti path is the source's to add).
 *
 * Returns: (transfer full) (nullable): http(s)://host[:port], without a path
 */
char *
sp_basix_source_normalize_url (const char  *url,
                               GError     **error)
{
  g_autofree char *normalized = NULL;
  g_autoptr(GUri) uri = NULL;

  normalized = sp_http_normalize_url (url, SP_HTTP_URL_WEBSOCKET, "https://bcs.brastel.com",
                                      error);
  if (normalized == NULL)
    return NULL;

  uri = g_uri_parse (normalized, G_URI_FLAGS_ENCODED, NULL);
  g_assert (uri != NULL);

  return g_uri_join (G_URI_FLAGS_ENCODED, g_uri_get_scheme (uri), NULL, g_uri_get_host (uri),
                     g_uri_get_port (uri), "", NULL, NULL);
}

static char *
basic_authorization (const char *user,
                     const char *password)
{
  g_autofree char *pair = g_strconcat (user, ":", password, NULL);
  g_autofree char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));

  memset (pair, 0, strlen (pair));

  return g_strconcat ("Basic ", encoded, NULL);
}


static void
message_cb (SpBasixSource           *self,
            SoupWebsocketDataType    type,
            GBytes                  *message,
            SoupWebsocketConnection *connection)
{
  sp_source_touch (SP_SOURCE (self));
  sp_frame_queue_push (self->frames, sp_frame_new (type, message));
}

static void
closed_cb (SpBasixSource           *self,
           SoupWebsocketConnection *connection)
{
  g_autoptr(GError) error = NULL;
  const char *data = soup_websocket_connection_get_close_data (connection);
  gushort code = soup_websocket_connection_get_close_code (connection);

  /* What came before the close counts: handle it before the connection is given up. */
  sp_frame_queue_flush (self->frames);
  if (data != NULL && *data != '\0')
    error = g_error_new (SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                         _("The Basix server closed the connection (%u: %s)"), code, data);
  else
    error = g_error_new_literal (SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                                 _("The Basix server closed the connection"));
  sp_source_connection_lost (SP_SOURCE (self), error);
}

static void
error_cb (SpBasixSource           *self,
          GError                  *error,
          SoupWebsocketConnection *connection)
{
  g_debug ("[%s] WebSocket error: %s", sp_source_get_account_id (SP_SOURCE (self)),
           error->message);
}

/* Connecting */

typedef struct
{
  char         *server;       /* http(s)://host[:port] */
  char         *uri;          /* path and query of ws_cti */
  char         *domain;
  char         *token;
  gboolean      ticket;
  SoupMessage  *msg;
} ConnectData;

static void
connect_data_free (ConnectData *data)
{
  g_clear_object (&data->msg);
  g_clear_pointer (&data->token, sp_secret_free);
  g_free (data->server);
  g_free (data->uri);
  g_free (data->domain);
  g_free (data);
}

/* What Basix means by the statuses that are not self-explanatory. */
static const SpHttpStatus basix_statuses[] = {
  { SOUP_STATUS_UNAUTHORIZED, SP_SOURCE_ERROR_AUTH,
    N_("Basix rejected the domain or the API token"), N_("Check both in the account") },
  { SOUP_STATUS_FORBIDDEN, SP_SOURCE_ERROR_AUTH,
    N_("Basix does not allow this"),
    N_("The API token or the user may lack the permission, or full events need a PBX admin") },
  { 0, }
};

/* Fails the attempt with what went wrong with @data's request (@cause, or its status); @what
 * is what its address should have been. */
static void
return_http_error (GTask        *task,
                   ConnectData  *data,
                   const char   *what,
                   const GError *cause)
{
  GError *error = NULL;

  g_assert (cause != NULL);

  sp_http_check_answer (data->msg, cause, what, basix_statuses, &error);
  g_task_return_error (task, error);
}

static void
websocket_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpBasixSource *self = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);
  g_autoptr(SoupWebsocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  connection = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (connection == NULL)
    {
      return_http_error (task, data, _("a Basix ws_cti WebSocket"), error);
      return;
    }

  g_debug ("[%s] Connected to %s%s", sp_source_get_account_id (SP_SOURCE (self)),
           data->server, WS_CTI_PATH);

  /* Everything the last connection knew is stale: the server sends it all again. */
  sp_basix_source_stop_following (self);
  sp_basix_model_reset (self->model);
  sp_basix_calls_model_reset (self->calls);
  g_signal_emit (self, sp_basix_source_signals[MODEL_RESET], 0);

  self->connection = g_steal_pointer (&connection);
  soup_websocket_connection_set_max_incoming_payload_size (self->connection, MAX_INCOMING_PAYLOAD);
  soup_websocket_connection_set_keepalive_interval (self->connection, KEEPALIVE_SECONDS);

  g_signal_connect_object (self->connection, "message", G_CALLBACK (message_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->connection, "closed", G_CALLBACK (closed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->connection, "error", G_CALLBACK (error_cb), self,
                           G_CONNECT_SWAPPED);

  g_task_return_boolean (task, TRUE);
}

static void
open_websocket (GTask      *task,
                const char *user,
                const char *password)
{
  SpBasixSource *self = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);
  g_autofree char *url = g_strconcat (data->server, data->uri, NULL);
  g_autofree char *authorization = NULL;

  g_clear_object (&data->msg);
  data->msg = soup_message_new (SOUP_METHOD_GET, url);
  if (data->msg == NULL)
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                               _("“%s” is not a server address"), data->server);
      return;
    }

  /* Explicitly: many WebSocket stacks drop credentials given in the URL. */
  authorization = basic_authorization (user, password);
  soup_message_headers_replace (soup_message_get_request_headers (data->msg), "Authorization",
                                authorization);
  memset (authorization, 0, strlen (authorization));

  g_debug ("[%s] Connecting to %s%s", sp_source_get_account_id (SP_SOURCE (self)),
           data->server, WS_CTI_PATH);

  soup_session_websocket_connect_async (self->session, data->msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        g_task_get_cancellable (task), websocket_cb,
                                        g_object_ref (task));
}

static void
ticket_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *ticket = NULL;
  gint64 code = -1;

  root = sp_http_read_json_finish (SOUP_SESSION (object), result, &error);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (root == NULL)
    {
      return_http_error (task, data, _("a Basix ticket service"), error);
      return;
    }

  ticket = sp_basix_ticket_from_answer (root, &code);
  if (ticket == NULL)
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                               _("Basix did not give a connection ticket (result code %lld); check the domain, the API token and the user in the account"),
                               (long long) code);
      return;
    }

  open_websocket (task, "ws_ticket", ticket);
}

static void
request_ticket (GTask *task)
{
  SpBasixSource *self = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);
  g_autofree char *url = g_strconcat (data->server, TICKET_PATH, NULL);
  g_autofree char *authorization = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GBytes) body = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "uri");
  json_builder_add_string_value (builder, data->uri);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  data->msg = soup_message_new (SOUP_METHOD_POST, url);
  if (data->msg == NULL)
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                               _("“%s” is not a server address"), data->server);
      return;
    }

  json = json_to_string (root, FALSE);
  body = g_bytes_new (json, strlen (json));
  soup_message_set_request_body_from_bytes (data->msg, "application/json", body);
  authorization = basic_authorization (data->domain, data->token);
  soup_message_headers_replace (soup_message_get_request_headers (data->msg), "Authorization",
                                authorization);
  soup_message_headers_replace (soup_message_get_request_headers (data->msg), "Accept",
                                "application/json");
  memset (authorization, 0, strlen (authorization));

  g_debug ("[%s] Requesting a ticket from %s", sp_source_get_account_id (SP_SOURCE (self)), url);

  sp_http_read_json_async (self->session, data->msg, &sp_basix_ticket_rules,
                           g_task_get_cancellable (task),
                           ticket_cb, g_object_ref (task));
}

static void
secret_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->token = sp_source_lookup_secret_finish (SP_SOURCE (object), result, &error);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (error != NULL)
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                               _("Could not read the account’s API token from the keyring: %s"),
                               error->message);
      return;
    }

  if (data->token == NULL || *data->token == '\0')
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_AUTH,
                               _("No Basix API token is stored for this account. Create one in the Basix web interface and add the account again with it"));
      return;
    }

  if (data->ticket)
    request_ticket (task);
  else
    open_websocket (task, data->domain, data->token);
}

static void
sp_basix_source_connect_async (SpSource            *source,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  SpBasixSource *self = SP_BASIX_SOURCE (source);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *configured = sp_account_dup_url (sp_source_get_account (source));
  g_autofree char *auth = sp_basix_source_dup_option (self, SP_BASIX_OPTION_AUTH);
  g_autofree char *app_name = sp_basix_source_dup_option (self, SP_BASIX_OPTION_APP_NAME);
  g_autofree char *full = sp_basix_source_dup_option (self, SP_BASIX_OPTION_FULL_EVENTS);
  g_autofree char *forced = sp_basix_source_dup_option (self, SP_BASIX_OPTION_FORCED);
  g_autofree char *force = sp_basix_source_dup_option (self, SP_BASIX_OPTION_FORCE);
  g_autofree char *selector = NULL;
  g_autofree char *value = NULL;
  ConnectData *data;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_basix_source_connect_async);

  data = g_new0 (ConnectData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) connect_data_free);

  data->server = sp_basix_source_normalize_url (configured, &error);
  if (data->server == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data->domain = sp_basix_source_dup_option (self, SP_BASIX_OPTION_DOMAIN);
  if (data->domain == NULL || *data->domain == '\0')
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                               _("The Basix account has no domain; enter the PBX domain the API token belongs to"));
      return;
    }

  sp_basix_calls_set_full_events (self->calls, option_is_true (full));
  data->ticket = g_strcmp0 (auth, SP_BASIX_AUTH_TICKET) == 0;
  if (data->ticket && option_is_true (full))
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                               _("Basix tickets do not allow the whole PBX’s events; turn off “full events” or use the API token directly"));
      return;
    }

  get_selector (self, &selector, &value);
  data->uri = build_uri (app_name, full, forced, force, selector, value);

  if (self->session == NULL)
    {
      self->session = sp_http_session_new ();
      /* The README turns permessage-deflate off: never offer it. */
      soup_session_remove_feature_by_type (self->session,
                                           SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);
    }
  sp_http_session_pin_account (self->session, sp_source_get_account (source));

  /* The base class gives up the attempt at its deadline, through this cancellable. */
  sp_source_lookup_secret_async (source, cancellable, secret_cb, g_steal_pointer (&task));
}

static gboolean
sp_basix_source_connect_finish (SpSource      *source,
                                GAsyncResult  *result,
                                GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
sp_basix_source_disconnect (SpSource *source)
{
  SpBasixSource *self = SP_BASIX_SOURCE (source);

  if (self->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->connection, self);
      if (soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&self->connection);
    }
  if (self->frames != NULL)
    sp_frame_queue_clear (self->frames);
  sp_basix_source_drop_pending (self);
  /* The tracked calls stay: the next snapshot tells which of them ended meanwhile. */
}

/* Tells the calls mapping who the user is and which channels the connection gets. */
static void
account_changed_cb (SpBasixSource *self)
{
  g_autofree char *full = sp_basix_source_dup_option (self, SP_BASIX_OPTION_FULL_EVENTS);
  g_autofree char *selector = NULL;
  g_autofree char *value = NULL;
  g_auto(GStrv) extensions = NULL;

  get_selector (self, &selector, &value);
  extensions = sp_account_dup_extensions (sp_source_get_account (SP_SOURCE (self)));
  sp_basix_calls_set_full_events (self->calls, option_is_true (full));
  sp_basix_calls_set_user (self->calls, selector, value, (const char * const *) extensions);
}

static void
sp_basix_source_constructed (GObject *object)
{
  SpBasixSource *self = (SpBasixSource *)object;
  SpAccount *account;

  G_OBJECT_CLASS (sp_basix_source_parent_class)->constructed (object);

  self->calls = sp_basix_calls_new (sp_source_get_account_id (SP_SOURCE (self)), self->model);

  /* Settings are read once, not for each of 10 000 channels. */
  account = sp_source_get_account (SP_SOURCE (self));
  if (account != NULL)
    g_signal_connect_object (sp_account_get_settings (account), "changed",
                             G_CALLBACK (account_changed_cb), self, G_CONNECT_SWAPPED);
  account_changed_cb (self);
}

static void
sp_basix_source_dispose (GObject *object)
{
  SpBasixSource *self = (SpBasixSource *)object;

  sp_basix_source_disconnect (SP_SOURCE (self));
  g_clear_pointer (&self->frames, sp_frame_queue_free);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (sp_basix_source_parent_class)->dispose (object);
}

static void
sp_basix_source_finalize (GObject *object)
{
  SpBasixSource *self = (SpBasixSource *)object;

  /* The calls mapping reads the model: it goes first. */
  g_clear_pointer (&self->calls, sp_basix_calls_free);
  g_clear_pointer (&self->model, sp_basix_model_free);

  G_OBJECT_CLASS (sp_basix_source_parent_class)->finalize (object);
}

/* Actions */

static gboolean
is_open (SpBasixSource *self)
{
  return self->connection != NULL &&
         soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN;
}

/* ws_cti takes client commands as JSON text frames (not in its README: basix_ws_cti.js
 * lib/cti.js:235-246 sends JSON.stringify ({cmd: "hangup", uuid}); protocols/basix_ws_cti.md §2). Of them, hangup ends one channel: a ringing call is
 * declined, a call in progress hung up. The server answers with the channel's
 * CHANNEL_HANGUP event, not with a reply. */
static gboolean
sp_basix_source_can_perform (SpSource       *source,
                             SpSourceAction  action)
{
  return action == SP_SOURCE_ACTION_HANGUP && is_open (SP_BASIX_SOURCE (source));
}

static void
sp_basix_source_perform_async (SpSource            *source,
                               SpSourceAction       action,
                               const char          *call_id,
                               GVariant            *param,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  SpBasixSource *self = SP_BASIX_SOURCE (source);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GVariant) sunk = param ? g_variant_ref_sink (param) : NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  g_task_set_source_tag (task, sp_basix_source_perform_async);

  if (!sp_basix_source_can_perform (source, action))
    {
      if (!is_open (self))
        g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                                 _("Not connected to Basix"));
      else
        g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_UNSUPPORTED,
                                 _("This Basix account cannot “%s”"),
                                 sp_source_action_to_string (action));
      return;
    }

  /* The call's id is its channel's uuid (SpBasixCalls). */
  if (call_id == NULL || *call_id == '\0')
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("There is no call to hang up"));
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "cmd");
  json_builder_add_string_value (builder, "hangup");
  json_builder_set_member_name (builder, "uuid");
  json_builder_add_string_value (builder, call_id);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);

  g_debug ("[%s] Hanging up channel %s", sp_source_get_account_id (source), call_id);
  soup_websocket_connection_send_text (self->connection, text);
  g_task_return_boolean (task, TRUE);
}

static gboolean
sp_basix_source_perform_finish (SpSource      *source,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, source), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
sp_basix_source_class_init (SpBasixSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  SpSourceClass *source_class = SP_SOURCE_CLASS (klass);

  object_class->constructed = sp_basix_source_constructed;
  object_class->dispose = sp_basix_source_dispose;
  object_class->finalize = sp_basix_source_finalize;

  source_class->connect_async = sp_basix_source_connect_async;
  source_class->connect_finish = sp_basix_source_connect_finish;
  source_class->disconnect = sp_basix_source_disconnect;
  source_class->can_perform = sp_basix_source_can_perform;
  source_class->perform_async = sp_basix_source_perform_async;
  source_class->perform_finish = sp_basix_source_perform_finish;

  /**
   * SpBasixSource::model-changed:
   * @category: the element category
   * @changes: (element-type SpBasixChange): what changed, valid during the emission
   *
   * Elements of the model changed (for live views).
   */
  sp_basix_source_signals[MODEL_CHANGED] =
    g_signal_new ("model-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_POINTER);

  /**
   * SpBasixSource::model-reset:
   *
   * A new connection threw every element away; the server is about to send them again.
   */
  sp_basix_source_signals[MODEL_RESET] =
    g_signal_new ("model-reset", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
sp_basix_source_init (SpBasixSource *self)
{
  self->model = sp_basix_model_new ();
  self->frames = sp_frame_queue_new (self, sp_basix_source_handle_frame,
                                     (GDestroyNotify) sp_frame_free);
  sp_source_set_connect_timeout (SP_SOURCE (self), CONNECT_TIMEOUT_SECONDS * 1000);
}

SpSource *
sp_basix_source_new (SpAccount *account)
{
  return g_object_new (SP_TYPE_BASIX_SOURCE, "account", account, NULL);
}

/**
 * sp_basix_source_get_model:
 *
 * Returns: (transfer none): the element store of the current connection
 */
SpBasixModel *
sp_basix_source_get_model (SpBasixSource *self)
{
  g_return_val_if_fail (SP_IS_BASIX_SOURCE (self), NULL);

  return self->model;
}
