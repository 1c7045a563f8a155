/* sp-test-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-test-util"

#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <glib-unix.h>

#include "sp-test-util.h"

/* Conditions are also re-checked this often, for those that look at state outside this
 * process (a D-Bus service, a child) and so would not wake the main context by themselves. */
#define TICK_MS 50

static gboolean
on_deadline (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;

  return G_SOURCE_REMOVE;
}

static gboolean
on_tick (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/**
 * sp_test_wait_until:
 * @condition: returns %TRUE once the awaited state is reached
 * @user_data: passed to @condition
 * @timeout_ms: how long to wait at most
 *
 * Iterates the default main context until @condition holds or @timeout_ms elapse. The
 * code under test runs in this same thread, so this is how a test lets it work.
 *
 * Returns: %TRUE if @condition holds, %FALSE on timeout
 */
gboolean
sp_test_wait_until (SpTestCondition condition,
                    gpointer        user_data,
                    guint           timeout_ms)
{
  gboolean expired = FALSE;
  gboolean result;
  guint deadline_id;
  guint tick_id;

  g_return_val_if_fail (condition != NULL, FALSE);

  deadline_id = g_timeout_add (timeout_ms, on_deadline, &expired);
  tick_id = g_timeout_add (TICK_MS, on_tick, NULL);

  while (!(result = condition (user_data)) && !expired)
    g_main_context_iteration (NULL, TRUE);

  if (!expired)
    g_source_remove (deadline_id);
  g_source_remove (tick_id);

  return result;
}

static gboolean
never (gpointer user_data)
{
  return FALSE;
}

/**
 * sp_test_run_for:
 * @ms: how long
 *
 * Iterates the default main context for @ms milliseconds, to show that something does
 * *not* happen within that time.
 */
void
sp_test_run_for (guint ms)
{
  sp_test_wait_until (never, NULL, ms);
}

/**
 * sp_test_find_free_port:
 *
 * Finds a TCP port on 127.0.0.1 that nothing listens on right now, for tests that must
 * know a port before the server exists (a restart on the same port). Prefer port 0 where
 * the server can pick its own.
 *
 * Returns: the port
 */
guint16
sp_test_find_free_port (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  guint16 port;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);

  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, 0);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);

  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  g_socket_close (socket, &error);
  g_assert_no_error (error);

  return port;
}

/**
 * sp_test_thread_cpu_usec:
 *
 * The CPU time of the calling thread, for stall measurements: a gap between two ticks in
 * which the thread did little work was the machine running others (two cores shared by many
 * processes), not a stall of ours.
 *
 * Returns: microseconds of CPU time this thread has used
 */
gint64
sp_test_thread_cpu_usec (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);

  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/**
 * sp_test_dbus_up:
 * @bus: a private bus
 *
 * g_test_dbus_up(), and then every descriptor of this process above stderr is made
 * close-on-exec. The first GTestDBus forks a watcher (a copy of the test) that kills the
 * bus daemons once the test's end of a pipe closes; GLib 2.74 makes that pipe without
 * close-on-exec, and GSubprocess leaves descriptors open in its children. Every child the
 * test starts later (the app, python-dbusmock) then holds the pipe, the watcher never sees
 * the test go, the daemons live on, and so do the children waiting for them: the watcher
 * keeps meson's output pipe open and meson waits for the test until its timeout although
 * the test has ended (test-app on CI). Descriptors a child is given on purpose are duplicated
 * into it by GSubprocess, which close-on-exec does not affect.
 */
void
sp_test_dbus_up (GTestDBus *bus)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_test_dbus_up (bus);

  dir = g_dir_open ("/proc/self/fd", 0, NULL);
  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      int fd = atoi (name);
      int flags;

      if (fd <= STDERR_FILENO)
        continue;
      flags = fcntl (fd, F_GETFD);
      if (flags >= 0 && (flags & FD_CLOEXEC) == 0)
        fcntl (fd, F_SETFD, flags | FD_CLOEXEC);
    }
}

