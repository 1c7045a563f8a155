/* sp-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-application"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-add-account-dialog.h"
#include "sp-application.h"
#include "sp-dial.h"
#include "sp-directories-page.h"
#include "sp-history-window.h"
#include "sp-preferences-window.h"
#include "sp-source-kind.h"
#include "sp-tray.h"
#include "sp-window.h"

/*
 * SpApplication creates the engine (the pipeline: accounts → tracker → screenpop →
 * notifier, see SpEngine) and the windows around it. A call-centre agent's Screenpop runs
 * all day: with any account enabled it stays in the background when the window closes,
 * and `--background` (what autostart runs) starts it with no window at all.
 */

struct _SpApplication
{
  AdwApplication  parent_instance;

  SpEngine       *engine;
  SpTray         *tray;

  gboolean        held;
};

G_DEFINE_FINAL_TYPE (SpApplication, sp_application, ADW_TYPE_APPLICATION)

static const GOptionEntry options[] = {
  { "background", 'b', 0, G_OPTION_ARG_NONE, NULL,
    N_("Run in the background, without a window"), NULL },
  { SP_SOURCE_KIND_DEMO, 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Add the demo account, which rings simulated calls, for this run"), NULL },
  { "quit", 'q', 0, G_OPTION_ARG_NONE, NULL,
    N_("Quit the running instance"), NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Show the version and exit"), NULL },
  { "dial", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Call NUMBER from the account that places calls"), N_("NUMBER") },
  { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, NULL, NULL, N_("[tel:NUMBER…]") },
  { NULL }
};

/* Keeps the app alive with no window: calls must keep popping up. */
static void
hold_in_background (SpApplication *self)
{
  if (self->held)
    return;

  self->held = TRUE;
  g_application_hold (G_APPLICATION (self));
}

static void
release_from_background (SpApplication *self)
{
  if (!self->held)
    return;

  self->held = FALSE;
  g_application_release (G_APPLICATION (self));
}

static void
add_demo_account (SpApplication *self)
{
  g_autoptr(SpAccount) account = NULL;

  SpAccountList *accounts = sp_engine_get_accounts (self->engine);

  if (sp_account_list_lookup (accounts, SP_SOURCE_KIND_DEMO) != NULL)
    return;

  account = sp_account_new_transient (SP_SOURCE_KIND_DEMO, SP_SOURCE_KIND_DEMO,
                                      _("Demo call centre"));
  g_settings_set_string (sp_account_get_settings (account), "url-template",
                         "https://crm.example.com/customers?phone={number}&name={name}");
  sp_account_list_add_transient (accounts, account);
}

static gboolean
window_close_request_cb (SpApplication *self,
                         GtkWindow     *window)
{
  GSettings *settings = sp_engine_get_settings (self->engine);

  if (!sp_account_list_any_enabled (sp_engine_get_accounts (self->engine)))
    {
      release_from_background (self);
      return FALSE;
    }

  hold_in_background (self);

  if (!g_settings_get_boolean (settings, "background-explained"))
    {
      sp_notifier_show (sp_engine_get_notifier (self->engine), "background", _("Screenpop is still running"),
                        _("Calls will keep popping up while the window is closed. Open Screenpop again to see your accounts and calls, or quit it from its menu."),
                        APP_ID APP_ID_SUFFIX, SP_NOTIFY_NONE, NULL, 0);
      g_settings_set_boolean (settings, "background-explained", TRUE);
    }

  return FALSE;
}

static GtkWindow *
ensure_window (SpApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    {
      window = GTK_WINDOW (sp_window_new (GTK_APPLICATION (self), self->engine));
      g_signal_connect_object (window, "close-request",
                               G_CALLBACK (window_close_request_cb), self, G_CONNECT_SWAPPED);
    }

  return window;
}

static void
sp_application_activate (GApplication *app)
{
  gtk_window_present (ensure_window (SP_APPLICATION (app)));
}

static gint
sp_application_handle_local_options (GApplication *app,
                                     GVariantDict *dict)
{
  if (g_variant_dict_contains (dict, "version"))
    {
      g_print ("screenpop %s\n", PACKAGE_VERSION);
      return 0;
    }

  return G_APPLICATION_CLASS (sp_application_parent_class)->handle_local_options (app, dict);
}

static SpSource *
find_dialing_source (SpApplication *self)
{
  SpAccountList *accounts = sp_engine_get_accounts (self->engine);
  g_autofree char *preferred = g_settings_get_string (sp_engine_get_settings (self->engine),
                                                      "dial-account");
  SpAccount *account = sp_account_list_lookup (accounts, preferred);
  SpSource *preferred_source = sp_account_list_get_source (accounts, preferred);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (accounts));

  if (account != NULL && sp_account_get_enabled (account) && preferred_source != NULL &&
      sp_source_can_perform (preferred_source, SP_SOURCE_ACTION_DIAL))
    return preferred_source;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpAccount) candidate = g_list_model_get_item (G_LIST_MODEL (accounts), i);
      SpSource *source = sp_account_list_get_source (accounts, sp_account_get_id (candidate));

      if (sp_account_get_enabled (candidate) && source != NULL &&
          sp_source_can_perform (source, SP_SOURCE_ACTION_DIAL))
        return source;
    }

  return NULL;
}

