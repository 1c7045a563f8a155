/* sp-pbxis.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define SP_PBXIS_ERROR (sp_pbxis_error_quark ())

/**
 * SpPbxisError:
 * @SP_PBXIS_ERROR_MALFORMED: the input is not what pbxis-ws sends (not JSON, wrong shape,
 *   a field of the wrong type or failing validation)
 * @SP_PBXIS_ERROR_TOO_LARGE: the input is longer than %SP_PBXIS_MAX_INPUT
 * @SP_PBXIS_ERROR_ACTION: pbxis-ws or Asterisk refused an action; the message is the
 *   server's own, made safe to show
 */
typedef enum
{
  SP_PBXIS_ERROR_MALFORMED,
  SP_PBXIS_ERROR_TOO_LARGE,
  SP_PBXIS_ERROR_ACTION,
} SpPbxisError;

/* One event is a few hundred bytes and a long-poll answer a burst of them; summaries of a
 * big call centre are the largest thing pbxis-ws sends. */
#define SP_PBXIS_MAX_INPUT (4 * 1024 * 1024)

/* Limits on the untrusted text fields, in characters. Caller-id names are set by whoever
 * calls, so they are cut rather than refused; identifiers and numbers are refused. */
#define SP_PBXIS_MAX_ID      128
#define SP_PBXIS_MAX_NUMBER  64
#define SP_PBXIS_MAX_NAME    128

/**
 * SpPbxisEventType:
 * @SP_PBXIS_EVENT_UNKNOWN: a well-formed event of a type we do not use; ignore it
 * @SP_PBXIS_EVENT_AGENT_NAME: `agentName`: @agent, @name
 * @SP_PBXIS_EVENT_EXTENSION_STATUS: `extensionStatus`: @agent, @extension_status, @status
 * @SP_PBXIS_EVENT_QUEUE_MEMBER_STATUS: `queueMemberStatus`: @agent, @queue, @member_status
 * @SP_PBXIS_EVENT_PHONE_NUMBER: `phoneNumber`: @agent, @unique_id, @number (%NULL: no
 *   call), and optionally @name, @queue, @unique_id1, @unique_id2, @system_name
 * @SP_PBXIS_EVENT_QUEUE_COUNT: `queueCount`: @queue, @count
 * @SP_PBXIS_EVENT_AGENT_COMPLETE: `agentComplete`: @agent, @unique_id (the agent's
 *   channel), @talk_time, @hold_time, @recording (the AMI unique id)
 * @SP_PBXIS_EVENT_ORIGINATE_FAILED: `originateFailed`: @agent (the dialled number!),
 *   @action_id
 * @SP_PBXIS_EVENT_PARKING: `parkedCall`, `parkedCallGiveUp`, `unParkedCall` or
 *   `parkedCallTimeOut` (see @type_name): @caller_id, @channel, @parked_ext
 * @SP_PBXIS_EVENT_QUEUE_SUMMARY: `QueueSummary`: @queue, @count (the `calls`), the rest
 *   in @raw
 * @SP_PBXIS_EVENT_MEMBER_SUMMARY: `MemberSummary`: @queue, the members in @raw
 * @SP_PBXIS_EVENT_CLOSED: `closed`: the server is shutting down (or, on SSE, the ticket is
 *   unknown)
 */
typedef enum
{
  SP_PBXIS_EVENT_UNKNOWN,
  SP_PBXIS_EVENT_AGENT_NAME,
  SP_PBXIS_EVENT_EXTENSION_STATUS,
  SP_PBXIS_EVENT_QUEUE_MEMBER_STATUS,
  SP_PBXIS_EVENT_PHONE_NUMBER,
  SP_PBXIS_EVENT_QUEUE_COUNT,
  SP_PBXIS_EVENT_AGENT_COMPLETE,
  SP_PBXIS_EVENT_ORIGINATE_FAILED,
  SP_PBXIS_EVENT_PARKING,
  SP_PBXIS_EVENT_QUEUE_SUMMARY,
  SP_PBXIS_EVENT_MEMBER_SUMMARY,
  SP_PBXIS_EVENT_CLOSED,
} SpPbxisEventType;

/**
 * SpPbxisExtensionStatus:
 * @SP_PBXIS_EXTENSION_UNKNOWN: `null`: the server could not look it up
 * @SP_PBXIS_EXTENSION_NO_HINT: `"-1"`: the extension has no hint; as good as idle
 * @SP_PBXIS_EXTENSION_NOT_INUSE: idle
 * @SP_PBXIS_EXTENSION_INUSE: in a call
 * @SP_PBXIS_EXTENSION_BUSY: busy
 * @SP_PBXIS_EXTENSION_UNAVAILABLE: the phone is not registered
 * @SP_PBXIS_EXTENSION_RINGING: ringing
 * @SP_PBXIS_EXTENSION_RINGINUSE: in a call, with another ringing
 * @SP_PBXIS_EXTENSION_ONHOLD: a call on hold
 *
 * Asterisk device states. pbxis-ws names the common ones and sends any other as its
 * decimal string ("17"); those are read as the bit mask they are.
 */
