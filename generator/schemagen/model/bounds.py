"""The rows a partition's bound holds, as an SQL condition over its parent's key.

A partition whose bound changes keeps its rows by a detach and an attach with the
new bound, which PostgreSQL proves on the rows. The revision proves it first, with
a CHECK of this condition validated ahead (which then spares the attach its scan),
and counts the rows outside it for the message when they are there. The condition
is written as PostgreSQL writes a partition constraint (``pg_get_partition_constraintdef``)
for a one-column range or list key, conjunct by conjunct, so that PostgreSQL sees it
implies the new constraint; a key over several columns is a row comparison, which
holds the same rows (the attach then reads them, as it would without the check).
It is never NULL: a row is inside (true) or outside (false).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .schema import Partition, PartitionKey, quote_name
from .sqltext import sql_string

_OPEN = ("MINVALUE", "MAXVALUE")


def key_terms(key: PartitionKey) -> list[str]:
    """Each key of ``key`` as SQL: a quoted column, or its expression in parentheses."""
    exprs = key.expressions or tuple(None for _ in key.columns)
    return [
        quote_name(col) if col is not None else f"({expr})"
        for col, expr in zip(key.columns, exprs, strict=True)
    ]


def bound_condition(
    key: PartitionKey,
    partition: Partition,
    parent: str = "",
    siblings: tuple[Partition, ...] = (),
) -> str:
    """The rows ``partition``'s bound holds under a parent partitioned by ``key``:
    ``parent`` (quoted) names the parent for a hash bound; a DEFAULT one holds what
    none of ``siblings`` (the parent's other partitions) holds."""
    terms = key_terms(key)
    if partition.default:
        others = [bound_condition(key, p, parent) for p in siblings if not p.default]
        return f"(NOT ({' OR '.join(others)}))" if others else "true"
    if partition.modulus is not None:
        oid = f"{sql_string(parent)}::regclass::oid"
        keys = ", ".join(terms)
        return (
            f"satisfies_hash_partition({oid}, {partition.modulus}, {partition.remainder}, {keys})"
        )
    if partition.values:
        return _listed(terms[0], partition.values)
    conjuncts = [f"({t} IS NOT NULL)" for t in terms]
    conjuncts += _side(terms, partition.start, lower=True)
    conjuncts += _side(terms, partition.end, lower=False)
    return f"({' AND '.join(conjuncts)})"


def default_condition(key: PartitionKey, siblings: tuple[Partition, ...]) -> str:
    """The rows a DEFAULT partition holds beside ``siblings`` under a one-column range or
    list ``key``, as PostgreSQL writes its partition constraint: under a range key, the
    key NULL or in no sibling's range (``NOT (k IS NOT NULL AND (range OR range ...))``);
    under a list key, the key in none of the siblings' values, in one list (NULL outside
    it where a sibling takes NULL). PostgreSQL proves that constraint from a check of
    this form, not from :func:`bound_condition`'s (``NOT`` of each sibling's own
    condition; measured on PostgreSQL 15: an attach under the DEFAULT partition read the
    partition with a check of that, not of this, under either key)."""
    (term,) = key_terms(key)
    others = [p for p in siblings if not p.default]
    if key.method == "list":
        values = [v for p in others for v in p.values]
        known = [v for v in values if v.upper() != "NULL"]
        listed = f"({term} IN ({', '.join(known)}))"
        if len(known) != len(values):  # a sibling takes NULL
            return f"(NOT (({term} IS NULL) OR {listed}))" if known else f"(NOT ({term} IS NULL))"
        return f"(NOT (({term} IS NOT NULL) AND {listed}))" if known else "true"
    ranges = [
        " AND ".join([*_side([term], p.start, lower=True), *_side([term], p.end, lower=False)])
        or "true"
        for p in others
    ]
    if not ranges:
        return "true"
    held = ranges[0] if len(ranges) == 1 else " OR ".join(f"({r})" for r in ranges)
    return f"(NOT (({term} IS NOT NULL) AND ({held})))"


def bound_within(inner: Partition, outer: Partition, kind: str | None) -> bool:
    """Whether every row ``inner``'s bound holds is one ``outer``'s holds, where that is
    known without the database: a list's values among the other's (as written), or a
    range under one key column of ``kind`` (a :class:`~schemagen.model.schema.ColumnType`
    kind: integers, numeric, date, timestamp, or timestamptz written with an offset)
    whose sides lie within the other's. ``False`` where it is not known."""
    if inner.values and outer.values:
        return set(inner.values) <= set(outer.values)
    if len(inner.start) != 1 or len(outer.start) != 1 or len(inner.end) != 1:
        return False
    low = _compared(outer.start[0], inner.start[0], kind)
    high = _compared(inner.end[0], outer.end[0], kind)
    return low is not None and high is not None and low <= 0 and high <= 0


def _compared(a: str, b: str, kind: str | None) -> int | None:
    """-1, 0 or 1 as range bound ``a`` is below, at or above ``b``, or ``None`` where
    their values cannot be compared here."""
    order = {"MINVALUE": -1, "MAXVALUE": 1}
    if a.upper() in order or b.upper() in order:
        x, y = order.get(a.upper(), 0), order.get(b.upper(), 0)
        return (x > y) - (x < y) if x != y else (0 if a.upper() == b.upper() else None)
    if a == b:
        return 0
    x, y = _value(a, kind), _value(b, kind)
    if x is None or y is None:
        return None
    return (x > y) - (x < y)


def _value(literal: str, kind: str | None) -> Any:
    """A bound's literal as a Python value of the key's kind, or ``None``."""
    text = literal[1:-1] if literal[:1] == literal[-1:] == "'" else literal
    try:
        if kind in ("smallint", "integer", "bigint", "numeric"):
            return Decimal(text)
        if kind == "date":
            return date.fromisoformat(text)
        if kind in ("timestamp", "timestamptz"):
            found = datetime.fromisoformat(text)
            # with a time zone, where PostgreSQL reads a bare one in the session's
            aware = found.tzinfo is not None
            return found if aware == (kind == "timestamptz") else None
    except (ValueError, ArithmeticError):
        return None
    return None


def _listed(term: str, values: tuple[str, ...]) -> str:
    # as PostgreSQL writes it: with NULL, no IS NOT NULL beside the list (it would then
    # not prove that a DEFAULT partition's check of NOT this condition excludes it)
    known = [v for v in values if v.upper() != "NULL"]
    listed = f"({term} IN ({', '.join(known)}))"
    if len(known) == len(values):
        return f"(({term} IS NOT NULL) AND {listed})"
    return f"(({term} IS NULL) OR {listed})" if known else f"({term} IS NULL)"


def proves_bound(key: PartitionKey) -> bool:
    """Whether PostgreSQL proves a bound under ``key`` from :func:`bound_condition`, so
    that a validated check of it (or, on a DEFAULT partition, of ``NOT`` it) spares an
    ``ATTACH PARTITION`` its read of the rows: a list key, or a range over one column.
    Over several, the condition's row comparisons are not the form PostgreSQL writes
    (measured on PostgreSQL 15: the attach reads the rows)."""
    return key.method == "list" or (key.method == "range" and len(key.columns) == 1)


def _side(terms: list[str], values: tuple[str, ...], lower: bool) -> list[str]:
    """The conjunct of one side of a range: the key at or above ``FROM``, or below
    ``TO``, compared as far as the first MINVALUE or MAXVALUE (which ends the bound:
    what follows it must be the same, validate says)."""
    open_at = next((i for i, v in enumerate(values) if v.upper() in _OPEN), len(values))
    if open_at == 0:
        unbounded = values[0].upper() == ("MINVALUE" if lower else "MAXVALUE")
        return [] if unbounded else ["false"]
    closed = open_at < len(values) and values[open_at].upper() == (
        "MINVALUE" if lower else "MAXVALUE"
    )
    # FROM (a, MINVALUE) holds a itself, FROM (a, MAXVALUE) starts after it; TO (a,
    # MAXVALUE) holds a itself, TO (a, MINVALUE) ends before it
    if lower:
        op = ">=" if open_at == len(values) or closed else ">"
    else:
        op = "<" if open_at == len(values) or not closed else "<="
    left, right = terms[:open_at], values[:open_at]
    if len(left) == 1:
        return [f"({left[0]} {op} {right[0]})"]
    return [f"(({', '.join(left)}) {op} ({', '.join(right)}))"]
