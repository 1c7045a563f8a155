/* sp-source-kind.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-source-kind"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-actioncable.h"
#include "sp-basix-page.h"
#include "sp-basix-source.h"
#include "sp-basix-window.h"
#include "sp-demo-page.h"
#include "sp-demo-source.h"
#include "sp-pbxis-page.h"
#include "sp-pbxis-source.h"
#include "sp-pbxis-window.h"
#include "sp-popup-notifier-page.h"
#include "sp-popup-notifier-source.h"
#include "sp-redmine-page.h"
#include "sp-redmine-source.h"
#include "sp-source-kind.h"
#include "sp-xivo-page.h"
#include "sp-xivo-source.h"
#include "sp-xivo.h"

/*
 * The registry of account kinds: the one place that knows which kind is which backend.
 * Everything else about a kind lives in its folder (src/sources/<kind>/): the source, the
 * option keys in its header, its page of the account editor, its optional window. Generic
 * code asks the registry, never for a kind by name.
 *
 * The pages and windows are GTK widgets, so this file is compiled with GTK, but its header
 * speaks only GType: the engine, which has no GTK, creates sources through it.
 */

static const char * const popup_notifier_options[] = { NULL };

static const char * const redmine_options[] = {
  SP_REDMINE_OPTION_AUTH,
  SP_REDMINE_OPTION_CHANNEL_CLASS,
  NULL
};

static const char * const basix_options[] = {
  SP_BASIX_OPTION_DOMAIN,
  SP_BASIX_OPTION_AUTH,
  SP_BASIX_OPTION_USER_SELECTOR,
  SP_BASIX_OPTION_USER,
  SP_BASIX_SELECTOR_USER_ID,
  SP_BASIX_SELECTOR_USER_NAME,
  SP_BASIX_SELECTOR_USER_LABEL,
  SP_BASIX_SELECTOR_USER_EXTENSION,
  SP_BASIX_SELECTOR_USER_DID,
  SP_BASIX_SELECTOR_USER_EMAIL,
  SP_BASIX_OPTION_APP_NAME,
  SP_BASIX_OPTION_FULL_EVENTS,
  SP_BASIX_OPTION_FORCED,
  SP_BASIX_OPTION_FORCE,
  NULL
};

static const char * const pbxis_options[] = {
  SP_PBXIS_OPTION_TRANSPORT,
  SP_PBXIS_OPTION_QUEUES,
  SP_PBXIS_OPTION_SUMMARY_EVENTS,
  SP_PBXIS_OPTION_POLL_TIMEOUT,
  SP_PBXIS_OPTION_CALLER_ID,
  SP_PBXIS_OPTION_MEMBER_NAME,
  SP_PBXIS_OPTION_SUPERVISOR,
  NULL
};

static const char * const xivo_options[] = {
  SP_XIVO_OPTION_REMOTE_ANSWER,
  NULL
};

static const char * const demo_options[] = {
  SP_DEMO_OPTION_FIRST_DELAY_MS,
  SP_DEMO_OPTION_INTERVAL_MS,
  SP_DEMO_OPTION_ANSWER_PERCENT,
  SP_DEMO_OPTION_SEED,
  NULL
};

/* In the order of the Kind row of the account editor. */
static const SpSourceKind kinds[] = {
  {
    .id = "popup-notifier",
    .label = N_("Asterisk (popup-notifier)"),
    .get_source_type = sp_popup_notifier_source_get_type,
    .new_source = sp_popup_notifier_source_new,
    .option_keys = popup_notifier_options,
    .normalize_url = sp_popup_notifier_source_normalize_url,
    .get_page_type = sp_popup_notifier_page_get_type,
  },
  {
    .id = "redmine-rt",
    .label = N_("Redmine (redmine_rt)"),
    .get_source_type = sp_redmine_source_get_type,
    .new_source = sp_redmine_source_new,
    .option_keys = redmine_options,
    .normalize_url = sp_redmine_source_normalize_url,
    .get_page_type = sp_redmine_page_get_type,
  },
  {
    .id = "basix",
    .label = N_("Basix (ws_cti)"),
    .get_source_type = sp_basix_source_get_type,
    .new_source = sp_basix_source_new,
    .option_keys = basix_options,
    .normalize_url = sp_basix_source_normalize_url,
    .get_page_type = sp_basix_page_get_type,
    .get_window_type = sp_basix_window_get_type,
    .window_icon = "view-list-symbolic",
    .window_tooltip = N_("Show the PBX’s Calls and Users"),
  },
  {
    .id = "pbxis",
    .label = N_("Asterisk (pbxis-ws)"),
    .get_source_type = sp_pbxis_source_get_type,
    .new_source = sp_pbxis_source_new,
    .option_keys = pbxis_options,
    .normalize_url = sp_pbxis_source_normalize_url,
    .get_page_type = sp_pbxis_page_get_type,
    .get_window_type = sp_pbxis_window_get_type,
    .window_icon = "system-users-symbolic",
    .window_tooltip = N_("Show Your Queues"),
  },
  {
    .id = "xivo",
    .label = N_("XiVO (xuc)"),
    .get_source_type = sp_xivo_source_get_type,
    .new_source = sp_xivo_source_new,
    .option_keys = xivo_options,
    .normalize_url = sp_xivo_source_normalize_url,
    .get_page_type = sp_xivo_page_get_type,
  },
  {
    .id = SP_SOURCE_KIND_DEMO,
    .label = N_("Demo"),
    .get_source_type = sp_demo_source_get_type,
    .new_source = sp_demo_source_new,
    .option_keys = demo_options,
    .get_page_type = sp_demo_page_get_type,
  },
};

