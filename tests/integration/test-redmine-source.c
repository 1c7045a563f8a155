/* test-redmine-source.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The redmine-rt backend end to end, against a real ActionCable server (Debian's puma and
 * ruby-actioncable running tests/servers/redmine-rt/, which behaves like redmine_rt), with
 * the keys in a real gnome-keyring-daemon and the notifications going to python-dbusmock's
 * notification daemon, all on a private session bus. What the server receives and
 * broadcasts is checked with its own broadcast log and with a second, raw ActionCable
 * client that plays the PBX application listening on channel "pbx".
 */

#define G_LOG_DOMAIN "test-redmine"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include <adwaita.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <libnotify/notify.h>
#include <libsecret/secret.h>
#include <libsoup/soup.h>

#include "sp-account-list.h"
#include "sp-add-account-dialog.h"
#include "sp-call-tracker.h"
#include "sp-command-runner.h"
#include "sp-notifier.h"
#include "sp-redmine-source.h"
#include "sp-screenpop.h"
#include "sp-secret.h"
#include "sp-test-editor.h"
#include "sp-test-notify.h"
#include "sp-test-engine.h"
#include "sp-test-keyring.h"
#include "sp-test-util.h"

#define WAIT_MS 15000

static SpTestNotify *notify;
static SpTestKeyring *keyring;
static char *cache_home;
static SoupSession *http;      /* the test's own requests, synchronous */
static gboolean have_display;

/* The redmine_rt test server */

typedef struct
{
  GSubprocess *process;
  guint16      port;
  gboolean     legacy;
  char        *base_url;
  gboolean     exited;
} Server;

static Server *shared_server;

static void
server_exited_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  gboolean *exited = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *exited = TRUE;
}

/* A test that fails aborts: the server must not outlive it (run-server execs puma, so the
 * setting carries over). */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* Starts run-server on @port without waiting for it: the main loop runs on, so the
 * client's attempts go on while puma boots, as they would against a real Redmine. */
static Server *
server_spawn (guint16 port)
{
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "servers", "redmine-rt",
                                                   "run-server", NULL);
  g_autofree char *port_arg = g_strdup_printf ("--port=%u", port);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  Server *server;

  const char *argv[] = { script, port_arg, NULL };

  /* The port line goes to /dev/null: the caller watches the port itself. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server = g_new0 (Server, 1);
  server->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  server->port = port;
  server->base_url = g_strdup_printf ("http://127.0.0.1:%u", port);
  g_subprocess_wait_async (server->process, NULL, server_exited_cb, &server->exited);

  return server;
}

/* Whether something accepts TCP connections on the port (puma binds once the app is
 * loaded, so this is when Redmine "answers" again). */
static gboolean
port_accepts (gpointer data)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", GPOINTER_TO_UINT (data),
                                                NULL, NULL);

  return connection != NULL;
}

/* Starts run-server (port 0: a free one). Returns NULL, having marked the test skipped,
 * when puma is not installed. */
static Server *
server_start (guint16  port,
              gboolean legacy)
{
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "servers", "redmine-rt",
                                                   "run-server", NULL);
  g_autofree char *port_arg = g_strdup_printf ("--port=%u", port);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  Server *server;

  const char *argv[] = { script, port_arg, legacy ? "--legacy" : NULL, NULL };

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server = g_new0 (Server, 1);
  server->legacy = legacy;
  server->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);

  if (line == NULL)
    {
      g_subprocess_wait (server->process, NULL, NULL);
      if (g_subprocess_get_if_exited (server->process) &&
          g_subprocess_get_exit_status (server->process) == 77)
        {
          g_test_skip ("puma or ruby-actioncable is not installed");
          g_clear_object (&server->process);
          g_free (server);
          return NULL;
        }
      g_error ("run-server did not start");
    }

  server->port = (guint16) g_ascii_strtoull (line, NULL, 10);
  g_assert_cmpuint (server->port, >, 0);
  server->base_url = g_strdup_printf ("http://127.0.0.1:%u", server->port);
  g_subprocess_wait_async (server->process, NULL, server_exited_cb, &server->exited);

  return server;
}

static gboolean
server_has_exited (gpointer data)
{
  return ((Server *) data)->exited;
}

/* Stops puma with SIGTERM: connections drop without a close frame, as in production. */
static void
server_kill (Server *server)
{
  if (server->exited)
    return;

  g_subprocess_send_signal (server->process, SIGCONT);
  g_subprocess_send_signal (server->process, SIGTERM);
  g_assert_true (sp_test_wait_until (server_has_exited, server, 20000));
}

static void
server_free (Server *server)
{
  if (server == NULL)
    return;

  server_kill (server);
  g_clear_object (&server->process);
  g_free (server->base_url);
  g_free (server);
}

static guint
http_send_typed (const char  *method,
                 const char  *url,
                 const char  *api_key,
                 const char  *content_type,
                 const char  *body,
                 GBytes     **response)
{
  g_autoptr(GUri) parsed = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr(GUri) uri = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  g_auto(GStrv) path_query = NULL;

  /* Built, not parsed, with libsoup's flags: parsing would turn "%2E" into ".". */
  g_assert_nonnull (parsed);
  path_query = g_strsplit (strstr (url + strlen ("http://"), "/"), "?", 2);
  uri = g_uri_build (SOUP_HTTP_URI_FLAGS, g_uri_get_scheme (parsed), NULL, g_uri_get_host (parsed),
                     g_uri_get_port (parsed), path_query[0], path_query[1], NULL);
  msg = soup_message_new_from_uri (method, uri);

  g_assert_nonnull (msg);

  if (api_key != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Redmine-API-Key",
                                  api_key);
  if (body != NULL)
    {
      g_autoptr(GBytes) request = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, content_type, request);
    }

  bytes = soup_session_send_and_read (http, msg, NULL, &error);
  g_assert_no_error (error);

  if (response != NULL)
    *response = g_steal_pointer (&bytes);

  return soup_message_get_status (msg);
}

static guint
http_send (const char  *method,
           const char  *url,
           const char  *api_key,
           const char  *body,
           GBytes     **response)
{
  return http_send_typed (method, url, api_key, "application/json", body, response);
}

/* What a PBX application does: post a message to a channel over redmine_rt's HTTP API,
 * with the pbx user's key. @encoded_channel is already percent-encoded. */
static void
server_post (Server     *server,
             const char *encoded_channel,
             const char *json)
{
  g_autofree char *url = g_strdup_printf ("%s/channels/%s/post_msg.json", server->base_url,
                                          encoded_channel);

  g_assert_cmpuint (http_send ("POST", url, "k-pbx", json, NULL), ==, 204);
}

/* Broadcasts @json as is (the test server's hook, for malformed messages). */
static void
server_broadcast_raw (Server     *server,
                      const char *channel,
                      const char *json)
{
  g_autofree char *url = g_strdup_printf ("%s/test/broadcast/%s", server->base_url, channel);

  g_assert_cmpuint (http_send ("POST", url, NULL, json, NULL), ==, 204);
}

/* The server's record of what it broadcast on @channel. */
static JsonArray *
server_log (Server     *server,
            const char *channel)
{
  g_autofree char *url = g_strdup_printf ("%s/test/log?channel=%s", server->base_url, channel);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (http_send ("GET", url, NULL, NULL, &body), ==, 200);
  json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                              &error);
  g_assert_no_error (error);

  return json_array_ref (json_node_get_array (json_parser_get_root (parser)));
}

/* A raw ActionCable client: the PBX application listening on "pbx" */

typedef struct
{
  SoupWebsocketConnection *connection;
  GPtrArray               *messages;   /* (element-type JsonNode) broadcasts on pbx */
  gboolean                 confirmed;
} Listener;

#define PBX_IDENTIFIER "{\"channel\":\"Channel\",\"name\":\"pbx\"}"

static void
listener_message_cb (SoupWebsocketConnection *connection,
                     SoupWebsocketDataType    type,
                     GBytes                  *message,
                     Listener                *listener)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *frame;
  const char *frame_type;

  if (!json_parser_load_from_data (parser, g_bytes_get_data (message, NULL),
                                   g_bytes_get_size (message), NULL))
    return;

  frame = json_node_get_object (json_parser_get_root (parser));
  frame_type = json_object_get_string_member_with_default (frame, "type", "");

  if (g_str_equal (frame_type, "welcome"))
    soup_websocket_connection_send_text (connection,
                                         "{\"command\":\"subscribe\",\"identifier\":"
                                         "\"{\\\"channel\\\":\\\"Channel\\\",\\\"name\\\":\\\"pbx\\\"}\"}");
  else if (g_str_equal (frame_type, "confirm_subscription"))
    listener->confirmed = TRUE;
  else if (json_object_has_member (frame, "message") &&
           g_strcmp0 (json_object_get_string_member_with_default (frame, "identifier", ""),
                      PBX_IDENTIFIER) == 0)
    g_ptr_array_add (listener->messages, json_node_copy (json_object_get_member (frame, "message")));
}

