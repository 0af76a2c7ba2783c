"""The view-model of ``models.py``: every statement laid out in Python, placed by the template.

Everything is decided here, from the normalized model alone (SQLAlchemy is never
imported): which imports, which arguments, which names. Every constraint and
index is rendered with its final name from the model, so the database names never
depend on SQLAlchemy's naming-convention logic. User text reaches the code only
as string literals (:func:`~schemagen.util.pycode.py_str`) or escaped docstrings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import naming, pgtypes
from ..model.naming import DEFAULT_NAMING_CONVENTION
from ..model.routines import view_order
from ..model.schema import (
    INTEGER_TYPES,
    Column,
    ColumnType,
    Domain,
    Entity,
    ExcludeConstraint,
    ForeignKey,
    Index,
    Relationship,
    Schema,
)
from ..model.sequences import identity_kwargs
from ..model.sqltext import (
    column_key_options,
    default_sql,
    expression_key_options,
    expression_key_text,
    index_key_sql,
    not_valid_check_sql,
    quote_name,
    text_source,
)
from ..model.typemap import (
    SQL_TEXT,
    SQL_TYPE,
    SQL_TYPE_LINES,
    domain_variable,
    python_type,
    sa_type,
)
from ..util.identity import Memo, by_identity
from ..util.pycode import (
    INDENT,
    Call,
    Expr,
    Kw,
    Str,
    call,
    docstring,
    from_import_lines,
    layout,
    py_str,
    pydict,
    pylist,
    pytuple,
)
from . import collector, sequences
from .arrays import NAMED_TYPE_ARRAY, named_type_array_lines
from .domains import DOMAIN_ARRAY, ENUM_DOMAIN_ARRAY, DomainNames, domain_lines, plain_base
from .listeners import listener_lines, table_listener_lines
from .routines import ddl_lines, view_as_entity, view_base_lines, view_doc
from .text_types import sql_text_lines

_STDLIB = frozenset({"collections.abc", "datetime", "decimal", "enum", "os", "pathlib", "typing"})

# Python-type modules of typemap.python_type and how models.py imports them.
_PY_IMPORTS: dict[str, tuple[str, str | None]] = {
    "datetime": ("datetime", None),
    "uuid": ("uuid", None),
    "decimal": ("decimal", "Decimal"),
    "typing": ("typing", "Any"),
    "range": ("sqlalchemy.dialects.postgresql", "Range"),
}


@dataclass
class Imports:
    """The imports of a module, with aliases where a class attribute would shadow a name.

    Inside a class body an attribute named ``text`` or ``uuid`` hides the module's
    ``text()`` or ``uuid`` for every later line, so such imports get an alias
    (``text as text_``) and the code uses the alias.
    """

    shadowed: frozenset[str]
    modules: dict[str, str] = field(default_factory=dict)  # module -> local name
    helper: str = "enum_values"  # the module's enum helper; renamed if shadowed
    sql_type: bool = False  # the module defines SqlType (a type SQLAlchemy has no class for)
    sql_text: bool = False  # and SqlText (a SqlType whose values are text: text_types)
    #: A column is an array of a domain over an enum: the module defines EnumDomainArray.
    enum_domain_array: bool = False
    #: A column is an array of a domain over another type: the module defines DomainArray.
    domain_array: bool = False
    #: A column is an array of a type psycopg cannot read (pgtypes.psycopg_reads_array),
    #: or of a domain over one: the module defines NamedTypeArray.
    named_type_array: bool = False
    defined: dict[str, str] = field(default_factory=dict)  # module-level class -> its name
    names: dict[tuple[str, str], str] = field(default_factory=dict)  # (module, name) -> local
    #: The type expression written for each ColumnType object: the 32,000 columns
    #: of a 2,000-table schema share about 200 type objects. Their imports were
    #: made with the first one.
    type_exprs: Memo[ColumnType, Expr] = field(default_factory=dict)

    def name(self, module: str, name: str) -> str:
        """Import ``name`` from ``module``; return the name to use in code."""
        local = self.names.get((module, name))
        if local is None:  # asked for about 80 times per table: looked up, not re-derived
            local = self.names[(module, name)] = self._local(name)
        return local

    def own(self, name: str) -> str:
        """The name of a class the module defines itself, clear of what it shadows."""
        return self.defined.setdefault(name, self._local(name))

    def module(self, module: str) -> str:
        """Import ``module`` itself; return the name to use in code."""
        return self.modules.setdefault(module, self._local(module))

    def _local(self, name: str) -> str:
        local = name
        while local in self.shadowed:
            local += "_"
        return local

    def lines(self) -> list[str]:
        """Import lines sorted as ruff's isort rules want: stdlib, then third party."""
        stdlib = [[_import_line(m, a)] for m, a in sorted(self.modules.items())]
        third: list[list[str]] = []
        by_module: dict[str, list[str]] = {}
        for (module, name), local in self.names.items():
            by_module.setdefault(module, []).append(name if local == name else f"{name} as {local}")
        for module in sorted(by_module):
            target = stdlib if module in _STDLIB else third
            target.append(from_import_lines(module, by_module[module]))
        stdlib.sort(key=lambda lines: (lines[0].startswith("from "), lines[0].lower()))
        flat_std = [line for lines in stdlib for line in lines]
        flat_third = [line for lines in third for line in lines]
        return flat_std + ([""] if flat_std and flat_third else []) + flat_third


