"""The two select lists of a table's INSERT ... SELECT: the inner one generates
every column on its own (foreign keys, key digits, value generators, NULL shares),
the outer one fixes up what relates columns (``a <= b``, ``a <> b``, guards)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal

from ..model.schema import (
    INTEGER_TYPES,
    CheckConstraint,
    Column,
    Entity,
    ForeignKey,
    Schema,
    column_enum,
)
from ..revision.tables import type_sql
from .beside import other_value
from .branches import Branched
from .catalog import derived_from, slug
from .checks import CheckRules, columns_named, domain_checks, read_check
from .context import (
    DEFAULT_FK_SKEW,
    DEFAULT_NULL_SHARE,
    TableContext,
    key_pick,
    keys_table,
    parent_rows,
)
from .domain import Domain, Literal, Unsupported
from .excludes import within_group
from .partial import ANY_VALUE, OtherThan, Outside
from .random import below, salt, uniform
from .refusals import SeedError, no_parent_key, unsupported
from .uniques import Radix, listed_values, number_span, single_keys
from .values import ColumnJob, cast_listed, ident, literal_sql, qualified_ident, value_sql

TEXT = ("string", "text")


@dataclass(frozen=True)
class TableJob:
    """One table's planning inputs, passed together."""

    ctx: TableContext
    ent: Entity
    rows: int
    rules: CheckRules
    carriers: set[str]
    radix: Radix | None
    #: column -> (the column it must differ from, rows of their parent): see keys_apart
    apart: dict[str, tuple[str, int]] = field(default_factory=dict)
    branched: Branched = field(default_factory=dict)
    #: what a key counted through its combinations counts by: n, or c (plan._free_combinations)
    counter: str = "n"
    #: column -> the plain column it must differ from: see shifts
    shifted: dict[str, str] = field(default_factory=dict)
    #: unique columns taking their next row's value, apart from another: see shifts
    offset: dict[str, str] = field(default_factory=dict)
    #: (column, condition, value): on the rows the condition holds, past the
    #: combinations of a partial key counted through, the column takes the value
    #: that puts them outside the key's WHERE (see outside_of)
    outside: tuple[str, str, str] | None = None
    #: range column -> the columns whose values its rows there it keeps apart from
    #: share (excludes.apart_groups), where the table holds rows
    grouped: dict[str, tuple[str, ...]] = field(default_factory=dict)


def select_lists(t: TableJob, deferred: set[str]) -> tuple[list[str], list[str], list[str]]:
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
        if t.outside is not None and t.outside[0] == col.name:
            _, beyond, value = t.outside
            expr = f"(CASE WHEN {beyond} THEN {value} ELSE {expr} END)"
        columns.append(col.name)
        inner.append(f"{expr} AS {ident(col.name)}")
    outer = [_outer(t, name, columns) for name in columns]
    return columns, inner, outer


def _column_expr(t: TableJob, col: Column, fk: ForeignKey | None) -> str | None:
    """The inner expression of one column, or None to leave it to its default."""
    radix_pos = radix_position(t.radix, col.name, t.counter)
    if fk is not None and col.seed is not None and col.seed.sql:
        # the user's value generator, on a key column too: it answers for the checks
        # naming the column (see table_rules) and for the parents its values name
        return _nulls(t, col, value_sql(column_job(t, col)))
    if fk is not None:
        count = parent_rows(t.ctx, t.ent, fk)
        if count == 0:
            if may_be_null(t, col):
                return "NULL"
            words = key_pick(t.ctx.schema, t.ent, fk).words()
            parent = t.ctx.schema.entity_by_table(fk.ref_table)
            raise SeedError(no_parent_key(t.ent, fk, parent, words))
        row = parent_row(t, col, fk, count)
        if col.name in t.apart and radix_pos is None:  # off the other key's parent row
            other = t.ent.column(t.apart[col.name][0])
            its_fk = next(f for f in t.ent.foreign_keys if f.columns == (other.name,))
            twin = parent_row(t, other, its_fk, count)
            row = f"(CASE WHEN {row} = {twin} THEN 1 + {row} % {count} ELSE {row} END)"
        return _key_value(t, col, fk, parent_value(t, fk, col.name, row))
    if radix_pos is not None:
        return radix_value(t, col, radix_pos)
    job = column_job(t, col)
    try:
        if col.name in t.branched:
            return _branch_value(t, col, job)
        if col.name in t.offset:  # the next row's value (see shifts)
            job = replace(job, rows=job.rows + 1)
            return f"(SELECT {value_sql(job)} FROM (SELECT n + 1 AS n) AS seed_next)"
        expr = value_sql(job)
    except Unsupported as exc:
        if col.default is not None or may_be_null(t, col):
            return None
        raise SeedError(
            _refusing_check(t, col, job)
            or f"cannot seed {t.ent.table}.{col.name}: {exc}{_narrowing(t, col, job)}; give "
            f"it a value generator, e.g. under entities.{t.ent.name}.columns.{col.name}: "
            'seed: {sql: "..."}'
        ) from None
    return _nulls(t, col, expr)


