"""One table of how each column kind maps to SQLAlchemy, Python and PostgreSQL.

Renderers for models.py and for Alembic revisions, the docs and the live-database
comparison all read this table, so the four can never disagree about a type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from . import pgtypes, temporal
from .schema import ColumnType, Default, Schema

Style = Literal["models", "alembic"]


@dataclass(frozen=True)
class TypeCode:
    """A rendered type expression and the imports it needs: (module, name) pairs."""

    expr: str
    imports: frozenset[tuple[str, str]]


# kind -> (SQLAlchemy module, class name, PostgreSQL format_type, Python type, Python import)
_SIMPLE: dict[str, tuple[str, str, str, str, str | None]] = {
    "smallint": ("sqlalchemy", "SmallInteger", "smallint", "int", None),
    "integer": ("sqlalchemy", "Integer", "integer", "int", None),
    "bigint": ("sqlalchemy", "BigInteger", "bigint", "int", None),
    "text": ("sqlalchemy", "Text", "text", "str", None),
    "boolean": ("sqlalchemy", "Boolean", "boolean", "bool", None),
    "float": ("sqlalchemy", "REAL", "real", "float", None),
    "double": ("sqlalchemy", "Double", "double precision", "float", None),
    "date": ("sqlalchemy", "Date", "date", "datetime.date", "datetime"),
    "time": ("sqlalchemy", "Time", "time without time zone", "datetime.time", "datetime"),
    # (the SQLAlchemy class of a timetz, and of any precision: temporal.sa_arguments)
    "timetz": ("sqlalchemy", "Time", "time with time zone", "datetime.time", "datetime"),
    "timestamp": (
        "sqlalchemy",
        "DateTime",
        "timestamp without time zone",
        "datetime.datetime",
        "datetime",
    ),
    "interval": ("sqlalchemy", "Interval", "interval", "datetime.timedelta", "datetime"),
    "uuid": ("sqlalchemy", "Uuid", "uuid", "uuid.UUID", "uuid"),
    "json": ("sqlalchemy.dialects.postgresql", "JSON", "json", "dict[str, Any]", "typing"),
    "jsonb": ("sqlalchemy.dialects.postgresql", "JSONB", "jsonb", "dict[str, Any]", "typing"),
    "bytes": ("sqlalchemy", "LargeBinary", "bytea", "bytes", None),
}


def pg_type(ct: ColumnType, schema: Schema) -> str:
    """The type as PostgreSQL's ``format_type`` prints it (``character varying(64)``)."""
    if ct.domain is not None:
        return ct.domain
    if ct.kind in temporal.TEMPORAL_KINDS:
        return temporal.format_temporal(ct)
    if ct.kind in _SIMPLE:
        return _SIMPLE[ct.kind][2]
    if ct.kind == "string":
        return f"character varying({ct.length})" if ct.length else "character varying"
    if ct.kind == "numeric":
        if ct.precision is None:
            return "numeric"
        return f"numeric({ct.precision},{ct.scale or 0})"
    if ct.kind == "timestamptz":
        return "timestamp with time zone"
    if ct.kind == "enum":
        assert ct.enum is not None
        return schema.enum(ct.enum).db_name
    if ct.kind == "array":
        assert ct.of is not None
        return pg_type(ct.of, schema) + "[]"
    if ct.kind == pgtypes.PGTYPE:
        return pgtypes.format_type(ct)
    raise ValueError(f"unknown column kind {ct.kind!r}")


def python_type(ct: ColumnType, default: Default | None = None) -> tuple[str, frozenset[str]]:
    """The ``Mapped[...]`` annotation (without ``| None``) and the modules to import.

    JSON columns whose default is a list are ``list[Any]``; other JSON is
    ``dict[str, Any]``. Enum columns are annotated with their Python enum class.
    """
    if ct.kind in ("json", "jsonb"):
        if default is not None and default.kind == "json" and default.value.startswith("["):
            return "list[Any]", frozenset({"typing"})
        return "dict[str, Any]", frozenset({"typing"})
    if ct.kind in _SIMPLE:
        _, _, _, py, module = _SIMPLE[ct.kind]
        return py, frozenset({module} if module else set())
    if ct.kind in ("string",):
        return "str", frozenset()
    if ct.kind == "numeric":
        return "Decimal", frozenset({"decimal"})
    if ct.kind == "timestamptz":
        return "datetime.datetime", frozenset({"datetime"})
    if ct.kind == "enum":
        assert ct.enum is not None
        return ct.enum, frozenset()
    if ct.kind == "array":
        assert ct.of is not None
        inner, modules = python_type(ct.of)
        return f"list[{inner}]", modules
    if ct.kind == pgtypes.PGTYPE:
        assert ct.pgtype is not None
        spec = pgtypes.NAMED.get(ct.pgtype)
        if spec is None:
            return "Any", frozenset({"typing"})
        needs = {spec.py_module} if spec.py_module else set()
        if spec.python.startswith("Range["):
            needs.add("range")
        return spec.python, frozenset(needs)
    raise ValueError(f"unknown column kind {ct.kind!r}")


