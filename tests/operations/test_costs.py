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

import dataclasses
import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from pgcluster import PgCluster
from schema_fixtures import schema
from schemagen.model.bounds import bound_condition
from schemagen.model.pgtypes import parse_type_name
from schemagen.model.schema import (
    CheckConstraint,
    Entity,
    ForeignKey,
    Partition,
    PartitionKey,
    PrimaryKey,
    UniqueConstraint,
)
from schemagen.operations.constraint import (
    AddConstraint,
    AlterForeignKeyDeferral,
    DropConstraint,
    ReplaceForeignKey,
)
from schemagen.operations.costs import (
    FACTS,
    REFERENCED,
    Cost,
    binary_compatible,
    cost_line,
    live_warning,
    steps,
)
from schemagen.operations.partition import AddBoundCheck
from schemagen.operations.table import AddPrimaryKey, CreateTable, DropTable
from schemagen.operations.typechange import IN_UTC, ZONE_RESTORED, is_narrowing, pg_type_name
from schemagen.revision.constraints import key_rows_sql
from schemagen.revision.partitions import render_operation
from schemagen.revision.render import Guarded
from schemagen.revision.validation import repeated_rows_sql
from schemagen.util.pycode import Call, Str

SETUP = """
CREATE TABLE r (id int PRIMARY KEY);
INSERT INTO r SELECT g FROM generate_series(1, 200) g;
CREATE DOMAIN pos AS int;
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c varchar(10), n int, r_id int, p pos);
INSERT INTO t SELECT g, g, 'x' || g, 'c', g, g, g FROM generate_series(1, 200) g;
CREATE INDEX t_a ON t (a);
ALTER TABLE t ADD CONSTRAINT t_ck CHECK (a > 0) NOT VALID;
CREATE UNIQUE INDEX t_ux ON t (n);
CREATE TYPE e AS ENUM ('x', 'y');
CREATE TABLE pt (id int, k int NOT NULL) PARTITION BY RANGE (k);
CREATE TABLE pt1 PARTITION OF pt FOR VALUES FROM (0) TO (100);
INSERT INTO pt SELECT g, g % 100 FROM generate_series(1, 200) g;
"""

#: timestamp -> timestamptz as a revision runs it: read in UTC, the session's zone restored.
ZONED_ALTER = "; ".join(
    (
        *IN_UTC,
        "ALTER TABLE t ALTER COLUMN {column} TYPE timestamp with time zone"
        " USING {column}::timestamp with time zone",
        ZONE_RESTORED,
    )
)

HOURLY = "UPDATE t SET ts = '2024-03-31 00:30'::timestamp + id * interval '1h'"

FK = "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (r_id) REFERENCES r (id)"
#: a foreign key's new ON DELETE as a revision swaps it in (revision.render, ReplaceForeignKey)
SWAP = (
    "ALTER TABLE t DROP CONSTRAINT IF EXISTS fk, ADD CONSTRAINT fk FOREIGN KEY (r_id) "
    "REFERENCES r (id) ON DELETE CASCADE NOT VALID"
)

#: a moved partition's bound proven ahead as its drops revision proves it (AddBoundCheck):
#: PostgreSQL's own constraint of the partition where it is, added NOT VALID and validated
BOUND_CHECK = (
    "DO $$BEGIN EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I CHECK (%s) NOT VALID', "
    "'pt1'::regclass, 'pt1_move_bound', pg_get_partition_constraintdef('pt1'::regclass)); "
    "END$$; ALTER TABLE pt1 VALIDATE CONSTRAINT pt1_move_bound"
)

