/* test-pbxis-queue-status.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The queues' status and summaries as pbxis-ws sends them (GET /queue/status, QueueSummary,
 * MemberSummary), and the bodies of the actions that take more than a queue and an agent.
 */

#include "config.h"

#include <string.h>

#include "sp-pbxis-queue-status.h"

/* An answer shaped as pbxis.clj `queue-status` makes it from asterisk-java's beans: the
 * QueueParams fields left after its dissoc, nulls included, and the members'. */
static const char status_answer[] =
  "[{\"abandoned\":3,\"calls\":2,\"completed\":12,\"holdTime\":45,\"max\":0,"
  "\"queue\":\"sales\",\"talkTime\":190,\"dateReceived\":null,"
  "\"members\":[{\"callsTaken\":7,\"incall\":1,\"lastCall\":1565943582,\"lastPause\":0,"
  "\"location\":\"SIP/147\",\"memberName\":\"Ana\\u202eHorvat\",\"paused\":false,\"penalty\":0,"
  "\"pausedreason\":null,\"stateinterface\":\"SIP/147\",\"status\":\"active\",\"agent\":\"147\"},"
  "{\"callsTaken\":0,\"location\":\"Local/149@agents\",\"memberName\":null,\"paused\":true,"
  "\"status\":\"paused\",\"agent\":\"149\"}]},"
  "{\"queue\":\"billing\",\"calls\":0,\"holdTime\":null,\"members\":[]}]";

static void
test_status (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) queues = NULL;
  SpPbxisQueueInfo *sales;
  SpPbxisQueueInfo *billing;
  SpPbxisQueueMember *ana;
  SpPbxisQueueMember *ivo;

  queues = sp_pbxis_parse_queue_status (status_answer, strlen (status_answer), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (queues->len, ==, 2);

  sales = g_ptr_array_index (queues, 0);
  g_assert_cmpstr (sales->queue, ==, "sales");
  g_assert_cmpint (sales->calls, ==, 2);
  g_assert_cmpint (sales->completed, ==, 12);
  g_assert_cmpint (sales->abandoned, ==, 3);
  g_assert_cmpint (sales->hold_time, ==, 45);
  g_assert_cmpint (sales->talk_time, ==, 190);
  /* Not in a queue status: a summary's. */
  g_assert_cmpint (sales->available, ==, -1);
  g_assert_cmpfloat (sales->service_level_perf, ==, -1);
  g_assert_cmpuint (sales->members->len, ==, 2);

  ana = g_ptr_array_index (sales->members, 0);
  g_assert_cmpstr (ana->agent, ==, "147");
  g_assert_cmpstr (ana->location, ==, "SIP/147");
  /* A bidi override in a name someone typed becomes a space. */
  g_assert_cmpstr (ana->member_name, ==, "Ana Horvat");
  g_assert_cmpint (ana->status, ==, SP_PBXIS_MEMBER_ACTIVE);
  g_assert_cmpint (ana->calls_taken, ==, 7);
  g_assert_true (ana->in_call);
  g_assert_false (ana->paused);

  ivo = g_ptr_array_index (sales->members, 1);
  g_assert_cmpstr (ivo->agent, ==, "149");
  g_assert_null (ivo->member_name);
  g_assert_cmpint (ivo->status, ==, SP_PBXIS_MEMBER_PAUSED);
  g_assert_false (ivo->in_call);

  billing = g_ptr_array_index (queues, 1);
  g_assert_cmpstr (billing->queue, ==, "billing");
  g_assert_cmpint (billing->hold_time, ==, -1);
  g_assert_cmpuint (billing->members->len, ==, 0);
}

static void
assert_refused (const char *answer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) queues = sp_pbxis_parse_queue_status (answer, strlen (answer), &error);

  g_assert_null (queues);
  g_assert_error (error, SP_PBXIS_ERROR, SP_PBXIS_ERROR_MALFORMED);
}

