/* test-mnemonics.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No two widgets a person sees in one window share a mnemonic (Alt+letter), in English and
 * in Japanese (where the letter is shown as "(_A)" after the word): every window and dialog,
 * the Add Account form of every kind in every choice of its combo rows, the account editor
 * in the preferences, and the main menu. Two labels with one letter make GTK only move the
 * focus between them, so neither is ever activated from the keyboard (issue 15, item 2).
 */

#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>
#include <gtk/gtk.h>

#include "sp-add-account-dialog.h"
#include "sp-application.h"
#include "sp-history-window.h"
#include "sp-preferences-window.h"
#include "sp-source-kind.h"
#include "sp-test-editor.h"
#include "sp-test-notify.h"
#include "sp-test-util.h"
#include "sp-window.h"

static SpApplication *app;
static guint pass;   /* one per check, to count a mnemonic target once */

/* The mnemonic of a menu item's label ("_Quit" → q), or 0. */
static guint
label_mnemonic (const char *label)
{
  for (const char *p = label; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    {
      if (*p != '_')
        continue;
      p++;
      if (*p == '\0')
        break;
      if (*p == '_')
        continue;
      return gdk_keyval_to_lower (gdk_unicode_to_keyval (g_utf8_get_char (p)));
    }

  return 0;
}

static void
add_use (GHashTable *uses,
         guint       keyval,
         const char *what)
{
  GPtrArray *labels = g_hash_table_lookup (uses, GUINT_TO_POINTER (keyval));

  if (labels == NULL)
    {
      labels = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (uses, GUINT_TO_POINTER (keyval), labels);
    }
  g_ptr_array_add (labels, g_strdup (what));
}

/* Every letter with more than one label, as "Alt+a: “_Add” “_Answer”" lines; "" if none. */
static char *
dup_clashes (GHashTable *uses)
{
  GString *clashes = g_string_new (NULL);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, uses);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GPtrArray *labels = value;

      if (labels->len < 2)
        continue;

      g_string_append_printf (clashes, "\n  Alt+%s:", gdk_keyval_name (GPOINTER_TO_UINT (key)));
      for (guint i = 0; i < labels->len; i++)
        g_string_append_printf (clashes, " “%s”", (char *) g_ptr_array_index (labels, i));
    }

  return g_string_free (clashes, FALSE);
}

/* Fails the test, naming every clash; the test goes on, so that one run lists them all. */
static void
assert_no_clash (GHashTable *uses,
                 const char *where)
{
  g_autofree char *clashes = dup_clashes (uses);

  if (clashes[0] == '\0')
    return;

  g_test_message ("%s (%s): mnemonics shared by visible widgets:%s", where,
                  setlocale (LC_MESSAGES, NULL), clashes);
  g_test_fail_printf ("%s (%s): mnemonics shared by visible widgets:%s", where,
                        setlocale (LC_MESSAGES, NULL), clashes);
}

static void check_menu (GMenuModel *model, const char *where);

/* Every mapped label with a mnemonic under @widget; a closed popover is not mapped, an open
 * one (or a menu button's menu, checked on its own) is its own scope. */
static void
collect (GtkWidget  *widget,
         GHashTable *uses,
         const char *where)
{
  if (!gtk_widget_get_mapped (widget))
    return;

  if (GTK_IS_LABEL (widget) && gtk_label_get_use_underline (GTK_LABEL (widget)))
    {
      guint keyval = gtk_label_get_mnemonic_keyval (GTK_LABEL (widget));

      GtkWidget *target = gtk_label_get_mnemonic_widget (GTK_LABEL (widget));

      /* An entry row has two titles for one entry (its empty and its filled look): one
       * target is one use. */
      if (keyval != GDK_KEY_VoidSymbol &&
          (target == NULL || g_object_get_data (G_OBJECT (target), "sp-test-mnemonic-seen") != GUINT_TO_POINTER (pass)))
        add_use (uses, gdk_keyval_to_lower (keyval), gtk_label_get_label (GTK_LABEL (widget)));
      if (target != NULL)
        g_object_set_data (G_OBJECT (target), "sp-test-mnemonic-seen", GUINT_TO_POINTER (pass));
    }

  if (GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (widget)))
    check_menu (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (widget)), where);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect (child, uses, where);
}

static void
collect_menu (GMenuModel *model,
              GHashTable *uses,
              const char *where)
{
  for (int i = 0; i < g_menu_model_get_n_items (model); i++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (model, i, G_MENU_LINK_SECTION);
      g_autoptr(GMenuModel) submenu = g_menu_model_get_item_link (model, i, G_MENU_LINK_SUBMENU);
      g_autofree char *label = NULL;

      /* A section's items are in the same menu; a submenu is a menu of its own. */
      if (section != NULL)
        collect_menu (section, uses, where);
      if (submenu != NULL)
        check_menu (submenu, where);

      if (g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_LABEL, "s", &label) &&
          label_mnemonic (label) != 0)
        add_use (uses, label_mnemonic (label), label);
    }
}

