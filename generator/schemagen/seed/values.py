"""The SQL expression that generates one column's values, row by row, on the server.

Every expression reads ``n`` (the row number) and is deterministic for the
seed (see :mod:`.random`). What a column gets follows what the schema knows:
its type and length, the enum's values, its default (a boolean defaulting to
true is mostly true; a number defaulting to 10 stays near 10), the bounds and
value lists its checks allow (:mod:`.checks`), whether it carries a unique key
(then it is built from ``n``), and its name for realistic text (titles,
emails, SKUs, cities...).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from decimal import Decimal

from pglast import ast
from pglast.parser import ParseError, parse_sql

from ..model.naming import split_qualified
from ..model.pgtypes import PGTYPE
from ..model.schema import Column, ColumnType
from ..model.sqltext import sql_string
from . import patterns, times, words
from .catalog import Catalog, derived_from
from .domain import Domain, Literal, Unsupported
from .named import named_value
from .random import EPOCH, below, pick, pick_text, salt, uniform

INTEGER_MAX = {"smallint": 2**15 - 1, "integer": 2**31 - 1, "bigint": 2**63 - 1}


def ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def qualified_ident(name: str) -> str:
    """A table, type or sequence as SQL names it: ``"billing"."payouts"`` for the
    qualified name ``billing.payouts`` (names in the language hold no dot)."""
    pg_schema, bare = split_qualified(name)
    return f"{ident(pg_schema)}.{ident(bare)}" if pg_schema else ident(bare)


@dataclass(frozen=True)
class ColumnJob:
    """What is needed to generate one column."""

    table: str
    column: Column
    seed: int
    rows: int  # rows this run generates (spreads creation times)
    domain: Domain
    unique: bool = False  # carries a unique key: built from n
    enum_type: str | None = None  # PostgreSQL enum type of an enum column (or its elements)
    enum_values: tuple[str, ...] = ()
    text_columns: frozenset[str] = frozenset()  # the table's text columns, this one too
    #: The column's type as a cast names it (``"billing"."kind"``, ``text COLLATE "C"``).
    type_sql: str = ""

    def salt(self, purpose: str = "") -> int:
        return salt(self.seed, self.table, self.column.name, purpose)

    def u(self, purpose: str = "") -> str:
        return uniform(self.salt(purpose))


def value_sql(job: ColumnJob) -> str:
    """The column's value expression (NULL shares are added by the caller)."""
    if job.column.seed is not None and job.column.seed.sql:
        # The user's expression sees n (from the row) and r, bound here per row.
        sql = job.column.seed.sql
        if job.type_sql and _untyped_constant(sql):
            # NULL or 'text' has no type of its own; out of the sub-select it would be
            # text, which no timestamptz, enum or date column takes
            sql = f"({sql.strip()})::{job.type_sql}"
        return f"(SELECT {sql} FROM (SELECT {job.u('user')} AS r) AS seed_r)"
    expr = _bounded(job)
    if job.domain.allowed is None and _time_off(job):
        expr = _times_off(job, expr)
    elif job.domain.allowed is None and job.column.type.kind not in INTEGER_MAX:
        length = job.column.type.length if job.column.type.kind == "string" else None
        stand_in = sql_string(_stand_in(job.domain, length))
        avoid = _made(job, length)
        if job.unique and any(isinstance(v, str) for v in avoid):
            stand_in = _past_rows(job, stand_in)
        expr = _avoid(expr, avoid, job.column.type, stand_in)  # (_typed kept them out)
    for op, clock, moved in job.domain.clocks:
        expr = _by_clock(job, expr, op, clock, moved)
    return expr


def _bounded(job: ColumnJob) -> str:
    """The column's value, within the bounds its checks set on a date or time."""
    expr = _typed(job, job.column.type)
    if job.domain.times and job.domain.allowed is None:
        kind, bounds = job.column.type.kind, job.domain.times
        expr = times.within(expr, kind, job.type_sql, bounds, job.unique, job.rows)
    return expr


def _time_off(job: ColumnJob) -> bool:
    """Whether ``job`` is a date or time kept off constants (``valid_from <>
    '2025-03-01'``) only."""
    avoid = job.domain.avoid
    return (
        job.column.type.kind in times.TIME_KINDS
        and bool(job.type_sql)
        and bool(avoid)
        and all(isinstance(v, str) for v in avoid)
    )


