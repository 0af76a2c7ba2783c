"""Relationship names for imported foreign keys: the language's defaults where they work.

A foreign-key column gives a many-to-one attribute on its entity (the column
name without ``_id``) and a one-to-many attribute on the referenced entity (the
referencing table's name). An import writes ``relationship:`` or
``back_populates:`` only where that default is not a usable Python name, clashes
with a column or another relationship, or is ambiguous: two foreign keys from
one table to the same entity would both claim the table's name on it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..normalize.relationships import many_to_one_name
from .names import python_name, usable_as_is

Columns = dict[str, dict[str, Any]]


def relationship_keys(
    tables: list[tuple[str, str, Columns]], fks: list[tuple[str, str, str]]
) -> None:
    """Add ``relationship`` / ``back_populates`` to the column specs that need them.

    ``tables``: (entity, table, column specs); ``fks``: (entity, column, referenced
    entity), in a stable order. The specs are changed in place.
    """
    table_of = {entity: table for entity, table, _ in tables}
    specs = {entity: columns for entity, _, columns in tables}
    taken: dict[str, set[str]] = {
        entity: {spec.get("attribute", name) for name, spec in columns.items()}
        for entity, _, columns in tables
    }
    many: dict[tuple[str, str], str] = {}
    for owner, column, _ in fks:
        wanted = many_to_one_name(column, {})
        name = _free(wanted, taken[owner], f"{wanted}_ref")
        if name != wanted:
            specs[owner][column]["relationship"] = name
        many[(owner, column)] = name
    claims = Counter((target, table_of[owner]) for owner, _, target in fks)
    for owner, column, target in fks:
        wanted = table_of[owner]
        spec = specs[owner][column]
        if claims[(target, wanted)] > 1 or not usable_as_is(wanted):
            preferred = python_name(f"{wanted}_{many[(owner, column)]}")
        else:
            preferred = wanted
        name = _free(preferred, taken[target], f"{preferred}_list")
        if name != wanted:
            spec["back_populates"] = name
        for key in ("description", "attribute"):
            if key in spec:
                spec[key] = spec.pop(key)


def _free(wanted: str, taken: set[str], fallback: str) -> str:
    """``wanted`` if it is a usable, free attribute name, else a numbered ``fallback``."""
    name = wanted if usable_as_is(wanted) else python_name(wanted)
    if name in taken:
        base, number = python_name(fallback), 1
        name = base
        while name in taken:
            number += 1
            name = f"{base}{number}"
    taken.add(name)
    return name
