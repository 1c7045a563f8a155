/* sp-sse.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-sse"

#include "config.h"

#include <string.h>

#include "sp-sse.h"

/*
 * A streaming parser for `text/event-stream`, after the WHATWG HTML standard, "Server-sent
 * events", §9.2.6 "Interpreting an event stream". Bytes go in as they come off the socket,
 * split anywhere (inside a line, inside a CRLF pair, inside a UTF-8 sequence or the byte
 * order mark); complete events come out in order.
 *
 * Where we differ from the standard, on purpose:
 *  - One event (its data and type, plus the line being read) may not grow beyond a
 *    maximum size. A server that never sends a line end would otherwise make us buffer
 *    forever. Going over is an error, and the parser refuses further input: the stream is
 *    out of step and the only sane thing is a new connection.
 *  - Text is decoded line by line, with every byte sequence that is not UTF-8 (and every
 *    NUL byte) replaced by U+FFFD, so that what comes out is always a valid C string.
 */

struct _SpSseParser
{
  gsize    max_event_size;

  /* The first bytes of the stream, held back until we know whether they are a BOM. */
  guint8   head[3];
  guint    head_len;
  gboolean past_head;

  gboolean skip_lf;      /* the last chunk ended with CR: a leading LF belongs to it */
  gboolean failed;

  GString *line;
  GString *data;         /* the data buffer, each data line followed by "\n" */
  GString *type;         /* the event type buffer */
  char    *last_id;      /* the last event ID buffer: persists across events */
  gint64   retry;        /* the last valid `retry:` in ms, or -1 */

  GQueue   pending;      /* (element-type SpSseEvent) dispatched, not yet popped */
};

static const guint8 bom[3] = { 0xEF, 0xBB, 0xBF };

G_DEFINE_QUARK (sp-sse-error-quark, sp_sse_error)

/**
 * sp_sse_event_free:
 * @event: (nullable): an event from sp_sse_parser_pop()
 */
void
sp_sse_event_free (SpSseEvent *event)
{
  if (event == NULL)
    return;

  g_free (event->type);
  g_free (event->data);
  g_free (event->id);
  g_free (event);
}

/**
 * sp_sse_parser_new:
 * @max_event_size: the most bytes one event may take, or 0 for
 *   %SP_SSE_DEFAULT_MAX_EVENT_SIZE
 *
 * Returns: (transfer full): a parser at the start of a stream
 */
SpSseParser *
sp_sse_parser_new (gsize max_event_size)
{
  SpSseParser *self = g_new0 (SpSseParser, 1);

  self->max_event_size = max_event_size ? max_event_size : SP_SSE_DEFAULT_MAX_EVENT_SIZE;
  self->line = g_string_new (NULL);
  self->data = g_string_new (NULL);
  self->type = g_string_new (NULL);
  self->retry = -1;
  g_queue_init (&self->pending);

  return self;
}

void
sp_sse_parser_free (SpSseParser *self)
{
  if (self == NULL)
    return;

  g_queue_clear_full (&self->pending, (GDestroyNotify) sp_sse_event_free);
  g_string_free (self->line, TRUE);
  g_string_free (self->data, TRUE);
  g_string_free (self->type, TRUE);
  g_free (self->last_id);
  g_free (self);
}

/* The size that counts against the limit: everything the current event holds. */
static inline gsize
event_size (SpSseParser *self)
{
  return self->data->len + self->type->len + self->line->len;
}

static gboolean
fail_too_large (SpSseParser  *self,
                GError      **error)
{
  self->failed = TRUE;
  g_set_error (error, SP_SSE_ERROR, SP_SSE_ERROR_TOO_LARGE,
               "An event of the event stream is larger than %" G_GSIZE_FORMAT " bytes",
               self->max_event_size);
  return FALSE;
}

/* Appends @value to @out as valid UTF-8 without NUL bytes. */
static void
append_text (GString    *out,
             const char *value,
             gsize       length)
{
  const char *end;

  if (g_utf8_validate_len (value, length, &end))
    {
      g_string_append_len (out, value, length);
      return;
    }

  /* g_utf8_validate_len() also stops at a NUL byte, which g_utf8_make_valid() replaces
   * like any other invalid byte. */
  {
    g_autofree char *valid = g_utf8_make_valid (value, length);

    g_string_append (out, valid);
  }
}

static void
dispatch (SpSseParser *self)
{
  SpSseEvent *event;

  if (self->data->len == 0)
    {
      g_string_truncate (self->type, 0);
      return;
    }

  /* Every data line added a "\n"; the last one is not part of the data. */
  g_string_truncate (self->data, self->data->len - 1);

  event = g_new0 (SpSseEvent, 1);
  event->type = self->type->len > 0 ? g_strndup (self->type->str, self->type->len)
                                    : g_strdup ("message");
  event->data_len = self->data->len;
  event->data = g_strndup (self->data->str, self->data->len);
  event->id = g_strdup (self->last_id);
  g_queue_push_tail (&self->pending, event);

  g_string_truncate (self->data, 0);
  g_string_truncate (self->type, 0);
}

static gboolean
is_field (const char *field,
          gsize       field_len,
          const char *name)
{
  gsize name_len = strlen (name);

  return field_len == name_len && memcmp (field, name, name_len) == 0;
}

