"""Checks on domains (``domains:``) and on the columns that use them.

A domain *conflicts* with its use (an error, located where the use is written)
when:

- a literal default (the domain's own, or that of a column of the domain) is one
  that the domain's checks provably reject: each check is evaluated on the
  value where it is made of comparisons (``< <= > >= = <>``), ``BETWEEN``,
  ``IN``, ``IS [NOT] NULL``, ``length``/``char_length``/``lower``/``upper``/``btrim``
  of ``VALUE``, and ``AND``/``OR``/``NOT`` of those; a check of another shape
  (a regular expression, say) is not judged here, and PostgreSQL judges it when
  the default is first used;
- a column says ``nullable: true`` while the domain is ``not_null`` (a warning:
  the column could never hold NULL, PostgreSQL applies the domain's NOT NULL; but
  PostgreSQL takes it, and a database adopted by import may have it so);
- a column gives type parameters (``length``, ``precision``, ...) or a
  ``collation``: a domain column's type and collation are the domain's.
"""

from __future__ import annotations

import re
from collections import deque
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from ..language.messages import did_you_mean
from ..model import naming
from ..model.pgtypes import names_a_type
from ..model.routines import check_calls, domain_calls, signature_domains
from ..model.schema import Column, Default, Domain, Entity, Schema
from ..model.typemap import domain_variable
from ..normalize.resolver import Resolver, Unresolved
from ..source.loader import Sources, YamlPath, mapping
from .reporter import Reporter, column_path
from .sequences import domain_default_problems
from .sql import (
    NOT_CONSTANT,
    SqlSyntaxError,
    constant,
    expression_problems,
    parse_expression,
    shown,
)

if TYPE_CHECKING:  # imported where used: see .sql
    from pglast import ast

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_PARAMS = ("length", "precision", "scale", "of", "enum", "collation")
Value = Decimal | str | None


def check_domain_sources(src: Sources, resolver: Resolver, report: Reporter) -> None:
    """Each domain: a name of its own, a type that resolves, and checks that parse
    as PostgreSQL reads them and name nothing but ``VALUE``."""
    claimed: dict[str, str] = {}  # domain by PostgreSQL name
    variables: dict[str, str] = {}  # domain by models.py's name
    for name in sorted(src.domains):
        path: YamlPath = ("domains", name)
        spec = mapping(src.domains[name])
        _check_domain_name(src, name, path, report)
        qualified = _qualified(src, name)
        if "db_name" in spec:
            _check_db_name(spec["db_name"], "." in qualified, (*path, "db_name"), report)
        variable = domain_variable(qualified)
        if qualified in claimed:
            report.error(
                path,
                f"domain {name} is PostgreSQL's {qualified}, as domain {claimed[qualified]} "
                "is; give one another db_name",
            )
        elif variable in variables:  # Name and NAME: one module-level name in models.py
            report.error(
                path,
                f"domain {name} would be models.py's {variable}, as domain "
                f"{variables[variable]} is; give one another db_name",
            )
        claimed.setdefault(qualified, name)
        variables.setdefault(variable, name)
        try:
            resolver.domain_type(name, path)
        except Unresolved as exc:
            report.error(exc.path, exc.message)
        for check, sql in mapping(spec.get("checks")).items():
            _check_domain_check(str(check), sql, (*path, "checks", str(check)), report)


def _check_domain_name(src: Sources, name: str, path: YamlPath, report: Reporter) -> None:
    if not _NAME.match(name) or naming.too_long(name):
        report.error(
            path,
            f"domain name '{shown(name)}' is not a PostgreSQL name in lower case (letters, "
            f"digits and _, at most {naming.MAX_IDENTIFIER_BYTES} bytes)",
        )
    elif names_a_type(name):
        report.error(path, f"domain name '{name}' is a type name already; choose another")
    elif name in src.types:
        report.error(path, f"domain name '{name}' is also a `types:` alias; say it once")


def _check_db_name(db_name: Any, qualified: bool, path: YamlPath, report: Reporter) -> None:
    """``db_name:`` may need quotes (``Name``), never a dot, nor a type's name unless
    the domain is in a PostgreSQL schema of its own: ``app.inet`` is no ``inet``, while
    an unqualified ``inet`` is PostgreSQL's type (pg_catalog is searched first)."""
    name = str(db_name)
    if not naming.is_identifier(name) or naming.too_long(name):
        report.error(
            path,
            f"domain db_name '{shown(name)}' is not a PostgreSQL name (letters, digits and _, "
            f"not starting with a digit, at most {naming.MAX_IDENTIFIER_BYTES} bytes)",
        )
    elif not qualified and names_a_type(name):
        report.error(
            path,
            f"domain db_name '{name}' is a type name already; choose another, or put the "
            "domain in a PostgreSQL schema of its own (schema:)",
        )


