/* fuzz-basix-ticket.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Feeds arbitrary answers to the reader of Basix's ticket service (sp-basix-ticket.c), as
 * a broken or hostile server would send them, and checks its contract: no crash; a body
 * that is not JSON is refused with an error of sp-json's domain; a ticket taken is short
 * printable ASCII (it goes into a header) from an answer whose result code is 0. */

#define G_LOG_DOMAIN "fuzz-basix-ticket"

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "fuzz-common.h"
#include "sp-basix-ticket.h"

int LLVMFuzzerInitialize   (int           *argc,
                            char        ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init (argc, argv);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ticket = NULL;
  gint64 code = 42;

  ticket = sp_basix_ticket_parse ((const char *) data, size, &code, &error);

  if (error != NULL)
    {
      g_assert (ticket == NULL);
      g_assert (error->domain == SP_JSON_ERROR);
      g_assert (code == -1);
      return 0;
    }

  if (ticket == NULL)
    return 0;

  g_assert (code == 0);
  g_assert (ticket[0] != '\0' && strlen (ticket) <= SP_BASIX_TICKET_MAX_LENGTH);
  for (const char *p = ticket; *p != '\0'; p++)
    g_assert (*p > ' ' && *p < 0x7f);

  return 0;
}
