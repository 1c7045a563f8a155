/* sp-source.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-source"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "sp-account.h"
#include "sp-backoff.h"
#include "sp-dial.h"
#include "sp-enums.h"
#include "sp-redmine-command.h"
#include "sp-secret.h"
#include "sp-source.h"

/*
 * SpSource is what every backend has in common: one connection, and the life around it.
 *
 *   DISCONNECTED ──start──► CONNECTING ──ok──► CONNECTED
 *                               │  ▲               │ lost / silent
 *                        error  │  │ retry timer   ▼
 *                               └─►RECONNECTING ◄──┘
 *   an auth error → AUTH_FAILED, a fatal or config error → FAILED: both wait for the user
 *
 * Every attempt gets its own GCancellable, cancelled when a new attempt replaces it or the
 * source stops, so that a late answer from an old attempt can never touch the new one.
 *
 * Every attempt also gets a deadline, when the subclass sets one
 * (sp_source_set_connect_timeout()): an attempt still unfinished then fails as
 * SP_SOURCE_ERROR_TIMEOUT ("… did not answer within N seconds") and the normal back-off
 * applies. The base class cancels and disconnects the attempt itself, so a subclass only
 * passes the attempt's cancellable down to everything it starts and has no timer of its own.
 */

typedef struct
{
  SpAccount     *account;        /* owned: whoever keeps the source may read its account */
  char          *account_id;
  SpSourceState  state;
  char          *error_message;
  guint          attempt;
  gint64         retry_time;
  guint          retry_id;
  GCancellable  *cancellable;
  gint64         down_since;     /* monotonic: the first failure since the last success */

  guint          connect_timeout_msec;
  guint          deadline_id;

  guint          liveness_msec;
  gint64         last_touch;
  guint          liveness_id;

  GNetworkMonitor *monitor;
  gboolean         network_available;

  char          *detail;
  char          *untrusted_certificate;   /* of the last failure, for the editor */
  SpAgentState   agent_state;
  char          *transient_secret;   /* set: the keyring is not used at all */
} SpSourcePrivate;

enum {
  PROP_0,
  PROP_ACCOUNT,
  PROP_STATE,
  PROP_ERROR_MESSAGE,
  PROP_RETRY_TIME,
  PROP_DETAIL,
  PROP_AGENT_STATE,
  N_PROPS
};

enum {
  CALL_EVENT,
  COMMAND,
  N_SIGNALS
};

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (SpSource, sp_source, G_TYPE_OBJECT)


static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

static void begin_attempt (SpSource *self);

static void
set_state (SpSource      *self,
           SpSourceState  state)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  if (priv->state == state)
    return;

  g_debug ("[%s] %s → %s", priv->account_id,
           sp_source_state_to_string (priv->state), sp_source_state_to_string (state));

  priv->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);

  /* Whatever the agent was, a link that is down cannot tell: the next one says again. */
  if (state != SP_SOURCE_STATE_CONNECTED)
    sp_source_set_agent_state (self, SP_AGENT_STATE_NONE);
}

static void
set_error_message (SpSource   *self,
                   const char *message)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  if (g_strcmp0 (priv->error_message, message) == 0)
    return;

  g_free (priv->error_message);
  priv->error_message = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
}

static void
set_retry_time (SpSource *self,
                gint64    retry_time)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  if (priv->retry_time == retry_time)
    return;

  priv->retry_time = retry_time;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRY_TIME]);
}

/* Drops everything that belongs to the current attempt, without any state change. */
static void
teardown (SpSource *self)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  g_cancellable_cancel (priv->cancellable);
  g_clear_object (&priv->cancellable);
  g_clear_handle_id (&priv->retry_id, g_source_remove);
  g_clear_handle_id (&priv->deadline_id, g_source_remove);
  g_clear_handle_id (&priv->liveness_id, g_source_remove);
  set_retry_time (self, 0);

  SP_SOURCE_GET_CLASS (self)->disconnect (self);
}

/* The timers below hold the source while they run: a state change notifies, and a handler
 * (a window closing, a test connection ending) may drop what was the last reference. */
static gboolean
retry_cb (gpointer data)
{
  g_autoptr(SpSource) self = g_object_ref (data);
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  priv->retry_id = 0;
  begin_attempt (self);

  return G_SOURCE_REMOVE;
}

