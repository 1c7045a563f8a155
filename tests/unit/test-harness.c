/* test-harness.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Tests of the test helpers themselves: if the notification mock or the popup-notifier
 * server lied, every integration test built on them would too. */

#define G_LOG_DOMAIN "test-harness"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <libnotify/notify.h>
#include <libsoup/soup.h>

#include "sp-popup-notifier.h"
#include "sp-test-notify.h"
#include "sp-test-popup-server.h"
#include "sp-test-util.h"

#define TIMEOUT_MS 20000

static SpTestNotify *notify;

/* The notification mock, driven through libnotify directly */

static void
on_action (NotifyNotification *notification,
           char               *action,
           gpointer            user_data)
{
  char **invoked = user_data;

  g_free (*invoked);
  *invoked = g_strdup (action);
}

static gboolean
is_set (gpointer user_data)
{
  return *(gpointer *) user_data != NULL;
}

static gboolean
flag_set (gpointer user_data)
{
  return g_atomic_int_get ((int *) user_data) != 0;
}

static void
on_closed (NotifyNotification *notification,
           gpointer            user_data)
{
  int *closed = user_data;

  *closed = notify_notification_get_closed_reason (notification);
}

static void
test_notify_libnotify (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GVariant) hint = NULL;
  g_auto(GStrv) actions = NULL;
  g_autofree char *invoked = NULL;
  NotifyNotification *notification;
  SpTestNotifyCall *call;
  GList *caps;
  guint32 id;
  int notification_id = 0;
  int closed = 0;
  char *app_name;

  sp_test_notify_clear (notify);
  g_assert_true (notify_init ("sp-test-harness"));

  /* The capabilities given to the mock are what a client reads. */
  caps = notify_get_server_caps ();
  g_assert_nonnull (g_list_find_custom (caps, "actions", (GCompareFunc) g_strcmp0));
  g_assert_nonnull (g_list_find_custom (caps, "persistence", (GCompareFunc) g_strcmp0));
  g_list_free_full (caps, g_free);

  notification = notify_notification_new ("山田 太郎 (0312345678)", "Extension 201", NULL);
  notify_notification_set_category (notification, "call.incoming");
  notify_notification_set_urgency (notification, NOTIFY_URGENCY_CRITICAL);
  notify_notification_set_hint (notification, "desktop-entry",
                                g_variant_new_string ("io.github.screenpop.Screenpop"));
  notify_notification_add_action (notification, "open", "Open", on_action, &invoked, NULL);
  g_signal_connect (notification, "closed", G_CALLBACK (on_closed), &closed);
  g_assert_true (notify_notification_show (notification, &error));
  g_assert_no_error (error);

  g_assert_true (sp_test_notify_wait_for (notify, "Notify", 1, TIMEOUT_MS));
  calls = sp_test_notify_get_calls (notify, "Notify");
  g_assert_cmpuint (calls->len, ==, 1);
  call = g_ptr_array_index (calls, 0);
  g_assert_cmpstr (call->method, ==, "Notify");
  g_assert_cmpuint (call->timestamp, >, 0);
  g_variant_get_child (call->args, 0, "&s", &app_name);
  g_assert_cmpstr (app_name, ==, "sp-test-harness");
  g_assert_cmpstr (sp_test_notify_call_get_summary (call), ==, "山田 太郎 (0312345678)");
  g_assert_cmpstr (sp_test_notify_call_get_body (call), ==, "Extension 201");
  g_assert_cmpuint (sp_test_notify_call_get_replaces_id (call), ==, 0);

  actions = sp_test_notify_call_dup_actions (call);
  g_assert_cmpuint (g_strv_length (actions), ==, 2);
  g_assert_cmpstr (actions[0], ==, "open");
  g_assert_cmpstr (actions[1], ==, "Open");

  hint = sp_test_notify_call_get_hint (call, "category");
  g_assert_cmpstr (g_variant_get_string (hint, NULL), ==, "call.incoming");
  g_clear_pointer (&hint, g_variant_unref);
  hint = sp_test_notify_call_get_hint (call, "urgency");
  g_assert_cmpuint (g_variant_get_byte (hint), ==, NOTIFY_URGENCY_CRITICAL);
  g_clear_pointer (&hint, g_variant_unref);
  hint = sp_test_notify_call_get_hint (call, "desktop-entry");
  g_assert_cmpstr (g_variant_get_string (hint, NULL), ==, "io.github.screenpop.Screenpop");
  g_clear_pointer (&hint, g_variant_unref);
  g_assert_null (sp_test_notify_call_get_hint (call, "sound-file"));

  /* The id we compute is the one the mock returned to libnotify. */
  id = sp_test_notify_get_id (notify, 0);
  g_object_get (notification, "id", &notification_id, NULL);
  g_assert_cmpuint (id, ==, (guint32) notification_id);
  g_assert_cmpuint (id, >, 0);

  /* A click reaches the action's callback. */
  sp_test_notify_click (notify, id, "open");
  g_assert_true (sp_test_wait_until (is_set, &invoked, TIMEOUT_MS));
  g_assert_cmpstr (invoked, ==, "open");

  /* Withdrawing is recorded with the id. */
  g_assert_true (notify_notification_close (notification, &error));
  g_assert_no_error (error);
  g_assert_true (sp_test_notify_wait_for (notify, "CloseNotification", 1, TIMEOUT_MS));
  g_clear_pointer (&calls, g_ptr_array_unref);
  calls = sp_test_notify_get_calls (notify, "CloseNotification");
  g_assert_cmpuint (sp_test_notify_call_get_closed_id (g_ptr_array_index (calls, 0)), ==, id);

  /* The template answers CloseNotification with NotificationClosed (reason 1). */
  g_assert_true (sp_test_wait_until (flag_set, &closed, TIMEOUT_MS));
  g_assert_cmpint (closed, ==, SP_TEST_NOTIFY_CLOSED_EXPIRED);

  /* All calls, in order. */
  g_clear_pointer (&calls, g_ptr_array_unref);
  calls = sp_test_notify_get_calls (notify, NULL);
  g_assert_cmpuint (calls->len, >=, 3);
  g_assert_cmpuint (sp_test_notify_count (notify, "GetCapabilities"), >=, 1);

  g_assert_finalize_object (notification);
  notify_uninit ();
}

