/* sp-pbxis-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-pbxis-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-account.h"
#include "sp-account-page.h"
#include "sp-pbxis-texts.h"
#include "sp-pbxis-window.h"

/*
 * The status view of a pbxis account, the kind's window (the registry opens it from the
 * account's row), natively what pbxis-ws's own `/client/<tech>/<agents>/<queues>` page shows
 * (pbxis-ws `src/com/ingemark/pbxis_ws/homepage.clj`): every queue of the account with its
 * callers waiting, its figures and members (`GET /queue/status`, and QueueSummary and
 * MemberSummary when the account asks for them), and every agent of the account with its
 * state (logged off, ready, paused; ringing or on a call with whom) and its membership of
 * each queue, with buttons to log on or off and to pause or resume. A supervisor lists
 * several agents; an agent lists their own extension and sees their queues.
 *
 * A button only asks: a row changes when pbxis-ws reports the new state, so what is shown
 * is always what Asterisk says. A queue Asterisk does not have shows no membership, no
 * count and no button.
 *
 * Boxed lists of Adwaita rows, so every row and button is reached with the keyboard, and
 * every icon button has an accessible label saying which agent and queue it acts on.
 */

/* One agent's membership of one queue, inside the agent's expander row. */
typedef struct
{
  char         *agent;
  char         *queue;
  AdwActionRow *row;
  GtkLabel     *status;
  GtkButton    *pause;
  GtkButton    *log;
  guint         busy;     /* actions still running */
} MemberRow;

typedef struct
{
  char           *agent;
  AdwExpanderRow *row;
} AgentRow;

typedef struct
{
  char           *queue;
  AdwExpanderRow *row;
  AdwActionRow   *stats;    /* (nullable) */
  GtkButton      *reset;    /* (nullable) */
  GPtrArray      *members;  /* (element-type AdwActionRow) the rows of its members */
  guint           busy;
} QueueRow;

struct _SpPbxisWindow
{
  AdwWindow             parent_instance;

  SpPbxisSource        *source;
  GCancellable         *cancellable;
  GHashTable           *agent_rows;   /* agent → AgentRow */
  GHashTable           *queue_rows;   /* queue → QueueRow */
  GHashTable           *member_rows;  /* "agent\x1fqueue" → MemberRow */
  gboolean              supervisor;

  GtkInfoBar           *error_bar;
  GtkLabel             *error_label;
  AdwWindowTitle       *window_title;
  GtkButton            *refresh_button;
  GtkStack             *stack;
  AdwPreferencesGroup  *queues_group;
  AdwPreferencesGroup  *agents_group;
};

