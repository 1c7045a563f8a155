/* sp-webservice.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-webservice"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "sp-done-server.h"
#include "sp-http.h"
#include "sp-secret.h"
#include "sp-webservice.h"
#include "sp-xivo-webservice.h"

/*
 * SpWebservice speaks the XiVO CC Agent's third-party web service contract
 * (protocols/xivo.md §3) for the calls of every account that names a web service, whatever
 * the backend: a CRM integration written for XiVO then works unchanged with Basix,
 * pbxis-ws or popup-notifier calls.
 *
 * As the agent web app does it: when a call rings, POST what is known of it; the answer
 * becomes the call's action; the action fires once, at the moment its `event` names
 * (ringing, answered, or released — released only if the call had been answered); firing
 * opens the URL (`open` and `popup`: the desktop's browser, through the one URL door),
 * starts an allowed program (`run`) or nothing (`none`), and pauses the agent if
 * `autopause` says so, until the user marks the work done.
 *
 * Where a desktop differs from the agent web app, and why:
 * - one action per call, not one for the whole app: a second call ringing does not throw
 *   the first call's pending action away (the web app keeps a single "current action");
 * - an answer that arrives after its moment has passed (the call was answered while the
 *   service thought) fires at once, rather than never;
 * - a 3 s timeout: a slow service must not delay the pop-up forever. On a timeout, an
 *   error or an answer we cannot obey, the account's URL template is used instead and the
 *   failure is kept in #SpWebservice:last-error for the window;
 * - `title` and `multitab` cannot be imposed on the user's browser: the title is shown in
 *   the "Done" notification instead, and every URL opens the way the browser opens links;
 * - `run` only starts programs the user allowed (`allowed-executables`), with
 *   `executableArgs` as its arguments, never through a shell;
 * - a relative `url` is resolved against the web service's address, as a page inside the
 *   agent web app would be; and since no agent app surrounds the page to receive its
 *   closeThirdParty, `%{doneUrl}` in `url` becomes a per-call loopback URL the page calls
 *   to end the work (SpDoneServer), beside Done;
 * - an action that did not happen (a refused URL or program) pauses nobody.
 *
 * The web service follows the calls it is shown: the screen-pop calls
 * sp_webservice_follow_call() on every change of a call, before it looks at the account's
 * template, and the answer says whether the template must stay out. URLs open through the
 * URL door it is given, and the quiet rule is asked, as the screen-pop asks it.
 */

/* Calls with a web service action at once; beyond this a ringing flood gets the template. */
#define MAX_ENTRIES 256

typedef enum
{
  ENTRY_POSTING,
  ENTRY_READY,
  ENTRY_FIRED,
  ENTRY_FAILED,
} EntryState;

typedef struct
{
  char             *key;
  char             *tag;           /* of the "Done" notification */
  SpCall           *call;
  EntryState        state;
  SpXivoWsResponse *response;
  GCancellable     *cancellable;   /* of the POST */
  guint             timeout_id;
  gboolean          timed_out;
  gboolean          paused;        /* autopause fired; waiting for Done */
  SpDoneServer     *done_server;   /* (unowned) where its done URL is, if it has one */
} Entry;

typedef struct
{
  SpWebservice *self;
  char         *key;
  char         *host;
  GUri         *base;          /* the web service's URL, for a relative `url` */
  GCancellable *cancellable;
  SoupMessage  *msg;
} Post;

struct _SpWebservice
{
  GObject         parent_instance;

  SpAccountList     *accounts;
  SpNotifier     *notifier;
  GSettings      *settings;
  SpQuiet        *quiet;
  SpUrlOpener    *opener;
  SoupSession    *session;
  SpDoneServer   *done_server;

  GHashTable     *entries;     /* key → Entry */
  GListStore     *pending;     /* (element-type SpCall) paused, waiting for Done */
  char           *last_error;
};

enum {
  PROP_0,
  PROP_LAST_ERROR,
  N_PROPS
};

