/* test-bert.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-bert"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <zlib.h>

#include "sp-bert.h"

/* The decoder is tested against frames written by real Erlang (term_to_binary/2, run from
 * tests/servers/make-bert-frames.erl at test time), each with the expected decoding computed by
 * Erlang from the term itself, and against hand-made malformed frames. */

static const char *escript_path;
static char *frames_dir;
static gboolean frames_dir_is_temporary;
static char **frame_names;

/* Helpers */

static GBytes *
load_frame (const char *name)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  path = g_strdup_printf ("%s/%s.bin", frames_dir, name);
  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);

  return g_bytes_new_take (contents, len);
}

static SpBertDocument *
decode_frame (const char *name)
{
  g_autoptr(GBytes) bytes = load_frame (name);
  g_autoptr(GError) error = NULL;
  SpBertDocument *doc;

  doc = sp_bert_decode (bytes, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (doc);

  return doc;
}

#define frame_root(doc) sp_bert_document_get_root (doc)

static void
skip_without_frames (void)
{
  if (frames_dir == NULL)
    g_test_skip ("Erlang (escript) is not available to write the test frames");
}

static SpBertDocument *
decode_hex (const char         *hex,
            const SpBertLimits *limits,
            GError            **error)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();

  for (const char *p = hex; *p != '\0';)
    {
      guint8 byte;

      if (g_ascii_isspace (*p))
        {
          p++;
          continue;
        }
      g_assert_true (g_ascii_isxdigit (p[0]) && g_ascii_isxdigit (p[1]));
      byte = (guint8) (g_ascii_xdigit_value (p[0]) << 4 | g_ascii_xdigit_value (p[1]));
      g_byte_array_append (bytes, &byte, 1);
      p += 2;
    }

  return sp_bert_decode_data (bytes->data, bytes->len, limits, error);
}

static void
assert_rejected_hex (const char   *hex,
                     SpBertError   code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpBertDocument) doc = NULL;

  doc = decode_hex (hex, NULL, &error);
  if (error == NULL)
    g_error ("frame %s was accepted, expected error %d", hex, code);
  g_assert_error (error, SP_BERT_ERROR, (int) code);
  g_assert_null (doc);
  g_test_message ("%s -> %s", hex, error->message);
}

static SpBertDocument *
accept_hex (const char *hex)
{
  g_autoptr(GError) error = NULL;
  SpBertDocument *doc;

  doc = decode_hex (hex, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (doc);

  return doc;
}

static const SpBertTerm *
nth (const SpBertTerm *term,
     gsize             index)
{
  const SpBertTerm *child = sp_bert_term_get_child (term, index);

  g_assert_nonnull (child);
  return child;
}

static void
assert_int (const SpBertTerm *term,
            gint64            expected)
{
  gint64 value = 0;

  g_assert_cmpint (sp_bert_term_get_type (term), ==, SP_BERT_TYPE_INT);
  g_assert_true (sp_bert_term_get_int64 (term, &value));
  g_assert_cmpint (value, ==, expected);
}

static void
assert_bignum (const SpBertTerm *term,
               const char       *expected)
{
  g_autofree char *text = sp_bert_term_dup_integer_string (term);

  g_assert_cmpint (sp_bert_term_get_type (term), ==, SP_BERT_TYPE_BIGNUM);
  g_assert_false (sp_bert_term_get_int64 (term, NULL));
  g_assert_false (sp_bert_term_get_uint64 (term, NULL));
  g_assert_cmpstr (text, ==, expected);
}

static void
assert_text (const SpBertTerm *term,
             SpBertType        type,
             const char       *expected)
{
  g_autofree char *text = sp_bert_term_dup_text (term);

  g_assert_cmpint (sp_bert_term_get_type (term), ==, type);
  g_assert_cmpstr (text, ==, expected);
  g_assert_true (g_utf8_validate (text, -1, NULL));
}

static SpBertError
error_code_from_name (const char *name)
{
  static const struct { const char *name; SpBertError code; } codes[] = {
    { "EMPTY", SP_BERT_ERROR_EMPTY },
    { "BAD_VERSION", SP_BERT_ERROR_BAD_VERSION },
    { "TRUNCATED", SP_BERT_ERROR_TRUNCATED },
    { "TRAILING_DATA", SP_BERT_ERROR_TRAILING_DATA },
    { "UNKNOWN_TAG", SP_BERT_ERROR_UNKNOWN_TAG },
    { "UNSUPPORTED", SP_BERT_ERROR_UNSUPPORTED },
    { "INVALID", SP_BERT_ERROR_INVALID },
    { "TOO_DEEP", SP_BERT_ERROR_TOO_DEEP },
    { "TOO_LARGE", SP_BERT_ERROR_TOO_LARGE },
    { "COMPRESSION", SP_BERT_ERROR_COMPRESSION },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      if (g_strcmp0 (codes[i].name, name) == 0)
        return codes[i].code;
    }

  g_error ("unknown error code name %s", name);
}

static gboolean
frame_is_reject (const char *name)
{
  g_autofree char *path = g_strdup_printf ("%s/%s.err", frames_dir, name);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* Data-driven: one test per Erlang-written frame */

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);

  return json_node_copy (json_parser_get_root (parser));
}

static void
test_frame (gconstpointer data)
{
  const char *name = data;
  g_autoptr(GBytes) bytes = load_frame (name);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpBertDocument) doc = NULL;
  g_autofree char *path = NULL;

  doc = sp_bert_decode (bytes, NULL, &error);

  if (frame_is_reject (name))
    {
      g_autofree char *code_name = NULL;

      path = g_strdup_printf ("%s/%s.err", frames_dir, name);
      g_assert_true (g_file_get_contents (path, &code_name, NULL, NULL));
      g_assert_null (doc);
      g_assert_error (error, SP_BERT_ERROR, (int) error_code_from_name (g_strstrip (code_name)));
      g_test_message ("%s: %s", name, error->message);
    }
  else
    {
      g_autofree char *expected_text = NULL;
      g_autofree char *compact = NULL;
      g_autofree char *pretty = NULL;
      g_autoptr(JsonNode) expected = NULL;
      g_autoptr(JsonNode) actual = NULL;
      g_autoptr(JsonNode) actual_pretty = NULL;

      g_assert_no_error (error);
      g_assert_nonnull (doc);

      path = g_strdup_printf ("%s/%s.json", frames_dir, name);
      g_assert_true (g_file_get_contents (path, &expected_text, NULL, NULL));

      compact = sp_bert_term_to_json (frame_root (doc), FALSE);
      pretty = sp_bert_term_to_json (frame_root (doc), TRUE);
      expected = parse_json (expected_text);
      actual = parse_json (compact);
      actual_pretty = parse_json (pretty);

      if (!json_node_equal (expected, actual))
        g_error ("%s decodes to\n%s\nexpected\n%s", name, compact, expected_text);
      g_assert_true (json_node_equal (actual, actual_pretty));

      /* The same term compares equal to itself decoded a second time. */
      {
        g_autoptr(SpBertDocument) again = sp_bert_decode (bytes, NULL, NULL);

        g_assert_true (sp_bert_term_equal (frame_root (doc), frame_root (again)));
      }
    }
}

/* Values of the Erlang-written frames */

