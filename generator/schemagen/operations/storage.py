"""``ALTER TABLE ... ALTER COLUMN ... SET STATISTICS / SET STORAGE`` of a kept column.

A new column or table is made with its settings (the AddColumn and CreateTable
renderers say them), so a drop's reverse makes them again; this operation is the
change of a column that stays. It carries the settings it replaces, so its
reverse restores them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..model.schema import Entity, Schema
from ..model.storage import settings_words
from .base import Operation, with_table


@dataclass(frozen=True)
class SetColumnSettings(Operation):
    """``column``'s statistics target and storage, ``old`` -> ``new`` (each a pair
    (statistics, storage); None: PostgreSQL's default, the type's own storage)."""

    table: str
    column: str
    old: tuple[int | None, str | None]
    new: tuple[int | None, str | None]

    def reverse(self) -> Operation:
        return SetColumnSettings(self.table, self.column, self.new, self.old)

    def describe(self) -> str:
        return (
            f"~ column {self.table}.{self.column}: {settings_words(*self.new)} "
            f"(was {settings_words(*self.old)})"
        )

    def apply(self, schema: Schema) -> Schema:
        statistics, storage = self.new

        def edit(ent: Entity) -> Entity:
            columns = tuple(
                dataclasses.replace(c, statistics=statistics, storage=storage)
                if c.name == self.column
                else c
                for c in ent.columns
            )
            return dataclasses.replace(ent, columns=columns)

        return with_table(schema, self.table, edit)

    @property
    def storage_changes(self) -> bool:
        """Whether ``SET STORAGE`` runs (ACCESS EXCLUSIVE; ``SET STATISTICS`` alone
        takes SHARE UPDATE EXCLUSIVE)."""
        return self.old[1] != self.new[1]

    @property
    def own_locks(self) -> int:
        return 1
