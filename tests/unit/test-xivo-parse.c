/* test-xivo-parse.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pure XiVO parts: the CTI message mapper, the REST login answer and the third-party
 * web service contract. Data-driven from tests/data/xivo/{cti,login,webservice}/: each
 * NAME.json is what arrives, NAME.expected what the parser must make of it, as readable
 * text. (SP_TEST_REGENERATE=1 rewrites the .expected files, for review with git diff.)
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "sp-xivo.h"
#include "sp-xivo-webservice.h"
#include "sp-test-util.h"

/* Escapes @text onto one line; UTF-8 stays readable. */
static char *
escape_text (const char *text)
{
  static char non_ascii[129];

  if (text == NULL)
    return g_strdup ("(none)");

  if (non_ascii[0] == '\0')
    {
      for (guint i = 0; i < 128; i++)
        non_ascii[i] = (char) (0x80 + i);
    }

  return g_strescape (text, non_ascii);
}

static void
append_field (GString    *out,
              const char *indent,
              const char *name,
              const char *value)
{
  g_autofree char *escaped = escape_text (value);

  g_string_append_printf (out, "%s%s: %s\n", indent, name, escaped);
}

static int
compare_keys (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
append_vars (GString    *out,
             const char *indent,
             GHashTable *vars)
{
  g_autofree const char **keys = NULL;
  guint n = 0;

  if (vars == NULL)
    {
      g_string_append_printf (out, "%suser-data: (none)\n", indent);
      return;
    }

  keys = (const char **) g_hash_table_get_keys_as_array (vars, &n);
  g_qsort_with_data (keys, n, sizeof (char *), compare_keys, NULL);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *key = escape_text (keys[i]);
      g_autofree char *value = escape_text (g_hash_table_lookup (vars, keys[i]));

      g_string_append_printf (out, "%suser-data: %s=%s\n", indent, key, value);
    }
}

static void
dump_phone_event (GString          *out,
                  const char       *indent,
                  SpXivoPhoneEvent *event)
{
  g_autofree char *inner = g_strconcat (indent, "  ", NULL);

  g_string_append_printf (out, "%s%s (%s)\n", indent,
                          sp_xivo_phone_event_type_to_string (event->type), event->event_type);
  append_field (out, inner, "call-id", event->call_id);
  append_field (out, inner, "unique-id", event->unique_id);
  append_field (out, inner, "dn", event->dn);
  append_field (out, inner, "other-dn", event->other_dn);
  append_field (out, inner, "other-dname", event->other_dname);
  append_field (out, inner, "queue", event->queue_name);
  append_field (out, inner, "direction", event->direction);
  append_vars (out, inner, event->user_data);
}

static const char *
xivo_error_name (const GError *error)
{
  if (error->domain == SP_XIVO_ERROR)
    {
      switch ((SpXivoError) error->code)
        {
        case SP_XIVO_ERROR_MALFORMED:
          return "malformed";
        case SP_XIVO_ERROR_TOO_LARGE:
          return "too-large";
        case SP_XIVO_ERROR_INVALID_CREDENTIALS:
          return "invalid-credentials";
        case SP_XIVO_ERROR_SERVER:
          return "server";
        default:
          break;
        }
    }
  else if (error->domain == SP_XIVO_WS_ERROR)
    {
      switch ((SpXivoWsError) error->code)
        {
        case SP_XIVO_WS_ERROR_MALFORMED:
          return "malformed";
        case SP_XIVO_WS_ERROR_TOO_LARGE:
          return "too-large";
        case SP_XIVO_WS_ERROR_INVALID:
          return "invalid";
        default:
          break;
        }
    }

  return "other";
}

