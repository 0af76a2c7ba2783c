"""Both sides of every relationship, from the foreign keys and ``relationships:`` entries.

For each column's ``references:`` (unless ``relationship: false``): a many-to-one on
its entity and a one-to-many on the referenced entity (unless
``back_populates: false``), with the options of the matching
``relationships:`` entry merged in. Entries that say ``secondary:`` are
many-to-many; when only one side declares it, the other side is created.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..model import naming
from ..model.frozen import copy_with
from ..model.schema import Column, Entity, ForeignKey, Relationship, sorted_named
from ..source.loader import Sources, mapping
from .resolver import entities_of_table, qualified_table_of


def many_to_one_name(column: str, spec: dict[str, Any]) -> str:
    """The many-to-one attribute of a foreign-key column (``store_id`` -> ``store``)."""
    given = spec.get("relationship")
    if isinstance(given, str) and given:
        return given
    return column[:-3] if column.endswith("_id") and len(column) > 3 else column + "_ref"


def one_to_many_name(spec: dict[str, Any], owner_table: str) -> str | None:
    """The one-to-many attribute on the referenced entity, or None (``back_populates: false``)."""
    given = spec.get("back_populates")
    if given is False:
        return None
    return given if isinstance(given, str) and given else owner_table


@dataclass(frozen=True)
class FkLink:
    """One foreign key with the ORM attributes it creates on both entities."""

    owner: str
    column: Column
    fk: ForeignKey
    many_to_one: str
    one_to_many: str | None


def fk_links(src: Sources, entities: list[Entity]) -> list[FkLink]:
    """Every foreign key of a column's ``references:`` whose column does not say
    ``relationship: false``, between two entities with primary keys (one without
    is a ``Table``, not a mapped class, so neither side of an ORM relationship can
    live on it). A key of the entity's ``foreign_keys:`` gives none, as the
    language says: its columns name no attribute for it, and two such keys over
    the same columns, or to the same entity, would give one attribute twice."""
    keyless = {e.name for e in entities if not e.has_primary_key}
    links = []
    for entity in entities:
        if entity.name in keyless:
            continue
        raw = mapping(src.entities[entity.name])
        own = mapping(raw.get("columns"))
        table_level = set(mapping(raw.get("foreign_keys")))
        for fk in entity.foreign_keys:
            if fk.ref_entity in keyless or fk.name in table_level:
                continue
            column = entity.column(fk.columns[0])
            spec = mapping(own.get(column.name)) or _mixin_spec(src, column)
            if spec.get("relationship") is False:
                continue
            links.append(
                FkLink(
                    owner=entity.name,
                    column=column,
                    fk=fk,
                    many_to_one=many_to_one_name(column.name, spec),
                    one_to_many=one_to_many_name(spec, naming.split_qualified(entity.table)[1]),
                )
            )
    return links


def _mixin_spec(src: Sources, column: Column) -> dict[str, Any]:
    if column.mixin is None:
        return {}
    mixin = mapping(src.mixins.get(column.mixin))
    return mapping(mapping(mixin.get("columns")).get(column.name))


def attach_relationships(src: Sources, entities: list[Entity]) -> list[Entity]:
    """Give every entity its relationships: both sides of each FK, and many-to-many."""
    pairs = Counter(
        frozenset({entity.name, fk.ref_entity}) for entity in entities for fk in entity.foreign_keys
    )
    found: dict[str, list[Relationship]] = {e.name: [] for e in entities}
    for link in fk_links(src, entities):
        # SQLAlchemy cannot pick the join when several FKs join the same two tables.
        ambiguous = pairs[frozenset({link.owner, link.fk.ref_entity})] > 1
        found[link.owner].append(many_to_one(link, ambiguous))
        if link.one_to_many is not None:
            entry = mapping(src.entities[link.fk.ref_entity]).get("relationships")
            options = mapping(mapping(entry).get(link.one_to_many))
            found[link.fk.ref_entity].append(one_to_many(link, ambiguous, options))
    add_many_to_many(src, entities, found)
    return [copy_with(e, relationships=sorted_named(found[e.name])) for e in entities]


def many_to_one(link: FkLink, ambiguous: bool) -> Relationship:
    """The many-to-one side of a foreign key, on its own entity."""
    self_ref = link.owner == link.fk.ref_entity
    return Relationship(
        name=link.many_to_one,
        kind="many_to_one",
        target=link.fk.ref_entity,
        back_populates=link.one_to_many,
        foreign_key=link.fk.name,
        foreign_key_columns=(link.column.attribute,) if ambiguous else (),
        ambiguous=ambiguous,
        remote_side=link.fk.ref_columns if self_ref else (),
    )


def one_to_many(link: FkLink, ambiguous: bool, options: dict[str, Any]) -> Relationship:
    """The one-to-many side of a foreign key, on the referenced entity, with its options."""
    assert link.one_to_many is not None
    # The database deletes or nulls the children itself: let it (no SELECT first).
    backed = link.fk.on_delete in ("CASCADE", "SET NULL")
    return Relationship(
        name=link.one_to_many,
        kind="one_to_many",
        target=link.owner,
        back_populates=link.many_to_one,
        foreign_key=link.fk.name,
        foreign_key_columns=(link.column.attribute,) if ambiguous else (),
        ambiguous=ambiguous,
        passive_deletes=bool(options.get("passive_deletes", backed)),
        cascade=options.get("cascade"),
        order_by=options.get("order_by"),
        lazy=options.get("lazy"),
        uselist=options.get("uselist"),
    )


def add_many_to_many(
    src: Sources, entities: list[Entity], found: dict[str, list[Relationship]]
) -> None:
    """Entries that say ``secondary:``, and their reverse sides when only one side says it."""
    declared: list[tuple[str, Relationship]] = []
    for entity in entities:
        taken = {r.name for r in found[entity.name]}
        entries = mapping(mapping(src.entities[entity.name]).get("relationships"))
        for name, entry in entries.items():
            if name not in taken and isinstance(entry, dict) and entry.get("secondary"):
                rel = many_to_many(name, entry, _association_table(src, entry["secondary"]))
                found[entity.name].append(rel)
                declared.append((entity.name, rel))
    for owner, rel in declared:
        others = found.get(rel.target)
        if others is None or rel.back_populates is None:
            continue
        if all(r.name != rel.back_populates for r in others):
            others.append(
                Relationship(
                    name=rel.back_populates,
                    kind="many_to_many",
                    target=owner,
                    back_populates=rel.name,
                    secondary=rel.secondary,
                )
            )


def _association_table(src: Sources, secondary: Any) -> str:
    """The table ``secondary:`` names, as the model keys it and models.py's MetaData
    finds it (``billing.product_tags``): ``secondary="product_tags"`` for a table of
    another schema, or of ``database.schema``, failed SQLAlchemy's mapper configuration
    ("expression 'product_tags' failed to locate a name"). As written where it names
    no one table (validate says so)."""
    found = entities_of_table(src, str(secondary))
    return qualified_table_of(src, found[0]) if len(found) == 1 else str(secondary)


def many_to_many(name: str, entry: dict[str, Any], secondary: str) -> Relationship:
    """A ``relationships:`` entry that says ``secondary:`` (the table it names:
    ``secondary``)."""
    return Relationship(
        name=name,
        kind="many_to_many",
        target=str(entry.get("entity", "")),
        back_populates=entry.get("back_populates"),
        secondary=secondary,
        cascade=entry.get("cascade"),
        order_by=entry.get("order_by"),
        lazy=entry.get("lazy"),
        passive_deletes=bool(entry.get("passive_deletes", False)),
        uselist=entry.get("uselist"),
    )
