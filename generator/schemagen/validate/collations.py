"""Which index key expressions take a ``COLLATE``: the type of an expression, as
far as the expression alone tells it.

PostgreSQL refuses ``(expr) COLLATE "C"`` when ``expr`` is of a type without
collations ("collations are not supported by type integer"), and only when the
migration runs. :func:`uncollatable_type` names such a type where the expression
makes it plain: a column of the table, a cast, a constant, a json operator,
arithmetic over such values, a function whose result type is fixed. Anything
else is left to PostgreSQL (None), so nothing PostgreSQL accepts is refused.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..model.naming import split_qualified
from ..model.pgtypes import PGTYPE
from ..model.schema import ColumnType, Entity, Schema
from ..model.typemap import COLLATABLE_PGTYPES, pg_type
from .sql import SqlSyntaxError, parse_expression_tree

#: What this module calls every type that has collations.
TEXT = "text"

#: Type names a cast may say, by the name pglast gives them, as PostgreSQL names them.
_CAST_TYPES = {
    "int2": "smallint",
    "smallint": "smallint",
    "int4": "integer",
    "int": "integer",
    "integer": "integer",
    "int8": "bigint",
    "bigint": "bigint",
    "numeric": "numeric",
    "decimal": "numeric",
    "float4": "real",
    "real": "real",
    "float8": "double precision",
    "bool": "boolean",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamp without time zone",
    "timestamptz": "timestamp with time zone",
    "time": "time without time zone",
    "interval": "interval",
    "uuid": "uuid",
    "json": "json",
    "jsonb": "jsonb",
    "bytea": "bytea",
    "inet": "inet",
    "text": TEXT,
    "varchar": TEXT,
    "bpchar": TEXT,
    "char": TEXT,
    "name": TEXT,
    "citext": TEXT,
}

#: Functions whose result type does not depend on their arguments'.
_FUNCTIONS = {
    **dict.fromkeys(
        (
            "lower", "upper", "initcap", "btrim", "ltrim", "rtrim", "substr", "left",
            "right", "replace", "concat", "concat_ws", "md5", "to_char", "format",
            "reverse", "repeat", "lpad", "rpad", "translate", "unaccent",
        ),
        TEXT,
    ),  # fmt: skip
    **dict.fromkeys(
        ("length", "char_length", "character_length", "octet_length", "strpos"), "integer"
    ),
}

_NUMBERS = ("smallint", "integer", "bigint", "numeric", "real", "double precision")
_JSON = ("json", "jsonb")


def uncollatable_type(sql: str, entity: Entity, schema: Schema) -> str | None:
    """The type of ``sql`` (an index key's expression on ``entity``) when it is
    plain from the expression and has no collations; else None."""
    try:
        tree = parse_expression_tree(sql)
    except SqlSyntaxError:
        return None  # reported where the expression is checked
    found = _type_of(tree, entity, schema)
    return None if found in (None, TEXT) else found


def _type_of(node: Any, entity: Entity, schema: Schema) -> str | None:
    from pglast import ast  # (imported on the first SQL read: see validate.sql)
    from pglast.enums import A_Expr_Kind

    if isinstance(node, ast.ColumnRef):
        return _column_type(node, entity, schema)
    if isinstance(node, ast.TypeCast) and node.typeName is not None:
        if node.typeName.arrayBounds:
            return None
        names = node.typeName.names or ()
        return _CAST_TYPES.get(str(names[-1].sval)) if names else None
    if isinstance(node, ast.A_Const):
        value = node.val
        if isinstance(value, ast.Integer):
            return "integer"
        if isinstance(value, ast.Float):
            return "numeric"
        if isinstance(value, ast.Boolean):
            return "boolean"
        return None  # a string: of the type the context gives it
    if isinstance(node, ast.A_Expr) and node.kind == A_Expr_Kind.AEXPR_OP:
        return _operator_type(node, entity, schema)
    if isinstance(node, ast.FuncCall) and node.funcname:
        return _FUNCTIONS.get(str(node.funcname[-1].sval))
    if isinstance(node, ast.CoalesceExpr):
        kinds = [_type_of(arg, entity, schema) for arg in node.args or ()]
        return next((k for k in kinds if k is not None), None)
    return None


def _operator_type(node: Any, entity: Entity, schema: Schema) -> str | None:
    op = str(node.name[-1].sval) if node.name else ""
    left = _type_of(node.lexpr, entity, schema) if node.lexpr is not None else None
    right = _type_of(node.rexpr, entity, schema)
    if op in ("->>", "#>>") and left in _JSON:
        return TEXT
    if op in ("->", "#>") and left in _JSON:
        return left
    if op == "||" and TEXT in (left, right):
        return TEXT
    if op in ("+", "-", "*", "/", "%") and left in _NUMBERS and right in _NUMBERS:
        return max(left, right, key=_NUMBERS.index)  # type: ignore[arg-type]
    if op in ("+", "-") and left == "date" and right == "integer":
        return "date"
    return None


def _column_type(node: Any, entity: Entity, schema: Schema) -> str | None:
    """A column of ``entity``'s table, bare or qualified by it (``docs.n``,
    ``billing.docs.n``); else None."""
    from pglast import ast

    fields = node.fields or ()
    names = [str(f.sval) for f in fields if isinstance(f, ast.String)]
    if not names or len(names) != len(fields):
        return None
    pg_schema, table = split_qualified(entity.table)
    if names[:-1] not in ([], [table], [pg_schema or "public", table]):
        return None
    if not entity.has_column(names[-1]):
        return None
    return column_type_word(entity.column(names[-1]).type, schema)


def column_type_word(ct: ColumnType, schema: Schema) -> str | None:
    """A column type as PostgreSQL names it, :data:`TEXT` for one with collations;
    None for an array, or a type by name whose collations validate does not know."""
    if ct.kind in ("string", "text"):
        return TEXT
    if ct.kind == "array":
        return None
    if ct.kind == PGTYPE:
        return TEXT if ct.pgtype in COLLATABLE_PGTYPES else None
    return pg_type(replace(ct, domain=None, collation=None), schema)