static void
test_notify_ids (void)
{
  g_autoptr(GError) error = NULL;
  NotifyNotification *first;
  NotifyNotification *second;
  guint32 first_id;
  guint32 second_id;
  int id = 0;

  sp_test_notify_clear (notify);
  g_assert_true (notify_init ("sp-test-harness"));

  first = notify_notification_new ("first", NULL, NULL);
  g_assert_true (notify_notification_show (first, &error));
  g_assert_true (sp_test_notify_wait_for (notify, "Notify", 1, TIMEOUT_MS));
  first_id = sp_test_notify_get_id (notify, 0);

  /* Clearing the log does not restart the mock's numbering, and the ids still match. */
  sp_test_notify_clear (notify);
  g_assert_cmpuint (sp_test_notify_count (notify, NULL), ==, 0);

  second = notify_notification_new ("second", NULL, NULL);
  g_assert_true (notify_notification_show (second, &error));
  g_assert_true (sp_test_notify_wait_for (notify, "Notify", 1, TIMEOUT_MS));
  second_id = sp_test_notify_get_id (notify, 0);
  g_object_get (second, "id", &id, NULL);
  g_assert_cmpuint (second_id, ==, (guint32) id);
  g_assert_cmpuint (second_id, ==, first_id + 1);

  /* Updating a shown notification replaces it and keeps its id. */
  notify_notification_update (first, "first, updated", "body", NULL);
  g_assert_true (notify_notification_show (first, &error));
  g_assert_true (sp_test_notify_wait_for (notify, "Notify", 2, TIMEOUT_MS));
  g_assert_cmpuint (sp_test_notify_get_id (notify, 1), ==, first_id);

  /* A new notification after a replacement continues the sequence. */
  g_clear_object (&second);
  second = notify_notification_new ("third", NULL, NULL);
  g_assert_true (notify_notification_show (second, &error));
  g_assert_true (sp_test_notify_wait_for (notify, "Notify", 3, TIMEOUT_MS));
  g_assert_cmpuint (sp_test_notify_get_id (notify, 2), ==, second_id + 1);
  g_object_get (second, "id", &id, NULL);
  g_assert_cmpuint (second_id + 1, ==, (guint32) id);

  /* The server closing a notification by itself reaches the client. */
  {
    int closed = 0;

    g_signal_connect (second, "closed", G_CALLBACK (on_closed), &closed);
    sp_test_notify_close (notify, id, SP_TEST_NOTIFY_CLOSED_DISMISSED);
    g_assert_true (sp_test_wait_until (flag_set, &closed, TIMEOUT_MS));
    g_assert_cmpint (closed, ==, SP_TEST_NOTIFY_CLOSED_DISMISSED);
  }

  /* Nothing more comes, and waiting for it says so. */
  g_assert_false (sp_test_notify_wait_for (notify, "Notify", 4, 300));

  g_assert_finalize_object (first);
  g_assert_finalize_object (second);
  notify_uninit ();
}

/* Utilities */

static gboolean
counter_at_least_3 (gpointer user_data)
{
  return *(guint *) user_data >= 3;
}

static gboolean
count_up (gpointer user_data)
{
  (*(guint *) user_data)++;

  return G_SOURCE_CONTINUE;
}

static void
test_util_wait_until (void)
{
  guint counter = 0;
  guint id = g_timeout_add (10, count_up, &counter);
  gint64 start;

  g_assert_true (sp_test_wait_until (counter_at_least_3, &counter, TIMEOUT_MS));
  g_source_remove (id);

  /* A condition that never holds times out after about the given time. */
  counter = 0;
  start = g_get_monotonic_time ();
  g_assert_false (sp_test_wait_until (counter_at_least_3, &counter, 200));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 190 * 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
}

static void
test_util_free_port (void)
{
  guint16 port = sp_test_find_free_port ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SpTestPopupServer) server = NULL;

  g_assert_cmpuint (port, >, 0);
  server = sp_test_popup_server_new (port, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sp_test_popup_server_get_port (server), ==, port);
}

static void
test_util_log_capture (void)
{
  g_autoptr(SpTestLogCapture) capture = sp_test_log_capture_new ("test-harness-capture");
  g_autoptr(SpTestLogCapture) all = sp_test_log_capture_new (NULL);

  g_log ("test-harness-capture", G_LOG_LEVEL_DEBUG, "Skipping a frame: %s", "not JSON");
  g_log_structured ("test-harness-capture", G_LOG_LEVEL_MESSAGE,
                    "SP_ACCOUNT", "a1",
                    "MESSAGE", "Connected to %s", "ws://127.0.0.1/crmws");
  g_log ("another-domain", G_LOG_LEVEL_DEBUG, "unrelated");

  g_assert_cmpuint (sp_test_log_capture_count (capture, 0, NULL), ==, 2);
  g_assert_cmpuint (sp_test_log_capture_count (capture, G_LOG_LEVEL_DEBUG, "Skipping*not JSON"), ==, 1);
  g_assert_cmpuint (sp_test_log_capture_count (capture, G_LOG_LEVEL_MESSAGE, "Connected to *"), ==, 1);
  g_assert_cmpuint (sp_test_log_capture_count (capture, G_LOG_LEVEL_WARNING, NULL), ==, 0);
  g_assert_cmpuint (sp_test_log_capture_count (all, G_LOG_LEVEL_DEBUG, "unrelated"), ==, 1);
  g_assert_true (sp_test_log_capture_wait_for (capture, 0, "Connected*", 100));

  sp_test_log_capture_clear (capture);
  g_assert_cmpuint (sp_test_log_capture_count (capture, 0, NULL), ==, 0);
  g_assert_false (sp_test_log_capture_wait_for (capture, 0, NULL, 50));
}

/* The popup-notifier server, seen by a raw client in a thread of its own (sync I/O there,
 * while this thread runs the server) */

typedef struct
{
  guint16        port;
  char          *request;
  guint          n_frames;
  gboolean       send_ping_and_close;
  gboolean       hold;         /* after the response, read nothing until released */
  int            release;

  int            responded;
  int            sent;         /* the ping and close frames are out */
  int            done;
  int            n_payload_bytes;
  char          *response;
  GPtrArray     *frames;       /* (element-type GBytes): whole frames, header included */
  gboolean       end_of_stream;
} RawClient;

static char *
make_upgrade_request (const char *path,
                      const char *key)
{
  return g_strdup_printf ("GET %s HTTP/1.1\r\n"
                          "Host: 127.0.0.1\r\n"
                          "Upgrade: websocket\r\n"
                          "Connection: Upgrade\r\n"
                          "Sec-WebSocket-Key: %s\r\n"
                          "Sec-WebSocket-Version: 13\r\n"
                          "\r\n",
                          path, key);
}

static RawClient *
raw_client_new (guint16     port,
                const char *request,
                guint       n_frames)
{
  RawClient *raw = g_new0 (RawClient, 1);

  raw->port = port;
  raw->request = g_strdup (request);
  raw->n_frames = n_frames;
  raw->frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  return raw;
}

