/* test-windows.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The windows open and close under Xvfb with fatal warnings, and are finalized.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <string.h>

#include "sp-account-list.h"
#include "sp-add-account-dialog.h"
#include "sp-application.h"
#include "sp-directory-kind.h"
#include "sp-history-window.h"
#include "sp-preferences-window.h"
#include "sp-test-notify.h"
#include "sp-test-util.h"
#include "sp-window.h"

static SpApplication *app;

static void
test_windows_main_window (void)
{
  SpWindow *window = g_object_ref (sp_window_new (GTK_APPLICATION (app),
                                                 sp_application_get_engine (app)));

  gtk_window_present (GTK_WINDOW (window));
  sp_test_run_for (200);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

/* The main window opens at the size it was last left, and keeps the size the user gives it. */
static void
test_windows_main_window_size (void)
{
  SpEngine *engine = sp_application_get_engine (app);
  GSettings *settings = sp_engine_get_settings (engine);
  SpWindow *window;
  int width, height;

  g_settings_set_int (settings, "window-width", 900);
  g_settings_set_int (settings, "window-height", 700);

  window = g_object_ref (sp_window_new (GTK_APPLICATION (app), engine));
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 900);
  g_assert_cmpint (height, ==, 700);
  g_assert_false (gtk_window_is_maximized (GTK_WINDOW (window)));
  gtk_window_present (GTK_WINDOW (window));
  sp_test_run_for (200);

  /* What GTK does when the user resizes the window. */
  gtk_window_set_default_size (GTK_WINDOW (window), 640, 480);
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 640);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 480);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);

  window = g_object_ref (sp_window_new (GTK_APPLICATION (app), engine));
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 640);
  g_assert_cmpint (height, ==, 480);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);

  /* Left maximized, it opens maximized (Xvfb has no window manager to maximize a window on
   * screen, so this is the state asked for before it is shown). */
  g_settings_set_boolean (settings, "window-maximized", TRUE);
  window = g_object_ref (sp_window_new (GTK_APPLICATION (app), engine));
  g_assert_true (gtk_window_is_maximized (GTK_WINDOW (window)));
  gtk_window_unmaximize (GTK_WINDOW (window));
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);

  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");
  g_settings_reset (settings, "window-maximized");
}

/* The first widget of @type under @widget (depth first) for which @match says yes. */
static GtkWidget *
find_widget (GtkWidget *widget,
             GType      type,
             gboolean (*match) (GtkWidget *widget, const char *text),
             const char *text)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) && (match == NULL || match (widget, text)))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, match, text);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
