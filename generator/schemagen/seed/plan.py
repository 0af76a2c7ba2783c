"""Plan one table of a seed run: one INSERT ... SELECT that makes its rows.

Each table is filled by one statement that generates its rows on the server::

    INSERT INTO t (a, b, ...)
    SELECT <fixes over v> FROM (
        SELECT <generator of a> AS a, ... FROM generate_series(first, last) AS g(n)
    ) AS v

The inner level generates every column independently (:mod:`.values`); the
outer level applies what relates columns (``a <= b``, ``x IS NULL OR ...``): both
are :mod:`.select`'s. Foreign keys pick a parent's row number, skewed, and look it
up in a numbered temporary copy of the parent's keys (:mod:`.context`). A unique
key is carried by one of its columns built from ``n``, or, when all its columns
are foreign keys or enums, by counting through their combinations, which bound the
table's rows (:mod:`.uniques`): a count past them asked by name (``--rows-per``)
is refused, one ``--rows`` shares out is capped, and the output says so. What the
checks ask is read by :mod:`.rules`; the ORs among them are :mod:`.branches`', the
``a <> b`` among them :mod:`.apart`'s.
The order of the tables is :mod:`.order`'s, the keys filled after every insert
:mod:`.deferred`'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..model.schema import Entity, ForeignKey
from .apart import keys_apart, self_reference_of, shifts
from .branches import branch_choices
from .checks import CheckRules
from .collisions import free_numbers, probe_sql
from .context import TableContext, parent_rows
from .deferred import deferred_update, new_rows_table, row_keys
from .excludes import apart_groups, kept_apart
from .partial import ways_outside
from .partitions import routed
from .refusals import SeedError
from .rules import table_rules
from .select import (
    TableJob,
    left_null,
    outside_of,
    parent_row,
    parent_value,
    radix_position,
    radix_value,
    select_lists,
)
from .uniques import UniqueKeys, unique_carriers
from .values import ident, qualified_ident


@dataclass(frozen=True)
class TablePlan:
    """How one table is filled."""

    entity: Entity
    rows: int
    first: int  # first row number (rows already present + 1)
    insert: str  # the INSERT ... SELECT (or the WITH ... that also records new keys)
    deferred: tuple[ForeignKey, ...] = ()  # filled by ``update`` after every insert
    update: str | None = None
    capped: str | None = None  # why rows is less than asked
    #: what is said of each nullable column seed cannot make (see select.left_null)
    left_null: tuple[str, ...] = ()
    # The rows' SELECT and its columns when it reads no table and no user SQL, so
    # that another session can generate them (see bulk.copy_rows); else "".
    select: str = ""
    #: the rows' SELECT where it reads no copy of another table's keys, user SQL or
    #: not (see room: the keys a parent's new rows hold, read before any insert)
    made: str = ""
    columns: tuple[str, ...] = ()
    #: with rows there, the query of the new rows meeting theirs on a unique key,
    #: and the keys it looks at (see collisions.probe_sql); else ("", ())
    probe: tuple[str, tuple[str, ...]] = ("", ())
    #: whether its rows are numbered through the free combinations of a counted key
    #: (``c``, see _free_combinations), not by the row number alone
    counted: bool = False

    @property
    def note(self) -> str | None:
        """What the output says of the table's rows beyond their count, or None."""
        notes = [self.capped] if self.capped else []
        notes += self.left_null
        return "; ".join(notes) or None


@dataclass(frozen=True)
class SizedTable:
    """A table's planning inputs with its rows sized to what its counted key holds
    (see :func:`size_table`)."""

    job: TableJob
    unique: UniqueKeys
    #: the rows first takes (rows there and those passed over + 1)
    first: int
    #: the combinations of the counted key (1 without one)
    combinations: int
    #: the column, condition and value that put rows outside a partial counted key
    outside: tuple[str, str] | None = None
    capped: str | None = None

    @property
    def rows(self) -> int:
        """The rows the table gets: those asked, or as many as its counted key holds."""
        return self.job.rows


#: A temporary table made during the insert (a copy of another table's keys, the
#: rows met): a select reading one is not made on its own. The groups' bounds of
#: excludes.group_bounds are made before any read.
_COPIES = re.compile(r'pg_temp\.(?!"?seed_bounds_)')


