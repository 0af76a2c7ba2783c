"""Render the Markdown documentation (``docs/``) of a schema.

Python decides what each page says (:mod:`schemagen.docs_pages` and
:mod:`schemagen.docs_view` build the view-models, with every user string already
escaped for Markdown); the templates in ``templates/docs/`` only lay it out.

Pages, relative to the output folder:

- ``docs/README.md``: overview, migrations, connection, backup and restore,
  extensions, performance notes, all indexes and constraints;
- ``docs/er-diagram.md``: the Mermaid ``erDiagram`` of every table;
- ``docs/enums.md``: every enum type with its values;
- ``docs/entities/<table>.md``: one page per entity.
"""

from __future__ import annotations

import jinja2

from .docs_mermaid import er_diagram, renamed_attributes
from .docs_pages import HEADER, entity_page, enums_page, overview, plural
from .docs_text import md_code, md_text
from .docs_view import ENUMS, ER_DIAGRAM, README, entity_path
from .model import Schema


def render_docs(schema: Schema, env: jinja2.Environment) -> dict[str, str]:
    """Render every docs page: ``{path relative to the output folder: text}``."""
    files = {
        README: env.get_template("docs/README.md.j2").render(view=overview(schema)),
        ER_DIAGRAM: env.get_template("docs/er-diagram.md.j2").render(
            header=HEADER, name=md_text(schema.database.name), diagram=er_diagram(schema),
            counts=_diagram_counts(schema), renamed=", ".join(
                f"{md_code(column)} as {md_code(word)}"
                for column, word in renamed_attributes(schema)
            ),
        ),
    }
    if schema.enums:
        files[ENUMS] = env.get_template("docs/enums.md.j2").render(view=enums_page(schema))
    entity_template = env.get_template("docs/entity.md.j2")
    for entity in schema.entities:
        files[entity_path(entity)] = entity_template.render(view=entity_page(entity, schema))
    return {path: _tidy(text) for path, text in sorted(files.items())}


def _diagram_counts(schema: Schema) -> str:
    tables = plural(len(schema.entities), "table")
    fks = plural(sum(len(e.foreign_keys) for e in schema.entities), "foreign key")
    return f"{tables} and {fks}"


def _tidy(text: str) -> str:
    """Collapse runs of blank lines and end with exactly one newline."""
    lines = [line.rstrip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line == "" and out and out[-1] == "":
            continue
        out.append(line)
    return "\n".join(out).strip("\n") + "\n"
