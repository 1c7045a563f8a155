/* sp-directory.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The base of every directory kind: settings, secret, and one lookup entry point that
 * remembers the last failure, so that Preferences can say why a directory is not
 * answering while lookups go on without it.
 */

#define G_LOG_DOMAIN "sp-directory"

#include "config.h"

#include "sp-directory.h"
#include "sp-secret.h"

typedef struct
{
  char      *id;
  GSettings *settings;
  char      *last_error;
  char      *secret_override;  /* typed in the editor, not saved yet */
} SpDirectoryPrivate;

enum {
  PROP_0,
  PROP_ID,
  PROP_SETTINGS,
  PROP_LAST_ERROR,
  N_PROPS
};

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (SpDirectory, sp_directory, G_TYPE_OBJECT)
G_DEFINE_QUARK (sp-directory-error-quark, sp_directory_error)

static GParamSpec *properties [N_PROPS];

static void
sp_directory_finalize (GObject *object)
{
  SpDirectoryPrivate *priv = sp_directory_get_instance_private (SP_DIRECTORY (object));

  g_clear_pointer (&priv->id, g_free);
  g_clear_object (&priv->settings);
  g_clear_pointer (&priv->last_error, g_free);
  g_clear_pointer (&priv->secret_override, sp_secret_free);

  G_OBJECT_CLASS (sp_directory_parent_class)->finalize (object);
}