/**
 * sp_test_start_xvfb:
 * @screen: the screen's geometry and depth, e.g. "1280x800x24"
 * @display: (out): the new server's display, e.g. ":3"
 *
 * Starts an X server of the test's own, on a display number it picks itself, and returns
 * once it accepts clients. Tests that look at windows from outside (xdotool, a tray host)
 * use one, so that nothing else on the machine's display (another test's window) gets in
 * the way.
 *
 * Returns: (transfer full): the server; force it to exit when done
 */
GSubprocess *
sp_test_start_xvfb (const char  *screen,
                    char       **display)
{
  /* Silent: a server left behind by a test that aborted must not hold the test's output
   * open (meson would wait for it until the timeout). */
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GError) error = NULL;
  GSubprocess *xvfb;
  char number[16] = { 0 };
  gsize length = 0;
  int fds[2];

  g_assert_true (g_unix_open_pipe (fds, FD_CLOEXEC, &error));
  g_subprocess_launcher_take_fd (launcher, fds[1], 3);
  /* -noreset: an X server resets when its last client goes, and refuses connections for
   * that moment; an app started just after another quit then fails with "cannot open
   * display". */
  xvfb = g_subprocess_launcher_spawn (launcher, &error, "Xvfb", "-displayfd", "3",
                                      "-screen", "0", screen, "-nolisten", "tcp", "-noreset",
                                      NULL);
  g_assert_no_error (error);

  /* Xvfb writes its display number, then a newline, once it accepts clients. */
  while (length < sizeof number - 1)
    {
      gssize n = read (fds[0], number + length, 1);

      g_assert_cmpint (n, ==, 1);
      if (number[length] == '\n')
        break;
      length++;
    }
  number[length] = '\0';
  close (fds[0]);
  *display = g_strconcat (":", number, NULL);

  return xvfb;
}

/**
 * sp_test_remove_tree:
 * @path: a directory
 *
 * Removes @path and everything below it, as `rm -rf` would, for the temporary directories
 * of tests. Symbolic links are removed, never followed. Errors are ignored: what cannot be
 * removed stays behind in the temporary directory.
 */
void
sp_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_return_if_fail (path != NULL);

  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        sp_test_remove_tree (child);
      else
        g_unlink (child);
    }

  g_rmdir (path);
}

/* Log capture. GLib allows one writer function per process, so one writer is installed
 * the first time a capture is made and serves every capture after that. It forwards each
 * message to the default writer, so output and fatality do not change. Messages logged
 * with the old g_log() API reach the writer too (through g_log_default_handler), except
 * those consumed by g_test_expect_message(). */

typedef struct
{
  char           *domain;
  GLogLevelFlags  level;
  char           *message;
} LogEntry;

struct _SpTestLogCapture
{
  char      *domain;
  GPtrArray *entries;
};

static GMutex log_lock;
static GPtrArray *log_captures;

static void
log_entry_free (gpointer data)
{
  LogEntry *entry = data;

  g_free (entry->domain);
  g_free (entry->message);
  g_free (entry);
}

static char *
dup_field (const GLogField *field)
{
  if (field->length < 0)
    return g_strdup (field->value);

  return g_strndup (field->value, field->length);
}

static GLogWriterOutput
capture_writer (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  g_autofree char *domain = NULL;
  g_autofree char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = dup_field (&fields[i]);
      else if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        message = dup_field (&fields[i]);
    }

  g_mutex_lock (&log_lock);
  for (guint i = 0; log_captures != NULL && i < log_captures->len; i++)
    {
      SpTestLogCapture *capture = g_ptr_array_index (log_captures, i);
      LogEntry *entry;

      if (capture->domain != NULL && g_strcmp0 (capture->domain, domain) != 0)
        continue;

      entry = g_new0 (LogEntry, 1);
      entry->domain = g_strdup (domain);
      entry->level = log_level & G_LOG_LEVEL_MASK;
      entry->message = g_strdup (message != NULL ? message : "");
      g_ptr_array_add (capture->entries, entry);
    }
  g_mutex_unlock (&log_lock);

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

