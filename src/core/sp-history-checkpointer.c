/* sp-history-checkpointer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-history"

#include "config.h"

#include "sp-history-checkpointer.h"

/*
 * The history's WAL checkpoints, on a thread of their own (issue 16). SQLite checkpoints
 * from the connection that commits, once the WAL passes 1 000 pages: with the history
 * committing every main-loop iteration that was a copy into the database and three
 * fdatasyncs, about 5 ms, on the main thread every second or so of a flood of calls — the
 * worst of the latency from a ring to its notification. The main connection's commits now
 * only append to the WAL (synchronous = NORMAL: a commit survives a crash of the app, and
 * the checkpoint's syncs keep the database itself whole); its WAL hook wakes this thread,
 * which checkpoints through a connection of its own. A PASSIVE checkpoint never waits for
 * the writer nor makes it wait, so the main thread is not held up. What the thread has not
 * checkpointed yet stays in the WAL, which SQLite reads and recovers as a matter of course;
 * the main connection's close checkpoints the rest.
 */

/* SQLite's own default for its automatic checkpoint. */
#define CHECKPOINT_PAGES 1000

struct _SpHistoryCheckpointer
{
  sqlite3  *db;         /* the main connection, whose WAL hook this is */
  char     *path;
  GThread  *thread;
  GMutex    lock;
  GCond     cond;
  gboolean  wanted;     /* under lock: a checkpoint is due */
  gboolean  quit;       /* under lock */
};

static gpointer
checkpoint_thread (gpointer user_data)
{
  SpHistoryCheckpointer *self = user_data;
  sqlite3 *db = NULL;

  g_mutex_lock (&self->lock);
  for (;;)
    {
      int rc;

      while (!self->wanted && !self->quit)
        g_cond_wait (&self->cond, &self->lock);
      if (self->quit)
        break;
      self->wanted = FALSE;
      g_mutex_unlock (&self->lock);

      if (db == NULL &&
          sqlite3_open_v2 (self->path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        {
          /* Nothing is lost: the WAL just grows until the main connection closes. */
          g_debug ("No checkpoint of %s: %s", self->path, sqlite3_errmsg (db));
          g_clear_pointer (&db, sqlite3_close);
        }
      if (db != NULL)
        {
          sqlite3_exec (db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
          rc = sqlite3_wal_checkpoint_v2 (db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
          if (rc != SQLITE_OK)
            g_debug ("Checkpoint of %s: %s", self->path, sqlite3_errmsg (db));
        }

      g_mutex_lock (&self->lock);
    }
  g_mutex_unlock (&self->lock);

  g_clear_pointer (&db, sqlite3_close);

  return NULL;
}

/* Runs on the main thread after every commit, with the WAL's size in pages. */
static int
wal_hook (void       *user_data,
          sqlite3    *db,
          const char *db_name,
          int         n_pages)
{
  SpHistoryCheckpointer *self = user_data;

  if (n_pages < CHECKPOINT_PAGES)
    return SQLITE_OK;

  g_mutex_lock (&self->lock);
  if (self->thread == NULL)
    self->thread = g_thread_new ("sp-history-checkpoint", checkpoint_thread, self);
  self->wanted = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);

  return SQLITE_OK;
}

/**
 * sp_history_checkpointer_new:
 * @db: the history's connection, in WAL mode; it must outlive the checkpointer
 * @path: its file
 *
 * Takes over @db's checkpoints (its WAL hook), to run them on a thread of their own.
 */
SpHistoryCheckpointer *
sp_history_checkpointer_new (sqlite3    *db,
                             const char *path)
{
  SpHistoryCheckpointer *self = g_new0 (SpHistoryCheckpointer, 1);

  self->db = db;
  self->path = g_strdup (path);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  /* Replaces SQLite's automatic checkpoint, which is a WAL hook too. */
  sqlite3_wal_hook (db, wal_hook, self);

  return self;
}

/* Stops the thread, after the checkpoint it may be running; the main connection's close
 * checkpoints what is left. */
void
sp_history_checkpointer_free (SpHistoryCheckpointer *self)
{
  if (self == NULL)
    return;

  sqlite3_wal_hook (self->db, NULL, NULL);

  g_mutex_lock (&self->lock);
  self->quit = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
  g_clear_pointer (&self->thread, g_thread_join);

  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self->path);
  g_free (self);
}
