/* sp-basix-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-basix-window"

#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "sp-account.h"
#include "sp-basix-window.h"
#include "sp-basix-window-list.h"

/*
 * The live view of a Basix account, the kind's window: the PBX's current calls and its
 * users' presence, straight from the source's element store. A PBX can have 10 000 channels,
 * so the lists are GtkListViews over a list model that changes by items, whose row objects
 * are made only for the rows on screen (SpBasixWindowList).
 */

/* More changes than this in one message: merging the sorted new list with the old one is
 * cheaper than finding every row. */
#define REBUILD_THRESHOLD 64

struct _SpBasixWindow
{
  AdwWindow      parent_instance;

  SpBasixSource *source;
  SpBasixWindowList *calls;
  SpBasixWindowList *users;
  gboolean         calls_dirty;
  gboolean         users_dirty;
  guint            rebuild_id;

  AdwViewSwitcherTitle *switcher_title;
  GtkStack      *calls_stack;
  GtkStack      *users_stack;
  GtkListView   *calls_view;
  GtkListView   *users_view;
  GtkLabel      *summary;
};

G_DEFINE_FINAL_TYPE (SpBasixWindow, sp_basix_window, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_SOURCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
dup_text (SpBasixElement *element,
          const char     *field)
{
  char *text = sp_basix_element_dup_string (element, field);

  if (text != NULL && *text == '\0')
    g_clear_pointer (&text, g_free);

  return text;
}

static char *
call_title (SpBasixElement *channel)
{
  g_autofree char *name = dup_text (channel, "calling_name");
  g_autofree char *number = dup_text (channel, "calling_number");
  g_autofree char *called = dup_text (channel, "called_number");
  g_autofree char *from = NULL;

  if (name != NULL && number != NULL)
    from = g_strdup_printf ("%s (%s)", name, number);
  else
    from = g_strdup (name ? name : number ? number : _("Unknown caller"));

  /* Translators: caller → called number */
  return called ? g_strdup_printf (_("%s → %s"), from, called) : g_steal_pointer (&from);
}

/* What a person calls the channel state the server names (see the state table in
 * basix_ws_cti.md, 4.2): never the protocol word itself. */
static const char *
state_label (const SpBertTerm *state)
{
  static const struct {
    const char *name;
    const char *label;
  } labels[] = {
    { "calling", N_("Ringing") },
    { "calling_siptermination", N_("Ringing an outside line") },
    { "bridged", N_("In call") },
    { "voicemail", N_("Voicemail") },
    { "checking_voicemail", N_("Checking voicemail") },
    { "ivr", N_("Voice menu") },
    { "xml_ivr", N_("Voice menu") },
    { "system_operation", N_("System operation") },
    { "conference", N_("Conference") },
    { "park", N_("Parked") },
    { "eavesdrop", N_("Monitored") },
  };
  const SpBertTerm *name;

  if (state == NULL ||
      (sp_bert_term_get_type (state) != SP_BERT_TYPE_TUPLE &&
       sp_bert_term_get_type (state) != SP_BERT_TYPE_LIST) ||
      sp_bert_term_get_length (state) < 2)
    return NULL;

  name = sp_bert_term_get_child (state, 1);
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      if (sp_bert_term_text_equal (name, labels[i].name))
        return _(labels[i].label);
    }

  return _("Active");
}

/* The local time zone, looked up again once a minute rather than for every row:
 * g_date_time_new_from_unix_local() reads it from disk each time. */
static GTimeZone *
local_time_zone (void)
{
  static GTimeZone *zone;
  static gint64 looked_up;
  gint64 now = g_get_monotonic_time ();

  if (zone == NULL || now - looked_up > 60 * G_USEC_PER_SEC)
    {
      g_clear_pointer (&zone, g_time_zone_unref);
      zone = g_time_zone_new_local ();
      looked_up = now;
    }

  return zone;
}

static char *
call_subtitle (SpBasixElement *channel)
{
  const SpBertTerm *state = sp_basix_element_get (channel, "state");
  const char *label = state_label (state);
  GString *text = g_string_new (NULL);
  gint64 since = 0;

  if (label != NULL)
    {
      g_string_append (text, label);
      sp_bert_term_get_int64 (sp_bert_term_get_child (state, 0), &since);
    }
  if (since <= 0)
    sp_basix_element_get_int64 (channel, "offer_timestamp", &since);
  if (sp_basix_element_text_equal (channel, "direction", "inbound"))
    g_string_append_printf (text, "%s%s", text->len ? " · " : "", _("Incoming"));
  else if (sp_basix_element_text_equal (channel, "direction", "outbound"))
    g_string_append_printf (text, "%s%s", text->len ? " · " : "", _("Outgoing"));
  if (since > 0)
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (since / G_USEC_PER_SEC);
      g_autoptr(GDateTime) time = utc ? g_date_time_to_timezone (utc, local_time_zone ()) : NULL;

      if (time != NULL)
        {
          g_autofree char *clock = g_date_time_format (time, "%R");

          g_string_append_printf (text, "%s", text->len ? " · " : "");
          /* Translators: since a time of day */
          g_string_append_printf (text, _("since %s"), clock);
        }
    }

  return g_string_free (text, FALSE);
}

