/* sp-basix-calls.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-basix-calls"

#include "config.h"

#include "sp-basix-calls.h"

/*
 * The calls of a Basix account, from the element store: which user the account is (by the
 * user selector or the account's extensions), which channels ring that user (directly or
 * through one of the user's groups), and what each change of such a channel means as an
 * SpCallEvent. Pure: the source feeds it each applied message (an SpBasixUpdate of its
 * SpBasixModel) and emits the events it returns; no I/O, no main loop. The state it keeps
 * is the calls it follows (channel uuid → call) and, found again whenever the users or the
 * group members change, the user and the user's groups.
 *
 * What a channel means (see protocols/basix_ws_cti.md):
 * - a channel is first seen ringing the user → ringing, or answered when it is already
 *   answered (a call under way when we connected);
 * - it is bridged, has an answer timestamp, or its last event is CHANNEL_ANSWER or
 *   CHANNEL_BRIDGE → answered;
 * - it is removed (an info_event `removed`, a CHANNEL_HANGUP, or missing from a new
 *   snapshot) → ended; an incoming call that ends unanswered is a missed call to the call
 *   tracker, not here.
 */

typedef struct
{
  char     *call_id;
  gboolean  answered;
} Tracked;

struct _SpBasixCalls
{
  char          *account_id;
  SpBasixModel  *model;          /* (unowned): the source's, which outlives this */
  char          *selector;       /* SP_BASIX_SELECTOR_*, or NULL */
  char          *selector_value;
  char         **extensions;
  gboolean       full_events;    /* of the current connection */
  GHashTable    *tracked;        /* channel uuid → Tracked */
  char          *user_id;        /* the account's user, once known */
  GHashTable    *my_groups;      /* group ids the user belongs to; NULL: to compute */
  gboolean       user_dirty;
};

static void
tracked_free (Tracked *tracked)
{
  g_free (tracked->call_id);
  g_free (tracked);
}

static void
invalidate_user (SpBasixCalls *self)
{
  self->user_dirty = TRUE;
  g_clear_pointer (&self->my_groups, g_hash_table_unref);
}

static gboolean
user_matches (SpBasixElement *user,
              const char     *selector,
              const char     *value,
              char          **extensions)
{
  if (selector != NULL && value != NULL)
    {
      if (g_str_equal (selector, SP_BASIX_SELECTOR_USER_ID))
        return g_strcmp0 (sp_basix_element_get_key (user), value) == 0;
      if (g_str_equal (selector, SP_BASIX_SELECTOR_USER_NAME))
        return sp_basix_element_text_equal (user, "name", value);
      if (g_str_equal (selector, SP_BASIX_SELECTOR_USER_LABEL))
        return sp_basix_element_text_equal (user, "label", value);
      if (g_str_equal (selector, SP_BASIX_SELECTOR_USER_EXTENSION))
        return sp_basix_element_text_equal (user, "main_extension", value);
      if (g_str_equal (selector, SP_BASIX_SELECTOR_USER_EMAIL))
        return sp_basix_element_text_equal (user, "email", value);
    }

  for (guint i = 0; extensions != NULL && extensions[i] != NULL; i++)
    {
      if (sp_basix_element_text_equal (user, "main_extension", extensions[i]))
        return TRUE;
    }

  return FALSE;
}

/* Which Basix user the account is: found among the users by the selector, or by the
 * account's extensions. NULL when the server sends one user's channels only and we cannot
 * tell which user that is: then every channel is the user's. */
static const char *
get_user_id (SpBasixCalls *self)
{
  g_autoptr(GPtrArray) users = NULL;

  if (!self->user_dirty)
    return self->user_id;

  self->user_dirty = FALSE;
  g_clear_pointer (&self->user_id, g_free);

  if (self->selector != NULL && g_str_equal (self->selector, SP_BASIX_SELECTOR_USER_ID))
    {
      self->user_id = g_strdup (self->selector_value);
      return self->user_id;
    }

  users = sp_basix_model_list (self->model, "user");
  for (guint i = 0; i < users->len; i++)
    {
      SpBasixElement *user = g_ptr_array_index (users, i);

      if (user_matches (user, self->selector, self->selector_value, self->extensions))
        {
          self->user_id = g_strdup (sp_basix_element_get_key (user));
          break;
        }
    }

  return self->user_id;
}

