"""Plan a seed run: table order, rows per table, and one INSERT ... SELECT per table.

Order: parents before children (``graphlib``). A foreign-key cycle is broken at
a nullable foreign key: its column is inserted NULL and filled by an UPDATE
once every table has rows. A cycle of NOT NULL keys cannot be seeded and is
reported by name.

Each table is filled by one statement that generates its rows on the server::

    INSERT INTO t (a, b, ...)
    SELECT <fixes over v> FROM (
        SELECT <generator of a> AS a, ... FROM generate_series(first, last) AS g(n)
    ) AS v

The inner level generates every column independently (:mod:`.values`); the
outer level applies what relates columns (``a <= b``, ``x IS NULL OR ...``).
Foreign keys pick a parent's row number, skewed, and look it up in a numbered
temporary copy of the parent's keys. A unique key is carried by one of its
columns built from ``n``, or, when all its columns are foreign keys or enums,
by counting through their combinations (which caps the table's rows).
"""

from __future__ import annotations

import graphlib
import hashlib
from dataclasses import dataclass, field, replace

from ..errors import SchemagenError
from ..model.pgtypes import PGTYPE
from ..model.schema import INTEGER_TYPES, Column, Entity, ForeignKey, Schema, column_enum
from ..revision.tables import type_sql
from .catalog import derived_from, slug
from .checks import (
    Branch,
    CheckRules,
    Domain,
    NullUnless,
    Order,
    Unsupported,
    columns_named,
    domain_checks,
    read_check,
)
from .excludes import kept_apart
from .named import DISTINCT_FROM_N
from .partitions import routed
from .random import below, salt, uniform
from .values import ColumnJob, ident, other_value, qualified_ident, value_sql

DEFAULT_FK_SKEW = 2.0
TEXT = ("string", "text")
DEFAULT_NULL_SHARE = 0.2
#: A key counted through its combinations: (columns of one digit, number of values).
Radix = list[tuple[tuple[str, ...], int]]

UNIQUE_KINDS = INTEGER_TYPES | {
    "numeric",
    "float",
    "double",
    "string",
    "text",
    "uuid",
    "timestamp",
    "timestamptz",
    "date",
    "bytes",
}


class SeedError(SchemagenError):
    """The schema cannot be seeded as it stands (exit 2); the message says how to help."""


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
    # The rows' SELECT and its columns when it reads no table and no user SQL, so
    # that another session can generate them (see bulk.copy_rows); else "".
    select: str = ""
    columns: tuple[str, ...] = ()


@dataclass
class SeedPlan:
    """Tables in insert order; the keys tables the statements read."""

    tables: list[TablePlan] = field(default_factory=list)


def keys_table(table: str, columns: tuple[str, ...] = ()) -> str:
    """The temporary, numbered copy of a table's referenced keys; with ``columns``,
    of its rows that hold a value in each of them (see :func:`valued_keys`)."""
    name = "seed_keys_" + table
    if columns:  # a digest keeps the name short and apart from other column sets
        name += "_" + hashlib.md5(",".join(columns).encode()).hexdigest()[:8]
    return f"pg_temp.{ident(name)}"


def valued_keys(schema: Schema, fk: ForeignKey) -> tuple[str, ...]:
    """``fk``'s referenced columns when the parent may hold NULL in one of them (a
    nullable unique), else (). Such a key picks among the parent's rows holding a
    value in all of them: a parent's NULL would make a NOT NULL key fail and a
    nullable one NULL more often than its share."""
    parent = schema.entity_by_table(fk.ref_table)
    if any(parent.column(c).nullable for c in fk.ref_columns):
        return fk.ref_columns
    return ()


def parent_rows(ctx: TableContext, fk: ForeignKey) -> int:
    """How many parent rows ``fk`` picks from: the rows holding its referenced
    columns where those may be NULL (once the parent is filled), else all."""
    valued = valued_keys(ctx.schema, fk)
    if valued and (fk.ref_table, valued) in ctx.valued:
        return ctx.valued[(fk.ref_table, valued)]
    return ctx.counts.get(fk.ref_table, 0)


#: How the rows of a table without a primary key are told apart while a seed fills
#: their deferred foreign keys: by ctid, which stays put within the transaction
#: (a temporary table cannot have a column named ctid: hence the alias).
ROW_ID = "seed_row_ctid"


def row_keys(ent: Entity) -> list[tuple[str, str]]:
    """(expression on the table, column of the new-rows table) for each column that
    tells the rows of ``ent`` apart: its primary key, else its ctid."""
    if not ent.has_primary_key:
        return [("ctid", ROW_ID)]
    return [(ident(c), ident(c)) for c in ent.primary_key.columns]


def new_rows_table(table: str) -> str:
    """The temporary list of rows this run inserted into ``table`` (for deferred keys)."""
    return f"pg_temp.{ident('seed_new_' + table)}"


def default_rows(schema: Schema, total: int) -> dict[str, int]:
    """Rows per table for ``--rows N``: N for tables nothing references, N/10 for the
    ones others reference, N/100 for roots with no foreign key (at least 1 each)."""
    referenced = {
        fk.ref_table
        for ent in schema.entities
        for fk in ent.foreign_keys
        if fk.ref_table != ent.table
    }
    result = {}
    for ent in schema.entities:
        has_parent = any(fk.ref_table != ent.table for fk in ent.foreign_keys)
        if ent.table not in referenced:
            rows = total
        elif has_parent:
            rows = total // 10
        else:
            rows = total // 100
        result[ent.table] = max(rows, 1) if total > 0 else 0
    return result