static void
listener_connected_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  Listener *listener = user_data;
  g_autoptr(GError) error = NULL;

  listener->connection = soup_session_websocket_connect_finish (SOUP_SESSION (object), result,
                                                                &error);
  g_assert_no_error (error);
  g_signal_connect (listener->connection, "message", G_CALLBACK (listener_message_cb), listener);
}

static gboolean
listener_ready (gpointer data)
{
  return ((Listener *) data)->confirmed;
}

static gboolean
listener_has_message (gpointer data)
{
  return ((Listener *) data)->messages->len > 0;
}

static Listener *
listener_new (Server *server)
{
  const char *protocols[] = { "actioncable-v1-json", NULL };
  g_autofree char *url = g_strdup_printf ("%s/cable?access_key=k-pbx", server->base_url);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(SoupSession) session = soup_session_new ();
  Listener *listener = g_new0 (Listener, 1);

  listener->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  soup_session_websocket_connect_async (session, msg, NULL, (char **) protocols,
                                        G_PRIORITY_DEFAULT, NULL, listener_connected_cb,
                                        listener);
  g_assert_true (sp_test_wait_until (listener_ready, listener, WAIT_MS));

  return listener;
}

static void
listener_free (Listener *listener)
{
  if (listener->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (listener->connection, listener);
      soup_websocket_connection_close (listener->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&listener->connection);
    }
  g_ptr_array_unref (listener->messages);
  g_free (listener);
}

/* A TCP proxy that counts what goes to the server, to see requests we never asked for */

typedef struct
{
  GSocketService *service;
  GCancellable   *cancellable;
  guint16         port;
  guint16         target_port;
  gsize           bytes_to_server;
  guint           connections;
} Proxy;

typedef struct
{
  Proxy         *proxy;        /* not touched once proxy->cancellable is cancelled */
  GIOStream     *from;
  GIOStream     *to;
  gboolean       to_server;
  guint8         buffer[16384];
} Pump;

static void pump_read (Pump *pump);

static void
pump_free (Pump *pump)
{
  g_io_stream_close (pump->from, NULL, NULL);
  g_io_stream_close (pump->to, NULL, NULL);
  g_object_unref (pump->from);
  g_object_unref (pump->to);
  g_free (pump);
}

static void
pump_written_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Pump *pump = user_data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, NULL))
    {
      pump_free (pump);
      return;
    }

  pump_read (pump);
}

static void
pump_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Pump *pump = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, NULL);

  if (n <= 0)
    {
      pump_free (pump);
      return;
    }

  if (pump->to_server)
    pump->proxy->bytes_to_server += n;

  g_output_stream_write_all_async (g_io_stream_get_output_stream (pump->to), pump->buffer, n,
                                   G_PRIORITY_DEFAULT, pump->proxy->cancellable,
                                   pump_written_cb, pump);
}

static void
pump_read (Pump *pump)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (pump->from), pump->buffer,
                             sizeof pump->buffer, G_PRIORITY_DEFAULT,
                             pump->proxy->cancellable, pump_read_cb, pump);
}

static gboolean
proxy_incoming_cb (GSocketService    *service,
                   GSocketConnection *client,
                   GObject           *source_object,
                   Proxy             *proxy)
{
  g_autoptr(GSocketClient) connector = g_socket_client_new ();
  g_autoptr(GSocketConnection) upstream = NULL;
  Pump *up = g_new0 (Pump, 1);
  Pump *down = g_new0 (Pump, 1);

  upstream = g_socket_client_connect_to_host (connector, "127.0.0.1", proxy->target_port,
                                              NULL, NULL);
  proxy->connections++;

  if (upstream == NULL)
    {
      g_io_stream_close (G_IO_STREAM (client), NULL, NULL);
      g_free (up);
      g_free (down);
      return TRUE;
    }

  /* Each pump owns a reference to both ends; the first to finish closes them. */
  *up = (Pump) { proxy, g_object_ref (G_IO_STREAM (client)), g_object_ref (G_IO_STREAM (upstream)), TRUE };
  *down = (Pump) { proxy, g_object_ref (G_IO_STREAM (upstream)), g_object_ref (G_IO_STREAM (client)), FALSE };
  pump_read (up);
  pump_read (down);

  return TRUE;
}

static Proxy *
proxy_new (guint16 target_port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  Proxy *proxy = g_new0 (Proxy, 1);

  proxy->target_port = target_port;
  proxy->cancellable = g_cancellable_new ();
  proxy->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (proxy->service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound,
                                 &error);
  g_assert_no_error (error);
  proxy->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_signal_connect (proxy->service, "incoming", G_CALLBACK (proxy_incoming_cb), proxy);
  g_socket_service_start (proxy->service);

  return proxy;
}

static void
proxy_free (Proxy *proxy)
{
  g_socket_service_stop (proxy->service);
  g_socket_listener_close (G_SOCKET_LISTENER (proxy->service));
  g_signal_handlers_disconnect_by_data (proxy->service, proxy);
  g_cancellable_cancel (proxy->cancellable);
  /* Let the pumps see the cancellation and free themselves. */
  sp_test_run_for (100);
  g_clear_object (&proxy->service);
  g_clear_object (&proxy->cancellable);
  g_free (proxy);
}

/* An HTTP server for notification icons */

static GBytes *icon_png;

/* How long the slow picture host takes: well under the fetch's deadline. */
#define SLOW_PICTURE_MS 2000

static gboolean
unpause_cb (gpointer user_data)
{
  soup_server_message_unpause (user_data);
  return G_SOURCE_REMOVE;
}

static void
icon_server_cb (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  if (g_str_equal (path, "/picasso.png"))
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "image/png", SOUP_MEMORY_COPY,
                                        g_bytes_get_data (icon_png, NULL),
                                        g_bytes_get_size (icon_png));
    }
  else if (g_str_equal (path, "/huge.png"))
    {
      /* A real PNG header followed by 3 MB: over the limit of 2 MB. */
      gsize size = 3 * 1024 * 1024;
      guint8 *data = g_malloc0 (size);

      memcpy (data, g_bytes_get_data (icon_png, NULL), g_bytes_get_size (icon_png));
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "image/png", SOUP_MEMORY_TAKE, (char *) data, size);
    }
  else if (g_str_equal (path, "/text"))
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "image/png", SOUP_MEMORY_STATIC, "not a picture", 13);
    }
  else if (g_str_equal (path, "/slow.png"))
    {
      /* Never answered: the client must give up by itself. */
      soup_server_message_pause (msg);
    }
  else if (g_str_equal (path, "/slow-picasso.png"))
    {
      /* A slow picture host: the picture, SLOW_PICTURE_MS later. */
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "image/png", SOUP_MEMORY_COPY,
                                        g_bytes_get_data (icon_png, NULL),
                                        g_bytes_get_size (icon_png));
      soup_server_message_pause (msg);
      g_timeout_add_full (G_PRIORITY_DEFAULT, SLOW_PICTURE_MS, unpause_cb, g_object_ref (msg),
                          g_object_unref);
    }
  else if (g_str_equal (path, "/broken/users/current.json"))
    {
      /* A Redmine whose cable is misconfigured (no config/cable.yml): the API works,
       * post_msg fails with 500 (protocols/redmine_rt.md §12). */
      const char *json = "{\"user\":{\"id\":5,\"login\":\"bob\",\"api_key\":\"k-bob\"}}";

      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, json,
                                        strlen (json));
    }
  else if (g_str_has_prefix (path, "/broken/channels/"))
    {
      soup_server_message_set_status (msg, 500, NULL);
    }
  else
    {
      soup_server_message_set_status (msg, 404, NULL);
    }
}

static SoupServer *
icon_server_new (char **base_url)
{
  g_autoptr(GError) error = NULL;
  SoupServer *server = soup_server_new (NULL, NULL);
  GSList *uris;

  soup_server_add_handler (server, NULL, icon_server_cb, NULL, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (server);
  *base_url = g_uri_to_string (uris->data);
  /* "http://127.0.0.1:PORT/" without the slash. */
  (*base_url)[strlen (*base_url) - 1] = '\0';
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return server;
}

/* The application's pipeline */

typedef struct
{
  GSettings       *settings;
  SpEngine        *engine;
  SpCallTracker   *tracker;
  SpNotifier      *notifier;
  SpAccountList      *accounts;
  SpScreenpop     *screenpop;
  SpCommandRunner *runner;
  GPtrArray       *opened;       /* URLs the handler was asked to open */
  Server          *server;       /* the shared server, or the test's own */
  gboolean         own_server;
  SpAccount       *account;      /* (unowned) the account under test */
  guint            connects;     /* times its source became connected */
  guint            account_serial;
} Fixture;

static void
record_url (const char *uri,
            gpointer    user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->opened, g_strdup (uri));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  sp_test_notify_clear (notify);

  fixture->settings = g_settings_new ("io.github.screenpop.Screenpop");
  fixture->engine = sp_test_engine_new (fixture->settings, NULL);
  fixture->tracker = sp_engine_get_tracker (fixture->engine);
  fixture->notifier = sp_engine_get_notifier (fixture->engine);
  /* No sound card here; the ping is SpNotifier's business, tested elsewhere. */
  sp_notifier_set_sound_enabled (fixture->notifier, FALSE);
  fixture->accounts = sp_engine_get_accounts (fixture->engine);
  fixture->screenpop = sp_engine_get_screenpop (fixture->engine);
  fixture->runner = sp_engine_get_command_runner (fixture->engine);
  fixture->opened = g_ptr_array_new_with_free_func (g_free);
  sp_engine_set_url_handler (fixture->engine, record_url, fixture, NULL);
}