def sa_type(ct: ColumnType, schema: Schema, style: Style) -> TypeCode:
    """A SQLAlchemy type expression.

    ``models`` style uses bare names imported from their modules
    (``String(64)``); ``alembic`` style uses the ``sa.`` / ``postgresql.``
    prefixes of a revision file. Enum columns in ``models`` style map the Python
    enum class by value; in ``alembic`` style they name the existing type with
    ``create_type=False`` (the revision creates enum types itself).
    """
    if ct.domain is not None:
        return _domain_type(ct.domain, schema, style)
    if ct.kind == "enum":
        return _enum_type(ct, schema, style)
    if ct.kind == "array":
        assert ct.of is not None
        inner = sa_type(ct.of, schema, style)
        # A multirange is a list itself: without dimensions, ARRAY would take it for a
        # second dimension and hand each of its ranges to the multirange's processors.
        dims = ", dimensions=1" if pgtypes.is_multirange(ct.of) else ""
        return _code(
            style,
            "sqlalchemy.dialects.postgresql",
            "ARRAY",
            f"({inner.expr}{dims})",
            inner.imports,
        )
    if ct.collation is not None:
        return _collated(ct, schema, style)
    if ct.kind == "string":
        return _code(style, "sqlalchemy", "String", f"({ct.length})" if ct.length else "()")
    if ct.kind == "numeric":
        if ct.precision is None:
            return _code(style, "sqlalchemy", "Numeric", "()")
        return _code(style, "sqlalchemy", "Numeric", f"({ct.precision}, {ct.scale or 0})")
    if ct.kind == "timetz" or (ct.kind in temporal.TEMPORAL_KINDS and not temporal.is_plain(ct)):
        name, args = temporal.sa_arguments(ct)
        return _code(style, "sqlalchemy.dialects.postgresql", name, f"({args})")
    if ct.kind == "timestamptz":
        return _code(style, "sqlalchemy", "DateTime", "(timezone=True)")
    if ct.kind == pgtypes.PGTYPE:
        return _named_type(ct, style)
    module, name = _SIMPLE[ct.kind][0], _SIMPLE[ct.kind][1]
    return _code(style, module, name, "()")


#: Kinds a ``collation:`` applies to (PostgreSQL's collatable types the language names).
COLLATABLE_PGTYPES = frozenset({"character", "citext"})


def collatable(ct: ColumnType) -> bool:
    """Whether ``ct`` takes a COLLATE clause (a domain column takes its domain's)."""
    if ct.domain is not None:
        return False
    return ct.kind in ("string", "text") or (
        ct.kind == pgtypes.PGTYPE and ct.pgtype in COLLATABLE_PGTYPES
    )


def key_collatable(ct: ColumnType) -> bool:
    """Whether an index key of a column of type ``ct`` takes a COLLATE clause: the
    type (a domain's base type) has collations, or an array's element type does,
    whose elements the index then compares under it."""
    from dataclasses import replace

    if ct.kind == "array" and ct.of is not None:
        ct = ct.of
    return collatable(replace(ct, domain=None))


def _collated(ct: ColumnType, schema: Schema, style: Style) -> TypeCode:
    """``String(64, collation="C")``: SQLAlchemy writes ``VARCHAR(64) COLLATE "C"``."""
    from dataclasses import replace

    plain = sa_type(replace(ct, collation=None), schema, style)
    head, _, rest = plain.expr.partition("(")
    inner = rest[:-1]
    words = f"{inner}, " if inner else ""
    return TypeCode(f"{head}({words}collation={_quote(str(ct.collation))})", plain.imports)


