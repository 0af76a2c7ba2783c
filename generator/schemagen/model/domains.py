"""The DDL words of domains (``CREATE DOMAIN``), shared by models.py, revisions and
the live-database check, so that the three spell a domain alike."""

from __future__ import annotations

from dataclasses import replace

from .naming import format_name
from .schema import CheckConstraint, Domain, Schema
from .sqltext import default_expression, quote_name
from .typemap import pg_type


def base_sql(dom: Domain, schema: Schema) -> str:
    """The domain's base type as ``CREATE DOMAIN ... AS`` names it (no COLLATE)."""
    return pg_type(replace(dom.type, collation=None), schema)


def default_sql(dom: Domain) -> str | None:
    """The SQL of the domain's DEFAULT, or ``None``."""
    if dom.default is None:
        return None
    kind = dom.type.kind
    return default_expression(dom.default, kind if kind in ("json", "jsonb") else None)


def check_sql(check: CheckConstraint) -> str:
    """``CONSTRAINT name CHECK (expression)``."""
    return f"CONSTRAINT {quote_name(check.name)} CHECK ({check.expression})"


def create_sql(dom: Domain, schema: Schema) -> str:
    """The whole ``CREATE DOMAIN`` statement, checks in name order."""
    words = [f"CREATE DOMAIN {format_name(dom.name)} AS {base_sql(dom, schema)}"]
    if dom.type.collation is not None:
        words.append(f"COLLATE {quote_name(dom.type.collation)}")
    default = default_sql(dom)
    if default is not None:
        words.append(f"DEFAULT {default}")
    if dom.not_null:
        words.append("NOT NULL")
    words += [check_sql(ck) for ck in dom.checks]
    return " ".join(words)
