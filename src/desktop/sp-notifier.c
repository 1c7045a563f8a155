/* sp-notifier.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-notifier"

#include "config.h"

#include <glib/gi18n.h>
#include <gsound.h>

#include "sp-notifier.h"
#include "sp-notifier-wire.h"

/*
 * SpNotifier is the only code that talks to the notification server. Every notification
 * has a stable string tag ("call:ACCOUNT:CALL-ID", "msg:N"): showing a tag again replaces
 * the notification in place (no flicker), withdrawing it closes it, and a button comes back
 * as (tag, button id) strings — never a pointer, which some servers mangle.
 *
 * It speaks org.freedesktop.Notifications over GDBus itself, asynchronously: libnotify can
 * only show and close with a blocking round trip each, which capped a flood of calls at a
 * few hundred a second and froze the main loop meanwhile. What the asynchronous version must
 * not lose is order, so every tag has one Entry that holds what the caller wants on screen
 * now (a content, or nothing), and at most one D-Bus call per tag is in flight:
 *
 *  - show, update and withdraw of one tag go out one after the other, each once the server
 *    answered the previous one, so none can overtake another;
 *  - a withdraw that arrives before the server told the id of the show waits for that id
 *    and then closes it (GNotification on GLib 2.74 loses exactly this one);
 *  - what changes while a call is in flight, or while the queue waits, is coalesced: only
 *    the latest content is sent, and a show withdrawn before it was sent is never sent.
 *
 * A ringing call that replaces another of the same caller (ringing anew: the same summary,
 * one call ending as the next one rings) takes over the other's notification: one Notify
 * with its id as
 * replaces_id updates it in place, instead of a CloseNotification, its reply, the
 * server's NotificationClosed, and a Notify for a new one. Only for the same caller: a
 * click on the old notification that crosses the take-over reaches the new call, which
 * must then be the same person's. At a few hundred calls a
 * second that halves what every process on the bus has to do per call (issue 16). For
 * that, a withdraw goes out at the end of the main-loop iteration rather than at once:
 * a show that comes in the same iteration may still take its notification over.
 *
 * At most MAX_IN_FLIGHT calls are in flight toward the server altogether; beyond that the
 * entries wait in order of their first change. So a burst costs one entry per tag, not one
 * queued D-Bus message per event. A burst of ringing calls is never dropped: beyond
 * MAX_RINGING_SHOWN at a time the newest ones are held and counted on one summary
 * notification ("37 calls ringing"), and each takes a place of its own as soon as one is
 * free.
 *
 * Inside a sandbox (Flatpak) the same is done through the Notification portal, as
 * libnotify 0.8 does there: AddNotification/RemoveNotification with our tag as the id,
 * which needs no id from the server at all.
 *
 * The ping is played here with GSound, because many notification servers ignore sound
 * hints; the server is asked to stay quiet so that nothing rings twice.
 */

#define NOTIFY_NAME "org.freedesktop.Notifications"
#define NOTIFY_PATH "/org/freedesktop/Notifications"
#define NOTIFY_IFACE "org.freedesktop.Notifications"
#define PORTAL_NAME "org.freedesktop.portal.Desktop"
#define PORTAL_PATH "/org/freedesktop/portal/desktop"
#define PORTAL_IFACE "org.freedesktop.portal.Notification"

/* Calls in flight toward the server; enough to keep a local server busy (an asynchronous
 * Notify with a few in flight is what reached 3 000/s in issue 16's measurement), few
 * enough that a burst waits here as one entry per call rather than as queued messages. */
#define MAX_IN_FLIGHT 16
/* Ringing calls shown one by one; the rest are counted on the summary. */
#define MAX_RINGING_SHOWN 5
#define SUMMARY_TAG "sp-notifier:ringing"
/* One ping is enough for calls that ring within this time of each other. */
#define PING_INTERVAL_US (G_USEC_PER_SEC / 2)
/* How long a shutdown waits for the server to tell the ids it still has to close. */
#define DRAIN_TIMEOUT_US (2 * G_USEC_PER_SEC)
/* A server that was not there is asked for its capabilities again, at most this often. */
#define CAPS_RETRY_US (2 * G_USEC_PER_SEC)

typedef SpNotifyContent Content;
typedef struct _Notifier Notifier;

