/* sp-bert.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-bert"

#include "config.h"

#include <math.h>
#include <string.h>
#include <zlib.h>

#include "sp-bert.h"

/* A decoder of the Erlang External Term Format ("BERT"), as sent by Basix ws_cti.
 *
 * The decoder makes one pass over the bytes. Nodes come from a chunked arena owned by the
 * document, so a frame costs a handful of allocations instead of one per term, and the
 * children of every container are contiguous, so indexing is O(1). Binaries and strings are
 * not copied: they point into the frame (or into the inflated term), which the document
 * keeps alive. Atoms, big integers and bit binaries, which need converting, are copied into
 * a second arena.
 *
 * Every length and count is checked against the bytes that remain before anything is
 * allocated for it, and every container costs at least one byte per element, so the
 * number of nodes can never exceed the number of input bytes. */

enum
{
  TAG_NEW_FLOAT = 70,
  TAG_BIT_BINARY = 77,
  TAG_COMPRESSED = 80,
  TAG_SMALL_INTEGER = 97,
  TAG_INTEGER = 98,
  TAG_FLOAT = 99,
  TAG_ATOM = 100,
  TAG_SMALL_TUPLE = 104,
  TAG_LARGE_TUPLE = 105,
  TAG_NIL = 106,
  TAG_STRING = 107,
  TAG_LIST = 108,
  TAG_BINARY = 109,
  TAG_SMALL_BIG = 110,
  TAG_LARGE_BIG = 111,
  TAG_SMALL_ATOM = 115,
  TAG_MAP = 116,
  TAG_ATOM_UTF8 = 118,
  TAG_SMALL_ATOM_UTF8 = 119,
};

#define VERSION_BYTE 131
#define FLOAT_EXT_LEN 31
/* Erlang refuses atoms of more than 255 characters; so do we. */
#define MAX_ATOM_CHARS 255

#define FIRST_NODE_CHUNK 64
#define MAX_NODE_CHUNK (64 * 1024)
#define FIRST_CHAR_CHUNK 1024
#define MAX_CHAR_CHUNK (256 * 1024)
#define INLINE_MAX_NODES 1024
#define INLINE_CHARS 512

typedef struct _NodeChunk NodeChunk;
struct _NodeChunk
{
  NodeChunk *next;
  gsize capacity;
  SpBertTerm nodes[];
};

/* Big node chunks of freed documents are kept for the next large frame, up to a few
 * megabytes in all. Without this, every snapshot of a big PBX faults in fresh pages for
 * all its nodes (the allocator hands a freed multi-megabyte heap top back to the kernel),
 * which costs as much as decoding itself. Small chunks come from malloc as usual. */
#define SPARE_MIN_NODES 4096
#define SPARE_MAX_BYTES (16 * 1024 * 1024)

G_LOCK_DEFINE_STATIC (spare_chunks);
static NodeChunk *spare_chunks;
static gsize spare_bytes;

static NodeChunk *
node_chunk_new (gsize capacity)
{
  NodeChunk *chunk = NULL;

  if (capacity >= SPARE_MIN_NODES)
    {
      NodeChunk **link;

      G_LOCK (spare_chunks);
      for (link = &spare_chunks; *link != NULL; link = &(*link)->next)
        {
          /* Not more than twice as big: a large chunk is better kept for a large need. */
          if ((*link)->capacity >= capacity && (*link)->capacity / 2 <= capacity)
            {
              chunk = *link;
              *link = chunk->next;
              spare_bytes -= chunk->capacity * sizeof (SpBertTerm);
              break;
            }
        }
      G_UNLOCK (spare_chunks);

      if (chunk != NULL)
        return chunk;
    }

  if (capacity > (G_MAXSIZE - sizeof (NodeChunk)) / sizeof (SpBertTerm))
    return NULL;

  /* Hostile input may ask for up to 16 bytes of nodes per input byte: fail the frame
   * rather than the process if that much memory is not there. */
  chunk = g_try_malloc (sizeof (NodeChunk) + capacity * sizeof (SpBertTerm));
  if (chunk != NULL)
    chunk->capacity = capacity;

  return chunk;
}

static void
node_chunks_free (NodeChunk *chunks)
{
  while (chunks != NULL)
    {
      NodeChunk *next = chunks->next;
      gsize bytes = chunks->capacity * sizeof (SpBertTerm);
      gboolean kept = FALSE;

      if (chunks->capacity >= SPARE_MIN_NODES)
        {
          G_LOCK (spare_chunks);
          if (spare_bytes + bytes <= SPARE_MAX_BYTES)
            {
              chunks->next = spare_chunks;
              spare_chunks = chunks;
              spare_bytes += bytes;
              kept = TRUE;
            }
          G_UNLOCK (spare_chunks);
        }

      if (!kept)
        g_free (chunks);
      chunks = next;
    }
}

typedef struct _CharChunk CharChunk;
struct _CharChunk
{
  CharChunk *next;
  char data[];
};

struct _SpBertDocument
{
  gatomicrefcount ref_count;
  /* The bytes that binary and string terms point into: the frame itself, or the inflated
   * term of a compressed frame. */
  GBytes *bytes;
  NodeChunk *node_chunks;
  CharChunk *char_chunks;
  gsize n_terms;
  SpBertTerm root;
};

/* Atoms repeat: a 10 000-channel snapshot holds a hundred thousand of them, mostly
 * `undefined`, `inbound`, `external` and the like. Large frames remember recent atoms by
 * their wire bytes, so that a repeat costs a compare instead of validation and a copy, and
 * shares one string. */
#define ATOM_CACHE_SIZE 256
#define ATOM_CACHE_MIN_FRAME 4096

typedef struct
{
  const guint8 *raw;
  const char *str;
  guint32 len;
  guint16 raw_len;
  gboolean utf8;
} AtomCacheEntry;

typedef struct
{
  SpBertDocument *doc;
  /* Offsets in messages count from base: the version byte of a plain frame, the first
   * byte of the inflated term of a compressed one. */
  const guint8 *base;
  const guint8 *end;
  gboolean inflated;
  guint max_depth;
  gsize max_bignum_bytes;

  SpBertTerm *node_next;
  gsize node_left;
  gsize node_chunk_size;

  char *char_next;
  gsize char_left;
  gsize char_chunk_size;

  AtomCacheEntry *atom_cache;

  GError **error;
} Decoder;

G_DEFINE_QUARK (sp-bert-error-quark, sp_bert_error)

static const char *
tag_name (guint8 tag)
{
  switch (tag)
    {
    case TAG_NEW_FLOAT: return "NEW_FLOAT";
    case TAG_BIT_BINARY: return "BIT_BINARY";
    case TAG_COMPRESSED: return "COMPRESSED";
    case TAG_SMALL_INTEGER: return "SMALL_INTEGER";
    case TAG_INTEGER: return "INTEGER";
    case TAG_FLOAT: return "FLOAT";
    case TAG_ATOM: return "ATOM";
    case TAG_SMALL_TUPLE: return "SMALL_TUPLE";
    case TAG_LARGE_TUPLE: return "LARGE_TUPLE";
    case TAG_NIL: return "NIL";
    case TAG_STRING: return "STRING";
    case TAG_LIST: return "LIST";
    case TAG_BINARY: return "BINARY";
    case TAG_SMALL_BIG: return "SMALL_BIG";
    case TAG_LARGE_BIG: return "LARGE_BIG";
    case TAG_SMALL_ATOM: return "SMALL_ATOM";
    case TAG_MAP: return "MAP";
    case TAG_ATOM_UTF8: return "ATOM_UTF8";
    case TAG_SMALL_ATOM_UTF8: return "SMALL_ATOM_UTF8";
    default: return "term";
    }
}

/* Tags of the format that only make sense between Erlang nodes. A server message never
 * holds them, and accepting them would mean inventing a representation for process
 * identities; they are named so that the error says what was sent. */
static const char *
unsupported_tag_name (guint8 tag)
{
  switch (tag)
    {
    case 68: return "DISTRIBUTION_HEADER";
    case 69: return "DISTRIBUTION_FRAGMENT_HEADER";
    case 82: return "ATOM_CACHE_REF";
    case 88: return "NEW_PID";
    case 89: return "NEW_PORT";
    case 90: return "NEWER_REFERENCE";
    case 101: return "REFERENCE";
    case 102: return "PORT";
    case 103: return "PID";
    case 112: return "NEW_FUN";
    case 113: return "EXPORT";
    case 114: return "NEW_REFERENCE";
    case 117: return "FUN";
    case 120: return "V4_PORT";
    case 121: return "LOCAL";
    default: return NULL;
    }
}

static inline gsize
offset_of (Decoder      *d,
           const guint8 *p)
{
  return (gsize) (p - d->base);
}

static void G_GNUC_PRINTF (5, 6)
fail (Decoder      *d,
      SpBertError   code,
      const char   *what,
      const guint8 *at,
      const char   *detail_format,
      ...)
{
  g_autofree char *detail = NULL;

  if (d->error == NULL || *d->error != NULL)
    return;

  if (detail_format != NULL)
    {
      va_list args;

      va_start (args, detail_format);
      detail = g_strdup_vprintf (detail_format, args);
      va_end (args);
    }

  g_set_error (d->error, SP_BERT_ERROR, code, "%s at offset %" G_GSIZE_FORMAT "%s%s%s",
               what, offset_of (d, at),
               d->inflated ? " of the inflated term" : "",
               detail != NULL ? ": " : "",
               detail != NULL ? detail : "");
}

static void
fail_truncated (Decoder      *d,
                const guint8 *tagp,
                const guint8 *p,
                guint64       need)
{
  g_autofree char *what = g_strdup_printf ("truncated %s", tag_name (*tagp));

  fail (d, SP_BERT_ERROR_TRUNCATED, what, tagp,
        "needs %" G_GUINT64_FORMAT " bytes, %" G_GSIZE_FORMAT " left",
        need, (gsize) (d->end - p));
}

