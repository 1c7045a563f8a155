/* sp-demo-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-demo-page"

#include "config.h"

#include "sp-demo-page.h"

/*
 * The demo page of the account editor: the simulator needs no server and no secret (the
 * registry gives the demo no URL normaliser), and its options (SP_DEMO_OPTION_SEED …) are
 * for tests, not for the form. What is left is the generic fields.
 */

struct _SpDemoPage
{
  AdwPreferencesGroup parent_instance;
};

G_DEFINE_FINAL_TYPE_WITH_CODE (SpDemoPage, sp_demo_page, ADW_TYPE_PREFERENCES_GROUP,
                               G_IMPLEMENT_INTERFACE (SP_TYPE_ACCOUNT_PAGE, NULL))

static void
sp_demo_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), SP_TYPE_DEMO_PAGE);

  G_OBJECT_CLASS (sp_demo_page_parent_class)->dispose (object);
}

static void
sp_demo_page_class_init (SpDemoPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_demo_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/screenpop/Screenpop/sp-demo-page.ui");
}

static void
sp_demo_page_init (SpDemoPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
