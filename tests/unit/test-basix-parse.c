/* test-basix-parse.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-basix-model"

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "sp-basix-fields.h"
#include "sp-basix-model.h"

/* The Basix element model, fed with ws_cti messages written by real Erlang
 * (tests/servers/make-bert-frames.erl, the model_* frames), in every spelling the protocol notes
 * allow. */

static const char *escript_path;
static char *frames_dir;
static char **frame_names;

static SpBertDocument *
load (const char *name)
{
  g_autofree char *path = g_strdup_printf ("%s/%s.bin", frames_dir, name);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  SpBertDocument *doc;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  bytes = g_bytes_new_take (contents, len);
  doc = sp_bert_decode (bytes, NULL, &error);
  g_assert_no_error (error);

  return doc;
}

static SpBasixUpdate *
apply (SpBasixModel *model,
       const char   *name)
{
  g_autoptr(SpBertDocument) doc = load (name);
  g_autoptr(GError) error = NULL;
  SpBasixUpdate *update;

  update = sp_basix_model_apply (model, doc, &error);
  g_assert_no_error (error);
  g_assert_nonnull (update);

  return update;
}

static void
apply_error (SpBasixModel      *model,
             const char        *name,
             SpBasixModelError  code)
{
  g_autoptr(SpBertDocument) doc = load (name);
  g_autoptr(GError) error = NULL;
  SpBasixUpdate *update;

  update = sp_basix_model_apply (model, doc, &error);
  g_assert_null (update);
  g_assert_error (error, SP_BASIX_MODEL_ERROR, (int) code);
  g_test_message ("%s: %s", name, error->message);
}

static void
apply_specs (SpBasixModel *model)
{
  const char *specs[] = { "model_spec_channel", "model_spec_user", "model_spec_group",
                          "model_spec_group_member", "model_spec_domain",
                          "model_spec_terminal" };

  for (gsize i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      g_autoptr(SpBasixUpdate) update = apply (model, specs[i]);

      g_assert_cmpint (update->kind, ==, SP_BASIX_MESSAGE_FIELD_SPEC);
      g_assert_cmpuint (update->changes->len, ==, 0);
    }
}

static gboolean
skip_without_frames (void)
{
  if (frames_dir != NULL)
    return FALSE;

  g_test_skip ("Erlang (escript) is not available to write the test frames");
  return TRUE;
}

/* Finds the change of the element with @key; asserts there is exactly one. */
static SpBasixChange *
find_change (SpBasixUpdate *update,
             const char    *key)
{
  SpBasixChange *found = NULL;

  for (guint i = 0; i < update->changes->len; i++)
    {
      SpBasixChange *change = update->changes->pdata[i];
      SpBasixElement *element = change->new_element ? change->new_element : change->old_element;

      if (g_str_equal (sp_basix_element_get_key (element), key))
        {
          g_assert_null (found);
          found = change;
        }
    }

  g_assert_nonnull (found);
  return found;
}

static void
assert_string (SpBasixElement *element,
               const char     *field,
               const char     *expected)
{
  g_autofree char *value = sp_basix_element_dup_string (element, field);

  g_assert_cmpstr (value, ==, expected);
}

#define UUID(n) "8d1e6a52-1f0b-4c8e-9a4e-00000000000" #n

/* Tests */

static void
test_field_specs (void)
{
  g_autoptr(SpBasixModel) model = sp_basix_model_new ();
  const char * const *fields;

  if (skip_without_frames ())
    return;

  g_assert_null (sp_basix_model_get_fields (model, "channel"));
  apply_specs (model);

  fields = sp_basix_model_get_fields (model, "channel");
  g_assert_nonnull (fields);
  g_assert_cmpuint (g_strv_length ((char **) fields), ==, 22);
  g_assert_cmpstr (fields[0], ==, "uuid");
  g_assert_cmpstr (fields[21], ==, "call_id");

  /* Category names as a binary (user) and as an atom (group), field names as UTF-8 atoms
   * (minor_version 2). */
  g_assert_cmpstr (sp_basix_model_get_fields (model, "user")[14], ==, "label");
  g_assert_cmpstr (sp_basix_model_get_fields (model, "group")[6], ==, "label");
  g_assert_cmpuint (sp_basix_model_get_n_elements (model, "channel"), ==, 0);

  sp_basix_model_reset (model);
  g_assert_null (sp_basix_model_get_fields (model, "channel"));
}

static void
test_no_field_spec (void)
{
  g_autoptr(SpBasixModel) model = sp_basix_model_new ();

  if (skip_without_frames ())
    return;

  apply_error (model, "model_initial_channel", SP_BASIX_MODEL_ERROR_NO_FIELD_SPEC);
  apply_error (model, "model_event_ringing", SP_BASIX_MODEL_ERROR_NO_FIELD_SPEC);
  g_assert_cmpuint (sp_basix_model_get_n_elements (model, "channel"), ==, 0);
}

