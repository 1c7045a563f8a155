/* sp-paced-proxy.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-source"

#include "config.h"

#include "sp-paced-input-stream.h"
#include "sp-paced-proxy.h"

/*
 * How a paced stream (sp-paced-input-stream.c) gets under a libsoup WebSocket. libsoup 3.2
 * opens its connections itself and offers no hook to wrap the stream it reads; what it
 * does honour is the session's GProxyResolver, and GSocketClient hands a connection made
 * for a proxy to the GProxy of that protocol, whose returned stream is then used as the
 * connection. So this object is both: as a GProxyResolver, it asks the system's resolver,
 * and where the system says "direct://", it answers "screenpop-paced://HOST:PORT", the
 * destination itself; as the GProxy of that protocol, it exchanges no bytes at all and
 * returns the connection with its input wrapped in an SpPacedInputStream, which reads
 * straight through until its owner sets a pace. A real proxy the system names is used as
 * before (unpaced). TLS, when the URL asks for it, is still done by libsoup, over this
 * stream, against the real host name.
 */

struct _SpPacedProxy
{
  GObject parent_instance;
};

static void sp_paced_proxy_proxy_iface_init    (GProxyInterface         *iface);
static void sp_paced_proxy_resolver_iface_init (GProxyResolverInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SpPacedProxy, sp_paced_proxy, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_PROXY,
                                                      sp_paced_proxy_proxy_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_PROXY_RESOLVER,
                                                      sp_paced_proxy_resolver_iface_init))

/* The proxy */

static GIOStream *
wrap (GIOStream *connection)
{
  g_autoptr(SpPacedInputStream) input = sp_paced_input_stream_new (connection);

  return g_simple_io_stream_new (G_INPUT_STREAM (input),
                                 g_io_stream_get_output_stream (connection));
}

static GIOStream *
sp_paced_proxy_connect (GProxy         *proxy,
                        GIOStream      *connection,
                        GProxyAddress  *proxy_address,
                        GCancellable   *cancellable,
                        GError        **error)
{
  return wrap (connection);
}

static void
sp_paced_proxy_connect_async (GProxy              *proxy,
                              GIOStream           *connection,
                              GProxyAddress       *proxy_address,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (proxy, cancellable, callback, user_data);

  g_task_set_source_tag (task, sp_paced_proxy_connect_async);
  g_task_return_pointer (task, wrap (connection), g_object_unref);
}

static GIOStream *
sp_paced_proxy_connect_finish (GProxy        *proxy,
                               GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
sp_paced_proxy_supports_hostname (GProxy *proxy)
{
  /* Nothing is sent: the host was resolved when the connection was made. */
  return TRUE;
}

static void
sp_paced_proxy_proxy_iface_init (GProxyInterface *iface)
{
  iface->connect = sp_paced_proxy_connect;
  iface->connect_async = sp_paced_proxy_connect_async;
  iface->connect_finish = sp_paced_proxy_connect_finish;
  iface->supports_hostname = sp_paced_proxy_supports_hostname;
}

/* The resolver */

/* "direct://" becomes the destination under our protocol; anything else stays. */
static char **
pace_direct (const char  *uri,
             char       **proxies)
{
  g_autofree char *host = NULL;
  int port = -1;

  if (proxies == NULL ||
      !g_uri_split_network (uri, G_URI_FLAGS_NONE, NULL, &host, &port, NULL) ||
      host == NULL || port <= 0)
    return proxies;

  for (guint i = 0; proxies[i] != NULL; i++)
    {
      if (!g_str_equal (proxies[i], "direct://"))
        continue;

      g_free (proxies[i]);
      proxies[i] = g_uri_join (G_URI_FLAGS_NONE, SP_PACED_PROXY_PROTOCOL, NULL, host, port, "",
                               NULL, NULL);
    }

  return proxies;
}

static gboolean
sp_paced_proxy_is_supported (GProxyResolver *resolver)
{
  return TRUE;
}

static char **
sp_paced_proxy_lookup (GProxyResolver  *resolver,
                       const char      *uri,
                       GCancellable    *cancellable,
                       GError         **error)
{
  return pace_direct (uri, g_proxy_resolver_lookup (g_proxy_resolver_get_default (), uri,
                                                    cancellable, error));
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char **proxies;

  proxies = g_proxy_resolver_lookup_finish (G_PROXY_RESOLVER (object), result, &error);
  if (proxies == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, pace_direct (g_task_get_task_data (task), proxies),
                           (GDestroyNotify) g_strfreev);
}

static void
sp_paced_proxy_lookup_async (GProxyResolver      *resolver,
                             const char          *uri,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task = g_task_new (resolver, cancellable, callback, user_data);

  g_task_set_source_tag (task, sp_paced_proxy_lookup_async);
  g_task_set_task_data (task, g_strdup (uri), g_free);
  g_proxy_resolver_lookup_async (g_proxy_resolver_get_default (), uri, cancellable, lookup_cb,
                                 task);
}

static char **
sp_paced_proxy_lookup_finish (GProxyResolver  *resolver,
                              GAsyncResult    *result,
                              GError         **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
sp_paced_proxy_resolver_iface_init (GProxyResolverInterface *iface)
{
  iface->is_supported = sp_paced_proxy_is_supported;
  iface->lookup = sp_paced_proxy_lookup;
  iface->lookup_async = sp_paced_proxy_lookup_async;
  iface->lookup_finish = sp_paced_proxy_lookup_finish;
}

static void
sp_paced_proxy_class_init (SpPacedProxyClass *klass)
{
}

static void
sp_paced_proxy_init (SpPacedProxy *self)
{
}

/**
 * sp_paced_proxy_get_resolver:
 *
 * The resolver for a session whose connections may need to be paced: the system's proxy
 * settings, with direct connections made through a paced stream. The first call registers
 * the proxy protocol with GIO.
 *
 * Returns: (transfer none): the resolver, shared
 */
GProxyResolver *
sp_paced_proxy_get_resolver (void)
{
  static GProxyResolver *resolver;

  if (g_once_init_enter (&resolver))
    {
      g_autoptr(GProxy) direct = NULL;

      /* GIO registers its extension points on first use. */
      direct = g_proxy_get_default_for_protocol ("direct");
      g_io_extension_point_implement (G_PROXY_EXTENSION_POINT_NAME, SP_TYPE_PACED_PROXY,
                                      SP_PACED_PROXY_PROTOCOL, 0);
      g_once_init_leave (&resolver, g_object_new (SP_TYPE_PACED_PROXY, NULL));
    }

  return resolver;
}
