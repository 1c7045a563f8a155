/* test-http.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* sp-http, the network plumbing every backend shares: the session recipe (user agent,
 * keepalive), the server address normaliser of each kind, the reading of HTTP statuses as
 * source errors, and the bounded readers, against an in-process SoupServer on 127.0.0.1
 * that can also answer with hostile bodies. */

#define G_LOG_DOMAIN "test-http"

#include "config.h"

#include <string.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "sp-basix-source.h"
#include "sp-http.h"
#include "sp-pbxis-source.h"
#include "sp-popup-notifier-source.h"
#include "sp-redmine-source.h"
#include "sp-test-hostile.h"
#include "sp-test-util.h"
#include "sp-xivo.h"
#include "sp-xivo-source.h"

#define MiB (1024 * 1024)

typedef struct
{
  SoupServer         *server;
  char               *base;
  SpTestHostileStats  stats;
} Server;

static void
handler_cb (SoupServer        *soup_server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  Server *server = user_data;
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);

  if (g_str_equal (path, "/small"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        "{\"a\":1}", 7);
    }
  else if (g_str_equal (path, "/agent"))
    {
      const char *agent = soup_message_headers_get_one (request_headers, "User-Agent");

      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_COPY, agent,
                                        agent ? strlen (agent) : 0);
    }
  else if (g_str_equal (path, "/announced"))
    {
      /* 2 MiB, with a Content-Length that says so. */
      gsize size = 2 * MiB;

      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                        g_malloc0 (size), size);
    }
  else if (g_str_equal (path, "/huge"))
    {
      sp_test_hostile_respond (msg, SP_TEST_HOSTILE_HUGE, &server->stats);
    }
  else if (g_str_equal (path, "/deep"))
    {
      sp_test_hostile_respond (msg, SP_TEST_HOSTILE_DEEP, &server->stats);
    }
  else if (g_str_equal (path, "/not-utf8"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        "{\"a\":\"\xff\"}", 9);
    }
  else if (g_str_equal (path, "/array"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "[1]", 3);
    }
  else if (g_str_has_prefix (path, "/status/"))
    {
      guint64 status = g_ascii_strtoull (path + strlen ("/status/"), NULL, 10);

      /* A reason phrase with a line break: it must not reach a message as it is. */
      soup_server_message_set_status (msg, (guint) status,
                                      status == 500 ? "Broken\u202eevil" : NULL);
      soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC, "<p>no</p>", 9);
    }
  else
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
    }
}

static Server *
server_new (void)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GError) error = NULL;
  Server *server = g_new0 (Server, 1);
  GSList *uris;

  server->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server->server, NULL, handler_cb, server, NULL);
  soup_server_listen (server->server, address, 0, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (server->server);
  server->base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return server;
}

static void
server_free (Server *server)
{
  soup_server_disconnect (server->server);
  g_clear_object (&server->server);
  g_free (server->base);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Server, server_free)

static void
got_result_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_for_result (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *result;
}

/* Reads @path of @server with sp_http_read_bytes_async(); @msg_out gets the message. */
static GBytes *
read_bytes (SoupSession  *session,
            const char   *url,
            gsize         max_size,
            SoupMessage **msg_out,
            GError      **error)
{
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);
  g_autoptr(GAsyncResult) result = NULL;
  GBytes *bytes;

  sp_http_read_bytes_async (session, msg, max_size, NULL, got_result_cb, &result);
  bytes = sp_http_read_bytes_finish (session, wait_for_result (&result), error);
  if (msg_out != NULL)
    *msg_out = g_steal_pointer (&msg);

  return bytes;
}

static JsonNode *
read_json (SoupSession        *session,
           const char         *url,
           const SpJsonRules  *rules,
           SoupMessage       **msg_out,
           GError            **error)
{
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);
  g_autoptr(GAsyncResult) result = NULL;
  JsonNode *node;

  sp_http_read_json_async (session, msg, rules, NULL, got_result_cb, &result);
  node = sp_http_read_json_finish (session, wait_for_result (&result), error);
  if (msg_out != NULL)
    *msg_out = g_steal_pointer (&msg);

  return node;
}

static const SpJsonRules object_rules = {
  .what = "answer",
  .root = SP_JSON_ROOT_OBJECT,
  .max_length = MiB,
  .max_depth = SP_HTTP_MAX_DEPTH,
  .strict_tokens = TRUE,
};

/* The session recipe */

