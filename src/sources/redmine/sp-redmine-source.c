/* sp-redmine-source.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-redmine"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "sp-account.h"
#include "sp-http.h"
#include "sp-redmine-command.h"
#include "sp-redmine-source.h"
#include "sp-redmine-source-private.h"
#include "sp-secret.h"

/*
 * redmine_rt (see protocols/redmine_rt.md): a Redmine plugin that pushes commands
 * (open_url, show_notification, post_msg) over ActionCable. One attempt goes:
 *
 *   keyring secret ─► GET /users/current.json ─► WebSocket /cable?access_key=KEY
 *     (API key, or a password     (401 = the credentials   ─► welcome ─► subscribe user:LOGIN,
 *      traded once for the key)    are wrong: the cable        general and the extra channels
 *                                  never says so)          ─► first confirm_subscription: live
 *
 * The cable accepts any key silently, so the HTTP check is what catches a wrong one; an
 * authentication failure is never retried by itself. The plugin renamed its channel class
 * in 2022 and a server answers nothing at all to the other name, so a subscription that is
 * not confirmed within 5 s while the server still pings is retried with the other class,
 * and the class that worked is kept for later connections. The server pings every 3 s:
 * 6 s of silence is a dead link. post_msg goes over HTTP, because the WebSocket send path is
 * broken on current servers.
 *
 * The source is written in three files:
 * - this one: the type, the attempt up to the cable (the keyring, users/current.json, the
 *   trade of a password for the key) and the post_msg action, over HTTP;
 * - sp-redmine-cable.c: the ActionCable link, from the upgrade to the end of the
 *   connection: frames, timers, broadcasts turned into commands;
 * - sp-redmine-channels.c: the subscriptions and the channel class, pure, which the cable
 *   feeds and obeys.
 * sp-redmine-source-private.h holds the instance struct the first two share.
 *
 * The API key is a secret: it appears in the cable URL, which is therefore only ever logged
 * without its query.
 */

/* How long each HTTP request (the check, the key trade) may stay silent. */
#define HTTP_TIMEOUT_SECONDS 15
/* How long a whole attempt may take (the base class's deadline). The steps with a limit of
 * their own (the HTTP check, the welcome, the confirmation under each channel class) say
 * more precisely what went wrong; this catches what they leave open, above all a WebSocket
 * upgrade that never answers, which gets 15 s on top of their limits. */
#define CONNECT_TIMEOUT_SECONDS (HTTP_TIMEOUT_SECONDS + 15 + SP_REDMINE_WELCOME_TIMEOUT_SECONDS + \
                                 2 * SP_REDMINE_CONFIRM_TIMEOUT_MS / 1000)

G_DEFINE_FINAL_TYPE (SpRedmineSource, sp_redmine_source, SP_TYPE_SOURCE)

static const char *
account_id (SpRedmineSource *self)
{
  return sp_source_get_account_id (SP_SOURCE (self));
}

static gboolean
uses_password (SpRedmineSource *self)
{
  g_autofree char *auth = sp_account_dup_option (sp_source_get_account (SP_SOURCE (self)),
                                                 SP_REDMINE_OPTION_AUTH);

  return g_strcmp0 (auth, SP_REDMINE_AUTH_PASSWORD) == 0;
}

static void
set_option (SpAccount  *account,
            const char *key,
            const char *value)
{
  GSettings *settings = sp_account_get_settings (account);
  g_autoptr(GVariant) options = g_settings_get_value (settings, "options");
  GVariantBuilder builder;
  GVariantIter iter;
  const char *k, *v;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  g_variant_iter_init (&iter, options);
  while (g_variant_iter_next (&iter, "{&s&s}", &k, &v))
    {
      if (g_strcmp0 (k, key) != 0)
        g_variant_builder_add (&builder, "{ss}", k, v);
    }
  g_variant_builder_add (&builder, "{ss}", key, value);

  g_settings_set_value (settings, "options", g_variant_builder_end (&builder));
}

/* Connecting */

static void
connect_data_free (SpRedmineConnectData *data)
{
  g_clear_object (&data->msg);
  g_clear_pointer (&data->secret, sp_secret_free);
  g_free (data->cable_url);
  g_free (data);
}

