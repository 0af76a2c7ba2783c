"""Relationship attributes: usable Python names, unique on their entity.

Owns where each relationship comes from in the YAML (a many-to-many entry, a
foreign key's ``relationship:`` or ``back_populates:``) and whether its name
can be a mapped class's attribute, clashes with a column, or is made twice.
"""

from __future__ import annotations

from ..model import naming
from ..model.schema import Schema
from ..source.loader import Sources, YamlPath, mapping
from .names import AMBIGUOUS_ATTRIBUTE
from .reporter import Reporter, column_path


def relationship_sources(schema: Schema, src: Sources) -> dict[tuple[str, str], list[YamlPath]]:
    """(entity, relationship name) -> the YAML paths that created it."""
    found: dict[tuple[str, str], list[YamlPath]] = {}
    for entity in schema.entities:
        for rel in entity.relationships:
            if rel.kind == "many_to_many":
                path: YamlPath = ("entities", entity.name, "relationships", rel.name)
            elif rel.kind == "many_to_one":
                fk = next(f for f in entity.foreign_keys if f.name == rel.foreign_key)
                path = (*column_path(src, entity, fk.columns[0]), "relationship")
            else:
                owner = schema.entity(rel.target)
                fk = next(f for f in owner.foreign_keys if f.name == rel.foreign_key)
                path = (*column_path(src, owner, fk.columns[0]), "back_populates")
            found.setdefault((entity.name, rel.name), []).append(path)
    return found


def check_relationship_names(schema: Schema, src: Sources, report: Reporter) -> None:
    """A relationship attribute is a usable Python name, unique on its entity, and
    clashes with no column."""
    sources = relationship_sources(schema, src)
    for (entity_name, rel), paths in sorted(sources.items()):
        problem = python_name_problem(rel)
        if problem:
            # The name becomes a class attribute in models.py: `class: Mapped[...]`
            # would not even compile.
            instead = (
                _ambiguous_instead(src, paths[0], rel)
                if rel in naming.AMBIGUOUS_NAMES
                else "choose another name"
            )
            report.error(paths[0], f"relationship '{rel}' on {entity_name} {problem}; {instead}")
        entity = schema.entity(entity_name)
        clash = next((c for c in entity.columns if c.attribute == rel), None)
        if clash is not None:
            report.error(
                paths[0],
                f"relationship '{rel}' on {entity_name} clashes with column "
                f"'{clash.name}'; choose another name",
            )
        if len(paths) > 1:
            where = ", ".join(".".join(p[:-1]) for p in paths)
            for path in paths:
                report.error(
                    path,
                    f"relationship '{rel}' on {entity_name} is created twice (by {where}); "
                    "give each a different name",
                )


def _ambiguous_instead(src: Sources, path: YamlPath, rel: str) -> str:
    """What to write for the relationship ``rel`` (``l``, ``I`` or ``O``) made at
    ``path``: its own spelling where the name is written there; where it is a
    foreign key column's default (nothing written at ``path``), the key that names
    it instead and the column that takes it."""
    *column_path, key = path
    if key not in ("relationship", "back_populates") or len(column_path) != 4:
        return f"write {rel}_"
    section, owner, _, column = column_path
    spec = mapping(mapping(mapping(src.section(section).get(owner)).get("columns")).get(column))
    if key in spec:
        return f"write {rel}_"
    where = f"column {column} of {'mixin ' if section == 'mixins' else ''}{owner}"
    if key == "relationship":
        side, why = "many-to-one", "the column's name without _id"
    else:
        side, why = "one-to-many", "its table's name"
    return (
        f"{rel} is the default name of the {side} side of {where} ({why}): "
        f"add {key}: {rel}_ to that column"
    )


def python_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be an attribute of a mapped class, or None."""
    if not naming.is_identifier(name):
        return "is not a valid Python name"
    if naming.is_python_keyword(name):
        return "is a Python keyword"
    if name in naming.RESERVED_ATTRIBUTES:
        return "is reserved by SQLAlchemy's declarative base"
    if name in naming.AMBIGUOUS_NAMES:
        return AMBIGUOUS_ATTRIBUTE
    return None
