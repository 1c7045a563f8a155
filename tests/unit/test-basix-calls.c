/* test-basix-calls.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Basix calls mapping (sp-basix-calls.c): which channels ring the account's user and
 * what call events they make. Data-driven: each tests/data/basix-calls/NAME.json is a
 * sequence of ws_cti messages as the server sends them, and NAME.expected what the model
 * and the mapping make of them, message by message. Set SP_TEST_REGENERATE=1 to (re)write
 * the .expected files, then review the diff.
 *
 * A data file is an object:
 *   "account"     who the user is, as the source tells the mapping: "selector" (user_id,
 *                 user_name, …), "value", "extensions" (an array) and "full_events"
 *   "field_spec"  {category: [field, …]}: sent first, as {field_spec, "category", [atom, …]},
 *                 and again after each reconnect
 *   "messages"    in order, each one of
 *                 {"initial_info": category, "elements": [element, …]}
 *                 {"initial_info": category, "elements": term}   (e.g. {bert, nil})
 *                 {"info_event": category, "event": "added", "element": element}
 *                 {"term": term}              any other message, as it is
 *                 {"reconnect": true}         a new connection: the model is emptied
 *                                             (what the source does) and the field specs
 *                                             are sent again
 *   "comment"     ignored: what the case is about
 * An element is an object {field: term}: the tuple of its category's field spec, with
 * `undefined` for the fields not given. Categories and event names are sent as Erlang
 * strings, as the server does.
 *
 * A term is written as sp_bert_term_to_json() writes it, an object naming its kind
 * ({"atom": "calling"}, {"tuple": […]}, {"string": "abc"}, {"binary": "abc"}, {"int": 1},
 * {"float": 1.5}, {"list": […]}), or in short: a JSON string is a binary, a number an
 * integer, true and false the atoms, null the atom `undefined` and an array a list. The
 * terms are encoded as term_to_binary/2 with {minor_version, 2} does (checked against
 * bytes Erlang wrote, /basix-calls/encoder), decoded by sp_bert_decode() and applied to an
 * SpBasixModel, exactly as the source does with a frame.
 */

#define G_LOG_DOMAIN "test-basix-calls"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "sp-basix-calls.h"
#include "sp-basix-model.h"
#include "sp-test-util.h"

#define ACCOUNT_ID "basix1"

/* External term format: the tags this encoder writes. */
enum
{
  TAG_VERSION = 131,
  TAG_NEW_FLOAT = 70,
  TAG_SMALL_INTEGER = 97,
  TAG_INTEGER = 98,
  TAG_SMALL_TUPLE = 104,
  TAG_LARGE_TUPLE = 105,
  TAG_NIL = 106,
  TAG_STRING = 107,
  TAG_LIST = 108,
  TAG_BINARY = 109,
  TAG_SMALL_BIG = 110,
  TAG_SMALL_ATOM_UTF8 = 119,
};

/* Encoding */

static void
put_u8 (GByteArray *out,
        guint8      value)
{
  g_byte_array_append (out, &value, 1);
}

static void
put_u16 (GByteArray *out,
         guint16     value)
{
  guint16 be = GUINT16_TO_BE (value);

  g_byte_array_append (out, (const guint8 *) &be, 2);
}

static void
put_u32 (GByteArray *out,
         guint32     value)
{
  guint32 be = GUINT32_TO_BE (value);

  g_byte_array_append (out, (const guint8 *) &be, 4);
}

static void
put_atom (GByteArray *out,
          const char *name)
{
  gsize len = strlen (name);

  g_assert_cmpuint (len, <, 256);
  put_u8 (out, TAG_SMALL_ATOM_UTF8);
  put_u8 (out, (guint8) len);
  g_byte_array_append (out, (const guint8 *) name, (guint) len);
}

static void
put_binary (GByteArray *out,
            const char *text)
{
  gsize len = strlen (text);

  put_u8 (out, TAG_BINARY);
  put_u32 (out, (guint32) len);
  g_byte_array_append (out, (const guint8 *) text, (guint) len);
}