static void
test_integers (void)
{
  g_autoptr(SpBertDocument) small = NULL;
  g_autoptr(SpBertDocument) i32 = NULL;
  g_autoptr(SpBertDocument) big64 = NULL;
  g_autoptr(SpBertDocument) u64 = NULL;
  g_autoptr(SpBertDocument) beyond = NULL;
  g_autoptr(SpBertDocument) large = NULL;
  guint64 u = 0;
  const SpBertTerm *r;

  skip_without_frames ();
  if (frames_dir == NULL)
    return;

  small = decode_frame ("int_small");
  r = frame_root (small);
  assert_int (nth (r, 0), 0);
  assert_int (nth (r, 2), 255);

  i32 = decode_frame ("int_int32");
  r = frame_root (i32);
  assert_int (nth (r, 0), 256);
  assert_int (nth (r, 1), -1);
  assert_int (nth (r, 2), -256);
  assert_int (nth (r, 3), G_MAXINT32);
  assert_int (nth (r, 4), G_MININT32);
  assert_int (nth (r, 6), 10001000);

  big64 = decode_frame ("int_big64");
  r = frame_root (big64);
  assert_int (nth (r, 0), G_GINT64_CONSTANT (2147483648));
  assert_int (nth (r, 1), G_GINT64_CONSTANT (-2147483649));
  assert_int (nth (r, 2), G_GINT64_CONSTANT (1546839040024071));
  assert_int (nth (r, 3), G_GINT64_CONSTANT (-1546839040024071));
  assert_int (nth (r, 4), G_MAXINT64);
  assert_int (nth (r, 5), G_MININT64);
  g_assert_true (sp_bert_term_get_uint64 (nth (r, 4), &u));
  g_assert_cmpuint (u, ==, G_MAXINT64);
  g_assert_false (sp_bert_term_get_uint64 (nth (r, 5), NULL));

  u64 = decode_frame ("int_uint64");
  r = frame_root (u64);
  for (gsize i = 0; i < 2; i++)
    {
      g_assert_cmpint (sp_bert_term_get_type (nth (r, i)), ==, SP_BERT_TYPE_UINT);
      g_assert_false (sp_bert_term_get_int64 (nth (r, i), NULL));
      g_assert_true (sp_bert_term_is_integer (nth (r, i)));
    }
  g_assert_true (sp_bert_term_get_uint64 (nth (r, 0), &u));
  g_assert_cmpuint (u, ==, G_GUINT64_CONSTANT (0x8000000000000000));
  g_assert_true (sp_bert_term_get_uint64 (nth (r, 1), &u));
  g_assert_cmpuint (u, ==, G_MAXUINT64);
  {
    g_autofree char *text = sp_bert_term_dup_integer_string (nth (r, 1));

    g_assert_cmpstr (text, ==, "18446744073709551615");
  }

  beyond = decode_frame ("int_beyond64");
  r = frame_root (beyond);
  assert_bignum (nth (r, 0), "18446744073709551616");
  assert_bignum (nth (r, 1), "-9223372036854775809");
  assert_bignum (nth (r, 2), "-18446744073709551615");
  assert_bignum (nth (r, 3), "-18446744073709551616");
  assert_bignum (nth (r, 4), "1267650600228229401496703205376");
  assert_bignum (nth (r, 5), "-1267650600228229401496703205376");
  assert_bignum (nth (r, 6),
                 "30414093201713378043612608166064768844377641568960512000000000000");
  assert_bignum (nth (r, 7),
                 "-8320987112741390144276341183223364380754172606361245952449277696409600"
                 "000000000000");

  /* LARGE_BIG_EXT: 2^2048 has 617 digits. */
  large = decode_frame ("int_large_big");
  r = frame_root (large);
  {
    g_autofree char *text = sp_bert_term_dup_integer_string (nth (r, 0));

    g_assert_cmpuint (strlen (text), ==, 617);
    g_assert_true (g_str_has_prefix (text, "3231700607131100730071487668866995196044410266971"));
    g_assert_true (g_str_has_suffix (text, "6230656"));
  }
}

static void
test_timestamp (void)
{
  g_autoptr(SpBertDocument) doc = NULL;
  g_autoptr(GBytes) bytes = NULL;
  static const guint8 wire[] = { 0x83, 0x6e, 0x07, 0x00, 0x07, 0x5e, 0x81, 0x87, 0xd7, 0x7e,
                                 0x05 };

  skip_without_frames ();
  if (frames_dir == NULL)
    return;

  /* The encoding in the protocol notes is what Erlang writes. */
  bytes = load_frame ("timestamp");
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), wire, sizeof wire);

  doc = decode_frame ("timestamp");
  assert_int (frame_root (doc), G_GINT64_CONSTANT (1546839040024071));

  g_clear_pointer (&doc, sp_bert_document_unref);
  doc = decode_frame ("timestamp_far");
  assert_int (frame_root (doc), G_MAXINT64);
}

static void
test_floats (void)
{
  static const double expected[] = { 1.5, -0.0, 0.1, 1.0, -123.456, 1.0e300, -2.5e-300,
                                     5.0e-324, 1.7976931348623157e308, 3.141592653589793 };
  const char *names[] = { "float_new", "float_old" };

  skip_without_frames ();
  if (frames_dir == NULL)
    return;

  for (gsize n = 0; n < G_N_ELEMENTS (names); n++)
    {
      g_autoptr(SpBertDocument) doc = decode_frame (names[n]);
      const SpBertTerm *r = frame_root (doc);

      g_assert_cmpuint (sp_bert_term_get_length (r), ==, G_N_ELEMENTS (expected));
      for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
        {
          double v = 0;

          g_assert_true (sp_bert_term_get_double (nth (r, i), &v));
          /* Exact: both encodings carry enough digits to round-trip. */
          g_assert_true (v == expected[i]);
          g_assert_true (signbit (v) == signbit (expected[i]));
        }
    }
}

static void
test_atoms (void)
{
  g_autoptr(SpBertDocument) latin1 = NULL;
  g_autoptr(SpBertDocument) utf8 = NULL;
  g_autoptr(SpBertDocument) v2 = NULL;
  g_autoptr(GBytes) v2_bytes = NULL;
  const SpBertTerm *r;

  skip_without_frames ();
  if (frames_dir == NULL)
    return;

  latin1 = decode_frame ("atom_latin1");
  r = frame_root (latin1);
  g_assert_cmpstr (sp_bert_term_get_atom (nth (r, 0)), ==, "ok");
  g_assert_cmpstr (sp_bert_term_get_atom (nth (r, 1)), ==, "");
  g_assert_cmpstr (sp_bert_term_get_atom (nth (r, 2)), ==, "hello world");
  g_assert_cmpstr (sp_bert_term_get_atom (nth (r, 3)), ==, "café");
  g_assert_cmpstr (sp_bert_term_get_atom (nth (r, 4)), ==, "ÿ");
  g_assert_true (sp_bert_term_is_atom (nth (r, 5), "undefined"));
  g_assert_false (sp_bert_term_is_atom (nth (r, 5), "undefine"));
  g_assert_cmpuint (sp_bert_term_get_length (nth (r, 6)), ==, 255);

  utf8 = decode_frame ("atom_utf8");
  r = frame_root (utf8);
  g_assert_cmpstr (sp_bert_term_get_atom (nth (r, 0)), ==, "日本");
  g_assert_cmpstr (sp_bert_term_get_atom (nth (r, 1)), ==, "ラベル");
  g_assert_cmpstr (sp_bert_term_get_atom (nth (r, 2)), ==, "café");

  /* minor_version 2: every atom is SMALL_ATOM_UTF8_EXT (119), long ones ATOM_UTF8_EXT. */
  v2_bytes = load_frame ("atom_utf8_v2");
  g_assert_cmpuint (((const guint8 *) g_bytes_get_data (v2_bytes, NULL))[6], ==, 119);
  v2 = decode_frame ("atom_utf8_v2");
  r = frame_root (v2);
  g_assert_cmpstr (sp_bert_term_get_atom (nth (r, 0)), ==, "ok");
  g_assert_cmpstr (sp_bert_term_get_atom (nth (r, 2)), ==, "café");
  g_assert_cmpstr (sp_bert_term_get_atom (nth (r, 3)), ==, "日本");
  g_assert_true (sp_bert_term_is_atom (nth (r, 4), "undefined"));
  g_assert_cmpuint (sp_bert_term_get_length (nth (r, 5)), ==, 255);
  g_assert_cmpuint (g_utf8_strlen (sp_bert_term_get_atom (nth (r, 6)), -1), ==, 100);
  g_assert_cmpuint (sp_bert_term_get_length (nth (r, 6)), ==, 300);

  /* Atoms are text too. */
  assert_text (nth (r, 3), SP_BERT_TYPE_ATOM, "日本");
  g_assert_true (sp_bert_term_text_equal (nth (r, 3), "日本"));
}

