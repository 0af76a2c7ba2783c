"""``check --database`` on a partitioned table's index left half built: a build
partition by partition (revision.partition_indexes) killed before every
partition's index was attached leaves the table's ``ON ONLY`` index INVALID
(relkind 'I'). PostgreSQL drops no partitioned index CONCURRENTLY, so its hint
says to rerun the upgrade, or ``DROP INDEX`` (not concurrently) and the lock
that takes; a plain INVALID index keeps its ``DROP INDEX CONCURRENTLY`` hint.
The invalid-indexes query says which (no query more)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from migration_harness import Case, alembic, json_findings
from partitioned_events import EVENTS, events_with, upgrade_killed_mid_build
from pgcluster import PgCluster
from revision_steps import at_first_revision

INDEXED = events_with("indexes", "ux_events_ref: {columns: [ref, happened_on], unique: true}")
#: rows in every partition, NULL refs repeated, kinds repeated
ROWS = (
    "INSERT INTO events SELECT g, date '2026-01-01' + (g % 90), "
    "CASE WHEN g % 3 = 0 THEN 'a' ELSE 'b' END, CASE WHEN g % 5 = 0 THEN NULL ELSE g END "
    "FROM generate_series(1, 6000) g"
)
INVALID = (
    "SELECT coalesce(string_agg(format('%s %s', c.oid::regclass, c.relkind), ', ' "
    "ORDER BY c.oid::regclass::text), '-') FROM pg_index i JOIN pg_class c "
    "ON c.oid = i.indexrelid WHERE NOT i.indisvalid"
)


@pytest.fixture
def killed(pg: PgCluster, tmp_path: Path) -> tuple[Path, str, str]:
    """(project, database, url): revision 001's build of ux_events_ref killed while a
    partition's CONCURRENTLY build waited for an old writer."""
    case = Case("half_built", {"schema.yaml": EVENTS}, {"schema.yaml": INDEXED})
    first = at_first_revision(pg, case, tmp_path, ROWS)
    with upgrade_killed_mid_build(pg, first.root, first.db, "CREATE UNIQUE INDEX CONCURRENTLY ON"):
        pass
    return first.root, first.db, first.url


def _invalid(root: Path, url: str) -> dict[str, tuple[str, str]]:
    return {
        f["object"]: (f["message"], f["hint"])
        for f in json_findings(root, url)
        if "is INVALID" in f["message"]
    }


PARTITIONED_HINT = (
    "index ux_events_ref: fix what made the build fail (e.g. duplicate rows), then rerun "
    "`alembic upgrade head`: it builds and attaches the partitions' missing indexes, and "
    "the index is valid once the last is attached (by hand: DROP INDEX "
    "public.ux_events_ref, not CONCURRENTLY, which PostgreSQL refuses for a "
    "partitioned index: it holds ACCESS EXCLUSIVE on events and each of its partitions "
    "until it commits; the rerun then builds it again)"
)
#: what it adds for the partitions without their copy (live.partition_indexes): the
#: killed one's, whose own INVALID index is reported apart, and the one not reached
FINISH_BY_HAND = (
    "; or finish it by hand, building and attaching each partition's: `CREATE UNIQUE "
    "INDEX CONCURRENTLY events_2026_02_ux_events_ref ON public.events_2026_02 USING "
    "btree (ref, happened_on)`, `ALTER INDEX public.ux_events_ref ATTACH PARTITION "
    "public.events_2026_02_ux_events_ref`; `CREATE UNIQUE INDEX CONCURRENTLY "
    "events_other_ux_events_ref ON public.events_other USING btree (ref, happened_on)`, "
    "`ALTER INDEX public.ux_events_ref ATTACH PARTITION public.events_other_ux_events_ref`"
)
#: the hint of a plain index's INVALID build, as before
PLAIN_HINT = (
    "index events_2026_02_ref_happened_on_idx: fix what made the build fail (e.g. "
    "duplicate rows), then rerun the alembic upgrade or downgrade that failed: it drops "
    "the INVALID index and builds it again (by hand: DROP INDEX CONCURRENTLY "
    "public.events_2026_02_ref_happened_on_idx)"
)


