/* sp-demo-source.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-source.h"

G_BEGIN_DECLS

#define SP_TYPE_DEMO_SOURCE (sp_demo_source_get_type ())

G_DECLARE_FINAL_TYPE (SpDemoSource, sp_demo_source, SP, DEMO_SOURCE, SpSource)

SpSource *sp_demo_source_new (SpAccount *account);

G_END_DECLS