static void
test_text (void)
{
  struct { const char *frame; SpBertType type; const char *text; } cases[] = {
    { "binary_ascii", SP_BERT_TYPE_BINARY, "hello" },
    { "binary_empty", SP_BERT_TYPE_BINARY, "" },
    { "binary_japanese", SP_BERT_TYPE_BINARY, "日本語ラベル" },
    { "binary_invalid_utf8", SP_BERT_TYPE_BINARY, "\357\277\275\001\002\357\277\275\357\277\275" },
    { "string_ascii", SP_BERT_TYPE_STRING, "abc" },
    { "string_latin1", SP_BERT_TYPE_STRING, "café" },
    { "charlist_utf8_bytes", SP_BERT_TYPE_STRING, "日本語ラベル" },
  };

  skip_without_frames ();
  if (frames_dir == NULL)
    return;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SpBertDocument) doc = decode_frame (cases[i].frame);

      g_test_message ("%s", cases[i].frame);
      if (cases[i].text[0] == '\357')
        {
          /* The invalid binary starts with NUL, which becomes U+FFFD too. */
          g_autofree char *text = sp_bert_term_dup_text (frame_root (doc));

          g_assert_true (g_utf8_validate (text, -1, NULL));
          g_assert_true (g_str_has_suffix (text, "\357\277\275\357\277\275"));
          continue;
        }
      assert_text (frame_root (doc), cases[i].type, cases[i].text);
      g_assert_true (sp_bert_term_is_text (frame_root (doc)));
    }

  /* The raw bytes, without conversion. */
  {
    g_autoptr(SpBertDocument) doc = decode_frame ("binary_nul");
    gsize len = 0;
    const guint8 *bytes = sp_bert_term_get_bytes (frame_root (doc), &len);

    g_assert_cmpmem (bytes, len, "a\0b", 3);
    g_assert_cmpuint (sp_bert_term_get_bits (frame_root (doc)), ==, 8);
  }

  {
    g_autoptr(SpBertDocument) doc = decode_frame ("string_latin1");
    gsize len = 0;
    const guint8 *bytes = sp_bert_term_get_bytes (frame_root (doc), &len);

    g_assert_cmpmem (bytes, len, "caf\351", 4);
    g_assert_cmpuint (sp_bert_term_get_length (frame_root (doc)), ==, 4);
  }

  /* A char list of code points above 255 is a list of integers, as in Erlang. */
  {
    g_autoptr(SpBertDocument) doc = decode_frame ("charlist_japanese");
    const SpBertTerm *r = frame_root (doc);

    g_assert_cmpint (sp_bert_term_get_type (r), ==, SP_BERT_TYPE_LIST);
    g_assert_cmpuint (sp_bert_term_get_length (r), ==, 6);
    assert_int (nth (r, 0), 0x65E5);
    assert_int (nth (r, 5), 0x30EB);
    g_assert_false (sp_bert_term_is_text (r));
    g_assert_null (sp_bert_term_dup_text (r));
  }

  /* STRING_EXT holds at most 65535 elements; longer char lists are lists. */
  {
    g_autoptr(SpBertDocument) max = decode_frame ("string_max");
    g_autoptr(SpBertDocument) too_long = decode_frame ("string_too_long");

    g_assert_cmpint (sp_bert_term_get_type (frame_root (max)), ==, SP_BERT_TYPE_STRING);
    g_assert_cmpuint (sp_bert_term_get_length (frame_root (max)), ==, 65535);
    g_assert_cmpint (sp_bert_term_get_type (frame_root (too_long)), ==, SP_BERT_TYPE_LIST);
    g_assert_cmpuint (sp_bert_term_get_length (frame_root (too_long)), ==, 65536);
    assert_int (nth (frame_root (too_long), 65535), 'y');
  }
}

static void
test_containers (void)
{
  skip_without_frames ();
  if (frames_dir == NULL)
    return;

  {
    g_autoptr(SpBertDocument) doc = decode_frame ("tuple_empty");

    g_assert_cmpint (sp_bert_term_get_type (frame_root (doc)), ==, SP_BERT_TYPE_TUPLE);
    g_assert_cmpuint (sp_bert_term_get_length (frame_root (doc)), ==, 0);
    g_assert_null (sp_bert_term_get_child (frame_root (doc), 0));
  }

  {
    g_autoptr(SpBertDocument) doc = decode_frame ("tuple_large");
    const SpBertTerm *r = frame_root (doc);

    g_assert_cmpuint (sp_bert_term_get_length (r), ==, 300);
    assert_int (nth (r, 0), 1);
    assert_int (nth (r, 299), 300);
    g_assert_null (sp_bert_term_get_child (r, 300));
  }

  {
    g_autoptr(SpBertDocument) doc = decode_frame ("nil");

    g_assert_cmpint (sp_bert_term_get_type (frame_root (doc)), ==, SP_BERT_TYPE_NIL);
    g_assert_true (sp_bert_term_is_proper_list (frame_root (doc)));
    g_assert_null (sp_bert_term_get_tail (frame_root (doc)));
  }

  {
    g_autoptr(SpBertDocument) doc = decode_frame ("list_improper");
    const SpBertTerm *r = frame_root (doc);

    g_assert_cmpint (sp_bert_term_get_type (r), ==, SP_BERT_TYPE_LIST);
    g_assert_false (sp_bert_term_is_proper_list (r));
    g_assert_cmpuint (sp_bert_term_get_length (r), ==, 1);
    assert_int (nth (r, 0), 1);
    assert_int (sp_bert_term_get_tail (r), 2);
    g_assert_null (sp_bert_term_get_child (r, 1));
  }

  {
    g_autoptr(SpBertDocument) doc = decode_frame ("list_improper_long");
    const SpBertTerm *r = frame_root (doc);

    g_assert_cmpuint (sp_bert_term_get_length (r), ==, 3);
    assert_text (sp_bert_term_get_tail (r), SP_BERT_TYPE_BINARY, "tail");
  }

  {
    g_autoptr(SpBertDocument) doc = decode_frame ("list_mixed");
    const SpBertTerm *r = frame_root (doc);

    g_assert_true (sp_bert_term_is_proper_list (r));
    g_assert_cmpint (sp_bert_term_get_type (sp_bert_term_get_tail (r)), ==, SP_BERT_TYPE_NIL);
    g_assert_cmpuint (sp_bert_term_get_length (r), ==, 7);
  }

  {
    g_autoptr(SpBertDocument) doc = decode_frame ("map_small");
    const SpBertTerm *r = frame_root (doc);
    const SpBertTerm *b;

    g_assert_cmpint (sp_bert_term_get_type (r), ==, SP_BERT_TYPE_MAP);
    g_assert_cmpuint (sp_bert_term_get_length (r), ==, 4);
    b = sp_bert_term_map_lookup (r, "b");
    g_assert_nonnull (b);
    g_assert_cmpuint (sp_bert_term_get_length (b), ==, 2);
    assert_int (sp_bert_term_map_lookup (r, "a"), 1);
    g_assert_nonnull (sp_bert_term_map_lookup (r, "s"));
    g_assert_null (sp_bert_term_map_lookup (r, "zz"));
    g_assert_null (sp_bert_term_get_map_key (r, 4));
    g_assert_null (sp_bert_term_get_child (r, 0));
  }

  {
    g_autoptr(SpBertDocument) doc = decode_frame ("map_large");
    const SpBertTerm *r = frame_root (doc);
    gboolean seen[41] = { FALSE };

    g_assert_cmpuint (sp_bert_term_get_length (r), ==, 40);
    for (gsize i = 0; i < 40; i++)
      {
        gint64 k = 0, v = 0;

        g_assert_true (sp_bert_term_get_int64 (sp_bert_term_get_map_key (r, i), &k));
        g_assert_true (sp_bert_term_get_int64 (sp_bert_term_get_map_value (r, i), &v));
        g_assert_cmpint (k, >=, 1);
        g_assert_cmpint (k, <=, 40);
        g_assert_cmpint (v, ==, k * k);
        g_assert_false (seen[k]);
        seen[k] = TRUE;
      }
  }

  {
    g_autoptr(SpBertDocument) doc = decode_frame ("map_nested");
    const SpBertTerm *leaf;

    leaf = sp_bert_term_map_lookup (frame_root (doc), "outer");
    leaf = sp_bert_term_map_lookup (leaf, "inner");
    leaf = sp_bert_term_map_lookup (leaf, "leaf");
    assert_text (leaf, SP_BERT_TYPE_BINARY, "日本");
  }

  {
    g_autoptr(SpBertDocument) doc = decode_frame ("bit_binary");
    const SpBertTerm *r = frame_root (doc);
    gsize len = 0;
    const guint8 *bytes;

    bytes = sp_bert_term_get_bytes (nth (r, 0), &len);
    g_assert_cmpint (sp_bert_term_get_type (nth (r, 0)), ==, SP_BERT_TYPE_BIT_BINARY);
    g_assert_cmpuint (sp_bert_term_get_bits (nth (r, 0)), ==, 3);
    g_assert_cmpmem (bytes, len, "\040", 1);

    bytes = sp_bert_term_get_bytes (nth (r, 1), &len);
    g_assert_cmpuint (sp_bert_term_get_bits (nth (r, 1)), ==, 1);
    g_assert_cmpmem (bytes, len, "\377\200", 2);

    g_assert_cmpuint (sp_bert_term_get_bits (nth (r, 3)), ==, 7);
    g_assert_cmpuint (sp_bert_term_get_length (nth (r, 3)), ==, 2);
    g_assert_false (sp_bert_term_is_text (nth (r, 3)));
  }

  {
    g_autoptr(SpBertDocument) doc = decode_frame ("list_nested_deep");
    const SpBertTerm *t = frame_root (doc);
    guint depth = 0;

    while (sp_bert_term_get_type (t) == SP_BERT_TYPE_LIST)
      {
        t = nth (t, 0);
        depth++;
      }
    g_assert_cmpuint (depth, ==, 100);
  }
}

