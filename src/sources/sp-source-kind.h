/* sp-source-kind.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-account.h"
#include "sp-source.h"

G_BEGIN_DECLS

/* The in-process simulator: the kind `--demo` (named after it) and a first start with no
 * account run, so that a newcomer sees a call at once. */
#define SP_SOURCE_KIND_DEMO "demo"

/**
 * SpSourceKind:
 * @id: the account kind as stored in the settings ("basix", "redmine-rt" …)
 * @label: the name people see, untranslated: use sp_source_kind_get_label()
 * @get_source_type: the #SpSource subclass that connects an account of the kind
 * @new_source: creates a stopped source for an account of the kind
 * @option_keys: every key of the account's `options` that the source reads, %NULL-terminated;
 *   the names are `#define`d in the kind's header (SP_BASIX_OPTION_DOMAIN …)
 * @normalize_url: the server address as the source will take it, or %NULL with an error
 *   a person can act on; %NULL for a kind without a server
 * @get_page_type: the kind's page of the account editor, a widget that implements
 *   SpAccountPage
 * @get_window_type: (nullable): the kind's own window (the Basix live view, the pbxis agent
 *   panel), or %NULL. It is a #GtkWindow with a construct-only `source` property of the
 *   kind's source type.
 * @window_icon: the icon of the button that opens the window
 * @window_tooltip: the tooltip of that button, untranslated
 *
 * One kind of account, one backend. The registry (sp_source_kind_get_all()) is the one
 * place that lists them; everything about a kind lives in its folder under src/sources/.
 */
typedef struct
{
  const char          *id;
  const char          *label;
  GType              (*get_source_type) (void);
  SpSource          *(*new_source)      (SpAccount   *account);
  const char * const  *option_keys;
  char              *(*normalize_url)   (const char  *url,
                                         GError     **error);
  GType              (*get_page_type)   (void);
  GType              (*get_window_type) (void);
  const char          *window_icon;
  const char          *window_tooltip;
} SpSourceKind;

const SpSourceKind *sp_source_kind_get_all         (guint              *n_kinds);
const SpSourceKind *sp_source_kind_lookup          (const char         *id);
const char         *sp_source_kind_get_label       (const SpSourceKind *kind);
const char         *sp_source_kind_label_for_id    (const char         *id);
gboolean            sp_source_kind_reads_option    (const SpSourceKind *kind,
                                                    const char         *key);
gboolean            sp_source_kind_has_url         (const SpSourceKind *kind);
char               *sp_source_kind_normalize_url   (const SpSourceKind *kind,
                                                    const char         *url,
                                                    GError            **error);
GType               sp_source_kind_get_page_type   (const SpSourceKind *kind);
GType               sp_source_kind_get_window_type (const SpSourceKind *kind);
const char         *sp_source_kind_get_window_tooltip (const SpSourceKind *kind);
SpSource           *sp_source_kind_create_source   (SpAccount          *account,
                                                    GError            **error);

G_END_DECLS