static void
process_field (SpSseParser *self,
               const char  *field,
               gsize        field_len,
               const char  *value,
               gsize        value_len)
{
  if (is_field (field, field_len, "event"))
    {
      g_string_truncate (self->type, 0);
      append_text (self->type, value, value_len);
    }
  else if (is_field (field, field_len, "data"))
    {
      append_text (self->data, value, value_len);
      g_string_append_c (self->data, '\n');
    }
  else if (is_field (field, field_len, "id"))
    {
      /* The standard ignores an id with a NUL: it could not be sent back as a header. */
      if (memchr (value, '\0', value_len) == NULL)
        {
          GString *id = g_string_new (NULL);

          append_text (id, value, value_len);
          g_free (self->last_id);
          self->last_id = g_string_free (id, FALSE);
        }
    }
  else if (is_field (field, field_len, "retry"))
    {
      gint64 retry = 0;

      if (value_len == 0)
        return;

      for (gsize i = 0; i < value_len; i++)
        {
          if (!g_ascii_isdigit (value[i]))
            return;
          /* Saturate rather than overflow: nobody waits that long anyway. */
          if (retry < G_MAXINT64 / 100)
            retry = retry * 10 + (value[i] - '0');
        }
      self->retry = retry;
    }

  /* Any other field is ignored, as the standard says. */
}

static void
process_line (SpSseParser *self)
{
  const char *line = self->line->str;
  gsize length = self->line->len;
  const char *colon;

  if (length == 0)
    {
      dispatch (self);
      return;
    }

  /* A comment: servers use them as keep-alives. */
  if (line[0] == ':')
    return;

  colon = memchr (line, ':', length);
  if (colon == NULL)
    {
      process_field (self, line, length, "", 0);
      return;
    }

  {
    gsize field_len = colon - line;
    const char *value = colon + 1;
    gsize value_len = length - field_len - 1;

    if (value_len > 0 && value[0] == ' ')
      {
        value++;
        value_len--;
      }

    process_field (self, line, field_len, value, value_len);
  }
}

/* Splits @data into lines, at CRLF, LF or CR. */
static gboolean
feed_body (SpSseParser  *self,
           const char   *data,
           gsize         length,
           GError      **error)
{
  const char *p = data;
  const char *end = data + length;

  while (p < end)
    {
      const char *q;

      if (self->skip_lf)
        {
          self->skip_lf = FALSE;
          if (*p == '\n')
            {
              p++;
              continue;
            }
        }

      for (q = p; q < end && *q != '\n' && *q != '\r'; q++)
        ;

      if (event_size (self) + (gsize) (q - p) > self->max_event_size)
        return fail_too_large (self, error);

      g_string_append_len (self->line, p, q - p);

      if (q == end)
        break;

      process_line (self);
      g_string_truncate (self->line, 0);

      /* A data line adds its own "\n" to the event, which may tip it over. */
      if (event_size (self) > self->max_event_size)
        return fail_too_large (self, error);

      if (*q == '\r')
        {
          if (q + 1 < end)
            {
              p = q[1] == '\n' ? q + 2 : q + 1;
              continue;
            }
          self->skip_lf = TRUE;
        }
      p = q + 1;
    }

  return TRUE;
}

/**
 * sp_sse_parser_feed:
 * @self: a parser
 * @data: (array length=length): the next bytes of the stream, split anywhere
 * @length: how many
 * @error: return location for an error in the %SP_SSE_ERROR domain
 *
 * Reads @data; every event it completes is queued for sp_sse_parser_pop(), also when this
 * fails part way (events before the problem are good).
 *
 * Returns: %FALSE if the stream went wrong (an event too large); the parser then refuses
 *   everything after
 */
gboolean
sp_sse_parser_feed (SpSseParser  *self,
                    const char   *data,
                    gsize         length,
                    GError      **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->failed)
    {
      g_set_error_literal (error, SP_SSE_ERROR, SP_SSE_ERROR_FAILED,
                           "The event stream already failed");
      return FALSE;
    }

  /* The standard drops one byte order mark at the very start of the stream. Its three
   * bytes may arrive in separate chunks, so they are held back until they are complete
   * or turn out to be something else. */
  while (!self->past_head && length > 0)
    {
      self->head[self->head_len++] = (guint8) *data;
      data++;
      length--;

      if (self->head[self->head_len - 1] != bom[self->head_len - 1])
        {
          self->past_head = TRUE;
          if (!feed_body (self, (const char *) self->head, self->head_len, error))
            return FALSE;
        }
      else if (self->head_len == sizeof bom)
        {
          self->past_head = TRUE;
        }
    }

  return feed_body (self, data, length, error);
}

/**
 * sp_sse_parser_pop:
 *
 * Returns: (transfer full) (nullable): the oldest complete event not yet taken, or %NULL
 */
SpSseEvent *
sp_sse_parser_pop (SpSseParser *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_queue_pop_head (&self->pending);
}

guint
sp_sse_parser_get_n_pending (SpSseParser *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->pending.length;
}

/**
 * sp_sse_parser_get_retry:
 *
 * Returns: the reconnection time the server asked for with `retry:`, in milliseconds, or
 *   -1 if it never did
 */
gint64
sp_sse_parser_get_retry (SpSseParser *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return self->retry;
}

/**
 * sp_sse_parser_get_last_id:
 *
 * Returns: (nullable): the last event id the stream set, for a `Last-Event-ID` header
 */
const char *
sp_sse_parser_get_last_id (SpSseParser *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->last_id;
}

/**
 * sp_sse_parser_get_buffered:
 *
 * Returns: how many bytes of an unfinished event (or line) the parser holds; non-zero at
 *   the end of the stream means the stream was cut in the middle of an event, which the
 *   standard says to discard
 */
gsize
sp_sse_parser_get_buffered (SpSseParser *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return event_size (self) + (self->past_head ? 0 : self->head_len);
}
