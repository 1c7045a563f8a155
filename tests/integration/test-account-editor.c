/* test-account-editor.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The account editor as a person uses it, through its widgets: the fields of each kind,
 * the problem said under the form with Save disabled, Test Connection against a local
 * popup-notifier server and against a closed port, Add from the dialog and Save from
 * Preferences into GSettings, and the secret into a real gnome-keyring-daemon and never
 * into GSettings.
 */

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <libsecret/secret.h>

#include "sp-account-editor.h"
#include "sp-add-account-dialog.h"
#include "sp-preferences-window.h"
#include "sp-secret.h"
#include "sp-source-kind.h"
#include "sp-test-engine.h"
#include "sp-test-editor.h"
#include "sp-test-notify.h"
#include "sp-test-popup-server.h"
#include "sp-test-keyring.h"
#include "sp-test-util.h"
#include "sp-test-xuc-server.h"

#define WAIT_MS 15000

static SpTestNotify *notify;
static SpTestKeyring *keyring;
static GSettings *settings;
static SpEngine *engine;
static SpAccountList *accounts;

/* A row of the form, or of the kind's page it shows. */
static gpointer
child (SpAccountEditor *editor,
       const char      *name)
{
  return sp_test_editor_child (editor, name);
}

static void
set_text (SpAccountEditor *editor,
          const char      *row,
          const char      *text)
{
  gtk_editable_set_text (GTK_EDITABLE (child (editor, row)), text);
}

static const char *
get_text (SpAccountEditor *editor,
          const char      *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (child (editor, row)));
}

static const char *
status (SpAccountEditor *editor)
{
  return gtk_label_get_text (child (editor, "status_label"));
}

static gboolean
shown (SpAccountEditor *editor,
       const char      *name)
{
  return sp_test_editor_shown (editor, name);
}

/* The kind's page: its options, where it has any. */
static gboolean
page_shown (SpAccountEditor *editor)
{
  return gtk_widget_get_visible (GTK_WIDGET (sp_account_editor_get_page (editor)));
}

static gboolean
can_save (SpAccountEditor *editor)
{
  return sp_account_editor_get_can_save (editor);
}

static void
select_kind (SpAccountEditor *editor,
             const char      *kind)
{
  sp_test_editor_select_kind (editor, kind);
}

/* No key of the account's settings holds @secret, whatever its type. */
static void
assert_not_in_settings (SpAccount  *account,
                        const char *secret)
{
  GSettings *account_settings = sp_account_get_settings (account);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (account_settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_settings_get_value (account_settings, keys[i]);
      g_autofree char *text = g_variant_print (value, FALSE);

      if (strstr (text, secret) != NULL)
        g_error ("The secret is in the account's key “%s”: %s", keys[i], text);
    }
}

static SpAccountEditor *
new_editor (SpAccount *account)
{
  SpAccountEditor *editor = g_object_ref_sink (sp_account_editor_new (accounts, account));
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (editor));
  gtk_window_present (GTK_WINDOW (window));

  return editor;
}

static void
free_editor (SpAccountEditor *editor)
{
  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (editor))));
  g_assert_finalize_object (editor);
}

/* The titles of every row under @widget hold no hint ("empty: …", "comma-separated", "e.g.",
 * a parenthesised explanation): hints are help text beside the row, so that a title is not
 * cut at 360 px. A parenthesised example address or unit stays. */
static void
assert_short_titles (GtkWidget *widget)
{
  static const char * const hints[] = { "empty:", "comma-separated", "e.g.", "(the ", "(whose " };

  if (ADW_IS_PREFERENCES_ROW (widget) && gtk_widget_get_visible (widget))
    {
      const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget));
      g_autofree char *shown = g_strdup (title ? title : "");

      for (guint i = 0; i < G_N_ELEMENTS (hints); i++)
        if (title != NULL && strstr (title, hints[i]) != NULL)
          g_error ("The row “%s” has a hint in its title", title);

      g_test_message ("row: %s", title ? title : "");
      /* Counted as shown: the mnemonic's underline is no character. */
      g_strdelimit (shown, "_", ' ');
      g_assert_cmpuint (g_utf8_strlen (shown, -1) - (strchr (title ? title : "", '_') ? 1 : 0), <=, 40);
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    assert_short_titles (child);
}

