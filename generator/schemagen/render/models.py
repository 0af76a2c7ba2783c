"""The view-model of ``models.py``: every statement laid out in Python, placed by the template.

Everything is decided here and in the modules below, from the normalized model
alone (SQLAlchemy is never imported): which imports, which arguments, which
names. Every constraint and index is rendered with its final name from the
model, so the database names never depend on SQLAlchemy's naming-convention
logic. User text reaches the code only as string literals
(:func:`~schemagen.util.pycode.py_str`) or escaped docstrings.

This module assembles it: the naming convention and declarative base, the
module-level helpers and DDL, the enums, a class per table and the views. Its
parts have modules of their own: the imports (``imports``), a column and its
type (``columns``, ``column_types``), a table's constraints, indexes and options
(``table_args``), relationships (``relationships``), tables without a primary
key (``keyless_tables``), and ``domains``, ``sequences``, ``routines``,
``arrays``, ``text_types``, ``listeners`` and ``collector``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import naming
from ..model.naming import DEFAULT_NAMING_CONVENTION
from ..model.routines import view_order
from ..model.schema import Entity, Schema
from ..model.sqltext import not_valid_check_sql, quote_name
from ..model.storage import has_settings
from ..model.typemap import SQL_TYPE_LINES
from ..util.pycode import INDENT, Expr, docstring, layout, py_str, pydict, pytuple
from . import collector, sequences
from .arrays import named_type_array_lines
from .column_types import domain_base_expr
from .columns import column_lines
from .domain_functions import domain_function_lines
from .domains import DomainNames, domain_lines
from .imports import Imports
from .keyless_tables import table_lines, table_variables
from .listeners import listener_lines, table_listener_lines
from .relationships import relationship_lines
from .routines import ddl_lines, view_as_entity, view_base_lines, view_doc
from .table_args import table_arguments
from .text_types import sql_text_lines


@dataclass(frozen=True)
class EnumView:
    name: str
    doc: list[str]
    members: list[str]


@dataclass(frozen=True)
class ClassView:
    name: str
    doc: list[str]
    #: Groups of lines, none empty: the template separates groups with a blank line
    #: and joins the lines of each (one join instead of a loop step per line).
    statements: list[list[str]]


@dataclass(frozen=True)
class ModelsView:
    header: list[str]
    module_doc: list[str]
    imports: list[str]
    naming_convention: list[str]
    base: str
    enum_helper: str
    #: The cycle collector's pause of a large module: right after the declarative
    #: base, before the first class the module defines (its enums).
    pause: list[str]
    helpers: list[str]  # module-level definitions the classes use (SqlType)
    enums: list[EnumView]
    classes: list[ClassView]
    #: Tables without a primary key: a ``Table`` each (the ORM maps no class without one).
    tables: list[list[str]] = field(default_factory=list)
    view_base: list[str] = field(default_factory=list)
    view_classes: list[ClassView] = field(default_factory=list)
    tail: list[str] = field(default_factory=list)


def models_view(schema: Schema, header: list[str]) -> ModelsView:
    """Build the view-model of ``models.py`` for ``schema``."""
    # Class attributes hide module names in later lines of their class body, and
    # the classes themselves rebind module names: imports of such names get aliases.
    classes_named = {ent.name for ent in schema.entities} | {en.name for en in schema.enums}
    shadowed = (
        frozenset(
            name
            for ent in schema.entities
            for name in [c.attribute or c.name for c in ent.columns]
            + [r.name for r in ent.relationships]
        )
        | frozenset(c.name for v in schema.views for c in v.columns)
        | classes_named
        | {v.name for v in schema.views}
    )
    table_names = table_variables(schema, shadowed)
    imp = Imports(shadowed | frozenset(table_names.values()))
    while imp.helper in shadowed:
        imp.helper += "_"
    base = "Base"
    while base in classes_named:
        base += "_"
    declarative = imp.name("sqlalchemy.orm", "DeclarativeBase")
    metadata = imp.name("sqlalchemy", "MetaData")
    classes = [_entity_view(schema, ent, imp) for ent in schema.entities if ent.has_primary_key]
    tables = [
        table_lines(schema, ent, imp, table_names[ent.name], base)
        for ent in schema.entities
        if not ent.has_primary_key
    ]
    view_base, view_classes, tail = _routines_view(schema, imp, base)
    enums = [_enum_view(schema, en.name) for en in schema.enums]
    large = len(schema.entities) >= collector.PAUSE_FROM
    pause = collector.pause_lines(imp.name, imp.module) if large else []
    # After the classes: they tell whether an array of a domain (over an enum) is used.
    # Before _helper_lines: a domain's base type may be the only use of SqlType.
    domains = domain_lines(
        schema,
        DomainNames(imp.name, imp.own, base, imp.enum_domain_array, imp.domain_array),
        lambda dom: domain_base_expr(schema, dom, imp, base),
    )
    blocks = [
        b
        for b in (
            _helper_lines(imp),
            _pg_schema_lines(schema, imp, base),
            _not_valid_check_lines(schema, imp, base),
            # before the domains: one over an array of citext is Domain(..., NamedTypeArray(..))
            named_type_array_lines(imp.name, imp.own) if imp.named_type_array else [],
            domains,
            sequences.standalone_lines(schema, imp.name, base),
            sequences.domain_sequence_lines(schema, imp.name),
            domain_function_lines(schema, imp.name),
            sequences.owned_by_lines(schema, imp.name, base),
        )
        if b
    ]
    helpers = [line for i, b in enumerate(blocks) for line in (["", ""] if i else []) + b]
    if schema.enums:
        imp.module("enum")
    base_lines = [
        f"class {base}({declarative}):",
        f'{INDENT}"""Declarative base whose MetaData names constraints as the schema does."""',
        "",
        f"{INDENT}metadata = {metadata}(naming_convention=NAMING_CONVENTION)",
    ]
    if large:
        tail += ([""] * 2 if tail else []) + collector.resume_lines()
    return ModelsView(
        header=header,
        module_doc=docstring(f"SQLAlchemy models of the {schema.database.name} database.", ""),
        imports=imp.lines(),
        naming_convention=_convention_lines(schema) + [""] + [""] + base_lines,
        base=base,
        enum_helper=imp.helper,
        pause=pause,
        helpers=helpers,
        enums=enums,
        classes=classes,
        tables=tables,
        view_base=view_base,
        view_classes=view_classes,
        tail=tail,
    )


def _routines_view(
    schema: Schema, imp: Imports, base: str
) -> tuple[list[str], list[ClassView], list[str]]:
    """``ViewBase`` and the view classes, and the DDL of partitions, functions, views,
    triggers, row-level security, column settings, replica identities and CLUSTER ON
    marks."""
    partitions = any(ent.partitions for ent in schema.entities)
    secured = schema.policies or any(
        ent.row_level_security or ent.replica_identity or ent.cluster_on or has_settings(ent)
        for ent in schema.entities
    )
    if not (schema.views or schema.functions or schema.triggers or partitions or secured):
        return [], [], []
    names = {
        "base": base,
        "event": imp.name("sqlalchemy", "event"),
        "Connection": imp.name("sqlalchemy", "Connection"),
        "Callable": imp.name("collections.abc", "Callable"),
        "Any": imp.name("typing", "Any"),
        "text": imp.name("sqlalchemy", "text"),
    }
    order = view_order(list(schema.views))
    tail = ddl_lines(schema, order, names)
    if not schema.views:
        return [], [], tail
    names |= {
        "DeclarativeBase": imp.name("sqlalchemy.orm", "DeclarativeBase"),
        "MetaData": imp.name("sqlalchemy", "MetaData"),
    }
    classes = []
    for view in schema.views:
        ent = view_as_entity(view)
        columns = [column_lines(schema, ent, col, imp) for col in ent.columns]
        pg_schema, bare = naming.split_qualified(view.view)
        head = [f"{INDENT}__tablename__ = {py_str(bare)}"]
        if pg_schema is not None:
            # ORM queries read the view where the DDL made it, whatever the search_path;
            # a tuple, as a table's: a dict is a mutable class attribute (ruff's RUF012)
            schema_arg = f"{{{py_str('schema')}: {py_str(pg_schema)}}}"
            head.append(f"{INDENT}__table_args__ = ({schema_arg},)")
        statements = [head, [line for lines in columns for line in lines]]
        classes.append(ClassView(view.name, view_doc(view), statements))
    return view_base_lines(names), classes, tail


def _pg_schema_lines(schema: Schema, imp: Imports, base: str) -> list[str]:
    """The PostgreSQL schemas that tables, types and sequences live in: create_all
    makes them first (migrations create them with CREATE SCHEMA IF NOT EXISTS)."""
    if not schema.pg_schemas:
        return []
    statements = [f"CREATE SCHEMA IF NOT EXISTS {quote_name(name)}" for name in schema.pg_schemas]
    return listener_lines(
        statements,
        constant="PG_SCHEMAS_DDL",
        event="before_create",
        comment="PostgreSQL schemas of the tables below; create_all makes them first.",
        name=imp.name,
        base=base,
    )


def _not_valid_check_lines(schema: Schema, imp: Imports, base: str) -> list[str]:
    """The checks declared ``validated: false``: not in their tables' arguments,
    since PostgreSQL makes a check written inside CREATE TABLE valid; create_all
    adds them NOT VALID after the tables, as the migrations do."""
    statements = {
        ent.table: [not_valid_check_sql(ent.table, ck) for ck in ent.checks if not ck.validated]
        for ent in schema.entities
    }
    statements = {table: sqls for table, sqls in statements.items() if sqls}
    if not statements:
        return []
    return table_listener_lines(
        statements,
        constant="NOT_VALID_CHECKS_DDL",
        comment="Checks left NOT VALID on purpose (validated: false): added to their tables.",
        name=imp.name,
        base=base,
    )


def _helper_lines(imp: Imports) -> list[str]:
    if not imp.sql_type:
        return []
    user_type = imp.name("sqlalchemy.types", "UserDefinedType")
    any_ = imp.name("typing", "Any")
    lines = [
        line.replace("UserDefinedType", user_type).replace("Any", any_)
        for line in SQL_TYPE_LINES
    ]
    return lines + (["", "", *sql_text_lines(imp.name)] if imp.sql_text else [])


def _convention_lines(schema: Schema) -> list[str]:
    conv = dict(DEFAULT_NAMING_CONVENTION)
    conv.update(dict(schema.database.naming_convention))
    # A template using %(constraint_name)s would rewrite the explicit names below
    # (SQLAlchemy applies it on top of a given name), so such keys are left out.
    items: dict[str, Expr] = {
        k: py_str(v) for k, v in sorted(conv.items()) if "%(constraint_name)s" not in v
    }
    return [
        "# Names for anything created without an explicit name; every constraint and",
        "# index below is named explicitly, exactly as in the schema.",
        *layout(pydict(items), "", "NAMING_CONVENTION: dict[str, str] = "),
    ]


def _enum_view(schema: Schema, name: str) -> EnumView:
    en = schema.enum(name)
    doc = docstring(en.description or f"Values of the {en.db_name} enum type.", INDENT)
    members = []
    for value in en.values:
        members.extend(layout(py_str(value.value), INDENT, f"{value.member} = "))
    return EnumView(en.name, doc, members)


def _entity_view(schema: Schema, ent: Entity, imp: Imports) -> ClassView:
    doc = docstring(ent.description, INDENT) if ent.description else []
    table_args = table_arguments(ent, imp)
    statements = [
        [
            f"{INDENT}__tablename__ = {py_str(naming.split_qualified(ent.table)[1])}",
            *layout(pytuple(table_args), INDENT, "__table_args__ = "),
        ]
    ]
    columns = [column_lines(schema, ent, col, imp) for col in ent.columns]
    statements.append([line for lines in columns for line in lines])
    if ent.relationships:
        rels = [relationship_lines(schema, ent, rel, imp) for rel in ent.relationships]
        statements.append([line for lines in rels for line in lines])
    return ClassView(ent.name, doc, statements)
