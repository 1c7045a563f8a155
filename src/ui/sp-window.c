/* sp-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-enums.h"
#include "sp-source-kind.h"
#include "sp-window.h"

/*
 * The main window: every account with its live state (and why it is not connected, in
 * words), the calls ringing or in progress now, and the calls of this run. Every action a
 * notification button offers is here too, for notification servers that draw no buttons.
 */

struct _SpWindow
{
  AdwApplicationWindow  parent_instance;

  SpEngine             *engine;

  AdwToastOverlay      *toast_overlay;
  GtkStack             *stack;
  AdwStatusPage        *welcome_page;
  GtkToggleButton      *dnd_button;
  AdwPreferencesGroup  *dnd_group;
  GtkSwitch            *dnd_switch;
  GtkListBox           *accounts_list;
  GtkListBox           *active_list;
  GtkListBox           *recent_list;
  AdwPreferencesGroup  *recent_group;
  AdwPreferencesGroup  *webservice_group;
  GtkListBox           *webservice_list;

  guint                 tick_id;

  /* Missed calls that rang after this are marked as new. It is the missed-seen setting as
   * it was when the window was last activated: while the user looks, the marks stay, so
   * that they see which calls are new; they go when the window is left. */
  gint64                marks_since;
};

G_DEFINE_FINAL_TYPE (SpWindow, sp_window, ADW_TYPE_APPLICATION_WINDOW)

static GtkWidget *
placeholder (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_set_margin_top (label, 18);
  gtk_widget_set_margin_bottom (label, 18);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);

  return label;
}

