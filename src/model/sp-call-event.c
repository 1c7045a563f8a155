/* sp-call-event.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-call-event"

#include "config.h"

#include "sp-call-event.h"

G_DEFINE_BOXED_TYPE (SpCallEvent, sp_call_event, sp_call_event_ref, sp_call_event_unref)

static void
sp_call_event_clear (SpCallEvent *self)
{
  g_free (self->account_id);
  g_free (self->call_id);
  g_free (self->number);
  g_free (self->name);
  g_free (self->exten);
  g_free (self->queue);
  g_clear_pointer (&self->vars, g_hash_table_unref);
}

/**
 * sp_call_event_new:
 * @account_id: the account the event came from
 * @call_id: a stable identifier of the call within the account
 * @kind: what happened
 *
 * Returns: (transfer full): a new event stamped with the current time
 */
SpCallEvent *
sp_call_event_new (const char      *account_id,
                   const char      *call_id,
                   SpCallEventKind  kind)
{
  SpCallEvent *self;

  g_return_val_if_fail (account_id != NULL, NULL);
  g_return_val_if_fail (call_id != NULL, NULL);

  self = g_atomic_rc_box_new0 (SpCallEvent);
  self->account_id = g_strdup (account_id);
  self->call_id = g_strdup (call_id);
  self->kind = kind;
  self->direction = SP_CALL_DIRECTION_INCOMING;
  self->timestamp = g_get_real_time ();

  return self;
}

SpCallEvent *
sp_call_event_ref (SpCallEvent *self)
{
  return g_atomic_rc_box_acquire (self);
}

void
sp_call_event_unref (SpCallEvent *self)
{
  g_atomic_rc_box_release_full (self, (GDestroyNotify) sp_call_event_clear);
}

void
sp_call_event_set_var (SpCallEvent *self,
                       const char  *name,
                       const char  *value)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL);

  if (self->vars == NULL)
    self->vars = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (value == NULL)
    g_hash_table_remove (self->vars, name);
  else
    g_hash_table_insert (self->vars, g_strdup (name), g_strdup (value));
}

const char *
sp_call_event_kind_to_string (SpCallEventKind kind)
{
  switch (kind)
    {
    case SP_CALL_EVENT_RINGING:
      return "ringing";
    case SP_CALL_EVENT_ANSWERED:
      return "answered";
    case SP_CALL_EVENT_ENDED:
      return "ended";
    case SP_CALL_EVENT_MISSED:
      return "missed";
    default:
      g_return_val_if_reached ("unknown");
    }
}
