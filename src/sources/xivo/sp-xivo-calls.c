/* sp-xivo-calls.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-xivo"

#include "config.h"

#include <string.h>

#include "sp-xivo-calls.h"

/*
 * The pure half of the XiVO backend (protocols/xivo.md §6): from the PhoneEvents that
 * sp_xivo_message_parse() made of the CTI frames, and from the answer to
 * getCurrentCallsPhoneEvents, to #SpCallEvent. No I/O and no main loop: SpXivoSource feeds
 * it what the link brings and emits what comes out; tests/unit/test-xivo-calls.c feeds it
 * data files.
 *
 * A call is keyed by linkedId (the parser falls back on uniqueId), the same across the legs
 * of one call; the leg's uniqueId is kept for answer and hangup. The calls live here are
 * kept across reconnects, so that the resynchronisation can end the ones that ended while
 * the link was down.
 */

typedef struct
{
  SpCallDirection  direction;
  char            *unique_id;   /* this leg, for answer and hangup */
} LiveCall;

struct _SpXivoCalls
{
  SpAccount           *account;
  SpXivoCallsEmitFunc  emit;
  gpointer             user_data;
  GHashTable          *live;    /* call id → LiveCall */
};

static void
live_call_free (LiveCall *call)
{
  g_free (call->unique_id);
  g_free (call);
}

static const char *
account_id (SpXivoCalls *self)
{
  return sp_account_get_id (self->account);
}

/**
 * sp_xivo_calls_new:
 * @account: the account the calls are for: its id, its extensions (which lines are ours)
 *   and its ring timeout, read as each event comes
 * @emit: called with every call event, in order, until the mapping is freed
 * @user_data: for @emit
 *
 * Returns: (transfer full): a mapping that knows no call yet
 */
SpXivoCalls *
sp_xivo_calls_new (SpAccount           *account,
                   SpXivoCallsEmitFunc  emit,
                   gpointer             user_data)
{
  SpXivoCalls *self;

  g_return_val_if_fail (SP_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (emit != NULL, NULL);

  self = g_new0 (SpXivoCalls, 1);
  self->account = g_object_ref (account);
  self->emit = emit;
  self->user_data = user_data;
  self->live = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) live_call_free);

  return self;
}

void
sp_xivo_calls_free (SpXivoCalls *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->live, g_hash_table_unref);
  g_clear_object (&self->account);
  g_free (self);
}

static void
emit (SpXivoCalls            *self,
      const SpXivoPhoneEvent *phone_event,
      SpCallEventKind         kind,
      SpCallDirection         direction)
{
  g_autoptr(SpCallEvent) event = sp_call_event_new (account_id (self), phone_event->call_id, kind);
  GHashTableIter iter;
  gpointer key, value;

  event->direction = direction;
  event->number = g_strdup (phone_event->other_dn);
  event->name = g_strdup (phone_event->other_dname);
  event->exten = g_strdup (phone_event->dn);
  event->queue = g_strdup (phone_event->queue_name);
  event->ring_timeout = sp_account_get_ring_timeout (self->account);

  g_hash_table_iter_init (&iter, phone_event->user_data);
  while (g_hash_table_iter_next (&iter, &key, &value))
    sp_call_event_set_var (event, key, value);

  self->emit (event, self->user_data);
}

static SpCallDirection
direction_of (const SpXivoPhoneEvent *event)
{
  if (event->type == SP_XIVO_PHONE_EVENT_DIALING ||
      g_strcmp0 (event->direction, "Outgoing") == 0)
    return SP_CALL_DIRECTION_OUTGOING;

  return SP_CALL_DIRECTION_INCOMING;
}

/**
 * sp_xivo_calls_phone_event:
 * @event: a PhoneEvent of the CTI link
 *
 * Ringing and dialing ring, established answers, released ends, for the account's lines
 * only; the other events (hold, resume, …) change nothing. The direction is that of the
 * first event of the call.
 */
