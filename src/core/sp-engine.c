/* sp-engine.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-engine"

#include "config.h"

#include "sp-engine.h"

/*
 * SpEngine is the pipeline, whole, without GTK (as GNOME Calls' CallsManager):
 *
 *   accounts and their sources ──call events──► tracker ──► screen-pop ──► notifier
 *        │                                         │            │ asks first: web service
 *        └──redmine commands──► command runner     │└► history  └─ both open URLs through
 *                                                  │               the one URL door
 *                                                  └► caller id ──(directories, in parallel)──┐
 *                                   tracker ◄── the contact, put on the call, announced again ┘
 *
 * with the quiet rule (do not disturb, muted accounts, the lock screen) that the screen-pop
 * and the web service both ask. The app, every integration test and every benchmark build
 * this same engine; a test swaps only what its API lets it swap (the notifier, the URL
 * handler, the history file), never the wiring.
 */

/* How many of the history's calls a start puts into the recent calls. */
#define RECENT_FROM_HISTORY 50

struct _SpEngine
{
  GObject          parent_instance;

  GSettings       *settings;
  GDBusConnection *bus;
  char            *history_path;

  SpCallTracker   *tracker;
  SpCallerId      *caller_id;
  SpNotifier      *notifier;
  SpAccountList      *accounts;
  SpQuiet         *quiet;
  SpScreenLock    *screen_lock;
  SpUrlOpener     *opener;
  SpWebservice    *webservice;
  SpScreenpop     *screenpop;
  SpCommandRunner *command_runner;
  SpHistory       *history;        /* NULL when it cannot be used: see history_error */
  char            *history_error;
};

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_BUS,
  PROP_HISTORY_PATH,
  PROP_NOTIFIER,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (SpEngine, sp_engine, G_TYPE_OBJECT)

static GParamSpec *properties [N_PROPS];

static void
play_sound_changed_cb (SpEngine *self)
{
  sp_notifier_set_sound_enabled (self->notifier,
                                 g_settings_get_boolean (self->settings, "play-sound"));
}

/* The last calls of the history go into the tracker's recent calls, after those of this
 * run: the window's Recent Calls and the tray's menu are not empty after a restart. */
static void
load_recent_calls (SpEngine *self)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;

  entries = sp_history_search (self->history, NULL, SP_HISTORY_FILTER_ALL, NULL,
                               RECENT_FROM_HISTORY, &error);
  if (entries == NULL)
    {
      g_message ("The last calls were not read from the history: %s", error->message);
      return;
    }

  for (guint i = 0; i < entries->len; i++)
    {
      g_autoptr(SpCall) call = sp_history_entry_to_call (g_ptr_array_index (entries, i));

      sp_call_tracker_add_earlier (self->tracker, call);
    }
}

static void
open_history (SpEngine *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) prune_error = NULL;
  g_autoptr(GError) recover_error = NULL;
  g_autofree char *default_path = NULL;
  int recovered;
  const char *path = self->history_path;

  if (path == NULL)
    path = default_path = sp_history_default_path ();

  /* History is a convenience: without it calls keep popping up, and the window says why. */
  self->history = sp_history_new (path, &error);
  if (self->history == NULL)
    {
      g_message ("No call history: %s", error->message);
      self->history_error = g_strdup (error->message);
      return;
    }

  recovered = sp_history_recover (self->history, &recover_error);
  if (recovered < 0)
    g_message ("Calls left open by the last run not closed: %s", recover_error->message);
  else if (recovered > 0)
    g_message ("Calls still live when Screenpop last stopped without quitting: %d; they are in "
               "the history with an unknown end", recovered);

  sp_history_attach (self->history, self->tracker);
  load_recent_calls (self);
  if (!sp_history_prune (self->history, g_settings_get_uint (self->settings, "history-days"),
                         &prune_error))
    g_message ("Old calls not removed: %s", prune_error->message);
}

/* Nothing will end the calls still live: write them now, or the history would never know
 * they rang. */
static void
close_live_calls (SpEngine *self)
{
  g_autoptr(GError) error = NULL;

  if (self->history == NULL || self->tracker == NULL)
    return;

  if (!sp_history_close_live_calls (self->history, self->tracker, &error))
    g_message ("Calls still live not kept in the history: %s", error->message);
}

