"""``check --database`` reads the partitions' own indexes: an index made by hand on
one partition (at any depth) that is no copy of an index of the table is drift, and
a partitioned table's index that some partition has no copy of (its ``ON ONLY``
index made by hand, or a build partition by partition cut short: the index is
INVALID until every partition's is attached) names those partitions. Each hint
runs as printed, whatever the session's search_path: the index is dropped, an index
of the same definition attached, or each missing copy built and attached; check is
then clean and the rows are kept. No catalog query more."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
from migration_harness import (
    Case,
    alembic,
    by_hand,
    generate,
    json_findings,
    migrated_database,
    revisions,
    scratch_database,
)
from pgcluster import PgCluster

SCHEMA = """\
database:
  name: events
entities:
  Event:
    primary_key: [id, happened_on]
    columns:
      id: {type: bigint, primary_key: true}
      happened_on: {type: date, primary_key: true}
      kind: {type: text}
      ref: {type: bigint, nullable: true}
    indexes:
      idx_events_ref: [ref]
    partition_by: {range: [happened_on]}
    partitions:
      events_2026_01: {from: "2026-01-01", to: "2026-02-01"}
      events_2026_02: {from: "2026-02-01", to: "2026-03-01"}
      events_2026_03:
        from: "2026-03-01"
        to: "2026-04-01"
        partition_by: {range: [happened_on]}
        partitions:
          events_2026_03_a: {from: "2026-03-01", to: "2026-03-16"}
          events_2026_03_rest: {default: true}
      events_other: {default: true}
"""
#: rows in every partition: kinds repeated, NULL refs repeated on a day
ROWS = (
    "INSERT INTO events SELECT g, date '2026-01-01' + (g % 120), "
    "CASE WHEN g % 3 = 0 THEN 'a' ELSE 'b' END, CASE WHEN g % 5 = 0 THEN NULL ELSE g END "
    "FROM generate_series(1, 8000) g"
)
KEPT = "SELECT count(*), count(ref), count(DISTINCT kind) FROM events"
#: the statements a hint gives to run, each between backquotes
STATEMENT = re.compile(r"`((?:DROP|CREATE|ALTER) INDEX [^`]+)`")


def _partition_findings(root: Path, url: str) -> dict[str, tuple[str, str]]:
    return {f["object"]: (f["message"], f["hint"]) for f in json_findings(root, url)}


def _run_as_printed(pg: PgCluster, db: str, hints: list[str]) -> None:
    """Each statement of ``hints`` run as it is printed, in a session whose search_path
    holds no schema of the project's."""
    with psycopg.connect(pg.libpq_url(db), autocommit=True) as conn:
        conn.execute("SET search_path = pg_catalog")
        for hint in hints:
            for statement in STATEMENT.findall(hint):
                conn.execute(statement.encode())


def test_an_index_made_on_one_partition_is_reported(pg: PgCluster, tmp_path: Path) -> None:
    root, db = migrated_database(pg, tmp_path, "partition_indexes", SCHEMA, ROWS)
    url = pg.url(db)
    kept = pg.sql(KEPT, db)
    assert json_findings(root, url) == []
    by_hand(
        pg,
        db,
        [
            "CREATE INDEX events_2026_01_kind_hand ON events_2026_01 (kind)",
            "CREATE INDEX events_2026_03_a_ref_kind ON events_2026_03_a (ref, kind)",
            # a partitioned partition's: its partitions get copies, attached to it
            "CREATE INDEX events_2026_03_kind_hand ON events_2026_03 (kind)",
        ],
    )
    found = _partition_findings(root, url)
    assert found == {
        "index events_2026_01_kind_hand on events_2026_01": (
            "in the database but not in the schema: made on partition events_2026_01 of "
            "events alone, a copy of no index of its parent",
            "the schema declares a partition's indexes on its table (every partition gets "
            "a copy): `DROP INDEX CONCURRENTLY public.events_2026_01_kind_hand`",
        ),
        "index events_2026_03_a_ref_kind on events_2026_03_a": (
            "in the database but not in the schema: made on partition events_2026_03_a of "
            "events alone, a copy of no index of its parent",
            "the schema declares a partition's indexes on its table (every partition gets "
            "a copy): `DROP INDEX CONCURRENTLY public.events_2026_03_a_ref_kind`",
        ),
        "index events_2026_03_kind_hand on events_2026_03": (
            "in the database but not in the schema: made on partition events_2026_03 of "
            "events alone, a copy of no index of its parent",
            "the schema declares a partition's indexes on its table (every partition gets "
            "a copy): `DROP INDEX public.events_2026_03_kind_hand` (not "
            "CONCURRENTLY, which PostgreSQL refuses for a partitioned index: it holds "
            "ACCESS EXCLUSIVE on events_2026_03 and each of its partitions until it "
            "commits; it drops the copies on them)",
        ),
    }
    _run_as_printed(pg, db, [hint for _, hint in found.values()])
    assert json_findings(root, url) == []
    assert pg.sql(KEPT, db) == kept


