/* sp-account-editor.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-account-editor"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "sp-account-editor.h"
#include "sp-basix-source.h"
#include "sp-application.h"
#include "sp-pbxis-source.h"
#include "sp-popup-notifier-source.h"
#include "sp-redmine-source.h"
#include "sp-secret.h"
#include "sp-sources.h"
#include "sp-template.h"
#include "sp-xivo-source.h"

/*
 * The one form for an account of any kind, used by "Add Account" (a new account) and by
 * Preferences (an account that exists). It shows the common fields and those of the kind,
 * checks every field as it is typed and says the first problem in words under the form,
 * and "Test Connection" connects a throw-away copy of the form and reports what happened.
 *
 * Secrets (a Redmine API key or password, a Basix API token, a XiVO password) are typed in
 * password rows, given to the test connection in memory, and stored in the keyring only
 * when the form is saved. For an account that exists, an empty secret field keeps the
 * secret in the keyring. Nothing secret is ever written to GSettings or to the log.
 *
 * The container owns the Save (or Add) button and binds it to #SpAccountEditor:can-save.
 */

#define TEST_TIMEOUT_SECONDS 20

struct _SpAccountEditor
{
  AdwBin           parent_instance;

  SpAccounts      *accounts;
  SpAccount       *account;          /* NULL: the form adds a new account */
  char            *account_kind;     /* the kind of @account, which the form does not change */
  char            *stored_auth;      /* the redmine `auth` of @account: a change needs a secret */
  SpAccount       *test_account;
  GCancellable    *test_cancellable; /* the keyring lookup of a test of an existing account */
  guint            test_timeout_id;
  gboolean         ready;            /* constructed: the form may be checked */
  gboolean         valid;
  gboolean         busy;

