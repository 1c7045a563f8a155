/* screenpop-bert.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "screenpop-bert"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "sp-bert.h"

/* A debugging aid: prints frames captured from a Basix server (or any Erlang External Term
 * Format data) as JSON with type tags, using exactly the decoder and limits the app uses,
 * so that what it rejects here it rejects in the app, with the same message. */

static gboolean opt_compact;
static gboolean opt_hex;
static gboolean opt_stats;
static int opt_max_depth;
static gint64 opt_max_size;
static char **opt_files;

static const GOptionEntry entries[] = {
  { "compact", 'c', 0, G_OPTION_ARG_NONE, &opt_compact, "Print each term on one line", NULL },
  { "hex", 'x', 0, G_OPTION_ARG_NONE, &opt_hex,
    "Input is hexadecimal text (whitespace, colons and 0x prefixes ignored)", NULL },
  { "stats", 's', 0, G_OPTION_ARG_NONE, &opt_stats,
    "Print the size, number of terms and decoding time to stderr", NULL },
  { "max-depth", 0, 0, G_OPTION_ARG_INT, &opt_max_depth, "Nesting limit", "N" },
  { "max-size", 0, 0, G_OPTION_ARG_INT64, &opt_max_size, "Size limit in bytes", "BYTES" },
  { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_files, NULL, "[FILE…]" },
  { NULL }
};

static GBytes *
read_stdin (GError **error)
{
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  guint8 chunk[65536];
  size_t n;

  while ((n = fread (chunk, 1, sizeof chunk, stdin)) > 0)
    g_byte_array_append (buf, chunk, (guint) n);

  if (ferror (stdin))
    {
      g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_IO, "cannot read standard input");
      return NULL;
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&buf));
}

static GBytes *
parse_hex (GBytes  *text,
           GError **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  gsize len;
  const char *s = g_bytes_get_data (text, &len);
  int high = -1;

  for (gsize i = 0; i < len; i++)
    {
      int v;

      if (g_ascii_isspace (s[i]) || s[i] == ':' || s[i] == ',')
        continue;
      if (s[i] == '0' && i + 1 < len && (s[i + 1] == 'x' || s[i + 1] == 'X') && high < 0)
        {
          i++;
          continue;
        }

      v = g_ascii_xdigit_value (s[i]);
      if (v < 0)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       "not a hex digit at position %" G_GSIZE_FORMAT ": '%c'", i, s[i]);
          return NULL;
        }

      if (high < 0)
        {
          high = v;
        }
      else
        {
          guint8 byte = (guint8) (high << 4 | v);

          g_byte_array_append (out, &byte, 1);
          high = -1;
        }
    }

  if (high >= 0)
    {
      g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "odd number of hex digits");
      return NULL;
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static gboolean
print_frame (const char         *name,
             const SpBertLimits *limits)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(SpBertDocument) doc = NULL;
  g_autofree char *json = NULL;
  gint64 start;

  if (g_strcmp0 (name, "-") == 0)
    {
      bytes = read_stdin (&error);
    }
  else
    {
      char *contents = NULL;
      gsize len = 0;

      if (g_file_get_contents (name, &contents, &len, &error))
        bytes = g_bytes_new_take (contents, len);
    }

  if (bytes != NULL && opt_hex)
    {
      g_autoptr(GBytes) text = g_steal_pointer (&bytes);

      bytes = parse_hex (text, &error);
    }

  if (bytes == NULL)
    {
      g_printerr ("%s: %s\n", name, error->message);
      return FALSE;
    }

  start = g_get_monotonic_time ();
  doc = sp_bert_decode (bytes, limits, &error);
  if (doc == NULL)
    {
      g_printerr ("%s: %s\n", name, error->message);
      return FALSE;
    }

  if (opt_stats)
    g_printerr ("%s: %" G_GSIZE_FORMAT " bytes, %" G_GSIZE_FORMAT " terms, decoded in %"
                G_GINT64_FORMAT " us\n", name, g_bytes_get_size (bytes),
                sp_bert_document_get_n_terms (doc), g_get_monotonic_time () - start);

  /* JSON is UTF-8 whatever the locale; g_print() would convert it to the locale's
   * charset and turn Japanese labels into question marks. */
  json = sp_bert_term_to_json (sp_bert_document_get_root (doc), !opt_compact);
  fputs (json, stdout);
  fputc ('\n', stdout);
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  SpBertLimits limits = { 0 };
  gboolean ok = TRUE;

  context = g_option_context_new ("- print Erlang External Term Format frames as JSON");
  g_option_context_set_description (context,
    "Reads each FILE (standard input if none, or for \"-\"): one frame, the version byte 131 "
    "and one term, as a Basix ws_cti server sends it in a binary WebSocket message.\n"
    "Every value is printed as an object naming its kind, e.g. "
    "{\"tuple\":[{\"atom\":\"info_event\"},…]}.\n"
    "Exit status: 0 if every frame decoded, 1 if one was rejected, 2 on bad usage.");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("screenpop-bert: %s\n", error->message);
      return 2;
    }

  if (opt_max_depth < 0 || opt_max_size < 0)
    {
      g_printerr ("screenpop-bert: limits must be positive\n");
      return 2;
    }
  limits.max_depth = (guint) opt_max_depth;
  limits.max_size = (gsize) opt_max_size;

  if (opt_files == NULL || opt_files[0] == NULL)
    {
      ok = print_frame ("-", &limits);
    }
  else
    {
      for (guint i = 0; opt_files[i] != NULL; i++)
        ok &= print_frame (opt_files[i], &limits);
    }

  g_strfreev (opt_files);

  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
