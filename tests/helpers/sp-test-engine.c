/* sp-test-engine.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-test-engine"

#include "config.h"

#include "sp-test-engine.h"
#include "sp-test-util.h"

static void
remove_dir (gpointer  data,
            GObject  *where_the_engine_was)
{
  g_autofree char *dir = data;

  sp_test_remove_tree (dir);
}

/**
 * sp_test_engine_new:
 * @settings: the app's settings
 * @bus: (nullable): the session bus, for the screen lock; %NULL: never locked
 *
 * The engine the app builds, history included, for a test: only the history lives in a
 * folder of its own, which goes when the engine does, so that tests running side by side
 * share no database.
 *
 * Returns: (transfer full): the engine
 */
SpEngine *
sp_test_engine_new (GSettings       *settings,
                    GDBusConnection *bus)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("screenpop-engine-XXXXXX", &error);
  g_autofree char *path = NULL;
  SpEngine *engine;

  g_assert_no_error (error);
  path = g_build_filename (dir, "history.db", NULL);
  engine = sp_engine_new_full (settings, bus, path, NULL);
  g_assert_nonnull (sp_engine_get_history (engine));
  g_object_weak_ref (G_OBJECT (engine), remove_dir, g_steal_pointer (&dir));

  return engine;
}

/**
 * sp_test_engine_assert_finalize:
 * @engine: (transfer full): an engine whose last reference the caller holds
 *
 * Drops @engine and asserts that it, and every part of its pipeline, was finalized: a
 * part kept alive by a forgotten reference or a signal handler shows here.
 */
void
sp_test_engine_assert_finalize (SpEngine *engine)
{
  gpointer parts[] = {
    sp_engine_get_accounts (engine),
    sp_engine_get_tracker (engine),
    sp_engine_get_notifier (engine),
    sp_engine_get_quiet (engine),
    sp_engine_get_screen_lock (engine),
    sp_engine_get_screenpop (engine),
    sp_engine_get_webservice (engine),
    sp_engine_get_command_runner (engine),
    sp_engine_get_url_opener (engine),
    sp_engine_get_history (engine),
  };

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      if (parts[i] != NULL)
        g_object_add_weak_pointer (parts[i], &parts[i]);
    }

  g_assert_finalize_object (engine);

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      if (parts[i] != NULL)
        g_test_message ("part %u not finalized", i);
      g_assert_null (parts[i]);
    }
}