typedef struct
{
  char     *tag;
  Content  *want;          /* what should be on screen; NULL: nothing */
  guint32   id;            /* the server's id of what is on screen; 0: none (yet) */
  guint     dirty : 1;     /* want differs from what the server was last told */
  guint     in_flight : 1; /* a call for this tag awaits its reply */
  guint     queued : 1;    /* in Notifier.queue */
  guint     held : 1;      /* a ringing call counted on the summary instead */
  guint     sent : 1;      /* portal: the server has something under this tag */
  GList     link;          /* in Notifier.queue or Notifier.held */
} Entry;

/* The state the D-Bus replies need. It is reference counted apart from the GObject, so
 * that a withdraw still waiting for its show's id is sent after the SpNotifier is gone. */
struct _Notifier
{
  gatomicrefcount  ref_count;
  SpNotifier      *owner;       /* weak, cleared in dispose */
  GDBusConnection *bus;
  gboolean         portal;
  GHashTable      *entries;     /* tag → Entry (owned) */
  GHashTable      *by_id;       /* server id → Entry */
  GQueue           queue;       /* entries to send, in order of their first change */
  GQueue           held;        /* ringing entries counted on the summary, oldest first */
  guint            n_in_flight;
  guint            n_ringing_shown;
  guint            n_summarized;  /* the count the summary was last asked to show */
  guint            signal_ids[2];
  guint            pump_id;       /* withdraws wait for it, see send_later() */
  char            *donor;         /* tag of a withdrawn ringing call whose close waits */
  char            *donor_summary; /* what it showed */
};

struct _SpNotifier
{
  GObject        parent_instance;

  Notifier      *state;
  GStrv          caps;
  gint64         caps_loaded_at;
  GSoundContext *sound;
  gint64         last_ping;
  gboolean       sound_failed;
  gboolean       sound_enabled;
  gboolean       shut;        /* after sp_notifier_withdraw_all(): shows nothing more */
};

