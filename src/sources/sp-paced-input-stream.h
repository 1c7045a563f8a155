/* sp-paced-input-stream.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SP_TYPE_PACED_INPUT_STREAM (sp_paced_input_stream_get_type ())

G_DECLARE_FINAL_TYPE (SpPacedInputStream, sp_paced_input_stream, SP, PACED_INPUT_STREAM, GInputStream)

SpPacedInputStream *sp_paced_input_stream_new        (GIOStream          *connection);
void                sp_paced_input_stream_set_budget (SpPacedInputStream *self,
                                                      gsize               bytes);
void                sp_paced_input_stream_set_paused (SpPacedInputStream *self,
                                                      gboolean            paused);
gboolean            sp_paced_input_stream_get_paused (SpPacedInputStream *self);

G_END_DECLS
