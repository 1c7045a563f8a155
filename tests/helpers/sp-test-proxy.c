/* sp-test-proxy.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A TCP proxy on 127.0.0.1 whose far end can vanish: the way a link dies when a firewall
 * forgets it or the PBX is switched off. No FIN, no RST, nothing: only a probe of the
 * client's own (TCP keepalive) can tell. The proxy puts its client-side sockets into repair
 * mode (TCP_REPAIR, as CRIU does) before closing them, so the kernel drops them without a
 * word; a later keepalive probe then finds no socket and is answered with a reset. On a
 * real network the probes would go unanswered and time out instead; either way it is the
 * keepalive that notices, and without it the client would wait forever.
 *
 * Repair mode needs CAP_NET_ADMIN: sp_test_proxy_can_vanish() says whether a test can run.
 * The proxy runs in a thread of its own, so a test may block its main loop while it works.
 */

#define _GNU_SOURCE   /* accept4, pipe2 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "sp-test-proxy.h"

#ifndef TCP_REPAIR
#define TCP_REPAIR 19
#endif

#define MAX_PAIRS 32

struct _SpTestProxy
{
  GThread *thread;
  int      listener;
  guint16  port;
  guint16  upstream_port;
  int      control[2];     /* a pipe: 'v' vanish, 'd' down, 'u' up, 'q' quit */
  int      ack[2];         /* a pipe: the thread's answer */

  /* Only the thread touches these. */
  int      client[MAX_PAIRS];
  int      upstream[MAX_PAIRS];
};

/**
 * sp_test_proxy_can_vanish:
 *
 * Returns: whether this process may put sockets into repair mode (CAP_NET_ADMIN)
 */
gboolean
sp_test_proxy_can_vanish (void)
{
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  int on = 1;
  gboolean ok;

  ok = setsockopt (fd, IPPROTO_TCP, TCP_REPAIR, &on, sizeof on) == 0;
  close (fd);

  return ok;
}

/* Listens on @port (0: any); returns the socket, bound and listening. */
static int
listen_on (guint16  port,
           guint16 *bound)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons (port) };
  socklen_t len = sizeof addr;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int on = 1;

  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on), ==, 0);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (listen (fd, 16), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &addr, &len), ==, 0);
  *bound = ntohs (addr.sin_port);

  return fd;
}

static int
connect_upstream (guint16 port)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons (port) };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) != 0)
    {
      close (fd);
      return -1;
    }

  return fd;
}

static void
close_pair (SpTestProxy *self,
            guint        i,
            gboolean     silently)
{
  int on = 1;

  if (silently)
    g_assert_cmpint (setsockopt (self->client[i], IPPROTO_TCP, TCP_REPAIR, &on, sizeof on), ==, 0);

  close (self->client[i]);
  close (self->upstream[i]);
  self->client[i] = self->upstream[i] = -1;
}

/* Copies what one side has to the other; FALSE when the pair is over. */
static gboolean
forward (int from,
         int to)
{
  char buffer[16 * 1024];
  ssize_t n = read (from, buffer, sizeof buffer);

  if (n <= 0)
    return FALSE;

  for (ssize_t done = 0; done < n;)
    {
      ssize_t w = write (to, buffer + done, n - done);

      if (w <= 0)
        return FALSE;
      done += w;
    }

  return TRUE;
}

