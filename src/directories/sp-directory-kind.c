/* sp-directory-kind.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * THE registry of directory kinds. Adding a kind: its folder-local files, one row here.
 */

#define G_LOG_DOMAIN "sp-directory-kind"

#include "config.h"

#include <glib/gi18n.h>
#include <gmodule.h>

#include "sp-directory-kind.h"
#include "sp-eds-directory.h"
#include "sp-http-directory.h"
#include "sp-ldap-directory.h"

/* The kinds that need big libraries live in loadable modules, opened when a directory of the
 * kind is first made or its form lists its choices: libebook-contacts for vCards (with
 * libedataserver, Camel, NSS and libxml2), Evolution Data Server's libebook, OpenLDAP's
 * libldap (with GnuTLS and SASL): over 5 MB resident in every process that links them,
 * mostly pages touched while the dynamic linker relocates them, in a program that, started
 * in the background, mostly has no directory at all (bench-popup-notifier, issue 16).
 * "vcard" holds the vCard and CSV file and CardDAV kinds, "eds" the GNOME Contacts kind (with
 * a copy of the vCard reading), "ldap" the LDAP kind. The module
 * resolves the program's own functions (SpDirectory, SpPhoneNumber, …) against the
 * program, which exports them (export_dynamic in src/meson.build). Modules are looked for in
 * $SCREENPOP_MODULE_DIR (the build tree: the tests and `meson devenv`), else where they are
 * installed. */
typedef struct
{
  const char *name;       /* "ldap": libscreenpop-ldap.so */
  gsize       loaded;     /* the GModule, once: g_once_init_*() */
} KindModule;

static KindModule vcard_module = { "vcard" };
static KindModule ldap_module = { "ldap" };
static KindModule eds_module = { "eds" };

static gpointer
kind_module_symbol (KindModule *kind_module,
                    const char *symbol)
{
  gpointer address = NULL;

  /* The editor lists choices in a worker thread: the first opening may race another. */
  if (g_once_init_enter (&kind_module->loaded))
    {
      const char *dir = g_getenv ("SCREENPOP_MODULE_DIR");
      g_autofree char *module_name = g_strconcat ("screenpop-", kind_module->name, NULL);
      g_autofree char *path = g_module_build_path (dir != NULL && *dir != '\0' ? dir : PKGLIBDIR,
                                                   module_name);
      GModule *module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);

      if (module == NULL)
        g_warning ("Cannot load the %s directories (%s): %s", kind_module->name, path,
                   g_module_error ());
      else
        g_module_make_resident (module);   /* it registers GTypes: never unloaded */

      /* 1 for a module that did not load: tried once, not at every lookup. */
      g_once_init_leave (&kind_module->loaded, module != NULL ? (gsize) module : 1);
    }

  if (kind_module->loaded != 1 &&
      !g_module_symbol ((GModule *) kind_module->loaded, symbol, &address))
    g_warning ("%s has no %s: %s", g_module_name ((GModule *) kind_module->loaded), symbol,
               g_module_error ());

  return address;
}

static GType
module_type (KindModule *kind_module,
             const char *get_type_symbol)
{
  GType (*get_type) (void) = kind_module_symbol (kind_module, get_type_symbol);

  return get_type != NULL ? get_type () : G_TYPE_INVALID;
}

static GType
file_get_type (void)
{
  return module_type (&vcard_module, "sp_file_directory_get_type");
}

static GType
carddav_get_type (void)
{
  return module_type (&vcard_module, "sp_carddav_directory_get_type");
}

static GType
ldap_get_type (void)
{
  return module_type (&ldap_module, "sp_ldap_directory_get_type");
}

static GType
eds_get_type (void)
{
  return module_type (&eds_module, "sp_eds_directory_get_type");
}

static GPtrArray *
eds_list_books (GCancellable  *cancellable,
                GError       **error)
{
  SpDirectoryListChoices list_books = kind_module_symbol (&eds_module, "sp_eds_directory_list_books");

  if (list_books == NULL)
    {
      /* A broken installation, not a user's mistake: the log says which file is missing. */
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "libscreenpop-eds is missing");
      return NULL;
    }

  return list_books (cancellable, error);
}

