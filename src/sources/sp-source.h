/* sp-source.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sp-account.h"
#include "sp-call-event.h"

G_BEGIN_DECLS

/* Only redmine sources emit commands; the generic API names the type without pulling in
 * the protocol's header (sp-redmine-command.h). */
typedef struct _SpRedmineCommand SpRedmineCommand;

/**
 * SpSourceState:
 * @SP_SOURCE_STATE_DISCONNECTED: stopped (disabled, or not started)
 * @SP_SOURCE_STATE_CONNECTING: an attempt is under way
 * @SP_SOURCE_STATE_CONNECTED: live
 * @SP_SOURCE_STATE_RECONNECTING: waiting for the next attempt (see #SpSource:retry-time)
 * @SP_SOURCE_STATE_FAILED: gave up; only a settings change or the user starts it again
 * @SP_SOURCE_STATE_AUTH_FAILED: the server rejected the credentials; no retry until the
 *   settings change or the user asks
 */
typedef enum
{
  SP_SOURCE_STATE_DISCONNECTED,
  SP_SOURCE_STATE_CONNECTING,
  SP_SOURCE_STATE_CONNECTED,
  SP_SOURCE_STATE_RECONNECTING,
  SP_SOURCE_STATE_FAILED,
  SP_SOURCE_STATE_AUTH_FAILED,
} SpSourceState;

/**
 * SpAgentState:
 * @SP_AGENT_STATE_NONE: no agent to speak of: the backend has none, the link is down, or
 *   the server has not said yet
 * @SP_AGENT_STATE_LOGGED_OUT: the agent is known but signed out of every queue
 * @SP_AGENT_STATE_READY: the agent takes calls (on a call or in wrap-up counts as ready)
 * @SP_AGENT_STATE_PAUSED: the agent is signed in but paused: no queue calls
 *
 * A source that can pause its agent performs %SP_SOURCE_ACTION_PAUSE and
 * %SP_SOURCE_ACTION_UNPAUSE, agent-wide, and keeps #SpSource:agent-state up to date.
 */
typedef enum
{
  SP_AGENT_STATE_NONE,
  SP_AGENT_STATE_LOGGED_OUT,
  SP_AGENT_STATE_READY,
  SP_AGENT_STATE_PAUSED,
} SpAgentState;

/**
 * SpSourceAction:
 * @SP_SOURCE_ACTION_ANSWER: answer the ringing call named by @call_id; no parameter
 * @SP_SOURCE_ACTION_HANGUP: end the call named by @call_id (without one: the user's current
 *   call); no parameter
 * @SP_SOURCE_ACTION_DIAL: call a number from the user's own phone; parameter `s`: the number
 *   as typed (a tel:, callto: or sip: link is accepted); sp_source_perform_async() hands the
 *   backend the digits of sp_dial_normalize(), and refuses what is no number
 *   (%SP_SOURCE_ERROR_FAILED)
 * @SP_SOURCE_ACTION_PAUSE: pause the agent in every queue; parameter: none, or `s`: the
 *   reason, for a backend that records one
 * @SP_SOURCE_ACTION_UNPAUSE: resume the agent in every queue; no parameter
 * @SP_SOURCE_ACTION_QUEUE_ADD: log the agent on to one queue; parameter `s`: the queue
 * @SP_SOURCE_ACTION_QUEUE_REMOVE: log the agent off one queue; parameter `s`: the queue
 * @SP_SOURCE_ACTION_QUEUE_PAUSE: pause the agent in one queue; parameter `s`: the queue
 * @SP_SOURCE_ACTION_QUEUE_UNPAUSE: resume the agent in one queue; parameter `s`: the queue
 * @SP_SOURCE_ACTION_POST_MESSAGE: post a message to a channel of the server; parameter
 *   `(ss)`: the channel name and the message as JSON text
 *
 * What sp_source_perform_async() can be asked to do, with the #GVariant parameter each
 * takes. Which of them a source can do, and when, says sp_source_can_perform().
 *
 * A verb that arrives as text (a notification button's action id over D-Bus) is the
 * value's nick ("answer", "queue-pause", …): convert it with
 * sp_source_action_from_string(), and make the text with sp_source_action_to_string().
 */
