"""``a <> b`` between two columns of a row: two foreign keys to one table take
different parent rows; two plain columns, one moves off the other where they meet."""

from __future__ import annotations

from dataclasses import replace

from ..model.schema import Column, Entity, ForeignKey
from .beside import other_value
from .checks import CheckRules, Order
from .context import TableContext, parent_rows
from .domain import Unsupported
from .refusals import SeedError, unsupported
from .select import TableJob, column_job, may_be_null
from .uniques import Radix, single_keys
from .values import value_sql


def keys_apart(
    ctx: TableContext, ent: Entity, rules: CheckRules, fks: list[ForeignKey], radix: Radix | None
) -> dict[str, tuple[str, int]]:
    """For each ``a <> b`` check (an :class:`Order` with ``<>``): the column whose
    parent row moves off the other's, mapped to (the other, the parent's rows).

    Both must be single-column foreign keys to one table's key: then different
    parent rows are different values. Where both count through a key's combinations
    (``radix``), the later one's digit loses a value (``radix`` is narrowed in
    place): it counts through the parent's other rows, after the earlier one's."""
    apart: dict[str, tuple[str, int]] = {}
    single = {c for key in single_keys(ent) for c in key}
    keyed = {c for fk in ent.foreign_keys for c in fk.columns}
    for order in [o for o in rules.orders if o.op == "<>"]:
        cols = [ent.column(order.left), ent.column(order.right)]
        if any(c.seed is not None and c.seed.sql for c in cols):
            continue  # the user's value generator answers for it
        if self_reference_of(ent, order) is not None:
            continue  # the deferred UPDATE takes another row (see deferred_update)
        if not keyed & {order.left, order.right}:
            continue  # two plain columns: one moves where they meet (see shifts)
        pair = [next((fk for fk in fks if fk.columns == (c.name,)), None) for c in cols]
        if (
            pair[0] is None
            or pair[1] is None
            or (pair[0].ref_table, pair[0].ref_columns)
            != (pair[1].ref_table, pair[1].ref_columns)
        ):
            raise SeedError(
                unsupported(
                    ent,
                    order.check,
                    f"{order.left} <> {order.right}",
                    "`<>` between two columns that are not two foreign keys to one table",
                )
            )
        count = parent_rows(ctx, ent, pair[0])
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


def shifts(t: TableJob) -> tuple[dict[str, str], dict[str, str]]:
    """For each ``a <> b`` between two columns no foreign key holds, the column that
    moves off the other: ``shifted`` (it takes another value its checks allow where
    the row's two meet, see select._outer) or ``offset`` (see select._column_expr),
    each mapped to the other.

    The one moved is built from no unique key (changing it on some rows keeps every
    key unique) nor counted through as a digit of one (its value is its row's
    combination), the left one first, and no other check orders or moves it. Where
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
            continue  # keys_apart's, or the user's value generator answers for it
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
        counted = {c for names, _ in t.radix or () for c in names}
        for moved, other in (pair, pair[::-1]):
            if moved in counted:
                why = f"{moved} is counted through a unique key's combinations"
                continue
            if moved in t.carriers or moved in taken:
                continue
            try:
                other_value(column_job(t, ent.column(moved)), "x")
            except Unsupported as exc:
                why = f"{moved}: {exc}"
                continue
            shifted[moved] = other
            break
        else:
            raise SeedError(
                unsupported(
                    ent,
                    order.check,
                    f"{order.left} <> {order.right}",
                    f"`<>` between two columns neither of which can take another value ({why})",
                )
            )
    return shifted, offset


def _left_as(t: TableJob, col: Column) -> str:
    """What gives ``col`` its value where the insert does not write it ("NULL" where
    it is left NULL on every row), or "" where the insert writes it (see select._column_expr)."""
    if col.identity:
        return "its identity"
    if col.serial:
        return "its sequence"
    if col.generated is not None:
        return "its generation"
    try:
        value_sql(column_job(t, col))
    except Unsupported:
        if col.default is not None:
            return "its default"
        if may_be_null(t, col):
            return "NULL"
    return ""


def _user_values(col: Column) -> bool:
    return col.seed is not None and bool(col.seed.sql)


def _built_alike(t: TableJob, left: str, right: str) -> bool:
    """Whether two unique columns are built by one expression of the row number (so
    equal on every row), and the left one has room for one row more."""
    jobs = [column_job(t, t.ent.column(c)) for c in (left, right)]
    try:
        alike = value_sql(jobs[0]) == value_sql(jobs[1])
        value_sql(replace(jobs[0], rows=jobs[0].rows + 1))
    except Unsupported:
        return False
    return alike


def self_reference_of(ent: Entity, order: Order) -> ForeignKey | None:
    """The self-referencing one-column key of ``key <> referenced column``
    (``manager_id <> id``), else None."""
    for fk in ent.foreign_keys:
        if fk.ref_table == ent.table and len(fk.columns) == 1:
            if {order.left, order.right} == {fk.columns[0], fk.ref_columns[0]}:
                return fk
    return None