def size_table(ctx: TableContext, ent: Entity, rows: int, deferred: set[str]) -> SizedTable:
    """``ent``'s planning inputs for ``rows`` rows more, capped where its counted key
    holds fewer and ``--rows`` shared them out (``ctx.counts`` then says the rows it
    will hold); SeedError where they were asked by name or no parent rows would make
    room. Reads ``ctx`` only: run before any insert, it refuses up front (see
    :mod:`.room`)."""
    # (with rows there, a range kept apart within groups is moved by its group's)
    grouped = (
        {c: g for c, g in apart_groups(ent).items() if g} if ctx.existing.get(ent.table) else {}
    )
    kept = kept_apart(ent, SeedError) if rows > 0 else ent
    ent = routed(ctx.schema, kept, SeedError) if rows > 0 else ent
    # the partition key's generator routing rows is seed's and repeats its values: it
    # neither carries a unique key nor answers for one, as the user's would
    routing = frozenset(
        c.name for c, k in zip(ent.columns, kept.columns, strict=True) if c.seed is not k.seed
    )
    rules = table_rules(ctx.schema, ent)
    active_fks = [fk for fk in ent.foreign_keys if fk.name not in deferred]
    unique = unique_carriers(ctx, ent, active_fks, rules, routing)
    carriers, radix, radix_key = unique.carriers, unique.radix, unique.radix_key
    _refuse_moved_digits(ent, rules, unique, active_fks)
    apart = keys_apart(ctx, ent, rules, active_fks, radix)
    keys = carriers | {c for fk in ent.foreign_keys for c in fk.columns}
    # (nor a key's digit counted through: each row's value is its combination's)
    fixed = keys | set(radix_key)
    # a one-column key no unique key carries may take a branch's NULL or NOT NULL
    single = {fk.columns[0] for fk in active_fks if len(fk.columns) == 1}
    nullable_keys = frozenset(single - carriers - set(radix_key or ()))
    free = frozenset(carriers - {c for fk in ent.foreign_keys for c in fk.columns})
    branched = branch_choices(ctx, ent, rules, fixed, nullable_keys, free - set(radix_key))
    first = ctx.existing.get(ent.table, 0) + ctx.skipped.get(ent.table, 0) + 1
    # with rows there, a key counted through its combinations leaves theirs out
    counter = "c" if radix is not None and first > 1 else "n"
    t = TableJob(ctx, ent, rows, rules, carriers, radix, apart, branched, counter, grouped=grouped)
    # a partial key's rows past its combinations go outside its WHERE: no cap
    outside = None
    if unique.radix_where is not None and rows > 0:
        outside = outside_of(t, ways_outside(unique.radix_where))
    capped = None
    combinations = 1
    for _, size in radix or ():
        combinations *= size
    if radix is not None and outside is None:
        capacity = combinations - ctx.holding(ent.table, radix_key)
        if rows > capacity and not any(c in keys for names, _ in radix for c in names):
            # no parent rows more would make room: the schema bounds the table
            raise SeedError(_no_room(ctx, ent, unique, rows, combinations))
        if rows > capacity and ent.table in ctx.asked:
            # a count asked by name is what the seed is for: refuse, not fewer rows
            raise SeedError(_too_few_parents(ctx, ent, unique, rows, combinations))
        if rows > capacity:  # a count --rows shares out: capped, and said
            capped = f"capped at {max(capacity, 0)}: its unique key combines foreign keys"
            rows = max(capacity, 0)
            t = replace(t, rows=rows)
            # (its columns' values are made for the rows it will hold: see column_job)
            ctx.counts[ent.table] = ctx.existing.get(ent.table, 0) + rows
    return SizedTable(t, unique, first, combinations, outside, capped)


