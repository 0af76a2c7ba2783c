"""Render operations as Alembic code, by dispatch on the operation type.

Each renderer gets the operation and the schema state just before it (a DDL
view; enum columns need their type's values) and returns statements as
:mod:`schemagen.util.pycode` expressions, laid out the way ``ruff format`` would. A
missing renderer is a loud error. Every name passes through ``op.f()`` so that
the metadata's naming convention never rewrites a final name.
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from ..model import naming, routinesql, security
from ..model.routines import Trigger, View, view_order
from ..model.schema import (
    CheckConstraint,
    Column,
    ColumnType,
    ExcludeConstraint,
    ForeignKey,
    IdentityOptions,
    Index,
    Schema,
    UniqueConstraint,
)
from ..model.sequences import (
    alter_sql,
    identity_alter_sql,
    identity_kwargs,
    identity_sql,
    options_sql,
    owned_by_sql,
    serial_of,
    switches_sequence,
)
from ..model.sqltext import (
    column_key_options,
    default_sql,
    deferral_sql,
    exclude_sql,
    index_key_sql,
    not_valid_check_sql,
    text_source,
)
from ..model.typemap import sa_type
from ..operations.base import Operation
from ..operations.constraint import (
    AddConstraint,
    AlterForeignKeyDeferral,
    AlterUniqueDeferral,
    Constraint,
    CreateIndex,
    DropConstraint,
    DropIndex,
    PrebuildUniqueIndex,
    RenameConstraint,
    ReplaceCheck,
    ReplaceForeignKey,
    ReplaceUnique,
    not_validated,
)
from ..operations.schema import (
    AddEnumValue,
    CreateEnum,
    CreateExtension,
    CreateSchema,
    DropEnum,
    DropEnumValue,
    DropExtension,
    DropSchema,
    EnumUsage,
    MoveEnum,
    ReplaceEnum,
)
from ..operations.sequence import (
    AlterSequence,
    CreateSequence,
    DropSequence,
    MoveSequence,
    RenameSequence,
)
from ..operations.sqlutil import (
    identity_sequence,
    quote_ident,
    quote_table,
    quote_type,
    sql_literal,
)
from ..operations.table import (
    AddColumn,
    AddPrimaryKey,
    AlterColumn,
    AlterTableComment,
    DropColumn,
    DropPrimaryKey,
    DropTable,
    RenameColumn,
    RenameTable,
)
from ..operations.typechange import (
    IN_UTC,
    ZONE_RESTORED,
    converts_in_time_zone,
    needs_using,
    using_cast,
)
from ..util.pycode import (
    INDENT,
    LINE_LIMIT,
    Expr,
    Kw,
    Str,
    call,
    comment_text,
    layout,
    pydict,
    pylist,
)
from .validation import repeated_rows_sql, validate_check_sql, validate_foreign_key_sql

Stmt = Expr  # one statement; a ``str`` starting with "#" is a comment


@dataclass(frozen=True)
class Guarded:
    """Statements run only where ``query`` (SQL giving one boolean) is true on the
    database: a step that a rerun must skip and that no SQL can make conditional
    (``DETACH PARTITION ... CONCURRENTLY`` runs in no transaction, so in no DO
    block). ``alembic upgrade --sql`` writes them out unguarded."""

    query: str
    statements: tuple[Stmt, ...]


@dataclass(frozen=True)
class Rendered:
    """The statements of one operation, and whether they run outside the transaction."""

    statements: tuple[Stmt | Guarded, ...]
    autocommit: bool = False


def render_body(ops: tuple[Operation, ...], state: Schema, *, online: bool = False) -> list[str]:
    """Lines of a function body (indented) for ``ops`` applied from ``state``.

    ``online``: the body of an online revision (:mod:`schemagen.operations.stages`),
    one ``autocommit_block`` in which every statement commits on its own; else
    the body of a transactional revision, which must hold no online operation.
    A destructive operation is preceded by a comment.
    """
    lines: list[str] = []
    indent = INDENT * (2 if online else 1)
    if online:
        lines.append(f"{INDENT}with op.get_context().autocommit_block():")
    for operation in ops:
        if operation.online != online:
            where = "an online" if online else "a transactional"
            raise ValueError(f"{operation.describe()!r} cannot run in {where} revision")
        rendered = render(operation, state)
        state = operation.apply(state)
        risk = operation.risk()
        if risk:
            lines += _comment_lines(f"DESTRUCTIVE: {risk}", indent)
        for stmt in rendered.statements:
            lines.extend(_statement_lines(stmt, indent))
    body = lines[1:] if online else lines
    if not any(not line.strip().startswith("#") for line in body):
        lines.append(f"{indent}pass")
    return lines


def _statement_lines(stmt: Stmt | Guarded, indent: str) -> list[str]:
    if not isinstance(stmt, Guarded):
        return layout(stmt, indent)
    check = call("op.get_bind().scalar", call("sa.text", Str(text_source(stmt.query))))
    lines = layout(check, indent, prefix="needed = op.get_context().as_sql or ")
    lines.append(f"{indent}if needed:")
    for inner in stmt.statements:
        lines.extend(layout(inner, indent + INDENT))
    return lines


def render(operation: Operation, state: Schema) -> Rendered:
    """Render one operation (dispatching on its type)."""
    rendered = _render(operation, state)
    if isinstance(rendered, Rendered):
        return rendered
    return Rendered(tuple(rendered))


@functools.singledispatch
def _render(operation: Operation, state: Schema) -> Rendered | Sequence[Stmt | Guarded]:
    raise TypeError(f"no revision renderer for {type(operation).__name__}")


def _comment_lines(text: str, indent: str) -> list[str]:
    """``# text`` wrapped to the line limit; continuation lines indented by two."""
    words = comment_text(text)
    width = max(LINE_LIMIT - len(indent) - 2, 40)
    wrapped = textwrap.wrap(words, width=width, subsequent_indent="  ", break_long_words=False)
    return [f"{indent}# {line}" for line in wrapped]


