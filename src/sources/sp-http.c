/* sp-http.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-http"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <glib/gi18n.h>

#include "sp-http.h"

/*
 * The network plumbing every backend shares, so that each one only speaks its protocol:
 *
 *  - one recipe for a SoupSession: our user agent, the system's proxy settings, verified
 *    TLS, and TCP keepalive on every connection it opens, so that a link that died
 *    without a word (a NAT that forgot us, a cable pulled out) is noticed in minutes even
 *    by a protocol that is silent for hours;
 *  - one normaliser for the server address a person types, for every kind;
 *  - one reading of HTTP statuses as SpSourceError, with messages a person can act on;
 *  - one bounded reader for response bodies: a server, or anything pretending to be one,
 *    cannot make us allocate more than the caller's limit, nor hand json-glib a text that
 *    nests deeply enough to overflow the stack (JSON goes through sp-json, the strict
 *    reader).
 */

/* TCP keepalive: probe after this much silence, this often, this many times. A dead peer
 * (a firewall that forgot us, a PBX switched off: no FIN ever comes) is noticed within
 * IDLE + INTERVAL × COUNT seconds, a minute, even by a protocol that is silent for hours. */
#define KEEPALIVE_IDLE_SECONDS 30
#define KEEPALIVE_INTERVAL_SECONDS 10
#define KEEPALIVE_COUNT 3

/* Bodies are read in pieces of at most this much. */
#define READ_CHUNK (16 * 1024)

/* How much of a server's reason phrase goes into a message. */
#define MAX_REASON_CHARS 64

G_DEFINE_QUARK (sp-http-error-quark, sp_http_error)

/* Sessions */

typedef struct
{
  int idle;
  int interval;
  int count;
} Keepalive;

/* The values, or those of SCREENPOP_TCP_KEEPALIVE="IDLE,INTERVAL,COUNT" (seconds, seconds,
 * probes): the tests' lever, so that a dead peer is noticed in seconds there. */
static const Keepalive *
get_keepalive (void)
{
  static Keepalive keepalive = {
    KEEPALIVE_IDLE_SECONDS, KEEPALIVE_INTERVAL_SECONDS, KEEPALIVE_COUNT
  };
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      const char *env = g_getenv ("SCREENPOP_TCP_KEEPALIVE");
      int idle, interval, count;

      if (env != NULL && sscanf (env, "%d,%d,%d", &idle, &interval, &count) == 3 &&
          idle > 0 && interval > 0 && count > 0)
        keepalive = (Keepalive) { idle, interval, count };

      g_once_init_leave (&initialized, 1);
    }

  return &keepalive;
}

static void
enable_keepalive (GSocket *socket)
{
  g_autoptr(GError) error = NULL;
  const Keepalive *keepalive = get_keepalive ();

  g_socket_set_keepalive (socket, TRUE);

  /* The system's defaults wait two hours before the first probe. */
#if defined(TCP_KEEPIDLE) && defined(TCP_KEEPINTVL) && defined(TCP_KEEPCNT)
  if (!g_socket_set_option (socket, IPPROTO_TCP, TCP_KEEPIDLE, keepalive->idle, &error) ||
      !g_socket_set_option (socket, IPPROTO_TCP, TCP_KEEPINTVL, keepalive->interval, &error) ||
      !g_socket_set_option (socket, IPPROTO_TCP, TCP_KEEPCNT, keepalive->count, &error))
    g_debug ("Could not tune TCP keepalive: %s", error->message);
#endif
}

static void
network_event_cb (SoupMessage        *msg,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            user_data)
{
  /* CONNECTED comes once per new connection, with the plain TCP connection, before any
   * TLS or proxy wrapping; a connection that is reused was tuned when it was made. */
  if (event == G_SOCKET_CLIENT_CONNECTED && G_IS_SOCKET_CONNECTION (connection))
    enable_keepalive (g_socket_connection_get_socket (G_SOCKET_CONNECTION (connection)));
}

/* TLS: certificates the system does not trust */

