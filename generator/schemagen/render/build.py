"""``schemagen build``: render the normalized model into the output folder.

Rendering reads only the frozen :class:`~schemagen.model.schema.Schema` and the
templates; it never imports SQLAlchemy (importing a declarative module of 2,000
tables takes seconds, rendering its text takes milliseconds).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from ..config import Project
from ..docs.history import RevisionDoc, read_history
from ..docs.render import page_renderers, render_docs
from ..docs.served import Proofs
from ..docs.view import README
from ..errors import ConfigError
from ..language.structure import json_schema
from ..model.schema import Schema
from ..util.background import Job
from ..util.commit import Changes, commit
from ..util.templating import make_environment
from ..util.writer import pending_writes
from .models import models_view
from .staging import CHUNK, PageStager, StagedPages
from .support import Layout, header_lines, project_layout, support_views

#: Output file (relative to the output folder) -> template that renders it.
SUPPORT_FILES: dict[str, str] = {
    "__init__.py": "__init__.py.j2",
    "database.py": "database.py.j2",
    "migrations/env.py": "env.py.j2",
    "migrations/script.py.mako": "script.py.mako.j2",
    ".env.example": "env.example.j2",
}

#: From this many entities on, render_all renders the docs in a child process
#: while it renders models.py (two cores at work); below, a fork costs more than
#: it saves.
PARALLEL_DOCS = 300

#: The command line that build's staging folder and journal name.
BUILD_COMMAND = "schemagen build"

#: The output file that render_all returns but that the JSON Schema module provides.
JSON_SCHEMA_FILE = "schemagen.schema.json"
#: What ``schemagen prove --write-docs`` records, in the output folder (not in docs/).
PROOFS_FILE = "proofs.json"


@dataclass
class BuildResult:
    """What ``build`` wrote (``changed``) and left alone (``unchanged``), as POSIX
    paths relative to the project root."""

    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    created_alembic_ini: bool = False
    removed: list[str] = field(default_factory=list)
    #: What was repaired after a killed command, said first.
    recovered: list[str] = field(default_factory=list)

    def report_lines(self) -> list[str]:
        """One line per written or removed file, then a summary line."""
        lines = list(self.recovered)
        lines += [f"wrote {path}" for path in self.changed]
        lines += [f"removed {path} (no longer generated)" for path in self.removed]
        total = len(self.changed) + len(self.unchanged)
        if self.changed:
            lines.append(f"{len(self.changed)} of {total} files changed")
        else:
            lines.append(f"all {total} files up to date")
        return lines


@dataclass
class DocsJob:
    """The docs pages rendering in a :class:`~schemagen.util.background.Job`, and the
    pages (``here``) that the caller renders itself."""

    job: Job[dict[str, str]]
    here: Callable[[str], bool] | None = None
    history: tuple[RevisionDoc, ...] = ()

    def cancel(self) -> None:
        """Stop the job (the caller will not ask for the pages)."""
        self.job.cancel()


def start_docs(
    project: Project,
    schema: Schema,
    env: jinja2.Environment,
    pending: Sequence[tuple[str, str]] = (),
) -> DocsJob:
    """Start rendering the docs pages for :func:`render_all`.

    The docs of a large schema render in a child process (see background) along
    with models.py; the child leaves the overview page to the caller (the two
    halves take about as long). A small schema's job renders every page when
    asked. ``pending``: revisions ``migrate`` is about to write, for the history
    page. (``build`` itself stages its pages instead: :func:`stage_docs`.)
    """
    fork = _docs_apart(schema)
    here = (lambda path: path == README) if fork else None
    only = (lambda path: path != README) if here is not None else None
    proofs = load_proofs(project)
    history = read_history(project, pending)
    job = Job(lambda: _docs(schema, env, only, proofs, history), fork=fork)
    return DocsJob(job, here, history)


def stage_docs(project: Project, schema: Schema, staging: Path) -> PageStager:
    """Start staging every docs page into ``staging`` for :func:`build`: a child
    process and, once models.py is rendered, the caller share the pages
    (:mod:`schemagen.render.staging`)."""
    renderers = page_renderers(
        schema, _environment(project), load_proofs(project), read_history(project)
    )
    checked = {path: _template_checked(render) for path, render in renderers.items()}
    output = project_layout(project).output
    return PageStager(project.root, staging, output, checked, fork=_docs_apart(schema))


def _template_checked(render: Callable[[], str]) -> Callable[[], str]:
    def run() -> str:
        try:
            return render()
        except jinja2.TemplateError as exc:
            raise _template_error("docs/*.md.j2", exc) from None

    return run


def _docs_apart(schema: Schema) -> bool:
    return len(schema.entities) >= PARALLEL_DOCS


def render_all(
    project: Project,
    schema: Schema,
    pending: Sequence[tuple[str, str]] = (),
    *,
    with_docs: bool = True,
) -> dict[str, str]:
    """Render every file that ``build`` owns, keyed by POSIX path relative to the
    project root. Migration revisions and alembic.ini are not among them.

    ``pending``: the revisions (text, snapshot) ``migrate`` is about to write.
    ``with_docs=False``: no docs pages (the caller stages them, :func:`stage_docs`).
    """
    layout = project_layout(project)
    files: dict[str, str] = {}
    env = _environment(project)
    docs = start_docs(project, schema, env, pending) if with_docs else None
    try:
        _render_code(project, schema, env, layout, files)
        here = {}
        if docs is not None and docs.here is not None:
            here = _docs(schema, env, docs.here, load_proofs(project), docs.history)
    except BaseException:
        if docs is not None:
            docs.cancel()
        raise
    if docs is not None:
        for name, text in sorted({**docs.job.result(), **here}.items()):
            files[layout.path(name)] = text
    files[layout.path(JSON_SCHEMA_FILE)] = json_schema_file()
    return files


#: A part of :func:`render_parts`: renders some of the files, ``{path: text}``.
Part = Callable[[], dict[str, str]]


def render_parts(project: Project, schema: Schema) -> list[Part]:
    """:func:`render_all`'s files cut into parts that render independently, in the
    order in which render_all would meet a broken template: models.py with the
    support files and the JSON Schema file, then the docs pages in
    :data:`~schemagen.render.staging.CHUNK`-page chunks (README alone: it is the
    largest). Together they render exactly render_all's files (tested), so two
    processes can share them (``check``).
    """
    layout = project_layout(project)
    env = _environment(project)
    pages = page_renderers(schema, env, load_proofs(project), read_history(project))

    def code() -> dict[str, str]:
        files: dict[str, str] = {}
        _render_code(project, schema, env, layout, files)
        files[layout.path(JSON_SCHEMA_FILE)] = json_schema_file()
        return files

    def docs(paths: list[str]) -> Part:
        checked = {path: _template_checked(pages[path]) for path in paths}
        return lambda: {layout.path(path): render() for path, render in checked.items()}

    rest = [path for path in pages if path != README]
    chunks = [rest[start : start + CHUNK] for start in range(0, len(rest), CHUNK)]
    return [code, docs([README]), *(docs(chunk) for chunk in chunks)]


def _render_code(
    project: Project,
    schema: Schema,
    env: jinja2.Environment,
    layout: Layout,
    files: dict[str, str],
) -> None:
    """models.py and the support files (database.py, env.py, ...) into ``files``."""
    view = models_view(schema, header_lines(project, schema))
    files[layout.path("models.py")] = _render(env, "models.py.j2", view=view)
    views = support_views(project, schema, layout)
    for name, template in SUPPORT_FILES.items():
        files[layout.path(name)] = _render(env, template, view=views[template])


def render_models(project: Project, schema: Schema) -> str:
    """The text of ``models.py`` alone (``schemagen prove`` creates tables from it)."""
    env = _environment(project)
    return _render(env, "models.py.j2", view=models_view(schema, header_lines(project, schema)))


def render_alembic_ini(project: Project, schema: Schema) -> str:
    """The text of ``alembic.ini``, which build writes only when there is none."""
    layout = project_layout(project)
    view = support_views(project, schema, layout)["alembic.ini.j2"]
    return _render(_environment(project), "alembic.ini.j2", view=view)


def build(project: Project, schema: Schema, pages: PageStager) -> BuildResult:
    """Write render_all's files that differ, and alembic.ini when it is missing.

    Only pages of the docs folder that are no longer rendered (the page of a
    dropped entity) are deleted: build owns that folder whole. Revision files
    and anything else in the output folder stay. Every file is rendered before
    the first one is written, so a template error leaves the output untouched,
    and all are committed together (``util.commit``): a killed build leaves
    the old output or the new one once the next command has run.
    ``pages``: :func:`stage_docs`'s pages, staged in the open staging area.
    """
    try:
        files = render_all(project, schema, with_docs=False)
        staged = pages.finish()
    except BaseException:
        pages.cancel()
        raise
    changes, result = _changes(project, schema, files, staged)
    commit(project.output_dir, changes, BUILD_COMMAND)
    return result


def stage_build(
    project: Project, schema: Schema, pending: Sequence[tuple[str, str]] = ()
) -> tuple[Changes, BuildResult]:
    """What :func:`build` would write and delete, and its report; write nothing."""
    return _changes(project, schema, render_all(project, schema, pending), StagedPages())


def _changes(
    project: Project, schema: Schema, files: dict[str, str], staged: StagedPages
) -> tuple[Changes, BuildResult]:
    """The files to write (``files`` that differ from the disk, and the pages
    ``staged`` already) and the stale pages to delete, with build's report."""
    ini_path = project.root / "alembic.ini"
    if not ini_path.exists():
        files["alembic.ini"] = render_alembic_ini(project, schema)
    modes: dict[str, int | None] = {}
    writes, changed, unchanged = pending_writes(project.root, files, modes)
    removed = _stale_docs(project, {*files, *staged.paths})
    changes = Changes(project.root, writes, removed, modes=modes, staged=staged.staged)
    result = BuildResult(
        sorted([*changed, *staged.staged]),
        sorted([*unchanged, *staged.unchanged]),
        created_alembic_ini="alembic.ini" in changed,
        removed=removed,
    )
    return changes, result


