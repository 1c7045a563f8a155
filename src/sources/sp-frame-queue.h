/* sp-frame-queue.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* At most this much work on incoming frames per main-loop iteration, in microseconds. */
#define SP_FRAME_QUEUE_BUDGET_US 5000

typedef struct _SpFrameQueue SpFrameQueue;

/**
 * SpFrame:
 * @type: the WebSocket data type (a #SoupWebsocketDataType)
 * @bytes: the payload
 *
 * A WebSocket message as it waits in a queue.
 */
typedef struct
{
  int     type;
  GBytes *bytes;
} SpFrame;

SpFrame      *sp_frame_new              (int             type,
                                         GBytes         *bytes);
void          sp_frame_free             (SpFrame        *frame);

/**
 * SpFrameFunc:
 * @owner: the owner given to sp_frame_queue_new()
 * @frame: one frame, as pushed
 *
 * Handles one frame, as the receive path did before it was queued.
 */
typedef void (*SpFrameFunc) (gpointer owner,
                             gpointer frame);

SpFrameQueue *sp_frame_queue_new        (gpointer        owner,
                                         SpFrameFunc     func,
                                         GDestroyNotify  frame_free);
void          sp_frame_queue_push       (SpFrameQueue   *self,
                                         gpointer        frame);
void          sp_frame_queue_flush      (SpFrameQueue   *self);
void          sp_frame_queue_clear      (SpFrameQueue   *self);
guint         sp_frame_queue_get_length (SpFrameQueue   *self);
void          sp_frame_queue_free       (SpFrameQueue   *self);

void          sp_frame_queue_pace       (SpFrameQueue   *self,
                                         SoupSession    *session,
                                         SoupMessage    *msg);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpFrameQueue, sp_frame_queue_free)

G_END_DECLS