def _name(name: str) -> Expr:
    return call("op.f", Str(name))


def _bare(table: str) -> Str:
    """A table's name without its PostgreSQL schema (that goes to ``schema=``)."""
    return Str(_bare_name(table))


def _bare_name(name: str) -> str:
    return naming.split_qualified(name)[1]


def _schema(table: str) -> Str | None:
    """``schema=`` of an Alembic call: the table's PostgreSQL schema, if not the default."""
    pg_schema = naming.split_qualified(table)[0]
    return Str(pg_schema) if pg_schema else None


def execute(sql: str) -> Stmt:
    """``op.execute("...")``, with colons escaped so ``text()`` sees no bind parameter."""
    return call("op.execute", Str(text_source(sql)))


# --- schema level -------------------------------------------------------------


@_render.register(CreateSchema)
def _(operation: CreateSchema, state: Schema) -> list[Stmt]:
    return [execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(operation.name)}")]


@_render.register(DropSchema)
def _(operation: DropSchema, state: Schema) -> list[Stmt]:
    return [execute(f"DROP SCHEMA IF EXISTS {quote_ident(operation.name)}")]


@_render.register(CreateExtension)
def _(operation: CreateExtension, state: Schema) -> list[Stmt]:
    return [execute(f"CREATE EXTENSION IF NOT EXISTS {quote_ident(operation.name)}")]


@_render.register(DropExtension)
def _(operation: DropExtension, state: Schema) -> list[Stmt]:
    return [execute(f"DROP EXTENSION IF EXISTS {quote_ident(operation.name)}")]


def _enum_values_sql(values: tuple[str, ...]) -> str:
    return ", ".join(sql_literal(v) for v in values)


@_render.register(CreateSequence)
def _(operation: CreateSequence, state: Schema) -> list[Stmt]:
    seq = operation.sequence
    return [execute(f"CREATE SEQUENCE {quote_table(seq.name)} {options_sql(seq)}")]


@_render.register(DropSequence)
def _(operation: DropSequence, state: Schema) -> list[Stmt]:
    seq = operation.sequence
    # A serial column's sequence went with its column or table if they were dropped.
    exists = " IF EXISTS" if seq.owned_by is not None else ""
    return [execute(f"DROP SEQUENCE{exists} {quote_table(seq.name)}")]


@_render.register(AlterSequence)
def _(operation: AlterSequence, state: Schema) -> list[Stmt]:
    new = operation.new
    return [execute(f"ALTER SEQUENCE {quote_table(new.name)} {alter_sql(new)}")]


@_render.register(RenameSequence)
def _(operation: RenameSequence, state: Schema) -> list[Stmt]:
    # keeps the current value; the column's nextval default names it by OID
    return [_rename_sequence(operation.old, operation.new)]