static void
test_compressed (void)
{
  skip_without_frames ();
  if (frames_dir == NULL)
    return;

  {
    g_autoptr(GBytes) bytes = load_frame ("compressed");
    g_autoptr(SpBertDocument) doc = decode_frame ("compressed");
    const SpBertTerm *r = frame_root (doc);

    g_assert_cmpuint (((const guint8 *) g_bytes_get_data (bytes, NULL))[1], ==, 80);
    g_assert_cmpuint (sp_bert_term_get_length (r), ==, 200);
    for (gsize i = 0; i < 200; i++)
      assert_text (nth (r, i), SP_BERT_TYPE_BINARY, "repeated binary value");
  }

  {
    g_autoptr(GBytes) bytes = load_frame ("compressed_v2");
    g_autoptr(SpBertDocument) doc = decode_frame ("compressed_v2");
    const SpBertTerm *r = frame_root (doc);
    const SpBertTerm *users;

    g_assert_cmpuint (((const guint8 *) g_bytes_get_data (bytes, NULL))[1], ==, 80);
    g_assert_true (sp_bert_term_is_tagged_tuple (r, "initial_info", 3));
    g_assert_true (sp_bert_term_text_equal (nth (r, 1), "user"));
    users = nth (r, 2);
    g_assert_cmpuint (sp_bert_term_get_length (users), ==, 100);
    assert_text (nth (nth (users, 99), 1), SP_BERT_TYPE_BINARY, "ユーザー");
    assert_int (nth (nth (users, 99), 0), 100);
  }

  {
    g_autoptr(SpBertDocument) doc = decode_frame ("compressed_9");

    g_assert_cmpuint (sp_bert_term_get_length (frame_root (doc)), ==, 2000);
    assert_int (nth (frame_root (doc), 1999), 2000);
  }
}

static void
test_bert_conventions (void)
{
  skip_without_frames ();
  if (frames_dir == NULL)
    return;

  {
    g_autoptr(SpBertDocument) doc = decode_frame ("bert_nil");

    g_assert_true (sp_bert_term_is_bert_nil (frame_root (doc)));
    g_assert_cmpstr (sp_bert_term_get_bert_kind (frame_root (doc)), ==, "nil");
    g_assert_false (sp_bert_term_get_boolean (frame_root (doc), NULL));
  }

  {
    g_autoptr(SpBertDocument) t = decode_frame ("bert_true");
    g_autoptr(SpBertDocument) f = decode_frame ("bert_false");
    g_autoptr(SpBertDocument) bools = decode_frame ("bools");
    gboolean v = FALSE;

    g_assert_true (sp_bert_term_get_boolean (frame_root (t), &v));
    g_assert_true (v);
    g_assert_true (sp_bert_term_get_boolean (frame_root (f), &v));
    g_assert_false (v);
    g_assert_false (sp_bert_term_is_bert_nil (frame_root (t)));
    g_assert_true (sp_bert_term_get_boolean (nth (frame_root (bools), 0), &v));
    g_assert_true (v);
    g_assert_true (sp_bert_term_get_boolean (nth (frame_root (bools), 1), &v));
    g_assert_false (v);
  }

  {
    g_autoptr(SpBertDocument) doc = decode_frame ("bert_dict");
    const SpBertTerm *dict = sp_bert_term_get_bert_dict (frame_root (doc));

    g_assert_nonnull (dict);
    g_assert_cmpuint (sp_bert_term_get_length (dict), ==, 3);
    assert_text (sp_bert_dict_lookup (dict, "name"), SP_BERT_TYPE_BINARY, "Tanaka");
    assert_int (sp_bert_dict_lookup (dict, "age"), 42);
    assert_text (sp_bert_dict_lookup (dict, "label"), SP_BERT_TYPE_BINARY, "田中");
    g_assert_null (sp_bert_dict_lookup (dict, "missing"));
    g_assert_null (sp_bert_term_get_bert_dict (nth (frame_root (doc), 2)));
  }

  {
    g_autoptr(SpBertDocument) doc = decode_frame ("bert_dict_empty");
    const SpBertTerm *dict = sp_bert_term_get_bert_dict (frame_root (doc));

    g_assert_nonnull (dict);
    g_assert_null (sp_bert_dict_lookup (dict, "name"));
  }

  {
    g_autoptr(SpBertDocument) doc = decode_frame ("bert_time");
    gint64 usec = 0;

    g_assert_true (sp_bert_term_get_bert_time (frame_root (doc), &usec));
    g_assert_cmpint (usec, ==, G_GINT64_CONSTANT (1546839040024071));
  }

  {
    g_autoptr(SpBertDocument) doc = decode_frame ("bert_regex");
    const SpBertTerm *source = NULL, *options = NULL;

    g_assert_true (sp_bert_term_get_bert_regex (frame_root (doc), &source, &options));
    assert_text (source, SP_BERT_TYPE_BINARY, "^a.*b$");
    g_assert_true (sp_bert_term_is_atom (nth (options, 1), "multiline"));
  }

  /* Lookalikes are not BERT types. */
  {
    g_autoptr(SpBertDocument) doc = accept_hex ("83 68 02 64 00 04 62 65 72 74 6d 00 00 00 03 6e 69 6c");

    g_assert_null (sp_bert_term_get_bert_kind (frame_root (doc)));
    g_assert_false (sp_bert_term_is_bert_nil (frame_root (doc)));
  }
  {
    /* {bert, time, 1, 2} has the wrong arity; {bert,time,huge,0,0} overflows. */
    g_autoptr(SpBertDocument) short_time = accept_hex ("83 68 04 64 00 04 62 65 72 74 64 00 04 74 69 6d 65 61 01 61 02");
    g_autoptr(SpBertDocument) huge_time = accept_hex ("83 68 05 64 00 04 62 65 72 74 64 00 04 74 69 6d 65 "
                                                      "6e 08 00 ff ff ff ff ff ff ff 7f 61 00 61 00");

    g_assert_false (sp_bert_term_get_bert_time (frame_root (short_time), NULL));
    g_assert_false (sp_bert_term_get_bert_time (frame_root (huge_time), NULL));
  }
}

static void
test_basix_messages (void)
{
  skip_without_frames ();
  if (frames_dir == NULL)
    return;

  {
    g_autoptr(SpBertDocument) doc = decode_frame ("basix_field_spec_channel");
    const SpBertTerm *r = frame_root (doc);
    const SpBertTerm *fields;

    g_assert_true (sp_bert_term_is_tagged_tuple (r, "field_spec", 3));
    /* Element names are strings (STRING_EXT), field names atoms. */
    g_assert_cmpint (sp_bert_term_get_type (nth (r, 1)), ==, SP_BERT_TYPE_STRING);
    g_assert_true (sp_bert_term_text_equal (nth (r, 1), "channel"));
    fields = nth (r, 2);
    g_assert_cmpuint (sp_bert_term_get_length (fields), ==, 22);
    g_assert_true (sp_bert_term_is_atom (nth (fields, 0), "uuid"));
    g_assert_true (sp_bert_term_is_atom (nth (fields, 21), "call_id"));
  }

  {
    g_autoptr(SpBertDocument) doc = decode_frame ("basix_field_spec_channel_v2");

    g_assert_true (sp_bert_term_is_tagged_tuple (frame_root (doc), "field_spec", 3));
    g_assert_true (sp_bert_term_is_atom (nth (nth (frame_root (doc), 2), 11), "state"));
  }

  {
    g_autoptr(SpBertDocument) doc = decode_frame ("basix_initial_info_channel");
    const SpBertTerm *r = frame_root (doc);
    const SpBertTerm *channel, *state;

    g_assert_true (sp_bert_term_is_tagged_tuple (r, "initial_info", 3));
    g_assert_cmpuint (sp_bert_term_get_length (nth (r, 2)), ==, 3);
    channel = nth (nth (r, 2), 0);
    g_assert_cmpuint (sp_bert_term_get_length (channel), ==, 22);
    assert_text (nth (channel, 0), SP_BERT_TYPE_BINARY, "8d1e6a52-1f0b-4c8e-9a4e-000000000001");
    g_assert_true (sp_bert_term_is_atom (nth (channel, 1), "inbound"));
    assert_text (nth (channel, 3), SP_BERT_TYPE_BINARY, "山田 太郎");
    assert_int (nth (channel, 6), G_GINT64_CONSTANT (1546839040024072));
    g_assert_true (sp_bert_term_is_atom (nth (channel, 7), "undefined"));
    state = nth (channel, 11);
    assert_int (nth (state, 0), G_GINT64_CONSTANT (1546839040024072));
    g_assert_true (sp_bert_term_text_equal (nth (state, 1), "calling"));
  }

  {
    g_autoptr(SpBertDocument) bert_nil = decode_frame ("basix_initial_info_empty_bert");
    g_autoptr(SpBertDocument) nil = decode_frame ("basix_initial_info_empty_nil");

    g_assert_true (sp_bert_term_is_bert_nil (nth (frame_root (bert_nil), 2)));
    g_assert_cmpint (sp_bert_term_get_type (nth (frame_root (nil), 2)), ==, SP_BERT_TYPE_NIL);
  }

  {
    g_autoptr(SpBertDocument) doc = decode_frame ("basix_info_event_removed");
    const SpBertTerm *r = frame_root (doc);

    g_assert_true (sp_bert_term_is_tagged_tuple (r, "info_event", 4));
    g_assert_true (sp_bert_term_text_equal (nth (r, 1), "channel"));
    g_assert_true (sp_bert_term_text_equal (nth (r, 3), "removed"));
    assert_text (nth (nth (r, 2), 21), SP_BERT_TYPE_BINARY, "call-7");
  }

  {
    g_autoptr(SpBertDocument) doc = decode_frame ("basix_info_event_user_v2");
    const SpBertTerm *user = nth (frame_root (doc), 2);
    gboolean v = TRUE;

    g_assert_true (sp_bert_term_get_boolean (nth (user, 2), &v));
    g_assert_false (v);
    assert_text (nth (user, 14), SP_BERT_TYPE_BINARY, "鈴木 一郎");
    g_assert_true (sp_bert_term_is_atom (nth (user, 6), "available"));
  }

  {
    g_autoptr(SpBertDocument) doc = decode_frame ("basix_info_event_bert");
    const SpBertTerm *user = nth (frame_root (doc), 2);
    gboolean v = TRUE;

    g_assert_true (sp_bert_term_get_boolean (nth (user, 2), &v));
    g_assert_false (v);
    g_assert_true (sp_bert_term_get_boolean (nth (user, 3), &v));
    g_assert_true (v);
    g_assert_true (sp_bert_term_is_bert_nil (nth (user, 4)));
  }

  {
    const char *names[] = { "basix_system_msg_limit", "basix_system_msg_replaced",
                            "basix_system_msg_logout", "basix_system_msg_logout_v2" };
    const char *payloads[] = { "connection_limit_reached", "connection_replaced", "logout",
                               "logout" };

    for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_autoptr(SpBertDocument) doc = decode_frame (names[i]);

        g_assert_true (sp_bert_term_is_tagged_tuple (frame_root (doc), "system_msg", 2));
        g_assert_true (sp_bert_term_is_atom (nth (frame_root (doc), 1), payloads[i]));
      }
  }

  {
    g_autoptr(SpBertDocument) doc = decode_frame ("basix_msg");

    g_assert_true (sp_bert_term_is_tagged_tuple (frame_root (doc), "msg", 2));
    assert_text (nth (nth (frame_root (doc), 1), 2), SP_BERT_TYPE_BINARY, "お知らせ");
  }
}

