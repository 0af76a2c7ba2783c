"""Values for PostgreSQL types given by name (``inet``, ``tstzrange``, ``geometry(Point,4326)``...).

Each generator is an SQL expression of the row number ``n``, like the base types'
in :mod:`.values`, and builds the value with the type's own constructors
(``tstzrange(a, b)``, ``ST_MakePoint``, ``to_tsvector``), so the server checks it
as it would check an application's insert. A type without a generator here is
:class:`~.checks.Unsupported`: ``seed`` then says so and names the column, and
the user gives ``seed: {sql: ...}``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from ..model.schema import ColumnType
from .domain import Unsupported
from .random import EPOCH, below, pick_text, uniform


class ColumnJob(Protocol):
    """What a generator needs of :class:`.values.ColumnJob` (which imports this module)."""

    @property
    def unique(self) -> bool: ...

    def salt(self, purpose: str = "") -> int: ...

    def u(self, purpose: str = "") -> str: ...

#: Types by name whose generator below builds distinct values from ``n`` when the
#: column carries a unique key (text-like ones through the text, which then holds n).
DISTINCT_FROM_N = frozenset({"citext", "name", "character", "inet", "cidr", "macaddr", "macaddr8"})

#: Points fall in a box over Europe: valid longitudes and latitudes for geography.
_LON, _LAT = (-10.0, 30.0), (35.0, 60.0)


def named_value(job: ColumnJob, ctype: ColumnType, text: Callable[[int | None], str]) -> str:
    """The value expression of a column whose type is ``ctype`` (kind ``pgtype``);
    ``text(length)`` is the realistic text of the column (for text-like types)."""
    name = ctype.pgtype or ""
    if name in ("citext", "name"):
        return text(None)
    if name == "character":
        return text(int(ctype.args[0]) if ctype.args else 1)
    if name in ("tsvector", "tsquery"):
        build = "to_tsvector" if name == "tsvector" else "plainto_tsquery"
        return f"{build}('simple', {text(None)})"
    if name == "xml":
        return f"xmlelement(name note, {text(None)})"
    maker = _MAKERS.get(name)
    if maker is None:
        raise Unsupported(f"no generator for type {name}")
    return maker(job, ctype)


def _inet(job: ColumnJob, ctype: ColumnType) -> str:
    # 10.0.0.0/8 holds 16.7 million hosts: a unique column counts up from n
    host = "n" if job.unique else below(1 << 24, job.salt("host"))
    return f"('10.0.0.0'::inet + {host})"


def _cidr(job: ColumnJob, ctype: ColumnType) -> str:
    block = "n" if job.unique else below(1 << 16, job.salt("net"))
    return f"network(set_masklen('10.0.0.0'::inet + {block} * 256, 24))"


def _macaddr(job: ColumnJob, ctype: ColumnType) -> str:
    digits = 12 if ctype.pgtype == "macaddr" else 16
    return f"left(md5('{job.salt('mac')}:' || n), {digits})::{ctype.pgtype}"


def _money(job: ColumnJob, ctype: ColumnType) -> str:
    return f"round(({job.u()} * 1000)::numeric, 2)::money"


def _number_range(job: ColumnJob, ctype: ColumnType) -> str:
    bound = {"int4range": "integer", "int8range": "bigint"}.get(ctype.pgtype or "", "numeric")
    low = f"{below(10_000, job.salt('low'))}::{bound}"
    width = f"(1 + {below(100, job.salt('width'))})::{bound}"
    return f"{ctype.pgtype}({low}, {low} + {width})"


def _date_range(job: ColumnJob, ctype: ColumnType) -> str:
    start = f"(date '2025-01-01' + {below(365, job.salt('start'))}::integer)"
    return f"daterange({start}, {start} + (1 + {below(14, job.salt('days'))})::integer)"


def _time_range(job: ColumnJob, ctype: ColumnType) -> str:
    start = f"({EPOCH} + {job.u('start')} * interval '365 days')"
    if ctype.pgtype == "tsrange":
        start = f"({start} AT TIME ZONE 'UTC')"
    return f"{ctype.pgtype}({start}, {start} + (1 + {job.u('hours')} * 72) * interval '1 hour')"


def _spatial(job: ColumnJob, ctype: ColumnType) -> str:
    shape = (ctype.args[0] if ctype.args else "point").lower()
    default_srid = "4326" if ctype.pgtype == "geography" else "0"
    srid = ctype.args[1] if len(ctype.args) > 1 else default_srid
    lon = f"({_LON[0]} + {job.u('lon')} * {_LON[1] - _LON[0]})"
    lat = f"({_LAT[0]} + {job.u('lat')} * {_LAT[1] - _LAT[0]})"
    point = f"ST_SetSRID(ST_MakePoint({lon}, {lat}), {srid})"
    shapes = {
        "point": point,
        "geometry": point,
        "linestring": f"ST_MakeLine({point}, ST_Translate({point}, 0.01, 0.01))",
        # a small square around the point, about a kilometre wide
        "polygon": f"ST_Envelope(ST_Buffer({point}, 0.005))",
    }
    if shape not in shapes:
        raise Unsupported(f"no generator for {ctype.pgtype}({shape})")
    return f"({shapes[shape]})::{ctype.pgtype}"


def _vector(job: ColumnJob, ctype: ColumnType) -> str:
    dims = int(ctype.args[0]) if ctype.args else 3
    component = uniform(job.salt("v"), row=f"(n * {dims} + i)")
    return (
        f"(SELECT array_agg(({component} * 2 - 1)::real ORDER BY i) "
        f"FROM generate_series(1, {dims}) AS i)::{ctype.pgtype}"
    )


def _hstore(job: ColumnJob, ctype: ColumnType) -> str:
    return f"hstore('source', 'import-' || {below(20, job.salt('src'))})"


def _ltree(job: ColumnJob, ctype: ColumnType) -> str:
    top, sub = below(8, job.salt("top")), below(40, job.salt("sub"))
    return f"('catalog.c' || {top} || '.s' || {sub})::ltree"


def _multirange(job: ColumnJob, ctype: ColumnType) -> str:
    """One range (as the range type's generator makes it) inside its multirange."""
    kind = (ctype.pgtype or "").replace("multirange", "range")
    return f"{ctype.pgtype}({_MAKERS[kind](job, replace(ctype, pgtype=kind))})"


def _bits(job: ColumnJob, ctype: ColumnType) -> str:
    """Random bits: bit(n) exactly n, bit varying(n) up to n (8 without a length)."""
    length = int(ctype.args[0]) if ctype.args else (1 if ctype.pgtype == "bit" else 8)
    words = -(-length // 64)
    chunks = " || ".join(
        f"(hashint8extended(n, {job.salt(f'bits{i}')})::bit(64))" for i in range(words)
    )
    return f"substring({chunks} from 1 for {length})::{ctype.pgtype}({length})"


def _geometric(job: ColumnJob, ctype: ColumnType) -> str:
    """PostgreSQL's own geometric types, around a point in the same box as PostGIS's."""
    x = f"({_LON[0]} + {job.u('x')} * {_LON[1] - _LON[0]})"
    y = f"({_LAT[0]} + {job.u('y')} * {_LAT[1] - _LAT[0]})"
    p, q = f"point({x}, {y})", f"point({x} + 0.01, {y} + 0.02)"
    shapes = {
        "point": p,
        "line": f"line({p}, {q})",
        "lseg": f"lseg({p}, {q})",
        "box": f"box({p}, {q})",
        "path": f"path(polygon(box({p}, {q})))",
        "polygon": f"polygon(box({p}, {q}))",
        "circle": f"circle({p}, 0.005 + {job.u('r')} * 0.01)",
    }
    return shapes[ctype.pgtype or ""]


def _pg_lsn(job: ColumnJob, ctype: ColumnType) -> str:
    return "('0/' || to_hex(n * 4096))::pg_lsn"  # WAL positions grow with the row


def _oid(job: ColumnJob, ctype: ColumnType) -> str:
    return "(16384 + n)::oid"  # the first oid a user's objects get


def _jsonpath(job: ColumnJob, ctype: ColumnType) -> str:
    paths = ("$.material", "$.color", "$.sizes[*]", '$.price ? (@ > 10)', "$.tags[0]")
    return f"({pick_text(paths, job.salt('path'))})::jsonpath"


def _regconfig(job: ColumnJob, ctype: ColumnType) -> str:
    return f"({pick_text(('simple', 'english', 'german', 'french'), job.salt('cfg'))})::regconfig"


#: Catalog objects every database has (regproc: names with one function only).
_REG_NAMES = {
    "regclass": ("pg_class", "pg_type", "pg_proc", "pg_namespace", "pg_index"),
    "regtype": ("integer", "text", "boolean", "numeric", "timestamp with time zone", "jsonb"),
    "regproc": ("now", "clock_timestamp", "timeofday", "pg_backend_pid", "version"),
}


def _reg(job: ColumnJob, ctype: ColumnType) -> str:
    names = _REG_NAMES[ctype.pgtype or ""]
    return f"({pick_text(names, job.salt('reg'))})::{ctype.pgtype}"


def _pg_snapshot(job: ColumnJob, ctype: ColumnType) -> str:
    # xmin:xmax:xip-list; fixed numbers, not the live pg_current_snapshot(): the same
    # seed gives the same rows
    xmax = f"(1000 + {below(100_000, job.salt('xmax'))})"
    return f"('1000:' || {xmax} || ':')::pg_snapshot"


def _sparsevec(job: ColumnJob, ctype: ColumnType) -> str:
    dims = int(ctype.args[0]) if ctype.args else 3
    index = f"(1 + {below(dims, job.salt('index'))})"
    return f"('{{' || {index} || ':' || round(({job.u()})::numeric, 4) || '}}/{dims}')::sparsevec"


def _cube(job: ColumnJob, ctype: ColumnType) -> str:
    return f"cube(ARRAY[{job.u('a')}, {job.u('b')}, {job.u('c')}])"


_MAKERS: dict[str, Callable[[ColumnJob, ColumnType], str]] = {
    "inet": _inet,
    "cidr": _cidr,
    "macaddr": _macaddr,
    "macaddr8": _macaddr,
    "money": _money,
    "int4range": _number_range,
    "int8range": _number_range,
    "numrange": _number_range,
    "daterange": _date_range,
    "tsrange": _time_range,
    "tstzrange": _time_range,
    "geometry": _spatial,
    "geography": _spatial,
    "vector": _vector,
    "halfvec": _vector,
    "hstore": _hstore,
    "ltree": _ltree,
    **{f"{kind}multirange": _multirange for kind in ("int4", "int8", "num", "date", "ts", "tstz")},
    "bit": _bits,
    "bit varying": _bits,
    **{kind: _geometric for kind in ("point", "line", "lseg", "box", "path", "polygon", "circle")},
    "pg_lsn": _pg_lsn,
    "oid": _oid,
    "jsonpath": _jsonpath,
    "regconfig": _regconfig,
    "cube": _cube,
    "regclass": _reg,
    "regtype": _reg,
    "regproc": _reg,
    "pg_snapshot": _pg_snapshot,
    "sparsevec": _sparsevec,
}
