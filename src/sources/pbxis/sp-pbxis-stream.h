/* sp-pbxis-stream.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

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

gboolean             sp_pbxis_parse_transport     (const char           *text,
                                                   SpPbxisTransport     *transport);
const char          *sp_pbxis_transport_to_string (SpPbxisTransport      transport);

#define SP_TYPE_PBXIS_STREAM (sp_pbxis_stream_get_type ())

G_DECLARE_FINAL_TYPE (SpPbxisStream, sp_pbxis_stream, SP, PBXIS_STREAM, GObject)

SpPbxisStream       *sp_pbxis_stream_new          (SoupSession          *session,
                                                   SpPbxisTransport      transport,
                                                   const char           *base_url,
                                                   const char           *ticket,
                                                   guint                 poll_timeout,
                                                   const char           *log_name);
void                 sp_pbxis_stream_open_async   (SpPbxisStream        *self,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean             sp_pbxis_stream_open_finish  (SpPbxisStream        *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);
void                 sp_pbxis_stream_start        (SpPbxisStream        *self);
void                 sp_pbxis_stream_close        (SpPbxisStream        *self);

G_END_DECLS