def _times_off(job: ColumnJob, expr: str) -> str:
    """``expr`` where it is a constant a check forbids: the nearest time no check
    forbids within the bounds (times.off); a unique column's, the time seed makes
    for the row number ``n + rows``, past every row's (refused where bounds or the
    clock move its times: the row past could then meet another's)."""
    d, kind = job.domain, job.column.type.kind
    for value in d.avoid:
        assert isinstance(value, str)  # (see _time_off)
        if job.unique and (d.times or d.clocks):
            raise Unsupported(f"avoiding {value!r} in unique times its bounds move")
        near = times.off(value, d.avoid, kind, job.type_sql, d.times)
        if job.unique:
            near = _past_rows(job, near)
        forbidden = times.typed(value, job.type_sql)
        expr = f"(CASE WHEN {expr} = {forbidden} THEN {near} ELSE {expr} END)"
    return expr


def _made(job: ColumnJob, length: int | None) -> list[Literal]:
    """The values a check forbids that the column's values may be. A unique text
    holds the row number, so never '' (``CHECK (code <> '')``); one that is the row
    number alone (see _numbered) is moved past the numbers forbidden (``code <>
    '7'``), so it is none of them. Neither then needs a stand-in, which for a unique
    column is the value of a row number past every row's: room the column may not
    have (a varchar(2) holds 99 row numbers and 99 rows)."""
    if not job.unique or job.column.type.kind not in ("string", "text"):
        return job.domain.avoid
    if _numbered(job, length):
        return [v for v in job.domain.avoid if not isinstance(v, str)]
    return [v for v in job.domain.avoid if v != ""]


def _numbered(job: ColumnJob, length: int | None) -> bool:
    """Whether a unique text column's value is its row number's digits alone: too
    short for seed's realistic text and the number (see _cut_text), no pattern nor
    least length around it."""
    d = job.domain
    if d.max_length is not None:
        length = d.max_length if length is None else min(length, d.max_length)
    return _plain(d) and length is not None and length < len(str(job.rows)) + 12


def _plain(d: Domain) -> bool:
    """Whether a text's value is its own, no pattern nor least length around it."""
    return not (d.prefix or d.suffix or d.matches) and (d.min_length or 0) <= 0


def _numbers_off(job: ColumnJob, length: int) -> str:
    """The row number as text, moved past the numbers a check forbids (``code <>
    '7'``; see skipping); Unsupported where they leave ``length`` digits too few."""
    numbers = {int(v) for v in job.domain.avoid if isinstance(v, str) and _numeral(v)}
    skipped: list[int] = []
    for number in sorted(numbers) if _plain(job.domain) else ():
        # (a number the rows reach, moved on, that the column holds)
        if number <= job.rows + len(skipped) and number < 10**length:
            skipped.append(number)
    if job.rows + len(skipped) > 10**length - 1:
        more = f", less the {len(skipped)} its checks forbid" if skipped else ""
        raise Unsupported(
            f"{job.rows} distinct values do not fit {length} characters (seed writes the "
            f"row number there: {10**length - 1} values{more})"
        )
    return f"({skipping('n', skipped)})::text" if skipped else "n::text"


def _numeral(text: str) -> bool:
    """Whether ``text`` is how a row number (from 1) prints."""
    return text.isascii() and text.isdigit() and not text.startswith("0")


def _past_rows(job: ColumnJob, stand_in: str) -> str:
    """What replaces a unique column's text a check forbids: the value seed makes
    for the row number ``n + rows``, past every row's (its values are distinct by
    row number), made as for twice the rows (a width that holds them); the common
    ``stand_in`` where that one is forbidden too (a time's nearest: see _times_off)."""
    past = replace(job, rows=2 * job.rows)
    value = f"(SELECT {_bounded(past)} FROM (SELECT n + {job.rows} AS n) AS seed_past)"
    if _time_off(job):
        return _times_off(replace(job, unique=False), value)
    return _avoid(value, job.domain.avoid, job.column.type, stand_in)


_TIMES = ("timestamp", "timestamptz", "date")


