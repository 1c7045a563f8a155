/* sp-call-tracker.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-call-tracker"

#include "config.h"

#include "sp-call-tracker.h"

/* How many finished calls of this run the tracker keeps for the window. */
#define RECENT_MAX 200
/* How long a finished call's id is remembered, so that a late or repeated event of it
 * does not ring again. */
#define TOMBSTONE_USEC (10 * G_TIME_SPAN_MINUTE)
#define TOMBSTONE_PRUNE_AT 1024
#define DEFAULT_RING_TIMEOUT 120
/* How many calls may ring at once before the oldest ring is taken as rung out. No desk, and
 * no supervisor's view of a whole PBX, has this many; a server that sends more (a flood, a
 * loop, a popup-notifier daemon that never reports an end) would otherwise keep every ring
 * alive for its whole timeout: 100 000 rings held 140 MB. */
#define MAX_RINGING 500

typedef struct
{
  SpCallTracker *self;   /* unowned */
  SpCall        *call;
  char          *key;
  gint64         expires_at;   /* monotonic µs when a ring without an end expires; 0: never */
} Entry;

struct _SpCallTracker
{
  GObject     parent_instance;

  GPtrArray  *live;        /* (element-type Entry) in arrival order */
  GHashTable *by_key;      /* key → Entry (unowned) */
  GHashTable *tombstones;  /* key → gint64* monotonic time of the end */
  guint       tombstone_prune_at;
  GListStore *recent;      /* finished calls, newest first */
  GSource    *expiry;      /* one timer for every ring's expiry, at the earliest */
  char       *region;      /* the user's, for reading numbers; NULL: the locale's */
};

enum {
  CALL_CHANGED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SpCallTracker, sp_call_tracker, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static char *
make_key (const char *account_id,
          const char *call_id)
{
  /* The unit separator cannot come from a sane id and keeps the two parts apart. */
  return g_strconcat (account_id, "\x1f", call_id, NULL);
}

static void
entry_free (Entry *entry)
{
  g_clear_object (&entry->call);
  g_free (entry->key);
  g_free (entry);
}

static GType
sp_call_tracker_get_item_type (GListModel *model)
{
  return SP_TYPE_CALL;
}

static guint
sp_call_tracker_get_n_items (GListModel *model)
{
  return SP_CALL_TRACKER (model)->live->len;
}

static gpointer
sp_call_tracker_get_item (GListModel *model,
                          guint       position)
{
  SpCallTracker *self = SP_CALL_TRACKER (model);
  Entry *entry;

  if (position >= self->live->len)
    return NULL;

  entry = g_ptr_array_index (self->live, position);
  return g_object_ref (entry->call);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = sp_call_tracker_get_item_type;
  iface->get_n_items = sp_call_tracker_get_n_items;
  iface->get_item = sp_call_tracker_get_item;
}

static void
prune_tombstones (SpCallTracker *self)
{
  GHashTableIter iter;
  gpointer value;
  gint64 now = g_get_monotonic_time ();

  if (g_hash_table_size (self->tombstones) < self->tombstone_prune_at)
    return;

  g_hash_table_iter_init (&iter, self->tombstones);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      if (now - *(gint64 *) value > TOMBSTONE_USEC)
        g_hash_table_iter_remove (&iter);
    }

  /* A prune walks the whole table. When a burst of calls keeps it big, walking it again
   * on every call would make the burst quadratic: wait until it has doubled. */
  self->tombstone_prune_at = MAX (TOMBSTONE_PRUNE_AT, 2 * g_hash_table_size (self->tombstones));
}

/* Moves a finished call from the live list to the recent calls. */
static void
retire (SpCallTracker *self,
        Entry         *entry)
{
  guint position;
  gint64 *when;

  if (!g_ptr_array_find (self->live, entry, &position))
    g_return_if_reached ();

  prune_tombstones (self);
  when = g_new (gint64, 1);
  *when = g_get_monotonic_time ();
  g_hash_table_insert (self->tombstones, g_strdup (entry->key), when);

  g_list_store_insert (self->recent, 0, entry->call);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->recent)) > RECENT_MAX)
    g_list_store_remove (self->recent, RECENT_MAX);

  g_hash_table_remove (self->by_key, entry->key);
  g_ptr_array_remove_index (self->live, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
}

