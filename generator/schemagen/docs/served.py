"""The "queries the indexes serve" section of an entity page.

Each index's ``serves`` queries, and what ``schemagen prove --write-docs``
recorded about them (``<output>/proofs.json``): only the facts that do not
change from run to run (the planner used the index, with which plan node, on
how many rows). A record for another query text is ignored, so editing a query
drops its "proven" line until the next prove.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..model.schema import Entity
from .text import md_code_cell

#: ``{index name: [{"query", "uses_index", "node", "rows"}, ...]}`` from proofs.json.
Proofs = Mapping[str, list[dict[str, Any]]]


@dataclass(frozen=True)
class ServedRow:
    index: str
    query: str
    proven: str


def served_rows(entity: Entity, proofs: Proofs | None) -> tuple[ServedRow, ...]:
    """One row per declared query of the entity's indexes, in index order."""
    rows = []
    for ix in entity.indexes:
        records = {r.get("query"): r for r in (proofs or {}).get(ix.name, ())}
        for query in ix.serves:
            rows.append(
                ServedRow(md_code_cell(ix.name), md_code_cell(query), _proven(records.get(query)))
            )
    return tuple(rows)


def _proven(record: dict[str, Any] | None) -> str:
    if record is None:
        return "not proven yet (`schemagen prove --write-docs`)"
    rows = f"{int(record.get('rows', 0)):,}"
    node = str(record.get("node", ""))
    if record.get("uses_index"):
        return f"proven on {rows} rows: {node}"
    return f"**not used** on {rows} rows (the planner chose {node})"
