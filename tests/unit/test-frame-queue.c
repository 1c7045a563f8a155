/* test-frame-queue.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* SpFrameQueue, the receive path every backend shares (issue 12, "no freeze under a
 * flood"): frames are handled in order, none is lost, and one main-loop iteration never
 * spends much more than SP_FRAME_QUEUE_BUDGET_US on them. */

#include "config.h"

#include <string.h>

#include "sp-frame-queue.h"
#include "sp-test-util.h"

#define FRAME_COST_US 200

typedef struct
{
  SpFrameQueue *queue;
  guint         next;         /* the number the next frame must carry */
  guint         handled;
  guint         free_at;      /* free the queue from the handler of this frame (0: never) */
} Fixture;

static void
busy_wait (gint64 us)
{
  gint64 end = g_get_monotonic_time () + us;

  while (g_get_monotonic_time () < end)
    ;
}

static void
handle_cb (gpointer owner,
           gpointer frame)
{
  Fixture *fixture = owner;

  g_assert_cmpuint (GPOINTER_TO_UINT (frame), ==, fixture->next);
  fixture->next++;
  fixture->handled++;
  busy_wait (FRAME_COST_US);

  if (fixture->free_at != 0 && fixture->handled == fixture->free_at)
    g_clear_pointer (&fixture->queue, sp_frame_queue_free);
}

typedef struct
{
  gint64 last;
  gint64 worst;
} Stall;

static gboolean
tick_cb (gpointer user_data)
{
  Stall *stall = user_data;
  gint64 now = sp_test_thread_cpu_usec ();

  if (stall->last != 0)
    stall->worst = MAX (stall->worst, now - stall->last);
  stall->last = now;

  return G_SOURCE_CONTINUE;
}

/* 5 000 frames pushed at once (what one read of a flooded socket gives): the first are
 * handled at once, the rest in slices; a timer of the same priority is never held up
 * much longer than one budget. */
static void
test_slices (void)
{
  Fixture fixture = { 0 };
  Stall stall = { 0 };
  guint tick_id;
  guint n = 5000;
  guint first;

  fixture.queue = sp_frame_queue_new (&fixture, handle_cb, NULL);
  fixture.next = 1;

  for (guint i = 1; i <= n; i++)
    sp_frame_queue_push (fixture.queue, GUINT_TO_POINTER (i));
  first = fixture.handled;
  /* One budget's worth, and a frame more at most. */
  g_assert_cmpuint (first, >=, 1);
  g_assert_cmpuint (first, <=, SP_FRAME_QUEUE_BUDGET_US / FRAME_COST_US + 1);
  g_assert_cmpuint (sp_frame_queue_get_length (fixture.queue), ==, n - first);

  tick_id = g_timeout_add (1, tick_cb, &stall);
  while (fixture.handled < n)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick_id);

  g_assert_cmpuint (fixture.next, ==, n + 1);
  g_assert_cmpuint (sp_frame_queue_get_length (fixture.queue), ==, 0);
  /* Measured in this thread's CPU time, so that a loaded machine preempting us does not
   * count; the bound has room still, and the old behaviour (one whole second of frames in
   * one go) is far beyond it. */
  g_test_message ("worst work between ticks: %" G_GINT64_FORMAT " µs", stall.worst);
  g_assert_cmpint (stall.worst, <, 50 * 1000);

  sp_frame_queue_free (fixture.queue);
}

/* A flush handles everything now, in order (the connection is about to be given up);
 * a clear drops it. */