static void
test_editor_short_titles (void)
{
  SpAccountEditor *editor = new_editor (NULL);
  guint n_kinds;
  const SpSourceKind *kinds = sp_source_kind_get_all (&n_kinds);

  for (guint i = 0; i < n_kinds; i++)
    {
      g_test_message ("kind %s", kinds[i].id);
      select_kind (editor, kinds[i].id);
      assert_short_titles (GTK_WIDGET (editor));
    }

  free_editor (editor);
}

/* Each kind shows its own fields */

static void
test_editor_kinds (void)
{
  SpAccountEditor *editor = new_editor (NULL);

  select_kind (editor, "basix");
  g_assert_true (page_shown (editor));
  g_assert_true (shown (editor, "url_row"));
  g_assert_true (shown (editor, "domain_row"));
  g_assert_true (shown (editor, "auth_row"));
  g_assert_true (shown (editor, "api_key_row"));
  g_assert_true (shown (editor, "user_selector_row"));
  g_assert_true (shown (editor, "user_row"));
  g_assert_true (shown (editor, "app_name_row"));
  g_assert_true (shown (editor, "full_events_row"));
  g_assert_true (shown (editor, "forced_row"));
  g_assert_true (shown (editor, "webservice_row"));
  g_assert_false (shown (editor, "login_row"));
  g_assert_false (shown (editor, "password_row"));
  g_assert_false (shown (editor, "transport_row"));
  g_assert_false (shown (editor, "channels_row"));

  select_kind (editor, "pbxis");
  g_assert_true (shown (editor, "transport_row"));
  g_assert_true (shown (editor, "queues_row"));
  g_assert_true (shown (editor, "extensions_row"));
  g_assert_false (shown (editor, "domain_row"));
  g_assert_false (shown (editor, "api_key_row"));
  g_assert_false (shown (editor, "password_row"));

  select_kind (editor, "xivo");
  g_assert_true (shown (editor, "login_row"));
  g_assert_true (shown (editor, "password_row"));
  g_assert_true (shown (editor, "remote_answer_row"));
  g_assert_true (shown (editor, "login_url_row"));
  g_assert_true (shown (editor, "crm_group"));
  g_assert_false (shown (editor, "api_key_row"));
  g_assert_false (shown (editor, "queues_row"));

  select_kind (editor, "redmine-rt");
  g_assert_true (shown (editor, "auth_row"));
  g_assert_true (shown (editor, "api_key_row"));
  g_assert_true (shown (editor, "channels_row"));
  g_assert_false (shown (editor, "extensions_row"));
  g_assert_false (shown (editor, "crm_group"));
  g_assert_false (shown (editor, "remote_answer_row"));
  adw_combo_row_set_selected (child (editor, "auth_row"), 1);
  g_assert_true (shown (editor, "login_row"));
  g_assert_true (shown (editor, "password_row"));
  g_assert_false (shown (editor, "api_key_row"));

  select_kind (editor, "popup-notifier");
  g_assert_true (shown (editor, "url_row"));
  g_assert_true (shown (editor, "extensions_row"));
  g_assert_false (page_shown (editor));
  g_assert_false (shown (editor, "login_row"));

  /* The demo needs nothing, and has nothing to test. */
  select_kind (editor, "demo");
  g_assert_false (shown (editor, "url_row"));
  g_assert_true (can_save (editor));
  g_assert_false (gtk_widget_get_sensitive (child (editor, "test_button")));

  free_editor (editor);
}

/* A wrong or missing value is told, and Save waits */

