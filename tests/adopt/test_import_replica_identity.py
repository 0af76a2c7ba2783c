"""``schemagen import`` of REPLICA IDENTITY: FULL, NOTHING and USING INDEX (what
logical replication and Debezium send of a changed row) are written as
``replica_identity:`` where they were listed as not expressible, so an adopted
database checks clean and a fresh copy dumps exactly like it. Only what
PostgreSQL keeps apart from the rows stays listed: a partitioned table's (its
partitions do not take it), and USING INDEX an index dropped since."""

from __future__ import annotations

from pathlib import Path

from adopt_harness import (
    new_project,
    not_expressible,
    round_trip,
    source_database,
    written_schema,
)
from migration_harness import schemagen
from pgcluster import PgCluster

SOURCE = """
CREATE TABLE events (id bigint PRIMARY KEY, code text NOT NULL, note text);
CREATE UNIQUE INDEX events_code ON events (code);
ALTER TABLE events REPLICA IDENTITY USING INDEX events_code;
CREATE TABLE accounts (id bigint PRIMARY KEY, handle text NOT NULL UNIQUE);
ALTER TABLE accounts REPLICA IDENTITY USING INDEX accounts_handle_key;
CREATE TABLE scratch (id bigint PRIMARY KEY, note text);
ALTER TABLE scratch REPLICA IDENTITY NOTHING;
CREATE TABLE statuses (id bigint PRIMARY KEY, body text);
ALTER TABLE statuses REPLICA IDENTITY FULL;
CREATE TABLE plain (id bigint PRIMARY KEY);
INSERT INTO events VALUES (1, 'a', NULL), (2, 'b', NULL), (3, 'c', 'x');
INSERT INTO accounts VALUES (1, 'h1'), (2, 'h2');
INSERT INTO scratch VALUES (1, NULL), (2, NULL);
INSERT INTO statuses VALUES (1, 'x'), (2, 'x'), (3, NULL);
"""


def test_replica_identities_are_written_and_round_trip(pg: PgCluster, tmp_path: Path) -> None:
    with source_database(pg, "replident", SOURCE) as source:
        # import, build, migrate, check --database clean, a fresh copy dumps the same
        root = round_trip(pg, source, tmp_path / "p", "replica identities")
        written = written_schema(root)
        for said in (
            "    replica_identity:\n      index: events_code\n",
            "    replica_identity:\n      index: accounts_handle_key\n",
            "    replica_identity: nothing\n",
            "    replica_identity: full\n",
        ):
            assert said in written, said
        assert written.count("replica_identity") == 4
        # drift after the import is found: the identity rebuilt databases lost before
        pg.sql("ALTER TABLE statuses REPLICA IDENTITY DEFAULT", source)
        out = schemagen(root, "check", "--no-cache", "--database", pg.url(source), expect_exit=1)
        found = "table statuses: replica identity is default in the database, full in the schema"
        assert found in out, out


def test_identities_postgresql_keeps_apart_from_the_rows_are_listed(
    pg: PgCluster, tmp_path: Path
) -> None:
    sql = (
        "CREATE TABLE payments (id bigint NOT NULL, paid_on date NOT NULL,"
        " PRIMARY KEY (id, paid_on)) PARTITION BY RANGE (paid_on);"
        "CREATE TABLE payments_2024 PARTITION OF payments"
        " FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"
        "ALTER TABLE payments REPLICA IDENTITY FULL;"
        "INSERT INTO payments VALUES (1, '2024-02-01'), (2, '2024-02-01');"
        "CREATE TABLE events (id bigint PRIMARY KEY, code text NOT NULL);"
        "CREATE UNIQUE INDEX events_code ON events (code);"
        "ALTER TABLE events REPLICA IDENTITY USING INDEX events_code;"
        "DROP INDEX events_code;"  # PostgreSQL keeps 'i': nothing is sent
        "INSERT INTO events VALUES (1, 'a'), (2, 'a')"
    )
    with source_database(pg, "replident_apart", sql) as source:
        out = schemagen(new_project(tmp_path / "p"), "import", "--database", pg.url(source),
                        expect_exit=1)  # fmt: skip
    assert not_expressible(out) == [
        "not expressible: replica identity of table events: USING INDEX (an index dropped since)",
        "not expressible: replica identity of table payments: FULL",
    ]