G_DEFINE_FINAL_TYPE (SpPbxisWindow, sp_pbxis_window, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_SOURCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
member_row_free (MemberRow *mr)
{
  g_free (mr->agent);
  g_free (mr->queue);
  g_free (mr);
}

static void
agent_row_free (AgentRow *ar)
{
  g_free (ar->agent);
  g_free (ar);
}

static void
queue_row_free (QueueRow *qr)
{
  g_free (qr->queue);
  g_ptr_array_unref (qr->members);
  g_free (qr);
}

static char *
member_key (const char *agent,
            const char *queue)
{
  return g_strconcat (agent, "\x1f", queue, NULL);
}

/* Rows */

static SpPbxisBoard *
get_board (SpPbxisWindow *self)
{
  return sp_pbxis_source_get_board (self->source);
}

static void
set_accessible_label (GtkWidget  *widget,
                      const char *label)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

static void
update_member_row (SpPbxisWindow *self,
                   MemberRow     *mr)
{
  static const char *classes[] = { "success", "warning", "error", "dim-label" };
  SpPbxisAgent *agent = sp_pbxis_board_lookup_agent (get_board (self), mr->agent);
  SpPbxisQueue *queue = sp_pbxis_board_lookup_queue (get_board (self), mr->queue);
  SpPbxisMemberStatus status = agent ? sp_pbxis_agent_get_membership (agent, mr->queue)
                                     : SP_PBXIS_MEMBER_UNKNOWN;
  gboolean missing = queue == NULL || queue->existence == SP_PBXIS_QUEUE_MISSING;
  gboolean member = sp_pbxis_is_member (status);
  gboolean paused = status == SP_PBXIS_MEMBER_PAUSED;
  g_autofree char *who = agent ? sp_pbxis_agent_title (agent) : g_strdup (mr->agent);
  g_autofree char *label = NULL;

  /* No membership and no action for a queue Asterisk does not have, or that pbxis-ws has
   * not reported yet. */
  if (missing)
    status = SP_PBXIS_MEMBER_UNKNOWN;

  gtk_label_set_text (mr->status, sp_pbxis_membership_text (status));
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (mr->status), classes[i]);
  gtk_widget_add_css_class (GTK_WIDGET (mr->status), sp_pbxis_membership_style (status));
  /* The queue's own row says it does not exist; once is enough. */
  gtk_widget_set_visible (GTK_WIDGET (mr->row), !(missing && queue != NULL));

  gtk_widget_set_visible (GTK_WIDGET (mr->pause), status != SP_PBXIS_MEMBER_UNKNOWN);
  gtk_widget_set_visible (GTK_WIDGET (mr->log), status != SP_PBXIS_MEMBER_UNKNOWN);

  gtk_button_set_icon_name (mr->pause, paused ? "media-playback-start-symbolic"
                                              : "media-playback-pause-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (mr->pause), paused ? _("Resume") : _("Pause"));
  /* An icon alone says nothing to a screen reader: say what and whom. */
  label = paused ? g_strdup_printf (_("Resume %s in queue %s"), who, mr->queue)
                 : g_strdup_printf (_("Pause %s in queue %s"), who, mr->queue);
  set_accessible_label (GTK_WIDGET (mr->pause), label);
  /* Pausing is for members only; one action at a time, so that a second click does not
   * undo the first before pbxis-ws has reported it. */
  gtk_widget_set_sensitive (GTK_WIDGET (mr->pause), member && mr->busy == 0);

  gtk_button_set_label (mr->log, member ? _("Log Off") : _("Log On"));
  g_free (label);
  label = member ? g_strdup_printf (_("Log %s off queue %s"), who, mr->queue)
                 : g_strdup_printf (_("Log %s on to queue %s"), who, mr->queue);
  set_accessible_label (GTK_WIDGET (mr->log), label);
  if (member)
    gtk_widget_remove_css_class (GTK_WIDGET (mr->log), "suggested-action");
  else
    gtk_widget_add_css_class (GTK_WIDGET (mr->log), "suggested-action");
  gtk_widget_set_sensitive (GTK_WIDGET (mr->log), mr->busy == 0);
}

static void
update_agent_row (SpPbxisWindow *self,
                  AgentRow      *ar)
{
  SpPbxisAgent *agent = sp_pbxis_board_lookup_agent (get_board (self), ar->agent);
  g_autofree char *title = NULL;
  g_autofree char *text = NULL;
  GHashTableIter iter;
  MemberRow *mr;

  if (agent == NULL)
    return;

  title = sp_pbxis_agent_title (agent);
  text = sp_pbxis_agent_text (agent);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (ar->row), title);
  adw_expander_row_set_subtitle (ar->row, text);

  g_hash_table_iter_init (&iter, self->member_rows);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &mr))
    {
      if (g_str_equal (mr->agent, ar->agent))
        update_member_row (self, mr);
    }
}

