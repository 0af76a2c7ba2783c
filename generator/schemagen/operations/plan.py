"""Every migration operation, and the Plan that orders them.

Each operation is a frozen dataclass with ``reverse()``, ``describe()`` (one
line marked ``+``, ``-`` or ``~``), ``apply(schema)`` on a DDL view and
``destructive``. A revision's ``downgrade()`` is the reversed list of reversed
upgrade operations, never a second diff.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..model.schema import Schema
from .base import Operation
from .constraint import (
    AddConstraint,
    AlterForeignKeyDeferral,
    AlterUniqueDeferral,
    CreateIndex,
    DropConstraint,
    DropIndex,
    PrebuildUniqueIndex,
    RenameConstraint,
    ReplaceCheck,
    ReplaceForeignKey,
    ReplaceUnique,
)
from .schema import (
    AddEnumValue,
    CreateEnum,
    CreateExtension,
    DropEnum,
    DropEnumValue,
    DropExtension,
    EnumUsage,
    MoveEnum,
    ReplaceEnum,
)
from .table import (
    AddColumn,
    AddPrimaryKey,
    AlterColumn,
    AlterTableComment,
    CreateTable,
    DropColumn,
    DropPrimaryKey,
    DropTable,
    PrebuildPrimaryKeyIndexes,
    RenameColumn,
    RenameTable,
)

__all__ = [
    "AddColumn",
    "AddConstraint",
    "AddEnumValue",
    "AlterColumn",
    "AlterForeignKeyDeferral",
    "AlterUniqueDeferral",
    "AddPrimaryKey",
    "AlterTableComment",
    "CreateEnum",
    "CreateExtension",
    "CreateIndex",
    "CreateTable",
    "DropColumn",
    "DropConstraint",
    "DropEnum",
    "DropEnumValue",
    "DropPrimaryKey",
    "DropExtension",
    "DropIndex",
    "DropTable",
    "EnumUsage",
    "MoveEnum",
    "Operation",
    "Plan",
    "PrebuildPrimaryKeyIndexes",
    "PrebuildUniqueIndex",
    "RenameColumn",
    "RenameConstraint",
    "RenameTable",
    "ReplaceCheck",
    "ReplaceEnum",
    "ReplaceForeignKey",
    "ReplaceUnique",
    "apply",
]


@dataclass(frozen=True)
class Plan:
    """The operations of one revision, in dependency order."""

    operations: tuple[Operation, ...] = ()
    notes: tuple[str, ...] = ()  # what the user may not expect, e.g. a hint that named nothing

    @property
    def destructive(self) -> tuple[Operation, ...]:
        """The operations that can lose data."""
        return tuple(op for op in self.operations if op.destructive)

    @property
    def empty(self) -> bool:
        return not self.operations

    def reverse(self) -> Plan:
        """The downgrade: reversed operations in reverse order."""
        return Plan(tuple(op.reverse() for op in reversed(self.operations)), self.notes)

    def describe(self) -> list[str]:
        """One line per operation."""
        return [op.describe() for op in self.operations]


def apply(schema: Schema, plan: Plan | Iterable[Operation]) -> Schema:
    """Apply every operation of ``plan`` to ``schema`` (a DDL view), in order."""
    ops = plan.operations if isinstance(plan, Plan) else tuple(plan)
    for op in ops:
        schema = op.apply(schema)
    return schema
