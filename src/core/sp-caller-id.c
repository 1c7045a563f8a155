/* sp-caller-id.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Who is calling, off the critical path. A ringing call has already popped with its number
 * when this starts: every enabled directory is asked in parallel, each within a budget
 * (1 s), and the first directory *in the user's order* that knows the number wins — a later
 * directory's answer waits until every earlier one has missed, failed or run out of time.
 * The contact then goes onto the call through the tracker, which announces the call again,
 * so that the notification, the window and the tray update in place.
 *
 * Answers are cached per number (a hit for 10 minutes, a miss for 2), so that a caller who
 * rings back, or rings several agents' queues, is not looked up again; failures are not
 * cached. Withheld numbers are never looked up, and nothing is asked without a directory.
 */

#define G_LOG_DOMAIN "sp-caller-id"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-caller-id.h"
#include "sp-directory.h"
#include "sp-directory-kind.h"

#define DEFAULT_BUDGET_MSEC 1000
#define HIT_LIFETIME_USEC (10 * G_TIME_SPAN_MINUTE)
#define MISS_LIFETIME_USEC (2 * G_TIME_SPAN_MINUTE)
#define ASKED_KEY "sp-caller-id-asked"

struct _SpCallerId
{
  GObject        parent_instance;

  SpCallTracker *tracker;
  GSettings     *settings;
  GListStore    *directories;  /* (element-type SpDirectory) in the user's order */
  GHashTable    *cache;        /* key → CacheEntry */
  guint          budget_msec;
};

G_DEFINE_FINAL_TYPE (SpCallerId, sp_caller_id, G_TYPE_OBJECT)

typedef struct
{
  SpContact *contact;   /* NULL: a miss */
  gint64     expires;   /* monotonic */
} CacheEntry;

static void
cache_entry_free (CacheEntry *entry)
{
  g_clear_pointer (&entry->contact, sp_contact_free);
  g_free (entry);
}

/* One lookup of one number across every directory. */
typedef enum { ANSWER_PENDING, ANSWER_HIT, ANSWER_NONE } AnswerState;

/* The callback data of one directory's lookup. It holds the task only while the answer
 * matters: once the lookup is settled the task is let go, so that a directory that never
 * calls back (a hung server, a dead mount) keeps nothing of ours alive. */
typedef struct
{
  GTask *task;
  guint  index;
} Request;

typedef struct
{
  AnswerState   state;
  SpContact    *contact;
  GCancellable *cancellable;
  guint         timeout_id;
  Request      *request;   /* unowned; NULL once answered or let go */
} Answer;

typedef struct
{
  SpCallerId    *self;       /* owned */
  SpPhoneNumber *number;
  char          *key;
  GPtrArray     *directories;  /* (element-type SpDirectory) snapshot, in order */
  Answer        *answers;
  gboolean       settled;
} Lookup;

typedef struct
{
  Lookup      *lookup;
  SpDirectory *directory;
  guint        index;
} Asked;

static char *
cache_key (const SpPhoneNumber *number)
{
  /* An extension or a short code has no E.164 key; its text is still a key within this
   * office. */
  return number->e164 != NULL ? g_strdup (number->e164) : g_strconcat ("raw:", number->raw, NULL);
}

static void
lookup_free (Lookup *lookup)
{
  for (guint i = 0; i < lookup->directories->len; i++)
    {
      Answer *answer = &lookup->answers[i];

      g_clear_handle_id (&answer->timeout_id, g_source_remove);
      g_cancellable_cancel (answer->cancellable);
      g_clear_object (&answer->cancellable);
      g_clear_pointer (&answer->contact, sp_contact_free);
    }
  g_free (lookup->answers);
  g_ptr_array_unref (lookup->directories);
  g_free (lookup->key);
  sp_phone_number_free (lookup->number);
  g_object_unref (lookup->self);
  g_free (lookup);
}

/* Decides once the answers so far allow it: the first directory in order with a hit wins
 * as soon as every directory before it has missed. */
