/* sp-test-notify.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What a notification server like GNOME Shell's offers. */
#define SP_TEST_NOTIFY_DEFAULT_CAPABILITIES "body actions body-markup sound persistence"

/* Reasons of org.freedesktop.Notifications.NotificationClosed. */
#define SP_TEST_NOTIFY_CLOSED_EXPIRED   1
#define SP_TEST_NOTIFY_CLOSED_DISMISSED 2
#define SP_TEST_NOTIFY_CLOSED_CALL      3

typedef struct _SpTestNotify SpTestNotify;

/**
 * SpTestNotifyCall:
 * @method: the D-Bus method called, e.g. "Notify"
 * @timestamp: when, in seconds since the epoch (dbusmock's resolution)
 * @args: the arguments as a tuple; for Notify `(susssasa{sv}i)`: app_name, replaces_id,
 *   app_icon, summary, body, actions, hints, expire_timeout
 */
typedef struct
{
  char     *method;
  guint64   timestamp;
  GVariant *args;
} SpTestNotifyCall;

SpTestNotify *sp_test_notify_start          (const char   *capabilities);
void          sp_test_notify_stop           (SpTestNotify *self);
const char   *sp_test_notify_get_address    (SpTestNotify *self);
GPtrArray    *sp_test_notify_get_calls      (SpTestNotify *self,
                                             const char   *method);
guint         sp_test_notify_count          (SpTestNotify *self,
                                             const char   *method);
gboolean      sp_test_notify_wait_for       (SpTestNotify *self,
                                             const char   *method,
                                             guint         n_calls,
                                             guint         timeout_ms);
void          sp_test_notify_clear          (SpTestNotify *self);
guint32       sp_test_notify_get_id         (SpTestNotify *self,
                                             guint         n);
void          sp_test_notify_click          (SpTestNotify *self,
                                             guint32       id,
                                             const char   *action);
void          sp_test_notify_close          (SpTestNotify *self,
                                             guint32       id,
                                             guint32       reason);

void          sp_test_notify_call_free      (SpTestNotifyCall *call);

/* Accessors for the arguments of a Notify call. */
const char   *sp_test_notify_call_get_summary (SpTestNotifyCall *call);
const char   *sp_test_notify_call_get_body    (SpTestNotifyCall *call);
guint32       sp_test_notify_call_get_replaces_id (SpTestNotifyCall *call);
char        **sp_test_notify_call_dup_actions (SpTestNotifyCall *call);
GVariant     *sp_test_notify_call_get_hint    (SpTestNotifyCall *call,
                                               const char       *name);
guint32       sp_test_notify_call_get_closed_id (SpTestNotifyCall *call);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpTestNotifyCall, sp_test_notify_call_free)

G_END_DECLS
