/* sp-add-account-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-add-account-dialog"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "sp-actioncable.h"
#include "sp-add-account-dialog.h"
#include "sp-application.h"
#include "sp-popup-notifier-source.h"
#include "sp-redmine-source.h"
#include "sp-secret.h"
#include "sp-sources.h"
#include "sp-template.h"

/*
 * Adds an account. Every field is checked as it is typed and the problem is said in words
 * under the form; "Test Connection" connects a throw-away copy of the account and reports
 * what happened, so that a wrong address is found before the first call is missed.
 *
 * The fields depend on the kind: a redmine-rt account has a Redmine address, an API key or a
 * login and password, and extra channels, but no extensions and no CRM page (its server
 * sends the URLs). Secrets go to the keyring on "Add" only; the test connection gets them
 * in memory.
 */

#define TEST_TIMEOUT_SECONDS 20

struct _SpAddAccountDialog
{
  AdwWindow       parent_instance;

  SpAccounts     *accounts;
  SpAccount      *test_account;
  guint           test_timeout_id;
  char           *adding_id;     /* the account whose secret is being stored */

  AdwComboRow    *kind_row;
  AdwEntryRow    *name_row;
  AdwEntryRow    *url_row;
  AdwComboRow    *auth_row;
  AdwEntryRow    *api_key_row;
  AdwEntryRow    *login_row;
  AdwEntryRow    *password_row;
  AdwEntryRow    *channels_row;
  AdwEntryRow    *extensions_row;
  GtkWidget      *crm_group;
  AdwEntryRow    *template_row;
  AdwComboRow    *trigger_row;
  GtkWidget      *add_button;
  GtkWidget      *test_button;
  GtkLabel       *status_label;
};

G_DEFINE_FINAL_TYPE (SpAddAccountDialog, sp_add_account_dialog, ADW_TYPE_WINDOW)

static const char *
selected_kind (SpAddAccountDialog *self)
{
  guint n_kinds;
  const SpSourceKind *kinds = sp_sources_get_kinds (&n_kinds);
  guint selected = adw_combo_row_get_selected (self->kind_row);

  return selected < n_kinds ? kinds[selected].kind : NULL;
}

static gboolean
is_redmine (SpAddAccountDialog *self)
{
  return g_strcmp0 (selected_kind (self), "redmine-rt") == 0;
}

/* Whether a redmine account signs in with a login and password rather than an API key. */
static gboolean
uses_password (SpAddAccountDialog *self)
{
  return adw_combo_row_get_selected (self->auth_row) == 1;
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isspace (*p))
        return FALSE;
    }

  return TRUE;
}

static const char *
row_text (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

/* The secret the account needs in the keyring, or NULL for kinds that need none. A key
 * pasted with white space around it is the key; a password is taken as typed. */
static char *
dup_form_secret (SpAddAccountDialog *self)
{
  if (!is_redmine (self))
    return NULL;

  if (uses_password (self))
    return g_strdup (row_text (self->password_row));

  return g_strstrip (g_strdup (row_text (self->api_key_row)));
}

static void
free_secret (char *secret)
{
  if (secret == NULL)
    return;

  memset (secret, 0, strlen (secret));
  g_free (secret);
}

static void
set_status (SpAddAccountDialog *self,
            const char         *text,
            const char         *css_class)
{
  gtk_label_set_text (self->status_label, text ? text : "");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "success");
  if (css_class != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), css_class);
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

static char **
split_extensions (const char *text)
{
  g_auto(GStrv) parts = g_strsplit_set (text, ", ", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }

  return g_strv_builder_end (builder);
}

