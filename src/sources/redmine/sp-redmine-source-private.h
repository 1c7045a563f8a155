/* sp-redmine-source-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "sp-frame-queue.h"
#include "sp-redmine-channels.h"
#include "sp-source.h"

G_BEGIN_DECLS

/*
 * SpRedmineSource is written in two files that share this header, and nothing else includes
 * it: sp-redmine-source.c (the type, the attempt up to the cable: the keyring,
 * users/current.json, the key trade; the post_msg action) and sp-redmine-cable.c (the
 * ActionCable link, from the upgrade to the end of the connection). The subscriptions they
 * keep in @channels are sp-redmine-channels.c, pure, which knows nothing of this struct.
 *
 * It does not include sp-redmine-source.h, which both files include themselves: that way
 * no include cycle joins the type's header and this one.
 */

/* How long after the upgrade the welcome may take. */
#define SP_REDMINE_WELCOME_TIMEOUT_SECONDS 10

struct _SpRedmineSource
{
  SpSource                 parent_instance;

  SoupSession             *http;         /* REST calls, with a timeout */
  SoupSession             *ws;           /* the cable: no timeout, the pings keep it alive */
  SoupWebsocketConnection *connection;

  /* Learnt by the last attempt, kept for post_msg while reconnecting. */
  char                    *base_url;
  char                    *api_key;
  char                    *login;

  SpRedmineChannels       *channels;           /* the subscriptions and the channel class */
  GTask                   *connect_task;       /* from the upgrade to the first confirm */
  guint                    welcome_id;
  guint                    confirm_id;
  gint64                   last_frame;
  gint64                   last_form_hint;   /* monotonic; the form-data hint, once a minute */
  gint64                   subscribed_at;
  SpFrameQueue            *frames;             /* the cable's: a flood is handled in slices */
};

/* The task data of a connection attempt. */
typedef struct
{
  SoupMessage  *msg;
  char         *secret;       /* the password, in password mode */
  char         *cable_url;    /* without the key: for logs */
} SpRedmineConnectData;

void sp_redmine_cable_open  (GTask    *task);
void sp_redmine_cable_close (SpSource *source);

G_END_DECLS