static const SpHttpStatus current_user_key_statuses[] = {
  { SOUP_STATUS_UNAUTHORIZED, SP_SOURCE_ERROR_AUTH,
    N_("Redmine rejected the API key"),
    N_("Check the key in your Redmine account page (My account → API access key)") },
  { SOUP_STATUS_FORBIDDEN, SP_SOURCE_ERROR_CONFIG,
    N_("Redmine refused its REST API"),
    N_("An administrator must enable it: Administration → Settings → API → Enable REST web service") },
  { SOUP_STATUS_NOT_FOUND, SP_SOURCE_ERROR_CONFIG,
    N_("Redmine’s users/current.json was not found"),
    N_("Use the address you open Redmine at, with its sub-path if it has one (https://host/redmine)") },
  { 0, }
};

static const SpHttpStatus current_user_password_statuses[] = {
  { SOUP_STATUS_UNAUTHORIZED, SP_SOURCE_ERROR_AUTH,
    N_("Redmine rejected the login or the password"),
    N_("Check them by signing in to Redmine in a browser") },
  { SOUP_STATUS_FORBIDDEN, SP_SOURCE_ERROR_CONFIG,
    N_("Redmine refused its REST API"),
    N_("An administrator must enable it: Administration → Settings → API → Enable REST web service") },
  { SOUP_STATUS_NOT_FOUND, SP_SOURCE_ERROR_CONFIG,
    N_("Redmine’s users/current.json was not found"),
    N_("Use the address you open Redmine at, with its sub-path if it has one (https://host/redmine)") },
  { 0, }
};

static const SpHttpStatus post_msg_statuses[] = {
  { SOUP_STATUS_UNAUTHORIZED, SP_SOURCE_ERROR_AUTH, N_("Redmine rejected the API key"), NULL },
  { 0, }
};

static void
key_stored_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpRedmineSource *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  gboolean stored;

  stored = sp_source_store_secret_finish (SP_SOURCE (object), result, &error);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (!stored)
    {
      /* The key works for this connection; the password stays for the next one. */
      g_message ("[%s] Could not keep the Redmine API key in the keyring: %s",
                 account_id (self), error->message);
    }
  else
    {
      g_message ("[%s] Traded the password for the API key; only the key is kept now",
                 account_id (self));
      /* This may restart the source (a connection setting changed), which cancels this
       * attempt; the next one finds the key. */
      set_option (sp_source_get_account (SP_SOURCE (self)), SP_REDMINE_OPTION_AUTH,
                  SP_REDMINE_AUTH_API_KEY);
      if (g_task_return_error_if_cancelled (task))
        return;
    }

  sp_redmine_cable_open (g_steal_pointer (&task));
}

static void
current_user_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpRedmineSource *self = g_task_get_source_object (task);
  SpRedmineConnectData *data = g_task_get_task_data (task);
  g_auto(SpRedmineUser) user = { 0 };
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  gboolean password = data->secret != NULL;
  GCancellable *cancellable;
  GError *failure = NULL;

  body = sp_http_read_bytes_finish (SOUP_SESSION (object), result, &error);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (!sp_http_check_answer (data->msg, error, _("Redmine’s REST API"),
                             password ? current_user_password_statuses : current_user_key_statuses,
                             &failure))
    {
      g_task_return_error (task, failure);
      return;
    }

  if (!sp_redmine_user_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &user,
                              &error))
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                               _("%s/users/current.json did not answer like Redmine: %s"),
                               self->base_url, error->message);
      return;
    }

  g_free (self->login);
  self->login = g_strdup (user.login);
  g_debug ("[%s] Signed in to %s as %s", account_id (self), self->base_url, self->login);

  if (!password)
    {
      sp_redmine_cable_open (g_steal_pointer (&task));
      return;
    }

  if (user.api_key == NULL)
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                               _("Redmine did not give out the API key of %s. Sign in to Redmine, open My account → API access key → Show, and add the account with that key instead of the password"),
                               self->login);
      return;
    }

  g_clear_pointer (&self->api_key, sp_secret_free);
  self->api_key = g_strdup (user.api_key);
  cancellable = g_task_get_cancellable (task);
  sp_source_store_secret_async (SP_SOURCE (self), self->api_key, cancellable, key_stored_cb,
                                g_steal_pointer (&task));
}

