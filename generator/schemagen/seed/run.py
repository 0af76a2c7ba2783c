"""Run a seed: check the database, plan, and execute every statement in one transaction.

Safety first: every table of the schema must exist (the database is at head),
and every one must be empty unless ``append`` is set. Nothing is ever deleted
or updated except the foreign keys of rows this run inserted.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import psycopg

from ..model.schema import Entity, Schema
from .bulk import binary_types, copy_rows, execute, generator_session, load_empty_table
from .collisions import fill_gaps, held_keys, met_any, past_rows_there
from .context import ALL_ROWS, KeyPick, TableContext, key_pick, keys_table
from .deferred import new_rows_table, row_keys
from .excludes import group_bounds, refuse_unbounded_ranges
from .order import default_rows
from .plan import SizedTable, TablePlan, plan_table, size_table
from .refusals import SeedError
from .room import Sizing, size_tables
from .security import lift_row_security, restore_row_security
from .sequences import check_room, move_sequences, sequence_moves
from .values import ident, qualified_ident

#: From this many rows into an empty table, its indexes are built after the insert.
BULK_ROWS = 10_000

#: What a seed stopped by a lock timeout left: its rows went with its transaction,
#: but a sequence gives no number back (nextval is not rolled back), so one it drew
#: from stands further on.
ROLLED_BACK = (
    "No row was written (its transaction rolled back; any sequence it drew numbers "
    "from keeps them drawn)"
)


@dataclass(frozen=True)
class TableResult:
    table: str
    rows: int
    seconds: float
    note: str | None = None


@dataclass
class SeedResult:
    """What a seed run inserted, table by table, in insert order."""

    tables: list[TableResult] = field(default_factory=list)
    seconds: float = 0.0
    #: the sequences moved past the rows there before the insert (--append)
    sequences: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    def report_lines(self) -> list[str]:
        width = max((len(t.table) for t in self.tables), default=5)
        lines = [f"  {line}" for line in self.sequences]
        for t in self.tables:
            note = f"  ({t.note})" if t.note else ""
            lines.append(f"  {t.table:<{width}}  {t.rows:>10,} rows  {t.seconds:7.2f} s{note}")
        rate = self.rows / self.seconds if self.seconds > 0 else 0.0
        lines.append(
            f"seeded {self.rows:,} rows into {len(self.tables)} tables in {self.seconds:.2f} s "
            f"({rate:,.0f} rows/s)"
        )
        return lines


def use_public_search_path(conn: psycopg.Connection[Any], schema: Schema) -> None:
    """With ``database.schema``, the schema's bare names are public's, as env.py runs
    the revisions, whatever search_path the URL or role sets (``options=-csearch_path=app``
    hides public's tables and names app's bare): the session's search_path becomes
    public (committed: a rollback would undo it). Without it, bare names stay the
    connection's current schema's."""
    if schema.database.schema is not None:
        conn.execute("SELECT set_config('search_path', 'public', false)")
        conn.commit()


def seed_connection(
    conn: psycopg.Connection[Any],
    schema: Schema,
    *,
    rows: int | None = None,
    rows_per: dict[str, int] | None = None,
    seed: int = 0,
    append: bool = False,
    asked: frozenset[str] | None = None,
) -> SeedResult:
    """Fill the tables of ``schema`` on ``conn`` and commit; raise SeedError on bad input.
    ``asked``: the tables whose count the user asked by name (those of ``rows_per``
    if not given), which a unique key too small for it refuses rather than caps."""
    use_public_search_path(conn, schema)
    rows_per = dict(rows_per or {})
    unknown = sorted(set(rows_per) - {e.table for e in schema.entities})
    if unknown:
        raise SeedError(f"--rows-per names no table of the schema: {', '.join(unknown)}")
    _check_at_head(conn, schema)
    wanted = default_rows(schema, 1000 if rows is None else rows)
    wanted.update(rows_per)
    started = time.perf_counter()
    result = SeedResult()
    with conn.transaction():
        # before the rows are counted: a forced policy hides rows from the owner too
        forced = lift_row_security(conn, schema)
        existing = _existing_rows(conn, schema)
        full = sorted(t for t, count in existing.items() if count)
        if full and not append:
            raise SeedError(
                f"refusing to seed: {', '.join(full)} already hold rows "
                "(seed never deletes; give --append to add rows)"
            )
        # (made after the refusals up front: a setval is not rolled back)
        moves = sequence_moves(conn, schema, existing) if full else {}
        check_room(conn, schema, wanted, moves)
        asked = frozenset(rows_per) if asked is None else asked
        counts = {t: existing[t] + wanted.get(t, 0) for t in existing}
        ctx = TableContext(schema, seed, counts=counts, existing=existing, asked=asked)
        group_bounds(conn, schema, wanted, existing)  # before room reads a parent's rows
        sizing = size_tables(conn, ctx, wanted, moves)
        refuse_unbounded_ranges(conn, schema, wanted, existing)
        result.sequences = move_sequences(conn, schema, moves)
        conn.execute("SET LOCAL synchronous_commit = off")
        conn.execute("SET LOCAL maintenance_work_mem = '256MB'")  # index builds
        # Compiling the long generator expressions costs more than it saves.
        conn.execute("SET LOCAL jit = off")
        helper = _Generator(conn)
        try:
            plans = _fill(conn, ctx, sizing, wanted, result, helper)
        finally:
            helper.close()
        for plan in plans:
            if plan.update is not None:
                execute(conn, plan.entity.table, plan.update)
        restore_row_security(conn, forced)
    result.seconds = time.perf_counter() - started
    return result


class _Generator:
    """The second session that generates a big table's rows (opened when first needed)."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        self.session: psycopg.Connection[Any] | None = None
        self.tried = False

    def get(self) -> psycopg.Connection[Any] | None:
        if not self.tried:
            self.tried = True
            self.session = generator_session(self.conn)
        return self.session

    def close(self) -> None:
        if self.session is not None:
            self.session.close()


