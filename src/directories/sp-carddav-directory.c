/* sp-carddav-directory.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A CardDAV address book (RFC 6352): one REPORT addressbook-query on the address book's
 * URL asking for the cards whose TEL contains any of the usual ways of writing the number,
 * or ends with its last four digits (test="anyof"), with Basic authentication (the password
 * from the keyring). The vCards in the multistatus answer are read by libebook-contacts, and
 * matched again here digit by digit, so that a server that ignores the filter (some return
 * every card) is still right.
 *
 * The server compares text, so a card that writes the number split inside its last four
 * digits ("+1 202 555 0 1 2-3") escapes that filter. When it finds no one, the cards that
 * have a TEL at all are fetched once and matched here, by digits and by E.164; that copy of
 * the book (at most MAX_ANSWER) serves the next misses for SNAPSHOT_LIFETIME, so that a
 * stream of unknown callers costs one more request every few minutes, not one each.
 */

#define G_LOG_DOMAIN "sp-carddav-directory"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-carddav-directory.h"
#include "sp-directory.h"
#include "sp-http.h"
#include "sp-vcard.h"

/* An answer of matching cards; a server that ignores the filter sends the whole book,
 * which is fine up to a size an office's book has. */
#define MAX_ANSWER (8 * 1024 * 1024)
#define SNAPSHOT_LIFETIME (5 * G_TIME_SPAN_MINUTE)

struct _SpCarddavDirectory
{
  SpDirectory  parent_instance;

  SoupSession *session;

  /* The book's cards with a TEL, as last fetched when the filtered search missed. */
  char        *snapshot;
  char        *snapshot_key;   /* the URL and user it came from */
  gint64       snapshot_time;  /* monotonic */
};

G_DEFINE_FINAL_TYPE (SpCarddavDirectory, sp_carddav_directory, SP_TYPE_DIRECTORY)

static const SpHttpStatus statuses[] = {
  { SOUP_STATUS_UNAUTHORIZED, SP_SOURCE_ERROR_AUTH,
    N_("The address book refused the user or the password"), N_("Check both in the directory") },
  { SOUP_STATUS_FORBIDDEN, SP_SOURCE_ERROR_AUTH,
    N_("The user may not read this address book"), NULL },
  { SOUP_STATUS_NOT_FOUND, SP_SOURCE_ERROR_CONFIG,
    N_("There is no address book at this address"),
    N_("Give the address book's own URL, e.g. https://dav.example.com/user/contacts/") },
  { 0, }
};

typedef struct
{
  SoupMessage   *msg;
  SpPhoneNumber *number;
  char          *url;
  char          *login;
  char          *password;
  gboolean       whole_book;   /* the second search, every card with a TEL */
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_clear_object (&lookup->msg);
  sp_phone_number_free (lookup->number);
  g_free (lookup->url);
  g_free (lookup->login);
  if (lookup->password != NULL)
    memset (lookup->password, 0, strlen (lookup->password));
  g_free (lookup->password);
  g_free (lookup);
}

typedef struct
{
  GString  *cards;
  gboolean  inside;
} Collect;

static const char *
local_name (const char *element)
{
  const char *colon = strrchr (element, ':');
  return colon != NULL ? colon + 1 : element;
}

static void
start_element (GMarkupParseContext  *context,
               const char           *element,
               const char          **names,
               const char          **values,
               gpointer              user_data,
               GError              **error)
{
  Collect *collect = user_data;

  if (g_strcmp0 (local_name (element), "address-data") == 0)
    collect->inside = TRUE;
}

static void
end_element (GMarkupParseContext  *context,
             const char           *element,
             gpointer              user_data,
             GError              **error)
{
  Collect *collect = user_data;

  if (g_strcmp0 (local_name (element), "address-data") == 0)
    {
      collect->inside = FALSE;
      g_string_append_c (collect->cards, '\n');
    }
}

static void
text (GMarkupParseContext  *context,
      const char           *text_,
      gsize                 length,
      gpointer              user_data,
      GError              **error)
{
  Collect *collect = user_data;

  if (collect->inside)
    g_string_append_len (collect->cards, text_, length);
}

/**
 * sp_carddav_directory_dup_address_data:
 * @multistatus: a WebDAV multistatus answer
 * @length: its length
 *
 * Returns: (transfer full) (nullable): every address-data text (vCards), one after the
 *   other; %NULL with @error set when the answer is not XML
 */
char *
sp_carddav_directory_dup_address_data (const char  *multistatus,
                                       gsize        length,
                                       GError     **error)
{
  static const GMarkupParser parser = { start_element, end_element, text, NULL, NULL };
  Collect collect = { g_string_new (NULL), FALSE };
  g_autoptr(GMarkupParseContext) context = NULL;
  const char *start = multistatus;

  /* GMarkup reads no XML declaration or DOCTYPE: skip the prolog. */
  while (start < multistatus + length && (g_str_has_prefix (start, "<?") ||
                                          g_ascii_isspace (*start)))
    {
      const char *end = g_strstr_len (start, multistatus + length - start, "?>");

      if (g_ascii_isspace (*start))
        start++;
      else if (end == NULL)
        break;
      else
        start = end + 2;
    }

  context = g_markup_parse_context_new (&parser, G_MARKUP_PREFIX_ERROR_POSITION, &collect, NULL);
  if (!g_markup_parse_context_parse (context, start, multistatus + length - start, error) ||
      !g_markup_parse_context_end_parse (context, error))
    {
      g_string_free (collect.cards, TRUE);
      return NULL;
    }

  return g_string_free (collect.cards, FALSE);
}