static void
network_event_cb (SoupMessage        *msg,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            user_data)
{
  gboolean *checked = user_data;
  GSocket *socket;
  int idle = 0;
  int interval = 0;
  int count = 0;

  /* The recipe's handler ran at CONNECTED; by COMPLETE the socket is tuned. */
  if (event != G_SOCKET_CLIENT_COMPLETE)
    return;

  socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (connection));
  g_assert_true (g_socket_get_keepalive (socket));
  /* A dead peer noticed within about a minute (issue 12): 30 s idle, 10 s apart, 3 probes. */
#ifdef TCP_KEEPIDLE
  g_assert_true (g_socket_get_option (socket, IPPROTO_TCP, TCP_KEEPIDLE, &idle, NULL));
  g_assert_cmpint (idle, ==, 30);
  g_assert_true (g_socket_get_option (socket, IPPROTO_TCP, TCP_KEEPINTVL, &interval, NULL));
  g_assert_cmpint (interval, ==, 10);
  g_assert_true (g_socket_get_option (socket, IPPROTO_TCP, TCP_KEEPCNT, &count, NULL));
  g_assert_cmpint (count, ==, 3);
#endif
  *checked = TRUE;
}

static void
test_session (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(SoupSession) session = sp_http_session_new_with_options ("timeout", 7, NULL);
  g_autofree char *url = g_strconcat (server->base, "/agent", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  gboolean checked = FALSE;

  g_assert_cmpuint (soup_session_get_timeout (session), ==, 7);
  g_assert_true (soup_session_get_proxy_resolver (session) == g_proxy_resolver_get_default ());
  g_assert_nonnull (soup_session_get_tls_database (session));

  g_signal_connect (msg, "network-event", G_CALLBACK (network_event_cb), &checked);
  sp_http_read_bytes_async (session, msg, 1024, NULL, got_result_cb, &result);
  body = sp_http_read_bytes_finish (session, wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_true (checked);

  /* Exactly ours: libsoup adds its own name only after a trailing space. */
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                   "Screenpop/" PACKAGE_VERSION, strlen ("Screenpop/" PACKAGE_VERSION));

  /* The recipe leaves nothing behind that keeps a session alive. */
  g_clear_object (&result);
  g_clear_object (&msg);
  sp_test_run_for (100);
  g_assert_finalize_object (g_steal_pointer (&session));
}

/* A server whose certificate nothing vouches for is refused, in words that say why. */
static void
test_tls_verified (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "http", "self-signed.pem",
                                                 NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(SoupSession) session = sp_http_session_new ();
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) cause = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *lower = NULL;
  Server handler_data = { 0, };
  GSList *uris;

  certificate = g_tls_certificate_new_from_file (path, &error);
  g_assert_no_error (error);
  server = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_add_handler (server, NULL, handler_cb, &handler_data, NULL);
  soup_server_listen (server, address, SOUP_SERVER_LISTEN_HTTPS, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("https://127.0.0.1:%d/small", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  body = read_bytes (session, url, 1024, &msg, &cause);
  g_assert_null (body);
  g_assert_error (cause, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_false (sp_http_check_answer (msg, cause, "a test service", NULL, &error));
  /* Not a transient failure: its own code, in words, with the fingerprint to trust. */
  g_assert_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CERTIFICATE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "The server’s certificate is not trusted (self-signed or from an unknown authority)"));
  fingerprint = sp_http_certificate_fingerprint (certificate);
  g_assert_cmpuint (strlen (fingerprint), ==, 32 * 3 - 1);
  g_assert_cmpstr (sp_source_error_get_certificate (error), ==, fingerprint);
  g_assert_nonnull (strstr (error->message, fingerprint));
  g_clear_error (&error);
  g_clear_error (&cause);
  g_clear_object (&msg);

  /* Another certificate's pin trusts nothing; this one's (in any case, without colons)
   * trusts exactly it. */
  sp_http_session_set_pinned_certificate (session, "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF");
  body = read_bytes (session, url, 1024, &msg, &cause);
  g_assert_null (body);
  g_assert_error (cause, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&cause);
  g_clear_object (&msg);

  lower = g_ascii_strdown (fingerprint, -1);
  sp_http_session_set_pinned_certificate (session, lower);
  body = read_bytes (session, url, 1024, &msg, &cause);
  g_assert_no_error (cause);
  g_assert_nonnull (body);

  soup_server_disconnect (server);
}

/* The bounded readers */

static void
test_read_bytes (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(SoupSession) session = sp_http_session_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *small = g_strconcat (server->base, "/small", NULL);
  g_autofree char *announced = g_strconcat (server->base, "/announced", NULL);
  g_autofree char *status = g_strconcat (server->base, "/status/404", NULL);

  body = read_bytes (session, small, 1024, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "{\"a\":1}", 7);
  g_clear_pointer (&body, g_bytes_unref);

  /* Exactly at the limit is fine, one byte less is not. */
  body = read_bytes (session, small, 7, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&body, g_bytes_unref);
  body = read_bytes (session, small, 6, NULL, &error);
  g_assert_null (body);
  g_assert_error (error, SP_HTTP_ERROR, SP_HTTP_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* A Content-Length over the limit is refused before the body is read. */
  body = read_bytes (session, announced, MiB, NULL, &error);
  g_assert_null (body);
  g_assert_error (error, SP_HTTP_ERROR, SP_HTTP_ERROR_TOO_LARGE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "too large (over 1024 KiB)"));
  g_assert_nonnull (strstr (error->message, "/announced"));
  g_clear_error (&error);

  /* Any status: the body comes back, the status is the message's. */
  body = read_bytes (session, status, 1024, &msg, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 404);
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "<p>no</p>", 9);
  g_clear_pointer (&body, g_bytes_unref);

  /* The session still works after refusals: they hung up, nothing is stuck. */
  body = read_bytes (session, small, 1024, NULL, &error);
  g_assert_no_error (error);
}

