/* sp-basix-model-apply.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-basix-model"

#include "config.h"

#include "sp-basix-fields.h"
#include "sp-basix-model.h"
#include "sp-basix-model-private.h"
#include "sp-basix-term-private.h"

/* Applying ws_cti messages to the model (sp-basix-model.c): what each kind of message
 * changes, and the work on a snapshot that can be done in another thread first. */

#define DOMAIN_KEY "domain"

/* A snapshot read apart from the model: in the worker thread that decoded its frame, with
 * the field specs the model had when the frame arrived (the frames after it wait for it,
 * so they are still the model's when it is applied, unless the connection was reset). */
struct _SpBasixPrepared
{
  /* category name (GRefString) → FieldSpec */
  GHashTable *specs;

  /* What sp_basix_prepared_read() found: an initial_info of @category */
  SpBertDocument *doc;
  char *category;  /* a GRefString */
  FieldSpec *spec;
  GHashTable *elements;
  GPtrArray *sorted;
};

/* Applying messages */

static void
change_free (SpBasixChange *change)
{
  g_clear_pointer (&change->old_element, sp_basix_element_unref);
  g_clear_pointer (&change->new_element, sp_basix_element_unref);
  g_free (change);
}

static void
add_change (SpBasixUpdate     *update,
            SpBasixChangeKind  kind,
            SpBasixElement    *old_element,
            SpBasixElement    *new_element)
{
  SpBasixChange *change = g_new0 (SpBasixChange, 1);

  change->kind = kind;
  change->old_element = old_element != NULL ? sp_basix_element_ref (old_element) : NULL;
  change->new_element = new_element != NULL ? sp_basix_element_ref (new_element) : NULL;
  g_ptr_array_add (update->changes, change);
}

/**
 * sp_basix_update_free:
 * @update: (transfer full): an update
 */
void
sp_basix_update_free (SpBasixUpdate *update)
{
  g_return_if_fail (update != NULL);

  g_free (update->category);
  g_free (update->event);
  g_free (update->system_msg);
  g_ptr_array_unref (update->changes);
  g_clear_pointer (&update->doc, sp_bert_document_unref);
  g_free (update);
}

static gboolean
is_historical_tag (const SpBertTerm *tag)
{
  static const char * const tags[] = { "initial_chan_info", "chan_info", "park_info",
                                       "unpark_info", "mwi_info" };

  for (gsize i = 0; i < G_N_ELEMENTS (tags); i++)
    {
      if (sp_bert_term_text_equal (tag, tags[i]))
        return TRUE;
    }

  return FALSE;
}

static SpBasixMessageKind
classify (const SpBertTerm *root)
{
  static const struct { const char *tag; SpBasixMessageKind kind; } kinds[] = {
    { "field_spec", SP_BASIX_MESSAGE_FIELD_SPEC },
    { "initial_info", SP_BASIX_MESSAGE_INITIAL_INFO },
    { "info_event", SP_BASIX_MESSAGE_INFO_EVENT },
    { "system_msg", SP_BASIX_MESSAGE_SYSTEM_MSG },
    { "msg", SP_BASIX_MESSAGE_MSG },
  };
  const SpBertTerm *tag = sp_bert_term_get_child (root, 0);

  if (sp_bert_term_get_type (root) == SP_BERT_TYPE_TUPLE && tag != NULL)
    {
      for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
        {
          if (sp_bert_term_text_equal (tag, kinds[i].tag))
            return kinds[i].kind;
        }

      if (is_historical_tag (tag))
        return SP_BASIX_MESSAGE_HISTORICAL;
    }

  /* Before 2018-11 every message came as the first element of an outer container. */
  if (sp_basix_term_is_positional (root) && tag != NULL &&
      sp_bert_term_get_type (tag) == SP_BERT_TYPE_TUPLE &&
      classify (tag) != SP_BASIX_MESSAGE_UNKNOWN)
    return SP_BASIX_MESSAGE_HISTORICAL;

  return SP_BASIX_MESSAGE_UNKNOWN;
}

static gboolean
check_arity (const SpBertTerm  *root,
             gsize              arity,
             const char        *name,
             GError           **error)
{
  if (sp_bert_term_get_length (root) < arity)
    {
      g_set_error (error, SP_BASIX_MODEL_ERROR, SP_BASIX_MODEL_ERROR_MALFORMED,
                   "%s message with %" G_GSIZE_FORMAT " elements, expected %" G_GSIZE_FORMAT,
                   name, sp_bert_term_get_length (root), arity);
      return FALSE;
    }

  return TRUE;
}

