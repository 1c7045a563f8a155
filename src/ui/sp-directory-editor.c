/* sp-directory-editor.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Adds or edits one directory. The form is built from the kind's field list in the
 * registry (sp-directory-kind.c), so a new kind needs no UI code. The directory's settings
 * are edited in delayed mode: nothing applies before Save, yet "Test" looks a number up with
 * exactly what is typed (a password typed but not saved included, never written anywhere).
 */

#define G_LOG_DOMAIN "sp-directory-editor"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-directory-editor.h"
#include "sp-directory-kind.h"
#include "sp-secret.h"

#define TEST_TIMEOUT_SECONDS 10

struct _SpDirectoryEditor
{
  AdwWindow             parent_instance;

  GSettings            *settings;        /* the app's */
  GSettings            *dir_settings;    /* the directory's, delayed */
  char                 *id;
  gboolean              is_new;
  const SpDirectoryKind *kind;

  AdwPreferencesGroup  *main_group;
  AdwComboRow          *kind_row;
  AdwEntryRow          *label_row;
  GPtrArray            *field_rows;      /* (element-type GtkWidget) in kind->fields order */
  GPtrArray            *hint_rows;       /* (element-type GtkWidget) the fields' visible hints */
  AdwEntryRow          *number_row;
  AdwActionRow         *result_row;
  GtkImage             *result_icon;
  guint                 scroll_source;
  GtkButton            *save_button;
  GCancellable         *test_cancellable;
  GCancellable         *choices_cancellable;  /* listing a choice field's items */
  char                 *test_result;
};

G_DEFINE_FINAL_TYPE (SpDirectoryEditor, sp_directory_editor, ADW_TYPE_WINDOW)

/* A choice field's row is a combo row whose items' ids (what is stored) are kept beside
 * its model of labels; the first item is always the choice of none, id "". */
#define CHOICE_IDS "sp-choice-ids"

static const char *
choice_value_of (GtkWidget *row)
{
  GPtrArray *ids = g_object_get_data (G_OBJECT (row), CHOICE_IDS);
  guint selected = adw_combo_row_get_selected (ADW_COMBO_ROW (row));

  return selected < ids->len ? g_ptr_array_index (ids, selected) : "";
}

static const char *
field_value_of (SpDirectoryEditor      *self,
                const SpDirectoryField *field)
{
  for (guint i = 0; self->kind->fields[i].key != NULL; i++)
    if (&self->kind->fields[i] == field)
      {
        GtkWidget *row = g_ptr_array_index (self->field_rows, i);

        if (field->type == SP_DIRECTORY_FIELD_CHOICE)
          return choice_value_of (row);
        return gtk_editable_get_text (GTK_EDITABLE (row));
      }
  return "";
}

/* Fills a choice row: the choice of none, @choices (%NULL: not listed, or the listing
 * failed), and @keep (the value stored, or chosen before the list arrived) when it is not
 * among them — a book that is gone, or a session without address books, must not quietly
 * turn a saved choice into "all". */
static void
fill_choices (GtkWidget              *row,
              const SpDirectoryField *field,
              GPtrArray              *choices,
              const char             *keep)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *kept = g_strdup (keep);
  guint selected = 0;

  gtk_string_list_append (labels, _(field->fallback));
  g_ptr_array_add (ids, g_strdup (""));
  for (guint i = 0; choices != NULL && i < choices->len; i++)
    {
      SpDirectoryChoice *choice = g_ptr_array_index (choices, i);

      gtk_string_list_append (labels, choice->label);
      g_ptr_array_add (ids, g_strdup (choice->id));
      if (g_strcmp0 (choice->id, kept) == 0)
        selected = ids->len - 1;
    }
  if (kept != NULL && *kept != '\0' && selected == 0)
    {
      /* Translators: a saved choice (an address book's uid) that is not there now */
      g_autofree char *label = choices != NULL ? g_strdup_printf (_("%s (not found)"), kept)
                                               : g_strdup (kept);

      gtk_string_list_append (labels, label);
      g_ptr_array_add (ids, g_strdup (kept));
      selected = ids->len - 1;
    }

  g_object_set_data_full (G_OBJECT (row), CHOICE_IDS, g_steal_pointer (&ids),
                          (GDestroyNotify) g_ptr_array_unref);
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (labels));
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), selected);
}