/* An Erlang string: a list of bytes, which term_to_binary writes as STRING_EXT. */
static void
put_string (GByteArray *out,
            const char *text)
{
  gsize len = strlen (text);

  if (len == 0)
    {
      put_u8 (out, TAG_NIL);
      return;
    }

  g_assert_cmpuint (len, <, 65536);
  put_u8 (out, TAG_STRING);
  put_u16 (out, (guint16) len);
  g_byte_array_append (out, (const guint8 *) text, (guint) len);
}

static void
put_integer (GByteArray *out,
             gint64      value)
{
  if (value >= 0 && value <= 255)
    {
      put_u8 (out, TAG_SMALL_INTEGER);
      put_u8 (out, (guint8) value);
    }
  else if (value >= G_MININT32 && value <= G_MAXINT32)
    {
      put_u8 (out, TAG_INTEGER);
      put_u32 (out, (guint32) (gint32) value);
    }
  else
    {
      guint64 magnitude = value < 0 ? -(guint64) value : (guint64) value;
      guint8 digits[8];
      guint8 n = 0;

      while (magnitude > 0)
        {
          digits[n++] = magnitude & 0xff;
          magnitude >>= 8;
        }
      put_u8 (out, TAG_SMALL_BIG);
      put_u8 (out, n);
      put_u8 (out, value < 0);
      g_byte_array_append (out, digits, n);
    }
}

static void
put_float (GByteArray *out,
           double      value)
{
  guint64 bits;

  memcpy (&bits, &value, sizeof bits);
  bits = GUINT64_TO_BE (bits);
  put_u8 (out, TAG_NEW_FLOAT);
  g_byte_array_append (out, (const guint8 *) &bits, 8);
}

static void put_term (GByteArray *out,
                      JsonNode   *node);

static void
put_tuple_header (GByteArray *out,
                  guint       arity)
{
  if (arity < 256)
    {
      put_u8 (out, TAG_SMALL_TUPLE);
      put_u8 (out, (guint8) arity);
    }
  else
    {
      put_u8 (out, TAG_LARGE_TUPLE);
      put_u32 (out, arity);
    }
}

static void
put_tuple (GByteArray *out,
           JsonArray  *items)
{
  guint n = json_array_get_length (items);

  put_tuple_header (out, n);
  for (guint i = 0; i < n; i++)
    put_term (out, json_array_get_element (items, i));
}

/* As term_to_binary does: a list of small integers only is a STRING_EXT. */
static void
put_list (GByteArray *out,
          JsonArray  *items)
{
  guint n = json_array_get_length (items);
  gboolean bytes = n > 0 && n < 65536;

  if (n == 0)
    {
      put_u8 (out, TAG_NIL);
      return;
    }

  for (guint i = 0; i < n && bytes; i++)
    {
      JsonNode *item = json_array_get_element (items, i);

      bytes = JSON_NODE_HOLDS_VALUE (item) && json_node_get_value_type (item) == G_TYPE_INT64 &&
              json_node_get_int (item) >= 0 && json_node_get_int (item) <= 255;
    }

  if (bytes)
    {
      put_u8 (out, TAG_STRING);
      put_u16 (out, (guint16) n);
      for (guint i = 0; i < n; i++)
        put_u8 (out, (guint8) json_array_get_int_element (items, i));
      return;
    }

  put_u8 (out, TAG_LIST);
  put_u32 (out, n);
  for (guint i = 0; i < n; i++)
    put_term (out, json_array_get_element (items, i));
  put_u8 (out, TAG_NIL);
}

