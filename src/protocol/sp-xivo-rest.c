/* sp-xivo-rest.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-xivo"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "sp-actioncable.h"
#include "sp-json.h"
#include "sp-xivo.h"
#include "sp-xivo-private.h"

/*
 * The rest of the XiVO xuc protocol beside the CTI messages (sp-xivo.c): the REST login's
 * answer and the token's lifetime, the server's URLs, and the frames we send. Pure
 * functions, no I/O.
 */

/* A JWT's lifetime from its `issuedAt` and `expiresAt` claims, in seconds; 0 when the
 * token is no JWT or does not say. The claims are read, never trusted for anything but
 * when to renew: the server checks the token, not us. */
static gint64
jwt_lifetime (const char *token)
{
  g_auto(GStrv) parts = g_strsplit (token, ".", 4);
  g_autoptr(JsonNode) claims = NULL;
  g_autofree guchar *payload = NULL;
  g_autofree char *base64 = NULL;
  JsonObject *object;
  JsonNode *issued;
  JsonNode *expires;
  gint64 lifetime;
  gsize length;
  gsize len;

  if (g_strv_length (parts) != 3 || parts[1][0] == '\0')
    return 0;

  /* base64url without padding → base64. */
  len = strlen (parts[1]);
  base64 = g_malloc (len + 4);
  for (gsize i = 0; i < len; i++)
    {
      char c = parts[1][i];

      if (c == '-')
        c = '+';
      else if (c == '_')
        c = '/';
      else if (!g_ascii_isalnum (c))
        return 0;
      base64[i] = c;
    }
  while (len % 4 != 0)
    base64[len++] = '=';
  base64[len] = '\0';

  payload = g_base64_decode (base64, &length);
  if (payload == NULL || length == 0)
    return 0;

  claims = sp_actioncable_parse_object ((const char *) payload, length, NULL);
  if (claims == NULL)
    return 0;

  object = json_node_get_object (claims);
  issued = json_object_get_member (object, "issuedAt");
  expires = json_object_get_member (object, "expiresAt");
  if (issued == NULL || expires == NULL || !sp_xivo_node_is_integer (issued) || !sp_xivo_node_is_integer (expires))
    return 0;

  if (json_node_get_int (issued) < 0 || json_node_get_int (expires) <= json_node_get_int (issued))
    return 0;

  lifetime = json_node_get_int (expires) - json_node_get_int (issued);
  /* Epoch times in milliseconds are beyond 10^11; in seconds they will not be for
   * thousands of years. */
  if (json_node_get_int (expires) > G_GINT64_CONSTANT (100000000000))
    lifetime /= 1000;

  return lifetime;
}

/* The login answer's TTL in whole seconds, read as leniently as a browser would: an integer,
 * a float, or a string holding either; 0 for anything else, negative or absurd. */
static gint64
ttl_seconds (JsonNode *ttl)
{
  double value;

  if (ttl == NULL || !JSON_NODE_HOLDS_VALUE (ttl))
    return 0;

  switch (json_node_get_value_type (ttl))
    {
    case G_TYPE_INT64:
      value = (double) json_node_get_int (ttl);
      break;

    case G_TYPE_DOUBLE:
      value = json_node_get_double (ttl);
      break;

    case G_TYPE_STRING:
      {
        const char *text = json_node_get_string (ttl);
        char *end = NULL;

        value = g_ascii_strtod (text, &end);
        if (end == text || *end != '\0')
          return 0;
      }
      break;

    default:
      return 0;
    }

  /* NaN fails both comparisons; ten years is no token's life. */
  if (!(value >= 1.0 && value <= 10.0 * 365 * 24 * 3600))
    return 0;

  return (gint64) value;
}

/**
 * sp_xivo_login_parse:
 * @data: (array length=length): the body of the answer to `POST /xuc/api/2.0/auth/login`
 * @length: its length in bytes
 * @out: (out caller-allocates): the login, cleared first
 * @error: return location for an %SP_XIVO_ERROR: %SP_XIVO_ERROR_INVALID_CREDENTIALS when
 *   xuc rejected the login or password, %SP_XIVO_ERROR_SERVER for another error xuc
 *   reported, %SP_XIVO_ERROR_MALFORMED for an answer that makes no sense
 *
 * Returns: whether @out holds a token
 */
