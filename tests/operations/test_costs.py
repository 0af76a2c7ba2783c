"""Every row of the cost table (``schemagen.operations.costs.FACTS``) holds on PostgreSQL.

For each kind of step, a real statement of that kind runs on a table of 200
rows while a second session reads ``pg_locks``:

- a transactional statement runs in an open transaction; the second session
  sees the strongest lock it holds on the table; the transaction's own
  ``pg_stat_xact_user_tables.seq_scan`` says whether it scanned the table;
- a ``CONCURRENTLY`` statement (no transaction allowed) waits behind a third
  session holding ``ACCESS EXCLUSIVE``; the second session sees the mode it
  waits for.

A changed ``relfilenode`` is a rewrite. Plan lines and revision docstrings
print these facts, so a wrong row would mislead every user who reads a plan.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from pgcluster import PgCluster
from schemagen.operations.costs import FACTS

SETUP = """
CREATE TABLE r (id int PRIMARY KEY);
INSERT INTO r SELECT g FROM generate_series(1, 200) g;
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c varchar(10), n int, r_id int);
INSERT INTO t SELECT g, g, 'x' || g, 'c', g, g FROM generate_series(1, 200) g;
CREATE INDEX t_a ON t (a);
ALTER TABLE t ADD CONSTRAINT t_ck CHECK (a > 0) NOT VALID;
CREATE UNIQUE INDEX t_ux ON t (n);
CREATE TYPE e AS ENUM ('x', 'y');
"""

# kind -> (statements run first, the statement measured, the relation it locks)
STATEMENTS: dict[str, tuple[str, str, str]] = {
    "create table": ("", "CREATE TABLE t2 (id int)", "t2"),
    "drop table": ("", "DROP TABLE t", "t"),
    "rename table": ("", "ALTER TABLE t RENAME TO t3", "t"),
    "table comment": ("", "COMMENT ON TABLE t IS 'x'", "t"),
    "add column": ("", "ALTER TABLE t ADD COLUMN z int NOT NULL DEFAULT 0", "t"),
    "add column, volatile default": (
        "", "ALTER TABLE t ADD COLUMN z uuid NOT NULL DEFAULT gen_random_uuid()", "t"
    ),
    "drop column": ("", "ALTER TABLE t DROP COLUMN b", "t"),
    "rename column": ("", "ALTER TABLE t RENAME COLUMN b TO b2", "t"),
    "alter column default or comment": ("", "ALTER TABLE t ALTER COLUMN a SET DEFAULT 1", "t"),
    "alter column type, binary compatible": (
        "", "ALTER TABLE t ALTER COLUMN c TYPE varchar(20)", "t"
    ),
    "alter column type": ("", "ALTER TABLE t ALTER COLUMN a TYPE bigint", "t"),
    "set not null": ("", "ALTER TABLE t ALTER COLUMN a SET NOT NULL", "t"),
    "drop not null": (
        "ALTER TABLE t ALTER COLUMN n SET NOT NULL",
        "ALTER TABLE t ALTER COLUMN n DROP NOT NULL",
        "t",
    ),
    "drop not null, online": (
        "ALTER TABLE t ALTER COLUMN n SET NOT NULL",
        "ALTER TABLE t ALTER COLUMN n DROP NOT NULL",
        "t",
    ),
    "backfill NULLs": ("", "UPDATE t SET b = 'y' WHERE b IS NULL", "t"),
    "add check": ("", "ALTER TABLE t ADD CONSTRAINT ck2 CHECK (n > 0)", "t"),
    "add foreign key": (
        "", "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (r_id) REFERENCES r (id)", "t"
    ),
    "add unique": ("", "ALTER TABLE t ADD CONSTRAINT uq UNIQUE (a)", "t"),
    "add check NOT VALID": ("", "ALTER TABLE t ADD CONSTRAINT ck2 CHECK (n > 0) NOT VALID", "t"),
    "add foreign key NOT VALID": (
        "", "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (r_id) REFERENCES r (id) NOT VALID", "t"
    ),
    "validate constraint": ("", "ALTER TABLE t VALIDATE CONSTRAINT t_ck", "t"),
    "create unique index concurrently": ("", "CREATE UNIQUE INDEX CONCURRENTLY ux2 ON t (a)", "t"),
    "attach unique index": ("", "ALTER TABLE t ADD CONSTRAINT t_ux UNIQUE USING INDEX t_ux", "t"),
    "set not null, validated check": (
        "ALTER TABLE t ADD CONSTRAINT nn CHECK (a IS NOT NULL)",
        "ALTER TABLE t ALTER COLUMN a SET NOT NULL",
        "t",
    ),
    "drop constraint": ("", "ALTER TABLE t DROP CONSTRAINT t_ck", "t"),
    "drop constraint, online": ("", "ALTER TABLE t DROP CONSTRAINT IF EXISTS t_ck", "t"),
    "create index": ("", "CREATE INDEX ix2 ON t (b)", "t"),
    "create index concurrently": ("", "CREATE INDEX CONCURRENTLY ix2 ON t (b)", "t"),
    "drop index": ("", "DROP INDEX t_a", "t"),
    "drop index concurrently": ("", "DROP INDEX CONCURRENTLY t_a", "t"),
    "rename constraint": ("", "ALTER TABLE t RENAME CONSTRAINT t_ck TO t_ck2", "t"),
    "rename index": ("", "ALTER INDEX t_a RENAME TO t_a2", "t"),
    "add primary key": (
        "ALTER TABLE t DROP CONSTRAINT t_pkey", "ALTER TABLE t ADD PRIMARY KEY (id)", "t"
    ),
    "drop primary key": ("", "ALTER TABLE t DROP CONSTRAINT t_pkey", "t"),
    "enum type or value": ("", "ALTER TYPE e ADD VALUE 'z'", "t"),
    "swap enum type of columns": (
        "ALTER TABLE t ADD COLUMN s e DEFAULT 'x'",
        "ALTER TABLE t ALTER COLUMN s TYPE text USING s::text",
        "t",
    ),
    "extension": ("", "CREATE EXTENSION IF NOT EXISTS pg_trgm", "t"),
    "function": ("", "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'", "t"),
    "create view": ("", "CREATE VIEW v AS SELECT a FROM t", "t"),
    "create materialized view": ("", "CREATE MATERIALIZED VIEW mv AS SELECT a FROM t", "t"),
    "drop view": ("CREATE VIEW v AS SELECT a FROM t", "DROP VIEW v", "t"),
    "create trigger": (
        "CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'",
        "CREATE TRIGGER tg BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION tf()",
        "t",
    ),
    "drop trigger": (
        "CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';"
        "CREATE TRIGGER tg BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION tf()",
        "DROP TRIGGER tg ON t",
        "t",
    ),
    "sequence": ("", "CREATE SEQUENCE s2 START WITH 5", "t"),
    "add generated column": (
        "", "ALTER TABLE t ADD COLUMN g bigint GENERATED ALWAYS AS (id * 2) STORED", "t"
    ),
}

#: Table lock modes, weakest first.
MODES = (
    "AccessShareLock", "RowShareLock", "RowExclusiveLock", "ShareUpdateExclusiveLock",
    "ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock",
)
LOCKS_OF = """
SELECT mode FROM pg_locks
WHERE pid = %s AND locktype = 'relation' AND relation = %s AND granted = %s
"""


@pytest.fixture(scope="module")
def database(pg: PgCluster) -> Iterator[str]:
    """One database for the module (CREATE DATABASE costs most of a second)."""
    name = pg.create_database("costs")
    try:
        yield pg.libpq_url(name)
    finally:
        pg.drop_database(name)


@pytest.fixture
def conninfo(database: str) -> str:
    """The database with a fresh public schema holding :data:`SETUP`."""
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        conn.execute(SETUP)
    return database


def _oid(conn: psycopg.Connection[Any], name: str) -> int | None:
    row = conn.execute("SELECT to_regclass(%s)::oid", (name,)).fetchone()
    return row[0] if row else None


def _filenode(conn: psycopg.Connection[Any], oid: int) -> int | None:
    row = conn.execute("SELECT relfilenode FROM pg_class WHERE oid = %s", (oid,)).fetchone()
    return row[0] if row else None


def _strongest(modes: list[str]) -> str:
    return max(modes, key=MODES.index) if modes else ""


def _holds(url: str, statement: str, relation: str) -> tuple[str, bool, int | None, int]:
    """Run ``statement`` in an open transaction: (strongest lock, scanned, oid, pid)."""
    with psycopg.connect(url) as ddl, psycopg.connect(url, autocommit=True) as watcher:
        oid = _oid(watcher, relation)
        ddl.execute(statement)
        oid = oid or _oid(ddl, relation)
        pid = ddl.info.backend_pid
        modes = [m for (m,) in watcher.execute(LOCKS_OF, (pid, oid, True)).fetchall()]
        row = ddl.execute(
            "SELECT coalesce(sum(seq_scan), 0) FROM pg_stat_xact_user_tables WHERE relid = %s",
            (oid,),
        ).fetchone()
        scanned = bool(row and row[0])
        ddl.commit()
    return _strongest(modes), scanned, oid, pid


def _waits(url: str, statement: str, relation: str) -> str:
    """Run ``statement`` outside a transaction while another session holds ACCESS
    EXCLUSIVE on ``relation``; return the lock mode it waits for."""
    with psycopg.connect(url) as blocker, psycopg.connect(url, autocommit=True) as watcher:
        oid = _oid(watcher, relation)
        blocker.execute(f"LOCK TABLE {relation} IN ACCESS EXCLUSIVE MODE")
        ddl = psycopg.connect(url, autocommit=True)
        pid = ddl.info.backend_pid
        worker = threading.Thread(target=ddl.execute, args=(statement,))
        worker.start()
        waiting: list[str] = []
        deadline = time.monotonic() + 10
        while not waiting and time.monotonic() < deadline:
            waiting = [m for (m,) in watcher.execute(LOCKS_OF, (pid, oid, False)).fetchall()]
            time.sleep(0.02)
        blocker.rollback()
        worker.join(30)
        ddl.close()
    return _strongest(waiting)


def test_the_table_names_every_kind_once() -> None:
    assert sorted(STATEMENTS) == sorted(FACTS)


@pytest.mark.parametrize("kind", sorted(FACTS))
def test_fact_holds_on_postgresql(conninfo: str, kind: str) -> None:
    fact = FACTS[kind]
    before, statement, relation = STATEMENTS[kind]
    with psycopg.connect(conninfo, autocommit=True) as conn:
        if before:
            conn.execute(before)
        oid = _oid(conn, relation)
        node_before = _filenode(conn, oid) if oid else None
    if "CONCURRENTLY" in statement:
        lock, scanned = _waits(conninfo, statement, relation), None
    else:
        lock, scanned, oid, _ = _holds(conninfo, statement, relation)
    assert lock == fact.lock, f"{kind}: {statement} takes {lock or 'no lock'}"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        node_after = _filenode(conn, oid) if oid else None
    rewrote = node_before is not None and node_after is not None and node_after != node_before
    assert rewrote == (fact.effect == "rewrites"), f"{kind}: rewrote={rewrote}"
    if scanned is not None and fact.effect != "rewrites":
        assert scanned == (fact.effect == "scans"), f"{kind}: scanned={scanned}"
