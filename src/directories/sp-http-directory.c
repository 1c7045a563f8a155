/* sp-http-directory.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two directories over HTTP, both answering JSON:
 *
 * "http", a CRM's lookup URL: a template such as https://crm/api/lookup?phone={e164}
 *   ({e164}, {number} as the PBX sent it, {digits} the national digits), answering an
 *   object (or an array whose first element is the caller), with options naming which
 *   fields hold the name, company, department and page. 404, an empty array or no name is
 *   a miss. The token (keyring) goes in the Authorization header as "Bearer TOKEN", or in
 *   the header the auth-header option names, as is.
 *
 * "redmine", the preset for redmine_rt users: Redmine's REST API
 *   GET /issues.json?cf_N=V1|V2|…&status_id=*&sort=updated_on:desc&limit=1
 *   with the account's API key in X-Redmine-API-Key. Redmine reads "cf_N=a|b" as "custom
 *   field N equals a or b" (app/models/query.rb, Query#add_short_filter: no operator prefix
 *   means "=", values split on "|"), so every way the number may be written is asked in one
 *   request; the value is percent-encoded, or Rack would read "+" as a space. The newest
 *   issue carrying the number names the caller (its custom field "name" if
 *   the name-field option says which, else the issue's subject), its project is the
 *   company, and "Open" opens the issue.
 */

#define G_LOG_DOMAIN "sp-http-directory"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-directory.h"
#include "sp-http.h"
#include "sp-http-directory.h"

/* A lookup answer is one contact or a short list. */
#define MAX_ANSWER (256 * 1024)

struct _SpHttpDirectory
{
  SpDirectory  parent_instance;

  SoupSession *session;
};

G_DEFINE_FINAL_TYPE (SpHttpDirectory, sp_http_directory, SP_TYPE_DIRECTORY)

static const SpJsonRules answer_rules = {
  .what = "lookup answer",
  .root = SP_JSON_ROOT_ANY,
  .max_length = MAX_ANSWER,
  .max_depth = SP_HTTP_MAX_DEPTH,
  .strict_tokens = TRUE,
};

static const SpHttpStatus statuses[] = {
  { SOUP_STATUS_UNAUTHORIZED, SP_SOURCE_ERROR_AUTH,
    N_("The server refused the token"), N_("Check the token or API key of the directory") },
  { SOUP_STATUS_FORBIDDEN, SP_SOURCE_ERROR_AUTH,
    N_("The server does not allow this lookup"), N_("The token may lack the permission") },
  { 0, }
};

typedef struct
{
  SoupMessage   *msg;
  char          *kind;
  char          *secret;
  SpPhoneNumber *number;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_clear_object (&lookup->msg);
  g_free (lookup->kind);
  if (lookup->secret != NULL)
    memset (lookup->secret, 0, strlen (lookup->secret));
  g_free (lookup->secret);
  sp_phone_number_free (lookup->number);
  g_free (lookup);
}

static char *
national_digits (const SpPhoneNumber *number)
{
  g_auto(GStrv) variants = sp_phone_number_dup_variants (number);

  /* The variants list E.164, E.164 digits, then the national forms. */
  for (guint i = 0; variants[i] != NULL; i++)
    {
      const char *v = variants[i];
      gboolean digits = *v != '\0';

      for (const char *p = v; *p != '\0'; p++)
        digits = digits && g_ascii_isdigit (*p);
      if (digits && (number->e164 == NULL || g_strcmp0 (v, number->e164 + 1) != 0))
        return g_strdup (v);
    }
  return g_strdup (number->raw);
}

/**
 * sp_http_directory_expand:
 * @url_template: a URL with {e164}, {number} and {digits}
 * @number: the number
 *
 * Returns: (transfer full): the URL, every value percent-encoded ("+" too)
 */
char *
sp_http_directory_expand (const char          *url_template,
                          const SpPhoneNumber *number)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *digits = national_digits (number);

  for (const char *p = url_template; *p != '\0'; p++)
    {
      const char *value = NULL;
      gsize skip = 0;

      if (g_str_has_prefix (p, "{e164}"))
        value = number->e164 != NULL ? number->e164 : number->raw, skip = 6;
      else if (g_str_has_prefix (p, "{number}"))
        value = number->raw, skip = 8;
      else if (g_str_has_prefix (p, "{digits}"))
        value = digits, skip = 8;

      if (skip == 0)
        {
          g_string_append_c (out, *p);
          continue;
        }
      g_string_append_uri_escaped (out, value, NULL, FALSE);
      p += skip - 1;
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* "results.0.name" in @node; NULL when a step is missing or the end is not a scalar. */
static char *
dup_path (JsonNode   *node,
          const char *path)
{
  g_auto(GStrv) steps = g_strsplit (path, ".", -1);

  for (guint i = 0; node != NULL && steps[i] != NULL; i++)
    {
      if (JSON_NODE_HOLDS_OBJECT (node))
        node = json_object_get_member (json_node_get_object (node), steps[i]);
      else if (JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);
          guint64 index;

          if (!g_ascii_string_to_unsigned (steps[i], 10, 0, G_MAXUINT, &index, NULL) ||
              index >= json_array_get_length (array))
            return NULL;
          node = json_array_get_element (array, index);
        }
      else
        return NULL;
    }

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (node);
      return text != NULL && *text != '\0' ? g_strdup (text) : NULL;
    }
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  return NULL;
}

