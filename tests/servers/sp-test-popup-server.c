/* sp-test-popup-server.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-test-popup-server"

#include "config.h"

#include <string.h>

#include "sp-test-popup-server.h"
#include "sp-test-util.h"

/* The daemon is a Go program: net/http serves /crmws and gorilla/websocket upgrades the
 * connection. This file reproduces what a client can observe of it, byte for byte where it
 * matters, and deliberately includes its flaws:
 *
 *  - After the upgrade nothing reads from the socket, so pings are never answered and a
 *    close frame is never seen; the server only learns that a client is gone when a write
 *    to it fails.
 *  - Each message is one unmasked, unfragmented text frame (gorilla's WriteMessage).
 *  - Every registered client gets every message, queued per client (256 slots) and written
 *    with a 10 s deadline; a client whose write fails or misses the deadline is dropped.
 *  - When a client's queue is full, the daemon's hub blocks forever: from then on nobody
 *    gets anything and, in the standalone server, every trigger hangs.
 *
 * Writes are asynchronous, because the client under test runs in the same thread: a
 * blocking 10 MB write would wait for a reader that can never run. */

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

/* Go's net/http refuses request headers beyond 1 MB (DefaultMaxHeaderBytes) with 431. */
#define MAX_REQUEST_HEADER (1024 * 1024)
#define READ_CHUNK 4096

/* SpTestAcl */

struct _SpTestAcl
{
  GPtrArray *masks;   /* (element-type GInetAddressMask) */
};

/* The daemon normalises IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) before matching. */
static GInetAddress *
normalize_address (GInetAddress *address)
{
  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
    {
      const guint8 *bytes = g_inet_address_to_bytes (address);
      static const guint8 mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

      if (memcmp (bytes, mapped_prefix, sizeof mapped_prefix) == 0)
        return g_inet_address_new_from_bytes (bytes + 12, G_SOCKET_FAMILY_IPV4);
    }

  return g_object_ref (address);
}

/**
 * sp_test_acl_new:
 * @list: comma-separated IP addresses and CIDR networks, e.g. "127.0.0.1,10.0.0.0/8,::1"
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the allow-list, or %NULL if an entry is invalid
 */
SpTestAcl *
sp_test_acl_new (const char  *list,
                 GError     **error)
{
  g_autoptr(SpTestAcl) acl = g_new0 (SpTestAcl, 1);
  g_auto(GStrv) entries = NULL;

  g_return_val_if_fail (list != NULL, NULL);

  acl->masks = g_ptr_array_new_with_free_func (g_object_unref);
  entries = g_strsplit (list, ",", -1);

  for (guint i = 0; entries[i] != NULL; i++)
    {
      char *entry = g_strstrip (entries[i]);
      g_autoptr(GInetAddressMask) mask = NULL;

      if (*entry == '\0')
        continue;

      if (strchr (entry, '/') != NULL)
        {
          mask = g_inet_address_mask_new_from_string (entry, error);
        }
      else
        {
          g_autoptr(GInetAddress) address = g_inet_address_new_from_string (entry);

          if (address == NULL)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                         "“%s” is not an IP address or CIDR network", entry);
          else
            mask = g_inet_address_mask_new (address, g_inet_address_get_native_size (address) * 8,
                                            error);
        }

      if (mask == NULL)
        return NULL;

      g_ptr_array_add (acl->masks, g_steal_pointer (&mask));
    }

  return g_steal_pointer (&acl);
}

/**
 * sp_test_acl_allows:
 * @acl: (nullable): an allow-list, or %NULL to allow everyone
 * @address: the TCP peer's address
 *
 * Returns: whether @address is allowed
 */
gboolean
sp_test_acl_allows (SpTestAcl    *acl,
                    GInetAddress *address)
{
  g_autoptr(GInetAddress) normalized = NULL;

  if (acl == NULL)
    return TRUE;

  normalized = normalize_address (address);

  for (guint i = 0; i < acl->masks->len; i++)
    {
      GInetAddressMask *mask = g_ptr_array_index (acl->masks, i);

      if (g_inet_address_mask_get_family (mask) == g_inet_address_get_family (normalized) &&
          g_inet_address_mask_matches (mask, normalized))
        return TRUE;
    }

  return FALSE;
}