enum {
  FALLBACK,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (SpWebservice, sp_webservice, G_TYPE_OBJECT)

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

static char *
make_key (SpCall *call)
{
  return g_strconcat (sp_call_get_account_id (call), "\x1f", sp_call_get_call_id (call), NULL);
}

static void
entry_free (Entry *entry)
{
  g_clear_handle_id (&entry->timeout_id, g_source_remove);
  if (entry->cancellable != NULL)
    g_cancellable_cancel (entry->cancellable);
  g_clear_object (&entry->cancellable);
  g_clear_pointer (&entry->response, sp_xivo_ws_response_free);
  if (entry->done_server != NULL)
    sp_done_server_remove (entry->done_server, entry->key);
  g_clear_object (&entry->call);
  g_free (entry->key);
  g_free (entry->tag);
  g_free (entry);
}

static void
post_free (Post *post)
{
  g_clear_object (&post->self);
  g_clear_object (&post->cancellable);
  g_clear_object (&post->msg);
  g_free (post->key);
  g_free (post->host);
  g_clear_pointer (&post->base, g_uri_unref);
  g_free (post);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Post, post_free)

static void
set_last_error (SpWebservice *self,
                const char   *message)
{
  if (g_strcmp0 (self->last_error, message) == 0)
    return;

  g_free (self->last_error);
  self->last_error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

static char *
dup_webservice_url (SpAccount *account)
{
  return sp_account_dup_webservice_url (account);
}

static gboolean
has_webservice (SpAccount *account)
{
  g_autofree char *url = account ? dup_webservice_url (account) : NULL;

  return url != NULL && *url != '\0';
}

static gboolean
pending_find (SpWebservice *self,
              SpCall       *call,
              guint        *position)
{
  return g_list_store_find (self->pending, call, position);
}

/* Forgets a call that is over, once its web service has answered (or failed) and the
 * user has marked its work done. A failed call is kept until then too, so that the
 * template keeps deciding for it. */
static void
maybe_drop (SpWebservice *self,
            Entry        *entry)
{
  if (entry->state == ENTRY_POSTING || entry->paused || !sp_call_is_finished (entry->call))
    return;

  g_hash_table_remove (self->entries, entry->key);
}

/* @fall_back: whether to tell of it by SpWebservice::fallback; not while the call is being
 * followed, whose answer says it already. */
static void
fail (SpWebservice *self,
      Entry        *entry,
      const char   *message,
      gboolean      fall_back)
{
  g_autoptr(SpCall) call = g_object_ref (entry->call);
  const char *account_id = sp_call_get_account_id (call);

  g_clear_handle_id (&entry->timeout_id, g_source_remove);
  entry->state = ENTRY_FAILED;

  g_message ("[%s] %s; using the account’s URL template for call %s instead", account_id,
             message, sp_call_get_call_id (call));
  set_last_error (self, message);

  maybe_drop (self, entry);
  if (fall_back)
    g_signal_emit (self, signals[FALLBACK], 0, call);
}

static void
pause_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SpWebservice) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!sp_source_perform_finish (SP_SOURCE (object), result, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not pause the agent for the web service: %s"),
                                                  error->message);

      g_message ("[%s] %s", sp_source_get_account_id (SP_SOURCE (object)), message);
      set_last_error (self, message);
    }
}

static void
unpause_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SpWebservice) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!sp_source_perform_finish (SP_SOURCE (object), result, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not resume the agent: %s"), error->message);

      g_message ("[%s] %s", sp_source_get_account_id (SP_SOURCE (object)), message);
      set_last_error (self, message);
      sp_notifier_show (self->notifier, "error:unpause", _("Could not resume the agent"),
                        error->message, "dialog-warning-symbolic", SP_NOTIFY_NONE, NULL, 0);
    }
}

static void
autopause (SpWebservice *self,
           Entry        *entry,
           SpAccount    *account)
{
  SpSource *source = sp_account_list_get_source (self->accounts, sp_account_get_id (account));
  const char *reason = entry->response->autopause_reason;
  g_autofree char *title = sp_call_dup_title (entry->call);
  g_autofree char *summary = NULL;
  const SpNotifyButton done = { "done", _("Done") };
  guint position;

  if (source == NULL)
    return;

  g_debug ("[%s] Pausing the agent for call %s (%s)", sp_account_get_id (account),
           sp_call_get_call_id (entry->call), reason ? reason : "no reason");

  sp_source_perform_async (source, SP_SOURCE_ACTION_PAUSE, sp_call_get_call_id (entry->call),
                           reason ? g_variant_new_string (reason) : NULL, NULL,
                           pause_cb, g_object_ref (self));

  entry->paused = TRUE;
  if (!pending_find (self, entry->call, &position))
    g_list_store_append (self->pending, entry->call);

  /* A locked screen that hides callers hides them here too, and the CRM's title with them. */
  if (sp_quiet_hides_callers (self->quiet))
    {
      sp_notifier_show (self->notifier, entry->tag, _("Paused for a call"),
                        _("Select Done when the work for this call is complete."),
                        "media-playback-pause-symbolic", SP_NOTIFY_PERSISTENT, &done, 1);
      return;
    }

  /* Translators: %s is the caller, by name or number */
  summary = g_strdup_printf (_("Paused for the call with %s"), title);
  sp_notifier_show (self->notifier, entry->tag, summary,
                    entry->response->title ? entry->response->title
                                           : _("Select Done when the work for this call is complete."),
                    "media-playback-pause-symbolic", SP_NOTIFY_PERSISTENT, &done, 1);
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autofree char *executable = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_wait_check_finish (G_SUBPROCESS (object), result, &error))
    g_message ("%s, started for the web service, failed: %s", executable, error->message);
}

