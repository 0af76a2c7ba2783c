"""Live drift of the comments of tables, columns, functions, views, materialized
views and triggers.

Migrations write each one's ``description`` as its comment (``comment_function``,
``comment_view``, ``comment_trigger``, a table's and column's with the table), so
the comment the database holds is compared with the declared text; the live
comments are read in the queries that read those objects (no query of their own).
The declared text comes from the schema itself, so a read-only database is
compared too. Each finding's hint is the statement that sets the declared text or
removes the extra comment: at head, upgrading changes no comment.
"""

from __future__ import annotations

from ..findings import COMMENT_MESSAGE, Finding
from ..model import routinesql as ddl
from ..model.schema import Schema
from ..model.sqltext import quote_qualified, sql_text


def comment_findings(
    schema: Schema,
    functions: dict[str, str | None],
    views: dict[str, str | None],
    triggers: dict[str, str | None],
    home: str | None,
) -> list[Finding]:
    """A finding for each declared object present in the database whose comment is
    not its ``description``; ``functions``, ``views`` and ``triggers``: the live
    comments (None for none) of the live objects, keyed as the comparison keys them
    (those missing are reported as missing objects, not here); ``home``: the current
    schema, which the hints name a bare key's by."""
    findings = []
    for fn in sorted(schema.functions, key=lambda f: f.identity):
        if fn.identity in functions:
            target = f"FUNCTION {ddl.function_signature(fn, names=False, home=home)}"
            findings += compare_comment(
                f"function {fn.identity}", target, fn.description, functions[fn.identity]
            )
    for view in sorted(schema.views, key=lambda v: v.view):
        if view.view in views:
            target = f"{view.kind.upper()} {quote_qualified(view.view, home)}"
            findings += compare_comment(
                f"{view.kind} {view.view}", target, view.description, views[view.view]
            )
    for tg in sorted(schema.triggers, key=lambda t: (t.table, t.name)):
        key = f"{tg.table}.{tg.name}"
        if key in triggers:
            target = f"TRIGGER {ddl.ident(tg.name)} ON {quote_qualified(tg.table, home)}"
            findings += compare_comment(f"trigger {key}", target, tg.description, triggers[key])
    return findings


def compare_comment(
    obj: str, target: str, declared: str | None, live: str | None
) -> list[Finding]:
    """A finding for ``obj`` (``COMMENT ON {target}``, e.g. ``TABLE billing.invoices``)
    when its ``live`` comment is not the ``declared`` description, with the statement
    that sets it as hint."""
    if declared == live:
        return []
    if declared is None:
        hint = f"the schema declares no description: `COMMENT ON {target} IS NULL`"
    else:
        # the whole text, however long: a hint is a statement that runs as printed, and
        # sql_text keeps it one line (a hint is printed line by line, and a newline,
        # NEL or U+2028 is a line break) and sets the exact text
        hint = (
            f"set the description schema/ declares: `COMMENT ON {target} IS "
            f"{sql_text(declared)}`"
        )
    message = comment_message(declared, live)
    return [Finding("database", obj, message, hint + ", or write the database's into schema/")]


def comment_message(declared: str | None, live: str | None) -> str:
    """Comments are long Markdown: the start of each, on one line."""
    return f"{COMMENT_MESSAGE} {_excerpt(live)} in the database, {_excerpt(declared)} in the schema"


def _excerpt(text: str | None, width: int = 40) -> str:
    if text is None:
        return "none"
    return repr(text if len(text) <= width else text[: width - 3] + "...")