row_titled (GtkWidget  *widget,
            const char *title)
{
  return g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

static gboolean
tooltip_is (GtkWidget  *widget,
            const char *tooltip)
{
  return g_strcmp0 (gtk_widget_get_tooltip_text (widget), tooltip) == 0;
}

static gboolean
label_is (GtkWidget  *widget,
          const char *text)
{
  return g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0;
}

static gboolean
label_text_is (GtkWidget  *widget,
               const char *text)
{
  return g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

static gboolean
status_titled (GtkWidget  *widget,
               const char *title)
{
  return g_strcmp0 (adw_status_page_get_title (ADW_STATUS_PAGE (widget)), title) == 0;
}

static gboolean
group_titled (GtkWidget  *widget,
              const char *title)
{
  return g_strcmp0 (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (widget)), title) == 0;
}

/* Shown to the user: mapped, which needs every ancestor visible and the window shown. */
static gboolean
shown (GtkWidget *widget)
{
  return widget != NULL && gtk_widget_get_mapped (widget);
}

/* A first start with no account shows one page that says what to do, with Add Account;
 * the first account brings the usual window, and removing the last the page again. */
static void
test_windows_welcome (void)
{
  g_autofree char *dir = g_dir_make_tmp ("screenpop-welcome-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "history.db", NULL);
  GSettings *settings = sp_engine_get_settings (sp_application_get_engine (app));
  g_autoptr(SpEngine) engine = sp_engine_new_full (settings, NULL, path, NULL);
  SpAccountList *accounts = sp_engine_get_accounts (engine);
  g_autoptr(SpAccount) account = NULL;
  GtkWidget *welcome, *button, *accounts_group;
  SpWindow *window;

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (accounts)), ==, 0);
  window = g_object_ref (sp_window_new (GTK_APPLICATION (app), engine));
  gtk_window_present (GTK_WINDOW (window));
  sp_test_run_for (200);

  welcome = find_widget (GTK_WIDGET (window), ADW_TYPE_STATUS_PAGE, status_titled,
                         "Welcome to Screenpop");
  accounts_group = find_widget (GTK_WIDGET (window), ADW_TYPE_PREFERENCES_GROUP, group_titled,
                                "Accounts");
  g_assert_true (shown (welcome));
  g_assert_false (shown (accounts_group));
  g_assert_false (shown (find_widget (GTK_WIDGET (window), ADW_TYPE_PREFERENCES_GROUP,
                                      group_titled, "Calls Now")));
  g_assert_false (shown (find_widget (GTK_WIDGET (window), ADW_TYPE_PREFERENCES_GROUP,
                                      group_titled, "Recent Calls")));
  button = find_widget (welcome, GTK_TYPE_BUTTON, NULL, NULL);
  g_assert_true (shown (button));
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==, "app.add-account");

  account = sp_account_new_transient ("welcome-test", "no-such-kind", "Office");
  sp_account_list_add_transient (accounts, account);
  sp_test_run_for (100);
  g_assert_false (shown (welcome));
  g_assert_true (shown (accounts_group));

  sp_account_list_remove (accounts, "welcome-test");
  sp_test_run_for (100);
  g_assert_true (shown (welcome));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  g_clear_object (&engine);
  sp_test_remove_tree (dir);
}

/* Do not disturb is shown and switched in the window, for desktops without a tray. */
static void
test_windows_do_not_disturb (void)
{
  SpEngine *engine = sp_application_get_engine (app);
  GSettings *settings = sp_engine_get_settings (engine);
  g_autoptr(SpAccount) account = sp_account_new_transient ("dnd-test", "no-such-kind", "Office");
  GtkWidget *toggle, *row, *sw;
  SpWindow *window;

  sp_account_list_add_transient (sp_engine_get_accounts (engine), account);
  g_settings_set_boolean (settings, "do-not-disturb", FALSE);
  window = g_object_ref (sp_window_new (GTK_APPLICATION (app), engine));
  gtk_window_present (GTK_WINDOW (window));
  sp_test_run_for (200);

  toggle = find_widget (GTK_WIDGET (window), GTK_TYPE_TOGGLE_BUTTON, tooltip_is, "Do Not Disturb");
  row = find_widget (GTK_WIDGET (window), ADW_TYPE_ACTION_ROW, row_titled, "Do Not Disturb");
  g_assert_true (shown (toggle));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (toggle)));
  g_assert_false (shown (row));

  /* Switched on in the window: the setting the notifications obey, and a row that says so. */
  /* A button's activation clicks it after the pressed look's 250 ms. */
  gtk_widget_activate (toggle);
  sp_test_run_for (400);
  g_assert_true (g_settings_get_boolean (settings, "do-not-disturb"));
  g_assert_true (shown (row));
  sw = find_widget (row, GTK_TYPE_SWITCH, NULL, NULL);
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (sw)));

  /* Off from the row's switch; on from elsewhere (the tray) shows in the window. */
  gtk_widget_activate (row);
  sp_test_run_for (600);
  g_assert_false (g_settings_get_boolean (settings, "do-not-disturb"));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (toggle)));
  g_assert_false (shown (row));
  g_settings_set_boolean (settings, "do-not-disturb", TRUE);
  sp_test_run_for (50);
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (toggle)));
  g_assert_true (shown (row));

  g_settings_reset (settings, "do-not-disturb");
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  sp_account_list_remove (sp_engine_get_accounts (engine), "dnd-test");
}