/* Returns whether the form can be added; says what is wrong otherwise. */
static gboolean
validate (SpAddAccountDialog *self)
{
  const char *kind = selected_kind (self);
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->url_row));
  const char *template_str = gtk_editable_get_text (GTK_EDITABLE (self->template_row));
  gboolean needs_url = g_strcmp0 (kind, "demo") != 0;
  gboolean redmine = is_redmine (self);
  gboolean password = uses_password (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;
  gboolean ok = TRUE;

  gtk_widget_set_visible (GTK_WIDGET (self->url_row), needs_url);
  gtk_widget_set_visible (GTK_WIDGET (self->auth_row), redmine);
  gtk_widget_set_visible (GTK_WIDGET (self->api_key_row), redmine && !password);
  gtk_widget_set_visible (GTK_WIDGET (self->login_row), redmine && password);
  gtk_widget_set_visible (GTK_WIDGET (self->password_row), redmine && password);
  gtk_widget_set_visible (GTK_WIDGET (self->channels_row), redmine);
  /* redmine_rt sends its own URLs and is about no extension. */
  gtk_widget_set_visible (GTK_WIDGET (self->extensions_row), !redmine);
  gtk_widget_set_visible (self->crm_group, !redmine);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->url_row),
                                 redmine ? _("_Redmine Address (https://redmine.example.com)")
                                         : _("_Server Address (ws://host:8990/crmws)"));

  if (needs_url)
    {
      if (redmine)
        {
          g_autoptr(GError) url_error = NULL;

          normalized = sp_actioncable_base_url_normalize (url, &url_error);
          if (normalized == NULL && url[0] != '\0')
            g_set_error (&error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                         _("“%s” is not a Redmine address: %s"), url, url_error->message);
        }
      else
        {
          normalized = sp_popup_notifier_normalize_url (url, &error);
        }

      mark_row (self->url_row, url[0] == '\0' || normalized != NULL);
      if (normalized == NULL)
        ok = FALSE;
    }

  /* Empty credentials are not an error to point at, only not enough to go on. */
  if (redmine)
    {
      if (password)
        ok = ok && row_text (self->login_row)[0] != '\0' && row_text (self->password_row)[0] != '\0';
      else
        ok = ok && !is_blank (row_text (self->api_key_row));
    }

  if (ok && template_str[0] != '\0' && !sp_template_validate (template_str, &error))
    {
      mark_row (self->template_row, FALSE);
      ok = FALSE;
    }
  else if (template_str[0] == '\0' || error == NULL)
    {
      mark_row (self->template_row, TRUE);
    }

  if (!ok && error != NULL && (url[0] != '\0' || !needs_url))
    set_status (self, error->message, "error");
  else
    set_status (self, NULL, NULL);

  gtk_widget_set_sensitive (self->add_button, ok);
  gtk_widget_set_sensitive (self->test_button, ok && needs_url);

  return ok;
}

static void
write_settings (SpAddAccountDialog *self,
                GSettings          *settings)
{
  g_auto(GStrv) extensions =
    split_extensions (gtk_editable_get_text (GTK_EDITABLE (self->extensions_row)));
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));

  if (name[0] != '\0')
    g_settings_set_string (settings, "display-name", name);
  g_settings_set_strv (settings, "extensions", (const char * const *) extensions);
  g_settings_set_string (settings, "url-template",
                         gtk_editable_get_text (GTK_EDITABLE (self->template_row)));
  g_settings_set_enum (settings, "url-trigger", adw_combo_row_get_selected (self->trigger_row));

  if (is_redmine (self))
    {
      g_auto(GStrv) channels = split_extensions (row_text (self->channels_row));
      g_autofree char *base_url = sp_actioncable_base_url_normalize (row_text (self->url_row), NULL);
      GVariantBuilder options;

      g_variant_builder_init (&options, G_VARIANT_TYPE ("a{ss}"));
      g_variant_builder_add (&options, "{ss}", SP_REDMINE_OPTION_AUTH,
                             uses_password (self) ? SP_REDMINE_AUTH_PASSWORD : SP_REDMINE_AUTH_API_KEY);
      g_settings_set_value (settings, "options", g_variant_builder_end (&options));
      g_settings_set_strv (settings, "channels", (const char * const *) channels);
      g_settings_set_string (settings, "login", uses_password (self) ? row_text (self->login_row) : "");
      g_settings_set_string (settings, "url", base_url != NULL ? base_url : row_text (self->url_row));
    }
  else
    {
      g_settings_set_string (settings, "url", row_text (self->url_row));
    }
}

