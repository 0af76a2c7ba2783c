"""Comments on a table's indexes and constraints, for the live comparison.

The language declares neither (an index's ``description`` is for the docs alone: no
migration writes it), so a comment made by hand on either is drift, reported as an
extra with the statement that removes it. A key's, unique's or exclusion constraint's
index holds a comment apart from its constraint's, each reported once under its own
name. Read in the indexes and constraints queries check makes anyway (no query of
their own); each statement names the table with its PostgreSQL schema, so that it runs
as printed whatever the session's search_path.
"""

from __future__ import annotations

from ..findings import Finding
from ..model.schema import quote_name
from ..model.sqltext import quote_in, sql_string
from .partition_indexes import EXTRA
from .shapes import ObjectComment

#: Each kind: what the schema declares of it (said before the statement that removes it).
_DECLARES = {
    "index": "the schema describes no index in the database (a description is for the docs)",
    "constraint": "the schema describes no constraint",
}


def object_comment_findings(table: str, comments: tuple[ObjectComment, ...]) -> list[Finding]:
    """One finding for each comment on an index or constraint of ``table``, with the
    statement that removes it."""
    findings = []
    for kind, name, schema, table_name, comment in comments:
        if kind == "index":  # the index is in its table's PostgreSQL schema
            undo = f"COMMENT ON INDEX {quote_in(schema, name)} IS NULL"
        else:
            on = quote_in(schema, table_name)
            undo = f"COMMENT ON CONSTRAINT {quote_name(name)} ON {on} IS NULL"
        findings.append(
            Finding(
                "database",
                f"comment on {kind} {name} on {table}",
                f"{EXTRA}: {sql_string(comment)}",
                f"{_DECLARES[kind]}: `{undo}`",
            )
        )
    return findings