def insert_order(schema: Schema) -> tuple[list[Entity], dict[str, set[str]]]:
    """Entities parents first, and per table the FK names deferred to break cycles."""
    deferred: dict[str, set[str]] = {ent.table: set() for ent in schema.entities}
    for ent in schema.entities:  # a self reference is always deferred
        for fk in ent.foreign_keys:
            if fk.ref_table == ent.table:
                _defer(ent, fk, deferred, "it references its own table")
    while True:
        sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
        for ent in sorted(schema.entities, key=lambda e: e.table):
            parents = {
                fk.ref_table for fk in ent.foreign_keys if fk.name not in deferred[ent.table]
            }
            sorter.add(ent.table, *sorted(parents))
        try:
            order = list(sorter.static_order())
        except graphlib.CycleError as exc:
            _break_cycle(schema, list(exc.args[1]), deferred)
            continue
        return [schema.entity_by_table(t) for t in order], deferred


def _defer(ent: Entity, fk: ForeignKey, deferred: dict[str, set[str]], why: str) -> None:
    if not all(ent.column(c).nullable for c in fk.columns):
        raise SeedError(
            f"cannot seed {ent.table}: foreign key {fk.name} is NOT NULL and {why}; "
            "make one foreign key of the cycle nullable"
        )
    deferred[ent.table].add(fk.name)


def _break_cycle(schema: Schema, cycle: list[str], deferred: dict[str, set[str]]) -> None:
    """Defer one nullable foreign key along ``cycle`` (table names, closed)."""
    edges = list(zip(cycle, cycle[1:], strict=False))
    for parent, child in edges:  # graphlib lists a node, then one that needs it
        ent = schema.entity_by_table(child)
        for fk in ent.foreign_keys:
            if fk.ref_table == parent and all(ent.column(c).nullable for c in fk.columns):
                deferred[child].add(fk.name)
                return
    names = " -> ".join(cycle)
    raise SeedError(
        f"cannot seed the foreign-key cycle {names}: every foreign key in it is NOT NULL; "
        "make one of them nullable"
    )


# --- one table ----------------------------------------------------------------------


@dataclass
class TableContext:
    """What planning one table needs to know about the rest."""

    schema: Schema
    seed: int
    counts: dict[str, int]  # rows each table will hold (existing + this run)
    existing: dict[str, int]
    # Tables whose single integer key runs without gaps from offset + 1: a foreign
    # key to them is the parent's row number plus the offset, with no lookup.
    offsets: dict[str, int] = field(default_factory=dict)
    #: (table, columns) -> its rows holding a value in each column (see valued_keys)
    valued: dict[tuple[str, tuple[str, ...]], int] = field(default_factory=dict)


def plan_table(ctx: TableContext, ent: Entity, rows: int, deferred: set[str]) -> TablePlan:
    """The statements that add ``rows`` rows to ``ent``'s table."""
    ent = routed(ctx.schema, kept_apart(ent, SeedError), SeedError) if rows > 0 else ent
    rules = _rules(ctx.schema, ent)
    active_fks = [fk for fk in ent.foreign_keys if fk.name not in deferred]
    carriers, radix, radix_key = _unique_carriers(ctx, ent, active_fks)
    apart = _apart(ctx, ent, rules, active_fks, radix)
    keys = carriers | {c for fk in ent.foreign_keys for c in fk.columns}
    branched = _branched(ctx, ent, rules, keys)
    capped = None
    combinations = 1
    for _, size in radix or ():
        combinations *= size
    if radix is not None:
        capacity = combinations - ctx.existing.get(ent.table, 0)
        if rows > capacity:
            capped = f"capped at {max(capacity, 0)}: its unique key combines foreign keys"
            rows = max(capacity, 0)
    first = ctx.existing.get(ent.table, 0) + 1
    if rows <= 0:  # nothing asked (or room for nothing): no statement, no parent needed
        return TablePlan(ent, 0, first, "", capped=capped)
    # with rows there, a key counted through its combinations leaves theirs out
    counter = "c" if radix is not None and first > 1 else "n"
    t = _Table(ctx, ent, rows, rules, carriers, radix, apart, branched, counter)
    shifted, offset = _shifts(t)
    t = replace(t, shifted=shifted, offset=offset)
    columns, inner, outer = _select_lists(t, deferred)
    source = f"generate_series({first}, {first + rows - 1}) AS g(n)"
    if counter == "c":
        source = _free_combinations(t, radix_key, first, min(combinations, rows + first - 1))
    select = f"SELECT {', '.join(outer)} FROM (SELECT {', '.join(inner)} FROM {source}) AS v"
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
            if order.op == "<>" and (fk := _off_itself(ent, order)) is not None
        )
        update = _deferred_update(ctx, ent, fks, first, off_itself)
        return TablePlan(ent, rows, first, insert, fks, update, capped)
    standalone = (
        bool(columns)
        and "pg_temp." not in select
        and counter == "n"  # (else it reads the table)
        and not any(c.seed is not None and c.seed.sql for c in ent.columns)
    )
    return TablePlan(
        ent,
        rows,
        first,
        f"INSERT INTO {target} {select}",
        capped=capped,
        select=select if standalone else "",
        columns=tuple(columns),
    )


