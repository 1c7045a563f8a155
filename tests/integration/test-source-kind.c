/* test-source-kind.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The registry of kinds holds what it promises for every kind: a label, a source that
 * instantiates for an account of the kind, a page of the account editor that loads and
 * saves, and writes no option its source does not read, and a window (where the kind has
 * one) that takes the kind's source; and the connection test of the account editor connects,
 * times out and is cancelled through the registry's sources.
 */

#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "sp-account-page.h"
#include "sp-connection-test.h"
#include "sp-source-kind.h"
#include "sp-test-util.h"

static void
test_kind_registry (void)
{
  guint n_kinds;
  const SpSourceKind *kinds = sp_source_kind_get_all (&n_kinds);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_cmpuint (n_kinds, >, 0);
  for (guint i = 0; i < n_kinds; i++)
    {
      const SpSourceKind *kind = &kinds[i];

      g_test_message ("kind %s", kind->id);
      g_assert_nonnull (kind->id);
      g_assert_true (g_hash_table_add (ids, (gpointer) kind->id));
      g_assert_true (sp_source_kind_lookup (kind->id) == kind);
      g_assert_nonnull (kind->label);
      g_assert_cmpstr (sp_source_kind_get_label (kind), !=, "");
      g_assert_cmpstr (sp_source_kind_label_for_id (kind->id), ==, sp_source_kind_get_label (kind));
      /* Labels of one form, "System (its software)", next to each other in the Kind list
       * and the window; short enough that the list does not cut them. */
      if (g_strcmp0 (kind->id, SP_SOURCE_KIND_DEMO) != 0 &&
          !g_regex_match_simple ("^[A-Z][^()]* \\([^()]+\\)$", kind->label, 0, 0))
        g_error ("The label of %s is not “System (software)”: %s", kind->id, kind->label);
      g_assert_cmpuint (g_utf8_strlen (kind->label, -1), <=, 25);
      g_assert_nonnull (kind->option_keys);
      for (guint k = 0; kind->option_keys[k] != NULL; k++)
        g_assert_true (sp_source_kind_reads_option (kind, kind->option_keys[k]));
    }

  g_assert_null (sp_source_kind_lookup ("no-such-kind"));
  g_assert_null (sp_source_kind_lookup (NULL));
  g_assert_cmpstr (sp_source_kind_label_for_id ("no-such-kind"), ==, "no-such-kind");
}

static void
test_kind_sources (void)
{
  guint n_kinds;
  const SpSourceKind *kinds = sp_source_kind_get_all (&n_kinds);
  g_autoptr(GError) error = NULL;
  SpAccount *unknown;

  for (guint i = 0; i < n_kinds; i++)
    {
      SpAccount *account = sp_account_new_transient ("kind-test", kinds[i].id, "Test");
      SpSource *source = sp_source_kind_create_source (account, &error);

      g_test_message ("kind %s", kinds[i].id);
      g_assert_no_error (error);
      g_assert_true (G_TYPE_CHECK_INSTANCE_TYPE (source, kinds[i].get_source_type ()));
      g_assert_true (sp_source_get_account (source) == account);
      g_assert_cmpint (sp_source_get_state (source), ==, SP_SOURCE_STATE_DISCONNECTED);

      /* The source before its account. */
      g_assert_finalize_object (source);
      g_assert_finalize_object (account);
    }

  unknown = sp_account_new_transient ("kind-test", "no-such-kind", "Test");
  g_assert_null (sp_source_kind_create_source (unknown, &error));
  g_assert_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG);
  g_assert_finalize_object (unknown);
}

