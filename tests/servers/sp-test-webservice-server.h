/* sp-test-webservice-server.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * SpTestWebserviceServer:
 *
 * A XiVO-style third-party web service on 127.0.0.1, in process: it records every request
 * it receives (method, path, query, content type, body) and answers with whatever the test set,
 * after an optional delay.
 */
typedef struct _SpTestWebserviceServer SpTestWebserviceServer;

typedef struct
{
  char *method;
  char *path;
  char *query;          /* as sent, still percent-encoded; NULL without one */
  char *content_type;
  char *body;
} SpTestWebserviceRequest;

SpTestWebserviceServer *sp_test_webservice_server_new           (void);
char                   *sp_test_webservice_server_dup_url       (SpTestWebserviceServer *self,
                                                                 const char             *path);
void                    sp_test_webservice_server_set_reply     (SpTestWebserviceServer *self,
                                                                 guint                   status,
                                                                 const char             *body);
void                    sp_test_webservice_server_set_redirect  (SpTestWebserviceServer *self,
                                                                 const char             *location);
void                    sp_test_webservice_server_set_delay     (SpTestWebserviceServer *self,
                                                                 guint                   delay_ms);
GPtrArray              *sp_test_webservice_server_get_requests  (SpTestWebserviceServer *self);
gboolean                sp_test_webservice_server_wait_for      (SpTestWebserviceServer *self,
                                                                 guint                   n_requests,
                                                                 guint                   timeout_ms);
void                    sp_test_webservice_server_free          (SpTestWebserviceServer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpTestWebserviceServer, sp_test_webservice_server_free)

G_END_DECLS
