"""`check` renders and compares the generated files in two processes (``check.files``);
what it finds is what one process rendering everything finds: the same findings in
the same order, the same digests, the same first error.

The one-process reference is the check as it was: ``render_all``, then each file
compared in path order, then the stale docs pages.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from forks import fork_spy, needs_fork
from migration_harness import load_case, write_schema
from schemagen.check import files
from schemagen.check.drift import (
    compare_file,
    history_findings,
    pending_findings,
    stale_docs,
)
from schemagen.check.run import check_project
from schemagen.config import Project, load_project
from schemagen.errors import ConfigError
from schemagen.findings import Finding
from schemagen.model.schema import Schema
from schemagen.render import build
from schemagen.render.build import render_all, render_parts
from schemagen.validate.pipeline import load_schema

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "corpus"

pytestmark = needs_fork


Found = tuple[list[Finding], dict[str, str]]


def _one_process(project: Project, schema: Schema, diff: bool) -> Found:
    rendered = render_all(project, schema)
    found = [
        compare_file(project.root / rel, rel, rendered[rel], show_diff=diff)
        for rel in sorted(rendered)
    ]
    digests = {rel: hashlib.sha256(text.encode()).hexdigest() for rel, text in rendered.items()}
    return [f for f in found if f is not None] + stale_docs(project, rendered), digests


def _shared(project: Project, schema: Schema, diff: bool) -> Found:
    done = files.check_files(project, schema, show_diff=diff)
    return done.findings, done.digests


def _both(root: Path, monkeypatch: pytest.MonkeyPatch, diff: bool = True) -> tuple[Found, Found]:
    """The reference and the shared check of the project at ``root``; the shared one
    did fork a child (whatever the size)."""
    project = load_project(root)
    schema = load_schema(project).schema
    assert schema is not None
    expected = _one_process(project, schema, diff)
    monkeypatch.setattr(files, "PARALLEL_FROM", 0)
    started = fork_spy(monkeypatch)
    actual = _shared(project, schema, diff)
    monkeypatch.undo()
    assert started, "no child was forked"
    return expected, actual


def test_render_parts_render_exactly_what_render_all_renders() -> None:
    project = load_project(REPO)
    schema = load_schema(project).schema
    assert schema is not None
    together: dict[str, str] = {}
    for part in render_parts(project, schema):
        rendered = part()
        assert not set(rendered) & set(together)  # no file in two parts
        together.update(rendered)
    assert together == render_all(project, schema)


def test_the_flagship_clean_and_at_head(monkeypatch: pytest.MonkeyPatch) -> None:
    expected, actual = _both(REPO, monkeypatch)
    assert actual == expected
    findings, digests = actual
    assert findings == [] and len(digests) > 20


def test_every_corpus_schema_with_nothing_built_yet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file missing, with its diff: the whole text of every file rendered by
    either process is compared."""
    cases = sorted(CORPUS.glob("[0-9]*"))
    assert len(cases) > 80
    for number, folder in enumerate(cases):
        root = tmp_path / str(number)
        write_schema(root, load_case(folder).after)
        expected, actual = _both(root, monkeypatch)
        assert actual == expected, folder.name
        assert len(actual[0]) > 5, folder.name


