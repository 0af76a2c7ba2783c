"""The array types of ``models.py`` that read what the drivers cannot: a
TypeDecorator over ARRAY whose column expression casts the array to one psycopg has
a loader for. ``DomainArray`` and ``EnumDomainArray`` (:mod:`.domains`) are two; the
third, ``NamedTypeArray``, is an array of a type psycopg knows no loader for."""

from __future__ import annotations

from collections.abc import Callable

from ..util.pycode import INDENT

#: ``(module, name) -> the name to use in code`` (models.Imports.name).
ImportName = Callable[[str, str], str]

#: The class models.py defines for an array of a type psycopg cannot read by oid.
NAMED_TYPE_ARRAY = "NamedTypeArray"


def named_type_array_lines(name: ImportName, own: Callable[[str], str]) -> list[str]:
    """``NamedTypeArray``: an array of a type whose oid psycopg has no loader for (an
    extension's type such as citext, ltree or geometry, a type only the database
    defines, or a domain over one), selected as text[] and read through ARRAY of the
    type itself, so the type's own result processor (GeoAlchemy2's, pgvector's) reads
    each element's text. A type that psycopg does not know comes back as its text
    alone, with either driver's scalar columns too. Filters and the DDL are ARRAY's."""
    return array_lines(
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
    )


def array_lines(
    name: ImportName, own: Callable[[str], str], cls: str, item: str, doc: list[str],
    read_as: str, comparator: list[str] | None = None,
) -> list[str]:
    """A TypeDecorator over ARRAY of ``item`` whose column expression casts the array
    to ARRAY(``read_as``), with the lines of its ``Comparator`` class if it has one.
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
        f"{INDENT}def coerce_compared_value(",
        f"{INDENT * 2}self, op: {operator}, value: {any_}",
        f"{INDENT}) -> {name('sqlalchemy.types', 'TypeEngine')}[{any_}]:",
        f"{INDENT * 2}# As ARRAY: an index (column[1]) is an integer, not an array.",
        f"{INDENT * 2}return self.impl_instance.coerce_compared_value(op, value)",
        "",
        "",
    ]
