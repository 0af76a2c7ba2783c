"""Revision code for standalone sequences (registered on the dispatcher): created,
dropped, altered, renamed and moved to another PostgreSQL schema, as plain SQL.

A serial or identity column's own sequence changes with its column (``columns``).
"""

from __future__ import annotations

from ..model.schema import Schema
from ..model.sequences import alter_sql, narrowed_bounds, options_sql
from ..operations.sequence import (
    AlterSequence,
    CreateSequence,
    DropSequence,
    MoveSequence,
    RenameSequence,
)
from ..operations.sqlutil import quote_ident, quote_table, sql_literal
from .render import Stmt, bare_name, execute, render_operation
from .validation import sequence_bounds_sql


@render_operation.register(CreateSequence)
def _(operation: CreateSequence, state: Schema) -> list[Stmt]:
    seq = operation.sequence
    return [execute(f"CREATE SEQUENCE {quote_table(seq.name)} {options_sql(seq)}")]


@render_operation.register(DropSequence)
def _(operation: DropSequence, state: Schema) -> list[Stmt]:
    seq = operation.sequence
    # A serial column's sequence went with its column or table if they were dropped.
    exists = " IF EXISTS" if seq.owned_by is not None else ""
    return [execute(f"DROP SEQUENCE{exists} {quote_table(seq.name)}")]


@render_operation.register(AlterSequence)
def _(operation: AlterSequence, state: Schema) -> list[Stmt]:
    new = operation.new
    alter = execute(f"ALTER SEQUENCE {quote_table(new.name)} {alter_sql(new)}")
    bounds = narrowed_bounds(operation.old, new)
    if not bounds:
        return [alter]
    # past a new bound already: say which sequence, where it is and what to do
    name = sql_literal(quote_table(new.name))
    return [execute(sequence_bounds_sql(name, bounds)), alter]


@render_operation.register(RenameSequence)
def _(operation: RenameSequence, state: Schema) -> list[Stmt]:
    # keeps the current value; the column's nextval default names it by OID
    return [rename_sequence(operation.old, operation.new)]


@render_operation.register(MoveSequence)
def _(operation: MoveSequence, state: Schema) -> list[Stmt]:
    # keeps the current value; nextval defaults name the sequence by OID and follow
    target = quote_ident(operation.target_schema)
    return [execute(f"ALTER SEQUENCE {quote_table(operation.old)} SET SCHEMA {target}")]


def rename_sequence(old: str, new: str) -> Stmt:
    """``ALTER SEQUENCE old RENAME TO new``; the sequence stays in ``old``'s PostgreSQL schema."""
    return execute(f"ALTER SEQUENCE {quote_table(old)} RENAME TO {quote_ident(bare_name(new))}")