static gboolean
flood_settled (gpointer user_data)
{
  Server *server = user_data;
  static guint64 last;
  static gint64 since;
  gint64 now = g_get_monotonic_time ();

  if (server->stats.bytes_sent != last || since == 0)
    {
      last = server->stats.bytes_sent;
      since = now;
      return FALSE;
    }

  return now - since > 300 * G_TIME_SPAN_MILLISECOND;
}

/* 300 MB streamed without a Content-Length: the reader hangs up at its limit, so the server
 * manages to send only what the socket buffers hold, and the process never holds more
 * than the limit. */
static void
test_read_huge (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(SoupSession) session = sp_http_session_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *huge = g_strconcat (server->base, "/huge", NULL);
  g_autofree char *small = g_strconcat (server->base, "/small", NULL);
  gboolean peak_known = sp_test_hostile_reset_peak ();
  gsize before = sp_test_hostile_peak_rss ();

  body = read_bytes (session, huge, MiB, NULL, &error);
  g_assert_null (body);
  g_assert_error (error, SP_HTTP_ERROR, SP_HTTP_ERROR_TOO_LARGE);
  g_clear_error (&error);

  g_assert_true (sp_test_wait_until (flood_settled, server, 10000));
  g_test_message ("The server sent %" G_GUINT64_FORMAT " bytes of %" G_GUINT64_FORMAT,
                  server->stats.bytes_sent, SP_TEST_HOSTILE_HUGE_SIZE);
  g_assert_cmpuint (server->stats.n_answers, ==, 1);
  g_assert_cmpuint (server->stats.bytes_sent, <, 32 * MiB);

  if (peak_known)
    {
      g_test_message ("Peak memory grew by %" G_GSIZE_FORMAT " KiB",
                      (sp_test_hostile_peak_rss () - before) / 1024);
      g_assert_cmpuint (sp_test_hostile_peak_rss (), <, before + 64 * MiB);
    }

  /* And the same session goes on. */
  body = read_bytes (session, small, 1024, NULL, &error);
  g_assert_no_error (error);
}