static void
handle_failure (SpSource     *self,
                const GError *error)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);
  guint delay;

  teardown (self);
  set_error_message (self, error->message);
  g_free (priv->untrusted_certificate);
  priv->untrusted_certificate = g_strdup (sp_source_error_get_certificate (error));

  /* A certificate the system does not trust will not become trusted by waiting: only the
   * user can trust it (in the account's settings), and until then nothing is sent. */
  if (g_error_matches (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CERTIFICATE))
    {
      g_message ("[%s] %s; not retrying until the certificate is trusted", priv->account_id,
                 error->message);
      set_state (self, SP_SOURCE_STATE_FAILED);
      return;
    }

  if (g_error_matches (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_AUTH))
    {
      g_message ("[%s] %s; not retrying until the settings change", priv->account_id,
                 error->message);
      set_state (self, SP_SOURCE_STATE_AUTH_FAILED);
      return;
    }

  if (g_error_matches (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FATAL) ||
      g_error_matches (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG))
    {
      g_message ("[%s] %s; giving up", priv->account_id, error->message);
      set_state (self, SP_SOURCE_STATE_FAILED);
      return;
    }

  if (priv->down_since == 0)
    priv->down_since = g_get_monotonic_time ();

  /* A server that answered and refused us on purpose will not change its mind in a second:
   * the slow schedule. One that did not answer at all (refused connection, no route, a
   * timeout) costs nothing to try again, and every second we wait once it is back is a
   * second of calls we miss: the probe schedule, about every second for the first minutes. */
  if (g_error_matches (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_REFUSED))
    {
      priv->attempt = MAX (priv->attempt, SP_BACKOFF_SLOW_ATTEMPT);
      delay = sp_backoff_delay_ms (priv->attempt, g_random_double ());
    }
  else
    {
      delay = sp_backoff_probe_delay_ms ((g_get_monotonic_time () - priv->down_since) / 1000,
                                         g_random_double ());
    }
  priv->attempt++;

  g_message ("[%s] %s; retrying in %u ms", priv->account_id, error->message, delay);

  set_retry_time (self, g_get_monotonic_time () + (gint64) delay * 1000);
  priv->retry_id = g_timeout_add (delay, retry_cb, self);
  set_state (self, SP_SOURCE_STATE_RECONNECTING);
}

static gboolean
liveness_cb (gpointer data)
{
  g_autoptr(SpSource) self = g_object_ref (data);
  SpSourcePrivate *priv = sp_source_get_instance_private (self);
  g_autoptr(GError) error = NULL;

  if (g_get_monotonic_time () - priv->last_touch <= (gint64) priv->liveness_msec * 1000)
    return G_SOURCE_CONTINUE;

  priv->liveness_id = 0;
  error = g_error_new (SP_SOURCE_ERROR, SP_SOURCE_ERROR_TIMEOUT,
                       _("The server went silent for more than %u seconds"),
                       (priv->liveness_msec + 999) / 1000);
  sp_source_connection_lost (self, error);

  return G_SOURCE_REMOVE;
}

static void
start_liveness (SpSource *self)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  g_clear_handle_id (&priv->liveness_id, g_source_remove);

  if (priv->liveness_msec == 0 || priv->state != SP_SOURCE_STATE_CONNECTED)
    return;

  priv->last_touch = g_get_monotonic_time ();
  /* Checked four times per period, so silence is noticed at most a quarter late. */
  priv->liveness_id = g_timeout_add (MAX (priv->liveness_msec / 4, 50), liveness_cb, self);
}

/* The account's address as the user typed it, without what must not be shown (a password,
 * a query with a key), or %NULL when it does not parse as one. */
static char *
dup_display_url (SpSource *self)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);
  g_autofree char *url = sp_account_dup_url (priv->account);
  g_autoptr(GUri) uri = NULL;

  if (url == NULL || *url == '\0')
    return NULL;

  /* Without these flags the password stays in the user info, where nothing hides it. */
  uri = g_uri_parse (url, G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_HAS_AUTH_PARAMS, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return NULL;

  return g_uri_to_string_partial (uri, G_URI_HIDE_PASSWORD | G_URI_HIDE_AUTH_PARAMS |
                                        G_URI_HIDE_QUERY | G_URI_HIDE_FRAGMENT);
}

