/* sp-account-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "sp-account.h"

G_BEGIN_DECLS

#define SP_ACCOUNT_PAGE_ERROR (sp_account_page_error_quark ())

/**
 * SpAccountPageError:
 * @SP_ACCOUNT_PAGE_ERROR_MISSING: a field the kind needs is empty; told plainly
 * @SP_ACCOUNT_PAGE_ERROR_INVALID: a field is wrong, or two fields contradict each other;
 *   told as an error
 */
typedef enum
{
  SP_ACCOUNT_PAGE_ERROR_MISSING,
  SP_ACCOUNT_PAGE_ERROR_INVALID,
} SpAccountPageError;

/**
 * SpAccountCredentials:
 * @SP_ACCOUNT_CREDENTIALS_NONE: no secret
 * @SP_ACCOUNT_CREDENTIALS_KEY: a key or token, pasted (white space around it is dropped)
 * @SP_ACCOUNT_CREDENTIALS_PASSWORD: a login and a password (taken as typed)
 *
 * How an account signs in, as far as the generic form is concerned: which of its rows
 * (login, key, password) it shows. The secret itself only ever goes to the keyring.
 */
typedef enum
{
  SP_ACCOUNT_CREDENTIALS_NONE,
  SP_ACCOUNT_CREDENTIALS_KEY,
  SP_ACCOUNT_CREDENTIALS_PASSWORD,
} SpAccountCredentials;

/**
 * SpAccountPageCredentials:
 * @kind: which rows the form shows
 * @login_title: the title of the login row, with a mnemonic
 * @login_missing: what to say when the login is empty
 * @secret_title: the title of the key or password row, with a mnemonic
 * @secret_missing: what to say when the key or password is needed and empty
 *
 * What a page says about its credentials; the strings are translated and belong to the
 * page. sp_account_page_get_credentials() fills in the ones the page leaves %NULL.
 */
typedef struct
{
  SpAccountCredentials  kind;
  const char           *login_title;
  const char           *login_missing;
  const char           *secret_title;
  const char           *secret_missing;
} SpAccountPageCredentials;

/**
 * SpAccountForm:
 * @url: the server address, without white space around it
 * @login: the login, without white space around it
 * @secret: the key (without white space around it) or the password (as typed) that the
 *   form shows, "" if none
 * @extensions: the extensions, %NULL-terminated
 *
 * The generic fields of the account editor as they are typed, for the page to check
 * against; sp_account_form_clear() frees them.
 */
typedef struct
{
  char  *url;
  char  *login;
  char  *secret;
  char **extensions;
} SpAccountForm;

void sp_account_form_clear (SpAccountForm *form);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SpAccountForm, sp_account_form_clear)

#define SP_TYPE_ACCOUNT_PAGE (sp_account_page_get_type ())

G_DECLARE_INTERFACE (SpAccountPage, sp_account_page, SP, ACCOUNT_PAGE, AdwPreferencesGroup)

/**
 * SpAccountPageInterface:
 * @load: fill the rows from @account's settings and options
 * @validate: check the page's rows as typed, and what the kind needs of the generic
 *   fields (@form); the credentials are checked after it
 * @save: write the rows into @settings (delay-applied) and into @options (key → value;
 *   sp_account_page_set_option() removes a key for an empty value). The generic fields
 *   are already in @settings.
 * @get_connection_rows: the page's rows that belong in the form's Connection group
 *   (after the server address), %NULL-terminated, owned by the page; %NULL for none
 * @get_url_title: the title of the server address row, with a mnemonic and an example
 *   (the default: "Server Address"). Whether the kind has a server at all is the registry's
 *   to say (sp_source_kind_has_url()).
 * @has_calls: whether the kind reports calls, so that the form offers the extensions, the
 *   ring timeout and the CRM page (the default: %TRUE)
 * @get_credentials: fill @credentials (the default: none)
 * @secret_would_move: whether the secret stored for @account would now stand for something
 *   else (another domain, another way to sign in), so that it must be typed again; the
 *   server and the login are checked before it
 *
 * A kind's page of the account editor: an #AdwPreferencesGroup with the kind's own rows
 * (its options), in `src/sources/<kind>/sp-<kind>-page.c`. The generic #SpAccountEditor
 * shows the fields every account has and embeds the page the registry names for the kind
 * (see sp_source_kind_get_page_type()). The page emits #SpAccountPage::changed when a row
 * changes, and the editor checks the form again.
 */
struct _SpAccountPageInterface
{
  GTypeInterface parent_iface;

  void          (*load)                (SpAccountPage            *self,
                                        SpAccount                *account);
  gboolean      (*validate)            (SpAccountPage            *self,
                                        const SpAccountForm      *form,
                                        GError                  **error);
  void          (*save)                (SpAccountPage            *self,
                                        GSettings                *settings,
                                        GHashTable               *options);
  GtkWidget   **(*get_connection_rows) (SpAccountPage            *self);
  const char   *(*get_url_title)       (SpAccountPage            *self);
  gboolean      (*has_calls)           (SpAccountPage            *self);
  void          (*get_credentials)     (SpAccountPage            *self,
                                        SpAccountPageCredentials *credentials);
  gboolean      (*secret_would_move)   (SpAccountPage            *self,
                                        SpAccount                *account);
};

GQuark         sp_account_page_error_quark         (void);
SpAccountPage *sp_account_page_new                 (GType                     page_type);
void           sp_account_page_load                (SpAccountPage            *self,
                                                    SpAccount                *account);
gboolean       sp_account_page_validate            (SpAccountPage            *self,
                                                    const SpAccountForm      *form,
                                                    gboolean                  secret_required,
                                                    GError                  **error);
void           sp_account_page_save                (SpAccountPage            *self,
                                                    SpAccount                *edited,
                                                    GSettings                *settings);
GtkWidget    **sp_account_page_get_connection_rows (SpAccountPage            *self);
const char    *sp_account_page_get_url_title       (SpAccountPage            *self);
gboolean       sp_account_page_has_calls           (SpAccountPage            *self);
void           sp_account_page_get_credentials     (SpAccountPage            *self,
                                                    SpAccountPageCredentials *credentials);
gboolean       sp_account_page_secret_would_move   (SpAccountPage            *self,
                                                    SpAccount                *account,
                                                    const SpAccountForm      *form);
void           sp_account_page_changed             (SpAccountPage            *self);

/* For pages. */
void           sp_account_page_set_option          (GHashTable               *options,
                                                    const char               *key,
                                                    const char               *value);
gboolean       sp_account_page_option_is_true      (const char               *value);
char         **sp_account_page_split_list          (const char               *text);
char          *sp_account_page_dup_row_text        (AdwEntryRow              *row);

G_END_DECLS
