"""``ALTER TABLE ... REPLICA IDENTITY``: what logical replication sends of a row.

One operation carries the identity it replaces, so its reverse restores it.
:mod:`schemagen.diff.replication` splits a change away from ``USING INDEX x`` in
two (``first``: back to ``DEFAULT`` before the plan drops or renames anything,
then the new identity once its index exists), so that neither the upgrade nor
the reversed downgrade names an index that is not there yet, or keeps a NOT NULL
that PostgreSQL will not lift from a replica identity index's column.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

from ..model.replication import replica_identity_words
from ..model.schema import ReplicaIdentity, Schema
from .base import Operation, with_table

#: The revision of a plan the operation runs in (operations.stages): the main
#: transaction; the drops stage, before the lock-safe drops of the index it
#: leaves; the online stage, after the concurrent build of the index it names.
IdentityStage = Literal["main", "drops", "online"]


@dataclass(frozen=True)
class SetReplicaIdentity(Operation):
    """``ALTER TABLE table REPLICA IDENTITY new`` (``None``: ``DEFAULT``); ``first``:
    placed before the plan's renames and drops, ``stage``: see :data:`IdentityStage`."""

    table: str
    old: ReplicaIdentity | None
    new: ReplicaIdentity | None
    first: bool = False
    stage: IdentityStage = "main"

    def reverse(self) -> Operation:
        return dataclasses.replace(self, old=self.new, new=self.old)

    def describe(self) -> str:
        marker = "-" if self.new is None else ("+" if self.old is None else "~")
        return (
            f"{marker} table {self.table} replica identity {replica_identity_words(self.new)} "
            f"(was {replica_identity_words(self.old)})"
        )

    def apply(self, schema: Schema) -> Schema:
        return with_table(
            schema, self.table, lambda ent: dataclasses.replace(ent, replica_identity=self.new)
        )

    @property
    def online(self) -> bool:
        return self.stage != "main"  # drops and online revisions run outside a transaction

    @property
    def own_locks(self) -> int:
        return 1
