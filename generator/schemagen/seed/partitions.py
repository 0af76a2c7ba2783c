"""Rows that fall into the partitions of a partitioned table.

PostgreSQL refuses a row that no partition takes. With a DEFAULT partition every
row has a place and nothing changes; a hash-partitioned table whose partitions
cover every remainder takes any value. Otherwise seed gives the (single) key
column a value generator that sends row ``n`` to partition ``n mod k`` (the
partitions in name order): a listed value, or a value inside the range, spread
by ``r`` where the type allows (numbers, dates, timestamps; text takes the lower
bound, which is in the range). A range open at one end (``MINVALUE``, ``MAXVALUE``)
takes values within a year or 1,000 of its other bound, one open at both from seed's
start (EPOCH, or 0); integers are reckoned in numeric and kept within their type,
and a numeric of a fixed scale is cut to it (rounded, it could reach the upper bound).
A key over several columns or an expression, and a key column that alone carries a
unique key, stop the seed with a message that names the table and asks for a value
generator (``seed: {sql: ...}``), as does a partition partitioned in turn that does
not take every row (seed routes rows by the table's key alone), unless its key
columns have generators of the user's.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

from ..errors import SchemagenError
from ..model.schema import (
    INTEGER_TYPES,
    Column,
    Entity,
    Partition,
    PartitionKey,
    Schema,
    SeedHint,
    partition_tree,
    sorted_named,
)
from ..model.typemap import pg_type
from .random import EPOCH

#: Width of an open range's side (MINVALUE / MAXVALUE), per kind of key column.
_SPAN = {"date": "365", "timestamp": "interval '365 days'", "timestamptz": "interval '365 days'"}
#: Where rows of a range open at both ends (MINVALUE to MAXVALUE) start: seed's times
#: start at EPOCH (numbers at 0).
_START = {
    "date": "date '2025-01-01'",
    "timestamp": "timestamp '2025-01-01 00:00:00'",
    "timestamptz": EPOCH,
}
#: The least and the most value of each integer type.
_INTEGER_LIMITS = {
    "smallint": (-(2**15), 2**15 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "bigint": (-(2**63), 2**63 - 1),
}


def routed(schema: Schema, ent: Entity, error: type[SchemagenError]) -> Entity:
    """``ent`` with a key-column generator that puts every row in some partition."""
    key = ent.partition_by
    if key is None:
        return ent
    _check_sub_partitions(ent, error)
    if any(p.default for p in ent.partitions) or _covered(key, ent.partitions):
        return ent
    column = ent.column(key.columns[0]) if len(key.columns) == 1 and key.columns[0] else None
    if column is not None and column.seed is not None and column.seed.sql:
        return ent  # the user's generator answers for it
    unique = {ent.primary_key.columns, *(u.columns for u in ent.uniques)}
    if column is None or (column.name,) in unique or key.method == "hash" or not ent.partitions:
        raise error(
            f"cannot seed {ent.table}: no partition takes every row (no DEFAULT partition) "
            f"and seed cannot route rows by {key.sql()}. Add a DEFAULT partition, or give "
            f"the key a value generator under entities.{ent.name}.columns.<column>: "
            'seed: {sql: "<SQL over n and r giving a value some partition takes>"}'
        )
    type_ = pg_type(column.type, schema)
    parts = sorted_named(ent.partitions)
    cases = " ".join(
        f"WHEN {number} THEN {_value(column, type_, part)}" for number, part in enumerate(parts)
    )
    sql = f"CASE (n % {len(parts)}) {cases} END"
    seeded = dataclasses.replace(
        column, seed=dataclasses.replace(column.seed or SeedHint(), sql=sql)
    )
    columns = tuple(seeded if c.name == column.name else c for c in ent.columns)
    return dataclasses.replace(ent, columns=columns)


def _covered(key: PartitionKey, partitions: tuple[Partition, ...]) -> bool:
    """Hash partitions whose remainders cover every hash value."""
    if key.method != "hash":
        return False
    share = sum(Fraction(1, p.modulus) for p in partitions if p.modulus)
    return share == 1


def _chained(key: PartitionKey, partitions: tuple[Partition, ...]) -> bool:
    """Range partitions that follow one another from MINVALUE to MAXVALUE, each
    starting where another ends (the same literal): together they take every row."""
    if key.method != "range":
        return False
    following = {p.start: p.end for p in partitions if p.start}
    at, seen = tuple("MINVALUE" for _ in key.columns), set()
    while at in following and at not in seen:
        seen.add(at)
        at = following[at]
    return at == tuple("MAXVALUE" for _ in key.columns)


def _takes_every_row(key: PartitionKey, partitions: tuple[Partition, ...]) -> bool:
    return (
        any(p.default for p in partitions)
        or _covered(key, partitions)
        or _chained(key, partitions)
    )


def _check_sub_partitions(ent: Entity, error: type[SchemagenError]) -> None:
    """A partition partitioned in turn takes a row only where one of its own does:
    seed routes rows by the table's key alone, so each such partition must take
    every row (a DEFAULT partition, hash partitions covering every remainder, or
    ranges from MINVALUE to MAXVALUE), or its key columns must have the user's value
    generators."""
    for _, part in partition_tree(ent.partitions):
        key = part.partition_by
        if key is None or _takes_every_row(key, part.partitions):
            continue
        seeded = all(
            c is not None and ent.has_column(c) and (ent.column(c).seed or SeedHint()).sql
            for c in key.columns
        )
        if not seeded:
            raise error(
                f"cannot seed {ent.table}: its partition {part.name} is partitioned by "
                f"{key.sql()} and none of its partitions takes every row (no DEFAULT "
                "partition), and seed routes rows by the table's key alone. Add a DEFAULT "
                f"partition under entities.{ent.name}.partitions.{part.name}, or give its key "
                f"columns a value generator under entities.{ent.name}.columns.<column>: "
                'seed: {sql: "<SQL over n and r giving a value some partition takes>"}'
            )


def _value(column: Column, type_: str, part: Partition) -> str:
    if part.values:
        values = [v for v in part.values if v != "NULL"] or ["NULL"]
        return f"({values[0]})::{type_}"
    low, high = part.start[0], part.end[0]
    kind = column.type.kind
    if kind in INTEGER_TYPES:
        return _integer(type_, kind, low, high)
    span = _SPAN.get(kind, "1000")
    lo = f"({low})::{type_}" if low != "MINVALUE" else f"(({high})::{type_} - {span})"
    hi = f"({high})::{type_}" if high != "MAXVALUE" else f"(({low})::{type_} + {span})"
    if low == "MINVALUE" and high == "MAXVALUE":
        # no bound to start from: seed's own start (its times start at EPOCH)
        lo = _START.get(kind, "0")
        hi = f"({lo} + {span})"
    if kind == "numeric" and column.type.scale is not None:
        # cut to the column's scale, not rounded by the cast: rounded, a value just
        # below the upper bound reaches it (10 + 0.01 * 0.5 is 10.01 in numeric(12,2))
        scale = column.type.scale
        return f"trunc({lo} + ({hi} - {lo}) * r::numeric, {scale})::{type_}"
    if kind in ("numeric", "float", "double"):
        return f"({lo} + ({hi} - {lo}) * r::numeric)::{type_}"
    if kind == "date":
        return f"({lo} + floor(({hi} - {lo}) * r)::integer)"
    if kind in ("timestamp", "timestamptz"):
        return f"({lo} + ({hi} - {lo}) * r)"
    # text and the rest: the lower bound is in the range; below any upper bound, ''
    return lo if low != "MINVALUE" else f"''::{type_}"


def _integer(type_: str, kind: str, low: str, high: str) -> str:
    """A value of an integer range, reckoned in numeric and kept within the type: in
    the type's own arithmetic a range wider than half the type (``FROM (-2147483000) TO
    (2147483000)``) or an open side within 1,000 of its least or most value (``FROM
    (MINVALUE) TO (-32000)`` on a smallint) was out of range."""
    least, most = _INTEGER_LIMITS[kind]
    lo = f"({low})::numeric" if low != "MINVALUE" else None
    hi = f"({high})::numeric" if high != "MAXVALUE" else None
    if lo is None and hi is None:
        lo, hi = "0", "1000"
    elif lo is None:
        lo = f"greatest({hi} - 1000, {least})"
    elif hi is None:
        hi = f"least({lo} + 1000, {most + 1})"
    return f"({lo} + floor(({hi} - {lo}) * r::numeric))::{type_}"