static void
put_term (GByteArray *out,
          JsonNode   *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_NULL:
      put_atom (out, "undefined");
      return;

    case JSON_NODE_ARRAY:
      put_list (out, json_node_get_array (node));
      return;

    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          put_binary (out, json_node_get_string (node));
          return;
        case G_TYPE_INT64:
          put_integer (out, json_node_get_int (node));
          return;
        case G_TYPE_DOUBLE:
          put_float (out, json_node_get_double (node));
          return;
        case G_TYPE_BOOLEAN:
          put_atom (out, json_node_get_boolean (node) ? "true" : "false");
          return;
        default:
          g_assert_not_reached ();
        }

    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        g_autoptr(GList) members = json_object_get_members (object);
        const char *kind;
        JsonNode *value;

        if (g_list_length (members) != 1)
          g_error ("A term object names one kind, not %u members", g_list_length (members));

        kind = members->data;
        value = json_object_get_member (object, kind);
        if (g_str_equal (kind, "atom"))
          put_atom (out, json_node_get_string (value));
        else if (g_str_equal (kind, "string"))
          put_string (out, json_node_get_string (value));
        else if (g_str_equal (kind, "binary"))
          put_binary (out, json_node_get_string (value));
        else if (g_str_equal (kind, "int"))
          put_integer (out, json_node_get_int (value));
        else if (g_str_equal (kind, "float"))
          put_float (out, json_node_get_double (value));
        else if (g_str_equal (kind, "tuple"))
          put_tuple (out, json_node_get_array (value));
        else if (g_str_equal (kind, "list"))
          put_list (out, json_node_get_array (value));
        else
          g_error ("Unknown term kind “%s”", kind);
        return;
      }

    default:
      g_assert_not_reached ();
    }
}

/* The tuple of @element ({field: term}) in the order of @fields. */
static void
put_element (GByteArray *out,
             JsonArray  *fields,
             JsonNode   *element)
{
  JsonObject *object = json_node_get_object (element);
  g_autoptr(GList) members = json_object_get_members (object);
  guint n = json_array_get_length (fields);

  /* A field the spec does not have is a typo in the data file. */
  for (GList *l = members; l != NULL; l = l->next)
    {
      gboolean known = FALSE;

      for (guint i = 0; i < n && !known; i++)
        known = g_str_equal (json_array_get_string_element (fields, i), l->data);
      if (!known)
        g_error ("Field “%s” is not in the field spec", (const char *) l->data);
    }

  put_tuple_header (out, n);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *value = json_object_get_member (object, json_array_get_string_element (fields, i));

      if (value != NULL)
        put_term (out, value);
      else
        put_atom (out, "undefined");
    }
}

static GByteArray *
frame_new (void)
{
  GByteArray *out = g_byte_array_new ();

  put_u8 (out, TAG_VERSION);
  return out;
}

static GByteArray *
encode_field_spec (const char *category,
                   JsonArray  *fields)
{
  GByteArray *out = frame_new ();
  guint n = json_array_get_length (fields);

  put_tuple_header (out, 3);
  put_atom (out, "field_spec");
  put_string (out, category);
  put_u8 (out, TAG_LIST);
  put_u32 (out, n);
  for (guint i = 0; i < n; i++)
    put_atom (out, json_array_get_string_element (fields, i));
  put_u8 (out, TAG_NIL);

  return out;
}

static JsonArray *
get_fields (JsonObject *specs,
            const char *category)
{
  if (!json_object_has_member (specs, category))
    g_error ("No field_spec for “%s” in the data file", category);

  return json_object_get_array_member (specs, category);
}

/* The frame of one message of the data file. */
static GByteArray *
encode_message (JsonObject *specs,
                JsonObject *message)
{
  GByteArray *out = frame_new ();

  if (json_object_has_member (message, "term"))
    {
      put_term (out, json_object_get_member (message, "term"));
    }
  else if (json_object_has_member (message, "initial_info"))
    {
      const char *category = json_object_get_string_member (message, "initial_info");
      JsonNode *elements = json_object_get_member (message, "elements");

      put_tuple_header (out, 3);
      put_atom (out, "initial_info");
      put_string (out, category);
      if (JSON_NODE_HOLDS_ARRAY (elements))
        {
          JsonArray *array = json_node_get_array (elements);
          guint n = json_array_get_length (array);

          if (n == 0)
            put_u8 (out, TAG_NIL);
          else
            {
              put_u8 (out, TAG_LIST);
              put_u32 (out, n);
              for (guint i = 0; i < n; i++)
                put_element (out, get_fields (specs, category), json_array_get_element (array, i));
              put_u8 (out, TAG_NIL);
            }
        }
      else
        put_term (out, elements);
    }
  else if (json_object_has_member (message, "info_event"))
    {
      const char *category = json_object_get_string_member (message, "info_event");

      put_tuple_header (out, 4);
      put_atom (out, "info_event");
      put_string (out, category);
      put_element (out, get_fields (specs, category), json_object_get_member (message, "element"));
      put_string (out, json_object_get_string_member (message, "event"));
    }
  else
    g_error ("A message is initial_info, info_event, term or reconnect");

  return out;
}

