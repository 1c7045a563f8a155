/* sp-screenpop.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-screenpop"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-screenpop.h"
#include "sp-template.h"

/*
 * SpScreenpop decides what a call does on the desktop: which notification, which buttons,
 * and which CRM page opens on which trigger. Pages open through the URL door
 * (SpUrlOpener), so every URL passes the same policy.
 *
 * For an account with a third-party web service, the web service decides what a call
 * opens: on every change of a call the screen-pop first asks it (sp_webservice_follow_call())
 * and leaves the template out while it decides; when it fails later, SpWebservice::fallback
 * hands the call back to the template.
 *
 * The quiet rule (SpQuiet) says when a call must not disturb, and what it may show while
 * the screen is locked: all of it, a notification without the caller ("hide-content"), or
 * nothing ("hide"). Locking re-renders the call notifications on screen, and unlocking
 * brings back in full those that were hidden or held back, missed calls included.
 *
 * A click on a call notification itself (its "default" action) is never lost: it shows the
 * call in the window (SpScreenpop::show-call, for the app) or, with #SpScreenpop:click-opens-page,
 * opens its CRM page. Beside Answer, a source that can hang up offers Decline.
 */

/* Bound on remembered call notifications whose buttons may still be clicked. */
#define MAX_TAGS 256

struct _SpScreenpop
{
  GObject         parent_instance;

  SpAccountList     *accounts;
  SpCallTracker  *tracker;
  SpNotifier     *notifier;
  SpQuiet        *quiet;
  SpUrlOpener    *opener;
  SpWebservice   *webservice;
  GPtrArray      *held;           /* (element-type SpCall) kept off a locked screen */

  GHashTable     *calls_by_tag;   /* tag → SpCall whose notification may be clicked */
  GQueue          tag_order;      /* (element-type utf8) oldest first, for the bound */

  gboolean        click_opens_page;
};

enum {
  PROP_0,
  PROP_CLICK_OPENS_PAGE,
  N_PROPS
};