/* Hand-made frames that Erlang does not write but may read */

static void
test_hand_made (void)
{
  {
    /* SMALL_ATOM_EXT (115), Latin-1. */
    g_autoptr(SpBertDocument) doc = accept_hex ("83 73 04 63 61 66 e9");

    g_assert_cmpstr (sp_bert_term_get_atom (frame_root (doc)), ==, "café");
  }
  {
    /* A LIST of no elements is its tail. */
    g_autoptr(SpBertDocument) doc = accept_hex ("83 6c 00 00 00 00 61 05");

    assert_int (frame_root (doc), 5);
  }
  {
    g_autoptr(SpBertDocument) doc = accept_hex ("83 6b 00 00");

    g_assert_cmpint (sp_bert_term_get_type (frame_root (doc)), ==, SP_BERT_TYPE_NIL);
  }
  {
    /* Big integers: zero length, negative zero, leading zeros, any non-zero sign byte. */
    g_autoptr(SpBertDocument) doc = accept_hex ("83 68 05 6e 00 00 6e 00 01 6e 03 00 05 00 00 "
                                                "6e 01 02 05 6f 00 00 00 01 00 07");
    const SpBertTerm *r = frame_root (doc);

    assert_int (nth (r, 0), 0);
    assert_int (nth (r, 1), 0);
    assert_int (nth (r, 2), 5);
    assert_int (nth (r, 3), -5);
    assert_int (nth (r, 4), 7);
  }
  {
    /* A bignum with many leading zero bytes is still a small number. */
    g_autoptr(GString) hex = g_string_new ("83 6f 00 00 10 00 00 2a");

    for (int i = 1; i < 4096; i++)
      g_string_append (hex, " 00");
    {
      g_autoptr(SpBertDocument) doc = accept_hex (hex->str);

      assert_int (frame_root (doc), 42);
    }
  }
  {
    /* Dirty unused bits read as zero; 8 used bits make a plain binary. */
    g_autoptr(SpBertDocument) dirty = accept_hex ("83 4d 00 00 00 01 03 ff");
    g_autoptr(SpBertDocument) full = accept_hex ("83 4d 00 00 00 01 08 ff");
    g_autoptr(SpBertDocument) empty = accept_hex ("83 4d 00 00 00 00 00");
    gsize len = 0;
    const guint8 *bytes = sp_bert_term_get_bytes (frame_root (dirty), &len);

    g_assert_cmpmem (bytes, len, "\340", 1);
    g_assert_cmpuint (sp_bert_term_get_bits (frame_root (dirty)), ==, 3);
    g_assert_cmpint (sp_bert_term_get_type (frame_root (full)), ==, SP_BERT_TYPE_BINARY);
    g_assert_cmpint (sp_bert_term_get_type (frame_root (empty)), ==, SP_BERT_TYPE_BINARY);
    g_assert_cmpuint (sp_bert_term_get_length (frame_root (empty)), ==, 0);
    g_assert_nonnull (sp_bert_term_get_bytes (frame_root (empty), NULL));
  }
  {
    /* LARGE_TUPLE with a small arity; an empty MAP; an old float with an exponent. */
    g_autoptr(SpBertDocument) doc = accept_hex ("83 69 00 00 00 03 61 01 74 00 00 00 00 "
                                                "63 31 2e 32 35 65 2b 30 32 00 00 00 00 00 00 "
                                                "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
    double v = 0;

    g_assert_cmpuint (sp_bert_term_get_length (frame_root (doc)), ==, 3);
    g_assert_cmpint (sp_bert_term_get_type (nth (frame_root (doc), 1)), ==, SP_BERT_TYPE_MAP);
    g_assert_true (sp_bert_term_get_double (nth (frame_root (doc), 2), &v));
    g_assert_cmpfloat (v, ==, 125.0);
  }
  {
    /* Exactly the depth limit. */
    g_autoptr(GString) hex = g_string_new ("83");
    g_autoptr(SpBertDocument) doc = NULL;

    for (int i = 0; i < SP_BERT_DEFAULT_MAX_DEPTH; i++)
      g_string_append (hex, " 68 01");
    g_string_append (hex, " 6a");
    doc = accept_hex (hex->str);
    g_assert_cmpuint (sp_bert_document_get_n_terms (doc), ==, SP_BERT_DEFAULT_MAX_DEPTH + 1);
  }
}

static void
test_accessors (void)
{
  g_autoptr(SpBertDocument) doc = accept_hex ("83 68 03 61 01 6d 00 00 00 01 78 6a");
  const SpBertTerm *r = frame_root (doc);
  const SpBertTerm *i = nth (r, 0);
  const SpBertTerm *b = nth (r, 1);
  const SpBertTerm *n = nth (r, 2);
  SpBertDocument *ref;
  gsize len = 99;

  /* Asking a term for the wrong kind gives nothing, never garbage. */
  g_assert_null (sp_bert_term_get_atom (i));
  g_assert_null (sp_bert_term_get_bytes (i, &len));
  g_assert_cmpuint (len, ==, 0);
  g_assert_false (sp_bert_term_get_double (i, NULL));
  g_assert_null (sp_bert_term_dup_text (i));
  g_assert_null (sp_bert_term_dup_integer_string (b));
  g_assert_false (sp_bert_term_get_int64 (b, NULL));
  g_assert_null (sp_bert_term_get_child (b, 0));
  g_assert_null (sp_bert_term_get_tail (b));
  g_assert_null (sp_bert_term_map_lookup (r, "x"));
  g_assert_null (sp_bert_term_get_bert_dict (r));
  g_assert_false (sp_bert_term_get_bert_time (r, NULL));
  g_assert_false (sp_bert_term_get_bert_regex (r, NULL, NULL));
  g_assert_false (sp_bert_term_get_boolean (i, NULL));
  g_assert_false (sp_bert_term_is_tagged_tuple (r, "x", 0));
  g_assert_false (sp_bert_term_text_equal (i, "1"));
  g_assert_true (sp_bert_term_text_equal (b, "x"));
  g_assert_false (sp_bert_term_text_equal (b, "xy"));
  g_assert_cmpuint (sp_bert_term_get_bits (i), ==, 0);
  g_assert_cmpuint (sp_bert_term_get_length (n), ==, 0);
  g_assert_cmpuint (sp_bert_term_get_length (i), ==, 0);
  g_assert_cmpstr (sp_bert_type_to_string (sp_bert_term_get_type (b)), ==, "binary");
  g_assert_false (sp_bert_term_equal (i, b));
  g_assert_true (sp_bert_term_equal (r, r));
  g_assert_cmpuint (sp_bert_document_get_n_terms (doc), ==, 4);

  /* A second reference keeps the terms alive. */
  ref = sp_bert_document_ref (doc);
  g_assert_true (ref == doc);
  sp_bert_document_unref (ref);
  g_assert_true (sp_bert_term_text_equal (b, "x"));
}

/* Malformed frames */

/* Every strict prefix of a valid frame is truncated: the format is self-delimiting, so no
 * prefix is a complete term. Large frames are cut at a sample of positions to keep the test
 * quadratic only in a bounded way. */
static void
test_truncated_everywhere (void)
{
  guint n_frames = 0, n_cuts = 0;

  skip_without_frames ();
  if (frames_dir == NULL)
    return;

  for (guint f = 0; frame_names[f] != NULL; f++)
    {
      g_autoptr(GBytes) bytes = NULL;
      const guint8 *data;
      gsize len;
      gsize step;

      if (frame_is_reject (frame_names[f]))
        continue;

      bytes = load_frame (frame_names[f]);
      data = g_bytes_get_data (bytes, &len);
      step = len <= 4096 ? 1 : len / 256;
      n_frames++;

      for (gsize cut = 0; cut < len; cut += (cut < 256 || cut + 256 > len) ? 1 : step)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(SpBertDocument) doc = NULL;
          /* A copy of exactly cut bytes, so that ASan sees any read past the end. */
          g_autofree guint8 *copy = g_memdup2 (data, cut);

          doc = sp_bert_decode_data (copy, cut, NULL, &error);
          g_assert_null (doc);
          if (cut == 0)
            g_assert_error (error, SP_BERT_ERROR, SP_BERT_ERROR_EMPTY);
          else if (!g_error_matches (error, SP_BERT_ERROR, SP_BERT_ERROR_TRUNCATED))
            g_error ("%s cut at %" G_GSIZE_FORMAT ": %s", frame_names[f], cut,
                     error != NULL ? error->message : "accepted");
          n_cuts++;
        }
    }

  g_test_message ("%u frames cut at %u positions", n_frames, n_cuts);
  g_assert_cmpuint (n_frames, >, 50);
}

