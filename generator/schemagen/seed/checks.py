"""What a table's check constraints ask of seeded values, read from their SQL.

A check is parsed (pglast, PostgreSQL's own parser) and split at ``AND``; each
part must have one of the shapes seed knows how to satisfy by construction:

- ``col >= 0``, ``col < 10``, ``0 <= col``, ``col BETWEEN a AND b``: bounds;
- ``col = v``, ``col IN (a, b)``: a set of allowed values, also as PostgreSQL
  prints an IN list back (``col = ANY (ARRAY[a, b])``, the column cast to text when
  it is varchar: what ``schemagen import`` reads from a database);
- ``col <> v``, ``col NOT IN (a, b)``, ``col <> ALL (ARRAY[a, b])``: values to avoid;
- ``upper(col) IN ('A', 'B')`` (``lower`` too, in any of the forms above): the
  values of the list that the function leaves as they are (a port from a database
  whose comparisons ignore case writes these);
- ``length(col) <= n``, ``>= n``, ``BETWEEN a AND b`` (``char_length`` too): text
  cut to, or padded to, that length;
- ``col <= now()`` (``<``, ``>``, ``>=``, an end of ``BETWEEN``; ``CURRENT_DATE``,
  ``LOCALTIMESTAMP``..., maybe plus or minus a constant interval): a time on that
  side of the moment the seed runs (moved by the interval);
- ``col >= '2000-01-01'`` (a range over a string, maybe cast): bounds of a date or a
  time, which seed moves its values into (:mod:`.times`);
- ``col IS NOT NULL``: no NULLs;
- ``a <= b`` between two columns: an order, fixed after both are generated;
- ``a <> b`` between two foreign keys to one table: two different parent rows;
- ``manager_id <> id``, a self-referencing key and what it references: another row;
- ``(a = 'x' AND b > 0) OR (a = 'y' AND b IS NULL)``, an OR without such a guard:
  each row keeps one of the branches made of the shapes above (and ``IS NULL``);
- ``CASE WHEN a = 'x' THEN b IS NOT NULL ELSE true END``: the OR it is (:mod:`.cases`);
- ``col IS NULL OR <anything>``: ``col`` is NULL on the rows where the rest
  does not hold (evaluated on the generated values, so anything goes there); when
  the rest is one of the shapes above about ``col`` alone, ``col`` takes values that
  keep it instead (and its share of NULLs).

Anything else is :class:`Unsupported`: seed then needs a value generator
(``seed: {sql: ...}``) on a column the check names, and says so before it
inserts a single row, instead of failing insert after insert.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pglast import ast
from pglast.enums import A_Expr_Kind, BoolExprType, NullTestType, SQLValueFunctionOp
from pglast.parser import ParseError, parse_sql
from pglast.stream import RawStream

from ..model.schema import CheckConstraint, Entity, Schema
from ..model.sqltext import quote_name
from ..validate.sql import NOT_CONSTANT, constant
from .cases import case_as_or
from .domain import Domain, Literal, Unsupported
from .patterns import shape_of

#: Regex and LIKE operators (as the parser names them: ~~ is LIKE, ~~* ILIKE).
_PATTERN_OPS = frozenset({"~", "~*", "~~", "~~*"})
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "<>": "<>", "!=": "<>"}


@dataclass(frozen=True)
class Order:
    """``left op right`` between two columns of the row."""

    left: str
    op: str
    right: str
    check: str = ""  # the name of the check it comes from, for messages


@dataclass(frozen=True)
class NullUnless:
    """``column IS NULL OR predicate``: NULL on the rows where ``predicate`` fails."""

    column: str
    predicate: str
    check: str = ""  # the name of the check it comes from, for messages


@dataclass
class Branch:
    """One side of an OR that seed can read: what it asks of the columns it names."""

    domains: dict[str, Domain]
    nulls: frozenset[str]  # ``column IS NULL``

    @property
    def columns(self) -> set[str]:
        return set(self.domains) | set(self.nulls)


@dataclass(frozen=True)
class Choice:
    """An OR without ``column IS NULL``: each row keeps one of ``branches``."""

    branches: tuple[Branch, ...]
    check: str = ""  # the name of the check it comes from, for messages
    expression: str = ""


@dataclass
class CheckRules:
    """Everything the checks of one table ask, per column."""

    domains: dict[str, Domain] = field(default_factory=dict)
    orders: list[Order] = field(default_factory=list)
    null_unless: list[NullUnless] = field(default_factory=list)
    #: (column, pattern) of regex and LIKE checks: left to the server to verify.
    patterns: list[tuple[str, str]] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)

    def domain(self, column: str) -> Domain:
        return self.domains.setdefault(column, Domain())


#: A string literal (quotes doubled inside), and the word VALUE outside of one.
_LITERAL_OR_VALUE = re.compile(r"('(?:[^']|'')*')|\bVALUE\b", re.IGNORECASE)


def domain_checks(schema: Schema, ent: Entity) -> list[CheckConstraint]:
    """The checks of the domains of ``ent``'s columns, each over its column (``VALUE``
    is the column), so seed satisfies them as it does the table's own checks."""
    found = []
    for col in ent.columns:
        if col.type.domain is None:
            continue
        for check in schema.domain(col.type.domain).checks:
            sql = _over(check.expression, quote_name(col.name))
            found.append(CheckConstraint(f"{check.name} (domain of {col.name})", sql))
    return found