enum {
  SHOW_CALL,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (SpScreenpop, sp_screenpop, G_TYPE_OBJECT)

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

/* The id of a notification's own click (the freedesktop "default" action). */
#define DEFAULT_ACTION "default"

static char *
call_tag (SpCall *call)
{
  return g_strdup_printf ("call:%s:%s", sp_call_get_account_id (call), sp_call_get_call_id (call));
}

static void
remember_tag (SpScreenpop *self,
              const char  *tag,
              SpCall      *call)
{
  if (!g_hash_table_contains (self->calls_by_tag, tag))
    g_queue_push_tail (&self->tag_order, g_strdup (tag));

  g_hash_table_insert (self->calls_by_tag, g_strdup (tag), g_object_ref (call));

  while (g_queue_get_length (&self->tag_order) > MAX_TAGS)
    {
      g_autofree char *oldest = g_queue_pop_head (&self->tag_order);

      g_hash_table_remove (self->calls_by_tag, oldest);
    }
}

static void
forget_tag (SpScreenpop *self,
            const char  *tag)
{
  GList *link = g_queue_find_custom (&self->tag_order, tag, (GCompareFunc) g_strcmp0);

  if (link != NULL)
    {
      g_free (link->data);
      g_queue_delete_link (&self->tag_order, link);
    }

  g_hash_table_remove (self->calls_by_tag, tag);
}

static char *
dup_body (SpScreenpop *self,
          SpCall      *call,
          SpAccount   *account)
{
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *account_name = account ? sp_account_dup_display_name (account) : NULL;
  const SpContact *contact = sp_call_get_contact (call);

  /* Who the caller is comes first: a directory's company and department. */
  if (contact != NULL && contact->company != NULL)
    g_string_append (body, contact->company);
  if (contact != NULL && contact->department != NULL)
    g_string_append_printf (body, body->len > 0 ? " · %s" : "%s", contact->department);

  if (sp_call_get_queue (call) != NULL)
    {
      if (body->len > 0)
        g_string_append_c (body, '\n');
      g_string_append_printf (body, _("Queue: %s"), sp_call_get_queue (call));
    }

  if (sp_call_get_exten (call) != NULL)
    {
      if (body->len > 0)
        g_string_append_c (body, '\n');
      g_string_append_printf (body, _("Extension: %s"), sp_call_get_exten (call));
    }

  if (account_name != NULL)
    {
      if (body->len > 0)
        g_string_append_c (body, '\n');
      g_string_append_printf (body, _("Account: %s"), account_name);
    }

  return g_string_free (g_steal_pointer (&body), FALSE);
}

/* Whether "Open" has a page to open: the account's URL template, or else the contact's page
 * in the directory that knew the caller. */
static gboolean
has_template (SpAccount *account,
              SpCall    *call)
{
  g_autofree char *template_str = account ? sp_account_dup_url_template (account) : NULL;
  const SpContact *contact = sp_call_get_contact (call);

  return (template_str != NULL && template_str[0] != '\0') ||
         (contact != NULL && contact->url != NULL);
}

static void
hold_call (SpScreenpop *self,
           SpCall      *call)
{
  if (g_ptr_array_find (self->held, call, NULL))
    return;

  g_ptr_array_add (self->held, g_object_ref (call));
  if (self->held->len > MAX_TAGS)
    g_ptr_array_remove_index (self->held, 0);
}

static void
show_call (SpScreenpop *self,
           SpCall      *call,
           SpAccount   *account)
{
  g_autofree char *tag = call_tag (call);
  g_autofree char *summary = NULL;
  g_autofree char *body = NULL;
  SpNotifyButton buttons[4];
  guint n_buttons = 0;
  SpNotifyFlags flags;
  SpLockScreenMode mode = sp_quiet_get_lock_mode (self->quiet);

  if (mode == SP_LOCK_SCREEN_HIDE)
    {
      g_debug ("[%s] The screen is locked: call %s is held back", sp_call_get_account_id (call),
               sp_call_get_call_id (call));
      sp_notifier_withdraw (self->notifier, tag);
      hold_call (self, call);
      return;
    }

  if (mode == SP_LOCK_SCREEN_HIDE_CONTENT)
    {
      /* Nothing about the caller, and nothing that opens a page behind the lock. */
      gboolean ringing = sp_call_get_state (call) == SP_CALL_STATE_RINGING;
      /* A source action's nick is the button's id: action_invoked_cb() reads it back. */
      /* The click only shows the window, which the lock screen covers. */
      buttons[n_buttons++] = (SpNotifyButton) { DEFAULT_ACTION, _("Show") };
      if (ringing && sp_screenpop_can_answer (self, call))
        buttons[n_buttons++] = (SpNotifyButton) {
          sp_source_action_to_string (SP_SOURCE_ACTION_ANSWER), _("Answer")
        };
      if (ringing && sp_screenpop_can_hang_up (self, call))
        buttons[n_buttons++] = (SpNotifyButton) {
          sp_source_action_to_string (SP_SOURCE_ACTION_HANGUP), _("Decline")
        };

      sp_notifier_show (self->notifier, tag,
                        ringing ? _("Incoming call") : _("Missed call"),
                        ringing ? _("Unlock the screen to see who is calling.")
                                : _("Unlock the screen to see who called."),
                        "call-start-symbolic", ringing ? SP_NOTIFY_RINGING : SP_NOTIFY_CALL,
                        buttons, n_buttons);
      remember_tag (self, tag, call);
      hold_call (self, call);
      return;
    }

  body = dup_body (self, call, account);

  /* A click on the notification itself: the label is what a daemon that lists actions
   * (dunst's menu) shows. */
  buttons[n_buttons++] = (SpNotifyButton) {
    DEFAULT_ACTION, self->click_opens_page && has_template (account, call) ? _("Open") : _("Show")
  };

  if (sp_call_get_state (call) == SP_CALL_STATE_RINGING)
    {
      summary = sp_call_dup_title (call);
      flags = SP_NOTIFY_RINGING;

      if (sp_screenpop_can_answer (self, call))
        buttons[n_buttons++] = (SpNotifyButton) {
          sp_source_action_to_string (SP_SOURCE_ACTION_ANSWER), _("Answer")
        };
      if (sp_screenpop_can_hang_up (self, call))
        buttons[n_buttons++] = (SpNotifyButton) {
          sp_source_action_to_string (SP_SOURCE_ACTION_HANGUP), _("Decline")
        };
    }
  else
    {
      g_autofree char *title = sp_call_dup_title (call);

      /* Translators: the notification left behind by a call nobody answered */
      summary = g_strdup_printf (_("Missed call from %s"), title);
      flags = SP_NOTIFY_CALL;
    }

  if (has_template (account, call))
    buttons[n_buttons++] = (SpNotifyButton) { "open", _("Open") };

  sp_notifier_show (self->notifier, tag, summary, body, "call-start-symbolic", flags,
                    buttons, n_buttons);
  remember_tag (self, tag, call);
}

static gboolean
is_on_screen (SpScreenpop *self,
              SpCall      *call)
{
  g_autofree char *tag = call_tag (call);

  return sp_notifier_is_shown (self->notifier, tag);
}

static void
withdraw_call (SpScreenpop *self,
               SpCall      *call)
{
  g_autofree char *tag = call_tag (call);

  sp_notifier_withdraw (self->notifier, tag);
  forget_tag (self, tag);
  g_ptr_array_remove (self->held, call);
}

/* The screen was locked or unlocked, or the setting changed: every call notification on
 * screen, and every call held back, is shown again as the lock screen now allows. */
static void
lock_changed_cb (SpScreenpop *self)
{
  g_autoptr(GPtrArray) calls = NULL;
  GHashTableIter iter;
  gpointer key, value;

  calls = g_steal_pointer (&self->held);
  self->held = g_ptr_array_new_with_free_func (g_object_unref);

  g_hash_table_iter_init (&iter, self->calls_by_tag);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (sp_notifier_is_shown (self->notifier, key) && !g_ptr_array_find (calls, value, NULL))
        g_ptr_array_add (calls, g_object_ref (value));
    }

