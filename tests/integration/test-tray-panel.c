/* test-tray-panel.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The tray icon as a person sees it: Debian's xfce4-panel, its StatusNotifierItem host (the
 * systray plugin, which also owns org.kde.StatusNotifierWatcher) on our private bus and its
 * own Xvfb screen, draws the item in each state (idle, disconnected, ringing, missed). Each
 * state is photographed (ImageMagick's `import`) and the icon area must not be empty, and
 * must change when the state does: the panel found the icon, and re-read it.
 *
 * xfce4-panel needs xfconfd (its settings, here a panel that holds only the systray, in a
 * throw-away XDG_CONFIG_HOME) and, without a window manager, --disable-wm-check. It finds
 * our icons as an installed Screenpop offers them: data/icons/hicolor is installed as is
 * (data/meson.build), so the source tree's data folder stands first in its XDG_DATA_DIRS.
 * The screenshots stay in the build folder (tests/tray-panel-STATE.png) to be looked at.
 */

#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <libnotify/notify.h>

#include "sp-account-list.h"
#include "sp-call-tracker.h"
#include "sp-test-engine.h"
#include "sp-test-notify.h"
#include "sp-test-util.h"
#include "sp-tray.h"

#define PANEL_HEIGHT 48
#define SCREEN_WIDTH 320
/* A 32 px icon is about 1 000 pixels; a drawn symbolic icon covers a few hundred of them. */
#define MIN_ICON_PIXELS 40
#define TIMEOUT_MS 20000

static const char panel_xml[] =
  "<?xml version='1.0' encoding='UTF-8'?>\n"
  "<channel name='xfce4-panel' version='1.0'>\n"
  " <property name='configver' type='int' value='2'/>\n"
  " <property name='panels' type='array'>\n"
  "  <value type='int' value='1'/>\n"
  "  <property name='dark-mode' type='bool' value='false'/>\n"
  "  <property name='panel-1' type='empty'>\n"
  "   <property name='position' type='string' value='p=6;x=0;y=0'/>\n"
  "   <property name='length' type='uint' value='100'/>\n"
  "   <property name='position-locked' type='bool' value='true'/>\n"
  "   <property name='size' type='uint' value='48'/>\n"
  "   <property name='icon-size' type='uint' value='32'/>\n"
  "   <property name='background-style' type='uint' value='1'/>\n"
  "   <property name='background-rgba' type='array'>\n"
  "    <value type='double' value='1'/><value type='double' value='1'/>\n"
  "    <value type='double' value='1'/><value type='double' value='1'/>\n"
  "   </property>\n"
  "   <property name='plugin-ids' type='array'><value type='int' value='1'/></property>\n"
  "  </property>\n"
  " </property>\n"
  " <property name='plugins' type='empty'>\n"
  "  <property name='plugin-1' type='string' value='systray'>\n"
  "   <property name='square-icons' type='bool' value='true'/>\n"
  "  </property>\n"
  " </property>\n"
  "</channel>\n";

typedef struct
{
  SpTestNotify       *notify;
  char               *home;
  char               *display;
  GSubprocess        *xvfb;
  GSubprocess        *xfconfd;
  GSubprocess        *panel;
  GSubprocessLauncher *launcher;
  GDBusConnection    *bus;
  GSettings          *settings;
  SpEngine           *engine;
  SpTray             *tray;
  GSimpleActionGroup *actions;
} Fixture;

static const char *
find_xfconfd (void)
{
  static const char *candidates[] = {
    "/usr/lib/x86_64-linux-gnu/xfce4/xfconf/xfconfd",
    "/usr/lib/aarch64-linux-gnu/xfce4/xfconf/xfconfd",
    "/usr/lib/xfce4/xfconf/xfconfd",
    "/usr/libexec/xfconfd",
  };

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    if (g_file_test (candidates[i], G_FILE_TEST_IS_EXECUTABLE))
      return candidates[i];

  g_error ("xfconfd not found: install Debian's xfconf (build-aux/common.sh lists it)");
}