gboolean
sp_xivo_login_parse (const char   *data,
                     gsize         length,
                     SpXivoLogin  *out,
                     GError      **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *server_error = NULL;
  g_autofree char *server_message = NULL;
  JsonObject *object;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);

  root = sp_xivo_parse_object (data, length, "The login answer", error);
  if (root == NULL)
    return FALSE;

  object = json_node_get_object (root);

  if (!sp_xivo_get_text (object, "The login answer", "error", TEXT_NAME, MAX_MSG_TYPE, &server_error, error) ||
      !sp_xivo_get_text (object, "The login answer", "message", TEXT_NAME, SP_XIVO_MAX_FIELD, &server_message, error))
    return FALSE;

  if (server_error != NULL)
    {
      g_autofree char *quoted = sp_xivo_quote_for_message (server_message ? server_message : server_error);

      if (g_str_equal (server_error, "InvalidCredentials"))
        g_set_error (error, SP_XIVO_ERROR, SP_XIVO_ERROR_INVALID_CREDENTIALS,
                     "The server rejected the login or password (%s)", quoted);
      else
        {
          g_autofree char *code = sp_xivo_quote_for_message (server_error);

          g_set_error (error, SP_XIVO_ERROR, SP_XIVO_ERROR_SERVER,
                       "The server refused the login with “%s” (%s)", code, quoted);
        }
      return FALSE;
    }

  if (!sp_xivo_get_text (object, "The login answer", "login", TEXT_NAME, SP_XIVO_MAX_FIELD, &out->login, error) ||
      !sp_xivo_get_text (object, "The login answer", "token", TEXT_ID, SP_XIVO_MAX_TOKEN, &out->token, error))
    {
      sp_xivo_login_clear (out);
      return FALSE;
    }

  if (out->token == NULL)
    {
      sp_xivo_login_clear (out);
      g_set_error_literal (error, SP_XIVO_ERROR, SP_XIVO_ERROR_MALFORMED,
                           "The login answer has no “token”");
      return FALSE;
    }

  /* The token travels in a URL query and a JSON document: printable ASCII only. */
  for (const char *p = out->token; *p != '\0'; p++)
    {
      if (*p <= ' ' || *p > '~')
        {
          sp_xivo_login_clear (out);
          g_set_error_literal (error, SP_XIVO_ERROR, SP_XIVO_ERROR_MALFORMED,
                               "The login answer's “token” contains a character a token cannot have");
          return FALSE;
        }
    }

  /* The unit and even the type of TTL are undocumented, and a server that writes it as
   * "3600" or 3600.0 still gave a good token: TTL only says when to renew, so an odd one
   * never fails the login. The JWT's own claims are not ambiguous and come first; 0 leaves
   * the choice to the caller's default. */
  out->lifetime = jwt_lifetime (out->token);
  if (out->lifetime == 0)
    out->lifetime = ttl_seconds (json_object_get_member (object, "TTL"));

  return TRUE;
}

void
sp_xivo_login_clear (SpXivoLogin *login)
{
  g_clear_pointer (&login->login, g_free);
  if (login->token != NULL)
    {
      /* A secret: do not leave it in freed memory. */
      memset (login->token, 0, strlen (login->token));
      g_clear_pointer (&login->token, g_free);
    }
  login->lifetime = 0;
}

/**
 * sp_xivo_base_path:
 * @path: the path of a server address, as written (percent-escapes and all)
 *
 * The path that the API paths are appended to: @path without the API's own paths and
 * trailing slashes, so that a person who pasted a full API address (…/xuc/api/2.0/cti,
 * …/xuc/api/2.0/auth/login, …/xuc) still gets the base; stripped until nothing changes, so
 * that the base of a base is itself. `/pbx/xuc/` gives `/pbx`.
 *
 * Returns: (transfer full): the base path, "" for the root
 */
char *
sp_xivo_base_path (const char *path)
{
  static const char * const suffixes[] = {
    "/xuc/api/2.0/cti", "/xuc/api/2.0/auth/login", "/xuc/api/2.0", "/xuc",
  };
  GString *base;
  gboolean changed = TRUE;

  g_return_val_if_fail (path != NULL, NULL);

  base = g_string_new (path);
  while (changed)
    {
      changed = FALSE;

      while (base->len > 0 && base->str[base->len - 1] == '/')
        {
          g_string_truncate (base, base->len - 1);
          changed = TRUE;
        }

      for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
        {
          if (g_str_has_suffix (base->str, suffixes[i]))
            {
              g_string_truncate (base, base->len - strlen (suffixes[i]));
              changed = TRUE;
              break;
            }
        }
    }

  return g_string_free (base, FALSE);
}

