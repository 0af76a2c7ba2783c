"""seed and prove on tables in PostgreSQL schemas other than public: the rental
twin's ``billing`` tables are filled like the rest, and a big load that drops and
recreates keys and indexes puts them back in their own schema, unchanged."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from migration_harness import alembic, schemagen, write_schema
from pgcluster import PgCluster
from pgdump import schema_dump
from schemagen.model.schema import Column
from schemagen.seed import run as seed_run
from schemagen.seed.run import seed_connection
from seed_checks import project_schema, prove_cli, table_digest, violations

RENTAL = Path(__file__).resolve().parents[1] / "fixtures" / "rental"


def stamped(column: Column) -> bool:
    return column.on_update_now


def test_the_rental_twin_seeds_its_billing_schema_within_every_constraint(
    pg: PgCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "rental"
    write_schema(root, {p.name: p.read_text() for p in (RENTAL / "schema").glob("*.yaml")})
    schemagen(root, "migrate", "-m", "rental")
    schema = project_schema(root)
    assert schema.pg_schemas  # the twin has tables outside public
    # Every table takes the big-load path: its keys, foreign keys and indexes are
    # dropped and made again after the rows, in the schema they belong to.
    monkeypatch.setattr(seed_run, "BULK_ROWS", 1)
    digests = []
    for name in ("seed_a", "seed_b"):
        db = pg.create_database(f"rental_{name}")
        alembic(root, pg.url(db), "upgrade", "head")
        before = schema_dump(pg, db)
        with psycopg.connect(pg.libpq_url(db)) as conn:
            result = seed_connection(conn, schema, rows=40, seed=5)
            assert violations(conn, schema) == []
            billing = [e for e in schema.entities if e.table.startswith("billing.")]
            assert billing and all(table_digest(conn, e)[0] > 0 for e in billing)
            # bookings' deferred self-reference is filled by an UPDATE, which the
            # on_update_now trigger stamps with the transaction's time: left out.
            digests.append(
                {e.table: table_digest(conn, e, skip=stamped) for e in schema.entities}
            )
        seeded = {t.table for t in result.tables if t.rows}
        assert {e.table for e in billing} <= seeded
        assert schema_dump(pg, db) == before  # nothing left out or moved to public
    differ = sorted(t for t in digests[0] if digests[0][t] != digests[1][t])
    assert differ == []  # the same rows for the same seed


BILLING = """
database: {name: books, schema: public}
entities:
  Invoice:
    schema: billing
    columns:
      id: {type: integer, primary_key: true}
      customer: {type: string, length: 80}
      total: {type: numeric, precision: 10, scale: 2}
    indexes:
      idx_invoices_customer:
        columns: [customer]
        serves:
          - "SELECT id FROM billing.invoices WHERE customer = 'c-42'"
"""


def test_prove_creates_measures_and_refuses_in_another_schema(
    pg: PgCluster, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": BILLING})
    db = pg.create_database("prove_billing")
    code, out = prove_cli(tmp_path, pg.url(db), "--rows", "20000")
    assert code == 0, out
    assert "billing.invoices.idx_invoices_customer" in out
    assert "1 of 1 declared queries use their index" in out
    with psycopg.connect(pg.libpq_url(db)) as conn:  # hidden in a rolled-back transaction
        row = conn.execute("SELECT to_regclass('billing.idx_invoices_customer') IS NOT NULL")
        assert row.fetchone() == (True,)
    # The tables it made are in billing, not public: a second run must refuse.
    code, out = prove_cli(tmp_path, pg.url(db), "--rows", "10")
    assert code == 2 and "billing.invoices" in out, out