static void
settle (GTask *task)
{
  Lookup *lookup = g_task_get_task_data (task);
  SpCallerId *self = lookup->self;
  SpContact *winner = NULL;
  CacheEntry *entry;

  if (lookup->settled)
    return;

  for (guint i = 0; i < lookup->directories->len; i++)
    {
      Answer *answer = &lookup->answers[i];

      if (answer->state == ANSWER_PENDING)
        return;
      if (answer->state == ANSWER_HIT)
        {
          winner = answer->contact;
          break;
        }
    }

  lookup->settled = TRUE;
  g_object_ref (task);

  /* The rest are not needed any more. */
  for (guint i = 0; i < lookup->directories->len; i++)
    {
      Answer *answer = &lookup->answers[i];

      g_cancellable_cancel (answer->cancellable);
      if (answer->request != NULL)
        {
          g_clear_object (&answer->request->task);
          answer->request = NULL;
        }
    }

  entry = g_new0 (CacheEntry, 1);
  entry->contact = winner != NULL ? sp_contact_copy (winner) : NULL;
  entry->expires = g_get_monotonic_time () + (winner != NULL ? HIT_LIFETIME_USEC
                                                             : MISS_LIFETIME_USEC);
  g_hash_table_replace (self->cache, g_strdup (lookup->key), entry);

  g_task_return_pointer (task, winner != NULL ? sp_contact_copy (winner) : NULL,
                         (GDestroyNotify) sp_contact_free);
  g_object_unref (task);
}

static void
directory_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  SpDirectory *directory = SP_DIRECTORY (object);
  Request *request = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&request->task);
  guint index = request->index;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpContact) contact = NULL;
  Lookup *lookup;
  Answer *answer;

  g_free (request);
  contact = sp_directory_lookup_finish (directory, result, &error);

  if (task == NULL)
    return;  /* settled without this directory */

  lookup = g_task_get_task_data (task);
  answer = &lookup->answers[index];
  answer->request = NULL;
  g_clear_handle_id (&answer->timeout_id, g_source_remove);

  if (answer->state != ANSWER_PENDING)
    return;  /* timed out already */

  if (error != NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *label = sp_directory_dup_label (directory);
          g_message ("Directory “%s” failed: %s", label, error->message);
        }
      answer->state = ANSWER_NONE;
    }
  else if (contact != NULL)
    {
      answer->state = ANSWER_HIT;
      answer->contact = g_steal_pointer (&contact);
    }
  else
    {
      answer->state = ANSWER_NONE;
    }

  settle (task);
}

static gboolean
budget_cb (gpointer user_data)
{
  Asked *asked = user_data;
  Lookup *lookup = asked->lookup;
  Answer *answer = &lookup->answers[asked->index];
  g_autoptr(GTask) task = NULL;
  g_autofree char *label = sp_directory_dup_label (asked->directory);
  g_autofree char *message = NULL;

  answer->timeout_id = 0;
  if (answer->state != ANSWER_PENDING)
    return G_SOURCE_REMOVE;

  /* Translators: %u is a number of milliseconds */
  message = g_strdup_printf (_("Did not answer within %u ms"), lookup->self->budget_msec);
  sp_directory_set_last_error (asked->directory, message);
  g_message ("Directory “%s” did not answer within %u ms; going on without it",
             label, lookup->self->budget_msec);

  answer->state = ANSWER_NONE;
  g_cancellable_cancel (answer->cancellable);

  /* Let go of this directory's callback: it may never come. */
  task = g_steal_pointer (&answer->request->task);
  answer->request = NULL;
  settle (task);

  return G_SOURCE_REMOVE;
}

