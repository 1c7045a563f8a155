/* sp-tray.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-tray"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-tray.h"

/*
 * The tray icon: org.kde.StatusNotifierItem and com.canonical.dbusmenu, by hand over GDBus
 * (GTK 4 has no tray, and the GTK 3 indicator libraries cannot share its process). It is a
 * convenience: GNOME shows it only with an extension, so everything here is also in the
 * window. The item registers with the watcher by object path (never an
 * org.kde.StatusNotifierItem-PID-N name, which collides in Flatpak), re-registers whenever
 * the watcher (re)appears, and without a watcher simply stays unseen.
 *
 * The menu is kept flat (some hosts draw submenus poorly): Show; Do not disturb; one
 * insensitive line per account with its state, followed by "Pause" or "Resume" where the
 * account has an agent that can be paused; the last five calls; Quit.
 */

#define WATCHER_NAME "org.kde.StatusNotifierWatcher"
#define WATCHER_PATH "/StatusNotifierWatcher"
#define WATCHER_IFACE "org.kde.StatusNotifierWatcher"
#define MAX_RECENT 5
/* Changes reach the host at most this often while calls keep coming (see changed_cb()). */
#define UPDATE_INTERVAL_US (100 * 1000)
/* What a host shows while Status is NeedsAttention: a call rings. */
#define ATTENTION_ICON_NAME "screenpop-ringing-symbolic"
/* While missed calls are not seen yet (in the window): the icon (the handset with the
 * missed-call arrow), and a red badge in its lower right corner as the overlay, which hosts
 * draw over the icon (xfce4-panel at the icon's full size, so the badge's file is the corner
 * and transparent elsewhere). Neither file may have an XML comment before its root: GTK 3's
 * loader of symbolic icons then draws nothing (test-tray-panel saw it). */
#define MISSED_ICON_NAME "screenpop-missed-symbolic"
#define MISSED_OVERLAY_ICON_NAME "screenpop-missed-badge"

enum {
  ITEM_ROOT = 0,
  ITEM_SHOW = 1,
  ITEM_DND = 2,
  ITEM_QUIT = 3,
  ITEM_SEPARATOR_1 = 4,
  ITEM_SEPARATOR_2 = 5,
  ITEM_SEPARATOR_3 = 6,
  ITEM_ACCOUNT_BASE = 100,
  ITEM_RECENT_BASE = 200,
  ITEM_PAUSE_BASE = 300,     /* a click does what the label said, whatever changed since */
  ITEM_RESUME_BASE = 400,
};

struct _SpTray
{
  GObject          parent_instance;

  GDBusConnection *connection;
  GActionGroup    *actions;
  SpAccountList      *accounts;
  SpCallTracker   *tracker;
  SpScreenpop     *screenpop;
  GSettings       *settings;

  guint            item_id;
  guint            menu_id;
  guint            watch_id;
  guint            update_id;   /* the coalesced update, see changed_cb() */
  gint64           updated_at;  /* monotonic µs of the last update */
  gboolean         dnd;         /* "do-not-disturb" and "missed-seen", kept by their changes */
  gint64           missed_seen;
  gboolean         registered;

  guint            revision;
  const char      *icon_name;
  const char      *status;
  const char      *overlay_icon_name;
  char            *tooltip;
};

G_DEFINE_FINAL_TYPE (SpTray, sp_tray, G_TYPE_OBJECT)

static const char item_xml[] =
  "<node>"
  " <interface name='org.kde.StatusNotifierItem'>"
  "  <property name='Category' type='s' access='read'/>"
  "  <property name='Id' type='s' access='read'/>"
  "  <property name='Title' type='s' access='read'/>"
  "  <property name='Status' type='s' access='read'/>"
  "  <property name='IconName' type='s' access='read'/>"
  "  <property name='AttentionIconName' type='s' access='read'/>"
  "  <property name='OverlayIconName' type='s' access='read'/>"
  "  <property name='IconThemePath' type='s' access='read'/>"
  "  <property name='ToolTip' type='(sa(iiay)ss)' access='read'/>"
  "  <property name='ItemIsMenu' type='b' access='read'/>"
  "  <property name='Menu' type='o' access='read'/>"
  "  <method name='Activate'><arg type='i' direction='in'/><arg type='i' direction='in'/></method>"
  "  <method name='SecondaryActivate'><arg type='i' direction='in'/><arg type='i' direction='in'/></method>"
  "  <method name='ContextMenu'><arg type='i' direction='in'/><arg type='i' direction='in'/></method>"
  "  <method name='Scroll'><arg type='i' direction='in'/><arg type='s' direction='in'/></method>"
  "  <signal name='NewIcon'/>"
  "  <signal name='NewAttentionIcon'/>"
  "  <signal name='NewOverlayIcon'/>"
  "  <signal name='NewTitle'/>"
  "  <signal name='NewToolTip'/>"
  "  <signal name='NewStatus'><arg type='s'/></signal>"
  " </interface>"
  "</node>";