static const SpDirectoryField file_fields[] = {
  { SP_DIRECTORY_KEY_URL, N_("File"),
    N_("A vCard file (.vcf) or a CSV file whose first row names the columns: name, company, "
       "department, phone (one or more), url"),
    SP_DIRECTORY_FIELD_FILE, NULL },
  { NULL }
};

static const SpDirectoryField http_fields[] = {
  { SP_DIRECTORY_KEY_URL, N_("Lookup URL"),
    N_("The CRM's lookup address, answering JSON, with {e164} (+81312345678), {digits} "
       "(0312345678) or {number} (as the phone system sent it): "
       "https://crm.example.com/api/lookup?phone={e164}"),
    SP_DIRECTORY_FIELD_TEXT, NULL },
  { SP_DIRECTORY_FIELD_KEY_SECRET, N_("Token"),
    N_("Sent as “Authorization: Bearer TOKEN”; kept in the keyring. Empty: none"),
    SP_DIRECTORY_FIELD_SECRET, NULL },
  { SP_HTTP_DIRECTORY_OPTION_NAME_FIELD, N_("Name Field"),
    N_("Where the answer holds the name; dots go deeper (contact.name, results.0.name)"),
    SP_DIRECTORY_FIELD_TEXT, "name" },
  { SP_HTTP_DIRECTORY_OPTION_COMPANY_FIELD, N_("Company Field"), NULL, SP_DIRECTORY_FIELD_TEXT,
    "company" },
  { SP_HTTP_DIRECTORY_OPTION_DEPARTMENT_FIELD, N_("Department Field"), NULL,
    SP_DIRECTORY_FIELD_TEXT, "department" },
  { SP_HTTP_DIRECTORY_OPTION_URL_FIELD, N_("Page Field"),
    N_("Where the answer holds the address of the customer's page, which Open opens"),
    SP_DIRECTORY_FIELD_TEXT, "url" },
  { SP_HTTP_DIRECTORY_OPTION_AUTH_HEADER, N_("Token Header"),
    N_("Another header for the token, sent as is (X-Api-Key). Empty: Authorization"),
    SP_DIRECTORY_FIELD_TEXT, NULL },
  { NULL }
};

static const SpDirectoryField redmine_fields[] = {
  { SP_DIRECTORY_KEY_URL, N_("Redmine URL"), N_("https://redmine.example.com"),
    SP_DIRECTORY_FIELD_TEXT, NULL },
  { SP_DIRECTORY_FIELD_KEY_SECRET, N_("API Key"),
    N_("Your API key (My account → API access key); kept in the keyring"),
    SP_DIRECTORY_FIELD_SECRET, NULL },
  { SP_REDMINE_DIRECTORY_OPTION_FIELD, N_("Phone Custom Field"),
    N_("The id of the issue custom field that holds the customer's number (the number in "
       "its address in Administration → Custom fields)"),
    SP_DIRECTORY_FIELD_TEXT, NULL },
  { SP_HTTP_DIRECTORY_OPTION_NAME_FIELD, N_("Name Custom Field"),
    N_("The id or name of the custom field with the customer's name. Empty: the issue's subject"),
    SP_DIRECTORY_FIELD_TEXT, NULL },
  { NULL }
};

static const SpDirectoryField ldap_fields[] = {
  { SP_DIRECTORY_KEY_URL, N_("Server"), N_("ldap://ldap.example.com or ldaps://ldap.example.com:636"),
    SP_DIRECTORY_FIELD_TEXT, NULL },
  { SP_LDAP_DIRECTORY_OPTION_BASE, N_("Base DN"), N_("Where people are: ou=people,dc=example,dc=com"),
    SP_DIRECTORY_FIELD_TEXT, NULL },
  { SP_DIRECTORY_KEY_LOGIN, N_("Bind DN"), N_("Empty: anonymous"), SP_DIRECTORY_FIELD_TEXT, NULL },
  { SP_DIRECTORY_FIELD_KEY_SECRET, N_("Password"), N_("Kept in the keyring"),
    SP_DIRECTORY_FIELD_SECRET, NULL },
  { SP_LDAP_DIRECTORY_OPTION_FILTER, N_("Filter"),
    N_("{number} stands for each form of the number. Empty: "
       "(|(telephoneNumber={number})(mobile={number})(homePhone={number}))"),
    SP_DIRECTORY_FIELD_TEXT, SP_LDAP_DIRECTORY_DEFAULT_FILTER },
  { SP_LDAP_DIRECTORY_OPTION_NAME_ATTR, N_("Name Attribute"), N_("Empty: displayName, then cn"),
    SP_DIRECTORY_FIELD_TEXT, "displayName" },
  { SP_LDAP_DIRECTORY_OPTION_COMPANY_ATTR, N_("Company Attribute"), N_("Empty: o"),
    SP_DIRECTORY_FIELD_TEXT, "o" },
  { SP_LDAP_DIRECTORY_OPTION_DEPARTMENT_ATTR, N_("Department Attribute"), N_("Empty: ou"),
    SP_DIRECTORY_FIELD_TEXT, "ou" },
  { NULL }
};