/**
 * sp_xivo_login_url:
 * @base_url: a base: an http(s) server address with sp_xivo_base_path() for its path
 *
 * Returns: (transfer full): the REST login address
 */
char *
sp_xivo_login_url (const char *base_url)
{
  g_return_val_if_fail (base_url != NULL, NULL);

  return g_strconcat (base_url, "/xuc/api/2.0/auth/login", NULL);
}

/**
 * sp_xivo_cti_url:
 * @base_url: a base: an http(s) server address with sp_xivo_base_path() for its path
 * @token: (nullable): the session token; %NULL gives the address without it, for logs
 *
 * Returns: (transfer full): the CTI WebSocket address (http or https, which libsoup
 *   upgrades). With a token it holds a secret: never log it.
 */
char *
sp_xivo_cti_url (const char *base_url,
                 const char *token)
{
  g_autofree char *escaped = NULL;

  g_return_val_if_fail (base_url != NULL, NULL);

  if (token == NULL)
    return g_strconcat (base_url, "/xuc/api/2.0/cti", NULL);

  escaped = g_uri_escape_string (token, NULL, FALSE);
  return g_strconcat (base_url, "/xuc/api/2.0/cti?token=", escaped, NULL);
}

static char *
builder_to_string (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/**
 * sp_xivo_login_request_new:
 *
 * Returns: (transfer full): the body of `POST /xuc/api/2.0/auth/login`; it holds the
 *   password
 */
char *
sp_xivo_login_request_new (const char *login,
                           const char *password)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (login != NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "login");
  json_builder_add_string_value (builder, login);
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, password);
  json_builder_end_object (builder);

  return builder_to_string (builder);
}

/**
 * sp_xivo_ping_new:
 *
 * Returns: (transfer full): the heartbeat frame, `{"claz":"ping"}`
 */
char *
sp_xivo_ping_new (void)
{
  return g_strdup ("{\"claz\":\"ping\"}");
}

/**
 * sp_xivo_command_new:
 * @command: the command, e.g. `answer`, `hangup`, `dial`, `getCurrentCallsPhoneEvents`
 * @...: pairs of an argument name and its string value, ending with %NULL; a pair
 *   whose value is %NULL is left out
 *
 * Returns: (transfer full): the frame `{"claz":"web","command":…,…}`
 */
char *
sp_xivo_command_new (const char *command,
                     ...)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  va_list args;

  g_return_val_if_fail (command != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "claz");
  json_builder_add_string_value (builder, "web");
  json_builder_set_member_name (builder, "command");
  json_builder_add_string_value (builder, command);

  va_start (args, command);
  for (const char *key = va_arg (args, const char *); key != NULL; key = va_arg (args, const char *))
    {
      const char *value = va_arg (args, const char *);

      if (value == NULL)
        continue;
      json_builder_set_member_name (builder, key);
      json_builder_add_string_value (builder, value);
    }
  va_end (args);

  json_builder_end_object (builder);

  return builder_to_string (builder);
}

/**
 * sp_xivo_pause_command_new:
 * @agent_id: the agent, or 0 for the agent of the logged-in user
 * @reason: (nullable): the pause reason, as configured on the server
 *
 * Returns: (transfer full): the `pauseAgent` frame
 */
char *
sp_xivo_pause_command_new (gint64      agent_id,
                           const char *reason)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "claz");
  json_builder_add_string_value (builder, "web");
  json_builder_set_member_name (builder, "command");
  json_builder_add_string_value (builder, "pauseAgent");
  if (agent_id > 0)
    {
      json_builder_set_member_name (builder, "agentid");
      json_builder_add_int_value (builder, agent_id);
    }
  if (reason != NULL && *reason != '\0')
    {
      json_builder_set_member_name (builder, "reason");
      json_builder_add_string_value (builder, reason);
    }
  json_builder_end_object (builder);

  return builder_to_string (builder);
}

/**
 * sp_xivo_unpause_command_new:
 * @agent_id: the agent, or 0 for the agent of the logged-in user
 *
 * Returns: (transfer full): the `unpauseAgent` frame
 */
char *
sp_xivo_unpause_command_new (gint64 agent_id)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "claz");
  json_builder_add_string_value (builder, "web");
  json_builder_set_member_name (builder, "command");
  json_builder_add_string_value (builder, "unpauseAgent");
  if (agent_id > 0)
    {
      json_builder_set_member_name (builder, "agentid");
      json_builder_add_int_value (builder, agent_id);
    }
  json_builder_end_object (builder);

  return builder_to_string (builder);
}
