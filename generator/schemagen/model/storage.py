"""A column's planner and TOAST settings: ``statistics:`` (``ALTER COLUMN ... SET
STATISTICS``) and ``storage:`` (``SET STORAGE``), as SQL and as words.

One text for models.py (``create_all``), revisions and the live check. A type's
own storage (``pg_type.typstorage``, PostgreSQL 15) decides what ``storage:``
may say: a type that is not TOAST-able (``plain``: every fixed-length type, an
enum, a domain over one) takes ``plain`` alone ("column data type integer can
only have storage PLAIN"); and a storage equal to the type's own is no setting
(PostgreSQL shows none, so the model keeps none).
"""

from __future__ import annotations

from .schema import Column, ColumnType, Entity
from .schema import quote_name as ident
from .sqltext import quote_qualified

#: ``storage:`` values, as ``SET STORAGE`` spells them in lower case.
STORAGES: tuple[str, ...] = ("plain", "main", "external", "extended")

#: ``pg_type.typstorage`` -> the word.
STORAGE_CODES = {"p": "plain", "m": "main", "e": "external", "x": "extended"}

#: The storage of each base kind's type (``pg_type.typstorage``, PostgreSQL 15).
_KIND_STORAGE = {
    **dict.fromkeys(
        (
            "smallint", "integer", "bigint", "boolean", "float", "double", "date", "time",
            "timetz", "timestamp", "timestamptz", "interval", "uuid", "enum",
        ),
        "plain",
    ),
    "numeric": "main",
    **dict.fromkeys(("string", "text", "json", "jsonb", "bytes", "array"), "extended"),
}  # fmt: skip

#: The storage of the PostgreSQL types by name that schemagen knows (core ones read
#: from pg_type; citext, hstore, ltree, cube and pgvector's as their extensions
#: declare them); a name not here is left to PostgreSQL.
_PGTYPE_STORAGE = {
    **dict.fromkeys(
        (
            "box", "circle", "line", "lseg", "macaddr", "macaddr8", "money", "name", "oid",
            "pg_lsn", "point", "regclass", "regconfig", "regproc", "regtype", "tsquery",
        ),
        "plain",
    ),
    **dict.fromkeys(("cidr", "inet", "geometry", "geography"), "main"),
    **dict.fromkeys(("vector", "halfvec", "sparsevec"), "external"),
    **dict.fromkeys(
        (
            "bit", "bit varying", "character", "citext", "cube", "datemultirange",
            "daterange", "hstore", "int4multirange", "int4range", "int8multirange",
            "int8range", "jsonpath", "ltree", "nummultirange", "numrange", "path",
            "pg_snapshot", "polygon", "tsmultirange", "tsrange", "tstzmultirange",
            "tstzrange", "tsvector", "xml",
        ),
        "extended",
    ),
}  # fmt: skip


def type_storage(ct: ColumnType) -> str | None:
    """The storage PostgreSQL gives a column of type ``ct`` (a domain's is its base
    type's), or None where schemagen does not know it."""
    if ct.kind == "pgtype":
        return _PGTYPE_STORAGE.get(str(ct.pgtype))
    return _KIND_STORAGE.get(ct.kind)


def has_settings(entity: Entity) -> bool:
    """Whether a column of ``entity`` has a statistics target or storage of its own."""
    return any(c.statistics is not None or c.storage is not None for c in entity.columns)


def settings_statements(table: str, column: Column) -> list[str]:
    """``ALTER TABLE t ALTER COLUMN c SET STATISTICS n, ALTER COLUMN c SET STORAGE s``
    for a column made with either (only what it has); none otherwise."""
    parts = _parts(column.name, column.statistics, column.storage)
    return [f"ALTER TABLE {quote_qualified(table)} {', '.join(parts)}"] if parts else []


def change_sql(
    table: str,
    column: Column,
    old: tuple[int | None, str | None],
    new: tuple[int | None, str | None],
) -> str:
    """The ``ALTER TABLE`` that takes ``column``'s (statistics, storage) from ``old`` to
    ``new``: each that differs, a None statistics as ``-1`` (PostgreSQL's default) and
    a None storage as its type's own (PostgreSQL 15 has no ``SET STORAGE DEFAULT``;
    validate refuses ``storage:`` on a type whose own storage is unknown)."""
    stats = None if new[0] == old[0] else (-1 if new[0] is None else new[0])
    word = None if new[1] == old[1] else (new[1] or type_storage(column.type))
    parts = _parts(column.name, stats, word)
    return f"ALTER TABLE {quote_qualified(table)} {', '.join(parts)}"


def _parts(column: str, statistics: int | None, storage: str | None) -> list[str]:
    alter = f"ALTER COLUMN {ident(column)}"
    parts = [f"{alter} SET STATISTICS {statistics}"] if statistics is not None else []
    return parts + ([f"{alter} SET STORAGE {storage.upper()}"] if storage is not None else [])


def settings_words(statistics: int | None, storage: str | None) -> str:
    """``statistics 1000, storage external`` (``default`` for none): plans, docs."""
    words = [f"statistics {statistics}"] if statistics is not None else []
    words += [f"storage {storage}"] if storage is not None else []
    return ", ".join(words) or "default"
