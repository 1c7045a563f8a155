/* sp-frame-queue.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-source"

#include "config.h"

#include <sys/socket.h>

#include "sp-frame-queue.h"

/*
 * The receive path of every backend goes through one of these, so that a flood of frames
 * cannot freeze the main loop (issue 12: 100 000 small frames stalled it 6.7 s, the window
 * and the tray with it). A frame is handled at once, exactly as before, while this
 * main-loop iteration has spent less than SP_FRAME_QUEUE_BUDGET_US on frames; beyond
 * that, frames wait here in order and are handled in slices of that budget, one slice per
 * iteration. Nothing is dropped.
 *
 * A main-loop iteration is recognised by g_source_get_time(), which GLib refreshes once
 * per iteration. After a slice that leaves frames behind, the source yields for a
 * millisecond, so that sources of lower priority than G_PRIORITY_DEFAULT (GTK's redraw,
 * idles) get their turn during a flood too.
 */

#define YIELD_US 1000
/* The receive buffer of a connection that brings small frames (Linux doubles it). */
#define SMALL_FRAMES_RCVBUF (16 * 1024)

struct _SpFrameQueue
{
  GSource        *source;
  GQueue          frames;
  gpointer        owner;
  SpFrameFunc     func;
  GDestroyNotify  frame_free;
  gint64          iteration;   /* g_source_get_time() of the iteration spent is for */
  gint64          spent;       /* µs of work on frames in that iteration */
  gboolean        busy;        /* a frame is being handled: a push from it queues */
  gboolean        doomed;      /* freed by the frame being handled: free after it */
};

typedef struct
{
  GSource       source;
  SpFrameQueue *queue;
} QueueSource;

/* Opens a new budget when a new main-loop iteration has begun. */
static void
refresh_budget (SpFrameQueue *self)
{
  gint64 iteration = g_source_get_time (self->source);

  if (iteration != self->iteration)
    {
      self->iteration = iteration;
      self->spent = 0;
    }
}

static void queue_free (SpFrameQueue *self);

/* Returns: FALSE if the queue was freed by the handler (the connection was given up). */
static gboolean
handle (SpFrameQueue *self,
        gpointer      frame)
{
  gint64 start = g_get_monotonic_time ();

  self->busy = TRUE;
  self->func (self->owner, frame);
  self->busy = FALSE;
  if (self->frame_free != NULL)
    self->frame_free (frame);

  if (self->doomed)
    {
      queue_free (self);
      return FALSE;
    }

  self->spent += g_get_monotonic_time () - start;

  return TRUE;
}

static gboolean
queue_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  SpFrameQueue *self = ((QueueSource *) source)->queue;

  refresh_budget (self);

  while (self->frames.length > 0 && self->spent < SP_FRAME_QUEUE_BUDGET_US && !self->busy)
    {
      if (!handle (self, g_queue_pop_head (&self->frames)))
        return G_SOURCE_REMOVE;
    }

  if (self->frames.length == 0)
    g_source_set_ready_time (source, -1);
  else
    g_source_set_ready_time (source, g_get_monotonic_time () + YIELD_US);

  return G_SOURCE_CONTINUE;
}

static GSourceFuncs queue_source_funcs = {
  .dispatch = queue_dispatch,
};

/**
 * sp_frame_new:
 * @bytes: (transfer none): the payload; a reference is taken
 */
SpFrame *
sp_frame_new (int     type,
              GBytes *bytes)
{
  SpFrame *frame = g_new (SpFrame, 1);

  frame->type = type;
  frame->bytes = g_bytes_ref (bytes);

  return frame;
}

void
sp_frame_free (SpFrame *frame)
{
  g_bytes_unref (frame->bytes);
  g_free (frame);
}

/**
 * sp_frame_queue_new:
 * @owner: (not nullable): passed to @func; the queue must be freed before it goes
 * @func: handles one frame
 * @frame_free: (nullable): frees a frame once handled, or when the queue is cleared
 *
 * Returns: (transfer full): a queue attached to the thread-default main context
 */
