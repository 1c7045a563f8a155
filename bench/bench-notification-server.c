/* bench-notification-server.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A minimal, fast org.freedesktop.Notifications server for the benchmarks, so that the
 * figures measure Screenpop and not a slow stand-in (python-dbusmock) for the desktop's
 * notification server. It runs in a process of its own: the client blocks in synchronous
 * D-Bus calls (notify_notification_show()), so a server in the client's thread could never
 * answer.
 *
 * It implements the calls a client makes: Notify (new ids increase from 1; replaces_id is
 * honoured), CloseNotification (answered with NotificationClosed, reason 3, as a real
 * server does), GetCapabilities ("body actions body-markup") and GetServerInformation.
 * Beside that, io.github.screenpop.Bench.Counts() reports how many calls it served, so the
 * benchmark can check that every call event produced exactly one Notify; with --progress
 * it also emits io.github.screenpop.Bench.Progress(notify_count, summary) after every
 * Notify, for a benchmark that drives an app in another process. Counts() also says how
 * many notifications are open: 0 at the end of a run, or one was left on screen.
 *
 * It serves the session bus of DBUS_SESSION_BUS_ADDRESS and exits when that bus goes away
 * or on SIGTERM/SIGINT.
 */

#define G_LOG_DOMAIN "bench-notification-server"

#include "config.h"

#include <glib-unix.h>
#include <gio/gio.h>

#define NOTIFY_NAME "org.freedesktop.Notifications"
#define NOTIFY_PATH "/org/freedesktop/Notifications"
#define NOTIFY_IFACE "org.freedesktop.Notifications"
#define BENCH_IFACE "io.github.screenpop.Bench"

#define CLOSED_BY_CALL 3

static const char introspection_xml[] =
  "<node>"
  "  <interface name='" NOTIFY_IFACE "'>"
  "    <method name='Notify'>"
  "      <arg type='s' name='app_name' direction='in'/>"
  "      <arg type='u' name='replaces_id' direction='in'/>"
  "      <arg type='s' name='app_icon' direction='in'/>"
  "      <arg type='s' name='summary' direction='in'/>"
  "      <arg type='s' name='body' direction='in'/>"
  "      <arg type='as' name='actions' direction='in'/>"
  "      <arg type='a{sv}' name='hints' direction='in'/>"
  "      <arg type='i' name='expire_timeout' direction='in'/>"
  "      <arg type='u' name='id' direction='out'/>"
  "    </method>"
  "    <method name='CloseNotification'>"
  "      <arg type='u' name='id' direction='in'/>"
  "    </method>"
  "    <method name='GetCapabilities'>"
  "      <arg type='as' name='capabilities' direction='out'/>"
  "    </method>"
  "    <method name='GetServerInformation'>"
  "      <arg type='s' name='name' direction='out'/>"
  "      <arg type='s' name='vendor' direction='out'/>"
  "      <arg type='s' name='version' direction='out'/>"
  "      <arg type='s' name='spec_version' direction='out'/>"
  "    </method>"
  "    <signal name='NotificationClosed'>"
  "      <arg type='u' name='id'/>"
  "      <arg type='u' name='reason'/>"
  "    </signal>"
  "    <signal name='ActionInvoked'>"
  "      <arg type='u' name='id'/>"
  "      <arg type='s' name='action_key'/>"
  "    </signal>"
  "  </interface>"
  "  <interface name='" BENCH_IFACE "'>"
  "    <method name='Counts'>"
  "      <arg type='u' name='notify' direction='out'/>"
  "      <arg type='u' name='notify_new' direction='out'/>"
  "      <arg type='u' name='close' direction='out'/>"
  "      <arg type='u' name='open' direction='out'/>"
  "    </method>"
  "    <signal name='Progress'>"
  "      <arg type='u' name='notify'/>"
  "      <arg type='s' name='summary'/>"
  "    </signal>"
  "  </interface>"
  "</node>";

typedef struct
{
  GMainLoop  *loop;
  GHashTable *open;        /* ids on screen, as a set */
  guint32     next_id;
  guint       n_notify;
  guint       n_notify_new;
  guint       n_close;
  gboolean    progress;
  gboolean    name_acquired;
  gboolean    failed;
} Server;

static void
handle_notify (Server                *server,
               GDBusConnection       *connection,
               GVariant              *parameters,
               GDBusMethodInvocation *invocation)
{
  guint32 replaces_id;
  guint32 id;
  const char *summary;

  g_variant_get_child (parameters, 1, "u", &replaces_id);
  g_variant_get_child (parameters, 3, "&s", &summary);

  /* As the spec says: replacing an id that is gone gets a new one. */
  if (replaces_id != 0 && g_hash_table_contains (server->open, GUINT_TO_POINTER (replaces_id)))
    {
      id = replaces_id;
    }
  else
    {
      id = ++server->next_id;
      server->n_notify_new++;
      g_hash_table_add (server->open, GUINT_TO_POINTER (id));
    }

  server->n_notify++;
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", id));

  if (server->progress)
    g_dbus_connection_emit_signal (connection, NULL, NOTIFY_PATH, BENCH_IFACE, "Progress",
                                   g_variant_new ("(us)", server->n_notify, summary), NULL);
}

