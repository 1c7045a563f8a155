/* sp-pbxis-calls-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-call-event.h"
#include "sp-pbxis.h"
#include "sp-pbxis-dials.h"

G_BEGIN_DECLS

/* Not sp-pbxis-calls.h, which would make an include cycle with sp-pbxis-calls.c. */
typedef struct _SpPbxisCalls SpPbxisCalls;

/* What sp-pbxis-calls-events.c (how each event changes an agent's calls) shares with
 * sp-pbxis-calls.c (the object: its lifetime, feeding, expiry). */

typedef struct
{
  char            *call_id;
  char            *number;         /* NULL until known: a direct call rings without one */
  char            *name;
  char            *queue;
  GPtrArray       *unique_ids;     /* (element-type utf8) of the events that named it */
  gboolean         answered;
  SpCallDirection  direction;
  gboolean         bridged;        /* outgoing: its Bridge came */
} Call;

typedef struct
{
  char                   *agent;
  SpPbxisExtensionStatus  extension;
  GPtrArray              *calls;   /* (element-type Call) oldest first */
  char                   *party;   /* the number pbxis named last; NULL: none */
} Agent;

/* The end of an answered queue call, waiting for its agentComplete. */
typedef struct
{
  char        *agent;
  SpCallEvent *event;
  gint64       deadline;
} PendingEnd;

struct _SpPbxisCalls
{
  char       *account_id;
  guint       ring_timeout;

  /* What we know of the agents; outlives reconnections, because the snapshot of the next
   * ticket is compared with it. */
  GHashTable *agents;       /* agent → Agent */
  GPtrArray  *pending_ends; /* (element-type PendingEnd) */
  SpPbxisDials *dials;
  guint64     serial;
};

void sp_pbxis_calls_handle_phone_number     (SpPbxisCalls       *self,
                                             Agent              *agent,
                                             const SpPbxisEvent *event,
                                             gint64              now,
                                             GPtrArray          *events);
void sp_pbxis_calls_handle_extension_status (SpPbxisCalls       *self,
                                             Agent              *agent,
                                             const SpPbxisEvent *event,
                                             gint64              now,
                                             GPtrArray          *events);
void sp_pbxis_calls_handle_agent_complete   (SpPbxisCalls       *self,
                                             Agent              *agent,
                                             const SpPbxisEvent *event,
                                             gint64              now,
                                             GPtrArray          *events);

G_END_DECLS
