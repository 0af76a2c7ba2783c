"""How a table's unique keys stay unique: one column of each built from the row
number (its carrier), or, when only foreign keys and columns of few values (enums,
booleans, a column a check lists the values of: ``kind IN ('a', 'b')``, ``kind =
'x'``) make a key, counting through their combinations (a radix, which bounds the
table's rows)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from ..model.pgtypes import PGTYPE
from ..model.schema import INTEGER_TYPES, Column, Entity, ForeignKey, Index, column_enum
from .checks import CheckRules, columns_named, folded_column
from .context import TableContext, parent_rows
from .domain import Domain, Literal
from .named import DISTINCT_FROM_N
from .refusals import SeedError
from .values import allowed_values, skipping

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


@dataclass(frozen=True)
class UniqueKeys:
    """How a table's unique keys stay unique."""

    #: the columns built from ``n`` (one per unique key)
    carriers: set[str]
    #: the digits of the key only foreign keys and enums carry, ``[(columns, number
    #: of values), ...]``, counted through (else None)
    radix: Radix | None = None
    #: that key's columns
    radix_key: tuple[str, ...] = ()
    #: that key's WHERE when it is a partial unique index: rows outside are free
    radix_where: str | None = None
    #: that key's name (``primary key``, a unique constraint's, a unique index's)
    radix_name: str = ""

    @property
    def radix_said(self) -> str:
        """That key as a refusal names it: ``primary key`` or ``unique key uq_x``."""
        return key_said(self.radix_name)


def key_said(name: str) -> str:
    """A unique key as a message names it: the primary key is no "unique key primary
    key"."""
    return name if name == "primary key" else f"unique key {name}"


def unique_carriers(
    ctx: TableContext,
    ent: Entity,
    fks: list[ForeignKey],
    rules: CheckRules,
    routing: frozenset[str] = frozenset(),
) -> UniqueKeys:
    """The columns built from ``n`` and the key counted through (see UniqueKeys);
    ``routing``: the partition key column seed routes rows by (partitions.routed),
    whose generator is seed's, not the user's."""
    fk_columns = {c for fk in fks for c in fk.columns}
    # (a table without a primary key has only its unique keys: other rows may repeat)
    keys: list[tuple[str, tuple[str, ...], str | None]] = (
        [("primary key", ent.primary_key.columns, None)] if ent.has_primary_key else []
    )
    keys += [(u.name, u.columns, None) for u in ent.uniques]
    keys += [
        (ix.name, ix.columns, ix.where) for ix in ent.indexes if ix.unique and not _expressions(ix)
    ]
    # a key a nullable bounded number makes is counted through last: where another
    # is, it is built from n instead, and NULL where too narrow (_nullable_narrow)
    keys.sort(
        key=lambda k: all(ent.has_column(c) for c in k[1])
        and _nullable_narrow(ctx, [ent.column(c) for c in k[1]], fk_columns, rules) is not None
    )
    carriers: set[str] = set()
    found = UniqueKeys(carriers)
    for ix in [ix for ix in ent.indexes if ix.unique and _expressions(ix)]:
        folded = _expression_carrier(ent, ix, fk_columns, carriers)
        if folded is not None:
            carriers.add(folded)
    for name, key, where in keys:
        cols = [ent.column(c) for c in key if ent.has_column(c)]
        if any(
            c.identity or c.serial or (c.seed is not None and c.seed.sql and c.name not in routing)
            for c in cols
        ):
            continue
        if any(c.name in carriers for c in cols):
            continue
        # a column whose checks list its values repeats them, as one whose bounds
        # hold fewer whole numbers than the table's rows: neither carries a key
        carrier = next(
            (
                c
                for c in cols
                if c.name not in fk_columns
                and c.name not in routing
                and _distinct(c)
                and listed_values(ctx, c, rules.domains.get(c.name)) is None
                and not _too_narrow(ctx, ent, c, rules.domains.get(c.name))
            ),
            None,
        )
        if carrier is not None:
            carriers.add(carrier.name)
        elif found.radix is None:
            radix = _radix(ctx, ent, cols, fks, rules, name)
            found = UniqueKeys(carriers, radix, tuple(c.name for c in cols), where, name)
        elif (narrow := _nullable_narrow(ctx, cols, fk_columns, rules)) is not None:
            # built from n: NULL where its bounds hold too few values (see left_null)
            carriers.add(narrow.name)
        else:
            raise SeedError(
                f"cannot seed {ent.table}: two unique keys ({found.radix_name}, {name}) "
                "made only of foreign keys and columns of few values (enums, booleans, "
                "values a check lists); give one of their columns a seed: {sql: ...}"
            )
    return found