static void
push_call (SpEngine   *engine,
           const char *number,
           gboolean    answered)
{
  g_autoptr(SpCallEvent) ring = sp_call_event_new ("office", number, SP_CALL_EVENT_RINGING);
  g_autoptr(SpCallEvent) answer = sp_call_event_new ("office", number, SP_CALL_EVENT_ANSWERED);
  g_autoptr(SpCallEvent) end = sp_call_event_new ("office", number,
                                                  answered ? SP_CALL_EVENT_ENDED : SP_CALL_EVENT_MISSED);

  ring->number = g_strdup (number);
  sp_call_tracker_push (sp_engine_get_tracker (engine), ring);
  if (answered)
    sp_call_tracker_push (sp_engine_get_tracker (engine), answer);
  sp_call_tracker_push (sp_engine_get_tracker (engine), end);
}

static gboolean
window_is_active (gpointer data)
{
  return gtk_window_is_active (GTK_WINDOW (data));
}

/* After a restart, Recent Calls lists the history's last calls. A missed call is not styled
 * as an error; one not seen yet is marked "New" until the window was looked at (activated
 * and left), and the group counts those. */
static void
test_windows_recent_calls (void)
{
  g_autofree char *dir = g_dir_make_tmp ("screenpop-recent-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "history.db", NULL);
  GSettings *settings = sp_engine_get_settings (sp_application_get_engine (app));
  g_autoptr(SpAccount) account = sp_account_new_transient ("office", "no-such-kind", "Office");
  GtkWidget *missed_row, *answered_row, *mark, *group;
  SpEngine *engine;
  SpWindow *window;

  g_settings_set_int64 (settings, "missed-seen", 0);

  /* The run before: one call answered, one missed, kept in the history. */
  engine = sp_engine_new_full (settings, NULL, path, NULL);
  push_call (engine, "0312345678", TRUE);
  push_call (engine, "0698765432", FALSE);
  g_assert_finalize_object (engine);

  /* This run starts with them. */
  engine = sp_engine_new_full (settings, NULL, path, NULL);
  sp_account_list_add_transient (sp_engine_get_accounts (engine), account);
  g_assert_cmpuint (g_list_model_get_n_items (sp_call_tracker_get_recent (sp_engine_get_tracker (engine))), ==, 2);
  window = g_object_ref (sp_window_new (GTK_APPLICATION (app), engine));
  gtk_window_present (GTK_WINDOW (window));
  sp_test_run_for (200);

  missed_row = find_widget (GTK_WIDGET (window), ADW_TYPE_ACTION_ROW, row_titled, "0698765432");
  answered_row = find_widget (GTK_WIDGET (window), ADW_TYPE_ACTION_ROW, row_titled, "0312345678");
  g_assert_true (shown (missed_row));
  g_assert_true (shown (answered_row));
  g_assert_false (gtk_widget_has_css_class (missed_row, "error"));
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (missed_row)), "Missed"));
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (answered_row)), "Answered"));

  /* The missed call is new until looked at; the answered one is never marked. */
  mark = find_widget (missed_row, GTK_TYPE_LABEL, label_is, "New");
  g_assert_true (shown (mark));
  g_assert_false (shown (find_widget (answered_row, GTK_TYPE_LABEL, label_is, "New")));
  group = find_widget (GTK_WIDGET (window), ADW_TYPE_PREFERENCES_GROUP, group_titled, "Recent Calls");
  g_assert_cmpstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (group)), ==,
                   "1 new missed call");

  /* Looked at: the setting the tray counts from moves at once, the mark stays while the
   * window is in front and goes when it is left. */
  g_assert_true (sp_test_wait_until (window_is_active, window, 5000));
  g_assert_cmpint (g_settings_get_int64 (settings, "missed-seen"), >, 0);
  g_assert_true (shown (mark));
  gtk_widget_hide (GTK_WIDGET (window));
  sp_test_run_for (100);
  g_assert_false (gtk_widget_get_visible (mark));
  g_assert_cmpstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (group)), ==, "");

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  g_assert_finalize_object (engine);
  g_settings_reset (settings, "missed-seen");
  sp_test_remove_tree (dir);
}

