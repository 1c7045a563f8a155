/* test-caller-id.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Caller identification through the public path: a number arrives from a backend (the
 * popup-notifier test server), the call pops at once with the number, and the notification
 * is updated in place with the name a directory knows. Directories are configured in
 * GSettings as a user (or an administrator) would. */

#define G_LOG_DOMAIN "test-caller-id"

#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <libnotify/notify.h>

#include "sp-account-list.h"
#include "sp-caller-id.h"
#include "sp-directory.h"
#include "sp-directory-kind.h"
#include "sp-test-engine.h"
#include "sp-test-notify.h"
#include "sp-test-popup-server.h"
#include "sp-test-util.h"

#define ACCOUNT_ID "pbx"
#define TIMEOUT_MS 20000
#define BUDGET_MS 400

#define CSV "名前,会社,部署,電話番号,携帯\r\n" \
            "\"Horvat, Ana\",Example d.o.o.,,+385 1 4567 890,\r\n" \
            "山田 太郎,株式会社テスト,営業部,03-1234-5678,090-1111-2222\r\n"
#define VCARD "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:佐藤 花子\r\nORG:サンプル商事;総務部\r\n" \
              "TEL;TYPE=work:+81 6 1234 5678\r\nURL:https://crm.example.com/c/42\r\nEND:VCARD\r\n"

typedef struct
{
  SpTestNotify      *notify;
  SpTestPopupServer *server;
  GSettings         *settings;
  GSettings         *account_settings;
  SpEngine          *engine;
  SpCallerId        *caller_id;
  char              *dir;
} Fixture;

static void
add_directory (Fixture    *fixture,
               const char *id,
               const char *kind,
               const char *url)
{
  g_autoptr(GSettings) settings = sp_directory_settings_new (id);
  g_auto(GStrv) ids = g_settings_get_strv (fixture->settings, "directories");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) next = NULL;

  g_settings_set_string (settings, "kind", kind);
  g_settings_set_string (settings, "label", id);
  g_settings_set_boolean (settings, "enabled", TRUE);
  g_settings_set_string (settings, "url", url);

  g_strv_builder_addv (builder, (const char **) ids);
  g_strv_builder_add (builder, id);
  next = g_strv_builder_end (builder);
  g_settings_set_strv (fixture->settings, "directories", (const char * const *) next);
}

