/* sp-url-opener.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-url-opener"

#include "config.h"

#include "sp-url-opener.h"
#include "sp-url-policy.h"

/*
 * SpUrlOpener is the one door through which any URL is opened: a call's CRM page, a
 * redmine_rt open_url, a web service's answer, a page from the history. Every URL passes
 * the same policy (sp-url-policy: allowed schemes, the "allowed-hosts" setting, the
 * account's extra schemes) and the same repeat suppression, then goes to the handler: the
 * desktop's, or a test's recorder.
 */

/* The same URL asked for twice within this long opens once (redmine_rt sends repeats). */
#define REPEAT_USEC (2 * G_USEC_PER_SEC)

struct _SpUrlOpener
{
  GObject         parent_instance;

  GSettings      *settings;

  SpUrlHandler    handler;
  gpointer        handler_data;
  GDestroyNotify  handler_destroy;

  char           *last_url;
  gint64          last_url_time;
};

G_DEFINE_FINAL_TYPE (SpUrlOpener, sp_url_opener, G_TYPE_OBJECT)

static void
default_handler (const char *uri,
                 gpointer    user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri (uri, NULL, &error))
    g_warning ("Could not open %s: %s", uri, error->message);
}

static void
clear_handler (SpUrlOpener *self)
{
  GDestroyNotify destroy = self->handler_destroy;
  gpointer data = self->handler_data;

  self->handler = default_handler;
  self->handler_data = NULL;
  self->handler_destroy = NULL;

  if (destroy != NULL)
    destroy (data);
}

static void
sp_url_opener_dispose (GObject *object)
{
  SpUrlOpener *self = (SpUrlOpener *)object;

  clear_handler (self);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (sp_url_opener_parent_class)->dispose (object);
}

static void
sp_url_opener_finalize (GObject *object)
{
  SpUrlOpener *self = (SpUrlOpener *)object;

  g_free (self->last_url);

  G_OBJECT_CLASS (sp_url_opener_parent_class)->finalize (object);
}

static void
sp_url_opener_class_init (SpUrlOpenerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_url_opener_dispose;
  object_class->finalize = sp_url_opener_finalize;
}

static void
sp_url_opener_init (SpUrlOpener *self)
{
  self->handler = default_handler;
}

/**
 * sp_url_opener_new:
 * @settings: the app's settings (for "allowed-hosts")
 *
 * Returns: (transfer full): a URL door that opens with the desktop's handler
 */
SpUrlOpener *
sp_url_opener_new (GSettings *settings)
{
  SpUrlOpener *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (SP_TYPE_URL_OPENER, NULL);
  self->settings = g_object_ref (settings);

  return self;
}

/**
 * sp_url_opener_set_handler:
 * @handler: (nullable): what shows a URL to the user; %NULL restores the default, which
 *   launches the desktop's handler for it
 * @user_data: closure for @handler
 * @destroy: (nullable): frees @user_data when the handler is replaced or the door goes
 *
 * The test seam of URL opening: the policy still applies before @handler is called.
 */
void
sp_url_opener_set_handler (SpUrlOpener    *self,
                           SpUrlHandler    handler,
                           gpointer        user_data,
                           GDestroyNotify  destroy)
{
  g_return_if_fail (SP_IS_URL_OPENER (self));

  clear_handler (self);

  if (handler != NULL)
    {
      self->handler = handler;
      self->handler_data = user_data;
      self->handler_destroy = destroy;
    }
}

/**
 * sp_url_opener_open:
 * @account: (nullable): the account that asks, for its extra URL schemes
 * @uri: the URL
 * @error: why it was refused
 *
 * Opens @uri if the URL policy allows it (sp_url_policy_apply(): a host that could pass
 * for another is opened in its ASCII form). A refusal is also logged as a warning naming
 * the URL's scheme or host, never repeating a control character. The same URL asked for again within two seconds opens once.
 *
 * Returns: whether @uri was allowed
 */
gboolean
sp_url_opener_open (SpUrlOpener  *self,
                    SpAccount    *account,
                    const char   *uri,
                    GError      **error)
{
  g_auto(GStrv) schemes = NULL;
  g_auto(GStrv) hosts = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *safe = NULL;
  gint64 now = g_get_monotonic_time ();

  g_return_val_if_fail (SP_IS_URL_OPENER (self), FALSE);
  g_return_val_if_fail (account == NULL || SP_IS_ACCOUNT (account), FALSE);

  schemes = account ? sp_account_dup_allowed_schemes (account) : NULL;
  hosts = g_settings_get_strv (self->settings, "allowed-hosts");

  /* What opens is what the policy gives back: a host that could pass for another goes in
   * its ASCII form. */
  safe = sp_url_policy_apply (uri, (const char * const *) schemes,
                              (const char * const *) hosts, &local_error);
  if (safe == NULL)
    {
      g_warning ("%s", local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (g_strcmp0 (safe, self->last_url) == 0 && now - self->last_url_time < REPEAT_USEC)
    {
      g_debug ("Not opening %s again so soon", safe);
      return TRUE;
    }

  g_free (self->last_url);
  self->last_url = g_strdup (safe);
  self->last_url_time = now;

  self->handler (safe, self->handler_data);

  return TRUE;
}