def _over(expression: str, column: str) -> str:
    """A domain check's ``expression`` with ``column`` for VALUE (not inside strings)."""
    return _LITERAL_OR_VALUE.sub(lambda m: m[1] or column, expression)


def read_check(expression: str, rules: CheckRules) -> None:
    """Add what ``expression`` asks to ``rules``; raise Unsupported for other shapes."""
    try:
        statements = parse_sql(f"SELECT 1 WHERE {expression}")
    except ParseError as exc:
        raise Unsupported(f"not valid SQL ({exc})") from None
    if len(statements) != 1:
        raise Unsupported("more than one expression")
    where = statements[0].stmt.whereClause  # type: ignore[union-attr]
    _unqualify(where)
    for part in _conjuncts(where):
        _read_part(part, rules)


def conjuncts(expression: str) -> list[str]:
    """The parts an expression ANDs, as SQL (``[expression]`` itself where it is one,
    or does not parse)."""
    try:
        statements = parse_sql(f"SELECT 1 WHERE {expression}")
    except ParseError:
        return [expression]
    if len(statements) != 1:
        return [expression]
    parts = _conjuncts(statements[0].stmt.whereClause)  # type: ignore[union-attr]
    return [str(RawStream()(part)) for part in parts] if len(parts) > 1 else [expression]


def columns_named(expression: str) -> set[str]:
    """The bare column names an expression mentions (empty if it does not parse)."""
    try:
        statements = parse_sql(f"SELECT 1 WHERE {expression}")
    except ParseError:
        return set()
    _unqualify(statements[0].stmt)
    refs = (node for node in _walk(statements[0].stmt) if isinstance(node, ast.ColumnRef))
    return {name for name in map(_column, refs) if name is not None}


def folded_column(expression: str) -> str | None:
    """The column of an index key ``lower(column)`` or ``upper(column)`` (the column
    maybe cast to text), else None: seed keeps such a key distinct by building the
    column from the row number."""
    try:
        statements = parse_sql(f"SELECT {expression}")
    except ParseError:
        return None
    targets = list(getattr(statements[0].stmt, "targetList", None) or ())
    if len(statements) != 1 or len(targets) != 1:
        return None
    _unqualify(targets[0])
    folded = _case_folded(targets[0].val)
    return folded[0] if folded is not None else None


def _unqualify(node: Any) -> None:
    """Make every column of a check bare, in place: a check names only its own
    table's columns, also qualified (``billing.invoices.total``), and seed writes
    its guards over the row's values by the bare names."""
    for ref in _walk(node):
        if isinstance(ref, ast.ColumnRef):
            fields = ref.fields or ()
            if len(fields) > 1 and all(isinstance(f, ast.String) for f in fields):
                ref.fields = fields[-1:]


def _walk(node: Any) -> Iterator[ast.Node]:
    """Every node under ``node`` (``node`` included), each before what it holds."""
    if isinstance(node, ast.Node):
        yield node
        for attr in node:  # the node's field names
            yield from _walk(getattr(node, attr))
    elif isinstance(node, tuple | list):
        for item in node:
            yield from _walk(item)


