"""Semantic checks on the normalized Schema: names, namespaces, defaults, indexes, enums.

These rules are easier to state on the resolved model (every generated name
known, every mixin column in place) than on raw YAML; each issue is located
through the source map at the place the user wrote the offending thing.
"""

from __future__ import annotations

import datetime
import functools
import math
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from ..language.messages import describe, did_you_mean
from ..model import naming
from ..model.pgtypes import PGTYPE, is_known, param_problem, required_extension
from ..model.schema import INTEGER_TYPES, Column, ColumnType, Entity, IndexKey, Schema
from ..model.sqltext import TIME_KEYWORDS
from ..model.typemap import key_collatable
from ..normalize.normalizer import TIME_KINDS
from ..source.loader import Sources, YamlPath, mapping
from .collations import uncollatable_type
from .domains import check_domains
from .excludes import check_excludes
from .partitions import check_partitions
from .replication import check_replica_identity
from .reporter import (
    Reporter,
    column_path,
    index_path,
    own_column_path,
    type_text,
    unique_path,
)
from .sequences import check_sequences
from .serves import check_serves
from .sql import SqlSyntaxError, read_expression, shown
from .storage import check_column_settings

NUMERIC_KINDS = INTEGER_TYPES | {"numeric", "float", "double"}
INTEGER_RANGES = {
    "smallint": (-(2**15), 2**15 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "bigint": (-(2**63), 2**63 - 1),
}
TEXT_KINDS = frozenset({"string", "text"})

#: Operator classes that come from an extension, not from core PostgreSQL.
OPCLASS_EXTENSIONS: dict[str, str] = {
    "gin_trgm_ops": "pg_trgm",
    "gist_trgm_ops": "pg_trgm",
    "gin_bigm_ops": "pg_bigm",
    "gin__int_ops": "intarray",
    "gist__int_ops": "intarray",
    "gist__intbig_ops": "intarray",
    "gist_int4_ops": "btree_gist",
    "gist_int8_ops": "btree_gist",
    "gist_text_ops": "btree_gist",
    "gist_timestamptz_ops": "btree_gist",
    "gist_uuid_ops": "btree_gist",
}
GIN_DEFAULT_KINDS = frozenset({"array", "jsonb"})


def check_model(schema: Schema, src: Sources, report: Reporter) -> None:
    """Report every rule the normalized schema breaks."""
    for entity in schema.entities:
        check_entity_names(entity, src, report)
        check_attributes(entity, src, report)
        for column in entity.columns:
            check_column_rules(schema, entity, column, src, report)
        check_indexes(schema, entity, src, report)
        check_excludes(schema, entity, src, report, default_opclass_problem)
        check_partitions(schema, entity, src, report)
        check_blank_sql(entity, src, report)
        check_not_valid_checks(entity, report)
        check_not_valid_keys(entity, src, report)
        check_replica_identity(entity, report)
        check_column_settings(entity, report)
    check_namespaces(schema, src, report)
    check_renames(schema, src, report)
    check_relationship_names(schema, src, report)
    check_enums(schema, report)
    check_serves(schema, src, report)
    check_sequences(schema, src, report)
    check_domains(schema, src, report)


# --- names ----------------------------------------------------------------------


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
    if not naming.is_identifier(entity.name) or naming.is_python_keyword(entity.name):
        report.error(base, f"entity name '{entity.name}' is not a valid Python class name")
    table_path = (*base, "table") if "table" in raw else base
    pg_schema, table = naming.split_qualified(entity.table)
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
        else:
            attr_path = (*path, "attribute")
            if not naming.is_identifier(column.attribute) or naming.is_python_keyword(
                column.attribute
            ):
                report.error(attr_path, f"'{column.attribute}' is not a valid Python name")
            elif column.attribute in naming.RESERVED_ATTRIBUTES:
                report.error(attr_path, f"'{column.attribute}' is reserved by SQLAlchemy")
        if column.attribute in seen:
            report.error(
                path,
                f"attribute '{column.attribute}' is also the attribute of column "
                f"'{seen[column.attribute]}'",
            )
        seen.setdefault(column.attribute, column.name)


# --- columns --------------------------------------------------------------------


def check_column_rules(
    schema: Schema, entity: Entity, column: Column, src: Sources, report: Reporter
) -> None:
    """The default fits the column; ``on_update: now`` is on a date/time column."""
    path = own_column_path(entity, column)
    if column.on_update_now and column.type.kind not in TIME_KINDS:
        report.error(
            (*path, "on_update"),
            f"on_update: now needs a date or time column, not {type_text(column.type)}",
        )
    check_named_type(schema, column.type, path, report)
    spec = _raw_column(src, entity, column)
    if "default" in spec:
        problem = default_problem(schema, column, spec["default"])
        if problem:
            report.error((*path, "default"), problem)


def check_named_type(
    schema: Schema, ctype: ColumnType, path: YamlPath, report: Reporter
) -> None:
    """A PostgreSQL type by name: its parameters fit, its extension is declared,
    and a name schemagen cannot verify without a database gets a warning."""
    if ctype.kind == "array" and ctype.of is not None:
        ctype = ctype.of
    if ctype.kind != PGTYPE or ctype.pgtype is None:
        return
    where = (*path, "type")
    problem = param_problem(ctype)
    if problem:
        report.error(where, problem)
    needed = required_extension(ctype)
    if needed and needed not in schema.database.extensions:
        report.error(
            where,
            f"type {ctype.pgtype} comes from the {needed} extension; add {needed} to "
            "database.extensions",
        )
    if not is_known(ctype.pgtype):
        report.warning(
            where,
            f"type '{ctype.pgtype}' is not a PostgreSQL type schemagen knows; it cannot be "
            "verified without a database (`schemagen check --database` does)",
        )


def _raw_column(src: Sources, entity: Entity, column: Column) -> dict[str, Any]:
    path = own_column_path(entity, column)
    owner = src.mixins if path[0] == "mixins" else src.entities
    return mapping(mapping(mapping(owner.get(path[1])).get("columns")).get(column.name))


def default_problem(schema: Schema, column: Column, value: Any) -> str | None:
    """Why a YAML ``default:`` does not fit its column, or None."""
    kind = column.type.kind
    shown = type_text(column.type)
    if isinstance(value, str) and value.lower() in TIME_KEYWORDS and kind in TIME_KINDS:
        fits = TIME_KEYWORDS[value.lower()]
        if kind not in fits:
            return f"default {value} does not fit {shown}; it fits {', '.join(sorted(fits))}"
    if column.default is not None and column.default.kind == "sql":
        return sql_default_problem(column.default.value)
    if column.default is not None and column.default.kind == "now":
        return None
    if kind == PGTYPE and isinstance(value, str | int | float) and not isinstance(value, bool):
        return None  # a literal PostgreSQL casts to the named type (or refuses at upgrade)
    if isinstance(value, bool):
        if kind == "boolean":
            return None
        hint = (
            " (YAML reads yes/no/on/off as booleans; quote the text)"
            if kind in ("enum", "string", "text")
            else ""
        )
        return f"default {describe(value)} is a boolean, but the column is {shown}{hint}"
    if isinstance(value, int | float):
        return _number_problem(value, column.type, shown)
    if isinstance(value, dict | list):
        if kind in ("json", "jsonb") or (kind == "array" and value == []):
            return None
        if kind == "array":
            return (
                "an array default in YAML can only be [] (the empty array); "
                "for others write SQL, e.g. {sql: \"'{a,b}'\"}"
            )
        return f"a JSON default needs a json or jsonb column, not {shown}"
    return _text_problem(schema, column, str(value))


def sql_default_problem(sql: str) -> str | None:
    """Why an ``{sql: ...}`` default is not a default PostgreSQL takes, or None."""
    if not sql.strip():
        return "the {sql: ...} default is empty; write an SQL expression or leave it out"
    try:
        expression = read_expression(sql)
    except SqlSyntaxError as exc:
        return f"{{sql: ...}} default {shown(sql)!r} {exc.describe()}"
    if expression.subquery:
        return "a default cannot hold a sub-select (SELECT, EXISTS); PostgreSQL refuses it"
    columns = expression.columns
    if columns:
        name = shown(".".join(columns[0]))
        return (
            f"a default cannot refer to a column ('{name}'); PostgreSQL refuses it "
            "(for text, write the value without {sql: ...})"
        )
    return None


def _number_problem(value: int | float, ctype: ColumnType, shown: str) -> str | None:
    kind = ctype.kind
    if kind not in NUMERIC_KINDS:
        return f"default {describe(value)} is a number, but the column is {shown}"
    if not math.isfinite(value):
        # Rendered as a bare word (DEFAULT nan), which PostgreSQL reads as a column.
        return (
            f"default {value!r} is not a finite number; for NaN or infinity say "
            "{sql: \"'NaN'\"} or {sql: \"'Infinity'\"}"
        )
    if kind in INTEGER_TYPES:
        if not isinstance(value, int):
            return f"default {value!r} is not a whole number (column type {shown})"
        # PostgreSQL accepts such a default in CREATE TABLE; every INSERT then fails.
        low, high = INTEGER_RANGES[kind]
        if not low <= value <= high:
            return f"default {value} is out of range for {kind} ({low} to {high})"
    if kind == "numeric" and ctype.precision is not None:
        return _numeric_overflow(value, ctype.precision, ctype.scale or 0, shown)
    return None


def _numeric_overflow(value: int | float, precision: int, scale: int, shown: str) -> str | None:
    """PostgreSQL rounds to ``scale`` digits, then needs |value| < 10^(precision - scale)."""
    number = Decimal(str(value))
    limit = Decimal(10) ** (precision - scale)  # exact: one digit and an exponent
    if number.copy_abs() < limit:
        # Below the limit the rounded value has at most precision + 1 digits.
        with localcontext(prec=precision + 2):
            rounded = number.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
        if rounded.copy_abs() < limit:
            return None
    return (
        f"default {value} does not fit {shown}, which holds {precision - scale} digit(s) "
        "before the decimal point"
    )


def _text_problem(schema: Schema, column: Column, value: str) -> str | None:
    kind = column.type.kind
    shown = type_text(column.type)
    if kind in TEXT_KINDS:
        length = column.type.length
        if length is not None and len(value) > length:
            return f"default is {len(value)} characters, longer than length {length}"
        return None
    if kind == "enum":
        enum = schema.enum(str(column.type.enum))
        if value in enum.value_names:
            return None
        hint = did_you_mean(value, list(enum.value_names))
        return f"default '{value}' is not a value of enum {enum.name}{hint}"
    if kind in TIME_KINDS:
        return _time_problem(kind, value)
    if kind == "uuid":
        try:
            uuid.UUID(value)
        except ValueError:
            return f"default '{value}' is not a UUID (for a random one: {{sql: gen_random_uuid()}})"
        return None
    if kind in ("interval", "array"):
        return None
    hint = " (`now` works on date and time columns)" if value == "now" else ""
    return f"default '{value}' is text, but the column is {shown}{hint}"


def _time_problem(kind: str, value: str) -> str | None:
    if value in ("infinity", "-infinity") and kind not in ("time", "timetz"):
        return None
    parse = {
        "date": datetime.date.fromisoformat,
        "time": datetime.time.fromisoformat,
        "timetz": datetime.time.fromisoformat,  # 12:30:00+02:00
        "timestamp": datetime.datetime.fromisoformat,
        "timestamptz": datetime.datetime.fromisoformat,
    }[kind]
    try:
        parse(value)
    except ValueError:
        return f"default '{value}' is not an ISO {kind} (or `now`)"
    return None


def check_not_valid_checks(entity: Entity, report: Reporter) -> None:
    """``validated: false`` only on a table that is not partitioned: a partitioned
    table's checks are made in the transaction with its partitions (no online
    step), and its partitions take the check as their own."""
    if entity.partition_by is None:
        return
    for ck in entity.checks:
        if not ck.validated:
            report.error(
                ("entities", entity.name, "checks", ck.name, "validated"),
                f"check {ck.name} of partitioned table {entity.table} cannot be left NOT "
                "VALID here: declare it validated (leave validated: out)",
            )


def check_not_valid_keys(entity: Entity, src: Sources, report: Reporter) -> None:
    """``validated: false`` only on a foreign key of a table that is not
    partitioned: PostgreSQL refuses ``NOT VALID`` on a partitioned table's key
    ('cannot add NOT VALID foreign key on partitioned table')."""
    if entity.partition_by is None:
        return
    declared = mapping(mapping(src.entities.get(entity.name)).get("foreign_keys"))
    for fk in entity.foreign_keys:
        if fk.validated:
            continue
        if fk.name in declared:
            at: tuple[str, ...] = ("entities", entity.name, "foreign_keys", fk.name, "validated")
        else:
            at = ("entities", entity.name, "columns", fk.columns[0], "validated")
        report.error(
            at,
            f"foreign key {fk.name} of partitioned table {entity.table} cannot be left NOT "
            "VALID (PostgreSQL refuses NOT VALID on a partitioned table's key): declare "
            "it validated (leave validated: out)",
        )


def check_blank_sql(entity: Entity, src: Sources, report: Reporter) -> None:
    """Check expressions and partial-index predicates that say nothing.

    They would render as ``CHECK ()`` and ``WHERE`` with nothing after it, which
    PostgreSQL rejects only when the migration runs.
    """
    for ck in entity.checks:
        if not ck.expression.strip():
            report.error(
                ("entities", entity.name, "checks", ck.name),
                f"check constraint {ck.name} has an empty expression",
            )
    for index in entity.indexes:
        if index.where is not None and not index.where.strip():
            report.error(
                (*index_path(src, entity, index.name, index.columns), "where"),
                "`where:` is empty; leave it out for an index on every row",
            )


# --- indexes --------------------------------------------------------------------


def check_indexes(schema: Schema, entity: Entity, src: Sources, report: Reporter) -> None:
    """Operator classes, their extensions, and index methods that fit the columns."""
    extensions = set(schema.database.extensions)
    for index in entity.indexes:
        path = index_path(src, entity, index.name, index.columns)
        ops = dict(index.ops)
        if index.unique and index.using != "btree":
            report.error((*path, "unique"), f"a unique index must use btree, not {index.using}")
        if index.nulls_not_distinct and not index.unique:
            report.error((*path, "nulls_not_distinct"), "nulls_not_distinct needs unique: true")
        check_index_method(index.using, path, extensions, report)
        if index.include and index.using not in ("btree", "gist", "spgist"):
            report.error(
                (*path, "include"),
                f"`include` works only with btree and gist indexes, not {index.using}",
            )
        _check_key_collations(schema, entity, index.keys, path, report)
        for name in index.columns:
            opclass = ops.get(name)
            if opclass is None:
                problem = default_opclass_problem(index.using, entity.column(name), extensions)
                if problem:
                    report.error(path, problem)
                continue
            needed = OPCLASS_EXTENSIONS.get(opclass)
            if needed and needed not in extensions:
                report.error(
                    (*path, "ops", name),
                    f"operator class {opclass} needs the {needed} extension; add it to "
                    "database.extensions",
                )
    check_json_equality(entity, src, report)


def _check_key_collations(
    schema: Schema, entity: Entity, keys: tuple[IndexKey, ...], path: YamlPath, report: Reporter
) -> None:
    """A key's collation: on a type that has collations, in the default order."""
    for number, key in enumerate(keys):
        column = entity.column(key.column) if key.collation and key.column else None
        where = (*path, "columns", str(number), "collation")
        if column is not None and not key_collatable(column.type):
            report.error(
                where,
                "a collation applies to columns of a type with collations (string, text, "
                f"citext, or an array of one), not {column.type.pgtype or column.type.kind}",
            )
        elif key.collation and key.expression is not None and (
            kind := uncollatable_type(key.expression, entity, schema)
        ):
            report.error(
                where,
                f"{key.expression} is of type {kind}, which has no collation: "
                "PostgreSQL refuses COLLATE on it",
            )
        elif key.collation and (key.descending or key.nulls):
            # SQLAlchemy reflects no key collation: Alembic would compare the
            # text() such a key needs with the bare ordered column (or the
            # expression alone), and differ.
            report.error(
                where,
                "not yet: a key with a collation of its own keeps the default order "
                "(ASC NULLS LAST); Alembic could not compare it",
            )


#: Index methods that core PostgreSQL has, and those that extensions add.
CORE_INDEX_METHODS = frozenset({"btree", "hash", "gist", "spgist", "gin", "brin"})
METHOD_EXTENSIONS = {"hnsw": "vector", "ivfflat": "vector", "bloom": "bloom", "rum": "rum"}


def check_index_method(
    using: str, path: YamlPath, extensions: set[str], report: Reporter
) -> None:
    """An extension's method needs its extension; an unknown one can only be checked
    by a database (a warning)."""
    if using in CORE_INDEX_METHODS:
        return
    needed = METHOD_EXTENSIONS.get(using)
    if needed is None:
        known = sorted(CORE_INDEX_METHODS | set(METHOD_EXTENSIONS))
        report.warning(
            (*path, "using"),
            f"index method '{using}' is not one schemagen knows{did_you_mean(using, known)}; "
            "only a database can verify it (`schemagen check --database`)",
        )
    elif needed not in extensions:
        report.error(
            (*path, "using"),
            f"index method {using} comes from the {needed} extension; add {needed} to "
            "database.extensions",
        )


def default_opclass_problem(using: str, col: Column, extensions: set[str]) -> str | None:
    """Why PostgreSQL has no default operator class for this column and method, or None."""
    kind, shown = col.type.kind, type_text(col.type)
    if kind == PGTYPE:
        # tsvector (GIN, GiST), ranges and geometry (GiST), inet (GiST) have default
        # classes; for the rest only the database can tell (check --database, upgrade).
        return None
    if using == "gin" and kind not in GIN_DEFAULT_KINDS:
        if kind == "json":
            return (
                f"GIN on json column '{col.name}' needs an operator class (json has no "
                "default one); use type jsonb"
            )
        return (
            f"GIN on {shown} column '{col.name}' needs an operator class in `ops` "
            f"(e.g. {col.name}: gin_trgm_ops)"
        )
    if using in ("btree", "hash") and kind == "json":
        return (
            f"json column '{col.name}' cannot be in a {using} index (json has no equality); "
            "use type jsonb"
        )
    if using == "gist" and kind in ("json", "jsonb", "array"):
        of = col.type.of
        if of is not None and of.kind == "integer" and "intarray" in extensions:
            return None  # intarray makes gist__int_ops the default for integer[]
        return f"GiST has no default operator class for {shown} column '{col.name}'"
    if using == "gist" and "btree_gist" not in extensions:
        return (
            f"GiST on {shown} column '{col.name}' needs the btree_gist extension; add it to "
            "database.extensions"
        )
    if using == "brin" and kind in ("json", "jsonb", "array", "boolean"):
        return f"BRIN has no default operator class for {shown} column '{col.name}'"
    return None


def check_json_equality(entity: Entity, src: Sources, report: Reporter) -> None:
    """json (unlike jsonb) has no equality: it cannot be in a primary key or unique constraint."""
    json_columns = {c.name for c in entity.columns if c.type.kind == "json"}
    for uq in entity.uniques:
        for name in json_columns.intersection(uq.columns):
            report.error(
                unique_path(src, entity, uq.name, uq.columns),
                f"json column '{name}' cannot be unique (json has no equality); use type jsonb",
            )
    for name in json_columns.intersection(entity.primary_key.columns):
        report.error(
            column_path(src, entity, name),
            f"json column '{name}' cannot be in the primary key; use type jsonb",
        )


# --- namespaces -----------------------------------------------------------------


@dataclass(frozen=True)
class _Claim:
    what: str
    path: YamlPath


def check_namespaces(schema: Schema, src: Sources, report: Reporter) -> None:
    """Tables, indexes and key constraints share one namespace; types another."""
    relations: dict[str, _Claim] = {}
    types: dict[str, _Claim] = {}
    for enum in schema.enums:
        _claim(types, enum.db_name, _Claim(f"enum {enum.name}", ("enums", enum.name)), report, src)
    for entity in schema.entities:
        base: YamlPath = ("entities", entity.name)
        table = _Claim(f"the table of {entity.name}", base)
        # (a namespace per PostgreSQL schema: names are qualified as tables are)
        qualify = functools.partial(naming.qualify, naming.split_qualified(entity.table)[0])

        # When the table clashes, its conventional names clash too: one message is enough.
        if _claim(relations, entity.table, table, report, src) and entity.has_primary_key:
            _claim(types, entity.table, table, report, src)
            pk = _Claim(f"the primary key of {entity.name}", base)
            _claim(relations, qualify(entity.primary_key.name), pk, report, src)
        for uq in entity.uniques:
            path = unique_path(src, entity, uq.name, uq.columns)
            _claim(
                relations,
                qualify(uq.name),
                _Claim(f"a unique constraint of {entity.name}", path),
                report,
                src,
            )
        for ix in entity.indexes:
            path = index_path(src, entity, ix.name, ix.columns)
            claim = _Claim(f"an index of {entity.name}", path)
            _claim(relations, qualify(ix.name), claim, report, src)
        check_constraint_names(entity, src, report)
    for entity in schema.entities:  # after every table, so a clash is the partition's
        for part in entity.partitions:
            path = ("entities", entity.name, "partitions", part.name)
            claim = _Claim(f"a partition of {entity.name}", path)
            table_name = naming.partition_table(entity.table, part.name)
            if _claim(relations, table_name, claim, report, src):
                _claim(types, table_name, claim, report, src)  # its row type


def _claim(
    space: dict[str, _Claim], name: str, claim: _Claim, report: Reporter, src: Sources
) -> bool:
    first = space.get(name)
    if first is None:
        space[name] = claim
        return True
    where = report.source_map.find(first.path)
    at = f" ({where.file}:{where.line}:{where.column})" if where else ""
    if claim.what.startswith("the table") and first.what.startswith("the table"):
        report.error(claim.path, f"table '{name}' is also {first.what}{at}")
        return False
    report.error(
        claim.path,
        f"name '{name}' is already used by {first.what}{at}; PostgreSQL tables, indexes "
        "and unique or primary-key constraints share one namespace",
    )
    return False


def check_constraint_names(entity: Entity, src: Sources, report: Reporter) -> None:
    """Constraint names are unique within a table."""
    seen: set[str] = {entity.primary_key.name} if entity.has_primary_key else set()
    names: list[tuple[str, YamlPath]] = [
        (uq.name, unique_path(src, entity, uq.name, uq.columns)) for uq in entity.uniques
    ]
    names += [
        (fk.name, (*column_path(src, entity, fk.columns[0]), "references"))
        for fk in entity.foreign_keys
    ]
    names += [(ck.name, ("entities", entity.name, "checks", ck.name)) for ck in entity.checks]
    names += [(ex.name, ("entities", entity.name, "exclude", ex.name)) for ex in entity.excludes]
    for name, path in names:
        if name in seen:
            report.error(path, f"constraint name '{name}' is used twice on table {entity.table}")
        seen.add(name)


# --- relationships and enums ------------------------------------------------------


def relationship_sources(schema: Schema, src: Sources) -> dict[tuple[str, str], list[YamlPath]]:
    """(entity, relationship name) -> the YAML paths that created it."""
    found: dict[tuple[str, str], list[YamlPath]] = {}
    for entity in schema.entities:
        for rel in entity.relationships:
            if rel.kind == "many_to_many":
                path: YamlPath = ("entities", entity.name, "relationships", rel.name)
            elif rel.kind == "many_to_one":
                fk = next(f for f in entity.foreign_keys if f.name == rel.foreign_key)
                path = (*column_path(src, entity, fk.columns[0]), "relationship")
            else:
                owner = schema.entity(rel.target)
                fk = next(f for f in owner.foreign_keys if f.name == rel.foreign_key)
                path = (*column_path(src, owner, fk.columns[0]), "back_populates")
            found.setdefault((entity.name, rel.name), []).append(path)
    return found


def check_relationship_names(schema: Schema, src: Sources, report: Reporter) -> None:
    """A relationship attribute is a usable Python name, unique on its entity, and
    clashes with no column."""
    sources = relationship_sources(schema, src)
    for (entity_name, rel), paths in sorted(sources.items()):
        problem = python_name_problem(rel)
        if problem:
            # The name becomes a class attribute in models.py: `class: Mapped[...]`
            # would not even compile.
            report.error(
                paths[0], f"relationship '{rel}' on {entity_name} {problem}; choose another name"
            )
        entity = schema.entity(entity_name)
        clash = next((c for c in entity.columns if c.attribute == rel), None)
        if clash is not None:
            report.error(
                paths[0],
                f"relationship '{rel}' on {entity_name} clashes with column "
                f"'{clash.name}'; choose another name",
            )
        if len(paths) > 1:
            where = ", ".join(".".join(p[:-1]) for p in paths)
            for path in paths:
                report.error(
                    path,
                    f"relationship '{rel}' on {entity_name} is created twice (by {where}); "
                    "give each a different name",
                )


def python_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be an attribute of a mapped class, or None."""
    if not naming.is_identifier(name):
        return "is not a valid Python name"
    if naming.is_python_keyword(name):
        return "is a Python keyword"
    if name in naming.RESERVED_ATTRIBUTES:
        return "is reserved by SQLAlchemy's declarative base"
    return None


def check_enums(schema: Schema, report: Reporter) -> None:
    """Enum names, values and the Python member names they give."""
    entity_names = {e.name for e in schema.entities}
    for enum in schema.enums:
        base: YamlPath = ("enums", enum.name)
        if not naming.is_identifier(enum.name) or naming.is_python_keyword(enum.name):
            report.error(base, f"enum name '{enum.name}' is not a valid Python class name")
        if enum.name in entity_names:
            report.error(base, f"'{enum.name}' is both an enum and an entity")
        pg_schema, type_name = naming.split_qualified(enum.db_name)
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
