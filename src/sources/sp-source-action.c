/* sp-source-action.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-source"

#include "config.h"

#include "sp-enums.h"
#include "sp-source.h"

/*
 * The text forms of a source's verbs (SpSourceAction) and states (SpSourceState): what a
 * notification button, a GAction parameter or a log line carries. Apart from sp-source.c,
 * which is the connection's life, because these are plain lookups that every layer uses;
 * so are the user facts (SpUserFacts), asked of the class and cleared here.
 */

/**
 * sp_source_action_to_string:
 *
 * Returns: the nick of @action ("answer", "queue-pause", …): the text a notification
 *   button or a log line carries
 */
const char *
sp_source_action_to_string (SpSourceAction action)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (SP_TYPE_SOURCE_ACTION);
  GEnumValue *value = g_enum_get_value (klass, action);

  g_return_val_if_fail (value != NULL, "unknown");

  /* The class is static, and so are its nicks: they outlive this reference. */
  return value->value_nick;
}

/**
 * sp_source_action_from_string:
 * @string: (nullable): the nick of an action, as sp_source_action_to_string() gives it
 * @action: (out): the action, when @string names one
 *
 * The one place where a verb given as text becomes an #SpSourceAction, so that an unknown
 * or misspelt verb is refused here.
 *
 * Returns: whether @string names an action
 */
gboolean
sp_source_action_from_string (const char     *string,
                              SpSourceAction *action)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (SP_TYPE_SOURCE_ACTION);
  GEnumValue *value = string ? g_enum_get_value_by_nick (klass, string) : NULL;

  if (value != NULL)
    *action = value->value;

  return value != NULL;
}

const char *
sp_source_state_to_string (SpSourceState state)
{
  switch (state)
    {
    case SP_SOURCE_STATE_DISCONNECTED:
      return "disconnected";
    case SP_SOURCE_STATE_CONNECTING:
      return "connecting";
    case SP_SOURCE_STATE_CONNECTED:
      return "connected";
    case SP_SOURCE_STATE_RECONNECTING:
      return "reconnecting";
    case SP_SOURCE_STATE_FAILED:
      return "failed";
    case SP_SOURCE_STATE_AUTH_FAILED:
      return "auth-failed";
    default:
      g_return_val_if_reached ("unknown");
    }
}

gboolean
sp_source_perform_finish (SpSource      *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (SP_IS_SOURCE (self), FALSE);

  return SP_SOURCE_GET_CLASS (self)->perform_finish (self, result, error);
}
