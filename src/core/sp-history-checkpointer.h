/* sp-history-checkpointer.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

typedef struct _SpHistoryCheckpointer SpHistoryCheckpointer;

SpHistoryCheckpointer *sp_history_checkpointer_new  (sqlite3               *db,
                                                     const char            *path);
void                   sp_history_checkpointer_free (SpHistoryCheckpointer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpHistoryCheckpointer, sp_history_checkpointer_free)

G_END_DECLS
