/* sp-call.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-call"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sp-call.h"
#include "sp-enums.h"

struct _SpCall
{
  GObject          parent_instance;

  char            *account_id;
  char            *call_id;
  SpCallState      state;
  SpCallDirection  direction;
  char            *number;
  char            *name;
  char            *exten;
  char            *queue;
  GHashTable      *vars;
  gint64           started;
  gint64           answered;
  gint64           ended;
  gboolean         no_end;
  char            *region;   /* the user's, for parsing the number */
  SpPhoneNumber   *phone;    /* parsed from number on first use */
  SpContact       *contact;  /* what a directory said, or NULL */
};

enum {
  PROP_0,
  PROP_ACCOUNT_ID,
  PROP_CALL_ID,
  PROP_STATE,
  PROP_NUMBER,
  PROP_NAME,
  PROP_EXTEN,
  PROP_QUEUE,
  PROP_CONTACT,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (SpCall, sp_call, G_TYPE_OBJECT)

static GParamSpec *properties [N_PROPS];

/* Takes a field from an event only when the event knows it: a later event that leaves a
 * field out (a hang-up without the number, say) must not erase what an earlier one said. */
static gboolean
update_string (SpCall     *self,
               char      **field,
               const char *value,
               guint       prop)
{
  if (value == NULL || *value == '\0' || g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  if (prop == PROP_NUMBER)
    g_clear_pointer (&self->phone, sp_phone_number_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);

  return TRUE;
}

static void
set_state (SpCall      *self,
           SpCallState  state)
{
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
sp_call_finalize (GObject *object)
{
  SpCall *self = (SpCall *)object;

  g_free (self->account_id);
  g_free (self->call_id);
  g_free (self->number);
  g_free (self->name);
  g_free (self->exten);
  g_free (self->queue);
  g_free (self->region);
  g_clear_pointer (&self->phone, sp_phone_number_free);
  g_clear_pointer (&self->contact, sp_contact_free);
  g_clear_pointer (&self->vars, g_hash_table_unref);

  G_OBJECT_CLASS (sp_call_parent_class)->finalize (object);
}

static void
sp_call_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  SpCall *self = SP_CALL (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT_ID:
      g_value_set_string (value, self->account_id);
      break;
    case PROP_CALL_ID:
      g_value_set_string (value, self->call_id);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_NUMBER:
      g_value_set_string (value, self->number);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_EXTEN:
      g_value_set_string (value, self->exten);
      break;
    case PROP_QUEUE:
      g_value_set_string (value, self->queue);
      break;
    case PROP_CONTACT:
      g_value_set_boxed (value, self->contact);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_call_class_init (SpCallClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sp_call_finalize;
  object_class->get_property = sp_call_get_property;

  properties[PROP_ACCOUNT_ID] =
    g_param_spec_string ("account-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CALL_ID] =
    g_param_spec_string ("call-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       SP_TYPE_CALL_STATE, SP_CALL_STATE_RINGING,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_NUMBER] =
    g_param_spec_string ("number", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_EXTEN] =
    g_param_spec_string ("exten", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_QUEUE] =
    g_param_spec_string ("queue", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * SpCall:contact:
   *
   * Who the number belongs to, as the first directory that knew it answered; %NULL until
   * then, and for numbers no directory knows.
   */
  properties[PROP_CONTACT] =
    g_param_spec_boxed ("contact", NULL, NULL, SP_TYPE_CONTACT,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sp_call_init (SpCall *self)
{
  self->vars = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/**
 * sp_call_new_from_event:
 * @event: the first event seen of the call
 *
 * Returns: (transfer full): a call in the state @event puts it in
 */
SpCall *
sp_call_new_from_event (const SpCallEvent *event)
{
  SpCall *self;

  g_return_val_if_fail (event != NULL, NULL);

  self = g_object_new (SP_TYPE_CALL, NULL);
  self->account_id = g_strdup (event->account_id);
  self->call_id = g_strdup (event->call_id);
  self->direction = event->direction;
  self->started = event->timestamp;
  self->no_end = event->no_end;
  self->state = SP_CALL_STATE_RINGING;
  sp_call_apply_event (self, event, NULL);

  return self;
}

const char *
sp_call_get_account_id (SpCall *self)
{
  g_return_val_if_fail (SP_IS_CALL (self), NULL);
  return self->account_id;
}

const char *
sp_call_get_call_id (SpCall *self)
{
  g_return_val_if_fail (SP_IS_CALL (self), NULL);
  return self->call_id;
}

SpCallState
sp_call_get_state (SpCall *self)
{
  g_return_val_if_fail (SP_IS_CALL (self), SP_CALL_STATE_ENDED);
  return self->state;
}

SpCallDirection
sp_call_get_direction (SpCall *self)
{
  g_return_val_if_fail (SP_IS_CALL (self), SP_CALL_DIRECTION_INCOMING);
  return self->direction;
}

const char *
sp_call_get_number (SpCall *self)
{
  g_return_val_if_fail (SP_IS_CALL (self), NULL);
  return self->number;
}

const char *
sp_call_get_name (SpCall *self)
{
  g_return_val_if_fail (SP_IS_CALL (self), NULL);
  return self->name;
}

const char *
sp_call_get_exten (SpCall *self)
{
  g_return_val_if_fail (SP_IS_CALL (self), NULL);
  return self->exten;
}

const char *
sp_call_get_queue (SpCall *self)
{
  g_return_val_if_fail (SP_IS_CALL (self), NULL);
  return self->queue;
}

const char *
sp_call_get_var (SpCall     *self,
                 const char *name)
{
  g_return_val_if_fail (SP_IS_CALL (self), NULL);
  return g_hash_table_lookup (self->vars, name);
}

/**
 * sp_call_get_vars:
 *
 * Returns: (transfer none) (element-type utf8 utf8): the extra variables the source gave
 */
GHashTable *
sp_call_get_vars (SpCall *self)
{
  g_return_val_if_fail (SP_IS_CALL (self), NULL);
  return self->vars;
}

gint64
sp_call_get_started (SpCall *self)
{
  g_return_val_if_fail (SP_IS_CALL (self), 0);
  return self->started;
}

gint64
sp_call_get_answered (SpCall *self)
{
  g_return_val_if_fail (SP_IS_CALL (self), 0);
  return self->answered;
}

gint64
sp_call_get_ended (SpCall *self)
{
  g_return_val_if_fail (SP_IS_CALL (self), 0);
  return self->ended;
}

gboolean
sp_call_is_finished (SpCall *self)
{
  g_return_val_if_fail (SP_IS_CALL (self), TRUE);

  return self->state == SP_CALL_STATE_ENDED ||
         self->state == SP_CALL_STATE_MISSED ||
         self->state == SP_CALL_STATE_EXPIRED;
}

/**
 * sp_call_number_is_withheld:
 * @number: (nullable): a caller's number as a source gives it
 *
 * What PBXs put where the caller withheld the number: Asterisk's and SIP's "anonymous"
 * (RFC 3261's anonymous@anonymous.invalid), "restricted", "private", "withheld",
 * "unavailable" or "unknown". Nothing to call back or look up.
 *
 * Returns: whether @number stands for a withheld number
 */
gboolean
sp_call_number_is_withheld (const char *number)
{
  static const char * const words[] = {
    "anonymous", "restricted", "private", "withheld", "unavailable", "unknown",
  };
  g_autofree char *user = NULL;
  const char *at;

  if (number == NULL)
    return FALSE;

  at = strchr (number, '@');
  user = at != NULL ? g_strndup (number, at - number) : g_strdup (number);
  if (g_str_has_prefix (user, "sip:"))
    memmove (user, user + 4, strlen (user + 4) + 1);

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    if (g_ascii_strcasecmp (user, words[i]) == 0)
      return TRUE;

  return FALSE;
}

/**
 * sp_call_dup_title:
 *
 * Returns: (transfer full): "NAME (NUMBER)", the number alone, the name alone,
 *   "Anonymous" for a withheld number, or "Unknown caller"
 */
char *
sp_call_dup_title (SpCall *self)
{
  const SpPhoneNumber *phone;
  const char *name;

  g_return_val_if_fail (SP_IS_CALL (self), NULL);

  phone = sp_call_get_phone_number (self);
  name = sp_call_get_display_name (self);

  /* A withheld number is said so in words (and the name, a PBX's "Anonymous" again, is
   * not repeated). */
  if (sp_call_number_is_withheld (self->number) || (phone != NULL && phone->withheld))
    {
      if (name != NULL && !sp_call_number_is_withheld (name))
        /* Translators: a caller's name and a withheld number, e.g. "Sato (Anonymous)" */
        return g_strdup_printf (_("%s (Anonymous)"), name);
      /* Translators: the caller withheld the number */
      return g_strdup (_("Anonymous"));
    }

  /* The number as people of the user's region write it, and a directory's name first. */
  if (name != NULL && phone != NULL)
    return g_strdup_printf ("%s (%s)", name, phone->display);
  if (phone != NULL)
    return g_strdup (phone->display);
  if (name != NULL)
    return g_strdup (name);

  return g_strdup (_("Unknown caller"));
}

/**
 * sp_call_set_region:
 * @self: a call
 * @region: (nullable): the user's region ("JP"); %NULL for the locale's
 *
 * Sets the region the call's number is read against, before anyone reads it.
 */
void
sp_call_set_region (SpCall     *self,
                    const char *region)
{
  g_return_if_fail (SP_IS_CALL (self));

  if (g_strcmp0 (self->region, region) == 0)
    return;
  g_free (self->region);
  self->region = g_strdup (region);
  g_clear_pointer (&self->phone, sp_phone_number_free);
}

/**
 * sp_call_get_phone_number:
 *
 * Returns: (transfer none) (nullable): the remote number, parsed once; %NULL when the
 *   source gave no number
 */
const SpPhoneNumber *
sp_call_get_phone_number (SpCall *self)
{
  g_return_val_if_fail (SP_IS_CALL (self), NULL);

  if (self->number == NULL)
    return NULL;
  if (self->phone == NULL)
    self->phone = sp_phone_number_parse (self->number, self->region);

  return self->phone;
}

/**
 * sp_call_get_contact:
 *
 * Returns: (transfer none) (nullable): who is calling, as a directory said
 */
const SpContact *
sp_call_get_contact (SpCall *self)
{
  g_return_val_if_fail (SP_IS_CALL (self), NULL);
  return self->contact;
}

/**
 * sp_call_set_contact:
 * @self: a call
 * @contact: (nullable): what a directory answered
 *
 * Returns: whether the contact changed
 */
gboolean
sp_call_set_contact (SpCall          *self,
                     const SpContact *contact)
{
  g_return_val_if_fail (SP_IS_CALL (self), FALSE);

  if (contact == NULL && self->contact == NULL)
    return FALSE;
  if (contact != NULL && self->contact != NULL &&
      g_strcmp0 (contact->name, self->contact->name) == 0 &&
      g_strcmp0 (contact->company, self->contact->company) == 0 &&
      g_strcmp0 (contact->url, self->contact->url) == 0)
    return FALSE;

  g_clear_pointer (&self->contact, sp_contact_free);
  if (contact != NULL)
    self->contact = sp_contact_copy (contact);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTACT]);

  return TRUE;
}

/**
 * sp_call_get_display_name:
 *
 * Returns: (transfer none) (nullable): the directory's name for the caller, else the
 *   name the PBX sent
 */
const char *
sp_call_get_display_name (SpCall *self)
{
  g_return_val_if_fail (SP_IS_CALL (self), NULL);

  if (self->contact != NULL)
    return self->contact->name;
  return self->name;
}

/**
 * sp_call_get_display_number:
 *
 * Returns: (transfer none) (nullable): the number as people of the user's region write it
 */
const char *
sp_call_get_display_number (SpCall *self)
{
  const SpPhoneNumber *phone = sp_call_get_phone_number (self);

  return phone != NULL ? phone->display : NULL;
}

/**
 * sp_call_apply_event:
 * @self: a call
 * @event: an event of this call
 * @state_changed: (out) (optional): set to whether the state changed
 *
 * Merges @event into the call. States only move forward (ringing → answered → ended): a
 * late or repeated event never brings a finished call back. An end while still ringing is
 * a missed call, unless the call is outgoing.
 *
 * Returns: whether anything about the call changed
 */
gboolean
sp_call_apply_event (SpCall            *self,
                     const SpCallEvent *event,
                     gboolean          *state_changed)
{
  SpCallState old_state;
  gboolean changed = FALSE;

  g_return_val_if_fail (SP_IS_CALL (self), FALSE);
  g_return_val_if_fail (event != NULL, FALSE);

  old_state = self->state;

  if (state_changed != NULL)
    *state_changed = FALSE;

  if (sp_call_is_finished (self))
    return FALSE;

  changed |= update_string (self, &self->number, event->number, PROP_NUMBER);
  changed |= update_string (self, &self->name, event->name, PROP_NAME);
  changed |= update_string (self, &self->exten, event->exten, PROP_EXTEN);
  changed |= update_string (self, &self->queue, event->queue, PROP_QUEUE);

  if (event->vars != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, event->vars);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          if (g_strcmp0 (g_hash_table_lookup (self->vars, key), value) != 0)
            {
              g_hash_table_insert (self->vars, g_strdup (key), g_strdup (value));
              changed = TRUE;
            }
        }
    }

  switch (event->kind)
    {
    case SP_CALL_EVENT_RINGING:
      break;

    case SP_CALL_EVENT_ANSWERED:
      if (self->state == SP_CALL_STATE_RINGING)
        {
          self->answered = event->timestamp;
          set_state (self, SP_CALL_STATE_ANSWERED);
        }
      break;

    case SP_CALL_EVENT_ENDED:
    case SP_CALL_EVENT_MISSED:
      self->ended = event->timestamp;
      /* A source that never reports ends (popup-notifier) only knows that a newer ring
       * replaced this one: the outcome is unknown, not missed. */
      if (self->no_end && event->kind == SP_CALL_EVENT_ENDED)
        set_state (self, SP_CALL_STATE_EXPIRED);
      else if (self->state == SP_CALL_STATE_ANSWERED ||
          (event->kind == SP_CALL_EVENT_ENDED && self->direction == SP_CALL_DIRECTION_OUTGOING))
        set_state (self, SP_CALL_STATE_ENDED);
      else
        set_state (self, SP_CALL_STATE_MISSED);
      break;

    default:
      g_return_val_if_reached (changed);
    }

  if (state_changed != NULL)
    *state_changed = self->state != old_state;

  return changed || self->state != old_state;
}

/**
 * sp_call_expire:
 *
 * Ends a call whose end was never reported: popup-notifier rings, or a source that lost
 * track. The outcome is unknown, so the call is neither answered nor missed.
 */
void
sp_call_expire (SpCall *self)
{
  g_return_if_fail (SP_IS_CALL (self));

  if (sp_call_is_finished (self))
    return;

  self->ended = g_get_real_time ();
  set_state (self, SP_CALL_STATE_EXPIRED);
}

const char *
sp_call_state_to_string (SpCallState state)
{
  switch (state)
    {
    case SP_CALL_STATE_RINGING:
      return "ringing";
    case SP_CALL_STATE_ANSWERED:
      return "answered";
    case SP_CALL_STATE_ENDED:
      return "ended";
    case SP_CALL_STATE_MISSED:
      return "missed";
    case SP_CALL_STATE_EXPIRED:
      return "expired";
    default:
      g_return_val_if_reached ("unknown");
    }
}
