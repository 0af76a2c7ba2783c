"""What the schema alone says about its indexes: redundant ones, ones that serve no
declared query, and foreign keys that no index leads with."""

from __future__ import annotations

from dataclasses import dataclass

from ..model.schema import Entity, Schema


@dataclass(frozen=True)
class KeyIndex:
    """An index or an index-backed constraint, for the prefix comparisons."""

    name: str
    columns: tuple[str, ...]
    using: str
    where: str | None
    unique: bool
    declared: bool  # an ``indexes:`` entry (not a primary key or unique constraint)


def key_indexes(ent: Entity) -> list[KeyIndex]:
    """Every B-tree the table has for its keys, and every declared index."""
    pk = ent.primary_key
    found = [KeyIndex(pk.name, pk.columns, "btree", None, True, False)]
    found = found if ent.has_primary_key else []  # primary_key: false
    found += [KeyIndex(u.name, u.columns, "btree", None, True, False) for u in ent.uniques]
    found += [
        KeyIndex(ix.name, ix.columns, ix.using, ix.where, ix.unique, True) for ix in ent.indexes
    ]
    return found


def redundant_indexes(schema: Schema) -> list[str]:
    """Declared, non-unique indexes whose columns are a prefix of another index's with
    the same method and predicate: the other one serves their queries too."""
    lines = []
    for ent in schema.entities:
        keys = key_indexes(ent)
        for ix in keys:
            if not ix.declared or ix.unique:
                continue
            for other in keys:
                if (
                    other.name != ix.name
                    and other.using == ix.using
                    and other.where == ix.where
                    and other.columns[: len(ix.columns)] == ix.columns
                    and (len(other.columns) > len(ix.columns) or other.name < ix.name)
                ):
                    lines.append(
                        f"{ent.table}.{ix.name}: a prefix of {other.name} "
                        f"({', '.join(other.columns)})"
                    )
                    break
    return lines


def unserving_indexes(schema: Schema) -> list[str]:
    """Declared indexes that list no query in ``serves``."""
    return [
        f"{ent.table}.{ix.name}" for ent in schema.entities for ix in ent.indexes if not ix.serves
    ]


def unindexed_foreign_keys(schema: Schema) -> list[str]:
    """Foreign keys whose columns no index (or key) leads with: each delete of a parent
    row then scans the child table."""
    lines = []
    for ent in schema.entities:
        keys = [k for k in key_indexes(ent) if k.using == "btree" and k.where is None]
        for fk in ent.foreign_keys:
            covered = any(set(k.columns[: len(fk.columns)]) == set(fk.columns) for k in keys)
            if not covered:
                lines.append(f"{ent.table}.{fk.name} ({', '.join(fk.columns)}) -> {fk.ref_table}")
    return lines
