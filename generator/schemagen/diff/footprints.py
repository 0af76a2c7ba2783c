"""Each statement that rewrites a table told the relations it locks, counted from the
tables' shapes on both sides (:mod:`schemagen.operations.footprint`): a type change, a
column every row gets a value of, an enum swap. The plan is cut into transactions by
these estimates (operations.stages); an operation's own default (2) is far below what
a rewrite locks.

Run on the plan once its foreign keys made again under a type change are known
(AlterColumn.keys), before a table's type changes are joined in one statement (whose
estimate is its members' sum).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable

from ..model.schema import Entity, Schema
from ..operations.base import Operation
from ..operations.costs import FACTS, steps
from ..operations.footprint import read, rewritten
from ..operations.schema import ReplaceEnum
from ..operations.table import AddColumn, AlterColumn

#: A table's shapes (before, after; one where the other side has no such table).
Shapes = Callable[[str], list[Entity]]


def counted(old: Schema, new: Schema, ops: Iterable[Operation]) -> list[Operation]:
    """``ops`` with each rewrite's estimate of the relations it locks, the larger of
    its tables' shapes before and after (``old``: with the plan's renames made)."""
    sides = [{ent.table: ent for ent in side.entities} for side in (old, new)]

    def shapes(table: str) -> list[Entity]:
        return [side[table] for side in sides if table in side]

    return [_counted(op, shapes) for op in ops]


def _counted(op: Operation, shapes: Shapes) -> Operation:
    if isinstance(op, AlterColumn) and op.old.type != op.new.type and not op.lock_safe:
        # counted as a rewrite even where PostgreSQL keeps the table's file (binary
        # compatible): an upper bound, and such a change still makes its indexes again
        columns = {op.old.name, op.new.name}
        own = _most(rewritten(ent, columns) for ent in shapes(op.table))
        keys = sum(_most(read(ent) for ent in shapes(table)) for _, table in op.keys)
        sequence = 1 if any(c.identity or c.serial for c in (op.old, op.new)) else 0
        return dataclasses.replace(op, relations=own + keys + sequence)
    if isinstance(op, AddColumn) and _rewrites(op):
        sequence = 1 if op.column.identity or op.column.serial else 0
        own = _most(rewritten(ent) for ent in shapes(op.table))
        return dataclasses.replace(op, relations=own + sequence)
    if isinstance(op, ReplaceEnum) and _rewrites(op):
        by_table: dict[str, set[str]] = {}
        for use in op.usages:
            by_table.setdefault(use.table, set()).add(use.column)
        relations = sum(
            _most(rewritten(ent, cols) for ent in shapes(table)) for table, cols in by_table.items()
        )
        return dataclasses.replace(op, relations=relations)
    return op


def _rewrites(op: Operation) -> bool:
    return any(FACTS[step].effect == "rewrites" for step in steps(op))


def _most(counts: Iterable[int]) -> int:
    """The larger of a table's counts, one per shape (1, its table alone, for none)."""
    return max(counts, default=1)
