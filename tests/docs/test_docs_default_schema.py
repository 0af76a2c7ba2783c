"""Entity pages are named by their table, qualified only outside the project's default
PostgreSQL schema: with ``database.schema: app`` the page of app.customers is
``customers.md``, of billing.invoices ``billing.invoices.md`` and of public.settings
``public.settings.md``; without it, as before (``billing.invoices.md``, ``settings.md``).
Every link of the docs (overview, ER diagram, history, triggers, views, entity pages)
reaches those pages, a page of the old name is removed by ``build``, and ``check``
agrees."""

from __future__ import annotations

from pathlib import Path

from docs_checks import check_links
from migration_harness import schemagen, write_schema

SCHEMA = """
database: {name: shop, schema: app, on_update_now: trigger}
entities:
  Customer:                          # app.customers
    columns:
      id: {type: bigint, primary_key: true}
      name: {type: text}
      updated_at: {type: timestamptz, default: now, on_update: now}
  Event:                             # app.events
    columns:
      id: {type: bigint, primary_key: true}
      customer_id: {references: Customer}   # no index: a note on the overview
  PublicEvent:
    schema: public                   # public.events: the same table name
    table: events
    columns:
      id: {type: bigint, primary_key: true}
  Invoice:
    schema: billing
    columns:
      id: {type: bigint, primary_key: true}
      customer_id: {references: Customer, index: true}
      note: {type: text, nullable: true}
    indexes:
      ix_invoices_open: {columns: [id], where: "note IS NULL"}
  Setting:
    schema: public
    columns:
      key: {type: text, primary_key: true}
views:
  Names:                             # app.names, like the tables
    sql: SELECT id, name FROM app.customers
    columns: {id: {type: bigint}, name: {type: text}}
  NameCount:                         # reports.name_count, a view over app.names
    schema: reports
    sql: SELECT count(*) AS names FROM app.names
    columns: {names: {type: bigint}}
"""


def _docs(root: Path) -> dict[str, str]:
    docs = root / "generated" / "docs"
    return {
        f"docs/{p.relative_to(docs).as_posix()}": p.read_text(encoding="utf-8")
        for p in sorted(docs.rglob("*.md"))
    }


def test_pages_qualify_only_outside_the_default_schema(tmp_path: Path) -> None:
    root = tmp_path / "app"
    write_schema(root, {"schema.yaml": SCHEMA})
    schemagen(root, "migrate", "-m", "initial")
    # the page an earlier schemagen wrote for app.customers
    stale = root / "generated" / "docs" / "entities" / "app.customers.md"
    stale.write_text("the page of an earlier build\n", encoding="utf-8")
    out = schemagen(root, "build")
    assert "removed generated/docs/entities/app.customers.md" in out, out
    pages = _docs(root)
    assert sorted(p for p in pages if p.startswith("docs/entities/")) == [
        "docs/entities/billing.invoices.md",
        "docs/entities/customers.md",
        "docs/entities/events.md",
        "docs/entities/public.events.md",
        "docs/entities/public.settings.md",
    ]
    # the pages still name the tables as PostgreSQL does, qualified outside public
    assert "\n# `Customer` (table `app.customers`)\n" in pages["docs/entities/customers.md"]
    assert "\n# `PublicEvent` (table `events`)\n" in pages["docs/entities/public.events.md"]
    assert "(entities/customers.md)" in pages["docs/README.md"]
    assert "(entities/events.md)" in pages["docs/README.md"]  # the unindexed key's note
    assert "(entities/billing.invoices.md)" in pages["docs/README.md"]  # the partial index
    assert "(entities/customers.md)" in pages["docs/history.md"]
    routines = pages["docs/routines.md"]
    assert "on [`app.customers`](entities/customers.md)" in routines  # a trigger
    assert "Reads from: [`app.customers`](entities/customers.md)" in routines  # a view
    # views are named as PostgreSQL names them from public, and linked so
    assert "Reads from: [`app.names`](#appnames)" in routines
    assert "\n### app.names\n" in routines and "\n### reports.name_count\n" in routines
    assert "(customers.md)" in pages["docs/entities/billing.invoices.md"]  # its key
    assert check_links(pages) > 20
    schemagen(root, "check", "--no-cache")


def test_pages_without_a_default_schema_keep_their_names(tmp_path: Path) -> None:
    root = tmp_path / "public"
    text = SCHEMA.replace(", schema: app", "").replace("FROM app.", "FROM ")
    text = text.replace("    schema: reports\n", "")
    # the second events table moves to archive: public.events is the default's now
    text = text.replace("schema: public                   # public.events", "schema: archive #")
    write_schema(root, {"schema.yaml": text})
    schemagen(root, "build")
    pages = _docs(root)
    assert sorted(p for p in pages if p.startswith("docs/entities/")) == [
        "docs/entities/archive.events.md",
        "docs/entities/billing.invoices.md",
        "docs/entities/customers.md",
        "docs/entities/events.md",
        "docs/entities/settings.md",
    ]
    assert check_links(pages) > 20