def plan_table(
    ctx: TableContext, ent: Entity, rows: int, deferred: set[str], sized: SizedTable | None = None
) -> TablePlan:
    """The statements that add ``rows`` rows to ``ent``'s table, from its ``sized``
    planning inputs where made before (see room; else sized here)."""
    if sized is None:
        sized = size_table(ctx, ent, rows, deferred)
    elif sized.capped:  # the rows it will hold, as size_table says them
        ctx.counts[ent.table] = ctx.existing.get(ent.table, 0) + sized.rows
    t, unique, first, capped = sized.job, sized.unique, sized.first, sized.capped
    ent, rows, rules, counter = t.ent, t.rows, t.rules, t.counter
    radix_key, outside, combinations = unique.radix_key, sized.outside, sized.combinations
    if rows <= 0:  # nothing asked (or room for nothing): no statement, no parent needed
        return TablePlan(ent, 0, first, "", capped=capped)
    candidates = min(combinations, rows + first - 1)
    if outside is not None and (counter == "c" or rows > combinations):
        # past the combinations (see _free_combinations)
        limit = candidates if counter == "c" else combinations
        t = replace(t, outside=(outside[0], f"{counter} > {limit}", outside[1]))
    shifted, offset = shifts(t)
    t = replace(t, shifted=shifted, offset=offset)
    columns, inner, outer = select_lists(t, deferred)
    unmade = left_null(t, columns, deferred)
    source = f"generate_series({first}, {first + rows - 1}) AS g(n)"
    looked = source  # the row numbers the probe looks at
    if counter == "c":
        source = looked = _free_combinations(t, radix_key, unique.radix_where, first, candidates)
    elif ent.table in ctx.filling:  # the numbers up to it that meet no row there
        looked = f"generate_series(1, {ctx.filling[ent.table]}) AS g(n)"
        source = free_numbers(ent.table, ctx.filling[ent.table], rows)
    select = f"SELECT {', '.join(outer)} FROM (SELECT {', '.join(inner)} FROM {source}) AS v"
    probe: tuple[str, tuple[str, ...]] = ("", ())
    # rows there: their unique values may be the ones made here
    if first > 1 or ent.table in ctx.filling:
        probe = probe_sql(ent, columns, ", ".join(inner), ", ".join(outer), looked, radix_key)
    # No column list when every column is left to its default or identity.
    target = qualified_ident(ent.table)
    target += f" ({', '.join(ident(c) for c in columns)})" if columns else ""
    fks = tuple(fk for fk in ent.foreign_keys if fk.name in deferred)
    if fks:
        returning = ", ".join(f"{expr} AS {name}" for expr, name in row_keys(ent))
        names = ", ".join(name for _, name in row_keys(ent))
        insert = (
            f"WITH ins AS (INSERT INTO {target} {select} RETURNING {returning}) "
            f"INSERT INTO {new_rows_table(ent.table)} SELECT {names} FROM ins"
        )
        off_itself = frozenset(
            fk.name
            for order in rules.orders
            if order.op == "<>" and (fk := self_reference_of(ent, order)) is not None
        )
        update = deferred_update(ctx, ent, fks, first, off_itself)
        counted = counter == "c"
        return TablePlan(
            ent, rows, first, insert, fks, update, capped, unmade, probe=probe, counted=counted
        )
    # (counted through free combinations, it reads the table)
    made = bool(columns) and not _COPIES.search(select) and counter == "n"
    standalone = made and not any(c.seed is not None and c.seed.sql for c in ent.columns)
    return TablePlan(
        ent,
        rows,
        first,
        f"INSERT INTO {target} {select}",
        capped=capped,
        left_null=unmade,
        select=select if standalone else "",
        made=select if made else "",
        columns=tuple(columns),
        probe=probe,
        counted=counter == "c",
    )


def _refuse_moved_digits(
    ent: Entity, rules: CheckRules, unique: UniqueKeys, fks: list[ForeignKey]
) -> None:
    """SeedError where ``a <= b`` (``<``, ``>=``, ``>``) would move a digit of the
    counted key that no foreign key makes: its left column takes the right one's
    value where they cross (see select._ordered), another row's combination, so the
    key would repeat one. (A ``<>`` moves the other column: see apart.shifts.)"""
    keys = {c for fk in fks for c in fk.columns}
    digits = {names[0] for names, _ in unique.radix or () if names[0] not in keys}
    for order in rules.orders:
        if order.op == "<>" or order.left not in digits:
            continue
        raise SeedError(
            f"cannot seed {ent.table}: its {unique.radix_said} "
            f"({', '.join(unique.radix_key)}) is counted through the values {order.left} "
            f"takes (its checks, enum or type allow few), and check {order.check} "
            f"({order.left} {order.op} {order.right}) would move it on some rows onto "
            "another row's combination; give it a value generator, e.g. under "
            f"entities.{ent.name}.columns.{order.left}: "
            'seed: {sql: "<SQL expression over n, the row number>"}'
        )


