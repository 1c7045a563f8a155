/* sp-pbxis-request.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "sp-http.h"

G_BEGIN_DECLS

/**
 * SpPbxisDeadline:
 * @msg: the request
 * @cancellable: the request's: cancelled by the caller's cancellable, or by the deadline
 * @timed_out: whether the deadline cancelled it
 *
 * A request with a deadline of its own: long-polls and actions, which outlive the connection
 * attempt (the attempt's deadline is the base class's).
 */
typedef struct
{
  SoupMessage  *msg;
  GCancellable *cancellable;
  gboolean      timed_out;

  /*< private >*/
  GCancellable *caller_cancellable;
  gulong        caller_handler;
  guint         timeout_id;
} SpPbxisDeadline;

/* What pbxis-ws means by a status of a request under a ticket (its stream, polls and
 * actions). */
extern const SpHttpStatus sp_pbxis_ticket_statuses[];

SpPbxisDeadline *sp_pbxis_deadline_new       (SoupMessage         *msg,
                                              GCancellable        *caller_cancellable,
                                              guint                seconds);
void             sp_pbxis_deadline_free      (SpPbxisDeadline     *deadline);
SoupMessage     *sp_pbxis_request_new_post   (const char          *url,
                                              const char          *json);
void             sp_pbxis_request_set_error  (GError             **error,
                                              SoupMessage         *msg,
                                              const char          *what,
                                              const SpHttpStatus  *statuses,
                                              const GError        *cause);
void             sp_pbxis_deadline_set_error (GError             **error,
                                              SpPbxisDeadline     *deadline,
                                              guint                seconds,
                                              const char          *what,
                                              const GError        *cause);

void             sp_pbxis_request_queue_status_async  (SoupSession         *session,
                                                       const char          *base_url,
                                                       guint                seconds,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
GPtrArray       *sp_pbxis_request_queue_status_finish (SoupSession         *session,
                                                       GAsyncResult        *result,
                                                       GError             **error);

G_END_DECLS