static void
sp_directory_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  SpDirectoryPrivate *priv = sp_directory_get_instance_private (SP_DIRECTORY (object));

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, priv->id);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, priv->settings);
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, priv->last_error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_directory_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  SpDirectoryPrivate *priv = sp_directory_get_instance_private (SP_DIRECTORY (object));

  switch (prop_id)
    {
    case PROP_ID:
      priv->id = g_value_dup_string (value);
      break;
    case PROP_SETTINGS:
      priv->settings = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_directory_class_init (SpDirectoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sp_directory_finalize;
  object_class->get_property = sp_directory_get_property;
  object_class->set_property = sp_directory_set_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * SpDirectory:last-error:
   *
   * Why the last lookup failed, in words; %NULL after a lookup that worked (found or not).
   */
  properties[PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sp_directory_init (SpDirectory *self)
{
}

const char *
sp_directory_get_id (SpDirectory *self)
{
  SpDirectoryPrivate *priv = sp_directory_get_instance_private (self);

  g_return_val_if_fail (SP_IS_DIRECTORY (self), NULL);
  return priv->id;
}

/**
 * sp_directory_get_settings:
 *
 * Returns: (transfer none): the directory's settings (schema
 *   `io.github.screenpop.Screenpop.Directory`)
 */
GSettings *
sp_directory_get_settings (SpDirectory *self)
{
  SpDirectoryPrivate *priv = sp_directory_get_instance_private (self);

  g_return_val_if_fail (SP_IS_DIRECTORY (self), NULL);
  return priv->settings;
}

/**
 * sp_directory_dup_label:
 *
 * Returns: (transfer full): the name the user gave the directory, or its URL
 */
char *
sp_directory_dup_label (SpDirectory *self)
{
  SpDirectoryPrivate *priv = sp_directory_get_instance_private (self);
  g_autofree char *label = NULL;

  g_return_val_if_fail (SP_IS_DIRECTORY (self), NULL);

  label = g_settings_get_string (priv->settings, SP_DIRECTORY_KEY_LABEL);
  if (*label != '\0')
    return g_steal_pointer (&label);
  return g_settings_get_string (priv->settings, SP_DIRECTORY_KEY_URL);
}

gboolean
sp_directory_get_enabled (SpDirectory *self)
{
  SpDirectoryPrivate *priv = sp_directory_get_instance_private (self);

  g_return_val_if_fail (SP_IS_DIRECTORY (self), FALSE);
  return g_settings_get_boolean (priv->settings, SP_DIRECTORY_KEY_ENABLED);
}

/**
 * sp_directory_dup_option:
 * @self: a directory
 * @key: an option of the directory's kind
 * @fallback: (nullable): what an unset or empty option means
 *
 * Returns: (transfer full) (nullable): the option's value, or @fallback
 */
char *
sp_directory_dup_option (SpDirectory *self,
                         const char  *key,
                         const char  *fallback)
{
  SpDirectoryPrivate *priv = sp_directory_get_instance_private (self);
  g_autoptr(GVariant) options = NULL;
  const char *value = NULL;

  g_return_val_if_fail (SP_IS_DIRECTORY (self), NULL);

  options = g_settings_get_value (priv->settings, SP_DIRECTORY_KEY_OPTIONS);
  if (g_variant_lookup (options, key, "&s", &value) && *value != '\0')
    return g_strdup (value);

  return g_strdup (fallback);
}

/**
 * sp_directory_dup_secret_key:
 *
 * Returns: (transfer full): the key of the directory's secret in the keyring (apart from
 *   every account's)
 */
char *
sp_directory_dup_secret_key (SpDirectory *self)
{
  g_return_val_if_fail (SP_IS_DIRECTORY (self), NULL);
  return g_strconcat ("directory:", sp_directory_get_id (self), NULL);
}

static void
secret_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *secret = sp_secret_lookup_finish (result, &error);

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, secret, (GDestroyNotify) sp_secret_free);
}

/**
 * sp_directory_lookup_secret_async:
 *
 * Looks up the directory's secret (a bind password, a token) in the keyring.
 */
void
sp_directory_lookup_secret_async (SpDirectory         *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  SpDirectoryPrivate *priv = sp_directory_get_instance_private (self);
  g_autoptr(GTask) task = NULL;
  g_autofree char *key = NULL;

  g_return_if_fail (SP_IS_DIRECTORY (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_directory_lookup_secret_async);

  if (priv->secret_override != NULL)
    {
      g_task_return_pointer (task, g_strdup (priv->secret_override), (GDestroyNotify) sp_secret_free);
      return;
    }

  key = sp_directory_dup_secret_key (self);
  sp_secret_lookup_async (key, cancellable, secret_cb, g_steal_pointer (&task));
}

/**
 * sp_directory_lookup_secret_finish:
 *
 * Returns: (transfer full) (nullable): the secret (free it with sp_secret_free()), or
 *   %NULL when there is none
 */
char *
sp_directory_lookup_secret_finish (SpDirectory   *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * sp_directory_set_last_error:
 * @self: a directory
 * @message: (nullable): why it failed, in words; %NULL when it worked
 *
 * For the caller that gave up waiting (the lookup's budget): a directory that never answers
 * says so in Preferences too.
 */
void
sp_directory_set_last_error (SpDirectory *self,
                             const char  *message)
{
  SpDirectoryPrivate *priv = sp_directory_get_instance_private (self);

  if (g_strcmp0 (priv->last_error, message) == 0)
    return;
  g_free (priv->last_error);
  priv->last_error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  SpDirectory *self = SP_DIRECTORY (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpContact) contact = NULL;

  contact = SP_DIRECTORY_GET_CLASS (self)->lookup_finish (self, result, &error);

  if (error != NULL)
    {
      /* A lookup we gave up on says nothing about the directory. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        sp_directory_set_last_error (self, error->message);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  sp_directory_set_last_error (self, NULL);

  if (contact != NULL && contact->directory == NULL)
    contact->directory = sp_directory_dup_label (self);

  g_task_return_pointer (task, g_steal_pointer (&contact), (GDestroyNotify) sp_contact_free);
}

/**
 * sp_directory_lookup_async:
 * @self: a directory
 * @number: a number that is not withheld
 * @cancellable: (nullable): cancels the lookup (the caller's budget)
 *
 * Asks the directory who @number belongs to.
 */
void
sp_directory_lookup_async (SpDirectory         *self,
                           const SpPhoneNumber *number,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SP_IS_DIRECTORY (self));
  g_return_if_fail (number != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_directory_lookup_async);

  if (number->withheld)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  SP_DIRECTORY_GET_CLASS (self)->lookup_async (self, number, cancellable, lookup_cb,
                                               g_steal_pointer (&task));
}

/**
 * sp_directory_lookup_finish:
 *
 * Returns: (transfer full) (nullable): who @number belongs to; %NULL without @error set
 *   when the directory does not know it
 */
SpContact *
sp_directory_lookup_finish (SpDirectory   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * sp_directory_get_last_error:
 *
 * Returns: (nullable): why the last lookup failed, or %NULL
 */
const char *
sp_directory_get_last_error (SpDirectory *self)
{
  SpDirectoryPrivate *priv = sp_directory_get_instance_private (self);

  g_return_val_if_fail (SP_IS_DIRECTORY (self), NULL);
  return priv->last_error;
}

static char *
digits_only (const char *text)
{
  GString *digits = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    if (g_ascii_isdigit (*p))
      g_string_append_c (digits, *p);

  return g_string_free (digits, FALSE);
}

/**
 * sp_directory_dup_number_keys:
 * @number: the number looked up
 *
 * The digits of every form of @number, worked out once for comparing it with many stored
 * numbers (sp_directory_keys_match()).
 *
 * Returns: (transfer full): a %NULL-terminated array; empty for a withheld number
 */
char **
sp_directory_dup_number_keys (const SpPhoneNumber *number)
{
  g_auto(GStrv) variants = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (number != NULL, NULL);

  variants = sp_phone_number_dup_variants (number);
  for (guint i = 0; variants[i] != NULL; i++)
    {
      g_autofree char *digits = digits_only (variants[i]);

      if (*digits != '\0')
        g_strv_builder_add (builder, digits);
    }
  return g_strv_builder_end (builder);
}

/**
 * sp_directory_dup_tail_digits:
 * @number: the number looked up
 *
 * For servers that compare numbers as text: the last four digits of @number are rarely
 * split by how a directory writes it, so a text match on them finds the few candidates,
 * which sp_directory_keys_match() then checks digit by digit.
 *
 * Returns: (transfer full) (nullable): the last four digits, or %NULL for a number of
 *   fewer than six digits (an extension: four would match too much)
 */
char *
sp_directory_dup_tail_digits (const SpPhoneNumber *number)
{
  g_autofree char *digits = NULL;
  gsize n;

  g_return_val_if_fail (number != NULL, NULL);

  digits = digits_only (number->e164 != NULL ? number->e164 : number->raw);
  n = strlen (digits);
  return n >= 6 ? g_strdup (digits + n - 4) : NULL;
}

/**
 * sp_directory_keys_match:
 * @keys: from sp_directory_dup_number_keys()
 * @stored: (nullable): a number as a directory stores it ("03-1234-5678", …)
 *
 * Compares digits only, so that a directory's own way of writing numbers needs no region
 * to match.
 *
 * Returns: whether @stored is the number of @keys
 */
gboolean
sp_directory_keys_match (const char * const *keys,
                         const char         *stored)
{
  char digits[64];
  gsize n = 0;

  if (stored == NULL)
    return FALSE;

  for (const char *p = stored; *p != '\0' && n < sizeof digits - 1; p++)
    if (g_ascii_isdigit (*p))
      digits[n++] = *p;
  digits[n] = '\0';

  return n > 0 && g_strv_contains (keys, digits);
}

/**
 * sp_directory_number_matches:
 * @number: the number looked up
 * @stored: a number as a directory stores it
 *
 * sp_directory_keys_match() for one comparison.
 *
 * Returns: whether @stored is @number
 */
gboolean
sp_directory_number_matches (const SpPhoneNumber *number,
                             const char          *stored)
{
  g_auto(GStrv) keys = NULL;

  g_return_val_if_fail (number != NULL, FALSE);

  keys = sp_directory_dup_number_keys (number);
  return sp_directory_keys_match ((const char * const *) keys, stored);
}

/**
 * sp_directory_set_secret_override:
 * @self: a directory
 * @secret: (nullable): the secret to use instead of the keyring's
 *
 * For testing a directory from its editor with a password typed but not saved yet.
 */
void
sp_directory_set_secret_override (SpDirectory *self,
                                  const char  *secret)
{
  SpDirectoryPrivate *priv = sp_directory_get_instance_private (self);

  g_return_if_fail (SP_IS_DIRECTORY (self));

  g_clear_pointer (&priv->secret_override, sp_secret_free);
  priv->secret_override = g_strdup (secret);
}

/**
 * sp_directory_choice_new:
 *
 * Returns: (transfer full): a choice
 */
SpDirectoryChoice *
sp_directory_choice_new (const char *id,
                         const char *label)
{
  SpDirectoryChoice *self = g_new0 (SpDirectoryChoice, 1);

  self->id = g_strdup (id);
  self->label = g_strdup (label);
  return self;
}

void
sp_directory_choice_free (SpDirectoryChoice *self)
{
  if (self == NULL)
    return;
  g_free (self->id);
  g_free (self->label);
  g_free (self);
}
