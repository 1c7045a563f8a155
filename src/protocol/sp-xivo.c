/* sp-xivo.c
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
 * The XiVO xuc CTI protocol (see protocols/xivo.md), as pure functions: the messages the
 * CTI WebSocket delivers, `{"msgType":…,"ctiMessage":{…}}`, classified and checked into
 * structs (the REST login's answer and the frames and URLs we send are sp-xivo-rest.c). No
 * I/O, no main loop.
 *
 * Everything here reads untrusted text. The JSON itself goes through the project's strict
 * reader (sp_actioncable_parse_object(): size, UTF-8, depth, no NUL escapes, exact numbers);
 * this file checks the shape: a field of the wrong type is an error, never a guess.
 */

/* How much of a server-chosen name goes into an error message. */
#define MAX_NAME_IN_MESSAGE 64
/* userData keys are Asterisk channel variable names. */
#define MAX_USER_DATA_KEY 256

G_DEFINE_QUARK (sp-xivo-error-quark, sp_xivo_error)

gboolean
sp_xivo_node_is_integer (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
}

/* A server-chosen string made safe to quote in an error message: one line, bounded. */
char *
sp_xivo_quote_for_message (const char *text)
{
  return sp_json_quote_for_message (text, -1, MAX_NAME_IN_MESSAGE);
}

/* Parses @data as one JSON object with the project's strict reader; @what names the text in
 * error messages ("The message", "The login answer"). */
JsonNode *
sp_xivo_parse_object (const char  *data,
              gsize        length,
              const char  *what,
              GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (length > SP_XIVO_MAX_MESSAGE)
    {
      g_set_error (error, SP_XIVO_ERROR, SP_XIVO_ERROR_TOO_LARGE,
                   "%s is %" G_GSIZE_FORMAT " bytes long, more than the %u allowed",
                   what, length, (guint) SP_XIVO_MAX_MESSAGE);
      return NULL;
    }

  root = sp_actioncable_parse_object (data, length, &local_error);
  if (root == NULL)
    {
      g_set_error (error, SP_XIVO_ERROR, SP_XIVO_ERROR_MALFORMED,
                   "%s is not a valid JSON object (%s)", what, local_error->message);
      return NULL;
    }

  return root;
}

/* Characters that must not reach a notification or a log line from a server: controls,
 * line and paragraph separators, and the bidirectional overrides and isolates that can
 * make a number read as another. */
static gboolean
is_unsafe_char (gunichar c)
{
  return g_unichar_iscntrl (c) ||
         g_unichar_type (c) == G_UNICODE_LINE_SEPARATOR ||
         g_unichar_type (c) == G_UNICODE_PARAGRAPH_SEPARATOR ||
         (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);
}

/* Checks and cleans the server's string @raw, the field @name of @what, into @out: %NULL
 * when it is empty once trimmed. An over-long value or (for ids) a control character is
 * an error. @raw is valid UTF-8: the JSON reader saw to it. */
static gboolean
clean_text (const char  *raw,
            const char  *what,
            const char  *name,
            TextKind     kind,
            gsize        max,
            char       **out,
            GError     **error)
{
  g_autofree char *text = NULL;
  char *p;

  *out = NULL;

  if (strlen (raw) > max)
    {
      g_set_error (error, SP_XIVO_ERROR, SP_XIVO_ERROR_MALFORMED,
                   "%s: “%s” is longer than %" G_GSIZE_FORMAT " bytes", what, name, max);
      return FALSE;
    }

  text = g_strdup (raw);
  p = text;
  while (*p != '\0')
    {
      char *next = g_utf8_next_char (p);

      if (is_unsafe_char (g_utf8_get_char (p)))
        {
          if (kind == TEXT_ID)
            {
              g_set_error (error, SP_XIVO_ERROR, SP_XIVO_ERROR_MALFORMED,
                           "%s: “%s” contains a control or formatting character", what, name);
              return FALSE;
            }

          /* Blank every byte of the character, so that the text stays UTF-8. */
          memset (p, ' ', next - p);
        }

      p = next;
    }

  g_strstrip (text);
  if (*text != '\0')
    *out = g_steal_pointer (&text);

  return TRUE;
}

/* Reads the string member @name of @object into @out (see clean_text()): %NULL when it is
 * missing or null too. Another type is an error naming @what and @name. */
