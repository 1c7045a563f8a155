/* test-webservice.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The XiVO-compatible third-party web service, for any backend, through the whole
 * pipeline: calls pushed into the tracker as a source would, a local web service recording
 * what it receives, the dbusmock notification daemon, and a source that records the
 * pause/unpause it is asked for. Every action × event × outcome, run with the right argv
 * and only when allowed, autopause and Done, and the fallback to the account's URL
 * template when the service is slow, fails or answers nonsense.
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libnotify/notify.h>
#include <libsoup/soup.h>

#include "sp-test-engine.h"
#include "sp-test-fake-source.h"
#include "sp-test-notify.h"
#include "sp-test-util.h"
#include "sp-test-webservice-server.h"
#include "sp-webservice.h"

#define ACCOUNT_ID "ws"
#define TEMPLATE_URL "https://crm.example/template?n=0427123456"

/* The fixture. */

typedef struct
{
  SpTestNotify           *notify;
  GSettings              *settings;
  SpEngine               *engine;
  SpCallTracker          *tracker;
  SpAccountList             *accounts;
  SpWebservice           *webservice;
  SpAccount              *account;
  SpTestFakeSource       *source;
  SpTestWebserviceServer *server;
  GPtrArray              *opened;    /* URLs, in order */
  char                   *tmpdir;
  char                   *script;    /* writes its argv, NUL-separated, to its first argument */
} Fixture;

static void
record_url (const char *uri,
            gpointer    user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->opened, g_strdup (uri));
}