static void
emit_changed (SpCallTracker *self,
              Entry         *entry,
              gboolean       state_changed)
{
  g_autoptr(SpCall) call = g_object_ref (entry->call);

  g_signal_emit (self, signals[CALL_CHANGED], 0, call, state_changed);

  if (sp_call_is_finished (call))
    retire (self, entry);
}

/* A timer per ringing call made every main-loop iteration walk all of them: with 100 000
 * calls ringing at once (issue 12's flood) that alone stalled the loop. One source for the
 * tracker wakes at the earliest expiry and walks the live calls then. */
static void
schedule_expiry (SpCallTracker *self,
                 Entry         *entry,
                 guint          seconds)
{
  gint64 ready = g_source_get_ready_time (self->expiry);

  entry->expires_at = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  if (ready == -1 || entry->expires_at < ready)
    g_source_set_ready_time (self->expiry, entry->expires_at);
}

static gboolean
expiry_dispatch (GSource     *source,
                 GSourceFunc  callback,
                 gpointer     user_data)
{
  SpCallTracker *self = user_data;
  g_autoptr(GPtrArray) due = g_ptr_array_new_with_free_func (g_free);
  gint64 now = g_get_monotonic_time ();
  gint64 next = -1;

  g_object_ref (self);

  for (guint i = 0; i < self->live->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->live, i);

      if (entry->expires_at == 0)
        continue;
      if (entry->expires_at <= now)
        g_ptr_array_add (due, g_strdup (entry->key));
      else if (next == -1 || entry->expires_at < next)
        next = entry->expires_at;
    }
  g_source_set_ready_time (source, next);

  /* By key: a handler may end other calls meanwhile. */
  for (guint i = 0; i < due->len && self->by_key != NULL; i++)
    {
      Entry *entry = g_hash_table_lookup (self->by_key, g_ptr_array_index (due, i));

      if (entry == NULL || entry->expires_at == 0 || entry->expires_at > now)
        continue;
      entry->expires_at = 0;

      g_debug ("Call %s of %s rang out without an end; expiring it",
               sp_call_get_call_id (entry->call), sp_call_get_account_id (entry->call));

      sp_call_expire (entry->call);
      emit_changed (self, entry, TRUE);
    }

  g_object_unref (self);

  return G_SOURCE_CONTINUE;
}

static GSourceFuncs expiry_funcs = {
  .dispatch = expiry_dispatch,
};

static void
sp_call_tracker_dispose (GObject *object)
{
  SpCallTracker *self = (SpCallTracker *)object;

  if (self->expiry != NULL)
    {
      g_source_destroy (self->expiry);
      g_clear_pointer (&self->expiry, g_source_unref);
    }
  g_clear_pointer (&self->by_key, g_hash_table_unref);
  g_clear_pointer (&self->live, g_ptr_array_unref);
  g_clear_pointer (&self->tombstones, g_hash_table_unref);
  g_clear_object (&self->recent);
  g_clear_pointer (&self->region, g_free);

  G_OBJECT_CLASS (sp_call_tracker_parent_class)->dispose (object);
}

