"""The partitioned ``events`` table of the tests of an index built partition by
partition (revision.partition_indexes): its schema, with the indexes a test adds,
and an upgrade whose build of a partition's index is killed while it waits."""

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


def events_indexed(*indexes: str) -> str:
    """:data:`EVENTS` with an ``indexes:`` mapping holding each of ``indexes``
    (``name: definition``), in order."""
    entries = "".join(f"      {index}\n" for index in indexes)
    return EVENTS.replace("    partition_by:", f"    indexes:\n{entries}    partition_by:")


@contextmanager
def upgrade_killed_mid_build(pg: PgCluster, root: Path, db: str, build: str) -> Iterator[str]:
    """``alembic upgrade head`` of the project at ``root`` run in a thread while an
    old writer holds a row of ``events_2026_02`` open, so that a partition's build
    (the statement starting with ``build``, e.g. ``CREATE INDEX CONCURRENTLY ON``)
    waits for it; yields that backend's pid. On leaving, the backend is killed, the
    upgrade joined and the writer rolled back; then the upgrade must have failed on
    the killed connection."""
    url = pg.url(db)
    errors: list[BaseException] = []

    def upgrade() -> None:
        try:
            alembic(root, url, "upgrade", "head")
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            errors.append(exc)

    with psycopg.connect(pg.libpq_url(db)) as old:
        old.execute("UPDATE events_2026_02 SET kind = kind WHERE id = 32")
        worker = threading.Thread(target=upgrade)
        worker.start()
        pid = pg.wait_for(
            "SELECT pid FROM pg_stat_activity WHERE query LIKE "
            f"'{build}%' AND wait_event_type = 'Lock'",
            db,
        )
        try:
            yield pid
        finally:
            pg.sql(f"SELECT pg_terminate_backend({pid})", db)
            worker.join(60)
            old.rollback()
    assert errors and "terminating connection" in str(errors[0]), errors