def _free_combinations(t: _Table, key: tuple[str, ...], first: int, candidates: int) -> str:
    """The rows' numbers ``n`` (from ``first``) and ``c``, the combinations of ``key``
    (counted through by ``c``, see _radix_position) that no row of the table holds,
    the first ``t.rows`` of them. Each row there takes at most one combination, so
    the first (rows asked + rows there) combinations hold enough free ones."""
    matches = " AND ".join(f"e.{ident(c)} = {_key_value(t, c)}" for c in key)
    return (
        f"(SELECT {first - 1} + row_number() OVER (ORDER BY c) AS n, c FROM "
        f"(SELECT c FROM generate_series(1, {candidates}) AS g(c) WHERE NOT EXISTS "
        f"(SELECT 1 FROM {qualified_ident(t.ent.table)} AS e WHERE {matches}) "
        f"ORDER BY c LIMIT {t.rows}) AS free) AS g"
    )


def _key_value(t: _Table, column: str) -> str:
    """The value a column of the counted key takes at combination ``c``."""
    col = t.ent.column(column)
    fk = next((fk for fk in t.ent.foreign_keys if column in fk.columns), None)
    position = _radix_position(t.radix, column, t.counter)
    if fk is None or position is None:
        return _radix_value(t, col, position or "0")
    count = parent_rows(t.ctx, fk)
    return _parent_value(t, fk, column, _parent_row(t, col, fk, count))


def _rules(schema: Schema, ent: Entity) -> CheckRules:
    rules = CheckRules()
    generated = {c.name for c in ent.columns if c.seed is not None and c.seed.sql}
    for check in (*ent.checks, *domain_checks(schema, ent)):
        guards, orders, choices = len(rules.null_unless), len(rules.orders), len(rules.choices)
        try:
            read_check(check.expression, rules)
            rules.null_unless[guards:] = [
                replace(guard, check=check.name) for guard in rules.null_unless[guards:]
            ]
            rules.orders[orders:] = [replace(o, check=check.name) for o in rules.orders[orders:]]
            rules.choices[choices:] = [
                replace(c, check=check.name, expression=check.expression)
                for c in rules.choices[choices:]
            ]
        except Unsupported as exc:
            if columns_named(check.expression) & generated:
                continue  # the user's value generator answers for it
            raise SeedError(_unsupported(ent, check.name, check.expression, str(exc))) from None
    for guard in list(rules.null_unless):
        if not (ent.has_column(guard.column) and ent.column(guard.column).nullable):
            rules.null_unless.remove(guard)
            try:
                read_check(guard.predicate, rules)
            except Unsupported as exc:
                raise SeedError(_unsupported(ent, guard.check, guard.predicate, str(exc))) from None
        elif _values_keep(guard, rules):
            rules.null_unless.remove(guard)
    return rules


def _values_keep(guard: NullUnless, rules: CheckRules) -> bool:
    """Narrow ``guard.column``'s values to what the guarded predicate asks, when it
    asks about that column alone in a shape seed reads (``grade IS NULL OR
    upper(grade) IN ('A', 'B')``): its values then keep the check, and NULLs come
    from its share of them. Without this the predicate only NULLed the values that
    missed it, so such a column was nearly always NULL. False (the guard stays) for
    any other predicate."""
    own = CheckRules()
    try:
        read_check(guard.predicate, own)
    except Unsupported:
        return False
    if (
        set(own.domains) != {guard.column}
        or own.orders
        or own.null_unless
        or own.patterns
        or own.choices
    ):
        return False
    try:
        narrowed = rules.domain(guard.column).narrowed(own.domains[guard.column])
    except Unsupported:
        return False
    rules.domains[guard.column] = narrowed
    return True


def _unsupported(ent: Entity, name: str, expression: str, why: str) -> str:
    column = next(iter(sorted(columns_named(expression))), "<column>")
    return (
        f"cannot seed {ent.table}: check {name} ({expression}) has a shape seed cannot "
        f"satisfy ({why}). Seed understands ranges and comparisons with constants, "
        "BETWEEN, IN lists, <>, length(column) <= n, bounds by now() or CURRENT_DATE, "
        "regex and LIKE patterns and "
        "`column IS NULL OR ...`. Give a column it names a value "
        f"generator, e.g. under entities.{ent.name}.columns.{column}: "
        'seed: {sql: "<SQL expression over n, the row number, and r, a random number '
        'in [0, 1)>"}'
    )