  AdwPreferencesGroup *connection_group;
  AdwComboRow      *kind_row;
  AdwEntryRow      *name_row;
  AdwEntryRow      *url_row;
  AdwEntryRow      *domain_row;
  AdwComboRow      *auth_row;
  AdwComboRow      *basix_auth_row;
  AdwEntryRow      *api_key_row;
  AdwEntryRow      *login_row;
  AdwEntryRow      *password_row;
  GtkWidget        *options_group;
  AdwComboRow      *user_selector_row;
  AdwEntryRow      *user_row;
  AdwEntryRow      *app_name_row;
  GtkWidget        *full_events_row;
  GtkSwitch        *full_events_switch;
  GtkWidget        *forced_row;
  GtkSwitch        *forced_switch;
  AdwComboRow      *transport_row;
  AdwEntryRow      *queues_row;
  GtkWidget        *remote_answer_row;
  GtkSwitch        *remote_answer_switch;
  AdwEntryRow      *channels_row;
  GtkWidget        *calls_group;
  AdwEntryRow      *extensions_row;
  GtkSpinButton    *ring_timeout_spin;
  GtkWidget        *crm_group;
  AdwEntryRow      *template_row;
  AdwComboRow      *trigger_row;
  AdwEntryRow      *webservice_row;
  GtkSwitch        *enabled_switch;
  GtkSwitch        *muted_switch;
  GtkWidget        *test_button;
  GtkLabel         *status_label;
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

/* The rows of user_selector_row, in order: the Basix user selectors. */
static const char * const user_selectors[] = {
  "user_name", "user_id", "user_label", "user_extension", "user_did", "user_email", NULL
};

/* The rows of transport_row, in order: the pbxis `transport` option. */
static const char * const transports[] = { "websocket", "sse", "long-poll", NULL };

static gboolean validate (SpAccountEditor *self);

/* Form helpers */

static const char *
selected_kind (SpAccountEditor *self)
{
  guint n_kinds;
  const SpSourceKind *kinds = sp_sources_get_kinds (&n_kinds);
  guint selected = adw_combo_row_get_selected (self->kind_row);

  if (self->account_kind != NULL)
    return self->account_kind;

  return selected < n_kinds ? kinds[selected].kind : NULL;
}

static gboolean
kind_is (SpAccountEditor *self,
         const char      *kind)
{
  return g_strcmp0 (selected_kind (self), kind) == 0;
}

/* Whether a redmine account signs in with a login and password rather than an API key. */
static gboolean
uses_password (SpAccountEditor *self)
{
  return kind_is (self, "redmine-rt") && adw_combo_row_get_selected (self->auth_row) == 1;
}

static gboolean
uses_ticket (SpAccountEditor *self)
{
  return kind_is (self, "basix") && adw_combo_row_get_selected (self->basix_auth_row) == 1;
}

static gboolean
needs_secret (SpAccountEditor *self)
{
  return kind_is (self, "redmine-rt") || kind_is (self, "basix") || kind_is (self, "xivo");
}

static const char *
row_text (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static char *
dup_stripped (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (row_text (row)));
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

static gboolean
option_is_true (const char *value)
{
  return value != NULL && (g_ascii_strcasecmp (value, "true") == 0 ||
                           g_str_equal (value, "1") ||
                           g_ascii_strcasecmp (value, "yes") == 0);
}

static char **
split_list (const char *text)
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

/* The secret typed into the form, or NULL when the kind needs none or the field is empty
 * (for an existing account: keep the stored one). A key or token pasted with white space
 * around it is the key; a password is taken as typed. */
static char *
dup_form_secret (SpAccountEditor *self)
{
  char *secret = NULL;

  if (uses_password (self) || kind_is (self, "xivo"))
    secret = g_strdup (row_text (self->password_row));
  else if (kind_is (self, "redmine-rt") || kind_is (self, "basix"))
    secret = dup_stripped (self->api_key_row);

  if (secret != NULL && secret[0] == '\0')
    g_clear_pointer (&secret, g_free);

  return secret;
}

static void
set_status (SpAccountEditor *self,
            const char      *text,
            const char      *css_class)
{
  gtk_label_set_text (self->status_label, text ? text : "");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "dim-label");
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

/* Validation */

/* The server address as the kind's source will take it, or NULL with @error set. */
static char *
normalize_url (const char  *kind,
               const char  *url,
               GError     **error)
{
  if (g_strcmp0 (kind, "redmine-rt") == 0)
    return sp_redmine_source_normalize_url (url, error);
  if (g_strcmp0 (kind, "pbxis") == 0)
    return sp_pbxis_source_normalize_url (url, error);
  if (g_strcmp0 (kind, "xivo") == 0)
    return sp_xivo_source_normalize_url (url, error);
  if (g_strcmp0 (kind, "basix") == 0)
    return sp_basix_source_normalize_url (url, error);

  return sp_popup_notifier_source_normalize_url (url, error);
}

static gboolean
check_webservice_url (const char  *url,
                      GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      (g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") != 0 &&
       g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") != 0))
    {
      g_set_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                   _("“%s” is not a web service address; use http:// or https://"), url);
      return FALSE;
    }

  return TRUE;
}

static void
update_rows (SpAccountEditor *self)
{
  gboolean redmine = kind_is (self, "redmine-rt");
  gboolean basix = kind_is (self, "basix");
  gboolean pbxis = kind_is (self, "pbxis");
  gboolean xivo = kind_is (self, "xivo");
  gboolean password = uses_password (self);
  const char *url_title;

  gtk_widget_set_visible (GTK_WIDGET (self->url_row), !kind_is (self, "demo"));
  gtk_widget_set_visible (GTK_WIDGET (self->domain_row), basix);
  gtk_widget_set_visible (GTK_WIDGET (self->auth_row), redmine);
  gtk_widget_set_visible (GTK_WIDGET (self->basix_auth_row), basix);
  gtk_widget_set_visible (GTK_WIDGET (self->api_key_row), (redmine && !password) || basix);
  gtk_widget_set_visible (GTK_WIDGET (self->login_row), password || xivo);
  gtk_widget_set_visible (GTK_WIDGET (self->password_row), password || xivo);

  gtk_widget_set_visible (self->options_group, redmine || basix || pbxis || xivo);
  gtk_widget_set_visible (GTK_WIDGET (self->user_selector_row), basix);
  gtk_widget_set_visible (GTK_WIDGET (self->user_row), basix);
  gtk_widget_set_visible (GTK_WIDGET (self->app_name_row), basix);
  gtk_widget_set_visible (self->full_events_row, basix);
  gtk_widget_set_visible (self->forced_row, basix);
  gtk_widget_set_visible (GTK_WIDGET (self->transport_row), pbxis);
  gtk_widget_set_visible (GTK_WIDGET (self->queues_row), pbxis);
  gtk_widget_set_visible (self->remote_answer_row, xivo);
  gtk_widget_set_visible (GTK_WIDGET (self->channels_row), redmine);

  /* redmine_rt sends its own URLs and is about no extension. */
  gtk_widget_set_visible (self->calls_group, !redmine);
  gtk_widget_set_visible (GTK_WIDGET (self->extensions_row), !redmine);
  gtk_widget_set_visible (self->crm_group, !redmine);

  if (redmine)
    url_title = _("_Redmine Address (https://redmine.example.com)");
  else if (basix)
    url_title = _("_Server Address (https://bcs.brastel.com)");
  else if (pbxis)
    url_title = _("_Server Address (http://host:58615)");
  else if (xivo)
    url_title = _("_Server Address (https://xivo.example.com)");
  else
    url_title = _("_Server Address (ws://host:8990/crmws)");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->url_row), url_title);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->api_key_row),
                                 basix ? _("API _Token")
                                       : _("API _Key (Redmine: My account → API access key)"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->login_row),
                                 xivo ? _("_Login (the CTI user)") : _("_Login"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->password_row),
                                 xivo ? _("_Password")
                                      : _("_Password (used once to get the API key)"));

  if (self->account != NULL && needs_secret (self))
    adw_preferences_group_set_description (self->connection_group,
                                           _("The token or password is kept in the keyring. Leave its field empty to keep the one stored."));
  else if (needs_secret (self))
    adw_preferences_group_set_description (self->connection_group,
                                           _("The token or password is kept in the keyring, never in the settings."));
  else
    adw_preferences_group_set_description (self->connection_group, NULL);

  gtk_widget_set_sensitive (GTK_WIDGET (self->kind_row), self->account == NULL);
}

