"""``SqlText`` of ``models.py``: a type by name whose values the models hold as its
text, which asyncpg decodes into classes of its own (see ``pgtypes.NamedType.sent_as``)."""

from __future__ import annotations

from collections.abc import Callable

from ..model.typemap import SQL_TEXT, SQL_TYPE
from ..util.pycode import INDENT

#: ``(module, name) -> the name to use in code`` (imports.Imports.name).
ImportName = Callable[[str, str], str]


def sql_text_lines(name: ImportName) -> list[str]:
    """``SqlText``: a ``SqlType`` selected as text and bound as text cast to the type
    (to ``sent_as`` where a cast to the type itself would change the value), so that
    psycopg and asyncpg give and take the same str. asyncpg read point as its Point,
    pg_lsn as an int and bit strings as BitString, and refused a str for each
    ('invalid input for query argument'); psycopg reads and writes their text. An
    array of one is a NamedTypeArray, which casts to ``sent_type``'s array."""
    any_ = name("typing", "Any")
    column = f"{name('sqlalchemy', 'ColumnElement')}[{any_}]"
    text = f"{name('sqlalchemy', 'Text')}()"
    cast, coerce = name("sqlalchemy", "cast"), name("sqlalchemy", "type_coerce")
    return [
        f"class {SQL_TEXT}({SQL_TYPE}):",
        f'{INDENT}"""A SqlType whose values are its text with either driver: asyncpg reads',
        f"{INDENT}point, pg_lsn and bit strings as classes of its own (Point, int,",
        f"{INDENT}BitString) and refuses a str for them. Selected as text; bound as text",
        f"{INDENT}cast to ``sent_as`` (bit varying for bit(3), whose cast would cut '1101'",
        f'{INDENT}to \'110\' where the column refuses it)."""',
        "",
        f"{INDENT}cache_ok = True",
        "",
        f"{INDENT}def __init__(self, spec: str, sent_as: str | None = None) -> None:",
        f"{INDENT * 2}super().__init__(spec)",
        f"{INDENT * 2}self.sent_as = sent_as",
        f"{INDENT * 2}self.sent_type = {SQL_TYPE}(sent_as or spec)",
        "",
        f"{INDENT}def column_expression(self, column: {column}) -> {column}:",
        f"{INDENT * 2}return {coerce}({cast}(column, {text}), self)",
        "",
        f"{INDENT}def bind_expression(",  # a trailing comma: one layout at 88 and 100
        f"{INDENT * 2}self,",
        f"{INDENT * 2}bindvalue: {name('sqlalchemy', 'BindParameter')}[{any_}],",
        f"{INDENT}) -> {column}:",
        f"{INDENT * 2}return {cast}({coerce}(bindvalue, {text}), self.sent_type)",
    ]
