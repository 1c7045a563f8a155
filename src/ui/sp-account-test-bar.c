/* sp-account-test-bar.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "sp-account-test-bar"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "sp-account-test-bar.h"
#include "sp-connection-test.h"
#include "sp-source.h"

/*
 * The line under the account editor, outside its scrolled form so that it is always in
 * sight: the first problem of the form, what saving does, and "Test Connection" with its
 * result. The editor says when a test may run and with what (#SpAccountTestBar::test);
 * the bar runs it (sp_connection_test_async()) and tells how it went.
 */

#define TEST_TIMEOUT_SECONDS 20

struct _SpAccountTestBar
{
  GtkBox         parent_instance;

  GCancellable  *cancellable;
  gboolean       can_test;

  GtkLabel      *status_label;
  GtkWidget     *trust_button;
  GtkWidget     *test_button;

  char          *certificate;   /* the untrusted one of the last test, "AB:CD:…" */
};

enum {
  TEST,
  TRUST_CERTIFICATE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SpAccountTestBar, sp_account_test_bar, GTK_TYPE_BOX)

static void
test_clicked_cb (SpAccountTestBar *self)
{
  g_signal_emit (self, signals[TEST], 0);
}

static void
trust_response_cb (SpAccountTestBar *self,
                   const char       *response,
                   AdwMessageDialog *dialog)
{
  g_autofree char *certificate = g_strdup (self->certificate);

  if (g_strcmp0 (response, "trust") != 0 || certificate == NULL)
    return;

  gtk_widget_set_visible (self->trust_button, FALSE);
  g_signal_emit (self, signals[TRUST_CERTIFICATE], 0, certificate);
}

/* As GNOME's mail and chat clients do: show the fingerprint, and trust only on a yes. */
static void
trust_clicked_cb (SpAccountTestBar *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  AdwMessageDialog *dialog;

  if (self->certificate == NULL)
    return;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       _("Trust This Certificate?"), NULL));
  adw_message_dialog_format_body (dialog,
                                  _("The system does not trust the server’s certificate. Trust it for this account only if its fingerprint is the one the server’s administrator gives you:\n\nSHA-256: %s"),
                                  self->certificate);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "trust", _("_Trust"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "trust", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (trust_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
test_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(SpAccountTestBar) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *detail = sp_connection_test_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->cancellable);
  if (error != NULL)
    {
      sp_account_test_bar_set_status (self, error->message, "error");
      /* A certificate the system does not trust: the user may trust exactly this one. */
      self->certificate = g_strdup (sp_source_error_get_certificate (error));
      gtk_widget_set_visible (self->trust_button, self->certificate != NULL);
    }
  else
    {
      const char *connected = _("Connected: the server answered and Screenpop is listening.");
      /* What it listens to, e.g. the channels of a redmine account. */
      g_autofree char *status = detail != NULL ? g_strconcat (connected, "\n", detail, NULL)
                                               : g_strdup (connected);

      sp_account_test_bar_set_status (self, status, "success");
    }
  gtk_widget_set_sensitive (self->test_button, self->can_test);
}

static void
sp_account_test_bar_dispose (GObject *object)
{
  SpAccountTestBar *self = SP_ACCOUNT_TEST_BAR (object);

  sp_account_test_bar_stop (self);
  g_clear_pointer (&self->certificate, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), SP_TYPE_ACCOUNT_TEST_BAR);

  G_OBJECT_CLASS (sp_account_test_bar_parent_class)->dispose (object);
}

static void
sp_account_test_bar_class_init (SpAccountTestBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_account_test_bar_dispose;

  /**
   * SpAccountTestBar::test:
   *
   * "Test Connection" was clicked: the handler checks the form and, if it can be tested,
   * calls sp_account_test_bar_start().
   */
  signals[TEST] = g_signal_new ("test", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * SpAccountTestBar::trust-certificate:
   * @fingerprint: the SHA-256 fingerprint ("AB:CD:…") the user confirmed
   *
   * The test failed on a certificate the system does not trust, and the user chose to
   * trust exactly this one for the account.
   */
  signals[TRUST_CERTIFICATE] = g_signal_new ("trust-certificate", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                             G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/screenpop/Screenpop/sp-account-test-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, SpAccountTestBar, status_label);
  gtk_widget_class_bind_template_child (widget_class, SpAccountTestBar, trust_button);
  gtk_widget_class_bind_template_child (widget_class, SpAccountTestBar, test_button);
  gtk_widget_class_bind_template_callback (widget_class, test_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, trust_clicked_cb);
}

static void
sp_account_test_bar_init (SpAccountTestBar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * sp_account_test_bar_set_status:
 * @text: (nullable): what to say
 * @css_class: (nullable): how: "error", "success" or "dim-label" (a field to fill in)
 */
void
sp_account_test_bar_set_status (SpAccountTestBar *self,
                                const char       *text,
                                const char       *css_class)
{
  GtkWidget *label;

  g_return_if_fail (SP_IS_ACCOUNT_TEST_BAR (self));

  label = GTK_WIDGET (self->status_label);
  gtk_label_set_text (self->status_label, text != NULL ? text : "");
  gtk_widget_remove_css_class (label, "error");
  gtk_widget_remove_css_class (label, "success");
  gtk_widget_remove_css_class (label, "dim-label");
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
}

const char *
sp_account_test_bar_get_status (SpAccountTestBar *self)
{
  g_return_val_if_fail (SP_IS_ACCOUNT_TEST_BAR (self), NULL);
  return gtk_label_get_text (self->status_label);
}

/**
 * sp_account_test_bar_set_can_test:
 *
 * Whether the form can be tested as it is (it is valid and has a server); the button
 * follows, once a running test is over.
 */
void
sp_account_test_bar_set_can_test (SpAccountTestBar *self,
                                  gboolean          can_test)
{
  g_return_if_fail (SP_IS_ACCOUNT_TEST_BAR (self));

  self->can_test = can_test;
  if (self->cancellable == NULL)
    gtk_widget_set_sensitive (self->test_button, can_test);
}

/**
 * sp_account_test_bar_start:
 * @account: a throw-away account with the form's settings
 * @secret: (nullable): the secret typed into the form, for this test only
 * @keyring_id: (nullable): without @secret, the account whose stored secret to use
 *
 * Connects @account once, says "Connecting…", then how it went.
 */
void
sp_account_test_bar_start (SpAccountTestBar *self,
                           SpAccount        *account,
                           const char       *secret,
                           const char       *keyring_id)
{
  g_return_if_fail (SP_IS_ACCOUNT_TEST_BAR (self));
  g_return_if_fail (SP_IS_ACCOUNT (account));

  sp_account_test_bar_stop (self);
  sp_account_test_bar_set_status (self, _("Connecting…"), NULL);
  gtk_widget_set_sensitive (self->test_button, FALSE);
  self->cancellable = g_cancellable_new ();
  sp_connection_test_async (account, secret, keyring_id, TEST_TIMEOUT_SECONDS,
                            self->cancellable, test_done_cb, g_object_ref (self));
}

/**
 * sp_account_test_bar_stop:
 *
 * Forgets a running test (the form changed, or is being saved).
 */
void
sp_account_test_bar_stop (SpAccountTestBar *self)
{
  g_return_if_fail (SP_IS_ACCOUNT_TEST_BAR (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->certificate, g_free);
  gtk_widget_set_visible (self->trust_button, FALSE);
}
