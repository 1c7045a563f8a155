/* sp-pbxis-source.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-pbxis.h"
#include "sp-source.h"

G_BEGIN_DECLS

/**
 * SpPbxisTransport:
 * @SP_PBXIS_TRANSPORT_WEBSOCKET: `/TICKET/websocket`, one JSON text frame per event
 * @SP_PBXIS_TRANSPORT_SSE: `/TICKET/sse`, Server-Sent Events
 * @SP_PBXIS_TRANSPORT_LONG_POLL: `/TICKET/long-poll`, JSON arrays
 */
typedef enum
{
  SP_PBXIS_TRANSPORT_WEBSOCKET,
  SP_PBXIS_TRANSPORT_SSE,
  SP_PBXIS_TRANSPORT_LONG_POLL,
} SpPbxisTransport;

#define SP_TYPE_PBXIS_SOURCE (sp_pbxis_source_get_type ())

G_DECLARE_FINAL_TYPE (SpPbxisSource, sp_pbxis_source, SP, PBXIS_SOURCE, SpSource)

SpSource            *sp_pbxis_source_new                (SpAccount      *account);
char                *sp_pbxis_source_normalize_url      (const char     *url,
                                                         GError        **error);
gboolean             sp_pbxis_parse_transport           (const char     *text,
                                                         SpPbxisTransport *transport);
char               **sp_pbxis_source_dup_queues         (SpPbxisSource  *self);
SpPbxisMemberStatus  sp_pbxis_source_get_membership     (SpPbxisSource  *self,
                                                         const char     *queue);
gint64               sp_pbxis_source_get_queue_count    (SpPbxisSource  *self,
                                                         const char     *queue);
const char          *sp_pbxis_source_get_agent_name     (SpPbxisSource  *self);

G_END_DECLS
