/* sp-carddav-directory.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-directory.h"

G_BEGIN_DECLS

#define SP_TYPE_CARDDAV_DIRECTORY (sp_carddav_directory_get_type ())

G_DECLARE_FINAL_TYPE (SpCarddavDirectory, sp_carddav_directory, SP, CARDDAV_DIRECTORY, SpDirectory)

char *sp_carddav_directory_dup_address_data (const char  *multistatus,
                                             gsize        length,
                                             GError     **error);

G_END_DECLS
