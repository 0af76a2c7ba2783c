"""`check --database` over tables in several PostgreSQL schemas: every declared
schema is read (in the same statements as one schema alone), a migrated database
has no drift, and drift in a table of another schema is named with its schema."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from live_check import traced_check
from migration_harness import alembic, load_case, schemagen, scratch_database, write_schema
from pgcluster import PgCluster
from schemagen.api import load_project
from schemagen.live.compare import check_database
from schemagen.validate.pipeline import load_schema

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def _migrated(pg: PgCluster, root: Path, files: dict[str, str], role: str) -> str:
    write_schema(root, files)
    schemagen(root, "migrate", "-m", "initial")
    dbname = scratch_database(pg, role)
    alembic(root, pg.url(dbname), "upgrade", "head")
    return dbname


def test_every_schema_is_read_in_the_same_statements(
    pg: PgCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_billing = load_case(CORPUS / "70_schema_created").after
    # the same schema with everything in public
    public_only = {
        name: re.sub(r"(schema: billing, |\n +schema: billing)", "", text).replace("billing.", "")
        for name, text in with_billing.items()
    }
    assert "schema:" not in "".join(public_only.values())
    sent = {}
    for label, files in (("public only", public_only), ("with billing", with_billing)):
        root = tmp_path / label.replace(" ", "_")
        dbname = _migrated(pg, root, files, f"schemas_{len(sent)}")
        sent[label] = traced_check(pg, root, dbname, monkeypatch)  # asserts no drift
    assert sent["public only"] == sent["with billing"], sent
    # drift inside the billing schema is seen, and named with its schema
    pg.sql("ALTER TABLE billing.invoices ALTER COLUMN total DROP NOT NULL", dbname)
    pg.sql("ALTER TYPE billing.invoice_status ADD VALUE 'void'", dbname)
    pg.sql("DROP INDEX billing.ix_invoices_customer_id", dbname)
    schema = load_schema(load_project(tmp_path / "with_billing")).schema
    assert schema is not None
    found = sorted(f"{f.object}: {f.message}" for f in check_database(schema, pg.url(dbname)))
    assert len(found) == 3, found
    assert all("billing." in line for line in found), found


def test_triggers_in_another_schema(pg: PgCluster, tmp_path: Path) -> None:
    """Triggers on billing.invoices (a user trigger and on_update_now's) compare by
    their table's schema: a trigger of the same name on a public table is another
    trigger, and each finding names its table with its schema."""
    files = load_case(CORPUS / "85_triggers_in_another_schema").after
    dbname = _migrated(pg, tmp_path / "p", files, "triggers")
    schema = load_schema(load_project(tmp_path / "p")).schema
    assert schema is not None
    assert check_database(schema, pg.url(dbname)) == []
    pg.sql(
        "DROP TRIGGER trg_invoices_set_updated_at ON billing.invoices;"
        "CREATE TRIGGER trg_invoices_set_updated_at BEFORE UPDATE ON customers "
        "FOR EACH ROW EXECUTE FUNCTION schemagen_set_updated_at();"
        "DROP TRIGGER trg_invoices_code ON billing.invoices;"
        "CREATE TRIGGER trg_invoices_code BEFORE INSERT ON billing.invoices "
        "FOR EACH ROW EXECUTE FUNCTION set_code()",
        dbname,
    )
    found = sorted(f"{f.object}: {f.message}" for f in check_database(schema, pg.url(dbname)))
    assert found == [
        # made again by hand without the comment the migration gave it
        "trigger billing.invoices.trg_invoices_code: comment is none in the database, "
        "'Numbers an invoice that has no code yet.' in the schema",
        "trigger billing.invoices.trg_invoices_code: definition differs: expected 'CREATE "
        "TRIGGER trg_invoices_code BEFORE INSERT OR UPDATE ...', found 'CREATE TRIGGER "
        "trg_invoices_code BEFORE INSERT ON billing...'",
        "trigger billing.invoices.trg_invoices_set_updated_at: missing from the database",
        "trigger customers.trg_invoices_set_updated_at: in the database but not in the schema",
    ]
