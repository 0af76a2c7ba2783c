"""The migration corpus: every before/after case in tests/corpus, proven on PostgreSQL.

For each case the upgrade must equal ``create_all`` of the new models and the
downgrade that of the old ones (normalized ``pg_dump`` and Alembic's
autogenerate comparison), rows named by the case must survive, and a
destructive change must be refused without ``--allow-destructive``. See
:mod:`migration_harness` for the steps and ``tests/corpus/README.md`` for the
case format.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from migration_harness import load_case, prove
from pgcluster import PgCluster

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
CASE_DIRS = sorted(p for p in CORPUS.iterdir() if (p / "before").is_dir())


def _param(folder: Path) -> object:
    case = load_case(folder)
    marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
    return pytest.param(case, id=case.name, marks=marks)


def test_corpus_is_large_enough() -> None:
    """The issue asks for at least 30 before/after changes."""
    assert len(CASE_DIRS) >= 30


@pytest.mark.parametrize("case", [_param(p) for p in CASE_DIRS])
def test_migration_case(pg: PgCluster, tmp_path: Path, case: object) -> None:
    prove(pg, case, tmp_path / "project")  # type: ignore[arg-type]