typedef enum
{
  SP_PBXIS_EXTENSION_UNKNOWN,
  SP_PBXIS_EXTENSION_NO_HINT,
  SP_PBXIS_EXTENSION_NOT_INUSE,
  SP_PBXIS_EXTENSION_INUSE,
  SP_PBXIS_EXTENSION_BUSY,
  SP_PBXIS_EXTENSION_UNAVAILABLE,
  SP_PBXIS_EXTENSION_RINGING,
  SP_PBXIS_EXTENSION_RINGINUSE,
  SP_PBXIS_EXTENSION_ONHOLD,
} SpPbxisExtensionStatus;

/**
 * SpPbxisMemberStatus:
 * @SP_PBXIS_MEMBER_UNKNOWN: a value we do not know (or `null`)
 * @SP_PBXIS_MEMBER_LOGGEDOFF: not a member of the queue
 * @SP_PBXIS_MEMBER_ACTIVE: a member, taking calls
 * @SP_PBXIS_MEMBER_PAUSED: a member, paused
 * @SP_PBXIS_MEMBER_INVALID: a member whose device is invalid
 * @SP_PBXIS_MEMBER_LOGGEDON: a member (older servers; no pause information)
 */
typedef enum
{
  SP_PBXIS_MEMBER_UNKNOWN,
  SP_PBXIS_MEMBER_LOGGEDOFF,
  SP_PBXIS_MEMBER_ACTIVE,
  SP_PBXIS_MEMBER_PAUSED,
  SP_PBXIS_MEMBER_INVALID,
  SP_PBXIS_MEMBER_LOGGEDON,
} SpPbxisMemberStatus;

/**
 * SpPbxisEvent:
 * @type: what it is
 * @type_name: the `type` as sent (for logging and %SP_PBXIS_EVENT_PARKING)
 * @agent: (nullable): the agent's extension the event is about
 * @queue: (nullable): the queue the event is about
 * @name: (nullable): `agentName`'s name, or the caller-id name of a `phoneNumber`
 * @status: (nullable): the raw `status` of `extensionStatus` and `queueMemberStatus`
 * @extension_status: @status of an `extensionStatus`, decoded
 * @member_status: @status of a `queueMemberStatus`, decoded
 * @unique_id: (nullable): `unique-id` of `phoneNumber`, `uniqueId` of `agentComplete`
 * @number: (nullable): the other party's number; %NULL means "no call"
 * @unique_id1: (nullable): `unique-id1` of a bridged `phoneNumber`
 * @unique_id2: (nullable): `unique-id2` of a bridged `phoneNumber`
 * @system_name: (nullable): `systemName` of a bridged `phoneNumber`
 * @count: `count` of `queueCount`, `calls` of `QueueSummary`; -1 if `null` or absent
 * @talk_time: seconds, -1 if `null` or absent
 * @hold_time: seconds, -1 if `null` or absent
 * @recording: (nullable): `recording` of `agentComplete`
 * @action_id: (nullable): `actionId` of `originateFailed`
 * @caller_id: (nullable): `caller-id` of the parking events
 * @channel: (nullable): `channel` of the parking events
 * @parked_ext: (nullable): `parked-ext` of the parking events
 * @raw: (nullable): the whole event object, for the summaries
 *
 * One pbxis-ws event, with every field checked: strings are valid UTF-8 without control
 * or bidirectional-override characters, identifiers and numbers are within their limits,
 * names are cut to theirs.
 */
typedef struct
{
  SpPbxisEventType        type;
  char                   *type_name;
  char                   *agent;
  char                   *queue;
  char                   *name;
  char                   *status;
  SpPbxisExtensionStatus  extension_status;
  SpPbxisMemberStatus     member_status;
  char                   *unique_id;
  char                   *number;
  char                   *unique_id1;
  char                   *unique_id2;
  char                   *system_name;
  gint64                  count;
  gint64                  talk_time;
  gint64                  hold_time;
  char                   *recording;
  char                   *action_id;
  char                   *caller_id;
  char                   *channel;
  char                   *parked_ext;
  JsonNode               *raw;
} SpPbxisEvent;

GQuark        sp_pbxis_error_quark            (void);

SpPbxisEvent *sp_pbxis_event_parse            (const char    *data,
                                               gsize          length,
                                               GError       **error);
SpPbxisEvent *sp_pbxis_event_parse_sse        (const char    *event_type,
                                               const char    *data,
                                               gsize          length,
                                               GError       **error);
SpPbxisEvent *sp_pbxis_event_from_node        (JsonNode      *node,
                                               const char    *type,
                                               GError       **error);
void          sp_pbxis_event_free             (SpPbxisEvent  *event);
const char   *sp_pbxis_event_type_to_string   (SpPbxisEventType type);
const char   *sp_pbxis_extension_status_to_string (SpPbxisExtensionStatus status);
const char   *sp_pbxis_member_status_to_string (SpPbxisMemberStatus status);

GPtrArray    *sp_pbxis_split_long_poll        (const char    *data,
                                               gsize          length,
                                               GError       **error);

char         *sp_pbxis_build_ticket_request   (const char * const *agents,
                                               const char * const *queues,
                                               gboolean       summary_events);
char         *sp_pbxis_parse_ticket           (const char    *data,
                                               gsize          length,
                                               GError       **error);
char         *sp_pbxis_build_queue_action     (const char    *queue,
                                               const char    *agent,
                                               int            paused);
gboolean      sp_pbxis_check_action_response  (guint          status,
                                               const char    *data,
                                               gsize          length,
                                               char         **result,
                                               GError       **error);
char         *sp_pbxis_normalize_number       (const char    *number);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpPbxisEvent, sp_pbxis_event_free)

G_END_DECLS