static GHashTable *
get_my_groups (SpBasixCalls *self)
{
  const char *user_id = get_user_id (self);
  g_autoptr(GPtrArray) members = NULL;

  if (self->my_groups != NULL)
    return self->my_groups;

  self->my_groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (user_id == NULL)
    return self->my_groups;

  members = sp_basix_model_list (self->model, "group_member");
  for (guint i = 0; i < members->len; i++)
    {
      SpBasixElement *member = g_ptr_array_index (members, i);
      g_autofree char *member_user = sp_basix_element_dup_string (member, "user_id");
      g_autofree char *group = sp_basix_element_dup_string (member, "group_id");

      if (group != NULL && g_strcmp0 (member_user, user_id) == 0)
        g_hash_table_add (self->my_groups, g_steal_pointer (&group));
    }

  return self->my_groups;
}

/* Whether @channel rings (or rang) the account's user, directly or through one of the
 * user's groups. Sets @out_group to the group it came through. */
static gboolean
channel_is_ours (SpBasixCalls    *self,
                 SpBasixElement  *channel,
                 SpBasixState    *state,
                 char           **out_group)
{
  const char *user_id = get_user_id (self);
  g_autofree char *channel_user = NULL;
  g_autofree char *group = NULL;
  GHashTable *groups;

  *out_group = NULL;

  if (state->name != NULL && g_str_equal (state->name, "calling") &&
      g_strcmp0 (state->target_type, "group") == 0)
    group = g_strdup (state->target_id);
  if (group == NULL)
    group = sp_basix_element_dup_string (channel, "group_id");

  if (user_id == NULL)
    {
      /* One user's events only: all of them are that user's. With the whole PBX's events
       * and no idea who we are, nothing is. */
      if (self->full_events)
        return FALSE;
      *out_group = g_steal_pointer (&group);
      return TRUE;
    }

  channel_user = sp_basix_element_dup_string (channel, "user_id");
  if (g_strcmp0 (channel_user, user_id) == 0 ||
      (state->name != NULL && g_str_equal (state->name, "calling") &&
       g_strcmp0 (state->target_type, "user") == 0 &&
       g_strcmp0 (state->target_id, user_id) == 0))
    {
      *out_group = g_steal_pointer (&group);
      return TRUE;
    }

  groups = get_my_groups (self);
  if (group != NULL && g_hash_table_contains (groups, group))
    {
      *out_group = g_steal_pointer (&group);
      return TRUE;
    }

  return FALSE;
}

/* A quick look, without parsing the state or copying a string: with the whole PBX's
 * events, nearly all of a 10 000-channel snapshot is somebody else's, and most of it is
 * calling someone. A superset of channel_is_ours(). */
static gboolean
may_be_ours (SpBasixCalls   *self,
             SpBasixElement *channel)
{
  const char *user_id = get_user_id (self);
  const SpBertTerm *state;
  GHashTable *groups;
  g_autofree char *group = NULL;

  if (user_id == NULL)
    return !self->full_events;

  if (sp_basix_term_equal_string (sp_basix_element_get (channel, "user_id"), user_id))
    return TRUE;

  groups = get_my_groups (self);
  state = sp_basix_element_get (channel, "state");
  if (state != NULL && sp_bert_term_get_length (state) > 4 &&
      (sp_bert_term_get_type (state) == SP_BERT_TYPE_TUPLE ||
       sp_bert_term_get_type (state) == SP_BERT_TYPE_LIST) &&
      sp_bert_term_text_equal (sp_bert_term_get_child (state, 1), "calling"))
    {
      const SpBertTerm *type = sp_bert_term_get_child (state, 3);
      const SpBertTerm *target = sp_bert_term_get_child (state, 4);

      /* {Ts, calling, Location, user, {UserId, …}}: the user is the first of the target. */
      if (sp_bert_term_text_equal (type, "user") &&
          (sp_bert_term_get_type (target) == SP_BERT_TYPE_TUPLE ||
           sp_bert_term_get_type (target) == SP_BERT_TYPE_LIST) &&
          sp_bert_term_get_length (target) > 0 &&
          sp_basix_term_equal_string (sp_bert_term_get_child (target, 0), user_id))
        return TRUE;
      if (sp_bert_term_text_equal (type, "group") && g_hash_table_size (groups) > 0)
        return TRUE;
    }

  if (g_hash_table_size (groups) == 0)
    return FALSE;

  group = sp_basix_element_dup_string (channel, "group_id");
  return group != NULL && g_hash_table_contains (groups, group);
}