/* 64-bit, so that "count + 1" or "2 * count" of a 32-bit count cannot wrap around. */
static inline gboolean
has (Decoder      *d,
     const guint8 *p,
     guint64       need)
{
  return (guint64) (d->end - p) >= need;
}

static inline guint16
read_u16 (const guint8 *p)
{
  return (guint16) ((p[0] << 8) | p[1]);
}

static inline guint32
read_u32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* Arenas */

static SpBertTerm *
reserve_nodes_slow (Decoder *d,
                    gsize    n)
{
  NodeChunk *chunk;
  gsize size;

  /* A big container gets a chunk of its own, so that the rest of the current chunk is not
   * wasted; small ones start a new chunk twice the size of the last. */
  if (n >= d->node_chunk_size / 2)
    size = n;
  else
    {
      size = d->node_chunk_size;
      d->node_chunk_size = MIN (d->node_chunk_size * 2, MAX_NODE_CHUNK);
    }

  chunk = node_chunk_new (size);
  if (chunk == NULL)
    return NULL;

  chunk->next = d->doc->node_chunks;
  d->doc->node_chunks = chunk;

  if (size == n)
    return chunk->nodes;

  d->node_next = chunk->nodes + n;
  d->node_left = size - n;
  return chunk->nodes;
}

static inline SpBertTerm *
reserve_nodes (Decoder *d,
               gsize    n)
{
  SpBertTerm *nodes;

  d->doc->n_terms += n;

  if (G_LIKELY (n <= d->node_left))
    {
      nodes = d->node_next;
      d->node_next += n;
      d->node_left -= n;
      return nodes;
    }

  return reserve_nodes_slow (d, n);
}

static char *
alloc_chars_slow (Decoder *d,
                  gsize    n)
{
  CharChunk *chunk;
  gsize size;

  if (n >= d->char_chunk_size / 2)
    size = n;
  else
    {
      size = d->char_chunk_size;
      d->char_chunk_size = MIN (d->char_chunk_size * 2, MAX_CHAR_CHUNK);
    }

  if (size > G_MAXSIZE - sizeof (CharChunk))
    return NULL;

  chunk = g_try_malloc (sizeof (CharChunk) + size);
  if (chunk == NULL)
    return NULL;

  chunk->next = d->doc->char_chunks;
  d->doc->char_chunks = chunk;

  if (size == n)
    return chunk->data;

  d->char_next = chunk->data + n;
  d->char_left = size - n;
  return chunk->data;
}

static inline char *
alloc_chars (Decoder *d,
             gsize    n)
{
  char *chars;

  if (G_LIKELY (n <= d->char_left))
    {
      chars = d->char_next;
      d->char_next += n;
      d->char_left -= n;
      return chars;
    }

  return alloc_chars_slow (d, n);
}

/* Text */

/* Validates UTF-8 the way Erlang does for atoms (no overlong forms, no surrogates, nothing
 * above U+10FFFF; NUL allowed) and counts the characters. */
static gboolean
utf8_validate_count (const guint8 *s,
                     gsize         len,
                     gsize        *out_chars)
{
  gsize chars = 0;
  gsize i = 0;

  while (i < len)
    {
      guint8 c = s[i];

      if (c < 0x80)
        {
          i++;
        }
      else if (c >= 0xC2 && c <= 0xDF)
        {
          if (len - i < 2 || (s[i + 1] & 0xC0) != 0x80)
            return FALSE;
          i += 2;
        }
      else if (c >= 0xE0 && c <= 0xEF)
        {
          guint8 lo = c == 0xE0 ? 0xA0 : 0x80;
          guint8 hi = c == 0xED ? 0x9F : 0xBF;

          if (len - i < 3 || s[i + 1] < lo || s[i + 1] > hi || (s[i + 2] & 0xC0) != 0x80)
            return FALSE;
          i += 3;
        }
      else if (c >= 0xF0 && c <= 0xF4)
        {
          guint8 lo = c == 0xF0 ? 0x90 : 0x80;
          guint8 hi = c == 0xF4 ? 0x8F : 0xBF;

          if (len - i < 4 || s[i + 1] < lo || s[i + 1] > hi ||
              (s[i + 2] & 0xC0) != 0x80 || (s[i + 3] & 0xC0) != 0x80)
            return FALSE;
          i += 4;
        }
      else
        {
          return FALSE;
        }

      chars++;
    }

  if (out_chars != NULL)
    *out_chars = chars;

  return TRUE;
}

static gboolean
is_ascii (const guint8 *s,
          gsize         len)
{
  guint8 acc = 0;

  for (gsize i = 0; i < len; i++)
    acc |= s[i];

  return (acc & 0x80) == 0;
}

/* Latin-1 is the first 256 code points of Unicode, so the conversion is positional; NUL
 * becomes U+FFFD so that the result is a usable C string. */
static void
latin1_to_utf8 (const guint8 *s,
                gsize         len,
                char         *out)
{
  for (gsize i = 0; i < len; i++)
    {
      guint8 c = s[i];

      if (c == 0)
        {
          *out++ = (char) 0xEF;
          *out++ = (char) 0xBF;
          *out++ = (char) 0xBD;
        }
      else if (c < 0x80)
        {
          *out++ = (char) c;
        }
      else
        {
          *out++ = (char) (0xC0 | (c >> 6));
          *out++ = (char) (0x80 | (c & 0x3F));
        }
    }

  *out = '\0';
}

static gsize
latin1_utf8_len (const guint8 *s,
                 gsize         len)
{
  gsize n = len;

  for (gsize i = 0; i < len; i++)
    {
      if (s[i] >= 0x80)
        n += 1;
      else if (s[i] == 0)
        n += 2;
    }

  return n;
}

/* Decoding */

static gboolean
set_atom_uncached (Decoder      *d,
                   const guint8 *tagp,
                   SpBertTerm   *t,
                   const guint8 *s,
                   gsize         len,
                   gboolean      utf8)
{
  char *copy;

  if (utf8 || is_ascii (s, len))
    {
      gsize chars = len;

      if (utf8 && !utf8_validate_count (s, len, &chars))
        {
          fail (d, SP_BERT_ERROR_INVALID, "invalid UTF-8 in atom", tagp, NULL);
          return FALSE;
        }

      if (chars > MAX_ATOM_CHARS)
        {
          fail (d, SP_BERT_ERROR_INVALID, "atom too long", tagp,
                "%" G_GSIZE_FORMAT " characters, at most %d allowed", chars, MAX_ATOM_CHARS);
          return FALSE;
        }

      copy = alloc_chars (d, len + 1);
      if (copy == NULL)
        goto oom;
      memcpy (copy, s, len);
      copy[len] = '\0';
      t->len = (guint32) len;
    }
  else
    {
      gsize out_len = latin1_utf8_len (s, len);

      if (len > MAX_ATOM_CHARS)
        {
          fail (d, SP_BERT_ERROR_INVALID, "atom too long", tagp,
                "%" G_GSIZE_FORMAT " characters, at most %d allowed", len, MAX_ATOM_CHARS);
          return FALSE;
        }

      copy = alloc_chars (d, out_len + 1);
      if (copy == NULL)
        goto oom;
      latin1_to_utf8 (s, len, copy);
      t->len = (guint32) out_len;
    }

  t->v.str = copy;
  return TRUE;

oom:
  fail (d, SP_BERT_ERROR_TOO_LARGE, "out of memory for atom", tagp, NULL);
  return FALSE;
}

static inline gboolean
set_atom (Decoder      *d,
          const guint8 *tagp,
          SpBertTerm   *t,
          const guint8 *s,
          gsize         len,
          gboolean      utf8)
{
  AtomCacheEntry *entry;
  guint hash;

  t->type = SP_BERT_TYPE_ATOM;

  if (d->atom_cache == NULL || len == 0 || len > G_MAXUINT16)
    return set_atom_uncached (d, tagp, t, s, len, utf8);

  hash = ((guint) len * 31u + s[0] * 7u + s[len - 1] * 13u + s[len / 2]) % ATOM_CACHE_SIZE;
  entry = &d->atom_cache[hash];

  if (entry->raw_len == len && entry->utf8 == utf8 && memcmp (entry->raw, s, len) == 0)
    {
      t->v.str = entry->str;
      t->len = entry->len;
      return TRUE;
    }

  if (!set_atom_uncached (d, tagp, t, s, len, utf8))
    return FALSE;

  entry->raw = s;
  entry->raw_len = (guint16) len;
  entry->utf8 = utf8;
  entry->str = t->v.str;
  entry->len = t->len;
  return TRUE;
}

/* Big integers are little-endian magnitudes of any length. Those within 64 bits become
 * plain integers; the rest are converted to decimal exactly, by repeated division by 10^9
 * over 32-bit limbs, which is quadratic and hence behind a length limit. */