static const char menu_xml[] =
  "<node>"
  " <interface name='com.canonical.dbusmenu'>"
  "  <property name='Version' type='u' access='read'/>"
  "  <property name='TextDirection' type='s' access='read'/>"
  "  <property name='Status' type='s' access='read'/>"
  "  <property name='IconThemePath' type='as' access='read'/>"
  "  <method name='GetLayout'>"
  "   <arg type='i' name='parentId' direction='in'/>"
  "   <arg type='i' name='recursionDepth' direction='in'/>"
  "   <arg type='as' name='propertyNames' direction='in'/>"
  "   <arg type='u' name='revision' direction='out'/>"
  "   <arg type='(ia{sv}av)' name='layout' direction='out'/>"
  "  </method>"
  "  <method name='GetGroupProperties'>"
  "   <arg type='ai' name='ids' direction='in'/>"
  "   <arg type='as' name='propertyNames' direction='in'/>"
  "   <arg type='a(ia{sv})' name='properties' direction='out'/>"
  "  </method>"
  "  <method name='GetProperty'>"
  "   <arg type='i' name='id' direction='in'/>"
  "   <arg type='s' name='name' direction='in'/>"
  "   <arg type='v' name='value' direction='out'/>"
  "  </method>"
  "  <method name='Event'>"
  "   <arg type='i' name='id' direction='in'/>"
  "   <arg type='s' name='eventId' direction='in'/>"
  "   <arg type='v' name='data' direction='in'/>"
  "   <arg type='u' name='timestamp' direction='in'/>"
  "  </method>"
  "  <method name='EventGroup'>"
  "   <arg type='a(isvu)' name='events' direction='in'/>"
  "   <arg type='ai' name='idErrors' direction='out'/>"
  "  </method>"
  "  <method name='AboutToShow'>"
  "   <arg type='i' name='id' direction='in'/>"
  "   <arg type='b' name='needUpdate' direction='out'/>"
  "  </method>"
  "  <method name='AboutToShowGroup'>"
  "   <arg type='ai' name='ids' direction='in'/>"
  "   <arg type='ai' name='updatesNeeded' direction='out'/>"
  "   <arg type='ai' name='idErrors' direction='out'/>"
  "  </method>"
  "  <signal name='ItemsPropertiesUpdated'>"
  "   <arg type='a(ia{sv})' name='updatedProps'/>"
  "   <arg type='a(ias)' name='removedProps'/>"
  "  </signal>"
  "  <signal name='LayoutUpdated'>"
  "   <arg type='u' name='revision'/>"
  "   <arg type='i' name='parent'/>"
  "  </signal>"
  " </interface>"
  "</node>";

static const char *
state_label (SpSource *source)
{
  if (source == NULL)
    return _("Cannot connect");

  switch (sp_source_get_state (source))
    {
    case SP_SOURCE_STATE_CONNECTED:
      return _("Connected");
    case SP_SOURCE_STATE_CONNECTING:
      return _("Connecting…");
    case SP_SOURCE_STATE_RECONNECTING:
      return _("Reconnecting");
    case SP_SOURCE_STATE_FAILED:
      return _("Stopped");
    case SP_SOURCE_STATE_AUTH_FAILED:
      return _("Sign-in failed");
    case SP_SOURCE_STATE_DISCONNECTED:
    default:
      return _("Disabled");
    }
}

static SpSource *
account_source (SpTray    *self,
                SpAccount *account)
{
  return sp_account_list_get_source (self->accounts, sp_account_get_id (account));
}

static gboolean
account_down (SpTray    *self,
              SpAccount *account)
{
  SpSource *source = account_source (self, account);

  return sp_account_get_enabled (account) &&
         (source == NULL || sp_source_get_state (source) != SP_SOURCE_STATE_CONNECTED);
}

/* Whether the tray offers "Pause" or "Resume" for the account's agent. */
static gboolean
agent_pausable (SpTray    *self,
                SpAccount *account)
{
  SpSource *source = account_source (self, account);

  return source != NULL && sp_source_can_toggle_agent (source);
}

