/* sp-pbxis-queue-status.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "sp-pbxis.h"

G_BEGIN_DECLS

/**
 * SpPbxisQueueMember:
 * @agent: (nullable): the digits of @location, as pbxis-ws names agents
 * @location: (nullable): Asterisk's interface, e.g. "SIP/147"
 * @member_name: (nullable): the name the member was added with
 * @status: the membership (a MemberSummary has none: active or paused from @paused)
 * @calls_taken: calls answered since the last reset, -1 if not said
 * @paused: whether the member is paused
 * @in_call: whether the member is on a call now
 *
 * One member of a queue, from `GET /queue/status` or a `MemberSummary` event. Strings are
 * checked as an event's are: valid UTF-8 without control or bidi-override characters,
 * identifiers within %SP_PBXIS_MAX_ID, names cut to %SP_PBXIS_MAX_NAME.
 */
typedef struct
{
  char                *agent;
  char                *location;
  char                *member_name;
  SpPbxisMemberStatus  status;
  gint64               calls_taken;
  gboolean             paused;
  gboolean             in_call;
} SpPbxisQueueMember;

/**
 * SpPbxisQueueInfo:
 * @queue: the queue's name
 * @calls: callers waiting
 * @completed: calls answered since the last reset
 * @abandoned: callers who hung up waiting, since the last reset
 * @hold_time: average seconds waited
 * @talk_time: average seconds talked
 * @longest_hold_time: seconds the longest caller now waiting has waited (summaries only)
 * @available: members free to take a call (summaries only)
 * @logged_in: members logged in (summaries only)
 * @service_level_perf: percentage answered within the service level, -1 if not said
 * @members: (nullable) (element-type SpPbxisQueueMember): the members, from
 *   `GET /queue/status`; %NULL from a QueueSummary
 *
 * A queue's properties as `GET /queue/status` or a `QueueSummary` event gives them. Every
 * number is -1 when not said (pbxis-ws sends some as `null`).
 */
typedef struct
{
  char      *queue;
  gint64     calls;
  gint64     completed;
  gint64     abandoned;
  gint64     hold_time;
  gint64     talk_time;
  gint64     longest_hold_time;
  gint64     available;
  gint64     logged_in;
  double     service_level_perf;
  GPtrArray *members;
} SpPbxisQueueInfo;

void              sp_pbxis_queue_member_free          (SpPbxisQueueMember *member);
SpPbxisQueueInfo *sp_pbxis_queue_info_new             (const char         *queue);
void              sp_pbxis_queue_info_free            (SpPbxisQueueInfo   *info);

GPtrArray        *sp_pbxis_parse_queue_status         (const char         *data,
                                                       gsize               length,
                                                       GError            **error);
SpPbxisQueueInfo *sp_pbxis_queue_info_from_summary    (JsonNode           *raw,
                                                       GError            **error);
GPtrArray        *sp_pbxis_queue_members_from_summary (JsonNode           *raw,
                                                       GError            **error);

char             *sp_pbxis_build_queue_add            (const char         *queue,
                                                       const char         *agent,
                                                       const char         *member_name);
char             *sp_pbxis_build_queue_reset          (const char         *queue);
char             *sp_pbxis_build_originate            (const char         *caller_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpPbxisQueueMember, sp_pbxis_queue_member_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpPbxisQueueInfo, sp_pbxis_queue_info_free)

G_END_DECLS
