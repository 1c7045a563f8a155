/* sp-pbxis-dials.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-pbxis"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "sp-pbxis-dials.h"
#include "sp-source.h"

/*
 * The dials of SpPbxisCalls (sp-pbxis-calls.c), pure as it is: which are waiting, for
 * what and until when, and how those that are over ended.
 *
 * POST /originate says nothing of the call: pbxis-ws answers the action id also when
 * Asterisk refused the Originate (pbxis.clj lines 86-96), and reports a failure as
 * `originateFailed` whose "agent" is the dialled number (line 460), which a ticket of
 * agents filters out. So a dial is followed: Asterisk rings the agent's own phone at once,
 * and a dial whose phone has not rung after DIAL_RING_WAIT_SECONDS was not placed; a phone
 * that rings and is not picked up is given up by Asterisk after 30 s, and here after
 * DIAL_PICKUP_WAIT_SECONDS. The calls decide which ring and which pick-up are a dial's.
 */

/* Asterisk rings the agent's phone as soon as it takes the originate: a dial whose phone
 * has not rung after this long was not placed (Asterisk said Error, or the extension has
 * no phone). */
#define DIAL_RING_WAIT_SECONDS 10
/* Asterisk gives up an originate that is not picked up after 30 s (its default timeout;
 * pbxis sets none); a little more, for the event to come. */
#define DIAL_PICKUP_WAIT_SECONDS 40

struct _SpPbxisDials
{
  char      *account_id;
  GPtrArray *dials;     /* (element-type SpPbxisDial) oldest first */
  GPtrArray *results;   /* (element-type SpPbxisDialResult) not taken yet */
  guint      serial;
};

static void
dial_free (SpPbxisDial *dial)
{
  g_free (dial->agent);
  g_free (dial->number);
  g_free (dial->action_id);
  g_free (dial);
}

static SpPbxisDial *
find_dial (SpPbxisDials *self,
           guint         id)
{
  for (guint i = 0; i < self->dials->len; i++)
    {
      SpPbxisDial *dial = g_ptr_array_index (self->dials, i);

      if (dial->id == id)
        return dial;
    }

  return NULL;
}

/* @dial is over, with @error (taken) or placed; its result waits to be taken. */
static void
finish (SpPbxisDials *self,
        SpPbxisDial  *dial,
        GError       *error)
{
  SpPbxisDialResult *result = g_new0 (SpPbxisDialResult, 1);

  g_debug ("[%s] Dial %u of %s to %s: %s", self->account_id, dial->id, dial->agent,
           dial->number, error ? error->message : "picked up");
  result->id = dial->id;
  result->error = error;
  g_ptr_array_add (self->results, result);
  g_ptr_array_remove (self->dials, dial);
}

/**
 * sp_pbxis_dials_new:
 * @account_id: the account's, for the log
 *
 * Returns: (transfer full): no dials
 */
SpPbxisDials *
sp_pbxis_dials_new (const char *account_id)
{
  SpPbxisDials *self = g_new0 (SpPbxisDials, 1);

  self->account_id = g_strdup (account_id);
  self->dials = g_ptr_array_new_with_free_func ((GDestroyNotify) dial_free);
  self->results = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_pbxis_dial_result_free);

  return self;
}

/**
 * sp_pbxis_dials_free:
 * @self: (nullable): the dials; those not over are dropped without a result
 */
void
sp_pbxis_dials_free (SpPbxisDials *self)
{
  if (self == NULL)
    return;

  g_ptr_array_unref (self->dials);
  g_ptr_array_unref (self->results);
  g_free (self->account_id);
  g_free (self);
}

/**
 * sp_pbxis_dials_begin:
 * @agent: the extension whose phone the dial rings first
 * @number: the number dialled, as sent
 * @now: the monotonic time, in microseconds
 *
 * Returns: the new dial's id, never 0; it waits for its phone to ring
 */
guint
sp_pbxis_dials_begin (SpPbxisDials *self,
                      const char   *agent,
                      const char   *number,
                      gint64        now)
{
  SpPbxisDial *dial;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (agent != NULL, 0);
  g_return_val_if_fail (number != NULL, 0);

  dial = g_new0 (SpPbxisDial, 1);
  dial->id = ++self->serial;
  if (dial->id == 0)
    dial->id = ++self->serial;
  dial->agent = g_strdup (agent);
  dial->number = g_strdup (number);
  dial->phase = SP_PBXIS_DIAL_SENT;
  dial->deadline = now + DIAL_RING_WAIT_SECONDS * G_USEC_PER_SEC;
  g_ptr_array_add (self->dials, dial);

  return dial->id;
}

/**
 * sp_pbxis_dials_sent:
 * @id: a dial
 * @action_id: (nullable): pbxis-ws's answer, the id an `originateFailed` would carry
 */