enum {
  ACTION_INVOKED,
  SERVER_REPLIED,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (SpNotifier, sp_notifier, G_TYPE_OBJECT)

static guint signals [N_SIGNALS];

static void pump (Notifier *state);

static void
entry_free (Entry *entry)
{
  g_free (entry->tag);
  sp_notify_content_free (entry->want);
  g_free (entry);
}

static Notifier *
notifier_ref (Notifier *state)
{
  g_atomic_ref_count_inc (&state->ref_count);

  return state;
}

static void
notifier_unref (Notifier *state)
{
  if (!g_atomic_ref_count_dec (&state->ref_count))
    return;

  for (guint i = 0; i < G_N_ELEMENTS (state->signal_ids); i++)
    {
      if (state->signal_ids[i] != 0)
        g_dbus_connection_signal_unsubscribe (state->bus, state->signal_ids[i]);
    }

  g_queue_clear (&state->queue);
  g_queue_clear (&state->held);
  g_free (state->donor);
  g_free (state->donor_summary);
  g_clear_pointer (&state->by_id, g_hash_table_unref);
  g_clear_pointer (&state->entries, g_hash_table_unref);
  g_clear_object (&state->bus);
  g_free (state);
}

static gboolean
is_ringing (const Content *content)
{
  return content != NULL && (content->flags & SP_NOTIFY_RINGING) != 0;
}

/* Whether the entry takes one of the MAX_RINGING_SHOWN places. */
static gboolean
takes_ringing_place (const Entry *entry)
{
  return is_ringing (entry->want) && !entry->held && !g_str_equal (entry->tag, SUMMARY_TAG);
}

static void
entry_forget_id (Notifier *state,
                 Entry    *entry)
{
  if (entry->id != 0 && g_hash_table_lookup (state->by_id, GUINT_TO_POINTER (entry->id)) == entry)
    g_hash_table_remove (state->by_id, GUINT_TO_POINTER (entry->id));
  entry->id = 0;
}

/* Drops an entry that has nothing on screen and nothing to do. */
static void
entry_maybe_drop (Notifier *state,
                  Entry    *entry)
{
  if (entry->want != NULL || entry->id != 0 || entry->sent || entry->in_flight || entry->dirty)
    return;

  g_assert (!entry->queued && !entry->held);
  g_hash_table_remove (state->entries, entry->tag);
}

static void
entry_mark_dirty (Notifier *state,
                  Entry    *entry)
{
  entry->dirty = TRUE;

  if (!entry->in_flight && !entry->queued && !entry->held)
    {
      g_queue_push_tail_link (&state->queue, &entry->link);
      entry->queued = TRUE;
    }
}

static void
entry_unqueue (Notifier *state,
               Entry    *entry)
{
  if (entry->queued)
    g_queue_unlink (&state->queue, &entry->link);
  else if (entry->held)
    g_queue_unlink (&state->held, &entry->link);
  entry->queued = FALSE;
  entry->held = FALSE;
}

static Entry *
entry_lookup_or_new (Notifier   *state,
                     const char *tag)
{
  Entry *entry = g_hash_table_lookup (state->entries, tag);

  if (entry == NULL)
    {
      entry = g_new0 (Entry, 1);
      entry->tag = g_strdup (tag);
      entry->link.data = entry;
      g_hash_table_insert (state->entries, entry->tag, entry);
    }

  return entry;
}

/* Sets what @entry should show (@content, owned; NULL to withdraw), keeping the count of
 * ringing places and the summary right. */
static void
entry_set_want (Notifier *state,
                Entry    *entry,
                Content  *content)
{
  gboolean was_placed = takes_ringing_place (entry);
  gboolean was_held = entry->held;

  if (entry->held && !is_ringing (content))
    entry_unqueue (state, entry);

  sp_notify_content_free (entry->want);
  entry->want = content;

  if (was_placed && !takes_ringing_place (entry))
    state->n_ringing_shown--;

  if (!was_placed && !was_held && takes_ringing_place (entry))
    {
      if (state->n_ringing_shown >= MAX_RINGING_SHOWN && entry->id == 0 && !entry->in_flight &&
          !entry->sent)
        {
          /* Not on screen yet and no place free: counted on the summary. */
          entry_unqueue (state, entry);
          entry->held = TRUE;
          entry->dirty = TRUE;
          g_queue_push_tail_link (&state->held, &entry->link);
          return;
        }

      state->n_ringing_shown++;
    }

  if (entry->held)
    return;

  /* Nothing was ever sent for it: forget it without a word to the server. */
  if (content == NULL && entry->id == 0 && !entry->sent && !entry->in_flight)
    {
      entry_unqueue (state, entry);
      entry->dirty = FALSE;
      entry_maybe_drop (state, entry);
      return;
    }

  entry_mark_dirty (state, entry);
}

static Content *
summary_content (guint n_held)
{
  Content *content = g_new0 (Content, 1);
  guint n_ringing = n_held + MAX_RINGING_SHOWN;

  content->summary = g_strdup_printf (ngettext ("%u call ringing",
                                                   "%u calls ringing", n_ringing),
                                      n_ringing);
  /* Translators: on the notification that stands for many ringing calls at once */
  content->body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                "%u more call is in the Screenpop window.",
                                                "%u more calls are in the Screenpop window.",
                                                n_held),
                                   n_held);
  content->icon = g_strdup ("call-start-symbolic");
  content->flags = SP_NOTIFY_CALL | SP_NOTIFY_PERSISTENT;

  return content;
}

/* Gives free ringing places to held calls, oldest first, and shows the summary for the
 * rest (or withdraws it). */
static void
update_held (Notifier *state)
{
  Entry *summary;

  while (state->n_ringing_shown < MAX_RINGING_SHOWN && state->held.length > 0)
    {
      Entry *entry = state->held.head->data;

      entry_unqueue (state, entry);
      state->n_ringing_shown++;
      entry_mark_dirty (state, entry);
    }

  summary = g_hash_table_lookup (state->entries, SUMMARY_TAG);
  if (state->held.length > 0)
    {
      /* A new content only when the count changed; while the summary's call is in
       * flight, the counts in between are coalesced into the last one. */
      if (summary == NULL || summary->want == NULL || state->n_summarized != state->held.length)
        {
          state->n_summarized = state->held.length;
          entry_set_want (state, entry_lookup_or_new (state, SUMMARY_TAG),
                          summary_content (state->held.length));
        }
    }
  else if (summary != NULL && summary->want != NULL)
    {
      state->n_summarized = 0;
      entry_set_want (state, summary, NULL);
    }
}

typedef struct
{
  Notifier *state;
  char     *tag;
  gboolean  notify;
} Call;

static void
call_free (Call *call)
{
  notifier_unref (call->state);
  g_free (call->tag);
  g_free (call);
}