typedef struct
{
  GtkWidget  *under;
  const char *title;
  GtkWidget  *row;
} RowSearch;

static gboolean
row_found (gpointer data)
{
  RowSearch *search = data;

  search->row = find_widget (search->under, ADW_TYPE_ACTION_ROW, row_titled, search->title);
  return search->row != NULL;
}

/* A ringing call that a directory knows shows in Calls Now as a person reads a contact:
 * the name as the title, the company and the number under it; both written as they are,
 * markup characters included. */
static void
test_windows_calls_now_company (void)
{
  g_autofree char *dir = g_dir_make_tmp ("screenpop-calls-now-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "history.db", NULL);
  g_autofree char *csv = g_build_filename (dir, "staff.csv", NULL);
  GSettings *settings = sp_engine_get_settings (sp_application_get_engine (app));
  g_autoptr(GSettings) directory = sp_directory_settings_new ("window-csv");
  g_autoptr(SpAccount) account = sp_account_new_transient ("office", "no-such-kind", "Office");
  g_autoptr(SpCallEvent) ring = sp_call_event_new ("office", "c1", SP_CALL_EVENT_RINGING);
  const char * const ids[] = { "window-csv", NULL };
  const char * const none[] = { NULL };
  g_autoptr(GError) error = NULL;
  RowSearch search = { 0 };
  const char *subtitle;
  GtkWidget *active;
  SpEngine *engine;
  SpWindow *window;

  g_file_set_contents (csv, "name,company,phone\n"
                            "Smith & Sons 山田,<b>株式会社テスト</b> & Co,03-1234-5678\n", -1, &error);
  g_assert_no_error (error);
  g_settings_set_string (settings, "phone-region", "JP");
  g_settings_set_string (directory, "kind", "file");
  g_settings_set_string (directory, "label", "Staff");
  g_settings_set_boolean (directory, "enabled", TRUE);
  g_settings_set_string (directory, "url", csv);
  g_settings_set_strv (settings, "directories", ids);

  engine = sp_engine_new_full (settings, NULL, path, NULL);
  sp_account_list_add_transient (sp_engine_get_accounts (engine), account);
  window = g_object_ref (sp_window_new (GTK_APPLICATION (app), engine));
  gtk_window_present (GTK_WINDOW (window));
  active = find_widget (GTK_WIDGET (window), ADW_TYPE_PREFERENCES_GROUP, group_titled, "Calls Now");

  ring->number = g_strdup ("0312345678");
  ring->queue = g_strdup ("Support");
  sp_call_tracker_push (sp_engine_get_tracker (engine), ring);

  /* It pops with the number, and the directory's answer renames the same row. */
  search.under = active;
  search.title = "Smith & Sons 山田";
  g_assert_true (sp_test_wait_until (row_found, &search, 10000));
  g_assert_true (shown (search.row));
  subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (search.row));
  g_assert_true (g_str_has_prefix (subtitle, "<b>株式会社テスト</b> & Co · 03-1234-5678 · Ringing · "));
  g_assert_true (g_str_has_suffix (subtitle, " · Support · Office"));
  /* What is on screen is that text, not markup parsed out of it. */
  g_assert_true (shown (find_widget (search.row, GTK_TYPE_LABEL, label_text_is, subtitle)));
  g_assert_true (shown (find_widget (search.row, GTK_TYPE_LABEL, label_text_is, search.title)));

  /* After a restart, without the directory, Recent Calls still says who it was. */
  {
    g_autoptr(SpCallEvent) end = sp_call_event_new ("office", "c1", SP_CALL_EVENT_MISSED);

    sp_call_tracker_push (sp_engine_get_tracker (engine), end);
  }
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  g_assert_finalize_object (engine);
  g_settings_set_strv (settings, "directories", none);

  engine = sp_engine_new_full (settings, NULL, path, NULL);
  sp_account_list_add_transient (sp_engine_get_accounts (engine), account);
  window = g_object_ref (sp_window_new (GTK_APPLICATION (app), engine));
  gtk_window_present (GTK_WINDOW (window));
  search.under = find_widget (GTK_WIDGET (window), ADW_TYPE_PREFERENCES_GROUP, group_titled,
                              "Recent Calls");
  g_assert_true (sp_test_wait_until (row_found, &search, 10000));
  g_assert_true (shown (search.row));
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (search.row)),
                                   "<b>株式会社テスト</b> & Co · 03-1234-5678 · Missed · "));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  g_assert_finalize_object (engine);
  g_settings_reset (settings, "phone-region");
  sp_test_remove_tree (dir);
}

