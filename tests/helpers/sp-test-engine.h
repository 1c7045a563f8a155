/* sp-test-engine.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-engine.h"

G_BEGIN_DECLS

SpEngine *sp_test_engine_new             (GSettings       *settings,
                                          GDBusConnection *bus);
void      sp_test_engine_assert_finalize (SpEngine        *engine);

G_END_DECLS