static const SpDirectoryField carddav_fields[] = {
  { SP_DIRECTORY_KEY_URL, N_("Address Book URL"),
    N_("The address book's own address: https://dav.example.com/user/contacts/"),
    SP_DIRECTORY_FIELD_TEXT, NULL },
  { SP_DIRECTORY_KEY_LOGIN, N_("User"), NULL, SP_DIRECTORY_FIELD_TEXT, NULL },
  { SP_DIRECTORY_FIELD_KEY_SECRET, N_("Password"), N_("Kept in the keyring"),
    SP_DIRECTORY_FIELD_SECRET, NULL },
  { NULL }
};

static const SpDirectoryField eds_fields[] = {
  { SP_EDS_DIRECTORY_OPTION_BOOK, N_("Address Book"),
    N_("“All address books” searches every enabled one, online accounts’ too"),
    SP_DIRECTORY_FIELD_CHOICE, N_("All address books"), eds_list_books },
  { NULL }
};

static const SpDirectoryKind kinds[] = {
  { "ldap", N_("LDAP Directory"), ldap_get_type, ldap_fields },
  { "carddav", N_("CardDAV Address Book"), carddav_get_type, carddav_fields },
  { "eds", N_("GNOME Contacts"), eds_get_type, eds_fields },
  { "file", N_("vCard or CSV File"), file_get_type, file_fields },
  { "http", N_("CRM Lookup over HTTP"), sp_http_directory_get_type, http_fields },
  { "redmine", N_("Redmine Issues"), sp_http_directory_get_type, redmine_fields },
};

/**
 * sp_directory_kind_lookup:
 *
 * Returns: (nullable): the kind called @id
 */
const SpDirectoryKind *
sp_directory_kind_lookup (const char *id)
{
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_strcmp0 (kinds[i].id, id) == 0)
      return &kinds[i];
  return NULL;
}

/**
 * sp_directory_kind_get_all:
 * @n_kinds: (out): how many there are
 *
 * Returns: (array length=n_kinds): every kind, in the order Preferences offers them
 */
const SpDirectoryKind *
sp_directory_kind_get_all (guint *n_kinds)
{
  *n_kinds = G_N_ELEMENTS (kinds);
  return kinds;
}

/**
 * sp_directory_settings_new:
 * @id: a directory id
 *
 * Returns: (transfer full): the directory's settings, at
 *   `/io/github/screenpop/Screenpop/directories/ID/`
 */
GSettings *
sp_directory_settings_new (const char *id)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (id != NULL && *id != '\0', NULL);

  path = g_strdup_printf ("/io/github/screenpop/Screenpop/directories/%s/", id);
  return g_settings_new_with_path (SP_DIRECTORY_SCHEMA_ID, path);
}

/**
 * sp_directory_new_for_id:
 * @id: a directory id
 *
 * Returns: (transfer full) (nullable): the directory its settings describe, or %NULL for
 *   a kind this version does not know (logged)
 */
SpDirectory *
sp_directory_new_for_id (const char *id)
{
  g_autoptr(GSettings) settings = sp_directory_settings_new (id);
  g_autofree char *kind_id = g_settings_get_string (settings, SP_DIRECTORY_KEY_KIND);
  const SpDirectoryKind *kind = sp_directory_kind_lookup (kind_id);
  GType type;

  if (kind == NULL)
    {
      g_message ("Directory %s has a kind this version does not know (“%s”); skipping it",
                 id, kind_id);
      return NULL;
    }

  type = kind->get_type ();
  if (type == G_TYPE_INVALID)
    return NULL;   /* its module did not load: logged */

  return g_object_new (type, "id", id, "settings", settings, NULL);
}
