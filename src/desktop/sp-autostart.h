/* sp-autostart.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

gboolean  sp_autostart_is_sandboxed     (void);
char     *sp_autostart_dup_file_path    (void);
gboolean  sp_autostart_get_enabled      (GSettings           *settings);
char     *sp_autostart_dup_contents     (const char          *program);
void      sp_autostart_set_enabled_async (GSettings          *settings,
                                         gboolean             enabled,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean  sp_autostart_set_enabled_finish (GAsyncResult      *result,
                                         GError             **error);

G_END_DECLS
