"""The lock-safe recipes on a table of 100,000 rows while another connection keeps
inserting and updating: no write waits longer than ``lock_timeout`` plus a margin.

One revision adds a foreign key, a unique constraint, SET NOT NULL, a check and
a concurrent index (``write_load.AFTER``); the downgrade of a revision that drops
them all adds them back the same way. The same statements written plainly
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
#: ``AFTER`` with a check that is slow to evaluate on 100,000 rows, so that the
#: test tells the recipes from plain statements: a plain ADD CHECK holds ACCESS
#: EXCLUSIVE while it scans (about 5 s here; the others scan for well under the
#: bound at this size, see benchmarks/lock_stalls.py for 1,000,000 rows).
_PRICE = '      ck_products_price: "price >= 0"\n'
SLOW = AFTER.replace(_PRICE, _PRICE + '      ck_products_slow: "length(repeat(sku, 2000)) > 0"\n')


def _project(
    tmp_path: Path, before: str, after: str, *, destructive: bool
) -> tuple[Path, Path, Path]:
    """The project, the models before and after, with lock_timeout set."""
    root = tmp_path / "project"
    files = {"schema.yaml": before}, {"schema.yaml": after}
    case = Case("under_load", *files, destructive=destructive)
    models_before, models_after = generate(case, root)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + f'lock_timeout = "{LOCK_TIMEOUT:g}s"\n')
    schemagen(root, "build")
    return root, models_before, models_after


def _assert_never_blocked(writer: Writer) -> None:
    assert writer.error is None, writer.error
    assert writer.writes > 20, "the writer hardly ran: the test proves nothing"
    assert writer.longest < LOCK_TIMEOUT + MARGIN, f"a write waited {writer.longest:.2f} s"


def test_lock_safe_recipes_never_block_a_writer_longer_than_lock_timeout(
    pg: PgCluster, tmp_path: Path
) -> None:
    root, _, models_after = _project(tmp_path, BEFORE, SLOW, destructive=True)
    db = scratch_database(pg, "mig")
    alembic(root, pg.url(db), "upgrade", "000")
    pg.sql(SETUP.format(rows=ROWS), db)
    with Writer(pg.libpq_url(db), first_id=ROWS + 1) as writer:
        alembic(root, pg.url(db), "upgrade", "head")
    _assert_never_blocked(writer)
    assert_matches_models(pg, db, models_after, [], "under load")
    assert pg.sql("SELECT count(*) > 100000 FROM products", db).strip() == "t"


def test_downgrade_adding_dropped_constraints_back_never_blocks_a_writer(
    pg: PgCluster, tmp_path: Path
) -> None:
    """The upgrade drops the foreign key, unique constraint, NOT NULL, check and index
    of ``AFTER``; the downgrade adds them back on 100,000 rows while the writer runs."""
    root, models_before, models_after = _project(tmp_path, SLOW, BEFORE, destructive=False)
    db = scratch_database(pg, "mig")
    alembic(root, pg.url(db), "upgrade", "000")
    pg.sql(SETUP.format(rows=ROWS), db)
    alembic(root, pg.url(db), "upgrade", "head")
    assert_matches_models(pg, db, models_after, [], "dropped")
    with Writer(pg.libpq_url(db), first_id=ROWS + 1) as writer:
        alembic(root, pg.url(db), "downgrade", "000")
    _assert_never_blocked(writer)
    assert_matches_models(pg, db, models_before, [], "added back under load")


def test_a_foreign_key_swapped_in_place_never_blocks_a_writer(
    pg: PgCluster, tmp_path: Path
) -> None:
    """ON DELETE of ``AFTER``'s foreign key changed, up and down, on 100,000 rows while
    the writer runs: the swap holds ACCESS EXCLUSIVE on both tables for one statement
    that scans nothing, VALIDATE scans under SHARE UPDATE EXCLUSIVE (operations.costs)."""
    cascade = AFTER.replace("store_id: {references: Store}",
                            "store_id: {references: Store, on_delete: cascade}")
    assert cascade != AFTER
    root, models_before, models_after = _project(tmp_path, AFTER, cascade, destructive=False)
    db = scratch_database(pg, "mig")
    alembic(root, pg.url(db), "upgrade", "000")
    pg.sql(SETUP.format(rows=ROWS), db)
    # up, down and up again: one swap and its VALIDATE take well under a second
    # here, too short a window for the writer alone
    with Writer(pg.libpq_url(db), first_id=ROWS + 1) as writer:
        alembic(root, pg.url(db), "upgrade", "head")
        alembic(root, pg.url(db), "downgrade", "000")
        assert_matches_models(pg, db, models_before, [], "swapped back under load")
        alembic(root, pg.url(db), "upgrade", "head")
    _assert_never_blocked(writer)
    assert_matches_models(pg, db, models_after, [], "swapped under load")
