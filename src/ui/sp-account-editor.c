/* sp-account-editor.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-account-editor"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-account-editor.h"
#include "sp-account-page.h"
#include "sp-account-test-bar.h"
#include "sp-secret.h"
#include "sp-source-kind.h"
#include "sp-template.h"
#include "sp-url-policy.h"

/*
 * The one form for an account of any kind, used by "Add Account" (a new account) and by
 * Preferences (an account that exists). It shows the fields every account has (name,
 * server address, login and secret, extensions, CRM page, enabled, mute) and embeds the
 * kind's page (SpAccountPage, from the registry) with the kind's own rows. It checks every
 * field as it is typed and says the first problem in words under the form, and "Test
 * Connection" connects a throw-away copy of the form and reports what happened.
 *
 * The form knows no kind by name: what a kind shows and asks for is its page's to say.
 *
 * Secrets (an API key or token, a password) are typed in password rows, given to the test
 * connection in memory, and stored in the keyring only when the form is saved. For an
 * account that exists, an empty secret field keeps the secret in the keyring. Nothing
 * secret is ever written to GSettings or to the log.
 *
 * The container owns the Save (or Add) button and binds it to #SpAccountEditor:can-save.
 */

struct _SpAccountEditor
{
  AdwBin           parent_instance;

  SpAccountList      *accounts;
  SpAccount       *account;          /* NULL: the form adds a new account */
  char            *account_kind;     /* the kind of @account, which the form does not change */
  char            *pinned_certificate; /* SHA-256 of the one untrusted certificate to accept */
  GHashTable      *pages;            /* kind id → SpAccountPage, so that typed rows survive a
                                      * look at another kind */
  SpAccountPage   *page;             /* the shown one, in @pages; NULL for an unknown kind */
  gboolean         ready;            /* constructed: the form may be checked */
  gboolean         valid;
  gboolean         busy;

  AdwPreferencesPage  *preferences_page;
  AdwPreferencesGroup *connection_group;
  AdwComboRow      *kind_row;
  AdwEntryRow      *name_row;
  AdwEntryRow      *url_row;
  AdwEntryRow      *api_key_row;
  AdwEntryRow      *login_row;
  AdwEntryRow      *password_row;
  GtkWidget        *calls_group;
  AdwEntryRow      *extensions_row;
  GtkSpinButton    *ring_timeout_spin;
  GtkWidget        *crm_group;
  AdwEntryRow      *template_row;
  AdwComboRow      *trigger_row;
  AdwEntryRow      *webservice_row;
  GtkWidget        *state_group;
  GtkSwitch        *enabled_switch;
  GtkSwitch        *muted_switch;
  SpAccountTestBar *test_bar;
};

enum {
  PROP_0,
  PROP_ACCOUNTS,
  PROP_ACCOUNT,
  PROP_CAN_SAVE,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (SpAccountEditor, sp_account_editor, ADW_TYPE_BIN)

static GParamSpec *properties[N_PROPS];

static gboolean validate (SpAccountEditor *self);

/* Form helpers */

static const SpSourceKind *
selected_kind (SpAccountEditor *self)
{
  guint n_kinds;
  const SpSourceKind *kinds = sp_source_kind_get_all (&n_kinds);
  guint selected = adw_combo_row_get_selected (self->kind_row);

  if (self->account_kind != NULL)
    return sp_source_kind_lookup (self->account_kind);

  return selected < n_kinds ? &kinds[selected] : NULL;
}

static const char *
row_text (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static gboolean
has_url (SpAccountEditor *self)
{
  const SpSourceKind *kind = selected_kind (self);

  return kind == NULL || sp_source_kind_has_url (kind);
}

static gboolean
has_calls (SpAccountEditor *self)
{
  return self->page == NULL || sp_account_page_has_calls (self->page);
}

static SpAccountCredentials
get_credentials (SpAccountEditor          *self,
                 SpAccountPageCredentials *credentials)
{
  if (self->page != NULL)
    sp_account_page_get_credentials (self->page, credentials);
  else
    *credentials = (SpAccountPageCredentials) { SP_ACCOUNT_CREDENTIALS_NONE };

  return credentials->kind;
}

/* The secret typed into the form, or NULL when the kind needs none or the field is empty
 * (for an existing account: keep the stored one). A key or token pasted with white space
 * around it is the key; a password is taken as typed. */
static char *
dup_form_secret (SpAccountEditor *self)
{
  SpAccountPageCredentials credentials;
  char *secret = NULL;

  switch (get_credentials (self, &credentials))
    {
    case SP_ACCOUNT_CREDENTIALS_PASSWORD:
      secret = g_strdup (row_text (self->password_row));
      break;
    case SP_ACCOUNT_CREDENTIALS_KEY:
      secret = sp_account_page_dup_row_text (self->api_key_row);
      break;
    case SP_ACCOUNT_CREDENTIALS_NONE:
    default:
      break;
    }

  if (secret != NULL && secret[0] == '\0')
    g_clear_pointer (&secret, g_free);

  return secret;
}

static void
mark_row (AdwEntryRow *row,
          gboolean     ok)
{
  if (ok)
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
}

static void
update_can_save (SpAccountEditor *self,
                 gboolean         valid,
                 gboolean         busy)
{
  gboolean could = self->valid && !self->busy;

  self->valid = valid;
  self->busy = busy;
  if (could != (self->valid && !self->busy))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_SAVE]);
}