/* Returns: whether the program was started. */
static gboolean
run_program (SpWebservice     *self,
             SpAccount        *account,
             SpXivoWsResponse *response)
{
  g_auto(GStrv) allowed = g_settings_get_strv (self->settings, "allowed-executables");
  g_autoptr(GStrvBuilder) builder = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;

  /* An exact match: a web service must not pick a program by a name that resolves
   * somewhere the user did not mean. */
  if (!g_strv_contains ((const char * const *) allowed, response->executable))
    {
      g_autofree char *message =
        g_strdup_printf (_("The web service asked to start “%s”, which is not in the allowed programs"),
                         response->executable);

      g_message ("[%s] %s; not starting it", sp_account_get_id (account), message);
      set_last_error (self, message);
      return FALSE;
    }

  builder = g_strv_builder_new ();
  g_strv_builder_add (builder, response->executable);
  if (response->executable_args != NULL)
    g_strv_builder_addv (builder, (const char **) response->executable_args);
  argv = g_strv_builder_end (builder);

  /* Never through a shell: the arguments are the web service's, verbatim. */
  process = g_subprocess_newv ((const char * const *) argv, G_SUBPROCESS_FLAGS_STDIN_INHERIT, &error);
  if (process == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not start “%s”: %s"),
                                                  response->executable, error->message);

      g_message ("[%s] %s", sp_account_get_id (account), message);
      set_last_error (self, message);
      return FALSE;
    }

  g_debug ("[%s] Started %s with %u arguments", sp_account_get_id (account),
           response->executable, g_strv_length (argv) - 1);
  g_subprocess_wait_check_async (process, NULL, run_done_cb, g_strdup (response->executable));
  return TRUE;
}

static void
fire (SpWebservice *self,
      Entry        *entry)
{
  SpAccount *account = sp_account_list_lookup (self->accounts, sp_call_get_account_id (entry->call));
  SpXivoWsResponse *response = entry->response;
  g_autoptr(GError) error = NULL;
  gboolean acted = TRUE;

  entry->state = ENTRY_FIRED;

  if (account == NULL)
    return;

  g_debug ("[%s] Web service action “%s” at %s for call %s", sp_account_get_id (account),
           sp_xivo_ws_action_to_string (response->action),
           sp_xivo_ws_event_to_string (response->event), sp_call_get_call_id (entry->call));

  switch (response->action)
    {
    case SP_XIVO_WS_ACTION_OPEN:
    case SP_XIVO_WS_ACTION_POPUP:
      acted = sp_url_opener_open (self->opener, account, response->url, &error);
      if (!acted)
        set_last_error (self, error->message);
      break;

    case SP_XIVO_WS_ACTION_RUN:
      acted = run_program (self, account, response);
      break;

    case SP_XIVO_WS_ACTION_NONE:
    default:
      break;
    }

  /* As the agent web app: the pause goes with the firing, whatever the action; but never
   * for an action that did not happen (a refused URL, a program not allowed), which would
   * leave the agent paused for work that nothing on the screen asks for. */
  if (response->autopause && !acted)
    g_message ("[%s] Not pausing the agent for call %s: the web service’s action did not happen",
               sp_account_get_id (account), sp_call_get_call_id (entry->call));
  else if (response->autopause)
    autopause (self, entry, account);
}