void
sp_test_acl_free (SpTestAcl *acl)
{
  if (acl == NULL)
    return;

  g_clear_pointer (&acl->masks, g_ptr_array_unref);
  g_free (acl);
}

/* JSON as Go's encoding/json writes it */

/* encoding/json escapes <, > and & (HTML safety), U+2028 and U+2029 (JavaScript safety) and
 * control characters, and replaces bytes that are not UTF-8 with U+FFFD. */
static void
append_go_json_string (GString    *out,
                       const char *text,
                       gssize      len)
{
  static const char hex[] = "0123456789abcdef";
  const char *p = text;
  const char *end;

  if (len < 0)
    len = strlen (text);
  end = text + len;

  g_string_append_c (out, '"');
  while (p < end)
    {
      guchar c = (guchar) *p;
      gunichar u;

      if (c < 0x80)
        {
          switch (c)
            {
            case '"':  g_string_append (out, "\\\""); break;
            case '\\': g_string_append (out, "\\\\"); break;
            case '\b': g_string_append (out, "\\b"); break;
            case '\f': g_string_append (out, "\\f"); break;
            case '\n': g_string_append (out, "\\n"); break;
            case '\r': g_string_append (out, "\\r"); break;
            case '\t': g_string_append (out, "\\t"); break;
            default:
              if (c < 0x20 || c == '<' || c == '>' || c == '&')
                {
                  g_string_append (out, "\\u00");
                  g_string_append_c (out, hex[c >> 4]);
                  g_string_append_c (out, hex[c & 0xf]);
                }
              else
                {
                  g_string_append_c (out, (char) c);
                }
              break;
            }
          p++;
          continue;
        }

      u = g_utf8_get_char_validated (p, end - p);
      if (u == (gunichar) -1 || u == (gunichar) -2)
        {
          g_string_append (out, "\\ufffd");
          p++;
          continue;
        }

      if (u == 0x2028 || u == 0x2029)
        g_string_append_printf (out, "\\u%04x", u);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      p = g_utf8_next_char (p);
    }
  g_string_append_c (out, '"');
}

/**
 * sp_test_popup_build_call_in:
 * @phone: the trigger's `phone` parameter, any bytes
 * @phone_len: its length, or -1 if NUL-terminated
 * @exten: (nullable): the trigger's `exten` parameter; %NULL is sent as ""
 * @exten_len: its length, or -1 if NUL-terminated
 *
 * Returns: (transfer full): the frame the daemon sends for this trigger, encoded exactly as
 *   Go's json.Marshal does
 */
char *
sp_test_popup_build_call_in (const char *phone,
                             gssize      phone_len,
                             const char *exten,
                             gssize      exten_len)
{
  GString *out = g_string_new ("{\"type\":\"CALL_IN\",\"data\":{\"phone\":");

  append_go_json_string (out, phone, phone_len);
  g_string_append (out, ",\"exten\":");
  append_go_json_string (out, exten != NULL ? exten : "", exten != NULL ? exten_len : 0);
  g_string_append (out, "}}");

  return g_string_free (out, FALSE);
}

/* The server */

typedef enum
{
  CLIENT_HTTP,        /* reading the upgrade request */
  CLIENT_REGISTERED,  /* upgraded, receives every broadcast */
  CLIENT_GONE,        /* dropped; only pending callbacks still hold it */
} ClientState;

typedef struct
{
  GBytes   *bytes;
  gboolean  is_frame;  /* the handshake response does not take a queue slot */
} QueueItem;

typedef struct
{
  grefcount           ref_count;
  SpTestPopupServer  *server;        /* unowned; not touched once GONE */
  ClientState         state;
  GSocketConnection  *connection;
  GIOStream          *stream;        /* the connection, or the TLS connection around it */
  GCancellable       *cancellable;
  GByteArray         *request;
  GQueue              queue;         /* (element-type QueueItem) */
  guint               queued_frames;
  GBytes             *writing;       /* the item being written, if any */
  guint               deadline_id;
  gboolean            closing;       /* drop once the queue is written */
  char               *peer;
} Client;