#: a partition's new bound, under a key over t's n and pt's k (the rebound's measures)
KEY_N = PartitionKey("range", ("n",))
NEW_BOUND = Partition("pt1", start=("0",), end=("60",))
#: the bound of a partition made beside pt's DEFAULT partition, as SQL
NEW_PT2 = bound_condition(
    PartitionKey("range", ("k",)), Partition("pt2", start=("100",), end=("200",))
)

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
    "alter identity": (
        "ALTER TABLE t ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY",
        "ALTER TABLE t ALTER COLUMN id SET GENERATED ALWAYS SET INCREMENT BY 5 SET CACHE 2",
        "t",
    ),
    "alter column type, binary compatible": (
        "", "ALTER TABLE t ALTER COLUMN c TYPE varchar(20)", "t"
    ),
    "alter column type": ("", "ALTER TABLE t ALTER COLUMN a TYPE bigint", "t"),
    # as a revision says it, from a session whose TimeZone is not UTC (Berlin)
    "alter column type, time zone read as UTC": (
        f"ALTER TABLE t ADD COLUMN ts timestamp; {HOURLY}",
        f"SET TimeZone = 'Europe/Berlin'; {ZONED_ALTER.format(column='ts')}",
        "t",
    ),
    "alter column type, time zone read as UTC, indexed": (
        f"ALTER TABLE t ADD COLUMN ts timestamp; {HOURLY}; CREATE INDEX t_ts ON t (ts)",
        f"SET TimeZone = 'Europe/Berlin'; {ZONED_ALTER.format(column='ts')}",
        "t",
    ),
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
    "add exclusion constraint": (
        "", "ALTER TABLE t ADD CONSTRAINT ex EXCLUDE USING btree (a WITH =)", "t"
    ),
    "add check NOT VALID": ("", "ALTER TABLE t ADD CONSTRAINT ck2 CHECK (n > 0) NOT VALID", "t"),
    "add foreign key NOT VALID": (
        "", "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (r_id) REFERENCES r (id) NOT VALID", "t"
    ),
    "swap foreign key NOT VALID": (FK, SWAP, "t"),
    "swap check NOT VALID": (
        "",
        "ALTER TABLE t DROP CONSTRAINT IF EXISTS t_ck, ADD CONSTRAINT t_ck CHECK (a > 1) NOT VALID",
        "t",
    ),
    "alter foreign key deferrability": (
        FK, "ALTER TABLE t ALTER CONSTRAINT fk DEFERRABLE INITIALLY DEFERRED", "t"
    ),
    "validate constraint": ("", "ALTER TABLE t VALIDATE CONSTRAINT t_ck", "t"),
    "create unique index concurrently": ("", "CREATE UNIQUE INDEX CONCURRENTLY ux2 ON t (a)", "t"),
    "attach unique index": ("", "ALTER TABLE t ADD CONSTRAINT t_ux UNIQUE USING INDEX t_ux", "t"),
    "find repeated keys": (
        "",
        repeated_rows_sql("t", UniqueConstraint("t_uq", ("a", "b")), "false"),
        "t",
    ),
    "find repeated keys, in the transaction": (
        "",
        repeated_rows_sql("t", UniqueConstraint("t_uq", ("a", "b")), "false"),
        "t",
    ),
    # as a revision searches before a primary key rebuilt from (id) over (a, b)
    "find NULL or repeated keys, in the transaction": (
        "",
        key_rows_sql(AddPrimaryKey("t", PrimaryKey("t_pk", ("a", "b")), other=("id",))),
        "t",
    ),
    # as a drops revision searches before a partitioned table's key is built partition
    # by partition (PrebuildPrimaryKeyIndexes)
    "find NULL or repeated keys": (
        "",
        key_rows_sql(AddPrimaryKey("t", PrimaryKey("t_pk", ("a", "b")), other=("id",))),
        "t",
    ),
    # as a revision swaps a unique for one over other columns (ReplaceUnique)
    "swap unique USING INDEX": (
        "ALTER TABLE t ADD CONSTRAINT t_uq UNIQUE (a); CREATE UNIQUE INDEX t_uq_swap ON t (a, n)",
        "ALTER TABLE t DROP CONSTRAINT IF EXISTS t_uq, ADD CONSTRAINT t_uq UNIQUE USING INDEX "
        "t_uq_swap",
        "t",
    ),
    # the same in the transaction, the index built concurrently before it
    # (PrebuildUniqueIndex, then ReplaceUnique prebuilt)
    # as a revision adds a unique whose index PrebuildUniqueIndex built before it
    "attach unique index, in the transaction": (
        "",
        "ALTER TABLE t ADD CONSTRAINT t_ux UNIQUE USING INDEX t_ux",
        "t",
    ),
    "swap unique USING INDEX, in the transaction": (
        "ALTER TABLE t ADD CONSTRAINT t_uq UNIQUE (a); CREATE UNIQUE INDEX t_uq_swap ON t (a, n)",
        "ALTER TABLE t DROP CONSTRAINT t_uq, ADD CONSTRAINT t_uq UNIQUE USING INDEX t_uq_swap",
        "t",
    ),
    "swap unique": (
        "ALTER TABLE t ADD CONSTRAINT t_uq UNIQUE (a)",
        "ALTER TABLE t DROP CONSTRAINT t_uq, ADD CONSTRAINT t_uq UNIQUE (a, n)",
        "t",
    ),
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
    "create index on only the partitioned table": ("", "CREATE INDEX pt_ix ON ONLY pt (id)", "pt"),
    "create index concurrently on each partition": (
        "", "CREATE INDEX CONCURRENTLY ON pt1 (id)", "pt1"
    ),
    "attach each partition's index": (
        "CREATE INDEX pt_ix ON ONLY pt (id); CREATE INDEX pt1_ix ON pt1 (id)",
        "ALTER INDEX pt_ix ATTACH PARTITION pt1_ix",
        "pt1",
    ),
    "create unique index concurrently on each partition": (
        "", "CREATE UNIQUE INDEX CONCURRENTLY ON pt1 (id, k)", "pt1"
    ),
    "make each partition's unique index its constraint": (
        "CREATE UNIQUE INDEX pt1_id_k_key ON pt1 (id, k)",
        "ALTER TABLE pt1 ADD CONSTRAINT pt1_id_k_key UNIQUE USING INDEX pt1_id_k_key",
        "pt1",
    ),
    # the table's lock; its partition is not read (test_partitioned_unique_built_online
    # shows each partition's index kept, not built again)
    "add unique attaching the partitions' constraints": (
        "CREATE UNIQUE INDEX pt1_id_k_key ON pt1 (id, k); "
        "ALTER TABLE pt1 ADD CONSTRAINT pt1_id_k_key UNIQUE USING INDEX pt1_id_k_key",
        "ALTER TABLE pt ADD CONSTRAINT pt_uq UNIQUE (id, k)",
        "pt",
    ),
    # a partitioned table's new primary key (PrebuildPrimaryKeyIndexes, AddPrimaryKey
    # prebuilt): its columns NOT NULL, as a key's are
    "make each partition's index its primary key, in the transaction": (
        "ALTER TABLE pt ALTER COLUMN id SET NOT NULL; "
        "CREATE UNIQUE INDEX pt1_id_k_key ON pt1 (id, k)",
        "ALTER TABLE pt1 ADD CONSTRAINT pt1_pkey PRIMARY KEY USING INDEX pt1_id_k_key",
        "pt1",
    ),
    "add primary key attaching the partitions' keys, in the transaction": (
        "ALTER TABLE pt ALTER COLUMN id SET NOT NULL; "
        "CREATE UNIQUE INDEX pt1_id_k_key ON pt1 (id, k); "
        "ALTER TABLE pt1 ADD CONSTRAINT pt1_pkey PRIMARY KEY USING INDEX pt1_id_k_key",
        "ALTER TABLE pt ADD PRIMARY KEY (id, k)",
        "pt",
    ),
    "drop index, online": ("CREATE INDEX pt_ix ON pt (id)", "DROP INDEX IF EXISTS pt_ix", "pt1"),
    "rename constraint": ("", "ALTER TABLE t RENAME CONSTRAINT t_ck TO t_ck2", "t"),
    "rename index": ("", "ALTER INDEX t_a RENAME TO t_a2", "t"),
    "add primary key": (
        "ALTER TABLE t DROP CONSTRAINT t_pkey", "ALTER TABLE t ADD PRIMARY KEY (id)", "t"
    ),
    "drop primary key": ("", "ALTER TABLE t DROP CONSTRAINT t_pkey", "t"),
    "enum type or value": ("", "ALTER TYPE e ADD VALUE 'z'", "t"),
    "move domain": ("CREATE SCHEMA IF NOT EXISTS moved", "ALTER DOMAIN pos SET SCHEMA moved", "t"),
    "rename domain": ("", "ALTER DOMAIN pos RENAME TO pos2", "t"),
    "move sequence": (
        "CREATE SEQUENCE s3; ALTER TABLE t ADD COLUMN q bigint DEFAULT nextval('s3');"
        " CREATE SCHEMA IF NOT EXISTS moved",
        "ALTER SEQUENCE s3 SET SCHEMA moved",
        "t",
    ),
    "move enum type": (
        "ALTER TABLE t ADD COLUMN s e DEFAULT 'x'; CREATE SCHEMA IF NOT EXISTS moved",
        "ALTER TYPE e SET SCHEMA moved",
        "t",
    ),
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
    "row level security": ("", "ALTER TABLE t ENABLE ROW LEVEL SECURITY", "t"),
    "replica identity": ("", "ALTER TABLE t REPLICA IDENTITY FULL", "t"),
    # a mark in pg_index only: the table is neither sorted nor rewritten
    "cluster on": ("", "ALTER TABLE t CLUSTER ON t_a", "t"),
    "set statistics": ("", "ALTER TABLE t ALTER COLUMN b SET STATISTICS 1000", "t"),
    "set storage": (
        "", "ALTER TABLE t ALTER COLUMN b SET STATISTICS 5, ALTER COLUMN b SET STORAGE MAIN", "t"
    ),
    # (the lock of one statement; a drops or online revision runs it alone)
    "replica identity, outside a transaction": (
        "", "ALTER TABLE t REPLICA IDENTITY USING INDEX t_pkey", "t"
    ),
    "cluster on, outside a transaction": (
        "ALTER TABLE t CLUSTER ON t_a", "ALTER TABLE t SET WITHOUT CLUSTER",
        "t",
    ),
    "create policy": ("", "CREATE POLICY p ON t FOR SELECT USING (a > 0)", "t"),
    "alter policy": (
        "CREATE POLICY p ON t FOR SELECT USING (a > 0)", "ALTER POLICY p ON t USING (a > 1)", "t"
    ),
    "drop policy": ("CREATE POLICY p ON t USING (a > 0)", "DROP POLICY p ON t", "t"),
    "policy comment": (
        "CREATE POLICY p ON t USING (a > 0)", "COMMENT ON POLICY p ON t IS 'x'", "t"
    ),
    "sequence": ("", "CREATE SEQUENCE s2 START WITH 5", "t"),
    "schema": ("", "CREATE SCHEMA IF NOT EXISTS billing", "t"),
    "add generated column": (
        "", "ALTER TABLE t ADD COLUMN g bigint GENERATED ALWAYS AS (id * 2) STORED", "t"
    ),
    "add identity column": (
        "", "ALTER TABLE t ADD COLUMN g bigint GENERATED BY DEFAULT AS IDENTITY", "t"
    ),
    "domain": ("", "CREATE DOMAIN d2 AS int CONSTRAINT d2_pos CHECK (VALUE > 0)", "t"),
    "add domain check": ("", "ALTER DOMAIN pos ADD CONSTRAINT pos_ck CHECK (VALUE > 0)", "t"),
    "domain set not null": ("", "ALTER DOMAIN pos SET NOT NULL", "t"),
    "create partition": (
        "", "CREATE TABLE pt2 PARTITION OF pt FOR VALUES FROM (100) TO (200)", "pt"
    ),
    # beside a DEFAULT partition holding rows: read for rows of the new bound
    "create partition: the DEFAULT partition beside it read": (
        "CREATE TABLE pt_rest PARTITION OF pt DEFAULT; INSERT INTO pt_rest VALUES (1, 500)",
        "CREATE TABLE pt2 PARTITION OF pt FOR VALUES FROM (100) TO (200)",
        "pt_rest",
    ),
    # the same, the DEFAULT partition holding a validated check of NOT the bound, as
    # schemagen writes it (AddBoundCheck.made)
    "create partition: the DEFAULT partition beside it excluded by a check validated ahead": (
        "CREATE TABLE pt_rest PARTITION OF pt DEFAULT; INSERT INTO pt_rest VALUES (1, 500); "
        f"ALTER TABLE pt_rest ADD CONSTRAINT pt2_move_bound CHECK (NOT {NEW_PT2}) NOT VALID; "
        "ALTER TABLE pt_rest VALIDATE CONSTRAINT pt2_move_bound",
        "CREATE TABLE pt2 PARTITION OF pt FOR VALUES FROM (100) TO (200)",
        "pt_rest",
    ),
    "drop partition": ("", "DROP TABLE pt1", "pt"),
    "detach partition concurrently": (
        "", "ALTER TABLE pt DETACH PARTITION pt1 CONCURRENTLY", "pt"
    ),
    "drop detached partition": ("ALTER TABLE pt DETACH PARTITION pt1", "DROP TABLE pt1", "pt"),
    # a move between levels (DetachPartition, AttachPartition): the parent it leaves;
    # the partition it attaches, whose rows are read against the bound
    "detach partition": ("", "ALTER TABLE pt DETACH PARTITION pt1", "pt"),
    # as a rebound partition's drops revision counts, on the DEFAULT partition beside it
    "count rows of the DEFAULT partition in a new bound": (
        "",
        f"SELECT count(*) FROM t WHERE coalesce({bound_condition(KEY_N, NEW_BOUND)}, false)",
        "t",
    ),
    "attach partition, bound implied by a check validated ahead": (
        f"{BOUND_CHECK}; ALTER TABLE pt DETACH PARTITION pt1",
        "ALTER TABLE pt ATTACH PARTITION pt1 FOR VALUES FROM (0) TO (100)",
        "pt1",
    ),
    # the DEFAULT partition beside it, which holds no check excluding the bound
    "attach partition: the DEFAULT partition beside it read": (
        "CREATE TABLE pt_rest PARTITION OF pt DEFAULT; INSERT INTO pt_rest VALUES (1, 500); "
        "ALTER TABLE pt DETACH PARTITION pt1",
        "ALTER TABLE pt ATTACH PARTITION pt1 FOR VALUES FROM (0) TO (100)",
        "pt_rest",
    ),
    "attach partition": (
        "ALTER TABLE pt DETACH PARTITION pt1",
        "ALTER TABLE pt ATTACH PARTITION pt1 FOR VALUES FROM (0) TO (100)",
        "pt1",
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


def test_a_primary_key_added_to_a_table_that_holds_rows_is_warned_about() -> None:
    """ADD PRIMARY KEY builds its index under ACCESS EXCLUSIVE (the fact above):
    schemagen has no recipe for it, so the plan says why and what to do."""
    warning = live_warning(AddPrimaryKey("orders", PrimaryKey("pk_orders", ("id",))))
    assert warning is not None
    assert warning.startswith("orders: adding primary key pk_orders builds its index while ")
    assert "PRIMARY KEY USING INDEX" in warning
    assert FACTS[steps(AddPrimaryKey("orders", PrimaryKey("pk_orders", ("id",))))[0]] == Cost(
        "AccessExclusiveLock", "scans"
    )


def test_a_primary_key_that_searches_its_rows_says_so_in_its_cost_line() -> None:
    """A key added to a keyless table, or rebuilt over columns the old key's do not
    hold apart, runs key_rows_sql before the ALTER in its transaction (the FACTS
    row above, measured on that statement); a key the old one's columns hold apart
    runs none."""
    keyless = AddPrimaryKey("links", PrimaryKey("pk_links", ("a",)), keyless=True)
    narrowed = AddPrimaryKey("links", PrimaryKey("pk_links", ("a",)), other=("a", "b"))
    widened = AddPrimaryKey("links", PrimaryKey("pk_links", ("a", "b")), other=("a",))
    line = (
        "find NULL or repeated keys, in the transaction (ACCESS SHARE, scans); "
        "add primary key (ACCESS EXCLUSIVE, scans)"
    )
    assert cost_line(keyless) == cost_line(narrowed) == line
    assert cost_line(widened) == "lock ACCESS EXCLUSIVE, scans"


def test_validating_a_not_valid_domain_check_holds_what_adding_it_holds(conninfo: str) -> None:
    """Why a domain check is added in one step: unlike a table's check, VALIDATE of
    a NOT VALID domain check scans the domain's tables under the same SHARE lock as
    ADD does (PostgreSQL's validateDomainConstraint), so splitting it buys nothing."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("ALTER DOMAIN pos ADD CONSTRAINT pos_ck CHECK (VALUE > 0) NOT VALID")
    lock, scanned, _, _ = _holds(conninfo, "ALTER DOMAIN pos VALIDATE CONSTRAINT pos_ck", "t")
    assert (lock, scanned) == (FACTS["add domain check"].lock, True)


def test_a_foreign_key_swap_locks_the_referenced_table_briefly_and_scans_neither(
    conninfo: str,
) -> None:
    """What the plan line of ReplaceForeignKey says beyond :data:`FACTS` (which
    names the changed table only): the swap also takes ACCESS EXCLUSIVE on the
    referenced table (as any foreign key's drop does: the drops revision took it
    before), reads neither table, and leaves the key NOT VALID with its new
    action; VALIDATE then holds nothing on the referenced table stronger than
    the ROW SHARE its lookups take."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(FK)
    lock, scanned, _, _ = _holds(conninfo, SWAP, "r")
    assert (lock, scanned) == ("AccessExclusiveLock", False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute(
            "SELECT convalidated, confdeltype FROM pg_constraint WHERE conname = 'fk'"
        ).fetchone()
        assert row == (False, "c")
    lock, scanned, _, _ = _holds(conninfo, "ALTER TABLE t VALIDATE CONSTRAINT fk", "r")
    assert MODES.index(lock or "AccessShareLock") <= MODES.index("RowShareLock"), lock
    assert steps(ReplaceForeignKey("t", _fk(None), _fk("CASCADE"))) == (
        "swap foreign key NOT VALID", "validate constraint"
    )


def test_a_foreign_key_s_deferrability_alone_is_altered_without_touching_the_referenced_table(
    conninfo: str,
) -> None:
    """Beyond :data:`FACTS`: ALTER CONSTRAINT takes no lock on the referenced table
    (a swap takes ACCESS EXCLUSIVE there) and reads neither table; the key stays
    the same constraint, validated."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(FK)
        oid = conn.execute("SELECT oid FROM pg_constraint WHERE conname = 'fk'").fetchone()
    statement = "ALTER TABLE t ALTER CONSTRAINT fk DEFERRABLE INITIALLY DEFERRED"
    assert _holds(conninfo, statement, "r")[:2] == ("", False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute(
            "SELECT oid, condeferrable, condeferred, convalidated FROM pg_constraint "
            "WHERE conname = 'fk'"
        ).fetchone()
    assert oid is not None and row == (oid[0], True, True, True)
    old = dataclasses.replace(_fk(None), initially_deferred=True, deferrable=True)
    assert steps(AlterForeignKeyDeferral("t", _fk(None), old)) == (
        "alter foreign key deferrability",
    )


#: kind -> (statements run first, the statement measured on the referenced table r)
REFERENCED_STATEMENTS: dict[str, tuple[str, str]] = {
    "create table": ("", "CREATE TABLE t2 (id int, r_id int REFERENCES r (id))"),
    "drop table": (FK, "DROP TABLE t"),
    "add foreign key": ("", FK),
    "add foreign key NOT VALID": ("", f"{FK} NOT VALID"),
    "swap foreign key NOT VALID": (FK, SWAP),
    "validate constraint": (f"{FK} NOT VALID", "ALTER TABLE t VALIDATE CONSTRAINT fk"),
    "drop constraint": (FK, "ALTER TABLE t DROP CONSTRAINT fk"),
    "drop constraint, online": (FK, "ALTER TABLE t DROP CONSTRAINT IF EXISTS fk"),
}


def test_the_referenced_table_s_locks_name_every_kind_once() -> None:
    assert sorted(REFERENCED_STATEMENTS) == sorted(REFERENCED)
    assert set(REFERENCED) <= set(FACTS)


@pytest.mark.parametrize("kind", sorted(REFERENCED))
def test_the_lock_on_the_referenced_table_holds_on_postgresql(conninfo: str, kind: str) -> None:
    """What a plan line says a foreign key's step takes on the table it references."""
    before, statement = REFERENCED_STATEMENTS[kind]
    if before:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(before)
    lock, _, _, _ = _holds(conninfo, statement, "r")
    assert lock == REFERENCED[kind], f"{kind}: {statement} takes {lock or 'no lock'} on r"


def test_a_foreign_key_s_plan_line_names_the_lock_on_the_table_it_references() -> None:
    """SHARE ROW EXCLUSIVE on both tables for an add (writes to stores wait too),
    ROW SHARE there for VALIDATE; nothing more for a check or a self-reference."""
    key = _fk(None)
    assert cost_line(AddConstraint("t", key)) == (
        "lock SHARE ROW EXCLUSIVE, scans; SHARE ROW EXCLUSIVE on r"
    )
    assert cost_line(AddConstraint("t", key, lock_safe=True)) == (
        "add foreign key NOT VALID (SHARE ROW EXCLUSIVE, no scan; SHARE ROW EXCLUSIVE on r); "
        "validate constraint (SHARE UPDATE EXCLUSIVE, scans; ROW SHARE on r), outside a "
        "transaction"
    )
    assert cost_line(DropConstraint("t", key)) == (
        "lock ACCESS EXCLUSIVE, no scan; ACCESS EXCLUSIVE on r"
    )
    assert cost_line(ReplaceForeignKey("t", key, _fk("CASCADE"))).startswith(
        "swap foreign key NOT VALID (ACCESS EXCLUSIVE, no scan; ACCESS EXCLUSIVE on r); "
        "validate constraint (SHARE UPDATE EXCLUSIVE, scans; ROW SHARE on r)"
    )
    check = CheckConstraint("ck", "a > 0")
    assert cost_line(AddConstraint("t", check, lock_safe=True)) == (
        "add check NOT VALID (ACCESS EXCLUSIVE, no scan); validate constraint (SHARE UPDATE "
        "EXCLUSIVE, scans), outside a transaction"
    )
    self_ref = ForeignKey("fk_t_parent", ("parent_id",), "T", "t", ("id",))
    assert cost_line(AddConstraint("t", self_ref)) == "lock SHARE ROW EXCLUSIVE, scans"
    keys = (key, self_ref, dataclasses.replace(key, name="fk2", ref_table="a"))
    table = Entity("T", "t", (), PrimaryKey("pk_t", ("id",)), foreign_keys=keys)
    assert cost_line(CreateTable(table)) == (
        "lock ACCESS EXCLUSIVE, no scan; SHARE ROW EXCLUSIVE on a, r"
    )
    assert cost_line(DropTable(table)) == "lock ACCESS EXCLUSIVE, no scan; ACCESS EXCLUSIVE on a, r"


def _fk(on_delete: str | None) -> ForeignKey:
    return ForeignKey("fk", ("r_id",), "R", "r", ("id",), on_delete=on_delete)


#: (old type, new type, a value of the old type): precision and interval field changes.
TYPMOD_CHANGES = [
    ("timestamp", "timestamp(3)", "2024-01-01 10:00:00.123456"),
    ("timestamp", "timestamp(6)", "2024-01-01 10:00:00.123456"),
    ("timestamp(3)", "timestamp(6)", "2024-01-01 10:00:00.123"),
    ("timestamp(6)", "timestamp(3)", "2024-01-01 10:00:00.123456"),
    ("timestamp(3)", "timestamp", "2024-01-01 10:00:00.123"),
    ("timestamptz(0)", "timestamptz(2)", "2024-01-01 10:00:00+00"),
    ("timestamp(6)", "timestamptz(3)", "2024-01-01 10:00:00.123456"),
    ("time(6)", "time(0)", "10:00:00.5"),
    ("time(2) with time zone", "timetz", "10:00:00.12+02"),
    ("interval", "interval(3)", "1 day 00:00:01.123456"),
    ("interval(3)", "interval", "1 day 00:00:01.123"),
    ("interval", "interval day to second", "1 day 00:00:01.123456"),
    ("interval", "interval day", "1 day 04:00:00"),
    ("interval day", "interval", "1 day"),
    ("interval year to month", "interval year", "1 year 2 mons"),
    ("interval year", "interval month", "1 year"),
    ("interval day to second(3)", "interval day to second(1)", "1 day 00:00:01.123"),
    ("interval hour", "interval hour to second(2)", "4 hours"),
]


@pytest.mark.parametrize(("old", "new", "value"), TYPMOD_CHANGES)
def test_precision_changes_rewrite_and_round_as_predicted(
    conninfo: str, old: str, new: str, value: str
) -> None:
    """PostgreSQL rewrites the table, and changes a value, exactly when the plan says
    the type change rewrites (``binary_compatible``) and the diff calls it narrowing."""
    old_type, new_type = parse_type_name(old), parse_type_name(new)
    assert old_type is not None and new_type is not None
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE tm (v {pg_type_name(old_type)})")
        conn.execute("INSERT INTO tm VALUES (%s), (NULL)", (value,))
        oid = _oid(conn, "tm")
        assert oid is not None
        before = (_filenode(conn, oid), _values(conn))
        conn.execute(f"ALTER TABLE tm ALTER COLUMN v TYPE {pg_type_name(new_type)}")
        after = (_filenode(conn, oid), _values(conn))
    assert (after[0] != before[0]) == (not binary_compatible(old_type, new_type))
    assert (after[1] != before[1]) == is_narrowing(old_type, new_type), (before, after)


def _values(conn: psycopg.Connection[Any]) -> list[Any]:
    return conn.execute("SELECT v::text FROM tm ORDER BY v NULLS LAST").fetchall()


def _zone_change(old: str, new: str, using: str | None = None, indexed: bool = False) -> Any:
    from schemagen.model.schema import Column, ColumnType
    from schemagen.operations.table import AlterColumn

    def typed(name: str) -> ColumnType:
        element = parse_type_name(name.removesuffix("[]"))
        assert element is not None
        return ColumnType(kind="array", of=element) if name.endswith("[]") else element

    before, after = Column(name="v", type=typed(old)), Column(name="v", type=typed(new))
    return AlterColumn("tm", before, after, using=using, indexed=indexed)


def test_a_time_zone_change_is_classified_by_postgresql_s_rule() -> None:
    """PostgreSQL 12+ keeps the file of a timestamp <-> timestamptz change made in a
    session whose TimeZone is UTC (its indexes, keyed by another operator class,
    are rebuilt); a rounding typmod, an array or the user's own USING rewrites."""
    utc = "alter column type, time zone read as UTC"
    assert steps(_zone_change("timestamp", "timestamptz")) == (utc,)
    assert steps(_zone_change("timestamptz(3)", "timestamp(3)")) == (utc,)
    assert steps(_zone_change("timestamp(3)", "timestamptz(6)")) == (utc,)
    assert steps(_zone_change("timestamp", "timestamptz", indexed=True)) == (f"{utc}, indexed",)
    assert steps(_zone_change("timestamp", "timestamptz(3)")) == ("alter column type",)
    assert steps(_zone_change("timestamp[]", "timestamptz[]")) == ("alter column type",)
    assert steps(_zone_change("time", "timetz")) == ("alter column type",)
    using = "v AT TIME ZONE 'Europe/Berlin'"
    assert steps(_zone_change("timestamp", "timestamptz", using=using)) == ("alter column type",)
    op = _zone_change("timestamp", "timestamptz", indexed=True)
    assert op.reverse().indexed and op.reverse().reverse() == dataclasses.replace(op, using=None)


#: Wall-clock times around Berlin's switch to summer time (02:00 -> 03:00 on 2024-03-31).
WALL_CLOCK = ["2024-03-31 00:30:00", "2024-03-31 02:30:00", "2024-10-27 02:30:00", None]


@pytest.mark.parametrize("indexed", [False, True])
def test_timestamp_to_timestamptz_reads_utc_without_rewriting(
    conninfo: str, indexed: bool
) -> None:
    """Under a client TimeZone of Europe/Berlin, the statements a revision runs give
    every stored timestamp its UTC meaning and keep the table's file; the reverse
    gives back the same wall-clock times; the session's TimeZone is Berlin again
    after each. Without the UTC setting the same ALTER rewrites and shifts the
    values by Berlin's offset (which is why the revision says it)."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("CREATE TABLE tm (id int PRIMARY KEY, v timestamp)")
        for number, value in enumerate(WALL_CLOCK):
            conn.execute("INSERT INTO tm VALUES (%s, %s)", (number, value))
        if indexed:
            conn.execute("CREATE INDEX tm_v ON tm (v)")
        conn.execute("SET TimeZone = 'Europe/Berlin'")
        oid = _oid(conn, "tm")
        assert oid is not None
        node = _filenode(conn, oid)
        up = ZONED_ALTER.replace(" t ", " tm ").format(column="v")
        with conn.transaction():
            conn.execute(up)
        assert _filenode(conn, oid) == node
        assert conn.execute("SHOW TimeZone").fetchone() == ("Europe/Berlin",)
        utc = conn.execute(
            "SELECT to_char(v AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM tm ORDER BY id"
        ).fetchall()
        assert [row[0] for row in utc] == WALL_CLOCK
        down = "; ".join(
            (
                *IN_UTC,
                "ALTER TABLE tm ALTER COLUMN v TYPE timestamp without time zone"
                " USING v::timestamp without time zone",
                ZONE_RESTORED,
            )
        )
        with conn.transaction():
            conn.execute(down)
        assert _filenode(conn, oid) == node
        back = conn.execute("SELECT v::text FROM tm ORDER BY id").fetchall()
        assert [row[0] for row in back] == WALL_CLOCK
        # the same ALTER in Berlin's time: a rewrite, and other instants
        conn.execute(
            "ALTER TABLE tm ALTER COLUMN v TYPE timestamp with time zone"
            " USING v::timestamp with time zone"
        )
        assert _filenode(conn, oid) != node
        shifted = conn.execute(
            "SELECT to_char(v AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM tm WHERE id = 0"
        ).fetchone()
        assert shifted == ("2024-03-30 23:30:00",)


def test_a_moved_partition_s_attach_holds_its_new_parent_share_update_exclusive(
    conninfo: str,
) -> None:
    """Beyond :data:`FACTS` (whose ``attach partition`` row is the partition's own lock,
    ACCESS EXCLUSIVE, and its scan): the parent it joins is held SHARE UPDATE EXCLUSIVE
    and not read (PostgreSQL 15, ATTACH PARTITION); the detach before it held the parent
    it left ACCESS EXCLUSIVE (the ``detach partition`` row)."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("ALTER TABLE pt DETACH PARTITION pt1")
    attach = "ALTER TABLE pt ATTACH PARTITION pt1 FOR VALUES FROM (0) TO (100)"
    lock, scanned, _, _ = _holds(conninfo, attach, "pt")
    assert (lock, scanned) == ("ShareUpdateExclusiveLock", False)
    assert (FACTS["attach partition"].lock, FACTS["attach partition"].effect) == (
        "AccessExclusiveLock", "scans"
    )


def _key_oid(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute("SELECT oid FROM pg_constraint WHERE conname = 'fk'").fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.parametrize(
    ("statement", "other"),
    [
        ("ALTER TABLE t ALTER COLUMN r_id TYPE smallint", "r"),  # the key's column
        ("ALTER TABLE r ALTER COLUMN id TYPE bigint", "t"),  # the key it references
    ],
)
def test_a_type_change_under_a_kept_foreign_key_makes_it_again_and_checks_its_rows(
    conninfo: str, statement: str, other: str
) -> None:
    """What the plan line of a type change under a kept key says beyond :data:`FACTS`
    (AlterColumn.keys, a key across integer widths): PostgreSQL drops the key and
    adds it again inside the ALTER, holding ACCESS EXCLUSIVE on the other table too,
    and checks the key's rows: an orphan written with the key's triggers off
    (session_replication_role = replica) fails the ALTER. The index over the key's
    column is built again where that column changes (its table is rewritten), and
    kept where the key it references does."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(FK)
        conn.execute("CREATE INDEX t_r_id ON t (r_id)")
        was = _key_oid(conn)
        index = _oid(conn, "t_r_id")
        assert index is not None
        node = _filenode(conn, index)
    lock, _, _, _ = _holds(conninfo, statement, other)
    assert lock == "AccessExclusiveLock"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        assert _key_oid(conn) != was  # made again
        after = _oid(conn, "t_r_id")
        assert after is not None
        rebuilt = _filenode(conn, after) != node
        assert rebuilt == statement.startswith("ALTER TABLE t ")
        conn.execute("SET session_replication_role = replica")
        conn.execute("INSERT INTO t (id, r_id) VALUES (1000, 999)")  # an orphan
        conn.execute("SET session_replication_role = DEFAULT")
        undo = statement.replace("smallint", "integer").replace("bigint", "integer")
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            conn.execute(undo)


@pytest.mark.parametrize("proven", [False, True])
def test_a_check_validated_ahead_spares_a_moved_partition_s_attach_its_scan(
    conninfo: str, proven: bool
) -> None:
    """The move as a revision runs it, down a level (pt1 under a new partition pt_low of
    a wider bound, partitioned in turn): in one transaction, detach, create, attach. The
    attach reads pt1's rows, under ACCESS EXCLUSIVE on it, unless the check the drops
    revision validated (:data:`BOUND_CHECK`, pt1's bound under pt) implies its new place's
    constraint (its bound and pt_low's): then it reads none."""
    if proven:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(BOUND_CHECK)
    move = (
        "ALTER TABLE pt DETACH PARTITION pt1; CREATE TABLE pt_low PARTITION OF pt FOR VALUES "
        "FROM (0) TO (200) PARTITION BY RANGE (k); ALTER TABLE pt_low ATTACH PARTITION pt1 "
        "FOR VALUES FROM (0) TO (100)"
    )
    lock, scanned, _, _ = _holds(conninfo, move, "pt1")
    assert (lock, scanned) == ("AccessExclusiveLock", not proven)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM pt_low").fetchone()
        assert row == (200,)  # every row moved with it


#: A composite key over two columns that both change width (corpus 147's bookings),
#: on rows: 3,000 bookings, most on one unit, every fifth unit_no NULL, repeats.
COMPOSITE = """
CREATE TABLE units (property_id bigint, unit_no integer, PRIMARY KEY (property_id, unit_no));
CREATE TABLE bookings (id integer PRIMARY KEY, property_id integer NOT NULL, unit_no integer,
  CONSTRAINT fk_bookings_unit FOREIGN KEY (property_id, unit_no) REFERENCES units);
INSERT INTO units SELECT p, u FROM generate_series(1, 40) p, generate_series(1, 20) u;
INSERT INTO bookings SELECT i, CASE WHEN i % 10 < 7 THEN 1 ELSE 1 + i % 40 END,
  CASE WHEN i % 5 = 0 THEN NULL ELSE 1 + i % 3 END FROM generate_series(1, 3000) i;
ANALYZE;
"""
#: Each column's ALTER on its own, as AlterColumn renders it, and one for both
#: (RetypeColumns).
APART = (
    "ALTER TABLE bookings ALTER COLUMN property_id TYPE bigint USING property_id::bigint",
    "ALTER TABLE bookings ALTER COLUMN unit_no TYPE smallint USING unit_no::smallint",
)
TOGETHER = (
    "ALTER TABLE bookings ALTER COLUMN property_id TYPE bigint USING property_id::bigint, "
    "ALTER COLUMN unit_no TYPE smallint USING unit_no::smallint",
)


@pytest.mark.parametrize(("statements", "made"), [(APART, 2), (TOGETHER, 1)])
def test_one_alter_table_of_several_types_rewrites_and_checks_a_key_once(
    conninfo: str, statements: tuple[str, ...], made: int
) -> None:
    """What RetypeColumns saves: PostgreSQL rewrites the table and makes its key again,
    reading the table it references to check every row, once per ALTER TABLE
    statement, so two ALTERs of one composite key's columns do it twice. Counted in the
    transaction: the table's file (relfilenode) after each statement, the key's oid,
    and the referenced table's scans (pg_stat_xact_user_tables)."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(COMPOSITE)
        digest = conn.execute("SELECT md5(string_agg(b::text, ',' ORDER BY id)) FROM bookings b")
        rows = digest.fetchone()
    with psycopg.connect(conninfo) as conn:
        table = _oid(conn, "bookings")
        assert table is not None
        files, keys = [_filenode(conn, table)], [_key_oid_named(conn, "fk_bookings_unit")]
        for statement in statements:
            conn.execute(statement)
            files.append(_filenode(conn, table))
            keys.append(_key_oid_named(conn, "fk_bookings_unit"))
        read = conn.execute(
            "SELECT seq_scan + coalesce(idx_scan, 0) FROM pg_stat_xact_user_tables "
            "WHERE relname = 'units'"
        ).fetchone()
        conn.commit()
    assert (len(set(files)) - 1, len(set(keys)) - 1, read) == (made, made, (made,))
    with psycopg.connect(conninfo, autocommit=True) as conn:
        digest = conn.execute("SELECT md5(string_agg(b::text, ',' ORDER BY id)) FROM bookings b")
        assert digest.fetchone() == rows  # every row kept, NULLs too


def _key_oid_named(conn: psycopg.Connection[Any], name: str) -> int:
    row = conn.execute("SELECT oid FROM pg_constraint WHERE conname = %s", (name,)).fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.parametrize("proven", [False, True])
def test_a_check_of_the_new_bound_validated_ahead_spares_a_rebound_attach_its_scan(
    conninfo: str, proven: bool
) -> None:
    """A partition given a narrower bound, as a revision runs it: in one transaction,
    detach and attach with the new bound. The attach reads pt1's rows, under ACCESS
    EXCLUSIVE on it, unless the check the drops revision validated (its constraint and
    the new bound's condition, as :class:`AddBoundCheck` renders it) implies the new
    constraint: then it reads none. Every row stays (those of the old bound beyond the
    new one deleted first, as the revision's message asks)."""
    key = PartitionKey("range", ("k",))
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("DELETE FROM pt WHERE k >= 60")
        if proven:  # the drops revision's steps, each run as the revision runs it
            check = AddBoundCheck("pt", "pt1", (), "drops", NEW_BOUND, key)
            for stmt in render_operation(check, schema()):
                inner = stmt.statements if isinstance(stmt, Guarded) else (stmt,)
                for one in inner:
                    assert isinstance(one, Call) and isinstance(one.args[0], Str)
                    conn.execute(one.args[0].value)
    rebound = (
        "ALTER TABLE pt DETACH PARTITION pt1; "
        f"ALTER TABLE pt ATTACH PARTITION pt1 {NEW_BOUND.bound_sql()}"
    )
    lock, scanned, _, _ = _holds(conninfo, rebound, "pt1")
    assert (lock, scanned) == ("AccessExclusiveLock", not proven)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM pt").fetchone() == (120,)


@pytest.mark.parametrize("proven", [False, True])
def test_a_check_on_the_default_partition_spares_a_rebound_attach_its_read(
    conninfo: str, proven: bool
) -> None:
    """pt1 widened from [0, 100) to [0, 150) beside a DEFAULT partition holding 600 rows
    (k from 150 up, ids repeated and NULL): the attach reads the DEFAULT partition under
    ACCESS EXCLUSIVE, for rows of the new bound, unless the check the drops revision made
    there (NOT the new bound's condition, validated: :class:`AddBoundCheck` with
    ``beside``) implies none; then it reads none. Every row stays where it was."""
    wider = Partition("pt1", start=("0",), end=("150",))
    key = PartitionKey("range", ("k",))
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE pt_rest PARTITION OF pt DEFAULT; INSERT INTO pt SELECT "
            "CASE WHEN g % 5 = 0 THEN NULL ELSE g % 7 END, 150 + g FROM generate_series(1, 600) g"
        )
        if proven:  # the drops revision's steps, each run as the revision runs it
            check = AddBoundCheck("pt", "pt1", (), "drops", wider, key, "pt_rest")
            for stmt in render_operation(check, schema()):
                inner = stmt.statements if isinstance(stmt, Guarded) else (stmt,)
                for one in inner:
                    assert isinstance(one, Call) and isinstance(one.args[0], Str)
                    conn.execute(one.args[0].value)
            valid = "SELECT convalidated FROM pg_constraint WHERE conname = 'pt1_move_bound' "
            assert conn.execute(valid + "AND conrelid = 'pt_rest'::regclass").fetchone() == (
                True,
            )
    rebound = (
        "ALTER TABLE pt DETACH PARTITION pt1; "
        f"ALTER TABLE pt ATTACH PARTITION pt1 {wider.bound_sql()}"
    )
    lock, scanned, _, _ = _holds(conninfo, rebound, "pt_rest")
    assert (lock, scanned) == ("AccessExclusiveLock", not proven)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        where = "SELECT tableoid::regclass::text, count(*), count(id) FROM pt GROUP BY 1 ORDER BY 1"
        assert conn.execute(where).fetchall() == [("pt1", 200, 200), ("pt_rest", 600, 480)]
