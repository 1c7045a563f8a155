/* test-webservice-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The main window's "Work to Finish": a call whose web service paused the agent shows with
 * a Done button that resumes the agent, and a failing web service says why. Under Xvfb,
 * with fatal warnings.
 */

#include "config.h"

#include <gtk/gtk.h>

#include "sp-application.h"
#include "sp-test-fake-source.h"
#include "sp-test-notify.h"
#include "sp-test-util.h"
#include "sp-test-webservice-server.h"
#include "sp-window.h"

#define ACCOUNT_ID "ws-window"

static SpApplication *app;

static void
push (const char      *call_id,
      SpCallEventKind  kind)
{
  g_autoptr(SpCallEvent) event = sp_call_event_new (ACCOUNT_ID, call_id, kind);

  event->number = g_strdup ("0427123456");
  sp_call_tracker_push (sp_engine_get_tracker (sp_application_get_engine (app)), event);
}

/* The first button under @widget whose label is @label. */
static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0 &&
      gtk_widget_is_visible (widget))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* The first group under @widget titled @title. */
static GtkWidget *
find_group (GtkWidget  *widget,
            const char *title)
{
  if (ADW_IS_PREFERENCES_GROUP (widget) &&
      g_strcmp0 (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (widget)), title) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_group (child, title);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
has_done_button (gpointer user_data)
{
  return find_button (user_data, "Done") != NULL;
}

static gboolean
performed_two (gpointer user_data)
{
  return sp_test_fake_source_get_performed (user_data)->len == 2;
}

static gboolean
has_description (gpointer user_data)
{
  const char *description = adw_preferences_group_get_description (user_data);

  return description != NULL && *description != '\0';
}

static void
test_done_and_error (void)
{
  g_autoptr(SpTestWebserviceServer) server = sp_test_webservice_server_new ();
  g_autofree char *url = sp_test_webservice_server_dup_url (server, "/crm");
  g_autoptr(SpAccount) account = sp_account_new_transient (ACCOUNT_ID, "fake", "CRM desk");
  g_autoptr(SpTestFakeSource) source = NULL;
  SpEngine *engine = sp_application_get_engine (app);
  SpWebservice *webservice = sp_engine_get_webservice (engine);
  SpWindow *window;
  GtkWidget *group;
  GtkWidget *done;

  /* A kind Screenpop does not know: the fake source stands in for the account's. */
  g_settings_set_string (sp_account_get_settings (account), "webservice-url", url);
  source = sp_test_fake_source_new (account);
  sp_account_list_add_transient_with_source (sp_engine_get_accounts (engine), account,
                                         SP_SOURCE (source));

  window = g_object_ref (sp_window_new (GTK_APPLICATION (app), engine));
  gtk_window_present (GTK_WINDOW (window));
  sp_test_run_for (100);

  group = find_group (GTK_WIDGET (window), "Work to Finish");
  g_assert_nonnull (group);
  g_assert_false (gtk_widget_get_visible (group));

  /* Paused at once by the web service: the call waits in the window for Done. */
  sp_test_webservice_server_set_reply (server, 200,
                                       "{\"action\":\"none\",\"event\":\"EventRinging\",\"autopause\":true}");
  push ("call-1", SP_CALL_EVENT_RINGING);
  g_assert_true (sp_test_wait_until (has_done_button, window, 3000));
  g_assert_true (gtk_widget_get_visible (group));
  g_assert_cmpuint (sp_test_fake_source_get_performed (source)->len, ==, 1);

  done = find_button (GTK_WIDGET (window), "Done");
  g_signal_emit_by_name (done, "clicked");
  g_assert_true (sp_test_wait_until (performed_two, source, 2000));
  g_assert_cmpstr (g_ptr_array_index (sp_test_fake_source_get_performed (source), 1), ==, "unpause call-1");
  g_assert_cmpuint (g_list_model_get_n_items (sp_webservice_get_pending (webservice)), ==, 0);
  sp_test_run_for (100);
  g_assert_false (gtk_widget_get_visible (group));
  push ("call-1", SP_CALL_EVENT_ENDED);

  /* A failing web service is said, under the same title. */
  sp_test_webservice_server_set_reply (server, 500, NULL);
  push ("call-2", SP_CALL_EVENT_RINGING);
  g_assert_true (sp_test_wait_until (has_description, group, 5000));
  g_assert_true (gtk_widget_get_visible (group));
  g_assert_nonnull (strstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (group)), "HTTP 500"));
  push ("call-2", SP_CALL_EVENT_ENDED);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);

  sp_account_list_remove (sp_engine_get_accounts (engine), ACCOUNT_ID);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  /* As test-windows.c: the private bus outlives us, GTestDBus's watcher ends it. */
  sp_test_notify_start (NULL);

  if (!gtk_init_check ())
    g_error ("No display: run this under Xvfb, as build-aux/test does");

  app = sp_application_new ();
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));

  g_test_add_func ("/webservice-window/done-and-error", test_done_and_error);

  ret = g_test_run ();

  g_object_unref (app);

  return ret;
}
