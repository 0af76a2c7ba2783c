"""Operations on the partitions of a partitioned table: create and drop them.

A partition is a table of its own that PostgreSQL builds from its parent (columns,
keys, indexes and foreign keys are propagated), so an operation carries only
the parent's table name and the partition's bound.

``concurrently``: the partition is dropped with ``DETACH PARTITION ...
CONCURRENTLY`` (which takes SHARE UPDATE EXCLUSIVE on the parent instead of
ACCESS EXCLUSIVE, and cannot run in a transaction) and then ``DROP TABLE``, in
the drops stage before the main transaction (:mod:`schemagen.diff.drops`).
PostgreSQL refuses a concurrent detach while the parent has a DEFAULT partition;
the diff then drops plainly, in the main transaction. The reverse of an online
operation is online: it creates ``IF NOT EXISTS``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..model.schema import Entity, Partition, Schema, sorted_named
from .base import Operation, by_name, with_table


def _with_partitions(schema: Schema, table: str, edit: tuple[Partition, ...]) -> Schema:
    def replace(ent: Entity) -> Entity:
        return dataclasses.replace(ent, partitions=sorted_named(edit))

    return with_table(schema, table, replace)


@dataclass(frozen=True)
class CreatePartition(Operation):
    """``CREATE TABLE p PARTITION OF parent FOR VALUES ...``."""

    table: str  # the partitioned (parent) table
    partition: Partition
    concurrently: bool = False  # the reverse of a concurrent drop (online, idempotent)

    def reverse(self) -> Operation:
        return DropPartition(self.table, self.partition, self.concurrently)

    @property
    def online(self) -> bool:
        return self.concurrently

    def describe(self) -> str:
        return f"+ partition {self.partition.name} of {self.table} ({self.partition.bound_sql()})"

    def apply(self, schema: Schema) -> Schema:
        ent = schema.entity_by_table(self.table)
        return _with_partitions(schema, self.table, (*ent.partitions, self.partition))

    @property
    def locks(self) -> int:
        return _partition_locks()


@dataclass(frozen=True)
class DropPartition(Operation):
    """Drop one partition and its rows; carries the bound for the downgrade (which
    creates the partition again, empty)."""

    table: str
    partition: Partition
    concurrently: bool = False

    def reverse(self) -> Operation:
        return CreatePartition(self.table, self.partition, self.concurrently)

    @property
    def online(self) -> bool:
        return self.concurrently

    def describe(self) -> str:
        how = " (DETACH CONCURRENTLY, then DROP)" if self.concurrently else ""
        return f"- partition {self.partition.name} of {self.table}{how}"

    def apply(self, schema: Schema) -> Schema:
        ent = schema.entity_by_table(self.table)
        return _with_partitions(schema, self.table, by_name(ent.partitions, self.partition.name))

    @property
    def locks(self) -> int:
        return _partition_locks()

    def risk(self) -> str | None:
        return f"drops partition {self.partition.name} of {self.table} and its rows"


def _partition_locks() -> int:
    """The parent, the partition, its TOAST table and index, and (an estimate) a few
    copies of the parent's keys and indexes."""
    return 8
