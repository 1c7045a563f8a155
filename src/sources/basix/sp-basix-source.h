/* sp-basix-source.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-source.h"
#include "sp-basix-model.h"

G_BEGIN_DECLS

#define SP_TYPE_BASIX_SOURCE (sp_basix_source_get_type ())

G_DECLARE_FINAL_TYPE (SpBasixSource, sp_basix_source, SP, BASIX_SOURCE, SpSource)

SpSource     *sp_basix_source_new        (SpAccount      *account);
char         *sp_basix_source_normalize_url (const char *url,
                                             GError    **error);
SpBasixModel *sp_basix_source_get_model  (SpBasixSource  *self);
void          sp_basix_source_process_frame (SpBasixSource *self,
                                          GBytes         *message);
void          sp_basix_source_receive_frame (SpBasixSource *self,
                                          GBytes         *message);

G_END_DECLS