static gboolean
agent_paused (SpTray    *self,
              SpAccount *account)
{
  SpSource *source = account_source (self, account);

  return source != NULL && sp_source_get_agent_state (source) == SP_AGENT_STATE_PAUSED;
}

static GVariant *
item_properties (SpTray *self,
                 int     id)
{
  GVariantBuilder props;

  g_variant_builder_init (&props, G_VARIANT_TYPE ("a{sv}"));

  if (id == ITEM_ROOT)
    {
      g_variant_builder_add (&props, "{sv}", "children-display", g_variant_new_string ("submenu"));
    }
  else if (id == ITEM_SHOW)
    {
      g_variant_builder_add (&props, "{sv}", "label", g_variant_new_string (_("Show Screenpop")));
    }
  else if (id == ITEM_DND)
    {
      g_variant_builder_add (&props, "{sv}", "label", g_variant_new_string (_("Do Not Disturb")));
      g_variant_builder_add (&props, "{sv}", "toggle-type", g_variant_new_string ("checkmark"));
      g_variant_builder_add (&props, "{sv}", "toggle-state",
                             g_variant_new_int32 (self->dnd));
    }
  else if (id == ITEM_QUIT)
    {
      g_variant_builder_add (&props, "{sv}", "label", g_variant_new_string (_("Quit")));
    }
  else if (id >= ITEM_SEPARATOR_1 && id <= ITEM_SEPARATOR_3)
    {
      g_variant_builder_add (&props, "{sv}", "type", g_variant_new_string ("separator"));
    }
  else if (id >= ITEM_ACCOUNT_BASE && id < ITEM_RECENT_BASE)
    {
      g_autoptr(SpAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts),
                                                           id - ITEM_ACCOUNT_BASE);
      g_autofree char *name = account ? sp_account_dup_display_name (account) : NULL;
      g_autofree char *label = NULL;

      if (account != NULL)
        label = g_strdup_printf ("%s — %s", name, state_label (account_source (self, account)));
      g_variant_builder_add (&props, "{sv}", "label", g_variant_new_string (label ? label : ""));
      g_variant_builder_add (&props, "{sv}", "enabled", g_variant_new_boolean (FALSE));
    }
  else if (id >= ITEM_PAUSE_BASE)
    {
      gboolean resume = id >= ITEM_RESUME_BASE;
      g_autoptr(SpAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts),
                                                           id - (resume ? ITEM_RESUME_BASE : ITEM_PAUSE_BASE));
      g_autofree char *name = account ? sp_account_dup_display_name (account) : NULL;
      g_autofree char *label = NULL;

      if (account != NULL)
        label = resume
          /* Translators: a tray menu item; %s is the account's name */
          ? g_strdup_printf (_("Resume as Agent on %s"), name)
          /* Translators: a tray menu item; %s is the account's name */
          : g_strdup_printf (_("Pause as Agent on %s"), name);
      g_variant_builder_add (&props, "{sv}", "label", g_variant_new_string (label ? label : ""));
      g_variant_builder_add (&props, "{sv}", "icon-name",
                             g_variant_new_string (resume ? "media-playback-start-symbolic"
                                                          : "media-playback-pause-symbolic"));
    }
  else if (id >= ITEM_RECENT_BASE)
    {
      g_autoptr(SpCall) call = g_list_model_get_item (sp_call_tracker_get_recent (self->tracker),
                                                      id - ITEM_RECENT_BASE);
      g_autofree char *title = call ? sp_call_dup_title (call) : NULL;
      g_autofree char *label = NULL;

      if (call != NULL)
        label = sp_call_get_state (call) == SP_CALL_STATE_MISSED
          ? g_strdup_printf (_("Missed: %s"), title)
          : g_strdup (title);
      g_variant_builder_add (&props, "{sv}", "label", g_variant_new_string (label ? label : ""));
    }

  return g_variant_builder_end (&props);
}

static GVariant *
layout_node (SpTray *self,
             int     id)
{
  GVariantBuilder children;

  g_variant_builder_init (&children, G_VARIANT_TYPE ("av"));
  return g_variant_new ("(i@a{sv}@av)", id, item_properties (self, id),
                        g_variant_builder_end (&children));
}