static void
check_menu (GMenuModel *model,
            const char *where)
{
  g_autoptr(GHashTable) uses = g_hash_table_new_full (NULL, NULL, NULL,
                                                      (GDestroyNotify) g_ptr_array_unref);
  g_autofree char *menu_where = g_strconcat (where, ", its menu", NULL);

  collect_menu (model, uses, menu_where);
  assert_no_clash (uses, menu_where);
}

static void
assert_unique_mnemonics (GtkWidget  *root,
                         const char *where)
{
  g_autoptr(GHashTable) uses = g_hash_table_new_full (NULL, NULL, NULL,
                                                      (GDestroyNotify) g_ptr_array_unref);

  g_assert_true (gtk_widget_get_mapped (root));
  pass++;
  collect (root, uses, where);
  assert_no_clash (uses, where);
}

static gboolean
mapped_cb (gpointer widget)
{
  return gtk_widget_get_mapped (widget);
}

static void
present_and_wait (GtkWindow *window)
{
  gtk_window_present (window);
  g_assert_true (sp_test_wait_until (mapped_cb, window, 5000));
  sp_test_run_for (50);
}

/* Each choice of each combo row of the kind's page (Sign In With, Connect With, Find the
 * User By, Transport, …) shows other rows: checks @root in every one. */
static void
check_every_choice (GtkWidget     *root,
                    GtkWidget     *page,
                    const char    *where)
{
  g_autoptr(GPtrArray) combos = g_ptr_array_new ();
  GtkWidget *widget = page;

  /* Depth first, in order: the combo rows of the page. */
  while (widget != NULL)
    {
      GtkWidget *next;

      if (ADW_IS_COMBO_ROW (widget))
        g_ptr_array_add (combos, widget);

      next = gtk_widget_get_first_child (widget);
      while (next == NULL && widget != page)
        {
          next = gtk_widget_get_next_sibling (widget);
          if (next == NULL)
            {
              widget = gtk_widget_get_parent (widget);
              if (widget == page)
                break;
            }
        }
      widget = next;
    }

  assert_unique_mnemonics (root, where);

  for (guint i = 0; i < combos->len; i++)
    {
      AdwComboRow *combo = g_ptr_array_index (combos, i);
      GListModel *model = adw_combo_row_get_model (combo);
      guint was = adw_combo_row_get_selected (combo);

      for (guint j = 0; model != NULL && j < g_list_model_get_n_items (model); j++)
        {
          g_autofree char *choice_where = g_strdup_printf ("%s, “%s” choice %u", where,
                                                           adw_preferences_row_get_title (ADW_PREFERENCES_ROW (combo)), j);

          adw_combo_row_set_selected (combo, j);
          sp_test_run_for (30);
          assert_unique_mnemonics (root, choice_where);
        }
      adw_combo_row_set_selected (combo, was);
    }
}

/* Switches the messages' language; setlocale() makes gettext read its catalogues again. */
static void
use_language (const char *language)
{
  gboolean ja = g_str_equal (language, "ja");

  if (ja)
    g_setenv ("LANGUAGE", "ja", TRUE);
  else
    g_unsetenv ("LANGUAGE");
  g_assert_nonnull (setlocale (LC_ALL, ja ? "ja_JP.UTF-8" : "C.UTF-8"));

  /* Translated, or the test would check English twice. */
  if (ja)
    g_assert_cmpstr (_("_Cancel"), !=, "_Cancel");
}

