/* test-notifier.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* SpNotifier against a notification server that takes its time (issue 16): showing never
 * waits for the server, the calls of one tag reach it in order, a withdraw sent before the
 * show's id is known is honoured, what is in flight is bounded and a burst of ringing calls
 * ends up on one summary; and the same through the Notification portal.
 *
 * The server runs in a thread of its own with its own connection to a private bus, so
 * that it can answer late (python-dbusmock answers at once). It follows the specification
 * as the bench server does (bench/bench-notification-server.c): ids from 1, replaces_id
 * honoured while the id is open, NotificationClosed (reason 3) for CloseNotification; and
 * the portal as xdg-desktop-portal's notification.c: AddNotification replaces a
 * notification with the same id, RemoveNotification removes it.
 */

#include "config.h"

#include <gio/gio.h>

#include "sp-notifier.h"
#include "sp-test-util.h"

#define NOTIFY_PATH "/org/freedesktop/Notifications"
#define NOTIFY_IFACE "org.freedesktop.Notifications"
#define PORTAL_PATH "/org/freedesktop/portal/desktop"
#define PORTAL_IFACE "org.freedesktop.portal.Notification"

#define WAIT_MS 10000

static const char server_xml[] =
  "<node>"
  "  <interface name='" NOTIFY_IFACE "'>"
  "    <method name='Notify'>"
  "      <arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "      <arg type='u' direction='out'/>"
  "    </method>"
  "    <method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "    <method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "  </interface>"
  "  <interface name='" PORTAL_IFACE "'>"
  "    <method name='AddNotification'>"
  "      <arg type='s' direction='in'/><arg type='a{sv}' direction='in'/>"
  "    </method>"
  "    <method name='RemoveNotification'><arg type='s' direction='in'/></method>"
  "    <property name='version' type='u' access='read'/>"
  "  </interface>"
  "</node>";

typedef struct
{
  GMutex           lock;
  GCond            cond;
  GThread         *thread;
  GMainContext    *context;
  GMainLoop       *loop;
  GDBusConnection *connection;
  gboolean         ready;
  /* Under lock: */
  guint            delay_ms;
  guint32          next_id;
  GHashTable      *open;         /* fdo id or portal tag (strings) → summary */
  GPtrArray       *log;          /* "Notify 0→1 summary", "Close 1", "Add tag summary"… */
  guint            in_flight;
  guint            max_in_flight;
} Server;

static Server server;

typedef struct
{
  GDBusMethodInvocation *invocation;
  GVariant              *reply;
} Pending;

static gboolean
reply_later_cb (gpointer user_data)
{
  Pending *pending = user_data;

  g_mutex_lock (&server.lock);
  server.in_flight--;
  g_mutex_unlock (&server.lock);
  g_dbus_method_invocation_return_value (pending->invocation, pending->reply);
  g_free (pending);

  return G_SOURCE_REMOVE;
}

