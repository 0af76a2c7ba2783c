"""The rows each table's counted key holds, and the parent rows each foreign key
picks from, known before any insert: a count asked by name (``--rows-per``) past
them, or a NOT NULL foreign key whose parent will hold no key it may take, is
refused up front, before a row is written.

A unique key made only of foreign keys and columns of few values holds as many rows
as its combinations (see :mod:`.uniques`); with the parents' counts (the rows there
and those asked) and the combinations the rows there hold, that is known before the
seed writes. So every table is sized here in insert order, once (the seed plans
each table from its sizing: :func:`.plan.plan_table`), a count ``--rows`` shares
out capped (its children then count its capped rows): the refusal comes before the
parents' inserts, which a rollback would undo but whose sequence numbers it would
not give back. For the same reason each table sized here is planned here too (its
statement built from its sizing as the seed will build it), so that a column seed
cannot make is refused before the first insert as well.

Where a foreign key picks among its parent's rows (those holding a value in a
nullable key, a key that fits a narrower column, or one its checks take: see
:class:`.context.KeyPick`), those rows are counted here too: the rows there that
the pick holds, and the new rows' keys where they are known before they are made:
none asked; numbered by an identity or serial sequence, read from where it stands
(or where ``--append`` will move it past the rows there); or made by seed's own rule
from the row number, or by a user's value generator reading no table and calling
no function of the user's, read from the rows of the parent's statement (planned
from its sizing, as the seed will plan it, and read in a read-only savepoint).
Keys taken through a foreign key of the parent's own from another table's keys
are bounded by that table's keys: where none of those is one the pick takes, the
pick holds none of the new rows either (a count of 0, exact). Keys made
otherwise (a value generator reading a table, keys numbered again past rows there
they meet) are known once made: such a table, and any table below it, is sized
by the seed once its parents are filled, and left to the refusal in the seed's
transaction (rolled back, nothing written, though the parents' sequences keep the
numbers they gave).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import psycopg

from ..model.schema import Column, Entity, ForeignKey
from ..revision.tables import type_sql
from .collisions import held_keys, met_any
from .context import TableContext, key_pick, parent_rows
from .order import insert_order
from .plan import SizedTable, plan_table, size_table
from .refusals import SeedError, no_parent_key
from .select import takes_null
from .sequences import upcoming_numbers
from .values import ident, qualified_ident

_T = TypeVar("_T")

#: Whether the temporary view seed_made reads a table or calls a function or an
#: operator outside pg_catalog (PostgreSQL records no dependency on its own built-in
#: objects, so the first two conditions on them are moot).
_READS_OTHERS = """
SELECT EXISTS (
  SELECT 1 FROM pg_depend AS d JOIN pg_rewrite AS w ON w.oid = d.objid
  LEFT JOIN pg_proc AS p ON d.refclassid = 'pg_proc'::regclass AND p.oid = d.refobjid
  LEFT JOIN pg_operator AS o ON d.refclassid = 'pg_operator'::regclass AND o.oid = d.refobjid
  WHERE d.classid = 'pg_rewrite'::regclass AND w.ev_class = 'pg_temp.seed_made'::regclass
    AND ((d.refclassid = 'pg_class'::regclass AND d.refobjid <> w.ev_class)
      OR p.pronamespace <> 'pg_catalog'::regnamespace
      OR o.oprnamespace <> 'pg_catalog'::regnamespace))