static void
test_bad_version (void)
{
  assert_rejected_hex ("82 61 01", SP_BERT_ERROR_BAD_VERSION);
  assert_rejected_hex ("00", SP_BERT_ERROR_BAD_VERSION);
  assert_rejected_hex ("61 01", SP_BERT_ERROR_BAD_VERSION);
  assert_rejected_hex ("ff ff ff ff", SP_BERT_ERROR_BAD_VERSION);
  /* A BERP length prefix is not part of a ws_cti message. */
  assert_rejected_hex ("00 00 00 03 83 61 01", SP_BERT_ERROR_BAD_VERSION);
}

static void
test_empty (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new (NULL, 0);

  g_assert_null (sp_bert_decode (bytes, NULL, &error));
  g_assert_error (error, SP_BERT_ERROR, SP_BERT_ERROR_EMPTY);
  g_clear_error (&error);

  g_assert_null (sp_bert_decode_data (NULL, 0, NULL, &error));
  g_assert_error (error, SP_BERT_ERROR, SP_BERT_ERROR_EMPTY);

  assert_rejected_hex ("83", SP_BERT_ERROR_TRUNCATED);
}

static void
test_trailing (void)
{
  assert_rejected_hex ("83 61 01 00", SP_BERT_ERROR_TRAILING_DATA);
  assert_rejected_hex ("83 6a 6a", SP_BERT_ERROR_TRAILING_DATA);
  assert_rejected_hex ("83 68 00 83", SP_BERT_ERROR_TRAILING_DATA);
  /* Two frames glued together are two messages, not one. */
  assert_rejected_hex ("83 61 01 83 61 01", SP_BERT_ERROR_TRAILING_DATA);
}

static void
test_overflowing_lengths (void)
{
  /* Every 32-bit length or count at its maximum, with almost nothing behind it: each must be
   * refused before anything is allocated for it. */
  assert_rejected_hex ("83 6d ff ff ff ff 00 00", SP_BERT_ERROR_TRUNCATED);
  assert_rejected_hex ("83 6c ff ff ff ff 6a", SP_BERT_ERROR_TRUNCATED);
  assert_rejected_hex ("83 6c ff ff ff fe 6a", SP_BERT_ERROR_TRUNCATED);
  assert_rejected_hex ("83 6c 7f ff ff ff 61 01 6a", SP_BERT_ERROR_TRUNCATED);
  assert_rejected_hex ("83 69 ff ff ff ff 6a", SP_BERT_ERROR_TRUNCATED);
  assert_rejected_hex ("83 74 ff ff ff ff 6a 6a", SP_BERT_ERROR_TRUNCATED);
  assert_rejected_hex ("83 74 80 00 00 00 6a 6a", SP_BERT_ERROR_TRUNCATED);
  assert_rejected_hex ("83 6f ff ff ff ff 00 01", SP_BERT_ERROR_TRUNCATED);
  assert_rejected_hex ("83 4d ff ff ff ff 03 00", SP_BERT_ERROR_TRUNCATED);
  assert_rejected_hex ("83 6b ff ff 61", SP_BERT_ERROR_TRUNCATED);
  assert_rejected_hex ("83 64 ff ff 61", SP_BERT_ERROR_TRUNCATED);
  assert_rejected_hex ("83 76 ff ff 61", SP_BERT_ERROR_TRUNCATED);
  assert_rejected_hex ("83 77 ff 61", SP_BERT_ERROR_TRUNCATED);
  assert_rejected_hex ("83 68 ff 6a", SP_BERT_ERROR_TRUNCATED);
  assert_rejected_hex ("83 6e ff 00 01", SP_BERT_ERROR_TRUNCATED);
  assert_rejected_hex ("83 50 ff ff ff ff 78 9c 03 00 00 00 00 01", SP_BERT_ERROR_TOO_LARGE);
  /* Headers cut short. */
  assert_rejected_hex ("83 6d ff ff", SP_BERT_ERROR_TRUNCATED);
  assert_rejected_hex ("83 62 00 00 01", SP_BERT_ERROR_TRUNCATED);
  assert_rejected_hex ("83 50 00 00", SP_BERT_ERROR_TRUNCATED);
  assert_rejected_hex ("83 46 00 00 00 00 00 00 00", SP_BERT_ERROR_TRUNCATED);
  assert_rejected_hex ("83 63 31 2e 35", SP_BERT_ERROR_TRUNCATED);
}

static void
test_deep_nesting (void)
{
  /* Each container kind, nested one level too deep: {{{…}}}, [[[…]]], #{[] => #{…}},
   * LIST headers of no elements (read as their tail), large tuples. */
  struct { const char *open; const char *close; } units[] = {
    { " 68 01", "" },
    { " 6c 00 00 00 01", " 6a" },
    { " 74 00 00 00 01 6a", "" },
    { " 6c 00 00 00 00", "" },
    { " 69 00 00 00 01", "" },
  };

  for (gsize u = 0; u < G_N_ELEMENTS (units); u++)
    {
      g_autoptr(GString) hex = g_string_new ("83");

      for (int i = 0; i < SP_BERT_DEFAULT_MAX_DEPTH + 1; i++)
        g_string_append (hex, units[u].open);
      g_string_append (hex, " 6a");
      for (int i = 0; i < SP_BERT_DEFAULT_MAX_DEPTH + 1; i++)
        g_string_append (hex, units[u].close);
      assert_rejected_hex (hex->str, SP_BERT_ERROR_TOO_DEEP);
    }

  /* Far beyond the limit: refused without exhausting the stack. */
  {
    g_autoptr(GByteArray) deep = g_byte_array_new ();
    g_autoptr(GError) error = NULL;
    static const guint8 version = 131, tuple[] = { 104, 1 }, nil = 106;

    g_byte_array_append (deep, &version, 1);
    for (int i = 0; i < 1000000; i++)
      g_byte_array_append (deep, tuple, 2);
    g_byte_array_append (deep, &nil, 1);
    g_assert_null (sp_bert_decode_data (deep->data, deep->len, NULL, &error));
    g_assert_error (error, SP_BERT_ERROR, SP_BERT_ERROR_TOO_DEEP);
  }

  /* A lower limit of one's own. */
  {
    SpBertLimits limits = { .max_depth = 2 };
    g_autoptr(GError) error = NULL;
    g_autoptr(SpBertDocument) ok = decode_hex ("83 68 01 68 01 6a", &limits, &error);

    g_assert_no_error (error);
    g_assert_nonnull (ok);
    g_assert_null (decode_hex ("83 68 01 68 01 68 00", &limits, &error));
    g_assert_error (error, SP_BERT_ERROR, SP_BERT_ERROR_TOO_DEEP);
  }
}