/* Fires the call's action if its moment has come (or passed). */
static void
check_and_fire (SpWebservice *self,
                Entry        *entry)
{
  gboolean answered = sp_call_get_answered (entry->call) != 0;
  gboolean due = FALSE;

  if (entry->state != ENTRY_READY)
    return;

  switch (entry->response->event)
    {
    case SP_XIVO_WS_EVENT_RINGING:
      due = TRUE;
      break;

    case SP_XIVO_WS_EVENT_ESTABLISHED:
      due = answered;
      break;

    case SP_XIVO_WS_EVENT_RELEASED:
      /* Missed calls never trigger a release-time action. */
      due = answered && sp_call_is_finished (entry->call);
      break;

    case SP_XIVO_WS_EVENT_NEVER:
    default:
      break;
    }

  if (due)
    fire (self, entry);
}

#define DONE_PLACEHOLDER "%{doneUrl}"

/* The CC Agent's page ends the work by posting closeThirdParty to the app around it; a page
 * in the desktop's browser calls its done URL instead (sp-done-server.c), which the web
 * service asks for by putting %{doneUrl} (in any case) in its `url`. Returns FALSE when the
 * URL was asked for and could not be made. */
static gboolean
fill_done_url (SpWebservice     *self,
               Entry            *entry,
               SpXivoWsResponse *response)
{
  g_autoptr(GString) url = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *done_url = NULL;
  g_autofree char *escaped = NULL;
  gsize length = strlen (DONE_PLACEHOLDER);

  if (g_strstr_len (response->url, -1, "%{") == NULL)
    return TRUE;

  url = g_string_new (NULL);
  for (const char *p = response->url; *p != '\0'; )
    {
      if (g_ascii_strncasecmp (p, DONE_PLACEHOLDER, length) != 0)
        {
          g_string_append_c (url, *p++);
          continue;
        }

      if (escaped == NULL)
        {
          done_url = sp_done_server_add (self->done_server, entry->key, &error);
          if (done_url == NULL)
            {
              g_message ("[%s] %s", sp_call_get_account_id (entry->call), error->message);
              return FALSE;
            }
          entry->done_server = self->done_server;
          escaped = g_uri_escape_string (done_url, NULL, FALSE);
        }
      g_string_append (url, escaped);
      p += length;
    }

  g_free (response->url);
  response->url = g_string_free (g_steal_pointer (&url), FALSE);
  return TRUE;
}

/* A page called its done URL. */
static gboolean
done_url_called (const char *key,
                 gpointer    user_data)
{
  SpWebservice *self = user_data;
  g_autoptr(SpCall) call = NULL;
  Entry *entry;

  entry = self->entries ? g_hash_table_lookup (self->entries, key) : NULL;
  if (entry == NULL)
    return FALSE;

  call = g_object_ref (entry->call);
  g_debug ("[%s] The page of call %s marked its work done", sp_call_get_account_id (call),
           sp_call_get_call_id (call));
  sp_webservice_done (self, call);

  return TRUE;
}

/* Ends a request: with the answer's @body, or with @error, or with the HTTP
 * @status it failed with. */
