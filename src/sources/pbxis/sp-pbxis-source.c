/* sp-pbxis-source.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-pbxis"

#include "config.h"

#include "sp-account.h"
#include "sp-http.h"
#include "sp-pbxis-agent.h"
#include "sp-pbxis-calls.h"
#include "sp-pbxis-source.h"
#include "sp-pbxis-source-private.h"

/*
 * pbxis-ws (see protocols/pbxis_ws.md): POST /ticket names the agents and queues, and the
 * ticket's events are then read over one transport: a WebSocket, Server-Sent Events or
 * long-polls. This file is the object, its configuration and the status view's signals;
 * sp-pbxis-source-connect.c the connection (the ticket, its stream, what the events do);
 * sp-pbxis-source-actions.c the actions (and the dials, followed to their end). The kind's
 * other files hold the rest:
 *   sp-pbxis-stream.c   the three transports of a ticket's events (SpPbxisStream)
 *   sp-pbxis-calls.c    the pure mapping of the events to SpCallEvents (SpPbxisCalls;
 *                       sp-pbxis-calls-events.c: what each event does to an agent's calls)
 *   sp-pbxis-dials.c    the dials the calls follow, to their pick-up or failure
 *   sp-pbxis-board.c    the status view's agents and queues (sp-pbxis-agent.c: one agent)
 *   sp-pbxis-request.c  POSTs, deadlines and errors of requests to pbxis-ws
 *   sp-pbxis-source-queues.c  the status view's requests (queue actions of any agent,
 *                       reset, GET /queue/status), part of SpPbxisSource
 *   sp-pbxis-window.c   the status view; sp-pbxis-page.c, the account editor's page
 *
 * What shapes the connection comes from the server's quirks:
 *
 *  - A ticket dies 15 s after its reader left, and a dead ticket on the WebSocket gives a
 *    socket that is accepted and then silent for ever. So every connection attempt asks
 *    for a fresh ticket; the snapshot at the start of each ticket resyncs the state.
 *  - There are no heartbeats: silence is normal for hours, so there is no liveness
 *    timeout (TCP keepalive and the network monitor notice dead links).
 *  - Actions are plain POSTs, and Asterisk's refusals come back as HTTP 200 with
 *    `"response":"Error"`.
 *
 * The account: `url` is the base URL (http://HOST:58615, or behind a proxy with a path),
 * `extensions` the agents, and `options`:
 *   transport       websocket (default) | sse | long-poll
 *   queues          comma-separated queue names, for the status view and queue counts
 *   summary-events  true to receive QueueSummary/MemberSummary
 *   poll-timeout    the server's :poll-timeout-seconds, if not 30
 *   caller-id       the caller id of outgoing calls (originate's `callerId`)
 *   member-name     the first agent's name in the queues it logs on to (`memberName`)
 *   supervisor      true to offer resetting the queues' statistics in the status view
 * Actions (perform): DIAL (param: the number, or a tel:/callto: link), QUEUE_ADD,
 * QUEUE_REMOVE, QUEUE_PAUSE, QUEUE_UNPAUSE (param: the queue), and the agent-wide
 * PAUSE and UNPAUSE (every queue at once; pbxis-ws passes no reason on), all for the
 * first extension. The agent state (#SpSource:agent-state) follows its queue memberships.
 *
 * A DIAL completes when the call is placed, not when pbxis-ws answers: it answers an
 * action id even when Asterisk refused the call, and its failure report names the dialled
 * number as an agent, which our ticket filters out. So the dial is followed in the events
 * (sp-pbxis-calls.c): it completes when the agent picks up the phone it rang, and fails,
 * with the reason, when the phone does not ring within 10 s or is not picked up.
 * The status view acts for any of the account's agents and on the queues themselves with
 * sp_pbxis_source_queue_action_async(), sp_pbxis_source_reset_queue_async() and
 * sp_pbxis_source_refresh_queues_async() (`GET /queue/status`, also asked on every connect).
 */

/* How long connecting (ticket and stream) may take before the attempt counts as failed
 * (the base class's deadline). */
#define CONNECT_TIMEOUT_SECONDS 15