static void
show_toast (SpWindow   *self,
            const char *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

/* Accounts */

static char *
dup_account_status (SpAccount *account,
                    SpSource  *source)
{
  char *status;

  if (source == NULL)
    return g_strdup_printf (_("Unknown account kind; this version of Screenpop cannot connect it"));

  /* Why the link is down and when it tries again, or connected. */
  status = sp_source_dup_status (source);
  if (status != NULL)
    return status;

  return g_strdup (sp_account_get_enabled (account) ? _("Not connected") : _("Disabled"));
}

static const char *
account_icon (SpSource *source)
{
  if (source == NULL)
    return "screenpop-disconnected-symbolic";

  switch (sp_source_get_state (source))
    {
    case SP_SOURCE_STATE_CONNECTED:
      return "screenpop-connected-symbolic";
    case SP_SOURCE_STATE_CONNECTING:
    case SP_SOURCE_STATE_RECONNECTING:
    case SP_SOURCE_STATE_FAILED:
    case SP_SOURCE_STATE_AUTH_FAILED:
    case SP_SOURCE_STATE_DISCONNECTED:
    default:
      return "screenpop-disconnected-symbolic";
    }
}

/* The source of the row's account, from the account list that holds both. */
static SpSource *
row_source (GtkWidget *row)
{
  SpAccountList *accounts = g_object_get_data (G_OBJECT (row), "accounts");
  SpAccount *account = g_object_get_data (G_OBJECT (row), "account");

  return sp_account_list_get_source (accounts, sp_account_get_id (account));
}

static void update_account_row (GtkWidget *row);

static gboolean
countdown_cb (gpointer data)
{
  update_account_row (data);

  return G_SOURCE_CONTINUE;
}

static void
remove_countdown (gpointer data)
{
  g_source_remove (GPOINTER_TO_UINT (data));
}

static void
update_account_row (GtkWidget *row)
{
  SpAccount *account = g_object_get_data (G_OBJECT (row), "account");
  SpSource *source = row_source (row);
  GtkWidget *icon = g_object_get_data (G_OBJECT (row), "icon");
  GtkWidget *retry = g_object_get_data (G_OBJECT (row), "retry");
  GtkWidget *agent = g_object_get_data (G_OBJECT (row), "agent");
  g_autofree char *status = dup_account_status (account, source);
  const char *detail = source ? sp_source_get_detail (source) : NULL;
  SpAgentState agent_state = source ? sp_source_get_agent_state (source) : SP_AGENT_STATE_NONE;
  g_autofree char *subtitle = NULL;
  g_autofree char *name = sp_account_dup_display_name (account);
  g_autofree char *kind = sp_account_dup_kind (account);
  g_autofree char *title = g_strdup_printf ("%s  ·  %s", name, sp_source_kind_label_for_id (kind));
  SpSourceState state = source ? sp_source_get_state (source) : SP_SOURCE_STATE_FAILED;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  /* The source's detail (for redmine, the channels it listens to; for XiVO the agent's state
   * with its reason) goes under the state; else the agent's state, where there is one. */
  if (detail == NULL && agent_state == SP_AGENT_STATE_PAUSED)
    detail = _("Agent: Paused");
  else if (detail == NULL && agent_state == SP_AGENT_STATE_LOGGED_OUT)
    detail = _("Agent: Logged out");
  else if (detail == NULL && agent_state == SP_AGENT_STATE_READY)
    detail = _("Agent: Ready");
  subtitle = detail != NULL ? g_strconcat (status, "\n", detail, NULL) : g_strdup (status);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_image_set_from_icon_name (GTK_IMAGE (icon), account_icon (source));
  gtk_widget_set_visible (retry, source != NULL && sp_account_get_enabled (account) &&
                          (state == SP_SOURCE_STATE_RECONNECTING ||
                           state == SP_SOURCE_STATE_FAILED ||
                           state == SP_SOURCE_STATE_AUTH_FAILED));

  /* Pause or resume the agent, as in the tray. */
  gtk_widget_set_visible (agent, source != NULL && sp_source_can_toggle_agent (source));
  gtk_button_set_icon_name (GTK_BUTTON (agent), agent_state == SP_AGENT_STATE_PAUSED
                                                ? "media-playback-start-symbolic"
                                                : "media-playback-pause-symbolic");
  gtk_widget_set_tooltip_text (agent, agent_state == SP_AGENT_STATE_PAUSED
                                      ? _("Resume as Agent") : _("Pause as Agent"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (agent), agent_state == SP_AGENT_STATE_PAUSED
                                                          ? "app.resume-agent" : "app.pause-agent");

  if (state == SP_SOURCE_STATE_CONNECTED)
    gtk_widget_remove_css_class (icon, "error");
  else
    gtk_widget_add_css_class (icon, "error");

  /* "retrying in N s" counts down while the row waits for the next attempt. */
  if (state != SP_SOURCE_STATE_RECONNECTING)
    g_object_set_data (G_OBJECT (row), "countdown", NULL);
  else if (g_object_get_data (G_OBJECT (row), "countdown") == NULL)
    g_object_set_data_full (G_OBJECT (row), "countdown",
                            GUINT_TO_POINTER (g_timeout_add_seconds (1, countdown_cb, row)),
                            remove_countdown);
}

static void
watch_source (GtkWidget *row)
{
  SpSource *source = row_source (row);

  if (source != NULL)
    {
      g_signal_connect_object (source, "notify::state", G_CALLBACK (update_account_row), row,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (source, "notify::error-message", G_CALLBACK (update_account_row),
                               row, G_CONNECT_SWAPPED);
      g_signal_connect_object (source, "notify::retry-time", G_CALLBACK (update_account_row),
                               row, G_CONNECT_SWAPPED);
      g_signal_connect_object (source, "notify::detail", G_CALLBACK (update_account_row),
                               row, G_CONNECT_SWAPPED);
      g_signal_connect_object (source, "notify::agent-state", G_CALLBACK (update_account_row),
                               row, G_CONNECT_SWAPPED);
    }

  update_account_row (row);
}

static void
source_changed_cb (GtkWidget  *row,
                   SpAccount  *account,
                   SpAccountList *accounts)
{
  if (account == g_object_get_data (G_OBJECT (row), "account"))
    watch_source (row);
}

static void
retry_clicked_cb (GtkWidget *row)
{
  SpSource *source = row_source (row);

  if (source != NULL)
    sp_source_retry_now (source);
}

static void
remove_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    SpWindow         *self)
{
  const char *id = g_object_get_data (G_OBJECT (dialog), "account-id");

  if (g_strcmp0 (response, "remove") == 0)
    sp_account_list_remove (sp_engine_get_accounts (self->engine), id);
}

static void
remove_clicked_cb (GtkWidget *row)
{
  SpAccount *account = g_object_get_data (G_OBJECT (row), "account");
  SpWindow *self = SP_WINDOW (gtk_widget_get_root (row));
  g_autofree char *name = sp_account_dup_display_name (account);
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       _("Remove Account?"), NULL));
  adw_message_dialog_format_body (dialog,
                                  _("“%s” and its settings will be removed. Calls from it will no longer pop up."),
                                  name);
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "account-id",
                          g_strdup (sp_account_get_id (account)), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
account_gone_cb (GtkWindow  *window,
                 SpAccount  *account,
                 SpAccountList *accounts)
{
  if (account == g_object_get_data (G_OBJECT (window), "account"))
    gtk_window_destroy (window);
}

/* A window that keeps the row's source closes when the account is removed, or gets
 * another source: what it shows is gone. */
static void
close_with_account (GtkWidget *row,
                    GtkWindow *window)
{
  SpAccountList *accounts = g_object_get_data (G_OBJECT (row), "accounts");
  SpAccount *account = g_object_get_data (G_OBJECT (row), "account");

  g_object_set_data_full (G_OBJECT (window), "account", g_object_ref (account), g_object_unref);
  g_signal_connect_object (accounts, "account-removed", G_CALLBACK (account_gone_cb), window,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (accounts, "source-changed", G_CALLBACK (account_gone_cb), window,
                           G_CONNECT_SWAPPED);
}

/* The kind's own window (the Basix live view, the pbxis agent panel), on the account's
 * source. As the registry says, it takes the source as its construct-only `source`
 * property; a source of another type (the account's kind changed under us) opens nothing. */
static void
kind_window_clicked_cb (GtkWidget *row)
{
  GType window_type = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (row), "window-type"));
  SpSource *source = row_source (row);
  g_autoptr(GTypeClass) klass = g_type_class_ref (window_type);
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_CLASS (klass), "source");
  GtkWindow *window;

  g_return_if_fail (pspec != NULL);
  if (source == NULL || !G_TYPE_CHECK_INSTANCE_TYPE (source, pspec->value_type))
    return;

  window = g_object_new (window_type, "source", source, NULL);
  close_with_account (row, window);
  gtk_window_set_transient_for (window, GTK_WINDOW (gtk_widget_get_root (row)));
  gtk_window_present (window);
}

