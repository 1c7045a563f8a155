/* sp-demo-source.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-demo"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-account.h"
#include "sp-demo-source.h"

/*
 * The demo source simulates a small call centre in-process, so that Screenpop shows real
 * notifications with nothing configured: a call rings every ~20 s; some are answered after
 * a few seconds, some ring out and are missed, and the "Answer" button answers. Answered
 * calls end after a short conversation. The demo agent can be paused (from the tray or the
 * window), and a paused agent gets no calls, as in a real queue.
 *
 * Account options (for tests and for the curious): "first-delay-ms", "interval-ms",
 * "answer-percent" (0–100) and "seed".
 */

#define DEFAULT_FIRST_DELAY_MS 3000
#define DEFAULT_INTERVAL_MS 20000
#define DEFAULT_ANSWER_PERCENT 50

typedef struct
{
  const char *name;
  const char *number;
  const char *queue;
} Caller;

static const Caller callers[] = {
  { "山田 太郎", "03-1234-5678", "サポート" },
  { "佐藤 花子", "06-6123-4567", "営業" },
  { "鈴木 一郎", "+81 45 222 3344", "サポート" },
  { "Alice Martin", "+33 1 42 68 53 00", "Sales" },
  { "Bob Kowalski", "+48 22 555 01 23", "Support" },
  { "Carmen Ortega", "+34 91 123 45 67", "Support" },
  { "Daniel Weber", "+49 30 901820", "Billing" },
  { "Emma Johnson", "+44 20 7946 0018", "Sales" },
  { NULL, "+1 415 555 0134", "Support" },
  { "高橋 美咲", "090-1234-0000", "請求" },
};

typedef enum
{
  OUTCOME_ANSWER,
  OUTCOME_MISS,
} Outcome;

typedef struct
{
  SpDemoSource *self;    /* unowned */
  char         *call_id;
  gboolean      answered;
  guint         timer_id;
} DemoCall;

struct _SpDemoSource
{
  SpSource    parent_instance;

  GRand      *rand;
  guint       next_id;
  guint       ring_id;
  guint       serial;
  GHashTable *calls;   /* call id → DemoCall */
  gboolean    paused;
};

G_DEFINE_FINAL_TYPE (SpDemoSource, sp_demo_source, SP_TYPE_SOURCE)

static void
demo_call_free (DemoCall *call)
{
  g_clear_handle_id (&call->timer_id, g_source_remove);
  g_free (call->call_id);
  g_free (call);
}

static guint
option_uint (SpDemoSource *self,
             const char   *key,
             guint         fallback)
{
  g_autofree char *value = sp_account_dup_option (sp_source_get_account (SP_SOURCE (self)), key);
  guint64 parsed;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT, &parsed, NULL))
    return fallback;

  return (guint) parsed;
}

static void
emit (SpDemoSource    *self,
      DemoCall        *call,
      SpCallEventKind  kind)
{
  g_autoptr(SpCallEvent) event = sp_source_new_call_event (SP_SOURCE (self), call->call_id, kind);

  sp_source_emit_call_event (SP_SOURCE (self), event);
}

static gboolean
end_cb (gpointer data)
{
  DemoCall *call = data;
  SpDemoSource *self = call->self;

  call->timer_id = 0;
  emit (self, call, call->answered ? SP_CALL_EVENT_ENDED : SP_CALL_EVENT_MISSED);
  g_hash_table_remove (self->calls, call->call_id);

  return G_SOURCE_REMOVE;
}

static void
answer (SpDemoSource *self,
        DemoCall     *call)
{
  guint interval = option_uint (self, "interval-ms", DEFAULT_INTERVAL_MS);

  g_clear_handle_id (&call->timer_id, g_source_remove);
  call->answered = TRUE;
  emit (self, call, SP_CALL_EVENT_ANSWERED);

  /* A conversation lasts 40–60 % of the interval: over before the next call rings. */
  call->timer_id = g_timeout_add (interval * 2 / 5 + g_rand_int_range (self->rand, 0, interval / 5 + 1),
                                  end_cb, call);
}

static gboolean
answer_cb (gpointer data)
{
  DemoCall *call = data;

  call->timer_id = 0;
  answer (call->self, call);

  return G_SOURCE_REMOVE;
}

static void
ring (SpDemoSource *self)
{
  const Caller *caller = &callers[g_rand_int_range (self->rand, 0, G_N_ELEMENTS (callers))];
  guint interval = option_uint (self, "interval-ms", DEFAULT_INTERVAL_MS);
  Outcome outcome;
  g_autoptr(SpCallEvent) event = NULL;
  DemoCall *call;

  outcome = (guint) g_rand_int_range (self->rand, 0, 100) < option_uint (self, "answer-percent", DEFAULT_ANSWER_PERCENT)
    ? OUTCOME_ANSWER : OUTCOME_MISS;

  call = g_new0 (DemoCall, 1);
  call->self = self;
  call->call_id = g_strdup_printf ("demo-%u", ++self->serial);
  g_hash_table_insert (self->calls, call->call_id, call);

  event = sp_source_new_call_event (SP_SOURCE (self), call->call_id, SP_CALL_EVENT_RINGING);
  event->name = g_strdup (caller->name);
  event->number = g_strdup (caller->number);
  event->queue = g_strdup (caller->queue);
  event->exten = g_strdup ("100");
  sp_call_event_set_var (event, "customer_id", "4711");
  sp_source_emit_call_event (SP_SOURCE (self), event);

  /* Timings shrink with the interval, so that a fast demo (tests) stays consistent:
   * answered after 20–40 % of the interval, missed after 60–75 %. */
  if (outcome == OUTCOME_ANSWER)
    call->timer_id = g_timeout_add (interval / 5 + g_rand_int_range (self->rand, 0, interval / 5 + 1),
                                    answer_cb, call);
  else
    call->timer_id = g_timeout_add (interval * 3 / 5 + g_rand_int_range (self->rand, 0, interval * 3 / 20 + 1),
                                    end_cb, call);
}