static gboolean
set_big (Decoder      *d,
         const guint8 *tagp,
         SpBertTerm   *t,
         const guint8 *mag,
         gsize         n,
         gboolean      negative)
{
  g_autofree guint32 *limbs = NULL;
  gsize n_limbs;
  gsize max_digits;
  char *digits;
  char *out;
  gsize n_digits = 0;

  /* Encoders never send leading zero bytes, but they are harmless. */
  while (n > 0 && mag[n - 1] == 0)
    n--;

  if (n <= 8)
    {
      guint64 u = 0;

      for (gsize i = n; i-- > 0;)
        u = (u << 8) | mag[i];

      if (!negative || u == 0)
        {
          if (u <= G_MAXINT64)
            {
              t->type = SP_BERT_TYPE_INT;
              t->v.i = (gint64) u;
            }
          else
            {
              t->type = SP_BERT_TYPE_UINT;
              t->v.u = u;
            }
          return TRUE;
        }

      if (u <= (guint64) G_MAXINT64 + 1)
        {
          t->type = SP_BERT_TYPE_INT;
          /* -(2^63) has no positive counterpart in gint64; negate in unsigned arithmetic. */
          t->v.i = u == (guint64) G_MAXINT64 + 1 ? G_MININT64 : -(gint64) u;
          return TRUE;
        }
    }

  if (n > d->max_bignum_bytes)
    {
      fail (d, SP_BERT_ERROR_TOO_LARGE, "big integer too large", tagp,
            "%" G_GSIZE_FORMAT " bytes, at most %" G_GSIZE_FORMAT " allowed",
            n, d->max_bignum_bytes);
      return FALSE;
    }

  n_limbs = (n + 3) / 4;
  limbs = g_new0 (guint32, n_limbs);
  for (gsize i = 0; i < n; i++)
    limbs[i / 4] |= (guint32) mag[i] << (8 * (i % 4));

  /* log10(256) < 2.41, plus the sign and NUL. */
  max_digits = n * 241 / 100 + 12;
  digits = alloc_chars (d, max_digits + 2);
  if (digits == NULL)
    {
      fail (d, SP_BERT_ERROR_TOO_LARGE, "out of memory for big integer", tagp, NULL);
      return FALSE;
    }

  /* Digits come out least significant first, into a scratch area at the end of the
   * buffer's room; they are then reversed into place. */
  out = digits + 1;
  while (n_limbs > 0)
    {
      guint64 rem = 0;

      for (gsize i = n_limbs; i-- > 0;)
        {
          guint64 cur = (rem << 32) | limbs[i];

          limbs[i] = (guint32) (cur / 1000000000u);
          rem = cur % 1000000000u;
        }

      while (n_limbs > 0 && limbs[n_limbs - 1] == 0)
        n_limbs--;

      for (int k = 0; k < 9 && (n_limbs > 0 || rem > 0); k++)
        {
          g_assert (n_digits < max_digits);
          out[n_digits++] = (char) ('0' + rem % 10);
          rem /= 10;
        }
    }

  for (gsize i = 0; i < n_digits / 2; i++)
    {
      char c = out[i];

      out[i] = out[n_digits - 1 - i];
      out[n_digits - 1 - i] = c;
    }
  out[n_digits] = '\0';

  if (negative)
    digits[0] = '-';
  else
    digits++;

  t->type = SP_BERT_TYPE_BIGNUM;
  t->v.str = digits;
  t->len = (guint32) strlen (digits);
  return TRUE;
}

static gboolean
set_old_float (Decoder      *d,
               const guint8 *tagp,
               SpBertTerm   *t,
               const guint8 *p)
{
  char buf[FLOAT_EXT_LEN + 1];
  g_autofree char *escaped = NULL;
  char *endp = NULL;
  gsize len;
  double v;

  memcpy (buf, p, FLOAT_EXT_LEN);
  buf[FLOAT_EXT_LEN] = '\0';
  len = strlen (buf);

  /* Erlang writes "%.20e" padded with NULs; anything but a plain decimal number (inf, nan,
   * hex floats, spaces) is refused, as Erlang itself does. */
  if (len == 0 || strspn (buf, "0123456789+-.eE") != len)
    goto bad;

  v = g_ascii_strtod (buf, &endp);
  if (endp != buf + len || !isfinite (v))
    goto bad;

  t->type = SP_BERT_TYPE_FLOAT;
  t->v.f = v;
  return TRUE;

bad:
  escaped = g_strescape (buf, NULL);
  fail (d, SP_BERT_ERROR_INVALID, "invalid FLOAT", tagp, "text \"%s\" is not a finite number",
        escaped);
  return FALSE;
}

static const guint8 *decode_term (Decoder      *d,
                                  const guint8 *p,
                                  SpBertTerm   *t,
                                  guint         depth);

static const guint8 *
decode_children (Decoder      *d,
                 const guint8 *tagp,
                 const guint8 *p,
                 SpBertTerm   *t,
                 gsize         n_nodes,
                 guint         depth)
{
  SpBertTerm *kids;

  if (depth > d->max_depth)
    {
      fail (d, SP_BERT_ERROR_TOO_DEEP, "nesting too deep", tagp,
            "more than %u levels", d->max_depth);
      return NULL;
    }

  if (n_nodes == 0)
    {
      t->v.kids = NULL;
      return p;
    }

  kids = reserve_nodes (d, n_nodes);
  if (kids == NULL)
    {
      fail (d, SP_BERT_ERROR_TOO_LARGE, "out of memory", tagp,
            "%" G_GSIZE_FORMAT " elements", n_nodes);
      return NULL;
    }
  t->v.kids = kids;

  for (gsize i = 0; i < n_nodes; i++)
    {
      p = decode_term (d, p, &kids[i], depth + 1);
      if (G_UNLIKELY (p == NULL))
        return NULL;
    }

  return p;
}

static const guint8 *
decode_term (Decoder      *d,
             const guint8 *p,
             SpBertTerm   *t,
             guint         depth)
{
  const guint8 *tagp = p;
  gsize n;

  if (G_UNLIKELY (p >= d->end))
    {
      fail (d, SP_BERT_ERROR_TRUNCATED, "truncated term", p, "needs a tag byte, 0 left");
      return NULL;
    }

  p++;
  t->bits = 0;
  t->len = 0;

  switch (*tagp)
    {
    case TAG_SMALL_INTEGER:
      if (G_UNLIKELY (!has (d, p, 1)))
        goto truncated_1;
      t->type = SP_BERT_TYPE_INT;
      t->v.i = p[0];
      return p + 1;

    case TAG_INTEGER:
      if (G_UNLIKELY (!has (d, p, 4)))
        {
          fail_truncated (d, tagp, p, 4);
          return NULL;
        }
      t->type = SP_BERT_TYPE_INT;
      t->v.i = (gint32) read_u32 (p);
      return p + 4;

    case TAG_BINARY:
      if (G_UNLIKELY (!has (d, p, 4)))
        {
          fail_truncated (d, tagp, p, 4);
          return NULL;
        }
      n = read_u32 (p);
      p += 4;
      if (G_UNLIKELY (!has (d, p, n)))
        {
          fail_truncated (d, tagp, p, n);
          return NULL;
        }
      t->type = SP_BERT_TYPE_BINARY;
      t->len = (guint32) n;
      t->v.str = (const char *) p;
      return p + n;

    case TAG_STRING:
      if (G_UNLIKELY (!has (d, p, 2)))
        {
          fail_truncated (d, tagp, p, 2);
          return NULL;
        }
      n = read_u16 (p);
      p += 2;
      if (G_UNLIKELY (!has (d, p, n)))
        {
          fail_truncated (d, tagp, p, n);
          return NULL;
        }
      /* An empty STRING is the empty list, as in Erlang. */
      t->type = n == 0 ? SP_BERT_TYPE_NIL : SP_BERT_TYPE_STRING;
      t->len = (guint32) n;
      t->v.str = (const char *) p;
      return p + n;

    case TAG_NIL:
      t->type = SP_BERT_TYPE_NIL;
      t->v.kids = NULL;
      return p;

    case TAG_ATOM:
    case TAG_ATOM_UTF8:
      if (G_UNLIKELY (!has (d, p, 2)))
        {
          fail_truncated (d, tagp, p, 2);
          return NULL;
        }
      n = read_u16 (p);
      p += 2;
      if (G_UNLIKELY (!has (d, p, n)))
        {
          fail_truncated (d, tagp, p, n);
          return NULL;
        }
      if (!set_atom (d, tagp, t, p, n, *tagp == TAG_ATOM_UTF8))
        return NULL;
      return p + n;

    case TAG_SMALL_ATOM:
    case TAG_SMALL_ATOM_UTF8:
      if (G_UNLIKELY (!has (d, p, 1)))
        goto truncated_1;
      n = p[0];
      p += 1;
      if (G_UNLIKELY (!has (d, p, n)))
        {
          fail_truncated (d, tagp, p, n);
          return NULL;
        }
      if (!set_atom (d, tagp, t, p, n, *tagp == TAG_SMALL_ATOM_UTF8))
        return NULL;
      return p + n;

    case TAG_SMALL_TUPLE:
    case TAG_LARGE_TUPLE:
      if (*tagp == TAG_SMALL_TUPLE)
        {
          if (G_UNLIKELY (!has (d, p, 1)))
            goto truncated_1;
          n = p[0];
          p += 1;
        }
      else
        {
          if (G_UNLIKELY (!has (d, p, 4)))
            {
              fail_truncated (d, tagp, p, 4);
              return NULL;
            }
          n = read_u32 (p);
          p += 4;
        }
      /* Every element takes at least one byte. */
      if (G_UNLIKELY (!has (d, p, n)))
        {
          fail_truncated (d, tagp, p, n);
          return NULL;
        }
      t->type = SP_BERT_TYPE_TUPLE;
      t->len = (guint32) n;
      return decode_children (d, tagp, p, t, n, depth);

    case TAG_LIST:
      if (G_UNLIKELY (!has (d, p, 4)))
        {
          fail_truncated (d, tagp, p, 4);
          return NULL;
        }
      n = read_u32 (p);
      p += 4;
      /* The elements and the tail take at least one byte each. */
      if (G_UNLIKELY (!has (d, p, (guint64) n + 1)))
        {
          fail_truncated (d, tagp, p, (guint64) n + 1);
          return NULL;
        }
      if (n == 0)
        {
          /* Erlang reads a LIST of no elements as its tail. The tail still counts as a
           * level, or a chain of such headers would recurse without limit. */
          if (depth > d->max_depth)
            {
              fail (d, SP_BERT_ERROR_TOO_DEEP, "nesting too deep", tagp,
                    "more than %u levels", d->max_depth);
              return NULL;
            }
          return decode_term (d, p, t, depth + 1);
        }
      t->type = SP_BERT_TYPE_LIST;
      t->len = (guint32) n;
      return decode_children (d, tagp, p, t, n + 1, depth);

    case TAG_MAP:
      if (G_UNLIKELY (!has (d, p, 4)))
        {
          fail_truncated (d, tagp, p, 4);
          return NULL;
        }
      n = read_u32 (p);
      p += 4;
      if (G_UNLIKELY (!has (d, p, 2 * (guint64) n)))
        {
          fail_truncated (d, tagp, p, 2 * (guint64) n);
          return NULL;
        }
      t->type = SP_BERT_TYPE_MAP;
      t->len = (guint32) n;
      return decode_children (d, tagp, p, t, 2 * n, depth);

    case TAG_SMALL_BIG:
    case TAG_LARGE_BIG:
      {
        gboolean negative;

        if (*tagp == TAG_SMALL_BIG)
          {
            if (G_UNLIKELY (!has (d, p, 2)))
              {
                fail_truncated (d, tagp, p, 2);
                return NULL;
              }
            n = p[0];
            p += 1;
          }
        else
          {
            if (G_UNLIKELY (!has (d, p, 5)))
              {
                fail_truncated (d, tagp, p, 5);
                return NULL;
              }
            n = read_u32 (p);
            p += 4;
          }
        /* Erlang takes any non-zero sign byte as negative. */
        negative = p[0] != 0;
        p += 1;
        if (G_UNLIKELY (!has (d, p, n)))
          {
            fail_truncated (d, tagp, p, n);
            return NULL;
          }
        if (!set_big (d, tagp, t, p, n, negative))
          return NULL;
        return p + n;
      }

    case TAG_NEW_FLOAT:
      {
        guint64 bits = 0;
        double v;

        if (G_UNLIKELY (!has (d, p, 8)))
          {
            fail_truncated (d, tagp, p, 8);
            return NULL;
          }
        for (int i = 0; i < 8; i++)
          bits = (bits << 8) | p[i];
        memcpy (&v, &bits, sizeof v);
        /* Erlang has no infinities or NaNs, and refuses them too. */
        if (G_UNLIKELY (!isfinite (v)))
          {
            fail (d, SP_BERT_ERROR_INVALID, "invalid NEW_FLOAT", tagp, "not a finite number");
            return NULL;
          }
        t->type = SP_BERT_TYPE_FLOAT;
        t->v.f = v;
        return p + 8;
      }

    case TAG_FLOAT:
      if (G_UNLIKELY (!has (d, p, FLOAT_EXT_LEN)))
        {
          fail_truncated (d, tagp, p, FLOAT_EXT_LEN);
          return NULL;
        }
      if (!set_old_float (d, tagp, t, p))
        return NULL;
      return p + FLOAT_EXT_LEN;

    case TAG_BIT_BINARY:
      {
        guint bits;
        guint8 *copy;

        if (G_UNLIKELY (!has (d, p, 5)))
          {
            fail_truncated (d, tagp, p, 5);
            return NULL;
          }
        n = read_u32 (p);
        bits = p[4];
        p += 5;
        if (G_UNLIKELY (!has (d, p, n)))
          {
            fail_truncated (d, tagp, p, n);
            return NULL;
          }
        /* The same rule as Erlang: an empty bitstring uses 0 bits of its (absent) last
         * byte, any other 1 to 8. */
        if (n == 0 ? bits != 0 : (bits < 1 || bits > 8))
          {
            fail (d, SP_BERT_ERROR_INVALID, "invalid BIT_BINARY", tagp,
                  "%u bits used in the last of %" G_GSIZE_FORMAT " bytes", bits, n);
            return NULL;
          }
        /* A whole last byte makes it an ordinary binary. */
        if (bits == 8 || n == 0)
          {
            t->type = SP_BERT_TYPE_BINARY;
            t->len = (guint32) n;
            t->v.str = (const char *) p;
            return p + n;
          }
        /* Copied so that the unused low bits, which the sender may have left dirty, read
         * as zero, which is what Erlang makes of them. */
        copy = (guint8 *) alloc_chars (d, n);
        if (copy == NULL)
          {
            fail (d, SP_BERT_ERROR_TOO_LARGE, "out of memory for BIT_BINARY", tagp, NULL);
            return NULL;
          }
        memcpy (copy, p, n);
        copy[n - 1] &= (guint8) (0xFF << (8 - bits));
        t->type = SP_BERT_TYPE_BIT_BINARY;
        t->len = (guint32) n;
        t->bits = (guint8) bits;
        t->v.str = (const char *) copy;
        return p + n;
      }

    case TAG_COMPRESSED:
      fail (d, SP_BERT_ERROR_INVALID, "nested COMPRESSED term", tagp,
            "compression is only allowed for the whole term");
      return NULL;

    default:
      {
        const char *name = unsupported_tag_name (*tagp);

        if (name != NULL)
          {
            g_autofree char *what = g_strdup_printf ("unsupported %s term", name);

            fail (d, SP_BERT_ERROR_UNSUPPORTED, what, tagp, "tag %u", *tagp);
          }
        else
          {
            fail (d, SP_BERT_ERROR_UNKNOWN_TAG, "unknown tag", tagp, "%u (0x%02x)",
                  *tagp, *tagp);
          }
        return NULL;
      }
    }

truncated_1:
  fail_truncated (d, tagp, p, 1);
  return NULL;
}