static void
raw_client_free (RawClient *raw)
{
  g_free (raw->request);
  g_free (raw->response);
  g_ptr_array_unref (raw->frames);
  g_free (raw);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RawClient, raw_client_free)

static gboolean
read_exactly (GInputStream *input,
              guint8       *buffer,
              gsize         size)
{
  gsize n_read = 0;

  return g_input_stream_read_all (input, buffer, size, &n_read, NULL, NULL) && n_read == size;
}

static void
write_masked_frame (GOutputStream *output,
                    guint8         opcode,
                    const guint8  *payload,
                    gsize          size)
{
  static const guint8 mask[4] = { 0x12, 0x34, 0x56, 0x78 };
  guint8 frame[2 + 4 + 125];

  g_assert_cmpuint (size, <=, 125);
  frame[0] = 0x80 | opcode;
  frame[1] = 0x80 | (guint8) size;
  memcpy (frame + 2, mask, 4);
  for (gsize i = 0; i < size; i++)
    frame[6 + i] = payload[i] ^ mask[i % 4];

  g_assert_true (g_output_stream_write_all (output, frame, 6 + size, NULL, NULL, NULL));
}

static gpointer
raw_client_thread (gpointer user_data)
{
  RawClient *raw = user_data;
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GString) response = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  GInputStream *input;
  GOutputStream *output;
  const char *content_length;

  connection = g_socket_client_connect_to_host (socket_client, "127.0.0.1", raw->port, NULL,
                                                &error);
  g_assert_no_error (error);
  input = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  output = g_io_stream_get_output_stream (G_IO_STREAM (connection));

  g_assert_true (g_output_stream_write_all (output, raw->request, strlen (raw->request), NULL,
                                            NULL, NULL));

  while (!g_str_has_suffix (response->str, "\r\n\r\n"))
    {
      guint8 c;

      if (!read_exactly (input, &c, 1))
        break;
      g_string_append_c (response, (char) c);
    }

  content_length = strstr (response->str, "Content-Length: ");
  if (content_length != NULL)
    {
      gsize length = g_ascii_strtoull (content_length + strlen ("Content-Length: "), NULL, 10);
      g_autofree guint8 *body = g_malloc0 (length + 1);

      g_assert_true (read_exactly (input, body, length));
      g_string_append_len (response, (const char *) body, length);
    }

  raw->response = g_strdup (response->str);
  g_atomic_int_set (&raw->responded, 1);

  if (raw->send_ping_and_close)
    {
      static const guint8 close_payload[2] = { 0x03, 0xe8 };

      write_masked_frame (output, 0x9, (const guint8 *) "are you there?", 14);
      write_masked_frame (output, 0x8, close_payload, sizeof close_payload);
      g_atomic_int_set (&raw->sent, 1);
    }

  while (raw->hold && !g_atomic_int_get (&raw->release))
    g_usleep (10 * 1000);

  for (guint i = 0; i < raw->n_frames; i++)
    {
      guint8 header[10];
      gsize header_len = 2;
      guint64 length;
      guint8 *frame;

      if (!read_exactly (input, header, 2))
        {
          raw->end_of_stream = TRUE;
          break;
        }

      length = header[1] & 0x7f;
      if (length == 126)
        header_len = 4;
      else if (length == 127)
        header_len = 10;
      g_assert_true (read_exactly (input, header + 2, header_len - 2));

      if (length == 126)
        length = ((guint64) header[2] << 8) | header[3];
      else if (length == 127)
        for (guint j = 0, shift = 56; j < 8; j++, shift -= 8)
          length = (j == 0 ? 0 : length) | ((guint64) header[2 + j] << shift);

      frame = g_malloc (header_len + length);
      memcpy (frame, header, header_len);
      g_assert_true (read_exactly (input, frame + header_len, length));
      g_atomic_int_add (&raw->n_payload_bytes, (int) length);
      g_ptr_array_add (raw->frames, g_bytes_new_take (frame, header_len + length));
    }

  if (raw->n_frames == 0 && !raw->hold)
    {
      guint8 c;

      /* Wait for the server to end the connection. */
      raw->end_of_stream = !read_exactly (input, &c, 1);
    }

  g_atomic_int_set (&raw->done, 1);

  return NULL;
}

static GThread *
raw_client_start (RawClient *raw)
{
  return g_thread_new ("raw-client", raw_client_thread, raw);
}

static void
raw_client_finish (RawClient *raw,
                   GThread   *thread)
{
  g_assert_true (sp_test_wait_until (flag_set, &raw->done, TIMEOUT_MS));
  g_thread_join (thread);
}

/* The example of RFC 6455, section 1.3. */
#define RFC_KEY "dGhlIHNhbXBsZSBub25jZQ=="
#define RFC_ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

static void
test_server_handshake (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpTestPopupServer) server = sp_test_popup_server_new (0, &error);
  g_autofree char *request = make_upgrade_request ("/crmws", RFC_KEY);
  g_autofree char *url = NULL;
  g_autoptr(RawClient) raw = NULL;
  GThread *thread;

  g_assert_no_error (error);
  url = sp_test_popup_server_dup_ws_url (server);
  g_assert_true (g_str_has_prefix (url, "ws://127.0.0.1:"));
  g_assert_true (g_str_has_suffix (url, "/crmws"));

  raw = raw_client_new (sp_test_popup_server_get_port (server), request, 1);
  thread = raw_client_start (raw);
  g_assert_true (sp_test_popup_server_wait_for_clients (server, 1, TIMEOUT_MS));
  g_assert_true (sp_test_wait_until (flag_set, &raw->responded, TIMEOUT_MS));
  g_assert_cmpstr (raw->response, ==,
                   "HTTP/1.1 101 Switching Protocols\r\n"
                   "Upgrade: websocket\r\n"
                   "Connection: Upgrade\r\n"
                   "Sec-WebSocket-Accept: " RFC_ACCEPT "\r\n"
                   "\r\n");
  g_assert_cmpuint (sp_test_popup_server_get_n_handshakes (server), ==, 1);

  sp_test_popup_server_broadcast_call_in (server, "0312345678", "201");
  raw_client_finish (raw, thread);

  g_assert_cmpuint (raw->frames->len, ==, 1);
  {
    static const char expected[] = "\x81\x3e{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"0312345678\",\"exten\":\"201\"}}";
    GBytes *frame = g_ptr_array_index (raw->frames, 0);

    g_assert_cmpmem (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame),
                     expected, sizeof expected - 1);
  }
}

/* Frames of every length form reach a raw client byte for byte: 7-bit up to 125, 16-bit up
 * to 65535, 64-bit above. */