gboolean
sp_xivo_get_text (JsonObject  *object,
          const char  *what,
          const char  *name,
          TextKind     kind,
          gsize        max,
          char       **out,
          GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  *out = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!sp_json_node_is_string (node))
    {
      g_set_error (error, SP_XIVO_ERROR, SP_XIVO_ERROR_MALFORMED,
                   "%s: “%s” is %s, not a string", what, name, sp_json_describe_node (node));
      return FALSE;
    }

  return clean_text (json_node_get_string (node), what, name, kind, max, out, error);
}

/* userData: the call's variables, as strings. xuc sends Asterisk channel variables, which
 * are strings; a number or a boolean is kept as its JSON text, a nested value or an
 * unusable key is left out rather than failing the whole event. */
static gboolean
get_user_data (JsonObject  *object,
               const char  *what,
               GHashTable **out,
               GError     **error)
{
  JsonNode *node = json_object_get_member (object, "userData");
  g_autoptr(GHashTable) vars = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GList) members = NULL;
  JsonObject *data;

  *out = NULL;

  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, SP_XIVO_ERROR, SP_XIVO_ERROR_MALFORMED,
                       "%s: “userData” is %s, not an object", what, sp_json_describe_node (node));
          return FALSE;
        }

      data = json_node_get_object (node);
      if (json_object_get_size (data) > SP_XIVO_MAX_USER_DATA)
        {
          g_set_error (error, SP_XIVO_ERROR, SP_XIVO_ERROR_MALFORMED,
                       "%s: “userData” has more than %u variables", what,
                       (guint) SP_XIVO_MAX_USER_DATA);
          return FALSE;
        }

      members = json_object_get_members (data);
      for (GList *l = members; l != NULL; l = l->next)
        {
          const char *key = l->data;
          JsonNode *value = json_object_get_member (data, key);
          gboolean key_ok = *key != '\0' && strlen (key) <= MAX_USER_DATA_KEY;
          char *text = NULL;

          for (const char *p = key; key_ok && *p != '\0'; p = g_utf8_next_char (p))
            key_ok = !is_unsafe_char (g_utf8_get_char (p)) && *p != ' ';

          if (!key_ok || !JSON_NODE_HOLDS_VALUE (value))
            continue;

          if (json_node_get_value_type (value) == G_TYPE_STRING)
            {
              if (strlen (json_node_get_string (value)) <= SP_XIVO_MAX_USER_DATA_VALUE)
                text = g_strdup (json_node_get_string (value));
            }
          else if (json_node_get_value_type (value) == G_TYPE_BOOLEAN)
            {
              text = g_strdup (json_node_get_boolean (value) ? "true" : "false");
            }
          else if (json_node_get_value_type (value) == G_TYPE_INT64)
            {
              text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (value));
            }
          else
            {
              char buffer[G_ASCII_DTOSTR_BUF_SIZE];

              text = g_strdup (g_ascii_dtostr (buffer, sizeof buffer, json_node_get_double (value)));
            }

          if (text != NULL)
            g_hash_table_replace (vars, g_strdup (key), text);
        }
    }

  *out = g_steal_pointer (&vars);
  return TRUE;
}

static SpXivoPhoneEventType
phone_event_type_from_string (const char *name)
{
  if (g_str_equal (name, "EventDialing"))
    return SP_XIVO_PHONE_EVENT_DIALING;
  if (g_str_equal (name, "EventRinging"))
    return SP_XIVO_PHONE_EVENT_RINGING;
  if (g_str_equal (name, "EventEstablished"))
    return SP_XIVO_PHONE_EVENT_ESTABLISHED;
  if (g_str_equal (name, "EventReleased"))
    return SP_XIVO_PHONE_EVENT_RELEASED;
  return SP_XIVO_PHONE_EVENT_OTHER;
}

