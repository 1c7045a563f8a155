/* sp-directory.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sp-contact.h"
#include "sp-phone-number.h"

G_BEGIN_DECLS

#define SP_DIRECTORY_ERROR (sp_directory_error_quark ())

/**
 * SpDirectoryError:
 * @SP_DIRECTORY_ERROR_CONFIG: the directory's settings are incomplete or wrong
 * @SP_DIRECTORY_ERROR_UNREACHABLE: the server could not be reached or timed out
 * @SP_DIRECTORY_ERROR_REFUSED: the server refused (credentials, permissions)
 * @SP_DIRECTORY_ERROR_BAD_ANSWER: the answer could not be understood
 */
typedef enum
{
  SP_DIRECTORY_ERROR_CONFIG,
  SP_DIRECTORY_ERROR_UNREACHABLE,
  SP_DIRECTORY_ERROR_REFUSED,
  SP_DIRECTORY_ERROR_BAD_ANSWER,
} SpDirectoryError;

/* Settings of every directory (schema io.github.screenpop.Screenpop.Directory). */
#define SP_DIRECTORY_KEY_KIND    "kind"
#define SP_DIRECTORY_KEY_LABEL   "label"
#define SP_DIRECTORY_KEY_ENABLED "enabled"
#define SP_DIRECTORY_KEY_URL     "url"
#define SP_DIRECTORY_KEY_LOGIN   "login"
#define SP_DIRECTORY_KEY_OPTIONS "options"

#define SP_TYPE_DIRECTORY (sp_directory_get_type ())

G_DECLARE_DERIVABLE_TYPE (SpDirectory, sp_directory, SP, DIRECTORY, GObject)

/**
 * SpDirectoryClass:
 * @lookup_async: look @number up; a miss is a %NULL contact without error
 * @lookup_finish: the contact, or %NULL (with @error set on a failure)
 *
 * A place that knows who numbers belong to. A subclass reads its settings through
 * sp_directory_get_settings() and sp_directory_get_option(), its secret (bind password,
 * token) through sp_directory_lookup_secret_async(), and only looks up.
 */
struct _SpDirectoryClass
{
  GObjectClass parent_class;

  void       (*lookup_async)  (SpDirectory         *self,
                               const SpPhoneNumber *number,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data);
  SpContact *(*lookup_finish) (SpDirectory         *self,
                               GAsyncResult        *result,
                               GError             **error);

  /*< private >*/
  gpointer padding[8];
};

GQuark       sp_directory_error_quark          (void);
const char  *sp_directory_get_id               (SpDirectory         *self);
GSettings   *sp_directory_get_settings         (SpDirectory         *self);
char        *sp_directory_dup_label            (SpDirectory         *self);
gboolean     sp_directory_get_enabled          (SpDirectory         *self);
char        *sp_directory_dup_option           (SpDirectory         *self,
                                                const char          *key,
                                                const char          *fallback);
char        *sp_directory_dup_secret_key       (SpDirectory         *self);
void         sp_directory_lookup_secret_async  (SpDirectory         *self,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
char        *sp_directory_lookup_secret_finish (SpDirectory         *self,
                                                GAsyncResult        *result,
                                                GError             **error);
void         sp_directory_lookup_async         (SpDirectory         *self,
                                                const SpPhoneNumber *number,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
SpContact   *sp_directory_lookup_finish        (SpDirectory         *self,
                                                GAsyncResult        *result,
                                                GError             **error);
const char  *sp_directory_get_last_error       (SpDirectory         *self);
void         sp_directory_set_last_error       (SpDirectory         *self,
                                                const char          *message);
void         sp_directory_set_secret_override  (SpDirectory         *self,
                                                const char          *secret);
char       **sp_directory_dup_number_keys      (const SpPhoneNumber *number);
char        *sp_directory_dup_tail_digits      (const SpPhoneNumber *number);
gboolean     sp_directory_keys_match           (const char * const  *keys,
                                                const char          *stored);
gboolean     sp_directory_number_matches       (const SpPhoneNumber *number,
                                                const char          *stored);

/**
 * SpDirectoryChoice:
 * @id: what is stored when it is chosen
 * @label: what the person sees
 *
 * One item a choice field of a directory's form offers (an address book, …).
 */
typedef struct
{
  char *id;
  char *label;
} SpDirectoryChoice;

SpDirectoryChoice *sp_directory_choice_new  (const char        *id,
                                             const char        *label);
void               sp_directory_choice_free (SpDirectoryChoice *self);

G_END_DECLS
