"""Revision code for REPLICA IDENTITY (registered on the dispatcher).

The statement comes from :mod:`schemagen.model.replication`, the same text
``create_all`` of the models sends. It is idempotent, as a drops or online
revision needs (operations.stages).
"""

from __future__ import annotations

from ..model.replication import replica_identity_statement
from ..model.schema import Schema
from ..operations.replication import SetReplicaIdentity
from .render import Stmt, execute, render_operation


@render_operation.register(SetReplicaIdentity)
def _(operation: SetReplicaIdentity, state: Schema) -> list[Stmt]:
    return [execute(replica_identity_statement(operation.table, operation.new))]
