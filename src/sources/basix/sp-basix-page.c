/* sp-basix-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-basix-page"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-basix-page.h"
#include "sp-basix-source.h"

/*
 * The Basix rows of the account editor: the PBX domain and how to connect (API token or a
 * ticket per connection) in the Connection group; whose calls to show, the application
 * name, full events and take-over among the options.
 */

struct _SpBasixPage
{
  AdwPreferencesGroup  parent_instance;

  AdwEntryRow         *domain_row;
  AdwComboRow         *auth_row;
  AdwComboRow         *user_selector_row;
  AdwEntryRow         *user_row;
  AdwEntryRow         *app_name_row;
  GtkSwitch           *full_events_switch;
  GtkSwitch           *forced_switch;

  GtkWidget           *connection_rows[3];
};

static void sp_basix_page_iface_init (SpAccountPageInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SpBasixPage, sp_basix_page, ADW_TYPE_PREFERENCES_GROUP,
                               G_IMPLEMENT_INTERFACE (SP_TYPE_ACCOUNT_PAGE,
                                                      sp_basix_page_iface_init))

/* The rows of user_selector_row, in order. */
static const char * const user_selectors[] = {
  SP_BASIX_SELECTOR_USER_NAME, SP_BASIX_SELECTOR_USER_ID, SP_BASIX_SELECTOR_USER_LABEL,
  SP_BASIX_SELECTOR_USER_EXTENSION, SP_BASIX_SELECTOR_USER_DID, SP_BASIX_SELECTOR_USER_EMAIL,
  NULL
};

static gboolean
uses_ticket (SpBasixPage *self)
{
  return adw_combo_row_get_selected (self->auth_row) == 1;
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
set_row_text (AdwEntryRow *row,
              const char  *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text != NULL ? text : "");
}

/* A selector given directly (user_extension=201) shows as the selector and its value. */
static void
sp_basix_page_load (SpAccountPage *page,
                    SpAccount     *account)
{
  SpBasixPage *self = SP_BASIX_PAGE (page);
  g_autofree char *domain = sp_account_dup_option (account, SP_BASIX_OPTION_DOMAIN);
  g_autofree char *auth = sp_account_dup_option (account, SP_BASIX_OPTION_AUTH);
  g_autofree char *selector = sp_account_dup_option (account, SP_BASIX_OPTION_USER_SELECTOR);
  g_autofree char *user = sp_account_dup_option (account, SP_BASIX_OPTION_USER);
  g_autofree char *app_name = sp_account_dup_option (account, SP_BASIX_OPTION_APP_NAME);
  g_autofree char *full_events = sp_account_dup_option (account, SP_BASIX_OPTION_FULL_EVENTS);
  g_autofree char *forced = sp_account_dup_option (account, SP_BASIX_OPTION_FORCED);
  g_autofree char *force = sp_account_dup_option (account, SP_BASIX_OPTION_FORCE);

  if (selector == NULL || selector[0] == '\0')
    {
      for (guint i = 0; user_selectors[i] != NULL; i++)
        {
          g_autofree char *direct = sp_account_dup_option (account, user_selectors[i]);

          if (direct != NULL && direct[0] != '\0')
            {
              g_free (selector);
              selector = g_strdup (user_selectors[i]);
              g_free (user);
              user = g_steal_pointer (&direct);
              break;
            }
        }
    }

  set_row_text (self->domain_row, domain);
  adw_combo_row_set_selected (self->auth_row, g_strcmp0 (auth, SP_BASIX_AUTH_TICKET) == 0);
  adw_combo_row_set_selected (self->user_selector_row, index_of (user_selectors, selector));
  set_row_text (self->user_row, user);
  set_row_text (self->app_name_row, app_name);
  gtk_switch_set_active (self->full_events_switch, sp_account_page_option_is_true (full_events));
  gtk_switch_set_active (self->forced_switch, sp_account_page_option_is_true (forced) ||
                                              sp_account_page_option_is_true (force));
}

static gboolean
sp_basix_page_validate (SpAccountPage        *page,
                        const SpAccountForm  *form,
                        GError              **error)
{
  SpBasixPage *self = SP_BASIX_PAGE (page);
  g_autofree char *domain = sp_account_page_dup_row_text (self->domain_row);

  if (domain[0] == '\0')
    {
      g_set_error_literal (error, SP_ACCOUNT_PAGE_ERROR, SP_ACCOUNT_PAGE_ERROR_MISSING,
                           _("Enter the Basix domain that the API token belongs to."));
      return FALSE;
    }

  if (uses_ticket (self) && gtk_switch_get_active (self->full_events_switch))
    {
      g_set_error_literal (error, SP_ACCOUNT_PAGE_ERROR, SP_ACCOUNT_PAGE_ERROR_INVALID,
                           _("Basix tickets do not allow the whole PBX’s events; turn off “Full Events” or connect with the API token"));
      return FALSE;
    }

  return TRUE;
}

