"""The Mermaid ``erDiagram`` of all tables and their foreign keys.

Mermaid's ER grammar is narrow, so every name goes through a rule here:

- entity names are always double-quoted table names (a bare ``end``, ``class``,
  ``style``, ``one``, ``many`` or ``to`` is a parse error; a quoted one is not);
- attribute types are single words: the short PostgreSQL name (``varchar``,
  ``numeric``, ``timestamptz``, ``text[]``), never with spaces or parentheses;
- attribute names must match ``[A-Za-z_*][A-Za-z0-9_-]*`` and must not be a key
  word (``PK``, ``FK``, ``UK``, any case): others get a trailing ``_``;
- keys: ``PK`` for primary-key columns, ``FK`` for foreign-key columns, ``UK``
  for a column that is unique on its own;
- nullability: a column that may be NULL carries the attribute comment
  ``"nullable"`` (Mermaid's ``type name KEYS "comment"``); the others are NOT NULL;
- a relationship is ``parent <card>--<card> child : "fk columns"``: the parent
  side is ``||`` (exactly one) when every FK column is NOT NULL, else ``|o``;
  the child side is ``o|`` (zero or one) when the FK columns are unique, else
  ``o{`` (zero or more). The line is solid (identifying) when the FK columns are
  part of the child's primary key, dotted otherwise.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from ..model.schema import ColumnType, Entity, ForeignKey, Schema
from .view import PerType

_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z_*][A-Za-z0-9_-]*$")
_KEY_WORDS = frozenset({"pk", "fk", "uk"})

_SHORT_TYPES = {
    "string": "varchar",
    "timestamptz": "timestamptz",
    "timestamp": "timestamp",
    "time": "time",
    "double": "double",
    "float": "real",
    "bytes": "bytea",
}


def mermaid_type(ct: ColumnType, schema: Schema) -> str:
    """A one-word type for the diagram: ``varchar``, ``numeric``, ``text[]``."""
    if ct.kind == "array":
        assert ct.of is not None
        return mermaid_type(ct.of, schema) + "[]"
    if ct.kind == "enum":
        assert ct.enum is not None
        return attribute_word(schema.enum(ct.enum).db_name)
    if ct.pgtype is not None:
        return attribute_word(ct.pgtype)
    return _SHORT_TYPES.get(ct.kind, ct.kind)


@functools.lru_cache(maxsize=65536)
def attribute_word(name: str) -> str:
    """``name`` as a Mermaid attribute word (type or attribute name)."""
    if name.isascii() and name.isidentifier():
        word = name  # as most names: already a word (no substitution to search for)
    else:
        word = re.sub(r"[^A-Za-z0-9_-]", "_", name)
        if not _ATTRIBUTE_NAME.match(word):
            word = "_" + word
    if word.lower() in _KEY_WORDS:
        word += "_"
    return word


@functools.lru_cache(maxsize=65536)
def entity_name(table: str) -> str:
    """A quoted Mermaid entity name. Mermaid's quoted names exclude ``"``, ``%``
    and backslashes (table names are identifiers, so this is only a guard)."""
    return '"' + re.sub(r'["%\\]', "_", table) + '"'


def _unique_sets(entity: Entity) -> set[frozenset[str]]:
    """Column sets that are unique on their own in ``entity``."""
    sets = {frozenset(entity.primary_key.columns)}
    sets |= {frozenset(u.columns) for u in entity.uniques}
    sets |= {frozenset(i.columns) for i in entity.indexes if i.unique and not i.where}
    return sets


def _cardinality(entity: Entity, fk: ForeignKey) -> str:
    nullable = any(entity.column(c).nullable for c in fk.columns)
    parent = "|o" if nullable else "||"
    unique = frozenset(fk.columns) in _unique_sets(entity)
    child = "o|" if unique else "o{"
    line = "--" if set(fk.columns) <= set(entity.primary_key.columns) else ".."
    return f"{parent}{line}{child}"


def relationship_line(entity: Entity, fk: ForeignKey) -> str:
    """The line of foreign key ``fk`` of ``entity``: ``parent <card> child : "columns"``."""
    label = ", ".join(fk.columns).replace('"', "'")
    return (
        f"{entity_name(fk.ref_table)} {_cardinality(entity, fk)} "
        f'{entity_name(entity.table)} : "{label}"'
    )


def relationship_lines(
    schema: Schema,
    around: Entity | None = None,
    line_of: Callable[[Entity, ForeignKey], str] = relationship_line,
) -> list[str]:
    """One line per foreign key, sorted by parent table, child table, FK name
    (only those from or to the entity ``around`` when given). ``line_of``:
    :func:`relationship_line`, or a memo of it (:class:`DiagramParts`)."""
    if around is None:
        pairs = [(ent, fk) for ent in schema.entities for fk in ent.foreign_keys]
    else:
        # Its own keys, then the others' keys that point at it (a self-reference once).
        pairs = [(around, fk) for fk in around.foreign_keys]
        pairs += [
            (ent, fk) for ent, fk in schema.foreign_keys_to(around.name) if ent.name != around.name
        ]
    rows = [((fk.ref_table, ent.table, fk.name), line_of(ent, fk)) for ent, fk in pairs]
    return [line for _, line in sorted(rows)]


def attribute_lines(
    entity: Entity,
    schema: Schema,
    keys_only: bool = False,
    type_word: Callable[[ColumnType], str] | None = None,
) -> list[str]:
    """``type name KEYS`` for every column of ``entity``, in table order (only the
    primary-key and foreign-key columns when ``keys_only``). ``type_word``:
    :func:`mermaid_type`, or a memo of it (:class:`DiagramParts`)."""
    type_word = type_word or (lambda ct: mermaid_type(ct, schema))
    fk_columns = {c for fk in entity.foreign_keys for c in fk.columns}
    single_unique = {next(iter(s)) for s in _unique_sets(entity) if len(s) == 1}
    lines = []
    for col in entity.columns:
        keys = []
        if col.primary_key:
            keys.append("PK")
        if col.name in fk_columns:
            keys.append("FK")
        if col.name in single_unique and not col.primary_key:
            keys.append("UK")
        if keys_only and not (col.primary_key or col.name in fk_columns):
            continue
        text = f"{type_word(col.type)} {attribute_word(col.name)}"
        if keys:
            text += f" {', '.join(keys)}"
        lines.append(f'{text} "nullable"' if col.nullable else text)
    return lines


def renamed_attributes(schema: Schema) -> list[tuple[str, str]]:
    """(``table.column``, diagram name) for every column shown under another name."""
    return [
        (f"{ent.table}.{col.name}", attribute_word(col.name))
        for ent in sorted(schema.entities, key=lambda e: e.table)
        for col in ent.columns
        if attribute_word(col.name) != col.name
    ]


def er_diagram(schema: Schema, parts: DiagramParts | None = None) -> str:
    """The whole ``erDiagram`` text (without the Markdown fence). ``parts``: the
    lines of ``schema``'s diagrams, as far as the entity pages worked them out
    (every line of this diagram is on one of them too)."""
    parts = parts or DiagramParts(schema)
    out = ["erDiagram"]
    out += [f"    {line}" for line in relationship_lines(schema, line_of=parts.relationship)]
    out += [parts.block(ent, False) for ent in sorted(schema.entities, key=lambda e: e.table)]
    return "\n".join(out) + "\n"


class DiagramParts:
    """The parts that the diagrams of one schema repeat, each worked out once: a
    table and its foreign keys show on its own page, on the page of every table it
    references or that references it, and in the whole diagram."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self._blocks: dict[tuple[str, bool], str] = {}
        self._types = PerType(lambda ct: mermaid_type(ct, schema))
        self._relationships: dict[tuple[str, str], str] = {}

    def block(self, entity: Entity, keys_only: bool) -> str:
        """The lines of ``entity`` in a diagram, as one text: its quoted name, the
        :func:`attribute_lines` (indented), the closing brace."""
        key = (entity.name, keys_only)
        found = self._blocks.get(key)
        if found is None:
            lines = attribute_lines(entity, self.schema, keys_only, self._types)
            found = self._blocks[key] = "\n".join(
                [f"    {entity_name(entity.table)} {{", *[f"        {x}" for x in lines], "    }"]
            )
        return found

    def relationship(self, entity: Entity, fk: ForeignKey) -> str:
        """:func:`relationship_line` of ``fk`` of ``entity``."""
        key = (entity.name, fk.name)
        found = self._relationships.get(key)
        if found is None:
            found = self._relationships[key] = relationship_line(entity, fk)
        return found


def neighborhood_diagram(entity: Entity, schema: Schema, parts: DiagramParts | None = None) -> str:
    """An ``erDiagram`` of one table (all columns), the tables its foreign keys
    point to and the tables whose foreign keys point at it (key columns only).
    ``parts``: the parts of ``schema``'s diagrams, as far as already worked out."""
    parts = parts or DiagramParts(schema)
    lines = relationship_lines(schema, entity, parts.relationship)
    shown = {entity.table: entity}
    for fk in entity.foreign_keys:
        shown.setdefault(fk.ref_table, schema.entity(fk.ref_entity))
    for ent, _ in schema.foreign_keys_to(entity.name):
        shown.setdefault(ent.table, ent)
    out = ["erDiagram", *[f"    {line}" for line in lines]]
    out += [parts.block(shown[table], table != entity.table) for table in sorted(shown)]
    return "\n".join(out) + "\n"