/* Answers in order, each after the delay: a server busy drawing. */
static void
reply (GDBusMethodInvocation *invocation,
       GVariant              *value)
{
  Pending *pending = g_new0 (Pending, 1);
  g_autoptr(GSource) source = g_timeout_source_new (server.delay_ms);

  pending->invocation = invocation;
  pending->reply = value;
  g_source_set_callback (source, reply_later_cb, pending, NULL);
  g_source_attach (source, server.context);
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
  g_mutex_lock (&server.lock);
  server.in_flight++;
  server.max_in_flight = MAX (server.max_in_flight, server.in_flight);

  if (g_str_equal (method_name, "Notify"))
    {
      guint32 replaces_id, id;
      const char *summary;

      g_variant_get_child (parameters, 1, "u", &replaces_id);
      g_variant_get_child (parameters, 3, "&s", &summary);
      if (replaces_id != 0 && g_hash_table_contains (server.open, GUINT_TO_POINTER (replaces_id)))
        id = replaces_id;
      else
        id = ++server.next_id;
      g_hash_table_insert (server.open, GUINT_TO_POINTER (id), g_strdup (summary));
      g_ptr_array_add (server.log, g_strdup_printf ("Notify %u→%u %s", replaces_id, id, summary));
      g_mutex_unlock (&server.lock);
      reply (invocation, g_variant_new ("(u)", id));
      return;
    }

  if (g_str_equal (method_name, "CloseNotification"))
    {
      guint32 id;
      gboolean was_open;

      g_variant_get (parameters, "(u)", &id);
      was_open = g_hash_table_remove (server.open, GUINT_TO_POINTER (id));
      g_ptr_array_add (server.log, g_strdup_printf ("Close %u", id));
      g_mutex_unlock (&server.lock);
      reply (invocation, NULL);
      if (was_open)
        g_dbus_connection_emit_signal (connection, NULL, NOTIFY_PATH, NOTIFY_IFACE,
                                       "NotificationClosed", g_variant_new ("(uu)", id, 3), NULL);
      return;
    }

  if (g_str_equal (method_name, "GetCapabilities"))
    {
      static const char * const caps[] = { "body", "actions", NULL };

      server.in_flight--;
      g_mutex_unlock (&server.lock);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", (char **) caps));
      return;
    }

  if (g_str_equal (method_name, "AddNotification"))
    {
      const char *tag;
      const char *title = "";
      g_autoptr(GVariant) options = NULL;

      g_variant_get (parameters, "(&s@a{sv})", &tag, &options);
      g_variant_lookup (options, "title", "&s", &title);
      g_hash_table_insert (server.open, g_strdup (tag), g_strdup (title));
      g_ptr_array_add (server.log, g_strdup_printf ("Add %s %s", tag, title));
      g_mutex_unlock (&server.lock);
      reply (invocation, NULL);
      return;
    }

  if (g_str_equal (method_name, "RemoveNotification"))
    {
      const char *tag;

      g_variant_get (parameters, "(&s)", &tag);
      g_hash_table_remove (server.open, tag);
      g_ptr_array_add (server.log, g_strdup_printf ("Remove %s", tag));
      g_mutex_unlock (&server.lock);
      reply (invocation, NULL);
      return;
    }

  server.in_flight--;
  g_mutex_unlock (&server.lock);
  g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                         "No %s", method_name);
}

static GVariant *
get_property_cb (GDBusConnection  *connection,
                 const char       *sender,
                 const char       *object_path,
                 const char       *interface_name,
                 const char       *property_name,
                 GError          **error,
                 gpointer          user_data)
{
  return g_variant_new_uint32 (1);
}

static const GDBusInterfaceVTable vtable = { method_call_cb, get_property_cb, NULL, { 0 } };