static void
test_kind_pages (void)
{
  guint n_kinds;
  const SpSourceKind *kinds = sp_source_kind_get_all (&n_kinds);

  for (guint i = 0; i < n_kinds; i++)
    {
      GType type = sp_source_kind_get_page_type (&kinds[i]);
      SpAccountPage *page;
      SpAccountPageCredentials credentials;
      GtkWidget **rows;
      gpointer weak_rows[8] = { NULL, };
      guint n_rows = 0;

      g_test_message ("kind %s", kinds[i].id);
      g_assert_true (g_type_is_a (type, SP_TYPE_ACCOUNT_PAGE));
      g_assert_true (g_type_is_a (type, ADW_TYPE_PREFERENCES_GROUP));

      page = g_object_ref_sink (sp_account_page_new (type));
      g_assert_true (G_OBJECT_TYPE (page) == type);
      g_assert_nonnull (sp_account_page_get_url_title (page));

      sp_account_page_get_credentials (page, &credentials);
      g_assert_nonnull (credentials.login_title);
      g_assert_nonnull (credentials.login_missing);
      g_assert_nonnull (credentials.secret_title);
      g_assert_nonnull (credentials.secret_missing);

      /* The rows for the Connection group are rows, not yet anywhere, and go with the page. */
      rows = sp_account_page_get_connection_rows (page);
      for (guint r = 0; rows != NULL && rows[r] != NULL; r++)
        {
          g_assert_true (ADW_IS_PREFERENCES_ROW (rows[r]));
          g_assert_null (gtk_widget_get_parent (rows[r]));
          g_assert_cmpuint (n_rows, <, G_N_ELEMENTS (weak_rows));
          weak_rows[n_rows] = rows[r];
          g_object_add_weak_pointer (G_OBJECT (rows[r]), &weak_rows[n_rows]);
          n_rows++;
        }

      g_assert_finalize_object (page);
      for (guint r = 0; r < n_rows; r++)
        g_assert_null (weak_rows[r]);
    }
}

/* An account of @kind whose every option its source reads says @value, beside an option
 * no kind knows (an administrator's). */
static SpAccount *
new_account_with_options (const SpSourceKind *kind,
                          const char         *value)
{
  SpAccount *account = sp_account_new_transient ("kind-test", kind->id, "Test");
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  for (guint k = 0; kind->option_keys[k] != NULL; k++)
    g_variant_builder_add (&builder, "{ss}", kind->option_keys[k], value);
  g_variant_builder_add (&builder, "{ss}", "zz-administrator", "kept");
  g_settings_set_value (sp_account_get_settings (account), "options",
                        g_variant_builder_end (&builder));

  return account;
}

/* Every option a page writes is one its source reads, whatever the page shows: pages are
 * loaded from options that all say yes, all say no, are all empty or all nonsense. */
static void
test_kind_page_options (void)
{
  static const char * const values[] = { "true", "false", "", "1", "ticket", "nonsense" };
  guint n_kinds;
  const SpSourceKind *kinds = sp_source_kind_get_all (&n_kinds);

  for (guint i = 0; i < n_kinds; i++)
    {
      GType type = sp_source_kind_get_page_type (&kinds[i]);
      g_autoptr(GHashTable) written = g_hash_table_new (g_str_hash, g_str_equal);

      g_test_message ("kind %s", kinds[i].id);
      for (guint v = 0; v < G_N_ELEMENTS (values); v++)
        {
          SpAccount *account = new_account_with_options (&kinds[i], values[v]);
          SpAccount *saved = sp_account_new_transient ("kind-test-saved", kinds[i].id, "Test");
          SpAccount *edited = sp_account_new_transient ("kind-test-edited", kinds[i].id, "Test");
          SpAccountPage *page = g_object_ref_sink (sp_account_page_new (type));
          g_autoptr(GVariant) options = NULL;
          g_autofree char *kept = NULL;
          GVariantIter iter;
          const char *key, *value;

          /* What the page writes of its own, into a new account. */
          sp_account_page_load (page, account);
          sp_account_page_save (page, NULL, sp_account_get_settings (saved));
          options = g_settings_get_value (sp_account_get_settings (saved), "options");
          g_variant_iter_init (&iter, options);
          while (g_variant_iter_next (&iter, "{&s&s}", &key, &value))
            {
              if (!sp_source_kind_reads_option (&kinds[i], key))
                g_error ("The %s page writes the option “%s”, which its source does not read",
                         kinds[i].id, key);
              g_hash_table_add (written, (gpointer) g_intern_string (key));
            }

          /* Into the account it edits: an option the page does not know survives. */
          sp_account_page_save (page, account, sp_account_get_settings (edited));
          kept = sp_account_dup_option (edited, "zz-administrator");
          g_assert_cmpstr (kept, ==, "kept");

          g_assert_finalize_object (page);
          g_assert_finalize_object (edited);
          g_assert_finalize_object (saved);
          g_assert_finalize_object (account);
        }

      g_test_message ("%s: the page wrote %u of the %u options its source reads", kinds[i].id,
                      g_hash_table_size (written), g_strv_length ((char **) kinds[i].option_keys));
    }
}

