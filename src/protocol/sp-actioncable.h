/* sp-actioncable.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define SP_ACTIONCABLE_ERROR (sp_actioncable_error_quark ())

/**
 * SpActioncableError:
 * @SP_ACTIONCABLE_ERROR_MALFORMED: the frame is not well-formed JSON, not an object, or a
 *   known field has the wrong type
 * @SP_ACTIONCABLE_ERROR_TOO_LARGE: the frame is longer than %SP_ACTIONCABLE_MAX_FRAME
 * @SP_ACTIONCABLE_ERROR_INVALID_URL: a base URL that cannot lead to a cable URL
 */
typedef enum
{
  SP_ACTIONCABLE_ERROR_MALFORMED,
  SP_ACTIONCABLE_ERROR_TOO_LARGE,
  SP_ACTIONCABLE_ERROR_INVALID_URL,
} SpActioncableError;

/* Real redmine_rt traffic is a few kilobytes at most: a notification with a handful of
 * buttons. Anything bigger is refused before json-glib sees it. */
#define SP_ACTIONCABLE_MAX_FRAME (1024 * 1024)

/* Deepest nesting of JSON objects and arrays accepted in a frame. A show_notification
 * nests three levels per button level, so this leaves room for
 * SP_REDMINE_COMMAND_MAX_DEPTH levels of buttons plus a post_msg body, while keeping a
 * hostile frame from driving json-glib's recursive parser deep into the stack. */
#define SP_ACTIONCABLE_MAX_DEPTH 64

/**
 * SpActioncableFrameType:
 * @SP_ACTIONCABLE_FRAME_WELCOME: `{"type":"welcome"}`, sent once after the upgrade
 * @SP_ACTIONCABLE_FRAME_PING: `{"type":"ping","message":UNIX_TIME}`, every 3 seconds
 * @SP_ACTIONCABLE_FRAME_CONFIRM: `confirm_subscription` for #SpActioncableFrame.identifier
 * @SP_ACTIONCABLE_FRAME_REJECT: `reject_subscription` for #SpActioncableFrame.identifier
 * @SP_ACTIONCABLE_FRAME_DISCONNECT: the server is closing the connection
 * @SP_ACTIONCABLE_FRAME_MESSAGE: a broadcast on the subscription
 *   #SpActioncableFrame.identifier; #SpActioncableFrame.message is a JSON object
 * @SP_ACTIONCABLE_FRAME_UNKNOWN: a well-formed JSON object that is none of the above (a
 *   type from a newer ActionCable, for instance); to be ignored
 *
 * The kinds of frame an ActionCable server sends (protocol v1, `actioncable-v1-json`).
 */
typedef enum
{
  SP_ACTIONCABLE_FRAME_WELCOME,
  SP_ACTIONCABLE_FRAME_PING,
  SP_ACTIONCABLE_FRAME_CONFIRM,
  SP_ACTIONCABLE_FRAME_REJECT,
  SP_ACTIONCABLE_FRAME_DISCONNECT,
  SP_ACTIONCABLE_FRAME_MESSAGE,
  SP_ACTIONCABLE_FRAME_UNKNOWN,
} SpActioncableFrameType;

/**
 * SpActioncableFrame:
 * @type: what the frame is
 * @identifier: the subscription identifier exactly as the server sent it (for
 *   %SP_ACTIONCABLE_FRAME_CONFIRM, %SP_ACTIONCABLE_FRAME_REJECT and
 *   %SP_ACTIONCABLE_FRAME_MESSAGE; %NULL otherwise). Match it byte for byte against the
 *   identifier that was sent.
 * @ping_time: the server's clock in Unix seconds (%SP_ACTIONCABLE_FRAME_PING; 0 when the
 *   ping carried no time)
 * @reason: why the server disconnects (`unauthorized`, `invalid_request`,
 *   `server_restart`, …), or %NULL when it gave none (%SP_ACTIONCABLE_FRAME_DISCONNECT)
 * @reconnect: whether the client may reconnect (%SP_ACTIONCABLE_FRAME_DISCONNECT);
 *   %TRUE when the server did not say: only an explicit `false` stops reconnecting
 * @message: the broadcast, a node holding a JSON object (%SP_ACTIONCABLE_FRAME_MESSAGE;
 *   %NULL otherwise)
 *
 * One frame received from an ActionCable server, classified and checked.
 */
typedef struct
{
  SpActioncableFrameType type;
  char *identifier;
  gint64 ping_time;
  char *reason;
  gboolean reconnect;
  JsonNode *message;
} SpActioncableFrame;

GQuark              sp_actioncable_error_quark      (void);

JsonNode           *sp_actioncable_parse_object     (const char   *data,
                                                     gsize         length,
                                                     GError      **error);

SpActioncableFrame *sp_actioncable_frame_parse      (const char   *data,
                                                     gsize         length,
                                                     GError      **error);
void                sp_actioncable_frame_free       (SpActioncableFrame *frame);
const char         *sp_actioncable_frame_type_to_string (SpActioncableFrameType type);

char               *sp_actioncable_identifier_new   (const char   *channel_class,
                                                     const char   *name);
char               *sp_actioncable_subscribe_new    (const char   *identifier);
char               *sp_actioncable_unsubscribe_new  (const char   *identifier);

char               *sp_actioncable_base_url_normalize (const char *base_url,
                                                       GError    **error);
char               *sp_actioncable_cable_url        (const char   *base_url,
                                                     GError      **error);

void                sp_actioncable_append_json_string (GString    *out,
                                                       const char *str);
void                sp_actioncable_append_json_node (GString      *out,
                                                     JsonNode     *node);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpActioncableFrame, sp_actioncable_frame_free)

G_END_DECLS
