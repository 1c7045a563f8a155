/* sp-command-runner.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-command-runner"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "sp-command-runner.h"
#include "sp-http.h"

/*
 * SpCommandRunner executes redmine_rt commands (see protocols/redmine_rt.md §7) the way the
 * browser extension did, on the desktop:
 *
 *  - open_url goes through the one door for URLs, SpUrlOpener (policy, repeat
 *    suppression);
 *  - show_notification becomes a notification that stays until dismissed, with the ping
 *    and one button per nested command. It shows at once: its picture (iconUrl/imageUrl),
 *    fetched meanwhile, is added in place when it arrives, because a ringing call must not
 *    wait for a slow picture host. A click withdraws the notification and runs the button's
 *    command exactly as if it had come from the server;
 *  - post_msg is handed back to the account's source, which posts it over HTTP; a failure
 *    is shown to the user, because the click that caused it would otherwise seem lost.
 *
 * Commands come from the sources through SpAccountList::command, and from button clicks.
 */

/* Notifications whose buttons may still be clicked. More are not kept on screen: the
 * oldest is withdrawn, so that no notification stays behind with dead buttons. */
#define MAX_SHOWN 256

typedef struct
{
  char             *account_id;
  SpRedmineCommand *command;     /* the show_notification, holding the buttons */
} Shown;

struct _SpCommandRunner
{
  GObject      parent_instance;

  SpAccountList  *accounts;
  SpNotifier  *notifier;
  SpUrlOpener *opener;
  SoupSession *session;        /* icons */

  GHashTable  *shown;          /* tag → Shown */
  GQueue       shown_order;    /* (element-type utf8) tags, oldest first */
  GHashTable  *recent;         /* fingerprint → monotonic time it was shown */
  GHashTable  *icon_files;     /* (element-type utf8) paths we wrote */
  guint        serial;
};

G_DEFINE_FINAL_TYPE (SpCommandRunner, sp_command_runner, G_TYPE_OBJECT)

static void run_command (SpCommandRunner  *self,
                         const char       *account_id,
                         SpAccount        *account,
                         SpRedmineCommand *command);

static void
shown_free (Shown *shown)
{
  g_free (shown->account_id);
  g_clear_pointer (&shown->command, sp_redmine_command_unref);
  g_free (shown);
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    {
      if (!g_unichar_isspace (g_utf8_get_char (p)))
        return FALSE;
    }

  return TRUE;
}

/* Server-provided text for a log line: on one line, and not too long. */
static char *
log_safe (const char *text)
{
  g_autofree char *escaped = g_strescape (text != NULL ? text : "", NULL);

  if (g_utf8_strlen (escaped, -1) > 80)
    {
      g_autofree char *head = g_utf8_substring (escaped, 0, 80);

      return g_strconcat (head, "…", NULL);
    }

  return g_steal_pointer (&escaped);
}

static void
forget_shown (SpCommandRunner *self,
              const char      *tag)
{
  GList *link = g_queue_find_custom (&self->shown_order, tag, (GCompareFunc) g_strcmp0);

  if (link != NULL)
    {
      g_free (link->data);
      g_queue_delete_link (&self->shown_order, link);
    }

  g_hash_table_remove (self->shown, tag);
}

/* The button list of a notification goes with the notification: the server closed it, or
 * the user dismissed it. */
static void
prune_shown (SpCommandRunner *self)
{
  GList *link = self->shown_order.head;

  while (link != NULL)
    {
      GList *next = link->next;
      const char *tag = link->data;

      if (!sp_notifier_is_shown (self->notifier, tag))
        {
          g_hash_table_remove (self->shown, tag);
          g_free (link->data);
          g_queue_delete_link (&self->shown_order, link);
        }

      link = next;
    }

  while (g_queue_get_length (&self->shown_order) >= MAX_SHOWN)
    {
      g_autofree char *oldest = g_queue_pop_head (&self->shown_order);

      g_hash_table_remove (self->shown, oldest);
      sp_notifier_withdraw (self->notifier, oldest);
    }
}