static void
post_complete (Post         *post,
               GBytes       *body,
               const GError *error,
               guint         status)
{
  SpWebservice *self = post->self;
  g_autoptr(SpXivoWsResponse) response = NULL;
  g_autoptr(GError) parse_error = NULL;
  g_autofree char *message = NULL;
  Entry *entry;

  /* Disposed, the call forgotten, or a newer request replaced this one. */
  if (self->entries == NULL)
    return;
  entry = g_hash_table_lookup (self->entries, post->key);
  if (entry == NULL || entry->cancellable != post->cancellable)
    return;

  if (status != 0)
    {
      message = g_strdup_printf (_("The web service at %s answered HTTP %u %s"), post->host, status,
                                 soup_status_get_phrase (status) ? soup_status_get_phrase (status) : "");
      fail (self, entry, message, TRUE);
      return;
    }

  if (error != NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !entry->timed_out)
        return;

      if (entry->timed_out)
        message = g_strdup_printf (_("The web service at %s did not answer within %u seconds"),
                                   post->host, SP_WEBSERVICE_TIMEOUT_MS / 1000);
      else if (error->domain == SP_HTTP_ERROR)
        message = g_strdup_printf (_("The web service at %s answered something Screenpop cannot obey: %s"),
                                   post->host, error->message);
      else
        message = g_strdup_printf (_("The web service at %s could not be reached: %s"),
                                   post->host, error->message);
      fail (self, entry, message, TRUE);
      return;
    }

  response = sp_xivo_ws_response_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                        &parse_error);
  if (response == NULL)
    {
      message = g_strdup_printf (_("The web service at %s answered something Screenpop cannot obey: %s"),
                                 post->host, parse_error->message);
      fail (self, entry, message, TRUE);
      return;
    }

  g_clear_handle_id (&entry->timeout_id, g_source_remove);
  g_debug ("[%s] The web service answers “%s” at %s", sp_call_get_account_id (entry->call),
           sp_xivo_ws_action_to_string (response->action),
           sp_xivo_ws_event_to_string (response->event));
  if (response->notes != NULL)
    g_message ("[%s] The web service at %s answered loosely typed values: %s",
               sp_call_get_account_id (entry->call), post->host, response->notes);

  if (response->url != NULL && response->action != SP_XIVO_WS_ACTION_RUN &&
      !fill_done_url (self, entry, response))
    {
      message = g_strdup_printf (_("Could not make the done address the web service at %s asked for"),
                                 post->host);
      fail (self, entry, message, TRUE);
      return;
    }

  /* The seed's own example answers "/thirdparty/open/…": a page inside the CC Agent
   * resolves it against the web service, and so do we, before the URL policy sees it. */
  if (response->url != NULL && response->action != SP_XIVO_WS_ACTION_RUN &&
      g_uri_peek_scheme (response->url) == NULL)
    {
      g_autoptr(GUri) resolved = g_uri_parse_relative (post->base, response->url,
                                                       SOUP_HTTP_URI_FLAGS, NULL);

      if (resolved == NULL)
        {
          message = g_strdup_printf (_("The web service at %s answered an address that is not a URL"),
                                     post->host);
          fail (self, entry, message, TRUE);
          return;
        }
      g_free (response->url);
      /* Never the web service's own credentials, should its address carry any. */
      response->url = g_uri_to_string_partial (resolved, G_URI_HIDE_USERINFO);
    }

  entry->response = g_steal_pointer (&response);
  entry->state = ENTRY_READY;
  set_last_error (self, NULL);

  check_and_fire (self, entry);
  maybe_drop (self, entry);
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(Post) post = user_data;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  guint status;

  body = sp_http_read_bytes_finish (SOUP_SESSION (object), result, &error);

  /* Redirects are not followed, so a 3xx is a failure too. */
  status = soup_message_get_status (post->msg);
  if (status != SOUP_STATUS_NONE && !SOUP_STATUS_IS_SUCCESSFUL (status))
    post_complete (post, NULL, NULL, status);
  else
    post_complete (post, body, error, 0);
}

static gboolean
timeout_cb (gpointer user_data)
{
  Entry *entry = user_data;

  entry->timeout_id = 0;
  entry->timed_out = TRUE;
  g_cancellable_cancel (entry->cancellable);

  return G_SOURCE_REMOVE;
}

/* The agent's CTI token is a credential: it goes only where it cannot be read on the way
 * (https, or this machine), and an administrator can keep it from going at all. */
static gboolean
may_send_token (SpAccount *account,
                GUri      *uri)
{
  g_autofree char *option = sp_account_dup_option (account, "webservice-send-token");
  const char *host = g_uri_get_host (uri);

  if (g_strcmp0 (option, "false") == 0)
    return FALSE;

  return g_str_equal (g_uri_get_scheme (uri), "https") ||
         g_str_equal (host, "127.0.0.1") || g_str_equal (host, "::1") ||
         g_ascii_strcasecmp (host, "localhost") == 0;
}

/* Strings the request points into, freed once it is written. */
typedef struct
{
  char *first_name;
  char *last_name;
  char *full_name;
  char *token;          /* a secret */
  char *queue_display_name;
  char *queue_number;
} RequestStrings;

static void
request_strings_clear (RequestStrings *strings)
{
  g_free (strings->first_name);
  g_free (strings->last_name);
  g_free (strings->full_name);
  sp_secret_free (strings->token);
  g_free (strings->queue_display_name);
  g_free (strings->queue_number);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RequestStrings, request_strings_clear)

/* @value, or the account's option @key where the administrator set one. */
static char *
override_string (SpAccount  *account,
                 const char *key,
                 char       *value)
{
  g_autofree char *option = sp_account_dup_option (account, key);

  if (option == NULL || *option == '\0')
    return value;

  g_free (value);
  return g_steal_pointer (&option);
}

static gint64
override_id (SpAccount  *account,
             const char *key,
             gint64      value)
{
  g_autofree char *option = sp_account_dup_option (account, key);
  gint64 id;

  if (option == NULL || !g_ascii_string_to_signed (option, 10, 1, G_MAXINT64, &id, NULL))
    return value;

  return id;
}

