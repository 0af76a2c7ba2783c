"""Domains in ``check --database``: read from the catalog (one query for all of
them), the expected side from the model, printed by the server, compared."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..findings import Finding
from ..model.domains import base_sql, default_sql
from ..model.naming import format_name
from ..model.schema import Schema

if TYPE_CHECKING:
    from .printing import Printer


@dataclass(frozen=True)
class DomainShape:
    """A domain as the database sees it: base type as ``format_type`` prints it."""

    type: str
    not_null: bool = False
    default: str | None = None
    collation: str | None = None  # COLLATE, where it is not the base type's own
    checks: tuple[tuple[str, str], ...] = ()  # (name, expression), by name


#: One query: every domain {which} says (those of the schemas read), with its checks
#: (and the names of those left NOT VALID). The expression reads ``VALUE`` as
#: PostgreSQL prints it.
DOMAINS_SQL = """
SELECT {key}, format_type(t.typbasetype, t.typtypmod), t.typnotnull,
       pg_get_expr(t.typdefaultbin, 0, true),
       CASE WHEN t.typcollation <> b.typcollation
            THEN (SELECT l.collname FROM pg_collation l WHERE l.oid = t.typcollation) END,
       ARRAY(SELECT c.conname::text FROM pg_constraint c
             WHERE c.contypid = t.oid AND c.contype = 'c' ORDER BY c.conname),
       ARRAY(SELECT pg_get_expr(c.conbin, 0, true) FROM pg_constraint c
             WHERE c.contypid = t.oid AND c.contype = 'c' ORDER BY c.conname),
       ARRAY(SELECT c.conname::text FROM pg_constraint c
             WHERE c.contypid = t.oid AND NOT c.convalidated ORDER BY c.conname)
FROM pg_type t JOIN pg_type b ON b.oid = t.typbasetype
WHERE {which} AND t.typtype = 'd'
  AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = t.oid AND e.deptype = 'e')
"""


def read_domains(rows: list[tuple[Any, ...]]) -> tuple[dict[str, DomainShape], list[str]]:
    """The domains of :data:`DOMAINS_SQL`'s rows, and ``domain.check`` of the NOT VALID."""
    domains = {}
    not_valid = []
    for name, type_, not_null, default, collation, names, exprs, invalid in rows:
        checks = tuple(zip(names, exprs, strict=True))
        domains[name] = DomainShape(type_, not_null, default, collation, checks)
        not_valid += [f"{name}.{check}" for check in invalid]
    return domains, not_valid


def _value(expression: str) -> str:
    # PostgreSQL prints a domain's value VALUE; a probe's column is value.
    return re.sub(r"\bVALUE\b", "value", expression)


def expected_domains(schema: Schema) -> dict[str, DomainShape]:
    """The domains ``schema`` says the database has (expressions as written)."""
    return {
        dom.name: DomainShape(
            # format_type quotes an enum name where it must ("Mood")
            type=format_name(base_sql(dom, schema))
            if dom.type.kind == "enum"
            else base_sql(dom, schema),
            not_null=dom.not_null,
            default=default_sql(dom),
            collation=dom.type.collation,
            checks=tuple((ck.name, ck.expression) for ck in dom.checks),
        )
        for dom in schema.domains
    }


def register(printer: Printer, exp: dict[str, DomainShape]) -> dict[str, str]:
    """Hand each domain's default and checks to ``printer`` (a check over a column
    ``value`` of the base type); return ``domain:default`` / ``domain:check`` -> key."""
    keys = {}
    for name, dom in exp.items():
        if dom.default is not None:
            keys[f"{name}:default"] = printer.default(dom.type, dom.default)
        for check, sql in dom.checks:
            keys[f"{name}:{check}"] = printer.check(sql, {"value": dom.type})
    return keys


def printed(
    exp: dict[str, DomainShape], keys: dict[str, str], text: dict[str, str]
) -> dict[str, DomainShape]:
    """The expected domains with the server's printing of their expressions."""

    def show(key: str, written: str | None) -> str | None:
        return text.get(keys.get(key, ""), written)

    return {
        name: replace(
            dom,
            default=show(f"{name}:default", dom.default),
            checks=tuple(
                (check, show(f"{name}:{check}", sql) or sql) for check, sql in dom.checks
            ),
        )
        for name, dom in exp.items()
    }


def compare_domains(
    exp: dict[str, DomainShape], act: dict[str, DomainShape], finding: Any, missing_extra: Any
) -> list[Finding]:
    """Missing and extra domains, then each differing aspect of a kept one."""
    findings: list[Finding] = missing_extra("domain", set(exp), set(act))
    for name in sorted(set(exp) & set(act)):
        e, a = exp[name], act[name]
        words = [
            f"{label} {got} in the database, {want} in the schema"
            for label, want, got in (
                ("type", e.type, a.type),
                ("NOT NULL:", _yes(e.not_null), _yes(a.not_null)),
                ("default", e.default or "none", a.default or "none"),
                ("collation", e.collation or "the type's", a.collation or "the type's"),
            )
            if want != got
        ]
        words += _check_words(
            {c: _value(sql) for c, sql in e.checks}, {c: _value(sql) for c, sql in a.checks}
        )
        findings += [finding(f"domain {name}", word) for word in words]
    return findings


def _check_words(exp: dict[str, str], act: dict[str, str]) -> list[str]:
    words = [f"check {c} missing from the database" for c in sorted(set(exp) - set(act))]
    words += [f"check {c} only in the database" for c in sorted(set(act) - set(exp))]
    words += [
        f"check {c} is {act[c]} in the database, {exp[c]} in the schema"
        for c in sorted(set(exp) & set(act))
        if exp[c] != act[c]
    ]
    return words


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