static char *
dup_name (const SpBertTerm  *term,
          const char        *what,
          GError           **error)
{
  g_autofree char *name = NULL;

  if (term != NULL && sp_bert_term_is_text (term))
    name = sp_bert_term_dup_text (term);

  if (name == NULL || name[0] == '\0')
    {
      g_set_error (error, SP_BASIX_MODEL_ERROR, SP_BASIX_MODEL_ERROR_MALFORMED,
                   "%s is not a name (an atom, string or binary)", what);
      return NULL;
    }

  return g_steal_pointer (&name);
}

/* The items of a list-valued payload; `[]` and `{bert, nil}` are empty lists. */
static gboolean
get_items (const SpBertTerm  *term,
           const char        *what,
           gsize             *out_n,
           GError           **error)
{
  if (sp_basix_term_is_absent (term))
    {
      *out_n = 0;
      return TRUE;
    }

  if (sp_bert_term_get_type (term) == SP_BERT_TYPE_LIST && sp_bert_term_is_proper_list (term))
    {
      *out_n = sp_bert_term_get_length (term);
      return TRUE;
    }

  g_set_error (error, SP_BASIX_MODEL_ERROR, SP_BASIX_MODEL_ERROR_MALFORMED,
               "%s is not a list", what);
  return FALSE;
}

