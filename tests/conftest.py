"""Shared fixtures: the throwaway PostgreSQL cluster and project folders."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from pgcluster import PgCluster, start_cluster  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
_CACHE_FOLDER = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    """Point the user cache (check cache, template bytecode) at a folder of this run,
    and the tools started by name at this Python's.

    Every test project lives in its own temp folder, so each would leave its own
    cache files in the tester's ``~/.cache/schemagen`` for ever; and a test must not
    see what an earlier run remembered. Set before any test, so the commands that
    tests start as subprocesses inherit it.
    """
    folder = tempfile.mkdtemp(prefix="schemagen-test-cache-")
    os.environ["XDG_CACHE_HOME"] = folder
    config.stash[_CACHE_FOLDER] = folder
    # The README runs the suite as `.venv/bin/python -m pytest` without activating the
    # venv, so the tools tests start by name (ruff, mypy, schemagen, alembic) are found
    # where this Python's are, not on whatever PATH the machine has (a fresh machine
    # has no ruff on it).
    bindir = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != bindir:
        os.environ["PATH"] = os.pathsep.join([bindir, os.environ.get("PATH", "")])


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = config.stash.get(_CACHE_FOLDER, None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite golden files (tests/golden, the flagship's generated/) from fresh output.",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when the run was started with --update-golden."""
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def pg() -> Iterator[PgCluster]:
    """One PostgreSQL server for the whole session, stopped at the end."""
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def pg_db(pg: PgCluster) -> Iterator[str]:
    """A fresh empty database (its name); dropped after the test."""
    name = pg.create_database()
    try:
        yield name
    finally:
        pg.drop_database(name)


@pytest.fixture
def flagship_copy(tmp_path: Path) -> Path:
    """A temp copy of this repo's project files (schema, generated, pyproject)."""
    dest = tmp_path / "project"
    dest.mkdir()
    for name in ("schema", "generated"):
        if (REPO / name).exists():
            shutil.copytree(REPO / name, dest / name)
    shutil.copy(REPO / "pyproject.toml", dest / "pyproject.toml")
    if (REPO / "alembic.ini").exists():
        shutil.copy(REPO / "alembic.ini", dest / "alembic.ini")
    return dest