typedef struct
{
  SpApplication *self;
  char          *number;
} DialData;

static void
dial_data_free (DialData *data)
{
  g_object_unref (data->self);
  g_free (data->number);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DialData, dial_data_free)

static void
dial_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(DialData) data = user_data;
  SpApplication *self = data->self;
  g_autoptr(GError) error = NULL;

  if (!sp_source_perform_finish (SP_SOURCE (object), result, &error))
    {
      g_autofree char *summary = g_strdup_printf (_("Could not call %s"), data->number);

      g_message ("[%s] Dialling failed: %s", sp_source_get_account_id (SP_SOURCE (object)), error->message);
      sp_notifier_show (sp_engine_get_notifier (self->engine), "dial", summary, error->message,
                        "dialog-warning-symbolic", SP_NOTIFY_NONE, NULL, 0);
    }
}

/* Calls @number (a phone number, or a tel: or callto: link) from the account chosen for
 * placing calls (or the first enabled one that can); says so in a notification when none
 * can or when the call fails. */
static void
dial (SpApplication *self,
      const char    *number)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (number ? number : ""));
  g_autofree char *normalized = NULL;
  const char *shown;
  DialData *data;
  SpSource *source;

  g_return_if_fail (SP_IS_APPLICATION (self));

  if (trimmed[0] == '\0')
    return;

  /* A notification names the number as it is dialled ("+81312345678"), as the account's
   * message does, not the link it came in ("tel:+81-3-1234-5678"); what is no number is
   * named as typed. */
  normalized = sp_dial_normalize (trimmed);
  shown = normalized ? normalized : trimmed;

  source = find_dialing_source (self);
  if (source == NULL)
    {
      g_autofree char *summary = g_strdup_printf (_("Cannot call %s"), shown);

      sp_notifier_show (sp_engine_get_notifier (self->engine), "dial", summary,
                        _("No account can place calls. Add a pbxis-ws or XiVO account, or enable one."),
                        "dialog-warning-symbolic", SP_NOTIFY_NONE, NULL, 0);
      return;
    }

  g_debug ("[%s] Dialling %s", sp_source_get_account_id (source), trimmed);
  data = g_new0 (DialData, 1);
  data->self = g_object_ref (self);
  data->number = g_strdup (shown);
  sp_source_perform_async (source, SP_SOURCE_ACTION_DIAL, NULL, g_variant_new_string (trimmed),
                           NULL, dial_cb, data);
}

static gboolean
is_dial_link (const char *arg)
{
  return g_ascii_strncasecmp (arg, "tel:", 4) == 0 || g_ascii_strncasecmp (arg, "callto:", 7) == 0;
}

