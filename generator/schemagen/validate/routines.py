"""Checks of functions, triggers and views, on the merged sources (before normalizing).

What PostgreSQL would reject later is reported here, located: SQL that does not
parse, a view that reads a table or column the schema does not have, a trigger
on a missing function (or on one that does not return ``trigger``), two
functions with one signature, and views that read each other in a cycle.
"""

from __future__ import annotations

import graphlib
import keyword
import re
from typing import Any

from ..language.messages import did_you_mean
from ..model import naming
from ..model.routines import ON_UPDATE_FUNCTION, on_update_trigger
from ..normalize.resolver import Resolver, Unresolved, pg_schema, qualified_table_of, table_of
from ..normalize.routines import build_function, function_reads
from ..source.loader import Sources, YamlPath, mapping
from ..util.sqlrefs import Reads, SqlSyntaxError, select_reads
from .names import AMBIGUOUS_ATTRIBUTE, ambiguous_class, check_unqualified
from .references import check_column_list, check_index
from .reporter import Reporter

Relations = dict[str, list[str]]  # database name -> its columns


def check_routines(src: Sources, resolver: Resolver, report: Reporter) -> None:
    """Every check of this module, in YAML order of kinds: functions, triggers, views."""
    check_functions(src, report)
    for entity in sorted(src.entities):
        check_triggers(src, report, entity)
    relations = _relations(src, resolver)
    for name in sorted(src.views):
        check_view(src, resolver, report, name, relations)
    check_view_cycles(src, report)
    if mapping(src.database).get("on_update_now") == "trigger":
        check_on_update_names(src, resolver, report)


def check_on_update_names(src: Sources, resolver: Resolver, report: Reporter) -> None:
    """The trigger and function names ``on_update_now: trigger`` makes fit in 63 bytes."""
    for entity in sorted(src.entities):
        table = table_of(src, entity)
        for col in resolver.columns(entity):
            if col.spec.get("on_update") != "now":
                continue
            name = on_update_trigger(table, col.name)
            if len(name.encode()) > naming.MAX_IDENTIFIER_BYTES:
                report.error(
                    (*col.path, "on_update"),
                    f"the trigger that keeps it, {name}, is longer than 63 bytes",
                )


def _relations(src: Sources, resolver: Resolver) -> Relations:
    found: Relations = {}
    for entity in src.entities:
        # as a view's SQL names it (util.sqlrefs): billing.invoices outside public
        found[qualified_table_of(src, entity)] = [c.name for c in resolver.columns(entity)]
    for name, spec in src.views.items():
        view = mapping(spec)
        found[view_name(src, name, view)] = [str(c) for c in mapping(view.get("columns"))]
    return found


def _broken_tables(src: Sources) -> set[str]:
    """Table names (as views name them) of entities left out for their own errors: a view that
    reads one is not reported again."""
    return {
        qualified_table_of(src, str(item[1]))
        for item in src.broken
        if len(item) == 2 and item[0] == "entities"
    }


def view_name(src: Sources, name: str, spec: dict[str, Any]) -> str:
    """The view as the model keys it and a view's SQL names it: qualified outside
    public (``app.totals`` in a project whose ``database.schema`` is app)."""
    home = pg_schema(mapping(src.database), None)
    return naming.qualify(pg_schema(spec, home), str(spec.get("view") or naming.snake_case(name)))


#: Where a function lives, said for a name holding a double quote, or a dot that does
#: not follow the name of a schema of the user's (``x.y.z``, ``pg_temp.f``).
_FUNCTION_HOME = (
    "a function lives in the project's default PostgreSQL schema (database.schema), or "
    "in the one its name says before its dot (audit.touch)"
)
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def function_schema_problem(schema: str) -> str:
    """Why a function's name cannot say ``schema`` before its dot (``audit.touch``), or
    "" (import lists a function of such a schema with this reason)."""
    if not _SCHEMA_NAME.match(schema):
        return "the language names a function's schema in lower-case letters, digits and _"
    if schema.startswith("pg_") or schema == "information_schema":
        return f"schema '{schema}' is PostgreSQL's own"
    return ""


def _check_function_name(report: Reporter, path: YamlPath, name: str) -> None:
    """A function's name is the name alone, or ``schema.name`` (``audit.touch``): a
    double quote made a key ``check --database`` called missing, ``x.y.z`` a function
    of schema x (:func:`check_unqualified`)."""
    schema, dot, bare = name.partition(".")
    if '"' in name or "." in bare or (dot and not _SCHEMA_NAME.match(schema)):
        check_unqualified(report, path, name, "function", home=_FUNCTION_HOME)
    elif dot and function_schema_problem(schema):
        report.error(path, f"{function_schema_problem(schema)}; choose another name")


