/* sp-directories-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Caller ID page of Preferences: the region numbers are read in, and the directories
 * in the order they are trusted, each with its state (the kind, or why its last lookup
 * failed), a switch, and buttons to move it up, edit or remove it.
 */

#define G_LOG_DOMAIN "sp-directories-page"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-directories-page.h"
#include "sp-directory-editor.h"
#include "sp-directory-kind.h"
#include "sp-secret.h"

struct _SpDirectoriesPage
{
  AdwPreferencesPage   parent_instance;

  GSettings           *settings;
  SpCallerId          *caller_id;
  AdwEntryRow         *region_row;
  AdwPreferencesGroup *group;
  GPtrArray           *rows;
};

G_DEFINE_FINAL_TYPE (SpDirectoriesPage, sp_directories_page, ADW_TYPE_PREFERENCES_PAGE)

static void rebuild (SpDirectoriesPage *self);

static void
open_editor (SpDirectoriesPage *self,
             const char        *id)
{
  SpDirectoryEditor *editor = sp_directory_editor_new (self->settings, id);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (editor), GTK_WINDOW (root));
  gtk_window_set_modal (GTK_WINDOW (editor), TRUE);
  gtk_window_present (GTK_WINDOW (editor));
}

static void
add_clicked_cb (SpDirectoriesPage *self)
{
  open_editor (self, NULL);
}

static void
set_ids (SpDirectoriesPage *self,
         GPtrArray         *ids)
{
  g_ptr_array_add (ids, NULL);
  g_settings_set_strv (self->settings, "directories", (const char * const *) ids->pdata);
}

static GPtrArray *
dup_ids (SpDirectoriesPage *self)
{
  g_auto(GStrv) ids = g_settings_get_strv (self->settings, "directories");
  GPtrArray *array = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; ids[i] != NULL; i++)
    g_ptr_array_add (array, g_strdup (ids[i]));
  return array;
}

/* dir.up(s): ask directory s one place earlier. */
static void
move_up_activated (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  SpDirectoriesPage *self = user_data;
  const char *id = g_variant_get_string (parameter, NULL);
  g_autoptr(GPtrArray) ids = dup_ids (self);

  for (guint i = 1; i < ids->len; i++)
    if (g_strcmp0 (g_ptr_array_index (ids, i), id) == 0)
      {
        gpointer previous = ids->pdata[i - 1];
        ids->pdata[i - 1] = ids->pdata[i];
        ids->pdata[i] = previous;
        break;
      }
  set_ids (self, ids);
}

/* dir.remove(s) */
static void
remove_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  SpDirectoriesPage *self = user_data;
  const char *id = g_variant_get_string (parameter, NULL);
  g_autoptr(GPtrArray) ids = dup_ids (self);
  g_autofree char *secret_key = g_strconcat ("directory:", id, NULL);
  g_autoptr(GSettings) settings = sp_directory_settings_new (id);
  const char * const keys[] = { "kind", "label", "enabled", "url", "login", "options" };

  for (guint i = 0; i < ids->len; i++)
    if (g_strcmp0 (g_ptr_array_index (ids, i), id) == 0)
      g_ptr_array_remove_index (ids, i--);

  /* Nothing of a removed directory stays behind: not its settings, not its password. */
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (settings, keys[i]);
  sp_secret_clear_async (secret_key, NULL, NULL, NULL);

  set_ids (self, ids);
}

/* dir.edit(s) */
static void
edit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  open_editor (user_data, g_variant_get_string (parameter, NULL));
}

static void
row_activated_cb (AdwActionRow      *row,
                  SpDirectoriesPage *self)
{
  open_editor (self, g_object_get_data (G_OBJECT (row), "directory-id"));
}

static void
update_subtitle (AdwActionRow *row,
                 GParamSpec   *pspec,
                 SpDirectory  *directory);

/* notify::last-error, swapped: (row, pspec, directory). */
static void
last_error_cb (AdwActionRow *row,
               GParamSpec   *pspec,
               SpDirectory  *directory)
{
  update_subtitle (row, pspec, directory);
}

