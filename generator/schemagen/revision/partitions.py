"""Revision code for partitions (registered on the dispatcher).

A partition added to a kept table is ``CREATE TABLE ... PARTITION OF``; a dropped
one, where PostgreSQL allows it, ``DETACH PARTITION ... CONCURRENTLY`` then
``DROP TABLE`` in the online stage (no ACCESS EXCLUSIVE lock on the parent while
other sessions write to it), else ``DROP TABLE`` in the main transaction.
"""

from __future__ import annotations

from ..model.naming import partition_table
from ..model.schema import Schema
from ..model.sqltext import partition_sql
from ..operations.partition import CreatePartition, DropPartition
from ..operations.sqlutil import quote_table
from .render import Stmt, _render, execute


@_render.register(CreatePartition)
def _(operation: CreatePartition, state: Schema) -> list[Stmt]:
    sql = partition_sql(operation.table, operation.partition)
    if operation.concurrently:  # online: a rerun finds it made
        sql = sql.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS", 1)
    return [execute(sql)]


@_render.register(DropPartition)
def _(operation: DropPartition, state: Schema) -> list[Stmt]:
    name = quote_table(partition_table(operation.table, operation.partition.name))
    if not operation.concurrently:
        return [execute(f"DROP TABLE {name}")]
    parent = quote_table(operation.table)
    return [
        execute(f"ALTER TABLE {parent} DETACH PARTITION {name} CONCURRENTLY"),
        execute(f"DROP TABLE IF EXISTS {name}"),
    ]
