"""Live drift of functions, views, materialized views and triggers; extra types.

Definitions are compared as PostgreSQL normalizes them: each expected object is
created once more in the session's temporary schema (a temp function, a temp
view over the same query, the trigger on a temp copy of its table), in a
savepoint, and read back with ``pg_get_functiondef``, ``pg_get_viewdef`` and
``pg_get_triggerdef``; the live object is read the same way. A definition that
PostgreSQL rejects (a body naming a missing column, say) is a finding of its
own. Everything runs in the caller's transaction, which it rolls back.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from typing import Any

import psycopg
from psycopg import sql

from ..findings import EXTRA_HINT, Finding
from ..model import naming
from ..model import routinesql as ddl
from ..model.frozen import copy_with
from ..model.routines import NOT_ENABLED, Function, Trigger, View
from ..model.schema import Schema
from .aspects import describe_index
from .catalog_rows import clustered_view_index, read_view_indexes, view_index_comments
from .comments import comment_findings
from .expected import format_type
from .introspect import QUALIFIED_KEY, STATISTICS_NAME, VIEW_INDEXES
from .object_comments import view_index_comment_findings
from .shapes import CatalogName, IndexShape
from .undeclarable import cluster_marks, undeclarable, view_column_comments

HINT = "run `alembic upgrade head`, or write the database's definition into schema/"

_NOT_EXTENSION = "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = {oid} AND d.deptype = 'e')"

# The object's own comment: a join, not obj_description() per row (a lookup each,
# twice the buffers of the triggers query at 400 triggers).
_COMMENT = (
    "LEFT JOIN pg_description ds ON ds.objoid = {oid} "
    "AND ds.classoid = '{catalog}'::regclass AND ds.objsubid = 0"
)

# Keyed as the schema keys them: bare in the current schema, else qualified (the
# other PostgreSQL schemas the schema's objects live in: %(schemas)s), the name as a
# table's (QUALIFIED_KEY: public."app.f"() is "app.f"(), apart from app.f()).
# Aggregates, procedures and window functions, which the language cannot declare,
# are read too (no definition: pg_get_functiondef refuses an aggregate), with the
# signature a DROP names them by, schema-qualified.
FUNCTIONS = f"""
SELECT {QUALIFIED_KEY.format(ns="p.pronamespace", name="p.proname")}
       || '(' || oidvectortypes(p.proargtypes) || ')',
       CASE WHEN p.prokind = 'f' THEN pg_get_functiondef(p.oid) END,
       ds.description,  -- the description migrations write (live.comments)
       p.prokind,
       quote_ident(n.nspname) || '.' || quote_ident(p.proname)
       || '(' || oidvectortypes(p.proargtypes) || ')'
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
{_COMMENT.format(oid="p.oid", catalog="pg_proc")}
WHERE (p.pronamespace = current_schema()::regnamespace OR n.nspname = ANY(%(schemas)s))
  AND {_NOT_EXTENSION.format(oid="p.oid")}
