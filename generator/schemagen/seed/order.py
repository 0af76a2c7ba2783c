"""The order tables are filled in, parents first, and the rows each gets by default.

A foreign-key cycle is broken at a nullable foreign key: its column is inserted
NULL and filled by an UPDATE once every table has rows (:mod:`.deferred`). A cycle
of NOT NULL keys cannot be seeded and is reported by name.
"""

from __future__ import annotations

import graphlib

from ..model.schema import Entity, ForeignKey, Schema
from .refusals import SeedError


def default_rows(schema: Schema, total: int) -> dict[str, int]:
    """Rows per table for ``--rows N``: N for tables nothing references, N/10 for the
    ones others reference, N/100 for roots with no foreign key (at least 1 each)."""
    referenced = {
        fk.ref_table
        for ent in schema.entities
        for fk in ent.foreign_keys
        if fk.ref_table != ent.table
    }
    result = {}
    for ent in schema.entities:
        has_parent = any(fk.ref_table != ent.table for fk in ent.foreign_keys)
        if ent.table not in referenced:
            rows = total
        elif has_parent:
            rows = total // 10
        else:
            rows = total // 100
        result[ent.table] = max(rows, 1) if total > 0 else 0
    return result


def insert_order(schema: Schema) -> tuple[list[Entity], dict[str, set[str]]]:
    """Entities parents first, and per table the FK names deferred to break cycles."""
    deferred: dict[str, set[str]] = {ent.table: set() for ent in schema.entities}
    for ent in schema.entities:  # a self reference is always deferred
        for fk in ent.foreign_keys:
            if fk.ref_table == ent.table:
                _defer(ent, fk, deferred, "it references its own table")
    while True:
        sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
        for ent in sorted(schema.entities, key=lambda e: e.table):
            parents = {
                fk.ref_table for fk in ent.foreign_keys if fk.name not in deferred[ent.table]
            }
            sorter.add(ent.table, *sorted(parents))
        try:
            order = list(sorter.static_order())
        except graphlib.CycleError as exc:
            _break_cycle(schema, list(exc.args[1]), deferred)
            continue
        return [schema.entity_by_table(t) for t in order], deferred


def _defer(ent: Entity, fk: ForeignKey, deferred: dict[str, set[str]], why: str) -> None:
    if not all(ent.column(c).nullable for c in fk.columns):
        raise SeedError(
            f"cannot seed {ent.table}: foreign key {fk.name} is NOT NULL and {why}; "
            "make one foreign key of the cycle nullable"
        )
    deferred[ent.table].add(fk.name)


def _break_cycle(schema: Schema, cycle: list[str], deferred: dict[str, set[str]]) -> None:
    """Defer one nullable foreign key along ``cycle`` (table names, closed)."""
    edges = list(zip(cycle, cycle[1:], strict=False))
    for parent, child in edges:  # graphlib lists a node, then one that needs it
        ent = schema.entity_by_table(child)
        for fk in ent.foreign_keys:
            if fk.ref_table == parent and all(ent.column(c).nullable for c in fk.columns):
                deferred[child].add(fk.name)
                return
    names = " -> ".join(cycle)
    raise SeedError(
        f"cannot seed the foreign-key cycle {names}: every foreign key in it is NOT NULL; "
        "make one of them nullable"
    )
