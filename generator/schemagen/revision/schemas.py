"""Revision code for PostgreSQL schemas and extensions (registered on the dispatcher):
plain SQL, ``CREATE ... IF NOT EXISTS`` and ``DROP ... IF EXISTS``."""

from __future__ import annotations

from ..model.schema import Schema
from ..operations.schema import CreateExtension, CreateSchema, DropExtension, DropSchema
from ..operations.sqlutil import quote_ident
from .render import Stmt, execute, render_operation


@render_operation.register(CreateSchema)
def _(operation: CreateSchema, state: Schema) -> list[Stmt]:
    return [execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(operation.name)}")]


@render_operation.register(DropSchema)
def _(operation: DropSchema, state: Schema) -> list[Stmt]:
    return [execute(f"DROP SCHEMA IF EXISTS {quote_ident(operation.name)}")]


@render_operation.register(CreateExtension)
def _(operation: CreateExtension, state: Schema) -> list[Stmt]:
    return [execute(f"CREATE EXTENSION IF NOT EXISTS {quote_ident(operation.name)}")]


@render_operation.register(DropExtension)
def _(operation: DropExtension, state: Schema) -> list[Stmt]:
    return [execute(f"DROP EXTENSION IF EXISTS {quote_ident(operation.name)}")]