static char *
build_query (const SpPhoneNumber *number)
{
  g_auto(GStrv) variants = sp_phone_number_dup_variants (number);
  g_autofree char *tail = sp_directory_dup_tail_digits (number);
  g_autoptr(GString) body = g_string_new ("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                                          "<C:addressbook-query xmlns:D=\"DAV:\" "
                                          "xmlns:C=\"urn:ietf:params:xml:ns:carddav\">"
                                          "<D:prop><C:address-data/></D:prop>"
                                          "<C:filter test=\"anyof\">");

  for (guint i = 0; variants[i] != NULL; i++)
    {
      g_autofree char *escaped = g_markup_escape_text (variants[i], -1);

      g_string_append_printf (body,
                              "<C:prop-filter name=\"TEL\">"
                              "<C:text-match collation=\"i;unicode-casemap\" match-type=\"contains\">"
                              "%s</C:text-match></C:prop-filter>", escaped);
    }
  /* A TEL text-match compares text, not numbers, and people write numbers every which way
   * ("+81 6 1234 5678"): the last four digits bring the few candidate cards, which
   * sp_vcard_find_number() then compares digit by digit. */
  if (tail != NULL)
    g_string_append_printf (body,
                            "<C:prop-filter name=\"TEL\">"
                            "<C:text-match collation=\"i;unicode-casemap\" match-type=\"ends-with\">"
                            "%s</C:text-match></C:prop-filter>", tail);
  g_string_append (body, "</C:filter></C:addressbook-query>");

  return g_string_free (g_steal_pointer (&body), FALSE);
}

/* Every card that has a TEL (an empty prop-filter: the property is defined). */
#define WHOLE_BOOK_QUERY \
  "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" \
  "<C:addressbook-query xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:carddav\">" \
  "<D:prop><C:address-data/></D:prop>" \
  "<C:filter><C:prop-filter name=\"TEL\"/></C:filter></C:addressbook-query>"

static char *
dup_snapshot_key (Lookup *lookup)
{
  return g_strconcat (lookup->url, "\n", lookup->login, NULL);
}

static void send_report (GTask      *task,
                         const char *body);

static void
answer_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpCarddavDirectory *self = g_task_get_source_object (task);
  Lookup *lookup = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) checked = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *cards = NULL;
  g_autofree char *tail = NULL;
  g_autofree char *key = NULL;
  SpContact *contact;
  const char *data;
  gsize length;

  bytes = sp_http_read_bytes_finish (SOUP_SESSION (object), result, &error);
  if (!sp_http_check_answer (lookup->msg, error, _("address book search"), statuses, &checked))
    {
      if (g_error_matches (checked, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&checked));
      else if (lookup->whole_book)
        {
          /* The filtered search answered; a book too big to fetch, or a server that
           * refuses the wider search, leaves its answer standing: not known. */
          g_debug ("The whole address book could not be read: %s", checked->message);
          g_task_return_pointer (task, NULL, NULL);
        }
      else
        g_task_return_new_error (task, SP_DIRECTORY_ERROR,
                                 checked->code == SP_SOURCE_ERROR_AUTH ? SP_DIRECTORY_ERROR_REFUSED
                                                                       : SP_DIRECTORY_ERROR_UNREACHABLE,
                                 "%s", checked->message);
      return;
    }

  data = g_bytes_get_data (bytes, &length);
  cards = sp_carddav_directory_dup_address_data (data, length, &error);
  if (cards == NULL)
    {
      g_task_return_new_error (task, SP_DIRECTORY_ERROR, SP_DIRECTORY_ERROR_BAD_ANSWER,
                               _("The address book’s answer is not a CardDAV answer: %s"),
                               error->message);
      return;
    }

  contact = sp_vcard_find_number (cards, lookup->number);
  key = dup_snapshot_key (lookup);
  if (lookup->whole_book)
    {
      g_free (self->snapshot);
      g_free (self->snapshot_key);
      self->snapshot = g_steal_pointer (&cards);
      self->snapshot_key = g_steal_pointer (&key);
      self->snapshot_time = g_get_monotonic_time ();
    }
  if (contact != NULL || lookup->whole_book)
    {
      g_task_return_pointer (task, contact, (GDestroyNotify) sp_contact_free);
      return;
    }

  /* Not found by the server's text filter: only a number long enough for its tail to
   * mean something is worth a look at every card. */
  tail = sp_directory_dup_tail_digits (lookup->number);
  if (tail == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  if (self->snapshot != NULL && g_strcmp0 (self->snapshot_key, key) == 0 &&
      g_get_monotonic_time () - self->snapshot_time < SNAPSHOT_LIFETIME)
    {
      g_task_return_pointer (task, sp_vcard_find_number (self->snapshot, lookup->number),
                             (GDestroyNotify) sp_contact_free);
      return;
    }

  lookup->whole_book = TRUE;
  send_report (g_steal_pointer (&task), WHOLE_BOOK_QUERY);
}

