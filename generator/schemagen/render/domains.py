"""The domains of ``models.py``: one module-level ``DOMAIN`` each, attached to the
metadata so that ``create_all`` makes it before the tables that use it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from ..model import naming
from ..model.domains import check_sql, default_sql
from ..model.schema import CheckConstraint, Domain, Schema
from ..model.sqltext import text_source
from ..model.typemap import domain_variable
from ..util.pycode import INDENT, Expr, Str, call, layout, py_str, pylist
from .arrays import array_lines
from .listeners import factory_lines

#: ``(module, name) -> the name to use in code`` (imports.Imports.name).
ImportName = Callable[[str, str], str]
#: A column type -> its SQLAlchemy expression in models.py (column_types.column_type_expr).
TypeExpr = Callable[[Domain], Expr]


@dataclass(frozen=True)
class DomainNames:
    """How models.py names what its domains use."""

    name: ImportName  # an import (imports.Imports.name)
    own: Callable[[str], str]  # a class the module defines (imports.Imports.own)
    base: str  # the declarative base
    enum_arrays: bool  # a column is an array of a domain over an enum
    arrays: bool = False  # a column is an array of a domain over another type


def domain_lines(schema: Schema, names: DomainNames, base_type: TypeExpr) -> list[str]:
    """``X_DOMAIN = Domain(...)`` for each domain (see :func:`domain_class_lines`).
    SQLAlchemy's DOMAIN takes one
    check, and names NOT NULL with ``constraint_name`` when both are given, so the
    first check goes into DOMAIN only without NOT NULL; the others are added right
    after the domain is created (``after_create``), with the names the schema says.
    A domain over an enum is an ``EnumDomain`` (see :func:`enum_domain_lines`)."""
    if not schema.domains:
        return []
    name = names.name
    lines = ["# Domains (named types with their checks); create_all makes them first."]
    helper = False
    for dom in schema.domains:
        inline = dom.checks[0] if dom.checks and not dom.not_null else None
        lines += layout(_domain_call(dom, inline, names, base_type), "",
                        f"{domain_variable(dom.name)} = ")
        rest = [check for check in dom.checks if check is not inline]
        if rest:
            lines += _after_create(dom, rest, name)
            helper = True
    classes = domain_class_lines(names)
    if any(dom.type.kind == "enum" for dom in schema.domains):
        classes += enum_domain_lines(names)
    if names.arrays:
        classes += _domain_array_lines(names)
    return classes + (_helper_lines(name) if helper else []) + lines


def _domain_call(
    dom: Domain, inline: CheckConstraint | None, names: DomainNames, base_type: TypeExpr
) -> Expr:
    name = names.name
    pg_schema, bare = naming.split_qualified(dom.name)
    default = default_sql(dom)
    # imported only when used: a domain with neither default nor check needs no text()
    text = name("sqlalchemy", "text") if default is not None or inline is not None else ""
    over_enum = dom.type.kind == "enum"
    return call(
        names.own(ENUM_DOMAIN) if over_enum else names.own(DOMAIN_CLASS),
        py_str(bare),
        base_type(dom),
        collation=py_str(dom.type.collation) if dom.type.collation is not None else None,
        default=call(text, py_str(text_source(default))) if default is not None else None,
        not_null="True" if dom.not_null else None,
        constraint_name=py_str(inline.name) if inline is not None else None,
        check=call(text, py_str(text_source(inline.expression))) if inline is not None else None,
        schema=py_str(pg_schema) if pg_schema else None,
        quote="True" if naming.type_needs_quotes(bare) else None,
        metadata=f"{names.base}.metadata",
    )


def _after_create(dom: Domain, checks: list[CheckConstraint], name: ImportName) -> list[str]:
    sql = [f"ALTER DOMAIN {naming.format_name(dom.name)} ADD {check_sql(ck)}" for ck in checks]
    listen = call(
        f"{name('sqlalchemy', 'event')}.listen",
        domain_variable(dom.name),
        py_str("after_create"),
        call(HELPER, pylist([Str(text_source(s)) for s in sql])),
    )
    return layout(listen, "")


def _helper_lines(name: ImportName) -> list[str]:
    """A typed listener factory: DDL() formats its statement with %; text() runs the
    SQL as written (colons escaped)."""
    return factory_lines(
        name,
        f"{HELPER}(statements: list[str])",
        "An after_create listener of a domain: the checks DOMAIN() cannot hold.",
        [
            "for statement in statements:",
            f"{INDENT}connection.execute({name('sqlalchemy', 'text')}(statement))",
        ],
    )


#: The function models.py defines when a domain has checks beyond DOMAIN's one.
HELPER = "_domain_checks"

#: The class models.py defines for a domain: SQLAlchemy's DOMAIN with operator classes.
DOMAIN_CLASS = "Domain"
#: The classes models.py defines for a domain over an enum and for an array of one.
ENUM_DOMAIN = "EnumDomain"
ENUM_DOMAIN_ARRAY = "EnumDomainArray"
#: The class models.py defines for an array of a domain over any other type.
DOMAIN_ARRAY = "DomainArray"


def domain_class_lines(names: DomainNames) -> list[str]:
    """``Domain``: SQLAlchemy's DOMAIN whose values pass through its base type both
    ways, as SQLAlchemy's ARRAY does with its item type, and whose ``operator_classes``
    (SQLAlchemy 2.1) are the base type's. DOMAIN alone hands values to the driver as
    they are (a dict for a jsonb domain could not be written, a member of an enum went
    by its Python name) and returns what the driver gives (JSON text with asyncpg), and
    says no operator class, so every comparison of a column of a domain warned that a
    later release will require one. A value compared with a column of the domain binds
    as the base type has it: a str bound as VARCHAR, so ``=`` on a domain over citext
    was text's, case-sensitive. Its comparator is the base type's, so a column of a
    domain over jsonb has ``["k"]``, ``.astext`` and ``.has_key()``, one over an array
    ``.contains()`` and ``[1]``, one over text ``+`` as ``||`` (DOMAIN's was no kind's:
    ``[]`` failed, ``+`` was text + varchar). ``operator_classes`` is a property per instance,
    as SQLAlchemy's TypeDecorator has it (a ClassVar to type checkers, hence hidden
    from them); SQLAlchemy 2.0 never reads it."""
    name, own = names.name, names.own
    any_, dialect = name("typing", "Any"), name("sqlalchemy", "Dialect")
    callable_ = name("collections.abc", "Callable")
    processor = f"{callable_}[[{any_}], {any_}] | None"
    impl = "self.data_type.dialect_impl(dialect)"
    domain = name("sqlalchemy.dialects.postgresql", "DOMAIN")
    column = f"{name('sqlalchemy', 'ColumnElement')}[{any_}]"
    comparator = f"{name('sqlalchemy.types', 'TypeEngine')}.Comparator[{any_}]"
    array = name("sqlalchemy.dialects.postgresql", "ARRAY")
    coerce = name("sqlalchemy", "type_coerce")
    return [
        f"class {own(DOMAIN_CLASS)}({domain}):",
        f'{INDENT}"""A DOMAIN whose values pass through its base type both ways, as in a',
        f"{INDENT}column of that type (DOMAIN alone hands them to the driver as they are),",
        f'{INDENT}and that has the operators of its base type (SQLAlchemy 2.1 asks)."""',
        "",
        f"{INDENT}def bind_processor(self, dialect: {dialect}) -> {processor}:",
        f"{INDENT * 2}return {impl}.bind_processor(dialect)",
        "",
        f"{INDENT}def literal_processor(self, dialect: {dialect})"
        f" -> {callable_}[[{any_}], str] | None:",
        f"{INDENT * 2}return {impl}.literal_processor(dialect)",
        "",
        f"{INDENT}def result_processor(",  # a trailing comma: one layout at 88 and 100
        f"{INDENT * 2}self,",
        f"{INDENT * 2}dialect: {dialect},",
        f"{INDENT * 2}coltype: object,",
        f"{INDENT}) -> {processor}:",
        f"{INDENT * 2}return {impl}.result_processor(dialect, coltype)",
        "",
        f"{INDENT}@property",
        f"{INDENT}def python_type(self) -> type[{any_}]:",
        f"{INDENT * 2}return self.data_type.python_type",
        "",
        f"{INDENT}def coerce_compared_value(",  # one layout at 88 and 100, as above
        f"{INDENT * 2}self,",
        f"{INDENT * 2}op: {name('sqlalchemy.sql.operators', 'OperatorType')} | None,",
        f"{INDENT * 2}value: {any_},",
        f"{INDENT}) -> {name('sqlalchemy.types', 'TypeEngine')}[{any_}]:",
        f"{INDENT * 2}# A value compared with the column binds as the base type would have it:",
        f"{INDENT * 2}# a str as citext for a domain over citext (as VARCHAR, = was text's).",
        f"{INDENT * 2}return self.data_type.coerce_compared_value(op, value)",
        "",
        f"{INDENT}def column_expression(self, column: {column}) -> {column}:",
        f"{INDENT * 2}# The base type's (SqlText's cast to text, GeoAlchemy2's ST_AsEWKB).",
        f"{INDENT * 2}selected = self.data_type.column_expression(column)",
        f"{INDENT * 2}return column if selected is None else {coerce}(selected, self)",
        "",
        f"{INDENT}def bind_expression(",  # one layout at 88 and 100, as above
        f"{INDENT * 2}self,",
        f"{INDENT * 2}bindvalue: {name('sqlalchemy', 'BindParameter')}[{any_}],",
        f"{INDENT}) -> {column}:",
        f"{INDENT * 2}# The base type's (SqlText's cast from text, GeoAlchemy2's ST_GeomFromEWKT).",
        f"{INDENT * 2}sent = self.data_type.bind_expression(bindvalue)",
        f"{INDENT * 2}return bindvalue if sent is None else sent",
        "",
        f"{INDENT}def comparator_factory(",  # one layout at 88 and 100, as above
        f"{INDENT * 2}self,",
        f"{INDENT * 2}expr: {column},",
        f"{INDENT}) -> {comparator}:",
        f"{INDENT * 2}# The base type's operators (JSON's [] and astext, ARRAY's contains, a",
        f"{INDENT * 2}# range's overlaps, numeric's result types), whose comparator reads its",
        f"{INDENT * 2}# type's attributes (astext_type, item_type) from its type: the base type.",
        f'{INDENT * 2}base = getattr(self.data_type, "impl_instance", self.data_type)',
        f"{INDENT * 2}if isinstance(base, {array}):  # an ARRAY, or a TypeDecorator of one",
        f"{INDENT * 3}# ARRAY's [] asks the expression's own type to be indexable, which a",
        f"{INDENT * 3}# DOMAIN is not; PostgreSQL subscripts a domain over an array as one.",
        f"{INDENT * 3}expr = {coerce}(expr, self.data_type)",
        f"{INDENT * 2}comparator = self.data_type.comparator_factory(expr)",
        f"{INDENT * 2}comparator.type = self.data_type",
        f"{INDENT * 2}return comparator",
        "",
        f"{INDENT}if not {name('typing', 'TYPE_CHECKING')}:  # a ClassVar to type checkers",
        "",
        f"{INDENT * 2}@property",
        f"{INDENT * 2}def operator_classes(self) -> {any_}:",
        f"{INDENT * 3}return self.data_type.operator_classes",
        "",
        "",
    ]