static void
list_choices_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  const SpDirectoryField *field = task_data;
  GError *error = NULL;
  GPtrArray *choices = field->list_choices (cancellable, &error);

  if (choices == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, choices, (GDestroyNotify) g_ptr_array_unref);
}

static void
choices_listed_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  SpDirectoryEditor *self = SP_DIRECTORY_EDITOR (object);
  const SpDirectoryField *field = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) choices = g_task_propagate_pointer (G_TASK (result), &error);

  /* Cancelled: the window went, or another kind's form replaced this one. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  for (guint i = 0; self->kind->fields[i].key != NULL; i++)
    if (&self->kind->fields[i] == field)
      {
        GtkWidget *row = g_ptr_array_index (self->field_rows, i);
        g_autofree char *current = g_strdup (choice_value_of (row));

        fill_choices (row, field, choices, current);
        if (error != NULL)
          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), error->message);
      }
}

static char *
dup_stored (SpDirectoryEditor      *self,
            const SpDirectoryField *field)
{
  g_autoptr(GVariant) options = NULL;
  const char *value = NULL;

  if (g_strcmp0 (field->key, SP_DIRECTORY_KEY_URL) == 0 ||
      g_strcmp0 (field->key, SP_DIRECTORY_KEY_LOGIN) == 0)
    return g_settings_get_string (self->dir_settings, field->key);
  if (field->type == SP_DIRECTORY_FIELD_SECRET)
    return g_strdup ("");

  options = g_settings_get_value (self->dir_settings, SP_DIRECTORY_KEY_OPTIONS);
  if (g_variant_lookup (options, field->key, "&s", &value))
    return g_strdup (value);
  return g_strdup ("");
}

/* The form into the (delayed) settings: what Test reads, and what Save applies. */
static void
write_form (SpDirectoryEditor *self)
{
  g_auto(GVariantBuilder) options = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{ss}"));

  g_settings_set_string (self->dir_settings, SP_DIRECTORY_KEY_KIND, self->kind->id);
  g_settings_set_string (self->dir_settings, SP_DIRECTORY_KEY_LABEL,
                         gtk_editable_get_text (GTK_EDITABLE (self->label_row)));

  for (guint i = 0; self->kind->fields[i].key != NULL; i++)
    {
      const SpDirectoryField *field = &self->kind->fields[i];
      const char *text = field_value_of (self, field);

      if (field->type == SP_DIRECTORY_FIELD_SECRET)
        continue;
      if (g_strcmp0 (field->key, SP_DIRECTORY_KEY_URL) == 0 ||
          g_strcmp0 (field->key, SP_DIRECTORY_KEY_LOGIN) == 0)
        g_settings_set_string (self->dir_settings, field->key, g_strstrip (g_strdup (text)) ?: "");
      else if (*text != '\0')
        g_variant_builder_add (&options, "{ss}", field->key, text);
    }

  g_settings_set_value (self->dir_settings, SP_DIRECTORY_KEY_OPTIONS,
                        g_variant_builder_end (&options));
}

static const char *
typed_secret (SpDirectoryEditor *self)
{
  for (guint i = 0; self->kind->fields[i].key != NULL; i++)
    if (self->kind->fields[i].type == SP_DIRECTORY_FIELD_SECRET)
      {
        const char *text = field_value_of (self, &self->kind->fields[i]);
        return *text != '\0' ? text : NULL;
      }
  return NULL;
}

/* A field's hint as its own quiet row right under the field, so that it is read while
 * typing (a tooltip is found by nobody, and AdwEntryRow has no subtitle). */
static GtkWidget *
hint_row (const char *hint)
{
  /* An AdwPreferencesRow, or the group would put it below its list instead of in it. */
  GtkWidget *row = adw_preferences_row_new ();
  GtkWidget *label = gtk_label_new (hint);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), FALSE);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_set_margin_bottom (label, 8);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_focusable (row, FALSE);
  /* The entry carries the hint as its description; this row is only for the eyes. */
  gtk_accessible_update_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  return row;
}

