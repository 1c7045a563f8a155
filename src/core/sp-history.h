/* sp-history.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sp-call-tracker.h"

G_BEGIN_DECLS

#define SP_HISTORY_ERROR (sp_history_error_quark ())

typedef enum
{
  SP_HISTORY_ERROR_OPEN,
  SP_HISTORY_ERROR_CORRUPT,
  SP_HISTORY_ERROR_TOO_NEW,
  SP_HISTORY_ERROR_WRITE,
} SpHistoryError;

/**
 * SpHistoryEntry:
 *
 * One call as the history keeps it. Times are microseconds since the epoch (0: never).
 */
typedef struct
{
  gint64  row_id;
  char   *account_id;
  char   *call_id;
  gboolean outgoing;
  char   *number;
  char   *name;
  char   *exten;
  char   *queue;
  gint64  started;
  gint64  answered;
  gint64  ended;
  char   *outcome;    /* "answered", "missed" or "rang" (a ring whose outcome is unknown) */
  gint64  talk_seconds;
  char   *url;
  char   *company;    /* from caller identification, or NULL */
  char   *e164;       /* the number's E.164 key, or NULL */
} SpHistoryEntry;

/**
 * SpHistoryFilter:
 * @SP_HISTORY_FILTER_ALL: every call
 * @SP_HISTORY_FILTER_MISSED: calls that ended unanswered
 * @SP_HISTORY_FILTER_UNKNOWN: calls whose end was never reported (outcome "rang"): every
 *   popup-notifier call, whose server tells only that a call rings
 */
typedef enum
{
  SP_HISTORY_FILTER_ALL,
  SP_HISTORY_FILTER_MISSED,
  SP_HISTORY_FILTER_UNKNOWN,
} SpHistoryFilter;

#define SP_TYPE_HISTORY (sp_history_get_type ())

G_DECLARE_FINAL_TYPE (SpHistory, sp_history, SP, HISTORY, GObject)

GQuark      sp_history_error_quark       (void);
char       *sp_history_default_path      (void);
SpHistory  *sp_history_new               (const char      *path,
                                          GError         **error);
void        sp_history_attach            (SpHistory       *self,
                                          SpCallTracker   *tracker);
GPtrArray  *sp_history_search            (SpHistory       *self,
                                          const char      *text,
                                          SpHistoryFilter  filter,
                                          const char      *account_id,
                                          guint            limit,
                                          GError         **error);
guint       sp_history_count_missed      (SpHistory       *self,
                                          gint64           since);
gboolean    sp_history_prune             (SpHistory       *self,
                                          guint            days,
                                          GError         **error);
gboolean    sp_history_clear             (SpHistory       *self,
                                          GError         **error);
gboolean    sp_history_close_live_calls  (SpHistory       *self,
                                          SpCallTracker   *tracker,
                                          GError         **error);
int         sp_history_recover           (SpHistory       *self,
                                          GError         **error);
void        sp_history_entry_free        (SpHistoryEntry  *entry);
SpCall     *sp_history_entry_to_call     (const SpHistoryEntry *entry);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpHistoryEntry, sp_history_entry_free)

G_END_DECLS