static void
test_server_frame_lengths (void)
{
  static const gsize sizes[] = { 0, 1, 125, 126, 127, 65535, 65536, 10 * 1024 * 1024 };
  g_autoptr(GError) error = NULL;
  g_autoptr(SpTestPopupServer) server = sp_test_popup_server_new (0, &error);
  g_autofree char *request = make_upgrade_request ("/crmws", RFC_KEY);
  g_autoptr(RawClient) raw = NULL;
  g_autofree char *payload = NULL;
  GThread *thread;

  g_assert_no_error (error);
  payload = g_malloc (sizes[G_N_ELEMENTS (sizes) - 1]);
  for (gsize i = 0; i < sizes[G_N_ELEMENTS (sizes) - 1]; i++)
    payload[i] = 'a' + i % 26;

  raw = raw_client_new (sp_test_popup_server_get_port (server), request, G_N_ELEMENTS (sizes));
  thread = raw_client_start (raw);
  g_assert_true (sp_test_popup_server_wait_for_clients (server, 1, TIMEOUT_MS));

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    sp_test_popup_server_broadcast (server, payload, sizes[i]);
  raw_client_finish (raw, thread);

  g_assert_cmpuint (raw->frames->len, ==, G_N_ELEMENTS (sizes));
  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      GBytes *frame = g_ptr_array_index (raw->frames, i);
      const guint8 *data = g_bytes_get_data (frame, NULL);
      gsize header_len = sizes[i] < 126 ? 2 : sizes[i] <= 65535 ? 4 : 10;

      g_assert_cmpuint (g_bytes_get_size (frame), ==, header_len + sizes[i]);
      /* FIN, text, unmasked. */
      g_assert_cmphex (data[0], ==, 0x81);
      g_assert_cmphex (data[1] & 0x80, ==, 0);
      if (header_len == 2)
        g_assert_cmpuint (data[1], ==, sizes[i]);
      else if (header_len == 4)
        g_assert_cmpuint (data[1], ==, 126);
      else
        g_assert_cmpuint (data[1], ==, 127);
      g_assert_true (memcmp (data + header_len, payload, sizes[i]) == 0);
    }
}

/* The daemon never reads: a ping gets no pong, a close frame gets no answer and does not
 * stop the broadcasts. */
static void
test_server_never_reads (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpTestPopupServer) server = sp_test_popup_server_new (0, &error);
  g_autofree char *request = make_upgrade_request ("/crmws", RFC_KEY);
  g_autoptr(RawClient) raw = NULL;
  GThread *thread;
  GBytes *frame;

  g_assert_no_error (error);
  raw = raw_client_new (sp_test_popup_server_get_port (server), request, 1);
  raw->send_ping_and_close = TRUE;
  thread = raw_client_start (raw);
  g_assert_true (sp_test_popup_server_wait_for_clients (server, 1, TIMEOUT_MS));
  g_assert_true (sp_test_wait_until (flag_set, &raw->sent, TIMEOUT_MS));

  sp_test_run_for (300);
  g_assert_cmpint (g_atomic_int_get (&raw->n_payload_bytes), ==, 0);
  g_assert_false (g_atomic_int_get (&raw->done));
  g_assert_cmpuint (sp_test_popup_server_get_n_clients (server), ==, 1);

  sp_test_popup_server_broadcast (server, "after close", -1);
  raw_client_finish (raw, thread);
  g_assert_cmpuint (raw->frames->len, ==, 1);
  frame = g_ptr_array_index (raw->frames, 0);
  g_assert_cmpmem (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame),
                   "\x81\x0b" "after close", 13);
}

static void
test_server_broadcast_all (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpTestPopupServer) server = sp_test_popup_server_new (0, &error);
  g_autofree char *request = make_upgrade_request ("/crmws", RFC_KEY);
  g_autoptr(RawClient) first = NULL;
  g_autoptr(RawClient) second = NULL;
  GThread *first_thread;
  GThread *second_thread;

  g_assert_no_error (error);
  first = raw_client_new (sp_test_popup_server_get_port (server), request, 2);
  second = raw_client_new (sp_test_popup_server_get_port (server), request, 2);
  first_thread = raw_client_start (first);
  second_thread = raw_client_start (second);
  g_assert_true (sp_test_popup_server_wait_for_clients (server, 2, TIMEOUT_MS));

  sp_test_popup_server_broadcast_call_in (server, "1", "201");
  sp_test_popup_server_broadcast_call_in (server, "2", NULL);
  raw_client_finish (first, first_thread);
  raw_client_finish (second, second_thread);

  for (guint i = 0; i < 2; i++)
    {
      RawClient *raw = i == 0 ? first : second;
      GBytes *frame;

      g_assert_cmpuint (raw->frames->len, ==, 2);
      frame = g_ptr_array_index (raw->frames, 0);
      g_assert_cmpmem ((const char *) g_bytes_get_data (frame, NULL) + 2, g_bytes_get_size (frame) - 2,
                       "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"1\",\"exten\":\"201\"}}", 53);
      frame = g_ptr_array_index (raw->frames, 1);
      /* exten is always present, empty when the trigger had none. */
      g_assert_cmpmem ((const char *) g_bytes_get_data (frame, NULL) + 2, g_bytes_get_size (frame) - 2,
                       "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"2\",\"exten\":\"\"}}", 50);
    }
}

static void
check_error_response (SpTestPopupServer *server,
                      const char        *request,
                      const char        *status_line,
                      const char        *body)
{
  g_autoptr(RawClient) raw = raw_client_new (sp_test_popup_server_get_port (server), request, 0);
  GThread *thread = raw_client_start (raw);

  raw_client_finish (raw, thread);
  g_test_message ("%s", raw->response);
  g_assert_true (g_str_has_prefix (raw->response, status_line));
  g_assert_true (g_str_has_suffix (raw->response, body));
  /* The server closed the connection after the answer. */
  g_assert_true (raw->end_of_stream);
  g_assert_cmpuint (sp_test_popup_server_get_n_clients (server), ==, 0);
}

