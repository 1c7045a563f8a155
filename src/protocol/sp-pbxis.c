/* sp-pbxis.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-pbxis"

#include "config.h"

#include <string.h>

#include "sp-json.h"
#include "sp-pbxis.h"

/*
 * pbxis-ws events (see protocols/pbxis_ws.md §2): JSON objects written by Clojure's
 * cheshire, so keys are the bare names of Clojure keywords (hyphens included: "unique-id"),
 * and nil is null: `number: null` is the "no call" signal, and any number may be null.
 * Everything in an event is untrusted: the caller-id name and number are whatever the
 * calling party's network put there.
 */

/* Events are two levels deep, summaries three. The limit only keeps hostile input from
 * driving json-glib's recursive descent parser deep into the stack. */
#define MAX_DEPTH 32

/* How much of an unknown "type", and of a message pbxis-ws sends back, goes into ours. */
#define MAX_TYPE_NAME 64
#define MAX_QUOTED 200

G_DEFINE_QUARK (sp-pbxis-error-quark, sp_pbxis_error)

typedef enum
{
  TEXT_ID,      /* an identifier: refused if empty, too long or with forbidden characters */
  TEXT_NUMBER,  /* a phone number: surrounding space stripped, then as TEXT_ID (may be empty) */
  TEXT_NAME,    /* display text: forbidden characters become spaces, cut to length */
  TEXT_STATUS,  /* a state's name: as TEXT_ID, but may be empty */
} TextKind;

static char *
strip_copy (const char *value)
{
  const char *start = value;
  const char *end;

  while (*start != '\0' && g_unichar_isspace (g_utf8_get_char (start)))
    start = g_utf8_next_char (start);

  end = start + strlen (start);
  while (end > start)
    {
      const char *prev = g_utf8_prev_char (end);

      if (!g_unichar_isspace (g_utf8_get_char (prev)))
        break;
      end = prev;
    }

  return g_strndup (start, end - start);
}

/* Returns a checked copy of @value, or %NULL with @error naming @key. */
static char *
check_text (const char  *key,
            const char  *value,
            TextKind     kind,
            GError     **error)
{
  g_autofree char *text = NULL;
  guint max_chars;
  guint n_chars = 0;

  /* json-glib turns a lone surrogate escape such as \ud800 into bytes that are not UTF-8. */
  if (!g_utf8_validate (value, -1, NULL))
    {
      if (kind != TEXT_NAME)
        {
          g_set_error (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_MALFORMED,
                       "“%s” is not valid UTF-8", key);
          return NULL;
        }
      text = g_utf8_make_valid (value, -1);
    }
  else
    {
      text = g_strdup (value);
    }

  switch (kind)
    {
    case TEXT_STATUS:
      max_chars = SP_PBXIS_MAX_ID;
      break;

    case TEXT_ID:
      max_chars = SP_PBXIS_MAX_ID;
      if (*text == '\0')
        {
          g_set_error (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_MALFORMED, "“%s” is empty", key);
          return NULL;
        }
      break;

    case TEXT_NUMBER:
      max_chars = SP_PBXIS_MAX_NUMBER;
      {
        char *stripped = strip_copy (text);

        g_free (text);
        text = stripped;
      }
      break;

    case TEXT_NAME:
    default:
      {
        GString *out = g_string_new (NULL);
        char *stripped;

        for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
          {
            gunichar c = g_utf8_get_char (p);

            if (n_chars == SP_PBXIS_MAX_NAME)
              {
                g_string_append (out, "…");
                break;
              }
            g_string_append_unichar (out, sp_json_is_unsafe_char (c) ? ' ' : c);
            n_chars++;
          }

        stripped = strip_copy (out->str);
        g_string_free (out, TRUE);

        return stripped;
      }
    }

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (sp_json_is_unsafe_char (c))
        {
          g_set_error (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_MALFORMED,
                       "“%s” contains the control character U+%04X", key, c);
          return NULL;
        }

      if (++n_chars > max_chars)
        {
          g_set_error (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_MALFORMED,
                       "“%s” is longer than %u characters", key, max_chars);
          return NULL;
        }
    }

  return g_steal_pointer (&text);
}

