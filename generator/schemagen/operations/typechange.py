"""Column type changes: which are safe widenings, and the ``USING`` cast PostgreSQL needs.

Types here come from a DDL view, where ``ColumnType.enum`` is already the
PostgreSQL type name.
"""

from __future__ import annotations

import dataclasses

from ..model.casts import cast_context
from ..model.schema import ColumnType
from ..model.temporal import TEMPORAL_KINDS, typmod_noop
from .sqlutil import quote_ident, quote_type

_INT_RANK = {"smallint": 1, "integer": 2, "bigint": 3}
_INT_DIGITS = {"smallint": 5, "integer": 10, "bigint": 19}
_STRINGS = frozenset({"string", "text"})
_FRACTIONAL = frozenset({"numeric", "float", "double"})
_TIMESTAMPS = frozenset({"timestamp", "timestamptz"})
#: Kinds that differ only in the time zone: a change between them keeps the digits.
_ZONE_PAIRS = ({"timestamp", "timestamptz"}, {"time", "timetz"})
_ZONED = frozenset({"timestamptz", "timetz"})

#: Run before a type change that converts in the session's TimeZone: the session's
#: zone kept (a custom setting, local to the transaction), then UTC, so that every
#: deployer's migration gives the same values, and PostgreSQL 12+ keeps the table's
#: file for timestamp <-> timestamptz (it rewrites it under any other zone).
IN_UTC = (
    "SELECT set_config('schemagen.time_zone', current_setting('TimeZone'), true)",
    "SET LOCAL TimeZone = 'UTC'",
)
#: Run after it: the session's zone again for the rest of the revision.
ZONE_RESTORED = "SELECT set_config('TimeZone', current_setting('schemagen.time_zone'), true)"


def plain(ct: ColumnType) -> ColumnType:
    """Return ``ct`` without its alias name (an alias is documentation only)."""
    of = plain(ct.of) if ct.of is not None else None
    return dataclasses.replace(ct, alias=None, of=of)


def is_narrowing(old: ColumnType, new: ColumnType) -> bool:
    """Whether ``new`` holds less than ``old`` within the same family of types.

    Narrowing is what can cut or round values, or reject values the old type
    held: a shorter string, a smaller integer, less numeric precision or scale,
    a fraction or a time of day dropped, a time, timestamp or interval given fewer
    fractional digits or (an interval) fewer fields. A conversion between families
    (varchar to integer, text to an enum, json to jsonb, float to numeric) is
    not narrowing: PostgreSQL's cast either converts every value or fails the
    whole migration, and nothing is lost silently.
    """
    old, new = plain(old), plain(new)
    if old == new:
        return False
    if old.kind == "array" and new.kind == "array" and old.of and new.of:
        return is_narrowing(old.of, new.of)
    if new.kind == "string" and old.kind in _STRINGS:
        return new.length is not None and (old.length is None or new.length < old.length)
    if new.kind in _INT_RANK:
        if old.kind in _INT_RANK:
            return _INT_RANK[new.kind] < _INT_RANK[old.kind]
        return old.kind in _FRACTIONAL
    if new.kind == "numeric":
        return _numeric_narrowing(old, new)
    if new.kind == "float":
        return old.kind in ("double", "numeric", "bigint", "integer")
    if new.kind in TEMPORAL_KINDS and old.kind in TEMPORAL_KINDS:
        return _temporal_narrowing(old, new)
    if new.kind in ("date", "time"):
        return old.kind in _TIMESTAMPS
    return False


def _temporal_narrowing(old: ColumnType, new: ColumnType) -> bool:
    """Fewer fractional digits or interval fields: PostgreSQL rounds (truncates) the
    values exactly when the cast is no no-op (see :mod:`schemagen.model.temporal`)."""
    if old.kind == new.kind:
        return not typmod_noop(old, new)
    if any({old.kind, new.kind} == pair for pair in _ZONE_PAIRS):
        return not typmod_noop(old, dataclasses.replace(new, kind=old.kind))
    return new.kind in ("time", "timetz") and old.kind in _TIMESTAMPS  # the date dropped


