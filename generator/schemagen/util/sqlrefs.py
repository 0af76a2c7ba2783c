"""What a piece of SQL reads, from PostgreSQL's own parser (``pglast``).

Views and functions are ordered in migrations by the relations their SQL names,
not by the order of the YAML. This module knows nothing of the schema language:
it names relations and column references, and says why a text does not parse.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any


class SqlSyntaxError(ValueError):
    """PostgreSQL's parser rejects the text (the message is the parser's);
    ``position`` is 1-based, in characters, where the parser says."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position

    def describe(self) -> str:
        """The parser's message with where in the fragment it stopped."""
        if self.position is None:
            return self.message
        return f"{self.message} (character {self.position} of the SQL)"


@dataclass
class Reads:
    """The relations a statement names and its column references.

    ``aliases`` maps each alias (and each bare relation name) used in FROM to the
    relation; ``columns`` holds ``(qualifier or None, column)`` pairs, where the
    qualifier is an alias or relation name as written. ``star`` is set when the
    statement selects ``*`` (its output columns are then not known here).
    """

    relations: set[str] = field(default_factory=set)
    aliases: dict[str, str] = field(default_factory=dict)
    columns: set[tuple[str | None, str]] = field(default_factory=set)
    outputs: list[str | None] = field(default_factory=list)
    star: bool = False
    ctes: set[str] = field(default_factory=set)
    #: FROM holds a subquery, a function or a CTE: unqualified column names may
    #: come from there, so only qualified ones can be checked.
    opaque: bool = False
    labels: set[str] = field(default_factory=set)  # ``AS name`` of the outputs


def _parse(sql: str) -> Any:
    from pglast import parse_sql  # ~50 ms to import: only when a schema has SQL to read
    from pglast.parser import ParseError

    try:
        return parse_sql(sql)
    except ParseError as exc:
        raise SqlSyntaxError(str(exc)) from None


@functools.lru_cache(maxsize=512)
def select_reads(sql: str) -> Reads:
    """Parse one query (a view's ``SELECT``) and return what it reads."""
    stmts = _parse(sql)
    if len(stmts) != 1 or type(stmts[0].stmt).__name__ != "SelectStmt":
        raise SqlSyntaxError("expected a single SELECT (or VALUES / WITH ... SELECT) query")
    reads = _collect(stmts)
    reads.outputs, reads.labels = _output_names(stmts[0].stmt)
    return reads


def statements_reads(sql: str) -> Reads:
    """The relations that any statement of ``sql`` (a SQL function body) names."""
    return _collect(_parse(sql))


def plpgsql_reads(create_function_sql: str) -> Reads:
    """The relations the SQL inside a PL/pgSQL function names.

    ``create_function_sql`` is a whole ``CREATE FUNCTION`` statement. Expressions
    that do not parse alone (PL/pgSQL assignments) are skipped: only queries matter.
    """
    from pglast import parse_plpgsql
    from pglast.parser import ParseError

    try:
        tree = parse_plpgsql(create_function_sql)
    except ParseError as exc:
        raise SqlSyntaxError(str(exc)) from None
    reads = Reads()
    for query in _queries(tree):
        try:
            found = statements_reads(query)
        except SqlSyntaxError:
            continue
        reads.relations |= found.relations
    return reads


@functools.lru_cache(maxsize=512)
def expression_calls(sql: str) -> frozenset[str]:
    """The functions an expression (a default, a check) calls, keyed as the model
    keys tables: public's bare, another schema's qualified; ``pg_catalog``'s left
    out. Empty when ``sql`` does not parse (validate says why elsewhere)."""
    from pglast.visitors import Visitor

    try:
        stmts = _parse(f"SELECT {sql}")
    except SqlSyntaxError:
        return frozenset()
    found: set[str] = set()

    class _Calls(Visitor):  # type: ignore[misc]
        def visit_FuncCall(self, ancestors: Any, node: Any) -> None:  # noqa: N802
            parts = [str(p.sval) for p in node.funcname if hasattr(p, "sval")]
            if parts[:-1] in ([], ["public"]):
                found.add(parts[-1])
            elif parts[0] != "pg_catalog":
                found.add(".".join(parts))

    _Calls()(stmts)
    return frozenset(found)


def _queries(node: Any) -> list[str]:
    # The tree is plain JSON data; every SQL expression sits under "query".
    found: list[str] = []
    for item in _walk(node):
        query = item.get("query")
        if isinstance(query, str):
            found.append(query)
    return found


def _walk(node: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            out.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return out


def _collect(stmts: Any) -> Reads:
    from pglast.visitors import Visitor

    reads = Reads()
    ctes: set[str] = set()

    class _Collector(Visitor):  # type: ignore[misc]
        def visit_CommonTableExpr(self, ancestors: Any, node: Any) -> None:  # noqa: N802
            ctes.add(node.ctename)
            reads.opaque = True

        def visit_RangeSubselect(self, ancestors: Any, node: Any) -> None:  # noqa: N802
            reads.opaque = True

        def visit_RangeFunction(self, ancestors: Any, node: Any) -> None:  # noqa: N802
            reads.opaque = True

        def visit_RangeVar(self, ancestors: Any, node: Any) -> None:  # noqa: N802
            schema = node.schemaname
            if schema is not None and (schema.startswith("pg_") or schema == "information_schema"):
                reads.opaque = True  # the catalog: not the schema's
                return
            # as the model keys tables: public's bare, another schema's qualified
            relation = node.relname if schema in (None, "public") else f"{schema}.{node.relname}"
            reads.relations.add(relation)
            reads.aliases[node.relname] = relation
            if node.alias is not None:
                reads.aliases[node.alias.aliasname] = relation

        def visit_ColumnRef(self, ancestors: Any, node: Any) -> None:  # noqa: N802
            _column_ref(reads, node)

    _Collector()(stmts)
    reads.relations -= ctes
    for cte in ctes:
        if reads.aliases.get(cte) == cte:
            reads.aliases.pop(cte)
    reads.ctes = ctes
    return reads


def _column_ref(reads: Reads, node: Any) -> None:
    names = [getattr(f, "sval", None) for f in node.fields]
    words = [str(name) for name in names if name is not None]
    if len(words) != len(names):
        reads.star = True  # ``*`` or ``t.*``
    elif len(words) == 1:
        reads.columns.add((None, words[0]))
    elif len(words) == 2:
        reads.columns.add((words[0], words[1]))


def _output_names(select: Any) -> tuple[list[str | None], set[str]]:
    """The output column names of a SELECT where they can be read off the text."""
    while getattr(select, "op", None) is not None and select.larg is not None:
        select = select.larg  # UNION etc.: the first branch names the columns
    names: list[str | None] = []
    labels: set[str] = set()
    for target in select.targetList or ():
        if target.name:
            names.append(target.name)
            labels.add(target.name)
            continue
        value = target.val
        fields = getattr(value, "fields", None)
        last = getattr(fields[-1], "sval", None) if fields else None
        names.append(last)
    return names, labels