/* Reads the optional string member @key into @out: absent or null leaves %NULL there. */
static gboolean
get_string (JsonObject  *object,
            const char  *key,
            TextKind     kind,
            gboolean     required,
            char       **out,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, key);

  *out = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (!required)
        return TRUE;

      g_set_error (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_MALFORMED,
                   node == NULL ? "“%s” is missing" : "“%s” is null", key);
      return FALSE;
    }

  if (!sp_json_node_is_string (node))
    {
      g_set_error (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_MALFORMED, "“%s” is not a string", key);
      return FALSE;
    }

  *out = check_text (key, json_node_get_string (node), kind, error);

  return *out != NULL;
}

/* Reads the optional count or duration @key: absent or null gives -1, and so does a
 * negative value, which pbxis-ws never means. Fractions and other types are refused. */
static gboolean
get_count (JsonObject  *object,
           const char  *key,
           gint64      *out,
           GError     **error)
{
  JsonNode *node = json_object_get_member (object, key);
  GType type;

  *out = -1;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;

  if (type == G_TYPE_INT64)
    {
      gint64 value = json_node_get_int (node);

      *out = value >= 0 ? value : -1;
      return TRUE;
    }

  if (type == G_TYPE_DOUBLE)
    {
      double value = json_node_get_double (node);

      /* 3.0 is a count; 2.5 and 1e300 are not. */
      if (value >= 0 && value <= (double) G_MAXINT32 && value == (double) (gint64) value)
        {
          *out = (gint64) value;
          return TRUE;
        }
      if (value < 0 && value >= (double) G_MININT32 && value == (double) (gint64) value)
        return TRUE;
    }

  g_set_error (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_MALFORMED,
               "“%s” is not a whole number", key);
  return FALSE;
}

static const struct
{
  const char             *name;
  SpPbxisExtensionStatus  status;
} extension_statuses[] = {
  { "not_inuse", SP_PBXIS_EXTENSION_NOT_INUSE },
  { "inuse", SP_PBXIS_EXTENSION_INUSE },
  { "busy", SP_PBXIS_EXTENSION_BUSY },
  { "unavailable", SP_PBXIS_EXTENSION_UNAVAILABLE },
  { "ringing", SP_PBXIS_EXTENSION_RINGING },
  { "ringinuse", SP_PBXIS_EXTENSION_RINGINUSE },
  { "onhold", SP_PBXIS_EXTENSION_ONHOLD },
};

/* Asterisk's device state is a bit mask: INUSE 1, BUSY 2, UNAVAILABLE 4, RINGING 8,
 * ONHOLD 16. pbxis-ws names the plain values and sends the others as decimal strings. */
static SpPbxisExtensionStatus
decode_extension_status (const char *status)
{
  guint64 bits;
  char *end;

  if (status == NULL)
    return SP_PBXIS_EXTENSION_UNKNOWN;

  for (guint i = 0; i < G_N_ELEMENTS (extension_statuses); i++)
    {
      if (strcmp (status, extension_statuses[i].name) == 0)
        return extension_statuses[i].status;
    }

  if (strcmp (status, "-1") == 0)
    return SP_PBXIS_EXTENSION_NO_HINT;

  if (!g_ascii_isdigit (status[0]))
    return SP_PBXIS_EXTENSION_UNKNOWN;

  bits = g_ascii_strtoull (status, &end, 10);
  if (*end != '\0' || bits > 0xff)
    return SP_PBXIS_EXTENSION_UNKNOWN;

  if (bits == 0)
    return SP_PBXIS_EXTENSION_NOT_INUSE;
  if ((bits & 8) && (bits & (1 | 2 | 16)))
    return SP_PBXIS_EXTENSION_RINGINUSE;
  if (bits & 8)
    return SP_PBXIS_EXTENSION_RINGING;
  if (bits & 16)
    return SP_PBXIS_EXTENSION_ONHOLD;
  if (bits & 1)
    return SP_PBXIS_EXTENSION_INUSE;
  if (bits & 2)
    return SP_PBXIS_EXTENSION_BUSY;
  if (bits & 4)
    return SP_PBXIS_EXTENSION_UNAVAILABLE;

  return SP_PBXIS_EXTENSION_UNKNOWN;
}