/* Inflates a tag-80 term into exactly the declared number of bytes. The declared size is
 * checked against the limit before anything is allocated, and inflation stops when the
 * buffer is full, so a zip bomb costs at most the limit. */
static GBytes *
inflate_term (Decoder      *d,
              const guint8 *tagp,
              const guint8 *src,
              gsize         src_len,
              gsize         size)
{
  g_autofree guint8 *out = NULL;
  z_stream zs = { 0 };
  int ret;

  out = g_try_malloc (size);
  if (out == NULL)
    {
      fail (d, SP_BERT_ERROR_TOO_LARGE, "out of memory for COMPRESSED term", tagp,
            "%" G_GSIZE_FORMAT " bytes declared", size);
      return NULL;
    }

  if (inflateInit (&zs) != Z_OK)
    {
      fail (d, SP_BERT_ERROR_COMPRESSION, "cannot start zlib for COMPRESSED term", tagp, NULL);
      return NULL;
    }

  zs.next_in = (Bytef *) src;
  zs.avail_in = (uInt) src_len;
  zs.next_out = out;
  zs.avail_out = (uInt) size;
  ret = inflate (&zs, Z_FINISH);

  /* With the buffer exactly full the stream may still owe its checksum; one more call
   * with a byte of room tells a finished stream from one that lied about its size. */
  if (ret != Z_STREAM_END && zs.avail_out == 0 && (ret == Z_OK || ret == Z_BUF_ERROR))
    {
      guint8 extra;

      zs.next_out = &extra;
      zs.avail_out = 1;
      ret = inflate (&zs, Z_FINISH);
      if (zs.avail_out == 0)
        {
          inflateEnd (&zs);
          fail (d, SP_BERT_ERROR_COMPRESSION, "lying COMPRESSED size", tagp,
                "the term inflates to more than the declared %" G_GSIZE_FORMAT " bytes",
                size);
          return NULL;
        }
    }

  if (ret == Z_STREAM_END)
    {
      gsize produced = zs.total_out;
      gsize unused = zs.avail_in;

      inflateEnd (&zs);

      if (produced != size)
        {
          fail (d, SP_BERT_ERROR_COMPRESSION, "lying COMPRESSED size", tagp,
                "the term inflates to %" G_GSIZE_FORMAT " bytes, %" G_GSIZE_FORMAT
                " declared", produced, size);
          return NULL;
        }
      if (unused != 0)
        {
          fail (d, SP_BERT_ERROR_TRAILING_DATA, "trailing data after the zlib stream",
                src + src_len - unused, "%" G_GSIZE_FORMAT " bytes", unused);
          return NULL;
        }

      return g_bytes_new_take (g_steal_pointer (&out), size);
    }

  if (ret == Z_BUF_ERROR && zs.avail_in == 0)
    {
      inflateEnd (&zs);
      fail (d, SP_BERT_ERROR_TRUNCATED, "truncated COMPRESSED term", tagp,
            "the zlib stream ends early");
      return NULL;
    }

  fail (d, SP_BERT_ERROR_COMPRESSION, "corrupt COMPRESSED term", tagp, "zlib: %s",
        zs.msg != NULL ? zs.msg : "error");
  inflateEnd (&zs);
  return NULL;
}

static void
document_free (SpBertDocument *doc)
{
  node_chunks_free (g_steal_pointer (&doc->node_chunks));

  while (doc->char_chunks != NULL)
    {
      CharChunk *next = doc->char_chunks->next;

      g_free (doc->char_chunks);
      doc->char_chunks = next;
    }

  g_clear_pointer (&doc->bytes, g_bytes_unref);
  g_free (doc);
}

/**
 * sp_bert_decode:
 * @bytes: one frame: the version byte 131 and exactly one term
 * @limits: (nullable): limits, or %NULL for the defaults
 * @error: return location for a #SP_BERT_ERROR
 *
 * Decodes an Erlang External Term Format frame. Binaries in the result point into @bytes,
 * which the document keeps a reference to, so nothing is copied.
 *
 * The frame is rejected if it is empty, has another version byte, ends early, holds
 * anything after the term, exceeds a limit, or holds a term that a server cannot send
 * (pids, ports, references, funs). The error message names the problem and its byte
 * offset.
 *
 * Returns: (transfer full) (nullable): the decoded document, or %NULL with @error set
 */
