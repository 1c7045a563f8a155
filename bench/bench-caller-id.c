/* bench-caller-id.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The figures of caller identification (issue 17):
 *
 *   lookup   how long one lookup takes per directory kind, against the same real local
 *            servers the tests use (a 5 000-row CSV file, a CRM over HTTP, the redmine
 *            test server, slapd, Radicale, Evolution Data Server), through SpCallerId with
 *            the cache cleared before each lookup: p50, p90 and max of 40 lookups;
 *   pop      the pop latency (a CALL_IN frame sent by the popup-notifier test server →
 *            the screen-pop has shown the notification) without directories, with a
 *            directory that never answers, and with a CSV file that knows the caller: the
 *            goal is that a directory never delays the pop (within 50 ms of none).
 *
 * Everything runs on a private session bus (GTestDBus) with python-dbusmock's notification
 * daemon, as the tests do. Fails only when a lookup gives the wrong answer.
 */

#define G_LOG_DOMAIN "bench-caller-id"

#include "config.h"

#include <sys/stat.h>

#include <glib/gstdio.h>
#include <libnotify/notify.h>
#include <libsoup/soup.h>

#include "sp-caller-id.h"
#include "sp-directory.h"
#include "sp-directory-kind.h"
#include "sp-test-directory-servers.h"
#include "sp-test-engine.h"
#include "sp-test-notify.h"
#include "sp-test-popup-server.h"
#include "sp-test-util.h"

#define N_LOOKUPS 40
#define N_POPS 100
#define TIMEOUT_MS 30000

static GSettings *settings;
static SpEngine *engine;
static char *workdir;

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static void
print_figures (const char *what,
               GArray     *ms)
{
  g_array_sort (ms, compare_double);
  g_print ("  %-34s p50 %7.2f ms   p90 %7.2f ms   max %7.2f ms   (n=%u)\n", what,
           g_array_index (ms, double, ms->len / 2),
           g_array_index (ms, double, (ms->len * 9) / 10),
           g_array_index (ms, double, ms->len - 1), ms->len);
}

static void
use_directory (const char *id,
               const char *kind,
               const char *url,
               const char *login,
               const char *secret,
               const char *first_option,
               ...)
{
  g_autoptr(GSettings) dir = NULL;
  g_auto(GVariantBuilder) options = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{ss}"));
  const char *ids[] = { id, NULL };
  SpCallerId *caller_id = sp_engine_get_caller_id (engine);
  g_autoptr(SpDirectory) directory = NULL;
  va_list args;

  if (id == NULL)
    {
      g_settings_set_strv (settings, "directories", NULL);
      return;
    }

  dir = sp_directory_settings_new (id);
  g_settings_set_string (dir, "kind", kind);
  g_settings_set_string (dir, "label", id);
  g_settings_set_boolean (dir, "enabled", TRUE);
  g_settings_set_string (dir, "url", url);
  g_settings_set_string (dir, "login", login ? login : "");
  va_start (args, first_option);
  for (const char *key = first_option; key != NULL; key = va_arg (args, const char *))
    g_variant_builder_add (&options, "{ss}", key, va_arg (args, const char *));
  va_end (args);
  g_settings_set_value (dir, "options", g_variant_builder_end (&options));

  g_settings_set_strv (settings, "directories", ids);
  if (secret != NULL)
    {
      directory = g_list_model_get_item (sp_caller_id_get_directories (caller_id), 0);
      sp_directory_set_secret_override (directory, secret);
    }
}

typedef struct
{
  gboolean   done;
  SpContact *contact;
} Wait;

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Wait *wait = user_data;

  wait->contact = sp_caller_id_lookup_finish (SP_CALLER_ID (object), result, NULL);
  wait->done = TRUE;
}

static gboolean
measure_lookups (const char *what,
                 const char *number,
                 const char *expected)
{
  SpCallerId *caller_id = sp_engine_get_caller_id (engine);
  g_autoptr(GArray) ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(SpPhoneNumber) phone = sp_phone_number_parse (number, "JP");

  for (guint i = 0; i < N_LOOKUPS; i++)
    {
      Wait wait = { 0 };
      gint64 start = g_get_monotonic_time ();
      double elapsed;

      sp_caller_id_clear_cache (caller_id);
      sp_caller_id_lookup_async (caller_id, phone, NULL, lookup_cb, &wait);
      while (!wait.done)
        g_main_context_iteration (NULL, TRUE);
      elapsed = (g_get_monotonic_time () - start) / 1000.0;

      if (wait.contact == NULL || g_strcmp0 (wait.contact->name, expected) != 0)
        {
          g_printerr ("%s: %s gave %s, not %s\n", what, number,
                      wait.contact ? wait.contact->name : "nothing", expected);
          sp_contact_free (wait.contact);
          return FALSE;
        }
      sp_contact_free (wait.contact);
      g_array_append_val (ms, elapsed);
    }

  print_figures (what, ms);
  return TRUE;
}