static SpPbxisMemberStatus
decode_member_status (const char *status)
{
  static const struct
  {
    const char          *name;
    SpPbxisMemberStatus  status;
  } statuses[] = {
    { "loggedoff", SP_PBXIS_MEMBER_LOGGEDOFF },
    { "active", SP_PBXIS_MEMBER_ACTIVE },
    { "paused", SP_PBXIS_MEMBER_PAUSED },
    { "invalid", SP_PBXIS_MEMBER_INVALID },
    { "loggedon", SP_PBXIS_MEMBER_LOGGEDON },
  };

  for (guint i = 0; status != NULL && i < G_N_ELEMENTS (statuses); i++)
    {
      if (strcmp (status, statuses[i].name) == 0)
        return statuses[i].status;
    }

  return SP_PBXIS_MEMBER_UNKNOWN;
}

static const struct
{
  const char       *name;
  SpPbxisEventType  type;
} event_types[] = {
  { "agentName", SP_PBXIS_EVENT_AGENT_NAME },
  { "extensionStatus", SP_PBXIS_EVENT_EXTENSION_STATUS },
  { "queueMemberStatus", SP_PBXIS_EVENT_QUEUE_MEMBER_STATUS },
  { "phoneNumber", SP_PBXIS_EVENT_PHONE_NUMBER },
  { "queueCount", SP_PBXIS_EVENT_QUEUE_COUNT },
  { "agentComplete", SP_PBXIS_EVENT_AGENT_COMPLETE },
  { "originateFailed", SP_PBXIS_EVENT_ORIGINATE_FAILED },
  { "parkedCall", SP_PBXIS_EVENT_PARKING },
  { "parkedCallGiveUp", SP_PBXIS_EVENT_PARKING },
  { "unParkedCall", SP_PBXIS_EVENT_PARKING },
  { "parkedCallTimeOut", SP_PBXIS_EVENT_PARKING },
  { "QueueSummary", SP_PBXIS_EVENT_QUEUE_SUMMARY },
  { "MemberSummary", SP_PBXIS_EVENT_MEMBER_SUMMARY },
  { "closed", SP_PBXIS_EVENT_CLOSED },
};

const char *
sp_pbxis_event_type_to_string (SpPbxisEventType type)
{
  switch (type)
    {
    case SP_PBXIS_EVENT_UNKNOWN: return "unknown";
    case SP_PBXIS_EVENT_AGENT_NAME: return "agentName";
    case SP_PBXIS_EVENT_EXTENSION_STATUS: return "extensionStatus";
    case SP_PBXIS_EVENT_QUEUE_MEMBER_STATUS: return "queueMemberStatus";
    case SP_PBXIS_EVENT_PHONE_NUMBER: return "phoneNumber";
    case SP_PBXIS_EVENT_QUEUE_COUNT: return "queueCount";
    case SP_PBXIS_EVENT_AGENT_COMPLETE: return "agentComplete";
    case SP_PBXIS_EVENT_ORIGINATE_FAILED: return "originateFailed";
    case SP_PBXIS_EVENT_PARKING: return "parking";
    case SP_PBXIS_EVENT_QUEUE_SUMMARY: return "QueueSummary";
    case SP_PBXIS_EVENT_MEMBER_SUMMARY: return "MemberSummary";
    case SP_PBXIS_EVENT_CLOSED: return "closed";
    default: return "invalid";
    }
}

const char *
sp_pbxis_extension_status_to_string (SpPbxisExtensionStatus status)
{
  switch (status)
    {
    case SP_PBXIS_EXTENSION_UNKNOWN: return "unknown";
    case SP_PBXIS_EXTENSION_NO_HINT: return "no-hint";
    case SP_PBXIS_EXTENSION_NOT_INUSE: return "not_inuse";
    case SP_PBXIS_EXTENSION_INUSE: return "inuse";
    case SP_PBXIS_EXTENSION_BUSY: return "busy";
    case SP_PBXIS_EXTENSION_UNAVAILABLE: return "unavailable";
    case SP_PBXIS_EXTENSION_RINGING: return "ringing";
    case SP_PBXIS_EXTENSION_RINGINUSE: return "ringinuse";
    case SP_PBXIS_EXTENSION_ONHOLD: return "onhold";
    default: return "invalid";
    }
}

