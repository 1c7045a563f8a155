/* sp-test-keyring.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * SpTestKeyring:
 *
 * A gnome-keyring-daemon serving org.freedesktop.secrets on a private bus, in a throw-away
 * home, with its login keyring unlocked.
 */
typedef struct _SpTestKeyring SpTestKeyring;

SpTestKeyring *sp_test_keyring_start (const char    *bus_address);
void           sp_test_keyring_stop  (SpTestKeyring *keyring);
char          *sp_test_keyring_lookup (const char   *account_id);

G_END_DECLS