static void
build_fields (SpDirectoryEditor *self)
{
  for (guint i = 0; i < self->hint_rows->len; i++)
    adw_preferences_group_remove (self->main_group, g_ptr_array_index (self->hint_rows, i));
  g_ptr_array_set_size (self->hint_rows, 0);
  for (guint i = 0; i < self->field_rows->len; i++)
    adw_preferences_group_remove (self->main_group, g_ptr_array_index (self->field_rows, i));
  g_ptr_array_set_size (self->field_rows, 0);

  if (self->choices_cancellable != NULL)
    {
      g_cancellable_cancel (self->choices_cancellable);
      g_clear_object (&self->choices_cancellable);
    }

  for (guint i = 0; self->kind->fields[i].key != NULL; i++)
    {
      const SpDirectoryField *field = &self->kind->fields[i];
      g_autofree char *stored = dup_stored (self, field);
      GtkWidget *row;

      if (field->type == SP_DIRECTORY_FIELD_CHOICE)
        {
          g_autoptr(GTask) task = NULL;

          /* The choice of none and the stored one at once; the rest when listed (a
           * service on the bus may take a moment to answer, or not be there). */
          row = adw_combo_row_new ();
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(field->title));
          adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
          if (field->hint != NULL)
            adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _(field->hint));
          fill_choices (row, field, NULL, stored);
          gtk_widget_set_name (row, field->key);
          adw_preferences_group_add (self->main_group, row);
          g_ptr_array_add (self->field_rows, row);

          if (self->choices_cancellable == NULL)
            self->choices_cancellable = g_cancellable_new ();
          task = g_task_new (self, self->choices_cancellable, choices_listed_cb, NULL);
          g_task_set_source_tag (task, build_fields);
          g_task_set_task_data (task, (gpointer) field, NULL);
          g_task_run_in_thread (task, list_choices_thread);
          continue;
        }

      if (field->type == SP_DIRECTORY_FIELD_SECRET)
        row = adw_password_entry_row_new ();
      else
        row = adw_entry_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(field->title));
      gtk_editable_set_text (GTK_EDITABLE (row), stored);
      gtk_widget_set_name (row, field->key);
      adw_preferences_group_add (self->main_group, row);
      g_ptr_array_add (self->field_rows, row);

      if (field->hint != NULL)
        {
          GtkWidget *hint = hint_row (_(field->hint));

          gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                          GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _(field->hint),
                                          -1);
          adw_preferences_group_add (self->main_group, hint);
          g_ptr_array_add (self->hint_rows, hint);
        }
    }
}

static void
kind_selected_cb (SpDirectoryEditor *self)
{
  guint n_kinds;
  const SpDirectoryKind *kinds = sp_directory_kind_get_all (&n_kinds);
  guint selected = adw_combo_row_get_selected (self->kind_row);

  if (selected >= n_kinds || self->kind == &kinds[selected])
    return;
  self->kind = &kinds[selected];
  build_fields (self);
}

/* The answer shows under the Number row, at the very end of the form: bring it into view
 * once it has its size, or a person at the Test button would not see it arrive. */
static gboolean
scroll_to_result_cb (gpointer data)
{
  SpDirectoryEditor *self = data;
  GtkWidget *scrolled = gtk_widget_get_ancestor (GTK_WIDGET (self->result_row),
                                                 GTK_TYPE_SCROLLED_WINDOW);

  if (scrolled != NULL)
    {
      GtkAdjustment *adjustment =
        gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));

      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) -
                                            gtk_adjustment_get_page_size (adjustment));
    }
  self->scroll_source = 0;
  return G_SOURCE_REMOVE;
}

/* @icon says at a glance how the test went: found (success), not found (none), failed
 * (warning), or under way. */
static void
set_result (SpDirectoryEditor *self,
            const char        *icon,
            const char        *style,
            const char        *title,
            const char        *subtitle)
{
  const char * const styles[] = { "success", "warning", "dim-label" };

  gtk_image_set_from_icon_name (self->result_icon, icon);
  gtk_widget_set_visible (GTK_WIDGET (self->result_icon), icon != NULL);
  for (guint i = 0; i < G_N_ELEMENTS (styles); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->result_icon), styles[i]);
  if (style != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->result_icon), style);

  g_free (self->test_result);
  self->test_result = subtitle && *subtitle ? g_strdup_printf ("%s: %s", title, subtitle)
                                            : g_strdup (title);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->result_row), title);
  adw_action_row_set_subtitle (self->result_row, subtitle ? subtitle : "");
  gtk_widget_set_visible (GTK_WIDGET (self->result_row), TRUE);
  if (self->scroll_source == 0)
    self->scroll_source = g_timeout_add (50, scroll_to_result_cb, self);
}

