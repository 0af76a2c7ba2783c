"""Bounds of a date or a time by a constant, as checks write them (``birth_date <
'2010-01-01'::date``, ``created_at >= '2000-01-01'``): the values seed makes are
moved into them.

Seed's times start at :data:`.random.EPOCH` and spread over a known stretch: a
unique column one unit a row (a day for a date, a minute for a time), any other
one less than :data:`SPREAD`. Where the bounds leave that stretch where it is,
nothing moves (the usual ``created_at >= '2000-01-01'``); else the stretch moves,
as little as it takes, to start at the lower bound or end at the upper one,
keeping the values' spread and, for a unique column, their distinctness. A
column that is not unique is then held within the bounds as PostgreSQL reads
them (a timestamptz constant without an offset is in the session's time zone);
a unique one keeps a day's margin from them instead, and is refused where its
values do not fit.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from .domain import Literal, Unsupported

TIME_KINDS = ("date", "timestamp", "timestamptz")
#: random.EPOCH, the start of seed's times, as Python reads it.
START = datetime(2025, 1, 1)
#: How far the times of a column that is not unique spread at most (see values._time).
SPREAD = timedelta(days=600)

Bounds = list[tuple[str, str]]


def within(expr: str, kind: str, type_sql: str, bounds: Bounds, unique: bool, rows: int) -> str:
    """``expr``, a column's times, moved within ``bounds`` ((op, constant) pairs)."""
    if kind not in TIME_KINDS or not type_sql:
        raise Unsupported(f"a range over a non-number ({bounds[0][1]!r})")
    low, high = _window(kind, bounds)
    if unique and kind == "timestamptz":  # (the session's time zone, see above)
        low = low + timedelta(days=1) if low is not None else None
        high = high - timedelta(days=1) if high is not None else None
    unit = timedelta(days=1) if kind == "date" else timedelta(minutes=1)
    first, last = (START + unit, START + rows * unit) if unique else (START, START + SPREAD)
    shift = timedelta(0)
    if low is not None and first < low:
        shift = low - first
    elif high is not None and last > high:
        shift = high - last
    if low is not None and high is not None and last - first > high - low:
        if unique:
            shown = " to ".join(repr(v) for _, v in sorted(bounds, key=lambda b: b[0][0] == "<"))
            raise Unsupported(f"{rows} distinct values do not fit between its bounds ({shown})")
        if low > high:
            raise Unsupported("no value is within the bounds")
        expr = _folded(expr, kind, low, high)
    else:
        expr = _moved(expr, kind, shift)
    if unique:
        return expr
    for op, value in bounds:  # exact, as PostgreSQL reads the constants
        edge = _edge(op, value, kind, type_sql)
        expr = f"GREATEST({expr}, {edge})" if op in (">", ">=") else f"LEAST({expr}, {edge})"
    return expr


def keeps(value: Literal, bounds: Bounds) -> bool:
    """Whether a listed ``value`` (``starts_on IN ('2025-01-01', ...)``) is within
    ``bounds``; True where either is no time seed reads (PostgreSQL then judges)."""
    if not isinstance(value, str):
        return True
    try:
        at = _instant(value)
        edges = [(op, _instant(v)) for op, v in bounds]
    except Unsupported:
        return True
    tests = {"<": at.__lt__, "<=": at.__le__, ">": at.__gt__, ">=": at.__ge__}
    return all(tests[op](edge) for op, edge in edges)


def beside(value: str, kind: str, type_sql: str, bounds: Bounds) -> str:
    """A time other than ``value``: a step later where ``bounds`` allow it, else a
    step earlier (for ``a <> b`` where a row's two meet)."""
    step = "1" if kind == "date" else "interval '1 second'"
    later = f"({value} + {step})"
    fits = " AND ".join(f"{later} {op} {typed(v, type_sql)}" for op, v in bounds)
    return f"(CASE WHEN {fits} THEN {later} ELSE ({value} - {step}) END)"