/* The `user` of the request, as the CC Agent fills it: from the server's user record (XiVO's
 * UserConfigUpdate and agent state), with the live token. The account's options only
 * override it, or stand in for a backend whose server tells nothing of its user. */
static void
fill_user (SpWebservice    *self,
           SpXivoWsRequest *request,
           SpAccount       *account,
           GUri            *uri,
           RequestStrings  *strings)
{
  SpSource *source = sp_account_list_get_source (self->accounts, sp_account_get_id (account));
  g_auto(SpUserFacts) facts = { 0, };

  if (source != NULL)
    sp_source_get_user_facts (source, &facts);

  strings->first_name = override_string (account, "webservice-first-name", g_steal_pointer (&facts.first_name));
  strings->last_name = override_string (account, "webservice-last-name", g_steal_pointer (&facts.last_name));
  strings->full_name = override_string (account, "webservice-full-name", g_steal_pointer (&facts.full_name));
  request->first_name = strings->first_name;
  request->last_name = strings->last_name;
  request->full_name = strings->full_name;
  request->user_id = override_id (account, "webservice-user-id", facts.user_id);
  request->agent_id = override_id (account, "webservice-agent-id", facts.agent_id);

  if (facts.token != NULL && may_send_token (account, uri))
    strings->token = g_steal_pointer (&facts.token);
  request->token = strings->token;
}

/* The `queue` of the request: its name from the call, the rest from what the server told
 * of that queue (XiVO's QueueList), as the CC Agent resolves it before posting. */
static void
fill_queue (SpWebservice    *self,
            SpXivoWsRequest *request,
            SpAccount       *account,
            SpCall          *call,
            RequestStrings  *strings)
{
  SpSource *source = sp_account_list_get_source (self->accounts, sp_account_get_id (account));
  g_auto(SpQueueFacts) facts = { 0, };

  request->queue_name = sp_call_get_queue (call);
  if (request->queue_name == NULL || source == NULL ||
      !sp_source_get_queue_facts (source, request->queue_name, &facts))
    return;

  request->queue_id = facts.id;
  strings->queue_display_name = g_steal_pointer (&facts.display_name);
  strings->queue_number = g_steal_pointer (&facts.number);
  request->queue_display_name = strings->queue_display_name;
  request->queue_number = strings->queue_number;
}

static void
start_post (SpWebservice *self,
            Entry        *entry,
            SpAccount    *account)
{
  g_autofree char *url = dup_webservice_url (account);
  g_autofree char *json = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_auto(RequestStrings) strings = { NULL, };
  SpXivoWsRequest request = { 0, };
  SpCall *call = entry->call;
  gsize length;
  Post *post;

  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL ||
      (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 && g_strcmp0 (g_uri_get_scheme (uri), "https") != 0) ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_autofree char *message = g_strdup_printf (_("The web service address “%s” is not an http or https URL"),
                                                  url);

      fail (self, entry, message, FALSE);
      return;
    }

  request.callee = sp_call_get_exten (call);
  request.caller = sp_call_get_number (call);
  request.call_id = sp_call_get_call_id (call);
  request.user_data = sp_call_get_vars (call);
  fill_queue (self, &request, account, call, &strings);
  fill_user (self, &request, account, uri, &strings);

  json = sp_xivo_ws_request_to_json (&request);
  length = strlen (json);
  bytes = g_bytes_new_take (g_steal_pointer (&json), length);

  post = g_new0 (Post, 1);
  post->self = g_object_ref (self);
  post->key = g_strdup (entry->key);
  post->host = g_strdup (g_uri_get_host (uri));
  post->base = g_uri_ref (uri);
  post->cancellable = g_object_ref (entry->cancellable);
  post->msg = soup_message_new_from_uri (SOUP_METHOD_POST, uri);

  /* A redirect would carry the call's data, and the agent's token, elsewhere. */
  soup_message_add_flags (post->msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_headers_replace (soup_message_get_request_headers (post->msg), "Accept",
                                "application/json");
  soup_message_set_request_body_from_bytes (post->msg, "application/json", bytes);

  g_debug ("[%s] Asking the web service at %s about call %s", sp_account_get_id (account),
           post->host, sp_call_get_call_id (call));

  entry->timeout_id = g_timeout_add (SP_WEBSERVICE_TIMEOUT_MS, timeout_cb, entry);
  /* Bounded: the parser refuses anything longer, so reading on is only a way to be flooded. */
  sp_http_read_bytes_async (self->session, post->msg, SP_XIVO_WS_MAX_RESPONSE, post->cancellable,
                            read_cb, post);
}