static void
test_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SpDirectoryEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpContact) contact = sp_directory_lookup_finish (SP_DIRECTORY (object), result, &error);

  if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      self->test_cancellable == NULL)
    return;  /* the window went */

  if (error != NULL)
    set_result (self, "dialog-warning-symbolic", "warning", _("The directory could not be asked"),
                g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                  ? _("It did not answer within 10 seconds") : error->message);
  else if (contact == NULL)
    set_result (self, "edit-find-symbolic", "dim-label", _("Not found"), _("The directory answered, but does not know this number"));
  else
    {
      g_autoptr(GString) text = g_string_new (contact->name);

      if (contact->company != NULL)
        g_string_append_printf (text, " · %s", contact->company);
      if (contact->department != NULL)
        g_string_append_printf (text, " · %s", contact->department);
      set_result (self, "emblem-ok-symbolic", "success", _("Found"), text->str);
    }
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

/**
 * sp_directory_editor_test:
 * @number: the number to look up
 *
 * Looks @number up with what the form holds now; the answer shows under the button.
 */
void
sp_directory_editor_test (SpDirectoryEditor *self,
                          const char        *number)
{
  g_autoptr(SpDirectory) directory = NULL;
  g_autoptr(SpPhoneNumber) phone = NULL;
  g_autofree char *region = NULL;

  g_return_if_fail (SP_IS_DIRECTORY_EDITOR (self));

  write_form (self);
  region = g_settings_get_string (self->settings, "phone-region");
  phone = sp_phone_number_parse (number, region);
  if (phone->withheld)
    {
      set_result (self, NULL, NULL, _("Type a number to look up"), NULL);
      return;
    }

  directory = g_object_new (self->kind->get_type (), "id", self->id,
                            "settings", self->dir_settings, NULL);
  sp_directory_set_secret_override (directory, typed_secret (self));

  g_cancellable_cancel (self->test_cancellable);
  g_clear_object (&self->test_cancellable);
  self->test_cancellable = g_cancellable_new ();
  g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, TEST_TIMEOUT_SECONDS, cancel_cb,
                              g_object_ref (self->test_cancellable), g_object_unref);

  set_result (self, "content-loading-symbolic", "dim-label", _("Looking up…"), NULL);
  sp_directory_lookup_async (directory, phone, self->test_cancellable, test_done_cb,
                             g_object_ref (self));
}

static void
test_clicked_cb (SpDirectoryEditor *self)
{
  sp_directory_editor_test (self, gtk_editable_get_text (GTK_EDITABLE (self->number_row)));
}

static void
secret_stored_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!sp_secret_store_finish (result, &error))
    g_message ("The directory's password was not saved in the keyring: %s", error->message);
}

/**
 * sp_directory_editor_save:
 *
 * Applies the form: the settings at once, the secret to the keyring, and a new directory
 * at the end of the list.
 */
void
sp_directory_editor_save (SpDirectoryEditor *self)
{
  const char *secret;

  g_return_if_fail (SP_IS_DIRECTORY_EDITOR (self));

  write_form (self);
  g_settings_apply (self->dir_settings);

  secret = typed_secret (self);
  if (secret != NULL)
    {
      g_autofree char *key = g_strconcat ("directory:", self->id, NULL);
      g_autofree char *label = g_strdup_printf (_("Screenpop directory %s"),
                                                gtk_editable_get_text (GTK_EDITABLE (self->label_row)));

      sp_secret_store_async (key, label, secret, NULL, secret_stored_cb, NULL);
    }

  if (self->is_new)
    {
      g_auto(GStrv) ids = g_settings_get_strv (self->settings, "directories");
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) next = NULL;

      g_strv_builder_addv (builder, (const char **) ids);
      g_strv_builder_add (builder, self->id);
      next = g_strv_builder_end (builder);
      g_settings_set_strv (self->settings, "directories", (const char * const *) next);
      self->is_new = FALSE;
    }
  else
    {
      /* The caller-id rebuilds what changed on this signal too. */
      g_auto(GStrv) ids = g_settings_get_strv (self->settings, "directories");
      g_settings_set_strv (self->settings, "directories", (const char * const *) ids);
    }

  gtk_window_close (GTK_WINDOW (self));
}

