/* fuzz-bert.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Feeds arbitrary bytes to the Erlang External Term Format decoder and checks its contract:
 * it never crashes or reads outside the input; a refusal always carries an error of its
 * domain with a message; an accepted frame yields a tree whose every node is consistent
 * (children present, atoms valid UTF-8, lengths bounded by the input), whose text helpers
 * return valid UTF-8, whose JSON form is valid UTF-8 that parses, and which decodes the
 * same way twice. */

#define G_LOG_DOMAIN "fuzz-bert"

#include "config.h"

#include <stdint.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "fuzz-common.h"
#include "sp-bert.h"

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

/* Small enough that every input runs fast, large enough to reach every code path. */
static const SpBertLimits limits = {
  .max_depth = 64,
  .max_size = 1024 * 1024,
  .max_bignum_bytes = 512,
};

static gsize
check_term (const SpBertTerm *term,
            gsize             input_size,
            guint             depth)
{
  gsize n_nodes = 1;
  gsize len = sp_bert_term_get_length (term);
  g_autofree char *text = NULL;
  g_autofree char *number = NULL;

  g_assert (depth <= limits.max_depth + 1);

  switch (sp_bert_term_get_type (term))
    {
    case SP_BERT_TYPE_INT:
      g_assert (sp_bert_term_get_int64 (term, NULL));
      number = sp_bert_term_dup_integer_string (term);
      g_assert (number != NULL);
      break;

    case SP_BERT_TYPE_UINT:
      g_assert (sp_bert_term_get_uint64 (term, NULL));
      g_assert (!sp_bert_term_get_int64 (term, NULL));
      number = sp_bert_term_dup_integer_string (term);
      break;

    case SP_BERT_TYPE_BIGNUM:
      number = sp_bert_term_dup_integer_string (term);
      g_assert (number != NULL);
      /* Exact decimal, at least 20 digits (beyond 64 bits), no leading zero. */
      g_assert (strlen (number) >= 19);
      g_assert (number[number[0] == '-' ? 1 : 0] != '0');
      g_assert (strspn (number + (number[0] == '-'), "0123456789") ==
                strlen (number + (number[0] == '-')));
      break;

    case SP_BERT_TYPE_FLOAT:
      g_assert (sp_bert_term_get_double (term, NULL));
      break;

    case SP_BERT_TYPE_ATOM:
      g_assert (sp_bert_term_get_atom (term) != NULL);
      g_assert (g_utf8_validate_len (sp_bert_term_get_atom (term), len, NULL) ||
                memchr (sp_bert_term_get_atom (term), 0, len) != NULL);
      G_GNUC_FALLTHROUGH;
    case SP_BERT_TYPE_STRING:
    case SP_BERT_TYPE_BINARY:
      {
        gsize n = 0;
        const guint8 *bytes = sp_bert_term_get_bytes (term, &n);

        g_assert (bytes != NULL);
        g_assert (n == len);
        g_assert (len <= input_size * 2);
        text = sp_bert_term_dup_text (term);
        g_assert (text != NULL);
        g_assert (g_utf8_validate (text, -1, NULL));
        g_assert (sp_bert_term_is_text (term));
        if (len > 0 && memchr (bytes, 0, len) == NULL)
          g_assert (sp_bert_term_text_equal (term, text) ==
                    (strlen (text) == len && memcmp (text, bytes, len) == 0));
      }
      break;

    case SP_BERT_TYPE_BIT_BINARY:
      {
        guint bits = sp_bert_term_get_bits (term);
        const guint8 *bytes = sp_bert_term_get_bytes (term, NULL);

        g_assert (bits >= 1 && bits <= 7);
        g_assert (len >= 1);
        /* Unused bits read as zero. */
        g_assert ((bytes[len - 1] & (0xFF >> bits)) == 0);
      }
      break;

    case SP_BERT_TYPE_TUPLE:
    case SP_BERT_TYPE_LIST:
      g_assert (len <= input_size);
      for (gsize i = 0; i < len; i++)
        {
          const SpBertTerm *child = sp_bert_term_get_child (term, i);

          g_assert (child != NULL);
          n_nodes += check_term (child, input_size, depth + 1);
        }
      g_assert (sp_bert_term_get_child (term, len) == NULL);
      if (sp_bert_term_get_type (term) == SP_BERT_TYPE_LIST)
        {
          g_assert (len >= 1);
          n_nodes += check_term (sp_bert_term_get_tail (term), input_size, depth + 1);
        }
      else
        {
          g_assert (sp_bert_term_get_tail (term) == NULL);
          /* The BERT helpers only ever look. */
          sp_bert_term_get_bert_kind (term);
          sp_bert_term_is_bert_nil (term);
          sp_bert_term_get_boolean (term, NULL);
          sp_bert_term_get_bert_time (term, NULL);
          sp_bert_term_get_bert_regex (term, NULL, NULL);
          if (sp_bert_term_get_bert_dict (term) != NULL)
            sp_bert_dict_lookup (sp_bert_term_get_bert_dict (term), "key");
        }
      break;

    case SP_BERT_TYPE_MAP:
      g_assert (len <= input_size / 2);
      for (gsize i = 0; i < len; i++)
        {
          n_nodes += check_term (sp_bert_term_get_map_key (term, i), input_size, depth + 1);
          n_nodes += check_term (sp_bert_term_get_map_value (term, i), input_size, depth + 1);
        }
      g_assert (sp_bert_term_get_map_key (term, len) == NULL);
      sp_bert_term_map_lookup (term, "key");
      break;

    case SP_BERT_TYPE_NIL:
      g_assert (len == 0);
      g_assert (sp_bert_term_is_proper_list (term));
      break;

    default:
      g_assert_not_reached ();
    }

  return n_nodes;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpBertDocument) doc = NULL;
  g_autoptr(SpBertDocument) again = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *json = NULL;
  const SpBertTerm *root;
  gsize n_nodes;

  doc = sp_bert_decode_data (data, size, &limits, &error);
  if (doc == NULL)
    {
      g_assert (error != NULL);
      g_assert (error->domain == SP_BERT_ERROR);
      g_assert (error->message != NULL && error->message[0] != '\0');
      return 0;
    }
  g_assert (error == NULL);

  root = sp_bert_document_get_root (doc);

  /* Every node is reachable and counted; a compressed frame may hold more nodes than it
   * has bytes, but never more than its size limit. */
  n_nodes = check_term (root, MAX (size, limits.max_size), 1);
  g_assert (n_nodes == sp_bert_document_get_n_terms (doc));

  again = sp_bert_decode_data (data, size, &limits, NULL);
  g_assert (again != NULL);
  g_assert (sp_bert_term_equal (root, sp_bert_document_get_root (again)));

  json = sp_bert_term_to_json (root, size % 2 == 0);
  g_assert (g_utf8_validate (json, -1, NULL));
  parser = json_parser_new ();
  g_assert (json_parser_load_from_data (parser, json, -1, NULL));

  return 0;
}
