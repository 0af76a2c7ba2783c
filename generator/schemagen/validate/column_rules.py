"""Rules of a table's columns and constraints beyond their names.

Owns ``on_update: now`` on a date or time column, a PostgreSQL type given by
name (its parameters, its extension, one schemagen does not know), a
column's ``default:`` as written (judged by ``defaults``), ``validated: false``
checks and foreign keys of a partitioned table, and check expressions and
partial-index predicates that say nothing.
"""

from __future__ import annotations

from typing import Any

from ..model.pgtypes import PGTYPE, is_known, param_problem, required_extension
from ..model.schema import Column, ColumnType, Entity, Schema
from ..normalize.columns import TIME_KINDS
from ..source.loader import Sources, YamlPath, mapping
from .defaults import default_problem
from .reporter import Reporter, index_path, own_column_path, type_text


def check_column_rules(
    schema: Schema, entity: Entity, column: Column, src: Sources, report: Reporter
) -> None:
    """The default fits the column; ``on_update: now`` is on a date/time column."""
    path = own_column_path(entity, column)
    if column.on_update_now and column.type.kind not in TIME_KINDS:
        report.error(
            (*path, "on_update"),
            f"on_update: now needs a date or time column, not {type_text(column.type)}",
        )
    check_named_type(schema, column.type, path, report)
    spec = _raw_column(src, entity, column)
    if "default" in spec:
        problem = default_problem(schema, column, spec["default"])
        if problem:
            report.error((*path, "default"), problem)


def check_named_type(
    schema: Schema, ctype: ColumnType, path: YamlPath, report: Reporter
) -> None:
    """A PostgreSQL type by name: its parameters fit, its extension is declared,
    and a name schemagen cannot verify without a database gets a warning."""
    if ctype.kind == "array" and ctype.of is not None:
        ctype = ctype.of
    if ctype.kind != PGTYPE or ctype.pgtype is None:
        return
    where = (*path, "type")
    problem = param_problem(ctype)
    if problem:
        report.error(where, problem)
    needed = required_extension(ctype)
    if needed and needed not in schema.database.extensions:
        report.error(
            where,
            f"type {ctype.pgtype} comes from the {needed} extension; add {needed} to "
            "database.extensions",
        )
    if not is_known(ctype.pgtype):
        report.warning(
            where,
            f"type '{ctype.pgtype}' is not a PostgreSQL type schemagen knows; it cannot be "
            "verified without a database (`schemagen check --database` does)",
        )


def _raw_column(src: Sources, entity: Entity, column: Column) -> dict[str, Any]:
    path = own_column_path(entity, column)
    owner = src.mixins if path[0] == "mixins" else src.entities
    return mapping(mapping(mapping(owner.get(path[1])).get("columns")).get(column.name))


def check_not_valid_checks(entity: Entity, report: Reporter) -> None:
    """``validated: false`` only on a table that is not partitioned: a partitioned
    table's checks are made in the transaction with its partitions (no online
    step), and its partitions take the check as their own."""
    if entity.partition_by is None:
        return
    for ck in entity.checks:
        if not ck.validated:
            report.error(
                ("entities", entity.name, "checks", ck.name, "validated"),
                f"check {ck.name} of partitioned table {entity.table} cannot be left NOT "
                "VALID here: declare it validated (leave validated: out)",
            )


def check_not_valid_keys(entity: Entity, src: Sources, report: Reporter) -> None:
    """``validated: false`` only on a foreign key of a table that is not
    partitioned: PostgreSQL refuses ``NOT VALID`` on a partitioned table's key
    ('cannot add NOT VALID foreign key on partitioned table')."""
    if entity.partition_by is None:
        return
    declared = mapping(mapping(src.entities.get(entity.name)).get("foreign_keys"))
    for fk in entity.foreign_keys:
        if fk.validated:
            continue
        if fk.name in declared:
            at: tuple[str, ...] = ("entities", entity.name, "foreign_keys", fk.name, "validated")
        else:
            at = ("entities", entity.name, "columns", fk.columns[0], "validated")
        report.error(
            at,
            f"foreign key {fk.name} of partitioned table {entity.table} cannot be left NOT "
            "VALID (PostgreSQL refuses NOT VALID on a partitioned table's key): declare "
            "it validated (leave validated: out)",
        )


def check_blank_sql(entity: Entity, src: Sources, report: Reporter) -> None:
    """Check expressions and partial-index predicates that say nothing.

    They would render as ``CHECK ()`` and ``WHERE`` with nothing after it, which
    PostgreSQL rejects only when the migration runs.
    """
    for ck in entity.checks:
        if not ck.expression.strip():
            report.error(
                ("entities", entity.name, "checks", ck.name),
                f"check constraint {ck.name} has an empty expression",
            )
    for index in entity.indexes:
        if index.where is not None and not index.where.strip():
            report.error(
                (*index_path(src, entity, index.name, index.columns), "where"),
                "`where:` is empty; leave it out for an index on every row",
            )