static void
test_mnemonics_main_window (gconstpointer data)
{
  SpEngine *engine = sp_application_get_engine (app);
  SpCallTracker *tracker = sp_engine_get_tracker (engine);
  const char *numbers[] = { "0312345678", "0698765432", "201", "202" };
  SpWindow *window;

  use_language (data);

  /* The demo account answers calls, so that Answer shows. */
  if (sp_account_list_lookup (sp_engine_get_accounts (engine), SP_SOURCE_KIND_DEMO) == NULL)
    {
      g_autoptr(SpAccount) demo = sp_account_new_transient (SP_SOURCE_KIND_DEMO,
                                                            SP_SOURCE_KIND_DEMO, "Demo");

      g_settings_set_string (sp_account_get_settings (demo), "url-template",
                             "https://crm.example.com/customers?phone={number}");
      sp_account_list_add_transient (sp_engine_get_accounts (engine), demo);
    }

  /* Two calls ringing, two over: rows repeat their buttons. */
  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    {
      g_autoptr(SpCallEvent) ring = sp_call_event_new (SP_SOURCE_KIND_DEMO, numbers[i],
                                                       SP_CALL_EVENT_RINGING);

      ring->number = g_strdup (numbers[i]);
      sp_call_tracker_push (tracker, ring);
      if (i >= 2)
        {
          g_autoptr(SpCallEvent) end = sp_call_event_new (SP_SOURCE_KIND_DEMO, numbers[i],
                                                          SP_CALL_EVENT_MISSED);

          sp_call_tracker_push (tracker, end);
        }
    }

  window = g_object_ref (sp_window_new (GTK_APPLICATION (app), engine));
  present_and_wait (GTK_WINDOW (window));
  assert_unique_mnemonics (GTK_WIDGET (window), "the main window");
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

static void
test_mnemonics_add_account (gconstpointer data)
{
  SpEngine *engine = sp_application_get_engine (app);
  SpAddAccountDialog *dialog;
  SpAccountEditor *editor;
  guint n_kinds;
  const SpSourceKind *kinds = sp_source_kind_get_all (&n_kinds);

  use_language (data);

  dialog = g_object_ref (sp_add_account_dialog_new (sp_engine_get_accounts (engine)));
  editor = sp_add_account_dialog_get_editor (dialog);
  present_and_wait (GTK_WINDOW (dialog));

  for (guint i = 0; i < n_kinds; i++)
    {
      g_autofree char *where = g_strdup_printf ("Add Account, kind %s", kinds[i].id);

      sp_test_editor_select_kind (editor, kinds[i].id);
      sp_test_run_for (30);
      check_every_choice (GTK_WIDGET (dialog), GTK_WIDGET (sp_account_editor_get_page (editor)),
                          where);
    }

  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_finalize_object (dialog);
}

/* Whether no preferences page but the account editor's is on screen. */
static gboolean
no_other_page_mapped (GtkWidget *widget)
{
  if (SP_IS_ACCOUNT_EDITOR (widget))
    return TRUE;
  if (ADW_IS_PREFERENCES_PAGE (widget) && gtk_widget_get_mapped (widget))
    return FALSE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (!no_other_page_mapped (child))
        return FALSE;
    }

  return TRUE;
}

static gboolean
only_editor_mapped_cb (gpointer prefs)
{
  return no_other_page_mapped (prefs);
}

static void
test_mnemonics_preferences (gconstpointer data)
{
  SpEngine *engine = sp_application_get_engine (app);
  SpAccountList *accounts = sp_engine_get_accounts (engine);
  SpPreferencesWindow *prefs;
  guint n_kinds;
  const SpSourceKind *kinds = sp_source_kind_get_all (&n_kinds);

  use_language (data);

  /* One account of every kind, to edit. */
  for (guint i = 0; i < n_kinds; i++)
    {
      g_autofree char *id = g_strconcat ("mnemonics-", kinds[i].id, NULL);
      g_autoptr(SpAccount) account = NULL;

      if (sp_account_list_lookup (accounts, id) != NULL)
        continue;
      account = sp_account_new_transient (id, kinds[i].id, kinds[i].id);
      g_settings_set_boolean (sp_account_get_settings (account), "enabled", FALSE);
      sp_account_list_add_transient (accounts, account);
    }

  prefs = g_object_ref (sp_preferences_window_new (sp_engine_get_settings (engine), accounts,
                                                   sp_engine_get_history (engine)));
  present_and_wait (GTK_WINDOW (prefs));
  assert_unique_mnemonics (GTK_WIDGET (prefs), "Preferences");
  gtk_window_destroy (GTK_WINDOW (prefs));
  g_assert_finalize_object (prefs);

  /* A window for each account: libadwaita 1.2 fails on a subpage presented after one was
   * closed. */
  for (guint i = 0; i < n_kinds; i++)
    {
      g_autofree char *id = g_strconcat ("mnemonics-", kinds[i].id, NULL);
      g_autofree char *where = g_strdup_printf ("Preferences, editing a %s account", kinds[i].id);
      SpAccountEditor *editor;

      prefs = g_object_ref (sp_preferences_window_new (sp_engine_get_settings (engine), accounts,
                                                       sp_engine_get_history (engine)));
      present_and_wait (GTK_WINDOW (prefs));
      editor = sp_preferences_window_edit_account (prefs, id);
      g_assert_nonnull (editor);
      /* Until the slide to the subpage is over and the main page is gone. */
      g_assert_true (sp_test_wait_until (only_editor_mapped_cb, prefs, 5000));
      check_every_choice (GTK_WIDGET (prefs), GTK_WIDGET (sp_account_editor_get_page (editor)),
                          where);
      gtk_window_destroy (GTK_WINDOW (prefs));
      g_assert_finalize_object (prefs);
    }
}

