"""Column types and server defaults, from PostgreSQL's text to the language's words.

Both directions must agree with ``model.typemap.pg_type`` and
``model.sqltext.default_sql``: a type or default is mapped only when the
language, written back, gives PostgreSQL exactly the text it printed. Anything
else is ``None`` (a type) or ``{sql: ...}`` with the printed text (a default).
"""

from __future__ import annotations

import datetime
import json
import re
import uuid
from typing import Any

from ..model import naming
from ..model.pgtypes import PGTYPE, format_type, is_known, parse_type_name
from ..model.schema import BASE_TYPES, ColumnType
from ..model.sqltext import TIME_KEYWORDS
from ..model.storage import type_storage
from ..model.temporal import TEMPORAL_KINDS, format_temporal, parse_temporal

#: ``format_type`` text -> the language's base type.
SIMPLE_TYPES: dict[str, str] = {
    "smallint": "smallint",
    "integer": "integer",
    "bigint": "bigint",
    "text": "text",
    "boolean": "boolean",
    "real": "float",
    "double precision": "double",
    "date": "date",
    "time without time zone": "time",
    "time with time zone": "timetz",
    "timestamp without time zone": "timestamp",
    "timestamp with time zone": "timestamptz",
    "interval": "interval",
    "uuid": "uuid",
    "json": "json",
    "jsonb": "jsonb",
    "bytea": "bytes",
    "numeric": "numeric",
}
_VARCHAR = re.compile(r"^character varying\((\d+)\)$")
_NUMERIC = re.compile(r"^numeric\((\d+),(\d+)\)$")
_TIME_KINDS = frozenset({"date", "time", "timetz", "timestamp", "timestamptz"})


def type_key(text: str) -> str:
    """The catalog's key of the type ``format_type`` printed as ``text`` (``"MyEnum"``
    is ``MyEnum``, ``billing."Status"`` is ``billing.Status``): each part read whole,
    a dot inside double quotes part of its name (``public."a.b"`` is ``public."a.b"``,
    the schema public's type ``a.b``; ``"my.schema".code``, schema my.schema's code).
    A text that is no name (``numeric(12,2)``) is itself."""
    return naming.catalog_key(*naming.split_qualified(text))


def map_type(text: str, enums: dict[str, str]) -> dict[str, Any] | None:
    """The column spec (``type`` and its parameters) for a ``format_type`` text.

    ``enums`` maps PostgreSQL enum type names to their enum names in the YAML.
    None when the language has no word for the type.
    """
    if text.endswith("[]"):
        inner = map_type(text[:-2], enums)
        if inner is None or inner["type"] == "array":
            return None
        return {"type": "array", "of": inner["type"] if len(inner) == 1 else inner}
    if text in SIMPLE_TYPES:
        return {"type": SIMPLE_TYPES[text]}
    if match := _VARCHAR.match(text):
        return {"type": "string", "length": int(match[1])}
    if text == "character varying":  # Column(String): a varchar without a length
        return {"type": "varchar"}
    if match := _NUMERIC.match(text):
        return {"type": "numeric", "precision": int(match[1]), "scale": int(match[2])}
    name = type_key(text)
    if name in enums:
        return {"type": "enum", "enum": enums[name]}
    return _temporal_type(text) or _named_type(text)


def own_storage(spec: dict[str, Any]) -> str | None:
    """The storage of the type of a column ``spec`` as :func:`map_type` wrote it
    (:func:`schemagen.model.storage.type_storage`); None where schemagen does not
    know it (a type it does not know; a domain's column asks of its domain's spec)."""
    kind = str(spec.get("type"))
    if kind.startswith("interval ") or kind == "varchar":
        kind = "interval" if kind != "varchar" else "string"
    if kind in BASE_TYPES:
        return type_storage(ColumnType(kind))
    parsed = parse_type_name(kind)
    return type_storage(parsed) if parsed is not None else None


