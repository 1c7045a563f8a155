/* pbxis-server.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A stand-in for pbxis-ws and the Asterisk behind it, for trying Screenpop by hand and for
 * poking at with curl. The HTTP side is the in-process test server; Asterisk is driven by
 * commands on standard input, one per line:
 *
 *   queue-call QUEUE AGENT NUMBER [NAME…]   a caller in QUEUE rings AGENT; prints the call id
 *   direct-call AGENT NUMBER                AGENT's extension rings; prints the call id
 *   answer CALL                             the agent picks up
 *   hangup CALL [TALK [HOLD]]               the call ends
 *   member QUEUE AGENT active|paused|loggedoff
 *   count QUEUE N
 *   queue QUEUE                             Asterisk has QUEUE (empty)
 *   stats QUEUE COMPLETED ABANDONED HOLD TALK   the queue's figures since its last reset
 *   summary                                 QueueSummary and MemberSummary, as every
 *                                           :summary-refresh-seconds
 *   name AGENT NAME…
 *   status AGENT not_inuse|inuse|ringing|…|null
 *   fail-next MESSAGE…                      the next queue action gets Asterisk's error
 *   raw JSON                                publish an event as it is
 *   originate connect|refused|no-pickup|no-answer [STEP-MS]
 *                                           what Asterisk does with the next originates
 *   dialplan FROM TO | dialplan off         the dialplan rewrites dialled numbers' prefix
 *   asterisk12 on|off                       no Bridge event: answered calls get no number
 *   restart | shutdown | quit
 *
 *   pbxis-server --port 58615 --unsub-delay 15000 --poll-timeout 30000
 *   curl -X POST -H 'Content-Type: application/json' -d '{"agents":["147"]}' \
 *        http://127.0.0.1:58615/ticket
 */

#define G_LOG_DOMAIN "pbxis-server"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "sp-test-pbxis-server.h"

typedef struct
{
  SpTestPbxisServer *server;
  GMainLoop         *loop;
  GString           *line;
} Tool;

static char *
rest_of (char **words,
         guint  from)
{
  return g_strv_length (words) > from ? g_strjoinv (" ", words + from) : NULL;
}

static void
run_command (Tool *tool,
             char *text)
{
  g_auto(GStrv) words = NULL;
  g_autofree char *rest = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GError) error = NULL;
  guint n;

  g_strstrip (text);
  if (*text == '\0' || *text == '#')
    return;

  words = g_strsplit_set (text, " \t", -1);
  n = g_strv_length (words);

  if (g_str_equal (words[0], "queue-call") && n >= 4)
    {
      rest = rest_of (words, 4);
      id = sp_test_pbxis_server_queue_call (tool->server, words[1], words[2], words[3], rest);
    }
  else if (g_str_equal (words[0], "direct-call") && n == 3)
    id = sp_test_pbxis_server_direct_call (tool->server, words[1], words[2]);
  else if (g_str_equal (words[0], "answer") && n == 2)
    sp_test_pbxis_server_answer (tool->server, words[1]);
  else if (g_str_equal (words[0], "hangup") && n >= 2)
    sp_test_pbxis_server_hangup (tool->server, words[1],
                                 n > 2 ? g_ascii_strtoll (words[2], NULL, 10) : 0,
                                 n > 3 ? g_ascii_strtoll (words[3], NULL, 10) : 0);
  else if (g_str_equal (words[0], "member") && n == 4)
    sp_test_pbxis_server_set_member (tool->server, words[1], words[2], words[3]);
  else if (g_str_equal (words[0], "count") && n == 3)
    sp_test_pbxis_server_set_queue_count (tool->server, words[1], g_ascii_strtoll (words[2], NULL, 10));
  else if (g_str_equal (words[0], "queue") && n == 2)
    sp_test_pbxis_server_add_queue (tool->server, words[1]);
  else if (g_str_equal (words[0], "stats") && n == 6)
    sp_test_pbxis_server_set_queue_stats (tool->server, words[1],
                                          g_ascii_strtoll (words[2], NULL, 10),
                                          g_ascii_strtoll (words[3], NULL, 10),
                                          g_ascii_strtoll (words[4], NULL, 10),
                                          g_ascii_strtoll (words[5], NULL, 10));
  else if (g_str_equal (words[0], "summary") && n == 1)
    sp_test_pbxis_server_publish_summaries (tool->server);
  else if (g_str_equal (words[0], "name") && n >= 3)
    {
      rest = rest_of (words, 2);
      sp_test_pbxis_server_set_agent_name (tool->server, words[1], rest);
    }
  else if (g_str_equal (words[0], "status") && n == 3)
    sp_test_pbxis_server_set_extension_status (tool->server, words[1],
                                               g_str_equal (words[2], "null") ? NULL : words[2]);
  else if (g_str_equal (words[0], "fail-next") && n >= 2)
    {
      rest = rest_of (words, 1);
      sp_test_pbxis_server_fail_next_action (tool->server, rest);
    }
  else if (g_str_equal (words[0], "raw") && n >= 2)
    {
      rest = rest_of (words, 1);
      sp_test_pbxis_server_publish_raw (tool->server, rest);
    }
  else if (g_str_equal (words[0], "originate") && (n == 2 || n == 3))
    {
      static const char *outcomes[] = { "connect", "refused", "no-pickup", "no-answer" };
      guint step_ms = n == 3 ? (guint) g_ascii_strtoull (words[2], NULL, 10) : 50;
      gboolean known = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (outcomes); i++)
        {
          if (g_str_equal (words[1], outcomes[i]))
            {
              sp_test_pbxis_server_set_originate (tool->server, (SpTestPbxisOriginate) i, step_ms);
              known = TRUE;
            }
        }
      if (!known)
        g_printerr ("Unknown originate outcome “%s”\n", words[1]);
    }
  else if (g_str_equal (words[0], "dialplan") && n == 2 && g_str_equal (words[1], "off"))
    sp_test_pbxis_server_set_dialplan_rewrite (tool->server, NULL, NULL);
  else if (g_str_equal (words[0], "dialplan") && n == 3)
    sp_test_pbxis_server_set_dialplan_rewrite (tool->server, words[1], words[2]);
  else if (g_str_equal (words[0], "asterisk12") && n == 2)
    sp_test_pbxis_server_set_asterisk12 (tool->server, g_str_equal (words[1], "on"));
  else if (g_str_equal (words[0], "restart"))
    {
      sp_test_pbxis_server_kill (tool->server);
      if (!sp_test_pbxis_server_start (tool->server, &error))
        g_printerr ("Could not start again: %s\n", error->message);
    }
  else if (g_str_equal (words[0], "shutdown"))
    sp_test_pbxis_server_shutdown (tool->server);
  else if (g_str_equal (words[0], "quit"))
    g_main_loop_quit (tool->loop);
  else
    g_printerr ("Unknown command “%s”; see the top of pbxis-server.c\n", text);

  if (id != NULL)
    g_print ("%s\n", id);
}

