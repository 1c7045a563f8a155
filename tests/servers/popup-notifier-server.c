/* popup-notifier-server.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A stand-in for the (newer, two-port) popup-notifier daemon, for trying Screenpop by hand
 * and for tests that want a separate process:
 *
 *   popup-notifier-server --token T
 *   curl -X POST 'http://127.0.0.1:8989/api/trigger?phone=0312345678&exten=201&token=T'
 *
 * The trigger port is served by SoupServer with the daemon's check order; the client port
 * (/crmws) by the same never-reading WebSocket code the in-process test server uses. */

#define G_LOG_DOMAIN "popup-notifier-server"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib-unix.h>
#include <libsoup/soup.h>

#include "sp-test-popup-server.h"

#define DEFAULT_CONFIG "/usr/local/etc/popup-notifier.conf"
#define DEFAULT_TRIGGER_PORT 8989
#define DEFAULT_CLIENT_PORT 8990
/* Without a configuration file there is no allow-list to read; loopback is the safe choice
 * for a test tool (the daemon itself denies everyone when a list is empty). */
#define DEFAULT_ALLOW "127.0.0.1,::1"

typedef struct
{
  char      *token;
  guint16    trigger_port;
  guint16    client_port;
  char      *trigger_allow;
  char      *crmws_allow;
  gboolean   use_ssl;
  char      *cert_file;
  char      *key_file;
} Config;

typedef struct
{
  Config             config;
  SpTestAcl         *trigger_acl;
  SpTestPopupServer *popup;
  SoupServer        *trigger;
  GPtrArray         *hanging;   /* (element-type SoupServerMessage): triggers stuck on the hub */
  GMainLoop         *loop;
} Daemon;

static void
config_clear (Config *config)
{
  g_free (config->token);
  g_free (config->trigger_allow);
  g_free (config->crmws_allow);
  g_free (config->cert_file);
  g_free (config->key_file);
}

static void
replace_str (char       **location,
             const char  *value)
{
  g_free (*location);
  *location = g_strdup (value);
}

static gboolean
parse_port (const char  *value,
            guint16     *port,
            GError     **error)
{
  guint64 number;

  if (!g_ascii_string_to_unsigned (value, 10, 1, G_MAXUINT16, &number, error))
    return FALSE;

  *port = (guint16) number;

  return TRUE;
}

static gboolean
parse_bool (const char *value)
{
  return g_ascii_strcasecmp (value, "true") == 0 ||
         g_ascii_strcasecmp (value, "yes") == 0 ||
         strcmp (value, "1") == 0;
}

/* KEY=VALUE lines with # comments, as the daemon reads its configuration. */
static gboolean
config_load (Config      *config,
             const char  *path,
             GError     **error)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return FALSE;

  /* The daemon treats a key it does not find as empty; so does an empty allow-list. */
  g_clear_pointer (&config->trigger_allow, g_free);
  g_clear_pointer (&config->crmws_allow, g_free);
  config->trigger_allow = g_strdup ("");
  config->crmws_allow = g_strdup ("");

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *equals;
      char *key;
      char *value;

      if (*line == '\0' || *line == '#')
        continue;

      equals = strchr (line, '=');
      if (equals == NULL)
        continue;

      *equals = '\0';
      key = g_strstrip (line);
      value = g_strstrip (equals + 1);

      if (strcmp (key, "HTTP_PORT") == 0 || strcmp (key, "PORT") == 0)
        {
          if (!parse_port (value, &config->trigger_port, error))
            return FALSE;
        }
      else if (strcmp (key, "CLIENT_PORT") == 0 || strcmp (key, "WSS_PORT") == 0)
        {
          if (!parse_port (value, &config->client_port, error))
            return FALSE;
        }
      else if (strcmp (key, "USE_SSL") == 0)
        {
          config->use_ssl = parse_bool (value);
        }
      else if (strcmp (key, "CERT_FILE") == 0)
        {
          g_free (config->cert_file);
          config->cert_file = g_strdup (value);
        }
      else if (strcmp (key, "KEY_FILE") == 0)
        {
          g_free (config->key_file);
          config->key_file = g_strdup (value);
        }
      else if (strcmp (key, "SECRET_TOKEN") == 0)
        {
          g_free (config->token);
          config->token = g_strdup (value);
        }
      else if (strcmp (key, "TRIGGER_ALLOW") == 0)
        {
          g_free (config->trigger_allow);
          config->trigger_allow = g_strdup (value);
        }
      else if (strcmp (key, "CRMWS_ALLOW") == 0)
        {
          g_free (config->crmws_allow);
          config->crmws_allow = g_strdup (value);
        }
    }

  return TRUE;
}

