/* sp-test-notify.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-test-notify"

#include "config.h"

#include <signal.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "sp-test-notify.h"
#include "sp-test-util.h"

#define NOTIFY_NAME "org.freedesktop.Notifications"
#define NOTIFY_PATH "/org/freedesktop/Notifications"
#define NOTIFY_IFACE "org.freedesktop.Notifications"
#define MOCK_IFACE "org.freedesktop.DBus.Mock"

/* An extra method on the mock object, in an interface of our own so that the notification
 * interface stays exactly the template's. It clears the call log and reports the id the next
 * new notification will get, in one step, so that no Notify can slip in between. */
#define TEST_IFACE "io.github.screenpop.Test"
#define CLEAR_METHOD "ClearCallsAndGetNextId"
#define CLEAR_CODE "self.call_log = []\nret = self.next_id"

/* Python starts slowly on a loaded machine. */
#define START_TIMEOUT_MS 30000

/* How often wait_for asks the mock even without a MethodCalled signal. */
#define REQUERY_US (250 * 1000)

struct _SpTestNotify
{
  GTestDBus       *bus;
  GSubprocess     *mock;
  GDBusConnection *connection;
  guint            method_called_id;
  guint            watch_id;

  gboolean         name_appeared;
  gboolean         mock_exited;

  /* dbusmock's notification_daemon numbers new notifications 1, 2, 3, ... for its whole
   * life, and ClearCalls does not reset that; these are the ids used before the last clear. */
  guint32          id_base;

  /* wait_for asks the mock again only when it signalled a call, or now and then. */
  guint            n_signals;
  guint            n_signals_seen;
  gint64           last_query;
  guint            last_count;

  char            *saved_display;
  char            *saved_wayland_display;
};

static void
save_display (SpTestNotify *self)
{
  self->saved_display = g_strdup (g_getenv ("DISPLAY"));
  self->saved_wayland_display = g_strdup (g_getenv ("WAYLAND_DISPLAY"));
}

/* GTestDBus unsets DISPLAY (and in newer GLib WAYLAND_DISPLAY) on up and down, but the
 * integration tests run under Xvfb and may need a display for GTK. */
static void
restore_display (SpTestNotify *self)
{
  if (self->saved_display != NULL)
    g_setenv ("DISPLAY", self->saved_display, TRUE);
  if (self->saved_wayland_display != NULL)
    g_setenv ("WAYLAND_DISPLAY", self->saved_wayland_display, TRUE);
}

static void
on_mock_exited (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  gboolean *exited = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *exited = TRUE;
}

static void
on_name_appeared (GDBusConnection *connection,
                  const char      *name,
                  const char      *name_owner,
                  gpointer         user_data)
{
  SpTestNotify *self = user_data;

  self->name_appeared = TRUE;
}

static void
on_method_called (GDBusConnection *connection,
                  const char      *sender_name,
                  const char      *object_path,
                  const char      *interface_name,
                  const char      *signal_name,
                  GVariant        *parameters,
                  gpointer         user_data)
{
  SpTestNotify *self = user_data;

  /* Nothing to do but note it: its arrival already woke up whoever iterates the main
   * context in sp_test_notify_wait_for(). */
  self->n_signals++;
}

static gboolean
mock_ready_or_dead (gpointer user_data)
{
  SpTestNotify *self = user_data;

  return self->name_appeared || self->mock_exited;
}

static char *
build_parameters (const char *capabilities)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "capabilities");
  json_builder_add_string_value (builder, capabilities);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  return json_to_string (root, FALSE);
}

static GVariant *
call_mock (SpTestNotify *self,
           const char   *interface,
           const char   *method,
           GVariant     *parameters,
           const char   *reply_type)
{
  g_autoptr(GError) error = NULL;
  GVariant *reply;

  reply = g_dbus_connection_call_sync (self->connection, NOTIFY_NAME, NOTIFY_PATH,
                                       interface, method, parameters,
                                       reply_type != NULL ? G_VARIANT_TYPE (reply_type) : NULL,
                                       G_DBUS_CALL_FLAGS_NO_AUTO_START, 10000, NULL, &error);
  if (reply == NULL)
    g_error ("dbusmock %s.%s failed: %s", interface, method, error->message);

  return reply;
}

/**
 * sp_test_notify_start:
 * @capabilities: (nullable): space-separated capabilities the server reports, or %NULL for
 *   %SP_TEST_NOTIFY_DEFAULT_CAPABILITIES
 *
 * Starts a private session bus for this process (setting `DBUS_SESSION_BUS_ADDRESS`), and
 * on it python-dbusmock's notification daemon, recording every call. Call this before
 * anything in the process connects to the session bus.
 *
 * Returns: (transfer full): the running mock; stop it with sp_test_notify_stop()
 */
