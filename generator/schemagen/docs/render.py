"""Render the Markdown documentation (``docs/``) of a schema.

Python decides what each page says (:mod:`schemagen.docs.pages` and
:mod:`schemagen.docs.view` build the view-models, with every user string already
escaped for Markdown); the templates in ``templates/docs/`` only lay it out.

Pages, relative to the output folder:

- ``docs/README.md``: overview, migrations, connection, backup and restore,
  extensions, performance notes, all indexes and constraints;
- ``docs/er-diagram.md``: the Mermaid ``erDiagram`` of every table;
- ``docs/enums.md``: every enum type with its values;
- ``docs/history.md``: every migration revision (:mod:`schemagen.docs.history`);
- ``docs/routines.md``: views (with what they read from), functions, triggers;
- ``docs/entities/<table>.md``: one page per entity (the table qualified only
  outside the default PostgreSQL schema, :func:`.view.entity_path`), linking the
  revisions that changed it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import jinja2

from ..model.schema import Schema
from .history import HISTORY, RevisionDoc, history_page, revisions_by_table
from .mermaid import er_diagram, renamed_attributes
from .pages import HEADER, SharedSections, entity_page, enums_page, overview, plural
from .routines import ROUTINES, routines_page
from .served import Proofs
from .text import md_code, md_text
from .view import ENUMS, ER_DIAGRAM, README, entity_path


def render_docs(
    schema: Schema,
    env: jinja2.Environment,
    only: Callable[[str], bool] | None = None,
    proofs: Proofs | None = None,
    history: tuple[RevisionDoc, ...] = (),
) -> dict[str, str]:
    """Render every docs page: ``{path relative to the output folder: text}``.

    With ``only``, just the pages whose path it accepts (build shares the pages
    between two processes). ``proofs``: what ``prove --write-docs`` recorded;
    ``history``: the revisions (:func:`read_history`).
    """
    pages = page_renderers(schema, env, proofs, history)
    # Rendered in this order (a broken template fails where it always did), sorted after.
    files = {path: render() for path, render in pages.items() if only is None or only(path)}
    return dict(sorted(files.items()))


def page_renderers(
    schema: Schema,
    env: jinja2.Environment,
    proofs: Proofs | None = None,
    history: tuple[RevisionDoc, ...] = (),
) -> dict[str, Callable[[], str]]:
    """Every docs page's path, with a function that renders its final text.

    Nothing is rendered yet: ``build`` hands the pages out in chunks to two
    processes that render and stage them side by side.
    """
    shared = SharedSections(schema)
    pages: dict[str, Callable[[], str]] = {
        README: lambda: env.get_template("docs/README.md.j2").render(view=overview(schema)),
        ER_DIAGRAM: lambda: env.get_template("docs/er-diagram.md.j2").render(
            header=HEADER,
            name=md_text(schema.database.name),
            diagram=er_diagram(schema, shared.diagrams),
            counts=_diagram_counts(schema),
            renamed=", ".join(
                f"{md_code(column)} as {md_code(word)}"
                for column, word in renamed_attributes(schema)
            ),
        ),
    }
    pages[HISTORY] = lambda: env.get_template("docs/history.md.j2").render(
        view=history_page(schema, history, HEADER)
    )
    if schema.views or schema.functions or schema.triggers:
        pages[ROUTINES] = lambda: env.get_template("docs/routines.md.j2").render(
            view=routines_page(schema, HEADER)
        )
    if schema.enums:
        pages[ENUMS] = lambda: env.get_template("docs/enums.md.j2").render(view=enums_page(schema))

    @functools.cache
    def entity_template() -> jinja2.Template:
        return env.get_template("docs/entity.md.j2")

    if schema.entities:
        # Compiled here, before build and check fork the process that renders pages
        # beside this one: else each compiled it (25 ms). A broken template is not
        # remembered (functools.cache keeps no exception): its page raises, in order.
        try:
            entity_template()
        except jinja2.TemplateError:
            pass

    home = schema.database.schema
    pages_at = entity_path(schema.entities[0], home) if schema.entities else README  # one folder
    changed_by = revisions_by_table(history, pages_at)
    for entity in schema.entities:
        pages[entity_path(entity, home)] = functools.partial(
            lambda ent: entity_template().render(
                view=entity_page(ent, schema, proofs, changed_by.get(ent.table, ()), shared)
            ),
            entity,
        )
    return {path: _tidied(render) for path, render in pages.items()}


def _tidied(render: Callable[[], str]) -> Callable[[], str]:
    return lambda: _tidy(render())


def _diagram_counts(schema: Schema) -> str:
    tables = plural(len(schema.entities), "table")
    fks = plural(sum(len(e.foreign_keys) for e in schema.entities), "foreign key")
    return f"{tables} and {fks}"


def _tidy(text: str) -> str:
    """Collapse runs of blank lines and end with exactly one newline."""
    text = "\n".join([line.rstrip() for line in text.split("\n")])
    # str.replace and ``in`` run at C speed over the 20 MB of a 2,000-table docs
    # folder; a loop over its 700,000 lines was a tenth of rendering the pages.
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip("\n") + "\n"
