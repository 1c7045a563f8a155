/* sp-pbxis-source-actions.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-pbxis"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "sp-account.h"
#include "sp-http.h"
#include "sp-pbxis.h"
#include "sp-pbxis-request.h"
#include "sp-pbxis-source.h"
#include "sp-pbxis-source-private.h"

/*
 * The actions of SpPbxisSource (sp-pbxis-source.c): plain POSTs, whose refusals come back
 * as HTTP 200; a DIAL completes only when the events say the agent picked up its phone, or
 * fails when they say it did not (sp-pbxis-calls.c follows it).
 */

/* How long an action may take. */
#define ACTION_TIMEOUT_SECONDS 15

static char *
first_extension (SpPbxisSource *self)
{
  g_auto(GStrv) extensions = sp_account_dup_extensions (sp_source_get_account (SP_SOURCE (self)));

  return extensions != NULL && extensions[0] != NULL ? g_strdup (extensions[0]) : NULL;
}

gboolean
sp_pbxis_source_can_perform (SpSource       *source,
                             SpSourceAction  action)
{
  SpAccount *account = sp_source_get_account (source);
  g_auto(GStrv) extensions = sp_account_dup_extensions (account);
  g_autofree char *url = sp_account_dup_url (account);

  if (extensions == NULL || extensions[0] == NULL || url == NULL || *url == '\0')
    return FALSE;

  switch (action)
    {
    case SP_SOURCE_ACTION_DIAL:
    case SP_SOURCE_ACTION_QUEUE_ADD:
    case SP_SOURCE_ACTION_QUEUE_REMOVE:
    case SP_SOURCE_ACTION_QUEUE_PAUSE:
    case SP_SOURCE_ACTION_QUEUE_UNPAUSE:
    case SP_SOURCE_ACTION_PAUSE:
    case SP_SOURCE_ACTION_UNPAUSE:
      return TRUE;
    case SP_SOURCE_ACTION_ANSWER:
    case SP_SOURCE_ACTION_HANGUP:
    case SP_SOURCE_ACTION_POST_MESSAGE:
    default:
      return FALSE;
    }
}

typedef struct
{
  SpPbxisDeadline *deadline;
  char            *failure;  /* "Could not pause agent 147 in queue q1", for the error message */
  guint            dial_id;  /* a dial's, in the calls */
  gboolean         sent;     /* a dial's request was answered */
  gboolean         settled;  /* a dial ended before its request was answered */
  GError          *dial_error;
} ActionData;

static void
action_data_free (ActionData *data)
{
  g_clear_pointer (&data->deadline, sp_pbxis_deadline_free);
  g_clear_error (&data->dial_error);
  g_free (data->failure);
  g_free (data);
}

/* Takes @error (%NULL: the call is placed) and completes the dial's perform. */
static void
complete_dial (SpPbxisSource *self,
               GTask         *task,
               GError        *error)
{
  ActionData *data = g_task_get_task_data (task);

  g_hash_table_steal (self->dial_tasks, GUINT_TO_POINTER (data->dial_id));

  if (error != NULL)
    {
      g_message ("[%s] %s: %s", sp_source_get_account_id (SP_SOURCE (self)), data->failure,
                 error->message);
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED, "%s: %s",
                               data->failure, error->message);
      g_error_free (error);
    }
  else
    {
      g_task_return_boolean (task, TRUE);
    }

  g_object_unref (task);
}

/* The dials that ended (picked up, or not placed) complete their performs; one whose
 * request is still on its way completes when the answer comes. */
void
sp_pbxis_source_settle_dials (SpPbxisSource *self)
{
  g_autoptr(GPtrArray) results = sp_pbxis_dials_take_results (sp_pbxis_calls_get_dials (self->calls));

  for (guint i = 0; i < results->len; i++)
    {
      SpPbxisDialResult *result = g_ptr_array_index (results, i);
      GTask *task = g_hash_table_lookup (self->dial_tasks, GUINT_TO_POINTER (result->id));
      ActionData *data;

      if (task == NULL)
        continue;

      data = g_task_get_task_data (task);
      if (data->sent)
        {
          complete_dial (self, task, g_steal_pointer (&result->error));
        }
      else
        {
          data->settled = TRUE;
          data->dial_error = g_steal_pointer (&result->error);
        }
    }
}

