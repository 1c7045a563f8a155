/* sp-pbxis-source-queues.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-pbxis"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-account.h"
#include "sp-pbxis-queue-status.h"
#include "sp-pbxis-request.h"
#include "sp-pbxis-source.h"
#include "sp-pbxis-source-private.h"

/*
 * The requests of the status view (sp-pbxis-window.c), part of SpPbxisSource: the queue
 * actions of any of the account's agents (log on with the agent's name, log off, pause,
 * resume), a queue's statistics reset, and the queues' status. The source proper
 * (sp-pbxis-source.c) sends them as it sends every action, and asks for the status on
 * every connect.
 */

/* How long a queue status may take. */
#define STATUS_TIMEOUT_SECONDS 15

/* The name the agent is shown with in a queue it logs on to, as the real agent page sends
 * it (`utils.js` `ajaxQueueAction`, `memberName`); without one Asterisk calls the member
 * after its interface, "SIP/147". The account's for its own agent, else the one pbxis-ws
 * reported. */
static char *
dup_member_name (SpPbxisSource *self,
                 const char    *agent)
{
  SpAccount *account = sp_source_get_account (SP_SOURCE (self));
  g_auto(GStrv) extensions = sp_account_dup_extensions (account);
  g_autofree char *option = sp_account_dup_option (account, SP_PBXIS_OPTION_MEMBER_NAME);
  SpPbxisAgent *known = sp_pbxis_board_lookup_agent (sp_pbxis_source_get_board (self), agent);

  if (extensions != NULL && g_strcmp0 (extensions[0], agent) == 0 && option != NULL && *g_strstrip (option) != '\0')
    return g_steal_pointer (&option);

  return known ? g_strdup (sp_pbxis_agent_get_name (known)) : NULL;
}

/**
 * sp_pbxis_source_prepare_queue_action:
 * @url: (out): where to POST
 * @body: (out): what
 * @failure: (out): the error message's beginning if it fails
 *
 * A queue action of @agent on @queue, also SpSource's for the first extension.
 */
void
sp_pbxis_source_prepare_queue_action (SpPbxisSource   *self,
                                      SpSourceAction   action,
                                      const char      *agent,
                                      const char      *queue,
                                      const char      *base_url,
                                      char           **url,
                                      char           **body,
                                      char           **failure)
{
  const char *verb;

  if (action == SP_SOURCE_ACTION_QUEUE_ADD)
    {
      g_autofree char *member_name = dup_member_name (self, agent);

      verb = "add";
      *body = sp_pbxis_build_queue_add (queue, agent, member_name);
      *failure = g_strdup_printf (_("Could not log agent %s on to queue %s"), agent, queue);
    }
  else if (action == SP_SOURCE_ACTION_QUEUE_REMOVE)
    {
      verb = "remove";
      *body = sp_pbxis_build_queue_action (queue, agent, -1);
      *failure = g_strdup_printf (_("Could not log agent %s off queue %s"), agent, queue);
    }
  else
    {
      gboolean paused = action == SP_SOURCE_ACTION_QUEUE_PAUSE;

      verb = "pause";
      *body = sp_pbxis_build_queue_action (queue, agent, paused);
      *failure = paused
        ? g_strdup_printf (_("Could not pause agent %s in queue %s"), agent, queue)
        : g_strdup_printf (_("Could not resume agent %s in queue %s"), agent, queue);
    }

  *url = g_strdup_printf ("%s/queue/%s", base_url, verb);
}


static char *
dup_base_url (SpPbxisSource  *self,
              char          **configured,
              GError        **error)
{
  *configured = sp_account_dup_url (sp_source_get_account (SP_SOURCE (self)));

  return sp_pbxis_source_normalize_url (*configured, error);
}