def _expressions(ix: Index) -> list[str]:
    """The expressions among a unique index's keys (``lower(email)``)."""
    return [k.expression for k in ix.keys if k.expression is not None]


def _expression_carrier(
    ent: Entity, ix: Index, fk_columns: set[str], carriers: set[str]
) -> str | None:
    """The column that keeps a unique index over expressions distinct, built from the
    row number: a plain key column, else the text column a ``lower()`` or ``upper()``
    key folds (seed's unique text ends with the row number, which no case fold makes
    equal); None where a key column is numbered by PostgreSQL, given by the user's
    value generator or carries another key already. SeedError for any other index."""
    folded = {k.expression: folded_column(k.expression) for k in ix.keys if k.expression}
    named = [*ix.columns, *(c for c in folded.values() if c is not None)]
    cols = [ent.column(c) for c in named if ent.has_column(c)]
    if any(c.identity or c.serial or (c.seed is not None and c.seed.sql) for c in cols):
        return None
    if any(c.name in carriers for c in cols):
        return None
    for col in cols:
        if col.name in fk_columns or not _distinct(col):
            continue
        if col.name in ix.columns or _text_like(col):
            return col.name
    other = next(iter(e for e, c in folded.items() if c is None), None)
    if other is not None and any(
        ent.has_column(c) and _user_values(ent.column(c)) for c in columns_named(other)
    ):
        return None  # the user's value generator answers for it
    expression = other or next(iter(folded))
    column = next(iter(sorted(columns_named(expression))), "<column>")
    raise SeedError(
        f"cannot seed {ent.table}: unique index {ix.name} is over {expression}, which "
        "seed cannot keep distinct (it keeps lower(column) and upper(column) distinct); "
        f"give a column it names a value generator, e.g. under entities.{ent.name}."
        f'columns.{column}: seed: {{sql: "<SQL expression over n, the row number, and r, '
        'a random number in [0, 1)>"}'
    )


def _text_like(col: Column) -> bool:
    """Whether seed builds ``col``'s unique values as text ending with the row number."""
    if col.type.kind == PGTYPE:
        return (col.type.pgtype or "") in ("citext", "name", "character")
    return col.type.kind in ("string", "text")


def _user_values(col: Column) -> bool:
    return col.seed is not None and bool(col.seed.sql)


def _radix(
    ctx: TableContext,
    ent: Entity,
    cols: list[Column],
    fks: list[ForeignKey],
    rules: CheckRules,
    name: str,
) -> Radix:
    """The digits of a key that only foreign keys and columns of few values carry. The
    columns of one composite foreign key are one digit: they must name one parent row."""
    digits: Radix = []
    for col in cols:
        if any(col.name in names for names, _ in digits):
            continue
        fk = next((fk for fk in fks if col.name in fk.columns), None)
        names = fk.columns if fk is not None else (col.name,)
        count = _value_count(ctx, ent, col, fks, rules)
        if count is None:
            raise SeedError(
                f"cannot seed {ent.table}: its {key_said(name)} "
                f"({', '.join(c.name for c in cols)}) has no column seed can make "
                f"distinct row by row ({col.name}, a {col.type.pgtype or col.type.kind}, "
                "is built from the row number by no generator of seed's, and is no "
                "foreign key, enum, boolean or column of listed values to count "
                f"through); give it a value generator, e.g. under entities.{ent.name}."
                f'columns.{col.name}: seed: {{sql: "<SQL expression over n, the row number>"}}'
            )
        digits.append((tuple(names), count))
    return digits


def listed_values(
    ctx: TableContext, col: Column, domain: Domain | None
) -> tuple[Literal, ...] | None:
    """The values ``col`` takes when they are few and known, in the order a counted key
    takes them: those its checks list (``kind IN ('a', 'b')``, ``kind = 'x'``) less
    those another check forbids; an enum's values, a boolean's false and true, less
    those its checks forbid (``<> v``). None for any other column. (A digit of a
    counted key takes each of them in turn: one outside them fails a check.)"""
    if domain is not None and domain.allowed is not None:
        return tuple(allowed_values(domain))
    avoid = domain.avoid if domain is not None else []
    enum = column_enum(col)
    if enum is not None and col.type.kind == "enum":
        return tuple(v for v in ctx.schema.enum(enum).value_names if v not in avoid)
    if col.type.kind == "boolean":
        return tuple(v for v in (False, True) if not any(v is a for a in avoid))
    return None


