"""Revision code for a kept column's statistics target and storage (registered on
the dispatcher). The statement comes from :mod:`schemagen.model.storage`, as do
those ``create_all`` of the models and a new table's or column's revision send."""

from __future__ import annotations

from ..model.schema import Schema
from ..model.storage import change_sql
from ..operations.storage import SetColumnSettings
from .render import Stmt, execute, render_operation


@render_operation.register(SetColumnSettings)
def _(operation: SetColumnSettings, state: Schema) -> list[Stmt]:
    column = state.entity_by_table(operation.table).column(operation.column)
    return [execute(change_sql(operation.table, column, operation.old, operation.new))]