SpTestNotify *
sp_test_notify_start (const char *capabilities)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *parameters = NULL;
  SpTestNotify *self;
  GSubprocessFlags flags;

  if (capabilities == NULL)
    capabilities = SP_TEST_NOTIFY_DEFAULT_CAPABILITIES;

  self = g_new0 (SpTestNotify, 1);

  save_display (self);
  self->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  sp_test_dbus_up (self->bus);
  restore_display (self);

  self->connection = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (self->bus),
                                                             G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                             G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                             NULL, NULL, &error);
  g_assert_no_error (error);

  self->watch_id = g_bus_watch_name_on_connection (self->connection, NOTIFY_NAME,
                                                   G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                   on_name_appeared, NULL, self, NULL);

  /* dbusmock logs every call on its stdout, which would corrupt our TAP output. */
  flags = g_getenv ("SP_TEST_VERBOSE") != NULL ? G_SUBPROCESS_FLAGS_NONE
                                               : G_SUBPROCESS_FLAGS_STDOUT_SILENCE;
  launcher = g_subprocess_launcher_new (flags);
  if (flags == G_SUBPROCESS_FLAGS_NONE)
    g_subprocess_launcher_take_stdout_fd (launcher, dup (STDERR_FILENO));

  parameters = build_parameters (capabilities);
  self->mock = g_subprocess_launcher_spawn (launcher, &error,
                                            "/usr/bin/python3", "-m", "dbusmock",
                                            "--template", "notification_daemon",
                                            "-p", parameters,
                                            NULL);
  if (self->mock == NULL)
    g_error ("Cannot start python3-dbusmock: %s", error->message);

  g_subprocess_wait_async (self->mock, NULL, on_mock_exited, &self->mock_exited);

  if (!sp_test_wait_until (mock_ready_or_dead, self, START_TIMEOUT_MS) || !self->name_appeared)
    g_error ("python3-dbusmock's notification_daemon did not come up (is python3-dbusmock "
             "installed for /usr/bin/python3?)");

  reply = call_mock (self, MOCK_IFACE, "AddMethod",
                     g_variant_new ("(sssss)", TEST_IFACE, CLEAR_METHOD, "", "u", CLEAR_CODE),
                     NULL);

  self->method_called_id = g_dbus_connection_signal_subscribe (self->connection, NOTIFY_NAME,
                                                               MOCK_IFACE, "MethodCalled",
                                                               NOTIFY_PATH, NULL,
                                                               G_DBUS_SIGNAL_FLAGS_NONE,
                                                               on_method_called, self, NULL);

  return self;
}

/**
 * sp_test_notify_stop:
 * @self: (transfer full): the mock
 *
 * Stops the mock and the private bus. g_test_dbus_down() waits for the process's shared
 * session bus connection to be finalized, so everything that uses it (libnotify:
 * notify_uninit(), the objects under test) must be gone first.
 */
void
sp_test_notify_stop (SpTestNotify *self)
{
  g_autoptr(GError) error = NULL;

  if (self == NULL)
    return;

  g_dbus_connection_signal_unsubscribe (self->connection, self->method_called_id);
  g_bus_unwatch_name (self->watch_id);

  g_subprocess_send_signal (self->mock, SIGTERM);
  while (!self->mock_exited)
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&self->mock);

  g_dbus_connection_close_sync (self->connection, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&self->connection);

  g_test_dbus_down (self->bus);
  g_clear_object (&self->bus);
  restore_display (self);

  g_free (self->saved_display);
  g_free (self->saved_wayland_display);
  g_free (self);
}

/**
 * sp_test_notify_get_address:
 * @self: the mock
 *
 * Returns: the address of the private session bus
 */
const char *
sp_test_notify_get_address (SpTestNotify *self)
{
  return g_test_dbus_get_bus_address (self->bus);
}

void
sp_test_notify_call_free (SpTestNotifyCall *call)
{
  if (call == NULL)
    return;

  g_free (call->method);
  g_clear_pointer (&call->args, g_variant_unref);
  g_free (call);
}

/**
 * sp_test_notify_get_calls:
 * @self: the mock
 * @method: (nullable): only calls of this method, or %NULL for all
 *
 * Returns: (transfer container) (element-type SpTestNotifyCall): the calls the mock
 *   recorded since it started or was last cleared, oldest first
 */
