/* sp-source-facts.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-source"

#include "config.h"

#include "sp-secret.h"
#include "sp-source.h"

/*
 * What a connected source knows of its user and of its queues beyond the account's
 * settings, for the third-party web service. Apart from sp-source.c, which is the
 * connection's life, because these are plain questions to the backend.
 */

/**
 * sp_source_get_user_facts:
 * @facts: (out caller-allocates): filled in; clear with sp_user_facts_clear()
 *
 * What the server told of the account's user (see #SpUserFacts): for the third-party web
 * service, which sends it with every call whatever the backend.
 */
void
sp_source_get_user_facts (SpSource    *self,
                          SpUserFacts *facts)
{
  g_return_if_fail (SP_IS_SOURCE (self));
  g_return_if_fail (facts != NULL);

  *facts = (SpUserFacts) { 0, };
  if (SP_SOURCE_GET_CLASS (self)->get_user_facts != NULL)
    SP_SOURCE_GET_CLASS (self)->get_user_facts (self, facts);
}

/**
 * sp_user_facts_clear:
 *
 * Frees what @facts holds (the token, wiped) and zeroes it.
 */
void
sp_user_facts_clear (SpUserFacts *facts)
{
  g_return_if_fail (facts != NULL);

  g_clear_pointer (&facts->token, sp_secret_free);
  g_clear_pointer (&facts->first_name, g_free);
  g_clear_pointer (&facts->last_name, g_free);
  g_clear_pointer (&facts->full_name, g_free);
  facts->agent_id = 0;
  facts->user_id = 0;
}

/**
 * sp_source_get_queue_facts:
 * @name: a queue's name, as the source's calls give it
 * @facts: (out caller-allocates): filled in; clear with sp_queue_facts_clear()
 *
 * What the server told of the queue @name (see #SpQueueFacts): for the third-party web
 * service, which sends it with a call that came through a queue.
 *
 * Returns: whether the server told of @name
 */
gboolean
sp_source_get_queue_facts (SpSource     *self,
                           const char   *name,
                           SpQueueFacts *facts)
{
  g_return_val_if_fail (SP_IS_SOURCE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (facts != NULL, FALSE);

  *facts = (SpQueueFacts) { 0, };
  if (SP_SOURCE_GET_CLASS (self)->get_queue_facts == NULL)
    return FALSE;

  return SP_SOURCE_GET_CLASS (self)->get_queue_facts (self, name, facts);
}

/**
 * sp_queue_facts_clear:
 *
 * Frees what @facts holds and zeroes it.
 */
void
sp_queue_facts_clear (SpQueueFacts *facts)
{
  g_return_if_fail (facts != NULL);

  g_clear_pointer (&facts->display_name, g_free);
  g_clear_pointer (&facts->number, g_free);
  facts->id = 0;
}
