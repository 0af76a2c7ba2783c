"""seed fills tables without a primary key (``primary_key: false``): their rows
keep the foreign keys, unique keys and checks, may repeat elsewhere, and a table
that references such a table through its unique column picks existing values."""

from __future__ import annotations

from pathlib import Path

import pytest
from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed import run as seed_run
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, violations

SCHEMA = """
database: {name: logs}
enums:
  Level: {values: [info, warn]}
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
      code: {type: string, length: 8, unique: true}
  EventLog:
    table: event_log
    primary_key: false
    columns:
      store_id: {references: Store}
      store_code: {references: Store.code, nullable: true}
      level: {type: enum, enum: Level}
      batch: {type: smallint}
      ref: {type: uuid, unique: true}
    checks:
      ck_event_log_batch: "batch >= 0"
  Mirror:
    columns:
      id: {type: bigint, primary_key: true}
      log_ref: {references: EventLog.ref}
"""


@pytest.mark.parametrize("bulk", [False, True])
def test_keyless_tables_are_seeded_within_their_constraints(
    pg: PgCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bulk: bool
) -> None:
    if bulk:  # keys, foreign keys and indexes taken off and made again after the rows
        monkeypatch.setattr(seed_run, "BULK_ROWS", 1)
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    db = pg.create_database()
    try:
        with created(pg, db, tmp_path) as conn:
            result = seed_connection(conn, schema, rows=300, seed=5)
            rows = {t.table: t.rows for t in result.tables}
            assert sorted(rows) == ["event_log", "mirrors", "stores"] and min(rows.values()) > 0
            assert violations(conn, schema) == []
            # not unique: (store_id, level) repeats, as a log's rows do
            row = conn.execute(
                "SELECT count(*), count(DISTINCT (store_id, level)) FROM event_log"
            ).fetchone()
            assert row is not None and row[0] == rows["event_log"] and row[1] < row[0]
            missing = conn.execute(
                "SELECT count(*) FROM mirrors m LEFT JOIN event_log e ON e.ref = m.log_ref "
                "WHERE e.ref IS NULL"
            ).fetchone()
            assert missing == (0,)
    finally:
        pg.drop_database(db)


THREADED = """
database: {name: logs}
entities:
  Message:
    primary_key: false
    columns:
      uid: {type: uuid, unique: true}
      reply_to: {references: Message.uid, nullable: true}
      body: {type: text}
"""


def test_a_keyless_table_that_references_itself_is_seeded(pg: PgCluster, tmp_path: Path) -> None:
    """The self reference is filled after the rows (a deferred foreign key): rows
    without a key are told apart by their ctid within the seed's transaction."""
    write_schema(tmp_path, {"schema.yaml": THREADED})
    schema = project_schema(tmp_path)
    db = pg.create_database()
    try:
        with created(pg, db, tmp_path) as conn:
            seed_connection(conn, schema, rows=200, seed=2)
            assert violations(conn, schema) == []
            row = conn.execute(
                "SELECT count(*), count(reply_to), count(DISTINCT reply_to) FROM messages"
            ).fetchone()
            assert row is not None and row[0] == 200 and 0 < row[1] < 200 and row[2] > 1
    finally:
        pg.drop_database(db)
