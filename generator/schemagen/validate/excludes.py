"""Checks of the entity-level ``exclude:`` entries (exclusion constraints)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..language.messages import did_you_mean
from ..model.schema import Entity, Schema
from ..source.loader import Sources, YamlPath, mapping
from .indexes import default_opclass_problem
from .reporter import Reporter

#: Index methods that can back an exclusion constraint (amgettuple); gin and brin cannot.
EXCLUDE_METHODS = frozenset({"btree", "hash", "gist", "spgist"})


#: ``references.check_sql_columns``: passed in by its caller (no import cycle).
SqlCheck = Callable[[Reporter, YamlPath, str, list[str], str], None]


def check_exclude_references(
    report: Reporter,
    base: YamlPath,
    spec: dict[str, Any],
    names: list[str],
    table: str,
    check_sql_columns: SqlCheck,
) -> None:
    """Each element names a column of the entity or an expression over them (one of
    the two), and the ``where:`` predicate names only its columns."""
    for name, entry in mapping(spec.get("exclude")).items():
        path: YamlPath = (*base, "exclude", str(name))
        entry = mapping(entry)
        for number, element in enumerate(entry.get("elements") or ()):
            where = (*path, "elements", str(number))
            element = mapping(element)
            column, expression = element.get("column"), element.get("expression")
            if (column is None) == (expression is None):
                report.error(where, "an element names a `column` or an `expression` (one of them)")
            elif column is not None and column not in names:
                report.error(where, f"unknown column '{column}'{did_you_mean(str(column), names)}")
            elif isinstance(expression, str):
                check_sql_columns(report, (*where, "expression"), expression, names, table)
        if isinstance(entry.get("where"), str):
            check_sql_columns(report, (*path, "where"), entry["where"], names, table)


def check_excludes(
    schema: Schema,
    entity: Entity,
    src: Sources,
    report: Reporter,
) -> None:
    """A method that supports exclusion, and ``btree_gist`` where a plain scalar column
    is compared under gist (``room_id WITH =``: core gist has no operator class for it)."""
    extensions = set(schema.database.extensions)
    for ex in entity.excludes:
        path: YamlPath = ("entities", entity.name, "exclude", ex.name)
        if ex.using not in EXCLUDE_METHODS:
            report.error(
                (*path, "using"),
                f"access method {ex.using} does not support exclusion constraints; use "
                + ", ".join(sorted(EXCLUDE_METHODS)),
            )
            continue
        if ex.where is not None and not ex.where.strip():
            report.error((*path, "where"), "`where:` is empty; leave it out to compare every row")
        for number, element in enumerate(ex.elements):
            if element.column is None or element.ops or not entity.has_column(element.column):
                continue
            problem = default_opclass_problem(ex.using, entity.column(element.column), extensions)
            if problem:
                report.error((*path, "elements", str(number)), problem)