GPtrArray *
sp_test_notify_get_calls (SpTestNotify *self,
                          const char   *method)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariantIter) iter = NULL;
  GPtrArray *calls;
  guint64 timestamp;
  const char *name;
  GVariantIter *args_iter;

  g_return_val_if_fail (self != NULL, NULL);

  reply = call_mock (self, MOCK_IFACE, "GetCalls", NULL, "(a(tsav))");
  calls = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_test_notify_call_free);

  g_variant_get (reply, "(a(tsav))", &iter);
  while (g_variant_iter_next (iter, "(t&sav)", &timestamp, &name, &args_iter))
    {
      g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
      SpTestNotifyCall *call;
      GVariant *arg;

      /* dbusmock sends each argument wrapped in a variant; unwrap them into the tuple the
       * method was called with. */
      while (g_variant_iter_next (args_iter, "v", &arg))
        g_ptr_array_add (args, arg);
      g_variant_iter_free (args_iter);

      if (method != NULL && g_strcmp0 (name, method) != 0)
        continue;

      call = g_new0 (SpTestNotifyCall, 1);
      call->method = g_strdup (name);
      call->timestamp = timestamp;
      call->args = g_variant_ref_sink (g_variant_new_tuple ((GVariant **) args->pdata, args->len));
      g_ptr_array_add (calls, call);
    }

  return calls;
}

/**
 * sp_test_notify_count:
 * @self: the mock
 * @method: (nullable): the method, or %NULL for all
 *
 * Returns: how many calls of @method the mock recorded
 */
guint
sp_test_notify_count (SpTestNotify *self,
                      const char   *method)
{
  g_autoptr(GPtrArray) calls = sp_test_notify_get_calls (self, method);

  return calls->len;
}

typedef struct
{
  SpTestNotify *self;
  const char   *method;
  guint         n_calls;
} CountWait;

static gboolean
count_reached (gpointer user_data)
{
  CountWait *wait = user_data;
  SpTestNotify *self = wait->self;
  gint64 now = g_get_monotonic_time ();

  /* The condition is checked after every main context iteration, and the code under test
   * may iterate a lot (a 10 MB frame); ask the mock only when it may have something new. */
  if (self->last_query == 0 ||
      self->n_signals != self->n_signals_seen ||
      now - self->last_query > REQUERY_US)
    {
      self->n_signals_seen = self->n_signals;
      self->last_query = now;
      self->last_count = sp_test_notify_count (self, wait->method);
    }

  return self->last_count >= wait->n_calls;
}

/**
 * sp_test_notify_wait_for:
 * @self: the mock
 * @method: (nullable): the method, or %NULL for any
 * @n_calls: how many calls to wait for, counted since the start or the last clear
 * @timeout_ms: how long to wait at most
 *
 * Iterates the default main context (so that the code under test, in this thread, runs)
 * until the mock has recorded at least @n_calls calls of @method.
 *
 * Returns: %TRUE if it has
 */
gboolean
sp_test_notify_wait_for (SpTestNotify *self,
                         const char   *method,
                         guint         n_calls,
                         guint         timeout_ms)
{
  CountWait wait = { self, method, n_calls };

  g_return_val_if_fail (self != NULL, FALSE);

  self->last_query = 0;

  return sp_test_wait_until (count_reached, &wait, timeout_ms);
}

/**
 * sp_test_notify_clear:
 * @self: the mock
 *
 * Forgets the recorded calls.
 */
void
sp_test_notify_clear (SpTestNotify *self)
{
  g_autoptr(GVariant) reply = NULL;
  guint32 next_id;

  g_return_if_fail (self != NULL);

  reply = call_mock (self, TEST_IFACE, CLEAR_METHOD, NULL, "(u)");
  g_variant_get (reply, "(u)", &next_id);
  self->id_base = next_id - 1;
  self->last_query = 0;
}

/**
 * sp_test_notify_get_id:
 * @self: the mock
 * @n: the index of a Notify call among those recorded, from 0
 *
 * Returns: the notification id the mock returned for that call: the replaces_id when it
 *   was not 0, otherwise the next in the mock's sequence
 */
guint32
sp_test_notify_get_id (SpTestNotify *self,
                       guint         n)
{
  g_autoptr(GPtrArray) calls = NULL;
  guint32 n_new = 0;

  g_return_val_if_fail (self != NULL, 0);

  calls = sp_test_notify_get_calls (self, "Notify");
  if (n >= calls->len)
    g_error ("Notify call %u asked for, but only %u recorded", n, calls->len);

  for (guint i = 0; i <= n; i++)
    {
      guint32 replaces_id = sp_test_notify_call_get_replaces_id (g_ptr_array_index (calls, i));

      if (replaces_id == 0)
        n_new++;
      if (i == n)
        return replaces_id != 0 ? replaces_id : self->id_base + n_new;
    }

  g_assert_not_reached ();
}