static void
call_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Call *call = user_data;
  Notifier *state = call->state;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  Entry *entry;
  guint32 id = 0;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  state->n_in_flight--;

  entry = g_hash_table_lookup (state->entries, call->tag);
  g_assert (entry != NULL && entry->in_flight);
  entry->in_flight = FALSE;

  if (call->notify)
    {
      if (reply != NULL && !state->portal)
        g_variant_get (reply, "(u)", &id);

      if (reply == NULL)
        {
          g_message ("Could not show the notification %s: %s", call->tag, error->message);
          entry->sent = FALSE;
          /* Keep no tag for a notification that is not on screen, unless something newer
           * is already asked for. */
          if (!entry->dirty && entry->want != NULL)
            entry_set_want (state, entry, NULL);
        }
      else if (!state->portal)
        {
          entry_forget_id (state, entry);
          entry->id = id;
          g_hash_table_insert (state->by_id, GUINT_TO_POINTER (id), entry);
        }

      if (state->owner != NULL)
        g_signal_emit (state->owner, signals[SERVER_REPLIED], 0, call->tag, reply != NULL);
    }
  else if (reply == NULL)
    {
      g_debug ("Could not withdraw notification %s: %s", call->tag, error->message);
    }

  if (entry->dirty && !entry->queued && !entry->held)
    {
      g_queue_push_tail_link (&state->queue, &entry->link);
      entry->queued = TRUE;
    }

  entry_maybe_drop (state, entry);
  update_held (state);
  pump (state);
  call_free (call);
}

static void
send_entry (Notifier *state,
            Entry    *entry)
{
  Call *call;
  const char *name, *path, *iface, *method;
  GVariant *args = NULL;
  const GVariantType *reply_type = NULL;

  entry->dirty = FALSE;

  if (entry->want != NULL)
    {
      if (state->portal)
        {
          name = PORTAL_NAME, path = PORTAL_PATH, iface = PORTAL_IFACE;
          method = "AddNotification";
          args = sp_notify_portal_args (entry->want, entry->tag);
          entry->sent = TRUE;
        }
      else
        {
          name = NOTIFY_NAME, path = NOTIFY_PATH, iface = NOTIFY_IFACE;
          method = "Notify";
          args = sp_notify_fdo_args (entry->want, entry->id);
          reply_type = G_VARIANT_TYPE ("(u)");
        }
    }
  else if (state->portal && entry->sent)
    {
      name = PORTAL_NAME, path = PORTAL_PATH, iface = PORTAL_IFACE;
      method = "RemoveNotification";
      args = g_variant_new ("(s)", entry->tag);
      entry->sent = FALSE;
    }
  else if (!state->portal && entry->id != 0)
    {
      name = NOTIFY_NAME, path = NOTIFY_PATH, iface = NOTIFY_IFACE;
      method = "CloseNotification";
      args = g_variant_new ("(u)", entry->id);
      /* The NotificationClosed that answers it is ours: nothing to learn from it. */
      entry_forget_id (state, entry);
    }
  else
    {
      entry_maybe_drop (state, entry);
      return;
    }

  call = g_new0 (Call, 1);
  call->state = notifier_ref (state);
  call->tag = g_strdup (entry->tag);
  call->notify = entry->want != NULL;
  entry->in_flight = TRUE;
  state->n_in_flight++;

  g_dbus_connection_call (state->bus, name, path, iface, method, args, reply_type,
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, call_done_cb, call);
}

static void
pump (Notifier *state)
{
  if (state->bus == NULL)
    {
      /* No session bus: nothing can be shown, and nothing must seem shown. */
      while (state->queue.length > 0)
        {
          Entry *entry = state->queue.head->data;

          entry_unqueue (state, entry);
          entry->dirty = FALSE;
          sp_notify_content_free (g_steal_pointer (&entry->want));
          entry_maybe_drop (state, entry);
        }
      return;
    }

  while (state->n_in_flight < MAX_IN_FLIGHT && state->queue.length > 0)
    {
      Entry *entry = state->queue.head->data;

      entry_unqueue (state, entry);
      send_entry (state, entry);
    }
}

static gboolean
pump_cb (gpointer user_data)
{
  Notifier *state = user_data;

  state->pump_id = 0;
  g_clear_pointer (&state->donor, g_free);
  g_clear_pointer (&state->donor_summary, g_free);
  pump (state);

  return G_SOURCE_REMOVE;
}

/* Sends what waits once the main loop has dispatched what is ready now (at the default
 * priority, so in the same iteration as the other work a call leaves behind, such as the
 * history's batch: an iteration of its own costs a call a wake-up more). */