static gint
sp_application_command_line (GApplication            *app,
                             GApplicationCommandLine *command_line)
{
  SpApplication *self = SP_APPLICATION (app);
  GVariantDict *dict = g_application_command_line_get_options_dict (command_line);

  if (g_variant_dict_contains (dict, "quit"))
    {
      g_application_quit (app);
      return 0;
    }

  if (g_variant_dict_contains (dict, SP_SOURCE_KIND_DEMO))
    add_demo_account (self);

  /* `--dial NUMBER`, or a tel:/callto: link the browser hands us (the desktop file's
   * MimeType): call it, and stay running so the call and what follows can be seen. */
  {
    const char *number = NULL;
    g_autofree const char **remaining = NULL;
    gboolean dialled = FALSE;

    if (g_variant_dict_lookup (dict, "dial", "&s", &number))
      {
        dial (self, number);
        dialled = TRUE;
      }

    if (g_variant_dict_lookup (dict, G_OPTION_REMAINING, "^a&s", &remaining))
      {
        for (guint i = 0; remaining[i] != NULL; i++)
          {
            if (is_dial_link (remaining[i]))
              {
                dial (self, remaining[i]);
                dialled = TRUE;
              }
            else
              {
                g_application_command_line_printerr (command_line,
                                                     _("Not a tel: or callto: link: %s\n"), remaining[i]);
              }
          }
      }

    if (dialled)
      {
        if (sp_account_list_any_enabled (sp_engine_get_accounts (self->engine)))
          hold_in_background (self);
        return 0;
      }
  }

  if (g_variant_dict_contains (dict, "background"))
    {
      /* A second `--background` (autostart racing a manual start) changes nothing. */
      hold_in_background (self);
      return 0;
    }

  g_application_activate (app);

  return 0;
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
show_window_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  g_application_activate (G_APPLICATION (user_data));
}

static void
add_account_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  SpApplication *self = user_data;
  GtkWindow *window = ensure_window (self);
  GtkWindow *dialog;

  gtk_window_present (window);
  dialog = GTK_WINDOW (sp_add_account_dialog_new (sp_engine_get_accounts (self->engine)));
  gtk_window_set_transient_for (dialog, window);
  gtk_window_present (dialog);
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  SpApplication *self = user_data;
  static const char *developers[] = { "The Screenpop developers", NULL };

  adw_show_about_window (ensure_window (self),
                         "application-name", _("Screenpop"),
                         "application-icon", APP_ID APP_ID_SUFFIX,
                         "version", PACKAGE_VERSION,
                         "comments", _("See who is calling, and open their page, the moment the phone rings"),
                         "developers", developers,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  SpApplication *self = user_data;
  GtkWindow *window = ensure_window (self);
  GtkWindow *prefs;

  gtk_window_present (window);
  prefs = GTK_WINDOW (sp_preferences_window_new (sp_engine_get_settings (self->engine),
                                                 sp_engine_get_accounts (self->engine),
                                                 sp_engine_get_history (self->engine)));
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (prefs),
                              ADW_PREFERENCES_PAGE (sp_directories_page_new (
                                sp_engine_get_settings (self->engine),
                                sp_engine_get_caller_id (self->engine))));
  gtk_window_set_transient_for (prefs, window);
  gtk_window_set_modal (prefs, TRUE);
  gtk_window_present (prefs);
}

static void
history_action (GSimpleAction *action,
                GVariant      *param,
                gpointer       user_data)
{
  SpApplication *self = user_data;
  GtkWindow *window = ensure_window (self);
  GtkWindow *history;

  gtk_window_present (window);
  history = GTK_WINDOW (sp_history_window_new (self->engine));
  gtk_window_set_transient_for (history, window);
  gtk_window_present (history);
}

static void
agent_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SpApplication) self = user_data;
  SpSource *source = SP_SOURCE (object);
  g_autoptr(GError) error = NULL;

  if (!sp_source_perform_finish (source, result, &error))
    {
      SpAccount *account = sp_source_get_account (source);
      g_autofree char *name = account ? sp_account_dup_display_name (account) : NULL;
      /* Translators: %s is the account's name */
      g_autofree char *summary = g_strdup_printf (_("Could not change the agent state on %s"),
                                                  name ? name : "");

      g_message ("[%s] Pause/resume failed: %s", sp_source_get_account_id (source), error->message);
      sp_notifier_show (sp_engine_get_notifier (self->engine), "error:agent", summary, error->message,
                        "dialog-warning-symbolic", SP_NOTIFY_NONE, NULL, 0);
    }
}