def _conjuncts(node: Any) -> list[Any]:
    if isinstance(node, ast.BoolExpr) and node.boolop == BoolExprType.AND_EXPR:
        return [part for arg in node.args or () for part in _conjuncts(arg)]
    return [node]


def _read_part(node: Any, rules: CheckRules) -> None:
    if isinstance(node, ast.A_Expr):
        _read_expr(node, rules)
    elif isinstance(node, ast.NullTest) and node.nulltesttype == NullTestType.IS_NOT_NULL:
        rules.domain(_required_column(node.arg)).not_null = True
    elif isinstance(node, ast.BoolExpr) and node.boolop == BoolExprType.OR_EXPR:
        _read_or(node, rules)
    elif isinstance(node, ast.CaseExpr):
        _read_case(node, rules)
    else:
        raise Unsupported(_calls(node) or "this shape")


def _calls(node: Any) -> str | None:
    """Why a part that calls functions is out of reach, naming them: what a function
    of the user's (``is_slug(handle)``) accepts, seed cannot know."""
    names = sorted(
        {
            ".".join(str(f.sval) for f in call.funcname or () if isinstance(f, ast.String))
            for call in _walk(node)
            if isinstance(call, ast.FuncCall)
        }
    )
    if not names:
        return None
    listed = ", ".join(f"{name}()" for name in names)
    noun = "function" if len(names) == 1 else "functions"
    return f"it calls the {noun} {listed}, whose accepted values seed cannot know"


def _read_or(node: ast.BoolExpr, rules: CheckRules) -> None:
    args = list(node.args or ())
    for i, arg in enumerate(args):
        if isinstance(arg, ast.NullTest) and arg.nulltesttype == NullTestType.IS_NULL:
            column = _column(arg.arg)
            if column is None:
                continue
            rest = args[:i] + args[i + 1 :]
            predicate = " OR ".join(f"({RawStream()(part)})" for part in rest)
            rules.null_unless.append(NullUnless(column, predicate))
            return
    branches = [b for b in (_branch(arg) for arg in args) if b is not None]
    if not branches:
        raise Unsupported("an OR none of whose branches seed can read")
    rules.choices.append(Choice(tuple(branches)))


def _read_case(node: ast.CaseExpr, rules: CheckRules) -> None:
    """A CASE as the OR of its branches (:func:`.cases.case_as_or`); one branch alone
    is a choice of one, which every row keeps."""
    either = case_as_or(node)
    args = list(either.args or ()) if either is not None else []
    if len(args) > 1:
        _read_or(either, rules)  # type: ignore[arg-type]
        return
    branch = _branch(args[0]) if args else None
    if branch is None:
        raise Unsupported("a CASE none of whose branches seed can read")
    rules.choices.append(Choice((branch,)))


def _branch(node: Any) -> Branch | None:
    """A side of an OR made of the shapes a column's values can keep (bounds, lists,
    ``IS NOT NULL``) and ``column IS NULL``, ANDed; else None (seed leaves it out)."""
    own, nulls = CheckRules(), set()
    for part in _conjuncts(node):
        if isinstance(part, ast.NullTest) and part.nulltesttype == NullTestType.IS_NULL:
            column = _column(part.arg)
            if column is None:
                return None
            nulls.add(column)
            continue
        try:
            _read_part(part, own)
        except Unsupported:
            return None
    if own.orders or own.null_unless or own.patterns or own.choices:
        return None
    if any(column in nulls for column in own.domains):
        return None  # NULL and a value at once: a branch no row keeps
    return Branch(own.domains, frozenset(nulls))