static void
test_initial_info (void)
{
  g_autoptr(SpBasixModel) model = sp_basix_model_new ();
  g_autoptr(SpBasixUpdate) first = NULL;
  g_autoptr(SpBasixUpdate) again = NULL;
  SpBasixElement *c1, *c2, *c4, *c5;
  gint64 ts = 0;

  if (skip_without_frames ())
    return;

  apply_specs (model);
  first = apply (model, "model_initial_channel");
  g_assert_cmpint (first->kind, ==, SP_BASIX_MESSAGE_INITIAL_INFO);
  g_assert_cmpstr (first->category, ==, "channel");

  /* Channel 3 has hung up already and is not stored. */
  g_assert_cmpuint (first->changes->len, ==, 4);
  g_assert_cmpuint (sp_basix_model_get_n_elements (model, "channel"), ==, 4);
  g_assert_null (sp_basix_model_lookup (model, "channel", UUID (3)));
  for (guint i = 0; i < first->changes->len; i++)
    {
      SpBasixChange *change = first->changes->pdata[i];

      g_assert_cmpint (change->kind, ==, SP_BASIX_CHANGE_ADDED);
      g_assert_null (change->old_element);
    }

  c1 = sp_basix_model_lookup (model, "channel", UUID (1));
  g_assert_nonnull (c1);
  g_assert_cmpstr (sp_basix_element_get_category (c1), ==, "channel");
  g_assert_cmpstr (sp_basix_element_get_key (c1), ==, UUID (1));
  assert_string (c1, "calling_name", "山田 太郎");
  assert_string (c1, "calling_number", "0312345678");
  assert_string (c1, "direction", "inbound");
  assert_string (c1, "user_id", "10001001");
  g_assert_true (sp_basix_element_text_equal (c1, "last_event", "CHANNEL_ORIGINATE"));
  g_assert_true (sp_basix_element_get_int64 (c1, "offer_timestamp", &ts));
  g_assert_cmpint (ts, ==, G_GINT64_CONSTANT (1546839040024072));
  /* undefined is absent. */
  g_assert_false (sp_basix_element_has (c1, "answer_timestamp"));
  g_assert_null (sp_basix_element_dup_string (c1, "answer_timestamp"));
  g_assert_false (sp_basix_element_get_int64 (c1, "answer_timestamp", NULL));
  g_assert_null (sp_basix_element_get (c1, "no_such_field"));

  /* An element sent as a list reads the same. */
  c2 = sp_basix_model_lookup (model, "channel", UUID (2));
  g_assert_nonnull (c2);
  assert_string (c2, "calling_name", "山田 太郎");
  assert_string (c2, "call_id", "call-2");

  /* Extra trailing values are ignored; missing ones are absent. */
  c4 = sp_basix_model_lookup (model, "channel", UUID (4));
  assert_string (c4, "call_id", "call-4");
  c5 = sp_basix_model_lookup (model, "channel", UUID (5));
  g_assert_nonnull (c5);
  assert_string (c5, "peer_location", "external");
  g_assert_false (sp_basix_element_has (c5, "calling_name"));
  g_assert_false (sp_basix_element_has (c5, "call_id"));

  /* A second snapshot replaces the category: channel 1 unchanged, 2 and 4 updated, 5
   * gone. */
  again = apply (model, "model_initial_channel_again");
  g_assert_cmpuint (again->changes->len, ==, 3);
  g_assert_cmpint (find_change (again, UUID (2))->kind, ==, SP_BASIX_CHANGE_UPDATED);
  g_assert_cmpint (find_change (again, UUID (4))->kind, ==, SP_BASIX_CHANGE_UPDATED);
  g_assert_cmpint (find_change (again, UUID (5))->kind, ==, SP_BASIX_CHANGE_REMOVED);
  assert_string (find_change (again, UUID (2))->old_element, "calling_name", "山田 太郎");
  assert_string (find_change (again, UUID (2))->new_element, "calling_name", "更新");
  g_assert_cmpuint (sp_basix_model_get_n_elements (model, "channel"), ==, 3);

  /* Removed elements stay readable through the change. */
  assert_string (find_change (again, UUID (5))->old_element, "direction", "inbound");

  /* Empty snapshots in both spellings. */
  {
    g_autoptr(SpBasixUpdate) empty = apply (model, "model_initial_channel_empty_bert");

    g_assert_cmpuint (empty->changes->len, ==, 3);
    g_assert_cmpuint (sp_basix_model_get_n_elements (model, "channel"), ==, 0);
  }
  {
    g_autoptr(SpBasixUpdate) empty = apply (model, "model_initial_channel_empty_nil");

    g_assert_cmpuint (empty->changes->len, ==, 0);
  }
}