const char *
sp_pbxis_member_status_to_string (SpPbxisMemberStatus status)
{
  switch (status)
    {
    case SP_PBXIS_MEMBER_UNKNOWN: return "unknown";
    case SP_PBXIS_MEMBER_LOGGEDOFF: return "loggedoff";
    case SP_PBXIS_MEMBER_ACTIVE: return "active";
    case SP_PBXIS_MEMBER_PAUSED: return "paused";
    case SP_PBXIS_MEMBER_INVALID: return "invalid";
    case SP_PBXIS_MEMBER_LOGGEDON: return "loggedon";
    default: return "invalid";
    }
}

/**
 * sp_pbxis_event_free:
 * @event: (nullable): an event
 */
void
sp_pbxis_event_free (SpPbxisEvent *event)
{
  if (event == NULL)
    return;

  g_free (event->type_name);
  g_free (event->agent);
  g_free (event->queue);
  g_free (event->name);
  g_free (event->status);
  g_free (event->unique_id);
  g_free (event->number);
  g_free (event->unique_id1);
  g_free (event->unique_id2);
  g_free (event->system_name);
  g_free (event->recording);
  g_free (event->action_id);
  g_free (event->caller_id);
  g_free (event->channel);
  g_free (event->parked_ext);
  g_clear_pointer (&event->raw, json_node_unref);
  g_free (event);
}

static gboolean
read_fields (SpPbxisEvent  *event,
             JsonObject    *object,
             GError       **error)
{
  /* The scope keys: required where the event makes no sense without them. */
  gboolean need_agent = FALSE;
  gboolean need_queue = FALSE;

  switch (event->type)
    {
    case SP_PBXIS_EVENT_AGENT_NAME:
    case SP_PBXIS_EVENT_EXTENSION_STATUS:
    case SP_PBXIS_EVENT_PHONE_NUMBER:
    case SP_PBXIS_EVENT_AGENT_COMPLETE:
      need_agent = TRUE;
      break;
    case SP_PBXIS_EVENT_QUEUE_MEMBER_STATUS:
      need_agent = need_queue = TRUE;
      break;
    case SP_PBXIS_EVENT_QUEUE_COUNT:
    case SP_PBXIS_EVENT_QUEUE_SUMMARY:
    case SP_PBXIS_EVENT_MEMBER_SUMMARY:
      need_queue = TRUE;
      break;
    case SP_PBXIS_EVENT_UNKNOWN:
    case SP_PBXIS_EVENT_CLOSED:
      /* Nothing of them is used, so nothing of them can be wrong. */
      return TRUE;
    case SP_PBXIS_EVENT_ORIGINATE_FAILED:
    case SP_PBXIS_EVENT_PARKING:
    default:
      break;
    }

  if (!get_string (object, "agent", TEXT_ID, need_agent, &event->agent, error) ||
      !get_string (object, "queue", TEXT_ID, need_queue, &event->queue, error))
    return FALSE;

  switch (event->type)
    {
    case SP_PBXIS_EVENT_AGENT_NAME:
      return get_string (object, "name", TEXT_NAME, FALSE, &event->name, error);

    case SP_PBXIS_EVENT_EXTENSION_STATUS:
      /* pbxis writes the state of an ExtensionStatus as (str (m % %)) (util.clj lines
       * 92-96): an event without a Status is "", which is as unknown as null. */
      if (!get_string (object, "status", TEXT_STATUS, FALSE, &event->status, error))
        return FALSE;
      event->extension_status = decode_extension_status (event->status);
      return TRUE;

    case SP_PBXIS_EVENT_QUEUE_MEMBER_STATUS:
      if (!get_string (object, "status", TEXT_ID, FALSE, &event->status, error))
        return FALSE;
      event->member_status = decode_member_status (event->status);
      return TRUE;

    case SP_PBXIS_EVENT_PHONE_NUMBER:
      return get_string (object, "unique-id", TEXT_ID, FALSE, &event->unique_id, error) &&
             get_string (object, "number", TEXT_NUMBER, FALSE, &event->number, error) &&
             get_string (object, "name", TEXT_NAME, FALSE, &event->name, error) &&
             get_string (object, "unique-id1", TEXT_ID, FALSE, &event->unique_id1, error) &&
             get_string (object, "unique-id2", TEXT_ID, FALSE, &event->unique_id2, error) &&
             get_string (object, "systemName", TEXT_NAME, FALSE, &event->system_name, error);

    case SP_PBXIS_EVENT_QUEUE_COUNT:
      return get_count (object, "count", &event->count, error);

    case SP_PBXIS_EVENT_AGENT_COMPLETE:
      return get_string (object, "uniqueId", TEXT_ID, FALSE, &event->unique_id, error) &&
             get_count (object, "talkTime", &event->talk_time, error) &&
             get_count (object, "holdTime", &event->hold_time, error) &&
             get_string (object, "recording", TEXT_ID, FALSE, &event->recording, error);

    case SP_PBXIS_EVENT_ORIGINATE_FAILED:
      return get_string (object, "actionId", TEXT_ID, FALSE, &event->action_id, error);

    case SP_PBXIS_EVENT_PARKING:
      return get_string (object, "caller-id", TEXT_NAME, FALSE, &event->caller_id, error) &&
             get_string (object, "channel", TEXT_ID, FALSE, &event->channel, error) &&
             get_string (object, "parked-ext", TEXT_ID, FALSE, &event->parked_ext, error);

    case SP_PBXIS_EVENT_QUEUE_SUMMARY:
      return get_count (object, "calls", &event->count, error);

    case SP_PBXIS_EVENT_MEMBER_SUMMARY:
    case SP_PBXIS_EVENT_UNKNOWN:
    case SP_PBXIS_EVENT_CLOSED:
    default:
      return TRUE;
    }
}

