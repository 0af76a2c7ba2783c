"""View-models of the generated docs: every decision about what a page says.

The templates in ``templates/docs/`` only lay these out. Every string here is
final Markdown: user-written text went through :mod:`schemagen.docs.text`
(``md_text`` for paragraphs, ``md_cell_text`` / ``md_code_cell`` for table
cells), so a template never needs to escape anything.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import NamedTuple

from ..model import naming, sqltext
from ..model.routines import on_update_trigger
from ..model.schema import (
    Column,
    ColumnType,
    Entity,
    Enum,
    ForeignKey,
    Index,
    Relationship,
    Schema,
    partition_tree,
)
from ..model.sequences import identity_sql
from ..model.sqltext import deferral_sql, exclude_sql, index_key_sql
from ..model.typemap import pg_type
from ..util.identity import Memo, by_identity
from .text import github_slug, md_cell_text, md_code, md_code_cell, md_text

# One row of a table on a page (a column, an index, a constraint, ...) is a named
# tuple: as immutable as a frozen dataclass, built at half the cost (a frozen
# dataclass sets each field through object.__setattr__; 2,000 entity pages and the
# overview build 100,000 rows). The pages themselves stay dataclasses.

#: Where each page lives, relative to the output folder.
README = "docs/README.md"
ER_DIAGRAM = "docs/er-diagram.md"
ENUMS = "docs/enums.md"


def entity_path(entity: Entity, home: str | None = None) -> str:
    """The page of one entity, relative to the output folder: named by its table,
    qualified only outside the project's default PostgreSQL schema ``home``
    (``database.schema``; None: public). With ``home`` app: ``customers.md`` for
    app.customers, ``billing.invoices.md``, and ``public.settings.md``."""
    return f"docs/entities/{page_table(entity.table, home)}.md"


def page_table(table: str, home: str | None) -> str:
    """``table`` (keyed as the model keys it) relative to ``home``."""
    pg_schema, bare = naming.split_qualified(table)
    if home is None or pg_schema == home:
        return table if home is None else bare
    return f"{pg_schema or 'public'}.{bare}"


def entity_heading(entity: Entity) -> str:
    """The first heading of an entity page (its anchor is the page's top)."""
    return f"{entity.name} (table {entity.table})"


def enum_heading(enum: Enum) -> str:
    """The heading of an enum's section, on the enums page and entity pages."""
    return f"{enum.name} (type {enum.db_name})"


class Link(NamedTuple):
    """A ready Markdown link (``[text](target)``) or plain text when no target."""

    text: str
    target: str = ""

    def __str__(self) -> str:
        return f"[{self.text}]({self.target})" if self.target else self.text


@functools.lru_cache(maxsize=65536)
def _rel(from_page: str, to_page: str) -> str:
    """A relative link from one docs page to another (both under ``docs/``)."""
    folder, _, name = to_page.rpartition("/")
    if from_page.rpartition("/")[0] == folder:
        return name  # a page beside it, as an entity page's links to the others are
    src = from_page.split("/")[:-1]
    dst = to_page.split("/")
    common = 0
    while common < min(len(src), len(dst) - 1) and src[common] == dst[common]:
        common += 1
    return "/".join([".."] * (len(src) - common) + dst[common:])


def entity_link(schema: Schema, name: str, from_page: str, text: str | None = None) -> Link:
    """A link to the page of entity ``name`` (text: its table name, as code)."""
    ent = schema.entity(name)
    target = _rel(from_page, entity_path(ent, schema.database.schema))
    return Link(text if text is not None else md_code_cell(ent.table), target)


def enum_link(enum: Enum, from_page: str) -> Link:
    """A link to an enum's section on the enums page."""
    anchor = github_slug(enum_heading(enum))
    return Link(md_code_cell(enum.name), f"{_rel(from_page, ENUMS)}#{anchor}")


# --- columns -------------------------------------------------------------------


class PerType:
    """A text worked out once per column type object (``text(type)``), not once per
    column: a schema writes a few types over all its columns, and the normalizer
    shares one frozen object per distinct type (about 200 for the 32,000 columns of
    a 2,000-table schema, however much the columns differ)."""

    def __init__(self, text: Callable[[ColumnType], str]) -> None:
        self._text = text
        self._known: Memo[ColumnType, str] = {}

    def __call__(self, ct: ColumnType) -> str:
        return by_identity(self._known, ct, self._text)


def type_text(ctype: ColumnType, schema: Schema) -> str:
    """A column type as PostgreSQL spells it, plus the ``types:`` alias if one was
    used (a domain's name says that it is one: ``email`` (domain over text))."""
    words = pg_type(ctype, schema)
    ct = ctype.of if ctype.kind == "array" else ctype
    if ct is not None and ct.domain is not None:
        base = pg_type(replace(schema.domain(ct.domain).type, collation=None), schema)
        return f"{md_code_cell(words)} (domain over {md_code_cell(base)})"
    if ctype.collation is not None:
        words += f" COLLATE {sqltext.quote_name(ctype.collation)}"
    text = md_code_cell(words)
    if ctype.alias:
        text += f" ({md_cell_text(ctype.alias)})"
    return text


def type_texts(schema: Schema) -> PerType:
    """:func:`type_text` of each column type of ``schema``, once per type."""
    return PerType(lambda ct: type_text(ct, schema))


def default_sql(column: Column) -> str | None:
    """The server default as SQL, e.g. ``now()``, ``'active'``, ``'{}'::jsonb``: the
    same text as models.py and the revisions (one module decides it)."""
    if column.identity:  # its sequence's own name bare: the docs name the table's schema
        return identity_sql(column.identity_options, column.sequence_name)
    return sqltext.default_sql(column)


class ColumnRow(NamedTuple):
    """One row of an entity's column table."""

    name: str
    type: str
    nullable: str
    default: str
    description: str
    references: str
    indexed: str = ""


def indexed_by(entity: Entity) -> dict[str, list[str]]:
    """Column -> the indexes that cover it (primary key, unique constraints, indexes),
    each named in code; "2nd of 3" when the column is not the index's first (a
    query on that column alone cannot use it well)."""
    found: dict[str, list[str]] = {}
    keys = [(entity.primary_key.name, entity.primary_key.columns, ["PK"])]
    keys = keys if entity.has_primary_key else []
    keys += [(u.name, u.columns, ["unique"]) for u in entity.uniques]
    keys += [(ix.name, ix.columns, []) for ix in entity.indexes]
    for name, columns, kind in keys:
        for position, column in enumerate(columns, 1):
            notes = kind + ([f"{_ordinal(position)} of {len(columns)}"] if position > 1 else [])
            text = md_code_cell(name) + (f" ({', '.join(notes)})" if notes else "")
            found.setdefault(column, []).append(text)
    return found


def _ordinal(number: int) -> str:
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10 if number % 100 not in (11, 12, 13) else 0)
    return f"{number}{suffix or 'th'}"


