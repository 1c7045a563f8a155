/* sp-test-directory-servers.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real directory servers of the caller-id tests and benchmark, started on loopback:
 * OpenLDAP's slapd (servers/slapd/run-slapd), Radicale for CardDAV
 * (servers/radicale/run-radicale), the redmine test server (servers/redmine-rt/run-server)
 * and Evolution Data Server's registry and address-book factory. Each dies with the test
 * process (PR_SET_PDEATHSIG), so a failed assertion leaves nothing running.
 */

#include "config.h"

#include <signal.h>
#include <sys/prctl.h>

#include "sp-test-directory-servers.h"
#include "sp-test-util.h"

#define START_TIMEOUT_MS 30000

struct _SpTestDirectoryServer
{
  GPtrArray *processes;   /* (element-type GSubprocess) */
  char      *url;
  char      *dir;
};

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocess *
spawn (const char * const *argv,
       GSubprocessFlags    flags)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  return process;
}

/* The scripts are in the source tree; tests and benchmarks alike find it from here. */
static char *
script_path (const char *folder,
             const char *name)
{
  return g_build_filename (SP_TEST_SERVERS_DIR, folder, name, NULL);
}

guint16
sp_test_free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, address, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

gboolean
sp_test_port_open (guint16 port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
  return connection != NULL;
}

static gboolean
port_open_cb (gpointer data)
{
  return sp_test_port_open (GPOINTER_TO_UINT (data));
}

static SpTestDirectoryServer *
start_script (const char *folder,
              const char *name,
              const char *url_scheme,
              const char *url_path)
{
  g_autofree char *script = script_path (folder, name);
  g_autoptr(GError) error = NULL;
  SpTestDirectoryServer *self = g_new0 (SpTestDirectoryServer, 1);
  guint16 port = sp_test_free_port ();
  g_autofree char *port_arg = g_strdup_printf ("%u", port);
  g_autofree char *tmpl = g_strdup_printf ("screenpop-%s-XXXXXX", folder);

  self->dir = g_dir_make_tmp (tmpl, &error);
  g_assert_no_error (error);
  self->processes = g_ptr_array_new_with_free_func (g_object_unref);
  {
    const char *argv[] = { script, self->dir, port_arg, NULL };
    g_ptr_array_add (self->processes, spawn (argv, G_SUBPROCESS_FLAGS_NONE));
  }
  g_assert_true (sp_test_wait_until (port_open_cb, GUINT_TO_POINTER (port), START_TIMEOUT_MS));
  self->url = g_strdup_printf ("%s127.0.0.1:%u%s", url_scheme, port, url_path);

  return self;
}

/**
 * sp_test_slapd_start:
 *
 * slapd with the tree of servers/slapd/run-slapd. URL: ldap://127.0.0.1:PORT
 */
SpTestDirectoryServer *
sp_test_slapd_start (void)
{
  return start_script ("slapd", "run-slapd", "ldap://", "");
}

/**
 * sp_test_radicale_start:
 *
 * Radicale with the book of servers/radicale/run-radicale. URL: the address book's.
 */
SpTestDirectoryServer *
sp_test_radicale_start (void)
{
  return start_script ("radicale", "run-radicale", "http://", "/agent/contacts/");
}

/**
 * sp_test_redmine_start:
 *
 * The redmine test server (puma). URL: its base, http://127.0.0.1:PORT/
 */
SpTestDirectoryServer *
sp_test_redmine_start (void)
{
  g_autofree char *script = script_path ("redmine-rt", "run-server");
  const char *argv[] = { script, "--port=0", NULL };
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  SpTestDirectoryServer *self = g_new0 (SpTestDirectoryServer, 1);
  GSubprocess *process = spawn (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE);

  self->processes = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (self->processes, process);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  self->url = g_strdup_printf ("http://127.0.0.1:%s/", line);

  return self;
}

static gboolean
name_owned (gpointer data)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", (const char *) data),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

/**
 * sp_test_eds_start:
 *
 * Evolution Data Server's source registry and address-book factory on the session bus,
 * started here rather than activated by the bus: activation would give them the bus's
 * environment, i.e. the user's real folders, where this gives them the test's XDG folders.
 */
SpTestDirectoryServer *
sp_test_eds_start (void)
{
  const char *registry[] = { "/usr/libexec/evolution-source-registry", NULL };
  const char *factory[] = { "/usr/libexec/evolution-addressbook-factory", NULL };
  SpTestDirectoryServer *self = g_new0 (SpTestDirectoryServer, 1);

  self->processes = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (self->processes, spawn (registry, G_SUBPROCESS_FLAGS_NONE));
  g_assert_true (sp_test_wait_until (name_owned, (gpointer) "org.gnome.evolution.dataserver.Sources5",
                                     START_TIMEOUT_MS));
  g_ptr_array_add (self->processes, spawn (factory, G_SUBPROCESS_FLAGS_NONE));
  g_assert_true (sp_test_wait_until (name_owned,
                                     (gpointer) "org.gnome.evolution.dataserver.AddressBook10",
                                     START_TIMEOUT_MS));
  return self;
}

const char *
sp_test_directory_server_get_url (SpTestDirectoryServer *self)
{
  return self->url;
}

const char *
sp_test_directory_server_get_dir (SpTestDirectoryServer *self)
{
  return self->dir;
}

void
sp_test_directory_server_stop (SpTestDirectoryServer *self)
{
  if (self == NULL)
    return;

  /* Last started, first stopped: the address-book factory before the registry. */
  for (guint i = self->processes->len; i > 0; i--)
    {
      GSubprocess *process = g_ptr_array_index (self->processes, i - 1);

      g_subprocess_send_signal (process, SIGCONT);
      g_subprocess_send_signal (process, SIGTERM);
      g_subprocess_wait (process, NULL, NULL);
    }
  g_ptr_array_unref (self->processes);
  if (self->dir != NULL)
    sp_test_remove_tree (self->dir);
  g_free (self->dir);
  g_free (self->url);
  g_free (self);
}