static void
test_invalid_content (void)
{
  /* Atoms: invalid UTF-8, overlong, surrogate, beyond U+10FFFF, too long. */
  assert_rejected_hex ("83 77 01 ff", SP_BERT_ERROR_INVALID);
  assert_rejected_hex ("83 76 00 02 c0 80", SP_BERT_ERROR_INVALID);
  assert_rejected_hex ("83 77 03 ed a0 80", SP_BERT_ERROR_INVALID);
  assert_rejected_hex ("83 77 04 f4 90 80 80", SP_BERT_ERROR_INVALID);
  assert_rejected_hex ("83 77 02 e6 97", SP_BERT_ERROR_INVALID);
  {
    g_autoptr(GString) latin1 = g_string_new ("83 64 01 00");
    g_autoptr(GString) utf8 = g_string_new ("83 76 03 00");

    for (int i = 0; i < 256; i++)
      {
        g_string_append (latin1, " 61");
        g_string_append (utf8, " e6 97 a5");
      }
    assert_rejected_hex (latin1->str, SP_BERT_ERROR_INVALID);
    assert_rejected_hex (utf8->str, SP_BERT_ERROR_INVALID);
  }

  /* Floats: NaN, infinities, text that is not a plain decimal number. */
  assert_rejected_hex ("83 46 7f f8 00 00 00 00 00 00", SP_BERT_ERROR_INVALID);
  assert_rejected_hex ("83 46 7f f0 00 00 00 00 00 00", SP_BERT_ERROR_INVALID);
  assert_rejected_hex ("83 46 ff f0 00 00 00 00 00 00", SP_BERT_ERROR_INVALID);
  assert_rejected_hex ("83 63 69 6e 66 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
                       "00 00 00 00 00 00 00 00 00", SP_BERT_ERROR_INVALID);
  assert_rejected_hex ("83 63 31 2e 35 78 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
                       "00 00 00 00 00 00 00 00 00", SP_BERT_ERROR_INVALID);
  assert_rejected_hex ("83 63 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
                       "00 00 00 00 00 00 00 00 00", SP_BERT_ERROR_INVALID);
  assert_rejected_hex ("83 63 31 65 39 39 39 39 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
                       "00 00 00 00 00 00 00 00 00", SP_BERT_ERROR_INVALID);
  assert_rejected_hex ("83 63 31 2e 35 20 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
                       "00 00 00 00 00 00 00 00 00", SP_BERT_ERROR_INVALID);

  /* Bit binaries: bit counts out of range. */
  assert_rejected_hex ("83 4d 00 00 00 00 03", SP_BERT_ERROR_INVALID);
  assert_rejected_hex ("83 4d 00 00 00 01 00 ff", SP_BERT_ERROR_INVALID);
  assert_rejected_hex ("83 4d 00 00 00 01 09 ff", SP_BERT_ERROR_INVALID);

  /* Compression is for the whole term only. */
  assert_rejected_hex ("83 68 01 50 00 00 00 01 78 9c 4b 04 00 00 62 00 62", SP_BERT_ERROR_INVALID);

  /* Tags that are not part of the format, and those a server cannot send. */
  assert_rejected_hex ("83 00", SP_BERT_ERROR_UNKNOWN_TAG);
  assert_rejected_hex ("83 ff", SP_BERT_ERROR_UNKNOWN_TAG);
  assert_rejected_hex ("83 68 02 61 01 47", SP_BERT_ERROR_UNKNOWN_TAG);
  assert_rejected_hex ("83 52 00", SP_BERT_ERROR_UNSUPPORTED);
  assert_rejected_hex ("83 79 00 00", SP_BERT_ERROR_UNSUPPORTED);
  assert_rejected_hex ("83 44 00", SP_BERT_ERROR_UNSUPPORTED);
}

static void
test_limits (void)
{
  /* Big integers beyond the limit are refused, not rounded or truncated. */
  {
    g_autoptr(GString) hex = g_string_new ("83 6f 00 00 08 00 00");
    SpBertLimits limits = { .max_bignum_bytes = 4096 };
    g_autoptr(GError) error = NULL;
    g_autoptr(SpBertDocument) doc = NULL;
    g_autofree char *text = NULL;

    for (int i = 0; i < 2048; i++)
      g_string_append (hex, " ff");
    assert_rejected_hex (hex->str, SP_BERT_ERROR_TOO_LARGE);

    /* 2^16384 - 1 has 4933 digits. */
    doc = decode_hex (hex->str, &limits, &error);
    g_assert_no_error (error);
    text = sp_bert_term_dup_integer_string (frame_root (doc));
    g_assert_cmpuint (strlen (text), ==, 4933);
    g_assert_true (g_str_has_prefix (text, "1189731495357231765085759326628007130763444"));
    g_assert_true (g_str_has_suffix (text, "5"));
  }

  /* Frames beyond the size limit. */
  {
    SpBertLimits limits = { .max_size = 8 };
    g_autoptr(GError) error = NULL;
    g_autoptr(SpBertDocument) ok = decode_hex ("83 6d 00 00 00 01 61", &limits, &error);

    g_assert_no_error (error);
    g_assert_nonnull (ok);
    g_assert_null (decode_hex ("83 6d 00 00 00 04 61 62 63 64", &limits, &error));
    g_assert_error (error, SP_BERT_ERROR, SP_BERT_ERROR_TOO_LARGE);
  }
}

static GBytes *
make_compressed (const guint8 *term,
                 gsize         term_len,
                 guint32       declared,
                 gsize         repeat)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guint8 header[6] = { 131, 80, declared >> 24, declared >> 16, declared >> 8, declared };
  z_stream zs = { 0 };
  guint8 buf[65536];

  g_byte_array_append (out, header, sizeof header);
  g_assert_cmpint (deflateInit (&zs, 9), ==, Z_OK);

  /* The term, repeated: a zip bomb is one term's worth of zeros, many times. */
  for (gsize r = 0; r < repeat; r++)
    {
      zs.next_in = (Bytef *) term;
      zs.avail_in = (uInt) term_len;
      do
        {
          zs.next_out = buf;
          zs.avail_out = sizeof buf;
          g_assert_cmpint (deflate (&zs, r + 1 == repeat ? Z_FINISH : Z_NO_FLUSH), !=,
                           Z_STREAM_ERROR);
          g_byte_array_append (out, buf, sizeof buf - zs.avail_out);
        }
      while (zs.avail_out == 0);
    }
  deflateEnd (&zs);

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static void
assert_rejected_bytes (GBytes             *bytes,
                       const SpBertLimits *limits,
                       SpBertError         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpBertDocument) doc = sp_bert_decode (bytes, limits, &error);

  if (doc != NULL)
    g_error ("accepted, expected error %d", code);
  g_assert_error (error, SP_BERT_ERROR, (int) code);
  g_test_message ("%s", error->message);
}