void
sp_pbxis_dials_sent (SpPbxisDials *self,
                     guint         id,
                     const char   *action_id)
{
  SpPbxisDial *dial;

  g_return_if_fail (self != NULL);

  dial = find_dial (self, id);
  if (dial != NULL)
    {
      g_free (dial->action_id);
      dial->action_id = g_strdup (action_id);
    }
}

/**
 * sp_pbxis_dials_cancel:
 * @id: a dial, over or not
 *
 * Forgets the dial without a result.
 */
void
sp_pbxis_dials_cancel (SpPbxisDials *self,
                       guint         id)
{
  SpPbxisDial *dial;

  g_return_if_fail (self != NULL);

  dial = find_dial (self, id);
  if (dial != NULL)
    g_ptr_array_remove (self->dials, dial);
}

/**
 * sp_pbxis_dials_find_agent:
 *
 * Returns: (transfer none) (nullable): the oldest dial of @agent in @phase
 */
SpPbxisDial *
sp_pbxis_dials_find_agent (SpPbxisDials     *self,
                           const char       *agent,
                           SpPbxisDialPhase  phase)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->dials->len; i++)
    {
      SpPbxisDial *dial = g_ptr_array_index (self->dials, i);

      if (dial->phase == phase && g_strcmp0 (dial->agent, agent) == 0)
        return dial;
    }

  return NULL;
}

/**
 * sp_pbxis_dials_ring:
 *
 * @dial's phone rings: it now waits for the agent to pick it up.
 */
void
sp_pbxis_dials_ring (SpPbxisDials *self,
                     SpPbxisDial  *dial,
                     gint64        now)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (dial != NULL);

  g_debug ("[%s] %s rings for dial %u", self->account_id, dial->agent, dial->id);
  dial->phase = SP_PBXIS_DIAL_RINGING;
  dial->deadline = now + DIAL_PICKUP_WAIT_SECONDS * G_USEC_PER_SEC;
}

/**
 * sp_pbxis_dials_unring:
 *
 * The ring taken for @dial's was not: it waits for its own again.
 */
void
sp_pbxis_dials_unring (SpPbxisDials *self,
                       SpPbxisDial  *dial,
                       gint64        now)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (dial != NULL);

  g_debug ("[%s] The ring of %s was not dial %u's", self->account_id, dial->agent, dial->id);
  dial->phase = SP_PBXIS_DIAL_SENT;
  dial->deadline = now + DIAL_RING_WAIT_SECONDS * G_USEC_PER_SEC;
}

/**
 * sp_pbxis_dials_succeed:
 *
 * The agent picked up @dial's phone: the call is placed, and @dial is over (and freed).
 */
void
sp_pbxis_dials_succeed (SpPbxisDials *self,
                        SpPbxisDial  *dial)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (dial != NULL);

  finish (self, dial, NULL);
}

/**
 * sp_pbxis_dials_fail:
 * @format: why, for the person who dialled
 *
 * @dial was not placed: it is over (and freed).
 */
void
sp_pbxis_dials_fail (SpPbxisDials *self,
                     SpPbxisDial  *dial,
                     const char   *format,
                     ...)
{
  va_list args;
  GError *error;

  g_return_if_fail (self != NULL);
  g_return_if_fail (dial != NULL);

  va_start (args, format);
  error = g_error_new_valist (SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED, format, args);
  va_end (args);

  finish (self, dial, error);
}

/**
 * sp_pbxis_dials_originate_failed:
 * @event: an `originateFailed`; its "agent" is the dialled number (a server quirk)
 *
 * Fails the dial it is about: the one with its action id.
 */
void
sp_pbxis_dials_originate_failed (SpPbxisDials       *self,
                                 const SpPbxisEvent *event)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (event != NULL);

  for (guint i = 0; i < self->dials->len; i++)
    {
      SpPbxisDial *dial = g_ptr_array_index (self->dials, i);

      if ((event->action_id != NULL && g_strcmp0 (dial->action_id, event->action_id) == 0) ||
          (event->action_id == NULL && g_strcmp0 (dial->number, event->agent) == 0))
        {
          sp_pbxis_dials_fail (self, dial, _("Asterisk could not place the call"));
          return;
        }
    }
}

/* The digits (and the dial plan's "*" and "#") of @number without leading zeros, into @out
 * (at least SP_PBXIS_MAX_NUMBER + 1 bytes): "+385 91 555-1234" and "0915551234" give
 * "385915551234" and "915551234". */
static void
significant_digits (const char *number,
                    char       *out)
{
  gsize n = 0;

  for (const char *p = number; *p != '\0' && n < SP_PBXIS_MAX_NUMBER; p++)
    {
      if ((g_ascii_isdigit (*p) || *p == '*' || *p == '#') && (n > 0 || *p != '0'))
        out[n++] = *p;
    }
  out[n] = '\0';
}