static void
update_queue_row (SpPbxisWindow *self,
                  QueueRow      *qr)
{
  SpPbxisQueue *queue = sp_pbxis_board_lookup_queue (get_board (self), qr->queue);
  g_autofree char *waiting = sp_pbxis_waiting_text (queue);
  gboolean has_info = queue != NULL && queue->existence != SP_PBXIS_QUEUE_MISSING &&
                      (queue->info != NULL || queue->members != NULL);
  GHashTableIter iter;
  MemberRow *mr;
  guint n_members;

  adw_expander_row_set_subtitle (qr->row, waiting);

  if (qr->stats != NULL)
    {
      g_autofree char *text = has_info && queue->info ? sp_pbxis_statistics_text (queue->info) : NULL;

      adw_action_row_set_subtitle (qr->stats, text && *text ? text : _("Not reported yet"));
      gtk_widget_set_visible (GTK_WIDGET (qr->stats), has_info);
      if (qr->reset != NULL)
        gtk_widget_set_sensitive (GTK_WIDGET (qr->reset), qr->busy == 0);
    }

  /* The members' rows, changed in place (a row being rebuilt would take the keyboard focus
   * away from whoever is on it), with rows added or removed as the number changes. */
  n_members = has_info && queue->members != NULL ? queue->members->len : 0;
  while (qr->members->len > n_members)
    {
      adw_expander_row_remove (qr->row, g_ptr_array_index (qr->members, qr->members->len - 1));
      g_ptr_array_set_size (qr->members, qr->members->len - 1);
    }
  for (guint i = 0; i < n_members; i++)
    {
      SpPbxisQueueMember *member = g_ptr_array_index (queue->members, i);
      g_autofree char *text = sp_pbxis_queue_member_text (member);
      const char *name = member->member_name ? member->member_name
                         : member->location ? member->location : member->agent;
      AdwActionRow *row;

      if (i == qr->members->len)
        {
          row = ADW_ACTION_ROW (adw_action_row_new ());
          adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
          adw_expander_row_add_row (qr->row, GTK_WIDGET (row));
          g_ptr_array_add (qr->members, row);
        }
      row = g_ptr_array_index (qr->members, i);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name ? name : "");
      adw_action_row_set_subtitle (row, text);
      adw_action_row_set_icon_name (row, member->paused ? "media-playback-pause-symbolic"
                                                        : "avatar-default-symbolic");
    }

  /* Enabling expands too: only on a change, and then folded, so that a row the person
   * opened or closed stays so. */
  if (adw_expander_row_get_enable_expansion (qr->row) != has_info)
    {
      adw_expander_row_set_enable_expansion (qr->row, has_info);
      adw_expander_row_set_expanded (qr->row, FALSE);
    }

  /* A queue's existence decides whether its memberships show. */
  g_hash_table_iter_init (&iter, self->member_rows);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &mr))
    {
      if (g_str_equal (mr->queue, qr->queue))
        update_member_row (self, mr);
    }
}

/* Actions */

/* In a bar rather than a toast: a toast cuts a long message, and Asterisk's reason is at
 * its end. It stays until closed or until an action succeeds. */
static void
show_error (SpPbxisWindow *self,
            const char    *message)
{
  gtk_label_set_text (self->error_label, message);
  gtk_info_bar_set_revealed (self->error_bar, TRUE);
}

static void
error_bar_response_cb (SpPbxisWindow *self,
                       int            response,
                       GtkInfoBar    *bar)
{
  gtk_info_bar_set_revealed (self->error_bar, FALSE);
}

typedef struct
{
  SpPbxisWindow *self;
  GCancellable  *cancellable;
  char          *agent;   /* (nullable): a queue's own action */
  char          *queue;   /* (nullable): a refresh */
} ActionData;

static void
action_data_free (ActionData *data)
{
  g_clear_object (&data->self);
  g_clear_object (&data->cancellable);
  g_free (data->agent);
  g_free (data->queue);
  g_free (data);
}

static ActionData *
action_data_new (SpPbxisWindow *self,
                 const char    *agent,
                 const char    *queue)
{
  ActionData *data = g_new0 (ActionData, 1);

  data->self = g_object_ref (self);
  data->cancellable = g_object_ref (self->cancellable);
  data->agent = g_strdup (agent);
  data->queue = g_strdup (queue);

  return data;
}

/* The end of any request: %FALSE if the window is gone. */
static gboolean
action_done (ActionData   *data,
             const GError *error)
{
  SpPbxisWindow *self = data->self;

  /* The window was closed: nothing left to show it in. */
  if (g_cancellable_is_cancelled (data->cancellable) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return FALSE;

  if (error == NULL)
    {
      gtk_info_bar_set_revealed (self->error_bar, FALSE);
    }
  else
    {
      g_message ("[%s] %s", sp_account_get_id (sp_source_get_account (SP_SOURCE (self->source))),
                 error->message);
      show_error (self, error->message);
    }

  return TRUE;
}

static void
refresh_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  ActionData *data = user_data;
  g_autoptr(GError) error = NULL;

  sp_pbxis_source_refresh_queues_finish (SP_PBXIS_SOURCE (object), result, &error);
  if (action_done (data, error))
    gtk_widget_set_sensitive (GTK_WIDGET (data->self->refresh_button), TRUE);

  action_data_free (data);
}

