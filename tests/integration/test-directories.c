/* test-directories.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Every directory kind against a real or faithful local server, through SpCallerId (what
 * the engine asks when a call rings): a CRM lookup over HTTP (a local SoupServer answering
 * as a CRM's REST API does) and the Redmine preset (the project's redmine test server, puma,
 * with Redmine's issue filters). Secrets come from the real keyring. */

#define G_LOG_DOMAIN "test-directories"

#include "config.h"

#include <libsoup/soup.h>

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
#include <libebook/libebook.h>
G_GNUC_END_IGNORE_DEPRECATIONS

#include "sp-caller-id.h"
#include "sp-directory.h"
#include "sp-directory-kind.h"
#include "sp-ldap-directory.h"
#include "sp-secret.h"
#include "sp-test-directory-servers.h"
#include "sp-test-engine.h"
#include "sp-test-keyring.h"
#include "sp-test-notify.h"
#include "sp-test-util.h"

#define TIMEOUT_MS 20000
#define CRM_TOKEN "crm-token-7"

static GSettings *settings;
static SpEngine *engine;

/* --- helpers ----------------------------------------------------------------------------- */

static void
set_directories (const char *first_id,
                 ...)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) ids = NULL;
  va_list args;

  va_start (args, first_id);
  for (const char *id = first_id; id != NULL; id = va_arg (args, const char *))
    g_strv_builder_add (builder, id);
  va_end (args);
  ids = g_strv_builder_end (builder);
  g_settings_set_strv (settings, "directories", (const char * const *) ids);
  sp_caller_id_clear_cache (sp_engine_get_caller_id (engine));
}

static GSettings *
configure (const char *id,
           const char *kind,
           const char *url,
           const char *first_option,
           ...)
{
  GSettings *dir = sp_directory_settings_new (id);
  g_auto(GVariantBuilder) options = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{ss}"));
  va_list args;

  g_settings_set_string (dir, "kind", kind);
  g_settings_set_string (dir, "label", id);
  g_settings_set_boolean (dir, "enabled", TRUE);
  g_settings_set_string (dir, "url", url);

  va_start (args, first_option);
  for (const char *key = first_option; key != NULL; key = va_arg (args, const char *))
    g_variant_builder_add (&options, "{ss}", key, va_arg (args, const char *));
  va_end (args);
  g_settings_set_value (dir, "options", g_variant_builder_end (&options));

  return dir;
}

