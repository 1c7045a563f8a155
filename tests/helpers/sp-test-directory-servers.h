/* sp-test-directory-servers.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A real directory server started for a test or a benchmark, killed with the process. */
typedef struct _SpTestDirectoryServer SpTestDirectoryServer;

guint16                sp_test_free_port                   (void);
gboolean               sp_test_port_open                   (guint16                port);
SpTestDirectoryServer *sp_test_slapd_start                 (void);
SpTestDirectoryServer *sp_test_radicale_start              (void);
SpTestDirectoryServer *sp_test_redmine_start               (void);
SpTestDirectoryServer *sp_test_eds_start                   (void);
const char            *sp_test_directory_server_get_url    (SpTestDirectoryServer *self);
const char            *sp_test_directory_server_get_dir    (SpTestDirectoryServer *self);
void                   sp_test_directory_server_stop       (SpTestDirectoryServer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpTestDirectoryServer, sp_test_directory_server_stop)

G_END_DECLS
