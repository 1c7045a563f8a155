/* test-directory-editor.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Adding a directory as a person does, in Preferences' Caller ID page: the form of the kind,
 * "Try It" with what is typed (before saving), Save, and the directory in the list and in
 * use; a directory that fails says why in its row. */

#define G_LOG_DOMAIN "test-directory-editor"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
#include <libebook/libebook.h>
G_GNUC_END_IGNORE_DEPRECATIONS

#include "sp-caller-id.h"
#include "sp-directories-page.h"
#include "sp-directory.h"
#include "sp-directory-editor.h"
#include "sp-directory-kind.h"
#include "sp-eds-directory.h"
#include "sp-test-directory-servers.h"
#include "sp-test-engine.h"
#include "sp-test-keyring.h"
#include "sp-test-notify.h"
#include "sp-test-util.h"

#define TIMEOUT_MS 20000
#define CSV "name,company,phone\n山田 太郎,株式会社テスト,03-1234-5678\n"

static GSettings *settings;
static SpEngine *engine;

static gboolean
editor_has_result (gpointer data)
{
  const char *result = sp_directory_editor_get_test_result (data);

  return result != NULL && g_strcmp0 (result, "Looking up…") != 0;
}

static gboolean
last_error_set (gpointer data)
{
  return sp_directory_get_last_error (data) != NULL;
}

