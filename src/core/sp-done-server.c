/* sp-done-server.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-done-server"

#include "config.h"

#include <string.h>
#include <sys/random.h>

#include <libsoup/soup.h>

#include "sp-done-server.h"

/*
 * The CC Agent's third-party page ends the work by posting "closeThirdParty" to the agent
 * app around it. A page opened in the desktop's browser has no such parent, so it gets a
 * URL to call instead: http://127.0.0.1:PORT/done/TOKEN, one per call, which ends the work
 * as the "Done" button does.
 *
 * Only this machine can reach it (it listens on the IPv4 loopback only), and only a page
 * that was given the URL can guess it: the token is 128 random bits from the kernel, and
 * it stops working when the call is forgotten. Any method but OPTIONS counts (a page may
 * fetch(), post a form, or load an image); OPTIONS answers the browsers' CORS and
 * private-network preflights so that a page on the CRM's own origin may call it. The server
 * starts when the first URL is made, not before.
 */

/* 128 bits, in hex. */
#define TOKEN_BYTES 16
#define DONE_PATH "/done/"

struct _SpDoneServer
{
  GObject      parent_instance;

  SpDoneFunc   func;
  gpointer     user_data;
  SoupServer  *server;
  guint16      port;
  GHashTable  *keys;     /* token → key */
};

G_DEFINE_FINAL_TYPE (SpDoneServer, sp_done_server, G_TYPE_OBJECT)

static char *
new_token (GError **error)
{
  guint8 bytes[TOKEN_BYTES];
  GString *token;

  if (getrandom (bytes, sizeof bytes, 0) != sizeof bytes)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "No random bytes for a done URL");
      return NULL;
    }

  token = g_string_sized_new (2 * TOKEN_BYTES);
  for (guint i = 0; i < TOKEN_BYTES; i++)
    g_string_append_printf (token, "%02x", bytes[i]);

  return g_string_free (token, FALSE);
}

static void
allow_cross_origin (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  /* The page is the CRM's, on its own origin; the token is the only credential. */
  soup_message_headers_replace (headers, "Access-Control-Allow-Origin", "*");
  soup_message_headers_replace (headers, "Access-Control-Allow-Methods", "GET, POST");
  soup_message_headers_replace (headers, "Access-Control-Allow-Private-Network", "true");
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
}

static void
handler (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  SpDoneServer *self = user_data;
  const char *token = g_str_has_prefix (path, DONE_PATH) ? path + strlen (DONE_PATH) : NULL;
  g_autofree char *key = token ? g_strdup (g_hash_table_lookup (self->keys, token)) : NULL;

  allow_cross_origin (msg);

  if (key == NULL)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  if (g_strcmp0 (soup_server_message_get_method (msg), SOUP_METHOD_OPTIONS) == 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
      return;
    }

  g_debug ("A page marked its work done");
  /* The function may forget the key (the call is over and done): it gets its own copy. */
  if (self->func (key, self->user_data))
    soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
  else
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

static gboolean
ensure_listening (SpDoneServer  *self,
                  GError       **error)
{
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(SoupServer) server = NULL;
  GSList *uris;

  if (self->server != NULL)
    return TRUE;

  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, 0);
  server = soup_server_new ("server-header", NULL, NULL);
  soup_server_add_handler (server, DONE_PATH, handler, self, NULL);
  if (!soup_server_listen (server, address, 0, error))
    return FALSE;

  uris = soup_server_get_uris (server);
  g_return_val_if_fail (uris != NULL, FALSE);
  self->port = (guint16) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_debug ("Listening for done URLs on 127.0.0.1:%u", self->port);
  self->server = g_steal_pointer (&server);
  return TRUE;
}

static void
sp_done_server_dispose (GObject *object)
{
  SpDoneServer *self = (SpDoneServer *)object;

  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);

  G_OBJECT_CLASS (sp_done_server_parent_class)->dispose (object);
}

static void
sp_done_server_finalize (GObject *object)
{
  SpDoneServer *self = (SpDoneServer *)object;

  g_clear_pointer (&self->keys, g_hash_table_unref);

  G_OBJECT_CLASS (sp_done_server_parent_class)->finalize (object);
}

static void
sp_done_server_class_init (SpDoneServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_done_server_dispose;
  object_class->finalize = sp_done_server_finalize;
}

static void
sp_done_server_init (SpDoneServer *self)
{
  self->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/**
 * sp_done_server_new:
 * @func: called when a page calls a done URL that is still known
 * @user_data: for @func
 *
 * Returns: (transfer full): a server for "done" URLs; it listens once the first is made
 */
SpDoneServer *
sp_done_server_new (SpDoneFunc func,
                    gpointer   user_data)
{
  SpDoneServer *self;

  g_return_val_if_fail (func != NULL, NULL);

  self = g_object_new (SP_TYPE_DONE_SERVER, NULL);
  self->func = func;
  self->user_data = user_data;

  return self;
}

/**
 * sp_done_server_add:
 * @key: what the URL stands for (a call), given back to the #SpDoneFunc
 * @error: why no URL could be made (the loopback port could not be opened)
 *
 * Makes the done URL for @key, replacing any it had.
 *
 * Returns: (transfer full) (nullable): `http://127.0.0.1:PORT/done/TOKEN`, a secret of
 *   sorts: only the page it is given to should know it
 */
char *
sp_done_server_add (SpDoneServer  *self,
                    const char    *key,
                    GError       **error)
{
  g_autofree char *token = NULL;
  char *url;

  g_return_val_if_fail (SP_IS_DONE_SERVER (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (!ensure_listening (self, error))
    return NULL;

  token = new_token (error);
  if (token == NULL)
    return NULL;

  sp_done_server_remove (self, key);
  url = g_strdup_printf ("http://127.0.0.1:%u" DONE_PATH "%s", self->port, token);
  g_hash_table_insert (self->keys, g_steal_pointer (&token), g_strdup (key));

  return url;
}

static gboolean
has_key (gpointer token,
         gpointer value,
         gpointer key)
{
  return g_str_equal (value, key);
}

/**
 * sp_done_server_remove:
 * @key: a key given to sp_done_server_add()
 *
 * Forgets @key's URL: calling it answers 404 from now on.
 */
void
sp_done_server_remove (SpDoneServer *self,
                       const char   *key)
{
  g_return_if_fail (SP_IS_DONE_SERVER (self));
  g_return_if_fail (key != NULL);

  g_hash_table_foreach_remove (self->keys, has_key, (gpointer) key);
}