static void
test_editor_validation (void)
{
  SpAccountEditor *editor = new_editor (NULL);

  select_kind (editor, "basix");
  g_assert_false (can_save (editor));
  g_assert_cmpstr (status (editor), ==, "Enter the server address.");

  set_text (editor, "url_row", "https://bcs.example.com");
  set_text (editor, "api_key_row", "t-0123");
  g_assert_false (can_save (editor));
  g_assert_cmpstr (status (editor), ==, "Enter the Basix domain that the API token belongs to.");
  g_assert_false (gtk_widget_get_sensitive (child (editor, "test_button")));

  set_text (editor, "domain_row", "acme");
  g_assert_true (can_save (editor));
  g_assert_cmpstr (status (editor), ==, "");
  g_assert_true (gtk_widget_get_sensitive (child (editor, "test_button")));

  /* A ticket cannot carry the whole PBX's events. */
  gtk_switch_set_active (child (editor, "full_events_switch"), TRUE);
  adw_combo_row_set_selected (child (editor, "auth_row"), 1);
  g_assert_false (can_save (editor));
  g_assert_true (g_str_has_prefix (status (editor), "Basix tickets do not allow"));
  adw_combo_row_set_selected (child (editor, "auth_row"), 0);
  g_assert_true (can_save (editor));

  set_text (editor, "url_row", "ftp://bcs.example.com");
  g_assert_false (can_save (editor));
  g_assert_cmpstr (status (editor), ==, "“ftp://bcs.example.com” is not a web address; use https:// or wss://");
  g_assert_true (gtk_widget_has_css_class (child (editor, "url_row"), "error"));
  set_text (editor, "url_row", "https://bcs.example.com");
  g_assert_false (gtk_widget_has_css_class (child (editor, "url_row"), "error"));

  set_text (editor, "template_row", "https://crm.example.com/?q={nope}");
  g_assert_false (can_save (editor));
  g_assert_true (gtk_widget_has_css_class (child (editor, "template_row"), "error"));
  set_text (editor, "template_row", "https://crm.example.com/?q={number}");
  g_assert_true (can_save (editor));

  set_text (editor, "webservice_row", "crm.example.com/hook");
  g_assert_false (can_save (editor));
  g_assert_true (g_str_has_suffix (status (editor), "use http:// or https://"));
  set_text (editor, "webservice_row", "https://crm.example.com/hook");
  g_assert_true (can_save (editor));

  select_kind (editor, "popup-notifier");
  set_text (editor, "url_row", "not a url");
  g_assert_false (can_save (editor));
  g_assert_cmpstr (status (editor), !=, "");
  g_assert_true (gtk_widget_has_css_class (child (editor, "url_row"), "error"));

  /* pbxis-ws only reports the extensions it is asked about. */
  select_kind (editor, "pbxis");
  set_text (editor, "url_row", "http://127.0.0.1:58615");
  g_assert_false (can_save (editor));
  g_assert_true (g_str_has_prefix (status (editor), "Enter the agent’s extension"));
  set_text (editor, "extensions_row", "201");
  g_assert_true (can_save (editor));

  select_kind (editor, "xivo");
  set_text (editor, "url_row", "https://xivo.example.com");
  g_assert_cmpstr (status (editor), ==, "Enter the XiVO login (the CTI user).");
  set_text (editor, "login_row", "alice");
  g_assert_cmpstr (status (editor), ==, "Enter the password.");
  g_assert_false (can_save (editor));
  set_text (editor, "password_row", "pw");
  g_assert_true (can_save (editor));

  free_editor (editor);
}

/* Test Connection */

static gboolean
status_settled (gpointer data)
{
  SpAccountEditor *editor = data;

  return gtk_widget_get_sensitive (child (editor, "test_button")) &&
         !g_str_equal (status (editor), "Connecting…");
}

static void
click_test (SpAccountEditor *editor)
{
  g_assert_true (gtk_widget_get_sensitive (child (editor, "test_button")));
  g_signal_emit_by_name (child (editor, "test_button"), "clicked");
  g_assert_cmpstr (status (editor), ==, "Connecting…");
  if (!sp_test_wait_until (status_settled, editor, WAIT_MS))
    g_error ("Test Connection never ended; it says “%s”", status (editor));
}

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* (transfer none) */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window))
        return ADW_MESSAGE_DIALOG (window);
    }

  return NULL;
}

