"""Row-level security policies that read each other's tables round a cycle.

PostgreSQL applies the read policies (``all`` and ``select``, permissive or
restrictive) of every table a policy's sub-select reads. When ``teams``' read policy
reads ``accounts`` and ``accounts``' reads ``teams``, reading either table goes
round the cycle and the first query fails ("infinite recursion detected in
policy"), though the migration ran clean. Measured on PostgreSQL 15 (see
tests/validate/test_validate_policy_cycles.py): a cycle recurses only when every
table on it has row-level security and one role is bound by each of its policies;
an update policy's ``using`` or a ``with_check`` reading a table is no edge of it.
A policy reading its own table is :mod:`.security`'s (a cycle of one).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..normalize.resolver import pg_schema, table_of
from ..source.loader import Sources, YamlPath, mapping
from .reporter import Reporter
from .sql import SqlSyntaxError, common_table_names, parse_expression_tree, referenced_relations

#: The commands whose policies' ``using`` PostgreSQL applies to a read of the table.
READ_COMMANDS = ("all", "select")

Table = tuple[str, str]  # (PostgreSQL schema, table), as PostgreSQL folds them


@dataclass(frozen=True)
class _Edge:
    """A read policy of ``source`` whose sub-select reads ``target``."""

    path: YamlPath
    source: Table
    target: Table
    roles: frozenset[str]  # empty: PUBLIC, every role


def check_policy_cycles(src: Sources, report: Reporter) -> None:
    """Each read policy on a cycle of two tables or more, located at its ``using``."""
    home = pg_schema(mapping(src.database), None) or "public"
    edges = _edges(src, home)
    named = sorted({role for edge in edges for role in edge.roles})
    reported: set[YamlPath] = set()
    # PUBLIC's own graph first, then each named role's (PUBLIC's policies bind it too)
    for role in [None, *named]:
        graph = [e for e in edges if not e.roles or (role is not None and role in e.roles)]
        for edge in graph:
            back = _path(graph, edge.target, edge.source)
            if back is None or edge.path in reported:
                continue
            reported.add(edge.path)
            tables = [_shown(edge.source, home), *(_shown(t, home) for t in back)]
            report.error(
                edge.path,
                f"its sub-select reads {_shown(edge.target, home)}, whose read policies read "
                f"{_shown(edge.source, home)} again ({' -> '.join(tables)}): PostgreSQL "
                "applies the policies of each table a policy reads, round the cycle, and the "
                "first query the policies bind fails with 'infinite recursion detected in "
                "policy'; read the rows through a SECURITY DEFINER function (routines:) "
                "instead",
            )


def _edges(src: Sources, home: str) -> list[_Edge]:
    """The read policies of tables with row-level security whose sub-selects read
    another such table, in entity and policy order."""
    secured: dict[Table, str] = {}
    for entity in sorted(src.entities):
        spec = mapping(src.entities[entity])
        if spec.get("row_level_security"):
            table = (str(pg_schema(spec, home) or home), table_of(src, entity))
            secured[(table[0].lower(), table[1].lower())] = entity
    edges = []
    for source, entity in secured.items():
        policies = mapping(mapping(src.entities[entity]).get("policies"))
        for name, raw in policies.items():
            spec = mapping(raw)
            using = spec.get("using")
            if str(spec.get("command", "all")) not in READ_COMMANDS or not isinstance(using, str):
                continue
            roles = spec.get("roles")
            bound = frozenset(
                str(r) for r in (roles if isinstance(roles, list) else []) if str(r) != "public"
            )
            if isinstance(roles, list) and any(str(r) == "public" for r in roles):
                bound = frozenset()
            path = ("entities", entity, "policies", str(name), "using")
            for target in _reads(using, home):
                if target in secured and target != source:
                    edges.append(_Edge(path, source, target, bound))
    return edges


def _reads(sql: str, home: str) -> list[Table]:
    """The tables a policy's expression reads (a ``WITH`` clause's names are none)."""
    try:
        tree = parse_expression_tree(sql)
    except SqlSyntaxError:
        return []  # reported by security._check_expression
    ctes = set(common_table_names(tree))
    found = []
    for rel in referenced_relations(tree):
        if len(rel) == 1 and rel[0] in ctes:
            continue
        parts = tuple(p.lower() for p in rel[-2:])
        found.append((parts[0], parts[1]) if len(parts) == 2 else (home.lower(), parts[0]))
    return found


def _path(graph: list[_Edge], start: Table, goal: Table) -> list[Table] | None:
    """The tables from ``start`` to ``goal`` by the fewest policies (breadth first),
    or None when ``goal`` cannot be reached."""
    came: dict[Table, Table | None] = {start: None}
    queue = [start]
    for table in queue:
        if table == goal:
            steps: list[Table] = []
            at: Table | None = table
            while at is not None:
                steps.append(at)
                at = came[at]
            return steps[::-1]
        for edge in graph:
            if edge.source == table and edge.target not in came:
                came[edge.target] = table
                queue.append(edge.target)
    return None


def _shown(table: Table, home: str) -> str:
    return table[1] if table[0] == home.lower() else f"{table[0]}.{table[1]}"
