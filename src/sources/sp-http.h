/* sp-http.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "sp-json.h"
#include "sp-source.h"

G_BEGIN_DECLS

/* The longest answer to a REST request that is read, unless the caller says otherwise: far
 * more than a ticket, a login or a user record, far less than what would hurt. */
#define SP_HTTP_MAX_ANSWER (1024 * 1024)
/* How deeply a JSON answer may nest: a ticket or a login answer nests two or three levels. */
#define SP_HTTP_MAX_DEPTH 32

#define SP_HTTP_ERROR (sp_http_error_quark ())

/**
 * SpHttpError:
 * @SP_HTTP_ERROR_TOO_LARGE: the answer's body is longer than the reader's limit
 * @SP_HTTP_ERROR_MALFORMED: the body is not the JSON the reader was asked for (not UTF-8,
 *   not JSON, nested too deeply, or its root of the wrong kind)
 * @SP_HTTP_ERROR_STATUS: the JSON reader was given an answer with an error status; its
 *   body was not read as JSON (see sp_http_check_answer())
 *
 * Why a bounded reader refused an answer. sp_http_check_answer() turns these into
 * %SP_SOURCE_ERROR errors.
 */
typedef enum
{
  SP_HTTP_ERROR_TOO_LARGE,
  SP_HTTP_ERROR_MALFORMED,
  SP_HTTP_ERROR_STATUS,
} SpHttpError;

/**
 * SpHttpUrlFlags:
 * @SP_HTTP_URL_DEFAULT: only http:// and https:// addresses; the query is dropped
 * @SP_HTTP_URL_WEBSOCKET: ws:// and wss:// name the same server as http:// and https://
 * @SP_HTTP_URL_BARE_HOST: an address without a scheme is a host name: https://HOST
 * @SP_HTTP_URL_KEEP_QUERY: the query is part of the address
 *
 * What a kind accepts in its server address, for sp_http_normalize_url().
 */
typedef enum
{
  SP_HTTP_URL_DEFAULT    = 0,
  SP_HTTP_URL_WEBSOCKET  = 1 << 0,
  SP_HTTP_URL_BARE_HOST  = 1 << 1,
  SP_HTTP_URL_KEEP_QUERY = 1 << 2,
} SpHttpUrlFlags;

/**
 * SpHttpStatus:
 * @status: an HTTP status; 0 ends a list
 * @code: what it means for the source
 * @message: what happened, marked with N_() (translated when used): "Basix rejected the
 *   domain or the API token"
 * @advice: (nullable): what to do about it, a sentence marked with N_()
 *
 * What one HTTP status means for one backend, where sp_http_check_answer()'s defaults do
 * not say it well enough. The message reads "MESSAGE (HTTP STATUS). ADVICE".
 */
typedef struct
{
  guint          status;
  SpSourceError  code;
  const char    *message;
  const char    *advice;
} SpHttpStatus;

GQuark       sp_http_error_quark         (void);

SoupSession *sp_http_session_new         (void);
SoupSession *sp_http_session_new_with_options
                                         (const char            *first_property_name,
                                          ...) G_GNUC_NULL_TERMINATED;

void         sp_http_session_set_pinned_certificate
                                         (SoupSession           *session,
                                          const char            *fingerprint);
void         sp_http_session_pin_account (SoupSession           *session,
                                          SpAccount             *account);
char        *sp_http_certificate_fingerprint
                                         (GTlsCertificate       *certificate);

char        *sp_http_normalize_url       (const char            *url,
                                          SpHttpUrlFlags         flags,
                                          const char            *example,
                                          GError               **error);
char        *sp_http_websocket_url       (const char            *url);
char        *sp_http_dup_display_url     (SoupMessage           *msg);

gboolean     sp_http_check_answer        (SoupMessage           *msg,
                                          const GError          *cause,
                                          const char            *what,
                                          const SpHttpStatus    *statuses,
                                          GError               **error);

void         sp_http_read_bytes_async    (SoupSession           *session,
                                          SoupMessage           *msg,
                                          gsize                  max_size,
                                          GCancellable          *cancellable,
                                          GAsyncReadyCallback    callback,
                                          gpointer               user_data);
GBytes      *sp_http_read_bytes_finish   (SoupSession           *session,
                                          GAsyncResult          *result,
                                          GError               **error);
void         sp_http_read_json_async     (SoupSession           *session,
                                          SoupMessage           *msg,
                                          const SpJsonRules     *rules,
                                          GCancellable          *cancellable,
                                          GAsyncReadyCallback    callback,
                                          gpointer               user_data);
JsonNode    *sp_http_read_json_finish    (SoupSession           *session,
                                          GAsyncResult          *result,
                                          GError               **error);

G_END_DECLS
