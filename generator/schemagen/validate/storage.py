"""Checks of a column's ``statistics:`` and ``storage:`` on the normalized model.

What PostgreSQL 15 refuses, or would not keep, is a located error: ``storage:``
other than ``plain`` on a type that is not TOAST-able (every fixed-length type, an
enum, a domain over one: "column data type integer can only have storage
PLAIN"), ``storage:`` on a type whose own storage schemagen does not know (a
migration could not put it back), and ``statistics:`` on a partitioned table's
column: PostgreSQL gives it to the partitions there, but not to one made later.
(The range of ``statistics:`` is the JSON Schema's.)
"""

from __future__ import annotations

from ..model.schema import Column, Entity
from ..model.storage import type_storage
from .reporter import Reporter, own_column_path, type_text


def check_column_settings(entity: Entity, report: Reporter) -> None:
    """Report each column setting PostgreSQL would refuse or not keep."""
    for column in entity.columns:
        if column.storage is not None:
            problem = _storage_problem(column)
            if problem:
                report.error((*own_column_path(entity, column), "storage"), problem)
        if column.statistics is not None and entity.partition_by is not None:
            report.error(
                (*own_column_path(entity, column), "statistics"),
                f"statistics of partitioned table {entity.table}'s column {column.name}: "
                "PostgreSQL 15 gives it to the partitions there but not to those made "
                "later; leave it out here",
            )


def _storage_problem(column: Column) -> str | None:
    own = type_storage(column.type)
    if own is None:
        return (
            f"storage {column.storage} on a column of type {type_text(column.type)}, whose "
            "own storage schemagen does not know (a migration could not put it back): "
            "leave it out"
        )
    if own == "plain":
        return (
            f"column data type {type_text(column.type)} can only have storage plain (it is "
            f"not TOAST-able): PostgreSQL refuses storage {column.storage}"
        )
    return None