static void
test_read_json (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(SoupSession) session = sp_http_session_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *small = g_strconcat (server->base, "/small", NULL);
  g_autofree char *deep = g_strconcat (server->base, "/deep", NULL);
  g_autofree char *huge = g_strconcat (server->base, "/huge", NULL);
  g_autofree char *not_utf8 = g_strconcat (server->base, "/not-utf8", NULL);
  g_autofree char *array = g_strconcat (server->base, "/array", NULL);
  g_autofree char *missing = g_strconcat (server->base, "/status/404", NULL);

  node = read_json (session, small, &object_rules, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "a"), ==, 1);

  /* 100 000 levels would overflow json-glib's stack; the reader stops at its depth. */
  g_assert_null (read_json (session, deep, &object_rules, NULL, &error));
  g_assert_error (error, SP_HTTP_ERROR, SP_HTTP_ERROR_MALFORMED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "deeper than 32 levels"));
  g_clear_error (&error);

  g_assert_null (read_json (session, huge, &object_rules, NULL, &error));
  g_assert_error (error, SP_HTTP_ERROR, SP_HTTP_ERROR_TOO_LARGE);
  g_clear_error (&error);

  g_assert_null (read_json (session, not_utf8, &object_rules, NULL, &error));
  g_assert_error (error, SP_HTTP_ERROR, SP_HTTP_ERROR_MALFORMED);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_clear_error (&error);

  g_assert_null (read_json (session, array, &object_rules, NULL, &error));
  g_assert_error (error, SP_HTTP_ERROR, SP_HTTP_ERROR_MALFORMED);
  g_clear_error (&error);

  /* An error page is not read as JSON: the status tells what went wrong. */
  g_assert_null (read_json (session, missing, &object_rules, &msg, &error));
  g_assert_error (error, SP_HTTP_ERROR, SP_HTTP_ERROR_STATUS);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 404);
}

/* Statuses */

static const SpHttpStatus basix_like[] = {
  { SOUP_STATUS_UNAUTHORIZED, SP_SOURCE_ERROR_AUTH, "Basix rejected the domain or the API token",
    "Check both in the account" },
  { SOUP_STATUS_FORBIDDEN, SP_SOURCE_ERROR_REFUSED, "The address list does not allow this computer",
    NULL },
  { 0, }
};

static GError *
answer_error (SoupSession        *session,
              const char         *url,
              const SpHttpStatus *statuses)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GError) cause = NULL;
  g_autoptr(GBytes) body = read_bytes (session, url, 1024, &msg, &cause);
  GError *error = NULL;

  g_assert_false (sp_http_check_answer (msg, cause, "a test service", statuses, &error));
  g_assert_nonnull (error);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_test_message ("%s", error->message);

  return error;
}

static void
test_check_answer (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(SoupSession) session = sp_http_session_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *small = g_strconcat (server->base, "/small", NULL);
  g_autofree char *closed = NULL;
  struct {
    guint          status;
    SpSourceError  code;
    const char    *words;
  } defaults[] = {
    { 401, SP_SOURCE_ERROR_AUTH, "rejected the credentials (HTTP 401)" },
    { 403, SP_SOURCE_ERROR_AUTH, "refused access (HTTP 403)" },
    { 429, SP_SOURCE_ERROR_REFUSED, "is busy (HTTP 429" },
    { 503, SP_SOURCE_ERROR_REFUSED, "is busy (HTTP 503 Service Unavailable)" },
    { 404, SP_SOURCE_ERROR_REFUSED, "/status/404 is not a test service (HTTP 404 Not Found)" },
    { 500, SP_SOURCE_ERROR_FAILED, "/status/500 failed (HTTP 500 Broken?evil)" },
    { 302, SP_SOURCE_ERROR_REFUSED, "(HTTP 302" },
  };

  body = read_bytes (session, small, 1024, &msg, &error);
  g_assert_no_error (error);
  g_assert_true (sp_http_check_answer (msg, NULL, "a test service", NULL, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (defaults); i++)
    {
      g_autofree char *url = g_strdup_printf ("%s/status/%u", server->base, defaults[i].status);

      error = answer_error (session, url, NULL);
      g_assert_error (error, SP_SOURCE_ERROR, defaults[i].code);
      g_assert_nonnull (strstr (error->message, defaults[i].words));
      g_clear_error (&error);
    }

  /* A backend's own words, where it has them; the defaults for the rest. */
  {
    g_autofree char *url = g_strconcat (server->base, "/status/401", NULL);

    error = answer_error (session, url, basix_like);
    g_assert_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_AUTH);
    g_assert_cmpstr (error->message, ==,
                     "Basix rejected the domain or the API token (HTTP 401). Check both in the account");
    g_clear_error (&error);
  }
  {
    g_autofree char *url = g_strconcat (server->base, "/status/403", NULL);

    error = answer_error (session, url, basix_like);
    g_assert_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_REFUSED);
    g_assert_cmpstr (error->message, ==, "The address list does not allow this computer (HTTP 403)");
    g_clear_error (&error);
  }
  {
    g_autofree char *url = g_strconcat (server->base, "/status/503", NULL);

    error = answer_error (session, url, basix_like);
    g_assert_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_REFUSED);
    g_clear_error (&error);
  }

  /* The status wins over the body's problem: an error page too large is still a 404. */
  {
    g_autofree char *url = g_strconcat (server->base, "/status/404", NULL);
    g_autoptr(GBytes) nothing = NULL;
    g_autoptr(SoupMessage) msg404 = NULL;
    g_autoptr(GError) cause = NULL;

    nothing = read_bytes (session, url, 4, &msg404, &cause);
    g_assert_error (cause, SP_HTTP_ERROR, SP_HTTP_ERROR_TOO_LARGE);
    g_assert_false (sp_http_check_answer (msg404, cause, "a test service", NULL, &error));
    g_assert_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_REFUSED);
    g_assert_nonnull (strstr (error->message, "HTTP 404"));
    g_clear_error (&error);
  }

  /* Without an error status, the reader's refusal is the answer's problem, as it is. */
  {
    g_autoptr(GBytes) nothing = NULL;
    g_autoptr(SoupMessage) msg200 = NULL;
    g_autoptr(GError) cause = NULL;

    nothing = read_bytes (session, small, 4, &msg200, &cause);
    g_assert_false (sp_http_check_answer (msg200, cause, "a test service", NULL, &error));
    g_assert_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED);
    g_assert_cmpstr (error->message, ==, cause->message);
    g_clear_error (&error);
  }

  /* Nobody listening. */
  closed = g_strdup_printf ("http://127.0.0.1:%u/x?key=secret", sp_test_find_free_port ());
  error = answer_error (session, closed, NULL);
  g_assert_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED);
  g_assert_true (g_str_has_prefix (error->message, "Could not reach http://127.0.0.1:"));
  g_assert_null (strstr (error->message, "secret"));
  g_clear_error (&error);

  /* A cancellation stays one, for the GTask recipe. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(SoupMessage) cancelled = soup_message_new (SOUP_METHOD_GET, small);
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) cause = NULL;
    g_autoptr(GBytes) nothing = NULL;

    g_cancellable_cancel (cancellable);
    sp_http_read_bytes_async (session, cancelled, 1024, cancellable, got_result_cb, &result);
    nothing = sp_http_read_bytes_finish (session, wait_for_result (&result), &cause);
    g_assert_error (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_false (sp_http_check_answer (cancelled, cause, "a test service", NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
  }
}

/* Addresses */

