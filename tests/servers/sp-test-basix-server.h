/* sp-test-basix-server.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sp-test-hostile.h"

G_BEGIN_DECLS

typedef struct _SpTestBasixServer SpTestBasixServer;

SpTestBasixServer *sp_test_basix_server_new              (const char        *domain,
                                                          const char        *token,
                                                          GError           **error);
char              *sp_test_basix_server_dup_url          (SpTestBasixServer *self);
void               sp_test_basix_server_set_greeting     (SpTestBasixServer *self,
                                                          GPtrArray         *frames);
void               sp_test_basix_server_send             (SpTestBasixServer *self,
                                                          GBytes            *frame);
void               sp_test_basix_server_send_data        (SpTestBasixServer *self,
                                                          const guint8      *data,
                                                          gsize              len);
void               sp_test_basix_server_drop_clients     (SpTestBasixServer *self);
guint              sp_test_basix_server_get_n_clients    (SpTestBasixServer *self);
guint              sp_test_basix_server_get_n_handshakes (SpTestBasixServer *self);
guint              sp_test_basix_server_get_n_tickets    (SpTestBasixServer *self);
gboolean           sp_test_basix_server_wait_for_clients (SpTestBasixServer *self,
                                                          guint              n_clients,
                                                          guint              timeout_ms);
const char        *sp_test_basix_server_get_last_uri     (SpTestBasixServer *self);
gboolean           sp_test_basix_server_get_offered_deflate (SpTestBasixServer *self);
void               sp_test_basix_server_set_ticket_answer (SpTestBasixServer *self,
                                                          SpTestHostile      hostile);
const SpTestHostileStats *sp_test_basix_server_get_hostile_stats (SpTestBasixServer *self);
gboolean           sp_test_basix_server_wait_for_command (SpTestBasixServer *self,
                                                         const char        *command,
                                                         guint              timeout_ms);
void               sp_test_basix_server_free             (SpTestBasixServer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpTestBasixServer, sp_test_basix_server_free)

G_END_DECLS