void
sp_xivo_calls_phone_event (SpXivoCalls            *self,
                           const SpXivoPhoneEvent *event)
{
  LiveCall *call;

  g_return_if_fail (self != NULL);
  g_return_if_fail (event != NULL);

  call = g_hash_table_lookup (self->live, event->call_id);

  if (!sp_account_matches_extension (self->account, event->dn))
    {
      g_debug ("[%s] %s for line “%s” is not ours", account_id (self), event->event_type,
               event->dn ? event->dn : "");
      return;
    }

  switch (event->type)
    {
    case SP_XIVO_PHONE_EVENT_DIALING:
    case SP_XIVO_PHONE_EVENT_RINGING:
      if (call == NULL)
        {
          call = g_new0 (LiveCall, 1);
          call->direction = direction_of (event);
          g_hash_table_insert (self->live, g_strdup (event->call_id), call);
        }
      g_free (call->unique_id);
      call->unique_id = g_strdup (event->unique_id);
      emit (self, event, SP_CALL_EVENT_RINGING, call->direction);
      break;

    case SP_XIVO_PHONE_EVENT_ESTABLISHED:
      if (call == NULL)
        {
          /* A call first seen answered: picked up elsewhere, or found by a resync. */
          call = g_new0 (LiveCall, 1);
          call->direction = direction_of (event);
          g_hash_table_insert (self->live, g_strdup (event->call_id), call);
        }
      if (event->unique_id != NULL)
        {
          g_free (call->unique_id);
          call->unique_id = g_strdup (event->unique_id);
        }
      emit (self, event, SP_CALL_EVENT_ANSWERED, call->direction);
      break;

    case SP_XIVO_PHONE_EVENT_RELEASED:
      /* The end of a call we never saw would pop up as a missed call out of nowhere. */
      if (call == NULL)
        {
          g_debug ("[%s] EventReleased for unknown call %s", account_id (self), event->call_id);
          return;
        }
      emit (self, event, SP_CALL_EVENT_ENDED, call->direction);
      g_hash_table_remove (self->live, event->call_id);
      break;

    case SP_XIVO_PHONE_EVENT_OTHER:
    default:
      g_debug ("[%s] Ignored %s of call %s", account_id (self), event->event_type, event->call_id);
      break;
    }
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/**
 * sp_xivo_calls_resync:
 * @events: (element-type SpXivoPhoneEvent): the answer to getCurrentCallsPhoneEvents,
 *   the calls the server knows are live
 *
 * Each listed call is brought up to date as if its event came now, but for a listed
 * EventReleased, which is not replayed (the call stays as it was). Ours that the server
 * does not list ended while the link was down: they end, with no outcome of their own, in
 * the order of their ids.
 */
void
sp_xivo_calls_resync (SpXivoCalls *self,
                      GPtrArray   *events)
{
  g_autoptr(GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key, value;

  g_return_if_fail (self != NULL);
  g_return_if_fail (events != NULL);

  for (guint i = 0; i < events->len; i++)
    {
      SpXivoPhoneEvent *event = g_ptr_array_index (events, i);

      g_hash_table_add (listed, event->call_id);
      if (event->type != SP_XIVO_PHONE_EVENT_RELEASED)
        sp_xivo_calls_phone_event (self, event);
    }

  g_hash_table_iter_init (&iter, self->live);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (!g_hash_table_contains (listed, key))
        g_ptr_array_add (gone, g_strdup (key));
    }
  /* In an order of their own, not the hash table's, which changes with GLib. */
  g_ptr_array_sort (gone, compare_ids);

  for (guint i = 0; i < gone->len; i++)
    {
      const char *call_id = g_ptr_array_index (gone, i);
      LiveCall *call = g_hash_table_lookup (self->live, call_id);
      g_autoptr(SpCallEvent) event = sp_call_event_new (account_id (self), call_id,
                                                        SP_CALL_EVENT_ENDED);

      g_debug ("[%s] Call %s ended while the link was down", account_id (self), call_id);
      event->direction = call->direction;
      /* Should the tracker have forgotten the call meanwhile, its end must not come back as
       * a new call, missed out of nowhere: for a call it does not know, the outcome is
       * unknown. */
      event->no_end = TRUE;
      g_hash_table_remove (self->live, call_id);
      self->emit (event, self->user_data);
    }

  g_debug ("[%s] Resynchronised: %u live calls", account_id (self), g_hash_table_size (self->live));
}

/**
 * sp_xivo_calls_forget:
 *
 * Forgets every call without a word: the account was stopped, and the tracker ends its
 * calls itself. (After a failure the calls are kept, for the next resynchronisation.)
 */
void
sp_xivo_calls_forget (SpXivoCalls *self)
{
  g_return_if_fail (self != NULL);

  g_hash_table_remove_all (self->live);
}

/**
 * sp_xivo_calls_get_n_live:
 *
 * Returns: how many calls are live
 */
guint
sp_xivo_calls_get_n_live (SpXivoCalls *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return g_hash_table_size (self->live);
}

/**
 * sp_xivo_calls_lookup:
 * @call_id: a call id, as in the call events
 * @unique_id: (out) (optional) (transfer none) (nullable): the leg the call is on, for
 *   answer and hangup, if the server named it
 *
 * Returns: whether @call_id is live
 */
gboolean
sp_xivo_calls_lookup (SpXivoCalls  *self,
                      const char   *call_id,
                      const char  **unique_id)
{
  LiveCall *call;

  g_return_val_if_fail (self != NULL, FALSE);

  call = call_id ? g_hash_table_lookup (self->live, call_id) : NULL;
  if (unique_id != NULL)
    *unique_id = call ? call->unique_id : NULL;

  return call != NULL;
}