/* An X server of our own, so that no other test's window covers the panel. */
static void
start_xvfb (Fixture *fixture)
{
  g_autofree char *screen = g_strdup_printf ("%dx%dx24", SCREEN_WIDTH, PANEL_HEIGHT + 16);

  fixture->xvfb = sp_test_start_xvfb (screen, &fixture->display);
}

static gboolean
host_registered (gpointer data)
{
  Fixture *fixture = data;
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_sync (fixture->bus, "org.kde.StatusNotifierWatcher",
                                       "/StatusNotifierWatcher", "org.freedesktop.DBus.Properties",
                                       "Get", g_variant_new ("(ss)", "org.kde.StatusNotifierWatcher",
                                                             "IsStatusNotifierHostRegistered"),
                                       G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, 1000,
                                       NULL, NULL);
  if (reply == NULL)
    return FALSE;

  {
    g_autoptr(GVariant) value = NULL;

    g_variant_get (reply, "(v)", &value);
    return g_variant_get_boolean (value);
  }
}

static void
action_cb (GSimpleAction *action,
           GVariant      *param,
           gpointer       user_data)
{
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  static const GActionEntry entries[] = {
    { "show-window", action_cb }, { "quit", action_cb },
    { "pause-agent", action_cb, "s" }, { "resume-agent", action_cb, "s" },
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *channel_dir = NULL;
  g_autofree char *channel = NULL;
  g_autofree char *data_dirs = NULL;

  fixture->notify = sp_test_notify_start (NULL);
  fixture->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  start_xvfb (fixture);

  fixture->home = g_dir_make_tmp ("screenpop-panel-XXXXXX", NULL);
  channel_dir = g_build_filename (fixture->home, "config", "xfce4", "xfconf",
                                  "xfce-perchannel-xml", NULL);
  g_assert_cmpint (g_mkdir_with_parents (channel_dir, 0700), ==, 0);
  channel = g_build_filename (channel_dir, "xfce4-panel.xml", NULL);
  g_assert_true (g_file_set_contents (channel, panel_xml, -1, &error));

  /* The icons as installed: data/icons/hicolor is installed as is under the prefix. */
  data_dirs = g_strjoin (":", g_getenv ("SCREENPOP_TEST_DATADIR"), "/usr/local/share",
                         "/usr/share", NULL);
  fixture->launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                 G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_setenv (fixture->launcher, "DISPLAY", fixture->display, TRUE);
  g_subprocess_launcher_setenv (fixture->launcher, "DBUS_SESSION_BUS_ADDRESS",
                                sp_test_notify_get_address (fixture->notify), TRUE);
  g_subprocess_launcher_setenv (fixture->launcher, "XDG_DATA_DIRS", data_dirs, TRUE);
  g_subprocess_launcher_setenv (fixture->launcher, "NO_AT_BRIDGE", "1", TRUE);
  /* The panel is not under test: its warnings must not kill it. */
  g_subprocess_launcher_unsetenv (fixture->launcher, "G_DEBUG");
  g_subprocess_launcher_unsetenv (fixture->launcher, "SESSION_MANAGER");
  {
    const char *dirs[] = { "config", "cache", "data" };
    const char *vars[] = { "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME" };

    for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
      {
        g_autofree char *dir = g_build_filename (fixture->home, dirs[i], NULL);

        g_mkdir_with_parents (dir, 0700);
        g_subprocess_launcher_setenv (fixture->launcher, vars[i], dir, TRUE);
      }
  }

  fixture->xfconfd = g_subprocess_launcher_spawn (fixture->launcher, &error, find_xfconfd (), NULL);
  g_assert_no_error (error);
  fixture->panel = g_subprocess_launcher_spawn (fixture->launcher, &error, "xfce4-panel",
                                                "--disable-wm-check", NULL);
  g_assert_no_error (error);
  if (!sp_test_wait_until (host_registered, fixture, TIMEOUT_MS))
    g_error ("xfce4-panel's StatusNotifierItem host did not register on the bus");

  fixture->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (fixture->actions), entries,
                                   G_N_ELEMENTS (entries), fixture);
  fixture->settings = g_settings_new ("io.github.screenpop.Screenpop");
  g_settings_set_int64 (fixture->settings, "missed-seen", g_get_real_time ());
  fixture->engine = sp_test_engine_new (fixture->settings, NULL);
}