static void
write_script (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  const char *text =
    "#!/bin/sh\n"
    "# Records how it was started: argv[0] and every argument, NUL-separated.\n"
    "out=\"$1\"\n"
    "{ printf '%s\\0' \"$0\"; for a in \"$@\"; do printf '%s\\0' \"$a\"; done; } > \"$out.tmp\"\n"
    "mv \"$out.tmp\" \"$out\"\n";

  fixture->tmpdir = g_dir_make_tmp ("screenpop-webservice-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->script = g_build_filename (fixture->tmpdir, "record-argv", NULL);
  g_file_set_contents (fixture->script, text, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (fixture->script, 0700), ==, 0);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *url = NULL;
  GSettings *account_settings;

  fixture->notify = sp_test_notify_start (NULL);
  fixture->settings = g_settings_new ("io.github.screenpop.Screenpop");
  /* The memory backend lives as long as the process: start every test from defaults. */
  g_settings_reset (fixture->settings, "allowed-executables");
  g_settings_reset (fixture->settings, "do-not-disturb");
  g_settings_reset (fixture->settings, "allowed-hosts");

  fixture->engine = sp_test_engine_new (fixture->settings, NULL);
  fixture->tracker = sp_engine_get_tracker (fixture->engine);
  fixture->accounts = sp_engine_get_accounts (fixture->engine);
  fixture->webservice = sp_engine_get_webservice (fixture->engine);
  fixture->opened = g_ptr_array_new_with_free_func (g_free);
  sp_engine_set_url_handler (fixture->engine, record_url, fixture, NULL);

  fixture->server = sp_test_webservice_server_new ();
  url = sp_test_webservice_server_dup_url (fixture->server, "/crm/screenpop");

  /* A kind Screenpop does not know gets no source of its own; the fake one stands in. */
  fixture->account = sp_account_new_transient (ACCOUNT_ID, "fake", "CRM desk");
  account_settings = sp_account_get_settings (fixture->account);
  g_settings_set_string (account_settings, "webservice-url", url);
  g_settings_set_string (account_settings, "url-template", "https://crm.example/template?n={number}");
  g_settings_set_string (account_settings, "url-trigger", "ringing");
  fixture->source = sp_test_fake_source_new (fixture->account);
  sp_account_list_add_transient_with_source (fixture->accounts, fixture->account,
                                         SP_SOURCE (fixture->source));

  write_script (fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *out = g_build_filename (fixture->tmpdir, "argv", NULL);

  g_clear_object (&fixture->engine);
  g_clear_object (&fixture->source);
  g_clear_object (&fixture->account);
  g_clear_object (&fixture->settings);
  g_clear_pointer (&fixture->server, sp_test_webservice_server_free);
  g_clear_pointer (&fixture->opened, g_ptr_array_unref);

  g_unlink (out);
  g_unlink (fixture->script);
  g_rmdir (fixture->tmpdir);
  g_free (fixture->script);
  g_free (fixture->tmpdir);

  notify_uninit ();
  sp_test_notify_stop (fixture->notify);
}

static void
push (Fixture         *fixture,
      const char      *call_id,
      SpCallEventKind  kind)
{
  g_autoptr(SpCallEvent) event = sp_call_event_new (ACCOUNT_ID, call_id, kind);

  event->direction = SP_CALL_DIRECTION_INCOMING;
  event->number = g_strdup ("0427123456");
  event->name = g_strdup ("Marko Novak");
  event->exten = g_strdup ("1000");
  event->queue = g_strdup ("bluesky");
  sp_call_event_set_var (event, "USR_ORDER", "42");
  sp_call_event_set_var (event, "XIVO_CONTEXT", "default");
  sp_call_tracker_push (fixture->tracker, event);
}

static guint
count_opened (Fixture    *fixture,
              const char *url)
{
  guint n = 0;

  for (guint i = 0; i < fixture->opened->len; i++)
    n += g_str_equal (g_ptr_array_index (fixture->opened, i), url);

  return n;
}

typedef struct
{
  Fixture    *fixture;
  const char *url;
} OpenedWait;

static gboolean
was_opened (gpointer user_data)
{
  OpenedWait *wait = user_data;

  return count_opened (wait->fixture, wait->url) > 0;
}

static gboolean
wait_opened (Fixture    *fixture,
             const char *url,
             guint       timeout_ms)
{
  OpenedWait wait = { fixture, url };

  return sp_test_wait_until (was_opened, &wait, timeout_ms);
}

static gboolean
has_last_error (gpointer user_data)
{
  return sp_webservice_get_last_error (user_data) != NULL;
}

static char *
argv_path (Fixture *fixture)
{
  return g_build_filename (fixture->tmpdir, "argv", NULL);
}

static gboolean
file_exists (gpointer user_data)
{
  return g_file_test (user_data, G_FILE_TEST_EXISTS);
}

/* Rings, and waits until the web service has been asked and its answer handled. */
static void
ring (Fixture    *fixture,
      const char *call_id)
{
  guint before = sp_test_webservice_server_get_requests (fixture->server)->len;

  push (fixture, call_id, SP_CALL_EVENT_RINGING);
  g_assert_true (sp_test_webservice_server_wait_for (fixture->server, before + 1, 3000));
  sp_test_run_for (200);
}

static void
set_answer (Fixture    *fixture,
            const char *format,
            ...) G_GNUC_PRINTF (2, 3);

static void
set_answer (Fixture    *fixture,
            const char *format,
            ...)
{
  g_autofree char *body = NULL;
  va_list args;

  va_start (args, format);
  body = g_strdup_vprintf (format, args);
  va_end (args);

  sp_test_webservice_server_set_reply (fixture->server, 200, body);
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* The request: what the CC Agent posts, filled from what this backend knows. */
static void
test_payload (Fixture       *fixture,
              gconstpointer  data)
{
  GSettings *account_settings = sp_account_get_settings (fixture->account);
  GVariantBuilder options;
  SpTestWebserviceRequest *request;
  JsonObject *object;
  JsonObject *user;
  JsonObject *user_data;
  JsonObject *queue;

  g_variant_builder_init (&options, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&options, "{ss}", "webservice-full-name", "Ana Horvat");
  g_variant_builder_add (&options, "{ss}", "webservice-agent-id", "3");
  g_settings_set_value (account_settings, "options", g_variant_builder_end (&options));

  ring (fixture, "call-1");

  request = g_ptr_array_index (sp_test_webservice_server_get_requests (fixture->server), 0);
  g_assert_cmpstr (request->method, ==, "POST");
  g_assert_cmpstr (request->path, ==, "/crm/screenpop");
  g_assert_cmpstr (request->content_type, ==, "application/json");

  object = parse_object (request->body);
  g_assert_cmpstr (json_object_get_string_member (object, "callee"), ==, "1000");
  g_assert_cmpstr (json_object_get_string_member (object, "caller"), ==, "0427123456");
  g_assert_cmpstr (json_object_get_string_member (object, "callDataCallId"), ==, "call-1");

  user_data = json_object_get_object_member (object, "userData");
  g_assert_cmpuint (json_object_get_size (user_data), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (user_data, "USR_ORDER"), ==, "42");
  g_assert_cmpstr (json_object_get_string_member (user_data, "XIVO_CONTEXT"), ==, "default");

  queue = json_object_get_object_member (object, "queue");
  g_assert_cmpstr (json_object_get_string_member (queue, "name"), ==, "bluesky");

  /* Not a XiVO account: no token, whatever else is known of the user. */
  user = json_object_get_object_member (object, "user");
  g_assert_cmpstr (json_object_get_string_member (user, "fullName"), ==, "Ana Horvat");
  g_assert_cmpint (json_object_get_int_member (user, "agentId"), ==, 3);
  g_assert_false (json_object_has_member (user, "token"));
  json_object_unref (object);

  /* One POST per call: the answer and the end do not ask again. */
  push (fixture, "call-1", SP_CALL_EVENT_ANSWERED);
  push (fixture, "call-1", SP_CALL_EVENT_ENDED);
  sp_test_run_for (300);
  g_assert_cmpuint (sp_test_webservice_server_get_requests (fixture->server)->len, ==, 1);

  /* `none`: the web service decided, so the template did not open either. */
  g_assert_cmpuint (fixture->opened->len, ==, 0);
  g_assert_null (sp_webservice_get_last_error (fixture->webservice));
}

/* Every action × event × outcome. */

typedef struct
{
  const char *action;
  const char *event;
  gboolean    answered;
} Case;

static const Case cases[] = {
  { "open", "EventRinging", TRUE },
  { "open", "EventRinging", FALSE },
  { "open", "EventEstablished", TRUE },
  { "open", "EventEstablished", FALSE },
  { "open", "EventReleased", TRUE },
  { "open", "EventReleased", FALSE },
  { "popup", "EventRinging", TRUE },
  { "popup", "EventRinging", FALSE },
  { "popup", "EventEstablished", TRUE },
  { "popup", "EventEstablished", FALSE },
  { "popup", "EventReleased", TRUE },
  { "popup", "EventReleased", FALSE },
  { "run", "EventRinging", TRUE },
  { "run", "EventRinging", FALSE },
  { "run", "EventEstablished", TRUE },
  { "run", "EventEstablished", FALSE },
  { "run", "EventReleased", TRUE },
  { "run", "EventReleased", FALSE },
  { "none", "EventRinging", TRUE },
  { "none", "EventReleased", TRUE },
};

/* How many times the action has fired: pages opened, or the program's record. */
static guint
fired (Fixture    *fixture,
       const Case *c,
       const char *url)
{
  g_autofree char *out = argv_path (fixture);

  if (g_str_equal (c->action, "run"))
    {
      /* The program runs asynchronously: give it time to leave its record. */
      sp_test_wait_until (file_exists, out, 300);
      return g_file_test (out, G_FILE_TEST_EXISTS) ? 1 : 0;
    }

  return count_opened (fixture, url);
}

static void
test_action_event (Fixture       *fixture,
                   gconstpointer  data)
{
  const Case *c = data;
  g_autofree char *url = g_strdup_printf ("https://crm.example/ws/%s/%s", c->action, c->event);
  g_autofree char *out = argv_path (fixture);
  const char *allowed[] = { fixture->script, NULL };
  gboolean at_ringing = g_str_equal (c->event, "EventRinging");
  gboolean at_established = g_str_equal (c->event, "EventEstablished");
  gboolean none = g_str_equal (c->action, "none");

  g_settings_set_strv (fixture->settings, "allowed-executables", allowed);
  set_answer (fixture, "{\"action\":\"%s\",\"event\":\"%s\",\"url\":\"%s\","
              "\"executable\":\"%s\",\"executableArgs\":[\"%s\"]}",
              c->action, c->event, url, fixture->script, out);

  ring (fixture, "call-1");
  g_assert_cmpuint (fired (fixture, c, url), ==, at_ringing && !none ? 1 : 0);

  if (c->answered)
    {
      push (fixture, "call-1", SP_CALL_EVENT_ANSWERED);
      sp_test_run_for (100);
      g_assert_cmpuint (fired (fixture, c, url), ==, (at_ringing || at_established) && !none ? 1 : 0);
    }

  /* Released fires only for an answered call: a missed call never triggers it. */
  push (fixture, "call-1", SP_CALL_EVENT_ENDED);
  sp_test_run_for (100);
  g_assert_cmpuint (fired (fixture, c, url), ==, (c->answered || at_ringing) && !none ? 1 : 0);

  /* One action per call, and never the template: the web service decided. */
  g_assert_cmpuint (count_opened (fixture, url), <=, 1);
  g_assert_cmpuint (count_opened (fixture, TEMPLATE_URL), ==, 0);
  if (none)
    g_assert_cmpuint (fixture->opened->len, ==, 0);
  g_assert_null (sp_webservice_get_last_error (fixture->webservice));
  g_assert_cmpuint (sp_test_fake_source_get_performed (fixture->source)->len, ==, 0);
}

static char **
read_argv (const char *path)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);

  for (gsize i = 0; i < length; i += strlen (contents + i) + 1)
    g_strv_builder_add (builder, contents + i);

  return g_strv_builder_end (builder);
}

/* run: the allowed program gets exactly the arguments the web service gave, with no shell
 * in between to interpret them. */
static void
test_run_argv (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *out = argv_path (fixture);
  g_autofree char *canary = g_build_filename (fixture->tmpdir, "canary", NULL);
  g_auto(GStrv) argv = NULL;
  const char *allowed[] = { "/usr/bin/true", fixture->script, NULL };

  g_settings_set_strv (fixture->settings, "allowed-executables", allowed);
  set_answer (fixture, "{\"action\":\"run\",\"event\":\"EventRinging\",\"executable\":\"%s\","
              "\"executableArgs\":[\"%s\",\"--caller\",\"0427 123 456\",\"\",\"$(touch %s)\","
              "\"a;b|c&d\",\"Novák \\\"quoted\\\"\"]}",
              fixture->script, out, canary);

  ring (fixture, "call-1");
  g_assert_true (sp_test_wait_until (file_exists, out, 5000));

  argv = read_argv (out);
  g_assert_cmpuint (g_strv_length (argv), ==, 8);
  g_assert_cmpstr (argv[0], ==, fixture->script);
  g_assert_cmpstr (argv[1], ==, out);
  g_assert_cmpstr (argv[2], ==, "--caller");
  g_assert_cmpstr (argv[3], ==, "0427 123 456");
  g_assert_cmpstr (argv[4], ==, "");
  g_assert_true (g_str_has_prefix (argv[5], "$(touch "));
  g_assert_cmpstr (argv[6], ==, "a;b|c&d");
  g_assert_cmpstr (argv[7], ==, "Novák \"quoted\"");

  /* Nothing interpreted "$(touch …)". */
  g_assert_false (g_file_test (canary, G_FILE_TEST_EXISTS));
  g_assert_null (sp_webservice_get_last_error (fixture->webservice));
}

/* run: a program not in the allow-list never starts, whatever the web service says, and
 * the refusal is visible. The same name under another path is another program. */
static void
test_run_refused (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *out = argv_path (fixture);
  g_autofree char *elsewhere = g_build_filename (fixture->tmpdir, ".", "record-argv", NULL);
  const char *allowed[] = { elsewhere, NULL };

  g_settings_set_strv (fixture->settings, "allowed-executables", allowed);
  set_answer (fixture, "{\"action\":\"run\",\"event\":\"EventRinging\",\"executable\":\"%s\","
              "\"executableArgs\":[\"%s\"]}", fixture->script, out);

  ring (fixture, "call-1");
  sp_test_run_for (500);

  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  g_assert_nonnull (sp_webservice_get_last_error (fixture->webservice));
  g_assert_nonnull (strstr (sp_webservice_get_last_error (fixture->webservice), "not in the allowed programs"));

  /* With an empty list (the default) nothing ever runs. */
  g_settings_reset (fixture->settings, "allowed-executables");
  ring (fixture, "call-2");
  sp_test_run_for (500);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
}

static int
find_done_notification (Fixture *fixture)
{
  g_autoptr(GPtrArray) calls = sp_test_notify_get_calls (fixture->notify, "Notify");

  for (guint i = 0; i < calls->len; i++)
    {
      g_auto(GStrv) actions = sp_test_notify_call_dup_actions (g_ptr_array_index (calls, i));

      if (g_strv_contains ((const char * const *) actions, "done"))
        return (int) i;
    }

  return -1;
}

static gboolean
has_done_notification (gpointer user_data)
{
  return find_done_notification (user_data) >= 0;
}

static gboolean
performed_count_is (Fixture *fixture,
                    guint    n)
{
  return sp_test_fake_source_get_performed (fixture->source)->len == n;
}

static gboolean
performed_two (gpointer user_data)
{
  return performed_count_is (user_data, 2);
}

/* autopause: the agent pauses when the action fires (at the answer here, with the reason
 * the web service gave), and resumes when the user clicks Done on the notification. */
static void
test_autopause_notification_done (Fixture       *fixture,
                                  gconstpointer  data)
{
  GListModel *pending = sp_webservice_get_pending (fixture->webservice);
  g_autoptr(GPtrArray) notifies = NULL;
  g_autofree char *summary = NULL;
  int index;

  set_answer (fixture, "{\"action\":\"open\",\"event\":\"EventEstablished\","
              "\"url\":\"https://crm.example/c/1\",\"title\":\"Order 42\","
              "\"autopause\":true,\"autopauseReason\":\"crm-work\"}");

  ring (fixture, "call-1");
  g_assert_cmpuint (sp_test_fake_source_get_performed (fixture->source)->len, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (pending), ==, 0);

  push (fixture, "call-1", SP_CALL_EVENT_ANSWERED);
  sp_test_run_for (100);
  g_assert_cmpuint (count_opened (fixture, "https://crm.example/c/1"), ==, 1);
  g_assert_cmpuint (sp_test_fake_source_get_performed (fixture->source)->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (sp_test_fake_source_get_performed (fixture->source), 0), ==, "pause call-1 crm-work");
  g_assert_cmpuint (g_list_model_get_n_items (pending), ==, 1);

  /* The call ending does not resume the agent: the work after it is what the pause is for. */
  push (fixture, "call-1", SP_CALL_EVENT_ENDED);
  sp_test_run_for (100);
  g_assert_cmpuint (sp_test_fake_source_get_performed (fixture->source)->len, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (pending), ==, 1);

  g_assert_true (sp_test_wait_until (has_done_notification, fixture, 2000));
  index = find_done_notification (fixture);
  notifies = sp_test_notify_get_calls (fixture->notify, "Notify");
  summary = g_strdup (sp_test_notify_call_get_summary (g_ptr_array_index (notifies, index)));
  g_assert_cmpstr (summary, ==, "Paused for the call with Marko Novak (0427123456)");
  g_assert_cmpstr (sp_test_notify_call_get_body (g_ptr_array_index (notifies, index)), ==, "Order 42");

  sp_test_notify_click (fixture->notify, sp_test_notify_get_id (fixture->notify, index), "done");
  g_assert_true (sp_test_wait_until (performed_two, fixture, 2000));
  g_assert_cmpstr (g_ptr_array_index (sp_test_fake_source_get_performed (fixture->source), 1), ==, "unpause call-1");
  g_assert_cmpuint (g_list_model_get_n_items (pending), ==, 0);
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "CloseNotification", 1, 2000));

  /* A second Done is nothing. */
  sp_test_notify_click (fixture->notify, sp_test_notify_get_id (fixture->notify, index), "done");
  sp_test_run_for (200);
  g_assert_cmpuint (sp_test_fake_source_get_performed (fixture->source)->len, ==, 2);
}

