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
from ..model.naming import split_qualified
from ..model.schema import quote_name
from ..model.sqltext import quote_in, sql_string
from .partition_indexes import EXTRA
from .shapes import ObjectComment

#: Each kind: what the schema declares of it (said before the statement that removes it).
_DECLARES = {
    "index": "the schema describes no index in the database (a description is for the docs)",
    "constraint": "the schema describes no constraint",
}


def comment_removal(kind: str, name: str, schema: str | None, table: str) -> str:
    """The statement that removes the comment on the index or constraint (``kind``)
    ``name`` of the table ``table`` in the PostgreSQL schema ``schema`` (None: the
    session's current one)."""
    if kind == "index":  # the index is in its table's PostgreSQL schema
        return f"COMMENT ON INDEX {quote_in(schema, name)} IS NULL"
    return f"COMMENT ON CONSTRAINT {quote_name(name)} ON {quote_in(schema, table)} IS NULL"


def object_comment_findings(table: str, comments: tuple[ObjectComment, ...]) -> list[Finding]:
    """One finding for each comment on an index or constraint of ``table`` (a table or
    a materialized view), with the statement that removes it."""
    return [
        Finding(
            "database",
            f"comment on {kind} {name} on {table}",
            f"{EXTRA}: {sql_string(comment)}",
            f"{_DECLARES[kind]}: `{comment_removal(kind, name, schema, table_name)}`",
        )
        for kind, name, schema, table_name, comment in comments
    ]


def view_index_comment_findings(
    view: str, comments: tuple[tuple[str, str], ...], home: str | None
) -> list[Finding]:
    """A finding for each (index, comment) of ``comments`` on the indexes of the
    materialized view ``view`` (keyed as the comparison keys views), as for a table's
    (:func:`object_comment_findings`); ``home``: the current schema, which the hint
    names a bare view's index by (an index is in its view's)."""
    schema, name = split_qualified(view)
    if schema is None:
        schema = home
    return object_comment_findings(
        view, tuple(ObjectComment("index", index, schema, name, text) for index, text in comments)
    )
