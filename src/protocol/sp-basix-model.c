/* sp-basix-model.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-basix-model"

#include "config.h"

#include <string.h>

#include "sp-basix-fields.h"
#include "sp-basix-model.h"
#include "sp-basix-model-private.h"
#include "sp-basix-term-private.h"

/* The PBX state a Basix ws_cti connection describes: per category, the field names from
 * `field_spec` and the elements from `initial_info` and `info_event`, keyed by `uuid`
 * (channels) or `id` (users, groups, members, terminals).
 *
 * Elements are not copied out of their frames. An element is the decoded tuple (or list)
 * itself, with a reference to its frame's document and to the field spec it was read
 * with, so that applying a 10 000-channel snapshot costs one hash table insertion per
 * element; values are read, and structured fields parsed, only when asked for. A snapshot
 * stays in memory as long as one of its elements does.
 *
 * Reading a field's value (absent or not, as text, the structured channel fields) is in
 * sp-basix-fields.c; applying messages (and reading a snapshot in another thread) in
 * sp-basix-model-apply.c. The two files share sp-basix-model-private.h. */

G_DEFINE_QUARK (sp-basix-model-error-quark, sp_basix_model_error)

/* Field specs */

FieldSpec *
sp_basix_model_field_spec_ref (FieldSpec *spec)
{
  g_atomic_ref_count_inc (&spec->ref_count);
  return spec;
}

void
sp_basix_model_field_spec_unref (FieldSpec *spec)
{
  if (spec == NULL || !g_atomic_ref_count_dec (&spec->ref_count))
    return;

  g_hash_table_unref (spec->index);
  g_strfreev (spec->names);
  g_free (spec);
}

int
sp_basix_model_field_spec_find (FieldSpec  *spec,
                                const char *name)
{
  gpointer value = g_hash_table_lookup (spec->index, name);

  return value != NULL ? GPOINTER_TO_INT (value) - 1 : -1;
}

/* Elements */

/**
 * sp_basix_category_is_channel:
 * @category: a category name
 *
 * Returns: whether elements of @category are channels (keyed by `uuid`, with the
 *   structured channel fields and removal on `CHANNEL_HANGUP`)
 */
gboolean
sp_basix_category_is_channel (const char *category)
{
  return g_strcmp0 (category, "channel") == 0 || g_strcmp0 (category, "channel_waiting") == 0 ||
         g_strcmp0 (category, "queued_channel") == 0 ||
         g_strcmp0 (category, "parked_channel") == 0;
}

SpBasixElement *
sp_basix_model_element_new (SpBertDocument   *doc,
                            const SpBertTerm *values,
                            FieldSpec        *spec,
                            const char       *category,
                            char             *key)
{
  SpBasixElement *element = g_new0 (SpBasixElement, 1);

  g_atomic_ref_count_init (&element->ref_count);
  element->doc = sp_bert_document_ref (doc);
  element->values = values;
  element->spec = sp_basix_model_field_spec_ref (spec);
  element->category = g_ref_string_acquire ((char *) category);
  element->key = key;

  return element;
}

/**
 * sp_basix_element_ref:
 * @element: an element
 *
 * Returns: (transfer full): @element
 */
SpBasixElement *
sp_basix_element_ref (SpBasixElement *element)
{
  g_return_val_if_fail (element != NULL, NULL);

  g_atomic_ref_count_inc (&element->ref_count);
  return element;
}

/**
 * sp_basix_element_unref:
 * @element: (transfer full): an element
 */
void
sp_basix_element_unref (SpBasixElement *element)
{
  g_return_if_fail (element != NULL);

  if (!g_atomic_ref_count_dec (&element->ref_count))
    return;

  sp_bert_document_unref (element->doc);
  sp_basix_model_field_spec_unref (element->spec);
  g_ref_string_release (element->category);
  g_free (element->key);
  g_free (element);
}

/**
 * sp_basix_element_get_category:
 * @element: an element
 *
 * Returns: the category of @element, such as `channel` or `user`
 */
const char *
sp_basix_element_get_category (SpBasixElement *element)
{
  g_return_val_if_fail (element != NULL, NULL);

  return element->category;
}

/**
 * sp_basix_element_get_key:
 * @element: an element
 *
 * Returns: the key of @element in its category: the `uuid` of a channel, the `id` of a
 *   user, group, member or terminal (in decimal if it is an integer), `domain` for the
 *   domain record
 */
