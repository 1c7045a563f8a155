/* sp-pbxis-texts.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-pbxis-window"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-pbxis-texts.h"

/*
 * What the status view (sp-pbxis-window.c) says of agents and queues, in words: kept apart
 * from the widgets so that the window stays readable. No GTK here.
 */

/**
 * sp_pbxis_is_member:
 *
 * Returns: whether @status is a membership of the queue, paused or not
 */
gboolean
sp_pbxis_is_member (SpPbxisMemberStatus status)
{
  return status == SP_PBXIS_MEMBER_ACTIVE ||
         status == SP_PBXIS_MEMBER_PAUSED ||
         status == SP_PBXIS_MEMBER_INVALID ||
         status == SP_PBXIS_MEMBER_LOGGEDON;
}

/**
 * sp_pbxis_membership_text:
 *
 * Returns: (transfer none): a membership in words ("Paused"), "" when unknown
 */
const char *
sp_pbxis_membership_text (SpPbxisMemberStatus status)
{
  switch (status)
    {
    case SP_PBXIS_MEMBER_LOGGEDOFF:
      return _("Logged off");

    case SP_PBXIS_MEMBER_ACTIVE:
      return _("Active");

    case SP_PBXIS_MEMBER_PAUSED:
      return _("Paused");

    case SP_PBXIS_MEMBER_INVALID:
      /* Translators: the agent is in the queue but their phone cannot be reached. */
      return _("Unavailable");

    case SP_PBXIS_MEMBER_LOGGEDON:
      return _("Logged on");

    case SP_PBXIS_MEMBER_UNKNOWN:
    default:
      /* Nothing said yet, or no such queue: nothing to show. */
      return "";
    }
}

/**
 * sp_pbxis_membership_style:
 *
 * The status label's colour: GNOME's style classes, so that it follows the theme.
 *
 * Returns: (transfer none): a style class for @status
 */
const char *
sp_pbxis_membership_style (SpPbxisMemberStatus status)
{
  switch (status)
    {
    case SP_PBXIS_MEMBER_ACTIVE:
    case SP_PBXIS_MEMBER_LOGGEDON:
      return "success";

    case SP_PBXIS_MEMBER_PAUSED:
      return "warning";

    case SP_PBXIS_MEMBER_INVALID:
      return "error";

    case SP_PBXIS_MEMBER_LOGGEDOFF:
    case SP_PBXIS_MEMBER_UNKNOWN:
    default:
      return "dim-label";
    }
}

/**
 * sp_pbxis_waiting_text:
 *
 * Returns: (transfer full): the callers waiting in @queue in words, or why there are none to say
 */
char *
sp_pbxis_waiting_text (const SpPbxisQueue *queue)
{
  guint n;

  if (queue == NULL)
    return g_strdup ("");

  /* pbxis-ws says nothing of a queue Asterisk does not have; the queue status tells. */
  if (queue->existence == SP_PBXIS_QUEUE_MISSING)
    return g_strdup (_("No such queue on the server"));

  if (queue->count < 0)
    return g_strdup ("");

  if (queue->count == 0)
    return g_strdup (_("No callers waiting"));

  n = (guint) MIN (queue->count, G_MAXUINT);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u caller waiting",
                                       "%u callers waiting", n), n);
}

/* Minutes and seconds, "1:05". */
static char *
format_duration (gint64 seconds)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d", seconds / 60, (int) (seconds % 60));
}

/**
 * sp_pbxis_statistics_text:
 *
 * Returns: (transfer full): @info's figures, "12 answered · 3 abandoned · …"
 */
char *
sp_pbxis_statistics_text (const SpPbxisQueueInfo *info)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (info->completed >= 0)
    {
      guint n = (guint) MIN (info->completed, G_MAXUINT);

      g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u answered",
                                                            "%u answered", n), n));
    }
  if (info->abandoned >= 0)
    {
      guint n = (guint) MIN (info->abandoned, G_MAXUINT);

      g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u abandoned",
                                                            "%u abandoned", n), n));
    }
  if (info->hold_time >= 0)
    {
      g_autofree char *duration = format_duration (info->hold_time);

      /* Translators: %s is minutes:seconds. */
      g_ptr_array_add (parts, g_strdup_printf (_("average wait %s"), duration));
    }
  if (info->talk_time >= 0)
    {
      g_autofree char *duration = format_duration (info->talk_time);

      /* Translators: %s is minutes:seconds. */
      g_ptr_array_add (parts, g_strdup_printf (_("average talk %s"), duration));
    }
  if (info->service_level_perf >= 0)
    {
      /* Translators: the share of calls answered within the queue's service level. */
      g_ptr_array_add (parts, g_strdup_printf (_("%.0f %% within service level"),
                                               info->service_level_perf));
    }
  if (info->available >= 0)
    {
      guint n = (guint) MIN (info->available, G_MAXUINT);

      g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u agent free",
                                                            "%u agents free", n), n));
    }

  g_ptr_array_add (parts, NULL);
  /* Translators: the separator between the figures of a queue. */
  return g_strjoinv (_(" · "), (char **) parts->pdata);
}

