/* sp-test-xuc-server.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * SpTestXucServer:
 *
 * The parts of XiVO's xuc a CTI client sees, in process on 127.0.0.1: the REST login
 * (`POST /xuc/api/2.0/auth/login`, tokens with a TTL), the CTI WebSocket
 * (`/xuc/api/2.0/cti?token=…`, refused without a live token) with LoggedOn or
 * LoggedOnError, answers to `{"claz":"ping"}`, PhoneEvents, `getCurrentCallsPhoneEvents`,
 * and the effects of answer, pauseAgent and unpauseAgent. It can also go silent, or drop
 * every link without a word.
 */
typedef struct _SpTestXucServer SpTestXucServer;

SpTestXucServer *sp_test_xuc_server_new              (guint16           port,
                                                      const char       *login,
                                                      const char       *password,
                                                      gint64            ttl_seconds);
char            *sp_test_xuc_server_dup_url          (SpTestXucServer  *self);
guint16          sp_test_xuc_server_get_port         (SpTestXucServer  *self);
void             sp_test_xuc_server_set_ttl          (SpTestXucServer  *self,
                                                      gint64            ttl_seconds);
void             sp_test_xuc_server_set_ttl_json     (SpTestXucServer  *self,
                                                      const char       *json);
void             sp_test_xuc_server_set_logged_on_error (SpTestXucServer *self,
                                                      const char       *error);
void             sp_test_xuc_server_set_silent       (SpTestXucServer  *self,
                                                      gboolean          silent);
void             sp_test_xuc_server_set_agent        (SpTestXucServer  *self,
                                                      gint64            agent_id);
guint            sp_test_xuc_server_get_n_logins     (SpTestXucServer  *self);
guint            sp_test_xuc_server_get_n_failed_logins (SpTestXucServer *self);
const char      *sp_test_xuc_server_get_last_token   (SpTestXucServer  *self);
guint            sp_test_xuc_server_get_n_clients    (SpTestXucServer  *self);
guint            sp_test_xuc_server_get_n_links      (SpTestXucServer  *self);
gboolean         sp_test_xuc_server_wait_for_clients (SpTestXucServer  *self,
                                                      guint             n_clients,
                                                      guint             timeout_ms);
GPtrArray       *sp_test_xuc_server_get_frames       (SpTestXucServer  *self);
guint            sp_test_xuc_server_count_frames     (SpTestXucServer  *self,
                                                      const char       *pattern);
gboolean         sp_test_xuc_server_wait_for_frame   (SpTestXucServer  *self,
                                                      const char       *pattern,
                                                      guint             count,
                                                      guint             timeout_ms);
void             sp_test_xuc_server_phone_event      (SpTestXucServer  *self,
                                                      const char       *event_type,
                                                      const char       *linked_id,
                                                      const char       *other_dn,
                                                      const char       *other_dname,
                                                      const char       *queue_name,
                                                      ...) G_GNUC_NULL_TERMINATED;
void             sp_test_xuc_server_forget_call      (SpTestXucServer  *self,
                                                      const char       *linked_id);
void             sp_test_xuc_server_send              (SpTestXucServer  *self,
                                                      const char       *text);
void             sp_test_xuc_server_drop_links       (SpTestXucServer  *self);
void             sp_test_xuc_server_free             (SpTestXucServer  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpTestXucServer, sp_test_xuc_server_free)

G_END_DECLS