static gboolean
channel_is_answered (SpBasixElement *channel,
                     SpBasixState   *state)
{
  gint64 answered = 0;

  if (g_strcmp0 (state->name, "bridged") == 0)
    return TRUE;
  if (sp_basix_element_get_int64 (channel, "answer_timestamp", &answered) && answered > 0)
    return TRUE;

  return sp_basix_element_text_equal (channel, "last_event", "CHANNEL_ANSWER") ||
         sp_basix_element_text_equal (channel, "last_event", "CHANNEL_BRIDGE");
}

static void
set_var_from (SpCallEvent    *event,
              const char     *name,
              SpBasixElement *element,
              const char     *field)
{
  g_autofree char *value = sp_basix_element_dup_string (element, field);

  if (value != NULL && *value != '\0')
    sp_call_event_set_var (event, name, value);
}

/* Exact microseconds as text, for templates and history; int64 in the event. */
static gint64
timestamp_var (SpCallEvent    *event,
               SpBasixElement *channel,
               const char     *field)
{
  gint64 ts = 0;

  if (sp_basix_element_get_int64 (channel, field, &ts) && ts > 0)
    {
      char buf[32];

      g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, ts);
      sp_call_event_set_var (event, field, buf);
      return ts;
    }

  return 0;
}

static SpCallEvent *
make_event (SpBasixCalls    *self,
            SpBasixElement  *channel,
            const char      *call_id,
            SpCallEventKind  kind,
            const char      *group)
{
  g_autoptr(SpCallEvent) event = sp_call_event_new (self->account_id, call_id, kind);
  g_autofree char *direction = sp_basix_element_dup_string (channel, "direction");
  g_autofree char *calling_name = sp_basix_element_dup_string (channel, "calling_name");
  g_autofree char *calling_number = sp_basix_element_dup_string (channel, "calling_number");
  g_autofree char *called_number = sp_basix_element_dup_string (channel, "called_number");
  g_autofree char *end_user = sp_basix_element_dup_string (channel, "end_user");
  gint64 offer;
  gint64 answer;
  gint64 hangup;

  event->direction = g_strcmp0 (direction, "outbound") == 0 ? SP_CALL_DIRECTION_OUTGOING
                                                             : SP_CALL_DIRECTION_INCOMING;
  if (event->direction == SP_CALL_DIRECTION_INCOMING)
    {
      event->number = g_steal_pointer (&calling_number);
      event->exten = g_steal_pointer (&called_number);
      event->name = calling_name && *calling_name ? g_steal_pointer (&calling_name) : NULL;
    }
  else
    {
      event->number = g_steal_pointer (&called_number);
    }

  /* The CRM's idea of who calls beats the caller id's name. */
  if (end_user != NULL)
    {
      guint n_declared = 0;
      g_autoptr(GPtrArray) items = sp_basix_parse_end_user (end_user, &n_declared);

      if (items != NULL && items->len > 0)
        {
          SpBasixEndUserItem *item = g_ptr_array_index (items, 0);

          if (item->id != NULL && *item->id != '\0')
            sp_call_event_set_var (event, "crm_id", item->id);
          if (item->organization != NULL && *item->organization != '\0')
            sp_call_event_set_var (event, "crm_organization", item->organization);
          if (item->name != NULL && *item->name != '\0')
            {
              sp_call_event_set_var (event, "crm_name", item->name);
              g_free (event->name);
              if (item->organization != NULL && *item->organization != '\0')
                /* The title adds the number in parentheses: keep the organization apart
                 * without another pair. */
                event->name = g_strdup_printf ("%s · %s", item->name, item->organization);
              else
                event->name = g_strdup (item->name);
            }
          if (items->len > 1 || n_declared > 1)
            {
              char buf[16];

              g_snprintf (buf, sizeof buf, "%u", MAX (n_declared, items->len));
              sp_call_event_set_var (event, "crm_candidates", buf);
            }
        }
    }

  if (group != NULL)
    {
      SpBasixElement *element = sp_basix_model_lookup (self->model, "group", group);
      g_autofree char *label = NULL;

      if (element != NULL)
        {
          label = sp_basix_element_dup_string (element, "label");
          if (label == NULL || *label == '\0')
            {
              g_clear_pointer (&label, g_free);
              label = sp_basix_element_dup_string (element, "name");
            }
        }
      event->queue = label && *label ? g_steal_pointer (&label) : g_strdup (group);
      sp_call_event_set_var (event, "group_id", group);
    }

  sp_call_event_set_var (event, "uuid", sp_basix_element_get_key (channel));
  set_var_from (event, "basix_call_id", channel, "call_id");
  set_var_from (event, "calling_name", channel, "calling_name");
  set_var_from (event, "calling_number", channel, "calling_number");
  set_var_from (event, "called_number", channel, "called_number");
  set_var_from (event, "peer_location", channel, "peer_location");
  offer = timestamp_var (event, channel, "offer_timestamp");
  answer = timestamp_var (event, channel, "answer_timestamp");
  hangup = timestamp_var (event, channel, "hangup_timestamp");

  if (kind == SP_CALL_EVENT_RINGING && offer > 0)
    event->timestamp = offer;
  else if (kind == SP_CALL_EVENT_ANSWERED && answer > 0)
    event->timestamp = answer;
  else if ((kind == SP_CALL_EVENT_ENDED || kind == SP_CALL_EVENT_MISSED) && hangup > 0)
    event->timestamp = hangup;

  return g_steal_pointer (&event);
}

