/* fuzz-xivo-webservice.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Feeds arbitrary answers to the third-party web service response parser, as a broken or
 * hostile CRM would send them, and checks its contract: no crash; an accepted answer is
 * complete for what it asks (a URL to open, an executable to run, a moment to fire) and
 * within every limit; a refusal carries an error of our domain. The same bytes, split at
 * newlines, also fill a request, which must come out as JSON that reads back to the same
 * values. */

#define G_LOG_DOMAIN "fuzz-xivo-webservice"

#include "config.h"

#include <stdint.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "fuzz-common.h"
#include "sp-xivo-webservice.h"

int LLVMFuzzerInitialize   (int           *argc,
                            char        ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init (argc, argv);
  return 0;
}

static void
check_text (const char *text,
            gsize       max)
{
  if (text == NULL)
    return;

  g_assert (*text != '\0' && strlen (text) <= max);
  g_assert (g_utf8_validate (text, -1, NULL));
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    g_assert (!g_unichar_iscntrl (g_utf8_get_char (p)));
}

static void
fuzz_response (const char *text,
               gsize       length)
{
  g_autoptr(SpXivoWsResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  response = sp_xivo_ws_response_parse (text, length, &error);
  if (response == NULL)
    {
      g_assert (error != NULL && error->domain == SP_XIVO_WS_ERROR);
      g_assert (g_utf8_validate (error->message, -1, NULL));
      g_assert (strchr (error->message, '\n') == NULL);
      return;
    }

  g_assert (error == NULL);
  g_assert (g_strcmp0 (sp_xivo_ws_action_to_string (response->action), "unknown") != 0);
  g_assert (g_strcmp0 (sp_xivo_ws_event_to_string (response->event), "unknown") != 0);

  /* Only "none" may never fire. */
  g_assert (response->event != SP_XIVO_WS_EVENT_NEVER || response->action == SP_XIVO_WS_ACTION_NONE);

  switch (response->action)
    {
    case SP_XIVO_WS_ACTION_OPEN:
    case SP_XIVO_WS_ACTION_POPUP:
      g_assert (response->url != NULL);
      break;
    case SP_XIVO_WS_ACTION_RUN:
      g_assert (response->executable != NULL);
      break;
    case SP_XIVO_WS_ACTION_NONE:
    default:
      break;
    }

  check_text (response->url, SP_XIVO_WS_MAX_URL);
  check_text (response->title, SP_XIVO_WS_MAX_TEXT);
  check_text (response->executable, SP_XIVO_WS_MAX_URL);
  check_text (response->autopause_reason, SP_XIVO_WS_MAX_TEXT);

  if (response->executable_args != NULL)
    {
      g_assert (g_strv_length (response->executable_args) <= SP_XIVO_WS_MAX_ARGS);
      for (guint i = 0; response->executable_args[i] != NULL; i++)
        {
          g_assert (strlen (response->executable_args[i]) <= SP_XIVO_WS_MAX_ARG);
          g_assert (g_utf8_validate (response->executable_args[i], -1, NULL));
        }
    }
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL ? json_node_get_string (node) : NULL;
}

/* Lines of the input become the request's strings: whatever they hold (quotes,
 * backslashes, any Unicode), the JSON must carry them unchanged. */
static void
fuzz_request (const char *text,
              gsize       length)
{
  g_autoptr(GHashTable) vars = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *json = NULL;
  g_auto(GStrv) lines = NULL;
  SpXivoWsRequest request = { 0, };
  JsonObject *root;
  JsonObject *user_data;
  guint n;

  if (length > FUZZ_MAX_INPUT || !g_utf8_validate (text, length, NULL))
    return;
  copy = g_strndup (text, length);
  if (strlen (copy) != length)
    return;

  lines = g_strsplit (copy, "\n", 8);
  n = g_strv_length (lines);

  request.caller = n > 0 ? lines[0] : NULL;
  request.callee = n > 1 ? lines[1] : NULL;
  request.call_id = n > 2 ? lines[2] : NULL;
  request.queue_name = n > 3 ? lines[3] : NULL;
  request.token = n > 4 ? lines[4] : NULL;
  if (n > 6)
    g_hash_table_insert (vars, lines[5], lines[6]);
  request.user_data = vars;
  request.agent_id = (gint64) length;

  json = sp_xivo_ws_request_to_json (&request);
  json_parser_load_from_data (parser, json, -1, &error);
  g_assert (error == NULL);

  root = json_node_get_object (json_parser_get_root (parser));
  g_assert (g_strcmp0 (member_string (root, "caller"), request.caller) == 0);
  g_assert (g_strcmp0 (member_string (root, "callee"), request.callee) == 0);
  g_assert (g_strcmp0 (member_string (root, "callDataCallId"), request.call_id) == 0);
  g_assert (json_object_has_member (root, "queue") == (request.queue_name != NULL));
  g_assert (g_strcmp0 (member_string (json_object_get_object_member (root, "user"), "token"),
                       request.token) == 0);

  user_data = json_object_get_object_member (root, "userData");
  g_assert (user_data != NULL);
  g_assert (json_object_get_size (user_data) == g_hash_table_size (vars));
  if (n > 6)
    g_assert (g_strcmp0 (member_string (user_data, lines[5]), lines[6]) == 0);
}

/* THIRD_PARTY_LOGIN_URL: any template gives an http(s) URL without the raw token over plain
 * http elsewhere, or an error that does not hold the token. */
static void
fuzz_login_url (const char *text,
                gsize       length)
{
  g_autofree char *copy = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;

  if (length > 4096 || !g_utf8_validate (text, length, NULL))
    return;
  copy = g_strndup (text, length);

  url = sp_xivo_third_party_login_url (copy, "ana", "SECRET-TOKEN", "xivo.example.com:8443", &error);
  if (url == NULL)
    {
      g_assert (error != NULL);
      g_assert (strstr (error->message, "SECRET-TOKEN") == NULL);
      return;
    }

  g_assert (error == NULL);
  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED | G_URI_FLAGS_PARSE_RELAXED, NULL);
  g_assert (uri != NULL);
  g_assert (g_str_equal (g_uri_get_scheme (uri), "http") || g_str_equal (g_uri_get_scheme (uri), "https"));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *text = data != NULL ? (const char *) data : "";

  fuzz_response (text, size);
  fuzz_request (text, size);
  fuzz_login_url (text, size);

  return 0;
}