static void
test_info_events (void)
{
  g_autoptr(SpBasixModel) model = sp_basix_model_new ();
  g_autoptr(SpBasixUpdate) initial = NULL;
  g_autoptr(SpBasixElement) kept = NULL;

  if (skip_without_frames ())
    return;

  apply_specs (model);
  initial = apply (model, "model_initial_channel");

  /* A new channel rings a ring group. */
  {
    g_autoptr(SpBasixUpdate) update = apply (model, "model_event_ringing");
    SpBasixChange *change;
    g_auto(SpBasixState) state = { 0 };

    g_assert_cmpint (update->kind, ==, SP_BASIX_MESSAGE_INFO_EVENT);
    g_assert_cmpstr (update->category, ==, "channel");
    g_assert_cmpstr (update->event, ==, "updated");
    g_assert_cmpuint (update->changes->len, ==, 1);
    change = update->changes->pdata[0];
    g_assert_cmpint (change->kind, ==, SP_BASIX_CHANGE_ADDED);
    g_assert_true (change->new_element == sp_basix_model_lookup (model, "channel", UUID (6)));

    g_assert_true (sp_basix_parse_state (sp_basix_element_get (change->new_element, "state"),
                                         &state));
    g_assert_cmpstr (state.name, ==, "calling");
    g_assert_cmpint (state.ts, ==, G_GINT64_CONSTANT (1546839040024999));
    g_assert_cmpstr (state.target_location, ==, "ext");
    g_assert_cmpstr (state.target_type, ==, "group");
    g_assert_cmpstr (state.group_type, ==, "ring");
    g_assert_cmpstr (state.target_id, ==, "300");
    g_assert_cmpstr (state.queue_id, ==, "77");
    kept = sp_basix_element_ref (change->new_element);
  }

  /* It is answered: the event name is a binary, the last event an atom. */
  {
    g_autoptr(SpBasixUpdate) update = apply (model, "model_event_bridged");
    SpBasixChange *change = update->changes->pdata[0];
    g_auto(SpBasixState) state = { 0 };

    g_assert_cmpstr (update->event, ==, "updated");
    g_assert_cmpint (change->kind, ==, SP_BASIX_CHANGE_UPDATED);
    g_assert_true (change->old_element == kept);
    g_assert_true (sp_basix_parse_state (sp_basix_element_get (change->new_element, "state"),
                                         &state));
    g_assert_cmpstr (state.name, ==, "bridged");
    g_assert_null (state.target_type);
    g_assert_true (sp_basix_element_text_equal (change->new_element, "last_event",
                                                "CHANNEL_BRIDGE"));
  }

  /* It hangs up: gone, whatever the event name; the change carries the hang-up data. */
  {
    g_autoptr(SpBasixUpdate) update = apply (model, "model_event_hangup");
    SpBasixChange *change = update->changes->pdata[0];

    g_assert_cmpuint (update->changes->len, ==, 1);
    g_assert_cmpint (change->kind, ==, SP_BASIX_CHANGE_REMOVED);
    g_assert_nonnull (change->old_element);
    g_assert_true (sp_basix_element_text_equal (change->new_element, "last_event",
                                                "CHANNEL_HANGUP"));
    g_assert_null (sp_basix_model_lookup (model, "channel", UUID (6)));
  }

  /* An element taken out earlier outlives its removal. */
  assert_string (kept, "call_id", "call-6");

  /* Removal by event name; removing an unknown channel changes nothing. */
  {
    g_autoptr(SpBasixUpdate) update = apply (model, "model_event_removed");
    g_autoptr(SpBasixUpdate) unknown = apply (model, "model_event_removed_unknown");

    g_assert_cmpint (((SpBasixChange *) update->changes->pdata[0])->kind, ==,
                     SP_BASIX_CHANGE_REMOVED);
    g_assert_null (sp_basix_model_lookup (model, "channel", UUID (1)));
    g_assert_cmpuint (unknown->changes->len, ==, 0);
    g_assert_cmpuint (sp_basix_model_get_n_elements (model, "channel"), ==, 3);
  }

  /* The element list, sorted by key. */
  {
    g_autoptr(GPtrArray) list = sp_basix_model_list (model, "channel");
    g_autoptr(GPtrArray) none = sp_basix_model_list (model, "nothing");

    g_assert_cmpuint (list->len, ==, 3);
    g_assert_cmpstr (sp_basix_element_get_key (list->pdata[0]), ==, UUID (2));
    g_assert_cmpstr (sp_basix_element_get_key (list->pdata[2]), ==, UUID (5));
    g_assert_cmpuint (none->len, ==, 0);
  }
}

static void
test_other_categories (void)
{
  g_autoptr(SpBasixModel) model = sp_basix_model_new ();
  SpBasixElement *element;
  gboolean b = FALSE;
  gint64 v = 0;

  if (skip_without_frames ())
    return;

  apply_specs (model);

  {
    g_autoptr(SpBasixUpdate) users = apply (model, "model_initial_user");

    g_assert_cmpuint (users->changes->len, ==, 3);
  }
  element = sp_basix_model_lookup (model, "user", "10001001");
  g_assert_nonnull (element);
  assert_string (element, "label", "鈴木 一郎");
  assert_string (element, "presence", "available");
  g_assert_true (sp_basix_element_get_boolean (element, "do_not_disturb_status", &b));
  g_assert_false (b);
  g_assert_true (sp_basix_element_get_int64 (element, "id", &v));
  g_assert_cmpint (v, ==, 10001001);
  /* A numeric string reads as an integer too. */
  g_assert_true (sp_basix_element_get_int64 (element, "main_extension", &v));
  g_assert_cmpint (v, ==, 201);
  /* An empty binary is present, and empty. */
  assert_string (element, "avatar", "");

  /* An update with BERT booleans and an empty list for "nothing". */
  {
    g_autoptr(SpBasixUpdate) update = apply (model, "model_event_user");

    g_assert_cmpstr (update->event, ==, "added");
    g_assert_cmpint (((SpBasixChange *) update->changes->pdata[0])->kind, ==,
                     SP_BASIX_CHANGE_UPDATED);
  }
  element = sp_basix_model_lookup (model, "user", "10001001");
  g_assert_true (sp_basix_element_get_boolean (element, "fwd_always_status", &b));
  g_assert_true (b);
  g_assert_true (sp_basix_element_get_boolean (element, "do_not_disturb_status", &b));
  g_assert_false (b);
  g_assert_false (sp_basix_element_has (element, "language"));
  g_assert_false (sp_basix_element_has (element, "park_group"));
  assert_string (element, "presence", "busy");
  assert_string (element, "label", "新しい名前");
  /* The last field (mwi) was not sent. */
  g_assert_false (sp_basix_element_has (element, "mwi"));

  {
    g_autoptr(SpBasixUpdate) groups = apply (model, "model_initial_group");
  }
  element = sp_basix_model_lookup (model, "group", "300");
  assert_string (element, "label", "営業");
  g_assert_true (sp_basix_element_get_boolean (element, "check_login_status", &b));
  g_assert_true (b);

  {
    g_autoptr(SpBasixUpdate) members = apply (model, "model_initial_group_member");
    g_autoptr(SpBasixUpdate) added = apply (model, "model_event_group_member_list");

    g_assert_cmpuint (members->changes->len, ==, 2);
    g_assert_cmpint (((SpBasixChange *) added->changes->pdata[0])->kind, ==,
                     SP_BASIX_CHANGE_ADDED);
  }
  element = sp_basix_model_lookup (model, "group_member", "1");
  g_assert_true (sp_basix_element_get_boolean (element, "login_status", &b));
  g_assert_false (b);
  element = sp_basix_model_lookup (model, "group_member", "2");
  g_assert_true (sp_basix_element_get_boolean (element, "login_status", &b));
  g_assert_true (b);
  element = sp_basix_model_lookup (model, "group_member", "3");
  assert_string (element, "user_id", "10001003");
  g_assert_false (sp_basix_element_has (element, "login_status"));
  g_assert_cmpuint (sp_basix_model_get_n_elements (model, "group_member"), ==, 3);

  /* Terminals without an id are ignored. */
  {
    g_autoptr(SpBasixUpdate) terminals = apply (model, "model_initial_terminal_no_key");
    g_autoptr(SpBasixUpdate) terminal = apply (model, "model_event_terminal");

    g_assert_cmpuint (terminals->changes->len, ==, 0);
    g_assert_cmpuint (terminal->changes->len, ==, 1);
  }
  element = sp_basix_model_lookup (model, "terminal", "1");
  g_assert_true (sp_basix_element_get_boolean (element, "registered", &b));
  g_assert_true (b);

  /* The domain is one record. */
  {
    g_autoptr(SpBasixUpdate) domain = apply (model, "model_event_domain");
  }
  element = sp_basix_model_lookup (model, "domain", "domain");
  g_assert_nonnull (element);
  assert_string (element, "label", "例");
  g_assert_cmpuint (sp_basix_model_get_n_elements (model, "domain"), ==, 1);

  sp_basix_model_reset (model);
  g_assert_cmpuint (sp_basix_model_get_n_elements (model, "user"), ==, 0);
  apply_error (model, "model_event_user", SP_BASIX_MODEL_ERROR_NO_FIELD_SPEC);
}