def _distinct(col: Column) -> bool:
    """Whether ``col``'s generator can make as many distinct values as rows."""
    if col.type.kind == PGTYPE:
        return (col.type.pgtype or "") in DISTINCT_FROM_N
    return col.type.kind in UNIQUE_KINDS


@dataclass(frozen=True)
class Span:
    """The numbers between a column's bounds (``level BETWEEN 1 AND 5``; a numeric's
    on its scale's grid: ``score BETWEEN 0 AND 1`` on a numeric(3, 1) holds 0.0 to
    1.0 by 0.1), less those its checks forbid (``<> v``, ascending), counted in
    steps: the values are ``low * step`` to ``high * step``."""

    low: int
    high: int
    skipped: tuple[int, ...]
    step: Decimal = Decimal(1)

    @property
    def size(self) -> int:
        return max(self.high - self.low + 1 - len(self.skipped), 0)

    def value(self, position: str) -> str:
        """The ``position``-th (0-based) of them, as SQL."""
        steps = skipping(f"({self.low} + {position})", list(self.skipped))
        return steps if self.step == 1 else f"({steps} * {self.step})"


def number_span(col: Column, domain: Domain | None) -> Span | None:
    """The numbers an integer column's, or a numeric's of a set scale, checks bound on
    both sides leave it, or None (another type, a list of values, a side unbounded)."""
    kind = col.type.kind
    numeric = kind == "numeric" and col.type.scale is not None
    if not (kind in INTEGER_TYPES or numeric) or domain is None or domain.allowed is not None:
        return None
    if domain.low is None or domain.high is None:
        return None
    step = Decimal(1).scaleb(-(col.type.scale or 0)) if numeric else Decimal(1)
    low, high = Decimal(domain.low) / step, Decimal(domain.high) / step
    first = math.floor(low) + 1 if domain.low_strict else math.ceil(low)
    last = math.ceil(high) - 1 if domain.high_strict else math.floor(high)
    if numeric and col.type.precision is not None:  # (numeric(3, 1) holds 99.9 at most)
        limit = 10 ** col.type.precision - 1
        first, last = max(first, -limit), min(last, limit)
    grid = [Decimal(v) / step for v in domain.avoid if isinstance(v, Decimal)]
    skipped = sorted({int(k) for k in grid if k == int(k)})
    return Span(first, last, tuple(k for k in skipped if first <= k <= last), step)


def _nullable_narrow(
    ctx: TableContext, cols: list[Column], fk_columns: set[str], rules: CheckRules
) -> Column | None:
    """A nullable number of a key that only its bounds keep from carrying it (too
    narrow for the rows), where another key is counted through already: it is built
    from the row number as any carrier, and left NULL where its values do not fit."""
    return next(
        (
            c
            for c in cols
            if c.nullable
            and c.name not in fk_columns
            and _distinct(c)
            and listed_values(ctx, c, rules.domains.get(c.name)) is None
            and number_span(c, rules.domains.get(c.name)) is not None
        ),
        None,
    )


def _too_narrow(ctx: TableContext, ent: Entity, col: Column, domain: Domain | None) -> bool:
    """Whether ``col``'s bounds hold fewer whole numbers than the table's rows (those
    there, those asked and the row numbers passed over): built from the row number,
    it could not keep them distinct, counted through it may (beside other digits)."""
    span = number_span(col, domain)
    rows = ctx.counts.get(ent.table, 0) + ctx.skipped.get(ent.table, 0)
    return span is not None and span.size < rows


def _value_count(
    ctx: TableContext, ent: Entity, col: Column, fks: list[ForeignKey], rules: CheckRules
) -> int | None:
    """How many values a digit of a counted key takes, None where it is none."""
    for fk in fks:
        if col.name in fk.columns:
            return parent_rows(ctx, ent, fk)
    values = listed_values(ctx, col, rules.domains.get(col.name))
    if values is not None:
        return len(values)
    span = number_span(col, rules.domains.get(col.name))
    if span is not None:
        return span.size
    return None


def single_keys(ent: Entity) -> list[tuple[str, ...]]:
    """The table's one-column unique keys (primary key, uniques, unique indexes)."""
    keys: list[tuple[str, ...]] = [u.columns for u in ent.uniques if len(u.columns) == 1]
    keys += [ix.columns for ix in ent.indexes if ix.unique and len(ix.columns) == 1]
    if len(ent.primary_key.columns) == 1:
        keys.append(ent.primary_key.columns)
    return keys
