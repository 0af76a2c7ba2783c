"""Revision code for enum types (registered on the dispatcher).

A type is created, dropped or moved, and a value added in place (``ALTER TYPE ...
ADD VALUE``, in a revision of its own). A value dropped, or the values replaced,
rebuild the type (``swap_enum``) with the columns, indexes, checks, views,
triggers and policies that use it.
"""

from __future__ import annotations

from ..model import routinesql, security
from ..model.routines import Trigger, View, view_order
from ..model.schema import Schema
from ..operations.schema import (
    AddEnumValue,
    CreateEnum,
    DropEnum,
    DropEnumValue,
    EnumUsage,
    MoveEnum,
    ReplaceEnum,
)
from ..operations.sqlutil import quote_ident, quote_table, quote_type, sql_literal
from .constraints import add_constraint, drop_constraint
from .indexes import create_index, drop_index
from .render import Rendered, Stmt, bare_name, execute, render_operation


def _enum_values_sql(values: tuple[str, ...]) -> str:
    return ", ".join(sql_literal(v) for v in values)


@render_operation.register(CreateEnum)
def _(operation: CreateEnum, state: Schema) -> list[Stmt]:
    en = operation.enum
    return [
        execute(
            f"CREATE TYPE {quote_type(en.db_name)} AS ENUM ({_enum_values_sql(en.value_names)})"
        )
    ]


@render_operation.register(DropEnum)
def _(operation: DropEnum, state: Schema) -> list[Stmt]:
    return [execute(f"DROP TYPE {quote_type(operation.enum.db_name)}")]


@render_operation.register(MoveEnum)
def _(operation: MoveEnum, state: Schema) -> list[Stmt]:
    target = quote_ident(operation.target_schema)
    return [execute(f"ALTER TYPE {quote_type(operation.old)} SET SCHEMA {target}")]


@render_operation.register(AddEnumValue)
def _(operation: AddEnumValue, state: Schema) -> Rendered:
    where = ""
    if operation.before is not None:
        where = f" BEFORE {sql_literal(operation.before)}"
    elif operation.after is not None:
        where = f" AFTER {sql_literal(operation.after)}"
    sql = (
        f"ALTER TYPE {quote_type(operation.enum)} ADD VALUE IF NOT EXISTS "
        f"{sql_literal(operation.value)}{where}"
    )
    # A value added in a transaction cannot be used before it commits: the
    # enum-values revision holds these alone (operations.stages).
    return Rendered((execute(sql),))


@render_operation.register(DropEnumValue)
def _(operation: DropEnumValue, state: Schema) -> list[Stmt]:
    return swap_enum(operation.enum, operation.remaining, operation.usages, state)


@render_operation.register(ReplaceEnum)
def _(operation: ReplaceEnum, state: Schema) -> list[Stmt]:
    return swap_enum(operation.enum, operation.new_values, operation.usages, state)


def swap_enum(
    enum: str, values: tuple[str, ...], usages: tuple[EnumUsage, ...], state: Schema
) -> list[Stmt]:
    """Rebuild an enum type: rename the old one, create the new, cast each column, drop.

    PostgreSQL refuses to change the type of a column that a view reads, a
    trigger's ``WHEN`` or a policy's expression names, so those (as ``state`` has
    them at this point of the revision, upgrade or downgrade) are dropped first
    and made again last.
    """
    tables = {use.table for use in usages}
    views, triggers = enum_dependents(state, tables)
    policies = [p for p in state.policies if security.reads_any(p, tables)]
    old = f"{enum}__old"
    stmts: list[Stmt] = [execute(security.drop_policy(p)) for p in policies]
    stmts += [execute(routinesql.drop_trigger(tg)) for tg in triggers]
    stmts += [execute(routinesql.drop_view(view)) for view in reversed(views)]
    stmts += [
        execute(f"ALTER TYPE {quote_type(enum)} RENAME TO {quote_ident(bare_name(old))}"),
        execute(f"CREATE TYPE {quote_type(enum)} AS ENUM ({_enum_values_sql(values)})"),
    ]
    indexes = {(u.table, ix.name): (u.table, ix) for u in usages for ix in u.indexes}
    checks = {(u.table, ck.name): (u.table, ck) for u in usages for ck in u.checks}
    stmts += [drop_index(table, ix, concurrently=False) for table, ix in indexes.values()]
    stmts += [drop_constraint(table, ck) for table, ck in checks.values()]
    for use in usages:
        alter = f"ALTER TABLE {quote_table(use.table)} ALTER COLUMN {quote_ident(use.column)}"
        target = quote_type(enum) + ("[]" if use.array else "")
        through = "::text[]" if use.array else "::text"
        if use.default_sql is not None:
            stmts.append(execute(f"{alter} DROP DEFAULT"))
        stmts.append(
            execute(f"{alter} TYPE {target} USING {quote_ident(use.column)}{through}::{target}")
        )
        if use.default_sql is not None:
            stmts.append(execute(f"{alter} SET DEFAULT {use.default_sql}"))
    stmts += [add_constraint(table, ck) for table, ck in checks.values()]
    stmts += [create_index(table, ix, concurrently=False) for table, ix in indexes.values()]
    stmts.append(execute(f"DROP TYPE {quote_type(old)}"))
    stmts += [execute(sql) for view in views for sql in routinesql.view_statements(view)]
    stmts += [execute(sql) for tg in triggers for sql in routinesql.trigger_statements(tg)]
    stmts += [execute(sql) for p in policies for sql in security.policy_statements(p)]
    return stmts


def enum_dependents(state: Schema, tables: set[str]) -> tuple[list[View], list[Trigger]]:
    """The views that read ``tables`` (or such a view, at any depth), in creation
    order, and the triggers on ``tables`` with a ``WHEN`` condition."""
    reading = set(tables)
    views: list[View] = []
    for view in view_order(list(state.views)):
        if reading & set(view.reads):
            views.append(view)
            reading.add(view.view)
    triggers = [tg for tg in state.triggers if tg.table in tables and tg.when is not None]
    return views, triggers