def left_null(t: TableJob, columns: list[str], deferred: set[str]) -> tuple[str, ...]:
    """What the output says of each column the insert leaves NULL on every row (one
    it may be NULL and seed cannot make, see _column_expr, with no default): seed
    writes no value there, which a user reading only the row counts would not see."""
    skipped = {c for fk in t.ent.foreign_keys if fk.name in deferred for c in fk.columns}
    said = []
    for col in t.ent.columns:
        if col.name in columns or col.name in skipped or col.default is not None:
            continue
        if col.identity or col.serial or col.generated is not None:
            continue
        try:
            value_sql(column_job(t, col))
            why = ""
        except Unsupported as exc:
            why = f": {exc}"
        said.append(f"{col.name} NULL on every row, seed cannot make it{why}")
    return tuple(said)


def outside_of(t: TableJob, ways: list[Outside]) -> tuple[str, str] | None:
    """The first of ``ways`` (see partial.ways_outside) this table can write, as
    (column, its value SQL): a column no other column's value or guard depends
    on, written by seed (not its default, identity or the user's generator), whose
    checks take the value (NULL where it may be NULL; a constant only where no
    check narrows the column but to a list holding it). None if none."""
    related = {o.left for o in t.rules.orders} | {o.right for o in t.rules.orders}
    related |= {g.column for g in t.rules.null_unless} | set(t.branched) | set(t.apart)
    fk_of = {c: fk for fk in t.ent.foreign_keys for c in fk.columns}
    texts = {c.name for c in t.ent.columns if c.type.kind in TEXT}
    for way in ways:
        if not t.ent.has_column(way.column) or way.column in related:
            continue
        col = t.ent.column(way.column)
        if col.identity or col.serial or col.generated is not None or _user_values(col):
            continue
        if derived_from(col.name, texts) is not None:  # (rewritten at the outer level)
            continue
        value = _way_value(t, col, way, col.name in fk_of)
        if value is None:
            continue
        try:
            if _column_expr(t, col, fk_of.get(col.name)) is None:
                continue  # left to its default: not written
        except SeedError:
            continue  # (refused when the table's rows are made)
        return col.name, value
    return None


def _way_value(t: TableJob, col: Column, way: Outside, fk: bool) -> str | None:
    """The SQL of ``way``'s value in ``col`` (see outside_of), or None."""
    domain = t.rules.domains.get(col.name, Domain())
    if way.value is None:
        return "NULL" if may_be_null(t, col) and not domain.not_null else None
    if fk:  # (a parent's key is looked up, not written)
        return None
    if way.value is ANY_VALUE:
        try:
            return value_sql(column_job(t, col))
        except Unsupported:
            return None
    value = way.value
    if isinstance(value, OtherThan):
        found = _other_than(t, col, domain, value.values)
        if found is None:
            return None
        value = found
    if not _takes(t, col, domain, value):
        return None
    return cast_listed(literal_sql(value), column_job(t, col), col.type)  # type: ignore[arg-type]


