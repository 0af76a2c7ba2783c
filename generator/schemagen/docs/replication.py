"""What an entity page says of its table's REPLICA IDENTITY (``replica_identity:``)."""

from __future__ import annotations

from ..model.schema import Entity
from .text import md_code


def replication_text(entity: Entity) -> str:
    """One paragraph on what logical replication sends of a changed row; empty for
    DEFAULT (the primary key), which the page does not mention."""
    identity = entity.replica_identity
    if identity is None:
        return ""
    table = md_code(entity.table)
    if identity.kind == "full":
        return (
            f"REPLICA IDENTITY **FULL** on {table} (`replica_identity: full`): logical "
            "replication and change data capture send every column of an updated or "
            "deleted row's old version."
        )
    if identity.kind == "nothing":
        return (
            f"REPLICA IDENTITY **NOTHING** on {table} (`replica_identity: nothing`): "
            "logical replication sends no old version of an updated or deleted row, and "
            "a publication that publishes updates or deletes refuses them."
        )
    return (
        f"REPLICA IDENTITY **USING INDEX** {md_code(str(identity.index))} on {table}: "
        "logical replication and change data capture identify an updated or deleted "
        "row by that unique index's columns."
    )
