/* test-actioncable.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "sp-actioncable.h"
#include "sp-test-util.h"

static const char *
error_code_name (const GError *error)
{
  g_assert_true (error->domain == SP_ACTIONCABLE_ERROR);

  switch ((SpActioncableError) error->code)
    {
    case SP_ACTIONCABLE_ERROR_MALFORMED:
      return "malformed";
    case SP_ACTIONCABLE_ERROR_TOO_LARGE:
      return "too-large";
    case SP_ACTIONCABLE_ERROR_INVALID_URL:
      return "invalid-url";
    default:
      return "other";
    }
}

/* The text a fixture's .expected file holds: what the frame was classified as, or the
 * error. */
static char *
describe_frame (const char *data,
                gsize       length)
{
  g_autoptr(SpActioncableFrame) frame = NULL;
  g_autoptr(GError) error = NULL;
  GString *out = g_string_new (NULL);

  frame = sp_actioncable_frame_parse (data, length, &error);
  if (frame == NULL)
    {
      g_assert_nonnull (error);
      g_string_append_printf (out, "error %s: %s\n", error_code_name (error), error->message);
      return g_string_free (out, FALSE);
    }

  g_assert_no_error (error);
  g_string_append (out, sp_actioncable_frame_type_to_string (frame->type));

  switch (frame->type)
    {
    case SP_ACTIONCABLE_FRAME_PING:
      g_string_append_printf (out, " %" G_GINT64_FORMAT, frame->ping_time);
      break;

    case SP_ACTIONCABLE_FRAME_CONFIRM:
    case SP_ACTIONCABLE_FRAME_REJECT:
      g_string_append_printf (out, " %s", frame->identifier);
      break;

    case SP_ACTIONCABLE_FRAME_DISCONNECT:
      g_string_append_printf (out, " reason=%s reconnect=%s",
                              frame->reason != NULL ? frame->reason : "(none)",
                              frame->reconnect ? "true" : "false");
      break;

    case SP_ACTIONCABLE_FRAME_MESSAGE:
      g_assert_true (JSON_NODE_HOLDS_OBJECT (frame->message));
      g_string_append_printf (out, " %s\n  ", frame->identifier);
      sp_actioncable_append_json_node (out, frame->message);
      break;

    case SP_ACTIONCABLE_FRAME_WELCOME:
    case SP_ACTIONCABLE_FRAME_UNKNOWN:
    default:
      break;
    }

  if (frame->type != SP_ACTIONCABLE_FRAME_CONFIRM && frame->type != SP_ACTIONCABLE_FRAME_REJECT &&
      frame->type != SP_ACTIONCABLE_FRAME_MESSAGE)
    g_assert_null (frame->identifier);
  if (frame->type != SP_ACTIONCABLE_FRAME_MESSAGE)
    g_assert_null (frame->message);

  g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}

/* One test case per fixture in tests/data/redmine/frames/: NAME.json is one text frame,
 * NAME.expected what the classifier must make of it. */
static void
assert_frame_error (const char         *data,
                    gsize               length,
                    SpActioncableError  code)
{
  g_autoptr(SpActioncableFrame) frame = NULL;
  g_autoptr(GError) error = NULL;

  frame = sp_actioncable_frame_parse (data, length, &error);
  g_assert_null (frame);
  g_assert_error (error, SP_ACTIONCABLE_ERROR, (int) code);
}