def _read_expr(node: ast.A_Expr, rules: CheckRules) -> None:
    kind = node.kind
    folded = _case_folded(node.lexpr)
    if folded is not None:
        _read_folded(node, folded, rules)
    elif kind == A_Expr_Kind.AEXPR_OP:
        _read_comparison(node, rules)
    elif kind == A_Expr_Kind.AEXPR_BETWEEN:
        low, high = (item for item in node.rexpr)  # type: ignore[union-attr]
        length = _length_of(node.lexpr)
        if length is not None:
            _read_length(length, ">=", low, rules)
            _read_length(length, "<=", high, rules)
            return
        domain = rules.domain(_required_column(node.lexpr))
        for op, end in ((">=", low), ("<=", high)):
            # an end may be the clock (BirthDate BETWEEN '1930-01-01' AND NOW() - ...)
            clock = _clock(end)
            if clock is not None:
                domain.clocks.append((op, clock, _moved_by(end)))
            else:
                domain.bound(op, _literal(end))
    elif kind in (A_Expr_Kind.AEXPR_LIKE, A_Expr_Kind.AEXPR_ILIKE) and _op(node) in _PATTERN_OPS:
        _read_pattern(node, rules)
    elif kind == A_Expr_Kind.AEXPR_SIMILAR and _op(node) == "~":
        _read_pattern(node, rules)
    elif (listed := _listed(node)) is not None:
        allowed, column_node, values = listed
        domain = rules.domain(_required_column(column_node))
        if allowed:
            domain.allow(values)
        else:
            domain.avoid.extend(values)
    else:
        raise Unsupported("this kind of expression")


def _listed(node: ast.A_Expr) -> tuple[bool, Any, list[Literal]] | None:
    """A list comparison in each form PostgreSQL reads or prints it: (whether the
    values are the ones allowed, the column's node, the values) for ``x IN (...)``
    and ``x = ANY (ARRAY[...])`` (allowed), ``x NOT IN (...)`` and ``x <> ALL
    (ARRAY[...])`` (avoided); else None. The ARRAY forms may cast the column to text,
    as PostgreSQL prints a varchar column's list."""
    op, kind = _op(node), node.kind
    if kind == A_Expr_Kind.AEXPR_IN and op in ("=", "<>"):
        return op == "=", node.lexpr, [_literal(item) for item in node.rexpr]  # type: ignore[union-attr]
    if kind == A_Expr_Kind.AEXPR_OP_ANY and op == "=":
        return True, _text_cast_of(node.lexpr), _array_literals(node.rexpr)
    if kind == A_Expr_Kind.AEXPR_OP_ALL and op == "<>":
        return False, _text_cast_of(node.lexpr), _array_literals(node.rexpr)
    return None


#: Functions that fold a text's case, with what they do to a Python str.
_FOLDS = {"upper": str.upper, "lower": str.lower}


def _case_folded(node: Any) -> tuple[str, str] | None:
    """(column, function) of ``upper(column)`` or ``lower(column)``, the column maybe
    cast to text (as PostgreSQL prints it for a char or varchar column), else None."""
    if isinstance(node, ast.FuncCall) and len(node.args or ()) == 1 and node.funcname:
        name = str(node.funcname[-1].sval)
        column = _column(_text_cast_of(node.args[0]))  # type: ignore[index]
        if name in _FOLDS and column is not None:
            return column, name
    return None


def _read_folded(node: ast.A_Expr, folded: tuple[str, str], rules: CheckRules) -> None:
    """``upper(col) IN (...)`` (``=``, ``= ANY (ARRAY[...])``, ``lower``): the column
    takes the listed values that the function leaves unchanged ('SC' for upper), so
    each one written passes the check as it is; the others need a value generator."""
    column, function = folded
    listed = _listed(node)
    if _op(node) == "=" and node.kind == A_Expr_Kind.AEXPR_OP:
        values = [_literal(node.rexpr)]
    elif listed is not None and listed[0]:
        values = listed[2]
    else:
        raise Unsupported(f"{function}(column) other than = or IN")
    fold = _FOLDS[function]
    kept: list[Literal] = [v for v in values if isinstance(v, str) and fold(v) == v]
    if not kept:
        raise Unsupported(f"no listed value is its own {function}()")
    rules.domain(column).allow(kept)