static SpXivoPhoneEvent *
phone_event_from_node (JsonNode    *node,
                       const char  *what,
                       GError     **error)
{
  g_autoptr(SpXivoPhoneEvent) event = NULL;
  g_autofree char *linked_id = NULL;
  JsonObject *object;

  if (node == NULL)
    {
      g_set_error (error, SP_XIVO_ERROR, SP_XIVO_ERROR_MALFORMED,
                   "%s has no “ctiMessage”", what);
      return NULL;
    }

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, SP_XIVO_ERROR, SP_XIVO_ERROR_MALFORMED,
                   "%s is %s, not an object", what, sp_json_describe_node (node));
      return NULL;
    }

  object = json_node_get_object (node);
  event = g_new0 (SpXivoPhoneEvent, 1);

  if (!sp_xivo_get_text (object, what, "eventType", TEXT_ID, MAX_MSG_TYPE, &event->event_type, error))
    return NULL;
  if (event->event_type == NULL)
    {
      g_set_error (error, SP_XIVO_ERROR, SP_XIVO_ERROR_MALFORMED,
                   "%s has no “eventType”", what);
      return NULL;
    }
  event->type = phone_event_type_from_string (event->event_type);

  if (!sp_xivo_get_text (object, what, "linkedId", TEXT_ID, SP_XIVO_MAX_FIELD, &linked_id, error) ||
      !sp_xivo_get_text (object, what, "uniqueId", TEXT_ID, SP_XIVO_MAX_FIELD, &event->unique_id, error) ||
      !sp_xivo_get_text (object, what, "DN", TEXT_ID, SP_XIVO_MAX_FIELD, &event->dn, error) ||
      !sp_xivo_get_text (object, what, "otherDN", TEXT_ID, SP_XIVO_MAX_FIELD, &event->other_dn, error) ||
      !sp_xivo_get_text (object, what, "otherDName", TEXT_NAME, SP_XIVO_MAX_FIELD, &event->other_dname, error) ||
      !sp_xivo_get_text (object, what, "queueName", TEXT_NAME, SP_XIVO_MAX_FIELD, &event->queue_name, error) ||
      !sp_xivo_get_text (object, what, "callDirection", TEXT_ID, MAX_MSG_TYPE, &event->direction, error) ||
      !get_user_data (object, what, &event->user_data, error))
    return NULL;

  /* linkedId names the call across its legs (a queue call reaches the agent on a leg of
   * its own), so it is the call id; a server that sends none still gives the leg's id. */
  if (linked_id != NULL)
    event->call_id = g_steal_pointer (&linked_id);
  else if (event->unique_id != NULL)
    event->call_id = g_strdup (event->unique_id);
  else
    {
      g_set_error (error, SP_XIVO_ERROR, SP_XIVO_ERROR_MALFORMED,
                   "%s names no call: it has neither “linkedId” nor “uniqueId”", what);
      return NULL;
    }

  return g_steal_pointer (&event);
}

static gboolean
parse_current_calls (JsonNode       *cti,
                     SpXivoMessage  *message,
                     GError        **error)
{
  JsonNode *events_node;
  JsonArray *events;
  guint n;

  if (cti == NULL || !JSON_NODE_HOLDS_OBJECT (cti))
    {
      g_set_error (error, SP_XIVO_ERROR, SP_XIVO_ERROR_MALFORMED,
                   "CurrentCallsPhoneEvents: “ctiMessage” is %s, not an object",
                   cti ? sp_json_describe_node (cti) : "absent");
      return FALSE;
    }

  events_node = json_object_get_member (json_node_get_object (cti), "events");
  if (events_node == NULL)
    {
      g_set_error_literal (error, SP_XIVO_ERROR, SP_XIVO_ERROR_MALFORMED,
                           "CurrentCallsPhoneEvents has no “events”");
      return FALSE;
    }

  if (!JSON_NODE_HOLDS_ARRAY (events_node))
    {
      g_set_error (error, SP_XIVO_ERROR, SP_XIVO_ERROR_MALFORMED,
                   "CurrentCallsPhoneEvents: “events” is %s, not an array",
                   sp_json_describe_node (events_node));
      return FALSE;
    }

  events = json_node_get_array (events_node);
  n = json_array_get_length (events);
  if (n > SP_XIVO_MAX_CURRENT_CALLS)
    {
      g_set_error (error, SP_XIVO_ERROR, SP_XIVO_ERROR_MALFORMED,
                   "CurrentCallsPhoneEvents lists %u calls, more than the %u allowed",
                   n, (guint) SP_XIVO_MAX_CURRENT_CALLS);
      return FALSE;
    }

  /* All or nothing: the list is used to end the calls it does not name, so a list with a
   * broken entry must not be taken as complete. */
  message->phone_events = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_xivo_phone_event_free);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *what = g_strdup_printf ("CurrentCallsPhoneEvents event %u", i);
      SpXivoPhoneEvent *event = phone_event_from_node (json_array_get_element (events, i), what, error);

      if (event == NULL)
        return FALSE;
      g_ptr_array_add (message->phone_events, event);
    }

  return TRUE;
}

