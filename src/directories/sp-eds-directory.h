/* sp-eds-directory.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-directory.h"

G_BEGIN_DECLS

/* The uid of one address book; empty: every enabled one */
#define SP_EDS_DIRECTORY_OPTION_BOOK "address-book"

#define SP_TYPE_EDS_DIRECTORY (sp_eds_directory_get_type ())

G_DECLARE_FINAL_TYPE (SpEdsDirectory, sp_eds_directory, SP, EDS_DIRECTORY, SpDirectory)

GPtrArray *sp_eds_directory_list_books (GCancellable  *cancellable,
                                        GError       **error);

G_END_DECLS
