/* sp-xivo-webservice.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-xivo-webservice"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "sp-actioncable.h"
#include "sp-json.h"
#include "sp-xivo-webservice.h"

/*
 * The XiVO CC Agent's third-party web service contract (protocols/xivo.md §3), as pure
 * functions: the JSON we POST when a call rings, and the answer we obey, checked strictly.
 * A CRM integration written for XiVO sends {"action","event","url",…}; whatever we cannot
 * read exactly is an error with a message the CRM's author can act on, so that the caller
 * falls back to the account's own URL template instead of half-obeying.
 */

/* How much of a server-chosen value goes into an error message. */
#define MAX_VALUE_IN_MESSAGE 64

G_DEFINE_QUARK (sp-xivo-ws-error-quark, sp_xivo_ws_error)

/* Controls, line and paragraph separators, and bidirectional overrides and isolates: none
 * belongs in a URL, a title or a program name, and some would make one read as another. */
static gboolean
has_unsafe_char (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      if (sp_json_is_unsafe_char (g_utf8_get_char (p)))
        return TRUE;
    }

  return FALSE;
}

/* A server-chosen string made safe to quote in an error message: one line, bounded. */
static char *
quote_for_message (const char *text)
{
  return sp_json_quote_for_message (text, -1, MAX_VALUE_IN_MESSAGE);
}

/* The string member @name: %NULL when missing, null or blank. Another type, more than @max
 * bytes or a control character is an error. Surrounding white space is dropped. */
static gboolean
get_string (JsonObject  *object,
            const char  *name,
            gsize        max,
            char       **out,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);
  const char *text;

  *out = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!sp_json_node_is_string (node))
    {
      g_set_error (error, SP_XIVO_WS_ERROR, SP_XIVO_WS_ERROR_MALFORMED,
                   "The answer's “%s” is %s, not a string", name, sp_json_describe_node (node));
      return FALSE;
    }

  text = json_node_get_string (node);
  if (strlen (text) > max)
    {
      g_set_error (error, SP_XIVO_WS_ERROR, SP_XIVO_WS_ERROR_MALFORMED,
                   "The answer's “%s” is longer than %" G_GSIZE_FORMAT " bytes", name, max);
      return FALSE;
    }

  if (has_unsafe_char (text))
    {
      g_set_error (error, SP_XIVO_WS_ERROR, SP_XIVO_WS_ERROR_MALFORMED,
                   "The answer's “%s” contains a control or formatting character", name);
      return FALSE;
    }

  *out = g_strstrip (g_strdup (text));
  if (**out == '\0')
    g_clear_pointer (out, g_free);

  return TRUE;
}

/* The boolean member @name, read as the agent web app reads it: by JavaScript truthiness
 * (`if (action.autopause)`), so that a service written against the CC Agent behaves the same
 * here. FALSE when missing or null; a string is true unless empty (so "false" is true, as in
 * the browser), a number unless 0, an object or array always. Anything but a real boolean is
 * told of in @notes, for the log. */
static void
get_boolean (JsonObject  *object,
             const char  *name,
             gboolean    *out,
             GString     *notes)
{
  JsonNode *node = json_object_get_member (object, name);

  *out = FALSE;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return;

  if (JSON_NODE_HOLDS_VALUE (node))
    {
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_BOOLEAN:
          *out = json_node_get_boolean (node);
          return;

        case G_TYPE_INT64:
          *out = json_node_get_int (node) != 0;
          break;

        case G_TYPE_DOUBLE:
          *out = json_node_get_double (node) != 0.0;
          break;

        case G_TYPE_STRING:
          *out = json_node_get_string (node)[0] != '\0';
          break;

        default:
          break;
        }
    }
  else
    {
      *out = TRUE;
    }

  if (notes->len > 0)
    g_string_append (notes, "; ");
  if (sp_json_node_is_string (node))
    {
      g_autofree char *quoted = quote_for_message (json_node_get_string (node));

      g_string_append_printf (notes, "“%s” is the string \"%s\", which a browser takes as %s",
                              name, quoted, *out ? "true" : "false");
    }
  else
    {
      g_string_append_printf (notes, "“%s” is %s, which a browser takes as %s", name,
                              sp_json_describe_node (node), *out ? "true" : "false");
    }
}

