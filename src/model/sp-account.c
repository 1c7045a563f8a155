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
 * through dconf). It knows nothing of the source that connects it: the account list holds
 * both, and a source holds its account. Secrets never live here: see sp-secret.c.
 *
 * Every call event asks the account something (its extensions, ring timeout, name, URL
 * template): reading GSettings each time was an eighth of a call event's cost (issue 16).
 * So the account keeps each value it read until GSettings says that key changed. A key is
 * read for the first time only after the "changed" handler is connected, which is what
 * GSettings needs to report changes of it.
 */

struct _SpAccount
{
  GObject    parent_instance;

  char       *id;
  GSettings  *settings;
  GHashTable *values;        /* key → GVariant, as last read; gone when the key changes */
  int         url_trigger;   /* -1: not read since the last change */
  gboolean    transient;
};

enum {
  PROP_0,
  PROP_ID,
  PROP_SETTINGS,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (SpAccount, sp_account, G_TYPE_OBJECT)

static GParamSpec *properties [N_PROPS];

static void
sp_account_dispose (GObject *object)
{
  SpAccount *self = (SpAccount *)object;

  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  g_hash_table_remove_all (self->values);

  G_OBJECT_CLASS (sp_account_parent_class)->dispose (object);
}

static void
sp_account_finalize (GObject *object)
{
  SpAccount *self = (SpAccount *)object;

  g_free (self->id);
  g_hash_table_unref (self->values);

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
settings_changed_cb (SpAccount  *self,
                     const char *key,
                     GSettings  *settings)
{
  g_hash_table_remove (self->values, key);
  if (g_str_equal (key, "url-trigger"))
    self->url_trigger = -1;
}

/* The value of @key, read once and kept until it changes.
 *
 * Returns: (transfer none): the value */
static GVariant *
get_value (SpAccount  *self,
           const char *key)
{
  GVariant *value = g_hash_table_lookup (self->values, key);

  if (value == NULL)
    {
      value = g_settings_get_value (self->settings, key);
      g_hash_table_insert (self->values, g_strdup (key), value);
    }

  return value;
}

static const char *
get_string (SpAccount  *self,
            const char *key)
{
  return g_variant_get_string (get_value (self, key), NULL);
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

  g_signal_connect_object (self->settings, "changed", G_CALLBACK (settings_changed_cb), self,
                           G_CONNECT_SWAPPED);
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

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sp_account_init (SpAccount *self)
{
  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_variant_unref);
  self->url_trigger = -1;
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
  return g_strdup (get_string (self, "kind"));
}

/**
 * sp_account_dup_display_name:
 *
 * Returns: (transfer full): the display name, or the id when none is set
 */
char *
sp_account_dup_display_name (SpAccount *self)
{
  const char *name;

  g_return_val_if_fail (SP_IS_ACCOUNT (self), NULL);

  name = get_string (self, "display-name");

  return g_strdup (name[0] != '\0' ? name : self->id);
}

gboolean
sp_account_get_enabled (SpAccount *self)
{
  g_return_val_if_fail (SP_IS_ACCOUNT (self), FALSE);
  return g_variant_get_boolean (get_value (self, "enabled"));
}

gboolean
sp_account_get_muted (SpAccount *self)
{
  g_return_val_if_fail (SP_IS_ACCOUNT (self), FALSE);
  return g_variant_get_boolean (get_value (self, "muted"));
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
  return g_strdup (get_string (self, "url"));
}

char *
sp_account_dup_login (SpAccount *self)
{
  g_return_val_if_fail (SP_IS_ACCOUNT (self), NULL);
  return g_strdup (get_string (self, "login"));
}

char **
sp_account_dup_extensions (SpAccount *self)
{
  g_return_val_if_fail (SP_IS_ACCOUNT (self), NULL);
  return g_variant_dup_strv (get_value (self, "extensions"), NULL);
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
  g_autofree const char **extensions = NULL;

  g_return_val_if_fail (SP_IS_ACCOUNT (self), FALSE);

  if (exten == NULL || exten[0] == '\0' || g_ascii_strcasecmp (exten, "all") == 0)
    return g_variant_get_boolean (get_value (self, "show-unaddressed"));

  extensions = g_variant_get_strv (get_value (self, "extensions"), NULL);

  /* An account that names no extension is everybody's: it shows every call. */
  if (extensions[0] == NULL)
    return TRUE;

  return g_strv_contains (extensions, exten);
}

guint
sp_account_get_ring_timeout (SpAccount *self)
{
  g_return_val_if_fail (SP_IS_ACCOUNT (self), 30);
  return g_variant_get_uint32 (get_value (self, "ring-timeout"));
}

char *
sp_account_dup_url_template (SpAccount *self)
{
  g_return_val_if_fail (SP_IS_ACCOUNT (self), NULL);
  return g_strdup (get_string (self, "url-template"));
}

/**
 * sp_account_dup_webservice_url:
 *
 * Returns: (transfer full): the third-party web service's URL; empty for none
 */
char *
sp_account_dup_webservice_url (SpAccount *self)
{
  g_return_val_if_fail (SP_IS_ACCOUNT (self), NULL);
  return g_strdup (get_string (self, "webservice-url"));
}

SpTrigger
sp_account_get_url_trigger (SpAccount *self)
{
  g_return_val_if_fail (SP_IS_ACCOUNT (self), SP_TRIGGER_NEVER);
  /* An enum is stored as its nick: GSettings maps it back. */
  if (self->url_trigger < 0)
    self->url_trigger = g_settings_get_enum (self->settings, "url-trigger");

  return self->url_trigger;
}

char **
sp_account_dup_allowed_schemes (SpAccount *self)
{
  g_return_val_if_fail (SP_IS_ACCOUNT (self), NULL);
  return g_variant_dup_strv (get_value (self, "allowed-schemes"), NULL);
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
  char *value = NULL;

  g_return_val_if_fail (SP_IS_ACCOUNT (self), NULL);

  if (!g_variant_lookup (get_value (self, "options"), key, "s", &value))
    return NULL;

  return value;
}