def _by_clock(job: ColumnJob, expr: str, op: str, clock: str, moved: str = "") -> str:
    """``expr`` on the ``op`` side of ``clock`` (``now()``, ``CURRENT_DATE``), computed
    as timestamptz and cast back. Seed's times start at EPOCH and mostly lie in the
    past: a bound above (``created_at <= now()``) keeps each value and takes the
    clock's where a value is later (a unique key's values then follow the clock
    down, one unit a row, as they went up: still distinct); a bound below
    (``expires_at > now()``) moves every value by the clock's distance from EPOCH,
    so they keep their spread (and their distinctness) after it. A clock ``moved``
    by an interval (``birthdate <= now() - '18 years'::interval``) moves the values
    above it by that interval too, so they keep their spread below it rather than all
    taking the clock's (the bound below moves them by the clock's distance already)."""
    kind = job.column.type.kind
    if kind not in _TIMES or not job.type_sql:
        raise Unsupported(f"a bound by the clock on a {kind} column")
    unit = "interval '1 day'" if kind == "date" else "interval '1 minute'"
    step = "interval '0'"
    if op in ("<", ">"):  # strictly: a day for a date, else a second
        step = "interval '1 day'" if kind == "date" else "interval '1 second'"
    value, now = f"({expr})::timestamptz", f"({clock})::timestamptz"
    if op in (">", ">="):
        return f"({value} + ({now} - {EPOCH}) + {step})::{job.type_sql}"
    if op not in ("<", "<="):
        raise Unsupported(f"operator {op} with the clock")
    if moved:
        value = f"({value} {moved})"
    bound = f"{now} - {step}"
    if job.unique:
        bound += f" - ({job.rows} + 1 - n) * {unit}"
    return f"LEAST({value}, {bound})::{job.type_sql}"


def _untyped_constant(sql: str) -> bool:
    """Whether ``sql`` is a bare NULL or quoted string: a constant PostgreSQL types
    only from where it goes."""
    try:
        statements = parse_sql(f"SELECT {sql}")
    except ParseError:
        return False  # the server says what is wrong with it
    select = statements[0].stmt if len(statements) == 1 else None
    targets = list(getattr(select, "targetList", None) or ())
    if len(targets) != 1 or getattr(select, "fromClause", None):
        return False
    value = targets[0].val
    return isinstance(value, ast.A_Const) and (
        value.isnull or isinstance(value.val, ast.String)
    )


def _typed(job: ColumnJob, ctype: ColumnType) -> str:
    kind = ctype.kind
    if job.domain.allowed is not None:
        allowed = allowed_values(job.domain)
        if not allowed:
            raise Unsupported("no value is allowed")
        return cast_listed(pick([literal_sql(v) for v in allowed], job.salt()), job, ctype)
    if kind in INTEGER_MAX:
        return _integer(job, kind)
    if kind in ("numeric", "float", "double"):
        return _number(job, ctype)
    if kind in ("string", "text"):
        return _text(job, ctype.length if kind == "string" else None)
    if kind == "boolean":
        return f"({job.u()} < {_true_share(job.column)!r})"
    if kind == "enum":
        return _enum(job)
    if kind in ("json", "jsonb"):
        return _json(job, kind)
    if kind == "array" and ctype.of is not None:
        return _array(job, ctype.of)
    if kind == PGTYPE:
        return named_value(job, ctype, lambda length: _text(job, length))
    return _other(job, kind)


def allowed_values(d: Domain) -> list[Literal]:
    """The values ``d``'s list allows (``IN``, ``=``) that its other checks leave: a
    listed value another check forbids is left out of the list."""
    return [
        v
        for v in d.allowed or ()
        if v not in d.avoid
        and times.keeps(v, d.times)
        and (not isinstance(v, str) or patterns.fits(v, d.shape()))
    ]


def _other(job: ColumnJob, kind: str) -> str:
    if kind in ("timestamp", "timestamptz", "date"):
        return _time(job, kind)
    if kind in ("time", "timetz"):
        return f"(time '08:00' + {job.u()} * interval '10 hours')"
    if kind == "interval":
        return f"({job.u()} * interval '30 days')"
    if kind == "uuid":
        return f"md5('{job.salt('uuid')}:' || n)::uuid"
    if kind == "bytes":
        return f"decode(md5('{job.salt('bytes')}:' || n), 'hex')"
    raise Unsupported(f"no generator for type {kind}")


def literal_sql(value: Literal) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return str(value)
    return sql_string(value)


def cast_listed(expr: str, job: ColumnJob, ctype: ColumnType) -> str:
    """A value picked from the constants a check lists, as the column's type: quoted
    ones have none of their own, and picked from an ARRAY or a CASE they are text,
    which a date, timestamptz or enum column does not take."""
    if ctype.kind == "enum" and job.enum_type:
        return f"({expr})::{job.enum_type}"
    if ctype.kind not in ("string", "text") and job.type_sql:
        return f"({expr})::{job.type_sql}"
    return expr