static void
test_server_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpTestPopupServer) server = sp_test_popup_server_new (0, &error);
  g_autofree char *wrong_path = make_upgrade_request ("/ws", RFC_KEY);
  g_autofree char *bad_key = make_upgrade_request ("/crmws", "short");
  g_autofree char *with_query = make_upgrade_request ("/crmws?x=1", RFC_KEY);
  g_autoptr(RawClient) raw = NULL;
  GThread *thread;

  g_assert_no_error (error);

  check_error_response (server, wrong_path, "HTTP/1.1 404 Not Found\r\n", "\r\n\r\n404 page not found\n");
  check_error_response (server, "GET /crmws HTTP/1.1\r\nHost: x\r\n\r\n",
                        "HTTP/1.1 400 Bad Request\r\n", "\r\n\r\nBad Request\n");
  check_error_response (server, bad_key, "HTTP/1.1 400 Bad Request\r\n", "\r\n\r\nBad Request\n");
  check_error_response (server,
                        "POST /crmws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        "Sec-WebSocket-Key: " RFC_KEY "\r\nSec-WebSocket-Version: 13\r\n\r\n",
                        "HTTP/1.1 405 Method Not Allowed\r\n", "\r\n\r\nMethod Not Allowed\n");
  check_error_response (server, "garbage\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n", "400 Bad Request\n");

  /* A query string does not change the path. */
  raw = raw_client_new (sp_test_popup_server_get_port (server), with_query, 0);
  thread = raw_client_start (raw);
  g_assert_true (sp_test_popup_server_wait_for_clients (server, 1, TIMEOUT_MS));
  g_assert_true (sp_test_wait_until (flag_set, &raw->responded, TIMEOUT_MS));
  g_assert_true (g_str_has_prefix (raw->response, "HTTP/1.1 101 "));
  sp_test_popup_server_stop (server);
  raw_client_finish (raw, thread);
}

