/* sp-redmine-channels.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-redmine"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-actioncable.h"
#include "sp-redmine-channels.h"

/*
 * The redmine_rt subscriptions of one connection, without the connection: which channels
 * to listen to, what each subscription's answer was, and which channel class this server
 * answers to. Pure: the source feeds it the server's answers (and the end of the wait for
 * them), sends the frames it puts in the outbox and acts on the step it returns; no I/O,
 * no timer, no main loop, so tests/unit/test-redmine-channels.c plays whole exchanges
 * from tests/data/redmine-channels/ without a server.
 *
 * The plugin renamed its channel class in 2022 and a server answers nothing at all to the
 * other name: when the wait ends without a single confirmation while the server still
 * talks, the other class is tried once per connection, and the class that was confirmed
 * is kept for the next connections.
 */

typedef enum
{
  SUB_PENDING,
  SUB_CONFIRMED,
  SUB_REJECTED,
} SubState;

typedef struct
{
  char     *name;
  char     *channel_class;
  char     *identifier;    /* exactly as sent: replies and broadcasts are matched on it */
  SubState  state;
} Subscription;

struct _SpRedmineChannels
{
  char      *account_id;         /* for the logs */
  char      *channel_class;
  gboolean   class_confirmed;    /* channel_class worked on this server */
  gboolean   tried_other_class;  /* on this connection */
  GPtrArray *subscriptions;      /* (element-type Subscription) */
};

static void
subscription_free (Subscription *sub)
{
  g_free (sub->name);
  g_free (sub->channel_class);
  g_free (sub->identifier);
  g_free (sub);
}

static const char *
other_class (const char *channel_class)
{
  return g_strcmp0 (channel_class, SP_REDMINE_CHANNEL_CLASS) == 0
    ? SP_REDMINE_LEGACY_CHANNEL_CLASS : SP_REDMINE_CHANNEL_CLASS;
}

static Subscription *
find_subscription (SpRedmineChannels *self,
                   const char        *identifier)
{
  for (guint i = 0; i < self->subscriptions->len; i++)
    {
      Subscription *sub = g_ptr_array_index (self->subscriptions, i);

      if (g_strcmp0 (sub->identifier, identifier) == 0)
        return sub;
    }

  return NULL;
}

static guint
count_pending (SpRedmineChannels *self)
{
  guint n = 0;

  for (guint i = 0; i < self->subscriptions->len; i++)
    {
      Subscription *sub = g_ptr_array_index (self->subscriptions, i);

      if (sub->state == SUB_PENDING)
        n++;
    }

  return n;
}

static gboolean
any_confirmed (SpRedmineChannels *self)
{
  for (guint i = 0; i < self->subscriptions->len; i++)
    {
      Subscription *sub = g_ptr_array_index (self->subscriptions, i);

      if (sub->state == SUB_CONFIRMED)
        return TRUE;
    }

  return FALSE;
}

/**
 * sp_redmine_channel_names:
 * @login: the Redmine login the credentials belong to
 * @extra: (nullable): the account's extra channels, as configured
 *
 * The channels to listen to: the user's own (`user:LOGIN`), `general`, and the extra ones,
 * each once, in that order. An extra name is stripped of surrounding white space; an empty
 * one or one that is not UTF-8 is skipped.
 *
 * Returns: (transfer full): the channel names
 */
char **
sp_redmine_channel_names (const char         *login,
                          const char * const *extra)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *own = g_strconcat ("user:", login, NULL);
  const char *fixed[] = { own, "general" };

  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    {
      g_hash_table_add (seen, g_strdup (fixed[i]));
      g_strv_builder_add (builder, fixed[i]);
    }

  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    {
      g_autofree char *name = g_strstrip (g_strdup (extra[i]));

      if (name[0] == '\0' || !g_utf8_validate (name, -1, NULL) ||
          g_hash_table_contains (seen, name))
        continue;

      g_strv_builder_add (builder, name);
      g_hash_table_add (seen, g_steal_pointer (&name));
    }

  return g_strv_builder_end (builder);
}