static gboolean
deadline_cb (gpointer data)
{
  g_autoptr(SpSource) self = g_object_ref (data);
  SpSourcePrivate *priv = sp_source_get_instance_private (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = dup_display_url (self);
  guint seconds = (priv->connect_timeout_msec + 999) / 1000;

  priv->deadline_id = 0;

  if (url != NULL)
    error = g_error_new (SP_SOURCE_ERROR, SP_SOURCE_ERROR_TIMEOUT,
                         _("%s did not answer within %u seconds"), url, seconds);
  else
    error = g_error_new (SP_SOURCE_ERROR, SP_SOURCE_ERROR_TIMEOUT,
                         _("The server did not answer within %u seconds"), seconds);

  /* Cancels and disconnects the attempt: its late "cancelled" is ignored in connect_cb. */
  handle_failure (self, error);

  return G_SOURCE_REMOVE;
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  SpSource *self = SP_SOURCE (object);
  SpSourcePrivate *priv = sp_source_get_instance_private (self);
  g_autoptr(GCancellable) cancellable = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = SP_SOURCE_GET_CLASS (self)->connect_finish (self, result, &error);

  /* An attempt that was replaced or stopped has nothing more to say. */
  if (g_cancellable_is_cancelled (cancellable) || cancellable != priv->cancellable)
    return;

  if (!ok)
    {
      handle_failure (self, error);
      return;
    }

  g_clear_handle_id (&priv->deadline_id, g_source_remove);
  /* Fully connected (subscribed, where the protocol subscribes): whatever comes next starts
   * a new streak, so a second drop right after this one is retried as fast as the first. */
  priv->attempt = 0;
  priv->down_since = 0;
  set_error_message (self, NULL);
  g_clear_pointer (&priv->untrusted_certificate, g_free);
  set_state (self, SP_SOURCE_STATE_CONNECTED);
  start_liveness (self);
}

static void
begin_attempt (SpSource *self)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  teardown (self);

  priv->cancellable = g_cancellable_new ();
  set_state (self, SP_SOURCE_STATE_CONNECTING);

  if (priv->connect_timeout_msec > 0)
    priv->deadline_id = g_timeout_add (priv->connect_timeout_msec, deadline_cb, self);

  SP_SOURCE_GET_CLASS (self)->connect_async (self, priv->cancellable, connect_cb,
                                             g_object_ref (priv->cancellable));
}

static void
network_changed_cb (SpSource        *self,
                    gboolean         available,
                    GNetworkMonitor *monitor)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);
  gboolean came_back = available && !priv->network_available;

  priv->network_available = available;

  if (!available)
    return;

  /* Waiting out a back-off is pointless once the network is back; and a connection that
   * outlived a network outage is most likely dead without knowing it yet. */
  if (priv->state == SP_SOURCE_STATE_RECONNECTING ||
      (came_back && priv->state == SP_SOURCE_STATE_CONNECTED))
    {
      g_debug ("[%s] Network changed; reconnecting now", priv->account_id);
      priv->attempt = 0;
      begin_attempt (self);
    }
}

static void
sp_source_real_disconnect (SpSource *self)
{
}

static gboolean
sp_source_real_can_perform (SpSource       *self,
                            SpSourceAction  action)
{
  return FALSE;
}

static void
sp_source_real_perform_async (SpSource            *self,
                              SpSourceAction       action,
                              const char          *call_id,
                              GVariant            *param,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_task_report_new_error (self, callback, user_data, sp_source_real_perform_async,
                           SP_SOURCE_ERROR, SP_SOURCE_ERROR_UNSUPPORTED,
                           _("This account cannot “%s”"),
                           sp_source_action_to_string (action));
}

