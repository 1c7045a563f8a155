/* sp-bert.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * SP_BERT_ERROR:
 *
 * Error domain of the Erlang External Term Format decoder. Errors in this domain are from
 * the #SpBertError enumeration.
 */
#define SP_BERT_ERROR (sp_bert_error_quark ())

/**
 * SpBertError:
 * @SP_BERT_ERROR_EMPTY: the input holds no bytes at all
 * @SP_BERT_ERROR_BAD_VERSION: the first byte is not the version byte 131
 * @SP_BERT_ERROR_TRUNCATED: the input ends inside a term
 * @SP_BERT_ERROR_TRAILING_DATA: bytes follow the complete term
 * @SP_BERT_ERROR_UNKNOWN_TAG: a tag byte that is not part of the format
 * @SP_BERT_ERROR_UNSUPPORTED: a known tag that a message from a server can never carry
 *   (pids, ports, references, funs, atom cache references, distribution headers)
 * @SP_BERT_ERROR_INVALID: a well-framed term with impossible content (an atom that is not
 *   UTF-8, a float that is not finite, a bit count out of range, a nested compressed term)
 * @SP_BERT_ERROR_TOO_DEEP: terms nested deeper than the depth limit
 * @SP_BERT_ERROR_TOO_LARGE: the input, a declared uncompressed size or a big integer is
 *   larger than its limit
 * @SP_BERT_ERROR_COMPRESSION: a compressed term whose zlib stream is corrupt or does not
 *   inflate to exactly the declared size
 *
 * Why a frame was rejected.
 */
typedef enum
{
  SP_BERT_ERROR_EMPTY,
  SP_BERT_ERROR_BAD_VERSION,
  SP_BERT_ERROR_TRUNCATED,
  SP_BERT_ERROR_TRAILING_DATA,
  SP_BERT_ERROR_UNKNOWN_TAG,
  SP_BERT_ERROR_UNSUPPORTED,
  SP_BERT_ERROR_INVALID,
  SP_BERT_ERROR_TOO_DEEP,
  SP_BERT_ERROR_TOO_LARGE,
  SP_BERT_ERROR_COMPRESSION,
} SpBertError;

GQuark sp_bert_error_quark (void);

/**
 * SpBertType:
 * @SP_BERT_TYPE_INT: an integer that fits in #gint64 (SMALL_INTEGER, INTEGER, or a big
 *   integer in range)
 * @SP_BERT_TYPE_UINT: a positive big integer above %G_MAXINT64 that fits in #guint64
 * @SP_BERT_TYPE_BIGNUM: any other big integer, kept exactly as a decimal string
 * @SP_BERT_TYPE_FLOAT: a finite double (NEW_FLOAT or the old textual FLOAT)
 * @SP_BERT_TYPE_ATOM: an atom, as UTF-8 whatever its encoding on the wire
 * @SP_BERT_TYPE_STRING: STRING_EXT, a list of small integers kept as a byte string
 * @SP_BERT_TYPE_BINARY: a binary
 * @SP_BERT_TYPE_BIT_BINARY: a bitstring whose last byte is only partly used
 * @SP_BERT_TYPE_TUPLE: a tuple
 * @SP_BERT_TYPE_NIL: the empty list
 * @SP_BERT_TYPE_LIST: a non-empty list; its tail is the empty list unless it is improper
 * @SP_BERT_TYPE_MAP: a map, its pairs in wire order
 *
 * The kind of a decoded term.
 */
typedef enum
{
  SP_BERT_TYPE_INT,
  SP_BERT_TYPE_UINT,
  SP_BERT_TYPE_BIGNUM,
  SP_BERT_TYPE_FLOAT,
  SP_BERT_TYPE_ATOM,
  SP_BERT_TYPE_STRING,
  SP_BERT_TYPE_BINARY,
  SP_BERT_TYPE_BIT_BINARY,
  SP_BERT_TYPE_TUPLE,
  SP_BERT_TYPE_NIL,
  SP_BERT_TYPE_LIST,
  SP_BERT_TYPE_MAP,
} SpBertType;

/**
 * SpBertTerm:
 *
 * One node of a decoded term tree. Nodes are owned by their #SpBertDocument and live as
 * long as it does; read them through the accessors below. The layout is private but
 * deliberately small (16 bytes), because a 10 000-channel snapshot has hundreds of
 * thousands of them.
 */
typedef struct _SpBertTerm SpBertTerm;

struct _SpBertTerm
{
  /*< private >*/
  guint8 type;
  guint8 bits;
  guint32 len;
  union
  {
    gint64 i;
    guint64 u;
    double f;
    const char *str;
    const SpBertTerm *kids;
  } v;
};

/**
 * SpBertDocument:
 *
 * A decoded frame: the root term and the memory of every node, string and (for
 * compressed frames) the inflated bytes. Reference counted; thread-safe to read.
 */
typedef struct _SpBertDocument SpBertDocument;