/**
 * sp_redmine_channels_new:
 * @account_id: the account, for the logs
 * @channel_class: (nullable): the class to try first: %SP_REDMINE_LEGACY_CHANNEL_CLASS, or
 *   anything else for %SP_REDMINE_CHANNEL_CLASS
 *
 * Returns: (transfer full): the subscriptions of an account, none yet
 */
SpRedmineChannels *
sp_redmine_channels_new (const char *account_id,
                         const char *channel_class)
{
  SpRedmineChannels *self = g_new0 (SpRedmineChannels, 1);

  self->account_id = g_strdup (account_id);
  if (g_strcmp0 (channel_class, SP_REDMINE_LEGACY_CHANNEL_CLASS) == 0)
    self->channel_class = g_strdup (SP_REDMINE_LEGACY_CHANNEL_CLASS);
  else
    self->channel_class = g_strdup (SP_REDMINE_CHANNEL_CLASS);
  self->subscriptions = g_ptr_array_new_with_free_func ((GDestroyNotify) subscription_free);

  return self;
}

void
sp_redmine_channels_free (SpRedmineChannels *self)
{
  if (self == NULL)
    return;

  g_ptr_array_unref (self->subscriptions);
  g_free (self->channel_class);
  g_free (self->account_id);
  g_free (self);
}

/**
 * sp_redmine_channels_get_class:
 *
 * Returns: the channel class in use: the one that was confirmed, or the one being tried
 */
const char *
sp_redmine_channels_get_class (SpRedmineChannels *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->channel_class;
}

/**
 * sp_redmine_channels_reset:
 *
 * Forgets every subscription: for a welcome, which starts a new server-side connection
 * with none, and for a connection that ended. The channel class stays; the other class
 * may be tried again on the next connection.
 */
void
sp_redmine_channels_reset (SpRedmineChannels *self)
{
  g_return_if_fail (self != NULL);

  g_ptr_array_set_size (self->subscriptions, 0);
  self->tried_other_class = FALSE;
}

/**
 * sp_redmine_channels_subscribe:
 * @names: the channels, from sp_redmine_channel_names()
 * @outbox: (element-type utf8): where the subscribe frames to send are added
 *
 * Subscribes to @names with the channel class in use. The caller sends the frames and
 * waits %SP_REDMINE_CONFIRM_TIMEOUT_MS for the answers before sp_redmine_channels_timeout().
 */
void
sp_redmine_channels_subscribe (SpRedmineChannels  *self,
                               const char * const *names,
                               GPtrArray          *outbox)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (names != NULL);
  g_return_if_fail (outbox != NULL);

  for (guint i = 0; names[i] != NULL; i++)
    {
      Subscription *sub = g_new0 (Subscription, 1);

      sub->name = g_strdup (names[i]);
      sub->channel_class = g_strdup (self->channel_class);
      sub->identifier = sp_actioncable_identifier_new (self->channel_class, names[i]);
      g_ptr_array_add (self->subscriptions, sub);

      g_ptr_array_add (outbox, sp_actioncable_subscribe_new (sub->identifier));
    }

  g_debug ("[%s] Subscribing to %u channels with class %s", self->account_id,
           g_strv_length ((char **) names), self->channel_class);
}

/**
 * sp_redmine_channels_confirm:
 * @identifier: the identifier of a confirm_subscription, as received
 * @outbox: (element-type utf8): where the unsubscribe frames to send are added
 *
 * A confirmation makes its class the one in use and kept; whatever still waits under the
 * other class is unsubscribed (a late answer to the class that was given up on), so that
 * no channel is heard twice.
 *
 * Returns: %SP_REDMINE_CHANNELS_LIVE once every channel has its answer (the window then
 *   lists them all), %SP_REDMINE_CHANNELS_WAITING before, %SP_REDMINE_CHANNELS_IGNORED
 *   for a subscription we did not ask for
 */