def _column_notes(column: Column, entity: Entity, schema: Schema | None = None) -> list[str]:
    """Facts about a column that the schema holds and the reader should see."""
    notes: list[str] = []
    if column.attribute and column.attribute != column.name:
        notes.append(f"Python attribute {md_code_cell(column.attribute)}.")
    if column.mixin:
        notes.append(f"From mixin {md_code_cell(column.mixin)}.")
    if column.on_update_now and schema is not None and schema.database.on_update_now == "trigger":
        trigger = on_update_trigger(entity.table, column.name)
        notes.append(
            f"Set to `now()` on every UPDATE by the database trigger {md_code_cell(trigger)}, "
            "whoever writes the row."
        )
    elif column.on_update_now:
        notes.append("Set to `now()` by the ORM on every update (no database trigger).")
    if column.renamed_from:
        notes.append(f"Renamed from {md_code_cell(column.renamed_from)}.")
    if column.statistics is not None:
        notes.append(f"Statistics target {column.statistics} (`SET STATISTICS`).")
    if column.storage is not None:
        notes.append(f"Storage {column.storage.upper()} (`SET STORAGE`).")
    return notes


def column_rows(
    entity: Entity, schema: Schema, page: str, types: PerType | None = None
) -> tuple[ColumnRow, ...]:
    """The column table of an entity page, in table order (``types``: the
    :func:`type_texts` of ``schema``, as far as already worked out)."""
    types = types or type_texts(schema)
    refs: dict[str, list[str]] = {}
    for fk in entity.foreign_keys:
        for col, ref_col in zip(fk.columns, fk.ref_columns, strict=True):
            text = md_code_cell(f"{fk.ref_table}.{ref_col}")
            link = entity_link(schema, fk.ref_entity, page, text)
            refs.setdefault(col, []).append(str(link))
    indexes = indexed_by(entity)
    rows = []
    for column in entity.columns:
        default = default_sql(column)
        description = md_cell_text(column.description)
        notes = " ".join(_column_notes(column, entity, schema))
        if notes:
            description = f"{description}<br>{notes}" if description else notes
        name = md_code_cell(column.name)
        if column.primary_key:
            name += " (PK)"
        rows.append(
            ColumnRow(
                name=name,
                type=types(column.type),
                nullable="yes" if column.nullable else "no",
                default=md_code_cell(default) if default is not None else "",
                description=description,
                references=", ".join(refs.get(column.name, [])),
                indexed=", ".join(indexes.get(column.name, [])) or "no",
            )
        )
    return tuple(rows)


