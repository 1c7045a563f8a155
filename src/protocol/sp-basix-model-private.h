/* sp-basix-model-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "sp-bert.h"

G_BEGIN_DECLS

/* Not sp-basix-model.h, which would make an include cycle with sp-basix-model.c. */
typedef struct _SpBasixModel SpBasixModel;
typedef struct _SpBasixElement SpBasixElement;

/* What sp-basix-model-apply.c (applying messages) shares with sp-basix-model.c (the
 * store: field specs, elements, categories). */

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

FieldSpec      *sp_basix_model_field_spec_ref    (FieldSpec        *spec);
void            sp_basix_model_field_spec_unref  (FieldSpec        *spec);
int             sp_basix_model_field_spec_find   (FieldSpec        *spec,
                                                  const char       *name);
SpBasixElement *sp_basix_model_element_new       (SpBertDocument   *doc,
                                                  const SpBertTerm *values,
                                                  FieldSpec        *spec,
                                                  const char       *category,
                                                  char             *key);
GHashTable     *sp_basix_model_element_table_new (void);
Category       *sp_basix_model_ensure_category   (SpBasixModel     *model,
                                                  const char       *name);
GPtrArray      *sp_basix_model_sort_elements     (GHashTable       *elements);

G_END_DECLS
