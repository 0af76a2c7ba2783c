"""The by-hand statements ``check --database`` prints run as written whatever the
session's search_path: each names its table or index with its PostgreSQL schema.
A plain INVALID index's ``DROP INDEX CONCURRENTLY "name"`` and a partitioned one's
``DROP INDEX "name"`` named no schema, and a NOT VALID constraint's ``ALTER TABLE``
quoted a table of another schema as one name (``"sales.orders"``): PostgreSQL
refused each (the index or relation does not exist) in a session whose search_path
does not hold the schema. Tables of the current schema are qualified by it too."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
from adopt_harness import new_project, source_database, stamp
from migration_harness import json_findings, schemagen
from pgcluster import PgCluster

SOURCE = """
CREATE SCHEMA sales;
CREATE TABLE sales.orders (id bigint PRIMARY KEY, code text, qty integer,
    CONSTRAINT ck_orders_qty CHECK (qty > 0));
CREATE TABLE sales.events (id bigint NOT NULL, kind text) PARTITION BY LIST (kind);
CREATE TABLE sales.events_a PARTITION OF sales.events FOR VALUES IN ('a');
CREATE TABLE sales.events_rest PARTITION OF sales.events DEFAULT;
CREATE TABLE notes (id bigint PRIMARY KEY, code text, qty integer,
    CONSTRAINT ck_notes_qty CHECK (qty > 0));
INSERT INTO sales.orders VALUES (1, 'x', 1), (2, 'x', NULL), (3, NULL, 2), (4, NULL, 2);
INSERT INTO sales.events VALUES (1, 'a'), (2, 'a'), (3, NULL), (4, 'b');
INSERT INTO notes VALUES (1, 'y', 1), (2, 'y', 1), (3, NULL, NULL);
"""

# what a failed revision leaves: builds CONCURRENTLY that met duplicates, a table's
# ON ONLY index before its partitions' are attached, checks added NOT VALID
BROKEN = (
    "CREATE UNIQUE INDEX CONCURRENTLY uq_orders_code ON sales.orders (code)",
    "CREATE UNIQUE INDEX CONCURRENTLY uq_notes_code ON notes (code)",
    "CREATE INDEX ix_events_kind ON ONLY sales.events (kind)",
    "ALTER TABLE sales.orders DROP CONSTRAINT ck_orders_qty, "
    "ADD CONSTRAINT ck_orders_qty CHECK (qty > 0) NOT VALID",
    "ALTER TABLE notes DROP CONSTRAINT ck_notes_qty, "
    "ADD CONSTRAINT ck_notes_qty CHECK (qty > 0) NOT VALID",
)
BY_HAND = re.compile(
    r"by hand: ((?:DROP INDEX (?:CONCURRENTLY )?|ALTER TABLE )[\w\".]+"
    r"(?: VALIDATE CONSTRAINT \w+)?)"
)


def test_every_by_hand_statement_runs_outside_the_search_path(
    pg: PgCluster, tmp_path: Path
) -> None:
    with source_database(pg, "qualified", SOURCE) as source:
        root = new_project(tmp_path / "p")
        url = pg.url(source)
        schemagen(root, "import", "--schema=public", "--schema=sales", "--database", url)
        schemagen(root, "build")
        schemagen(root, "migrate", "-m", "initial")
        stamp(root, url)
        with psycopg.connect(pg.libpq_url(source), autocommit=True) as conn:
            for sql in BROKEN:
                try:
                    conn.execute(sql)
                except psycopg.errors.UniqueViolation:
                    pass  # the INVALID index stays
        hints = [f["hint"] for f in json_findings(root, url)]
        statements = sorted(m.group(1) for h in hints for m in BY_HAND.finditer(h))
        assert statements == [
            "ALTER TABLE public.notes VALIDATE CONSTRAINT ck_notes_qty",
            "ALTER TABLE sales.orders VALIDATE CONSTRAINT ck_orders_qty",
            "DROP INDEX CONCURRENTLY public.uq_notes_code",
            "DROP INDEX CONCURRENTLY sales.uq_orders_code",
            "DROP INDEX sales.ix_events_kind",
        ], hints
        # run as printed, in sessions that find neither schema's names
        for statement in statements:
            with psycopg.connect(pg.libpq_url(source), autocommit=True) as conn:
                conn.execute("SET search_path = pg_catalog")
                conn.execute(statement)
        assert json_findings(root, url) == []
        # the rows are kept, and the checks now hold for every row
        rows = pg.sql(
            "SELECT count(*) FROM sales.orders UNION ALL SELECT count(*) FROM notes", source
        )
        assert rows.split() == ["4", "3"]
        assert (
            pg.sql(
                "SELECT count(*) FROM pg_constraint"
                " WHERE conname IN ('ck_orders_qty', 'ck_notes_qty') AND convalidated",
                source,
            ).strip()
            == "2"
        )