static void
test_field_spec_change (void)
{
  g_autoptr(SpBasixModel) model = sp_basix_model_new ();
  g_autoptr(SpBasixUpdate) initial = NULL;
  g_autoptr(SpBasixUpdate) spec = NULL;
  g_autoptr(SpBasixUpdate) event = NULL;
  g_autoptr(SpBasixElement) old = NULL;
  SpBasixElement *element;

  if (skip_without_frames ())
    return;

  apply_specs (model);
  initial = apply (model, "model_initial_channel");
  old = sp_basix_element_ref (sp_basix_model_lookup (model, "channel", UUID (1)));

  /* Elements keep the field names they were read with; new ones use the new names. */
  spec = apply (model, "model_spec_channel_short");
  g_assert_cmpuint (g_strv_length ((char **) sp_basix_model_get_fields (model, "channel")), ==, 2);
  assert_string (old, "calling_name", "山田 太郎");

  event = apply (model, "model_event_ringing");
  element = sp_basix_model_lookup (model, "channel", UUID (6));
  assert_string (element, "direction", "inbound");
  g_assert_false (sp_basix_element_has (element, "calling_name"));
}

static void
test_messages (void)
{
  g_autoptr(SpBasixModel) model = sp_basix_model_new ();
  struct { const char *frame; SpBasixMessageKind kind; const char *system_msg; } cases[] = {
    { "model_system_limit", SP_BASIX_MESSAGE_SYSTEM_MSG, "connection_limit_reached" },
    { "model_system_replaced", SP_BASIX_MESSAGE_SYSTEM_MSG, "connection_replaced" },
    { "basix_system_msg_logout", SP_BASIX_MESSAGE_SYSTEM_MSG, "logout" },
    { "basix_system_msg_logout_v2", SP_BASIX_MESSAGE_SYSTEM_MSG, "logout" },
    { "model_system_other", SP_BASIX_MESSAGE_SYSTEM_MSG, NULL },
    { "model_msg", SP_BASIX_MESSAGE_MSG, NULL },
    { "basix_msg", SP_BASIX_MESSAGE_MSG, NULL },
    { "model_historical", SP_BASIX_MESSAGE_HISTORICAL, NULL },
    { "model_historical_wrapped", SP_BASIX_MESSAGE_HISTORICAL, NULL },
    { "model_unknown", SP_BASIX_MESSAGE_UNKNOWN, NULL },
    { "model_unknown_atom", SP_BASIX_MESSAGE_UNKNOWN, NULL },
    { "bert_nil", SP_BASIX_MESSAGE_UNKNOWN, NULL },
  };

  if (skip_without_frames ())
    return;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SpBasixUpdate) update = apply (model, cases[i].frame);

      g_test_message ("%s", cases[i].frame);
      g_assert_cmpint (update->kind, ==, cases[i].kind);
      g_assert_cmpstr (update->system_msg, ==, cases[i].system_msg);
      g_assert_nonnull (update->payload);
      g_assert_cmpuint (update->changes->len, ==, 0);
      g_assert_null (update->category);
    }

  {
    g_autoptr(SpBasixUpdate) update = apply (model, "model_msg");

    g_assert_true (sp_bert_term_text_equal (update->payload, "hello"));
  }
}

static void
test_malformed (void)
{
  g_autoptr(SpBasixModel) model = sp_basix_model_new ();
  g_autoptr(SpBasixUpdate) initial = NULL;
  const char *frames[] = { "model_malformed_arity", "model_malformed_element",
                           "model_malformed_name", "model_malformed_list",
                           "model_malformed_not_list", "model_malformed_no_key",
                           "model_malformed_fields" };

  if (skip_without_frames ())
    return;

  apply_specs (model);
  initial = apply (model, "model_initial_channel");

  for (gsize i = 0; i < G_N_ELEMENTS (frames); i++)
    apply_error (model, frames[i], SP_BASIX_MODEL_ERROR_MALFORMED);

  /* Nothing changed, not even the field names. */
  g_assert_cmpuint (sp_basix_model_get_n_elements (model, "channel"), ==, 4);
  g_assert_cmpuint (g_strv_length ((char **) sp_basix_model_get_fields (model, "channel")), ==, 22);
}