/* A page loads what it saved. */
static void
test_kind_page_round_trip (void)
{
  guint n_kinds;
  const SpSourceKind *kinds = sp_source_kind_get_all (&n_kinds);

  for (guint i = 0; i < n_kinds; i++)
    {
      GType type = sp_source_kind_get_page_type (&kinds[i]);
      SpAccount *account = new_account_with_options (&kinds[i], "true");
      SpAccount *first = sp_account_new_transient ("kind-test-1", kinds[i].id, "Test");
      SpAccount *second = sp_account_new_transient ("kind-test-2", kinds[i].id, "Test");
      SpAccountPage *page = g_object_ref_sink (sp_account_page_new (type));
      SpAccountPage *again = g_object_ref_sink (sp_account_page_new (type));
      g_autoptr(GVariant) once = NULL;
      g_autoptr(GVariant) twice = NULL;

      g_test_message ("kind %s", kinds[i].id);
      sp_account_page_load (page, account);
      sp_account_page_save (page, NULL, sp_account_get_settings (first));
      sp_account_page_load (again, first);
      sp_account_page_save (again, NULL, sp_account_get_settings (second));

      once = g_settings_get_value (sp_account_get_settings (first), "options");
      twice = g_settings_get_value (sp_account_get_settings (second), "options");
      g_assert_true (g_variant_equal (once, twice));

      g_assert_finalize_object (page);
      g_assert_finalize_object (again);
      g_assert_finalize_object (first);
      g_assert_finalize_object (second);
      g_assert_finalize_object (account);
    }
}

static void
test_kind_windows (void)
{
  guint n_kinds;
  const SpSourceKind *kinds = sp_source_kind_get_all (&n_kinds);
  guint n_windows = 0;

  for (guint i = 0; i < n_kinds; i++)
    {
      GType type = sp_source_kind_get_window_type (&kinds[i]);
      g_autoptr(GTypeClass) klass = NULL;
      GParamSpec *pspec;
      SpAccount *account;
      SpSource *source;
      GtkWindow *window;

      if (type == G_TYPE_NONE)
        continue;

      g_test_message ("kind %s", kinds[i].id);
      n_windows++;
      g_assert_true (g_type_is_a (type, GTK_TYPE_WINDOW));
      g_assert_nonnull (kinds[i].window_icon);
      g_assert_nonnull (sp_source_kind_get_window_tooltip (&kinds[i]));

      /* The convention SpWindow relies on: a construct-only `source` of the kind's type. */
      klass = g_type_class_ref (type);
      pspec = g_object_class_find_property (G_OBJECT_CLASS (klass), "source");
      g_assert_nonnull (pspec);
      g_assert_true (pspec->flags & G_PARAM_CONSTRUCT_ONLY);
      g_assert_true (g_type_is_a (kinds[i].get_source_type (), pspec->value_type));

      account = sp_account_new_transient ("kind-test", kinds[i].id, "Test");
      source = sp_source_kind_create_source (account, NULL);
      window = g_object_new (type, "source", source, NULL);
      gtk_window_present (window);
      gtk_window_destroy (window);

      g_assert_finalize_object (source);
      g_assert_finalize_object (account);
    }

  /* The Basix live view and the pbxis agent panel. */
  g_assert_cmpuint (n_windows, ==, 2);
}