static void
test_windows_add_account_dialog (void)
{
  SpAddAccountDialog *dialog;

  dialog = g_object_ref (sp_add_account_dialog_new (sp_engine_get_accounts (sp_application_get_engine (app))));
  gtk_window_present (GTK_WINDOW (dialog));
  sp_test_run_for (200);
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_finalize_object (dialog);
}

/* The combo row titled @title under @widget, depth first. */
static AdwComboRow *
find_combo_row (GtkWidget  *widget,
                const char *title)
{
  if (ADW_IS_COMBO_ROW (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return ADW_COMBO_ROW (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      AdwComboRow *found = find_combo_row (child, title);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
test_windows_preferences (void)
{
  SpEngine *engine = sp_application_get_engine (app);
  GSettings *settings = sp_engine_get_settings (engine);
  SpPreferencesWindow *prefs;
  AdwComboRow *lock_row;
  GtkSwitch *click_switch;

  prefs = g_object_ref (sp_preferences_window_new (settings, sp_engine_get_accounts (engine), NULL));
  gtk_window_present (GTK_WINDOW (prefs));
  sp_test_run_for (200);

  /* The lock-screen choice is the setting, both ways. */
  lock_row = find_combo_row (GTK_WIDGET (prefs), "On the _Lock Screen");
  g_assert_nonnull (lock_row);
  g_assert_cmpuint (adw_combo_row_get_selected (lock_row), ==, 1);
  adw_combo_row_set_selected (lock_row, 2);
  g_assert_cmpstr (g_settings_get_string (settings, "lock-screen"), ==, "hide");
  g_settings_set_string (settings, "lock-screen", "show");
  g_assert_cmpuint (adw_combo_row_get_selected (lock_row), ==, 0);
  g_settings_reset (settings, "lock-screen");

  /* The click on a call notification: the window, or with the switch on, the CRM page. */
  click_switch = GTK_SWITCH (gtk_widget_get_template_child (GTK_WIDGET (prefs),
                                                            SP_TYPE_PREFERENCES_WINDOW,
                                                            "click_switch"));
  g_assert_false (gtk_switch_get_active (click_switch));
  gtk_switch_set_active (click_switch, TRUE);
  g_assert_true (g_settings_get_boolean (settings, "click-opens-page"));
  g_settings_reset (settings, "click-opens-page");

  gtk_window_destroy (GTK_WINDOW (prefs));
  g_assert_finalize_object (prefs);
}

static void
test_windows_history (void)
{
  g_autofree char *dir = g_dir_make_tmp ("screenpop-history-window-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "history.db", NULL);
  g_autoptr(GError) error = NULL;
  GSettings *settings = sp_engine_get_settings (sp_application_get_engine (app));
  SpEngine *engine;
  SpHistoryWindow *window;
  const char *numbers[] = { "0312345678", "0698765432", "201" };

  /* The engine as the app builds it, its history in a file of the test's: what the
   * tracker ends is what the window lists. */
  engine = sp_engine_new_full (settings, NULL, path, NULL);
  g_assert_nonnull (sp_engine_get_history (engine));
  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    {
      g_autoptr(SpCallEvent) ring = sp_call_event_new ("office", numbers[i], SP_CALL_EVENT_RINGING);
      g_autoptr(SpCallEvent) end = sp_call_event_new ("office", numbers[i], SP_CALL_EVENT_MISSED);

      ring->number = g_strdup (numbers[i]);
      sp_call_tracker_push (sp_engine_get_tracker (engine), ring);
      sp_call_tracker_push (sp_engine_get_tracker (engine), end);
    }

  /* One from yesterday, one from last week, and one whose end never came (popup-notifier's
   * kind: the outcome is unknown). */
  for (guint i = 0; i < 2; i++)
    {
      const char *id = i == 0 ? "yesterday" : "last-week";
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autoptr(GDateTime) noon = g_date_time_new_local (g_date_time_get_year (now),
                                                         g_date_time_get_month (now),
                                                         g_date_time_get_day_of_month (now),
                                                         12, 0, 0);
      g_autoptr(GDateTime) when = g_date_time_add_days (noon, i == 0 ? -1 : -7);
      g_autoptr(SpCallEvent) ring = sp_call_event_new ("office", id, SP_CALL_EVENT_RINGING);
      g_autoptr(SpCallEvent) end = sp_call_event_new ("office", id, SP_CALL_EVENT_MISSED);

      ring->number = g_strdup ("0455555555");
      ring->timestamp = g_date_time_to_unix (when) * G_USEC_PER_SEC;
      end->timestamp = ring->timestamp + 10 * G_USEC_PER_SEC;
      sp_call_tracker_push (sp_engine_get_tracker (engine), ring);
      sp_call_tracker_push (sp_engine_get_tracker (engine), end);
    }
  {
    g_autoptr(SpCallEvent) ring = sp_call_event_new ("office", "no-end", SP_CALL_EVENT_RINGING);

    ring->number = g_strdup ("0466666666");
    sp_call_tracker_push (sp_engine_get_tracker (engine), ring);
    sp_call_tracker_end_account (sp_engine_get_tracker (engine), "office");
  }

  window = g_object_ref (sp_history_window_new (engine));
  gtk_window_present (GTK_WINDOW (window));
  sp_test_run_for (200);
  g_assert_cmpuint (sp_history_window_get_n_shown (window), ==, 6);

  /* Grouped by day, newest first: Today, Yesterday, then the date. */
  {
    GtkWidget *today = find_widget (GTK_WIDGET (window), ADW_TYPE_PREFERENCES_GROUP, group_titled, "Today");
    GtkWidget *yesterday = find_widget (GTK_WIDGET (window), ADW_TYPE_PREFERENCES_GROUP, group_titled, "Yesterday");
    GtkWidget *older;

    g_assert_true (shown (today));
    g_assert_true (shown (yesterday));
    g_assert_true (gtk_widget_get_next_sibling (today) == yesterday);
    older = gtk_widget_get_next_sibling (yesterday);
    g_assert_true (ADW_IS_PREFERENCES_GROUP (older));
    g_assert_null (gtk_widget_get_next_sibling (older));
    g_assert_nonnull (find_widget (today, ADW_TYPE_ACTION_ROW, row_titled, "0312345678"));
    g_assert_nonnull (find_widget (older, ADW_TYPE_ACTION_ROW, row_titled, "0455555555"));
  }

  /* The call without an end has its own honest filter. */
  {
    GtkDropDown *which = GTK_DROP_DOWN (find_widget (GTK_WIDGET (window), GTK_TYPE_DROP_DOWN,
                                                     tooltip_is, "Which Calls"));
    GtkWidget *row;

    g_assert_cmpstr (gtk_string_object_get_string (gtk_drop_down_get_selected_item (which)), ==, "All Calls");
    gtk_drop_down_set_selected (which, 2);
    g_assert_cmpstr (gtk_string_object_get_string (gtk_drop_down_get_selected_item (which)), ==, "Outcome Unknown");
    g_assert_cmpuint (sp_history_window_get_n_shown (window), ==, 1);
    row = find_widget (GTK_WIDGET (window), ADW_TYPE_ACTION_ROW, row_titled, "0466666666");
    g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Rang, outcome unknown"));
    gtk_drop_down_set_selected (which, 1);
    g_assert_cmpuint (sp_history_window_get_n_shown (window), ==, 5);
    gtk_drop_down_set_selected (which, 0);
  }

  sp_history_window_set_search (window, "9876");
  g_assert_cmpuint (sp_history_window_get_n_shown (window), ==, 1);

  /* A search that finds nothing says so, with the search icon (not "No Calls"). */
  sp_history_window_set_search (window, "no such caller");
  sp_test_run_for (50);
  g_assert_cmpuint (sp_history_window_get_n_shown (window), ==, 0);
  {
    GtkWidget *status = find_widget (GTK_WIDGET (window), ADW_TYPE_STATUS_PAGE, NULL, NULL);

    g_assert_true (shown (status));
    g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (status)), ==, "No Results Found");
    g_assert_cmpstr (adw_status_page_get_icon_name (ADW_STATUS_PAGE (status)), ==, "system-search-symbolic");
  }
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  g_assert_finalize_object (engine);

  for (guint i = 0; i < 3; i++)
    {
      const char *suffixes[] = { "", "-wal", "-shm" };
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }

  /* Without a history (a file that is no database), the window says why instead of
   * failing. */
  g_file_set_contents (path, "not a database, only text that is long enough to be read as a header",
                       -1, &error);
  g_assert_no_error (error);
  engine = sp_engine_new_full (settings, NULL, path, NULL);
  g_assert_null (sp_engine_get_history (engine));
  g_assert_nonnull (sp_engine_get_history_error (engine));
  window = g_object_ref (sp_history_window_new (engine));
  gtk_window_present (GTK_WINDOW (window));
  sp_test_run_for (100);
  g_assert_cmpuint (sp_history_window_get_n_shown (window), ==, 0);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  g_assert_finalize_object (engine);

  for (guint i = 0; i < 3; i++)
    {
      const char *suffixes[] = { "", "-wal", "-shm" };
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }
  g_rmdir (dir);
}

static GtkWidget *
find_button (GtkWidget  *widget,
             const char *tooltip)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_widget_get_tooltip_text (widget), tooltip) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, tooltip);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
record_url (const char *uri,
            gpointer    user_data)
{
  g_ptr_array_add (user_data, g_strdup (uri));
}

static gboolean
row_title_contains (GtkWidget  *widget,
                    const char *text)
{
  const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget));

  return title != NULL && strstr (title, text) != NULL;
}

