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
    ``prefix`` alone where ``exact``. The characters at the positions ``free`` (of
    the prefix) and ``free_suffix`` (of the suffix) are LIKE's ``_``, any one: an
    ``x`` there, which another pattern or a listed value may set (see merged)."""

    prefix: str
    suffix: str = ""
    exact: bool = False
    free: frozenset[int] = frozenset()
    free_suffix: frozenset[int] = frozenset()
    #: the text's length where the pattern fixes it (``LIKE 'B-___'``, no ``%``)
    length: int | None = None


#: A fixed end of text and the positions in it any character may take.
Fixed = tuple[str, frozenset[int]]


def merged(held: Fixed, theirs: Fixed, at_end: bool = False) -> Fixed | None:
    """The text two patterns' fixed starts (ends, ``at_end``) both ask, aligned at the
    text's start (end): at each position, the character one asks where the other
    leaves it free (``_``); None where they ask two characters at one position."""
    if at_end:
        flipped = merged(_flipped(held), _flipped(theirs))
        return None if flipped is None else _flipped(flipped)
    (a, a_free), (b, b_free) = held, theirs
    text, free = [], set()
    for i in range(max(len(a), len(b))):
        mine = a[i] if i < len(a) and i not in a_free else None
        other = b[i] if i < len(b) and i not in b_free else None
        if mine is not None and other is not None and mine != other:
            return None
        asked = mine if mine is not None else other
        if asked is None:
            free.add(i)
        text.append("x" if asked is None else asked)
    return "".join(text), frozenset(free)


def _flipped(fixed: Fixed) -> Fixed:
    text, free = fixed
    return text[::-1], frozenset(len(text) - 1 - i for i in free)


def fits(value: str, shape: Shape) -> bool:
    """Whether ``value`` starts with the shape's prefix and ends with its suffix, its
    free positions taking any character."""
    if len(value) < len(shape.prefix) + len(shape.suffix):
        return False
    head = merged((shape.prefix, shape.free), (value[: len(shape.prefix)], frozenset()))
    tail = value[len(value) - len(shape.suffix) :] if shape.suffix else ""
    end = merged((shape.suffix, shape.free_suffix), (tail, frozenset()), at_end=True)
    return head is not None and end is not None


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
    """LIKE's: ``%`` any text, ``_`` any one character (free: an ``x`` unless another
    check sets it), ``\\`` escapes."""
    segments: list[list[str | None]] = []
    current: list[str | None] = []  # None: a _
    chars = iter(pattern)
    for char in chars:
        if char == "\\":
            current.append(next(chars, "\\"))
        elif char == "%":
            segments.append(current)
            current = []
        else:
            current.append(None if char == "_" else char)
    segments.append(current)
    if len(segments) == 1:  # no %: one value, or its length with a _ (see filled)
        if None in current:
            return Shape(_text(current), free=_free(current), length=len(current))
        return Shape(_text(current), exact=True)
    if pattern.startswith("%") and not segments[-1] and not pattern.endswith("\\%"):
        return None  # %...%: anchored at neither end
    head = [c for segment in segments[:-1] for c in segment]
    return Shape(_text(head), _text(segments[-1]), free=_free(head), free_suffix=_free(current))


def _text(chars: list[str | None]) -> str:
    return "".join("x" if c is None else c for c in chars)


def _free(chars: list[str | None]) -> frozenset[int]:
    return frozenset(i for i, c in enumerate(chars) if c is None)


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


def free_count(shape: Shape) -> int:
    """How many characters of the text the shape fixes are free (LIKE's ``_``)."""
    return len(shape.free) + len(shape.free_suffix)


def filled(shape: Shape, fill: list[str]) -> str:
    """The text a shape fixes whole (its patterns leave no room for more), each free
    character (see free_count) the SQL of ``fill`` in turn."""
    text = shape.prefix + shape.suffix
    free = sorted([*shape.free, *(len(shape.prefix) + i for i in shape.free_suffix)])
    parts, plain = [], ""
    for i, char in enumerate(text):
        if i in free:
            parts += [sql_string(plain)] if plain else []
            parts.append(fill[free.index(i)])
            plain = ""
        else:
            plain += char
    parts += [sql_string(plain)] if plain else []
    return f"({' || '.join(parts)})"


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