static gpointer
server_thread (gpointer user_data)
{
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (server_xml, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autoptr(GVariant) owned = NULL;
  g_autoptr(GVariant) owned_portal = NULL;

  g_main_context_push_thread_default (server.context);

  address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  server.connection = g_dbus_connection_new_for_address_sync (address,
                                                              G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                              G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                              NULL, NULL, &error);
  g_assert_no_error (error);

  g_dbus_connection_register_object (server.connection, NOTIFY_PATH, info->interfaces[0], &vtable,
                                     NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (server.connection, PORTAL_PATH, info->interfaces[1], &vtable,
                                     NULL, NULL, &error);
  g_assert_no_error (error);

  owned = g_dbus_connection_call_sync (server.connection, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.Notifications", 4),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  owned_portal = g_dbus_connection_call_sync (server.connection, "org.freedesktop.DBus",
                                              "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                              "RequestName",
                                              g_variant_new ("(su)", "org.freedesktop.portal.Desktop", 4),
                                              NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);

  g_mutex_lock (&server.lock);
  server.ready = TRUE;
  g_cond_signal (&server.cond);
  g_mutex_unlock (&server.lock);

  g_main_loop_run (server.loop);

  g_dbus_connection_close_sync (server.connection, NULL, NULL);
  g_clear_object (&server.connection);
  g_main_context_pop_thread_default (server.context);

  return NULL;
}

static void
server_start (void)
{
  g_mutex_init (&server.lock);
  g_cond_init (&server.cond);
  server.context = g_main_context_new ();
  server.loop = g_main_loop_new (server.context, FALSE);
  server.open = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  server.log = g_ptr_array_new_with_free_func (g_free);
  server.thread = g_thread_new ("notification-server", server_thread, NULL);

  g_mutex_lock (&server.lock);
  while (!server.ready)
    g_cond_wait (&server.cond, &server.lock);
  g_mutex_unlock (&server.lock);
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (server.loop);

  return G_SOURCE_REMOVE;
}

static void
server_stop (void)
{
  g_main_context_invoke (server.context, quit_cb, NULL);
  g_thread_join (server.thread);
  g_main_loop_unref (server.loop);
  g_main_context_unref (server.context);
  g_hash_table_unref (server.open);
  g_ptr_array_unref (server.log);
}

/* Forgets what earlier cases left, and makes the open set keyed for @portal. */
static void
server_reset (guint    delay_ms,
              gboolean portal)
{
  g_mutex_lock (&server.lock);
  server.delay_ms = delay_ms;
  g_hash_table_unref (server.open);
  server.open = portal ? g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free)
                       : g_hash_table_new_full (NULL, NULL, NULL, g_free);
  g_ptr_array_set_size (server.log, 0);
  server.max_in_flight = 0;
  server.next_id = 0;
  g_mutex_unlock (&server.lock);
}

static guint
server_n_open (void)
{
  guint n;

  g_mutex_lock (&server.lock);
  n = g_hash_table_size (server.open);
  g_mutex_unlock (&server.lock);

  return n;
}

static char *
server_dup_log (void)
{
  g_autoptr(GString) joined = g_string_new (NULL);

  g_mutex_lock (&server.lock);
  for (guint i = 0; i < server.log->len; i++)
    g_string_append_printf (joined, "%s%s", i ? "; " : "", (char *) server.log->pdata[i]);
  g_mutex_unlock (&server.lock);

  return g_string_free (g_steal_pointer (&joined), FALSE);
}

static guint
server_log_len (void)
{
  guint n;

  g_mutex_lock (&server.lock);
  n = server.log->len;
  g_mutex_unlock (&server.lock);

  return n;
}

/* Iterates the main context until the server's log has @n entries and nothing is open
 * beyond @n_open, or the time is up. */
static gboolean
wait_server (guint n_log,
             guint n_open)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;

  while (g_get_monotonic_time () < deadline)
    {
      if (server_log_len () >= n_log && server_n_open () == n_open)
        return TRUE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }

  return FALSE;
}

