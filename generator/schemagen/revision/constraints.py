"""Revision code for primary keys and constraints (registered on the dispatcher).

Foreign keys, uniques, checks and exclusions added (in the transaction, or
lock-safe on a table holding rows: ``NOT VALID`` then ``VALIDATE``, a unique
through a concurrent index), dropped and renamed (an index too); a primary key
added or dropped. The checks that run first name the rows that would break the
new key or constraint. A constraint's SQL (``constraint_sql``) is shared with
``tables`` and ``swaps``.
"""

from __future__ import annotations

from ..model import naming
from ..model.schema import CheckConstraint, ExcludeConstraint, ForeignKey, Schema, UniqueConstraint
from ..model.sqltext import (
    deferral_sql,
    do_block,
    exclude_sql,
    not_valid_check_sql,
    text_source,
)
from ..operations.constraint import (
    AddConstraint,
    Constraint,
    DropConstraint,
    RenameConstraint,
    not_validated,
)
from ..operations.sqlutil import quote_ident, quote_table, sql_literal
from ..operations.table import AddPrimaryKey, DropPrimaryKey, PrebuildPrimaryKeyIndexes
from ..util.pycode import Str, call, pylist
from .indexes import drop_invalid_index
from .partition_uniques import (
    attach_key_indexes_sql,
    key_indexes_built,
    key_indexes_dropped,
    partition_by_partition,
)
from .render import Rendered, Stmt, bare_table, execute, final_name, render_operation, schema_arg
from .validation import repeated_rows_sql, validate_check_sql, validate_foreign_key_sql


@render_operation.register(DropPrimaryKey)
def _(operation: DropPrimaryKey, state: Schema) -> list[Stmt]:
    pk = operation.primary_key
    table = operation.table
    return [
        call(
            "op.drop_constraint",
            final_name(pk.name),
            bare_table(table),
            type_=Str("primary"),
            schema=schema_arg(table),
        )
    ]


@render_operation.register(PrebuildPrimaryKeyIndexes)
def _(operation: PrebuildPrimaryKeyIndexes, state: Schema) -> Rendered:
    # before the main transaction, which makes them the partitions' keys
    attach = operation.attach
    if operation.undo:
        return key_indexes_dropped(attach.table, attach.primary_key)
    find = key_rows_sql(attach) if attach.checks_rows else None
    return key_indexes_built(attach.table, attach.primary_key, find)


@render_operation.register(AddPrimaryKey)
def _(operation: AddPrimaryKey, state: Schema) -> list[Stmt]:
    pk = operation.primary_key
    if operation.prebuilt:
        # each partition's index built (and the rows searched) before the transaction
        guard = [execute(attach_key_indexes_sql(operation.table, pk))]
    else:
        guard = [execute(key_rows_sql(operation))] if operation.checks_rows else []
    return guard + [
        call(
            "op.create_primary_key",
            final_name(pk.name),
            bare_table(operation.table),
            pylist([Str(c) for c in pk.columns]),
            schema=schema_arg(operation.table),
        )
    ]


def key_rows_sql(operation: AddPrimaryKey) -> str:
    """A check before a primary key is added to a table that had none (its rows
    were never held unique) or rebuilt over columns the old key's do not hold
    apart: PostgreSQL's own failure ("could not create unique index") names
    neither the key nor what to do. This one says which key, which columns, one
    repeated value (or that a row holds NULL there, which it says first), and
    how to go on."""
    pk, table = operation.primary_key, quote_table(operation.table)
    cols = ", ".join(quote_ident(c) for c in pk.columns)
    row = cols if len(pk.columns) == 1 else f"ROW({cols})"
    nulls = " OR ".join(f"{quote_ident(c)} IS NULL" for c in pk.columns)
    what = f"cannot add primary key {pk.name} to {operation.table}: "
    shown = ", ".join(pk.columns)
    null_text = sql_literal(f"{what}a row holds NULL in ({shown})")
    repeat_text = sql_literal(f"{what}more than one row has ({shown}) = ")
    keep = (
        "primary_key: false"
        if operation.keyless
        else f"the primary key over ({', '.join(operation.other)})"
    )
    hint = sql_literal(f"delete or change those rows (or keep {keep}), then upgrade again")
    # One scan, not two (an EXISTS for NULL, then a GROUP BY for repeats): the
    # first group that holds NULL or more than one row, grouped and ordered NULL
    # first, so that a table holding both is refused for its NULL, as it was when
    # NULL was searched first, and a sorted grouping can stop at that group (a
    # trailing ORDER BY over the groups made PostgreSQL 15 hash all of them).
    return do_block(
        "\nDECLARE\n    repeated text;\n    holds_null boolean;\nBEGIN\n"
        f"    SELECT CAST({row} AS text), {nulls} INTO repeated, holds_null FROM {table} "
        f"GROUP BY ({nulls}), {cols} HAVING count(*) > 1 OR ({nulls}) "
        f"ORDER BY 2 DESC, {cols} LIMIT 1;\n"
        "    IF holds_null THEN\n"
        f"        RAISE EXCEPTION USING MESSAGE = {null_text}, HINT = {hint};\n"
        "    ELSIF FOUND THEN\n"
        f"        RAISE EXCEPTION USING MESSAGE = {repeat_text} || repeated, HINT = {hint};\n"
        "    END IF;\nEND "
    )


