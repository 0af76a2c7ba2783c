"""The part of ``models.py`` for partitions, views, functions and triggers.

Views become read-only classes on a second declarative base (``ViewBase``)
whose MetaData ``create_all`` never sees: the class gives typed attributes and
queries; the view itself is made by DDL. Functions, views (each after what it
reads) and triggers are created by DDL statements attached to the tables'
MetaData, after the tables, in the order a migration creates them; so
``create_all`` makes exactly the schema the migrations make. Functions that a
table's default, generated column or check calls are made before the tables
(the MetaData's ``before_create``), as a migration makes them. The DDL text is
that of :mod:`schemagen.model.routinesql`, held in string literals.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..model import routinesql as ddl
from ..model import security
from ..model.clustering import cluster_statement
from ..model.replication import replica_identity_statement
from ..model.routines import Function, View, called_first, table_calls
from ..model.schema import Entity, PrimaryKey, Schema
from ..model.sqltext import partition_statements, quote_qualified, text_source
from ..model.storage import has_settings, settings_statements
from ..util.pycode import INDENT, Expr, Str, call, docstring, layout, pylist, pytuple
from .domain_functions import domain_function_identities


@dataclass(frozen=True)
class RoutinesView:
    """Lines of models.py after the table classes (empty when there is nothing)."""

    view_base: list[str]
    view_classes: list[tuple[str, list[str], list[list[str]]]]  # name, doc, statement groups
    tail: list[str]


def view_as_entity(view: View) -> Entity:
    """A view as an entity without constraints, keyed by its ``key`` columns, so
    that its class renders with the column code of the tables."""
    cols = tuple(
        dataclasses.replace(c, primary_key=c.name in view.key, nullable=c.nullable)
        for c in view.columns
    )
    return Entity(
        name=view.name,
        table=view.view,
        columns=cols,
        primary_key=PrimaryKey(name="", columns=view.key),
        description=view.description,
    )


def _tables_call(schema: Schema) -> list[Function]:
    """The functions made before the tables: those they call
    (:func:`schemagen.model.routines.called_first`)."""
    if not schema.functions:
        return []
    names = {fn.name for fn in schema.functions}
    calls = frozenset(name for ent in schema.entities for name in table_calls(ent, names))
    return called_first(schema.functions, calls)


#: A group of statements models.py runs with create_all: ``(kind, name, statements)``.
#: ``kind`` ``table``: the statements of the table ``name`` (``Table.fullname``), run when
#: create_all makes it; ``regprocedure`` or ``regclass``: a function or view, run when
#: ``to_<kind>(name)`` does not find it (create_all is checkfirst: it may make some
#: tables beside others that are there, with what they share).
Group = tuple[str, str, list[str]]


def _function_group(fn: Function) -> Group:
    return ("regprocedure", ddl.function_signature(fn, names=False), ddl.function_statements(fn))


def first_statements(schema: Schema) -> list[Group]:
    """What comes before the tables: the functions they call (but those a domain
    calls, which the domain makes: render.domain_functions)."""
    made = domain_function_identities(schema)
    return [_function_group(fn) for fn in _tables_call(schema) if fn.identity not in made]


def create_statements(schema: Schema, view_order: list[View]) -> list[Group]:
    """Everything after the tables, in creation order: partitions first (as a
    migration creates them with their table), then functions (but those the tables
    call), views, triggers, row-level security, policies, column settings and
    replica identities; each with what it belongs to."""
    first = {fn.identity for fn in _tables_call(schema)} | domain_function_identities(schema)
    groups: list[Group] = [
        ("table", ent.table, partition_statements(ent)) for ent in schema.entities if ent.partitions
    ]
    groups += [_function_group(fn) for fn in schema.functions if fn.identity not in first]
    groups += [
        ("regclass", quote_qualified(view.view), ddl.view_statements(view)) for view in view_order
    ]
    groups += [("table", tg.table, ddl.trigger_statements(tg)) for tg in schema.triggers]
    groups += [
        ("table", ent.table, stmts)
        for ent in schema.entities
        if (stmts := security.row_security_statements(ent.table, None, ent.row_level_security))
    ]
    groups += [("table", p.table, security.policy_statements(p)) for p in schema.policies]
    # columns' statistics targets and storage (a partitioned table's reach its partitions)
    groups += [
        ("table", ent.table, stmts)
        for ent in schema.entities
        if (stmts := [sql for col in ent.columns for sql in settings_statements(ent.table, col)])
    ]
    # after the indexes (create_all makes a table's with it) that USING INDEX names
    groups += [
        ("table", ent.table, [replica_identity_statement(ent.table, ent.replica_identity)])
        for ent in schema.entities
        if ent.replica_identity is not None
    ]
    # CLUSTER ON, after the indexes it names too (pg_dump prints it after them)
    groups += [
        ("table", ent.table, [cluster_statement(ent.table, ent.cluster_on)])
        for ent in schema.entities
        if ent.cluster_on is not None
    ]
    return groups


def drop_statements(view_order: list[View]) -> list[str]:
    """Views dropped before the tables (dependents first); triggers go with their tables."""
    return [
        ddl.drop_view(view).replace("VIEW", "VIEW IF EXISTS", 1) for view in reversed(view_order)
    ]


def ddl_lines(schema: Schema, view_order: list[View], names: dict[str, str]) -> list[str]:
    """The DDL tuples and the listeners that run them with create_all and drop_all."""
    first = first_statements(schema)
    create = create_statements(schema, view_order)
    drop = drop_statements(view_order)
    fn_drops = [
        f"DROP FUNCTION IF EXISTS {ddl.function_signature(fn, names=False)}"
        for fn in schema.functions
    ]
    if not create and not first and not fn_drops:
        return []
    before = [
        "# Functions that the tables' defaults, generated columns or checks call: created",
        "# before the tables by create_all (PostgreSQL refuses such a default otherwise).",
        *layout(_groups(first), "", "DDL_BEFORE_CREATE: list[tuple[str, str, list[str]]] = "),
        "",
        "",
    ]
    lines = [
        *(before if first else []),
        _heading(schema),
        "# the order the migrations create them; views dropped before the tables by",
        "# drop_all, functions after. Written for text(): a colon that would start a",
        "# bind parameter is escaped, and the SQL reaches the database as is.",
        # Lists, not tuples: ruff formats a one-item tuple differently at each line length.
        *layout(_groups(create), "", "DDL_AFTER_CREATE: list[tuple[str, str, list[str]]] = "),
        *layout(_strings(drop), "", "DDL_BEFORE_DROP: list[str] = "),
        *layout(_strings(fn_drops), "", "DDL_AFTER_DROP: list[str] = "),
        "",
        "",
        f"def _create(groups: list[tuple[str, str, list[str]]]) -> {names['Callable']}[..., None]:",
        f'{INDENT}"""A create_all listener that runs the groups of statements not there yet: a',
        f"{INDENT}table's (kind ``table``) when create_all makes the table (it is checkfirst and",
        f"{INDENT}may make some tables only), a function's or view's when ``to_<kind>(name)``",
        f'{INDENT}does not find it."""',
        "",
        f"{INDENT}def listener(target: {names['Any']}, connection: {names['Connection']}, "
        f"**kw: {names['Any']}) -> None:",
        f'{INDENT * 2}made = {{table.fullname for table in kw["tables"]}}',
        f"{INDENT * 2}for kind, name, statements in groups:",
        f'{INDENT * 3}if kind == "table":',
        f"{INDENT * 4}missing = name in made",
        f"{INDENT * 3}else:",
        f'{INDENT * 4}probe = {names["text"]}(f"SELECT to_{{kind}}(:name) IS NULL")',
        f'{INDENT * 4}missing = connection.scalar(probe, {{"name": name}})',
        f"{INDENT * 3}if not missing:",
        f"{INDENT * 4}continue",
        f"{INDENT * 3}for statement in statements:",
        f"{INDENT * 4}connection.execute({names['text']}(statement))",
        "",
        f"{INDENT}return listener",
        "",
        "",
        f"def _run(statements: list[str]) -> {names['Callable']}[..., None]:",
        f'{INDENT}"""A drop_all listener that runs ``statements`` as written."""',
        "",
        f"{INDENT}def listener(target: {names['Any']}, connection: {names['Connection']}, "
        f"**kw: {names['Any']}) -> None:",
        f"{INDENT * 2}for statement in statements:",
        f"{INDENT * 3}connection.execute({names['text']}(statement))",
        "",
        f"{INDENT}return listener",
        "",
        "",
        *(_listen("DDL_BEFORE_CREATE", "before_create", names, run="_create") if first else []),
        *_listen("DDL_AFTER_CREATE", "after_create", names, run="_create"),
        *_listen("DDL_BEFORE_DROP", "before_drop", names),
        *_listen("DDL_AFTER_DROP", "after_drop", names),
    ]
    return lines