#define PINNED_KEY "sp-http-pinned-certificate"
#define REJECTED_KEY "sp-http-rejected-certificate"
#define REJECTED_FLAGS_KEY "sp-http-rejected-flags"

/* A fingerprint as typed or shown, reduced to lower-case hex digits. */
static char *
canonical_fingerprint (const char *fingerprint)
{
  GString *hex = g_string_new (NULL);

  for (const char *p = fingerprint; p != NULL && *p != '\0'; p++)
    if (g_ascii_isxdigit (*p))
      g_string_append_c (hex, g_ascii_tolower (*p));

  return g_string_free (hex, FALSE);
}

/**
 * sp_http_certificate_fingerprint:
 * @certificate: a certificate
 *
 * Returns: (transfer full): the SHA-256 fingerprint of @certificate's DER form, as GNOME
 *   shows it: upper-case hex pairs joined by colons
 */
char *
sp_http_certificate_fingerprint (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;
  g_autofree char *hex = NULL;
  GString *text;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);

  text = g_string_new (NULL);
  for (guint i = 0; hex[i] != '\0' && hex[i + 1] != '\0'; i += 2)
    g_string_append_printf (text, "%s%c%c", i > 0 ? ":" : "", g_ascii_toupper (hex[i]),
                            g_ascii_toupper (hex[i + 1]));

  return g_string_free (text, FALSE);
}

/* libsoup asks only about certificates the system does not trust. The one the user
 * pinned for the account is accepted; any other is refused, before a byte of the request
 * (and so of a secret) is sent, and remembered for the error message. */
static gboolean
accept_certificate_cb (SoupMessage          *msg,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  const char *pinned = g_object_get_data (G_OBJECT (msg), PINNED_KEY);
  g_autofree char *fingerprint = sp_http_certificate_fingerprint (certificate);
  g_autofree char *canonical = canonical_fingerprint (fingerprint);

  if (pinned != NULL && *pinned != '\0' && g_str_equal (pinned, canonical))
    return TRUE;

  g_object_set_data_full (G_OBJECT (msg), REJECTED_KEY, g_steal_pointer (&fingerprint), g_free);
  g_object_set_data (G_OBJECT (msg), REJECTED_FLAGS_KEY, GUINT_TO_POINTER (errors));

  return FALSE;
}

static void
request_queued_cb (SoupSession *session,
                   SoupMessage *msg,
                   gpointer     user_data)
{
  const char *pinned = g_object_get_data (G_OBJECT (session), PINNED_KEY);

  /* A message is queued again after a redirect or an authentication challenge. */
  if (g_signal_handler_find (msg, G_SIGNAL_MATCH_FUNC, 0, 0, NULL, network_event_cb, NULL) == 0)
    {
      g_signal_connect (msg, "network-event", G_CALLBACK (network_event_cb), NULL);
      g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_certificate_cb), NULL);
    }

  /* The session's pin as it was when the message was queued: the message does not hold
   * the session. */
  g_object_set_data_full (G_OBJECT (msg), PINNED_KEY, g_strdup (pinned), g_free);
}

/**
 * sp_http_session_set_pinned_certificate:
 * @session: a session made by sp_http_session_new()
 * @fingerprint: (nullable): the SHA-256 fingerprint of the one certificate to accept even
 *   though the system does not trust it (hex, colons or not), or %NULL or "" for none
 *
 * What the user trusted for an account (its `pinned-certificate`). Applies to the messages
 * queued from then on.
 */
void
sp_http_session_set_pinned_certificate (SoupSession *session,
                                        const char  *fingerprint)
{
  g_return_if_fail (SOUP_IS_SESSION (session));

  g_object_set_data_full (G_OBJECT (session), PINNED_KEY,
                          fingerprint != NULL && *fingerprint != '\0'
                          ? canonical_fingerprint (fingerprint) : NULL,
                          g_free);
}

/**
 * sp_http_session_pin_account:
 *
 * sp_http_session_set_pinned_certificate() with the @account's `pinned-certificate`: what
 * every source does before it connects.
 */
