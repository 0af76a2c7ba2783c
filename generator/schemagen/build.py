"""``schemagen build``: render the normalized model into the output folder.

Rendering reads only the frozen :class:`~schemagen.model.Schema` and the
templates; it never imports SQLAlchemy (importing a declarative module of 2,000
tables takes seconds, rendering its text takes milliseconds).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field

import jinja2

from .config import Project
from .errors import ConfigError
from .model import Schema
from .render_models import models_view
from .render_support import header_lines, project_layout, support_views
from .templating import make_environment
from .writer import write_files

#: Output file (relative to the output folder) -> template that renders it.
SUPPORT_FILES: dict[str, str] = {
    "__init__.py": "__init__.py.j2",
    "database.py": "database.py.j2",
    "migrations/env.py": "env.py.j2",
    "migrations/script.py.mako": "script.py.mako.j2",
    ".env.example": "env.example.j2",
}

#: The output file that render_all returns but that the JSON Schema module provides.
JSON_SCHEMA_FILE = "schemagen.schema.json"


@dataclass
class BuildResult:
    """What ``build`` wrote (``changed``) and left alone (``unchanged``), as POSIX
    paths relative to the project root."""

    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    created_alembic_ini: bool = False
    removed: list[str] = field(default_factory=list)

    def report_lines(self) -> list[str]:
        """One line per written or removed file, then a summary line."""
        lines = [f"wrote {path}" for path in self.changed]
        lines += [f"removed {path} (no longer generated)" for path in self.removed]
        total = len(self.changed) + len(self.unchanged)
        if self.changed:
            lines.append(f"{len(self.changed)} of {total} files changed")
        else:
            lines.append(f"all {total} files up to date")
        return lines


def render_all(project: Project, schema: Schema) -> dict[str, str]:
    """Render every file that ``build`` owns, keyed by POSIX path relative to the
    project root. Migration revisions and alembic.ini are not among them."""
    layout = project_layout(project)
    env = _environment(project)
    files: dict[str, str] = {}
    header = header_lines(project, schema)
    files[layout.path("models.py")] = _render(env, "models.py.j2", view=models_view(schema, header))
    views = support_views(project, schema, layout)
    for name, template in SUPPORT_FILES.items():
        files[layout.path(name)] = _render(env, template, view=views[template])
    for name, text in _docs(schema, env).items():
        files[layout.path(name)] = text
    json_schema = _json_schema()
    if json_schema is not None:
        files[layout.path(JSON_SCHEMA_FILE)] = json_schema
    return files


def render_alembic_ini(project: Project, schema: Schema) -> str:
    """The text of ``alembic.ini``, which build writes only when there is none."""
    layout = project_layout(project)
    view = support_views(project, schema, layout)["alembic.ini.j2"]
    return _render(_environment(project), "alembic.ini.j2", view=view)


def build(project: Project, schema: Schema) -> BuildResult:
    """Write render_all's files that differ, and alembic.ini when it is missing.

    Only pages of the docs folder that are no longer rendered (the page of a
    dropped entity) are deleted: build owns that folder whole. Revision files
    and anything else in the output folder stay. Every file is rendered before
    the first one is written, so a template error leaves the output untouched.
    """
    files = render_all(project, schema)
    ini_path = project.root / "alembic.ini"
    if not ini_path.exists():
        files["alembic.ini"] = render_alembic_ini(project, schema)
    changed, unchanged = write_files(project.root, files)
    removed = _remove_stale_docs(project, files)
    return BuildResult(
        changed, unchanged, created_alembic_ini="alembic.ini" in changed, removed=removed
    )


def _remove_stale_docs(project: Project, files: dict[str, str]) -> list[str]:
    """Delete pages under ``<output>/docs/`` that build no longer renders."""
    docs = project.output_dir / "docs"
    if not docs.is_dir():
        return []
    removed = []
    # hidden files (.DS_Store, editor swap files) are not pages
    for path in sorted(p for p in docs.rglob("[!.]*") if p.is_file()):
        rel = project.relative(path)
        if rel not in files:
            path.unlink()
            removed.append(rel)
    return removed


def _environment(project: Project) -> jinja2.Environment:
    templates = project.templates_dir
    if templates is not None and not templates.is_dir():
        raise ConfigError(
            f"[tool.schemagen] templates folder {project.relative(templates)} does not exist"
        )
    return make_environment(templates)


def _render(env: jinja2.Environment, name: str, **context: object) -> str:
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateError as exc:
        where = ""
        if isinstance(exc, jinja2.TemplateSyntaxError):
            where = f"{exc.filename}:{exc.lineno}: "
        raise ConfigError(f"template {name}: {where}{exc}") from None


def _docs(schema: Schema, env: jinja2.Environment) -> dict[str, str]:
    """The Markdown docs, once the docs module exists (it is written separately)."""
    if importlib.util.find_spec("schemagen.docs") is None:
        return {}
    from .docs import render_docs  # type: ignore[import-not-found,unused-ignore]

    try:
        docs: dict[str, str] = render_docs(schema, env)
    except jinja2.TemplateNotFound:
        return {}  # the docs templates are not all there yet
    return docs


def _json_schema() -> str | None:
    """The JSON Schema of the language, for editors (``# yaml-language-server``)."""
    try:
        from .language import json_schema_text
    except ImportError:
        return None
    return json_schema_text()