static GVariant *
layout (SpTray *self)
{
  GVariantBuilder children;
  guint n_accounts = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));
  guint n_recent = MIN (MAX_RECENT, g_list_model_get_n_items (sp_call_tracker_get_recent (self->tracker)));

  g_variant_builder_init (&children, G_VARIANT_TYPE ("av"));
  g_variant_builder_add (&children, "v", layout_node (self, ITEM_SHOW));
  g_variant_builder_add (&children, "v", layout_node (self, ITEM_DND));
  g_variant_builder_add (&children, "v", layout_node (self, ITEM_SEPARATOR_1));
  for (guint i = 0; i < n_accounts; i++)
    {
      g_autoptr(SpAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);

      g_variant_builder_add (&children, "v", layout_node (self, ITEM_ACCOUNT_BASE + i));
      if (agent_pausable (self, account))
        g_variant_builder_add (&children, "v",
                               layout_node (self, (agent_paused (self, account) ? ITEM_RESUME_BASE
                                                                          : ITEM_PAUSE_BASE) + i));
    }
  if (n_recent > 0)
    {
      g_variant_builder_add (&children, "v", layout_node (self, ITEM_SEPARATOR_2));
      for (guint i = 0; i < n_recent; i++)
        g_variant_builder_add (&children, "v", layout_node (self, ITEM_RECENT_BASE + i));
    }
  g_variant_builder_add (&children, "v", layout_node (self, ITEM_SEPARATOR_3));
  g_variant_builder_add (&children, "v", layout_node (self, ITEM_QUIT));

  return g_variant_new ("(i@a{sv}@av)", ITEM_ROOT, item_properties (self, ITEM_ROOT),
                        g_variant_builder_end (&children));
}

static void
emit_item_signal (SpTray     *self,
                  const char *name,
                  GVariant   *params)
{
  if (self->item_id == 0)
    {
      if (params != NULL)
        g_variant_unref (g_variant_ref_sink (params));
      return;
    }

  g_dbus_connection_emit_signal (self->connection, NULL, SP_TRAY_ITEM_PATH,
                                 "org.kde.StatusNotifierItem", name, params, NULL);
}

/* The missed calls rung since the user last looked at the window. */
static guint
unseen_missed (SpTray *self)
{
  return sp_call_tracker_count_missed_since (self->tracker, self->missed_seen);
}

static char *
dup_tooltip (SpTray *self,
             guint   n_missed)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint n_accounts = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));
  guint n_live = g_list_model_get_n_items (G_LIST_MODEL (self->tracker));

  /* Who is calling comes first: the reason the item asks for attention. */
  for (guint i = 0; i < n_live; i++)
    {
      g_autoptr(SpCall) call = g_list_model_get_item (G_LIST_MODEL (self->tracker), i);
      g_autofree char *title = NULL;

      if (sp_call_get_state (call) != SP_CALL_STATE_RINGING)
        continue;
      title = sp_call_dup_title (call);
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append_printf (text, _("Ringing: %s"), title);
    }

  if (n_missed > 0 && text->len > 0)
    g_string_append_c (text, '\n');
  if (n_missed > 0)
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u missed call", "%u missed calls", n_missed),
                            n_missed);

  for (guint i = 0; i < n_accounts; i++)
    {
      g_autoptr(SpAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);

      if (account_down (self, account))
        {
          g_autofree char *name = sp_account_dup_display_name (account);
          SpSource *source = account_source (self, account);
          const char *error = source ? sp_source_get_error_message (source) : NULL;

          if (text->len > 0)
            g_string_append_c (text, '\n');
          g_string_append_printf (text, "%s: %s", name, error ? error : state_label (source));
        }
    }

  if (text->len == 0)
    g_string_append (text, n_accounts > 0 ? _("All accounts connected") : _("No accounts"));

  /* Hosts read the tooltip's body as markup: a caller's name is text. */
  return g_markup_escape_text (text->str, -1);
}

