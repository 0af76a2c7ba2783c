"""A table's type changes made one statement: :class:`RetypeColumns`.

Decided once the plan is ordered and settled into stages: the type changes of one
table sit next to each other in the column phase (:mod:`.ordering`), and only those
of the main transaction are joined (a lock-safe nullability step stays its own).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..model.sequences import switches_sequence
from ..operations.base import Operation
from ..operations.costs import steps
from ..operations.retype import RetypeColumns
from ..operations.table import AlterColumn

#: The step of a type change that rewrites the table (operations.costs.FACTS).
REWRITES = "alter column type"


def retyped_together(ops: Sequence[Operation]) -> list[Operation]:
    """``ops`` with each run of two or more adjacent type changes of one table that
    rewrite it (:func:`rewrites`) made one :class:`RetypeColumns`, where the first of
    them stood."""
    found: list[Operation] = []
    run: list[AlterColumn] = []
    for op in [*ops, None]:
        if isinstance(op, AlterColumn) and rewrites(op) and (not run or run[0].table == op.table):
            run.append(op)
            continue
        found += [RetypeColumns(run[0].table, tuple(run))] if len(run) > 1 else run
        run = [op] if isinstance(op, AlterColumn) and rewrites(op) else []
        if op is not None and not run:
            found.append(op)
    return found


def rewrites(op: AlterColumn) -> bool:
    """A type change in the transaction that PostgreSQL makes by rewriting the table
    (not one it makes in place: binary compatible, or timestamp <-> timestamptz read
    as UTC), with no identity or serial sequence changed beside it (their statements
    must come before or after the very column's ALTER)."""
    old, new = op.old, op.new
    return (
        not op.lock_safe
        and REWRITES in steps(op)
        and old.identity == new.identity
        and old.identity_options == new.identity_options
        and not switches_sequence(old, new)
    )
