/* sp-notifier.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "sp-notifier-wire.h"

G_BEGIN_DECLS

#define SP_TYPE_NOTIFIER (sp_notifier_get_type ())

G_DECLARE_FINAL_TYPE (SpNotifier, sp_notifier, SP, NOTIFIER, GObject)

SpNotifier *sp_notifier_new            (void);
void        sp_notifier_show           (SpNotifier           *self,
                                        const char           *tag,
                                        const char           *summary,
                                        const char           *body,
                                        const char           *icon,
                                        SpNotifyFlags         flags,
                                        const SpNotifyButton *buttons,
                                        guint                 n_buttons);
void        sp_notifier_withdraw       (SpNotifier           *self,
                                        const char           *tag);
gboolean    sp_notifier_is_shown       (SpNotifier           *self,
                                        const char           *tag);
void        sp_notifier_withdraw_all   (SpNotifier           *self);
void        sp_notifier_set_sound_enabled (SpNotifier        *self,
                                        gboolean              enabled);

G_END_DECLS