/* sp-connection-test, the Test Connection of the account editor */

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  gpointer *out = user_data;
  GError *error = NULL;

  out[0] = sp_connection_test_finish (result, &error);
  out[1] = error;
  out[2] = GINT_TO_POINTER (TRUE);
}

static gboolean
result_in (gpointer user_data)
{
  gpointer *out = user_data;

  return out[2] != NULL;
}

/* A server that takes the connection and never answers. */
static gboolean
hold_cb (GSocketService    *service,
         GSocketConnection *connection,
         GObject           *source,
         GPtrArray         *held)
{
  g_ptr_array_add (held, g_object_ref (connection));
  return TRUE;
}

static SpAccount *
new_silent_account (GSocketService *service,
                    GPtrArray      *held)
{
  g_autoptr(GError) error = NULL;
  guint16 port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (service), NULL, &error);
  g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u/crmws", port);
  SpAccount *account = sp_account_new_transient ("connection-test", "popup-notifier", "Test");

  g_assert_no_error (error);
  g_signal_connect (service, "incoming", G_CALLBACK (hold_cb), held);
  g_settings_set_string (sp_account_get_settings (account), "url", url);

  return account;
}

static void
test_connection_test (void)
{
  g_autoptr(GSocketService) service = g_socket_service_new ();
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  SpAccount *demo = sp_account_new_transient ("connection-test", "demo", "Demo");
  SpAccount *silent = new_silent_account (service, held);
  gpointer out[3] = { NULL, };
  gint64 start;

  /* The demo connects at once. */
  sp_connection_test_async (demo, NULL, NULL, 10, NULL, store_result_cb, out);
  g_assert_true (sp_test_wait_until (result_in, out, 5000));
  g_assert_null (out[1]);
  g_free (out[0]);

  /* A server that never answers: the test's own time runs out first. */
  memset (out, 0, sizeof out);
  start = g_get_monotonic_time ();
  sp_connection_test_async (silent, NULL, NULL, 1, NULL, store_result_cb, out);
  g_assert_true (sp_test_wait_until (result_in, out, 5000));
  g_assert_null (out[0]);
  error = out[1];
  g_assert_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_TIMEOUT);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 4 * G_USEC_PER_SEC);
  g_clear_error (&error);

  /* Cancelled: over at once, whatever the server does. */
  memset (out, 0, sizeof out);
  sp_connection_test_async (silent, "a secret", NULL, 10, cancellable, store_result_cb, out);
  sp_test_run_for (200);
  g_assert_false (result_in (out));
  g_cancellable_cancel (cancellable);
  g_assert_true (sp_test_wait_until (result_in, out, 1000));
  error = out[1];
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* Every source of the tests is gone with its test. */
  sp_test_run_for (100);
  g_assert_finalize_object (demo);
  g_assert_finalize_object (silent);
  g_socket_service_stop (service);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ())
    g_error ("No display: run this under Xvfb, as build-aux/test does");
  adw_init ();

  g_test_add_func ("/source-kind/registry", test_kind_registry);
  g_test_add_func ("/source-kind/sources", test_kind_sources);
  g_test_add_func ("/source-kind/pages", test_kind_pages);
  g_test_add_func ("/source-kind/page-options", test_kind_page_options);
  g_test_add_func ("/source-kind/page-round-trip", test_kind_page_round_trip);
  g_test_add_func ("/source-kind/windows", test_kind_windows);
  g_test_add_func ("/source-kind/connection-test", test_connection_test);

  return g_test_run ();
}