static void
keep_result (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
store_secret (const char *directory_id,
              const char *secret)
{
  g_autofree char *key = g_strconcat ("directory:", directory_id, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  sp_secret_store_async (key, "test", secret, NULL, keep_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (sp_secret_store_finish (result, &error));
  g_assert_no_error (error);
}

typedef struct
{
  gboolean   done;
  SpContact *contact;
  GError    *error;
} Wait;

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Wait *wait = user_data;

  wait->contact = sp_caller_id_lookup_finish (SP_CALLER_ID (object), result, &wait->error);
  wait->done = TRUE;
}

static SpContact *
lookup (const char *text)
{
  g_autoptr(SpPhoneNumber) number = sp_phone_number_parse (text, "JP");
  Wait wait = { 0 };

  sp_caller_id_lookup_async (sp_engine_get_caller_id (engine), number, NULL, lookup_cb, &wait);
  while (!wait.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (wait.error);
  return wait.contact;
}

static SpDirectory *
get_directory (guint index)
{
  return g_list_model_get_item (sp_caller_id_get_directories (sp_engine_get_caller_id (engine)),
                                index);
}

/* --- a CRM over HTTP --------------------------------------------------------------------- */

typedef struct
{
  GPtrArray *queries;   /* (element-type utf8): the raw query strings received */
  GPtrArray *auth;      /* (element-type utf8): the Authorization headers received */
} Crm;

/* A CRM's lookup API: GET /api/lookup?phone=E164 → 200 {"contact":{…}} or 404. A
 * token is required; a wrong one is 401. */
static void
crm_handler (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  Crm *crm = user_data;
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "Authorization");
  const char *raw = g_uri_get_query (soup_server_message_get_uri (msg));
  const char *phone = query ? g_hash_table_lookup (query, "phone") : NULL;
  const char *body;

  g_ptr_array_add (crm->queries, g_strdup (raw));
  g_ptr_array_add (crm->auth, g_strdup (auth));

  if (g_strcmp0 (auth, "Bearer " CRM_TOKEN) != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_UNAUTHORIZED, NULL);
      return;
    }

  if (g_strcmp0 (phone, "+81312345678") == 0)
    body = "{\"contact\":{\"display_name\":\"山田 太郎\",\"org\":{\"name\":\"株式会社テスト\"},"
           "\"link\":\"https://crm.example.com/contacts/7\",\"id\":7}}";
  else if (g_strcmp0 (phone, "+819012345678") == 0)
    body = "{\"contact\":{\"display_name\":";   /* a broken answer */
  else
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

static void
test_http_crm (void)
{
  Crm crm = { g_ptr_array_new_with_free_func (g_free), g_ptr_array_new_with_free_func (g_free) };
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) dir = NULL;
  g_autoptr(SpContact) found = NULL;
  g_autoptr(SpContact) missing = NULL;
  g_autoptr(SpContact) broken = NULL;
  g_autoptr(SpDirectory) directory = NULL;
  g_autofree char *url = NULL;
  GSList *uris;

  soup_server_add_handler (server, "/api/lookup", crm_handler, &crm, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("http://127.0.0.1:%d/api/lookup?phone={e164}",
                         g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  dir = configure ("crm", "http", url,
                   "name-field", "contact.display_name",
                   "company-field", "contact.org.name",
                   "url-field", "contact.link", NULL);
  store_secret ("crm", CRM_TOKEN);
  set_directories ("crm", NULL);

  found = lookup ("03-1234-5678");
  g_assert_nonnull (found);
  g_assert_cmpstr (found->name, ==, "山田 太郎");
  g_assert_cmpstr (found->company, ==, "株式会社テスト");
  g_assert_cmpstr (found->url, ==, "https://crm.example.com/contacts/7");
  g_assert_cmpstr (found->directory, ==, "crm");
  /* The "+" reached the server encoded, and the token from the keyring as a bearer. */
  g_assert_cmpstr (g_ptr_array_index (crm.queries, 0), ==, "phone=%2B81312345678");
  g_assert_cmpstr (g_ptr_array_index (crm.auth, 0), ==, "Bearer " CRM_TOKEN);

  /* 404 is a miss, not an error. */
  missing = lookup ("0399999999");
  g_assert_null (missing);
  directory = get_directory (0);
  g_assert_null (sp_directory_get_last_error (directory));

  /* A broken answer is an error the directory's row shows, and no name. */
  broken = lookup ("09012345678");
  g_assert_null (broken);
  g_assert_nonnull (sp_directory_get_last_error (directory));

  /* A wrong token: said in words. */
  store_secret ("crm", "wrong");
  sp_caller_id_clear_cache (sp_engine_get_caller_id (engine));
  g_assert_null (lookup ("0312345678"));
  g_assert_nonnull (strstr (sp_directory_get_last_error (directory), "refused the token"));

  set_directories (NULL);
  g_ptr_array_unref (crm.queries);
  g_ptr_array_unref (crm.auth);
}

/* --- Redmine ----------------------------------------------------------------------------- */

static void
test_redmine (void)
{
  g_autoptr(SpTestDirectoryServer) server = sp_test_redmine_start ();
  const char *base = sp_test_directory_server_get_url (server);
  g_autoptr(GSettings) dir = NULL;
  g_autoptr(SpContact) open_issue = NULL;
  g_autoptr(SpContact) closed_issue = NULL;
  g_autoptr(SpDirectory) directory = NULL;

  dir = configure ("redmine", "redmine", base, "phone-field", "3", "name-field", "Customer", NULL);
  store_secret ("redmine", "k-bob");
  set_directories ("redmine", NULL);

  /* Stored as "03-1234-5678", rung as 0312345678: one of the variants matches. */
  open_issue = lookup ("0312345678");
  g_assert_nonnull (open_issue);
  g_assert_cmpstr (open_issue->name, ==, "山田 太郎");
  g_assert_cmpstr (open_issue->company, ==, "Acme Support");
  {
    g_autofree char *issue_url = g_strconcat (base, "issues/101", NULL);
    g_assert_cmpstr (open_issue->url, ==, issue_url);
  }

  /* A closed issue still names its customer (status_id=*), from a number with "+". */
  closed_issue = lookup ("+38514567890");
  g_assert_nonnull (closed_issue);
  g_assert_cmpstr (closed_issue->name, ==, "Ana Horvat");

  /* A wrong key is refused in words. */
  store_secret ("redmine", "not-a-key");
  sp_caller_id_clear_cache (sp_engine_get_caller_id (engine));
  g_assert_null (lookup ("0312345678"));
  directory = get_directory (0);
  g_assert_nonnull (sp_directory_get_last_error (directory));

  set_directories (NULL);
}

/* --- LDAP ------------------------------------------------------------------------------ */

static void
test_ldap (void)
{
  g_autoptr(SpTestDirectoryServer) server = sp_test_slapd_start ();
  const char *url = sp_test_directory_server_get_url (server);
  g_autoptr(GSettings) settings_dir = NULL;
  g_autoptr(SpContact) yamada = NULL;
  g_autoptr(SpContact) mobile = NULL;
  g_autoptr(SpContact) horvat = NULL;
  g_autoptr(SpContact) home = NULL;
  g_autoptr(SpContact) nobody = NULL;
  g_autoptr(SpDirectory) directory = NULL;
  g_autoptr(SpPhoneNumber) tricky = NULL;
  g_autofree char *filter = NULL;

  settings_dir = configure ("ldap", "ldap", url, "base", "ou=people,dc=example,dc=com", NULL);
  g_settings_set_string (settings_dir, "login", "cn=reader,dc=example,dc=com");
  store_secret ("ldap", "reader-secret");
  set_directories ("ldap", NULL);

  /* Every way a number is written finds the one person, Japanese names intact. */
  yamada = lookup ("+81 3-1234-5678");
  g_assert_nonnull (yamada);
  g_assert_cmpstr (yamada->name, ==, "山田 太郎");
  g_assert_cmpstr (yamada->company, ==, "株式会社テスト");
  g_assert_cmpstr (yamada->department, ==, "営業部");
  mobile = lookup ("09011112222");
  g_assert_nonnull (mobile);
  g_assert_cmpstr (mobile->name, ==, "山田 太郎");
  horvat = lookup ("+38514567890");
  g_assert_nonnull (horvat);
  g_assert_cmpstr (horvat->name, ==, "Ana Horvat");   /* no displayName: cn */
  home = lookup ("06-1234-5678");
  g_assert_nonnull (home);
  g_assert_cmpstr (home->name, ==, "佐藤 花子");
  nobody = lookup ("0399999999");
  g_assert_null (nobody);

  /* Filter values are escaped: a "number" that is a filter injection stays a value. */
  tricky = sp_phone_number_parse ("*)(uid=*", "JP");
  filter = sp_ldap_directory_build_filter ("(telephoneNumber={number})", tricky);
  g_assert_cmpstr (filter, ==, "(|(telephoneNumber=\\2a\\29\\28uid=\\2a))");

  /* A wrong password: refused, in words, and the row says so. */
  store_secret ("ldap", "wrong");
  sp_caller_id_clear_cache (sp_engine_get_caller_id (engine));
  g_assert_null (lookup ("0312345678"));
  directory = get_directory (0);
  g_assert_nonnull (strstr (sp_directory_get_last_error (directory), "Invalid credentials"));

  set_directories (NULL);
}

/* --- CardDAV ---------------------------------------------------------------------------- */

static void
test_carddav (void)
{
  g_autoptr(SpTestDirectoryServer) server = sp_test_radicale_start ();
  const char *url = sp_test_directory_server_get_url (server);
  g_autoptr(GSettings) settings_dir = NULL;
  g_autoptr(SpContact) yamada = NULL;
  g_autoptr(SpContact) horvat = NULL;
  g_autoptr(SpContact) sato = NULL;
  g_autoptr(SpContact) nobody = NULL;
  g_autoptr(SpDirectory) directory = NULL;

  settings_dir = configure ("carddav", "carddav", url, NULL);
  g_settings_set_string (settings_dir, "login", "agent");
  store_secret ("carddav", "agent-secret");
  set_directories ("carddav", NULL);

  yamada = lookup ("0312345678");
  g_assert_nonnull (yamada);
  g_assert_cmpstr (yamada->name, ==, "山田 太郎");
  g_assert_cmpstr (yamada->company, ==, "株式会社テスト");
  g_assert_cmpstr (yamada->department, ==, "営業部");
  /* vCard 4.0: TEL as a tel: URI, the contact's page from URL. */
  horvat = lookup ("+385915551234");
  g_assert_nonnull (horvat);
  g_assert_cmpstr (horvat->name, ==, "Ana Horvat");
  g_assert_cmpstr (horvat->url, ==, "https://crm.example.com/c/horvat");
  sato = lookup ("06-1234-5678");
  g_assert_nonnull (sato);
  g_assert_cmpstr (sato->name, ==, "佐藤 花子");
  nobody = lookup ("0399999999");
  g_assert_null (nobody);

  store_secret ("carddav", "wrong");
  sp_caller_id_clear_cache (sp_engine_get_caller_id (engine));
  g_assert_null (lookup ("0312345678"));
  directory = get_directory (0);
  g_assert_nonnull (strstr (sp_directory_get_last_error (directory), "refused the user"));

  set_directories (NULL);
}

/* Stores a card in the address book as a CardDAV client does (PUT with the owner's login). */
static void
put_card (const char *book_url,
          const char *name,
          const char *vcard)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (book_url, name, ".vcf", NULL);
  g_autofree char *basic = g_base64_encode ((const guchar *) "agent:agent-secret",
                                            strlen ("agent:agent-secret"));
  g_autofree char *authorization = g_strconcat ("Basic ", basic, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("PUT", url);
  g_autoptr(GBytes) body = g_bytes_new (vcard, strlen (vcard));
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                authorization);
  soup_message_set_request_body_from_bytes (msg, "text/vcard", body);
  answer = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_CREATED);
}

/* Numbers written with spaces or dashes inside their last four digits ("0 1 2-3"), or with
 * the trunk 0 in brackets ("+33 (0)1"): the server's text filter cannot find them, the
 * directory still does, by the number and only by it. */
static void
test_carddav_split_digits (void)
{
  g_autoptr(SpTestDirectoryServer) server = sp_test_radicale_start ();
  const char *url = sp_test_directory_server_get_url (server);
  g_autoptr(GSettings) settings_dir = NULL;
  g_autoptr(SpContact) dubois = NULL;
  g_autoptr(SpContact) odd = NULL;
  g_autoptr(SpContact) martin = NULL;
  g_autoptr(SpContact) nobody = NULL;
  g_autoptr(SpContact) yamada = NULL;
  g_autoptr(SpDirectory) directory = NULL;

  put_card (url, "dubois", "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:dubois\r\nFN:Claire Dubois\r\n"
                           "ORG:Exemple SARL\r\nTEL;TYPE=work:+33 1 23 45 67 89\r\nEND:VCARD\r\n");
  put_card (url, "odd", "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:odd\r\nFN:Bob Odd\r\n"
                        "TEL;VALUE=uri:tel:+1 202 555 0 1 2-3\r\nEND:VCARD\r\n");
  /* The trunk 0 kept in brackets after the country code, as many in Europe write it. */
  put_card (url, "martin", "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:martin\r\nFN:Luc Martin\r\n"
                           "TEL:+33 (0)1 98 76 54 32\r\nEND:VCARD\r\n");

  settings_dir = configure ("carddav", "carddav", url, NULL);
  g_settings_set_string (settings_dir, "login", "agent");
  store_secret ("carddav", "agent-secret");
  set_directories ("carddav", NULL);

  dubois = lookup ("+33123456789");
  g_assert_nonnull (dubois);
  g_assert_cmpstr (dubois->name, ==, "Claire Dubois");
  g_assert_cmpstr (dubois->company, ==, "Exemple SARL");
  odd = lookup ("+1 (202) 555-0123");
  g_assert_nonnull (odd);
  g_assert_cmpstr (odd->name, ==, "Bob Odd");
  martin = lookup ("+33198765432");
  g_assert_nonnull (martin);
  g_assert_cmpstr (martin->name, ==, "Luc Martin");
  /* Only the number itself: the same last four digits elsewhere are not it. */
  nobody = lookup ("+33199996789");
  g_assert_null (nobody);
  yamada = lookup ("0312345678");
  g_assert_nonnull (yamada);
  directory = get_directory (0);
  g_assert_null (sp_directory_get_last_error (directory));

  set_directories (NULL);
}

/* --- The GNOME address book (Evolution Data Server) ----------------------------------------- */

static void
test_eds (void)
{
  g_autoptr(SpTestDirectoryServer) server = sp_test_eds_start ();
  g_autoptr(ESourceRegistry) registry = NULL;
  g_autoptr(ESource) book = NULL;
  g_autoptr(EClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings_dir = NULL;
  g_autoptr(SpContact) yamada = NULL;
  g_autoptr(SpContact) sato = NULL;
  g_autoptr(SpContact) nobody = NULL;
  const char *cards[] = {
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:山田 太郎\r\nORG:株式会社テスト;営業部\r\n"
    "TEL;TYPE=WORK:03-1234-5678\r\nEND:VCARD",
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:佐藤 花子\r\nTEL;TYPE=CELL:+81 90 1111 2222\r\nEND:VCARD",
  };

  /* The personal address book, filled as GNOME Contacts would. */
  registry = e_source_registry_new_sync (NULL, &error);
  g_assert_no_error (error);
  book = e_source_registry_ref_builtin_address_book (registry);
  client = e_book_client_connect_sync (book, 10, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (cards); i++)
    {
      EContact *contact = e_contact_new_from_vcard (cards[i]);

      e_book_client_add_contact_sync (E_BOOK_CLIENT (client), contact, E_BOOK_OPERATION_FLAG_NONE,
                                      NULL, NULL, &error);
      g_object_unref (contact);
      g_assert_no_error (error);
    }

  settings_dir = configure ("eds", "eds", "", NULL);
  set_directories ("eds", NULL);

  yamada = lookup ("+81312345678");
  g_assert_nonnull (yamada);
  g_assert_cmpstr (yamada->name, ==, "山田 太郎");
  g_assert_cmpstr (yamada->company, ==, "株式会社テスト");
  sato = lookup ("090-1111-2222");
  g_assert_nonnull (sato);
  g_assert_cmpstr (sato->name, ==, "佐藤 花子");
  nobody = lookup ("0399999999");
  g_assert_null (nobody);

  set_directories (NULL);
}

int
main (int   argc,
      char *argv[])
{
  SpTestNotify *notify;
  SpTestKeyring *keyring;
  int ret;

  g_test_init (&argc, &argv, NULL);

  notify = sp_test_notify_start (NULL);
  keyring = sp_test_keyring_start (sp_test_notify_get_address (notify));

  settings = g_settings_new ("io.github.screenpop.Screenpop");
  g_settings_set_string (settings, "phone-region", "JP");
  engine = sp_test_engine_new (settings, NULL);
  /* Room for a loaded machine and for Radicale, which delays every failed login by a
   * second on purpose; the budget itself is tested in test-caller-id. */
  sp_caller_id_set_budget (sp_engine_get_caller_id (engine), 10000);

  g_test_add_func ("/directories/http-crm", test_http_crm);
  g_test_add_func ("/directories/redmine", test_redmine);
  g_test_add_func ("/directories/ldap", test_ldap);
  g_test_add_func ("/directories/carddav", test_carddav);
  g_test_add_func ("/directories/carddav-split-digits", test_carddav_split_digits);
  g_test_add_func ("/directories/eds", test_eds);

  ret = g_test_run ();

  g_clear_object (&engine);
  g_clear_object (&settings);
  sp_test_keyring_stop (keyring);

  return ret;
}
