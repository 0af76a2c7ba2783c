"""check --database and tables without a primary key: no drift after the
migrations on a log holding repeated rows; a primary key that appeared on it by
hand, or vanished from a table that has one, is a finding."""

from __future__ import annotations

from pathlib import Path

from migration_harness import live_findings, migrated_project
from pgcluster import PgCluster

LOGS = """
database: {name: t}
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
  EventLog:
    table: event_log
    primary_key: false
    columns:
      id: {type: bigint}
      store_id: {references: Store}
      note: {type: text, nullable: true}
"""


def test_a_primary_key_that_appears_or_vanishes_is_drift(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    url = pg.url(pg_db)
    root = migrated_project(tmp_path / "p", LOGS, url)
    pg.sql(
        "INSERT INTO stores (id) VALUES (1), (2);"
        "INSERT INTO event_log VALUES (1, 1, 'x'), (1, 1, 'x'), (2, 2, NULL)",
        pg_db,
    )
    assert live_findings(root, url) == []
    pg.sql(
        "DELETE FROM event_log WHERE note IS NOT NULL;"
        "ALTER TABLE event_log ADD CONSTRAINT event_log_pkey PRIMARY KEY (id);"
        "ALTER TABLE stores DROP CONSTRAINT pk_stores CASCADE",
        pg_db,
    )
    assert sorted(live_findings(root, url)) == [
        "foreign key fk_event_log_store_id_stores on event_log: missing from the database",
        "primary key event_log_pkey: in the database but not in the schema (which says "
        "primary_key: false)",
        "primary key of stores: missing from the database",
    ]