/* Works out icon, status and tooltip from the accounts and calls, and tells the host. */
static void
update_item (SpTray *self)
{
  const char *icon_name = APP_ID APP_ID_SUFFIX;
  const char *status = "Active";
  guint n_missed = unseen_missed (self);
  g_autofree char *tooltip = dup_tooltip (self, n_missed);
  guint n_accounts = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));
  guint n_live = g_list_model_get_n_items (G_LIST_MODEL (self->tracker));
  const char *overlay_icon_name = n_missed > 0 ? MISSED_OVERLAY_ICON_NAME : "";
  gboolean icon_changed;
  gboolean status_changed;

  if (n_missed > 0)
    icon_name = MISSED_ICON_NAME;

  for (guint i = 0; i < n_accounts; i++)
    {
      g_autoptr(SpAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);

      if (account_down (self, account))
        icon_name = "screenpop-disconnected-symbolic";
    }

  if (self->dnd)
    icon_name = "notifications-disabled-symbolic";

  for (guint i = 0; i < n_live; i++)
    {
      g_autoptr(SpCall) call = g_list_model_get_item (G_LIST_MODEL (self->tracker), i);

      if (sp_call_get_state (call) == SP_CALL_STATE_RINGING)
        status = "NeedsAttention";
    }

  icon_changed = g_strcmp0 (icon_name, self->icon_name) != 0;
  status_changed = g_strcmp0 (status, self->status) != 0;
  self->icon_name = icon_name;
  self->status = status;

  if (status_changed)
    emit_item_signal (self, "NewStatus", g_variant_new ("(s)", status));

  /* The picture a host shows changes with the icon and with the status (the attention icon
   * replaces the icon while a call rings). Some hosts (xfce4-panel) ignore NewStatus and
   * re-read the pictures only on the icon signals: send both whenever either changed. */
  if (icon_changed || status_changed)
    {
      emit_item_signal (self, "NewIcon", NULL);
      emit_item_signal (self, "NewAttentionIcon", NULL);
    }

  if (g_strcmp0 (overlay_icon_name, self->overlay_icon_name) != 0)
    {
      self->overlay_icon_name = overlay_icon_name;
      emit_item_signal (self, "NewOverlayIcon", NULL);
    }

  if (g_strcmp0 (tooltip, self->tooltip) != 0)
    {
      g_free (self->tooltip);
      self->tooltip = g_steal_pointer (&tooltip);
      emit_item_signal (self, "NewToolTip", NULL);
    }
}

static void
update_menu (SpTray *self)
{
  self->revision++;

  if (self->menu_id != 0)
    g_dbus_connection_emit_signal (self->connection, NULL, SP_TRAY_MENU_PATH,
                                   "com.canonical.dbusmenu", "LayoutUpdated",
                                   g_variant_new ("(ui)", self->revision, ITEM_ROOT), NULL);
}

static void watch_account_sources (SpTray *self);

static gboolean
update_cb (gpointer user_data)
{
  SpTray *self = user_data;

  self->update_id = 0;
  self->updated_at = g_get_monotonic_time ();
  /* An account may have a new source since last time. */
  watch_account_sources (self);
  update_item (self);
  update_menu (self);

  return G_SOURCE_REMOVE;
}

/* Every call change used to rebuild the tooltip and signal the host at once: a quarter of
 * a call event's cost (issue 16). Changes are gathered and sent once, after the main loop
 * has dispatched what is ready now, before it redraws; and while calls keep coming, at
 * most every UPDATE_INTERVAL_US, because at a few hundred calls a second each one has a
 * main-loop iteration of its own and the update would again cost more than the call. The
 * notification is what tells of a call at once; the tray follows within a tenth of a
 * second. */
static void
changed_cb (SpTray *self)
{
  gint64 wait;

  if (self->update_id != 0)
    return;

  wait = self->updated_at + UPDATE_INTERVAL_US - g_get_monotonic_time ();
  if (self->updated_at == 0 || wait <= 0)
    self->update_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, update_cb, self, NULL);
  else
    self->update_id = g_timeout_add_full (G_PRIORITY_HIGH_IDLE, MAX (1, wait / 1000), update_cb,
                                          self, NULL);
  g_source_set_name_by_id (self->update_id, "[screenpop] tray update");
}

/* Read here, not on every update: GSettings reads were the most of an update's cost. */
static void
settings_changed_cb (SpTray *self)
{
  self->dnd = g_settings_get_boolean (self->settings, "do-not-disturb");
  self->missed_seen = g_settings_get_int64 (self->settings, "missed-seen");
  changed_cb (self);
}

static void
watch_account_sources (SpTray *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);
      SpSource *source = account_source (self, account);

      /* Connected once per source: the data marks sources already watched. */
      if (source != NULL && g_object_get_data (G_OBJECT (source), "sp-tray-watched") != self)
        {
          g_object_set_data (G_OBJECT (source), "sp-tray-watched", self);
          g_signal_connect_object (source, "notify::state", G_CALLBACK (changed_cb), self,
                                   G_CONNECT_SWAPPED);
          g_signal_connect_object (source, "notify::agent-state", G_CALLBACK (changed_cb), self,
                                   G_CONNECT_SWAPPED);
        }
    }
}