/**
 * sp_pbxis_event_from_node:
 * @node: one event, as a JSON object
 * @type: (nullable): the event type when it is not in the object (SSE sends it as the
 *   event name and leaves it out of the data); %NULL to read `type` from @node
 * @error: return location for an error in the %SP_PBXIS_ERROR domain
 *
 * Returns: (transfer full) (nullable): the event, %SP_PBXIS_EVENT_UNKNOWN for a type we do
 *   not use, or %NULL with @error set if it is malformed
 */
SpPbxisEvent *
sp_pbxis_event_from_node (JsonNode    *node,
                          const char  *type,
                          GError     **error)
{
  g_autoptr(SpPbxisEvent) event = NULL;
  g_autofree char *type_copy = NULL;
  JsonObject *object;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_MALFORMED,
                           "The event is not a JSON object");
      return NULL;
    }
  object = json_node_get_object (node);

  if (type == NULL)
    {
      if (!get_string (object, "type", TEXT_NAME, TRUE, &type_copy, error))
        return NULL;
      type = type_copy;
    }

  event = g_new0 (SpPbxisEvent, 1);
  event->type = SP_PBXIS_EVENT_UNKNOWN;
  event->count = event->talk_time = event->hold_time = -1;

  for (guint i = 0; i < G_N_ELEMENTS (event_types); i++)
    {
      if (strcmp (type, event_types[i].name) == 0)
        {
          event->type = event_types[i].type;
          break;
        }
    }

  event->type_name = sp_json_quote_for_message (type, -1, MAX_TYPE_NAME);

  if (!read_fields (event, object, error))
    {
      g_prefix_error (error, "Malformed “%s” event: ", event->type_name);
      return NULL;
    }

  if (event->type == SP_PBXIS_EVENT_QUEUE_SUMMARY || event->type == SP_PBXIS_EVENT_MEMBER_SUMMARY)
    event->raw = json_node_copy (node);

  return g_steal_pointer (&event);
}

/* Reads @data, whose root must be of kind @root, with the shared reader: structure checked,
 * tokens left to json-glib (a lone surrogate escape in a caller's name is replaced later,
 * not a reason to drop the call). @what names the text in error messages ("event"). */
