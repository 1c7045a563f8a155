/* sp-source-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-source"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-source.h"

/*
 * What a source says to a person, apart from sp-source.c (the connection's life): its
 * error domain, whose errors may carry the certificate they are about, and the status line
 * the window shows for it. Both need only the source's public face.
 */

/* An SP_SOURCE_ERROR may carry the certificate it is about, for SP_SOURCE_ERROR_CERTIFICATE:
 * the account editor offers to trust exactly that one. */
typedef struct
{
  char *certificate;   /* SHA-256 fingerprint, "AB:CD:…" */
} SpSourceErrorPrivate;

static void
sp_source_error_private_init (SpSourceErrorPrivate *priv)
{
}

static void
sp_source_error_private_copy (const SpSourceErrorPrivate *src,
                              SpSourceErrorPrivate       *dest)
{
  dest->certificate = g_strdup (src->certificate);
}

static void
sp_source_error_private_clear (SpSourceErrorPrivate *priv)
{
  g_clear_pointer (&priv->certificate, g_free);
}

G_DEFINE_EXTENDED_ERROR (SpSourceError, sp_source_error)

/**
 * sp_source_error_new_certificate:
 * @fingerprint: (nullable): the SHA-256 fingerprint of the server's certificate
 * @format: the message, printf-style
 *
 * Returns: (transfer full): an %SP_SOURCE_ERROR_CERTIFICATE error that carries
 *   @fingerprint (see sp_source_error_get_certificate())
 */
GError *
sp_source_error_new_certificate (const char *fingerprint,
                                 const char *format,
                                 ...)
{
  g_autofree char *message = NULL;
  GError *error;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  error = g_error_new_literal (SP_SOURCE_ERROR, SP_SOURCE_ERROR_CERTIFICATE, message);
  sp_source_error_get_private (error)->certificate = g_strdup (fingerprint);

  return error;
}

/**
 * sp_source_error_get_certificate:
 *
 * Returns: (nullable): the SHA-256 fingerprint ("AB:CD:…") of the certificate an
 *   %SP_SOURCE_ERROR_CERTIFICATE error is about, or %NULL
 */
const char *
sp_source_error_get_certificate (const GError *error)
{
  if (error == NULL || error->domain != SP_SOURCE_ERROR)
    return NULL;

  return sp_source_error_get_private (error)->certificate;
}

/**
 * sp_source_dup_status:
 *
 * What the window says of the link, in words: connected, or why it is down and when it
 * tries again ("Could not connect: Connection refused · retrying in 2 s"). A source that
 * is not started says %NULL: whether that means disabled or not connected yet is the
 * account's business.
 *
 * Returns: (transfer full) (nullable): the status line
 */
char *
sp_source_dup_status (SpSource *self)
{
  const char *message;
  const char *error;

  g_return_val_if_fail (SP_IS_SOURCE (self), NULL);

  message = sp_source_get_error_message (self);
  error = message != NULL ? message : "";

  switch (sp_source_get_state (self))
    {
    case SP_SOURCE_STATE_CONNECTED:
      return g_strdup (_("Connected"));

    case SP_SOURCE_STATE_CONNECTING:
      /* A retry keeps the reason of the failure before it until it succeeds. */
      if (message != NULL)
        /* Translators: %s is why the last attempt failed */
        return g_strdup_printf (_("%s · retrying now"), error);
      return g_strdup (_("Connecting…"));

    case SP_SOURCE_STATE_RECONNECTING:
      {
        gint64 left = sp_source_get_retry_time (self) - g_get_monotonic_time ();
        int seconds = (int) MAX (1, (left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);

        /* Translators: %s is why the last attempt failed, %d the seconds until the next */
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · retrying in %d s",
                                             "%s · retrying in %d s", seconds),
                                error, seconds);
      }

    case SP_SOURCE_STATE_FAILED:
      /* Translators: %s is why the source gave up */
      return g_strdup_printf (_("Stopped: %s"), error);

    case SP_SOURCE_STATE_AUTH_FAILED:
      /* Translators: %s is why the server refused the credentials */
      return g_strdup_printf (_("Sign-in failed: %s"), error);

    case SP_SOURCE_STATE_DISCONNECTED:
    default:
      return NULL;
    }
}