enum {
  QUEUE_CHANGED,
  AGENT_CHANGED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

G_DEFINE_FINAL_TYPE (SpPbxisSource, sp_pbxis_source, SP_TYPE_SOURCE)

/* Configuration */

/**
 * sp_pbxis_source_normalize_url:
 * @url: what the user typed: http://host:58615, https://…, ws://…, with or without a
 *   path prefix (a reverse proxy) and trailing slash
 * @error: return location for an %SP_SOURCE_ERROR_CONFIG error a person can fix
 *
 * The kind's reading of its server address: sp_http_normalize_url(), ws(s) accepted.
 *
 * Returns: (transfer full) (nullable): the http(s) base URL without a trailing slash
 */
char *
sp_pbxis_source_normalize_url (const char  *url,
                               GError     **error)
{
  return sp_http_normalize_url (url, SP_HTTP_URL_WEBSOCKET, "http://HOST:58615", error);
}

/* The `queues` option: a comma-separated list. */
char **
sp_pbxis_source_dup_queues (SpPbxisSource *self)
{
  SpAccount *account = sp_source_get_account (SP_SOURCE (self));
  g_autofree char *option = sp_account_dup_option (account, SP_PBXIS_OPTION_QUEUES);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) parts = g_strsplit (option ? option : "", ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *queue = g_strstrip (parts[i]);

      if (*queue != '\0')
        g_strv_builder_add (builder, queue);
    }

  return g_strv_builder_end (builder);
}

/* The board follows the account: its extensions and queues (also on every connect). */
void
sp_pbxis_source_configure_board (SpPbxisSource *self)
{
  SpAccount *account = sp_source_get_account (SP_SOURCE (self));
  g_auto(GStrv) agents = sp_account_dup_extensions (account);
  g_auto(GStrv) queues = sp_pbxis_source_dup_queues (self);

  sp_pbxis_board_configure (self->board, (const char * const *) agents,
                            (const char * const *) queues);
}

/* The status view */

/* The agent state is the first extension's: the account's own agent. */
static void
update_agent_state (SpPbxisSource *self)
{
  GPtrArray *agents = sp_pbxis_board_get_agents (self->board);

  if (agents->len > 0)
    sp_source_set_agent_state (SP_SOURCE (self),
                               sp_pbxis_agent_get_state (g_ptr_array_index (agents, 0)));
}

/**
 * sp_pbxis_source_board_refreshed:
 *
 * Everything on the board may have changed (a queue status was applied): says so of
 * everything. For sp-pbxis-source-queues.c.
 */
void
sp_pbxis_source_board_refreshed (SpPbxisSource *self)
{
  GPtrArray *agents = sp_pbxis_board_get_agents (self->board);
  GPtrArray *queues = sp_pbxis_board_get_queues (self->board);

  update_agent_state (self);
  for (guint i = 0; i < agents->len; i++)
    g_signal_emit (self, signals[AGENT_CHANGED], 0,
                   sp_pbxis_agent_get_id (g_ptr_array_index (agents, i)));
  for (guint i = 0; i < queues->len; i++)
    g_signal_emit (self, signals[QUEUE_CHANGED], 0,
                   ((SpPbxisQueue *) g_ptr_array_index (queues, i))->name);
}

/* An event of the ticket: the status view hears what it changed on the board. For
 * sp-pbxis-source-connect.c. */
void
sp_pbxis_source_feed_board (SpPbxisSource      *self,
                            const SpPbxisEvent *event)
{
  SpPbxisBoardChange change = sp_pbxis_board_feed (self->board, event);

  if (change & SP_PBXIS_BOARD_AGENT)
    {
      update_agent_state (self);
      g_signal_emit (self, signals[AGENT_CHANGED], 0, event->agent);
    }
  if (change & SP_PBXIS_BOARD_QUEUE)
    g_signal_emit (self, signals[QUEUE_CHANGED], 0, event->queue);
}

/* Object */

