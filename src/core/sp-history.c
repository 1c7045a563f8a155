/* sp-history.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-history"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "sp-history.h"
#include "sp-history-checkpointer.h"

/*
 * The call history: every finished call, in SQLite in the user data directory. A call is
 * written as soon as it starts, as "open" (OPEN_OUTCOME), and again when it ends; the calls
 * still live when Screenpop quits are closed with an unknown end
 * (sp_history_close_live_calls()), and those a crash left open are closed at the next
 * start (sp_history_recover()), so that no call that rang is missing. The schema
 * is versioned with PRAGMA user_version and migrated forward step by step; a file from a
 * newer Screenpop is left alone. History is a convenience: when the database cannot be
 * opened or written, the error is kept for the window to show and calls keep popping up.
 */

#define SCHEMA_VERSION 2

/* The outcome of a call that has not ended yet; never shown: it becomes "answered" or "rang"
 * when Screenpop quits or starts again. */
#define OPEN_OUTCOME "open"

struct _SpHistory
{
  GObject  parent_instance;

  char         *path;
  sqlite3      *db;
  char         *last_error;
  sqlite3_stmt *insert;       /* prepared once: add_call() runs for every call */
  sqlite3_stmt *insert_open;  /* prepared once: write_open_call() runs for every ring */
  guint         commit_id;    /* the batch's transaction is open until this runs */
  SpHistoryCheckpointer *checkpointer;  /* the WAL's checkpoints, off the main thread */
};

enum {
  PROP_0,
  PROP_LAST_ERROR,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (SpHistory, sp_history, G_TYPE_OBJECT)
G_DEFINE_QUARK (sp-history-error-quark, sp_history_error)

static GParamSpec *properties [N_PROPS];

static gboolean add_call (SpHistory   *self,
                          SpCall      *call,
                          const char  *url,
                          GError     **error);
static gboolean write_open_call (SpHistory   *self,
                                 SpCall      *call,
                                 GError     **error);

/* Each step brings the schema from version i to i + 1. */
static const char * const migrations[SCHEMA_VERSION] = {
  "CREATE TABLE calls ("
  "  id INTEGER PRIMARY KEY,"
  "  account TEXT NOT NULL,"
  "  call_id TEXT NOT NULL,"
  "  outgoing INTEGER NOT NULL DEFAULT 0,"
  "  number TEXT, name TEXT, exten TEXT, queue TEXT,"
  "  started INTEGER NOT NULL, answered INTEGER NOT NULL DEFAULT 0,"
  "  ended INTEGER NOT NULL DEFAULT 0,"
  "  outcome TEXT NOT NULL,"
  "  talk_seconds INTEGER NOT NULL DEFAULT 0,"
  "  url TEXT,"
  "  UNIQUE (account, call_id));"
  "CREATE INDEX calls_started ON calls (started);",
  /* 2: caller identification: who a directory said the caller is, and the number's key */
  "ALTER TABLE calls ADD COLUMN company TEXT;"
  "ALTER TABLE calls ADD COLUMN e164 TEXT;",
};

static void
set_last_error (SpHistory  *self,
                const char *message)
{
  if (g_strcmp0 (self->last_error, message) == 0)
    return;

  g_free (self->last_error);
  self->last_error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

static gboolean
fail (SpHistory  *self,
      int         code,
      GError    **error,
      const char *what)
{
  int rc = sqlite3_errcode (self->db);

  if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT)
    g_set_error (error, SP_HISTORY_ERROR, SP_HISTORY_ERROR_CORRUPT,
                 _("The call history in %s is damaged (%s). Move the file away to start a new history."),
                 self->path, sqlite3_errmsg (self->db));
  else
    g_set_error (error, SP_HISTORY_ERROR, code, _("Could not %s the call history in %s: %s"),
                 what, self->path, sqlite3_errmsg (self->db));

  return FALSE;
}

static gboolean
migrate (SpHistory  *self,
         GError    **error)
{
  sqlite3_stmt *stmt = NULL;
  int version;

  if (sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK ||
      sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_finalize (stmt);
      return fail (self, SP_HISTORY_ERROR_OPEN, error, _("read"));
    }
  version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);

  if (version > SCHEMA_VERSION)
    {
      g_set_error (error, SP_HISTORY_ERROR, SP_HISTORY_ERROR_TOO_NEW,
                   _("The call history in %s was written by a newer Screenpop (schema %d); it is left as it is"),
                   self->path, version);
      return FALSE;
    }

