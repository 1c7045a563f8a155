/* sp-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "sp-engine.h"

G_BEGIN_DECLS

#define SP_TYPE_APPLICATION (sp_application_get_type ())

G_DECLARE_FINAL_TYPE (SpApplication, sp_application, SP, APPLICATION, AdwApplication)

SpApplication *sp_application_new           (void);
SpEngine      *sp_application_get_engine    (SpApplication *self);

G_END_DECLS
