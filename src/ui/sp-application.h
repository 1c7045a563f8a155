/* sp-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "sp-accounts.h"
#include "sp-call-tracker.h"
#include "sp-screenpop.h"

G_BEGIN_DECLS

#define SP_TYPE_APPLICATION (sp_application_get_type ())

G_DECLARE_FINAL_TYPE (SpApplication, sp_application, SP, APPLICATION, AdwApplication)

SpApplication *sp_application_new           (void);
SpAccounts    *sp_application_get_accounts  (SpApplication *self);
SpCallTracker *sp_application_get_tracker   (SpApplication *self);
SpScreenpop   *sp_application_get_screenpop (SpApplication *self);
GSettings     *sp_application_get_settings  (SpApplication *self);

G_END_DECLS