static void
sp_directory_editor_dispose (GObject *object)
{
  SpDirectoryEditor *self = (SpDirectoryEditor *)object;

  if (self->test_cancellable != NULL)
    {
      GCancellable *cancellable = g_steal_pointer (&self->test_cancellable);
      g_cancellable_cancel (cancellable);
      g_object_unref (cancellable);
    }
  if (self->choices_cancellable != NULL)
    {
      g_cancellable_cancel (self->choices_cancellable);
      g_clear_object (&self->choices_cancellable);
    }
  g_clear_handle_id (&self->scroll_source, g_source_remove);
  g_clear_object (&self->settings);
  g_clear_object (&self->dir_settings);
  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->field_rows, g_ptr_array_unref);
  g_clear_pointer (&self->hint_rows, g_ptr_array_unref);
  g_clear_pointer (&self->test_result, g_free);

  G_OBJECT_CLASS (sp_directory_editor_parent_class)->dispose (object);
}

static void
sp_directory_editor_class_init (SpDirectoryEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_directory_editor_dispose;

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sp_directory_editor_init (SpDirectoryEditor *self)
{
  self->field_rows = g_ptr_array_new ();
  self->hint_rows = g_ptr_array_new ();
}

static GtkWidget *
build (SpDirectoryEditor *self)
{
  GtkWidget *toolbar = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  GtkWidget *page = adw_preferences_page_new ();
  GtkWidget *test_group = adw_preferences_group_new ();
  GtkWidget *test_button = gtk_button_new_with_mnemonic (_("_Test"));
  g_autoptr(GtkStringList) kind_names = gtk_string_list_new (NULL);
  guint n_kinds;
  const SpDirectoryKind *kinds = sp_directory_kind_get_all (&n_kinds);

  self->save_button = GTK_BUTTON (gtk_button_new_with_mnemonic (self->is_new ? _("_Add")
                                                                             : _("_Save")));
  gtk_widget_add_css_class (GTK_WIDGET (self->save_button), "suggested-action");
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), GTK_WIDGET (self->save_button));
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (gtk_window_close), self);
  g_signal_connect_swapped (self->save_button, "clicked", G_CALLBACK (sp_directory_editor_save),
                            self);
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->save_button));

  self->main_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());

  for (guint i = 0; i < n_kinds; i++)
    gtk_string_list_append (kind_names, _(kinds[i].label));
  self->kind_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->kind_row), _("_Kind"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (self->kind_row), TRUE);
  adw_combo_row_set_model (self->kind_row, G_LIST_MODEL (kind_names));
  adw_combo_row_set_selected (self->kind_row, self->kind - kinds);
  gtk_widget_set_sensitive (GTK_WIDGET (self->kind_row), self->is_new);
  g_signal_connect_swapped (self->kind_row, "notify::selected", G_CALLBACK (kind_selected_cb), self);
  adw_preferences_group_add (self->main_group, GTK_WIDGET (self->kind_row));

  self->label_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->label_row), _("_Name"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (self->label_row), TRUE);
  {
    g_autofree char *label = g_settings_get_string (self->dir_settings, SP_DIRECTORY_KEY_LABEL);
    gtk_editable_set_text (GTK_EDITABLE (self->label_row), label);
  }
  adw_preferences_group_add (self->main_group, GTK_WIDGET (self->label_row));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), self->main_group);
  build_fields (self);

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (test_group), _("Try It"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (test_group),
                                         _("Look a number up with the settings above, before saving them"));
  self->number_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->number_row), _("N_umber"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (self->number_row), TRUE);
  gtk_widget_set_valign (test_button, GTK_ALIGN_CENTER);
  adw_entry_row_add_suffix (self->number_row, test_button);
  adw_entry_row_set_show_apply_button (self->number_row, FALSE);
  g_signal_connect_swapped (test_button, "clicked", G_CALLBACK (test_clicked_cb), self);
  g_signal_connect_swapped (self->number_row, "entry-activated", G_CALLBACK (test_clicked_cb), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (test_group), GTK_WIDGET (self->number_row));
  self->result_row = ADW_ACTION_ROW (adw_action_row_new ());
  gtk_widget_set_visible (GTK_WIDGET (self->result_row), FALSE);
  self->result_icon = GTK_IMAGE (gtk_image_new ());
  adw_action_row_add_prefix (self->result_row, GTK_WIDGET (self->result_icon));
  /* Long errors (a server's own words) wrap; a person can select and copy them. They and
   * the names found are plain text, never markup ("Smith & Sons"). */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self->result_row), FALSE);
  adw_action_row_set_subtitle_lines (self->result_row, 0);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (test_group), GTK_WIDGET (self->result_row));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (test_group));

  gtk_box_append (GTK_BOX (toolbar), header);
  gtk_box_append (GTK_BOX (toolbar), page);
  gtk_widget_set_vexpand (page, TRUE);
  return toolbar;
}