static GtkWidget *
create_account_row (gpointer item,
                    gpointer user_data)
{
  SpWindow *self = user_data;
  SpAccountList *accounts = sp_engine_get_accounts (self->engine);
  SpAccount *account = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new ();
  GtkWidget *retry = gtk_button_new_from_icon_name ("view-refresh-symbolic");
  GtkWidget *agent = gtk_button_new_from_icon_name ("media-playback-pause-symbolic");
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  GtkWidget *toggle = gtk_switch_new ();
  g_autofree char *kind_id = sp_account_dup_kind (account);
  const SpSourceKind *kind = sp_source_kind_lookup (kind_id);

  g_object_set_data_full (G_OBJECT (row), "account", g_object_ref (account), g_object_unref);
  g_object_set_data_full (G_OBJECT (row), "accounts", g_object_ref (accounts), g_object_unref);
  g_object_set_data (G_OBJECT (row), "icon", icon);
  g_object_set_data (G_OBJECT (row), "retry", retry);
  g_object_set_data (G_OBJECT (row), "agent", agent);

  /* Error messages and channel names are plain text, never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

  if (kind != NULL && sp_source_kind_get_window_type (kind) != G_TYPE_NONE)
    {
      GtkWidget *open = gtk_button_new_from_icon_name (kind->window_icon);

      g_object_set_data (G_OBJECT (row), "window-type",
                         GSIZE_TO_POINTER (sp_source_kind_get_window_type (kind)));
      gtk_widget_set_valign (open, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (open, sp_source_kind_get_window_tooltip (kind));
      gtk_widget_add_css_class (open, "flat");
      g_signal_connect_swapped (open, "clicked", G_CALLBACK (kind_window_clicked_cb), row);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), open);
    }

  gtk_widget_set_valign (agent, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (agent, "flat");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (agent), "s", sp_account_get_id (account));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), agent);

  gtk_widget_set_valign (retry, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (retry, _("Connect Now"));
  gtk_widget_add_css_class (retry, "flat");
  g_signal_connect_swapped (retry, "clicked", G_CALLBACK (retry_clicked_cb), row);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), retry);

  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (remove, _("Remove Account"));
  gtk_widget_add_css_class (remove, "flat");
  g_signal_connect_swapped (remove, "clicked", G_CALLBACK (remove_clicked_cb), row);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);

  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (toggle, _("Enabled"));
  g_settings_bind (sp_account_get_settings (account), "enabled", toggle, "active",
                   G_SETTINGS_BIND_DEFAULT);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);

  g_signal_connect_object (accounts, "source-changed", G_CALLBACK (source_changed_cb), row,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (sp_account_get_settings (account), "changed",
                           G_CALLBACK (update_account_row), row, G_CONNECT_SWAPPED);
  watch_source (row);

  return row;
}

static gboolean
tick_cb (gpointer data)
{
  SpWindow *self = data;

  /* Keeps "reconnecting in N seconds" counting down. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->accounts_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (ADW_IS_ACTION_ROW (child) && g_object_get_data (G_OBJECT (child), "account"))
        update_account_row (child);
    }

  return G_SOURCE_CONTINUE;
}

/* Calls */

static const char *
call_state_label (SpCallState state)
{
  switch (state)
    {
    case SP_CALL_STATE_RINGING:
      /* Translators: the state of a call that rings at the agent now */
      return C_("call", "Ringing");
    case SP_CALL_STATE_ANSWERED:
      return _("In call");
    case SP_CALL_STATE_ENDED:
      return _("Answered");
    case SP_CALL_STATE_MISSED:
      return _("Missed");
    case SP_CALL_STATE_EXPIRED:
      /* Translators: a call whose server never said how it ended (popup-notifier) */
      return _("Rang, outcome unknown");
    default:
      return "";
    }
}

static void
update_call_row (GtkWidget *row)
{
  SpCall *call = g_object_get_data (G_OBJECT (row), "call");
  SpWindow *self = g_object_get_data (G_OBJECT (row), "window");
  SpScreenpop *screenpop = sp_engine_get_screenpop (self->engine);
  SpAccount *account = sp_account_list_lookup (sp_engine_get_accounts (self->engine),
                                           sp_call_get_account_id (call));
  GtkWidget *answer = g_object_get_data (G_OBJECT (row), "answer");
  GtkWidget *open = g_object_get_data (G_OBJECT (row), "open");
  GtkWidget *icon = g_object_get_data (G_OBJECT (row), "icon");
  GtkWidget *new_mark = g_object_get_data (G_OBJECT (row), "new");
  gboolean missed = sp_call_get_state (call) == SP_CALL_STATE_MISSED;
  const SpContact *contact = sp_call_get_contact (call);
  const char *name = sp_call_get_display_name (call);
  const char *number = sp_call_get_display_number (call);
  const SpPhoneNumber *phone = sp_call_get_phone_number (call);
  gboolean withheld = sp_call_number_is_withheld (name) ||
                      sp_call_number_is_withheld (sp_call_get_number (call)) ||
                      (phone != NULL && phone->withheld);
  gboolean named = name != NULL && number != NULL && !withheld;
  g_autofree char *title = named ? g_strdup (name) : sp_call_dup_title (call);
  g_autofree char *account_name = account ? sp_account_dup_display_name (account) : NULL;
  g_autofree char *url = sp_screenpop_dup_call_url (screenpop, call);
  g_autoptr(GDateTime) started = g_date_time_new_from_unix_local (sp_call_get_started (call) / G_USEC_PER_SEC);
  g_autofree char *time = g_date_time_format (started, "%R");
  g_autoptr(GString) subtitle = g_string_new (NULL);

  /* Who is calling, as a person reads a contact: the name as the title, and under it the
   * company a directory knows and the number ("Acme · 03-1234-5678 · Ringing · 10:02"), so
   * that neither is cut off at the end of one long title in a narrow window. Without a
   * name, or with a withheld number, the title says what there is. */
  if (contact != NULL && contact->company != NULL && *contact->company != '\0')
    g_string_append_printf (subtitle, "%s · ", contact->company);
  if (named)
    g_string_append_printf (subtitle, "%s · ", number);

  g_string_append (subtitle, call_state_label (sp_call_get_state (call)));
  g_string_append_printf (subtitle, " · %s", time);
  if (sp_call_get_queue (call))
    g_string_append_printf (subtitle, " · %s", sp_call_get_queue (call));
  if (account_name)
    g_string_append_printf (subtitle, " · %s", account_name);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  gtk_widget_set_visible (answer, sp_screenpop_can_answer (screenpop, call));
  gtk_widget_set_visible (open, url != NULL);

  /* A missed call is a fact to follow up, not an error: the icon says it, and a new one
   * (rung since the user last looked) is marked as such. */
  gtk_image_set_from_icon_name (GTK_IMAGE (icon),
                                missed ? "call-missed-symbolic"
                                : sp_call_get_direction (call) == SP_CALL_DIRECTION_OUTGOING
                                ? "call-outgoing-symbolic" : "call-incoming-symbolic");
  gtk_widget_set_visible (new_mark, missed && sp_call_get_started (call) > self->marks_since);
}

static void
answer_clicked_cb (GtkWidget *row)
{
  SpWindow *self = g_object_get_data (G_OBJECT (row), "window");
  SpCall *call = g_object_get_data (G_OBJECT (row), "call");

  sp_screenpop_answer_call (sp_engine_get_screenpop (self->engine), call);
}

static void
open_clicked_cb (GtkWidget *row)
{
  SpWindow *self = g_object_get_data (G_OBJECT (row), "window");
  SpCall *call = g_object_get_data (G_OBJECT (row), "call");
  g_autoptr(GError) error = NULL;

  if (!sp_screenpop_open_call (sp_engine_get_screenpop (self->engine), call, &error))
    show_toast (self, error->message);
}

static GtkWidget *
create_call_row (gpointer item,
                 gpointer user_data)
{
  SpWindow *self = user_data;
  SpCall *call = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *answer = gtk_button_new_with_label (_("Answer"));
  GtkWidget *open = gtk_button_new_with_label (_("Open"));
  GtkWidget *icon = gtk_image_new ();
  /* Translators: marks a missed call the user has not seen yet */
  GtkWidget *new_mark = gtk_label_new (_("New"));

  g_object_set_data_full (G_OBJECT (row), "call", g_object_ref (call), g_object_unref);
  g_object_set_data (G_OBJECT (row), "window", self);
  g_object_set_data (G_OBJECT (row), "answer", answer);
  g_object_set_data (G_OBJECT (row), "open", open);
  g_object_set_data (G_OBJECT (row), "icon", icon);
  g_object_set_data (G_OBJECT (row), "new", new_mark);

  /* Names, companies and queues come from servers and directories: text, never markup
   * ("Smith & Sons" is a name, not a broken tag). */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

  gtk_widget_set_valign (new_mark, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (new_mark, "accent");
  gtk_widget_add_css_class (new_mark, "caption-heading");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), new_mark);

  gtk_widget_set_valign (answer, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (answer, "suggested-action");
  g_signal_connect_swapped (answer, "clicked", G_CALLBACK (answer_clicked_cb), row);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), answer);

  gtk_widget_set_valign (open, GTK_ALIGN_CENTER);
  g_signal_connect_swapped (open, "clicked", G_CALLBACK (open_clicked_cb), row);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), open);

  g_signal_connect_object (call, "notify", G_CALLBACK (update_call_row), row, G_CONNECT_SWAPPED);
  update_call_row (row);

  return row;
}