const char *
sp_basix_element_get_key (SpBasixElement *element)
{
  g_return_val_if_fail (element != NULL, NULL);

  return element->key;
}

/**
 * sp_basix_element_get:
 * @element: an element
 * @field: a field name from the category's `field_spec`
 *
 * Values are positional: value *i* belongs to field *i*. Values missing at the end and
 * values that mean nothing (see sp_basix_term_is_absent()) are absent.
 *
 * Returns: (nullable): the raw value, or %NULL if absent
 */
const SpBertTerm *
sp_basix_element_get (SpBasixElement *element,
                      const char     *field)
{
  int index;

  g_return_val_if_fail (element != NULL, NULL);
  g_return_val_if_fail (field != NULL, NULL);

  index = sp_basix_model_field_spec_find (element->spec, field);
  if (index < 0)
    return NULL;

  return sp_basix_term_nth (element->values, (gsize) index);
}

/**
 * sp_basix_element_has:
 * @element: an element
 * @field: a field name
 *
 * Returns: whether @field has a value in @element
 */
gboolean
sp_basix_element_has (SpBasixElement *element,
                      const char     *field)
{
  return sp_basix_element_get (element, field) != NULL;
}

/**
 * sp_basix_element_dup_string:
 * @element: an element
 * @field: a field name
 *
 * Returns: (transfer full) (nullable): the value of @field as text (see
 *   sp_basix_term_dup_string()), or %NULL if absent or not a scalar
 */
char *
sp_basix_element_dup_string (SpBasixElement *element,
                             const char     *field)
{
  return sp_basix_term_dup_string (sp_basix_element_get (element, field));
}

/**
 * sp_basix_element_get_int64:
 * @element: an element
 * @field: a field name
 * @out_value: (out) (optional): the value
 *
 * Reads an integer such as an id or a microsecond timestamp. Decimal text is accepted too,
 * as ids are sometimes sent as binaries.
 *
 * Returns: %TRUE if @field holds an integer that fits in 64 bits
 */
gboolean
sp_basix_element_get_int64 (SpBasixElement *element,
                            const char     *field,
                            gint64         *out_value)
{
  const SpBertTerm *term = sp_basix_element_get (element, field);
  g_autofree char *text = NULL;

  if (term == NULL)
    return FALSE;

  if (sp_bert_term_get_int64 (term, out_value))
    return TRUE;

  if (!sp_bert_term_is_text (term))
    return FALSE;

  text = sp_bert_term_dup_text (term);
  return g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, out_value, NULL);
}

/**
 * sp_basix_element_get_boolean:
 * @element: an element
 * @field: a field name
 * @out_value: (out) (optional): the value
 *
 * Returns: %TRUE if @field holds `true` or `false`, as atoms, as BERT tuples, or as text
 */
gboolean
sp_basix_element_get_boolean (SpBasixElement *element,
                              const char     *field,
                              gboolean       *out_value)
{
  const SpBertTerm *term = sp_basix_element_get (element, field);

  if (term == NULL)
    return FALSE;

  if (sp_bert_term_get_boolean (term, out_value))
    return TRUE;

  if (sp_bert_term_text_equal (term, "true") || sp_bert_term_text_equal (term, "false"))
    {
      if (out_value != NULL)
        *out_value = sp_bert_term_text_equal (term, "true");
      return TRUE;
    }

  return FALSE;
}

/**
 * sp_basix_element_text_equal:
 * @element: an element
 * @field: a field name
 * @text: UTF-8 text
 *
 * Compares a symbolic value (`inbound`, `CHANNEL_HANGUP`, …) whether it was sent as an
 * atom, a string or a binary, without copying it.
 *
 * Returns: whether @field holds @text
 */
gboolean
sp_basix_element_text_equal (SpBasixElement *element,
                             const char     *field,
                             const char     *text)
{
  const SpBertTerm *term = sp_basix_element_get (element, field);

  return term != NULL && sp_bert_term_text_equal (term, text);
}

/* Categories and the model */

static void
category_free (Category *category)
{
  g_ref_string_release (category->name);
  sp_basix_model_field_spec_unref (category->spec);
  g_hash_table_unref (category->elements);
  g_clear_pointer (&category->sorted, g_ptr_array_unref);
  g_free (category);
}

GHashTable *
sp_basix_model_element_table_new (void)
{
  /* The key string belongs to the element. */
  return g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                (GDestroyNotify) sp_basix_element_unref);
}

