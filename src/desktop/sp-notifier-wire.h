/* sp-notifier-wire.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

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

/* What a notification should show, as SpNotifier keeps it. */
typedef struct
{
  char          *summary;
  char          *body;
  char          *icon;
  SpNotifyFlags  flags;
  GStrv          actions;   /* id, label, id, label… */
} SpNotifyContent;

void      sp_notify_content_free (SpNotifyContent       *content);
GVariant *sp_notify_fdo_args     (const SpNotifyContent *content,
                                  guint32                replaces_id);
GVariant *sp_notify_portal_args  (const SpNotifyContent *content,
                                  const char            *tag);

G_END_DECLS
