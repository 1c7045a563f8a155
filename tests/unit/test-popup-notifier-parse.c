/* test-popup-notifier-parse.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-popup-notifier-parse"

#include "config.h"

#include <string.h>

#include "sp-popup-notifier.h"

/* Expected outcome when the frame is accepted. */
#define OK (-1)

typedef struct
{
  const char *name;
  const char *frame;
  gssize      length;    /* -1: strlen (frame); set for frames with NUL bytes */
  int         error;     /* OK, or an SpPopupNotifierError */
  const char *phone;     /* on OK: the expected phone; otherwise a substring of the message */
  const char *exten;
} ParseCase;

static const ParseCase cases[] = {
  /* What the daemon sends. */
  { "daemon", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"0312345678\",\"exten\":\"201\"}}", -1,
    OK, "0312345678", "201" },
  { "daemon-empty-exten", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"0312345678\",\"exten\":\"\"}}", -1,
    OK, "0312345678", "" },
  /* Go's encoding/json escapes <, > and & and keeps UTF-8 as is. */
  { "go-escapes", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"\\u003cA\\u0026B\\u003e\",\"exten\":\"201\"}}", -1,
    OK, "<A&B>", "201" },
  { "japanese", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"山田 太郎 03-1234-5678\",\"exten\":\"201\"}}", -1,
    OK, "山田 太郎 03-1234-5678", "201" },
  { "replacement-char", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"03\\ufffd\",\"exten\":\"201\"}}", -1,
    OK, "03\xef\xbf\xbd", "201" },
  { "international", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"+81 3-1234-5678\",\"exten\":\"201\"}}", -1,
    OK, "+81 3-1234-5678", "201" },

  /* Tolerated variations. */
  { "exten-missing", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"0312345678\"}}", -1,
    OK, "0312345678", "" },
  { "exten-null", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"0312345678\",\"exten\":null}}", -1,
    OK, "0312345678", "" },
  { "member-order", "{\"data\":{\"exten\":\"201\",\"phone\":\"0312345678\"},\"type\":\"CALL_IN\"}", -1,
    OK, "0312345678", "201" },
  { "extra-members", "{\"type\":\"CALL_IN\",\"id\":7,\"data\":{\"phone\":\"1\",\"exten\":\"2\",\"name\":[1]}}", -1,
    OK, "1", "2" },
  { "whitespace-around", " \r\n\t{ \"type\" : \"CALL_IN\" , \"data\" : { \"phone\" : \"1\" } } \n", -1,
    OK, "1", "" },
  { "phone-stripped", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\" \\t0312345678\\n \",\"exten\":\" 201 \"}}", -1,
    OK, "0312345678", "201" },
  { "phone-stripped-unicode", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"\xe3\x80\x80" "0312\xc2\xa0\",\"exten\":\"201\"}}", -1,
    OK, "0312", "201" },
  { "exten-all", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"1\",\"exten\":\"all\"}}", -1,
    OK, "1", "all" },
  { "escaped-slash", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"a\\/b\\\\c\\\"d\"}}", -1,
    OK, "a/b\\c\"d", "" },
  { "escaped-backslash-then-u0000-text", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"a\\\\u0000\"}}", -1,
    OK, "a\\u0000", "" },
  { "surrogate-pair", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"\\ud83d\\udcde 1\"}}", -1,
    OK, "\xf0\x9f\x93\x9e 1", "" },

  /* Not a CALL_IN frame at all. */
  { "empty", "", -1, SP_POPUP_NOTIFIER_ERROR_MALFORMED, "empty", NULL },
  { "blank", "  \n ", -1, SP_POPUP_NOTIFIER_ERROR_MALFORMED, "empty", NULL },
  { "not-json", "CALL_IN 0312345678 201", -1, SP_POPUP_NOTIFIER_ERROR_MALFORMED, "not a JSON object", NULL },
  { "truncated", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"03", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "not valid JSON", NULL },
  { "bad-json", "{\"type\":\"CALL_IN\",}", -1, SP_POPUP_NOTIFIER_ERROR_MALFORMED, "not valid JSON", NULL },
  { "array", "[{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"1\"}}]", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "not a JSON object", NULL },
  { "string", "\"CALL_IN\"", -1, SP_POPUP_NOTIFIER_ERROR_MALFORMED, "not a JSON object", NULL },
  { "number", "42", -1, SP_POPUP_NOTIFIER_ERROR_MALFORMED, "not a JSON object", NULL },
  { "null", "null", -1, SP_POPUP_NOTIFIER_ERROR_MALFORMED, "not a JSON object", NULL },
  { "trailing-object", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"1\"}} {}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "after the JSON object", NULL },
  { "trailing-garbage", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"1\"}}x", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "after the JSON object", NULL },
  { "invalid-utf8", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"\xff\"}}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "not valid UTF-8", NULL },
  { "overlong-utf8", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"\xc0\xaf\"}}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "not valid UTF-8", NULL },
  { "nul-byte", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"1\0\"}}",
    sizeof ("{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"1\0\"}}") - 1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "not valid UTF-8", NULL },
  { "nul-byte-after", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"1\"}}\0",
    sizeof ("{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"1\"}}\0") - 1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "not valid UTF-8", NULL },
  /* json-glib would cut the string at the NUL and read the type as CALL_IN. */
  { "escaped-nul-in-type", "{\"type\":\"CALL_IN\\u0000x\",\"data\":{\"phone\":\"1\"}}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "escaped NUL", NULL },
  { "escaped-nul-in-phone", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"1\\u0000 2\"}}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "escaped NUL", NULL },
  /* Found by the fuzzer: json-glib quotes the bad member name, which holds bytes that are
   * not UTF-8, in its error message. */
  { "json-error-quotes-bad-key", "{\"ty\\ud800peen\"\"CALN_IN:\"1\"}}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "not valid JSON", NULL },
  { "deep-nesting", "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "deeper than", NULL },

  /* Message types. */
  { "type-missing", "{\"data\":{\"phone\":\"1\"}}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "“type” is missing", NULL },
  { "type-number", "{\"type\":1,\"data\":{\"phone\":\"1\"}}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "“type” is not a string", NULL },
  { "type-null", "{\"type\":null,\"data\":{\"phone\":\"1\"}}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "“type” is not a string", NULL },
  { "type-object", "{\"type\":{},\"data\":{\"phone\":\"1\"}}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "“type” is not a string", NULL },
  { "type-unknown", "{\"type\":\"HANGUP\",\"data\":{\"phone\":\"1\"}}", -1,
    SP_POPUP_NOTIFIER_ERROR_UNKNOWN_TYPE, "“HANGUP”", NULL },
  { "type-lowercase", "{\"type\":\"call_in\",\"data\":{\"phone\":\"1\"}}", -1,
    SP_POPUP_NOTIFIER_ERROR_UNKNOWN_TYPE, "“call_in”", NULL },
  { "type-unknown-no-data", "{\"type\":\"PING\"}", -1,
    SP_POPUP_NOTIFIER_ERROR_UNKNOWN_TYPE, "“PING”", NULL },
  { "type-unknown-sanitized", "{\"type\":\"A\\nB\\ud800C\"}", -1,
    SP_POPUP_NOTIFIER_ERROR_UNKNOWN_TYPE, "“A?B", NULL },
  { "type-unknown-truncated", "{\"type\":\"0123456789012345678901234567890123456789\"}", -1,
    SP_POPUP_NOTIFIER_ERROR_UNKNOWN_TYPE, "“01234567890123456789012345678901…”", NULL },

  /* The data object. */
  { "data-missing", "{\"type\":\"CALL_IN\"}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "“data” is missing", NULL },
  { "data-string", "{\"type\":\"CALL_IN\",\"data\":\"0312345678\"}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "“data” is not an object", NULL },
  { "data-null", "{\"type\":\"CALL_IN\",\"data\":null}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "“data” is not an object", NULL },
  { "data-array", "{\"type\":\"CALL_IN\",\"data\":[\"0312345678\"]}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "“data” is not an object", NULL },

  /* phone. */
  { "phone-missing", "{\"type\":\"CALL_IN\",\"data\":{\"exten\":\"201\"}}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "“data.phone” is missing", NULL },
  { "phone-number", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":312345678,\"exten\":\"201\"}}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "“data.phone” is not a string", NULL },
  { "phone-null", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":null,\"exten\":\"201\"}}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "“data.phone” is not a string", NULL },
  { "phone-bool", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":true}}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "“data.phone” is not a string", NULL },
  { "phone-array", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":[\"1\"]}}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "“data.phone” is not a string", NULL },
  { "phone-empty", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"\",\"exten\":\"201\"}}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "“data.phone” is empty", NULL },
  { "phone-blank", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\" \\t \",\"exten\":\"201\"}}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "“data.phone” is empty", NULL },
  { "phone-newline", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"03\\nURGENT: call 0900\"}}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "“data.phone” contains the control character U+000A", NULL },
  { "phone-escape", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"03\\u001b[31m\"}}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "U+001B", NULL },
  { "phone-del", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"03\x7f\"}}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "U+007F", NULL },
  { "phone-c1", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"03\\u0085\"}}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "U+0085", NULL },
  { "phone-line-separator", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"03\\u2028x\"}}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "U+2028", NULL },
  { "phone-bidi-override", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"\\u202e8765\"}}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "U+202E", NULL },
  { "phone-bidi-isolate", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"1\\u2066 2\"}}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "U+2066", NULL },
  { "phone-lone-surrogate", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"03\\ud800x\"}}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "“data.phone” is not valid UTF-8", NULL },
  { "phone-64", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\""
    "0123456789012345678901234567890123456789012345678901234567890123\"}}", -1,
    OK, "0123456789012345678901234567890123456789012345678901234567890123", "" },
  { "phone-65", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\""
    "01234567890123456789012345678901234567890123456789012345678901234\"}}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "“data.phone” is longer than 64 characters", NULL },
  /* The limit counts characters, not bytes: 64 kana are 192 bytes. */
  { "phone-64-kana", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\""
    "ああああああああああああああああああああああああああああああああ"
    "ああああああああああああああああああああああああああああああああ\"}}", -1,
    OK, "ああああああああああああああああああああああああああああああああ"
    "ああああああああああああああああああああああああああああああああ", "" },
  { "phone-64-plus-spaces", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"   "
    "0123456789012345678901234567890123456789012345678901234567890123   \"}}", -1,
    OK, "0123456789012345678901234567890123456789012345678901234567890123", "" },

  /* exten. */
  { "exten-number", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"1\",\"exten\":201}}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "“data.exten” is not a string", NULL },
  { "exten-object", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"1\",\"exten\":{}}}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "“data.exten” is not a string", NULL },
  { "exten-control", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"1\",\"exten\":\"2\\r01\"}}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "“data.exten” contains the control character U+000D", NULL },
  { "exten-32", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"1\",\"exten\":\"01234567890123456789012345678901\"}}", -1,
    OK, "1", "01234567890123456789012345678901" },
  { "exten-33", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"1\",\"exten\":\"012345678901234567890123456789012\"}}", -1,
    SP_POPUP_NOTIFIER_ERROR_MALFORMED, "“data.exten” is longer than 32 characters", NULL },
  { "exten-blank", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"1\",\"exten\":\"  \"}}", -1,
    OK, "1", "" },
};

static void
test_parse_case (gconstpointer user_data)
{
  const ParseCase *c = user_data;
  gsize length = c->length < 0 ? strlen (c->frame) : (gsize) c->length;
  g_autoptr(GError) error = NULL;
  SpPopupCallIn call = { NULL, NULL };
  gboolean ok;

  ok = sp_popup_notifier_parse (c->frame, length, &call, &error);

  if (c->error == OK)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpstr (call.phone, ==, c->phone);
      g_assert_cmpstr (call.exten, ==, c->exten);
    }
  else
    {
      g_assert_false (ok);
      g_assert_error (error, SP_POPUP_NOTIFIER_ERROR, c->error);
      g_test_message ("%s: %s", c->name, error->message);
      if (strstr (error->message, c->phone) == NULL)
        g_error ("“%s” does not contain “%s”", error->message, c->phone);
      /* A failed parse leaves the output alone. */
      g_assert_null (call.phone);
      g_assert_null (call.exten);
      /* Every message is safe to log as is. */
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
    }

  sp_popup_call_in_clear (&call);
  g_assert_null (call.phone);
  g_assert_null (call.exten);
  sp_popup_call_in_clear (&call);
}

static char *
make_frame_of_size (gsize size)
{
  static const char head[] = "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"1\",\"pad\":\"";
  static const char tail[] = "\"}}";
  GString *frame = g_string_sized_new (size + 1);

  g_assert_cmpuint (size, >=, strlen (head) + strlen (tail));
  g_string_append (frame, head);
  while (frame->len < size - strlen (tail))
    g_string_append_c (frame, 'x');
  g_string_append (frame, tail);
  g_assert_cmpuint (frame->len, ==, size);

  return g_string_free (frame, FALSE);
}

static void
test_parse_size_limit (void)
{
  g_autofree char *at_limit = make_frame_of_size (SP_POPUP_NOTIFIER_MAX_FRAME);
  g_autofree char *over_limit = make_frame_of_size (SP_POPUP_NOTIFIER_MAX_FRAME + 1);
  g_autoptr(GError) error = NULL;
  SpPopupCallIn call = { NULL, NULL };

  g_assert_true (sp_popup_notifier_parse (at_limit, SP_POPUP_NOTIFIER_MAX_FRAME, &call, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (call.phone, ==, "1");
  sp_popup_call_in_clear (&call);

  g_assert_false (sp_popup_notifier_parse (over_limit, SP_POPUP_NOTIFIER_MAX_FRAME + 1, &call,
                                           &error));
  g_assert_error (error, SP_POPUP_NOTIFIER_ERROR, SP_POPUP_NOTIFIER_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "65537"));
}

/* The size check comes first: a 10 MB frame of garbage is rejected without being read, so
 * this must be fast and must not care that the bytes are not UTF-8. */
static void
test_parse_huge_frame (void)
{
  gsize size = 10 * 1024 * 1024;
  g_autofree char *huge = g_malloc (size);
  g_autoptr(GError) error = NULL;
  SpPopupCallIn call = { NULL, NULL };

  memset (huge, 0xff, size);
  g_assert_false (sp_popup_notifier_parse (huge, size, &call, &error));
  g_assert_error (error, SP_POPUP_NOTIFIER_ERROR, SP_POPUP_NOTIFIER_ERROR_TOO_LARGE);
}

/* The parser reads exactly @length bytes: a frame in the middle of a buffer parses alone. */
static void
test_parse_not_nul_terminated (void)
{
  static const char buffer[] = "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"1\",\"exten\":\"2\"}}GARBAGE";
  g_autoptr(GError) error = NULL;
  SpPopupCallIn call = { NULL, NULL };
  g_autofree char *copy = g_memdup2 (buffer, strlen (buffer) - strlen ("GARBAGE"));

  g_assert_true (sp_popup_notifier_parse (copy, strlen (buffer) - strlen ("GARBAGE"), &call,
                                          &error));
  g_assert_no_error (error);
  g_assert_cmpstr (call.phone, ==, "1");
  g_assert_cmpstr (call.exten, ==, "2");
  sp_popup_call_in_clear (&call);
}

/* Every nesting depth up to the limit is parsed, every one above is refused, without
 * running out of stack either way. */
static void
test_parse_nesting (void)
{
  for (guint depth = 1; depth < 200; depth++)
    {
      g_autoptr(GString) frame = g_string_new ("{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"1\"},\"x\":");
      g_autoptr(GError) error = NULL;
      SpPopupCallIn call = { NULL, NULL };
      gboolean ok;

      for (guint i = 0; i < depth; i++)
        g_string_append_c (frame, '[');
      for (guint i = 0; i < depth; i++)
        g_string_append_c (frame, ']');
      g_string_append_c (frame, '}');

      ok = sp_popup_notifier_parse (frame->str, frame->len, &call, &error);
      /* The root object is one level. */
      if (depth + 1 <= 32)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          g_assert_error (error, SP_POPUP_NOTIFIER_ERROR, SP_POPUP_NOTIFIER_ERROR_MALFORMED);
          g_assert_false (ok);
        }
      sp_popup_call_in_clear (&call);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/popup-notifier/parse/%s", cases[i].name);

      g_test_add_data_func (path, &cases[i], test_parse_case);
    }

  g_test_add_func ("/popup-notifier/parse/size-limit", test_parse_size_limit);
  g_test_add_func ("/popup-notifier/parse/huge-frame", test_parse_huge_frame);
  g_test_add_func ("/popup-notifier/parse/not-nul-terminated", test_parse_not_nul_terminated);
  g_test_add_func ("/popup-notifier/parse/nesting", test_parse_nesting);

  return g_test_run ();
}