/* The kind's page */

/* AdwPreferencesGroup and AdwPreferencesPage only append: to put the page's widgets in
 * their place, the widgets that follow are taken out and put back after them. */
static void
row_to_end (AdwPreferencesGroup *group,
            GtkWidget           *row)
{
  g_object_ref (row);
  adw_preferences_group_remove (group, row);
  adw_preferences_group_add (group, row);
  g_object_unref (row);
}

static void
group_to_end (AdwPreferencesPage *page,
              GtkWidget          *group)
{
  g_object_ref (group);
  adw_preferences_page_remove (page, ADW_PREFERENCES_GROUP (group));
  adw_preferences_page_add (page, ADW_PREFERENCES_GROUP (group));
  g_object_unref (group);
}

static void
hide_page (SpAccountEditor *self)
{
  GtkWidget **rows;

  if (self->page == NULL)
    return;

  rows = sp_account_page_get_connection_rows (self->page);
  for (guint i = 0; rows != NULL && rows[i] != NULL; i++)
    adw_preferences_group_remove (self->connection_group, rows[i]);
  adw_preferences_page_remove (self->preferences_page, ADW_PREFERENCES_GROUP (self->page));
  g_signal_handlers_disconnect_by_func (self->page, validate, self);
  self->page = NULL;
}

/* Shows the page of the selected kind: its connection rows after the server address, the
 * page itself (its options) after the Connection group. */
static void
show_page (SpAccountEditor *self)
{
  const SpSourceKind *kind = selected_kind (self);
  SpAccountPage *page;
  GtkWidget **rows;

  if (kind == NULL)
    {
      hide_page (self);
      return;
    }

  page = g_hash_table_lookup (self->pages, kind->id);
  if (page != NULL && page == self->page)
    return;

  hide_page (self);

  if (page == NULL)
    {
      page = g_object_ref_sink (sp_account_page_new (sp_source_kind_get_page_type (kind)));
      g_hash_table_insert (self->pages, (gpointer) kind->id, page);
      if (self->account != NULL)
        sp_account_page_load (page, self->account);
    }
  self->page = page;

  rows = sp_account_page_get_connection_rows (page);
  for (guint i = 0; rows != NULL && rows[i] != NULL; i++)
    adw_preferences_group_add (self->connection_group, rows[i]);
  row_to_end (self->connection_group, GTK_WIDGET (self->api_key_row));
  row_to_end (self->connection_group, GTK_WIDGET (self->login_row));
  row_to_end (self->connection_group, GTK_WIDGET (self->password_row));

  adw_preferences_page_add (self->preferences_page, ADW_PREFERENCES_GROUP (page));
  group_to_end (self->preferences_page, self->calls_group);
  group_to_end (self->preferences_page, self->crm_group);
  group_to_end (self->preferences_page, self->state_group);

  g_signal_connect_object (page, "changed", G_CALLBACK (validate), self, G_CONNECT_SWAPPED);
}

static void
kind_changed_cb (SpAccountEditor *self)
{
  if (!self->ready)
    return;

  show_page (self);
  validate (self);
}

/* Validation */

