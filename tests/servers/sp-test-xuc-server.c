/* sp-test-xuc-server.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-test-xuc-server"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "sp-test-util.h"
#include "sp-test-xuc-server.h"

/* xuc as protocols/xivo.md describes it, reproduced in this same thread: a token from the
 * REST login is good for TTL seconds and opens the CTI WebSocket, which greets with
 * LoggedOn (or LoggedOnError, then closes). The user's line is DN 1000. Pings are answered
 * with a frame, which is what keeps cti.js's link alive; commands act as a phone would:
 * answer establishes the ringing call, pauseAgent and unpauseAgent change the agent's
 * state.
 *
 * After LoggedOn xuc pushes the user's record, `UserConfigUpdate` (xuc's User API,
 * https://documentation.xivo.solutions/en/2022.10/api_sdk/xuc/api/user.html, "User
 * Configuration": userId, firstName, lastName, fullName, the forwarding and DND flags and
 * destinations, mobileNumber, lineIds, voiceMailId, voiceMailEnabled), and it answers
 * `getList` of `queue` (cti.js's Cti.getList(objectType), generic API page
 * https://documentation.xivo.solutions/en/2021.07/api_sdk/xuc/api/generic.html) with
 * `QueueList`, an array of queue configurations (id, context, name, displayName, number, …),
 * as the CC Agent's queue pane reads them. The xucserver and xucmgt sources were not at hand
 * here; these shapes are the documentation's. The user is Ana Horvat (user 12, agent 3); the
 * queues are bluesky and edition, as in the third-party chapter's example. */

#define LOGIN_PATH "/xuc/api/2.0/auth/login"
#define CTI_PATH "/xuc/api/2.0/cti"
#define DN "1000"

struct _SpTestXucServer
{
  SoupServer *server;
  guint16     port;
  char       *login;
  char       *password;
  gint64      ttl;
  char       *logged_on_error;
  gboolean    silent;
  gint64      agent_id;
  char       *ttl_json;    /* the TTL member as sent, when not the integer */

  GHashTable *tokens;      /* token → gint64* monotonic expiry */
  char       *last_token;
  guint       n_logins;
  guint       n_failed_logins;
  GPtrArray  *clients;     /* (element-type SoupWebsocketConnection) */
  guint       n_links;
  GPtrArray  *frames;      /* (element-type utf8) every text frame received */
  GHashTable *calls;       /* linked id → JsonNode of its last PhoneEvent's ctiMessage */
  guint       serial;
};

static char *
node_to_string (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

static char *
wrap (const char *msg_type,
      JsonNode   *cti_message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "msgType");
  json_builder_add_string_value (builder, msg_type);
  json_builder_set_member_name (builder, "ctiMessage");
  json_builder_add_value (builder, json_node_copy (cti_message));
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  return node_to_string (root);
}

static void
send_to (SoupWebsocketConnection *connection,
         const char              *text)
{
  if (soup_websocket_connection_get_state (connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (connection, text);
}

void
sp_test_xuc_server_send (SpTestXucServer *self,
                         const char      *text)
{
  for (guint i = 0; i < self->clients->len; i++)
    send_to (g_ptr_array_index (self->clients, i), text);
}

static void
send_agent_state (SpTestXucServer *self,
                  const char      *name,
                  const char      *cause)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) cti = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "agentId");
  json_builder_add_int_value (builder, self->agent_id);
  json_builder_set_member_name (builder, "phoneNb");
  json_builder_add_string_value (builder, DN);
  json_builder_set_member_name (builder, "since");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "queues");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "cause");
  json_builder_add_string_value (builder, cause ? cause : "");
  json_builder_end_object (builder);
  cti = json_builder_get_root (builder);

  text = wrap ("AgentStateEvent", cti);
  sp_test_xuc_server_send (self, text);
}