static void
test_too_large (void)
{
  gsize size = 5 * 1024 * 1024;
  GString *text = g_string_sized_new (size + 200);

  g_string_append (text, "{\"identifier\":\"{\\\"channel\\\":\\\"Channel\\\",\\\"name\\\":"
                         "\\\"general\\\"}\",\"message\":{\"command\":\"show_notification\","
                         "\"data\":{\"title\":\"big\",\"message\":\"");
  while (text->len < size)
    g_string_append (text, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  g_string_append (text, "\"}}}");

  assert_frame_error (text->str, text->len, SP_ACTIONCABLE_ERROR_TOO_LARGE);
  assert_frame_error (text->str, SP_ACTIONCABLE_MAX_FRAME + 1, SP_ACTIONCABLE_ERROR_TOO_LARGE);
  /* Just under the limit it is read, and refused only because it is cut short. */
  assert_frame_error (text->str, SP_ACTIONCABLE_MAX_FRAME, SP_ACTIONCABLE_ERROR_MALFORMED);

  g_string_free (text, TRUE);
}

static char *
nested_frame (guint depth)
{
  GString *text = g_string_new ("{\"type\":\"x\",\"a\":");

  /* The root object is one level already. */
  for (guint i = 1; i < depth; i++)
    g_string_append_c (text, '[');
  for (guint i = 1; i < depth; i++)
    g_string_append_c (text, ']');
  g_string_append_c (text, '}');

  return g_string_free (text, FALSE);
}

static void
test_depth (void)
{
  g_autofree char *ok = nested_frame (SP_ACTIONCABLE_MAX_DEPTH);
  g_autofree char *too_deep = nested_frame (SP_ACTIONCABLE_MAX_DEPTH + 1);
  g_autofree char *very_deep = nested_frame (500000);
  g_autoptr(SpActioncableFrame) frame = NULL;
  g_autoptr(GError) error = NULL;

  frame = sp_actioncable_frame_parse (ok, strlen (ok), &error);
  g_assert_no_error (error);
  g_assert_cmpint (frame->type, ==, SP_ACTIONCABLE_FRAME_UNKNOWN);

  assert_frame_error (too_deep, strlen (too_deep), SP_ACTIONCABLE_ERROR_MALFORMED);
  assert_frame_error (very_deep, strlen (very_deep), SP_ACTIONCABLE_ERROR_MALFORMED);
}

/* Bytes that are not text: json-glib must never see them. */
static void
test_bad_bytes (void)
{
  const char with_nul[] = "{\"type\":\"welcome\",\"x\":\"a\0b\"}";
  const char *invalid_utf8 = "{\"type\":\"welcome\",\"x\":\"\xc3\x28\"}";
  const char *overlong = "{\"type\":\"welcome\",\"x\":\"\xc0\xaf\"}";
  const char *raw_tab = "{\"type\":\"welcome\",\"x\":\"a\tb\"}";
  const char *bad_escape = "{\"type\":\"welcome\",\"x\":\"\\x41\"}";
  const char *short_u = "{\"type\":\"welcome\",\"x\":\"\\u12\"}";
  const char *reversed_pair = "{\"type\":\"welcome\",\"x\":\"\\udc00\\ud800\"}";
  const char *escaped_backslash = "{\"type\":\"welcome\",\"x\":\"\\\\u0000\"}";
  const char *pair = "{\"type\":\"welcome\",\"x\":\"\\ud83d\\udcde\"}";
  g_autoptr(SpActioncableFrame) frame = NULL;

  assert_frame_error (with_nul, sizeof with_nul - 1, SP_ACTIONCABLE_ERROR_MALFORMED);
  assert_frame_error (invalid_utf8, strlen (invalid_utf8), SP_ACTIONCABLE_ERROR_MALFORMED);
  assert_frame_error (overlong, strlen (overlong), SP_ACTIONCABLE_ERROR_MALFORMED);
  assert_frame_error (raw_tab, strlen (raw_tab), SP_ACTIONCABLE_ERROR_MALFORMED);
  assert_frame_error (bad_escape, strlen (bad_escape), SP_ACTIONCABLE_ERROR_MALFORMED);
  assert_frame_error (short_u, strlen (short_u), SP_ACTIONCABLE_ERROR_MALFORMED);
  assert_frame_error (reversed_pair, strlen (reversed_pair), SP_ACTIONCABLE_ERROR_MALFORMED);
  assert_frame_error (NULL, 0, SP_ACTIONCABLE_ERROR_MALFORMED);
  assert_frame_error ("   ", 3, SP_ACTIONCABLE_ERROR_MALFORMED);

  /* An escaped backslash followed by "u0000" is text, not a NUL. */
  frame = sp_actioncable_frame_parse (escaped_backslash, strlen (escaped_backslash), NULL);
  g_assert_nonnull (frame);
  g_assert_cmpint (frame->type, ==, SP_ACTIONCABLE_FRAME_WELCOME);
  g_clear_pointer (&frame, sp_actioncable_frame_free);

  frame = sp_actioncable_frame_parse (pair, strlen (pair), NULL);
  g_assert_nonnull (frame);
  g_assert_cmpint (frame->type, ==, SP_ACTIONCABLE_FRAME_WELCOME);
}

/* Every prefix of real frames is refused cleanly; the data is not nul-terminated at the
 * cut, so a read past @length would show up under a sanitizer. */
static void
test_truncated (void)
{
  const char *frames[] = {
    "{\"identifier\":\"{\\\"channel\\\":\\\"Channel\\\",\\\"name\\\":\\\"pbx\\\"}\","
    "\"message\":{\"command\":\"answer\",\"data\":{\"call_uuid\":\"c-1\",\"n\":-1.5e3,"
    "\"ok\":true,\"no\":false,\"nil\":null,\"u\":\"\\u00e9\\ud83d\\udcde\"}}}",
    "{\"type\":\"ping\",\"message\":1795376982}",
  };

  for (guint f = 0; f < G_N_ELEMENTS (frames); f++)
    {
      gsize length = strlen (frames[f]);
      g_autoptr(SpActioncableFrame) whole = NULL;

      whole = sp_actioncable_frame_parse (frames[f], length, NULL);
      g_assert_nonnull (whole);

      for (gsize cut = 0; cut < length; cut++)
        {
          g_autofree char *copy = g_memdup2 (frames[f], cut);
          g_autoptr(SpActioncableFrame) frame = NULL;
          g_autoptr(GError) error = NULL;

          frame = sp_actioncable_frame_parse (copy, cut, &error);
          g_assert_null (frame);
          g_assert_error (error, SP_ACTIONCABLE_ERROR, SP_ACTIONCABLE_ERROR_MALFORMED);
        }
    }
}

static void
test_identifier (void)
{
  const struct {
    const char *channel_class;
    const char *name;
    const char *identifier;
  } cases[] = {
    { "Channel", "user:bob", "{\"channel\":\"Channel\",\"name\":\"user:bob\"}" },
    { "Channel", "general", "{\"channel\":\"Channel\",\"name\":\"general\"}" },
    { "RedmineRt::Channel", "user:john.doe",
      "{\"channel\":\"RedmineRt::Channel\",\"name\":\"user:john.doe\"}" },
    { "Channel", "", "{\"channel\":\"Channel\",\"name\":\"\"}" },
    { "Channel", "a/b@c d", "{\"channel\":\"Channel\",\"name\":\"a/b@c d\"}" },
    { "Channel", "say \"hi\"\\now", "{\"channel\":\"Channel\",\"name\":\"say \\\"hi\\\"\\\\now\"}" },
    { "Channel", "tab\there\nnl\x01\x1f\x7f",
      "{\"channel\":\"Channel\",\"name\":\"tab\\there\\nnl\\u0001\\u001f\x7f\"}" },
    { "Channel", "\b\f\r", "{\"channel\":\"Channel\",\"name\":\"\\b\\f\\r\"}" },
    { "Channel", "queue:café 📞", "{\"channel\":\"Channel\",\"name\":\"queue:café 📞\"}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *identifier = sp_actioncable_identifier_new (cases[i].channel_class,
                                                                   cases[i].name);
      g_autoptr(JsonNode) parsed = NULL;
      g_autoptr(GError) error = NULL;
      JsonObject *object;

      g_assert_cmpstr (identifier, ==, cases[i].identifier);

      /* It reads back, through the strict reader, as the same class and name. */
      parsed = sp_actioncable_parse_object (identifier, strlen (identifier), &error);
      g_assert_no_error (error);
      object = json_node_get_object (parsed);
      g_assert_cmpuint (json_object_get_size (object), ==, 2);
      g_assert_cmpstr (json_object_get_string_member (object, "channel"), ==,
                       cases[i].channel_class);
      g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, cases[i].name);
    }
}