"""


@dataclass(frozen=True)
class Sizing:
    """The insert order, the foreign keys filled after every insert (see
    :func:`.order.insert_order`), and each table sized before any insert."""

    order: list[Entity]
    deferred: dict[str, set[str]]
    #: table -> its sizing (see plan.size_table), where it could be made up front
    tables: dict[str, SizedTable]


def size_tables(
    conn: psycopg.Connection[Any],
    ctx: TableContext,
    wanted: dict[str, int],
    moves: dict[str, int],
) -> Sizing:
    """Every table sized in insert order, before any insert, into ``ctx`` (the
    counts ``--rows`` shares out capped, the keys the rows there hold, the parent
    rows each pick holds) as the seed will plan it; SeedError for the first table
    whose count asked by name its counted key cannot hold, whose key no count of
    parent rows would make room for, or whose NOT NULL foreign key finds no parent
    row to pick (see the module). ``moves``: where ``--append`` will set sequences
    (see sequences.sequence_moves)."""
    order, deferred = insert_order(ctx.schema)
    sizing = Sizing(order, deferred, {})
    keys = _ParentKeys(conn, ctx, sizing, moves)
    unknown: set[str] = set()
    for ent in order:
        fks = [fk for fk in ent.foreign_keys if fk.name not in deferred[ent.table]]
        known = [fk for fk in fks if fk.ref_table not in unknown and keys.counted(ent, fk)]
        if len(known) < len(fks):
            unknown.add(ent.table)
            # unsized, it gets rows where they were asked by name: else refused anyway
            if ent.table in ctx.asked and wanted.get(ent.table, 0) > 0:
                keys.refuse_unpicked(ent, known)
            continue
        if ctx.existing[ent.table]:
            for key, count in held_keys(conn, ent).items():
                ctx.held[(ent.table, key)] = count
        # (a count --rows shares out is capped in ctx.counts, as the seed will)
        sized = size_table(ctx, ent, wanted.get(ent.table, 0), deferred[ent.table])
        sizing.tables[ent.table] = sized
        if sized.rows > 0:
            keys.refuse_unpicked(ent, fks)
            _refuse_unplanned(ctx, ent, sized, deferred[ent.table])
    return sizing


def _refuse_unplanned(
    ctx: TableContext, ent: Entity, sized: SizedTable, deferred: set[str]
) -> None:
    """The SeedError the seed's plan of ``ent`` would raise once the tables before it
    are filled (a column seed cannot make: ``cannot seed stores: a check orders low,
    a text``), raised before any insert: its statement is planned from its sizing
    here as it will be then. Not where rows there may leave it room that numbering
    past them does not (the seed then looks for the gaps: run._plan)."""
    try:
        plan_table(ctx, ent, sized.rows, deferred, sized)
    except SeedError:
        if not ctx.existing[ent.table] or sized.unique.radix is not None:
            raise


@dataclass(frozen=True)
class _ParentKeys:
    """The parent rows each foreign key picks from, read before any insert."""

    conn: psycopg.Connection[Any]
    ctx: TableContext
    sizing: Sizing
    moves: dict[str, int]

    def counted(self, ent: Entity, fk: ForeignKey) -> bool:
        """Whether the parent rows ``fk`` picks from are known before any insert
        (then counted into ``ctx.valued``, as the seed counts its copy of their keys
        once the parent is filled): the rows there its pick holds, and the new ones;
        or none at all, where the parent's new keys are taken from another table's
        keys that the pick takes none of (see :meth:`taken_keys`)."""
        ctx = self.ctx
        pick = key_pick(ctx.schema, ent, fk)
        if not pick or (fk.ref_table, pick) in ctx.valued:
            return True
        parent = ctx.schema.entity_by_table(fk.ref_table)
        exact = self.new_keys(parent, fk.ref_columns)
        found = exact or self.taken_keys(parent, fk.ref_columns, frozenset())
        if found is None:
            return False
        there: int | None = 0
        if ctx.existing[parent.table]:
            there = self._count(f"{qualified_ident(parent.table)} WHERE {pick.where()}")
        new = self._count(f"({found[0]}) AS seed_new WHERE {pick.where()}") if found[0] else 0
        if there is None or new is None:
            return False  # (a value generator the seed could not read up front)
        if exact is None and there + new > 0:
            return False  # (a superset of the new keys: counted only where it holds none)
        ctx.valued[(parent.table, pick)] = there + new
        return True

    def _count(self, rows: str) -> int | None:
        """The rows of ``rows``, read only (see :meth:`_read_only`)."""

        def count() -> int:
            row = self.conn.execute(f"SELECT count(*) FROM {rows}").fetchone()  # type: ignore[arg-type]
            return int(row[0]) if row else 0

        return self._read_only(count)

    def new_keys(self, parent: Entity, columns: tuple[str, ...]) -> tuple[str, str] | None:
        """(a query of the values of ``columns`` (a key a foreign key references) that
        the parent's new rows will hold, the words saying what they are), ("", "")
        where it gets none, None where they are not known before they are made (see
        the module)."""
        rows = self.ctx.counts[parent.table] - self.ctx.existing[parent.table]
        if rows <= 0:
            return "", ""
        ref = parent.column(columns[0])
        if len(columns) == 1 and (ref.identity or ref.serial):
            return self._numbered(parent, ref, rows)
        return self._made(parent, columns)

    def taken_keys(
        self, parent: Entity, columns: tuple[str, ...], seen: frozenset[str]
    ) -> tuple[str, str] | None:
        """(a query of values of ``columns`` holding every one the parent's new rows
        will hold, the words saying what they are), where those are not known before
        they are made but ``columns`` are a foreign key of the parent's own (NOT NULL,
        or all of it): then each new row holds keys of that key's table (its rows
        there, or its own new keys, known or taken in turn), whatever made them (seed's
        pick, the user's value generator): a row holding others would fail its insert.
        None where no such key bounds them."""
        rows = self.ctx.counts[parent.table] - self.ctx.existing[parent.table]
        for own in parent.foreign_keys:
            whole = set(columns) == set(own.columns)
            if not set(columns) <= set(own.columns) or own.ref_table in seen | {parent.table}:
                continue
            if not whole and any(parent.column(c).nullable for c in own.columns):
                continue  # (MATCH SIMPLE: a NULL in another column checks nothing)
            theirs = dict(zip(own.columns, own.ref_columns, strict=True))
            table = self.ctx.schema.entity_by_table(own.ref_table)
            mapped = tuple(theirs[c] for c in columns)
            beyond = self.new_keys(table, mapped) or self.taken_keys(
                table, mapped, seen | {parent.table}
            )
            if beyond is None:
                continue
            names = ", ".join(f"{ident(theirs[c])} AS {ident(c)}" for c in columns)
            parts = [f"SELECT {names} FROM {qualified_ident(table.table)}"]
            if beyond[0]:
                parts.append(f"SELECT {names} FROM ({beyond[0]}) AS seed_taken")
            said = ", ".join(columns)
            return (
                " UNION ALL ".join(parts),
                f"the {rows} it would seed take ({said}) from {table.table}, "
                "whose keys hold none either",
            )
        return None

    def _numbered(self, parent: Entity, ref: Column, rows: int) -> tuple[str, str] | None:
        """The keys an identity or serial sequence gives the parent's new rows, read
        from where it stands (None where it cycles)."""
        numbers = upcoming_numbers(self.conn, parent.table, ref.name, self.moves)
        if numbers is None:
            return None
        shown, first, step = numbers
        typed = type_sql(ref.type, self.ctx.schema)
        query = (
            f"SELECT CAST({first} + {step} * k AS {typed}) AS {ident(ref.name)} "
            f"FROM generate_series(0, {rows - 1}) AS g(k)"
        )
        last = first + step * (rows - 1)
        return query, f"the {rows} it would seed are numbered {first} to {last} by {shown}"

    def _made(self, parent: Entity, columns: tuple[str, ...]) -> tuple[str, str] | None:
        """The keys seed makes for the parent's new rows, from the rows of its
        statement (planned as the seed will plan it), where they are made on their
        own: no lookup of another table's keys, no key the sequence numbers, none of
        them meeting a row there (else numbered again: see collisions), and a value
        generator of the user's only where it reads no table and calls no function of
        the user's (see :meth:`_on_its_own`). None otherwise."""
        sized = self.sizing.tables.get(parent.table)
        if sized is None:
            return None
        rows = sized.rows
        try:
            plan = plan_table(self.ctx, parent, rows, self.sizing.deferred[parent.table], sized)
        except SeedError:  # (its statement is the seed's to make or refuse: see run)
            return None
        select = plan.select or (plan.made if self._on_its_own(plan.made) else "")
        if not select or not set(columns) <= set(plan.columns):
            return None
        if plan.probe[0]:
            met = self._read_only(lambda: met_any(self.conn, plan.probe))
            if met is not False:
                return None
        names = ", ".join(ident(c) for c in plan.columns)
        refs = ", ".join(ident(c) for c in columns)
        query = f"SELECT {refs} FROM ({select}) AS seed_made ({names})"
        return query, f"the {rows} it would seed hold none either"

    def _on_its_own(self, select: str) -> bool:
        """Whether ``select`` (rows holding a user's value generator) reads no table
        and calls no function or operator but PostgreSQL's own: then its values are
        those the insert will make, read before it (one reading a table the seed
        fills first would not be). Read from the dependencies of a temporary view of
        it, made in a savepoint rolled back."""
        if not select:
            return False
        try:
            with self.conn.transaction(force_rollback=True):
                self.conn.execute(f"CREATE TEMP VIEW seed_made AS {select}")  # type: ignore[arg-type]
                row = self.conn.execute(_READS_OTHERS).fetchone()
        except psycopg.Error:
            if self.conn.broken:
                raise
            return False
        return row is not None and not row[0]

    def _read_only(self, read: Callable[[], _T]) -> _T | None:
        """``read()`` in a read-only savepoint, rolled back: None where it fails
        there (a user's value generator writing or drawing from a sequence, or
        failing: the seed's insert says so as it does)."""
        try:
            with self.conn.transaction(force_rollback=True):
                self.conn.execute("SET LOCAL transaction_read_only = on")
                return read()
        except (psycopg.errors.LockNotAvailable, psycopg.errors.QueryCanceled):
            raise  # (the edge names the lock, or the cancel)
        except psycopg.Error:
            if self.conn.broken:
                raise
            return None

    def refuse_unpicked(self, ent: Entity, fks: list[ForeignKey]) -> None:
        """SeedError where a foreign key of ``ent`` (asked rows) finds no parent row
        to pick and a column of it seed would fill cannot be NULL (as select refuses
        it once the parents are filled)."""
        ctx = self.ctx
        for fk in fks:
            if parent_rows(ctx, ent, fk) > 0:
                continue
            cols = [ent.column(c) for c in fk.columns]
            if all((c.seed is not None and c.seed.sql) or takes_null(ctx.schema, c) for c in cols):
                continue  # NULL, or the user's value generator names its keys
            parent = ctx.schema.entity_by_table(fk.ref_table)
            found = self.new_keys(parent, fk.ref_columns) or self.taken_keys(
                parent, fk.ref_columns, frozenset()
            )
            known = f", and {found[1]}" if found and found[1] else ""
            known += ": refused before any row is written"
            words = key_pick(ctx.schema, ent, fk).words()
            raise SeedError(no_parent_key(ent, fk, parent, words, known))
