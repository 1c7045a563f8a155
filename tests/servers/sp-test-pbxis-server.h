/* sp-test-pbxis-server.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "sp-test-hostile.h"

G_BEGIN_DECLS

/**
 * SpTestPbxisTransport:
 *
 * The ways a ticket's events are read; also what is attached to a ticket right now.
 */
typedef enum
{
  SP_TEST_PBXIS_NONE,
  SP_TEST_PBXIS_WEBSOCKET,
  SP_TEST_PBXIS_SSE,
  SP_TEST_PBXIS_LONG_POLL,
} SpTestPbxisTransport;

/**
 * SpTestPbxisRequest:
 * @method: "GET", "POST", …
 * @path: the request path as sent (still percent-encoded), e.g. "/queue/pause"
 * @params: the parameters as pbxis-ws merges them (query string, form body, JSON body's
 *   top-level keys), as a JSON object
 * @content_type: (nullable): the request's Content-Type
 * @dialled: (nullable): for an originate, the number the real server would dial: the
 *   path's last segment URL-decoded as its router does ("+" is a space)
 * @status: the HTTP status answered (0 for a stream still open)
 */
typedef struct
{
  char       *method;
  char       *path;
  JsonObject *params;
  char       *content_type;
  char       *dialled;
  guint       status;
} SpTestPbxisRequest;

/**
 * SpTestPbxisOriginate:
 * @SP_TEST_PBXIS_ORIGINATE_CONNECT: the agent's phone rings, is picked up, and the number
 *   answers (the Bridge names it as the dialplan dialled it)
 * @SP_TEST_PBXIS_ORIGINATE_REFUSED: Asterisk answers the Originate action with Error:
 *   pbxis-ws still answers an action id, and nothing else happens
 * @SP_TEST_PBXIS_ORIGINATE_NO_PICKUP: the agent's phone rings and nobody picks it up:
 *   `originateFailed` with the dialled number as its agent, and the phone is idle again
 * @SP_TEST_PBXIS_ORIGINATE_NO_ANSWER: the agent picks up, the number does not answer, and
 *   the agent hangs up
 *
 * What Asterisk does with an originate.
 */
typedef enum
{
  SP_TEST_PBXIS_ORIGINATE_CONNECT,
  SP_TEST_PBXIS_ORIGINATE_REFUSED,
  SP_TEST_PBXIS_ORIGINATE_NO_PICKUP,
  SP_TEST_PBXIS_ORIGINATE_NO_ANSWER,
} SpTestPbxisOriginate;

/**
 * SpTestPbxisServer:
 *
 * pbxis-ws reproduced in process, on 127.0.0.1, with an Asterisk that tests drive through
 * the functions below (a call rings an agent, is answered, hangs up, …). It keeps the
 * server's quirks: tickets that expire a configurable time after their last reader left,
 * a WebSocket that accepts an unknown ticket and then stays silent, SSE's `closed` for an
 * unknown ticket, long-poll's 404, events buffered between readers, the snapshot on first
 * attach, deduplicated changes, hyphenated keys and null numbers, HTTP 200 for Asterisk
 * errors, 404 and 405. See protocols/pbxis_ws.md §10.
 */
typedef struct _SpTestPbxisServer SpTestPbxisServer;

SpTestPbxisServer *sp_test_pbxis_server_new               (guint16              port,
                                                           GError             **error);
void               sp_test_pbxis_server_free              (SpTestPbxisServer   *self);
char              *sp_test_pbxis_server_dup_url           (SpTestPbxisServer   *self);
guint16            sp_test_pbxis_server_get_port          (SpTestPbxisServer   *self);

/* Configuration (the server's :unsub-delay-seconds and :poll-timeout-seconds, in ms). */
void               sp_test_pbxis_server_set_unsub_delay   (SpTestPbxisServer   *self,
                                                           guint                msec);
void               sp_test_pbxis_server_set_poll_timeout  (SpTestPbxisServer   *self,
                                                           guint                msec);

/* Life of the server. */
gboolean           sp_test_pbxis_server_start             (SpTestPbxisServer   *self,
                                                           GError             **error);
void               sp_test_pbxis_server_kill              (SpTestPbxisServer   *self);
void               sp_test_pbxis_server_shutdown          (SpTestPbxisServer   *self);

/* What clients did. */
guint              sp_test_pbxis_server_get_n_tickets     (SpTestPbxisServer   *self);
const char        *sp_test_pbxis_server_get_last_ticket   (SpTestPbxisServer   *self);
JsonObject        *sp_test_pbxis_server_get_ticket_params (SpTestPbxisServer   *self,
                                                           const char          *ticket);
guint              sp_test_pbxis_server_get_n_attached    (SpTestPbxisServer   *self,
                                                           SpTestPbxisTransport transport);