def _load(conn: psycopg.Connection[Any], plan: TablePlan, helper: _Generator, empty: bool) -> None:
    """Insert ``plan``'s rows: a big load into an empty table as pg_restore does,
    streamed from the generating session when its rows need no lookup."""
    table = plan.entity.table
    if plan.rows < BULK_ROWS or not empty:
        execute(conn, table, plan.insert)
        return
    types = binary_types(conn, table, plan.columns) if plan.select else None
    session = helper.get() if types else None
    if session is not None and types:
        insert = partial(copy_rows, conn, session, table, types, plan.select)
    else:
        insert = partial(execute, conn, table, plan.insert)
    load_empty_table(conn, table, insert)


def _fill(
    conn: psycopg.Connection[Any],
    ctx: TableContext,
    sizing: Sizing,
    wanted: dict[str, int],
    result: SeedResult,
    helper: _Generator,
) -> list[TablePlan]:
    """Plan and insert each table in turn, from its sizing made before any insert
    (see room) where there is one; its referenced keys copied, numbered, after it."""
    schema, existing = ctx.schema, ctx.existing
    order, deferred, sized = sizing.order, sizing.deferred, dict(sizing.tables)
    referenced: dict[str, set[str]] = {}
    picks: dict[str, set[KeyPick]] = {}
    for ent in schema.entities:
        for fk in ent.foreign_keys:
            referenced.setdefault(fk.ref_table, set()).update(fk.ref_columns)
            pick = key_pick(schema, ent, fk)
            if pick:
                picks.setdefault(fk.ref_table, set()).add(pick)
    # each table counts its rows asked until it is planned (as sized: see room)
    for ent in order:
        ctx.counts[ent.table] = existing[ent.table] + wanted.get(ent.table, 0)
    plans = []
    for ent in order:
        plan = _plan(conn, ctx, ent, wanted.get(ent.table, 0), deferred, sized.pop(ent.table, None))
        ctx.counts[ent.table] = existing[ent.table] + plan.rows
        began = time.perf_counter()
        if plan.deferred:
            row_ids = ", ".join(f"{expr} AS {name}" for expr, name in row_keys(ent))
            # Dropped with the seed's transaction (as the keys' copies): a second seed
            # on this session makes them again.
            conn.execute(
                f"CREATE TEMP TABLE {new_rows_table(ent.table)} ON COMMIT DROP AS "
                f"SELECT {row_ids} FROM {qualified_ident(ent.table)} WITH NO DATA"
            )
        if plan.rows:
            _load(conn, plan, helper, empty=not existing[ent.table])
        if ent.table in referenced:
            # numbered by the primary key, or by what is referenced when there is none
            keys = sorted(referenced[ent.table])
            by = ent.primary_key.columns or tuple(keys)
            _keys(conn, ent.table, keys, by)
            ordered = sorted(picks.get(ent.table, ()), key=lambda p: (p.columns, p.fits, p.checks))
            for pick in ordered:
                count = _keys(conn, ent.table, list(pick.columns), by, pick)
                if ctx.valued.get((ent.table, pick), count) != count:
                    sized.clear()  # not the keys counted up front: size the rest again
                ctx.valued[(ent.table, pick)] = count
            offset = _contiguous(conn, schema, ent.table)
            if offset is not None:
                ctx.offsets[ent.table] = offset
        result.tables.append(
            TableResult(ent.table, plan.rows, time.perf_counter() - began, plan.note)
        )
        plans.append(plan)
    return plans


