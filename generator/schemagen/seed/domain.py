"""What the checks allow for one column (:class:`Domain`), as :mod:`.checks` reads
them, and :class:`Unsupported`, the shape seed cannot satisfy by construction."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .patterns import Shape, merged, shape_of

Literal = Decimal | str | bool


class Unsupported(Exception):
    """A check whose shape seed cannot satisfy by construction."""


@dataclass
class Domain:
    """What the checks allow for one column."""

    low: Decimal | None = None
    low_strict: bool = False
    high: Decimal | None = None
    high_strict: bool = False
    allowed: list[Literal] | None = None
    avoid: list[Literal] = field(default_factory=list)
    not_null: bool = False
    #: ``length(column) <= n``: text no longer than this.
    max_length: int | None = None
    #: ``length(column) >= n``: text no shorter than this.
    min_length: int | None = None
    #: ``column op now()`` (CURRENT_DATE, ...): (op, the clock's SQL, the interval it
    #: is moved by as ``- '18 years'::interval``, else ""), column on the left.
    clocks: list[tuple[str, str, str]] = field(default_factory=list)
    #: ``column op 'constant'``, a range over a string (``birth_date < '2010-01-01'``):
    #: (op, the constant), column on the left. Bounds of a date or a time (:mod:`.times`);
    #: over any other column, refused by the planner.
    times: list[tuple[str, str]] = field(default_factory=list)
    #: Simple anchored patterns (``code LIKE 'AB-%'``, see :mod:`.patterns`): text that
    #: starts with ``prefix`` and ends with ``suffix``; each (SQL operator, pattern).
    prefix: str = ""
    suffix: str = ""
    matches: list[tuple[str, str]] = field(default_factory=list)
    #: The positions of ``prefix`` and ``suffix`` any character takes (LIKE's ``_``).
    free: frozenset[int] = frozenset()
    free_suffix: frozenset[int] = frozenset()

    def match(self, op: str, pattern: str, shape: Shape) -> None:
        """Narrow by ``column op pattern`` of a simple ``shape``."""
        if shape.exact:
            self.allow([shape.prefix])
        start = merged((self.prefix, self.free), (shape.prefix, shape.free))
        end = merged((self.suffix, self.free_suffix), (shape.suffix, shape.free_suffix), True)
        if start is None or end is None:
            raise Unsupported("no text matches both patterns")
        (self.prefix, self.free), (self.suffix, self.free_suffix) = start, end
        if shape.length is not None:  # (LIKE 'B-___': as long as the pattern)
            self.max_length = min(shape.length, self.max_length or shape.length)
            self.min_length = max(shape.length, self.min_length or 0)
        self.matches = [*self.matches, (op, pattern)]

    def shape(self) -> Shape:
        """The text the column's patterns fix (see :mod:`.patterns`)."""
        return Shape(self.prefix, self.suffix, free=self.free, free_suffix=self.free_suffix)

    def bound(self, op: str, value: Literal) -> None:
        """Narrow by ``column op value`` (value on the right)."""
        if op == "=":
            self.allow([value])
        elif op == "<>":
            self.avoid.append(value)
        elif isinstance(value, Decimal):
            self._numeric_bound(op, value)
        elif isinstance(value, str) and op in ("<", "<=", ">", ">="):
            self.times.append((op, value))
        else:
            raise Unsupported(f"a range over a non-number ({value!r})")

    def _numeric_bound(self, op: str, value: Decimal) -> None:
        if op in (">", ">="):
            if self.low is None or value > self.low or (value == self.low and op == ">"):
                self.low, self.low_strict = value, op == ">"
        elif op in ("<", "<="):
            if self.high is None or value < self.high or (value == self.high and op == "<"):
                self.high, self.high_strict = value, op == "<"
        else:
            raise Unsupported(f"operator {op}")

    def narrowed(self, other: Domain) -> Domain:
        """A copy narrowed by everything ``other`` asks but NOT NULL; Unsupported when
        no value is left."""
        both = Domain(**vars(self))
        both.avoid = [*self.avoid, *other.avoid]
        both.clocks = [*self.clocks, *other.clocks]
        both.times = [*self.times, *other.times]
        for op, pattern in other.matches:
            both.match(op, pattern, shape_of(op, pattern) or Shape(""))
        if other.low is not None:
            both.bound(">" if other.low_strict else ">=", other.low)
        if other.high is not None:
            both.bound("<" if other.high_strict else "<=", other.high)
        if other.allowed is not None:
            both.allow(other.allowed)
        if other.max_length is not None:
            both.max_length = min(other.max_length, both.max_length or other.max_length)
        if other.min_length is not None:
            both.min_length = max(other.min_length, both.min_length or 0)
        if both.low is not None and both.high is not None:
            if both.low > both.high or (
                both.low == both.high and (both.low_strict or both.high_strict)
            ):
                raise Unsupported("no value is within the bounds")
        return both

    def allow(self, values: list[Literal]) -> None:
        if self.allowed is None:
            self.allowed = list(values)
        else:
            self.allowed = [v for v in self.allowed if v in values]
        if not self.allowed:
            raise Unsupported("no value is allowed")