/* Sends a PhoneEvent for an existing call with another type, keeping its details. */
static void
send_call_event (SpTestXucServer *self,
                 const char      *linked_id,
                 const char      *event_type)
{
  JsonNode *last = g_hash_table_lookup (self->calls, linked_id);
  g_autoptr(JsonNode) event = NULL;
  g_autofree char *text = NULL;

  if (last == NULL)
    return;

  event = json_node_copy (last);
  json_object_set_string_member (json_node_get_object (event), "eventType", event_type);
  text = wrap ("PhoneEvent", event);

  if (g_str_equal (event_type, "EventReleased"))
    g_hash_table_remove (self->calls, linked_id);
  else
    g_hash_table_replace (self->calls, g_strdup (linked_id), json_node_copy (event));

  sp_test_xuc_server_send (self, text);
}

static const char *
call_of_unique_id (SpTestXucServer *self,
                   const char      *unique_id)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->calls);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      JsonObject *object = json_node_get_object (value);

      if (unique_id == NULL || g_strcmp0 (json_object_get_string_member (object, "uniqueId"), unique_id) == 0)
        return key;
    }

  return NULL;
}

static void
handle_command (SpTestXucServer         *self,
                SoupWebsocketConnection *connection,
                JsonObject              *object)
{
  const char *command = json_object_get_string_member_with_default (object, "command", "");
  const char *unique_id = json_object_get_string_member_with_default (object, "uniqueId", NULL);

  if (g_str_equal (command, "getCurrentCallsPhoneEvents"))
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) cti = NULL;
      g_autofree char *text = NULL;
      GHashTableIter iter;
      gpointer value;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "events");
      json_builder_begin_array (builder);
      g_hash_table_iter_init (&iter, self->calls);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        json_builder_add_value (builder, json_node_copy (value));
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      cti = json_builder_get_root (builder);

      text = wrap ("CurrentCallsPhoneEvents", cti);
      send_to (connection, text);
    }
  else if (g_str_equal (command, "answer"))
    {
      const char *linked_id = call_of_unique_id (self, unique_id);

      if (linked_id != NULL)
        {
          g_autofree char *id = g_strdup (linked_id);

          send_call_event (self, id, "EventEstablished");
        }
    }
  else if (g_str_equal (command, "hangup"))
    {
      const char *linked_id = call_of_unique_id (self, unique_id);

      if (linked_id != NULL)
        {
          g_autofree char *id = g_strdup (linked_id);

          send_call_event (self, id, "EventReleased");
        }
    }
  else if (g_str_equal (command, "pauseAgent"))
    {
      send_agent_state (self, "AgentOnPause",
                        json_object_get_string_member_with_default (object, "reason", NULL));
    }
  else if (g_str_equal (command, "unpauseAgent"))
    {
      send_agent_state (self, "AgentReady", NULL);
    }
  else if (g_str_equal (command, "getList") &&
           g_strcmp0 (json_object_get_string_member_with_default (object, "objectType", ""), "queue") == 0)
    {
      send_to (connection,
               "{\"msgType\":\"QueueList\",\"ctiMessage\":["
               "{\"id\":1,\"context\":\"default\",\"name\":\"bluesky\",\"displayName\":\"Blue Sky\","
               "\"number\":\"3000\",\"recording_mode\":\"notrecorded\",\"recording_activated\":0},"
               "{\"id\":2,\"context\":\"default\",\"name\":\"edition\",\"displayName\":\"Édition\","
               "\"number\":\"3001\",\"recording_mode\":\"notrecorded\",\"recording_activated\":0}]}");
    }
  else if (g_str_equal (command, "dial"))
    {
      g_autofree char *linked_id = g_strdup_printf ("dial.%u", ++self->serial);

      sp_test_xuc_server_phone_event (self, "EventDialing", linked_id,
                                      json_object_get_string_member_with_default (object, "destination", ""),
                                      NULL, NULL, NULL);
    }
}

