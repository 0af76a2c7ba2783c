"""Check the queries an index declares it serves (``serves:``) against the schema.

Each query is parsed with PostgreSQL's own parser (``sql.parse_query``): it must be one
SELECT, read the index's table, and name only tables and columns the schema
has. Types and everything else PostgreSQL checks when ``schemagen prove``
plans the query.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..language.messages import did_you_mean
from ..model.naming import qualify
from ..model.schema import Entity, Schema
from ..source.loader import Sources
from .reporter import Reporter, index_path
from .sql import SqlSyntaxError, parse_query

if TYPE_CHECKING:  # imported where used: see .sql
    from pglast import ast


def check_serves(schema: Schema, src: Sources, report: Reporter) -> None:
    """Report every ``serves`` query that is not SQL for this schema."""
    for ent in schema.entities:
        for ix in ent.indexes:
            for i, query in enumerate(ix.serves):
                problem = serves_problem(schema, ent, query)
                if problem:
                    path = (*index_path(src, ent, ix.name, ix.columns), "serves", str(i))
                    report.error(path, problem)


def serves_problem(schema: Schema, ent: Entity, query: str) -> str | None:
    """Why ``query`` cannot be a query that ``ent``'s index serves, or None."""
    try:
        stmt = parse_query(query)
    except SqlSyntaxError as exc:
        return f"not a query prove can run (one SELECT): {exc}"
    refs = _References()
    refs.walk(stmt)
    tables = {e.table: e for e in schema.entities}
    unknown = sorted(t for t in refs.tables.values() if t not in tables and t not in refs.ctes)
    if unknown:
        hint = did_you_mean(unknown[0], sorted(tables))
        return f"names table '{unknown[0]}', which the schema does not have{hint}"
    if ent.table not in refs.tables.values():
        return f"does not read {ent.table}, the table of this index"
    if refs.ctes or refs.subqueries:
        return None  # names a subquery's columns by its own aliases: PostgreSQL checks them
    return _column_problem(refs, tables)


def _column_problem(refs: _References, tables: dict[str, Entity]) -> str | None:
    read = {alias: tables[t] for alias, t in refs.tables.items()}
    for qualifier, column in refs.columns:
        if qualifier is not None:
            owner = read.get(qualifier)
            if owner is None:
                return f"names '{qualifier}.{column}', but reads no table called {qualifier}"
            candidates = [owner]
        else:
            if column in refs.aliases:
                continue
            candidates = list(read.values())
        if not any(e.has_column(column) for e in candidates):
            names = sorted({c.name for e in candidates for c in e.columns})
            where = ", ".join(sorted({e.table for e in candidates}))
            return f"names column '{column}', which {where} does not have" + did_you_mean(
                column, names
            )
    return None


class _References:
    """Tables (by alias), CTE names, output aliases and column references of a query."""

    def __init__(self) -> None:
        self.tables: dict[str, str] = {}
        self.ctes: set[str] = set()
        self.aliases: set[str] = set()
        self.columns: list[tuple[str | None, str]] = []
        self.subqueries = False

    def walk(self, node: Any) -> None:
        from pglast import ast

        if isinstance(node, tuple | list):
            for item in node:
                self.walk(item)
            return
        if not isinstance(node, ast.Node):
            return
        self._note(node)
        for name in node:
            self.walk(getattr(node, name))

    def _note(self, node: ast.Node) -> None:
        from pglast import ast

        if isinstance(node, ast.RangeVar):
            alias = node.alias.aliasname if node.alias is not None else node.relname
            # Keyed as the schema keys tables: billing.invoices, or bare in public.
            home = None if node.schemaname in (None, "public") else str(node.schemaname)
            self.tables[str(alias)] = qualify(home, str(node.relname))
        elif isinstance(node, ast.CommonTableExpr):
            self.ctes.add(str(node.ctename))
        elif isinstance(node, ast.RangeSubselect | ast.RangeFunction | ast.SubLink):
            self.subqueries = True
        elif isinstance(node, ast.ResTarget) and node.name:
            self.aliases.add(str(node.name))
        elif isinstance(node, ast.ColumnRef):
            fields = [f.sval for f in node.fields or () if isinstance(f, ast.String)]
            if len(fields) == len(node.fields or ()) and fields:
                qualifier = str(fields[-2]) if len(fields) >= 2 else None
                self.columns.append((qualifier, str(fields[-1])))