def _stand_in(d: Domain, length: int | None = None) -> str:
    """What replaces a text a check forbids: letters between the ends its patterns fix,
    that no other ``<>`` forbids (an ``x`` replacing a forbidden text could be one), as
    many as its least length asks (one at least) and no more than the column's
    ``length`` and its longest leave: a letter more than a varchar(n) holds fails the
    insert ("value too long"). Where they leave room for no letter, every value is
    the text the patterns fix: Unsupported when a check forbids it."""
    fixed = len(d.prefix) + len(d.suffix)
    if d.max_length is not None:
        length = d.max_length if length is None else min(length, d.max_length)
    letters = max(1, (d.min_length or 0) - fixed)
    if length is not None and length - fixed < letters:
        only = d.prefix + d.suffix
        if only in d.avoid:
            raise Unsupported(
                f"its length leaves only the text its patterns fix, {only!r}, which a "
                "check forbids"
            )
        return only
    made = (d.prefix + letter * letters + d.suffix for letter in "xyzabcdefghijklmnopqrstuvw")
    return next((text for text in made if text not in d.avoid), d.prefix + "x" + d.suffix)


def _avoid(expr: str, avoid: list[Literal], ctype: ColumnType, stand_in: str = "'x'") -> str:
    """Values the checks forbid (``<> v``) are replaced by a neighbour (text by
    ``stand_in``, SQL)."""
    for value in avoid:
        if isinstance(value, Decimal):
            other = value + 1
            expr = f"(CASE WHEN {expr} = {value} THEN {other} ELSE {expr} END)"
        elif isinstance(value, str) and ctype.kind in ("string", "text"):
            expr = f"(CASE WHEN {expr} = {sql_string(value)} THEN {stand_in} ELSE {expr} END)"
        else:
            raise Unsupported(f"avoiding {value!r}")
    return expr


# --- numbers --------------------------------------------------------------------


def _name_range(name: str, default: Decimal | None) -> tuple[Decimal, Decimal]:
    """A plausible range from the column's name or its default."""
    table = (
        (("price", "cost", "amount", "total", "value", "charge"), (1, 500)),
        (("quantity", "stock", "count", "level"), (0, 500)),
        (("days",), (1, 90)),
        (("hours",), (1, 72)),
        (("_ms", "time"), (1, 5000)),
        (("priority",), (1, 200)),
        (("score",), (1, 10)),
        (("factor",), (Decimal("0.5"), Decimal("1.5"))),
    )
    for parts, (low, high) in table:
        if any(part in name for part in parts):
            return Decimal(low), Decimal(high)
    if default is not None and default > 0:
        return Decimal(0), default * 2
    return Decimal(0), Decimal(1000)


def _range(job: ColumnJob, step: Decimal, limit: Decimal) -> tuple[Decimal, Decimal]:
    """The column's range: its name's range, narrowed (or moved) into the checks' bounds."""
    col = job.column
    default = None
    if col.default is not None and col.default.kind == "number":
        default = Decimal(col.default.value)
    low, high = _name_range(col.name, default)
    d = job.domain
    floor = -limit if d.low is None else d.low + (step if d.low_strict else 0)
    ceiling = limit if d.high is None else d.high - (step if d.high_strict else 0)
    if floor > ceiling:
        raise Unsupported("its bounds leave no value")
    low, high = max(low, floor), min(high, ceiling)
    if low > high:  # the name's range lies outside the bounds: use the bounds' edge
        low = high = floor if low > ceiling else ceiling
        high = min(ceiling, low + 100)
        low = max(floor, high - 100)
    return low, high


def _integer(job: ColumnJob, kind: str) -> str:
    low, high = _range(job, Decimal(1), Decimal(INTEGER_MAX[kind]))
    d = job.domain
    # (the largest whole number below a strict bound: c < 10 takes 9 at most)
    bound = None if d.high is None else math.ceil(d.high) - 1 if d.high_strict else d.high
    # (unbounded above, its type's largest: the name's range is where values start)
    most = Decimal(INTEGER_MAX[kind])
    top = most if bound is None else min(most, Decimal(bound))
    skipped = _skipped(job, low, max(high, top))
    if job.unique:
        if low - 1 + job.rows > top - len(skipped):
            free = max(int(top - low) + 1 - len(skipped), 0)
            raise Unsupported(
                f"{job.rows} distinct values do not fit its range ({int(low)} to {int(top)}: "
                f"{free} values)"
            )
        return skipping(f"({int(low) - 1} + n)", skipped)
    span = int(high - low) + 1 - len([v for v in skipped if v <= high])
    if span < 1:
        raise Unsupported("no value is left between the bounds")
    return skipping(f"({int(low)} + {below(span, job.salt())})", skipped)


