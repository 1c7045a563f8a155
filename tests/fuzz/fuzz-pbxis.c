/* fuzz-pbxis.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Feeds arbitrary input to every pbxis-ws reader and checks their contracts: nothing
 * crashes; a refusal always carries an error of our domain with a valid UTF-8 message; an
 * accepted event obeys every documented limit (valid UTF-8, no control or bidi-override
 * characters, identifiers and numbers within their lengths, names cut to theirs, counts
 * -1 or more); a ticket only holds URL-safe characters; a normalized number only what a
 * dial plan takes.
 *
 * Input: byte 0 picks the reader, the rest is its input. For SSE, the first line is the
 * event name and the rest the data. Byte 0 0xFF is the queue status reader (added later,
 * so that the older corpus keeps its meaning). */

#define G_LOG_DOMAIN "fuzz-pbxis"

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "fuzz-common.h"
#include "sp-pbxis.h"
#include "sp-pbxis-queue-status.h"

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
check_text (const char *value,
            guint       max_chars,
            gboolean    may_be_empty)
{
  guint n_chars = 0;

  if (value == NULL)
    return;

  g_assert (g_utf8_validate (value, -1, NULL));
  g_assert (may_be_empty || *value != '\0');

  for (const char *p = value; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeType type = g_unichar_type (c);

      g_assert (type != G_UNICODE_CONTROL);
      g_assert (type != G_UNICODE_LINE_SEPARATOR);
      g_assert (type != G_UNICODE_PARAGRAPH_SEPARATOR);
      g_assert (type != G_UNICODE_SURROGATE);
      g_assert (!(c >= 0x202A && c <= 0x202E) && !(c >= 0x2066 && c <= 0x2069));
      n_chars++;
    }

  g_assert (n_chars <= max_chars);
}

static void
check_error (const GError *error)
{
  g_assert (error != NULL);
  g_assert (error->domain == SP_PBXIS_ERROR);
  g_assert (error->code == SP_PBXIS_ERROR_MALFORMED || error->code == SP_PBXIS_ERROR_TOO_LARGE ||
            error->code == SP_PBXIS_ERROR_ACTION);
  g_assert (error->message != NULL && g_utf8_validate (error->message, -1, NULL));
}

static void
check_event (const SpPbxisEvent *event)
{
  g_assert (event->type >= SP_PBXIS_EVENT_UNKNOWN && event->type <= SP_PBXIS_EVENT_CLOSED);
  g_assert (event->type_name != NULL && g_utf8_validate (event->type_name, -1, NULL));

  check_text (event->agent, SP_PBXIS_MAX_ID, FALSE);
  check_text (event->queue, SP_PBXIS_MAX_ID, FALSE);
  /* A name is cut with "…" after the limit. */
  check_text (event->name, SP_PBXIS_MAX_NAME + 1, TRUE);
  check_text (event->system_name, SP_PBXIS_MAX_NAME + 1, TRUE);
  check_text (event->caller_id, SP_PBXIS_MAX_NAME + 1, TRUE);
  check_text (event->status, SP_PBXIS_MAX_ID, FALSE);
  check_text (event->unique_id, SP_PBXIS_MAX_ID, FALSE);
  check_text (event->number, SP_PBXIS_MAX_NUMBER, TRUE);
  check_text (event->unique_id1, SP_PBXIS_MAX_ID, FALSE);
  check_text (event->unique_id2, SP_PBXIS_MAX_ID, FALSE);
  check_text (event->recording, SP_PBXIS_MAX_ID, FALSE);
  check_text (event->action_id, SP_PBXIS_MAX_ID, FALSE);
  check_text (event->channel, SP_PBXIS_MAX_ID, FALSE);
  check_text (event->parked_ext, SP_PBXIS_MAX_ID, FALSE);

  g_assert (event->count >= -1 && event->talk_time >= -1 && event->hold_time >= -1);

  /* What the mapper relies on: the scope keys are there when the type needs them. */
  switch (event->type)
    {
    case SP_PBXIS_EVENT_AGENT_NAME:
    case SP_PBXIS_EVENT_EXTENSION_STATUS:
    case SP_PBXIS_EVENT_PHONE_NUMBER:
    case SP_PBXIS_EVENT_AGENT_COMPLETE:
      g_assert (event->agent != NULL);
      break;
    case SP_PBXIS_EVENT_QUEUE_MEMBER_STATUS:
      g_assert (event->agent != NULL && event->queue != NULL);
      break;
    case SP_PBXIS_EVENT_QUEUE_COUNT:
    case SP_PBXIS_EVENT_QUEUE_SUMMARY:
    case SP_PBXIS_EVENT_MEMBER_SUMMARY:
      g_assert (event->queue != NULL);
      g_assert ((event->raw != NULL) == (event->type != SP_PBXIS_EVENT_QUEUE_COUNT));
      break;
    case SP_PBXIS_EVENT_UNKNOWN:
    case SP_PBXIS_EVENT_ORIGINATE_FAILED:
    case SP_PBXIS_EVENT_PARKING:
    case SP_PBXIS_EVENT_CLOSED:
    default:
      break;
    }
}

