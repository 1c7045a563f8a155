/* sp-pbxis-source.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-pbxis.h"
#include "sp-pbxis-board.h"
#include "sp-pbxis-stream.h"
#include "sp-source.h"

G_BEGIN_DECLS

/* Account options (the "options" key) of the pbxis kind, read by the source and written by
 * its page of the account editor. */

/* How events come: "websocket" (the default), "sse" or "long-poll"; see SpPbxisTransport. */
#define SP_PBXIS_OPTION_TRANSPORT "transport"
/* The queues of the status view and the queue counts, comma-separated. */
#define SP_PBXIS_OPTION_QUEUES "queues"
/* "true": ask for the queue summary events too. */
#define SP_PBXIS_OPTION_SUMMARY_EVENTS "summary-events"
/* The server's :poll-timeout-seconds, if not 30. */
#define SP_PBXIS_OPTION_POLL_TIMEOUT "poll-timeout"
/* The caller id of outgoing calls (originate's `callerId`); empty: Asterisk's default. */
#define SP_PBXIS_OPTION_CALLER_ID "caller-id"
/* The first agent's name in the queues it logs on to (`memberName`). */
#define SP_PBXIS_OPTION_MEMBER_NAME "member-name"
/* "true": the status view offers resetting the queues' statistics. */
#define SP_PBXIS_OPTION_SUPERVISOR "supervisor"

#define SP_TYPE_PBXIS_SOURCE (sp_pbxis_source_get_type ())

G_DECLARE_FINAL_TYPE (SpPbxisSource, sp_pbxis_source, SP, PBXIS_SOURCE, SpSource)

SpSource            *sp_pbxis_source_new                (SpAccount      *account);
char                *sp_pbxis_source_normalize_url      (const char     *url,
                                                         GError        **error);
SpPbxisBoard        *sp_pbxis_source_get_board          (SpPbxisSource  *self);

void                 sp_pbxis_source_queue_action_async   (SpPbxisSource       *self,
                                                           SpSourceAction       action,
                                                           const char          *agent,
                                                           const char          *queue,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean             sp_pbxis_source_queue_action_finish  (SpPbxisSource       *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
void                 sp_pbxis_source_reset_queue_async    (SpPbxisSource       *self,
                                                           const char          *queue,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean             sp_pbxis_source_reset_queue_finish   (SpPbxisSource       *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
void                 sp_pbxis_source_refresh_queues_async (SpPbxisSource       *self,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean             sp_pbxis_source_refresh_queues_finish (SpPbxisSource      *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

G_END_DECLS