static gboolean
parse_agent_state (JsonNode       *cti,
                   SpXivoMessage  *message,
                   GError        **error)
{
  SpXivoAgentState *state;
  JsonObject *object;
  JsonNode *agent_id;

  if (cti == NULL || !JSON_NODE_HOLDS_OBJECT (cti))
    {
      g_set_error (error, SP_XIVO_ERROR, SP_XIVO_ERROR_MALFORMED,
                   "AgentStateEvent: “ctiMessage” is %s, not an object",
                   cti ? sp_json_describe_node (cti) : "absent");
      return FALSE;
    }

  object = json_node_get_object (cti);
  state = message->agent_state = g_new0 (SpXivoAgentState, 1);

  if (!sp_xivo_get_text (object, "AgentStateEvent", "name", TEXT_ID, MAX_MSG_TYPE, &state->name, error) ||
      !sp_xivo_get_text (object, "AgentStateEvent", "phoneNb", TEXT_ID, SP_XIVO_MAX_FIELD, &state->phone_nb, error) ||
      !sp_xivo_get_text (object, "AgentStateEvent", "cause", TEXT_NAME, SP_XIVO_MAX_FIELD, &state->cause, error))
    return FALSE;

  if (state->name == NULL)
    {
      g_set_error_literal (error, SP_XIVO_ERROR, SP_XIVO_ERROR_MALFORMED,
                           "AgentStateEvent has no “name”");
      return FALSE;
    }

  /* The agent web app shows "null" as no line at all. */
  if (g_strcmp0 (state->phone_nb, "null") == 0)
    g_clear_pointer (&state->phone_nb, g_free);

  agent_id = json_object_get_member (object, "agentId");
  if (agent_id != NULL && !JSON_NODE_HOLDS_NULL (agent_id))
    {
      if (!sp_xivo_node_is_integer (agent_id) || json_node_get_int (agent_id) < 0)
        {
          g_set_error (error, SP_XIVO_ERROR, SP_XIVO_ERROR_MALFORMED,
                       "AgentStateEvent: “agentId” is %s, not a positive integer",
                       sp_json_describe_node (agent_id));
          return FALSE;
        }
      state->agent_id = json_node_get_int (agent_id);
    }

  return TRUE;
}

/* An id member of @object into @out: absent or null is 0; anything but a non-negative
 * integer is an error (numbers stay numbers: the web service gets them as such). */
static gboolean
get_id (JsonObject  *object,
        const char  *what,
        const char  *name,
        gint64      *out,
        GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  *out = 0;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!sp_xivo_node_is_integer (node) || json_node_get_int (node) < 0)
    {
      g_set_error (error, SP_XIVO_ERROR, SP_XIVO_ERROR_MALFORMED,
                   "%s: “%s” is %s, not a positive integer", what, name, sp_json_describe_node (node));
      return FALSE;
    }

  *out = json_node_get_int (node);
  return TRUE;
}

/* UserConfigUpdate: the user record xuc pushes after LoggedOn and on every change
 * (documentation.xivo.solutions, api_sdk/xuc/api/user.html, "User Configuration"). */
static gboolean
parse_user_config (JsonNode       *cti,
                   SpXivoMessage  *message,
                   GError        **error)
{
  static const char what[] = "UserConfigUpdate";
  SpXivoUserConfig *config;
  JsonObject *object;

  if (cti == NULL || !JSON_NODE_HOLDS_OBJECT (cti))
    {
      g_set_error (error, SP_XIVO_ERROR, SP_XIVO_ERROR_MALFORMED,
                   "%s: “ctiMessage” is %s, not an object", what,
                   cti ? sp_json_describe_node (cti) : "absent");
      return FALSE;
    }

  object = json_node_get_object (cti);
  config = message->user_config = g_new0 (SpXivoUserConfig, 1);

  return get_id (object, what, "userId", &config->user_id, error) &&
         get_id (object, what, "agentId", &config->agent_id, error) &&
         sp_xivo_get_text (object, what, "firstName", TEXT_NAME, SP_XIVO_MAX_FIELD, &config->first_name, error) &&
         sp_xivo_get_text (object, what, "lastName", TEXT_NAME, SP_XIVO_MAX_FIELD, &config->last_name, error) &&
         sp_xivo_get_text (object, what, "fullName", TEXT_NAME, SP_XIVO_MAX_FIELD, &config->full_name, error);
}