/* Work to finish: calls whose third-party web service paused the agent, each with the
 * "Done" that resumes it (the same as the notification's), and what went wrong with the
 * web service last, so that a failing CRM integration does not go unnoticed. */

static void
done_clicked_cb (GtkWidget *row)
{
  SpWindow *self = g_object_get_data (G_OBJECT (row), "window");
  SpCall *call = g_object_get_data (G_OBJECT (row), "call");

  sp_webservice_done (sp_engine_get_webservice (self->engine), call);
}

static GtkWidget *
create_pending_row (gpointer item,
                    gpointer user_data)
{
  SpWindow *self = user_data;
  SpCall *call = item;
  SpAccount *account = sp_account_list_lookup (sp_engine_get_accounts (self->engine),
                                           sp_call_get_account_id (call));
  g_autofree char *title = sp_call_dup_title (call);
  g_autofree char *account_name = account ? sp_account_dup_display_name (account) : NULL;
  g_autofree char *subtitle = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *done = gtk_button_new_with_label (_("Done"));

  g_object_set_data_full (G_OBJECT (row), "call", g_object_ref (call), g_object_unref);
  g_object_set_data (G_OBJECT (row), "window", self);

  if (account_name != NULL)
    /* Translators: under a call whose work is not finished; %s is the account */
    subtitle = g_strdup_printf (_("Agent paused · %s"), account_name);
  /* A caller's name and an account's name are text, as in the call rows. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle ? subtitle : _("Agent paused"));
  adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                             gtk_image_new_from_icon_name ("media-playback-pause-symbolic"));

  gtk_widget_set_valign (done, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (done, _("The work for this call is finished: resume the agent"));
  gtk_widget_add_css_class (done, "suggested-action");
  g_signal_connect_swapped (done, "clicked", G_CALLBACK (done_clicked_cb), row);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), done);

  return row;
}

static void
update_webservice_group (SpWindow *self)
{
  SpWebservice *webservice = sp_engine_get_webservice (self->engine);
  GListModel *pending = sp_webservice_get_pending (webservice);
  const char *error = sp_webservice_get_last_error (webservice);

  adw_preferences_group_set_description (self->webservice_group, error);
  gtk_widget_set_visible (GTK_WIDGET (self->webservice_list), g_list_model_get_n_items (pending) > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->webservice_group),
                          g_list_model_get_n_items (pending) > 0 || error != NULL);
}

/* The recent calls' marks and the group's count of the missed calls not seen yet. */
static void
update_recent (SpWindow *self)
{
  SpCallTracker *tracker = sp_engine_get_tracker (self->engine);
  g_autofree char *description = NULL;
  guint missed = sp_call_tracker_count_missed_since (tracker, self->marks_since);

  if (missed > 0)
    description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new missed call",
                                                "%u new missed calls", missed),
                                   missed);
  adw_preferences_group_set_description (self->recent_group, description);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->recent_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (g_object_get_data (G_OBJECT (child), "call") != NULL)
        update_call_row (child);
    }
}