static void
sp_basix_page_save (SpAccountPage *page,
                    GSettings     *settings,
                    GHashTable    *options)
{
  SpBasixPage *self = SP_BASIX_PAGE (page);
  g_autofree char *domain = sp_account_page_dup_row_text (self->domain_row);
  g_autofree char *user = sp_account_page_dup_row_text (self->user_row);
  g_autofree char *app_name = sp_account_page_dup_row_text (self->app_name_row);
  guint selector = adw_combo_row_get_selected (self->user_selector_row);

  sp_account_page_set_option (options, SP_BASIX_OPTION_DOMAIN, domain);
  sp_account_page_set_option (options, SP_BASIX_OPTION_AUTH,
                              uses_ticket (self) ? SP_BASIX_AUTH_TICKET : NULL);
  /* One way to say the user: a direct `user_extension=201` would be ambiguous beside it. */
  for (guint i = 0; user_selectors[i] != NULL; i++)
    sp_account_page_set_option (options, user_selectors[i], NULL);
  sp_account_page_set_option (options, SP_BASIX_OPTION_USER_SELECTOR,
                              selector < g_strv_length ((char **) user_selectors)
                                ? user_selectors[selector] : NULL);
  sp_account_page_set_option (options, SP_BASIX_OPTION_USER, user);
  sp_account_page_set_option (options, SP_BASIX_OPTION_APP_NAME, app_name);
  sp_account_page_set_option (options, SP_BASIX_OPTION_FULL_EVENTS,
                              gtk_switch_get_active (self->full_events_switch) ? "true" : NULL);
  sp_account_page_set_option (options, SP_BASIX_OPTION_FORCE, NULL);
  sp_account_page_set_option (options, SP_BASIX_OPTION_FORCED,
                              gtk_switch_get_active (self->forced_switch) ? "true" : NULL);
}

static GtkWidget **
sp_basix_page_get_connection_rows (SpAccountPage *page)
{
  return SP_BASIX_PAGE (page)->connection_rows;
}

static const char *
sp_basix_page_get_url_title (SpAccountPage *page)
{
  return _("Ser_ver Address (https://bcs.brastel.com)");
}

static void
sp_basix_page_get_credentials (SpAccountPage            *page,
                               SpAccountPageCredentials *credentials)
{
  /* The token also asks for the tickets, when the account connects with tickets. */
  credentials->kind = SP_ACCOUNT_CREDENTIALS_KEY;
  credentials->secret_title = _("A_PI Token");
  credentials->secret_missing = _("Enter the API token.");
}

/* A token belongs to its domain. */
static gboolean
sp_basix_page_secret_would_move (SpAccountPage *page,
                                 SpAccount     *account)
{
  SpBasixPage *self = SP_BASIX_PAGE (page);
  g_autofree char *stored = sp_account_dup_option (account, SP_BASIX_OPTION_DOMAIN);
  g_autofree char *domain = sp_account_page_dup_row_text (self->domain_row);

  return g_strcmp0 (stored != NULL ? stored : "", domain) != 0;
}

static void
sp_basix_page_iface_init (SpAccountPageInterface *iface)
{
  iface->load = sp_basix_page_load;
  iface->validate = sp_basix_page_validate;
  iface->save = sp_basix_page_save;
  iface->get_connection_rows = sp_basix_page_get_connection_rows;
  iface->get_url_title = sp_basix_page_get_url_title;
  iface->get_credentials = sp_basix_page_get_credentials;
  iface->secret_would_move = sp_basix_page_secret_would_move;
}

static void
sp_basix_page_dispose (GObject *object)
{
  SpBasixPage *self = SP_BASIX_PAGE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), SP_TYPE_BASIX_PAGE);
  for (guint i = 0; self->connection_rows[i] != NULL; i++)
    g_clear_object (&self->connection_rows[i]);

  G_OBJECT_CLASS (sp_basix_page_parent_class)->dispose (object);
}

static void
sp_basix_page_class_init (SpBasixPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_basix_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/screenpop/Screenpop/sp-basix-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SpBasixPage, domain_row);
  gtk_widget_class_bind_template_child (widget_class, SpBasixPage, auth_row);
  gtk_widget_class_bind_template_child (widget_class, SpBasixPage, user_selector_row);
  gtk_widget_class_bind_template_child (widget_class, SpBasixPage, user_row);
  gtk_widget_class_bind_template_child (widget_class, SpBasixPage, app_name_row);
  gtk_widget_class_bind_template_child (widget_class, SpBasixPage, full_events_switch);
  gtk_widget_class_bind_template_child (widget_class, SpBasixPage, forced_switch);
  gtk_widget_class_bind_template_child_full (widget_class, "full_events_row", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "forced_row", FALSE, 0);
  gtk_widget_class_bind_template_callback (widget_class, sp_account_page_changed);
}

static void
sp_basix_page_init (SpBasixPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* Outside the template's tree until the editor adds them to its Connection group. */
  self->connection_rows[0] = g_object_ref_sink (GTK_WIDGET (self->domain_row));
  self->connection_rows[1] = g_object_ref_sink (GTK_WIDGET (self->auth_row));
}