def test_a_half_built_partitioned_index_says_to_rerun_the_upgrade(
    pg: PgCluster, killed: tuple[Path, str, str]
) -> None:
    root, db, url = killed
    assert pg.sql(INVALID, db).strip() == (
        "events_2026_02_ref_happened_on_idx i, ux_events_ref I"
    )
    assert _invalid(root, url) == {
        "index ux_events_ref on events": (
            "is INVALID: its build partition by partition failed or was cancelled before "
            "every partition's index was attached, so a partition without one is neither "
            "indexed nor, for a unique index, checked; without one: events_2026_02, "
            "events_other",
            PARTITIONED_HINT + FINISH_BY_HAND,
        ),
        # a partition's own index, killed mid-build: a plain index, its hint unchanged
        "index events_2026_02_ref_happened_on_idx on events_2026_02": (
            "is INVALID: a CREATE INDEX CONCURRENTLY failed or was cancelled, so it "
            "enforces nothing and serves no query",
            PLAIN_HINT,
        ),
    }
    # what the old hint said to run: PostgreSQL refuses it
    with psycopg.connect(pg.libpq_url(db), autocommit=True) as conn, pytest.raises(
        psycopg.errors.FeatureNotSupported, match="cannot drop partitioned index"
    ):
        conn.execute('DROP INDEX CONCURRENTLY "ux_events_ref"')
    # the hint followed: the rerun finishes the build, check is clean
    alembic(root, url, "upgrade", "head")
    assert pg.sql(INVALID, db).strip() == "-"
    assert json_findings(root, url) == []
    assert pg.sql("SELECT count(*) FROM events WHERE ref IS NULL", db).strip() == "1200"


def test_dropping_a_half_built_partitioned_index_by_hand(
    pg: PgCluster, killed: tuple[Path, str, str]
) -> None:
    """The hint's by-hand way: DROP INDEX, holding the lock it names, then the rerun."""
    root, db, url = killed
    with psycopg.connect(pg.libpq_url(db)) as conn:
        conn.execute('DROP INDEX "ux_events_ref"')
        held = conn.execute(
            "SELECT string_agg(DISTINCT c.relname || ' ' || l.mode, ', ' ORDER BY "
            "c.relname || ' ' || l.mode) FROM pg_locks l JOIN pg_class c ON c.oid = "
            "l.relation WHERE l.pid = pg_backend_pid() AND c.relkind IN ('r', 'p') "
            "AND c.relnamespace = 'public'::regnamespace"
        ).fetchone()
        conn.commit()
    assert held == (
        "events AccessExclusiveLock, events_2026_01 AccessExclusiveLock, "
        "events_2026_02 AccessExclusiveLock, events_other AccessExclusiveLock",
    )
    # the partition's INVALID index was never attached: left, with its own hint
    assert _invalid(root, url) == {
        "index events_2026_02_ref_happened_on_idx on events_2026_02": (
            "is INVALID: a CREATE INDEX CONCURRENTLY failed or was cancelled, so it "
            "enforces nothing and serves no query",
            PLAIN_HINT,
        ),
    }
    alembic(root, url, "upgrade", "head")
    assert pg.sql(INVALID, db).strip() == "-"
    assert json_findings(root, url) == []



#: a partition the application made after revision 000, partitioned again, holding
#: rows with NULL refs and repeated kinds; its build comes before events_2026_02's
SUB_PARTITIONED = (
    "CREATE TABLE events_2025_12 PARTITION OF events "
    "FOR VALUES FROM ('2025-12-01') TO ('2026-01-01') PARTITION BY RANGE (happened_on); "
    "CREATE TABLE events_2025_12_a PARTITION OF events_2025_12 "
    "FOR VALUES FROM ('2025-12-01') TO ('2025-12-16'); "
    "CREATE TABLE events_2025_12_rest PARTITION OF events_2025_12 DEFAULT; "
    "INSERT INTO events SELECT 9000 + g, date '2025-12-01' + g % 31, 'a', "
    "CASE WHEN g % 4 = 0 THEN NULL ELSE 9000 + g END FROM generate_series(1, 300) g"
)