typedef struct
{
  const char *input;
  const char *expected;   /* NULL: refused */
} UrlCase;

static void
check_urls (const char    *name,
            char        *(*normalize) (const char *url, GError **error),
            const UrlCase *cases,
            gsize          n_cases)
{
  for (gsize i = 0; i < n_cases; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = normalize (cases[i].input, &error);

      if (cases[i].expected == NULL)
        {
          if (url != NULL)
            g_error ("%s: “%s” gave “%s”, not an error", name, cases[i].input, url);
          g_assert_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG);
          g_assert_true (g_utf8_validate (error->message, -1, NULL));
          /* Whatever was typed, a password is never repeated. */
          g_assert_null (strstr (error->message, "secret"));
          continue;
        }

      if (url == NULL)
        g_error ("%s: “%s” was refused: %s", name, cases[i].input, error->message);
      g_assert_cmpstr (url, ==, cases[i].expected);

      /* Normalizing is idempotent: a stored address reads back as itself. */
      {
        g_autofree char *again = normalize (url, &error);

        g_assert_no_error (error);
        g_assert_cmpstr (again, ==, url);
      }
    }
}

static char *
normalize_plain (const char  *url,
                 GError     **error)
{
  return sp_http_normalize_url (url, SP_HTTP_URL_DEFAULT, "https://HOST", error);
}

static char *
normalize_websocket (const char  *url,
                     GError     **error)
{
  return sp_http_normalize_url (url, SP_HTTP_URL_WEBSOCKET | SP_HTTP_URL_KEEP_QUERY,
                                "ws://HOST", error);
}

static char *
normalize_bare (const char  *url,
                GError     **error)
{
  return sp_http_normalize_url (url, SP_HTTP_URL_BARE_HOST | SP_HTTP_URL_WEBSOCKET,
                                "https://HOST", error);
}

