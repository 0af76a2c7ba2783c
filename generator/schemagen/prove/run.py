"""``schemagen prove``: create, seed, ANALYZE, then measure every declared query.

The database must be empty (prove never touches a user's data). Each query of
an index's ``serves`` is first planned by PostgreSQL (a query that is not valid
SQL for the schema is a located error, exit 2), then measured with and without
its index. The result says per query whether the planner used the index; it
exits 1 when one did not.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import psycopg

from ..config import Project
from ..errors import Issue, SchemaInvalid
from ..model.schema import Schema, SourceMap
from ..seed.run import SeedResult, seed_connection, use_public_search_path
from ..seed.security import lift_row_security
from .create import create_schema, require_empty
from .explain import QueryProof, parse_problem, prove_query
from .summary import redundant_indexes, unindexed_foreign_keys, unserving_indexes

#: Rows per table when --rows is not given: about a minute on two cores.
DEFAULT_ROWS = 100_000


@dataclass
class ProveResult:
    """Every declared query's proof, and the schema's index summary."""

    seeded: SeedResult
    proofs: list[QueryProof] = field(default_factory=list)
    redundant: list[str] = field(default_factory=list)
    unserving: list[str] = field(default_factory=list)
    unindexed_fks: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[QueryProof]:
        return [p for p in self.proofs if not p.with_index.uses_index]

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0

    def table_rows(self, table: str) -> int:
        return next((t.rows for t in self.seeded.tables if t.table == table), 0)

    def report_lines(self) -> list[str]:
        """The human report: one block per query, then the summary."""
        lines = [f"seeded {self.seeded.rows:,} rows in {self.seeded.seconds:.1f} s, then ANALYZE"]
        for p in self.proofs:
            w, wo = p.with_index, p.without_index
            mark = "ok  " if w.uses_index else "FAIL"
            lines.append(f"{mark} {p.table}.{p.index}: {p.query}")
            lines.append(f"     with index:    {w.node}, {w.ms:.3f} ms, {w.buffers} buffers")
            lines.append(f"     without index: {wo.node}, {wo.ms:.3f} ms, {wo.buffers} buffers")
            lines.append(f"     speedup {p.speedup:.1f}x on {self.table_rows(p.table):,} rows")
            if not w.uses_index:
                lines.append(f"     the planner did not use {p.index}; its plan:")
                lines += [f"       {line}" for line in w.plan.splitlines()]
        lines += _section("redundant indexes", self.redundant)
        lines += _section("indexes that serve no declared query", self.unserving)
        lines += _section("foreign keys without an index", self.unindexed_fks)
        used = len(self.proofs) - len(self.failures)
        lines.append(f"{used} of {len(self.proofs)} declared queries use their index")
        return lines

    def to_data(self) -> dict[str, Any]:
        """Everything, for ``--format json``."""
        return {
            "rows": {t.table: t.rows for t in self.seeded.tables},
            "seed_seconds": round(self.seeded.seconds, 3),
            "queries": [_proof_data(p, self.table_rows(p.table)) for p in self.proofs],
            "redundant_indexes": self.redundant,
            "unserving_indexes": self.unserving,
            "unindexed_foreign_keys": self.unindexed_fks,
            "failures": len(self.failures),
        }

    def record(self) -> str:
        """The run-stable facts for the docs (no timings): ``proofs.json``'s text."""
        indexes: dict[str, list[dict[str, Any]]] = {}
        for p in self.proofs:
            indexes.setdefault(p.index, []).append(
                {
                    "query": p.query,
                    "uses_index": p.with_index.uses_index,
                    "node": p.with_index.node.split(" using ")[0].split(" on ")[0],
                    "rows": self.table_rows(p.table),
                }
            )
        return json.dumps({"indexes": indexes}, indent=2, sort_keys=True) + "\n"


def _section(title: str, items: list[str]) -> list[str]:
    if not items:
        return [f"{title}: none"]
    return [f"{title} ({len(items)}):"] + [f"  {item}" for item in items]


def _proof_data(p: QueryProof, rows: int) -> dict[str, Any]:
    def measure(m: Any) -> dict[str, Any]:
        return {
            "uses_index": m.uses_index,
            "node": m.node,
            "ms": round(m.ms, 3),
            "buffers": m.buffers,
            "plan": m.plan,
        }

    return {
        "table": p.table,
        "index": p.index,
        "query": p.query,
        "rows": rows,
        "with_index": measure(p.with_index),
        "without_index": measure(p.without_index),
        "speedup": round(p.speedup, 2),
    }


def prove_connection(
    conn: psycopg.Connection[Any],
    project: Project,
    schema: Schema,
    source_map: SourceMap,
    *,
    rows: int = DEFAULT_ROWS,
    rows_per: dict[str, int] | None = None,
    seed: int = 0,
) -> ProveResult:
    """Create, seed and measure on ``conn`` (an empty database)."""
    use_public_search_path(conn, schema)
    require_empty(conn, schema.pg_schemas)
    create_schema(conn, project, schema)
    _check_queries(conn, schema, source_map)
    wanted = {ent.table: rows for ent in schema.entities}
    wanted.update(rows_per or {})
    # (only the counts the user named are asks: prove's own share is capped as --rows')
    asked = frozenset(rows_per or {})
    seeded = seed_connection(conn, schema, rows_per=wanted, seed=seed, asked=asked)
    conn.autocommit = True
    conn.execute("ANALYZE")
    result = ProveResult(
        seeded,
        redundant=redundant_indexes(schema),
        unserving=unserving_indexes(schema),
        unindexed_fks=unindexed_foreign_keys(schema),
    )
    # The declared queries as written: FORCE binds the owner to policies, which read
    # the application's session (current_setting('app.user_id')) or hide every row
    # from a role they do not name. Lifted as seed lifts it, and rolled back.
    with conn.transaction(force_rollback=True):
        lift_row_security(conn, schema)
        for ent in schema.entities:
            for ix in ent.indexes:
                for query in ix.serves:
                    result.proofs.append(prove_query(conn, ent.table, ix.name, query))
    return result


def _check_queries(conn: psycopg.Connection[Any], schema: Schema, source_map: SourceMap) -> None:
    """Every declared query, planned by PostgreSQL: a located error for each it rejects."""
    issues = []
    for ent in schema.entities:
        for ix in ent.indexes:
            for i, query in enumerate(ix.serves):
                problem = parse_problem(conn, query)
                if problem is None:
                    continue
                path = ("entities", ent.name, "indexes", ix.name, "serves", str(i))
                where = source_map.find(path)
                file, line, column = (where.file, where.line, where.column) if where else ("", 0, 0)
                issues.append(
                    Issue(
                        file,
                        line,
                        column,
                        ".".join(path),
                        f"PostgreSQL rejects this query: {problem}",
                    )
                )
    conn.rollback()
    if issues:
        raise SchemaInvalid(issues)