# --- indexes and constraints ---------------------------------------------------


class IndexRow(NamedTuple):
    """One index, every property shown as the schema holds it."""

    table: str
    name: str
    columns: str
    method: str
    unique: str
    where: str
    include: str
    ops: str
    description: str


def _codes(items: tuple[str, ...]) -> str:
    return ", ".join(md_code_cell(item) for item in items)


def index_row(entity: Entity, index: Index, table: Link) -> IndexRow:
    """Describe one index for a table row."""
    return IndexRow(
        table=str(table),
        name=md_code_cell(index.name),
        # keys with an expression or an order read as CREATE INDEX writes them
        columns=_codes(tuple(index_key_sql(index, k) for k in index.keys) or index.columns),
        method=index.using,
        unique="yes" if index.unique else "no",
        where=md_code_cell(index.where) if index.where else "",
        include=_codes(index.include),
        ops=", ".join(f"{md_code_cell(col)}: {md_code_cell(op)}" for col, op in index.ops),
        description=md_cell_text(index.description),
    )


class ConstraintRow(NamedTuple):
    """One constraint: primary key, unique, check or foreign key."""

    table: str
    name: str
    kind: str
    definition: str


def fk_definition(fk: ForeignKey, schema: Schema, page: str) -> str:
    """``(store_id) → stores(id)``, MATCH FULL when set, ON DELETE, ON UPDATE when set."""
    target = entity_link(
        schema, fk.ref_entity, page, md_code_cell(f"{fk.ref_table}({', '.join(fk.ref_columns)})")
    )
    text = f"{md_code_cell('(' + ', '.join(fk.columns) + ')')} → {target}"
    if fk.match:
        text += f", MATCH {fk.match} (all NULL or all set)"
    text += f", ON DELETE {fk.on_delete or 'NO ACTION (default)'}"
    if fk.on_update:
        text += f", ON UPDATE {fk.on_update}"
    return text


def constraint_rows(
    entity: Entity, schema: Schema, page: str, table: Link
) -> tuple[ConstraintRow, ...]:
    """Every constraint of an entity: primary key, uniques, checks, foreign keys,
    exclusion constraints; and a partitioned table's key and partitions."""
    pk = entity.primary_key
    cell = str(table)  # the same first cell on every row
    rows = [
        ConstraintRow(
            cell,
            md_code_cell(pk.name),
            "primary key",
            md_code_cell("(" + ", ".join(pk.columns) + ")"),
        )
    ]
    rows = rows if entity.has_primary_key else []  # primary_key: false
    rows += [
        ConstraintRow(
            cell,
            md_code_cell(u.name),
            "unique",
            md_code_cell("(" + ", ".join(u.columns) + ")" + deferral_sql(u)),
        )
        for u in entity.uniques
    ]
    rows += [
        ConstraintRow(
            cell,
            md_code_cell(c.name),
            "check" if c.validated else "check, NOT VALID (old rows unchecked)",
            md_code_cell(c.expression),
        )
        for c in entity.checks
    ]
    rows += [
        ConstraintRow(
            cell,
            md_code_cell(fk.name),
            "foreign key" if fk.validated else "foreign key, NOT VALID (old rows unchecked)",
            fk_definition(fk, schema, page),
        )
        for fk in entity.foreign_keys
    ]
    rows += [
        ConstraintRow(cell, md_code_cell(ex.name), "exclusion", md_code_cell(exclude_sql(ex)))
        for ex in entity.excludes
    ]
    if entity.partition_by is not None:
        # the partitions are tables of their own, listed with the key they split
        key = md_code_cell(entity.partition_by.sql())
        rows.append(ConstraintRow(cell, "", "partition key", key))
        # a partition partitioned in turn says its key, and its own partitions follow it
        rows += [
            ConstraintRow(
                cell,
                md_code_cell(p.name),
                f"partition of {above[-1]}" if above else "partition",
                md_code_cell(
                    p.bound_sql()
                    + (f" PARTITION BY {p.partition_by.sql()}" if p.partition_by else "")
                ),
            )
            for above, p in partition_tree(entity.partitions)
        ]
    return tuple(rows)


