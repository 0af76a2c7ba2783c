"""Shared fixtures: the throwaway PostgreSQL cluster and project folders."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from pgcluster import PgCluster, start_cluster  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


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
