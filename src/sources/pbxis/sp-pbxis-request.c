/* sp-pbxis-request.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-pbxis"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "sp-pbxis-queue-status.h"
#include "sp-pbxis-request.h"
#include "sp-source.h"

/*
 * What the pbxis source and its event streams share about requests to pbxis-ws: a POST
 * with a JSON body, a deadline of its own for a request that outlives the connection
 * attempt (a long poll, an action), and what a failed request means, in words a person
 * can act on.
 */

const SpHttpStatus sp_pbxis_ticket_statuses[] = {
  /* A poll's ticket expired (we polled too late), or the server restarted. */
  { SOUP_STATUS_NOT_FOUND, SP_SOURCE_ERROR_FAILED,
    N_("pbxis-ws no longer knew the ticket"), N_("Asking for a new one") },
  { 0, }
};

/**
 * sp_pbxis_deadline_free:
 *
 * Stops the deadline; the request, if still running, is not cancelled.
 */
void
sp_pbxis_deadline_free (SpPbxisDeadline *deadline)
{
  g_clear_handle_id (&deadline->timeout_id, g_source_remove);
  /* Not g_cancellable_disconnect(), which on GLib 2.74 hangs when called from inside the
   * caller's own "cancelled" emission, as this may be (see sp-http.c, read_free()). */
  if (deadline->caller_cancellable != NULL && deadline->caller_handler != 0)
    g_signal_handler_disconnect (deadline->caller_cancellable, deadline->caller_handler);
  g_clear_object (&deadline->caller_cancellable);
  g_clear_object (&deadline->cancellable);
  g_clear_object (&deadline->msg);
  g_free (deadline);
}

static gboolean
deadline_cb (gpointer data)
{
  SpPbxisDeadline *deadline = data;

  deadline->timeout_id = 0;
  deadline->timed_out = TRUE;
  g_cancellable_cancel (deadline->cancellable);

  return G_SOURCE_REMOVE;
}

static void
caller_cancelled_cb (GCancellable *caller_cancellable,
                     GCancellable *cancellable)
{
  g_cancellable_cancel (cancellable);
}

/**
 * sp_pbxis_deadline_new:
 * @msg: (nullable): the request
 * @caller_cancellable: (nullable): cancels the request too
 * @seconds: how long the request may take
 *
 * Returns: (transfer full): a deadline that runs from now; pass its cancellable to the
 *   request, and free it when the request is over
 */
SpPbxisDeadline *
sp_pbxis_deadline_new (SoupMessage  *msg,
                       GCancellable *caller_cancellable,
                       guint         seconds)
{
  SpPbxisDeadline *deadline = g_new0 (SpPbxisDeadline, 1);

  deadline->msg = msg ? g_object_ref (msg) : NULL;
  deadline->cancellable = g_cancellable_new ();
  if (caller_cancellable != NULL)
    {
      deadline->caller_cancellable = g_object_ref (caller_cancellable);
      deadline->caller_handler = g_cancellable_connect (caller_cancellable,
                                                        G_CALLBACK (caller_cancelled_cb),
                                                        g_object_ref (deadline->cancellable),
                                                        g_object_unref);
    }
  deadline->timeout_id = g_timeout_add_seconds (seconds, deadline_cb, deadline);

  return deadline;
}

/**
 * sp_pbxis_request_set_error:
 * @msg: the failed request
 * @what: what its address should have been, e.g. "a pbxis-ws event stream"
 * @statuses: (nullable): what the server means by some statuses of this request
 * @cause: (nullable): the transport's error, if the request did not complete
 *
 * Sets @error from a failed request (@cause, or its status), in words a person can act on.
 */
void
sp_pbxis_request_set_error (GError             **error,
                            SoupMessage         *msg,
                            const char          *what,
                            const SpHttpStatus  *statuses,
                            const GError        *cause)
{
  /* A success other than 200 is not what pbxis-ws answers either. */
  if (sp_http_check_answer (msg, cause, what, statuses, error))
    {
      g_autofree char *url = sp_http_dup_display_url (msg);

      g_set_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED, _("%s is not %s (HTTP %u)"),
                   url, what, soup_message_get_status (msg));
    }
}

