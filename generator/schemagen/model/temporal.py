"""Times, timestamps and intervals with a precision and (intervals) fields.

``timestamp(3)``, ``timestamp(6) with time zone``, ``time(0)``, ``timetz``,
``interval day to second(3)``: :func:`parse_temporal` reads PostgreSQL's
spellings into one :class:`ColumnType` each (``precision`` is the number of
fractional second digits, ``fields`` an interval's fields in lower case), and
:func:`format_temporal` writes it back as ``format_type`` prints it, so a live
comparison sees equal text. A precision left out is PostgreSQL's "unspecified"
(typmod -1), which holds the same values as 6 but prints differently.

:func:`typmod_noop` is PostgreSQL's own rule (``TemporalSimplify`` for time,
timetz, timestamp and timestamptz; ``interval_support`` for interval, both in
src/backend/utils/adt): a change of precision or fields is a no-op cast, so
``ALTER COLUMN ... TYPE`` neither rewrites the table nor changes a value,
exactly when the new type holds every value of the old one. Any other such
change rounds or truncates values, and rewrites the table.
"""

from __future__ import annotations

import re

from .schema import ColumnType

#: Kinds that take a precision (fractional digits of the seconds, 0..6).
TEMPORAL_KINDS = frozenset({"time", "timetz", "timestamp", "timestamptz", "interval"})
MAX_PRECISION = 6

#: Interval fields -> the least field they keep (PostgreSQL's
#: ``intervaltypmodleastfield``: 0 SECOND, 1 MINUTE, 2 HOUR, 3 DAY, 4 MONTH, 5 YEAR).
INTERVAL_FIELDS: dict[str, int] = {
    "year": 5,
    "month": 4,
    "day": 3,
    "hour": 2,
    "minute": 1,
    "second": 0,
    "year to month": 4,
    "day to hour": 2,
    "day to minute": 1,
    "day to second": 0,
    "hour to minute": 1,
    "hour to second": 0,
    "minute to second": 0,
}

_PRECISION = r"(?:\s*\(\s*(?P<p>[^()]*?)\s*\))?"
_CLOCK = re.compile(
    rf"^(?P<name>timestamp|time){_PRECISION}\s+(?P<tz>with|without)\s+time\s+zone$"
)
_SHORT = re.compile(rf"^(?P<name>timestamptz|timestamp|timetz|time){_PRECISION}$")
_INTERVAL = re.compile(rf"^interval(?:\s+(?P<fields>[a-z]+(?:\s+to\s+[a-z]+)?))?{_PRECISION}$")
_ZONED = {"timestamp": "timestamptz", "time": "timetz"}


def parse_temporal(text: str) -> ColumnType | None:
    """The ColumnType a time, timestamp or interval spelling stands for, or None.

    Numbers are not range-checked here (:func:`problem` does); a precision that
    is no whole number or unknown fields give None (no such type name).
    """
    words = " ".join(text.lower().split())
    if match := _CLOCK.match(words):
        name = match["name"]
        kind = _ZONED[name] if match["tz"] == "with" else name
    elif match := _SHORT.match(words):
        kind = match["name"]
    elif match := _INTERVAL.match(words):
        kind = "interval"
        fields = match["fields"]
        if fields is not None and fields not in INTERVAL_FIELDS:
            return None
        precision = _number(match["p"])
        if precision is False:
            return None
        return ColumnType(kind="interval", precision=precision, fields=fields)
    else:
        return None
    precision = _number(match["p"])
    return None if precision is False else ColumnType(kind=kind, precision=precision)


def spelling_hint(text: str) -> str:
    """What a time, timestamp or interval spelling that is no type should say, or ``""``."""
    first = text.strip().lower().split("(")[0].split(" ")[0]
    if first == "interval":
        return f" (interval fields are one of: {', '.join(INTERVAL_FIELDS)})"
    if first in TEMPORAL_KINDS:
        return f" (the precision of {first} is a whole number 0 to {MAX_PRECISION})"
    return ""


def _number(text: str | None) -> int | None | bool:
    """The precision written, None when none is, False when it is no whole number."""
    if text is None:
        return None
    return int(text) if text.isdigit() else False


def problem(ct: ColumnType) -> str | None:
    """Why ``ct``'s precision or fields cannot be, or None."""
    if ct.kind not in TEMPORAL_KINDS or ct.precision is None:
        return None
    if not 0 <= ct.precision <= MAX_PRECISION:
        return f"the precision of {ct.kind} is 0 to {MAX_PRECISION}, not {ct.precision}"
    if ct.fields is not None and not ct.fields.endswith("second"):
        return (
            f"interval {ct.fields} has no seconds to give a precision to; a precision "
            "needs fields that end in second (or none)"
        )
    return None


def format_temporal(ct: ColumnType) -> str:
    """``timestamp(3) without time zone``, ``interval day to second(3)``."""
    digits = f"({ct.precision})" if ct.precision is not None else ""
    if ct.kind == "interval":
        fields = f" {ct.fields}" if ct.fields else ""
        return f"interval{fields}{digits}"
    name = "timestamp" if ct.kind.startswith("timestamp") else "time"
    zone = "with" if ct.kind.endswith("tz") else "without"
    return f"{name}{digits} {zone} time zone"


def is_plain(ct: ColumnType) -> bool:
    """Whether ``ct`` says no precision and no fields (the language's first types)."""
    return ct.precision is None and ct.fields is None


def typmod_noop(old: ColumnType, new: ColumnType) -> bool:
    """Whether PostgreSQL changes ``old`` to ``new`` (the same kind) as a no-op cast:
    no table rewrite, no value changed. See the module docstring."""
    if new.kind == "interval":
        return _interval_noop(old, new)
    if new.precision is None or new.precision == MAX_PRECISION:
        return True
    return old.precision is not None and new.precision >= old.precision


def _interval_noop(old: ColumnType, new: ColumnType) -> bool:
    if new.precision is None and new.fields is None:
        return True  # typmod -1
    old_least = INTERVAL_FIELDS[old.fields] if old.fields else 0
    new_least = INTERVAL_FIELDS[new.fields] if new.fields else 0
    # an unspecified precision is INTERVAL_FULL_PRECISION, above every other
    new_precision = MAX_PRECISION if new.precision is None else new.precision
    old_precision = MAX_PRECISION if old.precision is None else old.precision
    return new_least <= old_least and (
        old_least > 0 or new_precision >= MAX_PRECISION or new_precision >= old_precision
    )


def sa_arguments(ct: ColumnType) -> tuple[str, str]:
    """The SQLAlchemy class (of ``sqlalchemy.dialects.postgresql``) and its arguments:
    ``TIMESTAMP``, ``timezone=True, precision=3``."""
    args = []
    if ct.kind == "interval":
        if ct.fields is not None:
            args.append(f'fields="{ct.fields.upper()}"')
        if ct.precision is not None:
            args.append(f"precision={ct.precision}")
        return "INTERVAL", ", ".join(args)
    if ct.kind.endswith("tz"):
        args.append("timezone=True")
    if ct.precision is not None:
        args.append(f"precision={ct.precision}")
    return ("TIMESTAMP" if ct.kind.startswith("timestamp") else "TIME"), ", ".join(args)