/* Looking at the window is seeing the missed calls: the setting (which the tray counts
 * from) moves to now when the window is activated, and again for every call missed while
 * it is active; the marks in the window move when it is left. */
static void
mark_missed_seen (SpWindow *self)
{
  GSettings *settings = sp_engine_get_settings (self->engine);

  if (!gtk_window_is_active (GTK_WINDOW (self)))
    return;

  if (g_settings_get_int64 (settings, "missed-seen") < g_get_real_time ())
    g_settings_set_int64 (settings, "missed-seen", g_get_real_time ());
}

/* The window was left (another one is in front, or it was closed): what was seen is no
 * longer new. */
static void
window_left (SpWindow *self)
{
  GSettings *settings = sp_engine_get_settings (self->engine);

  self->marks_since = g_settings_get_int64 (settings, "missed-seen");
  update_recent (self);
}

static void
is_active_changed_cb (SpWindow *self)
{
  if (gtk_window_is_active (GTK_WINDOW (self)))
    mark_missed_seen (self);
  else
    window_left (self);
}

static void
recent_changed_cb (SpWindow *self)
{
  mark_missed_seen (self);
  update_recent (self);
}

static void
update_welcome (SpWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (sp_engine_get_accounts (self->engine)));

  /* Without an account there is nothing to list: one page that says what to do. */
  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "main" : "welcome");
}