static JsonNode *
load (const char  *data,
      gsize        length,
      SpJsonRoot   root,
      const char  *what,
      GError     **error)
{
  SpJsonRules rules = {
    .what = what,
    .root = root,
    .max_length = SP_PBXIS_MAX_INPUT,
    .max_depth = MAX_DEPTH,
    .strict_tokens = FALSE,
  };
  g_autoptr(GError) local_error = NULL;
  JsonNode *node;

  node = sp_json_parse (data, length, &rules, &local_error);
  if (node == NULL)
    g_set_error_literal (error, SP_PBXIS_ERROR,
                         g_error_matches (local_error, SP_JSON_ERROR, SP_JSON_ERROR_TOO_LARGE) ?
                         SP_PBXIS_ERROR_TOO_LARGE : SP_PBXIS_ERROR_MALFORMED,
                         local_error->message);

  return node;
}

/**
 * sp_pbxis_event_parse:
 * @data: (array length=length): one event as JSON, e.g. a WebSocket text frame
 * @length: its length in bytes
 * @error: return location for an error in the %SP_PBXIS_ERROR domain
 *
 * Returns: (transfer full) (nullable): the event (see sp_pbxis_event_from_node())
 */
SpPbxisEvent *
sp_pbxis_event_parse (const char  *data,
                      gsize        length,
                      GError     **error)
{
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  root = load (data, length, SP_JSON_ROOT_OBJECT, "event", error);
  if (root == NULL)
    return NULL;

  return sp_pbxis_event_from_node (root, NULL, error);
}

/**
 * sp_pbxis_event_parse_sse:
 * @event_type: the SSE event name, which is the pbxis event type
 * @data: (array length=length): the SSE data: the event without its `type`
 * @length: its length in bytes
 * @error: return location for an error in the %SP_PBXIS_ERROR domain
 *
 * Returns: (transfer full) (nullable): the event (see sp_pbxis_event_from_node())
 */
SpPbxisEvent *
sp_pbxis_event_parse_sse (const char  *event_type,
                          const char  *data,
                          gsize        length,
                          GError     **error)
{
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (event_type != NULL, NULL);
  g_return_val_if_fail (data != NULL || length == 0, NULL);

  root = load (data, length, SP_JSON_ROOT_OBJECT, "event", error);
  if (root == NULL)
    return NULL;

  return sp_pbxis_event_from_node (root, event_type, error);
}

/**
 * sp_pbxis_split_long_poll:
 * @data: (array length=length): the body of a long-poll answer
 * @length: its length in bytes
 * @error: return location for an error in the %SP_PBXIS_ERROR domain
 *
 * Splits a long-poll answer, a JSON array of events (`[]` when the poll timed out), into
 * its events, each to be read with sp_pbxis_event_from_node() so that one bad event does
 * not cost the others.
 *
 * Returns: (transfer full) (element-type JsonNode) (nullable): the events, or %NULL with
 *   @error set if the body is not a JSON array
 */
GPtrArray *
sp_pbxis_split_long_poll (const char  *data,
                          gsize        length,
                          GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  GPtrArray *events;
  JsonArray *array;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  root = load (data, length, SP_JSON_ROOT_ARRAY, "long-poll answer", error);
  if (root == NULL)
    return NULL;

  array = json_node_get_array (root);
  events = g_ptr_array_new_full (json_array_get_length (array), (GDestroyNotify) json_node_unref);

  for (guint i = 0; i < json_array_get_length (array); i++)
    g_ptr_array_add (events, json_node_copy (json_array_get_element (array, i)));

  return events;
}

static void
add_string_array (JsonBuilder        *builder,
                  const char         *name,
                  const char * const *values)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    json_builder_add_string_value (builder, values[i]);
  json_builder_end_array (builder);
}

/**
 * sp_pbxis_build_ticket_request:
 * @agents: (nullable) (array zero-terminated=1): the agents' extensions
 * @queues: (nullable) (array zero-terminated=1): the queue names
 * @summary_events: whether to receive `QueueSummary` and `MemberSummary`
 *
 * Builds the JSON body of `POST /ticket`. The agents go as JSON strings, always: the
 * server compares them as strings with the digits of the channel name, so `[147]` would
 * match nothing.
 *
 * Returns: (transfer full): the body
 */