def _apart(
    ctx: TableContext, ent: Entity, rules: CheckRules, fks: list[ForeignKey], radix: Radix | None
) -> dict[str, tuple[str, int]]:
    """For each ``a <> b`` check (an :class:`Order` with ``<>``): the column whose
    parent row moves off the other's, mapped to (the other, the parent's rows).

    Both must be single-column foreign keys to one table's key: then different
    parent rows are different values. Where both count through a key's combinations
    (``radix``), the later one's digit loses a value (``radix`` is narrowed in
    place): it counts through the parent's other rows, after the earlier one's."""
    apart: dict[str, tuple[str, int]] = {}
    single = {c for key in _single_keys(ent) for c in key}
    keyed = {c for fk in ent.foreign_keys for c in fk.columns}
    for order in [o for o in rules.orders if o.op == "<>"]:
        cols = [ent.column(order.left), ent.column(order.right)]
        if any(c.seed is not None and c.seed.sql for c in cols):
            continue  # the user's value generator answers for it
        if _off_itself(ent, order) is not None:
            continue  # the deferred UPDATE takes another row (see _deferred_update)
        if not keyed & {order.left, order.right}:
            continue  # two plain columns: one moves where they meet (see _shifts)
        pair = [next((fk for fk in fks if fk.columns == (c.name,)), None) for c in cols]
        if (
            pair[0] is None
            or pair[1] is None
            or (pair[0].ref_table, pair[0].ref_columns)
            != (pair[1].ref_table, pair[1].ref_columns)
        ):
            raise SeedError(
                _unsupported(
                    ent,
                    order.check,
                    f"{order.left} <> {order.right}",
                    "`<>` between two columns that are not two foreign keys to one table",
                )
            )
        count = parent_rows(ctx, pair[0])
        own = [(c.name,) for c in cols]
        digits = [n for n, (names, _) in enumerate(radix or ()) if names in own]
        if radix is not None and len(digits) == 2:
            names, size = radix[digits[1]]
            radix[digits[1]] = (names, max(size - 1, 0))
            earlier = radix[digits[0]][0][0]
            apart[names[0]] = (earlier, size)
            continue
        moved = order.left if order.left not in single else order.right
        if moved in single:
            raise SeedError(
                f"cannot seed {ent.table}: check {order.check} asks {order.left} <> "
                f"{order.right}, and each is a unique key of its own; give one of them a "
                f"value generator, e.g. under entities.{ent.name}.columns.{order.left}: "
                'seed: {sql: "..."}'
            )
        if count < 2:
            raise SeedError(
                f"cannot seed {ent.table}: check {order.check} asks {order.left} <> "
                f"{order.right}, and {pair[0].ref_table} will hold {count} "
                f"row{'' if count == 1 else 's'}: seed at least 2 there "
                f"(--rows-per {pair[0].ref_table}=N)"
            )
        apart[moved] = (order.right if moved == order.left else order.left, count)
    return apart


def _shifts(t: _Table) -> tuple[dict[str, str], dict[str, str]]:
    """For each ``a <> b`` between two columns no foreign key holds, the column that
    moves off the other: ``shifted`` (it takes another value its checks allow where
    the row's two meet, see _outer) or ``offset`` (see _column_expr), each mapped to
    the other.

    The one moved is built from no unique key (changing it on some rows keeps every
    key unique), the left one first, and no other check orders or moves it. Where
    both carry a unique key and are built alike from the row number, they are
    equal on every row: the left one takes its next row's value on every row,
    still unique and never the other's."""
    ent, rules = t.ent, t.rules
    keyed = {c for fk in ent.foreign_keys for c in fk.columns}
    ordered = {c for o in rules.orders if o.op != "<>" for c in (o.left, o.right)}
    shifted: dict[str, str] = {}
    offset: dict[str, str] = {}
    for order in [o for o in rules.orders if o.op == "<>"]:
        pair = (order.left, order.right)
        if keyed & set(pair) or any(_user_values(ent.column(c)) for c in pair):
            continue  # _apart's, or the user's value generator answers for it
        left_as = {c: _left_as(t, ent.column(c)) for c in pair if c not in t.branched}
        if "NULL" in left_as.values():
            continue  # NULL on every row: the check holds
        unwritten = [c for c in pair if left_as.get(c)]
        if unwritten:  # its value is PostgreSQL's: no side can be moved off it
            name = unwritten[0]
            other = pair[1] if name == pair[0] else pair[0]
            raise SeedError(
                f"cannot seed {ent.table}: check {order.check} asks {order.left} <> "
                f"{order.right}, and seed does not write {name} ({left_as[name]} "
                f"gives it); give {other} a value generator, e.g. under "
                f'entities.{ent.name}.columns.{other}: seed: {{sql: "..."}}'
            )
        taken = ordered | set(shifted) | set(offset) | set(t.branched)
        if all(c in t.carriers for c in pair):
            if pair[0] in taken or not _built_alike(t, *pair):
                raise SeedError(
                    f"cannot seed {ent.table}: check {order.check} asks {order.left} <> "
                    f"{order.right}, and each is a unique key of its own; give one of "
                    f"them a value generator, e.g. under entities.{ent.name}.columns."
                    f'{order.left}: seed: {{sql: "..."}}'
                )
            offset[pair[0]] = pair[1]
            continue
        why = "no other check may order or move the one that moves"
        for moved, other in (pair, pair[::-1]):
            if moved in t.carriers or moved in taken:
                continue
            try:
                other_value(_job(t, ent.column(moved)), "x")
            except Unsupported as exc:
                why = f"{moved}: {exc}"
                continue
            shifted[moved] = other
            break
        else:
            raise SeedError(
                _unsupported(
                    ent,
                    order.check,
                    f"{order.left} <> {order.right}",
                    f"`<>` between two columns neither of which can take another value ({why})",
                )
            )
    return shifted, offset


def _left_as(t: _Table, col: Column) -> str:
    """What gives ``col`` its value where the insert does not write it ("NULL" where
    it is left NULL on every row), or "" where the insert writes it (see _column_expr)."""
    if col.identity:
        return "its identity"
    if col.serial:
        return "its sequence"
    if col.generated is not None:
        return "its generation"
    try:
        value_sql(_job(t, col))
    except Unsupported:
        if col.default is not None:
            return "its default"
        if _may_be_null(t, col):
            return "NULL"
    return ""


def _user_values(col: Column) -> bool:
    return col.seed is not None and bool(col.seed.sql)