static char *
write_big_csv (void)
{
  g_autoptr(GString) csv = g_string_new ("name,company,phone\n");
  char *path = g_build_filename (workdir, "big.csv", NULL);

  for (guint i = 0; i < 5000; i++)
    g_string_append_printf (csv, "Person %u,Company %u,03-5%03u-%04u\n", i, i % 97, i / 10, i);
  g_string_append (csv, "山田 太郎,株式会社テスト,03-1234-5678\n");
  g_assert_true (g_file_set_contents (path, csv->str, csv->len, NULL));
  return path;
}

static void
crm_handler (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  const char *body = "{\"name\":\"山田 太郎\",\"company\":\"株式会社テスト\"}";

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, body, strlen (body));
}

static gboolean
bench_lookups (void)
{
  g_autofree char *csv = write_big_csv ();
  g_autoptr(SoupServer) crm = soup_server_new (NULL, NULL);
  g_autofree char *crm_url = NULL;
  gboolean ok = TRUE;
  GSList *uris;

  g_print ("lookup latency per directory kind (cache cleared each time):\n");

  use_directory ("file", "file", csv, NULL, NULL, NULL);
  ok &= measure_lookups ("CSV file, 5 001 rows", "0312345678", "山田 太郎");

  soup_server_add_handler (crm, "/lookup", crm_handler, NULL, NULL);
  g_assert_true (soup_server_listen_local (crm, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, NULL));
  uris = soup_server_get_uris (crm);
  crm_url = g_strdup_printf ("http://127.0.0.1:%d/lookup?phone={e164}", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  use_directory ("http", "http", crm_url, NULL, NULL, NULL);
  ok &= measure_lookups ("CRM over HTTP (in-process server)", "0312345678", "山田 太郎");

  {
    g_autoptr(SpTestDirectoryServer) redmine = sp_test_redmine_start ();
    use_directory ("redmine", "redmine", sp_test_directory_server_get_url (redmine), NULL, "k-bob",
                   "phone-field", "3", "name-field", "Customer", NULL);
    ok &= measure_lookups ("Redmine issues (puma)", "0312345678", "山田 太郎");
  }
  {
    g_autoptr(SpTestDirectoryServer) slapd = sp_test_slapd_start ();
    use_directory ("ldap", "ldap", sp_test_directory_server_get_url (slapd),
                   "cn=reader,dc=example,dc=com", "reader-secret",
                   "base", "ou=people,dc=example,dc=com", NULL);
    ok &= measure_lookups ("LDAP (slapd)", "0312345678", "山田 太郎");
  }
  {
    g_autoptr(SpTestDirectoryServer) radicale = sp_test_radicale_start ();
    use_directory ("carddav", "carddav", sp_test_directory_server_get_url (radicale), "agent",
                   "agent-secret", NULL);
    ok &= measure_lookups ("CardDAV (Radicale)", "0312345678", "山田 太郎");
  }
  {
    g_autoptr(SpTestDirectoryServer) eds = sp_test_eds_start ();
    use_directory ("eds", "eds", "", NULL, NULL, NULL);
    /* An empty personal address book, the lookup's cost all the same: a miss. */
    g_print ("  %-34s ", "GNOME address book (EDS), a miss");
    {
      SpCallerId *caller_id = sp_engine_get_caller_id (engine);
      g_autoptr(GArray) ms = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(SpPhoneNumber) phone = sp_phone_number_parse ("0312345678", "JP");

      for (guint i = 0; i < N_LOOKUPS; i++)
        {
          Wait wait = { 0 };
          gint64 start = g_get_monotonic_time ();
          double elapsed;

          sp_caller_id_clear_cache (caller_id);
          sp_caller_id_lookup_async (caller_id, phone, NULL, lookup_cb, &wait);
          while (!wait.done)
            g_main_context_iteration (NULL, TRUE);
          elapsed = (g_get_monotonic_time () - start) / 1000.0;
          sp_contact_free (wait.contact);
          g_array_append_val (ms, elapsed);
        }
      g_array_sort (ms, compare_double);
      g_print ("p50 %7.2f ms   p90 %7.2f ms   max %7.2f ms   (n=%u)\n",
               g_array_index (ms, double, ms->len / 2),
               g_array_index (ms, double, (ms->len * 9) / 10),
               g_array_index (ms, double, ms->len - 1), ms->len);
    }
  }

  use_directory (NULL, "file", "", NULL, NULL, NULL);
  return ok;
}

/* --- pop latency --------------------------------------------------------------------- */

typedef struct
{
  gint64 sent;
  gint64 popped;
} Pop;

static void
popped_cb (SpCallTracker *tracker,
           SpCall        *call,
           gboolean       state_changed,
           Pop           *pop)
{
  if (state_changed && pop->popped == 0)
    pop->popped = g_get_monotonic_time ();
}

static gboolean
pop_seen (gpointer data)
{
  return ((Pop *) data)->popped != 0;
}

static void
measure_pops (SpTestPopupServer *server,
              const char        *what)
{
  SpCallTracker *tracker = sp_engine_get_tracker (engine);
  g_autoptr(GArray) ms = g_array_new (FALSE, FALSE, sizeof (double));
  Pop pop;
  gulong handler;

  /* After the screen-pop's handler: it has shown the notification when this runs. */
  handler = g_signal_connect (tracker, "call-changed", G_CALLBACK (popped_cb), &pop);
  for (guint i = 0; i < N_POPS; i++)
    {
      g_autofree char *number = g_strdup_printf ("0312%06u", 345678 + i);
      double elapsed;

      pop = (Pop) { g_get_monotonic_time (), 0 };
      sp_test_popup_server_broadcast_call_in (server, number, "201");
      g_assert_true (sp_test_wait_until (pop_seen, &pop, TIMEOUT_MS));
      elapsed = (pop.popped - pop.sent) / 1000.0;
      g_array_append_val (ms, elapsed);
    }
  g_signal_handler_disconnect (tracker, handler);
  print_figures (what, ms);
}

static void
bench_pops (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpTestPopupServer) server = sp_test_popup_server_new (0, &error);
  g_autoptr(GSettings) account = NULL;
  g_autofree char *url = NULL;
  g_autofree char *fifo = g_build_filename (workdir, "hang.csv", NULL);
  g_autofree char *csv = write_big_csv ();
  const char *extensions[] = { "201", NULL };
  const char *ids[] = { "pbx", NULL };

  g_assert_no_error (error);
  url = sp_test_popup_server_dup_ws_url (server);
  account = g_settings_new_with_path ("io.github.screenpop.Screenpop.Account",
                                      "/io/github/screenpop/Screenpop/accounts/pbx/");
  g_settings_set_string (account, "kind", "popup-notifier");
  g_settings_set_string (account, "url", url);
  g_settings_set_strv (account, "extensions", extensions);
  g_settings_set_boolean (account, "enabled", TRUE);
  g_settings_set_strv (settings, "accounts", ids);
  g_assert_true (sp_test_popup_server_wait_for_clients (server, 1, TIMEOUT_MS));

  g_print ("pop latency (frame sent → notification shown), %u calls each:\n", N_POPS);
  use_directory (NULL, "file", "", NULL, NULL, NULL);
  measure_pops (server, "no directory");
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  use_directory ("hang", "file", fifo, NULL, NULL, NULL);
  measure_pops (server, "a directory that never answers");
  use_directory ("file", "file", csv, NULL, NULL, NULL);
  measure_pops (server, "a CSV file of 5 001 rows");

  g_settings_set_strv (settings, "accounts", NULL);
  use_directory (NULL, "file", "", NULL, NULL, NULL);
}

int
main (int   argc,
      char *argv[])
{
  GTestDBus *bus;
  SpTestNotify *notify;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (bus);
  workdir = g_dir_make_tmp ("screenpop-bench-caller-id-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", workdir, TRUE);
  g_setenv ("XDG_CONFIG_HOME", workdir, TRUE);

  notify = sp_test_notify_start (NULL);
  settings = g_settings_new ("io.github.screenpop.Screenpop");
  g_settings_set_string (settings, "phone-region", "JP");
  engine = sp_test_engine_new (settings, NULL);
  sp_caller_id_set_budget (sp_engine_get_caller_id (engine), 1000);

  ok = bench_lookups ();
  bench_pops ();

  /* A lookup holds the caller id until its budget is over. */
  sp_test_run_for (1500);
  sp_test_engine_assert_finalize (g_steal_pointer (&engine));
  g_clear_object (&settings);
  notify_uninit ();
  sp_test_notify_stop (notify);
  g_test_dbus_down (bus);
  g_object_unref (bus);
  sp_test_remove_tree (workdir);

  return ok ? 0 : 1;
}