static char *
write_file (Fixture    *fixture,
            const char *name,
            const char *contents)
{
  char *path = g_build_filename (fixture->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* A file whose read never returns (a FIFO nobody writes to): a directory that hangs, as
 * one on a dead network mount would. */
static char *
make_hanging_file (Fixture *fixture)
{
  char *path = g_build_filename (fixture->dir, "hang.csv", NULL);

  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  return path;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const char * const extensions[] = { "201", NULL };
  const char * const ids[] = { ACCOUNT_ID, NULL };
  const char * const none[] = { NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  fixture->dir = g_dir_make_tmp ("screenpop-caller-id-XXXXXX", &error);
  g_assert_no_error (error);

  fixture->notify = sp_test_notify_start (NULL);
  fixture->server = sp_test_popup_server_new (0, &error);
  g_assert_no_error (error);
  url = sp_test_popup_server_dup_ws_url (fixture->server);

  fixture->account_settings = g_settings_new_with_path (SP_ACCOUNT_SCHEMA_ID,
                                                        SP_ACCOUNT_PATH_PREFIX ACCOUNT_ID "/");
  g_settings_set_string (fixture->account_settings, "kind", "popup-notifier");
  g_settings_set_string (fixture->account_settings, "display-name", "PBX");
  g_settings_set_boolean (fixture->account_settings, "enabled", TRUE);
  g_settings_set_string (fixture->account_settings, "url", url);
  g_settings_set_strv (fixture->account_settings, "extensions", extensions);
  g_settings_set_boolean (fixture->account_settings, "show-unaddressed", TRUE);
  g_settings_set_string (fixture->account_settings, "url-template",
                         "https://crm.example.com/find?who={name}&co={company}&n={e164}");
  g_settings_set_string (fixture->account_settings, "url-trigger", "never");

  fixture->settings = g_settings_new ("io.github.screenpop.Screenpop");
  g_settings_set_strv (fixture->settings, "directories", none);
  g_settings_set_string (fixture->settings, "phone-region", "JP");
  g_settings_set_strv (fixture->settings, "accounts", ids);

  fixture->engine = sp_test_engine_new (fixture->settings, NULL);
  fixture->caller_id = sp_engine_get_caller_id (fixture->engine);
  sp_caller_id_set_budget (fixture->caller_id, BUDGET_MS);
  g_assert_true (sp_test_popup_server_wait_for_clients (fixture->server, 1, TIMEOUT_MS));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  const char * const none[] = { NULL };
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;

  sp_test_engine_assert_finalize (g_steal_pointer (&fixture->engine));

  g_settings_set_strv (fixture->settings, "accounts", none);
  g_settings_set_strv (fixture->settings, "directories", none);
  g_clear_object (&fixture->settings);
  g_clear_object (&fixture->account_settings);
  g_clear_pointer (&fixture->server, sp_test_popup_server_free);

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);

  notify_uninit ();
  sp_test_notify_stop (fixture->notify);
}

static SpTestNotifyCall *
get_notify (Fixture *fixture,
            guint    n)
{
  g_autoptr(GPtrArray) calls = sp_test_notify_get_calls (fixture->notify, "Notify");

  g_assert_cmpuint (calls->len, >, n);
  return g_steal_pointer (&g_ptr_array_index (calls, n));
}

/* Pops with the number in the user's region's form, then the same notification (replaced
 * in place) names the caller, with company and department first in the body. */
static void
test_csv (Fixture       *fixture,
          gconstpointer  data)
{
  g_autofree char *path = write_file (fixture, "staff.csv", CSV);
  g_autoptr(SpTestNotifyCall) first = NULL;
  g_autoptr(SpTestNotifyCall) named = NULL;
  g_autoptr(SpTestNotifyCall) abroad = NULL;

  add_directory (fixture, "office", "file", path);

  sp_test_popup_server_broadcast_call_in (fixture->server, "0312345678", "201");
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 2, TIMEOUT_MS));

  first = get_notify (fixture, 0);
  g_assert_cmpstr (sp_test_notify_call_get_summary (first), ==, "03-1234-5678");
  named = get_notify (fixture, 1);
  g_assert_cmpstr (sp_test_notify_call_get_summary (named), ==, "山田 太郎 (03-1234-5678)");
  g_assert_true (g_str_has_prefix (sp_test_notify_call_get_body (named),
                                   "株式会社テスト · 営業部\n"));
  g_assert_cmpuint (sp_test_notify_call_get_replaces_id (named), ==,
                    sp_test_notify_get_id (fixture->notify, 0));

  /* A quoted CSV field with a comma; a foreign number written internationally. */
  sp_test_popup_server_broadcast_call_in (fixture->server, "+38514567890", "201");
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 4, TIMEOUT_MS));
  abroad = get_notify (fixture, 3);
  g_assert_cmpstr (sp_test_notify_call_get_summary (abroad), ==,
                   "Horvat, Ana (+385 1 4567 890)");
}

/* A vCard file; the contact's page fills {contact_url}; the placeholders reach the CRM URL. */
static void
test_vcard_and_placeholders (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *path = write_file (fixture, "contacts.vcf", VCARD);
  SpScreenpop *screenpop = sp_engine_get_screenpop (fixture->engine);
  SpCallTracker *tracker = sp_engine_get_tracker (fixture->engine);
  g_autoptr(SpTestNotifyCall) named = NULL;
  g_autofree char *url = NULL;
  SpCall *call;

  add_directory (fixture, "vcf", "file", path);

  sp_test_popup_server_broadcast_call_in (fixture->server, "0612345678", "201");
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 2, TIMEOUT_MS));
  named = get_notify (fixture, 1);
  g_assert_cmpstr (sp_test_notify_call_get_summary (named), ==, "佐藤 花子 (06-1234-5678)");

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (tracker)), ==, 1);
  call = g_list_model_get_item (G_LIST_MODEL (tracker), 0);
  url = sp_screenpop_dup_call_url (screenpop, call);
  g_assert_cmpstr (url, ==,
                   "https://crm.example.com/find?who=%E4%BD%90%E8%97%A4%20%E8%8A%B1%E5%AD%90"
                   "&co=%E3%82%B5%E3%83%B3%E3%83%97%E3%83%AB%E5%95%86%E4%BA%8B&n=%2B81612345678");
  g_assert_cmpstr (sp_call_get_contact (call)->url, ==, "https://crm.example.com/c/42");
  g_object_unref (call);
}

