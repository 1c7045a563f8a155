/* sp-pbxis-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-pbxis-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-account.h"
#include "sp-pbxis-window.h"

/*
 * The agent panel of a pbxis account, the kind's window (the registry opens it from the
 * account's row): one row per queue with the agent's membership and the callers waiting,
 * as the source last heard them from pbxis-ws, and buttons to log on or off and to pause
 * or resume. A button only asks: the row changes when pbxis-ws reports the new
 * membership, so what is shown is always what Asterisk says.
 */

/* One queue's row. The widgets belong to the list box; this only points at them. */
typedef struct
{
  char         *queue;
  AdwActionRow *row;
  GtkLabel     *status;
  GtkButton    *pause;
  GtkButton    *log;
  guint         busy;     /* actions on this queue still running */
} QueueRow;

struct _SpPbxisWindow
{
  AdwWindow       parent_instance;

  SpPbxisSource  *source;
  GCancellable   *cancellable;
  GHashTable     *rows;        /* queue → QueueRow */

  GtkInfoBar      *error_bar;
  GtkLabel        *error_label;
  AdwWindowTitle  *window_title;
  GtkStack        *stack;
  GtkListBox      *queue_list;
};

G_DEFINE_FINAL_TYPE (SpPbxisWindow, sp_pbxis_window, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_SOURCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
queue_row_free (QueueRow *qr)
{
  g_free (qr->queue);
  g_free (qr);
}

/* Whether the agent is in the queue, paused or not. */
static gboolean
is_member (SpPbxisMemberStatus status)
{
  return status == SP_PBXIS_MEMBER_ACTIVE ||
         status == SP_PBXIS_MEMBER_PAUSED ||
         status == SP_PBXIS_MEMBER_INVALID ||
         status == SP_PBXIS_MEMBER_LOGGEDON;
}

static const char *
membership_text (SpPbxisMemberStatus status)
{
  switch (status)
    {
    case SP_PBXIS_MEMBER_LOGGEDOFF:
      return _("Logged off");

    case SP_PBXIS_MEMBER_ACTIVE:
      return _("Active");

    case SP_PBXIS_MEMBER_PAUSED:
      return _("Paused");

    case SP_PBXIS_MEMBER_INVALID:
      /* Translators: the agent is in the queue but their phone cannot be reached. */
      return _("Unavailable");

    case SP_PBXIS_MEMBER_LOGGEDON:
      return _("Logged on");

    case SP_PBXIS_MEMBER_UNKNOWN:
    default:
      /* Translators: the membership pbxis-ws has not reported yet. */
      return _("Unknown");
    }
}

/* The status label's colour: GNOME's style classes, so that it follows the theme. */
static const char *
membership_class (SpPbxisMemberStatus status)
{
  switch (status)
    {
    case SP_PBXIS_MEMBER_ACTIVE:
    case SP_PBXIS_MEMBER_LOGGEDON:
      return "success";

    case SP_PBXIS_MEMBER_PAUSED:
      return "warning";

    case SP_PBXIS_MEMBER_INVALID:
      return "error";

    case SP_PBXIS_MEMBER_LOGGEDOFF:
    case SP_PBXIS_MEMBER_UNKNOWN:
    default:
      return "dim-label";
    }
}

static char *
waiting_text (gint64 count)
{
  guint n;

  /* pbxis-ws has said nothing about this queue yet. */
  if (count < 0)
    return g_strdup ("");

  if (count == 0)
    return g_strdup (_("No callers waiting"));

  n = (guint) MIN (count, G_MAXUINT);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u caller waiting",
                                       "%u callers waiting", n), n);
}

static void
update_row (SpPbxisWindow *self,
            QueueRow      *qr)
{
  static const char *classes[] = { "success", "warning", "error", "dim-label" };
  SpPbxisMemberStatus status = sp_pbxis_source_get_membership (self->source, qr->queue);
  gint64 count = sp_pbxis_source_get_queue_count (self->source, qr->queue);
  g_autofree char *waiting = waiting_text (count);
  gboolean member = is_member (status);
  gboolean paused = status == SP_PBXIS_MEMBER_PAUSED;

  gtk_label_set_text (qr->status, membership_text (status));
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (qr->status), classes[i]);
  gtk_widget_add_css_class (GTK_WIDGET (qr->status), membership_class (status));

  adw_action_row_set_subtitle (qr->row, waiting);

  gtk_button_set_icon_name (qr->pause, paused ? "media-playback-start-symbolic"
                                              : "media-playback-pause-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (qr->pause), paused ? _("Resume") : _("Pause"));
  /* An icon alone says nothing to a screen reader. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (qr->pause),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, paused ? _("Resume") : _("Pause"),
                                  -1);
  /* Pausing is for members only; one action at a time per queue, so that a second click
   * does not undo the first before pbxis-ws has reported it. */
  gtk_widget_set_sensitive (GTK_WIDGET (qr->pause), member && qr->busy == 0);

  gtk_button_set_label (qr->log, member ? _("Log Off") : _("Log On"));
  if (member)
    gtk_widget_remove_css_class (GTK_WIDGET (qr->log), "suggested-action");
  else
    gtk_widget_add_css_class (GTK_WIDGET (qr->log), "suggested-action");
  gtk_widget_set_sensitive (GTK_WIDGET (qr->log), qr->busy == 0);
}