_CONSTRAINT_TYPES = {
    ForeignKey: "foreignkey",
    UniqueConstraint: "unique",
    CheckConstraint: "check",
    ExcludeConstraint: "exclude",
}


def _add_exclude(table: str, ex: ExcludeConstraint) -> Stmt:
    """``ALTER TABLE ... ADD CONSTRAINT ... EXCLUDE``, as SQL: Alembic has no
    operation for it, and the SQL says exactly what PostgreSQL stores."""
    return execute(
        f"ALTER TABLE {quote_table(table)} ADD CONSTRAINT {quote_ident(ex.name)} {exclude_sql(ex)}"
    )


@render_operation.register(AddConstraint)
def _(operation: AddConstraint, state: Schema) -> list[Stmt] | Rendered:
    table, c = operation.table, operation.constraint
    if operation.lock_safe and operation.partitioned and isinstance(c, UniqueConstraint):
        return partition_by_partition(operation, unique_in_place(table, c))
    if operation.lock_safe:
        return lock_safe_constraint(table, c)
    if isinstance(c, UniqueConstraint) and operation.prebuilt:
        # its index built and searched before the transaction (PrebuildUniqueIndex):
        # attached, no scan under the lock
        name = quote_ident(c.name)
        return [
            execute(
                f"ALTER TABLE {quote_table(table)} ADD CONSTRAINT {name} UNIQUE USING INDEX "
                f"{name}{deferral_sql(c)}"
            )
        ]
    if isinstance(c, UniqueConstraint):
        # Built under the transaction's lock (a partitioned table's, one a new
        # table's foreign key needs at once, one added back around a retype): rows
        # that repeat its columns are searched for first, as a swap in the
        # transaction does, so that the failure names the constraint and a query
        # that lists them rather than PostgreSQL's "could not create unique index".
        return [execute(repeated_rows_sql(table, c, "false")), add_constraint(table, c)]
    return [add_constraint(table, c)]


def if_no_constraint(table: str, name: str, sql: str) -> Stmt:
    """``sql``, run only while ``table`` has no constraint ``name`` (a rerun skips it)."""
    return execute(
        do_block(
            " BEGIN IF NOT EXISTS (SELECT FROM pg_constraint WHERE conrelid = "
            f"{sql_literal(quote_table(table))}::regclass AND conname = {sql_literal(name)}) "
            f"THEN {sql}; END IF; END "
        )
    )


def lock_safe_constraint(table: str, c: Constraint) -> list[Stmt]:
    """The online steps that add ``c`` to a table holding rows, each idempotent:
    a unique as a concurrent unique index attached with ``USING INDEX``; a
    foreign key or check ``NOT VALID``, then validated in its own transaction."""
    alter = f"ALTER TABLE {quote_table(table)}"
    name = quote_ident(c.name)
    if isinstance(c, ExcludeConstraint):
        # no NOT VALID for an exclusion: built under the lock, in its own transaction
        # outside the revision's, so a rerun after a failure past it skips it
        return [if_no_constraint(table, c.name, f"{alter} ADD CONSTRAINT {name} {exclude_sql(c)}")]
    if isinstance(c, UniqueConstraint):
        return [
            drop_invalid_index(c.name, table),
            execute(repeated_rows_sql(table, c, unique_in_place(table, c))),
            execute(unique_index_sql(table, c.name, c)),
            if_no_constraint(
                table,
                c.name,
                f"{alter} ADD CONSTRAINT {name} UNIQUE USING INDEX {name}{deferral_sql(c)}",
            ),
        ]
    add = if_no_constraint(
        table, c.name, f"{alter} ADD CONSTRAINT {name} {constraint_sql(c)} NOT VALID"
    )
    if not_validated(c):
        return [add]  # validated: false: left NOT VALID on purpose
    return [add, validate_constraint(table, c)]


def unique_index_sql(table: str, index: str, uq: UniqueConstraint) -> str:
    """The concurrent build of ``uq``'s unique index, named ``index``."""
    cols = ", ".join(quote_ident(col) for col in uq.columns)
    return (
        f"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {quote_ident(index)} "
        f"ON {quote_table(table)} ({cols})"
    )


def unique_in_place(table: str, uq: UniqueConstraint) -> str:
    """SQL true where ``table`` has ``uq``: its name over its columns, in order."""
    cols = ", ".join(sql_literal(c) for c in uq.columns)
    return (
        f"EXISTS (SELECT FROM pg_constraint c WHERE c.conrelid = "
        f"{sql_literal(quote_table(table))}::regclass AND c.conname = {sql_literal(uq.name)} "
        "AND c.contype = 'u' AND ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH "
        "ORDINALITY AS k (attnum, n) JOIN pg_attribute a ON a.attrelid = c.conrelid AND "
        f"a.attnum = k.attnum ORDER BY k.n) = ARRAY[{cols}]::text[])"
    )


