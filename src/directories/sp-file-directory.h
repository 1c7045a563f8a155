/* sp-file-directory.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-directory.h"

G_BEGIN_DECLS

#define SP_TYPE_FILE_DIRECTORY (sp_file_directory_get_type ())

G_DECLARE_FINAL_TYPE (SpFileDirectory, sp_file_directory, SP, FILE_DIRECTORY, SpDirectory)

G_END_DECLS
