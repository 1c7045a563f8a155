/* sp-http-directory.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-directory.h"

G_BEGIN_DECLS

/* Options of the "http" kind (JSON field paths, dotted: "contact.name", "results.0.name") */
#define SP_HTTP_DIRECTORY_OPTION_NAME_FIELD       "name-field"
#define SP_HTTP_DIRECTORY_OPTION_COMPANY_FIELD    "company-field"
#define SP_HTTP_DIRECTORY_OPTION_DEPARTMENT_FIELD "department-field"
#define SP_HTTP_DIRECTORY_OPTION_URL_FIELD        "url-field"
#define SP_HTTP_DIRECTORY_OPTION_AUTH_HEADER      "auth-header"
/* Options of the "redmine" kind */
#define SP_REDMINE_DIRECTORY_OPTION_FIELD         "phone-field"

#define SP_TYPE_HTTP_DIRECTORY (sp_http_directory_get_type ())

G_DECLARE_FINAL_TYPE (SpHttpDirectory, sp_http_directory, SP, HTTP_DIRECTORY, SpDirectory)

char *sp_http_directory_expand (const char          *url_template,
                                const SpPhoneNumber *number);

G_END_DECLS