def _stale_docs(project: Project, files: Collection[str]) -> list[str]:
    """Pages under ``<output>/docs/`` that build no longer renders."""
    docs = project.output_dir / "docs"
    if not docs.is_dir():
        return []
    removed = []
    base = project.relative(docs)  # resolved once, not per page
    # hidden files (.DS_Store, editor swap files) are not pages
    for path in sorted(p for p in docs.rglob("[!.]*") if p.is_file()):
        rel = f"{base}/{path.relative_to(docs).as_posix()}"
        if rel not in files:
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
        raise _template_error(name, exc) from None


def load_proofs(project: Project) -> Proofs | None:
    """What ``schemagen prove --write-docs`` recorded (``<output>/proofs.json``), if any.
    A file that is not such a record is ignored: the docs then say "not proven yet"."""
    path = project.output_dir / PROOFS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    indexes = data.get("indexes") if isinstance(data, dict) else None
    return indexes if isinstance(indexes, dict) else None


def _docs(
    schema: Schema,
    env: jinja2.Environment,
    only: Callable[[str], bool] | None = None,
    proofs: Proofs | None = None,
    history: tuple[RevisionDoc, ...] = (),
) -> dict[str, str]:
    """The Markdown docs (the pages ``only`` accepts). A broken or missing docs
    template is a ConfigError, never an empty docs folder (which build would then clear)."""
    try:
        return render_docs(schema, env, only, proofs, history)
    except jinja2.TemplateError as exc:
        raise _template_error("docs/*.md.j2", exc) from None


def _template_error(name: str, exc: jinja2.TemplateError) -> ConfigError:
    where = ""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = f"{exc.filename}:{exc.lineno}: "
    return ConfigError(f"template {name}: {where}{exc}")


def json_schema_file() -> str:
    """The JSON Schema of the language, for editors (``# yaml-language-server``),
    with a ``$comment`` as its header: JSON has no comments, and ``$comment`` is
    the JSON Schema keyword that tools ignore. It sorts first, so it leads."""
    document = {
        "$comment": "Generated by schemagen: the JSON Schema of its YAML schema language, "
        "for editors. Do not edit: `schemagen build` rewrites it.",
        **json_schema(),
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"
