/* sp-preferences-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-application.h"
#include "sp-autostart.h"
#include "sp-preferences-window.h"
#include "sp-sources.h"
#include "sp-template.h"

/*
 * Preferences: background and notifications, what each account shows and opens, and
 * privacy (history retention, which hosts and programs servers may make us open). Every
 * control is bound to GSettings, so a change applies at once and administrators can lock
 * any of it through dconf.
 */

struct _SpPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  SpAccounts           *accounts;
  SpHistory            *history;
  GPtrArray            *account_rows;

  GtkSwitch            *autostart_switch;
  GtkSwitch            *dnd_switch;
  GtkSwitch            *sound_switch;
  GtkSpinButton        *history_days_spin;
  AdwEntryRow          *hosts_row;
  AdwEntryRow          *executables_row;
  AdwPreferencesGroup  *accounts_group;
  AdwComboRow          *dial_account_row;
  GPtrArray            *dial_ids;   /* row index → account id; index 0 is "automatic" */
};

G_DEFINE_FINAL_TYPE (SpPreferencesWindow, sp_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/**
 * sp_settings_strv_to_text:
 *
 * A g_settings_bind_with_mapping() mapping: a string list shown as "a, b, c".
 */
gboolean
sp_settings_strv_to_text (GValue   *value,
                          GVariant *variant,
                          gpointer  user_data)
{
  g_autofree const char **strv = g_variant_get_strv (variant, NULL);

  g_value_take_string (value, g_strjoinv (", ", (char **) strv));
  return TRUE;
}

/**
 * sp_settings_text_to_strv:
 *
 * The reverse of sp_settings_strv_to_text(): commas and spaces separate, empty parts go.
 */
GVariant *
sp_settings_text_to_strv (const GValue       *value,
                          const GVariantType *expected_type,
                          gpointer            user_data)
{
  const char *text = g_value_get_string (value);
  g_auto(GStrv) parts = g_strsplit_set (text ? text : "", ", ", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) strv = NULL;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }
  strv = g_strv_builder_end (builder);

  return g_variant_new_strv ((const char * const *) strv, -1);
}

static void
autostart_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(SpPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = sp_autostart_set_enabled_finish (result, &error);

  if (!ok)
    {
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (error->message));
      g_message ("Start on login: %s", error->message);
    }

  gtk_switch_set_state (self->autostart_switch, sp_autostart_get_enabled (self->settings));
}

static gboolean
autostart_state_set_cb (SpPreferencesWindow *self,
                        gboolean             state,
                        GtkSwitch           *toggle)
{
  if (state == sp_autostart_get_enabled (self->settings))
    return FALSE;

  /* The switch shows the new state once the platform has agreed. */
  sp_autostart_set_enabled_async (self->settings, state, NULL, autostart_done_cb, g_object_ref (self));
  return TRUE;
}

static void
clear_response_cb (AdwMessageDialog    *dialog,
                   const char          *response,
                   SpPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "clear") != 0 || self->history == NULL)
    return;

  if (!sp_history_clear (self->history, &error))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (error->message));
  else
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (_("The call history is empty")));
}

static void
clear_history_clicked_cb (SpPreferencesWindow *self)
{
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Clear the Call History?"),
                                                       _("Every call kept so far is forgotten. This cannot be undone.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "clear", _("_Clear"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "clear", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (clear_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static GtkWidget *
switch_row (GSettings  *settings,
            const char *key,
            const char *title,
            const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *toggle = gtk_switch_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
  if (subtitle)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);
  g_settings_bind (settings, key, toggle, "active", G_SETTINGS_BIND_DEFAULT);

  return row;
}

static void
template_changed_cb (GtkEditable *row)
{
  g_autoptr(GError) error = NULL;
  const char *text = gtk_editable_get_text (row);

  if (text[0] == '\0' || sp_template_validate (text, &error))
    {
      gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (row), NULL);
    }
  else
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (row), error->message);
    }
}

static void
template_apply_cb (GtkEditable *row,
                   GSettings   *settings)
{
  const char *text = gtk_editable_get_text (row);

  /* A broken template is never saved: it would fail on every call. */
  if (text[0] == '\0' || sp_template_validate (text, NULL))
    g_settings_set_string (settings, "url-template", text);
}