static gboolean
runner_idle (gpointer data)
{
  /* Only the fixture's reference left: no icon fetch or post in flight. */
  return g_atomic_int_get (&G_OBJECT (data)->ref_count) == 1;
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_true (sp_test_wait_until (runner_idle, fixture->runner, WAIT_MS));
  /* The command runner with the rest of the pipeline. */
  sp_test_engine_assert_finalize (g_steal_pointer (&fixture->engine));
  g_clear_object (&fixture->settings);
  g_clear_pointer (&fixture->opened, g_ptr_array_unref);

  if (fixture->own_server)
    g_clear_pointer (&fixture->server, server_free);
}

static void
store_secret (const char *account_id,
              const char *secret)
{
  g_autoptr(GError) error = NULL;

  /* What the add-account dialog does; synchronously, this being a test. */
  secret_password_store_sync (sp_secret_get_schema (), SECRET_COLLECTION_DEFAULT, "test",
                              secret, NULL, &error, "account", account_id, NULL);
  g_assert_no_error (error);
}

static SpSource *
fixture_source (Fixture *fixture)
{
  return sp_account_list_get_source (fixture->accounts, sp_account_get_id (fixture->account));
}

static void
state_cb (SpSource   *source,
          GParamSpec *pspec,
          Fixture    *fixture)
{
  if (sp_source_get_state (source) == SP_SOURCE_STATE_CONNECTED)
    fixture->connects++;
}

/* Uses the shared server, or starts the test's own. Returns FALSE if the test is skipped. */
static gboolean
fixture_use_server (Fixture  *fixture,
                    gboolean  own,
                    gboolean  legacy)
{
  if (!own)
    {
      if (shared_server == NULL)
        shared_server = server_start (0, FALSE);
      fixture->server = shared_server;
    }
  else
    {
      fixture->server = server_start (0, legacy);
      fixture->own_server = TRUE;
    }

  return fixture->server != NULL;
}

/* Adds a redmine-rt account for @url whose keyring secret is @secret, and starts it.
 * @login: (nullable): a login for the password flow (the secret is then the password). */
static void
fixture_add_account (Fixture            *fixture,
                     const char         *url,
                     const char         *secret,
                     const char         *login,
                     const char * const *channels)
{
  g_autofree char *id = g_strdup_printf ("redmine-%u-%u", (guint) getpid (),
                                         ++fixture->account_serial + g_random_int_range (0, 100000));
  g_autoptr(SpAccount) account = sp_account_new_transient (id, "redmine-rt", "Redmine");
  GSettings *settings = sp_account_get_settings (account);

  g_settings_set_string (settings, "url", url);
  if (channels != NULL)
    g_settings_set_strv (settings, "channels", channels);
  if (login != NULL)
    {
      GVariantBuilder options;

      g_settings_set_string (settings, "login", login);
      g_variant_builder_init (&options, G_VARIANT_TYPE ("a{ss}"));
      g_variant_builder_add (&options, "{ss}", SP_REDMINE_OPTION_AUTH, SP_REDMINE_AUTH_PASSWORD);
      g_settings_set_value (settings, "options", g_variant_builder_end (&options));
    }
  store_secret (id, secret);

  sp_account_list_add_transient (fixture->accounts, account);
  fixture->account = account;
  g_assert_true (SP_IS_REDMINE_SOURCE (fixture_source (fixture)));
  g_signal_connect (fixture_source (fixture), "notify::state", G_CALLBACK (state_cb), fixture);
}

typedef struct
{
  SpSource      *source;
  SpSourceState  state;
} StateWait;

static gboolean
state_reached (gpointer data)
{
  StateWait *wait = data;

  return sp_source_get_state (wait->source) == wait->state;
}

static gboolean
wait_state (Fixture       *fixture,
            SpSourceState  state,
            guint          timeout_ms)
{
  StateWait wait = { fixture_source (fixture), state };

  return sp_test_wait_until (state_reached, &wait, timeout_ms);
}

static gboolean
state_left (gpointer data)
{
  StateWait *wait = data;

  return sp_source_get_state (wait->source) != wait->state;
}

static gboolean
wait_not_state (Fixture       *fixture,
                SpSourceState  state,
                guint          timeout_ms)
{
  StateWait wait = { fixture_source (fixture), state };

  return sp_test_wait_until (state_left, &wait, timeout_ms);
}

/* Connects bob (key k-bob) with the extra channel pbx. */
static gboolean
fixture_connect_bob (Fixture  *fixture,
                     gboolean  own_server,
                     gboolean  legacy)
{
  const char *channels[] = { "pbx", NULL };

  if (!fixture_use_server (fixture, own_server, legacy))
    return FALSE;

  fixture_add_account (fixture, fixture->server->base_url, "k-bob", NULL, channels);
  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_CONNECTED, WAIT_MS));

  return TRUE;
}

static gboolean
opened_count_is (gpointer data)
{
  gpointer *pair = data;
  Fixture *fixture = pair[0];

  return fixture->opened->len >= GPOINTER_TO_UINT (pair[1]);
}

static gboolean
wait_opened (Fixture *fixture,
             guint    n)
{
  gpointer pair[2] = { fixture, GUINT_TO_POINTER (n) };

  return sp_test_wait_until (opened_count_is, pair, WAIT_MS);
}

static SpTestNotifyCall *
wait_notify (guint n)
{
  g_autoptr(GPtrArray) calls = NULL;

  g_assert_true (sp_test_notify_wait_for (notify, "Notify", n, WAIT_MS));
  calls = sp_test_notify_get_calls (notify, "Notify");

  return g_steal_pointer (&g_ptr_array_index (calls, n - 1));
}

static const char *
notify_call_get_icon (SpTestNotifyCall *call)
{
  const char *icon;

  g_variant_get_child (call->args, 2, "&s", &icon);
  return icon;
}

/* The notification's picture: the path of the image-path hint's file: URI, or %NULL. */
static char *
notify_call_dup_image_path (SpTestNotifyCall *call)
{
  g_autoptr(GVariant) hint = sp_test_notify_call_get_hint (call, "image-path");

  if (hint == NULL)
    return NULL;

  g_assert_true (g_str_has_prefix (g_variant_get_string (hint, NULL), "file:///"));
  return g_filename_from_uri (g_variant_get_string (hint, NULL), NULL, NULL);
}

static gint32
notify_call_get_timeout (SpTestNotifyCall *call)
{
  gint32 timeout;

  g_variant_get_child (call->args, 7, "i", &timeout);
  return timeout;
}

/* The tests */

/* README example 1: a PBX application opens a page on the agent's desktop. The same URL
 * twice within 2 s opens once; a URL the policy refuses never opens. */
static void
test_redmine_open_url (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(SpTestLogCapture) capture = sp_test_log_capture_new (NULL);

  if (!fixture_connect_bob (fixture, FALSE, FALSE))
    return;

  /* The cable URL is logged, without its access_key; the key is in no log line at all. */
  g_assert_cmpuint (sp_test_log_capture_count (capture, G_LOG_LEVEL_DEBUG,
                                               "*Connecting to ws://127.0.0.1:*/cable"), ==, 1);

  g_assert_cmpstr (sp_source_get_detail (fixture_source (fixture)), ==,
                   "Channels: user:bob, general, pbx");

  server_post (fixture->server, "user%3Abob",
               "{\"command\":\"open_url\",\"data\":{\"url\":\"http://127.0.0.1:3000/issues/1\"}}");
  g_assert_true (wait_opened (fixture, 1));
  g_assert_cmpstr (g_ptr_array_index (fixture->opened, 0), ==, "http://127.0.0.1:3000/issues/1");

  /* A repeat at once is dropped; the refused file: URL comes before a fresh URL on the
   * same channel, so once that one opened both were handled. */
  server_post (fixture->server, "user%3Abob",
               "{\"command\":\"open_url\",\"data\":{\"url\":\"http://127.0.0.1:3000/issues/1\"}}");
  g_test_expect_message ("sp-url-opener", G_LOG_LEVEL_WARNING, "*file*");
  server_post (fixture->server, "user%3Abob",
               "{\"command\":\"open_url\",\"data\":{\"url\":\"file:///etc/passwd\"}}");
  server_post (fixture->server, "general",
               "{\"command\":\"open_url\",\"data\":{\"url\":\"https://redmine.example/issues/2\"}}");
  g_assert_true (wait_opened (fixture, 2));
  g_test_assert_expected_messages ();
  g_assert_cmpuint (fixture->opened->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (fixture->opened, 1), ==, "https://redmine.example/issues/2");

  g_assert_cmpuint (sp_test_log_capture_count (capture, 0, "*k-bob*"), ==, 0);
  g_assert_cmpuint (sp_test_log_capture_count (capture, 0, "*access_key*"), ==, 0);
}