static void
update_rows (SpAccountEditor                *self,
             const SpAccountPageCredentials *credentials)
{
  gboolean calls = has_calls (self);
  gboolean needs_secret = credentials->kind != SP_ACCOUNT_CREDENTIALS_NONE;

  gtk_widget_set_visible (GTK_WIDGET (self->url_row), has_url (self));
  if (self->page != NULL)
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->url_row),
                                   sp_account_page_get_url_title (self->page));

  gtk_widget_set_visible (GTK_WIDGET (self->api_key_row),
                          credentials->kind == SP_ACCOUNT_CREDENTIALS_KEY);
  gtk_widget_set_visible (GTK_WIDGET (self->login_row),
                          credentials->kind == SP_ACCOUNT_CREDENTIALS_PASSWORD);
  gtk_widget_set_visible (GTK_WIDGET (self->password_row),
                          credentials->kind == SP_ACCOUNT_CREDENTIALS_PASSWORD);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->login_row), credentials->login_title);
  adw_preferences_row_set_title (credentials->kind == SP_ACCOUNT_CREDENTIALS_KEY
                                   ? ADW_PREFERENCES_ROW (self->api_key_row)
                                   : ADW_PREFERENCES_ROW (self->password_row),
                                 credentials->secret_title);

  /* A kind that reports no calls (redmine_rt sends its own URLs) has no extension. */
  gtk_widget_set_visible (self->calls_group, calls);
  gtk_widget_set_visible (GTK_WIDGET (self->extensions_row), calls);
  gtk_widget_set_visible (self->crm_group, calls);

  if (self->account != NULL && needs_secret)
    adw_preferences_group_set_description (self->connection_group,
                                           _("The token or password is kept in the keyring. Leave its field empty to keep the one stored."));
  else if (needs_secret)
    adw_preferences_group_set_description (self->connection_group,
                                           _("The token or password is kept in the keyring, never in the settings."));
  else
    adw_preferences_group_set_description (self->connection_group, NULL);

  gtk_widget_set_sensitive (GTK_WIDGET (self->kind_row), self->account == NULL);
}

/* The generic fields as typed, for the page to check against. */
static void
read_form (SpAccountEditor *self,
           SpAccountForm   *form)
{
  g_autofree char *secret = dup_form_secret (self);

  form->url = sp_account_page_dup_row_text (self->url_row);
  form->login = sp_account_page_dup_row_text (self->login_row);
  form->secret = secret != NULL ? g_steal_pointer (&secret) : g_strdup ("");
  form->extensions = sp_account_page_split_list (row_text (self->extensions_row));
}

/* Returns whether the form can be saved; says the first thing that is wrong otherwise,
 * in the order of the form. A missing field is told plainly, a wrong one as an error. */
static gboolean
validate (SpAccountEditor *self)
{
  const SpSourceKind *kind = selected_kind (self);
  const char *template_str = row_text (self->template_row);
  g_autofree char *webservice = sp_account_page_dup_row_text (self->webservice_row);
  gboolean calls = has_calls (self);
  SpAccountPageCredentials credentials;
  g_auto(SpAccountForm) form = { NULL, };
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;
  g_autofree char *missing = NULL;
  gboolean ok;

  if (!self->ready)
    return FALSE;

  get_credentials (self, &credentials);
  update_rows (self, &credentials);
  read_form (self, &form);

  mark_row (self->url_row, TRUE);
  mark_row (self->template_row, TRUE);
  mark_row (self->webservice_row, TRUE);

  if (kind == NULL)
    g_set_error (&error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                 _("Screenpop does not know the account kind “%s”"), self->account_kind);

  if (error == NULL && has_url (self))
    {
      if (form.url[0] == '\0')
        missing = g_strdup (_("Enter the server address."));
      else if ((normalized = sp_source_kind_normalize_url (kind, form.url, &error)) == NULL)
        mark_row (self->url_row, FALSE);
    }

  /* The kind's rows (those of the Connection group come first in the form), then the
   * login and the secret. An existing account keeps its secret unless it would mean
   * something else now. */
  if (error == NULL && missing == NULL && self->page != NULL &&
      !sp_account_page_validate (self->page, &form,
                                 self->account == NULL ||
                                 sp_account_page_secret_would_move (self->page, self->account,
                                                                    &form),
                                 &error) &&
      g_error_matches (error, SP_ACCOUNT_PAGE_ERROR, SP_ACCOUNT_PAGE_ERROR_MISSING))
    {
      missing = g_strdup (error->message);
      g_clear_error (&error);
    }

  if (error == NULL && missing == NULL && calls && template_str[0] != '\0' &&
      !sp_template_validate (template_str, &error))
    mark_row (self->template_row, FALSE);

  /* The web service gets call data: http or https only, as for any URL Screenpop opens. */
  if (error == NULL && missing == NULL && calls && webservice[0] != '\0' &&
      !sp_url_policy_check (webservice, NULL, NULL, NULL))
    {
      g_set_error (&error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                   _("“%s” is not a web service address; use http:// or https://"), webservice);
      mark_row (self->webservice_row, FALSE);
    }

  ok = error == NULL && missing == NULL;

  if (error != NULL)
    sp_account_test_bar_set_status (self->test_bar, error->message, "error");
  else if (missing != NULL)
    sp_account_test_bar_set_status (self->test_bar, missing, "dim-label");
  else
    sp_account_test_bar_set_status (self->test_bar, NULL, NULL);

  /* A kind without a server (the demo) has no connection to test. */
  sp_account_test_bar_set_can_test (self->test_bar, ok && has_url (self));
  update_can_save (self, ok, self->busy);

  return ok;
}