static void
state_changed_cb (SpPbxisSource *self)
{
  SpSourceState state = sp_source_get_state (SP_SOURCE (self));

  /* Stopped for good: whatever calls were live are the tracker's to expire, and a restart
   * begins from the next snapshot. */
  if (state == SP_SOURCE_STATE_DISCONNECTED || state == SP_SOURCE_STATE_FAILED ||
      state == SP_SOURCE_STATE_AUTH_FAILED)
    {
      sp_pbxis_calls_reset (self->calls);
      g_clear_handle_id (&self->deadline_id, g_source_remove);
      sp_pbxis_source_settle_dials (self);
    }
}

static void
sp_pbxis_source_constructed (GObject *object)
{
  SpPbxisSource *self = (SpPbxisSource *)object;

  G_OBJECT_CLASS (sp_pbxis_source_parent_class)->constructed (object);

  self->calls = sp_pbxis_calls_new (sp_source_get_account_id (SP_SOURCE (self)));
  sp_pbxis_source_configure_board (self);
}

static void
sp_pbxis_source_dispose (GObject *object)
{
  SpPbxisSource *self = (SpPbxisSource *)object;

  sp_pbxis_source_disconnect (SP_SOURCE (self));
  g_clear_handle_id (&self->deadline_id, g_source_remove);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (sp_pbxis_source_parent_class)->dispose (object);
}

static void
sp_pbxis_source_finalize (GObject *object)
{
  SpPbxisSource *self = (SpPbxisSource *)object;

  /* Each dial's task holds the source, so none is left here. */
  g_clear_pointer (&self->dial_tasks, g_hash_table_unref);
  g_clear_pointer (&self->calls, sp_pbxis_calls_free);
  g_clear_pointer (&self->board, sp_pbxis_board_free);
  g_free (self->base_url);

  G_OBJECT_CLASS (sp_pbxis_source_parent_class)->finalize (object);
}

static void
sp_pbxis_source_class_init (SpPbxisSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  SpSourceClass *source_class = SP_SOURCE_CLASS (klass);

  object_class->constructed = sp_pbxis_source_constructed;
  object_class->dispose = sp_pbxis_source_dispose;
  object_class->finalize = sp_pbxis_source_finalize;

  source_class->connect_async = sp_pbxis_source_connect_async;
  source_class->connect_finish = sp_pbxis_source_connect_finish;
  source_class->disconnect = sp_pbxis_source_disconnect;
  source_class->can_perform = sp_pbxis_source_can_perform;
  source_class->perform_async = sp_pbxis_source_perform_async;
  source_class->perform_finish = sp_pbxis_source_perform_finish;

  /**
   * SpPbxisSource::queue-changed:
   * @self: the source
   * @queue: the queue whose existence, waiting callers, figures, members or an agent's
   *   membership changed
   */
  /**
   * SpPbxisSource::agent-changed:
   * @self: the source
   * @agent: the agent whose name, phone, party or memberships changed
   */
  signals[AGENT_CHANGED] =
    g_signal_new ("agent-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  signals[QUEUE_CHANGED] =
    g_signal_new ("queue-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
sp_pbxis_source_init (SpPbxisSource *self)
{
  /* A long-poll or a stream holds one connection while an action needs another. */
  self->session = sp_http_session_new_with_options ("max-conns-per-host", 4, NULL);
  self->dial_tasks = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  self->board = sp_pbxis_board_new ();
  self->poll_timeout = DEFAULT_POLL_TIMEOUT_SECONDS;
  sp_source_set_connect_timeout (SP_SOURCE (self), CONNECT_TIMEOUT_SECONDS * 1000);

  g_signal_connect (self, "notify::state", G_CALLBACK (state_changed_cb), NULL);
}

SpSource *
sp_pbxis_source_new (SpAccount *account)
{
  return g_object_new (SP_TYPE_PBXIS_SOURCE, "account", account, NULL);
}

/**
 * sp_pbxis_source_get_board:
 *
 * Returns: (transfer none): the agents and queues of the status view, as pbxis-ws last
 *   described them; #SpPbxisSource::agent-changed and ::queue-changed say when
 */
SpPbxisBoard *
sp_pbxis_source_get_board (SpPbxisSource *self)
{
  g_return_val_if_fail (SP_IS_PBXIS_SOURCE (self), NULL);

  return self->board;
}