static SpContact *
contact_from_crm (SpDirectory *self,
                  JsonNode    *root)
{
  g_autofree char *name_field = sp_directory_dup_option (self, SP_HTTP_DIRECTORY_OPTION_NAME_FIELD, "name");
  g_autofree char *company_field = sp_directory_dup_option (self, SP_HTTP_DIRECTORY_OPTION_COMPANY_FIELD, "company");
  g_autofree char *department_field = sp_directory_dup_option (self, SP_HTTP_DIRECTORY_OPTION_DEPARTMENT_FIELD, "department");
  g_autofree char *url_field = sp_directory_dup_option (self, SP_HTTP_DIRECTORY_OPTION_URL_FIELD, "url");
  JsonNode *node = root;
  g_autofree char *name = NULL;
  SpContact *contact;

  /* A list of matches: the first is the caller. */
  if (JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *array = json_node_get_array (root);

      if (json_array_get_length (array) == 0)
        return NULL;
      node = json_array_get_element (array, 0);
    }

  name = dup_path (node, name_field);
  if (name == NULL)
    return NULL;

  contact = sp_contact_new (name);
  contact->company = dup_path (node, company_field);
  contact->department = dup_path (node, department_field);
  contact->url = dup_path (node, url_field);
  return contact;
}

static SpContact *
contact_from_redmine (SpDirectory *self,
                      JsonNode    *root,
                      const char  *base)
{
  g_autofree char *name_field = sp_directory_dup_option (self, SP_HTTP_DIRECTORY_OPTION_NAME_FIELD, NULL);
  g_autofree char *subject = NULL;
  g_autofree char *id = NULL;
  g_autofree char *name = NULL;
  JsonNode *issue;
  JsonArray *fields;
  SpContact *contact;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  issue = json_object_get_member (json_node_get_object (root), "issues");
  if (issue == NULL || !JSON_NODE_HOLDS_ARRAY (issue) ||
      json_array_get_length (json_node_get_array (issue)) == 0)
    return NULL;
  issue = json_array_get_element (json_node_get_array (issue), 0);

  subject = dup_path (issue, "subject");
  id = dup_path (issue, "id");

  /* The custom field that holds the customer's name, when the option says which. */
  if (name_field != NULL && JSON_NODE_HOLDS_OBJECT (issue) &&
      json_object_has_member (json_node_get_object (issue), "custom_fields") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (issue), "custom_fields")))
    {
      fields = json_object_get_array_member (json_node_get_object (issue), "custom_fields");
      for (guint i = 0; i < json_array_get_length (fields) && name == NULL; i++)
        {
          JsonNode *field = json_array_get_element (fields, i);
          g_autofree char *field_id = dup_path (field, "id");
          g_autofree char *field_name = dup_path (field, "name");

          if (g_strcmp0 (field_id, name_field) == 0 || g_strcmp0 (field_name, name_field) == 0)
            name = dup_path (field, "value");
        }
    }

  if (name == NULL)
    name = g_steal_pointer (&subject);
  if (name == NULL)
    return NULL;

  contact = sp_contact_new (name);
  contact->company = dup_path (issue, "project.name");
  if (id != NULL)
    contact->url = g_strdup_printf ("%s/issues/%s", base, id);
  return contact;
}

static char *
dup_base (SpDirectory *self)
{
  g_autofree char *url = g_settings_get_string (sp_directory_get_settings (self), SP_DIRECTORY_KEY_URL);

  g_strstrip (url);
  while (g_str_has_suffix (url, "/"))
    url[strlen (url) - 1] = '\0';
  return g_steal_pointer (&url);
}

static void
answer_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpDirectory *self = g_task_get_source_object (task);
  Lookup *lookup = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) checked = NULL;
  g_autoptr(JsonNode) root = NULL;

  root = sp_http_read_json_finish (SOUP_SESSION (object), result, &error);

  /* "Nobody with this number" is how many CRMs say a miss. */
  if (soup_message_get_status (lookup->msg) == SOUP_STATUS_NOT_FOUND)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  if (!sp_http_check_answer (lookup->msg, error, _("directory lookup"), statuses, &checked))
    {
      if (g_error_matches (checked, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&checked));
      else
        g_task_return_new_error (task, SP_DIRECTORY_ERROR, SP_DIRECTORY_ERROR_UNREACHABLE,
                                 "%s", checked->message);
      return;
    }

  if (g_strcmp0 (lookup->kind, "redmine") == 0)
    {
      g_autofree char *base = dup_base (self);
      g_task_return_pointer (task, contact_from_redmine (self, root, base),
                             (GDestroyNotify) sp_contact_free);
    }
  else
    g_task_return_pointer (task, contact_from_crm (self, root), (GDestroyNotify) sp_contact_free);
}