/**
 * sp_source_kind_get_all:
 * @n_kinds: (out): the number of kinds
 *
 * Returns: (array length=n_kinds): every kind, in the order the account editor offers them
 */
const SpSourceKind *
sp_source_kind_get_all (guint *n_kinds)
{
  g_return_val_if_fail (n_kinds != NULL, NULL);

  *n_kinds = G_N_ELEMENTS (kinds);
  return kinds;
}

/**
 * sp_source_kind_lookup:
 * @id: (nullable): an account kind, as stored in the settings
 *
 * Returns: (nullable): the kind, or %NULL if Screenpop does not know it
 */
const SpSourceKind *
sp_source_kind_lookup (const char *id)
{
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      if (g_strcmp0 (kinds[i].id, id) == 0)
        return &kinds[i];
    }

  return NULL;
}

/**
 * sp_source_kind_get_label:
 *
 * Returns: the translated name of @kind
 */
const char *
sp_source_kind_get_label (const SpSourceKind *kind)
{
  g_return_val_if_fail (kind != NULL, NULL);
  return _(kind->label);
}

/**
 * sp_source_kind_label_for_id:
 * @id: (nullable): an account kind, as stored in the settings
 *
 * Returns: the translated name of the kind @id, or @id itself if Screenpop does not know it
 */
const char *
sp_source_kind_label_for_id (const char *id)
{
  const SpSourceKind *kind = sp_source_kind_lookup (id);

  return kind != NULL ? sp_source_kind_get_label (kind) : id;
}

/**
 * sp_source_kind_reads_option:
 *
 * Returns: whether the source of @kind reads the account option @key
 */
gboolean
sp_source_kind_reads_option (const SpSourceKind *kind,
                             const char         *key)
{
  g_return_val_if_fail (kind != NULL, FALSE);
  return key != NULL && g_strv_contains (kind->option_keys, key);
}

/**
 * sp_source_kind_has_url:
 *
 * Returns: whether an account of @kind connects to a server address
 */
gboolean
sp_source_kind_has_url (const SpSourceKind *kind)
{
  g_return_val_if_fail (kind != NULL, FALSE);
  return kind->normalize_url != NULL;
}

/**
 * sp_source_kind_normalize_url:
 * @url: the address as typed (without white space around it)
 *
 * Returns: (transfer full): @url as the source of @kind will take it, or %NULL with @error
 *   set to say what is wrong with it
 */
char *
sp_source_kind_normalize_url (const SpSourceKind  *kind,
                              const char          *url,
                              GError             **error)
{
  g_return_val_if_fail (kind != NULL, NULL);
  g_return_val_if_fail (url != NULL, NULL);

  if (kind->normalize_url == NULL)
    return g_strdup (url);

  return kind->normalize_url (url, error);
}

/**
 * sp_source_kind_get_page_type:
 *
 * Returns: the type of the account editor's page for @kind, an `SpAccountPage`
 */
GType
sp_source_kind_get_page_type (const SpSourceKind *kind)
{
  g_return_val_if_fail (kind != NULL, G_TYPE_INVALID);
  return kind->get_page_type != NULL ? kind->get_page_type () : G_TYPE_NONE;
}

/**
 * sp_source_kind_get_window_type:
 *
 * Returns: the type of @kind's own window, or %G_TYPE_NONE if it has none
 */
GType
sp_source_kind_get_window_type (const SpSourceKind *kind)
{
  g_return_val_if_fail (kind != NULL, G_TYPE_INVALID);
  return kind->get_window_type != NULL ? kind->get_window_type () : G_TYPE_NONE;
}

/**
 * sp_source_kind_get_window_tooltip:
 *
 * Returns: (nullable): the translated tooltip of the button that opens @kind's window
 */
const char *
sp_source_kind_get_window_tooltip (const SpSourceKind *kind)
{
  g_return_val_if_fail (kind != NULL, NULL);
  return kind->window_tooltip != NULL ? _(kind->window_tooltip) : NULL;
}

/**
 * sp_source_kind_create_source:
 * @account: an account
 *
 * Returns: (transfer full): a new, stopped source for @account, or %NULL with @error set
 *   when Screenpop does not know the account's kind
 */
SpSource *
sp_source_kind_create_source (SpAccount  *account,
                              GError    **error)
{
  g_autofree char *id = NULL;
  const SpSourceKind *kind;

  g_return_val_if_fail (SP_IS_ACCOUNT (account), NULL);

  id = sp_account_dup_kind (account);
  kind = sp_source_kind_lookup (id);
  if (kind == NULL)
    {
      g_set_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                   _("Screenpop does not know the account kind “%s”"), id);
      return NULL;
    }

  return kind->new_source (account);
}