  for (guint i = 0; i < calls->len; i++)
    {
      SpCall *call = g_ptr_array_index (calls, i);
      SpAccount *account = sp_account_list_lookup (self->accounts, sp_call_get_account_id (call));
      SpCallState state = sp_call_get_state (call);

      /* A call held back comes back only when it may pop up; one on screen is re-rendered
       * even when quiet, so that the caller does not stay readable on a locked screen. */
      if ((state == SP_CALL_STATE_RINGING || state == SP_CALL_STATE_MISSED) &&
          (!sp_quiet_is_quiet (self->quiet, account) || is_on_screen (self, call)))
        show_call (self, call, account);
    }
}

static SpTrigger
trigger_of_state (SpCallState state)
{
  switch (state)
    {
    case SP_CALL_STATE_RINGING:
      return SP_TRIGGER_RINGING;
    case SP_CALL_STATE_ANSWERED:
      return SP_TRIGGER_ANSWERED;
    case SP_CALL_STATE_ENDED:
    case SP_CALL_STATE_MISSED:
    case SP_CALL_STATE_EXPIRED:
      return SP_TRIGGER_ENDED;
    default:
      return SP_TRIGGER_NEVER;
    }
}

static void
call_changed_cb (SpScreenpop   *self,
                 SpCall        *call,
                 gboolean       state_changed,
                 SpCallTracker *tracker)
{
  SpAccount *account = sp_account_list_lookup (self->accounts, sp_call_get_account_id (call));
  SpCallState state = sp_call_get_state (call);
  gboolean quiet = sp_quiet_is_quiet (self->quiet, account);
  gboolean webservice_decides;

  switch (state)
    {
    case SP_CALL_STATE_RINGING:
    case SP_CALL_STATE_MISSED:
      /* Also when only details changed: the number may arrive after the ring. Quiet stops
       * new pop-ups, never the update of one already on screen: a ring that ends unanswered
       * after do-not-disturb was switched on must not stay there ringing, with a dead
       * Answer button. */
      if (!quiet || is_on_screen (self, call))
        show_call (self, call, account);
      break;

    case SP_CALL_STATE_ANSWERED:
    case SP_CALL_STATE_ENDED:
    case SP_CALL_STATE_EXPIRED:
      withdraw_call (self, call);
      break;

    default:
      g_return_if_reached ();
    }

  /* Asked before the template, explicitly: an account with a web service lets the web
   * service decide, unless it failed. */
  webservice_decides = sp_webservice_follow_call (self->webservice, call, state_changed);

  if (state_changed && !quiet && account != NULL &&
      sp_call_get_direction (call) == SP_CALL_DIRECTION_INCOMING &&
      sp_account_get_url_trigger (account) == trigger_of_state (state) &&
      !webservice_decides)
    {
      g_autoptr(GError) error = NULL;

      if (!sp_screenpop_open_call (self, call, &error))
        g_message ("[%s] Not opening the CRM page: %s", sp_account_get_id (account), error->message);
    }
}

