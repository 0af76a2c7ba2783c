"""Revision code for row-level security (registered on the dispatcher).

The statements come from :mod:`schemagen.model.security`, the same text
``create_all`` of the models sends; the user's expressions reach a revision
only inside string literals passed to ``op.execute``.
"""

from __future__ import annotations

from ..model import security as ddl
from ..model.schema import Schema
from ..operations.security import AlterPolicy, CreatePolicy, DropPolicy, SetRowSecurity
from .render import Stmt, execute, render_operation


@render_operation.register(SetRowSecurity)
def _(operation: SetRowSecurity, state: Schema) -> list[Stmt]:
    statements = ddl.row_security_statements(operation.table, operation.old, operation.new)
    return [execute(sql) for sql in statements]


@render_operation.register(CreatePolicy)
def _(operation: CreatePolicy, state: Schema) -> list[Stmt]:
    return [execute(sql) for sql in ddl.policy_statements(operation.policy)]


@render_operation.register(AlterPolicy)
def _(operation: AlterPolicy, state: Schema) -> list[Stmt]:
    return [execute(sql) for sql in ddl.alter_policy(operation.old, operation.new)]


@render_operation.register(DropPolicy)
def _(operation: DropPolicy, state: Schema) -> list[Stmt]:
    return [execute(ddl.drop_policy(operation.policy))]
