/* sp-xivo.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SP_XIVO_ERROR (sp_xivo_error_quark ())

/**
 * SpXivoError:
 * @SP_XIVO_ERROR_MALFORMED: the text is not a well-formed message, or a field fails
 *   validation
 * @SP_XIVO_ERROR_TOO_LARGE: the text is longer than %SP_XIVO_MAX_MESSAGE
 * @SP_XIVO_ERROR_INVALID_CREDENTIALS: xuc refused the login and password
 *   (`InvalidCredentials`); asking again with the same ones is pointless
 * @SP_XIVO_ERROR_SERVER: xuc reported another error (`InvalidJson`, `UnhandledError`, …)
 */
typedef enum
{
  SP_XIVO_ERROR_MALFORMED,
  SP_XIVO_ERROR_TOO_LARGE,
  SP_XIVO_ERROR_INVALID_CREDENTIALS,
  SP_XIVO_ERROR_SERVER,
} SpXivoError;

/* A CTI message is a few hundred bytes; the resynchronisation answer lists every live call
 * of one user. Anything bigger is refused before it is parsed. */
#define SP_XIVO_MAX_MESSAGE (1024 * 1024)

/* Limits on the untrusted fields of a phone event, in bytes. */
#define SP_XIVO_MAX_FIELD 1024
#define SP_XIVO_MAX_USER_DATA 256
#define SP_XIVO_MAX_USER_DATA_VALUE 4096
/* Calls in one CurrentCallsPhoneEvents: a phone has a handful of lines. */
#define SP_XIVO_MAX_CURRENT_CALLS 256
/* A JWT with a few claims is well under this. */
#define SP_XIVO_MAX_TOKEN 8192

/**
 * SpXivoMessageType:
 * @SP_XIVO_MESSAGE_LOGGED_ON: `LoggedOn`: the CTI session is established
 * @SP_XIVO_MESSAGE_LOGGED_ON_ERROR: `LoggedOnError`: the session could not be established;
 *   see #SpXivoMessage.error and #SpXivoMessage.auth_failed
 * @SP_XIVO_MESSAGE_PHONE_EVENT: `PhoneEvent`, in #SpXivoMessage.phone_event
 * @SP_XIVO_MESSAGE_CURRENT_CALLS: `CurrentCallsPhoneEvents`, the answer to
 *   `getCurrentCallsPhoneEvents`, in #SpXivoMessage.phone_events
 * @SP_XIVO_MESSAGE_AGENT_STATE: `AgentStateEvent`, in #SpXivoMessage.agent_state
 * @SP_XIVO_MESSAGE_LINK_STATUS: `LinkStatusUpdate`, in #SpXivoMessage.link_status
 * @SP_XIVO_MESSAGE_ERROR: `Error`: a command failed; #SpXivoMessage.error says why
 * @SP_XIVO_MESSAGE_USER_CONFIG: `UserConfigUpdate`, the logged-in user's record, in
 *   #SpXivoMessage.user_config
 * @SP_XIVO_MESSAGE_QUEUES: `QueueList` (the answer to `getList` of `queue`) or `QueueConfig`
 *   (one queue changed), in #SpXivoMessage.queues
 * @SP_XIVO_MESSAGE_OTHER: a well-formed message this client has no use for (statistics,
 *   directory results, an answer to a ping, a type from a newer xuc); to be ignored
 */
typedef enum
{
  SP_XIVO_MESSAGE_LOGGED_ON,
  SP_XIVO_MESSAGE_LOGGED_ON_ERROR,
  SP_XIVO_MESSAGE_PHONE_EVENT,
  SP_XIVO_MESSAGE_CURRENT_CALLS,
  SP_XIVO_MESSAGE_AGENT_STATE,
  SP_XIVO_MESSAGE_LINK_STATUS,
  SP_XIVO_MESSAGE_ERROR,
  SP_XIVO_MESSAGE_USER_CONFIG,
  SP_XIVO_MESSAGE_QUEUES,
  SP_XIVO_MESSAGE_OTHER,
} SpXivoMessageType;