def test_a_half_built_sub_partitioned_index_names_a_drop_postgresql_accepts(
    pg: PgCluster, tmp_path: Path
) -> None:
    """Killed after the sub-partitioned partition got its own ON ONLY index,
    attached to the table's: that index is INVALID too, and PostgreSQL refuses to
    drop it alone ("index ux_events_ref requires it"), so its by-hand DROP names
    the index at the top of its tree, in its schema; run as written, it is accepted."""
    case = Case("half_built", {"schema.yaml": EVENTS}, {"schema.yaml": INDEXED})
    first = at_first_revision(pg, case, tmp_path, f"{SUB_PARTITIONED}; {ROWS}")
    root, db, url = first.root, first.db, first.url
    with upgrade_killed_mid_build(pg, root, db, "CREATE UNIQUE INDEX CONCURRENTLY ON"):
        pass
    assert pg.sql(INVALID, db).strip() == (
        "events_2025_12_ref_happened_on_idx I, events_2026_02_ref_happened_on_idx i, "
        "ux_events_ref I"
    )
    found = _invalid(root, url)
    message, hint = found["index events_2025_12_ref_happened_on_idx on events_2025_12"]
    assert message.startswith("is INVALID: its build partition by partition failed"), message
    hint, finish = hint.split("; or finish it by hand")
    # its own partitions' copies, built and attached to it
    assert finish.count("CREATE UNIQUE INDEX CONCURRENTLY") == 2, finish
    assert "`ALTER INDEX public.events_2025_12_ref_happened_on_idx ATTACH PARTITION" in finish
    assert hint == (
        "index events_2025_12_ref_happened_on_idx: it is attached to index ux_events_ref "
        "on events, whose build it is part of: fix what made the build fail (e.g. "
        "duplicate rows), then rerun `alembic upgrade head`: it builds and attaches the "
        "partitions' missing indexes, and the index is valid once the last is attached "
        "(by hand: DROP INDEX public.ux_events_ref, which drops it with every index "
        "attached below it; not events_2025_12_ref_happened_on_idx alone, which "
        "PostgreSQL refuses while it is attached, nor CONCURRENTLY, which it refuses for "
        "a partitioned index: it holds ACCESS EXCLUSIVE on events and each of its "
        "partitions until it commits; the rerun then builds it again)"
    )
    assert found["index ux_events_ref on events"][1].startswith(
        PARTITIONED_HINT + "; or finish it by hand"
    )
    # what the hint said before: refused
    with psycopg.connect(pg.libpq_url(db), autocommit=True) as conn, pytest.raises(
        psycopg.errors.DependentObjectsStillExist, match="index ux_events_ref requires it"
    ):
        conn.execute('DROP INDEX "events_2025_12_ref_happened_on_idx"')
    # the hint's statement, run as it is written: accepted
    drop = hint.split("by hand: ")[1].split(", which drops")[0]
    with psycopg.connect(pg.libpq_url(db), autocommit=True) as conn:
        conn.execute(drop)
    # only the partition's own INVALID index is left, with its own hint
    assert set(_invalid(root, url)) == {
        "index events_2026_02_ref_happened_on_idx on events_2026_02"
    }
    alembic(root, url, "upgrade", "head")
    assert pg.sql(INVALID, db).strip() == "-"
    # the partitions the application made are drift of their own, not INVALID
    assert _invalid(root, url) == {}
    assert pg.sql("SELECT count(*) FROM events WHERE ref IS NULL", db).strip() == "1275"