static gboolean
get_args (JsonObject   *object,
          char       ***out,
          GError      **error)
{
  JsonNode *node = json_object_get_member (object, "executableArgs");
  g_autoptr(GStrvBuilder) builder = NULL;
  JsonArray *array;
  guint n;

  *out = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, SP_XIVO_WS_ERROR, SP_XIVO_WS_ERROR_MALFORMED,
                   "The answer's “executableArgs” is %s, not an array of strings",
                   sp_json_describe_node (node));
      return FALSE;
    }

  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n > SP_XIVO_WS_MAX_ARGS)
    {
      g_set_error (error, SP_XIVO_WS_ERROR, SP_XIVO_WS_ERROR_MALFORMED,
                   "The answer's “executableArgs” has %u arguments, more than the %u allowed",
                   n, (guint) SP_XIVO_WS_MAX_ARGS);
      return FALSE;
    }

  /* Arguments go to the program as they are, never through a shell: no quoting or white
   * space matters, so they are taken verbatim. */
  builder = g_strv_builder_new ();
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!sp_json_node_is_string (element))
        {
          g_set_error (error, SP_XIVO_WS_ERROR, SP_XIVO_WS_ERROR_MALFORMED,
                       "The answer's “executableArgs”[%u] is %s, not a string", i,
                       sp_json_describe_node (element));
          return FALSE;
        }

      if (strlen (json_node_get_string (element)) > SP_XIVO_WS_MAX_ARG)
        {
          g_set_error (error, SP_XIVO_WS_ERROR, SP_XIVO_WS_ERROR_MALFORMED,
                       "The answer's “executableArgs”[%u] is longer than %u bytes", i,
                       (guint) SP_XIVO_WS_MAX_ARG);
          return FALSE;
        }

      g_strv_builder_add (builder, json_node_get_string (element));
    }

  *out = g_strv_builder_end (builder);
  return TRUE;
}

static gboolean
action_from_string (const char     *text,
                    SpXivoWsAction *out)
{
  if (g_str_equal (text, "none"))
    *out = SP_XIVO_WS_ACTION_NONE;
  else if (g_str_equal (text, "open"))
    *out = SP_XIVO_WS_ACTION_OPEN;
  else if (g_str_equal (text, "popup"))
    *out = SP_XIVO_WS_ACTION_POPUP;
  else if (g_str_equal (text, "run"))
    *out = SP_XIVO_WS_ACTION_RUN;
  else
    return FALSE;

  return TRUE;
}

static gboolean
event_from_string (const char    *text,
                   SpXivoWsEvent *out)
{
  if (g_str_equal (text, "EventRinging"))
    *out = SP_XIVO_WS_EVENT_RINGING;
  else if (g_str_equal (text, "EventEstablished"))
    *out = SP_XIVO_WS_EVENT_ESTABLISHED;
  else if (g_str_equal (text, "EventReleased"))
    *out = SP_XIVO_WS_EVENT_RELEASED;
  else
    return FALSE;

  return TRUE;
}

static gboolean
is_blank (const char *data,
          gsize       length)
{
  for (gsize i = 0; i < length; i++)
    {
      if (data[i] != ' ' && data[i] != '\t' && data[i] != '\n' && data[i] != '\r')
        return FALSE;
    }

  return TRUE;
}

/**
 * sp_xivo_ws_response_parse:
 * @data: (array length=length): the body of the web service's answer, not necessarily
 *   nul-terminated
 * @length: its length in bytes
 * @error: return location for an %SP_XIVO_WS_ERROR
 *
 * Reads the answer strictly: a JSON object whose `action` is `open`, `popup`, `run` or
 * `none`; `event` one of `EventRinging`, `EventEstablished`, `EventReleased` (it may be
 * left out only with `none`); `url` a string, required for `open` and `popup`; `title`,
 * `executable` and `autopauseReason` strings; `executableArgs` an array of strings;
 * `multitab` and `autopause` booleans. Members of the wrong type are errors; members this
 * client does not know are ignored. An empty body means `none`: the agent web app takes
 * it as an action that never fires.
 *
 * Returns: (transfer full): the answer, or %NULL with @error set
 */
