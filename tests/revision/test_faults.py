"""Revisions that fail part-way on a database holding rows, then are fixed and rerun.

Each test migrates a real schema change (``schemagen migrate``), fills the table
with rows that break it (or holds a lock, or kills the backend), and asserts:

- ``alembic upgrade head`` (or ``downgrade``) fails with a message naming the cause;
- the database is at a revision of the project: the previous one, or one from
  which a plain rerun continues (the transactional part is committed whole and
  recorded, the online part is idempotent);
- once the data or lock is fixed, a plain rerun reaches exactly the models
  (normalized ``pg_dump`` and Alembic's comparison);
- no INVALID index is left, and ``schemagen check --database`` is clean.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from migration_harness import (
    Case,
    alembic,
    assert_matches_models,
    generate,
    revisions,
    schemagen,
    scratch_database,
)
from pgcluster import PgCluster

INVALID_INDEXES = "SELECT indexrelid::regclass FROM pg_index WHERE NOT indisvalid"


def _schema(columns: str, extra: str = "") -> dict[str, str]:
    text = (
        "database:\n  name: faults\nentities:\n  Product:\n    columns:\n"
        "      id: {type: bigint, primary_key: true}\n" + columns + extra
    )
    return {"schema.yaml": text}


class Scene:
    """A project whose revision 000 is applied to an empty scratch database."""

    def __init__(self, pg: PgCluster, root: Path, case: Case) -> None:
        self.pg, self.root, self.case = pg, root, case
        self.models_before, self.models_after = generate(case, root)
        self.db = scratch_database(pg, "mig")
        self.url = pg.url(self.db)
        self.heads = [p.name.split("_", 1)[0] for p in revisions(root)]
        alembic(root, self.url, "upgrade", "000")

    def sql(self, statement: str) -> str:
        return self.pg.sql(statement, self.db).strip()

    def version(self) -> str:
        return self.sql("SELECT version_num FROM alembic_version")

    def fails(self, action: str, target: str, cause: str) -> str:
        """Run ``alembic action target``; it must fail naming ``cause``; return the version."""
        with pytest.raises(sa.exc.DBAPIError) as info:
            alembic(self.root, self.url, action, target)
        assert re.search(cause, str(info.value), re.S), str(info.value)
        version = self.version()
        assert version in self.heads, version
        return version

    def reaches(self, action: str, target: str, models: Path, label: str) -> None:
        """A plain rerun completes and the database equals ``models`` exactly."""
        alembic(self.root, self.url, action, target)
        assert self.version() == (self.heads[-1] if target == "head" else target)
        extensions: list[str] = []
        assert_matches_models(self.pg, self.db, models, extensions, label)
        assert self.sql(INVALID_INDEXES) == ""

    def check_clean(self) -> None:
        out = schemagen(self.root, "check", "--database", self.url)
        assert out.startswith("check OK"), out


def _run_fault(
    pg: PgCluster,
    tmp_path: Path,
    case: Case,
    *,
    rows: str,
    cause: str,
    fix: str,
    down_break: str | None = None,
    down_cause: str = "",
    down_fix: str = "",
    during: Callable[[Scene], None] | None = None,
) -> Scene:
    scene = Scene(pg, tmp_path / "project", case)
    scene.sql(rows)
    if during is not None:
        during(scene)
    scene.fails("upgrade", "head", cause)
    scene.sql(fix)
    scene.reaches("upgrade", "head", scene.models_after, f"{case.name} upgrade")
    scene.check_clean()
    if down_break is not None:
        scene.sql(down_break)
        scene.fails("downgrade", "000", down_cause)
        scene.sql(down_fix)
    scene.reaches("downgrade", "000", scene.models_before, f"{case.name} downgrade")
    return scene


SKU = "      sku: {type: string, length: 32}\n"


def test_duplicate_rows_under_a_new_unique_index_next_to_a_new_column(
    pg: PgCluster, tmp_path: Path
) -> None:
    """The new column commits with its revision; the concurrent unique build fails
    on duplicates, leaves an INVALID index that the rerun drops and builds again.
    Downgrade: the dropped index is rebuilt concurrently and fails the same way."""
    before = _schema(SKU + "      legacy: {type: text, nullable: true}\n",
                     "    indexes:\n      ix_products_legacy: [legacy]\n")
    after = _schema(
        SKU + "      note: {type: text, nullable: true}\n",
        "    indexes:\n      ux_products_sku: {columns: [sku], unique: true}\n",
    )
    case = Case("unique_index_dupes", before, after, destructive=True)
    scene = _run_fault(
        pg, tmp_path, case,
        rows="INSERT INTO products (id, sku, legacy) VALUES (1, 'a', 'x'), (2, 'a', 'x')",
        cause=r"could not create unique index \"ux_products_sku\".*\(sku\)=\(a\) is duplicated",
        fix="UPDATE products SET sku = 'b' WHERE id = 2",
    )
    assert scene.heads == ["000", "001", "002"]


def test_downgrade_rebuilding_a_dropped_unique_index_fails_then_completes(
    pg: PgCluster, tmp_path: Path
) -> None:
    before = _schema(SKU, "    indexes:\n      ux_products_sku: {columns: [sku], unique: true}\n")
    after = _schema(SKU)
    case = Case("unique_index_dropped", before, after, destructive=False)
    scene = Scene(pg, tmp_path / "project", case)
    scene.sql("INSERT INTO products (id, sku) VALUES (1, 'a')")
    scene.reaches("upgrade", "head", scene.models_after, "upgrade")
    scene.sql("INSERT INTO products (id, sku) VALUES (2, 'a')")
    assert scene.fails("downgrade", "000", r"\(sku\)=\(a\) is duplicated") == "001"
    assert "ux_products_sku" in scene.sql(INVALID_INDEXES)
    scene.sql("DELETE FROM products WHERE id = 2")
    scene.reaches("downgrade", "000", scene.models_before, "downgrade")
