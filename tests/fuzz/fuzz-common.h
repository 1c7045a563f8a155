/* fuzz-common.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* What every fuzz target does first, from its LLVMFuzzerInitialize():
 *
 * - a warning or a critical is a crash: a g_return_if_fail() that fires on hostile input
 *   is a bug even when nothing crashes (sp_bert_term_get_int64's "term != NULL" was one);
 * - inputs up to FUZZ_MAX_INPUT. libFuzzer's -max_len defaults to the largest input of the
 *   corpus, and at least 4096 bytes: the deep-JSON crash needed about 150 KB, and was
 *   missed. libFuzzer parses its flags after LLVMFuzzerInitialize(), so a -max_len added
 *   to the arguments here counts, unless the command line gives one of its own.
 *
 * The replay driver (fuzz-driver.c) skips arguments that start with "-", as libFuzzer's
 * flags. */

#pragma once

#include <string.h>

#include <glib.h>

#define FUZZ_MAX_INPUT_BYTES 262144
#define FUZZ_MAX_INPUT FUZZ_MAX_INPUT_BYTES

static inline void
fuzz_init (int    *argc,
           char ***argv)
{
  static char *args[256];
  int n = MIN (*argc, (int) G_N_ELEMENTS (args) - 2);

  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  for (int i = 0; i < *argc; i++)
    {
      if (g_str_has_prefix ((*argv)[i], "-max_len="))
        return;
    }

  /* Kept for the life of the process, as libFuzzer keeps argv. */
  for (int i = 0; i < n; i++)
    args[i] = (*argv)[i];
  args[n++] = (char *) "-max_len=" G_STRINGIFY (FUZZ_MAX_INPUT_BYTES);
  args[n] = NULL;
  *argc = n;
  *argv = args;
}
