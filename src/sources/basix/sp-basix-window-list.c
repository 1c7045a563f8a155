/* sp-basix-window-list.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-basix-window"

#include "config.h"

#include <string.h>

#include "sp-basix-window-list.h"

/*
 * The rows of one category of the Basix live view: the elements in key order, as a list
 * model whose row objects (SpBasixWindowItem) are made only when GTK asks for them, the
 * rows on screen; a 10 000-element snapshot costs an array of references.
 *
 * The model changes by items: an element that is updated keeps its row object, which tells
 * its row to show the new version (no items-changed, the row widget stays); only additions
 * and removals are items-changed, and a snapshot is one items-changed over the part of the
 * list that really changed, the row objects of the elements it kept handed back to GTK so
 * that it keeps their row widgets.
 *
 * What makes a long stall is not the model but GTK making row widgets: GTK 4.8's list view
 * makes them, for the 200 rows after the first one on screen, in its items-changed handler,
 * and styles and measures them in the next frame, about 0.1-0.2 ms a row. So a list that
 * grows from a few rows to a snapshot's thousands is announced to GTK a few rows per frame
 * (a tick callback of the pacer, the window, while it is on screen) until it passes those
 * 200; the rest then comes in one items-changed, which makes no row. Meanwhile the list GTK knows is the first rows of
 * the new one in order, and changes that arrive are applied to the whole list, announced
 * only for the part GTK knows.
 */

/* Rows announced per frame while the list grows: about 2-3 ms of GTK's work on the 2-core
 * build machine, and a screenful or so of a window of the default size. */
#define GROW_STEP 10

/* Rows announced with the snapshot itself: the first frame also draws the list's first
 * screenful, text never drawn before (CJK glyphs are rendered once per process). */
#define FIRST_STEP 5

/* GTK 4.8's list view keeps row widgets for GTK_LIST_VIEW_MAX_LIST_ITEMS (200) rows plus a
 * few around its anchor: once it knows more rows than that, announcing the rest makes no
 * widget. */
#define GROW_ALL_AFTER 210

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

struct _SpBasixWindowList
{
  GObject    parent_instance;
  GPtrArray *elements;   /* (element-type SpBasixElement): all of them, in key order */
  GPtrArray *items;      /* (element-type SpBasixWindowItem) (nullable items): made on demand */
  guint      n_shown;    /* the first n_shown elements are the list GTK knows */
  GtkWidget *pacer;      /* (unowned) (nullable): its frames pace the growth */
  guint      tick_id;
};

static void sp_basix_window_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SpBasixWindowList, sp_basix_window_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      sp_basix_window_list_model_init))

/* Row objects */

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

  /**
   * SpBasixWindowItem::changed:
   *
   * The element was replaced by a newer version: the row bound to it shows it again.
   */
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

/**
 * sp_basix_window_item_get_element:
 *
 * Returns: (transfer none): the element the row shows
 */
SpBasixElement *
sp_basix_window_item_get_element (SpBasixWindowItem *self)
{
  g_return_val_if_fail (SP_IS_BASIX_WINDOW_ITEM (self), NULL);

  return self->element;
}

/* Gives a row object its new element, and has its row show it. */
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

/* The list model */

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

static void
stop_pacing (SpBasixWindowList *self)
{
  if (self->tick_id != 0 && self->pacer != NULL)
    gtk_widget_remove_tick_callback (self->pacer, self->tick_id);
  self->tick_id = 0;
}

static void
sp_basix_window_list_dispose (GObject *object)
{
  SpBasixWindowList *self = (SpBasixWindowList *)object;

  sp_basix_window_list_set_pacer (self, NULL);

  G_OBJECT_CLASS (sp_basix_window_list_parent_class)->dispose (object);
}

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
  G_OBJECT_CLASS (klass)->dispose = sp_basix_window_list_dispose;
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

/* Announces the elements GTK does not know yet: the next few, or all of them. */
static void
list_grow (SpBasixWindowList *self,
           gboolean           all)
{
  guint shown = self->n_shown;

  if (all || shown >= GROW_ALL_AFTER)
    self->n_shown = self->elements->len;
  else
    self->n_shown = MIN (shown + GROW_STEP, self->elements->len);

  if (self->n_shown > shown)
    g_list_model_items_changed (G_LIST_MODEL (self), shown, 0, self->n_shown - shown);
}

static gboolean
grow_tick_cb (GtkWidget     *widget,
              GdkFrameClock *clock,
              gpointer       user_data)
{
  SpBasixWindowList *self = user_data;

  list_grow (self, FALSE);
  if (self->n_shown < self->elements->len)
    return G_SOURCE_CONTINUE;

  self->tick_id = 0;
  return G_SOURCE_REMOVE;
}

/* Has GTK learn the rest of the list: a few rows per frame while the pacer is on screen,
 * from when it is mapped if it is not yet (a window opened on a big list), all at once
 * without a pacer. */
static void
list_pace (SpBasixWindowList *self)
{
  if (self->n_shown >= self->elements->len)
    {
      stop_pacing (self);
      return;
    }

  if (self->tick_id != 0)
    return;

  if (self->pacer == NULL)
    list_grow (self, TRUE);
  else if (gtk_widget_get_mapped (self->pacer))
    self->tick_id = gtk_widget_add_tick_callback (self->pacer, grow_tick_cb, self, NULL);
}

static void
pacer_map_cb (SpBasixWindowList *self)
{
  list_pace (self);
}

/* No frame comes while the window is hidden: the growth waits for it to be shown again
 * rather than have GTK make the rows of a window nobody sees (or that is closing). */