def check_functions(src: Sources, report: Reporter) -> None:
    """Bodies that parse, one function per signature, names PostgreSQL takes."""
    seen: dict[str, str] = {}
    on_update = mapping(src.database).get("on_update_now") == "trigger"
    for key in sorted(src.functions):
        spec = mapping(src.functions[key])
        path: YamlPath = ("functions", key)
        fn = build_function(key, spec)
        try:
            function_reads(fn)
        except SqlSyntaxError as exc:
            report.error((*path, "body"), f"the {fn.language} body does not parse: {exc}")
        _check_function_name(report, (*path, "name") if "name" in spec else path, fn.name)
        # the name alone: audit.<63 bytes> is made and called as such
        if len(fn.name.rpartition(".")[2].encode()) > naming.MAX_IDENTIFIER_BYTES:
            report.error(path, f"function name {fn.name!r} is longer than 63 bytes")
        other = seen.setdefault(fn.identity, key)
        if other != key:
            report.error(path, f"function {fn.identity} is declared twice: as {other} and {key}")
        if on_update and fn.name.startswith(ON_UPDATE_FUNCTION.format(column="")):
            report.error(
                (*path, "name"),
                f"{fn.name!r}: names starting with {ON_UPDATE_FUNCTION.format(column='')!r} are "
                "schemagen's (on_update_now: trigger)",
            )


def check_triggers(src: Sources, report: Reporter, entity: str) -> None:
    """Each trigger of ``entity`` names a trigger function and a valid combination."""
    triggers = mapping(mapping(src.entities[entity]).get("triggers"))
    for name, raw in triggers.items():
        spec = mapping(raw)
        path: YamlPath = ("entities", entity, "triggers", str(name))
        fn_key = str(spec.get("function"))
        fn_spec = src.functions.get(fn_key)
        if fn_spec is None:
            hint = did_you_mean(fn_key, sorted(src.functions))
            report.error((*path, "function"), f"unknown function '{fn_key}'{hint}")
        elif str(mapping(fn_spec).get("returns", "")).strip().lower() != "trigger":
            report.error((*path, "function"), f"function '{fn_key}' does not return trigger")
        elif mapping(fn_spec).get("arguments"):
            report.error((*path, "function"), f"trigger function '{fn_key}' takes arguments")
        level = spec.get("for_each", "row")
        if spec.get("timing") == "instead of":
            report.error((*path, "timing"), "INSTEAD OF triggers are for views, not tables")
        if level == "row" and "truncate" in (spec.get("events") or ()):
            report.error((*path, "events"), "TRUNCATE triggers must be for_each: statement")
        if level == "statement" and spec.get("when") and "OLD" in str(spec["when"]).upper():
            report.error((*path, "when"), "a statement-level WHEN cannot use OLD or NEW")
        if len(str(name).encode()) > naming.MAX_IDENTIFIER_BYTES:
            report.error(path, "trigger name is longer than 63 bytes")
        _check_transition_tables(spec, path, report)


#: The events after which a transition table holds rows, by its key.
_TRANSITION_EVENTS = {"old_table": ("update", "delete"), "new_table": ("insert", "update")}


def _check_transition_tables(spec: dict[str, Any], path: YamlPath, report: Reporter) -> None:
    """``old_table`` / ``new_table`` where PostgreSQL accepts them (it refuses the
    rest at ``CREATE TRIGGER``, in the middle of a revision)."""
    events = [str(e) for e in spec.get("events") or ()]
    names = []
    for key, allowed in _TRANSITION_EVENTS.items():
        if spec.get(key) is None:
            continue
        where = (*path, key)
        name = str(spec[key])
        names.append(name)
        if spec.get("timing", "before") != "after":
            report.error(where, "a transition table needs timing: after")
        elif len(events) != 1:
            report.error(where, "a transition table needs exactly one event")
        elif events[0] not in allowed:
            report.error(where, f"{key} holds rows after {' or '.join(allowed)} only")
        if len(name.encode()) > naming.MAX_IDENTIFIER_BYTES:
            report.error(where, f"{name!r} is longer than 63 bytes")
    if len(names) == 2 and names[0] == names[1]:
        report.error((*path, "new_table"), "old_table and new_table must differ")