def _temporal_type(text: str) -> dict[str, Any] | None:
    """``timestamp(6) without time zone`` -> ``{type: timestamp, precision: 6}``;
    ``interval day to second(3)`` -> ``{type: interval day to second, precision: 3}``
    (the precision a key, as numeric's)."""
    parsed = parse_temporal(text)
    if parsed is None or parsed.kind not in TEMPORAL_KINDS or format_temporal(parsed) != text:
        return None
    spec: dict[str, Any] = {"type": f"interval {parsed.fields}" if parsed.fields else parsed.kind}
    if parsed.precision is not None:
        spec["precision"] = parsed.precision
    return spec


def _named_type(text: str) -> dict[str, Any] | None:
    """A PostgreSQL type by name (``tsvector``, ``geometry(Point,4326)``): the text as
    is, when the language reads it back to exactly that ``format_type`` text."""
    parsed = parse_type_name(text)
    if parsed is None or parsed.kind != PGTYPE or format_type(parsed) != text:
        return None
    # Only names schemagen knows: another (a composite type of the database, say)
    # would import as a bare name that no migration creates.
    return {"type": text} if is_known(str(parsed.pgtype)) else None


_STRING_LITERAL = re.compile(r"^'((?:[^']|'')*)'::(.+)$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_TYPMOD = re.compile(r"\(\d+(?:,\d+)?\)")  # a literal's cast omits the length: ::character varying


def map_default(printed: str, spec: dict[str, Any], pg_type: str) -> Any:
    """The YAML ``default:`` for a default as ``pg_get_expr`` printed it.

    ``spec`` is the column's mapped type, ``pg_type`` its ``format_type`` text.
    Literals become YAML literals only where writing them back gives the same
    text; ``now()`` becomes ``now`` and ``CURRENT_TIMESTAMP`` (which PostgreSQL
    prints differently from ``now()``) its keyword ``current_timestamp``, as do
    ``CURRENT_DATE``, ``LOCALTIMESTAMP`` and their kin; anything else stays SQL.
    """
    kind = "string" if spec["type"] == "varchar" else spec["type"]
    if printed == "now()" and kind in _TIME_KINDS:
        return "now"
    if kind in TIME_KEYWORDS.get(printed.lower(), ()) and printed.isupper():
        return printed.lower()
    if kind == "boolean" and printed in ("true", "false"):
        return printed == "true"
    number = _number(printed, kind)
    if number is not None:
        return number
    match = _STRING_LITERAL.match(printed)
    if match and match[2] == _TYPMOD.sub("", pg_type):
        value = match[1].replace("''", "'")
        if kind in ("json", "jsonb"):
            return _json(value, printed)
        if _text_fits(kind, value):
            return value
    return {"sql": printed}


_PARSERS = {
    "date": datetime.date.fromisoformat,
    "time": datetime.time.fromisoformat,
    "timetz": datetime.time.fromisoformat,
    "timestamp": datetime.datetime.fromisoformat,
    "timestamptz": datetime.datetime.fromisoformat,
    "uuid": uuid.UUID,
}


def _text_fits(kind: str, value: str) -> bool:
    """Whether the language takes ``value`` as a text default of a ``kind`` column
    (the rules of ``validate``); otherwise the default stays SQL."""
    if kind in ("string", "text", "enum", "array", "interval"):
        return True
    parse = _PARSERS.get(kind)
    if parse is None or value == "now":
        return False
    try:
        parse(value)
    except ValueError:
        return False
    return True


def _number(printed: str, kind: str) -> int | float | None:
    """A number default that YAML can say and PostgreSQL prints back the same."""
    if kind not in ("smallint", "integer", "bigint", "numeric", "float", "double"):
        return None
    text = printed
    match = _STRING_LITERAL.match(printed)
    if match and _NUMBER.match(match[1]) and match[1].startswith("-"):
        text = match[1]  # PostgreSQL prints negative constants as '-1'::integer
    elif not _NUMBER.match(printed):
        return None
    if "." not in text:
        return int(text)
    value = float(text)
    return value if repr(value) == text else None


def _json(value: str, printed: str) -> Any:
    try:
        data = json.loads(value)
    except ValueError:
        return {"sql": printed}
    if not isinstance(data, dict | list):
        return {"sql": printed}
    if json.dumps(data, sort_keys=True, separators=(",", ":")) != value:
        return {"sql": printed}
    if isinstance(data, dict) and set(data) == {"sql"}:
        return {"sql": printed}  # would read as a raw SQL default
    return data
