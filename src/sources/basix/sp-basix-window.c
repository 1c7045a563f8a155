/* sp-basix-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-basix-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-basix-window.h"

/*
 * The live view of a Basix account, the kind's window: the PBX's current calls and its
 * users' presence, straight from the source's element store. A PBX can have 10 000 channels,
 * so the lists are GtkListViews over a list model whose row objects are made only for the
 * rows on screen; a snapshot replaces a list in one items-changed, a single change touches
 * one row.
 */

/* More changes than this in one message: rebuilding the list in one splice is cheaper
 * than finding every row. */
#define REBUILD_THRESHOLD 64

/* One row: an element of the model. A private type of this window. */
#define SP_TYPE_BASIX_WINDOW_ITEM (sp_basix_window_item_get_type ())
G_DECLARE_FINAL_TYPE (SpBasixWindowItem, sp_basix_window_item, SP, BASIX_WINDOW_ITEM, GObject)

struct _SpBasixWindowItem
{
  GObject         parent_instance;
  SpBasixElement *element;
};

G_DEFINE_FINAL_TYPE (SpBasixWindowItem, sp_basix_window_item, G_TYPE_OBJECT)

static void
sp_basix_window_item_finalize (GObject *object)
{
  SpBasixWindowItem *self = (SpBasixWindowItem *)object;

  g_clear_pointer (&self->element, sp_basix_element_unref);

  G_OBJECT_CLASS (sp_basix_window_item_parent_class)->finalize (object);
}

static void
sp_basix_window_item_class_init (SpBasixWindowItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sp_basix_window_item_finalize;
}

static void
sp_basix_window_item_init (SpBasixWindowItem *self)
{
}

static SpBasixWindowItem *
item_new (SpBasixElement *element)
{
  SpBasixWindowItem *item = g_object_new (SP_TYPE_BASIX_WINDOW_ITEM, NULL);

  item->element = sp_basix_element_ref (element);

  return item;
}

/* The rows of one category: the elements in key order, their row objects made only when
 * GTK asks for them (the rows on screen), so that a 10 000-element snapshot costs an
 * array of references and one items-changed. */
#define SP_TYPE_BASIX_WINDOW_LIST (sp_basix_window_list_get_type ())
G_DECLARE_FINAL_TYPE (SpBasixWindowList, sp_basix_window_list, SP, BASIX_WINDOW_LIST, GObject)

struct _SpBasixWindowList
{
  GObject    parent_instance;
  GPtrArray *elements;   /* (element-type SpBasixElement) */
  GPtrArray *items;      /* (element-type SpBasixWindowItem) (nullable items): made on demand */
};

/* Rows not made yet are NULL. */
static void
unref_nullable (gpointer object)
{
  if (object != NULL)
    g_object_unref (object);
}

static GType
sp_basix_window_list_get_item_type (GListModel *model)
{
  return SP_TYPE_BASIX_WINDOW_ITEM;
}

static guint
sp_basix_window_list_get_n_items (GListModel *model)
{
  return SP_BASIX_WINDOW_LIST (model)->elements->len;
}

static gpointer
sp_basix_window_list_get_item (GListModel *model,
                               guint       position)
{
  SpBasixWindowList *self = SP_BASIX_WINDOW_LIST (model);

  if (position >= self->elements->len)
    return NULL;

  if (g_ptr_array_index (self->items, position) == NULL)
    g_ptr_array_index (self->items, position) = item_new (g_ptr_array_index (self->elements, position));

  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
sp_basix_window_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = sp_basix_window_list_get_item_type;
  iface->get_n_items = sp_basix_window_list_get_n_items;
  iface->get_item = sp_basix_window_list_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (SpBasixWindowList, sp_basix_window_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      sp_basix_window_list_model_init))

static void
sp_basix_window_list_finalize (GObject *object)
{
  SpBasixWindowList *self = (SpBasixWindowList *)object;

  g_clear_pointer (&self->elements, g_ptr_array_unref);
  g_clear_pointer (&self->items, g_ptr_array_unref);

  G_OBJECT_CLASS (sp_basix_window_list_parent_class)->finalize (object);
}

static void
sp_basix_window_list_class_init (SpBasixWindowListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sp_basix_window_list_finalize;
}

static void
sp_basix_window_list_init (SpBasixWindowList *self)
{
  self->elements = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_basix_element_unref);
  self->items = g_ptr_array_new_with_free_func (unref_nullable);
}

/* Takes @elements (sorted by key) as the whole list. */
static void
list_replace_all (SpBasixWindowList *self,
                  GPtrArray         *elements)
{
  guint removed = self->elements->len;

  g_ptr_array_unref (self->elements);
  g_ptr_array_unref (self->items);
  self->elements = g_ptr_array_ref (elements);
  self->items = g_ptr_array_new_full (elements->len, unref_nullable);
  g_ptr_array_set_size (self->items, elements->len);

  g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, elements->len);
}

static gboolean
list_find (SpBasixWindowList *self,
           const char        *key,
           guint             *out_position)
{
  for (guint i = 0; i < self->elements->len; i++)
    {
      if (g_str_equal (sp_basix_element_get_key (g_ptr_array_index (self->elements, i)), key))
        {
          *out_position = i;
          return TRUE;
        }
    }

  return FALSE;
}

