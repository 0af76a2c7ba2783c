"""Revision code for columns (registered on the dispatcher).

A column added (``sa.Column(...)`` as models.py declares it, a serial's ``OWNED
BY``), dropped, renamed (an identity's sequence with it) and altered: its type
(with ``USING`` where PostgreSQL needs it), nullability (lock-safe on a table
holding rows: a ``NOT VALID`` check first), default, comment, and the switch
between identity and serial with their sequences.
"""

from __future__ import annotations

import dataclasses

from ..model import naming
from ..model.schema import Column, ColumnType, IdentityOptions, Schema
from ..model.sequences import (
    identity_alter_sql,
    identity_kwargs,
    identity_name,
    identity_rename_sql,
    identity_sequence_of,
    identity_sql,
    narrowed_bounds,
    options_sql,
    owned_by_sql,
    serial_name,
    serial_of,
    switches_sequence,
)
from ..model.sqltext import default_sql, text_source
from ..model.storage import change_sql, settings_statements
from ..model.typemap import sa_type
from ..operations.retype import RetypeColumns
from ..operations.sqlutil import identity_sequence, quote_ident, quote_table, sql_literal
from ..operations.table import AddColumn, AlterColumn, DropColumn, RenameColumn
from ..operations.typechange import (
    IN_UTC,
    ZONE_RESTORED,
    converts_in_time_zone,
    needs_using,
    type_words,
    using_cast,
)
from ..util.pycode import Expr, Kw, Str, call
from .constraints import if_no_constraint
from .render import Stmt, bare_table, execute, render_operation, schema_arg
from .sequences import rename_sequence
from .validation import sequence_bounds_sql


def column_expr(col: Column, state: Schema) -> Expr:
    """``sa.Column(...)`` for a column, as models.py declares it."""
    args: list[Expr] = [Str(col.name), type_expr(col.type, state)]
    if col.identity and col.identity_options is None:
        args.append("sa.Identity(always=False)")
    elif col.identity:
        args.append(call("sa.Identity", **dict(identity_kwargs(col.identity_options))))
    if col.generated is not None:
        args.append(call("sa.Computed", Str(text_source(col.generated)), persisted="True"))
    return call(
        "sa.Column",
        *args,
        server_default=_server_default(col),
        nullable="False" if not col.nullable else "True",
        comment=Str(col.description) if col.description is not None else None,
    )


def type_expr(ct: ColumnType, state: Schema) -> Expr:
    """The SQLAlchemy type of a revision; enums as call trees so long ones can split."""
    if ct.domain is not None:
        return sa_type(ct, state, "alembic").expr
    if ct.kind == "enum" and ct.enum is not None:
        values = (Str(v) for v in state.enum(ct.enum).value_names)
        pg_schema, name = naming.split_qualified(ct.enum)
        return call(
            "postgresql.ENUM",
            *values,
            name=Str(name),
            create_type="False",
            schema=Str(pg_schema) if pg_schema else None,
            quote="True" if naming.type_needs_quotes(name) else None,
        )
    if ct.kind == "array" and ct.of is not None:
        return call("postgresql.ARRAY", type_expr(ct.of, state))
    return sa_type(ct, state, "alembic").expr


def _server_default(col: Column) -> Expr | None:
    sql = default_sql(col)
    return None if sql is None else call("sa.text", Str(text_source(sql)))


def _owned_sequences(table: str, columns: tuple[Column, ...]) -> list[Stmt]:
    """``ALTER SEQUENCE ... OWNED BY`` for each ``serial`` column, as ``serial`` does."""
    return [execute(owned_by_sql(serial_of(table, c))) for c in columns if c.serial]


@render_operation.register(AddColumn)
def _(operation: AddColumn, state: Schema) -> list[Stmt]:
    column, table = operation.column, operation.table
    add = call(
        "op.add_column", bare_table(table), column_expr(column, state), schema=schema_arg(table)
    )
    settings = [execute(sql) for sql in settings_statements(table, column)]
    named = [execute(identity_rename_sql(table, column))] if _named_identity(column) else []
    return [add, *named, *_owned_sequences(table, (column,)), *settings]


def _named_identity(col: Column) -> bool:
    """An identity column whose sequence has a name of its own (``identity: {name:}``)."""
    return col.identity and col.sequence_name is not None


@render_operation.register(DropColumn)
def _(operation: DropColumn, state: Schema) -> list[Stmt]:
    table = operation.table
    name = Str(operation.column.name)
    return [call("op.drop_column", bare_table(table), name, schema=schema_arg(table))]


@render_operation.register(RenameColumn)
def _(operation: RenameColumn, state: Schema) -> list[Stmt]:
    stmts: list[Stmt] = [
        call(
            "op.alter_column",
            bare_table(operation.table),
            Str(operation.old),
            new_column_name=Str(operation.new),
            schema=schema_arg(operation.table),
        )
    ]
    if operation.identity:
        stmts.append(
            rename_sequence(
                identity_sequence(operation.table, operation.old),
                identity_sequence(operation.table, operation.new),
            )
        )
    return stmts


