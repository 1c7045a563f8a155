/* sp-history-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-history-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-history-window.h"

/*
 * The call history: search (Ctrl+F), all or missed calls, one account or all, newest
 * first; per call "Open in CRM", "Call back" (when an account can dial) and "Copy number".
 */

#define MAX_SHOWN 500

struct _SpHistoryWindow
{
  AdwWindow        parent_instance;

  SpHistory       *history;
  char            *history_error;
  SpAccountList      *accounts;
  SpScreenpop     *screenpop;
  SpUrlOpener     *opener;
  GPtrArray       *account_ids;   /* index in account_dropdown - 1 → id */
  guint            n_shown;

  AdwWindowTitle  *window_title;
  GtkDropDown     *filter_dropdown;
  GtkDropDown     *account_dropdown;
  GtkSearchEntry  *search_entry;
  AdwToastOverlay *toast_overlay;
  GtkStack        *stack;
  GtkBox          *days;
  AdwStatusPage   *status_page;
};

G_DEFINE_FINAL_TYPE (SpHistoryWindow, sp_history_window, ADW_TYPE_WINDOW)

static void
toast (SpHistoryWindow *self,
       const char      *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

/* A call object standing for a history entry, so that the account's URL template and the
 * URL policy apply exactly as for a live call. */
static SpCall *
call_from_entry (SpHistoryEntry *entry)
{
  g_autoptr(SpCallEvent) event = sp_call_event_new (entry->account_id, entry->call_id,
                                                    SP_CALL_EVENT_RINGING);

  event->number = g_strdup (entry->number);
  event->name = g_strdup (entry->name);
  event->exten = g_strdup (entry->exten);
  event->queue = g_strdup (entry->queue);
  event->timestamp = entry->started;

  return sp_call_new_from_event (event);
}

static SpSource *
dialing_source (SpHistoryWindow *self,
                const char      *preferred_account)
{
  SpSource *preferred = sp_account_list_get_source (self->accounts, preferred_account);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));

  /* The call's own account if it can dial, else the first enabled one that can. */
  if (preferred != NULL && sp_source_can_perform (preferred, SP_SOURCE_ACTION_DIAL))
    return preferred;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpAccount) candidate = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);
      SpSource *source = sp_account_list_get_source (self->accounts, sp_account_get_id (candidate));

      if (sp_account_get_enabled (candidate) && source != NULL &&
          sp_source_can_perform (source, SP_SOURCE_ACTION_DIAL))
        return source;
    }

  return NULL;
}

static void
open_clicked_cb (GtkWidget *row)
{
  SpHistoryWindow *self = SP_HISTORY_WINDOW (gtk_widget_get_root (row));
  SpHistoryEntry *entry = g_object_get_data (G_OBJECT (row), "entry");
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (entry->url != NULL)
    {
      ok = sp_url_opener_open (self->opener, sp_account_list_lookup (self->accounts, entry->account_id),
                               entry->url, &error);
    }
  else
    {
      g_autoptr(SpCall) call = call_from_entry (entry);

      ok = sp_screenpop_open_call (self->screenpop, call, &error);
    }

  if (!ok)
    toast (self, error->message);
}

static void
dial_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SpHistoryWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!sp_source_perform_finish (SP_SOURCE (object), result, &error))
    toast (self, error->message);
}

static void
call_back_clicked_cb (GtkWidget *row)
{
  SpHistoryWindow *self = SP_HISTORY_WINDOW (gtk_widget_get_root (row));
  SpHistoryEntry *entry = g_object_get_data (G_OBJECT (row), "entry");
  SpSource *source = dialing_source (self, entry->account_id);

  if (source == NULL || entry->number == NULL)
    return;

  sp_source_perform_async (source, SP_SOURCE_ACTION_DIAL, NULL,
                           g_variant_new_string (entry->number), NULL, dial_cb,
                           g_object_ref (self));
  toast (self, _("Calling…"));
}

