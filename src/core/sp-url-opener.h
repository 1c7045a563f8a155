/* sp-url-opener.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sp-account.h"

G_BEGIN_DECLS

/**
 * SpUrlHandler:
 * @uri: a URL that passed the URL policy
 * @user_data: closure
 *
 * Shows @uri to the user. The default launches the desktop's handler for it; tests put a
 * recorder here.
 */
typedef void (*SpUrlHandler) (const char *uri,
                              gpointer    user_data);

#define SP_TYPE_URL_OPENER (sp_url_opener_get_type ())

G_DECLARE_FINAL_TYPE (SpUrlOpener, sp_url_opener, SP, URL_OPENER, GObject)

SpUrlOpener *sp_url_opener_new         (GSettings      *settings);
void         sp_url_opener_set_handler (SpUrlOpener    *self,
                                        SpUrlHandler    handler,
                                        gpointer        user_data,
                                        GDestroyNotify  destroy);
gboolean     sp_url_opener_open        (SpUrlOpener    *self,
                                        SpAccount      *account,
                                        const char     *uri,
                                        GError        **error);

G_END_DECLS