static void
pacer_unmap_cb (SpBasixWindowList *self)
{
  stop_pacing (self);
}

/**
 * sp_basix_window_list_set_pacer:
 * @pacer: (nullable) (transfer none): the widget whose frames pace the list's growth; unset
 *   it before it is disposed
 */
void
sp_basix_window_list_set_pacer (SpBasixWindowList *self,
                                GtkWidget         *pacer)
{
  g_return_if_fail (SP_IS_BASIX_WINDOW_LIST (self));
  g_return_if_fail (pacer == NULL || GTK_IS_WIDGET (pacer));

  if (pacer == self->pacer)
    return;

  if (self->pacer != NULL)
    {
      stop_pacing (self);
      g_signal_handlers_disconnect_by_func (self->pacer, pacer_map_cb, self);
      g_signal_handlers_disconnect_by_func (self->pacer, pacer_unmap_cb, self);
    }
  self->pacer = pacer;
  if (pacer != NULL)
    {
      g_signal_connect_object (pacer, "map", G_CALLBACK (pacer_map_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (pacer, "unmap", G_CALLBACK (pacer_unmap_cb), self,
                               G_CONNECT_SWAPPED);
      list_pace (self);
    }
}

/**
 * sp_basix_window_list_get_n_elements:
 *
 * Returns: the length of the list, including the rows not announced to GTK yet
 */
guint
sp_basix_window_list_get_n_elements (SpBasixWindowList *self)
{
  g_return_val_if_fail (SP_IS_BASIX_WINDOW_LIST (self), 0);

  return self->elements->len;
}

/**
 * sp_basix_window_list_new:
 *
 * Returns: (transfer full): an empty list
 */
SpBasixWindowList *
sp_basix_window_list_new (void)
{
  return g_object_new (SP_TYPE_BASIX_WINDOW_LIST, NULL);
}

/**
 * sp_basix_window_list_replace_all:
 * @elements: (transfer none) (element-type SpBasixElement): the whole list, sorted by key
 *
 * Elements whose key stays keep their row object; the rows before the first and after the
 * last difference in keys are not touched at all, and the rest is one items-changed. A
 * list that grows past a screenful is announced over the next frames.
 */
void
sp_basix_window_list_replace_all (SpBasixWindowList *self,
                                  GPtrArray         *elements)
{
  g_autoptr(GPtrArray) old_elements = NULL;
  g_autoptr(GPtrArray) old_items = NULL;
  g_autoptr(GArray) changed = g_array_new (FALSE, FALSE, sizeof (guint));
  guint n_old;
  guint n_known = self->n_shown;
  guint n_new = elements->len;
  guint n_shown;
  guint prefix = 0;
  guint suffix = 0;
  guint i = 0;
  guint j = 0;

  g_return_if_fail (SP_IS_BASIX_WINDOW_LIST (self));

  old_elements = g_steal_pointer (&self->elements);
  old_items = g_steal_pointer (&self->items);
  n_old = old_elements->len;

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
            g_array_append_val (changed, j);
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

  /* What GTK knows of the new list: all of it, or if it grows past a screenful, as much as
   * it knew of the old one (at least a few rows) and the rest in the next frames. */
  if (n_new > n_known && n_known < GROW_ALL_AFTER && self->pacer != NULL)
    n_shown = MIN (n_new, MAX (n_known, FIRST_STEP));
  else
    n_shown = n_new;

  /* The difference between the list GTK knew and the one it knows now. */
  while (prefix < MIN (n_known, n_shown) &&
         g_str_equal (key_at (old_elements, prefix), key_at (elements, prefix)))
    prefix++;
  while (suffix < MIN (n_known, n_shown) - prefix &&
         g_str_equal (key_at (old_elements, n_known - 1 - suffix),
                      key_at (elements, n_shown - 1 - suffix)))
    suffix++;

  self->n_shown = n_shown;
  if (prefix + suffix < MAX (n_known, n_shown))
    g_list_model_items_changed (G_LIST_MODEL (self), prefix, n_known - prefix - suffix,
                                n_shown - prefix - suffix);

  /* Only rows GTK asked for have an object: a few hundred, whatever the list's length. */
  for (guint k = 0; k < changed->len; k++)
    {
      guint position = g_array_index (changed, guint, k);

      item_set_element (g_ptr_array_index (self->items, position),
                        g_ptr_array_index (self->elements, position));
    }

  list_pace (self);
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

/**
 * sp_basix_window_list_apply_change:
 * @change: one change of the list's category
 *
 * The row is updated in place (the same row object, no items-changed), removed, or added at
 * its place in key order; while the list grows, a change past the rows GTK knows is
 * announced with the rest.
 */
void
sp_basix_window_list_apply_change (SpBasixWindowList *self,
                                   SpBasixChange     *change)
{
  SpBasixElement *element;
  gboolean growing;
  guint position;

  g_return_if_fail (SP_IS_BASIX_WINDOW_LIST (self));
  g_return_if_fail (change != NULL);

  element = change->new_element ? change->new_element : change->old_element;
  growing = self->n_shown < self->elements->len;

  if (list_search (self, sp_basix_element_get_key (element), &position))
    {
      if (change->kind == SP_BASIX_CHANGE_REMOVED)
        {
          g_ptr_array_remove_index (self->elements, position);
          g_ptr_array_remove_index (self->items, position);
          if (position < self->n_shown)
            {
              self->n_shown--;
              g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
            }
          if (growing && self->n_shown >= self->elements->len)
            stop_pacing (self);
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
  if (!growing || position < self->n_shown)
    {
      self->n_shown++;
      g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
    }
}
