"""Revision code for functions, triggers and views (registered on the dispatcher).

The user's SQL reaches a revision only inside string literals passed to
``op.execute``: the statements come from :mod:`schemagen.model.routinesql`,
the same text ``create_all`` of the models sends.
"""

from __future__ import annotations

from ..model import routinesql as ddl
from ..model.schema import Schema
from ..operations.routines import (
    CreateFunction,
    CreateTrigger,
    CreateView,
    DropFunction,
    DropTrigger,
    DropView,
    ReplaceFunction,
)
from .render import Stmt, execute, render_operation


@render_operation.register(CreateFunction)
def _(operation: CreateFunction, state: Schema) -> list[Stmt]:
    return [execute(sql) for sql in ddl.function_statements(operation.function)]


@render_operation.register(ReplaceFunction)
def _(operation: ReplaceFunction, state: Schema) -> list[Stmt]:
    stmts = [execute(sql) for sql in ddl.function_statements(operation.new, replace=True)]
    if operation.old.description is not None and operation.new.description is None:
        signature = ddl.function_signature(operation.new, names=False)
        stmts.append(execute(f"COMMENT ON FUNCTION {signature} IS NULL"))
    return stmts


@render_operation.register(DropFunction)
def _(operation: DropFunction, state: Schema) -> list[Stmt]:
    return [execute(ddl.drop_function(operation.function))]


@render_operation.register(CreateTrigger)
def _(operation: CreateTrigger, state: Schema) -> list[Stmt]:
    return [execute(sql) for sql in ddl.trigger_statements(operation.trigger)]


@render_operation.register(DropTrigger)
def _(operation: DropTrigger, state: Schema) -> list[Stmt]:
    return [execute(ddl.drop_trigger(operation.trigger))]


@render_operation.register(CreateView)
def _(operation: CreateView, state: Schema) -> list[Stmt]:
    return [execute(sql) for sql in ddl.view_statements(operation.view)]


@render_operation.register(DropView)
def _(operation: DropView, state: Schema) -> list[Stmt]:
    return [execute(ddl.drop_view(operation.view))]