def lock_safe_nullability(operation: AlterColumn) -> list[Stmt]:
    """Online steps, each idempotent. ``SET NOT NULL`` after a validated
    ``CHECK (col IS NOT NULL)`` (so PostgreSQL skips its scan under the
    exclusive lock), the NULLs backfilled first when there is a default."""
    table, col = quote_table(operation.table), quote_ident(operation.new.name)
    alter = f"ALTER TABLE {table}"
    if operation.new.nullable:
        return [execute(f"{alter} ALTER COLUMN {col} DROP NOT NULL")]
    check = not_null_check_name(operation.new.name)
    stmts: list[Stmt] = []
    if operation.backfills:
        fill = default_sql(operation.new)
        stmts.append(execute(f"UPDATE {table} SET {col} = {fill} WHERE {col} IS NULL"))
    return [
        *stmts,
        if_no_constraint(
            operation.table,
            check,
            f"{alter} ADD CONSTRAINT {quote_ident(check)} CHECK ({col} IS NOT NULL) NOT VALID",
        ),
        execute(f"{alter} VALIDATE CONSTRAINT {quote_ident(check)}"),
        execute(f"{alter} ALTER COLUMN {col} SET NOT NULL"),
        execute(f"{alter} DROP CONSTRAINT IF EXISTS {quote_ident(check)}"),
    ]


def not_null_check_name(column: str) -> str:
    """The temporary check of the ``SET NOT NULL`` recipe (at most 63 bytes)."""
    return f"schemagen_not_null_{column}"[:63]


@render_operation.register(AlterColumn)
def _(operation: AlterColumn, state: Schema) -> list[Stmt]:
    if operation.lock_safe:
        return lock_safe_nullability(operation)
    old, new = operation.old, operation.new
    stmts = _before_retype(operation)
    if old.type != new.type:
        # The values are converted in the session's TimeZone: in UTC, whoever deploys
        zoned = converts_in_time_zone(old.type, new.type)
        stmts += [execute(sql) for sql in IN_UTC] if zoned else []
        stmts.append(
            call(
                "op.alter_column",
                bare_table(operation.table),
                Str(new.name),
                type_=type_expr(new.type, state),
                existing_type=type_expr(old.type, state),
                postgresql_using=Str(using) if (using := _using(operation)) else None,
                schema=schema_arg(operation.table),
            )
        )
        stmts += [execute(ZONE_RESTORED)] if zoned else []
    return stmts + _after_retype(operation)


@render_operation.register(RetypeColumns)
def _(operation: RetypeColumns, state: Schema) -> list[Stmt]:
    """Each column's steps before its type change, then one ALTER TABLE with every
    ``ALTER COLUMN ... TYPE`` (PostgreSQL rewrites the table and makes its keys again
    once), then each column's steps after it."""
    alters = operation.alters
    stmts = [stmt for alter in alters for stmt in _before_retype(alter)]
    zoned = any(converts_in_time_zone(a.old.type, a.new.type) for a in alters)
    stmts += [execute(sql) for sql in IN_UTC] if zoned else []
    clauses = []
    for alter in alters:
        using = _using(alter)
        clause = f"ALTER COLUMN {quote_ident(alter.new.name)} TYPE {type_words(alter.new.type)}"
        clauses.append(f"{clause} USING {using}" if using else clause)
    stmts.append(execute(f"ALTER TABLE {quote_table(operation.table)} {', '.join(clauses)}"))
    stmts += [execute(ZONE_RESTORED)] if zoned else []
    return stmts + [stmt for alter in alters for stmt in _after_retype(alter)]


def _using(operation: AlterColumn) -> str | None:
    """The user's ``using:``, else the cast PostgreSQL needs (none where it has one)."""
    old, new = operation.old.type, operation.new.type
    if operation.using is None and needs_using(old, new):
        return using_cast(operation.new.name, old, new)
    return operation.using


def _before_retype(operation: AlterColumn) -> list[Stmt]:
    """An identity dropped or a serial's sequence made, and a default that may not
    cast to the new type dropped (set again after)."""
    old, new, table = operation.old, operation.new, operation.table
    stmts = _sequences_before(table, old, new)
    if old.type != new.type and old.default is not None:
        target = (bare_table(table), Str(new.name))
        stmts.append(
            call("op.alter_column", *target, server_default="None", schema=schema_arg(table))
        )
    return stmts