static void
sp_engine_constructed (GObject *object)
{
  SpEngine *self = SP_ENGINE (object);

  G_OBJECT_CLASS (sp_engine_parent_class)->constructed (object);

  g_assert (G_IS_SETTINGS (self->settings));

  self->tracker = sp_call_tracker_new ();
  /* Before anything else listens to the tracker: a cached name is then on a call before
   * its first notification. */
  self->caller_id = sp_caller_id_new (self->tracker, self->settings);
  if (self->notifier == NULL)
    self->notifier = sp_notifier_new ();

  self->quiet = sp_quiet_new (self->settings);
  self->screen_lock = sp_screen_lock_new (self->bus);
  sp_quiet_set_screen_lock (self->quiet, self->screen_lock);
  self->opener = sp_url_opener_new (self->settings);

  /* Everything that acts on calls exists before the first source starts. */
  self->accounts = sp_account_list_new (self->settings, self->tracker);
  self->webservice = sp_webservice_new (self->accounts, self->notifier, self->settings,
                                        self->quiet, self->opener);
  self->screenpop = sp_screenpop_new (self->accounts, self->tracker, self->notifier,
                                      self->quiet, self->opener, self->webservice);
  g_settings_bind (self->settings, "click-opens-page", self->screenpop, "click-opens-page",
                   G_SETTINGS_BIND_GET);
  self->command_runner = sp_command_runner_new (self->accounts, self->notifier, self->opener);
  open_history (self);

  g_signal_connect_object (self->settings, "changed::play-sound",
                           G_CALLBACK (play_sound_changed_cb), self, G_CONNECT_SWAPPED);
  play_sound_changed_cb (self);
}

static void
sp_engine_dispose (GObject *object)
{
  SpEngine *self = (SpEngine *)object;

  close_live_calls (self);

  g_clear_object (&self->command_runner);
  g_clear_object (&self->screenpop);
  g_clear_object (&self->webservice);
  g_clear_object (&self->history);
  g_clear_object (&self->accounts);
  g_clear_object (&self->opener);
  g_clear_object (&self->quiet);
  g_clear_object (&self->screen_lock);
  g_clear_object (&self->notifier);
  g_clear_object (&self->caller_id);
  g_clear_object (&self->tracker);
  g_clear_object (&self->bus);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (sp_engine_parent_class)->dispose (object);
}

static void
sp_engine_finalize (GObject *object)
{
  SpEngine *self = (SpEngine *)object;

  g_free (self->history_path);
  g_free (self->history_error);

  G_OBJECT_CLASS (sp_engine_parent_class)->finalize (object);
}