# --- relationships and back references -----------------------------------------


class RelationshipRow(NamedTuple):
    """One ORM relationship attribute."""

    name: str
    kind: str
    target: str
    back_populates: str
    options: str


_KIND_TEXT = {
    "many_to_one": "many-to-one",
    "one_to_many": "one-to-many",
    "many_to_many": "many-to-many",
}


def _relationship_kind(rel: Relationship) -> str:
    # A one-to-many with uselist=False holds at most one child: say so.
    if rel.kind == "one_to_many" and rel.uselist is False:
        return "one-to-one"
    return _KIND_TEXT.get(rel.kind, rel.kind)


def _relationship_options(rel: Relationship) -> str:
    options: list[str] = []
    if rel.secondary:
        options.append(f"secondary={rel.secondary}")
    if rel.cascade:
        options.append(f'cascade="{rel.cascade}"')
    if rel.order_by:
        options.append(f"order_by={rel.order_by}")
    if rel.lazy:
        options.append(f'lazy="{rel.lazy}"')
    if rel.passive_deletes:
        options.append("passive_deletes=True")
    if rel.uselist is not None:
        options.append(f"uselist={rel.uselist}")
    if rel.foreign_key_columns:
        options.append(f"foreign_keys=[{', '.join(rel.foreign_key_columns)}]")
    return ", ".join(md_code_cell(opt) for opt in options)


def relationship_rows(entity: Entity, schema: Schema, page: str) -> tuple[RelationshipRow, ...]:
    """The ORM attributes that :mod:`models.py` gives an entity."""
    return tuple(
        RelationshipRow(
            name=md_code_cell(rel.name),
            kind=_relationship_kind(rel),
            target=str(entity_link(schema, rel.target, page, md_code_cell(rel.target))),
            back_populates=md_code_cell(rel.back_populates) if rel.back_populates else "",
            options=_relationship_options(rel),
        )
        for rel in entity.relationships
    )


class ReferenceRow(NamedTuple):
    """A foreign key of another table that points at this entity."""

    table: str
    columns: str
    name: str
    on_delete: str


def referenced_by(entity: Entity, schema: Schema, page: str) -> tuple[ReferenceRow, ...]:
    """The foreign keys in the whole schema that reference ``entity``."""
    return tuple(
        ReferenceRow(
            table=str(entity_link(schema, other.name, page)),
            columns=_codes(fk.columns),
            name=md_code_cell(fk.name),
            on_delete=fk.on_delete or "NO ACTION (default)",
        )
        # sorted() is stable: one table's keys stay in constraint order
        for other, fk in sorted(schema.foreign_keys_to(entity.name), key=lambda p: p[0].table)
    )


# --- enums ---------------------------------------------------------------------


class EnumValueRow(NamedTuple):
    value: str
    member: str
    description: str


@dataclass(frozen=True)
class EnumView:
    """An enum type with its values and the columns that use it."""

    heading: str
    description: str
    values: tuple[EnumValueRow, ...]
    used_by: str


def enum_columns(enum: Enum, schema: Schema) -> tuple[tuple[Entity, Column], ...]:
    """Every column whose type is ``enum`` (directly or as an array element)."""
    return schema.enum_columns(enum.name)


def enum_view(enum: Enum, schema: Schema, page: str) -> EnumView:
    """Describe one enum for the enums page or an entity page."""
    used = [
        str(entity_link(schema, ent.name, page, md_code(f"{ent.table}.{col.name}")))
        for ent, col in enum_columns(enum, schema)
    ]
    return EnumView(
        heading=f"{md_code(enum.name)} (type {md_code(enum.db_name)})",
        description=md_text(enum.description),
        values=tuple(
            EnumValueRow(md_code_cell(v.value), md_code_cell(v.member), md_cell_text(v.description))
            for v in enum.values
        ),
        used_by=", ".join(used) if used else "no column",
    )