/* README example 2: a notification to everybody, on general. It stays until dismissed. */
static void
test_redmine_show_notification (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(SpTestNotifyCall) call = NULL;
  g_auto(GStrv) actions = NULL;

  if (!fixture_connect_bob (fixture, FALSE, FALSE))
    return;

  server_post (fixture->server, "general",
               "{\"command\":\"show_notification\",\"data\":{\"title\":\"Meeting\","
               "\"message\":\"The <b>weekly</b> meeting starts in 5 minutes\"}}");

  call = wait_notify (1);
  g_assert_cmpstr (sp_test_notify_call_get_summary (call), ==, "Meeting");
  /* Plain text, escaped for a server that reads markup. */
  g_assert_cmpstr (sp_test_notify_call_get_body (call), ==,
                   "The &lt;b&gt;weekly&lt;/b&gt; meeting starts in 5 minutes");
  g_assert_cmpint (notify_call_get_timeout (call), ==, 0);
  actions = sp_test_notify_call_dup_actions (call);
  g_assert_cmpuint (g_strv_length (actions), ==, 0);
}

/* README example 3: a notification whose buttons are a post_msg and an open_url; clicking
 * runs them, and clears the notification. */
static void
test_redmine_buttons (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *icons = NULL;
  g_autoptr(SoupServer) icon_server = icon_server_new (&icons);
  g_autofree char *json = NULL;
  g_autoptr(SpTestNotifyCall) call = NULL;
  g_autoptr(SpTestNotifyCall) with_picture = NULL;
  g_autoptr(SpTestNotifyCall) again = NULL;
  g_auto(GStrv) actions = NULL;
  g_autoptr(JsonArray) log = NULL;
  g_autofree char *icon_data = NULL;
  g_autofree char *image = NULL;
  gsize icon_size;

  if (!fixture_connect_bob (fixture, FALSE, FALSE))
    return;

  json = g_strdup_printf ("{\"command\":\"show_notification\",\"data\":{"
                          "\"title\":\"Call from Pablo Picasso\",\"message\":\"Impatient customer\","
                          "\"iconUrl\":\"%s/picasso.png\",\"buttons\":["
                          "{\"title\":\"Open customer page\",\"command\":\"post_msg\",\"data\":"
                          "{\"channel_name\":\"user:bob\",\"msg\":{\"command\":\"open_url\","
                          "\"data\":{\"url\":\"https://example.org/c/1\"}}}},"
                          "{\"title\":\"Open issue\",\"command\":\"open_url\","
                          "\"data\":{\"url\":\"https://redmine.example/issues/42\"}}]}}",
                          icons);
  server_post (fixture->server, "user%3Abob", json);

  call = wait_notify (1);
  g_assert_cmpstr (sp_test_notify_call_get_summary (call), ==, "Call from Pablo Picasso");
  actions = sp_test_notify_call_dup_actions (call);
  g_assert_cmpuint (g_strv_length (actions), ==, 4);
  g_assert_cmpstr (actions[0], ==, "button-0");
  g_assert_cmpstr (actions[1], ==, "Open customer page");
  g_assert_cmpstr (actions[2], ==, "button-1");
  g_assert_cmpstr (actions[3], ==, "Open issue");

  /* Shown at once, with the app's icon; the picture, fetched into the cache, follows in
   * place as the notification's image (the image-path hint), the buttons unchanged. */
  g_assert_null (sp_test_notify_call_get_hint (call, "image-path"));
  with_picture = wait_notify (2);
  g_assert_cmpuint (sp_test_notify_call_get_replaces_id (with_picture), ==,
                    sp_test_notify_get_id (notify, 0));
  g_assert_cmpstr (notify_call_get_icon (with_picture), ==, APP_ID APP_ID_SUFFIX);
  image = notify_call_dup_image_path (with_picture);
  g_assert_nonnull (image);
  g_assert_true (g_str_has_prefix (image, cache_home));
  g_assert_true (g_file_get_contents (image, &icon_data, &icon_size, NULL));
  g_assert_cmpmem (icon_data, icon_size, g_bytes_get_data (icon_png, NULL), g_bytes_get_size (icon_png));
  g_clear_pointer (&actions, g_strfreev);
  actions = sp_test_notify_call_dup_actions (with_picture);
  g_assert_cmpuint (g_strv_length (actions), ==, 4);

  /* The post_msg button: the message goes to user:bob through the server, comes back as
   * an open_url, and opens. */
  sp_test_notify_click (notify, sp_test_notify_get_id (notify, 0), "button-0");
  g_assert_true (wait_opened (fixture, 1));
  g_assert_cmpstr (g_ptr_array_index (fixture->opened, 0), ==, "https://example.org/c/1");
  g_assert_true (sp_test_notify_wait_for (notify, "CloseNotification", 1, WAIT_MS));
  log = server_log (fixture->server, "user:bob");
  g_assert_cmpuint (json_array_get_length (log), >=, 2);

  /* The same notification once more (after the coalescing second), and its other button. */
  sp_test_run_for (SP_COMMAND_RUNNER_COALESCE_MS + 100);
  server_post (fixture->server, "user%3Abob", json);
  again = wait_notify (3);
  g_assert_cmpuint (sp_test_notify_call_get_replaces_id (again), ==, 0);
  /* Its picture too, before the click. */
  g_clear_pointer (&with_picture, sp_test_notify_call_free);
  with_picture = wait_notify (4);
  g_assert_cmpuint (sp_test_notify_call_get_replaces_id (with_picture), ==,
                    sp_test_notify_get_id (notify, 2));
  sp_test_notify_click (notify, sp_test_notify_get_id (notify, 2), "button-1");
  g_assert_true (wait_opened (fixture, 2));
  g_assert_cmpstr (g_ptr_array_index (fixture->opened, 1), ==, "https://redmine.example/issues/42");
  g_assert_true (sp_test_notify_wait_for (notify, "CloseNotification", 2, WAIT_MS));

  /* The buttons went with the notification: a late click does nothing. */
  sp_test_notify_click (notify, sp_test_notify_get_id (notify, 2), "button-0");
  sp_test_run_for (500);
  g_assert_cmpuint (fixture->opened->len, ==, 2);
}

/* README example 4, the CTI flow: the PBX pops up "Answer call", and the click delivers
 * exactly its message to the PBX application listening on channel pbx. */
static void
test_redmine_answer_call (Fixture       *fixture,
                          gconstpointer  data)
{
  Listener *pbx;
  g_autoptr(SpTestNotifyCall) call = NULL;
  g_autoptr(JsonNode) expected = NULL;
  g_autoptr(JsonNode) received = NULL;
  g_autoptr(JsonArray) log = NULL;
  JsonObject *object;

  if (!fixture_connect_bob (fixture, FALSE, FALSE))
    return;

  pbx = listener_new (fixture->server);

  server_post (fixture->server, "user%3Abob",
               "{\"command\":\"show_notification\",\"data\":{\"title\":\"Call from 0312345678\","
               "\"message\":\"Queue: support\",\"buttons\":[{\"title\":\"Answer call\","
               "\"command\":\"post_msg\",\"data\":{\"channel_name\":\"pbx\",\"msg\":"
               "{\"command\":\"answer\",\"data\":{\"call_uuid\":\"c-42-\\u00e9\"}}}}]}}");
  call = wait_notify (1);
  g_assert_cmpstr (sp_test_notify_call_get_summary (call), ==, "Call from 0312345678");

  sp_test_notify_click (notify, sp_test_notify_get_id (notify, 0), "button-0");
  g_assert_true (sp_test_wait_until (listener_has_message, pbx, WAIT_MS));
  g_assert_true (sp_test_notify_wait_for (notify, "CloseNotification", 1, WAIT_MS));

  /* Exactly one, also a moment later. */
  sp_test_run_for (500);
  g_assert_cmpuint (pbx->messages->len, ==, 1);
  received = json_node_copy (g_ptr_array_index (pbx->messages, 0));
  object = json_node_get_object (received);

  /* redmine_rt's HTTP endpoint adds its routing keys, and nothing else: no key. */
  g_assert_cmpstr (json_object_get_string_member (object, "controller"), ==, "channels");
  g_assert_cmpstr (json_object_get_string_member (object, "action"), ==, "post_msg");
  g_assert_cmpstr (json_object_get_string_member (object, "format"), ==, "json");
  json_object_remove_member (object, "controller");
  json_object_remove_member (object, "action");
  json_object_remove_member (object, "format");

  expected = json_from_string ("{\"command\":\"answer\",\"data\":{\"call_uuid\":\"c-42-\\u00e9\"}}", NULL);
  g_assert_true (json_node_equal (expected, received));

  log = server_log (fixture->server, "pbx");
  g_assert_cmpuint (json_array_get_length (log), ==, 1);

  listener_free (pbx);
}