/* The server a URL points at, as "scheme://host:port", or the text itself if it is none. */
static char *
dup_server_of (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url ? url : "", G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup (url ? url : "");

  return g_strdup_printf ("%s://%s:%d", g_uri_get_scheme (uri), g_uri_get_host (uri),
                          g_uri_get_port (uri));
}

/* Whether the stored secret would now go to another server or stand for another user:
 * then it is not used, and the form asks for the secret again. */
static gboolean
secret_would_move (SpAccountEditor *self)
{
  GSettings *settings = sp_account_get_settings (self->account);
  g_autofree char *stored_url = g_settings_get_string (settings, "url");
  g_autofree char *stored_login = g_settings_get_string (settings, "login");
  g_autofree char *stored_server = dup_server_of (stored_url);
  g_autofree char *form_url = dup_stripped (self->url_row);
  g_autofree char *form_server = dup_server_of (form_url);
  g_autofree char *form_login = dup_stripped (self->login_row);
  g_autofree char *stored_domain = sp_account_dup_option (self->account, "domain");
  g_autofree char *form_domain = dup_stripped (self->domain_row);

  if (g_strcmp0 (stored_server, form_server) != 0)
    return TRUE;

  if ((uses_password (self) || kind_is (self, "xivo")) && g_strcmp0 (stored_login, form_login) != 0)
    return TRUE;

  return kind_is (self, "basix") && g_strcmp0 (stored_domain ? stored_domain : "", form_domain) != 0;
}

/* Returns whether the form can be saved; says the first thing that is wrong otherwise,
 * in the order of the form. A missing field is told plainly, a wrong one as an error. */