static void
refresh (SpPbxisWindow *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->refresh_button), FALSE);
  sp_pbxis_source_refresh_queues_async (self->source, self->cancellable, refresh_cb,
                                        action_data_new (self, NULL, NULL));
}

static void
refresh_clicked_cb (SpPbxisWindow *self,
                    GtkButton     *button)
{
  refresh (self);
}

static void
member_action_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  ActionData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = member_key (data->agent, data->queue);

  sp_pbxis_source_queue_action_finish (SP_PBXIS_SOURCE (object), result, &error);

  if (action_done (data, error))
    {
      MemberRow *mr = g_hash_table_lookup (data->self->member_rows, key);

      if (mr != NULL)
        {
          mr->busy--;
          update_member_row (data->self, mr);
        }
    }

  action_data_free (data);
}

static void
run_member_action (SpPbxisWindow  *self,
                   MemberRow      *mr,
                   SpSourceAction  action)
{
  mr->busy++;
  update_member_row (self, mr);

  sp_pbxis_source_queue_action_async (self->source, action, mr->agent, mr->queue,
                                      self->cancellable, member_action_cb,
                                      action_data_new (self, mr->agent, mr->queue));
}

static SpPbxisMemberStatus
get_membership (SpPbxisWindow *self,
                MemberRow     *mr)
{
  SpPbxisAgent *agent = sp_pbxis_board_lookup_agent (get_board (self), mr->agent);

  return agent ? sp_pbxis_agent_get_membership (agent, mr->queue) : SP_PBXIS_MEMBER_UNKNOWN;
}

static void
pause_clicked_cb (GtkButton *button,
                  MemberRow *mr)
{
  SpPbxisWindow *self = SP_PBXIS_WINDOW (gtk_widget_get_root (GTK_WIDGET (button)));

  run_member_action (self, mr, get_membership (self, mr) == SP_PBXIS_MEMBER_PAUSED
                                 ? SP_SOURCE_ACTION_QUEUE_UNPAUSE : SP_SOURCE_ACTION_QUEUE_PAUSE);
}

static void
log_clicked_cb (GtkButton *button,
                MemberRow *mr)
{
  SpPbxisWindow *self = SP_PBXIS_WINDOW (gtk_widget_get_root (GTK_WIDGET (button)));

  run_member_action (self, mr, sp_pbxis_is_member (get_membership (self, mr))
                                 ? SP_SOURCE_ACTION_QUEUE_REMOVE : SP_SOURCE_ACTION_QUEUE_ADD);
}

static void
reset_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  ActionData *data = user_data;
  g_autoptr(GError) error = NULL;
  gboolean done;

  done = sp_pbxis_source_reset_queue_finish (SP_PBXIS_SOURCE (object), result, &error);

  if (action_done (data, error))
    {
      QueueRow *qr = g_hash_table_lookup (data->self->queue_rows, data->queue);

      if (qr != NULL)
        {
          qr->busy--;
          update_queue_row (data->self, qr);
        }
      /* No event says the figures started again: ask for them. */
      if (done)
        refresh (data->self);
    }

  action_data_free (data);
}

static void
reset_clicked_cb (GtkButton *button,
                  QueueRow  *qr)
{
  SpPbxisWindow *self = SP_PBXIS_WINDOW (gtk_widget_get_root (GTK_WIDGET (button)));

  qr->busy++;
  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  sp_pbxis_source_reset_queue_async (self->source, qr->queue, self->cancellable, reset_cb,
                                     action_data_new (self, NULL, qr->queue));
}

/* Building */