struct _SpTestPopupServer
{
  GSocketService  *service;
  guint16          port;
  gboolean         any_address;
  GTlsCertificate *certificate;
  SpTestAcl       *acl;
  GList           *clients;         /* (element-type Client) every connection, owned */
  guint            n_handshakes;
  gboolean         hung;
  gboolean         stopped;
};

static void
queue_item_free (gpointer data)
{
  QueueItem *item = data;

  g_bytes_unref (item->bytes);
  g_free (item);
}

static Client *
client_ref (Client *client)
{
  g_ref_count_inc (&client->ref_count);

  return client;
}

static void
client_unref (Client *client)
{
  if (!g_ref_count_dec (&client->ref_count))
    return;

  g_assert (client->deadline_id == 0);
  g_queue_clear_full (&client->queue, queue_item_free);
  g_clear_pointer (&client->writing, g_bytes_unref);
  g_clear_pointer (&client->request, g_byte_array_unref);
  g_clear_object (&client->cancellable);
  g_clear_object (&client->stream);
  g_clear_object (&client->connection);
  g_free (client->peer);
  g_free (client);
}

/* Drops the client the way the daemon loses one: the TCP connection is closed at once,
 * without a WebSocket close frame. Unread data from the client (its pings and close
 * frame) makes the kernel answer with a reset. */
static void
client_drop (Client *client)
{
  SpTestPopupServer *self = client->server;
  g_autoptr(GError) error = NULL;
  GSocket *socket;

  if (client->state == CLIENT_GONE)
    return;

  g_debug ("Dropping client %s", client->peer);

  client->state = CLIENT_GONE;
  g_cancellable_cancel (client->cancellable);
  g_clear_handle_id (&client->deadline_id, g_source_remove);

  socket = g_socket_connection_get_socket (client->connection);
  if (!g_socket_is_closed (socket) && !g_socket_close (socket, &error))
    g_debug ("Closing %s: %s", client->peer, error->message);

  self->clients = g_list_remove (self->clients, client);
  client->server = NULL;
  client_unref (client);
}

static void client_pump (Client *client);

static gboolean
on_write_deadline (gpointer user_data)
{
  Client *client = user_data;

  client->deadline_id = 0;
  g_debug ("Write to %s missed the deadline", client->peer);
  client_drop (client);

  return G_SOURCE_REMOVE;
}

static void
on_written (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Client *client = user_data;
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error);

  if (client->state != CLIENT_GONE)
    {
      g_clear_handle_id (&client->deadline_id, g_source_remove);
      g_clear_pointer (&client->writing, g_bytes_unref);

      if (error != NULL)
        {
          g_debug ("Write to %s failed: %s", client->peer, error->message);
          client_drop (client);
        }
      else if (client->closing && g_queue_is_empty (&client->queue))
        {
          client_drop (client);
        }
      else
        {
          client_pump (client);
        }
    }

  client_unref (client);
}

/* One writer per client, like the daemon's write pump: takes the next queued item and
 * writes all of it before the next, each under its own deadline. */
static void
client_pump (Client *client)
{
  QueueItem *item;
  GOutputStream *output;
  gconstpointer data;
  gsize size;

  if (client->state == CLIENT_GONE || client->writing != NULL)
    return;

  item = g_queue_pop_head (&client->queue);
  if (item == NULL)
    return;

  if (item->is_frame)
    client->queued_frames--;
  client->writing = g_bytes_ref (item->bytes);
  queue_item_free (item);

  client->deadline_id = g_timeout_add (SP_TEST_POPUP_SERVER_WRITE_DEADLINE_MS,
                                       on_write_deadline, client);

  output = g_io_stream_get_output_stream (client->stream);
  data = g_bytes_get_data (client->writing, &size);
  g_output_stream_write_all_async (output, data, size, G_PRIORITY_DEFAULT,
                                   client->cancellable, on_written, client_ref (client));
}

static void
client_enqueue (Client   *client,
                GBytes   *bytes,
                gboolean  is_frame)
{
  QueueItem *item = g_new0 (QueueItem, 1);

  item->bytes = g_bytes_ref (bytes);
  item->is_frame = is_frame;
  g_queue_push_tail (&client->queue, item);
  if (is_frame)
    client->queued_frames++;

  client_pump (client);
}

