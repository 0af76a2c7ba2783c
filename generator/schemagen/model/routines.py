"""Database objects beyond tables: functions, triggers, views and materialized views.

They are written as SQL by the user; the model keeps that SQL as text (data,
never code) with what schemagen needs around it: a function's signature, a
trigger's timing and events, a view's documented columns and the relations it
reads (parsed from its SQL, see :mod:`schemagen.util.sqlrefs`).

Canonical order: ``Schema.functions`` by signature, ``Schema.triggers`` by
(table, name), ``Schema.views`` by name; a trigger's events in the order
PostgreSQL prints them (insert, delete, update, truncate).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..util.sqlrefs import expression_calls
from . import naming

# The dataclasses live in schema.py (a Schema holds them); they are named here too.
from .schema import (
    Argument,
    CheckConstraint,
    Column,
    Domain,
    Entity,
    ExcludeConstraint,
    Function,
    Index,
    Trigger,
    View,
    quote_name,  # reserved words and capitals quoted
)

__all__ = [
    "EVENTS",
    "LANGUAGES",
    "LEVELS",
    "ON_UPDATE_FUNCTION",
    "ON_UPDATE_TRIGGER",
    "SECURITIES",
    "TIMINGS",
    "VOLATILITIES",
    "Argument",
    "Function",
    "Trigger",
    "View",
    "called_first",
    "column_calls",
    "domain_calls",
    "domain_function_order",
    "exclude_calls",
    "index_calls",
    "on_update_function",
    "on_update_trigger",
    "table_calls",
    "view_order",
]

VOLATILITIES: tuple[str, ...] = ("volatile", "stable", "immutable")
SECURITIES: tuple[str, ...] = ("invoker", "definer")
LANGUAGES: tuple[str, ...] = ("sql", "plpgsql")
TIMINGS: dict[str, str] = {"before": "BEFORE", "after": "AFTER", "instead of": "INSTEAD OF"}

#: ``pg_trigger.tgenabled`` other than 'O', what CREATE TRIGGER makes and the one state
#: the language declares: how ``check --database`` and ``import`` name it.
NOT_ENABLED: dict[str, str] = {
    "D": "disabled (DISABLE TRIGGER): it never fires",
    "R": "enabled for replicas only (ENABLE REPLICA TRIGGER): it fires only in sessions "
    "whose session_replication_role is replica",
    "A": "enabled always (ENABLE ALWAYS TRIGGER): it fires in replica sessions too",
}
#: Trigger events in the order ``pg_get_triggerdef`` prints them.
EVENTS: tuple[str, ...] = ("insert", "delete", "update", "truncate")
LEVELS: tuple[str, ...] = ("row", "statement")
#: The names of what keeps a database-side ``on_update: now`` column.
ON_UPDATE_FUNCTION = "schemagen_set_{column}"
#: ``{table}`` is the bare table name: a trigger's name is per table, whatever its schema.
ON_UPDATE_TRIGGER = "trg_{table}_set_{column}"


def on_update_trigger(table: str, column: str) -> str:
    """The trigger that keeps ``table.column`` (``table`` as the model keys it, with
    its PostgreSQL schema or without): ``trg_invoices_set_updated_at`` for
    ``billing.invoices``, since a trigger is named within its table."""
    return ON_UPDATE_TRIGGER.format(table=naming.split_qualified(table)[1], column=column)


def on_update_function(column: str, home: str | None = None) -> Function:
    """``NEW.<column> := now()`` for every updated row, a function of ``home``."""
    name = naming.qualify(home, ON_UPDATE_FUNCTION.format(column=column))
    body = f"BEGIN\n    NEW.{quote_name(column)} := now();\n    RETURN NEW;\nEND;"
    return Function(
        key=name,
        name=name,
        returns="trigger",
        body=body,
        language="plpgsql",
        description=f"Trigger function: sets {column} to now() (on_update: now).",
        generated=True,
    )


def view_order(views: Sequence[View]) -> list[View]:
    """``views`` so that each comes after the views it reads; name order otherwise."""
    by_name = {v.view: v for v in views}
    waits = {name: set(v.reads) & by_name.keys() - {name} for name, v in by_name.items()}
    placed: set[str] = set()
    done: list[View] = []
    while waits:
        # A cycle leaves nothing ready (validate reports it): then name order.
        ready = sorted(n for n, deps in waits.items() if deps <= placed) or [min(waits)]
        for name in ready:
            done.append(by_name[name])
            placed.add(name)
            del waits[name]
    return done


def column_calls(column: Column, among: Iterable[str] | None = None) -> frozenset[str]:
    """The functions ``column``'s SQL default and generated expression call (see
    :func:`schemagen.util.sqlrefs.expression_calls` for how they are keyed); with
    ``among``, only an expression whose text names one of those is parsed."""
    calls: frozenset[str] = frozenset()
    if column.default is not None and column.default.kind == "sql":
        calls |= _calls(column.default.value, among)
    if column.generated is not None:
        calls |= _calls(column.generated, among)
    return calls


def check_calls(check: CheckConstraint, among: Iterable[str] | None = None) -> frozenset[str]:
    """The functions a check constraint's expression calls."""
    return _calls(check.expression, among)


