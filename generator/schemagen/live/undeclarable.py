"""Live objects the schema language cannot declare: rules, extended statistics,
``CLUSTER ON`` marks and comments on a view's columns (a materialized view's index
comments: live.object_comments).

A database written by other people may hold them, and each changes what the
application sees or gets (a rule can turn its INSERTs into nothing; a mark is
what a bare ``CLUSTER`` of the table, run by a maintenance job, sorts by and
locks the table for; a comment is what tools show of a view's column, whose
``description`` in the YAML is for the docs only), so each is drift: reported
as an extra index or trigger is, with the statement that drops it. They are
read in the queries that read their tables and views (no query of their own).
"""

from __future__ import annotations

from collections.abc import Mapping

from ..findings import Finding
from ..model.schema import quote_name
from ..model.sqltext import quote_in, quote_qualified
from .shapes import CatalogName

EXTRA = "in the database but not in the schema"


def undeclarable(
    relation: str | CatalogName,
    rules: tuple[str, ...],
    statistics: tuple[CatalogName, ...],
    home: str | None,
) -> list[Finding]:
    """A finding for each of the ``rules`` and extended ``statistics`` of ``relation``
    (a table or view, keyed as the comparison keys it; a partition with its schema and
    name, which may hold a dot); ``home``: the current schema, which the hints name a
    bare key's by (statistics and partitions are named by their own schema)."""
    if isinstance(relation, CatalogName):
        where = quote_in(relation.schema, relation.name)
        relation = relation.key
    else:
        where = quote_qualified(relation, home)
    findings = [
        Finding(
            "database",
            f"rule {name} on {relation}",
            EXTRA,
            f"the schema cannot declare a rule: `DROP RULE {quote_name(name)} ON {where}`, "
            "or do what it does with a trigger or a view in schema/",
        )
        for name in rules
    ]
    return findings + [
        Finding(
            "database",
            f"statistics {stats.key} on {relation}",
            EXTRA,
            "the schema cannot declare extended statistics: "
            f"`DROP STATISTICS {quote_in(stats.schema, stats.name)}`",
        )
        for stats in statistics
    ]


def cluster_marks(
    marks: tuple[tuple[str, str], ...],
    kind: str = "TABLE",
    *,
    home: str | None,
    names: Mapping[str, CatalogName] | None = None,
) -> list[Finding]:
    """A finding for each ``CLUSTER ON`` mark: (relation, index), the relation keyed as
    the comparison keys a table or view (the index is in its PostgreSQL schema); ``kind``:
    what ``ALTER`` names it (``TABLE``, ``MATERIALIZED VIEW``); ``home``: the current
    schema, which the hint names a bare key's by; ``names``: the partitions' schemas and
    names, which the hint names a partition by."""
    return [
        Finding(
            "database",
            f"cluster on {index} on {relation}",
            EXTRA,
            "the schema cannot declare CLUSTER ON: "
            f"`ALTER {kind} {quoted(relation, home, names)} SET WITHOUT CLUSTER`",
        )
        for relation, index in marks
    ]


def quoted(key: str, home: str | None, names: Mapping[str, CatalogName] | None) -> str:
    """The relation ``key`` as SQL names it: by its schema and name in ``names`` (a
    partition read from the catalog, whose name may hold a dot), else as the model keys
    it (:func:`~schemagen.model.sqltext.quote_qualified`)."""
    named = (names or {}).get(key)
    return quote_qualified(key, home) if named is None else quote_in(named.schema, named.name)


def view_column_comments(
    view: str, columns: tuple[str, ...], home: str | None
) -> list[Finding]:
    """A finding for the comment on each of ``columns`` of ``view`` (keyed as the
    comparison keys views): the language makes none (a view column's ``description``
    is for the docs only); ``home``: the current schema, which the hint names a bare
    view's by."""
    where = quote_qualified(view, home)
    return [
        Finding(
            "database",
            f"comment on view column {view}.{column}",
            EXTRA,
            "the schema cannot declare it (a view column's description is for the docs "
            f"only): `COMMENT ON COLUMN {where}.{quote_name(column)} IS NULL`",
        )
        for column in columns
    ]