def validate_constraint(table: str, c: ForeignKey | CheckConstraint) -> Stmt:
    """``VALIDATE CONSTRAINT`` that says which rows break the constraint, if any do."""
    if isinstance(c, ForeignKey):
        return execute(validate_foreign_key_sql(table, c))
    return execute(validate_check_sql(table, c))


def not_valid_key_sql(table: str, fk: ForeignKey) -> str:
    """``ALTER TABLE ... ADD CONSTRAINT ... NOT VALID`` of a foreign key declared
    ``validated: false``: PostgreSQL makes a key written inside ``CREATE TABLE``
    valid, so a new table gets it after its ``CREATE TABLE``."""
    return (
        f"ALTER TABLE {quote_table(table)} ADD CONSTRAINT {quote_ident(fk.name)} "
        f"{constraint_sql(fk)} NOT VALID"
    )


def constraint_sql(c: ForeignKey | CheckConstraint) -> str:
    """The body of ``ADD CONSTRAINT name ...`` for a foreign key or check."""
    if isinstance(c, CheckConstraint):
        return f"CHECK ({c.expression})"
    cols = ", ".join(quote_ident(col) for col in c.columns)
    refs = ", ".join(quote_ident(col) for col in c.ref_columns)
    sql = f"FOREIGN KEY ({cols}) REFERENCES {quote_table(c.ref_table)} ({refs}){c.match_sql}"
    if c.on_delete:
        sql += f" ON DELETE {c.on_delete}"
    if c.on_update:
        sql += f" ON UPDATE {c.on_update}"
    return sql + deferral_sql(c)


def add_constraint(table_name: str, c: Constraint) -> Stmt:
    """The statement adding ``c`` to ``table_name`` (SQL for an EXCLUDE or a NOT VALID one)."""
    if isinstance(c, ExcludeConstraint):
        return _add_exclude(table_name, c)
    if isinstance(c, CheckConstraint) and not c.validated:
        return execute(not_valid_check_sql(table_name, c))
    if isinstance(c, ForeignKey) and not c.validated:
        return execute(not_valid_key_sql(table_name, c))
    table, schema = bare_table(table_name), schema_arg(table_name)
    if isinstance(c, ForeignKey):
        return call(
            "op.create_foreign_key",
            final_name(c.name),
            table,
            bare_table(c.ref_table),
            pylist([Str(x) for x in c.columns]),
            pylist([Str(x) for x in c.ref_columns]),
            ondelete=Str(c.on_delete) if c.on_delete else None,
            onupdate=Str(c.on_update) if c.on_update else None,
            deferrable="True" if c.deferrable else None,
            initially=Str("DEFERRED") if c.initially_deferred else None,
            match=Str(c.match) if c.match else None,
            source_schema=schema,
            referent_schema=schema_arg(c.ref_table),
        )
    if isinstance(c, UniqueConstraint):
        return call(
            "op.create_unique_constraint",
            final_name(c.name),
            table,
            pylist([Str(x) for x in c.columns]),
            schema=schema,
            deferrable="True" if c.deferrable else None,
            initially=Str("DEFERRED") if c.initially_deferred else None,
        )
    return call(
        "op.create_check_constraint",
        final_name(c.name),
        table,
        Str(text_source(c.expression)),
        schema=schema,
    )


@render_operation.register(DropConstraint)
def _(operation: DropConstraint, state: Schema) -> list[Stmt]:
    if operation.lock_safe:
        name = quote_ident(operation.constraint.name)
        return [
            execute(f"ALTER TABLE {quote_table(operation.table)} DROP CONSTRAINT IF EXISTS {name}")
        ]
    return [drop_constraint(operation.table, operation.constraint)]


def drop_constraint(table: str, constraint: Constraint) -> Stmt:
    """The statement dropping ``constraint`` from ``table``."""
    if isinstance(constraint, ExcludeConstraint):
        # Alembic's drop_constraint knows no "exclude" type; the SQL is the same.
        name = quote_ident(constraint.name)
        return execute(f"ALTER TABLE {quote_table(table)} DROP CONSTRAINT {name}")
    kind = _CONSTRAINT_TYPES[type(constraint)]
    return call(
        "op.drop_constraint",
        final_name(constraint.name),
        bare_table(table),
        type_=Str(kind),
        schema=schema_arg(table),
    )


@render_operation.register(RenameConstraint)
def _(operation: RenameConstraint, state: Schema) -> list[Stmt]:
    old, new = quote_ident(operation.old), quote_ident(operation.new)
    if operation.kind == "index":
        index = quote_table(naming.in_schema_of(operation.table, operation.old))
        return [execute(f"ALTER INDEX {index} RENAME TO {new}")]
    return [execute(f"ALTER TABLE {quote_table(operation.table)} RENAME CONSTRAINT {old} TO {new}")]