def index_calls(index: Index, among: Iterable[str] | None = None) -> frozenset[str]:
    """The functions an index's expression keys and ``WHERE`` call: PostgreSQL
    resolves them when it builds the index, and refuses to drop one it calls."""
    calls: frozenset[str] = frozenset()
    for key in index.keys:
        if key.expression is not None:
            calls |= _calls(key.expression, among)
    if index.where is not None:
        calls |= _calls(index.where, among)
    return calls


def exclude_calls(exclude: ExcludeConstraint, among: Iterable[str] | None = None) -> frozenset[str]:
    """The functions an exclusion constraint's expression elements and ``WHERE`` call."""
    calls: frozenset[str] = frozenset()
    for element in exclude.elements:
        if element.expression is not None:
            calls |= _calls(element.expression, among)
    if exclude.where is not None:
        calls |= _calls(exclude.where, among)
    return calls


def table_calls(entity: Entity, among: Iterable[str] | None = None) -> frozenset[str]:
    """The functions that ``CREATE TABLE`` of ``entity`` needs: those its columns'
    defaults and generated expressions, its checks, its partition key's expressions,
    and the indexes and exclusion constraints made with it call."""
    calls: frozenset[str] = frozenset()
    for column in entity.columns:
        calls |= column_calls(column, among)
    for check in entity.checks:
        calls |= check_calls(check, among)
    for index in entity.indexes:
        calls |= index_calls(index, among)
    for exclude in entity.excludes:
        calls |= exclude_calls(exclude, among)
    if entity.partition_by is not None:
        for expression in entity.partition_by.expressions:
            if expression is not None:
                calls |= _calls(expression, among)
    return calls


def _calls(sql: str, among: Iterable[str] | None) -> frozenset[str]:
    # Parsing every expression of a 2,000-table schema costs a tenth of a second;
    # a text that names none of the functions calls none of them.
    if among is not None and not any(name in sql for name in among):
        return frozenset()
    return expression_calls(sql)


def called_first(functions: Iterable[Function], calls: frozenset[str]) -> list[Function]:
    """The ``functions`` that must exist before the tables: PostgreSQL refuses a
    default, check or generated column that calls a function not created yet.

    Those that ``calls`` names, but not an SQL function that reads relations:
    PostgreSQL checks an SQL body when it creates the function, so it needs its
    tables (a PL/pgSQL body is only parsed then)."""
    return [fn for fn in functions if fn.name in calls and (fn.language != "sql" or not fn.reads)]


def domain_calls(domain: Domain, among: Iterable[str] | None = None) -> frozenset[str]:
    """The functions that ``CREATE DOMAIN`` of ``domain`` needs: those its default
    and checks call (PostgreSQL resolves them then)."""
    calls: frozenset[str] = frozenset()
    if domain.default is not None and domain.default.kind == "sql":
        calls |= _calls(domain.default.value, among)
    for check in domain.checks:
        calls |= check_calls(check, among)
    return calls


def signature_domains(function: Function, domains: Iterable[str]) -> frozenset[str]:
    """The domains (of ``domains``, as the model names them) that ``function``'s
    arguments or result are of: PostgreSQL needs them before the function."""
    names = set(domains)
    found: set[str] = set()
    for written in (*(a.type for a in function.arguments), function.returns):
        key = written.strip().lower().removeprefix("setof ").strip().removesuffix("[]")
        key = key.removeprefix("public.")
        if key in names:
            found.add(key)
    return frozenset(found)


def domain_function_order(
    domains: Sequence[Domain], functions: Sequence[Function]
) -> list[Domain | Function]:
    """``domains`` and ``functions`` in an order PostgreSQL creates them in: a domain
    after the functions (of ``functions``) its default and checks call, a function
    after the domains (of ``domains``) its signature uses; domains first where
    either may come next, each kind in its given order. A cycle (validate refuses
    one: validate.domains) is cut at its first domain."""
    names = {fn.name for fn in functions}
    waits: dict[int, set[int]] = {}
    nodes: list[Domain | Function] = [*domains, *functions]
    by_domain = {dom.name: i for i, dom in enumerate(domains)}
    for i, dom in enumerate(domains):
        called = domain_calls(dom, names) if names else frozenset()
        waits[i] = {len(domains) + j for j, fn in enumerate(functions) if fn.name in called}
    for j, fn in enumerate(functions):
        used = signature_domains(fn, by_domain) if domains else frozenset()
        waits[len(domains) + j] = {by_domain[name] for name in used}
    done: list[Domain | Function] = []
    placed: set[int] = set()
    while waits:
        ready = [i for i in sorted(waits) if waits[i] <= placed]
        step = ready[0] if ready else min(waits)  # domains have the smaller numbers
        done.append(nodes[step])
        placed.add(step)
        del waits[step]
    return done
