/* sp-test-proxy.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SpTestProxy SpTestProxy;

gboolean     sp_test_proxy_can_vanish (void);
SpTestProxy *sp_test_proxy_new        (guint16      upstream_port);
guint16      sp_test_proxy_get_port   (SpTestProxy *self);
guint        sp_test_proxy_vanish     (SpTestProxy *self);
void         sp_test_proxy_set_up     (SpTestProxy *self,
                                       gboolean     up);
void         sp_test_proxy_free       (SpTestProxy *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpTestProxy, sp_test_proxy_free)

G_END_DECLS
