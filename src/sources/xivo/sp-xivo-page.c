/* sp-xivo-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-xivo-page"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-xivo-page.h"
#include "sp-xivo-source.h"

/*
 * The XiVO rows of the account editor: the CTI user's login and password (the generic
 * rows, with XiVO's words), whether to offer "Answer", and the third-party login URL
 * (THIRD_PARTY_LOGIN_URL) with whether to open it rather than call it.
 */

struct _SpXivoPage
{
  AdwPreferencesGroup  parent_instance;

  GtkSwitch           *remote_answer_switch;
  GtkEntry            *login_url_entry;
  GtkSwitch           *login_url_open_switch;
};

static void sp_xivo_page_iface_init (SpAccountPageInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SpXivoPage, sp_xivo_page, ADW_TYPE_PREFERENCES_GROUP,
                               G_IMPLEMENT_INTERFACE (SP_TYPE_ACCOUNT_PAGE,
                                                      sp_xivo_page_iface_init))

static void
sp_xivo_page_load (SpAccountPage *page,
                   SpAccount     *account)
{
  SpXivoPage *self = SP_XIVO_PAGE (page);
  g_autofree char *remote_answer = sp_account_dup_option (account, SP_XIVO_OPTION_REMOTE_ANSWER);
  g_autofree char *login_url = sp_account_dup_option (account, SP_XIVO_OPTION_LOGIN_URL);
  g_autofree char *login_url_open = sp_account_dup_option (account, SP_XIVO_OPTION_LOGIN_URL_OPEN);

  gtk_switch_set_active (self->remote_answer_switch, g_strcmp0 (remote_answer, "false") != 0);
  gtk_editable_set_text (GTK_EDITABLE (self->login_url_entry), login_url ? login_url : "");
  gtk_switch_set_active (self->login_url_open_switch, g_strcmp0 (login_url_open, "true") == 0);
}

static void
sp_xivo_page_save (SpAccountPage *page,
                   GSettings     *settings,
                   GHashTable    *options)
{
  SpXivoPage *self = SP_XIVO_PAGE (page);

  /* On is the default: only "off" is written. */
  g_autofree char *login_url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->login_url_entry))));

  sp_account_page_set_option (options, SP_XIVO_OPTION_REMOTE_ANSWER,
                              gtk_switch_get_active (self->remote_answer_switch) ? NULL : "false");
  sp_account_page_set_option (options, SP_XIVO_OPTION_LOGIN_URL, *login_url ? login_url : NULL);
  sp_account_page_set_option (options, SP_XIVO_OPTION_LOGIN_URL_OPEN,
                              gtk_switch_get_active (self->login_url_open_switch) ? "true" : NULL);
}

static const char *
sp_xivo_page_get_url_title (SpAccountPage *page)
{
  return _("Ser_ver Address (https://xivo.example)");
}

static void
sp_xivo_page_get_credentials (SpAccountPage            *page,
                              SpAccountPageCredentials *credentials)
{
  credentials->kind = SP_ACCOUNT_CREDENTIALS_PASSWORD;
  credentials->login_title = _("CTI _Login");
  credentials->login_missing = _("Enter the XiVO login (the CTI user).");
  credentials->secret_title = _("_Password");
}

static void
sp_xivo_page_iface_init (SpAccountPageInterface *iface)
{
  iface->load = sp_xivo_page_load;
  iface->save = sp_xivo_page_save;
  iface->get_url_title = sp_xivo_page_get_url_title;
  iface->get_credentials = sp_xivo_page_get_credentials;
}

static void
sp_xivo_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), SP_TYPE_XIVO_PAGE);

  G_OBJECT_CLASS (sp_xivo_page_parent_class)->dispose (object);
}

static void
sp_xivo_page_class_init (SpXivoPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_xivo_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/screenpop/Screenpop/sp-xivo-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SpXivoPage, remote_answer_switch);
  gtk_widget_class_bind_template_child (widget_class, SpXivoPage, login_url_entry);
  gtk_widget_class_bind_template_child (widget_class, SpXivoPage, login_url_open_switch);
  gtk_widget_class_bind_template_child_full (widget_class, "remote_answer_row", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "login_url_row", FALSE, 0);
  gtk_widget_class_bind_template_callback (widget_class, sp_account_page_changed);
}

static void
sp_xivo_page_init (SpXivoPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
