"""Revision code for domains (registered on the dispatcher): plain SQL, which says
exactly what PostgreSQL stores (Alembic has no domain operations)."""

from __future__ import annotations

from ..model.domains import check_sql, create_sql, default_sql
from ..model.naming import format_name, split_qualified
from ..model.schema import Schema
from ..model.sqltext import quote_name
from ..operations.domain import (
    AddDomainCheck,
    AlterDomain,
    CreateDomain,
    DropDomain,
    DropDomainCheck,
    MoveDomain,
    RenameDomain,
)
from ..operations.sqlutil import quote_ident
from .render import Stmt, execute, render_operation


@render_operation.register(CreateDomain)
def _(operation: CreateDomain, state: Schema) -> list[Stmt]:
    return [execute(create_sql(operation.domain, state))]


@render_operation.register(DropDomain)
def _(operation: DropDomain, state: Schema) -> list[Stmt]:
    return [execute(f"DROP DOMAIN {format_name(operation.domain.name)}")]


@render_operation.register(MoveDomain)
def _(operation: MoveDomain, state: Schema) -> list[Stmt]:
    target = quote_ident(operation.target_schema)
    return [execute(f"ALTER DOMAIN {format_name(operation.old)} SET SCHEMA {target}")]


@render_operation.register(RenameDomain)
def _(operation: RenameDomain, state: Schema) -> list[Stmt]:
    bare = format_name(split_qualified(operation.new)[1])
    return [execute(f"ALTER DOMAIN {format_name(operation.old)} RENAME TO {bare}")]


@render_operation.register(AddDomainCheck)
def _(operation: AddDomainCheck, state: Schema) -> list[Stmt]:
    # One step: NOT VALID then VALIDATE would hold the same SHARE lock on the
    # domain's tables while it scans them (PostgreSQL's validateDomainConstraint).
    name = format_name(operation.domain)
    return [execute(f"ALTER DOMAIN {name} ADD {check_sql(operation.check)}")]


@render_operation.register(DropDomainCheck)
def _(operation: DropDomainCheck, state: Schema) -> list[Stmt]:
    name = format_name(operation.domain)
    return [execute(f"ALTER DOMAIN {name} DROP CONSTRAINT {quote_name(operation.check.name)}")]


@render_operation.register(AlterDomain)
def _(operation: AlterDomain, state: Schema) -> list[Stmt]:
    old, new = operation.old, operation.new
    alter = f"ALTER DOMAIN {format_name(new.name)}"
    stmts: list[Stmt] = []
    if old.default != new.default:
        sql = default_sql(new)
        change = "DROP DEFAULT" if sql is None else f"SET DEFAULT {sql}"
        stmts.append(execute(f"{alter} {change}"))
    if old.not_null != new.not_null:
        stmts.append(execute(f"{alter} {'SET' if new.not_null else 'DROP'} NOT NULL"))
    return stmts