static void
sp_engine_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  SpEngine *self = SP_ENGINE (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    case PROP_BUS:
      g_value_set_object (value, self->bus);
      break;
    case PROP_HISTORY_PATH:
      g_value_set_string (value, self->history_path);
      break;
    case PROP_NOTIFIER:
      g_value_set_object (value, self->notifier);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_engine_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  SpEngine *self = SP_ENGINE (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    case PROP_BUS:
      self->bus = g_value_dup_object (value);
      break;
    case PROP_HISTORY_PATH:
      self->history_path = g_value_dup_string (value);
      break;
    case PROP_NOTIFIER:
      self->notifier = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_engine_class_init (SpEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = sp_engine_constructed;
  object_class->dispose = sp_engine_dispose;
  object_class->finalize = sp_engine_finalize;
  object_class->get_property = sp_engine_get_property;
  object_class->set_property = sp_engine_set_property;

  /**
   * SpEngine:settings:
   *
   * The app's settings (schema io.github.screenpop.Screenpop): the accounts and every
   * preference the pipeline follows.
   */
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * SpEngine:bus:
   *
   * The session bus, where the screen lock is watched; %NULL: the screen is never locked.
   */
  properties[PROP_BUS] =
    g_param_spec_object ("bus", NULL, NULL, G_TYPE_DBUS_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * SpEngine:history-path:
   *
   * The call history's database file; %NULL: sp_history_default_path().
   */
  properties[PROP_HISTORY_PATH] =
    g_param_spec_string ("history-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * SpEngine:notifier:
   *
   * Where notifications go; %NULL at construction: a new #SpNotifier.
   */
  properties[PROP_NOTIFIER] =
    g_param_spec_object ("notifier", NULL, NULL, SP_TYPE_NOTIFIER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sp_engine_init (SpEngine *self)
{
}

/**
 * sp_engine_new:
 * @settings: the app's settings (schema io.github.screenpop.Screenpop)
 * @bus: (nullable): the session bus, for the screen lock
 *
 * The engine as the app ships it: the call history in the user's data folder and a
 * notifier of its own. The configured accounts are created and the enabled ones start.
 *
 * Returns: (transfer full): the engine
 */
SpEngine *
sp_engine_new (GSettings       *settings,
               GDBusConnection *bus)
{
  return sp_engine_new_full (settings, bus, NULL, NULL);
}

/**
 * sp_engine_new_full:
 * @settings: the app's settings (schema io.github.screenpop.Screenpop)
 * @bus: (nullable): the session bus, for the screen lock
 * @history_path: (nullable): the call history's file; %NULL: the user's
 * @notifier: (nullable): where notifications go; %NULL: a new #SpNotifier
 *
 * As sp_engine_new(), with what a test or a benchmark may want elsewhere.
 *
 * Returns: (transfer full): the engine
 */
SpEngine *
sp_engine_new_full (GSettings       *settings,
                    GDBusConnection *bus,
                    const char      *history_path,
                    SpNotifier      *notifier)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (bus == NULL || G_IS_DBUS_CONNECTION (bus), NULL);
  g_return_val_if_fail (notifier == NULL || SP_IS_NOTIFIER (notifier), NULL);

  return g_object_new (SP_TYPE_ENGINE,
                       "settings", settings,
                       "bus", bus,
                       "history-path", history_path,
                       "notifier", notifier,
                       NULL);
}

GSettings *
sp_engine_get_settings (SpEngine *self)
{
  g_return_val_if_fail (SP_IS_ENGINE (self), NULL);
  return self->settings;
}

/**
 * sp_engine_get_accounts:
 *
 * Returns: (transfer none): the accounts, each with its source (sp_account_list_get_source())
 */
SpAccountList *
sp_engine_get_accounts (SpEngine *self)
{
  g_return_val_if_fail (SP_IS_ENGINE (self), NULL);
  return self->accounts;
}

/**
 * sp_engine_get_tracker:
 *
 * Returns: (transfer none): the calls now, and those of this run
 */
SpCallTracker *
sp_engine_get_tracker (SpEngine *self)
{
  g_return_val_if_fail (SP_IS_ENGINE (self), NULL);
  return self->tracker;
}

/**
 * sp_engine_get_caller_id:
 *
 * Returns: (transfer none): who-is-calling: the directories and their lookups
 */
SpCallerId *
sp_engine_get_caller_id (SpEngine *self)
{
  g_return_val_if_fail (SP_IS_ENGINE (self), NULL);
  return self->caller_id;
}

SpNotifier *
sp_engine_get_notifier (SpEngine *self)
{
  g_return_val_if_fail (SP_IS_ENGINE (self), NULL);
  return self->notifier;
}

/**
 * sp_engine_get_quiet:
 *
 * Returns: (transfer none): the quiet rule: do not disturb, muted accounts, the lock screen
 */
SpQuiet *
sp_engine_get_quiet (SpEngine *self)
{
  g_return_val_if_fail (SP_IS_ENGINE (self), NULL);
  return self->quiet;
}

SpScreenLock *
sp_engine_get_screen_lock (SpEngine *self)
{
  g_return_val_if_fail (SP_IS_ENGINE (self), NULL);
  return self->screen_lock;
}

SpScreenpop *
sp_engine_get_screenpop (SpEngine *self)
{
  g_return_val_if_fail (SP_IS_ENGINE (self), NULL);
  return self->screenpop;
}

/**
 * sp_engine_get_webservice:
 *
 * Returns: (transfer none): the third-party web service client, for its "Done" list and
 *   its last error
 */
SpWebservice *
sp_engine_get_webservice (SpEngine *self)
{
  g_return_val_if_fail (SP_IS_ENGINE (self), NULL);
  return self->webservice;
}

SpCommandRunner *
sp_engine_get_command_runner (SpEngine *self)
{
  g_return_val_if_fail (SP_IS_ENGINE (self), NULL);
  return self->command_runner;
}

/**
 * sp_engine_get_url_opener:
 *
 * Returns: (transfer none): the one door for URLs
 */
SpUrlOpener *
sp_engine_get_url_opener (SpEngine *self)
{
  g_return_val_if_fail (SP_IS_ENGINE (self), NULL);
  return self->opener;
}

/**
 * sp_engine_get_history:
 *
 * Returns: (transfer none) (nullable): the call history, or %NULL when it cannot be used
 *   (see sp_engine_get_history_error())
 */
SpHistory *
sp_engine_get_history (SpEngine *self)
{
  g_return_val_if_fail (SP_IS_ENGINE (self), NULL);
  return self->history;
}

/**
 * sp_engine_get_history_error:
 *
 * Returns: (nullable): why there is no call history, in words, or %NULL when there is one
 */
const char *
sp_engine_get_history_error (SpEngine *self)
{
  g_return_val_if_fail (SP_IS_ENGINE (self), NULL);
  return self->history_error;
}

/**
 * sp_engine_set_url_handler:
 * @handler: (nullable): what shows a URL to the user; %NULL: the desktop's handler
 * @user_data: closure for @handler
 * @destroy: (nullable): frees @user_data
 *
 * The test seam of URL opening (see sp_url_opener_set_handler()): every URL the engine
 * opens, from the template, a redmine command or the web service, still passes the policy
 * first.
 */
void
sp_engine_set_url_handler (SpEngine       *self,
                           SpUrlHandler    handler,
                           gpointer        user_data,
                           GDestroyNotify  destroy)
{
  g_return_if_fail (SP_IS_ENGINE (self));

  sp_url_opener_set_handler (self->opener, handler, user_data, destroy);
}

/**
 * sp_engine_shutdown:
 *
 * Stops every source and withdraws every notification, so that none outlives the app
 * with buttons nobody listens to, and writes the calls still live to the history, with an
 * unknown end.
 */
void
sp_engine_shutdown (SpEngine *self)
{
  g_return_if_fail (SP_IS_ENGINE (self));

  sp_account_list_stop_all (self->accounts);
  sp_notifier_withdraw_all (self->notifier);
  close_live_calls (self);
}