static gpointer
proxy_thread (gpointer data)
{
  SpTestProxy *self = data;

  for (;;)
    {
      struct pollfd fds[2 + 2 * MAX_PAIRS];
      guint n = 0;

      fds[n++] = (struct pollfd) { .fd = self->control[0], .events = POLLIN };
      fds[n++] = (struct pollfd) { .fd = self->listener, .events = POLLIN };
      for (guint i = 0; i < MAX_PAIRS; i++)
        {
          fds[n++] = (struct pollfd) { .fd = self->client[i], .events = POLLIN };
          fds[n++] = (struct pollfd) { .fd = self->upstream[i], .events = POLLIN };
        }

      if (poll (fds, n, -1) < 0)
        {
          g_assert_cmpint (errno, ==, EINTR);
          continue;
        }

      if (fds[0].revents & POLLIN)
        {
          char command;
          guint vanished = 0;

          g_assert_cmpint (read (self->control[0], &command, 1), ==, 1);
          if (command == 'u')
            {
              guint16 port;

              if (self->listener < 0)
                self->listener = listen_on (self->port, &port);
              g_assert_cmpint (write (self->ack[1], &vanished, sizeof vanished), ==, sizeof vanished);
              continue;
            }

          for (guint i = 0; i < MAX_PAIRS; i++)
            if (self->client[i] >= 0)
              {
                close_pair (self, i, command == 'v');
                vanished++;
              }
          /* Down, as a server that stopped: connections refused. */
          if (command == 'd' && self->listener >= 0)
            {
              close (self->listener);
              self->listener = -1;
            }

          g_assert_cmpint (write (self->ack[1], &vanished, sizeof vanished), ==, sizeof vanished);
          if (command == 'q')
            return NULL;
          continue;
        }

      if (fds[1].revents & POLLIN)
        {
          int client = accept4 (self->listener, NULL, NULL, SOCK_CLOEXEC);
          int upstream = client >= 0 ? connect_upstream (self->upstream_port) : -1;
          guint i;

          for (i = 0; i < MAX_PAIRS && self->client[i] >= 0; i++)
            ;
          if (upstream < 0 || i == MAX_PAIRS)
            {
              /* As the server itself would: nobody there. */
              if (client >= 0)
                close (client);
              if (upstream >= 0)
                close (upstream);
            }
          else
            {
              self->client[i] = client;
              self->upstream[i] = upstream;
            }
        }

      for (guint i = 0; i < MAX_PAIRS; i++)
        {
          short client_events = fds[2 + 2 * i].revents;
          short upstream_events = fds[3 + 2 * i].revents;

          if (self->client[i] < 0)
            continue;
          if ((client_events & (POLLIN | POLLHUP | POLLERR)) &&
              !forward (self->client[i], self->upstream[i]))
            close_pair (self, i, FALSE);
          else if ((upstream_events & (POLLIN | POLLHUP | POLLERR)) &&
                   !forward (self->upstream[i], self->client[i]))
            close_pair (self, i, FALSE);
        }
    }
}

/**
 * sp_test_proxy_new:
 * @upstream_port: where the server listens, on 127.0.0.1
 *
 * Returns: (transfer full): a proxy forwarding every connection it accepts (see
 *   sp_test_proxy_get_port()) to the server
 */
SpTestProxy *
sp_test_proxy_new (guint16 upstream_port)
{
  SpTestProxy *self = g_new0 (SpTestProxy, 1);

  self->upstream_port = upstream_port;
  self->listener = listen_on (0, &self->port);
  g_assert_cmpint (pipe2 (self->control, O_CLOEXEC), ==, 0);
  g_assert_cmpint (pipe2 (self->ack, O_CLOEXEC), ==, 0);
  for (guint i = 0; i < MAX_PAIRS; i++)
    self->client[i] = self->upstream[i] = -1;

  self->thread = g_thread_new ("sp-test-proxy", proxy_thread, self);

  return self;
}

guint16
sp_test_proxy_get_port (SpTestProxy *self)
{
  return self->port;
}

static guint
command (SpTestProxy *self,
         char         what)
{
  guint count = 0;

  g_assert_cmpint (write (self->control[1], &what, 1), ==, 1);
  g_assert_cmpint (read (self->ack[0], &count, sizeof count), ==, sizeof count);

  return count;
}

/**
 * sp_test_proxy_vanish:
 *
 * Drops every connection the proxy holds without telling the client (see the top of this
 * file); new connections are forwarded as before. Needs sp_test_proxy_can_vanish().
 *
 * Returns: how many connections vanished
 */
guint
sp_test_proxy_vanish (SpTestProxy *self)
{
  return command (self, 'v');
}

/**
 * sp_test_proxy_set_up:
 * @up: %FALSE: the server is down (every connection closed, new ones refused); %TRUE: it
 *   is back, on the same port, and accepts at once
 *
 * An outage of a server that cannot itself restart on the same port.
 */
void
sp_test_proxy_set_up (SpTestProxy *self,
                      gboolean     up)
{
  command (self, up ? 'u' : 'd');
}

void
sp_test_proxy_free (SpTestProxy *self)
{
  if (self == NULL)
    return;

  command (self, 'q');
  g_thread_join (self->thread);
  if (self->listener >= 0)
    close (self->listener);
  close (self->control[0]);
  close (self->control[1]);
  close (self->ack[0]);
  close (self->ack[1]);
  g_free (self);
}