def _check_domain_check(name: str, sql: Any, path: YamlPath, report: Reporter) -> None:
    # a name that needs quotes is one as an entity's check's is (import keeps
    # AdventureWorks-style CK_Name_NotBlank); every statement quotes it
    if not naming.is_identifier(name) or naming.too_long(name):
        report.error(
            path,
            f"check name '{shown(name)}' is not a PostgreSQL name (letters, digits and _, "
            f"not starting with a digit, at most {naming.MAX_IDENTIFIER_BYTES} bytes)",
        )
    if not isinstance(sql, str):
        return  # the JSON Schema says so
    expression, problems = expression_problems(sql, "in a domain check")
    for problem in problems:
        report.error(path, problem)
    for parts in expression.columns if expression is not None else ():
        if parts != ("value",):
            report.error(
                path,
                f"a domain check names its value VALUE, not '{shown('.'.join(parts))}'"
                f"{did_you_mean(parts[-1], ['VALUE'])}",
            )


def check_domains(schema: Schema, src: Sources, report: Reporter) -> None:
    """The domains' defaults against their checks and the sequences they call, and
    every use of a domain."""
    by_name = {dom.name: dom for dom in schema.domains}
    keys = {str(_qualified(src, key)): key for key in src.domains}
    for dom in schema.domains:
        path = ("domains", keys.get(dom.name, dom.name), "default")
        problem = _violation(dom, dom.default)
        if problem:
            report.error(path, problem)
        for problem in domain_default_problems(schema, dom):
            report.error(path, problem)
    for ent in schema.entities:
        for col in ent.columns:
            used = by_name.get(str(col.type.domain)) if col.type.domain else None
            if used is not None:
                _check_use(ent, col, used, src, report)
    if schema.functions and schema.domains:
        _check_function_cycles(schema, keys, report)


def _check_function_cycles(schema: Schema, keys: dict[str, str], report: Reporter) -> None:
    """A domain whose default or check calls a function whose arguments or result are
    of that domain (or of one that calls it back): ``CREATE DOMAIN`` needs the
    function and ``CREATE FUNCTION`` the domain, so no migration can make either."""
    names = {fn.name for fn in schema.functions}
    domains = {dom.name for dom in schema.domains}
    graph: dict[str, set[str]] = {}
    for dom in schema.domains:
        calls = domain_calls(dom, names)
        graph[f"domain {dom.name}"] = {
            f"function {fn.identity}" for fn in schema.functions if fn.name in calls
        }
    for fn in schema.functions:
        graph[f"function {fn.identity}"] = {
            f"domain {name}" for name in signature_domains(fn, domains)
        }
    for dom in schema.domains:
        ring = _ring(graph, f"domain {dom.name}")
        if ring is None:
            continue
        called = ring[1].removeprefix("function ")
        report.error(
            _calling_path(dom, schema.function(called).name, keys),
            f"domain {dom.name} calls {called}, which needs the domain in turn "
            f"({' -> '.join(ring)}): PostgreSQL creates neither first; let the function "
            "take the domain's base type",
        )


def _ring(graph: dict[str, set[str]], start: str) -> list[str] | None:
    """The shortest way from ``start`` round to it in ``graph``, or None."""
    parent: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in sorted(graph.get(node, ())):
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(parent[path[-1]])
                return [*reversed(path), start]
            if nxt not in parent:
                parent[nxt] = node
                queue.append(nxt)
    return None


def _domain_named(schema: Schema, name: str) -> Domain:
    return next(dom for dom in schema.domains if dom.name == name)


def _calling_path(dom: Domain, function: str, keys: dict[str, str]) -> YamlPath:
    """The default or check of ``dom`` that calls ``function``."""
    path: YamlPath = ("domains", keys.get(dom.name, dom.name))
    for check in dom.checks:
        if function in check_calls(check):
            return (*path, "checks", check.name)
    return (*path, "default")


def _qualified(src: Sources, key: str) -> str:
    from ..normalize.resolver import pg_schema

    home = pg_schema(mapping(src.database), None)
    spec = mapping(src.domains[key])
    return naming.qualify(pg_schema(spec, home), str(spec.get("db_name") or key))


def _check_use(ent: Entity, col: Column, dom: Domain, src: Sources, report: Reporter) -> None:
    path = column_path(src, ent, col.name)
    raw = _raw(src, path)
    for key in _PARAMS:
        if key in raw:
            report.error(
                (*path, key),
                f"`{key}` does not apply to a column of domain {dom.name}: its type "
                "and collation are the domain's",
            )
    if raw.get("nullable") is True and dom.not_null:
        # a warning: PostgreSQL takes the column declared nullable (attnotnull false),
        # and an adopted database may have one, which the YAML must then say to match
        report.warning(
            (*path, "nullable"),
            f"{ent.table}.{col.name} says nullable: true, but domain {dom.name} is NOT NULL: "
            "PostgreSQL refuses NULL in it all the same (the column is declared nullable, "
            "as a database may have it); drop nullable: true unless the database has it so",
        )
    problem = _violation(dom, col.default)
    if problem:
        report.error((*path, "default"), f"{ent.table}.{col.name}: {problem}")


