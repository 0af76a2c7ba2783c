"""The words of every drift finding: one line each, an object missing from
one side or the other, and the differing aspects of objects both sides name.
"""

from __future__ import annotations

import re
from typing import Any

from ..findings import UPGRADE_HINT, Finding
from ..model.schema import quote_name


def finding(obj: str, message: str, hint: str = "") -> Finding:
    """A drift finding about ``obj``, its message on one line."""
    return Finding("database", obj, _one_line(message), hint)


def _one_line(text: str) -> str:
    """PostgreSQL pretty-prints a CASE in a check or predicate over several indented
    lines; a finding is one line, so each line break and its indent become a space."""
    return re.sub(r"\s*\n\s*", " ", text)


def missing_extra(
    what: str,
    expected: set[str],
    actual: set[str],
    prefix: str = "",
    suffix: str = "",
    schemas: dict[str, str | None] | None = None,
) -> list[Finding]:
    """One finding for each ``what`` named on one side only, in sorted order;
    ``schemas``: the schema a missing extension's hint makes it in."""
    findings = [
        finding(
            f"{what} {prefix}{n}{suffix}",
            "missing from the database",
            UPGRADE_HINT if what != "extension" else _create_extension(n, (schemas or {}).get(n)),
        )
        for n in sorted(expected - actual)
    ]
    findings += [
        finding(
            f"{what} {prefix}{n}{suffix}",
            "in the database but not in the schema",
            "add it to schema/ or drop it from the database",
        )
        for n in sorted(actual - expected)
    ]
    return findings


def _create_extension(name: str, schema: str | None) -> str:
    """The statement that makes a missing extension where migrations make it: in the
    schema its control file binds it to, else the current schema (a session's first
    schema, pg_catalog say, would take it otherwise)."""
    where = "" if schema is None else f" SCHEMA {quote_name(schema)}"
    return f"run `CREATE EXTENSION {quote_name(name)}{where}` or `alembic upgrade head`"


def compare_named(
    table: str, what: str, exp: dict[str, Any], act: dict[str, Any], describe: Any
) -> list[Finding]:
    """Set algebra over constraint or index names, then one line per differing aspect."""
    suffix = f" on {table}"
    findings = missing_extra(what, set(exp), set(act), suffix=suffix)
    for name in sorted(set(exp) & set(act)):
        findings += [
            finding(f"{what} {name}{suffix}", message)
            for message in describe(exp[name], act[name])
        ]
    return findings