static void
copy_clicked_cb (GtkWidget *row)
{
  SpHistoryWindow *self = SP_HISTORY_WINDOW (gtk_widget_get_root (row));
  SpHistoryEntry *entry = g_object_get_data (G_OBJECT (row), "entry");

  gdk_clipboard_set_text (gtk_widget_get_clipboard (row), entry->number ? entry->number : "");
  toast (self, _("Number copied"));
}

static const char *
outcome_label (const char *outcome)
{
  if (g_strcmp0 (outcome, "answered") == 0)
    return _("Answered");
  if (g_strcmp0 (outcome, "missed") == 0)
    return _("Missed");
  /* Translators: a call whose server never said how it ended (popup-notifier) */
  return _("Rang, outcome unknown");
}

static GtkWidget *
button (const char *icon_name,
        const char *tooltip,
        GCallback   callback,
        GtkWidget  *row)
{
  GtkWidget *widget = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_valign (widget, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (widget, tooltip);
  gtk_widget_add_css_class (widget, "flat");
  g_signal_connect_swapped (widget, "clicked", callback, row);

  return widget;
}

static GtkWidget *
entry_row (SpHistoryWindow *self,
           SpHistoryEntry  *entry)
{
  GtkWidget *row = adw_action_row_new ();
  SpAccount *account = sp_account_list_lookup (self->accounts, entry->account_id);
  g_autofree char *account_name = account ? sp_account_dup_display_name (account) : g_strdup (entry->account_id);
  g_autoptr(GDateTime) started = g_date_time_new_from_unix_local (entry->started / G_USEC_PER_SEC);
  g_autofree char *when = g_date_time_format (started, "%R");
  g_autofree char *title = NULL;
  g_autoptr(GString) subtitle = g_string_new (outcome_label (entry->outcome));
  g_autofree char *url_template = account ? sp_account_dup_url_template (account) : NULL;

  gboolean withheld = sp_call_number_is_withheld (entry->number);

  /* Named as everywhere else (a withheld number is "Anonymous"). */
  {
    g_autoptr(SpCall) call = sp_history_entry_to_call (entry);

    title = sp_call_dup_title (call);
  }

  g_string_append_printf (subtitle, " · %s", when);
  if (entry->talk_seconds > 0)
    g_string_append_printf (subtitle, " · %" G_GINT64_FORMAT ":%02" G_GINT64_FORMAT,
                            entry->talk_seconds / 60, entry->talk_seconds % 60);
  if (entry->queue)
    g_string_append_printf (subtitle, " · %s", entry->queue);
  g_string_append_printf (subtitle, " · %s", account_name);

  /* Names and queues are what a server sent: plain text, never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                             gtk_image_new_from_icon_name (g_strcmp0 (entry->outcome, "missed") == 0
                                                           ? "call-missed-symbolic"
                                                           : entry->outgoing ? "call-outgoing-symbolic"
                                                                             : "call-incoming-symbolic"));
  g_object_set_data_full (G_OBJECT (row), "entry", entry, (GDestroyNotify) sp_history_entry_free);

  if (entry->number != NULL && !withheld)
    {
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 button ("edit-copy-symbolic", _("Copy Number"), G_CALLBACK (copy_clicked_cb), row));
      if (dialing_source (self, entry->account_id) != NULL)
        adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                   button ("call-start-symbolic", _("Call Back"), G_CALLBACK (call_back_clicked_cb), row));
    }
  if (entry->url != NULL || (url_template != NULL && url_template[0] != '\0'))
    adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                               button ("web-browser-symbolic", _("Open in CRM"), G_CALLBACK (open_clicked_cb), row));

  return row;
}

/* The title of the group of a day's calls: "Today", "Yesterday" or the date. */
static char *
dup_day_title (GDateTime *day,
               GDateTime *today)
{
  g_autoptr(GDateTime) yesterday = g_date_time_add_days (today, -1);

  if (g_date_time_compare (day, today) == 0)
    return g_strdup (_("Today"));
  if (g_date_time_compare (day, yesterday) == 0)
    return g_strdup (_("Yesterday"));

  /* Translators: a day in the call history, as a strftime() format: e.g. "Friday, 4 December 2026" */
  return g_date_time_format (day, _("%A, %-d %B %Y"));
}

static GDateTime *
local_day (gint64 usec)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);

  return g_date_time_new_local (g_date_time_get_year (when), g_date_time_get_month (when),
                                g_date_time_get_day_of_month (when), 0, 0, 0);
}