static MemberRow *
add_member_row (SpPbxisWindow *self,
                AgentRow      *ar,
                const char    *queue)
{
  MemberRow *mr = g_new0 (MemberRow, 1);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *status = gtk_label_new (NULL);
  GtkWidget *pause = gtk_button_new ();
  GtkWidget *log = gtk_button_new ();

  mr->agent = g_strdup (ar->agent);
  mr->queue = g_strdup (queue);
  mr->row = ADW_ACTION_ROW (row);
  mr->status = GTK_LABEL (status);
  mr->pause = GTK_BUTTON (pause);
  mr->log = GTK_BUTTON (log);

  /* Queue names come from the account and the server: plain text, never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), queue);

  gtk_widget_add_css_class (status, "caption-heading");
  adw_action_row_add_suffix (mr->row, status);

  gtk_widget_set_valign (pause, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (pause, "flat");
  gtk_widget_add_css_class (pause, "circular");
  g_signal_connect (pause, "clicked", G_CALLBACK (pause_clicked_cb), mr);
  adw_action_row_add_suffix (mr->row, pause);

  gtk_widget_set_valign (log, GTK_ALIGN_CENTER);
  /* Both labels take the same room, so the buttons do not jump as the state changes. */
  gtk_widget_set_size_request (log, 96, -1);
  g_signal_connect (log, "clicked", G_CALLBACK (log_clicked_cb), mr);
  adw_action_row_add_suffix (mr->row, log);

  adw_expander_row_add_row (ar->row, row);
  g_hash_table_insert (self->member_rows, member_key (mr->agent, mr->queue), mr);

  update_member_row (self, mr);

  return mr;
}

static QueueRow *
add_queue_row (SpPbxisWindow *self,
               const char    *queue)
{
  QueueRow *qr = g_new0 (QueueRow, 1);
  GtkWidget *row = adw_expander_row_new ();
  GHashTableIter iter;
  AgentRow *ar;

  qr->queue = g_strdup (queue);
  qr->row = ADW_EXPANDER_ROW (row);
  qr->members = g_ptr_array_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), queue);
  adw_expander_row_set_icon_name (qr->row, "system-users-symbolic");
  adw_expander_row_set_enable_expansion (qr->row, FALSE);

  /* The figures, and for a supervisor the button that starts them again. */
  qr->stats = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (qr->stats), _("Statistics"));
  if (self->supervisor)
    {
      g_autofree char *label = g_strdup_printf (_("Reset the statistics of queue %s"), queue);

      qr->reset = GTK_BUTTON (gtk_button_new_with_label (_("Reset")));
      gtk_widget_set_valign (GTK_WIDGET (qr->reset), GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (GTK_WIDGET (qr->reset), "destructive-action");
      gtk_widget_set_tooltip_text (GTK_WIDGET (qr->reset), _("Reset Statistics"));
      set_accessible_label (GTK_WIDGET (qr->reset), label);
      g_signal_connect (qr->reset, "clicked", G_CALLBACK (reset_clicked_cb), qr);
      adw_action_row_add_suffix (qr->stats, GTK_WIDGET (qr->reset));
    }
  adw_expander_row_add_row (qr->row, GTK_WIDGET (qr->stats));

  adw_preferences_group_add (self->queues_group, row);
  gtk_widget_set_visible (GTK_WIDGET (self->queues_group), TRUE);
  gtk_stack_set_visible_child_name (self->stack, "board");
  g_hash_table_insert (self->queue_rows, qr->queue, qr);

  /* Every agent gets a row for the new queue. */
  g_hash_table_iter_init (&iter, self->agent_rows);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &ar))
    add_member_row (self, ar, queue);

  update_queue_row (self, qr);

  return qr;
}

static AgentRow *
add_agent_row (SpPbxisWindow *self,
               const char    *agent)
{
  AgentRow *ar = g_new0 (AgentRow, 1);
  GtkWidget *row = adw_expander_row_new ();
  GPtrArray *queues = sp_pbxis_board_get_queues (get_board (self));

  ar->agent = g_strdup (agent);
  ar->row = ADW_EXPANDER_ROW (row);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_expander_row_set_icon_name (ar->row, "avatar-default-symbolic");
  /* The account's own agent (its first extension) open: their memberships are what an
   * agent comes for; a supervisor's other agents say their state folded. */
  adw_expander_row_set_expanded (ar->row, g_hash_table_size (self->agent_rows) == 0);

  adw_preferences_group_add (self->agents_group, row);
  gtk_widget_set_visible (GTK_WIDGET (self->agents_group), TRUE);
  gtk_stack_set_visible_child_name (self->stack, "board");
  g_hash_table_insert (self->agent_rows, ar->agent, ar);

  for (guint i = 0; i < queues->len; i++)
    {
      SpPbxisQueue *queue = g_ptr_array_index (queues, i);

      if (g_hash_table_contains (self->queue_rows, queue->name))
        add_member_row (self, ar, queue->name);
    }

  update_agent_row (self, ar);

  return ar;
}