SpXivoWsResponse *
sp_xivo_ws_response_parse (const char  *data,
                           gsize        length,
                           GError     **error)
{
  g_autoptr(SpXivoWsResponse) response = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *action = NULL;
  g_autofree char *event = NULL;
  g_autoptr(GString) notes = NULL;
  JsonObject *object;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length > SP_XIVO_WS_MAX_RESPONSE)
    {
      g_set_error (error, SP_XIVO_WS_ERROR, SP_XIVO_WS_ERROR_TOO_LARGE,
                   "The answer is %" G_GSIZE_FORMAT " bytes long, more than the %u allowed",
                   length, (guint) SP_XIVO_WS_MAX_RESPONSE);
      return NULL;
    }

  response = g_new0 (SpXivoWsResponse, 1);

  if (is_blank (data, length))
    return g_steal_pointer (&response);

  root = sp_actioncable_parse_object (data, length, &local_error);
  if (root == NULL)
    {
      g_set_error (error, SP_XIVO_WS_ERROR, SP_XIVO_WS_ERROR_MALFORMED,
                   "The answer is not a JSON object (%s)", local_error->message);
      return NULL;
    }

  object = json_node_get_object (root);

  if (!get_string (object, "action", SP_XIVO_WS_MAX_TEXT, &action, error) ||
      !get_string (object, "event", SP_XIVO_WS_MAX_TEXT, &event, error) ||
      !get_string (object, "url", SP_XIVO_WS_MAX_URL, &response->url, error) ||
      !get_string (object, "title", SP_XIVO_WS_MAX_TEXT, &response->title, error) ||
      !get_string (object, "executable", SP_XIVO_WS_MAX_ARG, &response->executable, error) ||
      !get_string (object, "autopauseReason", SP_XIVO_WS_MAX_TEXT, &response->autopause_reason, error) ||
      !get_args (object, &response->executable_args, error))
    return NULL;

  notes = g_string_new (NULL);
  get_boolean (object, "multitab", &response->multitab, notes);
  get_boolean (object, "autopause", &response->autopause, notes);
  if (notes->len > 0)
    response->notes = g_string_free (g_steal_pointer (&notes), FALSE);

  if (action == NULL)
    {
      g_set_error_literal (error, SP_XIVO_WS_ERROR, SP_XIVO_WS_ERROR_INVALID,
                           "The answer has no “action”; expected open, popup, run or none");
      return NULL;
    }

  if (!action_from_string (action, &response->action))
    {
      g_autofree char *quoted = quote_for_message (action);

      g_set_error (error, SP_XIVO_WS_ERROR, SP_XIVO_WS_ERROR_INVALID,
                   "The answer's “action” is “%s”; expected open, popup, run or none", quoted);
      return NULL;
    }

  if (event != NULL && !event_from_string (event, &response->event))
    {
      g_autofree char *quoted = quote_for_message (event);

      g_set_error (error, SP_XIVO_WS_ERROR, SP_XIVO_WS_ERROR_INVALID,
                   "The answer's “event” is “%s”; expected EventRinging, EventEstablished "
                   "or EventReleased", quoted);
      return NULL;
    }

  if (response->event == SP_XIVO_WS_EVENT_NEVER && response->action != SP_XIVO_WS_ACTION_NONE)
    {
      g_set_error (error, SP_XIVO_WS_ERROR, SP_XIVO_WS_ERROR_INVALID,
                   "The answer asks for “%s” but names no “event”; expected EventRinging, "
                   "EventEstablished or EventReleased", action);
      return NULL;
    }

  switch (response->action)
    {
    case SP_XIVO_WS_ACTION_OPEN:
    case SP_XIVO_WS_ACTION_POPUP:
      if (response->url == NULL)
        {
          g_set_error (error, SP_XIVO_WS_ERROR, SP_XIVO_WS_ERROR_INVALID,
                       "The answer asks for “%s” but gives no “url”", action);
          return NULL;
        }
      break;

    case SP_XIVO_WS_ACTION_RUN:
      /* The 2021 documentation runs `url`; newer desktop assistants name `executable`. */
      if (response->executable == NULL)
        response->executable = g_strdup (response->url);
      if (response->executable == NULL)
        {
          g_set_error_literal (error, SP_XIVO_WS_ERROR, SP_XIVO_WS_ERROR_INVALID,
                               "The answer asks for “run” but names no “executable” (nor “url”)");
          return NULL;
        }
      break;

    case SP_XIVO_WS_ACTION_NONE:
    default:
      break;
    }

  return g_steal_pointer (&response);
}