def _built_alike(t: _Table, left: str, right: str) -> bool:
    """Whether two unique columns are built by one expression of the row number (so
    equal on every row), and the left one has room for one row more."""
    jobs = [_job(t, t.ent.column(c)) for c in (left, right)]
    try:
        alike = value_sql(jobs[0]) == value_sql(jobs[1])
        value_sql(replace(jobs[0], rows=jobs[0].rows + 1))
    except Unsupported:
        return False
    return alike


def _off_itself(ent: Entity, order: Order) -> ForeignKey | None:
    """The self-referencing one-column key of ``key <> referenced column``
    (``manager_id <> id``), else None."""
    for fk in ent.foreign_keys:
        if fk.ref_table == ent.table and len(fk.columns) == 1:
            if {order.left, order.right} == {fk.columns[0], fk.ref_columns[0]}:
                return fk
    return None


#: A column an OR check names: (the SQL of the row's branch, 0 to k - 1, and per
#: branch the values it takes: a Domain, or None for NULL).
Branched = dict[str, tuple[str, list[Domain | None]]]


def _branched(ctx: TableContext, ent: Entity, rules: CheckRules, fixed: set[str]) -> Branched:
    """What the OR checks without ``IS NULL`` (each a :class:`Choice`) ask of their
    columns: the branches whose asks the columns' other checks leave room for, on
    columns seed makes freely (not a key, not a unique key's carrier). ORs that name
    a column in common are chosen together: each row keeps one branch of each."""
    groups: list[tuple[set[str], list[dict[str, Domain | None]], str]] = []
    for choice in rules.choices:
        columns = set().union(*(b.columns for b in choice.branches))
        if any(_generated(ent, c) for c in columns):
            continue  # the user's value generator answers for it
        read = [_option(ent, rules, b, columns, fixed) for b in choice.branches]
        kept = [o for o in read if o is not None]
        names = choice.check
        for group in [g for g in groups if g[0] & columns]:
            groups.remove(group)
            columns |= group[0]
            kept = [m for a in group[1] for b in kept if (m := _merged(a, b)) is not None]
            names = f"{group[2]}, {names}"
        if not kept:
            why = "no branch of the OR is left by the other checks and keys"
            raise SeedError(_unsupported(ent, names, choice.expression, why))
        groups.append((columns, kept, names))
    branched: Branched = {}
    for columns, options, names in groups:
        draw = uniform(salt(ctx.seed, ent.table, names, "branch"))
        which = f"floor({draw} * {len(options)})::integer"
        for column in sorted(columns):
            branched[column] = (which, [o.get(column, Domain()) for o in options])
    return branched


def _merged(
    one: dict[str, Domain | None], other: dict[str, Domain | None]
) -> dict[str, Domain | None] | None:
    """Two branches of two ORs taken together, or None where no value keeps both."""
    merged = dict(one)
    for column, domain in other.items():
        if column not in merged:
            merged[column] = domain
        elif merged[column] is None or domain is None:
            if merged[column] is not None or domain is not None:
                return None  # NULL in one, a value in the other
        else:
            try:
                both = merged[column].narrowed(domain)  # type: ignore[union-attr]
            except Unsupported:
                return None
            both.not_null = both.not_null or domain.not_null
            merged[column] = both
    return merged


def _generated(ent: Entity, column: str) -> bool:
    col = ent.column(column) if ent.has_column(column) else None
    return col is not None and col.seed is not None and bool(col.seed.sql)


def _option(
    ent: Entity, rules: CheckRules, branch: Branch, columns: set[str], fixed: set[str]
) -> dict[str, Domain | None] | None:
    """Per column of the OR, what ``branch`` gives it (its other checks' values where
    the branch names it not), or None when no row can keep the branch."""
    if branch.columns & fixed or not all(ent.has_column(c) for c in columns):
        return None
    option: dict[str, Domain | None] = {}
    for column in columns:
        base = rules.domains.get(column, Domain())
        if column in branch.nulls:
            if not ent.column(column).nullable or base.not_null:
                return None
            option[column] = None
            continue
        own = branch.domains.get(column, Domain())
        try:
            narrowed = base.narrowed(own)
        except Unsupported:
            return None
        narrowed.not_null = narrowed.not_null or own.not_null
        option[column] = narrowed
    return option


def _unique_carriers(
    ctx: TableContext, ent: Entity, fks: list[ForeignKey]
) -> tuple[set[str], Radix | None, tuple[str, ...]]:
    """Columns built from ``n`` (one per unique key), and the radix of a key that
    only foreign keys and enums can carry, ``[(column, number of values), ...]``,
    with that key's columns (else None and ())."""
    fk_columns = {c for fk in fks for c in fk.columns}
    # (a table without a primary key has only its unique keys: other rows may repeat)
    keys = [ent.primary_key.columns] if ent.has_primary_key else []
    keys += [u.columns for u in ent.uniques]
    keys += [ix.columns for ix in ent.indexes if ix.unique]
    carriers: set[str] = set()
    radix: Radix | None = None
    radix_key: tuple[str, ...] = ()
    for key in keys:
        cols = [ent.column(c) for c in key if ent.has_column(c)]
        if any(c.identity or c.serial or (c.seed is not None and c.seed.sql) for c in cols):
            continue
        if any(c.name in carriers for c in cols):
            continue
        carrier = next((c for c in cols if c.name not in fk_columns and _distinct(c)), None)
        if carrier is not None:
            carriers.add(carrier.name)
        elif radix is None:
            radix, radix_key = _radix(ctx, ent, cols, fks), tuple(c.name for c in cols)
        else:
            raise SeedError(
                f"cannot seed {ent.table}: two unique keys made only of foreign "
                "keys and enums; give one of their columns a seed: {sql: ...}"
            )
    return carriers, radix, radix_key