SpRedmineChannelsStep
sp_redmine_channels_confirm (SpRedmineChannels *self,
                             const char        *identifier,
                             GPtrArray         *outbox)
{
  Subscription *sub;

  g_return_val_if_fail (self != NULL, SP_REDMINE_CHANNELS_IGNORED);
  g_return_val_if_fail (outbox != NULL, SP_REDMINE_CHANNELS_IGNORED);

  sub = find_subscription (self, identifier);
  if (sub == NULL)
    {
      g_debug ("[%s] Ignored a confirmation for a subscription we did not ask for",
               self->account_id);
      return SP_REDMINE_CHANNELS_IGNORED;
    }

  sub->state = SUB_CONFIRMED;
  g_debug ("[%s] Subscribed to “%s” (%s)", self->account_id, sub->name, sub->channel_class);

  if (!self->class_confirmed || g_strcmp0 (self->channel_class, sub->channel_class) != 0)
    {
      g_message ("[%s] This redmine_rt answers to channel class %s", self->account_id,
                 sub->channel_class);
      g_free (self->channel_class);
      self->channel_class = g_strdup (sub->channel_class);
      self->class_confirmed = TRUE;
    }

  for (guint i = self->subscriptions->len; i > 0; i--)
    {
      Subscription *other = g_ptr_array_index (self->subscriptions, i - 1);

      if (other->state == SUB_PENDING && g_strcmp0 (other->channel_class, self->channel_class) != 0)
        {
          g_ptr_array_add (outbox, sp_actioncable_unsubscribe_new (other->identifier));
          g_ptr_array_remove_index (self->subscriptions, i - 1);
        }
    }

  return count_pending (self) == 0 ? SP_REDMINE_CHANNELS_LIVE : SP_REDMINE_CHANNELS_WAITING;
}

/**
 * sp_redmine_channels_reject:
 * @identifier: the identifier of a reject_subscription, as received
 *
 * Returns: %SP_REDMINE_CHANNELS_REFUSED when no channel is left,
 *   %SP_REDMINE_CHANNELS_LIVE when every other channel has its answer and one is
 *   confirmed, %SP_REDMINE_CHANNELS_WAITING otherwise, %SP_REDMINE_CHANNELS_IGNORED for a
 *   subscription we did not ask for
 */
SpRedmineChannelsStep
sp_redmine_channels_reject (SpRedmineChannels *self,
                            const char        *identifier)
{
  Subscription *sub;
  gboolean any_left = FALSE;

  g_return_val_if_fail (self != NULL, SP_REDMINE_CHANNELS_IGNORED);

  sub = find_subscription (self, identifier);
  if (sub == NULL)
    return SP_REDMINE_CHANNELS_IGNORED;

  sub->state = SUB_REJECTED;
  g_message ("[%s] Redmine refused the subscription to channel “%s”", self->account_id,
             sub->name);

  for (guint i = 0; i < self->subscriptions->len; i++)
    {
      Subscription *other = g_ptr_array_index (self->subscriptions, i);

      if (other->state != SUB_REJECTED)
        any_left = TRUE;
    }

  if (!any_left)
    return SP_REDMINE_CHANNELS_REFUSED;

  if (count_pending (self) == 0 && any_confirmed (self))
    return SP_REDMINE_CHANNELS_LIVE;

  return SP_REDMINE_CHANNELS_WAITING;
}

/**
 * sp_redmine_channels_timeout:
 * @heard: whether any frame (a ping will do) came since the last subscribing
 *
 * The confirmation wait is over. A confirmed class is enough: a channel that stays
 * unanswered is not worth the others. With no confirmation at all, a server that still
 * talks is asked again with the other class (once per connection: the step is then
 * %SP_REDMINE_CHANNELS_RETRY, and the caller subscribes again); one that said nothing at
 * all is gone.
 *
 * Returns: what the connection does now
 */
