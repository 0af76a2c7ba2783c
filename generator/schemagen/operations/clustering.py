"""``ALTER TABLE ... CLUSTER ON`` / ``SET WITHOUT CLUSTER``: a table's CLUSTER mark.

The mark names the index a bare ``CLUSTER`` of the table sorts by; setting or
clearing it rewrites nothing. PostgreSQL drops it with its index (DROP INDEX, a
unique or primary key swapped for another), so :mod:`schemagen.diff.clustering`
splits a change away from a mark whose index the plan drops or rebuilds in two,
as :mod:`.replication` does for REPLICA IDENTITY USING INDEX (``first``: cleared
before the plan drops or renames anything, then set once the new index exists):
the reversed downgrade then names the index only after it is made again.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..model.clustering import cluster_words
from ..model.schema import Schema
from .base import Operation, with_table
from .replication import IdentityStage


@dataclass(frozen=True)
class SetClusterOn(Operation):
    """``ALTER TABLE table CLUSTER ON new`` (``None``: ``SET WITHOUT CLUSTER``);
    ``first``: placed before the plan's renames and drops; ``stage``: the revision
    it runs in (main; drops, before the lock-safe drop of its old index; online,
    after the concurrent build of its new one), as :data:`.replication.IdentityStage`."""

    table: str
    old: str | None
    new: str | None
    first: bool = False
    stage: IdentityStage = "main"

    def reverse(self) -> Operation:
        return dataclasses.replace(self, old=self.new, new=self.old)

    def describe(self) -> str:
        marker = "-" if self.new is None else ("+" if self.old is None else "~")
        return (
            f"{marker} table {self.table} cluster {cluster_words(self.new)} "
            f"(was {cluster_words(self.old)})"
        )

    def apply(self, schema: Schema) -> Schema:
        return with_table(
            schema, self.table, lambda ent: dataclasses.replace(ent, cluster_on=self.new)
        )

    @property
    def online(self) -> bool:
        return self.stage != "main"  # drops and online revisions run outside a transaction

    @property
    def own_locks(self) -> int:
        return 1
