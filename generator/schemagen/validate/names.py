"""Names the normalized Schema gives: identifiers, Python attributes, enums, renames.

Owns whether a table, column, constraint, index, PostgreSQL schema and enum
name is a PostgreSQL identifier within its byte limit (a name written out is
checked as such, a name from the naming convention for its length alone),
whether the Python names of entities, enums, columns and enum members are usable
(no keyword, nothing SQLAlchemy reserves, no ``I``, ``O`` or ``l``) and distinct,
and whether ``renamed_from`` names a name that is gone, once.
"""

from __future__ import annotations

import functools

from ..model import naming
from ..model.schema import Entity, Schema
from ..source.loader import Sources, YamlPath, mapping
from .reporter import Reporter, column_path, index_path, own_column_path, unique_path


def ambiguous_class(name: str) -> str:
    """Why a class may not be named ``I`` or ``O``, and the name ``schemagen import``
    gives instead."""
    return f"reads like 1 or 0, which ruff refuses as a class name (E742); name it {name}Type"


def _check_class_name(report: Reporter, path: YamlPath, name: str, what: str, keep: str) -> None:
    """A class of models.py: a Python name, not ``I`` or ``O``; ``keep`` says how the
    database keeps its name under the other."""
    if not naming.is_identifier(name) or naming.is_python_keyword(name):
        report.error(path, f"{what} '{name}' is not a valid Python class name")
    elif name in naming.AMBIGUOUS_NAMES:
        report.error(path, f"{what} '{name}' {ambiguous_class(name)}{keep}")


#: Why an attribute may not be named ``l``, ``I`` or ``O``.
AMBIGUOUS_ATTRIBUTE = "reads like 1 or 0, which ruff refuses as an attribute name (E741)"


@functools.cache  # the same column names come back in every table
def identifier_problem(name: str, *, digit_first: bool = False) -> str | None:
    """Why ``name`` cannot be a PostgreSQL identifier, or None.

    ``digit_first``: a table or column name may start with a digit (an existing
    database may have one; SQL quotes it, and a column gives its Python name in
    ``attribute:``).
    """
    if digit_first and naming.is_sql_name(name) and not naming.is_identifier(name):
        pass
    elif not naming.is_identifier(name):
        return (
            f"'{name}' is not a valid identifier (letters, digits and underscores, "
            "not starting with a digit)"
        )
    if naming.too_long(name):
        size = len(name.encode("utf-8"))
        return (
            f"'{name}' is {size} bytes, longer than PostgreSQL's "
            f"{naming.MAX_IDENTIFIER_BYTES}-byte limit for names"
        )
    return None


def _check_name(
    report: Reporter, path: YamlPath, name: str, what: str, *, digit_first: bool = False
) -> None:
    problem = identifier_problem(name, digit_first=digit_first)
    if problem:
        report.error(path, f"{what} {problem}")


def check_unqualified(
    report: Reporter, path: YamlPath, given: object, what: str, *, say: str = "", home: str = ""
) -> None:
    """A database name written out (``table:``, ``view:``, an enum's ``db_name:``, a
    sequence's, partition's or function's name) holds no dot nor double quote: its
    PostgreSQL schema is ``schema:``'s (or, for a kind that takes none, the one
    ``home`` says it lives in), and keys split at the dot, so ``view: sales.v`` would
    be read as view v of schema sales, past ``schema:`` and its checks, while it reads
    as public's ``"sales.v"`` (which the language cannot name: ``schemagen import``
    lists one); a double quote makes a key ``check --database`` cannot match.

    ``say`` is the way to write the bare name beside ``schema:`` (``{bare}`` in it;
    default ``<what>: {bare}``); ``home`` is said instead for a kind without
    ``schema:`` ("a partition lives in its table's PostgreSQL schema")."""
    name = str(given)
    if "." not in name and '"' not in name:
        return
    mark = "a dot" if "." in name else "a double quote"
    schema, _, bare = name.rpartition(".")
    whose = f"{_article(what)} {what}'s PostgreSQL schema is given by schema:"
    if home:
        said = f"holds {mark}, which the language names no {what} with: {home}"
    elif schema and naming.is_identifier(schema) and naming.is_identifier(bare):
        way = (say or f"{what}: {{bare}}").format(bare=bare)
        said = f"holds a dot: {whose}, so say schema: {schema} and {way}"
    else:
        said = f"holds {mark}, which the language names no {what} with ({whose})"
    report.error(path, f"{what} name '{name}' {said}")


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def check_type_and_sequence_names(src: Sources, report: Reporter) -> None:
    """An enum's ``db_name:`` and a standalone sequence's name (its key) are the
    name alone (:func:`check_unqualified`): ``db_name: sales.mood`` made type mood
    in schema sales, and a sequence keyed ``sales.numbers`` sequence numbers there,
    past ``schema:``."""
    for name, spec in sorted(src.enums.items()):
        raw = mapping(spec)
        if "db_name" in raw:
            where: YamlPath = ("enums", name, "db_name")
            check_unqualified(report, where, raw["db_name"], "enum type", say="db_name: {bare}")
    for name in sorted(src.sequences):
        check_unqualified(report, ("sequences", name), name, "sequence", say="name it {bare}")