static void
sp_call_tracker_class_init (SpCallTrackerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_call_tracker_dispose;

  /**
   * SpCallTracker::call-changed:
   * @self: the tracker
   * @call: the call
   * @state_changed: whether the call is new or its state changed (else only details did)
   *
   * Emitted for a new call and for every change of a live call. A call that reaches a
   * finished state is announced once more, then moves to the recent calls.
   */
  signals[CALL_CHANGED] =
    g_signal_new ("call-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, SP_TYPE_CALL, G_TYPE_BOOLEAN);
}

static void
sp_call_tracker_init (SpCallTracker *self)
{
  self->live = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  self->by_key = g_hash_table_new (g_str_hash, g_str_equal);
  self->tombstones = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->tombstone_prune_at = TOMBSTONE_PRUNE_AT;
  self->recent = g_list_store_new (SP_TYPE_CALL);
  self->expiry = g_source_new (&expiry_funcs, sizeof (GSource));
  g_source_set_callback (self->expiry, NULL, self, NULL);
  g_source_set_name (self->expiry, "[screenpop] ring expiry");
  g_source_set_ready_time (self->expiry, -1);
  g_source_attach (self->expiry, g_main_context_get_thread_default ());
}

SpCallTracker *
sp_call_tracker_new (void)
{
  return g_object_new (SP_TYPE_CALL_TRACKER, NULL);
}

/* Beyond MAX_RINGING calls ringing, the oldest ringing one is expired as if its ring timed
 * out (outcome unknown, in the history as such), so that memory stays bounded whatever a
 * server sends. Answered calls are never cut short. */
static void
limit_ringing (SpCallTracker *self)
{
  static gint64 last_said;
  guint n_ringing = 0;
  Entry *oldest = NULL;

  for (guint i = 0; i < self->live->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->live, i);

      if (entry->expires_at == 0)
        continue;
      if (oldest == NULL)
        oldest = entry;
      n_ringing++;
    }
  if (n_ringing <= MAX_RINGING || oldest == NULL)
    return;

  if (g_get_monotonic_time () - last_said > G_TIME_SPAN_MINUTE || last_said == 0)
    {
      last_said = g_get_monotonic_time ();
      g_message ("More than %d calls ringing at once (account %s): the oldest rings are taken "
                 "as rung out", MAX_RINGING, sp_call_get_account_id (oldest->call));
    }

  oldest->expires_at = 0;
  sp_call_expire (oldest->call);
  emit_changed (self, oldest, TRUE);
}

/**
 * sp_call_tracker_push:
 * @self: a tracker
 * @event: an event from a source
 *
 * Merges @event into its call, creating the call when it is new. Repeated events change
 * nothing and emit nothing; events of a call that finished a short while ago are dropped.
 */
void
sp_call_tracker_push (SpCallTracker *self,
                      SpCallEvent   *event)
{
  g_autofree char *key = NULL;
  gboolean state_changed = FALSE;
  Entry *entry;

  g_return_if_fail (SP_IS_CALL_TRACKER (self));
  g_return_if_fail (event != NULL);

  key = make_key (event->account_id, event->call_id);
  entry = g_hash_table_lookup (self->by_key, key);

  if (entry == NULL)
    {
      if (g_hash_table_contains (self->tombstones, key))
        {
          g_debug ("Dropping a late %s event of finished call %s",
                   sp_call_event_kind_to_string (event->kind), event->call_id);
          return;
        }

      entry = g_new0 (Entry, 1);
      entry->self = self;
      entry->key = g_steal_pointer (&key);
      entry->call = sp_call_new_from_event (event);
      sp_call_set_region (entry->call, self->region);

      g_ptr_array_add (self->live, entry);
      g_hash_table_insert (self->by_key, entry->key, entry);
      g_list_model_items_changed (G_LIST_MODEL (self), self->live->len - 1, 0, 1);

      state_changed = TRUE;
    }
  else if (!sp_call_apply_event (entry->call, event, &state_changed))
    {
      return;
    }

  /* A ring that is never followed by anything must not stay on screen forever: some
   * sources have no end of call at all, and any source can lose one. */
  if (sp_call_get_state (entry->call) == SP_CALL_STATE_RINGING)
    {
      if (entry->expires_at == 0 || event->kind == SP_CALL_EVENT_RINGING)
        {
          guint timeout = event->ring_timeout ? event->ring_timeout : DEFAULT_RING_TIMEOUT;

          schedule_expiry (self, entry, timeout);
        }
    }
  else
    {
      entry->expires_at = 0;
    }

  emit_changed (self, entry, state_changed);

  if (self->live->len > MAX_RINGING)
    limit_ringing (self);
}

/**
 * sp_call_tracker_lookup:
 *
 * Returns: (transfer none) (nullable): the live call, if any
 */
SpCall *
sp_call_tracker_lookup (SpCallTracker *self,
                        const char    *account_id,
                        const char    *call_id)
{
  g_autofree char *key = NULL;
  Entry *entry;

  g_return_val_if_fail (SP_IS_CALL_TRACKER (self), NULL);

  key = make_key (account_id, call_id);
  entry = g_hash_table_lookup (self->by_key, key);

  return entry ? entry->call : NULL;
}