def _other_than(
    t: TableJob, col: Column, domain: Domain, values: tuple[Literal, ...]
) -> Literal | None:
    """A constant ``col`` takes that is none of ``values``: the first value its checks,
    enum or type list that is not among them, else (text) the first of a few letters
    that is not; None where there is none."""
    listed = listed_values(t.ctx, col, t.rules.domains.get(col.name))
    if listed is None and col.type.kind in TEXT:
        listed = tuple("xyzabc")
    return next((v for v in listed or () if v not in values), None)


def _user_values(col: Column) -> bool:
    return col.seed is not None and bool(col.seed.sql)


def _takes(t: TableJob, col: Column, domain: Domain, value: object) -> bool:
    """Whether ``col`` takes the constant ``value`` under its checks."""
    if replace(domain, not_null=False, allowed=None) != Domain():
        return False  # (bounds, patterns, lengths: not weighed here)
    if domain.allowed is not None and value not in domain.allowed:
        return False
    kind = col.type.kind
    if isinstance(value, bool):
        return kind == "boolean"
    if isinstance(value, Decimal):
        return kind in INTEGER_TYPES or kind in ("numeric", "float", "double")
    enum = column_enum(col)
    if enum is not None:
        return value in t.ctx.schema.enum(enum).value_names
    return kind in TEXT and (col.type.length is None or len(str(value)) <= col.type.length)


def _read_alone(t: TableJob, col: Column) -> Iterator[tuple[CheckConstraint, CheckRules]]:
    """Each check of ``t``'s table (its domains' too) that names ``col``, with what it
    alone says of the columns: a refusal names the one check to blame. A check seed
    cannot read is passed over (table_rules refused it, or a generator answers for it)."""
    for check in (*t.ent.checks, *domain_checks(t.ctx.schema, t.ent)):
        if col.name not in columns_named(check.expression):
            continue
        alone = CheckRules()
        try:
            read_check(check.expression, alone)
        except Unsupported:
            continue
        yield check, alone


def _narrowing(t: TableJob, col: Column, job: ColumnJob) -> str:
    """``, under check c (code LIKE 'T_')``: the checks that alone leave ``col`` no
    value seed can write (a pattern too short for the rows), for its refusal; ""
    where none does alone (its type or the checks together)."""
    named = []
    for check, alone in _read_alone(t, col):
        try:
            value_sql(replace(job, domain=alone.domains.get(col.name, Domain())))
        except Unsupported:
            named.append(f"{check.name} ({check.expression})")
    if not named:
        return ""
    return f", under check{'s' if len(named) > 1 else ''} {', '.join(named)}"


def _refusing_check(t: TableJob, col: Column, job: ColumnJob) -> str | None:
    """The refusal naming the check whose ``<>`` alone leaves ``col`` no value seed can
    write (``valid_from <> '2025-03-01'`` on a date), with the value generator to
    give; None where no one check's ``<>`` does (the column's refusal then says why)."""
    for check, alone in _read_alone(t, col):
        domain = alone.domains.get(col.name)
        if domain is None or not domain.avoid:
            continue
        try:
            value_sql(replace(job, domain=replace(domain, avoid=[])))
        except Unsupported:
            continue  # (not for its <>: the column's own refusal says why)
        try:
            value_sql(replace(job, domain=domain))
        except Unsupported as exc:
            return unsupported(t.ent, check.name, check.expression, str(exc))
    return None


def parent_value(t: TableJob, fk: ForeignKey, column: str, row: str) -> str:
    """The value ``column`` of ``fk`` takes from the parent's row number ``row``."""
    ref = fk.ref_columns[fk.columns.index(column)]
    offset = t.ctx.offsets.get(fk.ref_table)
    parent_pk = t.ctx.schema.entity_by_table(fk.ref_table).primary_key.columns
    pick = key_pick(t.ctx.schema, t.ent, fk)
    # (the parent's row number is its key's, but where the key picks among its rows)
    if offset is not None and fk.ref_columns == parent_pk and not (pick.fits or pick.checks):
        return f"({offset} + {row})"
    keys = keys_table(fk.ref_table, pick)
    lookup = f"FROM {keys} AS k WHERE k.rn = {row}"
    return f"(SELECT k.{ident(ref)} {lookup})"