static void
activate_action (SpTray     *self,
                 const char *name,
                 GVariant   *param)
{
  g_autoptr(GVariant) sunk = param ? g_variant_ref_sink (param) : NULL;

  if (g_action_group_has_action (self->actions, name))
    g_action_group_activate_action (self->actions, name, sunk);
}

static void
menu_clicked (SpTray *self,
              int     id)
{
  if (id == ITEM_SHOW)
    {
      activate_action (self, "show-window", NULL);
    }
  else if (id == ITEM_DND)
    {
      g_settings_set_boolean (self->settings, "do-not-disturb",
                              !g_settings_get_boolean (self->settings, "do-not-disturb"));
    }
  else if (id == ITEM_QUIT)
    {
      activate_action (self, "quit", NULL);
    }
  else if (id >= ITEM_PAUSE_BASE)
    {
      gboolean resume = id >= ITEM_RESUME_BASE;
      g_autoptr(SpAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts),
                                                           id - (resume ? ITEM_RESUME_BASE : ITEM_PAUSE_BASE));

      if (account != NULL)
        activate_action (self, resume ? "resume-agent" : "pause-agent",
                         g_variant_new_string (sp_account_get_id (account)));
    }
  else if (id >= ITEM_RECENT_BASE)
    {
      g_autoptr(SpCall) call = g_list_model_get_item (sp_call_tracker_get_recent (self->tracker),
                                                      id - ITEM_RECENT_BASE);
      g_autoptr(GError) error = NULL;

      if (call != NULL && !sp_screenpop_open_call (self->screenpop, call, &error))
        g_message ("Not opening the CRM page of %s: %s", sp_call_get_call_id (call), error->message);
    }
}

static GVariant *
item_get_property (GDBusConnection  *connection,
                   const char       *sender,
                   const char       *object_path,
                   const char       *interface_name,
                   const char       *property_name,
                   GError          **error,
                   gpointer          user_data)
{
  SpTray *self = user_data;

  if (g_str_equal (property_name, "Category"))
    return g_variant_new_string ("Communications");
  if (g_str_equal (property_name, "Id"))
    return g_variant_new_string (APP_ID APP_ID_SUFFIX);
  if (g_str_equal (property_name, "Title"))
    return g_variant_new_string (_("Screenpop"));
  if (g_str_equal (property_name, "Status"))
    return g_variant_new_string (self->status);
  if (g_str_equal (property_name, "IconName"))
    return g_variant_new_string (self->icon_name);
  if (g_str_equal (property_name, "AttentionIconName"))
    return g_variant_new_string (ATTENTION_ICON_NAME);
  if (g_str_equal (property_name, "OverlayIconName"))
    return g_variant_new_string (self->overlay_icon_name);
  /* Where the state icons are installed: a host finds them there even when the prefix is
   * not one of its icon theme's folders. */
  if (g_str_equal (property_name, "IconThemePath"))
    return g_variant_new_string (ICONDIR);
  if (g_str_equal (property_name, "ToolTip"))
    return g_variant_new ("(s@a(iiay)ss)",
                          g_str_equal (self->status, "NeedsAttention") ? ATTENTION_ICON_NAME
                                                                       : self->icon_name,
                          g_variant_new_array (G_VARIANT_TYPE ("(iiay)"), NULL, 0),
                          _("Screenpop"), self->tooltip);
  if (g_str_equal (property_name, "ItemIsMenu"))
    return g_variant_new_boolean (FALSE);
  if (g_str_equal (property_name, "Menu"))
    return g_variant_new_object_path (SP_TRAY_MENU_PATH);

  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "No property %s", property_name);
  return NULL;
}

static void
item_method_call (GDBusConnection       *connection,
                  const char            *sender,
                  const char            *object_path,
                  const char            *interface_name,
                  const char            *method_name,
                  GVariant              *parameters,
                  GDBusMethodInvocation *invocation,
                  gpointer               user_data)
{
  SpTray *self = user_data;

  /* A left click shows the window; everything else is in the menu. */
  if (g_str_equal (method_name, "Activate"))
    activate_action (self, "show-window", NULL);

  g_dbus_method_invocation_return_value (invocation, NULL);
}

static GVariant *
menu_get_property (GDBusConnection  *connection,
                   const char       *sender,
                   const char       *object_path,
                   const char       *interface_name,
                   const char       *property_name,
                   GError          **error,
                   gpointer          user_data)
{
  if (g_str_equal (property_name, "Version"))
    return g_variant_new_uint32 (3);
  if (g_str_equal (property_name, "TextDirection"))
    return g_variant_new_string ("ltr");
  if (g_str_equal (property_name, "Status"))
    return g_variant_new_string ("normal");
  if (g_str_equal (property_name, "IconThemePath"))
    {
      const char *dirs[] = { ICONDIR };

      return g_variant_new_strv (dirs, G_N_ELEMENTS (dirs));
    }

  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "No property %s", property_name);
  return NULL;
}

