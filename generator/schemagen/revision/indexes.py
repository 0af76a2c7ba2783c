"""Revision code for indexes (registered on the dispatcher).

``op.create_index`` with every PostgreSQL option the index uses, and
``op.drop_index``; a concurrent build or drop runs outside the transaction and
can be rerun, a build first dropping an INVALID index that a failed one left.
"""

from __future__ import annotations

from ..model import naming
from ..model.schema import Index, Schema
from ..model.sqltext import column_key_options, do_block, index_key_sql, text_source
from ..operations.constraint import CreateIndex, DropIndex
from ..operations.sqlutil import quote_ident, quote_table, sql_literal
from ..util.pycode import Expr, Str, call, pydict, pylist
from .partition_indexes import partition_by_partition
from .render import Rendered, Stmt, bare_table, execute, final_name, render_operation, schema_arg
from .validation import repeated_index_rows_sql


def create_index(table: str, ix: Index, *, concurrently: bool) -> Stmt:
    """``op.create_index(...)`` with every PostgreSQL option the index uses."""
    plain = {k.column for k in ix.keys if k.column and not k.descending and not k.nulls}
    ops = column_key_options(ix)
    keys: list[Expr] = [Str(c) for c in ix.columns]
    if ix.keys:
        keys = [
            Str(key.column)
            if key.column is not None and key.column in plain
            else call("sa.text", Str(text_source(index_key_sql(ix, key))))
            for key in ix.keys
        ]
    return call(
        "op.create_index",
        final_name(ix.name),
        bare_table(table),
        pylist(keys),
        unique="True" if ix.unique else None,
        postgresql_nulls_not_distinct="True" if ix.nulls_not_distinct else None,
        postgresql_using=Str(ix.using) if ix.using != "btree" else None,
        postgresql_ops=pydict({c: Str(o) for c, o in ops.items()}) if ops else None,
        postgresql_where=call("sa.text", Str(text_source(ix.where))) if ix.where else None,
        postgresql_include=pylist([Str(c) for c in ix.include]) if ix.include else None,
        postgresql_concurrently="True" if concurrently else None,
        # Outside a transaction a failure leaves the others done: let a rerun pass.
        if_not_exists="True" if concurrently else None,
        schema=schema_arg(table),
    )


def create_index_sql(table: str, ix: Index, *, on_only: bool = False) -> str:
    """``CREATE INDEX`` of a table's index inside the transaction, every option said.

    ``on_only``: ``CREATE INDEX IF NOT EXISTS ... ON ONLY`` a partitioned table (its
    partitions get no index; see :mod:`schemagen.revision.partition_indexes`)."""
    if ix.keys:
        keys = [index_key_sql(ix, key) for key in ix.keys]
    else:
        ops = dict(ix.ops)
        keys = [quote_ident(c) + (f" {ops[c]}" if c in ops else "") for c in ix.columns]
    sql = f"CREATE {'UNIQUE ' if ix.unique else ''}INDEX "
    sql += "IF NOT EXISTS " if on_only else ""
    sql += f"{quote_ident(ix.name)} ON {'ONLY ' if on_only else ''}{quote_table(table)}"
    if ix.using != "btree":
        sql += f" USING {ix.using}"
    sql += f" ({', '.join(keys)})"
    if ix.include:
        sql += f" INCLUDE ({', '.join(quote_ident(c) for c in ix.include)})"
    if ix.nulls_not_distinct:
        sql += " NULLS NOT DISTINCT"
    if ix.where:
        sql += f" WHERE {ix.where}"
    return sql


@render_operation.register(CreateIndex)
def _(operation: CreateIndex, state: Schema) -> Rendered:
    if operation.partitioned:
        return partition_by_partition(
            operation, create_index_sql(operation.table, operation.index, on_only=True)
        )
    stmt = create_index(operation.table, operation.index, concurrently=operation.concurrently)
    # Rows that repeat a unique index's keys would fail the build with PostgreSQL's
    # "could not create unique index" (one key value; a concurrent build leaves an
    # INVALID index): searched for first, so that the failure names the index and
    # a query that lists them.
    find = (
        (execute(repeated_index_rows_sql(operation.table, operation.index)),)
        if operation.checks_rows
        else ()
    )
    if not operation.concurrently:
        return Rendered((*find, stmt))
    # A failed or killed concurrent build leaves an INVALID index that IF NOT
    # EXISTS would take for done: drop it first, so the build runs again.
    return Rendered(
        (drop_invalid_index(operation.index.name, operation.table), *find, stmt), autocommit=True
    )


def drop_invalid_index(name: str, table: str) -> Stmt:
    """``op.execute`` of :func:`drop_invalid_index_sql`."""
    return execute(drop_invalid_index_sql(name, table))


def drop_invalid_index_sql(name: str, table: str) -> str:
    """A DO block that drops index ``name`` of ``table``'s schema if it is INVALID.

    Plain ``DROP INDEX`` (CONCURRENTLY cannot run in a DO block): the index is
    empty of meaning, the lock it takes is brief and bounded by lock_timeout.
    """
    literal = sql_literal(name)
    pg_schema = naming.split_qualified(table)[0]
    namespace = sql_literal(pg_schema) if pg_schema else "current_schema()"
    return do_block(
        " BEGIN IF EXISTS (SELECT FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        f"WHERE c.relname = {literal} AND c.relnamespace = {namespace}::regnamespace "
        f"AND NOT i.indisvalid) THEN DROP INDEX {quote_table(naming.in_schema_of(table, name))}; "
        "END IF; END "
    )


@render_operation.register(DropIndex)
def _(operation: DropIndex, state: Schema) -> Rendered:
    if operation.partitioned:  # no DROP INDEX CONCURRENTLY of a partitioned table's index
        drop = call(
            "op.drop_index",
            final_name(operation.index.name),
            table_name=bare_table(operation.table),
            if_exists="True",
            schema=schema_arg(operation.table),
        )
        return Rendered((drop,), autocommit=True)
    stmt = drop_index(operation.table, operation.index, concurrently=operation.concurrently)
    return Rendered((stmt,), autocommit=operation.concurrently)


def drop_index(table: str, index: Index, *, concurrently: bool) -> Stmt:
    """``op.drop_index`` of ``index`` (``CONCURRENTLY IF EXISTS`` when ``concurrently``)."""
    return call(
        "op.drop_index",
        final_name(index.name),
        table_name=bare_table(table),
        postgresql_concurrently="True" if concurrently else None,
        if_exists="True" if concurrently else None,
        schema=schema_arg(table),
    )