void
sp_http_session_pin_account (SoupSession *session,
                             SpAccount   *account)
{
  g_autofree char *pinned = NULL;

  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (SP_IS_ACCOUNT (account));

  pinned = g_settings_get_string (sp_account_get_settings (account), "pinned-certificate");
  sp_http_session_set_pinned_certificate (session, pinned);
}

/* Applies the recipe over whatever the caller set. */
static SoupSession *
apply_recipe (SoupSession *session)
{
  /* Without a space at the end: libsoup would add its own name and version. */
  soup_session_set_user_agent (session, "Screenpop/" PACKAGE_VERSION);
  soup_session_set_proxy_resolver (session, g_proxy_resolver_get_default ());
  /* TLS: libsoup verifies certificates against the system's database unless told
   * otherwise, and nothing here tells it otherwise. */
  g_signal_connect (session, "request-queued", G_CALLBACK (request_queued_cb), NULL);

  return session;
}

/**
 * sp_http_session_new:
 *
 * Creates the session every HTTP and WebSocket connection of Screenpop goes through. It
 * says it is `Screenpop/VERSION`, uses the system's proxy settings (the default
 * #GProxyResolver), verifies TLS certificates against the system's database, and turns TCP
 * keepalive on for every connection it opens.
 *
 * Returns: (transfer full): a new session
 */
SoupSession *
sp_http_session_new (void)
{
  return apply_recipe (soup_session_new ());
}

/**
 * sp_http_session_new_with_options:
 * @first_property_name: the name of a #SoupSession property to set
 * @...: its value, then more names and values, ending with %NULL
 *
 * Like sp_http_session_new(), with what a backend needs on top: a `timeout`, a
 * `max-conns-per-host`. The recipe is applied over the properties given.
 *
 * Returns: (transfer full): a new session
 */
SoupSession *
sp_http_session_new_with_options (const char *first_property_name,
                                  ...)
{
  SoupSession *session;
  va_list args;

  va_start (args, first_property_name);
  session = SOUP_SESSION (g_object_new_valist (SOUP_TYPE_SESSION, first_property_name, args));
  va_end (args);

  return apply_recipe (session);
}

/* Addresses */

/* An IP address, or a DNS name (internationalized ones included): no quotes, spaces or
 * other characters that would only fail later, less clearly. */
static gboolean
is_host_name (const char *host)
{
  if (g_hostname_is_ip_address (host))
    return TRUE;

  for (const char *p = host; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.' && *p != '_' && (guchar) *p < 0x80)
        return FALSE;
    }

  return g_utf8_validate (host, -1, NULL);
}

static void
set_not_an_address (GError     **error,
                    const char  *text,
                    const char  *example)
{
  /* What was typed is repeated only when it cannot hold a password. */
  if (strchr (text, '@') == NULL && g_utf8_validate (text, -1, NULL))
    g_set_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                 _("“%s” is not a server address; use %s"), text, example);
  else
    g_set_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                 _("The server address is not valid; use %s"), example);
}

/**
 * sp_http_normalize_url:
 * @url: (nullable): the server address as a person typed it
 * @flags: what the kind accepts
 * @example: an address of the kind, for the error messages: "http://HOST:58615"
 * @error: return location for an %SP_SOURCE_ERROR_CONFIG error a person can act on
 *
 * The one reading of a server address, for every kind: surrounding white space is
 * ignored; the scheme must be `http` or `https` (or, with %SP_HTTP_URL_WEBSOCKET, `ws` or
 * `wss`, which name the same server); a host name is required; a user name or password is
 * refused (credentials belong in the account and the keyring); the path is kept as written,
 * percent-escapes and all, without trailing slashes; the query is dropped unless
 * %SP_HTTP_URL_KEEP_QUERY, the fragment always. Kinds add their own rules on top of this
 * one (a default path, a path to strip).
 *
 * `ws://host:8990/crmws/` gives `http://host:8990/crmws`. Normalizing a result again gives
 * the same result.
 *
 * Returns: (transfer full) (nullable): the address as `http(s)://host[:port][/path][?query]`,
 *   which libsoup also takes for a WebSocket (see sp_http_websocket_url()), or %NULL with
 *   @error set
 */
