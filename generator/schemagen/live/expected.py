"""The expected side of a live comparison: the database structure a Schema implies.

:func:`expected_shape` builds it from the normalized model alone (types as
``format_type`` prints them via ``typemap.pg_type``, defaults via the shared
``sqltext.default_sql``). :func:`normalize_expected` then lets the live server
print the expected expressions its own way: inside the caller's transaction,
which is always rolled back, each expected default, check and partial-index
predicate is attached to a temporary copy (``LIKE``) of the real table and
read back with ``pg_get_expr``. So ``'active'`` on an enum column becomes
``'active'::product_status`` and ``price >= 0`` becomes ``price >= 0::numeric``
exactly as on the real table, with no hand-written SQL normalizer to drift from
the server's rules. A server that refuses temp tables (a read-only standby)
gets a looser comparison: equal up to casts, parentheses and case.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import psycopg
from psycopg import sql

from ..model.schema import ColumnType, Entity, Schema
from ..model.sqltext import default_sql
from ..model.typemap import pg_type
from ..operations.sqlutil import quote_ident
from .introspect import (
    ColumnShape,
    DatabaseShape,
    ForeignKeyShape,
    IndexShape,
    TableShape,
)


def expected_shape(schema: Schema) -> DatabaseShape:
    """The structure that ``schema`` says the database has."""
    tables = {ent.table: _expected_table(ent, schema) for ent in schema.entities}
    enums = {en.db_name: en.value_names for en in schema.enums}
    return DatabaseShape(
        tables=tables, enums=enums, extensions=frozenset(schema.database.extensions)
    )


def _expected_table(ent: Entity, schema: Schema) -> TableShape:
    table = TableShape(
        primary_key=(ent.primary_key.name, tuple(ent.primary_key.columns)),
        comment=ent.description,
    )
    for col in ent.columns:
        table.columns[col.name] = ColumnShape(
            type=_format_type(col.type, schema),
            nullable=col.nullable and not col.primary_key,
            default=None if col.identity else default_sql(col),
            identity=col.identity,
            comment=col.description,
        )
    table.uniques = {u.name: tuple(u.columns) for u in ent.uniques}
    table.checks = {c.name: c.expression for c in ent.checks}
    for fk in ent.foreign_keys:
        table.foreign_keys[fk.name] = ForeignKeyShape(
            columns=tuple(fk.columns),
            ref_table=fk.ref_table,
            ref_columns=tuple(fk.ref_columns),
            on_delete=fk.on_delete or "NO ACTION",
            on_update=fk.on_update or "NO ACTION",
        )
    for ix in ent.indexes:
        ops = dict(ix.ops)
        table.indexes[ix.name] = IndexShape(
            columns=tuple(ix.columns),
            unique=ix.unique,
            method=ix.using,
            opclasses=tuple(ops.get(c) for c in ix.columns),
            predicate=ix.where,
            include=tuple(ix.include),
        )
    return table


def _format_type(ct: ColumnType, schema: Schema) -> str:
    """``pg_type`` with enum names quoted where ``format_type`` quotes them (``"Mood"``)."""
    if ct.kind == "enum":
        return quote_ident(pg_type(ct, schema))
    if ct.kind == "array" and ct.of is not None:
        return _format_type(ct.of, schema) + "[]"
    return pg_type(ct, schema)


# --- letting PostgreSQL normalize the expected expressions --------------------


def normalize_expected(
    conn: psycopg.Connection[Any], expected: DatabaseShape, actual: DatabaseShape
) -> DatabaseShape:
    """Rewrite expected defaults, checks, predicates and opclasses as this server prints them.

    Runs in the connection's open transaction; the caller rolls it back. An
    expression PostgreSQL rejects (a column that is missing, a syntax error)
    keeps its text as written, so it shows up as a difference.
    """
    with conn.cursor() as cur:
        cur.execute("SET LOCAL lock_timeout = '5s'")
        cur.execute("SET LOCAL statement_timeout = '60s'")
    default_opclasses = _default_opclasses(conn, expected)
    tables = dict(expected.tables)
    for number, name in enumerate(sorted(set(expected.tables) & set(actual.tables))):
        temp = sql.Identifier(f"schemagen_check_{number}")
        like = sql.SQL("CREATE TEMP TABLE {} (LIKE {})").format(temp, sql.Identifier(name))
        if _try(conn, like):
            tables[name] = _normalize_table(conn, expected.tables[name], number)
        else:  # a read-only standby, or no TEMP privilege
            tables[name] = _align_loosely(expected.tables[name], actual.tables[name])
        tables[name] = _drop_default_opclasses(tables[name], default_opclasses)
    return replace(expected, tables=tables)


def _normalize_table(conn: psycopg.Connection[Any], shape: TableShape, number: int) -> TableShape:
    """Attach the expected expressions to the temp copy ``schemagen_check_<number>``."""
    temp = sql.Identifier(f"schemagen_check_{number}")
    defaults_ok = {
        name: _try(
            conn,
            sql.SQL("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {}").format(
                temp, sql.Identifier(name), sql.SQL(col.default)
            ),
        )  # type: ignore[arg-type]
        for name, col in shape.columns.items()
        if col.default is not None
    }
    exprs = {f"c_{name}": expr for name, expr in shape.checks.items()}
    exprs.update({f"p_{name}": ix.predicate for name, ix in shape.indexes.items() if ix.predicate})
    aliases = {key: f"schemagen_expr_{i}" for i, key in enumerate(sorted(exprs))}
    for key, alias in aliases.items():
        _try(
            conn,
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} CHECK ({}) NOT VALID").format(
                temp, sql.Identifier(alias), sql.SQL(exprs[key])
            ),
        )  # type: ignore[arg-type]
    printed_defaults, printed_exprs = _read_back(conn, f"schemagen_check_{number}")
    columns = {
        name: replace(col, default=printed_defaults.get(name, col.default))
        if defaults_ok.get(name)
        else col
        for name, col in shape.columns.items()
    }
    checks = {n: printed_exprs.get(aliases[f"c_{n}"], e) for n, e in shape.checks.items()}
    indexes = {
        n: replace(ix, predicate=printed_exprs.get(aliases[f"p_{n}"], ix.predicate))
        if ix.predicate
        else ix
        for n, ix in shape.indexes.items()
    }
    return replace(shape, columns=columns, checks=checks, indexes=indexes)


#: A cast as PostgreSQL prints it: ``::text``, ``::character varying(3)``, ``::product_status[]``.
_CAST = re.compile(
    r"::(?:character varying|double precision|(?:timestamp|time) with(?:out)? time zone"
    r'|bit varying|"[^"]+"|[A-Za-z_][\w.]*)(?:\([\d, ]*\))?(?:\[\])*'
)


def _loose(text: str) -> str:
    """An expression without casts, parentheses and case: a fallback comparison key."""
    return " ".join(re.sub(r"[()]", " ", _CAST.sub("", text)).lower().split())


def _pick(expected: str | None, actual: str | None) -> str | None:
    if expected is not None and actual is not None and _loose(expected) == _loose(actual):
        return actual
    return expected


def _align_loosely(exp: TableShape, act: TableShape) -> TableShape:
    """Without a temp table to let PostgreSQL normalize expressions, accept the
    database's spelling of an expression equal to ours up to casts and parentheses."""
    columns = {
        n: replace(c, default=_pick(c.default, act.columns[n].default)) if n in act.columns else c
        for n, c in exp.columns.items()
    }
    checks = {n: _pick(e, act.checks.get(n)) or e for n, e in exp.checks.items()}
    indexes = {
        n: replace(ix, predicate=_pick(ix.predicate, act.indexes[n].predicate))
        if n in act.indexes
        else ix
        for n, ix in exp.indexes.items()
    }
    return replace(exp, columns=columns, checks=checks, indexes=indexes)


