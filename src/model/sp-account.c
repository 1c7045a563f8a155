/* sp-account.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-account"

#include "config.h"

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>

#include "sp-account.h"

/*
 * An account is one configured event source: its settings (a relocatable GSettings schema
 * at /io/github/screenpop/Screenpop/accounts/ID/, which administrators can pre-provision
 * through dconf) and the SpSource that connects it. Secrets never live here: see
 * sp-secret.c.
 */

struct _SpAccount
{
  GObject    parent_instance;

  char      *id;
  GSettings *settings;
  SpSource  *source;
  gboolean   transient;
};

enum {
  PROP_0,
  PROP_ID,
  PROP_SETTINGS,
  PROP_SOURCE,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (SpAccount, sp_account, G_TYPE_OBJECT)

static GParamSpec *properties [N_PROPS];

static void
sp_account_dispose (GObject *object)
{
  SpAccount *self = (SpAccount *)object;

  if (self->source != NULL)
    sp_source_stop (self->source);
  g_clear_object (&self->source);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (sp_account_parent_class)->dispose (object);
}

static void
sp_account_finalize (GObject *object)
{
  SpAccount *self = (SpAccount *)object;

  g_free (self->id);

  G_OBJECT_CLASS (sp_account_parent_class)->finalize (object);
}

static void
sp_account_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  SpAccount *self = SP_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    case PROP_SOURCE:
      g_value_set_object (value, self->source);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_account_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  SpAccount *self = SP_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_dup_string (value);
      break;
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_account_constructed (GObject *object)
{
  SpAccount *self = SP_ACCOUNT (object);

  G_OBJECT_CLASS (sp_account_parent_class)->constructed (object);

  g_assert (self->id != NULL);

  if (self->settings == NULL)
    {
      g_autofree char *path = g_strconcat (SP_ACCOUNT_PATH_PREFIX, self->id, "/", NULL);

      self->settings = g_settings_new_with_path (SP_ACCOUNT_SCHEMA_ID, path);
    }
}

static void
sp_account_class_init (SpAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = sp_account_constructed;
  object_class->dispose = sp_account_dispose;
  object_class->finalize = sp_account_finalize;
  object_class->get_property = sp_account_get_property;
  object_class->set_property = sp_account_set_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SOURCE] =
    g_param_spec_object ("source", NULL, NULL, SP_TYPE_SOURCE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sp_account_init (SpAccount *self)
{
}

/**
 * sp_account_new:
 * @id: the account id (letters, digits and dashes)
 *
 * Returns: (transfer full): the account whose settings live at
 *   /io/github/screenpop/Screenpop/accounts/@id/
 */
SpAccount *
sp_account_new (const char *id)
{
  g_return_val_if_fail (id != NULL, NULL);

  return g_object_new (SP_TYPE_ACCOUNT, "id", id, NULL);
}

/**
 * sp_account_new_transient:
 *
 * An account for this run only (the demo account of `--demo`): its settings live in
 * memory and are never written to the user's configuration.
 *
 * Returns: (transfer full): a new account
 */
SpAccount *
sp_account_new_transient (const char *id,
                          const char *kind,
                          const char *display_name)
{
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();
  g_autofree char *path = g_strconcat (SP_ACCOUNT_PATH_PREFIX, id, "/", NULL);
  g_autoptr(GSettings) settings = NULL;
  SpAccount *self;

  settings = g_settings_new_with_backend_and_path (SP_ACCOUNT_SCHEMA_ID, backend, path);
  g_settings_set_string (settings, "kind", kind);
  g_settings_set_string (settings, "display-name", display_name);

  self = g_object_new (SP_TYPE_ACCOUNT, "id", id, "settings", settings, NULL);
  self->transient = TRUE;

  return self;
}

const char *
sp_account_get_id (SpAccount *self)
{
  g_return_val_if_fail (SP_IS_ACCOUNT (self), NULL);
  return self->id;
}

/**
 * sp_account_get_settings:
 *
 * Returns: (transfer none): the account's settings
 */
GSettings *
sp_account_get_settings (SpAccount *self)
{
  g_return_val_if_fail (SP_IS_ACCOUNT (self), NULL);
  return self->settings;
}

char *
sp_account_dup_kind (SpAccount *self)
{
  g_return_val_if_fail (SP_IS_ACCOUNT (self), NULL);
  return g_settings_get_string (self->settings, "kind");
}

/**
 * sp_account_dup_display_name:
 *
 * Returns: (transfer full): the display name, or the id when none is set
 */
char *
sp_account_dup_display_name (SpAccount *self)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (SP_IS_ACCOUNT (self), NULL);

  name = g_settings_get_string (self->settings, "display-name");
  if (name[0] == '\0')
    return g_strdup (self->id);

  return g_steal_pointer (&name);
}

gboolean
sp_account_get_enabled (SpAccount *self)
{
  g_return_val_if_fail (SP_IS_ACCOUNT (self), FALSE);
  return g_settings_get_boolean (self->settings, "enabled");
}

gboolean
sp_account_get_muted (SpAccount *self)
{
  g_return_val_if_fail (SP_IS_ACCOUNT (self), FALSE);
  return g_settings_get_boolean (self->settings, "muted");
}

gboolean
sp_account_is_transient (SpAccount *self)
{
  g_return_val_if_fail (SP_IS_ACCOUNT (self), FALSE);
  return self->transient;
}

char *
sp_account_dup_url (SpAccount *self)
{
  g_return_val_if_fail (SP_IS_ACCOUNT (self), NULL);
  return g_settings_get_string (self->settings, "url");
}

char *
sp_account_dup_login (SpAccount *self)
{
  g_return_val_if_fail (SP_IS_ACCOUNT (self), NULL);
  return g_settings_get_string (self->settings, "login");
}

char **
sp_account_dup_extensions (SpAccount *self)
{
  g_return_val_if_fail (SP_IS_ACCOUNT (self), NULL);
  return g_settings_get_strv (self->settings, "extensions");
}

/**
 * sp_account_matches_extension:
 * @exten: (nullable): the extension a call is for; empty or "all" when it names none
 *
 * Returns: whether a call for @exten is for this account's agent
 */
gboolean
sp_account_matches_extension (SpAccount  *self,
                              const char *exten)
{
  g_auto(GStrv) extensions = NULL;

  g_return_val_if_fail (SP_IS_ACCOUNT (self), FALSE);

  if (exten == NULL || exten[0] == '\0' || g_ascii_strcasecmp (exten, "all") == 0)
    return g_settings_get_boolean (self->settings, "show-unaddressed");

  extensions = sp_account_dup_extensions (self);

  /* An account that names no extension is everybody's: it shows every call. */
  if (extensions[0] == NULL)
    return TRUE;

  return g_strv_contains ((const char * const *) extensions, exten);
}

guint
sp_account_get_ring_timeout (SpAccount *self)
{
  g_return_val_if_fail (SP_IS_ACCOUNT (self), 30);
  return g_settings_get_uint (self->settings, "ring-timeout");
}

char *
sp_account_dup_url_template (SpAccount *self)
{
  g_return_val_if_fail (SP_IS_ACCOUNT (self), NULL);
  return g_settings_get_string (self->settings, "url-template");
}

SpTrigger
sp_account_get_url_trigger (SpAccount *self)
{
  g_return_val_if_fail (SP_IS_ACCOUNT (self), SP_TRIGGER_NEVER);
  return g_settings_get_enum (self->settings, "url-trigger");
}

char **
sp_account_dup_allowed_schemes (SpAccount *self)
{
  g_return_val_if_fail (SP_IS_ACCOUNT (self), NULL);
  return g_settings_get_strv (self->settings, "allowed-schemes");
}

/**
 * sp_account_dup_option:
 * @key: a kind-specific option
 *
 * Returns: (transfer full) (nullable): the option's value, or %NULL when it is not set
 */
char *
sp_account_dup_option (SpAccount  *self,
                       const char *key)
{
  g_autoptr(GVariant) options = NULL;
  char *value = NULL;

  g_return_val_if_fail (SP_IS_ACCOUNT (self), NULL);

  options = g_settings_get_value (self->settings, "options");
  if (!g_variant_lookup (options, key, "s", &value))
    return NULL;

  return value;
}

/**
 * sp_account_get_source:
 *
 * Returns: (transfer none) (nullable): the source that connects this account
 */
SpSource *
sp_account_get_source (SpAccount *self)
{
  g_return_val_if_fail (SP_IS_ACCOUNT (self), NULL);
  return self->source;
}

void
sp_account_set_source (SpAccount *self,
                       SpSource  *source)
{
  g_return_if_fail (SP_IS_ACCOUNT (self));
  g_return_if_fail (!source || SP_IS_SOURCE (source));

  if (self->source == source)
    return;

  if (self->source != NULL)
    sp_source_stop (self->source);

  g_set_object (&self->source, source);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE]);
}
