/* test-tray.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The tray item and menu against a StatusNotifierWatcher on a private bus, read and
 * clicked over D-Bus as a panel would.
 */

#include "config.h"

#include <gtk/gtk.h>
#include <libnotify/notify.h>
#include <string.h>

#include "sp-account-list.h"
#include "sp-call-tracker.h"
#include "sp-notifier.h"
#include "sp-screenpop.h"
#include "sp-test-engine.h"
#include "sp-test-notify.h"
#include "sp-test-util.h"
#include "sp-tray.h"

static const char watcher_xml[] =
  "<node><interface name='org.kde.StatusNotifierWatcher'>"
  " <method name='RegisterStatusNotifierItem'><arg type='s' direction='in'/></method>"
  "</interface></node>";

typedef struct
{
  SpTestNotify       *notify;
  GDBusConnection    *bus;         /* the app's connection */
  GDBusConnection    *panel;       /* the watcher's and reader's */
  guint               watcher_obj;
  guint               watcher_name;
  GPtrArray          *registrations;  /* "sender path" */
  GPtrArray          *signals;        /* item signal names */
  GSimpleActionGroup *actions;
  GPtrArray          *activated;
  GPtrArray          *opened;
  GSettings          *settings;
  SpEngine           *engine;
  SpCallTracker      *tracker;
  SpNotifier         *notifier;
  SpAccountList         *accounts;
  SpScreenpop        *screenpop;
  SpTray             *tray;
} Fixture;

static void
watcher_call (GDBusConnection       *connection,
              const char            *sender,
              const char            *object_path,
              const char            *interface_name,
              const char            *method_name,
              GVariant              *parameters,
              GDBusMethodInvocation *invocation,
              gpointer               user_data)
{
  Fixture *fixture = user_data;
  const char *path;

  g_variant_get (parameters, "(&s)", &path);
  g_ptr_array_add (fixture->registrations, g_strdup_printf ("%s %s", sender, path));
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static const GDBusInterfaceVTable watcher_vtable = { watcher_call, NULL, NULL, { 0 } };

static void
start_watcher (Fixture *fixture)
{
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (watcher_xml, NULL);

  fixture->watcher_obj = g_dbus_connection_register_object (fixture->panel, "/StatusNotifierWatcher",
                                                            info->interfaces[0], &watcher_vtable,
                                                            fixture, NULL, NULL);
  fixture->watcher_name = g_bus_own_name_on_connection (fixture->panel, "org.kde.StatusNotifierWatcher",
                                                        G_BUS_NAME_OWNER_FLAGS_NONE, NULL, NULL, NULL, NULL);
}

static void
stop_watcher (Fixture *fixture)
{
  g_clear_handle_id (&fixture->watcher_name, g_bus_unown_name);
  if (fixture->watcher_obj)
    g_dbus_connection_unregister_object (fixture->panel, fixture->watcher_obj);
  fixture->watcher_obj = 0;
}

static void
item_signal_cb (GDBusConnection *connection,
                const char      *sender,
                const char      *path,
                const char      *iface,
                const char      *name,
                GVariant        *params,
                gpointer         user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->signals, g_strdup (name));
}

static void
action_cb (GSimpleAction *action,
           GVariant      *param,
           gpointer       user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->activated, g_strdup (g_action_get_name (G_ACTION (action))));
}

/* As the application's app.pause-agent and app.resume-agent: recorded, then done. */
static void
agent_action_cb (GSimpleAction *action,
                 GVariant      *param,
                 gpointer       user_data)
{
  Fixture *fixture = user_data;
  const char *name = g_action_get_name (G_ACTION (action));
  SpAccount *account = sp_account_list_lookup (fixture->accounts, g_variant_get_string (param, NULL));

  g_ptr_array_add (fixture->activated, g_strdup_printf ("%s %s", name, g_variant_get_string (param, NULL)));
  g_assert_nonnull (account);
  sp_source_perform_async (sp_account_list_get_source (fixture->accounts, sp_account_get_id (account)),
                           g_str_equal (name, "pause-agent") ? SP_SOURCE_ACTION_PAUSE
                                                            : SP_SOURCE_ACTION_UNPAUSE,
                           NULL, NULL, NULL, NULL, NULL);
}

