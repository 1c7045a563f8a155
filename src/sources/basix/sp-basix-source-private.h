/* sp-basix-source-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "sp-basix-calls.h"
#include "sp-basix-model.h"
#include "sp-frame-queue.h"
#include "sp-source.h"

G_BEGIN_DECLS

/* Not sp-basix-source.h, which would make an include cycle with sp-basix-source.c. */
typedef struct _SpBasixSource SpBasixSource;

/* What the two files of SpBasixSource share: sp-basix-source.c (the object, its options,
 * the ticket and the WebSocket, the actions) and sp-basix-source-frames.c (the frames in
 * order, big ones decoded in a worker thread, and what they do). */

#define DEFAULT_APP_NAME "screenpop"

struct _SpBasixSource
{
  SpSource                 parent_instance;

  SoupSession             *session;
  SoupWebsocketConnection *connection;
  SpBasixModel            *model;
  SpBasixCalls            *calls;        /* the account's calls, from the model's changes */
  GQueue                   pending;      /* (element-type GBytes): frames not yet applied */
  GCancellable            *decoding;     /* set while a big frame is decoded in a thread */
  SpBasixUpdate           *following;    /* a big update whose calls are followed in slices */
  guint                    following_at; /* its first change not followed yet */
  guint                    following_id;
  SpFrameQueue            *frames;       /* a flood is handled in slices */
};

enum {
  MODEL_CHANGED,
  MODEL_RESET,
  N_SIGNALS
};

extern guint sp_basix_source_signals[N_SIGNALS];

/* sp-basix-source.c */
char *sp_basix_source_dup_option     (SpBasixSource *self,
                                      const char    *key);

/* sp-basix-source-frames.c */
void  sp_basix_source_stop_following (SpBasixSource *self);
void  sp_basix_source_drop_pending   (SpBasixSource *self);
void  sp_basix_source_handle_frame   (gpointer       owner,
                                      gpointer       frame_data);

G_END_DECLS