def domain_variable(name: str) -> str:
    """The module-level name models.py gives the ``DOMAIN`` of domain ``name``."""
    return name.replace(".", "_").upper() + "_DOMAIN"


def _domain_type(name: str, schema: Schema, style: Style) -> TypeCode:
    """models.py names its module-level ``DOMAIN``; a revision names the domain
    (``create_type=False``: the revision creates domains itself)."""
    if style == "models":
        return TypeCode(domain_variable(name), frozenset())
    from dataclasses import replace

    from . import naming

    dom = schema.domain(name)
    base = sa_type(replace(dom.type, collation=None), schema, style)
    pg_schema, bare = naming.split_qualified(name)
    in_schema = f", schema={_quote(pg_schema)}" if pg_schema else ""
    quote = ", quote=True" if naming.type_needs_quotes(bare) else ""
    args = f"({_quote(bare)}, {base.expr}{in_schema}, create_type=False{quote})"
    return _code(style, "sqlalchemy.dialects.postgresql", "DOMAIN", args, base.imports)


def _enum_type(ct: ColumnType, schema: Schema, style: Style) -> TypeCode:
    assert ct.enum is not None
    enum = schema.enum(ct.enum)
    quote = ", quote=True" if _needs_quotes(enum.db_name) else ""
    if style == "models":
        args = f'({enum.name}, name="{enum.db_name}"{quote}, values_callable=enum_values)'
        return _code(style, "sqlalchemy", "Enum", args)
    values = ", ".join(_quote(v) for v in enum.value_names)
    return _code(
        style,
        "sqlalchemy.dialects.postgresql",
        "ENUM",
        f'({values}, name="{enum.db_name}", create_type=False{quote})',
    )


def _needs_quotes(name: str) -> bool:
    from . import naming

    return naming.type_needs_quotes(name)


#: The class that models.py and revisions define for a type SQLAlchemy has no class for.
SQL_TYPE = "SqlType"
#: The SqlType of models.py whose values are text both ways (render.text_types).
SQL_TEXT = "SqlText"


def _named_type(ct: ColumnType, style: Style) -> TypeCode:
    assert ct.pgtype is not None
    spec = pgtypes.NAMED.get(ct.pgtype)
    args = f"({pgtypes.sa_args(ct)})"
    if spec is not None and spec.sent_as is not None and style == "models":
        # models.py's SqlType whose values are text with either driver (render.text_types)
        sent = pgtypes.format_type(ct)
        sent_as = "" if spec.sent_as == sent else f", {_quote(spec.sent_as)}"
        return TypeCode(f"{SQL_TEXT}({_quote(sent)}{sent_as})", frozenset({("", SQL_TEXT)}))
    if spec is None or spec.sa_module is None or spec.sa_class is None:
        # Defined in the generated file itself (see SQL_TYPE_LINES).
        return TypeCode(f"{SQL_TYPE}{args}", frozenset({("", SQL_TYPE)}))
    if style == "models" or spec.sa_module.startswith("sqlalchemy"):
        return _code(style, spec.sa_module, spec.sa_class, args)
    return TypeCode(f"{spec.sa_module}.{spec.sa_class}{args}", frozenset())


#: The lines of :data:`SQL_TYPE`: a type named by its SQL text, rendered as is.
SQL_TYPE_LINES: tuple[str, ...] = (
    f"class {SQL_TYPE}(UserDefinedType[Any]):",
    '    """A PostgreSQL type that SQLAlchemy has no class for, named as in the schema."""',
    "",
    "    cache_ok = True",
    "",
    "    def __init__(self, spec: str) -> None:",
    "        self.spec = spec",
    "",
    "    def get_col_spec(self, **kw: Any) -> str:",
    "        return self.spec",
)


def _quote(text: str) -> str:
    from ..util.templating import py_literal

    return py_literal(text)


def _code(
    style: Style,
    module: str,
    name: str,
    args: str,
    extra: frozenset[tuple[str, str]] = frozenset(),
) -> TypeCode:
    if style == "models":
        return TypeCode(f"{name}{args}", extra | {(module, name)})
    prefix = "postgresql." if module.endswith("postgresql") else "sa."
    return TypeCode(f"{prefix}{name}{args}", extra)