static gboolean
sp_source_real_perform_finish (SpSource      *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
sp_source_constructed (GObject *object)
{
  SpSource *self = SP_SOURCE (object);
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  G_OBJECT_CLASS (sp_source_parent_class)->constructed (object);

  g_assert (priv->account != NULL);
  priv->account_id = g_strdup (sp_account_get_id (priv->account));

  priv->monitor = g_object_ref (g_network_monitor_get_default ());
  priv->network_available = g_network_monitor_get_network_available (priv->monitor);
  g_signal_connect_object (priv->monitor, "network-changed",
                           G_CALLBACK (network_changed_cb), self, G_CONNECT_SWAPPED);
}

static void
sp_source_dispose (GObject *object)
{
  SpSource *self = (SpSource *)object;
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  g_cancellable_cancel (priv->cancellable);
  g_clear_object (&priv->cancellable);
  g_clear_handle_id (&priv->retry_id, g_source_remove);
  g_clear_handle_id (&priv->deadline_id, g_source_remove);
  g_clear_handle_id (&priv->liveness_id, g_source_remove);
  g_clear_object (&priv->monitor);
  g_clear_object (&priv->account);

  G_OBJECT_CLASS (sp_source_parent_class)->dispose (object);
}

static void
sp_source_finalize (GObject *object)
{
  SpSource *self = (SpSource *)object;
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  g_free (priv->account_id);
  g_free (priv->error_message);
  g_free (priv->detail);
  g_free (priv->untrusted_certificate);
  g_clear_pointer (&priv->transient_secret, sp_secret_free);

  G_OBJECT_CLASS (sp_source_parent_class)->finalize (object);
}

static void
sp_source_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  SpSource *self = SP_SOURCE (object);
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      g_value_set_object (value, priv->account);
      break;
    case PROP_STATE:
      g_value_set_enum (value, priv->state);
      break;
    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, priv->error_message);
      break;
    case PROP_RETRY_TIME:
      g_value_set_int64 (value, priv->retry_time);
      break;
    case PROP_DETAIL:
      g_value_set_string (value, priv->detail);
      break;
    case PROP_AGENT_STATE:
      g_value_set_enum (value, priv->agent_state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_source_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  SpSource *self = SP_SOURCE (object);
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      priv->account = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_source_class_init (SpSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = sp_source_constructed;
  object_class->dispose = sp_source_dispose;
  object_class->finalize = sp_source_finalize;
  object_class->get_property = sp_source_get_property;
  object_class->set_property = sp_source_set_property;

  klass->disconnect = sp_source_real_disconnect;
  klass->can_perform = sp_source_real_can_perform;
  klass->perform_async = sp_source_real_perform_async;
  klass->perform_finish = sp_source_real_perform_finish;

  /* Held: a window or a test that keeps the source can still read its account. */
  properties[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL,
                         SP_TYPE_ACCOUNT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       SP_TYPE_SOURCE_STATE, SP_SOURCE_STATE_DISCONNECTED,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_RETRY_TIME] =
    g_param_spec_int64 ("retry-time", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* What the window shows under the state, e.g. the channels a redmine account listens to. */
  properties[PROP_DETAIL] =
    g_param_spec_string ("detail", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* Whether the agent takes calls, for sources that can pause it (see #SpAgentState). */
  properties[PROP_AGENT_STATE] =
    g_param_spec_enum ("agent-state", NULL, NULL,
                       SP_TYPE_AGENT_STATE, SP_AGENT_STATE_NONE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SpSource::call-event:
   * @self: the source
   * @event: a normalized call event
   */
  signals[CALL_EVENT] =
    g_signal_new ("call-event",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SP_TYPE_CALL_EVENT | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * SpSource::command:
   * @self: the source
   * @command: a validated redmine_rt command (open_url, show_notification, post_msg), to be
   *   executed as is by the #SpCommandRunner
   */
  signals[COMMAND] =
    g_signal_new ("command",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SP_TYPE_REDMINE_COMMAND | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
sp_source_init (SpSource *self)
{
}

/**
 * sp_source_get_account:
 *
 * Returns: (transfer none): the account this source connects
 */
SpAccount *
sp_source_get_account (SpSource *self)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  g_return_val_if_fail (SP_IS_SOURCE (self), NULL);
  return priv->account;
}

const char *
sp_source_get_account_id (SpSource *self)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  g_return_val_if_fail (SP_IS_SOURCE (self), NULL);
  return priv->account_id;
}

SpSourceState
sp_source_get_state (SpSource *self)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  g_return_val_if_fail (SP_IS_SOURCE (self), SP_SOURCE_STATE_DISCONNECTED);
  return priv->state;
}

/**
 * sp_source_get_error_message:
 *
 * Returns: (nullable): why the last attempt failed, in words a person can act on
 */
const char *
sp_source_get_error_message (SpSource *self)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  g_return_val_if_fail (SP_IS_SOURCE (self), NULL);
  return priv->error_message;
}

/**
 * sp_source_get_retry_time:
 *
 * Returns: the monotonic time (µs) of the next attempt while reconnecting, else 0
 */
gint64
sp_source_get_retry_time (SpSource *self)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  g_return_val_if_fail (SP_IS_SOURCE (self), 0);
  return priv->retry_time;
}

guint
sp_source_get_attempt (SpSource *self)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  g_return_val_if_fail (SP_IS_SOURCE (self), 0);
  return priv->attempt;
}

/**
 * sp_source_get_untrusted_certificate:
 *
 * Returns: (nullable): when the last attempt failed on a certificate the system does not
 *   trust, its SHA-256 fingerprint ("AB:CD:…"), which the user may choose to trust (the
 *   account's `pinned-certificate`); else %NULL
 */
const char *
sp_source_get_untrusted_certificate (SpSource *self)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  g_return_val_if_fail (SP_IS_SOURCE (self), NULL);
  return priv->untrusted_certificate;
}

/**
 * sp_source_start:
 *
 * Connects, unless already connected or on the way there.
 */
void
sp_source_start (SpSource *self)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  g_return_if_fail (SP_IS_SOURCE (self));

  if (priv->state == SP_SOURCE_STATE_CONNECTING ||
      priv->state == SP_SOURCE_STATE_CONNECTED ||
      priv->state == SP_SOURCE_STATE_RECONNECTING)
    return;

  priv->attempt = 0;
  priv->down_since = 0;
  begin_attempt (self);
}