static void
opened_cb (const char *uri,
           gpointer    user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->opened, g_strdup (uri));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  static const GActionEntry entries[] = {
    { "show-window", action_cb },
    { "quit", action_cb },
    { "pause-agent", agent_action_cb, "s" },
    { "resume-agent", agent_action_cb, "s" },
  };
  g_autoptr(GError) error = NULL;

  fixture->notify = sp_test_notify_start (NULL);
  fixture->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  fixture->panel = g_dbus_connection_new_for_address_sync (sp_test_notify_get_address (fixture->notify),
                                                           G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                           G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                           NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_signal_subscribe (fixture->panel, NULL, "org.kde.StatusNotifierItem", NULL,
                                      SP_TRAY_ITEM_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                      item_signal_cb, fixture, NULL);

  fixture->registrations = g_ptr_array_new_with_free_func (g_free);
  fixture->signals = g_ptr_array_new_with_free_func (g_free);
  fixture->activated = g_ptr_array_new_with_free_func (g_free);
  fixture->opened = g_ptr_array_new_with_free_func (g_free);
  fixture->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (fixture->actions), entries, G_N_ELEMENTS (entries), fixture);

  fixture->settings = g_settings_new ("io.github.screenpop.Screenpop");
  g_settings_set_boolean (fixture->settings, "do-not-disturb", FALSE);
  fixture->engine = sp_test_engine_new (fixture->settings, NULL);
  fixture->tracker = sp_engine_get_tracker (fixture->engine);
  fixture->notifier = sp_engine_get_notifier (fixture->engine);
  fixture->accounts = sp_engine_get_accounts (fixture->engine);
  fixture->screenpop = sp_engine_get_screenpop (fixture->engine);
  sp_engine_set_url_handler (fixture->engine, opened_cb, fixture, NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  stop_watcher (fixture);
  g_clear_object (&fixture->tray);
  g_clear_object (&fixture->engine);
  g_clear_object (&fixture->settings);
  g_clear_object (&fixture->actions);
  g_clear_pointer (&fixture->registrations, g_ptr_array_unref);
  g_clear_pointer (&fixture->signals, g_ptr_array_unref);
  g_clear_pointer (&fixture->activated, g_ptr_array_unref);
  g_clear_pointer (&fixture->opened, g_ptr_array_unref);
  g_dbus_connection_close_sync (fixture->panel, NULL, NULL);
  g_clear_object (&fixture->panel);
  g_clear_object (&fixture->bus);
  sp_test_run_for (50);
  notify_uninit ();
  sp_test_notify_stop (fixture->notify);
}

typedef struct
{
  gboolean  done;
  GVariant *reply;
  GError   *error;
} Call;

static void
call_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Call *call = user_data;

  call->reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &call->error);
  call->done = TRUE;
}

static gboolean
call_is_done (gpointer data)
{
  return ((Call *) data)->done;
}

/* The tray answers from this thread's main loop: a panel's call must not block it. */
static GVariant *
panel_call (Fixture    *fixture,
            const char *path,
            const char *iface,
            const char *method,
            GVariant   *params)
{
  Call call = { 0 };

  g_dbus_connection_call (fixture->panel, g_dbus_connection_get_unique_name (fixture->bus),
                          path, iface, method, params, NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL,
                          call_done_cb, &call);
  g_assert_true (sp_test_wait_until (call_is_done, &call, 6000));
  g_assert_no_error (call.error);

  return call.reply;
}

static GVariant *
get_property (Fixture    *fixture,
              const char *iface,
              const char *path,
              const char *name)
{
  g_autoptr(GVariant) reply = NULL;
  GVariant *value;

  reply = panel_call (fixture, path, "org.freedesktop.DBus.Properties", "Get",
                      g_variant_new ("(ss)", iface, name));
  g_variant_get (reply, "(v)", &value);
  return value;
}

static char *
item_string (Fixture    *fixture,
             const char *name)
{
  g_autoptr(GVariant) value = get_property (fixture, "org.kde.StatusNotifierItem", SP_TRAY_ITEM_PATH, name);

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) ||
      g_variant_is_of_type (value, G_VARIANT_TYPE_OBJECT_PATH))
    return g_variant_dup_string (value, NULL);

  return g_variant_print (value, FALSE);
}

static void
menu_call (Fixture    *fixture,
           const char *method,
           GVariant   *params,
           GVariant  **out)
{
  GVariant *reply = panel_call (fixture, SP_TRAY_MENU_PATH, "com.canonical.dbusmenu", method, params);

  if (out)
    *out = reply;
  else
    g_variant_unref (reply);
}