/* A caller's name and a queue are what the network sent: the history shows them as they
 * are, never as markup ("&" alone made GTK's markup parser warn, fatal here, and "<b>"
 * would have been bold). */
static void
test_windows_history_plain_text (void)
{
  g_autofree char *dir = g_dir_make_tmp ("screenpop-history-plain-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "history.db", NULL);
  GSettings *settings = sp_engine_get_settings (sp_application_get_engine (app));
  g_autoptr(SpCallEvent) ring = sp_call_event_new ("office", "markup", SP_CALL_EVENT_RINGING);
  g_autoptr(SpCallEvent) end = sp_call_event_new ("office", "markup", SP_CALL_EVENT_MISSED);
  SpEngine *engine;
  SpHistoryWindow *window;
  GtkWidget *row;

  engine = sp_engine_new_full (settings, NULL, path, NULL);
  ring->number = g_strdup ("0312345678");
  ring->name = g_strdup ("Smith & <b>Sons</b>");
  ring->queue = g_strdup ("R&D");
  sp_call_tracker_push (sp_engine_get_tracker (engine), ring);
  sp_call_tracker_push (sp_engine_get_tracker (engine), end);

  window = g_object_ref (sp_history_window_new (engine));
  gtk_window_present (GTK_WINDOW (window));
  sp_test_run_for (200);

  row = find_widget (GTK_WIDGET (window), ADW_TYPE_ACTION_ROW, row_title_contains,
                     "Smith & <b>Sons</b>");
  g_assert_nonnull (row);
  g_assert_false (adw_preferences_row_get_use_markup (ADW_PREFERENCES_ROW (row)));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "R&D"));

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
  g_object_unref (engine);
  sp_test_remove_tree (dir);
}

