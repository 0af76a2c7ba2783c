"""A connection killed before each statement of a revision, then a plain rerun.

tests/revision/test_faults.py kills chosen statements one by one; this sweep kills
them in turn. For a few corpus cases (tests/corpus) chosen for distinct kinds of
step (enum values, concurrent drops and builds, NOT VALID then VALIDATE, NOT NULL
through a check, partitions detached and attached with their bounds proven ahead,
a unique constraint traded through a concurrent index, exclusion constraints, type
changes with USING), on tables holding rows with NULLs, repeats and skew:

1. the database at revision 000 with its rows is built once, and the upgrade is
   run once on a copy, recording the statements Alembic sends (SQLAlchemy's
   ``before_cursor_execute``);
2. for each statement N, a copy of that database (``CREATE DATABASE ... TEMPLATE``)
   is upgraded again, and just before statement N is sent its backend is ended
   from a second connection (``pg_terminate_backend``, waiting for it to exit), so
   that the statement fails as on a dropped connection;
3. a plain ``alembic upgrade head`` must then reach head, the normalized dump must
   equal ``create_all``'s of the after models, no index may be INVALID, and the
   rows the revisions do not change must all be there (counts and an md5 of them).

The same is done for the downgrade, from a copy of the upgraded database.

A kill leaves what the statements before N committed. Two kill points leave the
same database when no change commits between them: a statement inside an open
transaction (rolled back with it, as a kill at the statement that opened it), or
one after a unit (an autocommit statement, or a transaction) that only read
(``SELECT``, ``SET``, ``SHOW``). So the sweep kills at the first of each run of
such points; ``FAULT_SWEEP_EVERY_STATEMENT=1`` kills at every statement instead
(about three times the reruns). Killed *during* a statement that is not
transactional (a concurrent build or detach) is test_faults.py's, one by one.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from migration_harness import (
    alembic,
    assert_same_dump,
    declared_extensions,
    generate,
    load_case,
    reference_dump,
    revisions,
)
from pgcluster import PgCluster
from pgdump import schema_dump
from psycopg.pq import TransactionStatus

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
READ_ONLY = ("SELECT ", "SET ", "SHOW ")
EVERY_STATEMENT = os.environ.get("FAULT_SWEEP_EVERY_STATEMENT") == "1"
INVALID_INDEXES = "SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid"


@dataclass(frozen=True)
class Sweep:
    """A corpus case to sweep: more rows than its setup, and what the revisions keep."""

    case: str
    rows: tuple[str, ...]  # SQL run after the case's setup, at revision 000
    kept: tuple[str, ...]  # "table (columns)" the revisions leave as they are, each way


SWEEPS = (
    Sweep(
        # four revisions: enum value, concurrent drops, transaction, online steps
        # (CREATE INDEX CONCURRENTLY, FK and check NOT VALID + VALIDATE, unique
        # through a concurrent index, SET NOT NULL through a validated check)
        "46_split_enum_values_main_online",
        rows=(
            "INSERT INTO stores SELECT g FROM generate_series(2, 40) g",
            # skew: most products in store 1; legacy repeated or NULL
            "INSERT INTO products (id, store_id, sku, legacy) SELECT g, "
            "CASE WHEN g % 10 = 0 THEN g % 40 + 1 ELSE 1 END, 's' || g, "
            "CASE WHEN g % 3 = 0 THEN NULL ELSE 'l' || g % 7 END "
            "FROM generate_series(10, 1500) g",
        ),
        kept=("stores (id)", "products (id, store_id)"),
    ),
    Sweep(
        # partitions detached and attached again with new bounds, proven ahead by
        # checks validated in the drops revision; a DEFAULT partition made and unmade
        "149_partition_rebound_keeps_rows",
        rows=(),
        kept=("payments (id, paid_on, region, amount)", "readings (id, day, kind, value)"),
    ),
    Sweep(
        # a unique index built CONCURRENTLY in the drops revision, then swapped in
        # for the constraint in the transaction that drops a column
        "135_unique_trade_index_built_concurrently",
        rows=(
            "INSERT INTO products SELECT g, g % 3 + 1, CASE WHEN g % 2 = 0 THEN NULL "
            "ELSE 'x' || g END, CASE WHEN g % 5 = 0 THEN NULL ELSE 'v' || g END "
            "FROM generate_series(10, 800) g",
        ),
        kept=("products (id, store_id)", "payments (id, paid_on)"),
    ),
    Sweep(
        # exclusion constraints: one dropped (the drops revision, whose downgrade adds
        # it back outside a transaction), one changed and one added in the transaction
        "65_exclusion_constraints",
        rows=(
            "INSERT INTO rooms SELECT g, 'Room ' || g FROM generate_series(3, 30) g",
            # skew: most bookings in room 3; a day apart, some cancelled
            "INSERT INTO bookings (id, room_id, during, status) SELECT g, "
            "CASE WHEN g % 8 = 0 THEN g % 28 + 3 ELSE 3 END, tstzrange(timestamptz "
            "'2027-01-01 00:00+00' + g * interval '1 day', timestamptz '2027-01-01 "
            "00:00+00' + g * interval '1 day' + interval '3 hours'), "
            "CASE WHEN g % 5 = 0 THEN 'cancelled' ELSE 'booked' END "
            "FROM generate_series(10, 600) g",
        ),
        kept=("rooms (id, name)", "bookings (id, room_id, during, status)"),
    ),
    Sweep(
        # type changes with USING casts (varchar to integer, text to numeric) and
        # json to jsonb, in one transaction
        "06_alter_type_using_cast",
        rows=(
            "INSERT INTO products (id, code, weight, payload) SELECT g, (g % 50)::text, "
            "CASE WHEN g % 4 = 0 THEN NULL ELSE (g % 7 / 2.0)::text END, "
            "CASE WHEN g % 5 = 0 THEN NULL ELSE json_build_object('a', g % 3, 'b', g) END "
            "FROM generate_series(2, 2000) g",
        ),
        kept=("products (id, code::text::integer, weight::numeric(8,3), payload::jsonb)",),
    ),
)


def _fingerprint(conn: psycopg.Connection[Any], kept: tuple[str, ...]) -> list[str]:
    """Per kept "table (columns)": its row count and an md5 of those columns' rows
    in a total order (repeats and NULLs count)."""
    found = []
    for spec in kept:
        table, _, columns = spec.partition(" ")
        row = conn.execute(
            f"SELECT count(*), md5(coalesce(string_agg(r, E'\\n' ORDER BY r), '')) "
            f"FROM (SELECT ROW{columns}::text AS r FROM {table}) t"
        ).fetchone()
        assert row is not None
        found.append(f"{table}: {row[0]} rows, {row[1]}")
    return found


class Killer:
    """A ``before_cursor_execute`` listener: records each statement and, at index
    ``at``, ends the backend about to run it from a second connection."""

    def __init__(self, admin: psycopg.Connection[Any], at: int | None) -> None:
        self.admin, self.at = admin, at
        self.statements: list[str] = []
        # the statements sent outside a transaction (in autocommit, or opening one)
        # after a unit that may have committed a change
        self.points: list[int] = []
        self._unit_reads = False
        self.killed: int | None = None

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        index = len(self.statements)
        self.statements.append(statement)
        if cursor.connection.info.transaction_status == TransactionStatus.IDLE:
            if not (self.points and self._unit_reads):
                self.points.append(index)
            self._unit_reads = True
        self._unit_reads &= statement.lstrip().upper().startswith(READ_ONLY)
        if index == self.at:
            pid = cursor.connection.info.backend_pid
            # waits (up to 10 s) until the backend has exited
            ended = self.admin.execute("SELECT pg_terminate_backend(%s, 10000)", (pid,))
            assert ended.fetchone() == (True,), f"backend {pid} still there"
            self.killed = pid


@contextlib.contextmanager
def listening(killer: Killer) -> Iterator[Killer]:
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", killer)
    try:
        yield killer
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", killer)


class Bench:
    """One case's project, its seeded template databases and an admin connection."""

    def __init__(self, pg: PgCluster, root: Path, sweep: Sweep) -> None:
        self.pg, self.root, self.sweep = pg, root, sweep
        self.case = load_case(CORPUS / sweep.case)
        self.models_before, self.models_after = generate(self.case, root)
        self.head = revisions(root)[-1].name.split("_", 1)[0]
        self.admin = psycopg.connect(pg.libpq_url(), autocommit=True)
        self.names: list[str] = []
        self.dumps = {
            "000": reference_dump(pg, self.models_before, declared_extensions(self.case.before)),
            self.head: reference_dump(pg, self.models_after, declared_extensions(self.case.after)),
        }

    def database(self, template: str | None = None) -> str:
        name = f"sweep_{len(self.names)}"
        self.admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.admin.execute(
            f"CREATE DATABASE {name}"
            + (f" TEMPLATE {template} STRATEGY FILE_COPY" if template else "")
        )
        self.names.append(name)
        return name

    def drop(self, name: str) -> None:
        self.admin.execute(f"DROP DATABASE {name} WITH (FORCE)")

    def close(self) -> None:
        for name in self.names:
            self.admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.admin.close()

    def fingerprint(self, db: str) -> list[str]:
        with psycopg.connect(self.pg.libpq_url(db)) as conn:
            return _fingerprint(conn, self.sweep.kept)

    def migrate(self, db: str, action: str, target: str, at: int | None = None) -> Killer:
        """``alembic action target`` on ``db``, its backend ended before statement
        ``at`` (None: not ended); return the listener with what it saw."""
        with listening(Killer(self.admin, at)) as killer:
            if at is None:
                alembic(self.root, self.pg.url(db), action, target, self.case.time_zone)
            else:
                with pytest.raises(sa.exc.DBAPIError, match="terminat|closed|lost"):
                    alembic(self.root, self.pg.url(db), action, target, self.case.time_zone)
                assert killer.killed is not None
        return killer

    def assert_at(self, db: str, target: str, rows: list[str], label: str) -> None:
        """``db`` is at ``target``, equals its models, has no INVALID index and holds
        the ``rows`` (fingerprint) it had."""
        expected = self.head if target == "head" else target
        with psycopg.connect(self.pg.libpq_url(db)) as conn:
            versions = conn.execute("SELECT version_num FROM alembic_version").fetchall()
            assert versions == [(expected,)], f"{label}: at {versions}"
            invalid = conn.execute(INVALID_INDEXES).fetchall()
            assert invalid == [], f"{label}: INVALID indexes left: {invalid}"
            assert _fingerprint(conn, self.sweep.kept) == rows, f"{label}: rows changed"
        assert_same_dump(schema_dump(self.pg, db), self.dumps[expected], label)

    def sweep_each(self, template: str, action: str, target: str, rows: list[str]) -> None:
        """Kill ``action`` before each statement it sends from ``template`` (up to
        the points that leave the same database, see the module); rerun it each
        time."""
        recorded = self.database(template)
        seen = self.migrate(recorded, action, target)
        statements = seen.statements
        self.assert_at(recorded, target, rows, f"{action} uninterrupted")
        self.drop(recorded)
        assert len(statements) > 3, statements
        points = range(len(statements)) if EVERY_STATEMENT else seen.points
        for at in points:
            statement = statements[at]
            label = f"{self.case.name} {action} killed before statement {at}: {statement[:200]}"
            db = self.database(template)
            self.migrate(db, action, target, at)
            try:
                alembic(self.root, self.pg.url(db), action, target, self.case.time_zone)
            except sa.exc.DBAPIError as exc:
                raise AssertionError(f"{label}: the rerun failed: {exc}") from exc
            self.assert_at(db, target, rows, label)
            self.drop(db)


@pytest.fixture
def bench_of(pg: PgCluster, tmp_path: Path) -> Iterator[Any]:
    benches: list[Bench] = []

    def make(sweep: Sweep) -> Bench:
        benches.append(Bench(pg, tmp_path / "project", sweep))
        return benches[-1]

    yield make
    for bench in benches:
        bench.close()


@pytest.mark.parametrize("sweep", [pytest.param(s, id=s.case) for s in SWEEPS])
def test_killed_at_each_statement_a_rerun_finishes(bench_of: Any, sweep: Sweep) -> None:
    bench: Bench = bench_of(sweep)
    pg, case = bench.pg, bench.case
    seeded = bench.database()
    alembic(bench.root, pg.url(seeded), "upgrade", "000", case.time_zone)
    for statement in (*case.setup, *sweep.rows):
        pg.sql(statement, seeded)
    pg.sql("ANALYZE", seeded)
    rows = bench.fingerprint(seeded)
    assert all(" 0 rows" not in line for line in rows), rows

    bench.sweep_each(seeded, "upgrade", "head", rows)
    at_head = bench.database(seeded)
    alembic(bench.root, pg.url(at_head), "upgrade", "head", case.time_zone)
    bench.sweep_each(at_head, "downgrade", "000", rows)
