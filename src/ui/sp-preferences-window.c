/* sp-preferences-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-account-editor.h"
#include "sp-autostart.h"
#include "sp-preferences-window.h"
#include "sp-source-kind.h"

/*
 * Preferences: background and notifications, the accounts, and privacy (history
 * retention, which hosts and programs servers may make us open). Every control of the
 * window is bound to GSettings, so a change applies at once and administrators can lock
 * any of it through dconf. An account opens in the account editor (the form of "Add
 * Account"), whose changes apply together on Save, after Test Connection if wanted.
 */

struct _SpPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  SpAccountList           *accounts;
  SpHistory            *history;
  GPtrArray            *account_rows;

  GtkSwitch            *autostart_switch;
  GtkSwitch            *dnd_switch;
  GtkSwitch            *click_switch;
  GtkSwitch            *sound_switch;
  GtkSpinButton        *history_days_spin;
  AdwEntryRow          *hosts_row;
  AdwEntryRow          *executables_row;
  AdwPreferencesGroup  *accounts_group;
  AdwComboRow          *dial_account_row;
  AdwComboRow          *lock_screen_row;
  GPtrArray            *dial_ids;   /* row index → account id; index 0 is "automatic" */
  SpAccountEditor      *editor;     /* the account being edited, in the subpage */
  GCancellable         *save_cancellable;
};

G_DEFINE_FINAL_TYPE (SpPreferencesWindow, sp_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void rebuild_accounts (SpPreferencesWindow *self);

/* A g_settings_bind_with_mapping() mapping: a string list shown as "a, b, c". */
static gboolean
strv_to_text (GValue   *value,
              GVariant *variant,
              gpointer  user_data)
{
  g_autofree const char **strv = g_variant_get_strv (variant, NULL);

  g_value_take_string (value, g_strjoinv (", ", (char **) strv));
  return TRUE;
}

/* The reverse of strv_to_text(): commas and spaces separate, empty parts go. */
static GVariant *
text_to_strv (const GValue       *value,
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

static void account_saved_cb (GObject      *object,
                              GAsyncResult *result,
                              gpointer      user_data);

static void
save_clicked_cb (SpPreferencesWindow *self)
{
  if (self->editor == NULL)
    return;

  g_cancellable_cancel (self->save_cancellable);
  g_clear_object (&self->save_cancellable);
  self->save_cancellable = g_cancellable_new ();
  sp_account_editor_save_async (self->editor, self->save_cancellable, account_saved_cb,
                                g_object_ref (self));
}

static void
account_saved_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SpPreferencesWindow) self = user_data;
  g_autoptr(SpAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  account = sp_account_editor_save_finish (SP_ACCOUNT_EDITOR (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* On failure the editor says why under the form, and stays open. */
  if (account == NULL)
    return;

  adw_preferences_window_close_subpage (ADW_PREFERENCES_WINDOW (self));
  g_clear_object (&self->editor);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (_("Account saved")));
  rebuild_accounts (self);
}

static void
back_clicked_cb (SpPreferencesWindow *self)
{
  g_cancellable_cancel (self->save_cancellable);
  adw_preferences_window_close_subpage (ADW_PREFERENCES_WINDOW (self));
  g_clear_object (&self->editor);
}

static void
account_activated_cb (SpPreferencesWindow *self,
                      AdwActionRow        *row)
{
  sp_preferences_window_edit_account (self, g_object_get_data (G_OBJECT (row), "account-id"));
}

/* A row per account: its name and kind, the switch that connects it, and the way to the
 * account editor. */
static GtkWidget *
account_row (SpPreferencesWindow *self,
             SpAccount           *account)
{
  g_autofree char *name = sp_account_dup_display_name (account);
  g_autofree char *kind = sp_account_dup_kind (account);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *toggle = gtk_switch_new ();
  GtkWidget *arrow = gtk_image_new_from_icon_name ("go-next-symbolic");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), sp_source_kind_label_for_id (kind));
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (toggle, _("Connect this account"));
  g_settings_bind (sp_account_get_settings (account), "enabled", toggle, "active",
                   G_SETTINGS_BIND_DEFAULT);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), arrow);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "account-id", g_strdup (sp_account_get_id (account)),
                          g_free);
  g_signal_connect_object (row, "activated", G_CALLBACK (account_activated_cb), self,
                           G_CONNECT_SWAPPED);

  return row;
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
      SpSource *source = sp_account_list_get_source (self->accounts, sp_account_get_id (account));
      g_autofree char *name = NULL;

      if (source == NULL || !sp_source_can_perform (source, SP_SOURCE_ACTION_DIAL))
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
      GtkWidget *row = account_row (self, account);

      g_ptr_array_add (self->account_rows, row);
      adw_preferences_group_add (self->accounts_group, row);
    }

  rebuild_dial_accounts (self);
}

