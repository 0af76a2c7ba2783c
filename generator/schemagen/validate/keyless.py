"""Entities without a primary key (``primary_key: false``) and what they cannot have.

Such a table (an append-only event log, a staging table, an old join table)
must say so: an entity with no key column and no ``primary_key: false`` is an
error whose hint names the opt-in. SQLAlchemy's ORM maps no class without a
primary key, so models.py makes the table a ``Table`` on the metadata (as
sqlacodegen does): it carries no ORM relationship, on either side, and
``references: Entity`` has no key to point at (``Entity.column`` of a unique
column still can, see the resolver). A many-to-many may go through it
(``secondary:`` names a table).
"""

from __future__ import annotations

from ..normalize.resolver import Resolver, Unresolved
from ..source.loader import Sources, YamlPath, mapping
from .reporter import Reporter

OPT_IN = "primary_key: false"


def check_primary_key_declared(
    src: Sources, resolver: Resolver, report: Reporter, name: str
) -> None:
    """The entity has a primary key, or says ``primary_key: false`` and marks no key column."""
    base: YamlPath = ("entities", name)
    if not resolver.keyless(name):
        if not resolver.primary_key(name):
            report.error(
                base,
                "entity has no primary key; mark a column with primary_key: true, or say "
                f"{OPT_IN} for a table without one (an event log, a staging table)",
            )
        return
    if "primary_key_name" in mapping(src.entities[name]):
        report.error(
            (*base, "primary_key_name"),
            f"entity {name} says {OPT_IN}: there is no primary key to name; remove one of the two",
        )
    for col in resolver.columns(name):
        if col.spec.get("primary_key"):
            report.error(
                (*col.path, "primary_key"),
                f"column {col.name} says primary_key, but entity {name} says {OPT_IN} "
                "(a table without a primary key); remove one of the two",
            )
    for rel in mapping(mapping(src.entities[name]).get("relationships")):
        report.error(
            (*base, "relationships", rel),
            f"entity {name} has no primary key ({OPT_IN}): models.py maps it as a Table, "
            "not a class, so it has no relationships; query it through the Table",
        )


def check_keyless_relationships(src: Sources, resolver: Resolver, report: Reporter) -> None:
    """No relationship names an entity without a primary key, from either side: an
    explicit ``relationship:``/``back_populates:`` on a foreign key to or from one, or
    a ``relationships:`` entry whose ``entity:`` is one."""
    keyless = {e for e in src.entities if resolver.keyless(e)}
    if not keyless:
        return
    for owner in sorted(src.entities):
        for col in resolver.columns(owner):
            if "references" not in col.spec:
                continue
            try:
                target, _ = resolver.reference(col)
            except Unresolved:
                continue  # reported at the column
            table = next((e for e in (owner, target) if e in keyless), None)
            if table is None:
                continue
            for key in ("relationship", "back_populates"):
                if isinstance(col.spec.get(key), str):
                    report.error((*col.path, key), _no_relationship(table, key))
        entries = mapping(mapping(src.entities[owner]).get("relationships"))
        for rel, entry in entries.items():
            other = mapping(entry).get("entity")
            if owner not in keyless and other in keyless:
                path = ("entities", owner, "relationships", rel, "entity")
                report.error(path, _no_relationship(str(other), "this entry"))


def _no_relationship(entity: str, what: str) -> str:
    return (
        f"entity {entity} has no primary key ({OPT_IN}): models.py maps it as a Table, "
        f"not a class, so no ORM relationship can join it; remove {what}"
        + (" (or say relationship: false)" if what == "relationship" else "")
    )
