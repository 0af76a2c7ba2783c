"""Revision code for partitions (registered on the dispatcher).

A partition added to a kept table is ``CREATE TABLE ... PARTITION OF``; a dropped
one, where PostgreSQL allows it, ``DETACH PARTITION ... CONCURRENTLY`` then
``DROP TABLE`` in the drops stage (no ACCESS EXCLUSIVE lock on the parent while
other sessions write to it), else ``DROP TABLE`` in the main transaction.

The concurrent detach is resumable, as every step outside a transaction is: a
detach interrupted after its first transaction (lock_timeout while it waits for
the parent's readers, a cancel, a lost connection) leaves the partition "detach
pending", which the rerun finishes with ``DETACH PARTITION ... FINALIZE``; a
partition no longer attached (detached, or dropped) is not detached again.
"""

from __future__ import annotations

from ..model.naming import partition_table
from ..model.schema import Schema
from ..model.sqltext import do_block, partition_sql, partition_tree_sql
from ..operations.partition import CreatePartition, DropPartition
from ..operations.sqlutil import quote_table, sql_literal
from .render import Guarded, Stmt, execute, render_operation


@render_operation.register(CreatePartition)
def _(operation: CreatePartition, state: Schema) -> list[Stmt | Guarded]:
    # a partition partitioned in turn, then its own partitions (partition_tree_sql)
    parent = operation.parent
    stmts = [partition_sql(parent, operation.partition)]
    own = partition_table(parent, operation.partition.name)
    stmts += partition_tree_sql(own, operation.partition.partitions)
    if operation.concurrently:  # outside a transaction: a rerun finds them made
        stmts = [s.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS", 1) for s in stmts]
    return [execute(sql) for sql in stmts]


@render_operation.register(DropPartition)
def _(operation: DropPartition, state: Schema) -> list[Stmt | Guarded]:
    # DROP TABLE of a partition partitioned in turn drops its own partitions too
    parent = operation.parent
    table = partition_table(parent, operation.partition.name)
    name = quote_table(table)
    if not operation.concurrently:
        return [execute(f"DROP TABLE {name}")]
    detach = f"ALTER TABLE {quote_table(parent)} DETACH PARTITION {name}"
    found = (
        f"FROM pg_inherits WHERE inhrelid = to_regclass({sql_literal(name)}) "
        f"AND inhparent = to_regclass({sql_literal(quote_table(parent))})"
    )
    return [
        # FINALIZE, unlike CONCURRENTLY, runs in a transaction: in a DO block
        execute(
            do_block(
                f" BEGIN IF EXISTS (SELECT {found} AND inhdetachpending) "
                f"THEN {detach} FINALIZE; END IF; END "
            )
        ),
        Guarded(
            f"SELECT EXISTS (SELECT {found} AND NOT inhdetachpending)",
            (execute(f"{detach} CONCURRENTLY"),),
        ),
        execute(f"DROP TABLE IF EXISTS {name}"),
    ]