/* autopause with `none` at release, as the agent web app does: the pause goes with the
 * firing whatever the action; Done from the window (sp_webservice_done()) resumes. */
static void
test_autopause_window_done (Fixture       *fixture,
                            gconstpointer  data)
{
  GListModel *pending = sp_webservice_get_pending (fixture->webservice);
  g_autoptr(SpCall) call = NULL;

  set_answer (fixture, "{\"action\":\"none\",\"event\":\"EventReleased\",\"autopause\":true}");

  ring (fixture, "call-1");
  push (fixture, "call-1", SP_CALL_EVENT_ANSWERED);
  sp_test_run_for (100);
  g_assert_cmpuint (sp_test_fake_source_get_performed (fixture->source)->len, ==, 0);

  push (fixture, "call-1", SP_CALL_EVENT_ENDED);
  sp_test_run_for (100);
  g_assert_cmpuint (sp_test_fake_source_get_performed (fixture->source)->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (sp_test_fake_source_get_performed (fixture->source), 0), ==, "pause call-1");
  g_assert_cmpuint (g_list_model_get_n_items (pending), ==, 1);
  g_assert_cmpuint (fixture->opened->len, ==, 0);

  call = g_list_model_get_item (pending, 0);
  g_assert_cmpstr (sp_call_get_call_id (call), ==, "call-1");
  sp_webservice_done (fixture->webservice, call);
  sp_test_run_for (100);
  g_assert_cmpuint (sp_test_fake_source_get_performed (fixture->source)->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (sp_test_fake_source_get_performed (fixture->source), 1), ==, "unpause call-1");
  g_assert_cmpuint (g_list_model_get_n_items (pending), ==, 0);
}

