"""Revision code for tables: a new table as the SQL that Alembic's ``op.create_table``
compiles; a table dropped, renamed (to another PostgreSQL schema, too) or its
comment changed, as Alembic's operations.

A new table is one ``op.execute`` of SQL: its ``CREATE TABLE``, comments,
exclusion constraints, indexes, partitions and serial sequences' ``OWNED BY``,
one statement per line group, sent to the server in one round trip.

Why not ``op.create_table`` and ``op.create_index``: when a revision runs, each of
those builds SQLAlchemy ``Table`` and ``Index`` objects and compiles them, and
Alembic executes each statement on its own. For the first revision of a
2,000-table schema that was 20 s of CPU in the ``alembic`` process, more than
the server took to apply the same DDL through ``psql``. The text here is what
that compilation printed, with ``format_type`` spellings of the types
(``character varying(120)``, as ``psql`` and ``pg_dump`` show them); the
migration proofs (dump equality with ``create_all`` of the models, Alembic's
``compare_metadata``) hold it to the models. ``alembic upgrade --sql`` prints
it as it is.
"""

from __future__ import annotations

from ..model import naming
from ..model.schema import Column, ColumnType, Entity, Schema
from ..model.sequences import identity_name, identity_sql, owned_by_sql, serial_of
from ..model.sqltext import (
    default_sql,
    deferral_sql,
    exclude_sql,
    not_valid_check_sql,
    partition_statements,
)
from ..model.storage import settings_statements
from ..model.typemap import pg_type
from ..operations.sqlutil import (
    identity_sequence,
    quote_ident,
    quote_table,
    quote_type,
    sql_literal,
)
from ..operations.table import AlterTableComment, CreateTable, DropTable, RenameTable
from ..util.pycode import Str, call
from .constraints import constraint_sql, not_valid_key_sql
from .indexes import create_index_sql
from .render import Stmt, bare_name, bare_table, execute, render_operation, schema_arg
from .sequences import rename_sequence

#: Columns and constraints of ``CREATE TABLE``, one per line.
_ITEM = "\n    "


@render_operation.register(CreateTable)
def _(operation: CreateTable, state: Schema) -> list[Stmt]:
    return [execute(";\n".join(table_statements(operation.entity, state)))]


def table_statements(ent: Entity, state: Schema) -> list[str]:
    """Every statement that makes ``ent``, in the order ``op.create_table`` and the
    calls after it ran them."""
    table = quote_table(ent.table)
    stmts = [create_table_sql(ent, state)]
    # statistics targets and storage: before the partitions, which take the storage
    stmts += [sql for col in ent.columns for sql in settings_statements(ent.table, col)]
    if ent.description is not None:
        stmts.append(f"COMMENT ON TABLE {table} IS {sql_literal(ent.description)}")
    stmts += [
        f"COMMENT ON COLUMN {table}.{quote_ident(col.name)} IS {sql_literal(col.description)}"
        for col in ent.columns
        if col.description is not None
    ]
    stmts += [
        f"ALTER TABLE {table} ADD CONSTRAINT {quote_ident(ex.name)} {exclude_sql(ex)}"
        for ex in ent.excludes
    ]
    # validated: false: PostgreSQL would make it valid inside CREATE TABLE
    stmts += [not_valid_check_sql(ent.table, ck) for ck in ent.checks if not ck.validated]
    stmts += [not_valid_key_sql(ent.table, fk) for fk in ent.foreign_keys if not fk.validated]
    stmts += [create_index_sql(ent.table, ix) for ix in ent.indexes]
    # after the indexes, as create_all makes them: each partition gets its own copy
    stmts += partition_statements(ent)
    stmts += [owned_by_sql(serial_of(ent.table, col)) for col in ent.columns if col.serial]
    return stmts


