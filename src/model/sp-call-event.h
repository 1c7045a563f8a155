/* sp-call-event.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * SpCallEventKind:
 * @SP_CALL_EVENT_RINGING: the call rings at the agent
 * @SP_CALL_EVENT_ANSWERED: the call was answered
 * @SP_CALL_EVENT_ENDED: the call ended (after an answer, or the source does not know)
 * @SP_CALL_EVENT_MISSED: the call ended without being answered
 *
 * What happened to a call, in the one vocabulary every telephony backend maps to.
 */
typedef enum
{
  SP_CALL_EVENT_RINGING,
  SP_CALL_EVENT_ANSWERED,
  SP_CALL_EVENT_ENDED,
  SP_CALL_EVENT_MISSED,
} SpCallEventKind;

typedef enum
{
  SP_CALL_DIRECTION_INCOMING,
  SP_CALL_DIRECTION_OUTGOING,
} SpCallDirection;

#define SP_TYPE_CALL_EVENT (sp_call_event_get_type ())

/**
 * SpCallEvent:
 *
 * One normalized telephony event. Sources fill it, the call tracker merges it into an
 * #SpCall. Fields are public and the struct is reference counted; treat it as immutable
 * once emitted.
 */
typedef struct
{
  char            *account_id;
  char            *call_id;
  SpCallEventKind  kind;
  SpCallDirection  direction;
  char            *number;      /* remote party's number, may be NULL */
  char            *name;        /* remote party's name, may be NULL */
  char            *exten;       /* local extension, may be NULL */
  char            *queue;       /* queue or group, may be NULL */
  gint64           timestamp;   /* wall-clock, microseconds since the epoch */
  guint            ring_timeout; /* seconds; 0 uses the tracker's default */
  gboolean         no_end;      /* the source never reports an end: expiry is the end */
  GHashTable      *vars;        /* (element-type utf8 utf8): extra variables */
} SpCallEvent;

GType        sp_call_event_get_type (void) G_GNUC_CONST;
SpCallEvent *sp_call_event_new      (const char      *account_id,
                                     const char      *call_id,
                                     SpCallEventKind  kind);
SpCallEvent *sp_call_event_ref      (SpCallEvent     *self);
void         sp_call_event_unref    (SpCallEvent     *self);
void         sp_call_event_set_var  (SpCallEvent     *self,
                                     const char      *name,
                                     const char      *value);
const char  *sp_call_event_kind_to_string (SpCallEventKind kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpCallEvent, sp_call_event_unref)

G_END_DECLS
