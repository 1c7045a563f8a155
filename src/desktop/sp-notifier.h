/* sp-notifier.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * SpNotifyFlags:
 * @SP_NOTIFY_NONE: an ordinary notification
 * @SP_NOTIFY_RINGING: a ringing call: category call.incoming, critical urgency, the ping
 * @SP_NOTIFY_CALL: about a call, but not ringing (category call.unanswered etc. set by caller)
 * @SP_NOTIFY_PERSISTENT: stays until dismissed
 * @SP_NOTIFY_PING: play the ping
 * @SP_NOTIFY_LOW: low urgency
 */
typedef enum
{
  SP_NOTIFY_NONE       = 0,
  SP_NOTIFY_RINGING    = 1 << 0,
  SP_NOTIFY_CALL       = 1 << 1,
  SP_NOTIFY_PERSISTENT = 1 << 2,
  SP_NOTIFY_PING       = 1 << 3,
  SP_NOTIFY_LOW        = 1 << 4,
} SpNotifyFlags;

typedef struct
{
  const char *id;     /* stable string target, e.g. "open", "answer", "button-2" */
  const char *label;
} SpNotifyButton;

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