static const char *
call_icon (SpBasixElement *channel)
{
  if (sp_basix_element_text_equal (channel, "direction", "inbound"))
    return "call-incoming-symbolic";
  if (sp_basix_element_text_equal (channel, "direction", "outbound"))
    return "call-outgoing-symbolic";
  return "call-start-symbolic";
}

static char *
user_title (SpBasixElement *user)
{
  g_autofree char *label = dup_text (user, "label");
  g_autofree char *name = dup_text (user, "name");
  g_autofree char *ext = dup_text (user, "main_extension");
  const char *shown = label ? label : name ? name : sp_basix_element_get_key (user);

  return ext ? g_strdup_printf ("%s (%s)", shown, ext) : g_strdup (shown);
}

/* A user's presence as words and a symbolic icon of the Adwaita theme. */
static const char *
user_presence (SpBasixElement  *user,
               const char     **out_icon)
{
  static const struct {
    const char *name;
    const char *label;
    const char *icon;
  } presences[] = {
    { "available", N_("Available"), "user-available-symbolic" },
    { "busy", N_("Busy"), "user-busy-symbolic" },
    { "away", N_("Away"), "user-away-symbolic" },
    { "offline", N_("Offline"), "user-offline-symbolic" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (presences); i++)
    {
      if (sp_basix_element_text_equal (user, "presence", presences[i].name))
        {
          *out_icon = presences[i].icon;
          return _(presences[i].label);
        }
    }

  *out_icon = "user-status-pending-symbolic";
  return _("Unknown presence");
}

static char *
user_subtitle (SpBasixElement  *user,
               const char     **out_icon)
{
  const char *presence = user_presence (user, out_icon);
  gboolean dnd = FALSE;

  if (sp_basix_element_get_boolean (user, "do_not_disturb_status", &dnd) && dnd)
    {
      *out_icon = "user-busy-symbolic";
      return g_strdup_printf ("%s · %s", presence, _("Do not disturb"));
    }

  return g_strdup (presence);
}

/* GtkInscription rather than GtkLabel: its size does not depend on its text, so binding
 * the rows a list view keeps does not re-measure them. */
static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  user_data)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *icon = gtk_image_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_inscription_new (NULL);
  GtkWidget *subtitle = gtk_inscription_new (NULL);

  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (title),
                                     GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (subtitle),
                                     GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_inscription_set_nat_chars (GTK_INSCRIPTION (title), 40);
  gtk_inscription_set_nat_chars (GTK_INSCRIPTION (subtitle), 40);
  gtk_widget_set_hexpand (box, TRUE);
  gtk_widget_set_valign (icon, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (title, "title");
  gtk_widget_add_css_class (subtitle, "subtitle");
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_widget_add_css_class (row, "sp-basix-row");
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), subtitle);
  gtk_box_append (GTK_BOX (row), icon);
  gtk_box_append (GTK_BOX (row), box);
  gtk_list_item_set_child (list_item, row);
  gtk_list_item_set_activatable (list_item, FALSE);
}

static void
show_row (GtkListItem *list_item)
{
  gboolean is_call = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (list_item), "sp-is-call"));
  SpBasixElement *element = sp_basix_window_item_get_element (gtk_list_item_get_item (list_item));
  GtkWidget *row = gtk_list_item_get_child (list_item);
  GtkWidget *icon = gtk_widget_get_first_child (row);
  GtkWidget *title = gtk_widget_get_first_child (gtk_widget_get_next_sibling (icon));
  GtkWidget *subtitle = gtk_widget_get_next_sibling (title);
  g_autofree char *title_text = NULL;
  g_autofree char *subtitle_text = NULL;
  const char *icon_name;

  if (is_call)
    {
      title_text = call_title (element);
      subtitle_text = call_subtitle (element);
      icon_name = call_icon (element);
    }
  else
    {
      title_text = user_title (element);
      subtitle_text = user_subtitle (element, &icon_name);
    }
  gtk_inscription_set_text (GTK_INSCRIPTION (title), title_text);
  gtk_inscription_set_text (GTK_INSCRIPTION (subtitle), subtitle_text);
  gtk_image_set_from_icon_name (GTK_IMAGE (icon), icon_name);
}

