/* sp-test-editor.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The account editor's widgets by name, as a person finds them: a generic row (the form's)
 * or a row of the kind's page (the page the form shows now).
 */

#include "config.h"

#include "sp-account-test-bar.h"
#include "sp-source-kind.h"
#include "sp-test-editor.h"

/**
 * sp_test_editor_find_child:
 *
 * Returns: (transfer none) (nullable): the editor's row @name, the widget @name of the line
 *   under it (status_label, test_button), or the row @name of the page it shows now
 */
gpointer
sp_test_editor_find_child (SpAccountEditor *editor,
                           const char      *name)
{
  SpAccountPage *page = sp_account_editor_get_page (editor);
  GObject *bar = gtk_widget_get_template_child (GTK_WIDGET (editor), SP_TYPE_ACCOUNT_EDITOR,
                                                "test_bar");
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (editor), SP_TYPE_ACCOUNT_EDITOR,
                                                   name);

  if (object == NULL && bar != NULL)
    object = gtk_widget_get_template_child (GTK_WIDGET (bar), SP_TYPE_ACCOUNT_TEST_BAR, name);
  if (object == NULL && page != NULL)
    object = gtk_widget_get_template_child (GTK_WIDGET (page), G_OBJECT_TYPE (page), name);

  return object;
}

/**
 * sp_test_editor_child:
 *
 * Returns: (transfer none): as sp_test_editor_find_child(); fails the test if there is none
 */
gpointer
sp_test_editor_child (SpAccountEditor *editor,
                      const char      *name)
{
  gpointer object = sp_test_editor_find_child (editor, name);

  if (object == NULL)
    g_error ("The account editor shows no “%s” for the kind %s", name,
             sp_account_editor_get_kind (editor));

  return object;
}

/* Whether a page of some kind has a row @name: so that a row's name with a typo fails
 * rather than passing as "not shown". */
static gboolean
any_page_has (const char *name)
{
  guint n_kinds;
  const SpSourceKind *kinds = sp_source_kind_get_all (&n_kinds);
  gboolean found = FALSE;

  for (guint i = 0; i < n_kinds && !found; i++)
    {
      GType type = sp_source_kind_get_page_type (&kinds[i]);
      GtkWidget *page = GTK_WIDGET (g_object_ref_sink (sp_account_page_new (type)));

      found = gtk_widget_get_template_child (page, G_OBJECT_TYPE (page), name) != NULL;
      g_object_unref (page);
    }

  return found;
}

/**
 * sp_test_editor_shown:
 *
 * Returns: whether the form shows the row @name now. A row of another kind's page is not
 *   shown; a name no form has fails the test.
 */
gboolean
sp_test_editor_shown (SpAccountEditor *editor,
                      const char      *name)
{
  gpointer object = sp_test_editor_find_child (editor, name);

  if (object == NULL)
    {
      if (!any_page_has (name))
        g_error ("No account editor and no kind's page has a “%s”", name);
      return FALSE;
    }

  return gtk_widget_get_visible (object);
}

/**
 * sp_test_editor_select_kind:
 * @kind: a kind's id in the registry
 *
 * Chooses @kind in the Kind row, as a person does.
 */
void
sp_test_editor_select_kind (SpAccountEditor *editor,
                            const char      *kind)
{
  guint n_kinds;
  const SpSourceKind *kinds = sp_source_kind_get_all (&n_kinds);

  for (guint i = 0; i < n_kinds; i++)
    {
      if (g_str_equal (kinds[i].id, kind))
        {
          adw_combo_row_set_selected (sp_test_editor_child (editor, "kind_row"), i);
          g_assert_cmpstr (sp_account_editor_get_kind (editor), ==, kind);
          return;
        }
    }

  g_error ("The registry has no kind “%s”", kind);
}