/* A visible label showing exactly @text, anywhere under @widget: what a person reads. */
static GtkWidget *
find_visible_label (GtkWidget  *widget,
                    const char *text)
{
  if (!gtk_widget_get_visible (widget))
    return NULL;
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_visible_label (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Each field's hint is on screen under the field, not only in a tooltip; a kind's hints go
 * when another kind is chosen. */
static void
test_hints_visible (void)
{
  SpDirectoryEditor *editor = sp_directory_editor_new (settings, NULL);

  sp_directory_editor_select_kind (editor, "ldap");
  gtk_window_present (GTK_WINDOW (editor));
  g_assert_nonnull (find_visible_label (GTK_WIDGET (editor), "Empty: anonymous"));
  g_assert_nonnull (find_visible_label (GTK_WIDGET (editor), "Kept in the keyring"));

  sp_directory_editor_select_kind (editor, "file");
  g_assert_null (find_visible_label (GTK_WIDGET (editor), "Empty: anonymous"));
  g_assert_null (find_visible_label (GTK_WIDGET (editor), "Kept in the keyring"));

  gtk_window_destroy (GTK_WINDOW (editor));
}

/* A row's menu: Ask Earlier moves the directory up, Remove drops it and its settings. */
static void
test_row_menu (void)
{
  SpCallerId *caller_id = sp_engine_get_caller_id (engine);
  const char * const two[] = { "menua", "menub", NULL };
  const char * const none[] = { NULL };
  g_autoptr(GSettings) b = sp_directory_settings_new ("menub");
  g_auto(GStrv) ids = NULL;
  GtkWidget *page;

  for (guint i = 0; two[i] != NULL; i++)
    {
      g_autoptr(GSettings) dir = sp_directory_settings_new (two[i]);

      g_settings_set_string (dir, "kind", "file");
      g_settings_set_string (dir, "label", two[i]);
    }
  g_settings_set_strv (settings, "directories", two);
  page = g_object_ref_sink (GTK_WIDGET (sp_directories_page_new (settings, caller_id)));

  g_assert_true (gtk_widget_activate_action (page, "dir.up", "s", "menub"));
  ids = g_settings_get_strv (settings, "directories");
  g_assert_cmpstrv (ids, ((const char * const[]) { "menub", "menua", NULL }));
  g_clear_pointer (&ids, g_strfreev);

  g_assert_true (gtk_widget_activate_action (page, "dir.remove", "s", "menub"));
  ids = g_settings_get_strv (settings, "directories");
  g_assert_cmpstrv (ids, ((const char * const[]) { "menua", NULL }));
  {
    g_autofree char *label = g_settings_get_string (b, "label");
    g_assert_cmpstr (label, ==, "");
  }

  g_settings_set_strv (settings, "directories", none);
  g_object_unref (page);
}

static void
test_add_file_directory (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("screenpop-directory-editor-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "staff.csv", NULL);
  g_autofree char *missing = g_build_filename (dir, "gone.csv", NULL);
  SpCallerId *caller_id = sp_engine_get_caller_id (engine);
  GListModel *directories = sp_caller_id_get_directories (caller_id);
  SpDirectoryEditor *editor;
  GtkWidget *prefs;
  g_autoptr(SpDirectory) directory = NULL;
  g_autoptr(SpPhoneNumber) number = NULL;
  g_auto(GStrv) ids = NULL;

  g_assert_no_error (error);
  g_file_set_contents (path, CSV, -1, &error);
  g_assert_no_error (error);
  g_settings_set_string (settings, "phone-region", "JP");

  /* The page lists nothing yet, and is part of Preferences. */
  prefs = adw_preferences_window_new ();
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (prefs),
                              ADW_PREFERENCES_PAGE (sp_directories_page_new (settings, caller_id)));
  gtk_window_present (GTK_WINDOW (prefs));

  editor = sp_directory_editor_new (settings, NULL);
  gtk_window_present (GTK_WINDOW (editor));
  sp_directory_editor_select_kind (editor, "file");
  sp_directory_editor_set_field (editor, "label", "Office list");

  /* A wrong path: Try It says why, and nothing is saved. */
  sp_directory_editor_set_field (editor, "url", missing);
  sp_directory_editor_test (editor, "0312345678");
  g_assert_true (sp_test_wait_until (editor_has_result, editor, TIMEOUT_MS));
  g_assert_true (g_str_has_prefix (sp_directory_editor_get_test_result (editor),
                                   "The directory could not be asked: Could not read"));
  g_assert_cmpuint (g_list_model_get_n_items (directories), ==, 0);

  sp_directory_editor_set_field (editor, "url", path);
  sp_directory_editor_test (editor, "03-1234-5678");
  g_assert_true (sp_test_wait_until (editor_has_result, editor, TIMEOUT_MS));
  g_assert_cmpstr (sp_directory_editor_get_test_result (editor), ==,
                   "Found: 山田 太郎 · 株式会社テスト");
  sp_directory_editor_test (editor, "0399999999");
  g_assert_true (sp_test_wait_until (editor_has_result, editor, TIMEOUT_MS));
  g_assert_true (g_str_has_prefix (sp_directory_editor_get_test_result (editor), "Not found"));
  g_assert_cmpuint (g_list_model_get_n_items (directories), ==, 0);

  sp_directory_editor_save (editor);
  ids = g_settings_get_strv (settings, "directories");
  g_assert_cmpuint (g_strv_length (ids), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (directories), ==, 1);
  directory = g_list_model_get_item (directories, 0);
  {
    g_autofree char *label = sp_directory_dup_label (directory);
    g_assert_cmpstr (label, ==, "Office list");
  }

  /* In use: the caller id names the number. */
  number = sp_phone_number_parse ("0312345678", "JP");
  sp_caller_id_lookup_async (caller_id, number, NULL, NULL, NULL);

  /* The file goes away: the row's directory says why. */
  g_unlink (path);
  sp_caller_id_clear_cache (caller_id);
  {
    g_autoptr(SpPhoneNumber) other = sp_phone_number_parse ("0311112222", "JP");
    sp_caller_id_lookup_async (caller_id, other, NULL, NULL, NULL);
  }
  g_assert_true (sp_test_wait_until (last_error_set, directory, TIMEOUT_MS));

  gtk_window_destroy (GTK_WINDOW (prefs));
  g_rmdir (dir);
}

/* --- the GNOME address book's book chooser ---------------------------------------------- */

#define BOOK_UID "screenpop-test-customers"

/* A combo row named @name (a field's key) under @widget. */
static AdwComboRow *
find_combo (GtkWidget  *widget,
            const char *name)
{
  if (ADW_IS_COMBO_ROW (widget) && g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return ADW_COMBO_ROW (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      AdwComboRow *found = find_combo (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static guint
combo_index_of (AdwComboRow *combo,
                const char  *label)
{
  GListModel *model = adw_combo_row_get_model (combo);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (model), i), label) == 0)
      return i;
  return G_MAXUINT;
}

/* The combo offers the book the test made (listed in a worker, after the form opened). */
static gboolean
combo_lists_customers (gpointer data)
{
  AdwComboRow *combo = find_combo (data, SP_EDS_DIRECTORY_OPTION_BOOK);

  return combo != NULL && combo_index_of (combo, "Customers") != G_MAXUINT;
}

static void
remove_test_book (ESourceRegistry *registry)
{
  g_autoptr(ESource) old = e_source_registry_ref_source (registry, BOOK_UID);
  g_autoptr(GError) error = NULL;

  if (old != NULL)
    {
      e_source_remove_sync (old, NULL, &error);
      g_assert_no_error (error);
    }
}

/* Test with a number, wait for the answer. */
static const char *
try_number (SpDirectoryEditor *editor,
            const char        *number)
{
  sp_directory_editor_test (editor, number);
  g_assert_true (sp_test_wait_until (editor_has_result, editor, TIMEOUT_MS));
  return sp_directory_editor_get_test_result (editor);
}

/* The GNOME Contacts kind offers the session's address books by name, "All address books"
 * first; Try It searches only the chosen one; Save keeps its uid, and the editor shows it
 * chosen again. Against Evolution Data Server on the test's bus, with a second address book
 * (as an online account adds one) holding the only card with the number. */
static void
test_eds_book_chooser (void)
{
  g_autoptr(SpTestDirectoryServer) server = sp_test_eds_start ();
  g_autoptr(ESourceRegistry) registry = NULL;
  g_autoptr(ESource) source = NULL;
  g_autoptr(ESource) created = NULL;
  g_autoptr(EClient) client = NULL;
  EContact *card;
  g_autoptr(GError) error = NULL;
  g_autoptr(GList) sources = NULL;
  g_autoptr(GSettings) dir_settings = NULL;
  g_autoptr(GVariant) options = NULL;
  g_autofree char *id = NULL;
  const char *book = NULL;
  const char * const none[] = { NULL };
  g_auto(GStrv) ids = NULL;
  SpDirectoryEditor *editor;
  AdwComboRow *combo;
  GListModel *model;

  registry = e_source_registry_new_sync (NULL, &error);
  g_assert_no_error (error);
  remove_test_book (registry);

  source = e_source_new_with_uid (BOOK_UID, NULL, &error);
  g_assert_no_error (error);
  e_source_set_parent (source, "local-stub");
  e_source_set_display_name (source, "Customers");
  e_source_backend_set_backend_name (e_source_get_extension (source, E_SOURCE_EXTENSION_ADDRESS_BOOK),
                                     "local");
  sources = g_list_append (NULL, source);
  e_source_registry_create_sources_sync (registry, sources, NULL, &error);
  g_assert_no_error (error);
  created = e_source_registry_ref_source (registry, BOOK_UID);
  g_assert_nonnull (created);
  client = e_book_client_connect_sync (created, 10, NULL, &error);
  g_assert_no_error (error);
  card = e_contact_new_from_vcard ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:田中 一郎\r\n"
                                   "ORG:田中商事\r\nTEL;TYPE=WORK:045-555-0101\r\nEND:VCARD");
  e_book_client_add_contact_sync (E_BOOK_CLIENT (client), card, E_BOOK_OPERATION_FLAG_NONE,
                                  NULL, NULL, &error);
  g_object_unref (card);
  g_assert_no_error (error);

  g_settings_set_string (settings, "phone-region", "JP");
  editor = sp_directory_editor_new (settings, NULL);
  gtk_window_present (GTK_WINDOW (editor));
  sp_directory_editor_select_kind (editor, "eds");
  sp_directory_editor_set_field (editor, "label", "Contacts");
  combo = find_combo (GTK_WIDGET (editor), SP_EDS_DIRECTORY_OPTION_BOOK);
  g_assert_nonnull (combo);
  g_assert_true (sp_test_wait_until (combo_lists_customers, editor, TIMEOUT_MS));
  model = adw_combo_row_get_model (combo);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (model), 0), ==,
                   "All address books");
  g_assert_cmpuint (adw_combo_row_get_selected (combo), ==, 0);
  g_assert_cmpuint (combo_index_of (combo, "Personal"), !=, G_MAXUINT);

  /* All of them, then only the one chosen. */
  g_assert_cmpstr (try_number (editor, "0455550101"), ==, "Found: 田中 一郎 · 田中商事");
  adw_combo_row_set_selected (combo, combo_index_of (combo, "Personal"));
  g_assert_true (g_str_has_prefix (try_number (editor, "0455550101"), "Not found"));
  adw_combo_row_set_selected (combo, combo_index_of (combo, "Customers"));
  g_assert_cmpstr (try_number (editor, "0455550101"), ==, "Found: 田中 一郎 · 田中商事");

  sp_directory_editor_save (editor);
  ids = g_settings_get_strv (settings, "directories");
  g_assert_cmpuint (g_strv_length (ids), ==, 1);
  id = g_strdup (ids[0]);
  dir_settings = sp_directory_settings_new (id);
  options = g_settings_get_value (dir_settings, "options");
  g_assert_true (g_variant_lookup (options, SP_EDS_DIRECTORY_OPTION_BOOK, "&s", &book));
  g_assert_cmpstr (book, ==, BOOK_UID);

  /* Edited again: the saved book is the one shown. */
  editor = sp_directory_editor_new (settings, id);
  gtk_window_present (GTK_WINDOW (editor));
  g_assert_true (sp_test_wait_until (combo_lists_customers, editor, TIMEOUT_MS));
  combo = find_combo (GTK_WIDGET (editor), SP_EDS_DIRECTORY_OPTION_BOOK);
  g_assert_cmpuint (adw_combo_row_get_selected (combo), ==, combo_index_of (combo, "Customers"));
  gtk_window_destroy (GTK_WINDOW (editor));

  g_settings_set_strv (settings, "directories", none);
  g_settings_reset (dir_settings, "options");
  g_clear_object (&client);
  remove_test_book (registry);
}

int
main (int   argc,
      char *argv[])
{
  SpTestNotify *notify;
  SpTestKeyring *keyring;
  const char * const none[] = { NULL };
  int ret;

  g_test_init (&argc, &argv, NULL);

  notify = sp_test_notify_start (NULL);
  if (!gtk_init_check ())
    g_error ("No display: run this under Xvfb, as build-aux/test does");
  adw_init ();
  keyring = sp_test_keyring_start (sp_test_notify_get_address (notify));

  settings = g_settings_new ("io.github.screenpop.Screenpop");
  g_settings_set_strv (settings, "directories", none);
  engine = sp_test_engine_new (settings, NULL);

  g_test_add_func ("/directory-editor/add-file", test_add_file_directory);
  g_test_add_func ("/directory-editor/hints-visible", test_hints_visible);
  g_test_add_func ("/directory-editor/row-menu", test_row_menu);
  g_test_add_func ("/directory-editor/eds-book-chooser", test_eds_book_chooser);

  ret = g_test_run ();

  g_clear_object (&engine);
  g_clear_object (&settings);
  sp_test_keyring_stop (keyring);

  return ret;
}
