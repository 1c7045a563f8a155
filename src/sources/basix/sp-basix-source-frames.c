/* sp-basix-source-frames.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-basix"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "sp-basix-calls.h"
#include "sp-basix-model.h"
#include "sp-basix-source.h"
#include "sp-basix-source-private.h"
#include "sp-bert.h"
#include "sp-frame-queue.h"

/* What SpBasixSource (sp-basix-source.c) does with the frames of its WebSocket: applies
 * them in order to the model (big ones decoded, and a snapshot read, in a worker
 * thread), feeds what they changed to the calls mapping (a big update in slices), and
 * acts on the system messages. */

static void
handle_system_msg (SpBasixSource *self,
                   SpBasixUpdate *update)
{
  SpSource *source = SP_SOURCE (self);
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (update->system_msg, "connection_limit_reached") == 0)
    {
      g_autofree char *app_name = sp_basix_source_dup_option (self, SP_BASIX_OPTION_APP_NAME);

      error = g_error_new (SP_SOURCE_ERROR, SP_SOURCE_ERROR_REFUSED,
                           _("Basix allows only two connections per user and application (“%s”), and both are in use. Close Screenpop or the other client elsewhere, or turn on “take over” in the account’s options"),
                           app_name && *app_name ? app_name : DEFAULT_APP_NAME);
      sp_source_connection_lost (source, error);
    }
  else if (g_strcmp0 (update->system_msg, "connection_replaced") == 0)
    {
      /* Fighting back with a forced reconnect would make two clients evict each other
       * forever: stop, and let the person decide. */
      error = g_error_new_literal (SP_SOURCE_ERROR, SP_SOURCE_ERROR_FATAL,
                                   _("Another client took over this Basix connection; Screenpop stopped so as not to fight it. Reconnect from the window when you want it back"));
      sp_source_connection_lost (source, error);
    }
  else
    {
      g_autofree char *text = update->payload ? sp_bert_term_to_json (update->payload, FALSE) : NULL;

      g_message ("[%s] Basix system message ignored: %s", sp_source_get_account_id (source),
                 update->system_msg ? update->system_msg : text ? text : "?");
    }
}

static void pump (SpBasixSource *self);

static void
emit_events (SpBasixSource *self,
             GPtrArray     *events)
{
  /* In the order the mapping made them. */
  for (guint i = 0; i < events->len; i++)
    sp_source_emit_call_event (SP_SOURCE (self), g_ptr_array_index (events, i));
}

/* An update with more changes than this has its calls followed in slices. */
#define SLICE_CHANGES 512

/* How long one slice may take, in microseconds: well within a frame at 60 Hz. */
#define SLICE_USEC 3000

/* After the frame is drawn (GDK_PRIORITY_REDRAW is G_PRIORITY_HIGH_IDLE + 20). */
#define SLICE_PRIORITY (G_PRIORITY_HIGH_IDLE + 30)

void
sp_basix_source_stop_following (SpBasixSource *self)
{
  g_clear_handle_id (&self->following_id, g_source_remove);
  g_clear_pointer (&self->following, sp_basix_update_free);
}

/* Follows the calls of the update in slices until @deadline (0: all of them), then lets the
 * frames behind it in. */
static gboolean
follow_calls (SpBasixSource *self,
              gint64         deadline)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_call_event_unref);
  gboolean done;

  done = sp_basix_calls_apply_some (self->calls, self->following, &self->following_at, deadline,
                                    events);
  emit_events (self, events);
  if (!done)
    return FALSE;

  self->following_id = 0;
  g_clear_pointer (&self->following, sp_basix_update_free);
  return TRUE;
}

static gboolean
follow_calls_cb (gpointer user_data)
{
  SpBasixSource *self = user_data;

  if (!follow_calls (self, g_get_monotonic_time () + SLICE_USEC))
    return G_SOURCE_CONTINUE;

  pump (self);
  return G_SOURCE_REMOVE;
}

/* Before anything else is applied: the calls of the big update that came before it. */
static void
finish_following (SpBasixSource *self)
{
  if (self->following == NULL)
    return;

  g_clear_handle_id (&self->following_id, g_source_remove);
  follow_calls (self, 0);
}

