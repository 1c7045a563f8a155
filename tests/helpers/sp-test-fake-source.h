/* sp-test-fake-source.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-source.h"

G_BEGIN_DECLS

#define SP_TYPE_TEST_FAKE_SOURCE (sp_test_fake_source_get_type ())

G_DECLARE_FINAL_TYPE (SpTestFakeSource, sp_test_fake_source, SP, TEST_FAKE_SOURCE, SpSource)

SpTestFakeSource *sp_test_fake_source_new           (SpAccount        *account);
GPtrArray        *sp_test_fake_source_get_performed (SpTestFakeSource *self);

G_END_DECLS
