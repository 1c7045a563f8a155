/* sp-paced-input-stream.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-source"

#include "config.h"

#include "sp-paced-input-stream.h"

/*
 * The input side of a connection, read at the pace its owner can handle (issue 12, "no
 * freeze under a flood"). libsoup 3.2's WebSocket reads its socket in a loop until a read
 * would block, parsing and emitting every frame as it goes, all in one main-loop callback:
 * a server that keeps the socket full (100 000 small frames as fast as it can write) kept
 * that loop, and the main loop, busy for 200–450 ms at a time, and left every frame of the
 * flood in memory (+150 MB). Nothing in libsoup's API bounds that loop; the stream it reads
 * can. This one hands out at most a budget of bytes per main-loop iteration, and nothing
 * while its owner is paused (its queue of frames has a backlog): a read then says it would
 * block, which ends libsoup's loop, and the bytes wait in the kernel, where TCP flow
 * control holds the sender back. Until a budget and a pause are set it passes every read
 * straight through, so plain HTTP on the same session is not slowed.
 *
 * While reading is held back, the source a reader polls does not wake when the socket is
 * readable (it still is): a paused stream wakes its readers when it is resumed, one that
 * spent its budget after a millisecond, so that sources of lower priority (GTK's redraw)
 * get their turn in between rather than finding a ready source of ours at every iteration.
 */

#define YIELD_MS 1

struct _SpPacedInputStream
{
  GInputStream  parent_instance;

  GIOStream    *connection;  /* owns the base stream */
  GInputStream *base;        /* pollable */
  GSource      *clock;       /* never dispatched: its time tells one iteration from the next */
  gsize         budget;      /* bytes per main-loop iteration; 0: no limit */
  gint64        iteration;   /* g_source_get_time() of the iteration spent is for */
  gsize         spent;
  gboolean      paused;
  GPtrArray    *waiting;     /* sources that wake a reader on resume */
};

static void sp_paced_input_stream_pollable_iface_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SpPacedInputStream, sp_paced_input_stream, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      sp_paced_input_stream_pollable_iface_init))

/* How many bytes a read may take now: 0 while held back. */
static gsize
allowance (SpPacedInputStream *self)
{
  gint64 iteration;

  if (self->paused)
    return 0;
  if (self->budget == 0)
    return G_MAXSIZE;

  iteration = g_source_get_time (self->clock);
  if (iteration != self->iteration)
    {
      self->iteration = iteration;
      self->spent = 0;
    }

  return self->spent < self->budget ? self->budget - self->spent : 0;
}

static gssize
sp_paced_input_stream_read (GInputStream  *stream,
                            void          *buffer,
                            gsize          count,
                            GCancellable  *cancellable,
                            GError       **error)
{
  SpPacedInputStream *self = SP_PACED_INPUT_STREAM (stream);

  /* A blocking read is nobody's main loop: straight through. */
  return g_input_stream_read (self->base, buffer, count, cancellable, error);
}

static gboolean
sp_paced_input_stream_close (GInputStream  *stream,
                             GCancellable  *cancellable,
                             GError       **error)
{
  SpPacedInputStream *self = SP_PACED_INPUT_STREAM (stream);

  return g_input_stream_close (self->base, cancellable, error);
}

static gboolean
sp_paced_input_stream_can_poll (GPollableInputStream *stream)
{
  SpPacedInputStream *self = SP_PACED_INPUT_STREAM (stream);

  return g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (self->base));
}

static gboolean
sp_paced_input_stream_is_readable (GPollableInputStream *stream)
{
  SpPacedInputStream *self = SP_PACED_INPUT_STREAM (stream);

  return allowance (self) > 0 &&
         g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (self->base));
}

static gboolean
wake_dispatch (GSource     *source,
               GSourceFunc  callback,
               gpointer     user_data)
{
  /* Its parent, the reader's source, runs the reader. */
  g_source_set_ready_time (source, -1);

  return G_SOURCE_CONTINUE;
}

static gboolean
wake_noop (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* A closure callback, though never called: GIO gives a child source a dummy callback,
 * which GLib only accepts from sources that can take one. */
static GSourceFuncs wake_funcs = {
  .dispatch = wake_dispatch,
  .closure_callback = wake_noop,
};

static GSource *
sp_paced_input_stream_create_source (GPollableInputStream *stream,
                                     GCancellable         *cancellable)
{
  SpPacedInputStream *self = SP_PACED_INPUT_STREAM (stream);
  g_autoptr(GSource) child = NULL;

  if (allowance (self) > 0)
    {
      child = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (self->base), NULL);
    }
  else
    {
      child = g_source_new (&wake_funcs, sizeof (GSource));
      g_source_set_name (child, "[screenpop] paced reads resume");
      if (self->paused)
        {
          g_source_set_ready_time (child, -1);
          for (guint i = self->waiting->len; i > 0; i--)
            {
              if (g_source_is_destroyed (g_ptr_array_index (self->waiting, i - 1)))
                g_ptr_array_remove_index_fast (self->waiting, i - 1);
            }
          g_ptr_array_add (self->waiting, g_source_ref (child));
        }
      else
        {
          g_source_set_ready_time (child, g_get_monotonic_time () + YIELD_MS * 1000);
        }
    }

  return g_pollable_source_new_full (self, child, cancellable);
}