static void
test_states (void)
{
  g_autoptr(SpBertDocument) doc = NULL;
  const SpBertTerm *states;
  SpBasixState st[17];

  if (skip_without_frames ())
    return;

  doc = load ("model_states");
  states = sp_bert_document_get_root (doc);

  g_assert_cmpuint (sp_bert_term_get_length (states), ==, G_N_ELEMENTS (st));
  for (gsize i = 0; i < G_N_ELEMENTS (st); i++)
    g_assert_true (sp_basix_parse_state (sp_bert_term_get_child (states, i), &st[i]));

  g_assert_cmpint (st[0].ts, ==, 1);
  g_assert_cmpstr (st[0].name, ==, "voicemail");
  g_assert_cmpstr (st[0].target_type, ==, "user");
  g_assert_cmpstr (st[0].target_id, ==, "10001001");
  g_assert_cmpstr (st[0].target_name, ==, "留守電");

  g_assert_cmpstr (st[1].target_name, ==, "box");

  g_assert_cmpstr (st[2].target_location, ==, "int");
  g_assert_cmpstr (st[2].target_type, ==, "user");
  g_assert_cmpstr (st[2].target_id, ==, "10001002");

  g_assert_cmpstr (st[3].group_type, ==, "ring");
  g_assert_cmpstr (st[3].queue_id, ==, "77");
  /* The queue only means something for a ring group. */
  g_assert_cmpstr (st[4].group_type, ==, "hunt");
  g_assert_cmpstr (st[4].target_id, ==, "301");
  g_assert_null (st[4].queue_id);

  g_assert_cmpstr (st[5].address, ==, "0312345678");
  g_assert_cmpstr (st[6].address, ==, "sip@example.com");
  g_assert_cmpstr (st[7].name, ==, "calling_siptermination");
  g_assert_cmpstr (st[7].address, ==, "sip:a@b");

  g_assert_cmpstr (st[8].ivr_id, ==, "12");
  g_assert_cmpstr (st[9].operation, ==, "op");
  g_assert_cmpstr (st[10].room_id, ==, "5");

  g_assert_cmpstr (st[11].slot, ==, "701");
  g_assert_cmpstr (st[11].parker_id, ==, "10001003");
  g_assert_cmpstr (st[11].parker_name, ==, "駐車");
  g_assert_cmpstr (st[12].uuid, ==, "uuid-x");
  g_assert_cmpstr (st[12].eavesdrop_state, ==, "listening");

  g_assert_cmpstr (st[13].name, ==, "bridged");
  g_assert_cmpstr (st[14].name, ==, "xml_ivr");
  g_assert_cmpstr (st[15].name, ==, "something_new");
  g_assert_null (st[15].target_id);

  /* As a list, with a list target. */
  g_assert_cmpstr (st[16].target_id, ==, "10001004");

  for (gsize i = 0; i < G_N_ELEMENTS (st); i++)
    sp_basix_state_clear (&st[i]);

  {
    SpBasixState s = { 0 };

    g_assert_false (sp_basix_parse_state (NULL, &s));
    g_assert_false (sp_basix_parse_state (states, &s));
    sp_basix_state_clear (&s);
  }
}

static void
test_other_info_and_target (void)
{
  g_autoptr(SpBertDocument) other = NULL;
  g_autoptr(SpBertDocument) target = NULL;

  if (skip_without_frames ())
    return;

  other = load ("model_other_info");

  {
    g_auto(SpBasixOtherInfo) o = { 0 };

    g_assert_true (sp_basix_parse_other_info (sp_bert_term_get_child (sp_bert_document_get_root (other), 0), &o));
    g_assert_cmpstr (o.type, ==, "end_user");
    g_assert_cmpstr (o.end_user, ==, "42*x*y*z*w");
    g_assert_null (o.user_id);
    g_assert_cmpstr (o.direction, ==, "inbound");
    g_assert_cmpstr (o.peer_location, ==, "external");
    g_assert_cmpstr (o.address, ==, "0312345678");
    g_assert_cmpint (o.offer_timestamp, ==, G_GINT64_CONSTANT (1546839040024071));
    /* The group only belongs to type user. */
    g_assert_null (o.group_id);
    g_assert_cmpstr (o.whoscall, ==, "who");
  }
  {
    g_auto(SpBasixOtherInfo) o = { 0 };

    g_assert_true (sp_basix_parse_other_info (sp_bert_term_get_child (sp_bert_document_get_root (other), 1), &o));
    g_assert_cmpstr (o.type, ==, "user");
    g_assert_cmpstr (o.user_id, ==, "10001001");
    g_assert_cmpstr (o.group_id, ==, "300");
    g_assert_null (o.whoscall);
  }

  target = load ("model_target");
  {
    g_auto(SpBasixTarget) t = { 0 };

    g_assert_true (sp_basix_parse_target (sp_bert_document_get_root (target), &t));
    g_assert_cmpstr (t.type, ==, "user");
    g_assert_cmpstr (t.id, ==, "10001001");
    g_assert_cmpstr (t.name, ==, "鈴木");
    g_assert_cmpstr (t.address, ==, "201");
  }
}