def converts_in_time_zone(old: ColumnType, new: ColumnType) -> bool:
    """Whether PostgreSQL converts the values in the session's TimeZone: a change
    of kind to or from timestamptz or timetz (or arrays of them), such as
    timestamp -> timestamptz, which reads each stored wall-clock time in that zone."""
    old, new = _element(plain(old)), _element(plain(new))
    return old.kind != new.kind and bool({old.kind, new.kind} & _ZONED)


def zone_only_change(old: ColumnType, new: ColumnType) -> bool:
    """timestamp <-> timestamptz with no rounding: PostgreSQL (12+) changes it without
    rewriting the table when the session's TimeZone is UTC (a scalar column only:
    an array's elements are always converted one by one)."""
    old, new = plain(old), plain(new)
    return {old.kind, new.kind} == {"timestamp", "timestamptz"} and typmod_noop(
        old, dataclasses.replace(new, kind=old.kind)
    )


def _element(ct: ColumnType) -> ColumnType:
    return _element(ct.of) if ct.kind == "array" and ct.of is not None else ct


def _numeric_narrowing(old: ColumnType, new: ColumnType) -> bool:
    if new.precision is None:
        return False
    new_int = new.precision - (new.scale or 0)
    if old.kind in _INT_RANK:
        return new_int < _INT_DIGITS[old.kind]
    if old.kind != "numeric":
        return False
    if old.precision is None:
        return True
    old_scale = old.scale or 0
    return (new.scale or 0) < old_scale or new_int < old.precision - old_scale


def type_words(ct: ColumnType) -> str:
    """The type as a column definition says it: ``text COLLATE "C"``."""
    words = pg_type_name(ct)
    return words if ct.collation is None else f"{words} COLLATE {quote_ident(ct.collation)}"


def pg_type_name(ct: ColumnType) -> str:
    """The type as SQL spells it in a cast (``character varying(64)``, ``status[]``)."""
    from ..model.schema import Database, Schema
    from ..model.typemap import pg_type

    if ct.domain is not None:  # hr."Flag": quoted as it is named (db_name:)
        return quote_type(ct.domain)
    if ct.kind == "enum":
        assert ct.enum is not None
        return quote_type(ct.enum)  # billing.status: a type in another schema
    if ct.kind == "array":
        assert ct.of is not None
        return pg_type_name(ct.of) + "[]"
    return pg_type(ct, Schema(database=Database(name="")))


def needs_using(old: ColumnType, new: ColumnType) -> bool:
    """Whether ``ALTER COLUMN ... TYPE`` should carry a ``USING`` cast.

    Length, precision and interval field changes within a kind, and string <-> text, have
    assignment casts; every other change gets an explicit cast, which is
    harmless where PostgreSQL would not need it.
    """
    old, new = plain(old), plain(new)
    if old.kind == new.kind and old.kind in ("string", "numeric", *TEMPORAL_KINDS):
        return False  # a length coercion: an implicit cast
    if old.kind in _STRINGS and new.kind in _STRINGS:
        return False
    return old != new


def using_cast(column: str, old: ColumnType, new: ColumnType) -> str:
    """The ``USING`` expression: ``code::integer``; enums go through ``text``."""
    through = ""
    if _has_enum(old) or _has_enum(new) or cast_context(plain(old), plain(new)) is None:
        # No cast between the two: through text (I/O conversion exists for any type).
        through = "::text[]" if new.kind == "array" and old.kind == "array" else "::text"
    return f"{quote_ident(column)}{through}::{pg_type_name(new)}"


def _has_enum(ct: ColumnType) -> bool:
    return ct.kind == "enum" or (ct.of is not None and _has_enum(ct.of))