/* The web service failed for @call: the template takes over, also for a moment that came
 * while the web service was being asked. */
static void
webservice_fallback_cb (SpScreenpop  *self,
                        SpCall       *call,
                        SpWebservice *webservice)
{
  SpAccount *account = sp_account_list_lookup (self->accounts, sp_call_get_account_id (call));
  g_autoptr(GError) error = NULL;
  gboolean reached;

  if (account == NULL || sp_call_get_direction (call) != SP_CALL_DIRECTION_INCOMING ||
      sp_quiet_is_quiet (self->quiet, account))
    return;

  switch (sp_account_get_url_trigger (account))
    {
    case SP_TRIGGER_RINGING:
      reached = TRUE;
      break;
    case SP_TRIGGER_ANSWERED:
      reached = sp_call_get_answered (call) != 0;
      break;
    case SP_TRIGGER_ENDED:
      reached = sp_call_is_finished (call);
      break;
    case SP_TRIGGER_NEVER:
    default:
      reached = FALSE;
      break;
    }

  if (reached && !sp_screenpop_open_call (self, call, &error))
    g_message ("[%s] Not opening the CRM page: %s", sp_account_get_id (account), error->message);
}

static void
answer_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SpScreenpop) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!sp_source_perform_finish (SP_SOURCE (object), result, &error))
    {
      g_message ("[%s] Could not answer: %s", sp_source_get_account_id (SP_SOURCE (object)),
                 error->message);
      sp_notifier_show (self->notifier, "error:answer", _("Could not answer the call"),
                        error->message, "dialog-warning-symbolic", SP_NOTIFY_NONE, NULL, 0);
    }
}

static void
hang_up_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SpScreenpop) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!sp_source_perform_finish (SP_SOURCE (object), result, &error))
    {
      g_message ("[%s] Could not hang up: %s", sp_source_get_account_id (SP_SOURCE (object)),
                 error->message);
      sp_notifier_show (self->notifier, "error:hangup", _("Could not end the call"),
                        error->message, "dialog-warning-symbolic", SP_NOTIFY_NONE, NULL, 0);
    }
}

/* Whether the call's source is there and can do @action at all; whether the call's state
 * allows it is the caller's to say. */
static gboolean
source_can (SpScreenpop    *self,
            SpCall         *call,
            SpSourceAction  action)
{
  SpSource *source = sp_account_list_get_source (self->accounts, sp_call_get_account_id (call));

  return source != NULL && sp_source_can_perform (source, action);
}

/* Asks the call's source to do @action on it; @callback shows a failure. A source that
 * cannot do it says so in its error, which the person then sees. */
static void
perform_on_call (SpScreenpop         *self,
                 SpCall              *call,
                 SpSourceAction       action,
                 GAsyncReadyCallback  callback)
{
  SpSource *source = sp_account_list_get_source (self->accounts, sp_call_get_account_id (call));

  if (source == NULL)
    return;

  sp_source_perform_async (source, action, sp_call_get_call_id (call), NULL, NULL, callback,
                           g_object_ref (self));
}