def enum_domain_lines(names: DomainNames) -> list[str]:
    """``EnumDomain``: a ``Domain`` over an enum, whose values pass through the enum
    type (members in, members out) and which compares as the enum. With
    ``EnumDomainArray`` when a column is an array of one."""
    own = names.own
    lines = [
        f"class {own(ENUM_DOMAIN)}({own(DOMAIN_CLASS)}):",
        f'{INDENT}"""A Domain over an enum type: its values pass through the enum type both',
        f"{INDENT}ways, as in a column of the enum itself (DOMAIN alone: psycopg sends a",
        f"{INDENT}member's Python name, asyncpg refuses it, labels come back as str), and it",
        f'{INDENT}compares as the enum."""',
        "",
        *_enum_comparator_lines(names),
        f"{INDENT}comparator_factory = Comparator",
        "",
        "",
    ]
    return lines + (_enum_array_lines(names) if names.enum_arrays else [])


def _enum_comparator_lines(names: DomainNames) -> list[str]:
    """The comparator of ``EnumDomain``: PostgreSQL has no operator for a domain over
    an enum, so each side that is one (the column, another column or scalar subquery
    of such a domain, ANY/ALL of an array of one, the column an IN subquery selects)
    is cast to the enum; two columns of the domain failed (``job_status = job_state``)."""
    name, own = names.name, names.own
    any_, cast = name("typing", "Any"), name("sqlalchemy", "cast")
    domain = name("sqlalchemy.dialects.postgresql", "DOMAIN")
    array = name("sqlalchemy.dialects.postgresql", "ARRAY")
    column = name("sqlalchemy", "ColumnElement")
    element = f"{column}[{any_}]"
    operators = "sqlalchemy.sql.operators"
    operator = name(operators, "OperatorType")
    aggregate = name("sqlalchemy.sql.elements", "CollectionAggregate")
    enum_domain = own(ENUM_DOMAIN)
    return [
        f"{INDENT}class Comparator({domain}.Comparator[{any_}]):",
        f'{INDENT * 2}"""Compare as the enum: PostgreSQL has no operator (=, <, ...) for a',
        f"{INDENT * 2}domain over an enum, not even against itself, so every side of the",
        f'{INDENT * 2}domain is cast to the enum."""',
        "",
        f"{INDENT * 2}def operate(",
        f"{INDENT * 3}self, op: {operator}, *other: {any_}, **kwargs: {any_}",
        f"{INDENT * 2}) -> {element}:",
        f"{INDENT * 3}others = [self._operand(value) for value in other]",
        f"{INDENT * 3}if isinstance(self.expr, {aggregate}):",
        f"{INDENT * 4}# any_(Job.history) == value: ANY over the enum's array already",
        f"{INDENT * 4}return super().operate(op, *others, **kwargs)",
        f"{INDENT * 3}return self._as_enum().operate(op, *others, **kwargs)",
        "",
        f"{INDENT * 2}def reverse_operate(",
        f"{INDENT * 3}self, op: {operator}, other: {any_}, **kwargs: {any_}",
        f"{INDENT * 2}) -> {element}:",
        f"{INDENT * 3}return self._as_enum().reverse_operate(op, self._operand(other), **kwargs)",
        "",
        f"{INDENT * 2}def _as_enum(self) -> {element}:",
        f"{INDENT * 3}assert isinstance(self.type, {domain})",
        f"{INDENT * 3}return {cast}(self.expr, self.type.data_type)",
        "",
        f"{INDENT * 2}@classmethod",
        f"{INDENT * 2}def _operand(cls, value: {any_}) -> {any_}:",
        f'{INDENT * 3}"""A column (or scalar subquery) of a domain over an enum cast to the',
        f"{INDENT * 3}enum; ANY/ALL of an array of one over the array cast to the enum's",
        f'{INDENT * 3}array; a subquery (of IN) with its columns so; anything else as is."""',
        f"{INDENT * 3}if isinstance(value, {name('sqlalchemy', 'Select')}):",
        f"{INDENT * 4}columns = [cls._operand(c) for c in value.selected_columns]",
        f"{INDENT * 4}return value.with_only_columns(*columns)",
        f"{INDENT * 3}if isinstance(value, {aggregate}):",
        f'{INDENT * 4}item = getattr(value.element.type, "item_type", None)',
        f"{INDENT * 4}if not isinstance(item, {enum_domain}):",
        f"{INDENT * 5}return value",
        f"{INDENT * 4}array = {cast}(value.element, {array}(item.data_type))",
        f"{INDENT * 4}if value.operator is {name(operators, 'any_op')}:",
        f"{INDENT * 5}return {name('sqlalchemy', 'any_')}(array)",
        f"{INDENT * 4}return {name('sqlalchemy', 'all_')}(array)",
        f"{INDENT * 3}clause = getattr(value, \"__clause_element__\", None)  # an ORM attribute",
        f"{INDENT * 3}expr = value if clause is None else clause()",
        f"{INDENT * 3}if isinstance(expr, {column}) and isinstance(expr.type, {enum_domain}):",
        f"{INDENT * 4}return {cast}(expr, expr.type.data_type)",
        f"{INDENT * 3}return value",
        "",
    ]


