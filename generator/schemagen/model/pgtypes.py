"""PostgreSQL types by name: ``tsvector``, ``citext``, ``vector(1536)``, ``geometry(Point,4326)``.

A ``type:`` that is neither a base type of the language nor a ``types:`` alias
is read as a PostgreSQL type name with optional parameters, in PostgreSQL's own
words. :func:`parse_type_name` turns it into a :class:`ColumnType`: a synonym of
a base type becomes that base type (``varchar(20)`` is ``string`` of length 20,
``int8`` is ``bigint``), so one type has one spelling in the model; any other
name becomes ``kind="pgtype"`` with its name and parameters, canonical as
``format_type`` prints them, so the live comparison sees equal text.

:data:`NAMED` says, for the names schemagen knows, which SQLAlchemy class
renders them, which Python type the ORM attribute has and which extension must
be declared. A name it does not know still works: models and revisions render
it with a small generated ``UserDefinedType`` (``SqlType("name")``), and only a
database can say whether the name exists (``validate`` warns, ``check
--database`` and ``alembic upgrade`` fail).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .schema import BASE_TYPES, ColumnType
from .sequences import SERIAL_TYPES
from .temporal import TEMPORAL_KINDS, parse_temporal

PGTYPE = "pgtype"  # the ColumnType.kind of a type given by its PostgreSQL name


@dataclass(frozen=True)
class NamedType:
    """How one PostgreSQL type maps to SQLAlchemy and Python.

    ``sa_module``/``sa_class`` name the SQLAlchemy type (``None``: the generated
    ``SqlType``); ``python`` is the ``Mapped[...]`` annotation and ``py_module``
    the module it needs (a key of ``render.column_types._PY_IMPORTS``); ``extension``
    is what ``database.extensions`` must list; ``nparams`` the number of
    parameters the type takes at most. ``sent_as``, for a type whose values models
    hold as text but asyncpg decodes into classes of its own (and refuses a str
    for), is the type a str is cast to from text (models.py's ``SqlText``).
    """

    sa_module: str | None = "sqlalchemy.dialects.postgresql"
    sa_class: str | None = None
    python: str = "str"
    py_module: str | None = None
    extension: str | None = None
    nparams: int = 0
    sent_as: str | None = None


_PG = "sqlalchemy.dialects.postgresql"


def _range(name: str, py: str, module: str | None = None) -> NamedType:
    """A range type: SQLAlchemy's class is its name in capitals, values are ``Range``."""
    return NamedType(_PG, name.upper(), f"Range[{py}]", module)


def _as_text(sent_as: str, nparams: int = 0) -> NamedType:
    """A type models hold as text, which asyncpg decodes into a class of its own
    (point: Point, pg_lsn: int, bit: BitString) and psycopg returns as text."""
    return NamedType(None, None, "str", nparams=nparams, sent_as=sent_as)


#: The PostgreSQL types schemagen knows by name (beyond the base types).
NAMED: dict[str, NamedType] = {
    "tsvector": NamedType(_PG, "TSVECTOR"),
    "tsquery": NamedType(_PG, "TSQUERY"),
    "citext": NamedType(_PG, "CITEXT", extension="citext"),
    "inet": NamedType(_PG, "INET", "Any", "typing"),
    "cidr": NamedType(_PG, "CIDR", "Any", "typing"),
    "macaddr": NamedType(_PG, "MACADDR"),
    "macaddr8": NamedType(_PG, "MACADDR8"),
    # SqlType, not SQLAlchemy's MONEY and JSONPATH: 2.1 gives those no operator class
    # (every comparison warns), and JSONPATH is the type of a path handed to #> (a list
    # of keys), whose bind processor writes None as '{}' or [].
    "money": NamedType(None, None, "str"),
    "oid": NamedType(_PG, "OID", "int"),
    "regclass": NamedType(_PG, "REGCLASS"),
    "regconfig": NamedType(_PG, "REGCONFIG"),
    "jsonpath": NamedType(None, None, "str"),
    "hstore": NamedType(_PG, "HSTORE", "dict[str, str | None]", extension="hstore"),
    "int4range": _range("int4range", "int"),
    "int8range": _range("int8range", "int"),
    "numrange": _range("numrange", "Decimal", "decimal"),
    "daterange": _range("daterange", "datetime.date", "datetime"),
    "tsrange": _range("tsrange", "datetime.datetime", "datetime"),
    "tstzrange": _range("tstzrange", "datetime.datetime", "datetime"),
    "int4multirange": NamedType(_PG, "INT4MULTIRANGE", "Any", "typing"),
    "int8multirange": NamedType(_PG, "INT8MULTIRANGE", "Any", "typing"),
    "nummultirange": NamedType(_PG, "NUMMULTIRANGE", "Any", "typing"),
    "datemultirange": NamedType(_PG, "DATEMULTIRANGE", "Any", "typing"),
    "tsmultirange": NamedType(_PG, "TSMULTIRANGE", "Any", "typing"),
    "tstzmultirange": NamedType(_PG, "TSTZMULTIRANGE", "Any", "typing"),
    "character": NamedType("sqlalchemy", "CHAR", nparams=1),
    # Sent as bit varying: a cast to bit(3) cuts '1101' to '110' (pads '11' to '110'),
    # where the column refuses a value of another length.
    "bit": _as_text("bit varying", nparams=1),
    "bit varying": _as_text("bit varying", nparams=1),
    "xml": NamedType(None, None, "str"),
    "point": _as_text("point"),
    "line": _as_text("line"),
    "lseg": _as_text("lseg"),
    "box": _as_text("box"),
    "path": _as_text("path"),
    "polygon": _as_text("polygon"),
    "circle": _as_text("circle"),
    "pg_lsn": _as_text("pg_lsn"),
    "pg_snapshot": _as_text("pg_snapshot"),
    "regtype": NamedType(None, None, "str"),
    "regproc": NamedType(None, None, "str"),
    "name": NamedType(None, None, "str"),
    "ltree": NamedType(None, None, "str", extension="ltree"),
    "cube": NamedType(None, None, "str", extension="cube"),
    # pgvector's and GeoAlchemy2's own SQLAlchemy types (optional extras).
    "vector": NamedType("pgvector.sqlalchemy", "VECTOR", "Any", "typing", "vector", 1),
    "halfvec": NamedType("pgvector.sqlalchemy", "HALFVEC", "Any", "typing", "vector", 1),
    "sparsevec": NamedType("pgvector.sqlalchemy", "SPARSEVEC", "Any", "typing", "vector", 1),
    "geometry": NamedType("geoalchemy2", "Geometry", "Any", "typing", "postgis", 2),
    "geography": NamedType("geoalchemy2", "Geography", "Any", "typing", "postgis", 2),
}

#: Spellings of the language's base types (PostgreSQL's names and aliases).
SYNONYMS: dict[str, str] = {
    "int": "integer",
    "int4": "integer",
    "int2": "smallint",
    "int8": "bigint",
    "bool": "boolean",
    "real": "float",
    "float4": "float",
    "float8": "double",
    "double precision": "double",
    "varchar": "string",
    "character varying": "string",
    "decimal": "numeric",
    "bytea": "bytes",
    "timestamp without time zone": "timestamp",
    "timestamp with time zone": "timestamptz",
    "time without time zone": "time",
    "time with time zone": "timetz",
}
#: Base types of the language whose name is also PostgreSQL's (written with
#: parameters or in capitals, they reach :func:`parse_type_name`).
_SAME_NAME = frozenset(
    {"smallint", "integer", "bigint", "text", "boolean", "numeric", "date", "time", "timestamp"}
    | {"interval", "uuid", "json", "jsonb"}
)
_RENAMED = {"char": "character", "bpchar": "character", "varbit": "bit varying"}

#: PostGIS subtypes as ``format_type`` prints them (``POINT`` -> ``Point``).
_GEOMETRY_KINDS = {
    k.lower(): k
    for k in (
        "Geometry",
        "Point",
        "LineString",
        "Polygon",
        "MultiPoint",
        "MultiLineString",
        "MultiPolygon",
        "GeometryCollection",
        "CircularString",
        "CompoundCurve",
        "CurvePolygon",
        "MultiCurve",
        "MultiSurface",
        "PolyhedralSurface",
        "Triangle",
        "Tin",
    )
}

_TYPE_NAME = re.compile(
    r"^\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\s+[A-Za-z_][A-Za-z0-9_]*)*)\s*"
    r"(?:\((?P<args>[^()]*)\))?\s*$"
)


def parse_type_name(text: str) -> ColumnType | None:
    """The ColumnType that a PostgreSQL type name stands for, or None if it is no name.

    ``varchar(20)`` -> ``string`` of length 20; ``vector(3)`` -> a ``pgtype``
    named ``vector`` with parameter ``3``. Parameters are not checked here
    (:func:`param_problem` does). Times, timestamps and intervals with a precision
    or fields are :func:`~.temporal.parse_temporal`'s.
    """
    temporal = parse_temporal(text)
    if temporal is not None:
        return temporal
    match = _TYPE_NAME.match(text)
    if match is not None and re.split(r"[\s(]", text.strip().lower())[0] in TEMPORAL_KINDS:
        return None  # timestamp(x), interval month to day: no such type
    if match is None:
        return None
    name = " ".join(match.group("name").lower().split())
    raw_args = match.group("args")
    args = tuple(a.strip() for a in raw_args.split(",")) if raw_args is not None else ()
    name = _RENAMED.get(name, name)
    base = name if name in _SAME_NAME else SYNONYMS.get(name)
    if base is not None:
        return _base_type(base, args)
    if name in ("geometry", "geography") and args:
        args = (_GEOMETRY_KINDS.get(args[0].lower().rstrip("zm"), args[0]) + _zm(args[0]),) + args[
            1:
        ]
    return ColumnType(kind=PGTYPE, pgtype=name, args=args)


def _zm(kind: str) -> str:
    """The Z/M/ZM suffix of a PostGIS subtype, upper case (``pointz`` -> ``Z``)."""
    lower = kind.lower()
    for suffix in ("zm", "z", "m"):
        if lower.endswith(suffix) and lower[: -len(suffix)] in _GEOMETRY_KINDS:
            return suffix.upper()
    return ""


def _base_type(base: str, args: tuple[str, ...]) -> ColumnType:
    numbers = [int(a) if a.isdigit() else None for a in args]
    if base == "string":
        return ColumnType(kind="string", length=numbers[0] if numbers else None)
    if base == "numeric" and numbers:
        scale = numbers[1] if len(numbers) > 1 else 0
        return ColumnType(kind="numeric", precision=numbers[0], scale=scale)
    return ColumnType(kind=base)


def is_known(name: str) -> bool:
    """Whether ``name`` (as :func:`parse_type_name` canonicalizes it) is a type
    schemagen knows exists in PostgreSQL 15 or in a known extension."""
    return name in NAMED


def names_a_type(name: str) -> bool:
    """Whether ``name`` is a type's already, the language's (a base type, a serial
    kind) or PostgreSQL's (:func:`is_known`): a domain named so unqualified would be
    taken for that type."""
    return name in BASE_TYPES or name in SERIAL_TYPES or is_known(name)


def required_extension(ct: ColumnType) -> str | None:
    """The extension a named type comes from, if schemagen knows it."""
    if ct.kind == "array" and ct.of is not None:
        return required_extension(ct.of)
    if ct.kind != PGTYPE or ct.pgtype is None or ct.pgtype not in NAMED:
        return None
    return NAMED[ct.pgtype].extension


#: Extensions whose types SQLAlchemy's psycopg dialect registers with psycopg when it
#: connects (``TypeInfo.fetch``), arrays included.
_REGISTERED_BY_SQLALCHEMY = frozenset({"hstore"})


def sent_as(ct: ColumnType) -> str | None:
    """The type a str of ``ct`` is cast to when models.py binds it as text (see
    :attr:`NamedType.sent_as`), or None for a type the drivers agree on."""
    if ct.kind != PGTYPE or ct.pgtype is None or ct.pgtype not in NAMED:
        return None
    return NAMED[ct.pgtype].sent_as


def is_multirange(ct: ColumnType) -> bool:
    """Whether ``ct`` is a multirange type (``int4multirange``, ...), whose values are
    lists of ranges."""
    return ct.kind == PGTYPE and ct.pgtype is not None and ct.pgtype.endswith("multirange")


def psycopg_reads_array(ct: ColumnType) -> bool:
    """Whether psycopg reads an array of ``ct`` (a type, not a domain) as a list: it
    knows the built-in types by oid, but an extension's type or one only the database
    defines has an oid of that database, whose array psycopg returns as its text."""
    if ct.kind != PGTYPE or ct.pgtype is None:
        return True
    spec = NAMED.get(ct.pgtype)
    if spec is None:
        return False
    return spec.extension is None or spec.extension in _REGISTERED_BY_SQLALCHEMY


def param_problem(ct: ColumnType) -> str | None:
    """Why the parameters of a named type cannot be right, or None."""
    if ct.kind != PGTYPE or ct.pgtype is None:
        return None
    spec = NAMED.get(ct.pgtype)
    if spec is None:
        return None
    if len(ct.args) > spec.nparams:
        if spec.nparams == 0:
            return f"type {ct.pgtype} takes no parameters"
        return f"type {ct.pgtype} takes at most {spec.nparams} parameter(s)"
    if ct.pgtype in ("geometry", "geography"):
        if ct.args and ct.args[0].rstrip("ZM") not in _GEOMETRY_KINDS.values():
            kinds = ", ".join(sorted(_GEOMETRY_KINDS.values()))
            return f"unknown {ct.pgtype} subtype '{ct.args[0]}'; expected one of: {kinds}"
        if len(ct.args) == 2 and not ct.args[1].lstrip("-").isdigit():
            return f"the SRID of {ct.pgtype} must be a whole number, got '{ct.args[1]}'"
    elif any(not a.isdigit() or int(a) < 1 for a in ct.args):
        return f"the parameter of {ct.pgtype} must be a positive whole number"
    return None


def format_type(ct: ColumnType) -> str:
    """A named type as ``format_type`` prints it: ``vector(3)``, ``geometry(Point,4326)``."""
    assert ct.pgtype is not None
    name = ct.pgtype
    if name == "character" and not ct.args:
        return "character(1)"
    if not ct.args:
        return name
    return f"{name}({','.join(ct.args)})"


def sa_args(ct: ColumnType) -> str:
    """The arguments of the SQLAlchemy type (without parentheses)."""
    assert ct.pgtype is not None
    spec = NAMED.get(ct.pgtype)
    if spec is None or spec.sa_class is None:
        from ..util.templating import py_literal

        return py_literal(format_type(ct))
    if ct.pgtype in ("geometry", "geography"):
        kind = f'"{ct.args[0].upper()}"' if ct.args else "None"
        srid = ct.args[1] if len(ct.args) > 1 else "-1"
        # spatial_index=False: indexes come from the schema's indexes only.
        return f"geometry_type={kind}, srid={srid}, spatial_index=False"
    return ", ".join(ct.args)
