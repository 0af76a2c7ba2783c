"""Building a resolved :class:`Column`: its default in canonical form, its
identity or serial sequence, and its storage, statistics and seed hint."""

from __future__ import annotations

import json
import re
from typing import Any

from ..model.schema import (
    INTEGER_TYPES,
    Column,
    ColumnType,
    DbSequence,
    Default,
    Entity,
    IdentityOptions,
    SeedHint,
    SequenceOptions,
)
from ..model.sequences import SERIAL_TYPES, custom_sequence_name, serial_of, serial_sequence
from ..model.sqltext import TIME_KEYWORDS
from ..model.storage import type_storage
from .resolver import RawColumn, Resolver, qualified_table_of

_NEXTVAL_CAST = re.compile(r"nextval\('([^']+)'::regclass\)")
TIME_KINDS = frozenset({"date", "time", "timetz", "timestamp", "timestamptz"})


#: Keys a column rarely says: a column that says none of them (nearly all) skips
#: reading each, as :func:`build_column` would find each absent.
_RARE_KEYS = frozenset(
    {"identity", "generated", "seed", "using", "statistics", "storage", "on_update",
     "attribute", "renamed_from"}
)  # fmt: skip

#: Defaults already made, by (the YAML value's class, the value, the type's kind): a
#: :class:`Default` is frozen, and 14,000 defaults of 2,000 tables are a few values.
_DEFAULTS: dict[tuple[type, Any, str], Default] = {}


def _default(value: Any, ctype: ColumnType) -> Default:
    """:func:`default_of`, made once per scalar value and kind of type."""
    key = (value.__class__, value, ctype.kind)  # the class: True is not 1
    try:
        found = _DEFAULTS.get(key)
    except TypeError:  # a mapping or a list
        return default_of(value, ctype)
    if found is None:
        found = _DEFAULTS[key] = default_of(value, ctype)
    return found


def default_of(value: Any, ctype: ColumnType) -> Default:
    """Canonical :class:`Default` of a YAML ``default:`` value."""
    if isinstance(value, bool):
        return Default("boolean", "true" if value else "false")
    if isinstance(value, int | float):
        return Default("number", repr(value))
    if isinstance(value, str):
        if value == "now" and ctype.kind in TIME_KINDS:
            return Default("now", "")
        if value.lower() in TIME_KEYWORDS and ctype.kind in TIME_KINDS:
            # `current_timestamp` is SQL's keyword, the same default as {sql: ...}
            return Default("sql", value.upper())
        return Default("string", value)
    if isinstance(value, dict) and set(value) == {"sql"} and isinstance(value["sql"], str):
        # nextval('s'::regclass) and nextval('s') are one default; Alembic compares
        # the second form (it strips the cast from what the database prints).
        return Default("sql", _NEXTVAL_CAST.sub(r"nextval('\1')", value["sql"]))
    if value == [] and ctype.kind == "array":
        # `default: []` on an array column means the empty array, which SQL spells '{}'.
        return Default("sql", "'{}'")
    return Default("json", json.dumps(value, sort_keys=True, separators=(",", ":")))


def build_column(
    resolver: Resolver, col: RawColumn, *, single_pk: bool, in_pk: bool | None = None
) -> Column:
    """One column: type resolved, default canonical, identity decided."""
    spec = col.spec
    ctype = resolver.column_type(col)
    default = _default(spec["default"], ctype) if "default" in spec else None
    rare = not _RARE_KEYS.isdisjoint(spec)
    serial = spec.get("type") in SERIAL_TYPES
    named = None
    if serial:
        # qualified: a table in another schema has its sequence there (app.t_id_seq)
        table = qualified_table_of(resolver.src, col.entity)
        named = _sequence_name(spec, table, col.name)
        seq = serial_sequence(table, col.name) if named is None else _in_schema(table, named)
        default = Default("sql", f"nextval('{seq}'::regclass)")
    primary = bool(spec.get("primary_key")) if in_pk is None else in_pk
    generated = spec.get("generated") if rare else None
    # ``identity:`` makes any integer column one; an integer lone key is one unless
    # it references a key, has a default or an expression, or says ``identity: false``.
    said = spec.get("identity") if rare else None
    if isinstance(said, dict) and "name" in said:  # an identity's sequence of its own name
        table = qualified_table_of(resolver.src, col.entity)
        named = custom_sequence_name(table, col.name, _in_schema(table, str(said["name"])))
    identity = (said is not None and said is not False) or (
        said is None
        and generated is None
        and primary
        and single_pk
        and ctype.kind in INTEGER_TYPES
        and "references" not in spec
        and default is None
    )
    return Column(
        name=col.name,
        type=ctype,
        nullable=bool(spec.get("nullable", False)) and not primary,
        primary_key=primary,
        identity=identity,
        default=default,
        on_update_now=rare and spec.get("on_update") == "now",
        attribute=str(spec.get("attribute") or col.name) if rare else str(col.name),
        description=spec.get("description"),
        renamed_from=spec.get("renamed_from") if rare else None,
        mixin=col.mixin,
        seed=seed_hint(spec.get("seed")) if rare else None,
        using=spec.get("using") if rare else None,
        generated=str(generated) if generated is not None else None,
        identity_options=identity_options(said) if rare else None,
        serial=serial,
        sequence_type=_sequence_type(spec, ctype) if serial else None,
        sequence_name=named if serial or identity else None,
        sequence_options=_sequence_options(spec) if serial else None,
        statistics=_statistics(spec.get("statistics")) if rare else None,
        storage=_storage(spec.get("storage"), ctype) if rare else None,
    )


