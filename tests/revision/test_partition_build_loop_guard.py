"""A build partition by partition (revision.render.Stepwise) asks the database for
one step at a time until none is left; a step whose result the step query does not
recognise (as the partition index definitions cut at the first USING, fc2b9b9)
made it build without end (167 indexes in 60 s). The loop stops, with Alembic's
``FAILED:`` and the statement, when the same step comes back, or when it has taken
as many steps as the partition tree allows (a step naming a new index each time).
The step queries are patched here to recognise nothing they built. What the stopped
build built that nothing took is named in the message, each with the DROP INDEX that
removes it, which runs as written (a rerun after the fix would take one index of a
kind and leave the others: a unique build's 22)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from alembic.util import CommandError
from migration_harness import Case, alembic
from partitioned_events import APP_PARTITIONS, EVENTS, INVALID, ROWS, events_with
from pgcluster import PgCluster
from revision_steps import at_first_revision
from schemagen.revision import partition_indexes, partition_uniques

#: the indexes on events_2026_01 other than its key's
LEAF_INDEXES = (
    "SELECT count(*) FROM pg_index WHERE indrelid = 'events_2026_01'::regclass "
    "AND NOT indisprimary"
)


def _drop_as_written(pg: PgCluster, db: str, message: str) -> None:
    """The DROP INDEX statements the message ends with, each run as it is written in a
    session whose search_path holds no schema of the project's."""
    statements = message.split("to drop, each statement as written: ")[1].split("; ")
    with psycopg.connect(pg.libpq_url(db), autocommit=True) as conn:
        conn.execute("SET search_path = pg_catalog")
        for statement in statements:
            conn.execute(statement.encode())


def _scene(pg: PgCluster, tmp_path: Path, after: str) -> tuple[Path, str, str]:
    case = Case("loop_guard", {"schema.yaml": EVENTS}, {"schema.yaml": after})
    first = at_first_revision(pg, case, tmp_path, f"{APP_PARTITIONS}; {ROWS}")
    return first.root, first.db, first.url


def test_an_index_step_that_comes_back_stops_the_build(
    pg: PgCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A partition's index, built, is never found again: the same CREATE INDEX
    CONCURRENTLY comes back, and the second is refused before it runs."""
    mine = partition_indexes.next_step_sql

    def blind(table: str, index: str) -> str:
        query = mine(table, index)
        found = "AND NOT EXISTS (SELECT FROM pg_inherits h WHERE h.inhrelid = x.indexrelid)"
        assert found in query
        return query.replace(found, "AND false")

    monkeypatch.setattr(partition_indexes, "next_step_sql", blind)
    root, db, url = _scene(pg, tmp_path, events_with("indexes", "idx_events_kind: [kind]"))
    with pytest.raises(CommandError) as stopped:
        alembic(root, url, "upgrade", "head")
    message = " ".join(str(stopped.value).split())
    assert message == (
        "index idx_events_kind of the partitioned table events: the database named the "
        "same step twice: CREATE INDEX CONCURRENTLY ON events_2026_01 USING btree (kind). "
        "The build would go round without end (what a step built is not taken for what "
        "was asked: a defect of schemagen's step query); stopped here, the steps before "
        "it committed. Report it with this statement. What it built that nothing took "
        "(a rerun after the fix would take one of a kind and leave the others), to drop, "
        "each statement as written: DROP INDEX CONCURRENTLY public.events_2026_01_kind_idx"
    )
    # one index built on the partition, not a second; the table's own (ON ONLY)
    # INVALID until every partition's is attached; the rows kept
    assert pg.sql(LEAF_INDEXES, db).strip() == "1"
    assert pg.sql(INVALID, db).strip() == "idx_events_kind"
    assert pg.sql("SELECT version_num FROM alembic_version", db).strip() == "000"
    assert pg.sql("SELECT count(*) FROM events", db).strip() == "8000"
    # the message's drops, as written: the index it built goes, the table's stays
    _drop_as_written(pg, db, message)
    assert pg.sql(LEAF_INDEXES, db).strip() == "0"
    assert pg.sql(INVALID, db).strip() == "idx_events_kind"
    assert pg.sql("SELECT count(*) FROM events", db).strip() == "8000"


def test_a_unique_build_naming_a_new_index_each_time_stops_at_the_trees_bound(
    pg: PgCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A leaf's unique index, built, is never taken for the constraint's: each step
    builds another under the next free name (key, key1, key2...), never the same
    statement twice; the loop stops after 3 steps a table of the partition tree,
    plus one (events and its 6 partitions at any depth: 22)."""
    mine = partition_uniques.next_step_sql

    def blind(table: str, uq: object) -> str:
        query = mine(table, uq)  # type: ignore[arg-type]
        match = "AND right(pg_get_indexdef(i.indexrelid), length(own.def)) = own.def"
        assert match in query
        return query.replace(match, "AND false")

    monkeypatch.setattr(partition_uniques, "next_step_sql", blind)
    after = events_with("unique", "uq_events_ref: [ref, happened_on]")
    root, db, url = _scene(pg, tmp_path, after)
    with pytest.raises(CommandError) as stopped:
        alembic(root, url, "upgrade", "head")
    message = " ".join(str(stopped.value).split())
    assert message == (
        "unique uq_events_ref of the partitioned table events: 22 steps taken, the most "
        "a build over its partition tree takes, and the database names another: CREATE "
        "UNIQUE INDEX CONCURRENTLY events_2026_01_ref_happened_on_key22 ON events_2026_01 "
        "(ref, happened_on). The build would go round without end (what a step built is "
        "not taken for what was asked: a defect of schemagen's step query); stopped here, "
        "the steps before it committed. Report it with this statement. What it built "
        "that nothing took (a rerun after the fix would take one of a kind and leave the "
        "others), to drop, each statement as written: "
        "DROP INDEX CONCURRENTLY public.events_2026_01_ref_happened_on_key; "
        + "; ".join(
            f"DROP INDEX CONCURRENTLY public.events_2026_01_ref_happened_on_key{n}"
            for n in sorted(str(n) for n in range(1, 22))
        )
    ), message
    assert pg.sql(LEAF_INDEXES, db).strip() == "22"
    assert pg.sql("SELECT version_num FROM alembic_version", db).strip() == "000"
    assert pg.sql("SELECT count(*) FROM events", db).strip() == "8000"
    # the message's drops, as written: the 22 go, nothing else
    _drop_as_written(pg, db, message)
    assert pg.sql(LEAF_INDEXES, db).strip() == "0"
    assert pg.sql("SELECT count(*) FROM pg_index WHERE NOT indisprimary AND indrelid IN "
                  "(SELECT relid FROM pg_partition_tree('events'))", db).strip() == "0"
    assert pg.sql("SELECT count(*) FROM events", db).strip() == "8000"