SpBertDocument *
sp_bert_decode (GBytes              *bytes,
                const SpBertLimits  *limits,
                GError             **error)
{
  SpBertDocument *doc;
  Decoder d = { 0 };
  const guint8 *data;
  const guint8 *p;
  gsize len;
  gsize max_size = SP_BERT_DEFAULT_MAX_SIZE;
  gsize inline_nodes, inline_chars;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  d.max_depth = SP_BERT_DEFAULT_MAX_DEPTH;
  d.max_bignum_bytes = SP_BERT_DEFAULT_MAX_BIGNUM_BYTES;
  if (limits != NULL)
    {
      if (limits->max_depth != 0)
        d.max_depth = MIN (limits->max_depth, SP_BERT_MAX_DEPTH);
      if (limits->max_size != 0)
        max_size = limits->max_size;
      if (limits->max_bignum_bytes != 0)
        d.max_bignum_bytes = limits->max_bignum_bytes;
    }
  /* Node lengths are 32-bit, and zlib counts in 32 bits. */
  max_size = MIN (max_size, (gsize) G_MAXUINT32);

  /* An empty GBytes may have no data pointer at all; check before any arithmetic. */
  data = g_bytes_get_data (bytes, &len);
  if (len == 0 || data == NULL)
    {
      g_set_error_literal (error, SP_BERT_ERROR, SP_BERT_ERROR_EMPTY, "empty frame");
      return NULL;
    }

  d.base = data;
  d.end = data + len;
  d.error = error;

  if (len > max_size)
    {
      g_set_error (error, SP_BERT_ERROR, SP_BERT_ERROR_TOO_LARGE,
                   "frame too large: %" G_GSIZE_FORMAT " bytes, at most %" G_GSIZE_FORMAT
                   " allowed", len, max_size);
      return NULL;
    }

  if (data[0] != VERSION_BYTE)
    {
      g_set_error (error, SP_BERT_ERROR, SP_BERT_ERROR_BAD_VERSION,
                   "bad version byte at offset 0: %u, expected %u", data[0], VERSION_BYTE);
      return NULL;
    }

  /* A small frame's nodes and atoms fit in the document's own allocation, so that
   * decoding it costs one malloc; larger ones get chunks (see reserve_nodes_slow()). */
  inline_nodes = len / 8 <= INLINE_MAX_NODES ? MAX (len / 8, FIRST_NODE_CHUNK) : 0;
  inline_chars = inline_nodes > 0 ? INLINE_CHARS : 0;
  doc = g_malloc (sizeof (SpBertDocument) + inline_nodes * sizeof (SpBertTerm) + inline_chars);
  memset (doc, 0, sizeof (SpBertDocument));
  g_atomic_ref_count_init (&doc->ref_count);
  d.doc = doc;
  d.node_next = (SpBertTerm *) (doc + 1);
  d.node_left = inline_nodes;
  d.char_next = (char *) (d.node_next + inline_nodes);
  d.char_left = inline_chars;
  p = data + 1;

  if (p < d.end && *p == TAG_COMPRESSED)
    {
      const guint8 *tagp = p;
      gsize size;

      p++;
      if (!has (&d, p, 4))
        {
          fail_truncated (&d, tagp, p, 4);
          goto error;
        }
      size = read_u32 (p);
      p += 4;

      if (size == 0)
        {
          fail (&d, SP_BERT_ERROR_INVALID, "empty COMPRESSED term", tagp, NULL);
          goto error;
        }
      if (size > max_size)
        {
          fail (&d, SP_BERT_ERROR_TOO_LARGE, "COMPRESSED term too large", tagp,
                "%" G_GSIZE_FORMAT " bytes declared, at most %" G_GSIZE_FORMAT " allowed",
                size, max_size);
          goto error;
        }

      doc->bytes = inflate_term (&d, tagp, p, (gsize) (d.end - p), size);
      if (doc->bytes == NULL)
        goto error;

      data = g_bytes_get_data (doc->bytes, &len);
      d.base = data;
      d.end = data + len;
      d.inflated = TRUE;
      p = data;
    }
  else
    {
      doc->bytes = g_bytes_ref (bytes);
    }

  /* Terms are about one node per 8 to 16 bytes in practice; size chunks near that so that
   * small frames need none beyond the inline one and large ones few. */
  d.node_chunk_size = CLAMP ((gsize) (d.end - p) / 8, FIRST_NODE_CHUNK, MAX_NODE_CHUNK);
  d.char_chunk_size = FIRST_CHAR_CHUNK;

  if ((gsize) (d.end - p) >= ATOM_CACHE_MIN_FRAME)
    d.atom_cache = g_new0 (AtomCacheEntry, ATOM_CACHE_SIZE);

  doc->n_terms = 1;
  p = decode_term (&d, p, &doc->root, 1);
  g_clear_pointer (&d.atom_cache, g_free);
  if (p == NULL)
    goto error;

  if (p != d.end)
    {
      fail (&d, SP_BERT_ERROR_TRAILING_DATA, "trailing data", p,
            "%" G_GSIZE_FORMAT " bytes after the term", (gsize) (d.end - p));
      goto error;
    }

  return doc;

error:
  document_free (doc);
  return NULL;
}

/**
 * sp_bert_decode_data:
 * @data: (array length=len): one frame
 * @len: the length of @data
 * @limits: (nullable): limits, or %NULL for the defaults
 * @error: return location for a #SP_BERT_ERROR
 *
 * Like sp_bert_decode(), for bytes the caller keeps: they are copied first.
 *
 * Returns: (transfer full) (nullable): the decoded document, or %NULL with @error set
 */
SpBertDocument *
sp_bert_decode_data (const guint8        *data,
                     gsize                len,
                     const SpBertLimits  *limits,
                     GError             **error)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  bytes = g_bytes_new (data, len);
  return sp_bert_decode (bytes, limits, error);
}

/**
 * sp_bert_document_ref:
 * @doc: a document
 *
 * Returns: (transfer full): @doc
 */
SpBertDocument *
sp_bert_document_ref (SpBertDocument *doc)
{
  g_return_val_if_fail (doc != NULL, NULL);

  g_atomic_ref_count_inc (&doc->ref_count);
  return doc;
}

/**
 * sp_bert_document_unref:
 * @doc: (transfer full): a document
 *
 * Drops a reference; the last one frees every term of the document.
 */
void
sp_bert_document_unref (SpBertDocument *doc)
{
  g_return_if_fail (doc != NULL);

  if (g_atomic_ref_count_dec (&doc->ref_count))
    document_free (doc);
}

/**
 * sp_bert_document_get_root:
 * @doc: a document
 *
 * Returns: (transfer none): the term of the frame, valid as long as @doc
 */
const SpBertTerm *
sp_bert_document_get_root (SpBertDocument *doc)
{
  g_return_val_if_fail (doc != NULL, NULL);

  return &doc->root;
}

/**
 * sp_bert_document_get_n_terms:
 * @doc: a document
 *
 * Returns: how many term nodes the document holds (list tails included)
 */
gsize
sp_bert_document_get_n_terms (SpBertDocument *doc)
{
  g_return_val_if_fail (doc != NULL, 0);

  return doc->n_terms;
}

/* Accessors */

/**
 * sp_bert_term_get_type:
 * @term: a term
 *
 * Returns: the kind of @term
 */
SpBertType
sp_bert_term_get_type (const SpBertTerm *term)
{
  g_return_val_if_fail (term != NULL, SP_BERT_TYPE_NIL);

  return (SpBertType) term->type;
}

/**
 * sp_bert_type_to_string:
 * @type: a term kind
 *
 * Returns: a lower-case name for @type, as used in the JSON form
 */
const char *
sp_bert_type_to_string (SpBertType type)
{
  switch (type)
    {
    case SP_BERT_TYPE_INT: return "int";
    case SP_BERT_TYPE_UINT: return "uint";
    case SP_BERT_TYPE_BIGNUM: return "bignum";
    case SP_BERT_TYPE_FLOAT: return "float";
    case SP_BERT_TYPE_ATOM: return "atom";
    case SP_BERT_TYPE_STRING: return "string";
    case SP_BERT_TYPE_BINARY: return "binary";
    case SP_BERT_TYPE_BIT_BINARY: return "bit_binary";
    case SP_BERT_TYPE_TUPLE: return "tuple";
    case SP_BERT_TYPE_NIL: return "nil";
    case SP_BERT_TYPE_LIST: return "list";
    case SP_BERT_TYPE_MAP: return "map";
    default: return "unknown";
    }
}

/**
 * sp_bert_term_is_integer:
 * @term: a term
 *
 * Returns: whether @term is an integer of any size
 */
gboolean
sp_bert_term_is_integer (const SpBertTerm *term)
{
  g_return_val_if_fail (term != NULL, FALSE);

  return term->type == SP_BERT_TYPE_INT || term->type == SP_BERT_TYPE_UINT ||
         term->type == SP_BERT_TYPE_BIGNUM;
}

/**
 * sp_bert_term_get_int64:
 * @term: a term
 * @out_value: (out) (optional): where to store the value
 *
 * Reads an integer that fits in 64 signed bits, such as a microsecond timestamp.
 *
 * Returns: %TRUE if @term is such an integer
 */
gboolean
sp_bert_term_get_int64 (const SpBertTerm *term,
                        gint64           *out_value)
{
  g_return_val_if_fail (term != NULL, FALSE);

  if (term->type != SP_BERT_TYPE_INT)
    return FALSE;

  if (out_value != NULL)
    *out_value = term->v.i;
  return TRUE;
}

/**
 * sp_bert_term_get_uint64:
 * @term: a term
 * @out_value: (out) (optional): where to store the value
 *
 * Returns: %TRUE if @term is an integer between 0 and %G_MAXUINT64
 */
gboolean
sp_bert_term_get_uint64 (const SpBertTerm *term,
                         guint64          *out_value)
{
  g_return_val_if_fail (term != NULL, FALSE);

  if (term->type == SP_BERT_TYPE_UINT || (term->type == SP_BERT_TYPE_INT && term->v.i >= 0))
    {
      if (out_value != NULL)
        *out_value = term->v.u;
      return TRUE;
    }

  return FALSE;
}

/**
 * sp_bert_term_dup_integer_string:
 * @term: a term
 *
 * Returns: (transfer full) (nullable): the exact decimal value of an integer of any size,
 *   or %NULL if @term is not an integer
 */