/* A self-signed server: the test says so in words and offers to trust exactly that
 * certificate; once the user confirms its fingerprint, the account connects. */
static void
test_editor_untrusted_certificate (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(SpTestPopupServer) server = NULL;
  g_autofree char *dir = g_dir_make_tmp ("screenpop-tls-XXXXXX", &error);
  g_autofree char *fingerprint = NULL;
  g_autofree char *url = NULL;
  AdwMessageDialog *dialog;
  SpAccountEditor *editor;

  g_assert_no_error (error);
  certificate = sp_test_make_self_signed (dir, &fingerprint);
  if (certificate == NULL)
    {
      sp_test_remove_tree (dir);
      return;
    }
  server = sp_test_popup_server_new_full ("127.0.0.1", 0, certificate, &error);
  g_assert_no_error (error);
  url = sp_test_popup_server_dup_ws_url (server);

  editor = new_editor (NULL);
  select_kind (editor, "popup-notifier");
  set_text (editor, "url_row", url);
  set_text (editor, "extensions_row", "201");
  g_assert_false (gtk_widget_get_visible (child (editor, "trust_button")));
  click_test (editor);
  g_test_message ("%s", status (editor));
  g_assert_nonnull (strstr (status (editor), "not trusted (self-signed or from an unknown authority)"));
  g_assert_true (gtk_widget_get_visible (child (editor, "trust_button")));
  g_assert_cmpuint (sp_test_popup_server_get_n_handshakes (server), ==, 0);

  /* The dialog shows the fingerprint; Cancel trusts nothing. */
  g_signal_emit_by_name (child (editor, "trust_button"), "clicked");
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), fingerprint));
  adw_message_dialog_response (dialog, "cancel");
  g_assert_true (gtk_widget_get_visible (child (editor, "trust_button")));

  /* Trust: the test runs again, with the certificate pinned, and connects. */
  g_signal_emit_by_name (child (editor, "trust_button"), "clicked");
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "trust");
  if (!sp_test_wait_until (status_settled, editor, WAIT_MS))
    g_error ("Test Connection never ended; it says “%s”", status (editor));
  g_assert_true (g_str_has_prefix (status (editor), "Connected"));
  g_assert_false (gtk_widget_get_visible (child (editor, "trust_button")));

  free_editor (editor);
  sp_test_remove_tree (dir);
}

static void
test_editor_test_connection (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpTestPopupServer) server = sp_test_popup_server_new (0, &error);
  g_autofree char *url = NULL;
  g_autofree char *closed = NULL;
  SpAccountEditor *editor;

  g_assert_no_error (error);
  url = sp_test_popup_server_dup_ws_url (server);

  editor = new_editor (NULL);
  select_kind (editor, "popup-notifier");
  set_text (editor, "url_row", url);
  set_text (editor, "extensions_row", "201");
  click_test (editor);
  g_assert_true (g_str_has_prefix (status (editor), "Connected"));
  g_assert_true (gtk_widget_has_css_class (child (editor, "status_label"), "success"));

  /* Nothing listens there: the reason is said, not just "failed". */
  closed = g_strdup_printf ("ws://127.0.0.1:%u/crmws", sp_test_find_free_port ());
  set_text (editor, "url_row", closed);
  click_test (editor);
  g_test_message ("A closed port: %s", status (editor));
  g_assert_false (g_str_has_prefix (status (editor), "Connected"));
  g_assert_true (gtk_widget_has_css_class (child (editor, "status_label"), "error"));
  g_assert_nonnull (strstr (status (editor), "127.0.0.1"));

  /* The test saved nothing. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (accounts)), ==, 0);

  free_editor (editor);
}

/* Add from the dialog */

static gboolean
account_added (gpointer data)
{
  return g_list_model_get_n_items (G_LIST_MODEL (accounts)) == 1 &&
         !gtk_widget_get_visible (data);
}

