/* sp-eds-directory.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The GNOME address book: Evolution Data Server's address books (the personal one, and
 * those of the user's online accounts), where the session runs EDS. Each enabled book (or
 * the one the address-book option names) is asked for contacts whose TEL is the number by
 * EDS's own phone-number comparison (which also uses libphonenumber), or ends with its last
 * four digits; the answers are compared again digit by digit here, as for every vCard.
 * The EDS client API used is the synchronous one, in a worker thread: it brings its own
 * main context, and a slow factory never blocks ours.
 */

#define G_LOG_DOMAIN "sp-eds-directory"

#include "config.h"

#include <glib/gi18n.h>

/* Its headers use GLib API deprecated since (GTimeVal); not ours to fix. */
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
#include <libebook/libebook.h>
G_GNUC_END_IGNORE_DEPRECATIONS

#include "sp-directory.h"
#include "sp-eds-directory.h"
#include "sp-vcard.h"

#define CONNECT_WAIT_SECONDS 5

struct _SpEdsDirectory
{
  SpDirectory      parent_instance;

  GMutex           lock;
  ESourceRegistry *registry;   /* made in a worker, on first use */
};

G_DEFINE_FINAL_TYPE (SpEdsDirectory, sp_eds_directory, SP_TYPE_DIRECTORY)

typedef struct
{
  SpPhoneNumber *number;
  char          *book_uid;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  sp_phone_number_free (lookup->number);
  g_free (lookup->book_uid);
  g_free (lookup);
}

static char *
build_query (const SpPhoneNumber *number)
{
  g_autofree char *tail = sp_directory_dup_tail_digits (number);
  EBookQuery *tests[2];
  EBookQuery *query;
  guint n_tests = 0;
  char *sexp;

  tests[n_tests++] = e_book_query_field_test (E_CONTACT_TEL, E_BOOK_QUERY_EQUALS_PHONE_NUMBER,
                                              number->e164 != NULL ? number->e164 : number->raw);
  if (tail != NULL)
    tests[n_tests++] = e_book_query_field_test (E_CONTACT_TEL, E_BOOK_QUERY_ENDS_WITH, tail);

  query = e_book_query_or (n_tests, tests, TRUE);
  sexp = e_book_query_to_string (query);
  e_book_query_unref (query);

  return sexp;
}

static void
lookup_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SpEdsDirectory *self = source_object;
  Lookup *lookup = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ESourceRegistry) registry = NULL;
  g_autofree char *sexp = build_query (lookup->number);
  GList *sources;
  SpContact *found = NULL;
  g_autofree char *first_error = NULL;

  g_mutex_lock (&self->lock);
  if (self->registry == NULL)
    self->registry = e_source_registry_new_sync (cancellable, &error);
  registry = self->registry ? g_object_ref (self->registry) : NULL;
  g_mutex_unlock (&self->lock);

  if (registry == NULL)
    {
      g_task_return_new_error (task, SP_DIRECTORY_ERROR, SP_DIRECTORY_ERROR_UNREACHABLE,
                               _("The GNOME address book is not running in this session (%s)"),
                               error->message);
      return;
    }

  sources = e_source_registry_list_enabled (registry, E_SOURCE_EXTENSION_ADDRESS_BOOK);
  for (GList *l = sources; l != NULL && found == NULL; l = l->next)
    {
      ESource *source = l->data;
      g_autoptr(EClient) client = NULL;
      g_autoptr(GError) book_error = NULL;
      GSList *contacts = NULL;

      if (lookup->book_uid != NULL && g_strcmp0 (e_source_get_uid (source), lookup->book_uid) != 0)
        continue;

      client = e_book_client_connect_sync (source, CONNECT_WAIT_SECONDS, cancellable, &book_error);
      if (client == NULL ||
          !e_book_client_get_contacts_sync (E_BOOK_CLIENT (client), sexp, &contacts, cancellable,
                                            &book_error))
        {
          /* One book that fails (an online account offline) does not hide the others. */
          if (first_error == NULL)
            first_error = g_strdup_printf ("%s: %s", e_source_get_display_name (source),
                                           book_error->message);
          continue;
        }

      for (GSList *c = contacts; c != NULL && found == NULL; c = c->next)
        found = sp_vcard_match_contact (c->data, lookup->number);
      g_slist_free_full (contacts, g_object_unref);
    }
  g_list_free_full (sources, g_object_unref);

  if (found == NULL && first_error != NULL)
    g_task_return_new_error (task, SP_DIRECTORY_ERROR, SP_DIRECTORY_ERROR_UNREACHABLE, "%s",
                             first_error);
  else
    g_task_return_pointer (task, found, (GDestroyNotify) sp_contact_free);
}