static gboolean
validate (SpAccountEditor *self)
{
  const char *template_str = row_text (self->template_row);
  const char *webservice = row_text (self->webservice_row);
  gboolean redmine = kind_is (self, "redmine-rt");
  gboolean basix = kind_is (self, "basix");
  gboolean xivo = kind_is (self, "xivo");
  gboolean telephony = !redmine;
  /* An existing account keeps its secret unless the secret means something else now. */
  gboolean secret_required = self->account == NULL ||
                             (redmine && g_strcmp0 (self->stored_auth, uses_password (self)
                                                                         ? SP_REDMINE_AUTH_PASSWORD
                                                                         : SP_REDMINE_AUTH_API_KEY) != 0) ||
                             secret_would_move (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;
  g_auto(GStrv) extensions = NULL;
  const char *missing = NULL;
  gboolean ok;

  if (!self->ready)
    return FALSE;

  update_rows (self);

  mark_row (self->url_row, TRUE);
  mark_row (self->template_row, TRUE);
  mark_row (self->webservice_row, TRUE);

  if (!kind_is (self, "demo"))
    {
      g_autofree char *stripped = dup_stripped (self->url_row);

      if (stripped[0] == '\0')
        missing = _("Enter the server address.");
      else if ((normalized = normalize_url (selected_kind (self), stripped, &error)) == NULL)
        mark_row (self->url_row, FALSE);
    }

  if (error == NULL && missing == NULL && basix && is_blank (row_text (self->domain_row)))
    missing = _("Enter the Basix domain that the API token belongs to.");

  if (error == NULL && missing == NULL)
    {
      if (uses_password (self) || xivo)
        {
          if (is_blank (row_text (self->login_row)))
            missing = xivo ? _("Enter the XiVO login (the CTI user).") : _("Enter the Redmine login.");
          else if (secret_required && row_text (self->password_row)[0] == '\0')
            missing = _("Enter the password.");
        }
      else if (redmine && secret_required && is_blank (row_text (self->api_key_row)))
        {
          missing = _("Enter the API key.");
        }
      else if (basix && secret_required && is_blank (row_text (self->api_key_row)))
        {
          missing = _("Enter the API token.");
        }
    }

  if (error == NULL && missing == NULL && uses_ticket (self) &&
      gtk_switch_get_active (self->full_events_switch))
    g_set_error_literal (&error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                         _("Basix tickets do not allow the whole PBX’s events; turn off “Full Events” or connect with the API token"));

  extensions = split_list (row_text (self->extensions_row));
  if (error == NULL && missing == NULL && kind_is (self, "pbxis") && extensions[0] == NULL)
    missing = _("Enter the agent’s extension: pbxis-ws only reports the calls of the extensions it is asked about.");

  if (error == NULL && missing == NULL && telephony && template_str[0] != '\0' &&
      !sp_template_validate (template_str, &error))
    mark_row (self->template_row, FALSE);

  if (error == NULL && missing == NULL && telephony && !is_blank (webservice))
    {
      g_autofree char *stripped = g_strstrip (g_strdup (webservice));

      if (!check_webservice_url (stripped, &error))
        mark_row (self->webservice_row, FALSE);
    }

  ok = error == NULL && missing == NULL;

  if (error != NULL)
    set_status (self, error->message, "error");
  else if (missing != NULL)
    set_status (self, missing, "dim-label");
  else
    set_status (self, NULL, NULL);

  gtk_widget_set_sensitive (self->test_button, ok && !kind_is (self, "demo"));
  update_can_save (self, ok, self->busy);

  return ok;
}

/* Writing the form */

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

static void
set_option (GHashTable *options,
            const char *key,
            const char *value)
{
  if (value == NULL || value[0] == '\0')
    g_hash_table_remove (options, key);
  else
    g_hash_table_insert (options, g_strdup (key), g_strdup (value));
}

static int
compare_keys (const void *a,
              const void *b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The options of the edited account with the ones this form knows replaced, so that an
 * option set by an administrator or by the source itself survives an edit. */
static GVariant *
build_options (SpAccountEditor *self)
{
  g_autoptr(GHashTable) options = dup_options (self->account);
  g_autofree const char **keys = NULL;
  GVariantBuilder builder;
  guint n_keys;

  if (kind_is (self, "redmine-rt"))
    {
      set_option (options, SP_REDMINE_OPTION_AUTH,
                  uses_password (self) ? SP_REDMINE_AUTH_PASSWORD : SP_REDMINE_AUTH_API_KEY);
    }
  else if (kind_is (self, "basix"))
    {
      g_autofree char *domain = dup_stripped (self->domain_row);
      g_autofree char *user = dup_stripped (self->user_row);
      g_autofree char *app_name = dup_stripped (self->app_name_row);
      guint selector = adw_combo_row_get_selected (self->user_selector_row);

      set_option (options, "domain", domain);
      set_option (options, "auth", uses_ticket (self) ? "ticket" : NULL);
      /* One way to say the user: a direct `user_extension=201` would be ambiguous beside it. */
      for (guint i = 0; user_selectors[i] != NULL; i++)
        set_option (options, user_selectors[i], NULL);
      set_option (options, "user_selector",
                  selector < g_strv_length ((char **) user_selectors) ? user_selectors[selector] : NULL);
      set_option (options, "user", user);
      set_option (options, "app_name", app_name);
      set_option (options, "full_events",
                  gtk_switch_get_active (self->full_events_switch) ? "true" : NULL);
      set_option (options, "force", NULL);
      set_option (options, "forced", gtk_switch_get_active (self->forced_switch) ? "true" : NULL);
    }
  else if (kind_is (self, "pbxis"))
    {
      g_auto(GStrv) queues = split_list (row_text (self->queues_row));
      g_autofree char *joined = g_strjoinv (",", queues);
      guint transport = adw_combo_row_get_selected (self->transport_row);

      set_option (options, "transport",
                  transport < g_strv_length ((char **) transports) ? transports[transport] : NULL);
      set_option (options, "queues", joined);
    }
  else if (kind_is (self, "xivo"))
    {
      set_option (options, "remote-answer",
                  gtk_switch_get_active (self->remote_answer_switch) ? NULL : "false");
    }

  keys = (const char **) g_hash_table_get_keys_as_array (options, &n_keys);
  qsort (keys, n_keys, sizeof (char *), compare_keys);
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  for (guint i = 0; i < n_keys; i++)
    g_variant_builder_add (&builder, "{ss}", keys[i], (const char *) g_hash_table_lookup (options, keys[i]));

  return g_variant_builder_end (&builder);
}

/* Writes the form into @account's settings at once, so that its source restarts once.
 * @hold_back: leave the account disabled (its secret is not in the keyring yet). */
static void
write_settings (SpAccountEditor *self,
                SpAccount       *account,
                gboolean         hold_back)
{
  GSettings *shared = sp_account_get_settings (account);
  g_autoptr(GSettingsBackend) backend = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *name = dup_stripped (self->name_row);
  g_autofree char *url = dup_stripped (self->url_row);
  const char *kind = selected_kind (self);

  /* A settings object of our own in delay-apply mode: the account's is shared, and
   * delay-apply can never be turned off again. */
  g_object_get (shared, "backend", &backend, "path", &path, NULL);
  g_object_get (shared, "settings-schema", &schema, NULL);
  settings = g_settings_new_full (schema, backend, path);
  g_settings_delay (settings);

  g_settings_set_string (settings, "display-name", name[0] != '\0' ? name : sp_sources_kind_label (kind));

  if (!kind_is (self, "demo"))
    {
      g_autofree char *normalized = NULL;

      /* redmine keeps the normalized base: the source builds every API path from it. */
      if (kind_is (self, "redmine-rt"))
        normalized = sp_redmine_source_normalize_url (url, NULL);
      g_settings_set_string (settings, "url", normalized != NULL ? normalized : url);
    }

  if (kind_is (self, "redmine-rt"))
    {
      g_auto(GStrv) channels = split_list (row_text (self->channels_row));
      g_autofree char *login = dup_stripped (self->login_row);

      g_settings_set_strv (settings, "channels", (const char * const *) channels);
      g_settings_set_string (settings, "login", uses_password (self) ? login : "");
    }
  else
    {
      g_auto(GStrv) extensions = split_list (row_text (self->extensions_row));
      g_autofree char *webservice = dup_stripped (self->webservice_row);

      if (kind_is (self, "xivo"))
        {
          g_autofree char *login = dup_stripped (self->login_row);

          g_settings_set_string (settings, "login", login);
        }

      g_settings_set_strv (settings, "extensions", (const char * const *) extensions);
      g_settings_set_uint (settings, "ring-timeout",
                           (guint) gtk_spin_button_get_value_as_int (self->ring_timeout_spin));
      g_settings_set_string (settings, "url-template", row_text (self->template_row));
      g_settings_set_enum (settings, "url-trigger", adw_combo_row_get_selected (self->trigger_row));
      g_settings_set_string (settings, "webservice-url", webservice);
    }

  g_settings_set_value (settings, "options", build_options (self));
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

static guint
index_of (const char * const *strv,
          const char         *value)
{
  for (guint i = 0; strv[i] != NULL; i++)
    {
      if (g_strcmp0 (strv[i], value) == 0)
        return i;
    }

  return 0;
}

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
  g_auto(GStrv) channels = g_settings_get_strv (settings, "channels");
  g_autofree char *extensions_text = g_strjoinv (", ", extensions);
  g_autofree char *channels_text = g_strjoinv (", ", channels);
  g_autoptr(GHashTable) options = dup_options (account);
  const char *selector = g_hash_table_lookup (options, "user_selector");
  const char *user = g_hash_table_lookup (options, "user");
  const char *queues = g_hash_table_lookup (options, "queues");
  SpPbxisTransport transport = SP_PBXIS_TRANSPORT_WEBSOCKET;
  guint n_kinds;
  const SpSourceKind *kinds = sp_sources_get_kinds (&n_kinds);

  for (guint i = 0; i < n_kinds; i++)
    {
      if (g_strcmp0 (kinds[i].kind, self->account_kind) == 0)
        adw_combo_row_set_selected (self->kind_row, i);
    }

  set_row_text (self->name_row, name);
  set_row_text (self->url_row, url);
  set_row_text (self->login_row, login);
  set_row_text (self->extensions_row, extensions_text);
  set_row_text (self->channels_row, channels_text);
  set_row_text (self->template_row, template_str);
  set_row_text (self->webservice_row, webservice);
  adw_combo_row_set_selected (self->trigger_row, sp_account_get_url_trigger (account));
  gtk_spin_button_set_value (self->ring_timeout_spin, sp_account_get_ring_timeout (account));
  gtk_switch_set_active (self->enabled_switch, sp_account_get_enabled (account));
  gtk_switch_set_active (self->muted_switch, sp_account_get_muted (account));

  /* redmine: what the keyring item holds */
  self->stored_auth = g_strdup (g_strcmp0 (g_hash_table_lookup (options, SP_REDMINE_OPTION_AUTH),
                                           SP_REDMINE_AUTH_PASSWORD) == 0
                                ? SP_REDMINE_AUTH_PASSWORD : SP_REDMINE_AUTH_API_KEY);
  adw_combo_row_set_selected (self->auth_row, g_str_equal (self->stored_auth, SP_REDMINE_AUTH_PASSWORD));

  /* basix; a selector given directly (user_extension=201) shows as the selector and value */
  set_row_text (self->domain_row, g_hash_table_lookup (options, "domain"));
  adw_combo_row_set_selected (self->basix_auth_row,
                              g_strcmp0 (g_hash_table_lookup (options, "auth"), "ticket") == 0);
  if (selector == NULL || selector[0] == '\0')
    {
      for (guint i = 0; user_selectors[i] != NULL; i++)
        {
          const char *direct = g_hash_table_lookup (options, user_selectors[i]);

          if (direct != NULL && direct[0] != '\0')
            {
              selector = user_selectors[i];
              user = direct;
              break;
            }
        }
    }
  adw_combo_row_set_selected (self->user_selector_row, index_of (user_selectors, selector));
  set_row_text (self->user_row, user);
  set_row_text (self->app_name_row, g_hash_table_lookup (options, "app_name"));
  gtk_switch_set_active (self->full_events_switch,
                         option_is_true (g_hash_table_lookup (options, "full_events")));
  gtk_switch_set_active (self->forced_switch,
                         option_is_true (g_hash_table_lookup (options, "forced")) ||
                         option_is_true (g_hash_table_lookup (options, "force")));

  /* pbxis */
  if (!sp_pbxis_parse_transport (g_hash_table_lookup (options, "transport"), &transport))
    transport = SP_PBXIS_TRANSPORT_WEBSOCKET;
  adw_combo_row_set_selected (self->transport_row, transport);
  if (queues != NULL)
    {
      g_auto(GStrv) parts = split_list (queues);
      g_autofree char *text = g_strjoinv (", ", parts);

      set_row_text (self->queues_row, text);
    }

  /* xivo */
  gtk_switch_set_active (self->remote_answer_switch,
                         g_strcmp0 (g_hash_table_lookup (options, "remote-answer"), "false") != 0);
}

/* Test Connection */

static void
stop_test (SpAccountEditor *self)
{
  g_cancellable_cancel (self->test_cancellable);
  g_clear_object (&self->test_cancellable);
  g_clear_handle_id (&self->test_timeout_id, g_source_remove);
  g_clear_object (&self->test_account);
}

static void
test_done (SpAccountEditor *self,
           const char      *text,
           const char      *css_class)
{
  set_status (self, text, css_class);
  stop_test (self);
  gtk_widget_set_sensitive (self->test_button, self->valid);
}

static void
test_state_cb (SpAccountEditor *self,
               GParamSpec      *pspec,
               SpSource        *source)
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
        test_done (self, status, "success");
      }
      break;

    case SP_SOURCE_STATE_RECONNECTING:
    case SP_SOURCE_STATE_FAILED:
    case SP_SOURCE_STATE_AUTH_FAILED:
      {
        const char *message = sp_source_get_error_message (source);

        test_done (self, message != NULL ? message : _("The connection failed."), "error");
      }
      break;

    case SP_SOURCE_STATE_CONNECTING:
    case SP_SOURCE_STATE_DISCONNECTED:
    default:
      break;
    }
}