def _radix(ctx: TableContext, ent: Entity, cols: list[Column], fks: list[ForeignKey]) -> Radix:
    """The digits of a key that only foreign keys, enums and booleans carry. The
    columns of one composite foreign key are one digit: they must name one parent row."""
    digits: Radix = []
    for col in cols:
        if any(col.name in names for names, _ in digits):
            continue
        fk = next((fk for fk in fks if col.name in fk.columns), None)
        names = fk.columns if fk is not None else (col.name,)
        digits.append((tuple(names), _value_count(ctx, ent, col, fks)))
    return digits


def _distinct(col: Column) -> bool:
    """Whether ``col``'s generator can make as many distinct values as rows."""
    if col.type.kind == PGTYPE:
        return (col.type.pgtype or "") in DISTINCT_FROM_N
    return col.type.kind in UNIQUE_KINDS


def _value_count(ctx: TableContext, ent: Entity, col: Column, fks: list[ForeignKey]) -> int:
    for fk in fks:
        if col.name in fk.columns:
            return parent_rows(ctx, fk)
    enum = column_enum(col)
    if enum is not None:
        return len(ctx.schema.enum(enum).values)
    if col.type.kind == "boolean":
        return 2
    raise SeedError(f"cannot seed {ent.table}: no way to make {col.name} distinct")


# --- the select lists -----------------------------------------------------------------


@dataclass(frozen=True)
class _Table:
    """One table's planning inputs, passed together."""

    ctx: TableContext
    ent: Entity
    rows: int
    rules: CheckRules
    carriers: set[str]
    radix: Radix | None
    #: column -> (the column it must differ from, rows of their parent): see _apart
    apart: dict[str, tuple[str, int]] = field(default_factory=dict)
    branched: Branched = field(default_factory=dict)
    #: what a key counted through its combinations counts by: n, or c (_free_combinations)
    counter: str = "n"
    #: column -> the plain column it must differ from: see _shifts
    shifted: dict[str, str] = field(default_factory=dict)
    #: unique columns taking their next row's value, apart from another: see _shifts
    offset: dict[str, str] = field(default_factory=dict)


def _select_lists(t: _Table, deferred: set[str]) -> tuple[list[str], list[str], list[str]]:
    """(inserted columns, inner select list, outer select list)."""
    ent = t.ent
    skipped = {c for fk in ent.foreign_keys if fk.name in deferred for c in fk.columns}
    fk_of = {c: fk for fk in ent.foreign_keys if fk.name not in deferred for c in fk.columns}
    columns: list[str] = []
    inner: list[str] = []
    for col in ent.columns:
        # identity and serial columns number themselves
        if col.identity or col.serial or col.generated is not None or col.name in skipped:
            continue
        expr = _column_expr(t, col, fk_of.get(col.name))
        if expr is None:
            continue
        columns.append(col.name)
        inner.append(f"{expr} AS {ident(col.name)}")
    outer = [_outer(t, name, columns) for name in columns]
    return columns, inner, outer


def _column_expr(t: _Table, col: Column, fk: ForeignKey | None) -> str | None:
    """The inner expression of one column, or None to leave it to its default."""
    radix_pos = _radix_position(t.radix, col.name, t.counter)
    if fk is not None and col.seed is not None and col.seed.sql:
        # the user's value generator, on a key column too: it answers for the checks
        # naming the column (see _rules) and for the parents its values name
        return _nulls(t, col, value_sql(_job(t, col)))
    if fk is not None:
        count = parent_rows(t.ctx, fk)
        if count == 0:
            if _may_be_null(t, col):
                return "NULL"
            valued = valued_keys(t.ctx.schema, fk)
            holding = f" holding ({', '.join(valued)})" if valued else ""
            raise SeedError(
                f"cannot seed {t.ent.table}: {fk.ref_table} has no rows{holding} to "
                f"reference by {fk.name}"
            )
        row = _parent_row(t, col, fk, count)
        if col.name in t.apart and radix_pos is None:  # off the other key's parent row
            other = t.ent.column(t.apart[col.name][0])
            its_fk = next(f for f in t.ent.foreign_keys if f.columns == (other.name,))
            twin = _parent_row(t, other, its_fk, count)
            row = f"(CASE WHEN {row} = {twin} THEN 1 + {row} % {count} ELSE {row} END)"
        expr = _parent_value(t, fk, col.name, row)
        if fk.match and len(fk.columns) > 1:
            return _key_nulls(t, fk, expr)
        return _nulls(t, col, expr)
    if radix_pos is not None:
        return _radix_value(t, col, radix_pos)
    job = _job(t, col)
    try:
        if col.name in t.branched:
            return _branch_value(t, col, job)
        if col.name in t.offset:  # the next row's value (see _shifts)
            job = replace(job, rows=job.rows + 1)
            return f"(SELECT {value_sql(job)} FROM (SELECT n + 1 AS n) AS seed_next)"
        expr = value_sql(job)
    except Unsupported as exc:
        if col.default is not None or _may_be_null(t, col):
            return None
        raise SeedError(
            f"cannot seed {t.ent.table}.{col.name}: {exc}; give it a value generator, "
            f'e.g. under entities.{t.ent.name}.columns.{col.name}: seed: {{sql: "..."}}'
        ) from None
    return _nulls(t, col, expr)