typedef enum
{
  SP_SOURCE_ACTION_ANSWER,
  SP_SOURCE_ACTION_HANGUP,
  SP_SOURCE_ACTION_DIAL,
  SP_SOURCE_ACTION_PAUSE,
  SP_SOURCE_ACTION_UNPAUSE,
  SP_SOURCE_ACTION_QUEUE_ADD,
  SP_SOURCE_ACTION_QUEUE_REMOVE,
  SP_SOURCE_ACTION_QUEUE_PAUSE,
  SP_SOURCE_ACTION_QUEUE_UNPAUSE,
  SP_SOURCE_ACTION_POST_MESSAGE,
} SpSourceAction;

#define SP_SOURCE_ERROR (sp_source_error_quark ())

/**
 * SpSourceError:
 * @SP_SOURCE_ERROR_FAILED: a network or protocol failure; retried with back-off
 * @SP_SOURCE_ERROR_AUTH: the credentials were rejected; not retried
 * @SP_SOURCE_ERROR_REFUSED: the server answered and refused us (address list, connection
 *   limit, 404 for a mistyped address); retried slowly
 * @SP_SOURCE_ERROR_FATAL: the server told us to stop (e.g. the connection was taken over);
 *   not retried
 * @SP_SOURCE_ERROR_CONFIG: the account's settings cannot work; not retried
 * @SP_SOURCE_ERROR_TIMEOUT: the server went silent; retried with back-off
 * @SP_SOURCE_ERROR_UNSUPPORTED: the source cannot perform this action
 * @SP_SOURCE_ERROR_CERTIFICATE: the server's TLS certificate is not trusted; not retried
 *   until the user trusts it (see sp_source_error_get_certificate()) or the settings change
 */
typedef enum
{
  SP_SOURCE_ERROR_FAILED,
  SP_SOURCE_ERROR_AUTH,
  SP_SOURCE_ERROR_REFUSED,
  SP_SOURCE_ERROR_FATAL,
  SP_SOURCE_ERROR_CONFIG,
  SP_SOURCE_ERROR_TIMEOUT,
  SP_SOURCE_ERROR_UNSUPPORTED,
  SP_SOURCE_ERROR_CERTIFICATE,
} SpSourceError;

GError     *sp_source_error_new_certificate (const char   *fingerprint,
                                             const char   *format,
                                             ...) G_GNUC_PRINTF (2, 3);
const char *sp_source_error_get_certificate (const GError *error);

/**
 * SpUserFacts:
 * @agent_id: the user's agent id on the server, 0 when unknown
 * @token: (nullable): a live credential of the user's session that a third-party web
 *   service may be given (the XiVO CTI token); never to be logged
 * @user_id: the user's id on the server, 0 when unknown
 * @first_name: (nullable): the user's first name, as the server's user record has it
 * @last_name: (nullable): the user's last name
 * @full_name: (nullable): the user's full name
 *
 * What a connected source knows of its user beyond the account's settings: what the
 * third-party web service sends for a call (see sp_source_get_user_facts()). Clear with
 * sp_user_facts_clear().
 */
typedef struct
{
  gint64  agent_id;
  char   *token;
  gint64  user_id;
  char   *first_name;
  char   *last_name;
  char   *full_name;
} SpUserFacts;

void sp_user_facts_clear (SpUserFacts *facts);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SpUserFacts, sp_user_facts_clear)

/**
 * SpQueueFacts:
 * @id: the queue's id on the server, 0 when unknown
 * @display_name: (nullable): the name people read
 * @number: (nullable): the queue's number
 *
 * What a connected source knows of a queue its calls name (see
 * sp_source_get_queue_facts()). Clear with sp_queue_facts_clear().
 */
typedef struct
{
  gint64  id;
  char   *display_name;
  char   *number;
} SpQueueFacts;

void sp_queue_facts_clear (SpQueueFacts *facts);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SpQueueFacts, sp_queue_facts_clear)

#define SP_TYPE_SOURCE (sp_source_get_type ())

G_DECLARE_DERIVABLE_TYPE (SpSource, sp_source, SP, SOURCE, GObject)

/**
 * SpSourceClass:
 * @connect_async: open the connection; complete once it is live (or failed). The base
 *   class passes one #GCancellable per attempt and cancels it on stop and at the deadline
 *   (sp_source_set_connect_timeout()).
 * @connect_finish: finish @connect_async
 * @disconnect: drop the connection and everything that belongs to it; called before every
 *   new attempt and on stop. Must not emit anything.
 * @can_perform: whether @action is possible now
 * @perform_async: perform @action on the call @call_id (may be %NULL) with @param (of the
 *   type #SpSourceAction documents for @action; a floating @param is consumed)
 * @perform_finish: finish @perform_async
 * @get_user_facts: fill in what the server told of the user (see #SpUserFacts); optional,
 *   the default knows nothing
 * @get_queue_facts: fill in what the server told of the queue named @name (see
 *   #SpQueueFacts) and return whether it knows it; optional, the default knows none
 */