@_render.register(MoveSequence)
def _(operation: MoveSequence, state: Schema) -> list[Stmt]:
    # keeps the current value; nextval defaults name the sequence by OID and follow
    target = quote_ident(operation.target_schema)
    return [execute(f"ALTER SEQUENCE {quote_table(operation.old)} SET SCHEMA {target}")]


@_render.register(CreateEnum)
def _(operation: CreateEnum, state: Schema) -> list[Stmt]:
    en = operation.enum
    return [
        execute(
            f"CREATE TYPE {quote_type(en.db_name)} AS ENUM ({_enum_values_sql(en.value_names)})"
        )
    ]


@_render.register(DropEnum)
def _(operation: DropEnum, state: Schema) -> list[Stmt]:
    return [execute(f"DROP TYPE {quote_type(operation.enum.db_name)}")]


@_render.register(MoveEnum)
def _(operation: MoveEnum, state: Schema) -> list[Stmt]:
    target = quote_ident(operation.target_schema)
    return [execute(f"ALTER TYPE {quote_type(operation.old)} SET SCHEMA {target}")]


@_render.register(AddEnumValue)
def _(operation: AddEnumValue, state: Schema) -> Rendered:
    where = ""
    if operation.before is not None:
        where = f" BEFORE {sql_literal(operation.before)}"
    elif operation.after is not None:
        where = f" AFTER {sql_literal(operation.after)}"
    sql = (
        f"ALTER TYPE {quote_type(operation.enum)} ADD VALUE IF NOT EXISTS "
        f"{sql_literal(operation.value)}{where}"
    )
    # A value added in a transaction cannot be used before it commits: the
    # enum-values revision holds these alone (operations.stages).
    return Rendered((execute(sql),))


@_render.register(DropEnumValue)
def _(operation: DropEnumValue, state: Schema) -> list[Stmt]:
    return swap_enum(operation.enum, operation.remaining, operation.usages, state)


@_render.register(ReplaceEnum)
def _(operation: ReplaceEnum, state: Schema) -> list[Stmt]:
    return swap_enum(operation.enum, operation.new_values, operation.usages, state)


def swap_enum(
    enum: str, values: tuple[str, ...], usages: tuple[EnumUsage, ...], state: Schema
) -> list[Stmt]:
    """Rebuild an enum type: rename the old one, create the new, cast each column, drop.

    PostgreSQL refuses to change the type of a column that a view reads, a
    trigger's ``WHEN`` or a policy's expression names, so those (as ``state`` has
    them at this point of the revision, upgrade or downgrade) are dropped first
    and made again last.
    """
    tables = {use.table for use in usages}
    views, triggers = enum_dependents(state, tables)
    policies = [p for p in state.policies if security.reads_any(p, tables)]
    old = f"{enum}__old"
    stmts: list[Stmt] = [execute(security.drop_policy(p)) for p in policies]
    stmts += [execute(routinesql.drop_trigger(tg)) for tg in triggers]
    stmts += [execute(routinesql.drop_view(view)) for view in reversed(views)]
    stmts += [
        execute(f"ALTER TYPE {quote_type(enum)} RENAME TO {quote_ident(_bare_name(old))}"),
        execute(f"CREATE TYPE {quote_type(enum)} AS ENUM ({_enum_values_sql(values)})"),
    ]
    indexes = {(u.table, ix.name): (u.table, ix) for u in usages for ix in u.indexes}
    checks = {(u.table, ck.name): (u.table, ck) for u in usages for ck in u.checks}
    stmts += [_drop_index(table, ix, concurrently=False) for table, ix in indexes.values()]
    stmts += [_drop_constraint(table, ck) for table, ck in checks.values()]
    for use in usages:
        alter = f"ALTER TABLE {quote_table(use.table)} ALTER COLUMN {quote_ident(use.column)}"
        target = quote_type(enum) + ("[]" if use.array else "")
        through = "::text[]" if use.array else "::text"
        if use.default_sql is not None:
            stmts.append(execute(f"{alter} DROP DEFAULT"))
        stmts.append(
            execute(f"{alter} TYPE {target} USING {quote_ident(use.column)}{through}::{target}")
        )
        if use.default_sql is not None:
            stmts.append(execute(f"{alter} SET DEFAULT {use.default_sql}"))
    stmts += [_add_constraint(table, ck) for table, ck in checks.values()]
    stmts += [create_index(table, ix, concurrently=False) for table, ix in indexes.values()]
    stmts.append(execute(f"DROP TYPE {quote_type(old)}"))
    stmts += [execute(sql) for view in views for sql in routinesql.view_statements(view)]
    stmts += [execute(sql) for tg in triggers for sql in routinesql.trigger_statements(tg)]
    stmts += [execute(sql) for p in policies for sql in security.policy_statements(p)]
    return stmts