def _parent_value(t: _Table, fk: ForeignKey, column: str, row: str) -> str:
    """The value ``column`` of ``fk`` takes from the parent's row number ``row``."""
    ref = fk.ref_columns[fk.columns.index(column)]
    offset = t.ctx.offsets.get(fk.ref_table)
    parent_pk = t.ctx.schema.entity_by_table(fk.ref_table).primary_key.columns
    if offset is not None and fk.ref_columns == parent_pk:
        return f"({offset} + {row})"
    keys = keys_table(fk.ref_table, valued_keys(t.ctx.schema, fk))
    lookup = f"FROM {keys} AS k WHERE k.rn = {row}"
    return f"(SELECT k.{ident(ref)} {lookup})"


def _parent_row(t: _Table, col: Column, fk: ForeignKey, count: int) -> str:
    """The parent's row number (1 to ``count``) a foreign-key column takes."""
    radix_pos = _radix_position(t.radix, col.name, t.counter)
    if radix_pos is not None and col.name in t.apart:
        # the parent's rows after the earlier digit's, round: never its row
        other, size = t.apart[col.name]
        earlier = _radix_position(t.radix, other, t.counter)
        return f"(1 + ({earlier} + 1 + {radix_pos}) % {size})"
    if radix_pos is not None:
        return f"(1 + {radix_pos})"
    if any(col.name in key for key in _single_keys(t.ent)):
        return f"(1 + (n - 1) % {count})"  # a one-to-one: each parent once
    skew = col.seed.skew if col.seed and col.seed.skew else DEFAULT_FK_SKEW
    return f"(1 + {below(count, salt(t.ctx.seed, t.ent.table, fk.name), skew)})"


def _branch_value(t: _Table, col: Column, job: ColumnJob) -> str:
    """A column an OR check names: the values of the row's branch (see _branched);
    NULL in a share of the rows only where no branch asks for a value."""
    which, options = t.branched[col.name]
    cases = " ".join(
        f"WHEN {i} THEN "
        + ("NULL" if domain is None else value_sql(replace(job, domain=domain)))
        for i, domain in enumerate(options)
    )
    expr = f"(CASE {which} {cases} END)"
    if any(domain is not None and domain.not_null for domain in options):
        return expr
    return _nulls(t, col, expr)


def _job(t: _Table, col: Column) -> ColumnJob:
    enum = column_enum(col)
    values: tuple[str, ...] = ()
    enum_type = None
    if enum is not None:
        en = t.ctx.schema.enum(enum)
        values, enum_type = en.value_names, qualified_ident(en.db_name)
    return ColumnJob(
        table=t.ent.table,
        column=col,
        seed=t.ctx.seed,
        rows=t.ctx.counts.get(t.ent.table, t.rows),
        domain=t.rules.domains.get(col.name, Domain()),
        unique=col.name in t.carriers,
        enum_type=enum_type,
        enum_values=values,
        text_columns=frozenset(  # the ones this insert writes (not generated ones)
            c.name for c in t.ent.columns if c.type.kind in TEXT and c.generated is None
        ),
        type_sql=type_sql(col.type, t.ctx.schema),
    )


def _single_keys(ent: Entity) -> list[tuple[str, ...]]:
    keys: list[tuple[str, ...]] = [u.columns for u in ent.uniques if len(u.columns) == 1]
    keys += [ix.columns for ix in ent.indexes if ix.unique and len(ix.columns) == 1]
    if len(ent.primary_key.columns) == 1:
        keys.append(ent.primary_key.columns)
    return keys


def _radix_position(radix: Radix | None, column: str, counter: str = "n") -> str | None:
    """0-based position of ``column`` when counting through the key's combinations
    by ``counter`` (from 1)."""
    if radix is None:
        return None
    place = 1
    for names, size in radix:
        if column in names:
            return f"((({counter} - 1) / {place}) % {max(size, 1)})"
        place *= max(size, 1)
    return None


def _radix_value(t: _Table, col: Column, position: str) -> str:
    enum = column_enum(col)
    if enum is not None:
        en = t.ctx.schema.enum(enum)
        array = ", ".join("'" + v.replace("'", "''") + "'" for v in en.value_names)
        return f"(ARRAY[{array}])[1 + {position}]::{qualified_ident(en.db_name)}"
    return f"({position} = 1)"  # boolean


def _nulls(t: _Table, col: Column, expr: str) -> str:
    """NULL in a share of the rows of a nullable column (not in key carriers)."""
    return _null_share(t, [col], col.name, expr)


def _key_nulls(t: _Table, fk: ForeignKey, expr: str) -> str:
    """NULL in a share of the rows for every column of a MATCH FULL key at once
    (PostgreSQL refuses a key that is NULL in part): one draw per row, salted by the
    key, and none when one of its columns may not be NULL."""
    return _null_share(t, [t.ent.column(c) for c in fk.columns], fk.name, expr)


def _null_share(t: _Table, cols: list[Column], drawn: str, expr: str) -> str:
    """``expr``, or NULL in the share the first of ``cols`` asks for (one draw a row,
    salted by ``drawn``); never NULL when one of ``cols`` may not be NULL."""
    for col in cols:
        domain = t.rules.domains.get(col.name)
        if (
            not _may_be_null(t, col)
            or col.name in t.carriers
            or (domain is not None and domain.not_null)
        ):
            return expr
    first = cols[0]
    share = first.seed.nulls if first.seed and first.seed.nulls is not None else DEFAULT_NULL_SHARE
    if share <= 0:
        return expr
    if share >= 1:
        return "NULL"
    u = uniform(salt(t.ctx.seed, t.ent.table, drawn, "null"))
    return f"(CASE WHEN {u} < {share!r} THEN NULL ELSE {expr} END)"


