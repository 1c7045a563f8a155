/* sp-done-server.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * SpDoneFunc:
 * @key: the key the URL was made for
 * @user_data: the data given to sp_done_server_new()
 *
 * A page called a "done" URL.
 *
 * Returns: whether @key still means something (the page is told 204, else 404)
 */
typedef gboolean (*SpDoneFunc) (const char *key,
                                gpointer    user_data);

#define SP_TYPE_DONE_SERVER (sp_done_server_get_type ())

G_DECLARE_FINAL_TYPE (SpDoneServer, sp_done_server, SP, DONE_SERVER, GObject)

SpDoneServer *sp_done_server_new     (SpDoneFunc     func,
                                      gpointer       user_data);
char         *sp_done_server_add     (SpDoneServer  *self,
                                      const char    *key,
                                      GError       **error);
void          sp_done_server_remove  (SpDoneServer  *self,
                                      const char    *key);

G_END_DECLS