/**
 * sp_pbxis_number_matches:
 * @dialled: a number as we dialled it
 * @named: a number as a Bridge names the other side
 * @exact: whether only the same digits count
 *
 * Whether @named is @dialled. The dialplan may have written it otherwise (the Bridge names
 * the extension app_dial dialled): "+385915551234" may come back as "0915551234". Short of
 * @exact, one may be the other with a prefix taken off or put on, when that leaves at least
 * six digits, which no prefix is.
 *
 * Returns: %TRUE if they match
 */
gboolean
sp_pbxis_number_matches (const char *dialled,
                         const char *named,
                         gboolean    exact)
{
  char a[SP_PBXIS_MAX_NUMBER + 1];
  char b[SP_PBXIS_MAX_NUMBER + 1];
  gsize length_a, length_b;

  if (dialled == NULL || named == NULL)
    return FALSE;

  significant_digits (dialled, a);
  significant_digits (named, b);
  length_a = strlen (a);
  length_b = strlen (b);
  if (length_a == 0 || length_b == 0)
    return FALSE;

  if (length_a == length_b)
    return strcmp (a, b) == 0;
  if (exact || MIN (length_a, length_b) < 6)
    return FALSE;

  return length_a > length_b ? g_str_has_suffix (a, b) : g_str_has_suffix (b, a);
}

/**
 * sp_pbxis_dials_find_number:
 * @agent: the extension
 * @number: the number a Bridge named
 * @exact: see sp_pbxis_number_matches()
 *
 * Returns: (transfer none) (nullable): the oldest dial of @agent, in any phase, whose number
 *   is @number
 */
SpPbxisDial *
sp_pbxis_dials_find_number (SpPbxisDials *self,
                            const char   *agent,
                            const char   *number,
                            gboolean      exact)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->dials->len; i++)
    {
      SpPbxisDial *dial = g_ptr_array_index (self->dials, i);

      if (g_strcmp0 (dial->agent, agent) == 0 &&
          sp_pbxis_number_matches (dial->number, number, exact))
        return dial;
    }

  return NULL;
}

/**
 * sp_pbxis_dials_get_deadline:
 *
 * Returns: the monotonic time at which the first dial gives up, or -1 if none waits
 */
gint64
sp_pbxis_dials_get_deadline (SpPbxisDials *self)
{
  gint64 deadline = -1;

  g_return_val_if_fail (self != NULL, -1);

  for (guint i = 0; i < self->dials->len; i++)
    {
      SpPbxisDial *dial = g_ptr_array_index (self->dials, i);

      if (deadline < 0 || dial->deadline < deadline)
        deadline = dial->deadline;
    }

  return deadline;
}

/**
 * sp_pbxis_dials_expire:
 * @now: the monotonic time, in microseconds
 *
 * Fails the dials whose phone did not ring, or was not picked up, by @now.
 */
void
sp_pbxis_dials_expire (SpPbxisDials *self,
                       gint64        now)
{
  g_return_if_fail (self != NULL);

  for (guint i = 0; i < self->dials->len;)
    {
      SpPbxisDial *dial = g_ptr_array_index (self->dials, i);

      if (dial->deadline > now)
        i++;
      else if (dial->phase == SP_PBXIS_DIAL_SENT)
        sp_pbxis_dials_fail (self, dial, _("the phone of extension %s did not ring; Asterisk did not place the call"),
                             dial->agent);
      else
        sp_pbxis_dials_fail (self, dial, _("nobody picked up extension %s"), dial->agent);
    }
}

/**
 * sp_pbxis_dials_fail_all:
 *
 * The connection is gone for good: no dial can be followed any more.
 */
void
sp_pbxis_dials_fail_all (SpPbxisDials *self)
{
  g_return_if_fail (self != NULL);

  while (self->dials->len > 0)
    sp_pbxis_dials_fail (self, g_ptr_array_index (self->dials, 0),
                         _("the connection to pbxis-ws was closed"));
}

/**
 * sp_pbxis_dials_get_n:
 *
 * Returns: how many dials are not over
 */
guint
sp_pbxis_dials_get_n (SpPbxisDials *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->dials->len;
}

/**
 * sp_pbxis_dials_take_results:
 *
 * Returns: (transfer full) (element-type SpPbxisDialResult): the dials that ended since
 *   the last call, in order
 */
GPtrArray *
sp_pbxis_dials_take_results (SpPbxisDials *self)
{
  GPtrArray *results;

  g_return_val_if_fail (self != NULL, NULL);

  results = g_steal_pointer (&self->results);
  self->results = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_pbxis_dial_result_free);

  return results;
}

/**
 * sp_pbxis_dial_result_free:
 * @result: (nullable): a result
 */
void
sp_pbxis_dial_result_free (SpPbxisDialResult *result)
{
  if (result == NULL)
    return;

  g_clear_error (&result->error);
  g_free (result);
}