SpRedmineChannelsStep
sp_redmine_channels_timeout (SpRedmineChannels *self,
                             gboolean           heard)
{
  const char *next;

  g_return_val_if_fail (self != NULL, SP_REDMINE_CHANNELS_IGNORED);

  if (any_confirmed (self))
    {
      for (guint i = 0; i < self->subscriptions->len; i++)
        {
          Subscription *sub = g_ptr_array_index (self->subscriptions, i);

          if (sub->state == SUB_PENDING)
            g_message ("[%s] No confirmation for channel “%s” within %u ms", self->account_id,
                       sub->name, SP_REDMINE_CONFIRM_TIMEOUT_MS);
        }
      return SP_REDMINE_CHANNELS_LIVE;
    }

  if (!heard)
    return SP_REDMINE_CHANNELS_SILENT;

  if (self->tried_other_class)
    return SP_REDMINE_CHANNELS_UNANSWERED;

  /* redmine_rt answers nothing at all to a class it does not have. */
  next = other_class (self->channel_class);
  g_message ("[%s] No confirmation for channel class %s within %u ms; trying %s",
             self->account_id, self->channel_class, SP_REDMINE_CONFIRM_TIMEOUT_MS, next);
  self->tried_other_class = TRUE;
  g_free (self->channel_class);
  self->channel_class = g_strdup (next);

  return SP_REDMINE_CHANNELS_RETRY;
}

/**
 * sp_redmine_channels_lookup:
 * @identifier: the identifier of a broadcast, as received
 *
 * Matches a broadcast byte for byte with the identifier we sent.
 *
 * Returns: (nullable): the channel name, or %NULL when the broadcast is for no
 *   subscription we have (or for one the server refused)
 */
const char *
sp_redmine_channels_lookup (SpRedmineChannels *self,
                            const char        *identifier)
{
  Subscription *sub;

  g_return_val_if_fail (self != NULL, NULL);

  sub = find_subscription (self, identifier);
  if (sub == NULL || sub->state == SUB_REJECTED)
    return NULL;

  return sub->name;
}

/**
 * sp_redmine_channels_dup_detail:
 *
 * Returns: (transfer full): the channels confirmed and refused, as the window shows
 *   them under the account; empty while none has its answer
 */
char *
sp_redmine_channels_dup_detail (SpRedmineChannels *self)
{
  g_autoptr(GString) confirmed = NULL;
  g_autoptr(GString) refused = NULL;
  GString *detail;

  g_return_val_if_fail (self != NULL, NULL);

  confirmed = g_string_new (NULL);
  refused = g_string_new (NULL);
  detail = g_string_new (NULL);

  for (guint i = 0; i < self->subscriptions->len; i++)
    {
      Subscription *sub = g_ptr_array_index (self->subscriptions, i);
      GString *list = sub->state == SUB_CONFIRMED ? confirmed
                    : sub->state == SUB_REJECTED ? refused : NULL;

      if (list == NULL)
        continue;
      if (list->len > 0)
        g_string_append (list, ", ");
      g_string_append (list, sub->name);
    }

  if (confirmed->len > 0)
    /* Translators: %s is a list of redmine_rt channels, e.g. "user:bob, general, pbx" */
    g_string_append_printf (detail, _("Channels: %s"), confirmed->str);

  if (refused->len > 0)
    {
      if (detail->len > 0)
        g_string_append (detail, " · ");
      /* Translators: %s is a list of redmine_rt channels the server refused */
      g_string_append_printf (detail, _("Refused by the server: %s"), refused->str);
    }

  return g_string_free (detail, FALSE);
}

const char *
sp_redmine_channels_step_to_string (SpRedmineChannelsStep step)
{
  switch (step)
    {
    case SP_REDMINE_CHANNELS_IGNORED:
      return "ignored";
    case SP_REDMINE_CHANNELS_WAITING:
      return "waiting";
    case SP_REDMINE_CHANNELS_LIVE:
      return "live";
    case SP_REDMINE_CHANNELS_RETRY:
      return "retry";
    case SP_REDMINE_CHANNELS_SILENT:
      return "silent";
    case SP_REDMINE_CHANNELS_REFUSED:
      return "refused";
    case SP_REDMINE_CHANNELS_UNANSWERED:
      return "unanswered";
    default:
      return "unknown";
    }
}
