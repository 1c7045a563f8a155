/* main.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <gtk/gtk.h>
#include <locale.h>
#include <signal.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "sp-application.h"

/* Started in the background (autostart), Screenpop mostly never opens a window; yet GTK
 * loads the whole OpenGL stack when it opens an X display, two thirds of the resident
 * memory with Mesa (bench-popup-notifier, "rss" against "rss-gl": 30 MB against 90 MB).
 * So a background start opens the display without GL: a window opened later is drawn by
 * GTK's cairo renderer, plenty for ours. SCREENPOP_GL=1, or a GDK_DEBUG of one's own,
 * keeps GL. GDK reads the variables once, when GTK starts: they are taken back at once, so
 * that the browser and programs we start do not inherit them. */
static void
maybe_disable_gl (int    argc,
                  char **argv)
{
  gboolean background = FALSE;

  for (int i = 1; i < argc; i++)
    background = background || g_str_equal (argv[i], "--background") || g_str_equal (argv[i], "-b");

  if (!background || g_getenv ("GDK_DEBUG") != NULL || g_getenv ("GDK_DISABLE") != NULL ||
      g_strcmp0 (g_getenv ("SCREENPOP_GL"), "1") == 0)
    return;

  g_setenv ("GDK_DEBUG", "gl-disable", TRUE);
  g_setenv ("GDK_DISABLE", "gl", TRUE);   /* the same, for GTK 4.16 and later */
  gtk_init ();
  g_unsetenv ("GDK_DEBUG");
  g_unsetenv ("GDK_DISABLE");
}

/* glibc gives each thread that allocates an arena of its own (up to 8 per core): GDBus's
 * worker, dconf's, GTask's pool each keep their own heap, about 1 MB resident in all for a
 * program that allocates little outside its main thread (bench-popup-notifier: peak 39.5 MB
 * against 38.5 MB with a single arena, same CPU per event). So one arena, set before the
 * first thread starts; MALLOC_ARENA_MAX or GLIBC_TUNABLES of one's own are left alone. */
static void
limit_malloc_arenas (void)
{
#if defined(__GLIBC__) && defined(M_ARENA_MAX)
  if (g_getenv ("MALLOC_ARENA_MAX") == NULL && g_getenv ("GLIBC_TUNABLES") == NULL)
    mallopt (M_ARENA_MAX, 1);
#endif
}

static gboolean
quit_on_signal (gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));

  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SpApplication) app = NULL;

  limit_malloc_arenas ();
  maybe_disable_gl (argc, argv);

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_application_name (_("Screenpop"));

  app = sp_application_new ();

  /* The end of the session (SIGTERM from the session or systemd, SIGHUP when the terminal
   * goes, Ctrl+C) is a quit like any other: notifications withdrawn, live calls written to
   * the history. */
  g_unix_signal_add (SIGTERM, quit_on_signal, app);
  g_unix_signal_add (SIGHUP, quit_on_signal, app);
  g_unix_signal_add (SIGINT, quit_on_signal, app);

  return g_application_run (G_APPLICATION (app), argc, argv);
}
