/* sp-pbxis-texts.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-pbxis-board.h"

G_BEGIN_DECLS

gboolean    sp_pbxis_is_member         (SpPbxisMemberStatus       status);
const char *sp_pbxis_membership_text   (SpPbxisMemberStatus       status);
const char *sp_pbxis_membership_style  (SpPbxisMemberStatus       status);
char       *sp_pbxis_waiting_text      (const SpPbxisQueue       *queue);
char       *sp_pbxis_statistics_text   (const SpPbxisQueueInfo   *info);
char       *sp_pbxis_queue_member_text (const SpPbxisQueueMember *member);
char       *sp_pbxis_agent_title       (SpPbxisAgent             *agent);
char       *sp_pbxis_agent_text        (SpPbxisAgent             *agent);

G_END_DECLS