static void
test_server_acl (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpTestPopupServer) server = sp_test_popup_server_new (0, &error);
  g_autofree char *request = make_upgrade_request ("/crmws", RFC_KEY);
  g_autoptr(SpTestAcl) acl = NULL;
  g_autoptr(GInetAddress) v4 = g_inet_address_new_from_string ("10.1.2.3");
  g_autoptr(GInetAddress) mapped = g_inet_address_new_from_string ("::ffff:10.1.2.3");
  g_autoptr(GInetAddress) other = g_inet_address_new_from_string ("192.168.1.1");
  g_autoptr(GInetAddress) v6 = g_inet_address_new_from_string ("fd00::1");
  g_autoptr(GInetAddress) loopback6 = g_inet_address_new_from_string ("::1");

  g_assert_no_error (error);

  /* The daemon's list semantics. */
  acl = sp_test_acl_new ("10.0.0.0/8, ::1 ,fd00::/8", &error);
  g_assert_no_error (error);
  g_assert_true (sp_test_acl_allows (acl, v4));
  g_assert_true (sp_test_acl_allows (acl, mapped));
  g_assert_false (sp_test_acl_allows (acl, other));
  g_assert_true (sp_test_acl_allows (acl, v6));
  g_assert_true (sp_test_acl_allows (acl, loopback6));
  g_clear_pointer (&acl, sp_test_acl_free);

  acl = sp_test_acl_new ("", &error);
  g_assert_no_error (error);
  g_assert_false (sp_test_acl_allows (acl, v4));
  g_assert_false (sp_test_acl_allows (acl, loopback6));
  g_clear_pointer (&acl, sp_test_acl_free);

  g_assert_true (sp_test_acl_allows (NULL, other));

  g_assert_null (sp_test_acl_new ("10.0.0.0/33", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_null (sp_test_acl_new ("pbx.example.com", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* A refused client gets the daemon's 403 instead of the upgrade. */
  sp_test_popup_server_set_acl_deny (server, TRUE);
  check_error_response (server, request, "HTTP/1.1 403 Forbidden\r\n",
                        "\r\n\r\nForbidden (ACL)\n");
  sp_test_popup_server_set_acl (server, sp_test_acl_new ("192.168.0.0/16", NULL));
  check_error_response (server, request, "HTTP/1.1 403 Forbidden\r\n",
                        "\r\n\r\nForbidden (ACL)\n");

  /* A peer in the list is upgraded. */
  sp_test_popup_server_set_acl (server, sp_test_acl_new ("127.0.0.1", NULL));
  {
    g_autoptr(RawClient) raw = raw_client_new (sp_test_popup_server_get_port (server), request, 0);
    GThread *thread = raw_client_start (raw);

    g_assert_true (sp_test_popup_server_wait_for_clients (server, 1, TIMEOUT_MS));
    sp_test_popup_server_stop (server);
    raw_client_finish (raw, thread);
    g_assert_true (g_str_has_prefix (raw->response, "HTTP/1.1 101 "));
  }
}

/* Stopping drops every client at once (no close frame); a new server can take the port
 * right away. */
static void
test_server_stop_restart (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpTestPopupServer) server = sp_test_popup_server_new (0, &error);
  g_autofree char *request = make_upgrade_request ("/crmws", RFC_KEY);
  g_autoptr(RawClient) raw = NULL;
  g_autoptr(RawClient) again = NULL;
  GThread *thread;
  guint16 port;

  g_assert_no_error (error);
  port = sp_test_popup_server_get_port (server);

  raw = raw_client_new (port, request, 1);
  raw->send_ping_and_close = TRUE;
  thread = raw_client_start (raw);
  g_assert_true (sp_test_popup_server_wait_for_clients (server, 1, TIMEOUT_MS));
  g_assert_true (sp_test_wait_until (flag_set, &raw->sent, TIMEOUT_MS));
  sp_test_popup_server_stop (server);
  raw_client_finish (raw, thread);
  g_assert_true (raw->end_of_stream);
  g_assert_cmpuint (raw->frames->len, ==, 0);
  g_assert_cmpuint (sp_test_popup_server_get_n_clients (server), ==, 0);

  /* Broadcasting on a stopped server is harmless. */
  sp_test_popup_server_broadcast_call_in (server, "1", "2");
  g_clear_pointer (&server, sp_test_popup_server_free);

  server = sp_test_popup_server_new (port, &error);
  g_assert_no_error (error);
  again = raw_client_new (port, request, 1);
  thread = raw_client_start (again);
  g_assert_true (sp_test_popup_server_wait_for_clients (server, 1, TIMEOUT_MS));
  sp_test_popup_server_broadcast_call_in (server, "1", "2");
  raw_client_finish (again, thread);
  g_assert_cmpuint (again->frames->len, ==, 1);
}

/* A client that reads nothing: once the kernel buffers are full its queue fills, and then
 * the hub blocks for good, as the daemon's does. */
static void
test_server_hang (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpTestPopupServer) server = sp_test_popup_server_new (0, &error);
  g_autofree char *request = make_upgrade_request ("/crmws", RFC_KEY);
  g_autoptr(RawClient) raw = NULL;
  g_autofree char *big = g_malloc0 (1024 * 1024 + 1);
  GThread *thread;

  g_assert_no_error (error);
  memset (big, 'x', 1024 * 1024);

  /* This client reads its response, then nothing until released. */
  raw = raw_client_new (sp_test_popup_server_get_port (server), request, 0);
  raw->hold = TRUE;
  thread = raw_client_start (raw);
  g_assert_true (sp_test_popup_server_wait_for_clients (server, 1, TIMEOUT_MS));
  g_assert_true (sp_test_wait_until (flag_set, &raw->responded, TIMEOUT_MS));

  g_test_expect_message ("sp-test-popup-server", G_LOG_LEVEL_MESSAGE, "*the hub is blocked*");
  for (guint i = 0; i < SP_TEST_POPUP_SERVER_QUEUE_SIZE + 64 && !sp_test_popup_server_is_hung (server); i++)
    {
      sp_test_popup_server_broadcast (server, big, -1);
      sp_test_run_for (1);
    }
  g_test_assert_expected_messages ();
  g_assert_true (sp_test_popup_server_is_hung (server));

  /* From now on nothing goes anywhere, not even to a new client. */
  {
    g_autoptr(RawClient) late = raw_client_new (sp_test_popup_server_get_port (server), request, 0);
    GThread *late_thread;

    late->hold = TRUE;
    late_thread = raw_client_start (late);
    g_assert_true (sp_test_wait_until (flag_set, &late->responded, TIMEOUT_MS));
    g_assert_true (g_str_has_prefix (late->response, "HTTP/1.1 101 "));
    g_assert_cmpuint (sp_test_popup_server_get_n_handshakes (server), ==, 2);
    g_assert_cmpuint (sp_test_popup_server_get_n_clients (server), ==, 1);
    g_atomic_int_set (&late->release, 1);
    raw_client_finish (late, late_thread);
  }

  sp_test_popup_server_stop (server);
  g_atomic_int_set (&raw->release, 1);
  raw_client_finish (raw, thread);
}

/* The JSON is Go's: <, > and & escaped, U+2028 escaped, bytes that are not UTF-8 become
 * U+FFFD, and our parser reads back what was sent. */
static void
test_server_call_in_json (void)
{
  static const struct {
    const char *phone;
    const char *exten;
    const char *json;
  } cases[] = {
    { "0312345678", "201", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"0312345678\",\"exten\":\"201\"}}" },
    { "<b>&amp;</b>", NULL, "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"\\u003cb\\u003e\\u0026amp;\\u003c/b\\u003e\",\"exten\":\"\"}}" },
    { "a\"b\\c", "2", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"a\\\"b\\\\c\",\"exten\":\"2\"}}" },
    { "1\n2\t3\x01", "", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"1\\n2\\t3\\u0001\",\"exten\":\"\"}}" },
    { "山田\xe2\x80\xa8", "", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"山田\\u2028\",\"exten\":\"\"}}" },
    { "0\xff" "1", "", "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"0\\ufffd1\",\"exten\":\"\"}}" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = sp_test_popup_build_call_in (cases[i].phone, -1, cases[i].exten, -1);

      g_assert_cmpstr (json, ==, cases[i].json);
    }

  {
    g_autofree char *json = sp_test_popup_build_call_in ("<0312>", -1, "201", -1);
    g_autoptr(GError) error = NULL;
    SpPopupCallIn call = { NULL, NULL };

    g_assert_true (sp_popup_notifier_parse (json, strlen (json), &call, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (call.phone, ==, "<0312>");
    g_assert_cmpstr (call.exten, ==, "201");
    sp_popup_call_in_clear (&call);
  }
}

/* libsoup's WebSocket client, which the source uses, against the server. */

typedef struct
{
  SoupWebsocketConnection *connection;
  GError                  *error;
  GPtrArray               *messages;  /* (element-type GBytes) */
  gboolean                 closed;
} SoupClient;

static void
on_soup_message (SoupWebsocketConnection *connection,
                 int                      type,
                 GBytes                  *message,
                 gpointer                 user_data)
{
  SoupClient *client = user_data;

  g_assert_cmpint (type, ==, SOUP_WEBSOCKET_DATA_TEXT);
  g_ptr_array_add (client->messages, g_bytes_ref (message));
}

static void
on_soup_closed (SoupWebsocketConnection *connection,
                gpointer                 user_data)
{
  SoupClient *client = user_data;

  client->closed = TRUE;
}

static void
on_soup_connected (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  SoupClient *client = user_data;

  client->connection = soup_session_websocket_connect_finish (SOUP_SESSION (object), result,
                                                              &client->error);
  if (client->connection != NULL)
    {
      g_signal_connect (client->connection, "message", G_CALLBACK (on_soup_message), client);
      g_signal_connect (client->connection, "closed", G_CALLBACK (on_soup_closed), client);
    }
}

static gboolean
soup_client_ready (gpointer user_data)
{
  SoupClient *client = user_data;

  return client->connection != NULL || client->error != NULL;
}

static gboolean
soup_client_has_messages (gpointer user_data)
{
  SoupClient *client = user_data;

  return client->messages->len >= 2 || client->closed;
}

static gboolean
soup_client_closed (gpointer user_data)
{
  SoupClient *client = user_data;

  return client->closed;
}

static void
soup_client_connect (SoupSession       *session,
                     SpTestPopupServer *server,
                     SoupClient        *client)
{
  g_autofree char *url = sp_test_popup_server_dup_ws_url (server);
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);

  client->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  soup_session_websocket_connect_async (session, message, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_soup_connected, client);
  g_assert_true (sp_test_wait_until (soup_client_ready, client, TIMEOUT_MS));
}

static void
soup_client_clear (SoupClient *client)
{
  g_clear_object (&client->connection);
  g_clear_error (&client->error);
  g_clear_pointer (&client->messages, g_ptr_array_unref);
}

static void
test_server_libsoup (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpTestPopupServer) server = sp_test_popup_server_new (0, &error);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *huge = g_malloc (10 * 1024 * 1024 + 1);
  SoupClient client = { NULL };

  g_assert_no_error (error);
  memset (huge, 'x', 10 * 1024 * 1024);
  huge[10 * 1024 * 1024] = '\0';

  soup_client_connect (session, server, &client);
  g_assert_no_error (client.error);
  g_assert_true (sp_test_popup_server_wait_for_clients (server, 1, TIMEOUT_MS));

  /* Keep-alive pings go unanswered, and that alone does not hurt (libsoup 3.2 has no pong
   * timeout). A large frame only arrives when the client lifts libsoup's default limit of
   * 128 KiB; the source must do so, or a 10 MB frame costs it the connection. */
  soup_websocket_connection_set_keepalive_interval (client.connection, 1);
  soup_websocket_connection_set_max_incoming_payload_size (client.connection, 0);
  sp_test_popup_server_broadcast (server, huge, -1);
  sp_test_popup_server_broadcast_call_in (server, "0312345678", "201");
  g_assert_true (sp_test_wait_until (soup_client_has_messages, &client, TIMEOUT_MS));
  g_assert_false (client.closed);
  g_assert_cmpuint (g_bytes_get_size (g_ptr_array_index (client.messages, 0)), ==, 10 * 1024 * 1024);
  g_assert_cmpmem (g_bytes_get_data (g_ptr_array_index (client.messages, 1), NULL),
                   g_bytes_get_size (g_ptr_array_index (client.messages, 1)),
                   "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"0312345678\",\"exten\":\"201\"}}", 62);

  sp_test_run_for (2500);
  g_assert_false (client.closed);
  g_assert_cmpint (soup_websocket_connection_get_state (client.connection), ==, SOUP_WEBSOCKET_STATE_OPEN);

  /* The server going away is noticed. */
  sp_test_popup_server_stop (server);
  g_assert_true (sp_test_wait_until (soup_client_closed, &client, TIMEOUT_MS));
  soup_client_clear (&client);
}

/* What happens to a client that keeps libsoup's default limit. */
static void
test_server_libsoup_default_limit (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpTestPopupServer) server = sp_test_popup_server_new (0, &error);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *big = g_malloc (200 * 1024 + 1);
  SoupClient client = { NULL };

  g_assert_no_error (error);
  memset (big, 'x', 200 * 1024);
  big[200 * 1024] = '\0';

  soup_client_connect (session, server, &client);
  g_assert_no_error (client.error);
  g_assert_cmpuint (soup_websocket_connection_get_max_incoming_payload_size (client.connection),
                    ==, 128 * 1024);
  g_assert_true (sp_test_popup_server_wait_for_clients (server, 1, TIMEOUT_MS));

  /* libsoup logs the oversized frame at debug level and starts a close handshake that this
   * server never completes; the connection ends when libsoup gives up waiting. */
  sp_test_popup_server_broadcast (server, big, -1);
  g_assert_true (sp_test_wait_until (soup_client_closed, &client, TIMEOUT_MS));
  g_assert_cmpuint (client.messages->len, ==, 0);
  soup_client_clear (&client);
}

/* The standalone server, as a person runs it: the trigger's check order and the
 * broadcast it causes. */

typedef struct
{
  GSubprocess *process;
  guint16      trigger_port;
  char        *ws_url;
} Standalone;

/* A server left behind by a failed test would keep meson waiting on its output. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static GSubprocess *
spawn_standalone (const char * const  *argv,
                  GSubprocessFlags     flags,
                  GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);

  return g_subprocess_launcher_spawnv (launcher, argv, error);
}

static gboolean
standalone_start (Standalone  *standalone,
                  const char **extra_args)
{
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, "servers", "popup-notifier-server", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) output = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("popup-notifier-server is not built");
      return FALSE;
    }

  g_ptr_array_add (argv, path);
  g_ptr_array_add (argv, (char *) "--bind=127.0.0.1");
  for (guint i = 0; extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) extra_args[i]);
  g_ptr_array_add (argv, NULL);

  standalone->process = spawn_standalone ((const char * const *) argv->pdata,
                                          G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);

  /* It prints where it listens, trigger first; the child is another process, so reading
   * synchronously here blocks nothing it needs. */
  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (standalone->process));
  while (standalone->ws_url == NULL)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (output, NULL, NULL, &error);
      const char *http;

      g_assert_no_error (error);
      g_assert_nonnull (line);
      if ((http = strstr (line, "http://127.0.0.1:")) != NULL)
        standalone->trigger_port = g_ascii_strtoull (http + strlen ("http://127.0.0.1:"), NULL, 10);
      else if (g_str_has_prefix (line, "Clients: "))
        standalone->ws_url = g_strdup (line + strlen ("Clients: "));
    }
  g_assert_cmpuint (standalone->trigger_port, >, 0);

  return TRUE;
}

