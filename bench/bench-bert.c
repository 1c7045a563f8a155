/* bench-bert.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Decode throughput of our Erlang External Term Format decoder against Erlang's own
 * binary_to_term/1, in one run, on the same bytes: bench-bert.erl writes a realistic
 * 10 000-channel Basix initial_info frame and 1000 small info_event frames, times
 * binary_to_term on them inside Erlang, and we then time sp_bert_decode() on the files it
 * wrote.
 *
 *   bench-bert [--channels N] [--seconds S] [--escript PATH] [--script bench-bert.erl]
 *
 * A regression check (issue 16): decoding the 10 000-channel snapshot must stay at least
 * MIN_RATIO_TO_ERLANG times as fast as Erlang's binary_to_term on the same machine in the
 * same run (6.5x when the issue was written); below that the benchmark fails. A ratio of
 * two measurements of the same run holds on a loaded machine where an absolute figure
 * would not.
 */

#define G_LOG_DOMAIN "bench-bert"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <glib/gstdio.h>

#include "sp-basix-model.h"
#include "sp-bert.h"

#define MIN_RATIO_TO_ERLANG 5.0

typedef struct
{
  guint64 bytes_per_pass;
  guint64 frames_per_pass;
  guint64 passes;
  gint64 usec;
} Measure;

static int opt_channels = 10000;
static double opt_seconds = 2.0;
static char *opt_escript;
static char *opt_script;

static const GOptionEntry entries[] = {
  { "channels", 'n', 0, G_OPTION_ARG_INT, &opt_channels, "Channels in initial_info", "N" },
  { "seconds", 't', 0, G_OPTION_ARG_DOUBLE, &opt_seconds, "CPU time per measurement", "S" },
  { "escript", 0, 0, G_OPTION_ARG_FILENAME, &opt_escript, "The escript program", "PATH" },
  { "script", 0, 0, G_OPTION_ARG_FILENAME, &opt_script, "bench-bert.erl", "PATH" },
  { NULL }
};

static gboolean
parse_erlang_line (const char *out,
                   const char *name,
                   Measure    *m)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], " ", -1);

      if (g_strv_length (f) == 6 && g_str_equal (f[0], "erlang") && g_str_equal (f[1], name))
        {
          m->bytes_per_pass = g_ascii_strtoull (f[2], NULL, 10);
          m->frames_per_pass = g_ascii_strtoull (f[3], NULL, 10);
          m->passes = g_ascii_strtoull (f[4], NULL, 10);
          m->usec = g_ascii_strtoll (f[5], NULL, 10);
          return m->passes > 0 && m->usec > 0;
        }
    }

  return FALSE;
}