/* A plugin from before 2022-12-29 has only RedmineRt::Channel, and says nothing at all to
 * a subscription with Channel. */
static void
test_redmine_legacy_class (Fixture       *fixture,
                           gconstpointer  data)
{
  SpRedmineSource *source;
  g_autoptr(SpTestLogCapture) capture = sp_test_log_capture_new ("sp-redmine");
  g_autoptr(SpTestNotifyCall) call = NULL;
  gint64 start = g_get_monotonic_time ();

  if (!fixture_connect_bob (fixture, TRUE, TRUE))
    return;

  source = SP_REDMINE_SOURCE (fixture_source (fixture));
  g_assert_cmpstr (sp_redmine_source_get_channel_class (source), ==, "RedmineRt::Channel");
  g_assert_cmpint (g_get_monotonic_time () - start, >=, SP_REDMINE_CONFIRM_TIMEOUT_MS * 1000);
  g_assert_cmpuint (sp_test_log_capture_count (capture, G_LOG_LEVEL_MESSAGE,
                                               "*No confirmation for channel class Channel*"), ==, 1);
  g_assert_cmpstr (sp_source_get_detail (SP_SOURCE (source)), ==,
                   "Channels: user:bob, general, pbx");

  server_post (fixture->server, "pbx",
               "{\"command\":\"show_notification\",\"data\":{\"title\":\"Legacy\",\"message\":\"works\"}}");
  call = wait_notify (1);
  g_assert_cmpstr (sp_test_notify_call_get_summary (call), ==, "Legacy");

  /* The class that worked is kept: a new connection is confirmed at once. */
  sp_source_retry_now (SP_SOURCE (source));
  start = g_get_monotonic_time ();
  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_CONNECTED, WAIT_MS));
  g_assert_cmpint (g_get_monotonic_time () - start, <, SP_REDMINE_CONFIRM_TIMEOUT_MS * 1000);
  g_assert_cmpuint (sp_test_log_capture_count (capture, G_LOG_LEVEL_MESSAGE,
                                               "*No confirmation*"), ==, 1);
}

/* Logins may hold dots, which must be written %2E in the post_msg path. */
static void
test_redmine_login_with_dot (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(SpTestNotifyCall) call = NULL;
  g_autoptr(JsonArray) log = NULL;

  if (!fixture_use_server (fixture, FALSE, FALSE))
    return;

  fixture_add_account (fixture, fixture->server->base_url, "k-john", NULL, NULL);
  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_CONNECTED, WAIT_MS));
  g_assert_cmpstr (sp_redmine_source_get_login (SP_REDMINE_SOURCE (fixture_source (fixture))), ==,
                   "john.doe");
  g_assert_cmpstr (sp_source_get_detail (fixture_source (fixture)), ==,
                   "Channels: user:john.doe, general");

  /* A button posting to the user's own channel: the client encodes the dot. */
  server_post (fixture->server, "user%3Ajohn%2Edoe",
               "{\"command\":\"show_notification\",\"data\":{\"title\":\"For John\",\"buttons\":"
               "[{\"title\":\"Open\",\"command\":\"post_msg\",\"data\":{\"channel_name\":\"user:john.doe\","
               "\"msg\":{\"command\":\"open_url\",\"data\":{\"url\":\"https://redmine.example/issues/7\"}}}}]}}");
  call = wait_notify (1);
  g_assert_cmpstr (sp_test_notify_call_get_summary (call), ==, "For John");

  sp_test_notify_click (notify, sp_test_notify_get_id (notify, 0), "button-0");
  g_assert_true (wait_opened (fixture, 1));
  g_assert_cmpstr (g_ptr_array_index (fixture->opened, 0), ==, "https://redmine.example/issues/7");

  log = server_log (fixture->server, "user:john.doe");
  g_assert_cmpuint (json_array_get_length (log), >=, 2);
}

/* A wrong key: the cable would accept it silently, the HTTP check does not; and nothing is
 * tried again by itself. */
static void
test_redmine_bad_key (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *url = NULL;
  Proxy *proxy;
  gsize sent;
  guint connections;

  if (!fixture_use_server (fixture, FALSE, FALSE))
    return;

  proxy = proxy_new (fixture->server->port);
  url = g_strdup_printf ("http://127.0.0.1:%u", proxy->port);
  fixture_add_account (fixture, url, "k-wrong", NULL, NULL);

  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_AUTH_FAILED, WAIT_MS));
  g_assert_cmpstr (sp_source_get_error_message (fixture_source (fixture)), ==,
                   "Redmine rejected the API key (HTTP 401). Check the key in your Redmine account page (My account → API access key)");
  g_assert_cmpuint (proxy->bytes_to_server, >, 0);

  /* No hammering: not one more byte to the server. */
  sent = proxy->bytes_to_server;
  connections = proxy->connections;
  sp_test_run_for (6000);
  g_assert_cmpuint (proxy->bytes_to_server, ==, sent);
  g_assert_cmpuint (proxy->connections, ==, connections);
  g_assert_cmpint (sp_source_get_state (fixture_source (fixture)), ==, SP_SOURCE_STATE_AUTH_FAILED);
  g_assert_cmpuint (fixture->connects, ==, 0);

  proxy_free (proxy);
}

/* A login and password: traded once for the key, which replaces the password. */
static void
test_redmine_password (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *auth = NULL;
  char *secret;

  if (!fixture_use_server (fixture, FALSE, FALSE))
    return;

  fixture_add_account (fixture, fixture->server->base_url, "bob-password", "bob", NULL);
  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_CONNECTED, WAIT_MS));

  secret = sp_test_keyring_lookup (sp_account_get_id (fixture->account));
  g_assert_cmpstr (secret, ==, "k-bob");
  secret_password_free (secret);
  auth = sp_account_dup_option (fixture->account, SP_REDMINE_OPTION_AUTH);
  g_assert_cmpstr (auth, ==, SP_REDMINE_AUTH_API_KEY);
  g_assert_cmpstr (sp_source_get_detail (fixture_source (fixture)), ==,
                   "Channels: user:bob, general");
}

/* The server frozen: no pings, the link is stale after 6 s; thawed, it is back at once. */
static void
test_redmine_frozen (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(SpTestNotifyCall) call = NULL;
  gint64 thawed;

  if (!fixture_connect_bob (fixture, TRUE, FALSE))
    return;

  g_subprocess_send_signal (fixture->server->process, SIGSTOP);
  g_assert_true (wait_not_state (fixture, SP_SOURCE_STATE_CONNECTED,
                                 SP_REDMINE_LIVENESS_MS + 4000));
  g_assert_nonnull (strstr (sp_source_get_error_message (fixture_source (fixture)), "silent"));
  sp_test_run_for (2000);

  g_subprocess_send_signal (fixture->server->process, SIGCONT);
  thawed = g_get_monotonic_time ();
  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_CONNECTED, 10000));
  g_test_message ("Reconnected %.1f s after SIGCONT",
                  (g_get_monotonic_time () - thawed) / (double) G_USEC_PER_SEC);
  g_assert_cmpuint (fixture->connects, ==, 2);

  server_post (fixture->server, "user%3Abob",
               "{\"command\":\"show_notification\",\"data\":{\"title\":\"Thawed\",\"message\":\"hello\"}}");
  call = wait_notify (1);
  g_assert_cmpstr (sp_test_notify_call_get_summary (call), ==, "Thawed");
}

/* The server restarted (connections dropped without a close frame): the client resubscribes
 * on the new server's welcome and receives again. */
static void
test_redmine_restarted (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(SpTestNotifyCall) call = NULL;
  guint16 port;

  if (!fixture_connect_bob (fixture, TRUE, FALSE))
    return;

  port = fixture->server->port;
  g_clear_pointer (&fixture->server, server_free);
  g_assert_true (wait_not_state (fixture, SP_SOURCE_STATE_CONNECTED, 5000));

  fixture->server = server_start (port, FALSE);
  g_assert_nonnull (fixture->server);
  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_CONNECTED, 30000));
  g_assert_cmpuint (fixture->connects, ==, 2);
  g_assert_cmpstr (sp_source_get_detail (fixture_source (fixture)), ==,
                   "Channels: user:bob, general, pbx");

  server_post (fixture->server, "pbx",
               "{\"command\":\"show_notification\",\"data\":{\"title\":\"Restarted\",\"message\":\"hello\"}}");
  call = wait_notify (1);
  g_assert_cmpstr (sp_test_notify_call_get_summary (call), ==, "Restarted");
}

typedef struct
{
  Fixture  *fixture;
  gint64    connected;   /* monotonic */
} Outage;

/* A PBX application posts the moment the account says it is connected again: the account
 * must be subscribed by then (connected means every channel confirmed), or the message is
 * lost (ActionCable keeps no backlog). */