static void
secret_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpRedmineSource *self = g_task_get_source_object (task);
  SpRedmineConnectData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *login = NULL;
  char *secret;
  SoupMessageHeaders *headers;
  GCancellable *cancellable;

  secret = sp_source_lookup_secret_finish (SP_SOURCE (object), result, &error);

  if (g_task_return_error_if_cancelled (task))
    {
      g_clear_pointer (&secret, sp_secret_free);
      return;
    }

  if (error != NULL)
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                               _("Could not read the account’s secret from the keyring: %s"),
                               error->message);
      return;
    }

  if (secret == NULL || *secret == '\0')
    {
      g_clear_pointer (&secret, sp_secret_free);
      if (uses_password (self))
        g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_AUTH,
                                 _("No Redmine password is stored for this account. Add the account again with your login and password, or with your API key"));
      else
        g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_AUTH,
                                 _("No Redmine API key is stored for this account. Find it in Redmine under My account → API access key, and add the account again with it"));
      return;
    }

  url = sp_redmine_current_user_url (self->base_url, NULL);
  data->msg = soup_message_new (SOUP_METHOD_GET, url);
  headers = soup_message_get_request_headers (data->msg);
  soup_message_headers_replace (headers, "Accept", "application/json");

  if (uses_password (self))
    {
      g_autofree char *pair = NULL;
      g_autofree char *encoded = NULL;
      g_autofree char *authorization = NULL;

      login = sp_account_dup_login (sp_source_get_account (SP_SOURCE (self)));
      if (login[0] == '\0')
        {
          g_clear_pointer (&secret, sp_secret_free);
          g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                                   _("The account has a password but no login; enter your Redmine login"));
          return;
        }

      pair = g_strconcat (login, ":", secret, NULL);
      encoded = g_base64_encode ((const guchar *) pair, strlen (pair));
      authorization = g_strconcat ("Basic ", encoded, NULL);
      soup_message_headers_replace (headers, "Authorization", authorization);
      memset (pair, 0, strlen (pair));
      memset (encoded, 0, strlen (encoded));
      memset (authorization, 0, strlen (authorization));
      data->secret = secret;
    }
  else
    {
      soup_message_headers_replace (headers, "X-Redmine-API-Key", secret);
      g_clear_pointer (&self->api_key, sp_secret_free);
      self->api_key = secret;
    }

  g_debug ("[%s] Checking the credentials with %s", account_id (self), url);

  cancellable = g_task_get_cancellable (task);
  sp_http_read_bytes_async (self->http, data->msg, SP_HTTP_MAX_ANSWER, cancellable,
                            current_user_cb, g_steal_pointer (&task));
}

static void
sp_redmine_source_connect_async (SpSource            *source,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  SpRedmineSource *self = SP_REDMINE_SOURCE (source);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *configured = sp_account_dup_url (sp_source_get_account (source));
  g_autofree char *base_url = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_redmine_source_connect_async);
  g_task_set_task_data (task, g_new0 (SpRedmineConnectData, 1),
                        (GDestroyNotify) connect_data_free);

  base_url = sp_redmine_source_normalize_url (configured, &error);
  if (base_url == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_free (self->base_url);
  self->base_url = g_steal_pointer (&base_url);

  sp_http_session_pin_account (self->http, sp_source_get_account (source));
  sp_http_session_pin_account (self->ws, sp_source_get_account (source));

  sp_source_lookup_secret_async (source, cancellable, secret_cb, g_steal_pointer (&task));
}

static gboolean
sp_redmine_source_connect_finish (SpSource      *source,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
sp_redmine_source_disconnect (SpSource *source)
{
  sp_redmine_cable_close (source);
}

/* post_msg */

/* BASE/channels/ENCODED/post_msg.json as a GUri that keeps "%2E" (see
 * sp_redmine_post_msg_url()). Parsing the URL as a string would not do: GUri normalizes an
 * escaped unreserved character such as "%2E" back to ".", and Rails then answers 404. A
 * GUri built with libsoup's own flags is used by libsoup as it is. */
static GUri *
build_post_msg_uri (const char  *base_url,
                    const char  *channel,
                    GError     **error)
{
  g_autofree char *check = NULL;
  g_autofree char *encoded = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GUri) base = NULL;

  /* Refuses what the pure builder refuses (an empty name, a bad base). */
  check = sp_redmine_post_msg_url (base_url, channel, error);
  if (check == NULL)
    return NULL;

  base = g_uri_parse (base_url, SOUP_HTTP_URI_FLAGS, error);
  if (base == NULL)
    return NULL;

  encoded = sp_redmine_channel_name_encode (channel);
  /* The normalized base ends without "/", but an http URI's empty path reads as "/". */
  path = g_strconcat (g_uri_get_path (base), "/channels/", encoded, "/post_msg.json", NULL);
  if (g_str_has_prefix (path, "//"))
    memmove (path, path + 1, strlen (path));

  return g_uri_build (SOUP_HTTP_URI_FLAGS, g_uri_get_scheme (base), NULL, g_uri_get_host (base),
                      g_uri_get_port (base), path, NULL, NULL);
}

