/* sp-frame-queue.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-source"

#include "config.h"

#include <sys/socket.h>

#include "sp-frame-queue.h"
#include "sp-paced-input-stream.h"
#include "sp-paced-proxy.h"

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
 *
 * A queue that paces its connection (sp_frame_queue_pace()) also bounds what comes in:
 * the connection reads at most READ_BUDGET bytes per iteration, and nothing while frames
 * wait here, so that a flood waits in the kernel (and the sender) rather than in memory,
 * and the library's read loop, which handles every frame it reads in one go, stays short.
 */

#define YIELD_US 1000
/* The receive buffer of a connection that brings small frames (Linux doubles it). */
#define SMALL_FRAMES_RCVBUF (16 * 1024)
/* What a paced connection may read per main-loop iteration: about a hundred small frames,
 * well under a millisecond of parsing. */
#define READ_BUDGET (8 * 1024)

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
  SoupMessage    *msg;         /* the connection request being watched for its stream */
  gulong          msg_handler;
  SpPacedInputStream *paced;   /* the input of the connection the frames come on */
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

/* The connection reads while nothing waits here. */
static void
update_pace (SpFrameQueue *self)
{
  if (self->paced != NULL)
    sp_paced_input_stream_set_paused (self->paced, self->frames.length > 0);
}

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
  update_pace (self);

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
  update_pace (self);
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
  update_pace (self);
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
  update_pace (self);
}

guint
sp_frame_queue_get_length (SpFrameQueue *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->frames.length;
}

static void
forget_msg (SpFrameQueue *self)
{
  if (self->msg != NULL)
    g_clear_signal_handler (&self->msg_handler, self->msg);
  g_clear_object (&self->msg);
}

static void
queue_free (SpFrameQueue *self)
{
  sp_frame_queue_clear (self);
  forget_msg (self);
  g_clear_object (&self->paced);
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
  SpFrameQueue *self = user_data;
  g_autoptr(GError) error = NULL;
  GInputStream *input;

  switch (event)
    {
    case G_SOCKET_CLIENT_CONNECTED:
      /* Fewer bytes in the kernel for the sender to refill at once; TCP flow control holds
       * it back sooner. */
      if (G_IS_SOCKET_CONNECTION (connection) &&
          !g_socket_set_option (g_socket_connection_get_socket (G_SOCKET_CONNECTION (connection)),
                                SOL_SOCKET, SO_RCVBUF, SMALL_FRAMES_RCVBUF, &error))
        g_debug ("Could not bound the receive buffer: %s", error->message);
      break;

    case G_SOCKET_CLIENT_PROXY_NEGOTIATED:
      /* sp-paced-proxy.c wrapped the connection: its input is ours to pace. */
      input = connection != NULL ? g_io_stream_get_input_stream (connection) : NULL;
      if (SP_IS_PACED_INPUT_STREAM (input))
        {
          g_set_object (&self->paced, SP_PACED_INPUT_STREAM (input));
          sp_paced_input_stream_set_budget (self->paced, READ_BUDGET);
          update_pace (self);
        }
      break;

    case G_SOCKET_CLIENT_RESOLVING:
    case G_SOCKET_CLIENT_RESOLVED:
    case G_SOCKET_CLIENT_CONNECTING:
    case G_SOCKET_CLIENT_PROXY_NEGOTIATING:
    case G_SOCKET_CLIENT_TLS_HANDSHAKING:
    case G_SOCKET_CLIENT_TLS_HANDSHAKED:
    case G_SOCKET_CLIENT_COMPLETE:
    default:
      break;
    }
}

/**
 * sp_frame_queue_pace:
 * @session: the session @msg is sent on; its connections are made through
 *   sp_paced_proxy_get_resolver() from now on (unpaced unless a queue claims one)
 * @msg: the WebSocket upgrade request, before it is sent
 *
 * Makes the connection @msg opens read at the pace of this queue: at most READ_BUDGET
 * bytes per main-loop iteration, and nothing while frames wait here. libsoup 3.2 reads a
 * WebSocket until the socket is empty and handles every frame it got in one go: while a
 * server kept the socket full (a flood of small frames), that loop held the main loop
 * 200–450 ms at a time and queued the whole flood in memory. Its receive buffer is also
 * bounded, for protocols of small frames only: a bounded buffer also bounds what a slow
 * link carries per round trip.
 */
void
sp_frame_queue_pace (SpFrameQueue *self,
                     SoupSession  *session,
                     SoupMessage  *msg)
{
  GProxyResolver *paced = sp_paced_proxy_get_resolver ();

  g_return_if_fail (self != NULL);
  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (SOUP_IS_MESSAGE (msg));

  if (soup_session_get_proxy_resolver (session) != paced)
    soup_session_set_proxy_resolver (session, paced);

  /* A new connection: the old one's input is no longer ours to hold back. */
  forget_msg (self);
  if (self->paced != NULL)
    sp_paced_input_stream_set_paused (self->paced, FALSE);
  g_clear_object (&self->paced);

  self->msg = g_object_ref (msg);
  self->msg_handler = g_signal_connect (msg, "network-event", G_CALLBACK (network_event_cb),
                                        self);
}