static gboolean
test_timeout_cb (gpointer data)
{
  SpAccountEditor *self = data;

  self->test_timeout_id = 0;
  test_done (self, _("The server did not answer in time."), "error");

  return G_SOURCE_REMOVE;
}

static void
start_test_source (SpAccountEditor *self,
                   const char      *secret)
{
  SpSource *source = sp_account_get_source (self->test_account);

  /* In memory only: the keyring is for accounts that are saved. */
  if (secret != NULL)
    sp_source_set_transient_secret (source, secret);

  g_signal_connect_object (source, "notify::state", G_CALLBACK (test_state_cb), self,
                           G_CONNECT_SWAPPED);
  sp_source_start (source);
}

static void
test_secret_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SpAccountEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  char *secret = sp_secret_lookup_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->test_account == NULL)
    {
      sp_secret_free (secret);
      return;
    }

  if (error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not read the secret from the keyring: %s"),
                                                  error->message);

      test_done (self, message, "error");
      return;
    }

  /* No stored secret: the source says what is missing. */
  start_test_source (self, secret);
  sp_secret_free (secret);
}

static void
test_clicked_cb (SpAccountEditor *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSource) source = NULL;
  char *secret;

  stop_test (self);
  if (!validate (self))
    return;

  /* A throw-away account in memory: nothing is saved until "Save". */
  self->test_account = sp_account_new_transient ("connection-test", selected_kind (self), "");
  write_settings (self, self->test_account, FALSE);

  source = sp_sources_create (self->test_account, &error);
  if (source == NULL)
    {
      test_done (self, error->message, "error");
      return;
    }
  sp_account_set_source (self->test_account, source);

  set_status (self, _("Connecting…"), NULL);
  gtk_widget_set_sensitive (self->test_button, FALSE);
  self->test_timeout_id = g_timeout_add_seconds (TEST_TIMEOUT_SECONDS, test_timeout_cb, self);

  secret = dup_form_secret (self);
  if (secret == NULL && self->account != NULL && needs_secret (self))
    {
      /* Left empty: test with the secret the account has in the keyring. */
      self->test_cancellable = g_cancellable_new ();
      sp_secret_lookup_async (sp_account_get_id (self->account), self->test_cancellable,
                              test_secret_cb, g_object_ref (self));
      return;
    }

  start_test_source (self, secret);
  sp_secret_free (secret);
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
      source = sp_account_get_source (data->account);
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
          sp_accounts_remove (self->accounts, sp_account_get_id (data->account));
          g_prefix_error (&error, _("Could not keep the secret in the keyring, so the account was not added: "));
        }
      else
        {
          g_prefix_error (&error, _("Could not keep the secret in the keyring, so nothing was changed: "));
        }

      set_status (self, error->message, "error");
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

  self->ready = TRUE;
  validate (self);
}