static void
run_for (guint ms)
{
  gint64 deadline = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* The server answers each call after 300 ms: a show returns at once, and the withdraw made
 * before the show's id came back still closes it. libnotify waited 300 ms in the show. */
static void
test_withdraw_before_id (void)
{
  g_autoptr(SpNotifier) notifier = NULL;
  g_autofree char *log = NULL;
  gint64 before;

  server_reset (300, FALSE);
  notifier = sp_notifier_new ();

  before = g_get_monotonic_time ();
  sp_notifier_show (notifier, "call:a:1", "0312345678", "Extension: 201", NULL,
                    SP_NOTIFY_RINGING, NULL, 0);
  g_assert_cmpint (g_get_monotonic_time () - before, <, 150 * 1000);
  g_assert_true (sp_notifier_is_shown (notifier, "call:a:1"));

  /* The Notify must have left before the withdraw; the server has not answered yet. */
  run_for (50);
  g_assert_cmpuint (server_log_len (), ==, 1);
  sp_notifier_withdraw (notifier, "call:a:1");
  g_assert_false (sp_notifier_is_shown (notifier, "call:a:1"));

  g_assert_true (wait_server (2, 0));
  log = server_dup_log ();
  g_assert_cmpstr (log, ==, "Notify 0→1 0312345678; Close 1");

  g_assert_finalize_object (g_steal_pointer (&notifier));
}

/* Show, two updates and a withdraw of one tag in one go: they never overtake each other
 * (the updates are coalesced into the last one, sent once the show's id is known), and
 * nothing stays open. */
static void
test_order (void)
{
  g_autoptr(SpNotifier) notifier = NULL;
  g_autofree char *log = NULL;

  server_reset (100, FALSE);
  notifier = sp_notifier_new ();

  sp_notifier_show (notifier, "call:a:2", "first", NULL, NULL, SP_NOTIFY_RINGING, NULL, 0);
  sp_notifier_show (notifier, "call:a:2", "second", NULL, NULL, SP_NOTIFY_RINGING, NULL, 0);
  sp_notifier_show (notifier, "call:a:2", "third", NULL, NULL, SP_NOTIFY_RINGING, NULL, 0);
  g_assert_true (wait_server (2, 1));
  run_for (300);
  log = server_dup_log ();
  g_assert_cmpstr (log, ==, "Notify 0→1 first; Notify 1→1 third");
  g_clear_pointer (&log, g_free);

  /* Each withdraw waits for its show's reply: the Close never overtakes the Notify. */
  sp_notifier_show (notifier, "call:a:2", "fourth", NULL, NULL, SP_NOTIFY_RINGING, NULL, 0);
  sp_notifier_withdraw (notifier, "call:a:2");
  sp_notifier_show (notifier, "call:a:3", "other", NULL, NULL, SP_NOTIFY_NONE, NULL, 0);
  sp_notifier_withdraw (notifier, "call:a:3");
  g_assert_true (wait_server (6, 0));
  run_for (300);
  log = server_dup_log ();
  g_assert_cmpstr (log, ==, "Notify 0→1 first; Notify 1→1 third; Notify 1→1 fourth; "
                   "Notify 0→2 other; Close 1; Close 2");
  g_assert_cmpuint (server_n_open (), ==, 0);

  g_assert_finalize_object (g_steal_pointer (&notifier));
}

/* A ringing call that replaces another of the same caller in one go (ringing anew: one
 * call ending as the next rings, the same summary) takes the other's notification over:
 * one Notify with its id, no CloseNotification; a withdraw alone still closes, and another
 * caller, or anything but a ringing call, gets a notification of its own. */
static void
test_take_over (void)
{
  g_autoptr(SpNotifier) notifier = NULL;
  g_autofree char *log = NULL;

  server_reset (10, FALSE);
  notifier = sp_notifier_new ();

  sp_notifier_show (notifier, "call:a:1", "first", NULL, NULL, SP_NOTIFY_RINGING, NULL, 0);
  g_assert_true (wait_server (1, 1));
  run_for (50);

  sp_notifier_withdraw (notifier, "call:a:1");
  sp_notifier_show (notifier, "call:a:2", "first", "again", NULL, SP_NOTIFY_RINGING, NULL, 0);
  g_assert_false (sp_notifier_is_shown (notifier, "call:a:1"));
  g_assert_true (sp_notifier_is_shown (notifier, "call:a:2"));
  g_assert_true (wait_server (2, 1));
  run_for (100);
  log = server_dup_log ();
  g_assert_cmpstr (log, ==, "Notify 0→1 first; Notify 1→1 first");
  g_clear_pointer (&log, g_free);

  /* Withdrawn with nothing after it: closed, in the same main-loop iteration's end. */
  sp_notifier_withdraw (notifier, "call:a:2");
  g_assert_true (wait_server (3, 0));

  /* Another caller, or what is not a ringing call, is a notification of its own. */
  sp_notifier_show (notifier, "call:a:3", "third", NULL, NULL, SP_NOTIFY_RINGING, NULL, 0);
  g_assert_true (wait_server (4, 1));
  run_for (50);
  sp_notifier_withdraw (notifier, "call:a:3");
  sp_notifier_show (notifier, "call:a:4", "fourth", NULL, NULL, SP_NOTIFY_RINGING, NULL, 0);
  g_assert_true (wait_server (6, 1));
  run_for (50);
  sp_notifier_withdraw (notifier, "call:a:4");
  sp_notifier_show (notifier, "msg:1", "fourth", NULL, NULL, SP_NOTIFY_NONE, NULL, 0);
  g_assert_true (wait_server (8, 1));
  sp_notifier_withdraw (notifier, "msg:1");
  g_assert_true (wait_server (9, 0));
  run_for (100);
  log = server_dup_log ();
  g_assert_cmpstr (log, ==, "Notify 0→1 first; Notify 1→1 first; Close 1; Notify 0→2 third; "
                   "Close 2; Notify 0→3 fourth; Close 3; Notify 0→4 fourth; Close 4");

  g_assert_finalize_object (g_steal_pointer (&notifier));
}

/* A burst of 2 000 ringing calls against a slow server: at most a few calls in flight, a
 * summary instead of 2 000 notifications, every call still counted; and when they end,
 * nothing is left open. */
static void
test_burst (void)
{
  g_autoptr(SpNotifier) notifier = NULL;
  g_autofree char *log = NULL;
  guint n_notify;

  server_reset (20, FALSE);
  notifier = sp_notifier_new ();

  for (guint i = 0; i < 2000; i++)
    {
      g_autofree char *tag = g_strdup_printf ("call:a:%u", i);
      g_autofree char *number = g_strdup_printf ("03%08u", i);

      sp_notifier_show (notifier, tag, number, NULL, NULL, SP_NOTIFY_RINGING, NULL, 0);
    }

  /* Five calls one by one and the summary of the other 1 995. */
  run_for (500);
  g_assert_cmpuint (server_n_open (), ==, 6);
  g_mutex_lock (&server.lock);
  g_assert_cmpuint (server.max_in_flight, <=, 16);
  g_assert_true (g_hash_table_lookup (server.open, GUINT_TO_POINTER (6)) != NULL);
  g_assert_cmpstr (g_hash_table_lookup (server.open, GUINT_TO_POINTER (6)), ==,
                   "2000 calls ringing");
  n_notify = server.log->len;
  g_mutex_unlock (&server.lock);
  g_assert_cmpuint (n_notify, <, 20);

  /* Every ringing call is still there. */
  for (guint i = 0; i < 2000; i++)
    {
      g_autofree char *tag = g_strdup_printf ("call:a:%u", i);

      g_assert_true (sp_notifier_is_shown (notifier, tag));
    }

  /* The first one ends: the oldest held call takes its place. */
  sp_notifier_withdraw (notifier, "call:a:0");
  g_assert_true (wait_server (n_notify + 3, 6));
  g_mutex_lock (&server.lock);
  g_assert_cmpstr (g_hash_table_lookup (server.open, GUINT_TO_POINTER (6)), ==,
                   "1999 calls ringing");
  g_assert_cmpstr (g_hash_table_lookup (server.open, GUINT_TO_POINTER (7)), ==, "0300000005");
  g_mutex_unlock (&server.lock);

  /* All of them end, the newest first. */
  for (guint i = 2000; i-- > 1;)
    {
      g_autofree char *tag = g_strdup_printf ("call:a:%u", i);

      sp_notifier_withdraw (notifier, tag);
    }
  g_assert_true (wait_server (0, 0));
  run_for (200);
  g_assert_cmpuint (server_n_open (), ==, 0);
  g_mutex_lock (&server.lock);
  g_assert_cmpuint (server.max_in_flight, <=, 16);
  g_assert_cmpuint (server.log->len, <, 40);
  g_mutex_unlock (&server.lock);

  g_assert_finalize_object (g_steal_pointer (&notifier));
}

/* Shutdown closes what is on screen, including a show whose id the server has not told
 * yet, before it returns; and nothing shows after it (what its wait dispatches, such as a
 * directory's answer for a ringing call, must not put a notification back). */
static void
test_withdraw_all (void)
{
  g_autoptr(SpNotifier) notifier = NULL;

  server_reset (200, FALSE);
  notifier = sp_notifier_new ();

  sp_notifier_show (notifier, "call:a:1", "one", NULL, NULL, SP_NOTIFY_RINGING, NULL, 0);
  sp_notifier_show (notifier, "msg:1", "two", NULL, NULL, SP_NOTIFY_NONE, NULL, 0);
  sp_notifier_withdraw_all (notifier);
  g_assert_false (sp_notifier_is_shown (notifier, "call:a:1"));
  sp_notifier_show (notifier, "call:a:1", "one again", NULL, NULL, SP_NOTIFY_RINGING, NULL, 0);
  g_assert_false (sp_notifier_is_shown (notifier, "call:a:1"));
  g_assert_finalize_object (g_steal_pointer (&notifier));

  g_assert_true (wait_server (4, 0));
  run_for (300);
  g_assert_cmpuint (server_log_len (), ==, 4);
}

static void
action_invoked_cb (SpNotifier *notifier,
                   const char *tag,
                   const char *action,
                   GPtrArray  *invoked)
{
  g_ptr_array_add (invoked, g_strdup_printf ("%s %s", tag, action));
}

static gboolean
emit_portal_action_cb (gpointer user_data)
{
  g_dbus_connection_emit_signal (server.connection, NULL, PORTAL_PATH, PORTAL_IFACE,
                                 "ActionInvoked",
                                 g_variant_new ("(ss@av)", (char *) user_data, "answer",
                                                g_variant_new_array (G_VARIANT_TYPE_VARIANT,
                                                                     NULL, 0)),
                                 NULL);

  return G_SOURCE_REMOVE;
}

/* Inside a sandbox the portal is used, as libnotify does (NOTIFY_FORCE_PORTAL is
 * libnotify's own switch): the tag is the portal's id, a button comes back by it, and a
 * show and its withdraw reach the portal in order. */
static void
test_portal (void)
{
  g_autoptr(SpNotifier) notifier = NULL;
  g_autoptr(GPtrArray) invoked = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *log = NULL;
  const SpNotifyButton answer = { "answer", "Answer" };
  gint64 deadline;

  server_reset (100, TRUE);
  g_setenv ("NOTIFY_FORCE_PORTAL", "1", TRUE);
  notifier = sp_notifier_new ();
  g_unsetenv ("NOTIFY_FORCE_PORTAL");
  g_signal_connect (notifier, "action-invoked", G_CALLBACK (action_invoked_cb), invoked);

  sp_notifier_show (notifier, "call:a:1", "0312345678", NULL, "call-start-symbolic",
                    SP_NOTIFY_RINGING, &answer, 1);
  sp_notifier_withdraw (notifier, "call:a:1");
  sp_notifier_show (notifier, "call:a:2", "0398765432", NULL, NULL, SP_NOTIFY_RINGING,
                    &answer, 1);
  g_assert_true (wait_server (3, 1));
  log = server_dup_log ();
  g_assert_cmpstr (log, ==, "Add call:a:1 0312345678; Add call:a:2 0398765432; Remove call:a:1");

  /* The server answers 100 ms after it logs a call; a person clicks a notification the
   * portal has shown, so after its answer (before it, on a loaded machine, the click came
   * while the show was still in flight, which no portal does). */
  sp_test_run_for (400);

  g_main_context_invoke (server.context, emit_portal_action_cb, (gpointer) "call:a:2");
  deadline = g_get_monotonic_time () + WAIT_MS * 1000;
  while (invoked->len == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (invoked->len, ==, 1);
  g_assert_cmpstr (invoked->pdata[0], ==, "call:a:2 answer");
  /* The portal closed it: the tag is free. */
  g_assert_false (sp_notifier_is_shown (notifier, "call:a:2"));

  g_assert_finalize_object (g_steal_pointer (&notifier));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GTestDBus) bus = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  g_unsetenv ("NOTIFY_FORCE_PORTAL");
  g_unsetenv ("NOTIFY_IGNORE_PORTAL");

  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  sp_test_dbus_up (bus);
  server_start ();

  g_test_add_func ("/notifier/withdraw-before-id", test_withdraw_before_id);
  g_test_add_func ("/notifier/order", test_order);
  g_test_add_func ("/notifier/take-over", test_take_over);
  g_test_add_func ("/notifier/burst", test_burst);
  g_test_add_func ("/notifier/withdraw-all", test_withdraw_all);
  g_test_add_func ("/notifier/portal", test_portal);

  status = g_test_run ();

  server_stop ();
  g_test_dbus_down (bus);

  return status;
}