/* A missed call whose action waits for the release never pauses anybody. */
static void
test_autopause_missed (Fixture       *fixture,
                       gconstpointer  data)
{
  set_answer (fixture, "{\"action\":\"open\",\"event\":\"EventReleased\","
              "\"url\":\"https://crm.example/wrapup\",\"autopause\":true}");

  ring (fixture, "call-1");
  push (fixture, "call-1", SP_CALL_EVENT_ENDED);
  sp_test_run_for (300);

  g_assert_cmpuint (sp_test_fake_source_get_performed (fixture->source)->len, ==, 0);
  g_assert_cmpuint (fixture->opened->len, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (sp_webservice_get_pending (fixture->webservice)), ==, 0);
}

/* Two calls, two actions: a second ring does not throw the first call's action away. */
static void
test_one_action_per_call (Fixture       *fixture,
                          gconstpointer  data)
{
  set_answer (fixture, "{\"action\":\"popup\",\"event\":\"EventReleased\",\"url\":\"https://crm.example/first\"}");
  ring (fixture, "call-1");
  push (fixture, "call-1", SP_CALL_EVENT_ANSWERED);

  set_answer (fixture, "{\"action\":\"popup\",\"event\":\"EventEstablished\",\"url\":\"https://crm.example/second\"}");
  ring (fixture, "call-2");
  push (fixture, "call-2", SP_CALL_EVENT_ANSWERED);
  sp_test_run_for (100);
  g_assert_cmpuint (count_opened (fixture, "https://crm.example/second"), ==, 1);
  g_assert_cmpuint (count_opened (fixture, "https://crm.example/first"), ==, 0);

  push (fixture, "call-1", SP_CALL_EVENT_ENDED);
  push (fixture, "call-2", SP_CALL_EVENT_ENDED);
  sp_test_run_for (100);
  g_assert_cmpuint (count_opened (fixture, "https://crm.example/first"), ==, 1);
  g_assert_cmpuint (count_opened (fixture, "https://crm.example/second"), ==, 1);
}