static void
action_invoked_cb (SpScreenpop *self,
                   const char  *tag,
                   const char  *action,
                   SpNotifier  *notifier)
{
  SpCall *call = g_hash_table_lookup (self->calls_by_tag, tag);
  g_autoptr(GError) error = NULL;
  SpSourceAction verb;

  if (call == NULL)
    return;

  if (g_strcmp0 (action, DEFAULT_ACTION) == 0)
    {
      g_autofree char *url = self->click_opens_page ? sp_screenpop_dup_call_url (self, call) : NULL;

      /* Never a page behind the lock screen: there the click only shows the window. */
      if (url != NULL && sp_quiet_get_lock_mode (self->quiet) == SP_LOCK_SCREEN_SHOW)
        action = "open";
      else
        g_signal_emit (self, signals[SHOW_CALL], 0, call);
    }

  if (g_strcmp0 (action, "open") == 0)
    {
      if (!sp_screenpop_open_call (self, call, &error))
        sp_notifier_show (self->notifier, "error:open", _("Could not open the CRM page"),
                          error->message, "dialog-warning-symbolic", SP_NOTIFY_NONE, NULL, 0);
    }
  else if (sp_source_action_from_string (action, &verb) && verb == SP_SOURCE_ACTION_ANSWER)
    {
      sp_screenpop_answer_call (self, call);
    }
  else if (sp_source_action_from_string (action, &verb) && verb == SP_SOURCE_ACTION_HANGUP)
    {
      sp_screenpop_hang_up_call (self, call);
    }
}