def _no_room(ctx: TableContext, ent: Entity, unique: UniqueKeys, rows: int, most: int) -> str:
    """The refusal of ``rows`` rows more than ``unique``'s counted key holds, where no
    digit of it is a foreign key (its combinations are the schema's: ``most``)."""
    digits = ", ".join(f"{names[0]} takes {size}" for names, size in unique.radix or ())
    there = ctx.holding(ent.table, unique.radix_key)
    room = max(most - there, 0)
    where = f" WHERE {unique.radix_where}" if unique.radix_where else ""
    held = f"; rows there hold {there} of them, room for {room} more" if there else ""
    return (
        f"cannot seed {ent.table}: its {unique.radix_said} "
        f"({', '.join(unique.radix_key)}){where} holds at most {most} rows ({digits} "
        f"values: its checks, enum or type allow no other){held}, and {rows} are asked; "
        f"ask for fewer (--rows-per {ent.table}={room}) or give a column of the key a "
        f"value generator, e.g. under entities.{ent.name}.columns.{unique.radix_key[0]}: "
        'seed: {sql: "<SQL expression over n, the row number>"}'
    )


def _too_few_parents(
    ctx: TableContext, ent: Entity, unique: UniqueKeys, rows: int, most: int
) -> str:
    """The refusal of ``rows`` rows asked by name (--rows-per) more than ``unique``'s
    counted key holds, where a digit of it is a foreign key: its combinations are
    its parents' rows (``most``), which more parent rows would make room for."""
    keys = {c: fk for fk in ent.foreign_keys for c in fk.columns}
    digits = ", ".join(
        f"{names[0]} takes {size} (rows of {keys[names[0]].ref_table})"
        if names[0] in keys
        else f"{names[0]} takes {size}"
        for names, size in unique.radix or ()
    )
    there = ctx.holding(ent.table, unique.radix_key)
    room = max(most - there, 0)
    where = f" WHERE {unique.radix_where}" if unique.radix_where else ""
    held = f"; rows there hold {there} of them, room for {room} more" if there else ""
    parents = sorted({keys[n[0]].ref_table for n, _ in unique.radix or () if n[0] in keys})
    more = " or ".join(f"--rows-per {p}=N" for p in parents)
    return (
        f"cannot seed {ent.table}: its {unique.radix_said} "
        f"({', '.join(unique.radix_key)}){where} combines foreign keys and holds at most "
        f"{most} rows ({digits}){held}, and {rows} are asked (--rows-per "
        f"{ent.table}={rows}); ask for fewer (--rows-per {ent.table}={room}) or for more "
        f"parent rows ({more})"
    )


def _free_combinations(
    t: TableJob, key: tuple[str, ...], where: str | None, first: int, candidates: int
) -> str:
    """The rows' numbers ``n`` (from ``first``) and ``c``, the combinations of ``key``
    (counted through by ``c``, see radix_position) that no row of the table holds
    (no row its ``where`` holds, for a partial key), the first ``t.rows`` of them.
    Each row there takes at most one combination, so the first (rows asked + rows
    there) combinations hold enough free ones. With ``t.outside``, every row asked
    is there: those past the free combinations take ``c`` past ``candidates``."""
    matches = " AND ".join(f"e.{ident(c)} = {_key_value(t, c)}" for c in key)
    if where is not None:
        matches += f" AND ({where})"
    free = (
        f"(SELECT {first - 1} + row_number() OVER (ORDER BY c) AS n, c FROM "
        f"(SELECT c FROM generate_series(1, {candidates}) AS g(c) WHERE NOT EXISTS "
        f"(SELECT 1 FROM {qualified_ident(t.ent.table)} AS e WHERE {matches}) "
        f"ORDER BY c LIMIT {t.rows}) AS free)"
    )
    if t.outside is None:
        return f"{free} AS g"
    return (
        f"(SELECT g.n, coalesce(f.c, {candidates} + g.n) AS c FROM "
        f"generate_series({first}, {first + t.rows - 1}) AS g(n) "
        f"LEFT JOIN {free} AS f ON f.n = g.n) AS g"
    )


def _key_value(t: TableJob, column: str) -> str:
    """The value a column of the counted key takes at combination ``c``."""
    col = t.ent.column(column)
    fk = next((fk for fk in t.ent.foreign_keys if column in fk.columns), None)
    position = radix_position(t.radix, column, t.counter)
    if fk is None or position is None:
        return radix_value(t, col, position or "0")
    count = parent_rows(t.ctx, t.ent, fk)
    return parent_value(t, fk, column, parent_row(t, col, fk, count))
