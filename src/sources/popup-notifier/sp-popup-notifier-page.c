/* sp-popup-notifier-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-popup-notifier-page"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-popup-notifier-page.h"

/*
 * The popup-notifier page of the account editor: nothing but the generic fields (the
 * /crmws address and the extensions); the server asks for no secret.
 */

struct _SpPopupNotifierPage
{
  AdwPreferencesGroup parent_instance;
};

static void sp_popup_notifier_page_iface_init (SpAccountPageInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SpPopupNotifierPage, sp_popup_notifier_page,
                               ADW_TYPE_PREFERENCES_GROUP,
                               G_IMPLEMENT_INTERFACE (SP_TYPE_ACCOUNT_PAGE,
                                                      sp_popup_notifier_page_iface_init))

static const char *
sp_popup_notifier_page_get_url_title (SpAccountPage *page)
{
  return _("Ser_ver Address (ws://host:8990/crmws)");
}

static void
sp_popup_notifier_page_iface_init (SpAccountPageInterface *iface)
{
  iface->get_url_title = sp_popup_notifier_page_get_url_title;
}

static void
sp_popup_notifier_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), SP_TYPE_POPUP_NOTIFIER_PAGE);

  G_OBJECT_CLASS (sp_popup_notifier_page_parent_class)->dispose (object);
}

static void
sp_popup_notifier_page_class_init (SpPopupNotifierPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_popup_notifier_page_dispose;

  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/screenpop/Screenpop/sp-popup-notifier-page.ui");
}

static void
sp_popup_notifier_page_init (SpPopupNotifierPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
