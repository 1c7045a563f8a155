/* sp-sources.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-sources"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-basix-source.h"
#include "sp-demo-source.h"
#include "sp-pbxis-source.h"
#include "sp-popup-notifier-source.h"
#include "sp-redmine-source.h"
#include "sp-sources.h"
#include "sp-xivo-source.h"

/* The one place that knows which account kind is which backend. */
static const SpSourceKind kinds[] = {
  { "popup-notifier", N_("popup-notifier") },
  { "redmine-rt", N_("Redmine (redmine_rt)") },
  { "basix", N_("Basix (ws_cti)") },
  { "pbxis", N_("pbxis-ws (Asterisk queues)") },
  { "xivo", N_("XiVO (xuc)") },
  { "demo", N_("Demo") },
};

/**
 * sp_sources_create:
 * @account: an account
 *
 * Returns: (transfer full): a new, stopped source for @account, or %NULL with @error set
 *   when Screenpop does not know the account's kind
 */
SpSource *
sp_sources_create (SpAccount  *account,
                   GError    **error)
{
  g_autofree char *kind = sp_account_dup_kind (account);

  if (g_strcmp0 (kind, "popup-notifier") == 0)
    return sp_popup_notifier_source_new (account);
  if (g_strcmp0 (kind, "demo") == 0)
    return sp_demo_source_new (account);
  if (g_strcmp0 (kind, "pbxis") == 0)
    return sp_pbxis_source_new (account);
  if (g_strcmp0 (kind, "redmine-rt") == 0)
    return sp_redmine_source_new (account);
  if (g_strcmp0 (kind, "basix") == 0)
    return sp_basix_source_new (account);
  if (g_strcmp0 (kind, "xivo") == 0)
    return sp_xivo_source_new (account);

  g_set_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
               _("Screenpop does not know the account kind “%s”"), kind);
  return NULL;
}

const SpSourceKind *
sp_sources_get_kinds (guint *n_kinds)
{
  *n_kinds = G_N_ELEMENTS (kinds);
  return kinds;
}

/**
 * sp_sources_kind_label:
 *
 * Returns: the translated name of @kind, or @kind itself if unknown
 */
const char *
sp_sources_kind_label (const char *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      if (g_strcmp0 (kinds[i].kind, kind) == 0)
        return _(kinds[i].label);
    }

  return kind;
}