/* Describing */

static const char *
message_kind_name (SpBasixMessageKind kind)
{
  switch (kind)
    {
    case SP_BASIX_MESSAGE_FIELD_SPEC:
      return "field_spec";
    case SP_BASIX_MESSAGE_INITIAL_INFO:
      return "initial_info";
    case SP_BASIX_MESSAGE_INFO_EVENT:
      return "info_event";
    case SP_BASIX_MESSAGE_SYSTEM_MSG:
      return "system_msg";
    case SP_BASIX_MESSAGE_MSG:
      return "msg";
    case SP_BASIX_MESSAGE_HISTORICAL:
      return "historical";
    case SP_BASIX_MESSAGE_UNKNOWN:
    default:
      return "unknown";
    }
}

static const char *
change_kind_name (SpBasixChangeKind kind)
{
  switch (kind)
    {
    case SP_BASIX_CHANGE_ADDED:
      return "added";
    case SP_BASIX_CHANGE_UPDATED:
      return "updated";
    case SP_BASIX_CHANGE_REMOVED:
    default:
      return "removed";
    }
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static int
compare_events (gconstpointer a,
                gconstpointer b)
{
  const SpCallEvent *x = *(const SpCallEvent * const *) a;
  const SpCallEvent *y = *(const SpCallEvent * const *) b;

  return strcmp (x->call_id, y->call_id);
}

static void
append_field (GString    *out,
              const char *key,
              const char *value)
{
  if (value != NULL)
    g_string_append_printf (out, "    %s: %s\n", key, value);
}

/* An event the channel gives no time for is stamped when it is made, between @since and
 * @until: "now", so that the text is stable. */
static void
describe_event (GString           *out,
                const SpCallEvent *event,
                gint64             since,
                gint64             until)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_assert_cmpstr (event->account_id, ==, ACCOUNT_ID);
  g_string_append_printf (out, "  → %s %s, %s\n", sp_call_event_kind_to_string (event->kind),
                          event->call_id,
                          event->direction == SP_CALL_DIRECTION_OUTGOING ? "outgoing" : "incoming");
  append_field (out, "number", event->number);
  append_field (out, "name", event->name);
  append_field (out, "exten", event->exten);
  append_field (out, "queue", event->queue);
  if (event->timestamp >= since && event->timestamp <= until)
    g_string_append (out, "    timestamp: now\n");
  else
    g_string_append_printf (out, "    timestamp: %" G_GINT64_FORMAT "\n", event->timestamp);
  if (event->ring_timeout != 0)
    g_string_append_printf (out, "    ring-timeout: %u\n", event->ring_timeout);
  if (event->no_end)
    g_string_append (out, "    no-end\n");

  if (event->vars != NULL)
    {
      g_hash_table_iter_init (&iter, event->vars);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_ptr_array_add (names, key);
    }
  g_ptr_array_sort (names, compare_strings);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);

      g_string_append_printf (out, "    %s = %s\n", name,
                              (const char *) g_hash_table_lookup (event->vars, name));
    }
}

