"""A partitioned table's new primary key (rebuilt over other columns, or added)
over a table that holds rows is not built under the main transaction's lock
(revision.partition_uniques): each leaf partition's unique index is built
CONCURRENTLY in the drops revision before it (rows holding NULL or repeating the
key searched for first, where they may), then the transaction drops the old key,
makes each such index its partition's primary key USING INDEX and adds the
table's key, which attaches them and builds none. Writes go on during the builds;
a killed build reruns; partitions the application made (a sub-partitioned one
among them) are found at run time and named as PostgreSQL names them. Corpus 143
proves the result dumps like create_all.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import psycopg
import pytest
from alembic.util import CommandError
from migration_harness import Case, alembic, generate, offline_sql, revisions, scratch_database
from pgcluster import PgCluster

READINGS = """\
database:
  name: readings
entities:
  Reading:
    primary_key: KEY
    columns:
      id: {type: bigint, primary_key: true}
      day: {type: date, primary_key: true}
      region: {type: text, primary_key: true}
      note: {type: text, nullable: true}
    partition_by: {range: [day]}
    partitions:
      readings_2026_01: {from: "2026-01-01", to: "2026-02-01"}
      readings_2026_02: {from: "2026-02-01", to: "2026-03-01"}
      readings_other: {default: true}
"""
NARROW = READINGS.replace("KEY", "[id, day]").replace(
    "      region: {type: text, primary_key: true}", "      region: {type: text}"
)
WIDE = READINGS.replace("KEY", "[id, day, region]")
#: partitions the application made after revision 000: one sub-partitioned
APP_PARTITIONS = (
    "CREATE TABLE readings_2026_03 PARTITION OF readings "
    "FOR VALUES FROM ('2026-03-01') TO ('2026-04-01') PARTITION BY RANGE (day); "
    "CREATE TABLE readings_2026_03_a PARTITION OF readings_2026_03 "
    "FOR VALUES FROM ('2026-03-01') TO ('2026-03-16'); "
    "CREATE TABLE readings_2026_03_rest PARTITION OF readings_2026_03 DEFAULT"
)
#: rows in every partition: regions and notes repeated, NULL notes; 2,000 a month
ROWS = (
    "INSERT INTO readings SELECT g, date '2026-01-01' + (g % 120), "
    "CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END, CASE WHEN g % 5 = 0 THEN NULL ELSE 'n' END "
    "FROM generate_series(1, 8000) g"
)
#: the key's tree: (table, constraint, its index, the columns, the constraint above it)
TREE = (
    "SELECT coalesce(string_agg(format('%s %s %s %s %s', c.conrelid::regclass, c.conname, "
    "c.conindid::regclass, pg_get_constraintdef(c.oid), coalesce(p.conname, '-')), ', ' "
    "ORDER BY c.conrelid::regclass::text), '') FROM pg_constraint c "
    "LEFT JOIN pg_constraint p ON p.oid = c.conparentid "
    "WHERE c.contype = 'p' AND c.conrelid::regclass::text LIKE 'readings%'"
)
#: the leaves' unique indexes by name, with their OIDs
LEAF_INDEXES = (
    "SELECT coalesce(string_agg(format('%s=%s', indexrelid::regclass, indexrelid), ',' "
    "ORDER BY indexrelid), '') FROM pg_index "
    "WHERE indisunique AND indrelid::regclass::text LIKE 'readings_%' "
    "AND (SELECT relkind FROM pg_class WHERE oid = indrelid) = 'r'"
)
INVALID = (
    "SELECT coalesce(string_agg(indexrelid::regclass::text, ','), '-') FROM pg_index "
    "WHERE NOT indisvalid"
)


def _expected_tree() -> str:
    key = "PRIMARY KEY (id, day, region)"
    rows = [f"readings pk_readings pk_readings {key} -"]
    for table in ("readings_2026_01", "readings_2026_02", "readings_other", "readings_2026_03"):
        rows.append(f"{table} {table}_pkey {table}_pkey {key} pk_readings")
    for table in ("readings_2026_03_a", "readings_2026_03_rest"):
        rows.append(f"{table} {table}_pkey {table}_pkey {key} readings_2026_03_pkey")
    return ", ".join(sorted(rows))


def _scene(pg: PgCluster, tmp_path: Path, before: str, after: str) -> tuple[Path, str, str]:
    root = tmp_path / "project"
    generate(Case("partitioned_key", {"schema.yaml": before}, {"schema.yaml": after}), root)
    db = scratch_database(pg, "pkey")
    url = pg.url(db)
    alembic(root, url, "upgrade", "000")
    pg.sql(f"{APP_PARTITIONS}; {ROWS}", db)
    return root, db, url


@pytest.fixture
def scene(pg: PgCluster, tmp_path: Path) -> tuple[Path, str, str]:
    """(project, database, url) at revision 000, the key over (id, day), with the
    app's partitions and rows."""
    return _scene(pg, tmp_path, NARROW, WIDE)


