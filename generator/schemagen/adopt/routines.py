"""Import functions, views, materialized views and triggers.

Three catalog queries (whatever their number) read them; each becomes a
``functions:`` or ``views:`` entry or an entity's ``triggers:`` entry, with its
SQL as PostgreSQL prints it (``prosrc``, ``pg_get_viewdef``, the ``WHEN`` of
``pg_get_triggerdef``), so that migrating the import recreates the same
definitions. What the language cannot say (another language, ``STRICT``, a
non-default cost or parallel safety, ``SET`` options, argument defaults or
modes, trigger arguments, ``UPDATE OF`` columns, constraint triggers, disabled
triggers, view options) is one unsupported line and the object is left out. The
triggers schemagen makes for ``on_update_now: trigger`` are recognized and
imported as that setting. A trigger of a partition of an imported table is listed
(the language declares triggers on a table), but for PostgreSQL's clones of the
table's own, which are the table's trigger, unless one fires otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..live.catalog_rows import read_view_indexes, view_index_comments
from ..live.introspect import QUALIFIED_KEY, SCHEMAS_READ, VIEW_INDEXES
from ..model import naming
from ..model.inlists import in_lists, query_in_lists
from ..model.routines import (
    NOT_ENABLED,
    ON_UPDATE_FUNCTION,
    on_update_function,
    on_update_trigger,
)
from ..model.routinesql import function_source
from ..util.sqlrefs import SqlSyntaxError, select_reads
from ..validate.routines import function_schema_problem
from .domains import domain_column
from .keys import index_spec
from .names import class_names, python_name, usable_as_is
from .values import map_type

if TYPE_CHECKING:
    import psycopg

_NOT_EXTENSION = "NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = {} AND e.deptype = 'e')"

FUNCTIONS_SQL = f"""
SELECT p.proname, p.oid::regprocedure::text, pg_get_function_result(p.oid), l.lanname,
       p.provolatile, p.prosecdef, p.prosrc,
       ARRAY(SELECT format_type(u.t, NULL) FROM unnest(p.proargtypes) WITH ORDINALITY u(t, n)
             ORDER BY u.n),
       coalesce(p.proargnames, '{{}}'), obj_description(p.oid, 'pg_proc'),
       NOT p.proisstrict AND NOT p.proleakproof AND p.proparallel = 'u'
       AND p.procost = 100 AND p.proconfig IS NULL AND p.pronargdefaults = 0
       AND p.proargmodes IS NULL,
       n.nspname
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang JOIN pg_namespace n ON n.oid = p.pronamespace
-- (procedures, aggregates and window functions are listed by kind: adopt.objects)
WHERE p.pronamespace IN {SCHEMAS_READ} AND p.prokind = 'f' AND {_NOT_EXTENSION.format("p.oid")}
ORDER BY 2
"""

# Views keyed as tables are (bare in the current schema, else qualified), with
# their schema last: a view lives in the project's default schema or says its own.
VIEWS_SQL = f"""
SELECT {QUALIFIED_KEY.format(ns="c.relnamespace", name="c.relname")},
       c.relkind = 'm', pg_get_viewdef(c.oid), obj_description(c.oid, 'pg_class'),
       ARRAY(SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0
             AND NOT a.attisdropped ORDER BY a.attnum),
       ARRAY(SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum),
       c.reloptions IS NOT NULL,
       -- a materialized view's indexes as check --database reads them (keys with
       -- their order, collation and operator class, INCLUDE, NULLS NOT DISTINCT)
       {VIEW_INDEXES.format(rel="c.oid")},
       n.nspname
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relnamespace IN {SCHEMAS_READ} AND c.relkind IN ('v', 'm')
  AND {_NOT_EXTENSION.format("c.oid")}
