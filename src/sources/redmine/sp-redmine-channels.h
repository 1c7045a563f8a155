/* sp-redmine-channels.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The channel class: "Channel" since redmine_rt of 2022-12-29, "RedmineRt::Channel" before.
 * A server answers nothing at all to the class it does not have. */
#define SP_REDMINE_CHANNEL_CLASS "Channel"
#define SP_REDMINE_LEGACY_CHANNEL_CLASS "RedmineRt::Channel"

/* How long a subscription may wait for its confirm_subscription before the other channel
 * class is tried. */
#define SP_REDMINE_CONFIRM_TIMEOUT_MS 5000

/**
 * SpRedmineChannelsStep:
 * @SP_REDMINE_CHANNELS_IGNORED: the answer is about no subscription of ours: nothing changed
 * @SP_REDMINE_CHANNELS_WAITING: answers are still due
 * @SP_REDMINE_CHANNELS_LIVE: every channel has its answer (or the wait is over) and one at
 *   least is confirmed: the connection is live
 * @SP_REDMINE_CHANNELS_RETRY: no answer to this class: the other one is now the class,
 *   subscribe again with it
 * @SP_REDMINE_CHANNELS_SILENT: no answer and not a single frame since subscribing: the
 *   server is gone, whatever the class
 * @SP_REDMINE_CHANNELS_REFUSED: the server refused every channel
 * @SP_REDMINE_CHANNELS_UNANSWERED: neither channel class got an answer
 *
 * What the connection does after a subscription answer, or after the confirmation wait.
 */
typedef enum
{
  SP_REDMINE_CHANNELS_IGNORED,
  SP_REDMINE_CHANNELS_WAITING,
  SP_REDMINE_CHANNELS_LIVE,
  SP_REDMINE_CHANNELS_RETRY,
  SP_REDMINE_CHANNELS_SILENT,
  SP_REDMINE_CHANNELS_REFUSED,
  SP_REDMINE_CHANNELS_UNANSWERED,
} SpRedmineChannelsStep;

typedef struct _SpRedmineChannels SpRedmineChannels;

char                  **sp_redmine_channel_names        (const char          *login,
                                                         const char * const  *extra);

SpRedmineChannels      *sp_redmine_channels_new         (const char          *account_id,
                                                         const char          *channel_class);
void                    sp_redmine_channels_free        (SpRedmineChannels   *self);
const char             *sp_redmine_channels_get_class   (SpRedmineChannels   *self);
void                    sp_redmine_channels_reset       (SpRedmineChannels   *self);
void                    sp_redmine_channels_subscribe   (SpRedmineChannels   *self,
                                                         const char * const  *names,
                                                         GPtrArray           *outbox);
SpRedmineChannelsStep   sp_redmine_channels_confirm     (SpRedmineChannels   *self,
                                                         const char          *identifier,
                                                         GPtrArray           *outbox);
SpRedmineChannelsStep   sp_redmine_channels_reject      (SpRedmineChannels   *self,
                                                         const char          *identifier);
SpRedmineChannelsStep   sp_redmine_channels_timeout     (SpRedmineChannels   *self,
                                                         gboolean             heard);
const char             *sp_redmine_channels_lookup      (SpRedmineChannels   *self,
                                                         const char          *identifier);
char                   *sp_redmine_channels_dup_detail  (SpRedmineChannels   *self);
const char             *sp_redmine_channels_step_to_string (SpRedmineChannelsStep step);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpRedmineChannels, sp_redmine_channels_free)

G_END_DECLS