/* One queue of QueueConfig or QueueList; %NULL with @error unset for one without a name,
 * which no PhoneEvent can refer to. */
static SpXivoQueue *
queue_from_node (JsonNode    *node,
                 const char  *what,
                 GError     **error)
{
  g_autoptr(SpXivoQueue) queue = NULL;
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, SP_XIVO_ERROR, SP_XIVO_ERROR_MALFORMED,
                   "%s: a queue is %s, not an object", what, sp_json_describe_node (node));
      return NULL;
    }

  object = json_node_get_object (node);
  queue = g_new0 (SpXivoQueue, 1);
  if (!get_id (object, what, "id", &queue->id, error) ||
      !sp_xivo_get_text (object, what, "name", TEXT_ID, SP_XIVO_MAX_FIELD, &queue->name, error) ||
      !sp_xivo_get_text (object, what, "displayName", TEXT_NAME, SP_XIVO_MAX_FIELD, &queue->display_name, error) ||
      !sp_xivo_get_text (object, what, "number", TEXT_ID, SP_XIVO_MAX_FIELD, &queue->number, error))
    return NULL;

  if (queue->name == NULL)
    return NULL;

  return g_steal_pointer (&queue);
}

/* QueueConfig (one queue) and QueueList (all of them), the answers to Cti.getList("queue")
 * (documentation.xivo.solutions, api_sdk/xuc/api/generic.html, "Cti.getList"). */
static gboolean
parse_queues (JsonNode       *cti,
              const char     *what,
              SpXivoMessage  *message,
              GError        **error)
{
  g_autoptr(GError) local_error = NULL;

  message->queues = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_xivo_queue_free);

  if (cti != NULL && JSON_NODE_HOLDS_ARRAY (cti))
    {
      JsonArray *array = json_node_get_array (cti);
      guint n = json_array_get_length (array);

      if (n > SP_XIVO_MAX_QUEUES)
        {
          g_set_error (error, SP_XIVO_ERROR, SP_XIVO_ERROR_MALFORMED,
                       "%s lists more than %u queues", what, (guint) SP_XIVO_MAX_QUEUES);
          return FALSE;
        }

      for (guint i = 0; i < n; i++)
        {
          SpXivoQueue *queue = queue_from_node (json_array_get_element (array, i), what, &local_error);

          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          if (queue != NULL)
            g_ptr_array_add (message->queues, queue);
        }
      return TRUE;
    }

  if (cti != NULL && JSON_NODE_HOLDS_OBJECT (cti))
    {
      SpXivoQueue *queue = queue_from_node (cti, what, &local_error);

      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (queue != NULL)
        g_ptr_array_add (message->queues, queue);
      return TRUE;
    }

  g_set_error (error, SP_XIVO_ERROR, SP_XIVO_ERROR_MALFORMED,
               "%s: “ctiMessage” is %s, not a queue or a list of them", what,
               cti ? sp_json_describe_node (cti) : "absent");
  return FALSE;
}

/* The server's reason, from the `Error` member xuc uses, or a `message`. */
static gboolean
parse_error (JsonNode       *cti,
             const char     *what,
             SpXivoMessage  *message,
             GError        **error)
{
  JsonObject *object;

  if (cti == NULL || JSON_NODE_HOLDS_NULL (cti))
    return TRUE;

  if (sp_json_node_is_string (cti))
    return clean_text (json_node_get_string (cti), what, "ctiMessage", TEXT_NAME,
                       SP_XIVO_MAX_FIELD, &message->error, error);

  if (!JSON_NODE_HOLDS_OBJECT (cti))
    {
      g_set_error (error, SP_XIVO_ERROR, SP_XIVO_ERROR_MALFORMED,
                   "%s: “ctiMessage” is %s, not an object", what, sp_json_describe_node (cti));
      return FALSE;
    }

  object = json_node_get_object (cti);
  if (!sp_xivo_get_text (object, what, "Error", TEXT_NAME, SP_XIVO_MAX_FIELD, &message->error, error))
    return FALSE;
  if (message->error == NULL &&
      !sp_xivo_get_text (object, what, "message", TEXT_NAME, SP_XIVO_MAX_FIELD, &message->error, error))
    return FALSE;

  return TRUE;
}