/**
 * SpXivoPhoneEventType:
 * @SP_XIVO_PHONE_EVENT_DIALING: `EventDialing`: the agent places a call
 * @SP_XIVO_PHONE_EVENT_RINGING: `EventRinging`: a call rings at the agent
 * @SP_XIVO_PHONE_EVENT_ESTABLISHED: `EventEstablished`: the call is answered
 * @SP_XIVO_PHONE_EVENT_RELEASED: `EventReleased`: the call is over
 * @SP_XIVO_PHONE_EVENT_OTHER: hold, resume, failure and the like; #SpXivoPhoneEvent.event_type
 *   names it
 */
typedef enum
{
  SP_XIVO_PHONE_EVENT_DIALING,
  SP_XIVO_PHONE_EVENT_RINGING,
  SP_XIVO_PHONE_EVENT_ESTABLISHED,
  SP_XIVO_PHONE_EVENT_RELEASED,
  SP_XIVO_PHONE_EVENT_OTHER,
} SpXivoPhoneEventType;

/**
 * SpXivoPhoneEvent:
 * @type: what happened
 * @event_type: `eventType` as sent
 * @call_id: the call id across legs: `linkedId`, or `uniqueId` when the server sent no
 *   `linkedId`; never %NULL
 * @unique_id: (nullable): `uniqueId`, this leg
 * @dn: (nullable): `DN`, the agent's line
 * @other_dn: (nullable): `otherDN`, the remote party's number
 * @other_dname: (nullable): `otherDName`, the remote party's name
 * @queue_name: (nullable): `queueName`
 * @direction: (nullable): `callDirection` (`Incoming`, `Outgoing`, …) where xuc sends it
 * @user_data: (element-type utf8 utf8): `userData`, the call's variables; numbers and
 *   booleans as their JSON text, nested values left out
 *
 * Numbers and ids are free of control characters and surrounding white space; names have
 * control characters turned into spaces. Empty strings are %NULL.
 */
typedef struct
{
  SpXivoPhoneEventType  type;
  char                 *event_type;
  char                 *call_id;
  char                 *unique_id;
  char                 *dn;
  char                 *other_dn;
  char                 *other_dname;
  char                 *queue_name;
  char                 *direction;
  GHashTable           *user_data;
} SpXivoPhoneEvent;

/**
 * SpXivoAgentState:
 * @name: the state as sent (`AgentReady`, `AgentOnPause`, `AgentLoggedOut`, `AgentOnCall`,
 *   `AgentRinging`, `AgentOnWrapup`, `AgentDialing`, …), never %NULL
 * @agent_id: `agentId`, or 0 when not sent
 * @phone_nb: (nullable): `phoneNb`, the line the agent is logged on
 * @cause: (nullable): `cause`, the pause reason
 */
typedef struct
{
  char   *name;
  gint64  agent_id;
  char   *phone_nb;
  char   *cause;
} SpXivoAgentState;

/**
 * SpXivoUserConfig:
 * @user_id: `userId`, or 0 when not sent
 * @agent_id: `agentId`, or 0 when not sent
 * @first_name: (nullable): `firstName`
 * @last_name: (nullable): `lastName`
 * @full_name: (nullable): `fullName`
 *
 * What `UserConfigUpdate` says of the logged-in user that a third-party web service is
 * told (the forwarding and voicemail settings it also carries are not kept).
 */
typedef struct
{
  gint64  user_id;
  gint64  agent_id;
  char   *first_name;
  char   *last_name;
  char   *full_name;
} SpXivoUserConfig;

/**
 * SpXivoQueue:
 * @id: `id`, or 0 when not sent
 * @name: `name`, the queue's name as PhoneEvent's `queueName` gives it; never %NULL
 * @display_name: (nullable): `displayName`
 * @number: (nullable): `number`, the queue's extension
 *
 * One queue's configuration, as `QueueConfig` and `QueueList` carry it.
 */
typedef struct
{
  gint64  id;
  char   *name;
  char   *display_name;
  char   *number;
} SpXivoQueue;

/* Queues in one QueueList: a large call centre has hundreds. */
#define SP_XIVO_MAX_QUEUES 4096

