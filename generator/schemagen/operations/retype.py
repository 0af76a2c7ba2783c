"""Several type changes of one table in one ``ALTER TABLE``.

PostgreSQL rewrites the table, rebuilds its indexes and makes again, checking its
rows, every foreign key over (or referencing) a changed column once per ``ALTER
TABLE`` statement: two ``ALTER COLUMN ... TYPE`` statements on the columns of one
composite key read the table and the table it references twice, each time under
ACCESS EXCLUSIVE on both (measured in tests/operations/test_costs.py). One
statement with every ``ALTER COLUMN ... TYPE`` clause does it once.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model.schema import Schema
from .base import Operation
from .table import AlterColumn


@dataclass(frozen=True)
class RetypeColumns(Operation):
    """The type changes ``alters`` of columns of ``table``, their ``ALTER COLUMN ...
    TYPE`` clauses in one ``ALTER TABLE``; each one's other changes (default,
    nullability, comment) around it as its own. Made by :mod:`schemagen.diff.retypes`
    from two or more transactional :class:`AlterColumn` of one table."""

    table: str
    alters: tuple[AlterColumn, ...]

    def reverse(self) -> Operation:
        undone = tuple(_undone(op) for op in reversed(self.alters))
        return RetypeColumns(self.table, undone, relations=self.relations)

    def describe(self) -> str:
        each = "; ".join(f"{op.new.name}: {', '.join(op.changes())}" for op in self.alters)
        return f"~ columns {self.table}, in one ALTER TABLE: {each}"

    def apply(self, schema: Schema) -> Schema:
        for op in self.alters:
            schema = op.apply(schema)
        return schema

    def risk(self) -> str | None:
        risks = [risk for risk in (op.risk() for op in self.alters) if risk]
        return "; ".join(risks) or None

    @property
    def own_locks(self) -> int:
        """At least what each clause alone locks; the diff counts the statement's
        (:attr:`relations`, diff.footprints) as the union of its members', each relation
        once: one ALTER TABLE rewrites the table once, so its TOAST pairs and indexes,
        and each key's other table, are locked once, not once per clause (measured on
        PostgreSQL 15: two types of a table with four indexes, 12 relations, where the
        members' sum was 23)."""
        return max(op.locks for op in self.alters)

    @property
    def keys(self) -> tuple[tuple[str, str], ...]:
        """(key, its other table) of every foreign key PostgreSQL makes again under the
        statement, once each (AlterColumn.keys of its members)."""
        return tuple(sorted({key for op in self.alters for key in op.keys}))


def _undone(op: AlterColumn) -> AlterColumn:
    undone = op.reverse()
    assert isinstance(undone, AlterColumn)
    return undone