static void
outage_state_cb (SpSource   *source,
                 GParamSpec *pspec,
                 Outage     *outage)
{
  if (sp_source_get_state (source) != SP_SOURCE_STATE_CONNECTED || outage->connected != 0)
    return;

  outage->connected = g_get_monotonic_time ();
  server_post (outage->fixture->server, "pbx",
               "{\"command\":\"show_notification\",\"data\":{\"title\":\"Back\",\"message\":\"hello\"}}");
}

/* Redmine down for a while, then back: the account is subscribed again within 2 s of
 * Redmine accepting connections, and what is posted then reaches us (issue 12: 0.6–10.7 s,
 * 31–38 s after a 60 s outage, and the message lost in 9 of 9 restarts). */
static void
test_redmine_outage (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(SpTestNotifyCall) call = NULL;
  Outage outage = { fixture, 0 };
  guint16 port;
  gint64 back;

  if (!fixture_connect_bob (fixture, TRUE, FALSE))
    return;

  port = fixture->server->port;
  g_clear_pointer (&fixture->server, server_free);
  g_assert_true (wait_not_state (fixture, SP_SOURCE_STATE_CONNECTED, WAIT_MS));

  /* Long enough for an exponential back-off to have grown past the bound. */
  sp_test_run_for (8000);

  g_signal_connect (fixture_source (fixture), "notify::state", G_CALLBACK (outage_state_cb),
                    &outage);
  fixture->server = server_spawn (port);
  g_assert_true (sp_test_wait_until (port_accepts, GUINT_TO_POINTER (port), 60000));
  back = g_get_monotonic_time ();

  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_CONNECTED, 30000));
  g_signal_handlers_disconnect_by_data (fixture_source (fixture), &outage);
  g_test_message ("subscribed %.2f s after Redmine accepted connections again",
                  (outage.connected - back) / (double) G_USEC_PER_SEC);
  g_assert_cmpint (outage.connected - back, <=, 2 * G_USEC_PER_SEC);

  call = wait_notify (1);
  g_assert_cmpstr (sp_test_notify_call_get_summary (call), ==, "Back");
}

/* disconnect with reconnect:false is obeyed. */
static void
test_redmine_disconnect_no_reconnect (Fixture       *fixture,
                                      gconstpointer  data)
{
  g_autofree char *url = NULL;

  if (!fixture_connect_bob (fixture, TRUE, FALSE))
    return;

  url = g_strdup_printf ("%s/test/disconnect?reason=unauthorized&reconnect=false",
                         fixture->server->base_url);
  g_assert_cmpuint (http_send ("POST", url, NULL, NULL, NULL), ==, 204);

  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_FAILED, WAIT_MS));
  g_assert_nonnull (strstr (sp_source_get_error_message (fixture_source (fixture)),
                            "asked not to reconnect (reason: unauthorized)"));
  sp_test_run_for (3000);
  g_assert_cmpint (sp_source_get_state (fixture_source (fixture)), ==, SP_SOURCE_STATE_FAILED);
  g_assert_cmpuint (fixture->connects, ==, 1);
}

/* Broadcasts that are not commands a client can run are skipped and logged; the connection
 * stays. */
static void
test_redmine_malformed (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(SpTestLogCapture) capture = sp_test_log_capture_new ("sp-redmine");
  g_autoptr(SpTestNotifyCall) call = NULL;
  g_autoptr(GString) huge = NULL;

  if (!fixture_connect_bob (fixture, FALSE, FALSE))
    return;

  /* A message that is not an object. */
  server_broadcast_raw (fixture->server, "general", "\"just a string\"");
  g_assert_true (sp_test_log_capture_wait_for (capture, G_LOG_LEVEL_MESSAGE,
                                               "*Skipped a malformed frame*not a JSON object*",
                                               WAIT_MS));

  /* buttons that is not an array. */
  server_post (fixture->server, "general",
               "{\"command\":\"show_notification\",\"data\":{\"title\":\"Bad\",\"buttons\":\"nope\"}}");
  g_assert_true (sp_test_log_capture_wait_for (capture, G_LOG_LEVEL_MESSAGE,
                                               "*Skipped an invalid command on “general”*buttons*",
                                               WAIT_MS));

  /* A 5 MB message. */
  huge = g_string_new ("{\"command\":\"show_notification\",\"data\":{\"title\":\"Huge\",\"message\":\"");
  for (guint i = 0; i < 5 * 1024 * 1024 / 64; i++)
    g_string_append (huge, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  g_string_append (huge, "\"}}");
  server_post (fixture->server, "user%3Abob", huge->str);
  g_assert_true (sp_test_log_capture_wait_for (capture, G_LOG_LEVEL_MESSAGE,
                                               "*Skipped a malformed frame*bytes long*", WAIT_MS));

  /* Unknown commands and event-only messages (issue page events) are ignored. */
  server_post (fixture->server, "general", "{\"command\":\"reboot\",\"data\":{}}");
  server_post (fixture->server, "general", "{\"event\":\"issue 1 saved\",\"type\":\"issue_saved\",\"issue_id\":1}");

  /* Still the same connection, and it still works. */
  server_post (fixture->server, "general",
               "{\"command\":\"show_notification\",\"data\":{\"title\":\"Fine\",\"message\":\"again\"}}");
  call = wait_notify (1);
  g_assert_cmpstr (sp_test_notify_call_get_summary (call), ==, "Fine");
  g_assert_cmpuint (sp_test_notify_count (notify, "Notify"), ==, 1);
  g_assert_cmpint (sp_source_get_state (fixture_source (fixture)), ==, SP_SOURCE_STATE_CONNECTED);
  g_assert_cmpuint (fixture->connects, ==, 1);
  g_assert_cmpuint (sp_test_log_capture_count (capture, G_LOG_LEVEL_MESSAGE, "*Ignored a message on “general”*"), ==, 1);
  g_assert_cmpuint (sp_test_log_capture_count (capture, G_LOG_LEVEL_WARNING, NULL), ==, 0);
}

/* The URL policy on the redmine paths, an open_url command and a notification's button:
 * no CR/LF reaches the browser's argument (it did), no user name or password before the
 * host, and a host mixing scripts opens in punycode. */
static void
test_redmine_url_policy (Fixture       *fixture,
                         gconstpointer  data)
{
  const char *button = "{\"command\":\"show_notification\",\"data\":{\"title\":\"Customer\","
                       "\"buttons\":[{\"title\":\"Open\",\"command\":\"open_url\","
                       "\"data\":{\"url\":\"https://crm.example.com@evil.example/\"}}]}}";

  if (!fixture_connect_bob (fixture, FALSE, FALSE))
    return;

  g_test_expect_message ("sp-url-opener", G_LOG_LEVEL_WARNING, "*control character (U+000D)*");
  server_post (fixture->server, "user%3Abob",
               "{\"command\":\"open_url\",\"data\":{\"url\":\"https://crm.example.com/c?id=1\\r\\nX: y\"}}");
  g_test_expect_message ("sp-url-opener", G_LOG_LEVEL_WARNING, "*user name or password*");
  server_post (fixture->server, "user%3Abob",
               "{\"command\":\"open_url\",\"data\":{\"url\":\"http://user:pass@crm.example.com/\"}}");
  server_post (fixture->server, "user%3Abob",
               "{\"command\":\"open_url\",\"data\":{\"url\":\"https://\xd0\xb0pple.com/login\"}}");
  g_assert_true (wait_opened (fixture, 1));
  g_test_assert_expected_messages ();
  g_assert_cmpuint (fixture->opened->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->opened, 0), ==, "https://xn--pple-43d.com/login");

  /* The button's command passes the same door. */
  server_post (fixture->server, "user%3Abob", button);
  g_assert_true (sp_test_notify_wait_for (notify, "Notify", 1, WAIT_MS));
  g_test_expect_message ("sp-url-opener", G_LOG_LEVEL_WARNING, "*user name or password*");
  sp_test_notify_click (notify, sp_test_notify_get_id (notify, 0), "button-0");
  /* The click withdraws the notification, then runs the button's command at once. */
  g_assert_true (sp_test_notify_wait_for (notify, "CloseNotification", 1, WAIT_MS));
  g_test_assert_expected_messages ();
  server_post (fixture->server, "user%3Abob",
               "{\"command\":\"open_url\",\"data\":{\"url\":\"https://crm.example.com/ok\"}}");
  g_assert_true (wait_opened (fixture, 2));
  g_assert_cmpuint (fixture->opened->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (fixture->opened, 1), ==, "https://crm.example.com/ok");
}

/* A PBX script that posts its JSON with `curl -d` and no JSON content type: Rails makes the
 * text a form key, and the message has no command. Logged with the fix, at message level
 * (not debug, where it was lost), once a minute rather than once per call. */