/* An answer that comes after its moment (the call was answered while the service
 * thought) fires at once rather than never. */
static void
test_late_answer_fires (Fixture       *fixture,
                        gconstpointer  data)
{
  sp_test_webservice_server_set_delay (fixture->server, 600);
  set_answer (fixture, "{\"action\":\"open\",\"event\":\"EventEstablished\",\"url\":\"https://crm.example/late\"}");

  push (fixture, "call-1", SP_CALL_EVENT_RINGING);
  g_assert_true (sp_test_webservice_server_wait_for (fixture->server, 1, 2000));
  push (fixture, "call-1", SP_CALL_EVENT_ANSWERED);
  sp_test_run_for (100);
  g_assert_cmpuint (fixture->opened->len, ==, 0);

  g_assert_true (wait_opened (fixture, "https://crm.example/late", 2000));
  g_assert_cmpuint (count_opened (fixture, TEMPLATE_URL), ==, 0);
}

/* Failures: the account's template is used instead, and the failure is visible. */

static void
assert_fell_back (Fixture    *fixture,
                  const char *expected_error)
{
  const char *error;

  g_assert_true (wait_opened (fixture, TEMPLATE_URL, 5000));
  g_assert_true (sp_test_wait_until (has_last_error, fixture->webservice, 1000));
  error = sp_webservice_get_last_error (fixture->webservice);
  if (strstr (error, expected_error) == NULL)
    g_error ("“%s” does not say “%s”", error, expected_error);
  g_assert_cmpuint (count_opened (fixture, TEMPLATE_URL), ==, 1);
}

static void
test_slow (Fixture       *fixture,
           gconstpointer  data)
{
  gint64 start = g_get_monotonic_time ();

  sp_test_webservice_server_set_delay (fixture->server, SP_WEBSERVICE_TIMEOUT_MS + 1500);
  set_answer (fixture, "{\"action\":\"open\",\"event\":\"EventRinging\",\"url\":\"https://crm.example/too-late\"}");

  push (fixture, "call-1", SP_CALL_EVENT_RINGING);
  assert_fell_back (fixture, "did not answer within 3 seconds");
  g_assert_cmpint (g_get_monotonic_time () - start, >=, (SP_WEBSERVICE_TIMEOUT_MS - 100) * 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, (SP_WEBSERVICE_TIMEOUT_MS + 1000) * 1000);

  /* The answer that comes after the timeout is not obeyed. */
  sp_test_run_for (2000);
  g_assert_cmpuint (count_opened (fixture, "https://crm.example/too-late"), ==, 0);
}

static void
test_http_error (Fixture       *fixture,
                 gconstpointer  data)
{
  sp_test_webservice_server_set_reply (fixture->server, 500, "{\"error\":\"database down\"}");
  push (fixture, "call-1", SP_CALL_EVENT_RINGING);
  assert_fell_back (fixture, "HTTP 500");
}

static void
test_redirect_not_followed (Fixture       *fixture,
                            gconstpointer  data)
{
  /* A redirect would carry the call's data elsewhere: it is a failure, not a hop. */
  sp_test_webservice_server_set_redirect (fixture->server, "http://127.0.0.1:9/elsewhere");
  push (fixture, "call-1", SP_CALL_EVENT_RINGING);
  assert_fell_back (fixture, "HTTP 302");
}