static void
stop (GSubprocess **proc)
{
  if (*proc == NULL)
    return;

  g_subprocess_send_signal (*proc, SIGTERM);
  g_subprocess_wait (*proc, NULL, NULL);
  g_clear_object (proc);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->tray);
  stop (&fixture->panel);
  stop (&fixture->xfconfd);
  stop (&fixture->xvfb);
  g_clear_object (&fixture->launcher);
  g_clear_object (&fixture->engine);
  g_settings_reset (fixture->settings, "missed-seen");
  g_clear_object (&fixture->settings);
  g_clear_object (&fixture->actions);
  g_clear_object (&fixture->bus);
  sp_test_remove_tree (fixture->home);
  g_free (fixture->home);
  g_free (fixture->display);
  sp_test_run_for (50);
  notify_uninit ();
  sp_test_notify_stop (fixture->notify);
}

/* The panel's strip, photographed: how many pixels are not the panel's white. */
static guint
photograph (Fixture    *fixture,
            const char *state,
            GdkPixbuf **out)
{
  g_autofree char *file = g_strdup_printf ("tray-panel-%s.png", state);
  g_autofree char *crop = g_strdup_printf ("%dx%d+0+0", SCREEN_WIDTH, PANEL_HEIGHT);
  g_autoptr(GSubprocess) import = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) error = NULL;
  const guchar *pixels;
  int width, height, stride, channels;
  guint count = 0;

  import = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, "import", "-display",
                             fixture->display, "-window", "root", "-crop", crop, file, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (import, NULL, &error));
  g_assert_no_error (error);

  pixbuf = gdk_pixbuf_new_from_file (file, &error);
  g_assert_no_error (error);
  pixels = gdk_pixbuf_read_pixels (pixbuf);
  width = gdk_pixbuf_get_width (pixbuf);
  height = gdk_pixbuf_get_height (pixbuf);
  stride = gdk_pixbuf_get_rowstride (pixbuf);
  channels = gdk_pixbuf_get_n_channels (pixbuf);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        const guchar *p = pixels + y * stride + x * channels;

        if (p[0] < 224 || p[1] < 224 || p[2] < 224)
          count++;
      }

  if (out != NULL)
    *out = g_steal_pointer (&pixbuf);

  return count;
}

/* How many pixels differ between two photographs. */
static guint
difference (GdkPixbuf *a,
            GdkPixbuf *b)
{
  const guchar *pa = gdk_pixbuf_read_pixels (a);
  const guchar *pb = gdk_pixbuf_read_pixels (b);
  int stride = gdk_pixbuf_get_rowstride (a);
  int channels = gdk_pixbuf_get_n_channels (a);
  guint count = 0;

  g_assert_cmpint (gdk_pixbuf_get_rowstride (b), ==, stride);
  for (int y = 0; y < gdk_pixbuf_get_height (a); y++)
    for (int x = 0; x < gdk_pixbuf_get_width (a); x++)
      {
        const guchar *p = pa + y * stride + x * channels;
        const guchar *q = pb + y * stride + x * channels;

        if (ABS (p[0] - q[0]) + ABS (p[1] - q[1]) + ABS (p[2] - q[2]) > 48)
          count++;
      }

  return count;
}

typedef struct
{
  Fixture    *fixture;
  const char *state;
  GdkPixbuf  *before;   /* (nullable): the picture must differ from this one */
  GdkPixbuf  *shot;
  guint       drawn;
} Shot;

