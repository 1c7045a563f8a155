/* sp-xivo-login.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-xivo"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "sp-http.h"
#include "sp-secret.h"
#include "sp-source.h"
#include "sp-xivo-login.h"

/*
 * The REST login to xuc (protocols/xivo.md §4): the login and password for a short-lived
 * token, shared by SpXivoSource's connection attempt and its token renewal. The password
 * and the token are secrets: the request body is wiped once sent, and neither is logged.
 */

typedef struct
{
  SoupMessage *msg;
  char        *url;
  char        *login;
} LoginData;

static void
login_data_free (LoginData *data)
{
  g_clear_object (&data->msg);
  g_free (data->url);
  g_free (data->login);
  g_free (data);
}

static void
login_free (SpXivoLogin *login)
{
  sp_xivo_login_clear (login);
  g_free (login);
}

static void
login_read_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LoginData *data = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) parse_error = NULL;
  GError *failure = NULL;
  SpXivoLogin *login;
  guint status;

  body = sp_http_read_bytes_finish (SOUP_SESSION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  status = soup_message_get_status (data->msg);

  /* xuc explains a refusal in a JSON body, whatever the status; read it first. */
  if (body != NULL)
    {
      login = g_new0 (SpXivoLogin, 1);
      if (sp_xivo_login_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body), login,
                               &parse_error) &&
          SOUP_STATUS_IS_SUCCESSFUL (status))
        {
          g_task_return_pointer (task, login, (GDestroyNotify) login_free);
          return;
        }
      login_free (login);

      if (g_error_matches (parse_error, SP_XIVO_ERROR, SP_XIVO_ERROR_INVALID_CREDENTIALS))
        {
          g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_AUTH,
                                   _("XiVO rejected the login or password of “%s”"), data->login);
          return;
        }
      if (g_error_matches (parse_error, SP_XIVO_ERROR, SP_XIVO_ERROR_SERVER))
        {
          g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                                   _("XiVO could not log in “%s”: %s"), data->login,
                                   parse_error->message);
          return;
        }
    }

  if (!sp_http_check_answer (data->msg, error, _("a XiVO login service"), NULL, &failure))
    {
      g_task_return_error (task, failure);
      return;
    }

  g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                           _("%s gave an answer that is not a XiVO login: %s"),
                           data->url, parse_error->message);
}

/**
 * sp_xivo_login_async:
 * @session: the session of the source
 * @account_id: the account, for the log
 * @base_url: the server, as sp_xivo_source_normalize_url() gives it
 * @login: the CTI user's login
 * @password: (transfer none): the password, a secret; copied and wiped after use
 *
 * `POST /xuc/api/2.0/auth/login`. Fails with an #SpSourceError a person can act on:
 * %SP_SOURCE_ERROR_AUTH when xuc refused the login or password.
 */
void
sp_xivo_login_async (SoupSession         *session,
                     const char          *account_id,
                     const char          *base_url,
                     const char          *login,
                     const char          *password,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (session, cancellable, callback, user_data);
  g_autoptr(GBytes) body = NULL;
  LoginData *data = g_new0 (LoginData, 1);
  char *request;

  g_task_set_source_tag (task, sp_xivo_login_async);
  g_task_set_task_data (task, data, (GDestroyNotify) login_data_free);

  data->url = sp_xivo_login_url (base_url);
  data->login = g_strdup (login);
  data->msg = soup_message_new (SOUP_METHOD_POST, data->url);
  if (data->msg == NULL)
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                               _("“%s” is not a server address"), base_url);
      return;
    }

  /* The body holds the password: wiped as soon as libsoup is done with it. */
  request = sp_xivo_login_request_new (login, password);
  body = g_bytes_new_with_free_func (request, strlen (request), (GDestroyNotify) sp_secret_free, request);
  soup_message_set_request_body_from_bytes (data->msg, "application/json", body);
  soup_message_headers_replace (soup_message_get_request_headers (data->msg), "Accept",
                                "application/json");

  g_debug ("[%s] Logging in to %s as %s", account_id, data->url, login);
  sp_http_read_bytes_async (session, data->msg, SP_HTTP_MAX_ANSWER, cancellable,
                            login_read_cb, g_steal_pointer (&task));
}

/**
 * sp_xivo_login_finish:
 * @out: (out caller-allocates): the login, zeroed beforehand; free it with
 *   sp_xivo_login_clear()
 *
 * Returns: whether the login succeeded
 */
gboolean
sp_xivo_login_finish (GAsyncResult  *result,
                      SpXivoLogin   *out,
                      GError       **error)
{
  SpXivoLogin *login;

  g_return_val_if_fail (g_async_result_is_tagged (result, sp_xivo_login_async), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  login = g_task_propagate_pointer (G_TASK (result), error);
  if (login == NULL)
    return FALSE;

  /* Moved, not copied: the token exists once. */
  *out = *login;
  g_free (login);

  return TRUE;
}