static void
stop_test (SpAddAccountDialog *self)
{
  g_clear_handle_id (&self->test_timeout_id, g_source_remove);
  g_clear_object (&self->test_account);
}

static void
test_state_cb (SpAddAccountDialog *self,
               GParamSpec         *pspec,
               SpSource           *source)
{
  switch (sp_source_get_state (source))
    {
    case SP_SOURCE_STATE_CONNECTED:
      {
        const char *connected = _("Connected: the server answered and Screenpop is listening.");
        const char *detail = sp_source_get_detail (source);
        g_autofree char *status = NULL;

        /* What it listens to, e.g. the channels of a redmine account. */
        status = detail != NULL ? g_strconcat (connected, "\n", detail, NULL) : g_strdup (connected);
        set_status (self, status, "success");
      }
      break;

    case SP_SOURCE_STATE_RECONNECTING:
    case SP_SOURCE_STATE_FAILED:
    case SP_SOURCE_STATE_AUTH_FAILED:
      set_status (self, sp_source_get_error_message (source), "error");
      break;

    case SP_SOURCE_STATE_CONNECTING:
    case SP_SOURCE_STATE_DISCONNECTED:
    default:
      return;
    }

  stop_test (self);
  gtk_widget_set_sensitive (self->test_button, TRUE);
}

static gboolean
test_timeout_cb (gpointer data)
{
  SpAddAccountDialog *self = data;

  self->test_timeout_id = 0;
  set_status (self, _("The server did not answer in time."), "error");
  stop_test (self);
  gtk_widget_set_sensitive (self->test_button, TRUE);

  return G_SOURCE_REMOVE;
}

static void
test_clicked_cb (SpAddAccountDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSource) source = NULL;
  char *secret;

  stop_test (self);

  /* A throw-away account in memory: nothing is saved until "Add". */
  self->test_account = sp_account_new_transient ("connection-test", selected_kind (self), "");
  write_settings (self, sp_account_get_settings (self->test_account));

  source = sp_sources_create (self->test_account, &error);
  if (source == NULL)
    {
      set_status (self, error->message, "error");
      g_clear_object (&self->test_account);
      return;
    }

  /* In memory only: the keyring is for accounts that are added. */
  secret = dup_form_secret (self);
  if (secret != NULL)
    sp_source_set_transient_secret (source, secret);
  free_secret (secret);

  sp_account_set_source (self->test_account, source);
  g_signal_connect_object (source, "notify::state", G_CALLBACK (test_state_cb), self,
                           G_CONNECT_SWAPPED);

  set_status (self, _("Connecting…"), NULL);
  gtk_widget_set_sensitive (self->test_button, FALSE);
  self->test_timeout_id = g_timeout_add_seconds (TEST_TIMEOUT_SECONDS, test_timeout_cb, self);

  sp_source_start (source);
}

static void
secret_stored_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SpAddAccountDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_steal_pointer (&self->adding_id);
  SpAccount *account;

  if (!sp_secret_store_finish (result, &error))
    {
      g_autofree char *message = NULL;

      /* An account without its key could only fail: take it back, keep the form. */
      sp_accounts_remove (self->accounts, id);
      message = g_strdup_printf (_("Could not keep the secret in the keyring, so the account was not added: %s"),
                                 error->message);
      set_status (self, message, "error");
      gtk_widget_set_sensitive (GTK_WIDGET (self), TRUE);
      return;
    }

  /* Now it can connect. */
  account = sp_accounts_lookup (self->accounts, id);
  if (account != NULL)
    g_settings_set_boolean (sp_account_get_settings (account), "enabled", TRUE);

  gtk_window_close (GTK_WINDOW (self));
}