static void
test_redmine_form_data (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(SpTestLogCapture) capture = sp_test_log_capture_new ("sp-redmine");
  g_autoptr(SpTestNotifyCall) call = NULL;
  g_autofree char *url = NULL;
  const char *json = "{\"command\":\"open_url\",\"data\":{\"url\":\"https://crm.example.com/c/1\"}}";

  if (!fixture_connect_bob (fixture, FALSE, FALSE))
    return;

  url = g_strdup_printf ("%s/channels/general/post_msg.json", fixture->server->base_url);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpuint (http_send_typed ("POST", url, "k-pbx", "application/x-www-form-urlencoded",
                                       json, NULL), ==, 204);

  g_assert_true (sp_test_log_capture_wait_for (capture, G_LOG_LEVEL_MESSAGE,
                                               "*“general”*the sender posted form data, not JSON; "
                                               "add -H 'Content-Type: application/json'*",
                                               WAIT_MS));

  /* The connection still works, and the form posts, read by now, were hinted at once. */
  server_post (fixture->server, "general",
               "{\"command\":\"show_notification\",\"data\":{\"title\":\"Fine\"}}");
  call = wait_notify (1);
  g_assert_cmpstr (sp_test_notify_call_get_summary (call), ==, "Fine");
  g_assert_cmpuint (sp_test_log_capture_count (capture, G_LOG_LEVEL_MESSAGE, "*form data*"), ==, 1);
  g_assert_cmpuint (fixture->opened->len, ==, 0);
}

/* redmine_rt's comment notifications: empty ones are dropped, a duplicate within a second
 * is shown once. */
static void
test_redmine_empty_and_duplicate (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(SpTestLogCapture) capture = sp_test_log_capture_new ("sp-command-runner");
  const char *comment = "{\"command\":\"show_notification\",\"data\":{\"title\":\"issue 1 (Printer) has a new comment\",\"message\":\"It works again\"}}";

  if (!fixture_connect_bob (fixture, FALSE, FALSE))
    return;

  server_post (fixture->server, "user%3Abob",
               "{\"command\":\"show_notification\",\"data\":{\"title\":\"\",\"message\":\" \"}}");
  server_post (fixture->server, "user%3Abob", comment);
  server_post (fixture->server, "user%3Abob", comment);
  g_assert_true (sp_test_log_capture_wait_for (capture, G_LOG_LEVEL_MESSAGE, "*identical*", WAIT_MS));

  g_assert_cmpuint (sp_test_notify_count (notify, "Notify"), ==, 1);
  g_assert_cmpuint (sp_test_log_capture_count (capture, G_LOG_LEVEL_MESSAGE, "*neither title nor message*"), ==, 1);
}

/* A slow picture host never holds a notification back (a ringing call's pop-up above all):
 * it shows at once, and the picture follows in place when it arrives. */
static void
test_redmine_slow_picture (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *icons = NULL;
  g_autoptr(SoupServer) icon_server = icon_server_new (&icons);
  g_autofree char *json = NULL;
  g_autofree char *image = NULL;
  g_autoptr(SpTestNotifyCall) call = NULL;
  g_autoptr(SpTestNotifyCall) with_picture = NULL;
  gint64 start, shown, updated;

  if (!fixture_connect_bob (fixture, FALSE, FALSE))
    return;

  json = g_strdup_printf ("{\"command\":\"show_notification\",\"data\":{"
                          "\"title\":\"Call from Pablo Picasso\",\"message\":\"Ringing\","
                          "\"imageUrl\":\"%s/slow-picasso.png\"}}", icons);
  start = g_get_monotonic_time ();
  server_post (fixture->server, "user%3Abob", json);

  call = wait_notify (1);
  shown = g_get_monotonic_time () - start;
  g_test_message ("Shown after %" G_GINT64_FORMAT " ms, the picture host takes %u ms",
                  shown / 1000, SLOW_PICTURE_MS);
  /* Not held back: on screen well before the picture exists. */
  g_assert_cmpint (shown, <, SLOW_PICTURE_MS * 1000);
  g_assert_cmpuint (sp_test_notify_count (notify, "Notify"), ==, 1);
  g_assert_null (sp_test_notify_call_get_hint (call, "image-path"));

  with_picture = wait_notify (2);
  updated = g_get_monotonic_time () - start;
  g_assert_cmpint (updated, >=, SLOW_PICTURE_MS * 1000);
  g_assert_cmpuint (sp_test_notify_call_get_replaces_id (with_picture), ==,
                    sp_test_notify_get_id (notify, 0));
  g_assert_cmpstr (sp_test_notify_call_get_summary (with_picture), ==, "Call from Pablo Picasso");
  image = notify_call_dup_image_path (with_picture);
  g_assert_nonnull (image);
  g_assert_true (g_str_has_prefix (image, cache_home));
}

/* Icons that cannot be had: the notification comes without them. */
static void
test_redmine_bad_icons (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *icons = NULL;
  g_autoptr(SoupServer) icon_server = icon_server_new (&icons);
  const char *paths[] = { "/huge.png", "/text", "/missing.png", "/slow.png" };
  g_autoptr(SpTestLogCapture) capture = sp_test_log_capture_new ("sp-command-runner");
  g_autoptr(GPtrArray) calls = NULL;
  gint64 start;

  if (!fixture_connect_bob (fixture, FALSE, FALSE))
    return;

  start = g_get_monotonic_time ();
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"command\":\"show_notification\",\"data\":{"
                                               "\"title\":\"Icon %u\",\"iconUrl\":\"%s%s\"}}",
                                               i, icons, paths[i]);

      server_post (fixture->server, "user%3Abob", json);
    }
  server_post (fixture->server, "user%3Abob",
               "{\"command\":\"show_notification\",\"data\":{\"title\":\"Icon file\","
               "\"imageUrl\":\"file:///usr/share/icons/hicolor/48x48/apps/x.png\"}}");

  g_assert_true (sp_test_notify_wait_for (notify, "Notify", 5, WAIT_MS));
  /* All at once: none waits for its picture, not even the one whose host never answers. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, SP_COMMAND_RUNNER_ICON_TIMEOUT_MS * 1000 / 2);
  /* The slow one gives up at the deadline; no notification changes for a missing picture. */
  g_assert_true (sp_test_log_capture_wait_for (capture, G_LOG_LEVEL_MESSAGE, "*no answer within*",
                                               SP_COMMAND_RUNNER_ICON_TIMEOUT_MS + WAIT_MS));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, SP_COMMAND_RUNNER_ICON_TIMEOUT_MS * 1000 - 500000);
  sp_test_run_for (200);
  calls = sp_test_notify_get_calls (notify, "Notify");
  g_assert_cmpuint (calls->len, ==, 5);
  for (guint i = 0; i < calls->len; i++)
    {
      g_assert_false (g_str_has_prefix (notify_call_get_icon (g_ptr_array_index (calls, i)), "/"));
      g_assert_null (sp_test_notify_call_get_hint (g_ptr_array_index (calls, i), "image-path"));
    }

  g_assert_cmpuint (sp_test_log_capture_count (capture, G_LOG_LEVEL_MESSAGE, "*without its icon*"), ==, 5);
  g_assert_cmpuint (sp_test_log_capture_count (capture, G_LOG_LEVEL_MESSAGE, "*larger than*"), ==, 1);
  g_assert_cmpuint (sp_test_log_capture_count (capture, G_LOG_LEVEL_MESSAGE, "*not an image*"), ==, 1);
  g_assert_cmpuint (sp_test_log_capture_count (capture, G_LOG_LEVEL_MESSAGE, "*HTTP 404*"), ==, 1);
  g_assert_cmpuint (sp_test_log_capture_count (capture, G_LOG_LEVEL_MESSAGE, "*no answer within*"), ==, 1);
  g_assert_cmpuint (sp_test_log_capture_count (capture, G_LOG_LEVEL_MESSAGE, "*only http and https*"), ==, 1);
}

/* A post_msg the server refuses is shown to the user with the channel and the HTTP status. */
static void
test_redmine_post_msg_failure (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *base = NULL;
  g_autoptr(SoupServer) broken = icon_server_new (&base);
  g_autofree char *url = g_strconcat (base, "/broken", NULL);
  g_autoptr(SpRedmineCommand) command = NULL;
  g_autoptr(SpTestNotifyCall) call = NULL;
  g_autoptr(SpTestLogCapture) capture = sp_test_log_capture_new ("sp-command-runner");
  g_autoptr(GError) error = NULL;
  const char *json = "{\"command\":\"post_msg\",\"data\":{\"channel_name\":\"pbx\","
                     "\"msg\":{\"command\":\"answer\",\"data\":{\"call_uuid\":\"c-1\"}}}}";

  /* The credentials check passes, the cable does not exist (404): the source keeps
   * trying, and knows the key meanwhile. */
  fixture_add_account (fixture, url, "k-bob", NULL, NULL);
  g_assert_true (wait_state (fixture, SP_SOURCE_STATE_RECONNECTING, WAIT_MS));
  g_assert_nonnull (strstr (sp_source_get_error_message (fixture_source (fixture)), "HTTP 404"));

  command = sp_redmine_command_parse (json, strlen (json), &error);
  g_assert_no_error (error);
  sp_command_runner_run (fixture->runner, fixture->account, command);

  call = wait_notify (1);
  g_assert_cmpstr (sp_test_notify_call_get_summary (call), ==,
                   "Could not send the message to channel “pbx”");
  g_assert_nonnull (strstr (sp_test_notify_call_get_body (call), "HTTP 500"));
  g_assert_cmpuint (sp_test_log_capture_count (capture, G_LOG_LEVEL_MESSAGE,
                                               "*Could not post to channel “pbx”*HTTP 500*"), ==, 1);
}