static void
test_subscribe (void)
{
  g_autofree char *identifier = sp_actioncable_identifier_new ("Channel", "user:bob");
  g_autofree char *subscribe = sp_actioncable_subscribe_new (identifier);
  g_autofree char *unsubscribe = sp_actioncable_unsubscribe_new (identifier);
  g_autoptr(JsonNode) parsed = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  g_assert_cmpstr (subscribe, ==,
                   "{\"command\":\"subscribe\","
                   "\"identifier\":\"{\\\"channel\\\":\\\"Channel\\\",\\\"name\\\":\\\"user:bob\\\"}\"}");
  g_assert_cmpstr (unsubscribe, ==,
                   "{\"command\":\"unsubscribe\","
                   "\"identifier\":\"{\\\"channel\\\":\\\"Channel\\\",\\\"name\\\":\\\"user:bob\\\"}\"}");

  /* The identifier inside the command is exactly the string the server will echo. */
  parsed = sp_actioncable_parse_object (subscribe, strlen (subscribe), &error);
  g_assert_no_error (error);
  object = json_node_get_object (parsed);
  g_assert_cmpstr (json_object_get_string_member (object, "command"), ==, "subscribe");
  g_assert_cmpstr (json_object_get_string_member (object, "identifier"), ==, identifier);
}