/* The menu's labels in order, with the item ids, as "id:label" joined by "|". */
static char *
menu_labels (Fixture *fixture)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) children = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  const char *names[] = { NULL };
  guint revision;
  GVariantIter iter;
  GVariant *child;

  menu_call (fixture, "GetLayout", g_variant_new ("(ii^as)", 0, -1, names), &reply);
  g_variant_get (reply, "(u(ia{sv}@av))", &revision, NULL, NULL, &children);

  g_variant_iter_init (&iter, children);
  while (g_variant_iter_next (&iter, "v", &child))
    {
      g_autoptr(GVariant) props = NULL;
      const char *label = NULL;
      const char *type = NULL;
      int id;

      g_variant_get (child, "(i@a{sv}av)", &id, &props, NULL);
      g_variant_lookup (props, "label", "&s", &label);
      g_variant_lookup (props, "type", "&s", &type);
      if (out->len)
        g_string_append_c (out, '|');
      g_string_append_printf (out, "%d:%s", id, type ? "---" : label);
      g_variant_unref (child);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
click (Fixture *fixture,
       int      id)
{
  menu_call (fixture, "Event", g_variant_new ("(isvu)", id, "clicked", g_variant_new_int32 (0), 0), NULL);
  sp_test_run_for (50);
}

static gboolean
registered_n (gpointer data)
{
  gpointer *pair = data;
  Fixture *fixture = pair[0];

  return fixture->registrations->len >= GPOINTER_TO_UINT (pair[1]);
}

static void
wait_registered (Fixture *fixture,
                 guint    n)
{
  gpointer pair[2] = { fixture, GUINT_TO_POINTER (n) };

  g_assert_true (sp_test_wait_until (registered_n, pair, 5000));
}

static void
push (Fixture         *fixture,
      const char      *call_id,
      SpCallEventKind  kind)
{
  g_autoptr(SpCallEvent) event = sp_call_event_new ("phone", call_id, kind);

  event->number = g_strdup ("0312345678");
  event->name = g_strdup ("山田 太郎");
  sp_call_tracker_push (fixture->tracker, event);
}

static gboolean
has_signal (gpointer data)
{
  gpointer *pair = data;
  Fixture *fixture = pair[0];

  return g_ptr_array_find_with_equal_func (fixture->signals, pair[1], g_str_equal, NULL);
}

/* Waits until the panel's connection received the item's signal @name. */
static void
wait_signal (Fixture    *fixture,
             const char *name)
{
  gpointer pair[2] = { fixture, (gpointer) name };

  if (!sp_test_wait_until (has_signal, pair, 5000))
    g_error ("The item never sent %s", name);
}

/* Adds to @found the folders under @dir (relative to @root) that hold a file. */
static void
collect_icon_dirs (const char *root,
                   const char *dir,
                   GHashTable *found)
{
  g_autofree char *path = g_build_filename (root, dir, NULL);
  g_autoptr(GDir) listing = g_dir_open (path, 0, NULL);
  const char *name;

  g_assert_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *child = *dir ? g_build_filename (dir, name, NULL) : g_strdup (name);
      g_autofree char *child_path = g_build_filename (root, child, NULL);

      if (g_file_test (child_path, G_FILE_TEST_IS_DIR))
        collect_icon_dirs (root, child, found);
      else if (*dir)
        g_hash_table_add (found, g_strdup (dir));
    }
}

/* data/icons/hicolor is installed as is into the hicolor theme (data/meson.build): every
 * folder holding an icon must be one the theme's index.theme lists, or no other process (a
 * panel) finds the icon; and the tray's state icons must be among them. */
