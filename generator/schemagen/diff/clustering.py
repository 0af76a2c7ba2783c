"""Comparator of each table's CLUSTER ON mark.

Tables are keyed by their name in each schema, as for REPLICA IDENTITY
(:mod:`.replication`): a renamed or dropped table's mark is cleared under its
old name before the rename or drop (so the downgrade, which makes the table
again, sets it after), and a new or renamed table's is set under its new name
once its index exists. PostgreSQL drops the mark with its index, so a mark whose
index the plan drops or rebuilds (DROP INDEX, a unique or primary key swapped,
an index rebuilt concurrently) is cleared first and set again after the new
index is built: the downgrade, the same steps reversed, then names the old index
only once it is made again.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..model.schema import Schema
from ..operations.base import Operation
from ..operations.clustering import SetClusterOn
from .replication import indexes_dropped


def compare_cluster_on(
    old: Schema, new: Schema, table_ops: Sequence[Operation]
) -> list[Operation]:
    """Per table whose mark differs (or whose marked index is dropped or rebuilt):
    cleared first where it was set, then set on the new index."""
    before = {e.table: e.cluster_on for e in old.entities}
    after = {e.table: e.cluster_on for e in new.entities}
    rebuilt = indexes_dropped(table_ops)
    ops: list[Operation] = []
    for table in sorted(before.keys() | after.keys()):
        was, now = before.get(table), after.get(table)
        if was == now and (table, was) not in rebuilt:
            continue
        if was is not None:
            ops.append(SetClusterOn(table, was, None, first=True))
            was = None
        if now is not None and table in after:
            ops.append(SetClusterOn(table, None, now))
    return ops