static void
update_subtitle (AdwActionRow *row,
                 GParamSpec   *pspec,
                 SpDirectory  *directory)
{
  GSettings *settings = sp_directory_get_settings (directory);
  g_autofree char *kind_id = g_settings_get_string (settings, SP_DIRECTORY_KEY_KIND);
  const SpDirectoryKind *kind = sp_directory_kind_lookup (kind_id);
  const char *error = sp_directory_get_last_error (directory);
  g_autofree char *subtitle = NULL;

  if (error != NULL)
    /* Translators: %s says why a directory's last lookup failed */
    subtitle = g_strdup_printf (_("Not answering: %s"), error);
  else
    subtitle = g_strdup (kind != NULL ? _(kind->label) : kind_id);

  /* Only the icon is coloured: a whole amber row (buttons and all) read as disabled. */
  adw_action_row_set_subtitle (row, subtitle);
  {
    GtkWidget *icon = g_object_get_data (G_OBJECT (row), "state-icon");

    /* Always an icon, so that the names stay in one column whichever rows fail. */
    gtk_image_set_from_icon_name (GTK_IMAGE (icon), error != NULL ? "dialog-warning-symbolic"
                                                                  : "x-office-address-book-symbolic");
    if (error != NULL)
      {
        gtk_widget_add_css_class (icon, "warning");
        gtk_widget_remove_css_class (icon, "dim-label");
      }
    else
      {
        gtk_widget_add_css_class (icon, "dim-label");
        gtk_widget_remove_css_class (icon, "warning");
      }
    gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    error != NULL ? _("Not answering") : _("Directory"), -1);
  }
  gtk_widget_set_tooltip_text (GTK_WIDGET (row), error != NULL ? subtitle : NULL);
}

/* The row's menu: Edit, Ask Earlier and Remove, for directory @id. Three icon buttons and a
 * switch left a narrow window no room for the name and the error. */
static GtkWidget *
row_menu_button (const char *id,
                 gboolean    first)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) order = g_menu_new ();
  g_autoptr(GMenu) danger = g_menu_new ();
  GtkWidget *button = gtk_menu_button_new ();
  struct { GMenu *section; const char *label; const char *action; } items[] = {
    { menu, N_("_Edit…"), "dir.edit" },
    { order, N_("Ask _Earlier"), "dir.up" },
    { danger, N_("_Remove"), "dir.remove" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      g_autoptr(GMenuItem) item = NULL;

      if (items[i].section == order && first)
        continue;  /* the first is asked first already */
      item = g_menu_item_new (_(items[i].label), NULL);
      g_menu_item_set_action_and_target_value (item, items[i].action, g_variant_new_string (id));
      g_menu_append_item (items[i].section, item);
    }
  g_menu_append_section (menu, NULL, G_MENU_MODEL (order));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (danger));

  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "view-more-symbolic");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), G_MENU_MODEL (menu));
  gtk_widget_set_tooltip_text (button, _("Directory Menu"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Directory Menu"), -1);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  return button;
}

static GtkWidget *
directory_row (SpDirectoriesPage *self,
               SpDirectory       *directory,
               gboolean           first)
{
  const char *id = sp_directory_get_id (directory);
  g_autofree char *label = sp_directory_dup_label (directory);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *toggle = gtk_switch_new ();
  GtkWidget *icon = gtk_image_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), *label ? label : _("Unnamed"));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  g_object_set_data_full (G_OBJECT (row), "directory-id", g_strdup (id), g_free);

  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  g_object_set_data (G_OBJECT (row), "state-icon", icon);
  update_subtitle (ADW_ACTION_ROW (row), NULL, directory);
  g_signal_connect_object (directory, "notify::last-error", G_CALLBACK (last_error_cb), row,
                           G_CONNECT_SWAPPED);

  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (toggle), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Enabled"), -1);
  g_settings_bind (sp_directory_get_settings (directory), SP_DIRECTORY_KEY_ENABLED, toggle,
                   "active", G_SETTINGS_BIND_DEFAULT);

  /* The row itself opens the editor, as an account's row does. */
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_signal_connect_object (row, "activated", G_CALLBACK (row_activated_cb), self, 0);

  adw_action_row_add_suffix (ADW_ACTION_ROW (row), row_menu_button (id, first));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
  return row;
}

