/* sp-secret.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-secret"

#include "config.h"

#include <string.h>

#include "sp-secret.h"

/*
 * Secrets (API keys, passwords, tokens) live only in the keyring, keyed by account id;
 * never in GSettings, logs or argv. The schema does not insist on its own name, so that an
 * administrator's plain
 *
 *   secret-tool store --label='Screenpop office' account office
 *
 * is found as well as what Screenpop stores itself.
 */

const SecretSchema *
sp_secret_get_schema (void)
{
  static const SecretSchema schema = {
    SP_SECRET_SCHEMA_NAME,
    SECRET_SCHEMA_DONT_MATCH_NAME,
    {
      { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *secret;

  secret = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, secret, (GDestroyNotify) sp_secret_free);
}

/**
 * sp_secret_lookup_async:
 * @account_id: the account
 *
 * Looks up the account's secret. Finishing gives %NULL without an error when there is
 * none.
 */
void
sp_secret_lookup_async (const char          *account_id,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (account_id != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_secret_lookup_async);

  secret_password_lookup (sp_secret_get_schema (), cancellable, lookup_cb, task,
                          "account", account_id,
                          NULL);
}

/**
 * sp_secret_free:
 * @secret: (nullable) (transfer full): a password, key or token, from the keyring or typed
 *
 * Overwrites @secret before freeing it, so that it does not linger in freed memory. The
 * one way a secret is freed anywhere in Screenpop.
 */
void
sp_secret_free (char *secret)
{
  if (secret == NULL)
    return;

  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

/**
 * sp_secret_lookup_finish:
 *
 * Returns: (transfer full) (nullable): the secret (free with sp_secret_free()), or
 *   %NULL if there is none or on error
 */
char *
sp_secret_lookup_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
sp_secret_store_async (const char          *account_id,
                       const char          *label,
                       const char          *secret,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (account_id != NULL);
  g_return_if_fail (secret != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_secret_store_async);

  secret_password_store (sp_secret_get_schema (), SECRET_COLLECTION_DEFAULT, label, secret,
                         cancellable, store_cb, task,
                         "account", account_id,
                         NULL);
}

gboolean
sp_secret_store_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
clear_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* Clearing what is not there is not a failure. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
sp_secret_clear_async (const char          *account_id,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (account_id != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_secret_clear_async);

  secret_password_clear (sp_secret_get_schema (), cancellable, clear_cb, task,
                         "account", account_id,
                         NULL);
}

gboolean
sp_secret_clear_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
