/* sp-add-account-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-add-account-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "sp-account-editor.h"
#include "sp-add-account-dialog.h"

/*
 * Adds an account: the account editor (every kind, checked as typed, Test Connection)
 * with Cancel and Add around it. The dialog stays until the account is saved, so that a
 * keyring failure can be told under the form.
 */

struct _SpAddAccountDialog
{
  AdwWindow        parent_instance;

  SpAccountEditor *editor;
  GCancellable    *cancellable;

  GtkBox          *content_box;
  GtkWidget       *add_button;
};

G_DEFINE_FINAL_TYPE (SpAddAccountDialog, sp_add_account_dialog, ADW_TYPE_WINDOW)

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SpAddAccountDialog) self = user_data;
  g_autoptr(SpAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  account = sp_account_editor_save_finish (SP_ACCOUNT_EDITOR (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* On failure the editor says why under the form. */
  if (account != NULL)
    gtk_window_close (GTK_WINDOW (self));
}

static void
add_clicked_cb (SpAddAccountDialog *self)
{
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  sp_account_editor_save_async (self->editor, self->cancellable, saved_cb, g_object_ref (self));
}

static void
sp_add_account_dialog_dispose (GObject *object)
{
  SpAddAccountDialog *self = (SpAddAccountDialog *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), SP_TYPE_ADD_ACCOUNT_DIALOG);

  G_OBJECT_CLASS (sp_add_account_dialog_parent_class)->dispose (object);
}

static void
sp_add_account_dialog_class_init (SpAddAccountDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_add_account_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/screenpop/Screenpop/sp-add-account-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SpAddAccountDialog, content_box);
  gtk_widget_class_bind_template_child (widget_class, SpAddAccountDialog, add_button);
  gtk_widget_class_bind_template_callback (widget_class, add_clicked_cb);
}

static void
sp_add_account_dialog_init (SpAddAccountDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

SpAddAccountDialog *
sp_add_account_dialog_new (SpAccountList *accounts)
{
  SpAddAccountDialog *self;

  g_return_val_if_fail (SP_IS_ACCOUNT_LIST (accounts), NULL);

  self = g_object_new (SP_TYPE_ADD_ACCOUNT_DIALOG, NULL);
  self->editor = sp_account_editor_new (accounts, NULL);
  gtk_widget_set_vexpand (GTK_WIDGET (self->editor), TRUE);
  gtk_box_append (self->content_box, GTK_WIDGET (self->editor));
  g_object_bind_property (self->editor, "can-save", self->add_button, "sensitive",
                          G_BINDING_SYNC_CREATE);

  return self;
}

/**
 * sp_add_account_dialog_get_editor:
 *
 * Returns: (transfer none): the form of the dialog
 */
SpAccountEditor *
sp_add_account_dialog_get_editor (SpAddAccountDialog *self)
{
  g_return_val_if_fail (SP_IS_ADD_ACCOUNT_DIALOG (self), NULL);
  return self->editor;
}