/* One line for what the message did to the model, then the events it made. */
static void
describe_update (GString       *out,
                 guint          number,
                 SpBasixUpdate *update,
                 GPtrArray     *events,
                 gint64         since,
                 gint64         until)
{
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func (g_free);

  g_string_append_printf (out, "#%u %s", number, message_kind_name (update->kind));
  if (update->category != NULL)
    g_string_append_printf (out, " %s", update->category);
  if (update->event != NULL)
    g_string_append_printf (out, " (%s)", update->event);
  if (update->system_msg != NULL)
    g_string_append_printf (out, " %s", update->system_msg);

  /* A snapshot's changes come in hash order: sorted, so that the text is stable. */
  for (guint i = 0; update->changes != NULL && i < update->changes->len; i++)
    {
      SpBasixChange *change = g_ptr_array_index (update->changes, i);
      SpBasixElement *element = change->new_element ? change->new_element : change->old_element;

      g_ptr_array_add (changes, g_strdup_printf ("%s %s", change_kind_name (change->kind),
                                                 sp_basix_element_get_key (element)));
    }
  g_ptr_array_sort (changes, compare_strings);
  for (guint i = 0; i < changes->len; i++)
    g_string_append_printf (out, "%s%s", i == 0 ? ": " : ", ",
                            (const char *) g_ptr_array_index (changes, i));
  g_string_append_c (out, '\n');

  /* Likewise the events of a snapshot, one per call at most: in call id order. */
  if (update->kind == SP_BASIX_MESSAGE_INITIAL_INFO)
    g_ptr_array_sort (events, compare_events);
  for (guint i = 0; i < events->len; i++)
    describe_event (out, g_ptr_array_index (events, i), since, until);
}

/* What the source does with a frame: decode it, apply it to the model, then to the calls. */
static void
feed (GString      *out,
      guint         number,
      SpBasixModel *model,
      SpBasixCalls *calls,
      GByteArray   *frame,
      gboolean      quiet)
{
  g_autoptr(GBytes) bytes = g_byte_array_free_to_bytes (frame);
  g_autoptr(SpBertDocument) doc = NULL;
  g_autoptr(SpBasixUpdate) update = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  gint64 since;

  doc = sp_bert_decode (bytes, NULL, &error);
  g_assert_no_error (error);

  update = sp_basix_model_apply (model, doc, &error);
  if (update == NULL)
    {
      g_string_append_printf (out, "#%u error: %s\n", number, error->message);
      return;
    }

  since = g_get_real_time ();
  events = sp_basix_calls_apply (calls, update);
  if (quiet)
    g_assert_cmpuint (events->len, ==, 0);
  else
    describe_update (out, number, update, events, since, g_get_real_time ());
}

static void
send_field_specs (GString      *out,
                  SpBasixModel *model,
                  SpBasixCalls *calls,
                  JsonObject   *specs)
{
  g_autoptr(GList) categories = json_object_get_members (specs);

  for (GList *l = categories; l != NULL; l = l->next)
    feed (out, 0, model, calls, encode_field_spec (l->data, get_fields (specs, l->data)), TRUE);
}

static char *
describe_case (const char *data,
               gsize       length)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SpBasixModel) model = sp_basix_model_new ();
  g_autoptr(SpBasixCalls) calls = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) extensions = NULL;
  GString *out = g_string_new (NULL);
  JsonObject *root;
  JsonObject *account;
  JsonObject *specs;
  JsonArray *messages;

  json_parser_load_from_data (parser, data, (gssize) length, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  account = json_object_get_object_member (root, "account");
  specs = json_object_get_object_member (root, "field_spec");
  messages = json_object_get_array_member (root, "messages");

  if (json_object_has_member (account, "extensions"))
    {
      JsonArray *array = json_object_get_array_member (account, "extensions");

      for (guint i = 0; i < json_array_get_length (array); i++)
        g_strv_builder_add (builder, json_array_get_string_element (array, i));
    }
  extensions = g_strv_builder_end (builder);

  calls = sp_basix_calls_new (ACCOUNT_ID, model);
  sp_basix_calls_set_user (calls,
                           json_object_get_string_member_with_default (account, "selector", NULL),
                           json_object_get_string_member_with_default (account, "value", NULL),
                           (const char * const *) extensions);
  sp_basix_calls_set_full_events (calls,
                                  json_object_get_boolean_member_with_default (account,
                                                                               "full_events",
                                                                               FALSE));

  send_field_specs (out, model, calls, specs);
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);

      if (json_object_get_boolean_member_with_default (message, "reconnect", FALSE))
        {
          g_string_append_printf (out, "#%u reconnect\n", i + 1);
          sp_basix_model_reset (model);
          sp_basix_calls_model_reset (calls);
          send_field_specs (out, model, calls, specs);
          continue;
        }

      feed (out, i + 1, model, calls, encode_message (specs, message), FALSE);
    }

  return g_string_free (out, FALSE);
}

