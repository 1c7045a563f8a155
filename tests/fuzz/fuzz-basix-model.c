/* fuzz-basix-model.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Feeds a sequence of arbitrary ws_cti frames to one Basix model, as a connection would,
 * and checks its contract: it never crashes; a refusal carries an error of its domain and
 * changes nothing; after every applied message the store agrees with the changes it
 * reported (added and updated elements are found under their key, removed ones are not);
 * and every accessor and structured-field parser can be run on every element it hands out.
 * A second model is fed the same frames the way big frames are applied (the snapshot read
 * apart with sp_basix_prepared_read()), and must say and hold the same.
 *
 * Input: frames, each preceded by its length as a big-endian u16. */

#define G_LOG_DOMAIN "fuzz-basix-model"

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "fuzz-common.h"
#include "sp-basix-fields.h"
#include "sp-basix-model.h"

int LLVMFuzzerInitialize   (int           *argc,
                            char        ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init (argc, argv);
  return 0;
}

static const SpBertLimits limits = {
  .max_depth = 32,
  .max_size = 256 * 1024,
  .max_bignum_bytes = 64,
};

static void
check_text (char *text)
{
  if (text != NULL)
    g_assert (g_utf8_validate (text, -1, NULL));
  g_free (text);
}

static void
exercise_element (SpBasixModel   *model,
                  SpBasixElement *element)
{
  const char *category = sp_basix_element_get_category (element);
  const char * const *fields = sp_basix_model_get_fields (model, category);
  g_autofree char *end_user = NULL;
  g_autofree char *origination = NULL;
  g_autofree char *tags = NULL;
  g_autofree char *avatar = NULL;

  g_assert (g_utf8_validate (sp_basix_element_get_key (element), -1, NULL));

  for (guint i = 0; fields != NULL && fields[i] != NULL; i++)
    {
      const SpBertTerm *value = sp_basix_element_get (element, fields[i]);

      g_assert ((value != NULL) == sp_basix_element_has (element, fields[i]));
      g_assert (value == NULL || !sp_basix_term_is_absent (value));
      check_text (sp_basix_element_dup_string (element, fields[i]));
      sp_basix_element_get_int64 (element, fields[i], NULL);
      sp_basix_element_get_boolean (element, fields[i], NULL);
      sp_basix_element_text_equal (element, fields[i], "removed");
    }

  {
    g_auto(SpBasixState) state = { 0 };
    g_auto(SpBasixTarget) target = { 0 };
    g_auto(SpBasixOtherInfo) other = { 0 };

    if (sp_basix_parse_state (sp_basix_element_get (element, "state"), &state))
      g_assert (state.name != NULL && g_utf8_validate (state.name, -1, NULL));
    sp_basix_parse_target (sp_basix_element_get (element, "target"), &target);
    if (sp_basix_parse_other_info (sp_basix_element_get (element, "other_info"), &other))
      {
        g_autoptr(GPtrArray) items = sp_basix_parse_end_user (other.end_user, NULL);
      }
  }

  end_user = sp_basix_element_dup_string (element, "end_user");
  {
    guint declared = 0;
    g_autoptr(GPtrArray) items = sp_basix_parse_end_user (end_user, &declared);

    g_assert (declared >= items->len);
    for (guint i = 0; i < items->len; i++)
      {
        SpBasixEndUserItem *item = items->pdata[i];
        g_autofree char *url = sp_basix_avatar_url ("https://example.com/", item->avatar, TRUE);

        g_assert (g_utf8_validate (item->name, -1, NULL));
        g_assert (g_utf8_validate (item->organization, -1, NULL));
        g_assert (url != NULL);
      }
  }

  origination = sp_basix_element_dup_string (element, "origination");
  {
    g_auto(GStrv) tokens = sp_basix_parse_origination (origination);

    for (guint i = 0; tokens[i] != NULL; i++)
      g_assert (g_utf8_validate (tokens[i], -1, NULL));
  }

  tags = sp_basix_element_dup_string (element, "tags");
  {
    g_auto(GStrv) parts = sp_basix_parse_tags (tags);
  }

  avatar = sp_basix_element_dup_string (element, "avatar");
  check_text (sp_basix_avatar_url ("https://example.com/", avatar, FALSE));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(SpBasixModel) model = sp_basix_model_new ();
  g_autoptr(SpBasixModel) twin = sp_basix_model_new ();
  gsize offset = 0;

  while (offset + 2 <= size)
    {
      gsize len = MIN ((gsize) (data[offset] << 8 | data[offset + 1]), size - offset - 2);
      g_autoptr(SpBertDocument) doc = NULL;
      g_autoptr(SpBasixUpdate) update = NULL;
      g_autoptr(SpBasixUpdate) twin_update = NULL;
      g_autoptr(SpBasixPrepared) prepared = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) twin_error = NULL;

      doc = sp_bert_decode_data (data + offset + 2, len, &limits, NULL);
      offset += 2 + len;
      if (doc == NULL)
        continue;

      prepared = sp_basix_model_prepare (twin);
      sp_basix_prepared_read (prepared, doc);
      twin_update = sp_basix_model_apply_prepared (twin, doc, prepared, &twin_error);
      update = sp_basix_model_apply (model, doc, &error);
      g_assert ((update == NULL) == (twin_update == NULL));
      if (update == NULL)
        {
          g_assert (error != NULL && error->domain == SP_BASIX_MODEL_ERROR);
          g_assert (twin_error->code == error->code);
          continue;
        }
      g_assert (twin_update->changes->len == update->changes->len);

      if (update->category != NULL)
        {
          g_autoptr(GPtrArray) list = sp_basix_model_list (model, update->category);
          g_autoptr(GPtrArray) twin_list = sp_basix_model_list (twin, update->category);

          g_assert (g_utf8_validate (update->category, -1, NULL));
          g_assert (list->len == sp_basix_model_get_n_elements (model, update->category));
          g_assert (twin_list->len == list->len);
          for (guint i = 0; i < list->len; i++)
            g_assert (g_str_equal (sp_basix_element_get_key (list->pdata[i]),
                                   sp_basix_element_get_key (twin_list->pdata[i])));
        }
      if (update->system_msg != NULL)
        g_assert (g_utf8_validate (update->system_msg, -1, NULL));

      for (guint i = 0; i < update->changes->len; i++)
        {
          SpBasixChange *change = update->changes->pdata[i];
          SpBasixElement *element = change->new_element ? change->new_element : change->old_element;
          SpBasixElement *stored;

          g_assert (element != NULL);
          stored = sp_basix_model_lookup (model, sp_basix_element_get_category (element),
                                          sp_basix_element_get_key (element));

          switch (change->kind)
            {
            case SP_BASIX_CHANGE_ADDED:
              g_assert (change->old_element == NULL);
              g_assert (stored == change->new_element);
              break;
            case SP_BASIX_CHANGE_UPDATED:
              g_assert (change->old_element != NULL);
              g_assert (stored == change->new_element);
              break;
            case SP_BASIX_CHANGE_REMOVED:
              g_assert (change->old_element != NULL);
              g_assert (stored == NULL);
              break;
            default:
              g_assert_not_reached ();
            }

          if (change->old_element != NULL)
            exercise_element (model, change->old_element);
          if (change->new_element != NULL)
            exercise_element (model, change->new_element);
        }
    }

  return 0;
}