static void
end_tracked (SpBasixCalls    *self,
             const char     *uuid,
             SpBasixElement *last,
             GPtrArray      *events)
{
  Tracked *tracked = g_hash_table_lookup (self->tracked, uuid);
  SpCallEvent *event;

  if (tracked == NULL)
    return;

  if (last != NULL)
    event = make_event (self, last, tracked->call_id, SP_CALL_EVENT_ENDED, NULL);
  else
    event = sp_call_event_new (self->account_id, tracked->call_id, SP_CALL_EVENT_ENDED);

  g_hash_table_remove (self->tracked, uuid);
  g_ptr_array_add (events, event);
}

static void
channel_changed (SpBasixCalls  *self,
                 SpBasixChange *change,
                 GPtrArray     *events)
{
  SpBasixElement *channel = change->new_element ? change->new_element : change->old_element;
  const char *uuid = sp_basix_element_get_key (channel);
  g_auto(SpBasixState) state = { 0 };
  g_autofree char *group = NULL;
  Tracked *tracked;
  gboolean answered;

  if (change->kind == SP_BASIX_CHANGE_REMOVED)
    {
      end_tracked (self, uuid, channel, events);
      return;
    }

  tracked = g_hash_table_lookup (self->tracked, uuid);
  if (tracked == NULL && !may_be_ours (self, channel))
    return;

  sp_basix_parse_state (sp_basix_element_get (channel, "state"), &state);
  if (tracked == NULL && !channel_is_ours (self, channel, &state, &group))
    return;

  answered = channel_is_answered (channel, &state);

  if (tracked == NULL)
    {
      tracked = g_new0 (Tracked, 1);
      tracked->call_id = g_strdup (uuid);
      tracked->answered = answered;
      g_hash_table_insert (self->tracked, g_strdup (uuid), tracked);

      /* A call already under way when we connected is shown as answered, not rung. */
      g_ptr_array_add (events,
                       make_event (self, channel, tracked->call_id,
                                   answered ? SP_CALL_EVENT_ANSWERED : SP_CALL_EVENT_RINGING,
                                   group));
      return;
    }

  if (answered && !tracked->answered)
    {
      tracked->answered = TRUE;
      g_ptr_array_add (events,
                       make_event (self, channel, tracked->call_id, SP_CALL_EVENT_ANSWERED, NULL));
    }
}

/* After a snapshot of the channels: calls we knew that it does not have are over (they
 * ended while we were away). */
static void
end_vanished (SpBasixCalls *self,
              GPtrArray    *events)
{
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->tracked);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (sp_basix_model_lookup (self->model, "channel", key) == NULL)
        g_ptr_array_add (gone, g_strdup (key));
    }

  for (guint i = 0; i < gone->len; i++)
    end_tracked (self, g_ptr_array_index (gone, i), NULL, events);
}

/**
 * sp_basix_calls_new:
 * @account_id: the account the events are for
 * @model: (transfer none): the element store the updates are applied to; it must outlive
 *   the result
 *
 * Returns: (transfer full): a mapping that follows no call yet and finds the user when it
 *   first needs to
 */
SpBasixCalls *
sp_basix_calls_new (const char   *account_id,
                    SpBasixModel *model)
{
  SpBasixCalls *self;

  g_return_val_if_fail (account_id != NULL, NULL);
  g_return_val_if_fail (model != NULL, NULL);

  self = g_new0 (SpBasixCalls, 1);
  self->account_id = g_strdup (account_id);
  self->model = model;
  self->tracked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) tracked_free);
  self->user_dirty = TRUE;

  return self;
}

void
sp_basix_calls_free (SpBasixCalls *self)
{
  if (self == NULL)
    return;

  g_hash_table_unref (self->tracked);
  g_clear_pointer (&self->my_groups, g_hash_table_unref);
  g_free (self->account_id);
  g_free (self->selector);
  g_free (self->selector_value);
  g_strfreev (self->extensions);
  g_free (self->user_id);
  g_free (self);
}

