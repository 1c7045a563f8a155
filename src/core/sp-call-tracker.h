/* sp-call-tracker.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sp-call.h"

G_BEGIN_DECLS

#define SP_TYPE_CALL_TRACKER (sp_call_tracker_get_type ())

G_DECLARE_FINAL_TYPE (SpCallTracker, sp_call_tracker, SP, CALL_TRACKER, GObject)

SpCallTracker *sp_call_tracker_new                   (void);
void           sp_call_tracker_push                  (SpCallTracker *self,
                                                      SpCallEvent   *event);
SpCall        *sp_call_tracker_lookup                (SpCallTracker *self,
                                                      const char    *account_id,
                                                      const char    *call_id);
GListModel    *sp_call_tracker_get_recent            (SpCallTracker *self);
void           sp_call_tracker_add_earlier           (SpCallTracker *self,
                                                      SpCall        *call);
guint          sp_call_tracker_count_missed_since    (SpCallTracker *self,
                                                      gint64         since);
void           sp_call_tracker_end_account           (SpCallTracker *self,
                                                      const char    *account_id);
void           sp_call_tracker_set_region            (SpCallTracker *self,
                                                      const char    *region);
void           sp_call_tracker_set_contact           (SpCallTracker   *self,
                                                      SpCall          *call,
                                                      const SpContact *contact);

G_END_DECLS
