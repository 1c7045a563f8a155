/* sp-test-webservice-server.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-test-webservice-server"

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "sp-test-util.h"
#include "sp-test-webservice-server.h"

/* What a CRM integration written for the XiVO CC Agent looks like from the client: an
 * HTTP endpoint that takes the call's JSON in a POST and answers a JSON action. It answers
 * in this same thread, so a delay must not block: the message is paused, and resumed by a
 * timeout, while the client under test goes on running. */

struct _SpTestWebserviceServer
{
  SoupServer *server;
  GUri       *base;
  GPtrArray  *requests;   /* (element-type SpTestWebserviceRequest) */
  guint       status;
  char       *body;
  char       *redirect;
  guint       delay_ms;
  GPtrArray  *delayed;    /* (element-type Delayed) replies still to send */
};

typedef struct
{
  SpTestWebserviceServer *self;
  SoupServerMessage      *msg;
  guint                   id;
} Delayed;

static void
request_free (gpointer data)
{
  SpTestWebserviceRequest *request = data;

  g_free (request->method);
  g_free (request->path);
  g_free (request->query);
  g_free (request->content_type);
  g_free (request->body);
  g_free (request);
}

static void
delayed_free (gpointer data)
{
  Delayed *delayed = data;

  g_clear_handle_id (&delayed->id, g_source_remove);
  g_object_unref (delayed->msg);
  g_free (delayed);
}

static void
reply (SpTestWebserviceServer *self,
       SoupServerMessage      *msg)
{
  if (self->redirect != NULL)
    {
      soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, self->redirect);
      return;
    }

  soup_server_message_set_status (msg, self->status, NULL);
  if (self->body != NULL)
    soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                      self->body, strlen (self->body));
}

static gboolean
delayed_cb (gpointer user_data)
{
  Delayed *delayed = user_data;
  SpTestWebserviceServer *self = delayed->self;

  delayed->id = 0;
  reply (self, delayed->msg);
  soup_server_message_unpause (delayed->msg);
  g_ptr_array_remove (self->delayed, delayed);

  return G_SOURCE_REMOVE;
}

static void
handler (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  SpTestWebserviceServer *self = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  SpTestWebserviceRequest *request = g_new0 (SpTestWebserviceRequest, 1);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);

  request->method = g_strdup (soup_server_message_get_method (msg));
  request->path = g_strdup (path);
  request->query = g_strdup (g_uri_get_query (soup_server_message_get_uri (msg)));
  request->content_type = g_strdup (soup_message_headers_get_content_type (
                                      soup_server_message_get_request_headers (msg), NULL));
  request->body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_ptr_array_add (self->requests, request);

  if (self->delay_ms > 0)
    {
      Delayed *delayed = g_new0 (Delayed, 1);

      delayed->self = self;
      delayed->msg = g_object_ref (msg);
      delayed->id = g_timeout_add (self->delay_ms, delayed_cb, delayed);
      g_ptr_array_add (self->delayed, delayed);
      soup_server_message_pause (msg);
      return;
    }

  reply (self, msg);
}

/**
 * sp_test_webservice_server_new:
 *
 * Returns: (transfer full): a server listening on 127.0.0.1, answering `{"action":"none"}`
 *   until told otherwise
 */
SpTestWebserviceServer *
sp_test_webservice_server_new (void)
{
  SpTestWebserviceServer *self = g_new0 (SpTestWebserviceServer, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  self->requests = g_ptr_array_new_with_free_func (request_free);
  self->delayed = g_ptr_array_new_with_free_func (delayed_free);
  self->status = SOUP_STATUS_OK;
  self->body = g_strdup ("{\"action\":\"none\"}");

  self->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (self->server, NULL, handler, self, NULL);
  soup_server_listen (self->server, address, 0, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (self->server);
  g_assert_nonnull (uris);
  self->base = g_uri_ref (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return self;
}

/**
 * sp_test_webservice_server_dup_url:
 * @path: e.g. "/crm/screenpop"
 *
 * Returns: (transfer full): the server's URL for @path
 */
char *
sp_test_webservice_server_dup_url (SpTestWebserviceServer *self,
                                   const char             *path)
{
  return g_strdup_printf ("http://127.0.0.1:%d%s", g_uri_get_port (self->base), path);
}

/**
 * sp_test_webservice_server_set_reply:
 * @status: the HTTP status
 * @body: (nullable): the JSON (or anything) to answer with
 */
void
sp_test_webservice_server_set_reply (SpTestWebserviceServer *self,
                                     guint                   status,
                                     const char             *body)
{
  self->status = status;
  g_free (self->body);
  self->body = g_strdup (body);
}

/**
 * sp_test_webservice_server_set_redirect:
 * @location: (nullable): answer every request with a 302 to @location; %NULL stops it
 */
void
sp_test_webservice_server_set_redirect (SpTestWebserviceServer *self,
                                        const char             *location)
{
  g_free (self->redirect);
  self->redirect = g_strdup (location);
}

void
sp_test_webservice_server_set_delay (SpTestWebserviceServer *self,
                                     guint                   delay_ms)
{
  self->delay_ms = delay_ms;
}

/**
 * sp_test_webservice_server_get_requests:
 *
 * Returns: (transfer none) (element-type SpTestWebserviceRequest): every request so far
 */
GPtrArray *
sp_test_webservice_server_get_requests (SpTestWebserviceServer *self)
{
  return self->requests;
}

typedef struct
{
  SpTestWebserviceServer *self;
  guint                   n;
} Wait;

static gboolean
has_requests (gpointer user_data)
{
  Wait *wait = user_data;

  return wait->self->requests->len >= wait->n;
}

gboolean
sp_test_webservice_server_wait_for (SpTestWebserviceServer *self,
                                    guint                   n_requests,
                                    guint                   timeout_ms)
{
  Wait wait = { self, n_requests };

  return sp_test_wait_until (has_requests, &wait, timeout_ms);
}

void
sp_test_webservice_server_free (SpTestWebserviceServer *self)
{
  if (self == NULL)
    return;

  /* Replies still delayed are dropped with their connections: the client under test has
   * usually given up on them already, and unpausing a message whose client is gone would
   * leave libsoup work queued for after the server is freed. */
  soup_server_disconnect (self->server);
  g_ptr_array_set_size (self->delayed, 0);
  g_clear_object (&self->server);
  g_clear_pointer (&self->base, g_uri_unref);
  g_clear_pointer (&self->requests, g_ptr_array_unref);
  g_clear_pointer (&self->delayed, g_ptr_array_unref);
  g_free (self->body);
  g_free (self->redirect);
  g_free (self);
}
