"""How a row is written outside a partial unique key's WHERE (``UNIQUE (store_id,
status) WHERE deleted_at IS NULL``), where the key binds nothing: seed counts
through such a key's combinations for as many rows as they hold and writes the
rest outside (see :mod:`.plan`), instead of capping the table at them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pglast import ast
from pglast.enums import A_Expr_Kind, BoolExprType, BoolTestType, NullTestType
from pglast.parser import ParseError, parse_sql

from ..validate.sql import NOT_CONSTANT, constant
from .domain import Literal


class _AnyValue:
    """Any value of the column but NULL (``deleted_at IS NULL`` is false on it)."""

    def __repr__(self) -> str:
        return "ANY_VALUE"


#: The column takes its generated value, never NULL.
ANY_VALUE = _AnyValue()


@dataclass(frozen=True)
class OtherThan:
    """Any value of the column but these (``kind = 'x'``, ``kind IN ('a', 'b')`` are
    false on it), and not NULL: one its checks list, or another constant they take."""

    values: tuple[Literal, ...]


@dataclass(frozen=True)
class Outside:
    """A value of one column that makes the WHERE false: NULL (None), ANY_VALUE, the
    constant (``'cancelled'`` for ``status <> 'cancelled'``), or OtherThan."""

    column: str
    value: Literal | _AnyValue | OtherThan | None


def ways_outside(where: str) -> list[Outside]:
    """The values, one column each, that put a row outside ``where``: for each
    part of its ANDs of the shapes ``c IS NULL``, ``c IS NOT NULL``, ``c``, ``NOT c``,
    ``c IS [NOT] TRUE|FALSE``, ``c = true|false``, ``c <> v``, ``c NOT IN (v, ...)``,
    ``c = v``, ``c IN (v, ...)`` (also ``c = ANY (ARRAY[...])``, as PostgreSQL prints
    it back). Empty for anything else (an OR must be false in every branch: not read)."""
    try:
        statements = parse_sql(f"SELECT 1 WHERE {where}")
    except ParseError:
        return []
    if len(statements) != 1:
        return []
    found = (_outside(part) for part in _conjuncts(statements[0].stmt.whereClause))  # type: ignore[union-attr]
    return [way for way in found if way is not None]


def _conjuncts(node: Any) -> list[Any]:
    if isinstance(node, ast.BoolExpr) and node.boolop == BoolExprType.AND_EXPR:
        return [part for arg in node.args or () for part in _conjuncts(arg)]
    return [node]


def _outside(node: Any) -> Outside | None:
    if isinstance(node, ast.NullTest) and (column := _column(node.arg)) is not None:
        return Outside(column, ANY_VALUE if node.nulltesttype == NullTestType.IS_NULL else None)
    if (column := _column(node)) is not None:
        return Outside(column, False)
    if isinstance(node, ast.BoolExpr) and node.boolop == BoolExprType.NOT_EXPR:
        column = _column((node.args or (None,))[0])
        return Outside(column, True) if column is not None else None
    if isinstance(node, ast.BooleanTest) and (column := _column(node.arg)) is not None:
        kind = node.booltesttype
        # (NULL is neither TRUE nor FALSE: IS NOT TRUE holds on it, so write false)
        truth = kind in (BoolTestType.IS_FALSE, BoolTestType.IS_NOT_TRUE)
        return Outside(column, truth) if kind != BoolTestType.IS_UNKNOWN else None
    if not isinstance(node, ast.A_Expr) or (column := _column(node.lexpr)) is None:
        return None
    return _compared(node, column)


def _compared(node: ast.A_Expr, column: str) -> Outside | None:
    """What puts a row outside ``column op constant(s)``: the other truth, the
    constant ``<>`` names, or another value than those ``=`` names."""
    op = str(node.name[-1].sval) if node.name else ""
    if node.kind == A_Expr_Kind.AEXPR_OP and op == "=":
        value = constant(node.rexpr)
        if isinstance(value, bool):
            return Outside(column, not value)
        return Outside(column, OtherThan((value,))) if _literal(value) else None
    if node.kind == A_Expr_Kind.AEXPR_IN and op == "=":
        return _other_than(column, list(node.rexpr or ()))
    if node.kind == A_Expr_Kind.AEXPR_OP_ANY and op == "=":
        array = node.rexpr.arg if isinstance(node.rexpr, ast.TypeCast) else node.rexpr
        if isinstance(array, ast.A_ArrayExpr):
            return _other_than(column, list(array.elements or ()))
    if node.kind == A_Expr_Kind.AEXPR_OP and op in ("<>", "!="):
        value = constant(node.rexpr)
        return Outside(column, value) if _literal(value) else None
    if node.kind == A_Expr_Kind.AEXPR_IN and op == "<>":
        values = [constant(item) for item in node.rexpr or ()]
        return Outside(column, values[0]) if values and all(map(_literal, values)) else None
    return None


def _other_than(column: str, items: list[Any]) -> Outside | None:
    """Another value than the constants ``items`` (None where one is not a constant)."""
    values = [constant(item) for item in items]
    if not values or not all(map(_literal, values)):
        return None
    return Outside(column, OtherThan(tuple(values)))


def _literal(value: Any) -> bool:
    return value is not None and value is not NOT_CONSTANT


def _column(node: Any) -> str | None:
    """The column a reference names (qualified or not), else None."""
    if not isinstance(node, ast.ColumnRef):
        return None
    last = (node.fields or (None,))[-1]
    return str(last.sval) if isinstance(last, ast.String) else None