/* An HTTP error as Go's http.Error writes it. We close the connection afterwards instead
 * of keeping it alive, which no client can tell apart from a server timeout. */
static void
client_respond_error (Client     *client,
                      guint       status,
                      const char *reason,
                      const char *body,
                      gboolean    websocket_version)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = g_date_time_format (now, "%a, %d %b %Y %H:%M:%S GMT");
  g_autofree char *text = NULL;
  g_autoptr(GBytes) bytes = NULL;

  text = g_strdup_printf ("HTTP/1.1 %u %s\r\n"
                          "Connection: close\r\n"
                          "Content-Type: text/plain; charset=utf-8\r\n"
                          "%s"
                          "X-Content-Type-Options: nosniff\r\n"
                          "Date: %s\r\n"
                          "Content-Length: %zu\r\n"
                          "\r\n"
                          "%s\n",
                          status, reason,
                          websocket_version ? "Sec-Websocket-Version: 13\r\n" : "",
                          date, strlen (body) + 1, body);
  bytes = g_bytes_new (text, strlen (text));

  /* Nothing more is read on this connection: it closes once the response is out. */
  client->closing = TRUE;
  client_enqueue (client, bytes, FALSE);
}

typedef struct
{
  char *name;   /* lower case */
  char *value;
} Header;

static void
header_free (gpointer data)
{
  Header *header = data;

  g_free (header->name);
  g_free (header->value);
  g_free (header);
}

/* Like net/http's Header.Get: the first value, or NULL. */
static const char *
headers_get (GPtrArray  *headers,
             const char *name)
{
  for (guint i = 0; i < headers->len; i++)
    {
      Header *header = g_ptr_array_index (headers, i);

      if (strcmp (header->name, name) == 0)
        return header->value;
    }

  return NULL;
}

/* Like gorilla's tokenListContainsValue: any comma-separated token of any value of the
 * header equals @token, ignoring case. */
static gboolean
headers_contain_token (GPtrArray  *headers,
                       const char *name,
                       const char *token)
{
  for (guint i = 0; i < headers->len; i++)
    {
      Header *header = g_ptr_array_index (headers, i);
      g_auto(GStrv) tokens = NULL;

      if (strcmp (header->name, name) != 0)
        continue;

      tokens = g_strsplit (header->value, ",", -1);
      for (guint j = 0; tokens[j] != NULL; j++)
        if (g_ascii_strcasecmp (g_strstrip (tokens[j]), token) == 0)
          return TRUE;
    }

  return FALSE;
}

/* gorilla's isValidChallengeKey: standard base64 of exactly 16 bytes. */
static gboolean
is_valid_challenge_key (const char *key)
{
  static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  if (key == NULL || strlen (key) != 24 || strcmp (key + 22, "==") != 0)
    return FALSE;

  for (guint i = 0; i < 22; i++)
    if (key[i] == '\0' || strchr (alphabet, key[i]) == NULL)
      return FALSE;

  return TRUE;
}

static char *
compute_accept (const char *key)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize digest_len = sizeof digest;

  g_checksum_update (checksum, (const guchar *) key, strlen (key));
  g_checksum_update (checksum, (const guchar *) WS_GUID, strlen (WS_GUID));
  g_checksum_get_digest (checksum, digest, &digest_len);

  return g_base64_encode (digest, digest_len);
}

