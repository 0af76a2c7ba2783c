"""Queries that list the rows of a table that break one of its foreign keys or
unique constraints: what a revision's failed ``VALIDATE`` or unique index build,
and the plan's notes, hand the user."""

from __future__ import annotations

from ..model.schema import Entity, ForeignKey
from .sqlutil import quote_ident, quote_table


def partly_null_rows(table: str, fk: ForeignKey, select: str = "SELECT * FROM") -> str:
    """The rows of ``table`` whose key ``fk`` is neither all NULL nor all set."""
    cols = ", ".join(quote_ident(c) for c in fk.columns)
    some = "= 1" if len(fk.columns) == 2 else f"BETWEEN 1 AND {len(fk.columns) - 1}"
    return f"{select} {quote_table(table)} WHERE num_nulls({cols}) {some}"


def orphan_rows(table: str, fk: ForeignKey) -> str:
    """The rows of ``table`` whose key ``fk`` is all set and found in no row it references."""
    set_ = " AND ".join(f"k.{quote_ident(c)} IS NOT NULL" for c in fk.columns)
    same = " AND ".join(
        f"r.{quote_ident(ref)} = k.{quote_ident(col)}"
        for col, ref in zip(fk.columns, fk.ref_columns, strict=True)
    )
    return (
        f"SELECT k.* FROM {quote_table(table)} AS k WHERE {set_} AND NOT EXISTS "
        f"(SELECT FROM {quote_table(fk.ref_table)} AS r WHERE {same})"
    )


def may_hold_partly_null(entity: Entity, fk: ForeignKey) -> bool:
    """Whether rows of ``entity`` may hold ``fk`` (of several columns) partly NULL:
    one of its columns is nullable."""
    nullable = {c.name for c in entity.columns if c.nullable}
    return len(fk.columns) > 1 and bool(nullable & set(fk.columns))


def repeated_rows(table: str, columns: tuple[str, ...]) -> str:
    """The rows of ``table`` whose ``columns``, none NULL, another row repeats: the
    rows a unique constraint over them refuses (a row with a NULL in them repeats
    none, as the row comparison with NULL is not true)."""
    return repeated_key_rows(table, tuple(quote_ident(c) for c in columns))


def repeated_key_rows(table: str, keys: tuple[str, ...], where: str | None = None) -> str:
    """The rows of ``table`` whose ``keys`` (SQL: columns or expressions), none
    NULL, another row repeats, among the rows ``where`` (SQL) holds for: the rows a
    unique index over them (partial: ``WHERE where``) refuses."""
    cols = ", ".join(keys)
    key = cols if len(keys) == 1 else f"({cols})"
    only, also = (f" WHERE {where}", f" AND ({where})") if where else ("", "")
    return (
        f"SELECT * FROM {quote_table(table)} WHERE {key} IN (SELECT {cols} FROM "
        f"{quote_table(table)}{only} GROUP BY {cols} HAVING count(*) > 1){also}"
    )
