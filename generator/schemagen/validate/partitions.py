"""Checks of partitioned tables: ``partition_by:`` and the ``partitions:`` bounds.

What PostgreSQL would refuse in ``alembic upgrade`` is a located error here: a
bound of the wrong kind for the method, two bounds that overlap (range bounds
compared by the key columns' types, text only in the C collation, else ranges
that share an end; list values; hash moduli and remainders),
an empty range, two DEFAULT partitions, and a primary key or unique constraint
that leaves out a partition-key column; at every level: the table's partitions,
and those of a partition partitioned in turn (a sub-partitioned one).
"""

from __future__ import annotations

import datetime
import decimal
import math
from collections.abc import Callable
from typing import Any

from ..language.messages import did_you_mean
from ..model import naming
from ..model.schema import (
    INTEGER_TYPES,
    Column,
    Entity,
    Partition,
    PartitionKey,
    Schema,
    partition_tree,
)
from ..source.loader import Sources, YamlPath, mapping
from .excludes import SqlCheck
from .names import check_unqualified
from .reporter import Reporter

#: What each method's bound says, in the YAML's words.
_BOUND_WORDS = {
    "range": "`from:` and `to:` (or `default: true`)",
    "list": "`in:` (or `default: true`)",
    "hash": "`modulus:` and `remainder:`",
}
_KEYS = {"range": ("from", "to"), "list": ("in",), "hash": ("modulus", "remainder")}
#: Where a partition lives, said for a name holding a dot or a double quote: a
#: partition ``s.v`` was made as ``CREATE TABLE s.v PARTITION OF ...``, in schema s.
_PARTITION_HOME = "a partition lives in its table's PostgreSQL schema"


def partition_path(names: tuple[str, ...]) -> YamlPath:
    """The YAML path of a partition below its entity, by the names of the partitions
    from the table's own down to it: ``partitions.p_2026.partitions.p_2026_eu``."""
    return tuple(step for name in names for step in ("partitions", name))


def check_partition_references(
    report: Reporter,
    base: YamlPath,
    spec: dict[str, Any],
    names: list[str],
    table: str,
    check_sql_columns: SqlCheck,
) -> None:
    """Partition names hold no dot nor double quote and fit in 63 bytes (any other
    character is quoted where it is written: ``"payments 2026"``), key columns exist, key
    expressions name only the table's columns, and ``partitions:`` come with a
    ``partition_by:``: the table's, and those of each partition partitioned in turn
    (``spec`` a partition's entry, at ``base``)."""
    for name, entry in mapping(spec.get("partitions")).items():
        where = (*base, "partitions", str(name))
        check_unqualified(report, where, name, "partition", home=_PARTITION_HOME)
        if naming.too_long(str(name)):
            # PostgreSQL cut it to 63 bytes: check --database then called the partition
            # missing and the cut one extra, at head
            size = len(str(name).encode("utf-8"))
            report.error(
                where,
                f"partition name '{name}' is {size} bytes, longer than PostgreSQL's "
                f"{naming.MAX_IDENTIFIER_BYTES}-byte limit for names",
            )
        if isinstance(entry, dict):
            check_partition_references(report, where, entry, names, table, check_sql_columns)
    key = mapping(spec.get("partition_by"))
    for method, items in key.items():
        for number, item in enumerate(items if isinstance(items, list) else []):
            where = (*base, "partition_by", str(method), str(number))
            if isinstance(item, dict) and isinstance(item.get("expression"), str):
                check_sql_columns(report, where, item["expression"], names, table)
            elif isinstance(item, str) and item not in names:
                report.error(where, f"unknown column '{item}'{did_you_mean(item, names)}")
    if spec.get("partitions") and not key:
        report.error(
            (*base, "partitions"),
            "partitions need a partition key: add partition_by: {range: [...]}",
        )