/* Rows for what the board has and the window not yet (a queue pbxis-ws reported). */
static void
sync_rows (SpPbxisWindow *self)
{
  GPtrArray *agents = sp_pbxis_board_get_agents (get_board (self));
  GPtrArray *queues = sp_pbxis_board_get_queues (get_board (self));

  for (guint i = 0; i < agents->len; i++)
    {
      const char *id = sp_pbxis_agent_get_id (g_ptr_array_index (agents, i));

      if (!g_hash_table_contains (self->agent_rows, id))
        add_agent_row (self, id);
    }

  for (guint i = 0; i < queues->len; i++)
    {
      SpPbxisQueue *queue = g_ptr_array_index (queues, i);

      if (!g_hash_table_contains (self->queue_rows, queue->name))
        add_queue_row (self, queue->name);
    }
}

static void
agent_changed_cb (SpPbxisWindow *self,
                  const char    *agent,
                  SpPbxisSource *source)
{
  AgentRow *ar;

  sync_rows (self);
  ar = agent ? g_hash_table_lookup (self->agent_rows, agent) : NULL;
  if (ar != NULL)
    update_agent_row (self, ar);
}

static void
queue_changed_cb (SpPbxisWindow *self,
                  const char    *queue,
                  SpPbxisSource *source)
{
  QueueRow *qr;

  sync_rows (self);
  qr = queue ? g_hash_table_lookup (self->queue_rows, queue) : NULL;
  if (qr != NULL)
    update_queue_row (self, qr);
}

static void
state_changed_cb (SpPbxisWindow *self,
                  GParamSpec    *pspec,
                  SpSource      *source)
{
  GHashTableIter iter;
  gpointer row;

  sync_rows (self);
  g_hash_table_iter_init (&iter, self->queue_rows);
  while (g_hash_table_iter_next (&iter, NULL, &row))
    update_queue_row (self, row);
  g_hash_table_iter_init (&iter, self->agent_rows);
  while (g_hash_table_iter_next (&iter, NULL, &row))
    update_agent_row (self, row);
}

static void
sp_pbxis_window_constructed (GObject *object)
{
  SpPbxisWindow *self = (SpPbxisWindow *)object;
  SpAccount *account;
  g_autofree char *name = NULL;
  g_autofree char *supervisor = NULL;

  G_OBJECT_CLASS (sp_pbxis_window_parent_class)->constructed (object);

  g_return_if_fail (self->source != NULL);

  account = sp_source_get_account (SP_SOURCE (self->source));
  supervisor = sp_account_dup_option (account, SP_PBXIS_OPTION_SUPERVISOR);
  self->supervisor = sp_account_page_option_is_true (supervisor);

  /* Titled with the account, so that the windows of two accounts tell apart (also in the
   * window list and to a screen reader). */
  name = sp_account_dup_display_name (account);
  gtk_window_set_title (GTK_WINDOW (self), name);
  adw_window_title_set_title (self->window_title, name ? name : "");

  /* The agents first, so that each queue row added after brings its membership rows. */
  sync_rows (self);

  g_signal_connect_object (self->source, "agent-changed", G_CALLBACK (agent_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->source, "queue-changed", G_CALLBACK (queue_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->source, "notify::state", G_CALLBACK (state_changed_cb), self,
                           G_CONNECT_SWAPPED);
}

static void
sp_pbxis_window_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SpPbxisWindow *self = SP_PBXIS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      g_value_set_object (value, self->source);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_pbxis_window_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  SpPbxisWindow *self = SP_PBXIS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      self->source = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_pbxis_window_dispose (GObject *object)
{
  SpPbxisWindow *self = (SpPbxisWindow *)object;

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), SP_TYPE_PBXIS_WINDOW);
  /* After the widgets: their handlers point at the rows. */
  g_hash_table_remove_all (self->member_rows);
  g_hash_table_remove_all (self->queue_rows);
  g_hash_table_remove_all (self->agent_rows);
  g_clear_object (&self->source);

  G_OBJECT_CLASS (sp_pbxis_window_parent_class)->dispose (object);
}