static void
test_tray_icons_where_hicolor_looks (void)
{
  const char *names[] = {
    "screenpop-connected-symbolic", "screenpop-disconnected-symbolic", "screenpop-ringing-symbolic",
    "screenpop-missed-badge", "screenpop-missed-symbolic",
  };
  g_autofree char *root = g_build_filename (g_getenv ("SCREENPOP_TEST_DATADIR"), "icons", "hicolor", NULL);
  g_autoptr(GHashTable) found = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GKeyFile) index = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) listed = NULL;
  GHashTableIter iter;
  const char *dir;

  /* The icon theme specification separates Directories with commas. */
  g_key_file_set_list_separator (index, ',');
  g_assert_true (g_key_file_load_from_data_dirs (index, "icons/hicolor/index.theme", NULL,
                                                 G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  listed = g_key_file_get_string_list (index, "Icon Theme", "Directories", NULL, &error);
  g_assert_no_error (error);

  collect_icon_dirs (root, "", found);
  g_assert_cmpuint (g_hash_table_size (found), >, 0);
  g_hash_table_iter_init (&iter, found);
  while (g_hash_table_iter_next (&iter, (gpointer *) &dir, NULL))
    if (!g_strv_contains ((const char * const *) listed, dir))
      g_error ("Icons installed in hicolor/%s, a folder hicolor's index.theme does not list", dir);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *file = g_strconcat (names[i], ".svg", NULL);
      gboolean installed = FALSE;

      g_hash_table_iter_init (&iter, found);
      while (g_hash_table_iter_next (&iter, (gpointer *) &dir, NULL))
        {
          g_autofree char *path = g_build_filename (root, dir, file, NULL);

          installed |= g_file_test (path, G_FILE_TEST_IS_REGULAR);
        }
      if (!installed)
        g_error ("The state icon %s is not installed in a hicolor folder", names[i]);

      /* GTK 3 (the panels) draws nothing for a symbolic icon with a comment before its root
       * element; keep the files plain. */
      {
        g_autofree char *source = g_build_filename (root, "scalable", "status", file, NULL);
        g_autofree char *text = NULL;

        if (g_file_get_contents (source, &text, NULL, NULL))
          g_assert_null (strstr (text, "<!--"));
      }
    }
}

static void
test_tray_registration (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *expected = NULL;
  g_autofree char *id = NULL;
  g_autofree char *menu = NULL;
  g_autofree char *category = NULL;
  g_autofree char *theme_path = NULL;

  /* No watcher: nothing breaks and nothing is registered. */
  fixture->tray = sp_tray_new (fixture->bus, G_ACTION_GROUP (fixture->actions), fixture->accounts,
                               fixture->tracker, fixture->screenpop, fixture->settings);
  sp_test_run_for (200);
  g_assert_false (sp_tray_is_registered (fixture->tray));

  /* A watcher appears: we register by object path, from our own connection. */
  start_watcher (fixture);
  wait_registered (fixture, 1);
  expected = g_strdup_printf ("%s %s", g_dbus_connection_get_unique_name (fixture->bus), SP_TRAY_ITEM_PATH);
  g_assert_cmpstr (g_ptr_array_index (fixture->registrations, 0), ==, expected);

  /* The GNOME extension drops items whose Id or Menu cannot be read. */
  id = item_string (fixture, "Id");
  menu = item_string (fixture, "Menu");
  category = item_string (fixture, "Category");
  g_assert_cmpstr (id, ==, APP_ID APP_ID_SUFFIX);
  g_assert_cmpstr (menu, ==, SP_TRAY_MENU_PATH);
  g_assert_cmpstr (category, ==, "Communications");

  /* The installed icon folder, so that a panel finds the state icons in any prefix. */
  theme_path = item_string (fixture, "IconThemePath");
  g_assert_cmpstr (theme_path, !=, "");
  g_assert_cmpstr (theme_path, ==, ICONDIR);

  /* The watcher restarts (a panel restart): we register again. */
  stop_watcher (fixture);
  sp_test_run_for (100);
  start_watcher (fixture);
  wait_registered (fixture, 2);
}

/* A burst of 200 rings in one main-loop iteration is one tooltip update for the panel, not
 * 200 (issue 16: the tray's signals were a quarter of a call event's cost). */
static void
test_tray_coalesced (Fixture       *fixture,
                     gconstpointer  data)
{
  guint n_tooltips = 0;
  g_autofree char *tooltip = NULL;

  start_watcher (fixture);
  fixture->tray = sp_tray_new (fixture->bus, G_ACTION_GROUP (fixture->actions), fixture->accounts,
                               fixture->tracker, fixture->screenpop, fixture->settings);
  wait_registered (fixture, 1);
  sp_test_run_for (100);
  g_ptr_array_set_size (fixture->signals, 0);

  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *id = g_strdup_printf ("burst-%u", i);
      g_autoptr(SpCallEvent) event = sp_call_event_new ("phone", id, SP_CALL_EVENT_RINGING);

      event->number = g_strdup_printf ("03%08u", i);
      sp_call_tracker_push (fixture->tracker, event);
    }
  sp_test_run_for (300);

  for (guint i = 0; i < fixture->signals->len; i++)
    n_tooltips += g_str_equal (fixture->signals->pdata[i], "NewToolTip");
  g_assert_cmpuint (n_tooltips, ==, 1);
  g_assert_true (g_ptr_array_find_with_equal_func (fixture->signals, "NewStatus", g_str_equal, NULL));
}