char *
sp_pbxis_build_ticket_request (const char * const *agents,
                               const char * const *queues,
                               gboolean            summary_events)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  add_string_array (builder, "agents", agents);
  add_string_array (builder, "queues", queues);
  json_builder_set_member_name (builder, "summaryEvents");
  json_builder_add_boolean_value (builder, summary_events);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  return json_to_string (root, FALSE);
}

static gboolean
is_ticket_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_' || c == '.' || c == '~';
}

/**
 * sp_pbxis_parse_ticket:
 * @data: (array length=length): the body of the `POST /ticket` answer, a JSON string
 * @length: its length in bytes
 * @error: return location for an error in the %SP_PBXIS_ERROR domain
 *
 * The ticket goes into the path of the stream's URL, so only the characters of a URL path
 * segment that need no escaping are accepted (a UUID uses far fewer).
 *
 * Returns: (transfer full) (nullable): the ticket
 */
char *
sp_pbxis_parse_ticket (const char  *data,
                       gsize        length,
                       GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  const char *ticket;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  root = load (data, length, SP_JSON_ROOT_ANY, "ticket", error);
  if (root == NULL)
    return NULL;

  if (!sp_json_node_is_string (root))
    {
      g_set_error_literal (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_MALFORMED,
                           "The ticket is not a JSON string");
      return NULL;
    }

  ticket = json_node_get_string (root);
  if (*ticket == '\0' || strlen (ticket) > SP_PBXIS_MAX_ID)
    {
      g_set_error (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_MALFORMED,
                   "The ticket is empty or longer than %u characters", SP_PBXIS_MAX_ID);
      return NULL;
    }

  for (const char *p = ticket; *p != '\0'; p++)
    {
      if (!is_ticket_char (*p))
        {
          g_set_error_literal (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_MALFORMED,
                               "The ticket contains characters a ticket cannot have");
          return NULL;
        }
    }

  return g_strdup (ticket);
}

/**
 * sp_pbxis_build_queue_action:
 * @queue: (nullable): the queue; %NULL (pause only) for all the agent's queues
 * @agent: the agent's extension
 * @paused: 1 or 0 to send `paused`, -1 to leave it out
 *
 * Returns: (transfer full): the JSON body of a `/queue/…` action
 */
char *
sp_pbxis_build_queue_action (const char *queue,
                             const char *agent,
                             int         paused)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (agent != NULL, NULL);

  json_builder_begin_object (builder);
  /* Without a queue, AMI's QueuePause acts on every queue the agent is a member of. */
  if (queue != NULL)
    {
      json_builder_set_member_name (builder, "queue");
      json_builder_add_string_value (builder, queue);
    }
  json_builder_set_member_name (builder, "agent");
  json_builder_add_string_value (builder, agent);
  if (paused >= 0)
    {
      json_builder_set_member_name (builder, "paused");
      json_builder_add_boolean_value (builder, paused != 0);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  return json_to_string (root, FALSE);
}

/**
 * sp_pbxis_check_action_response:
 * @status: the HTTP status of the answer
 * @data: (array length=length) (nullable): its body
 * @length: the length of @data
 * @result: (out) (optional) (nullable): the useful part of a success: the action id of an
 *   originate, or the server's message
 * @error: return location for an error in the %SP_PBXIS_ERROR domain
 *
 * Decides whether an action worked. pbxis-ws answers HTTP 200 even when Asterisk refused:
 * the body's `response` then says "Error" and `message` why, and that message becomes
 * the error's (made safe to show).
 *
 * Returns: %TRUE if the action was done
 */