static void
fuzz_event (const char *data,
            gsize       size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpPbxisEvent) event = sp_pbxis_event_parse (data, size, &error);

  if (event != NULL)
    {
      g_assert (error == NULL);
      check_event (event);
    }
  else
    {
      check_error (error);
    }
}

static void
fuzz_long_poll (const char *data,
                gsize       size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) nodes = sp_pbxis_split_long_poll (data, size, &error);

  if (nodes == NULL)
    {
      check_error (error);
      return;
    }

  for (guint i = 0; i < nodes->len; i++)
    {
      g_autoptr(GError) event_error = NULL;
      g_autoptr(SpPbxisEvent) event = sp_pbxis_event_from_node (g_ptr_array_index (nodes, i),
                                                                NULL, &event_error);

      if (event != NULL)
        check_event (event);
      else
        check_error (event_error);
    }
}

static void
fuzz_sse (const char *data,
          gsize       size)
{
  const char *newline = memchr (data, '\n', size);
  g_autofree char *type = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpPbxisEvent) event = NULL;
  gsize type_len;

  if (newline == NULL)
    return;

  /* The SSE parser hands over valid UTF-8 without NULs. */
  type_len = newline - data;
  type = g_utf8_make_valid (data, type_len);

  event = sp_pbxis_event_parse_sse (type, newline + 1, size - type_len - 1, &error);
  if (event != NULL)
    check_event (event);
  else
    check_error (error);
}

static void
fuzz_ticket (const char *data,
             gsize       size)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ticket = sp_pbxis_parse_ticket (data, size, &error);

  if (ticket == NULL)
    {
      check_error (error);
      return;
    }

  g_assert (*ticket != '\0' && strlen (ticket) <= SP_PBXIS_MAX_ID);
  for (const char *p = ticket; *p != '\0'; p++)
    g_assert (g_ascii_isalnum (*p) || strchr ("-_.~", *p) != NULL);
}

static void
fuzz_action (const char *data,
             gsize       size)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *result = NULL;

  if (sp_pbxis_check_action_response (200, data, size, &result, &error))
    {
      g_assert (error == NULL);
      g_assert (result == NULL || g_utf8_validate (result, -1, NULL));
    }
  else
    {
      check_error (error);
      g_assert (error->code == SP_PBXIS_ERROR_ACTION);
      g_assert (result == NULL);
    }
}

static void
fuzz_number (const char *data,
             gsize       size)
{
  g_autofree char *text = g_strndup (data, size);
  g_autofree char *number = sp_pbxis_normalize_number (text);
  g_autofree char *again = NULL;

  if (number == NULL)
    return;

  g_assert (*number != '\0' && strlen (number) <= SP_PBXIS_MAX_NUMBER);
  for (const char *p = number; *p != '\0'; p++)
    g_assert (g_ascii_isdigit (*p) || *p == '*' || *p == '#' || (*p == '+' && p == number));

  /* Normalizing is idempotent. */
  again = sp_pbxis_normalize_number (number);
  g_assert (again != NULL && strcmp (again, number) == 0);
}

static void
check_member (const SpPbxisQueueMember *member)
{
  check_text (member->agent, SP_PBXIS_MAX_ID, FALSE);
  check_text (member->location, SP_PBXIS_MAX_ID, FALSE);
  check_text (member->member_name, SP_PBXIS_MAX_NAME + 1, TRUE);
  g_assert (member->status >= SP_PBXIS_MEMBER_UNKNOWN && member->status <= SP_PBXIS_MEMBER_LOGGEDON);
  g_assert (member->calls_taken >= -1);
}

static void
fuzz_queue_status (const char *data,
                   gsize       size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) queues = sp_pbxis_parse_queue_status (data, size, &error);

  if (queues == NULL)
    {
      check_error (error);
      return;
    }

  for (guint i = 0; i < queues->len; i++)
    {
      SpPbxisQueueInfo *info = g_ptr_array_index (queues, i);

      check_text (info->queue, SP_PBXIS_MAX_ID, FALSE);
      g_assert (info->queue != NULL && info->members != NULL);
      g_assert (info->calls >= -1 && info->completed >= -1 && info->abandoned >= -1 &&
                info->hold_time >= -1 && info->talk_time >= -1);
      g_assert (info->service_level_perf == -1 ||
                (info->service_level_perf >= 0 && info->service_level_perf <= 100));
      for (guint j = 0; j < info->members->len; j++)
        check_member (g_ptr_array_index (info->members, j));
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *input = (const char *) data + 1;
  gsize length = size - 1;

  if (size < 1)
    return 0;

  if (data[0] == 0xFF)
    {
      fuzz_queue_status (input, length);
      return 0;
    }

  switch (data[0] % 6)
    {
    case 0:
      fuzz_event (input, length);
      break;
    case 1:
      fuzz_long_poll (input, length);
      break;
    case 2:
      fuzz_sse (input, length);
      break;
    case 3:
      fuzz_ticket (input, length);
      break;
    case 4:
      fuzz_action (input, length);
      break;
    case 5:
    default:
      fuzz_number (input, length);
      break;
    }

  return 0;
}
