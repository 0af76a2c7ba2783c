"""The DDL of functions, triggers and views: one text for models.py, revisions and checks.

``create_all`` of the generated models, every revision and the live-database
check must send PostgreSQL the same statements, or the schemas they make would
differ; this module is the one place that writes them. The user's SQL (bodies,
view queries, ``WHEN`` conditions, types) is placed as written; names are quoted
as identifiers, descriptions as string literals, and a body sits in a dollar
quote whose tag it does not contain.
"""

from __future__ import annotations

from .routines import TIMINGS, Function, Trigger, View
from .schema import Index
from .schema import quote_name as ident  # reserved words and capitals quoted
from .sqltext import index_key_sql, quote_qualified, sql_string


def dollar_quote(body: str) -> str:
    """``$body$...$body$`` with a tag that does not occur in ``body``."""
    tag, n = "body", 0
    while f"${tag}$" in body:
        n += 1
        tag = f"body{n}"
    return f"${tag}${body}${tag}$"


def function_signature(fn: Function, *, names: bool = True, home: str | None = None) -> str:
    """``name(arg type, ...)`` (with argument names) or ``name(type, ...)``; ``home``: the
    schema that names a bare ``name``'s (:func:`.sqltext.quote_qualified`)."""
    args = []
    for arg in fn.arguments:
        args.append(f"{ident(arg.name)} {arg.type}" if names and arg.name else arg.type)
    return f"{quote_qualified(fn.name, home)}({', '.join(args)})"


def create_function(fn: Function, *, replace: bool = False) -> str:
    """``CREATE [OR REPLACE] FUNCTION ...``."""
    verb = "CREATE OR REPLACE" if replace else "CREATE"
    security = " SECURITY DEFINER" if fn.security == "definer" else ""
    return (
        f"{verb} FUNCTION {function_signature(fn)} RETURNS {fn.returns}\n"
        f"LANGUAGE {fn.language} {fn.volatility.upper()}{security}\n"
        f"AS {dollar_quote(function_source(fn.body, verbatim=fn.verbatim))}"
    )


def drop_function(fn: Function) -> str:
    return f"DROP FUNCTION {function_signature(fn, names=False)}"


def comment_function(fn: Function) -> str | None:
    if fn.description is None:
        return None
    return (
        f"COMMENT ON FUNCTION {function_signature(fn, names=False)} IS {sql_string(fn.description)}"
    )


def create_trigger(tg: Trigger) -> str:
    """``CREATE TRIGGER ...`` as ``pg_get_triggerdef`` would order its clauses."""
    events = " OR ".join(e.upper() for e in tg.events)
    when = f" WHEN ({tg.when.strip()})" if tg.when else ""
    referencing = "".join(
        f" {kind} TABLE AS {ident(name)}"
        for kind, name in (("OLD", tg.old_table), ("NEW", tg.new_table))
        if name is not None
    )
    if referencing:
        referencing = f" REFERENCING{referencing}"
    return (
        f"CREATE TRIGGER {ident(tg.name)} {TIMINGS[tg.timing]} {events} "
        f"ON {quote_qualified(tg.table)}{referencing}"
        f" FOR EACH {tg.level.upper()}{when} EXECUTE FUNCTION {quote_qualified(tg.function_name)}()"
    )


def drop_trigger(tg: Trigger) -> str:
    return f"DROP TRIGGER {ident(tg.name)} ON {quote_qualified(tg.table)}"


def comment_trigger(tg: Trigger) -> str | None:
    if tg.description is None:
        return None
    return (
        f"COMMENT ON TRIGGER {ident(tg.name)} ON {quote_qualified(tg.table)} "
        f"IS {sql_string(tg.description)}"
    )


def view_query(view: View) -> str:
    """The view's SELECT without trailing semicolons or blank lines."""
    return view.sql.strip().rstrip(";").rstrip()


def create_view(view: View) -> str:
    kind = "MATERIALIZED VIEW" if view.materialized else "VIEW"
    return f"CREATE {kind} {quote_qualified(view.view)} AS\n{view_query(view)}"


def drop_view(view: View) -> str:
    kind = "MATERIALIZED VIEW" if view.materialized else "VIEW"
    return f"DROP {kind} {quote_qualified(view.view)}"


def comment_view(view: View) -> str | None:
    if view.description is None:
        return None
    kind = "MATERIALIZED VIEW" if view.materialized else "VIEW"
    return f"COMMENT ON {kind} {quote_qualified(view.view)} IS {sql_string(view.description)}"


def create_view_index(view: View, ix: Index) -> str:
    """``CREATE INDEX`` on a materialized view, each key as a table index's is written
    (its order, NULLS, collation and operator class; an expression key), and NULLS NOT
    DISTINCT."""
    if ix.keys:
        cols = ", ".join(index_key_sql(ix, key) for key in ix.keys)
    else:
        ops = dict(ix.ops)
        cols = ", ".join(f"{ident(c)} {ops[c]}" if c in ops else ident(c) for c in ix.columns)
    unique = "UNIQUE " if ix.unique else ""
    using = f" USING {ix.using}" if ix.using != "btree" else ""
    include = f" INCLUDE ({', '.join(ident(c) for c in ix.include)})" if ix.include else ""
    distinct = " NULLS NOT DISTINCT" if ix.nulls_not_distinct else ""
    where = f" WHERE {ix.where}" if ix.where else ""
    return (
        f"CREATE {unique}INDEX {ident(ix.name)} ON {quote_qualified(view.view)}{using} ({cols})"
        f"{include}{distinct}{where}"
    )


def view_statements(view: View) -> list[str]:
    """Everything that creates ``view``: the view, its indexes, its comment."""
    stmts = [create_view(view)]
    stmts += [create_view_index(view, ix) for ix in view.indexes]
    comment = comment_view(view)
    return stmts + ([comment] if comment else [])


def function_statements(fn: Function, *, replace: bool = False) -> list[str]:
    comment = comment_function(fn)
    return [create_function(fn, replace=replace)] + ([comment] if comment else [])


def trigger_statements(tg: Trigger) -> list[str]:
    comment = comment_trigger(tg)
    return [create_trigger(tg)] + ([comment] if comment else [])


def function_source(body: str, *, verbatim: bool = False) -> str:
    """What goes between the dollar quotes (PostgreSQL's ``prosrc``): the body on
    lines of its own, or exactly as written when ``verbatim``."""
    if verbatim:
        return body
    # A body on its own lines reads best in revisions and in pg_dump alike.
    text = body.strip("\n")
    return f"\n{text}\n"
