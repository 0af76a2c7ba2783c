"""SQL text helpers for revisions: identifier quoting and literals."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql

_PREPARER = postgresql.dialect().identifier_preparer


def quote_ident(name: str) -> str:
    """Quote ``name`` only where PostgreSQL needs it (reserved words, capitals)."""
    return str(_PREPARER.quote(name))


def sql_literal(value: str) -> str:
    """A standard SQL string literal: single quotes doubled."""
    return "'" + value.replace("'", "''") + "'"


def identity_sequence(table: str, column: str) -> str:
    """The name PostgreSQL gives the sequence of an identity column."""
    return f"{table}_{column}_seq"
