/* sp-pbxis-source.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-pbxis.h"
#include "sp-pbxis-stream.h"
#include "sp-source.h"

G_BEGIN_DECLS

/* Account options (the "options" key) of the pbxis kind, read by the source and written by
 * its page of the account editor. */

/* How events come: "websocket" (the default), "sse" or "long-poll"; see SpPbxisTransport. */
#define SP_PBXIS_OPTION_TRANSPORT "transport"
/* The queues for the agent panel and the queue counts, comma-separated. */
#define SP_PBXIS_OPTION_QUEUES "queues"
/* "true": ask for the queue summary events too. */
#define SP_PBXIS_OPTION_SUMMARY_EVENTS "summary-events"
/* The server's :poll-timeout-seconds, if not 30. */
#define SP_PBXIS_OPTION_POLL_TIMEOUT "poll-timeout"

#define SP_TYPE_PBXIS_SOURCE (sp_pbxis_source_get_type ())

G_DECLARE_FINAL_TYPE (SpPbxisSource, sp_pbxis_source, SP, PBXIS_SOURCE, SpSource)

SpSource            *sp_pbxis_source_new                (SpAccount      *account);
char                *sp_pbxis_source_normalize_url      (const char     *url,
                                                         GError        **error);
char               **sp_pbxis_source_dup_queues         (SpPbxisSource  *self);
SpPbxisMemberStatus  sp_pbxis_source_get_membership     (SpPbxisSource  *self,
                                                         const char     *queue);
gint64               sp_pbxis_source_get_queue_count    (SpPbxisSource  *self,
                                                         const char     *queue);
const char          *sp_pbxis_source_get_agent_name     (SpPbxisSource  *self);

G_END_DECLS
