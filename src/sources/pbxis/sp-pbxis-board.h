/* sp-pbxis-board.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "sp-pbxis.h"
#include "sp-pbxis-agent.h"
#include "sp-pbxis-queue-status.h"

G_BEGIN_DECLS

/**
 * SpPbxisQueueExistence:
 * @SP_PBXIS_QUEUE_UNKNOWN: nothing said yet
 * @SP_PBXIS_QUEUE_EXISTS: pbxis-ws reported the queue
 * @SP_PBXIS_QUEUE_MISSING: `GET /queue/status` did not list it: Asterisk has no such queue
 */
typedef enum
{
  SP_PBXIS_QUEUE_UNKNOWN,
  SP_PBXIS_QUEUE_EXISTS,
  SP_PBXIS_QUEUE_MISSING,
} SpPbxisQueueExistence;

/**
 * SpPbxisQueue:
 * @name: the queue's name
 * @existence: whether Asterisk has it
 * @count: callers waiting, -1 if not said
 * @info: (nullable): its figures, from `GET /queue/status` or the last QueueSummary
 * @members: (nullable) (element-type SpPbxisQueueMember): its members, from
 *   `GET /queue/status` or the last MemberSummary
 *
 * One queue of the status view. Read-only outside sp-pbxis-board.c.
 */
typedef struct
{
  char                  *name;
  SpPbxisQueueExistence  existence;
  gint64                 count;
  SpPbxisQueueInfo      *info;
  GPtrArray             *members;
} SpPbxisQueue;

/**
 * SpPbxisBoardChange:
 * @SP_PBXIS_BOARD_NONE: nothing changed
 * @SP_PBXIS_BOARD_AGENT: the event's agent changed
 * @SP_PBXIS_BOARD_QUEUE: the event's queue changed
 */
typedef enum
{
  SP_PBXIS_BOARD_NONE  = 0,
  SP_PBXIS_BOARD_AGENT = 1 << 0,
  SP_PBXIS_BOARD_QUEUE = 1 << 1,
} SpPbxisBoardChange;

typedef struct _SpPbxisBoard SpPbxisBoard;

SpPbxisBoard       *sp_pbxis_board_new           (void);
void                sp_pbxis_board_free          (SpPbxisBoard       *self);
void                sp_pbxis_board_configure     (SpPbxisBoard       *self,
                                                  const char * const *agents,
                                                  const char * const *queues);
GPtrArray          *sp_pbxis_board_get_agents    (SpPbxisBoard       *self);
GPtrArray          *sp_pbxis_board_get_queues    (SpPbxisBoard       *self);
SpPbxisAgent       *sp_pbxis_board_lookup_agent  (SpPbxisBoard       *self,
                                                  const char         *agent);
SpPbxisQueue       *sp_pbxis_board_lookup_queue  (SpPbxisBoard       *self,
                                                  const char         *queue);
SpPbxisBoardChange  sp_pbxis_board_feed          (SpPbxisBoard       *self,
                                                  const SpPbxisEvent *event);
void                sp_pbxis_board_apply_status  (SpPbxisBoard       *self,
                                                  GPtrArray          *queues);
void                sp_pbxis_board_forget_calls  (SpPbxisBoard       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpPbxisBoard, sp_pbxis_board_free)

G_END_DECLS