static gboolean
peer_allowed (SpTestPopupServer *self,
              Client            *client)
{
  g_autoptr(GSocketAddress) remote = NULL;

  remote = g_socket_connection_get_remote_address (client->connection, NULL);
  if (remote == NULL || !G_IS_INET_SOCKET_ADDRESS (remote))
    return FALSE;

  return sp_test_acl_allows (self->acl,
                             g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
}

/* The request is complete in client->request up to @header_end. */
static void
client_handle_request (Client *client,
                       gsize   header_end)
{
  SpTestPopupServer *self = client->server;
  g_autofree char *text = g_strndup ((const char *) client->request->data, header_end);
  g_autoptr(GPtrArray) headers = g_ptr_array_new_with_free_func (header_free);
  g_auto(GStrv) lines = g_strsplit (text, "\r\n", -1);
  g_auto(GStrv) request_line = NULL;
  g_autofree char *accept = NULL;
  g_autofree char *response = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const char *method;
  const char *target;
  const char *query;
  g_autofree char *path = NULL;

  request_line = g_strsplit (lines[0], " ", 3);
  if (g_strv_length (request_line) != 3 || !g_str_has_prefix (request_line[2], "HTTP/1."))
    {
      client_respond_error (client, 400, "Bad Request", "400 Bad Request", FALSE);
      return;
    }
  method = request_line[0];
  target = request_line[1];
  query = strchr (target, '?');
  path = query != NULL ? g_strndup (target, query - target) : g_strdup (target);

  for (guint i = 1; lines[i] != NULL && *lines[i] != '\0'; i++)
    {
      const char *colon = strchr (lines[i], ':');
      Header *header;

      if (colon == NULL)
        {
          client_respond_error (client, 400, "Bad Request", "400 Bad Request", FALSE);
          return;
        }

      header = g_new0 (Header, 1);
      header->name = g_ascii_strdown (lines[i], colon - lines[i]);
      header->value = g_strstrip (g_strdup (colon + 1));
      g_ptr_array_add (headers, header);
    }

  g_debug ("%s %s from %s", method, target, client->peer);

  /* The client port serves nothing but /crmws. */
  if (strcmp (path, "/crmws") != 0)
    {
      client_respond_error (client, 404, "Not Found", "404 page not found", FALSE);
      return;
    }

  /* The daemon checks its allow-list before it looks at the request. */
  if (!peer_allowed (self, client))
    {
      g_debug ("%s is not in the allow-list", client->peer);
      client_respond_error (client, 403, "Forbidden", "Forbidden (ACL)", FALSE);
      return;
    }

  /* gorilla's Upgrader.Upgrade, in its order; its errors carry only the status text. */
  if (!headers_contain_token (headers, "connection", "upgrade") ||
      !headers_contain_token (headers, "upgrade", "websocket"))
    {
      client_respond_error (client, 400, "Bad Request", "Bad Request", TRUE);
      return;
    }
  if (strcmp (method, "GET") != 0)
    {
      client_respond_error (client, 405, "Method Not Allowed", "Method Not Allowed", TRUE);
      return;
    }
  if (!headers_contain_token (headers, "sec-websocket-version", "13") ||
      !is_valid_challenge_key (headers_get (headers, "sec-websocket-key")))
    {
      client_respond_error (client, 400, "Bad Request", "Bad Request", TRUE);
      return;
    }
  /* CheckOrigin accepts every origin, and no subprotocol or extension is negotiated. */

  accept = compute_accept (headers_get (headers, "sec-websocket-key"));
  response = g_strdup_printf ("HTTP/1.1 101 Switching Protocols\r\n"
                              "Upgrade: websocket\r\n"
                              "Connection: Upgrade\r\n"
                              "Sec-WebSocket-Accept: %s\r\n"
                              "\r\n",
                              accept);
  bytes = g_bytes_new (response, strlen (response));

  /* Whatever the client sent after its request stays unread, like everything from now on. */
  g_clear_pointer (&client->request, g_byte_array_unref);

  client_enqueue (client, bytes, FALSE);
  self->n_handshakes++;

  /* A blocked hub never takes the registration: the client is upgraded but gets nothing. */
  if (self->hung)
    {
      g_debug ("Client %s upgraded, but the hub is blocked", client->peer);
      return;
    }

  client->state = CLIENT_REGISTERED;
  /* Registration order is broadcast order. */
  self->clients = g_list_remove (self->clients, client);
  self->clients = g_list_append (self->clients, client);
  g_debug ("Client %s registered", client->peer);
}

static void client_read_request (Client *client);

static gboolean
find_header_end (GByteArray *request,
                 gsize      *end)
{
  for (gsize i = 3; i < request->len; i++)
    {
      if (memcmp (request->data + i - 3, "\r\n\r\n", 4) == 0)
        {
          *end = i + 1;
          return TRUE;
        }
    }

  return FALSE;
}

static void
on_request_read (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Client *client = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize header_end;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);

  if (client->state == CLIENT_GONE)
    {
      client_unref (client);
      return;
    }

  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      g_debug ("Client %s left before upgrading: %s", client->peer,
               error != NULL ? error->message : "end of stream");
      client_drop (client);
      client_unref (client);
      return;
    }

  g_byte_array_append (client->request, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  if (find_header_end (client->request, &header_end))
    client_handle_request (client, header_end);
  else if (client->request->len > MAX_REQUEST_HEADER)
    client_respond_error (client, 431, "Request Header Fields Too Large",
                          "431 Request Header Fields Too Large", FALSE);
  else
    client_read_request (client);

  client_unref (client);
}