/**
 * sp_pbxis_queue_member_text:
 *
 * Returns: (transfer full): what a queue member does, "Paused · 3 calls taken"
 */
char *
sp_pbxis_queue_member_text (const SpPbxisQueueMember *member)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  const char *status = sp_pbxis_membership_text (member->status);

  if (*status != '\0')
    g_ptr_array_add (parts, g_strdup (status));
  if (member->in_call)
    g_ptr_array_add (parts, g_strdup (_("on a call")));
  if (member->calls_taken >= 0)
    {
      guint n = (guint) MIN (member->calls_taken, G_MAXUINT);

      g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u call taken",
                                                            "%u calls taken", n), n));
    }

  g_ptr_array_add (parts, NULL);
  return g_strjoinv (_(" · "), (char **) parts->pdata);
}

/**
 * sp_pbxis_agent_title:
 *
 * Returns: (transfer full): "Ana Horvat (147)", or "Agent 147" before the name is known
 */
char *
sp_pbxis_agent_title (SpPbxisAgent *agent)
{
  const char *name = sp_pbxis_agent_get_name (agent);
  const char *id = sp_pbxis_agent_get_id (agent);

  /* As pbxis-ws's own page: "Ana Horvat (147)", or "Agent 147" before the name is known. */
  if (name != NULL && *name != '\0')
    return g_strdup_printf (_("%s (%s)"), name, id);

  return g_strdup_printf (_("Agent %s"), id);
}

static char *
party_text (SpPbxisAgent *agent)
{
  const char *number = sp_pbxis_agent_get_party_number (agent);
  const char *name = sp_pbxis_agent_get_party_name (agent);
  SpPbxisExtensionStatus phone = sp_pbxis_agent_get_extension_status (agent);
  g_autofree char *party = NULL;

  if (number != NULL)
    party = name != NULL && *name != '\0' ? g_strdup_printf (_("%s (%s)"), number, name)
                                          : g_strdup (number);

  switch (phone)
    {
    case SP_PBXIS_EXTENSION_RINGING:
      return party ? g_strdup_printf (_("ringing: %s"), party) : g_strdup (_("ringing"));

    case SP_PBXIS_EXTENSION_RINGINUSE:
    case SP_PBXIS_EXTENSION_INUSE:
    case SP_PBXIS_EXTENSION_BUSY:
      return party ? g_strdup_printf (_("on a call with %s"), party) : g_strdup (_("on a call"));

    case SP_PBXIS_EXTENSION_ONHOLD:
      return party ? g_strdup_printf (_("on hold with %s"), party) : g_strdup (_("on hold"));

    case SP_PBXIS_EXTENSION_UNAVAILABLE:
      return g_strdup (_("phone unavailable"));

    case SP_PBXIS_EXTENSION_UNKNOWN:
    case SP_PBXIS_EXTENSION_NO_HINT:
    case SP_PBXIS_EXTENSION_NOT_INUSE:
    default:
      /* pbxis-ws has a party: a call rings or goes on that the hint does not show. */
      return party ? g_strdup_printf (_("on a call with %s"), party) : NULL;
    }
}

/**
 * sp_pbxis_agent_text:
 *
 * Returns: (transfer full): the agent's state and call, "Ready · on a call with 0915551234"
 */
char *
sp_pbxis_agent_text (SpPbxisAgent *agent)
{
  g_autofree char *party = party_text (agent);
  const char *state;

  switch (sp_pbxis_agent_get_state (agent))
    {
    case SP_AGENT_STATE_READY:
      state = _("Ready");
      break;

    case SP_AGENT_STATE_PAUSED:
      state = _("Paused");
      break;

    case SP_AGENT_STATE_LOGGED_OUT:
      state = _("Logged off");
      break;

    case SP_AGENT_STATE_NONE:
    default:
      state = NULL;
      break;
    }

  if (state != NULL && party != NULL)
    /* Translators: an agent's availability, then what their phone does: "Ready · on a call
     * with 0915551234". */
    return g_strdup_printf (_("%s · %s"), state, party);

  return g_strdup (state ? state : party ? party : "");
}
