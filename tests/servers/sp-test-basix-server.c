/* sp-test-basix-server.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A local Basix ws_cti server: an in-process SoupServer on 127.0.0.1 that accepts the
 * upgrade of /basix/api/ws_cti only with Basic DOMAIN:TOKEN or Basic ws_ticket:TICKET (a
 * ticket from /basix/api/gen_ws_ticket, single use, for that exact URI), greets every
 * client with the frames the test set (field specs and snapshots, as the real server does
 * right after connecting) and sends binary frames on demand. It records what a test
 * wants to check: the request URI, whether permessage-deflate was offered, how many
 * handshakes and tickets there were. Its ticket service can also answer with a hostile body
 * (sp_test_basix_server_set_ticket_answer()). */

#define G_LOG_DOMAIN "sp-test-basix-server"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "sp-test-basix-server.h"
#include "sp-test-util.h"

struct _SpTestBasixServer
{
  SoupServer *server;
  char       *domain;
  char       *token;
  GPtrArray  *clients;      /* (element-type SoupWebsocketConnection) */
  GPtrArray  *greeting;     /* (element-type GBytes) */
  GHashTable *tickets;      /* ticket → the URI it is for */
  char       *last_uri;
  gboolean    offered_deflate;
  guint       n_handshakes;
  guint       n_tickets;
  guint64     serial;
  GPtrArray  *commands;     /* (element-type utf8) the clients' text frames */
  SpTestHostile      hostile_ticket;
  SpTestHostileStats hostile_stats;
};

static char *
basic (const char *user,
       const char *password)
{
  g_autofree char *pair = g_strconcat (user, ":", password, NULL);
  g_autofree char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));

  return g_strconcat ("Basic ", encoded, NULL);
}

static char *
request_uri (SoupServerMessage *msg)
{
  GUri *uri = soup_server_message_get_uri (msg);
  const char *query = g_uri_get_query (uri);

  return g_strconcat (g_uri_get_path (uri), query ? "?" : "", query ? query : "", NULL);
}

static gboolean
token_ok (SpTestBasixServer *self,
          SoupServerMessage *msg)
{
  const char *authorization = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                            "Authorization");
  g_autofree char *expected = basic (self->domain, self->token);

  return g_strcmp0 (authorization, expected) == 0;
}

/* Before the upgrade: check the credentials, as the real server does. */
static void
ws_early_cb (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  SpTestBasixServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");
  const char *extensions = soup_message_headers_get_one (headers, "Sec-WebSocket-Extensions");
  g_autofree char *uri = request_uri (msg);

  g_free (self->last_uri);
  self->last_uri = g_strdup (uri);
  if (extensions != NULL && strstr (extensions, "permessage-deflate") != NULL)
    self->offered_deflate = TRUE;

  if (token_ok (self, msg))
    return;

  if (authorization != NULL && g_str_has_prefix (authorization, "Basic "))
    {
      gsize len = 0;
      g_autofree char *decoded = (char *) g_base64_decode (authorization + 6, &len);
      g_autofree char *pair = g_strndup (decoded, len);

      if (g_str_has_prefix (pair, "ws_ticket:"))
        {
          const char *ticket = pair + strlen ("ws_ticket:");
          const char *for_uri = g_hash_table_lookup (self->tickets, ticket);

          if (g_strcmp0 (for_uri, uri) == 0)
            {
              /* Single use. */
              g_hash_table_remove (self->tickets, ticket);
              return;
            }
        }
    }

  soup_server_message_set_status (msg, SOUP_STATUS_UNAUTHORIZED, NULL);
}

static void
client_closed_cb (SoupWebsocketConnection *connection,
                  SpTestBasixServer       *self)
{
  g_ptr_array_remove (self->clients, connection);
}

/* Client commands are JSON text frames (brastelcloud/basix_ws_cti.js d8f4719 lib/cti.js:
 * park 218-233, hangup 235-246, transfer 248-262; protocols/basix_ws_cti.md §2): recorded as
 * they come. */
static void
client_message_cb (SoupWebsocketConnection *connection,
                   SoupWebsocketDataType    type,
                   GBytes                  *message,
                   gpointer                 user_data)
{
  SpTestBasixServer *self = user_data;

  if (type == SOUP_WEBSOCKET_DATA_TEXT)
    g_ptr_array_add (self->commands, g_strndup (g_bytes_get_data (message, NULL),
                                                g_bytes_get_size (message)));
}