/* The agent's name as pbxis-ws gives it, else the account's. pbxis-ws sends the name in
 * the snapshot next to the queues' states, so it is looked at whenever a queue changes. */
static void
update_subtitle (SpPbxisWindow *self)
{
  const char *name = sp_pbxis_source_get_agent_name (self->source);
  g_autofree char *account_name = NULL;

  if (name == NULL || *name == '\0')
    {
      account_name = sp_account_dup_display_name (sp_source_get_account (SP_SOURCE (self->source)));
      name = account_name;
    }

  adw_window_title_set_subtitle (self->window_title, name ? name : "");
}

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
  char          *queue;
} ActionData;

static void
action_data_free (ActionData *data)
{
  g_clear_object (&data->self);
  g_clear_object (&data->cancellable);
  g_free (data->queue);
  g_free (data);
}

static void
action_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ActionData *data = user_data;
  SpPbxisWindow *self = data->self;
  g_autoptr(GError) error = NULL;
  QueueRow *qr;

  sp_source_perform_finish (SP_SOURCE (object), result, &error);

  /* The panel was closed: nothing left to show it in. */
  if (g_cancellable_is_cancelled (data->cancellable) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      action_data_free (data);
      return;
    }

  qr = g_hash_table_lookup (self->rows, data->queue);
  if (qr != NULL)
    {
      qr->busy--;
      update_row (self, qr);
    }

  if (error == NULL)
    {
      gtk_info_bar_set_revealed (self->error_bar, FALSE);
    }
  else
    {
      g_message ("[%s] queue action on %s failed: %s",
                 sp_account_get_id (sp_source_get_account (SP_SOURCE (self->source))),
                 data->queue, error->message);
      show_error (self, error->message);
    }

  action_data_free (data);
}

static void
run_action (SpPbxisWindow  *self,
            QueueRow       *qr,
            SpSourceAction  action)
{
  ActionData *data = g_new0 (ActionData, 1);

  data->self = g_object_ref (self);
  data->cancellable = g_object_ref (self->cancellable);
  data->queue = g_strdup (qr->queue);

  qr->busy++;
  update_row (self, qr);

  sp_source_perform_async (SP_SOURCE (self->source), action, NULL,
                           g_variant_new_string (qr->queue), self->cancellable,
                           action_cb, data);
}

static void
pause_clicked_cb (GtkButton *button,
                  QueueRow  *qr)
{
  SpPbxisWindow *self = SP_PBXIS_WINDOW (gtk_widget_get_root (GTK_WIDGET (button)));
  SpPbxisMemberStatus status = sp_pbxis_source_get_membership (self->source, qr->queue);

  run_action (self, qr, status == SP_PBXIS_MEMBER_PAUSED ? SP_SOURCE_ACTION_QUEUE_UNPAUSE
                                                        : SP_SOURCE_ACTION_QUEUE_PAUSE);
}

static void
log_clicked_cb (GtkButton *button,
                QueueRow  *qr)
{
  SpPbxisWindow *self = SP_PBXIS_WINDOW (gtk_widget_get_root (GTK_WIDGET (button)));
  SpPbxisMemberStatus status = sp_pbxis_source_get_membership (self->source, qr->queue);

  run_action (self, qr, is_member (status) ? SP_SOURCE_ACTION_QUEUE_REMOVE
                                          : SP_SOURCE_ACTION_QUEUE_ADD);
}

static QueueRow *
add_row (SpPbxisWindow *self,
         const char    *queue)
{
  QueueRow *qr = g_new0 (QueueRow, 1);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *status = gtk_label_new (NULL);
  GtkWidget *pause = gtk_button_new ();
  GtkWidget *log = gtk_button_new ();

  qr->queue = g_strdup (queue);
  qr->row = ADW_ACTION_ROW (row);
  qr->status = GTK_LABEL (status);
  qr->pause = GTK_BUTTON (pause);
  qr->log = GTK_BUTTON (log);

  /* Queue names come from the account and the server: plain text, never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), queue);

  gtk_widget_add_css_class (status, "caption-heading");
  adw_action_row_add_suffix (qr->row, status);

  gtk_widget_set_valign (pause, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (pause, "flat");
  gtk_widget_add_css_class (pause, "circular");
  g_signal_connect (pause, "clicked", G_CALLBACK (pause_clicked_cb), qr);
  adw_action_row_add_suffix (qr->row, pause);

  gtk_widget_set_valign (log, GTK_ALIGN_CENTER);
  /* Both labels take the same room, so the buttons do not jump as the state changes. */
  gtk_widget_set_size_request (log, 96, -1);
  g_signal_connect (log, "clicked", G_CALLBACK (log_clicked_cb), qr);
  adw_action_row_add_suffix (qr->row, log);

  gtk_list_box_append (self->queue_list, row);
  g_hash_table_insert (self->rows, qr->queue, qr);
  gtk_stack_set_visible_child_name (self->stack, "queues");

  update_row (self, qr);

  return qr;
}