def _enum_array_lines(names: DomainNames) -> list[str]:
    """``EnumDomainArray``: selected as text[] (psycopg has no loader for an array of
    the enum either), whose labels ARRAY of the EnumDomain reads as members."""
    text = names.name("sqlalchemy", "Text")
    item = names.own(ENUM_DOMAIN)
    return array_lines(
        names.name,
        names.own,
        ENUM_DOMAIN_ARRAY,
        item,
        [
            f"An array of an {item}, selected as text[] and read as this type:",
            "psycopg has no loader for an array of a domain and would return its text",
            '("{a,b}"), not a list.',
        ],
        f"{text}()",
        _enum_array_comparator_lines(names),
    )


def _enum_array_comparator_lines(names: DomainNames) -> list[str]:
    """The comparator of ``EnumDomainArray``: ``any_(Job.history) == value`` (ANY or
    ALL on the left) compared the domain with the value, for which PostgreSQL has no
    operator: SQLAlchemy's ANY/ALL is of type Boolean, and its comparison reaches no
    comparator of the domain. ANY/ALL of the column is taken over the array cast to
    the enum's array and is of the ``EnumDomain``, whose comparator then casts the
    other side (``Step.status``) to the enum as well and binds a member as its label."""
    name, own = names.name, names.own
    any_, array = name("typing", "Any"), name("sqlalchemy.dialects.postgresql", "ARRAY")
    operators = "sqlalchemy.sql.operators"
    any_op, all_op = name(operators, "any_op"), name(operators, "all_op")
    decorator = name("sqlalchemy", "TypeDecorator")
    return [
        f"{INDENT}class Comparator({decorator}.Comparator[list[{any_}]], "
        f"{array}.Comparator[{any_}]):",
        f'{INDENT * 2}"""ANY/ALL over the array cast to the enum\'s: PostgreSQL has no',
        f'{INDENT * 2}operator for a domain over an enum; the rest is ARRAY\'s."""',
        "",
        f"{INDENT * 2}def operate(",
        f"{INDENT * 3}self, op: {name(operators, 'OperatorType')}, *other: {any_}, "
        f"**kwargs: {any_}",
        f"{INDENT * 2}) -> {name('sqlalchemy', 'ColumnElement')}[{any_}]:",
        f"{INDENT * 3}if op is {any_op} or op is {all_op}:",
        f"{INDENT * 4}assert isinstance(self.type, {own(ENUM_DOMAIN_ARRAY)})",
        f"{INDENT * 4}item = self.type.item_type",
        f"{INDENT * 4}enums = {name('sqlalchemy', 'cast')}(self.expr, {array}(item.data_type))",
        f"{INDENT * 4}# of the domain's type: its comparator casts the other side",
        f"{INDENT * 4}return {name('sqlalchemy.sql.elements', 'CollectionAggregate')}"
        f"(enums.self_group(), operator=op, type_=item)",
        f"{INDENT * 3}return super().operate(op, *other, **kwargs)",
        "",
        f"{INDENT}comparator_factory = Comparator",
        "",
    ]


def _domain_array_lines(names: DomainNames) -> list[str]:
    """``DomainArray``: an array of a domain over any other type, selected as an array
    of the domain's base type (text[], integer[], ...), which both drivers read, and
    read through ARRAY of the domain as before. The DDL stays ``email_address[]``."""
    return array_lines(
        names.name,
        names.own,
        DOMAIN_ARRAY,
        names.name("sqlalchemy.dialects.postgresql", "DOMAIN"),
        [
            "An array of a DOMAIN, selected as an array of the domain's base type and",
            "read as this type: PostgreSQL sends the array type of the domain, which",
            "psycopg has no loader for, and ARRAY read its text as a list of characters.",
        ],
        "self.item_type.data_type",
    )


def plain_base(dom: Domain) -> Domain:
    """The domain with its base type alone (no COLLATE: DOMAIN writes its own)."""
    return replace(dom, type=replace(dom.type, collation=None))