def _plan(
    conn: psycopg.Connection[Any],
    ctx: TableContext,
    ent: Entity,
    rows: int,
    deferred: dict[str, set[str]],
    sized: SizedTable | None,
) -> TablePlan:
    """``ent``'s plan (from its sizing, if made: the keys the rows there hold read
    then), knowing the combinations of its keys the rows there take, and numbered
    where its new rows' unique values would meet none of theirs."""
    if ctx.existing[ent.table] and sized is None:
        for key, count in held_keys(conn, ent).items():
            ctx.held[(ent.table, key)] = count
    try:
        plan = plan_table(ctx, ent, rows, deferred[ent.table], sized)
    except SeedError:
        # Numbered past the rows there, its values may not fit (a space of few values:
        # code LIKE 'T_') where numbered from 1, among the ones they leave, they do.
        sized = sized or size_table(ctx, ent, rows, deferred[ent.table])
        if not ctx.existing[ent.table] or sized.unique.radix is not None:
            raise
        return _filled(conn, ctx, ent, rows, deferred, sized.rows, sized.rows)
    if plan.probe[0] and plan.counted:
        plans = [plan]

        def replan(skipped: int) -> tuple[int, tuple[str, tuple[str, ...]]]:
            ctx.skipped[ent.table] = skipped
            plans.append(plan_table(ctx, ent, rows, deferred[ent.table]))
            return plans[-1].first, plans[-1].probe

        past_rows_there(conn, ent.table, plan.first, plan.probe, replan)
        return plans[-1]
    if plan.probe[0] and met_any(conn, plan.probe):
        return _filled(conn, ctx, ent, rows, deferred, plan.rows, plan.first + plan.rows - 1)
    return plan


def _filled(
    conn: psycopg.Connection[Any],
    ctx: TableContext,
    ent: Entity,
    rows: int,
    deferred: dict[str, set[str]],
    count: int,
    last: int,
) -> TablePlan:
    """``ent``'s plan for ``count`` rows numbered from 1 by the row numbers, up to
    ``last`` at first, whose unique values meet none of the rows there's (see
    collisions.fill_gaps); a key counted through its combinations is numbered past
    them instead (collisions.past_rows_there, above)."""
    plans = []

    def refill(upto: int) -> tuple[str, tuple[str, ...]]:
        # its values made for the row numbers up to upto (see select.column_job)
        ctx.skipped[ent.table] = upto - ctx.counts[ent.table]
        ctx.filling[ent.table] = upto
        plans.append(plan_table(ctx, ent, rows, deferred[ent.table]))
        return plans[-1].probe

    fill_gaps(conn, ent.table, count, last, refill)
    return plans[-1]


def _keys(
    conn: psycopg.Connection[Any],
    table: str,
    columns: list[str],
    order: tuple[str, ...],
    pick: KeyPick = ALL_ROWS,
) -> int:
    """The numbered copy of ``table``'s referenced keys that foreign keys pick from
    (of the rows ``pick`` holds, if any); its row count."""
    cols = ", ".join(ident(c) for c in columns)
    by = ", ".join(ident(c) for c in order)
    where = pick.where()
    copy = keys_table(table, pick)
    conn.execute(
        f"CREATE TEMP TABLE {copy} ON COMMIT DROP AS SELECT row_number() OVER (ORDER BY {by}) "
        f"AS rn, {cols} FROM {qualified_ident(table)}" + (f" WHERE {where}" if where else "")
    )
    conn.execute(f"ALTER TABLE {copy} ADD PRIMARY KEY (rn)")
    row = conn.execute(f"SELECT count(*) FROM {copy}").fetchone()  # type: ignore[arg-type]
    return int(row[0]) if row else 0


def _contiguous(conn: psycopg.Connection[Any], schema: Schema, table: str) -> int | None:
    """The offset of a single integer primary key that runs without gaps, or None."""
    pk = schema.entity_by_table(table).primary_key.columns
    if len(pk) != 1 or schema.entity_by_table(table).column(pk[0]).type.kind not in (
        "smallint",
        "integer",
        "bigint",
    ):
        return None
    col = ident(pk[0])
    row = conn.execute(  # type: ignore[arg-type]
        f"SELECT count(*) = max({col}) - min({col}) + 1, min({col}) - 1 "
        f"FROM {qualified_ident(table)}"
    ).fetchone()
    return int(row[1]) if row and row[0] else None


def _check_at_head(conn: psycopg.Connection[Any], schema: Schema) -> None:
    """SeedError when a table of the schema is missing (the database is not at head)."""
    tables = [e.table for e in schema.entities]
    # Named as the schema names them: bare in the current schema, else qualified.
    found = conn.execute(
        "SELECT q.name FROM (SELECT CASE WHEN n.oid = current_schema()::regnamespace "
        "THEN c.relname ELSE n.nspname || '.' || c.relname END AS name "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p')) AS q WHERE q.name = ANY(%s)",
        (tables,),
    ).fetchall()
    missing = sorted(set(tables) - {row[0] for row in found})
    if missing:
        raise SeedError(
            f"the database lacks {', '.join(missing)}: bring it to head first "
            "(`alembic upgrade head`)"
        )
    conn.rollback()


def _existing_rows(conn: psycopg.Connection[Any], schema: Schema) -> dict[str, int]:
    """Rows in each table (in the seed's transaction: every row, whatever the policies)."""
    counts = {}
    for table in (e.table for e in schema.entities):
        row = conn.execute(f"SELECT count(*) FROM {qualified_ident(table)}").fetchone()  # type: ignore[arg-type]
        counts[table] = int(row[0]) if row else 0
    return counts