static void
update_agent_state (SpDemoSource *self)
{
  sp_source_set_agent_state (SP_SOURCE (self), self->paused ? SP_AGENT_STATE_PAUSED
                                                            : SP_AGENT_STATE_READY);
}

static gboolean
ring_cb (gpointer data)
{
  SpDemoSource *self = data;
  guint interval = option_uint (self, "interval-ms", DEFAULT_INTERVAL_MS);

  if (!self->paused)
    ring (self);

  /* ±25 % so the demo does not feel like a metronome. */
  self->ring_id = g_timeout_add (interval * 3 / 4 + g_rand_int_range (self->rand, 0, interval / 2 + 1),
                                 ring_cb, self);

  return G_SOURCE_REMOVE;
}

static void
sp_demo_source_connect_async (SpSource            *source,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  SpDemoSource *self = SP_DEMO_SOURCE (source);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *seed = sp_account_dup_option (sp_source_get_account (source), "seed");

  g_task_set_source_tag (task, sp_demo_source_connect_async);

  g_clear_pointer (&self->rand, g_rand_free);
  self->rand = seed ? g_rand_new_with_seed (option_uint (self, "seed", 0)) : g_rand_new ();

  self->ring_id = g_timeout_add (option_uint (self, "first-delay-ms", DEFAULT_FIRST_DELAY_MS),
                                 ring_cb, self);

  update_agent_state (self);
  g_task_return_boolean (task, TRUE);
}

static gboolean
sp_demo_source_connect_finish (SpSource      *source,
                               GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
sp_demo_source_disconnect (SpSource *source)
{
  SpDemoSource *self = SP_DEMO_SOURCE (source);

  g_clear_handle_id (&self->ring_id, g_source_remove);
  g_hash_table_remove_all (self->calls);
}

static gboolean
sp_demo_source_can_perform (SpSource       *source,
                            SpSourceAction  action)
{
  return action == SP_SOURCE_ACTION_ANSWER ||
         action == SP_SOURCE_ACTION_PAUSE ||
         action == SP_SOURCE_ACTION_UNPAUSE;
}

static void
sp_demo_source_perform_async (SpSource            *source,
                              SpSourceAction       action,
                              const char          *call_id,
                              GVariant            *param,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  SpDemoSource *self = SP_DEMO_SOURCE (source);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  DemoCall *call;

  g_task_set_source_tag (task, sp_demo_source_perform_async);

  if (action == SP_SOURCE_ACTION_PAUSE || action == SP_SOURCE_ACTION_UNPAUSE)
    {
      self->paused = action == SP_SOURCE_ACTION_PAUSE;
      update_agent_state (self);
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (action != SP_SOURCE_ACTION_ANSWER)
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_UNSUPPORTED,
                               _("The demo cannot “%s”"), sp_source_action_to_string (action));
      return;
    }

  call = call_id ? g_hash_table_lookup (self->calls, call_id) : NULL;
  if (call == NULL || call->answered)
    {
      g_task_return_new_error (task, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                               _("The call is no longer ringing"));
      return;
    }

  answer (self, call);
  g_task_return_boolean (task, TRUE);
}

static void
sp_demo_source_dispose (GObject *object)
{
  SpDemoSource *self = (SpDemoSource *)object;

  g_clear_handle_id (&self->ring_id, g_source_remove);
  g_clear_pointer (&self->calls, g_hash_table_unref);
  g_clear_pointer (&self->rand, g_rand_free);

  G_OBJECT_CLASS (sp_demo_source_parent_class)->dispose (object);
}

static void
sp_demo_source_class_init (SpDemoSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  SpSourceClass *source_class = SP_SOURCE_CLASS (klass);

  object_class->dispose = sp_demo_source_dispose;

  source_class->connect_async = sp_demo_source_connect_async;
  source_class->connect_finish = sp_demo_source_connect_finish;
  source_class->disconnect = sp_demo_source_disconnect;
  source_class->can_perform = sp_demo_source_can_perform;
  source_class->perform_async = sp_demo_source_perform_async;
}

static void
sp_demo_source_init (SpDemoSource *self)
{
  self->calls = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) demo_call_free);
}

SpSource *
sp_demo_source_new (SpAccount *account)
{
  return g_object_new (SP_TYPE_DEMO_SOURCE, "account", account, NULL);
}
