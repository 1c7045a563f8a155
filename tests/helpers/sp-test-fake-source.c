/* sp-test-fake-source.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-test-fake-source"

#include "config.h"

#include "sp-test-fake-source.h"

/* A source for tests of what lies behind the sources (the web service, the window): it
 * connects at once, and records the pause and unpause it is asked for, as
 * "ACTION CALL-ID [PARAM]". Calls are pushed into the tracker by the test itself. */

struct _SpTestFakeSource
{
  SpSource   parent_instance;
  GPtrArray *performed;
};

G_DEFINE_FINAL_TYPE (SpTestFakeSource, sp_test_fake_source, SP_TYPE_SOURCE)

static void
fake_connect_async (SpSource            *source,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (source, cancellable, callback, user_data);

  g_task_return_boolean (task, TRUE);
}

static gboolean
fake_connect_finish (SpSource      *source,
                     GAsyncResult  *result,
                     GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
fake_can_perform (SpSource       *source,
                  SpSourceAction  action)
{
  return action == SP_SOURCE_ACTION_PAUSE || action == SP_SOURCE_ACTION_UNPAUSE;
}

static void
fake_perform_async (SpSource            *source,
                    SpSourceAction       action,
                    const char          *call_id,
                    GVariant            *param,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  SpTestFakeSource *self = SP_TEST_FAKE_SOURCE (source);
  g_autoptr(GTask) task = g_task_new (source, cancellable, callback, user_data);
  g_autoptr(GVariant) sunk = param ? g_variant_ref_sink (param) : NULL;

  if (sunk != NULL)
    g_ptr_array_add (self->performed, g_strdup_printf ("%s %s %s",
                                                       sp_source_action_to_string (action),
                                                       call_id,
                                                       g_variant_get_string (sunk, NULL)));
  else
    g_ptr_array_add (self->performed, g_strdup_printf ("%s %s",
                                                       sp_source_action_to_string (action),
                                                       call_id));

  g_task_return_boolean (task, TRUE);
}

static void
sp_test_fake_source_finalize (GObject *object)
{
  SpTestFakeSource *self = SP_TEST_FAKE_SOURCE (object);

  g_ptr_array_unref (self->performed);

  G_OBJECT_CLASS (sp_test_fake_source_parent_class)->finalize (object);
}

static void
sp_test_fake_source_class_init (SpTestFakeSourceClass *klass)
{
  SpSourceClass *source_class = SP_SOURCE_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = sp_test_fake_source_finalize;
  source_class->connect_async = fake_connect_async;
  source_class->connect_finish = fake_connect_finish;
  source_class->can_perform = fake_can_perform;
  source_class->perform_async = fake_perform_async;
}

static void
sp_test_fake_source_init (SpTestFakeSource *self)
{
  self->performed = g_ptr_array_new_with_free_func (g_free);
}

SpTestFakeSource *
sp_test_fake_source_new (SpAccount *account)
{
  return g_object_new (SP_TYPE_TEST_FAKE_SOURCE, "account", account, NULL);
}

/**
 * sp_test_fake_source_get_performed:
 *
 * Returns: (transfer none) (element-type utf8): what the source was asked to do, in order
 */
GPtrArray *
sp_test_fake_source_get_performed (SpTestFakeSource *self)
{
  return self->performed;
}
