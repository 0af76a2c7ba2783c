"""A new unique constraint of a partitioned table that holds rows is built without
holding the table locked (revision.partition_uniques): in the online revision,
each leaf partition's unique index CONCURRENTLY, made that partition's constraint
USING INDEX, then the table's ADD CONSTRAINT ... UNIQUE, which attaches those
indexes (PostgreSQL's DefineIndex takes an equivalent partition index that backs
a constraint) and builds none. Writes to the partitions go on while a build
waits; a connection killed mid-build leaves an INVALID partition index that the
rerun drops and builds again; partitions the application made (a sub-partitioned
one among them) are found at run time, and every name is the one PostgreSQL
gives when it builds the constraint itself. Corpus 143 proves the result dumps
like create_all.
"""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest
from alembic.util import CommandError
from migration_harness import (
    Case,
    alembic,
    generate,
    json_findings,
    live_findings,
    offline_sql,
    revisions,
)
from partitioned_events import (
    APP_PARTITIONS,
    EVENTS,
    INVALID,
    ROWS,
    events_with,
    upgrade_killed_mid_build,
    upgrade_running,
)
from pgcluster import PgCluster
from revision_steps import at_first_revision

UNIQUE = events_with("unique", "uq_events_ref: [ref, happened_on]")
#: the constraint's tree: (table, constraint, its index, valid, the constraint above it)
TREE = (
    "SELECT coalesce(string_agg(format('%s %s %s %s %s', c.conrelid::regclass, c.conname, "
    "c.conindid::regclass, i.indisvalid, coalesce(p.conname, '-')), ', ' "
    "ORDER BY c.conrelid::regclass::text), '') FROM pg_constraint c "
    "JOIN pg_index i ON i.indexrelid = c.conindid "
    "LEFT JOIN pg_constraint p ON p.oid = c.conparentid "
    "WHERE c.contype = 'u' AND c.conrelid::regclass::text ILIKE '%events%'"
)
#: the leaves' unique indexes by name, with their OIDs
LEAF_INDEXES = (
    "SELECT string_agg(format('%s=%s', indexrelid::regclass, indexrelid), ',' "
    "ORDER BY indexrelid::regclass::text) FROM pg_index "
    "WHERE indisunique AND NOT indisprimary AND indrelid::regclass::text ILIKE '%events%' "
    "AND (SELECT relkind FROM pg_class WHERE oid = indrelid) = 'r'"
)


def _expected_tree() -> str:
    rows = ["events uq_events_ref uq_events_ref t -"]
    for table in ("events_2026_01", "events_2026_02", "events_other", "events_2026_03"):
        rows.append(f"{table} {table}_ref_happened_on_key {table}_ref_happened_on_key t "
                    "uq_events_ref")
    for table in ("events_2026_03_a", "events_2026_03_rest"):
        rows.append(f"{table} {table}_ref_happened_on_key {table}_ref_happened_on_key t "
                    "events_2026_03_ref_happened_on_key")
    return ", ".join(sorted(rows))


@pytest.fixture
def scene(pg: PgCluster, tmp_path: Path) -> tuple[Path, str, str]:
    """(project, database, url) at revision 000 with the app's partitions and rows."""
    case = Case("partitioned_unique", {"schema.yaml": EVENTS}, {"schema.yaml": UNIQUE})
    first = at_first_revision(pg, case, tmp_path, f"{APP_PARTITIONS}; {ROWS}")
    return first.root, first.db, first.url


def test_the_revision_builds_it_online_saying_each_lock(scene: tuple[Path, str, str]) -> None:
    root, _, _ = scene
    (revision,) = revisions(root)[1:]
    assert revision.stem.endswith("_online")
    text = " ".join(revision.read_text(encoding="utf-8").split())
    assert (
        "find repeated keys (ACCESS SHARE, scans); create unique index concurrently on each "
        "partition (SHARE UPDATE EXCLUSIVE, scans); make each partition's unique index its "
        "constraint (ACCESS EXCLUSIVE, no scan); add unique attaching the partitions' "
        "constraints (ACCESS EXCLUSIVE, no scan), outside a transaction"
    ) in text
    # no plain ADD CONSTRAINT ... UNIQUE in a transaction, no CONCURRENTLY on the table
    assert "op.create_unique_constraint" not in text
    with pytest.raises(CommandError, match="built on each partition the database holds"):
        offline_sql(root, "000:head")


