/* fuzz-xivo.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Feeds arbitrary text to the XiVO CTI message mapper and the REST login parser, as a
 * hostile or broken xuc would send it, and checks their contract: no crash; an accepted
 * message obeys every documented limit (call id always set, ids free of control and
 * formatting characters, bounded sizes); a refusal always carries an error of our domain
 * and leaves nothing behind. Short valid UTF-8 inputs double as the path of a server
 * address, whose base path must be stable, and a token, whose URLs must come out
 * well-formed. */

#define G_LOG_DOMAIN "fuzz-xivo"

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "fuzz-common.h"
#include "sp-xivo.h"

int LLVMFuzzerInitialize   (int           *argc,
                            char        ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* A critical or a warning is a bug the fuzzer should stop on, as in the unit tests. */
int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init (argc, argv);
  return 0;
}

static gboolean
is_unsafe (gunichar c)
{
  return g_unichar_iscntrl (c) ||
         g_unichar_type (c) == G_UNICODE_LINE_SEPARATOR ||
         g_unichar_type (c) == G_UNICODE_PARAGRAPH_SEPARATOR ||
         (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);
}

/* NULL, or non-empty, trimmed, bounded, valid UTF-8 without unsafe characters. */
static void
check_text (const char *text,
            gsize       max)
{
  gsize length;

  if (text == NULL)
    return;

  length = strlen (text);
  g_assert (length > 0 && length <= max);
  g_assert (g_utf8_validate (text, -1, NULL));
  g_assert (!g_ascii_isspace (text[0]) && !g_ascii_isspace (text[length - 1]));

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    g_assert (!is_unsafe (g_utf8_get_char (p)));
}

static void
check_phone_event (SpXivoPhoneEvent *event)
{
  GHashTableIter iter;
  gpointer key, value;

  g_assert (event->event_type != NULL);
  g_assert (event->call_id != NULL);
  g_assert (g_strcmp0 (sp_xivo_phone_event_type_to_string (event->type), "unknown") != 0);

  check_text (event->call_id, SP_XIVO_MAX_FIELD);
  check_text (event->unique_id, SP_XIVO_MAX_FIELD);
  check_text (event->dn, SP_XIVO_MAX_FIELD);
  check_text (event->other_dn, SP_XIVO_MAX_FIELD);
  check_text (event->other_dname, SP_XIVO_MAX_FIELD);
  check_text (event->queue_name, SP_XIVO_MAX_FIELD);
  check_text (event->direction, SP_XIVO_MAX_FIELD);

  g_assert (event->user_data != NULL);
  g_assert (g_hash_table_size (event->user_data) <= SP_XIVO_MAX_USER_DATA);
  g_hash_table_iter_init (&iter, event->user_data);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_assert (*(const char *) key != '\0');
      g_assert (g_utf8_validate (key, -1, NULL));
      g_assert (g_utf8_validate (value, -1, NULL));
      g_assert (strlen (value) <= SP_XIVO_MAX_USER_DATA_VALUE);
    }
}