static Entry *
find_by_tag (SpWebservice *self,
             const char   *tag)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Entry *entry = value;

      if (g_strcmp0 (entry->tag, tag) == 0)
        return entry;
    }

  return NULL;
}

static void
action_invoked_cb (SpWebservice *self,
                   const char   *tag,
                   const char   *action,
                   SpNotifier   *notifier)
{
  Entry *entry;

  if (!g_str_has_prefix (tag, "webservice-done:") || g_strcmp0 (action, "done") != 0)
    return;

  entry = find_by_tag (self, tag);
  if (entry != NULL)
    sp_webservice_done (self, entry->call);
}

static void
sp_webservice_dispose (GObject *object)
{
  SpWebservice *self = (SpWebservice *)object;

  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_object (&self->done_server);
  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->pending);
  g_clear_object (&self->accounts);
  g_clear_object (&self->notifier);
  g_clear_object (&self->settings);
  g_clear_object (&self->quiet);
  g_clear_object (&self->opener);

  G_OBJECT_CLASS (sp_webservice_parent_class)->dispose (object);
}

static void
sp_webservice_finalize (GObject *object)
{
  SpWebservice *self = (SpWebservice *)object;

  g_free (self->last_error);

  G_OBJECT_CLASS (sp_webservice_parent_class)->finalize (object);
}

static void
sp_webservice_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  SpWebservice *self = SP_WEBSERVICE (object);

  switch (prop_id)
    {
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_webservice_class_init (SpWebserviceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_webservice_dispose;
  object_class->finalize = sp_webservice_finalize;
  object_class->get_property = sp_webservice_get_property;

  /**
   * SpWebservice:last-error:
   *
   * Why the last web service request failed (timeout, HTTP error, an answer that cannot be
   * obeyed, a refused program), in words a person can act on; %NULL after a success.
   */
  properties[PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SpWebservice::fallback:
   * @self: the web service
   * @call: the call
   *
   * The web service failed for @call: from now on the account's URL template applies to
   * it, including a moment that has already passed.
   */
  signals[FALLBACK] =
    g_signal_new ("fallback",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SP_TYPE_CALL);
}

static void
sp_webservice_init (SpWebservice *self)
{
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) entry_free);
  self->pending = g_list_store_new (SP_TYPE_CALL);
  self->session = sp_http_session_new ();
  self->done_server = sp_done_server_new (done_url_called, self);
}

/**
 * sp_webservice_new:
 * @accounts: the accounts, for their web service URLs and sources
 * @notifier: for the "Done" notification
 * @settings: the app's settings (allowed programs)
 * @quiet: the quiet rule: no web service for a quiet call, no caller on a locked screen
 * @opener: the door for the URLs the web service answers with
 *
 * Returns: (transfer full): a new web service client; it acts on the calls it is shown
 *   with sp_webservice_follow_call()
 */
