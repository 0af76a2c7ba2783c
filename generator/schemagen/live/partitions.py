"""Partition keys and bounds as the server prints them, for the live comparison.

``pg_get_expr(relpartbound)`` prints each bound value by its key column's type:
``'2026-01-01'`` on a timestamptz key reads ``'2026-01-01 00:00:00+00'``. Rather
than guess, every expected bound value of every partitioned table is cast to
its key column's type by the server, in one statement whatever the number of
tables, and quoted the way ``ruleutils.c`` quotes a constant (booleans, integers
that are not negative and numerics with a point bare, everything else a literal:
a bigint's ``'0'``). A value the server refuses keeps its text, so it shows up as
a difference.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import psycopg

from .shapes import TableShape

_NUMERIC = re.compile(r"^numeric\b")
_BOUND = re.compile(r"^FOR VALUES (FROM|IN) \((.*?)\)(?: TO \((.*)\))?$", re.S)
_NUMBER = re.compile(r"^[0-9][0-9+\-eE.]*$")


def key_columns(key: str) -> list[str | None]:
    """``RANGE (paid_on, region)`` -> ``["paid_on", "region"]``; None for an expression."""
    inner = key[key.index("(") + 1 : key.rindex(")")]
    return [
        part.strip().strip('"') if re.match(r'^\s*"?[\w$]+"?\s*$', part) else None
        for part in _split(inner)
    ]


def _split(text: str) -> list[str]:
    parts, depth, quote, start = [], 0, False, 0
    for i, ch in enumerate(text):
        if ch == "'":
            quote = not quote
        elif not quote and ch in "()":
            depth += 1 if ch == "(" else -1
        elif not quote and ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts


def print_bounds(
    conn: psycopg.Connection[Any], expected: dict[str, TableShape], actual: dict[str, TableShape]
) -> dict[str, TableShape]:
    """``expected`` with its partition bounds as this server prints them: the table's
    partitions' and those of each partition partitioned in turn."""
    casts: list[tuple[str, str]] = []  # (literal, type)
    # (table, partition partitioned in turn or None for the table, partition) -> plan
    plans: dict[tuple[str, str | None, str], tuple[str, list[int], list[int]]] = {}
    for name, exp in expected.items():
        act = actual.get(name)
        if act is None or exp.partition_key is None:
            continue
        levels = [(None, exp.partition_key, exp.partitions)] + [
            (part, key, exp.sub_partitions.get(part, {}))
            for part, key in sorted(exp.partition_keys.items())
        ]
        for parent, key, partitions in levels:
            columns = key_columns(key)
            types = [act.columns[c].type if c in act.columns else None for c in columns if c]
            if len(types) != len(columns) or None in types:
                continue  # an expression key, or a key column the table lacks
            for part, bound in partitions.items():
                plan = _plan(bound, [str(t) for t in types], casts)
                if plan is not None:
                    plans[(name, parent, part)] = plan
    if not casts:
        return expected
    printed = _cast(conn, casts)
    if printed is None:
        return expected
    tables = dict(expected)
    for (name, parent, part), (word, low, high) in plans.items():
        text = _bound(word, [printed[i] for i in low], [printed[i] for i in high])
        table = tables[name]
        if parent is None:
            tables[name] = replace(table, partitions={**table.partitions, part: text})
        else:
            subs = {**table.sub_partitions[parent], part: text}
            tables[name] = replace(
                table, sub_partitions={**table.sub_partitions, parent: subs}
            )
    return tables


def _plan(
    bound: str, types: list[str], casts: list[tuple[str, str]]
) -> tuple[str, list[int], list[int]] | None:
    """Register the values of one bound; (FROM or IN, indexes of the values)."""
    match = _BOUND.match(bound)
    if match is None:
        return None  # DEFAULT or WITH (modulus, remainder): printed as written
    word, first, second = match.groups()

    def register(text: str, list_values: bool) -> list[int]:
        found = []
        for number, value in enumerate(_split(text)):
            type_ = types[0] if list_values else types[number % len(types)]
            found.append(len(casts))
            casts.append((value, type_))
        return found

    low = register(first, word == "IN")
    high = register(second, False) if second is not None else []
    return word, low, high


def _cast(conn: psycopg.Connection[Any], casts: list[tuple[str, str]]) -> list[str] | None:
    """Each literal cast to its type and printed as a partition bound prints it."""
    items = [
        value if value in ("MINVALUE", "MAXVALUE", "NULL") else f"(({value})::{type_})::text"
        for value, type_ in casts
    ]
    sql = "SELECT ARRAY[" + ", ".join(
        f"'{i}'" if i in ("MINVALUE", "MAXVALUE", "NULL") else i for i in items
    ) + "]::text[]"
    try:
        with conn.transaction(), conn.cursor() as cur:
            cur.execute(sql.encode())
            row = cur.fetchone()
    except psycopg.errors.QueryCanceled:
        raise
    except psycopg.DatabaseError:
        return None
    assert row is not None
    return [_quoted(text, value, type_) for text, (value, type_) in zip(row[0], casts, strict=True)]


def _quoted(text: str, written: str, type_: str) -> str:
    """A bound's value as ``get_const_expr`` prints it without type labels: a boolean,
    an ``integer`` not negative, a ``numeric`` with a point or an exponent bare (it
    would read back as its type); any other a literal (``'0'`` of a bigint, ``'-3'``,
    ``'5'`` of a numeric)."""
    if written in ("MINVALUE", "MAXVALUE", "NULL"):
        return written
    if type_ == "boolean" or (type_ == "integer" and text.isdigit()):
        return text
    if _NUMERIC.match(type_) and _NUMBER.match(text) and any(c in text for c in ".eE"):
        return text
    return "'" + text.replace("'", "''") + "'"


def _bound(word: str, low: list[str], high: list[str]) -> str:
    if word == "IN":
        return f"FOR VALUES IN ({', '.join(low)})"
    return f"FOR VALUES FROM ({', '.join(low)}) TO ({', '.join(high)})"