static void
fuzz_message (const char *text,
              gsize       length)
{
  g_autoptr(SpXivoMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  message = sp_xivo_message_parse (text, length, &error);
  if (message == NULL)
    {
      g_assert (error != NULL && error->domain == SP_XIVO_ERROR);
      g_assert (g_utf8_validate (error->message, -1, NULL));
      g_assert (strchr (error->message, '\n') == NULL);
      return;
    }

  g_assert (error == NULL);
  g_assert (message->msg_type != NULL);
  check_text (message->msg_type, 128);
  check_text (message->error, SP_XIVO_MAX_FIELD);
  check_text (message->link_status, 128);
  g_assert (g_strcmp0 (sp_xivo_message_type_to_string (message->type), "unknown") != 0);

  switch (message->type)
    {
    case SP_XIVO_MESSAGE_PHONE_EVENT:
      g_assert (message->phone_event != NULL);
      check_phone_event (message->phone_event);
      break;

    case SP_XIVO_MESSAGE_CURRENT_CALLS:
      g_assert (message->phone_events != NULL);
      g_assert (message->phone_events->len <= SP_XIVO_MAX_CURRENT_CALLS);
      for (guint i = 0; i < message->phone_events->len; i++)
        check_phone_event (g_ptr_array_index (message->phone_events, i));
      break;

    case SP_XIVO_MESSAGE_AGENT_STATE:
      g_assert (message->agent_state != NULL);
      g_assert (message->agent_state->name != NULL);
      g_assert (message->agent_state->agent_id >= 0);
      check_text (message->agent_state->name, 128);
      check_text (message->agent_state->phone_nb, SP_XIVO_MAX_FIELD);
      check_text (message->agent_state->cause, SP_XIVO_MAX_FIELD);
      break;

    case SP_XIVO_MESSAGE_USER_CONFIG:
      g_assert (message->user_config != NULL);
      g_assert (message->user_config->user_id >= 0 && message->user_config->agent_id >= 0);
      check_text (message->user_config->first_name, SP_XIVO_MAX_FIELD);
      check_text (message->user_config->last_name, SP_XIVO_MAX_FIELD);
      check_text (message->user_config->full_name, SP_XIVO_MAX_FIELD);
      break;

    case SP_XIVO_MESSAGE_QUEUES:
      g_assert (message->queues != NULL);
      g_assert (message->queues->len <= SP_XIVO_MAX_QUEUES);
      for (guint i = 0; i < message->queues->len; i++)
        {
          SpXivoQueue *queue = g_ptr_array_index (message->queues, i);

          g_assert (queue->name != NULL && queue->id >= 0);
          check_text (queue->name, SP_XIVO_MAX_FIELD);
          check_text (queue->display_name, SP_XIVO_MAX_FIELD);
          check_text (queue->number, SP_XIVO_MAX_FIELD);
        }
      break;

    case SP_XIVO_MESSAGE_LOGGED_ON:
    case SP_XIVO_MESSAGE_LOGGED_ON_ERROR:
    case SP_XIVO_MESSAGE_LINK_STATUS:
    case SP_XIVO_MESSAGE_ERROR:
    case SP_XIVO_MESSAGE_OTHER:
    default:
      g_assert (message->phone_event == NULL && message->phone_events == NULL);
      break;
    }
}

static void
fuzz_login (const char *text,
            gsize       length)
{
  g_auto(SpXivoLogin) login = { 0, };
  g_autoptr(GError) error = NULL;

  if (!sp_xivo_login_parse (text, length, &login, &error))
    {
      g_assert (error != NULL && error->domain == SP_XIVO_ERROR);
      g_assert (login.token == NULL && login.login == NULL);
      return;
    }

  g_assert (login.token != NULL && *login.token != '\0');
  g_assert (strlen (login.token) <= SP_XIVO_MAX_TOKEN);
  for (const char *p = login.token; *p != '\0'; p++)
    g_assert (*p > ' ' && *p <= '~');
  g_assert (login.lifetime >= 0);
  check_text (login.login, SP_XIVO_MAX_FIELD);
}

/* The text as the path of a server address the user typed, and as a token the server
 * sent. */
static void
fuzz_urls (const char *text,
           gsize       length)
{
  g_autofree char *name = NULL;

  if (length > FUZZ_MAX_INPUT || !g_utf8_validate (text, length, NULL))
    return;
  name = g_strndup (text, length);
  if (strlen (name) != length)
    return;

  /* The base path ends without a slash, is its own base, and is what the API's addresses
   * are built on. */
  {
    g_autofree char *base = sp_xivo_base_path (name);
    g_autofree char *again = sp_xivo_base_path (base);
    g_autofree char *cti_path = g_strconcat (base, "/xuc/api/2.0/cti", NULL);
    g_autofree char *from_cti = sp_xivo_base_path (cti_path);

    g_assert (!g_str_has_suffix (base, "/"));
    g_assert (strlen (base) <= length);
    g_assert (strncmp (base, name, strlen (base)) == 0);
    g_assert (strcmp (again, base) == 0);
    g_assert (strcmp (from_cti, base) == 0);
  }

  /* Whatever the token, it cannot break out of its query parameter. */
  {
    g_autofree char *cti = sp_xivo_cti_url ("https://xivo.example", name);
    g_autoptr(GUri) uri = g_uri_parse (cti, G_URI_FLAGS_ENCODED_QUERY, NULL);
    g_autoptr(GHashTable) params = NULL;

    g_assert (uri != NULL);
    g_assert (strcmp (g_uri_get_host (uri), "xivo.example") == 0);
    g_assert (strcmp (g_uri_get_path (uri), "/xuc/api/2.0/cti") == 0);
    params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
    g_assert (params != NULL);
    g_assert (g_hash_table_size (params) == 1);
    g_assert (strcmp (g_hash_table_lookup (params, "token"), name) == 0);
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  /* The replay driver hands an empty input over as NULL. */
  const char *text = data != NULL ? (const char *) data : "";

  fuzz_message (text, size);
  fuzz_login (text, size);
  fuzz_urls (text, size);

  return 0;
}
