"""A unique key that holds the column seed routes rows into partitions by: seed gives
that column a generator of its own (a value inside partition ``n mod k``: see
partitions.routed), and unique_carriers took it for the user's, whose generator
answers for its key, so no column of the key was built from ``n``: a payment's
``id`` was drawn at random, and rows repeated ``(id, paid_on)`` as soon as a few
hundred were asked (measured on corpus case 66: seeds 1 and 2 of 200 rows failed,
'duplicate key value violates unique constraint "payments_2026_02_pkey"'). The key's
other column now carries it, as in a table without partitions."""

from __future__ import annotations

from pathlib import Path

from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, violations

SCHEMA = """
database: {name: ledger}
entities:
  Payment:
    primary_key: [id, paid_on]
    columns:
      id: {type: bigint, primary_key: true}
      paid_on: {type: date, primary_key: true}
      note: {type: text, nullable: true}
    partition_by: {range: [paid_on]}
    partitions:
      payments_2026_01: {from: "2026-01-01", to: "2026-02-01"}
      payments_2026_02: {from: "2026-02-01", to: "2026-03-01"}
"""


def test_a_key_over_the_routed_column_is_carried_by_its_other_column(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        seed_connection(conn, schema, rows_per={"payments": 2_000}, seed=1)
        seed_connection(conn, schema, rows_per={"payments": 2_000}, seed=2, append=True)
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(*), count(DISTINCT id), count(*) FILTER (WHERE tableoid = "
            "'payments_2026_01'::regclass) FROM payments"
        ).fetchone()
    assert row == (4_000, 4_000, 2_000)