static void
item_changed_cb (SpBasixWindowItem *item,
                 GtkListItem       *list_item)
{
  show_row (list_item);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             gpointer                  user_data)
{
  g_object_set_data (G_OBJECT (list_item), "sp-is-call", user_data);
  g_signal_connect_object (gtk_list_item_get_item (list_item), "changed",
                           G_CALLBACK (item_changed_cb), list_item, 0);
  show_row (list_item);
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               gpointer                  user_data)
{
  g_signal_handlers_disconnect_by_func (gtk_list_item_get_item (list_item), item_changed_cb,
                                        list_item);
}

static void
setup_view (GtkListView *view,
            GListModel  *model,
            gboolean     is_call)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkSelectionModel) selection = NULL;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), GINT_TO_POINTER (is_call));
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row_cb), NULL);
  selection = GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (model)));
  gtk_list_view_set_factory (view, factory);
  gtk_list_view_set_model (view, selection);
}

static void
update_summary (SpBasixWindow *self)
{
  /* The whole lists, also while their rows are being announced to GTK. */
  guint n_calls = sp_basix_window_list_get_n_elements (self->calls);
  guint n_users = sp_basix_window_list_get_n_elements (self->users);
  g_autofree char *calls = NULL;
  g_autofree char *users = NULL;
  g_autofree char *text = NULL;

  calls = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u call", "%u calls", n_calls), n_calls);
  users = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u user", "%u users", n_users), n_users);
  /* Translators: "3 calls · 12 users" */
  text = g_strdup_printf (_("%s · %s"), calls, users);
  gtk_label_set_text (self->summary, text);
  gtk_stack_set_visible_child_name (self->calls_stack, n_calls > 0 ? "list" : "empty");
  gtk_stack_set_visible_child_name (self->users_stack, n_users > 0 ? "list" : "empty");
}

/* Replaces a whole list from the model: the model keeps it sorted, and the list announces
 * it to GTK a few rows per frame. */
static void
rebuild (SpBasixWindow     *self,
         const char        *category,
         SpBasixWindowList *list)
{
  SpBasixModel *model = sp_basix_source_get_model (self->source);
  g_autoptr(GPtrArray) elements = sp_basix_model_list (model, category);

  sp_basix_window_list_replace_all (list, elements);
}

static gboolean
rebuild_cb (gpointer user_data)
{
  SpBasixWindow *self = user_data;

  self->rebuild_id = 0;
  if (self->calls_dirty)
    rebuild (self, "channel", self->calls);
  if (self->users_dirty)
    rebuild (self, "user", self->users);
  self->calls_dirty = self->users_dirty = FALSE;
  update_summary (self);

  return G_SOURCE_REMOVE;
}

static void
model_changed_cb (SpBasixWindow *self,
                  const char    *category,
                  GPtrArray     *changes,
                  SpBasixSource *source)
{
  SpBasixWindowList *list;
  gboolean *dirty;

  if (g_strcmp0 (category, "channel") == 0)
    {
      list = self->calls;
      dirty = &self->calls_dirty;
    }
  else if (g_strcmp0 (category, "user") == 0)
    {
      list = self->users;
      dirty = &self->users_dirty;
    }
  else
    {
      return;
    }

  /* A rebuild reads the model as it is then, changes after this one included. */
  if (*dirty)
    return;

  /* A big change is rebuilt in the next main-loop iteration rather than in this one,
   * which already decoded and applied a snapshot: two shorter stalls instead of one long
   * one, still before the next frame is drawn. */
  if (changes->len > REBUILD_THRESHOLD)
    {
      *dirty = TRUE;
      if (self->rebuild_id == 0)
        self->rebuild_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, rebuild_cb, self, NULL);
      return;
    }

  for (guint i = 0; i < changes->len; i++)
    sp_basix_window_list_apply_change (list, g_ptr_array_index (changes, i));

  update_summary (self);
}

static void
model_reset_cb (SpBasixWindow *self,
                SpBasixSource *source)
{
  self->calls_dirty = self->users_dirty = FALSE;
  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  rebuild (self, "channel", self->calls);
  rebuild (self, "user", self->users);
  update_summary (self);
}

