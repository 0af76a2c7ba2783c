"""What may run in the online stage of a plan, decided once the plan is ordered.

The online stage runs after the main transaction (see
:mod:`schemagen.operations.stages`), and its downgrade before the main
downgrade. An index dropped ``CONCURRENTLY`` there must therefore still make
sense after the main transaction: it stays in the main transaction, dropped
plainly, when the main transaction drops its table or one of its columns,
changes a column's type under it, swaps an enum type one of its columns uses,
or creates something under its name. An enum swap in the main transaction
must not touch an index or check that only the online stage creates. And a
unique constraint that a foreign key of the main transaction references (from
a new table, or closing a cycle) is added plainly there, before that key.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from ..model.schema import CheckConstraint as Check
from ..model.schema import ForeignKey, Index
from ..model.schema import UniqueConstraint as Unique
from ..operations.base import Operation
from ..operations.constraint import AddConstraint, CreateIndex, DropIndex, RenameConstraint
from ..operations.schema import DropEnumValue, EnumUsage, ReplaceEnum
from ..operations.table import AddPrimaryKey, AlterColumn, CreateTable, DropColumn, DropTable


def settle_online(ops: list[Operation]) -> list[Operation]:
    """Return ``ops`` (ordered) with the online-stage rules above applied."""
    main = [op for op in ops if not op.online]
    touched = _touched_columns(main)
    dropped_tables = {op.entity.table for op in main if isinstance(op, DropTable)}
    names = _names_created(main)
    built_online = {
        (op.table, op.index.name) for op in ops if isinstance(op, CreateIndex) and op.online
    }
    built_online |= {
        (op.table, op.constraint.name)
        for op in ops
        if isinstance(op, AddConstraint) and op.online and isinstance(op.constraint, Check)
    }
    needed = _referenced_by_main(main)
    settled: list[Operation] = []
    for op in ops:
        if isinstance(op, AddConstraint) and op.online and isinstance(op.constraint, Unique):
            if (op.table, op.constraint.columns) in needed:
                op = dataclasses.replace(op, lock_safe=False)
        elif isinstance(op, DropIndex) and op.online:
            cols = touched.get(op.table, set())
            if op.table in dropped_tables or op.index.name in names or _mentions(op.index, cols):
                op = dataclasses.replace(op, concurrently=False)
        elif isinstance(op, ReplaceEnum | DropEnumValue) and built_online:
            op = dataclasses.replace(op, usages=_without(op.usages, built_online))
        settled.append(op)
    return settled


def _referenced_by_main(main: Iterable[Operation]) -> set[tuple[str, tuple[str, ...]]]:
    """(table, columns) that foreign keys created in the main transaction reference."""
    fks: list[ForeignKey] = []
    for op in main:
        if isinstance(op, CreateTable):
            fks += op.entity.foreign_keys
        elif isinstance(op, AddConstraint) and isinstance(op.constraint, ForeignKey):
            fks.append(op.constraint)
    return {(fk.ref_table, fk.ref_columns) for fk in fks}


def _touched_columns(main: Iterable[Operation]) -> dict[str, set[str]]:
    """Table -> columns the main transaction drops, retypes or swaps the enum of."""
    found: dict[str, set[str]] = {}
    for op in main:
        if isinstance(op, DropColumn):
            found.setdefault(op.table, set()).add(op.column.name)
        elif isinstance(op, AlterColumn) and op.old.type != op.new.type:
            found.setdefault(op.table, set()).add(op.new.name)
        elif isinstance(op, ReplaceEnum | DropEnumValue):
            for use in op.usages:
                found.setdefault(use.table, set()).add(use.column)
    return found


def _names_created(main: Iterable[Operation]) -> set[str]:
    names: set[str] = set()
    for op in main:
        if isinstance(op, CreateTable):
            ent = op.entity
            names.add(ent.primary_key.name)
            names.update(ix.name for ix in ent.indexes)
            names.update(c.name for c in ent.uniques)
            names.update(c.name for c in ent.checks)
            names.update(c.name for c in ent.foreign_keys)
        elif isinstance(op, AddConstraint):
            names.add(op.constraint.name)
        elif isinstance(op, AddPrimaryKey):
            names.add(op.primary_key.name)
        elif isinstance(op, RenameConstraint):
            names.add(op.new)
        elif isinstance(op, CreateIndex):
            names.add(op.index.name)
    return names


def _mentions(ix: Index, columns: set[str]) -> bool:
    if not columns:
        return False
    used = {*ix.columns, *ix.include, *(c for c, _ in ix.ops)}
    if used & columns:
        return True
    return ix.where is not None and any(
        re.search(rf"\b{re.escape(col)}\b", ix.where) for col in columns
    )


def _without(usages: tuple[EnumUsage, ...], built: set[tuple[str, str]]) -> tuple[EnumUsage, ...]:
    return tuple(
        dataclasses.replace(
            use,
            indexes=tuple(ix for ix in use.indexes if (use.table, ix.name) not in built),
            checks=tuple(ck for ck in use.checks if (use.table, ck.name) not in built),
        )
        for use in usages
    )