static void
queue_changed_cb (SpPbxisWindow *self,
                  const char    *queue,
                  SpPbxisSource *source)
{
  QueueRow *qr;

  if (queue == NULL)
    return;

  qr = g_hash_table_lookup (self->rows, queue);
  /* A queue pbxis-ws reports that the account does not list: show it too, the agent is in
   * it as far as Asterisk is concerned. */
  if (qr == NULL)
    add_row (self, queue);
  else
    update_row (self, qr);

  update_subtitle (self);
}

static void
state_changed_cb (SpPbxisWindow *self,
                  GParamSpec    *pspec,
                  SpSource      *source)
{
  GHashTableIter iter;
  QueueRow *qr;

  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &qr))
    update_row (self, qr);

  update_subtitle (self);
}

static void
sp_pbxis_window_constructed (GObject *object)
{
  SpPbxisWindow *self = (SpPbxisWindow *)object;
  g_auto(GStrv) queues = NULL;

  G_OBJECT_CLASS (sp_pbxis_window_parent_class)->constructed (object);

  g_return_if_fail (self->source != NULL);

  queues = sp_pbxis_source_dup_queues (self->source);
  for (guint i = 0; queues != NULL && queues[i] != NULL; i++)
    {
      if (!g_hash_table_contains (self->rows, queues[i]))
        add_row (self, queues[i]);
    }

  g_signal_connect_object (self->source, "queue-changed", G_CALLBACK (queue_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->source, "notify::state", G_CALLBACK (state_changed_cb), self,
                           G_CONNECT_SWAPPED);
  update_subtitle (self);
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
  g_hash_table_remove_all (self->rows);
  g_clear_object (&self->source);

  G_OBJECT_CLASS (sp_pbxis_window_parent_class)->dispose (object);
}

static void
sp_pbxis_window_finalize (GObject *object)
{
  SpPbxisWindow *self = (SpPbxisWindow *)object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->rows, g_hash_table_unref);

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
  gtk_widget_class_bind_template_child (widget_class, SpPbxisWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, SpPbxisWindow, queue_list);
  gtk_widget_class_bind_template_callback (widget_class, error_bar_response_cb);
}

static void
sp_pbxis_window_init (SpPbxisWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->rows = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                      (GDestroyNotify) queue_row_free);
  gtk_stack_set_visible_child_name (self->stack, "empty");
}

/**
 * sp_pbxis_window_new:
 * @source: the pbxis account's source
 *
 * Returns: (transfer full): a window with the agent's queues, live, and their actions
 */
SpPbxisWindow *
sp_pbxis_window_new (SpPbxisSource *source)
{
  g_return_val_if_fail (SP_IS_PBXIS_SOURCE (source), NULL);

  return g_object_new (SP_TYPE_PBXIS_WINDOW, "source", source, NULL);
}

static QueueRow *
lookup_row (SpPbxisWindow *self,
            const char    *queue)
{
  g_return_val_if_fail (SP_IS_PBXIS_WINDOW (self), NULL);
  g_return_val_if_fail (queue != NULL, NULL);

  return g_hash_table_lookup (self->rows, queue);
}

/**
 * sp_pbxis_window_get_membership_text:
 *
 * Returns: (nullable): the membership shown for @queue ("Paused", …), %NULL without a row
 */
const char *
sp_pbxis_window_get_membership_text (SpPbxisWindow *self,
                                     const char    *queue)
{
  QueueRow *qr = lookup_row (self, queue);

  return qr ? gtk_label_get_text (qr->status) : NULL;
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
  QueueRow *qr = lookup_row (self, queue);

  return qr ? adw_action_row_get_subtitle (qr->row) : NULL;
}

/**
 * sp_pbxis_window_get_pause_button:
 *
 * Returns: (transfer none) (nullable): @queue's pause/resume button
 */
GtkButton *
sp_pbxis_window_get_pause_button (SpPbxisWindow *self,
                                  const char    *queue)
{
  QueueRow *qr = lookup_row (self, queue);

  return qr ? qr->pause : NULL;
}

/**
 * sp_pbxis_window_get_log_button:
 *
 * Returns: (transfer none) (nullable): @queue's log on/off button
 */
GtkButton *
sp_pbxis_window_get_log_button (SpPbxisWindow *self,
                                const char    *queue)
{
  QueueRow *qr = lookup_row (self, queue);

  return qr ? qr->log : NULL;
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

/**
 * sp_pbxis_window_get_subtitle:
 *
 * Returns: the window's subtitle: the agent's name, or the account's
 */
const char *
sp_pbxis_window_get_subtitle (SpPbxisWindow *self)
{
  g_return_val_if_fail (SP_IS_PBXIS_WINDOW (self), NULL);

  return adw_window_title_get_subtitle (self->window_title);
}