def parent_row(t: TableJob, col: Column, fk: ForeignKey, count: int) -> str:
    """The parent's row number (1 to ``count``) a foreign-key column takes."""
    radix_pos = radix_position(t.radix, col.name, t.counter)
    if radix_pos is not None and col.name in t.apart:
        # the parent's rows after the earlier digit's, round: never its row
        other, size = t.apart[col.name]
        earlier = radix_position(t.radix, other, t.counter)
        return f"(1 + ({earlier} + 1 + {radix_pos}) % {size})"
    if radix_pos is not None:
        return f"(1 + {radix_pos})"
    if any(col.name in key for key in single_keys(t.ent)):
        return f"(1 + (n - 1) % {count})"  # a one-to-one: each parent once
    skew = col.seed.skew if col.seed and col.seed.skew else DEFAULT_FK_SKEW
    return f"(1 + {below(count, salt(t.ctx.seed, t.ent.table, fk.name), skew)})"


def _key_value(t: TableJob, col: Column, fk: ForeignKey, expr: str) -> str:
    """A foreign key's column whose parent's value is ``expr``: NULL where the key's
    MATCH, the row's branch of an OR check (see branch_choices) or its share of NULLs
    says so."""
    if fk.match and len(fk.columns) > 1:
        return _key_nulls(t, fk, expr)
    if col.name in t.branched:
        return _branch_key(t, col, expr)
    return _nulls(t, col, expr)


def _branch_key(t: TableJob, col: Column, expr: str) -> str:
    """A foreign key an OR check names (see branch_choices): NULL, or ``expr`` (a
    parent's value), with its share of NULLs where the row's branch leaves it free."""
    which, options = t.branched[col.name]
    values = [
        "NULL" if d is None else expr if d.not_null else _nulls(t, col, expr) for d in options
    ]
    cases = " ".join(f"WHEN {i} THEN {value}" for i, value in enumerate(values))
    return f"(CASE {which} {cases} END)"


def _branch_value(t: TableJob, col: Column, job: ColumnJob) -> str:
    """A column an OR check names: the values of the row's branch (see branch_choices);
    NULL in a share of the rows of the branches that do not ask for a value (where one
    does, as ``status <> 'shipped' OR shipped_at IS NOT NULL``, the others' rows)."""
    which, options = t.branched[col.name]
    asked = any(domain is not None and domain.not_null for domain in options)
    values = []
    for domain in options:
        value = "NULL" if domain is None else value_sql(replace(job, domain=domain))
        if asked and domain is not None and not domain.not_null:
            value = _nulls(t, col, value)
        values.append(value)
    cases = " ".join(f"WHEN {i} THEN {value}" for i, value in enumerate(values))
    expr = f"(CASE {which} {cases} END)"
    return expr if asked else _nulls(t, col, expr)


def column_job(t: TableJob, col: Column) -> ColumnJob:
    """What :func:`.values.value_sql` needs to generate ``col`` of this table."""
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
        # (the row numbers passed over too: the last row's number, see collisions)
        rows=t.ctx.counts.get(t.ent.table, t.rows) + t.ctx.skipped.get(t.ent.table, 0),
        domain=t.rules.domains.get(col.name, Domain()),
        unique=col.name in t.carriers,
        enum_type=enum_type,
        enum_values=values,
        text_columns=frozenset(  # the ones this insert writes (not generated ones)
            c.name for c in t.ent.columns if c.type.kind in TEXT and c.generated is None
        ),
        type_sql=type_sql(col.type, t.ctx.schema),
    )


def radix_position(radix: Radix | None, column: str, counter: str = "n") -> str | None:
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


def radix_value(t: TableJob, col: Column, position: str) -> str:
    """The value of a digit of a counted key at ``position``: the ``position``-th of
    the values it takes (see uniques.listed_values)."""
    domain = t.rules.domains.get(col.name)
    unchecked = domain is None or replace(domain, not_null=False) == Domain()
    enum = column_enum(col)
    if enum is not None and unchecked:
        en = t.ctx.schema.enum(enum)
        array = ", ".join("'" + v.replace("'", "''") + "'" for v in en.value_names)
        return f"(ARRAY[{array}])[1 + {position}]::{qualified_ident(en.db_name)}"
    if col.type.kind == "boolean" and unchecked:
        return f"({position} = 1)"
    span = number_span(col, domain)
    if span is not None and listed_values(t.ctx, col, domain) is None:
        return span.value(position)
    values = listed_values(t.ctx, col, domain) or ()
    array = ", ".join(literal_sql(v) for v in values)
    return cast_listed(f"(ARRAY[{array}])[1 + {position}]", column_job(t, col), col.type)


