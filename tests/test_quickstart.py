"""The README's two commands on a machine whose Python refuses ``pip install``.

A copy of the repository runs ``bash scripts/quickstart.sh`` with
``PIP_REQUIRE_VIRTUALENV=1`` and no virtual environment active, so pip refuses
to install into the system Python just as it does under PEP 668 on Debian 12
and Ubuntu 24.04 (``externally-managed-environment``). TMPDIR points at a
folder of the test, which must be empty afterwards (no leaked PostgreSQL
cluster). Then the README's second command runs in the venv the first made.

The whole suite inside this test would double CI's time, so the README's test
command runs here restricted to ``tests/test_architecture.py``: the same
interpreter, pytest, conftest and package as the full run, only fewer tests.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    """The two commands of the README's "Two commands" block, comments dropped."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Two commands"):]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block is not None, "README: no bash block under 'Two commands'"
    lines = [line.split("#", 1)[0].strip() for line in block.group(1).splitlines()]
    return [line for line in lines if line]


def copy_repo(dest: Path) -> None:
    """The tracked files as they are in the working tree (no .venv, no caches)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)


def system_env(tmpdir: Path) -> dict[str, str]:
    """The environment of a fresh shell: no venv active, pip refusing the system Python."""
    venv_bin = str(Path(sys.prefix) / "bin") if sys.prefix != sys.base_prefix else None
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = os.pathsep.join(
        p for p in env["PATH"].split(os.pathsep) if p and p != venv_bin
    )
    env.update(PIP_REQUIRE_VIRTUALENV="1", TMPDIR=str(tmpdir))
    return env


def test_ci_runs_the_readme_commands() -> None:
    first, second = readme_commands()
    assert first == "bash scripts/quickstart.sh"
    assert second.startswith(".venv/bin/python -m pytest")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert first in ci and second in ci


@pytest.fixture
def tmpdir_for_postgres() -> Iterator[Path]:
    """An empty TMPDIR the unprivileged server user can enter (pytest's are 0700)."""
    path = Path(tempfile.mkdtemp(prefix="schemagen-quickstart-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def test_readme_commands_on_a_python_that_refuses_pip(
    tmp_path: Path, tmpdir_for_postgres: Path
) -> None:
    repo, tmpdir = tmp_path / "repo", tmpdir_for_postgres
    repo.mkdir()
    copy_repo(repo)
    env = system_env(tmpdir)
    refused = subprocess.run(
        ["python3", "-m", "pip", "install", "--no-index", "--no-deps", "--dry-run", "six"],
        cwd=repo, env=env, capture_output=True, text=True,
    )
    assert refused.returncode != 0, "the setting must refuse pip outside a venv"

    first, second = readme_commands()
    done = subprocess.run(
        shlex.split(first), cwd=repo, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "after downgrade base: 0 tables" in done.stdout
    assert (repo / ".venv" / "bin" / "schemagen").is_file()
    assert (repo / ".venv" / "bin" / "alembic").is_file()
    assert sorted(os.listdir(tmpdir)) == [], "quickstart left files in TMPDIR"

    tests = subprocess.run(
        [*shlex.split(second), "-p", "no:cacheprovider", "tests/test_architecture.py"],
        cwd=repo, env=env, capture_output=True, text=True,
    )
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-3000:]
    assert re.search(r"\d+ passed", tests.stdout), tests.stdout
    # pytest keeps its own base temp folders (pytest-of-USER, the last three runs) by
    # design; with -n the workers' folders live there even when no test asks for one.
    left = [name for name in os.listdir(tmpdir) if not name.startswith("pytest-of-")]
    assert left == [], "the tests left files in TMPDIR"