static void
append_fingerprint (GString          *out,
                    SpRedmineCommand *command)
{
  g_autofree char *msg = sp_redmine_command_dup_msg_json (command);
  const char *fields[] = {
    sp_redmine_command_kind_to_string (sp_redmine_command_get_kind (command)),
    sp_redmine_command_get_button_title (command),
    sp_redmine_command_get_url (command),
    sp_redmine_command_get_title (command),
    sp_redmine_command_get_message (command),
    sp_redmine_command_get_icon_url (command),
    sp_redmine_command_get_channel_name (command),
    msg,
  };

  /* Unit and record separators cannot occur in the validated strings' meaning. */
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_string_append (out, fields[i] != NULL ? fields[i] : "");
      g_string_append_c (out, '\x1f');
    }

  for (guint i = 0; i < sp_redmine_command_get_n_buttons (command); i++)
    {
      g_string_append_c (out, '\x1e');
      append_fingerprint (out, sp_redmine_command_get_button (command, i));
    }
}

/* Whether an identical notification was shown within SP_COMMAND_RUNNER_COALESCE_MS;
 * remembers this one otherwise. */
static gboolean
is_repeat (SpCommandRunner  *self,
           const char       *account_id,
           SpRedmineCommand *command)
{
  g_autoptr(GString) fingerprint = g_string_new (account_id);
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->recent);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      if (now - *(gint64 *) value >= (gint64) SP_COMMAND_RUNNER_COALESCE_MS * 1000)
        g_hash_table_iter_remove (&iter);
    }

  g_string_append_c (fingerprint, '\x1d');
  append_fingerprint (fingerprint, command);

  if (g_hash_table_contains (self->recent, fingerprint->str))
    return TRUE;

  g_hash_table_insert (self->recent, g_string_free (g_steal_pointer (&fingerprint), FALSE),
                       g_memdup2 (&now, sizeof now));
  return FALSE;
}

/* Shows @command's notification, or with @update_tag, shows it again in place (now with
 * its picture) if it is still on screen. Returns the tag of the notification on screen, or
 * %NULL. */
static char *
show_notification (SpCommandRunner  *self,
                   const char       *account_id,
                   SpRedmineCommand *command,
                   const char       *icon_path,
                   const char       *update_tag)
{
  SpNotifyButton buttons[SP_REDMINE_COMMAND_MAX_BUTTONS];
  g_autofree char *tag = NULL;
  g_auto(GStrv) ids = NULL;
  const char *title = sp_redmine_command_get_title (command);
  const char *message = sp_redmine_command_get_message (command);
  guint n_buttons = MIN (sp_redmine_command_get_n_buttons (command),
                         SP_REDMINE_COMMAND_MAX_BUTTONS);
  Shown *shown;

  if (update_tag != NULL)
    {
      /* Dismissed, or clicked, before its picture came: nothing to update. */
      if (!sp_notifier_is_shown (self->notifier, update_tag))
        return NULL;
      tag = g_strdup (update_tag);
    }
  else
    {
      prune_shown (self);
      tag = g_strdup_printf ("msg:%u", ++self->serial);
    }

  ids = g_new0 (char *, n_buttons + 1);
  for (guint i = 0; i < n_buttons; i++)
    {
      /* Stable string ids: some servers mangle anything but plain strings. */
      ids[i] = g_strdup_printf ("button-%u", i);
      buttons[i].id = ids[i];
      buttons[i].label = sp_redmine_command_get_button_title (sp_redmine_command_get_button (command, i));
    }

  /* A notification needs a summary; one with only a message shows it there. */
  if (is_blank (title))
    {
      title = message;
      message = NULL;
    }

  sp_notifier_show (self->notifier, tag, title, message,
                    icon_path != NULL ? icon_path : APP_ID APP_ID_SUFFIX,
                    SP_NOTIFY_PERSISTENT | SP_NOTIFY_PING,
                    buttons, n_buttons);

  if (!sp_notifier_is_shown (self->notifier, tag))
    return NULL;

  if (n_buttons == 0 || update_tag != NULL)
    return g_steal_pointer (&tag);

  shown = g_new0 (Shown, 1);
  shown->account_id = g_strdup (account_id);
  shown->command = sp_redmine_command_ref (command);
  g_hash_table_insert (self->shown, g_strdup (tag), shown);
  g_queue_push_tail (&self->shown_order, g_strdup (tag));

  return g_steal_pointer (&tag);
}

