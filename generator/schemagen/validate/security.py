"""Checks of row-level security on the merged sources (before normalizing).

What PostgreSQL would reject later is a located error: ``with_check`` on a
``select`` or ``delete`` policy (nothing is written), ``using`` on an ``insert``
policy (nothing is read), SQL that does not parse, and, in an expression without
a sub-select, a column its table does not have. A sub-select (``EXISTS (SELECT
... FROM memberships ...)``) may read other tables; its columns are left to
PostgreSQL. Policies on a table without ``row_level_security`` are valid but
take no effect: a warning.
"""

from __future__ import annotations

from ..model import naming
from ..model.security import USING_COMMANDS, WITH_CHECK_COMMANDS
from ..normalize.resolver import Resolver, pg_schema, table_of
from ..source.loader import Sources, YamlPath, mapping
from .policy_cycles import READ_COMMANDS, check_policy_cycles
from .references import check_sql_columns
from .reporter import Reporter
from .sql import (
    SqlSyntaxError,
    common_table_names,
    has_subquery,
    parse_expression_tree,
    read_expression,
    referenced_relations,
    shown,
)

#: Words ``TO`` accepts that are not role names (each stands for the session's role).
_SESSION_ROLES = ("current_user", "session_user", "current_role")


def check_security(src: Sources, resolver: Resolver, report: Reporter) -> None:
    """Every entity's policies, in entity order."""
    home = pg_schema(mapping(src.database), None)
    for entity in sorted(src.entities):
        spec = mapping(src.entities[entity])
        policies = mapping(spec.get("policies"))
        if not policies:
            continue
        base: YamlPath = ("entities", entity)
        if not spec.get("row_level_security"):
            report.warning(
                (*base, "policies"),
                f"{entity} has policies but no row_level_security: PostgreSQL applies "
                "them only once row-level security is enabled (row_level_security: true)",
            )
        names = [c.name for c in resolver.columns(entity)]
        # the schema that may qualify the table's own name (billing.invoices.total)
        schema = pg_schema(spec, home) or "public"
        # whether a bare name in a sub-select is the table (it is in the default schema)
        bare = schema == (home or "public")
        for name, raw in policies.items():
            table = table_of(src, entity)
            where = (*base, "policies", str(name))
            _check_policy(report, where, mapping(raw), names, (schema, table))
            using = mapping(raw).get("using")
            if str(mapping(raw).get("command", "all")) in READ_COMMANDS and isinstance(using, str):
                _check_recursion(report, (*where, "using"), using, (schema, table), bare)
    check_policy_cycles(src, report)


def _check_recursion(
    report: Reporter, path: YamlPath, sql: str, table: tuple[str, str], bare: bool
) -> None:
    """A ``using`` that applies to reads and sub-selects its own table: PostgreSQL
    applies the table's read policies to that sub-select, this one among them, and
    raises at query time. Names a ``WITH`` clause defines are not the table."""
    try:
        tree = parse_expression_tree(sql)
    except SqlSyntaxError:
        return  # reported by _check_expression
    if not has_subquery(tree):
        return
    own = {(table[0], table[1])} | ({(table[1],)} if bare else set())
    ctes = set(common_table_names(tree))
    read = [r for r in referenced_relations(tree) if not (len(r) == 1 and r[0] in ctes)]
    if any(tuple(p.lower() for p in r[-2:]) in own for r in read):
        shown_table = table[1] if bare else f"{table[0]}.{table[1]}"
        report.error(
            path,
            f"its sub-select reads {shown_table}, the policy's own table: PostgreSQL applies "
            f"the policies of {shown_table} to it again, and the first query the policy binds "
            "fails with 'infinite recursion detected in policy'; read the rows through a "
            "SECURITY DEFINER function (routines:) instead",
        )


def _check_policy(
    report: Reporter,
    path: YamlPath,
    spec: dict[str, object],
    names: list[str],
    table: tuple[str, str],
) -> None:
    command = str(spec.get("command", "all"))
    if len(str(path[-1]).encode()) > naming.MAX_IDENTIFIER_BYTES:
        report.error(path, "policy name is longer than 63 bytes")
    roles = spec.get("roles")
    for role in roles if isinstance(roles, list) else ():
        if str(role).lower() in _SESSION_ROLES:
            report.error(
                (*path, "roles"),
                f"{role} is not a role: PostgreSQL stores the role it means when the policy "
                "is made, so name that role",
            )
    if "using" in spec and command not in USING_COMMANDS:
        report.error(
            (*path, "using"),
            f"an {command} policy reads no existing rows, so it takes no using: "
            "say with_check: for the rows it may insert",
        )
    if "with_check" in spec and command not in WITH_CHECK_COMMANDS:
        report.error(
            (*path, "with_check"),
            f"a {command} policy writes no rows, so it takes no with_check: "
            "say using: for the rows it may see",
        )
    for key in ("using", "with_check"):
        if isinstance(spec.get(key), str):
            _check_expression(report, (*path, key), str(spec[key]), names, table)


def _check_expression(
    report: Reporter, path: YamlPath, sql: str, names: list[str], table: tuple[str, str]
) -> None:
    """The expression parses; without a sub-select, it names only the columns of its
    table (``(schema, name)``), qualified or not (the checks of a check constraint's
    expression, and the table's schema-qualified name)."""
    try:
        expression = read_expression(sql)
    except SqlSyntaxError as exc:
        report.error(path, f"SQL {shown(sql)!r} {exc.describe()}")
        return
    if not expression.subquery:  # else its columns may be another table's: PostgreSQL's
        check_sql_columns(report, path, sql, names, table[1], schema=table[0])