static void
message_cb (SoupWebsocketConnection *connection,
            SoupWebsocketDataType    type,
            GBytes                  *message,
            gpointer                 user_data)
{
  SpTestXucServer *self = user_data;
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize length;
  const char *data = g_bytes_get_data (message, &length);
  JsonObject *object;

  g_ptr_array_add (self->frames, g_strndup (data, length));

  if (self->silent)
    return;

  if (!json_parser_load_from_data (parser, data, length, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;

  object = json_node_get_object (json_parser_get_root (parser));

  if (g_strcmp0 (json_object_get_string_member_with_default (object, "claz", ""), "ping") == 0)
    send_to (connection, "{\"msgType\":\"Pong\",\"ctiMessage\":{}}");
  else if (g_strcmp0 (json_object_get_string_member_with_default (object, "claz", ""), "web") == 0)
    handle_command (self, connection, object);
}

static void
closed_cb (SoupWebsocketConnection *connection,
           gpointer                 user_data)
{
  SpTestXucServer *self = user_data;

  g_signal_handlers_disconnect_by_data (connection, self);
  g_ptr_array_remove (self->clients, connection);
}

static gboolean
token_is_live (SpTestXucServer *self,
               const char      *token)
{
  gint64 *expiry = token ? g_hash_table_lookup (self->tokens, token) : NULL;

  return expiry != NULL && g_get_monotonic_time () < *expiry;
}

/* Before the upgrade: a CTI link needs a live token. */
static void
cti_early_handler (SoupServer        *server,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  SpTestXucServer *self = user_data;
  const char *token = query ? g_hash_table_lookup (query, "token") : NULL;

  if (!token_is_live (self, token))
    soup_server_message_set_status (msg, SOUP_STATUS_FORBIDDEN, NULL);
}

static void
websocket_handler (SoupServer              *server,
                   SoupServerMessage       *msg,
                   const char              *path,
                   SoupWebsocketConnection *connection,
                   gpointer                 user_data)
{
  SpTestXucServer *self = user_data;

  self->n_links++;
  g_ptr_array_add (self->clients, g_object_ref (connection));
  soup_websocket_connection_set_keepalive_interval (connection, 0);
  g_signal_connect (connection, "message", G_CALLBACK (message_cb), self);
  g_signal_connect (connection, "closed", G_CALLBACK (closed_cb), self);

  if (self->logged_on_error != NULL)
    {
      g_autofree char *text = g_strdup_printf ("{\"msgType\":\"LoggedOnError\",\"ctiMessage\":{\"Error\":\"%s\"}}",
                                               self->logged_on_error);

      send_to (connection, text);
      soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      return;
    }

  if (self->silent)
    return;

  /* An agent's link learns the agent's state right after the session starts. */
  send_to (connection, "{\"msgType\":\"LoggedOn\",\"ctiMessage\":{}}");
  send_to (connection,
           "{\"msgType\":\"UserConfigUpdate\",\"ctiMessage\":{\"userId\":12,\"dndEnabled\":false,"
           "\"naFwdEnabled\":false,\"uncFwdEnabled\":false,\"busyFwdEnabled\":false,"
           "\"firstName\":\"Ana\",\"lastName\":\"Horvat\",\"fullName\":\"Ana Horvat\","
           "\"naFwdDestination\":\"\",\"uncFwdDestination\":\"\",\"busyFwdDestination\":\"\","
           "\"mobileNumber\":\"0915551234\",\"lineIds\":[3],\"voiceMailId\":7,\"voiceMailEnabled\":true}}");
  send_agent_state (self, "AgentReady", NULL);
}

static void
login_handler (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  SpTestXucServer *self = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *reply = NULL;
  JsonObject *object;
  gint64 *expiry;

  if (g_strcmp0 (soup_server_message_get_method (msg), SOUP_METHOD_POST) != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }

  if (!json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      reply = g_strdup ("{\"error\":\"InvalidJson\",\"message\":\"Invalid JSON\"}");
      soup_server_message_set_status (msg, SOUP_STATUS_BAD_REQUEST, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, reply, strlen (reply));
      return;
    }

  object = json_node_get_object (json_parser_get_root (parser));
  if (g_strcmp0 (json_object_get_string_member_with_default (object, "login", NULL), self->login) != 0 ||
      g_strcmp0 (json_object_get_string_member_with_default (object, "password", NULL), self->password) != 0)
    {
      self->n_failed_logins++;
      reply = g_strdup ("{\"error\":\"InvalidCredentials\",\"message\":\"Invalid credentials\"}");
      soup_server_message_set_status (msg, SOUP_STATUS_UNAUTHORIZED, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, reply, strlen (reply));
      return;
    }

  self->n_logins++;
  g_free (self->last_token);
  self->last_token = g_strdup_printf ("tok-%u-%08x", self->n_logins, g_random_int ());
  expiry = g_new (gint64, 1);
  *expiry = g_get_monotonic_time () + self->ttl * G_USEC_PER_SEC;
  g_hash_table_insert (self->tokens, g_strdup (self->last_token), expiry);

  if (self->ttl_json != NULL)
    reply = g_strdup_printf ("{\"login\":\"%s\",\"token\":\"%s\",\"TTL\":%s}",
                             self->login, self->last_token, self->ttl_json);
  else
    reply = g_strdup_printf ("{\"login\":\"%s\",\"token\":\"%s\",\"TTL\":%" G_GINT64_FORMAT "}",
                             self->login, self->last_token, self->ttl);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, reply, strlen (reply));
}

/**
 * sp_test_xuc_server_new:
 * @port: the port, or 0 for any free one
 * @login: the only login accepted
 * @password: its password
 * @ttl_seconds: how long a token lives
 *
 * Returns: (transfer full): a server listening on 127.0.0.1
 */
SpTestXucServer *
sp_test_xuc_server_new (guint16     port,
                        const char *login,
                        const char *password,
                        gint64      ttl_seconds)
{
  SpTestXucServer *self = g_new0 (SpTestXucServer, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  self->login = g_strdup (login);
  self->password = g_strdup (password);
  self->ttl = ttl_seconds;
  self->agent_id = 3;
  self->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->clients = g_ptr_array_new_with_free_func (g_object_unref);
  self->frames = g_ptr_array_new_with_free_func (g_free);
  self->calls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_node_unref);

  self->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (self->server, LOGIN_PATH, login_handler, self, NULL);
  soup_server_add_early_handler (self->server, CTI_PATH, cti_early_handler, self, NULL);
  soup_server_add_websocket_handler (self->server, CTI_PATH, NULL, NULL, websocket_handler, self, NULL);
  soup_server_listen (self->server, address, 0, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (self->server);
  g_assert_nonnull (uris);
  self->port = (guint16) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return self;
}

/**
 * sp_test_xuc_server_dup_url:
 *
 * Returns: (transfer full): the base address a user would type, `http://127.0.0.1:PORT`
 */
char *
sp_test_xuc_server_dup_url (SpTestXucServer *self)
{
  return g_strdup_printf ("http://127.0.0.1:%u", self->port);
}

guint16
sp_test_xuc_server_get_port (SpTestXucServer *self)
{
  return self->port;
}

void
sp_test_xuc_server_set_ttl (SpTestXucServer *self,
                            gint64           ttl_seconds)
{
  self->ttl = ttl_seconds;
}

/**
 * sp_test_xuc_server_set_ttl_json:
 * @json: (nullable): the login answer's `TTL` as written (`"3600"`, `3600.0`); %NULL for
 *   the integer of sp_test_xuc_server_set_ttl(). Tokens still live that integer.
 */
void
sp_test_xuc_server_set_ttl_json (SpTestXucServer *self,
                                 const char      *json)
{
  g_free (self->ttl_json);
  self->ttl_json = g_strdup (json);
}

/**
 * sp_test_xuc_server_set_logged_on_error:
 * @error: (nullable): `loggedOnFailed` or `loggedOnTimeout` to refuse every new CTI link
 *   that way; %NULL to accept them again
 */
void
sp_test_xuc_server_set_logged_on_error (SpTestXucServer *self,
                                        const char      *error)
{
  g_free (self->logged_on_error);
  self->logged_on_error = g_strdup (error);
}

/**
 * sp_test_xuc_server_set_silent:
 * @silent: whether the server stops saying anything: no LoggedOn, no answers to pings or
 *   commands (frames are still recorded)
 */
void
sp_test_xuc_server_set_silent (SpTestXucServer *self,
                               gboolean         silent)
{
  self->silent = silent;
}

void
sp_test_xuc_server_set_agent (SpTestXucServer *self,
                              gint64           agent_id)
{
  self->agent_id = agent_id;
}

guint
sp_test_xuc_server_get_n_logins (SpTestXucServer *self)
{
  return self->n_logins;
}

guint
sp_test_xuc_server_get_n_failed_logins (SpTestXucServer *self)
{
  return self->n_failed_logins;
}

/**
 * sp_test_xuc_server_get_last_token:
 *
 * Returns: (nullable): the token of the last successful login
 */
const char *
sp_test_xuc_server_get_last_token (SpTestXucServer *self)
{
  return self->last_token;
}

guint
sp_test_xuc_server_get_n_clients (SpTestXucServer *self)
{
  return self->clients->len;
}

/**
 * sp_test_xuc_server_get_n_links:
 *
 * Returns: how many CTI links were opened since the server started
 */
guint
sp_test_xuc_server_get_n_links (SpTestXucServer *self)
{
  return self->n_links;
}

typedef struct
{
  SpTestXucServer *self;
  guint            n;
  const char      *pattern;
} Wait;

static gboolean
has_clients (gpointer user_data)
{
  Wait *wait = user_data;

  return wait->self->clients->len >= wait->n;
}

gboolean
sp_test_xuc_server_wait_for_clients (SpTestXucServer *self,
                                     guint            n_clients,
                                     guint            timeout_ms)
{
  Wait wait = { self, n_clients, NULL };

  return sp_test_wait_until (has_clients, &wait, timeout_ms);
}

/**
 * sp_test_xuc_server_get_frames:
 *
 * Returns: (transfer none) (element-type utf8): every text frame received, oldest first
 */
GPtrArray *
sp_test_xuc_server_get_frames (SpTestXucServer *self)
{
  return self->frames;
}

/**
 * sp_test_xuc_server_count_frames:
 * @pattern: a g_pattern_match_simple() pattern
 *
 * Returns: how many frames received match @pattern
 */
guint
sp_test_xuc_server_count_frames (SpTestXucServer *self,
                                 const char      *pattern)
{
  guint n = 0;

  for (guint i = 0; i < self->frames->len; i++)
    n += g_pattern_match_simple (pattern, g_ptr_array_index (self->frames, i));

  return n;
}

static gboolean
has_frames (gpointer user_data)
{
  Wait *wait = user_data;

  return sp_test_xuc_server_count_frames (wait->self, wait->pattern) >= wait->n;
}

gboolean
sp_test_xuc_server_wait_for_frame (SpTestXucServer *self,
                                   const char      *pattern,
                                   guint            count,
                                   guint            timeout_ms)
{
  Wait wait = { self, count, pattern };

  return sp_test_wait_until (has_frames, &wait, timeout_ms);
}

/**
 * sp_test_xuc_server_phone_event:
 * @event_type: `EventRinging`, `EventDialing`, `EventEstablished`, `EventReleased`, …
 * @linked_id: the call
 * @other_dn: (nullable): the remote number
 * @other_dname: (nullable): the remote name
 * @queue_name: (nullable): the queue
 * @...: pairs of userData key and value, ending with %NULL
 *
 * Sends a PhoneEvent on the user's line to every client, and remembers the call as live
 * (for getCurrentCallsPhoneEvents) until it is released. The leg's uniqueId is
 * "@linked_id.1".
 */
void
sp_test_xuc_server_phone_event (SpTestXucServer *self,
                                const char      *event_type,
                                const char      *linked_id,
                                const char      *other_dn,
                                const char      *other_dname,
                                const char      *queue_name,
                                ...)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) event = NULL;
  g_autofree char *unique_id = g_strconcat (linked_id, ".1", NULL);
  g_autofree char *text = NULL;
  va_list args;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "eventType");
  json_builder_add_string_value (builder, event_type);
  json_builder_set_member_name (builder, "DN");
  json_builder_add_string_value (builder, DN);
  if (other_dn != NULL)
    {
      json_builder_set_member_name (builder, "otherDN");
      json_builder_add_string_value (builder, other_dn);
    }
  if (other_dname != NULL)
    {
      json_builder_set_member_name (builder, "otherDName");
      json_builder_add_string_value (builder, other_dname);
    }
  json_builder_set_member_name (builder, "linkedId");
  json_builder_add_string_value (builder, linked_id);
  json_builder_set_member_name (builder, "uniqueId");
  json_builder_add_string_value (builder, unique_id);
  if (queue_name != NULL)
    {
      json_builder_set_member_name (builder, "queueName");
      json_builder_add_string_value (builder, queue_name);
    }
  json_builder_set_member_name (builder, "userData");
  json_builder_begin_object (builder);
  va_start (args, queue_name);
  for (const char *key = va_arg (args, const char *); key != NULL; key = va_arg (args, const char *))
    {
      json_builder_set_member_name (builder, key);
      json_builder_add_string_value (builder, va_arg (args, const char *));
    }
  va_end (args);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  event = json_builder_get_root (builder);

  if (g_str_equal (event_type, "EventReleased"))
    g_hash_table_remove (self->calls, linked_id);
  else
    g_hash_table_replace (self->calls, g_strdup (linked_id), json_node_copy (event));

  text = wrap ("PhoneEvent", event);
  sp_test_xuc_server_send (self, text);
}