ORDER BY 1
"""

# The triggers of the tables read (keyed bare in the current schema, qualified in
# the other schemas read), with the schema of the function each calls, and whether
# that schema is read (its functions are imported: a function of a schema not read is
# not, as a table of one is not).
TRIGGERS_SQL = f"""
SELECT {QUALIFIED_KEY.format(ns="c.relnamespace", name="c.relname")},
       t.tgname, t.tgtype, p.proname, p.pronargs, pg_get_triggerdef(t.oid),
       t.tgnargs = 0 AND t.tgattr::text = '' AND t.tgconstraint = 0,
       obj_description(t.oid, 'pg_trigger'), t.tgenabled, t.tgoldtable, t.tgnewtable,
       n.nspname, p.pronamespace IN {SCHEMAS_READ}, t.tgparentid <> 0
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE c.relnamespace IN {SCHEMAS_READ} AND NOT t.tgisinternal
  -- a partition's clone of its table's trigger is that trigger (imported with the
  -- table), unless the partition's ALTER TABLE made it fire otherwise
  AND (t.tgparentid = 0
       OR t.tgenabled <> (SELECT s.tgenabled FROM pg_trigger s WHERE s.oid = t.tgparentid))
ORDER BY 1, 2
"""

#: How many statements :func:`read_routines` runs.
QUERIES = 3

_WHEN = re.compile(r" WHEN \((.*)\) EXECUTE (?:FUNCTION|PROCEDURE) ", re.S)


@dataclass
class Routines:
    """The rows of the three queries."""

    functions: list[tuple[Any, ...]] = field(default_factory=list)
    views: list[tuple[Any, ...]] = field(default_factory=list)
    triggers: list[tuple[Any, ...]] = field(default_factory=list)


def read_routines(conn: psycopg.Connection[Any], schemas: tuple[str, ...] = ()) -> Routines:
    """The functions and views of the current schema and of the other PostgreSQL
    ``schemas`` read, and the triggers of the tables of them all."""
    found = Routines()
    with conn.cursor() as cur:
        cur.execute(FUNCTIONS_SQL, {"schemas": list(schemas)})
        found.functions.extend(cur.fetchall())
        cur.execute(VIEWS_SQL, {"schemas": list(schemas)})
        found.views.extend(cur.fetchall())
        cur.execute(TRIGGERS_SQL, {"schemas": list(schemas)})
        found.triggers.extend(cur.fetchall())
    return found


@dataclass
class Mapped:
    """What :func:`map_routines` makes of the rows."""

    functions: dict[str, dict[str, Any]] = field(default_factory=dict)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    triggers: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # by table
    on_update: dict[str, set[str]] = field(default_factory=dict)  # table -> columns
    unsupported: list[tuple[str, str, str]] = field(default_factory=list)  # kind, name, detail


def map_routines(
    found: Routines,
    tables: dict[str, list[str]],
    enums: dict[str, str],
    taken: set[str],
    home: str = "public",
    domains: dict[str, str] | None = None,
    opclasses: dict[int, str] | None = None,
    partitions: dict[str, str] | None = None,
    left_out: frozenset[tuple[str, str, str]] = frozenset(),
) -> Mapped:
    """Map the rows; ``tables``: importable table -> its columns; ``taken``: class names;
    ``home``: the project's default PostgreSQL schema, where a function keyed by its
    name alone lives (one of another schema read is keyed ``schema.name``);
    ``domains``: each imported domain's YAML key by its catalog key (a view's column
    of a domain is typed by it, as a table's is); ``opclasses``: the name of each
    non-default operator class by oid (a view index key's); ``partitions``: each
    partition (any depth) of an importable table, keyed as a table is -> that table
    (a trigger of its own is listed); ``left_out``: (kind, table or view, trigger) of
    what calls a function the project will not make, listed already and written not."""
    out = Mapped()
    keys = _functions(found, home, out)
    generated = _on_update(found, tables, home, out)
    for name in generated:
        out.functions.pop(keys.pop((home, name, ()), ""), None)
    _triggers(found, tables, keys, generated, out, left_out)
    _partition_triggers(found, partitions or {}, out)
    views_out = {view for kind, view, _ in left_out if kind.endswith("view")}
    _views(found, (enums, domains or {}, opclasses or {}), taken, set(tables), out, views_out)
    return out


#: Why a function whose name holds a dot or a double quote is not imported.
NO_DOTTED_FUNCTION = "the language names no function holding a dot or a double quote"


#: A function by its schema, name and argument types, as a trigger names the one it calls.
FunctionId = tuple[str, str, tuple[str, ...]]


def _functions(found: Routines, home: str, out: Mapped) -> dict[FunctionId, str]:
    """Function specs by key (``touch`` in ``home``, ``audit.touch`` in audit); return
    each one's key by its :data:`FunctionId`."""
    keys: dict[FunctionId, str] = {}
    used: set[str] = set()
    for row in found.functions:
        name, identity, result, language, volatility, definer, body, types, names = row[:9]
        comment, ok, nsp = row[9:]
        problem = _function_problem(name, language, ok, nsp if nsp != home else "")
        if problem:
            out.unsupported.append(("function", identity, problem))
            continue
        named = name if nsp == home else f"{nsp}.{name}"
        key = named if named not in used else f"{named}_{len(types)}"
        while key in used:
            key += "_"
        used.add(key)
        spec: dict[str, Any] = {}
        if key != named:
            spec["name"] = named
        if language != "plpgsql":
            spec["language"] = language
        if volatility != "v":
            spec["volatility"] = {"s": "stable", "i": "immutable"}[volatility]
        if definer:
            spec["security"] = "definer"
        arguments = []
        for i, arg_type in enumerate(types):
            arg_name = names[i] if i < len(names) else ""
            arguments.append({"name": arg_name, "type": arg_type} if arg_name else arg_type)
        if arguments:
            spec["arguments"] = arguments
        spec["returns"] = result
        if function_source(_body(body)) != body:
            # not on lines of its own (AS $$SELECT 1;$$): said as it is
            spec["verbatim"] = True
            spec["body"] = body
        else:
            spec["body"] = _body(body)
        if comment is not None:
            spec["description"] = comment
        out.functions[key] = spec
        keys[(nsp, name, tuple(types))] = key
    return keys


def _function_problem(name: str, language: str, ok: bool, elsewhere: str) -> str:
    """Why the language cannot say the function ``name`` (of the schema ``elsewhere``,
    "" for the default one), or ""."""
    if "." in name or '"' in name:
        return NO_DOTTED_FUNCTION  # public."audit.f" as a key is f of schema audit
    if elsewhere and function_schema_problem(elsewhere):
        return function_schema_problem(elsewhere)  # "Audit".f as a key is a located error
    if language not in ("sql", "plpgsql"):
        return f"language {language}"
    if not ok:
        return "options the language has no word for (STRICT, COST, SET, defaults, modes, ...)"
    return ""


def _body(prosrc: str) -> str:
    """The body as written between the dollar quotes, less the newlines schemagen adds."""
    text = prosrc[1:] if prosrc.startswith("\n") else prosrc
    return text[:-1] if text.endswith("\n") else text


def _on_update(found: Routines, tables: dict[str, list[str]], home: str, out: Mapped) -> set[str]:
    """The ``schemagen_set_<column>`` functions of ``home`` whose triggers are
    schemagen's own."""
    bodies = {
        row[0]: row[6]
        for row in found.functions
        if row[0].startswith(ON_UPDATE_FUNCTION.format(column="")) and row[-1] == home
    }
    generated: set[str] = set()
    for row in found.triggers:
        table, trigger, tgtype, function, _nargs, _text, plain, _comment, on = row[:9]
        at_home = row[11] == home
        column = function[len(ON_UPDATE_FUNCTION.format(column="")) :]
        expected = on_update_function(column) if column else None
        if (
            expected is not None
            and function == expected.name
            and trigger == on_update_trigger(table, column)
            and tgtype == 1 | 2 | 16  # ROW, BEFORE, UPDATE
            and plain
            and at_home
            and on == "O"
            and " WHEN " not in _text
            and column in tables.get(table, ())
            and _body(str(bodies.get(function, ""))).strip() == expected.body.strip()
        ):
            out.on_update.setdefault(table, set()).add(column)
            generated.add(function)
    return generated


def _triggers(
    found: Routines,
    tables: dict[str, list[str]],
    keys: dict[FunctionId, str],
    generated: set[str],
    out: Mapped,
    left_out: frozenset[tuple[str, str, str]],
) -> None:
    for row in found.triggers:
        table, name, tgtype, function, nargs, text, plain, comment, on = row[:9]
        old_table, new_table, nsp, read = row[9:13]
        where = f"{name} on {table}"
        if function in generated and table in out.on_update and on == "O":
            continue
        key = keys.get((nsp, function, ()))
        if table not in tables or ("trigger", table, name) in left_out:
            # the table itself is reported, or its partition's (_partition_triggers), or
            # the trigger's WHEN calls a function the project will not make (listed)
            continue
        if on != "O":
            reason = f"{NOT_ENABLED.get(on, on)}; the language declares enabled triggers only"
            out.unsupported.append(("trigger", where, reason))
            continue
        if not read and plain and not nargs and not tgtype & 64:
            # its function is not imported, as a table of that schema is not
            called = f"{naming.catalog_key(nsp, function)}()"
            reason = f"its function {called} lives in schema {nsp}, not read"
            out.unsupported.append(("trigger", where, f"{reason} (import with --schema {nsp})"))
            continue
        if not plain or nargs or key is None or tgtype & 64:
            out.unsupported.append(
                (
                    "trigger",
                    where,
                    "arguments, UPDATE OF, constraint, INSTEAD OF or a function not imported",
                )
            )
            continue
        spec: dict[str, Any] = {"function": key}
        spec["timing"] = "before" if tgtype & 2 else "after"
        spec["events"] = [
            event
            for bit, event in ((4, "insert"), (16, "update"), (8, "delete"), (32, "truncate"))
            if tgtype & bit
        ]
        if not tgtype & 1:
            spec["for_each"] = "statement"
        match = _WHEN.search(text)
        if match:
            spec["when"] = in_lists(match.group(1))
        if old_table is not None:
            spec["old_table"] = old_table
        if new_table is not None:
            spec["new_table"] = new_table
        if comment is not None:
            spec["description"] = comment
        out.triggers.setdefault(table, {})[name] = spec


def _partition_triggers(found: Routines, partitions: dict[str, str], out: Mapped) -> None:
    """List each trigger of a partition of an imported table (``partitions``: partition
    -> table): no table of the import, and not listed as one (a partition is no
    entity), so its triggers would be lost without a word."""
    for row in found.triggers:
        partition, name, on, text, cloned = row[0], row[1], row[8], row[5], row[13]
        if partition in partitions:
            detail = _partition_trigger(partition, partitions[partition], on, cloned, text)
            out.unsupported.append(("trigger", f"{name} on {partition}", detail))


def _partition_trigger(partition: str, table: str, on: str, cloned: bool, text: str) -> str:
    """Why a trigger of ``partition`` (of the imported ``table``) is not expressible:
    the language declares triggers on a table, each a trigger of every partition
    (PostgreSQL clones a row trigger onto them, with the state its table's has)."""
    if cloned:
        state = NOT_ENABLED.get(on, on) if on != "O" else "enabled (ENABLE TRIGGER)"
        return (
            f"the clone of {table}'s trigger on partition {partition}, {state}, unlike "
            f"{table}'s (the language declares a table's triggers, which its partitions share)"
        )
    return (
        f"made on partition {partition} of {table} alone (the language declares triggers "
        f"on a table): {text}"
    )


def _views(
    found: Routines,
    names_of: tuple[dict[str, str], dict[str, str], dict[int, str]],
    taken: set[str],
    tables: set[str],
    out: Mapped,
    left_out: set[str],
) -> None:
    enums, domains, opclasses = names_of
    # a view named with a dot (public."sales.v", keyed so) is no view v of schema sales;
    # one calling a function the project will not make is listed, and a view over it
    # reads a view not imported
    nameable = [row[0] for row in found.views if _nameable(row[0]) and row[0] not in left_out]
    names = class_names(nameable, taken, singularize=False)
    known = tables | set(names)
    known -= _unwritten(found, known)
    for row in found.views:
        relname, materialized, definition, comment, columns, types, options, indexes, nsp = row
        kind = "materialized view" if materialized else "view"
        if relname in left_out:
            continue
        problem = _view_problem(definition, options, known)
        if relname not in names:
            problem = "the language names no view holding a dot or a double quote"
        if problem:
            out.unsupported.append((kind, relname, problem))
            continue
        cols = _view_columns(kind, relname, columns, types, (enums, domains), out)
        view_indexes = _view_indexes(indexes, columns, opclasses)
        if cols is None:
            continue
        for index, _ in view_index_comments(indexes):  # the YAML's would be the docs'
            detail = "left out (index descriptions are docs)"
            out.unsupported.append(("comment on index", f"{index} on {relname}", detail))
        # ``schema:`` first, outside public, as for tables (adopt.home rehomes it)
        spec: dict[str, Any] = {"schema": nsp} if nsp != "public" else {}
        bare = naming.split_qualified(relname)[1]
        if naming.snake_case(names[relname]) != bare:
            spec["view"] = bare
        if materialized:
            spec["materialized"] = True
        if comment is not None:
            spec["description"] = comment
        spec["sql"] = query_in_lists(definition.strip().rstrip(";")) + "\n"
        spec["columns"] = cols
        if view_indexes:
            spec["indexes"] = view_indexes
        out.views[names[relname]] = spec


def _unwritten(found: Routines, known: set[str]) -> set[str]:
    """The views of ``known`` that are listed (options, or reading a relation not
    imported), to a fixed point: a view over a view over one left out reads a view
    not imported too, and written, it would fail the fresh upgrade."""
    unwritten: set[str] = set()
    while True:
        more = {
            row[0]
            for row in found.views
            if row[0] in known - unwritten and _view_problem(row[2], row[6], known - unwritten)
        }
        if not more:
            return unwritten
        unwritten |= more


def _nameable(key: str) -> bool:
    """Whether the language can name the view the catalog keys ``key`` (as a table).

    ``view:`` takes any name but one holding a dot or a double quote (validate refuses
    them: its schema is ``schema:``'s): a space or a capital is quoted in SQL, as corpus
    53's "odd view" is."""
    bare = naming.split_qualified(key)[1]
    return "." not in bare and '"' not in bare and not naming.too_long(bare)


def _view_problem(definition: str, options: bool, known: set[str]) -> str:
    if options:
        return "options (check option, security barrier)"
    try:
        missing = sorted(select_reads(definition).relations - known)
    except SqlSyntaxError:
        return "SQL the parser does not take"
    return f"reads {', '.join(missing)}, not imported" if missing else ""


def _view_columns(
    kind: str,
    relname: str,
    columns: list[str],
    types: list[str],
    type_names: tuple[dict[str, str], dict[str, str]],
    out: Mapped,
) -> dict[str, Any] | None:
    enums, domains = type_names
    cols: dict[str, Any] = {}
    for column, type_text in zip(columns, types, strict=True):
        col = domain_column(type_text, domains) or map_type(type_text, enums)
        if col is None:
            out.unsupported.append((kind, relname, f"column {column} of type {type_text}"))
            return None
        col["nullable"] = True
        if not usable_as_is(column):
            col["attribute"] = python_name(column)
        cols[column] = col
    return cols


def _view_indexes(
    rows: list[list[Any]] | None, columns: list[str], opclasses: dict[int, str]
) -> dict[str, Any]:
    """The ``indexes:`` of a materialized view from :data:`VIEW_INDEXES`' JSON, each as
    a table's index is imported: a key that is none of the view's columns is an
    expression (pg_get_indexdef prints a column key as its name)."""
    found: dict[str, Any] = {}
    for name, ix in sorted(read_view_indexes(rows, opclasses).items()):
        expressions = tuple(key not in columns for key in ix.columns)
        found[name] = index_spec(ix, expressions)
    return found