/* Icons */

typedef struct
{
  SoupMessage  *msg;
  char         *path;
  guint         timeout_id;
  gboolean      timed_out;
} IconFetch;

static void
icon_fetch_free (IconFetch *fetch)
{
  g_clear_handle_id (&fetch->timeout_id, g_source_remove);
  g_clear_object (&fetch->msg);
  g_free (fetch->path);
  g_free (fetch);
}

static gboolean
icon_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  IconFetch *fetch = g_task_get_task_data (task);

  fetch->timeout_id = 0;
  fetch->timed_out = TRUE;
  g_cancellable_cancel (g_task_get_cancellable (task));

  return G_SOURCE_REMOVE;
}

/* Returns the task's error, saying "timed out" rather than "cancelled" after the deadline. */
static void
icon_return_error (GTask  *task,
                   GError *error)
{
  IconFetch *fetch = g_task_get_task_data (task);

  g_clear_handle_id (&fetch->timeout_id, g_source_remove);

  if (fetch->timed_out)
    {
      g_error_free (error);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                               "no answer within %u ms", SP_COMMAND_RUNNER_ICON_TIMEOUT_MS);
      return;
    }

  g_task_return_error (task, error);
}

static void
icon_written_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  IconFetch *fetch = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    {
      icon_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, g_strdup (fetch->path), g_free);
}

/* Takes @task_in over. */
static void
icon_complete (GTask  *task_in,
               GBytes *bytes)
{
  g_autoptr(GTask) task = task_in;
  SpCommandRunner *self = g_task_get_source_object (task);
  IconFetch *fetch = g_task_get_task_data (task);
  g_autoptr(GFile) file = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *name = NULL;
  GCancellable *cancellable;

  /* The notification server would show a broken image for anything else. */
  content_type = g_content_type_guess (NULL, g_bytes_get_data (bytes, NULL),
                                       g_bytes_get_size (bytes), NULL);
  if (g_bytes_get_size (bytes) == 0 || !g_str_has_prefix (content_type, "image/"))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               "not an image (%s)", content_type);
      return;
    }

  /* Named after the content: a caller's repeated icon is written once, and a file is
   * never rewritten while a notification server may be reading it. */
  dir = g_build_filename (g_get_user_cache_dir (), "screenpop", "icons", NULL);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               "cannot create %s: %s", dir, g_strerror (saved_errno));
      return;
    }

  name = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  fetch->path = g_build_filename (dir, name, NULL);
  g_hash_table_add (self->icon_files, g_strdup (fetch->path));

  file = g_file_new_for_path (fetch->path);
  cancellable = g_task_get_cancellable (task);
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_PRIVATE,
                                       cancellable, icon_written_cb, g_steal_pointer (&task));
}

static void
icon_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  IconFetch *fetch = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = NULL;
  GError *error = NULL;
  guint status;

  bytes = sp_http_read_bytes_finish (SOUP_SESSION (object), result, &error);

  status = soup_message_get_status (fetch->msg);
  if (status != SOUP_STATUS_NONE && !SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_clear_error (&error);
      g_clear_handle_id (&fetch->timeout_id, g_source_remove);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "HTTP %u %s", status,
                               soup_message_get_reason_phrase (fetch->msg));
      return;
    }

  if (g_error_matches (error, SP_HTTP_ERROR, SP_HTTP_ERROR_TOO_LARGE))
    {
      g_clear_error (&error);
      g_clear_handle_id (&fetch->timeout_id, g_source_remove);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                               "larger than %u bytes", SP_COMMAND_RUNNER_MAX_ICON_BYTES);
      return;
    }

  if (bytes == NULL)
    {
      icon_return_error (task, error);
      return;
    }

  g_clear_handle_id (&fetch->timeout_id, g_source_remove);
  icon_complete (g_steal_pointer (&task), bytes);
}