def _raw(src: Sources, path: YamlPath) -> dict[str, Any]:
    section, owner, _, column = path
    return mapping(mapping(mapping(getattr(src, section).get(owner)).get("columns")).get(column))


def _violation(dom: Domain, default: Default | None) -> str | None:
    """Why ``default`` (a literal) provably fails a check of ``dom``, else None."""
    if default is None or default.kind not in ("string", "number", "boolean"):
        return None
    value: Value = default.value
    if default.kind == "number":
        try:
            value = Decimal(default.value)
        except InvalidOperation:
            return None
    for check in dom.checks:
        try:
            verdict = _holds(parse_expression(check.expression), value)
        except SqlSyntaxError:
            continue
        if verdict is False:
            return (
                f"the default {default.value!r} fails check {check.name} of domain "
                f"{dom.name} ({shown(check.expression)})"
            )
    return None


def _holds(node: Any, value: Value) -> bool | None:
    """The check's truth for ``value``: True, False, or None (unknown shape, or NULL)."""
    from pglast import ast
    from pglast.enums import BoolExprType, NullTestType

    if isinstance(node, ast.BoolExpr):
        parts = [_holds(arg, value) for arg in node.args or ()]
        if node.boolop == BoolExprType.NOT_EXPR:
            return None if parts[0] is None else not parts[0]
        if node.boolop == BoolExprType.AND_EXPR:
            return False if False in parts else (None if None in parts else True)
        return True if True in parts else (None if None in parts else False)
    if isinstance(node, ast.NullTest):
        is_null = _term(node.arg, value) is None
        return is_null if node.nulltesttype == NullTestType.IS_NULL else not is_null
    if isinstance(node, ast.A_Expr):
        return _expr(node, value)
    return None


def _expr(node: ast.A_Expr, value: Value) -> bool | None:
    from pglast.enums import A_Expr_Kind

    left = _term(node.lexpr, value)
    op = str(node.name[-1].sval) if node.name else ""
    if node.kind == A_Expr_Kind.AEXPR_OP:
        return _compare(left, op, _term(node.rexpr, value))
    items = [_term(item, value) for item in node.rexpr or ()]  # type: ignore[union-attr]
    if node.kind == A_Expr_Kind.AEXPR_IN:
        found = any(_compare(left, "=", item) for item in items)
        unknown = any(_compare(left, "=", item) is None for item in items)
        result = None if unknown and not found else found
        return result if op == "=" or result is None else not result
    if node.kind in (A_Expr_Kind.AEXPR_BETWEEN, A_Expr_Kind.AEXPR_NOT_BETWEEN) and len(items) == 2:
        low, high = _compare(left, ">=", items[0]), _compare(left, "<=", items[1])
        inside = None if None in (low, high) else bool(low and high)
        between = node.kind == A_Expr_Kind.AEXPR_BETWEEN
        return inside if inside is None or between else not inside
    return None


_UNKNOWN = object()


def _term(node: Any, value: Value) -> Any:
    """A constant, ``VALUE`` or a function of it that is known here; else _UNKNOWN."""
    from pglast import ast

    if isinstance(node, ast.TypeCast):
        return _term(node.arg, value)
    if isinstance(node, ast.ColumnRef):
        return value
    if isinstance(node, ast.A_Const):
        found = constant(node)
        return _UNKNOWN if found is NOT_CONSTANT else found
    if isinstance(node, ast.FuncCall) and node.args and node.funcname and len(node.args) == 1:
        name = str(node.funcname[-1].sval)
        arg = _term(node.args[0], value)
        if not isinstance(arg, str):
            return _UNKNOWN
        if name in ("length", "char_length"):
            return Decimal(len(arg))
        known = {"lower": str.lower, "upper": str.upper, "btrim": lambda s: s.strip(" ")}
        return known[name](arg) if name in known else _UNKNOWN
    return _UNKNOWN


def _compare(left: Any, op: str, right: Any) -> bool | None:
    if left is _UNKNOWN or right is _UNKNOWN or left is None or right is None:
        return None
    if isinstance(left, str) and isinstance(right, Decimal):
        return None  # a cast PostgreSQL makes; not judged here
    if type(left) is not type(right):
        return None
    ops = {
        "<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right,
        "=": left == right, "<>": left != right, "!=": left != right,
    }
    return ops.get(op)