static void
test_compressed_malformed (void)
{
  /* [a, a, a] with a tail: 83 is not part of a compressed term. */
  static const guint8 term[] = { 108, 0, 0, 0, 3, 100, 0, 1, 'a', 100, 0, 1, 'a',
                                 100, 0, 1, 'a', 106 };

  /* The honest frame decodes. */
  {
    g_autoptr(GBytes) bytes = make_compressed (term, sizeof term, sizeof term, 1);
    g_autoptr(GError) error = NULL;
    g_autoptr(SpBertDocument) doc = sp_bert_decode (bytes, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (sp_bert_term_get_length (frame_root (doc)), ==, 3);
  }

  /* Declared sizes that lie in either direction, or are zero. */
  {
    g_autoptr(GBytes) more = make_compressed (term, sizeof term, sizeof term + 1, 1);
    g_autoptr(GBytes) less = make_compressed (term, sizeof term, sizeof term - 1, 1);
    g_autoptr(GBytes) zero = make_compressed (term, sizeof term, 0, 1);

    assert_rejected_bytes (more, NULL, SP_BERT_ERROR_COMPRESSION);
    assert_rejected_bytes (less, NULL, SP_BERT_ERROR_COMPRESSION);
    assert_rejected_bytes (zero, NULL, SP_BERT_ERROR_INVALID);
  }

  /* A corrupt checksum, a corrupt stream, bytes after the stream, trailing data inside. */
  {
    g_autoptr(GBytes) good = make_compressed (term, sizeof term, sizeof term, 1);
    g_autoptr(GByteArray) bad_sum = g_byte_array_new ();
    g_autoptr(GByteArray) bad_header = g_byte_array_new ();
    g_autoptr(GByteArray) after = g_byte_array_new ();
    g_autoptr(GBytes) b1 = NULL, b2 = NULL, b3 = NULL, inner = NULL;
    static const guint8 inner_term[] = { 97, 1, 97, 2 };

    g_byte_array_append (bad_sum, g_bytes_get_data (good, NULL), g_bytes_get_size (good));
    bad_sum->data[bad_sum->len - 1] ^= 0xFF;
    b1 = g_byte_array_free_to_bytes (g_steal_pointer (&bad_sum));
    assert_rejected_bytes (b1, NULL, SP_BERT_ERROR_COMPRESSION);

    g_byte_array_append (bad_header, g_bytes_get_data (good, NULL), g_bytes_get_size (good));
    bad_header->data[6] = 0x12;
    b2 = g_byte_array_free_to_bytes (g_steal_pointer (&bad_header));
    assert_rejected_bytes (b2, NULL, SP_BERT_ERROR_COMPRESSION);

    g_byte_array_append (after, g_bytes_get_data (good, NULL), g_bytes_get_size (good));
    g_byte_array_append (after, (const guint8 *) "x", 1);
    b3 = g_byte_array_free_to_bytes (g_steal_pointer (&after));
    assert_rejected_bytes (b3, NULL, SP_BERT_ERROR_TRAILING_DATA);

    inner = make_compressed (inner_term, sizeof inner_term, sizeof inner_term, 1);
    assert_rejected_bytes (inner, NULL, SP_BERT_ERROR_TRAILING_DATA);
  }

  /* Zip bombs: 64 MiB of zeros in about 64 KiB. Declared small, the inflation stops at the
   * declared size; declared beyond the limit, nothing is inflated at all. */
  {
    g_autofree guint8 *zeros = g_malloc0 (1024 * 1024);
    g_autoptr(GBytes) small = make_compressed (zeros, 1024 * 1024, 1000, 64);
    g_autoptr(GBytes) big = make_compressed (zeros, 1024 * 1024, 48 * 1024 * 1024, 64);
    g_autoptr(GBytes) huge = make_compressed (zeros, 1024 * 1024, G_MAXUINT32, 64);
    SpBertLimits limits = { .max_size = 1024 * 1024 };

    g_test_message ("zip bomb: %" G_GSIZE_FORMAT " bytes", g_bytes_get_size (small));
    g_assert_cmpuint (g_bytes_get_size (small), <, 128 * 1024);
    assert_rejected_bytes (small, NULL, SP_BERT_ERROR_COMPRESSION);
    assert_rejected_bytes (big, NULL, SP_BERT_ERROR_COMPRESSION);
    assert_rejected_bytes (huge, NULL, SP_BERT_ERROR_TOO_LARGE);
    assert_rejected_bytes (big, &limits, SP_BERT_ERROR_TOO_LARGE);
  }
}

static void
test_error_messages (void)
{
  struct { const char *hex; const char *message; } cases[] = {
    { "83 6d 00 00 01 90 61 62 63", "truncated BINARY at offset 1: needs 400 bytes, 3 left" },
    { "83 68 02 61 01 6d 00 00 01 90 61 62 63",
      "truncated BINARY at offset 5: needs 400 bytes, 3 left" },
    { "83 6c ff ff ff ff 6a",
      "truncated LIST at offset 1: needs 4294967296 bytes, 1 left" },
    { "82 61 01", "bad version byte at offset 0: 130, expected 131" },
    { "83 61 01 00", "trailing data at offset 3: 1 bytes after the term" },
    { "83 68 02 61 01 42", "unknown tag at offset 5: 66 (0x42)" },
    { "83 68 01 58", "unsupported NEW_PID term at offset 3: tag 88" },
    { "83 77 01 ff", "invalid UTF-8 in atom at offset 1" },
    { "83 68 01 68 01 68 01 6a", "nesting too deep at offset 5: more than 2 levels" },
  };
  SpBertLimits limits = { .max_depth = 2 };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (decode_hex (cases[i].hex, &limits, &error));
      g_assert_nonnull (error);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }

  /* Offsets inside a compressed term count from the start of the inflated term. */
  {
    static const guint8 term[] = { 104, 2, 97, 1, 109, 0, 0, 1, 144, 'a' };
    g_autoptr(GBytes) bytes = make_compressed (term, sizeof term, sizeof term, 1);
    g_autoptr(GError) error = NULL;

    g_assert_null (sp_bert_decode (bytes, NULL, &error));
    g_assert_cmpstr (error->message, ==,
                     "truncated BINARY at offset 4 of the inflated term: needs 400 bytes, 1 left");
  }
}

/* Setup */

static gboolean
write_frames (void)
{
  const char *escript = escript_path;
  g_autofree char *script = NULL;
  g_autofree char *index_path = NULL;
  g_autofree char *index = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  frames_dir = g_strdup (g_getenv ("SP_TEST_BERT_FRAMES"));
  if (frames_dir == NULL)
    {
      /* Without an explicit path (from meson), only run Erlang if it is on the PATH. */
      if (escript == NULL)
        {
          g_autofree char *found = g_find_program_in_path ("escript");

          if (found == NULL)
            return FALSE;
          escript = "escript";
        }

      script = g_test_build_filename (G_TEST_DIST, "servers", "make-bert-frames.erl", NULL);
      frames_dir = g_dir_make_tmp ("test-bert-XXXXXX", &error);
      g_assert_no_error (error);
      frames_dir_is_temporary = TRUE;

      {
        const char *argv[] = { escript, script, frames_dir, NULL };

        if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                           &err, &status, &error))
          {
            g_printerr ("# cannot run %s: %s\n", escript, error->message);
            g_rmdir (frames_dir);
            g_clear_pointer (&frames_dir, g_free);
            return FALSE;
          }
        if (!g_spawn_check_wait_status (status, &error))
          g_error ("%s %s failed: %s\n%s", escript, script, error->message, err);
      }
    }

  index_path = g_build_filename (frames_dir, "index.txt", NULL);
  g_file_get_contents (index_path, &index, NULL, &error);
  g_assert_no_error (error);
  frame_names = g_strsplit (g_strstrip (index), "\n", -1);

  return TRUE;
}

static void
remove_frames (void)
{
  if (!frames_dir_is_temporary)
    return;

  for (guint i = 0; frame_names[i] != NULL; i++)
    {
      const char *exts[] = { "bin", "json", "err" };

      for (gsize e = 0; e < G_N_ELEMENTS (exts); e++)
        {
          g_autofree char *path = g_strdup_printf ("%s/%s.%s", frames_dir, frame_names[i],
                                                   exts[e]);

          g_unlink (path);
        }
    }

  {
    g_autofree char *path = g_build_filename (frames_dir, "index.txt", NULL);

    g_unlink (path);
  }
  g_rmdir (frames_dir);
}

int
main (int   argc,
      char *argv[])
{
  int ret;
  int n = 1;

  /* Our own option, taken out before g_test_init() sees the arguments:
   * --escript=PATH, the escript of the Erlang found by meson. */
  for (int i = 1; i < argc; i++)
    {
      if (g_str_has_prefix (argv[i], "--escript="))
        escript_path = argv[i] + strlen ("--escript=");
      else
        argv[n++] = argv[i];
    }
  argc = n;
  argv[argc] = NULL;

  g_test_init (&argc, &argv, NULL);

  if (write_frames ())
    {
      for (guint i = 0; frame_names[i] != NULL; i++)
        {
          g_autofree char *path = g_strdup_printf ("/bert/frame/%s", frame_names[i]);

          g_test_add_data_func (path, frame_names[i], test_frame);
        }
    }

  g_test_add_func ("/bert/values/integers", test_integers);
  g_test_add_func ("/bert/values/timestamp", test_timestamp);
  g_test_add_func ("/bert/values/floats", test_floats);
  g_test_add_func ("/bert/values/atoms", test_atoms);
  g_test_add_func ("/bert/values/text", test_text);
  g_test_add_func ("/bert/values/containers", test_containers);
  g_test_add_func ("/bert/values/compressed", test_compressed);
  g_test_add_func ("/bert/values/bert-conventions", test_bert_conventions);
  g_test_add_func ("/bert/values/basix-messages", test_basix_messages);
  g_test_add_func ("/bert/values/hand-made", test_hand_made);
  g_test_add_func ("/bert/accessors", test_accessors);
  g_test_add_func ("/bert/malformed/truncated-everywhere", test_truncated_everywhere);
  g_test_add_func ("/bert/malformed/bad-version", test_bad_version);
  g_test_add_func ("/bert/malformed/empty", test_empty);
  g_test_add_func ("/bert/malformed/trailing", test_trailing);
  g_test_add_func ("/bert/malformed/overflowing-lengths", test_overflowing_lengths);
  g_test_add_func ("/bert/malformed/deep-nesting", test_deep_nesting);
  g_test_add_func ("/bert/malformed/invalid-content", test_invalid_content);
  g_test_add_func ("/bert/malformed/limits", test_limits);
  g_test_add_func ("/bert/malformed/compressed", test_compressed_malformed);
  g_test_add_func ("/bert/malformed/error-messages", test_error_messages);

  ret = g_test_run ();

  if (frames_dir != NULL)
    remove_frames ();
  g_strfreev (frame_names);
  g_free (frames_dir);

  return ret;
}