/**
 * sp_pbxis_deadline_set_error:
 * @seconds: the deadline's, for the message
 *
 * The same as sp_pbxis_request_set_error() for a request under a ticket, which may also
 * have run out of time.
 */
void
sp_pbxis_deadline_set_error (GError          **error,
                             SpPbxisDeadline  *deadline,
                             guint             seconds,
                             const char       *what,
                             const GError     *cause)
{
  if (deadline->timed_out)
    {
      g_autofree char *url = sp_http_dup_display_url (deadline->msg);

      g_set_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_TIMEOUT,
                   _("%s did not answer within %u seconds"), url, seconds);
      return;
    }

  sp_pbxis_request_set_error (error, deadline->msg, what, sp_pbxis_ticket_statuses, cause);
}

/**
 * sp_pbxis_request_new_post:
 * @url: the address
 * @json: (nullable): the body
 *
 * Returns: (transfer full) (nullable): a POST of @json, or %NULL if @url is not an address
 */
SoupMessage *
sp_pbxis_request_new_post (const char *url,
                           const char *json)
{
  SoupMessage *msg = soup_message_new (SOUP_METHOD_POST, url);

  if (msg == NULL)
    return NULL;

  /* pbxis-ws only reads a JSON body when the Content-Type says so. */
  if (json != NULL)
    {
      g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));

      soup_message_set_request_body_from_bytes (msg, "application/json", body);
    }

  return msg;
}

static void
queue_status_read_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpPbxisDeadline *deadline = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *queues;

  bytes = sp_http_read_bytes_finish (SOUP_SESSION (object), result, &error);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (bytes == NULL || soup_message_get_status (deadline->msg) != SOUP_STATUS_OK)
    {
      GError *task_error = NULL;

      sp_pbxis_deadline_set_error (&task_error, deadline, GPOINTER_TO_UINT (g_task_get_source_tag (task)),
                                   _("a pbxis-ws queue status"), error);
      g_task_return_error (task, task_error);
      return;
    }

  queues = sp_pbxis_parse_queue_status (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                        &error);
  if (queues == NULL)
    {
      g_autofree char *url = sp_http_dup_display_url (deadline->msg);

      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                               _("%s answered something that is not a queue status: %s"), url,
                               error->message);
      return;
    }

  g_task_return_pointer (task, queues, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * sp_pbxis_request_queue_status_async:
 * @session: the source's session
 * @base_url: the server's base URL
 * @seconds: how long the request may take
 *
 * `GET /queue/status` for every queue, parsed (see sp_pbxis_parse_queue_status()).
 */
void
sp_pbxis_request_queue_status_async (SoupSession         *session,
                                     const char          *base_url,
                                     guint                seconds,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (session, cancellable, callback, user_data);
  g_autofree char *url = g_strdup_printf ("%s/queue/status", base_url);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);
  SpPbxisDeadline *deadline;

  /* The deadline's length, for its message. */
  g_task_set_source_tag (task, GUINT_TO_POINTER (seconds));

  if (msg == NULL)
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                               _("“%s” is not a server address"), base_url);
      return;
    }

  deadline = sp_pbxis_deadline_new (msg, cancellable, seconds);
  g_task_set_task_data (task, deadline, (GDestroyNotify) sp_pbxis_deadline_free);

  sp_http_read_bytes_async (session, msg, SP_PBXIS_MAX_INPUT, deadline->cancellable,
                            queue_status_read_cb, g_steal_pointer (&task));
}

/**
 * sp_pbxis_request_queue_status_finish:
 *
 * Returns: (transfer full) (element-type SpPbxisQueueInfo): the queues that exist
 */
GPtrArray *
sp_pbxis_request_queue_status_finish (SoupSession   *session,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, session), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
