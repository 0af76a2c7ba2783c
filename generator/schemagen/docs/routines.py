"""The docs page of views, functions and triggers (``docs/routines.md``).

Each view says what it reads from (links to the table pages and to other
views), with its typed columns and its SQL; each function its signature,
language, volatility and security, with its body; each trigger its table,
timing, events and function. User SQL is shown in fenced blocks whose fence
it cannot close.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model.routines import TIMINGS, Function, Trigger, View
from ..model.schema import Entity, Schema
from ..model.typemap import pg_type
from .text import github_slug, md_cell_text, md_code, md_code_cell, md_text
from .view import entity_path

ROUTINES = "docs/routines.md"


@dataclass(frozen=True)
class Block:
    """One section: a heading, lines of facts, a table of rows and a code block."""

    heading: str
    anchor: str
    facts: list[str]
    rows: list[list[str]]
    code: str
    fence: str


@dataclass(frozen=True)
class RoutinesPage:
    header: str
    views: list[Block]
    functions: list[Block]
    triggers: list[Block]


def fence(text: str) -> str:
    """A backtick fence longer than any run of backticks in ``text``."""
    longest, run = 0, 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    return "`" * max(3, longest + 1)


def _relation_link(schema: Schema, name: str) -> str:
    for ent in schema.entities:
        if ent.table == name:
            return _table_link(schema, ent)
    return f"[{md_code(name)}](#{github_slug(name)})"


def _table_link(schema: Schema, entity: Entity) -> str:
    """A link from this page to the page of ``entity`` (its table as code)."""
    page = entity_path(entity, schema.database.schema).removeprefix("docs/")
    return f"[{md_code(entity.table)}]({page})"


def view_block(schema: Schema, view: View) -> Block:
    reads = ", ".join(_relation_link(schema, r) for r in view.reads) or "no table"
    facts = [md_text(view.description)] if view.description else []
    facts.append(f"A {view.kind}, read-only class `{view.name}`. Reads from: {reads}.")
    if view.indexes:
        facts.append("Indexes: " + ", ".join(md_code(ix.name) for ix in view.indexes) + ".")
    rows = [
        [
            md_code_cell(c.name),
            md_code_cell(pg_type(c.type, schema)),
            "yes" if c.nullable else "no",
            md_cell_text(c.description),
        ]
        for c in view.columns
    ]
    sql = view.sql.strip()
    return Block(view.view, github_slug(view.view), facts, rows, sql, fence(sql))


def function_block(fn: Function) -> Block:
    security = "SECURITY DEFINER" if fn.security == "definer" else "SECURITY INVOKER"
    facts = [md_text(fn.description)] if fn.description else []
    facts.append(
        f"Returns {md_code(fn.returns)}; {fn.language}, {fn.volatility}, {security}."
        + (" Made by schemagen (`on_update_now: trigger`)." if fn.generated else "")
    )
    body = fn.body.strip()
    return Block(md_code(fn.identity), github_slug(fn.identity), facts, [], body, fence(body))


def trigger_block(schema: Schema, tg: Trigger) -> Block:
    events = " OR ".join(e.upper() for e in tg.events)
    facts = [md_text(tg.description)] if tg.description else []
    table = _table_link(schema, schema.entity_by_table(tg.table))
    facts.append(
        f"{TIMINGS[tg.timing]} {events} on {table}, "
        f"FOR EACH {tg.level.upper()}, calls "
        f"[{md_code(tg.function)}](#{github_slug(tg.function)})."
    )
    when = tg.when.strip() if tg.when else ""
    return Block(f"{md_code(tg.name)} on {md_code(tg.table)}", "", facts, [], when, fence(when))


def routines_page(schema: Schema, header: str) -> RoutinesPage:
    return RoutinesPage(
        header=header,
        views=[view_block(schema, v) for v in schema.views],
        functions=[function_block(fn) for fn in schema.functions],
        triggers=[trigger_block(schema, tg) for tg in schema.triggers],
    )
