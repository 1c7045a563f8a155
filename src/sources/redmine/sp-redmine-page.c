/* sp-redmine-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-redmine-page"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-actioncable.h"
#include "sp-redmine-page.h"
#include "sp-redmine-source.h"

/*
 * The redmine_rt rows of the account editor: how to sign in (the API key, or a login and
 * password traded once for the key) in the Connection group, and the extra channels to
 * listen to. redmine_rt sends its own URLs and is about no extension, so the form offers
 * no calls and no CRM page for it.
 */

struct _SpRedminePage
{
  AdwPreferencesGroup  parent_instance;

  AdwComboRow         *auth_row;
  AdwEntryRow         *channels_row;

  GtkWidget           *connection_rows[2];
};

static void sp_redmine_page_iface_init (SpAccountPageInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SpRedminePage, sp_redmine_page, ADW_TYPE_PREFERENCES_GROUP,
                               G_IMPLEMENT_INTERFACE (SP_TYPE_ACCOUNT_PAGE,
                                                      sp_redmine_page_iface_init))

static gboolean
uses_password (SpRedminePage *self)
{
  return adw_combo_row_get_selected (self->auth_row) == 1;
}

/* What the keyring item of @account holds. */
static const char *
stored_auth (SpAccount *account)
{
  g_autofree char *auth = sp_account_dup_option (account, SP_REDMINE_OPTION_AUTH);

  return g_strcmp0 (auth, SP_REDMINE_AUTH_PASSWORD) == 0 ? SP_REDMINE_AUTH_PASSWORD
                                                         : SP_REDMINE_AUTH_API_KEY;
}

static void
sp_redmine_page_load (SpAccountPage *page,
                      SpAccount     *account)
{
  SpRedminePage *self = SP_REDMINE_PAGE (page);
  g_auto(GStrv) channels = g_settings_get_strv (sp_account_get_settings (account), "channels");
  g_autofree char *channels_text = g_strjoinv (", ", channels);

  adw_combo_row_set_selected (self->auth_row,
                              g_str_equal (stored_auth (account), SP_REDMINE_AUTH_PASSWORD));
  gtk_editable_set_text (GTK_EDITABLE (self->channels_row), channels_text);
}

static void
sp_redmine_page_save (SpAccountPage *page,
                      GSettings     *settings,
                      GHashTable    *options)
{
  SpRedminePage *self = SP_REDMINE_PAGE (page);
  g_auto(GStrv) channels =
    sp_account_page_split_list (gtk_editable_get_text (GTK_EDITABLE (self->channels_row)));
  g_autofree char *url = g_settings_get_string (settings, "url");
  g_autofree char *normalized = sp_redmine_source_normalize_url (url, NULL);

  sp_account_page_set_option (options, SP_REDMINE_OPTION_AUTH,
                              uses_password (self) ? SP_REDMINE_AUTH_PASSWORD
                                                   : SP_REDMINE_AUTH_API_KEY);
  g_settings_set_strv (settings, "channels", (const char * const *) channels);

  /* The login is for the password only: with the key, the source learns it from Redmine. */
  if (!uses_password (self))
    g_settings_set_string (settings, "login", "");

  /* The normalized base: the source builds every API path from it. */
  if (normalized != NULL)
    g_settings_set_string (settings, "url", normalized);
}

static GtkWidget **
sp_redmine_page_get_connection_rows (SpAccountPage *page)
{
  return SP_REDMINE_PAGE (page)->connection_rows;
}

static const char *
sp_redmine_page_get_url_title (SpAccountPage *page)
{
  return _("Ser_ver (https://redmine.example.com)");
}

static gboolean
sp_redmine_page_has_calls (SpAccountPage *page)
{
  return FALSE;
}

static void
sp_redmine_page_get_credentials (SpAccountPage            *page,
                                 SpAccountPageCredentials *credentials)
{
  if (uses_password (SP_REDMINE_PAGE (page)))
    {
      credentials->kind = SP_ACCOUNT_CREDENTIALS_PASSWORD;
      credentials->login_title = _("_Login");
      credentials->login_missing = _("Enter the Redmine login.");
      credentials->secret_title = _("_Password (used once)");
    }
  else
    {
      credentials->kind = SP_ACCOUNT_CREDENTIALS_KEY;
      credentials->secret_title = _("API Ke_y (from “My account”)");
      credentials->secret_missing = _("Enter the API key.");
    }
}

/* A stored key is no password, and the other way round. */
static gboolean
sp_redmine_page_secret_would_move (SpAccountPage *page,
                                   SpAccount     *account)
{
  const char *auth = uses_password (SP_REDMINE_PAGE (page)) ? SP_REDMINE_AUTH_PASSWORD
                                                            : SP_REDMINE_AUTH_API_KEY;

  return !g_str_equal (stored_auth (account), auth);
}

static void
sp_redmine_page_iface_init (SpAccountPageInterface *iface)
{
  iface->load = sp_redmine_page_load;
  iface->save = sp_redmine_page_save;
  iface->get_connection_rows = sp_redmine_page_get_connection_rows;
  iface->get_url_title = sp_redmine_page_get_url_title;
  iface->has_calls = sp_redmine_page_has_calls;
  iface->get_credentials = sp_redmine_page_get_credentials;
  iface->secret_would_move = sp_redmine_page_secret_would_move;
}

static void
sp_redmine_page_dispose (GObject *object)
{
  SpRedminePage *self = SP_REDMINE_PAGE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), SP_TYPE_REDMINE_PAGE);
  g_clear_object (&self->connection_rows[0]);

  G_OBJECT_CLASS (sp_redmine_page_parent_class)->dispose (object);
}

static void
sp_redmine_page_class_init (SpRedminePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_redmine_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/screenpop/Screenpop/sp-redmine-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SpRedminePage, auth_row);
  gtk_widget_class_bind_template_child (widget_class, SpRedminePage, channels_row);
  gtk_widget_class_bind_template_callback (widget_class, sp_account_page_changed);
}

static void
sp_redmine_page_init (SpRedminePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* Outside the template's tree until the editor adds it to its Connection group. */
  self->connection_rows[0] = g_object_ref_sink (GTK_WIDGET (self->auth_row));
}