def _nulls(t: TableJob, col: Column, expr: str) -> str:
    """NULL in a share of the rows of a nullable column (not in key carriers)."""
    return _null_share(t, [col], col.name, expr)


def _key_nulls(t: TableJob, fk: ForeignKey, expr: str) -> str:
    """NULL in a share of the rows for every column of a MATCH FULL key at once
    (PostgreSQL refuses a key that is NULL in part): one draw per row, salted by the
    key, and none when one of its columns may not be NULL."""
    return _null_share(t, [t.ent.column(c) for c in fk.columns], fk.name, expr)


def _null_share(t: TableJob, cols: list[Column], drawn: str, expr: str) -> str:
    """``expr``, or NULL in the share the first of ``cols`` asks for (one draw a row,
    salted by ``drawn``); never NULL when one of ``cols`` may not be NULL."""
    for col in cols:
        domain = t.rules.domains.get(col.name)
        if (
            not may_be_null(t, col)
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


def may_be_null(t: TableJob, col: Column) -> bool:
    """Whether ``col`` takes NULL (see :func:`takes_null`)."""
    return takes_null(t.ctx.schema, col)


def takes_null(schema: Schema, col: Column) -> bool:
    """Whether ``col`` takes NULL: nullable, and not of a NOT NULL domain (a column
    may be declared nullable over one, which PostgreSQL refuses NULL in all the same)."""
    dom = col.type.domain
    return col.nullable and not (dom is not None and schema.domain(dom).not_null)


def _outer(t: TableJob, name: str, columns: list[str]) -> str:
    """The outer expression of one column: related columns fixed up."""
    return f"{_outer_value(t, name, columns)} AS {ident(name)}"


def _outer_value(
    t: TableJob, name: str, columns: list[str], seen: frozenset[str] = frozenset()
) -> str:
    expr = f"v.{ident(name)}"
    if name in t.grouped:  # apart from the ranges there of its group's rows alone
        # (a column of the group the insert leaves to its default or to an UPDATE after
        # it is no group: apart from every row there's)
        group = tuple(c for c in t.grouped[name] if c in columns)
        whole = group == t.grouped[name]
        expr = within_group(t.ent.table, t.ent.column(name), group, expr, whole)
    source = derived_from(name, {c for c in columns if t.ent.column(c).type.kind in TEXT})
    if source is not None:  # e.g. a handle: the title's slug, then the row number
        length = t.ent.column(name).type.length
        expr = f"{slug('v.' + ident(source))} || '-' || {expr}"
        expr = f"left({expr}, {length})" if length else f"({expr})"
    for order in t.rules.orders:
        if order.op != "<>" and order.left == name and order.right in columns:
            expr = _ordered(t, expr, order.op, f"v.{ident(order.right)}", name)
    if name in t.shifted:  # off the other's value, as it is written (see shifts)
        if name in seen:
            raise SeedError(
                f"cannot seed {t.ent.table}: its `<>` checks move {name} in a circle "
                f"({', '.join(sorted(seen))}); give one of them a value generator"
            )
        other = t.shifted[name]  # written, as shifts asks
        theirs = _outer_value(t, other, columns, seen | {name})
        moved = other_value(column_job(t, t.ent.column(name)), expr)
        expr = f"(CASE WHEN {expr} = {theirs} THEN {moved} ELSE {expr} END)"
    for guard in t.rules.null_unless:
        if guard.column == name:
            expr = f"(CASE WHEN ({guard.predicate}) THEN {expr} END)"
    return expr


def _ordered(t: TableJob, left: str, op: str, right: str, name: str) -> str:
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
