"""Columns of a domain over an enum, and arrays of one, through the generated models:
enum members in, the schema's labels stored, the same members out, with psycopg 3
(sync) and asyncpg (async), NULLs included, and filters on those columns."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import ModuleType
from typing import Any

from driver_round_trip import both_drivers, generated_modules
from migration_harness import assert_matches_models, migrated_project
from pgcluster import PgCluster

# Labels unlike their member names (IN_PROGRESS, ON_HOLD_LATER, ...), one with a
# comma and quotes (array text needs quoting), and a domain in another PostgreSQL
# schema with NOT NULL and a default.
SCHEMA = """\
database: {name: jobs}
enums:
  JobStatus: {values: [queued, in-progress, 'on hold, "later"', done]}
  Priority: {values: [low, high], schema: ops}
domains:
  job_state:
    type: enum
    enum: JobStatus
    checks: {job_state_not_blank: "length(VALUE::text) > 0"}
  job_priority: {type: enum, enum: Priority, schema: ops, not_null: true, default: low}
entities:
  Job:
    columns:
      id: {type: bigint, primary_key: true}
      status: {type: job_state, nullable: true}
      history: {type: array, of: job_state, nullable: true}
      priority: {type: job_priority}
"""

def _rows(m: ModuleType) -> tuple[list[Any], list[Any]]:
    """Jobs 1 and 2 (written through psycopg), 3 and 4 (through asyncpg)."""
    status, priority = m.JobStatus, m.Priority
    held = status('on hold, "later"')
    sync = [
        m.Job(id=1, status=status.IN_PROGRESS, history=[status.QUEUED, held],
              priority=priority.HIGH),
        m.Job(id=2, status=None, history=None, priority=priority.LOW),
    ]
    async_ = [
        m.Job(id=3, status=held, history=[], priority=priority.LOW),
        m.Job(id=4, status=None, history=None, priority=priority.HIGH),
    ]
    return sync, async_


def _queries(m: ModuleType) -> dict[str, Any]:
    from sqlalchemy import all_, any_, select

    job, status = m.Job, m.JobStatus
    held = status('on hold, "later"')
    return {
        "rows": select(job).order_by(job.id),
        "in_progress": select(job.id).where(job.status == status.IN_PROGRESS),
        "held": select(job.id).where(job.status.in_([held, status.DONE])),
        "no_status": select(job.id).where(job.status.is_(None)).order_by(job.id),
        "before_done": select(job.id).where(job.status < status.DONE).order_by(job.id),
        "high": select(job.id).where(job.priority == m.Priority.HIGH).order_by(job.id),
        "history_held": select(job.id).where(job.history.contains([held])),
        # ANY/ALL on the left: compared as the enum's array (PostgreSQL has no operator
        # for the domain), a member bound as its label
        "any_history": select(job.id).where(any_(job.history) == held),
        "all_history": select(job.id).where(all_(job.history) != status.DONE).order_by(job.id),
        "any_history_ordered": select(job.id).where(any_(job.history) < status.IN_PROGRESS),
        # an index is an integer, not an array of the domain
        "first_history": select(job.history[1]).order_by(job.id),
    }


def _shape(result: dict[str, Any]) -> dict[str, Any]:
    rows = [(j.id, j.status, j.history, j.priority) for j in result.pop("rows")]
    return {"rows": rows, **result}


def test_domain_over_enum_columns_hold_enum_members_with_both_drivers(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    url = pg.url(pg_db)
    root = migrated_project(tmp_path / "p", SCHEMA, url)
    with generated_modules(root, url) as (m, database):
        sync_rows, async_rows = _rows(m)
        read = both_drivers(database, sync_rows, async_rows, _queries(m))
        read_sync, read_async = map(_shape, read)
        status, priority = m.JobStatus, m.Priority
        held = status('on hold, "later"')
        expected = {
            "rows": [
                (1, status.IN_PROGRESS, [status.QUEUED, held], priority.HIGH),
                (2, None, None, priority.LOW),
                (3, held, [], priority.LOW),
                (4, None, None, priority.HIGH),
            ],
            "in_progress": [1],
            "held": [3],
            "no_status": [2, 4],
            "before_done": [1, 3],  # in the enum's order
            "high": [1, 4],
            "history_held": [1],
            "any_history": [1],
            "all_history": [1, 3],  # NULL arrays are neither; an empty one is
            "any_history_ordered": [1],  # queued, before in-progress in the enum's order
            "first_history": [status.QUEUED, None, None, None],
        }
        # Enum members compare by identity: a label read back as str would differ.
        assert read_sync == expected
        assert read_async == expected
    assert pg.sql("SELECT id, status, history, priority FROM jobs ORDER BY id", pg_db) == (
        '1|in-progress|{queued,"on hold, \\"later\\""}|high\n'
        "2|||low\n"
        '3|on hold, "later"|{}|low\n'
        "4|||high\n"
    )
    # The types that convert leave the DDL as it was: create_all equals the migration.
    assert_matches_models(pg, pg_db, root / "generated" / "models.py", [], "enum domains")


def test_domain_over_enum_without_default_or_check_imports_no_text(tmp_path: Path) -> None:
    """A DOMAIN() with neither default nor check calls no text(): models.py imports
    none (ruff's F401 refused the unused import)."""
    import subprocess
    import sys

    from migration_harness import schemagen, write_schema

    write_schema(tmp_path / "p", {"s.yaml": (
        "database: {name: t}\nenums:\n  Mood: {values: [glad, sad]}\n"
        "domains:\n  mood_d: {type: enum, enum: Mood}\nentities:\n  Note:\n    columns:\n"
        "      id: {type: bigint, primary_key: true}\n      mood: {type: mood_d}\n"
    )})
    schemagen(tmp_path / "p", "build")
    models = tmp_path / "p" / "generated" / "models.py"
    assert "MOOD_D_DOMAIN = EnumDomain(" in models.read_text(encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", str(models)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


# Two tables whose status columns are of one domain over an enum (and an array of
# it), and a second domain over the same enum: comparisons of column with column.
PAIRS = """\
database: {name: jobs}
enums:
  JobStatus: {values: [queued, running, done]}
domains:
  job_state: {type: enum, enum: JobStatus}
  other_state: {type: enum, enum: JobStatus}
entities:
  Job:
    columns:
      id: {type: bigint, primary_key: true}
      status: {type: job_state, nullable: true}
      other: {type: other_state, nullable: true}
      history: {type: array, of: job_state, nullable: true}
  Step:
    columns:
      id: {type: bigint, primary_key: true}
      status: {type: job_state, nullable: true}
"""


def _pair_queries(m: ModuleType) -> dict[str, Any]:
    from sqlalchemy import any_, select
    from sqlalchemy.orm import aliased

    job, step, later = m.Job, m.Step, aliased(m.Job)
    pairs = select(job.id, step.id).order_by(job.id, step.id)
    return {
        "join": pairs.join(step, step.status == job.status),
        "where": pairs.where(job.status == step.status),
        "reversed": pairs.where(step.status != job.status),
        "self_join": select(job.id, later.id)
        .join(later, job.status < later.status)
        .order_by(job.id, later.id),
        "other_domain": select(job.id).where(job.status == job.other).order_by(job.id),
        "in_select": select(job.id).where(job.status.in_(select(step.status))).order_by(job.id),
        "in_history": select(job.id, step.id)
        .where(step.status == any_(job.history))
        .order_by(job.id, step.id),
        "history_any": select(job.id, step.id)
        .where(any_(job.history) == step.status)
        .order_by(job.id, step.id),
    }


def test_columns_of_domains_over_one_enum_compare_with_each_other(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    """PostgreSQL has no operator for a domain over an enum, so both sides are cast to
    the enum: a join or a filter of column against column, with both drivers. Rows
    with NULLs and duplicates (NULL matches nothing)."""
    url = pg.url(pg_db)
    root = migrated_project(tmp_path / "p", PAIRS, url)
    with generated_modules(root, url) as (m, database):
        s = m.JobStatus
        with database.get_sessionmaker()() as session:
            session.add_all([
                m.Job(id=1, status=s.RUNNING, other=s.RUNNING, history=[s.DONE, None]),
                m.Job(id=2, status=s.DONE, other=s.QUEUED, history=[]),
                m.Job(id=3, status=None, other=None, history=None),
                m.Job(id=4, status=s.RUNNING, other=None, history=[s.RUNNING]),
                m.Step(id=10, status=s.RUNNING),
                m.Step(id=11, status=s.RUNNING),
                m.Step(id=12, status=None),
                m.Step(id=13, status=s.DONE),
            ])
            session.commit()
        with database.get_sessionmaker()() as session:
            read_sync = {name: [tuple(r) for r in session.execute(q)]
                         for name, q in _pair_queries(m).items()}

        async def read_async() -> dict[str, Any]:
            engine = database.get_async_engine()
            try:
                async with database.get_async_sessionmaker()() as session:
                    return {name: [tuple(r) for r in await session.execute(q)]
                            for name, q in _pair_queries(m).items()}
            finally:
                await engine.dispose()

        from_async = asyncio.run(read_async())
    running = [(1, 10), (1, 11), (4, 10), (4, 11)]
    expected = {
        "join": [*running[:2], (2, 13), *running[2:]],
        "where": [*running[:2], (2, 13), *running[2:]],
        "reversed": [(1, 13), (2, 10), (2, 11), (4, 13)],
        "self_join": [(1, 2), (4, 2)],
        "other_domain": [(1,)],
        "in_select": [(1,), (2,), (4,)],
        "in_history": [(1, 13), (4, 10), (4, 11)],
        "history_any": [(1, 13), (4, 10), (4, 11)],
    }
    assert read_sync == expected
    assert from_async == expected
