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


def sorted_key_rows(
    table: str,
    keys: tuple[str, ...],
    operators: tuple[tuple[str, str] | None, ...],
    where: str | None = None,
    *,
    nulls_distinct: bool = True,
    for_format: bool = False,
) -> str:
    """The rows of ``table`` whose ``keys`` (SQL) another row repeats, as a unique
    index compares them, where GROUP BY cannot: ``operators`` gives, per key, the
    ``(less than, equals)`` of its operator class (``OPERATOR(pg_catalog.~<~)``),
    None for its type's own ``<`` and ``=``; with ``nulls_distinct`` false (NULLS
    NOT DISTINCT) two NULLs are equal. Sorted by the keys under those operators,
    rows equal under them are neighbours (a btree class's order agrees with its
    equality), so a row repeats when it equals the row before or after it on
    every key. Rows are told apart by (tableoid, ctid): a partitioned table's
    ctids repeat across partitions. ``for_format``: every ``%`` of the text is
    doubled (it is a template of ``format()``, whose ``%n$s`` give the operators)."""

    def text(sql: str) -> str:
        return sql.replace("%", "%%") if for_format else sql

    order, sides = [], []
    for key, ops in zip(keys, operators, strict=True):
        order.append(text(key) if ops is None else f"{text(key)} USING {ops[0]}")
    for side in ("lag", "lead"):
        equal = []
        for key, ops in zip(keys, operators, strict=True):
            near = f"{side}({text(key)}) OVER w"
            same = f"{text(key)} {'=' if ops is None else ops[1]} {near}"
            if not nulls_distinct:  # both NULL, or both set and equal
                null = f"(({text(key)}) IS NULL)"
                same = f"{null} = {side}({null}) OVER w AND ({null} OR {same})"
            equal.append(f"({same})")
        sides.append(" AND ".join(equal))
    conditions = [f"({text(where)})"] if where else []
    if nulls_distinct:  # a row with a NULL key repeats none
        conditions.append(f"num_nulls({', '.join(text(k) for k in keys)}) = 0")
    only = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    name = text(quote_table(table))
    return (
        f"SELECT * FROM {name} WHERE (tableoid, ctid) IN (SELECT tableoid, ctid FROM "
        f"(SELECT tableoid, ctid, ({sides[0]}) OR ({sides[1]}) AS repeated FROM {name}{only} "
        f"WINDOW w AS (ORDER BY {', '.join(order)})) AS k WHERE repeated)"
    )