/* Directory order decides, and a directory that never answers delays neither the pop nor
 * the name a later directory knows by more than the budget; its error is kept for
 * Preferences. A second ring of the same number is named from the cache at once. */
static void
test_order_hang_and_cache (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *hang = make_hanging_file (fixture);
  g_autofree char *csv = write_file (fixture, "staff.csv", CSV);
  GListModel *directories = sp_caller_id_get_directories (fixture->caller_id);
  g_autoptr(SpDirectory) hanging = NULL;
  g_autoptr(SpTestNotifyCall) first = NULL;
  g_autoptr(SpTestNotifyCall) named = NULL;
  g_autoptr(SpTestNotifyCall) again = NULL;
  gint64 start, popped, identified;

  add_directory (fixture, "nfs", "file", hang);
  add_directory (fixture, "office", "file", csv);
  g_assert_cmpuint (g_list_model_get_n_items (directories), ==, 2);
  hanging = g_list_model_get_item (directories, 0);

  start = g_get_monotonic_time ();
  sp_test_popup_server_broadcast_call_in (fixture->server, "09011112222", "201");
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 1, TIMEOUT_MS));
  popped = g_get_monotonic_time ();
  first = get_notify (fixture, 0);
  /* The pop did not wait for any directory. */
  g_assert_cmpstr (sp_test_notify_call_get_summary (first), ==, "090-1111-2222");

  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 2, TIMEOUT_MS));
  identified = g_get_monotonic_time ();
  named = get_notify (fixture, 1);
  g_assert_cmpstr (sp_test_notify_call_get_summary (named), ==, "山田 太郎 (090-1111-2222)");
  /* The later directory's answer waited for the earlier one's budget, not longer than
   * a loaded machine adds to it. */
  g_assert_cmpint ((identified - start) / 1000, >=, BUDGET_MS);
  g_assert_cmpint ((identified - start) / 1000, <, BUDGET_MS + 5000);
  g_test_message ("pop after %" G_GINT64_FORMAT " ms, name after %" G_GINT64_FORMAT " ms",
                  (popped - start) / 1000, (identified - start) / 1000);
  g_assert_nonnull (sp_directory_get_last_error (hanging));
  g_assert_true (g_str_has_prefix (sp_directory_get_last_error (hanging), "Did not answer"));

  /* The same caller again: named in the very first notification. */
  sp_test_popup_server_broadcast_call_in (fixture->server, "090-1111-2222", "201");
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 3, TIMEOUT_MS));
  again = get_notify (fixture, 2);
  g_assert_cmpstr (sp_test_notify_call_get_summary (again), ==, "山田 太郎 (090-1111-2222)");
}

/* A withheld number is shown as such and never asked about: the hanging directory would
 * have recorded a timeout. */
static void
test_withheld (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *hang = make_hanging_file (fixture);
  GListModel *directories = sp_caller_id_get_directories (fixture->caller_id);
  g_autoptr(SpDirectory) hanging = NULL;
  g_autoptr(SpTestNotifyCall) first = NULL;

  add_directory (fixture, "nfs", "file", hang);
  hanging = g_list_model_get_item (directories, 0);

  sp_test_popup_server_broadcast_call_in (fixture->server, "anonymous", "201");
  g_assert_true (sp_test_notify_wait_for (fixture->notify, "Notify", 1, TIMEOUT_MS));
  first = get_notify (fixture, 0);
  g_assert_cmpstr (sp_test_notify_call_get_summary (first), ==, "Anonymous");

  sp_test_run_for (BUDGET_MS + 300);
  g_assert_null (sp_directory_get_last_error (hanging));
  g_assert_cmpuint (sp_test_notify_count (fixture->notify, "Notify"), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/caller-id/csv", Fixture, NULL, fixture_set_up, test_csv, fixture_tear_down);
  g_test_add ("/caller-id/vcard-and-placeholders", Fixture, NULL, fixture_set_up,
              test_vcard_and_placeholders, fixture_tear_down);
  g_test_add ("/caller-id/order-hang-and-cache", Fixture, NULL, fixture_set_up,
              test_order_hang_and_cache, fixture_tear_down);
  g_test_add ("/caller-id/withheld", Fixture, NULL, fixture_set_up, test_withheld,
              fixture_tear_down);

  return g_test_run ();
}