static void
add_clicked_cb (SpAddAccountDialog *self)
{
  const char *kind = selected_kind (self);
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  const char *display_name = name[0] ? name : sp_sources_kind_label (kind);
  char *secret = NULL;
  g_autofree char *label = NULL;
  SpAccount *account;

  if (!validate (self) || self->adding_id != NULL)
    return;

  stop_test (self);

  account = sp_accounts_create (self->accounts, kind, display_name);
  if (account == NULL)
    {
      gtk_window_close (GTK_WINDOW (self));
      return;
    }

  secret = dup_form_secret (self);

  /* Held back until its secret is in the keyring: it would only fail without it. */
  if (secret != NULL)
    g_settings_set_boolean (sp_account_get_settings (account), "enabled", FALSE);

  write_settings (self, sp_account_get_settings (account));

  if (secret == NULL)
    {
      gtk_window_close (GTK_WINDOW (self));
      return;
    }

  /* The dialog stays until the keyring has the secret, so that a failure can be told. */
  /* Translators: the label of the keyring item, as shown in Passwords and Keys */
  label = g_strdup_printf (_("Screenpop account “%s”"), display_name);
  self->adding_id = g_strdup (sp_account_get_id (account));
  gtk_widget_set_sensitive (GTK_WIDGET (self), FALSE);
  set_status (self, _("Saving the secret in the keyring…"), NULL);
  sp_secret_store_async (self->adding_id, label, secret, NULL, secret_stored_cb,
                         g_object_ref (self));
  free_secret (secret);
}

static void
sp_add_account_dialog_dispose (GObject *object)
{
  SpAddAccountDialog *self = (SpAddAccountDialog *)object;

  stop_test (self);
  g_clear_object (&self->accounts);
  g_clear_pointer (&self->adding_id, g_free);

  gtk_widget_dispose_template (GTK_WIDGET (self), SP_TYPE_ADD_ACCOUNT_DIALOG);

  G_OBJECT_CLASS (sp_add_account_dialog_parent_class)->dispose (object);
}

static void
sp_add_account_dialog_class_init (SpAddAccountDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_add_account_dialog_dispose;

  sp_application_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/screenpop/Screenpop/sp-add-account-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SpAddAccountDialog, kind_row);
  gtk_widget_class_bind_template_child (widget_class, SpAddAccountDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, SpAddAccountDialog, url_row);
  gtk_widget_class_bind_template_child (widget_class, SpAddAccountDialog, auth_row);
  gtk_widget_class_bind_template_child (widget_class, SpAddAccountDialog, api_key_row);
  gtk_widget_class_bind_template_child (widget_class, SpAddAccountDialog, login_row);
  gtk_widget_class_bind_template_child (widget_class, SpAddAccountDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, SpAddAccountDialog, channels_row);
  gtk_widget_class_bind_template_child (widget_class, SpAddAccountDialog, crm_group);
  gtk_widget_class_bind_template_child (widget_class, SpAddAccountDialog, extensions_row);
  gtk_widget_class_bind_template_child (widget_class, SpAddAccountDialog, template_row);
  gtk_widget_class_bind_template_child (widget_class, SpAddAccountDialog, trigger_row);
  gtk_widget_class_bind_template_child (widget_class, SpAddAccountDialog, add_button);
  gtk_widget_class_bind_template_child (widget_class, SpAddAccountDialog, test_button);
  gtk_widget_class_bind_template_child (widget_class, SpAddAccountDialog, status_label);
  gtk_widget_class_bind_template_callback (widget_class, validate);
  gtk_widget_class_bind_template_callback (widget_class, add_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, test_clicked_cb);
}

static void
sp_add_account_dialog_init (SpAddAccountDialog *self)
{
  g_autoptr(GtkStringList) kinds_model = gtk_string_list_new (NULL);
  const SpSourceKind *kinds;
  guint n_kinds;

  gtk_widget_init_template (GTK_WIDGET (self));

  kinds = sp_sources_get_kinds (&n_kinds);
  for (guint i = 0; i < n_kinds; i++)
    gtk_string_list_append (kinds_model, _(kinds[i].label));
  adw_combo_row_set_model (self->kind_row, G_LIST_MODEL (kinds_model));

  validate (self);
}

SpAddAccountDialog *
sp_add_account_dialog_new (SpAccounts *accounts)
{
  SpAddAccountDialog *self;

  g_return_val_if_fail (SP_IS_ACCOUNTS (accounts), NULL);

  self = g_object_new (SP_TYPE_ADD_ACCOUNT_DIALOG, NULL);
  self->accounts = g_object_ref (accounts);

  return self;
}