/**
 * SpBertLimits:
 * @max_depth: how deeply containers may nest (the root is depth 1), 0 for the default
 *   %SP_BERT_DEFAULT_MAX_DEPTH; never more than %SP_BERT_MAX_DEPTH
 * @max_size: the largest input, and the largest uncompressed size a compressed frame may
 *   declare, in bytes, 0 for the default %SP_BERT_DEFAULT_MAX_SIZE
 * @max_bignum_bytes: the longest magnitude of a big integer, in bytes, 0 for the default
 *   %SP_BERT_DEFAULT_MAX_BIGNUM_BYTES (converting a big integer to decimal costs time
 *   quadratic in its length)
 *
 * Limits that keep a hostile frame from costing unbounded memory, time or stack.
 */
typedef struct
{
  guint max_depth;
  gsize max_size;
  gsize max_bignum_bytes;
} SpBertLimits;

#define SP_BERT_DEFAULT_MAX_DEPTH 128
#define SP_BERT_MAX_DEPTH 4096
#define SP_BERT_DEFAULT_MAX_SIZE (64 * 1024 * 1024)
#define SP_BERT_DEFAULT_MAX_BIGNUM_BYTES 1024

SpBertDocument    *sp_bert_decode                 (GBytes              *bytes,
                                                   const SpBertLimits  *limits,
                                                   GError             **error);
SpBertDocument    *sp_bert_decode_data            (const guint8        *data,
                                                   gsize                len,
                                                   const SpBertLimits  *limits,
                                                   GError             **error);

SpBertDocument    *sp_bert_document_ref           (SpBertDocument      *doc);
void               sp_bert_document_unref         (SpBertDocument      *doc);
const SpBertTerm  *sp_bert_document_get_root      (SpBertDocument      *doc);
gsize              sp_bert_document_get_n_terms   (SpBertDocument      *doc);

SpBertType         sp_bert_term_get_type          (const SpBertTerm    *term);
const char        *sp_bert_type_to_string         (SpBertType           type);
gboolean           sp_bert_term_is_integer        (const SpBertTerm    *term);
gboolean           sp_bert_term_get_int64         (const SpBertTerm    *term,
                                                   gint64              *out_value);
gboolean           sp_bert_term_get_uint64        (const SpBertTerm    *term,
                                                   guint64             *out_value);
char              *sp_bert_term_dup_integer_string (const SpBertTerm   *term);
gboolean           sp_bert_term_get_double        (const SpBertTerm    *term,
                                                   double              *out_value);
const char        *sp_bert_term_get_atom          (const SpBertTerm    *term);
gboolean           sp_bert_term_is_atom           (const SpBertTerm    *term,
                                                   const char          *name);
const guint8      *sp_bert_term_get_bytes         (const SpBertTerm    *term,
                                                   gsize               *out_len);
guint              sp_bert_term_get_bits          (const SpBertTerm    *term);
gsize              sp_bert_term_get_length        (const SpBertTerm    *term);
const SpBertTerm  *sp_bert_term_get_child         (const SpBertTerm    *term,
                                                   gsize                index);
const SpBertTerm  *sp_bert_term_get_tail          (const SpBertTerm    *term);
gboolean           sp_bert_term_is_proper_list    (const SpBertTerm    *term);
const SpBertTerm  *sp_bert_term_get_map_key       (const SpBertTerm    *term,
                                                   gsize                index);
const SpBertTerm  *sp_bert_term_get_map_value     (const SpBertTerm    *term,
                                                   gsize                index);
const SpBertTerm  *sp_bert_term_map_lookup        (const SpBertTerm    *term,
                                                   const char          *key);
gboolean           sp_bert_term_equal             (const SpBertTerm    *a,
                                                   const SpBertTerm    *b);

gboolean           sp_bert_term_is_text           (const SpBertTerm    *term);
gboolean           sp_bert_term_text_equal        (const SpBertTerm    *term,
                                                   const char          *text);
char              *sp_bert_term_dup_text          (const SpBertTerm    *term);

gboolean           sp_bert_term_is_tagged_tuple   (const SpBertTerm    *term,
                                                   const char          *tag,
                                                   gsize                arity);
const char        *sp_bert_term_get_bert_kind     (const SpBertTerm    *term);
gboolean           sp_bert_term_is_bert_nil       (const SpBertTerm    *term);
gboolean           sp_bert_term_get_boolean       (const SpBertTerm    *term,
                                                   gboolean            *out_value);
const SpBertTerm  *sp_bert_term_get_bert_dict     (const SpBertTerm    *term);
const SpBertTerm  *sp_bert_dict_lookup            (const SpBertTerm    *dict,
                                                   const char          *key);
gboolean           sp_bert_term_get_bert_time     (const SpBertTerm    *term,
                                                   gint64              *out_unix_usec);
gboolean           sp_bert_term_get_bert_regex    (const SpBertTerm    *term,
                                                   const SpBertTerm   **out_source,
                                                   const SpBertTerm   **out_options);

char              *sp_bert_term_to_json           (const SpBertTerm    *term,
                                                   gboolean             pretty);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpBertDocument, sp_bert_document_unref)

G_END_DECLS