static void
emit_signal (SpTestNotify *self,
             const char   *name,
             GVariant     *id,
             GVariant     *second)
{
  g_autoptr(GVariant) reply = NULL;
  GVariantBuilder args;

  g_variant_builder_init (&args, G_VARIANT_TYPE ("av"));
  g_variant_builder_add (&args, "v", id);
  g_variant_builder_add (&args, "v", second);

  reply = call_mock (self, MOCK_IFACE, "EmitSignal",
                     g_variant_new ("(sssav)", NOTIFY_IFACE, name,
                                    g_variant_is_of_type (second, G_VARIANT_TYPE_STRING) ? "us" : "uu",
                                    &args),
                     NULL);
}

/**
 * sp_test_notify_click:
 * @self: the mock
 * @id: a notification id (see sp_test_notify_get_id())
 * @action: the action key, e.g. "open" or "default"
 *
 * Does what a notification server does when the user clicks a button: emits
 * `ActionInvoked(id, action)`. A real server usually closes the notification afterwards;
 * follow with sp_test_notify_close() to play that too.
 */
void
sp_test_notify_click (SpTestNotify *self,
                      guint32       id,
                      const char   *action)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (action != NULL);

  emit_signal (self, "ActionInvoked", g_variant_new_uint32 (id), g_variant_new_string (action));
}

/**
 * sp_test_notify_close:
 * @self: the mock
 * @id: a notification id
 * @reason: one of the `SP_TEST_NOTIFY_CLOSED_*` reasons
 *
 * Emits `NotificationClosed(id, reason)`, as a server does when a notification expires or
 * the user dismisses it.
 */
void
sp_test_notify_close (SpTestNotify *self,
                      guint32       id,
                      guint32       reason)
{
  g_return_if_fail (self != NULL);

  emit_signal (self, "NotificationClosed", g_variant_new_uint32 (id),
               g_variant_new_uint32 (reason));
}

static void
assert_notify (SpTestNotifyCall *call)
{
  g_assert_cmpstr (call->method, ==, "Notify");
  g_assert_cmpstr (g_variant_get_type_string (call->args), ==, "(susssasa{sv}i)");
}

const char *
sp_test_notify_call_get_summary (SpTestNotifyCall *call)
{
  const char *summary;

  assert_notify (call);
  g_variant_get_child (call->args, 3, "&s", &summary);

  return summary;
}

const char *
sp_test_notify_call_get_body (SpTestNotifyCall *call)
{
  const char *body;

  assert_notify (call);
  g_variant_get_child (call->args, 4, "&s", &body);

  return body;
}

guint32
sp_test_notify_call_get_replaces_id (SpTestNotifyCall *call)
{
  guint32 replaces_id;

  assert_notify (call);
  g_variant_get_child (call->args, 1, "u", &replaces_id);

  return replaces_id;
}

/**
 * sp_test_notify_call_dup_actions:
 * @call: a Notify call
 *
 * Returns: (transfer full): the actions, alternating key and label
 */
char **
sp_test_notify_call_dup_actions (SpTestNotifyCall *call)
{
  g_autoptr(GVariant) actions = NULL;

  assert_notify (call);
  actions = g_variant_get_child_value (call->args, 5);

  return g_variant_dup_strv (actions, NULL);
}

/**
 * sp_test_notify_call_get_hint:
 * @call: a Notify call
 * @name: a hint, e.g. "urgency"
 *
 * Returns: (transfer full) (nullable): the hint's value, or %NULL if not set
 */
GVariant *
sp_test_notify_call_get_hint (SpTestNotifyCall *call,
                              const char       *name)
{
  g_autoptr(GVariant) hints = NULL;

  assert_notify (call);
  hints = g_variant_get_child_value (call->args, 6);

  return g_variant_lookup_value (hints, name, NULL);
}

/**
 * sp_test_notify_call_get_closed_id:
 * @call: a CloseNotification call
 *
 * Returns: the id the call closed
 */
guint32
sp_test_notify_call_get_closed_id (SpTestNotifyCall *call)
{
  g_autoptr(GVariant) id = NULL;

  g_assert_cmpstr (call->method, ==, "CloseNotification");
  id = g_variant_get_child_value (call->args, 0);

  /* The template declares the argument as "i" (the specification says "u"), and dbusmock
   * converts what it receives to the declared type. */
  if (g_variant_is_of_type (id, G_VARIANT_TYPE_INT32))
    return (guint32) g_variant_get_int32 (id);

  return g_variant_get_uint32 (id);
}