def _read_comparison(node: ast.A_Expr, rules: CheckRules) -> None:
    op = _op(node)
    if op in _PATTERN_OPS:
        _read_pattern(node, rules)
        return
    if op not in _FLIP:
        raise Unsupported(f"operator {op}")
    op = "<>" if op == "!=" else op
    if _length_of(node.lexpr) is not None:
        _read_length(_length_of(node.lexpr), op, node.rexpr, rules)  # type: ignore[arg-type]
        return
    if _length_of(node.rexpr) is not None:
        _read_length(_length_of(node.rexpr), _FLIP[op], node.lexpr, rules)  # type: ignore[arg-type]
        return
    # a varchar column compared as text (PostgreSQL prints VALUE::text <> ''::text)
    left, right = _column(_text_cast_of(node.lexpr)), _column(_text_cast_of(node.rexpr))
    if left is not None and _clock(node.rexpr) is not None and op not in ("=", "<>"):
        clock = (op, _clock(node.rexpr), _moved_by(node.rexpr))
        rules.domain(left).clocks.append(clock)  # type: ignore[arg-type]
    elif right is not None and _clock(node.lexpr) is not None and op not in ("=", "<>"):
        clock = (_FLIP[op], _clock(node.lexpr), _moved_by(node.lexpr))
        rules.domain(right).clocks.append(clock)  # type: ignore[arg-type]
    elif left is not None and right is not None:
        if op == "=":
            raise Unsupported(f"`{op}` between two columns")
        rules.orders.append(Order(left, op, right))
    elif left is not None:
        rules.domain(left).bound(op, _literal(node.rexpr))
    elif right is not None:
        rules.domain(right).bound(_FLIP[op], _literal(node.lexpr))
    else:
        raise Unsupported("a comparison without a column")


#: Functions that read the clock (``CURRENT_TIMESTAMP`` and the like parse otherwise).
_CLOCKS = frozenset({"now", "transaction_timestamp", "statement_timestamp", "clock_timestamp"})


_CLOCK_WORDS = frozenset(
    {
        SQLValueFunctionOp.SVFOP_CURRENT_DATE,
        SQLValueFunctionOp.SVFOP_CURRENT_TIMESTAMP,
        SQLValueFunctionOp.SVFOP_CURRENT_TIMESTAMP_N,
        SQLValueFunctionOp.SVFOP_LOCALTIMESTAMP,
        SQLValueFunctionOp.SVFOP_LOCALTIMESTAMP_N,
    }
)


def _clock(node: Any) -> str | None:
    """The SQL of ``now()``, ``CURRENT_DATE``, ``LOCALTIMESTAMP`` and the like (maybe
    cast), or of one of them plus or minus a constant interval (``now() - INTERVAL
    '18 years'``, PostgreSQL printing ``now() - '18 years'::interval``), else None."""
    if isinstance(node, ast.A_Expr) and node.kind == A_Expr_Kind.AEXPR_OP:
        if _op(node) in ("+", "-") and _interval(node.rexpr) and _clock(node.lexpr):
            return f"({RawStream()(node)})"
        return None
    inner = node.arg if isinstance(node, ast.TypeCast) else node
    if (isinstance(inner, ast.SQLValueFunction) and inner.op in _CLOCK_WORDS) or (
        isinstance(inner, ast.FuncCall)
        and not inner.args
        and inner.funcname
        and str(inner.funcname[-1].sval) in _CLOCKS
    ):
        return str(RawStream()(node))
    return None


def _moved_by(clock: Any) -> str:
    """The interval a clock of :func:`_clock` is moved by, as SQL added to a time
    (``- '18 years'::interval``), else ""."""
    if isinstance(clock, ast.A_Expr):
        return f"{_op(clock)} {RawStream()(clock.rexpr)}"  # type: ignore[arg-type]
    return ""


def _interval(node: Any) -> bool:
    """Whether ``node`` is a constant interval: ``INTERVAL '1 day'``, ``'1 day'::interval``."""
    if not isinstance(node, ast.TypeCast) or not isinstance(node.arg, ast.A_Const):
        return False
    names = node.typeName.names if node.typeName is not None else None
    return bool(names) and str(names[-1].sval) == "interval"  # type: ignore[index]


#: Functions that count a text's characters.
_LENGTHS = frozenset({"length", "char_length", "character_length"})