static void
test_unreachable (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/crm", sp_test_find_free_port ());

  g_settings_set_string (sp_account_get_settings (fixture->account), "webservice-url", url);
  push (fixture, "call-1", SP_CALL_EVENT_RINGING);
  assert_fell_back (fixture, "could not be reached");
}

static void
test_bad_address (Fixture       *fixture,
                  gconstpointer  data)
{
  g_settings_set_string (sp_account_get_settings (fixture->account), "webservice-url", "ftp://crm.example/ws");
  push (fixture, "call-1", SP_CALL_EVENT_RINGING);
  assert_fell_back (fixture, "not an http or https URL");
}

/* Fallback at a moment that came while the service was being asked: the template's trigger
 * is "answered", the call is answered before the service times out. */
static void
test_fallback_catches_up (Fixture       *fixture,
                          gconstpointer  data)
{
  g_settings_set_string (sp_account_get_settings (fixture->account), "url-trigger", "answered");
  sp_test_webservice_server_set_delay (fixture->server, SP_WEBSERVICE_TIMEOUT_MS + 1000);

  push (fixture, "call-1", SP_CALL_EVENT_RINGING);
  g_assert_true (sp_test_webservice_server_wait_for (fixture->server, 1, 2000));
  push (fixture, "call-1", SP_CALL_EVENT_ANSWERED);
  sp_test_run_for (200);
  g_assert_cmpuint (fixture->opened->len, ==, 0);

  assert_fell_back (fixture, "did not answer");
}

/* Malformed answers: each bad-*.json of the parser's fixtures, served for real. */
static void
test_malformed (Fixture       *fixture,
                gconstpointer  data)
{
  const char *path = data;
  g_autofree char *body = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &body, NULL, &error);
  g_assert_no_error (error);

  sp_test_webservice_server_set_reply (fixture->server, 200, body);
  push (fixture, "call-1", SP_CALL_EVENT_RINGING);
  assert_fell_back (fixture, "cannot obey");
}

/* A URL the policy refuses is refused here too, and said so. */
static void
test_url_policy (Fixture       *fixture,
                 gconstpointer  data)
{
  set_answer (fixture, "{\"action\":\"open\",\"event\":\"EventRinging\",\"url\":\"file:///etc/passwd\"}");

  g_test_expect_message ("sp-url-opener", G_LOG_LEVEL_WARNING, "*file*");
  ring (fixture, "call-1");
  g_test_assert_expected_messages ();

  g_assert_cmpuint (fixture->opened->len, ==, 0);
  g_assert_nonnull (sp_webservice_get_last_error (fixture->webservice));
}

/* The seed's own example answers a relative "/thirdparty/open/…": it is resolved against the
 * web service's address, as a page inside the CC Agent would be, and opens. */
static void
test_relative_url (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *expected = sp_test_webservice_server_dup_url (fixture->server,
                                                                 "/thirdparty/open/42?num=0427123456");

  set_answer (fixture, "{\"action\":\"open\",\"event\":\"EventRinging\","
              "\"url\":\"/thirdparty/open/42?num=0427123456\",\"autopause\":true}");
  ring (fixture, "call-1");

  g_assert_true (wait_opened (fixture, expected, 2000));
  g_assert_cmpuint (fixture->opened->len, ==, 1);
  g_assert_cmpuint (sp_test_fake_source_get_performed (fixture->source)->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (sp_test_fake_source_get_performed (fixture->source), 0), ==, "pause call-1");
}

/* An action that did not happen (the URL policy refused the page) pauses nobody: the agent
 * would wait for a Done that nothing on the screen asks for. */
static void
test_refused_no_pause (Fixture       *fixture,
                       gconstpointer  data)
{
  set_answer (fixture, "{\"action\":\"popup\",\"event\":\"EventRinging\","
              "\"url\":\"file:///etc/passwd\",\"autopause\":true}");

  g_test_expect_message ("sp-url-opener", G_LOG_LEVEL_WARNING, "*file*");
  ring (fixture, "call-1");
  g_test_assert_expected_messages ();

  g_assert_cmpuint (fixture->opened->len, ==, 0);
  g_assert_cmpuint (sp_test_fake_source_get_performed (fixture->source)->len, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (sp_webservice_get_pending (fixture->webservice)), ==, 0);
  g_assert_false (has_done_notification (fixture));
}

/* "true" and 1 pause as the browser's truthiness would, and say so in the log; 0 does not. */
static void
test_lenient_booleans (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(SpTestLogCapture) log = sp_test_log_capture_new (NULL);

  set_answer (fixture, "{\"action\":\"open\",\"event\":\"EventRinging\","
              "\"url\":\"https://crm.example/c/1\",\"autopause\":\"true\",\"multitab\":\"false\"}");
  ring (fixture, "call-1");
  g_assert_cmpuint (count_opened (fixture, "https://crm.example/c/1"), ==, 1);
  g_assert_cmpuint (sp_test_fake_source_get_performed (fixture->source)->len, ==, 1);
  g_assert_cmpuint (sp_test_log_capture_count (log, G_LOG_LEVEL_MESSAGE, "*“autopause” is the string \"true\"*"), ==, 1);

  set_answer (fixture, "{\"action\":\"open\",\"event\":\"EventRinging\","
              "\"url\":\"https://crm.example/c/2\",\"autopause\":0}");
  ring (fixture, "call-2");
  g_assert_cmpuint (count_opened (fixture, "https://crm.example/c/2"), ==, 1);
  g_assert_cmpuint (sp_test_fake_source_get_performed (fixture->source)->len, ==, 1);
}

