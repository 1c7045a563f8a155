/* sp-basix-fields.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-basix-fields"

#include "config.h"

#include <string.h>

#include "sp-basix-fields.h"
#include "sp-basix-term-private.h"

/* The values of Basix element fields, read on demand from the terms the element model
 * (sp-basix-model.c) keeps: whether a value means anything, a value as text, and the
 * structured fields of a channel (`state`, `target`, `other_info`) and the strings it packs
 * (`end_user`, `origination`, `tags`, avatars), as the ws_cti JavaScript library reads
 * them. Pure functions of untrusted input: a value of the wrong shape reads as absent, an
 * invalid escape stays as it is. */

/* Values */

/**
 * sp_basix_term_is_absent:
 * @term: (nullable): a value
 *
 * Basix marks a missing value with the record default `undefined`; a server that goes
 * through `bert:encode/1` may send `{bert, nil}`, and an empty list means nothing too.
 *
 * Returns: whether @term is %NULL or one of those
 */
gboolean
sp_basix_term_is_absent (const SpBertTerm *term)
{
  if (term == NULL)
    return TRUE;

  switch (sp_bert_term_get_type (term))
    {
    case SP_BERT_TYPE_NIL:
      return TRUE;
    case SP_BERT_TYPE_ATOM:
      return sp_bert_term_is_atom (term, "undefined");
    case SP_BERT_TYPE_TUPLE:
      return sp_bert_term_is_bert_nil (term);
    case SP_BERT_TYPE_INT:
    case SP_BERT_TYPE_UINT:
    case SP_BERT_TYPE_BIGNUM:
    case SP_BERT_TYPE_FLOAT:
    case SP_BERT_TYPE_STRING:
    case SP_BERT_TYPE_BINARY:
    case SP_BERT_TYPE_BIT_BINARY:
    case SP_BERT_TYPE_LIST:
    case SP_BERT_TYPE_MAP:
    default:
      return FALSE;
    }
}

/**
 * sp_basix_term_dup_string:
 * @term: (nullable): a value
 *
 * Reads a value as text whatever its encoding: atoms, strings and binaries as UTF-8,
 * integers in decimal, booleans in either spelling as `true`/`false`.
 *
 * Returns: (transfer full) (nullable): the text, or %NULL if @term is absent or not a
 *   scalar
 */
char *
sp_basix_term_dup_string (const SpBertTerm *term)
{
  gboolean b;
  double f;

  if (sp_basix_term_is_absent (term))
    return NULL;

  if (sp_bert_term_is_text (term))
    return sp_bert_term_dup_text (term);

  if (sp_bert_term_is_integer (term))
    return sp_bert_term_dup_integer_string (term);

  if (sp_bert_term_get_double (term, &f))
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      return g_strdup (g_ascii_dtostr (buf, sizeof buf, f));
    }

  if (sp_bert_term_get_boolean (term, &b))
    return g_strdup (b ? "true" : "false");

  return NULL;
}

/* Positional access, for the model and the parsers below (sp-basix-term-private.h). */

/**
 * sp_basix_term_equal_string:
 * @term: (nullable): a value
 * @text: (nullable): UTF-8 text
 *
 * Compares a value with text as sp_basix_term_dup_string() would read it, without copying
 * text or formatting integers on the heap: an id is compared once per channel of a
 * 10 000-channel snapshot.
 *
 * Returns: whether @term reads as @text
 */
gboolean
sp_basix_term_equal_string (const SpBertTerm *term,
                            const char       *text)
{
  g_autofree char *copy = NULL;
  gint64 value;

  if (text == NULL || sp_basix_term_is_absent (term))
    return FALSE;

  if (sp_bert_term_is_text (term))
    return sp_bert_term_text_equal (term, text);

  if (sp_bert_term_get_int64 (term, &value))
    {
      /* The decimal digits, written backwards without printf: this compares a user id
       * with every channel of a snapshot. */
      char buf[24];
      char *p = buf + sizeof buf;
      guint64 magnitude = value < 0 ? -(guint64) value : (guint64) value;

      *--p = '\0';
      do
        {
          *--p = (char) ('0' + magnitude % 10);
          magnitude /= 10;
        }
      while (magnitude > 0);
      if (value < 0)
        *--p = '-';

      return g_str_equal (p, text);
    }

  copy = sp_basix_term_dup_string (term);
  return g_strcmp0 (copy, text) == 0;
}