def _after_retype(operation: AlterColumn) -> list[Stmt]:
    """The declared storage again, NULLs backfilled, nullability, default, comment,
    and the sequences."""
    old, new, table = operation.old, operation.new, operation.table
    retype = old.type != new.type
    stmts: list[Stmt] = []
    # PostgreSQL gives the column its new type's storage: the declared one again
    if retype and new.storage is not None:
        stmts += [execute(change_sql(table, new, (None, None), (None, new.storage)))]
    if operation.backfills:
        # SET NOT NULL checks every row: give the NULLs the default first (a
        # column default only fills inserts that leave the column out).
        col = quote_ident(new.name)
        stmts.append(
            execute(
                f"UPDATE {quote_table(table)} SET {col} = {default_sql(new)} WHERE {col} IS NULL"
            )
        )
    rest = _alter_rest(old, new, retype)
    if rest:
        target = (bare_table(table), Str(new.name))
        stmts.append(call("op.alter_column", *target, *rest, schema=schema_arg(table)))
    return stmts + _sequences_after(table, old, new)


def _sequences_before(table: str, old: Column, new: Column) -> list[Stmt]:
    """An identity dropped, and a serial column's sequence made where it replaces
    the identity's sequence of the same name (identity -> serial)."""
    stmts: list[Stmt] = []
    if old.identity and not new.identity:
        stmts.append(_identity_sql(table, new.name, add=False))
    if switches_sequence(old, new) and new.serial:
        seq = serial_of(table, new)
        stmts.append(execute(f"CREATE SEQUENCE {quote_table(seq.name)} {options_sql(seq)}"))
    return stmts


def _sequences_after(table: str, old: Column, new: Column) -> list[Stmt]:
    """Once the default is set or gone: the serial sequence dropped where an identity
    takes its name (serial -> identity), identity options, a new serial's OWNED BY,
    a new identity; a new sequence goes on after the largest value in the table."""
    stmts: list[Stmt] = []
    if switches_sequence(old, new) and old.serial:
        stmts.append(execute(f"DROP SEQUENCE {quote_table(serial_of(table, old).name)}"))
    if new.identity and old.identity and new.identity_options != old.identity_options:
        bounds = narrowed_bounds(identity_sequence_of(old), identity_sequence_of(new))
        if bounds:
            # past a new bound already: say which sequence, where it is and what to do
            t, c = sql_literal(quote_table(table)), sql_literal(new.name)
            seq = f"pg_get_serial_sequence({t}, {c})"
            stmts.append(execute(sequence_bounds_sql(seq, bounds)))
        alter = f"ALTER TABLE {quote_table(table)} ALTER COLUMN {quote_ident(new.name)}"
        stmts.append(execute(f"{alter} {identity_alter_sql(new.identity_options, new.type.kind)}"))
    if new.serial and not old.serial:
        stmts += _owned_sequences(table, (new,))
        stmts.append(_past_max(table, new.name))
    if new.identity and not old.identity:
        named = identity_name(table, new)
        stmts.append(_identity_sql(table, new.name, add=True, options=new.identity_options,
                                   sequence=named))
        stmts.append(_past_max(table, new.name))
    if new.identity and old.identity and old.sequence_name != new.sequence_name:
        stmts.append(_rename_identity_sequence(table, old, new))
    return stmts


def _rename_identity_sequence(table: str, old: Column, new: Column) -> Stmt:
    """An identity's sequence given another name: where it is now is ``old``'s own name
    (a table or column rename leaves it), else PostgreSQL's for the column as renamed
    (RenameTable and RenameColumn renamed it so); to ``new``'s."""
    now = serial_name(table, dataclasses.replace(old, name=new.name))
    then = serial_name(table, new)
    bare = quote_ident(then.rsplit(".", 1)[-1])
    return execute(f"ALTER SEQUENCE {quote_table(now)} RENAME TO {bare}")


def _past_max(table: str, column: str) -> Stmt:
    """The new sequence starts at 1; move it past the ids the rows already hold."""
    t, c = sql_literal(quote_table(table)), sql_literal(column)
    return execute(
        f"SELECT setval(pg_get_serial_sequence({t}, {c}), "
        f"coalesce(max({quote_ident(column)}), 0) + 1, false) FROM {quote_table(table)}"
    )


def _alter_rest(old: Column, new: Column, retype: bool) -> list[Expr]:
    kws: list[Expr] = []
    if old.nullable != new.nullable:
        kws.append(Kw("nullable", str(new.nullable)))
    if old.default != new.default or (retype and old.default is not None):
        kws.append(Kw("server_default", _server_default(new) or "None"))
    if old.description != new.description:
        comment = Str(new.description) if new.description is not None else "None"
        kws.append(Kw("comment", comment))
        if old.description is not None:
            kws.append(Kw("existing_comment", Str(old.description)))
    return kws


def _identity_sql(
    table: str,
    column: str,
    *,
    add: bool,
    options: IdentityOptions | None = None,
    sequence: str | None = None,
) -> Stmt:
    alter = f"ALTER TABLE {quote_table(table)} ALTER COLUMN {quote_ident(column)}"
    action = f"ADD {identity_sql(options, sequence)}" if add else "DROP IDENTITY"
    return execute(f"{alter} {action}")