static char *
describe_cti (const char *data,
              gsize       length)
{
  g_autoptr(SpXivoMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  GString *out = g_string_new (NULL);

  message = sp_xivo_message_parse (data, length, &error);
  if (message == NULL)
    {
      g_assert_nonnull (error);
      g_string_append_printf (out, "error %s: %s\n", xivo_error_name (error), error->message);
      return g_string_free (out, FALSE);
    }

  g_assert_no_error (error);
  g_string_append_printf (out, "%s (%s)\n", sp_xivo_message_type_to_string (message->type),
                          message->msg_type);

  switch (message->type)
    {
    case SP_XIVO_MESSAGE_LOGGED_ON_ERROR:
      append_field (out, "  ", "error", message->error);
      g_string_append_printf (out, "  auth-failed: %s\n", message->auth_failed ? "yes" : "no");
      break;

    case SP_XIVO_MESSAGE_ERROR:
      append_field (out, "  ", "error", message->error);
      break;

    case SP_XIVO_MESSAGE_PHONE_EVENT:
      dump_phone_event (out, "  ", message->phone_event);
      break;

    case SP_XIVO_MESSAGE_CURRENT_CALLS:
      g_string_append_printf (out, "  calls: %u\n", message->phone_events->len);
      for (guint i = 0; i < message->phone_events->len; i++)
        dump_phone_event (out, "    ", g_ptr_array_index (message->phone_events, i));
      break;

    case SP_XIVO_MESSAGE_AGENT_STATE:
      append_field (out, "  ", "name", message->agent_state->name);
      g_string_append_printf (out, "  agent-id: %" G_GINT64_FORMAT "\n", message->agent_state->agent_id);
      append_field (out, "  ", "phone", message->agent_state->phone_nb);
      append_field (out, "  ", "cause", message->agent_state->cause);
      break;

    case SP_XIVO_MESSAGE_USER_CONFIG:
      g_string_append_printf (out, "  user-id: %" G_GINT64_FORMAT "\n", message->user_config->user_id);
      g_string_append_printf (out, "  agent-id: %" G_GINT64_FORMAT "\n", message->user_config->agent_id);
      append_field (out, "  ", "first-name", message->user_config->first_name);
      append_field (out, "  ", "last-name", message->user_config->last_name);
      append_field (out, "  ", "full-name", message->user_config->full_name);
      break;

    case SP_XIVO_MESSAGE_QUEUES:
      g_string_append_printf (out, "  queues: %u\n", message->queues->len);
      for (guint i = 0; i < message->queues->len; i++)
        {
          SpXivoQueue *queue = g_ptr_array_index (message->queues, i);

          g_string_append_printf (out, "    id: %" G_GINT64_FORMAT "\n", queue->id);
          append_field (out, "      ", "name", queue->name);
          append_field (out, "      ", "display-name", queue->display_name);
          append_field (out, "      ", "number", queue->number);
        }
      break;

    case SP_XIVO_MESSAGE_LINK_STATUS:
      append_field (out, "  ", "status", message->link_status);
      break;

    case SP_XIVO_MESSAGE_LOGGED_ON:
    case SP_XIVO_MESSAGE_OTHER:
    default:
      break;
    }

  return g_string_free (out, FALSE);
}

static char *
describe_login (const char *data,
                gsize       length)
{
  g_auto(SpXivoLogin) login = { 0, };
  g_autoptr(GError) error = NULL;
  GString *out = g_string_new (NULL);

  if (!sp_xivo_login_parse (data, length, &login, &error))
    {
      g_assert_nonnull (error);
      g_assert_null (login.token);
      g_string_append_printf (out, "error %s: %s\n", xivo_error_name (error), error->message);
      return g_string_free (out, FALSE);
    }

  g_assert_no_error (error);
  g_string_append (out, "token\n");
  append_field (out, "  ", "login", login.login);
  append_field (out, "  ", "token", login.token);
  g_string_append_printf (out, "  lifetime: %" G_GINT64_FORMAT "\n", login.lifetime);

  return g_string_free (out, FALSE);
}

static char *
describe_response (const char *data,
                   gsize       length)
{
  g_autoptr(SpXivoWsResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  GString *out = g_string_new (NULL);

  response = sp_xivo_ws_response_parse (data, length, &error);
  if (response == NULL)
    {
      g_assert_nonnull (error);
      g_string_append_printf (out, "error %s: %s\n", xivo_error_name (error), error->message);
      return g_string_free (out, FALSE);
    }

  g_assert_no_error (error);
  g_string_append_printf (out, "%s at %s\n", sp_xivo_ws_action_to_string (response->action),
                          sp_xivo_ws_event_to_string (response->event));
  append_field (out, "  ", "url", response->url);
  append_field (out, "  ", "title", response->title);
  g_string_append_printf (out, "  multitab: %s\n", response->multitab ? "yes" : "no");
  append_field (out, "  ", "executable", response->executable);
  for (guint i = 0; response->executable_args != NULL && response->executable_args[i] != NULL; i++)
    {
      g_autofree char *name = g_strdup_printf ("arg %u", i);

      append_field (out, "  ", name, response->executable_args[i]);
    }
  g_string_append_printf (out, "  autopause: %s\n", response->autopause ? "yes" : "no");
  append_field (out, "  ", "autopause-reason", response->autopause_reason);
  if (response->notes != NULL)
    append_field (out, "  ", "notes", response->notes);

  return g_string_free (out, FALSE);
}

static void
test_too_large (void)
{
  gsize length = SP_XIVO_MAX_MESSAGE + 1;
  g_autofree char *big = g_malloc (length);
  g_autoptr(SpXivoMessage) message = NULL;
  g_autoptr(SpXivoWsResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  memset (big, ' ', length);

  message = sp_xivo_message_parse (big, length, &error);
  g_assert_null (message);
  g_assert_error (error, SP_XIVO_ERROR, SP_XIVO_ERROR_TOO_LARGE);
  g_clear_error (&error);

  response = sp_xivo_ws_response_parse (big, SP_XIVO_WS_MAX_RESPONSE + 1, &error);
  g_assert_null (response);
  g_assert_error (error, SP_XIVO_WS_ERROR, SP_XIVO_WS_ERROR_TOO_LARGE);
}

static void
test_too_many_user_data (void)
{
  g_autoptr(GString) text = g_string_new ("{\"msgType\":\"PhoneEvent\",\"ctiMessage\":"
                                          "{\"eventType\":\"EventRinging\",\"linkedId\":\"1\","
                                          "\"userData\":{");
  g_autoptr(SpXivoMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i <= SP_XIVO_MAX_USER_DATA; i++)
    g_string_append_printf (text, "%s\"V%u\":\"x\"", i ? "," : "", i);
  g_string_append (text, "}}}");

  message = sp_xivo_message_parse (text->str, text->len, &error);
  g_assert_null (message);
  g_assert_error (error, SP_XIVO_ERROR, SP_XIVO_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "more than"));
}

/* The base path of an address a person pasted: the API's own paths go (the whole address
 * is read by sp_xivo_source_normalize_url(), see test-http). */
static void
test_base_path (void)
{
  static const struct {
    const char *input;
    const char *expected;
  } cases[] = {
    { "", "" },
    { "/", "" },
    { "/xuc/api/2.0/cti", "" },
    { "/xuc/api/2.0/auth/login", "" },
    { "/xuc/", "" },
    { "/pbx/xuc", "/pbx" },
    { "/pbx/xuc/api/2.0/", "/pbx" },
    { "/pbx//xuc//", "/pbx" },
    { "/xucs", "/xucs" },
    { "/a%20b/xuc", "/a%20b" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *base = sp_xivo_base_path (cases[i].input);
      g_autofree char *again = sp_xivo_base_path (base);

      g_assert_cmpstr (base, ==, cases[i].expected);
      g_assert_cmpstr (again, ==, base);
    }
}

static void
test_urls (void)
{
  g_autofree char *login = sp_xivo_login_url ("https://xivo.example.com");
  g_autofree char *cti = sp_xivo_cti_url ("https://xivo.example.com", "a+b/c=d");
  g_autofree char *cti_bare = sp_xivo_cti_url ("https://xivo.example.com", NULL);

  g_assert_cmpstr (login, ==, "https://xivo.example.com/xuc/api/2.0/auth/login");
  g_assert_cmpstr (cti, ==, "https://xivo.example.com/xuc/api/2.0/cti?token=a%2Bb%2Fc%3Dd");
  g_assert_cmpstr (cti_bare, ==, "https://xivo.example.com/xuc/api/2.0/cti");
}

/* Every frame we send must read back as JSON with the right members. */
static JsonObject *
read_back (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_frames (void)
{
  g_autofree char *login = sp_xivo_login_request_new ("ana", "p\"ss\\wörd");
  g_autofree char *ping = sp_xivo_ping_new ();
  g_autofree char *answer = sp_xivo_command_new ("answer", "uniqueId", "1469709960.78", NULL);
  g_autofree char *hangup = sp_xivo_command_new ("hangup", "uniqueId", NULL, NULL);
  g_autofree char *dial = sp_xivo_command_new ("dial", "destination", "0427123456", NULL);
  g_autofree char *resync = sp_xivo_command_new ("getCurrentCallsPhoneEvents", NULL);
  g_autofree char *pause = sp_xivo_pause_command_new (3, "crm-work");
  g_autofree char *pause_bare = sp_xivo_pause_command_new (0, NULL);
  g_autofree char *unpause = sp_xivo_unpause_command_new (3);
  JsonObject *object;

  object = read_back (login);
  g_assert_cmpstr (json_object_get_string_member (object, "login"), ==, "ana");
  g_assert_cmpstr (json_object_get_string_member (object, "password"), ==, "p\"ss\\wörd");
  json_object_unref (object);

  g_assert_cmpstr (ping, ==, "{\"claz\":\"ping\"}");
  g_assert_cmpstr (answer, ==, "{\"claz\":\"web\",\"command\":\"answer\",\"uniqueId\":\"1469709960.78\"}");
  g_assert_cmpstr (hangup, ==, "{\"claz\":\"web\",\"command\":\"hangup\"}");
  g_assert_cmpstr (dial, ==, "{\"claz\":\"web\",\"command\":\"dial\",\"destination\":\"0427123456\"}");
  g_assert_cmpstr (resync, ==, "{\"claz\":\"web\",\"command\":\"getCurrentCallsPhoneEvents\"}");
  g_assert_cmpstr (pause, ==, "{\"claz\":\"web\",\"command\":\"pauseAgent\",\"agentid\":3,\"reason\":\"crm-work\"}");
  g_assert_cmpstr (pause_bare, ==, "{\"claz\":\"web\",\"command\":\"pauseAgent\"}");
  g_assert_cmpstr (unpause, ==, "{\"claz\":\"web\",\"command\":\"unpauseAgent\",\"agentid\":3}");
}

static void
test_request_full (void)
{
  g_autoptr(GHashTable) vars = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *json = NULL;
  SpXivoWsRequest request = {
    .callee = "1000",
    .caller = "0427123456",
    .call_id = "1469709757.74",
    .user_data = vars,
    .queue_name = "bluesky",
    .queue_display_name = "Blue Sky",
    .queue_number = "3000",
    .queue_id = 1,
    .user_id = 12,
    .agent_id = 3,
    .first_name = "Ana",
    .last_name = "Horvat",
    .full_name = "Ana Horvat",
    .token = "eyJ.x.y",
  };

  g_hash_table_insert (vars, g_strdup ("XIVO_USERID"), g_strdup ("12"));
  g_hash_table_insert (vars, g_strdup ("USR_ORDER"), g_strdup ("42"));
  g_hash_table_insert (vars, g_strdup ("XIVO_CONTEXT"), g_strdup ("default"));

  json = sp_xivo_ws_request_to_json (&request);
  g_assert_cmpstr (json, ==,
                   "{\"user\":{\"userId\":12,\"agentId\":3,\"firstName\":\"Ana\",\"lastName\":\"Horvat\","
                   "\"fullName\":\"Ana Horvat\",\"token\":\"eyJ.x.y\"},"
                   "\"callee\":\"1000\",\"caller\":\"0427123456\","
                   "\"userData\":{\"USR_ORDER\":\"42\",\"XIVO_CONTEXT\":\"default\",\"XIVO_USERID\":\"12\"},"
                   "\"callDataCallId\":\"1469709757.74\","
                   "\"queue\":{\"id\":1,\"name\":\"bluesky\",\"displayName\":\"Blue Sky\",\"number\":\"3000\"}}");
}

static void
test_request_minimal (void)
{
  g_autofree char *json = NULL;
  SpXivoWsRequest request = { .caller = "0427 \"123\"", .call_id = "pn-1" };

  /* A popup-notifier call knows only the caller: everything unknown is left out, userData
   * and user are still objects, and no queue is invented. */
  json = sp_xivo_ws_request_to_json (&request);
  g_assert_cmpstr (json, ==,
                   "{\"user\":{},\"caller\":\"0427 \\\"123\\\"\",\"userData\":{},"
                   "\"callDataCallId\":\"pn-1\"}");
}

/* THIRD_PARTY_LOGIN_URL: the seed's placeholders, percent-encoded; the token only over https
 * or to this machine. */
static void
test_third_party_login_url (void)
{
  static const struct {
    const char *template_str;
    const char *expected;   /* NULL: refused */
  } cases[] = {
    { "https://crm.example/logininfo?login=%{login}&token=%{token}&xivoccHost=%{xivocchost}",
      "https://crm.example/logininfo?login=ana%20h&token=a%2Bb%2Fc%3D&xivoccHost=xivo.example.com%3A8443" },
    { "https://crm.example/l?t=%{TOKEN}&x=%{unknown}&p=100%", "https://crm.example/l?t=a%2Bb%2Fc%3D&x=%{unknown}&p=100%" },
    { "http://127.0.0.1:8000/l?t=%{token}", "http://127.0.0.1:8000/l?t=a%2Bb%2Fc%3D" },
    { "http://localhost/l?t=%{token}", "http://localhost/l?t=a%2Bb%2Fc%3D" },
    { "http://crm.example/l?login=%{login}", "http://crm.example/l?login=ana%20h" },
    { "http://crm.example/l?t=%{token}", NULL },
    { "http://%{token}.example/l", NULL },
    { "https://%{Token}.example/l", NULL },
    { "https://u:%{token}@crm.example/l", NULL },
    { "ftp://crm.example/%{login}", NULL },
    { "%{xivocchost}/x", NULL },
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = sp_xivo_third_party_login_url (cases[i].template_str, "ana h", "a+b/c=",
                                                            "xivo.example.com:8443", &error);

      g_test_message ("%s", cases[i].template_str);
      g_assert_cmpstr (url, ==, cases[i].expected);
      if (url == NULL)
        {
          g_assert_error (error, SP_XIVO_WS_ERROR, SP_XIVO_WS_ERROR_INVALID);
          g_assert_null (strstr (error->message, "a+b"));
          g_assert_null (strstr (error->message, "a%2Bb"));
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  sp_test_add_data_cases ("/xivo-parse/cti", "xivo/cti", describe_cti, SP_TEST_DATA_NONE, 8);
  sp_test_add_data_cases ("/xivo-parse/login", "xivo/login", describe_login, SP_TEST_DATA_NONE, 8);
  sp_test_add_data_cases ("/xivo-parse/webservice", "xivo/webservice", describe_response, SP_TEST_DATA_NONE, 8);

  g_test_add_func ("/xivo-parse/too-large", test_too_large);
  g_test_add_func ("/xivo-parse/too-many-user-data", test_too_many_user_data);
  g_test_add_func ("/xivo-parse/base-path", test_base_path);
  g_test_add_func ("/xivo-parse/urls", test_urls);
  g_test_add_func ("/xivo-parse/frames", test_frames);
  g_test_add_func ("/xivo-parse/request-full", test_request_full);
  g_test_add_func ("/xivo-parse/request-minimal", test_request_minimal);
  g_test_add_func ("/xivo-parse/third-party-login-url", test_third_party_login_url);

  return g_test_run ();
}