static void
apply_update (SpBasixSource *self,
              SpBasixUpdate *update)
{
  g_autoptr(GPtrArray) events = NULL;

  /* A snapshot of 10 000 channels is 10 000 changes to look at, which would freeze the
   * window for longer than a frame: the live view is told at once (it reads the model,
   * which is up to date), the calls follow a slice per main-loop iteration, and the frames
   * behind it wait. */
  if (update->changes != NULL && update->changes->len > SLICE_CHANGES)
    {
      if (update->category != NULL)
        g_signal_emit (self, sp_basix_source_signals[MODEL_CHANGED], 0, update->category,
                       update->changes);
      self->following = update;
      self->following_at = 0;
      self->following_id = g_idle_add_full (SLICE_PRIORITY, follow_calls_cb, self, NULL);
      return;
    }

  events = sp_basix_calls_apply (self->calls, update);
  emit_events (self, events);

  if (update->category != NULL && update->changes != NULL)
    g_signal_emit (self, sp_basix_source_signals[MODEL_CHANGED], 0, update->category,
                   update->changes);
  sp_basix_update_free (update);
}

/* Frames this big are decoded in a worker thread: a 10 000-channel snapshot (5.7 MB)
 * takes tens of milliseconds to decode, which would freeze the window. */
#define THREAD_DECODE_BYTES (256 * 1024)

static void apply_document (SpBasixSource   *self,
                            SpBertDocument  *doc,
                            SpBasixPrepared *prepared);

static void
apply_decoded (SpBasixSource   *self,
               SpBertDocument  *doc,
               SpBasixPrepared *prepared,
               const GError    *error,
               gsize            length)
{
  if (doc == NULL)
    {
      g_message ("[%s] Skipped a malformed frame of %" G_GSIZE_FORMAT " bytes: %s",
                 sp_source_get_account_id (SP_SOURCE (self)), length, error->message);
      return;
    }

  apply_document (self, doc, prepared);
}

/**
 * sp_basix_source_process_frame:
 * @self: a Basix source
 * @message: one binary ws_cti message
 *
 * Decodes @message and applies it at once, on the calling thread, after the calls of a
 * big update before it.
 */
void
sp_basix_source_process_frame (SpBasixSource *self,
                               GBytes        *message)
{
  g_autoptr(SpBertDocument) doc = NULL;
  g_autoptr(GError) error = NULL;

  finish_following (self);
  doc = sp_bert_decode (message, NULL, &error);
  apply_decoded (self, doc, NULL, error, g_bytes_get_size (message));
}

/* A big frame on its way through the worker thread: decoded, and if it is a snapshot, its
 * elements read and sorted there too. */
typedef struct
{
  GBytes          *message;
  SpBasixPrepared *prepared;
  SpBertDocument  *doc;
} Decoding;

static void
decoding_free (Decoding *decoding)
{
  g_bytes_unref (decoding->message);
  sp_basix_prepared_free (decoding->prepared);
  g_clear_pointer (&decoding->doc, sp_bert_document_unref);
  g_free (decoding);
}

static void
decode_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Decoding *decoding = task_data;
  GError *error = NULL;

  decoding->doc = sp_bert_decode (decoding->message, NULL, &error);
  if (decoding->doc == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  sp_basix_prepared_read (decoding->prepared, decoding->doc);
  g_task_return_boolean (task, TRUE);
}

static void
decoded_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  SpBasixSource *self = SP_BASIX_SOURCE (object);
  GTask *task = G_TASK (result);
  Decoding *decoding = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) message = NULL;

  /* A frame of a connection that is gone: its successors went with it. */
  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    return;

  g_task_propagate_boolean (task, &error);
  g_clear_object (&self->decoding);
  message = g_queue_pop_head (&self->pending);
  apply_decoded (self, decoding->doc, decoding->prepared, error, g_bytes_get_size (message));
  pump (self);
}

