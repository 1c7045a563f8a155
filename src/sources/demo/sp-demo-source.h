/* sp-demo-source.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-source.h"

G_BEGIN_DECLS

/* Account options (the "options" key) of the demo kind, for tests and screenshots. */

/* Milliseconds before the first call rings, and between calls. */
#define SP_DEMO_OPTION_FIRST_DELAY_MS "first-delay-ms"
#define SP_DEMO_OPTION_INTERVAL_MS "interval-ms"
/* How many calls in a hundred are answered. */
#define SP_DEMO_OPTION_ANSWER_PERCENT "answer-percent"
/* A seed for the same calls every run. */
#define SP_DEMO_OPTION_SEED "seed"

#define SP_TYPE_DEMO_SOURCE (sp_demo_source_get_type ())

G_DECLARE_FINAL_TYPE (SpDemoSource, sp_demo_source, SP, DEMO_SOURCE, SpSource)

SpSource *sp_demo_source_new (SpAccount *account);

G_END_DECLS