/* A confirm_subscription as the test server sends it matches the identifier we built. */
static void
test_confirm_matches (void)
{
  g_autofree char *identifier = sp_actioncable_identifier_new ("Channel", "user:john.doe");
  GString *confirm = g_string_new ("{\"identifier\":");
  g_autoptr(SpActioncableFrame) frame = NULL;
  g_autoptr(GError) error = NULL;

  sp_actioncable_append_json_string (confirm, identifier);
  g_string_append (confirm, ",\"type\":\"confirm_subscription\"}");

  frame = sp_actioncable_frame_parse (confirm->str, confirm->len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (frame->type, ==, SP_ACTIONCABLE_FRAME_CONFIRM);
  g_assert_cmpstr (frame->identifier, ==, identifier);

  g_string_free (confirm, TRUE);
}

static void
test_cable_url (void)
{
  const struct {
    const char *base;
    const char *cable;
    const char *normalized;
  } cases[] = {
    { "http://127.0.0.1:3000", "ws://127.0.0.1:3000/cable", "http://127.0.0.1:3000" },
    { "http://127.0.0.1:3000/", "ws://127.0.0.1:3000/cable", "http://127.0.0.1:3000" },
    { "https://redmine.example", "wss://redmine.example/cable", "https://redmine.example" },
    { "https://host/redmine", "wss://host/redmine/cable", "https://host/redmine" },
    { "https://host/redmine/", "wss://host/redmine/cable", "https://host/redmine" },
    /* Only one trailing slash is dropped. */
    { "https://host/redmine//", "wss://host/redmine//cable", "https://host/redmine/" },
    { "HTTPS://Host.Example:8443/a/b/", "wss://Host.Example:8443/a/b/cable",
      "https://Host.Example:8443/a/b" },
    { "  https://host/sub%20path \n", "wss://host/sub%20path/cable", "https://host/sub%20path" },
    { "http://[::1]:3000/", "ws://[::1]:3000/cable", "http://[::1]:3000" },
  };
  const char *bad[] = {
    "", "redmine.example", "ftp://host/", "ws://host/", "file:///etc/passwd",
    "https://", "https://bob:secret@host/", "https://host/?key=abc", "https://host/#x",
    "http://host:99999/",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *cable = sp_actioncable_cable_url (cases[i].base, &error);
      g_autofree char *normalized = NULL;

      g_assert_no_error (error);
      g_assert_cmpstr (cable, ==, cases[i].cable);

      normalized = sp_actioncable_base_url_normalize (cases[i].base, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (normalized, ==, cases[i].normalized);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *cable = sp_actioncable_cable_url (bad[i], &error);

      g_assert_null (cable);
      g_assert_error (error, SP_ACTIONCABLE_ERROR, SP_ACTIONCABLE_ERROR_INVALID_URL);
      /* Whatever was in the URL, the message never repeats it. */
      g_assert_null (strstr (error->message, "secret"));
      g_assert_null (strstr (error->message, "abc"));
    }
}

/* Numbers pass through the serializer unchanged: integers exactly, doubles in the
 * shortest form that reads back as the same value. */
static void
test_serialize_numbers (void)
{
  const struct {
    const char *in;
    const char *out;
  } cases[] = {
    { "{\"a\":0.1}", "{\"a\":0.1}" },
    { "{\"a\":1.0}", "{\"a\":1.0}" },
    { "{\"a\":-0.0}", "{\"a\":-0.0}" },
    { "{\"a\":100}", "{\"a\":100}" },
    { "{\"a\":1e300}", "{\"a\":1e+300}" },
    { "{\"a\":2.5E-3}", "{\"a\":0.0025}" },
    { "{\"a\":0.30000000000000004}", "{\"a\":0.30000000000000004}" },
    { "{\"a\":5e-324}", "{\"a\":4.94065645841247e-324}" },
    { "{\"a\":9223372036854775807,\"b\":-9223372036854775808}",
      "{\"a\":9223372036854775807,\"b\":-9223372036854775808}" },
    { "{ \"z\" : [ true , false , null , {} , [] ] , \"a\" : \"\\u0041\\/\" }",
      "{\"z\":[true,false,null,{},[]],\"a\":\"A/\"}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(JsonNode) again = NULL;
      g_autoptr(GError) error = NULL;
      GString *out = g_string_new (NULL);
      GString *out2 = g_string_new (NULL);

      node = sp_actioncable_parse_object (cases[i].in, strlen (cases[i].in), &error);
      g_assert_no_error (error);
      sp_actioncable_append_json_node (out, node);
      g_assert_cmpstr (out->str, ==, cases[i].out);

      /* Serializing what was serialized changes nothing. */
      again = sp_actioncable_parse_object (out->str, out->len, &error);
      g_assert_no_error (error);
      sp_actioncable_append_json_node (out2, again);
      g_assert_cmpstr (out2->str, ==, out->str);

      g_string_free (out, TRUE);
      g_string_free (out2, TRUE);
    }
}

static void
test_type_names (void)
{
  g_assert_cmpstr (sp_actioncable_frame_type_to_string (SP_ACTIONCABLE_FRAME_WELCOME), ==,
                   "welcome");
  g_assert_cmpstr (sp_actioncable_frame_type_to_string (SP_ACTIONCABLE_FRAME_MESSAGE), ==,
                   "message");
  g_assert_cmpstr (sp_actioncable_frame_type_to_string ((SpActioncableFrameType) 99), ==,
                   "invalid");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  sp_test_add_data_cases ("/actioncable/fixture", "redmine/frames", describe_frame, SP_TEST_DATA_NONE, 10);
  g_test_add_func ("/actioncable/too-large", test_too_large);
  g_test_add_func ("/actioncable/depth", test_depth);
  g_test_add_func ("/actioncable/bad-bytes", test_bad_bytes);
  g_test_add_func ("/actioncable/truncated", test_truncated);
  g_test_add_func ("/actioncable/identifier", test_identifier);
  g_test_add_func ("/actioncable/subscribe", test_subscribe);
  g_test_add_func ("/actioncable/confirm-matches", test_confirm_matches);
  g_test_add_func ("/actioncable/cable-url", test_cable_url);
  g_test_add_func ("/actioncable/serialize-numbers", test_serialize_numbers);
  g_test_add_func ("/actioncable/type-names", test_type_names);

  return g_test_run ();
}