/* "Open in CRM" in the history passes the URL policy like every other path: a template with
 * a user name or password before the host is refused (and the window says why), and a host
 * mixing scripts opens in punycode. */
static void
test_windows_history_open_in_crm (void)
{
  g_autofree char *dir = g_dir_make_tmp ("screenpop-history-open-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "history.db", NULL);
  GSettings *settings = sp_engine_get_settings (sp_application_get_engine (app));
  g_autoptr(SpAccount) account = sp_account_new_transient ("crm-office", "demo", "Office");
  g_autoptr(GPtrArray) opened = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(SpCallEvent) ring = sp_call_event_new ("crm-office", "h-1", SP_CALL_EVENT_RINGING);
  g_autoptr(SpCallEvent) end = sp_call_event_new ("crm-office", "h-1", SP_CALL_EVENT_MISSED);
  const char *templates[] = {
    "https://agent:secret@crm.example.com/c?n={number}",
    "https://\xd1\x81rm.example.com/c?n={number}",
  };
  SpEngine *engine;

  engine = sp_engine_new_full (settings, NULL, path, NULL);
  sp_engine_set_url_handler (engine, record_url, g_ptr_array_ref (opened),
                             (GDestroyNotify) g_ptr_array_unref);
  g_settings_set_boolean (sp_account_get_settings (account), "enabled", FALSE);
  sp_account_list_add_transient (sp_engine_get_accounts (engine), account);
  ring->number = g_strdup ("0312345678");
  sp_call_tracker_push (sp_engine_get_tracker (engine), ring);
  sp_call_tracker_push (sp_engine_get_tracker (engine), end);

  for (guint i = 0; i < G_N_ELEMENTS (templates); i++)
    {
      SpHistoryWindow *window;
      GtkWidget *button;

      g_settings_set_string (sp_account_get_settings (account), "url-template", templates[i]);
      window = g_object_ref (sp_history_window_new (engine));
      gtk_window_present (GTK_WINDOW (window));
      sp_test_run_for (200);
      g_assert_cmpuint (sp_history_window_get_n_shown (window), ==, 1);

      button = find_button (GTK_WIDGET (window), "Open in CRM");
      g_assert_nonnull (button);
      if (i == 0)
        g_test_expect_message ("sp-url-opener", G_LOG_LEVEL_WARNING, "*user name or password*");
      g_signal_emit_by_name (button, "clicked");
      g_test_assert_expected_messages ();

      gtk_window_destroy (GTK_WINDOW (window));
      g_assert_finalize_object (window);
    }

  g_assert_cmpuint (opened->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (opened, 0), ==,
                   "https://xn--rm-nmc.example.com/c?n=0312345678");

  g_assert_finalize_object (engine);
  sp_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  /* GTK and libadwaita keep proxies on the session bus for the life of the process, so
   * this private bus is never taken down here: GTestDBus's watcher ends it (and the mock
   * notification server with it) when we exit. */
  sp_test_notify_start (NULL);

  if (!gtk_init_check ())
    g_error ("No display: run this under Xvfb, as build-aux/test does");

  app = sp_application_new ();
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));

  g_test_add_func ("/windows/main-window", test_windows_main_window);
  g_test_add_func ("/windows/main-window-size", test_windows_main_window_size);
  g_test_add_func ("/windows/welcome", test_windows_welcome);
  g_test_add_func ("/windows/do-not-disturb", test_windows_do_not_disturb);
  g_test_add_func ("/windows/recent-calls", test_windows_recent_calls);
  g_test_add_func ("/windows/calls-now-company", test_windows_calls_now_company);
  g_test_add_func ("/windows/add-account-dialog", test_windows_add_account_dialog);
  g_test_add_func ("/windows/preferences", test_windows_preferences);
  g_test_add_func ("/windows/history", test_windows_history);
  g_test_add_func ("/windows/history-open-in-crm", test_windows_history_open_in_crm);
  g_test_add_func ("/windows/history-plain-text", test_windows_history_plain_text);

  ret = g_test_run ();

  g_object_unref (app);

  return ret;
}