static void
sp_account_editor_dispose (GObject *object)
{
  SpAccountEditor *self = (SpAccountEditor *)object;

  stop_test (self);
  g_clear_object (&self->accounts);
  g_clear_object (&self->account);

  gtk_widget_dispose_template (GTK_WIDGET (self), SP_TYPE_ACCOUNT_EDITOR);

  G_OBJECT_CLASS (sp_account_editor_parent_class)->dispose (object);
}

static void
sp_account_editor_finalize (GObject *object)
{
  SpAccountEditor *self = (SpAccountEditor *)object;

  g_free (self->account_kind);
  g_free (self->stored_auth);

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
    g_param_spec_object ("accounts", NULL, NULL, SP_TYPE_ACCOUNTS,
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

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/screenpop/Screenpop/sp-account-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, connection_group);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, kind_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, name_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, url_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, domain_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, auth_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, basix_auth_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, api_key_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, login_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, password_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, options_group);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, user_selector_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, user_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, app_name_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, full_events_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, full_events_switch);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, forced_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, forced_switch);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, transport_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, queues_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, remote_answer_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, remote_answer_switch);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, channels_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, calls_group);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, extensions_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, ring_timeout_spin);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, crm_group);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, template_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, trigger_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, webservice_row);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, enabled_switch);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, muted_switch);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, test_button);
  gtk_widget_class_bind_template_child (widget_class, SpAccountEditor, status_label);
  gtk_widget_class_bind_template_callback (widget_class, validate);
  gtk_widget_class_bind_template_callback (widget_class, test_clicked_cb);
}