/* The encoder writes what Erlang writes: the bytes of
 *   term_to_binary({info_event, "channel",
 *                   {<<"direct-1">>, inbound, 1546839040024071, undefined, true,
 *                    {1546839040024071, calling, int, user, {10001001, <<"鈴木"/utf8>>}},
 *                    42, -1, 300, [], [1, <<"x">>], 1.5, -1546839040024071, 'ほ'},
 *                   "added"}, [{minor_version, 2}])
 * from OTP 25. */
static void
test_encoder (void)
{
  static const guint8 erlang[] = {
    131, 104, 4, 119, 10, 105, 110, 102, 111, 95, 101, 118, 101, 110, 116, 107, 0, 7, 99, 104,
    97, 110, 110, 101, 108, 104, 14, 109, 0, 0, 0, 8, 100, 105, 114, 101, 99, 116, 45, 49, 119,
    7, 105, 110, 98, 111, 117, 110, 100, 110, 7, 0, 7, 94, 129, 135, 215, 126, 5, 119, 9, 117,
    110, 100, 101, 102, 105, 110, 101, 100, 119, 4, 116, 114, 117, 101, 104, 5, 110, 7, 0, 7,
    94, 129, 135, 215, 126, 5, 119, 7, 99, 97, 108, 108, 105, 110, 103, 119, 3, 105, 110, 116,
    119, 4, 117, 115, 101, 114, 104, 2, 98, 0, 152, 154, 105, 109, 0, 0, 0, 6, 233, 136, 180,
    230, 156, 168, 97, 42, 98, 255, 255, 255, 255, 98, 0, 0, 1, 44, 106, 108, 0, 0, 0, 2, 97,
    1, 109, 0, 0, 0, 1, 120, 106, 70, 63, 248, 0, 0, 0, 0, 0, 0, 110, 7, 1, 7, 94, 129, 135,
    215, 126, 5, 119, 3, 227, 129, 187, 107, 0, 5, 97, 100, 100, 101, 100,
  };
  static const char spec[] =
    "{\"channel\": [\"uuid\", \"direction\", \"offer_timestamp\", \"answer_timestamp\", "
    "\"flag\", \"state\", \"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\", \"h\"]}";
  static const char message[] =
    "{\"info_event\": \"channel\", \"event\": \"added\", \"element\": {"
    "\"uuid\": \"direct-1\", \"direction\": {\"atom\": \"inbound\"}, "
    "\"offer_timestamp\": 1546839040024071, \"flag\": true, "
    "\"state\": {\"tuple\": [1546839040024071, {\"atom\": \"calling\"}, {\"atom\": \"int\"}, "
    "{\"atom\": \"user\"}, {\"tuple\": [10001001, \"鈴木\"]}]}, "
    "\"a\": 42, \"b\": -1, \"c\": 300, \"d\": [], \"e\": [1, {\"binary\": \"x\"}], "
    "\"f\": 1.5, \"g\": -1546839040024071, \"h\": {\"atom\": \"ほ\"}}}";
  g_autoptr(JsonNode) specs = json_from_string (spec, NULL);
  g_autoptr(JsonNode) node = json_from_string (message, NULL);
  g_autoptr(GByteArray) frame = NULL;

  g_assert_nonnull (specs);
  g_assert_nonnull (node);
  frame = encode_message (json_node_get_object (specs), json_node_get_object (node));
  g_assert_cmpmem (frame->data, frame->len, erlang, sizeof erlang);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/basix-calls/encoder", test_encoder);
  sp_test_add_data_cases ("/basix-calls", "basix-calls", describe_case, SP_TEST_DATA_NONE, 8);

  return g_test_run ();
}
