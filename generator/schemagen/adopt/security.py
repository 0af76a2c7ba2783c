"""Map a table's row-level security, its policies and its replica identity."""

from __future__ import annotations

from typing import Any

from ..live.shapes import TableShape
from ..model.replication import replica_identity_spec


def security_spec(shape: TableShape, left_out: frozenset[str] = frozenset()) -> dict[str, Any]:
    """``row_level_security:``, ``policies:`` and ``replica_identity:`` of a table,
    defaults left out (a partitioned table's identity is listed: report_objects), and
    the policies named in ``left_out`` (they call a function the project will not make)."""
    spec: dict[str, Any] = {}
    if shape.row_security is not None:
        spec["row_level_security"] = "force" if shape.row_security == "force" else True
    identity = shape.replica_identity
    dangling = identity is not None and identity.kind == "index" and identity.index is None
    if identity is not None and shape.partition_key is None and not dangling:
        spec["replica_identity"] = replica_identity_spec(identity)
    policies: dict[str, Any] = {}
    for name, policy in sorted(shape.policies.items()):
        if name in left_out:
            continue
        entry: dict[str, Any] = {}
        if policy.command != "all":
            entry["command"] = policy.command
        if policy.roles != ("public",):
            entry["roles"] = list(policy.roles)
        if not policy.permissive:
            entry["permissive"] = False
        for key, value in (
            ("using", policy.using),
            ("with_check", policy.with_check),
            ("description", policy.comment),
        ):
            if value is not None:
                entry[key] = value
        policies[name] = entry
    if policies:
        spec["policies"] = policies
    return spec