/* A queue action of the status view, or with no @agent the reset of @queue's figures. */
static void
start_queue_action (SpPbxisSource       *self,
                    gpointer             source_tag,
                    SpSourceAction       action,
                    const char          *agent,
                    const char          *queue,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  g_autofree char *configured = NULL;
  g_autofree char *base_url = NULL;
  g_autofree char *url = NULL;
  g_autofree char *body = NULL;
  g_autofree char *failure = NULL;

  g_task_set_source_tag (task, source_tag);

  base_url = dup_base_url (self, &configured, &error);
  if (base_url == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (agent != NULL)
    {
      sp_pbxis_source_prepare_queue_action (self, action, agent, queue, base_url, &url, &body,
                                            &failure);
    }
  else
    {
      url = g_strdup_printf ("%s/queue/reset", base_url);
      body = sp_pbxis_build_queue_reset (queue);
      failure = g_strdup_printf (_("Could not reset the statistics of queue %s"), queue);
    }

  sp_pbxis_source_post_action (self, g_steal_pointer (&task), url, body,
                               g_steal_pointer (&failure), configured);
}

/**
 * sp_pbxis_source_queue_action_async:
 * @action: %SP_SOURCE_ACTION_QUEUE_ADD, _REMOVE, _PAUSE or _UNPAUSE
 * @agent: one of the account's extensions
 * @queue: the queue
 *
 * Logs @agent on to or off @queue, or pauses or resumes it there. Logging on sends the
 * agent's name as `memberName` (see dup_member_name()). The status view learns the result
 * from the stream, as Asterisk reports it.
 */
void
sp_pbxis_source_queue_action_async (SpPbxisSource       *self,
                                    SpSourceAction       action,
                                    const char          *agent,
                                    const char          *queue,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (SP_IS_PBXIS_SOURCE (self));
  g_return_if_fail (action == SP_SOURCE_ACTION_QUEUE_ADD ||
                    action == SP_SOURCE_ACTION_QUEUE_REMOVE ||
                    action == SP_SOURCE_ACTION_QUEUE_PAUSE ||
                    action == SP_SOURCE_ACTION_QUEUE_UNPAUSE);
  g_return_if_fail (agent != NULL && queue != NULL);

  start_queue_action (self, sp_pbxis_source_queue_action_async, action, agent, queue,
                      cancellable, callback, user_data);
}

gboolean
sp_pbxis_source_queue_action_finish (SpPbxisSource  *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * sp_pbxis_source_reset_queue_async:
 * @queue: the queue whose statistics (answered, abandoned, hold and talk times) start again
 *
 * `POST /queue/reset`: Asterisk's QueueReset (pbxis_ws.clj line 226, any other `queue`
 * action by reflection). Nothing in the stream says so: ask for the queues' status after.
 */
void
sp_pbxis_source_reset_queue_async (SpPbxisSource       *self,
                                   const char          *queue,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (SP_IS_PBXIS_SOURCE (self));
  g_return_if_fail (queue != NULL);

  start_queue_action (self, sp_pbxis_source_reset_queue_async, SP_SOURCE_ACTION_QUEUE_ADD,
                      NULL, queue, cancellable, callback, user_data);
}

gboolean
sp_pbxis_source_reset_queue_finish (SpPbxisSource  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
queue_status_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpPbxisSource *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) queues = NULL;

  queues = sp_pbxis_request_queue_status_finish (SOUP_SESSION (object), result, &error);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (queues == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_debug ("[%s] The server has %u queue(s)", sp_source_get_account_id (SP_SOURCE (self)),
           queues->len);
  sp_pbxis_board_apply_status (sp_pbxis_source_get_board (self), queues);
  sp_pbxis_source_board_refreshed (self);

  g_task_return_boolean (task, TRUE);
}

/**
 * sp_pbxis_source_refresh_queues_async:
 *
 * `GET /queue/status` (pbxis_ws.clj line 226, pbxis.clj `queue-status`): every queue's
 * members and figures, and which queues exist at all. Asked on every connect and when the
 * status view is refreshed; fills in what the events have not said.
 */
void
sp_pbxis_source_refresh_queues_async (SpPbxisSource       *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *configured = NULL;
  g_autofree char *base_url = NULL;

  g_return_if_fail (SP_IS_PBXIS_SOURCE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_pbxis_source_refresh_queues_async);

  base_url = dup_base_url (self, &configured, &error);
  if (base_url == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Every queue: the ones the account lists that are absent do not exist. */
  sp_pbxis_request_queue_status_async (self->session, base_url, STATUS_TIMEOUT_SECONDS,
                                       cancellable, queue_status_cb, g_steal_pointer (&task));
}

gboolean
sp_pbxis_source_refresh_queues_finish (SpPbxisSource  *self,
                                       GAsyncResult   *result,
                                       GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
