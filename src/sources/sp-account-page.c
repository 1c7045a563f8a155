/* sp-account-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-account-page"

#include "config.h"

#include <stdlib.h>

#include <glib/gi18n.h>

#include "sp-account-page.h"

/*
 * The interface between the generic account editor (src/ui/sp-account-editor.c) and a
 * kind's page (src/sources/<kind>/sp-<kind>-page.c), after GNOME Calls'
 * CallsAccountProvider: the editor knows no kind, the page knows nothing but its kind.
 * Every method has a default, so that a kind with nothing of its own (popup-notifier, demo)
 * writes almost nothing.
 */

/**
 * sp_account_form_clear:
 *
 * Frees the strings of @form (not @form itself).
 */
void
sp_account_form_clear (SpAccountForm *form)
{
  g_clear_pointer (&form->url, g_free);
  g_clear_pointer (&form->login, g_free);
  g_clear_pointer (&form->secret, g_free);
  g_clear_pointer (&form->extensions, g_strfreev);
}

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_QUARK (sp-account-page-error-quark, sp_account_page_error)

G_DEFINE_INTERFACE (SpAccountPage, sp_account_page, ADW_TYPE_PREFERENCES_GROUP)

static void
sp_account_page_default_init (SpAccountPageInterface *iface)
{
  /**
   * SpAccountPage::changed:
   *
   * A row of the page changed: the form is checked again.
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_INTERFACE (iface),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

/**
 * sp_account_page_new:
 * @page_type: a type that implements #SpAccountPage (see sp_source_kind_get_page_type())
 *
 * Returns: (transfer floating): a new page with its rows empty
 */
SpAccountPage *
sp_account_page_new (GType page_type)
{
  g_return_val_if_fail (g_type_is_a (page_type, SP_TYPE_ACCOUNT_PAGE), NULL);

  return g_object_new (page_type, NULL);
}

/**
 * sp_account_page_load:
 * @account: the account the editor edits
 *
 * Fills the page's rows from @account's settings and options.
 */
void
sp_account_page_load (SpAccountPage *self,
                      SpAccount     *account)
{
  SpAccountPageInterface *iface;

  g_return_if_fail (SP_IS_ACCOUNT_PAGE (self));
  g_return_if_fail (SP_IS_ACCOUNT (account));

  iface = SP_ACCOUNT_PAGE_GET_IFACE (self);
  if (iface->load != NULL)
    iface->load (self, account);
}

/**
 * sp_account_page_validate:
 * @form: the generic fields as typed
 * @secret_required: whether the form must have the secret (a new account, or one whose
 *   stored secret would move: see sp_account_page_secret_would_move())
 * @error: the first problem, in the domain %SP_ACCOUNT_PAGE_ERROR
 *
 * Checks the page's rows, then that the login and the secret the kind signs in with are
 * there.
 *
 * Returns: whether the page and the credentials can be saved as typed
 */
gboolean
sp_account_page_validate (SpAccountPage        *self,
                          const SpAccountForm  *form,
                          gboolean              secret_required,
                          GError              **error)
{
  SpAccountPageInterface *iface;
  SpAccountPageCredentials credentials;
  const char *missing = NULL;

  g_return_val_if_fail (SP_IS_ACCOUNT_PAGE (self), FALSE);
  g_return_val_if_fail (form != NULL && form->extensions != NULL, FALSE);

  iface = SP_ACCOUNT_PAGE_GET_IFACE (self);
  if (iface->validate != NULL && !iface->validate (self, form, error))
    return FALSE;

  sp_account_page_get_credentials (self, &credentials);
  if (credentials.kind == SP_ACCOUNT_CREDENTIALS_PASSWORD && form->login[0] == '\0')
    missing = credentials.login_missing;
  else if (credentials.kind != SP_ACCOUNT_CREDENTIALS_NONE && secret_required &&
           form->secret[0] == '\0')
    missing = credentials.secret_missing;

  if (missing != NULL)
    {
      g_set_error_literal (error, SP_ACCOUNT_PAGE_ERROR, SP_ACCOUNT_PAGE_ERROR_MISSING, missing);
      return FALSE;
    }

  return TRUE;
}

static GHashTable *
dup_options (SpAccount *account)
{
  g_autoptr(GHashTable) options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GVariant) value = NULL;
  GVariantIter iter;
  char *key, *option;

  if (account == NULL)
    return g_steal_pointer (&options);

  value = g_settings_get_value (sp_account_get_settings (account), "options");
  g_variant_iter_init (&iter, value);
  while (g_variant_iter_next (&iter, "{ss}", &key, &option))
    g_hash_table_insert (options, key, option);

  return g_steal_pointer (&options);
}