gboolean
sp_pbxis_check_action_response (guint        status,
                                const char  *data,
                                gsize        length,
                                char       **result,
                                GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *object;
  JsonNode *response;
  JsonNode *message;
  g_autofree char *shown_message = NULL;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  if (result != NULL)
    *result = NULL;

  switch (status)
    {
    case 200:
      break;
    case 404:
      g_set_error_literal (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_ACTION,
                           "pbxis-ws found nothing to act on (HTTP 404)");
      return FALSE;
    case 405:
      g_set_error_literal (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_ACTION,
                           "pbxis-ws does not take this request (HTTP 405); is the address that of pbxis-ws?");
      return FALSE;
    case 500:
      g_set_error_literal (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_ACTION,
                           "pbxis-ws failed (HTTP 500); it may have lost its connection to Asterisk");
      return FALSE;
    default:
      g_set_error (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_ACTION,
                   "pbxis-ws answered HTTP %u", status);
      return FALSE;
    }

  /* The body is JSON: a string (the action id of an originate), an object (the AMI
   * response of a queue action) or an array (a status). Anything else is not ours to
   * judge: HTTP 200 is a success. */
  root = load (data, length, SP_JSON_ROOT_ANY, "answer", &local_error);
  if (root == NULL)
    {
      g_debug ("Taking HTTP 200 with an unreadable body as success: %s", local_error->message);
      return TRUE;
    }

  if (sp_json_node_is_string (root))
    {
      if (result != NULL)
        *result = sp_json_quote_for_message (json_node_get_string (root), -1, SP_PBXIS_MAX_ID);
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_OBJECT (root))
    return TRUE;

  object = json_node_get_object (root);
  response = json_object_get_member (object, "response");
  message = json_object_get_member (object, "message");
  if (message != NULL && sp_json_node_is_string (message))
    shown_message = sp_json_quote_for_message (json_node_get_string (message), -1, MAX_QUOTED);

  if (response == NULL || !sp_json_node_is_string (response) ||
      g_ascii_strcasecmp (json_node_get_string (response), "Success") == 0 ||
      g_ascii_strcasecmp (json_node_get_string (response), "Follows") == 0)
    {
      if (result != NULL)
        *result = g_steal_pointer (&shown_message);
      return TRUE;
    }

  if (shown_message != NULL && *shown_message != '\0')
    {
      g_set_error_literal (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_ACTION, shown_message);
    }
  else
    {
      g_autofree char *shown = sp_json_quote_for_message (json_node_get_string (response), -1,
                                                     MAX_TYPE_NAME);

      g_set_error (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_ACTION,
                   "Asterisk answered “%s” without saying why", shown);
    }

  return FALSE;
}

/**
 * sp_pbxis_normalize_number:
 * @number: a phone number as a person or a web page writes it: "+385 (91) 555-1234",
 *   "tel:+385-91-555-1234;phone-context=…", "callto:0915551234"
 *
 * Returns: (transfer full) (nullable): the number as a dial plan takes it ("+385915551234"),
 *   or %NULL if @number is not a phone number
 */
char *
sp_pbxis_normalize_number (const char *number)
{
  g_autofree char *unescaped = NULL;
  GString *out;
  const char *p;
  const char *end;

  g_return_val_if_fail (number != NULL, NULL);

  if (g_ascii_strncasecmp (number, "tel:", 4) == 0)
    number += 4;
  else if (g_ascii_strncasecmp (number, "callto:", 7) == 0)
    number += 7;

  /* Links write "callto://NUMBER" as often as "callto:NUMBER". */
  while (*number == '/')
    number++;

  /* A tel: URI may carry parameters after the number. */
  end = strchr (number, ';');
  if (end == NULL)
    end = strchr (number, '?');
  unescaped = g_uri_unescape_segment (number, end, NULL);
  if (unescaped == NULL)
    return NULL;

  out = g_string_new (NULL);
  for (p = unescaped; *p != '\0'; p++)
    {
      char c = *p;

      if (g_ascii_isdigit (c) || c == '*' || c == '#')
        g_string_append_c (out, c);
      else if (c == '+' && out->len == 0)
        g_string_append_c (out, c);
      else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '\t')
        continue;
      else
        break;
    }

  /* Anything else in it (letters, a second "+") and it is not a number we can dial. */
  if (*p != '\0' || out->len == 0 || g_str_equal (out->str, "+") ||
      out->len > SP_PBXIS_MAX_NUMBER)
    {
      g_string_free (out, TRUE);
      return NULL;
    }

  return g_string_free (out, FALSE);
}
