/* sp-call.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-call-event.h"
#include "sp-contact.h"
#include "sp-phone-number.h"

G_BEGIN_DECLS

/**
 * SpCallState:
 * @SP_CALL_STATE_RINGING: ringing at the agent
 * @SP_CALL_STATE_ANSWERED: in progress
 * @SP_CALL_STATE_ENDED: over, after an answer
 * @SP_CALL_STATE_MISSED: over, never answered
 * @SP_CALL_STATE_EXPIRED: a ring whose end was never reported (outcome unknown)
 */
typedef enum
{
  SP_CALL_STATE_RINGING,
  SP_CALL_STATE_ANSWERED,
  SP_CALL_STATE_ENDED,
  SP_CALL_STATE_MISSED,
  SP_CALL_STATE_EXPIRED,
} SpCallState;

#define SP_TYPE_CALL (sp_call_get_type ())

G_DECLARE_FINAL_TYPE (SpCall, sp_call, SP, CALL, GObject)

SpCall          *sp_call_new_from_event (const SpCallEvent *event);
const char      *sp_call_get_account_id (SpCall            *self);
const char      *sp_call_get_call_id    (SpCall            *self);
SpCallState      sp_call_get_state      (SpCall            *self);
SpCallDirection  sp_call_get_direction  (SpCall            *self);
const char      *sp_call_get_number     (SpCall            *self);
const char      *sp_call_get_name       (SpCall            *self);
const char      *sp_call_get_exten      (SpCall            *self);
const char      *sp_call_get_queue      (SpCall            *self);
const char      *sp_call_get_var        (SpCall            *self,
                                         const char        *name);
GHashTable      *sp_call_get_vars       (SpCall            *self);
gint64           sp_call_get_started    (SpCall            *self);
gint64           sp_call_get_answered   (SpCall            *self);
gint64           sp_call_get_ended      (SpCall            *self);
gboolean         sp_call_is_finished    (SpCall            *self);
char            *sp_call_dup_title      (SpCall            *self);
gboolean         sp_call_number_is_withheld (const char    *number);
void             sp_call_set_region     (SpCall            *self,
                                         const char        *region);
const SpPhoneNumber *sp_call_get_phone_number (SpCall      *self);
const char      *sp_call_get_display_number (SpCall        *self);
const char      *sp_call_get_display_name (SpCall          *self);
const SpContact *sp_call_get_contact    (SpCall            *self);
gboolean         sp_call_set_contact    (SpCall            *self,
                                         const SpContact   *contact);
gboolean         sp_call_apply_event    (SpCall            *self,
                                         const SpCallEvent *event,
                                         gboolean          *state_changed);
void             sp_call_expire         (SpCall            *self);
const char      *sp_call_state_to_string (SpCallState       state);

G_END_DECLS