def _skipped(job: ColumnJob, low: Decimal, high: Decimal) -> list[int]:
    """The whole numbers the checks forbid (``<> v``) within [low, high], ascending."""
    numbers = [v for v in job.domain.avoid if isinstance(v, Decimal) and v == int(v)]
    return sorted({int(v) for v in numbers if low <= v <= high})


def skipping(expr: str, skipped: list[int]) -> str:
    """``expr`` (made in the range less len(skipped) values) moved past each of the
    ascending ``skipped``: x + the count of i with skipped[i] - i <= x. Distinct
    values stay distinct and none lands on a skipped one."""
    if not skipped:
        return expr
    steps = ", ".join(str(v - i) for i, v in enumerate(skipped))
    return f"({expr} + width_bucket(({expr})::bigint, ARRAY[{steps}]::bigint[]))"


def _number(job: ColumnJob, ctype: ColumnType) -> str:
    scale = ctype.scale or 0 if ctype.kind == "numeric" else 2
    step = Decimal(1).scaleb(-scale)
    limit = Decimal(10**15)
    if ctype.kind == "numeric" and ctype.precision is not None:
        # (numeric(3, 1) holds 99.9 at most: 10^(precision - scale) less a step)
        limit = Decimal(1).scaleb(ctype.precision - scale) - step
    low, high = _range(job, step, limit)
    if job.unique:
        return _unique_number(job, low, step, limit)
    expr = f"round(({low} + ({high} - {low}) * {job.u()})::numeric, {scale})"
    return expr if ctype.kind == "numeric" else f"{expr}::float8"


