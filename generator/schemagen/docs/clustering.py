"""What an entity page says of its table's CLUSTER ON mark (``cluster_on:``)."""

from __future__ import annotations

from ..model.schema import Entity
from .text import md_code


def clustering_text(entity: Entity) -> str:
    """One paragraph naming the index a bare ``CLUSTER`` sorts the table by; empty
    for a table without the mark, which the page does not mention."""
    if entity.cluster_on is None:
        return ""
    return (
        f"{md_code(entity.table)} is clustered on {md_code(entity.cluster_on)} "
        f"(`cluster_on: {entity.cluster_on}`): a bare `CLUSTER {entity.table}` (a "
        "maintenance job's) sorts its rows by that index. The mark alone sorts nothing, "
        "and rows written after a CLUSTER are not kept in that order."
    )