static gboolean
apply_field_spec (SpBasixModel      *model,
                  SpBasixUpdate     *update,
                  const SpBertTerm  *root,
                  GError           **error)
{
  const SpBertTerm *fields;
  g_autoptr(GPtrArray) names = NULL;
  FieldSpec *spec;
  Category *category;
  gsize n;

  if (!check_arity (root, 3, "field_spec", error))
    return FALSE;

  update->category = dup_name (sp_bert_term_get_child (root, 1), "field_spec category", error);
  if (update->category == NULL)
    return FALSE;

  fields = sp_bert_term_get_child (root, 2);
  if (!get_items (fields, "field_spec field list", &n, error))
    return FALSE;

  names = g_ptr_array_new_with_free_func (g_free);
  for (gsize i = 0; i < n; i++)
    {
      char *name = dup_name (sp_bert_term_get_child (fields, i), "field name", error);

      if (name == NULL)
        return FALSE;
      g_ptr_array_add (names, name);
    }
  g_ptr_array_add (names, NULL);

  spec = g_new0 (FieldSpec, 1);
  g_atomic_ref_count_init (&spec->ref_count);
  spec->n_names = (guint) n;
  spec->names = (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
  spec->index = g_hash_table_new (g_str_hash, g_str_equal);
  /* If a name repeats, the first position wins, as in the JS library's loop order. */
  for (guint i = spec->n_names; i-- > 0;)
    g_hash_table_insert (spec->index, spec->names[i], GINT_TO_POINTER (i + 1));

  category = sp_basix_model_ensure_category (model, update->category);
  sp_basix_model_field_spec_unref (category->spec);
  category->spec = spec;

  return TRUE;
}

/* The key of an element in its category, or NULL if it has none. */
static char *
element_key (const char       *category,
             FieldSpec        *spec,
             const SpBertTerm *values)
{
  int index;

  if (g_str_equal (category, DOMAIN_KEY))
    return g_strdup (DOMAIN_KEY);

  if (sp_basix_category_is_channel (category))
    index = sp_basix_model_field_spec_find (spec, "uuid");
  else
    index = sp_basix_model_field_spec_find (spec, "id");

  /* Categories added after this code was written: whichever key their fields have. */
  if (index < 0)
    index = sp_basix_model_field_spec_find (spec, "uuid");
  if (index < 0)
    index = sp_basix_model_field_spec_find (spec, "id");
  if (index < 0)
    return NULL;

  return sp_basix_term_dup_nth (values, (gsize) index);
}

static gboolean
is_hangup (const char       *category,
           FieldSpec        *spec,
           const SpBertTerm *values)
{
  const SpBertTerm *last_event;
  int index;

  if (!sp_basix_category_is_channel (category))
    return FALSE;

  index = sp_basix_model_field_spec_find (spec, "last_event");
  if (index < 0)
    return FALSE;

  last_event = sp_bert_term_get_child (values, (gsize) index);
  return last_event != NULL && sp_bert_term_text_equal (last_event, "CHANNEL_HANGUP");
}

static Category *
category_with_spec (SpBasixModel  *model,
                    const char    *name,
                    GError       **error)
{
  Category *category = g_hash_table_lookup (model->categories, name);

  if (category == NULL || category->spec == NULL)
    {
      g_set_error (error, SP_BASIX_MODEL_ERROR, SP_BASIX_MODEL_ERROR_NO_FIELD_SPEC,
                   "no field_spec received for category \"%s\"", name);
      return NULL;
    }

  return category;
}

/* The elements of an initial_info's list, keyed; NULL if the list does not fit the
 * protocol. Reads nothing but @doc and @spec: safe in any thread. */
static GHashTable *
read_snapshot (SpBertDocument    *doc,
               const SpBertTerm  *list,
               const char        *category,
               FieldSpec         *spec,
               GError           **error)
{
  g_autoptr(GHashTable) elements = NULL;
  gsize n;

  if (!get_items (list, "initial_info element list", &n, error))
    return NULL;

  elements = sp_basix_model_element_table_new ();
  for (gsize i = 0; i < n; i++)
    {
      const SpBertTerm *values = sp_bert_term_get_child (list, i);
      SpBasixElement *element;
      char *key;

      if (!sp_basix_term_is_positional (values))
        {
          g_set_error (error, SP_BASIX_MODEL_ERROR, SP_BASIX_MODEL_ERROR_MALFORMED,
                       "initial_info element %" G_GSIZE_FORMAT " is a %s, not a tuple or list",
                       i, sp_bert_type_to_string (sp_bert_term_get_type (values)));
          return NULL;
        }

      if (is_hangup (category, spec, values))
        continue;

      key = element_key (category, spec, values);
      if (key == NULL)
        {
          g_debug ("%s element %" G_GSIZE_FORMAT " has no key; ignored", category, i);
          continue;
        }

      element = sp_basix_model_element_new (doc, values, spec, category, key);
      g_hash_table_replace (elements, element->key, element);
    }

  return g_steal_pointer (&elements);
}

static gboolean
apply_initial_info (SpBasixModel      *model,
                    SpBasixUpdate     *update,
                    const SpBertTerm  *root,
                    SpBasixPrepared   *prepared,
                    GError           **error)
{
  g_autoptr(GHashTable) elements = NULL;
  g_autoptr(GPtrArray) sorted = NULL;
  Category *category;
  GHashTableIter iter;
  gpointer value;

  if (!check_arity (root, 3, "initial_info", error))
    return FALSE;

  update->category = dup_name (sp_bert_term_get_child (root, 1), "initial_info category",
                               error);
  if (update->category == NULL)
    return FALSE;

  category = category_with_spec (model, update->category, error);
  if (category == NULL)
    return FALSE;

  /* Build the new snapshot apart, so that a malformed message changes nothing; it may have
   * been built already, with the same field spec, in the thread that decoded it. */
  if (prepared != NULL && prepared->elements != NULL && prepared->doc == update->doc &&
      prepared->spec == category->spec && g_str_equal (prepared->category, category->name))
    {
      elements = g_steal_pointer (&prepared->elements);
      sorted = g_steal_pointer (&prepared->sorted);
    }
  else
    {
      elements = read_snapshot (update->doc, sp_bert_term_get_child (root, 2), category->name,
                                category->spec, error);
      if (elements == NULL)
        return FALSE;
    }

  /* The changes against what was there: additions and updates in snapshot order would
   * need the list again; hash order is fine, consumers key by element. */
  if (g_hash_table_size (category->elements) > 0)
    {
      g_hash_table_iter_init (&iter, elements);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          SpBasixElement *element = value;
          SpBasixElement *old = g_hash_table_lookup (category->elements, element->key);

          if (old == NULL)
            add_change (update, SP_BASIX_CHANGE_ADDED, NULL, element);
          else if (old->spec != element->spec || !sp_bert_term_equal (old->values, element->values))
            add_change (update, SP_BASIX_CHANGE_UPDATED, old, element);
        }

      g_hash_table_iter_init (&iter, category->elements);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          SpBasixElement *old = value;

          if (!g_hash_table_contains (elements, old->key))
            add_change (update, SP_BASIX_CHANGE_REMOVED, old, NULL);
        }
    }
  else
    {
      /* A new connection's snapshot: all of it is new, in key order if it came sorted. */
      if (sorted != NULL)
        {
          for (guint i = 0; i < sorted->len; i++)
            add_change (update, SP_BASIX_CHANGE_ADDED, NULL, g_ptr_array_index (sorted, i));
        }
      else
        {
          g_hash_table_iter_init (&iter, elements);
          while (g_hash_table_iter_next (&iter, NULL, &value))
            add_change (update, SP_BASIX_CHANGE_ADDED, NULL, value);
        }
    }

  g_hash_table_unref (category->elements);
  category->elements = g_steal_pointer (&elements);
  g_clear_pointer (&category->sorted, g_ptr_array_unref);
  category->sorted = g_steal_pointer (&sorted);

  return TRUE;
}