/* Writing the form */

/* Writes the form into @account's settings at once, so that its source restarts once.
 * @hold_back: leave the account disabled (its secret is not in the keyring yet). */
static void
write_settings (SpAccountEditor *self,
                SpAccount       *account,
                gboolean         hold_back)
{
  GSettings *shared = sp_account_get_settings (account);
  const SpSourceKind *kind = selected_kind (self);
  SpAccountPageCredentials credentials;
  g_autoptr(GSettingsBackend) backend = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *name = sp_account_page_dup_row_text (self->name_row);

  /* A settings object of our own in delay-apply mode: the account's is shared, and
   * delay-apply can never be turned off again. */
  g_object_get (shared, "backend", &backend, "path", &path, NULL);
  g_object_get (shared, "settings-schema", &schema, NULL);
  settings = g_settings_new_full (schema, backend, path);
  g_settings_delay (settings);

  g_settings_set_string (settings, "display-name",
                         name[0] != '\0' ? name : sp_source_kind_get_label (kind));

  if (has_url (self))
    {
      g_autofree char *url = sp_account_page_dup_row_text (self->url_row);

      g_settings_set_string (settings, "url", url);
    }

  if (get_credentials (self, &credentials) == SP_ACCOUNT_CREDENTIALS_PASSWORD)
    {
      g_autofree char *login = sp_account_page_dup_row_text (self->login_row);

      g_settings_set_string (settings, "login", login);
    }

  if (has_calls (self))
    {
      g_auto(GStrv) extensions = sp_account_page_split_list (row_text (self->extensions_row));
      g_autofree char *webservice = sp_account_page_dup_row_text (self->webservice_row);

      g_settings_set_strv (settings, "extensions", (const char * const *) extensions);
      g_settings_set_uint (settings, "ring-timeout",
                           (guint) gtk_spin_button_get_value_as_int (self->ring_timeout_spin));
      g_settings_set_string (settings, "url-template", row_text (self->template_row));
      g_settings_set_enum (settings, "url-trigger", adw_combo_row_get_selected (self->trigger_row));
      g_settings_set_string (settings, "webservice-url", webservice);
    }

  if (self->page != NULL)
    sp_account_page_save (self->page, self->account, settings);

  /* Not a secret: a fingerprint the user confirmed (see trust_certificate_cb()). */
  g_settings_set_string (settings, "pinned-certificate",
                         self->pinned_certificate != NULL ? self->pinned_certificate : "");

  g_settings_set_boolean (settings, "muted", gtk_switch_get_active (self->muted_switch));
  g_settings_set_boolean (settings, "enabled",
                          !hold_back && gtk_switch_get_active (self->enabled_switch));

  g_settings_apply (settings);
}

/* Filling the form from an account */

static void
set_row_text (AdwEntryRow *row,
              const char  *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text != NULL ? text : "");
}

