/* sp-pbxis-queue-status.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-pbxis"

#include "config.h"

#include <string.h>

#include "sp-json.h"
#include "sp-pbxis-queue-status.h"

/*
 * The queues' properties and members, as pbxis-ws gives them in two places:
 *
 *  - `GET /queue/status` (pbxis-ws `src/com/ingemark/pbxis_ws.clj` line 226) answers
 *    pbxis's `queue-status` (`src/com/ingemark/pbxis.clj` lines 266-276): one object per
 *    AMI QueueParams event with `members`, one per QueueMember event, each with `status`
 *    made from `paused` and the AMI status (util.clj `event->member-status`) and `agent` the
 *    digits of `location`. The asterisk-java bean's other fields come too, some `null`; a
 *    queue that does not exist is simply absent (an empty array when it was asked for).
 *  - `QueueSummary` and `MemberSummary` events (pbxis.clj lines 223-256), every
 *    :summary-refresh-seconds to tickets that asked for them.
 *
 * Also the JSON bodies of the actions that take more than a queue and an agent.
 */

#define MAX_DEPTH 32

void
sp_pbxis_queue_member_free (SpPbxisQueueMember *member)
{
  if (member == NULL)
    return;

  g_free (member->agent);
  g_free (member->location);
  g_free (member->member_name);
  g_free (member);
}

/**
 * sp_pbxis_queue_info_new:
 * @queue: the queue's name
 *
 * Returns: (transfer full): a queue of which nothing is known yet
 */
SpPbxisQueueInfo *
sp_pbxis_queue_info_new (const char *queue)
{
  SpPbxisQueueInfo *info = g_new0 (SpPbxisQueueInfo, 1);

  info->queue = g_strdup (queue);
  info->calls = info->completed = info->abandoned = -1;
  info->hold_time = info->talk_time = info->longest_hold_time = -1;
  info->available = info->logged_in = -1;
  info->service_level_perf = -1;

  return info;
}

void
sp_pbxis_queue_info_free (SpPbxisQueueInfo *info)
{
  if (info == NULL)
    return;

  g_free (info->queue);
  g_clear_pointer (&info->members, g_ptr_array_unref);
  g_free (info);
}

/* An identifier (queue, agent, location): refused when empty, too long or unsafe. A name:
 * unsafe characters become spaces and it is cut. The same rules as sp-pbxis.c's events. */
static gboolean
get_text (JsonObject  *object,
          const char  *key,
          gboolean     is_name,
          gboolean     required,
          char       **out,
          GError     **error)
{
  JsonNode *node = json_object_get_member (object, key);
  g_autofree char *valid = NULL;
  GString *text;
  guint n_chars = 0;

  *out = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (!required)
        return TRUE;
      g_set_error (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_MALFORMED, "“%s” is missing", key);
      return FALSE;
    }

  if (!sp_json_node_is_string (node))
    {
      g_set_error (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_MALFORMED, "“%s” is not a string", key);
      return FALSE;
    }

  /* json-glib turns a lone surrogate escape into bytes that are not UTF-8. */
  if (!is_name && !g_utf8_validate (json_node_get_string (node), -1, NULL))
    {
      g_set_error (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_MALFORMED,
                   "“%s” is not valid UTF-8", key);
      return FALSE;
    }

  valid = g_utf8_make_valid (json_node_get_string (node), -1);
  text = g_string_new (NULL);

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!is_name && (sp_json_is_unsafe_char (c) || n_chars == SP_PBXIS_MAX_ID))
        {
          g_set_error (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_MALFORMED,
                       "“%s” is not an identifier pbxis-ws sends", key);
          g_string_free (text, TRUE);
          return FALSE;
        }

      if (n_chars == SP_PBXIS_MAX_NAME)
        {
          g_string_append (text, "…");
          break;
        }

      g_string_append_unichar (text, sp_json_is_unsafe_char (c) ? ' ' : c);
      n_chars++;
    }

  g_strstrip (text->str);
  text->len = strlen (text->str);

  if (!is_name && text->len == 0)
    {
      g_set_error (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_MALFORMED, "“%s” is empty", key);
      g_string_free (text, TRUE);
      return FALSE;
    }

  *out = g_string_free (text, FALSE);
  return TRUE;
}

/* A count or a duration: absent, null or negative is -1; anything but a whole number is
 * refused. */
static gboolean
get_number (JsonObject  *object,
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
      *out = MAX (json_node_get_int (node), -1);
      return TRUE;
    }
  if (type == G_TYPE_DOUBLE)
    {
      double value = json_node_get_double (node);

      if (value >= -1 && value <= (double) G_MAXINT32 && value == (double) (gint64) value)
        {
          *out = (gint64) value;
          return TRUE;
        }
    }

  g_set_error (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_MALFORMED,
               "“%s” is not a whole number", key);
  return FALSE;
}

/* A percentage: a number of any kind from 0 to 100 (Asterisk sends a double), else -1. */
static double
get_percentage (JsonObject *object,
                const char *key)
{
  JsonNode *node = json_object_get_member (object, key);
  GType type;
  double value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return -1;

  type = json_node_get_value_type (node);
  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    return -1;

  value = json_node_get_double (node);
  return value >= 0 && value <= 100 ? value : -1;
}