static void
test_end_user (void)
{
  guint declared = 99;

  {
    g_autoptr(GPtrArray) items = sp_basix_parse_end_user ("****", &declared);

    g_assert_cmpuint (items->len, ==, 0);
    g_assert_cmpuint (declared, ==, 0);
  }
  {
    g_autoptr(GPtrArray) items = sp_basix_parse_end_user ("", &declared);
    g_autoptr(GPtrArray) none = sp_basix_parse_end_user (NULL, NULL);

    g_assert_cmpuint (items->len, ==, 0);
    g_assert_cmpuint (none->len, ==, 0);
  }
  {
    /* One item, form-URL-encoded: '+' is a space, then %XX. */
    g_autoptr(GPtrArray) items =
      sp_basix_parse_end_user ("42*%E5%B1%B1%E7%94%B0+%E5%A4%AA%E9%83%8E*A%2BB+Co*pic.png*Tokyo",
                               &declared);
    SpBasixEndUserItem *item;

    g_assert_cmpuint (items->len, ==, 1);
    g_assert_cmpuint (declared, ==, 1);
    item = items->pdata[0];
    g_assert_cmpstr (item->id, ==, "42");
    g_assert_cmpstr (item->name, ==, "山田 太郎");
    g_assert_cmpstr (item->organization, ==, "A+B Co");
    g_assert_cmpstr (item->avatar, ==, "pic.png");
    g_assert_cmpstr (item->prefecture, ==, "Tokyo");
  }
  {
    g_autoptr(GPtrArray) items =
      sp_basix_parse_end_user ("_MANY_:3|1*%E7%94%B0%E4%B8%AD*ACME*a.png*Tokyo|2*Sato", &declared);
    SpBasixEndUserItem *second;

    g_assert_cmpuint (items->len, ==, 2);
    g_assert_cmpuint (declared, ==, 3);
    g_assert_cmpstr (((SpBasixEndUserItem *) items->pdata[0])->name, ==, "田中");
    second = items->pdata[1];
    g_assert_cmpstr (second->name, ==, "Sato");
    /* Missing tokens are empty. */
    g_assert_cmpstr (second->organization, ==, "");
    g_assert_cmpstr (second->prefecture, ==, "");
  }
  {
    /* Broken escapes stay as they are; invalid UTF-8 is replaced; a count that is not a
     * number is the number of items. */
    g_autoptr(GPtrArray) items = sp_basix_parse_end_user ("_MANY_:x|1*50%*%ZZ*%FF%00*%4", &declared);
    SpBasixEndUserItem *item = items->pdata[0];

    g_assert_cmpuint (declared, ==, 1);
    g_assert_cmpstr (item->name, ==, "50%");
    g_assert_cmpstr (item->organization, ==, "%ZZ");
    g_assert_true (g_utf8_validate (item->avatar, -1, NULL));
    g_assert_cmpstr (item->prefecture, ==, "%4");
  }
  {
    g_autoptr(GPtrArray) items = sp_basix_parse_end_user ("_MANY_:2", &declared);

    g_assert_cmpuint (items->len, ==, 0);
    g_assert_cmpuint (declared, ==, 2);
  }
}

static void
test_strings (void)
{
  {
    g_auto(GStrv) tokens = sp_basix_parse_origination ("0312345678*%E5%B1%B1+%E7%94%B0**x");

    g_assert_cmpuint (g_strv_length (tokens), ==, 4);
    g_assert_cmpstr (tokens[0], ==, "0312345678");
    /* No '+' rule here. */
    g_assert_cmpstr (tokens[1], ==, "山+田");
    g_assert_cmpstr (tokens[2], ==, "");
    g_assert_cmpstr (tokens[3], ==, "x");
  }
  {
    g_auto(GStrv) empty = sp_basix_parse_origination (NULL);
    g_auto(GStrv) tags = sp_basix_parse_tags ("vip;;support;");
    g_auto(GStrv) no_tags = sp_basix_parse_tags ("");

    g_assert_cmpuint (g_strv_length (empty), ==, 0);
    g_assert_cmpuint (g_strv_length (tags), ==, 2);
    g_assert_cmpstr (tags[0], ==, "vip");
    g_assert_cmpstr (tags[1], ==, "support");
    g_assert_cmpuint (g_strv_length (no_tags), ==, 0);
  }

  /* The avatar rule. */
  {
    struct { const char *base; const char *avatar; gboolean end_user; const char *url; } cases[] = {
      { "https://bcs.example/", "", FALSE, "https://bcs.example/static/icons/user.png" },
      { "https://bcs.example/", NULL, TRUE, "https://bcs.example/static/icons/end_user.png" },
      { "https://bcs.example/", "https://cdn/x.png", FALSE, "https://cdn/x.png" },
      { "https://bcs.example/", "http://cdn/x.png", TRUE, "http://cdn/x.png" },
      { "https://bcs.example/", "me.png", FALSE, "https://bcs.example/basix/avatars/users/me.png" },
      { "https://bcs.example/", "c.png", TRUE, "https://bcs.example/basix/avatars/end_users/c.png" },
      /* "https:" without slashes counts as absolute, "http:" does not (the library's test). */
      { "https://bcs.example/", "http:x", FALSE, "https://bcs.example/basix/avatars/users/http:x" },
      { NULL, "me.png", FALSE, "me.png" },
      { NULL, "", FALSE, NULL },
      { "", NULL, FALSE, NULL },
    };

    for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autofree char *url = sp_basix_avatar_url (cases[i].base, cases[i].avatar,
                                                    cases[i].end_user);

        g_assert_cmpstr (url, ==, cases[i].url);
      }
  }

  g_assert_true (sp_basix_category_is_channel ("channel"));
  g_assert_true (sp_basix_category_is_channel ("channel_waiting"));
  g_assert_true (sp_basix_category_is_channel ("queued_channel"));
  g_assert_true (sp_basix_category_is_channel ("parked_channel"));
  g_assert_false (sp_basix_category_is_channel ("user"));
}