/**
 * sp_call_tracker_get_recent:
 *
 * Returns: (transfer none): the finished calls, newest first: those of this run, then those
 *   added with sp_call_tracker_add_earlier()
 */
GListModel *
sp_call_tracker_get_recent (SpCallTracker *self)
{
  g_return_val_if_fail (SP_IS_CALL_TRACKER (self), NULL);
  return G_LIST_MODEL (self->recent);
}

/**
 * sp_call_tracker_add_earlier:
 * @call: a finished call from before this run (the history's)
 *
 * Adds @call at the end of the recent calls, as older than every call there, unless the
 * list is full: so that the window and the tray show the last calls after a restart.
 */
void
sp_call_tracker_add_earlier (SpCallTracker *self,
                             SpCall        *call)
{
  g_return_if_fail (SP_IS_CALL_TRACKER (self));
  g_return_if_fail (SP_IS_CALL (call));
  g_return_if_fail (sp_call_is_finished (call));

  /* Its number written as this run's calls are (03-1234-5678, not 0312345678). */
  sp_call_set_region (call, self->region);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->recent)) < RECENT_MAX)
    g_list_store_append (self->recent, call);
}

/**
 * sp_call_tracker_count_missed_since:
 * @since: wall-clock microseconds since the epoch
 *
 * Returns: how many of the recent calls were missed and started after @since (the missed
 *   calls the user has not seen yet, when @since is when they last looked)
 */
guint
sp_call_tracker_count_missed_since (SpCallTracker *self,
                                    gint64         since)
{
  guint n, missed = 0;

  g_return_val_if_fail (SP_IS_CALL_TRACKER (self), 0);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->recent));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpCall) call = g_list_model_get_item (G_LIST_MODEL (self->recent), i);

      if (sp_call_get_state (call) == SP_CALL_STATE_MISSED && sp_call_get_started (call) > since)
        missed++;
    }

  return missed;
}

/**
 * sp_call_tracker_end_account:
 *
 * Expires every live call of @account_id: the account was removed or disabled, so
 * nothing will ever end its calls.
 */
void
sp_call_tracker_end_account (SpCallTracker *self,
                             const char    *account_id)
{
  g_return_if_fail (SP_IS_CALL_TRACKER (self));

  for (guint i = self->live->len; i > 0; i--)
    {
      Entry *entry = g_ptr_array_index (self->live, i - 1);

      if (g_strcmp0 (sp_call_get_account_id (entry->call), account_id) == 0)
        {
          entry->expires_at = 0;
          sp_call_expire (entry->call);
          emit_changed (self, entry, TRUE);
        }
    }
}

/**
 * sp_call_tracker_set_region:
 * @self: a tracker
 * @region: (nullable): the user's region ("JP"), or %NULL for the locale's
 *
 * Sets the region the numbers of new calls are read against.
 */
void
sp_call_tracker_set_region (SpCallTracker *self,
                            const char    *region)
{
  g_return_if_fail (SP_IS_CALL_TRACKER (self));

  g_free (self->region);
  self->region = region != NULL && *region != '\0' ? g_strdup (region) : NULL;
}

/**
 * sp_call_tracker_set_contact:
 * @self: a tracker
 * @call: a call of this tracker, live or recent
 * @contact: (nullable): who is calling, as a directory answered
 *
 * Puts what a directory answered on @call. A live call is announced again
 * (#SpCallTracker::call-changed, details only), so that its notification and rows update
 * in place; a call that finished meanwhile only keeps the contact.
 */
void
sp_call_tracker_set_contact (SpCallTracker   *self,
                             SpCall          *call,
                             const SpContact *contact)
{
  g_autofree char *key = NULL;
  Entry *entry;

  g_return_if_fail (SP_IS_CALL_TRACKER (self));
  g_return_if_fail (SP_IS_CALL (call));

  if (!sp_call_set_contact (call, contact))
    return;

  key = make_key (sp_call_get_account_id (call), sp_call_get_call_id (call));
  entry = g_hash_table_lookup (self->by_key, key);
  if (entry != NULL && entry->call == call)
    emit_changed (self, entry, FALSE);
}