static void
ws_cb (SoupServer              *server,
       SoupServerMessage       *msg,
       const char              *path,
       SoupWebsocketConnection *connection,
       gpointer                 user_data)
{
  SpTestBasixServer *self = user_data;

  self->n_handshakes++;
  soup_websocket_connection_set_max_incoming_payload_size (connection, 0);
  g_ptr_array_add (self->clients, g_object_ref (connection));
  g_signal_connect (connection, "closed", G_CALLBACK (client_closed_cb), self);
  g_signal_connect (connection, "message", G_CALLBACK (client_message_cb), self);

  for (guint i = 0; self->greeting != NULL && i < self->greeting->len; i++)
    {
      GBytes *frame = g_ptr_array_index (self->greeting, i);

      soup_websocket_connection_send_binary (connection, g_bytes_get_data (frame, NULL),
                                             g_bytes_get_size (frame));
    }
}

static void
ticket_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  SpTestBasixServer *self = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *ticket = NULL;
  g_autofree char *answer = NULL;
  JsonNode *root;
  const char *uri;

  if (soup_server_message_get_method (msg) != SOUP_METHOD_POST)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }

  if (!token_ok (self, msg))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_UNAUTHORIZED, NULL);
      return;
    }

  if (self->hostile_ticket != SP_TEST_HOSTILE_NONE)
    {
      sp_test_hostile_respond (msg, self->hostile_ticket, &self->hostile_stats);
      return;
    }

  bytes = soup_message_body_flatten (body);
  if (!json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                   g_bytes_get_size (bytes), NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (uri = json_object_get_string_member_with_default (json_node_get_object (root), "uri",
                                                         NULL)) == NULL ||
      strstr (uri, "full_events=true") != NULL)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        "{\"result_code\":1}", 17);
      return;
    }

  self->n_tickets++;
  ticket = g_strdup_printf ("t%" G_GUINT64_FORMAT "-%08x", ++self->serial, g_random_int ());
  g_hash_table_insert (self->tickets, g_strdup (ticket), g_strdup (uri));
  answer = g_strdup_printf ("{\"result_code\":0,\"ticket\":\"%s\"}", ticket);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    answer, strlen (answer));
}

/**
 * sp_test_basix_server_new:
 * @domain: the Basix domain the server accepts
 * @token: its API token
 *
 * Returns: (transfer full): a server listening on a free port of 127.0.0.1
 */
SpTestBasixServer *
sp_test_basix_server_new (const char  *domain,
                          const char  *token,
                          GError     **error)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  SpTestBasixServer *self = g_new0 (SpTestBasixServer, 1);

  self->domain = g_strdup (domain);
  self->token = g_strdup (token);
  self->clients = g_ptr_array_new_with_free_func (g_object_unref);
  self->commands = g_ptr_array_new_with_free_func (g_free);
  self->tickets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->server = soup_server_new (NULL, NULL);

  /* The README turns permessage-deflate off; so does this server, and it notes whether
   * the client offered it. */
  soup_server_remove_websocket_extension (self->server, SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);
  soup_server_add_early_handler (self->server, "/basix/api/ws_cti", ws_early_cb, self, NULL);
  soup_server_add_websocket_handler (self->server, "/basix/api/ws_cti", NULL, NULL, ws_cb,
                                     self, NULL);
  soup_server_add_handler (self->server, "/basix/api/gen_ws_ticket", ticket_cb, self, NULL);

  if (!soup_server_listen (self->server, address, 0, error))
    {
      sp_test_basix_server_free (self);
      return NULL;
    }

  return self;
}

/**
 * sp_test_basix_server_dup_url:
 *
 * Returns: (transfer full): http://127.0.0.1:PORT, what an account's URL holds
 */
char *
sp_test_basix_server_dup_url (SpTestBasixServer *self)
{
  GSList *uris = soup_server_get_uris (self->server);
  GUri *uri = uris->data;
  char *url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uri));

  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return url;
}

/**
 * sp_test_basix_server_set_greeting:
 * @frames: (element-type GBytes): what every new client gets first
 */
void
sp_test_basix_server_set_greeting (SpTestBasixServer *self,
                                   GPtrArray         *frames)
{
  g_clear_pointer (&self->greeting, g_ptr_array_unref);
  self->greeting = frames ? g_ptr_array_ref (frames) : NULL;
}