static void
test_status_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) none = sp_pbxis_parse_queue_status ("[]", 2, &error);

  /* A queue that does not exist, asked for alone: an empty array. */
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);

  assert_refused ("{}");
  assert_refused ("[1]");
  assert_refused ("[{}]");
  assert_refused ("[{\"queue\":\"\"}]");
  assert_refused ("[{\"queue\":\"a\\u0007b\"}]");
  assert_refused ("[{\"queue\":\"q1\",\"calls\":\"2\"}]");
  assert_refused ("[{\"queue\":\"q1\",\"calls\":2.5}]");
  assert_refused ("[{\"queue\":\"q1\",\"members\":{}}]");
  assert_refused ("[{\"queue\":\"q1\",\"members\":[{\"agent\":147}]}]");
  assert_refused ("not json");
}

static void
test_summaries (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) queue_node =
    json_from_string ("{\"type\":\"QueueSummary\",\"queue\":\"sales\",\"available\":1,"
                      "\"holdTime\":30,\"loggedIn\":2,\"longestHoldTime\":95,\"talkTime\":120,"
                      "\"abandoned\":5,\"completed\":20,\"serviceLevel\":60,"
                      "\"serviceLevelPerf\":80.5,\"calls\":1}", NULL);
  g_autoptr(JsonNode) member_node =
    json_from_string ("{\"type\":\"MemberSummary\",\"queue\":\"sales\",\"members\":["
                      "{\"queue\":\"sales\",\"incall\":0,\"callsTaken\":4,\"lastCall\":0,"
                      "\"paused\":true,\"memberName\":\"Ana Horvat\",\"location\":\"SIP/147\"}]}",
                      NULL);
  g_autoptr(SpPbxisQueueInfo) info = NULL;
  g_autoptr(GPtrArray) members = NULL;
  SpPbxisQueueMember *ana;

  info = sp_pbxis_queue_info_from_summary (queue_node, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->queue, ==, "sales");
  g_assert_cmpint (info->available, ==, 1);
  g_assert_cmpint (info->logged_in, ==, 2);
  g_assert_cmpint (info->longest_hold_time, ==, 95);
  g_assert_cmpint (info->completed, ==, 20);
  g_assert_cmpfloat (info->service_level_perf, ==, 80.5);
  g_assert_null (info->members);

  members = sp_pbxis_queue_members_from_summary (member_node, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (members->len, ==, 1);
  ana = g_ptr_array_index (members, 0);
  /* No status and no agent in a summary: from `paused`, and the location's digits. */
  g_assert_cmpstr (ana->agent, ==, "147");
  g_assert_cmpint (ana->status, ==, SP_PBXIS_MEMBER_PAUSED);
  g_assert_cmpint (ana->calls_taken, ==, 4);
}

static void
test_bodies (void)
{
  g_autofree char *add = sp_pbxis_build_queue_add ("q1", "147", "Ana Horvat");
  g_autofree char *add_nameless = sp_pbxis_build_queue_add ("q1", "147", NULL);
  g_autofree char *reset = sp_pbxis_build_queue_reset ("q1");
  g_autofree char *reset_all = sp_pbxis_build_queue_reset (NULL);
  g_autofree char *originate = sp_pbxis_build_originate ("ACME <0800123>");
  g_autofree char *originate_plain = sp_pbxis_build_originate ("");

  g_assert_cmpstr (add, ==, "{\"queue\":\"q1\",\"agent\":\"147\",\"memberName\":\"Ana Horvat\",\"paused\":false}");
  g_assert_cmpstr (add_nameless, ==, "{\"queue\":\"q1\",\"agent\":\"147\",\"paused\":false}");
  g_assert_cmpstr (reset, ==, "{\"queue\":\"q1\"}");
  g_assert_cmpstr (reset_all, ==, "{}");
  g_assert_cmpstr (originate, ==, "{\"callerId\":\"ACME <0800123>\"}");
  g_assert_null (originate_plain);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pbxis-queue-status/status", test_status);
  g_test_add_func ("/pbxis-queue-status/status-refused", test_status_refused);
  g_test_add_func ("/pbxis-queue-status/summaries", test_summaries);
  g_test_add_func ("/pbxis-queue-status/bodies", test_bodies);

  return g_test_run ();
}
