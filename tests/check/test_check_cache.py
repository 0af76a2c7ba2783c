"""The remembered clean result of `schemagen check` never hides drift.

After a clean check is remembered, each test changes one thing a check depends
on and asserts that the next check (cache on) prints exactly what a full check
(`--no-cache`) prints, and that it fails. What schemagen itself is made of
(its code, version, built-in templates, the libraries it uses) cannot be edited
from a test, so for those the digest the cache is keyed by must change.
"""

from __future__ import annotations

import importlib
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from check_projects import SHOP_YAML, add_sku
from click.testing import CliRunner, Result
from schemagen.api import migrate_project
from schemagen.check import cache as check_cache
from schemagen.cli import main
from schemagen.config import load_project

CACHED = "; no file changed since the last clean check"
PYPROJECT = '[tool.schemagen]\nschema = "schema"\noutput = "generated"\ntemplates = "tpl"\n'
BUILTIN_TEMPLATES = Path(check_cache.code_roots()[-1])


@pytest.fixture(scope="module")
def template_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two revisions, built, with a user template that overrides models.py.j2."""
    root = tmp_path_factory.mktemp("cache") / "project"
    (root / "schema").mkdir(parents=True)
    (root / "tpl").mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "schema" / "shop.yaml").write_text(SHOP_YAML)
    shutil.copy(BUILTIN_TEMPLATES / "models.py.j2", root / "tpl" / "models.py.j2")
    migrate_project(root, "initial schema")
    add_sku(root)
    migrate_project(root, "add sku")
    return root


@pytest.fixture
def project(template_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy whose clean check is remembered (in a cache folder of its own)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("SCHEMAGEN_NO_CACHE", raising=False)
    dest = tmp_path / "project"
    shutil.copytree(template_project, dest)
    first, second = check(dest), check(dest)
    assert first.exit_code == 0 and CACHED not in first.output, first.output
    assert second.exit_code == 0 and CACHED in second.output, second.output
    return dest


def check(project: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["check", "--project", str(project), *args])


def _append(rel: str, text: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        path = root / rel
        path.write_text(path.read_text() + text)

    return change


def _replace(rel: str, old: str, new: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        path = root / rel
        text = path.read_text()
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1))

    return change


def _delete(rel: str) -> Callable[[Path], None]:
    return lambda root: (root / rel).unlink()


def _write(rel: str, text: str) -> Callable[[Path], None]:
    return lambda root: (root / rel).write_text(text)


MIGRATIONS = "generated/migrations"

#: One change per thing a clean check depends on; each makes the project drift.
CHANGES: dict[str, Callable[[Path], None]] = {
    "generated file edited by hand": _append("generated/models.py", "# hand edit\n"),
    "generated file deleted": _delete("generated/docs/entities/stores.md"),
    "stale docs page added": _write("generated/docs/entities/old.md", "# old\n"),
    "revision edited by hand": _append(f"{MIGRATIONS}/versions/001_add_sku.py", "# ok?\n"),
    "stray file in versions": _write(f"{MIGRATIONS}/versions/notes.py", "x = 1\n"),
    "snapshot edited": _append(f"{MIGRATIONS}/snapshots/001.json", "\n"),
    "schemagen.sum edited": _replace(f"{MIGRATIONS}/schemagen.sum", "  versions/", "  versions/x"),
    "schemagen.sum deleted": _delete(f"{MIGRATIONS}/schemagen.sum"),
    "schema changed": _replace(
        "schema/shop.yaml", "      sku: {", "      barcode: {type: text}\n      sku: {"
    ),
    "schema file added": _write(
        "schema/tags.yaml",
        "entities:\n  Tag:\n    columns:\n      id: {type: integer, primary_key: true}\n",
    ),
    "user template changed": _replace(
        "tpl/models.py.j2", "\n", "\n{# a comment that renders nothing #}\nimport os\n"
    ),
    "user template added": _write("tpl/database.py.j2", "# our own database module\n"),
    "settings changed": _replace("pyproject.toml", 'output = "generated"', 'output = "gen"'),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_change_after_a_clean_check_is_found(project: Path, change: str) -> None:
    CHANGES[change](project)
    cached = check(project)
    full = check(project, "--no-cache")
    assert full.exit_code == 1, full.output  # the change is drift
    assert (cached.exit_code, cached.output) == (full.exit_code, full.output)


def test_a_schema_made_invalid_after_a_clean_check_exits_2(project: Path) -> None:
    _replace("schema/shop.yaml", "type: numeric", "type: numerci")(project)
    cached = check(project)
    assert cached.exit_code == 2 and "numerci" in cached.output
    assert cached.output == check(project, "--no-cache").output


def test_a_change_undone_is_clean_again(project: Path) -> None:
    """The control: the cache does reuse a result, so the tests above test something."""
    models = project / "generated" / "models.py"
    original = models.read_text()
    models.write_text(original + "# hand edit\n")
    assert check(project).exit_code == 1
    models.write_text(original)
    assert CACHED in check(project).output


def _copy_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """schemagen's package and templates copied, and the digest pointed at the copies."""
    package, templates = (Path(root) for root in check_cache.code_roots())
    code = tmp_path / "code"
    shutil.copytree(package, code / "schemagen", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(templates, code / "templates", ignore=shutil.ignore_patterns("__pycache__"))
    roots = [code / "schemagen", code / "templates"]
    monkeypatch.setattr(check_cache, "code_roots", lambda: roots)
    return code / "schemagen", code / "templates"


@pytest.mark.parametrize(
    "edit",
    ["version", "code", "builtin template", "docs template"],
)
def test_schemagen_itself_is_part_of_the_digest(
    template_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: str
) -> None:
    package, templates = _copy_code(tmp_path, monkeypatch)
    project = load_project(template_project)
    before = check_cache.input_digest(project)
    assert check_cache.input_digest(project) == before  # stable while nothing changes
    path, old, new = {
        "version": (package / "__init__.py", '__version__ = "', '__version__ = "9'),
        "code": (package / "check" / "drift.py", "commit the result", "commit the results"),
        "builtin template": (templates / "models.py.j2", "\n", "\n\n"),
        "docs template": (next(templates.glob("docs/*.j2")), "\n", "\n\n"),
    }[edit]
    path.write_text(path.read_text().replace(old, new, 1))
    assert check_cache.input_digest(project) != before


def test_library_versions_are_part_of_the_digest(
    template_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Upgrading a library (a new dist-info folder name) changes the digest."""
    site = tmp_path / "site"
    (site / "fakelib").mkdir(parents=True)
    (site / "fakelib" / "__init__.py").write_text("")
    (site / "fakelib-1.0.dist-info").mkdir()
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setattr(check_cache, "LIBRARIES", (*check_cache.LIBRARIES, "fakelib"))
    importlib.invalidate_caches()
    project = load_project(template_project)
    before = check_cache.input_digest(project)
    assert "fakelib-1.0.dist-info" in check_cache.installed_libraries()
    (site / "fakelib-1.0.dist-info").rename(site / "fakelib-1.1.dist-info")
    assert check_cache.input_digest(project) != before


def test_real_libraries_are_listed_with_their_versions() -> None:
    names = check_cache.installed_libraries()
    for dist in ("jinja2-", "jsonschema-", "sqlalchemy-"):
        assert any(n.lower().startswith(dist) and n.endswith(".dist-info") for n in names), dist
    assert any(n.lower().startswith("pyyaml-") for n in names)
