/* sp-ldap-directory.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An LDAP directory (OpenLDAP's libldap): ldap:// or ldaps:// (TLS verified by libldap's
 * defaults, /etc/ldap/ldap.conf), a simple bind with the bind DN and the
 * password from the keyring (anonymous when no DN is set), and one subtree search under the
 * base DN. The filter template's {number} is replaced by every form the number may be
 * stored in, each escaped as RFC 4515 requires, and the copies are ORed:
 *   (|(telephoneNumber=+81312345678)(mobile=+81312345678)…(telephoneNumber=03-1234-5678)…)
 * libldap is synchronous, so each lookup runs in a worker thread with network and search
 * timeouts; the caller's budget decides how long its answer still matters.
 */

#define G_LOG_DOMAIN "sp-ldap-directory"

#include "config.h"

#include <glib/gi18n.h>

#define LDAP_DEPRECATED 0
#include <ldap.h>

#include "sp-directory.h"
#include "sp-ldap-directory.h"

#define NETWORK_TIMEOUT_SECONDS 5
#define SEARCH_TIMEOUT_SECONDS 5

struct _SpLdapDirectory
{
  SpDirectory parent_instance;
};

G_DEFINE_FINAL_TYPE (SpLdapDirectory, sp_ldap_directory, SP_TYPE_DIRECTORY)

typedef struct
{
  char          *url;
  char          *bind_dn;
  char          *password;
  char          *base;
  char          *filter;
  char          *name_attr;
  char          *company_attr;
  char          *department_attr;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_free (lookup->url);
  g_free (lookup->bind_dn);
  if (lookup->password != NULL)
    memset (lookup->password, 0, strlen (lookup->password));
  g_free (lookup->password);
  g_free (lookup->base);
  g_free (lookup->filter);
  g_free (lookup->name_attr);
  g_free (lookup->company_attr);
  g_free (lookup->department_attr);
  g_free (lookup);
}

static char *
first_value (LDAP        *ld,
             LDAPMessage *entry,
             const char  *attribute)
{
  struct berval **values;
  char *text = NULL;

  if (attribute == NULL || *attribute == '\0')
    return NULL;

  values = ldap_get_values_len (ld, entry, attribute);
  if (values != NULL && values[0] != NULL && values[0]->bv_len > 0 &&
      g_utf8_validate_len (values[0]->bv_val, values[0]->bv_len, NULL))
    text = g_strndup (values[0]->bv_val, values[0]->bv_len);
  ldap_value_free_len (values);

  return text;
}

static GError *
ldap_error (int         rc,
            const char *url)
{
  int code;

  switch (rc)
    {
    case LDAP_INVALID_CREDENTIALS:
    case LDAP_INAPPROPRIATE_AUTH:
    case LDAP_STRONG_AUTH_REQUIRED:
    case LDAP_INSUFFICIENT_ACCESS:
    case LDAP_CONFIDENTIALITY_REQUIRED:
      code = SP_DIRECTORY_ERROR_REFUSED;
      break;
    case LDAP_NO_SUCH_OBJECT:
    case LDAP_INVALID_DN_SYNTAX:
    case LDAP_FILTER_ERROR:
    case LDAP_PARAM_ERROR:
      code = SP_DIRECTORY_ERROR_CONFIG;
      break;
    default:
      code = SP_DIRECTORY_ERROR_UNREACHABLE;
      break;
    }

  /* Translators: the first %s is an ldap:// address, the second the server's reason */
  return g_error_new (SP_DIRECTORY_ERROR, code, _("%s: %s"), url, ldap_err2string (rc));
}