/* A new group for a day, with its boxed list. */
static GtkListBox *
add_day (SpHistoryWindow *self,
         const char      *title)
{
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *list = gtk_list_box_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), list);
  gtk_box_append (self->days, group);

  return GTK_LIST_BOX (list);
}

static void
refresh (SpHistoryWindow *self)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) today = local_day (g_get_real_time ());
  g_autoptr(GDateTime) current_day = NULL;
  GtkListBox *list = NULL;
  GtkWidget *child;
  guint account_index = gtk_drop_down_get_selected (self->account_dropdown);
  guint filter_index = gtk_drop_down_get_selected (self->filter_dropdown);
  const char *account_id = NULL;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  SpHistoryFilter filter = filter_index == 1 ? SP_HISTORY_FILTER_MISSED
                           : filter_index == 2 ? SP_HISTORY_FILTER_UNKNOWN
                           : SP_HISTORY_FILTER_ALL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->days))) != NULL)
    gtk_box_remove (self->days, child);
  self->n_shown = 0;

  if (self->history == NULL)
    {
      adw_status_page_set_icon_name (self->status_page, "dialog-warning-symbolic");
      adw_status_page_set_title (self->status_page, _("No Call History"));
      adw_status_page_set_description (self->status_page, self->history_error);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  if (account_index > 0 && account_index - 1 < self->account_ids->len)
    account_id = g_ptr_array_index (self->account_ids, account_index - 1);

  entries = sp_history_search (self->history, text, filter, account_id, MAX_SHOWN, &error);
  if (entries == NULL)
    {
      adw_status_page_set_icon_name (self->status_page, "dialog-warning-symbolic");
      adw_status_page_set_title (self->status_page, _("The History Cannot Be Read"));
      adw_status_page_set_description (self->status_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  /* Newest first, so a day's calls follow each other. The rows take the entries over. */
  for (guint i = 0; i < entries->len; i++)
    {
      SpHistoryEntry *entry = g_ptr_array_index (entries, i);
      g_autoptr(GDateTime) day = local_day (entry->started);

      if (list == NULL || g_date_time_compare (day, current_day) != 0)
        {
          g_autofree char *title = dup_day_title (day, today);

          list = add_day (self, title);
          g_clear_pointer (&current_day, g_date_time_unref);
          current_day = g_steal_pointer (&day);
        }
      gtk_list_box_append (list, entry_row (self, entry));
    }
  self->n_shown = entries->len;
  g_ptr_array_set_free_func (entries, NULL);

  /* Nothing matched what the user asked for, or there is nothing at all. */
  if ((text != NULL && text[0] != '\0') || filter != SP_HISTORY_FILTER_ALL || account_id != NULL)
    {
      adw_status_page_set_icon_name (self->status_page, "system-search-symbolic");
      adw_status_page_set_title (self->status_page, _("No Results Found"));
      adw_status_page_set_description (self->status_page, _("Try a different search or filter"));
    }
  else
    {
      adw_status_page_set_icon_name (self->status_page, "call-start-symbolic");
      adw_status_page_set_title (self->status_page, _("No Calls"));
      adw_status_page_set_description (self->status_page, NULL);
    }
  gtk_stack_set_visible_child_name (self->stack, entries->len > 0 ? "list" : "empty");

  {
    g_autofree char *subtitle = NULL;
    guint missed = sp_history_count_missed (self->history, g_get_real_time () - G_TIME_SPAN_DAY);

    if (missed > 0)
      subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u missed call in the last 24 hours",
                                               "%u missed calls in the last 24 hours", missed), missed);
    adw_window_title_set_subtitle (self->window_title, subtitle);
  }
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  SpHistoryWindow *self = SP_HISTORY_WINDOW (widget);

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
sp_history_window_dispose (GObject *object)
{
  SpHistoryWindow *self = (SpHistoryWindow *)object;

  g_clear_object (&self->history);
  g_clear_object (&self->accounts);
  g_clear_object (&self->screenpop);
  g_clear_object (&self->opener);
  g_clear_pointer (&self->history_error, g_free);
  g_clear_pointer (&self->account_ids, g_ptr_array_unref);

  gtk_widget_dispose_template (GTK_WIDGET (self), SP_TYPE_HISTORY_WINDOW);

  G_OBJECT_CLASS (sp_history_window_parent_class)->dispose (object);
}

static void
sp_history_window_class_init (SpHistoryWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_history_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/screenpop/Screenpop/sp-history-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SpHistoryWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, SpHistoryWindow, filter_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SpHistoryWindow, account_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SpHistoryWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, SpHistoryWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SpHistoryWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, SpHistoryWindow, days);
  gtk_widget_class_bind_template_child (widget_class, SpHistoryWindow, status_page);
  gtk_widget_class_bind_template_callback (widget_class, refresh);
  gtk_widget_class_install_action (widget_class, "history.search", NULL, search_action);
}

