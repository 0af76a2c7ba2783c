"""Checks of ``replica_identity:`` on the normalized model.

PostgreSQL's rules for ``REPLICA IDENTITY USING INDEX`` (ALTER TABLE, PostgreSQL
15): the index is the table's own, unique, not partial, not deferrable, has no
expression key, and its key columns are NOT NULL (INCLUDE columns may be NULL).
And on a partitioned table PostgreSQL keeps the setting on the parent alone:
neither the partitions there nor those made later take it, and the partitions
hold the rows that logical replication sends, so the language refuses it there.
"""

from __future__ import annotations

from ..model.replication import replica_identity_words
from ..model.schema import Entity
from .reporter import Reporter


def check_replica_identity(entity: Entity, report: Reporter) -> None:
    """Report a ``replica_identity:`` PostgreSQL would refuse or not apply."""
    identity = entity.replica_identity
    if identity is None:
        return
    at = ("entities", entity.name, "replica_identity")
    if entity.partition_by is not None:
        report.error(
            at,
            f"replica_identity {replica_identity_words(identity)} of partitioned table "
            f"{entity.table}: PostgreSQL 15 sets it on the parent alone, not on the "
            "partitions that hold the rows; leave it out here",
        )
        return
    if identity.kind != "index":
        return
    problem = _index_problem(entity, str(identity.index))
    if problem:
        report.error((*at, "index"), problem)


def _index_problem(entity: Entity, name: str) -> str | None:
    """Why the index ``name`` of ``entity`` cannot be its replica identity, or None."""
    columns: tuple[str, ...]
    if entity.has_primary_key and entity.primary_key.name == name:
        return None  # NOT NULL, unique, immediate
    unique = next((u for u in entity.uniques if u.name == name), None)
    index = next((ix for ix in entity.indexes if ix.name == name), None)
    if unique is not None:
        if unique.deferrable:
            return (
                f"unique constraint {name} is DEFERRABLE: PostgreSQL refuses a deferrable "
                "index as replica identity"
            )
        columns = unique.columns
    elif index is not None:
        if not index.unique:
            return f"index {name} is not unique: a replica identity index must be"
        if index.where is not None:
            return (
                f"index {name} is partial (where:): PostgreSQL refuses a partial index as "
                "replica identity"
            )
        if any(key.expression is not None for key in index.keys):
            return (
                f"index {name} has an expression key: PostgreSQL refuses an expression index "
                "as replica identity"
            )
        columns = index.columns
    else:
        known = sorted(
            [u.name for u in entity.uniques]
            + [ix.name for ix in entity.indexes if ix.unique]
            + ([entity.primary_key.name] if entity.has_primary_key else [])
        )
        return (
            f"{entity.name} has no unique index or constraint {name} (its unique ones: "
            f"{', '.join(known) or 'none'})"
        )
    nullable = [c for c in columns if entity.has_column(c) and entity.column(c).nullable]
    if nullable:
        return (
            f"index {name} covers nullable column {', '.join(nullable)}: a replica identity "
            "index's columns must be NOT NULL (leave nullable: out)"
        )
    return None
