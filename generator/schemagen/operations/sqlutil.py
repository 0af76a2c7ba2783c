"""SQL text helpers for revisions: identifier quoting and literals."""

from __future__ import annotations

import re

from sqlalchemy.dialects import postgresql

_PREPARER = postgresql.dialect().identifier_preparer


def quote_ident(name: str) -> str:
    """Quote ``name`` only where PostgreSQL needs it (reserved words, capitals)."""
    return str(_PREPARER.quote(name))


def sql_literal(value: str) -> str:
    """A standard SQL string literal: single quotes doubled."""
    return "'" + value.replace("'", "''") + "'"


# Quoted strings and identifiers, or a bare word.
_SQL_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|[A-Za-z_][A-Za-z0-9_$]*")


def rename_identifier(sql: str, old: str, new: str) -> str:
    """Rename the bare or quoted identifier ``old`` in an SQL expression, leaving
    string literals alone: what PostgreSQL's stored expression shows after
    ``RENAME COLUMN``."""

    def swap(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == old or token == f'"{old}"':
            return new if token == old else f'"{new}"'
        return token

    return _SQL_TOKEN.sub(swap, sql)


def identity_sequence(table: str, column: str) -> str:
    """The name PostgreSQL gives the sequence of an identity column."""
    return f"{table}_{column}_seq"