/* The generic fields; the kind's page fills its own rows when it is first shown. */
static void
fill_from_account (SpAccountEditor *self)
{
  SpAccount *account = self->account;
  GSettings *settings = sp_account_get_settings (account);
  g_autofree char *name = g_settings_get_string (settings, "display-name");
  g_autofree char *url = sp_account_dup_url (account);
  g_autofree char *login = sp_account_dup_login (account);
  g_autofree char *template_str = sp_account_dup_url_template (account);
  g_autofree char *webservice = g_settings_get_string (settings, "webservice-url");
  g_auto(GStrv) extensions = sp_account_dup_extensions (account);
  g_autofree char *extensions_text = g_strjoinv (", ", extensions);
  guint n_kinds;
  const SpSourceKind *kinds = sp_source_kind_get_all (&n_kinds);

  for (guint i = 0; i < n_kinds; i++)
    {
      if (g_strcmp0 (kinds[i].id, self->account_kind) == 0)
        adw_combo_row_set_selected (self->kind_row, i);
    }

  g_free (self->pinned_certificate);
  self->pinned_certificate = g_settings_get_string (settings, "pinned-certificate");

  set_row_text (self->name_row, name);
  set_row_text (self->url_row, url);
  set_row_text (self->login_row, login);
  set_row_text (self->extensions_row, extensions_text);
  set_row_text (self->template_row, template_str);
  set_row_text (self->webservice_row, webservice);
  adw_combo_row_set_selected (self->trigger_row, sp_account_get_url_trigger (account));
  gtk_spin_button_set_value (self->ring_timeout_spin, sp_account_get_ring_timeout (account));
  gtk_switch_set_active (self->enabled_switch, sp_account_get_enabled (account));
  gtk_switch_set_active (self->muted_switch, sp_account_get_muted (account));
}

/* Test Connection */

/* Connects a throw-away account in memory with the form as it is: nothing is saved until
 * "Save", and a secret typed for the test goes nowhere else. */
static void
test_cb (SpAccountEditor *self)
{
  g_autoptr(SpAccount) account = NULL;
  SpAccountPageCredentials credentials;
  g_autofree char *secret = NULL;
  const char *keyring_id = NULL;

  sp_account_test_bar_stop (self->test_bar);
  if (!validate (self))
    return;

  account = sp_account_new_transient ("connection-test", selected_kind (self)->id, "");
  write_settings (self, account, FALSE);

  /* Left empty: test with the secret the account has in the keyring. */
  secret = dup_form_secret (self);
  if (secret == NULL && self->account != NULL &&
      get_credentials (self, &credentials) != SP_ACCOUNT_CREDENTIALS_NONE)
    keyring_id = sp_account_get_id (self->account);

  sp_account_test_bar_start (self->test_bar, account, secret, keyring_id);
}

/* The user confirmed the fingerprint of a certificate the system does not trust: the
 * account accepts exactly that one from now on (once saved), and the test runs again. */
static void
trust_certificate_cb (SpAccountEditor *self,
                      const char      *fingerprint)
{
  g_free (self->pinned_certificate);
  self->pinned_certificate = g_strdup (fingerprint);
  test_cb (self);
}

/* Saving */

typedef struct
{
  SpAccount *account;
  gboolean   created;
  gboolean   secret_changed;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_clear_object (&data->account);
  g_free (data);
}

static void
save_done (SpAccountEditor *self,
           GTask           *task)
{
  SaveData *data = g_task_get_task_data (task);

  gtk_widget_set_sensitive (GTK_WIDGET (self), TRUE);
  update_can_save (self, self->valid, FALSE);

  if (data->created)
    {
      /* Now that its secret is in the keyring, it can connect. */
      g_settings_set_boolean (sp_account_get_settings (data->account), "enabled",
                              gtk_switch_get_active (self->enabled_switch));
    }
  else
    {
      SpSource *source;

      write_settings (self, data->account, FALSE);

      /* Settings that did not change would not restart it, but a new secret should. */
      source = sp_account_list_get_source (self->accounts, sp_account_get_id (data->account));
      if (data->secret_changed && source != NULL && sp_account_get_enabled (data->account))
        sp_source_retry_now (source);
    }

  g_task_return_pointer (task, g_object_ref (data->account), g_object_unref);
}

static void
secret_stored_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpAccountEditor *self = g_task_get_source_object (task);
  SaveData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!sp_secret_store_finish (result, &error))
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self), TRUE);
      update_can_save (self, self->valid, FALSE);

      if (data->created)
        {
          /* An account without its secret could only fail: take it back, keep the form. */
          sp_account_list_remove (self->accounts, sp_account_get_id (data->account));
          g_prefix_error (&error, _("Could not keep the secret in the keyring, so the account was not added: "));
        }
      else
        {
          g_prefix_error (&error, _("Could not keep the secret in the keyring, so nothing was changed: "));
        }

      sp_account_test_bar_set_status (self->test_bar, error->message, "error");
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  save_done (self, task);
}

