"""Row-level security built from the merged sources: each entity's
``row_level_security`` state and its ``policies``, in canonical order; and its
``replica_identity`` (what logical replication sends of a changed row)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..model.schema import Entity, Policy, ReplicaIdentity
from ..source.loader import Sources, mapping


def row_security(value: Any) -> str | None:
    """``row_level_security:`` as the model keeps it: ``true`` -> ``enable``,
    ``force`` -> ``force``, ``false`` or absent -> ``None``."""
    if value == "force":
        return "force"
    return "enable" if value is True else None


def replica_identity(value: Any) -> ReplicaIdentity | None:
    """``replica_identity:`` as the model keeps it: ``full``, ``nothing``, ``{index:
    name}``; ``default`` or absent -> ``None``."""
    if isinstance(value, dict):
        return ReplicaIdentity("index", str(value.get("index")))
    return ReplicaIdentity(value) if value in ("full", "nothing") else None


def build_policies(src: Sources, entities: Sequence[Entity]) -> tuple[Policy, ...]:
    """Every entity's ``policies:``, sorted by (table, name); roles sorted and unique."""
    found = []
    for ent in entities:
        for name, spec in mapping(mapping(src.entities.get(ent.name)).get("policies")).items():
            spec = mapping(spec)
            roles = spec.get("roles") or ("public",)
            found.append(
                Policy(
                    name=str(name),
                    table=ent.table,
                    command=str(spec.get("command", "all")),
                    roles=tuple(sorted({_role(r) for r in roles})),
                    permissive=bool(spec.get("permissive", True)),
                    using=_sql(spec.get("using")),
                    with_check=_sql(spec.get("with_check")),
                    description=spec.get("description"),
                )
            )
    return tuple(sorted(found, key=lambda p: (p.table, p.name)))


def _role(value: Any) -> str:
    """A role name as written; ``PUBLIC`` in any case is the keyword, every role."""
    name = str(value)
    return "public" if name.lower() == "public" else name


def _sql(value: Any) -> str | None:
    return None if value is None else str(value).strip()