/* Booleans as asterisk-java's beans give them: Boolean, or an Integer 0/1 (`incall`). */
static gboolean
get_flag (JsonObject *object,
          const char *key)
{
  JsonNode *node = json_object_get_member (object, key);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_BOOLEAN:
      return json_node_get_boolean (node);
    case G_TYPE_INT64:
      return json_node_get_int (node) != 0;
    default:
      return FALSE;
    }
}

static SpPbxisMemberStatus
decode_member_status (const char *status,
                      gboolean    paused)
{
  if (status == NULL)
    return paused ? SP_PBXIS_MEMBER_PAUSED : SP_PBXIS_MEMBER_ACTIVE;
  if (g_str_equal (status, "loggedoff"))
    return SP_PBXIS_MEMBER_LOGGEDOFF;
  if (g_str_equal (status, "active"))
    return SP_PBXIS_MEMBER_ACTIVE;
  if (g_str_equal (status, "paused"))
    return SP_PBXIS_MEMBER_PAUSED;
  if (g_str_equal (status, "invalid"))
    return SP_PBXIS_MEMBER_INVALID;
  if (g_str_equal (status, "loggedon"))
    return SP_PBXIS_MEMBER_LOGGEDON;

  return SP_PBXIS_MEMBER_UNKNOWN;
}

static SpPbxisQueueMember *
read_member (JsonNode  *node,
             gboolean   with_status,
             GError   **error)
{
  g_autoptr(SpPbxisQueueMember) member = g_new0 (SpPbxisQueueMember, 1);
  g_autofree char *status = NULL;
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_MALFORMED,
                           "a member is not an object");
      return NULL;
    }
  object = json_node_get_object (node);

  if (!get_text (object, "agent", FALSE, FALSE, &member->agent, error) ||
      !get_text (object, "location", FALSE, FALSE, &member->location, error) ||
      !get_text (object, "memberName", TRUE, FALSE, &member->member_name, error) ||
      (with_status && !get_text (object, "status", FALSE, FALSE, &status, error)) ||
      !get_number (object, "callsTaken", &member->calls_taken, error))
    return NULL;

  member->paused = get_flag (object, "paused");
  member->in_call = get_flag (object, "incall") || get_flag (object, "inCall");
  member->status = decode_member_status (status, member->paused);

  /* A MemberSummary names no agent: the digits of the location are (util.clj `digits`). */
  if (member->agent == NULL && member->location != NULL)
    {
      const char *p = member->location;
      gsize n;

      while (*p != '\0' && !g_ascii_isdigit (*p))
        p++;
      for (n = 0; g_ascii_isdigit (p[n]); n++)
        ;
      if (n > 0)
        member->agent = g_strndup (p, n);
    }

  return g_steal_pointer (&member);
}

static GPtrArray *
read_members (JsonNode  *node,
              gboolean   with_status,
              GError   **error)
{
  g_autoptr(GPtrArray) members =
    g_ptr_array_new_with_free_func ((GDestroyNotify) sp_pbxis_queue_member_free);
  JsonArray *array;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_steal_pointer (&members);

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error_literal (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_MALFORMED,
                           "“members” is not an array");
      return NULL;
    }

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      SpPbxisQueueMember *member = read_member (json_array_get_element (array, i), with_status,
                                                error);

      if (member == NULL)
        return NULL;
      g_ptr_array_add (members, member);
    }

  return g_steal_pointer (&members);
}

static SpPbxisQueueInfo *
read_queue (JsonNode  *node,
            gboolean   with_members,
            GError   **error)
{
  g_autoptr(SpPbxisQueueInfo) info = sp_pbxis_queue_info_new (NULL);
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_MALFORMED,
                           "a queue is not an object");
      return NULL;
    }
  object = json_node_get_object (node);

  if (!get_text (object, "queue", FALSE, TRUE, &info->queue, error) ||
      !get_number (object, "calls", &info->calls, error) ||
      !get_number (object, "completed", &info->completed, error) ||
      !get_number (object, "abandoned", &info->abandoned, error) ||
      !get_number (object, "holdTime", &info->hold_time, error) ||
      !get_number (object, "talkTime", &info->talk_time, error) ||
      !get_number (object, "longestHoldTime", &info->longest_hold_time, error) ||
      !get_number (object, "available", &info->available, error) ||
      !get_number (object, "loggedIn", &info->logged_in, error))
    return NULL;

  info->service_level_perf = get_percentage (object, "serviceLevelPerf");

  if (with_members)
    {
      info->members = read_members (json_object_get_member (object, "members"), TRUE, error);
      if (info->members == NULL)
        return NULL;
    }

  return g_steal_pointer (&info);
}

/**
 * sp_pbxis_parse_queue_status:
 * @data: (array length=length): the body of a `GET /queue/status` answer
 * @length: its length in bytes
 * @error: return location for an error in the %SP_PBXIS_ERROR domain
 *
 * Returns: (transfer full) (nullable) (element-type SpPbxisQueueInfo): the queues that
 *   exist, each with its members
 */