static void
client_read_request (Client *client)
{
  GInputStream *input = g_io_stream_get_input_stream (client->stream);

  g_input_stream_read_bytes_async (input, READ_CHUNK, G_PRIORITY_DEFAULT, client->cancellable,
                                   on_request_read, client_ref (client));
}

static void
on_tls_handshake (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Client *client = user_data;
  g_autoptr(GError) error = NULL;

  g_tls_connection_handshake_finish (G_TLS_CONNECTION (object), result, &error);

  if (client->state != CLIENT_GONE)
    {
      if (error != NULL)
        {
          g_debug ("TLS handshake with %s failed: %s", client->peer, error->message);
          client_drop (client);
        }
      else
        {
          client_read_request (client);
        }
    }

  client_unref (client);
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  SpTestPopupServer *self = user_data;
  g_autoptr(GSocketAddress) remote = NULL;
  Client *client;

  client = g_new0 (Client, 1);
  g_ref_count_init (&client->ref_count);
  client->server = self;
  client->state = CLIENT_HTTP;
  client->connection = g_object_ref (connection);
  client->cancellable = g_cancellable_new ();
  client->request = g_byte_array_new ();
  g_queue_init (&client->queue);

  remote = g_socket_connection_get_remote_address (connection, NULL);
  if (remote != NULL && G_IS_INET_SOCKET_ADDRESS (remote))
    {
      g_autofree char *host = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));

      client->peer = g_strdup_printf ("%s:%u", host,
                                      g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote)));
    }
  else
    {
      client->peer = g_strdup ("(unknown)");
    }

  /* The server owns the client until it is dropped. */
  self->clients = g_list_prepend (self->clients, client);

  if (self->certificate != NULL)
    {
      g_autoptr(GError) error = NULL;
      GIOStream *tls;

      tls = g_tls_server_connection_new (G_IO_STREAM (connection), self->certificate, &error);
      if (tls == NULL)
        {
          g_warning ("Cannot set up TLS: %s", error->message);
          client_drop (client);
          return TRUE;
        }

      client->stream = tls;
      g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT,
                                        client->cancellable, on_tls_handshake,
                                        client_ref (client));
    }
  else
    {
      client->stream = G_IO_STREAM (g_object_ref (connection));
      client_read_request (client);
    }

  return TRUE;
}

/**
 * sp_test_popup_server_new:
 * @port: the port on 127.0.0.1, or 0 for any free one
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): a running server, allowing every client
 */
SpTestPopupServer *
sp_test_popup_server_new (guint16   port,
                          GError  **error)
{
  return sp_test_popup_server_new_full ("127.0.0.1", port, NULL, error);
}

/**
 * sp_test_popup_server_new_full:
 * @host: (nullable): the address to listen on, or %NULL for every address (as the daemon)
 * @port: the port, or 0 for any free one
 * @certificate: (nullable): serve `wss://` with this certificate (the daemon's `USE_SSL`)
 * @error: return location for an error
 *
 * Listens with SO_REUSEADDR, so that a test can stop a server and start a new one on the
 * same port at once.
 *
 * Returns: (transfer full) (nullable): a running server, allowing every client
 */