struct _SpSourceClass
{
  GObjectClass parent_class;

  void     (*connect_async)  (SpSource            *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data);
  gboolean (*connect_finish) (SpSource            *self,
                              GAsyncResult        *result,
                              GError             **error);
  void     (*disconnect)     (SpSource            *self);
  gboolean (*can_perform)    (SpSource            *self,
                              SpSourceAction       action);
  void     (*perform_async)  (SpSource            *self,
                              SpSourceAction       action,
                              const char          *call_id,
                              GVariant            *param,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data);
  gboolean (*perform_finish) (SpSource            *self,
                              GAsyncResult        *result,
                              GError             **error);
  void     (*get_user_facts) (SpSource            *self,
                              SpUserFacts         *facts);
  gboolean (*get_queue_facts) (SpSource           *self,
                               const char         *name,
                               SpQueueFacts       *facts);

  /*< private >*/
  gpointer padding[6];
};

GQuark         sp_source_error_quark       (void);
SpAccount     *sp_source_get_account       (SpSource        *self);
const char    *sp_source_get_account_id    (SpSource        *self);
SpSourceState  sp_source_get_state         (SpSource        *self);
const char    *sp_source_get_error_message (SpSource        *self);
gint64         sp_source_get_retry_time    (SpSource        *self);
guint          sp_source_get_attempt       (SpSource        *self);
void           sp_source_start             (SpSource        *self);
void           sp_source_stop              (SpSource        *self);
void           sp_source_retry_now         (SpSource        *self);
gboolean       sp_source_can_perform       (SpSource        *self,
                                            SpSourceAction   action);
void           sp_source_perform_async     (SpSource        *self,
                                            SpSourceAction   action,
                                            const char      *call_id,
                                            GVariant        *param,
                                            GCancellable    *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer         user_data);
gboolean       sp_source_perform_finish    (SpSource        *self,
                                            GAsyncResult    *result,
                                            GError         **error);
const char    *sp_source_state_to_string   (SpSourceState    state);
const char    *sp_source_action_to_string  (SpSourceAction   action);
gboolean       sp_source_action_from_string (const char     *string,
                                            SpSourceAction  *action);
const char    *sp_source_get_detail        (SpSource        *self);
char          *sp_source_dup_status        (SpSource        *self);
const char    *sp_source_get_untrusted_certificate (SpSource *self);
SpAgentState   sp_source_get_agent_state   (SpSource        *self);
gboolean       sp_source_can_toggle_agent  (SpSource        *self);
void           sp_source_set_transient_secret (SpSource     *self,
                                            const char      *secret);
void           sp_source_get_user_facts    (SpSource        *self,
                                            SpUserFacts     *facts);
gboolean       sp_source_get_queue_facts   (SpSource        *self,
                                            const char      *name,
                                            SpQueueFacts    *facts);

/* For subclasses. */
SpCallEvent   *sp_source_new_call_event    (SpSource        *self,
                                            const char      *call_id,
                                            SpCallEventKind  kind);
void           sp_source_emit_call_event   (SpSource        *self,
                                            SpCallEvent     *event);
void           sp_source_emit_command      (SpSource        *self,
                                            SpRedmineCommand *command);
void           sp_source_set_detail        (SpSource        *self,
                                            const char      *detail);
void           sp_source_set_agent_state   (SpSource        *self,
                                            SpAgentState     agent_state);
void           sp_source_lookup_secret_async  (SpSource     *self,
                                            GCancellable    *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer         user_data);
char          *sp_source_lookup_secret_finish (SpSource     *self,
                                            GAsyncResult    *result,
                                            GError         **error);
void           sp_source_store_secret_async   (SpSource     *self,
                                            const char      *secret,
                                            GCancellable    *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer         user_data);
gboolean       sp_source_store_secret_finish  (SpSource     *self,
                                            GAsyncResult    *result,
                                            GError         **error);
void           sp_source_connection_lost   (SpSource        *self,
                                            const GError    *error);
void           sp_source_touch             (SpSource        *self);
void           sp_source_set_liveness_timeout (SpSource     *self,
                                            guint            msec);
void           sp_source_set_connect_timeout  (SpSource     *self,
                                            guint            msec);
GCancellable  *sp_source_get_cancellable   (SpSource        *self);

G_END_DECLS