static void
test_flush_and_clear (void)
{
  Fixture fixture = { 0 };

  fixture.queue = sp_frame_queue_new (&fixture, handle_cb, NULL);
  fixture.next = 1;
  for (guint i = 1; i <= 200; i++)
    sp_frame_queue_push (fixture.queue, GUINT_TO_POINTER (i));
  g_assert_cmpuint (fixture.handled, <, 200);
  sp_frame_queue_flush (fixture.queue);
  g_assert_cmpuint (fixture.handled, ==, 200);

  /* A new iteration: the budget is open again. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  busy_wait (SP_FRAME_QUEUE_BUDGET_US);
  for (guint i = 201; i <= 300; i++)
    sp_frame_queue_push (fixture.queue, GUINT_TO_POINTER (i));
  sp_frame_queue_clear (fixture.queue);
  g_assert_cmpuint (sp_frame_queue_get_length (fixture.queue), ==, 0);
  sp_frame_queue_free (fixture.queue);
}

/* A handler that gives the connection up frees the queue under its own feet. */
static void
test_free_from_handler (void)
{
  Fixture fixture = { 0 };

  fixture.queue = sp_frame_queue_new (&fixture, handle_cb, NULL);
  fixture.next = 1;
  fixture.free_at = 50;
  for (guint i = 1; i <= 100; i++)
    sp_frame_queue_push (fixture.queue, GUINT_TO_POINTER (i));
  while (fixture.queue != NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (fixture.handled, ==, 50);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* A WebSocket server that writes its frames as fast as the socket takes them, from a
 * thread (like the popup-notifier daemon's writer), and never reads after the handshake. */

#define FLOOD_FRAMES 20000
/* About the size of a popup-notifier CALL_IN frame. */
#define FLOOD_FRAME_TEXT 100

typedef struct
{
  GSocket  *listener;
  guint16   port;
  GThread  *thread;
} Flood;

static void
send_all (GSocket    *socket,
          const char *data,
          gsize       size)
{
  while (size > 0)
    {
      gssize n = g_socket_send (socket, data, size, NULL, NULL);

      if (n <= 0)
        return;
      data += n;
      size -= n;
    }
}

static gpointer
flood_thread (gpointer user_data)
{
  Flood *flood = user_data;
  g_autoptr(GSocket) client = g_socket_accept (flood->listener, NULL, NULL);
  g_autoptr(GString) request = g_string_new (NULL);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  g_autofree char *key = NULL;
  g_autofree char *accept = NULL;
  g_autofree char *response = NULL;
  guint8 digest[20];
  gsize digest_len = sizeof digest;
  char buffer[4096];
  const char *line;

  if (client == NULL)
    return NULL;
  while (strstr (request->str, "\r\n\r\n") == NULL)
    {
      gssize n = g_socket_receive (client, buffer, sizeof buffer, NULL, NULL);

      if (n <= 0)
        return NULL;
      g_string_append_len (request, buffer, n);
    }

  line = strstr (request->str, "Sec-WebSocket-Key:");
  g_assert_nonnull (line);
  line += strlen ("Sec-WebSocket-Key:");
  key = g_strstrip (g_strndup (line, strcspn (line, "\r\n")));
  g_checksum_update (sha1, (const guchar *) key, -1);
  g_checksum_update (sha1, (const guchar *) "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", -1);
  g_checksum_get_digest (sha1, digest, &digest_len);
  accept = g_base64_encode (digest, digest_len);
  response = g_strdup_printf ("HTTP/1.1 101 Switching Protocols\r\n"
                              "Upgrade: websocket\r\n"
                              "Connection: Upgrade\r\n"
                              "Sec-WebSocket-Accept: %s\r\n\r\n", accept);
  send_all (client, response, strlen (response));

  for (guint i = 1; i <= FLOOD_FRAMES; i++)
    {
      char text[FLOOD_FRAME_TEXT + 1];

      /* The frame's number, padded. */
      memset (text, ' ', FLOOD_FRAME_TEXT);
      text[FLOOD_FRAME_TEXT] = '\0';
      memcpy (text, buffer, g_snprintf (buffer, sizeof buffer, "%u", i));
      g_string_append_c (out, (char) 0x81);
      g_string_append_c (out, (char) FLOOD_FRAME_TEXT);
      g_string_append_len (out, text, FLOOD_FRAME_TEXT);
      if (out->len > 64 * 1024 || i == FLOOD_FRAMES)
        {
          send_all (client, out->str, out->len);
          g_string_truncate (out, 0);
        }
    }

  /* Stays open until the client is done: a close would be read as the end. */
  while (g_socket_receive (client, buffer, sizeof buffer, NULL, NULL) > 0)
    ;

  return NULL;
}

typedef struct
{
  SpFrameQueue            *queue;
  SoupWebsocketConnection *connection;
  GSource                 *clock;       /* its time tells one iteration from the next */
  gint64                   iteration;
  guint                    in_iteration; /* frames libsoup gave in this iteration */
  guint                    most_in_iteration;
  guint                    in_first;     /* frames in the iteration of the first one */
  guint                    longest_backlog;
  guint                    next;
  guint                    handled;
} Paced;

static void
paced_handle_cb (gpointer owner,
                 gpointer data)
{
  Paced *paced = owner;
  SpFrame *frame = data;
  g_autofree char *text = g_strndup (g_bytes_get_data (frame->bytes, NULL),
                                     g_bytes_get_size (frame->bytes));

  g_assert_cmpuint ((guint) g_ascii_strtoull (text, NULL, 10), ==, paced->next);
  paced->next++;
  paced->handled++;
  /* Slower than the server: without a pace, the frames pile up here. */
  busy_wait (20);
}

static void
paced_message_cb (SoupWebsocketConnection *connection,
                  int                      type,
                  GBytes                  *message,
                  gpointer                 user_data)
{
  Paced *paced = user_data;
  gint64 iteration = g_source_get_time (paced->clock);

  if (iteration != paced->iteration)
    {
      if (paced->iteration != -1 && paced->in_first == 0)
        paced->in_first = paced->in_iteration;
      paced->iteration = iteration;
      paced->in_iteration = 0;
    }
  paced->in_iteration++;
  /* The first iteration also gets what libsoup read along with the handshake's answer. */
  if (paced->in_first != 0)
    paced->most_in_iteration = MAX (paced->most_in_iteration, paced->in_iteration);

  sp_frame_queue_push (paced->queue, sp_frame_new (type, message));
  paced->longest_backlog = MAX (paced->longest_backlog, sp_frame_queue_get_length (paced->queue));
}

static void
paced_connect_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Paced *paced = user_data;
  g_autoptr(GError) error = NULL;

  paced->connection = soup_session_websocket_connect_finish (SOUP_SESSION (object), result,
                                                             &error);
  g_assert_no_error (error);
  g_signal_connect (paced->connection, "message", G_CALLBACK (paced_message_cb), paced);
}

static gboolean
clock_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs clock_funcs = { .dispatch = clock_dispatch };

/* A flood of small frames over a real WebSocket: libsoup 3.2 reads until the socket is
 * empty and emits every frame in one callback, so without a pace one main-loop iteration
 * got thousands of frames and the queue held most of the flood. Paced, one iteration gets
 * what 8 KB holds, nothing more arrives while frames wait, and every frame is handled in
 * order. */
static void
test_paced_websocket (void)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  Flood flood = { 0 };
  Paced paced = { 0 };
  gint64 deadline;
  /* One 8 KB read's worth of frames, and the one that straddles its end. */
  guint per_read = 8 * 1024 / (FLOOD_FRAME_TEXT + 2) + 1;

  flood.listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (flood.listener, address, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (flood.listener, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (flood.listener, &error);
  g_assert_no_error (error);
  flood.port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  flood.thread = g_thread_new ("flood", flood_thread, &flood);

  paced.clock = g_source_new (&clock_funcs, sizeof (GSource));
  g_source_attach (paced.clock, NULL);
  paced.iteration = -1;
  paced.next = 1;
  paced.queue = sp_frame_queue_new (&paced, paced_handle_cb, (GDestroyNotify) sp_frame_free);

  url = g_strdup_printf ("ws://127.0.0.1:%u/flood", flood.port);
  msg = soup_message_new (SOUP_METHOD_GET, url);
  sp_frame_queue_pace (paced.queue, session, msg);
  soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        paced_connect_cb, &paced);

  deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  while (paced.handled < FLOOD_FRAMES && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_test_message ("frames in the first iteration: %u, most in a later one: %u, longest "
                  "backlog: %u (one read: %u)", paced.in_first, paced.most_in_iteration,
                  paced.longest_backlog, per_read);
  g_assert_cmpuint (paced.handled, ==, FLOOD_FRAMES);
  /* libsoup reads the handshake's answer 8 KB at a time: at most one more read's worth. */
  g_assert_cmpuint (paced.in_first, <=, 2 * per_read);
  g_assert_cmpuint (paced.most_in_iteration, <=, per_read);
  g_assert_cmpuint (paced.longest_backlog, <=, 2 * per_read);

  g_signal_handlers_disconnect_by_data (paced.connection, &paced);
  g_clear_object (&paced.connection);
  sp_frame_queue_free (paced.queue);
  g_socket_shutdown (flood.listener, TRUE, TRUE, NULL);
  g_thread_join (flood.thread);
  g_object_unref (flood.listener);
  g_source_destroy (paced.clock);
  g_source_unref (paced.clock);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/frame-queue/slices", test_slices);
  g_test_add_func ("/frame-queue/flush-and-clear", test_flush_and_clear);
  g_test_add_func ("/frame-queue/free-from-handler", test_free_from_handler);
  g_test_add_func ("/frame-queue/paced-websocket", test_paced_websocket);

  return g_test_run ();
}