def enum_dependents(state: Schema, tables: set[str]) -> tuple[list[View], list[Trigger]]:
    """The views that read ``tables`` (or such a view, at any depth), in creation
    order, and the triggers on ``tables`` with a ``WHEN`` condition."""
    reading = set(tables)
    views: list[View] = []
    for view in view_order(list(state.views)):
        if reading & set(view.reads):
            views.append(view)
            reading.add(view.view)
    triggers = [tg for tg in state.triggers if tg.table in tables and tg.when is not None]
    return views, triggers


# --- tables and columns ---------------------------------------------------------


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


@_render.register(DropTable)
def _(operation: DropTable, state: Schema) -> list[Stmt]:
    table = operation.entity.table
    return [call("op.drop_table", _bare(table), schema=_schema(table))]


def _rename_sequence(old: str, new: str) -> Stmt:
    return execute(f"ALTER SEQUENCE {quote_table(old)} RENAME TO {quote_ident(_bare_name(new))}")


@_render.register(RenameTable)
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
        old = naming.in_schema_of(new, _bare_name(old))
    if old == new:
        return stmts
    stmts.append(call("op.rename_table", _bare(old), _bare(new), schema=_schema(new)))
    stmts += [
        _rename_sequence(identity_sequence(old, col), identity_sequence(new, col))
        for col in operation.identity_columns
    ]
    return stmts


@_render.register(AlterTableComment)
def _(operation: AlterTableComment, state: Schema) -> list[Stmt]:
    existing = Str(operation.old) if operation.old is not None else None
    if operation.new is None:
        return [
            call(
                "op.drop_table_comment",
                _bare(operation.table),
                existing_comment=existing,
                schema=_schema(operation.table),
            )
        ]
    return [
        call(
            "op.create_table_comment",
            _bare(operation.table),
            Str(operation.new),
            existing_comment=existing,
            schema=_schema(operation.table),
        )
    ]


@_render.register(AddColumn)
def _(operation: AddColumn, state: Schema) -> list[Stmt]:
    column, table = operation.column, operation.table
    add = call("op.add_column", _bare(table), column_expr(column, state), schema=_schema(table))
    return [add, *_owned_sequences(table, (column,))]


@_render.register(DropColumn)
def _(operation: DropColumn, state: Schema) -> list[Stmt]:
    table = operation.table
    return [call("op.drop_column", _bare(table), Str(operation.column.name), schema=_schema(table))]


@_render.register(RenameColumn)
def _(operation: RenameColumn, state: Schema) -> list[Stmt]:
    stmts: list[Stmt] = [
        call(
            "op.alter_column",
            _bare(operation.table),
            Str(operation.old),
            new_column_name=Str(operation.new),
            schema=_schema(operation.table),
        )
    ]
    if operation.identity:
        stmts.append(
            _rename_sequence(
                identity_sequence(operation.table, operation.old),
                identity_sequence(operation.table, operation.new),
            )
        )
    return stmts


@_render.register(DropPrimaryKey)
def _(operation: DropPrimaryKey, state: Schema) -> list[Stmt]:
    pk = operation.primary_key
    table = operation.table
    return [
        call(
            "op.drop_constraint",
            _name(pk.name),
            _bare(table),
            type_=Str("primary"),
            schema=_schema(table),
        )
    ]


@_render.register(AddPrimaryKey)
def _(operation: AddPrimaryKey, state: Schema) -> list[Stmt]:
    pk = operation.primary_key
    guard = [execute(_key_rows_sql(operation))] if operation.keyless else []
    return guard + [
        call(
            "op.create_primary_key",
            _name(pk.name),
            _bare(operation.table),
            pylist([Str(c) for c in pk.columns]),
            schema=_schema(operation.table),
        )
    ]