void
sp_test_basix_server_send_data (SpTestBasixServer *self,
                                const guint8      *data,
                                gsize              len)
{
  for (guint i = 0; i < self->clients->len; i++)
    {
      SoupWebsocketConnection *client = g_ptr_array_index (self->clients, i);

      if (soup_websocket_connection_get_state (client) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_send_binary (client, data, len);
    }
}

void
sp_test_basix_server_send (SpTestBasixServer *self,
                           GBytes            *frame)
{
  sp_test_basix_server_send_data (self, g_bytes_get_data (frame, NULL), g_bytes_get_size (frame));
}

/* Like a server that restarts: every client is dropped. */
void
sp_test_basix_server_drop_clients (SpTestBasixServer *self)
{
  g_autoptr(GPtrArray) clients = g_ptr_array_copy (self->clients, (GCopyFunc) g_object_ref, NULL);

  g_ptr_array_set_free_func (clients, g_object_unref);
  for (guint i = 0; i < clients->len; i++)
    {
      SoupWebsocketConnection *client = g_ptr_array_index (clients, i);

      if (soup_websocket_connection_get_state (client) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (client, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "restart");
    }
}

guint
sp_test_basix_server_get_n_clients (SpTestBasixServer *self)
{
  guint n = 0;

  for (guint i = 0; i < self->clients->len; i++)
    {
      if (soup_websocket_connection_get_state (g_ptr_array_index (self->clients, i)) ==
          SOUP_WEBSOCKET_STATE_OPEN)
        n++;
    }

  return n;
}

guint
sp_test_basix_server_get_n_handshakes (SpTestBasixServer *self)
{
  return self->n_handshakes;
}

guint
sp_test_basix_server_get_n_tickets (SpTestBasixServer *self)
{
  return self->n_tickets;
}

typedef struct
{
  SpTestBasixServer *self;
  guint              n;
} ClientsWait;

static gboolean
has_clients (gpointer user_data)
{
  ClientsWait *wait = user_data;

  return sp_test_basix_server_get_n_clients (wait->self) >= wait->n;
}

gboolean
sp_test_basix_server_wait_for_clients (SpTestBasixServer *self,
                                       guint              n_clients,
                                       guint              timeout_ms)
{
  ClientsWait wait = { self, n_clients };

  return sp_test_wait_until (has_clients, &wait, timeout_ms);
}

/**
 * sp_test_basix_server_get_last_uri:
 *
 * Returns: (nullable): path and query of the last ws_cti request
 */
const char *
sp_test_basix_server_get_last_uri (SpTestBasixServer *self)
{
  return self->last_uri;
}

gboolean
sp_test_basix_server_get_offered_deflate (SpTestBasixServer *self)
{
  return self->offered_deflate;
}

/**
 * sp_test_basix_server_set_ticket_answer:
 * @hostile: how gen_ws_ticket answers a request with the right token from now on;
 *   %SP_TEST_HOSTILE_NONE for a ticket
 */
void
sp_test_basix_server_set_ticket_answer (SpTestBasixServer *self,
                                        SpTestHostile      hostile)
{
  self->hostile_ticket = hostile;
}

/**
 * sp_test_basix_server_get_hostile_stats:
 *
 * Returns: (transfer none): what the hostile ticket answers did
 */
const SpTestHostileStats *
sp_test_basix_server_get_hostile_stats (SpTestBasixServer *self)
{
  return &self->hostile_stats;
}

void
sp_test_basix_server_free (SpTestBasixServer *self)
{
  for (guint i = 0; i < self->clients->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->clients, i), self);
  g_clear_pointer (&self->clients, g_ptr_array_unref);
  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_clear_pointer (&self->greeting, g_ptr_array_unref);
  g_clear_pointer (&self->tickets, g_hash_table_unref);
  g_clear_pointer (&self->commands, g_ptr_array_unref);
  g_free (self->last_uri);
  g_free (self->domain);
  g_free (self->token);
  g_free (self);
}

static gboolean
has_command (gpointer user_data)
{
  gpointer *args = user_data;
  SpTestBasixServer *self = args[0];

  return g_ptr_array_find_with_equal_func (self->commands, args[1], g_str_equal, NULL);
}

/**
 * sp_test_basix_server_wait_for_command:
 * @command: a client's text frame, exactly
 *
 * Returns: whether a client sent @command within @timeout_ms
 */
gboolean
sp_test_basix_server_wait_for_command (SpTestBasixServer *self,
                                       const char        *command,
                                       guint              timeout_ms)
{
  gpointer args[] = { self, (gpointer) command };

  return sp_test_wait_until (has_command, args, timeout_ms);
}