static void
trigger_selected_cb (AdwComboRow *row,
                     GParamSpec  *pspec,
                     GSettings   *settings)
{
  /* The rows are in the order of the enum: never, ringing, answered, ended. */
  g_settings_set_enum (settings, "url-trigger", adw_combo_row_get_selected (row));
}

static GtkWidget *
account_row (SpAccount *account)
{
  GSettings *settings = sp_account_get_settings (account);
  g_autofree char *name = sp_account_dup_display_name (account);
  g_autofree char *kind = sp_account_dup_kind (account);
  g_autofree char *template_str = sp_account_dup_url_template (account);
  GtkWidget *expander = adw_expander_row_new ();
  GtkWidget *row;
  GtkWidget *spin;
  GtkStringList *triggers;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), name);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), sp_sources_kind_label (kind));

  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander),
                            switch_row (settings, "enabled", _("_Enabled"), _("Connect this account")));
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander),
                            switch_row (settings, "muted", _("_Mute"),
                                        _("No pop-ups and no sound for this account; calls are still kept")));

  row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("E_xtensions (comma-separated; empty: all)"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
  g_settings_bind_with_mapping (settings, "extensions", row, "text", G_SETTINGS_BIND_DEFAULT,
                                sp_settings_strv_to_text, sp_settings_text_to_strv, NULL, NULL);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);

  row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("CRM _URL Template"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (row), template_str);
  g_signal_connect (row, "changed", G_CALLBACK (template_changed_cb), NULL);
  g_signal_connect_object (row, "apply", G_CALLBACK (template_apply_cb), settings, 0);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);

  triggers = gtk_string_list_new (NULL);
  gtk_string_list_append (triggers, _("Never (button only)"));
  gtk_string_list_append (triggers, _("When the call rings"));
  gtk_string_list_append (triggers, _("When the call is answered"));
  gtk_string_list_append (triggers, _("When the call ends"));
  row = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("_Open Automatically"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (triggers));
  g_object_unref (triggers);
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), sp_account_get_url_trigger (account));
  g_signal_connect_object (row, "notify::selected", G_CALLBACK (trigger_selected_cb), settings, 0);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("_Ring Timeout (Seconds)"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("A ring with no reported end is taken as over after this long"));
  spin = gtk_spin_button_new_with_range (5, 600, 5);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  g_settings_bind (settings, "ring-timeout", spin, "value", G_SETTINGS_BIND_DEFAULT);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);

  return expander;
}

static void
dial_account_selected_cb (SpPreferencesWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->dial_account_row);

  if (selected < self->dial_ids->len)
    g_settings_set_string (self->settings, "dial-account", g_ptr_array_index (self->dial_ids, selected));
}

/* Only the accounts that can place calls are offered; "Automatic" is the first enabled one
 * that can. */
static void
rebuild_dial_accounts (SpPreferencesWindow *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  g_autofree char *current = g_settings_get_string (self->settings, "dial-account");
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));
  guint selected = 0;

  g_signal_handlers_block_by_func (self->dial_account_row, dial_account_selected_cb, self);

  g_ptr_array_set_size (self->dial_ids, 0);
  g_ptr_array_add (self->dial_ids, g_strdup (""));
  gtk_string_list_append (names, _("Automatic"));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);
      SpSource *source = sp_account_get_source (account);
      g_autofree char *name = NULL;

      if (source == NULL || !sp_source_can_perform (source, "dial"))
        continue;

      name = sp_account_dup_display_name (account);
      if (g_strcmp0 (current, sp_account_get_id (account)) == 0)
        selected = self->dial_ids->len;
      g_ptr_array_add (self->dial_ids, g_strdup (sp_account_get_id (account)));
      gtk_string_list_append (names, name);
    }

  adw_combo_row_set_model (self->dial_account_row, G_LIST_MODEL (names));
  adw_combo_row_set_selected (self->dial_account_row, selected);

  g_signal_handlers_unblock_by_func (self->dial_account_row, dial_account_selected_cb, self);
}