/**
 * sp_test_xuc_server_forget_call:
 *
 * The call ends without a word to anybody, as when it ends while the link is down.
 */
void
sp_test_xuc_server_forget_call (SpTestXucServer *self,
                                const char      *linked_id)
{
  g_hash_table_remove (self->calls, linked_id);
}

/**
 * sp_test_xuc_server_drop_links:
 *
 * Cuts every CTI link at the TCP level, without a close frame, as a crashed server or a
 * dead network does.
 */
void
sp_test_xuc_server_drop_links (SpTestXucServer *self)
{
  while (self->clients->len > 0)
    {
      g_autoptr(SoupWebsocketConnection) connection = g_object_ref (g_ptr_array_index (self->clients, 0));

      g_signal_handlers_disconnect_by_data (connection, self);
      g_ptr_array_remove_index (self->clients, 0);
      g_io_stream_close (soup_websocket_connection_get_io_stream (connection), NULL, NULL);
    }
}

void
sp_test_xuc_server_free (SpTestXucServer *self)
{
  if (self == NULL)
    return;

  for (guint i = 0; i < self->clients->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->clients, i), self);
  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_clear_pointer (&self->clients, g_ptr_array_unref);
  g_clear_pointer (&self->frames, g_ptr_array_unref);
  g_clear_pointer (&self->tokens, g_hash_table_unref);
  g_clear_pointer (&self->calls, g_hash_table_unref);
  g_free (self->login);
  g_free (self->password);
  g_free (self->logged_on_error);
  g_free (self->last_token);
  g_free (self->ttl_json);
  g_free (self);
}
