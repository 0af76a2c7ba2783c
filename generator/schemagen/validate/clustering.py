"""Checks of ``cluster_on:`` on the normalized model.

PostgreSQL's rules for ``ALTER TABLE ... CLUSTER ON`` (check_index_is_clusterable,
PostgreSQL 15): the index is the table's own, its access method can cluster
(btree and gist; hash, gin, brin and spgist cannot) and it is not partial. And a
partitioned table takes no mark ("cannot mark index clustered in partitioned
table").
"""

from __future__ import annotations

from ..model.clustering import CLUSTERABLE_METHODS
from ..model.schema import Entity
from .reporter import Reporter


def check_cluster_on(entity: Entity, report: Reporter) -> None:
    """Report a ``cluster_on:`` PostgreSQL would refuse."""
    name = entity.cluster_on
    if name is None:
        return
    at = ("entities", entity.name, "cluster_on")
    if entity.partition_by is not None:
        report.error(
            at,
            f"cluster_on {name} of partitioned table {entity.table}: PostgreSQL refuses "
            "to mark an index clustered in a partitioned table; leave it out here",
        )
        return
    problem = _index_problem(entity, name)
    if problem:
        report.error(at, problem)


def _index_problem(entity: Entity, name: str) -> str | None:
    """Why the index ``name`` of ``entity`` cannot carry its CLUSTER ON mark, or None."""
    if entity.has_primary_key and entity.primary_key.name == name:
        return None  # a btree over every row
    if any(u.name == name for u in entity.uniques):
        return None
    found = [(ix.using, ix.where) for ix in entity.indexes if ix.name == name]
    found += [(ex.using, ex.where) for ex in entity.excludes if ex.name == name]
    if not found:
        known = sorted(
            [u.name for u in entity.uniques]
            + [ix.name for ix in entity.indexes]
            + [ex.name for ex in entity.excludes]
            + ([entity.primary_key.name] if entity.has_primary_key else [])
        )
        return (
            f"{entity.name} has no index or constraint {name} (its indexes: "
            f"{', '.join(known) or 'none'})"
        )
    ((using, where),) = found[:1]
    if using not in CLUSTERABLE_METHODS:
        return (
            f"index {name} is {using}: PostgreSQL clusters on btree and gist indexes only "
            f"({using} does not support clustering)"
        )
    if where is not None:
        return (
            f"index {name} is partial (where:): PostgreSQL refuses to cluster on a "
            "partial index, which does not hold every row"
        )
    return None