static void
sp_caller_id_lookup_async_real (SpCallerId          *self,
                                const SpPhoneNumber *number,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Lookup *lookup;
  CacheEntry *entry;
  g_autofree char *key = NULL;
  guint n;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_caller_id_lookup_async);

  if (number->withheld)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  key = cache_key (number);
  entry = g_hash_table_lookup (self->cache, key);
  if (entry != NULL && entry->expires > g_get_monotonic_time ())
    {
      g_task_return_pointer (task, entry->contact ? sp_contact_copy (entry->contact) : NULL,
                             (GDestroyNotify) sp_contact_free);
      return;
    }

  lookup = g_new0 (Lookup, 1);
  lookup->self = g_object_ref (self);
  lookup->number = sp_phone_number_copy (number);
  lookup->key = g_steal_pointer (&key);
  lookup->directories = g_ptr_array_new_with_free_func (g_object_unref);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->directories));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpDirectory) directory = g_list_model_get_item (G_LIST_MODEL (self->directories), i);

      if (sp_directory_get_enabled (directory))
        g_ptr_array_add (lookup->directories, g_steal_pointer (&directory));
    }
  lookup->answers = g_new0 (Answer, MAX (lookup->directories->len, 1));
  g_task_set_task_data (task, lookup, (GDestroyNotify) lookup_free);

  if (lookup->directories->len == 0)
    {
      lookup->settled = TRUE;
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  for (guint i = 0; i < lookup->directories->len; i++)
    {
      SpDirectory *directory = g_ptr_array_index (lookup->directories, i);
      Answer *answer = &lookup->answers[i];
      Asked *asked = g_new0 (Asked, 1);
      Request *request = g_new0 (Request, 1);

      answer->state = ANSWER_PENDING;
      answer->cancellable = g_cancellable_new ();

      asked->lookup = lookup;
      asked->directory = directory;
      asked->index = i;
      answer->timeout_id = g_timeout_add_full (G_PRIORITY_DEFAULT, self->budget_msec,
                                               budget_cb, asked, g_free);

      request->task = g_object_ref (task);
      request->index = i;
      answer->request = request;
      sp_directory_lookup_async (directory, lookup->number, answer->cancellable, directory_cb,
                                 request);
    }
}

/**
 * sp_caller_id_lookup_async:
 * @self: a caller identification
 * @number: the number
 * @cancellable: (nullable): a #GCancellable
 *
 * Asks every enabled directory, in parallel, who @number belongs to. Finishes within the
 * budget (plus a main-loop turn) however slow the directories are.
 */
void
sp_caller_id_lookup_async (SpCallerId          *self,
                           const SpPhoneNumber *number,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (SP_IS_CALLER_ID (self));
  g_return_if_fail (number != NULL);

  sp_caller_id_lookup_async_real (self, number, cancellable, callback, user_data);
}

/**
 * sp_caller_id_lookup_finish:
 *
 * Returns: (transfer full) (nullable): who is calling, or %NULL when no directory knows
 */
SpContact *
sp_caller_id_lookup_finish (SpCallerId    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
call_lookup_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  SpCallerId *self = SP_CALLER_ID (object);
  g_autoptr(SpCall) call = user_data;
  g_autoptr(SpContact) contact = NULL;

  contact = sp_caller_id_lookup_finish (self, result, NULL);
  if (contact != NULL && self->tracker != NULL)
    {
      g_debug ("Call %s is %s (from %s)", sp_call_get_call_id (call), contact->name,
               contact->directory);
      sp_call_tracker_set_contact (self->tracker, call, contact);
    }
}

static void
call_changed_cb (SpCallerId    *self,
                 SpCall        *call,
                 gboolean       state_changed,
                 SpCallTracker *tracker)
{
  const SpPhoneNumber *number = sp_call_get_phone_number (call);
  const char *asked;

  if (number == NULL || number->withheld || sp_call_get_contact (call) != NULL ||
      g_list_model_get_n_items (G_LIST_MODEL (self->directories)) == 0)
    return;

  /* Once per number of a call: the number may arrive (or change) after the ring. */
  asked = g_object_get_data (G_OBJECT (call), ASKED_KEY);
  if (g_strcmp0 (asked, number->raw) == 0)
    return;
  g_object_set_data_full (G_OBJECT (call), ASKED_KEY, g_strdup (number->raw), g_free);

  /* A caller seen a moment ago: the name goes on the call now, before the screen-pop (which
   * listens after us) shows it, so the very first notification has it. */
  {
    g_autofree char *key = cache_key (number);
    CacheEntry *entry = g_hash_table_lookup (self->cache, key);

    if (entry != NULL && entry->expires > g_get_monotonic_time ())
      {
        if (entry->contact != NULL)
          sp_call_set_contact (call, entry->contact);
        return;
      }
  }

  sp_caller_id_lookup_async (self, number, NULL, call_lookup_cb, g_object_ref (call));
}

