"""Which column type changes PostgreSQL can make by itself: its cast table, pg_cast.

``ALTER COLUMN ... TYPE`` without ``USING`` converts with an *assignment*
cast. So a change is safe when PostgreSQL has an implicit or assignment cast
from the old type to the new one; any other change needs a ``USING``
expression that the user writes (``using:`` on the column). The table is
``pg_cast`` of a real PostgreSQL 15 server, captured by
``tests/model/test_casts.py`` into ``pg_casts.json`` (rerun it with
``--update-golden`` to capture it again), plus the rules PostgreSQL applies on
top of it (``CREATE CAST`` documentation):

- the same type with another length or precision: a length coercion (implicit);
- no ``pg_cast`` row, target a string type: I/O conversion, assignment;
- no ``pg_cast`` row, source a string type: I/O conversion, explicit only;
- arrays: the cast of their elements.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Literal

from .schema import ColumnType

Context = Literal["implicit", "assignment", "explicit"]

#: The PostgreSQL type (pg_type.typname) of each language kind.
TYPNAMES: dict[str, str] = {
    "smallint": "int2",
    "integer": "int4",
    "bigint": "int8",
    "string": "varchar",
    "text": "text",
    "boolean": "bool",
    "numeric": "numeric",
    "float": "float4",
    "double": "float8",
    "date": "date",
    "time": "time",
    "timetz": "timetz",
    "timestamp": "timestamp",
    "timestamptz": "timestamptz",
    "interval": "interval",
    "uuid": "uuid",
    "json": "json",
    "jsonb": "jsonb",
    "bytes": "bytea",
}
_STRINGS = frozenset({"string", "text"})
_CONTEXTS: dict[str, Context] = {"i": "implicit", "a": "assignment", "e": "explicit"}
CAST_FILE = "pg_casts.json"


@functools.cache
def pg_cast() -> dict[tuple[str, str], Context]:
    """``(source typname, target typname) -> context`` from the captured pg_cast rows."""
    text = resources.files(__package__).joinpath(CAST_FILE).read_text(encoding="utf-8")
    rows = json.loads(text)["casts"]
    return {(source, target): _CONTEXTS[context] for source, target, context in rows}


def cast_context(old: ColumnType, new: ColumnType) -> Context | None:
    """How PostgreSQL casts ``old`` to ``new``, or None when it has no cast at all."""
    if old.kind == "array" or new.kind == "array":
        if old.kind == new.kind and old.of is not None and new.of is not None:
            return cast_context(old.of, new.of)
        return _io_conversion(old, new)
    if old.kind == new.kind and (old.kind != "enum" or old.enum == new.enum):
        return "implicit"
    found = pg_cast().get((TYPNAMES.get(old.kind, ""), TYPNAMES.get(new.kind, "")))
    return found or _io_conversion(old, new)


def _io_conversion(old: ColumnType, new: ColumnType) -> Context | None:
    if new.kind in _STRINGS:
        return "assignment"
    if old.kind in _STRINGS:
        return "explicit"
    return None


def is_safe_change(old: ColumnType, new: ColumnType) -> bool:
    """Whether ``ALTER COLUMN ... TYPE`` needs no ``USING`` for this change."""
    return cast_context(old, new) in ("implicit", "assignment")