def _statistics(value: Any) -> int | None:
    """``statistics:``; -1 is PostgreSQL's default, no setting."""
    return value if isinstance(value, int) and value >= 0 else None


def _storage(value: Any, ctype: ColumnType) -> str | None:
    """``storage:``; the type's own storage is no setting (PostgreSQL shows none)."""
    return str(value) if value and value != type_storage(ctype) else None


def _sequence_options(spec: dict[str, Any]) -> SequenceOptions | None:
    """A serial column's ``sequence: {start: ..., ...}``, as ``sequences:`` say them."""
    said = spec.get("sequence")
    if not isinstance(said, dict):
        return None
    options = SequenceOptions(**_sequence_fields(said))
    return None if options == SequenceOptions() else options


def _sequence_fields(said: dict[str, Any]) -> dict[str, Any]:
    """The sequence options a mapping says (``start``, ``min``, ...), as the model's
    fields: a serial's ``sequence:`` and an identity's ``identity:`` say them alike."""
    return {
        "start": said.get("start"),
        "increment": said.get("increment"),
        "min_value": said.get("min"),
        "max_value": said.get("max"),
        "cycle": bool(said.get("cycle", False)),
        "cache": said.get("cache"),
    }


def _sequence_name(spec: dict[str, Any], table: str, column: str) -> str | None:
    """A serial column's ``sequence: {name: ...}`` where it is not serial's own name."""
    said = spec.get("sequence")
    name = said.get("name") if isinstance(said, dict) else None
    if name is None:
        return None
    return custom_sequence_name(table, column, _in_schema(table, str(name)))


def _in_schema(table: str, name: str) -> str:
    """``name`` in the PostgreSQL schema of ``table`` (an owned sequence lives there)."""
    return f"{table.rsplit('.', 1)[0]}.{name}" if "." in table else name


def _sequence_type(spec: dict[str, Any], ctype: ColumnType) -> str | None:
    """A serial column's ``sequence: {type: ...}`` where it is not the column's type."""
    said = spec.get("sequence")
    kind = said.get("type") if isinstance(said, dict) else None
    return str(kind) if kind is not None and kind != ctype.kind else None


def serial_sequences(entities: list[Entity]) -> list[DbSequence]:
    """The sequence of each ``serial`` column, OWNED BY it."""
    return [
        serial_of(ent.table, col)
        for ent in entities
        for col in ent.columns
        if col.serial
    ]


def identity_options(spec: Any) -> IdentityOptions | None:
    """``identity: always`` / ``by default`` / ``{always: true, start: 10, ...}``;
    ``None`` where it says no more than the implicit BY DEFAULT identity."""
    if spec == "always":
        return IdentityOptions(always=True)
    if not isinstance(spec, dict):
        return None
    options = IdentityOptions(always=bool(spec.get("always", False)), **_sequence_fields(spec))
    return None if options == IdentityOptions() else options


def seed_hint(spec: Any) -> SeedHint | None:
    """A column's ``seed:`` mapping, numbers as floats (the JSON Schema checked them)."""
    if not isinstance(spec, dict):
        return None

    def number(key: str) -> float | None:
        value = spec.get(key)
        return float(value) if value is not None else None

    sql = spec.get("sql")
    return SeedHint(sql=str(sql) if sql is not None else None, skew=number("skew"),
                    nulls=number("nulls"))