"""

#: What the language cannot declare of pg_proc's kinds: the word for one, and its DROP.
_UNDECLARABLE_KINDS = {
    "a": ("aggregate", "DROP AGGREGATE"),
    "p": ("procedure", "DROP PROCEDURE"),
    "w": ("window function", "DROP FUNCTION"),
}

# A view's columns, name and type as format_type prints them, in SELECT order.
_VIEW_COLUMNS = """ARRAY(SELECT ARRAY[a.attname::text, format_type(a.atttypid, a.atttypmod)]
             FROM pg_attribute a
             WHERE a.attrelid = {rel} AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum)"""

# Keyed as tables are (QUALIFIED_KEY: bare in the current schema, else qualified, a
# part holding a dot quoted: public."sales.v" is "sales.v", apart from sales.v); a
# materialized view's indexes live in its schema: named bare, read as the declared
# ones are read from a temporary copy (compared as a table's).
VIEWS = f"""
SELECT {QUALIFIED_KEY.format(ns="c.relnamespace", name="c.relname")},
       c.relkind = 'm', pg_get_viewdef(c.oid),
       {VIEW_INDEXES.format(rel="c.oid")},
       {_VIEW_COLUMNS.format(rel="c.oid")},
       -- rules but its own _RETURN, and (a materialized view's) extended statistics:
       -- the language declares neither (live.undeclarable); NULL for none
       (SELECT array_agg(r.rulename::text) FROM pg_rewrite r
        WHERE r.ev_class = c.oid AND r.rulename <> '_RETURN'),
       (SELECT array_agg(ARRAY[{STATISTICS_NAME}]) FROM pg_statistic_ext s
        WHERE s.stxrelid = c.oid),
       -- its columns that have a comment, which migrations never make (a view column's
       -- description is the docs'): NULL for none
       (SELECT array_agg(a.attname::text ORDER BY a.attnum)
        FROM pg_description d
        JOIN pg_attribute a ON a.attrelid = d.objoid AND a.attnum = d.objsubid
        WHERE d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid > 0),
       ds.description  -- the description migrations write (live.comments)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
{_COMMENT.format(oid="c.oid", catalog="pg_class")}
WHERE (c.relnamespace = current_schema()::regnamespace OR n.nspname = ANY(%(schemas)s))
  AND c.relkind IN ('v', 'm') AND {_NOT_EXTENSION.format(oid="c.oid")}
"""

# Tables keyed as the schema keys them (QUALIFIED_KEY, as the tables query does): bare
# in the current schema, else qualified (the other PostgreSQL schemas the schema's
# tables live in: %(schemas)s). Also
# whether each fires (tgenabled) and its table's qualified name, for the finding.
# A partitioned table's trigger only: PostgreSQL clones it onto each partition (their
# tgparentid names it), and ALTER TABLE ... ENABLE/DISABLE TRIGGER on the table
# changes the clones with it. A clone is read only when it does not fire, with its
# oid and its source's (tgparentid, 0 for none; the last columns), for
# introspect_routines to keep the clones that fire otherwise than their source (a
# partition ALTERed apart): a filter on the row, no lookup per clone.
TRIGGERS = f"""
SELECT {QUALIFIED_KEY.format(ns="c.relnamespace", name="c.relname")},
       t.tgname, pg_get_triggerdef(t.oid), t.tgenabled,
       quote_ident(n.nspname) || '.' || quote_ident(c.relname),
       ds.description,  -- the description migrations write (live.comments)
       t.oid, t.tgparentid
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
{_COMMENT.format(oid="t.oid", catalog="pg_trigger")}
WHERE (c.relnamespace = current_schema()::regnamespace OR n.nspname = ANY(%(schemas)s))
  AND NOT t.tgisinternal
  AND (t.tgparentid = 0 OR t.tgenabled <> 'O')
"""

# Types other than enums and domains (compared with the tables), table row types
# and arrays.
TYPES = f"""
SELECT t.typname FROM pg_type t
WHERE t.typnamespace = current_schema()::regnamespace AND t.typtype IN ('c', 'r', 'm')
  AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
  AND {_NOT_EXTENSION.format(oid="t.oid")}
"""


@dataclass
class Shapes:
    """Definitions by key: functions by ``name(types)``, views by name (with
    whether materialized and their index names), triggers by ``table.name``."""

    functions: dict[str, str] = field(default_factory=dict)
    views: dict[str, tuple[bool, str, tuple[str, ...]]] = field(default_factory=dict)
    triggers: dict[str, str] = field(default_factory=dict)
    rejected: list[Finding] = field(default_factory=list)
    #: Each view's columns as PostgreSQL types them: (name, ``format_type``) pairs.
    view_columns: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    #: Live triggers that do not fire as declared ones do: ``table.name`` ->
    #: (``pg_trigger.tgenabled``, the table's qualified name, the trigger's name).
    trigger_states: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    #: The same of partitions' clones of a partitioned table's trigger that do not fire
    #: as the trigger they are cloned from does (their partition's ALTER TABLE made
    #: them so; one its source's ENABLE would not reach).
    clone_states: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    #: Each materialized view's indexes, by name: the live ones as the catalog has
    #: them, the declared ones as made on a temporary copy of the view.
    view_indexes: dict[str, dict[str, IndexShape]] = field(default_factory=dict)
    #: Live views with rules (but ``_RETURN``) or extended statistics: name ->
    #: (rule names, statistics), each sorted.
    view_extras: dict[str, tuple[tuple[str, ...], tuple[CatalogName, ...]]] = field(
        default_factory=dict
    )
    #: Live materialized views CLUSTERed ON an index: name -> the index.
    view_clustered: dict[str, str] = field(default_factory=dict)
    #: Live views with comments on columns: name -> the columns, in order.
    view_column_comments: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Live materialized views with comments on indexes: name -> (index, comment), sorted.
    view_index_comments: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    #: The comment of each live function, view and trigger (None for none), by key.
    function_comments: dict[str, str | None] = field(default_factory=dict)
    view_comments: dict[str, str | None] = field(default_factory=dict)
    trigger_comments: dict[str, str | None] = field(default_factory=dict)
    #: Live aggregates, procedures and window functions: (``pg_proc.prokind``, key,
    #: schema-qualified signature).
    undeclarable_routines: list[tuple[str, str, str]] = field(default_factory=list)


def routine_findings(
    conn: psycopg.Connection[Any],
    schema: Schema,
    opclasses: dict[int, str],
    home: str | None = None,
) -> list[Finding]:
    """Compare the live functions, views and triggers with ``schema``; report
    types that the schema does not declare (sequences: :mod:`.compare`).
    ``opclasses``: the name of each non-default operator class by oid, as
    :func:`~.introspect.introspect` read them; ``home``: the current schema
    (:attr:`~.shapes.DatabaseShape.home`), which the hints name a bare key's by."""
    actual = introspect_routines(conn, schema.pg_schemas, opclasses)
    expected = expected_routines(conn, schema, actual, opclasses)
    findings = list(expected.rejected)
    findings += _compare("function", expected.functions, actual.functions)
    findings += _compare_views(expected.views, actual.views)
    findings += _compare_view_indexes(expected, actual, home)
    findings += _declared_view_columns(schema, expected.view_columns or actual.view_columns)
    findings += _compare("trigger", expected.triggers, actual.triggers)
    findings += _trigger_states(
        expected.triggers.keys() & actual.trigger_states.keys(), actual.trigger_states, home
    )
    findings += _trigger_states(
        set(actual.clone_states), actual.clone_states, home, " (a clone of its table's)"
    )
    findings += comment_findings(
        schema, actual.function_comments, actual.view_comments, actual.trigger_comments, home
    )
    for name, (rules, statistics) in sorted(actual.view_extras.items()):
        findings += undeclarable(name, rules, statistics, home)
    for name, columns in sorted(actual.view_column_comments.items()):
        findings += view_column_comments(name, columns, home)
    for name, comments in sorted(actual.view_index_comments.items()):
        findings += view_index_comment_findings(name, comments, home)
    findings += cluster_marks(
        tuple(sorted(actual.view_clustered.items())), "MATERIALIZED VIEW", home=home
    )
    for kind, key, signature in sorted(actual.undeclarable_routines):
        word, drop = _UNDECLARABLE_KINDS.get(kind, ("routine", "DROP ROUTINE"))
        findings.append(
            _finding(
                f"{word} {key}",
                "in the database but not in the schema",
                f"the schema cannot declare {'an' if word[0] in 'aeiou' else 'a'} {word}: "
                f"`{drop} {signature}`",
            )
        )
    with conn.cursor() as cur:
        cur.execute(TYPES)
        for (name,) in sorted(cur.fetchall()):
            findings.append(
                _finding(f"type {name}", "in the database but not in the schema", EXTRA_HINT)
            )
    return findings


def introspect_routines(
    conn: psycopg.Connection[Any], schemas: tuple[str, ...], opclasses: dict[int, str]
) -> Shapes:
    """The live functions and views of the current schema and of ``schemas``, and
    the triggers of its tables and of those in ``schemas``; ``opclasses`` names the
    non-default operator classes of materialized views' indexes."""
    shapes = Shapes()
    with conn.cursor() as cur:
        cur.execute(FUNCTIONS, {"schemas": list(schemas)})
        for key, text, comment, kind, signature in cur.fetchall():
            if kind != "f":
                shapes.undeclarable_routines.append((kind, key, signature))
                continue
            shapes.functions[key] = _tidy(text)
            shapes.function_comments[key] = comment
        cur.execute(VIEWS, {"schemas": list(schemas)})
        for row in cur.fetchall():
            name, mat, text, indexes, columns, rules, statistics, commented = row[:8]
            shapes.view_comments[name] = row[8]
            shapes.view_indexes[name] = read_view_indexes(indexes, opclasses)
            if (marked := clustered_view_index(indexes)) is not None:
                shapes.view_clustered[name] = marked
            shapes.views[name] = (bool(mat), _tidy(text), tuple(sorted(shapes.view_indexes[name])))
            shapes.view_columns[name] = _pairs(columns)
            if commented:
                shapes.view_column_comments[name] = tuple(commented)
            if index_comments := view_index_comments(indexes):
                shapes.view_index_comments[name] = index_comments
            if rules or statistics:
                shapes.view_extras[name] = (
                    tuple(sorted(rules or ())),
                    tuple(sorted(CatalogName(*row) for row in statistics or ())),
                )
        cur.execute(TRIGGERS, {"schemas": list(schemas)})
        rows = cur.fetchall()
        # each trigger read by oid: a clone's source not read is a clone that fires
        states = {row[6]: row[3] for row in rows}
        for table, name, text, enabled, qualified, comment, _, source in rows:
            if source:  # a clone that does not fire as its source does: its own finding
                if states.get(source) != enabled:
                    shapes.clone_states[f"{table}.{name}"] = (enabled, qualified, name)
                continue
            shapes.triggers[f"{table}.{name}"] = text
            shapes.trigger_comments[f"{table}.{name}"] = comment
            if enabled != "O":
                shapes.trigger_states[f"{table}.{name}"] = (enabled, qualified, name)
    return shapes


def _trigger_states(
    keys: set[str],
    states: dict[str, tuple[str, str, str]],
    home: str | None,
    note: str = "",
) -> list[Finding]:
    """A declared trigger that exists but does not fire as declared (enabled), of each
    of ``keys`` of ``states`` (:attr:`Shapes.trigger_states`); ``home``: the current
    schema, which the hint's ALTER TABLE names a bare table's by; ``note``: what the
    message adds (a partition's clone)."""
    findings = []
    for key in sorted(keys):
        enabled, table, name = states[key]
        state = NOT_ENABLED.get(enabled, f"in state tgenabled = {enabled!r}")
        # the table as the key names it, quoted as every hint's (the key ends .trigger)
        where = ddl.quote_qualified(key[: -len(name) - 1], home)
        findings.append(
            _finding(
                f"trigger {key}",
                f"on {table} is {state}; the schema declares it enabled{note}",
                f"ALTER TABLE {where} ENABLE TRIGGER {ddl.ident(name)}",
            )
        )
    return findings


def expected_routines(
    conn: psycopg.Connection[Any], schema: Schema, actual: Shapes, opclasses: dict[int, str]
) -> Shapes:
    """The schema's functions, views and triggers as this server prints them."""
    shapes = Shapes()
    if not (schema.functions or schema.views or schema.triggers):
        return shapes
    # The temp schema exists once the session made a temp object; make sure it does.
    try:
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("CREATE TEMP TABLE IF NOT EXISTS schemagen_check_anchor ()")
            cur.execute("SELECT current_schema(), pg_my_temp_schema()::regnamespace::text")
            row = cur.fetchone()
    except psycopg.Error:  # a read-only standby, or no TEMP privilege
        return _names_only(schema, actual)
    assert row is not None
    home, temp = str(row[0]), str(row[1])
    for fn in schema.functions:
        _expect_function(conn, fn, home, temp, shapes)
    # By database name, as the DDL view keys them (a snapshot can stand in for the schema)
    for number, view in enumerate(sorted(schema.views, key=lambda v: v.view)):
        _expect_view(conn, view, number, shapes, opclasses)
    for number, tg in enumerate(schema.triggers):
        _expect_trigger(conn, tg, number, home, temp, shapes)
    return shapes


def _names_only(schema: Schema, actual: Shapes) -> Shapes:
    """Without temporary objects only presence can be compared: an expected object
    takes the live definition of the same name."""
    shapes = Shapes()
    for fn in schema.functions:
        key = fn.identity
        shapes.functions[key] = actual.functions.get(key, "")
    for view in schema.views:
        live = actual.views.get(view.view)
        indexes = tuple(sorted(ix.name for ix in view.indexes))
        shapes.views[view.view] = (view.materialized, live[1] if live else "", indexes)
    for tg in schema.triggers:
        key = f"{tg.table}.{tg.name}"
        shapes.triggers[key] = actual.triggers.get(key, "")
    return shapes


def _attempt(
    conn: psycopg.Connection[Any], what: str, statements: list[Any], shapes: Shapes
) -> Any:
    """Run ``statements`` in a savepoint; return the last one's first row, or
    record PostgreSQL's refusal as a finding and return None.

    The savepoint is rolled back once read: what a probe made in pg_temp goes with
    it, so a function of the same name and arguments in another PostgreSQL schema
    (public.touch() and audit.touch()), made there next, does not meet it."""
    row = None
    try:
        with conn.transaction() as probe, conn.cursor() as cur:
            for stmt in statements:
                cur.execute(stmt)
            row = cur.fetchone()
            raise psycopg.Rollback(probe)
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split())
        shapes.rejected.append(
            _finding(
                what,
                f"PostgreSQL rejects the schema's definition: {reason}",
                "fix it in schema/ (the migration would fail the same way)",
            )
        )
    return row


def _expect_function(
    conn: psycopg.Connection[Any], fn: Function, home: str, temp: str, shapes: Shapes
) -> None:
    pg_schema, bare = naming.split_qualified(fn.name)
    create = ddl.create_function(fn).replace(
        f"FUNCTION {ddl.quote_qualified(fn.name)}(", f"FUNCTION pg_temp.{ddl.ident(bare)}(", 1
    )
    read = sql.SQL(
        "SELECT p.proname || '(' || oidvectortypes(p.proargtypes) || ')', "
        "pg_get_functiondef(p.oid) FROM pg_proc p "
        "WHERE p.pronamespace = pg_my_temp_schema() AND p.proname = {} "
        "ORDER BY p.oid DESC LIMIT 1"
    ).format(bare)
    row = _attempt(conn, f"function {fn.identity}", [sql.SQL(create), read], shapes)  # type: ignore[arg-type]
    if row is not None:
        # Printed with "pg_temp." or the session's own "pg_temp_N.".
        shown = ddl.ident(pg_schema) if pg_schema else home
        text = re.sub(r"FUNCTION pg_temp(?:_\d+)?\.", f"FUNCTION {shown}.", str(row[1]), count=1)
        shapes.functions[naming.qualify(pg_schema, str(row[0]))] = _tidy(text)


def _expect_view(
    conn: psycopg.Connection[Any],
    view: View,
    number: int,
    shapes: Shapes,
    opclasses: dict[int, str],
) -> None:
    """The view's definition and columns as a temporary view over its SQL prints them;
    a materialized view's indexes as made on a temporary table of its columns (the
    same names and types), each named by its number there (names may repeat across
    PostgreSQL schemas, not in pg_temp). One statement makes them all."""
    temp = f"schemagen_check_view_{number}"
    create = sql.SQL("CREATE TEMP VIEW {} AS ").format(sql.Identifier(temp)) + sql.SQL(
        ddl.view_query(view)  # type: ignore[arg-type]
    )
    indexed = temp
    aliases = {f"schemagen_check_ix_{number}_{k}": ix for k, ix in enumerate(view.indexes)}
    if aliases:
        indexed = f"schemagen_check_mv_{number}"
        copy = copy_with(view, view=indexed)
        create = sql.SQL("; ").join(
            [
                create,
                sql.SQL("CREATE TEMP TABLE {} AS SELECT * FROM {} WITH NO DATA").format(
                    sql.Identifier(indexed), sql.Identifier(temp)
                ),
                *(
                    sql.SQL(ddl.create_view_index(copy, copy_with(ix, name=alias)))  # type: ignore[arg-type]
                    for alias, ix in aliases.items()
                ),
            ]
        )
    read = sql.SQL(
        "SELECT pg_get_viewdef({rel}), "
        + _VIEW_COLUMNS
        + ", "
        + VIEW_INDEXES.format(rel="{indexed}")
    ).format(
        rel=sql.SQL("{}::regclass").format(sql.Literal(temp)),
        indexed=sql.SQL("{}::regclass").format(sql.Literal(indexed)),
    )
    row = _attempt(conn, f"{view.kind} {view.view}", [create, read], shapes)
    if row is not None:
        indexes = tuple(sorted(ix.name for ix in view.indexes))
        shapes.views[view.view] = (view.materialized, _tidy(str(row[0])), indexes)
        shapes.view_columns[view.view] = _pairs(row[1])
        made = read_view_indexes(row[2], opclasses)
        shapes.view_indexes[view.view] = {aliases[a].name: ix for a, ix in made.items()}


def _expect_trigger(
    conn: psycopg.Connection[Any], tg: Trigger, number: int, home: str, temp: str, shapes: Shapes
) -> None:
    copy = f"schemagen_check_trigger_{number}"
    like = sql.SQL("CREATE TEMP TABLE {} (LIKE {})").format(
        sql.Identifier(copy), sql.Identifier(*tg.table.split("."))
    )
    create = ddl.create_trigger(replace(tg, table=f"pg_temp.{copy}"))
    # pg_get_triggerdef names the table with its schema, always.
    shown = ddl.quote_qualified(tg.table) if "." in tg.table else f"{home}.{ddl.ident(tg.table)}"
    read = sql.SQL(
        "SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t WHERE t.tgrelid = {}::regclass"
    ).format(sql.Literal(f"pg_temp.{copy}"))
    row = _attempt(conn, f"trigger {tg.table}.{tg.name}", [like, sql.SQL(create), read], shapes)  # type: ignore[arg-type]
    if row is not None:
        text = re.sub(
            rf" ON pg_temp(?:_\d+)?\.{copy} ",
            f" ON {shown} ",
            str(row[0]),
            count=1,
        )
        shapes.triggers[f"{tg.table}.{tg.name}"] = text


def _compare(what: str, expected: dict[str, str], actual: dict[str, str]) -> list[Finding]:
    findings = [
        _finding(f"{what} {key}", "missing from the database", "run `alembic upgrade head`")
        for key in sorted(expected.keys() - actual.keys())
    ]
    findings += [
        _finding(f"{what} {key}", "in the database but not in the schema", EXTRA_HINT)
        for key in sorted(actual.keys() - expected.keys())
    ]
    for key in sorted(expected.keys() & actual.keys()):
        if expected[key] != actual[key]:
            findings.append(_finding(f"{what} {key}", _differs(expected[key], actual[key]), HINT))
    return findings


def _compare_views(
    expected: dict[str, tuple[bool, str, tuple[str, ...]]],
    actual: dict[str, tuple[bool, str, tuple[str, ...]]],
) -> list[Finding]:
    def kind(materialized: bool) -> str:
        return "materialized view" if materialized else "view"

    findings = [
        _finding(
            f"{kind(expected[n][0])} {n}", "missing from the database", "run `alembic upgrade head`"
        )
        for n in sorted(expected.keys() - actual.keys())
    ]
    findings += [
        _finding(f"{kind(actual[n][0])} {n}", "in the database but not in the schema", EXTRA_HINT)
        for n in sorted(actual.keys() - expected.keys())
    ]
    for name in sorted(expected.keys() & actual.keys()):
        (exp_mat, exp_def, exp_ix), (act_mat, act_def, act_ix) = expected[name], actual[name]
        obj = f"{kind(exp_mat)} {name}"
        if exp_mat != act_mat:
            findings.append(_finding(obj, f"is a {kind(act_mat)} in the database", HINT))
        elif exp_def != act_def:
            findings.append(_finding(obj, _differs(exp_def, act_def), HINT))
        if exp_mat and act_mat and exp_ix != act_ix:
            findings.append(
                _finding(
                    obj,
                    f"indexes {', '.join(act_ix) or 'none'}, "
                    f"expected {', '.join(exp_ix) or 'none'}",
                    HINT,
                )
            )
    return findings


def _compare_view_indexes(expected: Shapes, actual: Shapes, home: str | None) -> list[Finding]:
    """The indexes of each materialized view on both sides, by name, as a table's are
    compared: a line per differing aspect (those missing or extra: :func:`_compare_views`).
    Without temporary objects (:func:`_names_only`) the declared ones are unknown."""
    findings = []
    for view in sorted(expected.view_indexes.keys() & actual.view_indexes.keys()):
        exp, act = expected.view_indexes[view], actual.view_indexes[view]
        for name in sorted(exp.keys() & act.keys()):
            where = ddl.quote_qualified(naming.in_schema_of(view, name), home)
            findings += [
                _finding(
                    f"index {name} on {view}",
                    message,
                    f"`DROP INDEX {where}` and create it as schema/ declares it "
                    "(as the revision that made the view does), or write the database's "
                    "definition into schema/",
                )
                for message in describe_index(exp[name], act[name])
            ]
    return findings


def _declared_view_columns(
    schema: Schema, typed: dict[str, tuple[tuple[str, str], ...]]
) -> list[Finding]:
    """A view column declared with another type than PostgreSQL gives the view's SQL.

    ``typed`` is what the server made of the declared SQL (a temporary view), or of
    the live view when temporary objects are refused. models.py and the docs type
    the column as declared, so a wrong declaration is a lie at run time.
    """
    findings = []
    for view in sorted(schema.views, key=lambda v: v.view):
        given = dict(typed.get(view.view, ()))
        for col in view.columns:
            declared = format_type(col.type, schema)
            actual = given.get(col.name)
            if actual is not None and actual != declared:
                findings.append(
                    _finding(
                        f"{view.kind} {view.view}",
                        f"column {col.name} is declared {declared}, "
                        f"but the view's SQL gives {actual}",
                        f"declare `{col.name}` with the type the SQL gives "
                        "(models.py and the docs use the declared one)",
                    )
                )
    return findings


def _pairs(columns: list[list[str]] | None) -> tuple[tuple[str, str], ...]:
    return tuple((str(name), str(kind)) for name, kind in columns or ())


def _differs(expected: str, actual: str) -> str:
    """``definition differs: expected '...' , found '...'`` at the first differing line."""
    exp_lines, act_lines = expected.splitlines(), actual.splitlines()
    for exp, act in zip(
        exp_lines + [""] * len(act_lines), act_lines + [""] * len(exp_lines), strict=False
    ):
        if exp != act:
            shown_exp, shown_act = _shorts(exp, act)
            return f"definition differs: expected {shown_exp}, found {shown_act}"
    return "definition differs"


def _shorts(expected: str, actual: str, width: int = 60) -> tuple[str, str]:
    """Both lines cut to ``width``; from a little before where they part when that
    is past the cut (a trigger is one long line), so that the two shown differ."""
    expected, actual = " ".join(expected.split()), " ".join(actual.split())
    same = len(os.path.commonprefix([expected, actual]))
    start = same - 20 if same > width - 10 else 0
    return _short(expected, start, width), _short(actual, start, width)


def _short(line: str, start: int, width: int) -> str:
    line = ("..." if start else "") + line[start:]
    return repr(line if len(line) <= width else line[: width - 3] + "...")


def _tidy(text: str) -> str:
    """Trailing blanks and the final newline do not make a definition differ."""
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def _finding(obj: str, message: str, hint: str = "") -> Finding:
    return Finding("database", obj, re.sub(r"\s*\n\s*", " ", message), hint)
