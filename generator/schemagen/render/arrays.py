"""The array types of ``models.py`` that read what the drivers cannot: a
TypeDecorator over ARRAY whose column expression casts the array to one psycopg has
a loader for. ``DomainArray`` and ``EnumDomainArray`` (:mod:`.domains`) are two; the
third, ``NamedTypeArray``, is an array of a type psycopg knows no loader for."""

from __future__ import annotations

from collections.abc import Callable

from ..util.pycode import INDENT

#: ``(module, name) -> the name to use in code`` (imports.Imports.name).
ImportName = Callable[[str, str], str]

#: The class models.py defines for an array of a type psycopg cannot read by oid.
NAMED_TYPE_ARRAY = "NamedTypeArray"


def named_type_array_lines(name: ImportName, own: Callable[[str], str]) -> list[str]:
    """``NamedTypeArray``: an array of a type whose oid psycopg has no loader for (an
    extension's type such as citext, ltree or geometry, a type only the database
    defines, or a domain over one), selected as text[] and read through ARRAY of the
    type itself, so the type's own result processor (GeoAlchemy2's, pgvector's) reads
    each element's text. A type that psycopg does not know comes back as its text
    alone, with either driver's scalar columns too. Filters and the DDL are ARRAY's.
    Written as text[] cast to the array (:func:`_text_bind_lines`). A block of its own:
    without the two blank lines that end a class followed by others."""
    lines = array_lines(
        name,
        own,
        NAMED_TYPE_ARRAY,
        f"{name('sqlalchemy.types', 'TypeEngine')}[{name('typing', 'Any')}]",
        [
            "An array of a type psycopg has no loader for (an extension's type, one",
            "only the database defines, a domain over one), selected as text[] and",
            "read as this type: psycopg returned the array's text ('{a,b}'), which",
            "ARRAY read as a list of characters.",
        ],
        f"{name('sqlalchemy', 'Text')}()",
        bind=_text_bind_lines(name),
    )
    return lines[:-2]


def _text_bind_lines(name: ImportName) -> list[str]:
    """``bind_expression`` and the type it binds with: psycopg sends a list of str as an
    array literal of no type, which PostgreSQL reads with the delimiter of the array's
    element type, and PostGIS geometry's is ':' (a list of points failed: 'malformed
    array literal'). Bound as text[], whose delimiter is ',', each element processed
    as the array's (GeoAlchemy2's EWKT), and cast to the array."""
    any_, array = name("typing", "Any"), name("sqlalchemy.dialects.postgresql", "ARRAY")
    decorator = name("sqlalchemy", "TypeDecorator")
    dialect = name("sqlalchemy", "Dialect")
    return [
        f"{INDENT}class Sent({decorator}[list[{any_}]]):",
        f'{INDENT * 2}"""text[] whose elements are processed as those of ``array``."""',
        "",
        f"{INDENT * 2}impl = {array}",
        f"{INDENT * 2}cache_ok = True",
        "",
        f"{INDENT * 2}def __init__(self, array: {name('sqlalchemy.types', 'TypeEngine')}"
        f"[{any_}]) -> None:",
        f"{INDENT * 3}super().__init__({name('sqlalchemy', 'Text')}())",
        f"{INDENT * 3}self.array = array  # part of the cache key",
        "",
        f"{INDENT * 2}def process_bind_param(self, value: {any_}, dialect: {dialect}) -> {any_}:",
        f"{INDENT * 3}process = self.array.dialect_impl(dialect).bind_processor(dialect)",
        f"{INDENT * 3}return value if process is None else process(value)",
        "",
        f"{INDENT}def bind_expression(",  # a trailing comma: one layout at 88 and 100
        f"{INDENT * 2}self,",
        f"{INDENT * 2}bindvalue: {name('sqlalchemy', 'BindParameter')}[{any_}],",
        f"{INDENT}) -> {name('sqlalchemy', 'ColumnElement')}[{any_}]:",
        f"{INDENT * 2}# psycopg's array literal has ',' between elements; PostgreSQL reads it",
        f"{INDENT * 2}# with the element type's delimiter, ':' for PostGIS geometry.",
        f"{INDENT * 2}sent = {name('sqlalchemy', 'type_coerce')}(bindvalue, self.Sent(self))",
        f"{INDENT * 2}# to an array of SqlText's sent_type (bit varying[] for bit(3)[])",
        f'{INDENT * 2}item = getattr(self.item_type, "sent_type", self.item_type)',
        f"{INDENT * 2}return {name('sqlalchemy', 'cast')}(sent, {array}(item))",
        "",
    ]


def array_lines(
    name: ImportName, own: Callable[[str], str], cls: str, item: str, doc: list[str],
    read_as: str, comparator: list[str] | None = None, bind: list[str] | None = None,
) -> list[str]:
    """A TypeDecorator over ARRAY of ``item`` whose column expression casts the array
    to ARRAY(``read_as``), with the lines of its ``Comparator`` class if it has one and
    those of its ``bind_expression`` if it has one.
    Not an ARRAY subclass: the drivers' dialects replace ARRAY with their own class,
    and a subclass's column_expression with it."""
    any_, array = name("typing", "Any"), name("sqlalchemy.dialects.postgresql", "ARRAY")
    column = f"{name('sqlalchemy', 'ColumnElement')}[{any_}]"
    operator = f"{name('sqlalchemy.sql.operators', 'OperatorType')} | None"
    doc_lines = [f"{INDENT}{line}" for line in doc]
    doc_lines[0] = f'{INDENT}"""{doc[0]}'
    doc_lines[-1] += '"""'
    return [
        f"class {own(cls)}({name('sqlalchemy', 'TypeDecorator')}[list[{any_}]]):",
        *doc_lines,
        "",
        f"{INDENT}impl = {array}",
        f"{INDENT}cache_ok = True",
        "",
        *(comparator or []),
        f"{INDENT}def __init__(self, item_type: {item}) -> None:",
        f"{INDENT * 2}super().__init__(item_type)",
        f"{INDENT * 2}self.item_type = item_type  # part of the cache key",
        "",
        f"{INDENT}def column_expression(self, column: {column}) -> {column}:",
        f"{INDENT * 2}selected = {name('sqlalchemy', 'cast')}(column, {array}({read_as}))",
        f"{INDENT * 2}return {name('sqlalchemy', 'type_coerce')}(selected, self)",
        "",
        *(bind or []),
        f"{INDENT}def coerce_compared_value(",  # a trailing comma: one layout at 88 and 100
        f"{INDENT * 2}self,",
        f"{INDENT * 2}op: {operator},",
        f"{INDENT * 2}value: {any_},",
        f"{INDENT}) -> {name('sqlalchemy.types', 'TypeEngine')}[{any_}]:",
        f"{INDENT * 2}# As ARRAY: an index (column[1]) is an integer, not an array.",
        f"{INDENT * 2}return self.impl_instance.coerce_compared_value(op, value)",
        "",
        "",
    ]
