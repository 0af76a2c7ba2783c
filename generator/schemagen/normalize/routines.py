"""Functions, triggers and views built from the merged sources.

Also the database side of ``on_update: now`` (``database.on_update_now:
trigger``): one trigger function per column name and one ``BEFORE UPDATE``
trigger per table that has such a column, made here as ordinary functions and
triggers (``generated=True``) so that every later stage handles them as the
user's own.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..model import naming
from ..model.routines import (
    EVENTS,
    Argument,
    Function,
    Trigger,
    View,
    on_update_function,
    on_update_trigger,
)
from ..model.routinesql import create_function
from ..model.schema import Column, Entity, Schema, sorted_named
from ..source.loader import Sources, mapping
from ..util.sqlrefs import SqlSyntaxError, plpgsql_reads, select_reads, statements_reads
from .columns import build_column
from .resolver import RawColumn, Resolver, pg_schema
from .security import build_policies
from .tables import build_index


def build_function(key: str, spec: dict[str, Any], home: str | None = None) -> Function:
    """One ``functions:`` entry; like a table, it lives in ``home`` (the project's
    default PostgreSQL schema, ``database.schema``; ``None``: the connection's),
    unless its name says its schema (``audit.touch``)."""
    args = []
    for item in spec.get("arguments") or ():
        if isinstance(item, dict):
            args.append(Argument(type=str(item["type"]).strip(), name=item.get("name")))
        else:
            args.append(Argument(type=str(item).strip()))
    fn = Function(
        key=key,
        name=_placed(home, str(spec.get("name") or key)),
        returns=str(spec["returns"]).strip(),
        body=str(spec["body"]),
        arguments=tuple(args),
        language=str(spec.get("language", "plpgsql")),
        volatility=str(spec.get("volatility", "volatile")),
        security=str(spec.get("security", "invoker")),
        verbatim=bool(spec.get("verbatim", False)),
        description=spec.get("description"),
    )
    return _with_reads(fn)


def _placed(home: str | None, name: str) -> str:
    """``name`` in ``home``, or as it is where it says its schema: with ``database.schema:
    app``, ``audit.touch`` was keyed app.audit.touch, and made as ``app."audit.touch"``,
    which ``check --database`` then called missing (validate takes one dot, after a
    schema name). ``public.touch`` is ``touch``, as ``schema: public`` is no schema
    (:func:`.resolver.pg_schema`): kept qualified, it was made as public.touch, and
    ``check --database``, which keys the current schema's objects bare, called
    ``public.touch()`` missing and ``touch()`` extra."""
    schema, dot, bare = name.partition(".")
    if not dot:
        return naming.qualify(home, name)
    return bare if schema == "public" else name


def function_reads(fn: Function) -> tuple[str, ...]:
    """The relations a function body names (raises :class:`SqlSyntaxError`)."""
    if fn.language == "sql":
        return tuple(sorted(statements_reads(fn.body).relations))
    return tuple(sorted(plpgsql_reads(create_function(fn)).relations))


def _with_reads(fn: Function) -> Function:
    try:
        reads = function_reads(fn)
    except SqlSyntaxError:
        reads = ()  # reported by validate; nothing to order by
    return dataclasses.replace(fn, reads=reads)


def build_triggers(
    src: Sources, entity: str, table: str, functions: dict[str, Function]
) -> list[Trigger]:
    """The ``triggers:`` of one entity; ``functions`` maps keys to functions."""
    result = []
    for name, spec in mapping(mapping(src.entities.get(entity)).get("triggers")).items():
        fn = functions.get(str(spec.get("function")))
        events = set(spec.get("events") or ())
        result.append(
            Trigger(
                name=str(name),
                table=table,
                function=fn.identity if fn is not None else f"{spec.get('function')}()",
                timing=str(spec.get("timing", "before")),
                events=tuple(e for e in EVENTS if e in events),
                level=str(spec.get("for_each", "row")),
                when=spec.get("when"),
                description=spec.get("description"),
                old_table=spec.get("old_table"),
                new_table=spec.get("new_table"),
            )
        )
    return result


def build_view(
    resolver: Resolver, name: str, spec: dict[str, Any], home: str | None = None
) -> View:
    """One ``views:`` entry (its columns typed like table columns); like a table, it
    lives in the schema it names, else in ``home`` (``database.schema``; ``None``:
    the connection's)."""
    columns = tuple(
        _view_column(resolver, name, str(col), mapping(col_spec))
        for col, col_spec in mapping(spec.get("columns")).items()
    )
    key = tuple(str(c) for c in spec.get("key") or ())
    if not key and columns:
        key = (columns[0].name,)
    try:
        reads = tuple(sorted(select_reads(str(spec["sql"])).relations))
    except SqlSyntaxError:
        reads = ()
    return View(
        name=name,
        view=naming.qualify(
            pg_schema(spec, home), str(spec.get("view") or naming.snake_case(name))
        ),
        sql=str(spec["sql"]),
        columns=columns,
        key=key,
        materialized=bool(spec.get("materialized", False)),
        description=spec.get("description"),
        indexes=sorted_named(
            build_index(str(n), e) for n, e in mapping(spec.get("indexes")).items()
        ),
        reads=reads,
    )


def _view_column(resolver: Resolver, view: str, name: str, spec: dict[str, Any]) -> Column:
    raw = RawColumn(
        view,
        name,
        {**spec, "nullable": spec.get("nullable", False)},
        ("views", view, "columns", name),
    )
    return build_column(resolver, raw, single_pk=False)


def on_update_objects(
    entities: list[Entity], home: str | None = None
) -> tuple[list[Function], list[Trigger]]:
    """The trigger functions (in ``home``, the default schema: one function serves
    the tables of every schema) and triggers that keep ``on_update: now`` columns."""
    functions: dict[str, Function] = {}
    triggers = []
    for ent in entities:
        for col in ent.columns:
            if not col.on_update_now:
                continue
            fn = functions.get(col.name)
            if fn is None:
                fn = functions[col.name] = on_update_function(col.name, home)
            triggers.append(
                Trigger(
                    name=on_update_trigger(ent.table, col.name),
                    table=ent.table,
                    function=fn.identity,
                    timing="before",
                    events=("update",),
                    level="row",
                    description=f"Sets {col.name} to now() on every UPDATE (on_update: now).",
                    generated=True,
                )
            )
    return [functions[c] for c in sorted(functions)], triggers


def with_routines(schema: Schema, resolver: Resolver) -> Schema:
    """``schema`` (tables only, from :func:`normalize`) with its functions,
    triggers and views, and the database's ``on_update_now`` setting."""
    on_update = str(mapping(resolver.src.database).get("on_update_now", "orm"))
    functions, triggers, views = build_routines(resolver, list(schema.entities), on_update)
    database = dataclasses.replace(schema.database, on_update_now=on_update)
    return dataclasses.replace(
        schema,
        database=database,
        functions=functions,
        triggers=triggers,
        views=views,
        policies=build_policies(resolver.src, schema.entities),
    )


def build_routines(
    resolver: Resolver, entities: list[Entity], on_update: str
) -> tuple[tuple[Function, ...], tuple[Trigger, ...], tuple[View, ...]]:
    """Every function, trigger and view of the sources, in canonical order."""
    src = resolver.src
    home = pg_schema(mapping(src.database), None)
    declared = {
        key: build_function(key, mapping(spec), home) for key, spec in src.functions.items()
    }
    functions = list(declared.values())
    triggers: list[Trigger] = []
    if on_update == "trigger":
        extra_fns, extra_triggers = on_update_objects(entities, home)
        functions += extra_fns
        triggers += extra_triggers
    for ent in entities:
        triggers += build_triggers(src, ent.name, ent.table, declared)
    views = [
        build_view(resolver, name, mapping(src.views[name]), home) for name in sorted(src.views)
    ]
    return (
        tuple(sorted(functions, key=lambda f: f.identity)),
        tuple(sorted(triggers, key=lambda t: (t.table, t.name))),
        tuple(views),
    )