/* Applies the queued frames in order; a big one is decoded in a thread, and the frames
 * behind it wait for it, and for the calls of a big update to be followed. */
static void
pump (SpBasixSource *self)
{
  while (self->decoding == NULL && self->following == NULL && !g_queue_is_empty (&self->pending))
    {
      GBytes *head = g_queue_peek_head (&self->pending);

      if (g_bytes_get_size (head) >= THREAD_DECODE_BYTES)
        {
          g_autoptr(GTask) task = NULL;
          Decoding *decoding = g_new0 (Decoding, 1);

          decoding->message = g_bytes_ref (head);
          /* The field specs now are the ones the frame is applied with: nothing else is
           * applied before it. */
          decoding->prepared = sp_basix_model_prepare (self->model);
          self->decoding = g_cancellable_new ();
          task = g_task_new (self, self->decoding, decoded_cb, NULL);
          g_task_set_source_tag (task, pump);
          g_task_set_task_data (task, decoding, (GDestroyNotify) decoding_free);
          g_task_run_in_thread (task, decode_thread);
          return;
        }

      {
        g_autoptr(GBytes) message = g_queue_pop_head (&self->pending);

        sp_basix_source_process_frame (self, message);
      }
    }
}

/**
 * sp_basix_source_receive_frame:
 * @self: a Basix source
 * @message: one binary ws_cti message
 *
 * What the source does with every binary frame it receives: frames are applied in order,
 * big ones decoded in a worker thread so that the main loop keeps running. Public for the
 * benchmark, which feeds frames without a server.
 */
void
sp_basix_source_receive_frame (SpBasixSource *self,
                               GBytes        *message)
{
  g_return_if_fail (SP_IS_BASIX_SOURCE (self));

  g_queue_push_tail (&self->pending, g_bytes_ref (message));
  pump (self);
}

void
sp_basix_source_drop_pending (SpBasixSource *self)
{
  if (self->decoding != NULL)
    g_cancellable_cancel (self->decoding);
  g_clear_object (&self->decoding);
  g_queue_clear_full (&self->pending, (GDestroyNotify) g_bytes_unref);
  sp_basix_source_stop_following (self);
}

static void
apply_document (SpBasixSource   *self,
                SpBertDocument  *doc,
                SpBasixPrepared *prepared)
{
  SpSource *source = SP_SOURCE (self);
  g_autoptr(SpBasixUpdate) update = NULL;
  g_autoptr(GError) error = NULL;

  update = sp_basix_model_apply_prepared (self->model, doc, prepared, &error);
  if (update == NULL)
    {
      g_message ("[%s] Skipped a message that does not fit the protocol: %s",
                 sp_source_get_account_id (source), error->message);
      return;
    }

  switch (update->kind)
    {
    case SP_BASIX_MESSAGE_SYSTEM_MSG:
      handle_system_msg (self, update);
      break;

    case SP_BASIX_MESSAGE_MSG:
      g_debug ("[%s] Basix user message", sp_source_get_account_id (source));
      break;

    case SP_BASIX_MESSAGE_HISTORICAL:
    case SP_BASIX_MESSAGE_UNKNOWN:
      g_debug ("[%s] Ignored a message this client does not use",
               sp_source_get_account_id (source));
      break;

    case SP_BASIX_MESSAGE_FIELD_SPEC:
    case SP_BASIX_MESSAGE_INITIAL_INFO:
    case SP_BASIX_MESSAGE_INFO_EVENT:
    default:
      apply_update (self, g_steal_pointer (&update));
      break;
    }
}

void
sp_basix_source_handle_frame (gpointer owner,
                              gpointer frame_data)
{
  SpBasixSource *self = owner;
  SpFrame *frame = frame_data;

  if (frame->type != SOUP_WEBSOCKET_DATA_BINARY)
    {
      g_message ("[%s] Skipped a text frame of %" G_GSIZE_FORMAT " bytes; Basix sends binary frames",
                 sp_source_get_account_id (SP_SOURCE (self)), g_bytes_get_size (frame->bytes));
      return;
    }

  sp_basix_source_receive_frame (self, frame->bytes);
}
