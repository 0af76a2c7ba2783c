"""A new index of a partitioned table that holds rows is built partition by
partition in the online revision (revision.partition_indexes): CREATE INDEX ... ON
ONLY the table, each partition's CONCURRENTLY, attached. Writes to the partitions
go on while a partition's build waits; a connection killed mid-build leaves an
INVALID partition index that the rerun drops and builds again; partitions the
application made (a sub-partitioned one among them) are found at run time.
Corpus 138 proves the result dumps like create_all.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from alembic.util import CommandError
from migration_harness import Case, alembic, generate, offline_sql, revisions
from partitioned_events import (
    APP_PARTITIONS,
    EVENTS,
    INVALID,
    ROWS,
    events_with,
    upgrade_killed_mid_build,
)
from pgcluster import PgCluster
from revision_steps import at_first_revision

INDEXED = events_with(
    "indexes",
    "idx_events_kind: [kind]",
    "ux_events_ref: {columns: [ref, happened_on], unique: true}",
)

#: (index, valid, its table, the index it is attached to) of the new indexes
TREE = (
    "SELECT string_agg(format('%s %s %s %s', i.indexrelid::regclass, i.indisvalid, "
    "i.indrelid::regclass, coalesce(h.inhparent::regclass::text, '-')), ', ' "
    "ORDER BY i.indexrelid::regclass::text) FROM pg_index i "
    "LEFT JOIN pg_inherits h ON h.inhrelid = i.indexrelid "
    "WHERE i.indexrelid::regclass::text ~ '(kind|ref_happened_on)(_idx)?$|^ux_events_ref$'"
)


def _expected_tree() -> str:
    leaves = ("events_2026_01", "events_2026_02", "events_other")
    sub = ("events_2026_03_a", "events_2026_03_rest")
    rows = []
    for top, suffix in (("idx_events_kind", "kind_idx"), ("ux_events_ref", "ref_happened_on_idx")):
        rows.append(f"{top} t events -")
        for table in (*leaves, "events_2026_03"):
            rows.append(f"{table}_{suffix} t {table} {top}")
        for table in sub:
            rows.append(f"{table}_{suffix} t {table} events_2026_03_{suffix}")
    return ", ".join(sorted(rows))


@pytest.fixture
def scene(pg: PgCluster, tmp_path: Path) -> tuple[Path, str, str]:
    """(project, database, url) at revision 000 with the app's partitions and rows."""
    case = Case("partitioned_index", {"schema.yaml": EVENTS}, {"schema.yaml": INDEXED})
    first = at_first_revision(pg, case, tmp_path, f"{APP_PARTITIONS}; {ROWS}")
    return first.root, first.db, first.url


def test_the_revision_builds_partition_by_partition_online(scene: tuple[Path, str, str]) -> None:
    root, _, _ = scene
    (revision,) = revisions(root)[1:]
    assert revision.stem.endswith("_online")
    text = revision.read_text(encoding="utf-8")
    assert "CREATE INDEX IF NOT EXISTS idx_events_kind ON ONLY events (kind)" in text
    # the plan line says each step's lock
    assert (
        "create index on only the partitioned table (SHARE, no scan); create index "
        "concurrently on each partition (SHARE UPDATE EXCLUSIVE, scans); attach each "
        "partition's index (ACCESS SHARE, no scan), outside a transaction"
    ) in " ".join(text.split())
    assert "find repeated keys (ACCESS SHARE, scans)" in " ".join(text.split())
    # offline SQL cannot know the partitions: refused, naming why
    with pytest.raises(CommandError, match="built on each partition the database holds"):
        offline_sql(root, "000:head")


def test_offline_sql_refuses_before_writing_any_of_the_revision(tmp_path: Path) -> None:
    """``alembic upgrade --sql`` refuses the revision before any of its statements
    (the repeated-rows search, the ON ONLY index, the autocommit block's COMMIT) is
    written, the way Alembic reports its own refusals: FAILED, no traceback."""
    root = tmp_path / "project"
    generate(Case("partitioned_index", {"schema.yaml": EVENTS}, {"schema.yaml": INDEXED}), root)
    env = dict(
        os.environ,
        DATABASE_URL="postgresql+psycopg://offline@127.0.0.1:9/offline",
        PYTHONDONTWRITEBYTECODE="1",
    )
    out = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "000:head", "--sql"],
        cwd=root, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert out.returncode != 0
    assert "Traceback" not in out.stderr, out.stderr
    sql, _, failed = out.stdout.partition("FAILED: ")
    assert " ".join(failed.split()) == (
        "alembic upgrade --sql cannot write this revision: index idx_events_kind of the "
        "partitioned table events is built on each partition the database holds when the "
        "upgrade runs; index ux_events_ref of the partitioned table events is built on "
        "each partition the database holds when the upgrade runs; run the upgrade against "
        "the database"
    )
    # nothing of revision 001 was written: only Alembic's own frame of it
    _, _, revision = sql.partition("-- Running upgrade 000 -> 001")
    assert revision.split() == [], revision
    assert "idx_events_kind" not in sql and "ux_events_ref" not in sql


