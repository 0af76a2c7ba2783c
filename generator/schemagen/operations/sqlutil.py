"""SQL text helpers for revisions: identifier quoting and literals."""

from __future__ import annotations

import functools
from typing import Any

from ..validate.sql import SqlSyntaxError, column_positions, parse_expression


def quote_ident(name: str) -> str:
    """Quote ``name`` only where PostgreSQL needs it (reserved words, capitals)."""
    return str(_preparer().quote(name))


@functools.cache
def _preparer() -> Any:
    # SQLAlchemy is imported when a name is first quoted, not by every command that
    # imports the operations: ``plan`` with nothing to change quotes nothing.
    from sqlalchemy.dialects import postgresql

    return postgresql.dialect().identifier_preparer


def quote_table(name: str) -> str:
    """A table, type or sequence as the model keys it (``billing.invoices``, see
    :func:`schemagen.model.naming.qualify`), quoted part by part."""
    return ".".join(quote_ident(part) for part in name.split("."))


def quote_type(name: str) -> str:
    """A type (``billing.status``) where it stands as a column's type or in a cast,
    quoted by PostgreSQL's own rule (:func:`schemagen.model.naming.format_name`):
    :func:`quote_table` leaves ``position`` bare, which a type name cannot be."""
    from ..model.naming import format_name

    return format_name(name)


def sql_literal(value: str) -> str:
    """A standard SQL string literal: single quotes doubled."""
    return "'" + value.replace("'", "''") + "'"


def rename_identifier(sql: str, old: str, new: str) -> str:
    """Rename the column ``old`` in an SQL expression, as PostgreSQL's stored
    expression shows it after ``RENAME COLUMN``: the column references of the
    parse tree, bare or quoted; strings, functions and other words stay."""
    try:
        tree = parse_expression(sql)
    except SqlSyntaxError:
        return sql  # validate reports it; a snapshot from before that check stays as is
    starts = sorted(
        {_last_part(sql, start, len(parts)) for start, parts in column_positions(tree)
         if parts[-1] == old}
    )  # fmt: skip
    out, done = [], 0
    for start in starts:
        if sql.startswith(f'"{old}"', start):
            token, renamed = f'"{old}"', f'"{new}"'
        elif sql[start : start + len(old)].lower() == old:
            token, renamed = sql[start : start + len(old)], new
        else:
            continue
        out += [sql[done:start], renamed]
        done = start + len(token)
    return "".join(out) + sql[done:]


def _last_part(sql: str, start: int, parts: int) -> int:
    """Where the last name of a reference with ``parts`` dotted names starts."""
    pos = start
    for _ in range(parts - 1):
        if sql.startswith('"', pos):
            pos = sql.index('"', pos + 1) + 1
            while sql.startswith('"', pos):  # a doubled quote inside the name
                pos = sql.index('"', pos + 1) + 1
        else:
            while pos < len(sql) and (sql[pos].isalnum() or sql[pos] in "_$"):
                pos += 1
        pos = sql.index(".", pos) + 1
        while sql[pos].isspace():
            pos += 1
    return pos


def identity_sequence(table: str, column: str) -> str:
    """The name PostgreSQL gives the sequence of an identity column."""
    return f"{table}_{column}_seq"