def check_partitions(schema: Schema, entity: Entity, src: Sources, report: Reporter) -> None:
    """Bounds of the right kind that do not overlap, and keys that include the partition
    key: the table's, and those of each partition partitioned in turn (PostgreSQL
    enforces a key per partition at every level, so it must hold every level's key)."""
    key = entity.partition_by
    if key is None:
        return
    base: YamlPath = ("entities", entity.name)
    _check_level(entity, key, entity.partitions, base, report)
    for above, part in partition_tree(entity.partitions):
        if part.partition_by is not None:
            path = (*base, *partition_path((*above, part.name)))
            _check_level(entity, part.partition_by, part.partitions, path, report)
    if entity.excludes:
        report.error(
            (*base, "exclude"), "PostgreSQL 15 has no exclusion constraints on partitioned tables"
        )


def _check_level(
    entity: Entity,
    key: PartitionKey,
    partitions: tuple[Partition, ...],
    base: YamlPath,
    report: Reporter,
) -> None:
    """One partitioned table's (or partition's, at ``base``) key and its partitions."""
    _check_keys(entity, key, base, report)
    defaults = [p for p in partitions if p.default]
    for extra in defaults[1:]:
        report.error(
            (*base, "partitions", extra.name),
            f"a second DEFAULT partition ({defaults[0].name} is one); a table has at most one",
        )
    good = [p for p in partitions if _right_kind(entity, key, p, base, report)]
    if key.method == "range":
        _check_ranges(entity, key, good, base, report)
    elif key.method == "list":
        _check_lists(good, base, report)
    else:
        _check_hashes(good, base, report)


def _check_keys(entity: Entity, key: PartitionKey, base: YamlPath, report: Reporter) -> None:
    if key.method == "list" and len(key.columns) > 1:
        report.error(
            (*base, "partition_by", "list"), "a list partition key has one column or expression"
        )
    keys = [(entity.primary_key.name, entity.primary_key.columns)] if entity.has_primary_key else []
    keys += [(u.name, u.columns) for u in entity.uniques]
    keys += [(ix.name, ix.columns) for ix in entity.indexes if ix.unique]
    for name, columns in keys:
        if any(c is None for c in key.columns):
            missing = "an expression (a unique key cannot include one)"
        else:
            left = [c for c in key.columns if c not in columns]
            if not left:
                continue
            missing = "column " + ", ".join(str(c) for c in left)
        report.error(
            (*base, "partition_by"),
            f"{name} ({', '.join(columns)}) must include every partition-key column: "
            f"PostgreSQL enforces a primary key or unique per partition; it leaves out {missing}",
        )


def _right_kind(
    entity: Entity, key: PartitionKey, p: Partition, base: YamlPath, report: Reporter
) -> bool:
    path = (*base, "partitions", p.name)
    given = {
        "from": bool(p.start),
        "to": bool(p.end),
        "in": bool(p.values),
        "modulus": p.modulus is not None,
        "remainder": p.remainder is not None,
    }
    wanted = _KEYS[key.method]
    wrong = [k for k, present in given.items() if present and k not in wanted]
    if p.default and key.method == "hash":
        wrong.append("default")
    if (
        wrong
        or (not p.default and not all(given[k] for k in wanted))
        or (p.default and any(given.values()))
    ):
        report.error(
            path,
            f"a partition of a {key.method}-partitioned table takes "
            f"{_BOUND_WORDS[key.method]}"
            + (f", not {', '.join(f'`{w}:`' for w in wrong)}" if wrong else ""),
        )
        return False
    if key.method == "range" and not p.default:
        for word, values in (("from", p.start), ("to", p.end)):
            if len(values) != len(key.columns):
                report.error(
                    (*path, word),
                    f"{len(values)} value(s) for a partition key of {len(key.columns)}",
                )
                return False
    if key.method == "hash" and p.remainder is not None and p.modulus is not None:
        if p.remainder >= p.modulus:
            report.error((*path, "remainder"), "the remainder must be less than the modulus")
            return False
    return True


# --- overlaps -----------------------------------------------------------------------


def _parser(col: Column | None) -> Callable[[str], Any] | None:
    """Turns a bound literal into a comparable Python value, by the key column's type;
    None where Python cannot order values as PostgreSQL does (text: collations)."""
    if col is None:
        return None
    kind = col.type.kind
    if kind in INTEGER_TYPES:
        # '0' is an integer to PostgreSQL as 0 is (it prints a bigint's bound so)
        return lambda text: int(_unquote(text))
    if kind in ("numeric", "float", "double"):
        return decimal.Decimal
    if kind == "date":
        return lambda text: datetime.date.fromisoformat(_unquote(text))
    if kind in ("timestamp", "timestamptz"):
        return _timestamp
    if kind in ("string", "text") and col.type.collation in ("C", "POSIX"):
        return _unquote  # byte order: UTF-8 sorts as code points do
    return None


