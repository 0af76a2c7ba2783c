"""Comparator of each table's REPLICA IDENTITY.

Tables are keyed by their name in each schema, as for row-level security
(:mod:`.security`): a renamed or dropped table's identity goes back to
``DEFAULT`` under its old name before the rename or drop (so the downgrade,
which makes the table again, sets it after), and a new or renamed table's is set
under its new name once it exists. An identity ``USING INDEX x`` that is left,
or whose index the plan drops or rebuilds, goes back to ``DEFAULT`` first, and
the new one is set last: PostgreSQL refuses to lift NOT NULL from the index's
columns while it is the identity, and the downgrade (the same steps reversed)
must not name ``x`` before it is made again.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..model.schema import Schema
from ..operations.base import Operation
from ..operations.constraint import DropConstraint, DropIndex, ReplaceUnique
from ..operations.replication import SetReplicaIdentity
from ..operations.table import DropPrimaryKey


def compare_replica_identity(
    old: Schema, new: Schema, table_ops: Sequence[Operation]
) -> list[Operation]:
    """Per table whose identity differs (or whose identity index is rebuilt): back to
    DEFAULT first where it named an index or the table goes, then the new one."""
    before = {e.table: e.replica_identity for e in old.entities}
    after = {e.table: e.replica_identity for e in new.entities}
    rebuilt = indexes_dropped(table_ops)
    ops: list[Operation] = []
    for table in sorted(before.keys() | after.keys()):
        was, now = before.get(table), after.get(table)
        named = was is not None and was.kind == "index"
        touched = named and was is not None and (table, str(was.index)) in rebuilt
        if was == now and not touched:
            continue
        if was is not None and (named or table not in after):
            ops.append(SetReplicaIdentity(table, was, None, first=True))
            was = None
        if was != now and table in after:
            ops.append(SetReplicaIdentity(table, was, now))
    return ops


def indexes_dropped(table_ops: Sequence[Operation]) -> set[tuple[str, str]]:
    """(table, index) of every index, unique constraint or primary key the table
    operations drop or swap for another."""
    found = set()
    for op in table_ops:
        if isinstance(op, DropIndex):
            found.add((op.table, op.index.name))
        elif isinstance(op, DropConstraint):
            found.add((op.table, op.constraint.name))
        elif isinstance(op, ReplaceUnique):
            found.add((op.table, op.old.name))
        elif isinstance(op, DropPrimaryKey):
            found.add((op.table, op.primary_key.name))
    return found