static void
test_tray_state_and_menu (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(SpAccount) down = sp_account_new_transient ("phone", "popup-notifier", "Front desk");
  g_autofree char *status = NULL;
  g_autofree char *icon = NULL;
  g_autofree char *labels = NULL;
  g_autofree char *tooltip = NULL;

  start_watcher (fixture);
  fixture->tray = sp_tray_new (fixture->bus, G_ACTION_GROUP (fixture->actions), fixture->accounts,
                               fixture->tracker, fixture->screenpop, fixture->settings);
  wait_registered (fixture, 1);

  /* A call rings: the item asks for attention; answered, it calms down. */
  push (fixture, "c1", SP_CALL_EVENT_RINGING);
  sp_test_run_for (50);
  status = item_string (fixture, "Status");
  g_assert_cmpstr (status, ==, "NeedsAttention");
  g_assert_true (g_ptr_array_find_with_equal_func (fixture->signals, "NewStatus", g_str_equal, NULL));
  push (fixture, "c1", SP_CALL_EVENT_ANSWERED);
  push (fixture, "c1", SP_CALL_EVENT_ENDED);
  push (fixture, "c2", SP_CALL_EVENT_RINGING);
  push (fixture, "c2", SP_CALL_EVENT_MISSED);
  sp_test_run_for (50);
  g_clear_pointer (&status, g_free);
  status = item_string (fixture, "Status");
  g_assert_cmpstr (status, ==, "Active");

  /* An account that cannot connect turns the icon to "disconnected" and is named in the
   * tooltip, with the missed call. */
  g_settings_set_string (sp_account_get_settings (down), "url", "ws://127.0.0.1:9/crmws");
  g_settings_set_string (sp_account_get_settings (down), "url-template", "https://crm.example.com/?n={number}");
  sp_account_list_add_transient (fixture->accounts, down);
  sp_test_run_for (500);
  icon = item_string (fixture, "IconName");
  g_assert_cmpstr (icon, ==, "screenpop-disconnected-symbolic");
  tooltip = item_string (fixture, "ToolTip");
  g_assert_nonnull (strstr (tooltip, "1 missed call"));
  g_assert_nonnull (strstr (tooltip, "Front desk"));

  /* The menu: show, do not disturb, the account with its state, the recent calls, quit. */
  labels = menu_labels (fixture);
  g_assert_true (g_str_has_prefix (labels, "1:Show Screenpop|2:Do Not Disturb|4:---|100:Front desk — "));
  g_assert_nonnull (strstr (labels, "|5:---|200:Missed: 山田 太郎 (0312345678)|201:山田 太郎 (0312345678)|6:---|3:Quit"));

  /* Every item does its job when clicked. */
  click (fixture, 1);
  click (fixture, 3);
  g_assert_cmpuint (fixture->activated->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (fixture->activated, 0), ==, "show-window");
  g_assert_cmpstr (g_ptr_array_index (fixture->activated, 1), ==, "quit");

  click (fixture, 200);
  g_assert_cmpuint (fixture->opened->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->opened, 0), ==, "https://crm.example.com/?n=0312345678");

  click (fixture, 2);
  g_assert_true (g_settings_get_boolean (fixture->settings, "do-not-disturb"));
  g_clear_pointer (&icon, g_free);
  icon = item_string (fixture, "IconName");
  g_assert_cmpstr (icon, ==, "notifications-disabled-symbolic");
  click (fixture, 2);
  g_assert_false (g_settings_get_boolean (fixture->settings, "do-not-disturb"));

  /* A left click on the icon shows the window. */
  g_variant_unref (panel_call (fixture, SP_TRAY_ITEM_PATH, "org.kde.StatusNotifierItem", "Activate",
                               g_variant_new ("(ii)", 0, 0)));
  g_assert_cmpuint (fixture->activated->len, ==, 3);
}

static gboolean
menu_has (gpointer data)
{
  gpointer *pair = data;
  g_autofree char *labels = menu_labels (pair[0]);

  return strstr (labels, pair[1]) != NULL;
}

