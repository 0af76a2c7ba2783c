"""Types and sequences moved to another PostgreSQL schema: an enum, a domain or a
standalone sequence whose ``schema:`` changed is ``ALTER ... SET SCHEMA``, which
keeps the columns that use it (and a sequence's current value). And domains
renamed in their schema (``db_name:``): ``ALTER DOMAIN ... RENAME TO``.

The snapshot knows them by their PostgreSQL names (``billing.status``), not by the
YAML's keys, so a move is read off the names: an object of one name gone from one
schema and one of that name new in another, one each. A rename is read off the
definitions: a domain gone from one schema and one new in it, equal but for the
name (type, collation, default, NOT NULL, checks), one each. Two candidates are
not guessed between: they stay a drop and a create. A ``serial`` column's own sequence
is left out: it moves with its table (``ALTER TABLE ... SET SCHEMA``).
"""

from __future__ import annotations

import dataclasses

from ..model import naming
from ..model.schema import Domain, Schema
from ..operations.base import Operation
from ..operations.domain import MoveDomain, RenameDomain
from ..operations.schema import AddEnumValue, MoveEnum
from ..operations.sequence import MoveSequence


def moved_names(before: set[str], after: set[str]) -> list[tuple[str, str]]:
    """``(old, new)`` qualified names of one bare name that left ``before`` for ``after``."""
    gone: dict[str, list[str]] = {}
    for name in sorted(before - after):
        gone.setdefault(naming.split_qualified(name)[1], []).append(name)
    came: dict[str, list[str]] = {}
    for name in sorted(after - before):
        came.setdefault(naming.split_qualified(name)[1], []).append(name)
    return [
        (gone[bare][0], came[bare][0])
        for bare in sorted(gone.keys() & came.keys())
        if len(gone[bare]) == len(came[bare]) == 1
    ]


def compare_moves(old: Schema, new: Schema) -> list[Operation]:
    """The enum types, domains and standalone sequences of ``old`` (a DDL view) that
    ``new`` has elsewhere; their values, checks, defaults and options are compared
    after, on the moved state."""
    enums = moved_names({en.db_name for en in old.enums}, {en.db_name for en in new.enums})
    domains = moved_names({d.name for d in old.domains}, {d.name for d in new.domains})
    sequences = moved_names(_standalone(old), _standalone(new))
    ops: list[Operation] = [MoveEnum(a, b) for a, b in enums]
    ops += [MoveDomain(a, b) for a, b in domains]
    ops += [RenameDomain(a, b) for a, b in renamed_domains(old, new, domains)]
    return ops + [MoveSequence(a, b) for a, b in sequences]


def renamed_domains(
    old: Schema, new: Schema, moved: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """``(old, new)`` names of the domains of ``old`` that ``new`` has under another
    name in the same PostgreSQL schema, all else equal (the description aside: it
    is docs only), one candidate each; the ``moved`` ones aside."""
    taken = {a for a, _ in moved} | {b for _, b in moved}
    before = {d.name: d for d in old.domains}
    after = {d.name: d for d in new.domains}

    def shape(d: Domain) -> tuple[str | None, Domain]:
        return naming.split_qualified(d.name)[0], dataclasses.replace(
            d, name="", description=None
        )

    gone: dict[object, list[str]] = {}
    for name in sorted(before.keys() - after.keys() - taken):
        gone.setdefault(shape(before[name]), []).append(name)
    came: dict[object, list[str]] = {}
    for name in sorted(after.keys() - before.keys() - taken):
        came.setdefault(shape(after[name]), []).append(name)
    return sorted(
        (gone[key][0], came[key][0])
        for key in gone.keys() & came.keys()
        if len(gone[key]) == len(came[key]) == 1
    )


def _standalone(schema: Schema) -> set[str]:
    """Names of the sequences that no column owns (a serial column's goes with its table)."""
    return {seq.name for seq in schema.sequences if seq.owned_by is None}


def before_moves(ops: list[Operation], moves: list[Operation]) -> list[Operation]:
    """``ops`` with each value added to a moved type naming it where it still is:
    added values commit in a revision of their own before the move (see
    :mod:`schemagen.operations.stages`), and come before it in the plan."""
    old_name = {move.new: move.old for move in moves if isinstance(move, MoveEnum)}
    return [
        dataclasses.replace(op, enum=old_name[op.enum])
        if isinstance(op, AddEnumValue) and op.enum in old_name
        else op
        for op in ops
    ]
