"""Whether a YAML ``default:`` fits its column.

Owns the reasons a default does not: a time keyword on another kind of column,
a number out of its integer's range or its numeric's precision, text that is
not one of an enum's values or not a uuid, date or time, and SQL that does not
parse as an expression.
"""

from __future__ import annotations

import datetime
import math
import uuid
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from ..language.messages import describe, did_you_mean
from ..model.pgtypes import PGTYPE
from ..model.schema import INTEGER_TYPES, Column, ColumnType, Schema
from ..model.sqltext import TIME_KEYWORDS
from ..normalize.columns import TIME_KINDS
from .reporter import type_text
from .sql import SqlSyntaxError, read_expression, shown

NUMERIC_KINDS = INTEGER_TYPES | {"numeric", "float", "double"}
INTEGER_RANGES = {
    "smallint": (-(2**15), 2**15 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "bigint": (-(2**63), 2**63 - 1),
}
TEXT_KINDS = frozenset({"string", "text"})


def default_problem(schema: Schema, column: Column, value: Any) -> str | None:
    """Why a YAML ``default:`` does not fit its column, or None."""
    kind = column.type.kind
    shown = type_text(column.type)
    if isinstance(value, str) and value.lower() in TIME_KEYWORDS and kind in TIME_KINDS:
        fits = TIME_KEYWORDS[value.lower()]
        if kind not in fits:
            return f"default {value} does not fit {shown}; it fits {', '.join(sorted(fits))}"
    if column.default is not None and column.default.kind == "sql":
        return sql_default_problem(column.default.value)
    if column.default is not None and column.default.kind == "now":
        return None
    if kind == PGTYPE and isinstance(value, str | int | float) and not isinstance(value, bool):
        return None  # a literal PostgreSQL casts to the named type (or refuses at upgrade)
    if isinstance(value, bool):
        if kind == "boolean":
            return None
        hint = (
            " (YAML reads yes/no/on/off as booleans; quote the text)"
            if kind in ("enum", "string", "text")
            else ""
        )
        return f"default {describe(value)} is a boolean, but the column is {shown}{hint}"
    if isinstance(value, int | float):
        return _number_problem(value, column.type, shown)
    if isinstance(value, dict | list):
        if kind in ("json", "jsonb") or (kind == "array" and value == []):
            return None
        if kind == "array":
            return (
                "an array default in YAML can only be [] (the empty array); "
                "for others write SQL, e.g. {sql: \"'{a,b}'\"}"
            )
        return f"a JSON default needs a json or jsonb column, not {shown}"
    return _text_problem(schema, column, str(value))


def sql_default_problem(sql: str) -> str | None:
    """Why an ``{sql: ...}`` default is not a default PostgreSQL takes, or None."""
    if not sql.strip():
        return "the {sql: ...} default is empty; write an SQL expression or leave it out"
    try:
        expression = read_expression(sql)
    except SqlSyntaxError as exc:
        return f"{{sql: ...}} default {shown(sql)!r} {exc.describe()}"
    if expression.subquery:
        return "a default cannot hold a sub-select (SELECT, EXISTS); PostgreSQL refuses it"
    columns = expression.columns
    if columns:
        name = shown(".".join(columns[0]))
        return (
            f"a default cannot refer to a column ('{name}'); PostgreSQL refuses it "
            "(for text, write the value without {sql: ...})"
        )
    return None


def _number_problem(value: int | float, ctype: ColumnType, shown: str) -> str | None:
    kind = ctype.kind
    if kind not in NUMERIC_KINDS:
        return f"default {describe(value)} is a number, but the column is {shown}"
    if not math.isfinite(value):
        # Rendered as a bare word (DEFAULT nan), which PostgreSQL reads as a column.
        return (
            f"default {value!r} is not a finite number; for NaN or infinity say "
            "{sql: \"'NaN'\"} or {sql: \"'Infinity'\"}"
        )
    if kind in INTEGER_TYPES:
        if not isinstance(value, int):
            return f"default {value!r} is not a whole number (column type {shown})"
        # PostgreSQL accepts such a default in CREATE TABLE; every INSERT then fails.
        low, high = INTEGER_RANGES[kind]
        if not low <= value <= high:
            return f"default {value} is out of range for {kind} ({low} to {high})"
    if kind == "numeric" and ctype.precision is not None:
        return _numeric_overflow(value, ctype.precision, ctype.scale or 0, shown)
    return None


def _numeric_overflow(value: int | float, precision: int, scale: int, shown: str) -> str | None:
    """PostgreSQL rounds to ``scale`` digits, then needs |value| < 10^(precision - scale)."""
    number = Decimal(str(value))
    limit = Decimal(10) ** (precision - scale)  # exact: one digit and an exponent
    if number.copy_abs() < limit:
        # Below the limit the rounded value has at most precision + 1 digits.
        with localcontext(prec=precision + 2):
            rounded = number.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
        if rounded.copy_abs() < limit:
            return None
    return (
        f"default {value} does not fit {shown}, which holds {precision - scale} digit(s) "
        "before the decimal point"
    )


def _text_problem(schema: Schema, column: Column, value: str) -> str | None:
    kind = column.type.kind
    shown = type_text(column.type)
    if kind in TEXT_KINDS:
        length = column.type.length
        if length is not None and len(value) > length:
            return f"default is {len(value)} characters, longer than length {length}"
        return None
    if kind == "enum":
        enum = schema.enum(str(column.type.enum))
        if value in enum.value_names:
            return None
        hint = did_you_mean(value, list(enum.value_names))
        return f"default '{value}' is not a value of enum {enum.name}{hint}"
    if kind in TIME_KINDS:
        return _time_problem(kind, value)
    if kind == "uuid":
        try:
            uuid.UUID(value)
        except ValueError:
            return f"default '{value}' is not a UUID (for a random one: {{sql: gen_random_uuid()}})"
        return None
    if kind in ("interval", "array"):
        return None
    hint = " (`now` works on date and time columns)" if value == "now" else ""
    return f"default '{value}' is text, but the column is {shown}{hint}"


def _time_problem(kind: str, value: str) -> str | None:
    if value in ("infinity", "-infinity") and kind not in ("time", "timetz"):
        return None
    parse = {
        "date": datetime.date.fromisoformat,
        "time": datetime.time.fromisoformat,
        "timetz": datetime.time.fromisoformat,  # 12:30:00+02:00
        "timestamp": datetime.datetime.fromisoformat,
        "timestamptz": datetime.datetime.fromisoformat,
    }[kind]
    try:
        parse(value)
    except ValueError:
        return f"default '{value}' is not an ISO {kind} (or `now`)"
    return None