/**
 * sp_basix_calls_set_user:
 * @selector: (nullable): how the user is named, one of the SP_BASIX_SELECTOR_* names
 * @value: (nullable): the user's name, id, … as @selector says
 * @extensions: (nullable) (array zero-terminated=1): the account's extensions, which find
 *   the user by its main extension when the selector does not
 *
 * Says who the account's user is; it is looked up again among the users when next needed.
 * The source calls it with the account's settings, and again whenever they change.
 */
void
sp_basix_calls_set_user (SpBasixCalls       *self,
                         const char         *selector,
                         const char         *value,
                         const char * const *extensions)
{
  g_return_if_fail (self != NULL);

  g_free (self->selector);
  self->selector = g_strdup (selector);
  g_free (self->selector_value);
  self->selector_value = g_strdup (value);
  g_strfreev (self->extensions);
  self->extensions = g_strdupv ((char **) extensions);
  invalidate_user (self);
}

/**
 * sp_basix_calls_set_full_events:
 * @full_events: whether the connection gets the whole PBX's channels (`full_events=true`)
 *   rather than the user's only
 *
 * With one user's channels, every channel is the user's even when the user cannot be found;
 * with the whole PBX's, only those of the user found.
 */
void
sp_basix_calls_set_full_events (SpBasixCalls *self,
                                gboolean      full_events)
{
  g_return_if_fail (self != NULL);

  self->full_events = full_events;
}

/**
 * sp_basix_calls_model_reset:
 *
 * The model was emptied for a new connection: the user is looked up again in the snapshot
 * to come. The calls followed stay: the next channel snapshot tells which of them ended
 * meanwhile.
 */
void
sp_basix_calls_model_reset (SpBasixCalls *self)
{
  g_return_if_fail (self != NULL);

  invalidate_user (self);
}

/**
 * sp_basix_calls_apply:
 * @update: what one message did to the model, just applied
 *
 * Follows the account's calls through one message: changes of users and group members make
 * the user and the groups be found again; changes of the channels that ring the user become
 * call events; after a channel snapshot, the calls it no longer has end.
 *
 * Returns: (transfer full) (element-type SpCallEvent): the events, in order; often none
 */
GPtrArray *
sp_basix_calls_apply (SpBasixCalls        *self,
                      const SpBasixUpdate *update)
{
  GPtrArray *events;
  guint position = 0;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (update != NULL, NULL);

  events = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_call_event_unref);
  sp_basix_calls_apply_some (self, update, &position, 0, events);

  return events;
}

/**
 * sp_basix_calls_apply_some:
 * @update: what one message did to the model, applied
 * @position: (inout): the first change of @update not followed yet, 0 to begin
 * @deadline: the monotonic time after which to stop, or 0 to follow all changes
 * @events: (element-type SpCallEvent): where the events go, in order
 *
 * sp_basix_calls_apply() in parts, for a snapshot of many channels: call it again with the
 * same @position until it returns %TRUE, and with nothing else applied in between.
 *
 * Returns: whether all of @update was followed
 */
gboolean
sp_basix_calls_apply_some (SpBasixCalls        *self,
                           const SpBasixUpdate *update,
                           guint               *position,
                           gint64               deadline,
                           GPtrArray           *events)
{
  gboolean is_channel;
  guint n;

  g_return_val_if_fail (self != NULL, TRUE);
  g_return_val_if_fail (update != NULL, TRUE);
  g_return_val_if_fail (position != NULL, TRUE);
  g_return_val_if_fail (events != NULL, TRUE);

  is_channel = update->category != NULL && g_str_equal (update->category, "channel");
  n = is_channel && update->changes != NULL ? update->changes->len : 0;

  if (*position == 0 && update->category != NULL &&
      (g_str_equal (update->category, "user") || g_str_equal (update->category, "group_member")))
    invalidate_user (self);

  while (*position < n)
    {
      channel_changed (self, g_ptr_array_index (update->changes, *position), events);
      (*position)++;

      /* The clock is read every few dozen channels: most take well under a microsecond. */
      if (deadline != 0 && *position % 64 == 0 && *position < n &&
          g_get_monotonic_time () >= deadline)
        return FALSE;
    }

  if (is_channel && update->kind == SP_BASIX_MESSAGE_INITIAL_INFO)
    end_vanished (self, events);

  return TRUE;
}