static gssize
sp_paced_input_stream_read_nonblocking (GPollableInputStream  *stream,
                                        void                  *buffer,
                                        gsize                  count,
                                        GError               **error)
{
  SpPacedInputStream *self = SP_PACED_INPUT_STREAM (stream);
  gsize allowed = allowance (self);
  gssize n;

  if (allowed == 0 && count > 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
                           "Reading is paced; later");
      return -1;
    }

  n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (self->base), buffer,
                                                MIN (count, allowed), NULL, error);
  if (n > 0 && self->budget != 0)
    self->spent += n;

  return n;
}

static void
sp_paced_input_stream_pollable_iface_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = sp_paced_input_stream_can_poll;
  iface->is_readable = sp_paced_input_stream_is_readable;
  iface->create_source = sp_paced_input_stream_create_source;
  iface->read_nonblocking = sp_paced_input_stream_read_nonblocking;
}

static gboolean
clock_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs clock_funcs = {
  .dispatch = clock_dispatch,
};

static void
sp_paced_input_stream_finalize (GObject *object)
{
  SpPacedInputStream *self = (SpPacedInputStream *)object;

  g_source_destroy (self->clock);
  g_source_unref (self->clock);
  g_clear_pointer (&self->waiting, g_ptr_array_unref);
  g_clear_object (&self->base);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (sp_paced_input_stream_parent_class)->finalize (object);
}

static void
sp_paced_input_stream_class_init (SpPacedInputStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = sp_paced_input_stream_finalize;
  stream_class->read_fn = sp_paced_input_stream_read;
  stream_class->close_fn = sp_paced_input_stream_close;
}

static void
sp_paced_input_stream_init (SpPacedInputStream *self)
{
  self->iteration = -1;
  self->waiting = g_ptr_array_new_with_free_func ((GDestroyNotify) g_source_unref);
  self->clock = g_source_new (&clock_funcs, sizeof (GSource));
  g_source_set_name (self->clock, "[screenpop] paced reads");
  g_source_set_ready_time (self->clock, -1);
  g_source_attach (self->clock, g_main_context_get_thread_default ());
}

/**
 * sp_paced_input_stream_new:
 * @connection: a connection whose input stream is pollable
 *
 * Returns: (transfer full): the input stream of @connection, read through as is until a
 *   budget or a pause is set
 */
SpPacedInputStream *
sp_paced_input_stream_new (GIOStream *connection)
{
  SpPacedInputStream *self;

  g_return_val_if_fail (G_IS_IO_STREAM (connection), NULL);
  g_return_val_if_fail (G_IS_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (connection)),
                        NULL);

  self = g_object_new (SP_TYPE_PACED_INPUT_STREAM, NULL);
  self->connection = g_object_ref (connection);
  self->base = g_object_ref (g_io_stream_get_input_stream (connection));

  return self;
}

/**
 * sp_paced_input_stream_set_budget:
 * @bytes: at most this many bytes per main-loop iteration; 0 for no limit
 */
void
sp_paced_input_stream_set_budget (SpPacedInputStream *self,
                                  gsize               bytes)
{
  g_return_if_fail (SP_IS_PACED_INPUT_STREAM (self));

  self->budget = bytes;
}

/**
 * sp_paced_input_stream_set_paused:
 * @paused: whether reads must wait (they say they would block) until unpaused
 */
void
sp_paced_input_stream_set_paused (SpPacedInputStream *self,
                                  gboolean            paused)
{
  g_return_if_fail (SP_IS_PACED_INPUT_STREAM (self));

  self->paused = !!paused;
  if (self->paused)
    return;

  /* Not at once: the owner has just worked through its backlog, and sources of lower
   * priority than ours (the window's redraw) have waited as long. */
  for (guint i = 0; i < self->waiting->len; i++)
    g_source_set_ready_time (g_ptr_array_index (self->waiting, i),
                             g_get_monotonic_time () + YIELD_MS * 1000);
  g_ptr_array_set_size (self->waiting, 0);
}

gboolean
sp_paced_input_stream_get_paused (SpPacedInputStream *self)
{
  g_return_val_if_fail (SP_IS_PACED_INPUT_STREAM (self), FALSE);

  return self->paused;
}
