"""Each statement that rewrites a table told the relations it locks, counted from the
tables' shapes on both sides (:mod:`schemagen.operations.footprint`): a type change (one
PostgreSQL makes without rewriting, binary compatible, by what it locks then), a
column every row gets a value of, an enum swap; each table made or dropped, and
foreign key added in the transaction or dropped, the partitions its keys lock; and an
ALTER TABLE of a partitioned table, each partition. The plan is cut into transactions
by these estimates (operations.stages); an operation's own (2 by default) is far below
what such a statement locks.

Run on the plan once its foreign keys made again under a type change are known
(AlterColumn.keys) and a table's type changes are joined in one statement
(RetypeColumns), whose estimate is the union of what its members lock: one ALTER TABLE
rewrites the table once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable

from ..model.schema import Entity, ForeignKey, Schema
from ..operations.base import Operation
from ..operations.constraint import AddConstraint, CreateIndex, DropConstraint, DropIndex
from ..operations.costs import FACTS, binary_compatible, steps
from ..operations.footprint import partitions, read, retyped_in_place, rewritten
from ..operations.retype import RetypeColumns
from ..operations.schema import ReplaceEnum
from ..operations.storage import SetColumnSettings
from ..operations.table import (
    AddColumn,
    AddPrimaryKey,
    AlterColumn,
    CreateTable,
    DropColumn,
    DropPrimaryKey,
    DropTable,
    RenameColumn,
    table_locks,
)

#: A table's shapes (before, after; one where the other side has no such table).
Shapes = Callable[[str], list[Entity]]


def counted(old: Schema, new: Schema, ops: Iterable[Operation]) -> list[Operation]:
    """``ops`` with each rewrite's estimate of the relations it locks, the larger of
    its tables' shapes before and after (``old``: with the plan's renames made)."""
    sides = [{ent.table: ent for ent in side.entities} for side in (old, new)]

    def shapes(table: str) -> list[Entity]:
        return [side[table] for side in sides if table in side]

    return [_partitioned(_keys_counted(_counted(op, shapes), shapes), shapes) for op in ops]


#: ALTER TABLE statements that PostgreSQL runs on each partition of a partitioned
#: table too, locking each as it locks the table.
_RECURSING = (
    AddColumn,
    DropColumn,
    AlterColumn,
    RenameColumn,
    SetColumnSettings,
    AddConstraint,
    DropConstraint,
    AddPrimaryKey,
    DropPrimaryKey,
    CreateIndex,
    DropIndex,
)


def _partitioned(op: Operation, shapes: Shapes) -> Operation:
    """``op`` with at least its table's relations for each partition of it: each is
    locked as the table is, and a column added may make a TOAST table and index on
    each (measured: a text column added to a table of 4 partitions, 13 relations)."""
    if not isinstance(op, _RECURSING):
        return op
    per_table = 3 if isinstance(op, AddColumn) else 2
    tables = 1 + _most(partitions(ent) for ent in shapes(op.table))
    if tables == 1 and per_table <= op.locks:
        return op
    return dataclasses.replace(op, relations=max(op.relations, per_table * tables))


def _keys_counted(op: Operation, shapes: Shapes) -> Operation:
    """A table made or dropped, and a foreign key added in the transaction or dropped,
    with the partitions its keys lock: PostgreSQL locks each partition of a
    partitioned table a key references or is on (measured: a table made with a key to
    a table of 8 partitions, 11 relations where its estimate was 5)."""
    if isinstance(op, CreateTable | DropTable):
        others = sum(
            _most(partitions(ent) for ent in shapes(fk.ref_table))
            for fk in op.entity.foreign_keys
            if fk.ref_table != op.entity.table
        )
        return dataclasses.replace(op, relations=table_locks(op.entity) + others) if others else op
    if not isinstance(op, AddConstraint | DropConstraint):
        return op
    fk = op.constraint
    if not isinstance(fk, ForeignKey) or (isinstance(op, AddConstraint) and op.lock_safe):
        return op
    if isinstance(op, AddConstraint):
        # its check reads both tables: every index of each, each partition's too
        sides = [_most(read(ent) for ent in shapes(t)) for t in {op.table, fk.ref_table}]
    else:
        sides = [_most(1 + partitions(ent) for ent in shapes(t)) for t in {op.table, fk.ref_table}]
    return dataclasses.replace(op, relations=sum(sides))


def _counted(op: Operation, shapes: Shapes) -> Operation:
    if isinstance(op, RetypeColumns):
        alters = tuple(_member(alter, shapes) for alter in op.alters)
        joined = dataclasses.replace(op, alters=alters)
        return dataclasses.replace(joined, relations=_retyped_together(joined, shapes))
    if isinstance(op, AlterColumn) and op.old.type != op.new.type and not op.lock_safe:
        return dataclasses.replace(op, relations=_retyped(op, shapes))
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


def _retyped(op: AlterColumn, shapes: Shapes) -> int:
    """What a type change locks: a rewrite's relations, or, where PostgreSQL keeps the
    table's file (binary compatible, no USING), the table, the indexes over the column
    made again and a TOAST pair, and of each foreign key made again under it the other
    table and its partitions alone, whose check is not run again (measured: a varchar
    widened under a unique index 3 relations, where 11 were estimated)."""
    columns = {op.old.name, op.new.name}
    sequence = 1 if any(c.identity or c.serial for c in (op.old, op.new)) else 0
    if op.using is None and binary_compatible(op.old.type, op.new.type):
        own = _most(retyped_in_place(ent, columns) for ent in shapes(op.table))
        keys = sum(_most(1 + partitions(ent) for ent in shapes(table)) for _, table in op.keys)
        return own + keys + sequence
    own = _most(rewritten(ent, columns) for ent in shapes(op.table))
    keys = sum(_most(read(ent) for ent in shapes(table)) for _, table in op.keys)
    return own + keys + sequence


def _member(alter: AlterColumn, shapes: Shapes) -> AlterColumn:
    """A joined type change counted as it would be alone (its own estimate)."""
    counted = _partitioned(_counted(alter, shapes), shapes)
    assert isinstance(counted, AlterColumn)
    return counted


def _retyped_together(op: RetypeColumns, shapes: Shapes) -> int:
    """What one ALTER TABLE of several type changes locks, each relation once: the
    table rewritten once (its TOAST pairs, transient table, every index, each index over
    any changed column made again), each other table of a key made again read once, and
    each changed column's sequence. Its members' sum counted the table and its indexes
    once per clause (measured: two types of items, 12 relations locked, 23 summed).
    Every member rewrites (diff.retypes), so none is counted in place."""
    columns = {name for alter in op.alters for name in (alter.old.name, alter.new.name)}
    own = _most(rewritten(ent, columns) for ent in shapes(op.table))
    # a key within the table reads the table and its indexes, locked by the rewrite
    others = {table for _, table in op.keys if table != op.table}
    keys = sum(_most(read(ent) for ent in shapes(table)) for table in others)
    sequences = sum(
        1 for alter in op.alters if any(c.identity or c.serial for c in (alter.old, alter.new))
    )
    return own + keys + sequences


def _rewrites(op: Operation) -> bool:
    return any(FACTS[step].effect == "rewrites" for step in steps(op))


def _most(counts: Iterable[int]) -> int:
    """The larger of a table's counts, one per shape (1, its table alone, for none)."""
    return max(counts, default=1)
