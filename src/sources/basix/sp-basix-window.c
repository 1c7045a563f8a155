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

/*
 * The live view of a Basix account, the kind's window: the PBX's current calls and its
 * users' presence, straight from the source's element store. A PBX can have 10 000 channels,
 * so the lists are GtkListViews over a list model whose row objects are made only for the
 * rows on screen. The model changes by items: an element that is updated keeps its row
 * object, which tells its row to show the new version (no items-changed, the row widget
 * stays); only additions and removals are items-changed, and a snapshot is one
 * items-changed over the part of the list that really changed, the row objects of the
 * elements it kept handed back to GTK so that it keeps their row widgets.
 */

/* More changes than this in one message: merging the sorted new list with the old one is
 * cheaper than finding every row. */
#define REBUILD_THRESHOLD 64

/* A list filled from empty (a new connection's snapshot) is announced to GTK a few rows at
 * a time: GTK makes the widgets of the rows on screen in the items-changed handler, which
 * for a screenful of rows at once is the longest stall of a 10 000-channel snapshot. After
 * GROW_ALL_AFTER rows the screen is full, and the rest comes in one go. */
#define GROW_STEP 6
#define GROW_ALL_AFTER 60

/* One row: an element of the model. A private type of this window. */
#define SP_TYPE_BASIX_WINDOW_ITEM (sp_basix_window_item_get_type ())
G_DECLARE_FINAL_TYPE (SpBasixWindowItem, sp_basix_window_item, SP, BASIX_WINDOW_ITEM, GObject)

struct _SpBasixWindowItem
{
  GObject         parent_instance;
  SpBasixElement *element;
};

G_DEFINE_FINAL_TYPE (SpBasixWindowItem, sp_basix_window_item, G_TYPE_OBJECT)

enum {
  ITEM_CHANGED,
  N_ITEM_SIGNALS
};

static guint item_signals[N_ITEM_SIGNALS];

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

  /* The element was replaced by a newer version: the row bound to it shows it again. */
  item_signals[ITEM_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
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
  guint      n_shown;    /* the first n_shown elements are the list GTK knows */
  guint      grow_id;
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
  return SP_BASIX_WINDOW_LIST (model)->n_shown;
}