def test_writes_go_on_a_killed_build_reruns_and_the_table_attaches_what_was_built(
    pg: PgCluster, scene: tuple[Path, str, str]
) -> None:
    root, db, url = scene
    libpq = pg.libpq_url(db)
    # an old writer of one partition: that partition's concurrent build waits for it
    with (
        upgrade_killed_mid_build(pg, root, db, "CREATE UNIQUE INDEX CONCURRENTLY ") as pid,
        psycopg.connect(libpq, autocommit=True) as second,
    ):
        # the upgrade holds no lock on any table that blocks a reader or a writer
        held = pg.sql(
            "SELECT coalesce(string_agg(DISTINCT mode, ','), '-') FROM pg_locks l "
            "JOIN pg_class c ON c.oid = l.relation "
            f"WHERE l.pid = {pid} AND c.relkind IN ('r', 'p') AND l.granted",
            db,
        ).strip()
        assert held in ("-", "ShareUpdateExclusiveLock"), held
        # a second session reads and writes every kind of partition meanwhile
        second.execute("SET lock_timeout = '2s'")
        assert second.execute("SELECT count(*) FROM events").fetchone() == (8000,)
        second.execute("INSERT INTO events VALUES (90001, '2026-01-09', 'a', NULL)")
        second.execute("INSERT INTO events VALUES (90002, '2026-01-09', 'a', NULL)")
        second.execute("INSERT INTO events_2026_02 VALUES (90003, '2026-02-09', 'b', 7)")
        second.execute("INSERT INTO events VALUES (90004, '2026-03-09', 'a', 8)")
        second.execute("INSERT INTO events VALUES (90005, '2030-01-01', 'c', NULL)")
        second.execute("UPDATE events_other SET kind = 'd' WHERE id = 90005")
    assert pg.sql("SELECT version_num FROM alembic_version", db).strip() == "000"
    # the killed build left an INVALID unique index on a partition, no constraint
    assert re.fullmatch(r"events_[a-z0-9_]+_ref_happened_on_key", pg.sql(INVALID, db).strip())
    assert "uq_events_ref" not in pg.sql(TREE, db)

    # the rerun, while a reader holds the table (not its partitions): every leaf
    # is done and the table's ADD CONSTRAINT waits for the reader
    with psycopg.connect(libpq) as reader:
        reader.execute("LOCK TABLE ONLY events IN ACCESS SHARE MODE")
        with upgrade_running(root, url) as errors:
            pg.wait_for(
                "SELECT pid FROM pg_stat_activity WHERE query LIKE "
                "'ALTER TABLE events ADD CONSTRAINT uq_events_ref%' AND wait_event_type = 'Lock'",
                db,
            )
            assert pg.sql(INVALID, db).strip() == "-"
            built = pg.sql(LEAF_INDEXES, db).strip()
            reader.rollback()
    assert not errors, errors
    assert pg.sql(TREE, db).strip() == _expected_tree()
    # the table's constraint attached the very indexes built concurrently: none rebuilt
    assert pg.sql(LEAF_INDEXES, db).strip() == built
    assert pg.sql("SELECT count(*) FROM events", db).strip() == "8005"
    # a rerun at head does nothing
    alembic(root, url, "upgrade", "head")
    assert pg.sql(TREE, db).strip() == _expected_tree()
    # the constraint holds on every partition, the app's included; NULLs repeat freely
    with psycopg.connect(libpq) as conn, pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute("INSERT INTO events VALUES (90006, '2026-03-09', 'a', 8)")
    pg.sql("INSERT INTO events VALUES (90007, '2026-03-09', 'a', NULL)", db)
    upgraded = pg.sql(TREE, db).strip()
    alembic(root, url, "downgrade", "000")
    assert pg.sql(TREE, db).strip() == ""
    assert pg.sql("SELECT count(*) FROM events", db).strip() == "8006"
    # PostgreSQL building the constraint itself names every partition's so
    pg.sql("ALTER TABLE events ADD CONSTRAINT uq_events_ref UNIQUE (ref, happened_on)", db)
    assert pg.sql(TREE, db).strip() == upgraded


def test_repeated_rows_are_named_before_any_build(
    pg: PgCluster, scene: tuple[Path, str, str]
) -> None:
    root, db, url = scene
    pg.sql("INSERT INTO events VALUES (90010, '2026-03-10', 'b', 42)", db)  # ref 42 twice that day
    pg.sql("INSERT INTO events VALUES (90011, '2026-03-10', 'a', 42)", db)
    with pytest.raises(Exception, match="cannot add unique uq_events_ref to events: rows repeat"):
        alembic(root, url, "upgrade", "head")
    assert pg.sql(LEAF_INDEXES, db).strip() == ""
    pg.sql("DELETE FROM events WHERE id = 90011", db)
    alembic(root, url, "upgrade", "head")
    assert pg.sql(TREE, db).strip() == _expected_tree()


