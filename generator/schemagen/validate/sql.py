"""SQL fragments of a schema, read by PostgreSQL's own parser.

Checks, partial-index ``where:`` predicates and ``{sql: ...}`` defaults are
pasted into DDL as they are written. Each one is parsed here with libpg_query
(through ``pglast``), the parser of PostgreSQL itself, so a fragment that
PostgreSQL would reject as syntax is rejected by ``validate``, located at its
YAML node with the parser's own message and position. The same parse tree
says which columns and relations a fragment names; nothing here scans SQL text
with regular expressions.

The API, for every field that holds SQL (generated columns, index
expressions, view and function bodies too):

- :func:`parse_expression` -- one value expression (a check, a ``where:``, a
  default), or :class:`SqlSyntaxError`; :func:`read_expression` checks the same
  and gives its column references without building a tree (the fast path);
- :func:`parse_query` -- one query statement (``SELECT ...``, ``VALUES ...``,
  ``WITH ...``), e.g. a view body;
- :func:`referenced_columns` and :func:`referenced_relations` -- the column
  references and the tables/views of a parsed tree, in order of appearance;
- :func:`has_subquery` -- whether a tree holds a sub-select (PostgreSQL refuses
  them in checks, index predicates and defaults);
- :func:`called_functions` -- the functions a tree calls, by name.

The parser is libpg_query's build of a recent PostgreSQL: syntax that only a
newer server knows is accepted here and refused by an older server when the
migration runs.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..util.sqlrefs import SqlSyntaxError

# pglast takes ~50 ms to import: each function imports it when a schema has SQL
# to read, so that importing this module (plan's and migrate's imports,
# operations) costs nothing, and plan's process, whose checks run in children,
# never pays it.
if TYPE_CHECKING:
    from pglast import ast
    from pglast.parser import ParseError

#: What a fragment shows of itself in a message: enough to recognise it.
_SHOWN = 60

# Parts of a SELECT that a lone expression (``SELECT <expr>``) leaves empty.
_SELECT_CLAUSES = (
    "distinctClause",
    "intoClause",
    "fromClause",
    "whereClause",
    "groupClause",
    "havingClause",
    "windowClause",
    "valuesLists",
    "sortClause",
    "limitOffset",
    "limitCount",
    "lockingClause",
    "withClause",
    "larg",
    "rarg",
)


@dataclass(frozen=True)
class Expression:
    """What the checks need to know of one expression: its column references (as
    :func:`referenced_columns` gives them) and whether it holds a sub-select."""

    columns: tuple[tuple[str, ...], ...]
    subquery: bool


@functools.lru_cache(maxsize=65536)
def read_expression(sql: str) -> Expression:
    """Check ``sql`` as :func:`parse_expression` does and say what it refers to.

    The fast path for validation: the parser's JSON is read directly (building
    pglast's node objects costs seven times the parse), and a text seen before
    (the same check on many tables) is not parsed again.
    """
    _check_text(sql)
    bare = _select_data(sql, "SELECT ")
    _select_data(sql, "SELECT (", ")")
    select: dict[str, Any] = bare.get("SelectStmt") or {}
    targets = select.get("targetList") or []
    if len(targets) != 1:
        raise SqlSyntaxError("is not one expression (a list, or a statement?)")
    target = targets[0]["ResTarget"]
    if "name" in target or any(select.get(name) for name in _SELECT_CLAUSES):
        raise SqlSyntaxError("is not one expression: it goes on after the value (an alias?)")
    columns: dict[tuple[str, ...], None] = {}
    subquery = False
    for kind, node in _data_nodes(target.get("val")):
        if kind == "SubLink":
            subquery = True
        elif kind == "ColumnRef":
            fields = node.get("fields") or []
            if any("A_Star" in field for field in fields):
                parse_expression_tree(sql)  # raises with the position
            parts = tuple(f["String"]["sval"] for f in fields if "String" in f)
            if parts and len(parts) == len(fields):
                columns.setdefault(parts)
    return Expression(tuple(columns), subquery)


def parse_expression(sql: str) -> ast.Node:
    """Parse ``sql`` as one value expression, exactly as PostgreSQL's grammar reads it.

    The fragment must stand alone both bare and inside parentheses, as the DDL
    places it (``CHECK (<sql>)``, ``WHERE <sql>``, ``DEFAULT <sql>``): an
    unbalanced parenthesis, a trailing ``--`` comment, a second statement after
    ``;``, a list (``a, b``), an alias or a ``FROM`` are all errors.
    """
    read_expression(sql)
    return parse_expression_tree(sql)


def parse_expression_tree(sql: str) -> ast.Node:
    """The pglast tree of an expression :func:`read_expression` accepts."""
    from pglast import ast

    bare = _select(sql, "SELECT ")
    target = bare.targetList[0]
    for ref in _nodes(target.val, ast.ColumnRef):
        if any(isinstance(field, ast.A_Star) for field in ref.fields or ()):
            raise SqlSyntaxError("`*` is not a value", _position(ref, len("SELECT ")))
    value: ast.Node = target.val
    return value


def parse_query(sql: str) -> ast.Node:
    """Parse ``sql`` as one query (``SELECT``, ``VALUES``, ``WITH ... SELECT``)."""
    from pglast import ast

    _check_text(sql)
    statements = _parse(sql, 0)
    if len(statements) != 1:
        raise SqlSyntaxError(f"holds {len(statements)} statements; a query is one")
    stmt = statements[0].stmt
    if not isinstance(stmt, ast.SelectStmt) or stmt.intoClause is not None:
        raise SqlSyntaxError(f"is a {type(stmt).__name__}, not a query (SELECT ...)")
    return stmt


def referenced_columns(tree: ast.Node) -> list[tuple[str, ...]]:
    """The column references of ``tree``, each as its dotted parts, first use first.

    ``price`` gives ``("price",)``; ``p.price`` gives ``("p", "price")``. Names
    are as PostgreSQL folds them: bare words in lower case, quoted ones as written.
    """
    from pglast import ast

    found: dict[tuple[str, ...], None] = {}
    for ref in _nodes(tree, ast.ColumnRef):
        parts = tuple(str(f.sval) for f in ref.fields or () if isinstance(f, ast.String))
        if parts and len(parts) == len(ref.fields or ()):
            found.setdefault(parts)
    return list(found)


def column_positions(tree: ast.Node) -> list[tuple[int, tuple[str, ...]]]:
    """Each column reference of a :func:`parse_expression` tree: (0-based start in
    the fragment, dotted parts). A qualified reference starts at its qualifier."""
    from pglast import ast

    found = []
    for ref in _nodes(tree, ast.ColumnRef):
        parts = tuple(str(f.sval) for f in ref.fields or () if isinstance(f, ast.String))
        position = _position(ref, len("SELECT "))
        if parts and position is not None:
            found.append((position - 1, parts))
    return found


def referenced_relations(tree: ast.Node) -> list[tuple[str, ...]]:
    """The tables and views a tree reads (``FROM``/``JOIN``), as (schema?, name).

    A name a ``WITH`` clause defines is listed too: the caller knows its CTEs.
    """
    from pglast import ast

    found: dict[tuple[str, ...], None] = {}
    for rel in _nodes(tree, ast.RangeVar):
        parts = tuple(str(p) for p in (rel.catalogname, rel.schemaname, rel.relname) if p)
        found.setdefault(parts)
    return list(found)


def common_table_names(tree: ast.Node) -> list[str]:
    """The names the ``WITH`` clauses in ``tree`` define."""
    from pglast import ast

    return [str(cte.ctename) for cte in _nodes(tree, ast.CommonTableExpr)]


def has_subquery(tree: ast.Node) -> bool:
    """Whether ``tree`` holds a sub-select (``EXISTS (...)``, ``IN (SELECT ...)``)."""
    from pglast import ast

    return next(_nodes(tree, ast.SubLink), None) is not None


def called_functions(tree: ast.Node) -> list[tuple[str, ...]]:
    """The functions ``tree`` calls, each as its dotted name parts, first call first.

    ``gen_random_uuid()`` gives ``("gen_random_uuid",)``; ``pg_catalog.now()``
    gives ``("pg_catalog", "now")``. Keywords that PostgreSQL reads as values
    (``CURRENT_TIMESTAMP``, ``CURRENT_USER``) are not calls; all of them are stable.
    """
    from pglast import ast

    found: dict[tuple[str, ...], None] = {}
    for call in _nodes(tree, ast.FuncCall):
        found.setdefault(tuple(str(p.sval) for p in call.funcname if isinstance(p, ast.String)))
    return list(found)


def shown(value: str, limit: int = _SHOWN) -> str:
    """``value`` for a message: at most ``limit`` characters, the cut marked."""
    if len(value) <= limit:
        return value
    return value[: limit - 1] + "…"


# --- internals -------------------------------------------------------------------


def _check_text(sql: str) -> None:
    if "\x00" in sql:
        raise SqlSyntaxError(
            "holds a NUL character (\\0), which PostgreSQL text cannot hold",
            sql.index("\x00") + 1,
        )
    if not sql.strip():
        raise SqlSyntaxError("is empty")


def _select(sql: str, prefix: str, suffix: str = "") -> Any:
    statements = _parse(prefix + sql + suffix, len(prefix))
    if len(statements) != 1:
        raise SqlSyntaxError("holds more than one statement (a `;`?); write one expression", None)
    return statements[0].stmt


def _select_data(sql: str, prefix: str, suffix: str = "") -> dict[str, Any]:
    from pglast.parser import ParseError, parse_sql_json

    text = prefix + sql + suffix
    try:
        data = json.loads(parse_sql_json(text))
    except ParseError as exc:
        raise _syntax_error(exc, len(prefix)) from None
    statements = data.get("stmts") or []
    if len(statements) != 1:
        raise SqlSyntaxError("holds more than one statement (a `;`?); write one expression")
    stmt: dict[str, Any] = statements[0]["stmt"]
    return stmt


def _data_nodes(tree: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (node type, fields) of the parser's JSON under ``tree``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key[:1].isupper() and isinstance(value, dict):
                    yield key, value
                stack.append(value)


def _syntax_error(exc: ParseError, offset: int) -> SqlSyntaxError:
    message = str(exc.args[0]) if exc.args else str(exc)
    index = exc.args[1] if len(exc.args) > 1 else None
    position = None if index is None else max(int(index) - offset, 0) + 1
    return SqlSyntaxError(message, position)


def _parse(text: str, offset: int) -> tuple[Any, ...]:
    from pglast.parser import ParseError, parse_sql

    try:
        statements: tuple[Any, ...] = parse_sql(text)
    except ParseError as exc:
        raise _syntax_error(exc, offset) from None
    return statements


def _position(node: Any, offset: int) -> int | None:
    location = getattr(node, "location", None)
    return None if location is None or location < 0 else location - offset + 1


def _nodes(tree: Any, kind: type[ast.Node]) -> Iterator[Any]:
    """Every node of type ``kind`` under ``tree`` (``tree`` included), depth first."""
    from pglast import ast

    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, tuple | list):
            stack.extend(reversed(node))
            continue
        if not isinstance(node, ast.Node):
            continue
        if isinstance(node, kind):
            yield node
        slots: Any = getattr(type(node), "__slots__", ())
        children = [getattr(node, name, None) for name in slots]
        stack.extend(reversed([c for c in children if isinstance(c, ast.Node | tuple | list)]))


def unknown_order_by(order_by: str, columns: list[str]) -> list[str]:
    """Problems with a relationship ``order_by`` (``position``, ``created_at desc, id``).

    This is an ORM ordering that SQLAlchemy reads, not SQL that reaches the database.
    """
    problems = []
    for part in order_by.split(","):
        words = part.split()
        if not words:
            problems.append("empty column in order_by")
            continue
        name = words[0].rsplit(".", 1)[-1]
        extra = [w for w in words[1:] if w.lower() not in ("asc", "desc", "nulls", "first", "last")]
        if name not in columns or extra:
            problems.append(f"order_by names '{part.strip()}', which is not a column")
    return problems


#: What :func:`constant` returns for a node that is no constant it reads.
NOT_CONSTANT: Any = object()


#: The number types a cast names, as the parser spells them (``integer`` is int4).
_NUMBER_TYPES = frozenset(
    {"int2", "int4", "int8", "numeric", "float4", "float8", "smallint", "integer", "bigint"}
)


def constant(node: Any) -> Any:
    """The value of a constant node, also behind a cast (``'x'::text``): numbers as
    Decimal, ``None`` for NULL, a bool or a str; :data:`NOT_CONSTANT` otherwise.

    A string cast to a number type is that number: PostgreSQL prints a negative
    constant back that way (``'-40'::integer``, ``'-12.5'::numeric``)."""
    from pglast import ast

    if isinstance(node, ast.TypeCast):
        value = constant(node.arg)
        names = node.typeName.names if node.typeName is not None else None
        if isinstance(value, str) and names and str(names[-1].sval) in _NUMBER_TYPES:
            try:
                return Decimal(value)
            except ArithmeticError:  # InvalidOperation: not a number, PostgreSQL refuses it
                return value
        return value
    if not isinstance(node, ast.A_Const):
        return NOT_CONSTANT
    if node.isnull:
        return None
    val = node.val
    if isinstance(val, ast.Integer):
        return Decimal(val.ival or 0)
    if isinstance(val, ast.Float):
        return Decimal(val.fval or 0)
    if isinstance(val, ast.Boolean):
        return bool(val.boolval)
    if isinstance(val, ast.String):
        return str(val.sval)
    return NOT_CONSTANT


def expression_problems(sql: str, where: str = "here") -> tuple[Expression | None, list[str]]:
    """``sql`` read as one expression (None when it does not parse), and what is wrong
    with it as a check: a syntax error, or a sub-select (PostgreSQL allows none ``where``)."""
    try:
        expression = read_expression(sql)
    except SqlSyntaxError as exc:
        return None, [f"SQL {shown(sql)!r} {exc.describe()}"]
    if expression.subquery:
        return expression, [f"PostgreSQL allows no sub-select (SELECT, EXISTS) {where}"]
    return expression, []