const SpBertTerm *
sp_basix_term_nth (const SpBertTerm *term,
                   gsize             index)
{
  const SpBertTerm *child = sp_bert_term_get_child (term, index);

  return sp_basix_term_is_absent (child) ? NULL : child;
}

char *
sp_basix_term_dup_nth (const SpBertTerm *term,
                       gsize             index)
{
  return sp_basix_term_dup_string (sp_basix_term_nth (term, index));
}

gint64
sp_basix_term_nth_int64 (const SpBertTerm *term,
                         gsize             index)
{
  const SpBertTerm *child = sp_basix_term_nth (term, index);
  gint64 v = 0;

  /* Absent (undefined, nil, or past the end) reads as 0, "not known", like a non-integer:
   * a state without its timestamp is a state all the same. */
  if (child != NULL)
    sp_bert_term_get_int64 (child, &v);
  return v;
}

gboolean
sp_basix_term_is_positional (const SpBertTerm *term)
{
  SpBertType type = sp_bert_term_get_type (term);

  return type == SP_BERT_TYPE_TUPLE || type == SP_BERT_TYPE_LIST;
}

/* Structured channel fields */

/**
 * sp_basix_state_clear:
 * @state: a state filled by sp_basix_parse_state()
 *
 * Frees the strings of @state and zeroes it.
 */
void
sp_basix_state_clear (SpBasixState *state)
{
  g_free (state->name);
  g_free (state->target_type);
  g_free (state->target_id);
  g_free (state->target_name);
  g_free (state->target_location);
  g_free (state->group_type);
  g_free (state->queue_id);
  g_free (state->address);
  g_free (state->ivr_id);
  g_free (state->operation);
  g_free (state->room_id);
  g_free (state->slot);
  g_free (state->parker_id);
  g_free (state->parker_name);
  g_free (state->uuid);
  g_free (state->eavesdrop_state);
  memset (state, 0, sizeof *state);
}

static void
parse_calling_target (SpBasixState     *state,
                      const SpBertTerm *target)
{
  if (target == NULL || state->target_type == NULL)
    return;

  if (g_str_equal (state->target_type, "user"))
    {
      state->target_id = sp_basix_term_dup_nth (target, 0);
    }
  else if (g_str_equal (state->target_type, "group"))
    {
      /* {GroupType, GroupId, _, _, QueueId}; the queue only means something for a ring
       * group. */
      state->group_type = sp_basix_term_dup_nth (target, 0);
      state->target_id = sp_basix_term_dup_nth (target, 1);
      if (g_strcmp0 (state->group_type, "ring") == 0)
        state->queue_id = sp_basix_term_dup_nth (target, 4);
    }
  else if (g_str_equal (state->target_type, "pstn"))
    {
      state->address = sp_basix_term_dup_nth (target, 0);
    }
  else if (g_str_equal (state->target_type, "bridged_endpoint"))
    {
      g_autofree char *a = sp_basix_term_dup_nth (target, 0);
      g_autofree char *b = sp_basix_term_dup_nth (target, 1);

      if (a != NULL && b != NULL)
        state->address = g_strdup_printf ("%s@%s", a, b);
    }
}

/**
 * sp_basix_parse_state:
 * @term: (nullable): the value of a channel's `state` field
 * @out_state: (out caller-allocates): the parsed state; clear it with
 *   sp_basix_state_clear()
 *
 * Reads `{Ts, Name, …}`, where the items after the name depend on the name (see the
 * fields of #SpBasixState).
 *
 * Returns: %TRUE if @term is a state tuple with a name
 */