typedef struct
{
  SoupMessage *msg;
} PostData;

static void
post_data_free (PostData *data)
{
  g_clear_object (&data->msg);
  g_free (data);
}

static void
post_msg_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PostData *data = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  GError *failure = NULL;

  body = sp_http_read_bytes_finish (SOUP_SESSION (object), result, &error);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (!sp_http_check_answer (data->msg, error, _("a Redmine channel"), post_msg_statuses,
                             &failure))
    {
      g_task_return_error (task, failure);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static gboolean
sp_redmine_source_can_perform (SpSource       *source,
                               SpSourceAction  action)
{
  SpRedmineSource *self = SP_REDMINE_SOURCE (source);

  return action == SP_SOURCE_ACTION_POST_MESSAGE &&
         self->api_key != NULL && self->base_url != NULL &&
         sp_source_get_state (source) != SP_SOURCE_STATE_DISCONNECTED &&
         sp_source_get_state (source) != SP_SOURCE_STATE_AUTH_FAILED;
}

/* POST_MESSAGE with @param (ss): the channel name and the message as JSON text. */
static void
sp_redmine_source_perform_async (SpSource            *source,
                                 SpSourceAction       action,
                                 const char          *call_id,
                                 GVariant            *param,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  SpRedmineSource *self = SP_REDMINE_SOURCE (source);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *url = NULL;
  const char *channel;
  const char *json;
  PostData *data;

  if (action != SP_SOURCE_ACTION_POST_MESSAGE)
    {
      SP_SOURCE_CLASS (sp_redmine_source_parent_class)->perform_async (source, action, call_id,
                                                                      param, cancellable,
                                                                      callback, user_data);
      return;
    }

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_redmine_source_perform_async);

  if (param != NULL)
    g_variant_ref_sink (param);

  if (param == NULL || !g_variant_is_of_type (param, G_VARIANT_TYPE ("(ss)")))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "post_msg needs (channel, JSON message)");
      g_clear_pointer (&param, g_variant_unref);
      return;
    }

  g_variant_get (param, "(&s&s)", &channel, &json);

  if (!sp_redmine_source_can_perform (source, action))
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                               _("The account is not signed in to Redmine yet; wait until it is connected"));
      g_variant_unref (param);
      return;
    }

  uri = build_post_msg_uri (self->base_url, channel, &error);
  if (uri == NULL)
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED, "%s", error->message);
      g_variant_unref (param);
      return;
    }

  data = g_new0 (PostData, 1);
  data->msg = soup_message_new_from_uri (SOUP_METHOD_POST, uri);
  url = g_uri_to_string (soup_message_get_uri (data->msg));
  g_task_set_task_data (task, data, (GDestroyNotify) post_data_free);

  /* The key in a header: in the query (?key=) redmine_rt would broadcast it with the
   * message. */
  soup_message_headers_replace (soup_message_get_request_headers (data->msg),
                                "X-Redmine-API-Key", self->api_key);
  body = g_bytes_new (json, strlen (json));
  soup_message_set_request_body_from_bytes (data->msg, "application/json", body);
  g_variant_unref (param);

  g_debug ("[%s] POST %s", account_id (self), url);

  /* The answer (the message as broadcast) is not used, only its status. */
  sp_http_read_bytes_async (self->http, data->msg, SP_HTTP_MAX_ANSWER, cancellable,
                            post_msg_cb, g_steal_pointer (&task));
}