static void
test_values (void)
{
  g_autoptr(GError) error = NULL;
  /* {undefined, {bert,nil}, [], 42, 1.5, true, {bert,false}, <<>>, {x}} */
  static const guint8 frame[] = {
    131, 104, 9,
    100, 0, 9, 'u', 'n', 'd', 'e', 'f', 'i', 'n', 'e', 'd',
    104, 2, 100, 0, 4, 'b', 'e', 'r', 't', 100, 0, 3, 'n', 'i', 'l',
    106,
    97, 42,
    70, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0,
    100, 0, 4, 't', 'r', 'u', 'e',
    104, 2, 100, 0, 4, 'b', 'e', 'r', 't', 100, 0, 5, 'f', 'a', 'l', 's', 'e',
    109, 0, 0, 0, 0,
    104, 1, 100, 0, 1, 'x',
  };
  g_autoptr(SpBertDocument) doc = sp_bert_decode_data (frame, sizeof frame, NULL, &error);
  const SpBertTerm *r;
  const char *expected[] = { NULL, NULL, NULL, "42", "1.5", "true", "false", "", NULL };

  g_assert_no_error (error);
  r = sp_bert_document_get_root (doc);

  g_assert_true (sp_basix_term_is_absent (NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *text = sp_basix_term_dup_string (sp_bert_term_get_child (r, i));

      g_assert_cmpstr (text, ==, expected[i]);
      g_assert_true (sp_basix_term_is_absent (sp_bert_term_get_child (r, i)) == (i < 3));
    }
}

/* Setup: the frames come from the same Erlang script as the decoder's tests. */

static gboolean
write_frames (void)
{
  const char *escript = escript_path;
  g_autofree char *script = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (escript == NULL)
    {
      g_autofree char *found = g_find_program_in_path ("escript");

      if (found == NULL)
        return FALSE;
      escript = "escript";
    }

  script = g_test_build_filename (G_TEST_DIST, "servers", "make-bert-frames.erl", NULL);
  frames_dir = g_dir_make_tmp ("test-basix-model-XXXXXX", &error);
  g_assert_no_error (error);

  {
    const char *argv[] = { escript, script, frames_dir, NULL };
    g_autofree char *index_path = NULL;
    g_autofree char *index = NULL;

    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, &err,
                       &status, &error) ||
        !g_spawn_check_wait_status (status, &error))
      g_error ("%s %s failed: %s\n%s", escript, script, error->message, err ? err : "");

    index_path = g_build_filename (frames_dir, "index.txt", NULL);
    g_file_get_contents (index_path, &index, NULL, &error);
    g_assert_no_error (error);
    frame_names = g_strsplit (g_strstrip (index), "\n", -1);
  }

  return TRUE;
}

