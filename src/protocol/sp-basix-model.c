/* sp-basix-model.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-basix-model"

#include "config.h"

#include <string.h>

#include "sp-basix-fields.h"
#include "sp-basix-model.h"
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
 * sp-basix-fields.c. */

#define DOMAIN_KEY "domain"

typedef struct
{
  gatomicrefcount ref_count;
  char **names;
  guint n_names;
  /* name → index + 1 */
  GHashTable *index;
} FieldSpec;

typedef struct
{
  char *name;  /* a GRefString, shared with the elements */
  FieldSpec *spec;
  /* key → SpBasixElement */
  GHashTable *elements;
  /* (nullable): the elements sorted by key, kept until they change */
  GPtrArray *sorted;
} Category;

struct _SpBasixModel
{
  /* name → Category */
  GHashTable *categories;
};

struct _SpBasixElement
{
  gatomicrefcount ref_count;
  SpBertDocument *doc;
  const SpBertTerm *values;
  FieldSpec *spec;
  char *category;  /* a GRefString */
  char *key;
};

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

G_DEFINE_QUARK (sp-basix-model-error-quark, sp_basix_model_error)

/* Field specs */

static FieldSpec *
field_spec_ref (FieldSpec *spec)
{
  g_atomic_ref_count_inc (&spec->ref_count);
  return spec;
}

static void
field_spec_unref (FieldSpec *spec)
{
  if (spec == NULL || !g_atomic_ref_count_dec (&spec->ref_count))
    return;

  g_hash_table_unref (spec->index);
  g_strfreev (spec->names);
  g_free (spec);
}

static int
field_spec_find (FieldSpec  *spec,
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

static SpBasixElement *
element_new (SpBertDocument   *doc,
             const SpBertTerm *values,
             FieldSpec        *spec,
             const char       *category,
             char             *key)
{
  SpBasixElement *element = g_new0 (SpBasixElement, 1);

  g_atomic_ref_count_init (&element->ref_count);
  element->doc = sp_bert_document_ref (doc);
  element->values = values;
  element->spec = field_spec_ref (spec);
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
  field_spec_unref (element->spec);
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

  index = field_spec_find (element->spec, field);
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
  field_spec_unref (category->spec);
  g_hash_table_unref (category->elements);
  g_clear_pointer (&category->sorted, g_ptr_array_unref);
  g_free (category);
}

static GHashTable *
element_table_new (void)
{
  /* The key string belongs to the element. */
  return g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                (GDestroyNotify) sp_basix_element_unref);
}

static Category *
ensure_category (SpBasixModel *model,
                 const char   *name)
{
  Category *category = g_hash_table_lookup (model->categories, name);

  if (category == NULL)
    {
      category = g_new0 (Category, 1);
      category->name = g_ref_string_new (name);
      category->elements = element_table_new ();
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

static GPtrArray *
sort_elements (GHashTable *elements)
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
    c->sorted = sort_elements (c->elements);

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

  category = ensure_category (model, update->category);
  field_spec_unref (category->spec);
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
    index = field_spec_find (spec, "uuid");
  else
    index = field_spec_find (spec, "id");

  /* Categories added after this code was written: whichever key their fields have. */
  if (index < 0)
    index = field_spec_find (spec, "uuid");
  if (index < 0)
    index = field_spec_find (spec, "id");
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

  index = field_spec_find (spec, "last_event");
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

  elements = element_table_new ();
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

      element = element_new (doc, values, spec, category, key);
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

  element = element_new (update->doc, values, category->spec, category->name, key);
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
                                           (GDestroyNotify) field_spec_unref);
  g_hash_table_iter_init (&iter, model->categories);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Category *category = value;

      if (category->spec != NULL)
        g_hash_table_insert (prepared->specs, g_ref_string_acquire (category->name),
                             field_spec_ref (category->spec));
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
  prepared->spec = field_spec_ref (spec);
  prepared->sorted = sort_elements (prepared->elements);
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
  field_spec_unref (prepared->spec);
  g_free (prepared);
}