static gint64
cpu_time_usec (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* Decodes every frame once per pass, until the time is up; a warm-up pass first, as on
 * the Erlang side. Each document is freed before the next, which is what a client does.
 * Both sides count CPU time, not wall time, so that other load on the machine does not
 * favour either. */
static Measure
time_ours (GPtrArray *frames)
{
  Measure m = { 0 };
  gint64 limit = (gint64) (opt_seconds * G_USEC_PER_SEC);
  gint64 start;

  for (guint i = 0; i < frames->len; i++)
    m.bytes_per_pass += g_bytes_get_size (frames->pdata[i]);
  m.frames_per_pass = frames->len;

  for (gint pass = -1; m.usec < limit || m.passes < 3; pass++)
    {
      start = cpu_time_usec ();
      for (guint i = 0; i < frames->len; i++)
        {
          g_autoptr(GError) error = NULL;
          SpBertDocument *doc = sp_bert_decode (frames->pdata[i], NULL, &error);

          if (doc == NULL)
            g_error ("frame %u: %s", i, error->message);
          sp_bert_document_unref (doc);
        }
      if (pass >= 0)
        {
          m.usec += cpu_time_usec () - start;
          m.passes++;
        }
    }

  return m;
}

/* What a Basix source does with a snapshot on the main loop: decode the frame and apply it
 * to the element model (with the channel field_spec applied before). The best of a few
 * runs, in CPU time (what the work costs) and in wall-clock time (what the main loop would
 * feel on this machine, load included). */
typedef struct
{
  double decode_cpu_ms, apply_cpu_ms, decode_wall_ms, apply_wall_ms;
  guint n_elements;
} ModelTimes;

static ModelTimes
time_model (GBytes *field_spec,
            GBytes *initial)
{
  ModelTimes t = { G_MAXDOUBLE, G_MAXDOUBLE, G_MAXDOUBLE, G_MAXDOUBLE, 0 };

  for (int run = 0; run < 5; run++)
    {
      g_autoptr(SpBasixModel) model = sp_basix_model_new ();
      g_autoptr(SpBertDocument) spec_doc = sp_bert_decode (field_spec, NULL, NULL);
      g_autoptr(SpBasixUpdate) spec = sp_basix_model_apply (model, spec_doc, NULL);
      g_autoptr(SpBertDocument) doc = NULL;
      g_autoptr(SpBasixUpdate) update = NULL;
      g_autoptr(GError) error = NULL;
      gint64 w0, w1, w2, c0, c1, c2;

      g_assert_nonnull (spec);

      w0 = g_get_monotonic_time ();
      c0 = cpu_time_usec ();
      doc = sp_bert_decode (initial, NULL, &error);
      g_assert_no_error (error);
      w1 = g_get_monotonic_time ();
      c1 = cpu_time_usec ();
      update = sp_basix_model_apply (model, doc, &error);
      g_assert_no_error (error);
      w2 = g_get_monotonic_time ();
      c2 = cpu_time_usec ();

      t.decode_wall_ms = MIN (t.decode_wall_ms, (w1 - w0) / 1000.0);
      t.apply_wall_ms = MIN (t.apply_wall_ms, (w2 - w1) / 1000.0);
      t.decode_cpu_ms = MIN (t.decode_cpu_ms, (c1 - c0) / 1000.0);
      t.apply_cpu_ms = MIN (t.apply_cpu_ms, (c2 - c1) / 1000.0);
      t.n_elements = sp_basix_model_get_n_elements (model, "channel");
    }

  return t;
}

static double
mb_per_s (const Measure *m)
{
  return (double) m->bytes_per_pass * m->passes / m->usec;
}

static double
frames_per_s (const Measure *m)
{
  return (double) m->frames_per_pass * m->passes * G_USEC_PER_SEC / m->usec;
}

static void
print_row (const char    *label,
           const Measure *ours,
           const Measure *erlang)
{
  g_print ("%-30s %9.1f MB/s %11.0f frames/s   %9.1f MB/s %11.0f frames/s   %6.2fx\n",
           label, mb_per_s (ours), frames_per_s (ours), mb_per_s (erlang),
           frames_per_s (erlang), mb_per_s (ours) / mb_per_s (erlang));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) initial = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autofree char *dir = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *channels = NULL;
  g_autofree char *seconds = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  char seconds_buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_autoptr(GBytes) field_spec = NULL;
  Measure erl_initial = { 0 }, erl_events = { 0 }, our_initial, our_events;
  ModelTimes model;
  gsize len = 0;
  int status = 0;

  context = g_option_context_new ("- BERT decoding: ours against Erlang's binary_to_term");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  if (opt_escript == NULL)
    opt_escript = g_strdup (g_getenv ("SP_BENCH_ESCRIPT") ? g_getenv ("SP_BENCH_ESCRIPT") : "escript");
  if (opt_script == NULL)
    opt_script = g_build_filename (g_getenv ("SP_BENCH_SRCDIR") ? g_getenv ("SP_BENCH_SRCDIR") : ".",
                                   "bench-bert.erl", NULL);

  dir = g_dir_make_tmp ("bench-bert-XXXXXX", &error);
  g_assert_no_error (error);

  /* Erlang first: it writes the frames and times itself on them. */
  channels = g_strdup_printf ("%d", opt_channels);
  g_ascii_formatd (seconds_buf, sizeof seconds_buf, "%.3f", opt_seconds);
  seconds = g_strdup (seconds_buf);
  {
    const char *args[] = { opt_escript, opt_script, dir, channels, seconds, NULL };

    if (!g_spawn_sync (NULL, (char **) args, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                       &status, &error) ||
        !g_spawn_check_wait_status (status, &error))
      g_error ("%s %s: %s\n%s", opt_escript, opt_script, error->message, err ? err : "");
  }

  if (!parse_erlang_line (out, "initial_info", &erl_initial) ||
      !parse_erlang_line (out, "info_event", &erl_events))
    g_error ("unexpected output from %s:\n%s\n%s", opt_script, out, err);

  path = g_build_filename (dir, "field_spec.bin", NULL);
  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  field_spec = g_bytes_new_take (g_steal_pointer (&contents), len);
  g_unlink (path);
  g_free (path);

  path = g_build_filename (dir, "initial_info.bin", NULL);
  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  g_ptr_array_add (initial, g_bytes_new_take (g_steal_pointer (&contents), len));
  g_unlink (path);
  g_free (path);

  path = g_build_filename (dir, "info_events.bin", NULL);
  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  for (gsize off = 0; off + 4 <= len;)
    {
      const guint8 *p = (const guint8 *) contents + off;
      guint32 n = (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];

      g_assert_cmpuint (off + 4 + n, <=, len);
      g_ptr_array_add (events, g_bytes_new (p + 4, n));
      off += 4 + n;
    }
  g_unlink (path);
  g_rmdir (dir);

  our_initial = time_ours (initial);
  our_events = time_ours (events);

  {
    g_autoptr(SpBertDocument) doc = sp_bert_decode (initial->pdata[0], NULL, NULL);

    g_autofree char *label = g_strdup_printf ("initial_info (%d channels)", opt_channels);
    const char *otp = strstr (out, "otp ");
    g_autofree char *release = otp != NULL ? g_strndup (otp + 4, strcspn (otp + 4, "\n")) : NULL;

    g_print ("BERT decoding, ours (sp_bert_decode) against Erlang/OTP %s binary_to_term/1, "
             "same bytes\n", release != NULL ? release : "?");
    g_print ("initial_info: %d channels, %" G_GSIZE_FORMAT " bytes, %" G_GSIZE_FORMAT
             " terms; info_event: %u frames, %" G_GUINT64_FORMAT " bytes on average\n",
             opt_channels, g_bytes_get_size (initial->pdata[0]),
             sp_bert_document_get_n_terms (doc), events->len,
             our_events.bytes_per_pass / MAX (our_events.frames_per_pass, 1));
    g_print ("%-30s %-33s   %-33s   %s\n", "(CPU time)", "ours", "Erlang binary_to_term",
             "ratio");
    print_row (label, &our_initial, &erl_initial);
    print_row ("info_event (small frames)", &our_events, &erl_events);
  }

  model = time_model (field_spec, initial->pdata[0]);
  g_print ("initial_info into SpBasixModel (%u channels, best of 5): decode %.1f ms + apply "
           "%.1f ms = %.1f ms CPU; %.1f ms wall clock on this machine now "
           "(a main-loop stall if done in one go; target < 50 ms)\n",
           model.n_elements, model.decode_cpu_ms, model.apply_cpu_ms,
           model.decode_cpu_ms + model.apply_cpu_ms,
           model.decode_wall_ms + model.apply_wall_ms);

  g_free (opt_escript);
  g_free (opt_script);

  /* Issue 16: keep the snapshot decode at least MIN_RATIO_TO_ERLANG times Erlang's (it was
   * 6.5x when the issue was filed). CPU time on both sides, so a loaded machine hurts both
   * alike. */
  {
    double ratio = mb_per_s (&our_initial) / mb_per_s (&erl_initial);

    g_print ("regression check: initial_info decode %.2fx Erlang's binary_to_term, at least "
             "%.0fx required: %s\n", ratio, MIN_RATIO_TO_ERLANG,
             ratio >= MIN_RATIO_TO_ERLANG ? "met" : "REGRESSED");
    if (ratio < MIN_RATIO_TO_ERLANG)
      return 1;
  }

  return 0;
}
