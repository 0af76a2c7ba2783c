"""The domains of ``models.py``: one module-level ``DOMAIN`` each, attached to the
metadata so that ``create_all`` makes it before the tables that use it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ..model import naming
from ..model.domains import check_sql, default_sql
from ..model.schema import CheckConstraint, Domain, Schema
from ..model.sqltext import text_source
from ..model.typemap import domain_variable
from ..util.pycode import INDENT, Expr, Str, call, layout, py_str, pylist
from .listeners import factory_lines

#: ``(module, name) -> the name to use in code`` (models.Imports.name).
ImportName = Callable[[str, str], str]
#: A column type -> its SQLAlchemy expression in models.py (models._type_expr).
TypeExpr = Callable[[Domain], Expr]


def domain_lines(schema: Schema, name: ImportName, base_type: TypeExpr, base: str) -> list[str]:
    """``X_DOMAIN = DOMAIN(...)`` for each domain. SQLAlchemy's DOMAIN takes one
    check, and names NOT NULL with ``constraint_name`` when both are given, so the
    first check goes into DOMAIN only without NOT NULL; the others are added right
    after the domain is created (``after_create``), with the names the schema says."""
    if not schema.domains:
        return []
    lines = ["# Domains (named types with their checks); create_all makes them first."]
    helper = False
    for dom in schema.domains:
        inline = dom.checks[0] if dom.checks and not dom.not_null else None
        lines += layout(_domain_call(dom, inline, name, base_type, base), "",
                        f"{domain_variable(dom.name)} = ")
        rest = [check for check in dom.checks if check is not inline]
        if rest:
            lines += _after_create(dom, rest, name)
            helper = True
    return (_helper_lines(name) if helper else []) + lines


def _domain_call(
    dom: Domain, inline: CheckConstraint | None, name: ImportName, base_type: TypeExpr, base: str
) -> Expr:
    pg_schema, bare = naming.split_qualified(dom.name)
    text = name("sqlalchemy", "text")
    default = default_sql(dom)
    return call(
        name("sqlalchemy.dialects.postgresql", "DOMAIN"),
        py_str(bare),
        base_type(dom),
        collation=py_str(dom.type.collation) if dom.type.collation is not None else None,
        default=call(text, py_str(text_source(default))) if default is not None else None,
        not_null="True" if dom.not_null else None,
        constraint_name=py_str(inline.name) if inline is not None else None,
        check=call(text, py_str(text_source(inline.expression))) if inline is not None else None,
        schema=py_str(pg_schema) if pg_schema else None,
        quote="True" if naming.type_needs_quotes(bare) else None,
        metadata=f"{base}.metadata",
    )


def _after_create(dom: Domain, checks: list[CheckConstraint], name: ImportName) -> list[str]:
    sql = [f"ALTER DOMAIN {naming.format_name(dom.name)} ADD {check_sql(ck)}" for ck in checks]
    listen = call(
        f"{name('sqlalchemy', 'event')}.listen",
        domain_variable(dom.name),
        py_str("after_create"),
        call(HELPER, pylist([Str(text_source(s)) for s in sql])),
    )
    return layout(listen, "")


def _helper_lines(name: ImportName) -> list[str]:
    """A typed listener factory: DDL() formats its statement with %; text() runs the
    SQL as written (colons escaped)."""
    return factory_lines(
        name,
        f"{HELPER}(statements: list[str])",
        "An after_create listener of a domain: the checks DOMAIN() cannot hold.",
        [
            "for statement in statements:",
            f"{INDENT}connection.execute({name('sqlalchemy', 'text')}(statement))",
        ],
    )


#: The function models.py defines when a domain has checks beyond DOMAIN's one.
HELPER = "_domain_checks"


def plain_base(dom: Domain) -> Domain:
    """The domain with its base type alone (no COLLATE: DOMAIN writes its own)."""
    return replace(dom, type=replace(dom.type, collation=None))