def _unique_number(job: ColumnJob, low: Decimal, step: Decimal, limit: Decimal) -> str:
    """A unique number: ``low + n * step``, below its upper bound (and the precision's
    ``limit``), past the values a check forbids (``<> v``) as a unique integer is;
    from its lower bound where its name's range starts too high to hold the rows.
    Unsupported where the bounds hold fewer values than the rows."""
    d = job.domain
    top = limit if d.high is None else min(limit, d.high - (step if d.high_strict else 0))

    def room(base: Decimal) -> tuple[int, list[int]]:
        grid = {(v - base) / step for v in d.avoid if isinstance(v, Decimal) and base < v <= top}
        skipped = sorted(int(k) for k in grid if k == int(k))
        return int((top - base) // step) - len(skipped), skipped

    free, skipped = room(low)
    if free < job.rows and d.low is not None:  # start at the lower bound, on the grid
        floor = d.low + (step if d.low_strict else 0)
        low = math.ceil(floor / step) * step - step
        free, skipped = room(low)
    if free < job.rows:
        raise Unsupported(
            f"{job.rows} distinct values do not fit its range ({low + step} to {top} "
            f"by {step}: {max(free, 0)} values)"
        )
    return f"({low} + {skipping('n', skipped)} * {step})"


def _true_share(column: Column) -> float:
    if column.default is not None and column.default.kind == "boolean":
        return 0.85 if column.default.value == "true" else 0.15
    return 0.5


# --- enums, JSON, arrays, times -------------------------------------------------------


def _enum(job: ColumnJob) -> str:
    values = tuple(job.enum_values)
    default = job.column.default
    if default is not None and default.kind == "string" and default.value in values:
        # The default value is the common case (most products active, most alerts medium).
        others = pick_text(tuple(v for v in values if v != default.value) or values, job.salt())
        common = sql_string(default.value)
        expr = f"(CASE WHEN {job.u('default')} < 0.6 THEN {common} ELSE {others} END)"
    else:
        expr = pick_text(values, job.salt(), skew=1.5)
    return f"{expr}::{job.enum_type}"


def _json(job: ColumnJob, kind: str) -> str:
    default = job.column.default
    if default is not None and default.kind == "json" and default.value.startswith("["):
        first = pick_text(words.CHANNELS, job.salt("c1"))
        second = pick_text(words.CHANNELS, job.salt("c2"))
        expr = (
            f"(CASE WHEN {job.u('len')} < 0.5 THEN jsonb_build_array({first}) "
            f"ELSE jsonb_build_array({first}, {second}) END)"
        )
    else:
        # A few recurring keys, each present in a share of the documents, so that
        # `custom_data @> '{"material": "wool"}'` finds a realistic fraction.
        # Written as JSON text and parsed once: half the cost of jsonb_build_object.
        members = []
        for i, (key, values) in enumerate(words.JSON_KEYS):
            share = 0.7 / (i + 1)
            value = pick_text(tuple(json.dumps({key: v})[1:-1] for v in values), job.salt(key))
            members.append(f"CASE WHEN {job.u(key + '?')} < {share!r} THEN {value} END")
        expr = f"('{{' || concat_ws(', ', {', '.join(members)}) || '}}')::jsonb"
    return expr if kind == "jsonb" else f"{expr}::json"


def _array(job: ColumnJob, of: ColumnType) -> str:
    items = []
    for i in range(2):
        element = ColumnJob(
            job.table,
            job.column,
            job.seed + i + 1,
            job.rows,
            Domain(),
            enum_type=job.enum_type,
            enum_values=job.enum_values,
        )
        items.append(_typed(element, of))
    suffix = f"::{job.enum_type}[]" if of.kind == "enum" and job.enum_type else ""
    return f"ARRAY[{', '.join(items)}]{suffix}"


def _in_order(job: ColumnJob) -> str:
    """A time that grows with the row number over one year."""
    return f"{EPOCH} + (n::float8 / {max(job.rows, 1)}) * interval '365 days'"


def _time(job: ColumnJob, kind: str) -> str:
    name = job.column.name
    if job.unique and kind == "date":
        return "(date '2025-01-01' + n::integer)"
    if job.unique:
        expr = f"({EPOCH} + n * interval '1 minute')"
    elif name == "created_at" or name.endswith("_created_at"):
        # Rows arrive in creation order (what a BRIN index on created_at relies on).
        expr = f"({_in_order(job)} + {job.u()} * interval '1 hour')"
    elif name == "updated_at":
        expr = f"({_in_order(job)} + interval '2 hours' + {job.u()} * interval '30 days')"
    else:
        expr = f"({EPOCH} + {job.u()} * interval '540 days')"
    if kind == "date":
        return f"({expr})::date"
    if kind == "timestamp":
        return f"({expr} AT TIME ZONE 'UTC')"
    return expr


# --- text ---------------------------------------------------------------------------


def _text(job: ColumnJob, length: int | None) -> str:
    d = job.domain
    cap = d.max_length
    if cap is not None:
        length = cap if length is None else min(length, cap)
    fixed = len(d.prefix) + len(d.suffix)  # its patterns' (see patterns.matching)
    if fixed and length is not None:
        if length < fixed:
            why = f"its patterns fix {fixed} characters, more than the {length} it holds"
            raise Unsupported(why)
        length -= fixed
        if length == 0 and patterns.free_count(d.shape()):
            return _filled(job)
    least = d.min_length - fixed if d.min_length is not None else None
    if least is None or least <= 0:
        expr = _cut_text(job, length)
    elif length is not None and least > length:
        raise Unsupported(
            f"no text is at least {least + fixed} and at most {length + fixed} characters long"
        )
    else:
        expr = _padded(_cut_text(job, length), least, job.unique)
    if d.matches:
        shape = patterns.Shape(d.prefix, d.suffix)
        return patterns.matching(expr, shape, d.matches, job.unique)
    return expr


def _filled(job: ColumnJob) -> str:
    """The text the column's patterns fix whole (``LIKE 'B-___'``), their ``_`` filled:
    a unique column's with the digits of the row number less one ('B-006' for row 7:
    from 'B-000', so 'T_' holds ten values, not nine), any other's with a letter each."""
    shape = job.domain.shape()
    count = patterns.free_count(shape)
    if job.unique:
        if job.rows > 10**count:
            raise Unsupported(
                f"{job.rows} distinct values do not fit the {count} characters its "
                f"patterns leave free (seed writes the row number's digits there: "
                f"{10**count} values)"
            )
        digits = f"lpad((n - 1)::text, {count}, '0')"
        return patterns.filled(shape, [f"substr({digits}, {i + 1}, 1)" for i in range(count)])
    letters = [f"chr((97 + {below(26, job.salt(f'_{i}'))})::integer)" for i in range(count)]
    return patterns.filled(shape, letters)


def _padded(expr: str, least: int, unique: bool) -> str:
    """``expr`` made at least ``least`` characters long. A unique key's text ends with
    the row number, so it is padded in front, where no two values then meet."""
    pad = f"repeat('{'0' if unique else '.'}', greatest({least} - char_length(t.v), 0))"
    padded = f"{pad} || t.v" if unique else f"t.v || {pad}"
    return f"(SELECT {padded} FROM (SELECT {expr} AS v) AS t)"


def _cut_text(job: ColumnJob, length: int | None) -> str:
    base, has_n = _named_text(job)
    if job.unique and not has_n:
        base = f"{base} || ' ' || n"
        has_n = True
    if length is None:
        return f"({base})"
    if job.unique:
        digits = len(str(job.rows)) + 12
        if length < digits:
            return _numbers_off(job, length)
        # keep the distinct tail: cut the front if it is too long
        return f"right({base}, {length})"
    return f"left({base}, {length})"


def _named_text(job: ColumnJob) -> tuple[str, bool]:
    """A realistic text expression for the column's name; True when it holds ``n``."""
    name = job.column.name
    s = job.salt

    def person() -> str:
        first = pick_text(words.FIRST_NAMES, s("first"))
        return f"{first} || ' ' || {pick_text(words.LAST_NAMES, s('last'))}"

    catalog = Catalog(job.seed, job.table)
    exact = {
        "product_type": catalog.product_type(),
        "vendor": catalog.brand(),
        "tags": catalog.tags(s("tags")),
        "body_html": catalog.body_html(),
    }
    if name in exact:
        return exact[name], False
    rules: list[tuple[tuple[str, ...], str, bool]] = [
        (
            ("email",),
            f"lower({pick_text(words.FIRST_NAMES, s('first'))}) || '.' || "
            f"lower({pick_text(words.LAST_NAMES, s('last'))}) || n || '@' || "
            f"{pick_text(words.EMAIL_DOMAINS, s('domain'))}",
            True,
        ),
        (("sku",), "'SKU-' || lpad(n::text, 8, '0')", True),
        (("barcode",), "(400000000000 + n)::text", True),
        (("domain",), "'shop-' || n || '.myshopify.com'", True),
        (
            ("handle", "slug"),
            # made from the row's title at the outer level (see select._outer)
            "n::text" if derived_from(name, job.text_columns) else catalog.handle(),
            True,
        ),
        (
            ("shopify", "external", "reference", "_gid", "charge_id", "po_number", "number"),
            f"'{name.split('_')[0][:3].upper()}-' || (1000000 + n)",
            True,
        ),
        (("title",), catalog.title(), False),
        (("contact", "_by", "person"), person(), False),
        (
            ("shop_name", "company", "supplier", "vendor"),
            pick_text(words.COMPANIES, s("co")),
            False,
        ),
        (("city",), pick_text(words.CITIES, s(), skew=1.5), False),
        (("country",), pick_text(words.COUNTRIES, s(), skew=1.5), False),
        (
            ("address",),
            f"(1 + {below(200, s('no'))}) || ' ' || {pick_text(words.STREETS, s())}",
            False,
        ),
        (("timezone",), pick_text(words.TIMEZONES, s(), skew=1.5), False),
        (("currency",), pick_text(words.CURRENCIES, s(), skew=2.0), False),
        (("phone",), f"'+1-555-' || lpad({below(10000, s())}::text, 4, '0')", False),
        (("token", "secret", "key"), f"md5('{s('tok')}:' || n)", True),
        (("url", "webhook"), "'https://example.com/hooks/' || n", True),
        (
            ("name",),
            f"{pick_text(words.ADJECTIVES, s('a'))} || ' ' || {pick_text(words.NOUNS, s('b'))}",
            False,
        ),
        (("option", "size", "variant"), pick_text(words.SIZES, s()), False),
    ]
    for parts, expr, has_n in rules:
        if any(part in name for part in parts):
            return expr, has_n
    return _sentence(job), False


def _sentence(job: ColumnJob) -> str:
    count = 2 if job.column.type.kind == "string" else 6
    parts = [pick_text(words.LOREM, job.salt(f"w{i}")) for i in range(count)]
    return "initcap(" + " || ' ' || ".join(parts) + ")"