static void
lookup_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Lookup *lookup = task_data;
  LDAP *ld = NULL;
  LDAPMessage *result = NULL;
  LDAPMessage *entry;
  struct berval credentials = { 0, NULL };
  struct timeval network_timeout = { NETWORK_TIMEOUT_SECONDS, 0 };
  struct timeval search_timeout = { SEARCH_TIMEOUT_SECONDS, 0 };
  int version = LDAP_VERSION3;
  char *attrs[5] = { NULL };
  guint n_attrs = 0;
  SpContact *contact = NULL;
  int rc;

  rc = ldap_initialize (&ld, lookup->url);
  if (rc != LDAP_SUCCESS)
    {
      g_task_return_new_error (task, SP_DIRECTORY_ERROR, SP_DIRECTORY_ERROR_CONFIG,
                               _("“%s” is not an LDAP address (ldap://host or ldaps://host)"),
                               lookup->url);
      return;
    }

  ldap_set_option (ld, LDAP_OPT_PROTOCOL_VERSION, &version);
  ldap_set_option (ld, LDAP_OPT_NETWORK_TIMEOUT, &network_timeout);
  ldap_set_option (ld, LDAP_OPT_TIMEOUT, &search_timeout);
  ldap_set_option (ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);

  if (lookup->password != NULL)
    {
      credentials.bv_val = lookup->password;
      credentials.bv_len = strlen (lookup->password);
    }
  rc = ldap_sasl_bind_s (ld, *lookup->bind_dn != '\0' ? lookup->bind_dn : NULL, LDAP_SASL_SIMPLE,
                         &credentials, NULL, NULL, NULL);
  if (rc != LDAP_SUCCESS)
    {
      g_task_return_error (task, ldap_error (rc, lookup->url));
      goto out;
    }

  attrs[n_attrs++] = lookup->name_attr;
  attrs[n_attrs++] = (char *) "cn";
  if (*lookup->company_attr != '\0')
    attrs[n_attrs++] = lookup->company_attr;
  if (*lookup->department_attr != '\0')
    attrs[n_attrs++] = lookup->department_attr;

  rc = ldap_search_ext_s (ld, lookup->base, LDAP_SCOPE_SUBTREE, lookup->filter, attrs, 0,
                          NULL, NULL, &search_timeout, 2, &result);
  if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED)
    {
      g_task_return_error (task, ldap_error (rc, lookup->url));
      goto out;
    }

  for (entry = ldap_first_entry (ld, result); entry != NULL && contact == NULL;
       entry = ldap_next_entry (ld, entry))
    {
      g_autofree char *name = first_value (ld, entry, lookup->name_attr);

      if (name == NULL)
        name = first_value (ld, entry, "cn");
      if (name == NULL)
        continue;

      contact = sp_contact_new (name);
      contact->company = first_value (ld, entry, lookup->company_attr);
      contact->department = first_value (ld, entry, lookup->department_attr);
    }

  g_task_return_pointer (task, contact, (GDestroyNotify) sp_contact_free);

out:
  if (result != NULL)
    ldap_msgfree (result);
  ldap_unbind_ext_s (ld, NULL, NULL);
}

static void
secret_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Lookup *lookup = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  lookup->password = sp_directory_lookup_secret_finish (SP_DIRECTORY (object), result, &error);
  if (g_task_return_error_if_cancelled (task))
    return;
  if (error != NULL)
    {
      g_task_return_new_error (task, SP_DIRECTORY_ERROR, SP_DIRECTORY_ERROR_CONFIG,
                               _("Could not read the directory’s password from the keyring: %s"),
                               error->message);
      return;
    }

  g_task_run_in_thread (task, lookup_thread);
}

static void
sp_ldap_directory_lookup_async (SpDirectory         *self,
                                const SpPhoneNumber *number,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GSettings *settings = sp_directory_get_settings (self);
  g_autofree char *filter_template = NULL;
  Lookup *lookup = g_new0 (Lookup, 1);

  g_task_set_source_tag (task, sp_ldap_directory_lookup_async);
  g_task_set_task_data (task, lookup, (GDestroyNotify) lookup_free);

  /* Everything read here, on the main thread: GSettings stays there. */
  lookup->url = g_strstrip (g_settings_get_string (settings, SP_DIRECTORY_KEY_URL));
  lookup->bind_dn = g_strstrip (g_settings_get_string (settings, SP_DIRECTORY_KEY_LOGIN));
  lookup->base = sp_directory_dup_option (self, SP_LDAP_DIRECTORY_OPTION_BASE, "");
  filter_template = sp_directory_dup_option (self, SP_LDAP_DIRECTORY_OPTION_FILTER,
                                             SP_LDAP_DIRECTORY_DEFAULT_FILTER);
  lookup->name_attr = sp_directory_dup_option (self, SP_LDAP_DIRECTORY_OPTION_NAME_ATTR,
                                               "displayName");
  lookup->company_attr = sp_directory_dup_option (self, SP_LDAP_DIRECTORY_OPTION_COMPANY_ATTR, "o");
  lookup->department_attr = sp_directory_dup_option (self, SP_LDAP_DIRECTORY_OPTION_DEPARTMENT_ATTR,
                                                     "ou");

  if (!g_str_has_prefix (lookup->url, "ldap://") && !g_str_has_prefix (lookup->url, "ldaps://"))
    {
      g_task_return_new_error (task, SP_DIRECTORY_ERROR, SP_DIRECTORY_ERROR_CONFIG,
                               _("The address must start with ldap:// or ldaps://"));
      return;
    }
  if (strstr (filter_template, "{number}") == NULL)
    {
      g_task_return_new_error (task, SP_DIRECTORY_ERROR, SP_DIRECTORY_ERROR_CONFIG,
                               _("The filter must contain {number}"));
      return;
    }
  lookup->filter = sp_ldap_directory_build_filter (filter_template, number);

  sp_directory_lookup_secret_async (self, cancellable, secret_cb, g_steal_pointer (&task));
}

static SpContact *
sp_ldap_directory_lookup_finish (SpDirectory   *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
sp_ldap_directory_class_init (SpLdapDirectoryClass *klass)
{
  SpDirectoryClass *directory_class = SP_DIRECTORY_CLASS (klass);

  directory_class->lookup_async = sp_ldap_directory_lookup_async;
  directory_class->lookup_finish = sp_ldap_directory_lookup_finish;
}

static void
sp_ldap_directory_init (SpLdapDirectory *self)
{
}
