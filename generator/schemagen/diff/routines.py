"""Comparators for functions, triggers and views, and what table changes force on them.

PostgreSQL refuses to change the type of (or drop) a column that a view reads,
or that a trigger's ``WHEN`` names. So a view is dropped and created again when
its definition changed, when a table it reads is altered in the same plan, or
when a view it reads is itself rebuilt; a trigger when it changed, when its
function has to be dropped (a new signature or result type), or when its
table's columns change under its ``WHEN``. The ordering module puts the drops
before the table changes and the creates after them, in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..model.routines import Trigger, View
from ..model.schema import Schema
from ..operations.base import Operation
from ..operations.routines import (
    CreateFunction,
    CreateTrigger,
    CreateView,
    DropFunction,
    DropTrigger,
    DropView,
    ReplaceFunction,
    replaceable,
)
from ..operations.table import AlterColumn, DropColumn, DropTable, RenameColumn, RenameTable


def compare_routines(old: Schema, new: Schema, table_ops: Sequence[Operation]) -> list[Operation]:
    """Functions, views and triggers created, dropped, replaced or rebuilt."""
    touched = touched_tables(table_ops)
    fn_ops, rebuilt = compare_functions(old, new)
    return [
        *fn_ops,
        *compare_views(old, new, touched),
        *compare_triggers(old, new, rebuilt, touched),
    ]


def touched_tables(table_ops: Sequence[Operation]) -> set[str]:
    """Tables (by old and new name) whose columns change in ways views and
    trigger conditions see: a type change, a drop, a rename."""
    renamed = {op.new_table: op.old_table for op in table_ops if isinstance(op, RenameTable)}
    touched: set[str] = set()
    for op in table_ops:
        if isinstance(op, RenameTable):
            touched |= {op.old_table, op.new_table}
        elif isinstance(op, AlterColumn) and op.old.type != op.new.type:
            touched.add(op.table)
        elif isinstance(op, DropColumn | RenameColumn):
            touched.add(op.table)
        elif isinstance(op, DropTable):
            touched.add(op.entity.table)
    return touched | {renamed[t] for t in touched if t in renamed}


def compare_functions(old: Schema, new: Schema) -> tuple[list[Operation], set[str]]:
    """Operations on functions by signature (overloads apart), and the identities
    of functions dropped and created again (their triggers must follow)."""
    before = {fn.identity: fn for fn in old.functions}
    after = {fn.identity: fn for fn in new.functions}
    ops: list[Operation] = [CreateFunction(after[k]) for k in sorted(after.keys() - before.keys())]
    ops += [DropFunction(before[k]) for k in sorted(before.keys() - after.keys())]
    rebuilt: set[str] = set()
    for key in sorted(before.keys() & after.keys()):
        was, now = before[key], after[key]
        if was == now:
            continue
        if replaceable(was, now):
            ops.append(ReplaceFunction(was, now))
        else:
            ops += [DropFunction(was), CreateFunction(now)]
            rebuilt.add(key)
    return ops, rebuilt


def compare_views(old: Schema, new: Schema, touched: set[str]) -> list[Operation]:
    """Views added, dropped, and rebuilt (changed, or over a changed relation)."""
    before: dict[str, View] = {v.name: v for v in old.views}
    after: dict[str, View] = {v.name: v for v in new.views}
    kept = before.keys() & after.keys()
    rebuild = {n for n in kept if before[n] != after[n] or touched & set(before[n].reads)}
    gone = (before.keys() - after.keys()) | rebuild
    while True:  # a view over a rebuilt view is rebuilt too
        more = {n for n in kept - rebuild if gone & set(before[n].reads)}
        if not more:
            break
        rebuild |= more
        gone |= more
    ops: list[Operation] = [DropView(before[n]) for n in sorted(gone)]
    ops += [CreateView(after[n]) for n in sorted((after.keys() - before.keys()) | rebuild)]
    return ops


def compare_triggers(
    old: Schema, new: Schema, rebuilt_functions: set[str], touched: set[str]
) -> list[Operation]:
    """Triggers added, dropped, and rebuilt."""
    before: dict[tuple[str, str], Trigger] = {(t.table, t.name): t for t in old.triggers}
    after: dict[tuple[str, str], Trigger] = {(t.table, t.name): t for t in new.triggers}

    def rebuilt(key: tuple[str, str]) -> bool:
        was = before[key]
        return (
            was != after[key]
            or was.function in rebuilt_functions
            or (was.when is not None and was.table in touched)
        )

    redo = {k for k in before.keys() & after.keys() if rebuilt(k)}
    ops: list[Operation] = [
        DropTrigger(before[k]) for k in sorted((before.keys() - after.keys()) | redo)
    ]
    ops += [CreateTrigger(after[k]) for k in sorted((after.keys() - before.keys()) | redo)]
    return ops