static void
sp_preferences_window_dispose (GObject *object)
{
  SpPreferencesWindow *self = (SpPreferencesWindow *)object;

  g_cancellable_cancel (self->save_cancellable);
  g_clear_object (&self->save_cancellable);
  g_clear_object (&self->editor);
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

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/screenpop/Screenpop/sp-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SpPreferencesWindow, autostart_switch);
  gtk_widget_class_bind_template_child (widget_class, SpPreferencesWindow, dnd_switch);
  gtk_widget_class_bind_template_child (widget_class, SpPreferencesWindow, click_switch);
  gtk_widget_class_bind_template_child (widget_class, SpPreferencesWindow, sound_switch);
  gtk_widget_class_bind_template_child (widget_class, SpPreferencesWindow, lock_screen_row);
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

/* The "lock-screen" choices, in the order of the combo row's items. */
static const char *lock_screen_nicks[] = { "show", "hide-content", "hide" };

static gboolean
lock_screen_get_mapping (GValue   *value,
                         GVariant *variant,
                         gpointer  user_data)
{
  const char *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (lock_screen_nicks); i++)
    {
      if (g_str_equal (nick, lock_screen_nicks[i]))
        {
          g_value_set_uint (value, i);
          return TRUE;
        }
    }

  return FALSE;
}

static GVariant *
lock_screen_set_mapping (const GValue       *value,
                         const GVariantType *expected_type,
                         gpointer            user_data)
{
  guint selected = g_value_get_uint (value);

  if (selected >= G_N_ELEMENTS (lock_screen_nicks))
    return NULL;

  return g_variant_new_string (lock_screen_nicks[selected]);
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
                           SpAccountList *accounts,
                           SpHistory  *history)
{
  SpPreferencesWindow *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (SP_IS_ACCOUNT_LIST (accounts), NULL);

  self = g_object_new (SP_TYPE_PREFERENCES_WINDOW, NULL);
  self->settings = g_object_ref (settings);
  self->accounts = g_object_ref (accounts);
  self->history = history ? g_object_ref (history) : NULL;

  gtk_switch_set_active (self->autostart_switch, sp_autostart_get_enabled (settings));
  gtk_switch_set_state (self->autostart_switch, sp_autostart_get_enabled (settings));
  g_settings_bind (settings, "do-not-disturb", self->dnd_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "click-opens-page", self->click_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "play-sound", self->sound_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (settings, "lock-screen", self->lock_screen_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, lock_screen_get_mapping,
                                lock_screen_set_mapping, NULL, NULL);
  g_settings_bind (settings, "history-days", self->history_days_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (settings, "allowed-hosts", self->hosts_row, "text", G_SETTINGS_BIND_DEFAULT,
                                strv_to_text, text_to_strv, NULL, NULL);
  g_settings_bind_with_mapping (settings, "allowed-executables", self->executables_row, "text",
                                G_SETTINGS_BIND_DEFAULT,
                                strv_to_text, text_to_strv, NULL, NULL);

  g_signal_connect_object (accounts, "items-changed", G_CALLBACK (rebuild_accounts), self,
                           G_CONNECT_SWAPPED);
  rebuild_accounts (self);

  return self;
}

/**
 * sp_preferences_window_edit_account:
 * @account_id: the id of an account
 *
 * Shows the account editor for @account_id, as activating its row does.
 *
 * Returns: (transfer none) (nullable): the editor, or %NULL if there is no such account
 */
SpAccountEditor *
sp_preferences_window_edit_account (SpPreferencesWindow *self,
                                    const char          *account_id)
{
  SpAccount *account;
  g_autofree char *name = NULL;
  g_autofree char *kind = NULL;
  GtkWidget *page;
  GtkWidget *header;
  GtkWidget *back;
  GtkWidget *save;

  g_return_val_if_fail (SP_IS_PREFERENCES_WINDOW (self), NULL);

  account = account_id != NULL ? sp_account_list_lookup (self->accounts, account_id) : NULL;
  if (account == NULL)
    return NULL;

  name = sp_account_dup_display_name (account);
  kind = sp_account_dup_kind (account);

  g_cancellable_cancel (self->save_cancellable);
  g_clear_object (&self->editor);
  self->editor = g_object_ref_sink (sp_account_editor_new (self->accounts, account));
  gtk_widget_set_vexpand (GTK_WIDGET (self->editor), TRUE);

  header = adw_header_bar_new ();
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header),
                                   adw_window_title_new (name, sp_source_kind_label_for_id (kind)));
  back = gtk_button_new_from_icon_name ("go-previous-symbolic");
  gtk_widget_set_tooltip_text (back, _("Back"));
  g_signal_connect_object (back, "clicked", G_CALLBACK (back_clicked_cb), self, G_CONNECT_SWAPPED);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), back);
  save = gtk_button_new_with_mnemonic (_("_Save"));
  gtk_widget_set_name (save, "save_button");
  gtk_widget_add_css_class (save, "suggested-action");
  g_object_bind_property (self->editor, "can-save", save, "sensitive", G_BINDING_SYNC_CREATE);
  g_signal_connect_object (save, "clicked", G_CALLBACK (save_clicked_cb), self, G_CONNECT_SWAPPED);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), save);

  page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (page), header);
  gtk_box_append (GTK_BOX (page), GTK_WIDGET (self->editor));
  adw_preferences_window_present_subpage (ADW_PREFERENCES_WINDOW (self), page);

  return self->editor;
}
