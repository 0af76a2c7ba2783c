"""The docs of columns with issue 11's options: identity options and collations."""

from __future__ import annotations

from pathlib import Path

from fixtures.language.helpers import schema_of
from schemagen.docs.render import render_docs
from schemagen.util.templating import make_environment


def test_docs_show_identity_options_and_collations(tmp_path: Path) -> None:
    text = """
    entities:
      Ticket:
        columns:
          id: {type: bigint, primary_key: true, identity: {always: true, start: 10}}
          code: {type: text, collation: "C"}
    """
    pages = render_docs(schema_of(tmp_path, {"s.yaml": text}), make_environment())
    page = pages["docs/entities/tickets.md"]
    assert "`GENERATED ALWAYS AS IDENTITY (START WITH 10)`" in page
    assert '`text COLLATE "C"`' in page


def test_docs_name_the_on_update_trigger_of_a_table_in_a_schema(tmp_path: Path) -> None:
    """A trigger is named within its table: ``trg_invoices_set_updated_at`` on
    ``billing.invoices``, in the column's note and on the triggers page."""
    text = """
    database: {name: shop, on_update_now: trigger}
    entities:
      Invoice:
        schema: billing
        columns:
          id: {type: bigint, primary_key: true}
          updated_at: {type: timestamptz, default: now, on_update: now}
    """
    pages = render_docs(schema_of(tmp_path, {"s.yaml": text}), make_environment())
    page = pages["docs/entities/billing.invoices.md"]
    assert "by the database trigger `trg_invoices_set_updated_at`, whoever" in page
    assert "### `trg_invoices_set_updated_at` on `billing.invoices`" in pages["docs/routines.md"]
    assert "trg_billing" not in "".join(pages.values())