/* Fetches @url (http or https only) into a file in the user's cache directory, at most
 * SP_COMMAND_RUNNER_MAX_ICON_BYTES and SP_COMMAND_RUNNER_ICON_TIMEOUT_MS. */
static void
fetch_icon_async (SpCommandRunner     *self,
                  const char          *url,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GTask) task = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  IconFetch *fetch;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, fetch_icon_async);
  /* The cancellable is the deadline's: its error says "timed out", not "cancelled". */
  g_task_set_check_cancellable (task, FALSE);

  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (scheme == NULL ||
      (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0) ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               "only http and https icons are fetched");
      return;
    }

  fetch = g_new0 (IconFetch, 1);
  fetch->msg = soup_message_new_from_uri (SOUP_METHOD_GET, uri);
  g_task_set_task_data (task, fetch, (GDestroyNotify) icon_fetch_free);
  fetch->timeout_id = g_timeout_add (SP_COMMAND_RUNNER_ICON_TIMEOUT_MS, icon_timeout_cb, task);

  sp_http_read_bytes_async (self->session, fetch->msg, SP_COMMAND_RUNNER_MAX_ICON_BYTES,
                            cancellable, icon_read_cb, g_steal_pointer (&task));
}

static char *
fetch_icon_finish (SpCommandRunner  *self,
                   GAsyncResult     *result,
                   GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  char             *account_id;
  SpRedmineCommand *command;
  char             *tag;        /* the notification shown without its picture */
} PendingNotification;

static void
pending_notification_free (PendingNotification *pending)
{
  g_free (pending->account_id);
  g_free (pending->tag);
  g_clear_pointer (&pending->command, sp_redmine_command_unref);
  g_free (pending);
}

static void
icon_fetched_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SpCommandRunner *self = SP_COMMAND_RUNNER (object);
  PendingNotification *pending = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  path = fetch_icon_finish (self, result, &error);
  if (path == NULL)
    {
      g_autofree char *url = log_safe (sp_redmine_command_get_icon_url (pending->command));

      /* The notification matters more than its picture: it stays as it is. */
      g_message ("[%s] Showing the notification without its icon %s: %s", pending->account_id,
                 url, error->message);
    }
  else
    {
      g_autofree char *tag = show_notification (self, pending->account_id, pending->command,
                                                path, pending->tag);
    }

  pending_notification_free (pending);
}

/* post_msg */

typedef struct
{
  SpCommandRunner *self;
  char            *account_id;
  char            *channel;
} PostData;

static void
post_data_free (PostData *data)
{
  g_clear_object (&data->self);
  g_free (data->account_id);
  g_free (data->channel);
  g_free (data);
}

static void
report_post_failure (SpCommandRunner *self,
                     const char      *account_id,
                     const char      *channel,
                     const char      *message)
{
  g_autofree char *safe_channel = log_safe (channel);
  g_autofree char *title = NULL;

  g_message ("[%s] Could not post to channel “%s”: %s", account_id, safe_channel, message);

  /* Translators: %s is a redmine_rt channel name, such as "pbx" */
  title = g_strdup_printf (_("Could not send the message to channel “%s”"), channel);
  sp_notifier_show (self->notifier, "error:post-msg", title, message, "dialog-warning-symbolic",
                    SP_NOTIFY_NONE, NULL, 0);
}

