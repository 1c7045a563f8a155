/* sp-account-list.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-account-list"

#include "config.h"

#include "sp-account-list.h"
#include "sp-redmine-command.h"
#include "sp-secret.h"
#include "sp-source-kind.h"

/*
 * SpAccountList is the list of accounts (a GListModel for the window) and their life: it
 * follows the app's "accounts" key, creates each account's source, feeds the source's call
 * events to the tracker and passes its commands on (SpAccountList::command), and starts, stops
 * or restarts sources as their settings change.
 *
 * It holds each account and its source; the account knows no source, the source holds its
 * account. A removed account's source is stopped and dropped here, and
 * SpAccountList::account-removed tells whoever kept the source (a window) to let it go.
 */

struct _SpAccountList
{
  GObject        parent_instance;

  GSettings     *settings;
  SpCallTracker *tracker;
  GPtrArray     *accounts;    /* (element-type SpAccount) configured, then transient */
  GPtrArray     *transient;   /* (element-type SpAccount) */
  GHashTable    *sources;     /* SpAccount → SpSource, for the accounts that have one */
};

enum {
  COMMAND,
  SOURCE_CHANGED,
  ACCOUNT_REMOVED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SpAccountList, sp_account_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

/* The keys that change where or how a source connects: a change restarts it. */
static const char * const connection_keys[] = {
  "url", "login", "options", "channels", "pinned-certificate", NULL
};

static GType
sp_account_list_get_item_type (GListModel *model)
{
  return SP_TYPE_ACCOUNT;
}

static guint
sp_account_list_get_n_items (GListModel *model)
{
  return SP_ACCOUNT_LIST (model)->accounts->len;
}

static gpointer
sp_account_list_get_item (GListModel *model,
                      guint       position)
{
  SpAccountList *self = SP_ACCOUNT_LIST (model);

  if (position >= self->accounts->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->accounts, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = sp_account_list_get_item_type;
  iface->get_n_items = sp_account_list_get_n_items;
  iface->get_item = sp_account_list_get_item;
}

static void
call_event_cb (SpAccountList  *self,
               SpCallEvent *event,
               SpSource    *source)
{
  sp_call_tracker_push (self->tracker, event);
}

static void
command_cb (SpAccountList       *self,
            SpRedmineCommand *command,
            SpSource         *source)
{
  SpAccount *account = sp_source_get_account (source);

  g_signal_emit (self, signals[COMMAND], 0, account, command);
}

/* Stops and forgets the account's source. */
static void
drop_source (SpAccountList *self,
             SpAccount  *account)
{
  g_autoptr(SpSource) source = NULL;

  if (!g_hash_table_steal_extended (self->sources, account, NULL, (gpointer *) &source))
    return;

  g_signal_handlers_disconnect_by_data (source, self);
  sp_source_stop (source);
}

/* Makes @source (may be %NULL) the account's source, in place of the one it had. */
static void
set_source (SpAccountList *self,
            SpAccount  *account,
            SpSource   *source)
{
  drop_source (self, account);

  if (source != NULL)
    {
      g_signal_connect_object (source, "call-event",
                               G_CALLBACK (call_event_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (source, "command",
                               G_CALLBACK (command_cb), self, G_CONNECT_SWAPPED);
      g_hash_table_insert (self->sources, account, g_object_ref (source));
    }

  g_signal_emit (self, signals[SOURCE_CHANGED], 0, account);
}

static void
update_source (SpAccountList *self,
               SpAccount  *account,
               gboolean    recreate)
{
  SpSource *source = g_hash_table_lookup (self->sources, account);

  if (recreate || source == NULL)
    {
      g_autoptr(SpSource) new_source = NULL;
      g_autoptr(GError) error = NULL;

      sp_call_tracker_end_account (self->tracker, sp_account_get_id (account));

      new_source = sp_source_kind_create_source (account, &error);
      if (new_source == NULL)
        g_message ("[%s] %s", sp_account_get_id (account), error->message);

      set_source (self, account, new_source);
      source = new_source;
    }

  if (source == NULL)
    return;

  if (sp_account_get_enabled (account))
    {
      sp_source_start (source);
    }
  else
    {
      sp_source_stop (source);
      sp_call_tracker_end_account (self->tracker, sp_account_get_id (account));
    }
}

static void
account_changed_cb (SpAccountList *self,
                    const char *key,
                    GSettings  *settings)
{
  SpAccount *account = NULL;

  for (guint i = 0; i < self->accounts->len; i++)
    {
      SpAccount *candidate = g_ptr_array_index (self->accounts, i);

      if (sp_account_get_settings (candidate) == settings)
        account = candidate;
    }

  if (account == NULL)
    return;

  if (g_strcmp0 (key, "kind") == 0)
    {
      update_source (self, account, TRUE);
    }
  else if (g_strcmp0 (key, "enabled") == 0)
    {
      update_source (self, account, FALSE);
    }
  else if (g_strv_contains (connection_keys, key))
    {
      SpSource *source = g_hash_table_lookup (self->sources, account);

      /* Settings that changed where to connect deserve a fresh attempt, also after an
       * authentication failure: that is what the user was fixing. */
      if (source != NULL && sp_account_get_enabled (account))
        sp_source_retry_now (source);
    }
}

static SpAccount *
find_account (GPtrArray  *accounts,
              const char *id)
{
  for (guint i = 0; i < accounts->len; i++)
    {
      SpAccount *account = g_ptr_array_index (accounts, i);

      if (g_strcmp0 (sp_account_get_id (account), id) == 0)
        return account;
    }

  return NULL;
}

/* @source: (nullable): the account's source, or %NULL to create the one of its kind */
static void
setup_account (SpAccountList *self,
               SpAccount  *account,
               SpSource   *source)
{
  g_signal_connect_object (sp_account_get_settings (account), "changed",
                           G_CALLBACK (account_changed_cb), self, G_CONNECT_SWAPPED);
  if (source != NULL)
    {
      set_source (self, account, source);
      update_source (self, account, FALSE);
    }
  else
    {
      update_source (self, account, TRUE);
    }
}

/* The account leaves the list: its source stops and is dropped, its calls end, and unless
 * @quietly (the list itself goes away) whoever holds the source is told. */
static void
teardown_account (SpAccountList *self,
                  SpAccount  *account,
                  gboolean    quietly)
{
  g_autoptr(SpAccount) kept = g_object_ref (account);

  g_signal_handlers_disconnect_by_data (sp_account_get_settings (account), self);
  drop_source (self, account);
  sp_call_tracker_end_account (self->tracker, sp_account_get_id (account));

  if (!quietly)
    g_signal_emit (self, signals[ACCOUNT_REMOVED], 0, account);
}

static void
reload (SpAccountList *self)
{
  g_auto(GStrv) ids = g_settings_get_strv (self->settings, "accounts");
  g_autoptr(GPtrArray) old = NULL;
  guint old_len = self->accounts->len;

  old = g_steal_pointer (&self->accounts);
  self->accounts = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; ids[i] != NULL; i++)
    {
      SpAccount *account;

      if (ids[i][0] == '\0' || find_account (self->accounts, ids[i]) != NULL)
        continue;

      account = find_account (old, ids[i]);
      if (account != NULL)
        {
          g_ptr_array_add (self->accounts, g_object_ref (account));
        }
      else
        {
          account = sp_account_new (ids[i]);
          g_ptr_array_add (self->accounts, account);
          setup_account (self, account, NULL);
        }
    }

  for (guint i = 0; i < self->transient->len; i++)
    g_ptr_array_add (self->accounts, g_object_ref (g_ptr_array_index (self->transient, i)));

  g_list_model_items_changed (G_LIST_MODEL (self), 0, old_len, self->accounts->len);

  /* After the list changed, so that a window told of the removal no longer lists it. */
  for (guint i = 0; i < old->len; i++)
    {
      SpAccount *account = g_ptr_array_index (old, i);

      if (!sp_account_is_transient (account) && !g_ptr_array_find (self->accounts, account, NULL))
        teardown_account (self, account, FALSE);
    }
}

static void
sp_account_list_dispose (GObject *object)
{
  SpAccountList *self = (SpAccountList *)object;

  if (self->accounts != NULL)
    {
      for (guint i = 0; i < self->accounts->len; i++)
        teardown_account (self, g_ptr_array_index (self->accounts, i), TRUE);
    }

  g_clear_pointer (&self->accounts, g_ptr_array_unref);
  g_clear_pointer (&self->transient, g_ptr_array_unref);
  g_clear_pointer (&self->sources, g_hash_table_unref);
  g_clear_object (&self->settings);
  g_clear_object (&self->tracker);

  G_OBJECT_CLASS (sp_account_list_parent_class)->dispose (object);
}

static void
sp_account_list_class_init (SpAccountListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_account_list_dispose;

  /**
   * SpAccountList::command:
   * @self: the accounts
   * @account: the account whose source received @command
   * @command: a redmine_rt command, to be executed as is
   *
   * Passes on #SpSource::command of every account's source.
   */
  signals[COMMAND] =
    g_signal_new ("command",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2,
                  SP_TYPE_ACCOUNT,
                  SP_TYPE_REDMINE_COMMAND | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * SpAccountList::source-changed:
   * @self: the accounts
   * @account: the account whose source was created, replaced or dropped
   *
   * sp_account_list_get_source() now gives another source (or none) for @account: its kind
   * changed, or it was just added. Whoever watches the old source moves to the new one.
   */
  signals[SOURCE_CHANGED] =
    g_signal_new ("source-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SP_TYPE_ACCOUNT);

  /**
   * SpAccountList::account-removed:
   * @self: the accounts
   * @account: the account that left the list
   *
   * @account was removed, its source stopped and dropped. Windows that show it (the Basix
   * live view, the pbxis panel) close.
   */
  signals[ACCOUNT_REMOVED] =
    g_signal_new ("account-removed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SP_TYPE_ACCOUNT);
}

static void
sp_account_list_init (SpAccountList *self)
{
  self->accounts = g_ptr_array_new_with_free_func (g_object_unref);
  self->transient = g_ptr_array_new_with_free_func (g_object_unref);
  /* The accounts are held by the arrays, as long as they are listed. */
  self->sources = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
}

/**
 * sp_account_list_new:
 * @settings: the app's settings (schema io.github.screenpop.Screenpop)
 * @tracker: where the accounts' call events go
 *
 * Creates the configured accounts and starts the enabled ones.
 *
 * Returns: (transfer full): the accounts
 */
SpAccountList *
sp_account_list_new (GSettings     *settings,
                 SpCallTracker *tracker)
{
  SpAccountList *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (SP_IS_CALL_TRACKER (tracker), NULL);

  self = g_object_new (SP_TYPE_ACCOUNT_LIST, NULL);
  self->settings = g_object_ref (settings);
  self->tracker = g_object_ref (tracker);

  g_signal_connect_object (settings, "changed::accounts",
                           G_CALLBACK (reload), self, G_CONNECT_SWAPPED);
  reload (self);

  return self;
}

/**
 * sp_account_list_lookup:
 *
 * Returns: (transfer none) (nullable): the account with @id
 */
SpAccount *
sp_account_list_lookup (SpAccountList *self,
                    const char *id)
{
  g_return_val_if_fail (SP_IS_ACCOUNT_LIST (self), NULL);

  return find_account (self->accounts, id);
}

/**
 * sp_account_list_create:
 * @kind: the account kind
 * @display_name: the name to show
 *
 * Adds a new, enabled account with default settings. Set its other keys on
 * sp_account_get_settings() right after: the source restarts on connection changes.
 *
 * Returns: (transfer none): the new account
 */
SpAccount *
sp_account_list_create (SpAccountList *self,
                    const char *kind,
                    const char *display_name)
{
  g_auto(GStrv) ids = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) new_ids = NULL;

  g_return_val_if_fail (SP_IS_ACCOUNT_LIST (self), NULL);
  g_return_val_if_fail (kind != NULL, NULL);

  ids = g_settings_get_strv (self->settings, "accounts");
  do
    {
      g_free (id);
      id = g_strdup_printf ("%s-%08x", kind, g_random_int ());
    }
  while (g_strv_contains ((const char * const *) ids, id));

  /* Written before the id is listed, so that the source starts with the right kind. */
  path = g_strconcat (SP_ACCOUNT_PATH_PREFIX, id, "/", NULL);
  settings = g_settings_new_with_path (SP_ACCOUNT_SCHEMA_ID, path);
  g_settings_set_string (settings, "kind", kind);
  g_settings_set_string (settings, "display-name", display_name ? display_name : "");

  g_strv_builder_addv (builder, (const char **) ids);
  g_strv_builder_add (builder, id);
  new_ids = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "accounts", (const char * const *) new_ids);

  return find_account (self->accounts, id);
}

/**
 * sp_account_list_add_transient:
 *
 * Adds an account for this run only (see sp_account_new_transient()) and starts it.
 */
void
sp_account_list_add_transient (SpAccountList *self,
                           SpAccount  *account)
{
  sp_account_list_add_transient_with_source (self, account, NULL);
}

/**
 * sp_account_list_add_transient_with_source:
 * @account: an account for this run only (see sp_account_new_transient())
 * @source: (nullable): the source that connects @account, in place of the one of its
 *   kind; its account must be @account
 *
 * As sp_account_list_add_transient(), with a source made elsewhere: a test's fake source, or
 * one of a kind Screenpop does not list. A change of the account's kind replaces it with
 * the source of the new kind.
 */
void
sp_account_list_add_transient_with_source (SpAccountList *self,
                                       SpAccount  *account,
                                       SpSource   *source)
{
  g_return_if_fail (SP_IS_ACCOUNT_LIST (self));
  g_return_if_fail (SP_IS_ACCOUNT (account));
  g_return_if_fail (source == NULL || SP_IS_SOURCE (source));
  g_return_if_fail (source == NULL || sp_source_get_account (source) == account);

  if (find_account (self->accounts, sp_account_get_id (account)) != NULL)
    return;

  g_ptr_array_add (self->transient, g_object_ref (account));
  g_ptr_array_add (self->accounts, g_object_ref (account));
  setup_account (self, account, source);
  g_list_model_items_changed (G_LIST_MODEL (self), self->accounts->len - 1, 0, 1);
}

/**
 * sp_account_list_get_source:
 * @account_id: an account's id
 *
 * Returns: (transfer none) (nullable): the source that connects the account, or %NULL
 *   when there is no such account or its kind has no source
 */
SpSource *
sp_account_list_get_source (SpAccountList *self,
                        const char *account_id)
{
  SpAccount *account;

  g_return_val_if_fail (SP_IS_ACCOUNT_LIST (self), NULL);

  account = find_account (self->accounts, account_id);
  if (account == NULL)
    return NULL;

  return g_hash_table_lookup (self->sources, account);
}

/**
 * sp_account_list_remove:
 *
 * Removes the account and forgets its settings.
 */
void
sp_account_list_remove (SpAccountList *self,
                    const char *id)
{
  g_auto(GStrv) ids = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) new_ids = NULL;
  SpAccount *account;

  g_return_if_fail (SP_IS_ACCOUNT_LIST (self));

  account = find_account (self->accounts, id);
  if (account == NULL)
    return;

  if (sp_account_is_transient (account))
    {
      g_autoptr(SpAccount) removed = g_object_ref (account);
      guint position;

      g_ptr_array_remove (self->transient, account);
      if (g_ptr_array_find (self->accounts, account, &position))
        {
          g_ptr_array_remove_index (self->accounts, position);
          g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
        }
      teardown_account (self, removed, FALSE);
      return;
    }

  ids = g_settings_get_strv (self->settings, "accounts");
  for (guint i = 0; ids[i] != NULL; i++)
    {
      if (g_strcmp0 (ids[i], id) != 0)
        g_strv_builder_add (builder, ids[i]);
    }
  new_ids = g_strv_builder_end (builder);

  {
    g_autoptr(SpAccount) removed = g_object_ref (account);
    GSettings *settings = sp_account_get_settings (removed);
    g_autoptr(GSettingsSchema) schema = NULL;
    g_auto(GStrv) keys = NULL;

    g_settings_set_strv (self->settings, "accounts", (const char * const *) new_ids);
    /* A removed account leaves no token behind in the keyring. */
    sp_secret_clear_async (id, NULL, NULL, NULL);

    g_object_get (settings, "settings-schema", &schema, NULL);
    keys = g_settings_schema_list_keys (schema);
    for (guint i = 0; keys[i] != NULL; i++)
      g_settings_reset (settings, keys[i]);
  }
}

gboolean
sp_account_list_any_enabled (SpAccountList *self)
{
  g_return_val_if_fail (SP_IS_ACCOUNT_LIST (self), FALSE);

  for (guint i = 0; i < self->accounts->len; i++)
    {
      if (sp_account_get_enabled (g_ptr_array_index (self->accounts, i)))
        return TRUE;
    }

  return FALSE;
}

void
sp_account_list_stop_all (SpAccountList *self)
{
  g_return_if_fail (SP_IS_ACCOUNT_LIST (self));

  for (guint i = 0; i < self->accounts->len; i++)
    {
      SpSource *source = g_hash_table_lookup (self->sources, g_ptr_array_index (self->accounts, i));

      if (source != NULL)
        sp_source_stop (source);
    }
}