@pytest.fixture
def drifted(tmp_path: Path) -> Path:
    """The flagship with every kind of file drift."""
    root = tmp_path / "flagship"
    shutil.copytree(REPO / "schema", root / "schema")
    shutil.copytree(REPO / "generated", root / "generated",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    out = root / "generated"
    models = out / "models.py"
    models.write_text(models.read_text(encoding="utf-8").replace("class ", "class  ", 3))
    pages = sorted((out / "docs" / "entities").glob("*.md"))
    pages[0].unlink()  # missing
    pages[1].write_bytes(pages[1].read_bytes().replace(b"\n", b"\r\n"))  # CRLF: no drift
    pages[2].write_bytes(b"\xff\xfe not utf-8")  # unreadable
    pages[3].unlink()
    pages[3].mkdir()  # a folder where a page belongs
    (out / "docs" / "entities" / "dropped_table.md").write_text("# dropped\n")  # stale
    (out / "database.py").write_text("# emptied by hand\n")
    return root


@pytest.mark.parametrize("diff", [True, False])
def test_every_kind_of_file_drift(
    drifted: Path, monkeypatch: pytest.MonkeyPatch, diff: bool
) -> None:
    expected, actual = _both(drifted, monkeypatch, diff)
    assert actual == expected
    # without the digests (no cache to fill): the same findings, every file counted
    project = load_project(drifted)
    schema = load_schema(project).schema
    assert schema is not None
    bare = files.check_files(project, schema, show_diff=diff, digests=False)
    assert bare.findings == actual[0]
    assert bare.digests == dict.fromkeys(actual[1], "")
    messages = {f.message.split(" (")[0] for f in actual[0]}
    assert {"missing", "unreadable", "differs from what `schemagen build` writes"} <= messages
    assert any(f.message.startswith("stale") for f in actual[0])


def test_a_part_that_fails_in_the_child_is_rendered_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """The child's failure is not an error: its part is rendered again here."""
    here = os.getpid()
    parts = build.render_parts

    def failing_apart(project: Project, schema: Schema) -> list[build.Part]:
        def fail_in_child(part: build.Part) -> build.Part:
            def run() -> dict[str, str]:
                if os.getpid() != here:
                    raise RuntimeError("killed in the child")
                return part()

            return run

        return [fail_in_child(part) for part in parts(project, schema)]

    monkeypatch.setattr(files, "render_parts", failing_apart)
    expected, actual = _both(REPO, monkeypatch)
    assert actual == expected


def test_the_first_broken_template_in_order_is_the_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both models.py and the entity pages break: the error is models.py's, as when
    one process renders everything, whichever process met which first."""
    root = tmp_path / "p"
    shutil.copytree(REPO / "schema", root / "schema")
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    text = text.replace("[tool.schemagen]", '[tool.schemagen]\ntemplates = "tpl"')
    (root / "pyproject.toml").write_text(text)
    (root / "tpl" / "docs").mkdir(parents=True)
    (root / "tpl" / "models.py.j2").write_text("{{ view.classes | no_such_filter }}\n")
    (root / "tpl" / "docs" / "entity.md.j2").write_text("{% if %}\n")
    project = load_project(root)
    schema = load_schema(project).schema
    assert schema is not None
    with pytest.raises(ConfigError) as alone:
        render_all(project, schema)
    monkeypatch.setattr(files, "PARALLEL_FROM", 0)
    started = fork_spy(monkeypatch)
    with pytest.raises(ConfigError) as shared:
        files.check_files(project, schema)
    assert started
    assert str(shared.value) == str(alone.value)
    assert "models.py.j2" in str(shared.value)


def test_the_snapshot_comparison_is_shared_out_first(
    drifted: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``check`` hands the comparison with the head snapshot to the two processes as
    the first task: the same pending operations, before the same file findings, as
    when one process does everything; its error is the one raised, even where a
    template breaks too."""
    stores = drifted / "schema" / "stores.yaml"
    text = stores.read_text(encoding="utf-8")
    stores.write_text(text.replace("A Shopify store that installed", "A store that installed"))
    monkeypatch.setattr(files, "PARALLEL_FROM", 10**9)
    alone = check_project(drifted, use_cache=False).findings
    monkeypatch.setattr(files, "PARALLEL_FROM", 0)
    started = fork_spy(monkeypatch)
    shared = check_project(drifted, use_cache=False).findings
    assert started, "no child was forked"
    assert shared == alone
    kinds = [f.kind for f in shared]
    assert kinds[:2] == ["pending", "pending"] and set(kinds[2:]) == {"file"}

    project = load_project(drifted)
    schema = load_schema(project).schema
    state, _ = history_findings(project)
    assert schema is not None and state is not None
    done = files.check_files(project, schema, pending=lambda: pending_findings(state, schema))
    assert done.pending == pending_findings(state, schema)

    def broken() -> files.Pending:
        raise LookupError("the snapshot comparison failed")

    monkeypatch.setattr(build, "models_view", None)  # models.py's part fails too
    with pytest.raises(LookupError, match="snapshot comparison"):
        files.check_files(project, schema, pending=broken)


def _stale_reference(project: Project, rendered: set[str]) -> list[str]:
    """The stale pages as the check named them before: each page's path resolved."""
    docs = project.output_dir / "docs"
    paths = sorted(p for p in docs.rglob("[!.]*") if p.is_file())
    return [rel for rel in map(project.relative, paths) if rel not in rendered]


def test_stale_pages_are_named_as_before_links_included(drifted: Path, tmp_path: Path) -> None:
    """Pages are named by the docs folder resolved once, except symbolic links,
    which are resolved one by one (a link can point anywhere)."""
    entities = drifted / "generated" / "docs" / "entities"
    outside = tmp_path / "elsewhere.md"
    outside.write_text("# elsewhere\n")
    (entities / "link_out.md").symlink_to(outside)
    pages = sorted(p for p in entities.glob("*.md") if p.is_file() and not p.is_symlink())
    (entities / "link_in.md").symlink_to(pages[-1])
    (entities / "sub").mkdir()
    (entities / "sub" / "deeper.md").write_text("# deeper\n")
    (entities / ".hidden.md").write_text("not a page\n")
    (entities / "sub-x.md").write_text("# sorts after sub/ as a path, before it as text\n")
    (entities / ".drafts").mkdir()  # a hidden folder's pages are still pages
    (entities / ".drafts" / "draft.md").write_text("# draft\n")
    (entities / "linked").symlink_to(entities / "sub")  # not entered
    (entities / "broken.md").symlink_to(tmp_path / "missing.md")  # no file
    project = load_project(drifted)
    schema = load_schema(project).schema
    assert schema is not None
    rendered = set(render_all(project, schema))
    found = [f.object for f in stale_docs(project, rendered)]
    assert found == _stale_reference(project, rendered)
    assert str(entities / "link_out.md") in found  # outside the project: its own path
    assert "generated/docs/entities/sub/deeper.md" in found
    assert "generated/docs/entities/.drafts/draft.md" in found
    assert not any("linked" in rel or "broken" in rel for rel in found)