static void
sp_pbxis_window_finalize (GObject *object)
{
  SpPbxisWindow *self = (SpPbxisWindow *)object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->member_rows, g_hash_table_unref);
  g_clear_pointer (&self->queue_rows, g_hash_table_unref);
  g_clear_pointer (&self->agent_rows, g_hash_table_unref);

  G_OBJECT_CLASS (sp_pbxis_window_parent_class)->finalize (object);
}

static void
sp_pbxis_window_class_init (SpPbxisWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sp_pbxis_window_constructed;
  object_class->get_property = sp_pbxis_window_get_property;
  object_class->set_property = sp_pbxis_window_set_property;
  object_class->dispose = sp_pbxis_window_dispose;
  object_class->finalize = sp_pbxis_window_finalize;

  properties[PROP_SOURCE] =
    g_param_spec_object ("source", NULL, NULL, SP_TYPE_PBXIS_SOURCE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/screenpop/Screenpop/sp-pbxis-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SpPbxisWindow, error_bar);
  gtk_widget_class_bind_template_child (widget_class, SpPbxisWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, SpPbxisWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, SpPbxisWindow, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, SpPbxisWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, SpPbxisWindow, queues_group);
  gtk_widget_class_bind_template_child (widget_class, SpPbxisWindow, agents_group);
  gtk_widget_class_bind_template_callback (widget_class, error_bar_response_cb);
  gtk_widget_class_bind_template_callback (widget_class, refresh_clicked_cb);
}

static void
sp_pbxis_window_init (SpPbxisWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->agent_rows = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                            (GDestroyNotify) agent_row_free);
  self->queue_rows = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                            (GDestroyNotify) queue_row_free);
  self->member_rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) member_row_free);
  gtk_stack_set_visible_child_name (self->stack, "empty");
}

/**
 * sp_pbxis_window_new:
 * @source: the pbxis account's source
 *
 * Returns: (transfer full): a window with the account's agents and queues, live, and their
 *   actions
 */
SpPbxisWindow *
sp_pbxis_window_new (SpPbxisSource *source)
{
  g_return_val_if_fail (SP_IS_PBXIS_SOURCE (source), NULL);

  return g_object_new (SP_TYPE_PBXIS_WINDOW, "source", source, NULL);
}

/* For tests: what a person sees and clicks. */

static MemberRow *
lookup_member_row (SpPbxisWindow *self,
                   const char    *agent,
                   const char    *queue)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (SP_IS_PBXIS_WINDOW (self), NULL);
  g_return_val_if_fail (agent != NULL && queue != NULL, NULL);

  key = member_key (agent, queue);
  return g_hash_table_lookup (self->member_rows, key);
}

/**
 * sp_pbxis_window_get_membership_text:
 *
 * Returns: (nullable): @agent's membership shown for @queue ("Paused", "" for none), %NULL
 *   without a row
 */
const char *
sp_pbxis_window_get_membership_text (SpPbxisWindow *self,
                                     const char    *agent,
                                     const char    *queue)
{
  MemberRow *mr = lookup_member_row (self, agent, queue);

  return mr ? gtk_label_get_text (mr->status) : NULL;
}

/**
 * sp_pbxis_window_get_pause_button:
 *
 * Returns: (transfer none) (nullable): @agent's pause/resume button in @queue
 */
GtkButton *
sp_pbxis_window_get_pause_button (SpPbxisWindow *self,
                                  const char    *agent,
                                  const char    *queue)
{
  MemberRow *mr = lookup_member_row (self, agent, queue);

  return mr ? mr->pause : NULL;
}

/**
 * sp_pbxis_window_get_log_button:
 *
 * Returns: (transfer none) (nullable): @agent's log on/off button in @queue
 */
