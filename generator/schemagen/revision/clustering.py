"""Revision code for a table's CLUSTER ON mark (registered on the dispatcher).

The statement comes from :mod:`schemagen.model.clustering`, the same text
``create_all`` of the models sends. It is idempotent, as a drops or online
revision needs (operations.stages), and takes SHARE UPDATE EXCLUSIVE: it marks
the index in pg_index and neither sorts nor rewrites the table.
"""

from __future__ import annotations

from ..model.clustering import cluster_statement
from ..model.schema import Schema
from ..operations.clustering import SetClusterOn
from .render import Stmt, execute, render_operation


@render_operation.register(SetClusterOn)
def _(operation: SetClusterOn, state: Schema) -> list[Stmt]:
    return [execute(cluster_statement(operation.table, operation.new))]