Category *
sp_basix_model_ensure_category (SpBasixModel *model,
                                const char   *name)
{
  Category *category = g_hash_table_lookup (model->categories, name);

  if (category == NULL)
    {
      category = g_new0 (Category, 1);
      category->name = g_ref_string_new (name);
      category->elements = sp_basix_model_element_table_new ();
      g_hash_table_insert (model->categories, category->name, category);
    }

  return category;
}

/**
 * sp_basix_model_new:
 *
 * Returns: (transfer full): an empty model
 */
SpBasixModel *
sp_basix_model_new (void)
{
  SpBasixModel *model = g_new0 (SpBasixModel, 1);

  model->categories = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                             (GDestroyNotify) category_free);
  return model;
}

/**
 * sp_basix_model_free:
 * @model: (transfer full): a model
 *
 * Frees the model. Elements referenced elsewhere stay valid.
 */
void
sp_basix_model_free (SpBasixModel *model)
{
  g_return_if_fail (model != NULL);

  g_hash_table_unref (model->categories);
  g_free (model);
}

/**
 * sp_basix_model_reset:
 * @model: a model
 *
 * Forgets every field spec and element. Call it on every reconnect: the server sends
 * everything again, and nothing of the old connection may be mixed into the new one.
 */
void
sp_basix_model_reset (SpBasixModel *model)
{
  g_return_if_fail (model != NULL);

  g_hash_table_remove_all (model->categories);
}

/**
 * sp_basix_model_lookup:
 * @model: a model
 * @category: a category name
 * @key: an element key
 *
 * Returns: (transfer none) (nullable): the element, or %NULL
 */
SpBasixElement *
sp_basix_model_lookup (SpBasixModel *model,
                       const char   *category,
                       const char   *key)
{
  Category *c;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (category != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  c = g_hash_table_lookup (model->categories, category);
  return c != NULL ? g_hash_table_lookup (c->elements, key) : NULL;
}

/**
 * sp_basix_model_get_n_elements:
 * @model: a model
 * @category: a category name
 *
 * Returns: how many elements @category holds
 */
guint
sp_basix_model_get_n_elements (SpBasixModel *model,
                               const char   *category)
{
  Category *c;

  g_return_val_if_fail (model != NULL, 0);
  g_return_val_if_fail (category != NULL, 0);

  c = g_hash_table_lookup (model->categories, category);
  return c != NULL ? g_hash_table_size (c->elements) : 0;
}

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  const SpBasixElement *ea = *(SpBasixElement * const *) a;
  const SpBasixElement *eb = *(SpBasixElement * const *) b;

  return strcmp (ea->key, eb->key);
}

static gpointer
copy_element (gconstpointer element,
              gpointer      user_data)
{
  return sp_basix_element_ref ((SpBasixElement *) element);
}

GPtrArray *
sp_basix_model_sort_elements (GHashTable *elements)
{
  GPtrArray *list = g_ptr_array_new_full (g_hash_table_size (elements),
                                          (GDestroyNotify) sp_basix_element_unref);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, elements);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, sp_basix_element_ref (value));
  g_ptr_array_sort (list, compare_keys);

  return list;
}

/**
 * sp_basix_model_list:
 * @model: a model
 * @category: a category name
 *
 * Returns: (transfer full) (element-type SpBasixElement): the elements of @category,
 *   sorted by key
 */
GPtrArray *
sp_basix_model_list (SpBasixModel *model,
                     const char   *category)
{
  Category *c;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (category != NULL, NULL);

  c = g_hash_table_lookup (model->categories, category);
  if (c == NULL)
    return g_ptr_array_new_with_free_func ((GDestroyNotify) sp_basix_element_unref);

  /* Sorted once per change of the category, not for every reader; a snapshot decoded in a
   * worker thread comes sorted. */
  if (c->sorted == NULL)
    c->sorted = sp_basix_model_sort_elements (c->elements);

  return g_ptr_array_copy (c->sorted, (GCopyFunc) copy_element, NULL);
}

/**
 * sp_basix_model_get_fields:
 * @model: a model
 * @category: a category name
 *
 * Returns: (transfer none) (nullable): the field names of @category from its last
 *   `field_spec`, or %NULL if none came yet
 */
const char * const *
sp_basix_model_get_fields (SpBasixModel *model,
                           const char   *category)
{
  Category *c;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (category != NULL, NULL);

  c = g_hash_table_lookup (model->categories, category);
  return c != NULL && c->spec != NULL ? (const char * const *) c->spec->names : NULL;
}
