"""seed on a table whose partitions are partitioned in turn: rows routed by the
table's key land in sub-partitions that take any row (a DEFAULT one, hash partitions
covering every remainder); a partitioned partition that takes only some rows is named
before anything is written, with the way out."""

from __future__ import annotations

from pathlib import Path

import pytest
from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.plan import SeedError
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema

SCHEMA = """
database: {name: ledger}
entities:
  Entry:
    primary_key: [id, booked_on, region]
    columns:
      id: {type: bigint, primary_key: true}
      booked_on: {type: date, primary_key: true}
      region: {type: string, length: 4, primary_key: true}
      amount: {type: integer, nullable: true}
    partition_by: {range: [booked_on]}
    partitions:
      entries_q1:
        from: 2026-01-01
        to: 2026-04-01
        partition_by: {list: [region]}
        partitions:
          entries_q1_eu: {in: [de, fr]}
          entries_q1_rest: {%s}
      entries_q2:
        from: 2026-04-01
        to: 2026-07-01
        partition_by: {hash: [id]}
        partitions:
          entries_q2_0: {modulus: 2, remainder: 0}
          entries_q2_1: {modulus: 2, remainder: 1}
"""


def test_rows_reach_sub_partitions(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA % "default: true"})
    with created(pg, pg_db, tmp_path) as conn:
        seed_connection(conn, project_schema(tmp_path), rows=200, seed=3)
        rows = dict(
            conn.execute(
                "SELECT tableoid::regclass::text, count(*) FROM entries GROUP BY 1"
            ).fetchall()
        )
        assert sum(rows.values()) == 200
        assert rows["entries_q1_rest"] > 0  # seed's text values are no listed region
        assert rows["entries_q2_0"] > 0 and rows["entries_q2_1"] > 0


def test_a_partition_taking_some_rows_is_named(pg: PgCluster, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA % "in: [us]"})
    db = pg.create_database()
    try:
        with created(pg, db, tmp_path) as conn:
            with pytest.raises(SeedError) as info:
                seed_connection(conn, project_schema(tmp_path), rows=10)
            message = str(info.value)
            assert message.startswith(
                "cannot seed entries: its partition entries_q1 is partitioned by LIST (region)"
            ), message
            assert "entities.Entry.partitions.entries_q1" in message
            assert conn.execute("SELECT count(*) FROM entries").fetchone() == (0,)
    finally:
        pg.drop_database(db)
