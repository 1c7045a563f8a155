/* sp-ldap-directory.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-directory.h"

G_BEGIN_DECLS

#define SP_LDAP_DIRECTORY_OPTION_BASE            "base"
#define SP_LDAP_DIRECTORY_OPTION_FILTER          "filter"
#define SP_LDAP_DIRECTORY_OPTION_NAME_ATTR       "name-attribute"
#define SP_LDAP_DIRECTORY_OPTION_COMPANY_ATTR    "company-attribute"
#define SP_LDAP_DIRECTORY_OPTION_DEPARTMENT_ATTR "department-attribute"

#define SP_LDAP_DIRECTORY_DEFAULT_FILTER \
  "(|(telephoneNumber={number})(mobile={number})(homePhone={number}))"

#define SP_TYPE_LDAP_DIRECTORY (sp_ldap_directory_get_type ())

G_DECLARE_FINAL_TYPE (SpLdapDirectory, sp_ldap_directory, SP, LDAP_DIRECTORY, SpDirectory)

char *sp_ldap_directory_build_filter (const char          *filter_template,
                                      const SpPhoneNumber *number);

G_END_DECLS