def test_the_revisions_say_each_lock(scene: tuple[Path, str, str]) -> None:
    root, _, _ = scene
    drops, main = revisions(root)[1:]
    assert drops.stem.endswith("_drops") and not main.stem.endswith(("_drops", "_online"))
    built = " ".join(drops.read_text(encoding="utf-8").split())
    assert (
        "+ unique index of each partition of readings (id, day, region), built concurrently "
        "for primary key pk_readings, which the main revision adds over them lock SHARE "
        "UPDATE EXCLUSIVE, scans, outside a transaction"
    ) in built
    text = " ".join(main.read_text(encoding="utf-8").split())
    assert (
        "make each partition's index its primary key, in the transaction (ACCESS EXCLUSIVE, "
        "no scan); add primary key attaching the partitions' keys, in the transaction "
        "(ACCESS EXCLUSIVE, no scan)"
    ) in text
    assert "Unsafe on a live table" not in text
    with pytest.raises(CommandError, match="built on each partition the database holds"):
        offline_sql(root, "000:head")


def test_writes_go_on_a_killed_build_reruns_and_the_key_attaches_what_was_built(
    pg: PgCluster, scene: tuple[Path, str, str]
) -> None:
    root, db, url = scene
    errors: list[BaseException] = []

    def upgrade() -> None:
        try:
            alembic(root, url, "upgrade", "head")
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            errors.append(exc)

    before = pg.sql(TREE, db).strip()
    libpq = pg.libpq_url(db)
    with psycopg.connect(libpq) as old, psycopg.connect(libpq, autocommit=True) as second:
        old.execute("UPDATE readings_2026_02 SET note = note WHERE id = 32")
        worker = threading.Thread(target=upgrade)
        worker.start()
        pid = pg.wait_for(
            "SELECT pid FROM pg_stat_activity WHERE query LIKE "
            "'CREATE UNIQUE INDEX CONCURRENTLY %' AND wait_event_type = 'Lock'",
            db,
        )
        # No lock of the build's may stop a writer (ROW EXCLUSIVE). Which weaker
        # ones it holds at the instant of reading is timing: SHARE UPDATE
        # EXCLUSIVE on the partition it builds, and once in three runs ACCESS
        # SHARE as well, between the statement's phases.
        held = pg.sql(
            "SELECT coalesce(string_agg(DISTINCT mode, ','), '-') FROM pg_locks l "
            "JOIN pg_class c ON c.oid = l.relation "
            f"WHERE l.pid = {pid} AND c.relkind IN ('r', 'p') AND l.granted",
            db,
        ).strip()
        writer_safe = {"AccessShareLock", "RowShareLock", "RowExclusiveLock",
                       "ShareUpdateExclusiveLock"}  # fmt: skip
        assert held == "-" or set(held.split(",")) <= writer_safe, held
        second.execute("SET lock_timeout = '2s'")
        assert second.execute("SELECT count(*) FROM readings").fetchone() == (8000,)
        second.execute("INSERT INTO readings VALUES (90001, '2026-01-09', 'eu', NULL)")
        second.execute("INSERT INTO readings_2026_02 VALUES (90002, '2026-02-09', 'us', 'n')")
        second.execute("INSERT INTO readings VALUES (90003, '2026-03-09', 'eu', NULL)")
        second.execute("INSERT INTO readings VALUES (90004, '2030-01-01', 'eu', 'n')")
        second.execute("UPDATE readings_other SET note = 'm' WHERE id = 90004")
        pg.sql(f"SELECT pg_terminate_backend({pid})", db)
        worker.join(60)
        old.rollback()
    assert errors and "terminating connection" in str(errors[0]), errors
    assert pg.sql("SELECT version_num FROM alembic_version", db).strip() == "000"
    assert re.fullmatch(r"readings_[a-z0-9_]+_id_day_region_key", pg.sql(INVALID, db).strip())
    assert pg.sql(TREE, db).strip() == before

    # the rerun, while a reader holds the table: every leaf's index is built and
    # the main transaction waits for the reader
    errors.clear()
    with psycopg.connect(libpq) as reader:
        reader.execute("LOCK TABLE ONLY readings IN ACCESS SHARE MODE")
        worker = threading.Thread(target=upgrade)
        worker.start()
        pg.wait_for(
            "SELECT pid FROM pg_stat_activity WHERE query LIKE "
            "'ALTER TABLE readings DROP CONSTRAINT pk_readings%' AND wait_event_type = 'Lock'",
            db,
        )
        assert pg.sql(INVALID, db).strip() == "-"
        built = pg.sql(
            LEAF_INDEXES.replace("indisunique", "indisunique AND NOT indisprimary"), db
        ).strip()
        assert built.count("_id_day_region_key=") == 5, built
        reader.rollback()
        worker.join(60)
    assert not errors, errors
    upgraded = pg.sql(TREE, db).strip()
    assert upgraded == _expected_tree()
    # the partitions' keys are the very indexes built concurrently, renamed
    oids = sorted(part.split("=")[1] for part in built.split(","))
    keys = pg.sql(LEAF_INDEXES, db).strip()
    assert sorted(part.split("=")[1] for part in keys.split(",")) == oids, (built, keys)
    assert pg.sql("SELECT count(*) FROM readings", db).strip() == "8004"
    with psycopg.connect(libpq) as conn, pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute("INSERT INTO readings VALUES (90003, '2026-03-09', 'eu', 'x')")
    pg.sql("INSERT INTO readings VALUES (90003, '2026-03-09', 'us', 'x')", db)
    # (the old key over (id, day) would refuse that row: the downgrade says so first)
    pg.sql("DELETE FROM readings WHERE id = 90003 AND region = 'us'", db)
    alembic(root, url, "downgrade", "000")
    assert pg.sql(TREE, db).strip() == before
    assert pg.sql(INVALID, db).strip() == "-"
    assert "_key=" not in pg.sql(LEAF_INDEXES, db)
    # PostgreSQL rebuilding the key itself names every partition's so
    pg.sql(
        "ALTER TABLE readings DROP CONSTRAINT pk_readings, "
        "ADD CONSTRAINT pk_readings PRIMARY KEY (id, day, region)",
        db,
    )
    assert pg.sql(TREE, db).strip() == upgraded


def test_repeated_keys_are_named_before_any_build(pg: PgCluster, tmp_path: Path) -> None:
    """A key rebuilt over fewer columns: rows that repeat (id, day) under two
    regions are named before any index is built."""
    root, db, url = _scene(pg, tmp_path, WIDE, NARROW)
    pg.sql("INSERT INTO readings VALUES (7, '2026-01-08', 'zz', NULL)", db)  # (7, 01-08) twice
    with pytest.raises(
        Exception, match=re.escape("cannot add primary key pk_readings to readings: more than")
    ):
        alembic(root, url, "upgrade", "head")
    assert pg.sql(LEAF_INDEXES.replace("indisunique", "NOT indisprimary"), db).strip() == ""
    pg.sql("DELETE FROM readings WHERE region = 'zz'", db)
    alembic(root, url, "upgrade", "head")
    assert "PRIMARY KEY (id, day) pk_readings" in pg.sql(TREE, db)
    alembic(root, url, "downgrade", "000")
    assert "PRIMARY KEY (id, day, region)" in pg.sql(TREE, db)