def _key_rows_sql(operation: AddPrimaryKey) -> str:
    """A check before a primary key is added to a table that had none: its rows
    were never held unique, and PostgreSQL's own failure ("could not create unique
    index") names neither the key nor what to do. This one says which key, which
    columns, one repeated value, and how to go on."""
    pk, table = operation.primary_key, quote_table(operation.table)
    cols = ", ".join(quote_ident(c) for c in pk.columns)
    row = cols if len(pk.columns) == 1 else f"ROW({cols})"
    nulls = " OR ".join(f"{quote_ident(c)} IS NULL" for c in pk.columns)
    what = f"cannot add primary key {pk.name} to {operation.table}: "
    shown = ", ".join(pk.columns)
    null_text = sql_literal(f"{what}a row holds NULL in ({shown})")
    repeat_text = sql_literal(f"{what}more than one row has ({shown}) = ")
    hint = sql_literal(
        "delete or change those rows (or keep primary_key: false), then upgrade again"
    )
    return (
        "DO $$\nDECLARE\n    repeated text;\nBEGIN\n"
        f"    IF EXISTS (SELECT FROM {table} WHERE {nulls}) THEN\n"
        f"        RAISE EXCEPTION USING MESSAGE = {null_text}, HINT = {hint};\n"
        "    END IF;\n"
        f"    SELECT CAST({row} AS text) INTO repeated FROM {table} GROUP BY {cols} "
        "HAVING count(*) > 1 LIMIT 1;\n"
        "    IF repeated IS NOT NULL THEN\n"
        f"        RAISE EXCEPTION USING MESSAGE = {repeat_text} || repeated, HINT = {hint};\n"
        "    END IF;\nEND $$"
    )


# --- constraints and indexes ------------------------------------------------------

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


@_render.register(AddConstraint)
def _(operation: AddConstraint, state: Schema) -> list[Stmt]:
    table, c = operation.table, operation.constraint
    if operation.lock_safe:
        return lock_safe_constraint(table, c)
    if isinstance(c, UniqueConstraint):
        # Built under the transaction's lock (a partitioned table's, one a new
        # table's foreign key needs at once, one added back around a retype): rows
        # that repeat its columns are searched for first, as a swap in the
        # transaction does, so that the failure names the constraint and a query
        # that lists them rather than PostgreSQL's "could not create unique index".
        return [execute(repeated_rows_sql(table, c, "false")), _add_constraint(table, c)]
    return [_add_constraint(table, c)]


def if_no_constraint(table: str, name: str, sql: str) -> Stmt:
    """``sql``, run only while ``table`` has no constraint ``name`` (a rerun skips it)."""
    return execute(
        "DO $schemagen$ BEGIN IF NOT EXISTS (SELECT FROM pg_constraint WHERE conrelid = "
        f"{sql_literal(quote_table(table))}::regclass AND conname = {sql_literal(name)}) "
        f"THEN {sql}; END IF; END $schemagen$"
    )


