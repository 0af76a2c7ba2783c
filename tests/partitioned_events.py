"""The partitioned ``events`` table of the tests of an index or a unique constraint
built partition by partition (revision.partition_indexes, partition_uniques): its
schema, with the indexes or uniques a test adds, partitions the application made,
rows, and an upgrade run in a thread, whose build of a partition's index may be
killed while it waits."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from migration_harness import alembic
from pgcluster import PgCluster

#: range-partitioned by day: two monthly partitions and a DEFAULT
EVENTS = """\
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
    partition_by: {range: [happened_on]}
    partitions:
      events_2026_01: {from: "2026-01-01", to: "2026-02-01"}
      events_2026_02: {from: "2026-02-01", to: "2026-03-01"}
      events_other: {default: true}
"""


def events_with(section: str, *entries: str) -> str:
    """:data:`EVENTS` with a ``section`` mapping (``indexes``, ``unique``) holding each
    of ``entries`` (``name: definition``), in order."""
    lines = "".join(f"      {entry}\n" for entry in entries)
    return EVENTS.replace("    partition_by:", f"    {section}:\n{lines}    partition_by:")


#: partitions the application made after revision 000: one sub-partitioned (a key
#: must hold the partition keys: by happened_on again), with a DEFAULT of its own
APP_PARTITIONS = (
    "CREATE TABLE events_2026_03 PARTITION OF events "
    "FOR VALUES FROM ('2026-03-01') TO ('2026-04-01') PARTITION BY RANGE (happened_on); "
    "CREATE TABLE events_2026_03_a PARTITION OF events_2026_03 "
    "FOR VALUES FROM ('2026-03-01') TO ('2026-03-16'); "
    "CREATE TABLE events_2026_03_rest PARTITION OF events_2026_03 DEFAULT"
)
#: rows in every partition (the application's too): kinds repeated, NULL refs
#: repeated on a day; 2,000 a month
ROWS = (
    "INSERT INTO events SELECT g, date '2026-01-01' + (g % 120), "
    "CASE WHEN g % 3 = 0 THEN 'a' ELSE 'b' END, CASE WHEN g % 5 = 0 THEN NULL ELSE g END "
    "FROM generate_series(1, 8000) g"
)
#: the INVALID indexes of the database, by name, or ``-``
INVALID = (
    "SELECT coalesce(string_agg(indexrelid::regclass::text, ','), '-') FROM pg_index "
    "WHERE NOT indisvalid"
)


@contextmanager
def upgrade_running(root: Path, url: str) -> Iterator[list[BaseException]]:
    """``alembic upgrade head`` of the project at ``root`` run in a thread; yields the
    list its failure, if any, is put in; the thread is joined on leaving."""
    errors: list[BaseException] = []

    def upgrade() -> None:
        try:
            alembic(root, url, "upgrade", "head")
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            errors.append(exc)

    worker = threading.Thread(target=upgrade)
    worker.start()
    try:
        yield errors
    finally:
        worker.join(60)


@contextmanager
def upgrade_killed_mid_build(pg: PgCluster, root: Path, db: str, build: str) -> Iterator[str]:
    """``alembic upgrade head`` of the project at ``root`` run in a thread while an
    old writer holds a row of ``events_2026_02`` open, so that a partition's build
    (the statement starting with ``build``, e.g. ``CREATE INDEX CONCURRENTLY ON``)
    waits for it; yields that backend's pid. On leaving, the backend is killed, the
    upgrade joined and the writer rolled back; then the upgrade must have failed on
    the killed connection."""
    with psycopg.connect(pg.libpq_url(db)) as old:
        old.execute("UPDATE events_2026_02 SET kind = kind WHERE id = 32")
        with upgrade_running(root, pg.url(db)) as errors:
            pid = pg.wait_for(
                "SELECT pid FROM pg_stat_activity WHERE query LIKE "
                f"'{build}%' AND wait_event_type = 'Lock'",
                db,
            )
            try:
                yield pid
            finally:
                pg.sql(f"SELECT pg_terminate_backend({pid})", db)
        old.rollback()
    assert errors and "terminating connection" in str(errors[0]), errors