static void
test_editor_add_basix (void)
{
  SpAddAccountDialog *dialog = g_object_ref_sink (sp_add_account_dialog_new (accounts));
  SpAccountEditor *editor = sp_add_account_dialog_get_editor (dialog);
  GtkWidget *add_button = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (dialog),
                                                                     SP_TYPE_ADD_ACCOUNT_DIALOG,
                                                                     "add_button"));
  g_autoptr(SpAccount) account = NULL;
  g_autofree char *domain = NULL;
  g_autofree char *selector = NULL;
  g_autofree char *user = NULL;
  g_autofree char *url = NULL;
  char *secret;

  gtk_window_present (GTK_WINDOW (dialog));
  select_kind (editor, "basix");
  g_assert_false (gtk_widget_get_sensitive (add_button));

  set_text (editor, "name_row", "Brastel office");
  set_text (editor, "url_row", "https://127.0.0.1:9");
  set_text (editor, "api_key_row", " t-basix-secret ");
  g_assert_false (gtk_widget_get_sensitive (add_button));
  set_text (editor, "domain_row", "acme");
  adw_combo_row_set_selected (child (editor, "user_selector_row"), 3);
  set_text (editor, "user_row", "201");
  gtk_switch_set_active (child (editor, "forced_switch"), TRUE);
  /* Not connected: nothing listens there. */
  gtk_switch_set_active (child (editor, "enabled_switch"), FALSE);
  g_assert_true (gtk_widget_get_sensitive (add_button));

  g_signal_emit_by_name (add_button, "clicked");
  g_assert_true (sp_test_wait_until (account_added, dialog, WAIT_MS));

  account = g_list_model_get_item (G_LIST_MODEL (accounts), 0);
  url = sp_account_dup_url (account);
  domain = sp_account_dup_option (account, "domain");
  selector = sp_account_dup_option (account, "user_selector");
  user = sp_account_dup_option (account, "user");
  g_assert_cmpstr (url, ==, "https://127.0.0.1:9");
  g_assert_cmpstr (domain, ==, "acme");
  g_assert_cmpstr (selector, ==, "user_extension");
  g_assert_cmpstr (user, ==, "201");
  g_assert_false (sp_account_get_enabled (account));

  secret = sp_test_keyring_lookup (sp_account_get_id (account));
  g_assert_cmpstr (secret, ==, "t-basix-secret");
  secret_password_free (secret);
  assert_not_in_settings (account, "t-basix-secret");

  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_finalize_object (dialog);

  sp_account_list_remove (accounts, sp_account_get_id (account));
  sp_test_run_for (200);
}

/* Save from Preferences */

static gboolean
secret_is (gpointer data)
{
  gpointer *pair = data;
  g_autofree char *secret = sp_test_keyring_lookup (sp_account_get_id (pair[0]));

  return g_strcmp0 (secret, pair[1]) == 0;
}