def _may_be_null(t: _Table, col: Column) -> bool:
    """Whether ``col`` takes NULL: nullable, and not of a NOT NULL domain (a column
    may be declared nullable over one, which PostgreSQL refuses NULL in all the same)."""
    dom = col.type.domain
    return col.nullable and not (dom is not None and t.ctx.schema.domain(dom).not_null)


def _outer(t: _Table, name: str, columns: list[str]) -> str:
    """The outer expression of one column: related columns fixed up."""
    return f"{_outer_value(t, name, columns)} AS {ident(name)}"


def _outer_value(
    t: _Table, name: str, columns: list[str], seen: frozenset[str] = frozenset()
) -> str:
    expr = f"v.{ident(name)}"
    source = derived_from(name, {c for c in columns if t.ent.column(c).type.kind in TEXT})
    if source is not None:  # e.g. a handle: the title's slug, then the row number
        length = t.ent.column(name).type.length
        expr = f"{slug('v.' + ident(source))} || '-' || {expr}"
        expr = f"left({expr}, {length})" if length else f"({expr})"
    for order in t.rules.orders:
        if order.op != "<>" and order.left == name and order.right in columns:
            expr = _ordered(t, expr, order.op, f"v.{ident(order.right)}", name)
    if name in t.shifted:  # off the other's value, as it is written (see _shifts)
        if name in seen:
            raise SeedError(
                f"cannot seed {t.ent.table}: its `<>` checks move {name} in a circle "
                f"({', '.join(sorted(seen))}); give one of them a value generator"
            )
        other = t.shifted[name]  # written, as _shifts asks
        theirs = _outer_value(t, other, columns, seen | {name})
        moved = other_value(_job(t, t.ent.column(name)), expr)
        expr = f"(CASE WHEN {expr} = {theirs} THEN {moved} ELSE {expr} END)"
    for guard in t.rules.null_unless:
        if guard.column == name:
            expr = f"(CASE WHEN ({guard.predicate}) THEN {expr} END)"
    return expr


def _ordered(t: _Table, left: str, op: str, right: str, name: str) -> str:
    kind = t.ent.column(name).type.kind
    if kind in INTEGER_TYPES:
        step = "1"
    elif kind == "numeric":
        step = str(10 ** -(t.ent.column(name).type.scale or 0))
    elif kind in ("timestamp", "timestamptz"):
        step = "interval '1 second'"
    elif kind == "date":
        step = "1"
    else:
        raise SeedError(f"cannot seed {t.ent.table}: a check orders {name}, a {kind}")
    if op == "<=":
        return f"LEAST({left}, {right})"
    if op == "<":
        return f"LEAST({left}, {right} - {step})"
    if op == ">=":
        return f"GREATEST({left}, {right})"
    return f"GREATEST({left}, {right} + {step})"


def _deferred_update(
    ctx: TableContext,
    ent: Entity,
    fks: tuple[ForeignKey, ...],
    first: int,
    apart: frozenset[str] = frozenset(),
) -> str:
    """Fill the deferred foreign keys of the rows this run inserted; a key named in
    ``apart`` (a check asks ``manager_id <> id``) takes the next row of the parent's
    keys where the one picked is the row itself (NULL when it is the only one)."""
    sets = []
    for fk in fks:
        count = ctx.counts.get(fk.ref_table, 0)
        pick = f"(1 + {below(count, salt(ctx.seed, ent.table, fk.name), DEFAULT_FK_SKEW, 's.n')})"
        whole = bool(fk.match) and len(fk.columns) > 1
        for col_name, ref in zip(fk.columns, fk.ref_columns, strict=True):
            # a MATCH FULL key is NULL in all its columns or in none: one draw and one
            # share (its first column's) for all
            col = ent.column(fk.columns[0] if whole else col_name)
            share = (
                col.seed.nulls if col.seed and col.seed.nulls is not None else DEFAULT_NULL_SHARE
            )
            drawn = fk.name if whole else col_name
            u = uniform(salt(ctx.seed, ent.table, drawn, "null"), "s.n")
            value = (
                f"(SELECT k.{ident(ref)} FROM {keys_table(fk.ref_table)} AS k WHERE k.rn = {pick})"
            )
            if fk.name in apart:
                other = f"1 + {pick} % {count}"
                value = (
                    f"(SELECT k.{ident(ref)} FROM {keys_table(fk.ref_table)} AS k WHERE "
                    f"k.rn IN ({pick}, {other}) AND k.{ident(ref)} <> t.{ident(ref)} "
                    f"ORDER BY k.rn = {pick} DESC LIMIT 1)"
                )
            sets.append(f"{ident(col_name)} = CASE WHEN {u} < {share!r} THEN NULL ELSE {value} END")
    keys = ", ".join(name for _, name in row_keys(ent))
    match = " AND ".join(f"t.{expr} = s.{name}" for expr, name in row_keys(ent))
    return (
        f"UPDATE {qualified_ident(ent.table)} AS t SET {', '.join(sets)} FROM (SELECT "
        f"row_number() OVER (ORDER BY {keys}) + {first - 1} AS n, {keys} "
        f"FROM {new_rows_table(ent.table)}) AS s WHERE {match}"
    )