char *
sp_http_normalize_url (const char      *url,
                       SpHttpUrlFlags   flags,
                       const char      *example,
                       GError         **error)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *with_scheme = NULL;
  g_autofree char *path = NULL;
  g_autofree char *base = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *text;
  const char *scheme;
  const char *host;
  const char *http_scheme;
  gsize path_len;

  g_return_val_if_fail (example != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  text = trimmed = g_strstrip (g_strdup (url != NULL ? url : ""));
  if (*text == '\0')
    {
      g_set_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                   _("No server address is set; use %s"), example);
      return NULL;
    }

  if ((flags & SP_HTTP_URL_BARE_HOST) != 0 && strstr (text, "://") == NULL)
    text = with_scheme = g_strconcat ("https://", text, NULL);

  /* Not decoded, so that the path is rebuilt exactly as it was written. */
  uri = g_uri_parse (text, G_URI_FLAGS_ENCODED, NULL);
  host = uri != NULL ? g_uri_get_host (uri) : NULL;
  if (host == NULL || *host == '\0')
    {
      set_not_an_address (error, trimmed, example);
      return NULL;
    }

  if (g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error_literal (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                           _("The server address must not contain a user name or password; the account keeps them, and the password or key goes to the keyring"));
      return NULL;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "http") == 0 ||
      ((flags & SP_HTTP_URL_WEBSOCKET) != 0 && g_ascii_strcasecmp (scheme, "ws") == 0))
    http_scheme = "http";
  else if (g_ascii_strcasecmp (scheme, "https") == 0 ||
           ((flags & SP_HTTP_URL_WEBSOCKET) != 0 && g_ascii_strcasecmp (scheme, "wss") == 0))
    http_scheme = "https";
  else
    {
      /* Without a user name or password, the address is safe to repeat. */
      /* Whole sentences, so that a translation never has an English "or" inside. */
      if ((flags & SP_HTTP_URL_WEBSOCKET) != 0)
        g_set_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                     _("“%s” is not a web address; use https:// or wss://"), trimmed);
      else
        g_set_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                     _("“%s” is not a web address; use https:// or http://"), trimmed);
      return NULL;
    }

  if (!is_host_name (host))
    {
      g_autofree char *shown = g_utf8_make_valid (host, -1);

      g_set_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_CONFIG,
                   _("“%s” is not a host name; use %s"), shown, example);
      return NULL;
    }

  path = g_strdup (g_uri_get_path (uri));
  path_len = strlen (path);
  while (path_len > 0 && path[path_len - 1] == '/')
    path[--path_len] = '\0';

  base = g_uri_join (G_URI_FLAGS_ENCODED, http_scheme, NULL, host, g_uri_get_port (uri), path,
                     (flags & SP_HTTP_URL_KEEP_QUERY) != 0 ? g_uri_get_query (uri) : NULL, NULL);

  /* Whatever survived (a path with stray escapes, say) must still be an address. */
  if (!g_uri_is_valid (base, G_URI_FLAGS_NONE, NULL))
    {
      set_not_an_address (error, trimmed, example);
      return NULL;
    }

  return g_steal_pointer (&base);
}

/**
 * sp_http_websocket_url:
 * @url: an `http` or `https` address, as sp_http_normalize_url() gives
 *
 * Derives the WebSocket address of the same place: `http` becomes `ws`, `https` becomes
 * `wss`, the rest stays. libsoup connects a WebSocket from either form; this one is what
 * people recognize in messages and logs.
 *
 * Returns: (transfer full): the `ws` or `wss` address; @url itself when it is neither
 *   `http` nor `https`
 */
char *
sp_http_websocket_url (const char *url)
{
  g_return_val_if_fail (url != NULL, NULL);

  if (g_ascii_strncasecmp (url, "http://", strlen ("http://")) == 0)
    return g_strconcat ("ws://", url + strlen ("http://"), NULL);
  if (g_ascii_strncasecmp (url, "https://", strlen ("https://")) == 0)
    return g_strconcat ("wss://", url + strlen ("https://"), NULL);

  return g_strdup (url);
}

