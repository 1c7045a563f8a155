/* sp-xivo-webservice.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SP_XIVO_WS_ERROR (sp_xivo_ws_error_quark ())

/**
 * SpXivoWsError:
 * @SP_XIVO_WS_ERROR_MALFORMED: the answer is not JSON, not an object, or not of the shape
 *   the contract describes
 * @SP_XIVO_WS_ERROR_TOO_LARGE: the answer is longer than %SP_XIVO_WS_MAX_RESPONSE
 * @SP_XIVO_WS_ERROR_INVALID: the answer is well-formed but asks for something that cannot
 *   be done: an unknown `action` or `event`, a missing `url`, a `run` without executable
 */
typedef enum
{
  SP_XIVO_WS_ERROR_MALFORMED,
  SP_XIVO_WS_ERROR_TOO_LARGE,
  SP_XIVO_WS_ERROR_INVALID,
} SpXivoWsError;

/* A real answer is a few hundred bytes. */
#define SP_XIVO_WS_MAX_RESPONSE (64 * 1024)
#define SP_XIVO_WS_MAX_URL 8192
#define SP_XIVO_WS_MAX_TEXT 1024
#define SP_XIVO_WS_MAX_ARGS 64
#define SP_XIVO_WS_MAX_ARG 4096

/**
 * SpXivoWsAction:
 * @SP_XIVO_WS_ACTION_NONE: `none`: nothing to show
 * @SP_XIVO_WS_ACTION_OPEN: `open`: show `url` (the agent app's side pane; the desktop's
 *   browser here)
 * @SP_XIVO_WS_ACTION_POPUP: `popup`: show `url` in a browser window or tab
 * @SP_XIVO_WS_ACTION_RUN: `run`: start an executable (the desktop assistant's action)
 */
typedef enum
{
  SP_XIVO_WS_ACTION_NONE,
  SP_XIVO_WS_ACTION_OPEN,
  SP_XIVO_WS_ACTION_POPUP,
  SP_XIVO_WS_ACTION_RUN,
} SpXivoWsAction;

/**
 * SpXivoWsEvent:
 * @SP_XIVO_WS_EVENT_NEVER: no `event`: allowed only with `none`, and then nothing fires
 * @SP_XIVO_WS_EVENT_RINGING: `EventRinging`: at once
 * @SP_XIVO_WS_EVENT_ESTABLISHED: `EventEstablished`: when the call is answered
 * @SP_XIVO_WS_EVENT_RELEASED: `EventReleased`: when the call ends, if it was answered
 */
typedef enum
{
  SP_XIVO_WS_EVENT_NEVER,
  SP_XIVO_WS_EVENT_RINGING,
  SP_XIVO_WS_EVENT_ESTABLISHED,
  SP_XIVO_WS_EVENT_RELEASED,
} SpXivoWsEvent;

/**
 * SpXivoWsRequest:
 * @callee: (nullable): the agent's ringing number (`DN`)
 * @caller: (nullable): the remote party (`otherDN`)
 * @call_id: (nullable): `callDataCallId` (`linkedId`)
 * @user_data: (nullable) (element-type utf8 utf8): `userData`, the call's variables
 * @queue_name: (nullable): the queue; `queue` is sent only when it is set
 * @queue_display_name: (nullable): the queue's display name, where known
 * @queue_number: (nullable): the queue's number, where known
 * @queue_id: the queue's id, or 0 when unknown
 * @user_id: the XiVO user id, or 0 when unknown
 * @agent_id: the XiVO agent id, or 0 when unknown
 * @first_name: (nullable): the agent's first name
 * @last_name: (nullable): the agent's last name
 * @full_name: (nullable): the agent's full name
 * @token: (nullable): the agent's live CTI token (XiVO accounts only): a secret
 *
 * What the third-party web service is told about a ringing call. Unknown values are left
 * out of the JSON, as the agent web app's JSON.stringify() leaves out undefined ones.
 */
typedef struct
{
  const char *callee;
  const char *caller;
  const char *call_id;
  GHashTable *user_data;
  const char *queue_name;
  const char *queue_display_name;
  const char *queue_number;
  gint64      queue_id;
  gint64      user_id;
  gint64      agent_id;
  const char *first_name;
  const char *last_name;
  const char *full_name;
  const char *token;
} SpXivoWsRequest;

/**
 * SpXivoWsResponse:
 * @action: what to do
 * @event: when
 * @url: (nullable): the page for `open` and `popup` (never %NULL for them); for `run`, the
 *   executable when @executable is not given
 * @title: (nullable): the window or tab title
 * @multitab: with `popup`, a new window each time
 * @executable: (nullable): for `run`, what to start (never %NULL for `run`: @url stands in)
 * @executable_args: (nullable) (array zero-terminated=1): for `run`, the arguments after the
 *   executable, as given
 * @autopause: pause the agent when the action fires, until the work is marked done
 * @autopause_reason: (nullable): the pause reason to give
 * @notes: (nullable): what was read leniently, as the browser would (a `"false"` string
 *   taken as true, a 0 as false), for a log line
 *
 * The third-party web service's answer, checked.
 */
typedef struct
{
  SpXivoWsAction   action;
  SpXivoWsEvent    event;
  char            *url;
  char            *title;
  gboolean         multitab;
  char            *executable;
  char           **executable_args;
  gboolean         autopause;
  char            *autopause_reason;
  char            *notes;
} SpXivoWsResponse;

GQuark            sp_xivo_ws_error_quark          (void);
char             *sp_xivo_ws_request_to_json      (const SpXivoWsRequest *request);
SpXivoWsResponse *sp_xivo_ws_response_parse       (const char            *data,
                                                   gsize                  length,
                                                   GError               **error);
void              sp_xivo_ws_response_free        (SpXivoWsResponse      *response);
const char       *sp_xivo_ws_action_to_string     (SpXivoWsAction         action);
const char       *sp_xivo_ws_event_to_string      (SpXivoWsEvent          event);
char             *sp_xivo_third_party_login_url   (const char            *url_template,
                                                   const char            *login,
                                                   const char            *token,
                                                   const char            *xivocc_host,
                                                   GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpXivoWsResponse, sp_xivo_ws_response_free)

G_END_DECLS