static void
rebuild_accounts (SpPreferencesWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));

  for (guint i = 0; i < self->account_rows->len; i++)
    adw_preferences_group_remove (self->accounts_group, g_ptr_array_index (self->account_rows, i));
  g_ptr_array_set_size (self->account_rows, 0);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);
      GtkWidget *row = account_row (account);

      g_ptr_array_add (self->account_rows, row);
      adw_preferences_group_add (self->accounts_group, row);
    }

  rebuild_dial_accounts (self);
}

static void
sp_preferences_window_dispose (GObject *object)
{
  SpPreferencesWindow *self = (SpPreferencesWindow *)object;

  g_clear_object (&self->settings);
  g_clear_object (&self->accounts);
  g_clear_object (&self->history);
  g_clear_pointer (&self->account_rows, g_ptr_array_unref);
  g_clear_pointer (&self->dial_ids, g_ptr_array_unref);

  gtk_widget_dispose_template (GTK_WIDGET (self), SP_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (sp_preferences_window_parent_class)->dispose (object);
}

static void
sp_preferences_window_class_init (SpPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_preferences_window_dispose;

  sp_application_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/screenpop/Screenpop/sp-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SpPreferencesWindow, autostart_switch);
  gtk_widget_class_bind_template_child (widget_class, SpPreferencesWindow, dnd_switch);
  gtk_widget_class_bind_template_child (widget_class, SpPreferencesWindow, sound_switch);
  gtk_widget_class_bind_template_child (widget_class, SpPreferencesWindow, history_days_spin);
  gtk_widget_class_bind_template_child (widget_class, SpPreferencesWindow, hosts_row);
  gtk_widget_class_bind_template_child (widget_class, SpPreferencesWindow, executables_row);
  gtk_widget_class_bind_template_child (widget_class, SpPreferencesWindow, accounts_group);
  gtk_widget_class_bind_template_child (widget_class, SpPreferencesWindow, dial_account_row);
  gtk_widget_class_bind_template_callback (widget_class, autostart_state_set_cb);
  gtk_widget_class_bind_template_callback (widget_class, clear_history_clicked_cb);
}

static void
sp_preferences_window_init (SpPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->account_rows = g_ptr_array_new ();
  self->dial_ids = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect_swapped (self->dial_account_row, "notify::selected",
                            G_CALLBACK (dial_account_selected_cb), self);
}

/**
 * sp_preferences_window_new:
 * @settings: the app's settings
 * @accounts: the accounts to edit
 * @history: (nullable): the history, for "Clear History"; %NULL when it cannot be used
 *
 * Returns: (transfer full): a new preferences window
 */
SpPreferencesWindow *
sp_preferences_window_new (GSettings  *settings,
                           SpAccounts *accounts,
                           SpHistory  *history)
{
  SpPreferencesWindow *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (SP_IS_ACCOUNTS (accounts), NULL);

  self = g_object_new (SP_TYPE_PREFERENCES_WINDOW, NULL);
  self->settings = g_object_ref (settings);
  self->accounts = g_object_ref (accounts);
  self->history = history ? g_object_ref (history) : NULL;

  gtk_switch_set_active (self->autostart_switch, sp_autostart_get_enabled (settings));
  gtk_switch_set_state (self->autostart_switch, sp_autostart_get_enabled (settings));
  g_settings_bind (settings, "do-not-disturb", self->dnd_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "play-sound", self->sound_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "history-days", self->history_days_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (settings, "allowed-hosts", self->hosts_row, "text", G_SETTINGS_BIND_DEFAULT,
                                sp_settings_strv_to_text, sp_settings_text_to_strv, NULL, NULL);
  g_settings_bind_with_mapping (settings, "allowed-executables", self->executables_row, "text",
                                G_SETTINGS_BIND_DEFAULT,
                                sp_settings_strv_to_text, sp_settings_text_to_strv, NULL, NULL);

  g_signal_connect_object (accounts, "items-changed", G_CALLBACK (rebuild_accounts), self,
                           G_CONNECT_SWAPPED);
  rebuild_accounts (self);

  return self;
}