gboolean           sp_test_pbxis_server_wait_for_attached (SpTestPbxisServer   *self,
                                                           SpTestPbxisTransport transport,
                                                           guint                n,
                                                           guint                timeout_ms);
gboolean           sp_test_pbxis_server_wait_for_tickets  (SpTestPbxisServer   *self,
                                                           guint                n,
                                                           guint                timeout_ms);
gboolean           sp_test_pbxis_server_has_ticket        (SpTestPbxisServer   *self,
                                                           const char          *ticket);
GPtrArray         *sp_test_pbxis_server_get_requests      (SpTestPbxisServer   *self);
SpTestPbxisRequest *sp_test_pbxis_server_find_request     (SpTestPbxisServer   *self,
                                                           const char          *method,
                                                           const char          *path_prefix);
gboolean           sp_test_pbxis_server_wait_for_request  (SpTestPbxisServer   *self,
                                                           const char          *method,
                                                           const char          *path_prefix,
                                                           guint                timeout_ms);
void               sp_test_pbxis_server_clear_requests    (SpTestPbxisServer   *self);

/* Asterisk: agents and queues. */
void               sp_test_pbxis_server_set_agent_name    (SpTestPbxisServer   *self,
                                                           const char          *agent,
                                                           const char          *name);
void               sp_test_pbxis_server_set_extension_status (SpTestPbxisServer *self,
                                                           const char          *agent,
                                                           const char          *status);
void               sp_test_pbxis_server_set_member        (SpTestPbxisServer   *self,
                                                           const char          *queue,
                                                           const char          *agent,
                                                           const char          *status);
const char        *sp_test_pbxis_server_get_member        (SpTestPbxisServer   *self,
                                                           const char          *queue,
                                                           const char          *agent);
void               sp_test_pbxis_server_set_queue_count   (SpTestPbxisServer   *self,
                                                           const char          *queue,
                                                           gint64               count);
void               sp_test_pbxis_server_add_queue         (SpTestPbxisServer   *self,
                                                           const char          *queue);
void               sp_test_pbxis_server_set_queue_stats   (SpTestPbxisServer   *self,
                                                           const char          *queue,
                                                           gint64               completed,
                                                           gint64               abandoned,
                                                           gint64               hold_time,
                                                           gint64               talk_time);
void               sp_test_pbxis_server_set_calls_taken   (SpTestPbxisServer   *self,
                                                           const char          *queue,
                                                           const char          *agent,
                                                           guint                calls);
gint64             sp_test_pbxis_server_get_queue_completed (SpTestPbxisServer *self,
                                                           const char          *queue);
void               sp_test_pbxis_server_publish_summaries (SpTestPbxisServer   *self);
void               sp_test_pbxis_server_fail_next_action  (SpTestPbxisServer   *self,
                                                           const char          *message);
void               sp_test_pbxis_server_set_ticket_answer (SpTestPbxisServer   *self,
                                                           SpTestHostile        hostile);
const SpTestHostileStats *sp_test_pbxis_server_get_hostile_stats (SpTestPbxisServer *self);

/* Asterisk: calls. Each returns an id for the call, for the functions after it. */
char              *sp_test_pbxis_server_queue_call        (SpTestPbxisServer   *self,
                                                           const char          *queue,
                                                           const char          *agent,
                                                           const char          *number,
                                                           const char          *name);
char              *sp_test_pbxis_server_direct_call       (SpTestPbxisServer   *self,
                                                           const char          *agent,
                                                           const char          *number);
void               sp_test_pbxis_server_answer            (SpTestPbxisServer   *self,
                                                           const char          *call_id);
void               sp_test_pbxis_server_hangup            (SpTestPbxisServer   *self,
                                                           const char          *call_id,
                                                           gint64               talk_time,
                                                           gint64               hold_time);
guint              sp_test_pbxis_server_get_n_originating (SpTestPbxisServer *self);
const char        *sp_test_pbxis_server_get_agent_call    (SpTestPbxisServer   *self,
                                                           const char          *agent);

/* Asterisk: how calls go. */
void               sp_test_pbxis_server_set_originate     (SpTestPbxisServer   *self,
                                                           SpTestPbxisOriginate outcome,
                                                           guint                step_ms);
void               sp_test_pbxis_server_set_dialplan_rewrite (SpTestPbxisServer *self,
                                                           const char          *from,
                                                           const char          *to);
void               sp_test_pbxis_server_set_asterisk12    (SpTestPbxisServer   *self,
                                                           gboolean             asterisk12);

/* Anything else, exactly as given: to every ticket its scope keys let through. */
void               sp_test_pbxis_server_publish_raw       (SpTestPbxisServer   *self,
                                                           const char          *json);

void               sp_test_pbxis_request_free             (SpTestPbxisRequest  *request);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpTestPbxisServer, sp_test_pbxis_server_free)

G_END_DECLS
