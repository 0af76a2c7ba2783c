"""Another value than a row's own, for ``a <> b`` where a row's two meet: one its
checks allow (:func:`other_value`)."""

from __future__ import annotations

from decimal import Decimal

from ..model.sqltext import sql_string
from . import times
from .domain import Literal, Unsupported
from .values import INTEGER_MAX, ColumnJob, cast_listed, literal_sql


def other_value(job: ColumnJob, value: str) -> str:
    """An expression of a value other than ``value`` (the column's own on the row)
    that the column's checks allow: a neighbour one step away within its bounds, past
    the values they forbid, or another listed value; text one character longer, or
    with its last character changed at its longest. Unsupported where the checks
    leave no second value. For ``a <> b`` where the row's two values meet."""
    ctype, d = job.column.type, job.domain
    kind = ctype.kind
    if d.clocks:
        raise Unsupported("a bound by the clock leaves no room to move it")
    if d.allowed is not None or (kind == "enum" and job.enum_values):
        listed: list[Literal] = list(d.allowed) if d.allowed is not None else []
        if d.allowed is None:
            listed = list(job.enum_values)
        values = [literal_sql(v) for v in listed if v not in d.avoid]
        if len(values) < 2:
            raise Unsupported("its checks allow one value")
        first, second = cast_listed(values[0], job, ctype), cast_listed(values[1], job, ctype)
        return f"(CASE WHEN {value} = {first} THEN {second} ELSE {first} END)"
    if kind in INTEGER_MAX or kind in ("numeric", "float", "double"):
        return _number_beside(job, value)
    if kind in ("date", "timestamp", "timestamptz"):
        if d.times:
            return times.beside(value, kind, job.type_sql, d.times)
        step = "1" if kind == "date" else "interval '1 second'"
        return f"({value} + {step})"
    if kind == "boolean":
        return f"(NOT {value})"
    if kind in ("string", "text"):
        return _text_beside(job, value)
    raise Unsupported(f"seed finds no second value of a {kind}")


def _number_beside(job: ColumnJob, value: str) -> str:
    """The nearest number to ``value`` on its grid within the bounds and off the
    forbidden ones: above first, then below. Among k forbidden values one of the
    k + 1 steps either way is free where the bounds hold a second value."""
    ctype, d = job.column.type, job.domain
    if ctype.kind in INTEGER_MAX:
        step, limit = Decimal(1), Decimal(INTEGER_MAX[ctype.kind])
    else:
        scale = ctype.scale or 0 if ctype.kind == "numeric" else 2
        step, limit = Decimal(1).scaleb(-scale), Decimal(10**15)
        if ctype.kind == "numeric" and ctype.precision is not None:
            limit = Decimal(10).scaleb(ctype.precision - scale) - step
    floor = -limit if d.low is None else d.low + (step if d.low_strict else 0)
    ceiling = limit if d.high is None else d.high - (step if d.high_strict else 0)
    avoided = {v for v in d.avoid if isinstance(v, Decimal) and floor <= v <= ceiling}
    if (ceiling - floor) / step + 1 - len(avoided) < 2:
        raise Unsupported("its bounds leave one value")
    forbidden = ", ".join(str(v) for v in sorted(avoided))
    cases = []
    for k in range(1, len(avoided) + 2):
        for sign in ("+", "-"):
            near = f"({value} {sign} {step * k})"
            fits = f"{near} BETWEEN {floor} AND {ceiling}"
            if forbidden:
                fits += f" AND {near} NOT IN ({forbidden})"
            cases.append(f"WHEN {fits} THEN {near}")
    return f"(CASE {' '.join(cases)} END)"


def _text_beside(job: ColumnJob, value: str) -> str:
    """``value`` and one character more, or at the longest its checks and type allow,
    its last character changed ('x', or 'y' for an 'x'); before the end a pattern
    fixes, and off the texts its checks forbid (see :func:`_letters_beside`)."""
    d, ctype = job.domain, job.column.type
    length = ctype.length if ctype.kind == "string" else None
    longest = d.max_length if length is None else min(length, d.max_length or length)
    if longest is not None and longest < 1:
        raise Unsupported("its length leaves only the empty text")
    if longest is not None and longest - len(d.suffix) <= len(d.prefix):
        raise Unsupported("its length leaves only the text its pattern fixes")
    if d.avoid or d.suffix:
        return _letters_beside(job, value, longest)
    if longest is None:
        return f"({value} || 'x')"
    last = f"(CASE WHEN right({value}, 1) = 'x' THEN 'y' ELSE 'x' END)"
    changed = f"left({value}, {longest - 1}) || {last}"
    return f"(CASE WHEN char_length({value}) < {longest} THEN {value} || 'x' ELSE {changed} END)"


#: The letters tried in turn for a text that must differ from several.
_LETTERS = "xyzwvutsrqponmlkjihgfedcba"


def _letters_beside(job: ColumnJob, value: str, longest: int | None) -> str:
    """``value`` with a letter put before its pattern's fixed end (``suffix``), in place
    of its last character there at the ``longest``: the first of k + 2 letters (k texts
    forbidden) that gives neither ``value`` nor a forbidden text; one does, since each
    forbidden text rules out one letter and ``value`` itself one more."""
    d = job.domain
    forbidden = [v for v in d.avoid if isinstance(v, str)]
    if len(forbidden) + 2 > len(_LETTERS):
        raise Unsupported("text it must not equal leaves no sure second value")
    head = f"left({value}, -{len(d.suffix)})" if d.suffix else value
    if longest is not None:
        room = longest - len(d.suffix)
        cut = f"left({head}, {room - 1})"
        head = f"(CASE WHEN char_length({value}) < {longest} THEN {head} ELSE {cut} END)"
    tail = f" || {sql_string(d.suffix)}" if d.suffix else ""
    tries = [f"({head} || '{letter}'{tail})" for letter in _LETTERS[: len(forbidden) + 2]]
    listed = ", ".join(sql_string(v) for v in forbidden)
    cases = []
    for made in tries[:-1]:
        fits = f"{made} <> {value}" + (f" AND {made} NOT IN ({listed})" if listed else "")
        cases.append(f"WHEN {fits} THEN {made}")
    return f"(CASE {' '.join(cases)} ELSE {tries[-1]} END)"
