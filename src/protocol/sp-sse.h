/* sp-sse.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SP_SSE_ERROR (sp_sse_error_quark ())

/**
 * SpSseError:
 * @SP_SSE_ERROR_TOO_LARGE: one event (or one line of the stream) grew beyond the parser's
 *   maximum event size; the stream cannot be trusted any more
 * @SP_SSE_ERROR_FAILED: the parser already failed; feed a new one
 */
typedef enum
{
  SP_SSE_ERROR_TOO_LARGE,
  SP_SSE_ERROR_FAILED,
} SpSseError;

/* pbxis-ws events are a few hundred bytes; summaries of a big call centre a few tens of
 * kilobytes. Anything beyond this is not an event we can use. */
#define SP_SSE_DEFAULT_MAX_EVENT_SIZE (1024 * 1024)

/**
 * SpSseEvent:
 * @type: the event type: the last `event:` field, or "message" when there was none
 * @data: the `data:` fields joined with "\n" (always valid UTF-8, may contain U+0000 if the
 *   stream did: use @data_len)
 * @data_len: the length of @data in bytes
 * @id: (nullable): the last event id the stream set (it persists across events), or %NULL
 *
 * One dispatched Server-Sent Event, as the WHATWG "event stream interpretation" defines it.
 */
typedef struct
{
  char  *type;
  char  *data;
  gsize  data_len;
  char  *id;
} SpSseEvent;

typedef struct _SpSseParser SpSseParser;

GQuark       sp_sse_error_quark         (void);

SpSseParser *sp_sse_parser_new          (gsize         max_event_size);
void         sp_sse_parser_free         (SpSseParser  *self);
gboolean     sp_sse_parser_feed         (SpSseParser  *self,
                                         const char   *data,
                                         gsize         length,
                                         GError      **error);
SpSseEvent  *sp_sse_parser_pop          (SpSseParser  *self);
guint        sp_sse_parser_get_n_pending (SpSseParser *self);
gint64       sp_sse_parser_get_retry    (SpSseParser  *self);
const char  *sp_sse_parser_get_last_id  (SpSseParser  *self);
gsize        sp_sse_parser_get_buffered (SpSseParser  *self);

void         sp_sse_event_free          (SpSseEvent   *event);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpSseParser, sp_sse_parser_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpSseEvent, sp_sse_event_free)

G_END_DECLS