static gboolean
apply_info_event (SpBasixModel      *model,
                  SpBasixUpdate     *update,
                  const SpBertTerm  *root,
                  GError           **error)
{
  const SpBertTerm *values;
  Category *category;
  SpBasixElement *old;
  g_autoptr(SpBasixElement) element = NULL;
  char *key;

  if (!check_arity (root, 4, "info_event", error))
    return FALSE;

  update->category = dup_name (sp_bert_term_get_child (root, 1), "info_event category", error);
  if (update->category == NULL)
    return FALSE;

  update->event = dup_name (sp_bert_term_get_child (root, 3), "info_event event", error);
  if (update->event == NULL)
    return FALSE;

  category = category_with_spec (model, update->category, error);
  if (category == NULL)
    return FALSE;

  values = sp_bert_term_get_child (root, 2);
  if (!sp_basix_term_is_positional (values))
    {
      g_set_error (error, SP_BASIX_MODEL_ERROR, SP_BASIX_MODEL_ERROR_MALFORMED,
                   "info_event element is a %s, not a tuple or list",
                   sp_bert_type_to_string (sp_bert_term_get_type (values)));
      return FALSE;
    }

  key = element_key (category->name, category->spec, values);
  if (key == NULL)
    {
      g_set_error (error, SP_BASIX_MODEL_ERROR, SP_BASIX_MODEL_ERROR_MALFORMED,
                   "%s info_event element has no key", category->name);
      return FALSE;
    }

  element = sp_basix_model_element_new (update->doc, values, category->spec, category->name, key);
  old = g_hash_table_lookup (category->elements, element->key);

  /* Only `removed` is a confirmed event name; any other adds or updates. A channel whose
   * last event is a hang-up is gone too, whatever the event is called. */
  if (g_str_equal (update->event, "removed") ||
      is_hangup (category->name, category->spec, values))
    {
      if (old != NULL)
        {
          add_change (update, SP_BASIX_CHANGE_REMOVED, old, element);
          g_hash_table_remove (category->elements, element->key);
          g_clear_pointer (&category->sorted, g_ptr_array_unref);
        }
      return TRUE;
    }

  add_change (update, old != NULL ? SP_BASIX_CHANGE_UPDATED : SP_BASIX_CHANGE_ADDED, old,
              element);
  g_hash_table_replace (category->elements, element->key, sp_basix_element_ref (element));
  g_clear_pointer (&category->sorted, g_ptr_array_unref);

  return TRUE;
}

/**
 * sp_basix_model_apply:
 * @model: a model
 * @doc: one decoded ws_cti message
 * @error: return location for a #SP_BASIX_MODEL_ERROR
 *
 * Applies one server message: `field_spec` sets a category's field names; `initial_info`
 * replaces a category with a snapshot; `info_event` adds, updates or removes one element.
 * `system_msg`, `msg`, historical and unknown messages change nothing but are described in
 * the result, so that the caller can act on them or log them.
 *
 * Category, event and message names may be atoms, strings or binaries. A message that does
 * not fit the protocol leaves the model unchanged.
 *
 * Returns: (transfer full) (nullable): what the message did, or %NULL with @error set
 */
SpBasixUpdate *
sp_basix_model_apply (SpBasixModel    *model,
                      SpBertDocument  *doc,
                      GError         **error)
{
  return sp_basix_model_apply_prepared (model, doc, NULL, error);
}

/**
 * sp_basix_model_apply_prepared:
 * @model: a model
 * @doc: one decoded ws_cti message
 * @prepared: (nullable): what sp_basix_prepared_read() read of @doc
 * @error: return location for a #SP_BASIX_MODEL_ERROR
 *
 * Like sp_basix_model_apply(), with the work on a snapshot that @prepared did already; if
 * the field spec changed since, the snapshot is read again.
 *
 * Returns: (transfer full) (nullable): what the message did, or %NULL with @error set
 */