def _try(conn: psycopg.Connection[Any], statement: sql.Composed) -> bool:
    """Run one statement in a savepoint; False (and nothing changed) if PostgreSQL refuses it."""
    try:
        with conn.transaction(), conn.cursor() as cur:
            cur.execute(statement)
    except psycopg.errors.QueryCanceled:
        raise
    except psycopg.DatabaseError:
        return False
    return True


def _read_back(conn: psycopg.Connection[Any], temp: str) -> tuple[dict[str, str], dict[str, str]]:
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)::oid", (f"pg_temp.{temp}",))
        row = cur.fetchone()
        if row is None or row[0] is None:
            return {}, {}
        oid = row[0]
        cur.execute(
            "SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d "
            "JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
            "WHERE d.adrelid = %s",
            (oid,),
        )
        defaults = dict(cur.fetchall())
        cur.execute(
            "SELECT conname, pg_get_expr(conbin, conrelid, true) FROM pg_constraint "
            "WHERE conrelid = %s AND contype = 'c'",
            (oid,),
        )
        return defaults, dict(cur.fetchall())


def _default_opclasses(
    conn: psycopg.Connection[Any], expected: DatabaseShape
) -> set[tuple[str, str]]:
    """(method, opclass) pairs among the expected ones that are some type's default."""
    named = {
        (ix.method, op)
        for table in expected.tables.values()
        for ix in table.indexes.values()
        for op in ix.opclasses
        if op
    }
    if not named:
        return set()
    with conn.cursor() as cur:
        cur.execute(
            "SELECT am.amname, o.opcname FROM pg_opclass o JOIN pg_am am ON am.oid = o.opcmethod "
            "WHERE o.opcdefault AND o.opcname = ANY(%s)",
            ([op for _, op in named],),
        )
        return {(m, o) for m, o in cur.fetchall()} & named


def _drop_default_opclasses(shape: TableShape, defaults: set[tuple[str, str]]) -> TableShape:
    """An explicitly written default opclass (``jsonb_ops``) is the same as none."""
    if not defaults:
        return shape
    indexes = {
        name: replace(
            ix, opclasses=tuple(None if (ix.method, op) in defaults else op for op in ix.opclasses)
        )
        for name, ix in shape.indexes.items()
    }
    return replace(shape, indexes=indexes)