static gboolean
stdin_cb (gint         fd,
          GIOCondition condition,
          gpointer     user_data)
{
  Tool *tool = user_data;
  char buffer[4096];
  gssize n = read (fd, buffer, sizeof buffer);
  char *newline;

  if (n <= 0)
    {
      g_main_loop_quit (tool->loop);
      return G_SOURCE_REMOVE;
    }

  g_string_append_len (tool->line, buffer, n);
  while ((newline = memchr (tool->line->str, '\n', tool->line->len)) != NULL)
    {
      g_autofree char *text = g_strndup (tool->line->str, newline - tool->line->str);

      g_string_erase (tool->line, 0, newline - tool->line->str + 1);
      run_command (tool, text);
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  int port = 58615;
  int unsub_delay = 15000;
  int poll_timeout = 30000;
  GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Port on 127.0.0.1 (0 for any)", "PORT" },
    { "unsub-delay", 0, 0, G_OPTION_ARG_INT, &unsub_delay, "Ticket lifetime without a reader", "MS" },
    { "poll-timeout", 0, 0, G_OPTION_ARG_INT, &poll_timeout, "Long-poll timeout", "MS" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— pbxis-ws for tests");
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  Tool tool = { 0 };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }

  if (port < 0 || port > 65535 || unsub_delay <= 0 || poll_timeout <= 0)
    {
      g_printerr ("--port must be 0–65535, the times positive\n");
      return EXIT_FAILURE;
    }

  tool.server = sp_test_pbxis_server_new (port, &error);
  if (tool.server == NULL)
    {
      g_printerr ("Cannot listen on port %d: %s\n", port, error->message);
      return EXIT_FAILURE;
    }
  sp_test_pbxis_server_set_unsub_delay (tool.server, unsub_delay);
  sp_test_pbxis_server_set_poll_timeout (tool.server, poll_timeout);

  url = sp_test_pbxis_server_dup_url (tool.server);
  g_print ("Listening on %s\n", url);

  tool.loop = g_main_loop_new (NULL, FALSE);
  tool.line = g_string_new (NULL);
  g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP, stdin_cb, &tool);
  g_unix_signal_add (SIGINT, quit_cb, tool.loop);
  g_unix_signal_add (SIGTERM, quit_cb, tool.loop);

  g_main_loop_run (tool.loop);

  sp_test_pbxis_server_free (tool.server);
  g_main_loop_unref (tool.loop);
  g_string_free (tool.line, TRUE);

  return EXIT_SUCCESS;
}
