/* sp-secret.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

G_BEGIN_DECLS

#define SP_SECRET_SCHEMA_NAME "io.github.screenpop.Screenpop.Secret"

const SecretSchema *sp_secret_get_schema    (void) G_GNUC_CONST;
void                sp_secret_free          (char                 *secret);
void                sp_secret_lookup_async  (const char           *account_id,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
char               *sp_secret_lookup_finish (GAsyncResult         *result,
                                             GError              **error);
void                sp_secret_store_async   (const char           *account_id,
                                             const char           *label,
                                             const char           *secret,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean            sp_secret_store_finish  (GAsyncResult         *result,
                                             GError              **error);
void                sp_secret_clear_async   (const char           *account_id,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean            sp_secret_clear_finish  (GAsyncResult         *result,
                                             GError              **error);

G_END_DECLS