static void
sp_screenpop_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  SpScreenpop *self = SP_SCREENPOP (object);

  switch (prop_id)
    {
    case PROP_CLICK_OPENS_PAGE:
      g_value_set_boolean (value, self->click_opens_page);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_screenpop_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  SpScreenpop *self = SP_SCREENPOP (object);

  switch (prop_id)
    {
    case PROP_CLICK_OPENS_PAGE:
      if (self->click_opens_page != g_value_get_boolean (value))
        {
          self->click_opens_page = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_screenpop_dispose (GObject *object)
{
  SpScreenpop *self = (SpScreenpop *)object;

  g_clear_pointer (&self->calls_by_tag, g_hash_table_unref);
  g_queue_clear_full (&self->tag_order, g_free);
  g_clear_pointer (&self->held, g_ptr_array_unref);
  g_clear_object (&self->webservice);
  g_clear_object (&self->opener);
  g_clear_object (&self->quiet);
  g_clear_object (&self->accounts);
  g_clear_object (&self->tracker);
  g_clear_object (&self->notifier);

  G_OBJECT_CLASS (sp_screenpop_parent_class)->dispose (object);
}

static void
sp_screenpop_class_init (SpScreenpopClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_screenpop_dispose;
  object_class->get_property = sp_screenpop_get_property;
  object_class->set_property = sp_screenpop_set_property;

  /**
   * SpScreenpop:click-opens-page:
   *
   * Whether a click on a call notification opens the call's CRM page (when its account has
   * a URL template and the screen is not locked) rather than showing the call in the window.
   */
  properties[PROP_CLICK_OPENS_PAGE] =
    g_param_spec_boolean ("click-opens-page", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SpScreenpop::show-call:
   * @self: the screenpop
   * @call: the call whose notification was clicked
   *
   * The person clicked a call notification: the app raises its window on @call.
   */
  signals[SHOW_CALL] =
    g_signal_new ("show-call",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SP_TYPE_CALL);
}

static void
sp_screenpop_init (SpScreenpop *self)
{
  self->calls_by_tag = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  g_queue_init (&self->tag_order);
  self->held = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * sp_screenpop_new:
 * @accounts: the accounts (for their templates, triggers and sources)
 * @tracker: the calls to act on
 * @notifier: where notifications go
 * @quiet: the quiet rule (do not disturb, muted accounts, the lock screen)
 * @opener: the door for URLs
 * @webservice: the third-party web service, asked first about every call
 *
 * Returns: (transfer full): a new screenpop
 */
SpScreenpop *
sp_screenpop_new (SpAccountList    *accounts,
                  SpCallTracker *tracker,
                  SpNotifier    *notifier,
                  SpQuiet       *quiet,
                  SpUrlOpener   *opener,
                  SpWebservice  *webservice)
{
  SpScreenpop *self;

  g_return_val_if_fail (SP_IS_ACCOUNT_LIST (accounts), NULL);
  g_return_val_if_fail (SP_IS_CALL_TRACKER (tracker), NULL);
  g_return_val_if_fail (SP_IS_NOTIFIER (notifier), NULL);
  g_return_val_if_fail (SP_IS_QUIET (quiet), NULL);
  g_return_val_if_fail (SP_IS_URL_OPENER (opener), NULL);
  g_return_val_if_fail (SP_IS_WEBSERVICE (webservice), NULL);

  self = g_object_new (SP_TYPE_SCREENPOP, NULL);
  self->accounts = g_object_ref (accounts);
  self->tracker = g_object_ref (tracker);
  self->notifier = g_object_ref (notifier);
  self->quiet = g_object_ref (quiet);
  self->opener = g_object_ref (opener);
  self->webservice = g_object_ref (webservice);

  g_signal_connect_object (tracker, "call-changed",
                           G_CALLBACK (call_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (notifier, "action-invoked",
                           G_CALLBACK (action_invoked_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (quiet, "notify::lock-mode",
                           G_CALLBACK (lock_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (webservice, "fallback",
                           G_CALLBACK (webservice_fallback_cb), self, G_CONNECT_SWAPPED);

  return self;
}

/**
 * sp_screenpop_dup_call_url:
 *
 * Returns: (transfer full) (nullable): the account's URL template expanded for @call, or
 *   %NULL when the account has no template (or a broken one)
 */
char *
sp_screenpop_dup_call_url (SpScreenpop *self,
                           SpCall      *call)
{
  g_autoptr(GHashTable) values = NULL;
  g_autofree char *template_str = NULL;
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer key, value;
  char *url;
  SpAccount *account;
  const SpContact *contact;
  const SpPhoneNumber *phone;

  g_return_val_if_fail (SP_IS_SCREENPOP (self), NULL);
  g_return_val_if_fail (SP_IS_CALL (call), NULL);

  contact = sp_call_get_contact (call);
  phone = sp_call_get_phone_number (call);

  account = sp_account_list_lookup (self->accounts, sp_call_get_account_id (call));
  if (account == NULL)
    return NULL;

  template_str = sp_account_dup_url_template (account);
  if (template_str[0] == '\0')
    return contact != NULL && contact->url != NULL ? g_strdup (contact->url) : NULL;

  values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_insert (values, g_strdup ("number"), (gpointer) sp_call_get_number (call));
  g_hash_table_insert (values, g_strdup ("name"), (gpointer) sp_call_get_display_name (call));
  g_hash_table_insert (values, g_strdup ("e164"),
                       phone != NULL ? (gpointer) phone->e164 : NULL);
  g_hash_table_insert (values, g_strdup ("company"),
                       contact != NULL ? (gpointer) contact->company : NULL);
  g_hash_table_insert (values, g_strdup ("contact_url"),
                       contact != NULL ? (gpointer) contact->url : NULL);
  g_hash_table_insert (values, g_strdup ("exten"), (gpointer) sp_call_get_exten (call));
  g_hash_table_insert (values, g_strdup ("queue"), (gpointer) sp_call_get_queue (call));
  g_hash_table_insert (values, g_strdup ("call_id"), (gpointer) sp_call_get_call_id (call));
  g_hash_table_insert (values, g_strdup ("account"), (gpointer) sp_account_get_id (account));

  g_hash_table_iter_init (&iter, sp_call_get_vars (call));
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (values, g_strconcat ("var:", key, NULL), value);

  url = sp_template_expand (template_str, values, &error);
  if (url == NULL)
    g_message ("[%s] The URL template is broken: %s", sp_account_get_id (account), error->message);

  return url;
}

/**
 * sp_screenpop_open_call:
 *
 * Opens the CRM page of @call (the account's URL template) through the URL policy.
 *
 * Returns: whether a page was opened
 */
gboolean
sp_screenpop_open_call (SpScreenpop  *self,
                        SpCall       *call,
                        GError      **error)
{
  g_autofree char *url = NULL;

  g_return_val_if_fail (SP_IS_SCREENPOP (self), FALSE);
  g_return_val_if_fail (SP_IS_CALL (call), FALSE);

  url = sp_screenpop_dup_call_url (self, call);
  if (url == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The account has no valid CRM URL template"));
      return FALSE;
    }

  return sp_url_opener_open (self->opener,
                             sp_account_list_lookup (self->accounts, sp_call_get_account_id (call)),
                             url, error);
}

gboolean
sp_screenpop_can_answer (SpScreenpop *self,
                         SpCall      *call)
{
  g_return_val_if_fail (SP_IS_SCREENPOP (self), FALSE);
  g_return_val_if_fail (SP_IS_CALL (call), FALSE);

  return sp_call_get_state (call) == SP_CALL_STATE_RINGING &&
         source_can (self, call, SP_SOURCE_ACTION_ANSWER);
}

/**
 * sp_screenpop_answer_call:
 *
 * Asks the call's source to answer it; a failure is shown to the user.
 */
void
sp_screenpop_answer_call (SpScreenpop *self,
                          SpCall      *call)
{
  g_return_if_fail (SP_IS_SCREENPOP (self));
  g_return_if_fail (SP_IS_CALL (call));

  perform_on_call (self, call, SP_SOURCE_ACTION_ANSWER, answer_cb);
}

/**
 * sp_screenpop_can_hang_up:
 *
 * Returns: whether @call rings or is in progress and its source can end it (decline a
 *   ringing call, hang up an answered one)
 */
gboolean
sp_screenpop_can_hang_up (SpScreenpop *self,
                          SpCall      *call)
{
  SpCallState state;

  g_return_val_if_fail (SP_IS_SCREENPOP (self), FALSE);
  g_return_val_if_fail (SP_IS_CALL (call), FALSE);

  state = sp_call_get_state (call);

  return (state == SP_CALL_STATE_RINGING || state == SP_CALL_STATE_ANSWERED) &&
         source_can (self, call, SP_SOURCE_ACTION_HANGUP);
}

/**
 * sp_screenpop_hang_up_call:
 *
 * Asks the call's source to end it: declines a ringing call, hangs up an answered one. A
 * failure is shown to the user.
 */
void
sp_screenpop_hang_up_call (SpScreenpop *self,
                           SpCall      *call)
{
  g_return_if_fail (SP_IS_SCREENPOP (self));
  g_return_if_fail (SP_IS_CALL (call));

  perform_on_call (self, call, SP_SOURCE_ACTION_HANGUP, hang_up_cb);
}

/**
 * sp_screenpop_find_call:
 * @action: %SP_SOURCE_ACTION_ANSWER or %SP_SOURCE_ACTION_HANGUP
 *
 * The call a keyboard shortcut means: for Answer, the newest ringing call that can be
 * answered; for Hang Up, the newest ringing call that can be declined or else the newest
 * call in progress that can be hung up.
 *
 * Returns: (transfer none) (nullable): the call, or %NULL if there is none
 */
SpCall *
sp_screenpop_find_call (SpScreenpop    *self,
                        SpSourceAction  action)
{
  GListModel *calls;
  SpCall *ringing = NULL;
  SpCall *answered = NULL;

  g_return_val_if_fail (SP_IS_SCREENPOP (self), NULL);
  g_return_val_if_fail (action == SP_SOURCE_ACTION_ANSWER || action == SP_SOURCE_ACTION_HANGUP,
                        NULL);

  calls = G_LIST_MODEL (self->tracker);
  for (guint i = 0; i < g_list_model_get_n_items (calls); i++)
    {
      g_autoptr(SpCall) call = g_list_model_get_item (calls, i);
      gboolean can = action == SP_SOURCE_ACTION_ANSWER ? sp_screenpop_can_answer (self, call)
                                                       : sp_screenpop_can_hang_up (self, call);
      SpCall **newest;

      if (!can)
        continue;

      newest = sp_call_get_state (call) == SP_CALL_STATE_RINGING ? &ringing : &answered;
      if (*newest == NULL || sp_call_get_started (call) >= sp_call_get_started (*newest))
        *newest = call;
    }

  return ringing != NULL ? ringing : answered;
}