static void
sp_account_editor_init (SpAccountEditor *self)
{
  g_autoptr(GtkStringList) kinds_model = gtk_string_list_new (NULL);
  const SpSourceKind *kinds;
  guint n_kinds;

  gtk_widget_init_template (GTK_WIDGET (self));

  kinds = sp_sources_get_kinds (&n_kinds);
  for (guint i = 0; i < n_kinds; i++)
    gtk_string_list_append (kinds_model, _(kinds[i].label));
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
sp_account_editor_new (SpAccounts *accounts,
                       SpAccount  *account)
{
  g_return_val_if_fail (SP_IS_ACCOUNTS (accounts), NULL);
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
 * Returns: the account kind the form shows (`basix`, `xivo` …)
 */
const char *
sp_account_editor_get_kind (SpAccountEditor *self)
{
  g_return_val_if_fail (SP_IS_ACCOUNT_EDITOR (self), NULL);
  return selected_kind (self);
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
  const char *kind;
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
                                          : gtk_label_get_text (self->status_label));
      return;
    }

  stop_test (self);
  kind = selected_kind (self);
  secret = dup_form_secret (self);
  data->secret_changed = secret != NULL;

  if (self->account == NULL)
    {
      g_autofree char *name = dup_stripped (self->name_row);

      data->account = sp_accounts_create (self->accounts, kind,
                                          name[0] != '\0' ? name : sp_sources_kind_label (kind));
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
  set_status (self, _("Saving the secret in the keyring…"), NULL);

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