/**
 * sp_http_dup_display_url:
 * @msg: a request
 *
 * The address of @msg for a message or a log: without a password or a query (where keys and
 * tokens travel), and in its `ws` or `wss` form for a WebSocket upgrade.
 *
 * Returns: (transfer full): the address to show
 */
char *
sp_http_dup_display_url (SoupMessage *msg)
{
  g_autofree char *url = NULL;
  SoupMessageHeaders *headers;

  g_return_val_if_fail (SOUP_IS_MESSAGE (msg), NULL);

  url = g_uri_to_string_partial (soup_message_get_uri (msg),
                                 G_URI_HIDE_PASSWORD | G_URI_HIDE_AUTH_PARAMS |
                                 G_URI_HIDE_QUERY | G_URI_HIDE_FRAGMENT);

  headers = soup_message_get_request_headers (msg);
  if (soup_message_headers_header_contains (headers, "Upgrade", "websocket"))
    return sp_http_websocket_url (url);

  return g_steal_pointer (&url);
}

/* Statuses */

static void
set_status_error (GError             **error,
                  SoupMessage         *msg,
                  const char          *url,
                  const char          *what,
                  const SpHttpStatus  *statuses)
{
  guint status = soup_message_get_status (msg);
  const char *phrase = soup_message_get_reason_phrase (msg);
  g_autofree char *reason = NULL;

  for (const SpHttpStatus *s = statuses; s != NULL && s->status != 0; s++)
    {
      if (s->status != status)
        continue;

      if (s->advice != NULL)
        g_set_error (error, SP_SOURCE_ERROR, s->code, _("%s (HTTP %u). %s"), _(s->message),
                     status, _(s->advice));
      else
        g_set_error (error, SP_SOURCE_ERROR, s->code, _("%s (HTTP %u)"), _(s->message), status);
      return;
    }

  /* The server's own words, made safe to show. */
  reason = sp_json_quote_for_message (phrase != NULL ? phrase : "", -1, MAX_REASON_CHARS);

  switch (status)
    {
    case SOUP_STATUS_UNAUTHORIZED:
      g_set_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_AUTH,
                   _("The server at %s rejected the credentials (HTTP 401). Check them in the account"),
                   url);
      break;

    case SOUP_STATUS_FORBIDDEN:
      g_set_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_AUTH,
                   _("The server at %s refused access (HTTP 403). Check the account’s credentials and their permissions"),
                   url);
      break;

    case 429:   /* Too Many Requests; libsoup 3.2 has no name for it */
    case SOUP_STATUS_SERVICE_UNAVAILABLE:
      g_set_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_REFUSED,
                   _("The server at %s is busy (HTTP %u %s); trying again later"), url, status,
                   reason);
      break;

    default:
      /* A failing server (or the proxy before it, while the server restarts) may be back
       * in a second: probed fast. Any other answer (404 for a mistyped path, a page where
       * a WebSocket should be) is the same answer a second later: the slow schedule. */
      if (SOUP_STATUS_IS_SERVER_ERROR (status))
        g_set_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED,
                     _("The server at %s failed (HTTP %u %s)"), url, status, reason);
      else
        g_set_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_REFUSED,
                     _("%s is not %s (HTTP %u %s)"), url, what, status, reason);
      break;
    }
}

/* Not a transient failure: said in words, with the certificate's fingerprint for the
 * user to compare and trust. */