static void
standalone_stop (Standalone *standalone)
{
  g_autoptr(GError) error = NULL;

  if (standalone->process == NULL)
    return;

  g_subprocess_send_signal (standalone->process, SIGTERM);
  g_subprocess_wait (standalone->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (standalone->process));
  g_assert_cmpint (g_subprocess_get_exit_status (standalone->process), ==, 0);
  g_clear_object (&standalone->process);
  g_clear_pointer (&standalone->ws_url, g_free);
}

typedef struct
{
  guint   status;
  GBytes *body;
  gboolean done;
} Reply;

static void
on_sent (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Reply *reply = user_data;
  g_autoptr(GError) error = NULL;

  reply->body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  g_assert_no_error (error);
  reply->status = soup_message_get_status (soup_session_get_async_result_message (SOUP_SESSION (object), result));
  reply->done = TRUE;
}

static gboolean
reply_done (gpointer user_data)
{
  return ((Reply *) user_data)->done;
}

/* Asynchronous, so that a reply that never comes (the hub hang) cannot block the test. */
static char *
http_request (SoupSession *session,
              const char  *method,
              guint16      port,
              const char  *path_and_query,
              guint       *status)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u%s", port, path_and_query);
  g_autoptr(SoupMessage) message = soup_message_new (method, url);
  Reply reply = { 0 };
  char *body;

  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL, on_sent, &reply);
  g_assert_true (sp_test_wait_until (reply_done, &reply, TIMEOUT_MS));

  *status = reply.status;
  body = g_strndup (g_bytes_get_data (reply.body, NULL), g_bytes_get_size (reply.body));
  g_bytes_unref (reply.body);

  return body;
}

static void
assert_http (SoupSession *session,
             const char  *method,
             guint16      port,
             const char  *path_and_query,
             guint        expected_status,
             const char  *expected_body)
{
  guint status = 0;
  g_autofree char *body = http_request (session, method, port, path_and_query, &status);

  g_test_message ("%s %s → %u %s", method, path_and_query, status, body);
  g_assert_cmpuint (status, ==, expected_status);
  g_assert_cmpstr (body, ==, expected_body);
}

static gboolean
soup_client_has_one (gpointer user_data)
{
  SoupClient *client = user_data;

  return client->messages->len >= 1 || client->closed;
}