static gboolean
sp_redmine_source_perform_finish (SpSource      *source,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
sp_redmine_source_constructed (GObject *object)
{
  SpRedmineSource *self = SP_REDMINE_SOURCE (object);
  g_autofree char *channel_class = NULL;

  G_OBJECT_CLASS (sp_redmine_source_parent_class)->constructed (object);

  channel_class = sp_account_dup_option (sp_source_get_account (SP_SOURCE (self)),
                                         SP_REDMINE_OPTION_CHANNEL_CLASS);
  self->channels = sp_redmine_channels_new (account_id (self), channel_class);

  sp_source_set_liveness_timeout (SP_SOURCE (self), SP_REDMINE_LIVENESS_MS);
}

static void
sp_redmine_source_dispose (GObject *object)
{
  SpRedmineSource *self = (SpRedmineSource *)object;

  sp_redmine_source_disconnect (SP_SOURCE (self));
  g_clear_object (&self->http);
  g_clear_object (&self->ws);

  G_OBJECT_CLASS (sp_redmine_source_parent_class)->dispose (object);
}

static void
sp_redmine_source_finalize (GObject *object)
{
  SpRedmineSource *self = (SpRedmineSource *)object;

  g_clear_pointer (&self->channels, sp_redmine_channels_free);
  g_clear_pointer (&self->api_key, sp_secret_free);
  g_free (self->base_url);
  g_free (self->login);

  G_OBJECT_CLASS (sp_redmine_source_parent_class)->finalize (object);
}

static void
sp_redmine_source_class_init (SpRedmineSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  SpSourceClass *source_class = SP_SOURCE_CLASS (klass);

  object_class->constructed = sp_redmine_source_constructed;
  object_class->dispose = sp_redmine_source_dispose;
  object_class->finalize = sp_redmine_source_finalize;

  source_class->connect_async = sp_redmine_source_connect_async;
  source_class->connect_finish = sp_redmine_source_connect_finish;
  source_class->disconnect = sp_redmine_source_disconnect;
  source_class->can_perform = sp_redmine_source_can_perform;
  source_class->perform_async = sp_redmine_source_perform_async;
  source_class->perform_finish = sp_redmine_source_perform_finish;
}

static void
sp_redmine_source_init (SpRedmineSource *self)
{
  self->http = sp_http_session_new_with_options ("timeout", HTTP_TIMEOUT_SECONDS, NULL);
  self->ws = sp_http_session_new ();
  sp_source_set_connect_timeout (SP_SOURCE (self), CONNECT_TIMEOUT_SECONDS * 1000);
}

/**
 * sp_redmine_source_normalize_url:
 * @url: the Redmine address as typed: the address Redmine opens at, with its sub-path if
 *   it has one
 * @error: return location for an %SP_SOURCE_ERROR_CONFIG error a person can fix
 *
 * The kind's reading of its server address: sp_http_normalize_url(), http(s) only. The
 * source builds every API path (and the cable's) from the result.
 *
 * Returns: (transfer full) (nullable): the base URL, without a trailing slash
 */
char *
sp_redmine_source_normalize_url (const char  *url,
                                 GError     **error)
{
  return sp_http_normalize_url (url, SP_HTTP_URL_DEFAULT, "https://redmine.example.com", error);
}

/**
 * sp_redmine_source_new:
 * @account: a `redmine-rt` account: `url` the Redmine base URL, `channels` the extra
 *   channels, the API key (or, with the option auth=password, the password of `login`)
 *   in the keyring
 *
 * Returns: (transfer full): a new, stopped source
 */
SpSource *
sp_redmine_source_new (SpAccount *account)
{
  return g_object_new (SP_TYPE_REDMINE_SOURCE, "account", account, NULL);
}

/**
 * sp_redmine_source_get_login:
 *
 * Returns: (nullable): the Redmine login the credentials belong to, once checked
 */
const char *
sp_redmine_source_get_login (SpRedmineSource *self)
{
  g_return_val_if_fail (SP_IS_REDMINE_SOURCE (self), NULL);
  return self->login;
}

/**
 * sp_redmine_source_get_channel_class:
 *
 * Returns: the channel class in use: the one that worked, or the one being tried
 */
const char *
sp_redmine_source_get_channel_class (SpRedmineSource *self)
{
  g_return_val_if_fail (SP_IS_REDMINE_SOURCE (self), NULL);
  return sp_redmine_channels_get_class (self->channels);
}
