"""Patterns seed can build text for: ``LIKE``, ``ILIKE``, ``SIMILAR TO`` and regex
patterns anchored at one end at least, of plain characters besides their wildcards
(``code LIKE 'AB-%'``, ``sku ~ '^SKU-'``, ``email LIKE '%.com'``, ``kind SIMILAR TO
'x%'``). Such a pattern is a text's prefix and suffix (``LIKE 'a%b%c'``: starts with
``ab``, ends with ``c``: ``ab`` + anything + ``c`` matches), or one value where it has
no wildcard. Any other pattern (``'^[A-Z]{3}$'``, ``'%@%'``) is None: seed then
writes its realistic text and the server judges every row, as before.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model.sqltext import sql_string


@dataclass(frozen=True)
class Shape:
    """What text a simple pattern matches: ``prefix`` + anything + ``suffix``, or
    ``prefix`` alone where ``exact``."""

    prefix: str
    suffix: str = ""
    exact: bool = False


#: SIMILAR TO's characters beyond LIKE's: a pattern holding one is no simple one.
_SIMILAR_META = frozenset("|*+?{}()[]")
#: A regex's characters that are not themselves (an escaped one is).
_REGEX_META = frozenset(".[]()*+?{}|\\^$")


def shape_of(op: str, pattern: str) -> Shape | None:
    """The :class:`Shape` of ``pattern`` under ``op`` (``~~``/``~~*`` for LIKE/ILIKE,
    ``~``/``~*`` for a regex, ``SIMILAR TO``), else None."""
    if op in ("~", "~*"):
        return _regex(pattern)
    if op == "SIMILAR TO" and _SIMILAR_META & set(pattern.replace("\\\\", "")):
        return None
    return _like(pattern)


def _like(pattern: str) -> Shape | None:
    """LIKE's: ``%`` any text, ``_`` any one character (an ``x`` here), ``\\`` escapes."""
    segments, current, wild = [], [], False
    chars = iter(pattern)
    for char in chars:
        if char == "\\":
            current.append(next(chars, "\\"))
        elif char == "%":
            segments.append("".join(current))
            current = []
        elif char == "_":
            current.append("x")
            wild = True
        else:
            current.append(char)
    segments.append("".join(current))
    if len(segments) == 1:  # no %: one value, when no _ stands for any character
        return None if wild else Shape(segments[0], exact=True)
    if pattern.startswith("%") and segments[-1] == "" and not pattern.endswith("\\%"):
        return None  # %...%: anchored at neither end
    return Shape("".join(segments[:-1]), segments[-1])


def _regex(pattern: str) -> Shape | None:
    """A regex of plain characters (an escaped character is itself), anchored by ``^``
    or ``$`` (a ``.*`` next to an end leaves it open)."""
    body, start, end = pattern, False, False
    if body.startswith("^"):
        body, start = body[1:], True
    if body.endswith("$") and not body.endswith("\\$"):
        body, end = body[:-1], True
    if body.startswith(".*"):
        body, start = body[2:], False
    if body.endswith(".*") and not body.endswith("\\.*"):
        body, end = body[:-2], False
    if not (start or end):
        return None
    text, chars = [], iter(body)
    for char in chars:
        if char == "\\":
            escaped = next(chars, "")
            if not escaped or escaped.isalnum():  # \d, \w ...: classes, not characters
                return None
            text.append(escaped)
        elif char in _REGEX_META:
            return None
        else:
            text.append(char)
    literal = "".join(text)
    if start and end:
        return Shape(literal, exact=True)
    return Shape(literal, "") if start else Shape("", literal)


def matching(expr: str, shape: Shape, matches: list[tuple[str, str]], unique: bool) -> str:
    """``expr``, a column's text, made to match its patterns (``matches``, each (SQL
    operator, pattern), all of ``shape``): ``prefix || text || suffix``; a value that
    matches already is kept as it is (``url LIKE 'https://%'``), but for a unique
    column's, which must stay distinct from the others' made to match."""
    ends = [sql_string(shape.prefix)] if shape.prefix else []
    tail = [sql_string(shape.suffix)] if shape.suffix else []
    if unique:
        return f"({' || '.join([*ends, expr, *tail])})"
    made = " || ".join([*ends, "m.v", *tail])
    test = " AND ".join(f"m.v {op} {sql_string(pattern)}" for op, pattern in matches)
    return f"(SELECT CASE WHEN {test} THEN m.v ELSE {made} END FROM (SELECT {expr} AS v) AS m)"