static void
send_later (Notifier *state)
{
  if (state->pump_id != 0)
    return;

  state->pump_id = g_idle_add_full (G_PRIORITY_DEFAULT, pump_cb, notifier_ref (state),
                                    (GDestroyNotify) notifier_unref);
  g_source_set_name_by_id (state->pump_id, "[screenpop] notifier");
}

/* @entry, a ringing call new to the server, takes over the notification of the ringing
 * call withdrawn last, if that one showed the same caller and its close has not gone out
 * yet. */
static void
take_over_donor (Notifier *state,
                 Entry    *entry)
{
  g_autofree char *summary = g_steal_pointer (&state->donor_summary);
  Entry *donor;

  if (state->donor == NULL)
    return;

  donor = g_hash_table_lookup (state->entries, state->donor);
  g_clear_pointer (&state->donor, g_free);

  if (donor == NULL || donor == entry || donor->want != NULL || !donor->queued ||
      donor->in_flight || donor->id == 0 || entry->id != 0 || entry->in_flight || entry->held ||
      g_strcmp0 (summary, entry->want->summary) != 0)
    return;

  entry->id = donor->id;
  g_hash_table_insert (state->by_id, GUINT_TO_POINTER (entry->id), entry);
  donor->id = 0;
  entry_unqueue (state, donor);
  donor->dirty = FALSE;
  entry_maybe_drop (state, donor);
}

/* Signals from the server */

static void
forget_closed (Notifier *state,
               Entry    *entry)
{
  /* Closed by the user or by expiry: the tag is free again. Something newer asked for in
   * the meantime is shown as a new notification. */
  entry_forget_id (state, entry);
  entry->sent = FALSE;

  if (!entry->in_flight && !entry->dirty && entry->want != NULL)
    {
      gboolean was_placed = takes_ringing_place (entry);

      sp_notify_content_free (g_steal_pointer (&entry->want));
      if (was_placed)
        state->n_ringing_shown--;
    }

  entry_maybe_drop (state, entry);
  update_held (state);
  pump (state);
}