/**
 * sp_directory_editor_new:
 * @settings: the app's settings
 * @directory_id: (nullable): the directory to edit; %NULL to add one
 *
 * Returns: (transfer floating): the editor window
 */
SpDirectoryEditor *
sp_directory_editor_new (GSettings  *settings,
                         const char *directory_id)
{
  SpDirectoryEditor *self;
  g_autofree char *kind_id = NULL;
  guint n_kinds;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (SP_TYPE_DIRECTORY_EDITOR, NULL);
  self->settings = g_object_ref (settings);
  self->is_new = directory_id == NULL;
  if (self->is_new)
    {
      g_autofree char *uuid = g_uuid_string_random ();
      self->id = g_strdup_printf ("d%s", uuid);
      g_strdelimit (self->id, "-", 'x');
    }
  else
    self->id = g_strdup (directory_id);

  self->dir_settings = sp_directory_settings_new (self->id);
  g_settings_delay (self->dir_settings);
  kind_id = g_settings_get_string (self->dir_settings, SP_DIRECTORY_KEY_KIND);
  self->kind = sp_directory_kind_lookup (kind_id);
  if (self->kind == NULL)
    self->kind = &sp_directory_kind_get_all (&n_kinds)[0];

  gtk_window_set_title (GTK_WINDOW (self), self->is_new ? _("Add Directory") : _("Edit Directory"));
  gtk_window_set_default_size (GTK_WINDOW (self), 520, 680);
  adw_window_set_content (ADW_WINDOW (self), build (self));

  return self;
}

/**
 * sp_directory_editor_select_kind:
 *
 * Selects the kind @kind_id in the form, as the Kind row does (a new directory only).
 */
void
sp_directory_editor_select_kind (SpDirectoryEditor *self,
                                 const char        *kind_id)
{
  guint n_kinds;
  const SpDirectoryKind *kinds = sp_directory_kind_get_all (&n_kinds);

  g_return_if_fail (SP_IS_DIRECTORY_EDITOR (self));

  for (guint i = 0; i < n_kinds; i++)
    if (g_strcmp0 (kinds[i].id, kind_id) == 0)
      adw_combo_row_set_selected (self->kind_row, i);
}

/**
 * sp_directory_editor_set_field:
 * @key: "label" or a field key of the kind
 *
 * Types @text into a field, as a person would; for a choice, picks the item whose id is
 * @text, when it is offered.
 */
void
sp_directory_editor_set_field (SpDirectoryEditor *self,
                               const char        *key,
                               const char        *text)
{
  g_return_if_fail (SP_IS_DIRECTORY_EDITOR (self));

  if (g_strcmp0 (key, SP_DIRECTORY_KEY_LABEL) == 0)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->label_row), text);
      return;
    }
  for (guint i = 0; self->kind->fields[i].key != NULL; i++)
    if (g_strcmp0 (self->kind->fields[i].key, key) == 0)
      {
        GtkWidget *row = g_ptr_array_index (self->field_rows, i);

        if (self->kind->fields[i].type == SP_DIRECTORY_FIELD_CHOICE)
          {
            GPtrArray *ids = g_object_get_data (G_OBJECT (row), CHOICE_IDS);
            guint index;

            if (g_ptr_array_find_with_equal_func (ids, text, g_str_equal, &index))
              adw_combo_row_set_selected (ADW_COMBO_ROW (row), index);
          }
        else
          gtk_editable_set_text (GTK_EDITABLE (row), text);
      }
}

/**
 * sp_directory_editor_get_test_result:
 *
 * Returns: (nullable): what the last test said, as shown
 */
const char *
sp_directory_editor_get_test_result (SpDirectoryEditor *self)
{
  g_return_val_if_fail (SP_IS_DIRECTORY_EDITOR (self), NULL);
  return self->test_result;
}