/**
 * SpXivoMessage:
 * @type: what the message is
 * @msg_type: `msgType` as sent, or `claz` for a message without one
 * @phone_event: (nullable): for %SP_XIVO_MESSAGE_PHONE_EVENT
 * @phone_events: (nullable) (element-type SpXivoPhoneEvent): for
 *   %SP_XIVO_MESSAGE_CURRENT_CALLS; the calls the server knows of, possibly none
 * @agent_state: (nullable): for %SP_XIVO_MESSAGE_AGENT_STATE
 * @error: (nullable): the server's words, for %SP_XIVO_MESSAGE_LOGGED_ON_ERROR and
 *   %SP_XIVO_MESSAGE_ERROR
 * @auth_failed: for %SP_XIVO_MESSAGE_LOGGED_ON_ERROR: the server refused the session
 *   (`loggedOnFailed`) rather than timing out; retrying at once is pointless
 * @link_status: (nullable): for %SP_XIVO_MESSAGE_LINK_STATUS
 * @user_config: (nullable): for %SP_XIVO_MESSAGE_USER_CONFIG
 * @queues: (nullable) (element-type SpXivoQueue): for %SP_XIVO_MESSAGE_QUEUES; queues
 *   without a name are left out
 *
 * One message received on the CTI WebSocket, classified and checked.
 */
typedef struct
{
  SpXivoMessageType  type;
  char              *msg_type;
  SpXivoPhoneEvent  *phone_event;
  GPtrArray         *phone_events;
  SpXivoAgentState  *agent_state;
  char              *error;
  gboolean           auth_failed;
  char              *link_status;
  SpXivoUserConfig  *user_config;
  GPtrArray         *queues;
} SpXivoMessage;

/**
 * SpXivoLogin:
 * @login: (nullable): the login the server confirms
 * @token: the session token, a secret: never log it
 * @lifetime: how long the token lives, in seconds: from the JWT's `expiresAt` and
 *   `issuedAt` where the token carries them, else from `TTL` (an integer, a float or a
 *   string holding one, as a browser would read it); 0 when neither says usably
 *
 * The answer to `POST /xuc/api/2.0/auth/login`.
 */
typedef struct
{
  char   *login;
  char   *token;
  gint64  lifetime;
} SpXivoLogin;

GQuark            sp_xivo_error_quark            (void);

SpXivoMessage    *sp_xivo_message_parse          (const char        *data,
                                                  gsize              length,
                                                  GError           **error);
void              sp_xivo_message_free           (SpXivoMessage     *message);
const char       *sp_xivo_message_type_to_string (SpXivoMessageType  type);

void              sp_xivo_phone_event_free       (SpXivoPhoneEvent  *event);
const char       *sp_xivo_phone_event_type_to_string (SpXivoPhoneEventType type);
void              sp_xivo_agent_state_free       (SpXivoAgentState  *state);
void              sp_xivo_user_config_free       (SpXivoUserConfig  *config);
SpXivoQueue      *sp_xivo_queue_copy             (const SpXivoQueue *queue);
void              sp_xivo_queue_free             (SpXivoQueue       *queue);

gboolean          sp_xivo_login_parse            (const char        *data,
                                                  gsize              length,
                                                  SpXivoLogin       *out,
                                                  GError           **error);
void              sp_xivo_login_clear            (SpXivoLogin       *login);

char             *sp_xivo_base_path              (const char        *path);
char             *sp_xivo_login_url              (const char        *base_url);
char             *sp_xivo_cti_url                (const char        *base_url,
                                                  const char        *token);

char             *sp_xivo_login_request_new      (const char        *login,
                                                  const char        *password);
char             *sp_xivo_ping_new               (void);
char             *sp_xivo_command_new            (const char        *command,
                                                  ...) G_GNUC_NULL_TERMINATED;
char             *sp_xivo_pause_command_new      (gint64             agent_id,
                                                  const char        *reason);
char             *sp_xivo_unpause_command_new    (gint64             agent_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpXivoMessage, sp_xivo_message_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpXivoPhoneEvent, sp_xivo_phone_event_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpXivoUserConfig, sp_xivo_user_config_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpXivoQueue, sp_xivo_queue_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SpXivoLogin, sp_xivo_login_clear)

G_END_DECLS
