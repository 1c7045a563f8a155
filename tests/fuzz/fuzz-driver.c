/* fuzz-driver.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Replays inputs through a libFuzzer target without libFuzzer, so that every ordinary
 * build (gcc included) runs the committed corpus as a test:
 *
 *   fuzz-NAME-replay DIR-OR-FILE...
 *
 * Every regular file found directly in a directory, or named itself, is fed once to
 * LLVMFuzzerTestOneInput(), in name order so that failures are reproducible. A crash or
 * failed assertion fails the test; an argument without any input does too, so that a
 * mistyped corpus path cannot pass silently. Arguments that start with "-" are libFuzzer's
 * flags, and skipped. */

#define G_LOG_DOMAIN "fuzz-driver"

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);
/* Optional in a target, as with libFuzzer. */
int LLVMFuzzerInitialize (int    *argc,
                          char ***argv) __attribute__ ((weak));

static gboolean
replay_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree uint8_t *copy = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      fprintf (stderr, "Cannot read %s: %s\n", path, error->message);
      return FALSE;
    }

  /* An exact-size copy, so that a sanitizer catches a read past the end; the target must
   * not expect a NUL terminator either. */
  copy = g_memdup2 (contents, length);
  LLVMFuzzerTestOneInput (copy, length);

  return TRUE;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static guint
replay_directory (const char *path,
                  gboolean   *ok)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  guint count = 0;

  if (dir == NULL)
    {
      fprintf (stderr, "Cannot open %s: %s\n", path, error->message);
      *ok = FALSE;
      return 0;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *file = g_build_filename (path, g_ptr_array_index (names, i), NULL);

      if (!g_file_test (file, G_FILE_TEST_IS_REGULAR))
        continue;

      if (replay_file (file))
        count++;
      else
        *ok = FALSE;
    }

  return count;
}

int
main (int   argc,
      char *argv[])
{
  gboolean ok = TRUE;
  guint total = 0;

  if (LLVMFuzzerInitialize != NULL)
    LLVMFuzzerInitialize (&argc, &argv);

  if (argc < 2)
    {
      fprintf (stderr, "Usage: %s DIR-OR-FILE...\n", argv[0]);
      return EXIT_FAILURE;
    }

  for (int i = 1; i < argc; i++)
    {
      guint count;

      /* libFuzzer's flags, such as the -max_len a target adds (fuzz-common.h). */
      if (argv[i][0] == '-')
        continue;

      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          count = replay_directory (argv[i], &ok);
        }
      else
        {
          count = replay_file (argv[i]) ? 1 : 0;
          ok = ok && count == 1;
        }

      if (count == 0)
        {
          fprintf (stderr, "No input in %s\n", argv[i]);
          ok = FALSE;
        }

      printf ("Replayed %u input(s) from %s\n", count, argv[i]);
      total += count;
    }

  printf ("Replayed %u input(s) in all\n", total);

  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