static void
remove_frames (void)
{
  g_autoptr(GDir) dir = g_dir_open (frames_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (frames_dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (frames_dir);
}


/* An integer compares with its decimal text, exactly: ids are sent as integers and
 * compared with the user id of the settings. */
static void
test_integer_text (void)
{
  g_autoptr(GError) error = NULL;
  /* {42, -7, 0, -9223372036854775808, 9223372036854775807} */
  static const guint8 frame[] = {
    131, 104, 5,
    97, 42,
    98, 0xff, 0xff, 0xff, 0xf9,
    97, 0,
    110, 8, 1, 0, 0, 0, 0, 0, 0, 0, 0x80,
    110, 8, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
  };
  g_autoptr(SpBertDocument) doc = sp_bert_decode_data (frame, sizeof frame, NULL, &error);
  const SpBertTerm *r;

  g_assert_no_error (error);
  r = sp_bert_document_get_root (doc);

  g_assert_true (sp_basix_term_equal_string (sp_bert_term_get_child (r, 0), "42"));
  g_assert_false (sp_basix_term_equal_string (sp_bert_term_get_child (r, 0), "042"));
  g_assert_false (sp_basix_term_equal_string (sp_bert_term_get_child (r, 0), "4"));
  g_assert_false (sp_basix_term_equal_string (sp_bert_term_get_child (r, 0), "420"));
  g_assert_true (sp_basix_term_equal_string (sp_bert_term_get_child (r, 1), "-7"));
  g_assert_false (sp_basix_term_equal_string (sp_bert_term_get_child (r, 1), "7"));
  g_assert_true (sp_basix_term_equal_string (sp_bert_term_get_child (r, 2), "0"));
  g_assert_false (sp_basix_term_equal_string (sp_bert_term_get_child (r, 2), ""));
  g_assert_true (sp_basix_term_equal_string (sp_bert_term_get_child (r, 3),
                                             "-9223372036854775808"));
  g_assert_true (sp_basix_term_equal_string (sp_bert_term_get_child (r, 4),
                                             "9223372036854775807"));
}

/* What one change says, as text, to compare two updates whatever their order. */
static char *
describe_change (SpBasixChange *change)
{
  SpBasixElement *element = change->new_element ? change->new_element : change->old_element;
  g_autofree char *name = sp_basix_element_dup_string (element, "calling_name");

  return g_strdup_printf ("%d %s %s", change->kind, sp_basix_element_get_key (element),
                          name ? name : "-");
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
assert_same_changes (SpBasixUpdate *a,
                     SpBasixUpdate *b)
{
  g_autoptr(GPtrArray) da = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) db = g_ptr_array_new_with_free_func (g_free);

  g_assert_cmpint (a->kind, ==, b->kind);
  g_assert_cmpstr (a->category, ==, b->category);
  for (guint i = 0; i < a->changes->len; i++)
    g_ptr_array_add (da, describe_change (a->changes->pdata[i]));
  for (guint i = 0; i < b->changes->len; i++)
    g_ptr_array_add (db, describe_change (b->changes->pdata[i]));
  g_ptr_array_sort (da, compare_strings);
  g_ptr_array_sort (db, compare_strings);
  g_assert_cmpuint (da->len, ==, db->len);
  for (guint i = 0; i < da->len; i++)
    g_assert_cmpstr (da->pdata[i], ==, db->pdata[i]);
}

static gpointer
read_prepared_thread (gpointer data)
{
  gpointer *args = data;

  sp_basix_prepared_read (args[0], args[1]);
  return NULL;
}

/* A snapshot read in another thread (sp_basix_model_prepare(), as the source does for big
 * frames) is applied exactly like one read in the model's thread, unless the field spec
 * changed in between, when it is read again; the sorted list the model hands out follows
 * every change. */
static void
test_prepared (void)
{
  g_autoptr(SpBasixModel) plain = sp_basix_model_new ();
  g_autoptr(SpBasixModel) model = sp_basix_model_new ();
  const char *frames[] = { "model_initial_channel", "model_event_ringing",
                           "model_initial_channel_again", "model_initial_user",
                           "model_initial_channel_empty_nil", "model_initial_channel" };

  if (skip_without_frames ())
    return;

  apply_specs (plain);
  apply_specs (model);

  for (gsize i = 0; i < G_N_ELEMENTS (frames); i++)
    {
      g_autoptr(SpBertDocument) doc = load (frames[i]);
      g_autoptr(SpBasixPrepared) prepared = sp_basix_model_prepare (model);
      g_autoptr(SpBasixUpdate) expected = apply (plain, frames[i]);
      g_autoptr(SpBasixUpdate) update = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) list = NULL;
      g_autoptr(GPtrArray) expected_list = NULL;
      gpointer args[] = { prepared, doc };
      GThread *thread = g_thread_new ("prepare", read_prepared_thread, args);

      g_thread_join (thread);
      update = sp_basix_model_apply_prepared (model, doc, prepared, &error);
      g_assert_no_error (error);
      assert_same_changes (expected, update);

      list = sp_basix_model_list (model, "channel");
      expected_list = sp_basix_model_list (plain, "channel");
      g_assert_cmpuint (list->len, ==, expected_list->len);
      for (guint k = 0; k < list->len; k++)
        {
          g_assert_cmpstr (sp_basix_element_get_key (list->pdata[k]), ==,
                           sp_basix_element_get_key (expected_list->pdata[k]));
          if (k > 0)
            g_assert_cmpint (strcmp (sp_basix_element_get_key (list->pdata[k - 1]),
                                     sp_basix_element_get_key (list->pdata[k])), <, 0);
        }
    }

  /* The field spec changed after the frame was read: it is read again with the new one. */
  {
    g_autoptr(SpBertDocument) doc = load ("model_initial_channel_again");
    g_autoptr(SpBasixPrepared) prepared = sp_basix_model_prepare (model);
    g_autoptr(SpBasixUpdate) short_spec = NULL;
    g_autoptr(SpBasixUpdate) update = NULL;
    g_autoptr(GError) error = NULL;

    sp_basix_prepared_read (prepared, doc);
    short_spec = apply (model, "model_spec_channel_short");
    update = sp_basix_model_apply_prepared (model, doc, prepared, &error);
    g_assert_no_error (error);
    g_assert_nonnull (sp_basix_model_lookup (model, "channel", UUID (1)));
    g_assert_null (sp_basix_element_get (sp_basix_model_lookup (model, "channel", UUID (1)),
                                         "calling_name"));
  }

  /* The model was reset (a new connection) after the frame was read: no field spec. */
  {
    g_autoptr(SpBertDocument) doc = load ("model_initial_channel");
    g_autoptr(SpBasixPrepared) prepared = sp_basix_model_prepare (model);
    g_autoptr(GError) error = NULL;

    sp_basix_prepared_read (prepared, doc);
    sp_basix_model_reset (model);
    g_assert_null (sp_basix_model_apply_prepared (model, doc, prepared, &error));
    g_assert_error (error, SP_BASIX_MODEL_ERROR, SP_BASIX_MODEL_ERROR_NO_FIELD_SPEC);
  }
}

int
main (int   argc,
      char *argv[])
{
  int ret;
  int n = 1;

  /* --escript=PATH, from meson, taken out before g_test_init() sees the arguments. */
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

  if (!write_frames ())
    g_clear_pointer (&frames_dir, g_free);

  g_test_add_func ("/basix-model/field-specs", test_field_specs);
  g_test_add_func ("/basix-model/no-field-spec", test_no_field_spec);
  g_test_add_func ("/basix-model/initial-info", test_initial_info);
  g_test_add_func ("/basix-model/info-events", test_info_events);
  g_test_add_func ("/basix-model/other-categories", test_other_categories);
  g_test_add_func ("/basix-model/field-spec-change", test_field_spec_change);
  g_test_add_func ("/basix-model/messages", test_messages);
  g_test_add_func ("/basix-model/malformed", test_malformed);
  g_test_add_func ("/basix-model/states", test_states);
  g_test_add_func ("/basix-model/other-info-and-target", test_other_info_and_target);
  g_test_add_func ("/basix-model/end-user", test_end_user);
  g_test_add_func ("/basix-model/strings", test_strings);
  g_test_add_func ("/basix-model/values", test_values);
  g_test_add_func ("/basix-model/integer-text", test_integer_text);
  g_test_add_func ("/basix-model/prepared", test_prepared);

  ret = g_test_run ();

  if (frames_dir != NULL)
    remove_frames ();
  g_strfreev (frame_names);
  g_free (frames_dir);

  return ret;
}