/* One change: the row is replaced in place, removed, or added at its place in key order. */
static void
list_apply_change (SpBasixWindowList *self,
                   SpBasixChange     *change)
{
  SpBasixElement *element = change->new_element ? change->new_element : change->old_element;
  const char *key = sp_basix_element_get_key (element);
  guint position;

  if (list_find (self, key, &position))
    {
      if (change->kind == SP_BASIX_CHANGE_REMOVED)
        {
          g_ptr_array_remove_index (self->elements, position);
          g_ptr_array_remove_index (self->items, position);
          g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
        }
      else
        {
          sp_basix_element_unref (g_ptr_array_index (self->elements, position));
          g_ptr_array_index (self->elements, position) = sp_basix_element_ref (change->new_element);
          g_clear_object (&g_ptr_array_index (self->items, position));
          g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);
        }
      return;
    }

  if (change->kind == SP_BASIX_CHANGE_REMOVED)
    return;

  position = 0;
  while (position < self->elements->len &&
         g_strcmp0 (sp_basix_element_get_key (g_ptr_array_index (self->elements, position)), key) < 0)
    position++;
  g_ptr_array_insert (self->elements, position, sp_basix_element_ref (change->new_element));
  g_ptr_array_insert (self->items, position, NULL);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
}

struct _SpBasixWindow
{
  AdwWindow      parent_instance;

  SpBasixSource *source;
  SpBasixWindowList *calls;
  SpBasixWindowList *users;
  gboolean         calls_dirty;
  gboolean         users_dirty;
  guint            rebuild_id;

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

static char *
call_subtitle (SpBasixElement *channel)
{
  g_auto(SpBasixState) state = { 0 };
  g_autofree char *direction = dup_text (channel, "direction");
  GString *text = g_string_new (NULL);
  gint64 since = 0;

  if (sp_basix_parse_state (sp_basix_element_get (channel, "state"), &state) && state.name)
    {
      g_string_append (text, state.name);
      since = state.ts;
    }
  if (since <= 0)
    sp_basix_element_get_int64 (channel, "offer_timestamp", &since);
  if (direction != NULL)
    g_string_append_printf (text, "%s%s", text->len ? " · " : "", direction);
  if (since > 0)
    {
      g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (since / G_USEC_PER_SEC);

      if (time != NULL)
        {
          g_autofree char *clock = g_date_time_format (time, "%R");

          /* Translators: since a time of day */
          g_string_append_printf (text, "%s", text->len ? " · " : "");
          g_string_append_printf (text, _("since %s"), clock);
        }
    }

  return g_string_free (text, FALSE);
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

static char *
user_subtitle (SpBasixElement *user)
{
  g_autofree char *presence = dup_text (user, "presence");
  gboolean dnd = FALSE;

  if (sp_basix_element_get_boolean (user, "do_not_disturb_status", &dnd) && dnd)
    return g_strdup_printf ("%s · %s", presence ? presence : _("unknown"), _("do not disturb"));

  return g_strdup (presence ? presence : _("unknown"));
}

/* GtkInscription rather than GtkLabel: its size does not depend on its text, so binding
 * the ~200 rows a list view keeps does not re-measure them. */
static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_inscription_new (NULL);
  GtkWidget *subtitle = gtk_inscription_new (NULL);

  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (title),
                                     GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (subtitle),
                                     GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_inscription_set_nat_chars (GTK_INSCRIPTION (title), 40);
  gtk_inscription_set_nat_chars (GTK_INSCRIPTION (subtitle), 40);
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_widget_set_margin_top (box, 4);
  gtk_widget_set_margin_bottom (box, 4);
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), subtitle);
  gtk_list_item_set_child (list_item, box);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             gpointer                  user_data)
{
  gboolean is_call = GPOINTER_TO_INT (user_data);
  SpBasixWindowItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *box = gtk_list_item_get_child (list_item);
  GtkWidget *title = gtk_widget_get_first_child (box);
  GtkWidget *subtitle = gtk_widget_get_next_sibling (title);
  g_autofree char *title_text = NULL;
  g_autofree char *subtitle_text = NULL;

  title_text = is_call ? call_title (item->element) : user_title (item->element);
  subtitle_text = is_call ? call_subtitle (item->element) : user_subtitle (item->element);
  gtk_inscription_set_text (GTK_INSCRIPTION (title), title_text);
  gtk_inscription_set_text (GTK_INSCRIPTION (subtitle), subtitle_text);
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
  selection = GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (model)));
  gtk_list_view_set_factory (view, factory);
  gtk_list_view_set_model (view, selection);
}

static void
update_summary (SpBasixWindow *self)
{
  guint n_calls = g_list_model_get_n_items (G_LIST_MODEL (self->calls));
  guint n_users = g_list_model_get_n_items (G_LIST_MODEL (self->users));
  g_autofree char *calls = NULL;
  g_autofree char *users = NULL;
  g_autofree char *text = NULL;

  calls = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u call", "%u calls", n_calls), n_calls);
  users = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u user", "%u users", n_users), n_users);
  /* Translators: "3 calls · 12 users" */
  text = g_strdup_printf (_("%s · %s"), calls, users);
  gtk_label_set_text (self->summary, text);
}

/* Replaces a whole list from the model: a 10 000-channel snapshot is one items-changed,
 * and the list view only builds the rows on screen. */
static void
rebuild (SpBasixWindow     *self,
         const char        *category,
         SpBasixWindowList *list)
{
  SpBasixModel *model = sp_basix_source_get_model (self->source);
  g_autoptr(GPtrArray) elements = sp_basix_model_list (model, category);

  list_replace_all (list, elements);
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
    list_apply_change (list, g_ptr_array_index (changes, i));

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
  gtk_widget_class_bind_template_child (widget_class, SpBasixWindow, calls_view);
  gtk_widget_class_bind_template_child (widget_class, SpBasixWindow, users_view);
  gtk_widget_class_bind_template_child (widget_class, SpBasixWindow, summary);
}

static void
sp_basix_window_init (SpBasixWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->calls = g_object_new (SP_TYPE_BASIX_WINDOW_LIST, NULL);
  self->users = g_object_new (SP_TYPE_BASIX_WINDOW_LIST, NULL);
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
