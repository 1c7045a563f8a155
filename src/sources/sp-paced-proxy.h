/* sp-paced-proxy.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The proxy protocol that stands for "direct, through a paced stream". */
#define SP_PACED_PROXY_PROTOCOL "screenpop-paced"

#define SP_TYPE_PACED_PROXY (sp_paced_proxy_get_type ())

G_DECLARE_FINAL_TYPE (SpPacedProxy, sp_paced_proxy, SP, PACED_PROXY, GObject)

GProxyResolver *sp_paced_proxy_get_resolver (void);

G_END_DECLS