/* app.pause-agent and app.resume-agent, with the account id: for the tray and the window. */
static void
agent_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  SpApplication *self = user_data;
  SpSourceAction verb = g_str_equal (g_action_get_name (G_ACTION (action)), "pause-agent")
                        ? SP_SOURCE_ACTION_PAUSE : SP_SOURCE_ACTION_UNPAUSE;
  const char *account_id = g_variant_get_string (param, NULL);
  SpSource *source = sp_account_list_get_source (sp_engine_get_accounts (self->engine), account_id);

  if (source == NULL || !sp_source_can_perform (source, verb))
    {
      g_message ("Cannot %s the agent of account %s now", sp_source_action_to_string (verb),
                 account_id);
      return;
    }

  g_debug ("[%s] Agent: %s", account_id, sp_source_action_to_string (verb));
  sp_source_perform_async (source, verb, NULL, NULL, NULL, agent_cb, g_object_ref (self));
}

/* A shortcut with nothing to act on. */
static void
bell (SpApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window != NULL)
    gtk_widget_error_bell (GTK_WIDGET (window));
}

/* app.answer and app.hang-up: the keyboard's way to the call a person means (see
 * sp_screenpop_find_call()), from any of the app's windows. */
static void
call_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  SpApplication *self = user_data;
  SpScreenpop *screenpop = sp_engine_get_screenpop (self->engine);
  gboolean answer = g_str_equal (g_action_get_name (G_ACTION (action)), "answer");
  SpCall *call = sp_screenpop_find_call (screenpop, answer ? SP_SOURCE_ACTION_ANSWER
                                                           : SP_SOURCE_ACTION_HANGUP);

  if (call == NULL)
    {
      g_debug ("No call to %s", answer ? "answer" : "hang up");
      bell (self);
      return;
    }

  if (answer)
    sp_screenpop_answer_call (screenpop, call);
  else
    sp_screenpop_hang_up_call (screenpop, call);
}

/* app.toggle-pause: pauses every agent that is ready; when none is, resumes the paused
 * ones. */
static void
toggle_pause_action (GSimpleAction *action,
                     GVariant      *param,
                     gpointer       user_data)
{
  SpApplication *self = user_data;
  SpAccountList *accounts = sp_engine_get_accounts (self->engine);
  GListModel *model = G_LIST_MODEL (accounts);
  g_autoptr(GPtrArray) ready = g_ptr_array_new ();
  g_autoptr(GPtrArray) paused = g_ptr_array_new ();
  GPtrArray *which;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(SpAccount) account = g_list_model_get_item (model, i);
      SpSource *source = sp_account_list_get_source (accounts, sp_account_get_id (account));

      if (source == NULL || !sp_source_can_perform (source, SP_SOURCE_ACTION_PAUSE))
        continue;
      if (sp_source_get_agent_state (source) == SP_AGENT_STATE_READY)
        g_ptr_array_add (ready, source);
      else if (sp_source_get_agent_state (source) == SP_AGENT_STATE_PAUSED)
        g_ptr_array_add (paused, source);
    }

  which = ready->len > 0 ? ready : paused;
  if (which->len == 0)
    {
      bell (self);
      return;
    }

  for (guint i = 0; i < which->len; i++)
    {
      SpSource *source = g_ptr_array_index (which, i);
      SpSourceAction verb = which == ready ? SP_SOURCE_ACTION_PAUSE : SP_SOURCE_ACTION_UNPAUSE;

      g_debug ("[%s] Agent: %s", sp_source_get_account_id (source), sp_source_action_to_string (verb));
      sp_source_perform_async (source, verb, NULL, NULL, NULL, agent_cb, g_object_ref (self));
    }
}

