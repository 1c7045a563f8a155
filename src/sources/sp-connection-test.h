/* sp-connection-test.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-account.h"

G_BEGIN_DECLS

void  sp_connection_test_async  (SpAccount            *account,
                                 const char           *secret,
                                 const char           *keyring_id,
                                 guint                 timeout_seconds,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data);
char *sp_connection_test_finish (GAsyncResult         *result,
                                 GError              **error);

G_END_DECLS
