"""Column type changes: which are safe widenings, and the ``USING`` cast PostgreSQL needs.

Types here come from a DDL view, where ``ColumnType.enum`` is already the
PostgreSQL type name.
"""

from __future__ import annotations

import dataclasses

from ..model import ColumnType
from .sqlutil import quote_ident

_INT_RANK = {"smallint": 1, "integer": 2, "bigint": 3}
_INT_DIGITS = {"smallint": 5, "integer": 10, "bigint": 19}
_STRINGS = frozenset({"string", "text"})
# (old kind, new kind) pairs that never lose a value.
_WIDER_KINDS = frozenset({
    ("float", "double"),
    ("timestamp", "timestamptz"),
    ("date", "timestamp"),
    ("date", "timestamptz"),
    ("json", "jsonb"),
})


def plain(ct: ColumnType) -> ColumnType:
    """Return ``ct`` without its alias name (an alias is documentation only)."""
    of = plain(ct.of) if ct.of is not None else None
    return dataclasses.replace(ct, alias=None, of=of)


def is_widening(old: ColumnType, new: ColumnType) -> bool:
    """Whether every value of ``old`` fits ``new`` unchanged (equal types included)."""
    old, new = plain(old), plain(new)
    if old == new:
        return True
    if old.kind == new.kind:
        return _same_kind_widening(old, new)
    if old.kind in _INT_RANK:
        return _int_widening(old, new)
    if new.kind == "text":
        # Every scalar has a lossless text form; arrays and bytes are left to the user.
        return old.kind not in ("array", "bytes")
    if new.kind == "string" and new.length is None:
        return old.kind in ("text", "enum")
    return (old.kind, new.kind) in _WIDER_KINDS


def _same_kind_widening(old: ColumnType, new: ColumnType) -> bool:
    if old.kind == "string":
        return new.length is None or (old.length is not None and new.length >= old.length)
    if old.kind == "numeric":
        if new.precision is None:
            return True
        if old.precision is None:
            return False
        old_scale, new_scale = old.scale or 0, new.scale or 0
        return new_scale >= old_scale and new.precision - new_scale >= old.precision - old_scale
    if old.kind == "array" and old.of is not None and new.of is not None:
        return is_widening(old.of, new.of)
    return False  # another enum, or anything else that changed


def _int_widening(old: ColumnType, new: ColumnType) -> bool:
    if new.kind in _INT_RANK:
        return _INT_RANK[new.kind] >= _INT_RANK[old.kind]
    if new.kind == "numeric":
        if new.precision is None:
            return True
        return new.precision - (new.scale or 0) >= _INT_DIGITS[old.kind]
    return new.kind in ("double", "text") or (new.kind == "string" and new.length is None)


def pg_type_name(ct: ColumnType) -> str:
    """The type as SQL spells it in a cast (``character varying(64)``, ``status[]``)."""
    from ..model import Database, Schema
    from ..typemap import pg_type

    if ct.kind == "enum":
        assert ct.enum is not None
        return quote_ident(ct.enum)
    if ct.kind == "array":
        assert ct.of is not None
        return pg_type_name(ct.of) + "[]"
    return pg_type(ct, Schema(database=Database(name="")))


def needs_using(old: ColumnType, new: ColumnType) -> bool:
    """Whether ``ALTER COLUMN ... TYPE`` should carry a ``USING`` cast.

    Length and precision changes within a kind, and string <-> text, have
    assignment casts; every other change gets an explicit cast, which is
    harmless where PostgreSQL would not need it.
    """
    old, new = plain(old), plain(new)
    if old.kind == new.kind and old.kind in ("string", "numeric"):
        return False
    if old.kind in _STRINGS and new.kind in _STRINGS:
        return False
    return old != new


def using_cast(column: str, old: ColumnType, new: ColumnType) -> str:
    """The ``USING`` expression: ``code::integer``; enums go through ``text``."""
    through = ""
    if _has_enum(old) or _has_enum(new):
        through = "::text[]" if new.kind == "array" else "::text"
    return f"{quote_ident(column)}{through}::{pg_type_name(new)}"


def _has_enum(ct: ColumnType) -> bool:
    return ct.kind == "enum" or (ct.of is not None and _has_enum(ct.of))
