"""A column's type in ``models.py``: its SQLAlchemy type expression (enums as
``Enum`` calls that can split, arrays of what a driver cannot read as the array
types of ``arrays`` and ``domains``, a domain by its variable) and its
``Mapped[...]`` annotation, each with the imports it needs."""

from __future__ import annotations

import re

from ..model import naming, pgtypes
from ..model.schema import Column, ColumnType, Domain, Schema
from ..model.typemap import SQL_TEXT, SQL_TYPE, domain_variable, python_type, sa_type
from ..util.identity import by_identity
from ..util.pycode import Call, Expr, Kw, py_str
from .arrays import NAMED_TYPE_ARRAY
from .domains import DOMAIN_ARRAY, ENUM_DOMAIN_ARRAY, plain_base
from .imports import Imports

# Python-type modules of typemap.python_type and how models.py imports them.
_PY_IMPORTS: dict[str, tuple[str, str | None]] = {
    "datetime": ("datetime", None),
    "uuid": ("uuid", None),
    "decimal": ("decimal", "Decimal"),
    "typing": ("typing", "Any"),
    "range": ("sqlalchemy.dialects.postgresql", "Range"),
}


def column_annotation(col: Column, imp: Imports) -> str:
    """The ``Mapped[...]`` annotation of ``col`` (``| None`` when nullable); imports to ``imp``."""
    text, modules = python_type(col.type, col.default)
    for module in sorted(modules):
        mod, name = _PY_IMPORTS[module]
        if name is None:
            local = imp.module(mod)
            if local != mod:
                text = re.sub(rf"\b{mod}(?=\.)", local, text)
        else:
            local = imp.name(mod, name)
            if local != name:
                text = re.sub(rf"\b{name}\b", local, text)
    return f"{text} | None" if col.nullable else text


def domain_base_expr(schema: Schema, dom: Domain, imp: Imports, base: str) -> Expr:
    """The base type of a domain, as a column of that type would have it. An enum
    gets the metadata: create_all makes a type of no table only so, and this one
    before the domain (its listener comes first, from the inner call)."""
    plain = plain_base(dom)
    expr = column_type_expr(schema, Column(name="", type=plain.type), imp)
    if plain.type.kind == "enum" and isinstance(expr, Call):
        expr = expr._replace(args=(*expr.args, Kw("metadata", f"{base}.metadata")))
    return expr


def column_type_expr(schema: Schema, col: Column, imp: Imports) -> Expr:
    """The column type as models.py writes it (``imp.type_exprs`` remembers it)."""
    return by_identity(imp.type_exprs, col.type, lambda ct: _new_type_expr(schema, ct, imp))


def _new_type_expr(schema: Schema, ct: ColumnType, imp: Imports) -> Expr:
    if ct.domain is not None:
        return domain_variable(ct.domain)
    if ct.kind == "array" and ct.of is not None and not _psycopg_reads_array(schema, ct.of):
        imp.named_type_array = True
        item = column_type_expr(schema, Column(name="", type=ct.of), imp)
        return Call(imp.own(NAMED_TYPE_ARRAY), (item,))
    if ct.kind == "array" and ct.of is not None and ct.of.domain and ct.of.kind == "enum":
        imp.enum_domain_array = True
        return Call(imp.own(ENUM_DOMAIN_ARRAY), (domain_variable(ct.of.domain),))
    if ct.kind == "array" and ct.of is not None and ct.of.domain:
        imp.domain_array = True
        return Call(imp.own(DOMAIN_ARRAY), (domain_variable(ct.of.domain),))
    if ct.kind == "enum" or (
        ct.kind == "array" and ct.of is not None and ct.of.kind == "enum" and ct.of.domain is None
    ):
        # Built here rather than taken from typemap as text, so that it can be split.
        inner = ct.of if ct.kind == "array" and ct.of is not None else ct
        assert inner.enum is not None
        en = schema.enum(inner.enum)
        pg_schema, name = naming.split_qualified(en.db_name)
        in_schema = (Kw("schema", py_str(pg_schema)),) if pg_schema is not None else ()
        quote = (Kw("quote", "True"),) if naming.type_needs_quotes(name) else ()
        expr: Expr = Call(
            imp.name("sqlalchemy", "Enum"),
            (
                en.name,
                Kw("name", py_str(name)),
                *in_schema,
                *quote,
                Kw("values_callable", imp.helper),
            ),
        )
        if ct.kind == "array":
            expr = Call(imp.name("sqlalchemy.dialects.postgresql", "ARRAY"), (expr,))
        return expr
    code = sa_type(ct, schema, "models")
    text = code.expr
    for module, name in sorted(code.imports):
        if name in (SQL_TYPE, SQL_TEXT) and not module:
            imp.sql_type = True
            imp.sql_text = imp.sql_text or name == SQL_TEXT
            continue
        local = imp.name(module, name)
        if local != name:
            text = re.sub(rf"\b{name}(?=\()", local, text)
    return text


def _psycopg_reads_array(schema: Schema, item: ColumnType) -> bool:
    """Whether psycopg reads an array of ``item``: of a domain, as an array of its base
    type (DomainArray), else of the type itself. And whether both drivers read it
    alike: an array of a SqlText is selected as text[] too (NamedTypeArray)."""
    base = schema.domain(item.domain).type if item.domain is not None else item
    return pgtypes.psycopg_reads_array(base) and pgtypes.sent_as(base) is None