void
sp_source_stop (SpSource *self)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  g_return_if_fail (SP_IS_SOURCE (self));

  teardown (self);
  priv->attempt = 0;
  priv->down_since = 0;
  set_error_message (self, NULL);
  g_clear_pointer (&priv->untrusted_certificate, g_free);
  sp_source_set_detail (self, NULL);
  set_state (self, SP_SOURCE_STATE_DISCONNECTED);
}

/**
 * sp_source_retry_now:
 *
 * The user asked: connect again at once, whatever the state and the back-off.
 */
void
sp_source_retry_now (SpSource *self)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  g_return_if_fail (SP_IS_SOURCE (self));

  priv->attempt = 0;
  begin_attempt (self);
}

static gboolean
is_action (SpSourceAction action)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (SP_TYPE_SOURCE_ACTION);

  return g_enum_get_value (klass, action) != NULL;
}

/**
 * sp_source_can_perform:
 *
 * Returns: whether the source can perform @action now (configured for it, and connected)
 */
gboolean
sp_source_can_perform (SpSource       *self,
                       SpSourceAction  action)
{
  g_return_val_if_fail (SP_IS_SOURCE (self), FALSE);
  g_return_val_if_fail (is_action (action), FALSE);

  return SP_SOURCE_GET_CLASS (self)->can_perform (self, action);
}

/**
 * sp_source_perform_async:
 * @call_id: (nullable): the call @action is about (answer, hang up)
 * @param: (nullable): the parameter #SpSourceAction documents for @action; a floating
 *   reference is consumed
 *
 * Asks the server to perform @action; one the source cannot perform fails with
 * %SP_SOURCE_ERROR_UNSUPPORTED.
 */
void
sp_source_perform_async (SpSource            *self,
                         SpSourceAction       action,
                         const char          *call_id,
                         GVariant            *param,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  /* Sunk here so that every backend, even one that ignores @param, consumes it. */
  g_autoptr(GVariant) owned_param = param ? g_variant_ref_sink (param) : NULL;

  g_return_if_fail (SP_IS_SOURCE (self));
  g_return_if_fail (is_action (action));

  /* One reading of a number for every backend: a tel: link or "+385 (91) 555-1234" reaches
   * the server as the digits it dials (sp_dial_normalize()). */
  if (action == SP_SOURCE_ACTION_DIAL)
    {
      const char *text = NULL;
      g_autofree char *number = NULL;

      if (owned_param != NULL && g_variant_is_of_type (owned_param, G_VARIANT_TYPE_STRING))
        text = g_variant_get_string (owned_param, NULL);
      number = sp_dial_normalize (text);
      if (number == NULL)
        {
          g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

          g_task_set_source_tag (task, sp_source_perform_async);
          g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                                   _("“%s” is not a phone number"), text ? text : "");
          return;
        }
      g_clear_pointer (&owned_param, g_variant_unref);
      owned_param = g_variant_ref_sink (g_variant_new_string (number));
    }

  SP_SOURCE_GET_CLASS (self)->perform_async (self, action, call_id, owned_param, cancellable,
                                             callback, user_data);
}

/**
 * sp_source_new_call_event:
 *
 * Returns: (transfer full): an event of this source's account
 */
SpCallEvent *
sp_source_new_call_event (SpSource        *self,
                          const char      *call_id,
                          SpCallEventKind  kind)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  g_return_val_if_fail (SP_IS_SOURCE (self), NULL);

  return sp_call_event_new (priv->account_id, call_id, kind);
}

