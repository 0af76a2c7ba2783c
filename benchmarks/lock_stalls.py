#!/usr/bin/env python3
"""Longest write stall per kind of operation on 1,000,000 rows: schemagen's lock-safe
recipes against the plain statement Alembic autogenerate would write.

For each kind (foreign key, unique constraint, SET NOT NULL, check, index) on a
fresh ``products`` table of ``--rows`` rows (``tests/write_load.py``), a writer
connection keeps inserting and updating rows while

- *recipe*: the revision ``schemagen migrate`` writes for the change runs with
  ``alembic upgrade head`` (lock_timeout 5 s, the default);
- *downgrade*: the opposite change (the constraint, NOT NULL or index dropped)
  is migrated and applied, then ``alembic downgrade`` adds it back;
- *plain*: the one statement autogenerate writes runs in a transaction;

and the longest time one write waited is printed. Numbers only; nothing is
asserted (tests/revision/test_under_load.py asserts the bound at 100,000 rows).

Usage: ``python benchmarks/lock_stalls.py [--rows N]`` (starts its own PostgreSQL).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from migration_harness import Case, alembic, generate, scratch_database  # noqa: E402
from pgcluster import PgCluster, start_cluster  # noqa: E402
from write_load import BEFORE, SETUP, Writer  # noqa: E402

SKU = "      sku: {type: string, length: 32, nullable: true}\n"
PRICE = "      price: {type: integer}\n"
NOTE = "      note: {type: text, nullable: true}\n"

#: kind -> (how the YAML changes, the statement Alembic autogenerate writes)
KINDS: dict[str, tuple[tuple[str, str], str]] = {
    "foreign key": (
        ("      store_id: {type: bigint}\n", "      store_id: {references: Store}\n"),
        "ALTER TABLE products ADD CONSTRAINT fk_products_store_id_stores "
        "FOREIGN KEY (store_id) REFERENCES stores (id)",
    ),
    "unique constraint": (
        (SKU, "      sku: {type: string, length: 32, nullable: true, unique: true}\n"),
        "ALTER TABLE products ADD CONSTRAINT uq_products_sku UNIQUE (sku)",
    ),
    "SET NOT NULL": (
        (SKU, "      sku: {type: string, length: 32}\n"),
        "ALTER TABLE products ALTER COLUMN sku SET NOT NULL",
    ),
    "check": (
        (NOTE, NOTE + '    checks:\n      ck_products_price: "price >= 0"\n'),
        "ALTER TABLE products ADD CONSTRAINT ck_products_price CHECK (price >= 0)",
    ),
    "index": (
        (NOTE, NOTE + "    indexes:\n      ix_products_note: [note]\n"),
        "CREATE INDEX ix_products_note ON products (note)",
    ),
}


def _fresh(pg: PgCluster, root: Path, rows: int) -> str:
    db = scratch_database(pg, "mig")
    alembic(root, pg.url(db), "upgrade", "000")
    pg.sql(SETUP.format(rows=rows), db)
    return db


def measure(
    pg: PgCluster, work: Path, kind: str, rows: int
) -> tuple[float, float, float, float]:
    """(recipe stall, downgrade stall, plain stall, recipe duration) in seconds."""
    (old, new), plain = KINDS[kind]
    root = work / kind.replace(" ", "_")
    case = Case(kind, {"s.yaml": BEFORE}, {"s.yaml": BEFORE.replace(old, new)})
    generate(case, root)
    db = _fresh(pg, root, rows)
    started = time.monotonic()
    with Writer(pg.libpq_url(db), rows + 1) as recipe:
        alembic(root, pg.url(db), "upgrade", "head")
    took = time.monotonic() - started
    back = work / f"{root.name}_dropped"
    generate(Case(kind, case.after, case.before), back)
    db = _fresh(pg, back, rows)
    alembic(back, pg.url(db), "upgrade", "head")
    with Writer(pg.libpq_url(db), rows + 1) as downgrade:
        alembic(back, pg.url(db), "downgrade", "000")
    db = _fresh(pg, root, rows)
    with Writer(pg.libpq_url(db), rows + 1) as autogenerate:
        time.sleep(0.2)
        pg.sql(plain, db)
    for writer in (recipe, downgrade, autogenerate):
        assert writer.error is None, writer.error
    return recipe.longest, downgrade.longest, autogenerate.longest, took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    cluster = start_cluster()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            print(f"longest write stall on {args.rows:,} rows (seconds)")
            print(f"{'operation':<20} {'recipe':>8} {'downgrade':>9} {'plain':>8}   recipe took")
            for kind in KINDS:
                recipe, down, plain, took = measure(cluster, Path(tmp), kind, args.rows)
                print(f"{kind:<20} {recipe:8.3f} {down:9.3f} {plain:8.3f}   {took:6.2f} s")
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
