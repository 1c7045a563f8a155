/* pbxis-status-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The pbxis status view (Agents and Queues) against the in-process pbxis-ws test server,
 * filled with a small call centre: four agents, three queues and one the account lists
 * that Asterisk does not have, a caller waiting, a call going on, another ringing, and
 * the queue summaries. For screenshots (README.md) and for trying the view by hand:
 *
 *   meson devenv -C _build tests/servers/pbxis-status-view
 *   LANGUAGE=ja meson devenv -C _build tests/servers/pbxis-status-view
 *
 * It runs until its window is closed. */

#define G_LOG_DOMAIN "pbxis-status-view"

#include "config.h"

#include <locale.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "sp-pbxis-source.h"
#include "sp-pbxis-window.h"
#include "sp-test-pbxis-server.h"

static void
fill (SpTestPbxisServer *server)
{
  g_autofree char *talking = NULL;

  sp_test_pbxis_server_set_agent_name (server, "147", "Ana Horvat");
  sp_test_pbxis_server_set_agent_name (server, "149", "Ivo Kovač");
  sp_test_pbxis_server_set_agent_name (server, "151", "Marta Babić");

  sp_test_pbxis_server_set_member (server, "sales", "147", "active");
  sp_test_pbxis_server_set_member (server, "support", "147", "paused");
  sp_test_pbxis_server_set_member (server, "sales", "149", "active");
  sp_test_pbxis_server_set_member (server, "support", "151", "active");
  sp_test_pbxis_server_set_member (server, "billing", "151", "active");
  sp_test_pbxis_server_add_queue (server, "billing");

  sp_test_pbxis_server_set_queue_stats (server, "sales", 128, 9, 42, 215);
  sp_test_pbxis_server_set_queue_stats (server, "support", 57, 4, 75, 340);
  sp_test_pbxis_server_set_queue_stats (server, "billing", 12, 0, 20, 180);
  sp_test_pbxis_server_set_calls_taken (server, "sales", "147", 71);
  sp_test_pbxis_server_set_calls_taken (server, "sales", "149", 57);
  sp_test_pbxis_server_set_calls_taken (server, "support", "147", 22);
  sp_test_pbxis_server_set_calls_taken (server, "support", "151", 35);
  sp_test_pbxis_server_set_calls_taken (server, "billing", "151", 12);

  /* Ivo talks to a customer from the sales queue, a caller waits there, and Marta's
   * phone rings. */
  talking = sp_test_pbxis_server_queue_call (server, "sales", "149", "0915551234",
                                             "ACME d.o.o.");
  sp_test_pbxis_server_answer (server, talking);
  g_free (sp_test_pbxis_server_queue_call (server, "sales", "200", "0981112233", NULL));
  g_free (sp_test_pbxis_server_direct_call (server, "151", "0123456789"));
}

/* The first queue's details open, as a person would open them, for the screenshot. */
static gboolean
expand_first_queue_cb (gpointer data)
{
  GtkWidget *widget = data;
  GQueue todo = G_QUEUE_INIT;

  g_queue_push_tail (&todo, widget);
  while ((widget = g_queue_pop_head (&todo)) != NULL)
    {
      if (ADW_IS_EXPANDER_ROW (widget))
        {
          /* Not before the queue status has come: there is nothing in it yet. */
          if (!adw_expander_row_get_enable_expansion (ADW_EXPANDER_ROW (widget)))
            {
              g_queue_clear (&todo);
              return G_SOURCE_CONTINUE;
            }
          adw_expander_row_set_expanded (ADW_EXPANDER_ROW (widget), TRUE);
          break;
        }
      for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        g_queue_push_tail (&todo, child);
    }
  g_queue_clear (&todo);

  return G_SOURCE_REMOVE;
}

static gboolean
summaries_cb (gpointer data)
{
  sp_test_pbxis_server_publish_summaries (data);

  return G_SOURCE_CONTINUE;
}

static void
destroy_cb (GtkWidget *window,
            GMainLoop *loop)
{
  g_main_loop_quit (loop);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpTestPbxisServer) server = NULL;
  g_autoptr(SpAccount) account = NULL;
  g_autoptr(SpSource) source = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree char *url = NULL;
  const char *extensions[] = { "147", "149", "151", "153", NULL };
  GVariantBuilder options;
  GSettings *settings;
  SpPbxisWindow *window;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  /* Transient settings: nothing of this lands in the user's. */
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  adw_init ();
  /* A screenshot taken any time shows rows as they end up, not half-way. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  server = sp_test_pbxis_server_new (0, &error);
  if (server == NULL)
    g_error ("No test server: %s", error->message);
  fill (server);
  url = sp_test_pbxis_server_dup_url (server);

  account = sp_account_new_transient ("pbx", "pbxis", "ACME Call Centre");
  settings = sp_account_get_settings (account);
  g_settings_set_string (settings, "url", url);
  g_settings_set_strv (settings, "extensions", extensions);
  g_variant_builder_init (&options, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&options, "{ss}", "queues", "sales,support,billing,marketing");
  g_variant_builder_add (&options, "{ss}", "summary-events", "true");
  g_variant_builder_add (&options, "{ss}", "supervisor", "true");
  g_settings_set_value (settings, "options", g_variant_builder_end (&options));

  source = sp_pbxis_source_new (account);
  sp_source_start (source);

  window = sp_pbxis_window_new (SP_PBXIS_SOURCE (source));
  g_signal_connect (window, "destroy", G_CALLBACK (destroy_cb), loop);
  /* Everything in one screenshot. */
  gtk_window_set_default_size (GTK_WINDOW (window), 720, 1060);
  gtk_window_present (GTK_WINDOW (window));

  g_timeout_add (500, expand_first_queue_cb, window);

  /* As a server with :summary-refresh-seconds 2 would. */
  g_timeout_add_seconds (2, summaries_cb, server);

  g_main_loop_run (loop);

  sp_source_stop (source);

  return 0;
}