static void
respond (SoupServerMessage *message,
         guint              status,
         const char        *body)
{
  /* Go's http.Error: the text plus a newline; the 200 answer is a bare "OK". */
  g_autofree char *text = status == SOUP_STATUS_OK ? g_strdup (body) : g_strconcat (body, "\n", NULL);

  soup_server_message_set_status (message, status, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                "X-Content-Type-Options", "nosniff");
  soup_server_message_set_response (message, "text/plain; charset=utf-8", SOUP_MEMORY_COPY,
                                    text, strlen (text));
}

static gboolean
peer_allowed (SpTestAcl         *acl,
              SoupServerMessage *message)
{
  GSocketAddress *remote = soup_server_message_get_remote_address (message);

  if (remote == NULL || !G_IS_INET_SOCKET_ADDRESS (remote))
    return FALSE;

  return sp_test_acl_allows (acl, g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
}

static void
on_trigger (SoupServer        *server,
            SoupServerMessage *message,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  Daemon *daemon = user_data;
  const char *token = query != NULL ? g_hash_table_lookup (query, "token") : NULL;
  const char *phone = query != NULL ? g_hash_table_lookup (query, "phone") : NULL;
  const char *exten = query != NULL ? g_hash_table_lookup (query, "exten") : NULL;
  g_autofree char *text = NULL;

  if (strcmp (path, "/api/trigger") != 0)
    {
      respond (message, SOUP_STATUS_NOT_FOUND, "404 page not found");
      return;
    }

  /* The daemon's order: method, allow-list, token, phone. */
  if (strcmp (soup_server_message_get_method (message), "POST") != 0)
    {
      respond (message, SOUP_STATUS_METHOD_NOT_ALLOWED, "Method Not Allowed");
      return;
    }

  if (!peer_allowed (daemon->trigger_acl, message))
    {
      g_message ("Trigger refused: the peer is not in TRIGGER_ALLOW");
      respond (message, SOUP_STATUS_FORBIDDEN, "Forbidden (ACL)");
      return;
    }

  /* The daemon logs the wrong token; we do not print secrets. */
  if (g_strcmp0 (token, daemon->config.token) != 0)
    {
      g_message ("Trigger refused: wrong token");
      respond (message, SOUP_STATUS_UNAUTHORIZED, "Unauthorized");
      return;
    }

  if (phone == NULL || *phone == '\0')
    {
      respond (message, SOUP_STATUS_BAD_REQUEST, "Missing phone");
      return;
    }

  /* With the hub blocked, the daemon's trigger handler blocks on the broadcast forever. */
  if (sp_test_popup_server_is_hung (daemon->popup))
    {
      g_message ("Trigger hangs: the hub is blocked (restart the server)");
      soup_server_message_pause (message);
      g_ptr_array_add (daemon->hanging, g_object_ref (message));
      return;
    }

  text = sp_test_popup_build_call_in (phone, -1, exten, -1);
  g_message ("Broadcasting to %u client(s): %s",
             sp_test_popup_server_get_n_clients (daemon->popup), text);
  sp_test_popup_server_broadcast (daemon->popup, text, -1);

  respond (message, SOUP_STATUS_OK, "OK");
}

static gboolean
on_quit_signal (gpointer user_data)
{
  Daemon *daemon = user_data;

  g_main_loop_quit (daemon->loop);

  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *token = NULL;
  g_autofree char *trigger_allow = NULL;
  g_autofree char *crmws_allow = NULL;
  g_autofree char *bind = NULL;
  g_autofree char *cert_file = NULL;
  g_autofree char *key_file = NULL;
  g_autofree char *url = NULL;
  SpTestAcl *crmws_acl;
  int trigger_port = -1;
  int client_port = -1;
  Daemon daemon = { { NULL } };
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
      "Read KEY=VALUE settings as the daemon does (e.g. " DEFAULT_CONFIG ")", "FILE" },
    { "trigger-port", 0, 0, G_OPTION_ARG_INT, &trigger_port,
      "Port of POST /api/trigger (default 8989; 0 picks a free one)", "PORT" },
    { "client-port", 0, 0, G_OPTION_ARG_INT, &client_port,
      "Port of the /crmws WebSocket (default 8990; 0 picks a free one)", "PORT" },
    { "token", 't', 0, G_OPTION_ARG_STRING, &token,
      "The SECRET_TOKEN triggers must present", "TOKEN" },
    { "bind", 'b', 0, G_OPTION_ARG_STRING, &bind,
      "Listen on this address only (default: every address, as the daemon)", "ADDRESS" },
    { "trigger-allow", 0, 0, G_OPTION_ARG_STRING, &trigger_allow,
      "TRIGGER_ALLOW: addresses and CIDR networks that may trigger (default " DEFAULT_ALLOW
      " without --config)", "LIST" },
    { "crmws-allow", 0, 0, G_OPTION_ARG_STRING, &crmws_allow,
      "CRMWS_ALLOW: addresses and CIDR networks that may connect (default " DEFAULT_ALLOW
      " without --config)", "LIST" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &cert_file,
      "Serve wss:// on the client port with this certificate (USE_SSL, CERT_FILE)", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &key_file,
      "The certificate's private key (KEY_FILE)", "FILE" },
    { NULL }
  };

  /* Scripts and tests read the ports from our output through a pipe. */
  setvbuf (stdout, NULL, _IOLBF, 0);

  context = g_option_context_new ("— a popup-notifier compatible server");
  g_option_context_set_summary (context,
    "Broadcasts {\"type\":\"CALL_IN\",\"data\":{\"phone\",\"exten\"}} to every /crmws client\n"
    "for each POST /api/trigger?token=…&phone=…&exten=…, and never reads from a client.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }

  daemon.config.trigger_port = DEFAULT_TRIGGER_PORT;
  daemon.config.client_port = DEFAULT_CLIENT_PORT;
  daemon.config.trigger_allow = g_strdup (DEFAULT_ALLOW);
  daemon.config.crmws_allow = g_strdup (DEFAULT_ALLOW);

  if (config_path != NULL && !config_load (&daemon.config, config_path, &error))
    {
      g_printerr ("Cannot read %s: %s\n", config_path, error->message);
      return EXIT_FAILURE;
    }

  for (int i = 1; i < argc; i++)
    g_printerr ("Ignoring argument “%s”\n", argv[i]);

  /* The command line wins over the file. */
  if (trigger_port > G_MAXUINT16 || client_port > G_MAXUINT16)
    {
      g_printerr ("Ports go up to 65535\n");
      return EXIT_FAILURE;
    }
  if (trigger_port >= 0)
    daemon.config.trigger_port = trigger_port;
  if (client_port >= 0)
    daemon.config.client_port = client_port;
  if (token != NULL)
    replace_str (&daemon.config.token, token);
  if (trigger_allow != NULL)
    replace_str (&daemon.config.trigger_allow, trigger_allow);
  if (crmws_allow != NULL)
    replace_str (&daemon.config.crmws_allow, crmws_allow);
  if (cert_file != NULL || key_file != NULL)
    {
      daemon.config.use_ssl = TRUE;
      replace_str (&daemon.config.cert_file, cert_file);
      replace_str (&daemon.config.key_file, key_file);
    }

  /* Like the daemon: no token, no start. */
  if (daemon.config.token == NULL || *daemon.config.token == '\0')
    {
      g_printerr ("SECRET_TOKEN is required (--token or --config)\n");
      return EXIT_FAILURE;
    }

  daemon.trigger_acl = sp_test_acl_new (daemon.config.trigger_allow, &error);
  if (daemon.trigger_acl == NULL)
    {
      g_printerr ("TRIGGER_ALLOW: %s\n", error->message);
      return EXIT_FAILURE;
    }
  crmws_acl = sp_test_acl_new (daemon.config.crmws_allow, &error);
  if (crmws_acl == NULL)
    {
      g_printerr ("CRMWS_ALLOW: %s\n", error->message);
      return EXIT_FAILURE;
    }
  if (*g_strstrip (daemon.config.trigger_allow) == '\0')
    g_printerr ("TRIGGER_ALLOW is empty: every trigger will be refused (403)\n");
  if (*g_strstrip (daemon.config.crmws_allow) == '\0')
    g_printerr ("CRMWS_ALLOW is empty: every client will be refused (403)\n");

  if (daemon.config.use_ssl)
    {
      if (daemon.config.cert_file == NULL || daemon.config.key_file == NULL)
        {
          g_printerr ("TLS needs both a certificate and a key file\n");
          return EXIT_FAILURE;
        }
      certificate = g_tls_certificate_new_from_files (daemon.config.cert_file,
                                                      daemon.config.key_file, &error);
      if (certificate == NULL)
        {
          g_printerr ("Cannot load the certificate: %s\n", error->message);
          return EXIT_FAILURE;
        }
    }

  daemon.popup = sp_test_popup_server_new_full (bind, daemon.config.client_port, certificate,
                                                &error);
  if (daemon.popup == NULL)
    {
      g_printerr ("Cannot listen on the client port %u: %s\n", daemon.config.client_port,
                  error->message);
      return EXIT_FAILURE;
    }
  sp_test_popup_server_set_acl (daemon.popup, crmws_acl);

  daemon.trigger = soup_server_new (NULL, NULL);
  soup_server_add_handler (daemon.trigger, NULL, on_trigger, &daemon, NULL);
  if (bind != NULL)
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (bind);
      g_autoptr(GSocketAddress) socket_address = NULL;

      if (address == NULL)
        {
          g_printerr ("“%s” is not an IP address\n", bind);
          return EXIT_FAILURE;
        }
      socket_address = g_inet_socket_address_new (address, daemon.config.trigger_port);
      soup_server_listen (daemon.trigger, socket_address, 0, &error);
    }
  else
    {
      soup_server_listen_all (daemon.trigger, daemon.config.trigger_port, 0, &error);
    }
  if (error != NULL)
    {
      g_printerr ("Cannot listen on the trigger port %u: %s\n", daemon.config.trigger_port,
                  error->message);
      return EXIT_FAILURE;
    }

  /* Report the ports actually used, so that port 0 is usable from scripts. */
  {
    GSList *uris = soup_server_get_uris (daemon.trigger);

    if (uris != NULL)
      daemon.config.trigger_port = g_uri_get_port (uris->data);
    g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  }

  url = sp_test_popup_server_dup_ws_url (daemon.popup);
  g_print ("Trigger: curl -X POST 'http://127.0.0.1:%u/api/trigger?phone=0312345678&exten=201&token=…'\n",
           daemon.config.trigger_port);
  g_print ("Clients: %s\n", url);

  daemon.hanging = g_ptr_array_new_with_free_func (g_object_unref);
  daemon.loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_quit_signal, &daemon);
  g_unix_signal_add (SIGTERM, on_quit_signal, &daemon);
  g_main_loop_run (daemon.loop);

  g_ptr_array_unref (daemon.hanging);
  soup_server_disconnect (daemon.trigger);
  g_clear_object (&daemon.trigger);
  sp_test_popup_server_free (daemon.popup);
  sp_test_acl_free (daemon.trigger_acl);
  config_clear (&daemon.config);
  g_main_loop_unref (daemon.loop);

  return EXIT_SUCCESS;
}