/**
 * sp_xivo_message_parse:
 * @data: (array length=length): one text frame of the CTI WebSocket, not necessarily
 *   nul-terminated
 * @length: its length in bytes
 * @error: return location for an %SP_XIVO_ERROR
 *
 * Classifies and checks one message from xuc. A well-formed message of a type this client
 * does not use gives %SP_XIVO_MESSAGE_OTHER, not an error, so that a newer server does not
 * break the link; a known type with fields of the wrong type is an error.
 *
 * Returns: (transfer full): the message, or %NULL with @error set
 */
SpXivoMessage *
sp_xivo_message_parse (const char  *data,
                       gsize        length,
                       GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(SpXivoMessage) message = NULL;
  JsonObject *object;
  JsonNode *cti;
  char *msg_type = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root = sp_xivo_parse_object (data, length, "The message", error);
  if (root == NULL)
    return NULL;

  object = json_node_get_object (root);
  message = g_new0 (SpXivoMessage, 1);

  if (!sp_xivo_get_text (object, "The message", "msgType", TEXT_ID, MAX_MSG_TYPE, &msg_type, error))
    return NULL;
  message->msg_type = msg_type;

  if (msg_type == NULL)
    {
      /* Frames in the client's own shape ({"claz":"ping"} echoed, a pong) carry no type. */
      if (!sp_xivo_get_text (object, "The message", "claz", TEXT_ID, MAX_MSG_TYPE, &message->msg_type, error))
        return NULL;
      if (message->msg_type == NULL)
        {
          g_set_error_literal (error, SP_XIVO_ERROR, SP_XIVO_ERROR_MALFORMED,
                               "The message has no “msgType”");
          return NULL;
        }
      message->type = SP_XIVO_MESSAGE_OTHER;
      return g_steal_pointer (&message);
    }

  cti = json_object_get_member (object, "ctiMessage");

  if (g_str_equal (msg_type, "LoggedOn"))
    {
      message->type = SP_XIVO_MESSAGE_LOGGED_ON;
    }
  else if (g_str_equal (msg_type, "LoggedOnError"))
    {
      message->type = SP_XIVO_MESSAGE_LOGGED_ON_ERROR;
      if (!parse_error (cti, "LoggedOnError", message, error))
        return NULL;
      /* loggedOnTimeout is the server being slow; anything else is a refusal. */
      message->auth_failed = g_strcmp0 (message->error, "loggedOnTimeout") != 0;
    }
  else if (g_str_equal (msg_type, "Error"))
    {
      message->type = SP_XIVO_MESSAGE_ERROR;
      if (!parse_error (cti, "Error", message, error))
        return NULL;
    }
  else if (g_str_equal (msg_type, "PhoneEvent"))
    {
      message->type = SP_XIVO_MESSAGE_PHONE_EVENT;
      message->phone_event = phone_event_from_node (cti, "PhoneEvent", error);
      if (message->phone_event == NULL)
        return NULL;
    }
  else if (g_str_equal (msg_type, "CurrentCallsPhoneEvents"))
    {
      message->type = SP_XIVO_MESSAGE_CURRENT_CALLS;
      if (!parse_current_calls (cti, message, error))
        return NULL;
    }
  else if (g_str_equal (msg_type, "AgentStateEvent"))
    {
      message->type = SP_XIVO_MESSAGE_AGENT_STATE;
      if (!parse_agent_state (cti, message, error))
        return NULL;
    }
  else if (g_str_equal (msg_type, "UserConfigUpdate"))
    {
      message->type = SP_XIVO_MESSAGE_USER_CONFIG;
      if (!parse_user_config (cti, message, error))
        return NULL;
    }
  else if (g_str_equal (msg_type, "QueueConfig") || g_str_equal (msg_type, "QueueList"))
    {
      message->type = SP_XIVO_MESSAGE_QUEUES;
      if (!parse_queues (cti, msg_type, message, error))
        return NULL;
    }
  else if (g_str_equal (msg_type, "LinkStatusUpdate"))
    {
      message->type = SP_XIVO_MESSAGE_LINK_STATUS;
      if (cti == NULL || !JSON_NODE_HOLDS_OBJECT (cti))
        {
          g_set_error (error, SP_XIVO_ERROR, SP_XIVO_ERROR_MALFORMED,
                       "LinkStatusUpdate: “ctiMessage” is %s, not an object",
                       cti ? sp_json_describe_node (cti) : "absent");
          return NULL;
        }
      if (!sp_xivo_get_text (json_node_get_object (cti), "LinkStatusUpdate", "status", TEXT_ID,
                     MAX_MSG_TYPE, &message->link_status, error))
        return NULL;
    }
  else
    {
      message->type = SP_XIVO_MESSAGE_OTHER;
    }

  return g_steal_pointer (&message);
}