char *
sp_bert_term_dup_integer_string (const SpBertTerm *term)
{
  g_return_val_if_fail (term != NULL, NULL);

  switch ((SpBertType) term->type)
    {
    case SP_BERT_TYPE_INT:
      return g_strdup_printf ("%" G_GINT64_FORMAT, term->v.i);
    case SP_BERT_TYPE_UINT:
      return g_strdup_printf ("%" G_GUINT64_FORMAT, term->v.u);
    case SP_BERT_TYPE_BIGNUM:
      return g_strndup (term->v.str, term->len);
    case SP_BERT_TYPE_FLOAT:
    case SP_BERT_TYPE_ATOM:
    case SP_BERT_TYPE_STRING:
    case SP_BERT_TYPE_BINARY:
    case SP_BERT_TYPE_BIT_BINARY:
    case SP_BERT_TYPE_TUPLE:
    case SP_BERT_TYPE_NIL:
    case SP_BERT_TYPE_LIST:
    case SP_BERT_TYPE_MAP:
    default:
      return NULL;
    }
}

/**
 * sp_bert_term_get_double:
 * @term: a term
 * @out_value: (out) (optional): where to store the value
 *
 * Returns: %TRUE if @term is a float
 */
gboolean
sp_bert_term_get_double (const SpBertTerm *term,
                         double           *out_value)
{
  g_return_val_if_fail (term != NULL, FALSE);

  if (term->type != SP_BERT_TYPE_FLOAT)
    return FALSE;

  if (out_value != NULL)
    *out_value = term->v.f;
  return TRUE;
}

/**
 * sp_bert_term_get_atom:
 * @term: a term
 *
 * Atoms are UTF-8 whatever their encoding on the wire (Latin-1 atoms are converted).
 *
 * Returns: (nullable): the name of the atom, or %NULL if @term is not an atom
 */
const char *
sp_bert_term_get_atom (const SpBertTerm *term)
{
  g_return_val_if_fail (term != NULL, NULL);

  return term->type == SP_BERT_TYPE_ATOM ? term->v.str : NULL;
}

/**
 * sp_bert_term_is_atom:
 * @term: a term
 * @name: an atom name in UTF-8
 *
 * Returns: whether @term is the atom @name
 */
