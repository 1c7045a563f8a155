/* sp-basix-fields.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "sp-bert.h"

G_BEGIN_DECLS

gboolean           sp_basix_term_is_absent          (const SpBertTerm   *term);
char              *sp_basix_term_dup_string         (const SpBertTerm   *term);
gboolean           sp_basix_term_equal_string       (const SpBertTerm   *term,
                                                     const char         *text);

/**
 * SpBasixState:
 * @ts: when the channel entered the state, in microseconds since the epoch (0 if not given)
 * @name: the state name (`calling`, `bridged`, `park`, …)
 * @target_type: `voicemail` and `calling`: the kind of target (`user`, `group`, `pstn`,
 *   `bridged_endpoint`, …)
 * @target_id: `voicemail`: the target id; `calling`: the user id or the group id
 * @target_name: `voicemail`, `checking_voicemail`: the target name
 * @target_location: `calling`: `int` or `ext`
 * @group_type: `calling` a group: the group type (`ring`, `hunt`, …)
 * @queue_id: `calling` a ring group: the queue id
 * @address: `calling` `pstn`: the address; `bridged_endpoint`: `A@B`;
 *   `calling_siptermination`: the URL
 * @ivr_id: `ivr`: the IVR id
 * @operation: `system_operation`: the operation
 * @room_id: `conference`: the room id
 * @slot: `park`: the park slot
 * @parker_id: `park`: who parked the call
 * @parker_name: `park`: their name
 * @uuid: `eavesdrop`: the channel listened to
 * @eavesdrop_state: `eavesdrop`: the eavesdrop state
 *
 * The structured `state` field of a channel, as the ws_cti library reads it. Every string
 * is %NULL when the state does not have it.
 */
typedef struct
{
  gint64 ts;
  char *name;
  char *target_type;
  char *target_id;
  char *target_name;
  char *target_location;
  char *group_type;
  char *queue_id;
  char *address;
  char *ivr_id;
  char *operation;
  char *room_id;
  char *slot;
  char *parker_id;
  char *parker_name;
  char *uuid;
  char *eavesdrop_state;
} SpBasixState;

/**
 * SpBasixTarget:
 * @type: the target kind
 * @id: its id
 * @name: its name
 * @address: its address
 *
 * The `target` field of a channel, `{Type, Id, Name, Address}`.
 */
typedef struct
{
  char *type;
  char *id;
  char *name;
  char *address;
} SpBasixTarget;

/**
 * SpBasixEndUserItem:
 * @id: the CRM id
 * @name: the name
 * @organization: the organization
 * @avatar: the avatar as sent (see sp_basix_avatar_url())
 * @prefecture: the prefecture
 *
 * One CRM candidate for the remote party of a channel.
 */
typedef struct
{
  char *id;
  char *name;
  char *organization;
  char *avatar;
  char *prefecture;
} SpBasixEndUserItem;

/**
 * SpBasixOtherInfo:
 * @type: `user` or `end_user`
 * @user_id: for type `user`, the user id
 * @end_user: for type `end_user`, the raw end_user string
 * @direction: `inbound` or `outbound`
 * @peer_location: `internal` or `external`
 * @address: the address
 * @offer_timestamp: microseconds since the epoch, 0 if not given
 * @group_id: for type `user`, the group id
 * @whoscall: element 7, as text
 *
 * The `other_info` field of a channel: the other side of the call.
 */
typedef struct
{
  char *type;
  char *user_id;
  char *end_user;
  char *direction;
  char *peer_location;
  char *address;
  gint64 offer_timestamp;
  char *group_id;
  char *whoscall;
} SpBasixOtherInfo;

gboolean           sp_basix_parse_state             (const SpBertTerm   *term,
                                                     SpBasixState       *out_state);
void               sp_basix_state_clear             (SpBasixState       *state);
gboolean           sp_basix_parse_target            (const SpBertTerm   *term,
                                                     SpBasixTarget      *out_target);
void               sp_basix_target_clear            (SpBasixTarget      *target);
gboolean           sp_basix_parse_other_info        (const SpBertTerm   *term,
                                                     SpBasixOtherInfo   *out_info);
void               sp_basix_other_info_clear        (SpBasixOtherInfo   *info);
GPtrArray         *sp_basix_parse_end_user          (const char         *end_user,
                                                     guint              *out_n_declared);
void               sp_basix_end_user_item_free      (SpBasixEndUserItem *item);
char             **sp_basix_parse_origination       (const char         *origination);
char             **sp_basix_parse_tags              (const char         *tags);
char              *sp_basix_avatar_url              (const char         *base_url,
                                                     const char         *avatar,
                                                     gboolean            end_user);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpBasixEndUserItem, sp_basix_end_user_item_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SpBasixState, sp_basix_state_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SpBasixTarget, sp_basix_target_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SpBasixOtherInfo, sp_basix_other_info_clear)

G_END_DECLS