static void
menu_method_call (GDBusConnection       *connection,
                  const char            *sender,
                  const char            *object_path,
                  const char            *interface_name,
                  const char            *method_name,
                  GVariant              *parameters,
                  GDBusMethodInvocation *invocation,
                  gpointer               user_data)
{
  SpTray *self = user_data;

  if (g_str_equal (method_name, "GetLayout"))
    {
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(u@(ia{sv}av))", self->revision, layout (self)));
    }
  else if (g_str_equal (method_name, "GetGroupProperties"))
    {
      g_autoptr(GVariantIter) ids = NULL;
      GVariantBuilder result;
      int id;

      g_variant_get (parameters, "(aias)", &ids, NULL);
      g_variant_builder_init (&result, G_VARIANT_TYPE ("a(ia{sv})"));
      while (g_variant_iter_next (ids, "i", &id))
        g_variant_builder_add (&result, "(i@a{sv})", id, item_properties (self, id));
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(a(ia{sv}))", &result));
    }
  else if (g_str_equal (method_name, "GetProperty"))
    {
      g_autoptr(GVariant) props = NULL;
      g_autoptr(GVariant) value = NULL;
      const char *name;
      int id;

      g_variant_get (parameters, "(i&s)", &id, &name);
      props = item_properties (self, id);
      value = g_variant_lookup_value (props, name, NULL);
      if (value == NULL)
        g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                               "No property %s on item %d", name, id);
      else
        g_dbus_method_invocation_return_value (invocation, g_variant_new ("(v)", value));
    }
  else if (g_str_equal (method_name, "Event"))
    {
      const char *event_id;
      int id;

      g_variant_get (parameters, "(i&svu)", &id, &event_id, NULL, NULL);
      g_dbus_method_invocation_return_value (invocation, NULL);
      if (g_str_equal (event_id, "clicked"))
        menu_clicked (self, id);
    }
  else if (g_str_equal (method_name, "EventGroup"))
    {
      g_autoptr(GVariantIter) events = NULL;
      const char *event_id;
      int id;

      g_variant_get (parameters, "(a(isvu))", &events);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(@ai)", g_variant_new_array (G_VARIANT_TYPE_INT32, NULL, 0)));
      while (g_variant_iter_next (events, "(i&svu)", &id, &event_id, NULL, NULL))
        {
          if (g_str_equal (event_id, "clicked"))
            menu_clicked (self, id);
        }
    }
  else if (g_str_equal (method_name, "AboutToShow"))
    {
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(b)", FALSE));
    }
  else if (g_str_equal (method_name, "AboutToShowGroup"))
    {
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(@ai@ai)",
                                                            g_variant_new_array (G_VARIANT_TYPE_INT32, NULL, 0),
                                                            g_variant_new_array (G_VARIANT_TYPE_INT32, NULL, 0)));
    }
  else
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                             "No method %s", method_name);
    }
}

static const GDBusInterfaceVTable item_vtable = { item_method_call, item_get_property, NULL, { 0 } };
static const GDBusInterfaceVTable menu_vtable = { menu_method_call, menu_get_property, NULL, { 0 } };

static void
register_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(SpTray) self = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (reply == NULL)
    {
      g_message ("The tray did not take our icon: %s", error->message);
      return;
    }

  g_debug ("Registered with the StatusNotifierWatcher");
  self->registered = TRUE;
}

static void
watcher_appeared_cb (GDBusConnection *connection,
                     const char      *name,
                     const char      *owner,
                     gpointer         user_data)
{
  SpTray *self = user_data;

  /* By object path: the watcher takes our unique name from the message. */
  g_dbus_connection_call (connection, WATCHER_NAME, WATCHER_PATH, WATCHER_IFACE,
                          "RegisterStatusNotifierItem", g_variant_new ("(s)", SP_TRAY_ITEM_PATH),
                          NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, register_cb, g_object_ref (self));
}

static void
watcher_vanished_cb (GDBusConnection *connection,
                     const char      *name,
                     gpointer         user_data)
{
  SpTray *self = user_data;

  self->registered = FALSE;
}