def _length_of(node: Any) -> str | None:
    """The column of ``length(column)`` (or char_length), the column maybe cast to
    text (as PostgreSQL prints it for a varchar column), else None."""
    if isinstance(node, ast.FuncCall) and len(node.args or ()) == 1:
        name = str(node.funcname[-1].sval) if node.funcname else ""
        if name in _LENGTHS:
            return _column(_text_cast_of(node.args[0]))  # type: ignore[index]
    return None


def _read_length(column: str, op: str, bound: Any, rules: CheckRules) -> None:
    """``length(column) <= n`` (``<``): a cap on the text seed writes; ``>= n``
    (``>``): a least length, which seed pads its text to."""
    value = _literal(bound)
    if op not in ("<", "<=", ">", ">=") or not isinstance(value, Decimal):
        raise Unsupported(f"length(...) {op} {value!r}")
    domain = rules.domain(column)
    if op in ("<", "<="):
        cap = int(value) - (1 if op == "<" else 0)
        domain.max_length = cap if domain.max_length is None else min(cap, domain.max_length)
    else:
        least = int(value) + (1 if op == ">" else 0)
        domain.min_length = max(least, domain.min_length or 0)


def _read_pattern(node: ast.A_Expr, rules: CheckRules) -> None:
    """``column ~ 'regex'`` (or ``~*``, LIKE, ILIKE, SIMILAR TO, also as PostgreSQL
    prints it back: ``~ similar_to_escape('...')``). A simple anchored pattern (see
    :mod:`.patterns`) narrows the column's text; of any other, seed cannot build text,
    so it keeps the column's realistic text (an email column's addresses) and the
    server checks every row; a row that misses fails the load, which rolls back whole
    and names the check (see ``bulk.execute``)."""
    column = _required_column(_text_cast_of(node.lexpr))
    op, right = _op(node), node.rexpr
    if isinstance(right, ast.FuncCall) and right.funcname and len(right.args or ()) == 1:
        if str(right.funcname[-1].sval) == "similar_to_escape":
            op, right = "SIMILAR TO", right.args[0]  # type: ignore[index]
    pattern = _literal(right)
    if not isinstance(pattern, str):
        raise Unsupported("a pattern that is not a text constant")
    shape = shape_of(op, pattern)
    if shape is None:
        rules.patterns.append((column, pattern))
    else:
        rules.domain(column).match(op, pattern, shape)


#: The types PostgreSQL casts a varchar or char column to when it prints an IN list.
_TEXT_TYPES = frozenset({"text", "varchar", "bpchar"})


def _text_cast_of(node: Any) -> Any:
    """The column inside ``col::text`` (PostgreSQL compares a varchar column's IN list
    as text), else ``node`` itself; casts to other types are left for the caller to
    refuse, since the values would then be of another type than the column."""
    if isinstance(node, ast.TypeCast) and node.typeName is not None:
        names = node.typeName.names or ()
        if names and str(names[-1].sval) in _TEXT_TYPES and not node.typeName.arrayBounds:
            return node.arg
    return node


def _array_literals(node: Any) -> list[Literal]:
    """The constants of ``ARRAY[a, b]``, each maybe behind casts; ``ARRAY[...]::text[]``
    (how PostgreSQL prints a varchar column's IN list) too."""
    if isinstance(node, ast.TypeCast):
        node = node.arg
    if not isinstance(node, ast.A_ArrayExpr):
        raise Unsupported("ANY or ALL over something else than an ARRAY[...] of constants")
    return [_literal(item) for item in node.elements or ()]


def _op(node: ast.A_Expr) -> str:
    names = node.name or ()
    return str(names[-1].sval) if names else ""


def _column(node: Any) -> str | None:
    fields = node.fields if isinstance(node, ast.ColumnRef) else None
    if fields is not None and len(fields) == 1:
        only = fields[0]
        if isinstance(only, ast.String):
            return str(only.sval)
    return None


def _required_column(node: Any) -> str:
    column = _column(node)
    if column is None:
        raise Unsupported("an expression where a column was expected")
    return column


def _literal(node: Any) -> Literal:
    """A constant (numbers as Decimal), also behind a cast such as ``'x'::text``."""
    value = constant(node)
    if value is None or value is NOT_CONSTANT:
        raise Unsupported("a value that is not a constant")
    return value  # type: ignore[no-any-return]