def create_table_sql(ent: Entity, state: Schema) -> str:
    """``CREATE TABLE`` with the columns, then the primary key, foreign keys,
    uniques and checks (but keys and checks declared ``validated: false``), each
    named."""
    items = [column_sql(col, state, ent.table) for col in ent.columns]
    pk = ent.primary_key
    if ent.has_primary_key:  # else a table without one (primary_key: false)
        items.append(f"CONSTRAINT {quote_ident(pk.name)} PRIMARY KEY ({_names(pk.columns)})")
    items += [
        f"CONSTRAINT {quote_ident(fk.name)} {constraint_sql(fk)}"
        for fk in ent.foreign_keys
        if fk.validated  # else added NOT VALID after (table_statements)
    ]
    items += [
        f"CONSTRAINT {quote_ident(uq.name)} UNIQUE ({_names(uq.columns)}){deferral_sql(uq)}"
        for uq in ent.uniques
    ]
    items += [
        f"CONSTRAINT {quote_ident(ck.name)} {constraint_sql(ck)}"
        for ck in ent.checks
        if ck.validated  # else added NOT VALID after (table_statements)
    ]
    sql = f"CREATE TABLE {quote_table(ent.table)} ({_ITEM}{(',' + _ITEM).join(items)}\n)"
    if ent.partition_by is not None:
        sql += f" PARTITION BY {ent.partition_by.sql()}"
    return sql


def column_sql(col: Column, state: Schema, table: str) -> str:
    """One column of ``table`` as SQLAlchemy's PostgreSQL dialect writes it: name,
    type, default, generated expression, identity (its sequence's name where the
    column says one), NOT NULL (an identity implies it)."""
    words = [quote_ident(col.name), type_sql(col.type, state)]
    default = default_sql(col)
    if default is not None:
        words.append(f"DEFAULT {default}")
    if col.generated is not None:
        words.append(f"GENERATED ALWAYS AS ({col.generated}) STORED")
    if col.identity:
        words.append(identity_sql(col.identity_options, identity_name(table, col)))
    elif not col.nullable:
        words.append("NOT NULL")
    return " ".join(words)


def type_sql(ct: ColumnType, state: Schema) -> str:
    """A column's type: a domain or enum by its (quoted) name, an array with ``[]``,
    else as ``format_type`` prints it; a collation last (``text COLLATE "C"``)."""
    if ct.domain is not None:  # the domain's collation is the column's
        return quote_type(ct.domain)
    if ct.kind == "enum" and ct.enum is not None:
        return quote_type(state.enum(ct.enum).db_name)
    if ct.kind == "array" and ct.of is not None:
        return type_sql(ct.of, state) + "[]"
    text = pg_type(ct, state)
    return f"{text} COLLATE {quote_ident(ct.collation)}" if ct.collation else text


def _names(columns: tuple[str, ...]) -> str:
    return ", ".join(quote_ident(c) for c in columns)


@render_operation.register(DropTable)
def _(operation: DropTable, state: Schema) -> list[Stmt]:
    table = operation.entity.table
    return [call("op.drop_table", bare_table(table), schema=schema_arg(table))]


@render_operation.register(RenameTable)
def _(operation: RenameTable, state: Schema) -> list[Stmt]:
    if operation.old_table == operation.new_table:
        return [f"# entity {operation.old_name} is now {operation.new_name}: no DDL"]
    old, new = operation.old_table, operation.new_table
    stmts: list[Stmt] = []
    if naming.split_qualified(old)[0] != naming.split_qualified(new)[0]:
        # to another PostgreSQL schema: its indexes, constraints and identity
        # sequences go with it; then a rename, if the name changes too
        target = naming.split_qualified(new)[0] or "public"
        stmts.append(execute(f"ALTER TABLE {quote_table(old)} SET SCHEMA {quote_ident(target)}"))
        old = naming.in_schema_of(new, bare_name(old))
    if old == new:
        return stmts
    stmts.append(call("op.rename_table", bare_table(old), bare_table(new), schema=schema_arg(new)))
    stmts += [
        rename_sequence(identity_sequence(old, col), identity_sequence(new, col))
        for col in operation.identity_columns
    ]
    return stmts


@render_operation.register(AlterTableComment)
def _(operation: AlterTableComment, state: Schema) -> list[Stmt]:
    existing = Str(operation.old) if operation.old is not None else None
    if operation.new is None:
        return [
            call(
                "op.drop_table_comment",
                bare_table(operation.table),
                existing_comment=existing,
                schema=schema_arg(operation.table),
            )
        ]
    return [
        call(
            "op.create_table_comment",
            bare_table(operation.table),
            Str(operation.new),
            existing_comment=existing,
            schema=schema_arg(operation.table),
        )
    ]