static void
test_standalone_trigger (void)
{
  const char *args[] = { "--trigger-port=0", "--client-port=0", "--token=T", NULL };
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = NULL;
  Standalone standalone = { NULL };
  SoupClient client = { NULL };
  guint16 port;

  if (!standalone_start (&standalone, args))
    return;
  port = standalone.trigger_port;

  message = soup_message_new ("GET", standalone.ws_url);
  client.messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  soup_session_websocket_connect_async (session, message, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_soup_connected, &client);
  g_assert_true (sp_test_wait_until (soup_client_ready, &client, TIMEOUT_MS));
  g_assert_no_error (client.error);

  /* The daemon's order: method, address list, token, phone. */
  assert_http (session, "GET", port, "/api/trigger?token=T&phone=1", 405, "Method Not Allowed\n");
  assert_http (session, "POST", port, "/api/trigger?token=wrong&phone=1", 401, "Unauthorized\n");
  assert_http (session, "POST", port, "/api/trigger?phone=1", 401, "Unauthorized\n");
  assert_http (session, "POST", port, "/api/trigger?token=T&exten=201", 400, "Missing phone\n");
  assert_http (session, "POST", port, "/api/trigger?token=T&phone=&exten=201", 400, "Missing phone\n");
  assert_http (session, "POST", port, "/trigger?token=T&phone=1", 404, "404 page not found\n");
  g_assert_cmpuint (client.messages->len, ==, 0);

  /* The query string is decoded as Go does ('+' is a space); the frame is Go's JSON. */
  assert_http (session, "POST", port, "/api/trigger?phone=%2B81+3-1234%3C5%3E&exten=201&token=T",
               200, "OK");
  g_assert_true (sp_test_wait_until (soup_client_has_one, &client, TIMEOUT_MS));
  g_assert_cmpuint (client.messages->len, ==, 1);
  g_assert_cmpmem (g_bytes_get_data (g_ptr_array_index (client.messages, 0), NULL),
                   g_bytes_get_size (g_ptr_array_index (client.messages, 0)),
                   "{\"type\":\"CALL_IN\",\"data\":{\"phone\":\"+81 3-1234\\u003c5\\u003e\",\"exten\":\"201\"}}", 75);

  soup_client_clear (&client);
  standalone_stop (&standalone);
}

static void
test_standalone_acl (void)
{
  const char *args[] = { "--trigger-port=0", "--client-port=0", "--token=T",
                         "--trigger-allow=10.0.0.0/8", "--crmws-allow=192.168.1.1", NULL };
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = NULL;
  Standalone standalone = { NULL };
  SoupClient client = { NULL };

  if (!standalone_start (&standalone, args))
    return;

  /* The method is checked before the address list, the address list before the token. */
  assert_http (session, "GET", standalone.trigger_port, "/api/trigger?token=T&phone=1", 405,
               "Method Not Allowed\n");
  assert_http (session, "POST", standalone.trigger_port, "/api/trigger?token=wrong&phone=1", 403,
               "Forbidden (ACL)\n");

  message = soup_message_new ("GET", standalone.ws_url);
  client.messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  soup_session_websocket_connect_async (session, message, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_soup_connected, &client);
  g_assert_true (sp_test_wait_until (soup_client_ready, &client, TIMEOUT_MS));
  g_assert_nonnull (client.error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 403);

  soup_client_clear (&client);
  standalone_stop (&standalone);
}

/* The daemon's configuration file; an empty allow-list denies everyone. */
static void
test_standalone_config (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *config_arg = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = NULL;
  guint16 trigger_port = sp_test_find_free_port ();
  guint16 client_port = sp_test_find_free_port ();
  const char *args[] = { NULL, NULL };
  Standalone standalone = { NULL };
  SoupClient client = { NULL };
  int fd;

  fd = g_file_open_tmp ("popup-notifier-XXXXXX.conf", &config, &error);
  g_assert_no_error (error);
  close (fd);
  contents = g_strdup_printf ("# popup-notifier\n"
                              "HTTP_PORT=%u\n"
                              "CLIENT_PORT = %u\n"
                              "SECRET_TOKEN=s3cret\n"
                              "TRIGGER_ALLOW=127.0.0.1, ::1\n"
                              "CRMWS_ALLOW=\n",
                              trigger_port, client_port);
  g_file_set_contents (config, contents, -1, &error);
  g_assert_no_error (error);
  config_arg = g_strdup_printf ("--config=%s", config);
  args[0] = config_arg;

  if (!standalone_start (&standalone, args))
    return;
  g_assert_cmpuint (standalone.trigger_port, ==, trigger_port);

  assert_http (session, "POST", trigger_port, "/api/trigger?token=s3cret&phone=1", 200, "OK");

  message = soup_message_new ("GET", standalone.ws_url);
  client.messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  soup_session_websocket_connect_async (session, message, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_soup_connected, &client);
  g_assert_true (sp_test_wait_until (soup_client_ready, &client, TIMEOUT_MS));
  g_assert_nonnull (client.error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 403);

  soup_client_clear (&client);
  standalone_stop (&standalone);
  g_unlink (config);
}

/* Like the daemon, no token, no start. */
static void
test_standalone_no_token (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, "servers", "popup-notifier-server", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("popup-notifier-server is not built");
      return;
    }

  {
    const char *argv[] = { path, "--trigger-port=0", "--client-port=0", NULL };

    process = spawn_standalone (argv, G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  }
  g_assert_no_error (error);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), !=, 0);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  notify = sp_test_notify_start (NULL);

  g_test_add_func ("/harness/notify/libnotify", test_notify_libnotify);
  g_test_add_func ("/harness/notify/ids", test_notify_ids);
  g_test_add_func ("/harness/util/wait-until", test_util_wait_until);
  g_test_add_func ("/harness/util/free-port", test_util_free_port);
  g_test_add_func ("/harness/util/log-capture", test_util_log_capture);
  g_test_add_func ("/harness/popup-server/handshake", test_server_handshake);
  g_test_add_func ("/harness/popup-server/frame-lengths", test_server_frame_lengths);
  g_test_add_func ("/harness/popup-server/never-reads", test_server_never_reads);
  g_test_add_func ("/harness/popup-server/broadcast-all", test_server_broadcast_all);
  g_test_add_func ("/harness/popup-server/errors", test_server_errors);
  g_test_add_func ("/harness/popup-server/acl", test_server_acl);
  g_test_add_func ("/harness/popup-server/stop-restart", test_server_stop_restart);
  g_test_add_func ("/harness/popup-server/hang", test_server_hang);
  g_test_add_func ("/harness/popup-server/call-in-json", test_server_call_in_json);
  g_test_add_func ("/harness/popup-server/libsoup", test_server_libsoup);
  g_test_add_func ("/harness/popup-server/libsoup-default-limit", test_server_libsoup_default_limit);
  g_test_add_func ("/harness/standalone/trigger", test_standalone_trigger);
  g_test_add_func ("/harness/standalone/acl", test_standalone_acl);
  g_test_add_func ("/harness/standalone/config", test_standalone_config);
  g_test_add_func ("/harness/standalone/no-token", test_standalone_no_token);

  ret = g_test_run ();

  sp_test_notify_stop (notify);

  return ret;
}