SpTestPopupServer *
sp_test_popup_server_new_full (const char       *host,
                               guint16           port,
                               GTlsCertificate  *certificate,
                               GError          **error)
{
  g_autoptr(SpTestPopupServer) self = g_new0 (SpTestPopupServer, 1);
  GSocketListener *listener;

  self->service = g_socket_service_new ();
  listener = G_SOCKET_LISTENER (self->service);
  g_set_object (&self->certificate, certificate);

  if (host == NULL)
    {
      self->any_address = TRUE;
      if (port == 0)
        {
          port = g_socket_listener_add_any_inet_port (listener, NULL, error);
          if (port == 0)
            return NULL;
        }
      else if (!g_socket_listener_add_inet_port (listener, port, NULL, error))
        {
          return NULL;
        }
      self->port = port;
    }
  else
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (host);
      g_autoptr(GSocketAddress) socket_address = NULL;
      g_autoptr(GSocketAddress) effective = NULL;

      if (address == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "“%s” is not an IP address", host);
          return NULL;
        }

      socket_address = g_inet_socket_address_new (address, port);
      if (!g_socket_listener_add_address (listener, socket_address, G_SOCKET_TYPE_STREAM,
                                          G_SOCKET_PROTOCOL_TCP, NULL, &effective, error))
        return NULL;
      self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
    }

  g_signal_connect (self->service, "incoming", G_CALLBACK (on_incoming), self);
  g_socket_service_start (self->service);

  g_debug ("Listening on port %u", self->port);

  return g_steal_pointer (&self);
}

/**
 * sp_test_popup_server_dup_ws_url:
 * @self: the server
 *
 * Returns: (transfer full): where a client connects, e.g. "ws://127.0.0.1:8990/crmws"
 */
char *
sp_test_popup_server_dup_ws_url (SpTestPopupServer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_strdup_printf ("%s://127.0.0.1:%u/crmws",
                          self->certificate != NULL ? "wss" : "ws", self->port);
}

guint16
sp_test_popup_server_get_port (SpTestPopupServer *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->port;
}

/**
 * sp_test_popup_server_get_n_clients:
 * @self: the server
 *
 * Like the daemon, the server does not notice that a client went away until a write to it
 * fails, so a client that disconnected is still counted until the next broadcast.
 *
 * Returns: how many clients are registered and get broadcasts
 */
guint
sp_test_popup_server_get_n_clients (SpTestPopupServer *self)
{
  guint n = 0;

  g_return_val_if_fail (self != NULL, 0);

  for (GList *l = self->clients; l != NULL; l = l->next)
    {
      Client *client = l->data;

      if (client->state == CLIENT_REGISTERED)
        n++;
    }

  return n;
}

/**
 * sp_test_popup_server_get_n_handshakes:
 * @self: the server
 *
 * Returns: how many WebSocket handshakes the server completed in its life
 */
guint
sp_test_popup_server_get_n_handshakes (SpTestPopupServer *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_handshakes;
}

typedef struct
{
  SpTestPopupServer *self;
  guint              n_clients;
} ClientsWait;

static gboolean
clients_reached (gpointer user_data)
{
  ClientsWait *wait = user_data;

  return sp_test_popup_server_get_n_clients (wait->self) >= wait->n_clients;
}

/**
 * sp_test_popup_server_wait_for_clients:
 * @self: the server
 * @n_clients: how many registered clients to wait for
 * @timeout_ms: how long to wait at most
 *
 * Returns: %TRUE once at least @n_clients are registered
 */
gboolean
sp_test_popup_server_wait_for_clients (SpTestPopupServer *self,
                                       guint              n_clients,
                                       guint              timeout_ms)
{
  ClientsWait wait = { self, n_clients };

  return sp_test_wait_until (clients_reached, &wait, timeout_ms);
}

/**
 * sp_test_popup_server_set_acl:
 * @self: the server
 * @acl: (transfer full) (nullable): the `CRMWS_ALLOW` list, or %NULL to allow everyone
 *
 * Clients outside the list get `403 Forbidden` with the body `Forbidden (ACL)` instead of
 * the upgrade. Only new connections are checked.
 */
void
sp_test_popup_server_set_acl (SpTestPopupServer *self,
                              SpTestAcl         *acl)
{
  g_return_if_fail (self != NULL);

  g_clear_pointer (&self->acl, sp_test_acl_free);
  self->acl = acl;
}

/**
 * sp_test_popup_server_set_acl_deny:
 * @self: the server
 * @deny: %TRUE to refuse every new client (an empty allow-list), %FALSE to allow all
 */
void
sp_test_popup_server_set_acl_deny (SpTestPopupServer *self,
                                   gboolean           deny)
{
  g_return_if_fail (self != NULL);

  sp_test_popup_server_set_acl (self, deny ? sp_test_acl_new ("", NULL) : NULL);
}

