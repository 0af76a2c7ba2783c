"""`schemagen check` in the ecosystem: the pre-commit hooks this repo offers, and CI.

pre-commit itself is not a dependency, so the manifest is checked here against
pre-commit's documented rules (https://pre-commit.com/#creating-new-hooks); the
hooks were also run for real with `pre-commit try-repo` (see the report of the
commit that added this file).
"""

from __future__ import annotations

import re
import shlex
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from schemagen.api import build_project, migrate_project
from schemagen.cli import main
from schemagen.scaffold import init_project

REPO = Path(__file__).resolve().parents[2]

#: Keys pre-commit's manifest schema knows (pre_commit/clientlib.py MANIFEST_HOOK_DICT).
HOOK_KEYS = {
    "id", "name", "entry", "language", "alias", "files", "exclude", "types", "types_or",
    "exclude_types", "additional_dependencies", "args", "always_run", "fail_fast",
    "pass_filenames", "description", "language_version", "log_file",
    "minimum_pre_commit_version", "require_serial", "stages", "verbose",
}  # fmt: skip
REQUIRED = {"id", "name", "entry", "language"}


def hooks() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, list) and all(isinstance(h, dict) for h in data)
    by_id = {hook["id"]: hook for hook in data}
    assert len(by_id) == len(data), "hook ids must be unique"
    return by_id


@pytest.mark.parametrize("hook_id", ["schemagen-check", "schemagen-validate"])
def test_hook_follows_the_manifest_rules(hook_id: str) -> None:
    hook = hooks()[hook_id]
    assert REQUIRED <= hook.keys() <= HOOK_KEYS
    assert hook["language"] == "python"  # pre-commit pip-installs this repo into a venv
    assert hook["pass_filenames"] is False  # the check reads the whole project, not files
    assert all(isinstance(hook[k], str) for k in ("id", "name", "entry", "files"))
    re.compile(hook["files"])  # pre-commit matches it with Python's re.search
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert shlex.split(hook["entry"])[0] in scripts


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`schemagen init`, a first revision, a user template, built: a clean project."""
    root = tmp_path_factory.mktemp("hooks") / "repo"
    init_project(root)
    with (root / "pyproject.toml").open("a") as settings:
        settings.write('templates = "tpl"\n')
    (root / "tpl").mkdir()
    builtin = REPO / "templates" / "models.py.j2"
    shutil.copy(builtin, root / "tpl" / "models.py.j2")
    migrate_project(root, "initial")
    build_project(root)
    return root


def _entry(hook_id: str, project: Path) -> list[str]:
    return [*shlex.split(hooks()[hook_id]["entry"])[1:], "--project", str(project)]


def test_check_hook_runs_on_every_file_a_check_reads(project: Path) -> None:
    """pass_filenames is false, so pre-commit runs the hook only when a staged path
    matches `files`: every input and output of a check must match."""
    pattern = re.compile(hooks()["schemagen-check"]["files"])
    files = sorted(p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file())
    files.remove("alembic.ini")  # build writes it once, for the user to edit; check skips it
    for expected in ("schema/", "tpl/", "generated/models.py", "generated/.env.example"):
        assert any(f.startswith(expected) for f in files), expected  # the walk saw them
    assert [f for f in files if not pattern.search(f)] == []


def test_validate_hook_runs_on_schema_and_settings(project: Path) -> None:
    pattern = re.compile(hooks()["schemagen-validate"]["files"])
    assert pattern.search("pyproject.toml") and pattern.search("schema/example.yaml")
    assert pattern.search("schema/more.yml")


def test_hook_entries_pass_a_clean_project_and_fail_on_drift(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    runner = CliRunner()
    for hook_id in ("schemagen-check", "schemagen-validate"):
        result = runner.invoke(main, _entry(hook_id, project))
        assert result.exit_code == 0, (hook_id, result.output)
    copy = tmp_path / "repo"
    shutil.copytree(project, copy)
    template = copy / "tpl" / "models.py.j2"
    template.write_text("# house style\n" + template.read_text())
    result = runner.invoke(main, _entry("schemagen-check", copy))
    assert result.exit_code == 1
    assert "  generated/models.py: differs from what `schemagen build` writes (+1 -0 lines)" in (
        result.output.splitlines()
    )


def _commands(script: Path) -> list[str]:
    """The script's command lines (no comments, no blank lines), stripped."""
    lines = (line.strip() for line in script.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def test_ci_runs_schemagen_check_on_the_flagship() -> None:
    """.ci/run runs scripts/quickstart.sh in the repo root, which stops at the
    first failing command (set -e) and runs `schemagen check` on the committed
    files before `schemagen build` could repair them."""
    ci = _commands(REPO / ".ci" / "run")
    assert "set -euo pipefail" in ci and 'cd "$(dirname "$0")/.."' in ci
    assert "bash scripts/quickstart.sh" in ci
    quickstart = _commands(REPO / "scripts" / "quickstart.sh")
    assert "set -euo pipefail" in quickstart and 'cd "$(dirname "$0")/.."' in quickstart
    checks = [i for i, c in enumerate(quickstart) if re.fullmatch(r"schemagen check( --\S+)*", c)]
    builds = [i for i, c in enumerate(quickstart) if c.startswith("schemagen build")]
    assert checks and builds and checks[0] < builds[0]
    assert "--database" not in quickstart[checks[0]]  # the no-database check of the repo