static void
sp_tray_dispose (GObject *object)
{
  SpTray *self = (SpTray *)object;

  g_clear_handle_id (&self->watch_id, g_bus_unwatch_name);
  g_clear_handle_id (&self->update_id, g_source_remove);
  if (self->item_id != 0)
    g_dbus_connection_unregister_object (self->connection, self->item_id);
  if (self->menu_id != 0)
    g_dbus_connection_unregister_object (self->connection, self->menu_id);
  self->item_id = self->menu_id = 0;

  g_clear_object (&self->connection);
  g_clear_object (&self->actions);
  g_clear_object (&self->accounts);
  g_clear_object (&self->tracker);
  g_clear_object (&self->screenpop);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (sp_tray_parent_class)->dispose (object);
}

static void
sp_tray_finalize (GObject *object)
{
  SpTray *self = (SpTray *)object;

  g_free (self->tooltip);

  G_OBJECT_CLASS (sp_tray_parent_class)->finalize (object);
}

static void
sp_tray_class_init (SpTrayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_tray_dispose;
  object_class->finalize = sp_tray_finalize;
}

static void
sp_tray_init (SpTray *self)
{
  self->icon_name = APP_ID APP_ID_SUFFIX;
  self->status = "Active";
  self->overlay_icon_name = "";
  self->revision = 1;
}

/**
 * sp_tray_new:
 * @connection: the session bus
 * @actions: where "show-window" and "quit" are (the application)
 * @accounts: for their states
 * @tracker: for ringing and recent calls
 * @screenpop: to open a recent call's CRM page
 * @settings: the app's settings (do-not-disturb)
 *
 * Exports the tray item and its menu, and registers them whenever a watcher is there.
 *
 * Returns: (transfer full): the tray
 */
SpTray *
sp_tray_new (GDBusConnection *connection,
             GActionGroup    *actions,
             SpAccountList      *accounts,
             SpCallTracker   *tracker,
             SpScreenpop     *screenpop,
             GSettings       *settings)
{
  g_autoptr(GDBusNodeInfo) item_info = NULL;
  g_autoptr(GDBusNodeInfo) menu_info = NULL;
  g_autoptr(GError) error = NULL;
  SpTray *self;

  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);

  self = g_object_new (SP_TYPE_TRAY, NULL);
  self->connection = g_object_ref (connection);
  self->actions = g_object_ref (actions);
  self->accounts = g_object_ref (accounts);
  self->tracker = g_object_ref (tracker);
  self->screenpop = g_object_ref (screenpop);
  self->settings = g_object_ref (settings);

  item_info = g_dbus_node_info_new_for_xml (item_xml, NULL);
  menu_info = g_dbus_node_info_new_for_xml (menu_xml, NULL);

  self->item_id = g_dbus_connection_register_object (connection, SP_TRAY_ITEM_PATH,
                                                     item_info->interfaces[0], &item_vtable,
                                                     self, NULL, &error);
  if (self->item_id != 0)
    self->menu_id = g_dbus_connection_register_object (connection, SP_TRAY_MENU_PATH,
                                                       menu_info->interfaces[0], &menu_vtable,
                                                       self, NULL, &error);
  if (error != NULL)
    {
      g_message ("No tray icon: %s", error->message);
      return self;
    }

  g_signal_connect_object (accounts, "items-changed", G_CALLBACK (changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (accounts, "source-changed", G_CALLBACK (changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (tracker, "items-changed", G_CALLBACK (changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (tracker, "call-changed", G_CALLBACK (changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (settings, "changed::do-not-disturb",
                           G_CALLBACK (settings_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (settings, "changed::missed-seen",
                           G_CALLBACK (settings_changed_cb), self, G_CONNECT_SWAPPED);
  /* Read once the handlers are there: GSettings tells only of changes to keys read. */
  self->dnd = g_settings_get_boolean (settings, "do-not-disturb");
  self->missed_seen = g_settings_get_int64 (settings, "missed-seen");
  g_signal_connect_object (sp_call_tracker_get_recent (tracker), "items-changed",
                           G_CALLBACK (changed_cb), self, G_CONNECT_SWAPPED);
  watch_account_sources (self);
  update_item (self);

  self->watch_id = g_bus_watch_name_on_connection (connection, WATCHER_NAME,
                                                   G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                   watcher_appeared_cb, watcher_vanished_cb,
                                                   self, NULL);

  return self;
}

gboolean
sp_tray_is_registered (SpTray *self)
{
  g_return_val_if_fail (SP_IS_TRAY (self), FALSE);
  return self->registered;
}