static void
server_signal_cb (GDBusConnection *connection,
                  const char      *sender_name,
                  const char      *object_path,
                  const char      *interface_name,
                  const char      *signal_name,
                  GVariant        *parameters,
                  gpointer         user_data)
{
  Notifier *state = user_data;
  g_autoptr(SpNotifier) owner = state->owner ? g_object_ref (state->owner) : NULL;
  g_autofree char *tag = NULL;
  const char *action = NULL;
  Entry *entry = NULL;
  gboolean known = FALSE;

  if (g_str_equal (interface_name, NOTIFY_IFACE) && !state->portal)
    {
      guint32 id;

      if (g_str_equal (signal_name, "NotificationClosed") &&
          g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(uu)")))
        {
          g_variant_get (parameters, "(uu)", &id, NULL);
          entry = g_hash_table_lookup (state->by_id, GUINT_TO_POINTER (id));
          if (entry != NULL)
            forget_closed (state, entry);
          return;
        }

      if (g_str_equal (signal_name, "ActionInvoked") &&
          g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(us)")))
        {
          g_variant_get (parameters, "(u&s)", &id, &action);
          entry = g_hash_table_lookup (state->by_id, GUINT_TO_POINTER (id));
        }
    }
  else if (g_str_equal (interface_name, PORTAL_IFACE) && state->portal &&
           g_str_equal (signal_name, "ActionInvoked") &&
           g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(ssav)")))
    {
      const char *portal_id;

      g_variant_get (parameters, "(&s&s@av)", &portal_id, &action, NULL);
      entry = g_hash_table_lookup (state->entries, portal_id);
    }

  if (entry == NULL || action == NULL || entry->want == NULL || entry->want->actions == NULL)
    return;

  /* Only the buttons we asked for (as libnotify: an unknown action has no callback). */
  for (guint i = 0; !known && entry->want->actions[i] != NULL; i += 2)
    known = g_str_equal (entry->want->actions[i], action);
  if (!known)
    return;

  tag = g_strdup (entry->tag);

  /* The portal closes a notification whose button was clicked (libnotify forgets it
   * then); the freedesktop server says so itself with NotificationClosed. */
  if (state->portal)
    forget_closed (state, entry);

  if (owner == NULL || g_str_equal (tag, SUMMARY_TAG))
    return;

  g_debug ("Button “%s” clicked on %s", action, tag);
  g_signal_emit (owner, signals[ACTION_INVOKED], 0, tag, action);
}

/* Capabilities, sound */

static void
load_caps (SpNotifier *self)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  static const char * const portal_caps[] = {
    /* What libnotify 0.8 answers for the portal (notify.c, notify_get_server_caps). */
    "actions", "body", "body-images", "icon-static", NULL
  };

  g_clear_pointer (&self->caps, g_strfreev);
  self->caps_loaded_at = g_get_monotonic_time ();

  if (self->state->portal)
    {
      self->caps = g_strdupv ((char **) portal_caps);
    }
  else if (self->state->bus != NULL)
    {
      reply = g_dbus_connection_call_sync (self->state->bus, NOTIFY_NAME, NOTIFY_PATH,
                                           NOTIFY_IFACE, "GetCapabilities", NULL,
                                           G_VARIANT_TYPE ("(as)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                           NULL, &error);
      if (reply != NULL)
        g_variant_get (reply, "(^as)", &self->caps);
      else
        g_debug ("No notification server: %s", error->message);
    }

  if (self->caps == NULL)
    self->caps = g_new0 (char *, 1);

  if (g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN) == FALSE)
    {
      g_autofree char *joined = g_strjoinv (" ", self->caps);

      g_debug ("Notification server capabilities: %s", joined[0] ? joined : "(none)");
    }
}

/* Whether the notification server advertised @capability ("actions", "body-markup", …). */
static gboolean
has_capability (SpNotifier *self,
                const char *capability)
{
  /* A server that was not there at start-up may be now. */
  if (self->caps[0] == NULL && g_get_monotonic_time () - self->caps_loaded_at > CAPS_RETRY_US)
    load_caps (self);

  return g_strv_contains ((const char * const *) self->caps, capability);
}

static const char *
find_ping (void)
{
  static const char *path = NULL;

  if (path == NULL)
    {
      const char *env = g_getenv ("SCREENPOP_PING");

      if (env != NULL && g_file_test (env, G_FILE_TEST_EXISTS))
        path = env;
      else if (g_file_test (PKGDATADIR "/sounds/ping.wav", G_FILE_TEST_EXISTS))
        path = PKGDATADIR "/sounds/ping.wav";
      else
        path = "";
    }

  return path[0] ? path : NULL;
}

/* The ring sound, once per new ringing notification (and once for calls that ring within
 * half a second of each other); after one failure to set up the sound context it stays
 * silent rather than failing on every call. */
static void
play_ping (SpNotifier *self)
{
  g_autoptr(GError) error = NULL;
  const char *ping;
  gint64 now = g_get_monotonic_time ();

  if (!self->sound_enabled || self->sound_failed)
    return;

  if (self->last_ping != 0 && now - self->last_ping < PING_INTERVAL_US)
    return;
  self->last_ping = now;

  if (self->sound == NULL)
    {
      self->sound = gsound_context_new (NULL, &error);
      if (self->sound == NULL)
        {
          g_debug ("No sound: %s", error->message);
          self->sound_failed = TRUE;
          return;
        }
      gsound_context_set_attributes (self->sound, &error,
                                     GSOUND_ATTR_APPLICATION_ID, APP_ID APP_ID_SUFFIX,
                                     NULL);
      g_clear_error (&error);
    }

  ping = find_ping ();
  if (ping != NULL)
    gsound_context_play_simple (self->sound, NULL, &error,
                                GSOUND_ATTR_MEDIA_FILENAME, ping,
                                GSOUND_ATTR_MEDIA_ROLE, "event",
                                NULL);
  else
    gsound_context_play_simple (self->sound, NULL, &error,
                                GSOUND_ATTR_EVENT_ID, "message-new-instant",
                                NULL);

  if (error != NULL)
    g_debug ("Could not play the ping: %s", error->message);
}

/* Whether to go through the portal: as libnotify 0.8 decides (notify.c,
 * _notify_is_running_in_sandbox and _get_portal_proxy), with its two variables. */
static gboolean
use_portal (GDBusConnection *bus)
{
  g_autoptr(GVariant) reply = NULL;

  if (bus == NULL || g_getenv ("NOTIFY_IGNORE_PORTAL") != NULL)
    return FALSE;

  if (g_getenv ("NOTIFY_FORCE_PORTAL") == NULL &&
      !g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    return FALSE;

  reply = g_dbus_connection_call_sync (bus, PORTAL_NAME, PORTAL_PATH,
                                       "org.freedesktop.DBus.Properties", "Get",
                                       g_variant_new ("(ss)", PORTAL_IFACE, "version"),
                                       G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, NULL);

  return reply != NULL;
}

static void
sp_notifier_dispose (GObject *object)
{
  SpNotifier *self = (SpNotifier *)object;

  if (self->state != NULL)
    {
      sp_notifier_withdraw_all (self);
      self->state->owner = NULL;
      g_clear_pointer (&self->state, notifier_unref);
    }

  g_clear_pointer (&self->caps, g_strfreev);
  g_clear_object (&self->sound);

  G_OBJECT_CLASS (sp_notifier_parent_class)->dispose (object);
}

static void
sp_notifier_class_init (SpNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_notifier_dispose;

  /**
   * SpNotifier::action-invoked:
   * @self: the notifier
   * @tag: the notification's tag
   * @action: the button's id
   */
  signals[ACTION_INVOKED] =
    g_signal_new ("action-invoked",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  /**
   * SpNotifier::server-replied:
   * @self: the notifier
   * @tag: the notification's tag
   * @shown: whether the server took it
   *
   * The notification server answered the show or update of @tag (what a show costs, seen
   * from outside: benchmarks and tests wait for it).
   */
  signals[SERVER_REPLIED] =
    g_signal_new ("server-replied",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_BOOLEAN);
}

static void
sp_notifier_init (SpNotifier *self)
{
  self->sound_enabled = TRUE;
}

SpNotifier *
sp_notifier_new (void)
{
  SpNotifier *self = g_object_new (SP_TYPE_NOTIFIER, NULL);
  Notifier *state = g_new0 (Notifier, 1);
  g_autoptr(GError) error = NULL;

  g_atomic_ref_count_init (&state->ref_count);
  state->owner = self;
  state->entries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                          (GDestroyNotify) entry_free);
  state->by_id = g_hash_table_new (NULL, NULL);
  state->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (state->bus == NULL)
    g_message ("No session bus, so no notifications: %s", error->message);
  state->portal = use_portal (state->bus);
  self->state = state;

  if (state->bus != NULL)
    {
      /* Subscribed on the connection, not through a proxy: a proxy would not follow a
       * server that is started later. The callbacks hold the state, not the object. */
      state->signal_ids[0] =
        g_dbus_connection_signal_subscribe (state->bus, NULL,
                                            state->portal ? PORTAL_IFACE : NOTIFY_IFACE,
                                            state->portal ? "ActionInvoked" : NULL,
                                            state->portal ? PORTAL_PATH : NOTIFY_PATH,
                                            NULL, G_DBUS_SIGNAL_FLAGS_NONE, server_signal_cb,
                                            state, NULL);
    }

  load_caps (self);

  return self;
}

/**
 * sp_notifier_show:
 * @tag: stable id of the notification; showing the same tag again updates it in place
 * @summary: plain text
 * @body: (nullable): plain text; escaped here when the server reads markup
 * @icon: (nullable): an icon name, or the path of a picture (a caller's photo): a path is
 *   sent as the notification's image (the image-path hint), with the app's icon beside it
 * @flags: what kind of notification
 * @buttons: (array length=n_buttons) (nullable): the buttons
 *
 * Shows or updates a notification. Buttons are left out when the server cannot show
 * them; the window offers the same actions.
 *
 * The notification is sent without waiting: sp_notifier_is_shown() is true from now on,
 * and later shows and withdraws of @tag reach the server in order after this one.
 */
void
sp_notifier_show (SpNotifier           *self,
                  const char           *tag,
                  const char           *summary,
                  const char           *body,
                  const char           *icon,
                  SpNotifyFlags         flags,
                  const SpNotifyButton *buttons,
                  guint                 n_buttons)
{
  Notifier *state;
  Content *content;
  Entry *entry;
  gboolean is_new;

  g_return_if_fail (SP_IS_NOTIFIER (self));
  g_return_if_fail (tag != NULL);
  g_return_if_fail (summary != NULL);

  if (self->shut)
    {
      g_debug ("Not showing %s: shutting down", tag);
      return;
    }

  state = self->state;
  content = g_new0 (Content, 1);
  content->summary = g_strdup (summary);
  if (body != NULL && has_capability (self, "body-markup"))
    content->body = g_markup_escape_text (body, -1);
  else
    content->body = g_strdup (body);
  content->icon = g_strdup (icon);
  content->flags = flags;

  if (n_buttons > 0 && has_capability (self, "actions"))
    {
      content->actions = g_new0 (char *, 2 * n_buttons + 1);
      for (guint i = 0; i < n_buttons; i++)
        {
          content->actions[2 * i] = g_strdup (buttons[i].id);
          content->actions[2 * i + 1] = g_strdup (buttons[i].label);
        }
    }

  entry = entry_lookup_or_new (state, tag);
  is_new = entry->want == NULL;
  entry_set_want (state, entry, content);
  if (is_new && is_ringing (content) && !state->portal)
    take_over_donor (state, entry);
  update_held (state);
  pump (state);

  if ((flags & (SP_NOTIFY_RINGING | SP_NOTIFY_PING)) && is_new)
    play_ping (self);
}

/**
 * sp_notifier_withdraw:
 *
 * Closes the notification with @tag, if it is still shown; one whose show the server has
 * not answered yet is closed as soon as it has.
 */
void
sp_notifier_withdraw (SpNotifier *self,
                      const char *tag)
{
  Notifier *state;
  Entry *entry;

  g_return_if_fail (SP_IS_NOTIFIER (self));
  g_return_if_fail (tag != NULL);

  state = self->state;
  entry = g_hash_table_lookup (state->entries, tag);
  if (entry == NULL || entry->want == NULL)
    return;

  /* A ringing call on screen may hand its notification over to the next one. */
  if (is_ringing (entry->want) && entry->id != 0 && !entry->in_flight &&
      !g_str_equal (tag, SUMMARY_TAG))
    {
      g_free (state->donor);
      state->donor = g_strdup (tag);
      g_free (state->donor_summary);
      state->donor_summary = g_strdup (entry->want->summary);
    }

  entry_set_want (state, entry, NULL);
  update_held (state);
  send_later (state);
}

/**
 * sp_notifier_is_shown:
 *
 * Returns: whether @tag is shown (or on its way to the server, or counted on the summary
 *   of ringing calls): until it is withdrawn, closed by the user, or the server refused it
 */
gboolean
sp_notifier_is_shown (SpNotifier *self,
                      const char *tag)
{
  Entry *entry;

  g_return_val_if_fail (SP_IS_NOTIFIER (self), FALSE);

  entry = g_hash_table_lookup (self->state->entries, tag);

  return entry != NULL && entry->want != NULL;
}

static gboolean
is_busy (Notifier *state)
{
  return state->n_in_flight > 0 || state->queue.length > 0;
}

/**
 * sp_notifier_withdraw_all:
 *
 * Closes everything: on shutdown, no notification may stay behind with dead buttons.
 * It waits (at most two seconds) for the server to answer what is in flight, so that a
 * notification whose id was not known yet is closed too before the app exits. From then
 * on the notifier shows nothing more: this is the way out.
 */
void
sp_notifier_withdraw_all (SpNotifier *self)
{
  Notifier *state;
  g_autofree gpointer *tags = NULL;
  GMainContext *context = g_main_context_ref_thread_default ();
  gint64 deadline = g_get_monotonic_time () + DRAIN_TIMEOUT_US;
  guint n_tags;

  g_return_if_fail (SP_IS_NOTIFIER (self));

  /* What the wait below dispatches (a directory's answer naming a caller, say) must not
   * put a notification back on screen while the app goes. */
  self->shut = TRUE;

  state = notifier_ref (self->state);
  tags = g_hash_table_get_keys_as_array (state->entries, &n_tags);
  for (guint i = 0; i < n_tags; i++)
    {
      Entry *entry = g_hash_table_lookup (state->entries, tags[i]);

      if (entry != NULL && entry->want != NULL)
        entry_set_want (state, entry, NULL);
    }
  /* The summary too: no held call is left. */
  pump (state);

  /* Wait for the replies in a loop of our own only where nobody else could run one. */
  while (is_busy (state) && g_get_monotonic_time () < deadline &&
         g_main_context_acquire (context))
    {
      g_main_context_iteration (context, FALSE);
      g_main_context_release (context);
      if (is_busy (state))
        g_usleep (100);
    }

  if (state->bus != NULL)
    g_dbus_connection_flush_sync (state->bus, NULL, NULL);

  notifier_unref (state);
  g_main_context_unref (context);
}

void
sp_notifier_set_sound_enabled (SpNotifier *self,
                               gboolean    enabled)
{
  g_return_if_fail (SP_IS_NOTIFIER (self));
  self->sound_enabled = !!enabled;
}
