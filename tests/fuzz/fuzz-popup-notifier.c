/* fuzz-popup-notifier.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Feeds arbitrary frames to the popup-notifier parser and checks its contract: it never
 * crashes, an accepted frame yields fields that obey every documented limit, a refusal
 * always carries an error of our domain and touches nothing, and an accepted call written
 * back as JSON parses to the same call. */

#define G_LOG_DOMAIN "fuzz-popup-notifier"

#include "config.h"

#include <stdint.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "fuzz-common.h"
#include "sp-popup-notifier.h"

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

static void
check_field (const char *value,
             guint       max_chars,
             gboolean    may_be_empty)
{
  gsize length = strlen (value);
  guint n_chars = 0;

  g_assert (g_utf8_validate (value, -1, NULL));
  g_assert (may_be_empty || length > 0);

  if (length > 0)
    {
      g_assert (!g_unichar_isspace (g_utf8_get_char (value)));
      g_assert (!g_unichar_isspace (g_utf8_get_char (g_utf8_prev_char (value + length))));
    }

  for (const char *p = value; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      g_assert (!g_unichar_iscntrl (c));
      g_assert (g_unichar_type (c) != G_UNICODE_LINE_SEPARATOR);
      g_assert (g_unichar_type (c) != G_UNICODE_PARAGRAPH_SEPARATOR);
      g_assert (!(c >= 0x202A && c <= 0x202E) && !(c >= 0x2066 && c <= 0x2069));
      n_chars++;
    }

  g_assert (n_chars <= max_chars);
}

static char *
write_call_in (const SpPopupCallIn *call)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "CALL_IN");
  json_builder_set_member_name (builder, "data");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "phone");
  json_builder_add_string_value (builder, call->phone);
  json_builder_set_member_name (builder, "exten");
  json_builder_add_string_value (builder, call->exten);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  return json_to_string (root, FALSE);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  SpPopupCallIn call = { NULL, NULL };

  if (sp_popup_notifier_parse ((const char *) data, size, &call, &error))
    {
      g_autoptr(GError) again_error = NULL;
      g_autofree char *json = NULL;
      SpPopupCallIn again = { NULL, NULL };

      g_assert (error == NULL);
      g_assert (size <= SP_POPUP_NOTIFIER_MAX_FRAME);
      g_assert (call.phone != NULL && call.exten != NULL);
      check_field (call.phone, SP_POPUP_NOTIFIER_MAX_PHONE, FALSE);
      check_field (call.exten, SP_POPUP_NOTIFIER_MAX_EXTEN, TRUE);

      /* What we accept is stable: written out and read again, it is the same call. */
      json = write_call_in (&call);
      g_assert (sp_popup_notifier_parse (json, strlen (json), &again, &again_error));
      g_assert (again_error == NULL);
      g_assert (strcmp (again.phone, call.phone) == 0);
      g_assert (strcmp (again.exten, call.exten) == 0);

      sp_popup_call_in_clear (&again);
      sp_popup_call_in_clear (&call);
    }
  else
    {
      g_assert (error != NULL);
      g_assert (error->domain == SP_POPUP_NOTIFIER_ERROR);
      g_assert (error->code == SP_POPUP_NOTIFIER_ERROR_MALFORMED ||
                error->code == SP_POPUP_NOTIFIER_ERROR_TOO_LARGE ||
                error->code == SP_POPUP_NOTIFIER_ERROR_UNKNOWN_TYPE);
      g_assert (error->message != NULL && g_utf8_validate (error->message, -1, NULL));
      g_assert ((error->code == SP_POPUP_NOTIFIER_ERROR_TOO_LARGE) ==
                (size > SP_POPUP_NOTIFIER_MAX_FRAME));
      g_assert (call.phone == NULL && call.exten == NULL);
    }

  return 0;
}