static int
compare_keys (const void *a,
              const void *b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* Sorted by key, so that the same options are always written the same. */
static GVariant *
options_to_variant (GHashTable *options)
{
  g_autofree const char **keys = NULL;
  GVariantBuilder builder;
  guint n_keys;

  keys = (const char **) g_hash_table_get_keys_as_array (options, &n_keys);
  qsort (keys, n_keys, sizeof (char *), compare_keys);
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  for (guint i = 0; i < n_keys; i++)
    g_variant_builder_add (&builder, "{ss}", keys[i],
                           (const char *) g_hash_table_lookup (options, keys[i]));

  return g_variant_builder_end (&builder);
}

/**
 * sp_account_page_save:
 * @edited: (nullable): the account the editor edits, %NULL for a new one
 * @settings: the settings to write, in delay-apply mode, the generic fields written
 *
 * Writes the page's rows into @settings: its options into the `options` key, merged into
 * those of @edited so that an option set by an administrator or by the source itself
 * survives an edit, and anything else the kind keeps (the redmine channels …).
 */
void
sp_account_page_save (SpAccountPage *self,
                      SpAccount     *edited,
                      GSettings     *settings)
{
  SpAccountPageInterface *iface;
  g_autoptr(GHashTable) options = NULL;

  g_return_if_fail (SP_IS_ACCOUNT_PAGE (self));
  g_return_if_fail (!edited || SP_IS_ACCOUNT (edited));
  g_return_if_fail (G_IS_SETTINGS (settings));

  options = dup_options (edited);
  iface = SP_ACCOUNT_PAGE_GET_IFACE (self);
  if (iface->save != NULL)
    iface->save (self, settings, options);
  g_settings_set_value (settings, "options", options_to_variant (options));
}

/**
 * sp_account_page_get_connection_rows:
 *
 * Returns: (transfer none) (array zero-terminated=1) (nullable): the page's rows that
 *   belong in the Connection group, after the server address
 */
GtkWidget **
sp_account_page_get_connection_rows (SpAccountPage *self)
{
  SpAccountPageInterface *iface;

  g_return_val_if_fail (SP_IS_ACCOUNT_PAGE (self), NULL);

  iface = SP_ACCOUNT_PAGE_GET_IFACE (self);
  return iface->get_connection_rows != NULL ? iface->get_connection_rows (self) : NULL;
}

/**
 * sp_account_page_get_url_title:
 *
 * Returns: the translated title of the server address row, with a mnemonic
 */
const char *
sp_account_page_get_url_title (SpAccountPage *self)
{
  SpAccountPageInterface *iface;
  const char *title = NULL;

  g_return_val_if_fail (SP_IS_ACCOUNT_PAGE (self), NULL);

  iface = SP_ACCOUNT_PAGE_GET_IFACE (self);
  if (iface->get_url_title != NULL)
    title = iface->get_url_title (self);

  return title != NULL ? title : _("Ser_ver Address");
}

/**
 * sp_account_page_has_calls:
 *
 * Returns: whether the kind reports calls: then the form offers the extensions, the ring
 *   timeout and the CRM page
 */
gboolean
sp_account_page_has_calls (SpAccountPage *self)
{
  SpAccountPageInterface *iface;

  g_return_val_if_fail (SP_IS_ACCOUNT_PAGE (self), TRUE);

  iface = SP_ACCOUNT_PAGE_GET_IFACE (self);
  return iface->has_calls != NULL ? iface->has_calls (self) : TRUE;
}

/**
 * sp_account_page_get_credentials:
 * @credentials: (out caller-allocates): how the account signs in now, every string set
 */
void
sp_account_page_get_credentials (SpAccountPage            *self,
                                 SpAccountPageCredentials *credentials)
{
  SpAccountPageInterface *iface;

  g_return_if_fail (SP_IS_ACCOUNT_PAGE (self));
  g_return_if_fail (credentials != NULL);

  *credentials = (SpAccountPageCredentials) { SP_ACCOUNT_CREDENTIALS_NONE };

  iface = SP_ACCOUNT_PAGE_GET_IFACE (self);
  if (iface->get_credentials != NULL)
    iface->get_credentials (self, credentials);

  if (credentials->login_title == NULL)
    credentials->login_title = _("_Login");
  if (credentials->login_missing == NULL)
    credentials->login_missing = _("Enter the login.");

  if (credentials->kind == SP_ACCOUNT_CREDENTIALS_PASSWORD)
    {
      if (credentials->secret_title == NULL)
        credentials->secret_title = _("_Password");
      if (credentials->secret_missing == NULL)
        credentials->secret_missing = _("Enter the password.");
    }
  else
    {
      if (credentials->secret_title == NULL)
        credentials->secret_title = _("API Ke_y");
      if (credentials->secret_missing == NULL)
        credentials->secret_missing = _("Enter the API key.");
    }
}

/* The server a URL points at, as "scheme://host:port", or the text itself if it is none. */
static char *
dup_server_of (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url != NULL ? url : "", G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup (url != NULL ? url : "");

  return g_strdup_printf ("%s://%s:%d", g_uri_get_scheme (uri), g_uri_get_host (uri),
                          g_uri_get_port (uri));
}

/**
 * sp_account_page_secret_would_move:
 * @account: the edited account
 * @form: the generic fields as typed
 *
 * Returns: whether the secret stored for @account would now go to another server, stand
 *   for another user, or mean something else to the kind (another domain, another way to
 *   sign in): then it is not used, and the form asks for it again
 */
gboolean
sp_account_page_secret_would_move (SpAccountPage       *self,
                                   SpAccount           *account,
                                   const SpAccountForm *form)
{
  SpAccountPageInterface *iface;
  SpAccountPageCredentials credentials;
  g_autofree char *stored_url = NULL;
  g_autofree char *stored_login = NULL;
  g_autofree char *stored_server = NULL;
  g_autofree char *form_server = NULL;

  g_return_val_if_fail (SP_IS_ACCOUNT_PAGE (self), FALSE);
  g_return_val_if_fail (SP_IS_ACCOUNT (account), FALSE);
  g_return_val_if_fail (form != NULL, FALSE);

  stored_url = sp_account_dup_url (account);
  stored_server = dup_server_of (stored_url);
  form_server = dup_server_of (form->url);
  if (g_strcmp0 (stored_server, form_server) != 0)
    return TRUE;

  sp_account_page_get_credentials (self, &credentials);
  stored_login = sp_account_dup_login (account);
  if (credentials.kind == SP_ACCOUNT_CREDENTIALS_PASSWORD &&
      g_strcmp0 (stored_login, form->login) != 0)
    return TRUE;

  iface = SP_ACCOUNT_PAGE_GET_IFACE (self);
  return iface->secret_would_move != NULL && iface->secret_would_move (self, account);
}

/**
 * sp_account_page_changed:
 *
 * Emits #SpAccountPage::changed. Pages connect their rows' change signals to it (in the
 * .ui, swapped).
 */
void
sp_account_page_changed (SpAccountPage *self)
{
  g_return_if_fail (SP_IS_ACCOUNT_PAGE (self));

  g_signal_emit (self, signals[CHANGED], 0);
}

/**
 * sp_account_page_set_option:
 * @options: (element-type utf8 utf8): options, as given to #SpAccountPageInterface.save
 * @value: (nullable): the value; %NULL or empty removes @key
 */
void
sp_account_page_set_option (GHashTable *options,
                            const char *key,
                            const char *value)
{
  g_return_if_fail (options != NULL);
  g_return_if_fail (key != NULL);

  if (value == NULL || value[0] == '\0')
    g_hash_table_remove (options, key);
  else
    g_hash_table_insert (options, g_strdup (key), g_strdup (value));
}

/**
 * sp_account_page_option_is_true:
 * @value: (nullable): an option's value
 *
 * Returns: whether @value says yes, as the sources read a boolean option
 */
gboolean
sp_account_page_option_is_true (const char *value)
{
  return value != NULL && (g_ascii_strcasecmp (value, "true") == 0 ||
                           g_str_equal (value, "1") ||
                           g_ascii_strcasecmp (value, "yes") == 0);
}

/**
 * sp_account_page_split_list:
 * @text: a list as typed, separated by commas or spaces
 *
 * Returns: (transfer full): the items of @text, without empty ones
 */
char **
sp_account_page_split_list (const char *text)
{
  g_auto(GStrv) parts = g_strsplit_set (text != NULL ? text : "", ", ", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }

  return g_strv_builder_end (builder);
}

/**
 * sp_account_page_dup_row_text:
 *
 * Returns: (transfer full): the text of @row without white space around it
 */
char *
sp_account_page_dup_row_text (AdwEntryRow *row)
{
  g_return_val_if_fail (ADW_IS_ENTRY_ROW (row), NULL);

  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}
