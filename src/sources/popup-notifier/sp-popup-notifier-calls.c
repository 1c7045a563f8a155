/* sp-popup-notifier-calls.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-popup-notifier"

#include "config.h"

#include "sp-popup-notifier-calls.h"

/*
 * What a popup-notifier CALL_IN means for the account, as SpCallEvents: pure, no I/O and
 * no main loop (the source passes the receive time), so that
 * tests/unit/test-popup-notifier-calls.c checks it from tests/data/popup-notifier-calls/.
 *
 * The daemon broadcasts every call to everybody, with no call id and no end of call. A
 * CALL_IN is ours when the account's extensions say so (sp_account_matches_extension(): a
 * trigger without an extension is everybody's unless the account says otherwise). Each ring
 * gets a local id and expires after the account's ring timeout (no_end), or ends when a
 * newer ring from the same number to the same extension replaces it (the PBX retrying, or
 * the caller calling again). A ring from another number is another call, even on the same
 * extension: the daemon's Asterisk example triggers with exten=all for a main number, where
 * two callers ring at once, and a queue rings an agent's phone with a second caller while
 * the first waits.
 */

/* Rings remembered before the first look for expired ones. */
#define PRUNE_AT 64

typedef struct
{
  char   *call_id;
  gint64  at;       /* received, µs since the epoch */
} Ring;

struct _SpPopupNotifierCalls
{
  SpAccount  *account;
  GHashTable *ringing;   /* ring_key() → Ring, the current ring of that caller there */
  guint       prune_at;
  guint64     serial;
};

static void
ring_free (Ring *ring)
{
  g_free (ring->call_id);
  g_free (ring);
}

/* Every caller is remembered until the ring timeout, not more: forgets the rings that have
 * expired by now. A walk of the table only when it doubled, so that a burst of callers stays
 * linear. */
static void
prune (SpPopupNotifierCalls *self,
       gint64                now)
{
  gint64 timeout = (gint64) sp_account_get_ring_timeout (self->account) * G_USEC_PER_SEC;
  GHashTableIter iter;
  gpointer value;

  if (g_hash_table_size (self->ringing) < self->prune_at)
    return;

  g_hash_table_iter_init (&iter, self->ringing);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Ring *ring = value;

      if (now - ring->at > timeout)
        g_hash_table_iter_remove (&iter);
    }

  self->prune_at = MAX (PRUNE_AT, 2 * g_hash_table_size (self->ringing));
}

/* Which rings are the same call: the same number to the same extension. The unit separator
 * cannot come from the query string of a trigger. */
static char *
ring_key (const SpPopupCallIn *call_in)
{
  return g_strconcat (call_in->exten, "\x1f", call_in->phone ? call_in->phone : "", NULL);
}

/**
 * sp_popup_notifier_calls_new:
 * @account: the account whose extensions and ring timeout decide, read at each CALL_IN
 *
 * Returns: (transfer full): the calls of @account, none ringing
 */
SpPopupNotifierCalls *
sp_popup_notifier_calls_new (SpAccount *account)
{
  SpPopupNotifierCalls *self;

  g_return_val_if_fail (SP_IS_ACCOUNT (account), NULL);

  self = g_new0 (SpPopupNotifierCalls, 1);
  self->account = g_object_ref (account);
  self->ringing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) ring_free);
  self->prune_at = PRUNE_AT;

  return self;
}

void
sp_popup_notifier_calls_free (SpPopupNotifierCalls *self)
{
  if (self == NULL)
    return;

  g_hash_table_unref (self->ringing);
  g_object_unref (self->account);
  g_free (self);
}

/**
 * sp_popup_notifier_calls_reset:
 *
 * Forgets the rings, for a connection that ended: the next CALL_IN replaces none.
 */
void
sp_popup_notifier_calls_reset (SpPopupNotifierCalls *self)
{
  g_return_if_fail (self != NULL);

  g_hash_table_remove_all (self->ringing);
}

/**
 * sp_popup_notifier_calls_call_in:
 * @call_in: a CALL_IN, as sp_popup_notifier_parse() read it
 * @now: when it was received, in microseconds since the epoch (g_get_real_time()); part
 *   of the call id
 *
 * Returns: (transfer container) (element-type SpCallEvent): the events to emit, in order:
 *   none for a call that is not ours; the end of the ring it replaces (same number, same
 *   extension), if any, then the new ring
 */
GPtrArray *
sp_popup_notifier_calls_call_in (SpPopupNotifierCalls *self,
                                 const SpPopupCallIn  *call_in,
                                 gint64                now)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *key = NULL;
  const char *account_id;
  Ring *previous;
  Ring *ring;
  SpCallEvent *event;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (call_in != NULL && call_in->exten != NULL, NULL);

  events = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_call_event_unref);
  account_id = sp_account_get_id (self->account);

  if (!sp_account_matches_extension (self->account, call_in->exten))
    {
      g_debug ("[%s] CALL_IN for extension “%s” is not ours", account_id, call_in->exten);
      return g_steal_pointer (&events);
    }

  /* A newer ring from the same number to the same extension replaces the older one. */
  key = ring_key (call_in);
  previous = g_hash_table_lookup (self->ringing, key);
  if (previous != NULL)
    {
      event = sp_call_event_new (account_id, previous->call_id, SP_CALL_EVENT_ENDED);
      event->no_end = TRUE;
      g_ptr_array_add (events, event);
    }

  /* No call id on the wire: the receive time and a serial make one. */
  ring = g_new0 (Ring, 1);
  ring->call_id = g_strdup_printf ("pn-%" G_GINT64_FORMAT "-%" G_GUINT64_FORMAT, now,
                                   ++self->serial);
  ring->at = now;
  g_hash_table_insert (self->ringing, g_steal_pointer (&key), ring);
  prune (self, now);

  event = sp_call_event_new (account_id, ring->call_id, SP_CALL_EVENT_RINGING);
  event->number = g_strdup (call_in->phone);
  /* "all" is the trigger's word for "no extension" (sp_account_matches_extension()): not an
   * extension to show as "Extension: all" or to put in a page's address. */
  event->exten = call_in->exten[0] != '\0' && g_ascii_strcasecmp (call_in->exten, "all") != 0
                 ? g_strdup (call_in->exten) : NULL;
  event->ring_timeout = sp_account_get_ring_timeout (self->account);
  event->no_end = TRUE;
  g_ptr_array_add (events, event);

  return g_steal_pointer (&events);
}
