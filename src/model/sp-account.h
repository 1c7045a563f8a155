/* sp-account.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SP_ACCOUNT_SCHEMA_ID "io.github.screenpop.Screenpop.Account"
#define SP_ACCOUNT_PATH_PREFIX "/io/github/screenpop/Screenpop/accounts/"

typedef enum
{
  SP_TRIGGER_NEVER,
  SP_TRIGGER_RINGING,
  SP_TRIGGER_ANSWERED,
  SP_TRIGGER_ENDED,
} SpTrigger;

#define SP_TYPE_ACCOUNT (sp_account_get_type ())

G_DECLARE_FINAL_TYPE (SpAccount, sp_account, SP, ACCOUNT, GObject)

SpAccount    *sp_account_new                (const char  *id);
SpAccount    *sp_account_new_transient      (const char  *id,
                                             const char  *kind,
                                             const char  *display_name);
const char   *sp_account_get_id             (SpAccount   *self);
GSettings    *sp_account_get_settings       (SpAccount   *self);
char         *sp_account_dup_kind           (SpAccount   *self);
char         *sp_account_dup_display_name   (SpAccount   *self);
gboolean      sp_account_get_enabled        (SpAccount   *self);
gboolean      sp_account_get_muted          (SpAccount   *self);
gboolean      sp_account_is_transient       (SpAccount   *self);
char         *sp_account_dup_url            (SpAccount   *self);
char         *sp_account_dup_login          (SpAccount   *self);
char        **sp_account_dup_extensions     (SpAccount   *self);
gboolean      sp_account_matches_extension  (SpAccount   *self,
                                             const char  *exten);
guint         sp_account_get_ring_timeout   (SpAccount   *self);
char         *sp_account_dup_url_template   (SpAccount   *self);
SpTrigger     sp_account_get_url_trigger    (SpAccount   *self);
char         *sp_account_dup_webservice_url (SpAccount   *self);
char        **sp_account_dup_allowed_schemes (SpAccount  *self);
char         *sp_account_dup_option         (SpAccount   *self,
                                             const char  *key);

G_END_DECLS