/* One REPORT on the address book, answered to answer_cb. Takes @task. */
static void
send_report (GTask      *task,
             const char *body)
{
  SpCarddavDirectory *self = g_task_get_source_object (task);
  Lookup *lookup = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
  SoupMessageHeaders *headers;

  g_clear_object (&lookup->msg);
  lookup->msg = soup_message_new ("REPORT", lookup->url);
  if (lookup->msg == NULL)
    {
      g_task_return_new_error (task, SP_DIRECTORY_ERROR, SP_DIRECTORY_ERROR_CONFIG,
                               _("“%s” is not a valid address"), lookup->url);
      g_object_unref (task);
      return;
    }
  soup_message_set_request_body_from_bytes (lookup->msg, "application/xml; charset=utf-8", bytes);
  headers = soup_message_get_request_headers (lookup->msg);
  soup_message_headers_replace (headers, "Depth", "1");
  if (*lookup->login != '\0')
    {
      g_autofree char *pair = g_strconcat (lookup->login, ":", lookup->password ? lookup->password : "",
                                           NULL);
      g_autofree char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));
      g_autofree char *basic = g_strconcat ("Basic ", encoded, NULL);

      soup_message_headers_replace (headers, "Authorization", basic);
      memset (pair, 0, strlen (pair));
      memset (encoded, 0, strlen (encoded));
      memset (basic, 0, strlen (basic));
    }

  if (self->session == NULL)
    self->session = sp_http_session_new ();

  sp_http_read_bytes_async (self->session, lookup->msg, MAX_ANSWER,
                            g_task_get_cancellable (task), answer_cb, task);
}

static void
secret_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpCarddavDirectory *self = g_task_get_source_object (task);
  Lookup *lookup = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *body = NULL;

  lookup->password = sp_directory_lookup_secret_finish (SP_DIRECTORY (object), result, &error);
  if (g_task_return_error_if_cancelled (task))
    return;

  url = g_strstrip (g_settings_get_string (sp_directory_get_settings (SP_DIRECTORY (self)),
                                           SP_DIRECTORY_KEY_URL));
  if (!g_str_has_prefix (url, "https://") && !g_str_has_prefix (url, "http://"))
    {
      g_task_return_new_error (task, SP_DIRECTORY_ERROR, SP_DIRECTORY_ERROR_CONFIG,
                               _("The address must start with https:// (or http:// on this network)"));
      return;
    }

  /* Checked once here: a URL libsoup cannot use is the user's to fix. */
  {
    g_autoptr(GUri) uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);

    if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
      {
        g_task_return_new_error (task, SP_DIRECTORY_ERROR, SP_DIRECTORY_ERROR_CONFIG,
                                 _("“%s” is not a valid address"), url);
        return;
      }
  }

  lookup->url = g_steal_pointer (&url);
  body = build_query (lookup->number);
  send_report (g_steal_pointer (&task), body);
}

static void
sp_carddav_directory_lookup_async (SpDirectory         *self,
                                   const SpPhoneNumber *number,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Lookup *lookup = g_new0 (Lookup, 1);

  lookup->number = sp_phone_number_copy (number);
  lookup->login = g_strstrip (g_settings_get_string (sp_directory_get_settings (self),
                                                     SP_DIRECTORY_KEY_LOGIN));
  g_task_set_source_tag (task, sp_carddav_directory_lookup_async);
  g_task_set_task_data (task, lookup, (GDestroyNotify) lookup_free);

  sp_directory_lookup_secret_async (self, cancellable, secret_cb, g_steal_pointer (&task));
}

static SpContact *
sp_carddav_directory_lookup_finish (SpDirectory   *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
sp_carddav_directory_dispose (GObject *object)
{
  SpCarddavDirectory *self = (SpCarddavDirectory *)object;

  g_clear_object (&self->session);

  G_OBJECT_CLASS (sp_carddav_directory_parent_class)->dispose (object);
}

static void
sp_carddav_directory_finalize (GObject *object)
{
  SpCarddavDirectory *self = (SpCarddavDirectory *)object;

  g_free (self->snapshot);
  g_free (self->snapshot_key);

  G_OBJECT_CLASS (sp_carddav_directory_parent_class)->finalize (object);
}

static void
sp_carddav_directory_class_init (SpCarddavDirectoryClass *klass)
{
  SpDirectoryClass *directory_class = SP_DIRECTORY_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = sp_carddav_directory_dispose;
  G_OBJECT_CLASS (klass)->finalize = sp_carddav_directory_finalize;
  directory_class->lookup_async = sp_carddav_directory_lookup_async;
  directory_class->lookup_finish = sp_carddav_directory_lookup_finish;
}

static void
sp_carddav_directory_init (SpCarddavDirectory *self)
{
}