GtkButton *
sp_pbxis_window_get_log_button (SpPbxisWindow *self,
                                const char    *agent,
                                const char    *queue)
{
  MemberRow *mr = lookup_member_row (self, agent, queue);

  return mr ? mr->log : NULL;
}

/**
 * sp_pbxis_window_get_agent_text:
 *
 * Returns: (nullable): what @agent's row says: its title ("Ana Horvat (147)") if @title,
 *   else its state ("Ready · on a call with 0915551234"); %NULL without a row
 */
const char *
sp_pbxis_window_get_agent_text (SpPbxisWindow *self,
                                const char    *agent,
                                gboolean       title)
{
  AgentRow *ar;

  g_return_val_if_fail (SP_IS_PBXIS_WINDOW (self), NULL);

  ar = g_hash_table_lookup (self->agent_rows, agent);
  if (ar == NULL)
    return NULL;

  return title ? adw_preferences_row_get_title (ADW_PREFERENCES_ROW (ar->row))
               : adw_expander_row_get_subtitle (ar->row);
}

static QueueRow *
lookup_queue_row (SpPbxisWindow *self,
                  const char    *queue)
{
  g_return_val_if_fail (SP_IS_PBXIS_WINDOW (self), NULL);
  g_return_val_if_fail (queue != NULL, NULL);

  return g_hash_table_lookup (self->queue_rows, queue);
}

/**
 * sp_pbxis_window_get_waiting_text:
 *
 * Returns: (nullable): the callers waiting shown for @queue, %NULL without a row
 */
const char *
sp_pbxis_window_get_waiting_text (SpPbxisWindow *self,
                                  const char    *queue)
{
  QueueRow *qr = lookup_queue_row (self, queue);

  return qr ? adw_expander_row_get_subtitle (qr->row) : NULL;
}

/**
 * sp_pbxis_window_dup_queue_details:
 *
 * Returns: (transfer full) (nullable): what @queue's expanded row shows, one row a line,
 *   "title: subtitle" ("Statistics: 12 answered · …", "Ana Horvat: Paused · …"); %NULL
 *   without a row, "" when it shows nothing
 */
char *
sp_pbxis_window_dup_queue_details (SpPbxisWindow *self,
                                   const char    *queue)
{
  QueueRow *qr = lookup_queue_row (self, queue);
  GString *text;

  if (qr == NULL)
    return NULL;

  text = g_string_new (NULL);
  if (qr->stats != NULL && gtk_widget_get_visible (GTK_WIDGET (qr->stats)))
    g_string_append_printf (text, "%s: %s\n",
                            adw_preferences_row_get_title (ADW_PREFERENCES_ROW (qr->stats)),
                            adw_action_row_get_subtitle (qr->stats));
  for (guint i = 0; i < qr->members->len; i++)
    {
      AdwActionRow *row = g_ptr_array_index (qr->members, i);

      g_string_append_printf (text, "%s: %s\n",
                              adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                              adw_action_row_get_subtitle (row));
    }

  return g_string_free (text, FALSE);
}

/**
 * sp_pbxis_window_get_reset_button:
 *
 * Returns: (transfer none) (nullable): @queue's Reset button, which only a supervisor's
 *   account has
 */
GtkButton *
sp_pbxis_window_get_reset_button (SpPbxisWindow *self,
                                  const char    *queue)
{
  QueueRow *qr = lookup_queue_row (self, queue);

  return qr ? qr->reset : NULL;
}

/**
 * sp_pbxis_window_get_refresh_button:
 *
 * Returns: (transfer none): the header bar's Refresh button
 */
GtkButton *
sp_pbxis_window_get_refresh_button (SpPbxisWindow *self)
{
  g_return_val_if_fail (SP_IS_PBXIS_WINDOW (self), NULL);

  return self->refresh_button;
}

/**
 * sp_pbxis_window_get_error:
 *
 * Returns: (nullable): the failure shown, %NULL when none is
 */
const char *
sp_pbxis_window_get_error (SpPbxisWindow *self)
{
  g_return_val_if_fail (SP_IS_PBXIS_WINDOW (self), NULL);

  if (!gtk_info_bar_get_revealed (self->error_bar))
    return NULL;

  return gtk_label_get_text (self->error_label);
}