gboolean
sp_bert_term_is_atom (const SpBertTerm *term,
                      const char       *name)
{
  g_return_val_if_fail (term != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return term->type == SP_BERT_TYPE_ATOM && strlen (name) == term->len &&
         memcmp (term->v.str, name, term->len) == 0;
}

/**
 * sp_bert_term_get_bytes:
 * @term: a term
 * @out_len: (out) (optional): the number of bytes
 *
 * The bytes of a binary, bit binary, string (one byte per list element) or atom (its
 * UTF-8 name). They are not NUL-terminated.
 *
 * Returns: (nullable) (array length=out_len): the bytes, or %NULL if @term is none of
 *   those kinds
 */
const guint8 *
sp_bert_term_get_bytes (const SpBertTerm *term,
                        gsize            *out_len)
{
  g_return_val_if_fail (term != NULL, NULL);

  switch ((SpBertType) term->type)
    {
    case SP_BERT_TYPE_ATOM:
    case SP_BERT_TYPE_STRING:
    case SP_BERT_TYPE_BINARY:
    case SP_BERT_TYPE_BIT_BINARY:
      if (out_len != NULL)
        *out_len = term->len;
      /* An empty binary may point just past the end of the frame; give callers a pointer
       * they may safely keep. */
      return term->len > 0 ? (const guint8 *) term->v.str : (const guint8 *) "";
    case SP_BERT_TYPE_INT:
    case SP_BERT_TYPE_UINT:
    case SP_BERT_TYPE_BIGNUM:
    case SP_BERT_TYPE_FLOAT:
    case SP_BERT_TYPE_TUPLE:
    case SP_BERT_TYPE_NIL:
    case SP_BERT_TYPE_LIST:
    case SP_BERT_TYPE_MAP:
    default:
      if (out_len != NULL)
        *out_len = 0;
      return NULL;
    }
}

/**
 * sp_bert_term_get_bits:
 * @term: a term
 *
 * Returns: for a bit binary, how many of the high bits of its last byte are used (1 to
 *   7); 8 for any other binary; 0 for other kinds
 */
guint
sp_bert_term_get_bits (const SpBertTerm *term)
{
  g_return_val_if_fail (term != NULL, 0);

  if (term->type == SP_BERT_TYPE_BIT_BINARY)
    return term->bits;
  if (term->type == SP_BERT_TYPE_BINARY)
    return 8;
  return 0;
}

/**
 * sp_bert_term_get_length:
 * @term: a term
 *
 * Returns: the arity of a tuple; the number of elements of a list (not counting the
 *   tail) or of a string; the number of pairs of a map; the number of bytes of a binary
 *   or of an atom's UTF-8 name; 0 otherwise
 */
gsize
sp_bert_term_get_length (const SpBertTerm *term)
{
  g_return_val_if_fail (term != NULL, 0);

  switch ((SpBertType) term->type)
    {
    case SP_BERT_TYPE_ATOM:
    case SP_BERT_TYPE_STRING:
    case SP_BERT_TYPE_BINARY:
    case SP_BERT_TYPE_BIT_BINARY:
    case SP_BERT_TYPE_TUPLE:
    case SP_BERT_TYPE_LIST:
    case SP_BERT_TYPE_MAP:
      return term->len;
    case SP_BERT_TYPE_INT:
    case SP_BERT_TYPE_UINT:
    case SP_BERT_TYPE_BIGNUM:
    case SP_BERT_TYPE_FLOAT:
    case SP_BERT_TYPE_NIL:
    default:
      return 0;
    }
}

/**
 * sp_bert_term_get_child:
 * @term: a tuple or a list
 * @index: the position, from 0
 *
 * Returns: (nullable): element @index of a tuple or list, or %NULL if @term is neither or
 *   has no such element
 */
const SpBertTerm *
sp_bert_term_get_child (const SpBertTerm *term,
                        gsize             index)
{
  g_return_val_if_fail (term != NULL, NULL);

  if ((term->type == SP_BERT_TYPE_TUPLE || term->type == SP_BERT_TYPE_LIST) &&
      index < term->len)
    return &term->v.kids[index];

  return NULL;
}

/**
 * sp_bert_term_get_tail:
 * @term: a list
 *
 * Returns: (nullable): the tail of a non-empty list: the empty list for a proper list,
 *   anything else for an improper one; %NULL if @term is not a non-empty list
 */
const SpBertTerm *
sp_bert_term_get_tail (const SpBertTerm *term)
{
  g_return_val_if_fail (term != NULL, NULL);

  if (term->type == SP_BERT_TYPE_LIST)
    return &term->v.kids[term->len];

  return NULL;
}

/**
 * sp_bert_term_is_proper_list:
 * @term: a term
 *
 * Returns: whether @term is the empty list, a string, or a list whose tail is the empty
 *   list
 */
gboolean
sp_bert_term_is_proper_list (const SpBertTerm *term)
{
  g_return_val_if_fail (term != NULL, FALSE);

  switch ((SpBertType) term->type)
    {
    case SP_BERT_TYPE_NIL:
    case SP_BERT_TYPE_STRING:
      return TRUE;
    case SP_BERT_TYPE_LIST:
      return term->v.kids[term->len].type == SP_BERT_TYPE_NIL;
    case SP_BERT_TYPE_INT:
    case SP_BERT_TYPE_UINT:
    case SP_BERT_TYPE_BIGNUM:
    case SP_BERT_TYPE_FLOAT:
    case SP_BERT_TYPE_ATOM:
    case SP_BERT_TYPE_BINARY:
    case SP_BERT_TYPE_BIT_BINARY:
    case SP_BERT_TYPE_TUPLE:
    case SP_BERT_TYPE_MAP:
    default:
      return FALSE;
    }
}

/**
 * sp_bert_term_get_map_key:
 * @term: a map
 * @index: the pair, from 0, in wire order
 *
 * Returns: (nullable): the key of pair @index, or %NULL
 */
const SpBertTerm *
sp_bert_term_get_map_key (const SpBertTerm *term,
                          gsize             index)
{
  g_return_val_if_fail (term != NULL, NULL);

  if (term->type == SP_BERT_TYPE_MAP && index < term->len)
    return &term->v.kids[2 * index];

  return NULL;
}

/**
 * sp_bert_term_get_map_value:
 * @term: a map
 * @index: the pair, from 0, in wire order
 *
 * Returns: (nullable): the value of pair @index, or %NULL
 */
const SpBertTerm *
sp_bert_term_get_map_value (const SpBertTerm *term,
                            gsize             index)
{
  g_return_val_if_fail (term != NULL, NULL);

  if (term->type == SP_BERT_TYPE_MAP && index < term->len)
    return &term->v.kids[2 * index + 1];

  return NULL;
}

/**
 * sp_bert_term_map_lookup:
 * @term: a map
 * @key: a key as text
 *
 * Finds the value whose key is an atom, string or binary spelling @key. The decoder does
 * not reject duplicate keys; the first one wins.
 *
 * Returns: (nullable): the value, or %NULL
 */
const SpBertTerm *
sp_bert_term_map_lookup (const SpBertTerm *term,
                         const char       *key)
{
  g_return_val_if_fail (term != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (term->type != SP_BERT_TYPE_MAP)
    return NULL;

  for (gsize i = 0; i < term->len; i++)
    {
      if (sp_bert_term_text_equal (&term->v.kids[2 * i], key))
        return &term->v.kids[2 * i + 1];
    }

  return NULL;
}

/**
 * sp_bert_term_equal:
 * @a: a term
 * @b: another term
 *
 * Compares two terms structurally: same kinds, same values, same children in the same
 * order. Integers compare by value whatever their encoding.
 *
 * Returns: whether @a and @b are equal
 */
gboolean
sp_bert_term_equal (const SpBertTerm *a,
                    const SpBertTerm *b)
{
  gsize n;

  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  if (a->type != b->type)
    return FALSE;

  switch ((SpBertType) a->type)
    {
    case SP_BERT_TYPE_INT:
      return a->v.i == b->v.i;
    case SP_BERT_TYPE_UINT:
      return a->v.u == b->v.u;
    case SP_BERT_TYPE_FLOAT:
      return a->v.f == b->v.f;
    case SP_BERT_TYPE_NIL:
      return TRUE;
    case SP_BERT_TYPE_BIGNUM:
    case SP_BERT_TYPE_ATOM:
    case SP_BERT_TYPE_STRING:
    case SP_BERT_TYPE_BINARY:
    case SP_BERT_TYPE_BIT_BINARY:
      return a->len == b->len && a->bits == b->bits &&
             (a->len == 0 || memcmp (a->v.str, b->v.str, a->len) == 0);
    case SP_BERT_TYPE_TUPLE:
    case SP_BERT_TYPE_LIST:
    case SP_BERT_TYPE_MAP:
      if (a->len != b->len)
        return FALSE;
      n = a->len;
      if (a->type == SP_BERT_TYPE_LIST)
        n += 1;
      else if (a->type == SP_BERT_TYPE_MAP)
        n *= 2;
      for (gsize i = 0; i < n; i++)
        {
          if (!sp_bert_term_equal (&a->v.kids[i], &b->v.kids[i]))
            return FALSE;
        }
      return TRUE;
    default:
      return FALSE;
    }
}

/* Text */

/**
 * sp_bert_term_is_text:
 * @term: a term
 *
 * Servers spell names and symbolic values as atoms, strings or binaries, depending on the
 * version and the encoder; these helpers treat the three alike.
 *
 * Returns: whether @term is an atom, a string or a binary
 */
gboolean
sp_bert_term_is_text (const SpBertTerm *term)
{
  g_return_val_if_fail (term != NULL, FALSE);

  return term->type == SP_BERT_TYPE_ATOM || term->type == SP_BERT_TYPE_STRING ||
         term->type == SP_BERT_TYPE_BINARY;
}

/**
 * sp_bert_term_text_equal:
 * @term: a term
 * @text: UTF-8 text
 *
 * Returns: whether @term is an atom, string or binary whose bytes are those of @text
 */
gboolean
sp_bert_term_text_equal (const SpBertTerm *term,
                         const char       *text)
{
  gsize len;

  g_return_val_if_fail (term != NULL, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  if (!sp_bert_term_is_text (term))
    return FALSE;

  len = strlen (text);
  return term->len == len && (len == 0 || memcmp (term->v.str, text, len) == 0);
}

/**
 * sp_bert_term_dup_text:
 * @term: a term
 *
 * Copies an atom, string or binary as valid UTF-8. Binaries are meant to hold UTF-8; an
 * invalid sequence becomes U+FFFD. Strings are lists of code points below 256: if they are
 * not valid UTF-8 (a server that sent UTF-8 bytes as a char list), they are read as
 * Latin-1, which is what they then mean.
 *
 * Returns: (transfer full) (nullable): the text, or %NULL if @term is not text
 */
char *
sp_bert_term_dup_text (const SpBertTerm *term)
{
  const guint8 *s;
  char *out;

  g_return_val_if_fail (term != NULL, NULL);

  switch ((SpBertType) term->type)
    {
    case SP_BERT_TYPE_ATOM:
      return g_strndup (term->v.str, term->len);

    case SP_BERT_TYPE_STRING:
      s = (const guint8 *) term->v.str;
      if (g_utf8_validate_len ((const char *) s, term->len, NULL))
        return g_strndup ((const char *) s, term->len);
      out = g_malloc (latin1_utf8_len (s, term->len) + 1);
      latin1_to_utf8 (s, term->len, out);
      return out;

    case SP_BERT_TYPE_BINARY:
      if (term->len == 0)
        return g_strdup ("");
      if (g_utf8_validate_len (term->v.str, term->len, NULL))
        return g_strndup (term->v.str, term->len);
      return g_utf8_make_valid (term->v.str, term->len);

    case SP_BERT_TYPE_INT:
    case SP_BERT_TYPE_UINT:
    case SP_BERT_TYPE_BIGNUM:
    case SP_BERT_TYPE_FLOAT:
    case SP_BERT_TYPE_BIT_BINARY:
    case SP_BERT_TYPE_TUPLE:
    case SP_BERT_TYPE_NIL:
    case SP_BERT_TYPE_LIST:
    case SP_BERT_TYPE_MAP:
    default:
      return NULL;
    }
}

/* BERT conventions (BERT-RPC 1.0): complex values are tuples led by the atom bert. */

/**
 * sp_bert_term_is_tagged_tuple:
 * @term: a term
 * @tag: the text of the first element
 * @arity: the arity the tuple must have, or 0 for any
 *
 * Returns: whether @term is a tuple whose first element is an atom, string or binary
 *   spelling @tag (and whose arity is @arity, unless 0)
 */
gboolean
sp_bert_term_is_tagged_tuple (const SpBertTerm *term,
                              const char       *tag,
                              gsize             arity)
{
  g_return_val_if_fail (term != NULL, FALSE);
  g_return_val_if_fail (tag != NULL, FALSE);

  return term->type == SP_BERT_TYPE_TUPLE && term->len >= 1 &&
         (arity == 0 || term->len == arity) &&
         sp_bert_term_text_equal (&term->v.kids[0], tag);
}

/**
 * sp_bert_term_get_bert_kind:
 * @term: a term
 *
 * Returns: (nullable): for a BERT complex type `{bert, Kind, …}`, the atom Kind (such as
 *   `nil`, `true`, `dict`, `time`); %NULL for any other term
 */
const char *
sp_bert_term_get_bert_kind (const SpBertTerm *term)
{
  g_return_val_if_fail (term != NULL, NULL);

  if (term->type == SP_BERT_TYPE_TUPLE && term->len >= 2 &&
      sp_bert_term_is_atom (&term->v.kids[0], "bert") &&
      term->v.kids[1].type == SP_BERT_TYPE_ATOM)
    return term->v.kids[1].v.str;

  return NULL;
}

/**
 * sp_bert_term_is_bert_nil:
 * @term: a term
 *
 * Returns: whether @term is `{bert, nil}`, the BERT spelling of the empty list
 */
gboolean
sp_bert_term_is_bert_nil (const SpBertTerm *term)
{
  g_return_val_if_fail (term != NULL, FALSE);

  return term->type == SP_BERT_TYPE_TUPLE && term->len == 2 &&
         g_strcmp0 (sp_bert_term_get_bert_kind (term), "nil") == 0;
}

/**
 * sp_bert_term_get_boolean:
 * @term: a term
 * @out_value: (out) (optional): where to store the value
 *
 * Reads a boolean in either spelling: the atoms `true`/`false`, or the BERT tuples
 * `{bert, true}`/`{bert, false}` that `bert:encode/1` writes.
 *
 * Returns: %TRUE if @term is a boolean
 */
gboolean
sp_bert_term_get_boolean (const SpBertTerm *term,
                          gboolean         *out_value)
{
  const SpBertTerm *atom = term;

  g_return_val_if_fail (term != NULL, FALSE);

  if (term->type == SP_BERT_TYPE_TUPLE)
    {
      if (term->len != 2 || sp_bert_term_get_bert_kind (term) == NULL)
        return FALSE;
      atom = &term->v.kids[1];
    }

  if (sp_bert_term_is_atom (atom, "true"))
    {
      if (out_value != NULL)
        *out_value = TRUE;
      return TRUE;
    }

  if (sp_bert_term_is_atom (atom, "false"))
    {
      if (out_value != NULL)
        *out_value = FALSE;
      return TRUE;
    }

  return FALSE;
}

/**
 * sp_bert_term_get_bert_dict:
 * @term: a term
 *
 * Recognises `{bert, dict, [{Key, Value}, …]}`. The list is mandatory and every item
 * must be a pair.
 *
 * Returns: (nullable): the list of pairs (possibly the empty list), for
 *   sp_bert_dict_lookup() or iteration; %NULL if @term is not a BERT dict
 */
const SpBertTerm *
sp_bert_term_get_bert_dict (const SpBertTerm *term)
{
  const SpBertTerm *list;

  g_return_val_if_fail (term != NULL, NULL);

  if (term->type != SP_BERT_TYPE_TUPLE || term->len != 3 ||
      g_strcmp0 (sp_bert_term_get_bert_kind (term), "dict") != 0)
    return NULL;

  list = &term->v.kids[2];
  if (list->type == SP_BERT_TYPE_NIL)
    return list;
  if (list->type != SP_BERT_TYPE_LIST || !sp_bert_term_is_proper_list (list))
    return NULL;

  for (gsize i = 0; i < list->len; i++)
    {
      if (list->v.kids[i].type != SP_BERT_TYPE_TUPLE || list->v.kids[i].len != 2)
        return NULL;
    }

  return list;
}

/**
 * sp_bert_dict_lookup:
 * @dict: a list of pairs, as returned by sp_bert_term_get_bert_dict()
 * @key: a key as text
 *
 * Returns: (nullable): the value of the first pair whose key is an atom, string or binary
 *   spelling @key, or %NULL
 */
const SpBertTerm *
sp_bert_dict_lookup (const SpBertTerm *dict,
                     const char       *key)
{
  g_return_val_if_fail (dict != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (dict->type != SP_BERT_TYPE_LIST)
    return NULL;

  for (gsize i = 0; i < dict->len; i++)
    {
      const SpBertTerm *pair = &dict->v.kids[i];

      if (pair->type == SP_BERT_TYPE_TUPLE && pair->len == 2 &&
          sp_bert_term_text_equal (&pair->v.kids[0], key))
        return &pair->v.kids[1];
    }

  return NULL;
}

/**
 * sp_bert_term_get_bert_time:
 * @term: a term
 * @out_unix_usec: (out) (optional): microseconds since the Unix epoch
 *
 * Recognises `{bert, time, MegaSecs, Secs, MicroSecs}`, the BERT form of an Erlang
 * timestamp.
 *
 * Returns: %TRUE if @term is a BERT time that fits in 64 bits of microseconds
 */
gboolean
sp_bert_term_get_bert_time (const SpBertTerm *term,
                            gint64           *out_unix_usec)
{
  gint64 mega, secs, micro, total;

  g_return_val_if_fail (term != NULL, FALSE);

  if (term->type != SP_BERT_TYPE_TUPLE || term->len != 5 ||
      g_strcmp0 (sp_bert_term_get_bert_kind (term), "time") != 0)
    return FALSE;

  if (!sp_bert_term_get_int64 (&term->v.kids[2], &mega) ||
      !sp_bert_term_get_int64 (&term->v.kids[3], &secs) ||
      !sp_bert_term_get_int64 (&term->v.kids[4], &micro))
    return FALSE;

  if (__builtin_mul_overflow (mega, G_GINT64_CONSTANT (1000000000000), &mega) ||
      __builtin_mul_overflow (secs, G_GINT64_CONSTANT (1000000), &secs) ||
      __builtin_add_overflow (mega, secs, &total) ||
      __builtin_add_overflow (total, micro, &total))
    return FALSE;

  if (out_unix_usec != NULL)
    *out_unix_usec = total;
  return TRUE;
}

/**
 * sp_bert_term_get_bert_regex:
 * @term: a term
 * @out_source: (out) (optional) (transfer none): the pattern
 * @out_options: (out) (optional) (transfer none): the list of options
 *
 * Recognises `{bert, regex, Source, Options}`.
 *
 * Returns: %TRUE if @term is a BERT regex with a text source and a list of options
 */
gboolean
sp_bert_term_get_bert_regex (const SpBertTerm  *term,
                             const SpBertTerm **out_source,
                             const SpBertTerm **out_options)
{
  const SpBertTerm *source, *options;

  g_return_val_if_fail (term != NULL, FALSE);

  if (term->type != SP_BERT_TYPE_TUPLE || term->len != 4 ||
      g_strcmp0 (sp_bert_term_get_bert_kind (term), "regex") != 0)
    return FALSE;

  source = &term->v.kids[2];
  options = &term->v.kids[3];
  if (!sp_bert_term_is_text (source) || !sp_bert_term_is_proper_list (options))
    return FALSE;

  if (out_source != NULL)
    *out_source = source;
  if (out_options != NULL)
    *out_options = options;
  return TRUE;
}

/* JSON */

static void
json_append_string (GString      *out,
                    const guint8 *s,
                    gsize         len)
{
  static const char hex[] = "0123456789abcdef";

  g_string_append_c (out, '"');
  for (gsize i = 0; i < len; i++)
    {
      guint8 c = s[i];

      switch (c)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if (c < 0x20)
            {
              g_string_append (out, "\\u00");
              g_string_append_c (out, hex[c >> 4]);
              g_string_append_c (out, hex[c & 0xF]);
            }
          else
            {
              g_string_append_c (out, (char) c);
            }
          break;
        }
    }
  g_string_append_c (out, '"');
}

static void
json_append_hex (GString      *out,
                 const guint8 *s,
                 gsize         len)
{
  static const char hex[] = "0123456789abcdef";

  g_string_append_c (out, '"');
  for (gsize i = 0; i < len; i++)
    {
      g_string_append_c (out, hex[s[i] >> 4]);
      g_string_append_c (out, hex[s[i] & 0xF]);
    }
  g_string_append_c (out, '"');
}

/* The shortest text that reads back as the same double, always with a fraction or an
 * exponent so that JSON readers keep it a float. */
static void
json_append_double (GString *out,
                    double   v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (int precision = 1; precision <= 17; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buf, sizeof buf, format, v);
      if (g_ascii_strtod (buf, NULL) == v)
        break;
    }

  g_string_append (out, buf);
  if (strpbrk (buf, ".eE") == NULL)
    g_string_append (out, ".0");
}

static void
json_newline (GString *out,
              gboolean pretty,
              guint    indent)
{
  if (!pretty)
    return;

  g_string_append_c (out, '\n');
  for (guint i = 0; i < indent; i++)
    g_string_append (out, "  ");
}

static void json_append_term (GString          *out,
                              const SpBertTerm *term,
                              gboolean          pretty,
                              guint             indent);

static void
json_append_array (GString          *out,
                   const SpBertTerm *kids,
                   gsize             n,
                   gboolean          pretty,
                   guint             indent)
{
  g_string_append_c (out, '[');
  for (gsize i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      json_newline (out, pretty, indent + 1);
      json_append_term (out, &kids[i], pretty, indent + 1);
    }
  if (n > 0)
    json_newline (out, pretty, indent);
  g_string_append_c (out, ']');
}

static void
json_append_term (GString          *out,
                  const SpBertTerm *term,
                  gboolean          pretty,
                  guint             indent)
{
  const char *colon = pretty ? ": " : ":";
  const guint8 *s = (const guint8 *) term->v.str;

  switch ((SpBertType) term->type)
    {
    case SP_BERT_TYPE_INT:
      g_string_append_printf (out, "{\"int\"%s%" G_GINT64_FORMAT "}", colon, term->v.i);
      break;

    case SP_BERT_TYPE_UINT:
      g_string_append_printf (out, "{\"bigint\"%s\"%" G_GUINT64_FORMAT "\"}", colon,
                              term->v.u);
      break;

    case SP_BERT_TYPE_BIGNUM:
      g_string_append_printf (out, "{\"bigint\"%s\"%s\"}", colon, term->v.str);
      break;

    case SP_BERT_TYPE_FLOAT:
      g_string_append_printf (out, "{\"float\"%s", colon);
      json_append_double (out, term->v.f);
      g_string_append_c (out, '}');
      break;

    case SP_BERT_TYPE_ATOM:
      g_string_append_printf (out, "{\"atom\"%s", colon);
      json_append_string (out, s, term->len);
      g_string_append_c (out, '}');
      break;

    case SP_BERT_TYPE_STRING:
    case SP_BERT_TYPE_BINARY:
      {
        const char *name = term->type == SP_BERT_TYPE_STRING ? "string" : "binary";

        /* Text is shown as text; anything else in hex, so that no byte is lost. */
        if (term->len == 0 || utf8_validate_count (s, term->len, NULL))
          {
            g_string_append_printf (out, "{\"%s\"%s", name, colon);
            json_append_string (out, s, term->len);
          }
        else
          {
            g_string_append_printf (out, "{\"%s_hex\"%s", name, colon);
            json_append_hex (out, s, term->len);
          }
        g_string_append_c (out, '}');
      }
      break;

    case SP_BERT_TYPE_BIT_BINARY:
      g_string_append_printf (out, "{\"bit_binary\"%s{\"hex\"%s", colon, colon);
      json_append_hex (out, s, term->len);
      g_string_append_printf (out, ",%s\"bits\"%s%u}}", pretty ? " " : "", colon, term->bits);
      break;

    case SP_BERT_TYPE_TUPLE:
      g_string_append_printf (out, "{\"tuple\"%s", colon);
      json_append_array (out, term->v.kids, term->len, pretty, indent);
      g_string_append_c (out, '}');
      break;

    case SP_BERT_TYPE_NIL:
      g_string_append_printf (out, "{\"list\"%s[]}", colon);
      break;

    case SP_BERT_TYPE_LIST:
      if (term->v.kids[term->len].type == SP_BERT_TYPE_NIL)
        {
          g_string_append_printf (out, "{\"list\"%s", colon);
          json_append_array (out, term->v.kids, term->len, pretty, indent);
          g_string_append_c (out, '}');
        }
      else
        {
          g_string_append_printf (out, "{\"improper_list\"%s{\"items\"%s", colon, colon);
          json_append_array (out, term->v.kids, term->len, pretty, indent);
          g_string_append_printf (out, ",%s\"tail\"%s", pretty ? " " : "", colon);
          json_append_term (out, &term->v.kids[term->len], pretty, indent);
          g_string_append (out, "}}");
        }
      break;

    case SP_BERT_TYPE_MAP:
      g_string_append_printf (out, "{\"map\"%s[", colon);
      for (gsize i = 0; i < term->len; i++)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          json_newline (out, pretty, indent + 1);
          g_string_append_c (out, '[');
          json_append_term (out, &term->v.kids[2 * i], pretty, indent + 1);
          g_string_append_c (out, ',');
          if (pretty)
            g_string_append_c (out, ' ');
          json_append_term (out, &term->v.kids[2 * i + 1], pretty, indent + 1);
          g_string_append_c (out, ']');
        }
      if (term->len > 0)
        json_newline (out, pretty, indent);
      g_string_append (out, "]}");
      break;

    default:
      g_assert_not_reached ();
    }
}

/**
 * sp_bert_term_to_json:
 * @term: a term
 * @pretty: whether to break containers over indented lines
 *
 * Writes @term as JSON in which every value is an object naming its kind:
 * `{"int":1}`, `{"bigint":"18446744073709551616"}`, `{"float":1.5}`, `{"atom":"ok"}`,
 * `{"string":"abc"}`, `{"binary":"text"}` (or `{"binary_hex":"00ff"}` when the bytes are
 * not UTF-8; likewise `string_hex`), `{"bit_binary":{"hex":"e0","bits":3}}`,
 * `{"tuple":[…]}`, `{"list":[…]}`, `{"improper_list":{"items":[…],"tail":…}}` and
 * `{"map":[[K,V],…]}`. Integers outside 64 signed bits are strings, so that no JSON
 * reader rounds them.
 *
 * Returns: (transfer full): the JSON text
 */
char *
sp_bert_term_to_json (const SpBertTerm *term,
                      gboolean          pretty)
{
  GString *out;

  g_return_val_if_fail (term != NULL, NULL);

  out = g_string_new (NULL);
  json_append_term (out, term, pretty, 0);
  return g_string_free (out, FALSE);
}