SpBasixUpdate *
sp_basix_model_apply_prepared (SpBasixModel     *model,
                               SpBertDocument   *doc,
                               SpBasixPrepared  *prepared,
                               GError          **error)
{
  g_autoptr(SpBasixUpdate) update = NULL;
  const SpBertTerm *root;
  gboolean ok = TRUE;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (doc != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root = sp_bert_document_get_root (doc);

  update = g_new0 (SpBasixUpdate, 1);
  update->doc = sp_bert_document_ref (doc);
  update->changes = g_ptr_array_new_with_free_func ((GDestroyNotify) change_free);
  update->kind = classify (root);

  switch (update->kind)
    {
    case SP_BASIX_MESSAGE_FIELD_SPEC:
      ok = apply_field_spec (model, update, root, error);
      break;

    case SP_BASIX_MESSAGE_INITIAL_INFO:
      ok = apply_initial_info (model, update, root, prepared, error);
      break;

    case SP_BASIX_MESSAGE_INFO_EVENT:
      ok = apply_info_event (model, update, root, error);
      break;

    case SP_BASIX_MESSAGE_SYSTEM_MSG:
    case SP_BASIX_MESSAGE_MSG:
      /* Any payload is accepted; system_msg payloads are normally atoms. */
      update->payload = sp_bert_term_get_child (root, 1);
      if (update->kind == SP_BASIX_MESSAGE_SYSTEM_MSG && update->payload != NULL &&
          sp_bert_term_is_text (update->payload))
        update->system_msg = sp_bert_term_dup_text (update->payload);
      break;

    case SP_BASIX_MESSAGE_HISTORICAL:
    case SP_BASIX_MESSAGE_UNKNOWN:
    default:
      update->payload = root;
      break;
    }

  if (!ok)
    return NULL;

  return g_steal_pointer (&update);
}

/* Snapshots read in another thread */

/**
 * sp_basix_model_prepare:
 * @model: a model
 *
 * Takes what reading a snapshot needs of @model (its field specs), for
 * sp_basix_prepared_read() in another thread. Call it when the frame comes, in the
 * model's thread.
 *
 * Returns: (transfer full): a preparation, to pass to sp_basix_model_apply_prepared()
 */
SpBasixPrepared *
sp_basix_model_prepare (SpBasixModel *model)
{
  SpBasixPrepared *prepared;
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (model != NULL, NULL);

  prepared = g_new0 (SpBasixPrepared, 1);
  prepared->specs = g_hash_table_new_full (g_str_hash, g_str_equal,
                                           (GDestroyNotify) g_ref_string_release,
                                           (GDestroyNotify) sp_basix_model_field_spec_unref);
  g_hash_table_iter_init (&iter, model->categories);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Category *category = value;

      if (category->spec != NULL)
        g_hash_table_insert (prepared->specs, g_ref_string_acquire (category->name),
                             sp_basix_model_field_spec_ref (category->spec));
    }

  return prepared;
}

/**
 * sp_basix_prepared_read:
 * @prepared: a preparation
 * @doc: the decoded frame it was made for
 *
 * If @doc is an `initial_info` of a category with a field spec, reads its elements and
 * sorts them, the work of applying it that does not need the model. Any thread.
 */
void
sp_basix_prepared_read (SpBasixPrepared *prepared,
                        SpBertDocument  *doc)
{
  const SpBertTerm *root;
  g_autofree char *name = NULL;
  gpointer category = NULL;
  gpointer spec = NULL;

  g_return_if_fail (prepared != NULL);
  g_return_if_fail (doc != NULL);

  root = sp_bert_document_get_root (doc);
  if (classify (root) != SP_BASIX_MESSAGE_INITIAL_INFO || sp_bert_term_get_length (root) < 3)
    return;

  name = dup_name (sp_bert_term_get_child (root, 1), "initial_info category", NULL);
  if (name == NULL || !g_hash_table_lookup_extended (prepared->specs, name, &category, &spec))
    return;

  /* A malformed list is left to the model's thread, which reports it. */
  prepared->elements = read_snapshot (doc, sp_bert_term_get_child (root, 2), category, spec,
                                      NULL);
  if (prepared->elements == NULL)
    return;

  prepared->doc = sp_bert_document_ref (doc);
  prepared->category = g_ref_string_acquire (category);
  prepared->spec = sp_basix_model_field_spec_ref (spec);
  prepared->sorted = sp_basix_model_sort_elements (prepared->elements);
}

/**
 * sp_basix_prepared_free:
 * @prepared: (transfer full): a preparation
 */
void
sp_basix_prepared_free (SpBasixPrepared *prepared)
{
  if (prepared == NULL)
    return;

  g_hash_table_unref (prepared->specs);
  g_clear_pointer (&prepared->elements, g_hash_table_unref);
  g_clear_pointer (&prepared->sorted, g_ptr_array_unref);
  g_clear_pointer (&prepared->doc, sp_bert_document_unref);
  g_clear_pointer (&prepared->category, g_ref_string_release);
  sp_basix_model_field_spec_unref (prepared->spec);
  g_free (prepared);
}