static void
directories_changed_cb (SpCallerId *self)
{
  g_auto(GStrv) ids = g_settings_get_strv (self->settings, "directories");
  g_autoptr(GPtrArray) next = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->directories));

  for (guint i = 0; ids[i] != NULL; i++)
    {
      SpDirectory *directory = NULL;

      /* Keep the objects of directories that stay, and what they know of their errors. */
      for (guint j = 0; j < n && directory == NULL; j++)
        {
          g_autoptr(SpDirectory) old = g_list_model_get_item (G_LIST_MODEL (self->directories), j);

          if (g_strcmp0 (sp_directory_get_id (old), ids[i]) == 0)
            directory = g_steal_pointer (&old);
        }
      if (directory == NULL)
        directory = sp_directory_new_for_id (ids[i]);
      if (directory != NULL)
        g_ptr_array_add (next, directory);
    }

  g_list_store_splice (self->directories, 0, n, next->pdata, next->len);
  /* What a directory that left or came answered is no longer the truth. */
  g_hash_table_remove_all (self->cache);
}

static void
region_changed_cb (SpCallerId *self)
{
  g_autofree char *region = g_settings_get_string (self->settings, "phone-region");

  sp_call_tracker_set_region (self->tracker, region);
}

static void
sp_caller_id_dispose (GObject *object)
{
  SpCallerId *self = (SpCallerId *)object;

  g_clear_object (&self->tracker);
  g_clear_object (&self->settings);
  g_clear_object (&self->directories);
  g_clear_pointer (&self->cache, g_hash_table_unref);

  G_OBJECT_CLASS (sp_caller_id_parent_class)->dispose (object);
}

static void
sp_caller_id_class_init (SpCallerIdClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_caller_id_dispose;
}

static void
sp_caller_id_init (SpCallerId *self)
{
  self->directories = g_list_store_new (SP_TYPE_DIRECTORY);
  self->cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) cache_entry_free);
  self->budget_msec = DEFAULT_BUDGET_MSEC;
}

/**
 * sp_caller_id_new:
 * @tracker: the calls to identify
 * @settings: the app's settings (`directories`, `phone-region`)
 *
 * Returns: (transfer full): a caller identification that follows @settings
 */
SpCallerId *
sp_caller_id_new (SpCallTracker *tracker,
                  GSettings     *settings)
{
  SpCallerId *self;

  g_return_val_if_fail (SP_IS_CALL_TRACKER (tracker), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (SP_TYPE_CALLER_ID, NULL);
  self->tracker = g_object_ref (tracker);
  self->settings = g_object_ref (settings);

  /* Connected before the screen-pop's handler (the engine builds us first), so that a
   * cached name is on the call before its first notification. */
  g_signal_connect_object (tracker, "call-changed", G_CALLBACK (call_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (settings, "changed::directories",
                           G_CALLBACK (directories_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (settings, "changed::phone-region",
                           G_CALLBACK (region_changed_cb), self, G_CONNECT_SWAPPED);
  directories_changed_cb (self);
  region_changed_cb (self);

  return self;
}

/**
 * sp_caller_id_get_directories:
 *
 * Returns: (transfer none): the configured directories (#SpDirectory), in the user's order
 */
GListModel *
sp_caller_id_get_directories (SpCallerId *self)
{
  g_return_val_if_fail (SP_IS_CALLER_ID (self), NULL);
  return G_LIST_MODEL (self->directories);
}

/**
 * sp_caller_id_set_budget:
 * @msec: how long one directory may take, in milliseconds
 */
void
sp_caller_id_set_budget (SpCallerId *self,
                         guint       msec)
{
  g_return_if_fail (SP_IS_CALLER_ID (self));
  self->budget_msec = MAX (msec, 1);
}

/**
 * sp_caller_id_clear_cache:
 *
 * Forgets every answer, e.g. after the user edited a directory.
 */
void
sp_caller_id_clear_cache (SpCallerId *self)
{
  g_return_if_fail (SP_IS_CALLER_ID (self));
  g_hash_table_remove_all (self->cache);
}