static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_named (c, name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
editor_closed (gpointer data)
{
  return !gtk_widget_get_mapped (data);
}

static void
save_from_preferences (SpPreferencesWindow *prefs,
                       SpAccountEditor     *editor)
{
  GtkWidget *save = find_named (gtk_widget_get_parent (GTK_WIDGET (editor)), "save_button");

  g_assert_nonnull (save);
  g_assert_true (gtk_widget_get_sensitive (save));
  g_signal_emit_by_name (save, "clicked");
  g_assert_true (sp_test_wait_until (editor_closed, editor, WAIT_MS));
}

static void
test_editor_preferences_save (void)
{
  SpPreferencesWindow *prefs;
  SpAccountEditor *editor;
  SpAccount *account;
  GSettings *account_settings;
  g_autofree char *url = NULL;
  g_autofree char *login = NULL;
  g_autofree char *remote = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *webservice = NULL;
  g_auto(GStrv) extensions = NULL;
  gpointer pair[2];

  account = sp_account_list_create (accounts, "xivo", "Support desk");
  account_settings = sp_account_get_settings (account);
  g_settings_set_boolean (account_settings, "enabled", FALSE);
  g_settings_set_string (account_settings, "url", "https://127.0.0.1:9");
  g_settings_set_string (account_settings, "login", "alice");
  g_settings_set_strv (account_settings, "extensions", (const char * const[]) { "1001", NULL });
  /* An option the form does not show survives the edit. */
  g_settings_set_value (account_settings, "options",
                        g_variant_new_parsed ("{'webservice-send-token': 'false'}"));

  prefs = g_object_ref_sink (sp_preferences_window_new (settings, accounts, NULL));
  gtk_window_present (GTK_WINDOW (prefs));
  sp_test_run_for (100);

  editor = g_object_ref (sp_preferences_window_edit_account (prefs, sp_account_get_id (account)));
  sp_test_run_for (100);
  g_assert_true (sp_account_editor_get_account (editor) == account);

  /* Filled from the settings; the kind is not the form's to change. */
  g_assert_cmpstr (sp_account_editor_get_kind (editor), ==, "xivo");
  g_assert_false (gtk_widget_get_sensitive (child (editor, "kind_row")));
  g_assert_cmpstr (get_text (editor, "name_row"), ==, "Support desk");
  g_assert_cmpstr (get_text (editor, "url_row"), ==, "https://127.0.0.1:9");
  g_assert_cmpstr (get_text (editor, "login_row"), ==, "alice");
  g_assert_cmpstr (get_text (editor, "extensions_row"), ==, "1001");
  g_assert_cmpstr (get_text (editor, "password_row"), ==, "");
  g_assert_true (gtk_switch_get_active (child (editor, "remote_answer_switch")));
  /* An empty password keeps the stored one: not a problem here. */
  g_assert_true (can_save (editor));

  /* The stored password never goes to another server or for another user: a new address
   * or login asks for the password again, and neither Save nor Test works without it. */
  set_text (editor, "url_row", "https://127.0.0.1:8443");
  g_assert_false (can_save (editor));
  g_assert_false (gtk_widget_get_sensitive (child (editor, "test_button")));
  set_text (editor, "url_row", "https://127.0.0.1:9/path");
  g_assert_true (can_save (editor));
  set_text (editor, "login_row", "mallory");
  g_assert_false (can_save (editor));
  set_text (editor, "login_row", "alice");
  g_assert_true (can_save (editor));

  /* A bad address, then the right one, a new password and another option. */
  set_text (editor, "url_row", "ftp://xivo");
  g_assert_false (can_save (editor));
  set_text (editor, "url_row", "https://127.0.0.1:8443");
  set_text (editor, "login_row", "bob");
  set_text (editor, "extensions_row", "1002, 1003");
  set_text (editor, "webservice_row", "https://crm.example.com/hook");
  set_text (editor, "password_row", "xivo-pw-1");
  gtk_switch_set_active (child (editor, "remote_answer_switch"), FALSE);
  set_text (editor, "login_url_entry", " https://crm.example.com/login?t=%{token} ");
  gtk_switch_set_active (child (editor, "login_url_open_switch"), TRUE);
  save_from_preferences (prefs, editor);
  g_object_unref (editor);

  pair[0] = account;
  pair[1] = (gpointer) "xivo-pw-1";
  g_assert_true (sp_test_wait_until (secret_is, pair, WAIT_MS));
  url = sp_account_dup_url (account);
  login = sp_account_dup_login (account);
  extensions = sp_account_dup_extensions (account);
  remote = sp_account_dup_option (account, "remote-answer");
  kept = sp_account_dup_option (account, "webservice-send-token");
  webservice = g_settings_get_string (account_settings, "webservice-url");
  g_assert_cmpstr (url, ==, "https://127.0.0.1:8443");
  g_assert_cmpstr (login, ==, "bob");
  g_assert_cmpstrv (extensions, ((const char * const[]) { "1002", "1003", NULL }));
  g_assert_cmpstr (remote, ==, "false");
  g_assert_cmpstr (kept, ==, "false");
  g_assert_cmpstr (webservice, ==, "https://crm.example.com/hook");
  g_clear_pointer (&kept, g_free);
  kept = sp_account_dup_option (account, "third-party-login-url");
  g_assert_cmpstr (kept, ==, "https://crm.example.com/login?t=%{token}");
  g_clear_pointer (&kept, g_free);
  kept = sp_account_dup_option (account, "third-party-login-open");
  g_assert_cmpstr (kept, ==, "true");
  g_assert_false (sp_account_get_enabled (account));
  assert_not_in_settings (account, "xivo-pw-1");

  /* Again, with the password left empty: the keyring keeps the one it has. */
  editor = g_object_ref (sp_preferences_window_edit_account (prefs, sp_account_get_id (account)));
  sp_test_run_for (100);
  g_assert_false (gtk_switch_get_active (child (editor, "remote_answer_switch")));
  g_assert_cmpstr (get_text (editor, "login_url_entry"), ==, "https://crm.example.com/login?t=%{token}");
  g_assert_true (gtk_switch_get_active (child (editor, "login_url_open_switch")));
  gtk_switch_set_active (child (editor, "remote_answer_switch"), TRUE);
  save_from_preferences (prefs, editor);
  g_object_unref (editor);
  g_clear_pointer (&remote, g_free);
  remote = sp_account_dup_option (account, "remote-answer");
  g_assert_null (remote);
  g_assert_true (secret_is (pair));

  gtk_window_destroy (GTK_WINDOW (prefs));
  g_assert_finalize_object (prefs);

  sp_account_list_remove (accounts, sp_account_get_id (account));
  sp_test_run_for (200);
}

/* Test Connection of an existing account, its password left empty: the stored one is used,
 * and a password typed for the test is not stored. */
static void
test_editor_test_stored_secret (void)
{
  g_autoptr(GError) error = NULL;
  SpTestXucServer *server = sp_test_xuc_server_new (0, "ana", "xuc-pw", 3600);
  g_autofree char *url = sp_test_xuc_server_dup_url (server);
  SpPreferencesWindow *prefs;
  SpAccountEditor *editor;
  SpAccount *account;
  GSettings *account_settings;
  gpointer pair[2];

  account = sp_account_list_create (accounts, "xivo", "Agents");
  account_settings = sp_account_get_settings (account);
  g_settings_set_boolean (account_settings, "enabled", FALSE);
  g_settings_set_string (account_settings, "url", url);
  g_settings_set_string (account_settings, "login", "ana");
  g_assert_true (secret_password_store_sync (sp_secret_get_schema (), SECRET_COLLECTION_DEFAULT,
                                             "Screenpop test", "xuc-pw", NULL, &error,
                                             "account", sp_account_get_id (account), NULL));
  g_assert_no_error (error);

  prefs = g_object_ref_sink (sp_preferences_window_new (settings, accounts, NULL));
  gtk_window_present (GTK_WINDOW (prefs));
  editor = g_object_ref (sp_preferences_window_edit_account (prefs, sp_account_get_id (account)));
  sp_test_run_for (100);

  click_test (editor);
  g_assert_true (g_str_has_prefix (status (editor), "Connected"));

  set_text (editor, "password_row", "wrong");
  click_test (editor);
  g_test_message ("A wrong password: %s", status (editor));
  g_assert_false (g_str_has_prefix (status (editor), "Connected"));
  g_assert_true (gtk_widget_has_css_class (child (editor, "status_label"), "error"));

  pair[0] = account;
  pair[1] = (gpointer) "xuc-pw";
  g_assert_true (secret_is (pair));

  gtk_window_destroy (GTK_WINDOW (prefs));
  g_object_unref (editor);
  g_assert_finalize_object (prefs);
  sp_account_list_remove (accounts, sp_account_get_id (account));
  sp_test_run_for (200);
  sp_test_xuc_server_free (server);
}

/* An existing Basix account: its page is filled from the options, a selector given
 * directly (user_extension=201) shows as the selector and its value, and a new domain asks
 * for the token again, as a new server would. */
static void
test_editor_basix_page_load (void)
{
  SpPreferencesWindow *prefs;
  SpAccountEditor *editor;
  SpAccount *account;
  GSettings *account_settings;

  account = sp_account_list_create (accounts, "basix", "PBX");
  account_settings = sp_account_get_settings (account);
  g_settings_set_boolean (account_settings, "enabled", FALSE);
  g_settings_set_string (account_settings, "url", "https://127.0.0.1:9");
  g_settings_set_value (account_settings, "options",
                        g_variant_new_parsed ("{'domain': 'acme', 'user_extension': '201', "
                                              "'force': 'true', 'auth': 'ticket'}"));

  prefs = g_object_ref_sink (sp_preferences_window_new (settings, accounts, NULL));
  gtk_window_present (GTK_WINDOW (prefs));
  editor = g_object_ref (sp_preferences_window_edit_account (prefs, sp_account_get_id (account)));
  sp_test_run_for (100);

  g_assert_cmpstr (get_text (editor, "domain_row"), ==, "acme");
  g_assert_cmpuint (adw_combo_row_get_selected (child (editor, "auth_row")), ==, 1);
  g_assert_cmpuint (adw_combo_row_get_selected (child (editor, "user_selector_row")), ==, 3);
  g_assert_cmpstr (get_text (editor, "user_row"), ==, "201");
  g_assert_true (gtk_switch_get_active (child (editor, "forced_switch")));
  g_assert_false (gtk_switch_get_active (child (editor, "full_events_switch")));
  g_assert_true (can_save (editor));

  set_text (editor, "domain_row", "other");
  g_assert_false (can_save (editor));
  g_assert_cmpstr (status (editor), ==, "Enter the API token.");
  set_text (editor, "domain_row", "acme");
  g_assert_true (can_save (editor));

  gtk_window_destroy (GTK_WINDOW (prefs));
  g_object_unref (editor);
  g_assert_finalize_object (prefs);
  sp_account_list_remove (accounts, sp_account_get_id (account));
  sp_test_run_for (200);
}

/* An account of a kind this version does not know: no page, and nothing to save. */
static void
test_editor_unknown_kind (void)
{
  SpAccount *account = sp_account_list_create (accounts, "no-such-kind", "From the future");
  SpAccountEditor *editor;

  g_settings_set_boolean (sp_account_get_settings (account), "enabled", FALSE);
  editor = new_editor (account);

  g_assert_null (sp_account_editor_get_page (editor));
  g_assert_cmpstr (sp_account_editor_get_kind (editor), ==, "no-such-kind");
  g_assert_false (can_save (editor));
  g_assert_cmpstr (status (editor), ==,
                   "Screenpop does not know the account kind “no-such-kind”");
  g_assert_false (gtk_widget_get_sensitive (child (editor, "test_button")));

  free_editor (editor);
  sp_account_list_remove (accounts, sp_account_get_id (account));
  sp_test_run_for (200);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  /* GTK, libadwaita and libsecret keep the private bus for the life of the process:
   * GTestDBus's watcher ends it when we exit (see HACKING.md). */
  notify = sp_test_notify_start (NULL);
  if (!gtk_init_check ())
    g_error ("No display: run this under Xvfb, as build-aux/test does");
  adw_init ();
  keyring = sp_test_keyring_start (sp_test_notify_get_address (notify));

  settings = g_settings_new ("io.github.screenpop.Screenpop");
  engine = sp_test_engine_new (settings, NULL);
  accounts = sp_engine_get_accounts (engine);

  g_test_add_func ("/account-editor/kinds", test_editor_kinds);
  g_test_add_func ("/account-editor/short-titles", test_editor_short_titles);
  g_test_add_func ("/account-editor/validation", test_editor_validation);
  g_test_add_func ("/account-editor/test-connection", test_editor_test_connection);
  g_test_add_func ("/account-editor/untrusted-certificate", test_editor_untrusted_certificate);
  g_test_add_func ("/account-editor/add-basix", test_editor_add_basix);
  g_test_add_func ("/account-editor/preferences-save", test_editor_preferences_save);
  g_test_add_func ("/account-editor/test-stored-secret", test_editor_test_stored_secret);
  g_test_add_func ("/account-editor/basix-page-load", test_editor_basix_page_load);
  g_test_add_func ("/account-editor/unknown-kind", test_editor_unknown_kind);

  ret = g_test_run ();

  accounts = NULL;
  g_clear_object (&engine);
  g_clear_object (&settings);
  sp_test_keyring_stop (keyring);

  return ret;
}