static gboolean
drawn_and_changed (gpointer data)
{
  Shot *shot = data;

  g_clear_object (&shot->shot);
  shot->drawn = photograph (shot->fixture, shot->state, &shot->shot);

  return shot->drawn >= MIN_ICON_PIXELS &&
         (shot->before == NULL || difference (shot->before, shot->shot) >= MIN_ICON_PIXELS);
}

/* Waits (the panel redraws on its own time) until the state's picture is drawn and, when
 * @before is given, differs from it; returns the picture. */
static GdkPixbuf *
expect_drawn (Fixture    *fixture,
              const char *state,
              GdkPixbuf  *before)
{
  Shot shot = { fixture, state, before, NULL, 0 };

  if (!sp_test_wait_until (drawn_and_changed, &shot, TIMEOUT_MS))
    g_error ("In state %s the panel's tray shows %u non-white pixels%s (tray-panel-%s.png)",
             state, shot.drawn, before != NULL ? ", or the same picture as before" : "", state);
  g_test_message ("%s: %u pixels drawn", state, shot.drawn);

  return shot.shot;
}

static gboolean
tray_registered (gpointer data)
{
  return sp_tray_is_registered (data);
}

static void
push (Fixture         *fixture,
      SpCallEventKind  kind)
{
  g_autoptr(SpCallEvent) event = sp_call_event_new ("phone", "c1", kind);

  event->number = g_strdup ("0312345678");
  sp_call_tracker_push (sp_engine_get_tracker (fixture->engine), event);
}

static void
test_tray_panel_states (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(SpAccount) demo = sp_account_new_transient ("demo", "demo", "Demo");
  g_autoptr(GdkPixbuf) idle = NULL;
  g_autoptr(GdkPixbuf) disconnected = NULL;
  g_autoptr(GdkPixbuf) ringing = NULL;
  g_autoptr(GdkPixbuf) missed = NULL;
  GVariantBuilder options;
  SpAccountList *accounts = sp_engine_get_accounts (fixture->engine);

  /* Before the item: an empty panel, the reference for "empty". */
  g_assert_cmpuint (photograph (fixture, "empty", NULL), <, MIN_ICON_PIXELS);

  g_variant_builder_init (&options, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&options, "{ss}", "first-delay-ms", "600000");
  g_settings_set_value (sp_account_get_settings (demo), "options", g_variant_builder_end (&options));
  sp_account_list_add_transient (accounts, demo);

  fixture->tray = sp_tray_new (fixture->bus, G_ACTION_GROUP (fixture->actions), accounts,
                               sp_engine_get_tracker (fixture->engine),
                               sp_engine_get_screenpop (fixture->engine), fixture->settings);
  g_assert_true (sp_test_wait_until (tray_registered, fixture->tray, TIMEOUT_MS));

  /* Idle: connected, the application's icon. */
  idle = expect_drawn (fixture, "idle", NULL);

  /* Ringing: the attention icon, another picture. */
  push (fixture, SP_CALL_EVENT_RINGING);
  ringing = expect_drawn (fixture, "ringing", idle);

  /* Missed: the icon with the missed badge over it. */
  push (fixture, SP_CALL_EVENT_MISSED);
  missed = expect_drawn (fixture, "missed", ringing);
  g_assert_cmpuint (difference (missed, idle), >=, MIN_ICON_PIXELS / 4);

  /* Disconnected (the missed call seen meanwhile): the disconnected icon. */
  g_settings_set_int64 (fixture->settings, "missed-seen", g_get_real_time ());
  sp_source_stop (sp_account_list_get_source (accounts, "demo"));
  disconnected = expect_drawn (fixture, "disconnected", missed);
  g_assert_cmpuint (difference (disconnected, idle), >=, MIN_ICON_PIXELS);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/tray-panel/states", Fixture, NULL, fixture_set_up, test_tray_panel_states,
              fixture_tear_down);

  return g_test_run ();
}