gboolean
sp_basix_parse_state (const SpBertTerm *term,
                      SpBasixState     *out_state)
{
  SpBasixState *s = out_state;
  const char *name;

  g_return_val_if_fail (out_state != NULL, FALSE);

  memset (s, 0, sizeof *s);

  if (term == NULL || !sp_basix_term_is_positional (term))
    return FALSE;

  s->name = sp_basix_term_dup_nth (term, 1);
  if (s->name == NULL)
    return FALSE;

  s->ts = sp_basix_term_nth_int64 (term, 0);
  name = s->name;

  if (g_str_equal (name, "voicemail"))
    {
      s->target_type = sp_basix_term_dup_nth (term, 2);
      s->target_id = sp_basix_term_dup_nth (term, 3);
      s->target_name = sp_basix_term_dup_nth (term, 4);
    }
  else if (g_str_equal (name, "checking_voicemail"))
    {
      s->target_name = sp_basix_term_dup_nth (term, 2);
    }
  else if (g_str_equal (name, "calling"))
    {
      s->target_location = sp_basix_term_dup_nth (term, 2);
      s->target_type = sp_basix_term_dup_nth (term, 3);
      parse_calling_target (s, sp_basix_term_nth (term, 4));
    }
  else if (g_str_equal (name, "calling_siptermination"))
    {
      s->address = sp_basix_term_dup_nth (term, 2);
    }
  else if (g_str_equal (name, "ivr"))
    {
      s->ivr_id = sp_basix_term_dup_nth (term, 2);
    }
  else if (g_str_equal (name, "system_operation"))
    {
      s->operation = sp_basix_term_dup_nth (term, 2);
    }
  else if (g_str_equal (name, "conference"))
    {
      s->room_id = sp_basix_term_dup_nth (term, 2);
    }
  else if (g_str_equal (name, "park"))
    {
      s->slot = sp_basix_term_dup_nth (term, 2);
      s->parker_id = sp_basix_term_dup_nth (term, 4);
      s->parker_name = sp_basix_term_dup_nth (term, 5);
    }
  else if (g_str_equal (name, "eavesdrop"))
    {
      s->uuid = sp_basix_term_dup_nth (term, 2);
      s->eavesdrop_state = sp_basix_term_dup_nth (term, 3);
    }

  return TRUE;
}

/**
 * sp_basix_target_clear:
 * @target: a target filled by sp_basix_parse_target()
 */
void
sp_basix_target_clear (SpBasixTarget *target)
{
  g_free (target->type);
  g_free (target->id);
  g_free (target->name);
  g_free (target->address);
  memset (target, 0, sizeof *target);
}

/**
 * sp_basix_parse_target:
 * @term: (nullable): the value of a channel's `target` field
 * @out_target: (out caller-allocates): the parsed target
 *
 * Returns: %TRUE if @term is a `{Type, Id, Name, Address}` tuple
 */
gboolean
sp_basix_parse_target (const SpBertTerm *term,
                       SpBasixTarget    *out_target)
{
  g_return_val_if_fail (out_target != NULL, FALSE);

  memset (out_target, 0, sizeof *out_target);

  if (term == NULL || !sp_basix_term_is_positional (term))
    return FALSE;

  out_target->type = sp_basix_term_dup_nth (term, 0);
  out_target->id = sp_basix_term_dup_nth (term, 1);
  out_target->name = sp_basix_term_dup_nth (term, 2);
  out_target->address = sp_basix_term_dup_nth (term, 3);
  return TRUE;
}

/**
 * sp_basix_other_info_clear:
 * @info: other info filled by sp_basix_parse_other_info()
 */
void
sp_basix_other_info_clear (SpBasixOtherInfo *info)
{
  g_free (info->type);
  g_free (info->user_id);
  g_free (info->end_user);
  g_free (info->direction);
  g_free (info->peer_location);
  g_free (info->address);
  g_free (info->group_id);
  g_free (info->whoscall);
  memset (info, 0, sizeof *info);
}

/**
 * sp_basix_parse_other_info:
 * @term: (nullable): the value of a channel's `other_info` field
 * @out_info: (out caller-allocates): the parsed info
 *
 * Reads the tuple: [0] type (`user`/`end_user`), [1] user id or end_user string,
 * [2] direction, [3] peer_location, [4] address, [5] offer_timestamp, [6] group_id (type
 * `user` only), [7] whoscall.
 *
 * Returns: %TRUE if @term is a tuple with a type
 */
