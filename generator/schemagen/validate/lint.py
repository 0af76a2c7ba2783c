"""Lint warnings: valid schemas that repeat the failures of hand-written schema code.

Each rule comes from the InventorySync post-mortem: indexes that duplicate a
primary key, a unique constraint or another index; whole-table indexes on
booleans; ORM cascades the database does not back (``delete`` or
``delete-orphan`` without ``ON DELETE CASCADE``, NOT NULL foreign keys with no
delete rule); foreign keys that no index starts with; money stored as
floating point. Warnings print but do not fail
``validate`` unless ``--strict``.
"""

from __future__ import annotations

import re

from ..model.schema import Entity, Index, Relationship, Schema, leads_an_index
from ..source.loader import Sources
from .reporter import Reporter, column_path, index_path, unique_path

# "total" counts only at the end (order_total), so that total_weight is no money.
MONEY_WORDS = re.compile(r"(^|_)(price|cost|amount|subtotal|fee)s?(_|$)|(^|_)totals?$")
FLOAT_KINDS = frozenset({"float", "double"})


def lint(schema: Schema, src: Sources, report: Reporter) -> None:
    """Report lint warnings about ``schema``."""
    for entity in schema.entities:
        lint_duplicate_indexes(entity, src, report)
        lint_boolean_indexes(entity, src, report)
        lint_money(entity, src, report)
        lint_delete_rules(schema, entity, src, report)
        lint_unindexed_foreign_keys(entity, src, report)


def _plain(index: Index) -> bool:
    return (
        index.using == "btree"
        and index.where is None
        and not index.ops
        and not index.include
        and not index.keys
    )


def lint_duplicate_indexes(entity: Entity, src: Sources, report: Reporter) -> None:
    """An index equal to the primary key, a unique constraint or an earlier index."""
    covered: dict[tuple[str, ...], str] = {}
    if entity.has_primary_key:
        covered[entity.primary_key.columns] = "the primary key"
    for uq in entity.uniques:
        if uq.columns in covered:
            report.warning(
                unique_path(src, entity, uq.name, uq.columns),
                f"unique constraint {uq.name} duplicates {covered[uq.columns]} "
                "(same columns, same order); drop it",
            )
        covered.setdefault(uq.columns, f"unique constraint {uq.name}")
    plain_indexes: dict[tuple[str, ...], str] = {}
    for index in entity.indexes:
        if not _plain(index):
            continue
        path = index_path(src, entity, index.name, index.columns)
        if index.columns in covered:
            report.warning(
                path,
                f"index {index.name} duplicates {covered[index.columns]} "
                "(which already has an index on the same columns); drop it",
            )
            continue
        key = index.columns
        if key in plain_indexes:
            report.warning(
                path,
                f"index {index.name} duplicates index {plain_indexes[key]} "
                "(same columns, same order); drop one",
            )
            continue
        plain_indexes[key] = index.name


def lint_boolean_indexes(entity: Entity, src: Sources, report: Reporter) -> None:
    """Whole-table indexes on boolean columns only: two values, rarely worth their upkeep."""
    for index in entity.indexes:
        kinds = {entity.column(c).type.kind for c in index.columns}
        if kinds == {"boolean"} and index.where is None and not index.unique:
            report.warning(
                index_path(src, entity, index.name, index.columns),
                f"index {index.name} covers only boolean columns, which rarely pays off; "
                "index the rows you look for with `where:` (a partial index) instead",
            )


def lint_money(entity: Entity, src: Sources, report: Reporter) -> None:
    """Money-like columns stored as floating point."""
    for column in entity.columns:
        if column.type.kind in FLOAT_KINDS and MONEY_WORDS.search(column.name):
            report.warning(
                (*column_path(src, entity, column.name), "type"),
                f"money-like column '{column.name}' uses {column.type.kind}, which rounds; "
                "use numeric with precision and scale (e.g. a `money` type)",
            )


def lint_delete_rules(schema: Schema, entity: Entity, src: Sources, report: Reporter) -> None:
    """ORM cascades the database does not back, and NOT NULL FKs with no delete rule."""
    for fk in entity.foreign_keys:
        column = entity.column(fk.columns[0])
        path = (*column_path(src, entity, column.name), "references")
        parent = schema.entity(fk.ref_entity)
        cascading = _deleting_cascade(parent, fk.name)
        if cascading is not None and fk.on_delete != "CASCADE":
            report.warning(path, _cascade_message(parent, cascading, fk.on_delete))
        elif fk.on_delete is None and not column.nullable:
            report.warning(
                path,
                f"NOT NULL foreign key with no on_delete rule: deleting a {parent.name} "
                "fails, or the ORM tries to set this column to NULL; say on_delete: "
                "cascade or restrict",
            )


def lint_unindexed_foreign_keys(entity: Entity, src: Sources, report: Reporter) -> None:
    """A foreign key that no index starts with: PostgreSQL does not index the
    referencing side by itself, so every lookup and delete of a parent scans."""
    for fk in entity.foreign_keys:
        if leads_an_index(entity, fk.columns):
            continue
        columns = ", ".join(fk.columns)
        report.warning(
            (*column_path(src, entity, fk.columns[0]), "references"),
            f"foreign key {fk.name} ({columns}) has no index that starts with its columns, "
            f"so deleting a {fk.ref_table} row or finding its rows here scans all of "
            f"{entity.table}; add `index: true` or an index on ({columns})",
        )


def _cascade_message(parent: Entity, rel: Relationship, on_delete: str | None) -> str:
    said = f"{parent.name}.{rel.name} cascades deletes ({rel.cascade}), but "
    if on_delete == "SET NULL":
        return (
            said + "the database sets this column NULL instead (ON DELETE SET NULL), so "
            "deleting outside the ORM keeps the rows; say on_delete: cascade"
        )
    return (
        said + f"this foreign key has no ON DELETE CASCADE, so deleting a {parent.name} "
        "outside the ORM fails; add on_delete: cascade"
    )


def _deleting_cascade(parent: Entity, fk_name: str) -> Relationship | None:
    """The one-to-many of this FK when its cascade deletes children (all, delete, ...)."""
    for rel in parent.relationships:
        if rel.foreign_key != fk_name or rel.kind != "one_to_many" or not rel.cascade:
            continue
        words = {w.strip() for w in rel.cascade.split(",")}
        if words & {"all", "delete", "delete-orphan"}:
            return rel
    return None