static void
post_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  PostData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (sp_source_perform_finish (SP_SOURCE (object), result, &error))
    {
      g_autofree char *safe_channel = log_safe (data->channel);

      g_debug ("[%s] Posted to channel “%s”", data->account_id, safe_channel);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      report_post_failure (data->self, data->account_id, data->channel, error->message);
    }

  post_data_free (data);
}

static void
post_msg (SpCommandRunner  *self,
          const char       *account_id,
          SpAccount        *account,
          SpRedmineCommand *command)
{
  SpSource *source = sp_account_list_get_source (self->accounts, account_id);
  const char *channel = sp_redmine_command_get_channel_name (command);
  g_autofree char *json = sp_redmine_command_dup_msg_json (command);
  PostData *data;

  if (source == NULL || !sp_source_can_perform (source, SP_SOURCE_ACTION_POST_MESSAGE))
    {
      report_post_failure (self, account_id, channel,
                           _("The account is not connected; connect it and try again."));
      return;
    }

  data = g_new0 (PostData, 1);
  data->self = g_object_ref (self);
  data->account_id = g_strdup (account_id);
  data->channel = g_strdup (channel);

  sp_source_perform_async (source, SP_SOURCE_ACTION_POST_MESSAGE, NULL,
                           g_variant_new ("(ss)", channel, json), NULL, post_cb, data);
}

static void
run_command (SpCommandRunner  *self,
             const char       *account_id,
             SpAccount        *account,
             SpRedmineCommand *command)
{
  SpRedmineCommandKind kind = sp_redmine_command_get_kind (command);
  g_autoptr(GError) error = NULL;

  g_debug ("[%s] Running %s", account_id, sp_redmine_command_kind_to_string (kind));

  switch (kind)
    {
    case SP_REDMINE_COMMAND_OPEN_URL:
      /* A refusal is logged by the URL policy itself. */
      sp_url_opener_open (self->opener, account, sp_redmine_command_get_url (command), &error);
      break;

    case SP_REDMINE_COMMAND_SHOW_NOTIFICATION:
      if (sp_redmine_command_is_empty (command))
        {
          /* redmine_rt's comment notifications for attribute-only changes. */
          g_message ("[%s] Dropped a notification with neither title nor message", account_id);
          break;
        }

      if (is_repeat (self, account_id, command))
        {
          g_message ("[%s] Dropped a notification identical to one shown less than %u ms ago",
                     account_id, SP_COMMAND_RUNNER_COALESCE_MS);
          break;
        }

      {
        g_autofree char *tag = show_notification (self, account_id, command, NULL, NULL);

        if (tag != NULL && sp_redmine_command_get_icon_url (command) != NULL)
          {
            PendingNotification *pending = g_new0 (PendingNotification, 1);

            pending->account_id = g_strdup (account_id);
            pending->command = sp_redmine_command_ref (command);
            pending->tag = g_steal_pointer (&tag);
            fetch_icon_async (self, sp_redmine_command_get_icon_url (command), icon_fetched_cb,
                              pending);
          }
      }
      break;

    case SP_REDMINE_COMMAND_POST_MSG:
      post_msg (self, account_id, account, command);
      break;

    case SP_REDMINE_COMMAND_NONE:
    default:
      /* A button without a known command only dismisses, as in the extension. */
      break;
    }
}

static void
command_cb (SpCommandRunner  *self,
            SpAccount        *account,
            SpRedmineCommand *command,
            SpAccountList       *accounts)
{
  sp_command_runner_run (self, account, command);
}