void
sp_source_emit_call_event (SpSource    *self,
                           SpCallEvent *event)
{
  g_return_if_fail (SP_IS_SOURCE (self));
  g_return_if_fail (event != NULL);

  g_signal_emit (self, signals[CALL_EVENT], 0, event);
}

/**
 * sp_source_connection_lost:
 * @self: a source
 * @error: why, in words a person can act on
 *
 * For subclasses: the live connection dropped. The base class tears it down and
 * schedules the next attempt (or gives up, for auth and fatal errors).
 */
void
sp_source_connection_lost (SpSource     *self,
                           const GError *error)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  g_return_if_fail (SP_IS_SOURCE (self));
  g_return_if_fail (error != NULL);

  if (priv->state != SP_SOURCE_STATE_CONNECTED)
    return;

  handle_failure (self, error);
}

/**
 * sp_source_touch:
 *
 * For subclasses: the server showed a sign of life (any frame, a ping).
 */
void
sp_source_touch (SpSource *self)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  priv->last_touch = g_get_monotonic_time ();
}

/**
 * sp_source_set_liveness_timeout:
 * @msec: how long the server may stay silent before the link counts as dead; 0 for
 *   protocols where silence is normal
 */
void
sp_source_set_liveness_timeout (SpSource *self,
                                guint     msec)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  g_return_if_fail (SP_IS_SOURCE (self));

  priv->liveness_msec = msec;
  start_liveness (self);
}

/**
 * sp_source_set_connect_timeout:
 * @msec: how long a connection attempt may take, from its start until it is live; 0 (the
 *   default) for no limit
 *
 * For subclasses, usually once in init: an attempt still unfinished after @msec fails as
 * %SP_SOURCE_ERROR_TIMEOUT, with a message naming the account's server, and is retried
 * with the normal back-off. The base class cancels the attempt's cancellable and calls
 * #SpSourceClass.disconnect, so everything the subclass started for it ends there. Applies
 * from the next attempt.
 */
void
sp_source_set_connect_timeout (SpSource *self,
                               guint     msec)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  g_return_if_fail (SP_IS_SOURCE (self));

  priv->connect_timeout_msec = msec;
}

/**
 * sp_source_get_cancellable:
 *
 * Returns: (transfer none) (nullable): the current attempt's cancellable; everything a
 *   subclass starts for this connection should use it
 */
GCancellable *
sp_source_get_cancellable (SpSource *self)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  g_return_val_if_fail (SP_IS_SOURCE (self), NULL);
  return priv->cancellable;
}

/**
 * sp_source_get_detail:
 *
 * Returns: (nullable): a line about the live connection for the window, e.g. the channels
 *   a redmine account listens to; %NULL when the source has nothing to add
 */
const char *
sp_source_get_detail (SpSource *self)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  g_return_val_if_fail (SP_IS_SOURCE (self), NULL);
  return priv->detail;
}

/**
 * sp_source_get_agent_state:
 *
 * Returns: whether the account's agent takes calls, is paused or signed out; %SP_AGENT_STATE_NONE
 *   for backends without agents and while the link is down
 */
SpAgentState
sp_source_get_agent_state (SpSource *self)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  g_return_val_if_fail (SP_IS_SOURCE (self), SP_AGENT_STATE_NONE);
  return priv->agent_state;
}

/**
 * sp_source_can_toggle_agent:
 *
 * Returns: whether the agent can be paused now (it is ready and %SP_SOURCE_ACTION_PAUSE is
 *   possible) or resumed now (it is paused and %SP_SOURCE_ACTION_UNPAUSE is possible):
 *   what the tray and the window offer
 */
gboolean
sp_source_can_toggle_agent (SpSource *self)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  g_return_val_if_fail (SP_IS_SOURCE (self), FALSE);

  if (priv->agent_state == SP_AGENT_STATE_READY)
    return sp_source_can_perform (self, SP_SOURCE_ACTION_PAUSE);
  if (priv->agent_state == SP_AGENT_STATE_PAUSED)
    return sp_source_can_perform (self, SP_SOURCE_ACTION_UNPAUSE);

  return FALSE;
}

/**
 * sp_source_set_agent_state:
 *
 * For subclasses: sets #SpSource:agent-state as the server last said. Leaving the
 * connected state resets it to %SP_AGENT_STATE_NONE.
 */
