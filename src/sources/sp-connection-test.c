/* sp-connection-test.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-connection-test"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-connection-test.h"
#include "sp-secret.h"
#include "sp-source-kind.h"

/*
 * "Test Connection" of the account editor, without the editor: a source for an account
 * that is not saved (a transient one, with the settings as typed), made by the registry as
 * the app's sources are, started once and watched until it is connected, gives up, or the
 * time is over. The secret is given to the source in memory; it never goes to the keyring.
 */

typedef struct
{
  SpAccount *account;
  SpSource  *source;
  guint      timeout_id;
  gulong     cancelled_id;
  gboolean   done;
} TestData;

static void
test_data_free (TestData *data)
{
  /* The source before its account, which it does not own. */
  g_clear_object (&data->source);
  g_clear_object (&data->account);
  g_free (data);
}

/* Ends the test once, with whatever ends it first: connected (@detail), failed, timed out
 * or cancelled (@error). Takes @detail and @error. */
static void
finish (GTask  *task,
        char   *detail,
        GError *error)
{
  TestData *data = g_task_get_task_data (task);
  g_autoptr(GTask) hold = g_object_ref (task);

  if (data->done)
    {
      g_free (detail);
      g_clear_error (&error);
      return;
    }
  data->done = TRUE;

  g_clear_handle_id (&data->timeout_id, g_source_remove);
  /* Not g_cancellable_disconnect(): this may run inside the cancellable's own "cancelled"
   * emission, where GLib 2.74's version waits for itself (see sp-http.c, read_free()). */
  if (data->cancelled_id != 0)
    g_signal_handler_disconnect (g_task_get_cancellable (task), data->cancelled_id);
  data->cancelled_id = 0;
  if (data->source != NULL)
    {
      g_signal_handlers_disconnect_by_data (data->source, task);
      sp_source_stop (data->source);
    }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, detail, g_free);
}

static void
state_cb (SpSource   *source,
          GParamSpec *pspec,
          GTask      *task)
{
  const char *message;

  switch (sp_source_get_state (source))
    {
    case SP_SOURCE_STATE_CONNECTED:
      /* What it listens to, e.g. the channels of a redmine account. */
      finish (task, g_strdup (sp_source_get_detail (source)), NULL);
      break;

    case SP_SOURCE_STATE_RECONNECTING:
    case SP_SOURCE_STATE_FAILED:
    case SP_SOURCE_STATE_AUTH_FAILED:
      message = sp_source_get_error_message (source);
      if (message == NULL)
        message = _("The connection failed.");
      /* With the certificate the user may choose to trust. */
      if (sp_source_get_untrusted_certificate (source) != NULL)
        finish (task, NULL, sp_source_error_new_certificate (sp_source_get_untrusted_certificate (source),
                                                             "%s", message));
      else
        finish (task, NULL, g_error_new_literal (SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED, message));
      break;

    case SP_SOURCE_STATE_CONNECTING:
    case SP_SOURCE_STATE_DISCONNECTED:
    default:
      break;
    }
}

static gboolean
timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  TestData *data = g_task_get_task_data (task);

  data->timeout_id = 0;
  finish (task, NULL, g_error_new_literal (SP_SOURCE_ERROR, SP_SOURCE_ERROR_TIMEOUT,
                                           _("The server did not answer in time.")));

  return G_SOURCE_REMOVE;
}

static gboolean
cancelled_idle_cb (gpointer user_data)
{
  GTask *task = user_data;

  finish (task, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                           "The connection test was cancelled"));

  return G_SOURCE_REMOVE;
}

static void
cancelled_cb (GCancellable *cancellable,
              GTask        *task)
{
  /* Inside g_cancellable_cancel() the handler cannot be disconnected: finish from an idle. */
  g_idle_add_full (G_PRIORITY_DEFAULT, cancelled_idle_cb, g_object_ref (task), g_object_unref);
}

static void
start (GTask      *task,
       const char *secret)
{
  TestData *data = g_task_get_task_data (task);

  if (secret != NULL)
    sp_source_set_transient_secret (data->source, secret);

  g_signal_connect_object (data->source, "notify::state", G_CALLBACK (state_cb), task, 0);
  sp_source_start (data->source);
}

static void
secret_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TestData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  char *secret = sp_secret_lookup_finish (result, &error);

  if (data->done)
    {
      sp_secret_free (secret);
      return;
    }

  if (error != NULL)
    {
      finish (task, NULL, g_error_new (error->domain, error->code,
                                       _("Could not read the secret from the keyring: %s"),
                                       error->message));
      return;
    }

  /* No stored secret: the source says what is missing. */
  start (task, secret);
  sp_secret_free (secret);
}

/**
 * sp_connection_test_async:
 * @account: an account with the settings to test, usually a transient one
 * @secret: (nullable): the secret to connect with, in memory only
 * @keyring_id: (nullable): without @secret, the account whose secret in the keyring to use
 * @timeout_seconds: how long the server has to answer
 *
 * Connects a new source for @account once and reports how that went: connected, or the
 * reason it did not (as the source says it, or that the server did not answer in time).
 */
void
sp_connection_test_async (SpAccount           *account,
                          const char          *secret,
                          const char          *keyring_id,
                          guint                timeout_seconds,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  TestData *data;

  g_return_if_fail (SP_IS_ACCOUNT (account));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_connection_test_async);
  data = g_new0 (TestData, 1);
  data->account = g_object_ref (account);
  g_task_set_task_data (task, data, (GDestroyNotify) test_data_free);

  data->source = sp_source_kind_create_source (account, &error);
  if (data->source == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  /* The timeout holds the task until the test ends. */
  data->timeout_id = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, timeout_seconds, timeout_cb,
                                                 g_object_ref (task), g_object_unref);
  if (cancellable != NULL)
    data->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb),
                                                task, NULL);

  if (secret == NULL && keyring_id != NULL)
    {
      sp_secret_lookup_async (keyring_id, cancellable, secret_cb, g_object_ref (task));
      return;
    }

  start (task, secret);
}

/**
 * sp_connection_test_finish:
 *
 * Returns: (transfer full) (nullable): what the source says it listens to (its detail, may
 *   be %NULL) once connected; %NULL with @error set if it did not connect
 */
char *
sp_connection_test_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
