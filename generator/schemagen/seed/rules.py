"""What a table's checks, and its columns' domains' checks, ask of its columns
(:mod:`.checks` reads each one), or the refusal naming the one seed cannot read."""

from __future__ import annotations

from dataclasses import replace

from ..model.schema import Entity, Schema
from .checks import CheckRules, NullUnless, Unsupported, columns_named, domain_checks, read_check
from .refusals import SeedError, unsupported


def table_rules(schema: Schema, ent: Entity) -> CheckRules:
    """What the checks of ``ent`` and of its columns' domains ask; SeedError naming the
    first check of a shape seed cannot satisfy (unless a value generator answers)."""
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
            raise SeedError(unsupported(ent, check.name, check.expression, str(exc))) from None
    for guard in list(rules.null_unless):
        if not (ent.has_column(guard.column) and ent.column(guard.column).nullable):
            rules.null_unless.remove(guard)
            try:
                read_check(guard.predicate, rules)
            except Unsupported as exc:
                raise SeedError(unsupported(ent, guard.check, guard.predicate, str(exc))) from None
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