def off(value: str, avoid: list[Literal], kind: str, type_sql: str, bounds: Bounds) -> str:
    """The time nearest ``value`` that no constant of ``avoid`` is, within ``bounds``:
    steps later (a day for a date, a second else) where the bounds allow it, else
    earlier; Unsupported where neither way is (or a constant seed cannot read)."""
    step = timedelta(days=1) if kind == "date" else timedelta(seconds=1)
    at = _instant(value)
    banned = {_instant(v) for v in avoid if isinstance(v, str)}
    for way in (1, -1):
        steps = way
        while at + steps * step in banned:
            steps += way
        if keeps((at + steps * step).isoformat(sep=" "), bounds):
            moved = str(steps) if kind == "date" else f"interval '{steps} seconds'"
            return f"({typed(value, type_sql)} + {moved})"
    raise Unsupported(f"no time beside {value!r} is within its bounds")


def _window(kind: str, bounds: Bounds) -> tuple[datetime | None, datetime | None]:
    """The first and last instants ``bounds`` allow (None: unbounded that way)."""
    step = timedelta(days=1) if kind == "date" else timedelta(seconds=1)
    low: datetime | None = None
    high: datetime | None = None
    for op, value in bounds:
        at = _instant(value)
        if kind == "date":
            at = datetime.combine(at.date(), datetime.min.time())
        if op in (">", ">="):
            edge = at + step if op == ">" else at
            low = edge if low is None else max(low, edge)
        else:
            edge = at - step if op == "<" else at
            high = edge if high is None else min(high, edge)
    return low, high


def _instant(value: str) -> datetime:
    """A date or time constant as a naive UTC instant (Unsupported for one Python does
    not read, such as 'infinity' or 'epoch')."""
    try:
        at = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Unsupported(f"a bound seed cannot read as a time ({value!r})") from None
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at


def _moved(expr: str, kind: str, shift: timedelta) -> str:
    """``expr`` moved by ``shift``, in whole days for a date, whole seconds else, rounded
    away from where it started (further into the bounds)."""
    if not shift:
        return expr
    seconds = shift.total_seconds()
    if kind == "date":
        days = math.ceil(seconds / 86400) if seconds > 0 else math.floor(seconds / 86400)
        return f"({expr} + {days})"
    whole = math.ceil(seconds) if seconds > 0 else math.floor(seconds)
    return f"({expr} + interval '{whole} seconds')"


def _folded(expr: str, kind: str, low: datetime, high: datetime) -> str:
    """``expr`` folded into [low, high], narrower than seed's spread: its distance
    from the start modulo the window's width, from ``low`` (spread over the window,
    where moving it would pile the rest up at the edge)."""
    if kind == "date":
        width = (high - low).days + 1
        return f"(date '{low.date()}' + (({expr}) - date '{START.date()}') % {width})"
    width = int((high - low).total_seconds()) + 1
    start = f"timestamp '{low}'" if kind == "timestamp" else f"timestamptz '{low}+00'"
    since = f"extract(epoch FROM ({expr}) - {_start(kind)})"
    return f"({start} + mod({since}, {width}) * interval '1 second')"


def _start(kind: str) -> str:
    return f"timestamp '{START}'" if kind == "timestamp" else f"timestamptz '{START}+00'"


def _edge(op: str, value: str, kind: str, type_sql: str) -> str:
    """The first (``>``, ``>=``) or last (``<``, ``<=``) value ``op value`` allows."""
    step = "1" if kind == "date" else "interval '1 second'"
    edge = typed(value, type_sql)
    if op == ">":
        return f"({edge} + {step})"
    if op == "<":
        return f"({edge} - {step})"
    return edge


def typed(value: str, type_sql: str) -> str:
    """A constant as SQL of the column's type (``'2025-03-01'::date``)."""
    return "'" + value.replace("'", "''") + "'::" + type_sql