void
sp_xivo_phone_event_free (SpXivoPhoneEvent *event)
{
  if (event == NULL)
    return;

  g_free (event->event_type);
  g_free (event->call_id);
  g_free (event->unique_id);
  g_free (event->dn);
  g_free (event->other_dn);
  g_free (event->other_dname);
  g_free (event->queue_name);
  g_free (event->direction);
  g_clear_pointer (&event->user_data, g_hash_table_unref);
  g_free (event);
}

void
sp_xivo_agent_state_free (SpXivoAgentState *state)
{
  if (state == NULL)
    return;

  g_free (state->name);
  g_free (state->phone_nb);
  g_free (state->cause);
  g_free (state);
}

void
sp_xivo_user_config_free (SpXivoUserConfig *config)
{
  if (config == NULL)
    return;

  g_free (config->first_name);
  g_free (config->last_name);
  g_free (config->full_name);
  g_free (config);
}

SpXivoQueue *
sp_xivo_queue_copy (const SpXivoQueue *queue)
{
  SpXivoQueue *copy = g_new0 (SpXivoQueue, 1);

  copy->id = queue->id;
  copy->name = g_strdup (queue->name);
  copy->display_name = g_strdup (queue->display_name);
  copy->number = g_strdup (queue->number);

  return copy;
}

void
sp_xivo_queue_free (SpXivoQueue *queue)
{
  if (queue == NULL)
    return;

  g_free (queue->name);
  g_free (queue->display_name);
  g_free (queue->number);
  g_free (queue);
}

void
sp_xivo_message_free (SpXivoMessage *message)
{
  if (message == NULL)
    return;

  g_free (message->msg_type);
  g_clear_pointer (&message->phone_event, sp_xivo_phone_event_free);
  g_clear_pointer (&message->phone_events, g_ptr_array_unref);
  g_clear_pointer (&message->agent_state, sp_xivo_agent_state_free);
  g_free (message->error);
  g_free (message->link_status);
  g_clear_pointer (&message->user_config, sp_xivo_user_config_free);
  g_clear_pointer (&message->queues, g_ptr_array_unref);
  g_free (message);
}

const char *
sp_xivo_message_type_to_string (SpXivoMessageType type)
{
  switch (type)
    {
    case SP_XIVO_MESSAGE_LOGGED_ON:
      return "logged-on";
    case SP_XIVO_MESSAGE_LOGGED_ON_ERROR:
      return "logged-on-error";
    case SP_XIVO_MESSAGE_PHONE_EVENT:
      return "phone-event";
    case SP_XIVO_MESSAGE_CURRENT_CALLS:
      return "current-calls";
    case SP_XIVO_MESSAGE_AGENT_STATE:
      return "agent-state";
    case SP_XIVO_MESSAGE_LINK_STATUS:
      return "link-status";
    case SP_XIVO_MESSAGE_ERROR:
      return "error";
    case SP_XIVO_MESSAGE_USER_CONFIG:
      return "user-config";
    case SP_XIVO_MESSAGE_QUEUES:
      return "queues";
    case SP_XIVO_MESSAGE_OTHER:
      return "other";
    default:
      return "unknown";
    }
}

const char *
sp_xivo_phone_event_type_to_string (SpXivoPhoneEventType type)
{
  switch (type)
    {
    case SP_XIVO_PHONE_EVENT_DIALING:
      return "dialing";
    case SP_XIVO_PHONE_EVENT_RINGING:
      return "ringing";
    case SP_XIVO_PHONE_EVENT_ESTABLISHED:
      return "established";
    case SP_XIVO_PHONE_EVENT_RELEASED:
      return "released";
    case SP_XIVO_PHONE_EVENT_OTHER:
      return "other";
    default:
      return "unknown";
    }
}