static GError *
certificate_error (SoupMessage  *msg,
                   const char   *url,
                   const GError *cause)
{
  const char *fingerprint = g_object_get_data (G_OBJECT (msg), REJECTED_KEY);
  GTlsCertificateFlags flags = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (msg),
                                                                    REJECTED_FLAGS_KEY));
  const char *why;

  if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA)
    why = _("The server’s certificate is not trusted (self-signed or from an unknown authority)");
  else if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY)
    why = _("The server’s certificate is made out to another name");
  else if (flags & G_TLS_CERTIFICATE_EXPIRED)
    why = _("The server’s certificate has expired");
  else if (flags & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    why = _("The server’s certificate is not valid yet");
  else
    why = _("The server’s certificate is not valid");

  if (fingerprint == NULL)
    return sp_source_error_new_certificate (NULL, _("%s at %s (%s)"), why, url, cause->message);

  /* Translators: the first %s is one of the sentences above, the second the server's
   * address, the third the certificate's fingerprint (hex pairs) */
  return sp_source_error_new_certificate (fingerprint,
                                          _("%s at %s. If this is your server, compare the certificate’s SHA-256 fingerprint %s with the one your administrator gives, then trust it in the account’s settings"),
                                          why, url, fingerprint);
}

/**
 * sp_http_check_answer:
 * @msg: a request that was sent (or a WebSocket that was asked for)
 * @cause: (nullable): how sending it or reading its answer failed, if it did: libsoup's
 *   error or a bounded reader's
 * @what: what the address should have been, for messages: _("a Basix ticket service")
 *   gives "URL is not a Basix ticket service (HTTP 404 Not Found)"
 * @statuses: (nullable) (array zero-terminated=1): what some statuses mean for this
 *   backend, where the defaults do not say it well enough
 * @error: return location for an %SP_SOURCE_ERROR error
 *
 * The one reading of an HTTP answer as a source's error. An error status wins over
 * @cause (a body too large or not JSON is only the symptom), and means, unless @statuses
 * says otherwise: 401 and 403 %SP_SOURCE_ERROR_AUTH (not retried: the person must fix the
 * credentials), 429 and 503 %SP_SOURCE_ERROR_REFUSED (retried slowly), other 3xx and 4xx
 * (and a 1xx or 2xx where a WebSocket should be) %SP_SOURCE_ERROR_REFUSED too ("URL is not
 * @what": the same answer a second later), 5xx %SP_SOURCE_ERROR_FAILED ("the server
 * failed": probed fast). Without one, @cause is worded for a person: a reader's
 * refusal as it is, a certificate this computer does not trust
 * (%SP_SOURCE_ERROR_CERTIFICATE, with its fingerprint), a timeout
 * (%SP_SOURCE_ERROR_TIMEOUT), or "Could not reach URL: …". A cancellation is passed on as
 * it is, so that a #GTask returns it as such.
 *
 * Returns: %TRUE if the request succeeded, %FALSE with @error set
 */
gboolean
sp_http_check_answer (SoupMessage         *msg,
                      const GError        *cause,
                      const char          *what,
                      const SpHttpStatus  *statuses,
                      GError             **error)
{
  g_autofree char *url = NULL;

  g_return_val_if_fail (SOUP_IS_MESSAGE (msg), FALSE);
  g_return_val_if_fail (what != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_error_copy (cause));
      return FALSE;
    }

  url = sp_http_dup_display_url (msg);

  /* 3xx included: a redirect that was not followed is no answer either. */
  if (soup_message_get_status (msg) >= 300)
    {
      set_status_error (error, msg, url, what, statuses);
      return FALSE;
    }

  if (cause == NULL)
    return TRUE;

  if (cause->domain == SP_SOURCE_ERROR)
    g_propagate_error (error, g_error_copy (cause));
  else if (cause->domain == SP_HTTP_ERROR)
    g_set_error_literal (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED, cause->message);
  else if (g_error_matches (cause, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE))
    g_propagate_error (error, certificate_error (msg, url, cause));
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    g_set_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_TIMEOUT,
                 _("%s did not answer in time"), url);
  else
    g_set_error (error, SP_SOURCE_ERROR, SP_SOURCE_ERROR_FAILED, _("Could not reach %s: %s"),
                 url, cause->message);

  return FALSE;
}

/* Bounded bodies */

typedef struct
{
  SoupMessage  *msg;
  GCancellable *cancellable;   /* ours: cancelling it hangs up on the server */
  GCancellable *caller;
  gulong        caller_id;
  GInputStream *stream;
  GByteArray   *body;
  gboolean      complete;      /* the whole body was read */
  gsize         max_size;
  SpJsonRules   rules;         /* for the JSON reader */
} Read;