def _unquote(text: str) -> str:
    return text[1:-1].replace("''", "'") if text.startswith("'") else text


def _timestamp(text: str) -> datetime.datetime:
    value = datetime.datetime.fromisoformat(_unquote(text))
    return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)


def _comparable(values: tuple[str, ...], parsers: list[Callable[[str], Any]]) -> tuple[Any, ...]:
    """(rank, value) per key column: MINVALUE sorts first, MAXVALUE last."""
    out = []
    for text, parse in zip(values, parsers, strict=True):
        if text == "MINVALUE":
            out.append((0, 0))
        elif text == "MAXVALUE":
            out.append((2, 0))
        else:
            out.append((1, parse(text)))
    return tuple(out)


def _check_ranges(
    entity: Entity, key: PartitionKey, parts: list[Partition], base: YamlPath, report: Reporter
) -> None:
    columns = [entity.column(c) if c and entity.has_column(c) else None for c in key.columns]
    maybe = [_parser(col) for col in columns]
    if any(p is None for p in maybe):
        # text (its collation orders it) or an expression: only the database orders
        # them, but two non-empty ranges that share an end overlap in any order
        _check_shared_ends([p for p in parts if not p.default], base, report)
        return
    parsers = [p for p in maybe if p is not None]
    bounds = []
    for part in (p for p in parts if not p.default):
        path = (*base, "partitions", part.name)
        try:
            low, high = _comparable(part.start, parsers), _comparable(part.end, parsers)
        except (ValueError, decimal.InvalidOperation):
            kinds = ", ".join(str(c.type.kind) for c in columns if c is not None)
            report.error(path, f"a bound value is not a {kinds} value")
            continue
        if not low < high:
            report.error(path, "an empty range: `from` must be below `to`")
            continue
        bounds.append((low, high, part.name))
    bounds.sort()
    for (_, high, first), (low, _, second) in zip(bounds, bounds[1:], strict=False):
        if low < high:
            report.error(
                (*base, "partitions", second, "from"),
                f"partition {second} overlaps partition {first}",
            )


def _check_shared_ends(parts: list[Partition], base: YamlPath, report: Reporter) -> None:
    seen: dict[tuple[str, tuple[str, ...]], str] = {}
    for part in parts:
        for word, values in (("from", part.start), ("to", part.end)):
            first = seen.setdefault((word, values), part.name)
            if first != part.name:
                report.error(
                    (*base, "partitions", part.name, word),
                    f"partition {part.name} overlaps partition {first} (the same `{word}:`)",
                )
                break


def _check_lists(parts: list[Partition], base: YamlPath, report: Reporter) -> None:
    owner: dict[str, str] = {}
    for part in parts:
        for value in part.values:
            if value in owner and owner[value] != part.name:
                report.error(
                    (*base, "partitions", part.name, "in"),
                    f"value {value} is also in partition {owner[value]}",
                )
            owner.setdefault(value, part.name)


def _check_hashes(parts: list[Partition], base: YamlPath, report: Reporter) -> None:
    seen: list[tuple[int, int, str]] = []
    for part in sorted(parts, key=lambda p: (p.modulus or 0, p.name)):
        assert part.modulus is not None and part.remainder is not None
        path = (*base, "partitions", part.name)
        for modulus, remainder, name in seen:
            if part.modulus % modulus:
                report.error(
                    (*path, "modulus"),
                    f"modulus {part.modulus} is not a multiple of {modulus} (partition {name}); "
                    "PostgreSQL needs each modulus to divide the next larger one",
                )
                break
            if part.remainder % math.gcd(modulus, part.modulus) == remainder % modulus:
                report.error(path, f"partition {part.name} overlaps partition {name}")
                break
        seen.append((part.modulus, part.remainder, part.name))
