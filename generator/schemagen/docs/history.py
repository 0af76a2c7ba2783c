"""The migration history page (``docs/history.md``) and each entity's revisions.

What a revision did is read from the revision files themselves (the docstring
``migrate`` writes: message, id, plan lines, destructive operations) and the
tables it touched from its plan lines, so the page
shows what was written, as Django's ``showmigrations`` and Atlas do. ``migrate``
passes the revisions it is about to write as ``pending`` (it builds first).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from ..config import Project
from ..model.schema import Schema
from ..util.pycode import parse_header
from .text import github_slug, md_cell_text, md_code, md_code_cell, md_text
from .view import Link, entity_path

HISTORY = "docs/history.md"


@dataclass(frozen=True)
class RevisionDoc:
    """One revision as the docs show it (plain strings, not yet Markdown)."""

    id: str
    message: str
    plan: tuple[str, ...]  # one line per operation, as ``plan`` prints it
    costs: tuple[str, ...]  # what each operation costs a live table ("" when not said)
    destructive: tuple[str, ...]
    tables: tuple[str, ...] | None  # None when a snapshot was unreadable


def read_history(
    project: Project, pending: Iterable[tuple[str, str]] = ()
) -> tuple[RevisionDoc, ...]:
    """The revisions on disk, then ``pending`` ((revision text, snapshot JSON) pairs)."""
    entries: list[tuple[str, str | None]] = []
    versions = project.versions_dir
    for path in sorted(versions.glob("[0-9]*.py")) if versions.is_dir() else []:
        entries.append((_read(path) or "", None))  # only the text: see below
    entries += list(pending)
    found: list[RevisionDoc] = []
    for text, _ in entries:
        # The tables come from the plan lines: only the head revision keeps a
        # snapshot (revision.history), so the page reads the same before and
        # after migrate removes the previous one.
        doc = parse_revision(text, None)
        if doc is not None:
            found.append(replace(doc, tables=plan_tables(doc.plan)))
    return tuple(found)


#: The table an operation line names: ``+ table t``, ``~ column t.c``, ``... on t``.
_TABLE_IN_LINE = (
    re.compile(r"^[+~-] table (\S+?)(?: renamed to (\S+))?(?: comment .*)?$"),
    re.compile(r"^[+~-] column ([^\s.]+)\."),
    re.compile(r" on ([^\s(]+)(?: \(.*\))?$"),
)


def plan_tables(plan: tuple[str, ...]) -> tuple[str, ...]:
    """The tables a revision's plan lines touch, sorted."""
    tables: set[str] = set()
    for line in plan:
        for pattern in _TABLE_IN_LINE:
            match = pattern.search(line)
            if match:
                tables.update(name for name in match.groups() if name)
                break
    return tuple(sorted(tables))


def parse_revision(text: str, tables: tuple[str, ...] | None) -> RevisionDoc | None:
    """The revision a file's docstring describes (None when it is no schemagen one)."""
    try:
        doc = ast.get_docstring(parse_header(text), clean=True)
    except SyntaxError:
        return None
    lines = (doc or "").splitlines()
    rev_id = _field(lines, "Revision ID:")
    if rev_id is None:
        return None
    message = " ".join(line for line in lines[: lines.index("")] if line) if "" in lines else ""
    plan: list[str] = []
    costs: list[str] = []
    for line in _block(lines, "Plan"):
        if line.startswith((" ", "\t")) and plan:  # the cost of the operation above
            costs[-1] = " ".join(filter(None, (costs[-1], line.strip())))
        else:
            plan.append(line)
            costs.append("")
    return RevisionDoc(
        id=rev_id,
        message=message,
        plan=tuple(plan),
        costs=tuple(costs),
        destructive=tuple(line.removeprefix("- ") for line in _block(lines, "Destructive")),
        tables=tables,
    )


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _field(lines: list[str], name: str) -> str | None:
    return next((line[len(name):].strip() for line in lines if line.startswith(name)), None)


def _block(lines: list[str], heading: str) -> tuple[str, ...]:
    """The lines after the heading that starts with ``heading`` (and may wrap onto
    more lines; it ends with a colon), up to a blank line."""
    start = next((i for i, line in enumerate(lines) if line.startswith(heading)), None)
    if start is None:
        return ()
    while start < len(lines) and not lines[start].rstrip().endswith(":"):
        start += 1
    block: list[str] = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        block.append(line)
    return tuple(block)


# --- the page --------------------------------------------------------------------


def revision_heading(doc: RevisionDoc) -> str:
    """The heading of a revision's section (its anchor is what entity pages link)."""
    return f"Revision {doc.id}: {doc.message}" if doc.message else f"Revision {doc.id}"


def revision_link(doc: RevisionDoc, from_page: str) -> str:
    """A Markdown link from a docs page to a revision's section of the history page."""
    target = "history.md" if from_page.count("/") == 1 else "../history.md"
    return str(Link(md_code(doc.id), f"{target}#{github_slug(revision_heading(doc))}"))


@dataclass(frozen=True)
class RevisionSection:
    heading: str
    tables: str
    plan: tuple[str, ...]
    destructive: tuple[str, ...]


@dataclass(frozen=True)
class HistoryPage:
    header: str
    name: str
    rows: tuple[tuple[str, str, str, str], ...]  # id link, message, tables, destructive
    sections: tuple[RevisionSection, ...]


def history_page(schema: Schema, history: tuple[RevisionDoc, ...], header: str) -> HistoryPage:
    """The view-model of ``docs/history.md``: a table of revisions, then one section each."""
    tables = {e.table: e for e in schema.entities}
    home = schema.database.schema

    def table_links(doc: RevisionDoc) -> str:
        if doc.tables is None:
            return "(snapshot unreadable)"
        links = [
            str(Link(md_code(t), entity_path(tables[t], home).removeprefix("docs/")))
            if t in tables else f"{md_code(t)} (dropped)"
            for t in doc.tables
        ]
        return ", ".join(links) or "none (types or extensions only)"

    # each revision's tables, in its row and in its section (2,000 in a first revision)
    changed = [table_links(doc) for doc in history]
    rows = tuple(
        (
            revision_link(doc, HISTORY),
            md_cell_text(doc.message),
            tables_text,
            str(len(doc.destructive)) if doc.destructive else "",
        )
        for doc, tables_text in zip(history, changed, strict=True)
    )
    sections = tuple(
        RevisionSection(
            heading=md_text(revision_heading(doc)),
            tables=tables_text,
            plan=tuple(
                md_code_cell(line) + (f" ({md_text(cost)})" if cost else "")
                for line, cost in zip(doc.plan, doc.costs, strict=True)
            ),
            destructive=tuple(md_text(line) for line in doc.destructive),
        )
        for doc, tables_text in zip(history, changed, strict=True)
    )
    return HistoryPage(header, md_text(schema.database.name), rows, sections)


def revisions_by_table(
    history: tuple[RevisionDoc, ...], from_page: str
) -> dict[str, tuple[str, ...]]:
    """Links from ``from_page`` to the revisions that changed each table, oldest
    first, for the entity pages (all in ``from_page``'s folder). Built once for
    them all: a first revision names every table, and looking each table up in
    each revision's tuple made the pages quadratic in tables; and a revision's
    link, the same on each of those pages, is made once, not once per page."""
    found: dict[str, list[str]] = {}
    for doc in history:
        link = revision_link(doc, from_page)
        for table in dict.fromkeys(doc.tables or ()):  # once per revision, however named
            found.setdefault(table, []).append(link)
    return {table: tuple(links) for table, links in found.items()}