static void
read_free (Read *read)
{
  /* Not g_cancellable_disconnect(): on GLib 2.74 it waits for a running "cancelled"
   * emission to end, and this may run inside that very emission (a cancelled send can
   * complete at once), in this one thread: it would never return. */
  if (read->caller_id != 0)
    g_signal_handler_disconnect (read->caller, read->caller_id);
  g_clear_object (&read->caller);
  /* The transfer must be over before its stream goes: a stream closed with a body still
   * coming would read the rest of it. */
  if (read->stream != NULL && !read->complete)
    g_cancellable_cancel (read->cancellable);
  g_clear_object (&read->stream);
  g_clear_object (&read->cancellable);
  g_clear_object (&read->msg);
  g_clear_pointer (&read->body, g_byte_array_unref);
  g_free (read);
}

static void
caller_cancelled_cb (GCancellable *caller,
                     GCancellable *ours)
{
  g_cancellable_cancel (ours);
}

static void
return_too_large (GTask *task)
{
  Read *read = g_task_get_task_data (task);
  g_autofree char *url = sp_http_dup_display_url (read->msg);

  g_debug ("The answer from %s is over %" G_GSIZE_FORMAT " bytes; hanging up", url,
           read->max_size);

  /* Ends the transfer here: what the server sends on is never read. */
  g_cancellable_cancel (read->cancellable);
  g_task_return_new_error (task, SP_HTTP_ERROR, SP_HTTP_ERROR_TOO_LARGE,
                           _("The answer from %s is too large (over %u KiB)"), url,
                           (guint) MIN ((read->max_size + 1023) / 1024, G_MAXUINT));
}

static void read_next (GTask *task);

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Read *read = g_task_get_task_data (task);
  g_autoptr(GBytes) chunk = NULL;
  g_autoptr(GError) error = NULL;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (chunk == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (g_bytes_get_size (chunk) == 0)
    {
      read->complete = TRUE;
      g_task_return_pointer (task, g_byte_array_free_to_bytes (g_steal_pointer (&read->body)),
                             (GDestroyNotify) g_bytes_unref);
      return;
    }

  g_byte_array_append (read->body, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  if (read->body->len > read->max_size)
    {
      return_too_large (task);
      return;
    }

  read_next (g_steal_pointer (&task));
}

/* Takes @task over. Asks for no more than one byte over the limit: that byte is enough to
 * know that the body is too large. */
static void
read_next (GTask *task)
{
  Read *read = g_task_get_task_data (task);
  gsize want = MIN ((gsize) READ_CHUNK, read->max_size + 1 - read->body->len);

  g_input_stream_read_bytes_async (read->stream, want, G_PRIORITY_DEFAULT, read->cancellable,
                                   read_cb, task);
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Read *read = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;

  read->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (read->stream == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* A body announced as too large is refused before a byte of it is read. */
  headers = soup_message_get_response_headers (read->msg);
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > (goffset) read->max_size)
    {
      return_too_large (task);
      return;
    }

  read->body = g_byte_array_new ();
  read_next (g_steal_pointer (&task));
}

static GTask *
read_start (SoupSession         *session,
            SoupMessage         *msg,
            gsize                max_size,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  GTask *task = g_task_new (session, cancellable, callback, user_data);
  Read *read = g_new0 (Read, 1);

  read->msg = g_object_ref (msg);
  read->max_size = max_size;
  read->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      read->caller = g_object_ref (cancellable);
      read->caller_id = g_cancellable_connect (cancellable, G_CALLBACK (caller_cancelled_cb),
                                               g_object_ref (read->cancellable), g_object_unref);
    }
  g_task_set_task_data (task, read, (GDestroyNotify) read_free);

  return task;
}