def check_view(
    src: Sources, resolver: Resolver, report: Reporter, name: str, relations: Relations
) -> None:
    """The view's SQL parses, reads what exists, and its declared columns fit."""
    spec = mapping(src.views[name])
    path: YamlPath = ("views", name)
    _check_view_python_names(report, path, name, spec)
    if "view" in spec:
        check_unqualified(report, (*path, "view"), spec["view"], "view")
    if name in src.entities or name in src.enums:
        report.error(path, f"'{name}' is also an entity or enum name: models.py needs one class")
    columns = [str(c) for c in mapping(spec.get("columns"))]
    for col, col_spec in mapping(spec.get("columns")).items():
        col_path = (*path, "columns", str(col))
        try:
            resolver.spec_type(mapping(col_spec), col_path)
        except Unresolved as exc:
            report.error(exc.path, exc.message)
    if "key" in spec:
        check_column_list(report, (*path, "key"), spec.get("key"), columns)
    indexes = mapping(spec.get("indexes"))
    if indexes and not spec.get("materialized"):
        report.error((*path, "indexes"), "only a materialized view can have indexes")
    for ix_name, entry in indexes.items():
        check_index(report, (*path, "indexes", str(ix_name)), entry, columns)
    if view_name(src, name, spec) in {qualified_table_of(src, e) for e in src.entities}:
        report.error(path, f"view {view_name(src, name, spec)!r} has the name of a table")
    try:
        reads = select_reads(str(spec.get("sql", "")))
    except SqlSyntaxError as exc:
        report.error((*path, "sql"), f"the SQL does not parse: {exc}")
        return
    if reads.relations & _broken_tables(src):
        return
    check_view_reads(report, (*path, "sql"), reads, relations)
    _check_outputs(report, path, reads, columns)


def _check_view_python_names(
    report: Reporter, path: YamlPath, name: str, spec: dict[str, Any]
) -> None:
    """The view's class and its columns' attributes are Python names ruff takes."""
    if not name.isidentifier() or keyword.iskeyword(name):
        report.error(path, f"'{name}' is not a Python class name (say view: for the database name)")
    elif name in naming.AMBIGUOUS_NAMES:
        keep = "" if "view" in spec else f", with view: {naming.snake_case(name)} to keep its name"
        report.error(path, f"'{name}' {ambiguous_class(name)}{keep}")
    for col, col_spec in mapping(spec.get("columns")).items():
        col_path = (*path, "columns", str(col))
        attribute = str(mapping(col_spec).get("attribute") or col)
        if not attribute.isidentifier() or keyword.iskeyword(attribute):
            report.error(col_path, f"'{attribute}' is not a Python attribute name: say attribute:")
        elif attribute in naming.AMBIGUOUS_NAMES:
            report.error(
                col_path, f"'{attribute}' {AMBIGUOUS_ATTRIBUTE}: say attribute: {attribute}_"
            )


def check_view_reads(report: Reporter, path: YamlPath, reads: Reads, relations: Relations) -> None:
    """Every relation the SQL names exists; every column it names exists in one."""
    missing = sorted(r for r in reads.relations if r not in relations)
    for rel in missing:
        hint = did_you_mean(rel, sorted(relations))
        report.error(path, f"reads table '{rel}', which the schema does not have{hint}")
    if missing:
        return
    for qualifier, column in sorted(reads.columns, key=lambda c: (c[0] or "", c[1])):
        if qualifier is not None:
            target = reads.aliases.get(qualifier)
            if target is not None and column not in relations[target]:
                hint = did_you_mean(column, relations[target])
                report.error(
                    path,
                    f"reads {qualifier}.{column}, but {target} has no column '{column}'{hint}",
                )
        elif (
            not reads.opaque
            and not any(column in relations[r] for r in reads.relations)
            and column not in reads.labels
        ):
            report.error(path, f"reads column '{column}', which no table it reads has")


def _check_outputs(report: Reporter, path: YamlPath, reads: Reads, columns: list[str]) -> None:
    if reads.star or None in reads.outputs:
        return
    if list(reads.outputs) != columns:
        report.error(
            (*path, "columns"),
            f"declares columns {', '.join(columns)} but the SQL selects "
            f"{', '.join(str(o) for o in reads.outputs)} (same names, same order)",
        )


def check_view_cycles(src: Sources, report: Reporter) -> None:
    """Views that read each other, directly or through others, cannot be created."""
    names = {view_name(src, n, mapping(s)): n for n, s in src.views.items()}
    graph: dict[str, set[str]] = {}
    for db_name, key in names.items():
        try:
            reads = select_reads(str(mapping(src.views[key]).get("sql", "")))
        except SqlSyntaxError:
            continue
        graph[db_name] = {r for r in reads.relations if r in names}
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        cycle = exc.args[1]
        report.error(
            ("views", names[cycle[0]], "sql"),
            f"views read each other in a cycle: {' -> '.join(cycle)}",
        )