static void
wait_menu_has (Fixture    *fixture,
               const char *text)
{
  gpointer pair[2] = { fixture, (gpointer) text };

  if (!sp_test_wait_until (menu_has, pair, 5000))
    {
      g_autofree char *labels = menu_labels (fixture);

      g_error ("The menu never showed “%s”: %s", text, labels);
    }
}

/* An account whose agent can be paused gets "Pause as Agent" under its line; clicked, the
 * agent is paused through the application's action, and the item turns into "Resume". */
static void
test_tray_agent_pause (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(SpAccount) demo = sp_account_new_transient ("demo", "demo", "Demo");
  g_autoptr(SpAccount) popup = sp_account_new_transient ("phone", "popup-notifier", "Front desk");
  g_autofree char *labels = NULL;
  GVariantBuilder options;
  SpSource *source;

  g_variant_builder_init (&options, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&options, "{ss}", "first-delay-ms", "600000");
  g_settings_set_value (sp_account_get_settings (demo), "options", g_variant_builder_end (&options));
  g_settings_set_string (sp_account_get_settings (popup), "url", "ws://127.0.0.1:9/crmws");

  start_watcher (fixture);
  fixture->tray = sp_tray_new (fixture->bus, G_ACTION_GROUP (fixture->actions), fixture->accounts,
                               fixture->tracker, fixture->screenpop, fixture->settings);
  wait_registered (fixture, 1);
  sp_account_list_add_transient (fixture->accounts, popup);
  sp_account_list_add_transient (fixture->accounts, demo);

  /* The popup-notifier account has no agent: no item for it. */
  wait_menu_has (fixture, "|101:Demo — Connected|301:Pause as Agent on Demo|");
  labels = menu_labels (fixture);
  g_assert_null (strstr (labels, "300:"));
  g_assert_null (strstr (labels, "400:"));

  click (fixture, 301);
  g_assert_cmpuint (fixture->activated->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->activated, 0), ==, "pause-agent demo");
  source = sp_account_list_get_source (fixture->accounts, sp_account_get_id (demo));
  g_assert_cmpint (sp_source_get_agent_state (source), ==, SP_AGENT_STATE_PAUSED);
  wait_menu_has (fixture, "|401:Resume as Agent on Demo|");

  click (fixture, 401);
  g_assert_cmpstr (g_ptr_array_index (fixture->activated, 1), ==, "resume-agent demo");
  g_assert_cmpint (sp_source_get_agent_state (source), ==, SP_AGENT_STATE_READY);
  wait_menu_has (fixture, "|301:Pause as Agent on Demo|");

  /* The link goes down: the agent's state is unknown, so the item goes. */
  sp_source_stop (source);
  sp_test_run_for (100);
  g_clear_pointer (&labels, g_free);
  labels = menu_labels (fixture);
  g_assert_null (strstr (labels, "301:"));
  g_assert_null (strstr (labels, "401:"));
}

/* The host learns every change of the picture: a ringing call sets Status NeedsAttention
 * with the ringing attention icon, and a dropped link the disconnected icon, each with
 * NewIcon and NewAttentionIcon (hosts such as xfce4-panel re-read only on those). */
