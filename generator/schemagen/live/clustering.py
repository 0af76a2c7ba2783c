"""``check --database`` on a table's CLUSTER ON mark (``cluster_on:``).

The table's own mark is compared with its declaration: missing, extra, or on
another index, each with the statement that makes the database the schema's as
its hint. A partition's mark (the language declares none; PostgreSQL refuses one
on a partitioned table) stays undeclarable (:func:`.undeclarable.cluster_marks`).
The marks are read in the tables and indexes queries (no query of their own).
"""

from __future__ import annotations

from collections.abc import Mapping

from ..findings import Finding
from ..model.clustering import cluster_statement
from .shapes import CatalogName
from .undeclarable import EXTRA, cluster_marks


def cluster_findings(
    table: str,
    declared: str | None,
    marks: tuple[tuple[str, str], ...],
    home: str | None,
    names: Mapping[str, CatalogName] | None = None,
) -> list[Finding]:
    """Findings for ``table``'s mark as ``declared`` (``None``: none) against the
    ``marks`` read, (relation, index) of the table's own and its partitions';
    ``home``: the current schema, which the hints name a bare table's by; ``names``:
    the partitions' schemas and names (:attr:`.shapes.TableShape.partition_names`)."""
    own = next((index for relation, index in marks if relation == table), None)
    others = tuple(mark for mark in marks if mark[0] != table)
    findings = cluster_marks(others, home=home, names=names)
    if own == declared:
        return findings
    restore = cluster_statement(table, declared, home)
    if declared is None:
        hint = f"run `{restore}`, or declare it in schema/ (cluster_on: {own})"
        return [Finding("database", f"cluster on {own} on {table}", EXTRA, hint), *findings]
    # keyed by the declared index, as the extra mark by its own
    message = (
        "missing from the database"
        if own is None
        else f"the database clusters {table} on {own} instead"
    )
    hint = f"run `{restore}`, or write the database's mark into schema/ (cluster_on:)"
    return [Finding("database", f"cluster on {declared} on {table}", message, hint), *findings]
