/* sp-pbxis-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-pbxis-page"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-pbxis-page.h"
#include "sp-pbxis-source.h"

/*
 * The pbxis-ws rows of the account editor: the transport of the events, the queues of the
 * status view, the agent's name in the queues, the caller id of outgoing calls, the
 * summary events and the supervisor's reset. pbxis-ws only reports the extensions it is
 * asked about, so the form's extensions are required here.
 */

struct _SpPbxisPage
{
  AdwPreferencesGroup  parent_instance;

  AdwComboRow         *transport_row;
  AdwEntryRow         *queues_row;
  AdwEntryRow         *member_name_row;
  AdwEntryRow         *caller_id_row;
  GtkSwitch           *summary_switch;
  GtkSwitch           *supervisor_switch;
};

static void
load_text (AdwEntryRow *row,
           const char  *value)
{
  gtk_editable_set_text (GTK_EDITABLE (row), value ? value : "");
}

/* Surrounding spaces are not meant; an empty field is no option at all. */
static char *
dup_text (AdwEntryRow *row)
{
  char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  if (*text == '\0')
    g_clear_pointer (&text, g_free);

  return text;
}

static void sp_pbxis_page_iface_init (SpAccountPageInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SpPbxisPage, sp_pbxis_page, ADW_TYPE_PREFERENCES_GROUP,
                               G_IMPLEMENT_INTERFACE (SP_TYPE_ACCOUNT_PAGE,
                                                      sp_pbxis_page_iface_init))

static void
sp_pbxis_page_load (SpAccountPage *page,
                    SpAccount     *account)
{
  SpPbxisPage *self = SP_PBXIS_PAGE (page);
  g_autofree char *transport_text = sp_account_dup_option (account, SP_PBXIS_OPTION_TRANSPORT);
  g_autofree char *queues = sp_account_dup_option (account, SP_PBXIS_OPTION_QUEUES);
  g_autofree char *member_name = sp_account_dup_option (account, SP_PBXIS_OPTION_MEMBER_NAME);
  g_autofree char *caller_id = sp_account_dup_option (account, SP_PBXIS_OPTION_CALLER_ID);
  g_autofree char *summary = sp_account_dup_option (account, SP_PBXIS_OPTION_SUMMARY_EVENTS);
  g_autofree char *supervisor = sp_account_dup_option (account, SP_PBXIS_OPTION_SUPERVISOR);
  SpPbxisTransport transport;

  if (!sp_pbxis_parse_transport (transport_text, &transport))
    transport = SP_PBXIS_TRANSPORT_WEBSOCKET;
  adw_combo_row_set_selected (self->transport_row, transport);

  if (queues != NULL)
    {
      g_auto(GStrv) parts = sp_account_page_split_list (queues);
      g_autofree char *text = g_strjoinv (", ", parts);

      gtk_editable_set_text (GTK_EDITABLE (self->queues_row), text);
    }

  load_text (self->member_name_row, member_name);
  load_text (self->caller_id_row, caller_id);
  gtk_switch_set_active (self->summary_switch, sp_account_page_option_is_true (summary));
  gtk_switch_set_active (self->supervisor_switch, sp_account_page_option_is_true (supervisor));
}

static gboolean
sp_pbxis_page_validate (SpAccountPage        *page,
                        const SpAccountForm  *form,
                        GError              **error)
{
  if (form->extensions[0] == NULL)
    {
      g_set_error_literal (error, SP_ACCOUNT_PAGE_ERROR, SP_ACCOUNT_PAGE_ERROR_MISSING,
                           _("Enter the agent’s extension: pbxis-ws only reports the calls of the extensions it is asked about."));
      return FALSE;
    }

  return TRUE;
}

static void
sp_pbxis_page_save (SpAccountPage *page,
                    GSettings     *settings,
                    GHashTable    *options)
{
  SpPbxisPage *self = SP_PBXIS_PAGE (page);
  g_auto(GStrv) queues =
    sp_account_page_split_list (gtk_editable_get_text (GTK_EDITABLE (self->queues_row)));
  g_autofree char *joined = g_strjoinv (",", queues);
  guint transport = adw_combo_row_get_selected (self->transport_row);
  g_autofree char *member_name = dup_text (self->member_name_row);
  g_autofree char *caller_id = dup_text (self->caller_id_row);

  sp_account_page_set_option (options, SP_PBXIS_OPTION_TRANSPORT,
                              transport <= SP_PBXIS_TRANSPORT_LONG_POLL
                                ? sp_pbxis_transport_to_string (transport) : NULL);
  sp_account_page_set_option (options, SP_PBXIS_OPTION_QUEUES, joined);
  sp_account_page_set_option (options, SP_PBXIS_OPTION_MEMBER_NAME, member_name);
  sp_account_page_set_option (options, SP_PBXIS_OPTION_CALLER_ID, caller_id);
  sp_account_page_set_option (options, SP_PBXIS_OPTION_SUMMARY_EVENTS,
                              gtk_switch_get_active (self->summary_switch) ? "true" : NULL);
  sp_account_page_set_option (options, SP_PBXIS_OPTION_SUPERVISOR,
                              gtk_switch_get_active (self->supervisor_switch) ? "true" : NULL);
}

static const char *
sp_pbxis_page_get_url_title (SpAccountPage *page)
{
  return _("Ser_ver Address (http://host:58615)");
}

static void
sp_pbxis_page_iface_init (SpAccountPageInterface *iface)
{
  iface->load = sp_pbxis_page_load;
  iface->validate = sp_pbxis_page_validate;
  iface->save = sp_pbxis_page_save;
  iface->get_url_title = sp_pbxis_page_get_url_title;
}

static void
sp_pbxis_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), SP_TYPE_PBXIS_PAGE);

  G_OBJECT_CLASS (sp_pbxis_page_parent_class)->dispose (object);
}

static void
sp_pbxis_page_class_init (SpPbxisPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_pbxis_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/screenpop/Screenpop/sp-pbxis-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SpPbxisPage, transport_row);
  gtk_widget_class_bind_template_child (widget_class, SpPbxisPage, queues_row);
  gtk_widget_class_bind_template_child (widget_class, SpPbxisPage, member_name_row);
  gtk_widget_class_bind_template_child (widget_class, SpPbxisPage, caller_id_row);
  gtk_widget_class_bind_template_child (widget_class, SpPbxisPage, summary_switch);
  gtk_widget_class_bind_template_child (widget_class, SpPbxisPage, supervisor_switch);
  gtk_widget_class_bind_template_callback (widget_class, sp_account_page_changed);
}

static void
sp_pbxis_page_init (SpPbxisPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
