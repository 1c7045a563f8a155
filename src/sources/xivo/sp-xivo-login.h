/* sp-xivo-login.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "sp-xivo.h"

G_BEGIN_DECLS

void      sp_xivo_login_async  (SoupSession          *session,
                                const char           *account_id,
                                const char           *base_url,
                                const char           *login,
                                const char           *password,
                                GCancellable         *cancellable,
                                GAsyncReadyCallback   callback,
                                gpointer              user_data);
gboolean  sp_xivo_login_finish (GAsyncResult         *result,
                                SpXivoLogin          *out,
                                GError              **error);

G_END_DECLS