static void
handle_close (Server                *server,
              GDBusConnection       *connection,
              GVariant              *parameters,
              GDBusMethodInvocation *invocation)
{
  guint32 id;

  g_variant_get (parameters, "(u)", &id);
  server->n_close++;
  g_dbus_method_invocation_return_value (invocation, NULL);

  if (g_hash_table_remove (server->open, GUINT_TO_POINTER (id)))
    g_dbus_connection_emit_signal (connection, NULL, NOTIFY_PATH, NOTIFY_IFACE,
                                   "NotificationClosed",
                                   g_variant_new ("(uu)", id, CLOSED_BY_CALL), NULL);
}

static void
method_call_cb (GDBusConnection       *connection,
                const char            *sender,
                const char            *object_path,
                const char            *interface_name,
                const char            *method_name,
                GVariant              *parameters,
                GDBusMethodInvocation *invocation,
                gpointer               user_data)
{
  Server *server = user_data;

  if (g_str_equal (method_name, "Notify"))
    {
      handle_notify (server, connection, parameters, invocation);
    }
  else if (g_str_equal (method_name, "CloseNotification"))
    {
      handle_close (server, connection, parameters, invocation);
    }
  else if (g_str_equal (method_name, "GetCapabilities"))
    {
      static const char * const caps[] = { "body", "actions", "body-markup", NULL };

      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(^as)", (char **) caps));
    }
  else if (g_str_equal (method_name, "GetServerInformation"))
    {
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(ssss)", "screenpop-bench",
                                                            "Screenpop", "1.0", "1.2"));
    }
  else if (g_str_equal (method_name, "Counts"))
    {
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(uuuu)", server->n_notify,
                                                            server->n_notify_new,
                                                            server->n_close,
                                                            g_hash_table_size (server->open)));
    }
  else
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR,
                                             G_DBUS_ERROR_UNKNOWN_METHOD,
                                             "No method %s", method_name);
    }
}

static const GDBusInterfaceVTable vtable = { method_call_cb, NULL, NULL, { 0 } };

static void
name_acquired_cb (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  Server *server = user_data;

  server->name_acquired = TRUE;
}

static void
name_lost_cb (GDBusConnection *connection,
              const char      *name,
              gpointer         user_data)
{
  Server *server = user_data;

  /* Not getting the name is a failure (another server runs); losing it later means the
   * bus went away, which is how a benchmark ends. */
  if (!server->name_acquired)
    {
      g_printerr ("Could not own %s on the session bus\n", name);
      server->failed = TRUE;
    }
  g_main_loop_quit (server->loop);
}

static gboolean
quit_cb (gpointer user_data)
{
  Server *server = user_data;

  g_main_loop_quit (server->loop);

  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GDBusNodeInfo) info = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  Server server = { 0 };
  guint owner_id;
  const GOptionEntry entries[] = {
    { "progress", 0, 0, G_OPTION_ARG_NONE, &server.progress,
      "Emit " BENCH_IFACE ".Progress after every Notify", NULL },
    { NULL }
  };

  context = g_option_context_new ("- a fast notification server for benchmarks");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  server.loop = g_main_loop_new (NULL, FALSE);
  server.open = g_hash_table_new (NULL, NULL);

  connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (connection == NULL)
    {
      g_printerr ("No session bus: %s\n", error->message);
      return 1;
    }

  info = g_dbus_node_info_new_for_xml (introspection_xml, &error);
  g_assert_no_error (error);

  for (guint i = 0; info->interfaces[i] != NULL; i++)
    {
      g_dbus_connection_register_object (connection, NOTIFY_PATH, info->interfaces[i],
                                         &vtable, &server, NULL, &error);
      g_assert_no_error (error);
    }

  /* The name last, so that whoever waits for it finds the object ready. */
  owner_id = g_bus_own_name_on_connection (connection, NOTIFY_NAME,
                                           G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                           name_acquired_cb, name_lost_cb, &server, NULL);

  g_unix_signal_add (SIGTERM, quit_cb, &server);
  g_unix_signal_add (SIGINT, quit_cb, &server);

  g_main_loop_run (server.loop);

  g_bus_unown_name (owner_id);
  g_hash_table_unref (server.open);
  g_main_loop_unref (server.loop);

  return server.failed ? 1 : 0;
}