gboolean
sp_basix_parse_other_info (const SpBertTerm *term,
                           SpBasixOtherInfo *out_info)
{
  SpBasixOtherInfo *o = out_info;

  g_return_val_if_fail (out_info != NULL, FALSE);

  memset (o, 0, sizeof *o);

  if (term == NULL || !sp_basix_term_is_positional (term))
    return FALSE;

  o->type = sp_basix_term_dup_nth (term, 0);
  if (o->type == NULL)
    return FALSE;

  if (g_str_equal (o->type, "end_user"))
    o->end_user = sp_basix_term_dup_nth (term, 1);
  else
    o->user_id = sp_basix_term_dup_nth (term, 1);
  o->direction = sp_basix_term_dup_nth (term, 2);
  o->peer_location = sp_basix_term_dup_nth (term, 3);
  o->address = sp_basix_term_dup_nth (term, 4);
  o->offer_timestamp = sp_basix_term_nth_int64 (term, 5);
  if (g_str_equal (o->type, "user"))
    o->group_id = sp_basix_term_dup_nth (term, 6);
  o->whoscall = sp_basix_term_dup_nth (term, 7);

  return TRUE;
}

/* Percent-decoding that never fails: an invalid escape stays as it is, and the result is
 * made valid UTF-8. With @plus, '+' is a space first (form encoding). */
static char *
percent_decode (const char *s,
                gsize       len,
                gboolean    plus)
{
  g_autoptr(GString) out = g_string_sized_new (len);

  for (gsize i = 0; i < len; i++)
    {
      if (s[i] == '%' && i + 2 < len && g_ascii_isxdigit (s[i + 1]) &&
          g_ascii_isxdigit (s[i + 2]))
        {
          char c = (char) (g_ascii_xdigit_value (s[i + 1]) << 4 | g_ascii_xdigit_value (s[i + 2]));

          /* A NUL would cut the string short. */
          if (c != '\0')
            g_string_append_c (out, c);
          i += 2;
        }
      else if (plus && s[i] == '+')
        {
          g_string_append_c (out, ' ');
        }
      else
        {
          g_string_append_c (out, s[i]);
        }
    }

  if (!g_utf8_validate_len (out->str, out->len, NULL))
    return g_utf8_make_valid (out->str, (gssize) out->len);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * sp_basix_end_user_item_free:
 * @item: (transfer full): an item
 */
void
sp_basix_end_user_item_free (SpBasixEndUserItem *item)
{
  g_free (item->id);
  g_free (item->name);
  g_free (item->organization);
  g_free (item->avatar);
  g_free (item->prefecture);
  g_free (item);
}

static SpBasixEndUserItem *
parse_end_user_item (const char *s,
                     gsize       len)
{
  SpBasixEndUserItem *item = g_new0 (SpBasixEndUserItem, 1);
  char **fields[] = { &item->id, &item->name, &item->organization, &item->avatar,
                      &item->prefecture };
  gsize start = 0;
  guint f = 0;

  for (gsize i = 0; i <= len && f < G_N_ELEMENTS (fields); i++)
    {
      if (i == len || s[i] == '*')
        {
          *fields[f++] = percent_decode (s + start, i - start, TRUE);
          start = i + 1;
        }
    }

  for (; f < G_N_ELEMENTS (fields); f++)
    *fields[f] = g_strdup ("");

  return item;
}

/**
 * sp_basix_parse_end_user:
 * @end_user: (nullable): the value of a channel's `end_user` field
 * @out_n_declared: (out) (optional): the number of candidates the server counted, which
 *   may exceed the items it sent
 *
 * Reads the CRM identity of the remote party: nothing if the string is empty or only
 * asterisks; `_MANY_:N|item|item…` for several candidates; otherwise one item. Each item
 * is `id*name*organization*avatar*prefecture`, every token form-URL-decoded.
 *
 * Returns: (transfer full) (element-type SpBasixEndUserItem): the candidates, possibly
 *   none
 */
GPtrArray *
sp_basix_parse_end_user (const char *end_user,
                         guint      *out_n_declared)
{
  GPtrArray *items = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_basix_end_user_item_free);
  const char *rest;
  guint declared = 0;

  if (out_n_declared != NULL)
    *out_n_declared = 0;

  if (end_user == NULL || end_user[strspn (end_user, "*")] == '\0')
    return items;

  if (g_str_has_prefix (end_user, "_MANY_:"))
    {
      const char *bar = strchr (end_user, '|');
      g_autofree char *count = NULL;
      guint64 n = 0;

      count = bar != NULL ? g_strndup (end_user + strlen ("_MANY_:"),
                                       (gsize) (bar - end_user) - strlen ("_MANY_:"))
                          : g_strdup (end_user + strlen ("_MANY_:"));
      if (g_ascii_string_to_unsigned (count, 10, 0, G_MAXUINT, &n, NULL))
        declared = (guint) n;

      rest = bar;
      while (rest != NULL)
        {
          const char *item = rest + 1;
          const char *next = strchr (item, '|');
          gsize len = next != NULL ? (gsize) (next - item) : strlen (item);

          if (len > 0)
            g_ptr_array_add (items, parse_end_user_item (item, len));
          rest = next;
        }
    }
  else
    {
      g_ptr_array_add (items, parse_end_user_item (end_user, strlen (end_user)));
      declared = 1;
    }

  if (out_n_declared != NULL)
    *out_n_declared = MAX (declared, items->len);

  return items;
}