def test_writes_go_on_and_a_killed_build_is_rebuilt_by_the_rerun(
    pg: PgCluster, scene: tuple[Path, str, str]
) -> None:
    root, db, url = scene
    # an old writer of one partition: each concurrent build waits for it
    with (
        upgrade_killed_mid_build(pg, root, db, "CREATE INDEX CONCURRENTLY ON") as pid,
        psycopg.connect(pg.libpq_url(db), autocommit=True) as second,
    ):
        # the upgrade holds no lock on any table that blocks a writer
        held = pg.sql(
            "SELECT coalesce(string_agg(DISTINCT mode, ','), '-') FROM pg_locks l "
            "JOIN pg_class c ON c.oid = l.relation "
            f"WHERE l.pid = {pid} AND c.relkind IN ('r', 'p') AND l.granted",
            db,
        ).strip()
        assert held in ("-", "ShareUpdateExclusiveLock"), held
        # a second session writes into the table and into each kind of partition meanwhile
        second.execute("SET lock_timeout = '2s'")
        second.execute("INSERT INTO events VALUES (90001, '2026-01-09', 'a', NULL)")
        second.execute("INSERT INTO events_2026_02 VALUES (90002, '2026-02-09', 'b', 7)")
        second.execute("INSERT INTO events VALUES (90003, '2026-03-09', 'a', 8)")
        second.execute("INSERT INTO events VALUES (90004, '2030-01-01', 'c', NULL)")
        second.execute("UPDATE events_other SET kind = 'd' WHERE id = 90004")
    assert pg.sql("SELECT version_num FROM alembic_version", db).strip() == "000"
    # the killed build left an INVALID index on a partition, and the parent's INVALID
    assert pg.sql(INVALID, db).strip().count("_idx") >= 1
    alembic(root, url, "upgrade", "head")
    assert pg.sql(TREE, db).strip() == _expected_tree()
    assert pg.sql(INVALID, db).strip() == "-"
    assert pg.sql("SELECT count(*) FROM events", db).strip() == "8004"
    # a rerun at head does nothing
    alembic(root, url, "upgrade", "head")
    assert pg.sql(TREE, db).strip() == _expected_tree()
    # the unique index holds on every partition, the app's included
    with psycopg.connect(pg.libpq_url(db)) as conn, pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute("INSERT INTO events VALUES (90005, '2026-03-09', 'a', 8)")
    alembic(root, url, "downgrade", "000")
    assert pg.sql(TREE, db).strip() == ""


def test_repeated_rows_are_named_before_any_build(
    pg: PgCluster, scene: tuple[Path, str, str]
) -> None:
    root, db, url = scene
    pg.sql("INSERT INTO events VALUES (90010, '2026-03-10', 'b', 42)", db)  # ref 42 twice that day
    pg.sql("INSERT INTO events VALUES (90011, '2026-03-10', 'a', 42)", db)
    with pytest.raises(Exception, match="cannot build unique index ux_events_ref on events"):
        alembic(root, url, "upgrade", "head")
    assert pg.sql(TREE, db).strip().count("ux_events_ref") == 0
    pg.sql("DELETE FROM events WHERE id = 90011", db)
    alembic(root, url, "upgrade", "head")
    assert pg.sql(TREE, db).strip() == _expected_tree()


def test_postgresql_refuses_a_unique_constraint_using_a_partitioned_index(
    pg: PgCluster, scene: tuple[Path, str, str]
) -> None:
    """Why a unique constraint of a partitioned table is still added in the
    transaction: PostgreSQL 15 attaches no index to one as a constraint, valid or not."""
    _, db, _ = scene
    with psycopg.connect(pg.libpq_url(db), autocommit=True) as conn:
        conn.execute("CREATE UNIQUE INDEX ux_valid ON events (ref, happened_on)")
        assert conn.execute(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'ux_valid'::regclass"
        ).fetchone() == (True,)
        with pytest.raises(psycopg.errors.FeatureNotSupported, match="partitioned tables"):
            conn.execute("ALTER TABLE events ADD CONSTRAINT ux_valid UNIQUE USING INDEX ux_valid")