void
sp_xivo_ws_response_free (SpXivoWsResponse *response)
{
  if (response == NULL)
    return;

  g_free (response->url);
  g_free (response->title);
  g_free (response->executable);
  g_strfreev (response->executable_args);
  g_free (response->autopause_reason);
  g_free (response->notes);
  g_free (response);
}

const char *
sp_xivo_ws_action_to_string (SpXivoWsAction action)
{
  switch (action)
    {
    case SP_XIVO_WS_ACTION_NONE:
      return "none";
    case SP_XIVO_WS_ACTION_OPEN:
      return "open";
    case SP_XIVO_WS_ACTION_POPUP:
      return "popup";
    case SP_XIVO_WS_ACTION_RUN:
      return "run";
    default:
      return "unknown";
    }
}

const char *
sp_xivo_ws_event_to_string (SpXivoWsEvent event)
{
  switch (event)
    {
    case SP_XIVO_WS_EVENT_NEVER:
      return "never";
    case SP_XIVO_WS_EVENT_RINGING:
      return "EventRinging";
    case SP_XIVO_WS_EVENT_ESTABLISHED:
      return "EventEstablished";
    case SP_XIVO_WS_EVENT_RELEASED:
      return "EventReleased";
    default:
      return "unknown";
    }
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  if (value == NULL)
    return;

  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  if (value <= 0)
    return;

  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static int
compare_keys (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/**
 * sp_xivo_ws_request_to_json:
 * @request: what is known of the ringing call
 *
 * Builds the body the agent web app POSTs: `user`, `callee`, `caller`, `userData`,
 * `callDataCallId` and, when the call came through a queue, `queue`. `userData` is always
 * an object, its keys sorted so that the body is the same for the same call.
 *
 * Returns: (transfer full): the JSON text; it holds the token if @request has one
 */
char *
sp_xivo_ws_request_to_json (const SpXivoWsRequest *request)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (request != NULL, NULL);

  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "user");
  json_builder_begin_object (builder);
  add_int (builder, "userId", request->user_id);
  add_int (builder, "agentId", request->agent_id);
  add_string (builder, "firstName", request->first_name);
  add_string (builder, "lastName", request->last_name);
  add_string (builder, "fullName", request->full_name);
  add_string (builder, "token", request->token);
  json_builder_end_object (builder);

  add_string (builder, "callee", request->callee);
  add_string (builder, "caller", request->caller);

  json_builder_set_member_name (builder, "userData");
  json_builder_begin_object (builder);
  if (request->user_data != NULL)
    {
      g_autofree const char **keys = NULL;
      guint n;

      keys = (const char **) g_hash_table_get_keys_as_array (request->user_data, &n);
      g_qsort_with_data (keys, n, sizeof (char *), compare_keys, NULL);
      for (guint i = 0; i < n; i++)
        add_string (builder, keys[i], g_hash_table_lookup (request->user_data, keys[i]));
    }
  json_builder_end_object (builder);

  add_string (builder, "callDataCallId", request->call_id);

  if (request->queue_name != NULL)
    {
      json_builder_set_member_name (builder, "queue");
      json_builder_begin_object (builder);
      add_int (builder, "id", request->queue_id);
      add_string (builder, "name", request->queue_name);
      add_string (builder, "displayName", request->queue_display_name);
      add_string (builder, "number", request->queue_number);
      json_builder_end_object (builder);
    }

  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

/* The expanded URL may hold the token: not to be left in freed memory. */
static void
wipe (GString *text)
{
  memset (text->str, 0, text->len);
}

static gboolean
is_loopback_host (const char *host)
{
  return g_strcmp0 (host, "127.0.0.1") == 0 || g_strcmp0 (host, "::1") == 0 ||
         g_strcmp0 (host, "[::1]") == 0 || g_ascii_strcasecmp (host, "localhost") == 0;
}

/**
 * sp_xivo_third_party_login_url:
 * @url_template: the administrator's `THIRD_PARTY_LOGIN_URL`, e.g.
 *   `https://crm.example/logininfo?login=%{login}&token=%{token}&xivoccHost=%{xivocchost}`
 * @login: the CTI login
 * @token: (nullable): the live CTI token, a secret
 * @xivocc_host: the XiVO CC host the user logged in to (host, and port if not the scheme's)
 * @error: return location for an %SP_XIVO_WS_ERROR_INVALID error, which never holds the
 *   token
 *
 * The URL to call (or open) after each successful CTI login, as the XiVO CC agent does with
 * `THIRD_PARTY_LOGIN_URL`: the placeholders `%{login}`, `%{token}` and `%{xivocchost}`
 * (their names in any case) replaced by the percent-encoded values; other text stays. The
 * token goes only where it cannot be read on the way: an https URL, or this machine.
 *
 * Returns: (transfer full) (nullable): the URL, a secret when it holds the token; %NULL
 *   when it is not an http(s) URL or would carry the token over plain http elsewhere
 */
char *
sp_xivo_third_party_login_url (const char  *url_template,
                               const char  *login,
                               const char  *token,
                               const char  *xivocc_host,
                               GError     **error)
{
  static const char * const names[] = { "login", "token", "xivocchost" };
  g_autoptr(GString) out = NULL;
  g_autoptr(GUri) uri = NULL;
  gboolean has_token = FALSE;
  const char *p;

  g_return_val_if_fail (url_template != NULL, NULL);

  /* The token goes in the path or the query, never the host or the user: a host name ends
   * up in resolver errors and log lines. */
  {
    const char *authority = strstr (url_template, "://");
    gsize length = authority ? strcspn (authority + 3, "/?#") : 0;
    g_autofree char *lower = authority ? g_ascii_strdown (authority + 3, length) : NULL;

    if (lower != NULL && strstr (lower, "%{token}") != NULL)
      {
        g_set_error_literal (error, SP_XIVO_WS_ERROR, SP_XIVO_WS_ERROR_INVALID,
                             "The third-party login URL puts the token in the host; put it in "
                             "the path or the query");
        return NULL;
      }
  }

  out = g_string_new (NULL);
  for (p = url_template; *p != '\0'; )
    {
      const char *values[] = { login, token, xivocc_host };
      gboolean replaced = FALSE;

      if (p[0] == '%' && p[1] == '{')
        {
          for (guint i = 0; i < G_N_ELEMENTS (names); i++)
            {
              gsize length = strlen (names[i]);

              if (g_ascii_strncasecmp (p + 2, names[i], length) == 0 && p[2 + length] == '}')
                {
                  g_autofree char *escaped = g_uri_escape_string (values[i] ? values[i] : "", NULL, FALSE);

                  g_string_append (out, escaped);
                  has_token |= i == 1 && values[i] != NULL;
                  p += 3 + length;
                  replaced = TRUE;
                  break;
                }
            }
        }

      if (!replaced)
        g_string_append_c (out, *p++);
    }

  uri = g_uri_parse (out->str, G_URI_FLAGS_ENCODED | G_URI_FLAGS_PARSE_RELAXED, NULL);
  if (uri == NULL ||
      (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 && g_strcmp0 (g_uri_get_scheme (uri), "https") != 0) ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      wipe (out);
      g_set_error_literal (error, SP_XIVO_WS_ERROR, SP_XIVO_WS_ERROR_INVALID,
                           "The third-party login URL is not an http or https URL");
      return NULL;
    }

  if (has_token && !g_str_equal (g_uri_get_scheme (uri), "https") && !is_loopback_host (g_uri_get_host (uri)))
    {
      /* Not even the host is named: a template may put the token there. */
      wipe (out);
      g_set_error_literal (error, SP_XIVO_WS_ERROR, SP_XIVO_WS_ERROR_INVALID,
                           "The third-party login URL would send the token over plain http to "
                           "another machine; use https");
      return NULL;
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}