typedef struct
{
  GBytes *body;
  guint   status;
  gboolean done;
} Fetch;

static void
fetch_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Fetch *fetch = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (object), result);

  fetch->body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, NULL);
  fetch->status = soup_message_get_status (msg);
  fetch->done = TRUE;
}

static gboolean
fetched (gpointer user_data)
{
  return ((Fetch *) user_data)->done;
}

/* A request as a page in the browser would make it; returns the HTTP status. */
static guint
fetch (const char *method,
       const char *url,
       char      **allow_origin)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  Fetch result = { 0, };

  g_assert_nonnull (msg);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, fetch_cb, &result);
  g_assert_true (sp_test_wait_until (fetched, &result, 3000));
  g_clear_pointer (&result.body, g_bytes_unref);
  if (allow_origin != NULL)
    *allow_origin = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                            "Access-Control-Allow-Origin"));

  return result.status;
}

/* The CC Agent's page ends the work with closeThirdParty; a page in the browser calls the
 * per-call done URL it was given in place of %{doneUrl}: loopback only, a secret token,
 * forgotten with the call. Done in the notification stays. */
static void
test_done_url (Fixture       *fixture,
               gconstpointer  data)
{
  GListModel *pending = sp_webservice_get_pending (fixture->webservice);
  g_autofree char *done_url = NULL;
  g_autofree char *wrong = NULL;
  g_autofree char *allow_origin = NULL;
  const char *opened;
  const char *param;

  set_answer (fixture, "{\"action\":\"open\",\"event\":\"EventRinging\","
              "\"url\":\"https://crm.example/c/1?done=%%{doneUrl}&x=1\",\"autopause\":true}");
  ring (fixture, "call-1");
  g_assert_cmpuint (fixture->opened->len, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (pending), ==, 1);

  opened = g_ptr_array_index (fixture->opened, 0);
  g_assert_true (g_str_has_prefix (opened, "https://crm.example/c/1?done=http%3A%2F%2F127.0.0.1%3A"));
  g_assert_true (g_str_has_suffix (opened, "&x=1"));
  param = opened + strlen ("https://crm.example/c/1?done=");
  done_url = g_uri_unescape_segment (param, strchr (param, '&'), NULL);
  g_assert_true (g_regex_match_simple ("^http://127\\.0\\.0\\.1:[0-9]+/done/[0-9a-f]{32}$", done_url, 0, 0));

  /* A wrong token is nothing; the browser's preflight is answered. */
  wrong = g_strndup (done_url, strlen (done_url) - 1);
  g_assert_cmpuint (fetch ("POST", wrong, NULL), ==, SOUP_STATUS_NOT_FOUND);
  g_assert_cmpuint (fetch ("OPTIONS", done_url, &allow_origin), ==, SOUP_STATUS_NO_CONTENT);
  g_assert_cmpstr (allow_origin, ==, "*");
  g_assert_cmpuint (sp_test_fake_source_get_performed (fixture->source)->len, ==, 1);

  g_assert_cmpuint (fetch ("POST", done_url, NULL), ==, SOUP_STATUS_NO_CONTENT);
  g_assert_true (sp_test_wait_until (performed_two, fixture, 2000));
  g_assert_cmpstr (g_ptr_array_index (sp_test_fake_source_get_performed (fixture->source), 1), ==, "unpause call-1");
  g_assert_cmpuint (g_list_model_get_n_items (pending), ==, 0);

  /* Once the call is over and done, its URL is forgotten. */
  push (fixture, "call-1", SP_CALL_EVENT_ENDED);
  sp_test_run_for (100);
  g_assert_cmpuint (fetch ("GET", done_url, NULL), ==, SOUP_STATUS_NOT_FOUND);
  g_assert_cmpuint (sp_test_fake_source_get_performed (fixture->source)->len, ==, 2);
}

/* The web service's URL passes the same door as every other: no user name or password
 * before the host, and a host mixing scripts opens in punycode. (A CR/LF in its answer is
 * refused already by the answer's parser.) */
static void
test_url_policy_disguise (Fixture       *fixture,
                          gconstpointer  data)
{
  set_answer (fixture, "{\"action\":\"open\",\"event\":\"EventRinging\","
                       "\"url\":\"https://crm.example@evil.example/x\"}");
  g_test_expect_message ("sp-url-opener", G_LOG_LEVEL_WARNING, "*user name or password*");
  ring (fixture, "call-1");
  g_test_assert_expected_messages ();
  g_assert_cmpuint (fixture->opened->len, ==, 0);

  set_answer (fixture, "{\"action\":\"open\",\"event\":\"EventRinging\","
                       "\"url\":\"https://\xd0\xb0pple.com/c?id=1\"}");
  ring (fixture, "call-2");
  g_assert_true (wait_opened (fixture, "https://xn--pple-43d.com/c?id=1", 3000));
  g_assert_cmpuint (fixture->opened->len, ==, 1);
}

