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
};

G_DEFINE_FINAL_TYPE (SpScreenpop, sp_screenpop, G_TYPE_OBJECT)

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
  SpNotifyButton buttons[2];
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
      const SpNotifyButton answer = { sp_source_action_to_string (SP_SOURCE_ACTION_ANSWER),
                                      _("Answer") };

      sp_notifier_show (self->notifier, tag,
                        ringing ? _("Incoming call") : _("Missed call"),
                        ringing ? _("Unlock the screen to see who is calling.")
                                : _("Unlock the screen to see who called."),
                        "call-start-symbolic", ringing ? SP_NOTIFY_RINGING : SP_NOTIFY_CALL,
                        &answer, ringing && sp_screenpop_can_answer (self, call) ? 1 : 0);
      remember_tag (self, tag, call);
      hold_call (self, call);
      return;
    }

  body = dup_body (self, call, account);

  if (sp_call_get_state (call) == SP_CALL_STATE_RINGING)
    {
      summary = sp_call_dup_title (call);
      flags = SP_NOTIFY_RINGING;

      if (sp_screenpop_can_answer (self, call))
        buttons[n_buttons++] = (SpNotifyButton) {
          sp_source_action_to_string (SP_SOURCE_ACTION_ANSWER), _("Answer")
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

      if ((state == SP_CALL_STATE_RINGING || state == SP_CALL_STATE_MISSED) &&
          !sp_quiet_is_quiet (self->quiet, account))
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
      /* Also when only details changed: the number may arrive after the ring. */
      if (!quiet)
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
  SpSource *source;

  g_return_val_if_fail (SP_IS_SCREENPOP (self), FALSE);
  g_return_val_if_fail (SP_IS_CALL (call), FALSE);

  if (sp_call_get_state (call) != SP_CALL_STATE_RINGING)
    return FALSE;

  source = sp_account_list_get_source (self->accounts, sp_call_get_account_id (call));

  return source != NULL && sp_source_can_perform (source, SP_SOURCE_ACTION_ANSWER);
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
  SpSource *source;

  g_return_if_fail (SP_IS_SCREENPOP (self));
  g_return_if_fail (SP_IS_CALL (call));

  source = sp_account_list_get_source (self->accounts, sp_call_get_account_id (call));
  if (source == NULL)
    return;

  sp_source_perform_async (source, SP_SOURCE_ACTION_ANSWER, sp_call_get_call_id (call), NULL,
                           NULL, answer_cb, g_object_ref (self));
}
