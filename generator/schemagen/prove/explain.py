"""Run one declared query with ``EXPLAIN (ANALYZE, BUFFERS)``, with and without its index.

The index is hidden by dropping it inside a transaction that is rolled back:
the planner then plans as if the index did not exist, and nothing changes.
Timings are the best of a few runs (the first warms the cache); the facts
that do not change from run to run (is the index used, by which plan node)
come from the plan itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import psycopg

from ..model.naming import in_schema_of
from ..seed.values import qualified_ident

RUNS = 3
_INDEX_NODES = ("Index Scan", "Index Only Scan", "Bitmap Index Scan")


@dataclass(frozen=True)
class Measure:
    """One plan of the query and what it cost."""

    node: str  # the node using the index, or the plan's scan of the table
    uses_index: bool
    ms: float  # best execution time of RUNS runs
    buffers: int  # shared blocks hit + read by the whole plan
    plan: str  # the plan as text, one node per line


@dataclass(frozen=True)
class QueryProof:
    """A declared query measured with and without its index."""

    table: str
    index: str
    query: str
    with_index: Measure
    without_index: Measure

    @property
    def speedup(self) -> float:
        return self.without_index.ms / max(self.with_index.ms, 0.001)


def prove_query(conn: psycopg.Connection[Any], table: str, index: str, query: str) -> QueryProof:
    """Measure ``query`` with ``index`` and with it hidden; leave the database as it was."""
    with_index = _measure(conn, index, query)
    with conn.transaction(force_rollback=True):
        conn.execute(f"DROP INDEX {qualified_ident(in_schema_of(table, index))}")  # type: ignore[arg-type]
        without_index = _measure(conn, index, query)
    return QueryProof(table, index, query, with_index, without_index)


def _measure(conn: psycopg.Connection[Any], index: str, query: str) -> Measure:
    best: dict[str, Any] | None = None
    for _ in range(RUNS):
        row = conn.execute(
            f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {query}"  # type: ignore[arg-type]
        ).fetchone()
        assert row is not None
        data = row[0] if not isinstance(row[0], str) else json.loads(row[0])
        result = data[0]
        if best is None or result["Execution Time"] < best["Execution Time"]:
            best = result
    assert best is not None
    plan = best["Plan"]
    using = _find(plan, lambda node: node.get("Index Name") == index)
    scan = using or _find(plan, lambda node: "Scan" in node.get("Node Type", "")) or plan
    return Measure(
        node=_node_name(scan),
        uses_index=using is not None,
        ms=float(best["Execution Time"]),
        buffers=int(plan.get("Shared Hit Blocks", 0)) + int(plan.get("Shared Read Blocks", 0)),
        plan="\n".join(_lines(plan)),
    )


def _find(node: dict[str, Any], wanted: Any) -> dict[str, Any] | None:
    if wanted(node):
        return node
    for child in node.get("Plans", ()):
        found = _find(child, wanted)
        if found is not None:
            return found
    return None


def _node_name(node: dict[str, Any]) -> str:
    name = str(node.get("Node Type", "?"))
    if "Index Name" in node:
        return f"{name} using {node['Index Name']}"
    if "Relation Name" in node:
        return f"{name} on {node['Relation Name']}"
    return name


def _lines(node: dict[str, Any], depth: int = 0) -> list[str]:
    lines = ["  " * depth + _node_name(node)]
    for child in node.get("Plans", ()):
        lines += _lines(child, depth + 1)
    return lines


def parse_problem(conn: psycopg.Connection[Any], query: str) -> str | None:
    """Why PostgreSQL rejects ``query`` (parse, names, types), or None: plain EXPLAIN
    plans it without running it."""
    try:
        with conn.transaction(force_rollback=True):
            conn.execute(f"EXPLAIN {query}")  # type: ignore[arg-type]
    except psycopg.Error as exc:
        if conn.broken:  # the session went, not the query: the connection's edge says so
            raise
        return " ".join(str(exc).split())
    return None
