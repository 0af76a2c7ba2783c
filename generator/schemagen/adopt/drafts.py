"""What the mapping of a catalog to the language's documents shares: one table on
its way to an entity spec, the list of what the language cannot say, and the
small rules every part of the mapping uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..live.shapes import DatabaseShape, IndexShape, TableShape
from ..model import naming
from .catalog import Catalog, SequenceFacts

#: The integer types (as ``format_type`` prints them) a key may pair, serial makes.
INTEGER = frozenset({"smallint", "integer", "bigint"})


@dataclass(frozen=True, order=True)
class Unsupported:
    """One object (or property of one) that the language cannot express."""

    kind: str
    name: str
    detail: str = ""

    def line(self) -> str:
        """``kind name: detail``, as import lists it."""
        return f"{self.kind} {self.name}" + (f": {self.detail}" if self.detail else "")


@dataclass
class TableDraft:
    """One table on its way to an entity spec."""

    name: str  # qualified outside the default schema: billing.invoices
    entity: str
    shape: TableShape
    columns: dict[str, dict[str, Any]] = field(default_factory=dict)
    left_out: set[str] = field(default_factory=set)  # columns not written
    key_order: list[str] | None = None  # the primary key's order, when not the columns'
    foreign_keys: dict[str, dict[str, Any]] = field(default_factory=dict)  # by name
    # the indexes and constraints written, by name: what cluster_on: may name
    written: set[str] = field(default_factory=set)

    @property
    def bare(self) -> str:
        """The table's name without its PostgreSQL schema."""
        return bare_name(self.name)


class MappingState:
    """What the mapping of one catalog shares: the catalog, the class names chosen,
    and the list of what the language cannot say (:meth:`report` adds to it).
    ``mapping.Mapper`` fills it in and runs the mixins of each part that read it."""

    catalog: Catalog
    shape: DatabaseShape
    out: list[Unsupported]
    sequence_of: dict[tuple[str, str], SequenceFacts]
    constraints_of: dict[str, list[tuple[str, Any]]]
    entity_of: dict[str, str]
    enum_of: dict[str, str]
    taken: set[str]
    domains: dict[str, dict[str, Any]]
    domain_of: dict[str, str]
    domain_problems: list[tuple[str, str, str]]
    home: str

    def report(self, kind: str, name: str, detail: str = "") -> None:
        """List one object (or property of one) the documents leave out."""
        self.out.append(Unsupported(kind, name, detail))

    def _calls_missing(self, kind: str, table: str, part: str) -> bool:
        """Whether that object calls a function (or uses a sequence) the project will not
        make: listed by report_objects, and left out here (a fresh upgrade would fail
        at it)."""
        return (kind, table, part) in self.catalog.calls_missing

    def _expressions(self, table: str, index: str) -> tuple[bool, ...]:
        facts = self.catalog.indexes.get((table, index))
        return facts.expressions if facts is not None else ()


def bare_name(name: str) -> str:
    """A table, type or sequence name without its PostgreSQL schema."""
    return naming.split_qualified(name)[1]


def plain_index(ix: IndexShape, expressions: tuple[bool, ...]) -> bool:
    """An index that ``columns: [a, b]`` (or a column's ``index: true``) says."""
    return (
        ix.method == "btree"
        and not ix.unique
        and ix.predicate is None
        and not ix.include
        and not any(ix.opclasses)
        and not ix.orders
        and not ix.collations
        and not any(expressions)
    )


def move_last(spec: dict[str, Any], keys: tuple[str, ...]) -> None:
    """Move ``keys`` that ``spec`` has to its end, in this order."""
    for key in keys:
        if key in spec:
            spec[key] = spec.pop(key)


def set_before(spec: dict[str, Any], key: str, value: Any) -> None:
    """Set ``key``, keeping ``description`` and ``attribute`` last (they read best there)."""
    spec[key] = value
    move_last(spec, ("description", "attribute"))