static void
action_invoked_cb (SpCommandRunner *self,
                   const char      *tag,
                   const char      *action,
                   SpNotifier      *notifier)
{
  g_autoptr(SpRedmineCommand) button = NULL;
  g_autofree char *account_id = NULL;
  Shown *shown = g_hash_table_lookup (self->shown, tag);
  guint64 index;

  /* Call notifications are SpScreenpop's. */
  if (shown == NULL)
    return;

  if (!g_str_has_prefix (action, "button-") ||
      !g_ascii_string_to_unsigned (action + strlen ("button-"), 10, 0,
                                   sp_redmine_command_get_n_buttons (shown->command) - 1,
                                   &index, NULL))
    {
      g_debug ("Ignored the action “%s” on %s", action, tag);
      return;
    }

  button = sp_redmine_command_ref (sp_redmine_command_get_button (shown->command, index));
  account_id = g_strdup (shown->account_id);

  /* Cleared on click, as the extension did; the buttons go with it. */
  sp_notifier_withdraw (self->notifier, tag);
  forget_shown (self, tag);

  run_command (self, account_id, sp_account_list_lookup (self->accounts, account_id), button);
}

static void
sp_command_runner_dispose (GObject *object)
{
  SpCommandRunner *self = (SpCommandRunner *)object;

  /* No notification may stay behind with buttons nobody listens to. */
  if (self->notifier != NULL)
    {
      for (GList *l = self->shown_order.head; l != NULL; l = l->next)
        sp_notifier_withdraw (self->notifier, l->data);
    }
  g_queue_clear_full (&self->shown_order, g_free);
  g_clear_pointer (&self->shown, g_hash_table_unref);

  if (self->icon_files != NULL)
    {
      GHashTableIter iter;
      gpointer path;

      g_hash_table_iter_init (&iter, self->icon_files);
      while (g_hash_table_iter_next (&iter, &path, NULL))
        g_remove (path);
      g_clear_pointer (&self->icon_files, g_hash_table_unref);
    }

  g_clear_pointer (&self->recent, g_hash_table_unref);
  g_clear_object (&self->session);
  g_clear_object (&self->accounts);
  g_clear_object (&self->notifier);
  g_clear_object (&self->opener);

  G_OBJECT_CLASS (sp_command_runner_parent_class)->dispose (object);
}

static void
sp_command_runner_class_init (SpCommandRunnerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_command_runner_dispose;
}

static void
sp_command_runner_init (SpCommandRunner *self)
{
  self->shown = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) shown_free);
  g_queue_init (&self->shown_order);
  self->recent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->icon_files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->session = sp_http_session_new ();
}

/**
 * sp_command_runner_new:
 * @accounts: whose commands to run (see #SpAccountList::command)
 * @notifier: where notifications go, and whose buttons come back
 * @opener: the door for URLs
 *
 * Returns: (transfer full): a runner that executes every command the accounts receive
 */
SpCommandRunner *
sp_command_runner_new (SpAccountList  *accounts,
                       SpNotifier  *notifier,
                       SpUrlOpener *opener)
{
  SpCommandRunner *self;

  g_return_val_if_fail (SP_IS_ACCOUNT_LIST (accounts), NULL);
  g_return_val_if_fail (SP_IS_NOTIFIER (notifier), NULL);
  g_return_val_if_fail (SP_IS_URL_OPENER (opener), NULL);

  self = g_object_new (SP_TYPE_COMMAND_RUNNER, NULL);
  self->accounts = g_object_ref (accounts);
  self->notifier = g_object_ref (notifier);
  self->opener = g_object_ref (opener);

  g_signal_connect_object (accounts, "command", G_CALLBACK (command_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (notifier, "action-invoked", G_CALLBACK (action_invoked_cb), self,
                           G_CONNECT_SWAPPED);

  return self;
}

/**
 * sp_command_runner_run:
 * @account: the account the command came from: its source posts post_msg, its URL
 *   schemes apply to open_url
 * @command: the command
 *
 * Executes @command as if @account's source had just received it.
 */
void
sp_command_runner_run (SpCommandRunner  *self,
                       SpAccount        *account,
                       SpRedmineCommand *command)
{
  g_return_if_fail (SP_IS_COMMAND_RUNNER (self));
  g_return_if_fail (SP_IS_ACCOUNT (account));
  g_return_if_fail (command != NULL);

  run_command (self, sp_account_get_id (account), account, command);
}