static gpointer
sp_basix_window_list_get_item (GListModel *model,
                               guint       position)
{
  SpBasixWindowList *self = SP_BASIX_WINDOW_LIST (model);

  if (position >= self->n_shown)
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

  g_clear_handle_id (&self->grow_id, g_source_remove);
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

static const char *
key_at (GPtrArray *elements,
        guint      position)
{
  return sp_basix_element_get_key (g_ptr_array_index (elements, position));
}

/* Gives the row object at @position its new element, and has its row show it. */
static void
item_set_element (SpBasixWindowItem *item,
                  SpBasixElement    *element)
{
  if (item == NULL || item->element == element)
    return;

  sp_basix_element_unref (item->element);
  item->element = sp_basix_element_ref (element);
  g_signal_emit (item, item_signals[ITEM_CHANGED], 0);
}

/* Announces the elements not announced yet, all of them or only the next few. */
static void
list_grow (SpBasixWindowList *self,
           gboolean           all)
{
  guint shown = self->n_shown;

  if (all || shown + GROW_STEP >= GROW_ALL_AFTER)
    self->n_shown = self->elements->len;
  else
    self->n_shown = MIN (shown + GROW_STEP, self->elements->len);

  if (self->n_shown == self->elements->len)
    g_clear_handle_id (&self->grow_id, g_source_remove);
  if (self->n_shown > shown)
    g_list_model_items_changed (G_LIST_MODEL (self), shown, 0, self->n_shown - shown);
}

static gboolean
grow_cb (gpointer user_data)
{
  SpBasixWindowList *self = user_data;

  list_grow (self, FALSE);

  return self->grow_id != 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* Before any other change: GTK knows the whole list again. */
static void
list_finish_growing (SpBasixWindowList *self)
{
  if (self->n_shown < self->elements->len)
    list_grow (self, TRUE);
}

/* Takes @elements (sorted by key) as the whole list. Elements whose key stays keep their
 * row object; the rows before the first and after the last difference in keys are not
 * touched at all, and the rest is one items-changed. */
static void
list_replace_all (SpBasixWindowList *self,
                  GPtrArray         *elements)
{
  g_autoptr(GPtrArray) old_elements = NULL;
  g_autoptr(GPtrArray) old_items = NULL;
  g_autoptr(GPtrArray) changed = g_ptr_array_new ();
  guint n_old;
  guint n_new = elements->len;
  guint prefix = 0;
  guint suffix = 0;
  guint i = 0;
  guint j = 0;

  list_finish_growing (self);
  old_elements = self->elements;
  old_items = self->items;
  n_old = old_elements->len;

  if (n_old == 0 && n_new > GROW_STEP)
    {
      g_ptr_array_unref (old_elements);
      g_ptr_array_unref (old_items);
      old_elements = old_items = NULL;
      self->elements = g_ptr_array_ref (elements);
      self->items = g_ptr_array_new_full (n_new, unref_nullable);
      g_ptr_array_set_size (self->items, n_new);
      self->n_shown = 0;
      list_grow (self, FALSE);
      if (self->n_shown < n_new)
        self->grow_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, grow_cb, self, NULL);
      return;
    }

  self->n_shown = n_new;
  self->elements = g_ptr_array_ref (elements);
  self->items = g_ptr_array_new_full (n_new, unref_nullable);
  g_ptr_array_set_size (self->items, n_new);

  /* One pass over both sorted lists: the row objects of kept keys move over. */
  while (i < n_old && j < n_new)
    {
      int order = strcmp (key_at (old_elements, i), key_at (elements, j));

      if (order == 0)
        {
          SpBasixWindowItem *item = g_steal_pointer (&g_ptr_array_index (old_items, i));

          if (item != NULL && item->element != g_ptr_array_index (elements, j))
            g_ptr_array_add (changed, GUINT_TO_POINTER (j));
          g_ptr_array_index (self->items, j) = item;
          i++;
          j++;
        }
      else if (order < 0)
        {
          i++;
        }
      else
        {
          j++;
        }
    }

  while (prefix < MIN (n_old, n_new) &&
         g_str_equal (key_at (old_elements, prefix), key_at (elements, prefix)))
    prefix++;
  while (suffix < MIN (n_old, n_new) - prefix &&
         g_str_equal (key_at (old_elements, n_old - 1 - suffix),
                      key_at (elements, n_new - 1 - suffix)))
    suffix++;

  if (prefix + suffix < MAX (n_old, n_new))
    g_list_model_items_changed (G_LIST_MODEL (self), prefix, n_old - prefix - suffix,
                                n_new - prefix - suffix);

  /* Only rows GTK asked for have an object: a few dozen, whatever the list's length. */
  for (guint k = 0; k < changed->len; k++)
    {
      guint position = GPOINTER_TO_UINT (g_ptr_array_index (changed, k));

      item_set_element (g_ptr_array_index (self->items, position),
                        g_ptr_array_index (self->elements, position));
    }
}

/* Where @key is, or where it would go in key order. */
static gboolean
list_search (SpBasixWindowList *self,
             const char        *key,
             guint             *out_position)
{
  guint low = 0;
  guint high = self->elements->len;

  while (low < high)
    {
      guint middle = low + (high - low) / 2;
      int order = strcmp (key_at (self->elements, middle), key);

      if (order == 0)
        {
          *out_position = middle;
          return TRUE;
        }
      if (order < 0)
        low = middle + 1;
      else
        high = middle;
    }

  *out_position = low;
  return FALSE;
}

/* One change: the row is updated in place (the same row object, no items-changed), removed,
 * or added at its place in key order. */
static void
list_apply_change (SpBasixWindowList *self,
                   SpBasixChange     *change)
{
  SpBasixElement *element = change->new_element ? change->new_element : change->old_element;
  guint position;

  list_finish_growing (self);
  if (list_search (self, sp_basix_element_get_key (element), &position))
    {
      if (change->kind == SP_BASIX_CHANGE_REMOVED)
        {
          g_ptr_array_remove_index (self->elements, position);
          g_ptr_array_remove_index (self->items, position);
          self->n_shown--;
          g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
        }
      else
        {
          sp_basix_element_unref (g_ptr_array_index (self->elements, position));
          g_ptr_array_index (self->elements, position) = sp_basix_element_ref (change->new_element);
          item_set_element (g_ptr_array_index (self->items, position), change->new_element);
        }
      return;
    }

  if (change->kind == SP_BASIX_CHANGE_REMOVED)
    return;

  g_ptr_array_insert (self->elements, position, sp_basix_element_ref (change->new_element));
  g_ptr_array_insert (self->items, position, NULL);
  self->n_shown++;
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
      g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (since / G_USEC_PER_SEC);

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
  SpBasixWindowItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *row = gtk_list_item_get_child (list_item);
  GtkWidget *icon = gtk_widget_get_first_child (row);
  GtkWidget *title = gtk_widget_get_first_child (gtk_widget_get_next_sibling (icon));
  GtkWidget *subtitle = gtk_widget_get_next_sibling (title);
  g_autofree char *title_text = NULL;
  g_autofree char *subtitle_text = NULL;
  const char *icon_name;

  if (is_call)
    {
      title_text = call_title (item->element);
      subtitle_text = call_subtitle (item->element);
      icon_name = call_icon (item->element);
    }
  else
    {
      title_text = user_title (item->element);
      subtitle_text = user_subtitle (item->element, &icon_name);
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
  gtk_stack_set_visible_child_name (self->calls_stack, n_calls > 0 ? "list" : "empty");
  gtk_stack_set_visible_child_name (self->users_stack, n_users > 0 ? "list" : "empty");
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