def check_extension_names(src: Sources, report: Reporter) -> None:
    """A ``database.extensions`` entry is the extension's name alone: the migrations
    write ``CREATE EXTENSION IF NOT EXISTS "public.citext"``, which PostgreSQL refused
    at upgrade ('extension "public.citext" is not available'); the language has no
    word for an extension's schema (it is made where the migrations' search path,
    public, or its control file puts it)."""
    extensions = mapping(src.database).get("extensions")
    for number, name in enumerate(extensions if isinstance(extensions, list) else ()):
        bare = str(name).rpartition(".")[2].replace('"', "") or "its name"
        home = (
            "an extension is made where the migrations' search path (public) or its "
            f"control file puts it, so say {bare}"
        )
        where: YamlPath = ("database", "extensions", str(number))
        check_unqualified(report, where, name, "extension", home=home)


def _check_pg_schema(report: Reporter, path: YamlPath, name: str) -> None:
    """A schema of the user's own: PostgreSQL keeps pg_* and information_schema."""
    if name.startswith("pg_") or name == "information_schema":
        report.error(path, f"schema '{name}' is PostgreSQL's own; choose another name")
    else:
        _check_name(report, path, name, "schema name")


def _check_generated(report: Reporter, path: YamlPath, name: str, what: str) -> None:
    """A name from the naming convention: its parts are checked already, only its length."""
    if naming.too_long(name):
        size = len(name.encode("utf-8"))
        report.error(
            path,
            f"{what} '{name}' from the naming convention is {size} bytes, longer than "
            f"PostgreSQL's {naming.MAX_IDENTIFIER_BYTES}; shorten the names or set "
            "database.naming_convention",
        )


def _check_primary_key_name(entity: Entity, given: bool, report: Reporter) -> None:
    """A name written out (``primary_key_name:``) is checked as such, where it is
    written; the convention's only for its length."""
    base: YamlPath = ("entities", entity.name)
    name = entity.primary_key.name
    if given:
        _check_name(report, (*base, "primary_key_name"), name, "primary-key name")
    else:
        _check_generated(report, base, name, "primary-key name")


def check_entity_names(entity: Entity, src: Sources, report: Reporter) -> None:
    """Identifiers of the entity, its table, columns, constraints and indexes."""
    base: YamlPath = ("entities", entity.name)
    raw = mapping(src.entities[entity.name])
    pg_schema, table = naming.split_qualified(entity.table)
    keep = "" if "table" in raw else f", with table: {table} to keep the table's name"
    _check_class_name(report, base, entity.name, "entity name", keep)
    table_path = (*base, "table") if "table" in raw else base
    if "table" in raw:
        check_unqualified(report, table_path, raw["table"], "table")
    _check_name(report, table_path, table, "table name", digit_first=True)
    if pg_schema is not None:
        _check_pg_schema(report, (*base, "schema") if "schema" in raw else ("database",), pg_schema)
    for column in entity.columns:
        path = own_column_path(entity, column)
        _check_name(report, path, column.name, "column name", digit_first=True)
    if entity.has_primary_key:
        _check_primary_key_name(entity, "primary_key_name" in raw, report)
    for fk in entity.foreign_keys:
        path = (*column_path(src, entity, fk.columns[0]), "references")
        _check_generated(report, path, fk.name, "foreign-key name")
    given_uniques = mapping(raw.get("unique"))
    for uq in entity.uniques:
        path = unique_path(src, entity, uq.name, uq.columns)
        if uq.name in given_uniques:
            _check_name(report, path, uq.name, "unique constraint name")
        else:
            _check_generated(report, path, uq.name, "unique constraint name")
    for ck in entity.checks:
        _check_name(report, (*base, "checks", ck.name), ck.name, "check constraint name")
    for ex in entity.excludes:
        _check_name(report, (*base, "exclude", ex.name), ex.name, "exclusion constraint name")
    given_indexes = mapping(raw.get("indexes"))
    for ix in entity.indexes:
        path = index_path(src, entity, ix.name, ix.columns)
        if ix.name in given_indexes:
            _check_name(report, path, ix.name, "index name")
        else:
            _check_generated(report, path, ix.name, "index name")