/**
 * sp_test_log_capture_new:
 * @domain: (nullable): the log domain to record, or %NULL for all
 *
 * Returns: (transfer full): a capture recording from now on
 */
SpTestLogCapture *
sp_test_log_capture_new (const char *domain)
{
  static gsize writer_installed;
  SpTestLogCapture *capture;

  if (g_once_init_enter (&writer_installed))
    {
      g_log_set_writer_func (capture_writer, NULL, NULL);
      g_once_init_leave (&writer_installed, 1);
    }

  capture = g_new0 (SpTestLogCapture, 1);
  capture->domain = g_strdup (domain);
  capture->entries = g_ptr_array_new_with_free_func (log_entry_free);

  g_mutex_lock (&log_lock);
  if (log_captures == NULL)
    log_captures = g_ptr_array_new ();
  g_ptr_array_add (log_captures, capture);
  g_mutex_unlock (&log_lock);

  return capture;
}

/**
 * sp_test_log_capture_count:
 * @capture: a capture
 * @levels: the levels to count (e.g. `G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_MESSAGE`), or 0 for all
 * @pattern: (nullable): a g_pattern_match_simple() pattern the message must match
 *
 * Returns: how many recorded messages match
 */
guint
sp_test_log_capture_count (SpTestLogCapture *capture,
                           GLogLevelFlags    levels,
                           const char       *pattern)
{
  guint count = 0;

  g_return_val_if_fail (capture != NULL, 0);

  if (levels == 0)
    levels = G_LOG_LEVEL_MASK;

  g_mutex_lock (&log_lock);
  for (guint i = 0; i < capture->entries->len; i++)
    {
      LogEntry *entry = g_ptr_array_index (capture->entries, i);

      if ((entry->level & levels) == 0)
        continue;
      if (pattern != NULL && !g_pattern_match_simple (pattern, entry->message))
        continue;
      count++;
    }
  g_mutex_unlock (&log_lock);

  return count;
}

typedef struct
{
  SpTestLogCapture *capture;
  GLogLevelFlags    levels;
  const char       *pattern;
} CaptureWait;

static gboolean
capture_has (gpointer user_data)
{
  CaptureWait *wait = user_data;

  return sp_test_log_capture_count (wait->capture, wait->levels, wait->pattern) > 0;
}

/**
 * sp_test_log_capture_wait_for:
 * @capture: a capture
 * @levels: as for sp_test_log_capture_count()
 * @pattern: (nullable): as for sp_test_log_capture_count()
 * @timeout_ms: how long to wait at most
 *
 * Iterates the default main context until a matching message has been recorded.
 *
 * Returns: %TRUE if one was
 */
gboolean
sp_test_log_capture_wait_for (SpTestLogCapture *capture,
                              GLogLevelFlags    levels,
                              const char       *pattern,
                              guint             timeout_ms)
{
  CaptureWait wait = { capture, levels, pattern };

  return sp_test_wait_until (capture_has, &wait, timeout_ms);
}

void
sp_test_log_capture_clear (SpTestLogCapture *capture)
{
  g_return_if_fail (capture != NULL);

  g_mutex_lock (&log_lock);
  g_ptr_array_set_size (capture->entries, 0);
  g_mutex_unlock (&log_lock);
}

void
sp_test_log_capture_free (SpTestLogCapture *capture)
{
  if (capture == NULL)
    return;

  g_mutex_lock (&log_lock);
  g_ptr_array_remove (log_captures, capture);
  g_mutex_unlock (&log_lock);

  g_ptr_array_unref (capture->entries);
  g_free (capture->domain);
  g_free (capture);
}

/* Data-driven parser tests */

typedef struct
{
  char               *path;
  SpTestDescribeFunc  describe;
  SpTestDataFlags     flags;
} DataCase;

static void
data_case_free (gpointer data)
{
  DataCase *data_case = data;

  g_free (data_case->path);
  g_free (data_case);
}