def test_names_taken_in_the_schema_are_skipped_as_postgresql_skips_them(
    pg: PgCluster, scene: tuple[Path, str, str]
) -> None:
    """A relation (or a constraint) already named like a partition's index makes
    PostgreSQL take ``..._key1``: the build does the same. A partition whose quoted
    name holds USING (and so does its index's) is found like any other."""
    root, db, url = scene
    pg.sql("CREATE TABLE events_2026_01_ref_happened_on_key (x int)", db)
    pg.sql(
        'CREATE TABLE "Events USING btree (ref)" PARTITION OF events '
        "FOR VALUES FROM ('2027-01-01') TO ('2028-01-01'); "
        "INSERT INTO events VALUES (1, '2027-01-01', 'a', NULL), (2, '2027-01-01', 'a', NULL)",
        db,
    )
    alembic(root, url, "upgrade", "head")
    upgraded = pg.sql(TREE, db).strip()
    assert "events_2026_01 events_2026_01_ref_happened_on_key1 " in upgraded
    assert '"Events USING btree (ref)_ref_happened_on_key" t uq_events_ref' in upgraded
    assert pg.sql(LEAF_INDEXES, db).count("=") == 6  # one a leaf, built once
    alembic(root, url, "downgrade", "000")
    pg.sql("ALTER TABLE events ADD CONSTRAINT uq_events_ref UNIQUE (ref, happened_on)", db)
    assert pg.sql(TREE, db).strip() == upgraded


def test_offline_sql_refusal_names_the_direction_it_runs_in(tmp_path: Path) -> None:
    """The revision that drops a partitioned table's unique adds it back in its
    downgrade, partition by partition: ``alembic downgrade --sql`` refuses it in
    words for a downgrade (it said ``alembic upgrade --sql``, ``when the upgrade
    runs`` and ``run the upgrade``); the upgrade's refusal keeps its words."""
    root = tmp_path / "project"
    generate(Case("partitioned_unique", {"schema.yaml": UNIQUE}, {"schema.yaml": EVENTS}), root)
    with pytest.raises(CommandError) as refused:
        offline_sql(root, "head:000", "downgrade")
    assert " ".join(str(refused.value).split()) == (
        "alembic downgrade --sql cannot write this revision: unique uq_events_ref of the "
        "partitioned table events is built on each partition the database holds when the "
        "downgrade runs; run the downgrade against the database"
    )
    # the revision that adds it builds it partition by partition when upgraded
    added = tmp_path / "added"
    generate(Case("partitioned_unique", {"schema.yaml": EVENTS}, {"schema.yaml": UNIQUE}), added)
    with pytest.raises(CommandError) as refused:
        offline_sql(added, "000:head")
    assert " ".join(str(refused.value).split()) == (
        "alembic upgrade --sql cannot write this revision: unique uq_events_ref of the "
        "partitioned table events is built on each partition the database holds when the "
        "upgrade runs; run the upgrade against the database"
    )


def test_check_database_says_a_build_cut_short_is_half_built(
    pg: PgCluster, scene: tuple[Path, str, str]
) -> None:
    """Killed while events_2026_02's index waits, the build leaves events_2026_01
    holding its own constraint and events_2026_02 an INVALID index, the table none:
    check --database says the table's unique is half built, naming the partition
    that holds one, and that rerunning the upgrade finishes it (it said 'missing
    from the database' alone, the partition's constraint unmentioned); after the
    rerun it says nothing of it."""
    root, db, url = scene
    with upgrade_killed_mid_build(pg, root, db, "CREATE UNIQUE INDEX CONCURRENTLY"):
        pass
    assert "events_2026_01 events_2026_01_ref_happened_on_key" in pg.sql(TREE, db)
    findings = {f["object"]: f for f in json_findings(root, url)}
    half = findings["unique constraint uq_events_ref on events"]
    assert half["message"] == (
        "half built: a build partition by partition was cut short before the table's "
        "constraint; partition events_2026_01 holds a unique constraint of its own over "
        "(ref, happened_on), the table none"
    )
    assert half["hint"].startswith("rerun `alembic upgrade head`")
    assert "index events_2026_02_ref_happened_on_key on events_2026_02" in findings
    # every leaf's, the table's not yet (its ADD CONSTRAINT failed): all named
    pg.sql("DROP INDEX events_2026_02_ref_happened_on_key", db)
    for leaf in ("events_2026_02", "events_other", "events_2026_03_a"):
        pg.sql(
            f"CREATE UNIQUE INDEX {leaf}_ref_happened_on_key ON {leaf} (ref, happened_on); "
            f"ALTER TABLE {leaf} ADD CONSTRAINT {leaf}_ref_happened_on_key "
            f"UNIQUE USING INDEX {leaf}_ref_happened_on_key",
            db,
        )
    findings = {f["object"]: f for f in json_findings(root, url)}
    assert findings["unique constraint uq_events_ref on events"]["message"] == (
        "half built: a build partition by partition was cut short before the table's "
        "constraint; partitions events_2026_01, events_2026_02, events_2026_03_a, "
        "events_other hold unique constraints of their own over (ref, happened_on), the "
        "table none"
    )
    alembic(root, url, "upgrade", "head")
    assert pg.sql(TREE, db).strip() == _expected_tree()
    # the application's partition alone, which the schema does not declare
    assert live_findings(root, url) == [
        "partition events_2026_03 on events: in the database but not in the schema"
    ]
    assert pg.sql("SELECT count(*) FROM events", db).strip() == "8000"