  for (; version < SCHEMA_VERSION; version++)
    {
      g_autofree char *sql = g_strdup_printf ("BEGIN; %s PRAGMA user_version = %d; COMMIT;",
                                              migrations[version], version + 1);

      if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        {
          fail (self, SP_HISTORY_ERROR_WRITE, error, _("update"));
          sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
    }

  return TRUE;
}

static const char *
outcome_of (SpCall *call)
{
  switch (sp_call_get_state (call))
    {
    case SP_CALL_STATE_ANSWERED:
    case SP_CALL_STATE_ENDED:
      return "answered";
    case SP_CALL_STATE_MISSED:
      return "missed";
    case SP_CALL_STATE_RINGING:
    case SP_CALL_STATE_EXPIRED:
    default:
      return "rang";
    }
}

/* Writes are batched: the first of a main-loop iteration opens a transaction, and it is
 * committed at the next iteration, so that a burst of calls costs one commit rather than
 * one per call (issue 16). A read on the same connection sees the batch already. */
static void
commit_batch (SpHistory *self)
{
  g_clear_handle_id (&self->commit_id, g_source_remove);

  if (self->db == NULL || sqlite3_get_autocommit (self->db))
    return;

  if (sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    {
      g_message ("Calls not kept in the history: %s", sqlite3_errmsg (self->db));
      set_last_error (self, sqlite3_errmsg (self->db));
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
    }
}

static gboolean
commit_cb (gpointer user_data)
{
  SpHistory *self = user_data;

  self->commit_id = 0;
  commit_batch (self);

  return G_SOURCE_REMOVE;
}

static gboolean
begin_batch (SpHistory *self)
{
  if (!sqlite3_get_autocommit (self->db))
    return TRUE;

  if (sqlite3_exec (self->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
    return FALSE;

  /* G_PRIORITY_DEFAULT: committed in the next iteration even while a flood keeps the
   * main loop busy. */
  self->commit_id = g_idle_add_full (G_PRIORITY_DEFAULT, commit_cb, self, NULL);
  g_source_set_name_by_id (self->commit_id, "[screenpop] history commit");

  return TRUE;
}

static void
call_changed_cb (SpHistory     *self,
                 SpCall        *call,
                 gboolean       state_changed,
                 SpCallTracker *tracker)
{
  g_autoptr(GError) error = NULL;

  if (!state_changed)
    return;

  if (!sp_call_is_finished (call))
    {
      if (!write_open_call (self, call, &error))
        {
          g_message ("Call %s not kept in the history: %s", sp_call_get_call_id (call),
                     error->message);
          set_last_error (self, error->message);
        }
      return;
    }

  if (!add_call (self, call, NULL, &error))
    {
      g_message ("Call %s not kept in the history: %s", sp_call_get_call_id (call), error->message);
      set_last_error (self, error->message);
    }
}

static void
sp_history_finalize (GObject *object)
{
  SpHistory *self = (SpHistory *)object;

  commit_batch (self);
  g_clear_pointer (&self->checkpointer, sp_history_checkpointer_free);
  g_clear_pointer (&self->insert, sqlite3_finalize);
  g_clear_pointer (&self->insert_open, sqlite3_finalize);
  g_clear_pointer (&self->db, sqlite3_close);
  g_free (self->path);
  g_free (self->last_error);

  G_OBJECT_CLASS (sp_history_parent_class)->finalize (object);
}

static void
sp_history_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  SpHistory *self = SP_HISTORY (object);

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
sp_history_class_init (SpHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sp_history_finalize;
  object_class->get_property = sp_history_get_property;

  properties[PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sp_history_init (SpHistory *self)
{
}

/**
 * sp_history_default_path:
 *
 * Returns: (transfer full): where the history lives: $XDG_DATA_HOME/screenpop/history.db
 */
char *
sp_history_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "screenpop", "history.db", NULL);
}

/**
 * sp_history_new:
 * @path: the database file; its folder is created if needed
 * @error: why the history cannot be used, in words
 *
 * Returns: (transfer full) (nullable): the history, migrated to the current schema
 */
SpHistory *
sp_history_new (const char  *path,
                GError     **error)
{
  g_autoptr(SpHistory) self = NULL;
  g_autofree char *dir = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (SP_TYPE_HISTORY, NULL);
  self->path = g_strdup (path);

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, SP_HISTORY_ERROR, SP_HISTORY_ERROR_OPEN,
                   _("Could not create the folder %s for the call history: %s"),
                   dir, g_strerror (saved_errno));
      return NULL;
    }

  if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    {
      fail (self, SP_HISTORY_ERROR_OPEN, error, _("open"));
      return NULL;
    }

  /* One writer, the app itself: WAL keeps the writes off the main loop's back, and with
   * synchronous = NORMAL a commit is an append to the WAL without a sync (a commit survives
   * a crash of the app, if not of the machine). The checkpoints, with their syncs, run on a
   * thread (sp-history-checkpointer.c). */
  sqlite3_busy_timeout (self->db, 500);
  sqlite3_exec (self->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", NULL, NULL, NULL);
  self->checkpointer = sp_history_checkpointer_new (self->db, path);

  if (!migrate (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * sp_history_attach:
 *
 * Keeps every call of @tracker in the history once it is finished.
 */
void
sp_history_attach (SpHistory     *self,
                   SpCallTracker *tracker)
{
  g_return_if_fail (SP_IS_HISTORY (self));
  g_return_if_fail (SP_IS_CALL_TRACKER (tracker));

  g_signal_connect_object (tracker, "call-changed", G_CALLBACK (call_changed_cb), self,
                           G_CONNECT_SWAPPED);
}

/* Adds @call, or updates it if the history has it already; @url (nullable) is the CRM page
 * opened for it. */
static gboolean
add_call (SpHistory   *self,
          SpCall      *call,
          const char  *url,
          GError     **error)
{
  sqlite3_stmt *stmt;
  gint64 answered, ended;
  gboolean ok;
  const SpContact *contact = sp_call_get_contact (call);
  const SpPhoneNumber *phone = sp_call_get_phone_number (call);

  if (self->insert == NULL &&
      sqlite3_prepare_v3 (self->db,
                          "INSERT INTO calls (account, call_id, outgoing, number, name, exten, queue,"
                          "  started, answered, ended, outcome, talk_seconds, url, company, e164)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
                          " ON CONFLICT (account, call_id) DO UPDATE SET"
                          "  number = excluded.number, name = excluded.name, exten = excluded.exten,"
                          "  queue = excluded.queue, answered = excluded.answered, ended = excluded.ended,"
                          "  outcome = excluded.outcome, talk_seconds = excluded.talk_seconds,"
                          "  url = COALESCE (excluded.url, calls.url),"
                          "  company = excluded.company, e164 = excluded.e164",
                          -1, SQLITE_PREPARE_PERSISTENT, &self->insert, NULL) != SQLITE_OK)
    return fail (self, SP_HISTORY_ERROR_WRITE, error, _("write"));

  if (!begin_batch (self))
    return fail (self, SP_HISTORY_ERROR_WRITE, error, _("write"));

  stmt = self->insert;

  answered = sp_call_get_answered (call);
  ended = sp_call_get_ended (call);

  sqlite3_bind_text (stmt, 1, sp_call_get_account_id (call), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, sp_call_get_call_id (call), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 3, sp_call_get_direction (call) == SP_CALL_DIRECTION_OUTGOING);
  sqlite3_bind_text (stmt, 4, sp_call_get_number (call), -1, SQLITE_TRANSIENT);
  /* The name the agent saw: a directory's, else the PBX's. */
  sqlite3_bind_text (stmt, 5, sp_call_get_display_name (call), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, sp_call_get_exten (call), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, sp_call_get_queue (call), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 8, sp_call_get_started (call));
  sqlite3_bind_int64 (stmt, 9, answered);
  sqlite3_bind_int64 (stmt, 10, ended);
  sqlite3_bind_text (stmt, 11, outcome_of (call), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 12, answered > 0 && ended > answered ? (ended - answered) / G_USEC_PER_SEC : 0);
  sqlite3_bind_text (stmt, 13, url, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 14, contact != NULL ? contact->company : NULL, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 15, phone != NULL ? phone->e164 : NULL, -1, SQLITE_TRANSIENT);

  ok = sqlite3_step (stmt) == SQLITE_DONE;
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  if (!ok)
    return fail (self, SP_HISTORY_ERROR_WRITE, error, _("write"));

  set_last_error (self, NULL);
  return TRUE;
}

/* Writes @call, which has not ended, as open: should Screenpop crash or be killed, the next
 * start finds it (sp_history_recover()). A call the history has already is updated. */
static gboolean
write_open_call (SpHistory   *self,
                 SpCall      *call,
                 GError     **error)
{
  sqlite3_stmt *stmt;
  gboolean ok;

  if (self->insert_open == NULL &&
      sqlite3_prepare_v3 (self->db,
                          "INSERT INTO calls (account, call_id, outgoing, number, name, exten, queue,"
                          "  started, answered, outcome)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, '" OPEN_OUTCOME "')"
                          " ON CONFLICT (account, call_id) DO UPDATE SET"
                          "  number = excluded.number, name = excluded.name, exten = excluded.exten,"
                          "  queue = excluded.queue, started = excluded.started,"
                          "  answered = excluded.answered, ended = 0, talk_seconds = 0,"
                          "  outcome = excluded.outcome",
                          -1, SQLITE_PREPARE_PERSISTENT, &self->insert_open, NULL) != SQLITE_OK)
    return fail (self, SP_HISTORY_ERROR_WRITE, error, _("write"));

  /* In the iteration's batch, as every write (issue 16). */
  if (!begin_batch (self))
    return fail (self, SP_HISTORY_ERROR_WRITE, error, _("write"));
  stmt = self->insert_open;

  sqlite3_bind_text (stmt, 1, sp_call_get_account_id (call), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, sp_call_get_call_id (call), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 3, sp_call_get_direction (call) == SP_CALL_DIRECTION_OUTGOING);
  sqlite3_bind_text (stmt, 4, sp_call_get_number (call), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, sp_call_get_name (call), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, sp_call_get_exten (call), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, sp_call_get_queue (call), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 8, sp_call_get_started (call));
  sqlite3_bind_int64 (stmt, 9, sp_call_get_answered (call));

  ok = sqlite3_step (stmt) == SQLITE_DONE;
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  if (!ok)
    return fail (self, SP_HISTORY_ERROR_WRITE, error, _("write"));

  return TRUE;
}

/**
 * sp_history_close_live_calls:
 * @tracker: the calls of this run
 * @error: why not all could be written
 *
 * Writes every call of @tracker that has not ended, for Screenpop is quitting (or the
 * session ending) and nothing will end them: one still ringing as "rang" (its outcome is
 * unknown), one answered as "answered", with no end time.
 *
 * Returns: whether every live call was written
 */
gboolean
sp_history_close_live_calls (SpHistory      *self,
                             SpCallTracker  *tracker,
                             GError        **error)
{
  guint n_items;
  gboolean ok = TRUE;

  g_return_val_if_fail (SP_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (SP_IS_CALL_TRACKER (tracker), FALSE);

  n_items = g_list_model_get_n_items (G_LIST_MODEL (tracker));
  if (n_items == 0)
    return TRUE;

  g_debug ("Writing the %u calls still live", n_items);
  sqlite3_exec (self->db, "BEGIN", NULL, NULL, NULL);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(SpCall) call = g_list_model_get_item (G_LIST_MODEL (tracker), i);
      g_autoptr(GError) local_error = NULL;

      if (!add_call (self, call, NULL, &local_error))
        {
          if (ok)
            g_propagate_error (error, g_steal_pointer (&local_error));
          ok = FALSE;
        }
    }

  sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL);

  return ok;
}

/**
 * sp_history_recover:
 * @error: why the history could not be updated
 *
 * Closes the calls that a previous run left open, because it crashed or was killed while
 * they were live: answered ones as "answered", the others as "rang" (the outcome is
 * unknown), with no end time. Call it once, when the history is opened, before any call
 * of this run.
 *
 * Returns: how many calls were recovered, or -1 with @error set
 */
int
sp_history_recover (SpHistory  *self,
                    GError    **error)
{
  g_return_val_if_fail (SP_IS_HISTORY (self), -1);

  if (sqlite3_exec (self->db,
                    "UPDATE calls SET outcome = CASE WHEN answered > 0 THEN 'answered' ELSE 'rang' END,"
                    "  ended = 0, talk_seconds = 0"
                    " WHERE outcome = '" OPEN_OUTCOME "'",
                    NULL, NULL, NULL) != SQLITE_OK)
    {
      fail (self, SP_HISTORY_ERROR_WRITE, error, _("update"));
      return -1;
    }

  return sqlite3_changes (self->db);
}

static char *
dup_column (sqlite3_stmt *stmt,
            int           column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);

  return text ? g_strdup ((const char *) text) : NULL;
}

/**
 * sp_history_search:
 * @text: (nullable): matched against number, name and queue
 * @filter: all calls, only missed ones, or only those whose outcome is unknown
 * @account_id: (nullable): only this account's calls
 * @limit: at most this many, newest first
 *
 * Returns: (transfer full) (element-type SpHistoryEntry) (nullable): the calls found
 */
GPtrArray *
sp_history_search (SpHistory        *self,
                   const char       *text,
                   SpHistoryFilter   filter,
                   const char       *account_id,
                   guint             limit,
                   GError          **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *pattern = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (SP_IS_HISTORY (self), NULL);

  if (sqlite3_prepare_v2 (self->db,
                          "SELECT id, account, call_id, outgoing, number, name, exten, queue, started,"
                          "  answered, ended, outcome, talk_seconds, url, company, e164 FROM calls"
                          " WHERE (?1 IS NULL OR number LIKE ?1 ESCAPE '\\' OR name LIKE ?1 ESCAPE '\\'"
                          "        OR queue LIKE ?1 ESCAPE '\\' OR company LIKE ?1 ESCAPE '\\'"
                          "        OR e164 LIKE ?1 ESCAPE '\\')"
                          "   AND (?2 IS NULL OR outcome = ?2) AND outcome <> '" OPEN_OUTCOME "'"
                          "   AND (?3 IS NULL OR account = ?3)"
                          " ORDER BY started DESC, id DESC LIMIT ?4",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      fail (self, SP_HISTORY_ERROR_OPEN, error, _("read"));
      return NULL;
    }

  if (text != NULL && *text != '\0')
    {
      g_autoptr(GString) escaped = g_string_new ("%");

      /* The user's text is literal: % and _ are not wildcards there. */
      for (const char *p = text; *p; p++)
        {
          if (*p == '%' || *p == '_' || *p == '\\')
            g_string_append_c (escaped, '\\');
          g_string_append_c (escaped, *p);
        }
      g_string_append_c (escaped, '%');
      pattern = g_string_free (g_steal_pointer (&escaped), FALSE);
    }

  sqlite3_bind_text (stmt, 1, pattern, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, filter == SP_HISTORY_FILTER_MISSED ? "missed"
                              : filter == SP_HISTORY_FILTER_UNKNOWN ? "rang" : NULL,
                     -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, account_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, limit ? limit : G_MAXINT);

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_history_entry_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SpHistoryEntry *entry = g_new0 (SpHistoryEntry, 1);

      entry->row_id = sqlite3_column_int64 (stmt, 0);
      entry->account_id = dup_column (stmt, 1);
      entry->call_id = dup_column (stmt, 2);
      entry->outgoing = sqlite3_column_int (stmt, 3) != 0;
      entry->number = dup_column (stmt, 4);
      entry->name = dup_column (stmt, 5);
      entry->exten = dup_column (stmt, 6);
      entry->queue = dup_column (stmt, 7);
      entry->started = sqlite3_column_int64 (stmt, 8);
      entry->answered = sqlite3_column_int64 (stmt, 9);
      entry->ended = sqlite3_column_int64 (stmt, 10);
      entry->outcome = dup_column (stmt, 11);
      entry->talk_seconds = sqlite3_column_int64 (stmt, 12);
      entry->url = dup_column (stmt, 13);
      entry->company = dup_column (stmt, 14);
      entry->e164 = dup_column (stmt, 15);
      g_ptr_array_add (entries, entry);
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    {
      fail (self, SP_HISTORY_ERROR_OPEN, error, _("read"));
      return NULL;
    }

  return g_steal_pointer (&entries);
}

/**
 * sp_history_count_missed:
 * @since: microseconds since the epoch
 *
 * Returns: how many calls were missed since @since (0 if the history cannot tell)
 */
guint
sp_history_count_missed (SpHistory *self,
                         gint64     since)
{
  sqlite3_stmt *stmt = NULL;
  guint count = 0;

  g_return_val_if_fail (SP_IS_HISTORY (self), 0);

  if (sqlite3_prepare_v2 (self->db,
                          "SELECT COUNT(*) FROM calls WHERE outcome = 'missed' AND started >= ?1",
                          -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, since);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        count = sqlite3_column_int (stmt, 0);
    }
  sqlite3_finalize (stmt);

  return count;
}

static gboolean
exec_delete (SpHistory   *self,
             gint64       before,
             GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ok;

  if (sqlite3_prepare_v2 (self->db, "DELETE FROM calls WHERE started < ?1", -1, &stmt, NULL) != SQLITE_OK)
    return fail (self, SP_HISTORY_ERROR_WRITE, error, _("clean up"));

  sqlite3_bind_int64 (stmt, 1, before);
  ok = sqlite3_step (stmt) == SQLITE_DONE;
  sqlite3_finalize (stmt);

  if (!ok)
    return fail (self, SP_HISTORY_ERROR_WRITE, error, _("clean up"));

  return TRUE;
}

/**
 * sp_history_prune:
 * @days: how many days of history to keep
 *
 * Forgets calls older than @days.
 */
gboolean
sp_history_prune (SpHistory  *self,
                  guint       days,
                  GError    **error)
{
  g_return_val_if_fail (SP_IS_HISTORY (self), FALSE);

  return exec_delete (self, g_get_real_time () - (gint64) days * G_TIME_SPAN_DAY, error);
}

gboolean
sp_history_clear (SpHistory  *self,
                  GError    **error)
{
  g_return_val_if_fail (SP_IS_HISTORY (self), FALSE);

  return exec_delete (self, G_MAXINT64, error);
}

void
sp_history_entry_free (SpHistoryEntry *entry)
{
  if (entry == NULL)
    return;

  g_free (entry->account_id);
  g_free (entry->call_id);
  g_free (entry->number);
  g_free (entry->name);
  g_free (entry->exten);
  g_free (entry->queue);
  g_free (entry->outcome);
  g_free (entry->url);
  g_free (entry->company);
  g_free (entry->e164);
  g_free (entry);
}

/**
 * sp_history_entry_to_call:
 * @entry: a call of the history
 *
 * The call as it ended, for the lists that show the last calls after a restart (the
 * window's Recent Calls, the tray's menu).
 *
 * Returns: (transfer full): a finished call: ended, missed or, when the history does not
 *   know how it ended, expired
 */
SpCall *
sp_history_entry_to_call (const SpHistoryEntry *entry)
{
  g_autoptr(SpCallEvent) ring = NULL;
  g_autoptr(SpCall) call = NULL;

  g_return_val_if_fail (entry != NULL, NULL);

  ring = sp_call_event_new (entry->account_id, entry->call_id, SP_CALL_EVENT_RINGING);
  ring->direction = entry->outgoing ? SP_CALL_DIRECTION_OUTGOING : SP_CALL_DIRECTION_INCOMING;
  ring->number = g_strdup (entry->number);
  ring->name = g_strdup (entry->name);
  ring->exten = g_strdup (entry->exten);
  ring->queue = g_strdup (entry->queue);
  ring->timestamp = entry->started;
  call = sp_call_new_from_event (ring);

  /* Who a directory said it was: the window's rows show the company after a restart too. */
  if (entry->name != NULL && entry->company != NULL)
    {
      g_autoptr(SpContact) contact = sp_contact_new (entry->name);

      contact->company = g_strdup (entry->company);
      sp_call_set_contact (call, contact);
    }

  if (g_strcmp0 (entry->outcome, "answered") == 0 || g_strcmp0 (entry->outcome, "missed") == 0)
    {
      gboolean answered = g_strcmp0 (entry->outcome, "answered") == 0;
      g_autoptr(SpCallEvent) end = sp_call_event_new (entry->account_id, entry->call_id,
                                                      answered ? SP_CALL_EVENT_ENDED
                                                               : SP_CALL_EVENT_MISSED);

      if (answered)
        {
          g_autoptr(SpCallEvent) answer = sp_call_event_new (entry->account_id, entry->call_id,
                                                             SP_CALL_EVENT_ANSWERED);

          answer->timestamp = entry->answered > 0 ? entry->answered : entry->started;
          sp_call_apply_event (call, answer, NULL);
        }
      end->timestamp = entry->ended > 0 ? entry->ended : entry->started;
      sp_call_apply_event (call, end, NULL);
    }

  /* "rang", or an outcome this version does not know: how it ended is unknown. */
  if (!sp_call_is_finished (call))
    sp_call_expire (call);

  return g_steal_pointer (&call);
}