static void
sp_window_dispose (GObject *object)
{
  SpWindow *self = (SpWindow *)object;

  g_clear_handle_id (&self->tick_id, g_source_remove);

  gtk_widget_dispose_template (GTK_WIDGET (self), SP_TYPE_WINDOW);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (sp_window_parent_class)->dispose (object);
}

static void
sp_window_class_init (SpWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/screenpop/Screenpop/sp-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SpWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, welcome_page);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, dnd_button);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, dnd_group);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, dnd_switch);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, accounts_list);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, active_list);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, recent_list);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, recent_group);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, webservice_group);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, webservice_list);
}

static void
sp_window_init (SpWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  adw_status_page_set_icon_name (self->welcome_page, APP_ID APP_ID_SUFFIX);

  gtk_list_box_set_placeholder (self->accounts_list,
                                placeholder (_("No accounts yet. Add one to connect Screenpop to your phone system or CRM.")));
  gtk_list_box_set_placeholder (self->active_list, placeholder (_("No calls right now")));
  gtk_list_box_set_placeholder (self->recent_list, placeholder (_("No calls yet")));
  g_signal_connect (self, "notify::is-active", G_CALLBACK (is_active_changed_cb), NULL);
  /* A closed window (hidden: the app keeps running) may stay the active one for GTK. */
  g_signal_connect (self, "unmap", G_CALLBACK (window_left), NULL);
}