static void
rebuild (SpDirectoriesPage *self)
{
  GListModel *directories = sp_caller_id_get_directories (self->caller_id);
  guint n = g_list_model_get_n_items (directories);

  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (self->group, g_ptr_array_index (self->rows, i));
  g_ptr_array_set_size (self->rows, 0);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpDirectory) directory = g_list_model_get_item (directories, i);
      GtkWidget *row = directory_row (self, directory, i == 0);

      adw_preferences_group_add (self->group, row);
      g_ptr_array_add (self->rows, row);
    }

  if (n == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No Directories"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   _("Calls show what the phone system sends. Add a directory to see who is calling."));
      adw_preferences_group_add (self->group, row);
      g_ptr_array_add (self->rows, row);
    }
}

static void
sp_directories_page_dispose (GObject *object)
{
  SpDirectoriesPage *self = (SpDirectoriesPage *)object;

  g_clear_object (&self->settings);
  g_clear_object (&self->caller_id);
  g_clear_pointer (&self->rows, g_ptr_array_unref);

  G_OBJECT_CLASS (sp_directories_page_parent_class)->dispose (object);
}

static void
sp_directories_page_class_init (SpDirectoriesPageClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = sp_directories_page_dispose;
}

static void
sp_directories_page_init (SpDirectoriesPage *self)
{
  const GActionEntry entries[] = {
    { "edit", edit_activated, "s" },
    { "up", move_up_activated, "s" },
    { "remove", remove_activated, "s" },
  };
  g_autoptr(GSimpleActionGroup) actions = g_simple_action_group_new ();

  self->rows = g_ptr_array_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (actions), entries, G_N_ELEMENTS (entries), self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "dir", G_ACTION_GROUP (actions));
}

/**
 * sp_directories_page_new:
 * @settings: the app's settings
 * @caller_id: the engine's caller identification
 *
 * Returns: (transfer floating): the Caller ID page of Preferences
 */
SpDirectoriesPage *
sp_directories_page_new (GSettings  *settings,
                         SpCallerId *caller_id)
{
  SpDirectoriesPage *self;
  GtkWidget *numbers = adw_preferences_group_new ();
  GtkWidget *add = gtk_button_new ();
  GtkWidget *add_content = adw_button_content_new ();
  g_autofree char *locale_region = sp_phone_number_dup_locale_region ();
  g_autofree char *region_hint = NULL;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (SP_IS_CALLER_ID (caller_id), NULL);

  self = g_object_new (SP_TYPE_DIRECTORIES_PAGE, NULL);
  self->settings = g_object_ref (settings);
  self->caller_id = g_object_ref (caller_id);

  adw_preferences_page_set_title (ADW_PREFERENCES_PAGE (self), _("Caller ID"));
  adw_preferences_page_set_icon_name (ADW_PREFERENCES_PAGE (self), "avatar-default-symbolic");

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (numbers), _("Phone Numbers"));
  if (locale_region != NULL)
    /* Translators: %s is a two-letter region code such as JP */
    region_hint = g_strdup_printf (_("Two letters, such as JP or DE. Empty: %s, from the language settings."),
                                   locale_region);
  else
    region_hint = g_strdup (_("Two letters, such as JP or DE, for numbers without a country code."));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (numbers), region_hint);
  self->region_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->region_row), _("_Region"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (self->region_row), TRUE);
  g_settings_bind (settings, "phone-region", self->region_row, "text", G_SETTINGS_BIND_DEFAULT);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (numbers), GTK_WIDGET (self->region_row));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self), ADW_PREFERENCES_GROUP (numbers));

  self->group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->group, _("Directories"));
  adw_preferences_group_set_description (self->group,
                                         _("Asked together when a call rings; the first in this list that knows the number names the caller."));
  adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (add_content), "list-add-symbolic");
  adw_button_content_set_label (ADW_BUTTON_CONTENT (add_content), _("A_dd Directory"));
  adw_button_content_set_use_underline (ADW_BUTTON_CONTENT (add_content), TRUE);
  gtk_button_set_child (GTK_BUTTON (add), add_content);
  gtk_widget_add_css_class (add, "flat");
  g_signal_connect_swapped (add, "clicked", G_CALLBACK (add_clicked_cb), self);
  adw_preferences_group_set_header_suffix (self->group, add);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self), self->group);

  g_signal_connect_object (sp_caller_id_get_directories (caller_id), "items-changed",
                           G_CALLBACK (rebuild), self, G_CONNECT_SWAPPED);
  rebuild (self);

  return self;
}