/* Property machinery */

static void
sp_account_editor_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SpAccountEditor *self = SP_ACCOUNT_EDITOR (object);

  switch (prop_id)
    {
    case PROP_ACCOUNTS:
      g_value_set_object (value, self->accounts);
      break;
    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;
    case PROP_CAN_SAVE:
      g_value_set_boolean (value, sp_account_editor_get_can_save (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_account_editor_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  SpAccountEditor *self = SP_ACCOUNT_EDITOR (object);

  switch (prop_id)
    {
    case PROP_ACCOUNTS:
      self->accounts = g_value_dup_object (value);
      break;
    case PROP_ACCOUNT:
      self->account = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_account_editor_constructed (GObject *object)
{
  SpAccountEditor *self = SP_ACCOUNT_EDITOR (object);

  G_OBJECT_CLASS (sp_account_editor_parent_class)->constructed (object);

  if (self->account != NULL)
    {
      self->account_kind = sp_account_dup_kind (self->account);
      fill_from_account (self);
    }

  show_page (self);
  self->ready = TRUE;
  validate (self);
}

static void
sp_account_editor_dispose (GObject *object)
{
  SpAccountEditor *self = (SpAccountEditor *)object;

  g_clear_object (&self->accounts);
  g_clear_object (&self->account);

  gtk_widget_dispose_template (GTK_WIDGET (self), SP_TYPE_ACCOUNT_EDITOR);
  self->page = NULL;
  g_clear_pointer (&self->pages, g_hash_table_unref);

  G_OBJECT_CLASS (sp_account_editor_parent_class)->dispose (object);
}

static void
sp_account_editor_finalize (GObject *object)
{
  SpAccountEditor *self = (SpAccountEditor *)object;

  g_free (self->account_kind);
  g_free (self->pinned_certificate);

  G_OBJECT_CLASS (sp_account_editor_parent_class)->finalize (object);
}

static void
sp_account_editor_class_init (SpAccountEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sp_account_editor_constructed;
  object_class->dispose = sp_account_editor_dispose;
  object_class->finalize = sp_account_editor_finalize;
  object_class->get_property = sp_account_editor_get_property;
  object_class->set_property = sp_account_editor_set_property;

  properties[PROP_ACCOUNTS] =
    g_param_spec_object ("accounts", NULL, NULL, SP_TYPE_ACCOUNT_LIST,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * SpAccountEditor:account:
   *
   * The account the form edits, or %NULL when it adds a new one.
   */
  properties[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL, SP_TYPE_ACCOUNT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * SpAccountEditor:can-save:
   *
   * Whether the form is complete and right, and not being saved: what the container's
   * Save or Add button follows.
   */
  properties[PROP_CAN_SAVE] =
    g_param_spec_boolean ("can-save", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (SP_TYPE_ACCOUNT_TEST_BAR);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/screenpop/Screenpop/sp-account-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, preferences_page);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, connection_group);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, kind_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, name_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, url_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, api_key_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, login_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, password_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, calls_group);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, extensions_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, ring_timeout_spin);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, crm_group);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, template_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, trigger_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, webservice_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, state_group);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, enabled_switch);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, muted_switch);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, test_bar);
  gtk_widget_class_bind_template_callback (widget_class, validate);
  gtk_widget_class_bind_template_callback (widget_class, kind_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, test_cb);
  gtk_widget_class_bind_template_callback (widget_class, trust_certificate_cb);
}

static void
sp_account_editor_init (SpAccountEditor *self)
{
  g_autoptr(GtkStringList) kinds_model = gtk_string_list_new (NULL);
  const SpSourceKind *kinds;
  guint n_kinds;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->pages = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);

  kinds = sp_source_kind_get_all (&n_kinds);
  for (guint i = 0; i < n_kinds; i++)
    gtk_string_list_append (kinds_model, sp_source_kind_get_label (&kinds[i]));
  adw_combo_row_set_model (self->kind_row, G_LIST_MODEL (kinds_model));
}

/**
 * sp_account_editor_new:
 * @accounts: the accounts a new account is added to
 * @account: (nullable): the account to edit, or %NULL for a form that adds one
 *
 * Returns: (transfer floating): a new editor, filled from @account's settings
 */
