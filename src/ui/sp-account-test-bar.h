/* sp-account-test-bar.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "sp-account.h"

G_BEGIN_DECLS

#define SP_TYPE_ACCOUNT_TEST_BAR (sp_account_test_bar_get_type ())

G_DECLARE_FINAL_TYPE (SpAccountTestBar, sp_account_test_bar, SP, ACCOUNT_TEST_BAR, GtkBox)

void        sp_account_test_bar_set_status   (SpAccountTestBar *self,
                                              const char       *text,
                                              const char       *css_class);
const char *sp_account_test_bar_get_status   (SpAccountTestBar *self);
void        sp_account_test_bar_set_can_test (SpAccountTestBar *self,
                                              gboolean          can_test);
void        sp_account_test_bar_start        (SpAccountTestBar *self,
                                              SpAccount        *account,
                                              const char       *secret,
                                              const char       *keyring_id);
void        sp_account_test_bar_stop         (SpAccountTestBar *self);

G_END_DECLS