GPtrArray *
sp_pbxis_parse_queue_status (const char  *data,
                             gsize        length,
                             GError     **error)
{
  SpJsonRules rules = {
    .what = "queue status",
    .root = SP_JSON_ROOT_ARRAY,
    .max_length = SP_PBXIS_MAX_INPUT,
    .max_depth = MAX_DEPTH,
    .strict_tokens = FALSE,
  };
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) queues =
    g_ptr_array_new_with_free_func ((GDestroyNotify) sp_pbxis_queue_info_free);
  JsonArray *array;

  root = sp_json_parse (data, length, &rules, &local_error);
  if (root == NULL)
    {
      g_set_error_literal (error, SP_PBXIS_ERROR,
                           g_error_matches (local_error, SP_JSON_ERROR, SP_JSON_ERROR_TOO_LARGE)
                             ? SP_PBXIS_ERROR_TOO_LARGE : SP_PBXIS_ERROR_MALFORMED,
                           local_error->message);
      return NULL;
    }

  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      SpPbxisQueueInfo *info = read_queue (json_array_get_element (array, i), TRUE, error);

      if (info == NULL)
        return NULL;
      g_ptr_array_add (queues, info);
    }

  return g_steal_pointer (&queues);
}

/**
 * sp_pbxis_queue_info_from_summary:
 * @raw: a `QueueSummary` event's object (#SpPbxisEvent:raw)
 * @error: return location for an error in the %SP_PBXIS_ERROR domain
 *
 * Returns: (transfer full) (nullable): the queue's figures, without members
 */
SpPbxisQueueInfo *
sp_pbxis_queue_info_from_summary (JsonNode  *raw,
                                  GError   **error)
{
  g_return_val_if_fail (raw != NULL, NULL);

  return read_queue (raw, FALSE, error);
}

/**
 * sp_pbxis_queue_members_from_summary:
 * @raw: a `MemberSummary` event's object (#SpPbxisEvent:raw)
 * @error: return location for an error in the %SP_PBXIS_ERROR domain
 *
 * Returns: (transfer full) (nullable) (element-type SpPbxisQueueMember): the members
 */
GPtrArray *
sp_pbxis_queue_members_from_summary (JsonNode  *raw,
                                     GError   **error)
{
  g_return_val_if_fail (raw != NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (raw))
    {
      g_set_error_literal (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_MALFORMED,
                           "a MemberSummary is not an object");
      return NULL;
    }

  return read_members (json_object_get_member (json_node_get_object (raw), "members"), FALSE,
                       error);
}

static char *
build (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = NULL;

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  return json_to_string (root, FALSE);
}

/**
 * sp_pbxis_build_queue_add:
 * @queue: the queue
 * @agent: the agent's extension
 * @member_name: (nullable): the agent's name, which Asterisk shows for the member (else it
 *   names it after the interface, "SIP/147")
 *
 * The agent logs on unpaused, as the real agent page does (`utils.js`
 * `ajaxQueueAction`: `memberName` and `paused: false` for "add").
 *
 * Returns: (transfer full): the JSON body of `POST /queue/add`
 */
char *
sp_pbxis_build_queue_add (const char *queue,
                          const char *agent,
                          const char *member_name)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  g_return_val_if_fail (queue != NULL, NULL);
  g_return_val_if_fail (agent != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "queue");
  json_builder_add_string_value (builder, queue);
  json_builder_set_member_name (builder, "agent");
  json_builder_add_string_value (builder, agent);
  if (member_name != NULL && *member_name != '\0')
    {
      json_builder_set_member_name (builder, "memberName");
      json_builder_add_string_value (builder, member_name);
    }
  json_builder_set_member_name (builder, "paused");
  json_builder_add_boolean_value (builder, FALSE);

  return build (builder);
}

/**
 * sp_pbxis_build_queue_reset:
 * @queue: (nullable): the queue whose statistics to reset; %NULL for every queue
 *
 * Returns: (transfer full): the JSON body of `POST /queue/reset`
 */
char *
sp_pbxis_build_queue_reset (const char *queue)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  json_builder_begin_object (builder);
  if (queue != NULL)
    {
      json_builder_set_member_name (builder, "queue");
      json_builder_add_string_value (builder, queue);
    }

  return build (builder);
}

/**
 * sp_pbxis_build_originate:
 * @caller_id: (nullable): the caller id the called party sees, e.g. "ACME <0800123>"
 *
 * Returns: (transfer full) (nullable): the JSON body of `POST /originate/…`, %NULL when
 *   there is nothing to send
 */
char *
sp_pbxis_build_originate (const char *caller_id)
{
  g_autoptr(JsonBuilder) builder = NULL;

  if (caller_id == NULL || *caller_id == '\0')
    return NULL;

  builder = json_builder_new_immutable ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "callerId");
  json_builder_add_string_value (builder, caller_id);

  return build (builder);
}