def lock_safe_constraint(table: str, c: Constraint) -> list[Stmt]:
    """The online steps that add ``c`` to a table holding rows, each idempotent:
    a unique as a concurrent unique index attached with ``USING INDEX``; a
    foreign key or check ``NOT VALID``, then validated in its own transaction."""
    alter = f"ALTER TABLE {quote_table(table)}"
    name = quote_ident(c.name)
    if isinstance(c, ExcludeConstraint):
        return [_add_exclude(table, c)]  # no NOT VALID for an exclusion: built under the lock
    if isinstance(c, UniqueConstraint):
        return [
            drop_invalid_index(c.name, table),
            execute(repeated_rows_sql(table, c, _unique_in_place(table, c))),
            execute(_unique_index_sql(table, c.name, c)),
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


def _unique_index_sql(table: str, index: str, uq: UniqueConstraint) -> str:
    """The concurrent build of ``uq``'s unique index, named ``index``."""
    cols = ", ".join(quote_ident(col) for col in uq.columns)
    return (
        f"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {quote_ident(index)} "
        f"ON {quote_table(table)} ({cols})"
    )


def _unique_in_place(table: str, uq: UniqueConstraint) -> str:
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


def _add_constraint(table_name: str, c: Constraint) -> Stmt:
    if isinstance(c, ExcludeConstraint):
        return _add_exclude(table_name, c)
    if isinstance(c, CheckConstraint) and not c.validated:
        return execute(not_valid_check_sql(table_name, c))
    if isinstance(c, ForeignKey) and not c.validated:
        return execute(not_valid_key_sql(table_name, c))
    table, schema = _bare(table_name), _schema(table_name)
    if isinstance(c, ForeignKey):
        return call(
            "op.create_foreign_key",
            _name(c.name),
            table,
            _bare(c.ref_table),
            pylist([Str(x) for x in c.columns]),
            pylist([Str(x) for x in c.ref_columns]),
            ondelete=Str(c.on_delete) if c.on_delete else None,
            onupdate=Str(c.on_update) if c.on_update else None,
            deferrable="True" if c.deferrable else None,
            initially=Str("DEFERRED") if c.initially_deferred else None,
            match=Str(c.match) if c.match else None,
            source_schema=schema,
            referent_schema=_schema(c.ref_table),
        )
    if isinstance(c, UniqueConstraint):
        return call(
            "op.create_unique_constraint",
            _name(c.name),
            table,
            pylist([Str(x) for x in c.columns]),
            schema=schema,
            deferrable="True" if c.deferrable else None,
            initially=Str("DEFERRED") if c.initially_deferred else None,
        )
    return call(
        "op.create_check_constraint",
        _name(c.name),
        table,
        Str(text_source(c.expression)),
        schema=schema,
    )


@_render.register(DropConstraint)
def _(operation: DropConstraint, state: Schema) -> list[Stmt]:
    if operation.lock_safe:
        name = quote_ident(operation.constraint.name)
        return [
            execute(f"ALTER TABLE {quote_table(operation.table)} DROP CONSTRAINT IF EXISTS {name}")
        ]
    return [_drop_constraint(operation.table, operation.constraint)]


@_render.register(ReplaceForeignKey)
def _(operation: ReplaceForeignKey, state: Schema) -> list[Stmt]:
    # One statement, so one transaction: the old key is gone only where the new
    # one, NOT VALID, already checks every row written. A rerun swaps again (the
    # same brief locks) and validates: the same end whichever key it finds (under
    # a new name, the new one is dropped too, so that it can be added again).
    alter = f"ALTER TABLE {quote_table(operation.table)}"
    name = quote_ident(operation.new.name)
    # (validated: false: the swap alone; false -> true: VALIDATE alone)
    if operation.validates_only:
        return [validate_constraint(operation.table, operation.new)]
    drops = "".join(
        f"DROP CONSTRAINT IF EXISTS {quote_ident(n)}, "
        for n in dict.fromkeys((operation.old.name, operation.new.name))
    )
    swap = execute(
        f"{alter} {drops}ADD CONSTRAINT {name} {constraint_sql(operation.new)} NOT VALID"
    )
    if not operation.new.validated:
        return [swap]
    return [swap, validate_constraint(operation.table, operation.new)]


@_render.register(AlterForeignKeyDeferral)
def _(operation: AlterForeignKeyDeferral, state: Schema) -> list[Stmt]:
    # Both words always said: ALTER CONSTRAINT sets what it is not told to its default.
    fk = operation.new
    deferrable = "DEFERRABLE" if fk.deferrable or fk.initially_deferred else "NOT DEFERRABLE"
    initially = "DEFERRED" if fk.initially_deferred else "IMMEDIATE"
    return [
        execute(
            f"ALTER TABLE {quote_table(operation.table)} ALTER CONSTRAINT "
            f"{quote_ident(fk.name)} {deferrable} INITIALLY {initially}"
        )
    ]


@_render.register(ReplaceCheck)
def _(operation: ReplaceCheck, state: Schema) -> list[Stmt]:
    # as a foreign key's swap: one statement, then VALIDATE; a rerun swaps again
    # (validated: false: the swap alone; false -> true: VALIDATE alone)
    if operation.validates_only:
        return [validate_constraint(operation.table, operation.new)]
    alter = f"ALTER TABLE {quote_table(operation.table)}"
    name = quote_ident(operation.new.name)
    swap = execute(
        f"{alter} DROP CONSTRAINT IF EXISTS {name}, "
        f"ADD CONSTRAINT {name} {constraint_sql(operation.new)} NOT VALID"
    )
    if not operation.new.validated:
        return [swap]
    return [swap, validate_constraint(operation.table, operation.new)]


@_render.register(ReplaceUnique)
def _(operation: ReplaceUnique, state: Schema) -> list[Stmt | Guarded]:
    old, new = operation.old, operation.new
    alter = f"ALTER TABLE {quote_table(operation.table)} DROP CONSTRAINT"
    if operation.prebuilt == "new":
        # its index built and searched before the transaction (PrebuildUniqueIndex):
        # attached, no scan under the lock
        return [
            execute(
                f"{alter} {quote_ident(old.name)}, ADD CONSTRAINT {quote_ident(new.name)} "
                f"UNIQUE USING INDEX {quote_ident(operation.index)}{deferral_sql(new)}"
            )
        ]
    if not operation.lock_safe:
        # Rows that repeat the new columns would fail the build with
        # PostgreSQL's "could not create unique index" (one key value): they are
        # searched for first, so that the failure names the constraint and a
        # query that lists them; the transaction rolls back, the old one holds.
        cols = ", ".join(quote_ident(c) for c in new.columns)
        table = operation.table
        find = (
            [execute(repeated_rows_sql(table, new, _unique_in_place(table, new), held_by=old))]
            if operation.checks_rows
            else []
        )
        return [
            *find,
            execute(
                f"{alter} {quote_ident(old.name)}, ADD CONSTRAINT {quote_ident(new.name)} "
                f"UNIQUE ({cols}){deferral_sql(new)}"
            ),
        ]
    # The new index is built while the old constraint holds, then one statement
    # drops the old and attaches the new: no moment without either. Every step
    # asks whether the swap is done (the new name over the new columns), so a
    # rerun after a failure anywhere skips what is done and never builds the
    # index again once it was attached (under one name, as the old's).
    table, index = operation.table, operation.index
    done = _unique_in_place(table, new)
    swap = (
        f"{alter} IF EXISTS {quote_ident(old.name)}, ADD CONSTRAINT {quote_ident(new.name)} "
        f"UNIQUE USING INDEX {quote_ident(index)}{deferral_sql(new)}"
    )
    return [
        *_swap_index_build(operation, done),
        execute(f"DO $schemagen$ BEGIN IF NOT {done} THEN {swap}; END IF; END $schemagen$"),
    ]


def _swap_index_build(operation: ReplaceUnique, done: str | None) -> list[Stmt | Guarded]:
    """The idempotent steps that build a swap's new unique index concurrently
    while the old constraint holds: an INVALID leftover dropped, the rows searched
    for repeats (unless the new columns hold the old ones), the build; each
    skipped once ``done`` (SQL: the swap is made; None: it cannot be yet)."""
    table, index, new = operation.table, operation.index, operation.new
    steps: list[Stmt | Guarded] = [drop_invalid_index(index, table)]
    if operation.checks_rows:
        unless = done or "false"
        steps.append(execute(repeated_rows_sql(table, new, unless, held_by=operation.old)))
    build = execute(_unique_index_sql(table, index, new))
    return [*steps, build if done is None else Guarded(f"SELECT NOT {done}", (build,))]


@_render.register(PrebuildUniqueIndex)
def _(operation: PrebuildUniqueIndex, state: Schema) -> list[Stmt | Guarded]:
    # Before the main transaction, which attaches it: the old constraint and its
    # columns still there, under the previous revision's names.
    swap = operation.swap
    if operation.undo:
        name = quote_table(naming.in_schema_of(swap.table, swap.index))
        return [execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")]
    return _swap_index_build(swap, None)


@_render.register(AlterUniqueDeferral)
def _(operation: AlterUniqueDeferral, state: Schema) -> list[Stmt]:
    return [
        _drop_constraint(operation.table, operation.old),
        _add_constraint(operation.table, operation.new),
    ]


def _drop_constraint(table: str, constraint: Constraint) -> Stmt:
    if isinstance(constraint, ExcludeConstraint):
        # Alembic's drop_constraint knows no "exclude" type; the SQL is the same.
        name = quote_ident(constraint.name)
        return execute(f"ALTER TABLE {quote_table(table)} DROP CONSTRAINT {name}")
    kind = _CONSTRAINT_TYPES[type(constraint)]
    return call(
        "op.drop_constraint",
        _name(constraint.name),
        _bare(table),
        type_=Str(kind),
        schema=_schema(table),
    )


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
        _name(ix.name),
        _bare(table),
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
        schema=_schema(table),
    )


@_render.register(CreateIndex)
def _(operation: CreateIndex, state: Schema) -> Rendered:
    stmt = create_index(operation.table, operation.index, concurrently=operation.concurrently)
    if not operation.concurrently:
        return Rendered((stmt,))
    # A failed or killed concurrent build leaves an INVALID index that IF NOT
    # EXISTS would take for done: drop it first, so the build runs again.
    return Rendered(
        (drop_invalid_index(operation.index.name, operation.table), stmt), autocommit=True
    )


def drop_invalid_index(name: str, table: str) -> Stmt:
    """A DO block that drops index ``name`` of ``table``'s schema if it is INVALID.

    Plain ``DROP INDEX`` (CONCURRENTLY cannot run in a DO block): the index is
    empty of meaning, the lock it takes is brief and bounded by lock_timeout.
    """
    literal = sql_literal(name)
    pg_schema = naming.split_qualified(table)[0]
    namespace = sql_literal(pg_schema) if pg_schema else "current_schema()"
    return execute(
        "DO $$ BEGIN IF EXISTS (SELECT FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        f"WHERE c.relname = {literal} AND c.relnamespace = {namespace}::regnamespace "
        f"AND NOT i.indisvalid) THEN DROP INDEX {quote_table(naming.in_schema_of(table, name))}; "
        "END IF; END $$"
    )


@_render.register(DropIndex)
def _(operation: DropIndex, state: Schema) -> Rendered:
    stmt = _drop_index(operation.table, operation.index, concurrently=operation.concurrently)
    return Rendered((stmt,), autocommit=operation.concurrently)


def _drop_index(table: str, index: Index, *, concurrently: bool) -> Stmt:
    return call(
        "op.drop_index",
        _name(index.name),
        table_name=_bare(table),
        postgresql_concurrently="True" if concurrently else None,
        if_exists="True" if concurrently else None,
        schema=_schema(table),
    )


@_render.register(RenameConstraint)
def _(operation: RenameConstraint, state: Schema) -> list[Stmt]:
    old, new = quote_ident(operation.old), quote_ident(operation.new)
    if operation.kind == "index":
        index = quote_table(naming.in_schema_of(operation.table, operation.old))
        return [execute(f"ALTER INDEX {index} RENAME TO {new}")]
    return [execute(f"ALTER TABLE {quote_table(operation.table)} RENAME CONSTRAINT {old} TO {new}")]


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


@_render.register(AlterColumn)
def _(operation: AlterColumn, state: Schema) -> list[Stmt]:
    if operation.lock_safe:
        return lock_safe_nullability(operation)
    old, new, table = operation.old, operation.new, operation.table
    target = (_bare(table), Str(new.name))
    schema = _schema(table)
    retype = old.type != new.type
    stmts = _sequences_before(table, old, new)
    if retype and old.default is not None:
        # The old default may not cast to the new type: drop it, set it again below.
        stmts.append(call("op.alter_column", *target, server_default="None", schema=schema))
    if retype:
        using = operation.using
        if using is None and needs_using(old.type, new.type):
            using = using_cast(new.name, old.type, new.type)
        # The values are converted in the session's TimeZone: in UTC, whoever deploys
        zoned = converts_in_time_zone(old.type, new.type)
        stmts += [execute(sql) for sql in IN_UTC] if zoned else []
        stmts.append(
            call(
                "op.alter_column",
                *target,
                type_=type_expr(new.type, state),
                existing_type=type_expr(old.type, state),
                postgresql_using=Str(using) if using else None,
                schema=schema,
            )
        )
        stmts += [execute(ZONE_RESTORED)] if zoned else []
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
        stmts.append(call("op.alter_column", *target, *rest, schema=schema))
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
        alter = f"ALTER TABLE {quote_table(table)} ALTER COLUMN {quote_ident(new.name)}"
        stmts.append(execute(f"{alter} {identity_alter_sql(new.identity_options, new.type.kind)}"))
    if new.serial and not old.serial:
        stmts += _owned_sequences(table, (new,))
        stmts.append(_past_max(table, new.name))
    if new.identity and not old.identity:
        stmts.append(_identity_sql(table, new.name, add=True, options=new.identity_options))
        stmts.append(_past_max(table, new.name))
    return stmts


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
    table: str, column: str, *, add: bool, options: IdentityOptions | None = None
) -> Stmt:
    alter = f"ALTER TABLE {quote_table(table)} ALTER COLUMN {quote_ident(column)}"
    action = f"ADD {identity_sql(options)}" if add else "DROP IDENTITY"
    return execute(f"{alter} {action}")