/* The add-account dialog, as a new user fills it in */

static gpointer
dialog_child (SpAddAccountDialog *dialog,
              const char         *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (dialog), SP_TYPE_ADD_ACCOUNT_DIALOG,
                                                  name);

  /* The form itself is the account editor's, and the page of the kind it shows. */
  if (child == NULL)
    child = sp_test_editor_find_child (sp_add_account_dialog_get_editor (dialog), name);
  g_assert_nonnull (child);
  return child;
}

static void
dialog_set_text (SpAddAccountDialog *dialog,
                 const char         *row,
                 const char         *text)
{
  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, row)), text);
}

static gboolean
label_starts_with (gpointer data)
{
  gpointer *pair = data;

  return g_str_has_prefix (gtk_label_get_text (pair[0]), pair[1]);
}

/* Clicks "Test Connection" and waits for the status line to start with @expected. */
static void
dialog_test_connection (SpAddAccountDialog *dialog,
                        const char         *expected)
{
  GtkLabel *status = dialog_child (dialog, "status_label");
  GtkWidget *button = dialog_child (dialog, "test_button");
  gpointer pair[2] = { status, (gpointer) expected };

  g_assert_true (gtk_widget_get_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
  if (!sp_test_wait_until (label_starts_with, pair, WAIT_MS))
    g_error ("The dialog says “%s”, not “%s…”", gtk_label_get_text (status), expected);
}

static gboolean
account_listed (gpointer data)
{
  gpointer *pair = data;
  SpAccountList *accounts = pair[0];

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (accounts)); i++)
    {
      g_autoptr(SpAccount) account = g_list_model_get_item (G_LIST_MODEL (accounts), i);
      SpSource *source = sp_account_list_get_source (accounts, sp_account_get_id (account));

      if (source != NULL && sp_source_get_state (source) == SP_SOURCE_STATE_CONNECTED)
        {
          pair[1] = account;
          return TRUE;
        }
    }

  return FALSE;
}

static void
test_redmine_add_account_dialog (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autofree char *url = NULL;
  g_autofree char *stored_url = NULL;
  g_autofree char *id = NULL;
  g_auto(GStrv) channels = NULL;
  SpAddAccountDialog *dialog;
  gpointer found[2] = { NULL, NULL };
  char *secret;

  if (!have_display)
    {
      g_test_skip ("No display");
      return;
    }

  if (!fixture_use_server (fixture, FALSE, FALSE))
    return;

  dialog = g_object_ref_sink (sp_add_account_dialog_new (fixture->accounts));
  gtk_window_present (GTK_WINDOW (dialog));

  sp_test_editor_select_kind (sp_add_account_dialog_get_editor (dialog), "redmine-rt");

  /* The fields of this kind, and only those. */
  g_assert_true (gtk_widget_get_visible (dialog_child (dialog, "api_key_row")));
  g_assert_true (gtk_widget_get_visible (dialog_child (dialog, "channels_row")));
  g_assert_false (gtk_widget_get_visible (dialog_child (dialog, "login_row")));
  g_assert_false (gtk_widget_get_visible (dialog_child (dialog, "extensions_row")));
  g_assert_false (gtk_widget_get_visible (dialog_child (dialog, "crm_group")));
  g_assert_false (gtk_widget_get_sensitive (dialog_child (dialog, "add_button")));

  /* As pasted: a trailing slash, spaces around the key. */
  url = g_strconcat (fixture->server->base_url, "/", NULL);
  dialog_set_text (dialog, "url_row", url);
  dialog_set_text (dialog, "api_key_row", "k-wrong");
  dialog_set_text (dialog, "channels_row", "pbx");
  dialog_test_connection (dialog, "Redmine rejected the API key (HTTP 401)");

  dialog_set_text (dialog, "api_key_row", " k-bob ");
  dialog_test_connection (dialog, "Connected");

  /* A login and password work too, and the test writes nothing to the keyring. */
  adw_combo_row_set_selected (dialog_child (dialog, "auth_row"), 1);
  g_assert_true (gtk_widget_get_visible (dialog_child (dialog, "password_row")));
  g_assert_false (gtk_widget_get_visible (dialog_child (dialog, "api_key_row")));
  dialog_set_text (dialog, "login_row", "bob");
  dialog_set_text (dialog, "password_row", "bob-password");
  dialog_test_connection (dialog, "Connected");
  g_assert_null (sp_test_keyring_lookup ("connection-test"));

  /* Add, with the key. */
  adw_combo_row_set_selected (dialog_child (dialog, "auth_row"), 0);
  dialog_set_text (dialog, "name_row", "Office Redmine");
  g_assert_true (gtk_widget_get_sensitive (dialog_child (dialog, "add_button")));
  g_signal_emit_by_name (dialog_child (dialog, "add_button"), "clicked");

  found[0] = fixture->accounts;
  g_assert_true (sp_test_wait_until (account_listed, found, WAIT_MS));
  id = g_strdup (sp_account_get_id (found[1]));
  secret = sp_test_keyring_lookup (id);
  g_assert_cmpstr (secret, ==, "k-bob");
  secret_password_free (secret);
  stored_url = sp_account_dup_url (found[1]);
  g_assert_cmpstr (stored_url, ==, fixture->server->base_url);
  channels = g_settings_get_strv (sp_account_get_settings (found[1]), "channels");
  g_assert_cmpstrv (channels, ((const char * const[]) { "pbx", NULL }));
  g_assert_cmpstr (sp_source_get_detail (sp_account_list_get_source (fixture->accounts, id)), ==,
                   "Channels: user:bob, general, pbx");

  /* The dialog closed itself once the key was in the keyring. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_finalize_object (dialog);

  /* Leave no account behind for the next tests (the settings are in memory). */
  sp_account_list_remove (fixture->accounts, id);
  sp_test_run_for (200);
  g_assert_null (sp_test_keyring_lookup (id));
}

static GBytes *
make_png (void)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, TRUE, 8, 16, 16);
  g_autoptr(GError) error = NULL;
  char *buffer;
  gsize size;

  gdk_pixbuf_fill (pixbuf, 0x3584e4ff);
  gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, "png", &error, NULL);
  g_assert_no_error (error);

  return g_bytes_new_take (buffer, size);
}

#define ADD(name, func) \
  g_test_add ("/redmine/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  /* Fetched icons go to the cache directory: a throw-away one. */
  cache_home = g_dir_make_tmp ("screenpop-redmine-cache-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_CACHE_HOME", cache_home, TRUE);

  notify = sp_test_notify_start (NULL);
  have_display = gtk_init_check ();
  if (have_display)
    adw_init ();
  keyring = sp_test_keyring_start (sp_test_notify_get_address (notify));
  http = soup_session_new ();
  icon_png = make_png ();

  ADD ("open-url", test_redmine_open_url);
  ADD ("show-notification", test_redmine_show_notification);
  ADD ("buttons", test_redmine_buttons);
  ADD ("answer-call", test_redmine_answer_call);
  ADD ("legacy-class", test_redmine_legacy_class);
  ADD ("login-with-dot", test_redmine_login_with_dot);
  ADD ("bad-key", test_redmine_bad_key);
  ADD ("password", test_redmine_password);
  ADD ("frozen", test_redmine_frozen);
  ADD ("restarted", test_redmine_restarted);
  ADD ("outage", test_redmine_outage);
  ADD ("disconnect-no-reconnect", test_redmine_disconnect_no_reconnect);
  ADD ("malformed", test_redmine_malformed);
  ADD ("form-data", test_redmine_form_data);
  ADD ("url-policy", test_redmine_url_policy);
  ADD ("empty-and-duplicate", test_redmine_empty_and_duplicate);
  ADD ("bad-icons", test_redmine_bad_icons);
  ADD ("slow-picture", test_redmine_slow_picture);
  ADD ("post-msg-failure", test_redmine_post_msg_failure);
  ADD ("add-account-dialog", test_redmine_add_account_dialog);

  ret = g_test_run ();

  g_clear_pointer (&shared_server, server_free);
  g_clear_object (&http);
  g_clear_pointer (&icon_png, g_bytes_unref);

  notify_uninit ();
  /* Not sp_test_notify_stop(): libsecret keeps the bus connection (see
   * sp_test_keyring_stop()), and the notification mock goes down with the private bus. */
  sp_test_keyring_stop (keyring);

  sp_test_remove_tree (cache_home);
  g_free (cache_home);

  return ret;
}