static void
sp_eds_directory_lookup_async (SpDirectory         *self,
                               const SpPhoneNumber *number,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Lookup *lookup = g_new0 (Lookup, 1);

  lookup->number = sp_phone_number_copy (number);
  lookup->book_uid = sp_directory_dup_option (self, SP_EDS_DIRECTORY_OPTION_BOOK, NULL);
  g_task_set_source_tag (task, sp_eds_directory_lookup_async);
  g_task_set_task_data (task, lookup, (GDestroyNotify) lookup_free);
  g_task_run_in_thread (task, lookup_thread);
}

static SpContact *
sp_eds_directory_lookup_finish (SpDirectory   *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static int
compare_choices (gconstpointer a,
                 gconstpointer b)
{
  const SpDirectoryChoice *first = *(const SpDirectoryChoice * const *) a;
  const SpDirectoryChoice *second = *(const SpDirectoryChoice * const *) b;

  return g_utf8_collate (first->label, second->label);
}

/**
 * sp_eds_directory_list_books:
 * @cancellable: (nullable): cancels the listing
 * @error: where a failure goes
 *
 * The address books a lookup can search (the enabled ones), for the book chooser in
 * Preferences: each by its uid, named as GNOME Contacts names it ("Personal", and an online
 * account's book with the account: "Contacts (ana@example.com)"), in alphabetical order.
 * Blocks on the bus: call it in a worker thread.
 *
 * Returns: (transfer full) (element-type SpDirectoryChoice) (nullable): the books, or %NULL
 *   with @error set when the session has no Evolution Data Server
 */
GPtrArray *
sp_eds_directory_list_books (GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(ESourceRegistry) registry = NULL;
  g_autoptr(GError) local_error = NULL;
  GPtrArray *books;
  GList *sources;

  registry = e_source_registry_new_sync (cancellable, &local_error);
  if (registry == NULL)
    {
      g_set_error (error, SP_DIRECTORY_ERROR, SP_DIRECTORY_ERROR_UNREACHABLE,
                   _("The GNOME address book is not running in this session (%s)"),
                   local_error->message);
      return NULL;
    }

  books = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_directory_choice_free);
  sources = e_source_registry_list_enabled (registry, E_SOURCE_EXTENSION_ADDRESS_BOOK);
  for (GList *l = sources; l != NULL; l = l->next)
    {
      g_autofree char *label = e_source_registry_dup_unique_display_name (registry, l->data,
                                                                          E_SOURCE_EXTENSION_ADDRESS_BOOK);

      g_ptr_array_add (books, sp_directory_choice_new (e_source_get_uid (l->data), label));
    }
  g_list_free_full (sources, g_object_unref);
  g_ptr_array_sort (books, compare_choices);

  return books;
}

static void
sp_eds_directory_finalize (GObject *object)
{
  SpEdsDirectory *self = (SpEdsDirectory *)object;

  g_clear_object (&self->registry);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (sp_eds_directory_parent_class)->finalize (object);
}

static void
sp_eds_directory_class_init (SpEdsDirectoryClass *klass)
{
  SpDirectoryClass *directory_class = SP_DIRECTORY_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = sp_eds_directory_finalize;
  directory_class->lookup_async = sp_eds_directory_lookup_async;
  directory_class->lookup_finish = sp_eds_directory_lookup_finish;
}

static void
sp_eds_directory_init (SpEdsDirectory *self)
{
  g_mutex_init (&self->lock);
}