static char *
redmine_url (SpDirectory         *self,
             const SpPhoneNumber *number,
             GError             **error)
{
  g_autofree char *base = dup_base (self);
  g_autofree char *field = sp_directory_dup_option (self, SP_REDMINE_DIRECTORY_OPTION_FIELD, NULL);
  g_auto(GStrv) variants = sp_phone_number_dup_variants (number);
  g_autoptr(GString) values = g_string_new (NULL);

  if (field == NULL || !g_ascii_string_to_unsigned (field, 10, 1, G_MAXUINT, NULL, NULL))
    {
      g_set_error (error, SP_DIRECTORY_ERROR, SP_DIRECTORY_ERROR_CONFIG,
                   _("Give the number of the custom field that holds the phone number"));
      return NULL;
    }

  for (guint i = 0; variants[i] != NULL; i++)
    {
      /* "|" separates values in Redmine's filter; a number that contains one is no number. */
      if (strchr (variants[i], '|') != NULL)
        continue;
      if (values->len > 0)
        g_string_append_c (values, '|');
      g_string_append (values, variants[i]);
    }

  {
    g_autofree char *escaped = g_uri_escape_string (values->str, NULL, FALSE);
    return g_strdup_printf ("%s/issues.json?cf_%s=%s&status_id=*&sort=updated_on:desc&limit=1",
                            base, field, escaped);
  }
}

static void
secret_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpHttpDirectory *self = g_task_get_source_object (task);
  SpDirectory *directory = SP_DIRECTORY (self);
  Lookup *lookup = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  SoupMessageHeaders *headers;

  lookup->secret = sp_directory_lookup_secret_finish (directory, result, &error);
  if (g_task_return_error_if_cancelled (task))
    return;

  if (g_strcmp0 (lookup->kind, "redmine") == 0)
    url = redmine_url (directory, lookup->number, &error);
  else
    {
      g_autofree char *template_str = g_settings_get_string (sp_directory_get_settings (directory),
                                                             SP_DIRECTORY_KEY_URL);
      url = sp_http_directory_expand (g_strstrip (template_str), lookup->number);
    }
  if (url == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!g_str_has_prefix (url, "https://") && !g_str_has_prefix (url, "http://"))
    {
      g_task_return_new_error (task, SP_DIRECTORY_ERROR, SP_DIRECTORY_ERROR_CONFIG,
                               _("The address must start with https:// (or http:// on this network)"));
      return;
    }

  lookup->msg = soup_message_new (SOUP_METHOD_GET, url);
  if (lookup->msg == NULL)
    {
      g_task_return_new_error (task, SP_DIRECTORY_ERROR, SP_DIRECTORY_ERROR_CONFIG,
                               _("“%s” is not a valid address"), url);
      return;
    }

  headers = soup_message_get_request_headers (lookup->msg);
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (lookup->secret != NULL && *lookup->secret != '\0')
    {
      g_autofree char *header = sp_directory_dup_option (directory, SP_HTTP_DIRECTORY_OPTION_AUTH_HEADER,
                                                         NULL);

      if (g_strcmp0 (lookup->kind, "redmine") == 0)
        soup_message_headers_replace (headers, "X-Redmine-API-Key", lookup->secret);
      else if (header != NULL && g_ascii_strcasecmp (header, "Authorization") != 0)
        soup_message_headers_replace (headers, header, lookup->secret);
      else
        {
          g_autofree char *bearer = g_strconcat ("Bearer ", lookup->secret, NULL);
          soup_message_headers_replace (headers, "Authorization", bearer);
          memset (bearer, 0, strlen (bearer));
        }
    }

  if (self->session == NULL)
    self->session = sp_http_session_new ();

  sp_http_read_json_async (self->session, lookup->msg, &answer_rules,
                           g_task_get_cancellable (task), answer_cb, g_object_ref (task));
}

static void
sp_http_directory_lookup_async (SpDirectory         *self,
                                const SpPhoneNumber *number,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Lookup *lookup = g_new0 (Lookup, 1);

  lookup->number = sp_phone_number_copy (number);
  lookup->kind = g_settings_get_string (sp_directory_get_settings (self), SP_DIRECTORY_KEY_KIND);
  g_task_set_source_tag (task, sp_http_directory_lookup_async);
  g_task_set_task_data (task, lookup, (GDestroyNotify) lookup_free);

  sp_directory_lookup_secret_async (self, cancellable, secret_cb, g_steal_pointer (&task));
}

static SpContact *
sp_http_directory_lookup_finish (SpDirectory   *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
sp_http_directory_dispose (GObject *object)
{
  SpHttpDirectory *self = (SpHttpDirectory *)object;

  g_clear_object (&self->session);

  G_OBJECT_CLASS (sp_http_directory_parent_class)->dispose (object);
}

static void
sp_http_directory_class_init (SpHttpDirectoryClass *klass)
{
  SpDirectoryClass *directory_class = SP_DIRECTORY_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = sp_http_directory_dispose;
  directory_class->lookup_async = sp_http_directory_lookup_async;
  directory_class->lookup_finish = sp_http_directory_lookup_finish;
}

static void
sp_http_directory_init (SpHttpDirectory *self)
{
}