static void
action_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpPbxisSource *self = g_task_get_source_object (task);
  ActionData *data = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = NULL;
  const char *body;
  gsize length;

  bytes = sp_http_read_bytes_finish (SOUP_SESSION (object), result, &error);

  /* A dial's request is over: from here the dial waits for nobody or for its outcome. */
  if (data->dial_id != 0 &&
      (bytes == NULL || (g_task_get_cancellable (task) != NULL &&
                         g_cancellable_is_cancelled (g_task_get_cancellable (task)))))
    {
      g_hash_table_steal (self->dial_tasks, GUINT_TO_POINTER (data->dial_id));
      sp_pbxis_dials_cancel (sp_pbxis_calls_get_dials (self->calls), data->dial_id);
      sp_pbxis_source_schedule_deadline (self);
      g_object_unref (task);
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  if (bytes == NULL)
    {
      GError *task_error = NULL;

      sp_pbxis_deadline_set_error (&task_error, data->deadline, ACTION_TIMEOUT_SECONDS,
                                   _("a pbxis-ws action"), error);
      g_prefix_error (&task_error, "%s: ", data->failure);
      g_task_return_error (task, task_error);
      return;
    }

  body = g_bytes_get_data (bytes, &length);
  if (!sp_pbxis_check_action_response (soup_message_get_status (data->deadline->msg), body, length,
                                       &answer, &error))
    {
      if (data->dial_id != 0)
        {
          g_hash_table_steal (self->dial_tasks, GUINT_TO_POINTER (data->dial_id));
          sp_pbxis_dials_cancel (sp_pbxis_calls_get_dials (self->calls), data->dial_id);
          sp_pbxis_source_schedule_deadline (self);
          g_object_unref (task);
        }

      /* Asterisk's own words ("Interface not found") tell the person what is wrong. */
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                               "%s: %s", data->failure, error->message);
      return;
    }

  g_debug ("[%s] %s: %s", sp_source_get_account_id (SP_SOURCE (self)),
           g_uri_get_path (soup_message_get_uri (data->deadline->msg)), answer ? answer : "OK");

  if (data->dial_id != 0)
    {
      /* pbxis-ws answers the action id also when Asterisk refused the call: the dial is
       * placed when the agent's phone rings and is picked up, which the events tell. */
      data->sent = TRUE;
      sp_pbxis_dials_sent (sp_pbxis_calls_get_dials (self->calls), data->dial_id, answer);
      if (data->settled)
        complete_dial (self, task, g_steal_pointer (&data->dial_error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

/**
 * sp_pbxis_source_post_action:
 * @task: (transfer full): answered in action_cb()
 * @failure: (transfer full): what failed, for the error message ("Could not pause …")
 * @configured: the account's server address as typed, for the error message
 *
 * POSTs @body to @url as an action: the deadline, Asterisk's refusals and the error's
 * words are action_cb()'s. For sp-pbxis-source-queues.c.
 */
void
sp_pbxis_source_post_action (SpPbxisSource *self,
                             GTask         *task,
                             const char    *url,
                             const char    *body,
                             char          *failure,
                             const char    *configured)
{
  ActionData *data = g_task_get_task_data (task);
  g_autoptr(SoupMessage) msg = sp_pbxis_request_new_post (url, body);

  if (data == NULL)
    {
      data = g_new0 (ActionData, 1);
      g_task_set_task_data (task, data, (GDestroyNotify) action_data_free);
    }
  g_free (data->failure);
  data->failure = failure;

  if (msg == NULL)
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                               _("“%s” is not a server address"), configured);
      g_object_unref (task);
      return;
    }

  data->deadline = sp_pbxis_deadline_new (msg, g_task_get_cancellable (task),
                                          ACTION_TIMEOUT_SECONDS);

  g_debug ("[%s] POST %s", sp_source_get_account_id (SP_SOURCE (self)), url);
  sp_http_read_bytes_async (self->session, msg, SP_HTTP_MAX_ANSWER, data->deadline->cancellable,
                            action_cb, task);
}

void
sp_pbxis_source_perform_async (SpSource            *source,
                               SpSourceAction       action,
                               const char          *call_id,
                               GVariant            *param,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  SpPbxisSource *self = SP_PBXIS_SOURCE (source);
  SpAccount *account = sp_source_get_account (source);
  /* As GDBus does with parameters: a floating @param is consumed. */
  g_autoptr(GVariant) owned_param = param ? g_variant_ref_sink (param) : NULL;
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *configured = sp_account_dup_url (account);
  g_autofree char *base_url = NULL;
  g_autofree char *agent = first_extension (self);
  g_autofree char *url = NULL;
  g_autofree char *body = NULL;
  g_autofree char *caller_id = sp_account_dup_option (account, SP_PBXIS_OPTION_CALLER_ID);
  const char *text = NULL;
  ActionData *data;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_pbxis_source_perform_async);

  if (!sp_pbxis_source_can_perform (source, action))
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_UNSUPPORTED,
                               _("This account cannot “%s”"),
                               sp_source_action_to_string (action));
      return;
    }

  base_url = sp_pbxis_source_normalize_url (configured, &error);
  if (base_url == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (param != NULL && g_variant_is_of_type (param, G_VARIANT_TYPE_STRING))
    text = g_variant_get_string (param, NULL);

  data = g_new0 (ActionData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) action_data_free);

  if (action == SP_SOURCE_ACTION_DIAL)
    {
      g_autofree char *number = text ? sp_pbxis_normalize_number (text) : NULL;
      g_autofree char *escaped_agent = NULL;
      g_autofree char *escaped_number = NULL;

      if (number == NULL)
        {
          g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                                   _("“%s” is not a phone number"), text ? text : "");
          return;
        }

      /* Everything but the unreserved characters is escaped: pbxis-ws's router URL-decodes
       * each path segment with java.net.URLDecoder (moustache.clj, `segments`), which reads
       * a raw "+" as a space, so "+385…" would dial " 385…"; "%2B" arrives as "+". */
      escaped_agent = g_uri_escape_string (agent, NULL, FALSE);
      escaped_number = g_uri_escape_string (number, NULL, FALSE);
      url = g_strdup_printf ("%s/originate/%s/%s", base_url, escaped_agent, escaped_number);
      /* pbxis-ws passes `callerId` on to Asterisk's Originate (pbxis_ws.clj line 217). */
      body = sp_pbxis_build_originate (caller_id);
      data->failure = g_strdup_printf (_("Could not call %s from %s"), number, agent);
      /* Before the request: the agent's phone may ring before the answer comes. */
      data->dial_id = sp_pbxis_dials_begin (sp_pbxis_calls_get_dials (self->calls), agent,
                                            number, g_get_monotonic_time ());
    }
  else if (action == SP_SOURCE_ACTION_PAUSE || action == SP_SOURCE_ACTION_UNPAUSE)
    {
      gboolean paused = action == SP_SOURCE_ACTION_PAUSE;

      /* Agent-wide: a pause reason has nowhere to go in pbxis-ws. */
      url = g_strdup_printf ("%s/queue/pause", base_url);
      body = sp_pbxis_build_queue_action (NULL, agent, paused);
      data->failure = paused ? g_strdup_printf (_("Could not pause agent %s"), agent)
                             : g_strdup_printf (_("Could not resume agent %s"), agent);
    }
  else
    {
      /* A queue action: the status view's, here for the first extension. */
      if (text == NULL || *text == '\0')
        {
          g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                                   _("“%s” needs the name of a queue"),
                                   sp_source_action_to_string (action));
          return;
        }

      sp_pbxis_source_prepare_queue_action (self, action, agent, text, base_url, &url, &body,
                                            &data->failure);
    }

  msg = sp_pbxis_request_new_post (url, body);
  if (msg == NULL)
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                               _("“%s” is not a server address"), configured);
      return;
    }

  data->deadline = sp_pbxis_deadline_new (msg, cancellable, ACTION_TIMEOUT_SECONDS);
  if (data->dial_id != 0)
    {
      /* Until the dial ends, it is completed from the events or its deadline. */
      g_hash_table_insert (self->dial_tasks, GUINT_TO_POINTER (data->dial_id),
                           g_object_ref (task));
      sp_pbxis_source_schedule_deadline (self);
    }

  g_debug ("[%s] %s: POST %s", sp_source_get_account_id (source),
           sp_source_action_to_string (action), url);
  sp_http_read_bytes_async (self->session, msg, SP_HTTP_MAX_ANSWER, data->deadline->cancellable,
                            action_cb, g_steal_pointer (&task));
}

gboolean
sp_pbxis_source_perform_finish (SpSource      *source,
                                GAsyncResult  *result,
                                GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
