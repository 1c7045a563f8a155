/* sp-basix-model.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

/* The readers of field values come with the model: whatever reads elements reads their
 * values too. A file that only needs the readers includes sp-basix-fields.h alone. */
#include "sp-basix-fields.h"
#include "sp-bert.h"

G_BEGIN_DECLS

/**
 * SP_BASIX_MODEL_ERROR:
 *
 * Error domain of the Basix element model: messages whose shape does not fit the protocol.
 */
#define SP_BASIX_MODEL_ERROR (sp_basix_model_error_quark ())

/**
 * SpBasixModelError:
 * @SP_BASIX_MODEL_ERROR_MALFORMED: a known message with the wrong shape (wrong arity, a
 *   name that is not text, elements that are neither tuples nor lists)
 * @SP_BASIX_MODEL_ERROR_NO_FIELD_SPEC: element data for a category whose `field_spec` has
 *   not been received on this connection
 *
 * Why a message could not be applied. The model is left unchanged.
 */
typedef enum
{
  SP_BASIX_MODEL_ERROR_MALFORMED,
  SP_BASIX_MODEL_ERROR_NO_FIELD_SPEC,
} SpBasixModelError;

GQuark sp_basix_model_error_quark (void);

/**
 * SpBasixMessageKind:
 * @SP_BASIX_MESSAGE_FIELD_SPEC: `{field_spec, Category, [Field, …]}`
 * @SP_BASIX_MESSAGE_INITIAL_INFO: `{initial_info, Category, [Element, …]}`: a full snapshot
 * @SP_BASIX_MESSAGE_INFO_EVENT: `{info_event, Category, Element, Event}`: one change
 * @SP_BASIX_MESSAGE_SYSTEM_MSG: `{system_msg, Msg}`: a connection-level notice
 * @SP_BASIX_MESSAGE_MSG: `{msg, Payload}`: a message from a user or admin
 * @SP_BASIX_MESSAGE_HISTORICAL: a message of the formats before 2019 (`chan_info` and the
 *   like, or a message wrapped in an outer container): recognised, not applied
 * @SP_BASIX_MESSAGE_UNKNOWN: anything else; to be logged and ignored
 *
 * The kinds of top-level ws_cti messages.
 */
typedef enum
{
  SP_BASIX_MESSAGE_FIELD_SPEC,
  SP_BASIX_MESSAGE_INITIAL_INFO,
  SP_BASIX_MESSAGE_INFO_EVENT,
  SP_BASIX_MESSAGE_SYSTEM_MSG,
  SP_BASIX_MESSAGE_MSG,
  SP_BASIX_MESSAGE_HISTORICAL,
  SP_BASIX_MESSAGE_UNKNOWN,
} SpBasixMessageKind;

/**
 * SpBasixChangeKind:
 * @SP_BASIX_CHANGE_ADDED: an element appeared
 * @SP_BASIX_CHANGE_UPDATED: an element was replaced by a newer version
 * @SP_BASIX_CHANGE_REMOVED: an element went away (an `info_event` `removed`, a channel
 *   whose last event is `CHANNEL_HANGUP`, or one missing from a new `initial_info`)
 *
 * What happened to one element.
 */
typedef enum
{
  SP_BASIX_CHANGE_ADDED,
  SP_BASIX_CHANGE_UPDATED,
  SP_BASIX_CHANGE_REMOVED,
} SpBasixChangeKind;

typedef struct _SpBasixModel SpBasixModel;
typedef struct _SpBasixElement SpBasixElement;

/**
 * SpBasixPrepared:
 *
 * A frame's snapshot read in another thread than the model's (sp_basix_model_prepare()).
 */
typedef struct _SpBasixPrepared SpBasixPrepared;

/**
 * SpBasixChange:
 * @kind: what happened
 * @old_element: (nullable): the element before, for updates and removals
 * @new_element: (nullable): the element after, for additions and updates; for a channel
 *   removed because it hung up, the hang-up version, so that its data can be read
 *
 * One element change caused by a message.
 */
typedef struct
{
  SpBasixChangeKind kind;
  SpBasixElement *old_element;
  SpBasixElement *new_element;
} SpBasixChange;

/**
 * SpBasixUpdate:
 * @kind: the kind of message
 * @category: (nullable): the element category of `field_spec`, `initial_info` and
 *   `info_event`, as UTF-8
 * @event: (nullable): the raw event name of an `info_event`
 * @system_msg: (nullable): the payload of a `system_msg` when it is text (such as
 *   `connection_replaced`)
 * @payload: (nullable): the raw payload of `system_msg` and `msg`, valid as long as the
 *   update
 * @changes: (element-type SpBasixChange): the element changes, in order
 *
 * What one applied message did to the model.
 */
typedef struct
{
  SpBasixMessageKind kind;
  char *category;
  char *event;
  char *system_msg;
  const SpBertTerm *payload;
  GPtrArray *changes;

  /*< private >*/
  SpBertDocument *doc;
} SpBasixUpdate;

void               sp_basix_update_free             (SpBasixUpdate      *update);

SpBasixModel      *sp_basix_model_new               (void);
void               sp_basix_model_free              (SpBasixModel       *model);
void               sp_basix_model_reset             (SpBasixModel       *model);
SpBasixUpdate     *sp_basix_model_apply             (SpBasixModel       *model,
                                                     SpBertDocument     *doc,
                                                     GError            **error);
SpBasixUpdate     *sp_basix_model_apply_prepared    (SpBasixModel       *model,
                                                     SpBertDocument     *doc,
                                                     SpBasixPrepared    *prepared,
                                                     GError            **error);
SpBasixPrepared   *sp_basix_model_prepare           (SpBasixModel       *model);
void               sp_basix_prepared_read           (SpBasixPrepared    *prepared,
                                                     SpBertDocument     *doc);
void               sp_basix_prepared_free           (SpBasixPrepared    *prepared);
SpBasixElement    *sp_basix_model_lookup            (SpBasixModel       *model,
                                                     const char         *category,
                                                     const char         *key);
guint              sp_basix_model_get_n_elements    (SpBasixModel       *model,
                                                     const char         *category);
GPtrArray         *sp_basix_model_list              (SpBasixModel       *model,
                                                     const char         *category);
const char * const *sp_basix_model_get_fields       (SpBasixModel       *model,
                                                     const char         *category);

SpBasixElement    *sp_basix_element_ref             (SpBasixElement     *element);
void               sp_basix_element_unref           (SpBasixElement     *element);
const char        *sp_basix_element_get_category    (SpBasixElement     *element);
const char        *sp_basix_element_get_key         (SpBasixElement     *element);
const SpBertTerm  *sp_basix_element_get             (SpBasixElement     *element,
                                                     const char         *field);
gboolean           sp_basix_element_has             (SpBasixElement     *element,
                                                     const char         *field);
char              *sp_basix_element_dup_string      (SpBasixElement     *element,
                                                     const char         *field);
gboolean           sp_basix_element_get_int64       (SpBasixElement     *element,
                                                     const char         *field,
                                                     gint64             *out_value);
gboolean           sp_basix_element_get_boolean     (SpBasixElement     *element,
                                                     const char         *field,
                                                     gboolean           *out_value);
gboolean           sp_basix_element_text_equal      (SpBasixElement     *element,
                                                     const char         *field,
                                                     const char         *text);
gboolean           sp_basix_category_is_channel     (const char         *category);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpBasixModel, sp_basix_model_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpBasixElement, sp_basix_element_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpBasixUpdate, sp_basix_update_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpBasixPrepared, sp_basix_prepared_free)

G_END_DECLS
