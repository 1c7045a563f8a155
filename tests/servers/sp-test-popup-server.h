/* sp-test-popup-server.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The daemon's per-client queue; see sp_test_popup_server_is_hung(). */
#define SP_TEST_POPUP_SERVER_QUEUE_SIZE 256
/* The daemon's write deadline per message, in milliseconds. */
#define SP_TEST_POPUP_SERVER_WRITE_DEADLINE_MS 10000

/**
 * SpTestAcl:
 *
 * An address allow-list as the popup-notifier daemon reads it from `TRIGGER_ALLOW` and
 * `CRMWS_ALLOW`: comma-separated addresses and CIDR networks. An empty list denies everyone;
 * IPv4-mapped IPv6 peers are matched as IPv4.
 */
typedef struct _SpTestAcl SpTestAcl;

SpTestAcl *sp_test_acl_new     (const char    *list,
                                GError       **error);
gboolean   sp_test_acl_allows  (SpTestAcl     *acl,
                                GInetAddress  *address);
void       sp_test_acl_free    (SpTestAcl     *acl);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpTestAcl, sp_test_acl_free)

/**
 * SpTestPopupServer:
 *
 * The `/crmws` side of the popup-notifier daemon, reproduced in process: it answers the
 * WebSocket handshake itself and then never reads from the socket again (client pings go
 * unanswered, close frames are ignored), and only writes unmasked text frames, one per
 * message, to every client.
 */
typedef struct _SpTestPopupServer SpTestPopupServer;

SpTestPopupServer *sp_test_popup_server_new             (guint16             port,
                                                         GError            **error);
SpTestPopupServer *sp_test_popup_server_new_full        (const char         *host,
                                                         guint16             port,
                                                         GTlsCertificate    *certificate,
                                                         GError            **error);
char              *sp_test_popup_server_dup_ws_url      (SpTestPopupServer  *self);
guint16            sp_test_popup_server_get_port        (SpTestPopupServer  *self);
guint              sp_test_popup_server_get_n_clients   (SpTestPopupServer  *self);
guint              sp_test_popup_server_get_n_handshakes (SpTestPopupServer *self);
gboolean           sp_test_popup_server_wait_for_clients (SpTestPopupServer *self,
                                                         guint               n_clients,
                                                         guint               timeout_ms);
void               sp_test_popup_server_set_acl         (SpTestPopupServer  *self,
                                                         SpTestAcl          *acl);
void               sp_test_popup_server_set_acl_deny    (SpTestPopupServer  *self,
                                                         gboolean            deny);
void               sp_test_popup_server_broadcast       (SpTestPopupServer  *self,
                                                         const char         *text,
                                                         gssize              len);
void               sp_test_popup_server_broadcast_call_in (SpTestPopupServer *self,
                                                         const char         *phone,
                                                         const char         *exten);
gboolean           sp_test_popup_server_is_hung         (SpTestPopupServer  *self);
void               sp_test_popup_server_stop            (SpTestPopupServer  *self);
void               sp_test_popup_server_free            (SpTestPopupServer  *self);

char              *sp_test_popup_build_call_in          (const char         *phone,
                                                         gssize              phone_len,
                                                         const char         *exten,
                                                         gssize              exten_len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpTestPopupServer, sp_test_popup_server_free)

G_END_DECLS