SpFrameQueue *
sp_frame_queue_new (gpointer       owner,
                    SpFrameFunc    func,
                    GDestroyNotify frame_free)
{
  SpFrameQueue *self = g_new0 (SpFrameQueue, 1);

  self->owner = owner;
  self->func = func;
  self->frame_free = frame_free;
  self->source = g_source_new (&queue_source_funcs, sizeof (QueueSource));
  ((QueueSource *) self->source)->queue = self;
  g_source_set_name (self->source, "[screenpop] incoming frames");
  g_source_set_priority (self->source, G_PRIORITY_DEFAULT);
  g_source_set_ready_time (self->source, -1);
  g_source_attach (self->source, g_main_context_get_thread_default ());
  self->iteration = -1;

  return self;
}

/**
 * sp_frame_queue_push:
 * @frame: (transfer full): the frame
 *
 * Handles @frame now if this iteration's budget allows and nothing waits before it;
 * otherwise queues it behind the others.
 */
void
sp_frame_queue_push (SpFrameQueue *self,
                     gpointer      frame)
{
  g_return_if_fail (self != NULL);

  refresh_budget (self);

  if (self->frames.length == 0 && !self->busy && self->spent < SP_FRAME_QUEUE_BUDGET_US)
    {
      handle (self, frame);
      return;
    }

  g_queue_push_tail (&self->frames, frame);
  if (g_source_get_ready_time (self->source) == -1)
    g_source_set_ready_time (self->source, 0);
}

/**
 * sp_frame_queue_flush:
 *
 * Handles every waiting frame now: before the connection they came on is given up, so that
 * none is lost and none is handled against the next connection's state.
 */
void
sp_frame_queue_flush (SpFrameQueue *self)
{
  g_return_if_fail (self != NULL);

  while (self->frames.length > 0 && !self->busy)
    {
      if (!handle (self, g_queue_pop_head (&self->frames)))
        return;
    }

  if (self->frames.length == 0)
    g_source_set_ready_time (self->source, -1);
}

/**
 * sp_frame_queue_clear:
 *
 * Drops every waiting frame (the account was stopped).
 */
void
sp_frame_queue_clear (SpFrameQueue *self)
{
  gpointer frame;

  g_return_if_fail (self != NULL);

  while ((frame = g_queue_pop_head (&self->frames)) != NULL)
    {
      if (self->frame_free != NULL)
        self->frame_free (frame);
    }
  g_source_set_ready_time (self->source, -1);
}

guint
sp_frame_queue_get_length (SpFrameQueue *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->frames.length;
}

static void
queue_free (SpFrameQueue *self)
{
  sp_frame_queue_clear (self);
  g_source_destroy (self->source);
  g_source_unref (self->source);
  g_free (self);
}

/**
 * sp_frame_queue_free:
 *
 * Drops the waiting frames and the queue; called from a frame's handler, once it returns.
 */
void
sp_frame_queue_free (SpFrameQueue *self)
{
  if (self == NULL)
    return;

  if (self->busy)
    {
      sp_frame_queue_clear (self);
      self->doomed = TRUE;
      return;
    }

  queue_free (self);
}

static void
network_event_cb (SoupMessage        *msg,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            user_data)
{
  g_autoptr(GError) error = NULL;

  if (event != G_SOCKET_CLIENT_CONNECTED || !G_IS_SOCKET_CONNECTION (connection))
    return;

  if (!g_socket_set_option (g_socket_connection_get_socket (G_SOCKET_CONNECTION (connection)),
                            SOL_SOCKET, SO_RCVBUF, SMALL_FRAMES_RCVBUF, &error))
    g_debug ("Could not bound the receive buffer: %s", error->message);
}

/**
 * sp_frame_queue_bound_reads:
 * @msg: the WebSocket upgrade request, before it is sent
 *
 * libsoup 3.2 reads a WebSocket until the socket is empty, then parses every frame it got
 * in one go, moving the rest of its buffer down after each frame: a flood of small frames
 * left megabytes in the kernel's buffer, and one read of them stalled the main loop for
 * 100–200 ms before a single frame reached the queue. A bounded receive buffer keeps one
 * read to a slice's worth of frames; the sender waits on TCP flow control instead. For
 * protocols of small frames only: a bounded buffer also bounds what a slow link carries
 * per round trip.
 */
void
sp_frame_queue_bound_reads (SoupMessage *msg)
{
  g_return_if_fail (SOUP_IS_MESSAGE (msg));

  g_signal_connect (msg, "network-event", G_CALLBACK (network_event_cb), NULL);
}
