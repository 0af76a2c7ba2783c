"""OR checks without ``column IS NULL``: each row keeps one branch, drawn per row,
and the columns the branch names take values that keep it."""

from __future__ import annotations

from dataclasses import replace

from ..model.schema import Entity
from .checks import Branch, CheckRules
from .context import TableContext, key_pick
from .domain import Domain, Unsupported
from .random import salt, uniform
from .refusals import SeedError, unsupported

#: A column an OR check names: (the SQL of the row's branch, 0 to k - 1, and per
#: branch the values it takes: a Domain, or None for NULL).
Branched = dict[str, tuple[str, list[Domain | None]]]


def branch_choices(
    ctx: TableContext,
    ent: Entity,
    rules: CheckRules,
    fixed: set[str],
    keys: frozenset[str] = frozenset(),
    carriers: frozenset[str] = frozenset(),
) -> Branched:
    """What the OR checks without ``IS NULL`` (each a :class:`Choice`) ask of their
    columns: the branches whose asks the columns' other checks leave room for, on
    columns seed makes freely (not a key, not a unique key's carrier), and on the
    ``keys`` among ``fixed`` (one-column foreign keys no unique key carries) where a
    branch asks only NULL or NOT NULL of them (AdventureWorks' ``(ProductAssemblyID IS
    NULL AND BOMLevel = 0) OR (ProductAssemblyID IS NOT NULL AND BOMLevel >= 1)``): the
    row's branch makes such a key NULL, or a parent row's. ORs that name a column in
    common are chosen together: each row keeps one branch of each. An OR naming one
    foreign key's columns alone is its parent's keys' (see context.key_checks). Where
    no branch is left but one asking values of a unique key's ``carriers`` (``code
    LIKE 'A%' OR code LIKE 'B%'``), every row keeps the first such branch: its
    values, made from the row number within that branch's asks, stay distinct (a
    branch drawn per row would make the values of two generators, which may meet)."""
    groups: list[tuple[set[str], list[dict[str, Domain | None]], str]] = []
    # a foreign key picks its parent's keys that the checks on its columns alone take
    picked = [
        set(fk.columns) for fk in ent.foreign_keys if key_pick(ctx.schema, ent, fk).checks
    ]
    for choice in rules.choices:
        columns = set().union(*(b.columns for b in choice.branches))
        if any(_generated(ent, c) for c in columns):
            continue  # the user's value generator answers for it
        if any(columns <= key for key in picked):
            continue  # its keys are picked so (see context.key_checks)
        read = [_option(ent, rules, b, columns, fixed, keys) for b in choice.branches]
        kept = [o for o in read if o is not None]
        if not kept and carriers:
            unfixed = fixed - carriers
            read = [_option(ent, rules, b, columns, unfixed, keys) for b in choice.branches]
            kept = [o for o in read if o is not None][:1]
        names = choice.check
        for group in [g for g in groups if g[0] & columns]:
            groups.remove(group)
            columns |= group[0]
            kept = [m for a in group[1] for b in kept if (m := _merged(a, b)) is not None]
            names = f"{group[2]}, {names}"
        if not kept:
            why = "no branch of the OR is left by the other checks and keys"
            raise SeedError(unsupported(ent, names, choice.expression, why))
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
    ent: Entity,
    rules: CheckRules,
    branch: Branch,
    columns: set[str],
    fixed: set[str],
    keys: frozenset[str],
) -> dict[str, Domain | None] | None:
    """Per column of the OR, what ``branch`` gives it (its other checks' values where
    the branch names it not), or None when no row can keep the branch."""
    if branch.columns & (fixed - keys) or not all(ent.has_column(c) for c in columns):
        return None
    option: dict[str, Domain | None] = {}
    for column in columns:
        base = rules.domains.get(column, Domain())
        if column in keys and not _null_or_not(base, branch.domains.get(column, Domain())):
            return None  # a key's values are its parents': no other ask is kept
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


def _null_or_not(*domains: Domain) -> bool:
    """Whether ``domains`` ask nothing of a value but, maybe, that there is one."""
    return all(replace(d, not_null=False) == Domain() for d in domains)