/* Do not disturb: nothing opens by itself, and the web service is not even asked. */
static void
test_do_not_disturb (Fixture       *fixture,
                     gconstpointer  data)
{
  g_settings_set_boolean (fixture->settings, "do-not-disturb", TRUE);
  set_answer (fixture, "{\"action\":\"open\",\"event\":\"EventRinging\",\"url\":\"https://crm.example/x\"}");

  push (fixture, "call-1", SP_CALL_EVENT_RINGING);
  sp_test_run_for (500);
  g_assert_cmpuint (sp_test_webservice_server_get_requests (fixture->server)->len, ==, 0);
  g_assert_cmpuint (fixture->opened->len, ==, 0);
}

/* Without a web service the template works as before; with one, only for calls the web
 * service failed for. */
static void
test_no_webservice (Fixture       *fixture,
                    gconstpointer  data)
{
  g_settings_set_string (sp_account_get_settings (fixture->account), "webservice-url", "");

  push (fixture, "call-1", SP_CALL_EVENT_RINGING);
  sp_test_run_for (300);
  g_assert_cmpuint (sp_test_webservice_server_get_requests (fixture->server)->len, ==, 0);
  g_assert_cmpuint (count_opened (fixture, TEMPLATE_URL), ==, 1);
}

/* g_ptr_array_sort() hands over pointers to the elements. */
static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_ascii_strcasecmp (*(const char * const *) a, *(const char * const *) b);
}

static void
add_malformed_tests (void)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "data", "xivo", "webservice", NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  dir = g_dir_open (dir_path, 0, &error);
  g_assert_no_error (error);

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      if (g_str_has_prefix (name, "bad-") && g_str_has_suffix (name, ".json"))
        g_ptr_array_add (names, g_strdup (name));
    }
  g_ptr_array_sort (names, compare_names);
  g_assert_cmpuint (names->len, >=, 10);

  for (guint i = 0; i < names->len; i++)
    {
      const char *file = g_ptr_array_index (names, i);
      g_autofree char *base = g_strndup (file, strlen (file) - strlen (".json"));
      g_autofree char *test_path = g_strconcat ("/webservice/malformed/", base, NULL);

      /* The path lives as long as the process, as the test does. */
      g_test_add (test_path, Fixture, g_build_filename (dir_path, file, NULL),
                  fixture_set_up, test_malformed, fixture_tear_down);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/webservice/payload", Fixture, NULL, fixture_set_up, test_payload, fixture_tear_down);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/webservice/action-event/%s/%s/%s", cases[i].action,
                                               cases[i].event, cases[i].answered ? "answered" : "missed");

      g_test_add (path, Fixture, &cases[i], fixture_set_up, test_action_event, fixture_tear_down);
    }

  g_test_add ("/webservice/relative-url", Fixture, NULL, fixture_set_up, test_relative_url, fixture_tear_down);
  g_test_add ("/webservice/refused-no-pause", Fixture, NULL, fixture_set_up, test_refused_no_pause,
              fixture_tear_down);
  g_test_add ("/webservice/lenient-booleans", Fixture, NULL, fixture_set_up, test_lenient_booleans,
              fixture_tear_down);
  g_test_add ("/webservice/done-url", Fixture, NULL, fixture_set_up, test_done_url, fixture_tear_down);
  g_test_add ("/webservice/run/argv", Fixture, NULL, fixture_set_up, test_run_argv, fixture_tear_down);
  g_test_add ("/webservice/run/refused", Fixture, NULL, fixture_set_up, test_run_refused, fixture_tear_down);
  g_test_add ("/webservice/autopause/notification-done", Fixture, NULL, fixture_set_up,
              test_autopause_notification_done, fixture_tear_down);
  g_test_add ("/webservice/autopause/window-done", Fixture, NULL, fixture_set_up,
              test_autopause_window_done, fixture_tear_down);
  g_test_add ("/webservice/autopause/missed", Fixture, NULL, fixture_set_up, test_autopause_missed,
              fixture_tear_down);
  g_test_add ("/webservice/one-action-per-call", Fixture, NULL, fixture_set_up,
              test_one_action_per_call, fixture_tear_down);
  g_test_add ("/webservice/late-answer-fires", Fixture, NULL, fixture_set_up, test_late_answer_fires,
              fixture_tear_down);
  g_test_add ("/webservice/fallback/slow", Fixture, NULL, fixture_set_up, test_slow, fixture_tear_down);
  g_test_add ("/webservice/fallback/http-error", Fixture, NULL, fixture_set_up, test_http_error,
              fixture_tear_down);
  g_test_add ("/webservice/fallback/redirect", Fixture, NULL, fixture_set_up, test_redirect_not_followed,
              fixture_tear_down);
  g_test_add ("/webservice/fallback/unreachable", Fixture, NULL, fixture_set_up, test_unreachable,
              fixture_tear_down);
  g_test_add ("/webservice/fallback/bad-address", Fixture, NULL, fixture_set_up, test_bad_address,
              fixture_tear_down);
  g_test_add ("/webservice/fallback/catches-up", Fixture, NULL, fixture_set_up, test_fallback_catches_up,
              fixture_tear_down);
  add_malformed_tests ();
  g_test_add ("/webservice/url-policy", Fixture, NULL, fixture_set_up, test_url_policy, fixture_tear_down);
  g_test_add ("/webservice/url-policy-disguise", Fixture, NULL, fixture_set_up, test_url_policy_disguise, fixture_tear_down);
  g_test_add ("/webservice/do-not-disturb", Fixture, NULL, fixture_set_up, test_do_not_disturb,
              fixture_tear_down);
  g_test_add ("/webservice/no-webservice", Fixture, NULL, fixture_set_up, test_no_webservice,
              fixture_tear_down);

  return g_test_run ();
}