/* A click on a call notification: the window, raised. */
static void
show_call_cb (SpApplication *self,
              SpCall        *call,
              SpScreenpop   *screenpop)
{
  g_debug ("[%s] Showing call %s", sp_call_get_account_id (call), sp_call_get_call_id (call));
  gtk_window_present (ensure_window (self));
}

static const GActionEntry app_actions[] = {
  { "answer", call_action },
  { "hang-up", call_action },
  { "toggle-pause", toggle_pause_action },
  { "pause-agent", agent_action, "s" },
  { "resume-agent", agent_action, "s" },
  { "history", history_action },
  { "preferences", preferences_action },
  { "quit", quit_action },
  { "show-window", show_window_action },
  { "add-account", add_account_action },
  { "about", about_action },
};

static void
sp_application_startup (GApplication *app)
{
  SpApplication *self = SP_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *add_accels[] = { "<Control>n", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *history_accels[] = { "<Control>h", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };
  /* Control+Shift, so that no mnemonic (Alt) and no text field's own key takes them. */
  static const char *answer_accels[] = { "<Control><Shift>a", NULL };
  static const char *hang_up_accels[] = { "<Control><Shift>d", NULL };
  static const char *dnd_accels[] = { "<Control><Shift>b", NULL };
  static const char *pause_accels[] = { "<Control><Shift>p", NULL };
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GAction) dnd = NULL;
  GDBusConnection *bus;

  G_APPLICATION_CLASS (sp_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.add-account", add_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.history", history_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);

  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.answer", answer_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.hang-up", hang_up_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.do-not-disturb", dnd_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.toggle-pause", pause_accels);

  settings = g_settings_new ("io.github.screenpop.Screenpop");
  bus = g_application_get_dbus_connection (G_APPLICATION (self));
  self->engine = sp_engine_new (settings, bus);

  /* app.do-not-disturb is the setting itself: the tray, the window and the shortcut agree. */
  dnd = g_settings_create_action (settings, "do-not-disturb");
  g_action_map_add_action (G_ACTION_MAP (self), dnd);

  g_signal_connect_object (sp_engine_get_screenpop (self->engine), "show-call",
                           G_CALLBACK (show_call_cb), self, G_CONNECT_SWAPPED);

  if (bus != NULL)
    self->tray = sp_tray_new (bus, G_ACTION_GROUP (self),
                              sp_engine_get_accounts (self->engine),
                              sp_engine_get_tracker (self->engine),
                              sp_engine_get_screenpop (self->engine), settings);
}

static void
sp_application_shutdown (GApplication *app)
{
  SpApplication *self = SP_APPLICATION (app);

  /* No notification may outlive us with buttons nobody listens to. */
  if (self->engine != NULL)
    sp_engine_shutdown (self->engine);

  G_APPLICATION_CLASS (sp_application_parent_class)->shutdown (app);
}

static void
sp_application_dispose (GObject *object)
{
  SpApplication *self = (SpApplication *)object;

  g_clear_object (&self->tray);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (sp_application_parent_class)->dispose (object);
}

static void
sp_application_class_init (SpApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = sp_application_dispose;

  app_class->activate = sp_application_activate;
  app_class->startup = sp_application_startup;
  app_class->shutdown = sp_application_shutdown;
  app_class->command_line = sp_application_command_line;
  app_class->handle_local_options = sp_application_handle_local_options;
}

static void
sp_application_init (SpApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), options);
}

SpApplication *
sp_application_new (void)
{
  return g_object_new (SP_TYPE_APPLICATION,
                       "application-id", APP_ID APP_ID_SUFFIX,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", "/io/github/screenpop/Screenpop",
                       NULL);
}

/**
 * sp_application_get_engine:
 *
 * Returns: (transfer none): the pipeline the app runs; %NULL before startup
 */
SpEngine *
sp_application_get_engine (SpApplication *self)
{
  g_return_val_if_fail (SP_IS_APPLICATION (self), NULL);
  return self->engine;
}