def _heading(schema: Schema) -> str:
    """The first comment line over the DDL: what it creates."""
    if any(ent.replica_identity or ent.cluster_on or has_settings(ent) for ent in schema.entities):
        return "# Functions, views, triggers, security, table settings: after the tables, in"
    if schema.policies or any(ent.row_level_security for ent in schema.entities):
        return "# Functions, views, triggers and row-level security: created after the tables, in"
    if any(ent.partitions for ent in schema.entities):
        return f"# Partitions, functions, views and triggers: {_AFTER_TABLES}"
    return f"# Functions, views and triggers: {_AFTER_TABLES}"


_AFTER_TABLES = "created after the tables by create_all, in"


def _strings(statements: list[str]) -> Expr:
    return pylist([Str(text_source(s)) for s in statements])


def _groups(groups: list[Group]) -> Expr:
    return pylist([pytuple([Str(kind), Str(name), _strings(sqls)]) for kind, name, sqls in groups])


def _listen(constant: str, event: str, names: dict[str, str], *, run: str = "_run") -> list[str]:
    listener = f"{run}({constant})"
    statement = call(f"{names['event']}.listen", f"{names['base']}.metadata", Str(event), listener)
    return layout(statement)


def view_base_lines(names: dict[str, str]) -> list[str]:
    """``ViewBase`` and the guard that keeps its classes read-only."""
    return [
        f"class ViewBase({names['DeclarativeBase']}):",
        f'{INDENT}"""Base of the read-only view classes: create_all never sees this MetaData',
        f'{INDENT}(the views are made by the DDL at the end of this module)."""',
        "",
        f"{INDENT}metadata = {names['MetaData']}()",
        "",
        "",
        f"def _read_only(mapper: {names['Any']}, connection: {names['Any']}, "
        f"target: object) -> None:",
        f'{INDENT}"""Refuse to write a view: its rows come from its query."""',
        f'{INDENT}raise TypeError(f"{{type(target).__name__}} maps a view and is read-only")',
        "",
        "",
        'for _write in ("before_insert", "before_update", "before_delete"):',
        f"{INDENT}{names['event']}.listen(ViewBase, _write, _read_only, propagate=True)",
    ]


def view_doc(view: View) -> list[str]:
    """The class docstring: the description, and what the view reads."""
    reads = ", ".join(f"``{r}``" for r in view.reads) or "no table"
    text = (view.description or f"The {view.kind} {view.view}.").rstrip()
    return docstring(f"{text}\n\nRead-only {view.kind} over {reads}.", INDENT)