static void
test_tray_signals (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(SpAccount) demo = sp_account_new_transient ("demo", "demo", "Demo");
  const char *picture[] = { "NewStatus", "NewIcon", "NewAttentionIcon" };
  g_autofree char *status = NULL;
  g_autofree char *icon = NULL;
  g_autofree char *attention = NULL;
  GVariantBuilder options;

  g_variant_builder_init (&options, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&options, "{ss}", "first-delay-ms", "600000");
  g_settings_set_value (sp_account_get_settings (demo), "options", g_variant_builder_end (&options));

  start_watcher (fixture);
  fixture->tray = sp_tray_new (fixture->bus, G_ACTION_GROUP (fixture->actions), fixture->accounts,
                               fixture->tracker, fixture->screenpop, fixture->settings);
  wait_registered (fixture, 1);
  sp_account_list_add_transient (fixture->accounts, demo);
  wait_menu_has (fixture, "100:Demo — Connected");
  sp_test_run_for (100);
  icon = item_string (fixture, "IconName");
  g_assert_cmpstr (icon, ==, APP_ID APP_ID_SUFFIX);

  /* A call rings. */
  g_ptr_array_set_size (fixture->signals, 0);
  push (fixture, "c1", SP_CALL_EVENT_RINGING);
  for (guint i = 0; i < G_N_ELEMENTS (picture); i++)
    wait_signal (fixture, picture[i]);
  status = item_string (fixture, "Status");
  attention = item_string (fixture, "AttentionIconName");
  g_assert_cmpstr (status, ==, "NeedsAttention");
  g_assert_cmpstr (attention, ==, "screenpop-ringing-symbolic");

  /* The tooltip names the caller, as text: the host reads markup. */
  {
    g_autoptr(SpCallEvent) event = sp_call_event_new ("phone", "c2", SP_CALL_EVENT_RINGING);
    g_autofree char *tooltip = NULL;

    event->number = g_strdup ("0398765432");
    event->name = g_strdup ("<b>A&B</b>");
    sp_call_tracker_push (fixture->tracker, event);
    sp_test_run_for (100);
    tooltip = item_string (fixture, "ToolTip");
    g_assert_nonnull (strstr (tooltip, "Ringing: 山田 太郎 (0312345678)"));
    g_assert_nonnull (strstr (tooltip, "Ringing: &lt;b&gt;A&amp;B&lt;/b&gt; (0398765432)"));
    g_assert_null (strstr (tooltip, "<b>"));
    push (fixture, "c2", SP_CALL_EVENT_MISSED);
  }

  /* It is answered: back to Active, told the same way. */
  g_ptr_array_set_size (fixture->signals, 0);
  push (fixture, "c1", SP_CALL_EVENT_ANSWERED);
  for (guint i = 0; i < G_N_ELEMENTS (picture); i++)
    wait_signal (fixture, picture[i]);
  g_clear_pointer (&status, g_free);
  status = item_string (fixture, "Status");
  g_assert_cmpstr (status, ==, "Active");
  {
    g_autofree char *tooltip = item_string (fixture, "ToolTip");

    g_assert_nonnull (strstr (tooltip, "1 missed call"));
    g_assert_null (strstr (tooltip, "Ringing"));
  }

  /* The link drops. */
  g_ptr_array_set_size (fixture->signals, 0);
  sp_source_stop (sp_account_list_get_source (fixture->accounts, sp_account_get_id (demo)));
  wait_signal (fixture, "NewIcon");
  wait_signal (fixture, "NewAttentionIcon");
  wait_signal (fixture, "NewToolTip");
  g_clear_pointer (&icon, g_free);
  icon = item_string (fixture, "IconName");
  g_assert_cmpstr (icon, ==, "screenpop-disconnected-symbolic");
}

/* Every icon name the item publishes, found as a host finds it: its icon theme (Adwaita,
 * falling back to hicolor) over the data folders, the installed prefix (where data/icons is
 * installed as is; the source tree stands in for it) among them. */
static void
assert_icons_resolve (Fixture    *fixture,
                      GHashTable *seen)
{
  const char *properties[] = { "IconName", "AttentionIconName", "OverlayIconName" };
  g_autoptr(GtkIconTheme) theme = gtk_icon_theme_new ();
  g_autofree char *installed = g_build_filename (g_getenv ("SCREENPOP_TEST_DATADIR"), "icons", NULL);
  const char *search_path[] = { installed, "/usr/local/share/icons", "/usr/share/icons", NULL };

  gtk_icon_theme_set_search_path (theme, search_path);
  gtk_icon_theme_set_theme_name (theme, "Adwaita");

  for (guint i = 0; i < G_N_ELEMENTS (properties); i++)
    {
      g_autofree char *name = item_string (fixture, properties[i]);

      if (name[0] == '\0')
        continue;
      if (!gtk_icon_theme_has_icon (theme, name))
        g_error ("The tray's %s %s is not found in the icon theme", properties[i], name);
      g_hash_table_add (seen, g_steal_pointer (&name));
    }
}

/* Missed calls not seen yet are counted on the icon (an overlay) and in the tooltip, until
 * the window is looked at (it moves missed-seen); every icon name the item uses in every
 * state resolves through the icon theme. */
