"""The functions a domain's DEFAULT or CHECK calls, made by the domain's own DDL event.

PostgreSQL resolves those calls in ``CREATE DOMAIN``, and ``create_all`` makes the
metadata's domains (its ``before_create`` event) before the functions it makes
before the tables. So each domain that calls functions makes them in its own
``before_create``, if they are not there yet (several domains may call one), after
the domains their arguments or result are of (``create(checkfirst=True)``, which
fires those domains' own events). A migration orders them alike
(:func:`schemagen.model.routines.domain_function_order`). drop_all drops every
function after the domains, with the others (``DDL_AFTER_DROP``), but one whose
signature uses a domain: that domain's ``before_drop`` drops the domains that call
it, then the function."""

from __future__ import annotations

from ..model import routinesql as ddl
from ..model.routines import Function, domain_calls, signature_domains
from ..model.schema import Domain, Schema
from ..model.sqltext import text_source
from ..model.typemap import domain_variable
from ..util.pycode import Expr, Str, call, layout, py_str, pylist, pytuple
from .listeners import Namer, factory_lines

#: The listener factory models.py defines when a domain calls a function.
HELPER = "_domain_fns"


def domain_called_functions(schema: Schema) -> dict[str, list[Function]]:
    """``{domain: the functions its default and checks call}``, both in schema order,
    for the domains that call one."""
    if not schema.functions or not schema.domains:
        return {}
    names = {fn.name for fn in schema.functions}
    called: dict[str, list[Function]] = {}
    for dom in schema.domains:
        calls = domain_calls(dom, names)
        functions = [fn for fn in schema.functions if fn.name in calls]
        if functions:
            called[dom.name] = functions
    return called


def domain_function_identities(schema: Schema) -> set[str]:
    """The functions that a domain makes (:func:`domain_function_lines`), by identity."""
    return {fn.identity for fns in domain_called_functions(schema).values() for fn in fns}


def domain_function_lines(schema: Schema, name: Namer) -> list[str]:
    """The listener factory and one ``event.listen(X_DOMAIN, "before_create", ...)``
    per domain that calls functions."""
    called = domain_called_functions(schema)
    if not called:
        return []
    any_, text = name("typing", "Any"), name("sqlalchemy", "text")
    lines = factory_lines(
        name,
        f"{HELPER}(doms: list[{any_}], fns: list[{any_}], create: bool)",
        "A domain's listener: make the functions it needs, or drop those of its type.",
        [
            "for domain in doms:",
            "    if create:",
            "        domain.create(connection, checkfirst=True)",
            "    else:",
            "        domain.drop(connection, checkfirst=True)",
            "for signature, statements in fns:",
            f'    probe = {text}("SELECT to_regprocedure(:name) IS NULL")',
            '    if connection.scalar(probe, {"name": signature}) == create:',
            "        for statement in statements:",
            f"            connection.execute({text}(statement))",
        ],
    )
    lines += [
        "# Functions a domain's DEFAULT or CHECK calls: create_all makes the metadata's",
        "# domains before the functions, so each domain makes them before itself instead;",
        "# drop_all drops the domains in order, so a domain that such a function takes",
        "# drops the domains that call it, then the function, before itself.",
    ]
    listen = f"{name('sqlalchemy', 'event')}.listen"
    domains = {dom.name: dom for dom in schema.domains}
    for dom_name, functions in called.items():
        used = _variables(schema, _used(domains, functions) - {dom_name})
        made = pylist([_function(fn) for fn in functions])
        listener = call(HELPER, used, made, create="True")
        lines += layout(call(listen, domain_variable(dom_name), py_str("before_create"), listener))
    for dom in schema.domains:
        takers = [fn for fns in called.values() for fn in fns if dom.name in _used(domains, [fn])]
        takers = list({fn.identity: fn for fn in takers}.values())
        if not takers:
            continue
        names = {fn.identity for fn in takers}
        callers = {d for d, fns in called.items() if any(fn.identity in names for fn in fns)}
        drops = pylist([_drop(fn) for fn in takers])
        listener = call(HELPER, _variables(schema, callers - {dom.name}), drops, create="False")
        lines += layout(call(listen, domain_variable(dom.name), py_str("before_drop"), listener))
    return lines


def _used(domains: dict[str, Domain], functions: list[Function]) -> set[str]:
    """The domains the signatures of ``functions`` use."""
    return {n for fn in functions for n in signature_domains(fn, domains)}


def _variables(schema: Schema, names: set[str]) -> str:
    variables = [domain_variable(d.name) for d in schema.domains if d.name in names]
    return f"[{', '.join(variables)}]"


def _drop(fn: Function) -> Expr:
    signature = ddl.function_signature(fn, names=False)
    return pytuple([Str(signature), pylist([Str(f"DROP FUNCTION IF EXISTS {signature}")])])


def _function(fn: Function) -> Expr:
    signature = ddl.function_signature(fn, names=False)
    statements: list[Expr] = [Str(text_source(s)) for s in ddl.function_statements(fn)]
    return pytuple([Str(signature), pylist(statements)])