def test_a_partition_without_its_copy_of_the_table_index_is_named(
    pg: PgCluster, tmp_path: Path
) -> None:
    """The table's index made again ON ONLY by hand, at head: one partition's copy made
    and attached, one made and not attached, the others none. The INVALID index names
    the partitions without a copy and how to build and attach each; the index of the
    same definition, not attached, is reported with the ATTACH that takes it."""
    root, db = migrated_database(pg, tmp_path, "partition_copies", SCHEMA, ROWS)
    url = pg.url(db)
    kept = pg.sql(KEPT, db)
    by_hand(
        pg,
        db,
        [
            "DROP INDEX idx_events_ref",
            "CREATE INDEX idx_events_ref ON ONLY events (ref)",
            "CREATE INDEX events_2026_01_ref_hand ON events_2026_01 (ref)",
            "ALTER INDEX idx_events_ref ATTACH PARTITION events_2026_01_ref_hand",
            "CREATE INDEX events_other_ref_hand ON events_other (ref)",
        ],
    )
    found = _partition_findings(root, url)
    assert set(found) == {
        "index idx_events_ref on events",
        "index events_other_ref_hand on events_other",
    }, found
    message, hint = found["index idx_events_ref on events"]
    assert message == (
        "is INVALID: its build partition by partition failed or was cancelled before "
        "every partition's index was attached, so a partition without one is neither "
        "indexed nor, for a unique index, checked; without one: events_2026_02, "
        "events_2026_03, events_other"
    )
    assert hint.endswith(
        "; or finish it by hand, building and attaching each partition's: "
        "`CREATE INDEX CONCURRENTLY events_2026_02_idx_events_ref ON "
        "public.events_2026_02 USING btree (ref)`, `ALTER INDEX "
        "public.idx_events_ref ATTACH PARTITION "
        "public.events_2026_02_idx_events_ref`; `CREATE INDEX "
        "events_2026_03_idx_events_ref ON public.events_2026_03 USING btree "
        "(ref)` (not CONCURRENTLY, which PostgreSQL refuses for a partitioned table: "
        "it holds SHARE on events_2026_03 and each of its partitions while it builds), "
        "`ALTER INDEX public.idx_events_ref ATTACH PARTITION "
        "public.events_2026_03_idx_events_ref`; `ALTER INDEX "
        "public.idx_events_ref ATTACH PARTITION public.events_other_ref_hand`"
    ), hint
    assert found["index events_other_ref_hand on events_other"] == (
        "in the database but not in the schema: made on partition events_other of events "
        "alone, of the definition of index idx_events_ref on events but not attached to it",
        "attach it: `ALTER INDEX public.idx_events_ref ATTACH PARTITION "
        "public.events_other_ref_hand` (or drop it: `DROP INDEX CONCURRENTLY "
        "public.events_other_ref_hand`)",
    )
    # the INVALID index's hint, its by-hand part run as printed: valid, check clean
    _run_as_printed(pg, db, [hint.split("; or finish it by hand")[1]])
    assert pg.sql(
        "SELECT indisvalid FROM pg_index WHERE indexrelid = 'idx_events_ref'::regclass", db
    ).strip() == "t"
    assert json_findings(root, url) == []
    assert pg.sql(KEPT, db) == kept


def test_a_pending_revisions_prebuilt_indexes_are_left_to_it(
    pg: PgCluster, tmp_path: Path
) -> None:
    """A partitioned table's new key is built ahead of its transaction: the drops
    revision makes each leaf's unique index, which the main revision makes the
    partition's key. At the drops revision (the main one pending: it failed, or is
    yet to run) those indexes are made on one partition alone, as a hand's would be;
    the hint says to upgrade first, which takes them, rather than to drop them."""
    narrow = SCHEMA.replace("    primary_key: [id, happened_on]\n", "")
    wide = SCHEMA.replace("[id, happened_on]", "[id, happened_on, kind]").replace(
        "      kind: {type: text}", "      kind: {type: text, primary_key: true}"
    )
    root = tmp_path / "project"
    generate(Case("pending", {"schema.yaml": narrow}, {"schema.yaml": wide}), root)
    db = scratch_database(pg, "pending")
    url = pg.url(db)
    alembic(root, url, "upgrade", "000")
    pg.sql(ROWS, db)
    drops = [p.name.split("_")[0] for p in revisions(root) if "_drops" in p.name]
    assert len(drops) == 1, revisions(root)
    alembic(root, url, "upgrade", drops[0])
    pending = {
        obj: hint
        for obj, (message, hint) in _partition_findings(root, url).items()
        if "made on partition" in message
    }
    assert sorted(pending) == [
        "index events_2026_01_id_happened_on_kind_key on events_2026_01",
        "index events_2026_02_id_happened_on_kind_key on events_2026_02",
        "index events_2026_03_a_id_happened_on_kind_key on events_2026_03_a",
        "index events_2026_03_rest_id_happened_on_kind_key on events_2026_03_rest",
        "index events_other_id_happened_on_kind_key on events_other",
    ], pending
    assert all(
        hint.startswith(
            "the database is not at head: run `alembic upgrade head` first, whose pending "
            "revisions may take it (a build ahead of its transaction, as a partitioned "
            "table's new key's, makes each partition's index first); if it is still "
            "reported, "
        )
        for hint in pending.values()
    ), pending
    alembic(root, url, "upgrade", "head")
    assert json_findings(root, url) == []
    assert pg.sql(KEPT, db).strip().startswith("8000|")