SpAccountEditor *
sp_account_editor_new (SpAccountList *accounts,
                       SpAccount  *account)
{
  g_return_val_if_fail (SP_IS_ACCOUNT_LIST (accounts), NULL);
  g_return_val_if_fail (!account || SP_IS_ACCOUNT (account), NULL);

  return g_object_new (SP_TYPE_ACCOUNT_EDITOR, "accounts", accounts, "account", account, NULL);
}

/**
 * sp_account_editor_get_account:
 *
 * Returns: (transfer none) (nullable): the edited account, %NULL for a new one
 */
SpAccount *
sp_account_editor_get_account (SpAccountEditor *self)
{
  g_return_val_if_fail (SP_IS_ACCOUNT_EDITOR (self), NULL);
  return self->account;
}

/**
 * sp_account_editor_get_kind:
 *
 * Returns: the account kind the form shows (its id in the registry)
 */
const char *
sp_account_editor_get_kind (SpAccountEditor *self)
{
  const SpSourceKind *kind;

  g_return_val_if_fail (SP_IS_ACCOUNT_EDITOR (self), NULL);

  kind = selected_kind (self);
  return kind != NULL ? kind->id : self->account_kind;
}

/**
 * sp_account_editor_get_page:
 *
 * Returns: (transfer none) (nullable): the page of the kind the form shows, with the
 *   kind's own rows; %NULL for a kind Screenpop does not know
 */
SpAccountPage *
sp_account_editor_get_page (SpAccountEditor *self)
{
  g_return_val_if_fail (SP_IS_ACCOUNT_EDITOR (self), NULL);
  return self->page;
}

gboolean
sp_account_editor_get_can_save (SpAccountEditor *self)
{
  g_return_val_if_fail (SP_IS_ACCOUNT_EDITOR (self), FALSE);
  return self->valid && !self->busy;
}

/**
 * sp_account_editor_save_async:
 *
 * Adds the account, or writes the form into the edited one; a secret typed into the form
 * goes to the keyring first. A new account that needs a secret stays disabled until the
 * keyring has it, and is taken back if the keyring fails; an existing account is left as
 * it was if the keyring fails. The error says so, and is also shown under the form.
 */
void
sp_account_editor_save_async (SpAccountEditor     *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  const SpSourceKind *kind;
  SaveData *data;
  char *secret;

  g_return_if_fail (SP_IS_ACCOUNT_EDITOR (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_account_editor_save_async);
  data = g_new0 (SaveData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) save_data_free);

  if (!validate (self) || self->busy)
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG, "%s",
                               self->busy ? _("The account is being saved.")
                                          : sp_account_test_bar_get_status (self->test_bar));
      return;
    }

  sp_account_test_bar_stop (self->test_bar);
  kind = selected_kind (self);
  secret = dup_form_secret (self);
  data->secret_changed = secret != NULL;

  if (self->account == NULL)
    {
      g_autofree char *name = sp_account_page_dup_row_text (self->name_row);

      data->account = sp_account_list_create (self->accounts, kind->id,
                                          name[0] != '\0' ? name : sp_source_kind_get_label (kind));
      if (data->account == NULL)
        {
          sp_secret_free (secret);
          g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                                   _("The account could not be added."));
          return;
        }
      g_object_ref (data->account);
      data->created = TRUE;

      /* Held back until its secret is in the keyring: it would only fail without it. */
      write_settings (self, data->account, secret != NULL);
    }
  else
    {
      data->account = g_object_ref (self->account);
    }

  if (secret == NULL)
    {
      save_done (self, task);
      return;
    }

  update_can_save (self, self->valid, TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self), FALSE);
  sp_account_test_bar_set_status (self->test_bar, _("Saving the secret in the keyring…"), NULL);

  {
    g_autofree char *display_name = sp_account_dup_display_name (data->account);
    /* Translators: the label of the keyring item, as shown in Passwords and Keys */
    g_autofree char *label = g_strdup_printf (_("Screenpop account “%s”"), display_name);

    sp_secret_store_async (sp_account_get_id (data->account), label, secret, cancellable,
                           secret_stored_cb, g_steal_pointer (&task));
  }
  sp_secret_free (secret);
}

/**
 * sp_account_editor_save_finish:
 *
 * Returns: (transfer full): the saved account, or %NULL with @error set
 */
SpAccount *
sp_account_editor_save_finish (SpAccountEditor  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