/**
 * sp_basix_parse_origination:
 * @origination: (nullable): the value of a channel's `origination` field
 *
 * Returns: (transfer full): the `*`-separated tokens, each percent-decoded (no `+` rule)
 */
char **
sp_basix_parse_origination (const char *origination)
{
  g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);
  gsize start = 0;
  gsize len;

  if (origination == NULL || origination[0] == '\0')
    return g_new0 (char *, 1);

  len = strlen (origination);
  for (gsize i = 0; i <= len; i++)
    {
      if (i == len || origination[i] == '*')
        {
          g_ptr_array_add (tokens, percent_decode (origination + start, i - start, FALSE));
          start = i + 1;
        }
    }
  g_ptr_array_add (tokens, NULL);

  return (char **) g_ptr_array_free (g_steal_pointer (&tokens), FALSE);
}

/**
 * sp_basix_parse_tags:
 * @tags: (nullable): the value of a channel's `tags` field
 *
 * Returns: (transfer full): the `;`-separated tags, empty ones left out
 */
char **
sp_basix_parse_tags (const char *tags)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);

  if (tags == NULL)
    return g_new0 (char *, 1);

  parts = g_strsplit (tags, ";", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] != '\0')
        g_ptr_array_add (out, g_strdup (parts[i]));
    }
  g_ptr_array_add (out, NULL);

  return (char **) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

/**
 * sp_basix_avatar_url:
 * @base_url: (nullable): the Basix base URL, ending in `/`, or %NULL if not configured
 * @avatar: (nullable): a user's `avatar` or an end-user item's avatar
 * @end_user: whether @avatar belongs to an end user (CRM contact) rather than a user
 *
 * The library's rule: without a base URL the avatar is used as it is; an empty avatar is
 * the default icon; an absolute http(s) URL is kept; anything else is a file under the
 * avatars directory. The base URL is concatenated as it is, as the library does.
 *
 * Returns: (transfer full) (nullable): the avatar URL, or %NULL if there is none
 */
char *
sp_basix_avatar_url (const char *base_url,
                     const char *avatar,
                     gboolean    end_user)
{
  if (base_url == NULL || base_url[0] == '\0')
    return avatar != NULL && avatar[0] != '\0' ? g_strdup (avatar) : NULL;

  if (avatar == NULL || avatar[0] == '\0')
    return g_strconcat (base_url, end_user ? "static/icons/end_user.png"
                                           : "static/icons/user.png", NULL);

  if (g_str_has_prefix (avatar, "https:") || g_str_has_prefix (avatar, "http://"))
    return g_strdup (avatar);

  return g_strconcat (base_url, end_user ? "basix/avatars/end_users/" : "basix/avatars/users/",
                      avatar, NULL);
}