void
sp_source_set_agent_state (SpSource     *self,
                           SpAgentState  agent_state)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  g_return_if_fail (SP_IS_SOURCE (self));

  if (priv->agent_state == agent_state)
    return;

  priv->agent_state = agent_state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AGENT_STATE]);
}

/**
 * sp_source_set_detail:
 * @detail: (nullable): plain text, or %NULL for none
 *
 * For subclasses: sets #SpSource:detail. Stopping the source clears it.
 */
void
sp_source_set_detail (SpSource   *self,
                      const char *detail)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  g_return_if_fail (SP_IS_SOURCE (self));

  if (detail != NULL && *detail == '\0')
    detail = NULL;

  if (g_strcmp0 (priv->detail, detail) == 0)
    return;

  g_free (priv->detail);
  priv->detail = g_strdup (detail);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DETAIL]);
}

/**
 * sp_source_emit_command:
 * @command: a validated command
 *
 * For subclasses: hands a redmine_rt command to the desktop (see #SpSource::command).
 */
void
sp_source_emit_command (SpSource         *self,
                        SpRedmineCommand *command)
{
  g_return_if_fail (SP_IS_SOURCE (self));
  g_return_if_fail (command != NULL);

  g_signal_emit (self, signals[COMMAND], 0, command);
}

/**
 * sp_source_set_transient_secret:
 * @secret: (nullable): the account's secret (API key, password), or %NULL to use the
 *   keyring again
 *
 * Gives the source its secret in memory, for an account that is not saved yet (the "Test
 * Connection" of the add-account dialog): from then on the keyring is neither read nor
 * written for this source, and a secret the source learns (a key obtained with a password)
 * replaces this one in memory only.
 */
void
sp_source_set_transient_secret (SpSource   *self,
                                const char *secret)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);

  g_return_if_fail (SP_IS_SOURCE (self));

  g_clear_pointer (&priv->transient_secret, sp_secret_free);
  priv->transient_secret = g_strdup (secret);
}

static void
lookup_secret_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *secret;

  secret = sp_secret_lookup_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* libsecret's copy lives in its own memory; ours are plain strings, wiped when freed. */
  g_task_return_pointer (task, g_strdup (secret), (GDestroyNotify) sp_secret_free);
  if (secret != NULL)
    sp_secret_free (secret);
}

/**
 * sp_source_lookup_secret_async:
 *
 * For subclasses: looks up the account's secret, in memory (see
 * sp_source_set_transient_secret()) or in the keyring. Finishing gives %NULL without an
 * error when there is none.
 */
void
sp_source_lookup_secret_async (SpSource            *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SP_IS_SOURCE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_source_lookup_secret_async);

  if (priv->transient_secret != NULL)
    {
      g_task_return_pointer (task, g_strdup (priv->transient_secret), (GDestroyNotify) sp_secret_free);
      return;
    }

  sp_secret_lookup_async (priv->account_id, cancellable, lookup_secret_cb,
                          g_steal_pointer (&task));
}

/**
 * sp_source_lookup_secret_finish:
 *
 * Returns: (transfer full) (nullable): the secret, or %NULL when there is none or on error;
 *   overwrite it before freeing it with g_free()
 */
char *
sp_source_lookup_secret_finish (SpSource      *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
store_secret_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!sp_secret_store_finish (result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * sp_source_store_secret_async:
 * @secret: the new secret
 *
 * For subclasses: replaces the account's secret, in the keyring, or in memory only for a
 * source given a transient secret.
 */
void
sp_source_store_secret_async (SpSource            *self,
                              const char          *secret,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  SpSourcePrivate *priv = sp_source_get_instance_private (self);
  g_autoptr(GTask) task = NULL;
  g_autofree char *name = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (SP_IS_SOURCE (self));
  g_return_if_fail (secret != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_source_store_secret_async);

  if (priv->transient_secret != NULL)
    {
      sp_source_set_transient_secret (self, secret);
      g_task_return_boolean (task, TRUE);
      return;
    }

  name = sp_account_dup_display_name (priv->account);
  /* Translators: the label of the keyring item, as shown in Passwords and Keys */
  label = g_strdup_printf (_("Screenpop account “%s”"), name);
  sp_secret_store_async (priv->account_id, label, secret, cancellable, store_secret_cb,
                         g_steal_pointer (&task));
}

gboolean
sp_source_store_secret_finish (SpSource      *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