def _import_line(module: str, local: str) -> str:
    return f"import {module}" if module == local else f"import {module} as {local}"


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
    table_names = _table_variables(schema, shadowed)
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
        _table_lines(schema, ent, imp, table_names[ent.name], base)
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
        lambda dom: _base_expr(schema, dom, imp, base),
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
    triggers, row-level security and replica identities."""
    partitions = any(ent.partitions for ent in schema.entities)
    secured = schema.policies or any(
        ent.row_level_security or ent.replica_identity for ent in schema.entities
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
        columns = [_column_lines(schema, ent, col, imp) for col in ent.columns]
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
    table_args = _table_args(ent, imp)
    statements = [
        [
            f"{INDENT}__tablename__ = {py_str(naming.split_qualified(ent.table)[1])}",
            *layout(pytuple(table_args), INDENT, "__table_args__ = "),
        ]
    ]
    columns = [_column_lines(schema, ent, col, imp) for col in ent.columns]
    statements.append([line for lines in columns for line in lines])
    if ent.relationships:
        rels = [_relationship_lines(schema, ent, rel, imp) for rel in ent.relationships]
        statements.append([line for lines in rels for line in lines])
    return ClassView(ent.name, doc, statements)


# --- tables without a primary key ------------------------------------------------


def _table_variables(schema: Schema, taken: frozenset[str]) -> dict[str, str]:
    """Entity -> the module variable of its ``Table``, for the entities without a
    primary key: ``t_<table>`` as sqlacodegen names them (``t_<schema>_<table>``
    outside the default schema), clear of every other name of the module."""
    found: dict[str, str] = {}
    used = set(taken)
    for ent in schema.entities:
        if ent.has_primary_key:
            continue
        name = "t_" + re.sub(r"\W", "_", ent.table.replace(".", "_"))
        while name in used:
            name += "_"
        used.add(name)
        found[ent.name] = name
    return found


def _table_lines(schema: Schema, ent: Entity, imp: Imports, variable: str, base: str) -> list[str]:
    """``t_events = Table("events", Base.metadata, Column(...), ..., comment=...)``:
    what sqlacodegen writes for a table without a primary key, which SQLAlchemy's
    ORM cannot map as a class. Columns are keyed by their names (no attributes)."""
    columns = [_table_column(schema, ent, col, imp) for col in ent.columns]
    constraints = _table_constraints(ent, imp)
    options = _table_options(ent)
    value = call(
        imp.name("sqlalchemy", "Table"),
        py_str(naming.split_qualified(ent.table)[1]),
        f"{base}.metadata",
        *columns,
        *constraints,
        **options,
    )
    lines = [f"# {line}".rstrip() for line in (ent.description or "").splitlines()[:1]]
    return lines + layout(value, "", f"{variable} = ")


def _table_column(schema: Schema, ent: Entity, col: Column, imp: Imports) -> Expr:
    """``Column(name, type, ...)`` of a ``Table``: the ``mapped_column`` arguments,
    with NOT NULL said outright (no ``Mapped[...]`` annotation to infer it from)."""
    args, kwargs = _column_arguments(schema, ent, col, imp)
    del kwargs["primary_key"], kwargs["autoincrement"]  # never in a table without a key
    return call(
        imp.name("sqlalchemy", "Column"),
        py_str(col.name),
        *args,
        nullable=None if col.nullable else "False",
        **kwargs,
    )


# --- columns ------------------------------------------------------------------


def _attr(ent: Entity, column: str) -> str:
    """The Python attribute (the Column's key) of ``column``; table-level constructs
    such as Index and UniqueConstraint find columns by key. A ``Table`` (no primary
    key) keys its columns by name."""
    if ent.has_column(column) and ent.has_primary_key:
        col = ent.column(column)
        return col.attribute or col.name
    return column


def _column_lines(schema: Schema, ent: Entity, col: Column, imp: Imports) -> list[str]:
    annotation = _annotation(col, imp)
    attribute = col.attribute or col.name
    args, kwargs = _column_arguments(schema, ent, col, imp)
    if attribute != col.name:
        args.insert(0, py_str(col.name))
    value = call(imp.name("sqlalchemy.orm", "mapped_column"), *args, **kwargs)
    mapped = imp.name("sqlalchemy.orm", "Mapped")
    return layout(value, INDENT, f"{attribute}: {mapped}[{annotation}] = ")


def _column_arguments(
    schema: Schema, ent: Entity, col: Column, imp: Imports
) -> tuple[list[Expr], dict[str, Expr | None]]:
    """The positional and keyword arguments of a column, after its name: the same
    for ``mapped_column`` and ``Column``."""
    args: list[Expr] = [_type_expr(schema, col, imp)]
    fk = _single_fk(ent, col)
    if fk is not None:
        args.append(_foreign_key(fk, imp))
    if col.identity:
        options = identity_kwargs(col.identity_options)
        args.append(call(imp.name("sqlalchemy", "Identity"), **dict(options)))
    if sequences.needs_own_sequence(ent, col):
        args.append(sequences.column_sequence(ent, col, imp.name))
    if col.generated is not None:
        computed = imp.name("sqlalchemy", "Computed")
        args.append(call(computed, Str(text_source(col.generated)), persisted="True"))
    kwargs: dict[str, Expr | None] = {
        "primary_key": "True" if col.primary_key else None,
        "autoincrement": "False" if _serial_by_accident(ent, col) else None,
        "server_default": _server_default(schema, ent, col, imp),
        **_on_update(schema, col, imp),
        "comment": Str(col.description) if col.description else None,
    }
    return args, kwargs


def _on_update(schema: Schema, col: Column, imp: Imports) -> dict[str, Expr | None]:
    """``onupdate=func.now()``; with ``on_update_now: trigger`` the database sets
    the value, and ``server_onupdate=FetchedValue()`` tells the ORM to read it back
    instead of sending its own."""
    if not col.on_update_now:
        return {}
    if schema.database.on_update_now == "trigger":
        return {"server_onupdate": f"{imp.name('sqlalchemy', 'FetchedValue')}()"}
    return {"onupdate": f"{imp.name('sqlalchemy', 'func')}.now()"}


def _serial_by_accident(ent: Entity, col: Column) -> bool:
    """A lone integer primary key that is no identity: SQLAlchemy would make it
    SERIAL in create_all unless told otherwise, and the migrations would not."""
    return (
        col.primary_key
        and not col.identity
        and not col.serial
        and col.type.kind in INTEGER_TYPES
        and len(ent.primary_key.columns) == 1
    )


def _annotation(col: Column, imp: Imports) -> str:
    text, modules = python_type(col.type, col.default)
    for module in sorted(modules):
        mod, name = _PY_IMPORTS[module]
        if name is None:
            local = imp.module(mod)
            if local != mod:
                text = re.sub(rf"\b{mod}(?=\.)", local, text)
        else:
            local = imp.name(mod, name)
            if local != name:
                text = re.sub(rf"\b{name}\b", local, text)
    return f"{text} | None" if col.nullable else text


def _base_expr(schema: Schema, dom: Domain, imp: Imports, base: str) -> Expr:
    """The base type of a domain, as a column of that type would have it. An enum
    gets the metadata: create_all makes a type of no table only so, and this one
    before the domain (its listener comes first, from the inner call)."""
    plain = plain_base(dom)
    expr = _type_expr(schema, Column(name="", type=plain.type), imp)
    if plain.type.kind == "enum" and isinstance(expr, Call):
        expr = expr._replace(args=(*expr.args, Kw("metadata", f"{base}.metadata")))
    return expr


def _type_expr(schema: Schema, col: Column, imp: Imports) -> Expr:
    """The column type as models.py writes it (``imp.type_exprs`` remembers it)."""
    return by_identity(imp.type_exprs, col.type, lambda ct: _new_type_expr(schema, ct, imp))


def _new_type_expr(schema: Schema, ct: ColumnType, imp: Imports) -> Expr:
    if ct.domain is not None:
        return domain_variable(ct.domain)
    if ct.kind == "array" and ct.of is not None and not _psycopg_reads_array(schema, ct.of):
        imp.named_type_array = True
        item = _type_expr(schema, Column(name="", type=ct.of), imp)
        return Call(imp.own(NAMED_TYPE_ARRAY), (item,))
    if ct.kind == "array" and ct.of is not None and ct.of.domain and ct.of.kind == "enum":
        imp.enum_domain_array = True
        return Call(imp.own(ENUM_DOMAIN_ARRAY), (domain_variable(ct.of.domain),))
    if ct.kind == "array" and ct.of is not None and ct.of.domain:
        imp.domain_array = True
        return Call(imp.own(DOMAIN_ARRAY), (domain_variable(ct.of.domain),))
    if ct.kind == "enum" or (
        ct.kind == "array" and ct.of is not None and ct.of.kind == "enum" and ct.of.domain is None
    ):
        # Built here rather than taken from typemap as text, so that it can be split.
        inner = ct.of if ct.kind == "array" and ct.of is not None else ct
        assert inner.enum is not None
        en = schema.enum(inner.enum)
        pg_schema, name = naming.split_qualified(en.db_name)
        in_schema = (Kw("schema", py_str(pg_schema)),) if pg_schema is not None else ()
        quote = (Kw("quote", "True"),) if naming.type_needs_quotes(name) else ()
        expr: Expr = Call(
            imp.name("sqlalchemy", "Enum"),
            (
                en.name,
                Kw("name", py_str(name)),
                *in_schema,
                *quote,
                Kw("values_callable", imp.helper),
            ),
        )
        if ct.kind == "array":
            expr = Call(imp.name("sqlalchemy.dialects.postgresql", "ARRAY"), (expr,))
        return expr
    code = sa_type(ct, schema, "models")
    text = code.expr
    for module, name in sorted(code.imports):
        if name in (SQL_TYPE, SQL_TEXT) and not module:
            imp.sql_type = True
            imp.sql_text = imp.sql_text or name == SQL_TEXT
            continue
        local = imp.name(module, name)
        if local != name:
            text = re.sub(rf"\b{name}(?=\()", local, text)
    return text


def _psycopg_reads_array(schema: Schema, item: ColumnType) -> bool:
    """Whether psycopg reads an array of ``item``: of a domain, as an array of its base
    type (DomainArray), else of the type itself. And whether both drivers read it
    alike: an array of a SqlText is selected as text[] too (NamedTypeArray)."""
    base = schema.domain(item.domain).type if item.domain is not None else item
    return pgtypes.psycopg_reads_array(base) and pgtypes.sent_as(base) is None


def _single_fk(ent: Entity, col: Column) -> ForeignKey | None:
    for fk in ent.foreign_keys:
        if fk.columns == (col.name,):
            return fk
    return None


def _foreign_key(fk: ForeignKey, imp: Imports) -> Expr:
    target = f"{fk.ref_table}.{fk.ref_columns[0]}"
    return call(
        imp.name("sqlalchemy", "ForeignKey"),
        py_str(target),
        ondelete=py_str(fk.on_delete) if fk.on_delete else None,
        onupdate=py_str(fk.on_update) if fk.on_update else None,
        deferrable="True" if fk.deferrable else None,
        initially=py_str("DEFERRED") if fk.initially_deferred else None,
        match=py_str(fk.match) if fk.match else None,
        name=py_str(fk.name),
        **_not_valid_key(fk),
    )


def _not_valid_key(fk: ForeignKey) -> dict[str, Expr | None]:
    """A key declared ``validated: false``: PostgreSQL makes a key written inside
    CREATE TABLE valid, so create_all adds it after the tables (``use_alter``)
    ``NOT VALID``, as the migrations do."""
    if fk.validated:
        return {}
    return {"use_alter": "True", "postgresql_not_valid": "True"}


def _server_default(schema: Schema, ent: Entity, col: Column, imp: Imports) -> Expr | None:
    if col.default is None:
        # A column of a domain with a DEFAULT takes the domain's: FetchedValue() (no
        # DDL) tells the ORM so, which would otherwise insert NULL into the column.
        dom = col.type.domain
        if dom is not None and schema.domain(dom).default is not None:
            return f"{imp.name('sqlalchemy', 'FetchedValue')}()"
        return None
    # A serial key: SQLAlchemy's create_all writes SERIAL, which makes the sequence,
    # its OWNED BY and the default exactly as the migrations do.
    if sequences.made_by_serial(ent, col):
        return None
    if col.serial:
        sql = sequences.model_default(ent, col)
        return None if sql is None else Call(imp.name("sqlalchemy", "text"), (Str(sql),))
    if col.default.kind == "now":
        return f"{imp.name('sqlalchemy', 'func')}.now()"
    sql = default_sql(col)
    assert sql is not None
    return Call(imp.name("sqlalchemy", "text"), (Str(text_source(sql)),))


# --- __table_args__ -----------------------------------------------------------


def _table_args(ent: Entity, imp: Imports) -> list[Expr]:
    """The constraints and indexes of a table, then a dict of its options (when any)."""
    options = _table_options(ent)
    return _table_constraints(ent, imp) + ([pydict(options)] if options else [])


def _table_constraints(ent: Entity, imp: Imports) -> list[Expr]:
    """The primary key (when there is one), constraints and indexes of a table."""
    args: list[Expr] = []
    if ent.has_primary_key:
        pk = ent.primary_key
        args.append(
            call(
                imp.name("sqlalchemy", "PrimaryKeyConstraint"),
                *[py_str(_attr(ent, c)) for c in pk.columns],
                name=py_str(pk.name),
            )
        )
    for fk in ent.foreign_keys:
        if len(fk.columns) > 1:
            args.append(
                call(
                    imp.name("sqlalchemy", "ForeignKeyConstraint"),
                    pylist([py_str(_attr(ent, c)) for c in fk.columns]),
                    pylist([py_str(f"{fk.ref_table}.{c}") for c in fk.ref_columns]),
                    ondelete=py_str(fk.on_delete) if fk.on_delete else None,
                    onupdate=py_str(fk.on_update) if fk.on_update else None,
                    deferrable="True" if fk.deferrable else None,
                    initially=py_str("DEFERRED") if fk.initially_deferred else None,
                    match=py_str(fk.match) if fk.match else None,
                    name=py_str(fk.name),
                    **_not_valid_key(fk),
                )
            )
    for uq in ent.uniques:
        args.append(
            call(
                imp.name("sqlalchemy", "UniqueConstraint"),
                *[py_str(_attr(ent, c)) for c in uq.columns],
                name=py_str(uq.name),
                deferrable="True" if uq.deferrable else None,
                initially=py_str("DEFERRED") if uq.initially_deferred else None,
            )
        )
    for ck in (ck for ck in ent.checks if ck.validated):  # else NOT_VALID_CHECKS_DDL
        args.append(
            call(
                imp.name("sqlalchemy", "CheckConstraint"),
                Str(text_source(ck.expression)),
                name=py_str(ck.name),
            )
        )
    args.extend(_exclude(ent, ex, imp) for ex in ent.excludes)
    args.extend(_index(ent, ix, imp) for ix in ent.indexes)
    return args


def _table_options(ent: Entity) -> dict[str, Expr]:
    """``comment``, ``schema`` and ``postgresql_partition_by`` of a table, when set."""
    options: dict[str, Expr] = {}
    if ent.description:
        options["comment"] = Str(ent.description)
    pg_schema = naming.split_qualified(ent.table)[0]
    if pg_schema is not None:
        options["schema"] = py_str(pg_schema)
    if ent.partition_by is not None:
        # the partitions themselves are made by the DDL at the end of the module
        options["postgresql_partition_by"] = Str(ent.partition_by.sql())
    return options


def _index_elements(ent: Entity, ix: Index, imp: Imports) -> list[Expr]:
    """Column keys by attribute; expression and ordered keys as ``text()`` (their
    operator class inside). An expression key with a collation of its own is a
    ``literal_column`` of its text, which ``postgresql_ops`` names (with the collation
    and the operator class): Alembic compares the expression without them, as it
    reflects it, where it would compare a ``text()`` with ``COLLATE`` and differ."""
    if not ix.keys:
        return [py_str(_attr(ent, c)) for c in ix.columns]
    elements: list[Expr] = []
    for key in ix.keys:
        if key.column is not None and not key.descending and not key.nulls:
            elements.append(py_str(_attr(ent, key.column)))
        elif key.expression is not None and key.collation is not None:
            literal = imp.name("sqlalchemy", "literal_column")
            elements.append(Call(literal, (Str(expression_key_text(key)),)))
        else:
            text_ = imp.name("sqlalchemy", "text")
            elements.append(Call(text_, (Str(text_source(index_key_sql(ix, key))),)))
    return elements


def _exclude(ent: Entity, ex: ExcludeConstraint, imp: Imports) -> Expr:
    """``ExcludeConstraint((column, operator), ...)``: columns by attribute, an
    expression as ``text()`` in parentheses (with its operator class inside)."""
    text_ = imp.name("sqlalchemy", "text")
    elements: list[Expr] = []
    for el in ex.elements:
        if el.column is not None:
            key: Expr = py_str(_attr(ent, el.column))
        else:
            sql = f"({el.expression})" + (f" {el.ops}" if el.ops else "")
            key = Call(text_, (Str(text_source(sql)),))
        elements.append(pytuple([key, py_str(el.operator)]))
    ops: dict[str, Expr] = {
        _attr(ent, el.column): py_str(el.ops) for el in ex.elements if el.column and el.ops
    }
    where = None
    if ex.where:
        where = Call(text_, (Str(text_source(ex.where)),))
    return call(
        imp.name("sqlalchemy.dialects.postgresql", "ExcludeConstraint"),
        *elements,
        name=py_str(ex.name),
        using=py_str(ex.using),
        where=where,
        ops=pydict(ops) if ops else None,
    )


def _index(ent: Entity, ix: Index, imp: Imports) -> Expr:
    ops = {_attr(ent, c): py_str(text) for c, text in column_key_options(ix).items()}
    ops |= {key: py_str(text) for key, text in expression_key_options(ix).items()}
    where = None
    if ix.where:
        where = Call(imp.name("sqlalchemy", "text"), (Str(text_source(ix.where)),))
    return call(
        imp.name("sqlalchemy", "Index"),
        py_str(ix.name),
        *_index_elements(ent, ix, imp),
        unique="True" if ix.unique else None,
        postgresql_nulls_not_distinct="True" if ix.nulls_not_distinct else None,
        postgresql_using=py_str(ix.using) if ix.using != "btree" else None,
        postgresql_ops=pydict(dict(ops)) if ops else None,
        postgresql_where=where,
        postgresql_include=pylist([py_str(_attr(ent, c)) for c in ix.include])
        if ix.include
        else None,
    )


# --- relationships ------------------------------------------------------------


def _relationship_lines(schema: Schema, ent: Entity, rel: Relationship, imp: Imports) -> list[str]:
    target = schema.entity(rel.target)
    owner = ent if rel.kind == "many_to_one" else target
    # Quoted: models.py evaluates its annotations (no ``from __future__ import
    # annotations``), and the target class may come later in the file.
    if rel.kind == "many_to_one":
        fk = _fk_named(owner, rel.foreign_key)
        nullable = fk is not None and any(owner.column(c).nullable for c in fk.columns)
        annotation = f'"{target.name} | None"' if nullable else f'"{target.name}"'
    elif rel.uselist is False:
        annotation = f'"{target.name} | None"'
    else:
        annotation = f'list["{target.name}"]'
    value = call(
        imp.name("sqlalchemy.orm", "relationship"),
        back_populates=py_str(rel.back_populates) if rel.back_populates else None,
        secondary=py_str(rel.secondary) if rel.secondary else None,
        foreign_keys=_foreign_keys(owner, rel),
        remote_side=_remote_side(target, rel),
        cascade=py_str(rel.cascade) if rel.cascade else None,
        order_by=_order_by(target, rel.order_by) if rel.order_by else None,
        lazy=py_str(rel.lazy) if rel.lazy else None,
        passive_deletes="True" if rel.passive_deletes else None,
        overlaps=_overlaps(schema, ent, rel),
    )
    mapped = imp.name("sqlalchemy.orm", "Mapped")
    return layout(value, INDENT, f"{rel.name}: {mapped}[{annotation}] = ")


def _overlaps(schema: Schema, ent: Entity, rel: Relationship) -> str | None:
    """For a many-to-many through a mapped association entity: the relationships
    that write the same foreign-key columns, which SQLAlchemy wants named."""
    if rel.kind != "many_to_many" or rel.secondary is None:
        return None
    try:
        assoc = schema.entity_by_table(rel.secondary)
    except KeyError:
        return None
    ends = {ent.name, rel.target}
    names = {r.name for r in ent.relationships if r.target == assoc.name}
    names |= {r.name for r in assoc.relationships if r.target in ends}
    names |= {r.name for r in schema.entity(rel.target).relationships if r.target == assoc.name}
    return py_str(",".join(sorted(names))) if names else None


def _fk_named(owner: Entity, name: str | None) -> ForeignKey | None:
    for fk in owner.foreign_keys:
        if fk.name == name:
            return fk
    return None


def _foreign_keys(owner: Entity, rel: Relationship) -> str | None:
    if not rel.ambiguous and not rel.foreign_key_columns:
        return None
    attrs = list(rel.foreign_key_columns)
    if not attrs:
        fk = _fk_named(owner, rel.foreign_key)
        attrs = [_attr(owner, c) for c in fk.columns] if fk else []
    if not attrs:
        return None
    refs = [f"{owner.name}.{a}" for a in attrs]
    return py_str(refs[0] if len(refs) == 1 else f"[{', '.join(refs)}]")


def _remote_side(target: Entity, rel: Relationship) -> str | None:
    if not rel.remote_side:
        return None
    refs = [f"{target.name}.{_attr(target, c)}" for c in rel.remote_side]
    return py_str(refs[0] if len(refs) == 1 else f"[{', '.join(refs)}]")


def _order_by(target: Entity, order_by: str) -> str:
    """``position`` -> ``"Target.position"``; ``a, b desc`` -> ``"[Target.a, Target.b.desc()]"``."""
    parts = []
    for item in order_by.split(","):
        words = item.split()
        if not words or not target.has_column(words[0]) or len(words) > 2:
            return py_str(order_by)  # not a column list: SQLAlchemy evaluates it as given
        expr = f"{target.name}.{_attr(target, words[0])}"
        if len(words) == 2:
            if words[1].lower() not in ("asc", "desc"):
                return py_str(order_by)
            expr += f".{words[1].lower()}()"
        parts.append(expr)
    return py_str(parts[0] if len(parts) == 1 else f"[{', '.join(parts)}]")