static void
sp_history_window_init (SpHistoryWindow *self)
{
  self->account_ids = g_ptr_array_new_with_free_func (g_free);
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * sp_history_window_new:
 * @engine: the engine: its history (or why there is none, shown instead of the calls),
 *   its accounts (names, templates, dialing), the screen-pop and the door for URLs
 *
 * Returns: (transfer full): a new history window
 */
SpHistoryWindow *
sp_history_window_new (SpEngine *engine)
{
  g_autoptr(GtkStringList) account_names = gtk_string_list_new (NULL);
  SpHistoryWindow *self;
  SpHistory *history;
  SpAccountList *accounts;
  guint n;

  g_return_val_if_fail (SP_IS_ENGINE (engine), NULL);

  history = sp_engine_get_history (engine);
  accounts = sp_engine_get_accounts (engine);

  self = g_object_new (SP_TYPE_HISTORY_WINDOW, NULL);
  self->history = history ? g_object_ref (history) : NULL;
  self->history_error = g_strdup (sp_engine_get_history_error (engine));
  self->accounts = g_object_ref (accounts);
  self->screenpop = g_object_ref (sp_engine_get_screenpop (engine));
  self->opener = g_object_ref (sp_engine_get_url_opener (engine));

  gtk_string_list_append (account_names, _("All Accounts"));
  n = g_list_model_get_n_items (G_LIST_MODEL (accounts));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpAccount) account = g_list_model_get_item (G_LIST_MODEL (accounts), i);
      g_autofree char *name = sp_account_dup_display_name (account);

      gtk_string_list_append (account_names, name);
      g_ptr_array_add (self->account_ids, g_strdup (sp_account_get_id (account)));
    }
  gtk_drop_down_set_model (self->account_dropdown, G_LIST_MODEL (account_names));

  refresh (self);

  return self;
}

void
sp_history_window_set_search (SpHistoryWindow *self,
                              const char      *text)
{
  g_return_if_fail (SP_IS_HISTORY_WINDOW (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text);
  refresh (self);
}

guint
sp_history_window_get_n_shown (SpHistoryWindow *self)
{
  g_return_val_if_fail (SP_IS_HISTORY_WINDOW (self), 0);
  return self->n_shown;
}