static void
test_tray_missed_and_icon_names (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(SpAccount) demo = sp_account_new_transient ("demo", "demo", "Demo");
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *overlay = NULL;
  g_autofree char *tooltip = NULL;
  GVariantBuilder options;

  g_variant_builder_init (&options, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&options, "{ss}", "first-delay-ms", "600000");
  g_settings_set_value (sp_account_get_settings (demo), "options", g_variant_builder_end (&options));
  g_settings_set_int64 (fixture->settings, "missed-seen", g_get_real_time ());

  start_watcher (fixture);
  fixture->tray = sp_tray_new (fixture->bus, G_ACTION_GROUP (fixture->actions), fixture->accounts,
                               fixture->tracker, fixture->screenpop, fixture->settings);
  wait_registered (fixture, 1);
  sp_account_list_add_transient (fixture->accounts, demo);
  wait_menu_has (fixture, "100:Demo — Connected");
  sp_test_run_for (100);
  overlay = item_string (fixture, "OverlayIconName");
  g_assert_cmpstr (overlay, ==, "");
  assert_icons_resolve (fixture, seen);

  /* Ringing. */
  push (fixture, "c1", SP_CALL_EVENT_RINGING);
  sp_test_run_for (100);
  assert_icons_resolve (fixture, seen);

  /* Missed: the overlay and the count, told with NewOverlayIcon. */
  g_ptr_array_set_size (fixture->signals, 0);
  push (fixture, "c1", SP_CALL_EVENT_MISSED);
  wait_signal (fixture, "NewOverlayIcon");
  g_clear_pointer (&overlay, g_free);
  overlay = item_string (fixture, "OverlayIconName");
  g_assert_cmpstr (overlay, ==, "screenpop-missed-badge");
  {
    g_autofree char *icon = item_string (fixture, "IconName");

    g_assert_cmpstr (icon, ==, "screenpop-missed-symbolic");
  }
  tooltip = item_string (fixture, "ToolTip");
  g_assert_nonnull (strstr (tooltip, "1 missed call"));
  assert_icons_resolve (fixture, seen);

  /* Do not disturb, with the missed call still there. */
  g_settings_set_boolean (fixture->settings, "do-not-disturb", TRUE);
  sp_test_run_for (100);
  assert_icons_resolve (fixture, seen);
  g_settings_set_boolean (fixture->settings, "do-not-disturb", FALSE);

  /* The window was looked at. */
  g_ptr_array_set_size (fixture->signals, 0);
  g_settings_set_int64 (fixture->settings, "missed-seen", g_get_real_time ());
  wait_signal (fixture, "NewOverlayIcon");
  g_clear_pointer (&overlay, g_free);
  overlay = item_string (fixture, "OverlayIconName");
  g_assert_cmpstr (overlay, ==, "");
  g_clear_pointer (&tooltip, g_free);
  tooltip = item_string (fixture, "ToolTip");
  g_assert_null (strstr (tooltip, "missed"));

  /* The link drops. */
  g_ptr_array_set_size (fixture->signals, 0);
  sp_source_stop (sp_account_list_get_source (fixture->accounts, sp_account_get_id (demo)));
  wait_signal (fixture, "NewIcon");
  wait_signal (fixture, "NewToolTip");
  assert_icons_resolve (fixture, seen);

  /* Each picture was met, each found. */
  g_assert_true (g_hash_table_contains (seen, APP_ID APP_ID_SUFFIX));
  g_assert_true (g_hash_table_contains (seen, "screenpop-ringing-symbolic"));
  g_assert_true (g_hash_table_contains (seen, "screenpop-missed-badge"));
  g_assert_true (g_hash_table_contains (seen, "screenpop-missed-symbolic"));
  g_assert_true (g_hash_table_contains (seen, "screenpop-disconnected-symbolic"));
  g_assert_true (g_hash_table_contains (seen, "notifications-disabled-symbolic"));
  g_clear_object (&fixture->tray);
  g_settings_reset (fixture->settings, "missed-seen");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/tray/coalesced", Fixture, NULL, fixture_set_up, test_tray_coalesced, fixture_tear_down);
  g_test_add ("/tray/registration", Fixture, NULL, fixture_set_up, test_tray_registration, fixture_tear_down);
  g_test_add ("/tray/state-and-menu", Fixture, NULL, fixture_set_up, test_tray_state_and_menu, fixture_tear_down);
  g_test_add ("/tray/agent-pause", Fixture, NULL, fixture_set_up, test_tray_agent_pause, fixture_tear_down);
  g_test_add ("/tray/signals", Fixture, NULL, fixture_set_up, test_tray_signals, fixture_tear_down);
  g_test_add ("/tray/missed-and-icon-names", Fixture, NULL, fixture_set_up, test_tray_missed_and_icon_names, fixture_tear_down);
  g_test_add_func ("/tray/icons-where-hicolor-looks", test_tray_icons_where_hicolor_looks);

  return g_test_run ();
}