/**
 * sp_window_new:
 * @application: the application the window belongs to
 * @engine: the pipeline it shows: accounts, calls, the web service's work
 *
 * Returns: (transfer none): the main window, owned by @application
 */
SpWindow *
sp_window_new (GtkApplication *application,
               SpEngine       *engine)
{
  SpCallTracker *tracker;
  SpWebservice *webservice;
  GSettings *settings;
  SpWindow *self;

  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (SP_IS_ENGINE (engine), NULL);

  self = g_object_new (SP_TYPE_WINDOW, "application", application, NULL);
  self->engine = g_object_ref (engine);
  tracker = sp_engine_get_tracker (engine);

  /* The window opens as it was last left. GTK keeps the default size at the size the user
   * gave it (not the maximized one), so binding it saves the right size at every change:
   * also when the app quits with the window open, where no close-request comes. Read once,
   * so that a second window does not resize this one. */
  settings = sp_engine_get_settings (engine);
  g_settings_bind (settings, "window-width", self, "default-width",
                   G_SETTINGS_BIND_DEFAULT | G_SETTINGS_BIND_GET_NO_CHANGES);
  g_settings_bind (settings, "window-height", self, "default-height",
                   G_SETTINGS_BIND_DEFAULT | G_SETTINGS_BIND_GET_NO_CHANGES);
  g_settings_bind (settings, "window-maximized", self, "maximized",
                   G_SETTINGS_BIND_DEFAULT | G_SETTINGS_BIND_GET_NO_CHANGES);

  /* Do not disturb, in the window too: GNOME without a tray extension has no other place. */
  g_settings_bind (settings, "do-not-disturb", self->dnd_button, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "do-not-disturb", self->dnd_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "do-not-disturb", self->dnd_group, "visible",
                   G_SETTINGS_BIND_GET);
  self->marks_since = g_settings_get_int64 (settings, "missed-seen");

  if (g_strcmp0 (APP_ID_SUFFIX, "") != 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  gtk_list_box_bind_model (self->accounts_list, G_LIST_MODEL (sp_engine_get_accounts (engine)),
                           create_account_row, self, NULL);
  gtk_list_box_bind_model (self->active_list, G_LIST_MODEL (tracker),
                           create_call_row, self, NULL);
  gtk_list_box_bind_model (self->recent_list, sp_call_tracker_get_recent (tracker),
                           create_call_row, self, NULL);
  g_signal_connect_object (sp_call_tracker_get_recent (tracker),
                           "items-changed", G_CALLBACK (recent_changed_cb), self, G_CONNECT_SWAPPED);
  update_recent (self);
  g_signal_connect_object (sp_engine_get_accounts (engine), "items-changed",
                           G_CALLBACK (update_welcome), self, G_CONNECT_SWAPPED);
  update_welcome (self);

  webservice = sp_engine_get_webservice (engine);
  gtk_list_box_bind_model (self->webservice_list, sp_webservice_get_pending (webservice),
                           create_pending_row, self, NULL);
  g_signal_connect_object (sp_webservice_get_pending (webservice), "items-changed",
                           G_CALLBACK (update_webservice_group), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (webservice, "notify::last-error",
                           G_CALLBACK (update_webservice_group), self, G_CONNECT_SWAPPED);
  update_webservice_group (self);

  self->tick_id = g_timeout_add_seconds (1, tick_cb, self);

  return self;
}
