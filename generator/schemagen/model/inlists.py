"""IN lists written back as ``x IN (...)``, as PostgreSQL needs them to read the same.

PostgreSQL keeps ``flag IN ('NO', 'DK')`` over a varchar column as a comparison of
text with the list's array coerced to ``text[]``, and prints it

    flag::text = ANY (ARRAY['NO'::character varying, 'DK'::character varying]::text[])

That text does not read back as the same expression: the parser pushes the
``::text[]`` into the elements (``ARRAY['NO'::character varying::text, ...]``), so a
check, or an index's WHERE, imported as printed would be made differently by the
migration (its dump differs) and ``check --database`` would find it changed. Written
as ``flag IN ('NO'::character varying, 'DK'::character varying)`` (``<> ALL`` as
``NOT IN``), it reads back exactly as the database holds it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pglast import ast

_PREFIX = "SELECT 1 WHERE "
#: From the ``::`` of the column's cast to the opening bracket of the array (in
#: parentheses of its own where PostgreSQL prints without pretty-printing).
_OPENING = re.compile(
    r"::(?P<type>[^\s()]+(?: [^\s()]+)*?) (?P<op>= ANY|<> ALL) \((?P<paren>\(?)ARRAY\["
)
_WORDS = {"= ANY": "IN", "<> ALL": "NOT IN"}


def in_lists(expression: str) -> str:
    """``expression`` (as ``pg_get_expr`` prints it) with each IN list over a coerced
    array written as ``x IN (...)`` / ``x NOT IN (...)``; anything else unchanged."""
    return _in_lists(expression, _PREFIX)


def key_in_lists(key: str) -> str:
    """The same for a partition key as ``pg_get_partkeydef`` prints it (``LIST
    ((expr))``, ``RANGE ((expr), id)``: its columns and expressions read as a row)."""
    method, _, rest = key.partition(" ")
    return f"{method} {in_lists(rest)}" if rest else key


def query_in_lists(query: str) -> str:
    """The same for a whole query (a view's, as ``pg_get_viewdef`` prints it)."""
    return _in_lists(query, "")


def _in_lists(sql: str, prefix: str) -> str:
    if "(ARRAY[" not in sql:
        return sql  # the common case: no parsing
    # pglast takes 30 ms of CPU to import: only here, where there is a list to read
    # (check --database imports this module for partition keys; most have none)
    from pglast.parser import ParseError, parse_sql

    text = prefix + sql
    try:
        statements = parse_sql(text)
    except ParseError:
        return sql
    if len(statements) != 1:
        return sql
    for at in sorted(_coerced_lists(statements[0].stmt), reverse=True):
        text = _rewrite(text, at)
    return text[len(prefix) :]


def _coerced_lists(node: Any) -> list[int]:
    """Where (the ``::`` of the left side's cast) each ``x::T = ANY (ARRAY[...]::T[])``
    or ``x::T <> ALL (...)`` starts."""
    from pglast import ast

    found: list[int] = []
    if isinstance(node, ast.A_Expr) and _is_coerced_list(node):
        found.append(int(node.lexpr.location))  # type: ignore[union-attr]
    if isinstance(node, ast.Node):
        for attr in node:  # the node's field names
            found += _coerced_lists(getattr(node, attr))
    elif isinstance(node, tuple | list):
        for item in node:
            found += _coerced_lists(item)
    return found


def _is_coerced_list(node: ast.A_Expr) -> bool:
    from pglast import ast
    from pglast.enums import A_Expr_Kind

    op = str(node.name[-1].sval) if node.name else ""
    if (node.kind, op) not in (
        (A_Expr_Kind.AEXPR_OP_ANY, "="),
        (A_Expr_Kind.AEXPR_OP_ALL, "<>"),
    ):
        return False
    left, right = node.lexpr, node.rexpr
    return (
        isinstance(left, ast.TypeCast)
        and isinstance(right, ast.TypeCast)
        and isinstance(right.arg, ast.A_ArrayExpr)
        and left.typeName is not None
        and right.typeName is not None
        and not left.typeName.arrayBounds
        and bool(right.typeName.arrayBounds)
        and _names(left.typeName) == _names(right.typeName)
    )


def _names(type_name: ast.TypeName) -> tuple[str, ...]:
    return tuple(str(part.sval) for part in type_name.names or ())


def _rewrite(text: str, at: int) -> str:
    """``text`` with the span from ``::T = ANY (ARRAY[`` at ``at`` to its ``]::T[])``
    replaced by `` IN (...)``; unchanged when the printed text is not that shape."""
    opening = _OPENING.match(text, at)
    if opening is None:
        return text
    close = _closing_bracket(text, opening.end())
    if close is None:
        return text
    ending = f"]{')' if opening['paren'] else ''}::{opening['type']}[])"
    if not text.startswith(ending, close):
        return text
    elements = text[opening.end() : close]
    word = _WORDS[opening["op"]]
    return f"{text[:at]} {word} ({elements}){text[close + len(ending) :]}"


def _closing_bracket(text: str, start: int) -> int | None:
    """The index of the ``]`` closing the bracket opened before ``start``, string
    literals and nested brackets skipped."""
    depth, i = 1, start
    while i < len(text):
        char = text[i]
        if char == "'":
            end = text.find("'", i + 1)
            while end != -1 and text.startswith("''", end):
                end = text.find("'", end + 2)
            if end == -1:
                return None
            i = end + 1
            continue
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None