def check_attributes(entity: Entity, src: Sources, report: Reporter) -> None:
    """Python attribute names: no keywords, nothing SQLAlchemy reserves, no repeats."""
    seen: dict[str, str] = {}
    for column in entity.columns:
        path = own_column_path(entity, column)
        if column.attribute == column.name:
            if naming.is_sql_name(column.name) and column.name[0].isdigit():
                report.error(
                    path,
                    f"column name '{column.name}' starts with a digit, which a Python name "
                    f"cannot; add attribute: c_{column.name} (the Python name)",
                )
            elif naming.is_python_keyword(column.name):
                report.error(
                    path,
                    f"column name '{column.name}' is a Python keyword; add attribute: "
                    f"{column.name}_ (the Python name)",
                )
            elif column.name in naming.RESERVED_ATTRIBUTES:
                report.error(
                    path,
                    f"column name '{column.name}' is reserved by SQLAlchemy's declarative "
                    f"base; add attribute: {column.name}_ (the Python name)",
                )
            elif column.name in naming.AMBIGUOUS_NAMES:
                report.error(
                    path,
                    f"column name '{column.name}' {AMBIGUOUS_ATTRIBUTE}; add "
                    f"attribute: {column.name}_ (the Python name)",
                )
        else:
            attr_path = (*path, "attribute")
            if not naming.is_identifier(column.attribute) or naming.is_python_keyword(
                column.attribute
            ):
                report.error(attr_path, f"'{column.attribute}' is not a valid Python name")
            elif column.attribute in naming.RESERVED_ATTRIBUTES:
                report.error(attr_path, f"'{column.attribute}' is reserved by SQLAlchemy")
            elif column.attribute in naming.AMBIGUOUS_NAMES:
                report.error(
                    attr_path,
                    f"'{column.attribute}' {AMBIGUOUS_ATTRIBUTE}; write {column.attribute}_",
                )
        if column.attribute in seen:
            report.error(
                path,
                f"attribute '{column.attribute}' is also the attribute of column "
                f"'{seen[column.attribute]}'",
            )
        seen.setdefault(column.attribute, column.name)


def check_enums(schema: Schema, report: Reporter) -> None:
    """Enum names, values and the Python member names they give."""
    entity_names = {e.name for e in schema.entities}
    for enum in schema.enums:
        base: YamlPath = ("enums", enum.name)
        pg_schema, type_name = naming.split_qualified(enum.db_name)
        keep = f", with db_name: {type_name} to keep the type's name"
        _check_class_name(report, base, enum.name, "enum name", keep)
        if enum.name in entity_names:
            report.error(base, f"'{enum.name}' is both an enum and an entity")
        _check_name(report, (*base, "db_name"), type_name, "enum type name")
        if pg_schema is not None:
            _check_pg_schema(report, (*base, "schema"), pg_schema)
        values: dict[str, int] = {}
        members: dict[str, str] = {}
        for index, value in enumerate(enum.values):
            path = (*base, "values", str(index))
            if value.value in values:
                report.error(path, f"value '{value.value}' is listed twice")
            elif value.member in members:
                report.error(
                    path,
                    f"values '{members[value.member]}' and '{value.value}' both become the "
                    f"Python member {value.member}",
                )
            values.setdefault(value.value, index)
            members.setdefault(value.member, value.value)


def check_renames(schema: Schema, src: Sources, report: Reporter) -> None:
    """``renamed_from`` names a name that is gone, and only once."""
    names = {e.name for e in schema.entities}
    claimed: dict[str, str] = {}
    for entity in schema.entities:
        old = entity.renamed_from
        path: YamlPath = ("entities", entity.name, "renamed_from")
        if old is not None:
            if old in names:
                report.error(path, f"renamed_from: {old}, but entity {old} still exists")
            elif old in claimed:
                report.error(path, f"entity {claimed[old]} also says renamed_from: {old}")
            claimed.setdefault(old, entity.name)
        columns = {c.name for c in entity.columns}
        seen: dict[str, str] = {}
        for column in entity.columns:
            if column.renamed_from is None:
                continue
            where = (*column_path(src, entity, column.name), "renamed_from")
            if column.renamed_from in columns:
                report.error(
                    where, f"renamed_from: {column.renamed_from}, but that column still exists"
                )
            elif column.renamed_from in seen:
                report.error(
                    where,
                    f"column '{seen[column.renamed_from]}' also says renamed_from: "
                    f"{column.renamed_from}",
                )
            seen.setdefault(column.renamed_from, column.name)