static void
test_data_case (gconstpointer user_data)
{
  const DataCase *data_case = user_data;
  g_autofree char *stem = g_strndup (data_case->path, strlen (data_case->path) - strlen (".json"));
  g_autofree char *expected_path = g_strconcat (stem, ".expected", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *actual = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  g_file_get_contents (data_case->path, &contents, &length, &error);
  g_assert_no_error (error);

  if ((data_case->flags & SP_TEST_DATA_STRIP_NEWLINE) && length > 0 && contents[length - 1] == '\n')
    length--;

  /* An exact-size copy: a parser must not expect a NUL terminator. */
  copy = g_memdup2 (contents, length);
  actual = data_case->describe (length > 0 ? copy : "", length);

  if (g_getenv ("SP_TEST_REGENERATE") != NULL)
    {
      g_file_set_contents (expected_path, actual, -1, &error);
      g_assert_no_error (error);
      return;
    }

  g_file_get_contents (expected_path, &expected, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (actual, ==, expected);
}

/**
 * sp_test_add_data_cases:
 * @test_prefix: the test path the cases go under, e.g. "/pbxis/events"
 * @data_dir: the folder below tests/data, e.g. "pbxis/events"
 * @describe: what turns a file's bytes into the text to compare
 * @flags: how a file's bytes are given to @describe
 * @at_least: fewer files than this fails (a folder emptied by mistake)
 *
 * Adds one test per NAME.json in @data_dir, in name order: @describe's text for it must be
 * NAME.expected to the byte. With `SP_TEST_REGENERATE=1` the test writes NAME.expected
 * instead, for review with git diff.
 */
void
sp_test_add_data_cases (const char         *test_prefix,
                        const char         *data_dir,
                        SpTestDescribeFunc  describe,
                        SpTestDataFlags     flags,
                        guint               at_least)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "data", data_dir, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;

  dir = g_dir_open (dir_path, 0, &error);
  g_assert_no_error (error);

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      if (g_str_has_suffix (name, ".json"))
        g_ptr_array_add (names, g_strdup (name));
    }
  g_ptr_array_sort (names, (GCompareFunc) (void (*) (void)) g_ascii_strcasecmp);
  g_assert_cmpuint (names->len, >=, at_least);

  for (guint i = 0; i < names->len; i++)
    {
      const char *file = g_ptr_array_index (names, i);
      g_autofree char *base = g_strndup (file, strlen (file) - strlen (".json"));
      g_autofree char *test_path = g_strconcat (test_prefix, "/", base, NULL);
      DataCase *data_case = g_new0 (DataCase, 1);

      data_case->path = g_build_filename (dir_path, file, NULL);
      data_case->describe = describe;
      data_case->flags = flags;
      g_test_add_data_func_full (test_path, data_case, test_data_case, data_case_free);
    }
}

/**
 * sp_test_make_self_signed:
 * @dir: where to write the certificate and its key
 * @fingerprint: (out): its SHA-256 fingerprint as openssl prints it ("AB:CD:…")
 *
 * A self-signed certificate for 127.0.0.1, made by openssl, as an administrator makes one
 * for a PBX. Without openssl the test is marked skipped.
 *
 * Returns: (transfer full) (nullable): the certificate with its key, or %NULL (skipped)
 */
GTlsCertificate *
sp_test_make_self_signed (const char  *dir,
                          char       **fingerprint)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  g_autofree char *out = NULL;
  const char *make[] = {
    "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
    "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
    "-addext", "subjectAltName=IP:127.0.0.1", NULL
  };
  const char *print[] = { "openssl", "x509", "-in", cert, "-noout", "-fingerprint", "-sha256", NULL };
  int status;

  *fingerprint = NULL;
  if (openssl == NULL)
    {
      g_test_skip ("openssl is not installed");
      return NULL;
    }

  g_spawn_sync (NULL, (char **) make, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  g_spawn_sync (NULL, (char **) print, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  /* "sha256 Fingerprint=AB:CD:…" (the prefix differs between versions) */
  g_assert_nonnull (strchr (out, '='));
  *fingerprint = g_strstrip (g_strdup (strchr (out, '=') + 1));

  return g_tls_certificate_new_from_files (cert, key, &error);
}