/**
 * sp_http_read_bytes_async:
 * @session: a session from sp_http_session_new()
 * @msg: the request
 * @max_size: the longest body accepted, in bytes
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with @session as the source object when the body is read
 * @user_data: data for @callback
 *
 * Sends @msg and reads its answer's body, whatever the status, as it streams in: never more
 * than @max_size bytes of it are kept. A longer body (or a `Content-Length` that announces
 * one) ends the transfer at once with %SP_HTTP_ERROR_TOO_LARGE, and the rest of it is
 * never read. Use it instead of soup_session_send_and_read_async(), which reads whatever
 * comes.
 */
void
sp_http_read_bytes_async (SoupSession         *session,
                          SoupMessage         *msg,
                          gsize                max_size,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;
  Read *read;

  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (SOUP_IS_MESSAGE (msg));
  g_return_if_fail (max_size > 0 && max_size < G_MAXSIZE);

  task = read_start (session, msg, max_size, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_http_read_bytes_async);
  read = g_task_get_task_data (task);

  soup_session_send_async (session, msg, G_PRIORITY_DEFAULT, read->cancellable, send_cb, task);
}

/**
 * sp_http_read_bytes_finish:
 * @session: the session
 * @result: the result given to the callback
 * @error: return location for libsoup's error, %G_IO_ERROR_CANCELLED, or
 *   %SP_HTTP_ERROR_TOO_LARGE
 *
 * Returns: (transfer full): the body; the status is the message's
 */
GBytes *
sp_http_read_bytes_finish (SoupSession   *session,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, session), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
json_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Read *read = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  guint status;
  gsize length;
  const char *data;

  body = sp_http_read_bytes_finish (SOUP_SESSION (object), result, &error);
  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* An error page is no answer to read as JSON; the status says what went wrong. */
  status = soup_message_get_status (read->msg);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_task_return_new_error (task, SP_HTTP_ERROR, SP_HTTP_ERROR_STATUS, "HTTP %u", status);
      return;
    }

  data = g_bytes_get_data (body, &length);
  node = sp_json_parse (data, length, &read->rules, &error);
  if (node == NULL)
    {
      g_autofree char *url = sp_http_dup_display_url (read->msg);

      g_task_return_new_error (task, SP_HTTP_ERROR,
                               g_error_matches (error, SP_JSON_ERROR, SP_JSON_ERROR_TOO_LARGE) ?
                               SP_HTTP_ERROR_TOO_LARGE : SP_HTTP_ERROR_MALFORMED,
                               _("The answer from %s cannot be read: %s"), url, error->message);
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&node), (GDestroyNotify) json_node_unref);
}

/**
 * sp_http_read_json_async:
 * @session: a session from sp_http_session_new()
 * @msg: the request
 * @rules: how to read the answer: at most @rules->max_length bytes (read as with
 *   sp_http_read_bytes_async()), at most @rules->max_depth levels deep, its root of
 *   @rules->root; copied
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with @session as the source object when the answer is read
 * @user_data: data for @callback
 *
 * Sends @msg and reads its answer as JSON, through sp_json_parse(): strict UTF-8, bounded
 * in size and in depth, so that no answer can exhaust memory or the stack. An answer with
 * an error status is not read as JSON (see sp_http_check_answer()).
 */
void
sp_http_read_json_async (SoupSession         *session,
                         SoupMessage         *msg,
                         const SpJsonRules   *rules,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task;
  Read *read;

  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (SOUP_IS_MESSAGE (msg));
  g_return_if_fail (rules != NULL && rules->what != NULL);
  g_return_if_fail (rules->max_length > 0 && rules->max_length < G_MAXSIZE);

  task = read_start (session, msg, rules->max_length, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_http_read_json_async);
  read = g_task_get_task_data (task);
  read->rules = *rules;

  sp_http_read_bytes_async (session, msg, rules->max_length, read->cancellable, json_read_cb,
                            task);
}

/**
 * sp_http_read_json_finish:
 * @session: the session
 * @result: the result given to the callback
 * @error: return location for libsoup's error, %G_IO_ERROR_CANCELLED, or an
 *   %SP_HTTP_ERROR
 *
 * Returns: (transfer full): the answer's root node
 */
JsonNode *
sp_http_read_json_finish (SoupSession   *session,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, session), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