SpWebservice *
sp_webservice_new (SpAccountList  *accounts,
                   SpNotifier  *notifier,
                   GSettings   *settings,
                   SpQuiet     *quiet,
                   SpUrlOpener *opener)
{
  SpWebservice *self;

  g_return_val_if_fail (SP_IS_ACCOUNT_LIST (accounts), NULL);
  g_return_val_if_fail (SP_IS_NOTIFIER (notifier), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (SP_IS_QUIET (quiet), NULL);
  g_return_val_if_fail (SP_IS_URL_OPENER (opener), NULL);

  self = g_object_new (SP_TYPE_WEBSERVICE, NULL);
  self->accounts = g_object_ref (accounts);
  self->notifier = g_object_ref (notifier);
  self->settings = g_object_ref (settings);
  self->quiet = g_object_ref (quiet);
  self->opener = g_object_ref (opener);

  g_signal_connect_object (notifier, "action-invoked",
                           G_CALLBACK (action_invoked_cb), self, G_CONNECT_SWAPPED);

  return self;
}

/**
 * sp_webservice_follow_call:
 * @call: a call that is new or changed
 * @state_changed: whether @call's state changed (not only its details)
 *
 * Shows the web service a change of @call: a new incoming ring of an account that names
 * a web service is POSTed to it; a call it answered for fires its action when its moment
 * comes. The screen-pop calls this before it looks at the account's URL template.
 *
 * Returns: whether the web service, rather than the account's URL template, decides what
 *   @call opens now: it is being asked, or it answered. A call the web service failed for
 *   is the template's again (and #SpWebservice::fallback tells when that happens later).
 */
gboolean
sp_webservice_follow_call (SpWebservice *self,
                           SpCall       *call,
                           gboolean      state_changed)
{
  g_autofree char *key = NULL;
  SpAccount *account;
  gboolean decides;
  Entry *entry;

  g_return_val_if_fail (SP_IS_WEBSERVICE (self), FALSE);
  g_return_val_if_fail (SP_IS_CALL (call), FALSE);

  account = sp_account_list_lookup (self->accounts, sp_call_get_account_id (call));
  if (account == NULL)
    return FALSE;

  key = make_key (call);
  entry = g_hash_table_lookup (self->entries, key);

  if (entry == NULL)
    {
      /* Only a ring asks the web service, as only EventRinging does in the agent web app. */
      if (!state_changed ||
          sp_call_get_state (call) != SP_CALL_STATE_RINGING ||
          sp_call_get_direction (call) != SP_CALL_DIRECTION_INCOMING ||
          !has_webservice (account) ||
          sp_quiet_is_quiet (self->quiet, account))
        return FALSE;

      if (g_hash_table_size (self->entries) >= MAX_ENTRIES)
        {
          g_message ("[%s] Too many calls waiting for the web service; call %s gets the URL template",
                     sp_account_get_id (account), sp_call_get_call_id (call));
          return FALSE;
        }

      entry = g_new0 (Entry, 1);
      entry->key = g_steal_pointer (&key);
      entry->tag = g_strdup_printf ("webservice-done:%s:%s", sp_call_get_account_id (call),
                                    sp_call_get_call_id (call));
      entry->call = g_object_ref (call);
      entry->state = ENTRY_POSTING;
      entry->cancellable = g_cancellable_new ();
      g_hash_table_insert (self->entries, entry->key, entry);

      /* A failure right away (an address that is not http) leaves the entry failed, and
       * the answer hands the call to the template. */
      start_post (self, entry, account);
      return entry->state != ENTRY_FAILED;
    }

  if (!state_changed)
    return entry->state != ENTRY_FAILED;

  check_and_fire (self, entry);
  /* Asked before the entry may be forgotten: the moment that ends the call is still its. */
  decides = entry->state != ENTRY_FAILED;
  maybe_drop (self, entry);

  return decides;
}

/**
 * sp_webservice_get_pending:
 *
 * Returns: (transfer none): the calls whose action paused the agent and that wait for
 *   the user's "Done"
 */
GListModel *
sp_webservice_get_pending (SpWebservice *self)
{
  g_return_val_if_fail (SP_IS_WEBSERVICE (self), NULL);

  return G_LIST_MODEL (self->pending);
}

/**
 * sp_webservice_done:
 * @call: a call from sp_webservice_get_pending()
 *
 * The user finished the work for @call: resumes the agent paused for it and clears its
 * action, as the CC Agent does when the third-party pane is closed.
 */
void
sp_webservice_done (SpWebservice *self,
                    SpCall       *call)
{
  g_autofree char *key = NULL;
  SpSource *source;
  Entry *entry;
  guint position;

  g_return_if_fail (SP_IS_WEBSERVICE (self));
  g_return_if_fail (SP_IS_CALL (call));

  key = make_key (call);
  entry = g_hash_table_lookup (self->entries, key);
  if (entry == NULL || !entry->paused)
    return;

  entry->paused = FALSE;
  if (pending_find (self, call, &position))
    g_list_store_remove (self->pending, position);
  sp_notifier_withdraw (self->notifier, entry->tag);

  source = sp_account_list_get_source (self->accounts, sp_call_get_account_id (call));
  if (source != NULL)
    {
      g_debug ("[%s] Resuming the agent after call %s", sp_call_get_account_id (call),
               sp_call_get_call_id (call));
      sp_source_perform_async (source, SP_SOURCE_ACTION_UNPAUSE, sp_call_get_call_id (call),
                               NULL, NULL, unpause_cb, g_object_ref (self));
    }

  maybe_drop (self, entry);
}

/**
 * sp_webservice_get_last_error:
 *
 * Returns: (nullable): see #SpWebservice:last-error
 */
const char *
sp_webservice_get_last_error (SpWebservice *self)
{
  g_return_val_if_fail (SP_IS_WEBSERVICE (self), NULL);

  return self->last_error;
}
