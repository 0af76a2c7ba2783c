"""The lock-safe recipes on a table of 100,000 rows while another connection keeps
inserting and updating: no write waits longer than ``lock_timeout`` plus a margin.

One revision adds a foreign key, a unique constraint, SET NOT NULL, a check and
a concurrent index (``write_load.AFTER``). The same statements written plainly
hold ACCESS EXCLUSIVE or SHARE locks while they scan the table
(``benchmarks/lock_stalls.py`` prints both at 1,000,000 rows); the recipes take
a strong lock only for steps that do not scan.
"""

from __future__ import annotations

from pathlib import Path

from migration_harness import (
    Case,
    alembic,
    assert_matches_models,
    generate,
    schemagen,
    scratch_database,
)
from pgcluster import PgCluster
from write_load import AFTER, BEFORE, SETUP, Writer

ROWS = 100_000
LOCK_TIMEOUT = 1.0  # seconds, set in [tool.schemagen]
MARGIN = 1.0  # a busy CI machine's scheduling, not a lock wait


def test_lock_safe_recipes_never_block_a_writer_longer_than_lock_timeout(
    pg: PgCluster, tmp_path: Path
) -> None:
    root = tmp_path / "project"
    case = Case("under_load", {"schema.yaml": BEFORE}, {"schema.yaml": AFTER}, destructive=True)
    _, models_after = generate(case, root)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + f'lock_timeout = "{LOCK_TIMEOUT:g}s"\n')
    schemagen(root, "build")
    db = scratch_database(pg, "mig")
    alembic(root, pg.url(db), "upgrade", "000")
    pg.sql(SETUP.format(rows=ROWS), db)
    with Writer(pg.libpq_url(db), first_id=ROWS + 1) as writer:
        alembic(root, pg.url(db), "upgrade", "head")
    assert writer.error is None, writer.error
    assert writer.writes > 20, "the writer hardly ran: the test proves nothing"
    assert writer.longest < LOCK_TIMEOUT + MARGIN, f"a write waited {writer.longest:.2f} s"
    assert_matches_models(pg, db, models_after, [], "under load")
    assert pg.sql("SELECT count(*) > 100000 FROM products", db).strip() == "t"