static void
sp_basix_window_constructed (GObject *object)
{
  SpBasixWindow *self = (SpBasixWindow *)object;

  G_OBJECT_CLASS (sp_basix_window_parent_class)->constructed (object);

  g_return_if_fail (self->source != NULL);

  g_signal_connect_object (self->source, "model-changed", G_CALLBACK (model_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->source, "model-reset", G_CALLBACK (model_reset_cb), self,
                           G_CONNECT_SWAPPED);
  model_reset_cb (self, self->source);

  {
    g_autofree char *name = sp_account_dup_display_name (sp_source_get_account (SP_SOURCE (self->source)));
    g_autofree char *title = NULL;

    /* Translators: the window title, with the account's name, so that two accounts'
     * windows can be told apart in the window switcher */
    title = g_strdup_printf (_("Basix live view — %s"), name ? name : "");
    gtk_window_set_title (GTK_WINDOW (self), title);
    adw_view_switcher_title_set_subtitle (self->switcher_title, name ? name : "");
  }
}

static void
sp_basix_window_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SpBasixWindow *self = SP_BASIX_WINDOW (object);

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
sp_basix_window_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  SpBasixWindow *self = SP_BASIX_WINDOW (object);

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
sp_basix_window_dispose (GObject *object)
{
  SpBasixWindow *self = (SpBasixWindow *)object;

  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  if (self->calls != NULL)
    sp_basix_window_list_set_pacer (self->calls, NULL);
  if (self->users != NULL)
    sp_basix_window_list_set_pacer (self->users, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), SP_TYPE_BASIX_WINDOW);
  g_clear_object (&self->source);

  G_OBJECT_CLASS (sp_basix_window_parent_class)->dispose (object);
}

static void
sp_basix_window_finalize (GObject *object)
{
  SpBasixWindow *self = (SpBasixWindow *)object;

  g_clear_object (&self->calls);
  g_clear_object (&self->users);

  G_OBJECT_CLASS (sp_basix_window_parent_class)->finalize (object);
}

static void
sp_basix_window_class_init (SpBasixWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = sp_basix_window_constructed;
  object_class->get_property = sp_basix_window_get_property;
  object_class->set_property = sp_basix_window_set_property;
  object_class->dispose = sp_basix_window_dispose;
  object_class->finalize = sp_basix_window_finalize;

  properties[PROP_SOURCE] =
    g_param_spec_object ("source", NULL, NULL, SP_TYPE_BASIX_SOURCE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/screenpop/Screenpop/sp-basix-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SpBasixWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, SpBasixWindow, calls_stack);
  gtk_widget_class_bind_template_child (widget_class, SpBasixWindow, users_stack);
  gtk_widget_class_bind_template_child (widget_class, SpBasixWindow, calls_view);
  gtk_widget_class_bind_template_child (widget_class, SpBasixWindow, users_view);
  gtk_widget_class_bind_template_child (widget_class, SpBasixWindow, summary);
}

/* libadwaita 1.2 styles only GtkListBox as a boxed list; the same look for the list views,
 * whose rows are made only for what is on screen. */
static const char boxed_list_css[] =
  "listview.boxed-list > row { padding: 8px 12px; border-bottom: 1px solid @card_shade_color; }\n"
  "listview.boxed-list > row:last-child { border-bottom-width: 0; }\n";

static void
add_css (GtkWidget *widget)
{
  static GdkDisplay *done;
  GdkDisplay *display = gtk_widget_get_display (widget);
  g_autoptr(GtkCssProvider) provider = NULL;

  if (display == done)
    return;

  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_data (provider, boxed_list_css, -1);
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  done = display;
}

static void
sp_basix_window_init (SpBasixWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  add_css (GTK_WIDGET (self));

  self->calls = sp_basix_window_list_new ();
  self->users = sp_basix_window_list_new ();
  /* New rows are announced to GTK a screenful per frame of the window. */
  sp_basix_window_list_set_pacer (self->calls, GTK_WIDGET (self));
  sp_basix_window_list_set_pacer (self->users, GTK_WIDGET (self));
  setup_view (self->calls_view, G_LIST_MODEL (self->calls), TRUE);
  setup_view (self->users_view, G_LIST_MODEL (self->users), FALSE);
}

/**
 * sp_basix_window_new:
 * @source: the Basix account's source
 *
 * Returns: (transfer full): a window showing @source's calls and users, live
 */
SpBasixWindow *
sp_basix_window_new (SpBasixSource *source)
{
  g_return_val_if_fail (SP_IS_BASIX_SOURCE (source), NULL);

  return g_object_new (SP_TYPE_BASIX_WINDOW, "source", source, NULL);
}

/**
 * sp_basix_window_get_calls:
 *
 * Returns: (transfer none): the calls shown, one item per channel
 */
GListModel *
sp_basix_window_get_calls (SpBasixWindow *self)
{
  g_return_val_if_fail (SP_IS_BASIX_WINDOW (self), NULL);

  return G_LIST_MODEL (self->calls);
}

/**
 * sp_basix_window_get_users:
 *
 * Returns: (transfer none): the users shown
 */
GListModel *
sp_basix_window_get_users (SpBasixWindow *self)
{
  g_return_val_if_fail (SP_IS_BASIX_WINDOW (self), NULL);

  return G_LIST_MODEL (self->users);
}
