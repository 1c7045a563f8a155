/* sp-popup-notifier.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SP_POPUP_NOTIFIER_ERROR (sp_popup_notifier_error_quark ())

/**
 * SpPopupNotifierError:
 * @SP_POPUP_NOTIFIER_ERROR_MALFORMED: the frame is not a well-formed `CALL_IN` message, or a
 *   field fails validation
 * @SP_POPUP_NOTIFIER_ERROR_TOO_LARGE: the frame is longer than %SP_POPUP_NOTIFIER_MAX_FRAME
 * @SP_POPUP_NOTIFIER_ERROR_UNKNOWN_TYPE: a well-formed message of a type other than `CALL_IN`
 */
typedef enum
{
  SP_POPUP_NOTIFIER_ERROR_MALFORMED,
  SP_POPUP_NOTIFIER_ERROR_TOO_LARGE,
  SP_POPUP_NOTIFIER_ERROR_UNKNOWN_TYPE,
} SpPopupNotifierError;

/* A real CALL_IN frame is well under 200 bytes; anything this big is not one. */
#define SP_POPUP_NOTIFIER_MAX_FRAME (64 * 1024)

/* Limits on the untrusted fields, in characters, after surrounding white space is stripped. */
#define SP_POPUP_NOTIFIER_MAX_PHONE 64
#define SP_POPUP_NOTIFIER_MAX_EXTEN 32

/**
 * SpPopupCallIn:
 * @phone: the caller, validated: not empty, at most %SP_POPUP_NOTIFIER_MAX_PHONE characters,
 *   no control characters, no surrounding white space
 * @exten: the called extension, validated the same way (at most
 *   %SP_POPUP_NOTIFIER_MAX_EXTEN characters); the empty string when the frame names none
 */
typedef struct
{
  char *phone;
  char *exten;
} SpPopupCallIn;

GQuark   sp_popup_notifier_error_quark (void);
gboolean sp_popup_notifier_parse       (const char    *data,
                                        gsize          length,
                                        SpPopupCallIn *out,
                                        GError       **error);
void     sp_popup_call_in_clear        (SpPopupCallIn *call);

G_END_DECLS
