/* sp-test-util.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef gboolean (*SpTestCondition) (gpointer user_data);

gboolean  sp_test_wait_until              (SpTestCondition  condition,
                                           gpointer         user_data,
                                           guint            timeout_ms);
void      sp_test_run_for                 (guint            ms);
gint64    sp_test_thread_cpu_usec         (void);
guint16   sp_test_find_free_port          (void);
void      sp_test_remove_tree             (const char      *path);
void      sp_test_dbus_up                 (GTestDBus       *bus);
GSubprocess *sp_test_start_xvfb           (const char      *screen,
                                           char           **display);
GTlsCertificate *sp_test_make_self_signed (const char      *dir,
                                           char           **fingerprint);

/**
 * SpTestDescribeFunc:
 * @data: (array length=length): the bytes of one data file, without a NUL after them
 * @length: their length
 *
 * Returns: (transfer full): what a parser made of @data, as readable text
 */
typedef char *(*SpTestDescribeFunc) (const char *data,
                                     gsize       length);

/**
 * SpTestDataFlags:
 * @SP_TEST_DATA_NONE: the file's bytes as they are
 * @SP_TEST_DATA_STRIP_NEWLINE: without the newline that ends a text file (a frame has none)
 */
typedef enum
{
  SP_TEST_DATA_NONE          = 0,
  SP_TEST_DATA_STRIP_NEWLINE = 1 << 0,
} SpTestDataFlags;

void      sp_test_add_data_cases          (const char         *test_prefix,
                                           const char         *data_dir,
                                           SpTestDescribeFunc  describe,
                                           SpTestDataFlags     flags,
                                           guint               at_least);

/**
 * SpTestLogCapture:
 *
 * Records log messages, structured or not, while it exists, without changing how they are
 * printed or whether they are fatal. For asserting that something was logged at debug or
 * message level; warnings are still best expected with g_test_expect_message().
 */
typedef struct _SpTestLogCapture SpTestLogCapture;

SpTestLogCapture *sp_test_log_capture_new      (const char       *domain);
guint             sp_test_log_capture_count    (SpTestLogCapture *capture,
                                                GLogLevelFlags    levels,
                                                const char       *pattern);
gboolean          sp_test_log_capture_wait_for (SpTestLogCapture *capture,
                                                GLogLevelFlags    levels,
                                                const char       *pattern,
                                                guint             timeout_ms);
void              sp_test_log_capture_clear    (SpTestLogCapture *capture);
void              sp_test_log_capture_free     (SpTestLogCapture *capture);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpTestLogCapture, sp_test_log_capture_free)

G_END_DECLS