static GBytes *
build_text_frame (const char *text,
                  gsize       len)
{
  guint8 header[10];
  gsize header_len;
  guint8 *frame;

  /* FIN and opcode 1 (text); a server never masks. */
  header[0] = 0x81;
  if (len < 126)
    {
      header[1] = (guint8) len;
      header_len = 2;
    }
  else if (len <= G_MAXUINT16)
    {
      header[1] = 126;
      header[2] = (guint8) (len >> 8);
      header[3] = (guint8) len;
      header_len = 4;
    }
  else
    {
      header[1] = 127;
      for (guint i = 0; i < 8; i++)
        header[2 + i] = (guint8) ((guint64) len >> (56 - 8 * i));
      header_len = 10;
    }

  frame = g_malloc (header_len + len);
  memcpy (frame, header, header_len);
  memcpy (frame + header_len, text, len);

  return g_bytes_new_take (frame, header_len + len);
}

/**
 * sp_test_popup_server_broadcast:
 * @self: the server
 * @text: the frame's payload; sent as is, even if it is not UTF-8 or not JSON
 * @len: its length, or -1 if NUL-terminated
 *
 * Queues one text frame to every registered client, as the daemon's hub does.
 */
void
sp_test_popup_server_broadcast (SpTestPopupServer *self,
                                const char        *text,
                                gssize             len)
{
  g_autoptr(GBytes) frame = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (text != NULL || len == 0);

  if (self->stopped)
    return;

  if (self->hung)
    {
      g_debug ("The hub is blocked; the message goes nowhere");
      return;
    }

  if (len < 0)
    len = strlen (text);
  frame = build_text_frame (text, len);

  for (GList *l = self->clients; l != NULL; l = l->next)
    {
      Client *client = l->data;

      if (client->state != CLIENT_REGISTERED)
        continue;

      if (client->queued_frames >= SP_TEST_POPUP_SERVER_QUEUE_SIZE)
        {
          /* Where the daemon's hub sends on its own unbuffered unregister channel. */
          g_message ("The queue of client %s is full: the hub is blocked for good, as the "
                     "real daemon's would be", client->peer);
          self->hung = TRUE;
          return;
        }

      client_enqueue (client, frame, TRUE);
    }
}

/**
 * sp_test_popup_server_broadcast_call_in:
 * @self: the server
 * @phone: the caller
 * @exten: (nullable): the extension; %NULL is sent as "", as by the daemon
 *
 * Broadcasts what the daemon sends for `POST /api/trigger?phone=…&exten=…`.
 */
void
sp_test_popup_server_broadcast_call_in (SpTestPopupServer *self,
                                        const char        *phone,
                                        const char        *exten)
{
  g_autofree char *text = NULL;

  g_return_if_fail (phone != NULL);

  text = sp_test_popup_build_call_in (phone, -1, exten, -1);
  sp_test_popup_server_broadcast (self, text, -1);
}

/**
 * sp_test_popup_server_is_hung:
 * @self: the server
 *
 * Returns: whether the hub blocked because a client's queue filled up; from then on no
 *   message reaches anyone, as with the real daemon until it is restarted
 */
gboolean
sp_test_popup_server_is_hung (SpTestPopupServer *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->hung;
}

/**
 * sp_test_popup_server_stop:
 * @self: the server
 *
 * Stops listening and drops every client abruptly (TCP close, no close frame), as when the
 * daemon is killed. The port is free again when this returns.
 */
void
sp_test_popup_server_stop (SpTestPopupServer *self)
{
  g_return_if_fail (self != NULL);

  if (self->stopped)
    return;
  self->stopped = TRUE;

  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));

  while (self->clients != NULL)
    client_drop (self->clients->data);
}

void
sp_test_popup_server_free (SpTestPopupServer *self)
{
  if (self == NULL)
    return;

  if (self->service != NULL)
    {
      sp_test_popup_server_stop (self);
      g_signal_handlers_disconnect_by_data (self->service, self);
      g_clear_object (&self->service);
    }

  g_clear_pointer (&self->acl, sp_test_acl_free);
  g_clear_object (&self->certificate);
  g_free (self);
}
