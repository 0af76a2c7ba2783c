"""What a table's checks, and its columns' domains' checks, ask of its columns
(:mod:`.checks` reads each one), or the refusal naming the one seed cannot read."""

from __future__ import annotations

from dataclasses import replace

from ..model.schema import Entity, Schema
from .checks import CheckRules, NullUnless, columns_named, domain_checks, read_check
from .domain import Domain, Unsupported
from .refusals import SeedError, unsupported
from .times import TIME_KINDS


def table_rules(schema: Schema, ent: Entity) -> CheckRules:
    """What the checks of ``ent`` and of its columns' domains ask; SeedError naming the
    first check of a shape seed cannot satisfy (unless a value generator answers)."""
    rules = CheckRules()
    generated = {c.name for c in ent.columns if c.seed is not None and c.seed.sql}
    for check in (*ent.checks, *domain_checks(schema, ent)):
        guards, orders, choices = len(rules.null_unless), len(rules.orders), len(rules.choices)
        try:
            _read(ent, check.expression, rules)
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
                _read(ent, guard.predicate, rules)
            except Unsupported as exc:
                raise SeedError(unsupported(ent, guard.check, guard.predicate, str(exc))) from None
        elif _values_keep(ent, guard, rules):
            rules.null_unless.remove(guard)
    return rules


def _read(ent: Entity, expression: str, rules: CheckRules) -> None:
    """:func:`.checks.read_check`, and Unsupported for a range over a string on a
    column that is no date or time (``code > 'm'``: seed keeps no order of text); an
    OR's branches with one are left out, as the branches seed cannot read are. A
    simple pattern on a column that is not text is left to the server, as others."""
    read_check(expression, rules)
    why = _timeless(ent, rules.domains)
    if why is not None:
        raise Unsupported(why)
    for column, domain in rules.domains.items():
        if domain.matches and _untexted(ent, column):  # for the server, as ever
            rules.patterns.extend((column, pattern) for _, pattern in domain.matches)
            domain.prefix, domain.suffix, domain.matches = "", "", []
            domain.free = domain.free_suffix = frozenset()
    for i, choice in enumerate(rules.choices):
        kept = tuple(
            b
            for b in choice.branches
            if _timeless(ent, b.domains) is None
            and not any(d.matches and _untexted(ent, c) for c, d in b.domains.items())
        )
        if not kept:
            raise Unsupported("an OR none of whose branches seed can read")
        rules.choices[i] = replace(choice, branches=kept)


def _timeless(ent: Entity, domains: dict[str, Domain]) -> str | None:
    """Why a range over a string in ``domains`` is out of reach: it bounds a column
    that is no date or time; None where there is none such."""
    for column, domain in domains.items():
        if domain.times and ent.has_column(column):
            if ent.column(column).type.kind not in TIME_KINDS:
                return f"a range over a non-number ({domain.times[0][1]!r})"
    return None


def _untexted(ent: Entity, column: str) -> bool:
    """Whether ``column`` is one whose text seed cannot make match a pattern (a number
    cast to text, an enum): such a pattern is left to the server."""
    if not ent.has_column(column):
        return False
    ctype = ent.column(column).type
    return ctype.kind not in ("string", "text") and ctype.pgtype != "citext"


def _values_keep(ent: Entity, guard: NullUnless, rules: CheckRules) -> bool:
    """Narrow ``guard.column``'s values to what the guarded predicate asks, when it
    asks about that column alone in a shape seed reads (``grade IS NULL OR
    upper(grade) IN ('A', 'B')``): its values then keep the check, and NULLs come
    from its share of them. Without this the predicate only NULLed the values that
    missed it, so such a column was nearly always NULL. False (the guard stays) for
    any other predicate."""
    own = CheckRules()
    try:
        _read(ent, guard.predicate, own)
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
