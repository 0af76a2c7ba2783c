"""``__table_args__`` of a class in ``models.py`` (and the same arguments of a
``Table``): the primary key, multi-column foreign keys, uniques, validated checks,
exclusion constraints and indexes, each named as the schema names it, then a
dict of the table's comment, PostgreSQL schema and partitioning."""

from __future__ import annotations

from ..model import naming
from ..model.schema import Entity, ExcludeConstraint, Index
from ..model.sqltext import (
    column_key_options,
    expression_key_options,
    expression_key_text,
    index_key_sql,
    text_source,
)
from ..util.pycode import Call, Expr, Str, call, py_str, pydict, pylist, pytuple
from .columns import column_key, foreign_key_kwargs
from .imports import Imports


def table_arguments(ent: Entity, imp: Imports) -> list[Expr]:
    """The constraints and indexes of a table, then a dict of its options (when any)."""
    options = table_options(ent)
    return table_constraints(ent, imp) + ([pydict(options)] if options else [])


def table_constraints(ent: Entity, imp: Imports) -> list[Expr]:
    """The primary key (when there is one), constraints and indexes of a table."""
    args: list[Expr] = []
    if ent.has_primary_key:
        pk = ent.primary_key
        args.append(
            call(
                imp.name("sqlalchemy", "PrimaryKeyConstraint"),
                *[py_str(column_key(ent, c)) for c in pk.columns],
                name=py_str(pk.name),
            )
        )
    for fk in ent.foreign_keys:
        if len(fk.columns) > 1:
            args.append(
                call(
                    imp.name("sqlalchemy", "ForeignKeyConstraint"),
                    pylist([py_str(column_key(ent, c)) for c in fk.columns]),
                    pylist([py_str(f"{fk.ref_table}.{c}") for c in fk.ref_columns]),
                    **foreign_key_kwargs(fk),
                )
            )
    for uq in ent.uniques:
        args.append(
            call(
                imp.name("sqlalchemy", "UniqueConstraint"),
                *[py_str(column_key(ent, c)) for c in uq.columns],
                name=py_str(uq.name),
                deferrable="True" if uq.deferrable else None,
                initially=py_str("DEFERRED") if uq.initially_deferred else None,
            )
        )
    for ck in (ck for ck in ent.checks if ck.validated):  # else NOT_VALID_CHECKS_DDL
        args.append(
            call(
                imp.name("sqlalchemy", "CheckConstraint"),
                Str(text_source(ck.expression)),
                name=py_str(ck.name),
            )
        )
    args.extend(_exclude(ent, ex, imp) for ex in ent.excludes)
    args.extend(_index(ent, ix, imp) for ix in ent.indexes)
    return args


def table_options(ent: Entity) -> dict[str, Expr]:
    """``comment``, ``schema`` and ``postgresql_partition_by`` of a table, when set."""
    options: dict[str, Expr] = {}
    if ent.description:
        options["comment"] = Str(ent.description)
    pg_schema = naming.split_qualified(ent.table)[0]
    if pg_schema is not None:
        options["schema"] = py_str(pg_schema)
    if ent.partition_by is not None:
        # the partitions themselves are made by the DDL at the end of the module
        options["postgresql_partition_by"] = Str(ent.partition_by.sql())
    return options


def _index_elements(ent: Entity, ix: Index, imp: Imports) -> list[Expr]:
    """Column keys by attribute; expression and ordered keys as ``text()`` (their
    operator class inside). An expression key with a collation of its own is a
    ``literal_column`` of its text, which ``postgresql_ops`` names (with the collation
    and the operator class): Alembic compares the expression without them, as it
    reflects it, where it would compare a ``text()`` with ``COLLATE`` and differ."""
    if not ix.keys:
        return [py_str(column_key(ent, c)) for c in ix.columns]
    elements: list[Expr] = []
    for key in ix.keys:
        if key.column is not None and not key.descending and not key.nulls:
            elements.append(py_str(column_key(ent, key.column)))
        elif key.expression is not None and key.collation is not None:
            literal = imp.name("sqlalchemy", "literal_column")
            elements.append(Call(literal, (Str(expression_key_text(key)),)))
        else:
            text_ = imp.name("sqlalchemy", "text")
            elements.append(Call(text_, (Str(text_source(index_key_sql(ix, key))),)))
    return elements


def _exclude(ent: Entity, ex: ExcludeConstraint, imp: Imports) -> Expr:
    """``ExcludeConstraint((column, operator), ...)``: columns by attribute, an
    expression as ``text()`` in parentheses (with its operator class inside)."""
    text_ = imp.name("sqlalchemy", "text")
    elements: list[Expr] = []
    for el in ex.elements:
        if el.column is not None:
            key: Expr = py_str(column_key(ent, el.column))
        else:
            sql = f"({el.expression})" + (f" {el.ops}" if el.ops else "")
            key = Call(text_, (Str(text_source(sql)),))
        elements.append(pytuple([key, py_str(el.operator)]))
    ops: dict[str, Expr] = {
        column_key(ent, el.column): py_str(el.ops) for el in ex.elements if el.column and el.ops
    }
    where = None
    if ex.where:
        where = Call(text_, (Str(text_source(ex.where)),))
    return call(
        imp.name("sqlalchemy.dialects.postgresql", "ExcludeConstraint"),
        *elements,
        name=py_str(ex.name),
        using=py_str(ex.using),
        where=where,
        ops=pydict(ops) if ops else None,
    )


def _index(ent: Entity, ix: Index, imp: Imports) -> Expr:
    ops = {column_key(ent, c): py_str(text) for c, text in column_key_options(ix).items()}
    ops |= {key: py_str(text) for key, text in expression_key_options(ix).items()}
    where = None
    if ix.where:
        where = Call(imp.name("sqlalchemy", "text"), (Str(text_source(ix.where)),))
    return call(
        imp.name("sqlalchemy", "Index"),
        py_str(ix.name),
        *_index_elements(ent, ix, imp),
        unique="True" if ix.unique else None,
        postgresql_nulls_not_distinct="True" if ix.nulls_not_distinct else None,
        postgresql_using=py_str(ix.using) if ix.using != "btree" else None,
        postgresql_ops=pydict(dict(ops)) if ops else None,
        postgresql_where=where,
        postgresql_include=pylist([py_str(column_key(ent, c)) for c in ix.include])
        if ix.include
        else None,
    )