static void
test_mnemonics_history (gconstpointer data)
{
  SpHistoryWindow *window;

  use_language (data);

  window = g_object_ref (sp_history_window_new (sp_application_get_engine (app)));
  present_and_wait (GTK_WINDOW (window));
  assert_unique_mnemonics (GTK_WIDGET (window), "Call History");
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

/* Each kind's own window (the Basix live view, the pbxis agent panel). */
static void
test_mnemonics_kind_windows (gconstpointer data)
{
  guint n_kinds;
  const SpSourceKind *kinds = sp_source_kind_get_all (&n_kinds);

  use_language (data);

  for (guint i = 0; i < n_kinds; i++)
    {
      GType type = sp_source_kind_get_window_type (&kinds[i]);
      g_autofree char *where = NULL;
      g_autoptr(SpAccount) account = NULL;
      g_autoptr(SpSource) source = NULL;
      GtkWindow *window;

      if (type == G_TYPE_NONE)
        continue;

      where = g_strdup_printf ("the %s window", kinds[i].id);
      account = sp_account_new_transient ("mnemonics-window", kinds[i].id, "Support desk");
      source = sp_source_kind_create_source (account, NULL);
      g_assert_nonnull (source);
      window = g_object_ref (g_object_new (type, "source", source, NULL));
      present_and_wait (window);
      assert_unique_mnemonics (GTK_WIDGET (window), where);
      gtk_window_destroy (window);
      g_assert_finalize_object (window);
    }
}

/* The checker itself finds a clash: two buttons with one letter, one of them in a menu. */
static void
test_mnemonics_checker (void)
{
  g_autoptr(GHashTable) uses = g_hash_table_new_full (NULL, NULL, NULL,
                                                      (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autofree char *clashes = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *hidden = gtk_button_new_with_mnemonic ("_Apply");

  use_language ("en");

  gtk_box_append (GTK_BOX (box), gtk_button_new_with_mnemonic ("_Add"));
  gtk_box_append (GTK_BOX (box), gtk_button_new_with_mnemonic ("_Answer"));
  gtk_box_append (GTK_BOX (box), gtk_button_new_with_mnemonic ("_Open"));
  gtk_box_append (GTK_BOX (box), hidden);
  gtk_widget_set_visible (hidden, FALSE);
  gtk_window_set_child (GTK_WINDOW (window), box);
  present_and_wait (GTK_WINDOW (window));

  pass++;
  collect (window, uses, "checker");
  clashes = dup_clashes (uses);
  g_assert_cmpstr (clashes, ==, "\n  Alt+a: “_Add” “_Answer”");
  g_hash_table_remove_all (uses);

  g_menu_append (menu, "_Quit", "app.quit");
  g_menu_append (menu, "_Queue", "app.queue");
  collect_menu (G_MENU_MODEL (menu), uses, "checker");
  g_clear_pointer (&clashes, g_free);
  clashes = dup_clashes (uses);
  g_assert_cmpstr (clashes, ==, "\n  Alt+q: “_Quit” “_Queue”");

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  const char *languages[] = { "en", "ja" };
  g_autofree char *localedir = NULL;
  int ret;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  /* The catalogues of this build, not an installed Screenpop's. */
  localedir = g_build_filename (g_getenv ("G_TEST_BUILDDIR"), "..", "po", NULL);
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* GTK and libadwaita keep proxies on the session bus for the life of the process, so
   * this private bus is never taken down here (see test-windows.c). */
  sp_test_notify_start (NULL);

  if (!gtk_init_check ())
    g_error ("No display: run this under Xvfb, as build-aux/test does");

  app = sp_application_new ();
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));

  g_test_add_func ("/mnemonics/checker", test_mnemonics_checker);
  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    {
      g_autofree char *main_window = g_strdup_printf ("/mnemonics/%s/main-window", languages[i]);
      g_autofree char *add_account = g_strdup_printf ("/mnemonics/%s/add-account", languages[i]);
      g_autofree char *preferences = g_strdup_printf ("/mnemonics/%s/preferences", languages[i]);
      g_autofree char *history = g_strdup_printf ("/mnemonics/%s/history", languages[i]);
      g_autofree char *kind_windows = g_strdup_printf ("/mnemonics/%s/kind-windows", languages[i]);

      g_test_add_data_func (main_window, languages[i], test_mnemonics_main_window);
      g_test_add_data_func (add_account, languages[i], test_mnemonics_add_account);
      g_test_add_data_func (preferences, languages[i], test_mnemonics_preferences);
      g_test_add_data_func (history, languages[i], test_mnemonics_history);
      g_test_add_data_func (kind_windows, languages[i], test_mnemonics_kind_windows);
    }

  ret = g_test_run ();

  g_object_unref (app);

  return ret;
}