static void
test_normalize (void)
{
  static const UrlCase plain[] = {
    { "http://127.0.0.1:3000", "http://127.0.0.1:3000" },
    { "http://127.0.0.1:3000/", "http://127.0.0.1:3000" },
    { "https://host/redmine//", "https://host/redmine" },
    { "HTTPS://Host.Example:8443/a/b/", "https://Host.Example:8443/a/b" },
    { "  https://host/sub%20path \n", "https://host/sub%20path" },
    { "http://[::1]:3000/", "http://[::1]:3000" },
    { "https://host/?key=abc#x", "https://host" },
    { "", NULL },
    { NULL, NULL },
    { "   ", NULL },
    { "host.example", NULL },
    { "ws://host/", NULL },
    { "ftp://host/", NULL },
    { "file:///etc/passwd", NULL },
    { "https://", NULL },
    { "http:///path", NULL },
    { "https://bob:secret@host/", NULL },
    { "https://bob@host/", NULL },
    { "http://host:99999/", NULL },
    { "http://a\"b/", NULL },
    { "not a url", NULL },
  };
  static const UrlCase websocket[] = {
    { "ws://host:8990/crmws", "http://host:8990/crmws" },
    { "wss://host/crmws/", "https://host/crmws" },
    { "WSS://host/crmws?x=1", "https://host/crmws?x=1" },
    { "http://host:8990", "http://host:8990" },
    { "wss://bob:secret@host/", NULL },
    { "ftp://host", NULL },
  };
  static const UrlCase bare[] = {
    { "xivo.example.com", "https://xivo.example.com" },
    { "xivo.example.com:8443/", "https://xivo.example.com:8443" },
    { "ws://xuc:8090", "http://xuc:8090" },
    { "secret@xivo.example.com", NULL },
  };

  check_urls ("plain", normalize_plain, plain, G_N_ELEMENTS (plain));
  check_urls ("websocket", normalize_websocket, websocket, G_N_ELEMENTS (websocket));
  check_urls ("bare", normalize_bare, bare, G_N_ELEMENTS (bare));

  /* The messages say what to type. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_null (sp_http_normalize_url ("ftp://bcs.example.com", SP_HTTP_URL_WEBSOCKET,
                                          "https://bcs.brastel.com", &error));
    g_assert_cmpstr (error->message, ==,
                     "“ftp://bcs.example.com” is not a web address; use https:// or wss://");
    g_clear_error (&error);

    g_assert_null (sp_http_normalize_url ("", SP_HTTP_URL_DEFAULT, "http://HOST:58615", &error));
    g_assert_cmpstr (error->message, ==, "No server address is set; use http://HOST:58615");
  }
}

/* Each kind's normaliser: the shared one, and the kind's own bit. */
static void
test_normalize_kinds (void)
{
  static const UrlCase redmine[] = {
    { "http://127.0.0.1:3000", "http://127.0.0.1:3000" },
    { "https://redmine.example/", "https://redmine.example" },
    { "https://host/redmine/", "https://host/redmine" },
    { "HTTPS://Host.Example:8443/a/b/", "https://Host.Example:8443/a/b" },
    { "  https://host/sub%20path \n", "https://host/sub%20path" },
    { "http://[::1]:3000/", "http://[::1]:3000" },
    { "", NULL },
    { "redmine.example", NULL },
    { "ftp://host/", NULL },
    { "ws://host/", NULL },
    { "file:///etc/passwd", NULL },
    { "https://", NULL },
    { "https://bob:secret@host/", NULL },
    { "http://host:99999/", NULL },
  };
  static const UrlCase xivo[] = {
    { "https://xivo.example.com", "https://xivo.example.com" },
    { "https://xivo.example.com/", "https://xivo.example.com" },
    { "xivo.example.com", "https://xivo.example.com" },
    { "http://xuc.example.com:8090", "http://xuc.example.com:8090" },
    { "ws://xuc.example.com:8090/xuc/api/2.0/cti", "http://xuc.example.com:8090" },
    { "wss://xivo.example.com/xuc/api/2.0/cti?token=abc", "https://xivo.example.com" },
    { "https://xivo.example.com/xuc/", "https://xivo.example.com" },
    { "https://xivo.example.com/xuc/api/2.0/auth/login", "https://xivo.example.com" },
    { "https://proxy.example.com/pbx/xuc", "https://proxy.example.com/pbx" },
    { "http://127.0.0.1:41234", "http://127.0.0.1:41234" },
    { "http://[::1]:8090", "http://[::1]:8090" },
    { "", NULL },
    { NULL, NULL },
    { "ftp://xivo.example.com", NULL },
    { "https://", NULL },
    { "https://ana:secret@xivo.example.com", NULL },
    { "http:///path", NULL },
  };
  static const UrlCase pbxis[] = {
    { "http://127.0.0.1:58615", "http://127.0.0.1:58615" },
    { "ws://pbx:58615/", "http://pbx:58615" },
    { "https://proxy.example.com/pbxis//", "https://proxy.example.com/pbxis" },
    { "wss://proxy.example.com/pbxis?x=1", "https://proxy.example.com/pbxis" },
    { "", NULL },
    { "pbx:58615", NULL },
    { "ftp://pbx", NULL },
    { "http://ana:secret@pbx:58615", NULL },
  };
  static const UrlCase basix[] = {
    { "https://bcs.brastel.com", "https://bcs.brastel.com" },
    { "wss://bcs.example.com/basix/api/ws_cti?app_name=x", "https://bcs.example.com" },
    { "ws://127.0.0.1:8080/", "http://127.0.0.1:8080" },
    { "", NULL },
    { "bcs.example.com", NULL },
    { "ftp://bcs.example.com", NULL },
  };
  static const UrlCase popup[] = {
    { "ws://host:8990/crmws", "http://host:8990/crmws" },
    { "ws://host:8990", "http://host:8990/crmws" },
    { "ws://host:8990/", "http://host:8990/crmws" },
    { "wss://host/custom/?x=1", "https://host/custom?x=1" },
    { "wss://host/?x=1", "https://host/crmws?x=1" },
    { "http://127.0.0.1:8990/crmws", "http://127.0.0.1:8990/crmws" },
    { "", NULL },
    { "not a url", NULL },
    { "ftp://host", NULL },
    { "ws://x:secret@host", NULL },
  };

  check_urls ("redmine", sp_redmine_source_normalize_url, redmine, G_N_ELEMENTS (redmine));
  check_urls ("xivo", sp_xivo_source_normalize_url, xivo, G_N_ELEMENTS (xivo));
  check_urls ("pbxis", sp_pbxis_source_normalize_url, pbxis, G_N_ELEMENTS (pbxis));
  check_urls ("basix", sp_basix_source_normalize_url, basix, G_N_ELEMENTS (basix));
  check_urls ("popup-notifier", sp_popup_notifier_source_normalize_url, popup,
              G_N_ELEMENTS (popup));

  /* XiVO's API addresses are built on its base. */
  {
    g_autofree char *base = sp_xivo_source_normalize_url ("wss://xivo.example.com/pbx/xuc/api/2.0/cti", NULL);
    g_autofree char *login = sp_xivo_login_url (base);

    g_assert_cmpstr (login, ==, "https://xivo.example.com/pbx/xuc/api/2.0/auth/login");
  }
}

static void
test_websocket_url (void)
{
  g_autofree char *ws = sp_http_websocket_url ("http://host:8990/crmws?x=1");
  g_autofree char *wss = sp_http_websocket_url ("https://host/redmine/cable");
  g_autofree char *other = sp_http_websocket_url ("ws://host");
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET,
                                                 "https://host/redmine/cable?access_key=secret");
  g_autofree char *shown = sp_http_dup_display_url (msg);
  g_autofree char *shown_ws = NULL;

  g_assert_cmpstr (ws, ==, "ws://host:8990/crmws?x=1");
  g_assert_cmpstr (wss, ==, "wss://host/redmine/cable");
  g_assert_cmpstr (other, ==, "ws://host");

  /* Keys travel in queries: a shown address never has one. */
  g_assert_cmpstr (shown, ==, "https://host/redmine/cable");
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Upgrade", "websocket");
  shown_ws = sp_http_dup_display_url (msg);
  g_assert_cmpstr (shown_ws, ==, "wss://host/redmine/cable");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/http/session", test_session);
  g_test_add_func ("/http/tls-verified", test_tls_verified);
  g_test_add_func ("/http/read-bytes", test_read_bytes);
  g_test_add_func ("/http/read-huge", test_read_huge);
  g_test_add_func ("/http/read-json", test_read_json);
  g_test_add_func ("/http/check-answer", test_check_answer);
  g_test_add_func ("/http/normalize", test_normalize);
  g_test_add_func ("/http/normalize-kinds", test_normalize_kinds);
  g_test_add_func ("/http/websocket-url", test_websocket_url);

  return g_test_run ();
}
