"""Comparators for row-level security: each table's RLS state, and its policies.

PostgreSQL refuses to drop or change the type of a column that a policy's
expression names (its own table's, or another's in a sub-select), so a policy
is dropped and created again around such a change, as a trigger with a ``WHEN``
is (:mod:`.routines`): when its table, or a table its expressions name, is
renamed, moved, dropped or has a column dropped, renamed or retyped. A changed
policy whose command and kind stay is altered in place (``ALTER POLICY``).
Tables are keyed by their name in each schema, so a renamed table's state is
turned off under its old name before the rename and on under its new one after.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..model.schema import Schema
from ..model.security import alterable, reads_any
from ..operations.base import Operation
from ..operations.security import AlterPolicy, CreatePolicy, DropPolicy, SetRowSecurity
from .routines import touched_tables


def compare_security(old: Schema, new: Schema, table_ops: Sequence[Operation]) -> list[Operation]:
    """RLS states switched, and policies created, dropped, altered or rebuilt."""
    return [*compare_row_security(old, new), *compare_policies(old, new, table_ops)]


def compare_row_security(old: Schema, new: Schema) -> list[Operation]:
    """One :class:`SetRowSecurity` per table whose state differs (a new table's old
    state is off, a dropped table's new state is off)."""
    before = {e.table: e.row_level_security for e in old.entities if e.row_level_security}
    after = {e.table: e.row_level_security for e in new.entities if e.row_level_security}
    return [
        SetRowSecurity(table, before.get(table), after.get(table))
        for table in sorted(before.keys() | after.keys())
        if before.get(table) != after.get(table)
    ]


def compare_policies(old: Schema, new: Schema, table_ops: Sequence[Operation]) -> list[Operation]:
    """Policies by (table, name): added, dropped, altered in place, or rebuilt."""
    touched = touched_tables(table_ops)
    before = {(p.table, p.name): p for p in old.policies}
    after = {(p.table, p.name): p for p in new.policies}
    ops: list[Operation] = []
    redo: set[tuple[str, str]] = set()
    for key in sorted(before.keys() & after.keys()):
        was, now = before[key], after[key]
        if reads_any(was, touched) or (was != now and not alterable(was, now)):
            redo.add(key)
        elif was != now:
            ops.append(AlterPolicy(was, now))
    ops += [DropPolicy(before[k]) for k in sorted((before.keys() - after.keys()) | redo)]
    ops += [CreatePolicy(after[k]) for k in sorted((after.keys() - before.keys()) | redo)]
    return ops
